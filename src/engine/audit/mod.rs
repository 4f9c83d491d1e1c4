//! The archive audit: owns what `validate` checks across the cases' records — that every
//! document a history records lies where yingsu puts it (paths are derived, never trusted), that
//! each case owns its documents (a copied case file carries another case's history), that no
//! document number (发文字号) is used by two documents, and that a 案号 belongs to one case. Its
//! rooms:
//!
//! - this module: the checks across cases, and the summary of one case the case index keeps
//!   for them ([`AuditSummary`]);
//! - [`history`]: what one case's history holds on its own (values its fields cannot hold,
//!   steps recorded without their documents), which loading a case checks too;
//! - [`files`]: every issued file against its frozen record and its case ([`issued_files`]),
//!   and the number registries against the numbers issued documents hold ([`registries`]:
//!   restored from the holders when they can be);
//! - [`warnings`]: what is worth a second look though not wrong, and temporary files a crashed
//!   run left.

pub mod files;
pub mod history;
pub mod warnings;

use std::collections::BTreeMap;

use crate::archive;
use crate::case::{Case, DocRecord};
use crate::error::{Diagnostic, Error, Pos, Result};
use crate::workspace::Workspace;

use super::issue::year_folder;
use crate::view::CaseView;

pub use files::{issued_files, issued_report_files, registries};
pub use history::{history_values, missing_documents};
pub use warnings::{document_warnings, stale_temps};

use history::{at, locate};

