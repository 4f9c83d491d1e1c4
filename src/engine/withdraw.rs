//! Withdrawing a mistaken case: owns `case withdraw`. A case opened by mistake (a notice
//! recorded twice, a case of the wrong workflow) is closed by one history entry saying who
//! withdrew it, when and why; its issued documents are voided as `case undo` voids a step's
//! (numbers marked in the registry and never given again, PDFs moved to `voided/`), and the
//! cases it opened are withdrawn with it. From then on it is closed: `status` and `agenda` show
//! no deadline of it, the statistics do not count it, its 案号 is free for the right case.
//! Nothing is deleted: history stays append-only.

use serde::Serialize;

use crate::archive::Batch;
use crate::case::{DocRecord, HistoryEntry};
use crate::error::{Error, Result};
use crate::numbers::Numbering;
use crate::workspace::Workspace;

use super::view::CaseView;
use super::{Actor, store, undo};

/// What the history entry of a withdrawal says it is.
pub const EVENT: &str = "撤回";

/// What a withdrawal did.
#[derive(Debug, Clone, Serialize)]
pub struct WithdrawReport {
    pub case_id: String,
    /// The history entry recorded, counted from 1.
    pub entry: usize,
    /// The documents voided (their new place in `voided/`).
    pub voided: Vec<DocRecord>,
    /// Cases it opened, withdrawn with it.
    pub withdrawn: Vec<String>,
}

/// Withdraw case `id` for `reason`, as done by `actor` (see the module's documentation).
pub fn withdraw(ws: &Workspace, id: &str, reason: &str, actor: &Actor) -> Result<WithdrawReport> {
    crate::case::check_id(id)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::user(
            "撤回案件须说明原因",
            "用 --reason 写明原因，例如 --reason \"重复登记，与 2023-行初-123 是同一案件\"",
        ));
    }
    crate::entry::check_text("--reason（撤回原因）", reason, crate::entry::Field::TEXT)?;
    let lock = ws.lock_for_writing()?;
    let view = store::load_case(ws, id)?;
    if view.case.is_withdrawn() {
        return Err(Error::user(
            format!("案件 `{id}` 已经撤回，无需再撤回"),
            "用 `yingsu case show` 查看撤回的原因",
        ));
    }
    let mut batch = Batch::default();
    let mut numbering = Numbering::new(ws);
    let mut originals = Vec::new();
    let mut stage = |view: &CaseView<'_>, why: String| -> Result<Vec<DocRecord>> {
        let case = &view.case;
        let undone = case.undone();
        let mut voided = Vec::new();
        for (i, h) in case.history.iter().enumerate() {
            if h.step.is_some() && !undone.contains(&i) {
                voided.extend(undo::void_documents(
                    ws,
                    &case.id,
                    i,
                    &h.documents,
                    &mut batch,
                    &mut numbering,
                    &mut originals,
                )?);
            }
        }
        let mut w = HistoryEntry::event(EVENT, actor.at(), actor.who.clone());
        w.withdrawn = true;
        w.reason = Some(why);
        w.documents = voided.clone();
        let text = case.with_entry(&w).map_err(|e| e.relative_to(&ws.root))?;
        batch.stage(&case.path, text.as_bytes())?;
        Ok(voided)
    };
    let voided = stage(&view, reason.to_string())?;
    // The cases its steps opened go with it.
    let undone = view.case.undone();
    let mut withdrawn = Vec::new();
    for (i, h) in view.case.history.iter().enumerate() {
        if undone.contains(&i) {
            continue;
        }
        for o in &h.opened {
            let Ok(other) = store::load_case(ws, o) else {
                continue;
            };
            if other.case.is_withdrawn() || withdrawn.contains(o) {
                continue;
            }
            stage(&other, format!("开启本案件的案件 {id} 已撤回：{reason}"))?;
            withdrawn.push(o.clone());
        }
    }
    numbering.record()?;
    batch.commit()?;
    // The originals go once their copies in `voided/` and the records are in place.
    for p in originals {
        let _ = std::fs::remove_file(&p);
        crate::journal::wrote(&p);
    }
    let what = format!("{} 撤回案件（{reason}）", super::view_label(&view));
    let mut record =
        crate::vcs::Record::new("case withdraw", what, actor).with(crate::vcs::CASE, id);
    for o in &withdrawn {
        record = record.with(crate::vcs::CASE, o.clone());
    }
    lock.record(ws, actor, &record);
    Ok(WithdrawReport {
        case_id: id.to_string(),
        entry: view.case.history.len() + 1,
        voided,
        withdrawn,
    })
}
