//! Re-rendering cases: owns `render` over the cases' documents — each made again from its frozen
//! record (same requests, same numbers), what the render and case indexes already know to be
//! settled skipped, lost or damaged files restored byte for byte, only changed files rewritten,
//! and drift reported rather than applied.

use std::collections::BTreeMap;
use std::path::Path;

use crate::archive::{self, Batch, Staged};
use crate::case::{DocRecord, HistoryEntry};
use crate::document::DocumentRenderer;
use crate::error::{Diagnostic, Error, Result};
use crate::workspace::Workspace;

use super::super::store::{self, Unreadable};
use super::super::{Actor, view::CaseView};
use super::frozen::{Drift, Frozen, document_changes, frozen_path, record_edited};
use super::reports::rerender_reports;
use super::request::{bare_request, number_key, request, step_at};
use super::run::{Known, Rendered};

/// The year folder a case file lives in (`cases/<year>/<id>.yaml`): its documents' folder too.
pub fn year_folder(path: &Path) -> Option<i32> {
    path.parent()?.file_name()?.to_str()?.parse().ok()
}

/// What `render` did: the documents made again, and (for all cases) the case files that could
/// not be read and were left as they are.
#[derive(Debug, Default)]
pub struct RenderOutcome {
    pub rendered: Vec<Rendered>,
    pub unreadable: Vec<Unreadable>,
    /// Issued documents that would change if made from today's data: left as issued.
    pub drifts: Vec<Drift>,
    /// Registry lines written back from the issued documents' records (see
    /// [`crate::numbers::restore`]), one line per registry.
    pub restored: Vec<String>,
    /// Registries that lack numbers issued documents hold and could not be restored.
    pub registries: Vec<Diagnostic>,
}

