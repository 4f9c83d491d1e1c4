//! Statistical documents: the monthly return (月度出庭应诉情况报送表, template `yuebao`) and the
//! quarterly bulletin (出庭应诉情况通报, template `tongbao`), written to `archive/reports/<year>/`.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use serde_json::{Value, json};

use crate::engine::{DocRequest, DocumentRenderer, Prepared};
use crate::error::{Error, Result};
use crate::facts;
use crate::numbers::Numbering;
use crate::workspace::Workspace;

use super::check::{Rule, check};
use super::figures::{Archive, Record, fmt_permille};
use super::period::{Kind, Period};

/// A report written to the archive.
#[derive(Debug, Clone, Serialize)]
pub struct Made {
    pub title: String,
    pub number: Option<String>,
    /// Relative to the workspace.
    pub file: String,
    /// Whether it was written, found unchanged, or re-issued.
    #[serde(skip)]
    pub outcome: Option<crate::engine::issue::ReportIssue>,
}

/// A report made ready: what issuing it or previewing it takes.
struct Ready {
    template: &'static str,
    title: String,
    number: Option<String>,
    date: NaiveDate,
    data: Value,
    ident: String,
    /// Relative to the workspace.
    file: String,
    numbering: Numbering,
}

impl Ready {
    /// The document request of the report.
    fn request(&self, ws: &Workspace) -> Result<DocRequest> {
        Ok(DocRequest {
            case_id: String::new(),
            workflow: String::new(),
            step: String::new(),
            template: self.template.to_string(),
            title: self.title.clone(),
            issuer: None,
            number: self.number.clone(),
            date: self.date,
            facts: Default::default(),
            history: Vec::new(),
            prepared: Some(Prepared {
                data: self.data.clone(),
                ident: self.ident.clone(),
            }),
            declared: ws.declared(self.template)?,
        })
    }

    /// Issue the report through the engine's document path (the one renderer, one atomic
    /// write with the reserved numbers).
    fn issue(self, ws: &Workspace, renderer: &dyn DocumentRenderer, reissue: bool) -> Result<Made> {
        let req = self.request(ws)?;
        let outcome = crate::engine::issue::issue_prepared(
            ws,
            &req,
            &self.file,
            self.numbering,
            renderer,
            reissue,
        )?;
        Ok(Made {
            outcome: Some(outcome),
            title: self.title,
            number: self.number,
            file: self.file,
        })
    }

    /// The report typeset as a draft: marked “草稿”, without a number, nothing written.
    fn preview(&self, ws: &Workspace, renderer: &dyn DocumentRenderer) -> Result<ReportPreview> {
        let req = self.request(ws)?;
        let mut data = renderer.data(ws, &req)?;
        if let Some(d) = data.get_mut("doc").and_then(Value::as_object_mut) {
            d.insert("draft".into(), Value::Bool(true));
        }
        let typeset = renderer.preview(ws, &req, &data)?;
        let issued = ws
            .output_path(&crate::engine::issue::frozen_path(&self.file))
            .is_ok_and(|p| p.is_file());
        Ok(ReportPreview {
            title: self.title.clone(),
            file: self.file.clone(),
            issued,
            pdf: typeset.pdf,
            pages: typeset.pages,
        })
    }
}

/// A report typeset as a draft for a screen, before it is issued: nothing is written and no
/// number is taken (the bulletin's 文号 is given when it is issued).
#[derive(Debug, Clone)]
pub struct ReportPreview {
    pub title: String,
    /// Where issuing it writes it, relative to the workspace.
    pub file: String,
    /// The report was issued before (issuing it again needs `reissue` when it changed).
    pub issued: bool,
    pub pdf: Vec<u8>,
    /// The pages as SVG images (none when the renderer cannot draw them).
    pub pages: Vec<String>,
}

fn date_zh(d: Option<NaiveDate>) -> String {
    d.map(facts::format_date_zh).unwrap_or_default()
}

fn yes_no(b: Option<bool>) -> &'static str {
    match b {
        Some(true) => "是",
        Some(false) => "否",
        None => "",
    }
}

/// The period a report command was given, which must be of `kind`.
fn period_of(value: &str, kind: Kind) -> Result<Period> {
    let period = Period::parse(value)?;
    if period.kind != kind {
        let (flag, what, example) = match kind {
            Kind::Month => ("--month", "月份", "2023-03"),
            _ => ("--quarter", "季度", "2023Q1"),
        };
        return Err(Error::user(
            format!("{flag} 的值 `{value}` 不是{what}"),
            format!("写成 {example} 的形式"),
        ));
    }
    Ok(period)
}

