//! Statistics and supervision: owns the figures the justice bureau publishes (appearance and loss
//! rates) computed from the archive, the target checks and the rectification cases they open
//! (`check`), the comparison with the court's list (`reconcile`), the monthly return and the
//! quarterly bulletin (`report`), and the figures the reply-letter template prints
//! ([`document_stats`]).
//!
//! # Which cases are counted
//!
//! A *litigation case* is any case whose history has reached a `notice` or `appearance` step (the
//! `appearance` workflow, or a workspace copy of it). Facts are read as the engine reads them:
//! the history's facts with the clerk's typed `facts:` on top ([`crate::case::Case::facts`]).
//! Each `appearance` history entry is one **hearing**, with its own `hearing_date`,
//! `head_appeared`, `head_spoke` and `absence_reason` (when a case has several hearings, what each
//! entry recorded is used; with one hearing, a typed correction applies to it).
//! A case belongs to its `agency`; the agency's `group` (yingsu.yaml) decides the denominator,
//! its `kind` the per-kind totals.
//!
//! # Definitions (one period = a month, quarter, year or `--from/--to` range, both ends included)
//!
//! | figure | counts | the date that places a case in the period |
//! |---|---|---|
//! | 出庭通知 `notices` | cases with `head_required: true` (court notice requiring the head), any level | `notice_date` |
//! | 通知出庭 `notices_appeared` | of those, cases where the head appeared at one hearing at least | (same case, same period as its notice) |
//! | 开庭 `heard` | first-instance cases (`level` 一审 or missing) with at least one hearing | the date of the case's **first** hearing |
//! | 开庭出庭 `heard_appeared` | of those, cases where the head appeared at one hearing at least | (same case, same period as its first hearing) |
//! | 计数 `counted` / 出庭 `appeared` | `notices`/`notices_appeared` for agencies whose group has `denominator: notices`, `heard`/`heard_appeared` for `denominator: hearings` | as above |
//! | 出庭率 `rate` | `appeared ÷ counted` | |
//! | 出庭未发言 `silent` | counted cases where the head appeared at a hearing with `head_spoke: false` (not counted when `head_spoke` was not recorded) | as `counted` |
//! | 审结 `concluded` | first-instance cases that reached the `judgment` step — every outcome, including 撤诉 and 调解 | `judgment_date` |
//! | 改变决定（败诉）`losses` | concluded cases whose outcome is 撤销, 部分撤销, 确认违法, 确认无效, 责令履行法定职责, 变更 or 判决赔偿 | `judgment_date` |
//! | 败诉率 `loss_rate` | `losses ÷ concluded` | |
//! | 同比 `change` | this period's rate minus the rate of the same period one year earlier, in percentage points, computed from the two **displayed** (rounded) rates so that the printed figures add up (61.9% → 100% is +38.1) | |
//!
//! **Several hearings of one case.** Following the SPC rules art. 7, one appearance per level
//! fulfils the duty: a case counts once (in the period of its first hearing), and counts as
//! "appeared" if the head appeared at any of its hearings, whenever that hearing was. Each level
//! (一审, 二审, 再审) is its own case file with its own duty; only first-instance cases enter
//! `heard`, `concluded` and `losses` (as the reply letters count "一审案件"), while a notice
//! requiring the head counts at any level. A court's renewed request to appear is not modelled.
//!
//! **Totals.** A group's figures are the sums over its agencies (all share the group's
//! denominator); a kind's and the region's `counted`/`appeared` are the sums of each agency's own
//! counted/appeared, so the region total mixes notices and hearings when groups differ (shown as
//! 口径 “混合”).
//!
//! **Rounding.** Rates are kept as exact fractions and shown in tenths of a percent, rounded half
//! up with integer arithmetic (`(2000·n + d) div 2d`): 333/354 → 94.1, 27/370 → 7.3. A trailing
//! “.0” is dropped as the letters do (“100%”). With nothing counted the rate is empty (“—”, JSON
//! `null`).
//!
//! # Targets (`check`)
//!
//! Per agency and period (default: the current quarter), from `targets` in yingsu.yaml:
//! - `floor` — the agency counted at least one case and its displayed rate is below `floor`
//!   (rule `floor`, reason 出庭率未达标);
//! - `interview_at_zero` — the agency counted at least one case and the head appeared in none
//!   (rule `zero`, reason 出庭率为零, an interview 约谈; replaces `floor` for that agency);
//! - `require_full` — a case with one of these flags set, heard in the period (first hearing), in
//!   which the head appeared at no hearing, any level (rule `full`, reason 出庭率未达标);
//! - `rectify_unjustified` — a hearing in the period with `head_appeared: false` and
//!   `absence_reason: 无正当理由` (rule `unjustified`, reason 无正当理由不出庭). A hearing already
//!   covered — its entry opened a case (the workflow's own `<case-id>-整改`), such a case exists,
//!   or a rectification case with reason 无正当理由不出庭 lists its case number — is reported as
//!   covered and never opened again.
//!
//! `check --open` opens one `rectification` case per agency and rule with the id
//! `ZG-<period code>-<agency>-<rule>` (e.g. `ZG-2023Q1-scjgj-floor`); an existing id is skipped,
//! so running it twice opens nothing the second time.
//!
//! # Reconciliation (`reconcile`)
//!
//! The court's CSV (案号, 收到通知日期, 开庭日期, 负责人是否出庭; header optional; BOM and CRLF
//! accepted; one row per hearing) is compared, by normalised case number, with the archive's
//! litigation cases whose notice or a hearing falls in the period (`--period`, or by default the
//! range of dates in the CSV). Differences: case only on one side, notice date, hearing dates,
//! appearance. Bad rows are reported with their line numbers. The exit code is 0 when everything
//! matches and 1 when there is any difference or bad row (like `diff`).

