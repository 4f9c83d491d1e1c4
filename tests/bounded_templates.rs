//! Workspace templates run within bounds (issue 25): a template from the workspace's
//! `templates/` that loops or allocates without end is stopped at its time or memory limit
//! with a Chinese message naming it, `validate` finds it before any document is made, and
//! `yingsu.yaml` names that become file names are bounded at their line. Also: data accepted
//! at entry typesets — the largest value of each kind of field.

mod common;

use std::path::Path;

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_env(
        dir,
        args,
        "2023-04-20T09:00:00+08:00",
        &[("YINGSU_SYSTEM_FONTS", "0")],
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = yingsu(dir, args);
    assert_eq!(code, 0, "yingsu {args:?}:\n{out}\n{err}");
    out
}

const NOTICE: &str = "case_number: (2023)渝0112行初123号\ncourt: ybfy\ncause: 行政处罚\nlevel: 一审\nplaintiffs: [\"某公司\"]\nagency: scjgj\nnotice_date: 2023-04-20\nhead_required: true\nhearing_date: 2023-05-08\nhearing_time: 上午9时30分\nhearing_place: 区法院第三审判庭\nhead_name: 李某某\nhead_post: 局长\n";

/// A new workspace (as git delivers it: no lock, no index) whose `templates/tishihan.typ` is
/// the built-in one with `prefix` put after its first line, and whose `yingsu.yaml` ends with
/// `config_tail`.
fn workspace_with_template(prefix: &str, config_tail: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."]);
    let templates = dir.path().join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let builtin = include_str!("../templates/tishihan.typ");
    let (first, rest) = builtin.split_once('\n').unwrap();
    std::fs::write(
        templates.join("tishihan.typ"),
        format!("{first}\n{prefix}\n{rest}"),
    )
    .unwrap();
    let config = dir.path().join("yingsu.yaml");
    let mut text = std::fs::read_to_string(&config).unwrap();
    text.push_str(config_tail);
    std::fs::write(&config, text).unwrap();
    std::fs::write(dir.path().join("notice.yaml"), NOTICE).unwrap();
    dir
}

fn new_case(dir: &Path) -> (i32, String, String) {
    yingsu(
        dir,
        &["case", "new", "appearance", "A1", "--from", "notice.yaml"],
    )
}

#[test]
fn a_workspace_template_that_loops_is_stopped_at_its_time_limit() {
    let dir = workspace_with_template(
        "#for i in range(100000) { for j in range(100000) { } }",
        "template_limits: {seconds: 2}\n",
    );
    let started = std::time::Instant::now();
    let (code, out, err) = new_case(dir.path());
    let took = started.elapsed();
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(took.as_secs() < 20, "took {took:?}");
    assert_eq!(
        err,
        "错误：生成《出庭应诉提示函》（案件 A1）失败：模板 templates/tishihan.typ 排版超过 2 秒的时限，已停止\n = 帮助：请检查并修改该模板（工作区 templates/ 中的文件：是否有不会结束的循环、过大的重复或列表），或删除它改用内置模板；文书确实需要更长时间时，在 yingsu.yaml 中设置 template_limits: {seconds: 秒数}\n"
    );
    assert!(!dir.path().join("archive/2023/A1").exists());
}

// The memory limit is set with setrlimit where libc is a dependency (Linux with glibc).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
#[test]
fn a_workspace_template_that_allocates_is_stopped_at_its_memory_limit() {
    let dir = workspace_with_template(
        "#let big = \"x\" * 1000000000",
        "template_limits: {memory_mb: 512}\n",
    );
    let (code, out, err) = new_case(dir.path());
    assert_eq!(code, 1, "{out}\n{err}");
    assert_eq!(
        err,
        "错误：生成《出庭应诉提示函》（案件 A1）失败：模板 templates/tishihan.typ 排版用尽了 512 MB 的内存上限，已停止\n = 帮助：请检查并修改该模板（工作区 templates/ 中的文件：是否有不会结束的循环、过大的重复或列表），或删除它改用内置模板；文书确实需要更多内存时，在 yingsu.yaml 中设置 template_limits: {memory_mb: 兆字节数}\n"
    );
}

