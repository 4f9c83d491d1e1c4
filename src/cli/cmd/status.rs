//! `yingsu status`: the case list — which cases are due, in what order — of one workspace or
//! several, as a table, JSON, Excel or a calendar file.

use std::io::Write;

use clap::Args;
use yingsu::engine::{self, Actor, StatusRow, agenda};
use yingsu::error::{Error, Result};
use yingsu::validate::{calendar_hints, unreadable};
use yingsu::workspace::Workspace;

use crate::cli::xlsx::{self, Sheet};
use crate::cli::{print_table, w};

/// The columns of the case list.
const HEADER: [&str; 7] = [
    "案件编号",
    "流程",
    "当前步骤",
    "单位",
    "期限",
    "剩余",
    "状态",
];

/// Options of `yingsu status`.
#[derive(Args, Debug)]
pub struct StatusArgs {
    /// 只列出未结束的案件
    #[arg(long)]
    pub open: bool,
    /// 只列出该单位的案件（yingsu.yaml 中 agencies 下的编号）
    #[arg(long, value_name = "单位")]
    pub agency: Option<String>,
    /// 只列出该流程的案件（appearance、rectification、proposal 等）
    #[arg(long, value_name = "流程")]
    pub workflow: Option<String>,
    /// 只列出 N 天内到期（含已逾期）的案件；期限缺少起算日期的案件也列出（待补充）
    #[arg(long, value_name = "N")]
    pub due: Option<i64>,
    /// 只列出已逾期的案件；期限缺少起算日期的案件也列出（待补充）
    #[arg(long)]
    pub overdue: bool,
    /// 以 JSON 输出（字段与表格相同）
    #[arg(long)]
    pub json: bool,
    /// 把所列案件未结束的期限写成日历文件（iCalendar .ics，可导入 Outlook、WPS 日历和手机日历；再次导入会更新而不会重复）
    #[arg(long, value_name = "文件")]
    pub ics: Option<std::path::PathBuf>,
    /// 同时把所列案件写成 Excel 工作簿（.xlsx）
    #[arg(long, value_name = "文件")]
    pub xlsx: Option<std::path::PathBuf>,
    /// 列出多个工作区（如各区县的 git 克隆）的案件，各加工作区一列；可重复（相对路径相对于 -C 的目录）。也可在 yingsu.yaml 中写 members
    #[arg(long = "workspace", value_name = "目录")]
    pub workspaces: Vec<std::path::PathBuf>,
}

/// The agency and workflow a filter names must exist.
pub(super) fn check_names(
    ws: &Workspace,
    agency: Option<&str>,
    workflow: Option<&str>,
) -> Result<()> {
    if let Some(a) = agency
        && !ws.config.agencies.contains_key(a)
    {
        let names: Vec<&str> = ws.config.agencies.keys().map(String::as_str).collect();
        let mut help = format!("可用的单位：{}", names.join("、"));
        if let Some(n) = crate::cli::suggest::closest(a, names.iter().copied()) {
            help = format!("您是不是要输入 {n}？{help}");
        }
        return Err(Error::user(
            format!("--agency 的单位 `{a}` 不在 yingsu.yaml 的 agencies 中"),
            help,
        ));
    }
    if let Some(n) = workflow {
        ws.workflow(n)?;
    }
    Ok(())
}

/// `yingsu status` over several workspaces: each workspace's cases, filtered, with its name in
/// the first column.
pub fn run_members(dirs: &[std::path::PathBuf], a: StatusArgs, out: &mut dyn Write) -> Result<()> {
    use rayon::prelude::*;
    if a.ics.is_some() {
        return Err(Error::user(
            "汇总多个工作区时不写日历文件",
            "日历文件请在各工作区分别用 `yingsu status --ics 文件` 生成",
        ));
    }
    let members = yingsu::stats::members::open(dirs)?;
    let today = Actor::from_env()?.today();
    let filter = agenda::Filter {
        open: a.open,
        agency: a.agency.clone(),
        workflow: a.workflow.clone(),
        due_within: a.due,
        overdue: a.overdue,
    };
    type Listed = (String, String, Vec<StatusRow>, Vec<String>);
    let listed: Vec<Listed> = members
        .par_iter()
        .map(|(dir, ws)| {
            let status = engine::status(ws, today)?;
            let rows = agenda::select(status.rows, &filter, today);
            let bad = status
                .unreadable
                .iter()
                .map(|u| format!("{dir}/{}", u.file))
                .collect();
            Ok((dir.clone(), ws.config.region.clone(), rows, bad))
        })
        .collect::<Result<_>>()?;
    let mut header = vec!["工作区"];
    header.extend(HEADER);
    let table: Vec<Vec<String>> = listed
        .iter()
        .flat_map(|(_, region, rows, _)| {
            rows.iter().map(move |r| {
                let mut cells = vec![region.clone()];
                cells.extend(row_cells(r));
                cells
            })
        })
        .collect();
    if let Some(file) = &a.xlsx {
        let mut sheet = Sheet::new("案件", &header);
        sheet.rows = table
            .iter()
            .map(|r| r.iter().cloned().map(Into::into).collect())
            .collect();
        xlsx::write(file, &[sheet])?;
    }
    let unreadable_files: Vec<String> = listed.iter().flat_map(|l| l.3.clone()).collect();
    if a.json {
        let v: Vec<serde_json::Value> = listed
            .iter()
            .map(|(dir, region, rows, _)| serde_json::json!({"workspace": dir, "region": region, "rows": rows}))
            .collect();
        let s = serde_json::to_string_pretty(&v).map_err(|e| Error::Internal(e.to_string()))?;
        w(out, s)?;
        return crate::cli::members_unreadable(unreadable_files);
    }
    if table.is_empty() {
        w(out, "没有符合条件的案件。")?;
    } else {
        print_table(out, &header, &table)?;
        let all: Vec<&StatusRow> = listed.iter().flat_map(|l| l.2.iter()).collect();
        let overdue = all
            .iter()
            .filter(|r| yingsu::listing::is_overdue(r))
            .count();
        w(
            out,
            format!(
                "共 {} 件，逾期 {overdue} 件（{} 个工作区）。",
                all.len(),
                listed.len()
            ),
        )?;
    }
    crate::cli::members_unreadable(unreadable_files)
}