mod check;
mod figures;
mod period;
mod reconcile;
mod report;

use std::collections::BTreeMap;
use std::io::Write;

use serde::Serialize;
use serde_json::{Value, json};

use crate::config::Denominator;
use crate::engine::{Actor, DocRequest};
use crate::error::{Error, Result};
use crate::workspace::Workspace;

pub use check::{Breach, Rule, check, open_breaches};
pub use figures::{
    Archive, Counts, Hearing, LOSS_OUTCOMES, Rate, Record, fmt_change, fmt_permille,
    norm_case_number,
};
pub use period::{Kind as PeriodKind, Period};
pub use reconcile::{Difference, reconcile};
pub use report::{bulletin, monthly};

fn w(out: &mut dyn Write, s: impl AsRef<str>) -> Result<()> {
    writeln!(out, "{}", s.as_ref()).map_err(|e| Error::io("输出", "stdout", e))
}

/// A period as reported.
#[derive(Debug, Clone, Serialize)]
pub struct PeriodInfo {
    pub code: String,
    pub label: String,
    pub from: String,
    pub to: String,
}

impl From<&Period> for PeriodInfo {
    fn from(p: &Period) -> Self {
        PeriodInfo {
            code: p.code(),
            label: p.label(),
            from: p.from.to_string(),
            to: p.to.to_string(),
        }
    }
}

/// One line of the statistics: the region, a group, a kind or an agency.
#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// `total`, `group`, `kind` or `agency`.
    pub scope: &'static str,
    pub id: String,
    pub name: String,
    /// `notices`, `hearings` or `mixed`.
    pub denominator: &'static str,
    #[serde(flatten)]
    pub counts: Counts,
    /// Displayed rate without “%”, e.g. "94.1"; `None` when nothing was counted.
    pub rate: Option<String>,
    pub previous_rate: Option<String>,
    /// Percentage points, e.g. "+38.1"; `None` unless both rates exist.
    pub change: Option<String>,
    pub loss_rate: Option<String>,
    pub previous_loss_rate: Option<String>,
    pub loss_change: Option<String>,
    /// Agencies only: the rate reaches the floor (`None` when nothing was counted).
    pub target_met: Option<bool>,
    /// The same figures for the same period of the previous year.
    pub previous: Counts,
}

impl Row {
    fn build(
        scope: &'static str,
        id: &str,
        name: &str,
        denominator: &'static str,
        cur: Counts,
        prev: Counts,
        floor: i64,
    ) -> Row {
        let r = cur.rate().permille();
        let pr = prev.rate().permille();
        let l = cur.loss_rate().permille();
        let pl = prev.loss_rate().permille();
        let diff = |a: Option<i64>, b: Option<i64>| a.zip(b).map(|(a, b)| fmt_change(a - b));
        Row {
            scope,
            id: id.to_string(),
            name: name.to_string(),
            denominator,
            rate: r.map(fmt_permille),
            previous_rate: pr.map(fmt_permille),
            change: diff(r, pr),
            loss_rate: l.map(fmt_permille),
            previous_loss_rate: pl.map(fmt_permille),
            loss_change: diff(l, pl),
            target_met: if scope == "agency" {
                r.map(|r| r >= floor)
            } else {
                None
            },
            counts: cur,
            previous: prev,
        }
    }