#[test]
fn validate_tries_workspace_templates_within_their_limits() {
    let dir = workspace_with_template(
        "#for i in range(100000) { for j in range(100000) { } }",
        "template_limits: {seconds: 2}\n",
    );
    let workspace = yingsu::workspace::Workspace::open(dir.path()).unwrap();
    yingsu::render::bound_workspace_templates(env!("CARGO_BIN_EXE_yingsu").into());
    let err = yingsu::render::check_template_bounds(&workspace).unwrap_err();
    let expected = "错误：用样例数据试排时，模板 templates/tishihan.typ 排版超过 2 秒的时限，已停止\n --> templates/tishihan.typ\n  = 帮助：请检查并修改该模板（工作区 templates/ 中的文件：是否有不会结束的循环、过大的重复或列表），或删除它改用内置模板；文书确实需要更长时间时，在 yingsu.yaml 中设置 template_limits: {seconds: 秒数}\n";
    assert_eq!(err.to_string(), expected);
    // `yingsu validate` runs the same check and refuses the template.
    let (code, _, err) = yingsu(dir.path(), &["validate"]);
    assert_eq!((code, err.as_str()), (1, expected));
}

#[test]
fn a_copied_template_typesets_within_the_default_limits() {
    // The built-in template, copied: the worker typesets it, and the PDF is the built-in's.
    let dir = workspace_with_template("", "");
    let workspace = yingsu::workspace::Workspace::open(dir.path()).unwrap();
    yingsu::render::bound_workspace_templates(env!("CARGO_BIN_EXE_yingsu").into());
    yingsu::render::check_template_bounds(&workspace).unwrap();
    let (code, out, err) = new_case(dir.path());
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(
        dir.path()
            .join("archive/2023/A1/01-notice-tishihan.pdf")
            .is_file()
    );
}

