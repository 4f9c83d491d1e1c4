//! The command line in Chinese, clap's own texts included: headings, usage, the help and version
//! flags, defaults and choices in the descriptions, and every parse error (rendered here from the
//! error's kind and context, never clap's English).
//!
//! Usage errors exit with 1, like every other error the user can correct (README, “命令”).

use clap::builder::PossibleValue;
use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Arg, ArgAction, Command};

/// Help layout of every command: description, usage, then the headed argument lists.
const TEMPLATE: &str = "{about-with-newline}\n用法：{usage}\n\n{all-args}{after-help}";

/// Heading of the positional arguments, of the options and of the subcommands.
pub const ARGUMENTS: &str = "参数";
pub const OPTIONS: &str = "选项";
pub const COMMANDS: &str = "命令";

/// The Chinese command: `cmd` (from the derive) set up recursively, built, with usages in
/// Chinese. Parse with it, then `FromArgMatches`.
pub fn localize(cmd: Command) -> Command {
    let mut cmd = setup(cmd, true);
    cmd.build();
    usages(cmd)
}

fn setup(cmd: Command, root: bool) -> Command {
    let mut cmd = cmd
        .help_template(TEMPLATE)
        .disable_help_flag(true)
        .disable_help_subcommand(true)
        .subcommand_help_heading(COMMANDS)
        .subcommand_value_name(COMMANDS)
        .mut_args(describe)
        .arg(
            Arg::new("help")
                .short('h')
                .long("help")
                .action(ArgAction::Help)
                .help("显示帮助")
                .help_heading(OPTIONS),
        );
    if root {
        cmd = cmd.disable_version_flag(true).arg(
            Arg::new("version")
                .short('V')
                .long("version")
                .action(ArgAction::Version)
                .help("显示版本")
                .help_heading(OPTIONS),
        );
    }
    cmd.mut_subcommands(|s| setup(s, false))
}

/// An argument's heading, and its default and choices written into its description in Chinese
/// (clap's `[default: …]`, `[possible values: …]` hidden).
fn describe(arg: Arg) -> Arg {
    let mut arg = arg;
    if arg.get_help_heading().is_none() {
        let heading = if arg.is_positional() {
            ARGUMENTS
        } else {
            OPTIONS
        };
        arg = arg.help_heading(heading);
    }
    let mut help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
    let takes_value = arg.get_action().takes_values();
    let values: Vec<String> = if takes_value {
        arg.get_possible_values()
            .iter()
            .filter(|v| !v.is_hide_set())
            .map(PossibleValue::get_name)
            .map(str::to_string)
            .collect()
    } else {
        Vec::new()
    };
    if !values.is_empty() {
        help.push_str(&format!("（可选：{}）", values.join("、")));
    }
    let defaults: Vec<String> = arg
        .get_default_values()
        .iter()
        .map(|v| v.to_string_lossy().into_owned())
        .collect();
    if takes_value && !defaults.is_empty() && !help.contains("默认") {
        help.push_str(&format!("（默认：{}）", defaults.join("、")));
    }
    let arg = arg.help(help);
    if takes_value {
        arg.hide_default_value(true).hide_possible_values(true)
    } else {
        arg
    }
}

/// clap writes `[OPTIONS]` into a usage it generates: generate each command's usage once, built,
/// and keep it in Chinese as the command's own.
fn usages(mut cmd: Command) -> Command {
    let usage = cmd.render_usage().to_string();
    let usage = usage
        .trim_start_matches("Usage:")
        .trim()
        .replace("[OPTIONS]", &format!("[{OPTIONS}]"));
    cmd.override_usage(usage).mut_subcommands(usages)
}

/// Help text as printed: the headings end with a full-width colon.
pub fn help_text(rendered: &str) -> String {
    rendered
        .lines()
        .map(|l| match l.strip_suffix(':') {
            Some(h @ (ARGUMENTS | OPTIONS | COMMANDS)) => format!("{h}："),
            _ => l.to_string(),
        })
        .collect::<Vec<_>>()
        .join("\n")
        + if rendered.ends_with('\n') { "\n" } else { "" }
}