/// Every finding about the loaded cases' records, each at its place in its case file.
pub fn audit(ws: &Workspace, views: &[CaseView<'_>]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    // number → (case file, line) of its first document
    let mut numbers: BTreeMap<String, (String, usize, String)> = BTreeMap::new();
    // 案号 → the case that has it first
    let mut case_numbers: BTreeMap<String, (String, String)> = BTreeMap::new();
    for view in views {
        if let Some(n) = case_number(view) {
            let file = ws.rel_path(&view.case.path);
            match case_numbers.get(&n) {
                Some((other, other_file)) => out.push(
                    at(
                        &file,
                        &view.case.source,
                        crate::yaml::key_pos(&view.case.source, "case_number"),
                        format!("案号{n}与案件 {other}（{other_file}）重复"),
                    )
                    .help("同一案号只能有一个案件；统计会把它算两次、与法院清单比对时会对错案件。请核对哪一个是误建或复制的"),
                ),
                None => {
                    case_numbers.insert(n, (view.case.id.clone(), file.display().to_string()));
                }
            }
        }
    }
    let registered = crate::numbers::Registered::read(&ws.archive_dir());
    for view in views {
        let case = &view.case;
        let file = ws.rel_path(&case.path);
        for finding in own_findings(ws, view) {
            match finding {
                Finding::Problem(d) => out.push(d),
                Finding::Number(d, pos, key) => {
                    if let Some(n) = &d.number
                        && let Some(why) = registered.conflict(&key, n)
                    {
                        // The case and the document's frozen record agree: the registry was
                        // changed, not the case.
                        if let Some(found) = registry_changed(ws, d, n, &why) {
                            out.push(found);
                            check_number(&mut numbers, &mut out, &file, case, d, pos);
                            continue;
                        }
                        out.push(
                            at(
                                &file,
                                &case.source,
                                pos,
                                format!("《{}》（{}）的文号 {n} 与文号登记簿不符：{why}", d.title, d.file),
                            )
                            .help("文号由 yingsu 分配并记入 archive/numbers/ 下的登记簿，不能在案件文件中修改；请从 git 历史中恢复这条记录的 number"),
                        );
                    }
                    check_number(&mut numbers, &mut out, &file, case, d, pos)
                }
            }
        }
    }
    out
}

/// When document `d`'s frozen record holds the number `n` its case records while the
/// registry disagrees (`why`): the registry was changed since, said at the registry.
fn registry_changed(ws: &Workspace, d: &DocRecord, n: &str, why: &str) -> Option<Diagnostic> {
    let json = super::issue::frozen_path(&d.file);
    let text = std::fs::read(ws.root.join(&json)).ok()?;
    let record: super::issue::Frozen = serde_json::from_slice(&text).ok()?;
    if record.number.as_deref() != Some(n) {
        return None;
    }
    let (prefix, year, _) = crate::numbers::parse(n)?;
    let registry = crate::numbers::registry_path(std::path::Path::new("archive"), &prefix, year)
        .to_string_lossy()
        .replace('\\', "/");
    Some(
        Diagnostic::new(format!(
            "文号登记簿 {registry} 与已印发的《{}》（{}）不符：{why}；案件文件和印发记录都是 {n}，登记簿被改动过",
            d.title, d.file
        ))
        .in_file(&registry)
        .help(format!(
            "从 git 历史中恢复登记簿（git checkout -- {registry}）"
        )),
    )
}

/// The 案号 a case holds as its own (normalized; none for a withdrawn case).
fn case_number(view: &CaseView<'_>) -> Option<String> {
    if view.case.is_withdrawn() {
        return None;
    }
    view.facts()
        .get("case_number")
        .and_then(|v| v.as_str())
        .and_then(crate::casenum::normalize)
}

/// What [`own_findings`] finds in one case, in the order of its history.
enum Finding<'c> {
    /// Something wrong with the case's own records.
    Problem(Diagnostic),
    /// A numbered document the case issued (checked against the other cases' numbers and the
    /// registry), with its registry key.
    Number(&'c DocRecord, Option<Pos>, String),
}

/// What one case's records say on their own: documents outside the case's place, a history
/// copied from another case, and the numbered documents it issued.
fn own_findings<'c>(ws: &Workspace, view: &'c CaseView<'_>) -> Vec<Finding<'c>> {
    let mut out = Vec::new();
    let case = &view.case;
    let file = ws.rel_path(&case.path);
    let undone = case.undone();
    let year = year_folder(&case.path);
    let mut copied_from: Option<String> = None;
    for (i, h) in case.history.iter().enumerate() {
        for d in &h.documents {
            let expected = match (&h.step, year) {
                (Some(step), Some(y)) => {
                    Some(archive::document_path(y, &case.id, i, step, &d.template))
                }
                _ => None,
            };
            let pos = locate(&case.source, &d.file);
            let owner = owner_of(&d.file);
            if let Some(other) = owner.as_deref().filter(|o| *o != case.id) {
                if copied_from.is_none() {
                    copied_from = Some(other.to_string());
                    out.push(Finding::Problem(
                        at(&file, &case.source, pos, format!(
                            "案件 {} 的办理记录属于另一个案件 {other}（文书 `{}`），这个案件文件可能是从 {other} 复制来的",
                            case.id, d.file
                        ))
                        .help(format!(
                            "复制来的办理记录会让两个案件共用文书和文号。新案件请用 `yingsu case new 流程 {} --from 事实.yaml` 建立，或删除复制来的 history 条目后重新办理",
                            case.id
                        )),
                    ));
                }
                continue;
            }
            let allowed = match &expected {
                Some(e) => d.file == *e,
                // Re-render, undo and withdrawal entries: the case's own folder (or its
                // `voided/` folder).
                None => owner.as_deref() == Some(case.id.as_str()),
            };
            if !allowed {
                let want = expected
                    .clone()
                    .unwrap_or_else(|| format!("archive/<年份>/{}/…", case.id));
                out.push(Finding::Problem(
                    at(
                        &file,
                        &case.source,
                        pos,
                        format!(
                            "第 {} 条办理记录中《{}》的文件路径 `{}` 不是 yingsu 存放它的位置 `{want}`",
                            i + 1,
                            d.title,
                            d.file
                        ),
                    )
                    .help("文书的存放位置由 yingsu 决定，案件文件中的路径不会被用来写入；请恢复原来的 file，或删除这条改动"),
                ));
            }
            // A withdrawn case's documents were voided with it.
            if h.step.is_some()
                && !undone.contains(&i)
                && !case.is_withdrawn()
                && d.number.is_some()
            {
                out.push(Finding::Number(
                    d,
                    pos,
                    super::issue::number_key(&case.id, i, &d.template).into(),
                ));
            }
        }
    }
    out.extend(
        view.missing_documents(|v| missing_documents(ws, v))
            .iter()
            .cloned()
            .map(Finding::Problem),
    );
    out
}

/// What the audit needs of one case when nothing in it is wrong on its own, kept in the case
/// index (see [`summary`]): its 案号 and the numbers of the documents it issued.
#[derive(Debug, serde::Serialize, serde::Deserialize)]
pub struct AuditSummary {
    /// Whether the case's own records have a problem (then the audit reads the case).
    pub own_problems: bool,
    pub case_number: Option<String>,
    /// (number, document file, registry key) of every numbered document it issued.
    pub numbers: Vec<(String, String, String)>,
    /// Every document it issued (of steps not undone), as its history records it.
    pub documents: Vec<IssuedDoc>,
}

/// A document a case issued, as its history records it: what its files are checked against.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct IssuedDoc {
    pub title: String,
    /// The PDF, relative to the workspace.
    pub file: String,
    /// The hash the history recorded last for the file.
    pub sha256: String,
    pub number: Option<String>,
    /// The registry key of its number.
    pub key: String,
    /// The case file, relative to the workspace.
    pub case_file: String,
}

