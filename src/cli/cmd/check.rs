//! `yingsu check`: the assessment targets of a period — the situations found, the
//! rectification cases that cover them or would be opened (opened with `--open --yes`) — and the
//! open cases whose deadline lacks a start date.

use std::io::Write;

use clap::Args;
use serde_json::json;
use yingsu::engine::Actor;
use yingsu::error::{Error, Result};
use yingsu::listing;
use yingsu::pipeline::TypstRenderer;
use yingsu::stats::{Archive, Period, PeriodInfo, check, compute, open_breaches};
use yingsu::workspace::Workspace;

use crate::cli::period::PeriodArgs;
use crate::cli::xlsx::{self, Sheet};
use crate::cli::{print_table, w};

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

/// `check` over several workspaces: every workspace's findings, named by workspace. Opening
/// rectifications stays with each workspace (its own archive, its own numbers).
pub fn run_members(dirs: &[std::path::PathBuf], a: CheckArgs, out: &mut dyn Write) -> Result<()> {
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
        return crate::cli::members_unreadable(unreadable);
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
    crate::cli::members_unreadable(unreadable)
}

pub fn run(ws: &Workspace, a: CheckArgs, out: &mut dyn Write) -> Result<()> {
    // The cases are read once, for the figures and for the deadlines.
    let today = Actor::from_env()?.today();
    let (archive, rows) = listing::figures_and_rows(ws, today)?;
    print_check(ws, a, &archive, Some(rows), out)?;
    yingsu::validate::unreadable(&archive.unreadable)
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
    let to_open = listing::would_open(ws, &breaches);
    let preview = a.open && !a.yes;
    let opened = if a.open && a.yes {
        let renderer = TypstRenderer::new();
        // Every case opened is one commit together.
        let group = yingsu::vcs::Group::begin(ws);
        let opened = open_breaches(
            ws,
            &breaches,
            &period,
            &actor,
            &renderer,
            &a.interview_time,
            &a.interview_place,
        )?;
        group.record(ws, &actor, &yingsu::vcs::opened_record(&opened, &actor));
        opened
    } else {
        vec![]
    };
    // Open cases whose deadline cannot be counted: a start date is missing.
    // (Cases opened just now count too: then the cases are read again.)
    let rows = match rows {
        Some(rows) if opened.is_empty() => rows,
        _ => yingsu::engine::status(ws, actor.today())?.rows,
    };
    let missing: Vec<yingsu::engine::StatusRow> =
        rows.into_iter().filter(listing::lacks_start).collect();
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
            let what = listing::notices_opened(b);
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