/// The entry `key` of a `yingsu.yaml` section (`what` names it for the user).
fn configured<'a, T>(
    section: &'a std::collections::BTreeMap<String, T>,
    key: &str,
    what: &str,
    name: &str,
) -> Result<&'a T> {
    section.get(key).ok_or_else(|| {
        Error::user(
            format!("{what} `{key}` 不在 yingsu.yaml 的 {name} 中"),
            format!(
                "可用的{what}：{}",
                section.keys().cloned().collect::<Vec<_>>().join("、")
            ),
        )
    })
}

fn monthly_path(period: &Period, agency: &str) -> String {
    format!(
        "archive/reports/{}/monthly-{}-{agency}.pdf",
        period.from.year(),
        period.code()
    )
}

fn bulletin_path(period: &Period) -> String {
    format!(
        "archive/reports/{}/bulletin-{}.pdf",
        period.from.year(),
        period.code()
    )
}

/// Where the monthly return of `agency` (an id of yingsu.yaml's `agencies`) for `month` is
/// written when issued, relative to the workspace.
pub fn monthly_file(ws: &Workspace, agency: &str, month: &str) -> Result<String> {
    let period = period_of(month, Kind::Month)?;
    configured(&ws.config.agencies, agency, "单位", "agencies")?;
    Ok(monthly_path(&period, agency))
}

/// Where the bulletin of `quarter` is written when issued, relative to the workspace.
pub fn bulletin_file(quarter: &str) -> Result<String> {
    Ok(bulletin_path(&period_of(quarter, Kind::Quarter)?))
}

/// The monthly return of one agency, issued (written to the archive).
pub fn monthly(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    agency: &str,
    month: &str,
    date: NaiveDate,
    reissue: bool,
) -> Result<Made> {
    monthly_ready(ws, agency, month, date)?.issue(ws, renderer, reissue)
}

/// The monthly return of one agency as [`monthly`] would issue it, typeset as a draft:
/// nothing is written.
pub fn monthly_preview(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    agency: &str,
    month: &str,
    date: NaiveDate,
) -> Result<ReportPreview> {
    monthly_ready(ws, agency, month, date)?.preview(ws, renderer)
}

