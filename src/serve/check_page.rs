//! The supervision page (/check): owns showing `yingsu check` for a period the clerk chooses
//! (by default the current quarter, as the command line) — the findings, the rectification
//! cases that cover them, the open cases whose deadline lacks a start date — and what
//! `check --open` would open, with a confirmation form. Only a confirmed POST carrying the
//! form's token opens them, through `stats::open_breaches`, the call of `check --open --yes`;
//! refused when the list changed since the page was drawn, so what opens is what was shown.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use serde::Serialize;

use super::guard::TOKEN_FIELD;
use super::guard::{CheckedForm, Who};
use super::stats_page::PeriodQuery;
use super::{Server, blocking};
use crate::engine::Actor;
use crate::error::{Error, Result};
use crate::listing;
use crate::pipeline::TypstRenderer;
use crate::stats::{Breach, Period, check, compute, open_breaches};

/// The form field naming each rectification case the page listed to open.
const OPEN_FIELD: &str = "open";

/// A finding as listed.
#[derive(Serialize)]
struct Finding {
    rule: &'static str,
    agency: String,
    detail: String,
    /// The cases covering it, the one opened now, or the one it would open.
    covered_by: Vec<String>,
    opened: bool,
    rect_id: String,
}

/// A rectification case `check --open` would open.
#[derive(Serialize)]
struct ToOpen {
    rect_id: String,
    agency: String,
    rule: &'static str,
    notices: &'static str,
    detail: String,
}

/// An open case whose deadline lacks a start date.
#[derive(Serialize)]
struct Missing {
    id: String,
    agency: String,
    deadline: String,
    missing: String,
}

pub(crate) async fn page(
    State(server): State<Arc<Server>>,
    who: Who,
    query: std::result::Result<Query<PeriodQuery>, QueryRejection>,
) -> Response {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    blocking(&server, move |s| draw(s, &who, &query, &[])).await
}

pub(crate) async fn submit(
    State(server): State<Arc<Server>>,
    who: Who,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| open(s, &who, &fields)).await
}

fn value<'a>(fields: &'a [(String, String)], key: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// The period of `query`, by default the current quarter (as `check`).
fn period_of(query: &PeriodQuery) -> Result<(Period, Option<String>)> {
    let today = Actor::from_env()?.today();
    Ok(query.or(Period::quarter_of(today)?))
}

/// Open the listed rectification cases, when they are still exactly what `check --open` would
/// open.
fn open(server: &Server, who: &Who, fields: &[(String, String)]) -> Result<Response> {
    let query = PeriodQuery {
        period: value(fields, "period").to_string(),
        from: value(fields, "from").to_string(),
        to: value(fields, "to").to_string(),
    };
    let Some(period) = query.period()? else {
        return Err(Error::user(
            "确认开启时没有给出考核期间",
            "请重新打开督办页面，选择期间后再确认",
        ));
    };
    let ws = server.workspace()?;
    let actor = who.actor()?;
    let (archive, _) = listing::figures_and_rows(&ws, actor.today())?;
    let breaches = check(&ws, &archive, &period)?;
    let mut now: Vec<&str> = listing::would_open(&ws, &breaches)
        .iter()
        .map(|b| b.rect_id.as_str())
        .collect();
    let mut shown: Vec<&str> = fields
        .iter()
        .filter(|(k, _)| k == OPEN_FIELD)
        .map(|(_, v)| v.as_str())
        .collect();
    now.sort_unstable();
    shown.sort_unstable();
    if now != shown {
        return Err(Error::user(
            format!(
                "要开启的督查整改案件与页面上列出的不同（现在应开启：{}），本次没有开启任何案件",
                if now.is_empty() {
                    "无".to_string()
                } else {
                    now.join("、")
                }
            ),
            "请重新打开督办页面，核对列出的案件后再确认",
        ));
    }
    if now.is_empty() {
        return Err(Error::user(
            "没有需要开启的督查整改案件",
            "重新打开督办页面查看最新的检查结果",
        ));
    }
    let time = Some(value(fields, "interview_time").trim())
        .filter(|s| !s.is_empty())
        .unwrap_or("另行通知");
    let place = Some(value(fields, "interview_place").trim())
        .filter(|s| !s.is_empty())
        .unwrap_or("另行通知");
    let renderer: &TypstRenderer = &server.renderer;
    let group = crate::vcs::Group::begin(&ws);
    let opened = open_breaches(&ws, &breaches, &period, &actor, renderer, time, place)?;
    group.record(&ws, &actor, &crate::vcs::opened_record(&opened, &actor));
    draw(server, who, &query, &opened)
}

fn draw(server: &Server, who: &Who, query: &PeriodQuery, opened: &[String]) -> Result<Response> {
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let (period, problem) = period_of(query)?;
    let (archive, rows) = listing::figures_and_rows(&ws, today)?;
    let breaches: Vec<Breach> = check(&ws, &archive, &period)?;
    let to_open: Vec<ToOpen> = listing::would_open(&ws, &breaches)
        .into_iter()
        .map(|b| ToOpen {
            rect_id: b.rect_id.clone(),
            agency: b.agency_name.clone(),
            rule: b.rule.title(),
            notices: listing::notices_opened(b),
            detail: b.detail.clone(),
        })
        .collect();
    let findings: Vec<Finding> = breaches
        .iter()
        .map(|b| Finding {
            rule: b.rule.title(),
            agency: b.agency_name.clone(),
            detail: b.detail.clone(),
            covered_by: b.covered_by.clone(),
            opened: opened.contains(&b.rect_id),
            rect_id: b.rect_id.clone(),
        })
        .collect();
    let missing: Vec<Missing> = rows
        .iter()
        .filter(|r| listing::lacks_start(r))
        .map(|r| {
            let d = r.deadline.as_ref();
            Missing {
                id: r.id.clone(),
                agency: r.agency_name.clone().unwrap_or_default(),
                deadline: d.map(|d| d.title.clone()).unwrap_or_default(),
                missing: d.and_then(|d| d.missing.clone()).unwrap_or_default(),
            }
        })
        .collect();
    let pending = compute(&ws, &archive, &period)?
        .total()
        .map_or(0, |t| t.counts.pending);
    let fresh = |b: &&Breach| !opened.contains(&b.rect_id);
    let covered = breaches
        .iter()
        .filter(fresh)
        .filter(|b| !b.covered_by.is_empty())
        .count();
    let not_opened = breaches
        .iter()
        .filter(fresh)
        .filter(|b| b.covered_by.is_empty())
        .count();
    let html = server.pages.render(
        "check.html",
        serde_json::json!({
            "query": query,
            "problem": problem,
            "period": crate::stats::PeriodInfo::from(&period),
            "kind_range": period.kind == crate::stats::PeriodKind::Range,
            "pending": pending,
            "as_of": archive.as_of.map(|d| d.to_string()),
            "findings": findings,
            "covered": covered,
            "opened": opened,
            "not_opened": not_opened,
            "to_open": to_open,
            "missing": missing,
            "token": who.token.clone(),
            "token_field": TOKEN_FIELD,
        }),
    )?;
    Ok(Html(html).into_response())
}
