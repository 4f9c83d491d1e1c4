//! `case new`, `case advance`, `case undo`, `case fact`, `case withdraw` and `case show`: one case at a time.

use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use yingsu::engine::{self, Actor, Input};
use yingsu::error::Result;
use yingsu::pipeline::TypstRenderer;
use yingsu::workspace::Workspace;

use crate::cli::{print_table, w};

#[derive(Subcommand, Debug)]
pub enum CaseCommand {
    /// 新建案件：yingsu case new appearance 2023-行初-123 --set case_number=…
    New {
        /// 流程名（appearance、rectification、proposal 或工作区自定义的流程）
        #[arg(value_name = "流程")]
        workflow: String,
        /// 案件编号（汉字、字母、数字、-、_）
        #[arg(value_name = "案件编号")]
        id: String,
        /// 字段=值（可重复）
        #[arg(long = "set", value_name = "字段=值")]
        sets: Vec<String>,
        /// 从 YAML 文件读取字段
        #[arg(long = "from", value_name = "文件")]
        from: Option<PathBuf>,
    },
    /// 推进案件到下一步骤：yingsu case advance 2023-行初-123 appearance --set head_appeared=true
    Advance {
        /// 案件编号
        #[arg(value_name = "案件编号")]
        id: String,
        /// 要转到的步骤（yingsu case show 列出可转到的步骤）
        #[arg(value_name = "步骤")]
        step: String,
        /// 字段=值（可重复）
        #[arg(long = "set", value_name = "字段=值")]
        sets: Vec<String>,
        /// 从 YAML 文件读取字段
        #[arg(long = "from", value_name = "文件")]
        from: Option<PathBuf>,
        /// 与上一次记录完全相同的步骤确实又发生了一次（例如再次开庭）
        #[arg(long)]
        again: bool,
    },
    /// 撤销案件最近一个办理步骤：记录撤销原因，作废其文书和文号（文号不再使用），文书移入 voided/
    Undo {
        /// 案件编号
        #[arg(value_name = "案件编号")]
        id: String,
        /// 撤销的原因（必填）
        #[arg(long, value_name = "原因")]
        reason: String,
    },
    /// 补充事实：记录事后得知的事实（如裁判的生效日期），追加为一条办理记录：yingsu case fact 2023-行初-123 --set effective_date=2023-06-01
    Fact {
        /// 案件编号
        #[arg(value_name = "案件编号")]
        id: String,
        /// 字段=值（可重复）；只能填写已办步骤中尚未记录的字段，不带参数时列出可补充的字段
        #[arg(long = "set", value_name = "字段=值")]
        sets: Vec<String>,
        /// 从 YAML 文件读取字段
        #[arg(long = "from", value_name = "文件")]
        from: Option<PathBuf>,
    },
    /// 撤回误建的案件：记录撤回原因，作废其全部文书和文号（文号不再使用），案件不再计入期限和统计
    Withdraw {
        /// 案件编号
        #[arg(value_name = "案件编号")]
        id: String,
        /// 撤回的原因（必填）
        #[arg(long, value_name = "原因")]
        reason: String,
    },
    /// 添加附件：把判决书 PDF 或扫描页图片（PNG/JPEG）放入案件，随败诉案件总结报告附在其后：yingsu case attach 2023-行初-123 判决书.pdf --title "（2023）渝0112行初31号行政判决书"
    Attach {
        /// 案件编号
        #[arg(value_name = "案件编号")]
        id: String,
        /// 一个 PDF 文件，或按页序排列的一个或多个图片文件
        #[arg(value_name = "文件", required = true)]
        files: Vec<std::path::PathBuf>,
        /// 附件标题（印在附件说明中），默认为文件名
        #[arg(long, value_name = "标题")]
        title: Option<String>,
    },
    /// 查看案件：事实、办理记录、文书、可转向的步骤
    Show {
        /// 案件编号
        #[arg(value_name = "案件编号")]
        id: String,
    },
}

