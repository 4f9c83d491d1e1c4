//! Workflow semantics come from the workflow file: the statistics find the notice, the hearings,
//! the judgment and the losses by what `statistics:` declares, whatever the steps are called,
//! and a bad declaration is refused with where it is and how to fix it.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use yingsu::Workspace;
use yingsu::stats::{Archive, Period, compute};
use yingsu::workflow::{Context, Workflow};

mod common;
use common::archive::letter_archive;

const CONFIG: &str = r#"
region: 重庆市渝北区
issuers:
  sfj: {name: 重庆市渝北区司法局, short: 区司法局, prefix: 渝北司函, prefixes: {文件: 渝北司发}}
  qzf: {name: 重庆市渝北区人民政府, short: 区政府, prefix: 渝北府函}
  dept: {name: 重庆市渝北区某局, prefix: 渝北某函}
agencies:
  qzf: {name: 重庆市渝北区人民政府, short: 区政府, group: government, kind: 区政府, issuer: qzf}
  scjgj: {name: 重庆市渝北区市场监督管理局, short: 区市场监管局, group: departments, kind: 部门, issuer: dept}
  gaj: {name: 重庆市渝北区公安分局, short: 区公安分局, group: departments, kind: 部门, issuer: dept}
groups:
  government: {title: 区政府, denominator: notices}
  departments: {title: 区政府部门, denominator: hearings}
courts:
  ybfy: 重庆市渝北区人民法院
  cq1zy: 重庆市第一中级人民法院
deadlines:
  loss_report: {working_days: 15}
  proposal_reply: {months: 3}
  rectification_report: {working_days: 20}
"#;

fn builtin_appearance() -> &'static str {
    yingsu::workspace::builtin_workflows()
        .find(|(n, _)| *n == "appearance")
        .map(|(_, s)| s)
        .unwrap()
}

/// The built-in appearance workflow with its steps renamed: notice → received, appearance →
/// session, judgment → ruling (the `statistics:` block follows).
fn renamed() -> String {
    let mut text = builtin_appearance().to_string();
    for (from, to) in [
        ("start: notice", "start: received"),
        ("\n  notice:\n", "\n  received:\n"),
        ("\n  appearance:\n", "\n  session:\n"),
        ("\n  judgment:\n", "\n  ruling:\n"),
        ("- to: appearance", "- to: session"),
        ("- to: judgment", "- to: ruling"),
        ("notice_step: notice ", "notice_step: received "),
        ("hearing_step: appearance ", "hearing_step: session "),
        ("judgment_step: judgment ", "judgment_step: ruling "),
    ] {
        assert!(text.contains(from), "{from}");
        text = text.replace(from, to);
    }
    text
}

/// The 2022 figures of the workspace at `dir`, as JSON.
fn figures_2022(dir: &Path) -> Value {
    let ws = Workspace::open(dir).unwrap();
    let archive = Archive::load(&ws).unwrap();
    let stats = compute(&ws, &archive, &Period::parse("2022").unwrap()).unwrap();
    serde_json::to_value(&stats.rows).unwrap()
}

/// Every case file of the archive with `from` written as `to`.
fn rewrite_cases(dir: &Path, from: &str, to: &str) {
    for year in std::fs::read_dir(dir.join("cases")).unwrap() {
        for f in std::fs::read_dir(year.unwrap().path()).unwrap() {
            let p = f.unwrap().path();
            let text = std::fs::read_to_string(&p).unwrap();
            std::fs::write(&p, text.replace(from, to)).unwrap();
        }
    }
}

#[test]
fn the_figures_follow_the_declared_steps_not_their_names() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("yingsu.yaml"), CONFIG).unwrap();
    letter_archive(dir.path(), &["scjgj", "gaj"]);
    let before = figures_2022(dir.path());
    let total = &before[0];
    assert_eq!(total["scope"], "total");
    assert_eq!(
        (&total["counted"], &total["concluded"], &total["losses"]),
        (&Value::from(380), &Value::from(390), &Value::from(27))
    );

    // The same cases under a workflow whose steps have other names: the same figures.
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    let own = dir.path().join("workflows/appearance.yaml");
    std::fs::write(&own, renamed()).unwrap();
    rewrite_cases(dir.path(), "step: notice\n", "step: received\n");
    rewrite_cases(dir.path(), "step: appearance\n", "step: session\n");
    rewrite_cases(dir.path(), "step: judgment\n", "step: ruling\n");
    assert_eq!(figures_2022(dir.path()), before);

    // The words a sentence counts a loss by are the workflow's.
    let worded = renamed().replace("    撤销: 判决撤销\n", "    撤销: 撤销判决\n");
    std::fs::write(&own, worded).unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let archive = Archive::load(&ws).unwrap();
    let stats = compute(&ws, &archive, &Period::parse("2022").unwrap()).unwrap();
    assert_eq!(
        stats.rows[0].counts.losses_text(),
        "撤销判决3件、判决部分撤销3件、判决确认违法13件、判决确认无效2件、判决履行法定职责2件、判决变更2件、判决赔偿2件"
    );

    // A workflow that declares nothing has no cases in the figures.
    let start = renamed().find("\n# 统计口径").unwrap();
    std::fs::write(&own, &renamed()[..start + 1]).unwrap();
    let none = figures_2022(dir.path());
    assert_eq!(
        (&none[0]["counted"], &none[0]["losses"]),
        (&0.into(), &0.into())
    );
}