    pub fn rate_permille(&self) -> Option<i64> {
        self.counts.rate().permille()
    }
}

/// The statistics of a period.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub period: PeriodInfo,
    pub previous_period: PeriodInfo,
    /// The floor in tenths of a percent, displayed (e.g. "90").
    pub floor: String,
    pub rows: Vec<Row>,
}

impl Stats {
    pub fn rows_of<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a Row> + 'a {
        self.rows.iter().filter(move |r| r.scope == scope)
    }

    pub fn total(&self) -> Option<&Row> {
        self.rows_of("total").next()
    }
}

/// The floor of yingsu.yaml in tenths of a percent.
pub fn floor_permille(ws: &Workspace) -> i64 {
    (ws.config.targets.floor * 10.0).round() as i64
}

fn denom_name(d: Denominator) -> &'static str {
    match d {
        Denominator::Notices => "notices",
        Denominator::Hearings => "hearings",
    }
}

/// Compute the statistics of `period` (and the same period of the previous year).
pub fn compute(ws: &Workspace, archive: &Archive, period: &Period) -> Result<Stats> {
    let prev_period = period.previous_year()?;
    let cur = figures::count_by_agency(ws, archive, period);
    let prev = figures::count_by_agency(ws, archive, &prev_period);
    let floor = floor_permille(ws);
    let cfg = &ws.config;
    let mut rows = Vec::new();
    let agencies: Vec<&String> = cur.keys().collect();
    let denom_of = |a: &str| denom_name(figures::denominator_of(ws, a));
    let sum = |ids: &[&String]| {
        let mut c = Counts::default();
        let mut p = Counts::default();
        for id in ids {
            if let Some(x) = cur.get(*id) {
                c.add(x);
            }
            if let Some(x) = prev.get(*id) {
                p.add(x);
            }
        }
        (c, p)
    };
    let mixed = |ids: &[&String]| {
        let mut ds: Vec<&'static str> = ids.iter().map(|a| denom_of(a)).collect();
        ds.sort();
        ds.dedup();
        if ds.len() == 1 { ds[0] } else { "mixed" }
    };
    let (c, p) = sum(&agencies);
    rows.push(Row::build(
        "total",
        "total",
        &format!("{}合计", cfg.region),
        mixed(&agencies),
        c,
        p,
        floor,
    ));
    for (gid, g) in &cfg.groups {
        let ids: Vec<&String> = agencies
            .iter()
            .copied()
            .filter(|a| cfg.agencies.get(*a).is_some_and(|x| &x.group == gid))
            .collect();
        let (c, p) = sum(&ids);
        rows.push(Row::build(
            "group",
            gid,
            &g.title,
            denom_name(g.denominator),
            c,
            p,
            floor,
        ));
    }
    let mut kinds: BTreeMap<String, Vec<&String>> = BTreeMap::new();
    for a in &agencies {
        let k = cfg
            .agencies
            .get(*a)
            .and_then(|x| x.kind.clone())
            .unwrap_or_else(|| "未分类".into());
        kinds.entry(k).or_default().push(a);
    }
    for (k, ids) in &kinds {
        let (c, p) = sum(ids);
        rows.push(Row::build("kind", k, k, mixed(ids), c, p, floor));
    }
    for a in &agencies {
        let (c, p) = sum(&[*a]);
        let name = cfg
            .agencies
            .get(*a)
            .map(|x| x.short.clone().unwrap_or_else(|| x.name.clone()))
            .unwrap_or_else(|| (*a).clone());
        rows.push(Row::build("agency", a, &name, denom_of(a), c, p, floor));
    }
    Ok(Stats {
        period: period.into(),
        previous_period: (&prev_period).into(),
        floor: fmt_permille(floor),
        rows,
    })
}

/// Figures a document template may need: for a document whose facts have `stats_year`, the
/// year's figures per agency group (the reply letter prints a paragraph per group).
pub fn document_stats(ws: &Workspace, req: &DocRequest) -> Value {
    let Some(year) = req.facts.get("stats_year").and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }) else {
        return Value::Null;
    };
    let Ok(year) = i32::try_from(year) else {
        return Value::Null;
    };
    let (Ok(period), Ok(archive)) = (Period::year(year), Archive::load(ws)) else {
        return Value::Null;
    };
    let Ok(stats) = compute(ws, &archive, &period) else {
        return Value::Null;
    };
    let groups: Vec<Value> = stats
        .rows_of("group")
        .map(|r| {
            json!({
                "id": r.id,
                "title": r.name,
                "denominator": r.denominator,
                "counted": r.counts.counted,
                "appeared": r.counts.appeared,
                "rate": r.rate,
                "previous_rate": r.previous_rate,
                "change": r.change,
                "silent": r.counts.silent,
                "concluded": r.counts.concluded,
                "losses": r.counts.losses,
                "loss_rate": r.loss_rate,
            })
        })
        .collect();
    json!({"year": year, "groups": groups})
}