/// Run a `case` command.
pub fn run(ws: &Workspace, c: CaseCommand, out: &mut dyn Write) -> Result<()> {
    let renderer = TypstRenderer::new();
    match c {
        CaseCommand::New {
            workflow,
            id,
            sets,
            from,
        } => {
            let r = engine::new_case(
                ws,
                &workflow,
                &id,
                &Input {
                    sets,
                    from,
                    again: false,
                },
                &Actor::from_env()?,
                &renderer,
            )?;
            print_report(ws, out, "已新建案件", &r)
        }
        CaseCommand::Advance {
            id,
            step,
            sets,
            from,
            again,
        } => {
            let r = engine::advance(
                ws,
                &id,
                &step,
                &Input { sets, from, again },
                &Actor::from_env()?,
                &renderer,
            )?;
            print_report(ws, out, "已推进案件", &r)
        }
        CaseCommand::Undo { id, reason } => {
            let r = engine::undo(ws, &id, &reason, &Actor::from_env()?)?;
            w(
                out,
                format!(
                    "已撤销案件 {id} 第 {} 条办理记录：{}（{}）",
                    r.entry, r.step_title, r.step
                ),
            )?;
            for d in &r.voided {
                w(out, format!("  作废文书：{}  {}", d.label(), d.file))?;
            }
            for o in &r.withdrawn {
                w(out, format!("  已撤回关联案件：{o}"))?;
            }
            w(out, format!("  案件现处于：{}", r.now_at))
        }
        CaseCommand::Fact { id, sets, from } => {
            if sets.is_empty() && from.is_none() {
                let fields = engine::addable_fields(ws, &id)?;
                if fields.is_empty() {
                    return w(out, format!("案件 {id} 现在没有可以补充的字段"));
                }
                w(out, format!("案件 {id} 可以补充的字段："))?;
                let rows: Vec<Vec<String>> = fields
                    .iter()
                    .map(|f| {
                        vec![
                            format!("  {}", f.field),
                            f.label.clone(),
                            format!("{}（{}）", f.step_title, f.step),
                        ]
                    })
                    .collect();
                return print_table(out, &["  字段", "名称", "记录它的步骤"], &rows);
            }
            let r = engine::record_facts(
                ws,
                &id,
                &Input {
                    sets,
                    from,
                    again: false,
                },
                &Actor::from_env()?,
                &renderer,
            )?;
            w(
                out,
                format!("已为案件 {id} 补充事实（第 {} 条办理记录）：", r.entry),
            )?;
            for (k, label, v) in &r.facts {
                w(out, format!("  {label}（{k}）：{}", yingsu::case::value(v)))?;
            }
            Ok(())
        }
        CaseCommand::Withdraw { id, reason } => {
            let r = engine::withdraw(ws, &id, &reason, &Actor::from_env()?)?;
            w(out, format!("已撤回案件 {id}（第 {} 条办理记录）", r.entry))?;
            for d in &r.voided {
                w(out, format!("  作废文书：{}  {}", d.label(), d.file))?;
            }
            for o in &r.withdrawn {
                w(out, format!("  已撤回关联案件：{o}"))?;
            }
            Ok(())
        }
        CaseCommand::Attach { id, files, title } => {
            let uploads = files
                .iter()
                .map(|f| engine::read_upload(f))
                .collect::<Result<Vec<_>>>()?;
            let r = engine::attach(
                ws,
                &id,
                &uploads,
                title.as_deref(),
                &Actor::from_env()?,
                &renderer,
            )?;
            w(
                out,
                format!(
                    "已为案件 {id} 添加附件{}《{}》（第 {} 条办理记录）：",
                    r.number, r.record.title, r.entry
                ),
            )?;
            for f in &r.record.files {
                w(
                    out,
                    format!(
                        "  {}  {} 页  SHA-256 {}（原文件 {}）",
                        f.file, f.pages, f.sha256, f.from
                    ),
                )?;
            }
            Ok(())
        }
        CaseCommand::Show { id } => {
            let sheet = engine::sheet::case_sheet(ws, &id, Actor::from_env()?.today())?;
            w(out, format!("案件 {id}（{}）", sheet.workflow_title))?;
            w(out, format!("文件：{}", sheet.file))?;
            let (step, title) = (&sheet.step, &sheet.step_title);
            if sheet.withdrawn {
                w(out, format!("当前步骤：{title}（{step}），案件已撤回"))?;
            } else {
                w(out, format!("当前步骤：{title}（{step}）"))?;
            }
            if let Some(d) = &sheet.deadline {
                let line = match d.due {
                    Some(_) => format!(
                        "下一期限：{} {}（{}）{}",
                        d.due_text(),
                        d.title,
                        d.left_text(),
                        if d.overdue { "，已逾期" } else { "" }
                    ),
                    None => format!(
                        "下一期限：{}，{}",
                        d.title,
                        d.missing.clone().unwrap_or_default()
                    ),
                };
                w(out, line)?;
                if !d.uncovered_years.is_empty() {
                    w(
                        out,
                        format!(
                            "提示：{}",
                            yingsu::calendar::uncovered_message(&d.uncovered_years)
                        ),
                    )?;
                }
            }
            for l in &sheet.links {
                let see = if l.exists {
                    format!("（yingsu case show {}）", l.id)
                } else {
                    "（工作区中没有这个案件）".to_string()
                };
                w(out, format!("{}：{}{see}", l.label, l.id))?;
            }
            w(out, "事实：")?;
            let rows: Vec<Vec<String>> = sheet
                .facts
                .iter()
                .map(|f| vec![format!("  {}", f.label), f.text.clone()])
                .collect();
            print_table(out, &["  字段", "值"], &rows)?;
            w(out, "办理记录：")?;
            for h in &sheet.history {
                w(
                    out,
                    format!("  {}. {}  {}  {}", h.number, h.at, h.by, h.what),
                )?;
                for d in &h.documents {
                    w(out, format!("      {}  {}", d.label(), d.file))?;
                }
                for o in &h.opened {
                    w(out, format!("      开启案件 {o}"))?;
                }
                for a in &h.attachments {
                    for f in &a.files {
                        w(
                            out,
                            format!(
                                "      附件《{}》  {}  SHA-256 {}",
                                a.title, f.file, f.sha256
                            ),
                        )?;
                    }
                }
            }
            if !sheet.attachments.is_empty() {
                w(out, "附件：")?;
                for (i, a) in sheet.attachments.iter().enumerate() {
                    let pages: usize = a.files.iter().map(|f| f.pages).sum();
                    let files: Vec<&str> = a.files.iter().map(|f| f.file.as_str()).collect();
                    w(
                        out,
                        format!(
                            "  附件{}《{}》  {} 页  {}",
                            i + 1,
                            a.title,
                            pages,
                            files.join("、")
                        ),
                    )?;
                }
            }
            if !sheet.next.is_empty() {
                let next: Vec<String> = sheet
                    .next
                    .iter()
                    .map(|n| format!("{}（{}）", n.step, n.title))
                    .collect();
                w(out, format!("可转到：{}", next.join("、")))?;
            }
            Ok(())
        }
    }
}

