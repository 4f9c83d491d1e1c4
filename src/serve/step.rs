//! Taking a step from the browser: owns the step forms' requests — draw the form of a step (or
//! of a new case's first step), plan what the submitted values would do (`engine::plan_*`),
//! show the engine's problems beside their fields and, when there are none, the draft of every
//! document the step would issue (`engine::preview`: nothing written, no number taken); and
//! “核对” list the facts as they will be recorded beside the drafts (the review screen), and
//! on “确认办理” commit the plan (`engine::commit`: the lock, the numbers and the writes of
//! `case advance`), refused when the case changed since its preview. The live preview (the
//! page's script posting the form as the clerk types) gets the same problems and drafts as
//! JSON from [`advance_preview`] / [`new_preview`].

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde::Serialize;

use super::form::{self, FieldView, ProblemView};
use super::guard::{CheckedForm, TOKEN_FIELD, Who};
use super::{Server, blocking, enc};
use crate::engine::{self, Problem, StepPlan, Target};
use crate::error::{Error, Result};

/// The form field of a new case's id, and of the case file's checksum when previewed.
const ID_FIELD: &str = "_id";
const SHA_FIELD: &str = "_sha";
const ACTION_FIELD: &str = "_action";

/// What is taken: a case's next step, or a new case of a workflow.
enum Taking {
    Advance { id: String, step: String },
    New { workflow: String },
}

/// A document's draft as shown.
#[derive(Serialize)]
struct DraftView {
    title: String,
    numbered: bool,
    /// The pages as `data:` images.
    pages: Vec<String>,
    error: Option<String>,
}

pub(crate) async fn advance_form(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath((id, step)): UrlPath<(String, String)>,
) -> Response {
    blocking(&server, move |s| {
        show(
            s,
            &who,
            &Taking::Advance { id, step },
            Given::Known,
            None,
            None,
        )
    })
    .await
}

pub(crate) async fn new_form(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(workflow): UrlPath<String>,
) -> Response {
    blocking(&server, move |s| {
        show(s, &who, &Taking::New { workflow }, Given::Known, None, None)
    })
    .await
}

pub(crate) async fn advance_submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath((id, step)): UrlPath<(String, String)>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| {
        submit(s, &who, &Taking::Advance { id, step }, &fields)
    })
    .await
}

pub(crate) async fn new_submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(workflow): UrlPath<String>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| {
        submit(s, &who, &Taking::New { workflow }, &fields)
    })
    .await
}

/// The live preview of a case's step: problems per field and drafts, as JSON.
pub(crate) async fn advance_preview(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath((id, step)): UrlPath<(String, String)>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| {
        live(s, &who, &Taking::Advance { id, step }, &fields)
    })
    .await
}

/// The live preview of a new case's first step.
pub(crate) async fn new_preview(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(workflow): UrlPath<String>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| {
        live(s, &who, &Taking::New { workflow }, &fields)
    })
    .await
}

fn value<'a>(fields: &'a [(String, String)], key: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Plan what the submitted values would do: the plan, or the engine's refusal (a new case's
/// id) as problems.
fn plan(server: &Server, who: &Who, taking: &Taking, fields: &[(String, String)]) -> Result<Drawn> {
    let ws = server.workspace()?;
    let actor = who.actor()?;
    let renderer = &server.renderer;
    let plan = match taking {
        Taking::Advance { id, step } => {
            crate::case::check_id(id)?;
            let wf = engine::load_case(&ws, id)?.wf;
            if let Some(role) = who.role() {
                engine::plan::check_role(wf, step, role)?;
            }
            let input = form::input(wf, step, fields);
            engine::plan_advance(&ws, id, step, &input, &actor, renderer)?
        }
        Taking::New { workflow } => {
            let wf = ws.workflow(workflow)?;
            if let Some(role) = who.role() {
                engine::plan::check_role(wf, &wf.spec.start.value, role)?;
            }
            let input = form::input(wf, &wf.spec.start.value, fields);
            let id = value(fields, ID_FIELD).trim();
            match engine::plan_new(&ws, workflow, id, &input, &actor, renderer) {
                Ok(plan) => plan,
                Err(e) => return Drawn::refused(e, ID_FIELD),
            }
        }
    };
    let drafts = if plan.is_ready() {
        drafts(&ws, &plan, renderer)
    } else {
        Vec::new()
    };
    Ok(Drawn {
        plan: Some(plan),
        problems: Vec::new(),
        drafts,
    })
}

