//! Planning a step before it is taken: owns what a step *would* do, computed without writing
//! anything — the clerk's input checked field by field, the history entry, and the documents
//! the step would issue with their data, unnumbered — then previewing a planned document and
//! committing the plan. This is what a form with a live preview needs: plan on every edit,
//! preview the documents, commit once the clerk confirms.
//!
//! A plan runs the very checks of `case new` / `case advance` ([`super::step`]); committing it
//! takes the step again under the workspace's write lock through the same code, after making
//! sure the case file has not changed since the plan. So the CLI and a workbench cannot drift
//! apart: there is one set of rules.

use chrono::Datelike;
use serde::Serialize;
use serde_json::Value;

use crate::case::HistoryEntry;
use crate::error::{Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::Workflow;
use crate::workspace::Workspace;

use super::input::{self, Input};
use super::issue::{self, DocRequest, DocumentRenderer, StepAt};
use super::{Actor, StepReport, step, store};

/// What a step is taken on: a new case of a workflow, or the next step of an existing case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Target {
    /// `case new`: a case `id` of `workflow`, at its start step.
    New { workflow: String, id: String },
    /// `case advance`: case `id` to `step`.
    Advance { id: String, step: String },
}

/// One thing the clerk must put right before the step can be taken, beside the field it
/// concerns where there is one (a form shows it there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The field (its key in the workflow), or none for the step as a whole.
    pub field: Option<String>,
    /// The field's label (开庭日期), when there is a field.
    pub label: Option<String>,
    /// What is wrong, in Chinese.
    pub message: String,
    /// How to put it right.
    pub help: Option<String>,
}

/// A document the step would issue, as it would be issued but without its number.
#[derive(Debug, Clone, Serialize)]
pub struct PlannedDocument {
    pub title: String,
    pub template: String,
    /// Whether it gets a 发文字号 when issued (allocated only by [`commit`]).
    pub numbered: bool,
    /// What its template would receive.
    pub data: Value,
    #[serde(skip)]
    pub request: DocRequest,
}

/// What a step would do. Nothing of it is written; [`commit`] takes it.
#[derive(Debug, Clone, Serialize)]
pub struct StepPlan {
    pub target: Target,
    pub case_id: String,
    pub workflow: String,
    pub step: String,
    pub step_title: String,
    /// What the clerk gave, exactly as [`commit`] will give it again.
    #[serde(skip)]
    pub input: Input,
    /// The case file's SHA-256 when planned (none for a new case): a case changed since is
    /// not committed on a stale plan.
    pub case_sha256: Option<String>,
    /// What must be put right first; when not empty, there is no entry and no document.
    pub problems: Vec<Problem>,
    /// The facts as of the step.
    pub facts: Facts,
    /// The history entry the step would add.
    pub entry: Option<HistoryEntry>,
    /// The documents the step would issue.
    pub documents: Vec<PlannedDocument>,
}

impl StepPlan {
    /// Whether the plan can be committed.
    pub fn is_ready(&self) -> bool {
        self.problems.is_empty() && self.entry.is_some()
    }
}

