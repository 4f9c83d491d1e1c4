//! `workflow list` and `workflow show`: the workflows a workspace (or the built-in set) has.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::Subcommand;
use yingsu::error::{Error, Result};
use yingsu::workflow::Workflow;
use yingsu::workspace;

use crate::cli::{open, w};

#[derive(Subcommand, Debug)]
pub enum WorkflowCommand {
    /// 显示流程的步骤和转向；--yaml 输出内置 YAML 以便复制到工作区修改；--svg 画出流程图
    Show {
        /// 流程名（appearance、rectification、proposal 或工作区自定义的流程）
        #[arg(value_name = "流程")]
        name: String,
        /// 输出流程的 YAML 原文
        #[arg(long, conflicts_with = "svg")]
        yaml: bool,
        /// 把流程图（步骤、转向及条件、各步骤的文书和期限）写成 SVG 图片
        #[arg(long, value_name = "文件")]
        svg: Option<PathBuf>,
        /// 列出流程的全部字段：中文名、字段名、类型、是否必填、可选值和说明（--set 可写中文名）
        #[arg(long, conflicts_with_all = ["yaml", "svg"])]
        fields: bool,
    },
    /// 列出可用的流程
    List,
}

/// Run a `workflow` command (a workspace is optional: without one, the built-in workflows).
pub fn run(dir: &Option<PathBuf>, c: WorkflowCommand, out: &mut dyn Write) -> Result<()> {
    match c {
        WorkflowCommand::List => {
            let ws = open(dir).ok();
            match ws {
                Some(ws) => {
                    for (n, wf) in &ws.workflows {
                        w(
                            out,
                            format!("{n}\t{}\t{}", wf.spec.title, wf.file.display()),
                        )?;
                    }
                }
                None => {
                    for (n, _) in workspace::builtin_workflows() {
                        w(out, n)?;
                    }
                }
            }
            Ok(())
        }
        WorkflowCommand::Show {
            name,
            yaml,
            svg,
            fields,
        } => {
            let ws = open(dir);
            let source = match &ws {
                Ok(ws) => ws.workflow(&name)?.source.clone(),
                Err(_) => workspace::builtin_workflows()
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| s.to_string())
                    .ok_or_else(|| {
                        let names: Vec<&str> =
                            workspace::builtin_workflows().map(|(n, _)| n).collect();
                        let mut help = format!("可用的内置流程：{}", names.join("、"));
                        if let Some(n) = crate::cli::suggest::closest(&name, names.iter().copied())
                        {
                            help = format!("您是不是要输入 {n}？{help}");
                        }
                        Error::user(format!("没有名为 `{name}` 的流程"), help)
                    })?,
            };
            if yaml {
                return write!(out, "{source}").map_err(|e| Error::io("输出", "stdout", e));
            }
            let init_config =
                yingsu::config::Config::parse(Path::new("yingsu.yaml"), workspace::INIT_CONFIG)?.0;
            let wf = match &ws {
                Ok(ws) => ws.workflow(&name)?.clone(),
                Err(_) => yingsu::workflow::Workflow::load(
                    Path::new(&format!("内置流程/{name}.yaml")),
                    &source,
                    &yingsu::workflow::Context {
                        config: &init_config,
                        templates: &workspace::builtin_templates()
                            .map(|(p, _)| p.trim_end_matches(".typ").to_string())
                            .collect(),
                        workflows: &workspace::builtin_workflows()
                            .map(|(n, _)| n.to_string())
                            .collect(),
                    },
                )?,
            };
            if let Some(file) = svg {
                // In a workspace, its fonts; elsewhere the program's own.
                let (typesetter, config) = match &ws {
                    Ok(ws) => (
                        yingsu::render::TypstRenderer::new().typesetter(ws)?,
                        &ws.config,
                    ),
                    Err(_) => (
                        std::sync::Arc::new(
                            yingsu::typeset::Typesetter::with_default_fonts(
                                &workspace::bundled_font_dirs(),
                                &[],
                            )
                            .map_err(|e| Error::Internal(e.to_string()))?,
                        ),
                        &init_config,
                    ),
                };
                let picture = yingsu::diagram::svg(&typesetter, &wf, config)?;
                yingsu::archive::write_atomic(&file, picture.as_bytes())?;
                return w(out, format!("已写入流程图：{}", file.display()));
            }
            if fields {
                return show_fields(out, &wf);
            }
            show_workflow(out, &wf)
        }
    }
}