/// Answer a submitted form: commit it when the clerk confirmed, show the review screen when
/// asked for it, add a list's row, or preview it.
fn submit(
    server: &Server,
    who: &Who,
    taking: &Taking,
    fields: &[(String, String)],
) -> Result<Response> {
    let action = value(fields, ACTION_FIELD);
    if let Some(key) = action.strip_prefix("addrow:") {
        return show(
            server,
            who,
            taking,
            Given::Submitted(fields),
            None,
            Some(key),
        );
    }
    let drawn = plan(server, who, taking, fields)?;
    let ready = drawn.plan.as_ref().is_some_and(StepPlan::is_ready);
    if action == "commit"
        && ready
        && let Some(mut plan) = drawn.plan
    {
        let ws = server.workspace()?;
        let actor = who.actor()?;
        let sha = value(fields, SHA_FIELD);
        if !sha.is_empty() && plan.case_sha256.is_some() {
            plan.case_sha256 = Some(sha.to_string());
        }
        return match engine::commit(&ws, &plan, &actor, &server.renderer) {
            Ok(report) => {
                Ok(Redirect::to(&format!("/case/{}", enc(&report.case_id))).into_response())
            }
            Err(e) => show(
                server,
                who,
                taking,
                Given::Submitted(fields),
                Some(Drawn::refused(e, "")?),
                None,
            ),
        };
    }
    if action == "review"
        && ready
        && let Some(plan) = &drawn.plan
    {
        return review(server, who, taking, fields, plan, &drawn.drafts);
    }
    show(
        server,
        who,
        taking,
        Given::Submitted(fields),
        Some(drawn),
        None,
    )
}

/// The review screen: the facts as they will be recorded, the drafts, and “确认办理” (the
/// submitted values carried again as hidden inputs) or “返回修改”.
fn review(
    server: &Server,
    who: &Who,
    taking: &Taking,
    fields: &[(String, String)],
    plan: &StepPlan,
    drafts: &[DraftView],
) -> Result<Response> {
    let ws = server.workspace()?;
    let (action, back) = addresses(taking);
    let carried: Vec<&(String, String)> = fields
        .iter()
        .filter(|(k, _)| k != ACTION_FIELD && k != TOKEN_FIELD && k != SHA_FIELD)
        .collect();
    let html = server.pages.render(
        "review.html",
        serde_json::json!({
            "workflow_title": ws.workflow(&plan.workflow).map(|w| w.spec.title.clone()).unwrap_or_default(),
            "step_title": plan.step_title.clone(),
            "case_id": plan.case_id.clone(),
            "is_new": matches!(taking, Taking::New { .. }),
            "facts": engine::recorded_facts(&ws, plan),
            "again": plan.input.again,
            "carried": carried,
            "action": action,
            "back": back,
            "token": who.token.clone(),
            "token_field": TOKEN_FIELD,
            "sha": plan.case_sha256.clone(),
            "drafts": drafts,
        }),
    )?;
    Ok(Html(html).into_response())
}

/// The form's address and the page to go back to.
fn addresses(taking: &Taking) -> (String, String) {
    match taking {
        Taking::Advance { id, step } => (
            format!("/case/{}/step/{}", enc(id), enc(step)),
            format!("/case/{}", enc(id)),
        ),
        Taking::New { workflow } => (format!("/new/{}", enc(workflow)), "/".to_string()),
    }
}
/// What planning gave, for the form: the plan, or the engine's refusal as problems.
struct Drawn {
    plan: Option<StepPlan>,
    problems: Vec<Problem>,
    drafts: Vec<DraftView>,
}

impl Drawn {
    /// A refusal of the engine as problems (beside `field` when not empty); an I/O failure or
    /// an internal error stays an error.
    fn refused(e: Error, field: &str) -> Result<Drawn> {
        let ds = match e {
            Error::User(d) => vec![*d],
            Error::Many(ds) => ds,
            other => return Err(other),
        };
        let problems = ds
            .into_iter()
            .map(|d| Problem {
                field: (!field.is_empty()).then(|| field.to_string()),
                label: None,
                message: d.message,
                help: d.help,
            })
            .collect();
        Ok(Drawn {
            plan: None,
            problems,
            drafts: Vec::new(),
        })
    }
}

