//! The command line: owns argument parsing (clap, help in Chinese) and printing results. Every
//! command is a thin call into the library; nothing here decides anything about cases.

use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

use crate::engine::{Actor, Input};
use crate::error::{Error, Result, str_width};
use crate::render::TypstRenderer;
use crate::workspace::{self, Workspace};

#[derive(Parser, Debug)]
#[command(
    name = "yingsu",
    version,
    about = "yingsu（应诉）：行政应诉工作引擎——按流程办理出庭应诉、败诉总结、督查整改、提案答复，按 GB/T 9704-2012 生成公文 PDF 并归档",
    disable_help_subcommand = true,
    help_template = "{about}\n\n用法：{usage}\n\n{all-args}",
    next_help_heading = "选项"
)]
pub struct Cli {
    /// 工作区目录（默认从当前目录向上查找 yingsu.yaml）
    #[arg(short = 'C', long = "dir", global = true, value_name = "目录")]
    pub dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// 新建工作区（yingsu.yaml、cases/、archive/）
    Init {
        /// 目录（默认当前目录）
        #[arg(value_name = "目录")]
        dir: Option<PathBuf>,
    },
    /// 检查工作区配置、流程、模板和全部案件
    Validate,
    /// 案件：新建、推进、查看
    #[command(subcommand)]
    Case(CaseCommand),
    /// 列出所有案件：流程、当前步骤、下一期限、是否逾期
    Status {
        /// 以 JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 重新生成案件的文书 PDF（保留原文号）
    Render {
        /// 案件编号（可多个）
        #[arg(value_name = "案件编号")]
        ids: Vec<String>,
        /// 生成所有案件的文书
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// 并行线程数
        #[arg(short = 'j', long = "jobs", default_value_t = default_jobs(), value_name = "N")]
        jobs: usize,
    },
    /// 流程：查看步骤与转向
    #[command(subcommand)]
    Workflow(WorkflowCommand),
    /// 出庭应诉与败诉统计（按月、季、年或起止日期；终端表格、JSON 或 CSV）
    Stats(crate::stats::StatsArgs),
    /// 检查考核目标：列出未达标、出庭率为零、无正当理由不出庭等情形，可一键开启整改案件
    Check(crate::stats::CheckArgs),
    /// 与法院案件清单（CSV）比对，列出差异
    Reconcile(crate::stats::ReconcileArgs),
    /// 生成月度报送表、季度通报等统计文书
    Report(crate::stats::ReportArgs),
    /// 生成演示工作区：约 30 个案件覆盖全部流程分支，生成全部文书
    Demo {
        /// 目录（默认 ./yingsu-demo）
        #[arg(value_name = "目录")]
        dir: Option<PathBuf>,
    },
}

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
        #[arg(value_name = "案件编号")]
        id: String,
        #[arg(value_name = "步骤")]
        step: String,
        #[arg(long = "set", value_name = "字段=值")]
        sets: Vec<String>,
        #[arg(long = "from", value_name = "文件")]
        from: Option<PathBuf>,
    },
    /// 查看案件：事实、办理记录、文书、可转向的步骤
    Show {
        #[arg(value_name = "案件编号")]
        id: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum WorkflowCommand {
    /// 显示流程的步骤和转向；--yaml 输出内置 YAML 以便复制到工作区修改
    Show {
        #[arg(value_name = "流程")]
        name: String,
        /// 输出流程的 YAML 原文
        #[arg(long)]
        yaml: bool,
    },
    /// 列出可用的流程
    List,
}

fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 1 } else { 0 };
            let _ = e.print();
            return code;
        }
    };
    let mut out = std::io::stdout().lock();
    match run(cli, &mut out) {
        Ok(()) => 0,
        // The reader went away (`yingsu status | head`): nothing more to say, as with any
        // command-line tool; the work itself was done before the output.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = out.flush();
            eprint!("{e}");
            if !e.to_string().ends_with('\n') {
                eprintln!();
            }
            e.exit_code()
        }
    }
}

fn open(dir: &Option<PathBuf>) -> Result<Workspace> {
    let start = dir.clone().unwrap_or_else(|| PathBuf::from("."));
    Workspace::discover(&start)
}

fn w(out: &mut dyn Write, s: impl AsRef<str>) -> Result<()> {
    writeln!(out, "{}", s.as_ref()).map_err(|e| Error::io("输出", "stdout", e))
}

