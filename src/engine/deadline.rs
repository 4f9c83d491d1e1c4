//! Deadlines: owns computing the deadlines of a case's current step (on the workspace's working
//! calendar) and the status of every case that `status` lists.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::config::{DeadlineSetting, WorkCalendar};
use crate::error::{Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::{DaysSpec, Workflow};
use crate::workspace::Workspace;

use super::context::ExprContext;
use super::store::{self, Unreadable};

/// A deadline of the current step.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    /// What must be done, e.g. 报送败诉案件总结报告.
    pub title: String,
    /// The date field it counts from, and that field's label (e.g. effective_date, 生效日期).
    pub from: String,
    pub from_label: String,
    /// When it is due; `None` while the start date is missing.
    pub due: Option<NaiveDate>,
    pub overdue: bool,
    /// Days left until it is due (0 on the day, negative when overdue), in working days when
    /// the deadline counts working days.
    pub left: Option<i64>,
    /// Whether `left` counts working days.
    pub working_days: bool,
    /// The reminder shown while the start date is missing: “待补充：生效日期”.
    pub missing: Option<String>,
    /// Years the count runs through that the holiday calendar does not cover.
    pub uncovered_years: Vec<i32>,
    /// Whether the due date was counted through such a year (on the estimated statutory
    /// holidays, see [`crate::calendar`]): every output marks it 预估.
    pub estimated: bool,
    /// The label of the date field the due date was taken from (e.g. 整改报告报送期限), when it
    /// is the date a document gave rather than a count.
    pub given: Option<String>,
    /// Whether this is a statutory period, counted on the national calendar.
    pub statutory: bool,
    /// The time of day (as the clerk wrote it, e.g. 上午9时30分) and the place of the event.
    pub time: Option<String>,
    pub place: Option<String>,
    /// A stable identity of this deadline of this case (for calendar files).
    pub key: String,
}

impl Deadline {
    /// The due date as shown: 2027-01-11, with “（预估）” when [`Deadline::estimated`].
    pub fn due_text(&self) -> String {
        match self.due {
            Some(d) if self.estimated => format!("{d}（预估）"),
            Some(d) => d.to_string(),
            None => String::new(),
        }
    }

    /// “3个工作日”, “逾期2个工作日”, “今天到期”, “12天”.
    pub fn left_text(&self) -> String {
        let Some(n) = self.left else {
            return String::new();
        };
        let unit = if self.working_days {
            "个工作日"
        } else {
            "天"
        };
        match n {
            0 => "今天到期".into(),
            n if n < 0 => format!("逾期{}{unit}", -n),
            n => format!("{n}{unit}"),
        }
    }
}

/// One line of `status`.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub id: String,
    pub workflow: String,
    pub workflow_title: String,
    pub step: String,
    pub step_title: String,
    pub closed: bool,
    /// Closed because it was withdrawn (a case opened by mistake), not by its final step.
    pub withdrawn: bool,
    /// The case's agency (its id and short name), when it has one.
    pub agency: Option<String>,
    pub agency_name: Option<String>,
    /// The most pressing deadline: one whose start date is missing, else the earliest.
    pub deadline: Option<Deadline>,
    /// The case's 案号, when it has one.
    pub case_number: Option<String>,
    pub file: String,
}

/// The status of every readable case, and the case files that could not be read.
#[derive(Debug, Serialize)]
pub struct Status {
    pub rows: Vec<StatusRow>,
    pub unreadable: Vec<Unreadable>,
}

/// The status of every case. What a row holds as of any day is kept in the case index as the
/// case's summary ([`row_indexed`]), so an unchanged case file is not even decoded.
pub fn status(ws: &Workspace, today: NaiveDate) -> Result<Status> {
    let (rows, unreadable, index) = store::each_case(ws, |index, id, path| {
        row_indexed(
            ws,
            &crate::index::cases::CaseRef::new(index, ws, id, path),
            today,
        )
    })?;
    index.save();
    Ok(Status { rows, unreadable })
}