/// Plan a new case `id` of `workflow` from `input` (see [`super::new_case`]).
pub fn plan_new(
    ws: &Workspace,
    workflow: &str,
    id: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<StepPlan> {
    crate::case::check_id(id)?;
    let wf = ws.workflow(workflow)?;
    let start = wf.spec.start.value.clone();
    let mut plan = empty_plan(
        Target::New {
            workflow: workflow.to_string(),
            id: id.to_string(),
        },
        wf,
        id,
        &start,
        input,
        None,
    );
    if let Ok(existing) = store::case_path(ws, id) {
        return Err(Error::user(
            format!("案件 `{id}` 已存在：{}", ws.rel(&existing)),
            "换一个案件编号，或推进已有案件",
        ));
    }
    plan.problems = input_problems(ws, wf, input, renderer)?;
    if plan.problems.is_empty() {
        plan.problems = missing_problems(ws, wf, id, &start, Facts::new(), input, actor)?;
    }
    // A 案号 another case has is said beside the 案号 as soon as it is given, whatever else
    // is still missing.
    plan.problems.extend(duplicate_problems(ws, wf, id, input)?);
    if !plan.problems.is_empty() {
        return Ok(plan);
    }
    match step::prepare_new(ws, workflow, id, input, actor, renderer) {
        Ok((wf, _path, year, p)) => {
            let at = (wf, id, 0, year, actor.today());
            settle(ws, &mut plan, p, &[], at, renderer)?;
        }
        Err(e) => plan.problems = placed(problems_of(e, None, wf)?, wf, &start),
    }
    Ok(plan)
}

/// Plan taking case `id` to `step` with `input` (see [`super::advance`]). A transition that
/// is not allowed, an unknown case or step is an error, not a problem: no form can put it
/// right.
pub fn plan_advance(
    ws: &Workspace,
    id: &str,
    step: &str,
    input: &Input,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<StepPlan> {
    let view = store::load_case(ws, id)?;
    step::check_transition(&view, step)?;
    let wf = view.wf;
    let sha = crate::archive::sha256(view.case.source.as_bytes());
    let mut plan = empty_plan(
        Target::Advance {
            id: id.to_string(),
            step: step.to_string(),
        },
        wf,
        id,
        step,
        input,
        Some(sha),
    );
    plan.problems = input_problems(ws, wf, input, renderer)?;
    if plan.problems.is_empty() {
        let before = view.facts_entering(step);
        plan.problems = missing_problems(ws, wf, id, step, before, input, actor)?;
    }
    if !plan.problems.is_empty() {
        return Ok(plan);
    }
    match step::prepare_advance(ws, &view, step, input, actor, renderer) {
        Ok(p) => {
            let case = &view.case;
            let year = issue::year_folder(&case.path).unwrap_or(actor.now.year());
            let at = (wf, id, case.history.len(), year, actor.today());
            settle(ws, &mut plan, p, &case.history, at, renderer)?;
        }
        Err(e) => plan.problems = placed(problems_of(e, None, wf)?, wf, step),
    }
    Ok(plan)
}

/// `problems` of the step as a whole placed beside the field they name first, when that is a
/// field the step records: the engine's refusals name a field as `标签（key）` (情况说明日期
/// （absence_note_date）晚于开庭日期（hearing_date）is the 情况说明日期's).
fn placed(mut problems: Vec<Problem>, wf: &Workflow, step: &str) -> Vec<Problem> {
    let Some(spec) = wf.step(step) else {
        return problems;
    };
    for p in problems.iter_mut().filter(|p| p.field.is_none()) {
        let first = spec
            .records
            .iter()
            .filter_map(|r| {
                p.message
                    .find(&format!("（{}）", r.value))
                    .map(|at| (at, &r.value))
            })
            .min();
        if let Some((_, key)) = first {
            p.label = wf.field(key).map(|f| f.label.clone());
            p.field = Some(key.clone());
        }
    }
    problems
}

/// Fill `plan` from the step's prepared entry `p`, taken after `history`: its facts, its entry
/// and the documents it would issue (`at`: workflow, case id, entry index, year folder, day).
fn settle(
    ws: &Workspace,
    plan: &mut StepPlan,
    p: step::Plan,
    history: &[HistoryEntry],
    (wf, id, entry_index, year, day): (&Workflow, &str, usize, i32, chrono::NaiveDate),
    renderer: &dyn DocumentRenderer,
) -> Result<()> {
    let mut full = history.to_vec();
    full.push(p.entry.clone());
    let at = StepAt {
        wf,
        id,
        step: &p.step,
        entry_index,
        year,
        facts: p.facts.clone(),
        history: full,
        day,
    };
    plan.documents = planned_documents(ws, &at, renderer)?;
    plan.facts = p.facts;
    plan.entry = Some(p.entry);
    Ok(())
}

/// A planned document typeset as it would be printed, marked as a draft and without a
/// number: its PDF and its pages as SVG images for a screen. Nothing is written and no number
/// is taken.
#[derive(Debug, Clone)]
pub struct Preview {
    pub title: String,
    pub pdf: Vec<u8>,
    pub pages: Vec<String>,
}

/// Typeset document `index` of `plan` as a draft (see [`Preview`]).
pub fn preview(
    ws: &Workspace,
    plan: &StepPlan,
    index: usize,
    renderer: &dyn DocumentRenderer,
) -> Result<Preview> {
    let Some(doc) = plan.documents.get(index) else {
        return Err(Error::user(
            format!(
                "这一步共有 {} 份文书，没有第 {} 份",
                plan.documents.len(),
                index + 1
            ),
            "从第 1 份起选择要预览的文书",
        ));
    };
    let mut data = doc.data.clone();
    if let Some(d) = data.get_mut("doc").and_then(Value::as_object_mut) {
        d.insert("draft".into(), Value::Bool(true));
    }
    let typeset = renderer.preview(ws, &doc.request, &data)?;
    Ok(Preview {
        title: doc.title.clone(),
        pdf: typeset.pdf,
        pages: typeset.pages,
    })
}

/// Take the step `plan` describes: under the workspace's write lock, through the very code of
/// `case new` / `case advance` (numbers allocated, documents issued, everything written at
/// once), recorded as done by `actor`. Refused, changing nothing, when the plan has problems or
/// the case file changed since the plan.
pub fn commit(
    ws: &Workspace,
    plan: &StepPlan,
    actor: &Actor,
    renderer: &dyn DocumentRenderer,
) -> Result<StepReport> {
    if let Some(first) = plan.problems.first() {
        return Err(Error::user(
            format!(
                "还有 {} 处需要改正，本次没有记录：{}",
                plan.problems.len(),
                first.message
            ),
            first
                .help
                .clone()
                .unwrap_or_else(|| "改正后重新确认".into()),
        ));
    }
    let lock = ws.lock_for_writing()?;
    let (report, command) = match &plan.target {
        Target::New { workflow, id } => (
            step::new_case_locked(ws, workflow, id, &plan.input, actor, renderer)?,
            "case new",
        ),
        Target::Advance { id, step } => {
            let path = store::case_path(ws, id)?;
            let now = crate::workspace::read_text(&ws.root, &path)?;
            if plan.case_sha256.as_deref() != Some(crate::archive::sha256(now.as_bytes()).as_str())
            {
                return Err(Error::user(
                    format!(
                        "案件 `{id}` 在核对之后又被修改过（{}），本次没有记录",
                        ws.rel(&path)
                    ),
                    "请重新打开案件，核对最新的内容后再确认",
                ));
            }
            (
                step::advance_locked(ws, id, step, &plan.input, actor, renderer)?,
                "case advance",
            )
        }
    };
    lock.record(ws, actor, &report.record(command, actor));
    Ok(report)
}

fn empty_plan(
    target: Target,
    wf: &Workflow,
    id: &str,
    step: &str,
    input: &Input,
    case_sha256: Option<String>,
) -> StepPlan {
    StepPlan {
        target,
        case_id: id.to_string(),
        workflow: wf.name().to_string(),
        step: step.to_string(),
        step_title: wf.step(step).map(|s| s.title.clone()).unwrap_or_default(),
        input: input.clone(),
        case_sha256,
        problems: Vec::new(),
        facts: Facts::new(),
        entry: None,
        documents: Vec::new(),
    }
}

/// The input's problems, each beside its field: every `--set` value read on its own (so one
/// bad value does not hide the others) and checked against the fonts; a `--from` file as a
/// whole.
fn input_problems(
    ws: &Workspace,
    wf: &Workflow,
    input: &Input,
    renderer: &dyn DocumentRenderer,
) -> Result<Vec<Problem>> {
    let mut out = Vec::new();
    if input.from.is_some() {
        let from = Input {
            from: input.from.clone(),
            ..Default::default()
        };
        if let Err(e) = input::read_input(ws, wf, &from) {
            out.extend(problems_of(e, None, wf)?);
        }
    }
    for s in &input.sets {
        let Some((name, text)) = facts::split_assignment(s) else {
            let one = Input {
                sets: vec![s.clone()],
                ..Default::default()
            };
            if let Err(e) = input::read_input(ws, wf, &one) {
                out.extend(problems_of(e, None, wf)?);
            }
            continue;
        };
        match input::read_field(ws, wf, name, text, false) {
            Ok((key, value)) => {
                let given = Facts::from([(key.clone(), value)]);
                if let Err(e) = input::check_glyphs(wf, &given, &|c| renderer.covers(ws, c)) {
                    out.extend(problems_of(e, Some(&key), wf)?);
                }
            }
            Err(p) => out.push(Problem {
                label: p
                    .field
                    .as_deref()
                    .and_then(|f| wf.field(f))
                    .map(|f| f.label.clone()),
                field: p.field,
                message: p.message,
                help: (!p.help.is_empty()).then_some(p.help),
            }),
        }
    }
    Ok(out)
}

/// The required fields the step's facts lack (see [`step::missing_required`]), each a problem
/// beside its field.
fn missing_problems(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    step: &str,
    mut facts: Facts,
    input: &Input,
    actor: &Actor,
) -> Result<Vec<Problem>> {
    facts.extend(input::read_input(ws, wf, input)?);
    // The 审级 a 案号 implies is filled in before required fields are counted, as the step does.
    let _ = input::check_case_number(wf, &mut facts);
    Ok(step::missing_required(ws, wf, id, step, &facts, actor)
        .into_iter()
        .map(|m| {
            let f = wf.field(&m.field);
            Problem {
                label: f.map(|f| f.label.clone()),
                message: format!(
                    "请填写{}",
                    f.map(|f| f.label.as_str()).unwrap_or(m.field.as_str())
                ),
                help: f.and_then(|f| f.help.clone()),
                field: Some(m.field),
            }
        })
        .collect())
}

/// The field of a case's 案号.
const CASE_NUMBER: &str = "case_number";

/// The 案号 `input` gives, when another case already has it: a problem beside the 案号 (a bad
/// 案号 is [`input_problems`]' to say).
fn duplicate_problems(
    ws: &Workspace,
    wf: &Workflow,
    id: &str,
    input: &Input,
) -> Result<Vec<Problem>> {
    let given = input
        .sets
        .iter()
        .find(|s| facts::split_assignment(s).is_some_and(|(k, _)| k == CASE_NUMBER));
    let Some(given) = given else {
        return Ok(Vec::new());
    };
    let one = Input {
        sets: vec![given.clone()],
        ..Default::default()
    };
    let Ok(facts) = input::read_input(ws, wf, &one) else {
        return Ok(Vec::new());
    };
    let Some(number) = facts.get(CASE_NUMBER).and_then(Value::as_str) else {
        return Ok(Vec::new());
    };
    match super::audit::check_case_number_unused(ws, number, id) {
        Ok(()) => Ok(Vec::new()),
        Err(e) => problems_of(e, Some(CASE_NUMBER), wf),
    }
}

/// The fields the step of `target` records that are required for the values `input` gives,
/// over the facts as of the step: `required: true`, or a condition of the workflow
/// (`required: "not head_appeared"`) evaluated as the step evaluates it. A value that cannot
/// be read is left out, so one bad value does not change the others. A form shows a field
/// with a condition only while it holds (or while the field has a value).
pub fn required_fields(
    ws: &Workspace,
    target: &Target,
    input: &Input,
    actor: &Actor,
) -> Result<Vec<String>> {
    let (view, wf, id, step);
    let mut facts = match target {
        Target::New { workflow, id: new } => {
            wf = ws.workflow(workflow)?;
            step = wf.spec.start.value.as_str();
            id = new.as_str();
            Facts::new()
        }
        Target::Advance { id: case, step: to } => {
            view = store::load_case(ws, case)?;
            wf = view.wf;
            step = to.as_str();
            id = case.as_str();
            view.facts_entering(step)
        }
    };
    for s in &input.sets {
        let one = Input {
            sets: vec![s.clone()],
            ..Default::default()
        };
        if let Ok(given) = input::read_input(ws, wf, &one) {
            facts.extend(given);
        }
    }
    let _ = input::check_case_number(wf, &mut facts);
    let ctx = super::ExprContext::new(ws, wf, id, step, &facts, actor.today());
    Ok(wf
        .step(step)
        .map(|spec| {
            spec.records
                .iter()
                .filter(|r| {
                    wf.field(&r.value)
                        .is_some_and(|f| step::is_required(&ctx, f, &facts))
                })
                .map(|r| r.value.clone())
                .collect()
        })
        .unwrap_or_default())
}

/// The facts `plan`'s step records, as the clerk will read them once recorded, in the step's
/// order: with their labels, dates as 2023年5月8日, yes and no as 是 and 否, an agency or a
/// court by its name.
pub fn recorded_facts(ws: &Workspace, plan: &StepPlan) -> Vec<super::sheet::LabeledFact> {
    let Ok(wf) = ws.workflow(&plan.workflow) else {
        return Vec::new();
    };
    let Some(spec) = wf.step(&plan.step) else {
        return Vec::new();
    };
    spec.records
        .iter()
        .filter_map(|r| {
            let f = wf.field(&r.value)?;
            let v = plan.facts.get(&r.value)?;
            let date = (f.ty == facts::FieldType::Date)
                .then(|| v.as_str()?.parse::<chrono::NaiveDate>().ok())
                .flatten();
            let text = match date {
                Some(d) => format!("{}年{}月{}日", d.year(), d.month(), d.day()),
                None => super::sheet::named(ws, f.of.as_ref().map(|o| o.value.as_str()), v),
            };
            Some(super::sheet::LabeledFact {
                field: r.value.clone(),
                label: f.label.clone(),
                value: v.clone(),
                text,
            })
        })
        .collect()
}

/// A refusal as problems (beside `field` when given); an I/O failure or an internal error is
/// no problem of the input and stays an error.
fn problems_of(e: Error, field: Option<&str>, wf: &Workflow) -> Result<Vec<Problem>> {
    let diagnostics = match e {
        Error::User(d) => vec![*d],
        Error::Many(ds) => ds,
        other => return Err(other),
    };
    Ok(diagnostics
        .into_iter()
        .map(|d| Problem {
            field: field.map(str::to_string),
            label: field.and_then(|f| wf.field(f)).map(|f| f.label.clone()),
            message: d.message.clone(),
            help: d.help.clone(),
        })
        .collect())
}

/// The documents of the step at `at` whose conditions hold, with their data, unnumbered: what
/// [`issue::issue_step_documents`] would render, number and write.
fn planned_documents(
    ws: &Workspace,
    at: &StepAt<'_>,
    renderer: &dyn DocumentRenderer,
) -> Result<Vec<PlannedDocument>> {
    issue::step_documents(ws, at)?
        .into_iter()
        .map(|d| {
            Ok(PlannedDocument {
                title: d.spec.title.clone(),
                template: d.spec.template.value.clone(),
                numbered: d.numbered,
                data: renderer.data(ws, &d.request)?,
                request: d.request,
            })
        })
        .collect()
}

/// Refuse a workbench user of `role` taking `step` of `wf` when the step lists other roles
/// (`roles:`, see [`crate::workflow::StepSpec::allows`]); the message names the roles allowed.
/// The command line is not bound: who runs it has the files anyway.
pub fn check_role(wf: &Workflow, step: &str, role: &str) -> Result<()> {
    match wf.step(step) {
        Some(s) if !s.allows(role) => {
            let allowed: Vec<&str> = s.roles.iter().map(|r| r.value.as_str()).collect();
            Err(Error::user(
                format!(
                    "“{}”只能由{}办理，您的角色是“{role}”，已拒绝",
                    s.title,
                    allowed.join("、")
                ),
                format!(
                    "请由角色为{}的用户登录后办理；角色写在工作区的 users.yaml 中",
                    allowed.join("或")
                ),
            ))
        }
        _ => Ok(()),
    }
}