/// What to print for a parse “error” and where, and the exit code.
pub struct Outcome {
    pub text: String,
    pub to_stdout: bool,
    pub code: i32,
}

fn string(e: &clap::Error, kind: ContextKind) -> Option<String> {
    match e.get(kind)? {
        ContextValue::String(s) => Some(s.clone()),
        ContextValue::Strings(v) => Some(v.join("、")),
        ContextValue::StyledStr(s) => Some(s.to_string()),
        ContextValue::StyledStrs(v) => Some(
            v.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join("、"),
        ),
        ContextValue::Number(n) => Some(n.to_string()),
        ContextValue::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn strings(e: &clap::Error, kind: ContextKind) -> Vec<String> {
    match e.get(kind) {
        Some(ContextValue::String(s)) => vec![s.clone()],
        Some(ContextValue::Strings(v)) => v.clone(),
        Some(ContextValue::StyledStr(s)) => vec![s.to_string()],
        Some(ContextValue::StyledStrs(v)) => v.iter().map(|s| s.to_string()).collect(),
        _ => Vec::new(),
    }
}

/// The usage line of the command the error is about (without a title), and that command's
/// name path (`yingsu case`) for the pointer to its help.
fn usage_of(e: &clap::Error) -> Option<(String, String)> {
    let u = string(e, ContextKind::Usage)?;
    let u = u.trim().trim_start_matches("Usage:").trim().to_string();
    let path = u
        .split_whitespace()
        .take_while(|w| !w.starts_with(['[', '<']))
        .collect::<Vec<_>>()
        .join(" ");
    Some((u, path))
}

/// The usage line and name path (`yingsu status`) of the deepest command `args` (the program's
/// name first) name: for the errors whose context carries no usage (invalid values).
pub fn usage_for(cmd: &Command, args: &[String]) -> (String, String) {
    let mut c = cmd.clone();
    let mut path = vec![c.get_name().to_string()];
    for a in args.iter().skip(1) {
        if let Some(s) = c.find_subcommand(a).cloned() {
            path.push(s.get_name().to_string());
            c = s;
        }
    }
    let usage = c.render_usage().to_string();
    let usage = usage.trim().trim_start_matches("Usage:").trim().to_string();
    (usage, path.join(" "))
}

/// Chinese for clap's description of a value that failed to parse.
fn why_invalid(e: &clap::Error) -> Option<&'static str> {
    let source = std::error::Error::source(e)?;
    if let Some(p) = source.downcast_ref::<std::num::ParseIntError>() {
        use std::num::IntErrorKind::*;
        return Some(match p.kind() {
            Empty => "不能为空",
            PosOverflow | NegOverflow => "数字太大",
            _ => "应填写整数",
        });
    }
    if source.is::<std::num::ParseFloatError>() {
        return Some("应填写数字");
    }
    None
}

/// The Chinese text of a parse error (or the help, the version), where to print it and the exit
/// code: 0 for help and version, 1 for usage errors (as for every error the user can fix), 2 for
/// clap's internal errors.
///
/// `fallback` is the usage and name path of the command (see [`usage_for`]) for the errors whose
/// context has none.
pub fn render_error(e: &clap::Error, fallback: Option<(String, String)>) -> Outcome {
    let usage_err = |message: String, help: Vec<String>| {
        let mut text = format!("错误：{message}\n");
        for h in help {
            text.push_str(&format!(" = 帮助：{h}\n"));
        }
        if let Some((usage, path)) = usage_of(e).or_else(|| fallback.clone()) {
            text.push_str(&format!("\n用法：{usage}\n"));
            text.push_str(&format!("运行 `{path} --help` 查看说明。\n"));
        }
        Outcome {
            text,
            to_stdout: false,
            code: 1,
        }
    };
    let suggestions: Vec<String> = [
        ContextKind::SuggestedSubcommand,
        ContextKind::SuggestedArg,
        ContextKind::SuggestedValue,
    ]
    .into_iter()
    .flat_map(|k| strings(e, k))
    .collect();
    let did_you_mean = || -> Vec<String> {
        if suggestions.is_empty() {
            Vec::new()
        } else {
            vec![format!("您是不是要输入 {}？", suggestions.join(" 或 "))]
        }
    };
    let arg = string(e, ContextKind::InvalidArg).unwrap_or_default();
    let value = string(e, ContextKind::InvalidValue).unwrap_or_default();
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => Outcome {
            text: help_text(&e.render().to_string()),
            to_stdout: true,
            code: 0,
        },
        ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => Outcome {
            text: help_text(&e.render().to_string()),
            to_stdout: false,
            code: 1,
        },
        ErrorKind::InvalidSubcommand => usage_err(
            format!(
                "没有 `{}` 这个命令",
                string(e, ContextKind::InvalidSubcommand).unwrap_or_default()
            ),
            did_you_mean(),
        ),
        ErrorKind::UnknownArgument => {
            let message = if arg.starts_with('-') {
                format!("没有 `{arg}` 这个选项")
            } else {
                format!("多余的参数 `{arg}`")
            };
            usage_err(message, did_you_mean())
        }
        ErrorKind::MissingRequiredArgument => {
            usage_err(format!("缺少必填的参数：{arg}"), Vec::new())
        }
        ErrorKind::MissingSubcommand => {
            let valid = strings(e, ContextKind::ValidSubcommand);
            let help = if valid.is_empty() {
                Vec::new()
            } else {
                vec![format!("可用的命令：{}", valid.join("、"))]
            };
            usage_err("缺少命令".to_string(), help)
        }
        ErrorKind::InvalidValue => {
            let valid = strings(e, ContextKind::ValidValue);
            let mut help = did_you_mean();
            if !valid.is_empty() {
                help.push(format!("可选的值：{}", valid.join("、")));
            }
            let message = if value.is_empty() {
                format!("{arg} 需要填写一个值")
            } else {
                format!("`{value}` 不是 {arg} 可用的值")
            };
            usage_err(message, help)
        }
        ErrorKind::ValueValidation => {
            let message = match why_invalid(e) {
                Some(why) => format!("{arg} 的值 `{value}` 无效：{why}"),
                None => format!("{arg} 的值 `{value}` 无效"),
            };
            usage_err(message, Vec::new())
        }
        ErrorKind::ArgumentConflict => {
            let prior = string(e, ContextKind::PriorArg).unwrap_or_default();
            let message = if prior.is_empty() || prior == arg {
                format!("{arg} 只能使用一次")
            } else {
                format!("{arg} 不能与 {prior} 同时使用")
            };
            usage_err(message, Vec::new())
        }
        ErrorKind::NoEquals => usage_err(
            format!("{arg} 的值要用等号连接"),
            vec![format!("例如 {arg}=值")],
        ),
        ErrorKind::TooManyValues => usage_err(format!("{arg} 的值过多：`{value}`"), Vec::new()),
        ErrorKind::TooFewValues | ErrorKind::WrongNumberOfValues => {
            usage_err(format!("{arg} 的值个数不对"), Vec::new())
        }
        ErrorKind::InvalidUtf8 => usage_err(
            "命令行中有无法识别的字符（不是 UTF-8 编码）".to_string(),
            Vec::new(),
        ),
        ErrorKind::Io | ErrorKind::Format => Outcome {
            text: format!("内部错误：无法输出命令行说明（{:?}）\n", e.kind()),
            to_stdout: false,
            code: 2,
        },
        _ => usage_err("命令行有误".to_string(), did_you_mean()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// clap's English that must never reach a user.
    const ENGLISH: &[&str] = &[
        "Usage",
        "Options",
        "Arguments",
        "Commands",
        "Print help",
        "Print version",
        "error:",
        "[default:",
        "[possible values",
        "Possible values",
        "[OPTIONS]",
        "<COMMAND>",
    ];

    /// Every command's path below `cmd` (`["case", "advance"]`), the root's first as `[]`.
    fn paths(cmd: &Command, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(prefix.clone());
        for s in cmd.get_subcommands() {
            let mut p = prefix.clone();
            p.push(s.get_name().to_string());
            paths(s, p, out);
        }
    }

    fn help_of(path: &[String], flag: &str) -> Outcome {
        let mut args = vec!["yingsu".to_string()];
        args.extend(path.iter().cloned());
        args.push(flag.to_string());
        match super::super::parse(args) {
            Ok(_) => panic!("{path:?} {flag} parsed as a command"),
            Err(e) => render_error(&e, None),
        }
    }

    #[test]
    fn every_help_is_chinese() {
        let cmd = super::super::command();
        let mut all = Vec::new();
        paths(&cmd, Vec::new(), &mut all);
        assert!(all.len() >= 20, "{all:?}");
        for path in &all {
            for flag in ["-h", "--help"] {
                let o = help_of(path, flag);
                assert_eq!((o.code, o.to_stdout), (0, true), "{path:?} {flag}");
                for e in ENGLISH {
                    assert!(!o.text.contains(e), "{path:?} {flag}: {e}\n{}", o.text);
                }
                let usage = format!("用法：yingsu {}", path.join(" "));
                assert!(
                    o.text.contains(usage.trim_end()),
                    "{path:?} {flag}\n{}",
                    o.text
                );
                assert!(o.text.contains("\n选项：\n"), "{}", o.text);
                assert!(o.text.contains("  -h, --help"), "{}", o.text);
                assert!(o.text.contains("显示帮助"), "{}", o.text);
                assert!(!o.text.contains(":\n"), "{}", o.text);
            }
        }
        let root = help_of(&[], "--help").text;
        assert!(root.contains("  -V, --version"), "{root}");
        assert!(root.contains("显示版本"), "{root}");
        assert!(root.contains("\n命令：\n"), "{root}");
        assert!(root.contains("用法：yingsu [选项] <命令>\n"), "{root}");
    }

    #[test]
    fn every_argument_and_command_is_described() {
        fn walk(cmd: &Command, path: &str) {
            assert!(
                cmd.get_about().is_some() || path == "yingsu",
                "{path} has no description"
            );
            for a in cmd.get_arguments() {
                let help = a.get_help().map(|h| h.to_string()).unwrap_or_default();
                assert!(
                    help.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
                    "{path} {} has no Chinese description",
                    a.get_id()
                );
            }
            for s in cmd.get_subcommands() {
                walk(s, &format!("{path} {}", s.get_name()));
            }
        }
        walk(&super::super::command(), "yingsu");
    }

    #[test]
    fn defaults_and_choices_are_written_in_chinese() {
        let o = help_of(&["check".into()], "--help");
        assert!(o.text.contains("约谈地点（默认：另行通知）"), "{}", o.text);
        let o = help_of(&["completions".into()], "--help");
        assert!(
            o.text
                .contains("使用的命令行程序（shell）（可选：bash、zsh、fish、powershell）"),
            "{}",
            o.text
        );
        let o = help_of(&["render".into()], "-h");
        assert!(
            o.text.contains("并行线程数（默认为本机的处理器数）"),
            "{}",
            o.text
        );
    }

    #[test]
    fn version() {
        let o = help_of(&[], "-V");
        assert_eq!(o.text, format!("yingsu {}\n", env!("CARGO_PKG_VERSION")));
        assert_eq!((o.code, o.to_stdout), (0, true));
    }

    #[test]
    fn help_headings_take_a_full_width_colon() {
        assert_eq!(
            help_text("用法：x\n\n选项:\n  -h\n命令:\n参数:\nOther:\n"),
            "用法：x\n\n选项：\n  -h\n命令：\n参数：\nOther:\n"
        );
    }
}