/// The kind (and version) of the status summary in the case index.
const ROW_KIND: &str = "status-row-3";

/// The status summary as the case index makes it whenever it parses a case file (see
/// [`crate::index::cases::kinds`]): what [`row_indexed`] makes when the index lacks it.
pub const ROW_SUMMARY: crate::index::cases::SummaryKind = crate::index::cases::SummaryKind {
    kind: ROW_KIND,
    make: |ws, v| crate::index::cases::kinds::encode(&row_summary(ws, v, None)),
};

/// What `status` keeps of a case in the case index: its row as of any day, with its most
/// pressing deadline before the day is counted ([`Pending`]).
#[derive(Debug, Serialize, Deserialize)]
struct RowSummary {
    id: String,
    workflow: String,
    workflow_title: String,
    step: String,
    step_title: String,
    closed: bool,
    withdrawn: bool,
    agency: Option<String>,
    agency_name: Option<String>,
    case_number: Option<String>,
    file: String,
    /// Whether a deadline's `when:` names `today`: then which deadlines apply changes from
    /// day to day, and the row is made from the case itself.
    by_day: bool,
    deadline: Option<Pending>,
}

/// The status row of a case, through the case index (see [`status`]).
pub fn row_indexed(
    ws: &Workspace,
    case: &crate::index::cases::CaseRef<'_, '_>,
    today: NaiveDate,
) -> Result<StatusRow> {
    let summary: Option<RowSummary> = case.summary(ROW_KIND, |view| row_summary(ws, view, None))?;
    match summary {
        Some(s) if !s.by_day => Ok(s.on(ws, today)),
        _ => status_row(ws, &case.load()?.0, today),
    }
}

/// The row of a case before the day is counted: as of `today`, or with `None` as of any day —
/// then a case whose deadline condition names the day is marked `by_day`, without a deadline.
/// `None` if its step is not in its workflow (which loading a case rules out).
fn row_summary(
    ws: &Workspace,
    view: &super::view::CaseView<'_>,
    today: Option<NaiveDate>,
) -> Option<RowSummary> {
    let step = view.current_step().to_string();
    let spec = view.wf.step(&step)?;
    let facts = view.facts();
    let withdrawn = view.case.is_withdrawn();
    let closed = spec.is_final || withdrawn;
    let by_day = today.is_none()
        && !closed
        && spec.deadlines.iter().any(|d| {
            d.when.as_ref().is_some_and(|w| {
                crate::expr::compile_check(&w.value).map_or(true, |names| names.contains("today"))
            })
        });
    let deadline = if closed || by_day {
        None
    } else {
        // Without a day, no condition names the day, so any day gives the same deadlines.
        let day = today.unwrap_or_default();
        most_pressing(pending(ws, view.wf, &view.case.id, &step, &facts, day))
    };
    let agency = facts
        .get("agency")
        .and_then(|v| v.as_str())
        .map(str::to_string);
    Some(RowSummary {
        id: view.case.id.clone(),
        workflow: view.wf.name().to_string(),
        workflow_title: view.wf.spec.title.clone(),
        step,
        step_title: spec.title.clone(),
        closed,
        withdrawn,
        agency_name: agency.as_deref().map(|a| ws.config.agency_short(a)),
        agency,
        case_number: facts
            .get("case_number")
            .and_then(|v| v.as_str())
            .map(str::to_string),
        by_day,
        deadline,
        file: ws.rel(&view.case.path),
    })
}

impl RowSummary {
    /// The row as of `today`: its deadline counted.
    fn on(self, ws: &Workspace, today: NaiveDate) -> StatusRow {
        StatusRow {
            id: self.id,
            workflow: self.workflow,
            workflow_title: self.workflow_title,
            step: self.step,
            step_title: self.step_title,
            closed: self.closed,
            withdrawn: self.withdrawn,
            agency: self.agency,
            agency_name: self.agency_name,
            deadline: self.deadline.map(|p| p.on(ws, today)),
            case_number: self.case_number,
            file: self.file,
        }
    }
}

