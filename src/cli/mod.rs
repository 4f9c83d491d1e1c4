//! The command line: owns argument parsing (clap, help in Chinese), printing results and exit
//! codes. Each command has a file of its own in [`cmd`] and is a thin call into the library;
//! nothing here decides anything about cases (what `validate` finds, which rows are overdue,
//! what `check` would open: see `yingsu::validate` and `yingsu::listing`).

use std::io::Write;
use std::path::PathBuf;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

mod cmd;
mod period;
mod progress;
pub mod suggest;
mod xlsx;
pub mod zh;

use cmd::{case, check, reconcile, report, schema, stats, status, template, workflow};

use yingsu::error::{Error, Result, str_width};
use yingsu::workspace::Workspace;

#[derive(Parser, Debug)]
#[command(
    name = "yingsu",
    version,
    about = "yingsu（应诉）：行政应诉工作引擎——按流程办理出庭应诉、败诉总结、督查整改、提案答复，按 GB/T 9704-2012 生成公文 PDF 并归档"
)]
pub struct Cli {
    /// 工作区目录（默认从当前目录向上查找 yingsu.yaml）
    #[arg(short = 'C', long = "dir", global = true, value_name = "目录")]
    pub dir: Option<PathBuf>,
    /// 列出全部错误（默认只列出前 20 条，其余只计数）
    #[arg(long = "all-errors", global = true)]
    pub all_errors: bool,
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
        /// 把已有的工作区变成 git 仓库（现有文件作为第一次提交）
        #[arg(long)]
        git: bool,
    },
    /// 检查工作区配置、流程、模板和全部案件
    Validate,
    /// 历史：谁在何时做了什么（可只看一个案件、某日以来）
    Log {
        /// 案件编号
        #[arg(value_name = "案件编号")]
        case: Option<String>,
        /// 只列这一天及以后的记录，如 2023-05-01
        #[arg(long, value_name = "日期")]
        since: Option<String>,
    },
    /// 按文号找到印发它的记录；文书 PDF 丢失或被改动时从历史恢复原件
    Show {
        /// 文号，如 渝北市监函〔2023〕3号
        #[arg(value_name = "文号")]
        number: String,
    },
    /// 把手工修改的文件记入历史（validate 会列出它们）
    Commit {
        /// 说明改了什么
        #[arg(short = 'm', long = "message", value_name = "说明")]
        message: String,
    },
    /// 案件：新建、推进、查看
    #[command(subcommand)]
    Case(case::CaseCommand),
    /// 列出案件：流程、当前步骤、单位、期限、剩余天数；可按单位、流程、到期时间筛选
    Status(status::StatusArgs),
    /// 期限提醒：已逾期、今天到期、未来5个工作日内到期和缺少起算日期的事项，按单位分组，可直接粘贴到工作消息
    Agenda(cmd::agenda::AgendaArgs),
    /// 重新生成案件的文书 PDF（保留原文号）
    Render {
        /// 案件编号（可多个）
        #[arg(value_name = "案件编号")]
        ids: Vec<String>,
        /// 生成所有案件的文书
        #[arg(long, conflicts_with = "ids")]
        all: bool,
        /// 并行线程数（默认为本机的处理器数）
        #[arg(short = 'j', long = "jobs", default_value_t = default_jobs(), value_name = "N")]
        jobs: usize,
        /// 按现在的数据重新印发所列案件的文书（文号不变，记入办理记录）；不加时已印发的文书保持原样
        #[arg(long, conflicts_with = "all")]
        reissue: bool,
    },
    /// 流程：查看步骤与转向
    #[command(subcommand)]
    Workflow(workflow::WorkflowCommand),
    /// 模板：列出内置模板和版式库，输出模板原文以便复制到工作区修改
    #[command(subcommand)]
    Template(template::TemplateCommand),
    /// 输出 YAML 文件的 JSON Schema，供编辑器补全和检查：yingsu schema case > schema/case.json
    Schema {
        /// 哪种文件：case（案件记录）、config（yingsu.yaml）、workflow（流程定义）
        #[arg(value_name = "种类")]
        kind: schema::SchemaKind,
    },
    /// 出庭应诉与败诉统计（按月、季、年或起止日期；终端表格、JSON、CSV 或 Excel）
    Stats(stats::StatsArgs),
    /// 检查考核目标：列出未达标、出庭率为零、无正当理由不出庭等情形，可一键开启整改案件
    Check(check::CheckArgs),
    /// 与法院案件清单（CSV 或 Excel）比对，列出差异
    Reconcile(reconcile::ReconcileArgs),
    /// 生成月度报送表、季度通报等统计文书
    Report(report::ReportArgs),
    /// 生成演示工作区：约 30 个案件覆盖全部流程分支，生成全部文书
    Demo {
        /// 目录（默认 ./yingsu-demo）
        #[arg(value_name = "目录")]
        dir: Option<PathBuf>,
    },
    /// 在浏览器中办理：启动本机工作台（只监听 127.0.0.1），显示待办、案件和各步骤的表单与文书预览
    Serve {
        /// 端口（默认 8080；0 表示任选一个空闲端口）
        #[arg(long, value_name = "端口", default_value_t = 8080)]
        port: u16,
        /// 对外监听的地址，如 0.0.0.0:8080（须先用 yingsu user add 添加用户，每个请求都要登录）
        #[arg(long, value_name = "地址", conflicts_with = "port")]
        listen: Option<String>,
        /// 另一个可用来访问工作台的主机名（如 yingsu.example.gov.cn），可多次给出；只用于 --listen
        #[arg(long = "host", value_name = "主机名", requires = "listen")]
        hosts: Vec<String>,
        /// 启动后在本机的默认浏览器中打开工作台
        #[arg(long = "open")]
        open_browser: bool,
    },
    /// 工作台的用户：添加、列出、删除（users.yaml，密码只存 Argon2id 摘要）
    #[command(subcommand)]
    User(cmd::user::UserCommand),
    /// 输出命令行自动补全脚本：yingsu completions bash > /etc/bash_completion.d/yingsu
    Completions {
        /// 使用的命令行程序（shell）
        #[arg(value_name = "命令行")]
        shell: Shell,
    },
    /// 输出 man 手册页（roff 格式）：yingsu man > yingsu.1
    Man,
}