fn monthly_ready(ws: &Workspace, agency: &str, month: &str, date: NaiveDate) -> Result<Ready> {
    let period = period_of(month, Kind::Month)?;
    let a = configured(&ws.config.agencies, agency, "单位", "agencies")?;
    let mut archive = Archive::load(ws)?;
    archive.complete()?;
    // Taken on the return's date, so the same return made again says the same.
    archive.as_of = Some(date);
    let as_of = archive.as_of;
    let stats = super::compute(ws, &archive, &period)?;
    let row = stats
        .rows
        .iter()
        .find(|r| r.scope == "agency" && r.id == agency);
    let mut recs: Vec<&Record> = archive
        .records
        .iter()
        .filter(|r| r.agency == agency)
        .filter(|r| {
            r.notice_date.is_some_and(|d| period.contains(d))
                || r.hearings
                    .iter()
                    .any(|h| h.date.is_some_and(|d| period.contains(d)))
        })
        .collect();
    recs.sort_by(|x, y| {
        (x.first_hearing(as_of).or(x.notice_date), &x.case_number)
            .cmp(&(y.first_hearing(as_of).or(y.notice_date), &y.case_number))
    });
    let mut rows = Vec::new();
    for r in recs {
        let hs: Vec<_> = r
            .held(as_of)
            .filter(|h| h.date.is_some_and(|d| period.contains(d)))
            .collect();
        let base = |h: Option<&super::figures::Hearing>| {
            let head = h
                .map(|h| {
                    format!(
                        "{}{}",
                        h.head_post.clone().unwrap_or_default(),
                        h.head_name.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default();
            json!({
                "case_number": r.case_number,
                "cause": r.cause,
                "level": r.level,
                "plaintiffs": r.plaintiffs.join("、"),
                "notice_date": date_zh(r.notice_date),
                "head_required": if r.head_required { "是" } else { "否" },
                "hearing_date": date_zh(h.and_then(|h| h.date)),
                "appeared": yes_no(h.and_then(|h| h.appeared)),
                "head": if h.and_then(|h| h.appeared) == Some(true) { head } else { String::new() },
                "spoke": if h.and_then(|h| h.appeared) == Some(true) { yes_no(h.and_then(|h| h.spoke)) } else { "" },
                "absence_reason": if h.and_then(|h| h.appeared) == Some(false) { h.and_then(|h| h.absence_reason.clone()).unwrap_or_default() } else { String::new() },
            })
        };
        if hs.is_empty() {
            rows.push(base(None));
        }
        for h in hs {
            rows.push(base(Some(h)));
        }
    }
    let c = row.map(|r| r.counts.clone()).unwrap_or_default();
    let issuer = a.issuer.as_ref().and_then(|i| ws.config.issuers.get(i));
    let title = format!("{}出庭应诉情况报送表", period.label());
    let data = json!({
        "doc": {"title": title, "date": facts::format_date_zh(date), "date_iso": date.to_string()},
        "region": ws.config.region,
        "words": ws.config.words(),
        "period": {"code": period.code(), "label": period.label()},
        "agency": {"id": agency, "name": a.name, "short": a.short.clone().unwrap_or_else(|| a.name.clone()), "kind": a.kind},
        "issuer": issuer.map(|i| json!({"name": i.name, "contact": i.contact, "phone": i.phone, "seal": i.seal_value()})),
        "denominator": super::denom_name(super::figures::denominator_of(ws, agency)),
        "summary": {
            "notices": c.notices, "heard": c.heard, "counted": c.counted, "appeared": c.appeared,
            "rate": row.and_then(|r| r.rate.clone()), "silent": c.silent,
            "concluded": c.concluded, "losses": c.losses, "pending": c.pending,
            "losses_text": c.losses_text(),
        },
        "rows": rows,
    });
    let rel = monthly_path(&period, agency);
    Ok(Ready {
        template: "yuebao",
        title,
        number: None,
        date,
        data,
        ident: format!("report#monthly#{agency}#{}", period.code()),
        file: rel,
        numbering: Numbering::new(ws),
    })
}

/// The quarterly bulletin of the justice bureau, numbered by `issuer` (by default the bureau's
/// issuer, `bureau.issuer` of `yingsu.yaml`). A workspace without a justice bureau (an
/// agency's) issues none.
pub fn bulletin(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    quarter: &str,
    to: &str,
    issuer: Option<&str>,
    date: NaiveDate,
    reissue: bool,
) -> Result<Made> {
    bulletin_ready(ws, quarter, to, issuer, date, true)?.issue(ws, renderer, reissue)
}

/// The quarterly bulletin as [`bulletin`] would issue it, typeset as a draft: no number is
/// taken (the draft shows none) and nothing is written.
pub fn bulletin_preview(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    quarter: &str,
    to: &str,
    issuer: Option<&str>,
    date: NaiveDate,
) -> Result<ReportPreview> {
    bulletin_ready(ws, quarter, to, issuer, date, false)?.preview(ws, renderer)
}

/// The bulletin made ready; `numbered`: its number is taken (reserved, recorded when issued).
fn bulletin_ready(
    ws: &Workspace,
    quarter: &str,
    to: &str,
    issuer: Option<&str>,
    date: NaiveDate,
    numbered: bool,
) -> Result<Ready> {
    let period = period_of(quarter, Kind::Quarter)?;
    let issuer = match issuer.or_else(|| ws.config.bureau_issuer()) {
        Some(i) => i,
        None => {
            return Err(Error::user(
                "季度出庭应诉情况通报由司法局印发，本工作区没有司法局的发文机关",
                "这是司法局工作区的命令；本工作区若属于司法局，在 yingsu.yaml 的 issuers 下添加司法局（如 sfj），或写 bureau: {issuer: 司法局的编号}",
            ));
        }
    };
    let iss = configured(&ws.config.issuers, issuer, "发文机关", "issuers")?;
    let mut archive = Archive::load(ws)?;
    archive.complete()?;
    // Taken on the bulletin's date, so the same bulletin made again says the same.
    archive.as_of = Some(date);
    let stats = super::compute(ws, &archive, &period)?;
    let breaches = check(ws, &archive, &period)?;
    let floor = super::floor_permille(ws);
    let row_json = |r: &super::Row| {
        json!({
            "id": r.id, "name": r.name, "denominator": r.denominator,
            "notices": r.counts.notices, "heard": r.counts.heard,
            "counted": r.counts.counted, "appeared": r.counts.appeared, "rate": r.rate,
            "previous_rate": r.previous_rate, "change": r.change, "silent": r.counts.silent,
            "concluded": r.counts.concluded, "losses": r.counts.losses, "loss_rate": r.loss_rate,
            "losses_text": r.counts.losses_text(), "pending": r.counts.pending,
            "target_met": r.target_met,
        })
    };
    // In the order the bureau configured (stats rows are already in it): groups as yingsu.yaml
    // lists them, each group's units as its `agencies` lists them.
    let agencies: Vec<&super::Row> = stats
        .rows_of("agency")
        .filter(|r| r.counts.counted > 0)
        .collect();
    let chart: Vec<Value> = agencies
        .iter()
        .filter_map(|r| {
            let p = r.rate_permille()?;
            let v = if p % 10 == 0 {
                json!(p / 10)
            } else {
                json!(p as f64 / 10.0)
            };
            Some(json!({"name": r.name, "value": v}))
        })
        .collect();
    let names = |rule: Rule| -> Vec<Value> {
        let mut seen = Vec::new();
        for b in breaches.iter().filter(|b| b.rule == rule) {
            if !seen.iter().any(|x: &Value| x["agency"] == b.agency) {
                // The short name, as the table names the unit: one name form per document.
                seen.push(json!({"agency": b.agency, "name": ws.config.agency_short(&b.agency), "detail": b.detail, "cases": b.cases}));
            }
        }
        seen
    };
    let number_key = crate::numbers::Key::bulletin(&period.code());
    let mut numbering = Numbering::new(ws);
    // Numbered in the year of the period it reports on, so making the same bulletin again (even
    // in a later year) finds and keeps its number instead of taking a new one.
    let declared = ws.declared("tongbao")?;
    let prefix = crate::docformat::prefix(issuer, iss, &declared.kind, declared.format)?;
    let number = if numbered {
        Some(numbering.number(&prefix, period.from.year(), &number_key)?)
    } else {
        None
    };
    let mark = iss.mark.clone().unwrap_or_else(|| iss.name.clone());
    let org = if mark.ends_with("文件") {
        mark
    } else {
        format!("{mark}文件")
    };
    let title = format!(
        "{}关于{}行政机关负责人出庭应诉情况的通报",
        iss.name,
        period.label()
    );
    let rect_days = match ws.config.deadlines.get("rectification_report") {
        Some(crate::config::DeadlineSetting::WorkingDays(n)) => format!("{n}个工作日"),
        Some(crate::config::DeadlineSetting::CalendarDays(n)) => format!("{n}日"),
        Some(crate::config::DeadlineSetting::Months(n)) => format!("{n}个月"),
        None => String::new(),
    };
    let data = json!({
        "doc": {"title": title, "number": number, "date": facts::format_date_zh(date), "date_iso": date.to_string(),
                "format": declared.format.name(), "kind": declared.kind, "direction": declared.direction.name()},
        "org": org,
        "to": to,
        "region": ws.config.region,
        "words": ws.config.words(),
        "issuer": {"name": iss.name, "short": iss.short.clone().unwrap_or_else(|| iss.name.clone()), "contact": iss.contact, "phone": iss.phone, "seal": iss.seal_value()},
        "period": {"code": period.code(), "label": period.label(), "previous": period.previous_label()},
        "floor": fmt_permille(floor),
        "floor_value": if floor % 10 == 0 { json!(floor / 10) } else { json!(floor as f64 / 10.0) },
        "total": stats.total().map(row_json),
        "groups": stats.rows_of("group").map(row_json).collect::<Vec<_>>(),
        "agencies": agencies.iter().map(|r| row_json(r)).collect::<Vec<_>>(),
        "chart": chart,
        "short": names(Rule::Floor),
        "zero": names(Rule::Zero),
        "full": names(Rule::Full),
        "unjustified": names(Rule::Unjustified),
        "rectification_days": rect_days,
    });
    let rel = bulletin_path(&period);
    Ok(Ready {
        template: "tongbao",
        title,
        number,
        date,
        data,
        ident: format!("report#{number_key}"),
        file: rel,
        numbering,
    })
}