/// The draft of every document `plan` would issue.
fn drafts(
    ws: &crate::Workspace,
    plan: &StepPlan,
    renderer: &crate::pipeline::TypstRenderer,
) -> Vec<DraftView> {
    plan.documents
        .iter()
        .enumerate()
        .map(|(i, doc)| match engine::preview(ws, plan, i, renderer) {
            Ok(p) => DraftView {
                title: p.title,
                numbered: doc.numbered,
                pages: p
                    .pages
                    .iter()
                    .map(|svg| {
                        format!(
                            "data:image/svg+xml;base64,{}",
                            base64::engine::general_purpose::STANDARD.encode(svg)
                        )
                    })
                    .collect(),
                error: None,
            },
            Err(e) => DraftView {
                title: doc.title.clone(),
                numbered: doc.numbered,
                pages: Vec::new(),
                error: Some(e.to_string()),
            },
        })
        .collect()
}

/// The values a form is drawn with: what the case already knows (a form opened afresh), or
/// what the clerk submitted.
#[derive(Clone, Copy)]
enum Given<'a> {
    Known,
    Submitted(&'a [(String, String)]),
}

/// A form's inputs and problems for `taking` with the values `given`, after `drawn`.
struct Laid {
    wf_title: String,
    step_title: Option<String>,
    step_help: Option<String>,
    case_id: Option<String>,
    inputs: Vec<FieldView>,
    general: Vec<ProblemView>,
    id_problems: Vec<ProblemView>,
}

fn lay(
    server: &Server,
    who: &Who,
    taking: &Taking,
    given: Given<'_>,
    drawn: &Drawn,
    extra_row: Option<&str>,
) -> Result<Laid> {
    let ws = server.workspace()?;
    let actor = who.actor()?;
    let (wf, step, case_id, given, target) = match taking {
        Taking::Advance { id, step } => {
            crate::case::check_id(id)?;
            let view = engine::load_case(&ws, id)?;
            crate::engine::step::check_transition(&view, step)?;
            let given = match given {
                Given::Known => form::known(view.wf, step, &view.facts_entering(step)),
                Given::Submitted(f) => f.to_vec(),
            };
            let target = Target::Advance {
                id: id.clone(),
                step: step.clone(),
            };
            (view.wf, step.clone(), Some(id.clone()), given, target)
        }
        Taking::New { workflow } => {
            let wf = ws.workflow(workflow)?;
            let given = match given {
                Given::Known => Vec::new(),
                Given::Submitted(f) => f.to_vec(),
            };
            let target = Target::New {
                workflow: workflow.clone(),
                id: value(&given, ID_FIELD).trim().to_string(),
            };
            (wf, wf.spec.start.value.clone(), None, given, target)
        }
    };
    let mut problems = drawn.problems.clone();
    if let Some(p) = &drawn.plan {
        problems.extend(p.problems.iter().cloned());
    }
    let input = form::input(wf, &step, &given);
    // Which conditional fields to show is the engine's to say; a case that cannot be read
    // shows them all.
    let required = engine::required_fields(&ws, &target, &input, &actor).unwrap_or_default();
    let mut inputs: Vec<FieldView> =
        form::fields(&ws, wf, &step, &given, &problems, &required, extra_row);
    link_duplicates(
        &ws,
        &mut inputs,
        case_id.as_deref().unwrap_or(value(&given, ID_FIELD).trim()),
    );
    let general = form::general_problems(&inputs, &problems)
        .iter()
        .filter(|p| p.field.as_deref() != Some(ID_FIELD))
        .map(ProblemView::from)
        .collect();
    let id_problems = problems
        .iter()
        .filter(|p| p.field.as_deref() == Some(ID_FIELD))
        .map(ProblemView::from)
        .collect();
    let spec = wf.step(&step);
    Ok(Laid {
        wf_title: wf.spec.title.clone(),
        step_title: spec.map(|s| s.title.clone()),
        step_help: spec.and_then(|s| s.help.clone()),
        case_id,
        inputs,
        general,
        id_problems,
    })
}

