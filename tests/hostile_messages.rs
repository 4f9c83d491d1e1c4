//! Errors that never panic, output and input that are bounded, messages that are true and
//! Chinese (issue 25): through the `yingsu` binary, in workspaces as git delivers them (no lock
//! file), with what a clerk reads asserted exactly where practical.

use std::path::Path;
use std::time::{Duration, Instant};

mod common;

const T: &str = "2023-05-08T09:00:00+08:00";

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_env(dir, args, T, &[])
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = yingsu(dir, args);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

/// A workspace (`init`, no lock file) with one readable case, `A1`.
fn workspace_with_case() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."]);
    let mut args = vec!["case", "new", "appearance", "A1"];
    let sets: Vec<String> = common::notice("A1")
        .sets
        .into_iter()
        .flat_map(|s| ["--set".to_string(), s])
        .collect();
    args.extend(sets.iter().map(String::as_str));
    ok(dir.path(), &args);
    std::fs::remove_file(dir.path().join(".yingsu.lock")).ok();
    dir
}

/// Run `yingsu args` in `dir`, killed after `limit`: exit code and stderr, or `None` when it
/// had to be killed (it hung).
fn within(dir: &Path, args: &[&str], limit: Duration) -> Option<(i32, String)> {
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .env("YINGSU_NOW", T)
        .env("YINGSU_USER", "测试员")
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            return Some((status.code().unwrap_or(-1), err));
        }
        if start.elapsed() > limit {
            child.kill().unwrap();
            child.wait().unwrap();
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn mkfifo(path: &Path) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
}

/// A case file whose error is at column 70,000 of a 70 KB line, and one with 100,000 aliases
/// on one line, make no command panic: the listing commands list the other case and name the
/// bad files, the line quoted around the column with the caret under it; `validate` reports
/// them. Exit 1 each time.
#[test]
fn a_diagnostic_past_column_65535_is_shown_around_its_column() {
    let dir = workspace_with_case();
    let p = dir.path();
    // Text after a quoted item, 70,020 characters into the line.
    let line = format!("  plaintiffs: [{}\"b\" @]", "\"a\", ".repeat(14_000));
    let long = format!("workflow: appearance\nfacts:\n{line}\n");
    std::fs::write(p.join("cases/2023/LONG.yaml"), &long).unwrap();
    let aliases = format!(
        "workflow: appearance\nfacts:\n  a: &x 1\n  b: [{}*x]\n",
        "*x, ".repeat(100_000)
    );
    std::fs::write(p.join("cases/2023/ALIAS.yaml"), &aliases).unwrap();
    let tail: String = line.chars().skip(line.chars().count() - 100).collect();
    let long_error = format!(
        "错误：YAML 语法错误：引号内的文字结束后，同一行还有多余的内容\n --> cases/2023/LONG.yaml:3:70020\n  |\n3 | …{tail}\n  | {}^\n  = 帮助：把整段文字放进引号内，或删除引号后面的内容。解析器原文：invalid trailing content after double-quoted scalar\n",
        " ".repeat(99)
    );
    let alias_error = format!(
        "错误：文件过于庞大或复杂：锚点和别名（& 与 *）层层展开后超过了 yingsu 读取的上限\n --> cases/2023/ALIAS.yaml:4:200007\n  |\n4 | …{}…\n  | {}^^\n  = 帮助：案件记录和配置用不到锚点和别名；请删除它们，直接写出内容\n",
        "*x, ".repeat(25),
        " ".repeat(41)
    );

    for args in [
        &["status"][..],
        &["validate"],
        &["stats"],
        &["case", "show", "A1"],
    ] {
        let (code, out, err) = yingsu(p, args);
        assert!(!err.contains("panicked"), "{args:?}\n{err}");
        if args[0] == "case" {
            assert_eq!(code, 0, "{args:?}\n{out}\n{err}");
            assert!(out.starts_with("案件 A1（出庭应诉）"), "{out}");
            continue;
        }
        assert_eq!(code, 1, "{args:?}\n{out}\n{err}");
        assert!(err.len() < 4_000, "{args:?}: {} bytes\n{err}", err.len());
        assert!(err.contains(&long_error), "{args:?}\n{err}");
        assert!(err.contains(&alias_error), "{args:?}\n{err}");
        if args[0] == "status" {
            assert!(out.contains("A1"), "{out}");
        }
    }
}

