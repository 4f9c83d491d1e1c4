//! The daily overview: owns choosing and ordering the cases a clerk must act on — `status`'s
//! filters (open cases, an agency, a workflow, due within N days, overdue; a deadline whose
//! start date is missing is kept by the last two, as 待补充, since it may be either), its order
//! (deadlines whose start date is missing first, then by due date, then case ids in natural
//! order) — the agenda: what is overdue, due today and due within the next [`HORIZON`] working
//! days (so a long holiday never hides what falls due right after it), grouped by agency — and
//! the calendar file of the deadlines.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::calendar::WorkCalendar;
use crate::natural::natural_cmp;

use super::deadline::StatusRow;

/// Which cases a listing shows.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Only cases not closed.
    pub open: bool,
    /// Only cases of this agency (id).
    pub agency: Option<String>,
    /// Only cases of this workflow.
    pub workflow: Option<String>,
    /// Only cases due within this many days (overdue ones included), and those whose deadline
    /// lacks its start date.
    pub due_within: Option<i64>,
    /// Only overdue cases, and those whose deadline lacks its start date.
    pub overdue: bool,
}

impl Filter {
    pub fn keeps(&self, r: &StatusRow, today: NaiveDate) -> bool {
        if (self.open || self.due_within.is_some() || self.overdue) && r.closed {
            return false;
        }
        if let Some(a) = &self.agency
            && r.agency.as_deref() != Some(a.as_str())
        {
            return false;
        }
        if let Some(w) = &self.workflow
            && &r.workflow != w
        {
            return false;
        }
        // A deadline that cannot be counted may be overdue already: it is listed as 待补充.
        if r.deadline.as_ref().is_some_and(|d| d.missing.is_some()) {
            return true;
        }
        let due = r.deadline.as_ref().and_then(|d| d.due);
        if self.overdue && due.is_none_or(|d| d >= today) {
            return false;
        }
        if let Some(n) = self.due_within
            && due.is_none_or(|d| (d - today).num_days() > n)
        {
            return false;
        }
        true
    }
}

/// The order of a listing: open before closed; a deadline whose start date is missing first
/// (it needs the clerk before it can even be counted), then by due date, cases without a
/// deadline after; ties by case id in natural order (行初15 before 行初102).
pub fn order(a: &StatusRow, b: &StatusRow) -> Ordering {
    let rank = |r: &StatusRow| match (&r.deadline, r.closed) {
        (_, true) => (3, None),
        (Some(d), _) if d.due.is_none() => (0, None),
        (Some(d), _) => (1, d.due),
        (None, _) => (2, None),
    };
    rank(a)
        .cmp(&rank(b))
        .then_with(|| natural_cmp(&a.id, &b.id))
}

/// The rows a filter keeps, in listing order.
pub fn select(rows: Vec<StatusRow>, filter: &Filter, today: NaiveDate) -> Vec<StatusRow> {
    let mut out: Vec<StatusRow> = rows
        .into_iter()
        .filter(|r| filter.keeps(r, today))
        .collect();
    out.sort_by(order);
    out
}

/// One case in the agenda.
#[derive(Debug, Clone, Serialize)]
pub struct Item {
    pub id: String,
    /// The case's 案号, when it has one.
    pub case_number: Option<String>,
    pub title: String,
    pub step_title: String,
    pub due: Option<NaiveDate>,
    /// Whether the due date is an estimate (预估).
    pub estimated: bool,
    /// “3个工作日”, “逾期2个工作日”, “今天到期”, or the missing start (“待补充：生效日期”).
    pub left: String,
}

/// The agenda of one agency (or of cases without one).
#[derive(Debug, Clone, Serialize)]
pub struct AgencyAgenda {
    pub agency: Option<String>,
    pub name: String,
    pub overdue: Vec<Item>,
    pub today: Vec<Item>,
    /// Due after today, up to the end of the horizon ([`Agenda::week_end`]).
    pub this_week: Vec<Item>,
    /// Deadlines that cannot be counted until a start date is added.
    pub missing: Vec<Item>,
}

/// How many working days after today the agenda looks ahead.
pub const HORIZON: u32 = 5;

/// What is due: per agency, overdue, due today, due within the next [`HORIZON`] working days,
/// and deadlines waiting for a start date.
#[derive(Debug, Clone, Serialize)]
pub struct Agenda {
    pub today: NaiveDate,
    /// The last day of the horizon: the [`HORIZON`]-th working day after today.
    pub week_end: NaiveDate,
    pub agencies: Vec<AgencyAgenda>,
}

/// The agenda on `today` over the (open) status rows, its horizon counted on the national
/// calendar (see [`agenda_on`]).
pub fn agenda(rows: &[StatusRow], today: NaiveDate) -> Agenda {
    agenda_on(rows, today, &WorkCalendar::default())
}