fn print_report(
    ws: &Workspace,
    out: &mut dyn Write,
    verb: &str,
    r: &yingsu::engine::StepReport,
) -> Result<()> {
    w(
        out,
        format!("{verb} {}：{}（{}）", r.case_id, r.step_title, r.step),
    )?;
    w(out, format!("  案件文件：{}", r.case_file))?;
    for d in &r.documents {
        w(out, format!("  文书：{}  {}", d.label(), d.file))?;
    }
    for o in &r.opened {
        w(out, format!("  已开启关联案件：{o}"))?;
    }
    if !r.next.is_empty() {
        w(out, format!("  下一步可转到：{}", r.next.join("、")))?;
    }
    // Dates worth a second look in the documents just issued (out of number order, holidays).
    if !r.documents.is_empty() {
        let files: Vec<String> = r.documents.iter().map(|d| d.file.clone()).collect();
        for line in engine::audit::document_warnings(ws, Some(&files)) {
            w(out, line)?;
        }
        // A deadline the documents print that was counted on estimated holidays (issue 29).
        let sheet = engine::sheet::case_sheet(ws, &r.case_id, Actor::from_env()?.today());
        if let Ok(Some(d)) = sheet.map(|s| s.deadline)
            && d.estimated
        {
            w(
                out,
                format!(
                    "提示：期限“{}”为 {}，文书中标注了“预估”：{}；如需印确定的日期，请填写该期限的届满日期后重新生成文书",
                    d.title,
                    d.due_text(),
                    yingsu::calendar::uncovered_message(&d.uncovered_years)
                ),
            )?;
        }
    }
    Ok(())
}