// ------------------------------------------------------------------ CLI

/// Period options shared by the commands.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct PeriodArgs {
    /// 统计期间：2023（年度）、2023Q1（季度）或 2023-03（月份）
    #[arg(long, value_name = "期间")]
    pub period: Option<String>,
    /// 年度，如 2022
    #[arg(long, value_name = "年")]
    pub year: Option<i32>,
    /// 季度，如 2023Q1
    #[arg(long, value_name = "季度")]
    pub quarter: Option<String>,
    /// 月份，如 2023-03
    #[arg(long, value_name = "月")]
    pub month: Option<String>,
    /// 起始日期（含），与 --to 同用
    #[arg(long, value_name = "日期")]
    pub from: Option<String>,
    /// 截止日期（含），与 --from 同用
    #[arg(long, value_name = "日期")]
    pub to: Option<String>,
}

impl PeriodArgs {
    pub fn period(&self) -> Result<Option<Period>> {
        Period::from_options(
            self.period.as_deref(),
            self.year,
            self.quarter.as_deref(),
            self.month.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )
    }
}

/// Arguments of `yingsu stats`.
#[derive(clap::Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 以 JSON 输出
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// 以 CSV 输出（UTF-8）
    #[arg(long)]
    pub csv: bool,
}

/// Arguments of `yingsu check`.
#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 为尚未整改的情形开启督查整改案件（生成整改通知书、约谈通知书）
    #[arg(long)]
    pub open: bool,
    /// 约谈时间（开启约谈时写入约谈通知书）
    #[arg(long, value_name = "时间", default_value = "另行通知")]
    pub interview_time: String,
    /// 约谈地点
    #[arg(long, value_name = "地点", default_value = "另行通知")]
    pub interview_place: String,
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `yingsu reconcile`.
#[derive(clap::Args, Debug)]
pub struct ReconcileArgs {
    /// 法院案件清单（CSV：案号、收到通知日期、开庭日期、负责人是否出庭）
    #[arg(value_name = "CSV文件")]
    pub file: std::path::PathBuf,
    /// 只比对该期间的案件（默认为清单中日期的范围）：2023、2023Q1、2023-03
    #[arg(long, value_name = "期间")]
    pub period: Option<String>,
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
}

/// What `yingsu report` makes.
#[derive(clap::Subcommand, Debug)]
pub enum ReportKind {
    /// 月度出庭应诉情况报送表：yingsu report monthly --agency scjgj --month 2023-03
    Monthly {
        /// 单位编号（yingsu.yaml 中 agencies 下）
        #[arg(long, value_name = "单位")]
        agency: String,
        /// 月份，如 2023-03
        #[arg(long, value_name = "月")]
        month: String,
        /// 填报日期（默认今天）
        #[arg(long, value_name = "日期")]
        date: Option<String>,
    },
    /// 季度出庭应诉情况通报：yingsu report bulletin --quarter 2023Q1
    Bulletin {
        /// 季度，如 2023Q1
        #[arg(long, value_name = "季度")]
        quarter: String,
        /// 主送机关
        #[arg(
            long,
            value_name = "机关",
            default_value = "区政府各部门，各镇人民政府、街道办事处"
        )]
        to: String,
        /// 成文日期（默认今天）
        #[arg(long, value_name = "日期")]
        date: Option<String>,
        /// 发文机关（yingsu.yaml 中 issuers 下的编号）
        #[arg(long, value_name = "机关", default_value = "sfj")]
        issuer: String,
    },
}

/// Arguments of `yingsu report`.
#[derive(clap::Args, Debug)]
pub struct ReportArgs {
    #[command(subcommand)]
    pub kind: ReportKind,
}

fn pct(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("{s}%"))
        .unwrap_or_else(|| "—".into())
}

fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}

fn denom_label(d: &str) -> &'static str {
    match d {
        "notices" => "通知",
        "hearings" => "开庭",
        _ => "混合",
    }
}

