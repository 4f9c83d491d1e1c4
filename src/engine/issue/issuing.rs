//! Issuing documents: owns making and staging the documents of a step being taken (numbers
//! reserved, PDFs and their frozen records staged with the case file), and issuing a document
//! whose data its maker prepared (a report of the statistics), written at once under the lock.

use chrono::Datelike;

use crate::archive::{self, Batch};
use crate::case::DocRecord;
use crate::document::{DocRequest, DocumentRenderer};
use crate::error::{Error, Result};
use crate::numbers::Numbering;
use crate::workspace::Workspace;

use super::frozen::{Frozen, Replaced, frozen_path};
use super::request::{StepAt, StepDocument, prefix_of, step_documents};

/// Render the documents of the step at `at` whose conditions hold, number them, and stage the
/// files in `batch`: the step being taken, or the start step of a case it opens.
pub fn issue_step_documents(
    ws: &Workspace,
    at: &StepAt<'_>,
    numbering: &mut Numbering,
    batch: &mut Batch,
    renderer: &dyn DocumentRenderer,
) -> Result<Vec<DocRecord>> {
    let mut records = Vec::new();
    // What the documents are made from besides their data, kept in their frozen records.
    let inputs = std::cell::OnceCell::new();
    for StepDocument {
        spec: d,
        request: mut req,
        numbered,
    } in step_documents(ws, at)?
    {
        if let (true, Some(i)) = (numbered, &req.issuer) {
            let key = at.number_key(&d.template.value);
            let prefix = prefix_of(ws, &req, i)?;
            req.number = Some(numbering.number(&prefix, req.date.year(), &key)?);
        }
        let data = renderer.data(ws, &req)?;
        let pdf = renderer.render_data(ws, &req, &data)?;
        let file =
            archive::document_path(at.year, at.id, at.entry_index, at.step, &d.template.value);
        batch.stage(&ws.output_path(&file)?, &pdf)?;
        let key = req.number.as_deref().and_then(|n| numbering.key_of(n));
        let inputs = inputs.get_or_init(|| crate::index::inputs_fingerprint(ws));
        batch.stage(
            &ws.output_path(&frozen_path(&file))?,
            &Frozen::of(&req, data, &pdf, key, inputs).to_bytes()?,
        )?;
        records.push(DocRecord {
            title: d.title.clone(),
            template: d.template.value.clone(),
            number: req.number,
            file,
            sha256: archive::sha256(&pdf),
        });
    }
    Ok(records)
}

/// What [`issue_prepared`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportIssue {
    /// Written for the first time (or restored byte for byte where it was lost).
    Issued,
    /// Already issued exactly so: nothing written.
    Unchanged,
    /// Issued again at the caller's explicit request, replacing the document issued on `date`
    /// (kept in the new record's `replaced`).
    Reissued { date: String },
}

/// Issue a document whose data its maker prepared (a report of the statistics): render it,
/// then write it at `file` (relative to the workspace) together with the numbers reserved in
/// `numbering`, atomically, holding the workspace's write lock.
///
/// A document already issued at `file` is a record: when today's data give the same bytes,
/// nothing is written; when they give other bytes (other figures, another date), it is
/// replaced only when `reissue` says so, and the new record keeps the hash and date of the
/// one it replaced. Otherwise the call fails and changes nothing.
pub fn issue_prepared(
    ws: &Workspace,
    req: &DocRequest,
    file: &str,
    mut numbering: Numbering,
    renderer: &dyn DocumentRenderer,
    reissue: bool,
) -> Result<ReportIssue> {
    let lock = ws.lock_for_writing()?;
    let data = renderer.data(ws, req)?;
    let pdf = renderer.render_data(ws, req, &data)?;
    let sha = archive::sha256(&pdf);
    let path = ws.output_path(file)?;
    let record_path = ws.output_path(&frozen_path(file))?;
    let on_disk = std::fs::read(&path).ok().map(|b| archive::sha256(&b));
    let before: Option<Frozen> = std::fs::read_to_string(&record_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let key = req.number.as_deref().and_then(|n| numbering.key_of(n));
    let mut record = Frozen::of(req, data, &pdf, key, &crate::index::inputs_fingerprint(ws));
    let mut outcome = ReportIssue::Issued;
    if let Some(before) = &before {
        if before.sha256 == sha {
            if on_disk.as_deref() == Some(sha.as_str()) {
                numbering.record()?;
                return Ok(ReportIssue::Unchanged);
            }
            // Lost or damaged: made again byte for byte, with the record it had.
            record = before.clone();
        } else if !reissue && on_disk.is_none() {
            return Err(Error::user(
                format!(
                    "{}已于 {} 印发，原件（{file}）缺失；按现在的数据（和日期）生成的文书与印发的不同，未作任何改动",
                    crate::case::numbered_title(
                        &format!("《{}》", before.title),
                        before.number.as_deref()
                    ),
                    before.date
                ),
                "运行 `yingsu render --all`：它按印发记录逐字节恢复原件，不需要知道原来的日期；确需按现在的数据重新印发时，在命令后加上 --reissue",
            ));
        } else if !reissue {
            return Err(Error::user(
                format!(
                    "{}已于 {} 印发（{file}），按现在的数据重新生成会改变这份已印发的文书，未作任何改动",
                    crate::case::numbered_title(
                        &format!("《{}》", before.title),
                        before.number.as_deref()
                    ),
                    before.date
                ),
                "已印发的文书不会被悄悄改动：要再看它，直接打开上面的文件；确需按现在的数据（和日期）重新印发时，在命令后加上 --reissue（文号不变，被替换的原件的哈希和日期记入新的印发记录）",
            ));
        } else {
            record.replaced = before.replaced.clone();
            record.replaced.push(Replaced {
                sha256: before.sha256.clone(),
                date: before.date.clone(),
            });
            outcome = ReportIssue::Reissued {
                date: before.date.clone(),
            };
        }
    } else if on_disk.is_some() && on_disk.as_deref() != Some(sha.as_str()) && !reissue {
        return Err(Error::user(
            format!("{file} 已存在，且与现在生成的文书不同，未作任何改动"),
            "该文件没有印发记录（同名的 .json），可能是手工放入的；确需用现在生成的文书替换它时，在命令后加上 --reissue",
        ));
    }
    let mut batch = Batch::default();
    batch.stage(&path, &pdf)?;
    batch.stage(&record_path, &record.to_bytes()?)?;
    numbering.record()?;
    batch.commit()?;
    if let Ok(actor) = super::super::Actor::from_settings(ws.settings()) {
        let title = crate::case::numbered_title(&format!("《{}》", record.title), None);
        let what = match (&outcome, &record.number) {
            (ReportIssue::Reissued { .. }, Some(n)) => format!("重新印发{title} {n}"),
            (ReportIssue::Reissued { .. }, None) => format!("重新印发{title}"),
            (_, Some(n)) => format!("印发{title} {n}"),
            (_, None) => format!("印发{title}"),
        };
        let doc = record
            .number
            .clone()
            .unwrap_or_else(|| record.title.clone());
        let commit = crate::vcs::Record::new("report", what, &actor)
            .with(crate::vcs::DOCUMENT, doc)
            .with(crate::vcs::FILE, file);
        lock.record(ws, &actor, &commit);
    }
    Ok(outcome)
}
