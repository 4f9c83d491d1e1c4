//! `yingsu agenda`: the deadline reminder — overdue, due today and within the next five working
//! days, and lacking a start date, grouped by agency — as text a clerk pastes into a work
//! message, JSON or a calendar file.

use std::io::Write;

use clap::Args;
use yingsu::engine::{self, Actor, agenda};
use yingsu::error::{Error, Result};
use yingsu::facts::format_date_zh;
use yingsu::validate::{calendar_hints, unreadable};
use yingsu::workspace::Workspace;

use super::status::{check_names, write_ics};
use crate::cli::w;

/// Options of `yingsu agenda`.
#[derive(Args, Debug)]
pub struct AgendaArgs {
    /// 只列出该单位的案件（yingsu.yaml 中 agencies 下的编号）
    #[arg(long, value_name = "单位")]
    pub agency: Option<String>,
    /// 以 JSON 输出
    #[arg(long)]
    pub json: bool,
    /// 把未结束的期限写成日历文件（iCalendar .ics）
    #[arg(long, value_name = "文件")]
    pub ics: Option<std::path::PathBuf>,
}

/// `yingsu agenda`: overdue, due today and within the next five working days, grouped by
/// agency, as text to paste.
pub fn run(ws: &Workspace, a: AgendaArgs, out: &mut dyn Write) -> Result<()> {
    check_names(ws, a.agency.as_deref(), None)?;
    let today = Actor::from_env()?.today();
    let status = engine::status(ws, today)?;
    let filter = agenda::Filter {
        open: true,
        agency: a.agency,
        ..Default::default()
    };
    let rows = agenda::select(status.rows, &filter, today);
    if let Some(file) = &a.ics {
        let note = write_ics(ws, &rows, file)?;
        if !a.json {
            w(out, note)?;
        }
    }
    let ag = agenda::agenda_on(&rows, today, &ws.calendar);
    if a.json {
        let s = serde_json::to_string_pretty(&ag).map_err(|e| Error::Internal(e.to_string()))?;
        w(out, s)?;
        return unreadable(&status.unreadable);
    }
    const WEEKDAYS: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    use chrono::Datelike;
    w(
        out,
        format!(
            "行政应诉期限提醒（{} 星期{}，提醒未来{}个工作日，截至{}）",
            format_date_zh(today),
            WEEKDAYS[today.weekday().num_days_from_monday() as usize],
            agenda::HORIZON,
            format_date_zh(ag.week_end)
        ),
    )?;
    if ag.agencies.is_empty() {
        w(
            out,
            format!("未来{}个工作日没有到期或逾期的事项。", agenda::HORIZON),
        )?;
    }
    for g in &ag.agencies {
        w(out, "")?;
        w(out, format!("【{}】", g.name))?;
        let soon = format!("{}个工作日内到期", agenda::HORIZON);
        for (label, items) in [
            ("已逾期", &g.overdue),
            ("今天到期", &g.today),
            (soon.as_str(), &g.this_week),
            ("待补充起算日期", &g.missing),
        ] {
            if items.is_empty() {
                continue;
            }
            w(out, format!("{label}（{} 件）：", items.len()))?;
            for (n, i) in items.iter().enumerate() {
                let mark = if i.estimated { "（预估）" } else { "" };
                let when = match i.due {
                    Some(d) => format!("，应于{}{mark}前完成（{}）", format_date_zh(d), i.left),
                    None => format!("，{}，期限无法计算", i.left),
                };
                w(
                    out,
                    format!(
                        "  {}. {} {}（{}）{when}",
                        n + 1,
                        i.id,
                        i.title,
                        i.step_title
                    ),
                )?;
            }
        }
    }
    for line in calendar_hints(&rows) {
        w(out, "")?;
        w(out, line)?;
    }
    unreadable(&status.unreadable)
}