/// Thirty unreadable case files: the first twenty in full, then how many more and how to list
/// them, then the count of files (kept last); `--all-errors` lists all thirty.
#[test]
fn many_errors_are_counted_after_the_first_twenty() {
    let dir = workspace_with_case();
    let p = dir.path();
    for i in 0..30 {
        std::fs::write(p.join(format!("cases/2023/B{i:02}.yaml")), "id: [\n").unwrap();
    }
    let (code, out, err) = yingsu(p, &["status"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("A1"), "{out}");
    assert_eq!(err.matches("错误：").count(), 21, "{err}");
    assert!(err.contains("cases/2023/B19.yaml"), "{err}");
    assert!(!err.contains("--> cases/2023/B20.yaml"), "{err}");
    assert!(
        err.contains(
            "\n……另有 10 条错误未列出（共 30 条）。先修正上面的错误；要列出全部，在命令后加 --all-errors（可再加 2> 错误清单.txt 存入文件）。\n\n错误：以上 30 个案件文件无法读取，未列入结果："
        ),
        "{err}"
    );
    let (code, _, err) = yingsu(p, &["status", "--all-errors"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(err.matches("错误：").count(), 31, "{err}");
    assert!(!err.contains("未列出"), "{err}");
}

/// Files named on the command line: a device, a FIFO, a folder and a file over the limit are
/// refused in Chinese at once (none is read, nothing waits for a writer).
#[test]
fn files_given_on_the_command_line_are_regular_and_bounded() {
    let dir = workspace_with_case();
    let p = dir.path();
    let outside = tempfile::tempdir().unwrap();
    let fifo = outside.path().join("notice.fifo");
    mkfifo(&fifo);
    let fifo_s = fifo.to_str().unwrap();
    let limit = Duration::from_secs(20);

    let (code, err) = within(p, &["reconcile", "/dev/zero"], limit).expect("reconcile hung");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：“/dev/zero”不是普通文件\n = 帮助：请检查路径是否正确：这里需要一个文件，不能是目录、管道或设备\n"
    );
    let (code, err) = within(p, &["reconcile", fifo_s], limit).expect("reconcile hung");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "错误：“{fifo_s}”不是普通文件\n = 帮助：请检查路径是否正确：这里需要一个文件，不能是目录、管道或设备\n"
        )
    );
    let (code, err) = within(
        p,
        &["case", "new", "appearance", "A2", "--from", fifo_s],
        limit,
    )
    .expect("case new --from a FIFO hung");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "错误：“{fifo_s}”不是普通文件\n = 帮助：请检查路径是否正确：这里需要一个文件，不能是目录、管道或设备\n"
        )
    );
    assert!(!p.join("cases/2023/A2.yaml").exists());
    // A court's list over 64 MiB (sparse: nothing is written to disk).
    let big = outside.path().join("big.csv");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(65 * 1024 * 1024)
        .unwrap();
    let (code, err) =
        within(p, &["reconcile", big.to_str().unwrap()], limit).expect("reconcile hung");
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "错误：文件“{}”太大（68157440 字节，上限为 67108864 字节）\n = 帮助：请检查是否选错了文件\n",
            big.display()
        )
    );
}

/// A `yingsu.yaml` that is a folder is said to be one (not “找不到 yingsu.yaml”).
#[test]
fn a_config_that_is_a_folder_is_said_to_be_one() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("yingsu.yaml")).unwrap();
    let (code, out, err) = yingsu(dir.path(), &["status"]);
    assert_eq!(code, 1, "{out}{err}");
    let cfg = dir.path().canonicalize().unwrap().join("yingsu.yaml");
    assert_eq!(
        err,
        format!(
            "错误：{} 是一个文件夹，不是工作区的配置文件\n = 帮助：yingsu.yaml 必须是一个文本文件：请把它改名或移走，再用 `yingsu init` 新建，或从 git 历史中恢复原来的 yingsu.yaml\n",
            cfg.display()
        )
    );
}

/// A seal image that is a FIFO is said not to be a regular file (not “不存在”), and nothing
/// waits for a writer.
#[test]
fn a_seal_image_that_is_a_fifo_is_not_a_regular_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(p, &["init", "."]);
    std::fs::create_dir(p.join("seals")).unwrap();
    mkfifo(&p.join("seals/sfj.png"));
    let cfg = p.join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "    prefix: 渝北司函\n",
        "    prefix: 渝北司函\n    seal: seals/sfj.png\n",
    );
    std::fs::write(&cfg, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l.starts_with("    seal: "))
        .unwrap()
        + 1;
    let (code, err) = within(p, &["validate"], Duration::from_secs(20)).expect("validate hung");
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "错误：发文机关 `sfj` 的印章图片 `seals/sfj.png` 不是普通文件（是管道、设备等特殊文件），不能作为图片读取\n  --> yingsu.yaml:{line}:11\n"
        )),
        "{err}"
    );
}