/// The kind (and version) of [`AuditSummary`] in the case index.
pub const AUDIT_KIND: &str = "audit-5";

/// [`AuditSummary`] as the case index makes it whenever it parses a case file (see
/// [`crate::index::cases::kinds`]): what [`summary`] gives.
pub const AUDIT_SUMMARY: crate::index::cases::SummaryKind = crate::index::cases::SummaryKind {
    kind: AUDIT_KIND,
    make: |ws, v| crate::index::cases::kinds::encode(&summary(ws, v)),
};

/// The kind (and version) of [`history_glyphs`] in the case index.
pub const GLYPHS_KIND: &str = "history-glyphs-1";

/// [`history_glyphs`] as the case index makes it whenever it parses a case file (see
/// [`crate::index::cases::kinds`]).
pub const GLYPHS_SUMMARY: crate::index::cases::SummaryKind = crate::index::cases::SummaryKind {
    kind: GLYPHS_KIND,
    make: |ws, v| crate::index::cases::kinds::encode(&history_glyphs(ws, v)),
};

/// What `validate` needs of a case's history values when the case is not at hand: `None` when
/// [`history_values`] finds a problem whatever the fonts show; else every character it asks the
/// fonts about (each once). With fonts that show each of them it finds nothing: it asks the
/// same questions, gets the same answers as with fonts that show everything, and so gives the
/// same (empty) answer.
pub fn history_glyphs(ws: &Workspace, view: &CaseView<'_>) -> Option<String> {
    let asked = std::cell::RefCell::new(std::collections::BTreeSet::new());
    let shown = |c: char| {
        asked.borrow_mut().insert(c);
        true
    };
    history_values(ws, view, &shown)
        .is_empty()
        .then(|| asked.into_inner().into_iter().collect())
}

/// What the audit needs of a case (see [`AuditSummary`]).
pub fn summary(ws: &Workspace, view: &CaseView<'_>) -> AuditSummary {
    let mut own_problems = false;
    let mut numbers = Vec::new();
    for finding in own_findings(ws, view) {
        match finding {
            Finding::Problem(_) => own_problems = true,
            Finding::Number(d, _, key) => {
                if let Some(n) = &d.number {
                    numbers.push((n.clone(), d.file.clone(), key));
                }
            }
        }
    }
    AuditSummary {
        own_problems,
        case_number: case_number(view),
        numbers,
        documents: issued_docs(ws, view),
    }
}

/// The documents of a case's steps not undone, each with the hash its history recorded last
/// (a re-render entry supersedes the step's), where yingsu puts them (others are the case's
/// own problems).
pub fn issued_docs(ws: &Workspace, view: &CaseView<'_>) -> Vec<IssuedDoc> {
    let case = &view.case;
    let Some(year) = year_folder(&case.path).filter(|_| !case.is_withdrawn()) else {
        return Vec::new();
    };
    let mut latest: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for h in &case.history {
        for d in &h.documents {
            latest.insert(d.file.as_str(), d.sha256.as_str());
        }
    }
    let undone = case.undone();
    let case_file = ws.rel(&case.path);
    let mut out = Vec::new();
    for (i, h) in case.history.iter().enumerate() {
        let Some(step) = &h.step else { continue };
        if undone.contains(&i) {
            continue;
        }
        for d in &h.documents {
            if d.file != archive::document_path(year, &case.id, i, step, &d.template) {
                continue;
            }
            out.push(IssuedDoc {
                title: d.title.clone(),
                file: d.file.clone(),
                sha256: latest.get(d.file.as_str()).unwrap_or(&"").to_string(),
                number: d.number.clone(),
                key: super::issue::number_key(&case.id, i, &d.template).into(),
                case_file: case_file.clone(),
            });
        }
    }
    out
}

