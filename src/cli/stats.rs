//! `stats`, `check`, `reconcile` and `report`: the statistics' commands. The library computes
//! the figures, findings and differences; this module reads the options and prints them as a
//! terminal table, JSON or CSV.

use std::io::Write;

use clap::{Args, Subcommand};
use serde_json::json;
use yingsu::engine::Actor;
use yingsu::engine::issue::ReportIssue;
use yingsu::error::{Error, Result};
use yingsu::pipeline::TypstRenderer;
use yingsu::stats::{
    Archive, CaseFigures, Counts, Period, PeriodInfo, bulletin, check, compute, monthly,
    open_breaches, reconcile,
};
use yingsu::workspace::Workspace;

use super::xlsx::{self, Cell, Sheet};
use super::{print_table, w};

/// Period options shared by the commands.
#[derive(Args, Debug, Clone, Default)]
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
#[derive(Args, Debug)]
pub struct StatsArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 以 JSON 输出
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// 以 CSV 输出（UTF-8，带 BOM，中文版 Excel 可直接打开）
    #[arg(long)]
    pub csv: bool,
    /// 同时把统计表写成 Excel 工作簿（.xlsx）
    #[arg(long, value_name = "文件")]
    pub xlsx: Option<std::path::PathBuf>,
    /// 汇总多个工作区（如各区县的 git 克隆）：每个工作区一行，另加合计；可重复（相对路径相对于 -C 的目录）。也可在 yingsu.yaml 中写 members
    #[arg(long = "workspace", value_name = "目录")]
    pub workspaces: Vec<std::path::PathBuf>,
}

/// Arguments of `yingsu check`.
#[derive(Args, Debug)]
pub struct CheckArgs {
    #[command(flatten)]
    pub period: PeriodArgs,
    /// 列出将为尚未整改的情形开启的督查整改案件（整改通知书、约谈通知书）；加 --yes 才开启
    #[arg(long)]
    pub open: bool,
    /// 与 --open 同用：确认开启所列的督查整改案件
    #[arg(long, requires = "open")]
    pub yes: bool,
    /// 约谈时间（开启约谈时写入约谈通知书）
    #[arg(long, value_name = "时间", default_value = "另行通知")]
    pub interview_time: String,
    /// 约谈地点
    #[arg(long, value_name = "地点", default_value = "另行通知")]
    pub interview_place: String,
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
    /// 同时把检查结果写成 Excel 工作簿（.xlsx）
    #[arg(long, value_name = "文件")]
    pub xlsx: Option<std::path::PathBuf>,
    /// 检查多个工作区（如各区县的 git 克隆），各加工作区一列；可重复（相对路径相对于 -C 的目录）。也可在 yingsu.yaml 中写 members
    #[arg(long = "workspace", value_name = "目录")]
    pub workspaces: Vec<std::path::PathBuf>,
}

/// Arguments of `yingsu reconcile`.
#[derive(Args, Debug)]
pub struct ReconcileArgs {
    /// 法院案件清单（CSV 或 Excel .xlsx 的第一个工作表：案号、收到通知日期、开庭日期、负责人是否出庭）
    #[arg(value_name = "清单文件")]
    pub file: std::path::PathBuf,
    /// 只比对该期间的案件（默认为清单中日期的范围）：2023、2023Q1、2023-03
    #[arg(long, value_name = "期间")]
    pub period: Option<String>,
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
}

/// What `yingsu report` makes.
#[derive(Subcommand, Debug)]
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
        /// 这份报送表已印发过时，按现在的数据重新印发（替换原件，并在印发记录中记下原件）
        #[arg(long)]
        reissue: bool,
    },
    /// 季度出庭应诉情况通报：yingsu report bulletin --quarter 2023Q1
    Bulletin {
        /// 季度，如 2023Q1
        #[arg(long, value_name = "季度")]
        quarter: String,
        /// 主送机关（默认按 yingsu.yaml 的层级，如“区政府各部门，各镇人民政府、街道办事处”；可在 bureau.words.addressees 改写）
        #[arg(long, value_name = "机关")]
        to: Option<String>,
        /// 成文日期（默认今天）
        #[arg(long, value_name = "日期")]
        date: Option<String>,
        /// 发文机关（yingsu.yaml 中 issuers 下的编号）
        #[arg(long, value_name = "机关", default_value = "sfj")]
        issuer: String,
        /// 这份通报已印发过时，按现在的数据重新印发（文号不变，替换原件，并在印发记录中记下原件）
        #[arg(long)]
        reissue: bool,
    },
}

