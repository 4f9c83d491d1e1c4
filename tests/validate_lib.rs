//! `validate` through the library, with no command line: the findings come back as data (the
//! counts, what `init` left to fill in, the fonts; or the problems, each at its place, and their
//! count), and the command line prints the same.

mod common;

use chrono::NaiveDate;
use yingsu::render::TypstRenderer;
use yingsu::validate::{Outcome, validate};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 5, 8).unwrap()
}

#[test]
fn a_fresh_workspace_passes_with_its_counts_and_unfilled_values() {
    let dir = tempfile::tempdir().unwrap();
    let ws = common::workspace(dir.path());
    let found = validate(&ws, &TypstRenderer::new(), today()).unwrap();
    assert!(found.restored.is_empty(), "{:?}", found.restored);
    assert!(found.warnings.is_empty(), "{:?}", found.warnings);
    let Outcome::Passed(passed) = found.outcome else {
        panic!("problems in a fresh workspace: {:?}", found.outcome);
    };
    assert_eq!(passed.cases, 0);
    assert_eq!(passed.workflows, ws.workflows.len());
    assert_eq!(passed.templates, ws.templates.len());
    assert!(passed.workflows > 0 && passed.templates > 0);
    assert!(passed.hints.is_empty(), "{:?}", passed.hints);
    // What init leaves to fill in, each at its line of yingsu.yaml.
    assert!(!passed.unfilled.is_empty());
    assert!(
        passed
            .unfilled
            .iter()
            .all(|l| l.starts_with("yingsu.yaml 第 ") && l.contains("（现为“")),
        "{:?}",
        passed.unfilled
    );
    let fonts = passed.fonts.unwrap();
    assert!(
        fonts.iter().any(|f| f.role.starts_with("仿宋")),
        "{fonts:?}"
    );
    // The command line says the same counts.
    let (code, out, _) = common::run_env(
        dir.path(),
        &["validate"],
        "2023-05-08T09:00:00+08:00",
        &[("YINGSU_SYSTEM_FONTS", "0")],
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with(&format!(
            "检查通过：{} 个流程，{} 个模板，0 个案件。\n文书使用的字体：\n",
            passed.workflows, passed.templates
        )),
        "{out}"
    );
}

#[test]
fn an_unreadable_case_is_a_problem_at_its_place_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let ws = common::workspace(dir.path());
    std::fs::create_dir_all(dir.path().join("cases/2023")).unwrap();
    std::fs::write(dir.path().join("cases/2023/bad.yaml"), "id: [\n").unwrap();
    let found = validate(&ws, &TypstRenderer::new(), today()).unwrap();
    assert!(found.restored.is_empty(), "{:?}", found.restored);
    let Outcome::Problems(problems) = found.outcome else {
        panic!("a broken case file passed");
    };
    let last = problems.last().unwrap();
    assert_eq!(
        last.message,
        format!("检查发现 {} 处问题", problems.len() - 1)
    );
    assert_eq!(
        last.help.as_deref(),
        Some("逐条修正后重新运行 `yingsu validate`")
    );
    assert!(
        problems
            .iter()
            .any(|d| d.message == "以上 1 个案件文件无法读取，未列入结果：cases/2023/bad.yaml"),
        "{problems:#?}"
    );
    assert!(
        problems.iter().any(|d| d.file.as_deref()
            == Some(std::path::Path::new("cases/2023/bad.yaml"))
            && d.pos.is_some()),
        "{problems:#?}"
    );
}