/// The shells `yingsu completions` writes for.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shell {
    Bash,
    Zsh,
    Fish,
    Powershell,
}

impl From<Shell> for clap_complete::Shell {
    fn from(s: Shell) -> Self {
        match s {
            Shell::Bash => clap_complete::Shell::Bash,
            Shell::Zsh => clap_complete::Shell::Zsh,
            Shell::Fish => clap_complete::Shell::Fish,
            Shell::Powershell => clap_complete::Shell::PowerShell,
        }
    }
}

/// The whole command line in Chinese (see [`zh`]), built and ready to parse.
pub fn command() -> clap::Command {
    zh::localize(Cli::command())
}

/// Parse the arguments (the program's name first) with the Chinese command line; a parse error
/// is clap's, to be shown with [`zh::render_error`].
pub fn parse<I, T>(args: I) -> std::result::Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let mut cmd = command();
    let matches = cmd.try_get_matches_from_mut(args)?;
    Cli::from_arg_matches(&matches).map_err(|e| e.format(&mut cmd))
}

fn default_jobs() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// Run the CLI; returns the process exit code.
pub fn main() -> i32 {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let cli = match parse(args.clone()) {
        Ok(c) => c,
        Err(e) => {
            let names: Vec<String> = args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect();
            let o = zh::render_error(&e, Some(zh::usage_for(&command(), &names)));
            if o.to_stdout {
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(o.text.as_bytes());
                let _ = out.flush();
            } else {
                eprint!("{}", o.text);
            }
            return o.code;
        }
    };
    // Line by line on a terminal; in blocks into a pipe or a file (a listing of ten thousand
    // lines is one write per line otherwise).
    let stdout = std::io::stdout().lock();
    let mut out: Box<dyn Write> = if std::io::IsTerminal::is_terminal(&stdout) {
        Box::new(stdout)
    } else {
        Box::new(std::io::BufWriter::with_capacity(1 << 16, stdout))
    };
    let all_errors = cli.all_errors;
    let result =
        run(cli, &mut out).and_then(|()| out.flush().map_err(|e| Error::io("输出", "stdout", e)));
    match result {
        Ok(()) => 0,
        // The reader went away (`yingsu status | head`): nothing more to say, as with any
        // command-line tool; the work itself was done before the output.
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            let _ = out.flush();
            let limit = if all_errors { usize::MAX } else { SHOWN_ERRORS };
            let mut err = std::io::BufWriter::new(std::io::stderr().lock());
            let _ = write_error(&mut err, &e, limit);
            let _ = err.flush();
            e.exit_code()
        }
    }
}

/// Errors written in full when a command finds many; the rest are counted (`--all-errors`
/// lists them all).
pub const SHOWN_ERRORS: usize = 20;

/// Write error `e` for the clerk: at most `limit` of its diagnostics in full, then how many
/// more there are and how to list them; a closing summary without a file (`validate`'s count) is kept last. Written one diagnostic at a time,
/// without building the whole text.
pub fn write_error(to: &mut dyn Write, e: &Error, limit: usize) -> std::io::Result<()> {
    let Error::Many(all) = e else {
        let text = e.to_string();
        to.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            writeln!(to)?;
        }
        return Ok(());
    };
    let summary = all
        .last()
        .filter(|d| all.len() > limit && d.file.is_none() && d.pos.is_none());
    let listed = all.len() - usize::from(summary.is_some());
    for (i, d) in all.iter().take(listed.min(limit)).enumerate() {
        if i > 0 {
            writeln!(to)?;
        }
        write!(to, "{d}")?;
    }
    if listed > limit {
        writeln!(
            to,
            "\n……另有 {} 条错误未列出（共 {listed} 条）。先修正上面的错误；要列出全部，在命令后加 --all-errors（可再加 2> 错误清单.txt 存入文件）。",
            listed - limit
        )?;
    }
    if let Some(d) = summary {
        write!(to, "\n{d}")?;
    }
    Ok(())
}

