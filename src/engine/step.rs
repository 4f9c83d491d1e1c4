//! The step machine: owns creating a case at its workflow's start step and advancing it along an
//! allowed transition — checking the transition's condition and the step's required fields,
//! computing the new history entry, issuing the step's documents, opening linked cases — and
//! committing all of it at once. A refused or failed step changes nothing on disk.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Datelike};
use serde_json::Value;

use crate::archive::Batch;
use crate::case::{self, Case, HistoryEntry};
use crate::error::{Error, Result};
use crate::facts::{self, Facts};
use crate::numbers::Numbering;
use crate::workflow::Workflow;
use crate::workspace::Workspace;

use super::context::ExprContext;
use super::input::{self, Input};
use super::issue::{self, DocumentRenderer, StepAt};
use super::store;
use super::view::CaseView;
use super::{Actor, StepReport};

/// Create a case of `workflow` with id `id` at the workflow's start step.
pub fn new_case(
    ws: &Workspace,
    workflow: &str,
    id: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<StepReport> {
    case::check_id(id)?;
    ws.workflow(workflow)?;
    let lock = ws.lock_for_writing()?;
    let report = new_case_locked(ws, workflow, id, input, actor, renderer)?;
    lock.record(ws, actor, &report.record("case new", actor));
    Ok(report)
}

/// [`new_case`] while the caller holds the workspace's write lock.
pub(crate) fn new_case_locked(
    ws: &Workspace,
    workflow: &str,
    id: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<StepReport> {
    let (wf, path, year, plan) = prepare_new(ws, workflow, id, input, actor, renderer)?;
    let text = |entry: &HistoryEntry| Ok(case::new_file(workflow, None, &[], entry));
    commit_step(ws, wf, id, &path, year, plan, &[], renderer, text)
}

/// Everything [`new_case`] checks and computes before it writes: the workflow, the new file's
/// path and year, and the start step's plan.
pub(crate) fn prepare_new<'w>(
    ws: &'w Workspace,
    workflow: &str,
    id: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<(&'w Workflow, std::path::PathBuf, i32, Plan)> {
    case::check_id(id)?;
    let wf = ws.workflow(workflow)?;
    if let Ok(existing) = store::case_path(ws, id) {
        return Err(Error::user(
            format!("案件 `{id}` 已存在：{}", ws.rel(&existing)),
            "换一个案件编号，或用 `yingsu case advance` 推进已有案件",
        ));
    }
    let given = input::read_input(ws, wf, input)?;
    input::check_glyphs(wf, &given, &|c| renderer.covers(ws, c))?;
    if let Some(number) = given.get("case_number").and_then(|v| v.as_str()) {
        super::audit::check_case_number_unused(ws, number, id)?;
    }
    let start = wf.spec.start.value.clone();
    let year = actor.now.year();
    let path = ws
        .cases_dir()
        .join(year.to_string())
        .join(format!("{id}.yaml"));
    // What the clerk gives at creation is recorded in the first history entry; the file's
    // `facts:` block starts empty for the clerk's own additions and corrections.
    let plan = plan_step(ws, wf, id, &start, Facts::new(), given, actor)?;
    Ok((wf, path, year, plan))
}

/// Advance case `id` to `step`.
pub fn advance(
    ws: &Workspace,
    id: &str,
    step: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<StepReport> {
    let lock = ws.lock_for_writing()?;
    let report = advance_locked(ws, id, step, input, actor, renderer)?;
    lock.record(ws, actor, &report.record("case advance", actor));
    Ok(report)
}

/// [`advance`] while the caller holds the workspace's write lock.
pub(crate) fn advance_locked(
    ws: &Workspace,
    id: &str,
    step: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<StepReport> {
    let view = store::load_case(ws, id)?;
    let plan = prepare_advance(ws, &view, step, input, actor, renderer)?;
    let case = &view.case;
    let year = issue::year_folder(&case.path).unwrap_or(actor.now.year());
    commit_step(
        ws,
        view.wf,
        id,
        &case.path,
        year,
        plan,
        &case.history,
        renderer,
        |entry| case.with_entry(entry).map_err(|e| e.relative_to(&ws.root)),
    )
}

/// Whether case `view` may go to `step` now: not withdrawn, not ended, `step` one of the
/// workflow's and reachable from the current step.
pub(crate) fn check_transition(view: &CaseView<'_>, step: &str) -> Result<()> {
    let (case, wf) = (&view.case, view.wf);
    let id = case.id.as_str();
    if case.is_withdrawn() {
        return Err(Error::user(
            format!("案件 `{id}` 已撤回（开启它的步骤被撤销），不能再推进"),
            "用 `yingsu case show` 查看撤回的原因",
        ));
    }
    let current = case.current_step().to_string();
    let cur = wf
        .step(&current)
        .ok_or_else(|| Error::Internal("current step vanished".into()))?;
    if cur.is_final {
        return Err(Error::user(
            format!(
                "案件 `{id}` 已处于结束步骤“{}”（{current}），不能再推进",
                cur.title
            ),
            "如需补充材料，请修改案件文件的 facts 后用 `yingsu render` 重新生成文书",
        ));
    }
    let Some(target) = wf.step(step) else {
        let names = wf.step_names();
        let list = format!("可用的步骤：{}", names.join("、"));
        return Err(Error::user(
            format!("流程 `{}` 没有步骤 `{step}`", wf.name()),
            match crate::suggest::closest(step, names.iter().copied()) {
                Some(near) => format!("您是不是要输入 {near}？{list}"),
                None => list,
            },
        ));
    };
    let allowed: Vec<String> = cur.next.iter().map(|n| n.to.value.clone()).collect();
    if !allowed.iter().any(|a| a == step) {
        return Err(Error::user(
            format!(
                "不能从“{}”（{current}）直接转到“{}”（{step}）",
                cur.title, target.title
            ),
            format!(
                "从 {current} 可以转到：{}",
                allowed
                    .iter()
                    .map(|a| format!(
                        "{a}（{}）",
                        wf.step(a).map(|s| s.title.as_str()).unwrap_or("")
                    ))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ));
    }
    Ok(())
}

/// Everything [`advance`] checks and computes before it writes: the transition, the input, the
/// condition, the step's plan (without documents). Nothing is written.
pub(crate) fn prepare_advance(
    ws: &Workspace,
    view: &CaseView<'_>,
    step: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<Plan> {
    check_transition(view, step)?;
    let (case, wf) = (&view.case, view.wf);
    let id = case.id.as_str();
    let current = case.current_step().to_string();
    let cur = wf
        .step(&current)
        .ok_or_else(|| Error::Internal("current step vanished".into()))?;
    let target = wf
        .step(step)
        .ok_or_else(|| Error::Internal(format!("no step {step}")))?;
    let given = input::read_input(ws, wf, input)?;
    input::check_glyphs(wf, &given, &|c| renderer.covers(ws, c))?;
    // A value given now must not contradict the clerk's corrections, which take precedence.
    for (k, v) in &given {
        if let Some(tv) = view.typed.get(k)
            && tv != v
        {
            return Err(Error::user(
                format!(
                    "字段 `{k}` 在案件文件的 facts 中写的是 {}，与本次给出的 {} 不一致",
                    case::value(tv),
                    case::value(v)
                ),
                format!(
                    "请直接修改 {} 中的 facts，或去掉本次的 --set {k}",
                    ws.rel(&case.path)
                ),
            ));
        }
    }
    let before = view.facts_entering(step);
    // The condition of the transition, over the facts including what is given now.
    if let Some(cond) = cur
        .next
        .iter()
        .find(|n| n.to.value == step)
        .and_then(|n| n.when.as_ref())
    {
        let mut probe = before.clone();
        probe.extend(given.clone());
        let ctx = ExprContext::new(ws, wf, id, step, &probe, actor.today());
        let ok = ctx.eval_bool(&cond.value, &probe).map_err(|why| {
            Error::user(
                format!("无法计算转向条件 `{}`：{why}", cond.value),
                "请检查流程定义",
            )
        })?;
        if !ok {
            return Err(Error::user(
                format!(
                    "转到“{}”（{step}）的条件不满足：{}",
                    target.title, cond.value
                ),
                format!("当前相关事实：{}", describe_facts(&cond.value, &probe)),
            ));
        }
    }
    let plan = plan_step(ws, wf, id, step, before, given, actor)?;
    // The same step again with exactly the same facts is most likely the same command run
    // twice: refused unless the clerk says it is a new occurrence.
    if !input.again
        && let Some(last) = case.last_step()
        && case.history[last].step.as_deref() == Some(step)
        && case.history[last].facts == plan.entry.facts
    {
        return Err(Error::user(
            format!(
                "“{}”（{step}）与上一次的记录（第 {} 条办理记录，{}）完全相同，可能是重复执行了同一条命令；本次没有记录",
                target.title,
                last + 1,
                case.history[last].at
            ),
            "如果确实又发生了一次（例如再次开庭），请加上 --again；如果是重复执行，无需处理",
        ));
    }
    Ok(plan)
}

/// A step being taken: its facts (as of the step) and its history entry, without documents.
pub(crate) struct Plan {
    pub(crate) step: String,
    pub(crate) facts: Facts,
    pub(crate) entry: HistoryEntry,
}

/// Check the step's facts and compute its history entry (without documents).
fn plan_step(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    step: &str,
    before: Facts,
    given: Facts,
    actor: &Actor,
) -> Result<Plan> {
    let spec = wf
        .step(step)
        .ok_or_else(|| Error::Internal(format!("no step {step}")))?;
    // Only the step's own fields may be given.
    for k in given.keys() {
        if !spec.records.iter().any(|r| &r.value == k) {
            let owner = wf
                .spec
                .steps
                .0
                .iter()
                .find(|(_, s)| s.records.iter().any(|r| &r.value == k))
                .map(|(n, s)| format!("它由步骤“{}”（{}）记录", s.title, n.value))
                .unwrap_or_else(|| "它不属于任何步骤".into());
            return Err(Error::user(
                format!("步骤“{}”（{step}）不记录字段 `{k}`，{owner}", spec.title),
                format!(
                    "本步骤记录的字段：{}；若要更正其他字段，请直接修改案件文件中的 facts",
                    spec.records
                        .iter()
                        .map(|r| r.value.as_str())
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
    }
    let mut facts = before;
    facts.extend(given);
    input::check_date_order(wf, &facts)?;
    input::check_case_number(wf, &mut facts)?;
    let missing: Vec<String> = missing_required(ws, wf, id, step, &facts, actor)
        .into_iter()
        .map(|m| m.line)
        .collect();
    if !missing.is_empty() {
        let example = spec
            .records
            .iter()
            .find(|r| !facts::is_present(facts.get(&r.value)))
            .map(|r| r.value.clone())
            .unwrap_or_default();
        return Err(Error::user(
            format!(
                "步骤“{}”（{step}）缺少必填字段：\n{}",
                spec.title,
                missing.join("\n")
            ),
            format!(
                "用 --set {example}=… 补充（可重复 --set），或写入案件文件的 facts、用 --from 文件.yaml 提供"
            ),
        ));
    }
    let mut entry_facts = BTreeMap::new();
    for r in &spec.records {
        if let Some(v) = facts.get(&r.value)
            && facts::is_present(Some(v))
        {
            entry_facts.insert(r.value.clone(), v.clone());
        }
    }
    Ok(Plan {
        step: step.to_string(),
        facts,
        entry: HistoryEntry {
            step: Some(step.to_string()),
            event: None,
            at: actor.at(),
            by: actor.who.clone(),
            facts: entry_facts,
            documents: vec![],
            opened: vec![],
            ..Default::default()
        },
    })
}

/// A field the step needs and the facts lack: the field and the line that names it in the
/// refusal (`  hearing_date（开庭日期，日期）：…`).
pub(crate) struct Missing {
    pub(crate) field: String,
    pub(crate) line: String,
}

/// Whether field `f` is required over `facts`: `required: true`, or a condition of the
/// workflow that holds (a condition that cannot be evaluated counts as required).
pub(crate) fn is_required(
    ctx: &ExprContext,
    f: &crate::workflow::FieldSpec,
    facts: &Facts,
) -> bool {
    match f.required.as_ref().map(|s| &s.value) {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(expr)) => ctx.eval_bool(expr, facts).unwrap_or(true),
        _ => false,
    }
}

/// The fields step `step` requires (by `required:`, or as the start of a deadline it must
/// track) that `facts` lack, in the step's order.
pub(crate) fn missing_required(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    step: &str,
    facts: &Facts,
    actor: &Actor,
) -> Vec<Missing> {
    let Some(spec) = wf.step(step) else {
        return Vec::new();
    };
    let ctx = ExprContext::new(ws, wf, id, step, facts, actor.today());
    let mut missing = Vec::new();
    for r in &spec.records {
        let Some(f) = wf.field(&r.value) else {
            continue;
        };
        if is_required(&ctx, f, facts) && !facts::is_present(facts.get(&r.value)) {
            missing.push(Missing {
                field: r.value.clone(),
                line: format!(
                    "  {}（{}，{}）{}",
                    r.value,
                    f.label,
                    f.ty.label(),
                    f.help
                        .as_deref()
                        .map(|h| format!("：{h}"))
                        .unwrap_or_default()
                ),
            });
        }
    }
    // Deadlines that need their start date now.
    for d in spec.deadlines.iter().filter(|d| d.required) {
        let applies = match &d.when {
            Some(w) => ctx.eval_bool(&w.value, facts).unwrap_or(true),
            None => true,
        };
        if applies && !facts::is_present(facts.get(&d.from.value)) {
            let label = wf
                .field(&d.from.value)
                .map(|f| f.label.as_str())
                .unwrap_or(d.from.value.as_str());
            missing.push(Missing {
                field: d.from.value.clone(),
                line: format!(
                    "  {}（{label}，日期）：期限“{}”从此日起算",
                    d.from.value, d.title
                ),
            });
        }
    }
    missing
}

/// Issue the step's documents, open linked cases, and write everything atomically.
#[allow(clippy::too_many_arguments)]
fn commit_step(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    path: &Path,
    year: i32,
    mut plan: Plan,
    history: &[HistoryEntry],
    renderer: &dyn DocumentRenderer,
    text: impl Fn(&HistoryEntry) -> Result<String>,
) -> Result<StepReport> {
    let spec = wf
        .step(&plan.step)
        .ok_or_else(|| Error::Internal("step".into()))?;
    let mut batch = Batch::default();
    let mut numbering = Numbering::new(ws);
    let actor = Actor {
        who: plan.entry.by.clone(),
        now: DateTime::parse_from_rfc3339(&plan.entry.at)
            .map_err(|e| Error::Internal(e.to_string()))?,
    };
    let day = actor.today();
    let mut full_history = history.to_vec();
    full_history.push(plan.entry.clone());

    // Documents.
    let at = StepAt {
        wf,
        id,
        step: &plan.step,
        entry_index: history.len(),
        year,
        facts: plan.facts.clone(),
        history: full_history,
        day,
    };
    let docs = issue::issue_step_documents(ws, &at, &mut numbering, &mut batch, renderer)?;
    plan.entry.documents.extend(docs);

    // Linked cases.
    let ctx = ExprContext::new(ws, wf, id, &plan.step, &plan.facts, day);
    for o in &spec.opens {
        if let Some(w) = &o.when {
            let on = ctx.eval_bool(&w.value, &plan.facts).map_err(|why| {
                Error::user(
                    format!("无法计算条件 `{}`：{why}", w.value),
                    "请检查流程定义",
                )
            })?;
            if !on {
                continue;
            }
        }
        let new_id = ctx.render(&o.id.value, &plan.facts).map_err(|why| {
            Error::user(
                format!("无法生成新案件编号：{why}"),
                "请检查流程定义中 opens 的 id",
            )
        })?;
        case::check_id(&new_id)?;
        if store::case_path(ws, &new_id).is_ok() {
            continue; // never open the same case twice
        }
        let twf = ws.workflow(&o.workflow.value)?;
        let mut sets = Vec::new();
        for (k, t) in &o.facts {
            let v = ctx.render(t, &plan.facts).map_err(|why| {
                Error::user(
                    format!("无法生成新案件的字段 {k}：{why}"),
                    "请检查流程定义中 opens 的 facts",
                )
            })?;
            if !v.trim().is_empty() {
                sets.push(format!("{k}={v}"));
            }
        }
        let given = input::read_input(
            ws,
            twf,
            &Input {
                sets,
                ..Default::default()
            },
        )?;
        let start = match &o.step {
            Some(st) if twf.step(&st.value).is_some() => st.value.clone(),
            Some(st) => {
                return Err(Error::user(
                    format!(
                        "流程 `{}` 没有步骤 `{}`，无法开启案件 {new_id}",
                        twf.name(),
                        st.value
                    ),
                    "请检查流程定义中 opens 的 step",
                ));
            }
            None => twf.spec.start.value.clone(),
        };
        let sub = plan_step(ws, twf, &new_id, &start, Facts::new(), given, &actor)?;
        let npath = ws.output_path(&format!("cases/{year}/{new_id}.yaml"))?;
        let mut sub_entry = sub.entry.clone();
        // Documents of the opened case's start step.
        let sub_at = StepAt {
            wf: twf,
            id: &new_id,
            step: &start,
            entry_index: 0,
            year,
            facts: sub.facts.clone(),
            history: vec![sub.entry.clone()],
            day,
        };
        let docs = issue::issue_step_documents(ws, &sub_at, &mut numbering, &mut batch, renderer)?;
        sub_entry.documents.extend(docs);
        let ntext = case::new_file(twf.name(), None, &[], &sub_entry);
        batch.stage(&npath, ntext.as_bytes())?;
        // This case names the case it opened (its second instance…).
        if let Some(l) = &o.link {
            let v = Value::String(new_id.clone());
            plan.entry.facts.insert(l.value.clone(), v.clone());
            plan.facts.insert(l.value.clone(), v);
        }
        plan.entry.opened.push(new_id);
    }

    let new_text = text(&plan.entry)?;
    check_reads_back(id, &new_text, history.len() + 1)?;
    batch.stage(&ws.output_path(&ws.rel(path))?, new_text.as_bytes())?;
    numbering.record()?;
    batch.commit()?;

    Ok(StepReport {
        case_id: id.to_string(),
        case_file: ws.rel(path),
        step: plan.step.clone(),
        step_title: spec.title.clone(),
        documents: plan.entry.documents.clone(),
        opened: plan.entry.opened.clone(),
        next: spec.next.iter().map(|n| n.to.value.clone()).collect(),
        case_number: plan
            .facts
            .get("case_number")
            .and_then(|v| v.as_str())
            .map(str::to_string),
    })
}

/// The new case file must read back with exactly `entries` history entries.
fn check_reads_back(id: &str, text: &str, entries: usize) -> Result<()> {
    let probe_dir =
        tempfile::tempdir().map_err(|e| Error::io("创建临时目录", std::env::temp_dir(), e))?;
    let probe = probe_dir.path().join(format!("{id}.yaml"));
    std::fs::write(&probe, text).map_err(|e| Error::io("写入", &probe, e))?;
    let c = Case::load(id, &probe)
        .map_err(|e| Error::Internal(format!("生成的案件记录无法读回：{e}")))?;
    if c.history.len() != entries {
        return Err(Error::Internal("生成的案件记录条目数不对".into()));
    }
    Ok(())
}

/// The values of the fields an expression mentions, for an error message.
fn describe_facts(expr: &str, facts: &Facts) -> String {
    let vars = crate::expr::compile_check(expr).unwrap_or_default();
    let mut v: Vec<String> = vars
        .into_iter()
        .map(|k| {
            format!(
                "{k} = {}",
                facts
                    .get(&k)
                    .map(case::value)
                    .unwrap_or_else(|| "（未填）".into())
            )
        })
        .collect();
    v.sort();
    v.join("，")
}
