//! Taking back a case's last step from its page: owns the undo form's request — the clerk's
//! reason, checked by the engine (`engine::undo`, the same call as `case undo`: the lock, the
//! voided documents and numbers, the cases it opened withdrawn) — refused when the case has
//! had another entry since its page was drawn, so the step taken back is the one the clerk saw,
//! and, when users log in, refused to a user whose role may not take that step.

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::guard::{CheckedForm, Who};
use super::{Server, blocking, enc};
use crate::engine;
use crate::error::Result;

/// The form field with the number of history entries the page showed.
pub(crate) const ENTRIES_FIELD: &str = "_entries";

pub(crate) async fn submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(id): UrlPath<String>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| undo(s, &who, &id, &fields)).await
}

fn undo(server: &Server, who: &Who, id: &str, fields: &[(String, String)]) -> Result<Response> {
    crate::case::check_id(id)?;
    let ws = server.workspace()?;
    let actor = who.actor()?;
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.as_str())
            .unwrap_or("")
    };
    // Taking a step back is for those who may take it (a step only a 领导 signs is unsigned
    // only by one). The step checked is the one undone: `undo_seen` refuses when the case
    // has had another entry since the page was drawn.
    if let Some(role) = who.role() {
        let view = engine::load_case(&ws, id)?;
        engine::plan::check_role(view.wf, view.current_step(), role)?;
    }
    // No count given is no count seen: refused rather than taking back an unseen step.
    let shown: usize = get(ENTRIES_FIELD).parse().unwrap_or(0);
    engine::undo_seen(&ws, id, get("reason"), &actor, Some(shown))?;
    Ok(Redirect::to(&format!("/case/{}", enc(id))).into_response())
}
