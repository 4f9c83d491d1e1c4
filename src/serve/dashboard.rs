//! The dashboard (首页): owns what the clerk sees first — what is due, by agency (the agenda of
//! `yingsu agenda`), the open cases with their current step and next deadline (the rows of
//! `yingsu status`), and where to start a new case.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::{Server, blocking};
use crate::engine::{self, Actor, agenda};
use crate::error::Result;

/// An open case as a row of the dashboard.
#[derive(Serialize)]
struct Row {
    id: String,
    workflow_title: String,
    step_title: String,
    agency: String,
    deadline: String,
    due: String,
    left: String,
    overdue: bool,
}

/// A workflow a new case can be opened in.
#[derive(Serialize)]
struct NewCase {
    workflow: String,
    title: String,
    step_title: String,
}

/// The dashboard's filters (`?agency=…&workflow=…&overdue=1`), as `status` takes them.
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct Filters {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    workflow: String,
    #[serde(default)]
    overdue: String,
}

pub(crate) async fn page(
    State(server): State<Arc<Server>>,
    filters: std::result::Result<Query<Filters>, QueryRejection>,
) -> Response {
    let filters = filters.map(|Query(f)| f).unwrap_or_default();
    blocking(&server, move |s| draw(s, &filters)).await
}

fn draw(server: &Server, filters: &Filters) -> Result<Response> {
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let status = engine::status(&ws, today)?;
    let given = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let filter = agenda::Filter {
        open: true,
        agency: given(&filters.agency),
        workflow: given(&filters.workflow),
        overdue: !filters.overdue.is_empty(),
        ..Default::default()
    };
    let open = agenda::select(status.rows, &filter, today);
    let due = agenda::agenda(&open, today);
    let rows: Vec<Row> = open
        .iter()
        .map(|r| Row {
            id: r.id.clone(),
            workflow_title: r.workflow_title.clone(),
            step_title: r.step_title.clone(),
            agency: r.agency_name.clone().unwrap_or_default(),
            deadline: r
                .deadline
                .as_ref()
                .map(|d| d.title.clone())
                .unwrap_or_default(),
            due: r
                .deadline
                .as_ref()
                .and_then(|d| d.due)
                .map(|d| d.to_string())
                .unwrap_or_default(),
            left: r
                .deadline
                .as_ref()
                .map(|d| d.missing.clone().unwrap_or_else(|| d.left_text()))
                .unwrap_or_default(),
            overdue: r.deadline.as_ref().is_some_and(|d| d.overdue),
        })
        .collect();
    let new_cases: Vec<NewCase> = ws
        .workflows
        .iter()
        .map(|(name, wf)| NewCase {
            workflow: name.clone(),
            title: wf.spec.title.clone(),
            step_title: wf
                .step(&wf.spec.start.value)
                .map(|s| s.title.clone())
                .unwrap_or_default(),
        })
        .collect();
    let unreadable: Vec<String> = status
        .unreadable
        .iter()
        .flat_map(|u| u.diagnostics())
        .map(|d| d.to_string())
        .collect();
    let html = server.pages.render(
        "dashboard.html",
        serde_json::json!({
            "today": today.to_string(),
            "week_end": due.week_end.to_string(),
            "agenda": due.agencies,
            "rows": rows,
            "new_cases": new_cases,
            "unreadable": unreadable,
            "filters": filters,
            "agencies": ws
                .config
                .agencies
                .iter()
                .map(|(id, a)| (id.clone(), a.name.clone()))
                .collect::<Vec<_>>(),
        }),
    )?;
    Ok(Html(html).into_response())
}
