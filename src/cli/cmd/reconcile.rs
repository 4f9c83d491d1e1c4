//! `yingsu reconcile`: the archive compared with a court's list of cases (CSV or Excel), and the
//! differences listed.

use std::io::Write;

use clap::Args;
use yingsu::error::{Error, Result};
use yingsu::stats::{Archive, Period, reconcile};
use yingsu::workspace::Workspace;

use crate::cli::{print_table, w};

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

pub fn run(ws: &Workspace, a: ReconcileArgs, out: &mut dyn Write) -> Result<()> {
    let archive = Archive::load(ws)?;
    print_reconcile(ws, a, &archive, out)?;
    yingsu::validate::unreadable(&archive.unreadable)
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
