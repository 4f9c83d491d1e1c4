//! Facts learned later, from a case's page: owns the “补充事实” form — the fields the case may
//! still be given (`engine::fact::addable`), drawn as a step form draws them ([`super::form`]) —
//! and its request: checked by the engine (`engine::check_facts`), the problems shown beside
//! their fields, and recorded as a history entry by `engine::record_facts` (the lock and the
//! atomic write of `case fact`).

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::form::{self, FieldView};
use super::guard::TOKEN_FIELD;
use super::guard::{CheckedForm, Who};
use super::{Server, blocking, enc};
use crate::engine::{self, Input, Problem, fact};
use crate::workspace::Workspace;

use crate::error::Result;

/// The inputs of the fields case `view` may still be given, filled with `given` (form name →
/// value), with the `problems` beside them; none are required.
pub(crate) fn inputs(
    ws: &Workspace,
    view: &engine::CaseView<'_>,
    given: &[(String, String)],
    problems: &[Problem],
) -> Vec<FieldView> {
    let later = fact::addable(view);
    let mut steps: Vec<&str> = later.iter().map(|f| f.step.as_str()).collect();
    steps.dedup();
    let mut out: Vec<FieldView> = Vec::new();
    for step in steps {
        for mut f in form::fields(ws, view.wf, step, given, problems, &[], None) {
            if later.iter().any(|l| l.field == f.key) && !out.iter().any(|o| o.key == f.key) {
                f.required = false;
                f.conditional = false;
                f.shown = true;
                out.push(f);
            }
        }
    }
    out.sort_by_key(|f| later.iter().position(|l| l.field == f.key));
    out
}

/// A submitted form as the engine's input: each field the case may still be given that was
/// filled in, as a step form gives it.
fn input(view: &engine::CaseView<'_>, submitted: &[(String, String)]) -> Input {
    let later = fact::addable(view);
    let mut sets: Vec<String> = Vec::new();
    let mut steps: Vec<&str> = later.iter().map(|f| f.step.as_str()).collect();
    steps.dedup();
    for step in steps {
        for s in form::input(view.wf, step, submitted).sets {
            let key = s.split_once('=').map(|(k, _)| k).unwrap_or("");
            if later.iter().any(|l| l.field == key) && !sets.contains(&s) {
                sets.push(s);
            }
        }
    }
    // A field the case may not be given is sent on to be refused in the engine's words.
    for (k, v) in submitted {
        if !k.starts_with('_') && !v.trim().is_empty() && !later.iter().any(|l| &l.field == k) {
            sets.push(format!("{k}={v}"));
        }
    }
    Input {
        sets,
        ..Default::default()
    }
}

/// `POST /case/{id}/facts`.
pub(crate) async fn submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(id): UrlPath<String>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| record(s, &who, &id, &fields)).await
}

fn record(
    server: &Server,
    who: &Who,
    id: &str,
    submitted: &[(String, String)],
) -> Result<Response> {
    crate::case::check_id(id)?;
    let ws = server.workspace()?;
    let actor = who.actor()?;
    let view = engine::load_case(&ws, id)?;
    let input = input(&view, submitted);
    let mut problems = engine::check_facts(&ws, id, &input, &server.renderer)?;
    if problems.is_empty() && input.sets.is_empty() {
        problems.push(Problem {
            field: None,
            label: None,
            message: "没有填写要补充的事实，本次没有记录".into(),
            help: Some("在要补充的字段中填写后再提交".into()),
        });
    }
    if problems.is_empty() {
        engine::record_facts(&ws, id, &input, &actor, &server.renderer)?;
        return Ok(Redirect::to(&format!("/case/{}", enc(id))).into_response());
    }
    let fields = inputs(&ws, &view, submitted, &problems);
    let general: Vec<Problem> = form::general_problems(&fields, &problems);
    let html = server.pages.render(
        "facts.html",
        serde_json::json!({
            "id": id,
            "fields": fields,
            "general": general,
            "token": who.token.clone(),
            "token_field": TOKEN_FIELD,
        }),
    )?;
    Ok(Html(html).into_response())
}