/// Run one parsed command, writing its output to `out`.
pub fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Init { dir } => {
            let dir = dir.or(cli.dir).unwrap_or_else(|| PathBuf::from("."));
            let created = workspace::init(&dir)?;
            w(out, format!("已在 {} 新建工作区：", dir.display()))?;
            for p in created {
                w(out, format!("  {}", p.display()))?;
            }
            w(
                out,
                "下一步：编辑 yingsu.yaml 填写本地机关和单位，然后运行 `yingsu validate`。",
            )
        }
        Command::Validate => {
            let ws = open(&cli.dir)?;
            ws.check_templates()?;
            let rows = ws.status(Actor::from_env()?.today())?;
            w(
                out,
                format!(
                    "检查通过：{} 个流程，{} 个模板，{} 个案件。",
                    ws.workflows.len(),
                    ws.templates.len(),
                    rows.len()
                ),
            )?;
            w(out, "文书使用的字体：")?;
            let fonts: Vec<Vec<String>> = ws
                .role_fonts(&TypstRenderer::new())?
                .into_iter()
                .map(|f| {
                    let note = match f.instead_of {
                        Some(o) => format!("（未找到{o}，以此代替）"),
                        None => String::new(),
                    };
                    vec![f.role, format!("{}{note}", f.family), f.source]
                })
                .collect();
            print_table(out, &["用途", "字体", "来源"], &fonts)
        }
        Command::Case(c) => case_command(&open(&cli.dir)?, c, out),
        Command::Status { json } => {
            let ws = open(&cli.dir)?;
            let rows = ws.status(Actor::from_env()?.today())?;
            if json {
                let s = serde_json::to_string_pretty(&rows)
                    .map_err(|e| Error::Internal(e.to_string()))?;
                return w(out, s);
            }
            if rows.is_empty() {
                return w(out, "还没有案件。用 `yingsu case new` 新建。");
            }
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.id.clone(),
                        r.workflow_title.clone(),
                        r.step_title.clone(),
                        r.deadline
                            .as_ref()
                            .map(|d| format!("{} {}", d.due, d.title))
                            .unwrap_or_else(|| "—".into()),
                        match (&r.deadline, r.closed) {
                            (_, true) => "已结束".into(),
                            (Some(d), _) if d.overdue => "逾期".into(),
                            _ => "".into(),
                        },
                    ]
                })
                .collect();
            print_table(
                out,
                &["案件编号", "流程", "当前步骤", "下一期限", "状态"],
                &table,
            )?;
            let overdue = rows
                .iter()
                .filter(|r| r.deadline.as_ref().is_some_and(|d| d.overdue) && !r.closed)
                .count();
            w(out, format!("共 {} 件，逾期 {overdue} 件。", rows.len()))
        }
        Command::Render { ids, all, jobs } => {
            let ws = open(&cli.dir)?;
            if ids.is_empty() && !all {
                return Err(Error::user(
                    "请指定要重新生成文书的案件编号，或用 --all 生成全部",
                    "例如 yingsu render 2023-行初-123，或 yingsu render --all -j 2",
                ));
            }
            let renderer = TypstRenderer::new();
            let done = ws.render_cases(&ids, jobs, &renderer, &Actor::from_env()?)?;
            let changed = done.iter().filter(|d| d.changed).count();
            for d in &done {
                w(
                    out,
                    format!(
                        "{} {}  {}",
                        if d.changed { "更新" } else { "不变" },
                        d.record.file,
                        d.record.title
                    ),
                )?;
            }
            w(
                out,
                format!("共 {} 份文书，更新 {changed} 份。", done.len()),
            )
        }
        Command::Workflow(WorkflowCommand::List) => {
            let ws = open(&cli.dir).ok();
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
        Command::Workflow(WorkflowCommand::Show { name, yaml }) => {
            let ws = open(&cli.dir);
            let source = match &ws {
                Ok(ws) => ws.workflow(&name)?.source.clone(),
                Err(_) => workspace::builtin_workflows()
                    .find(|(n, _)| *n == name)
                    .map(|(_, s)| s.to_string())
                    .ok_or_else(|| {
                        Error::user(
                            format!("没有名为 `{name}` 的流程"),
                            "可用的内置流程：appearance、rectification、proposal",
                        )
                    })?,
            };
            if yaml {
                return write!(out, "{source}").map_err(|e| Error::io("输出", "stdout", e));
            }
            let wf = match &ws {
                Ok(ws) => ws.workflow(&name)?.clone(),
                Err(_) => crate::workflow::Workflow::load(
                    Path::new(&format!("内置流程/{name}.yaml")),
                    &source,
                    &crate::workflow::Context {
                        config: &crate::config::Config::parse(
                            Path::new("yingsu.yaml"),
                            workspace::INIT_CONFIG,
                        )?
                        .0,
                        templates: &workspace::builtin_templates()
                            .map(|(p, _)| p.trim_end_matches(".typ").to_string())
                            .collect(),
                        workflows: &workspace::builtin_workflows()
                            .map(|(n, _)| n.to_string())
                            .collect(),
                    },
                )?,
            };
            show_workflow(out, &wf)
        }
        Command::Stats(a) => crate::stats::cmd_stats(&open(&cli.dir)?, a, out),
        Command::Check(a) => crate::stats::cmd_check(&open(&cli.dir)?, a, out),
        Command::Reconcile(a) => crate::stats::cmd_reconcile(&open(&cli.dir)?, a, out),
        Command::Report(a) => crate::stats::cmd_report(&open(&cli.dir)?, a, out),
        Command::Demo { dir } => {
            let dir = dir
                .or(cli.dir)
                .unwrap_or_else(|| PathBuf::from("yingsu-demo"));
            let report = crate::demo::run(&dir)?;
            w(out, report.summary())
        }
    }
}