/// A 案号 another case already has: its problem links to that case's page.
fn link_duplicates(ws: &crate::Workspace, inputs: &mut [FieldView], id: &str) {
    let Some(field) = inputs
        .iter_mut()
        .find(|f| f.key == CASE_NUMBER_FIELD && !f.problems.is_empty())
    else {
        return;
    };
    let Ok(Some((_, other, _))) = engine::audit::case_number_holder(ws, &field.value, id) else {
        return;
    };
    for p in &mut field.problems {
        if p.message.contains(&other) {
            p.href = Some(format!("/case/{}", enc(&other)));
            p.link = Some(format!("打开案件 {other}"));
        }
    }
}

/// The field of a case's 案号 (a new case's duplicate is said beside it).
const CASE_NUMBER_FIELD: &str = "case_number";

/// The form page of `taking`, filled with `given`, with what planning gave when submitted
/// (`extra_row`: the list that gets one more row).
fn show(
    server: &Server,
    who: &Who,
    taking: &Taking,
    given: Given<'_>,
    drawn: Option<Drawn>,
    extra_row: Option<&str>,
) -> Result<Response> {
    let submitted = drawn.is_some();
    let drawn = drawn.unwrap_or(Drawn {
        plan: None,
        problems: Vec::new(),
        drafts: Vec::new(),
    });
    let laid = lay(server, who, taking, given, &drawn, extra_row)?;
    let fields = match given {
        Given::Known => &[][..],
        Given::Submitted(f) => f,
    };
    let (action, back) = addresses(taking);
    let ready = drawn.plan.as_ref().is_some_and(StepPlan::is_ready);
    let html = server.pages.render(
        "form.html",
        serde_json::json!({
            "workflow_title": laid.wf_title,
            "step_title": laid.step_title,
            "step_help": laid.step_help,
            "case_id": laid.case_id,
            "new_id": value(fields, ID_FIELD),
            "id_problems": laid.id_problems,
            "action": action,
            "back": back,
            "token": who.token.clone(),
            "token_field": TOKEN_FIELD,
            "fields": laid.inputs,
            "general": laid.general,
            "submitted": submitted,
            "ready": ready,
            "sha": drawn.plan.as_ref().and_then(|p| p.case_sha256.clone()),
            "drafts": drawn.drafts,
            "again": !value(fields, form::AGAIN_FIELD).is_empty(),
            "script": super::live::SCRIPT_URL.as_str(),
        }),
    )?;
    Ok(Html(html).into_response())
}

/// What the live preview draws: each field shown or not with its problems, the problems
/// beside no field, and the drafts when the step is ready.
#[derive(Serialize)]
struct LiveView {
    fields: Vec<LiveField>,
    general: Vec<ProblemView>,
    id_problems: Vec<ProblemView>,
    ready: bool,
    sha: Option<String>,
    drafts: Vec<DraftView>,
}

#[derive(Serialize)]
struct LiveField {
    key: String,
    shown: bool,
    problems: Vec<ProblemView>,
}

/// The live preview of the submitted form, as JSON.
fn live(
    server: &Server,
    who: &Who,
    taking: &Taking,
    fields: &[(String, String)],
) -> Result<Response> {
    let drawn = plan(server, who, taking, fields)?;
    let laid = lay(server, who, taking, Given::Submitted(fields), &drawn, None)?;
    let view = LiveView {
        fields: laid
            .inputs
            .into_iter()
            .map(|f| LiveField {
                key: f.key,
                shown: f.shown,
                problems: f.problems,
            })
            .collect(),
        general: laid.general,
        id_problems: laid.id_problems,
        ready: drawn.plan.as_ref().is_some_and(StepPlan::is_ready),
        sha: drawn.plan.as_ref().and_then(|p| p.case_sha256.clone()),
        drafts: drawn.drafts,
    };
    let body = serde_json::to_string(&view)
        .map_err(|e| Error::Internal(format!("预览结果无法写成 JSON：{e}")))?;
    Ok((
        [
            (axum::http::header::CONTENT_TYPE, "application/json"),
            (axum::http::header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response())
}
