//! Taking a step from the browser: owns the step forms' requests — draw the form of a step (or
//! of a new case's first step), plan what the submitted values would do (`engine::plan_*`),
//! show the engine's problems beside their fields and, when there are none, the draft of every
//! document the step would issue (`engine::preview`: nothing written, no number taken); and
//! on “确认办理” commit the plan (`engine::commit`: the lock, the numbers and the writes of
//! `case advance`), refused when the case changed since its preview.

use std::sync::Arc;

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{Path as UrlPath, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use base64::Engine as _;
use serde::Serialize;

use super::form::{self, FieldView};
use super::guard::{self, TOKEN_FIELD, Who};
use super::{Server, blocking, enc};
use crate::engine::{self, Problem, StepPlan};
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
        show(s, &who, &Taking::Advance { id, step }, &[], None)
    })
    .await
}

pub(crate) async fn new_form(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(workflow): UrlPath<String>,
) -> Response {
    blocking(&server, move |s| {
        show(s, &who, &Taking::New { workflow }, &[], None)
    })
    .await
}

pub(crate) async fn advance_submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath((id, step)): UrlPath<(String, String)>,
    fields: std::result::Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = fields else {
        return guard::refuse("提交的内容不是本工作台的表单，已拒绝：请重新打开页面再提交".into());
    };
    if !guard::form_token_ok(&who, &fields) {
        return guard::refuse_token();
    }
    blocking(&server, move |s| {
        submit(s, &who, &Taking::Advance { id, step }, &fields)
    })
    .await
}

pub(crate) async fn new_submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(workflow): UrlPath<String>,
    fields: std::result::Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = fields else {
        return guard::refuse("提交的内容不是本工作台的表单，已拒绝：请重新打开页面再提交".into());
    };
    if !guard::form_token_ok(&who, &fields) {
        return guard::refuse_token();
    }
    blocking(&server, move |s| {
        submit(s, &who, &Taking::New { workflow }, &fields)
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

/// Plan the submitted step; preview it, or commit it when the clerk confirmed.
fn submit(
    server: &Server,
    who: &Who,
    taking: &Taking,
    fields: &[(String, String)],
) -> Result<Response> {
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
                Err(e) => {
                    return show(
                        server,
                        who,
                        taking,
                        fields,
                        Some(Drawn::refused(e, ID_FIELD)?),
                    );
                }
            }
        }
    };
    if value(fields, ACTION_FIELD) == "commit" && plan.is_ready() {
        let mut plan = plan;
        let sha = value(fields, SHA_FIELD);
        if !sha.is_empty() && plan.case_sha256.is_some() {
            plan.case_sha256 = Some(sha.to_string());
        }
        return match engine::commit(&ws, &plan, &actor, renderer) {
            Ok(report) => {
                Ok(Redirect::to(&format!("/case/{}", enc(&report.case_id))).into_response())
            }
            Err(e) => show(server, who, taking, fields, Some(Drawn::refused(e, "")?)),
        };
    }
    let drafts = if plan.is_ready() {
        drafts(&ws, &plan, renderer)
    } else {
        Vec::new()
    };
    show(
        server,
        who,
        taking,
        fields,
        Some(Drawn {
            plan: Some(plan),
            problems: Vec::new(),
            drafts,
        }),
    )
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

/// The form page of `taking`, filled with `fields`, with what planning gave when submitted.
fn show(
    server: &Server,
    who: &Who,
    taking: &Taking,
    fields: &[(String, String)],
    drawn: Option<Drawn>,
) -> Result<Response> {
    let ws = server.workspace()?;
    let mut known = Vec::new();
    let (wf, step, case_id, action, back) = match taking {
        Taking::Advance { id, step } => {
            crate::case::check_id(id)?;
            let view = engine::load_case(&ws, id)?;
            crate::engine::step::check_transition(&view, step)?;
            if drawn.is_none() {
                known = form::known(view.wf, step, &view.facts_entering(step));
            }
            (
                view.wf,
                step.clone(),
                Some(id.clone()),
                format!("/case/{}/step/{}", enc(id), enc(step)),
                format!("/case/{}", enc(id)),
            )
        }
        Taking::New { workflow } => {
            let wf = ws.workflow(workflow)?;
            (
                wf,
                wf.spec.start.value.clone(),
                None,
                format!("/new/{}", enc(workflow)),
                "/".to_string(),
            )
        }
    };
    let drawn = drawn.unwrap_or(Drawn {
        plan: None,
        problems: Vec::new(),
        drafts: Vec::new(),
    });
    let mut problems = drawn.problems;
    if let Some(p) = &drawn.plan {
        problems.extend(p.problems.iter().cloned());
    }
    // A form opened afresh shows what the case already knows of its fields.
    let given = if known.is_empty() { fields } else { &known[..] };
    let inputs: Vec<FieldView> = form::fields(&ws, wf, &step, given, &problems);
    let general = form::general_problems(&inputs, &problems)
        .into_iter()
        .filter(|p| p.field.as_deref() != Some(ID_FIELD))
        .collect::<Vec<_>>();
    let id_problems: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.field.as_deref() == Some(ID_FIELD))
        .collect();
    let spec = wf.step(&step);
    let ready = drawn.plan.as_ref().is_some_and(StepPlan::is_ready);
    let html = server.pages.render(
        "form.html",
        serde_json::json!({
            "workflow_title": wf.spec.title.clone(),
            "step_title": spec.map(|s| s.title.clone()),
            "step_help": spec.and_then(|s| s.help.clone()),
            "case_id": case_id,
            "new_id": value(fields, ID_FIELD),
            "id_problems": id_problems,
            "action": action,
            "back": back,
            "token": who.token.clone(),
            "token_field": TOKEN_FIELD,
            "fields": inputs,
            "general": general,
            "submitted": drawn.plan.is_some(),
            "ready": ready,
            "sha": drawn.plan.as_ref().and_then(|p| p.case_sha256.clone()),
            "drafts": drawn.drafts,
            "again": !value(fields, form::AGAIN_FIELD).is_empty(),
        }),
    )?;
    Ok(Html(html).into_response())
}
