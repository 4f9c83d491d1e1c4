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
        "#for i in range(100000000000) { }",
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
        "#for i in range(100000000000) { }",
        "template_limits: {seconds: 2}\n",
    );
    let workspace = yingsu::workspace::Workspace::open(dir.path()).unwrap();
    yingsu::render::bound_workspace_templates(env!("CARGO_BIN_EXE_yingsu").into());
    let err = yingsu::render::check_template_bounds(&workspace).unwrap_err();
    assert_eq!(
        err.to_string(),
        "错误：用样例数据试排时，模板 templates/tishihan.typ 排版超过 2 秒的时限，已停止\n --> templates/tishihan.typ\n  = 帮助：请检查并修改该模板（工作区 templates/ 中的文件：是否有不会结束的循环、过大的重复或列表），或删除它改用内置模板；文书确实需要更长时间时，在 yingsu.yaml 中设置 template_limits: {seconds: 秒数}\n"
    );
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
