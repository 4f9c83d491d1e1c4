//! The report pages (/report/monthly, /report/bulletin): own making the monthly return and the
//! quarterly bulletin from the browser — the clerk chooses the unit (by name), the month or
//! quarter and the date; the page shows the document as a draft first (typeset pages marked
//! “草稿”, no number taken, nothing written: `stats::monthly_preview`,
//! `stats::bulletin_preview`), then a confirmation issues it through the call of
//! `yingsu report` (`stats::monthly`, `stats::bulletin`: the lock, the number, the archive).

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::guard::TOKEN_FIELD;
use super::guard::{CheckedForm, Who};
use super::{Server, blocking};
use crate::engine::Actor;
use crate::engine::issue::ReportIssue;
use crate::error::{Error, Result};
use crate::stats::{Period, ReportPreview};

/// Which report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Monthly,
    Bulletin,
}

impl Kind {
    fn of(s: &str) -> Result<Kind> {
        match s {
            "monthly" => Ok(Kind::Monthly),
            "bulletin" => Ok(Kind::Bulletin),
            other => Err(Error::user(
                format!("没有名为 `{other}` 的报表"),
                "可用的报表：月度出庭应诉情况报送表（/report/monthly）、季度出庭应诉情况通报（/report/bulletin）",
            )),
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Kind::Monthly => "monthly",
            Kind::Bulletin => "bulletin",
        }
    }

    fn title(self) -> &'static str {
        match self {
            Kind::Monthly => "月度出庭应诉情况报送表",
            Kind::Bulletin => "季度出庭应诉情况通报",
        }
    }
}

/// What the clerk chose (the query of the preview, the fields of the confirmation).
#[derive(Debug, Default, Clone, Deserialize, Serialize)]
pub(crate) struct Choice {
    /// Monthly: the agency's id.
    #[serde(default)]
    agency: String,
    /// Monthly: `2023-03`.
    #[serde(default)]
    month: String,
    /// Bulletin: `2023Q1`.
    #[serde(default)]
    quarter: String,
    /// Bulletin: the addressees.
    #[serde(default)]
    to: String,
    /// Bulletin: the issuer's id.
    #[serde(default)]
    issuer: String,
    /// The document's date (`2023-05-08`).
    #[serde(default)]
    date: String,
    #[serde(default)]
    reissue: String,
}

impl Choice {
    fn of_fields(fields: &[(String, String)]) -> Choice {
        let v = |k: &str| {
            fields
                .iter()
                .find(|(f, _)| f == k)
                .map(|(_, v)| v.trim().to_string())
                .unwrap_or_default()
        };
        Choice {
            agency: v("agency"),
            month: v("month"),
            quarter: v("quarter"),
            to: v("to"),
            issuer: v("issuer"),
            date: v("date"),
            reissue: v("reissue"),
        }
    }

    /// Whether enough is chosen to make the report.
    fn complete(&self, kind: Kind) -> bool {
        match kind {
            Kind::Monthly => !self.agency.is_empty() && !self.month.is_empty(),
            Kind::Bulletin => !self.quarter.is_empty(),
        }
    }

    fn date(&self, today: NaiveDate) -> Result<NaiveDate> {
        if self.date.is_empty() {
            return Ok(today);
        }
        crate::facts::parse_date(&self.date).map_err(|why| {
            Error::user(
                format!("日期 `{}` 无效：{why}", self.date),
                "日期写成 2023-05-08 的形式",
            )
        })
    }
}

/// A draft as shown.
#[derive(Serialize)]
struct DraftView {
    title: String,
    file: String,
    issued: bool,
    pages: Vec<String>,
}

impl From<ReportPreview> for DraftView {
    fn from(p: ReportPreview) -> DraftView {
        DraftView {
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
            title: p.title,
            file: p.file,
            issued: p.issued,
        }
    }
}

pub(crate) async fn page(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(kind): UrlPath<String>,
    query: std::result::Result<Query<Choice>, QueryRejection>,
) -> Response {
    let choice = query.map(|Query(q)| q).unwrap_or_default();
    blocking(&server, move |s| {
        draw(s, &who, Kind::of(&kind)?, &choice, None)
    })
    .await
}

pub(crate) async fn submit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(kind): UrlPath<String>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| issue(s, &who, Kind::of(&kind)?, &fields)).await
}

/// The largest report PDF served.
const MAX_PDF_BYTES: u64 = 64 << 20;

pub(crate) async fn pdf(
    State(server): State<Arc<Server>>,
    UrlPath(kind): UrlPath<String>,
    query: std::result::Result<Query<Choice>, QueryRejection>,
) -> Response {
    let choice = query.map(|Query(q)| q).unwrap_or_default();
    blocking(&server, move |s| issued_pdf(s, Kind::of(&kind)?, &choice)).await
}

