//! The archive audit: owns what `validate` checks across the cases' records — that every
//! document a history records lies where yingsu puts it (paths are derived, never trusted), that
//! each case owns its documents (a copied case file carries another case's history), that no
//! document number (发文字号) is used by two documents, that every issued file is what its frozen
//! record and its case say ([`issued_files`]), and that the number registries still list every
//! number an issued document holds ([`registries`]: restored from the holders when they can be).

use std::collections::BTreeMap;

use crate::archive;
use crate::case::{Case, DocRecord, scalar};
use crate::error::{Diagnostic, Pos};
use crate::workspace::Workspace;

use super::issue::year_folder;
use super::view::CaseView;

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
            if h.step.is_some() && !undone.contains(&i) && d.number.is_some() {
                out.push(Finding::Number(
                    d,
                    pos,
                    super::issue::number_key(&case.id, i, &d.template),
                ));
            }
        }
    }
    out.extend(
        missing_documents(ws, view)
            .into_iter()
            .map(Finding::Problem),
    );
    out
}

/// Steps recorded without the documents their workflow issues at them (a case file written by
/// hand or merged from two): each at the step's line, naming the documents and what to do.
/// A document whose condition (`when`) does not hold for the step's facts is not expected.
pub fn missing_documents(ws: &Workspace, view: &CaseView<'_>) -> Vec<Diagnostic> {
    let case = &view.case;
    let file = ws.rel_path(&case.path);
    let undone = case.undone();
    let last_step = case
        .history
        .iter()
        .enumerate()
        .rev()
        .find(|(i, h)| h.step.is_some() && !undone.contains(i))
        .map(|(i, _)| i);
    let mut out = Vec::new();
    for (i, h) in case.history.iter().enumerate() {
        let Some(step) = h.step.as_deref() else {
            continue;
        };
        if undone.contains(&i) {
            continue;
        }
        let Some(spec) = view.wf.step(step) else {
            continue;
        };
        if spec.documents.is_empty() {
            continue;
        }
        let facts = view.facts_at(i);
        let day = chrono::DateTime::parse_from_rfc3339(&h.at)
            .map(|t| t.date_naive())
            .unwrap_or_default();
        let ctx = super::ExprContext::new(ws, view.wf, &case.id, step, &facts, day);
        let missing: Vec<String> = spec
            .documents
            .iter()
            .filter(|d| {
                d.when
                    .as_ref()
                    .is_none_or(|w| ctx.eval_bool(&w.value, &facts).unwrap_or(false))
            })
            .filter(|d| !h.documents.iter().any(|x| x.template == d.template.value))
            .map(|d| format!("《{}》", d.title))
            .collect();
        if missing.is_empty() {
            continue;
        }
        let title = &spec.title;
        let first = !case.history[..i].iter().any(|h| h.step.is_some());
        let fix = if first && last_step == Some(i) {
            format!(
                "这个案件只有这一步：把它的事实写入一个文件（如 事实.yaml），删除案件文件 {} 后运行 `yingsu case new {} {} --from 事实.yaml` 重新建立，yingsu 会印发并编号这些文书",
                file.display(),
                view.wf.name(),
                case.id
            )
        } else if last_step == Some(i) {
            format!(
                "这一步是最近的办理步骤：运行 `yingsu case undo {id} --reason \"补发文书\"` 撤销它，再用 `yingsu case advance {id} {step}`（连同这一步的事实）重新办理，yingsu 会印发并编号这些文书",
                id = case.id
            )
        } else {
            "案件文件可能是手工编写或合并的：请从 git 历史中恢复 yingsu 写下的案件文件；确需补办时，用 `yingsu case new` 重新建立案件并逐步办理，yingsu 会印发并编号每一步的文书".to_string()
        };
        out.push(
            at(
                &file,
                &case.source,
                step_pos(&case.source, i),
                format!(
                    "第 {} 条办理记录（{title}）没有流程规定在这一步印发的{}：办理记录中没有这些文书，它们从未印发",
                    i + 1,
                    missing.join("、")
                ),
            )
            .help(fix),
        );
    }
    out
}

