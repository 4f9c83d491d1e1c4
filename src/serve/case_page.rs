//! A case's page: owns showing one case as `case show` reads it (its sheet: facts with their
//! labels, the other instances of its lawsuit linked, the history as a timeline, the documents issued, the steps it may take next) and
//! serving an issued document's PDF — only a file the case's own history names, read inside
//! the workspace.

use std::path::Path;
use std::sync::Arc;

use axum::extract::{Path as UrlPath, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};

use super::{Server, blocking};
use crate::engine::{Actor, sheet};
use crate::error::{Error, Result};

/// The largest PDF served (an archive's documents are a few hundred kilobytes).
const MAX_PDF_BYTES: u64 = 64 << 20;

pub(crate) async fn page(
    State(server): State<Arc<Server>>,
    who: super::guard::Who,
    UrlPath(id): UrlPath<String>,
) -> Response {
    blocking(&server, move |s| draw(s, &id, &who.token)).await
}

fn draw(server: &Server, id: &str, token: &str) -> Result<Response> {
    crate::case::check_id(id)?;
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let sheet = sheet::case_sheet(&ws, id, today)?;
    let later = super::facts::inputs(&ws, &crate::engine::load_case(&ws, id)?, &[], &[]);
    let deadline = sheet.deadline.as_ref().map(|d| {
        serde_json::json!({
            "title": d.title,
            "due": d.due.map(|_| d.due_text()),
            "left": d.missing.clone().unwrap_or_else(|| d.left_text()),
            "overdue": d.overdue,
        })
    });
    // The archive's history of the case, as `yingsu log 案件编号` lists it (none outside a
    // repository).
    let commits: Vec<serde_json::Value> = crate::vcs::history::log(&ws.root, Some(id), None)
        .unwrap_or_default()
        .iter()
        .map(|e| serde_json::json!({"when": e.when(), "subject": e.subject}))
        .collect();
    let html = server.pages.render(
        "case.html",
        serde_json::json!({
            "sheet": sheet,
            "deadline": deadline,
            "token": token,
            "token_field": super::guard::TOKEN_FIELD,
            "entries_field": super::undo::ENTRIES_FIELD,
            "attach_field": super::attach::FILE_FIELD,
            "id": id,
            "fields": later,
            "general": [],
            "commits": commits,
        }),
    )?;
    Ok(Html(html).into_response())
}

/// `GET /case/{id}/doc/{entry}/{index}`: document `index` (from 0) of history entry `entry`
/// (from 1, as the page numbers them).
pub(crate) async fn document(
    State(server): State<Arc<Server>>,
    UrlPath((id, entry, index)): UrlPath<(String, usize, usize)>,
) -> Response {
    blocking(&server, move |s| pdf(s, &id, entry, index)).await
}

fn pdf(server: &Server, id: &str, entry: usize, index: usize) -> Result<Response> {
    crate::case::check_id(id)?;
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let sheet = sheet::case_sheet(&ws, id, today)?;
    let doc = entry
        .checked_sub(1)
        .and_then(|e| sheet.history.get(e))
        .and_then(|h| h.documents.get(index))
        .ok_or_else(|| {
            Error::user(
                format!(
                    "案件 `{id}` 的第 {entry} 条记录中没有第 {} 份文书",
                    index + 1
                ),
                "从案件页面的链接打开文书",
            )
        })?;
    let bytes = crate::jail::read_inside(&ws.root, Path::new(&doc.file), MAX_PDF_BYTES)?;
    let name = Path::new(&doc.file)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "document.pdf".into());
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename*=UTF-8''{}", super::enc(&name)),
            ),
        ],
        bytes,
    )
        .into_response())
}
