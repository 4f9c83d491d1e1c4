//! Facts learned after the fact: owns recording, on an existing case, a fact the clerk learns
//! after the step that records it was taken — a judgment's 生效日期 that arrives weeks later —
//! as a history entry of its own (`event: 补充事实`), never an edit of earlier entries. Every
//! reader of the case counts it from then on (the history's facts, entry by entry: see
//! [`crate::view`]): the deadlines that run from it, `status` and `agenda`, the statistics and
//! the documents issued at later steps. Documents already issued keep the facts they were made
//! from.
//!
//! Which fields may be added later ([`addable`]): a field a step already taken records, still
//! empty, and not one each visit of a `fresh` step records afresh (a hearing's attendance
//! belongs to one hearing, which a later entry could not name). A field that already holds a
//! value is refused — it may be printed in an issued document, which only a re-issue changes —
//! with how to correct and re-issue it. Values pass the very checks of a step's input
//! ([`super::input`]): the type, the entries of `yingsu.yaml`, the text, the fonts, the order of
//! dates. Recording takes the workspace's write lock and writes the case file atomically, like
//! `case advance`.

use serde::Serialize;

use crate::archive::Batch;
use crate::case::HistoryEntry;
use crate::error::{Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::Workflow;
use crate::workspace::Workspace;

use super::input::{self, Input};
use super::issue::DocumentRenderer;
use super::plan::Problem;
use super::view::CaseView;
use super::{Actor, store};

/// What the history entry of a later fact says it is.
pub const EVENT: &str = "补充事实";

/// A field that may be added to a case later.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LaterField {
    pub field: String,
    pub label: String,
    /// The step that records it (taken already), and its title.
    pub step: String,
    pub step_title: String,
}

/// What recording later facts did.
#[derive(Debug, Clone, Serialize)]
pub struct FactReport {
    pub case_id: String,
    /// The history entry recorded, counted from 1.
    pub entry: usize,
    /// The facts recorded: (field, label, value as stored).
    pub facts: Vec<(String, String, serde_json::Value)>,
}

/// The fields of case `view` that may be added later (see the module's documentation), in the
/// workflow's order of fields. None when the case was withdrawn.
pub fn addable(view: &CaseView<'_>) -> Vec<LaterField> {
    let (case, wf) = (&view.case, view.wf);
    if case.is_withdrawn() {
        return Vec::new();
    }
    let facts = view.facts();
    wf.spec
        .fields
        .0
        .iter()
        .filter(|(k, _)| !facts::is_present(facts.get(&k.value)))
        .filter(|(k, _)| !per_visit(wf, &k.value))
        .filter_map(|(k, f)| {
            let (step, title) = taken_step(view, &k.value)?;
            Some(LaterField {
                field: k.value.clone(),
                label: f.label.clone(),
                step,
                step_title: title,
            })
        })
        .collect()
}

/// The fields of case `id` that may be added later (see [`addable`]).
pub fn addable_fields(ws: &Workspace, id: &str) -> Result<Vec<LaterField>> {
    Ok(addable(&store::load_case(ws, id)?))
}

/// What is wrong with recording `input` on case `id` now, each beside its field: nothing when
/// it may be recorded. A case that cannot be read, or one withdrawn, is an error.
pub fn check_facts(
    ws: &Workspace,
    id: &str,
    input: &Input,
    renderer: &dyn DocumentRenderer,
) -> Result<Vec<Problem>> {
    let view = store::load_case(ws, id)?;
    Ok(problems(ws, &view, input, renderer)?.1)
}