/// Where `step:` of history entry `i` (0-based) is written in a case file (the entry's first
/// line when it has none).
fn step_pos(source: &str, i: usize) -> Option<Pos> {
    let mut in_history = false;
    let mut indent: Option<usize> = None;
    let mut seen = 0usize;
    let mut entry_line: Option<usize> = None;
    for (n, line) in source.lines().enumerate() {
        if !in_history {
            in_history = line.trim_end() == "history:";
            continue;
        }
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let lead = line.len() - trimmed.len();
        if lead == 0 && !trimmed.starts_with('-') {
            break;
        }
        if trimmed.starts_with("- ") && indent.is_none_or(|x| x == lead) {
            indent = Some(lead);
            if entry_line.is_some() {
                break;
            }
            if seen == i {
                entry_line = Some(n);
            }
            seen += 1;
        }
        if entry_line.is_some() {
            let body = trimmed.trim_start_matches("- ");
            if body.starts_with("step:") {
                let column = line[..line.len() - body.len()].chars().count() + 1;
                return Some(Pos {
                    line: n + 1,
                    column,
                });
            }
        }
    }
    entry_line.map(|n| Pos {
        line: n + 1,
        column: 1,
    })
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
pub const AUDIT_KIND: &str = "audit-4";

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
    let Some(year) = year_folder(&case.path) else {
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
                key: super::issue::number_key(&case.id, i, &d.template),
                case_file: case_file.clone(),
            });
        }
    }
    out
}

/// The number registries checked against the numbers the issued documents hold (their frozen
/// records, and `docs` as their histories record them), lines they lack written back when the
/// holders say which document each belongs to: what was restored, and what could not be.
pub fn registries<'a>(
    ws: &Workspace,
    docs: impl IntoIterator<Item = &'a IssuedDoc>,
) -> (Vec<String>, Vec<Diagnostic>) {
    let mut held = crate::numbers::held_in_records(&ws.root);
    held.extend(docs.into_iter().filter_map(|d| {
        crate::numbers::Held::of(d.number.as_deref()?, Some(d.key.clone()), &d.file)
    }));
    crate::numbers::restore(&ws.root, &held)
}

/// The derived file remembering the issued documents found intact (see [`issued_files`]).
const ISSUED_FILE: &str = "issued.tsv";
const ISSUED_HEADER: &str = "# yingsu issued files v1: file\tkey (derived; safe to delete)";

/// Every issued document checked against its frozen record and its case: the PDF exists and
/// has the hash the history recorded, the record has that hash too, the record's number is the
/// case's, its data is as issued. Each finding says which file was changed and what to do. A
/// document whose PDF and record have the stamps they had when a run found it intact (and the
/// same recorded hash and number) is not read again (`.yingsu/index/issued.tsv`).
pub fn issued_files<'a>(
    ws: &Workspace,
    docs: impl IntoIterator<Item = &'a IssuedDoc>,
) -> Vec<Diagnostic> {
    let docs: Vec<&IssuedDoc> = docs.into_iter().collect();
    if docs.is_empty() {
        return Vec::new();
    }
    let dir = crate::index::dir(ws);
    let enabled = crate::index::enabled();
    let mut known = std::collections::HashSet::new();
    if enabled
        && let Some(bytes) = crate::derived::read_derived(&dir.join(ISSUED_FILE))
        && let Some(body) = crate::derived::unseal(&bytes)
        && let Ok(text) = std::str::from_utf8(body)
        && text.lines().next() == Some(ISSUED_HEADER)
    {
        known.extend(text.lines().skip(1).map(str::to_string));
    }
    let now = crate::derived::now_ns();
    let inputs = std::sync::OnceLock::new();
    let registered = std::sync::OnceLock::new();
    let render_index = std::sync::OnceLock::new();
    use rayon::prelude::*;
    let found: Vec<(Option<String>, Vec<Diagnostic>)> = docs
        .par_iter()
        .map(|d| {
            let key = intact_key(ws, d, now);
            if let Some(k) = &key
                && known.contains(k)
            {
                return (key, Vec::new());
            }
            let problems = check_issued(ws, d, &|| {
                (
                    inputs
                        .get_or_init(|| crate::index::inputs_fingerprint(ws))
                        .as_str(),
                    registered.get_or_init(|| crate::numbers::Registered::read(&ws.archive_dir())),
                    render_index.get_or_init(|| crate::index::RenderIndex::load(ws)),
                )
            });
            (key.filter(|_| problems.is_empty()), problems)
        })
        .collect();
    let mut out = Vec::new();
    let mut keep = Vec::new();
    for (key, problems) in found {
        keep.extend(key);
        out.extend(problems);
    }
    keep.sort();
    keep.dedup();
    let unchanged = keep.len() == known.len() && keep.iter().all(|k| known.contains(k));
    if enabled && !unchanged {
        let mut text = format!("{ISSUED_HEADER}\n");
        for k in &keep {
            text.push_str(k);
            text.push('\n');
        }
        crate::derived::write_derived(&dir, ISSUED_FILE, &crate::derived::seal(text.into_bytes()));
    }
    out
}

