//! The dashboard (首页): owns what the clerk sees first — what is due, by agency (the agenda of
//! `yingsu agenda`), the open cases with their current step and next deadline (the rows of
//! `yingsu status`), chosen by agency, workflow, step, year or a search word (案号, a party, an
//! agency's name), the year's appearance and loss rates per group with their charts (the
//! figures of `yingsu stats`), and where to start a new case. Everything is
//! `stats::board::board`'s; this lays it out.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::{Deserialize, Serialize};

use super::stats_page::{loss_chart, rate_chart};
use super::{Server, blocking};
use crate::engine::Actor;
use crate::error::Result;
use crate::stats::board::{self, Board, BoardFilter};

/// An open case as a row of the dashboard.
#[derive(Serialize)]
struct Row {
    id: String,
    case_number: String,
    parties: String,
    workflow_title: String,
    step_title: String,
    agency: String,
    deadline: String,
    due: String,
    left: String,
    overdue: bool,
}

/// At most this many open cases are listed (the most pressing first); filters and the search
/// find the others. A page of thousands of rows helps nobody and is slow to draw.
const SHOWN: usize = 300;

/// A workflow a new case can be opened in.
#[derive(Serialize)]
struct NewCase {
    workflow: String,
    title: String,
    step_title: String,
}

/// The dashboard's filters (`?agency=…&workflow=…&step=…&year=…&q=…&overdue=1`).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct Filters {
    #[serde(default)]
    agency: String,
    #[serde(default)]
    workflow: String,
    #[serde(default)]
    step: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    q: String,
    #[serde(default)]
    overdue: String,
}

/// A step the filter can choose, named by its title (and its workflows').
#[derive(Serialize)]
struct StepChoice {
    step: String,
    title: String,
}

/// A group's figures of the year, as `yingsu stats` gives them.
#[derive(Serialize)]
struct GroupFigures {
    name: String,
    cells: Vec<String>,
}

pub(crate) async fn page(
    State(server): State<Arc<Server>>,
    filters: std::result::Result<Query<Filters>, QueryRejection>,
) -> Response {
    let filters = filters.map(|Query(f)| f).unwrap_or_default();
    blocking(&server, move |s| draw(s, &filters)).await
}

/// How many dashboards (one per filter) are kept.
const KEPT: usize = 8;

/// The dashboards computed for the workspace's current generation (see [`super::fresh`]), the
/// latest first: a dashboard asked for again, with the same filter on the same day, is shown
/// from here while no case file, workflow or setting changed. Over 10,000 cases that is the
/// difference between reading every case's summaries and laying out a page.
#[derive(Default)]
pub(crate) struct Kept(Mutex<Vec<KeptBoard>>);

/// A dashboard kept: the generation and day it was computed for, its filter, the overview.
type KeptBoard = (u64, NaiveDate, BoardFilter, Arc<Board>);

impl Kept {
    fn get(&self, generation: u64, today: NaiveDate, filter: &BoardFilter) -> Option<Arc<Board>> {
        let kept = self.0.lock().ok()?;
        kept.iter()
            .find(|(g, d, f, _)| *g == generation && *d == today && f == filter)
            .map(|(_, _, _, b)| b.clone())
    }

    fn keep(&self, generation: u64, today: NaiveDate, filter: BoardFilter, board: Arc<Board>) {
        if let Ok(mut kept) = self.0.lock() {
            kept.retain(|(g, d, f, _)| *g == generation && *d == today && *f != filter);
            kept.insert(0, (generation, today, filter, board));
            kept.truncate(KEPT);
        }
    }
}