fn scope_label(s: &str) -> &'static str {
    match s {
        "total" => "合计",
        "group" => "分组",
        "kind" => "类型",
        _ => "单位",
    }
}

const CSV_HEADER: &[&str] = &[
    "类别",
    "编号",
    "名称",
    "口径",
    "出庭通知",
    "通知出庭",
    "开庭",
    "开庭出庭",
    "计数",
    "负责人出庭",
    "出庭率",
    "上年同期出庭率",
    "同比（百分点）",
    "出庭未发言",
    "审结",
    "改变决定",
    "败诉率",
    "上年同期败诉率",
    "败诉率同比（百分点）",
];

/// Quote a CSV field when needed.
pub fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn today() -> Result<chrono::NaiveDate> {
    Ok(Actor::from_env()?.today())
}

pub fn cmd_stats(ws: &Workspace, a: StatsArgs, out: &mut dyn Write) -> Result<()> {
    let period = match a.period.period()? {
        Some(p) => p,
        None => Period::year(chrono::Datelike::year(&today()?))?,
    };
    let archive = Archive::load(ws)?;
    let stats = compute(ws, &archive, &period)?;
    if a.json {
        let s = serde_json::to_string_pretty(&stats).map_err(|e| Error::Internal(e.to_string()))?;
        return w(out, s);
    }
    if a.csv {
        w(out, CSV_HEADER.join(","))?;
        for r in &stats.rows {
            let c = &r.counts;
            let cells = [
                scope_label(r.scope).to_string(),
                r.id.clone(),
                r.name.clone(),
                denom_label(r.denominator).to_string(),
                c.notices.to_string(),
                c.notices_appeared.to_string(),
                c.heard.to_string(),
                c.heard_appeared.to_string(),
                c.counted.to_string(),
                c.appeared.to_string(),
                r.rate.clone().unwrap_or_default(),
                r.previous_rate.clone().unwrap_or_default(),
                r.change.clone().unwrap_or_default(),
                c.silent.to_string(),
                c.concluded.to_string(),
                c.losses.to_string(),
                r.loss_rate.clone().unwrap_or_default(),
                r.previous_loss_rate.clone().unwrap_or_default(),
                r.loss_change.clone().unwrap_or_default(),
            ];
            w(
                out,
                cells
                    .iter()
                    .map(|s| csv_field(s))
                    .collect::<Vec<_>>()
                    .join(","),
            )?;
        }
        return Ok(());
    }
    w(
        out,
        format!(
            "{}（{} 至 {}）出庭应诉统计，同比对照{}（{} 至 {}）",
            stats.period.label,
            stats.period.from,
            stats.period.to,
            stats.previous_period.label,
            stats.previous_period.from,
            stats.previous_period.to
        ),
    )?;
    w(out, "")?;
    let header = [
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
    let rows: Vec<Vec<String>> = stats
        .rows
        .iter()
        .filter(|r| {
            r.scope != "agency" || r.counts != Counts::default() || r.previous != Counts::default()
        })
        .map(|r| {
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
        })
        .collect();
    crate::cli::print_table(out, &header, &rows)?;
    w(out, "")?;
    w(
        out,
        format!(
            "说明：口径“通知”以法院通知负责人出庭的案件计数（按收到通知日期），“开庭”以开庭审理的一审案件计数（按首次开庭日期）；\
         同一审级多次开庭的案件计一件，负责人出庭一次即计为出庭；同比为百分点；败诉率=改变行政机关决定件数÷审结件数（按裁判日期）；\
         ▲ 表示低于 {}% 的出庭率下限。无案件的单位未列出。",
            stats.floor
        ),
    )
}

pub fn cmd_check(ws: &Workspace, a: CheckArgs, out: &mut dyn Write) -> Result<()> {
    let actor = Actor::from_env()?;
    let period = match a.period.period()? {
        Some(p) => p,
        None => Period::quarter_of(actor.today())?,
    };
    let archive = Archive::load(ws)?;
    let breaches = check(ws, &archive, &period)?;
    let opened = if a.open {
        let renderer = crate::render::TypstRenderer::new();
        open_breaches(
            ws,
            &breaches,
            &period,
            &actor,
            &renderer,
            &a.interview_time,
            &a.interview_place,
        )?
    } else {
        vec![]
    };
    if a.json {
        let s = serde_json::to_string_pretty(
            &json!({"period": PeriodInfo::from(&period), "breaches": breaches, "opened": opened}),
        )
        .map_err(|e| Error::Internal(e.to_string()))?;
        return w(out, s);
    }
    w(
        out,
        format!(
            "{}（{} 至 {}）考核检查",
            period.label(),
            period.from,
            period.to
        ),
    )?;
    if breaches.is_empty() {
        return w(out, "未发现不达标情形。");
    }
    let rows: Vec<Vec<String>> = breaches
        .iter()
        .map(|b| {
            let status = if !b.covered_by.is_empty() {
                format!("已整改案件 {}", b.covered_by.join("、"))
            } else if opened.contains(&b.rect_id) {
                format!("本次开启 {}", b.rect_id)
            } else {
                format!("未开启（{}）", b.rect_id)
            };
            vec![
                b.rule.title().to_string(),
                b.agency_name.clone(),
                b.detail.clone(),
                status,
            ]
        })
        .collect();
    crate::cli::print_table(out, &["情形", "单位", "查明的事实", "整改案件"], &rows)?;
    let pending = breaches
        .iter()
        .filter(|b| b.covered_by.is_empty() && !opened.contains(&b.rect_id))
        .count();
    w(
        out,
        format!(
            "共 {} 项，其中已有整改案件 {} 项，本次开启 {} 项，尚未开启 {pending} 项。",
            breaches.len(),
            breaches.iter().filter(|b| !b.covered_by.is_empty()).count(),
            opened.len()
        ),
    )?;
    if pending > 0 {
        w(
            out,
            "用 `yingsu check --open` 为尚未开启的情形开启督查整改案件（不会重复开启）。",
        )?;
    }
    Ok(())
}

pub fn cmd_reconcile(ws: &Workspace, a: ReconcileArgs, out: &mut dyn Write) -> Result<()> {
    let period = a.period.as_deref().map(Period::parse).transpose()?;
    let archive = Archive::load(ws)?;
    let result = reconcile(ws, &archive, &a.file, period.as_ref())?;
    if a.json {
        let s =
            serde_json::to_string_pretty(&result).map_err(|e| Error::Internal(e.to_string()))?;
        w(out, s)?;
    } else {
        w(
            out,
            format!(
                "比对范围：{} 至 {}；法院清单 {} 行（{} 件），档案 {} 件。",
                result.from, result.to, result.rows, result.court_cases, result.archive_cases
            ),
        )?;
        for b in &result.bad_rows {
            w(
                out,
                format!("{}:{}：{}", a.file.display(), b.line, b.message),
            )?;
        }
        if !result.differences.is_empty() {
            let rows: Vec<Vec<String>> = result
                .differences
                .iter()
                .map(|d| {
                    vec![
                        d.case_number.clone(),
                        d.kind.clone(),
                        d.court.clone(),
                        d.archive.clone(),
                        d.line.map(|l| l.to_string()).unwrap_or_default(),
                        d.case_id.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            crate::cli::print_table(
                out,
                &["案号", "差异", "法院", "档案", "清单行", "案件编号"],
                &rows,
            )?;
        }
    }
    let n = result.differences.len() + result.bad_rows.len();
    if n == 0 {
        if !a.json {
            w(out, "法院清单与档案一致。")?;
        }
        return Ok(());
    }
    Err(Error::user(
        format!(
            "发现 {} 处差异、{} 行无法识别",
            result.differences.len(),
            result.bad_rows.len()
        ),
        "请核对差异：补录或更正案件记录（yingsu case show 案件编号），或与法院核实清单",
    ))
}

pub fn cmd_report(ws: &Workspace, a: ReportArgs, out: &mut dyn Write) -> Result<()> {
    let actor = Actor::from_env()?;
    let date_arg = |d: &Option<String>| -> Result<chrono::NaiveDate> {
        match d {
            Some(s) => crate::facts::parse_date(s).map_err(|why| {
                Error::user(
                    format!("--date 的日期 `{s}` 无效：{why}"),
                    "日期写成 2023-05-08 的形式",
                )
            }),
            None => Ok(actor.today()),
        }
    };
    let renderer = crate::render::TypstRenderer::new();
    let made = match a.kind {
        ReportKind::Monthly {
            agency,
            month,
            date,
        } => monthly(ws, &renderer, &agency, &month, date_arg(&date)?)?,
        ReportKind::Bulletin {
            quarter,
            to,
            date,
            issuer,
        } => bulletin(ws, &renderer, &quarter, &to, &issuer, date_arg(&date)?)?,
    };
    w(
        out,
        format!(
            "已生成{}：{}",
            crate::case::numbered_title(&format!("《{}》", made.title), made.number.as_deref()),
            made.file
        ),
    )
}
