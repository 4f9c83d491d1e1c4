//! Attaching a judgment from a case's page: owns the upload form's request — the files and
//! title the clerk sent (a multipart form, its token checked by [`super::guard::CheckedUpload`]),
//! placed by the same library call as `case attach` (`engine::attach`: content checked, names
//! derived by yingsu, one history entry, written atomically under the lock).

use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::guard::{CheckedUpload, Who};
use super::{Server, blocking, enc};
use crate::engine::{self, Upload};
use crate::error::Result;

/// The upload form's file field.
pub(crate) const FILE_FIELD: &str = "file";

pub(crate) async fn submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(id): UrlPath<String>,
    upload: CheckedUpload,
) -> Response {
    blocking(&server, move |s| attach(s, &who, &id, upload)).await
}

fn attach(server: &Server, who: &Who, id: &str, upload: CheckedUpload) -> Result<Response> {
    crate::case::check_id(id)?;
    let ws = server.workspace()?;
    let title = upload
        .fields
        .iter()
        .find(|(k, _)| k == "title")
        .map(|(_, v)| v.trim())
        .filter(|t| !t.is_empty());
    let files: Vec<Upload> = upload
        .files
        .into_iter()
        .filter(|(field, _, _)| field == FILE_FIELD)
        .map(|(_, name, bytes)| Upload { name, bytes })
        .collect();
    engine::attach(&ws, id, &files, title, &who.actor()?, &server.renderer)?;
    Ok(Redirect::to(&format!("/case/{}", enc(id))).into_response())
}
