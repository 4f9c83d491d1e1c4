//! The daily overview: owns choosing and ordering the cases a clerk must act on — `status`'s
//! filters (open cases, an agency, a workflow, due within N days, overdue), its order (deadlines
//! whose start date is missing first, then by due date, then case ids in natural order) — and the
//! agenda: what is overdue, due today and due this week, grouped by agency.

use std::cmp::Ordering;
use std::collections::BTreeMap;

use chrono::{Datelike, NaiveDate};
use serde::Serialize;

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
    /// Only cases due within this many days (overdue ones included).
    pub due_within: Option<i64>,
    /// Only overdue cases.
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
    pub title: String,
    pub step_title: String,
    pub due: Option<NaiveDate>,
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
    pub this_week: Vec<Item>,
    /// Deadlines that cannot be counted until a start date is added.
    pub missing: Vec<Item>,
}

/// What is due: per agency, overdue, due today, due the rest of this week (to Sunday), and
/// deadlines waiting for a start date.
#[derive(Debug, Clone, Serialize)]
pub struct Agenda {
    pub today: NaiveDate,
    pub week_end: NaiveDate,
    pub agencies: Vec<AgencyAgenda>,
}

/// The agenda on `today` over the (open) status rows.
pub fn agenda(rows: &[StatusRow], today: NaiveDate) -> Agenda {
    let week_end = today + chrono::Days::new(6 - today.weekday().num_days_from_monday() as u64);
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
            title: d.title.clone(),
            step_title: r.step_title.clone(),
            due: d.due,
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

/// The open deadlines of `rows` (those with a due date) as an iCalendar file: one all-day event
/// per deadline on its due day, with a UID that stays the same for the same deadline of the same
/// case, so importing a newer file updates the events instead of adding them again.
pub fn ics(rows: &[StatusRow], name: &str, stamp: chrono::DateTime<chrono::Utc>) -> String {
    let events: Vec<crate::ics::Event> = rows
        .iter()
        .filter(|r| !r.closed)
        .filter_map(|r| {
            let d = r.deadline.as_ref()?;
            let due = d.due?;
            let uid = format!("{}@yingsu", &crate::archive::sha256(d.key.as_bytes())[..24]);
            let mut description = format!(
                "案件 {}（{}，当前步骤：{}）",
                r.id, r.workflow_title, r.step_title
            );
            if let Some(a) = &r.agency_name {
                description.push_str(&format!("\n单位：{a}"));
            }
            description.push_str(&format!(
                "\n期限：{}，应于{}前完成（自{}起算）",
                d.title,
                crate::facts::format_date_zh(due),
                d.from_label
            ));
            Some(crate::ics::Event {
                uid,
                date: due,
                summary: format!("{} {}", d.title, r.id),
                description,
                categories: vec!["行政应诉期限".into()],
            })
        })
        .collect();
    crate::ics::write(name, &events, stamp)
}