#[test]
fn template_limits_out_of_range_are_refused_at_their_line() {
    let dir = workspace_with_template("", "template_limits:\n  seconds: 0\n");
    let (code, _, err) = yingsu(dir.path(), &["validate"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("template_limits.seconds 应在 1 到 3600 秒之间，现为 0"),
        "{err}"
    );
}

// ------------------------------------------------------------ data accepted at entry typesets

/// A new workspace (built-in templates) with a proposal case at `signed`, `drafted` written
/// from `drafted` (YAML).
fn proposal_at_signed(drafted: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    ok(d, &["init", "."]);
    ok(
        d,
        &[
            "case",
            "new",
            "proposal",
            "TA",
            "--set",
            "kind=政协提案",
            "--set",
            "session=区政协十六届二次会议",
            "--set",
            "proposal_number=003",
            "--set",
            "proposal_title=关于深入推进行政机关负责人出庭应诉工作的建议",
            "--set",
            "proposer=民进区工委",
            "--set",
            "assigned_date=2023-02-20",
            "--set",
            "handler=sfj",
        ],
    );
    std::fs::write(d.join("drafted.yaml"), drafted).unwrap();
    ok(
        d,
        &["case", "advance", "TA", "drafted", "--from", "drafted.yaml"],
    );
    ok(
        d,
        &[
            "case",
            "advance",
            "TA",
            "signed",
            "--set",
            "signer=局长杨佳红",
            "--set",
            "sign_date=2023-05-06",
        ],
    );
    dir
}

/// Advances the proposal to `replied` (which typesets the 复函) with `cc` as its 抄送 list.
fn reply_with_cc(dir: &Path, cc: &[String]) -> (i32, String, String) {
    let mut replied = "reply_date: 2023-05-08\nreply_class: A\ncc:\n".to_string();
    for name in cc {
        replied.push_str(&format!("  - {name}\n"));
    }
    std::fs::write(dir.join("replied.yaml"), replied).unwrap();
    yingsu(
        dir,
        &["case", "advance", "TA", "replied", "--from", "replied.yaml"],
    )
}

/// `n` distinct names of `chars` characters each.
fn names(n: usize, chars: usize) -> Vec<String> {
    (0..n)
        .map(|i| {
            let tag = format!("第{i}组");
            let fill = chars - tag.chars().count() - 2;
            format!("区政{}{tag}", "协".repeat(fill))
        })
        .collect()
}

#[test]
fn the_largest_values_accepted_at_entry_typeset() {
    use yingsu::entry::{MAX_FIELD_CHARS, MAX_LIST_ITEMS};
    // A single-line text at its limit (the 复函标题: the PDF's metadata title is capped, the
    // printed title is whole), a multi-line text at its limit (the 正文, in paragraphs), and a
    // list at both its limits (items, and characters of all items together).
    let title = "关于行政机关负责人出庭应诉工作的意见建议"
        .repeat(MAX_FIELD_CHARS)
        .chars()
        .take(MAX_FIELD_CHARS)
        .collect::<String>();
    let paragraph = "近年来，我区高度重视行政机关负责人出庭应诉工作。".repeat(20);
    let mut body = String::new();
    while body.chars().count() + paragraph.chars().count() < MAX_FIELD_CHARS {
        body.push_str(&paragraph);
        body.push('\n');
    }
    let body: String = body.trim_end().to_string();
    assert!(body.chars().count() > MAX_FIELD_CHARS - 500);
    for drafted in [
        format!(
            "letter_title: {title}\nbackground: [近年来。]\nwork: [加强指导：严格落实。]\nnext_steps: [完善制度：修订规定。]\n"
        ),
        format!("body: |\n  {}\n", body.replace('\n', "\n  ")),
    ] {
        let dir = proposal_at_signed(&drafted);
        let cc = names(MAX_LIST_ITEMS, MAX_FIELD_CHARS / MAX_LIST_ITEMS);
        assert_eq!(
            cc.iter().map(|n| n.chars().count()).sum::<usize>(),
            MAX_FIELD_CHARS
        );
        let (code, out, err) = reply_with_cc(dir.path(), &cc);
        assert_eq!(code, 0, "{out}\n{err}");
        let pdf = std::fs::read(dir.path().join("archive/2023/TA/04-replied-fuhan.pdf")).unwrap();
        assert!(pdf.starts_with(b"%PDF-"));
    }
}

#[test]
fn a_list_longer_than_its_limit_is_refused_at_entry() {
    let dir = proposal_at_signed(
        "background: [近年来。]\nwork: [加强指导：严格落实。]\nnext_steps: [完善制度：修订规定。]\n",
    );
    let (code, _, err) = reply_with_cc(dir.path(), &names(501, 8));
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：cc（抄送） 太长：共 501 项，超过每个列表 500 项的上限\n --> replied.yaml:4:3\n  |\n4 |   - 区政协协协第0组\n  |   ^^^^^^^^^^^^^^^^^\n  = 帮助：请精简列表；篇幅很长的材料请作为附件另行归档，不要整篇填入一个字段\n"
    );
    let (code, _, err) = reply_with_cc(dir.path(), &names(2, 10_001));
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "错误：cc（抄送） 太长：各项共 20002 个字符，超过每个字段 20000 个字符的上限\n"
        ),
        "{err}"
    );
    assert!(
        !dir.path()
            .join("archive/2023/TA/04-replied-fuhan.pdf")
            .exists()
    );
}