/// Whether the audit of the cases these summaries stand for finds nothing: no case with a
/// problem of its own, no 案号 held by two cases, no number used by two documents or other than
/// the registry gave.
pub fn all_clear<'a>(
    ws: &Workspace,
    summaries: impl IntoIterator<Item = &'a AuditSummary>,
) -> bool {
    let registered = crate::numbers::Registered::read(&ws.archive_dir());
    let mut case_numbers = std::collections::HashSet::new();
    let mut numbers: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for s in summaries {
        if s.own_problems {
            return false;
        }
        if let Some(n) = &s.case_number
            && !case_numbers.insert(n.as_str())
        {
            return false;
        }
        for (n, file, key) in &s.numbers {
            if *numbers.entry(n.as_str()).or_insert(file.as_str()) != file.as_str()
                || registered.conflict(key, n).is_some()
            {
                return false;
            }
        }
    }
    true
}

/// A number used by a second document is reported at the second one.
fn check_number(
    numbers: &mut BTreeMap<String, (String, usize, String)>,
    out: &mut Vec<Diagnostic>,
    file: &std::path::Path,
    case: &Case,
    d: &DocRecord,
    pos: Option<Pos>,
) {
    let Some(n) = &d.number else { return };
    let here = (
        file.display().to_string(),
        pos.map(|p| p.line).unwrap_or(0),
        d.file.clone(),
    );
    match numbers.get(n) {
        Some((other_file, other_line, other_doc)) if *other_doc != d.file => {
            out.push(
                at(
                    file,
                    &case.source,
                    pos,
                    format!(
                        "文号 {n} 被两份文书使用：《{}》（{}）和 {other_file}:{other_line} 中的 `{other_doc}`",
                        d.title, d.file
                    ),
                )
                .help("每个文号只能用于一份文书；请核对是哪个案件文件被复制或改动过，从 git 历史中恢复它"),
            );
        }
        Some(_) => {}
        None => {
            numbers.insert(n.clone(), here);
        }
    }
}

/// The case a document path belongs to: `archive/<year>/<case>/…`.
fn owner_of(path: &str) -> Option<String> {
    let mut parts = path.split('/');
    (parts.next()? == "archive").then_some(())?;
    parts.next()?.parse::<i32>().ok()?;
    let owner = parts.next()?;
    parts.next()?;
    Some(owner.to_string())
}

/// A 案号 belongs to one case: refused when another case (not withdrawn) has the same 案号,
/// however its brackets and spaces are written.
pub fn check_case_number_unused(ws: &Workspace, number: &str, id: &str) -> Result<()> {
    if let Some((wanted, other, path)) = case_number_holder(ws, number, id)? {
        return Err(Error::user(
            format!("案号{wanted}已用于案件 {other}（{}）", ws.rel(&path)),
            format!(
                "同一案号只建一个案件：用 `yingsu case show {other}` 查看它；二审、再审的案号不同（行终、行再），请核对"
            ),
        ));
    }
    Ok(())
}

/// The case other than `id` (not withdrawn) that has 案号 `number`, however its brackets and
/// spaces are written: the 案号 as normalized, that case's id and file.
pub fn case_number_holder(
    ws: &Workspace,
    number: &str,
    id: &str,
) -> Result<Option<(String, String, std::path::PathBuf)>> {
    let Some(wanted) = crate::casenum::normalize(number) else {
        return Ok(None);
    };
    // Each case's 案号 as the audit keeps it (normalized, none when withdrawn): from the case
    // index while the file is unchanged, so a new case does not read the whole archive.
    let (holders, _, index) = super::store::each_case(ws, |index, other, path| {
        if other == id {
            return Ok(None);
        }
        let case = crate::index::cases::CaseRef::new(index, ws, other, path);
        let summary: AuditSummary = case.summary(AUDIT_KIND, |v| summary(ws, v))?;
        Ok((summary.case_number.as_deref() == Some(wanted.as_str()))
            .then(|| (other.to_string(), path.to_path_buf())))
    })?;
    index.save();
    Ok(holders
        .into_iter()
        .flatten()
        .next()
        .map(|(other, path)| (wanted, other, path)))
}