/// Re-render the documents recorded in the given cases' histories (all cases when `ids` is
/// empty: then a case file that cannot be read is reported and skipped, the others are made),
/// in parallel on `jobs` threads. Numbers are kept; files whose bytes change are
/// rewritten and a history entry records the new hashes.
///
/// Each worker takes one case at a time: it reads the case file, typesets its documents,
/// compares them with the archive and stages the changed files (and the case file with its
/// new history entry) next to their destinations. Only hashes stay in memory, whatever the
/// size of the archive. Nothing is moved into place until every document has been made: the
/// first failure stops the run and the staged files are deleted.
pub fn render_cases(
    ws: &Workspace,
    ids: &[String],
    jobs: usize,
    renderer: &dyn DocumentRenderer,
    actor: &Actor,
    reissue: bool,
) -> Result<RenderOutcome> {
    let lock = ws.lock_for_writing()?;
    let all = ids.is_empty();
    // All cases: the case index serves the unchanged ones (see `index::cases`).
    // The render index and the inputs' fingerprint are read while the cases are listed and the
    // case index opened (each a few tens of milliseconds over 10,000 cases; the file system
    // waits more than it computes).
    let (cases, (index, fingerprint)) = crate::par::beside(
        || -> Result<_> {
            if !all {
                return Ok((Vec::new(), None));
            }
            let files = store::case_files(ws)?;
            let case_index = store::case_index(ws, &files);
            Ok((files, Some(case_index)))
        },
        || {
            (
                crate::index::RenderIndex::load(ws),
                crate::index::inputs_fingerprint(ws),
            )
        },
    );
    let (files, case_index) = cases?;
    let ids: Vec<String> = if all {
        files.iter().map(|(i, _)| i.clone()).collect()
    } else {
        ids.to_vec()
    };
    let paths: BTreeMap<&str, &std::path::Path> = files
        .iter()
        .map(|(i, p)| (i.as_str(), p.as_path()))
        .collect();
    // Whether a case has anything for `render` to look at: documents in its history (or a
    // file outside a year folder, which `rerender_case` refuses). Only such a case is kept
    // parsed in the index.
    let has_work = |v: &CaseView<'_>| {
        year_folder(&v.case.path).is_none()
            || v.case.history.iter().any(|h| !h.documents.is_empty())
    };
    let load = |id: &String| -> Result<(CaseView<'_>, Option<String>)> {
        match (&case_index, paths.get(id.as_str())) {
            // A case with nothing to render is not kept parsed: next time its summary says so.
            (Some(index), Some(path)) => index.load_hashed_if(ws, id, path, &has_work),
            _ => store::case_path(ws, id)
                .and_then(|p| store::load_file(ws, id, &p))
                .map(|v| (v, None)),
        }
    };
    // What is known to give the recorded PDF is not typeset again (see `index`).
    let known = Known {
        index: &index,
        inputs: &fingerprint,
        cases: case_index.as_ref().map_or("", |i| i.fingerprint()),
        now: crate::index::now_ns(),
        registered: std::sync::OnceLock::new(),
    };
    // A case whose documents (from its summary in the case index) are all settled is
    // answered without being decoded; one without documents too.
    let settled = |id: &String| -> Option<Vec<Rendered>> {
        let current = case_index.as_ref()?.current(paths.get(id.as_str())?)?;
        let docs: Vec<Listed> = current.summary::<Option<Vec<Listed>>>(DOCS)??;
        if docs.is_empty() {
            return Some(Vec::new());
        }
        if reissue {
            return None;
        }
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            let key = known.key(ws, &d.file, current.sha256())?;
            if !known.index.is_settled(&d.file, &key) {
                return None;
            }
            out.push(Rendered {
                case_id: id.clone(),
                record: d.into_record(),
                changed: false,
                typeset: false,
            });
        }
        Some(out)
    };
    type Done = (Vec<Rendered>, Vec<Staged>, Vec<Drift>);
    let per_case: Vec<Result<std::result::Result<Done, Unreadable>>> =
        crate::par::for_each_parallel(ids.iter().collect(), jobs, |id| {
            let loaded = match settled(id) {
                Some(done) => Ok(Err(done)),
                None => load(id).map(Ok),
            };
            match loaded {
                Ok(Err(done)) => Ok(Ok((done, Vec::new(), Vec::new()))),
                Ok(Ok((view, sha))) => {
                    if let (Some(index), Some(path), Some(sha)) =
                        (&case_index, paths.get(id.as_str()), &sha)
                    {
                        index.keep(path, sha, DOCS, &listed(&view));
                    }
                    rerender_case(ws, &view, sha.as_deref(), renderer, actor, reissue, &known)
                        .map(Ok)
                }
                Err(error) if all => Ok(Err(Unreadable {
                    id: id.clone(),
                    file: store::case_path(ws, id)
                        .map(|p| ws.rel(&p))
                        .unwrap_or_else(|_| id.clone()),
                    error,
                })),
                Err(e) => Err(e),
            }
        });
    // The first failure in case order is reported (whatever the threads' timing), with a
    // count of the others; dropping the staged files deletes them.
    let failed = per_case.iter().filter(|r| r.is_err()).count();
    let mut out = RenderOutcome::default();
    let mut batch = Batch::default();
    for result in per_case {
        let (rendered, staged, drifts) = match result {
            Ok(Ok(done)) => done,
            Ok(Err(unreadable)) => {
                out.unreadable.push(unreadable);
                continue;
            }
            Err(e) if failed > 1 => {
                let mut diags: Vec<Diagnostic> = e.diagnostics().into_iter().cloned().collect();
                if diags.is_empty() {
                    return Err(e);
                }
                diags.push(
                    Diagnostic::new(format!(
                        "另有 {} 件案件的文书也未能生成，原因可能相同",
                        failed - 1
                    ))
                    .help("修正后重新运行；本次没有改动任何文件"),
                );
                return Err(Error::Many(diags));
            }
            Err(e) => return Err(e),
        };
        out.rendered.extend(rendered);
        out.drifts.extend(drifts);
        for s in staged {
            batch.push(s);
        }
    }
    // The reports (bulletins, monthly returns) are documents like the others: a lost or
    // damaged one is made again from its frozen record.
    if all {
        let (rendered, staged, drifts) = rerender_reports(ws, renderer, &known)?;
        out.rendered.extend(rendered);
        out.drifts.extend(drifts);
        for s in staged {
            batch.push(s);
        }
    }
    batch.commit()?;
    // The registries checked against the numbers the issued documents hold: their records,
    // and the documents looked at here (whose registry keys their places give).
    let mut held = crate::numbers::held_in_records(&ws.root);
    held.extend(out.rendered.iter().filter_map(|r| {
        let d = &r.record;
        let name = Path::new(&d.file).file_name()?.to_str()?;
        let entry: usize = name.split('-').next()?.parse().ok()?;
        let key = number_key(&r.case_id, entry.checked_sub(1)?, &d.template);
        crate::numbers::Held::of(d.number.as_deref()?, Some(key.into()), &d.file)
    }));
    (out.restored, out.registries) = crate::numbers::restore(&ws.root, &held);
    // Only shortcuts: a failure to write them costs time on the next run, nothing else. (A
    // case file just rewritten with a new history entry is seen as changed next time.)
    let _ = index.save();
    if let Some(i) = &case_index {
        i.save();
    }
    lock.record(ws, actor, &render_record(&out, actor));
    Ok(out)
}