/// What an intact document is remembered by: its file, the stamps of its PDF and record (both
/// settled), the hash and number its history recorded. `None` when a stamp is missing or new.
fn intact_key(ws: &Workspace, d: &IssuedDoc, now: i64) -> Option<String> {
    use crate::derived::Stamp;
    let pdf = Stamp::of_path(&ws.root.join(&d.file)).filter(|s| s.settled(now))?;
    let json = Stamp::of_path(&ws.root.join(super::issue::frozen_path(&d.file)))
        .filter(|s| s.settled(now))?;
    let mut bytes = Vec::new();
    for part in [
        d.file.as_str(),
        &d.sha256,
        d.number.as_deref().unwrap_or(""),
        &d.key,
    ] {
        bytes.extend_from_slice(part.as_bytes());
        bytes.push(0);
    }
    bytes.extend_from_slice(&pdf.bytes());
    bytes.extend_from_slice(&json.bytes());
    Some(archive::sha256(&bytes))
}

/// What [`issued_files`] finds wrong with one document. `more` gives, when first needed, the
/// workspace's document inputs, the registries and the render index.
fn check_issued<'m>(
    ws: &Workspace,
    d: &IssuedDoc,
    more: &dyn Fn() -> (
        &'m str,
        &'m crate::numbers::Registered,
        &'m crate::index::RenderIndex,
    ),
) -> Vec<Diagnostic> {
    use super::issue::Frozen;
    let json = super::issue::frozen_path(&d.file);
    let what = crate::case::numbered_title(&format!("《{}》", d.title), d.number.as_deref());
    let restore_all = format!("git checkout -- {} {} {}", d.file, json, d.case_file);
    let mut out = Vec::new();
    let problem = |message: String, file: &str, help: String| {
        Diagnostic::new(message).in_file(file).help(help)
    };
    // The frozen record.
    let record: Option<Frozen> = match std::fs::symlink_metadata(ws.root.join(&json)) {
        Ok(m) if m.is_file() => {
            let parsed = std::fs::read(ws.root.join(&json))
                .ok()
                .and_then(|b| serde_json::from_slice::<Frozen>(&b).ok());
            if parsed.is_none() {
                out.push(problem(
                    format!("{what}的印发记录无法读取：它不是 yingsu 写下的印发记录，可能被改动或损坏了"),
                    &json,
                    format!("从 git 历史中恢复它（git checkout -- {json}）；`yingsu render --all` 不会用它重新生成文书"),
                ));
            }
            parsed
        }
        Ok(_) => {
            out.push(problem(
                format!("{what}的印发记录不是普通文件（是链接或文件夹）"),
                &json,
                format!("删除它，从 git 历史中恢复原来的印发记录（git checkout -- {json}）"),
            ));
            None
        }
        Err(_) => {
            out.push(problem(
                format!("{what}的印发记录缺失（案件 {} 记录了这份文书）", d.case_file),
                &json,
                format!("从 git 历史中恢复它（git checkout -- {json}）；没有印发记录，这份文书就不能按印发时的样子重新生成"),
            ));
            None
        }
    };
    // The PDF.
    let pdf_sha = match std::fs::symlink_metadata(ws.root.join(&d.file)) {
        Ok(m) if m.is_file() => match std::fs::read(ws.root.join(&d.file)) {
            Ok(bytes) => Some((archive::sha256(&bytes), bytes.len())),
            Err(_) => {
                out.push(problem(
                    format!("已印发的{what}无法读取"),
                    &d.file,
                    "检查这个文件的权限（当前用户须能读取它）后重新运行 `yingsu validate`"
                        .to_string(),
                ));
                return out;
            }
        },
        Ok(_) => {
            out.push(problem(
                format!("已印发的{what}不是普通文件（是链接或文件夹）"),
                &d.file,
                "删除它后运行 `yingsu render --all`，按印发记录恢复原件".to_string(),
            ));
            None
        }
        Err(_) => {
            out.push(problem(
                format!("已印发的{what}缺失（案件 {} 记录了它）", d.case_file),
                &d.file,
                if record.is_some() {
                    "运行 `yingsu render --all`，按它的印发记录恢复原件".to_string()
                } else {
                    format!("从 git 历史中恢复它（git checkout -- {}）", d.file)
                },
            ));
            None
        }
    };
    let Some(record) = record else {
        return out;
    };
    let recorded = d.sha256.as_str();
    match &pdf_sha {
        Some((sha, len)) if sha != recorded => {
            if record.sha256 == recorded {
                out.push(problem(
                    format!("已印发的{what}被改动或损坏：它现在的内容（{len} 字节）与印发记录和案件文件记录的哈希都不符"),
                    &d.file,
                    "运行 `yingsu render --all`，按印发记录恢复原件（恢复的文件与印发时逐字节相同）".to_string(),
                ));
            } else if record.sha256 == *sha {
                out.push(problem(
                    format!("案件文件 {} 中记录的{what}的哈希与原件及其印发记录都不符：案件文件的这条记录被改动过（或原件与印发记录被一同替换）", d.case_file),
                    &d.case_file,
                    format!("从 git 历史中恢复案件文件（必要时连同原件和印发记录：{restore_all}）"),
                ));
            } else {
                out.push(problem(
                    format!("已印发的{what}、它的印发记录和案件文件 {} 记录的哈希互不相同：原件和印发记录都被改动过", d.case_file),
                    &d.file,
                    format!("从 git 历史中恢复它们（{restore_all}）"),
                ));
            }
        }
        Some(_) if record.sha256 != recorded => out.push(problem(
            format!(
                "{what}的印发记录中的哈希与原件和案件文件 {} 记录的都不符：印发记录被改动过",
                d.case_file
            ),
            &json,
            format!("从 git 历史中恢复印发记录（git checkout -- {json}）"),
        )),
        _ => {}
    }
    if record.number != d.number {
        let (_, registered, _) = more();
        let by_registry = registered.by_key.get(&d.key);
        // The case file changed instead (its number is not the registry's): reported at the
        // case file by the audit.
        if by_registry.is_none() || by_registry == d.number.as_ref() {
            out.push(problem(
                format!(
                    "{what}的印发记录中的文号是 {}，与案件文件 {} 和文号登记簿中的 {} 不符：印发记录被改动过",
                    record.number.as_deref().unwrap_or("（无）"),
                    d.case_file,
                    d.number.as_deref().unwrap_or("（无）")
                ),
                &json,
                format!("从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成文书"),
            ));
        }
    }
    if !record.data_intact() {
        out.push(problem(
            format!("{what}的印发记录中的数据在印发后被改动过（与记录的数据哈希不符）"),
            &json,
            format!("从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成文书。确需按现在的数据重新印发时运行 `yingsu render --reissue`"),
        ));
    }
    // All three hashes agree: the render index may know that the record, made with the same
    // program, templates and fonts, gives other bytes (the PDF altered, its hashes with it).
    if out.is_empty()
        && pdf_sha.as_ref().is_some_and(|(s, _)| s == recorded)
        && !record.data.is_null()
    {
        let (inputs, _, index) = more();
        if record.inputs.as_deref() == Some(inputs)
            && let Some(gave) = index.gave(
                &d.file,
                &crate::index::document_inputs(inputs, &record.data),
            )
            && gave != recorded
        {
            out.push(problem(
                format!("已印发的{what}在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的文书却与它不同（原件、印发记录和案件文件中的哈希被一同改动过）"),
                &d.file,
                format!("从 git 历史中恢复它们（{restore_all}）"),
            ));
        }
    }
    out
}