/// Arguments of `yingsu report`.
#[derive(Args, Debug)]
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
    "败诉",
    "败诉率",
    "上年同期败诉率",
    "败诉率同比（百分点）",
    "待开庭（未计入出庭率）",
];

/// Quote a CSV field when needed.
fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn today() -> Result<chrono::NaiveDate> {
    Ok(Actor::from_env()?.today())
}

/// The figure columns of a statistics row, after its name.
const FIGURE_HEADER: [&str; 13] = [
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

/// The cells of [`FIGURE_HEADER`] for row `r`.
fn figure_cells(r: &yingsu::stats::Row) -> Vec<String> {
    let c = &r.counts;
    vec![
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

pub fn cmd_stats(ws: &Workspace, a: StatsArgs, out: &mut dyn Write) -> Result<()> {
    let archive = Archive::load(ws)?;
    print_stats(ws, a, &archive, out)?;
    super::records::unreadable(&archive.unreadable)
}

/// `stats` over several workspaces: one row per workspace and their sum.
pub fn cmd_stats_members(
    dirs: &[std::path::PathBuf],
    a: StatsArgs,
    out: &mut dyn Write,
) -> Result<()> {
    let members = yingsu::stats::members::open(dirs)?;
    let period = match a.period.period()? {
        Some(p) => p,
        None => Period::year(chrono::Datelike::year(&today()?))?,
    };
    let combined = yingsu::stats::members::combined(&members, &period)?;
    if let Some(file) = &a.xlsx {
        let mut header = vec!["工作区", "目录"];
        header.extend(FIGURE_HEADER);
        let mut sheet = Sheet::new("多工作区汇总", &header);
        for r in &combined.rows {
            let c = &r.counts;
            sheet.rows.push(vec![
                r.name.clone().into(),
                (if r.scope == "member" {
                    r.id.clone()
                } else {
                    String::new()
                })
                .into(),
                denom_label(r.denominator).into(),
                c.notices.into(),
                c.heard.into(),
                c.counted.into(),
                c.appeared.into(),
                Cell::percent(&r.rate),
                Cell::percent(&r.previous_rate),
                Cell::points(&r.change),
                c.silent.into(),
                c.concluded.into(),
                c.losses.into(),
                Cell::percent(&r.loss_rate),
                Cell::points(&r.loss_change),
            ]);
        }
        xlsx::write(file, &[sheet])?;
    }
    if a.json {
        let s =
            serde_json::to_string_pretty(&combined).map_err(|e| Error::Internal(e.to_string()))?;
        return w(out, s);
    }
    let mut header = vec!["工作区"];
    header.extend(FIGURE_HEADER);
    let rows: Vec<Vec<String>> = combined
        .rows
        .iter()
        .map(|r| {
            let mut cells = vec![r.name.clone()];
            cells.extend(figure_cells(r));
            cells
        })
        .collect();
    if a.csv {
        w(out, format!("\u{feff}{}", header.join(",")))?;
        for r in &rows {
            w(
                out,
                r.iter().map(|s| csv_field(s)).collect::<Vec<_>>().join(","),
            )?;
        }
        return Ok(());
    }
    let first = &combined.members[0].stats;
    w(
        out,
        format!(
            "{}（{} 至 {}）出庭应诉统计：{} 个工作区，同比对照{}",
            first.period.label,
            first.period.from,
            first.period.to,
            combined.members.len(),
            first.previous_period.label
        ),
    )?;
    w(out, "")?;
    print_table(out, &header, &rows)?;
    w(out, "")?;
    w(
        out,
        "说明：合计为各工作区件数之和，出庭率、败诉率按合计件数计算；各工作区按各自 yingsu.yaml 的口径计数。",
    )?;
    super::members_unreadable(
        combined
            .members
            .iter()
            .flat_map(|m| m.unreadable.iter().map(move |f| format!("{}/{f}", m.dir)))
            .collect(),
    )
}

fn print_stats(ws: &Workspace, a: StatsArgs, archive: &Archive, out: &mut dyn Write) -> Result<()> {
    let period = match a.period.period()? {
        Some(p) => p,
        None => Period::year(chrono::Datelike::year(&today()?))?,
    };
    let stats = compute(ws, archive, &period)?;
    if let Some(file) = &a.xlsx {
        let mut sheet = Sheet::new("出庭应诉统计", CSV_HEADER);
        for r in &stats.rows {
            let c = &r.counts;
            sheet.rows.push(vec![
                scope_label(r.scope).into(),
                r.id.clone().into(),
                r.name.clone().into(),
                denom_label(r.denominator).into(),
                c.notices.into(),
                c.notices_appeared.into(),
                c.heard.into(),
                c.heard_appeared.into(),
                c.counted.into(),
                c.appeared.into(),
                Cell::percent(&r.rate),
                Cell::percent(&r.previous_rate),
                Cell::points(&r.change),
                c.silent.into(),
                c.concluded.into(),
                c.losses.into(),
                Cell::percent(&r.loss_rate),
                Cell::percent(&r.previous_loss_rate),
                Cell::points(&r.loss_change),
                c.pending.into(),
            ]);
        }
        let n = sheet.rows.len();
        xlsx::write(file, &[sheet])?;
        if !a.json && !a.csv {
            w(
                out,
                format!("已写入 Excel 文件 {}（{n} 行）。", file.display()),
            )?;
        }
    }
    if a.json {
        let s = serde_json::to_string_pretty(&stats).map_err(|e| Error::Internal(e.to_string()))?;
        return w(out, s);
    }
    if a.csv {
        // The byte order mark tells Excel on Chinese Windows the file is UTF-8.
        w(out, format!("\u{feff}{}", CSV_HEADER.join(",")))?;
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
                c.pending.to_string(),
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
    let mut header = vec!["类别", "名称"];
    header.extend(FIGURE_HEADER);
    let rows: Vec<Vec<String>> = stats
        .rows
        .iter()
        .filter(|r| {
            r.scope != "agency" || r.counts != Counts::default() || r.previous != Counts::default()
        })
        .map(|r| {
            let mut name = r.name.clone();
            if r.target_met == Some(false) {
                name.push_str(" ▲");
            }
            let mut cells = vec![scope_label(r.scope).to_string(), name];
            cells.extend(figure_cells(r));
            cells
        })
        .collect();
    print_table(out, &header, &rows)?;
    w(out, "")?;
    if let Some(t) = stats.total().filter(|t| t.counts.pending > 0) {
        w(
            out,
            format!(
                "另有 {} 件案件尚未开庭（开庭日期在 {} 之后、延期开庭或尚未记录出庭情况），未计入出庭率，也不视为负责人未出庭。",
                t.counts.pending,
                archive.as_of.map(|d| d.to_string()).unwrap_or_default()
            ),
        )?;
    }
    w(
        out,
        format!(
            "说明：口径“通知”以法院通知负责人出庭的案件计数（按收到通知日期），“开庭”以开庭审理的一审案件计数（按首次开庭日期）；\
         同一审级多次开庭的案件计一件，负责人出庭一次即计为出庭；同比为百分点；败诉为判决撤销、部分撤销、确认违法、确认无效、履行法定职责、变更或者判决赔偿的案件，败诉率=败诉件数÷审结件数（按裁判日期）；\
         ▲ 表示低于 {}% 的出庭率下限。无案件的单位未列出。",
            stats.floor
        ),
    )
}

/// `check` over several workspaces: every workspace's findings, named by workspace. Opening
/// rectifications stays with each workspace (its own archive, its own numbers).
pub fn cmd_check_members(
    dirs: &[std::path::PathBuf],
    a: CheckArgs,
    out: &mut dyn Write,
) -> Result<()> {
    use rayon::prelude::*;
    if a.open {
        return Err(Error::user(
            "汇总多个工作区时不开启整改案件",
            "整改案件由各工作区自己开启：在该工作区运行 `yingsu check --open`",
        ));
    }
    let members = yingsu::stats::members::open(dirs)?;
    let period = match a.period.period()? {
        Some(p) => p,
        None => Period::quarter_of(Actor::from_env()?.today())?,
    };
    type Found = (String, String, Vec<yingsu::stats::Breach>, Vec<String>);
    let found: Vec<Found> = members
        .par_iter()
        .map(|(dir, ws)| {
            let archive = Archive::load(ws)?;
            let breaches = check(ws, &archive, &period)?;
            let bad = archive
                .unreadable
                .iter()
                .map(|u| format!("{dir}/{}", u.file))
                .collect();
            Ok((dir.clone(), ws.config.region.clone(), breaches, bad))
        })
        .collect::<Result<_>>()?;
    let situation = |b: &yingsu::stats::Breach| {
        if b.covered_by.is_empty() {
            format!("未开启（{}）", b.rect_id)
        } else {
            format!("已整改案件 {}", b.covered_by.join("、"))
        }
    };
    let header = ["工作区", "情形", "单位", "查明的事实", "整改案件"];
    let rows: Vec<Vec<String>> = found
        .iter()
        .flat_map(|(_, region, breaches, _)| {
            breaches.iter().map(move |b| {
                vec![
                    region.clone(),
                    b.rule.title().to_string(),
                    b.agency_name.clone(),
                    b.detail.clone(),
                    situation(b),
                ]
            })
        })
        .collect();
    if let Some(file) = &a.xlsx {
        let mut sheet = Sheet::new("考核检查", &header);
        sheet.rows = rows
            .iter()
            .map(|r| r.iter().cloned().map(Into::into).collect())
            .collect();
        xlsx::write(file, &[sheet])?;
    }
    let unreadable: Vec<String> = found.iter().flat_map(|f| f.3.clone()).collect();
    if a.json {
        let v: Vec<serde_json::Value> = found
            .iter()
            .map(|(dir, region, breaches, _)| json!({"workspace": dir, "region": region, "breaches": breaches}))
            .collect();
        let s = serde_json::to_string_pretty(
            &json!({"period": PeriodInfo::from(&period), "workspaces": v}),
        )
        .map_err(|e| Error::Internal(e.to_string()))?;
        w(out, s)?;
        return super::members_unreadable(unreadable);
    }
    w(
        out,
        format!(
            "{}（{} 至 {}）考核检查：{} 个工作区",
            period.label(),
            period.from,
            period.to,
            found.len()
        ),
    )?;
    if rows.is_empty() {
        w(out, "未发现不达标情形。")?;
    } else {
        print_table(out, &header, &rows)?;
        w(out, format!("共 {} 项。", rows.len()))?;
    }
    super::members_unreadable(unreadable)
}

pub fn cmd_check(ws: &Workspace, a: CheckArgs, out: &mut dyn Write) -> Result<()> {
    // The cases are read once, for the figures and for the deadlines, each through its
    // summaries in the case index.
    let today = Actor::from_env()?.today();
    let (both, unreadable, index) = yingsu::engine::store::each_case(ws, |index, id, path| {
        let case = yingsu::index::cases::CaseRef::new(index, ws, id, path);
        Ok((
            CaseFigures::read(ws, &case)?,
            yingsu::engine::row_indexed(ws, &case, today)?,
        ))
    })?;
    index.save();
    let (figures, rows): (Vec<_>, Vec<_>) = both.into_iter().unzip();
    let mut archive = Archive::of_figures(figures, unreadable);
    archive.as_of = Some(today);
    print_check(ws, a, &archive, Some(rows), out)?;
    super::records::unreadable(&archive.unreadable)
}

/// `rows`: the status of the cases the archive was made from, if at hand.
fn print_check(
    ws: &Workspace,
    a: CheckArgs,
    archive: &Archive,
    rows: Option<Vec<yingsu::engine::StatusRow>>,
    out: &mut dyn Write,
) -> Result<()> {
    let actor = Actor::from_env()?;
    let period = match a.period.period()? {
        Some(p) => p,
        None => Period::quarter_of(actor.today())?,
    };
    let breaches = check(ws, archive, &period)?;
    // Without --yes, --open only says what it would open.
    let to_open: Vec<&yingsu::stats::Breach> = breaches
        .iter()
        .filter(|b| b.covered_by.is_empty() && yingsu::engine::case_path(ws, &b.rect_id).is_err())
        .collect();
    let preview = a.open && !a.yes;
    let opened = if a.open && a.yes {
        let renderer = TypstRenderer::new();
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
    // Open cases whose deadline cannot be counted: a start date is missing.
    // (Cases opened just now count too: then the cases are read again.)
    let rows = match rows {
        Some(rows) if opened.is_empty() => rows,
        _ => yingsu::engine::status(ws, actor.today())?.rows,
    };
    let missing: Vec<yingsu::engine::StatusRow> = rows
        .into_iter()
        .filter(|r| !r.closed && r.deadline.as_ref().is_some_and(|d| d.due.is_none()))
        .collect();
    let situation = |b: &yingsu::stats::Breach| -> String {
        if !b.covered_by.is_empty() {
            format!("已整改案件 {}", b.covered_by.join("、"))
        } else if opened.contains(&b.rect_id) {
            format!("本次开启 {}", b.rect_id)
        } else {
            format!("未开启（{}）", b.rect_id)
        }
    };
    if let Some(file) = &a.xlsx {
        let mut found = Sheet::new("考核检查", &["情形", "单位", "查明的事实", "整改案件"]);
        for b in &breaches {
            found.rows.push(vec![
                b.rule.title().into(),
                b.agency_name.clone().into(),
                b.detail.clone().into(),
                situation(b).into(),
            ]);
        }
        let mut starts = Sheet::new("缺少起算日期", &["案件编号", "单位", "期限", "缺少"]);
        for r in &missing {
            let d = r.deadline.as_ref();
            starts.rows.push(vec![
                r.id.clone().into(),
                r.agency_name.clone().unwrap_or_default().into(),
                d.map(|d| d.title.clone()).unwrap_or_default().into(),
                d.and_then(|d| d.missing.clone()).unwrap_or_default().into(),
            ]);
        }
        xlsx::write(file, &[found, starts])?;
        if !a.json {
            w(
                out,
                format!(
                    "已写入 Excel 文件 {}（不达标情形 {} 项，缺少起算日期 {} 件）。",
                    file.display(),
                    breaches.len(),
                    missing.len()
                ),
            )?;
        }
    }
    if a.json {
        let s = serde_json::to_string_pretty(&json!({
            "period": PeriodInfo::from(&period),
            "breaches": breaches,
            "opened": opened,
            "would_open": if preview { to_open.iter().map(|b| b.rect_id.clone()).collect::<Vec<_>>() } else { vec![] },
            "missing_deadline_starts": missing,
        }))
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
    let waiting = compute(ws, archive, &period)?
        .total()
        .map_or(0, |t| t.counts.pending);
    if waiting > 0 {
        w(
            out,
            format!(
                "另有 {waiting} 件案件尚未开庭（开庭日期在 {} 之后、延期开庭或尚未记录出庭情况），未计入出庭率，也不视为负责人未出庭。",
                archive.as_of.map(|d| d.to_string()).unwrap_or_default()
            ),
        )?;
    }
    if !missing.is_empty() {
        w(
            out,
            format!("期限缺少起算日期的案件（{} 件）：", missing.len()),
        )?;
        let rows: Vec<Vec<String>> = missing
            .iter()
            .map(|r| {
                let d = r.deadline.as_ref();
                vec![
                    format!("  {}", r.id),
                    r.agency_name.clone().unwrap_or_default(),
                    d.map(|d| d.title.clone()).unwrap_or_default(),
                    d.and_then(|d| d.missing.clone()).unwrap_or_default(),
                ]
            })
            .collect();
        print_table(out, &["  案件编号", "单位", "期限", "缺少"], &rows)?;
        w(out, "")?;
    }
    if breaches.is_empty() {
        return w(out, "未发现不达标情形。");
    }
    let rows: Vec<Vec<String>> = breaches
        .iter()
        .map(|b| {
            vec![
                b.rule.title().to_string(),
                b.agency_name.clone(),
                b.detail.clone(),
                situation(b),
            ]
        })
        .collect();
    print_table(out, &["情形", "单位", "查明的事实", "整改案件"], &rows)?;
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
    if preview {
        w(out, "")?;
        if to_open.is_empty() {
            return w(out, "没有需要开启的督查整改案件。");
        }
        w(
            out,
            format!("将开启以下 {} 个督查整改案件：", to_open.len()),
        )?;
        for b in &to_open {
            let what = if b.rule == yingsu::stats::Rule::Zero {
                "整改通知书、约谈通知书"
            } else {
                "整改通知书"
            };
            w(
                out,
                format!(
                    "  {}　{}　{}（{what}）\n    查明的事实：{}",
                    b.rect_id,
                    b.agency_name,
                    b.rule.title(),
                    b.detail
                ),
            )?;
        }
        let again = match period.kind {
            yingsu::stats::PeriodKind::Range => {
                format!("--from {} --to {}", period.from, period.to)
            }
            _ => format!("--period {}", period.code()),
        };
        return w(
            out,
            format!(
                "以上均未写入。核对无误后运行 `yingsu check {again} --open --yes` 开启并生成通知书。"
            ),
        );
    }
    if pending > 0 {
        w(
            out,
            "用 `yingsu check --open` 查看将要开启的督查整改案件，核对后加 --yes 开启（不会重复开启）。",
        )?;
    }
    Ok(())
}

pub fn cmd_reconcile(ws: &Workspace, a: ReconcileArgs, out: &mut dyn Write) -> Result<()> {
    let archive = Archive::load(ws)?;
    print_reconcile(ws, a, &archive, out)?;
    super::records::unreadable(&archive.unreadable)
}

fn print_reconcile(
    ws: &Workspace,
    a: ReconcileArgs,
    archive: &Archive,
    out: &mut dyn Write,
) -> Result<()> {
    let period = a.period.as_deref().map(Period::parse).transpose()?;
    let result = reconcile(ws, archive, &a.file, period.as_ref())?;
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
            print_table(
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
            Some(s) => yingsu::facts::parse_date(s).map_err(|why| {
                Error::user(
                    format!("--date 的日期 `{s}` 无效：{why}"),
                    "日期写成 2023-05-08 的形式",
                )
            }),
            None => Ok(actor.today()),
        }
    };
    let renderer = TypstRenderer::new();
    let made = match a.kind {
        ReportKind::Monthly {
            agency,
            month,
            date,
            reissue,
        } => monthly(ws, &renderer, &agency, &month, date_arg(&date)?, reissue)?,
        ReportKind::Bulletin {
            quarter,
            to,
            date,
            issuer,
            reissue,
        } => bulletin(
            ws,
            &renderer,
            &quarter,
            &to.unwrap_or_else(|| ws.config.words().addressees.unwrap_or_default()),
            &issuer,
            date_arg(&date)?,
            reissue,
        )?,
    };
    let title =
        yingsu::case::numbered_title(&format!("《{}》", made.title), made.number.as_deref());
    w(
        out,
        match made.outcome {
            Some(ReportIssue::Unchanged) => {
                format!("{title}已印发，内容没有变化，未改动：{}", made.file)
            }
            Some(ReportIssue::Reissued { date }) => format!(
                "已重新印发{title}：{}（替换 {date} 印发的原件，原件的哈希记入印发记录 {}）",
                made.file,
                yingsu::engine::issue::frozen_path(&made.file)
            ),
            _ => format!("已生成{title}：{}", made.file),
        },
    )
}
