//! `yingsu report`: the statistics documents — the monthly return and the quarterly bulletin —
//! made, issued again or left as they are.

use std::io::Write;

use clap::{Args, Subcommand};
use yingsu::engine::Actor;
use yingsu::engine::issue::ReportIssue;
use yingsu::error::{Error, Result};
use yingsu::pipeline::TypstRenderer;
use yingsu::stats::{bulletin, monthly};
use yingsu::workspace::Workspace;

use crate::cli::w;

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
        /// 发文机关（yingsu.yaml 中 issuers 下的编号；默认为 bureau.issuer 指定的司法局）
        #[arg(long, value_name = "机关")]
        issuer: Option<String>,
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

pub fn run(ws: &Workspace, a: ReportArgs, out: &mut dyn Write) -> Result<()> {
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
            issuer.as_deref(),
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