/// The kind (and version) of [`listed`]'s summary in the case index.
const DOCS: &str = "render-docs-2";

/// [`listed`]'s summary as the case index makes it whenever it parses a case file (see
/// [`crate::index::cases::kinds`]).
pub const DOCS_SUMMARY: crate::index::cases::SummaryKind = crate::index::cases::SummaryKind {
    kind: DOCS,
    make: |_, v| crate::index::cases::kinds::encode(&listed(v)),
};

/// The history entries whose documents `render` looks at: steps with documents, not undone,
/// with their place in the history and their step.
fn live_steps(case: &crate::case::Case) -> impl Iterator<Item = (usize, &str, &HistoryEntry)> {
    let undone = case.undone();
    // A withdrawn case's documents were voided with it.
    let withdrawn = case.is_withdrawn();
    case.history.iter().enumerate().filter_map(move |(i, h)| {
        let step = h.step.as_deref()?;
        (!h.documents.is_empty() && !undone.contains(&i) && !withdrawn).then_some((i, step, h))
    })
}

/// A document of a case as its history records it: a [`DocRecord`] in the case index (whose
/// own serialization leaves out an absent number, which postcard could not read back).
#[derive(serde::Serialize, serde::Deserialize)]
struct Listed {
    title: String,
    template: String,
    number: Option<String>,
    file: String,
    sha256: String,
}

impl Listed {
    fn into_record(self) -> DocRecord {
        DocRecord {
            title: self.title,
            template: self.template,
            number: self.number,
            file: self.file,
            sha256: self.sha256,
        }
    }
}

/// What [`rerender_case`] looks at in a case: the documents of every step not undone, in the
/// order of the history; `None` when it must see the case itself (a case file outside a year
/// folder, a recorded document path that is not yingsu's: both are refused there).
fn listed(view: &CaseView<'_>) -> Option<Vec<Listed>> {
    let case = &view.case;
    let year = year_folder(&case.path)?;
    let mut out = Vec::new();
    for (i, step, h) in live_steps(case) {
        for d in &h.documents {
            if d.file != archive::document_path(year, &case.id, i, step, &d.template) {
                return None;
            }
            out.push(Listed {
                title: d.title.clone(),
                template: d.template.clone(),
                number: d.number.clone(),
                file: d.file.clone(),
                sha256: d.sha256.clone(),
            });
        }
    }
    Some(out)
}

