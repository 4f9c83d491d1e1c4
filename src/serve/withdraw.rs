//! Withdrawing a mistaken case from its page: owns the withdraw form's request — the clerk's
//! reason, checked by the engine (`engine::withdraw`, the same call as `case withdraw`: the
//! lock, the documents and numbers voided, the cases it opened withdrawn with it).

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::guard::{CheckedForm, Who};
use super::{Server, blocking, enc};
use crate::engine;
use crate::error::Result;

pub(crate) async fn submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(id): UrlPath<String>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| withdraw(s, &who, &id, &fields)).await
}

fn withdraw(server: &Server, who: &Who, id: &str, fields: &[(String, String)]) -> Result<Response> {
    crate::case::check_id(id)?;
    let ws = server.workspace()?;
    let reason = fields
        .iter()
        .find(|(k, _)| k == "reason")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    engine::withdraw(&ws, id, reason, &who.actor()?)?;
    Ok(Redirect::to(&format!("/case/{}", enc(id))).into_response())
}