/// What the libraries say reaches the clerk in Chinese, their words on the help line: a YAML
/// syntax error in a case file, a Typst syntax error in a workspace template, a condition in a
/// workspace workflow that does not compile.
#[test]
fn library_messages_are_said_in_chinese_with_their_words_after() {
    let dir = workspace_with_case();
    let p = dir.path();
    std::fs::write(
        p.join("cases/2023/BAD.yaml"),
        "workflow: appearance\nfacts:\n  cause: a: b\n",
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["status"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "错误：YAML 语法错误：这里不能再出现“键: 值”（值中含有“: ”却没有加引号，或缩进有误）\n --> cases/2023/BAD.yaml:3:11\n  |\n3 |   cause: a: b\n  |           ^^^\n  = 帮助：请检查缩进（用空格，不要用 Tab）、冒号后的空格，以及含“: ”或“#”的文本是否加了引号。解析器原文：mapping values are not allowed in this context\n"
        ),
        "{err}"
    );
    assert!(err.contains("。解析器原文："), "{err}");
    std::fs::remove_file(p.join("cases/2023/BAD.yaml")).unwrap();

    std::fs::create_dir_all(p.join("templates")).unwrap();
    std::fs::write(
        p.join("templates/shouquan.typ"),
        "#import \"/gbt9704.typ\": *\n#let d = json(\"/data.json\")\n#text(d.title\n",
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["validate"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：模板有误：括号或引号没有闭合\n \
         --> templates/shouquan.typ:3:6\n  \
         |\n\
         3 | #text(d.title\n  \
         |      ^\n  \
         = 帮助：排版程序原文：unclosed delimiter；请修改模板后重试；工作区 templates/ 中的同名文件会替代内置模板\n"
    );
}

/// A condition in a workspace workflow that does not compile: said in Chinese at its place,
/// minijinja's words on the help line.
#[test]
fn a_condition_that_does_not_compile_is_said_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(p, &["init", "."]);
    std::fs::create_dir_all(p.join("workflows")).unwrap();
    std::fs::write(
        p.join("workflows/mini.yaml"),
        "name: mini\ntitle: 迷你流程\nstart: a\nfields:\n  ok: {type: bool, label: 是否}\nsteps:\n  a:\n    title: 开始\n    records: [ok]\n    next:\n      - to: b\n        when: \"ok and (\"\n  b:\n    title: 结束\n    final: true\n",
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["validate"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：条件表达式 `ok and (` 无法解析：语法错误：表达式没有写完（括号、引号没有闭合，或运算符后缺少内容）\n  \
         --> workflows/mini.yaml:12:15\n   \
         |\n\
         12 |         when: \"ok and (\"\n   \
         |               ^^^^^^^^^^\n   \
         = 帮助：条件是 minijinja 表达式，例如 outcome in ['撤销', '确认违法'] 或 not head_appeared。解析器原文：unexpected end of input, expected expression\n"
    );
}

/// `render` beside an issued document whose case data changed since: the count of documents
/// not typeset says which data did not change (the data it was issued with), so it agrees with
/// the list of documents that differ from the current data.
#[test]
fn render_says_which_data_did_not_change() {
    let dir = workspace_with_case();
    let p = dir.path();
    let file = p.join("cases/2023/A1.yaml");
    let text = std::fs::read_to_string(&file).unwrap().replace(
        "  # hearing_place: 区法院第三审判庭\n",
        "  hearing_place: 新地点\n",
    );
    assert!(text.contains("  hearing_place: 新地点\n"));
    std::fs::write(&file, text).unwrap();
    ok(p, &["render", "A1"]);
    assert_eq!(
        ok(p, &["render", "A1"]),
        "不变 archive/2023/A1/01-notice-tishihan.pdf  出庭应诉提示函\n\
         共 1 份文书，更新 0 份；其中 1 份的排版所用数据（已印发的文书用印发时的数据）、模板和字体都没有变，未重新排版。\n\
         已印发的文书与当前数据不一致（1 份，均保持印发时的原样）：\n  \
         archive/2023/A1/01-notice-tishihan.pdf《出庭应诉提示函》：现在的数据有变化：开庭地点\n\
         确需按现在的数据重新印发时运行 `yingsu render --reissue A1`（文号不变，并记入办理记录）。\n"
    );
}