/// Every issued report (bulletin, monthly return; see [`super::issue::issued_reports`]) checked
/// against its frozen record: the record is readable and its data as issued, the PDF exists and
/// has the record's hash. Reports have no case history: their record is all there is.
pub fn issued_report_files(ws: &Workspace) -> Vec<Diagnostic> {
    use super::issue::Frozen;
    let mut out = Vec::new();
    for r in super::issue::issued_reports(ws) {
        let read = |p: &str| match std::fs::symlink_metadata(ws.root.join(p)) {
            Ok(m) if m.is_file() => Some(std::fs::read(ws.root.join(p)).ok()),
            Ok(_) => Some(None),
            Err(_) => None,
        };
        let json = &r.record;
        let record = match read(json) {
            None => {
                out.push(
                    Diagnostic::new(format!(
                        "报表 {} 没有印发记录（{json} 缺失）",
                        r.file
                    ))
                    .in_file(json)
                    .help(format!("从 git 历史中恢复它（git checkout -- {json}）；没有印发记录，这份报表就不能按印发时的样子重新生成")),
                );
                continue;
            }
            Some(bytes) => match bytes.and_then(|b| serde_json::from_slice::<Frozen>(&b).ok()) {
                Some(f) => f,
                None => {
                    out.push(
                        Diagnostic::new(format!(
                            "报表 {} 的印发记录无法读取：它不是 yingsu 写下的印发记录（或不是普通文件），可能被改动或损坏了",
                            r.file
                        ))
                        .in_file(json)
                        .help(format!("从 git 历史中恢复它（git checkout -- {json}）；`yingsu render --all` 不会用它重新生成报表")),
                    );
                    continue;
                }
            },
        };
        let what =
            crate::case::numbered_title(&format!("《{}》", record.title), record.number.as_deref());
        if !record.data_intact() {
            out.push(
                Diagnostic::new(format!("{what}的印发记录中的数据在印发后被改动过（与记录的数据哈希不符）"))
                    .in_file(json)
                    .help(format!("从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成报表")),
            );
            continue;
        }
        match read(&r.file) {
            None => out.push(
                Diagnostic::new(format!("已印发的{what}缺失（印发记录 {json} 记录了它）"))
                    .in_file(&r.file)
                    .help("运行 `yingsu render --all`，按它的印发记录恢复原件（恢复的文件与印发时逐字节相同）"),
            ),
            Some(None) => out.push(
                Diagnostic::new(format!("已印发的{what}无法读取，或不是普通文件（是链接或文件夹）"))
                    .in_file(&r.file)
                    .help("删除它后运行 `yingsu render --all`，按印发记录恢复原件"),
            ),
            Some(Some(bytes)) if archive::sha256(&bytes) != record.sha256 => out.push(
                Diagnostic::new(format!(
                    "已印发的{what}被改动或损坏：它现在的内容（{} 字节）与印发记录中的哈希不符",
                    bytes.len()
                ))
                .in_file(&r.file)
                .help("运行 `yingsu render --all`，按印发记录恢复原件（恢复的文件与印发时逐字节相同）"),
            ),
            Some(Some(_)) => {}
        }
    }
    out
}