/// The overview for `filter` on `today`: kept from an earlier request while the workspace has
/// not changed, computed (and kept) otherwise.
/// `generation` is the one read before the workspace was opened: a change while the settings
/// and cases are read moves the generation past what is kept.
fn overview(
    server: &Server,
    ws: &crate::workspace::Workspace,
    generation: Option<u64>,
    today: NaiveDate,
    filter: BoardFilter,
) -> Result<Arc<Board>> {
    if let Some(b) = generation.and_then(|g| server.boards.get(g, today, &filter)) {
        return Ok(b);
    }
    let b = Arc::new(board::board(
        ws,
        today,
        &filter,
        crate::listing::figures_and_rows(ws, today)?,
    )?);
    if let Some(g) = generation {
        server.boards.keep(g, today, filter, b.clone());
    }
    Ok(b)
}

fn draw(server: &Server, filters: &Filters) -> Result<Response> {
    let generation = server.changes.generation();
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let given = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
    let mut year_problem = None;
    let year = match given(&filters.year).map(|y| y.parse::<i32>()) {
        Some(Ok(y)) if (1900..=2999).contains(&y) => Some(y),
        Some(_) => {
            year_problem = Some(format!(
                "年度 `{}` 无法识别，已列出全部年度：写成 2023 的形式",
                filters.year.trim()
            ));
            None
        }
        None => None,
    };
    let filter = BoardFilter {
        agency: given(&filters.agency),
        workflow: given(&filters.workflow),
        step: given(&filters.step),
        year,
        overdue: !filters.overdue.is_empty(),
        query: given(&filters.q),
    };
    let b = overview(server, &ws, generation, today, filter)?;
    let rows: Vec<Row> = b
        .cases
        .iter()
        .take(SHOWN)
        .map(|c| (c, &c.row))
        .map(|(c, r)| Row {
            id: r.id.clone(),
            case_number: c.case_number.clone().unwrap_or_default(),
            parties: c.parties.join("、"),
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
                .map(|d| d.due_text())
                .unwrap_or_default(),
            left: r
                .deadline
                .as_ref()
                .map(|d| d.missing.clone().unwrap_or_else(|| d.left_text()))
                .unwrap_or_default(),
            overdue: r.deadline.as_ref().is_some_and(|d| d.overdue),
        })
        .collect();
    let mut steps: Vec<StepChoice> = Vec::new();
    for wf in ws.workflows.values() {
        for (id, st) in wf.spec.steps.iter() {
            match steps.iter_mut().find(|c| c.step == id) {
                Some(c) if !c.title.split('、').any(|t| t == st.title) => {
                    c.title = format!("{}、{}", c.title, st.title);
                }
                Some(_) => {}
                None => steps.push(StepChoice {
                    step: id.to_string(),
                    title: st.title.clone(),
                }),
            }
        }
    }
    let floor = crate::stats::floor_permille(&ws);
    let groups: Vec<GroupFigures> = b
        .stats
        .rows
        .iter()
        .filter(|r| r.scope == "total" || r.scope == "group")
        .map(|r| GroupFigures {
            name: r.name.clone(),
            cells: super::stats_page::cells(r),
        })
        .collect();
    let charts = [
        rate_chart("各分组负责人出庭应诉率", b.stats.rows_of("group"), floor),
        loss_chart("各分组败诉率", b.stats.rows_of("group")),
    ];
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
    let unreadable: Vec<String> = b
        .unreadable
        .iter()
        .flat_map(|u| u.diagnostics())
        .map(|d| d.to_string())
        .collect();
    let html = server.pages.render(
        "dashboard.html",
        serde_json::json!({
            "today": today.to_string(),
            "week_end": b.agenda.week_end.to_string(),
            "horizon": crate::engine::agenda::HORIZON,
            "agenda": b.agenda.agencies,
            "steps": steps,
            "years": b.years,
            "year_problem": year_problem,
            "period": b.stats.period,
            "groups": groups,
            "charts": charts,
            "rows": rows,
            "count": b.cases.len(),
            "shown": SHOWN,
            "new_cases": new_cases,
            "unreadable": unreadable,
            "filters": filters,
            "agencies": board::agency_choices(&ws),
        }),
    )?;
    Ok(Html(html).into_response())
}