/// The workspace the command works on; its messages while working go to stderr.
fn open(dir: &Option<PathBuf>) -> Result<Workspace> {
    let start = dir.clone().unwrap_or_else(|| PathBuf::from("."));
    let mut ws = Workspace::discover(&start)?;
    ws.set_notifier(std::sync::Arc::new(|m: &str| eprintln!("{m}")));
    Ok(ws)
}

fn w(out: &mut dyn Write, s: impl AsRef<str>) -> Result<()> {
    writeln!(out, "{}", s.as_ref()).map_err(|e| Error::io("输出", "stdout", e))
}

/// Run one parsed command, writing its output to `out`.
fn run(cli: Cli, out: &mut dyn Write) -> Result<()> {
    match cli.command {
        Command::Init { dir, git } => {
            let dir = dir.or(cli.dir).unwrap_or_else(|| PathBuf::from("."));
            cmd::init::run(&dir, git, out)
        }
        Command::Validate => cmd::validate::run(&open(&cli.dir)?, out),
        Command::Log { case, since } => {
            cmd::history::log(&open(&cli.dir)?, case.as_deref(), since.as_deref(), out)
        }
        Command::Show { number } => cmd::history::show(&open(&cli.dir)?, &number, out),
        Command::Commit { message } => cmd::history::commit(&open(&cli.dir)?, &message, out),
        Command::Case(c) => case::run(&open(&cli.dir)?, c, out),
        Command::Status(a) => match target(&cli.dir, &a.workspaces)? {
            Target::Many(dirs) => status::run_members(&dirs, a, out),
            Target::One(ws) => status::run(&ws, a, out),
        },
        Command::Agenda(a) => cmd::agenda::run(&open(&cli.dir)?, a, out),
        Command::Render {
            ids,
            all,
            jobs,
            reissue,
        } => cmd::render::run(&open(&cli.dir)?, ids, all, jobs, reissue, out),
        Command::Workflow(c) => workflow::run(&cli.dir, c, out),
        Command::Template(c) => template::run(&cli.dir, c, out),
        Command::Schema { kind } => schema::run(&cli.dir, kind, out),
        Command::Stats(a) => match target(&cli.dir, &a.workspaces)? {
            Target::Many(dirs) => stats::run_members(&dirs, a, out),
            Target::One(ws) => stats::run(&ws, a, out),
        },
        Command::Check(a) => match target(&cli.dir, &a.workspaces)? {
            Target::Many(dirs) => check::run_members(&dirs, a, out),
            Target::One(ws) => check::run(&ws, a, out),
        },
        Command::Reconcile(a) => reconcile::run(&open(&cli.dir)?, a, out),
        Command::Report(a) => report::run(&open(&cli.dir)?, a, out),
        Command::Demo { dir } => {
            let dir = dir
                .or(cli.dir)
                .unwrap_or_else(|| PathBuf::from("yingsu-demo"));
            cmd::demo::run(&dir, out)
        }
        Command::Serve {
            port,
            listen,
            hosts,
            open_browser,
        } => cmd::serve::run(&open(&cli.dir)?, port, listen, hosts, open_browser, out),
        Command::User(c) => cmd::user::run(&open(&cli.dir)?, c, out),
        Command::Completions { shell } => cmd::completions::run(shell, out),
        Command::Man => cmd::man::run(out),
    }
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

/// What a command that can read several workspaces reads.
pub enum Target {
    /// The workspace at hand, opened.
    One(Box<Workspace>),
    /// Several workspaces' folders.
    Many(Vec<PathBuf>),
}

/// The workspaces a command reads: those given with `--workspace` (relative to -C's folder when
/// given), else the `members:` of the workspace at hand, else that workspace itself (opened
/// once, and used as it is).
pub fn target(dir: &Option<PathBuf>, given: &[PathBuf]) -> Result<Target> {
    if !given.is_empty() {
        return Ok(Target::Many(
            given
                .iter()
                .map(|p| match dir {
                    Some(d) if p.is_relative() => d.join(p),
                    _ => p.clone(),
                })
                .collect(),
        ));
    }
    let ws = open(dir)?;
    let members = yingsu::stats::members::configured(&ws);
    Ok(if members.is_empty() {
        Target::One(Box::new(ws))
    } else {
        Target::Many(members)
    })
}

/// The case files of several workspaces that could not be read, as one error (or none).
pub fn members_unreadable(files: Vec<String>) -> Result<()> {
    if files.is_empty() {
        return Ok(());
    }
    Err(Error::user(
        format!("以下案件文件无法读取，未计入：{}", files.join("、")),
        "在各工作区运行 `yingsu validate` 查看原因并修正",
    ))
}