fn show_workflow(out: &mut dyn Write, wf: &Workflow) -> Result<()> {
    w(out, format!("流程 {}：{}", wf.name(), wf.spec.title))?;
    if let Some(d) = &wf.spec.description {
        w(out, d)?;
    }
    w(out, format!("来源：{}", wf.file.display()))?;
    w(out, format!("起始步骤：{}", wf.spec.start.value))?;
    for (k, s) in &wf.spec.steps.0 {
        w(out, "")?;
        w(
            out,
            format!(
                "● {}（{}）{}",
                s.title,
                k.value,
                if s.is_final { " [结束]" } else { "" }
            ),
        )?;
        if !s.records.is_empty() {
            let labels: Vec<String> = s
                .records
                .iter()
                .map(|r| {
                    let f = wf.field(&r.value);
                    let req = f
                        .and_then(|f| f.required.as_ref())
                        .map(|v| !matches!(v.value, serde_json::Value::Bool(false)))
                        .unwrap_or(false);
                    format!(
                        "{}{}",
                        f.map(|f| f.label.as_str()).unwrap_or(&r.value),
                        if req { "*" } else { "" }
                    )
                })
                .collect();
            w(out, format!("    记录：{}", labels.join("、")))?;
        }
        if !s.roles.is_empty() {
            let roles: Vec<&str> = s.roles.iter().map(|r| r.value.as_str()).collect();
            w(out, format!("    办理角色：{}", roles.join("、")))?;
        }
        for d in &s.documents {
            w(
                out,
                format!(
                    "    文书：{}（模板 {}）{}",
                    d.title,
                    d.template.value,
                    d.when
                        .as_ref()
                        .map(|c| format!(" 条件：{}", c.value))
                        .unwrap_or_default()
                ),
            )?;
        }
        for d in &s.deadlines {
            w(
                out,
                format!("    期限：{}（自 {} 起）", d.title, d.from.value),
            )?;
        }
        for o in &s.opens {
            w(
                out,
                format!(
                    "    开启：{} 流程{}",
                    o.workflow.value,
                    o.when
                        .as_ref()
                        .map(|c| format!("，条件：{}", c.value))
                        .unwrap_or_default()
                ),
            )?;
        }
        for n in &s.next {
            w(
                out,
                format!(
                    "    → {}{}",
                    n.to.value,
                    n.when
                        .as_ref()
                        .map(|c| format!("  当 {}", c.value))
                        .unwrap_or_default()
                ),
            )?;
        }
    }
    w(out, "")?;
    w(out, "（* 为必填或按条件必填的字段）")
}

/// Every field of `wf` as a clerk writes it: label and key, type, whether it is required, the
/// values it takes and its help.
fn show_fields(out: &mut dyn Write, wf: &Workflow) -> Result<()> {
    w(
        out,
        format!("流程 {}（{}）的字段：", wf.name(), wf.spec.title),
    )?;
    for (k, f) in &wf.spec.fields.0 {
        let required = match f.required.as_ref().map(|v| &v.value) {
            None | Some(serde_json::Value::Bool(false)) => "选填".to_string(),
            Some(serde_json::Value::Bool(true)) => "必填".to_string(),
            Some(serde_json::Value::String(c)) => format!("视情况必填（{c}）"),
            Some(other) => format!("视情况必填（{other}）"),
        };
        w(
            out,
            format!("  {}（{}）  {}，{required}", f.label, k.value, f.ty.label()),
        )?;
        if !f.values.is_empty() {
            w(out, format!("      可选：{}", f.values.join("、")))?;
        }
        if !f.columns.is_empty() {
            let columns: Vec<String> = f
                .columns
                .iter()
                .map(|c| {
                    let ty = match c.ty {
                        yingsu::facts::ColumnType::Text => "文本",
                        yingsu::facts::ColumnType::Integer => "整数",
                    };
                    let required = if c.required { "，必填" } else { "" };
                    format!("{}（{}，{ty}{required}）", c.label, c.key)
                })
                .collect();
            w(out, format!("      各列：{}", columns.join("｜")))?;
            w(out, format!("      {}", yingsu::facts::TABLE_SYNTAX))?;
        }
        if let Some(of) = &f.of {
            let what = match of.value.as_str() {
                "agencies" => "单位",
                "courts" => "法院",
                "issuers" => "发文机关",
                other => other,
            };
            w(
                out,
                format!(
                    "      取自 yingsu.yaml 的{what}（{}）：写全称、简称或编号",
                    of.value
                ),
            )?;
        }
        if let Some(h) = &f.help {
            w(out, format!("      {h}"))?;
        }
    }
    w(out, "")?;
    w(
        out,
        format!(
            "填写时用中文名或字段名均可，例如 --set {}=…",
            wf.spec
                .fields
                .0
                .first()
                .map_or("", |(_, f)| f.label.as_str())
        ),
    )
}