/// Record `input` (`--set 字段=值`, a `--from` file) on case `id` as facts learned later: one
/// history entry by `actor`, under the write lock, the case file written atomically. Refused,
/// changing nothing, with every problem at once (see [`check_facts`]).
pub fn record_facts(
    ws: &Workspace,
    id: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<FactReport> {
    crate::case::check_id(id)?;
    let lock = ws.lock_for_writing()?;
    let view = store::load_case(ws, id)?;
    let (given, problems) = problems(ws, &view, input, renderer)?;
    if !problems.is_empty() {
        let mut ds: Vec<crate::error::Diagnostic> = problems
            .into_iter()
            .map(|p| {
                let d = crate::error::Diagnostic::new(p.message);
                match p.help {
                    Some(h) => d.help(h),
                    None => d,
                }
            })
            .collect();
        return Err(if ds.len() == 1 {
            ds.remove(0).into()
        } else {
            Error::Many(ds)
        });
    }
    if given.is_empty() {
        return Err(Error::user(
            format!("没有给出要补充的事实，案件 `{id}` 没有改动"),
            "用 --set 字段=值 写明要补充的事实，例如 --set effective_date=2023-06-01",
        ));
    }
    let case = &view.case;
    let mut entry = HistoryEntry::event(EVENT, actor.at(), actor.who.clone());
    entry.facts = given.clone();
    let text = case
        .with_entry(&entry)
        .map_err(|e| e.relative_to(&ws.root))?;
    let mut batch = Batch::default();
    batch.stage(&case.path, text.as_bytes())?;
    batch.commit()?;
    let report = FactReport {
        case_id: id.to_string(),
        entry: case.history.len() + 1,
        facts: given
            .into_iter()
            .map(|(k, v)| {
                let label = view
                    .wf
                    .field(&k)
                    .map(|f| f.label.clone())
                    .unwrap_or_default();
                (k, label, v)
            })
            .collect(),
    };
    let labels: Vec<&str> = report
        .facts
        .iter()
        .map(|(k, l, _)| if l.is_empty() { k.as_str() } else { l.as_str() })
        .collect();
    let what = format!(
        "{} 补充事实：{}",
        super::view_label(&view),
        labels.join("、")
    );
    lock.record(
        ws,
        actor,
        &crate::vcs::Record::new("case fact", what, actor).with(crate::vcs::CASE, id),
    );
    Ok(report)
}

/// The facts `input` gives, and what is wrong with recording them on `view` now.
fn problems(
    ws: &Workspace,
    view: &CaseView<'_>,
    input: &Input,
    renderer: &dyn DocumentRenderer,
) -> Result<(Facts, Vec<Problem>)> {
    let (case, wf) = (&view.case, view.wf);
    let id = case.id.as_str();
    if case.is_withdrawn() {
        return Err(Error::user(
            format!("案件 `{id}` 已撤回，不能再补充事实"),
            "用 `yingsu case show` 查看撤回的原因",
        ));
    }
    let mut out = Vec::new();
    let mut given = Facts::new();
    let problem = |field: &str, message: String, help: String| Problem {
        field: Some(field.to_string()),
        label: wf.field(field).map(|f| f.label.clone()),
        message,
        help: Some(help),
    };
    let mut one_by_one: Vec<Input> = input
        .sets
        .iter()
        .map(|s| Input {
            sets: vec![s.clone()],
            ..Default::default()
        })
        .collect();
    if input.from.is_some() {
        one_by_one.push(Input {
            from: input.from.clone(),
            ..Default::default()
        });
    }
    for one in &one_by_one {
        let field = one
            .sets
            .first()
            .and_then(|s| facts::split_assignment(s))
            .map(|(k, _)| k.to_string());
        let read = input::read_input(ws, wf, one)
            .and_then(|f| input::check_glyphs(wf, &f, &|c| renderer.covers(ws, c)).map(|_| f));
        match read {
            Ok(f) => given.extend(f),
            Err(e @ (Error::User(_) | Error::Many(_))) => {
                for d in e.diagnostics() {
                    out.push(Problem {
                        field: field.clone(),
                        label: field
                            .as_deref()
                            .and_then(|k| wf.field(k))
                            .map(|f| f.label.clone()),
                        message: d.message.clone(),
                        help: d.help.clone(),
                    });
                }
            }
            Err(other) => return Err(other),
        }
    }
    let facts = view.facts();
    for k in given.keys() {
        let Some(spec) = wf.field(k) else {
            continue;
        };
        let name = format!("字段 `{k}`（{}）", spec.label);
        if let Some(now) = facts.get(k).filter(|v| facts::is_present(Some(v))) {
            let printed = printed_in(view, k);
            let file = ws.rel(&case.path);
            out.push(if printed.is_empty() {
                problem(
                    k,
                    format!(
                        "{name}已记录为 {}：补充事实只能填写尚未记录的字段",
                        crate::case::value(now)
                    ),
                    format!(
                        "确需更正时，在案件文件 {file} 的 facts 中写一行 {k}: 新值（优先于办理记录）"
                    ),
                )
            } else {
                problem(
                    k,
                    format!(
                        "{name}已记录为 {}，并已印在已印发的{}中：补充事实不能改动已印发文书中的事实",
                        crate::case::value(now),
                        printed.join("、")
                    ),
                    format!(
                        "确需更正时，在案件文件 {file} 的 facts 中写一行 {k}: 新值，再运行 `yingsu render --reissue {id}` 重新印发（文号不变，并记入办理记录）"
                    ),
                )
            });
            continue;
        }
        if per_visit(wf, k) {
            let (step, title) = owner(wf, k);
            out.push(problem(
                k,
                format!("{name}是步骤“{title}”（{step}）每次办理各自记录的事实，不能事后补充"),
                format!(
                    "请用 `yingsu case undo {id} --reason …` 撤销该步骤后重新办理，或再次办理该步骤时填写"
                ),
            ));
            continue;
        }
        if taken_step(view, k).is_none() {
            let (step, title) = owner(wf, k);
            out.push(problem(
                k,
                if step.is_empty() {
                    format!("{name}不由任何步骤记录，不能补充")
                } else {
                    format!("{name}由步骤“{title}”（{step}）记录，本案尚未办理该步骤")
                },
                if step.is_empty() {
                    format!("可补充的字段：{}", addable_list(view))
                } else {
                    format!("请在办理该步骤时填写：yingsu case advance {id} {step} --set {k}=…")
                },
            ));
        }
    }
    if out.is_empty() {
        let mut all = facts;
        all.extend(given.clone());
        if let Err(e) = input::check_date_order(wf, &all) {
            // Beside the first given date the order concerns.
            let field = given
                .keys()
                .find(|k| {
                    wf.field(k)
                        .is_some_and(|f| f.not_before.is_some() || f.not_after.is_some())
                })
                .cloned();
            for d in e.diagnostics() {
                out.push(Problem {
                    field: field.clone(),
                    label: field
                        .as_deref()
                        .and_then(|k| wf.field(k))
                        .map(|f| f.label.clone()),
                    message: d.message.clone(),
                    help: d.help.clone(),
                });
            }
        }
    }
    Ok((given, out))
}

/// Whether each visit of a `fresh` step records field `key` afresh.
fn per_visit(wf: &Workflow, key: &str) -> bool {
    wf.spec
        .steps
        .0
        .iter()
        .any(|(_, s)| s.fresh && s.records.iter().any(|r| r.value == key))
}

/// The first step of the workflow that records `key`, with its title (empty when none does).
fn owner(wf: &Workflow, key: &str) -> (String, String) {
    wf.spec
        .steps
        .0
        .iter()
        .find(|(_, s)| s.records.iter().any(|r| r.value == key))
        .map(|(n, s)| (n.value.clone(), s.title.clone()))
        .unwrap_or_default()
}

/// The step taken (not undone) in the case's history that records `key`, with its title.
fn taken_step(view: &CaseView<'_>, key: &str) -> Option<(String, String)> {
    let undone = view.case.undone();
    view.case
        .history
        .iter()
        .enumerate()
        .filter(|(i, _)| !undone.contains(i))
        .filter_map(|(_, h)| h.step.as_deref())
        .find_map(|s| {
            let spec = view.wf.step(s)?;
            spec.records
                .iter()
                .any(|r| r.value == key)
                .then(|| (s.to_string(), spec.title.clone()))
        })
}

/// The documents (《title》 with their numbers) issued, and not taken back, since the history
/// entry that last recorded `key` (all of them when the clerk's `facts:` give it).
fn printed_in(view: &CaseView<'_>, key: &str) -> Vec<String> {
    let case = &view.case;
    let undone = case.undone();
    let live = |i: &usize| !undone.contains(i);
    let from = if view.typed.contains_key(key) {
        0
    } else {
        (0..case.history.len())
            .rev()
            .filter(live)
            .find(|i| case.history[*i].facts.contains_key(key))
            .unwrap_or(0)
    };
    (from..case.history.len())
        .filter(live)
        .filter(|i| case.history[*i].step.is_some())
        .flat_map(|i| case.history[i].documents.iter())
        .map(|d| format!("《{}》", d.label()))
        .collect()
}

/// The fields that may be added, for a message: 生效日期（effective_date）、…, or 无.
fn addable_list(view: &CaseView<'_>) -> String {
    let all = addable(view);
    if all.is_empty() {
        return "无".into();
    }
    all.iter()
        .map(|f| format!("{}（{}）", f.label, f.field))
        .collect::<Vec<_>>()
        .join("、")
}