/// `yingsu status`: the cases, filtered, most pressing first.
pub fn run(ws: &Workspace, a: StatusArgs, out: &mut dyn Write) -> Result<()> {
    check_names(ws, a.agency.as_deref(), a.workflow.as_deref())?;
    let today = Actor::from_env()?.today();
    let status = engine::status(ws, today)?;
    let filter = agenda::Filter {
        open: a.open,
        agency: a.agency,
        workflow: a.workflow,
        due_within: a.due,
        overdue: a.overdue,
    };
    let rows = agenda::select(status.rows, &filter, today);
    if let Some(file) = &a.ics {
        let note = write_ics(ws, &rows, file)?;
        if !a.json {
            w(out, note)?;
        }
    }
    if let Some(file) = &a.xlsx {
        let mut sheet = Sheet::new("案件", &HEADER);
        sheet.rows = rows
            .iter()
            .map(|r| row_cells(r).into_iter().map(Into::into).collect())
            .collect();
        xlsx::write(file, &[sheet])?;
        if !a.json {
            w(
                out,
                format!(
                    "已写入 Excel 文件 {}（{} 件）。",
                    file.display(),
                    rows.len()
                ),
            )?;
        }
    }
    if a.json {
        let s = serde_json::to_string_pretty(&rows).map_err(|e| Error::Internal(e.to_string()))?;
        w(out, s)?;
        return unreadable(&status.unreadable);
    }
    if rows.is_empty() {
        w(out, "没有符合条件的案件。")?;
        return unreadable(&status.unreadable);
    }
    let table: Vec<Vec<String>> = rows.iter().map(row_cells).collect();
    print_table(out, &HEADER, &table)?;
    let overdue = rows
        .iter()
        .filter(|r| yingsu::listing::is_overdue(r))
        .count();
    let missing = rows
        .iter()
        .filter(|r| yingsu::listing::lacks_start(r))
        .count();
    let mut summary = format!("共 {} 件，逾期 {overdue} 件", rows.len());
    if missing > 0 {
        summary.push_str(&format!("，{missing} 件缺少期限的起算日期"));
    }
    summary.push('。');
    w(out, summary)?;
    for line in calendar_hints(&rows) {
        w(out, line)?;
    }
    unreadable(&status.unreadable)
}

fn row_cells(r: &StatusRow) -> Vec<String> {
    let (deadline, left) = match &r.deadline {
        Some(d) => match (d.due, &d.missing) {
            (Some(_), _) => (format!("{} {}", d.due_text(), d.title), d.left_text()),
            (None, Some(m)) => (format!("{m}（{}）", d.title), String::new()),
            (None, None) => (d.title.clone(), String::new()),
        },
        None => ("—".into(), String::new()),
    };
    vec![
        r.id.clone(),
        r.workflow_title.clone(),
        r.step_title.clone(),
        r.agency_name.clone().unwrap_or_default(),
        deadline,
        left,
        match (&r.deadline, r.closed) {
            (_, true) if r.withdrawn => "已撤回".into(),
            (_, true) => "已结束".into(),
            (Some(d), _) if d.overdue => "逾期".into(),
            (Some(d), _) if d.due.is_none() => "待补充".into(),
            (Some(d), _) if d.estimated => "预估".into(),
            _ => "".into(),
        },
    ]
}

/// Write the rows' open deadlines to `file` as iCalendar.
pub(super) fn write_ics(
    ws: &Workspace,
    rows: &[StatusRow],
    file: &std::path::Path,
) -> Result<String> {
    let now = Actor::from_env()?.now.with_timezone(&chrono::Utc);
    let text = agenda::ics(rows, &format!("{}行政应诉期限", ws.config.region), now);
    let n = text.matches("BEGIN:VEVENT").count();
    let tasks = text.matches("BEGIN:VTODO").count();
    yingsu::archive::write_atomic(file, text.as_bytes())?;
    let mut note = format!("已写入日历文件 {}（{n} 个期限", file.display());
    if tasks > 0 {
        note.push_str(&format!("，{tasks} 个待补充起算日期的待办"));
    }
    note.push_str("）。");
    Ok(note)
}