/// The issued report the choice names (its place is the library's; no path comes from the
/// request).
fn issued_pdf(server: &Server, kind: Kind, choice: &Choice) -> Result<Response> {
    let ws = server.workspace()?;
    let file = file_of(&ws, kind, choice)?;
    let path = std::path::Path::new(&file);
    if !ws.root.join(path).is_file() {
        return Err(Error::user(
            format!("{file} 尚未生成"),
            "先在本页预览草稿，确认后再打开",
        ));
    }
    let bytes = crate::jail::read_inside(&ws.root, path, MAX_PDF_BYTES)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "report.pdf".into());
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

/// Where the chosen report is written when issued.
fn file_of(ws: &crate::Workspace, kind: Kind, choice: &Choice) -> Result<String> {
    match kind {
        Kind::Monthly => crate::stats::monthly_file(ws, &choice.agency, &choice.month),
        Kind::Bulletin => crate::stats::bulletin_file(&choice.quarter),
    }
}

/// The link to the issued report of `choice`.
fn pdf_link(kind: Kind, choice: &Choice) -> String {
    match kind {
        Kind::Monthly => format!(
            "/report/monthly/pdf?agency={}&month={}",
            super::enc(&choice.agency),
            super::enc(&choice.month)
        ),
        Kind::Bulletin => format!(
            "/report/bulletin/pdf?quarter={}",
            super::enc(&choice.quarter)
        ),
    }
}

/// Issue the report as `yingsu report` does.
fn issue(server: &Server, who: &Who, kind: Kind, fields: &[(String, String)]) -> Result<Response> {
    let choice = Choice::of_fields(fields);
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let date = choice.date(today)?;
    let reissue = !choice.reissue.is_empty();
    let renderer = &server.renderer;
    let made = match kind {
        Kind::Monthly => {
            crate::stats::monthly(&ws, renderer, &choice.agency, &choice.month, date, reissue)?
        }
        Kind::Bulletin => crate::stats::bulletin(
            &ws,
            renderer,
            &choice.quarter,
            &addressees(&ws, &choice),
            Some(choice.issuer.as_str()).filter(|s| !s.is_empty()),
            date,
            reissue,
        )?,
    };
    let title = crate::case::numbered_title(&format!("《{}》", made.title), made.number.as_deref());
    let message = match made.outcome {
        Some(ReportIssue::Unchanged) => {
            format!("{title}已印发，内容没有变化，未改动：{}", made.file)
        }
        Some(ReportIssue::Reissued { date }) => {
            format!("已重新印发{title}：{}（替换 {date} 印发的原件）", made.file)
        }
        _ => format!("已生成{title}：{}", made.file),
    };
    draw(server, who, kind, &choice, Some(message))
}

/// The addressees of a bulletin: as chosen, else as yingsu.yaml words them.
fn addressees(ws: &crate::Workspace, choice: &Choice) -> String {
    if choice.to.is_empty() {
        ws.config.words().addressees.unwrap_or_default()
    } else {
        choice.to.clone()
    }
}

/// The report's page: the choices, and the draft when they are complete (or what was issued).
fn draw(
    server: &Server,
    who: &Who,
    kind: Kind,
    choice: &Choice,
    issued: Option<String>,
) -> Result<Response> {
    let ws = server.workspace()?;
    let today = Actor::from_env()?.today();
    let mut shown = choice.clone();
    if shown.date.is_empty() {
        shown.date = today.to_string();
    }
    if shown.to.is_empty() {
        shown.to = addressees(&ws, choice);
    }
    if shown.issuer.is_empty() {
        shown.issuer = ws.config.bureau_issuer().unwrap_or_default().to_string();
    }
    let (mut draft, mut problem) = (None, None);
    if issued.is_none() && choice.complete(kind) {
        let made = choice.date(today).and_then(|date| match kind {
            Kind::Monthly => crate::stats::monthly_preview(
                &ws,
                &server.renderer,
                &choice.agency,
                &choice.month,
                date,
            ),
            Kind::Bulletin => crate::stats::bulletin_preview(
                &ws,
                &server.renderer,
                &choice.quarter,
                &addressees(&ws, choice),
                Some(choice.issuer.as_str()).filter(|s| !s.is_empty()),
                date,
            ),
        });
        match made {
            Ok(p) => draft = Some(DraftView::from(p)),
            Err(e @ (Error::User(_) | Error::Many(_))) => problem = Some(e.to_string()),
            Err(e) => return Err(e),
        }
    }
    if shown.month.is_empty() && kind == Kind::Monthly {
        shown.month = Period::month(today.year(), today.month())?.code();
    }
    if shown.quarter.is_empty() && kind == Kind::Bulletin {
        shown.quarter = Period::quarter_of(today)?.code();
    }
    let cfg = &ws.config;
    let html = server.pages.render(
        "report.html",
        serde_json::json!({
            "kind": kind.slug(),
            "title": kind.title(),
            "choice": shown,
            "agencies": crate::stats::board::agency_choices(&ws),
            "issuers": cfg.issuers.iter().map(|(id, i)| (id.clone(), i.name.clone())).collect::<Vec<_>>(),
            "draft": draft,
            "problem": problem,
            "pdf": pdf_link(kind, &shown),
            "issued": issued,
            "token": who.token.clone(),
            "token_field": TOKEN_FIELD,
        }),
    )?;
    Ok(Html(html).into_response())
}
