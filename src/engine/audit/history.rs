//! What one case's history holds on its own, judged without any other case or file: every
//! value its fields cannot hold (checked as if entered now), and steps recorded without the
//! documents their workflow issues at them. Loading a case refuses one whose values are wrong
//! (`engine::store`); `validate` reports both.

use std::collections::BTreeMap;

use crate::case::scalar;
use crate::engine::context::ExprContext;
use crate::engine::input;
use crate::error::{Diagnostic, Pos};
use crate::view::CaseView;
use crate::workspace::Workspace;

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
        let ctx = ExprContext::new(ws, view.wf, &case.id, step, &facts, day);
        let missing: Vec<String> = spec
            .documents
            .iter()
            // The condition (the dearer test) only for a document the step lacks.
            .filter(|d| !h.documents.iter().any(|x| x.template == d.template.value))
            .filter(|d| {
                d.when
                    .as_ref()
                    .is_none_or(|w| ctx.eval_bool(&w.value, &facts).unwrap_or(false))
            })
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

/// Where `file: <path>` is written in a case file.
pub(crate) fn locate(source: &str, path: &str) -> Option<Pos> {
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

/// A diagnostic at `pos` in `file` (the file alone when the position is unknown).
pub(crate) fn at(
    file: &std::path::Path,
    source: &str,
    pos: Option<Pos>,
    message: String,
) -> Diagnostic {
    let d = Diagnostic::new(message);
    match pos {
        Some(p) => d.at(file, source, p),
        None => d.in_file(file),
    }
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
                        && input::coerce_field(ws, view.wf, k, v, None)
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
            match input::coerce_spanned(ws, view.wf, k, v, file, &case.source) {
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
    let e = input::check_glyphs(view.wf, &one, covers).err()?;
    let d = e.diagnostics().first().map(|d| (*d).clone())?;
    Some((d.message, d.help.unwrap_or_default()))
}