/// The status rows of cases already loaded (see [`status`]).
pub fn status_of(
    ws: &Workspace,
    views: &[super::view::CaseView<'_>],
    today: NaiveDate,
) -> Result<Vec<StatusRow>> {
    use rayon::prelude::*;
    // Every core: the facts view and the deadlines of each case are its own work.
    views
        .par_iter()
        .map(|view| status_row(ws, view, today))
        .collect()
}

/// One row of [`status`].
fn status_row(
    ws: &Workspace,
    view: &super::view::CaseView<'_>,
    today: NaiveDate,
) -> Result<StatusRow> {
    row_summary(ws, view, Some(today))
        .map(|s| s.on(ws, today))
        .ok_or_else(|| Error::Internal("step".into()))
}

/// The most pressing deadline at `step` of case `id`: one whose start date is missing (it
/// cannot be counted until the clerk adds it), else the earliest.
pub fn next_deadline(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    step: &str,
    facts: &Facts,
    today: NaiveDate,
) -> Option<Deadline> {
    most_pressing(pending(ws, wf, id, step, facts, today)).map(|p| p.on(ws, today))
}

/// The most pressing of some deadlines (see [`next_deadline`]).
fn most_pressing(deadlines: Vec<Pending>) -> Option<Pending> {
    deadlines
        .into_iter()
        .min_by_key(|d| (d.due.is_some(), d.due))
}

/// A deadline that applies, before the day is counted: what it is and when it is due.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    title: String,
    from: String,
    from_label: String,
    working_days: bool,
    /// The start date and the due date; `None` while the start date is missing.
    start: Option<NaiveDate>,
    due: Option<NaiveDate>,
    /// The label of the field the due date was taken from, when it was.
    given: Option<String>,
    statutory: bool,
    time: Option<String>,
    place: Option<String>,
    key: String,
}

/// The calendar a deadline is counted on: the national one for a statutory period, the
/// workspace's (with its local days) for an internal deadline.
fn calendar_for(ws: &Workspace, statutory: bool) -> std::borrow::Cow<'_, WorkCalendar> {
    if statutory {
        std::borrow::Cow::Owned(ws.calendar.national())
    } else {
        std::borrow::Cow::Borrowed(&ws.calendar)
    }
}

impl Pending {
    /// The deadline as of `today`: days left, overdue, years the calendar does not cover.
    fn on(self, ws: &Workspace, today: NaiveDate) -> Deadline {
        let (Some(start), Some(due)) = (self.start, self.due) else {
            return Deadline {
                title: self.title,
                from: self.from,
                missing: Some(format!("待补充：{}", self.from_label)),
                from_label: self.from_label,
                due: None,
                overdue: false,
                left: None,
                working_days: self.working_days,
                uncovered_years: Vec::new(),
                estimated: false,
                given: self.given,
                statutory: self.statutory,
                time: self.time,
                place: self.place,
                key: self.key,
            };
        };
        let cal = calendar_for(ws, self.statutory);
        let left = if self.working_days {
            working_days_left(&cal, today, due)
        } else {
            (due - today).num_days()
        };
        // A date a document gave is not counted; only the days left to it may be.
        let counted = if self.given.is_some() {
            Vec::new()
        } else {
            cal.uncovered_years(start, due)
        };
        Deadline {
            title: self.title,
            from: self.from,
            from_label: self.from_label,
            due: Some(due),
            overdue: today > due,
            left: Some(left),
            working_days: self.working_days,
            missing: None,
            uncovered_years: cal.uncovered_years(start.min(today), due.max(today)),
            estimated: !counted.is_empty(),
            given: self.given,
            statutory: self.statutory,
            time: self.time,
            place: self.place,
            key: self.key,
        }
    }
}