#[test]
fn a_cc_list_of_thousands_of_names_is_laid_out_whole() {
    // typst stops a regex show rule after about 512 matches in one run of text; the layout
    // library cuts long texts into runs, so every name is printed, once, in order; a 版记 too
    // long for one page runs on over the following pages (16 here) instead of overflowing.
    use yingsu::typeset::{Job, Typesetter};
    let fonts = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
    let ts = Typesetter::new(&[fonts]).unwrap();
    let mut data: serde_json::Value =
        serde_json::from_str(include_str!("../templates/samples/letter.json")).unwrap();
    let cc: Vec<String> = (0..2000).map(|i| format!("单位{i}")).collect();
    data["cc"] = serde_json::json!(cc);
    let job = Job::new(
        include_str!("../templates/samples/letter.typ"),
        data,
        chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
        "cc",
    );
    let doc = ts.layout(&job).unwrap();
    assert_eq!(doc.pages().len(), 16);
    let mut text = String::new();
    for page in 0..doc.pages().len() {
        for line in common::frames::lines(&common::frames::glyphs(&doc, page)) {
            let line = common::frames::text_of(&line);
            // Not the page number (“— 2 —”).
            if !line.starts_with('—') {
                text.push_str(&line);
            }
        }
    }
    let expected = format!("抄送：{}。", cc.join("，"));
    let tail: String = text.chars().skip(text.chars().count() - 300).collect();
    assert!(text.contains(&expected), "{tail}");
}

// ------------------------------------------------------------ names that become file names

#[test]
fn a_long_prefix_is_refused_at_its_line_with_the_limit() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."]);
    let config = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let long = "渝".repeat(200);
    assert!(text.contains("prefix: 渝北司函\n"));
    std::fs::write(
        &config,
        text.replacen("prefix: 渝北司函\n", &format!("prefix: {long}\n"), 1),
    )
    .unwrap();
    let line = text
        .lines()
        .position(|l| l.trim_start().starts_with("prefix: 渝北司函"))
        .unwrap()
        + 1;
    let (code, _, err) = yingsu(dir.path(), &["validate"]);
    assert_eq!(code, 1);
    let head = format!(
        "错误：发文机关 `sfj` 的文号代字 `{long}` 太长：共 200 个字符，超过 32 个字符的上限（它会成为文件名的一部分）\n  --> yingsu.yaml:{line}:13\n"
    );
    assert!(err.starts_with(&head), "{err}");
    assert!(
        err.ends_with(" = 帮助：改用不超过 32 个字符的简短名称，如 渝北司函、scjgj\n"),
        "{err}"
    );
}

/// The processes whose parent is `parent` (from `/proc/*/stat`).
#[cfg(target_os = "linux")]
fn children_of(parent: u32) -> Vec<u32> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let Ok(stat) = std::fs::read_to_string(entry.path().join("stat")) else {
            continue;
        };
        // pid (comm) state ppid …: comm may hold spaces, so read after its closing bracket.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) {
            out.push(pid);
        }
    }
    out
}

#[cfg(target_os = "linux")]
#[test]
fn a_worker_whose_command_was_killed_stops_itself() {
    // The command waits on its worker; killed (kill -9) meanwhile, it cannot stop the worker,
    // which ends itself 5 seconds after the time limit.
    let dir = workspace_with_template(
        "#for i in range(100000) { for j in range(100000) { } }",
        "template_limits: {seconds: 2}\n",
    );
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir.path())
        .env("YINGSU_NOW", "2023-04-20T09:00:00+08:00")
        .env("YINGSU_SYSTEM_FONTS", "0")
        .args(["case", "new", "appearance", "A1", "--from", "notice.yaml"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let mut workers = Vec::new();
    while workers.is_empty() && started.elapsed().as_secs() < 10 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        workers = children_of(command.id());
    }
    assert_eq!(workers.len(), 1);
    std::thread::sleep(std::time::Duration::from_millis(500));
    command.kill().unwrap();
    command.wait().unwrap();
    let alive = |pid: u32| {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            !s.rsplit_once(')')
                .is_some_and(|(_, r)| r.trim_start().starts_with('Z'))
        })
    };
    assert!(alive(workers[0]), "the worker ended with its command");
    while alive(workers[0]) && started.elapsed().as_secs() < 20 {
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    let took = started.elapsed().as_secs_f64();
    assert!(
        !alive(workers[0]),
        "the worker still runs after {took:.1} s"
    );
    assert!(took > 6.5, "{took}");
}
