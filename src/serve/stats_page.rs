//! The statistics page (/stats): owns showing `yingsu stats` for a period the clerk chooses (a
//! year, a quarter, a month, or from one date to another, as the command line takes them) —
//! the same rows, the same cells, year-on-year change — with the rates drawn as bar charts
//! (inline SVG, no script). The figures are the library's (`stats::compute`,
//! `Stats::listed`); this only lays them out. It also owns the charts the dashboard shares.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use chrono::Datelike;
use serde::{Deserialize, Serialize};

use super::{Server, blocking};
use crate::engine::Actor;
use crate::error::Result;
use crate::stats::cells::{denom_label, opt, pct, scope_label};
use crate::stats::{Archive, Period, Row, Stats, compute};

/// The period asked for (`?period=2023Q1` or `?from=…&to=…`).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct PeriodQuery {
    #[serde(default)]
    pub(crate) period: String,
    #[serde(default)]
    pub(crate) from: String,
    #[serde(default)]
    pub(crate) to: String,
}

impl PeriodQuery {
    /// The period as the command line reads `--period` or `--from/--to`; `None` when none was
    /// given.
    pub(crate) fn period(&self) -> Result<Option<Period>> {
        fn given(s: &str) -> Option<&str> {
            Some(s.trim()).filter(|s| !s.is_empty())
        }
        Period::from_options(
            given(&self.period),
            None,
            None,
            None,
            given(&self.from),
            given(&self.to),
        )
    }

    /// `period`, or `default` when none was given; an unreadable one is the error's message.
    pub(crate) fn or(&self, default: Period) -> (Period, Option<String>) {
        match self.period() {
            Ok(Some(p)) => (p, None),
            Ok(None) => (default, None),
            Err(e) => (default, Some(e.to_string())),
        }
    }
}

/// One bar of a chart, placed.
#[derive(Serialize)]
struct Bar {
    name: String,
    label: String,
    y: u32,
    width: u32,
    low: bool,
}

/// A horizontal bar chart of rates (0–100%) as the page draws it in SVG.
#[derive(Serialize)]
pub(crate) struct Chart {
    caption: String,
    height: u32,
    bars: Vec<Bar>,
    /// Where the floor's line is drawn, when there is one.
    floor_x: Option<u32>,
}

/// Left of the bars (the names), the bars' full width, one bar's height.
const NAMES_WIDTH: u32 = 170;
const BARS_WIDTH: u32 = 380;
const BAR_STEP: u32 = 24;

/// A chart of `(name, rate in tenths of a percent, below the floor)`; rows without a rate are
/// left out. `floor`: the floor in tenths of a percent, drawn as a line.
pub(crate) fn chart(
    caption: &str,
    items: impl Iterator<Item = (String, Option<i64>, bool)>,
    floor: Option<i64>,
) -> Chart {
    let x = |permille: i64| (permille.clamp(0, 1000) as u32) * BARS_WIDTH / 1000;
    let bars: Vec<Bar> = items
        .filter_map(|(name, p, low)| p.map(|p| (name, p, low)))
        .enumerate()
        .map(|(i, (name, p, low))| Bar {
            label: format!("{}%", crate::stats::fmt_permille(p)),
            name,
            y: i as u32 * BAR_STEP,
            width: x(p),
            low,
        })
        .collect();
    Chart {
        caption: caption.to_string(),
        height: bars.len() as u32 * BAR_STEP + 4,
        bars,
        floor_x: floor.map(|f| NAMES_WIDTH + x(f)),
    }
}

/// The appearance rates of `rows`, with the floor.
pub(crate) fn rate_chart<'a>(
    caption: &str,
    rows: impl Iterator<Item = &'a Row>,
    floor: i64,
) -> Chart {
    chart(
        caption,
        rows.map(|r| {
            (
                r.name.clone(),
                r.rate_permille(),
                r.rate_permille().is_some_and(|p| p < floor),
            )
        }),
        Some(floor),
    )
}

/// The loss rates of `rows`.
pub(crate) fn loss_chart<'a>(caption: &str, rows: impl Iterator<Item = &'a Row>) -> Chart {
    chart(
        caption,
        rows.map(|r| (r.name.clone(), r.counts.loss_rate().permille(), false)),
        None,
    )
}

/// The table's header: as `yingsu stats` prints it.
const HEADER: [&str; 15] = [
    "类别",
    "名称",
    "口径",
    "出庭通知",
    "开庭",
    "计数",
    "出庭",
    "出庭率",
    "上年同期",
    "同比",
    "未发言",
    "审结",
    "败诉",
    "败诉率",
    "同比",
];

/// A row's cells, as `yingsu stats` prints them (▲: below the floor).
pub(crate) fn cells(r: &Row) -> Vec<String> {
    let c = &r.counts;
    let mut name = r.name.clone();
    if r.target_met == Some(false) {
        name.push_str(" ▲");
    }
    vec![
        scope_label(r.scope).to_string(),
        name,
        denom_label(r.denominator).to_string(),
        c.notices.to_string(),
        c.heard.to_string(),
        c.counted.to_string(),
        c.appeared.to_string(),
        pct(&r.rate),
        pct(&r.previous_rate),
        opt(&r.change),
        c.silent.to_string(),
        c.concluded.to_string(),
        c.losses.to_string(),
        pct(&r.loss_rate),
        opt(&r.loss_change),
    ]
}

pub(crate) async fn page(
    State(server): State<Arc<Server>>,
    query: std::result::Result<Query<PeriodQuery>, QueryRejection>,
) -> Response {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    blocking(&server, move |s| draw(s, &query)).await
}

fn draw(server: &Server, query: &PeriodQuery) -> Result<Response> {
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let (period, problem) = query.or(Period::year(today.year())?);
    let archive = Archive::load(&ws)?;
    let stats: Stats = compute(&ws, &archive, &period)?;
    let floor = crate::stats::floor_permille(&ws);
    let rows: Vec<Vec<String>> = stats.listed().map(cells).collect();
    let pending = stats.total().map_or(0, |t| t.counts.pending).to_string();
    let charts = [
        rate_chart(
            "各单位负责人出庭应诉率",
            stats.listed().filter(|r| r.scope == "agency"),
            floor,
        ),
        loss_chart("各分组败诉率", stats.rows_of("group")),
    ];
    let unreadable: Vec<String> = archive
        .unreadable
        .iter()
        .flat_map(|u| u.diagnostics())
        .map(|d| d.to_string())
        .collect();
    let html = server.pages.render(
        "stats.html",
        serde_json::json!({
            "query": query,
            "problem": problem,
            "period": stats.period,
            "previous": stats.previous_period,
            "header": HEADER,
            "rows": rows,
            "pending": pending,
            "as_of": archive.as_of.map(|d| d.to_string()),
            "floor": stats.floor,
            "charts": charts,
            "unreadable": unreadable,
        }),
    )?;
    Ok(Html(html).into_response())
}