fn case_command(ws: &Workspace, c: CaseCommand, out: &mut dyn Write) -> Result<()> {
    let renderer = TypstRenderer::new();
    match c {
        CaseCommand::New {
            workflow,
            id,
            sets,
            from,
        } => {
            let r = ws.new_case(
                &workflow,
                &id,
                &Input { sets, from },
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
        } => {
            let r = ws.advance(
                &id,
                &step,
                &Input { sets, from },
                &Actor::from_env()?,
                &renderer,
            )?;
            print_report(ws, out, "已推进案件", &r)
        }
        CaseCommand::Show { id } => {
            let (case, wf) = ws.load_case(&id)?;
            let step = case.current_step();
            let spec = wf
                .step(step)
                .ok_or_else(|| Error::Internal("step".into()))?;
            w(out, format!("案件 {id}（{}）", wf.spec.title))?;
            w(
                out,
                format!(
                    "文件：{}",
                    case.path
                        .strip_prefix(&ws.root)
                        .unwrap_or(&case.path)
                        .display()
                ),
            )?;
            w(out, format!("当前步骤：{}（{step}）", spec.title))?;
            if let Some(d) =
                ws.next_deadline(wf, &id, spec, &case.facts(), Actor::from_env()?.today())
            {
                w(
                    out,
                    format!(
                        "下一期限：{} {}{}",
                        d.due,
                        d.title,
                        if d.overdue { "（已逾期）" } else { "" }
                    ),
                )?;
            }
            w(out, "事实：")?;
            let facts = case.facts();
            let rows: Vec<Vec<String>> = wf
                .spec
                .fields
                .0
                .iter()
                .filter_map(|(k, f)| {
                    facts
                        .get(&k.value)
                        .map(|v| vec![format!("  {}", f.label), crate::case::value(v)])
                })
                .collect();
            print_table(out, &["  字段", "值"], &rows)?;
            w(out, "办理记录：")?;
            for h in &case.history {
                let what = match (&h.step, &h.event) {
                    (Some(s), _) => wf
                        .step(s)
                        .map(|x| x.title.clone())
                        .unwrap_or_else(|| s.clone()),
                    (None, Some(e)) => e.clone(),
                    _ => String::new(),
                };
                w(out, format!("  {}  {}  {}", h.at, h.by, what))?;
                for d in &h.documents {
                    w(out, format!("      {}  {}", d.label(), d.file))?;
                }
                for o in &h.opened {
                    w(out, format!("      开启案件 {o}"))?;
                }
            }
            if !spec.is_final {
                w(
                    out,
                    format!(
                        "可转到：{}",
                        spec.next
                            .iter()
                            .map(|n| format!(
                                "{}（{}）",
                                n.to.value,
                                wf.step(&n.to.value).map(|s| s.title.as_str()).unwrap_or("")
                            ))
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                )?;
            }
            Ok(())
        }
    }
}

fn print_report(
    _ws: &Workspace,
    out: &mut dyn Write,
    verb: &str,
    r: &crate::engine::StepReport,
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
    Ok(())
}

fn show_workflow(out: &mut dyn Write, wf: &crate::workflow::Workflow) -> Result<()> {
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

/// Print an aligned table (CJK characters take two columns).
pub fn print_table(out: &mut dyn Write, header: &[&str], rows: &[Vec<String>]) -> Result<()> {
    let n = header.len();
    let mut widths: Vec<usize> = header.iter().map(|h| str_width(h)).collect();
    for r in rows {
        for (i, c) in r.iter().enumerate().take(n) {
            widths[i] = widths[i].max(str_width(c));
        }
    }
    let line = |cells: Vec<&str>| -> String {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            s.push_str(c);
            if i + 1 < cells.len() {
                s.push_str(&" ".repeat(widths[i] - str_width(c) + 2));
            }
        }
        s.trim_end().to_string()
    };
    w(out, line(header.to_vec()))?;
    for r in rows {
        w(out, line(r.iter().map(|s| s.as_str()).collect()))?;
    }
    Ok(())
}