/// The agenda on `today` over the (open) status rows, its horizon counted on `calendar` (the
/// workspace's: the office's working days).
pub fn agenda_on(rows: &[StatusRow], today: NaiveDate, calendar: &WorkCalendar) -> Agenda {
    let week_end = calendar.working_days_after(today, HORIZON);
    let mut by_agency: BTreeMap<Option<String>, AgencyAgenda> = BTreeMap::new();
    let mut sorted: Vec<&StatusRow> = rows.iter().filter(|r| !r.closed).collect();
    sorted.sort_by(|a, b| order(a, b));
    for r in sorted {
        let Some(d) = &r.deadline else { continue };
        let entry = by_agency
            .entry(r.agency.clone())
            .or_insert_with(|| AgencyAgenda {
                agency: r.agency.clone(),
                name: r.agency_name.clone().unwrap_or_else(|| "未指明单位".into()),
                overdue: vec![],
                today: vec![],
                this_week: vec![],
                missing: vec![],
            });
        let item = Item {
            id: r.id.clone(),
            case_number: r.case_number.clone(),
            title: d.title.clone(),
            step_title: r.step_title.clone(),
            due: d.due,
            estimated: d.estimated,
            left: d.missing.clone().unwrap_or_else(|| d.left_text()),
        };
        match d.due {
            None => entry.missing.push(item),
            Some(due) if due < today => entry.overdue.push(item),
            Some(due) if due == today => entry.today.push(item),
            Some(due) if due <= week_end => entry.this_week.push(item),
            Some(_) => {}
        }
    }
    let agencies = by_agency
        .into_values()
        .filter(|a| {
            !(a.overdue.is_empty()
                && a.today.is_empty()
                && a.this_week.is_empty()
                && a.missing.is_empty())
        })
        .collect();
    Agenda {
        today,
        week_end,
        agencies,
    }
}

/// The open deadlines of `rows` as an iCalendar file: one event per deadline on its due day —
/// at its time and place when the deadline has them (a hearing), else all day — with a reminder
/// and the 案号 in its title, marked 预估 when the date is an estimate; a deadline whose start
/// date is missing is a task (`VTODO`) titled 待补充. Each has a UID that stays the same for the
/// same deadline of the same case, so importing a newer file updates it instead of adding it
/// again.
pub fn ics(rows: &[StatusRow], name: &str, stamp: chrono::DateTime<chrono::Utc>) -> String {
    let events: Vec<crate::ics::Event> = rows
        .iter()
        .filter(|r| !r.closed)
        .filter_map(|r| {
            let d = r.deadline.as_ref()?;
            let uid = format!("{}@yingsu", &crate::archive::sha256(d.key.as_bytes())[..24]);
            let case = r.case_number.as_deref().unwrap_or(&r.id);
            let mut description = match &r.case_number {
                Some(n) => format!(
                    "案件 {n}（{}，{}，当前步骤：{}）",
                    r.id, r.workflow_title, r.step_title
                ),
                None => format!(
                    "案件 {}（{}，当前步骤：{}）",
                    r.id, r.workflow_title, r.step_title
                ),
            };
            if let Some(a) = &r.agency_name {
                description.push_str(&format!("\n单位：{a}"));
            }
            let Some(due) = d.due else {
                let missing = d.missing.clone().unwrap_or_default();
                description.push_str(&format!(
                    "\n期限：{}，{missing}，期限无法计算；请补充后重新导出日历",
                    d.title
                ));
                return Some(crate::ics::Event {
                    uid,
                    date: None,
                    time: None,
                    summary: format!("待补充起算日期：{} {case}", d.title),
                    description,
                    location: None,
                    alarm: false,
                    categories: vec!["行政应诉期限".into()],
                });
            };
            let source = match &d.given {
                Some(label) => format!("按{label}"),
                None => format!("自{}起算", d.from_label),
            };
            let mut when = crate::facts::format_date_zh(due);
            if let Some(t) = &d.time {
                when.push_str(t);
            }
            description.push_str(&format!(
                "\n期限：{}，应于{when}前完成（{source}）",
                d.title
            ));
            if let Some(p) = &d.place {
                description.push_str(&format!("\n地点：{p}"));
            }
            if d.estimated {
                description.push_str(&format!(
                    "\n预估：{}",
                    crate::calendar::uncovered_message(&d.uncovered_years)
                ));
            }
            let mark = if d.estimated { "（预估）" } else { "" };
            Some(crate::ics::Event {
                uid,
                date: Some(due),
                time: d.time.as_deref().and_then(crate::ics::parse_time),
                summary: format!("{}{mark} {case}", d.title),
                description,
                location: d.place.clone(),
                alarm: true,
                categories: vec!["行政应诉期限".into()],
            })
        })
        .collect();
    crate::ics::write(name, &events, stamp)
}