/// What is worth a second look in the issued documents, though not wrong in the records
/// (`validate` and the issuing commands say it; nothing fails): a number given out of date
/// order in its registry (2号 dated after 3号), and a document dated on a public holiday by the
/// workspace's calendar (the official table with `yingsu.yaml`'s local days). With `only`, just
/// what concerns those documents (PDFs relative to the workspace). Voided documents are left out.
pub fn document_warnings(ws: &Workspace, only: Option<&[String]>) -> Vec<String> {
    let records = crate::numbers::records_in_archive(&ws.root);
    let shown = |r: &crate::numbers::RecordLine| {
        let title = if r.title.is_empty() {
            r.file.clone()
        } else {
            format!("《{}》", r.title)
        };
        let number = if r.number.is_empty() {
            String::new()
        } else {
            format!("{}，", r.number)
        };
        format!("{title}（{number}{}，{}）", r.date, r.file)
    };
    let mut out = Vec::new();
    for (later, earlier) in crate::numbers::out_of_date_order(&records, only) {
        out.push(format!(
            "提示：文号没有按日期先后编排：{}的日期早于文号在前的{}。请核对两份文书的日期；日期写错的，更正案件事实后运行 `yingsu render --reissue 案件编号` 重新印发",
            shown(later),
            shown(earlier)
        ));
    }
    for r in &records {
        if r.voided() || only.is_some_and(|o| !o.contains(&r.file)) {
            continue;
        }
        let Ok(date) = chrono::NaiveDate::parse_from_str(&r.date, "%Y-%m-%d") else {
            continue;
        };
        if let Some(name) = holiday(ws, date) {
            let fix = if r.file.starts_with("archive/reports/") {
                "用生成它的 `yingsu report` 命令加上正确的 --date 和 --reissue 重新印发"
            } else {
                "更正案件事实后运行 `yingsu render --reissue 案件编号` 重新印发"
            };
            out.push(format!(
                "提示：{}的日期是{name}。请核对文书日期（落款日期一般为签发或印发之日）；日期写错的，{fix}；当天确实办公的，在 yingsu.yaml 的 calendar.workdays 中加上这一天",
                shown(r)
            ));
        }
    }
    out
}