/// One case of [`render_cases`]: its documents, and the files to move into place.
#[allow(clippy::too_many_arguments)]
fn rerender_case(
    ws: &Workspace,
    view: &CaseView<'_>,
    case_sha: Option<&str>,
    renderer: &dyn DocumentRenderer,
    actor: &Actor,
    reissue: bool,
    known: &Known<'_>,
) -> Result<(Vec<Rendered>, Vec<Staged>, Vec<Drift>)> {
    let case = &view.case;
    let id = case.id.as_str();
    let year = year_folder(&case.path)
        .ok_or_else(|| Error::Internal(format!("case file outside a year folder: {id}")))?;
    // The latest hash recorded for each file (re-render entries supersede step entries).
    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    for h in &case.history {
        for d in &h.documents {
            latest.insert(d.file.clone(), d.sha256.clone());
        }
    }
    let mut out = Vec::new();
    let mut staged = Vec::new();
    let mut drifts = Vec::new();
    let mut new_hashes = Vec::new();
    for (i, step, h) in live_steps(case) {
        // Built only for a document that is looked at (a settled one is not).
        let at_cell = std::cell::OnceCell::new();
        for d in &h.documents {
            let file = archive::document_path(year, id, i, step, &d.template);
            if d.file != file {
                return Err(Error::user(
                    format!(
                        "{} 第 {} 条办理记录中《{}》的文件路径 `{}` 不是 yingsu 存放它的位置 `{file}`",
                        ws.rel(&case.path),
                        i + 1,
                        d.title,
                        d.file
                    ),
                    "文书的存放位置由 yingsu 决定，不能在案件文件中修改；请恢复 history 中原来的 file，或删除这条改动",
                ));
            }
            let path = ws.root.join(&file);
            let settled = case_sha
                .filter(|_| !reissue)
                .and_then(|sha| known.key(ws, &file, sha));
            if let Some(key) = &settled
                && known.index.is_settled(&file, key)
            {
                out.push(Rendered {
                    case_id: id.to_string(),
                    record: d.clone(),
                    changed: false,
                    typeset: false,
                });
                continue;
            }
            let at = match at_cell.get() {
                Some(at) => at,
                None => {
                    let at = step_at(view, i, step, year, actor)?;
                    at_cell.get_or_init(|| at)
                }
            };
            let spec = at
                .wf
                .step(step)
                .and_then(|s| s.documents.iter().find(|x| x.template.value == d.template));
            let mut req = match spec {
                Some(s) => request(ws, at, s)?,
                None => bare_request(at, &d.template, &d.title),
            };
            req.number = d.number.clone();
            if reissue
                && let Some(n) = &d.number
                && let Some(why) = known
                    .registered
                    .get_or_init(|| crate::numbers::Registered::read(&ws.archive_dir()))
                    .conflict(&number_key(id, i, &d.template), n)
            {
                return Err(Error::user(
                    format!(
                        "{} 中《{}》的文号 {n} 与文号登记簿不符：{why}，不能按它重新印发",
                        ws.rel(&case.path),
                        d.title
                    ),
                    "文号由 yingsu 分配并记入 archive/numbers/ 下的登记簿，不能在案件文件中修改；请从 git 历史中恢复这条记录的 number",
                ));
            }
            let frozen = Frozen::read(ws, &file);
            let current = renderer.data(ws, &req)?;
            let recorded = latest.get(&d.file).unwrap_or(&d.sha256).clone();
            let on_disk = std::fs::read(&path).ok().map(|b| archive::sha256(&b));
            if let (Some(f), false) = (&frozen, reissue) {
                let intact = on_disk.as_deref() == Some(recorded.as_str());
                // A record edited since the document was issued cannot give it back: the
                // archive is left as it is and the edit reported.
                if let Some(why) = record_edited(f, d, &file) {
                    known.index.settle(&file, None);
                    drifts.push(Drift {
                        case_id: id.to_string(),
                        file: file.clone(),
                        title: d.title.clone(),
                        changed: Vec::new(),
                        lost: Some(why),
                    });
                    out.push(Rendered {
                        case_id: id.to_string(),
                        record: d.clone(),
                        changed: false,
                        typeset: false,
                    });
                    continue;
                }
                // An issued document is made again from what it received then — unless the
                // index knows these very inputs gave the PDF that is on disk, as recorded.
                let inputs = crate::index::document_inputs(known.inputs, &f.data);
                // The attached files are not among the index's inputs: checked each time.
                archive::attached::read_checked(&ws.root, &req.what(), id, &f.data)?;
                let pdf = if intact && known.index.gives(&file, &inputs, &recorded) {
                    None
                } else {
                    Some(renderer.render_data(ws, &req, &f.data)?)
                };
                let sha = pdf
                    .as_deref()
                    .map_or_else(|| recorded.clone(), archive::sha256);
                if sha == recorded {
                    known.index.record(&file, &inputs, &sha);
                }
                // Only what would change the document itself counts (see `document_changes`).
                let changed_data = document_changes(
                    ws,
                    renderer,
                    &req,
                    (&f.data, &current),
                    (&file, &sha),
                    (known.index, known.inputs),
                )?;
                if sha != recorded {
                    // Its own data gives other bytes: a template or font changed since, or the
                    // record was edited. The file in the archive is left as it is; when it is not
                    // the issued one either, nothing here can give it back.
                    // Made with the very program, templates and fonts it was issued with,
                    // the record gives other bytes than recorded: the recorded hashes are not
                    // of the document it made, so the PDF (and the hashes with it) was changed.
                    let same_inputs = f.inputs.as_deref() == Some(known.inputs);
                    let lost = (!intact || same_inputs).then(|| {
                        if intact {
                            "原件在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的文书却与原件不同（原件和记录中的哈希被一同改动过）".to_string()
                        } else if same_inputs && on_disk.as_deref() == Some(sha.as_str()) {
                            "案件文件中记录的哈希（sha256）与原件及其印发记录都不符，案件文件的这条记录可能被改动过".to_string()
                        } else if same_inputs {
                            "原件缺失或已损坏，且案件文件和印发记录中的哈希都不是按印发记录排出的文书的哈希（哈希被改动过）".to_string()
                        } else if on_disk.as_deref() == Some(sha.as_str()) && f.sha256 == sha {
                            "案件文件中记录的哈希（sha256）与原件及其印发记录都不符，案件文件的这条记录可能被改动过".to_string()
                        } else if on_disk.is_none() {
                            "原件缺失，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）".to_string()
                        } else {
                            "原件已损坏或被替换，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）".to_string()
                        }
                    });
                    drifts.push(Drift {
                        case_id: id.to_string(),
                        file: file.clone(),
                        title: d.title.clone(),
                        changed: changed_data,
                        lost,
                    });
                    out.push(Rendered {
                        case_id: id.to_string(),
                        record: d.clone(),
                        changed: false,
                        typeset: true,
                    });
                    continue;
                }
                // Lost or damaged: restored byte for byte.
                let changed = on_disk.as_deref() != Some(sha.as_str());
                // Intact and as its data says, with no figures of the whole archive (which
                // other cases change): the next run need not look again.
                let archive_wide = f.data.get("stats").is_some_and(|v| !v.is_null());
                known.index.settle(
                    &file,
                    settled.filter(|_| !changed && changed_data.is_empty() && !archive_wide),
                );
                if !changed_data.is_empty() {
                    drifts.push(Drift {
                        case_id: id.to_string(),
                        file: file.clone(),
                        title: d.title.clone(),
                        changed: changed_data,
                        lost: None,
                    });
                }
                if let (true, Some(pdf)) = (changed, &pdf) {
                    staged.push(archive::stage(&ws.output_path(&file)?, pdf)?);
                }
                out.push(Rendered {
                    case_id: id.to_string(),
                    record: d.clone(),
                    changed,
                    typeset: pdf.is_some(),
                });
                continue;
            }
            // Not frozen yet (issued before records were kept), or re-issued: today's data.
            let pdf = renderer.render_data(ws, &req, &current)?;
            let sha = archive::sha256(&pdf);
            let changed = sha != recorded || on_disk.as_deref() != Some(sha.as_str());
            if changed {
                staged.push(archive::stage(&ws.output_path(&file)?, &pdf)?);
            }
            let key = d
                .number
                .as_ref()
                .map(|_| number_key(id, i, &d.template).into());
            let now_frozen = Frozen::of(&req, current, &pdf, key, known.inputs);
            if frozen.as_ref() != Some(&now_frozen) {
                staged.push(archive::stage(
                    &ws.output_path(&frozen_path(&file))?,
                    &now_frozen.to_bytes()?,
                )?);
            }
            let record = DocRecord {
                sha256: sha.clone(),
                ..d.clone()
            };
            if sha != recorded {
                new_hashes.push(record.clone());
            }
            out.push(Rendered {
                case_id: id.to_string(),
                record,
                changed,
                typeset: true,
            });
        }
    }
    if !new_hashes.is_empty() {
        let entry = HistoryEntry {
            step: None,
            event: Some(
                if reissue {
                    "重新印发文书"
                } else {
                    "重新生成文书"
                }
                .into(),
            ),
            at: actor.at(),
            by: actor.who.clone(),
            facts: BTreeMap::new(),
            documents: new_hashes,
            opened: vec![],
            ..Default::default()
        };
        let text = case.with_entry(&entry)?;
        staged.push(archive::stage(&case.path, text.as_bytes())?);
    }
    Ok((out, staged, drifts))
}

/// The commit of a `render` that restored or re-issued documents.
fn render_record(out: &RenderOutcome, actor: &Actor) -> crate::vcs::Record {
    let changed: Vec<&Rendered> = out.rendered.iter().filter(|r| r.changed).collect();
    let labels: Vec<String> = changed.iter().map(|r| r.record.label()).collect();
    let what = if labels.is_empty() {
        "重新生成文书".to_string()
    } else {
        format!("重新生成文书 {} 份：{}", labels.len(), labels.join("、"))
    };
    let mut record = crate::vcs::Record::new("render", what, actor);
    let mut cases: Vec<&str> = changed.iter().map(|r| r.case_id.as_str()).collect();
    cases.dedup();
    for c in cases.into_iter().filter(|c| !c.is_empty()) {
        record = record.with(crate::vcs::CASE, c);
    }
    let docs: Vec<DocRecord> = changed.iter().map(|r| r.record.clone()).collect();
    record.with_documents(&docs)
}
