//! Deadlines: owns computing the deadlines of a case's current step (on the workspace's working
//! calendar) and the status of every case that `status` lists.

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::{DaysSpec, Workflow};
use crate::workspace::Workspace;

use super::context::ExprContext;
use super::store::{self, Unreadable};

/// A deadline of the current step.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    pub title: String,
    pub due: NaiveDate,
    pub overdue: bool,
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
    pub deadline: Option<Deadline>,
    pub file: String,
}

/// The status of every readable case, and the case files that could not be read.
#[derive(Debug, Serialize)]
pub struct Status {
    pub rows: Vec<StatusRow>,
    pub unreadable: Vec<Unreadable>,
}

/// The status of every case.
pub fn status(ws: &Workspace, today: NaiveDate) -> Result<Status> {
    let (views, unreadable) = store::load_all(ws)?;
    let mut rows = Vec::new();
    for view in views {
        let id = view.case.id.clone();
        let step = view.current_step().to_string();
        let spec = view
            .wf
            .step(&step)
            .ok_or_else(|| Error::Internal("step".into()))?;
        let deadline = next_deadline(ws, view.wf, &id, &step, &view.facts(), today);
        rows.push(StatusRow {
            id: id.clone(),
            workflow: view.wf.name().to_string(),
            workflow_title: view.wf.spec.title.clone(),
            step: step.clone(),
            step_title: spec.title.clone(),
            closed: spec.is_final || view.case.is_withdrawn(),
            deadline,
            file: ws.rel(&view.case.path),
        });
    }
    Ok(Status { rows, unreadable })
}

/// The earliest deadline that applies at `step` of case `id`, given its facts.
pub fn next_deadline(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    step: &str,
    facts: &Facts,
    today: NaiveDate,
) -> Option<Deadline> {
    let spec = wf.step(step).filter(|s| !s.is_final)?;
    let ctx = ExprContext::new(ws, wf, id, step, facts, today);
    spec.deadlines
        .iter()
        .filter(|d| {
            d.when
                .as_ref()
                .map(|w| ctx.eval_bool(&w.value, facts).unwrap_or(false))
                .unwrap_or(true)
        })
        .filter_map(|d| {
            let from = facts.get(&d.from.value)?.as_str()?;
            let from = facts::parse_date(from).ok()?;
            let setting = match &d.days.value {
                DaysSpec::Fixed(s) => *s,
                DaysSpec::Setting(name) => *ws.config.deadlines.get(name)?,
            };
            let due = ws.calendar.add(from, setting);
            Some(Deadline {
                title: d.title.clone(),
                due,
                overdue: today > due,
            })
        })
        .min_by_key(|d| d.due)
}
