//! One case as a clerk reads it: owns the case's sheet — its workflow and current step by their
//! titles, its next deadline, its facts with their labels in the workflow's order, its history
//! entry by entry (who, when, what, the documents issued, the cases opened), the other instances
//! of its lawsuit (一审案件, 二审案件), and the steps it
//! may take next. `case show` prints it; a case page shows the same data.

use chrono::NaiveDate;
use serde::Serialize;
use serde_json::Value;

use crate::case::DocRecord;
use crate::error::{Error, Result};
use crate::workspace::Workspace;

use super::deadline::{Deadline, next_deadline};
use super::store;

/// A fact of the case with its label.
#[derive(Debug, Clone, Serialize)]
pub struct LabeledFact {
    pub field: String,
    pub label: String,
    pub value: Value,
    /// The value as a clerk reads it: an agency, court or issuer by its name (the id in
    /// `value`), everything else as `case show` writes it.
    pub text: String,
}

/// One entry of the case's history as read.
#[derive(Debug, Clone, Serialize)]
pub struct SheetEntry {
    /// Counted from 1, as `case undo` names entries.
    pub number: usize,
    pub at: String,
    pub by: String,
    /// The step's title, or the event (重新生成文书, 撤销…), with what was taken back and why.
    pub what: String,
    pub undone: bool,
    pub documents: Vec<DocRecord>,
    pub opened: Vec<String>,
    /// Attachments this entry placed (`case attach`).
    pub attachments: Vec<crate::case::AttachmentRecord>,
}

/// A step the case may go to next.
#[derive(Debug, Clone, Serialize)]
pub struct NextStep {
    pub step: String,
    pub title: String,
}

/// Another instance of the same lawsuit (the case's `first_instance` or `second_instance`).
#[derive(Debug, Clone, Serialize)]
pub struct CaseLink {
    /// The linking field's label (一审案件, 二审案件).
    pub label: String,
    /// The other case's id.
    pub id: String,
    /// Whether that case is in the workspace (a link to a missing case is shown, not linked).
    pub exists: bool,
}

/// One case as a clerk reads it (see the module's documentation).
#[derive(Debug, Clone, Serialize)]
pub struct CaseSheet {
    pub id: String,
    pub workflow: String,
    pub workflow_title: String,
    /// The case file, relative to the workspace.
    pub file: String,
    pub step: String,
    pub step_title: String,
    pub withdrawn: bool,
    pub deadline: Option<Deadline>,
    pub facts: Vec<LabeledFact>,
    /// The other instances of the lawsuit: first instance, then second.
    pub links: Vec<CaseLink>,
    pub history: Vec<SheetEntry>,
    /// Empty when the case has ended or was withdrawn.
    pub next: Vec<NextStep>,
    /// The case's attachments in order (those taken back left out), numbered from 1 as the
    /// documents that carry them number them.
    pub attachments: Vec<crate::case::AttachmentRecord>,
}

/// The sheet of case `id` as of `today` (for its deadline).
pub fn case_sheet(ws: &Workspace, id: &str, today: NaiveDate) -> Result<CaseSheet> {
    let view = store::load_case(ws, id)?;
    let (case, wf) = (&view.case, view.wf);
    let step = case.current_step();
    let spec = wf
        .step(step)
        .ok_or_else(|| Error::Internal("step".into()))?;
    let facts = view.facts();
    let labeled = wf
        .spec
        .fields
        .0
        .iter()
        .filter_map(|(k, f)| {
            facts.get(&k.value).map(|v| LabeledFact {
                field: k.value.clone(),
                label: f.label.clone(),
                value: v.clone(),
                text: named(ws, f.of.as_ref().map(|o| o.value.as_str()), v),
            })
        })
        .collect();
    let links = [
        crate::workflow::FIRST_INSTANCE,
        crate::workflow::SECOND_INSTANCE,
    ]
    .into_iter()
    .filter_map(|k| {
        let other = facts.get(k)?.as_str()?.trim();
        (!other.is_empty()).then(|| CaseLink {
            label: wf
                .field(k)
                .map(|f| f.label.clone())
                .unwrap_or_else(|| k.to_string()),
            id: other.to_string(),
            exists: crate::case::check_id(other).is_ok() && store::case_path(ws, other).is_ok(),
        })
    })
    .collect();
    let undone = case.undone();
    let history = case
        .history
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let mut what = match (&h.step, &h.event) {
                (Some(s), _) => wf
                    .step(s)
                    .map(|x| x.title.clone())
                    .unwrap_or_else(|| s.clone()),
                (None, Some(e)) => e.clone(),
                _ => String::new(),
            };
            if undone.contains(&i) {
                what.push_str("（已撤销）");
            }
            if let Some(n) = h.undoes {
                what.push_str(&format!("：撤销第 {n} 条"));
            }
            if let Some(r) = &h.reason {
                what.push_str(&format!("，原因：{r}"));
            }
            SheetEntry {
                number: i + 1,
                at: h.at.clone(),
                by: h.by.clone(),
                what,
                undone: undone.contains(&i),
                documents: h.documents.clone(),
                opened: h.opened.clone(),
                attachments: h.attachments.clone(),
            }
        })
        .collect();
    let next = if spec.is_final || case.is_withdrawn() {
        Vec::new()
    } else {
        spec.next
            .iter()
            .map(|n| NextStep {
                step: n.to.value.clone(),
                title: wf
                    .step(&n.to.value)
                    .map(|s| s.title.clone())
                    .unwrap_or_default(),
            })
            .collect()
    };
    Ok(CaseSheet {
        id: id.to_string(),
        workflow: wf.name().to_string(),
        workflow_title: wf.spec.title.clone(),
        file: ws.rel(&case.path),
        step: step.to_string(),
        step_title: spec.title.clone(),
        withdrawn: case.is_withdrawn(),
        deadline: next_deadline(ws, wf, id, step, &facts, today),
        facts: labeled,
        links,
        history,
        next,
        attachments: crate::case::attachments_of(&case.history)
            .into_iter()
            .cloned()
            .collect(),
    })
}

/// A value as a clerk reads it: an entry of `yingsu.yaml` (`of: agencies`, `courts`,
/// `issuers`) by that entry's name, yes and no as 是 and 否, a list's items one after another
/// separated by ；, anything else as `case show` writes it.
pub(crate) fn named(ws: &Workspace, of: Option<&str>, v: &Value) -> String {
    let name = v.as_str().and_then(|id| {
        ws.config
            .entries(of?)
            .into_iter()
            .find(|(k, _)| *k == id)
            .map(|(_, name)| name.to_string())
    });
    match (name, v) {
        (Some(n), _) => n,
        (None, Value::Bool(b)) => if *b { "是" } else { "否" }.to_string(),
        (None, Value::Array(items)) => items
            .iter()
            .map(|i| named(ws, of, i))
            .collect::<Vec<_>>()
            .join("；"),
        (None, Value::String(s)) => s.clone(),
        (None, other) => crate::case::value(other),
    }
}
