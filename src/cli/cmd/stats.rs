//! `yingsu stats`: the appearance and loss figures of a period, of one workspace or several, as
//! a terminal table, JSON, CSV or Excel. The library computes the figures; this prints them.

use std::io::Write;

use clap::Args;
use yingsu::error::{Error, Result};
use yingsu::stats::{Archive, Period, compute};
use yingsu::workspace::Workspace;

use crate::cli::period::{PeriodArgs, today};
use crate::cli::xlsx::{self, Cell, Sheet};
use crate::cli::{print_table, w};
use yingsu::stats::cells::{denom_label, opt, pct, scope_label};

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

pub fn run(ws: &Workspace, a: StatsArgs, out: &mut dyn Write) -> Result<()> {
    let archive = Archive::load(ws)?;
    print_stats(ws, a, &archive, out)?;
    yingsu::validate::unreadable(&archive.unreadable)
}

/// `stats` over several workspaces: one row per workspace and their sum.
pub fn run_members(dirs: &[std::path::PathBuf], a: StatsArgs, out: &mut dyn Write) -> Result<()> {
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
    crate::cli::members_unreadable(
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
        .listed()
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