/// The public holiday `d` falls on in the workspace's calendar: the official holiday's name, or
/// a local holiday of `yingsu.yaml`; `None` on a working day or an ordinary weekend.
fn holiday(ws: &Workspace, d: chrono::NaiveDate) -> Option<String> {
    use chrono::Datelike;
    if ws.calendar.is_workday(d) {
        return None;
    }
    match crate::calendar::official_day(d) {
        Some(crate::calendar::OfficialDay::Holiday(name)) => Some(format!("法定节假日（{name}）")),
        _ if !matches!(d.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun) => {
            Some("本地放假日（yingsu.yaml 的 calendar.holidays）".to_string())
        }
        _ => None,
    }
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

/// Where `file: <path>` is written in a case file.
fn locate(source: &str, path: &str) -> Option<Pos> {
    let written = scalar(path);
    for (n, line) in source.lines().enumerate() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("file:") {
            let v = rest.trim();
            if v == written || v.trim_matches(['"', '\'']) == path {
                let column = line.chars().count() - rest.trim_start().chars().count() + 1;
                return Some(Pos {
                    line: n + 1,
                    column,
                });
            }
        }
    }
    None
}

fn at(file: &std::path::Path, source: &str, pos: Option<Pos>, message: String) -> Diagnostic {
    let d = Diagnostic::new(message);
    match pos {
        Some(p) => d.at(file, source, p),
        None => d.in_file(file),
    }
}

/// Temporary files a crashed run left in the archive or the case folders (a writing command
/// removes them; `validate` only reports them). None when the last writing command ended
/// cleanly: it started by removing what an earlier one left (see
/// [`Workspace::lock_for_writing`]), so the folders are not walked.
pub fn stale_temps(ws: &Workspace) -> Vec<Diagnostic> {
    if ws.last_write_ended_cleanly() {
        return Vec::new();
    }
    ws.record_dirs()
        .iter()
        .flat_map(|d| archive::find_stale_temps(d))
        .map(|p| {
            Diagnostic::new("上次运行中断时留下的临时文件（不是文书，也不是案件记录）")
                .in_file(ws.rel_path(&p))
                .help("下次运行修改记录的命令（render、case advance 等）时会自动删除；也可以直接删除它")
        })
        .collect()
}

/// The history as written, with positions, for checking what a hand edit put there.
#[derive(serde::Deserialize)]
struct WrittenCase {
    #[serde(default)]
    history: Vec<WrittenEntry>,
}

#[derive(serde::Deserialize)]
struct WrittenEntry {
    #[serde(default)]
    at: Option<crate::yaml::Spanned<serde_json::Value>>,
    #[serde(default)]
    facts: BTreeMap<String, crate::yaml::Spanned<serde_json::Value>>,
}