/// Every deadline that applies at `step` of case `id`, given its facts.
pub fn deadlines(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    step: &str,
    facts: &Facts,
    today: NaiveDate,
) -> Vec<Deadline> {
    pending(ws, wf, id, step, facts, today)
        .into_iter()
        .map(|p| p.on(ws, today))
        .collect()
}

/// Every deadline that applies at `step` of case `id` on `today` (a deadline's `when:` may
/// name the day), not yet counted.
fn pending(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    step: &str,
    facts: &Facts,
    today: NaiveDate,
) -> Vec<Pending> {
    let Some(spec) = wf.step(step).filter(|s| !s.is_final) else {
        return Vec::new();
    };
    let ctx = ExprContext::new(ws, wf, id, step, facts, today);
    let holds = |w: &Option<crate::yaml::Spanned<String>>| {
        w.as_ref()
            .map(|w| ctx.eval_bool(&w.value, facts).unwrap_or(false))
            .unwrap_or(true)
    };
    spec.deadlines
        .iter()
        .filter(|d| holds(&d.when))
        // A deadline set by a document runs only when the step issues that document.
        .filter(|d| {
            d.document.as_ref().is_none_or(|doc| {
                spec.documents
                    .iter()
                    .any(|s| s.template.value == doc.value && holds(&s.when))
            })
        })
        .filter_map(|d| {
            let setting = match &d.days.value {
                DaysSpec::Fixed(s) => *s,
                DaysSpec::Setting(name) => *ws.config.deadlines.get(name)?,
            };
            let from_label = wf
                .field(&d.from.value)
                .map(|f| f.label.clone())
                .unwrap_or_else(|| d.from.value.clone());
            let working_days = matches!(setting, DeadlineSetting::WorkingDays(_));
            let date_of = |field: &str| {
                facts
                    .get(field)
                    .and_then(|v| v.as_str())
                    .and_then(|s| facts::parse_date(s).ok())
            };
            let text_of = |field: &Option<crate::yaml::Spanned<String>>| {
                field
                    .as_ref()
                    .and_then(|f| facts.get(&f.value))
                    .and_then(|v| v.as_str())
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
            };
            let start = date_of(&d.from.value);
            // The date a document printed, when the deadline declares one and the case has it.
            let given = d
                .due
                .as_ref()
                .and_then(|f| date_of(&f.value).map(|due| (f, due)));
            let due = match given {
                Some((_, due)) => start.map(|_| due),
                None => start.map(|start| calendar_for(ws, d.statutory).add(start, setting)),
            };
            let given = given.map(|(f, _)| {
                wf.field(&f.value)
                    .map(|spec| spec.label.clone())
                    .unwrap_or_else(|| f.value.clone())
            });
            // The same deadline keeps its key while the case moves through steps that share it.
            let key = format!("{id}#{}#{}", d.from.value, d.title);
            Some(Pending {
                title: d.title.clone(),
                from: d.from.value.clone(),
                from_label,
                working_days,
                due,
                start,
                given,
                statutory: d.statutory,
                time: text_of(&d.time),
                place: text_of(&d.place),
                key,
            })
        })
        .collect()
}

/// Working days from `today` to `due`: how many working days after today up to the due day
/// (0 on the day); negative, how many working days it is overdue — the working days after the
/// due day up to today, and at least 1 on every day after the due day (a deadline due on the
/// last working day before a holiday is 逾期1个工作日 throughout the holiday, never 今天到期).
fn working_days_left(cal: &WorkCalendar, today: NaiveDate, due: NaiveDate) -> i64 {
    let (a, b, sign) = if due >= today {
        (today, due, 1)
    } else {
        (due, today, -1)
    };
    let mut n = 0;
    let mut d = a;
    while d < b {
        d = d.succ_opt().unwrap_or(b);
        if cal.is_workday(d) {
            n += 1;
        }
    }
    if sign < 0 { -n.max(1) } else { n }
}
