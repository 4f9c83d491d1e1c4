//! Taking back a step: owns `case undo`. History stays append-only: an undo entry records which
//! entry it takes back, by whom, when and why; the step's documents are voided (their numbers
//! marked in the registry and never given again, their PDFs moved to the case's `voided/`
//! folder) and a case that step opened is withdrawn. From then on the step counts as never
//! taken (see [`super::view`]).

use std::path::Path;

use crate::archive::Batch;
use crate::case::{DocRecord, HistoryEntry};
use crate::error::{Error, Result};
use crate::numbers::Numbering;
use crate::workspace::Workspace;

use super::issue::{frozen_path, number_key};
use super::{Actor, store};

/// What an undo did.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UndoReport {
    pub case_id: String,
    /// The step taken back and its entry number (1-based).
    pub step: String,
    pub step_title: String,
    pub entry: usize,
    /// The documents voided (their new place in `voided/`).
    pub voided: Vec<DocRecord>,
    /// Cases withdrawn with it.
    pub withdrawn: Vec<String>,
    /// The step the case is at now.
    pub now_at: String,
}

/// Take back the last step of case `id`, for `reason`.
pub fn undo(ws: &Workspace, id: &str, reason: &str, actor: &Actor) -> Result<UndoReport> {
    undo_seen(ws, id, reason, actor, None)
}

/// [`undo`], refused when the case no longer has the `seen` history entries the clerk was shown
/// (another step was recorded since the page was drawn): checked under the lock, so the step
/// taken back is the one the clerk saw.
pub fn undo_seen(
    ws: &Workspace,
    id: &str,
    reason: &str,
    actor: &Actor,
    seen: Option<usize>,
) -> Result<UndoReport> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(Error::user(
            "撤销办理步骤须说明原因",
            "用 --reason 写明原因，例如 --reason \"开庭记录重复录入\"",
        ));
    }
    crate::entry::check_text("--reason（撤销原因）", reason, crate::entry::Field::TEXT)?;
    let lock = ws.lock_for_writing()?;
    let view = store::load_case(ws, id)?;
    let case = &view.case;
    if let Some(seen) = seen.filter(|n| *n != case.history.len()) {
        return Err(Error::user(
            format!(
                "案件 `{id}` 在打开之后又有了新的办理记录（打开时 {seen} 条，现有 {} 条），本次没有撤销",
                case.history.len()
            ),
            "请重新打开案件页面，核对最近一条办理记录后再撤销",
        ));
    }
    if case.is_withdrawn() {
        return Err(Error::user(
            format!("案件 `{id}` 已撤回，不能再撤销步骤"),
            "用 `yingsu case show` 查看它的办理记录",
        ));
    }
    let undone = case.undone();
    let steps: Vec<usize> = (0..case.history.len())
        .filter(|i| case.history[*i].step.is_some() && !undone.contains(i))
        .collect();
    let Some(&last) = steps.last() else {
        return Err(Error::Internal(format!("case {id} has no step")));
    };
    let entry = &case.history[last];
    let step = entry.step.clone().unwrap_or_default();
    let title = view
        .wf
        .step(&step)
        .map(|s| s.title.clone())
        .unwrap_or_else(|| step.clone());
    if steps.len() == 1 {
        return Err(Error::user(
            format!("案件 `{id}` 只有一条办理记录（“{title}”），撤销后案件就不存在了，不能撤销"),
            "如果整个案件是误建的，请告知管理员从 git 中删除该案件文件；如只是事实有误，直接修改案件文件中的 facts 后运行 `yingsu render`",
        ));
    }
    let mut batch = Batch::default();
    let mut numbering = Numbering::new(ws);
    let mut originals = Vec::new();
    let voided = void_documents(
        ws,
        id,
        last,
        &entry.documents,
        &mut batch,
        &mut numbering,
        &mut originals,
    )?;

    // Cases this step opened are withdrawn, their documents voided too.
    let mut withdrawn = Vec::new();
    for o in &entry.opened {
        let Ok(other) = store::load_case(ws, o) else {
            continue;
        };
        if other.case.is_withdrawn() {
            continue;
        }
        let mut docs = Vec::new();
        for (i, h) in other.case.history.iter().enumerate() {
            if h.step.is_some() && !other.case.undone().contains(&i) {
                docs.extend(void_documents(
                    ws,
                    o,
                    i,
                    &h.documents,
                    &mut batch,
                    &mut numbering,
                    &mut originals,
                )?);
            }
        }
        let mut w = HistoryEntry::event("撤回", actor.at(), actor.who.clone());
        w.withdrawn = true;
        w.reason = Some(format!(
            "开启本案件的案件 {id} 第 {} 条办理记录（{title}）已撤销：{reason}",
            last + 1
        ));
        w.documents = docs;
        let text = other.case.with_entry(&w)?;
        batch.stage(&other.case.path, text.as_bytes())?;
        withdrawn.push(o.clone());
    }

    let mut u = HistoryEntry::event("撤销办理记录", actor.at(), actor.who.clone());
    u.undoes = Some(last + 1);
    u.reason = Some(reason.to_string());
    u.documents = voided.clone();
    let text = case.with_entry(&u)?;
    batch.stage(&case.path, text.as_bytes())?;
    numbering.record()?;
    batch.commit()?;
    // The originals go once their copies in `voided/` and the records are in place; a crash
    // before this leaves a stale copy that nothing reads any more.
    for p in originals {
        let _ = std::fs::remove_file(&p);
        crate::journal::wrote(&p);
    }

    let now_at = steps[steps.len() - 2];
    let now_step = case.history[now_at].step.clone().unwrap_or_default();
    let what = format!(
        "{} 撤销步骤：{}（{reason}）",
        super::view_label(&view),
        title
    );
    let record = crate::vcs::Record::new("case undo", what, actor)
        .with(crate::vcs::CASE, id)
        .with(crate::vcs::STEP, step.clone());
    lock.record(ws, actor, &record);
    Ok(UndoReport {
        case_id: id.to_string(),
        step,
        step_title: title,
        entry: last + 1,
        voided,
        withdrawn,
        now_at: now_step,
    })
}

/// Void the documents of entry `index` of case `id`: their numbers marked in the registry,
/// their PDFs staged in the case's `voided/` folder (the originals listed for removal).
pub(super) fn void_documents(
    ws: &Workspace,
    id: &str,
    index: usize,
    documents: &[DocRecord],
    batch: &mut Batch,
    numbering: &mut Numbering,
    originals: &mut Vec<std::path::PathBuf>,
) -> Result<Vec<DocRecord>> {
    let mut out = Vec::new();
    for d in documents {
        if let Some(n) = &d.number {
            numbering.void(n, &number_key(id, index, &d.template))?;
        }
        let from = ws.root.join(&d.file);
        let name = Path::new(&d.file)
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let dir = Path::new(&d.file).parent().unwrap_or(Path::new(""));
        let to = dir.join("voided").join(&name);
        let record = DocRecord {
            file: to.to_string_lossy().replace('\\', "/"),
            ..d.clone()
        };
        // The PDF and its frozen record go together.
        let pairs = [
            (from.clone(), ws.output_path(&record.file)?),
            (
                ws.root.join(frozen_path(&d.file)),
                ws.output_path(&frozen_path(&record.file))?,
            ),
        ];
        for (src, dest) in pairs {
            match std::fs::read(&src) {
                Ok(bytes) => {
                    batch.stage(&dest, &bytes)?;
                    originals.push(src);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(Error::io("读取", &src, e)),
            }
        }
        out.push(record);
    }
    Ok(out)
}