/// Every value in a case's history checked as if it were entered now: each fact of its
/// declared type (a date that is not a date would silently drop a deadline), each `at` a time;
/// and every text, in the history and in the clerk's corrections, shown by the documents' fonts
/// (`covers`).
pub fn history_values(
    ws: &Workspace,
    view: &CaseView<'_>,
    covers: &dyn Fn(char) -> bool,
) -> Vec<Diagnostic> {
    let case = &view.case;
    let file = ws.rel_path(&case.path);
    let mut out = Vec::new();
    // The history as parsed has no positions; the file is parsed again with them only when a
    // value of it is wrong, to point at it.
    if !history_clean(ws, view, covers) {
        out = history_problems(ws, view, covers, &file);
    }
    for (k, v) in &case.typed {
        if let Some(value) = view.typed.get(k)
            && let Some((m, h)) = glyph_problem(view, k, value, covers)
        {
            out.push(crate::yaml::at(&file, &case.source, v, m).help(h));
        }
    }
    out
}

/// Whether every value of the case's history, as parsed, passes the checks of
/// [`history_problems`]: when it does, they would find nothing. A value whose coercion reads its
/// source text (a number given for a text or an option) is not judged here.
fn history_clean(ws: &Workspace, view: &CaseView<'_>, covers: &dyn Fn(char) -> bool) -> bool {
    view.case.history.iter().all(|e| {
        chrono::DateTime::parse_from_rfc3339(&e.at).is_ok()
            && e.facts.iter().all(|(k, v)| {
                // A value whose spelling counts is left to the positioned parse.
                let spelling_counts = view
                    .wf
                    .field(k)
                    .is_some_and(|spec| crate::facts::reads_raw(spec.ty, v));
                v.is_null()
                    || (!spelling_counts
                        && super::input::coerce_field(ws, view.wf, k, v, None)
                            .is_ok_and(|value| glyph_problem(view, k, &value, covers).is_none()))
            })
    })
}

/// Every problem of the history's values, each at its place in the file.
fn history_problems(
    ws: &Workspace,
    view: &CaseView<'_>,
    covers: &dyn Fn(char) -> bool,
    file: &std::path::Path,
) -> Vec<Diagnostic> {
    let case = &view.case;
    let Ok(written) = crate::yaml::parse::<WrittenCase>(file, &case.source) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, e) in written.history.iter().enumerate() {
        if let Some(at_value) = &e.at {
            let ok = at_value
                .value
                .as_str()
                .is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok());
            if !ok {
                out.push(
                    crate::yaml::at(
                        file,
                        &case.source,
                        at_value,
                        format!(
                            "第 {} 条办理记录的时间 `{}` 不是有效的时间",
                            i + 1,
                            crate::case::value(&at_value.value)
                        ),
                    )
                    .help("办理记录由 yingsu 写入，时间形如 \"2023-05-08T09:00:00+08:00\"；请从 git 历史中恢复这一行"),
                );
            }
        }
        for (k, v) in &e.facts {
            if v.value.is_null() {
                continue;
            }
            match super::input::coerce_spanned(ws, view.wf, k, v, file, &case.source) {
                Err(d) => {
                    let mut d = *d;
                    d.message = format!("第 {} 条办理记录中{}", i + 1, d.message);
                    out.push(d);
                }
                Ok(value) => {
                    if let Some((m, h)) = glyph_problem(view, k, &value, covers) {
                        let m = format!("第 {} 条办理记录中{m}", i + 1);
                        out.push(crate::yaml::at(file, &case.source, v, m).help(h));
                    }
                }
            }
        }
    }
    out
}

/// A character of `value` the documents cannot show, as (message, help).
fn glyph_problem(
    view: &CaseView<'_>,
    key: &str,
    value: &serde_json::Value,
    covers: &dyn Fn(char) -> bool,
) -> Option<(String, String)> {
    let mut one = crate::facts::Facts::new();
    one.insert(key.to_string(), value.clone());
    let e = super::input::check_glyphs(view.wf, &one, covers).err()?;
    let d = e.diagnostics().first().map(|d| (*d).clone())?;
    Some((d.message, d.help.unwrap_or_default()))
}