/// The error of loading the built-in appearance workflow changed by `edit`.
fn refused(edit: impl Fn(&str) -> String) -> String {
    let (config, _) = yingsu::config::Config::parse(Path::new("yingsu.yaml"), CONFIG).unwrap();
    let templates: BTreeSet<String> = yingsu::workspace::builtin_templates()
        .filter_map(|(p, _)| p.strip_suffix(".typ").map(str::to_string))
        .collect();
    let workflows: BTreeSet<String> = yingsu::workspace::builtin_workflows()
        .map(|(n, _)| n.to_string())
        .collect();
    let cx = Context {
        config: &config,
        templates: &templates,
        workflows: &workflows,
    };
    let text = edit(builtin_appearance());
    Workflow::load(Path::new("workflows/appearance.yaml"), &text, &cx)
        .unwrap_err()
        .to_string()
}

#[test]
fn a_bad_statistics_declaration_says_where_and_how_to_fix_it() {
    assert_eq!(
        refused(|t| t.replace("hearing_step: appearance ", "hearing_step: apperance ")),
        "错误：统计口径中记录开庭的步骤（statistics.hearing_step）`apperance` 未定义
   --> workflows/appearance.yaml:162:17
    |
162 |   hearing_step: apperance  # 记录一次开庭和负责人出庭情况的步骤，每次开庭一条
    |                 ^^^^^^^^^^^
    = 帮助：写本流程的一个步骤名；可用的步骤：notice、reply、appearance、judgment、loss_review、closed
"
    );
    assert_eq!(
        refused(|t| t.replace("    变更: 判决变更\n", "    改判: 判决改判\n")),
        "错误：统计口径中的败诉结果（statistics.losses）`改判` 不是字段 `outcome` 的可选值
   --> workflows/appearance.yaml:170:5
    |
170 |     改判: 判决改判
    |     ^^^^^^^^^^^^^^
    = 帮助：败诉结果只能写 outcome 的可选值：驳回诉讼请求、驳回起诉、撤诉、调解、撤销、部分撤销、确认违法、确认无效、责令履行法定职责、变更、判决赔偿
"
    );
    assert_eq!(
        refused(|t| t.replace("  judgment_step: judgment ", "  # judgment_step: judgment ")),
        "错误：统计口径声明了败诉结果（statistics.losses），但没有声明记录裁判结果的步骤（statistics.judgment_step）
   --> workflows/appearance.yaml:165:5
    |
165 |     撤销: 判决撤销
    |     ^^^^^^^^^^^^^^
    = 帮助：在 statistics 下写 judgment_step: 记录裁判结果的步骤名，例如 judgment_step: judgment
"
    );
    assert_eq!(
        refused(|t| t.replace("statistics:\n", "statistics:\n  rectifications: true\n")),
        "错误：统计口径不能既声明督查整改（statistics.rectifications），又声明出庭应诉的步骤
   --> workflows/appearance.yaml:162:16
    |
162 |   notice_step: notice       # 收到法院出庭应诉通知的步骤：办过它（或 hearing_step）的案件计入统计
    |                ^^^^^^^^^^^^^
    = 帮助：督查整改流程只写 rectifications: true；出庭应诉流程写 notice_step、hearing_step、judgment_step 和 losses
"
    );
    assert_eq!(
        refused(|t| t.replace("    撤销: 判决撤销\n", "    撤销: \"\"\n")),
        "错误：统计口径中的败诉结果 `撤销` 没有写统计文字中的说法
   --> workflows/appearance.yaml:165:5
    |
165 |     撤销: \"\"
    |     ^^^^^^^^
    = 帮助：写成 撤销: 判决撤销，统计文字据此写“判决撤销N件”
"
    );
}

/// `check --open` opens rectifications in the workflow that declares it handles them; with none,
/// it says so and opens nothing.
#[test]
fn rectifications_open_in_the_declared_workflow() {
    let dir = tempfile::tempdir().unwrap();
    let config = format!("{CONFIG}targets: {{floor: 99}}\n");
    std::fs::write(dir.path().join("yingsu.yaml"), config).unwrap();
    letter_archive(dir.path(), &["scjgj", "gaj"]);
    let rectification = yingsu::workspace::builtin_workflows()
        .find(|(n, _)| *n == "rectification")
        .map(|(_, s)| s)
        .unwrap();
    let start = rectification.find("\n# 统计口径").unwrap();
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    std::fs::write(
        dir.path().join("workflows/rectification.yaml"),
        &rectification[..start + 1],
    )
    .unwrap();
    let run = |args: &[&str]| common::run_env(dir.path(), args, "2023-01-10T09:00:00+08:00", &[]);
    let (code, out, err) = run(&["check", "--period", "2022", "--open", "--yes"]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        err,
        "错误：没有流程声明办理督查整改（statistics: {rectifications: true}），无法开启整改案件\n = 帮助：在办理督查整改的流程文件（如 workflows/rectification.yaml）末尾写 statistics: {rectifications: true}\n"
    );
    assert!(!dir.path().join("cases/2023").exists());
    // Declared again (the built-in file): the cases open.
    std::fs::remove_file(dir.path().join("workflows/rectification.yaml")).unwrap();
    let (code, out, err) = run(&["check", "--period", "2022", "--open", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("ZG-2022-scjgj-floor"), "{out}");
    assert!(
        dir.path()
            .join("cases/2023/ZG-2022-scjgj-floor.yaml")
            .exists()
    );
}
