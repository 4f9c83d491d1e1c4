//! Workflow validation: each error names the file, line and column, quotes the line and says how
//! to fix it — before any case moves.

mod common;

use yingsu::Workspace;

/// A workspace whose `workflows/mini.yaml` is `body`; returns the rendered error.
fn load_error(body: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    std::fs::write(dir.path().join("workflows/mini.yaml"), body).unwrap();
    let e = Workspace::open(dir.path()).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    e.to_string()
}

const GOOD: &str = "name: mini
title: 迷你流程
start: a
fields:
  d: {type: date, label: 日期, required: true}
  ok: {type: bool, label: 是否}
steps:
  a:
    title: 开始
    records: [d, ok]
    next:
      - to: b
        when: ok
  b:
    title: 结束
    final: true
";

#[test]
fn a_good_workflow_loads() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    std::fs::write(dir.path().join("workflows/mini.yaml"), GOOD).unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    assert_eq!(ws.workflow("mini").unwrap().step_names(), ["a", "b"]);
}

#[test]
fn unknown_key() {
    let e = load_error(&GOOD.replace("    title: 结束\n", "    title: 结束\n    colour: red\n"));
    assert_eq!(
        e,
        "错误：未知的键 `colour`\n  --> workflows/mini.yaml:16:5\n   |\n16 |     colour: red\n   |     ^^^^^^^^^^^\n   = 帮助：此处允许的键：title、help、date、records、documents、deadlines、next、opens、final、fresh、roles。请检查拼写\n"
    );
}

#[test]
fn transition_to_nowhere() {
    let e = load_error(&GOOD.replace("      - to: b\n", "      - to: bb\n"));
    assert!(
        e.starts_with("错误：步骤 `a` 转向未定义的步骤 `bb`\n  --> workflows/mini.yaml:12:13\n   |\n12 |       - to: bb\n   |             ^^\n   = 帮助：可用的步骤：a、b\n"),
        "{e}"
    );
    // `b` is now unreachable too.
    assert!(
        e.contains("错误：步骤 `b` 无法从起始步骤 `a` 到达\n  --> workflows/mini.yaml:14:3\n"),
        "{e}"
    );
}

#[test]
fn unknown_start_step() {
    let e = load_error(&GOOD.replace("start: a", "start: z"));
    assert!(
        e.starts_with("错误：起始步骤 `z` 未定义\n --> workflows/mini.yaml:3:8\n"),
        "{e}"
    );
}

#[test]
fn unreachable_step() {
    let e = load_error(&format!("{GOOD}  c:\n    title: 孤立\n    final: true\n"));
    assert_eq!(
        e,
        "错误：步骤 `c` 无法从起始步骤 `a` 到达\n  --> workflows/mini.yaml:17:3\n   |\n17 |   c:\n   |   ^^\n   = 帮助：请在某个步骤的 next 中转向它，或删除该步骤\n"
    );
}

#[test]
fn expression_that_does_not_compile() {
    let e = load_error(&GOOD.replace("when: ok", "when: \"ok and (\""));
    assert!(
        e.starts_with("错误：条件表达式 `ok and (` 无法解析：语法错误"),
        "{e}"
    );
    assert!(e.contains("  --> workflows/mini.yaml:13:15\n"), "{e}");
}

#[test]
fn expression_naming_an_undeclared_field() {
    let e = load_error(&GOOD.replace("when: ok", "when: \"ok and outcom == '撤销'\""));
    assert_eq!(
        e,
        "错误：条件表达式 `ok and outcom == '撤销'` 使用了未声明的字段 `outcom`\n  --> workflows/mini.yaml:13:15\n   |\n13 |         when: \"ok and outcom == '撤销'\"\n   |               ^^^^^^^^^^^^^^^^^^^^^^^^^\n   = 帮助：已声明的字段：d、ok\n"
    );
}

#[test]
fn missing_template() {
    let e = load_error(&GOOD.replace("    records: [d, ok]\n", "    records: [d, ok]\n    documents:\n      - {template: nosuch, title: 某文书, issuer: sfj}\n"));
    assert!(
        e.starts_with(
            "错误：步骤 `a` 的文书模板 `nosuch` 不存在\n  --> workflows/mini.yaml:12:20\n"
        ),
        "{e}"
    );
    assert!(
        e.contains("= 帮助：模板是 templates/ 下的 .typ 文件（不写扩展名）；可用的模板："),
        "{e}"
    );
}

#[test]
fn records_an_undeclared_field() {
    let e = load_error(&GOOD.replace("records: [d, ok]", "records: [d, ok, x]"));
    assert!(e.starts_with("错误：步骤 `a` 的记录字段（records）引用了未声明的字段 `x`\n  --> workflows/mini.yaml:10:22\n"), "{e}");
}

#[test]
fn step_without_exit() {
    let e = load_error(&GOOD.replace("    final: true\n", ""));
    assert!(e.starts_with("错误：步骤 `b` 既没有后续步骤（next），也没有标为结束（final: true）\n  --> workflows/mini.yaml:14:3\n"), "{e}");
}

#[test]
fn bad_yaml_syntax_and_types() {
    let e = load_error(&GOOD.replace("start: a", "start: [a"));
    assert!(e.starts_with("错误："), "{e}");
    assert!(e.contains("--> workflows/mini.yaml:"), "{e}");
    let e = load_error(&GOOD.replace("type: date", "type: datum"));
    assert!(
        e.starts_with("错误：不认识的取值 `datum`\n --> workflows/mini.yaml:5:13\n"),
        "{e}"
    );
    assert!(
        e.contains("允许的取值：text、date、bool、enum、integer、list"),
        "{e}"
    );
}

#[test]
fn several_errors_are_reported_together() {
    let e = load_error(
        &GOOD
            .replace("      - to: b\n", "      - to: bb\n")
            .replace("when: ok", "when: nope"),
    );
    assert!(e.contains("转向未定义的步骤 `bb`"), "{e}");
    assert!(e.contains("使用了未声明的字段 `nope`"), "{e}");
}

#[test]
fn bad_config_is_reported_with_position() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    let cfg = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap()
        + "calendar:\n  holidays: [2023-05-01, 2023-02-30]\n";
    std::fs::write(&cfg, &text).unwrap();
    let e = Workspace::open(dir.path()).unwrap_err().to_string();
    let line = text.lines().position(|l| l.contains("2023-02-30")).unwrap() + 1;
    assert!(
        e.starts_with(&format!(
            "错误：日期 `2023-02-30` 无效：2023 年 2 月没有 30 日\n{}--> yingsu.yaml:{line}:",
            " ".repeat(line.to_string().len())
        )),
        "{e}"
    );
}

#[test]
fn seal_settings_are_checked() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    let cfg = dir.path().join("yingsu.yaml");
    let base = std::fs::read_to_string(&cfg).unwrap();
    let with_seal = |seal: &str| {
        base.replace(
            "    prefix: 渝北司函\n",
            &format!("    prefix: 渝北司函\n    seal: {seal}\n"),
        )
    };
    let open = |text: String| {
        std::fs::write(&cfg, text).unwrap();
        Workspace::open(dir.path())
    };
    // true, false and an existing image are accepted, and reach the documents as data.
    let ws = open(with_seal("true")).unwrap();
    assert_eq!(
        ws.config.issuers["sfj"].seal_value(),
        serde_json::json!(true)
    );
    let ws = open(with_seal("false")).unwrap();
    assert_eq!(
        ws.config.issuers["sfj"].seal_value(),
        serde_json::Value::Null
    );
    std::fs::create_dir_all(dir.path().join("seals")).unwrap();
    std::fs::write(dir.path().join("seals/sfj.svg"), "<svg/>").unwrap();
    let ws = open(with_seal("seals/sfj.svg")).unwrap();
    assert_eq!(
        ws.config.issuers["sfj"].seal_value(),
        serde_json::json!("/seals/sfj.svg")
    );
    // A missing image, one outside the workspace, or not an image: refused with the reason.
    for (seal, why) in [
        ("seals/none.png", "不存在"),
        (
            "../sfj.png",
            "必须是工作区内的相对路径，不能以 / 开头或含有 ..",
        ),
        (
            "/etc/passwd",
            "必须是工作区内的相对路径，不能以 / 开头或含有 ..",
        ),
        ("yingsu.yaml", "不是 PNG、JPEG 或 SVG 图片"),
    ] {
        let text = with_seal(seal);
        let line = text
            .lines()
            .position(|l| l.starts_with("    seal: "))
            .unwrap()
            + 1;
        let e = open(text).unwrap_err().to_string();
        assert!(
            e.starts_with(&format!(
                "错误：发文机关 `sfj` 的印章图片 `{seal}` {why}\n  --> yingsu.yaml:{line}:11\n"
            )),
            "{e}"
        );
    }
}

/// A deadline length in a form the engine does not know is explained in the user's terms, not
/// the parser's (no "untagged enum DaysSpec").
#[test]
fn a_bad_deadline_length_lists_the_forms() {
    let body = GOOD.replace(
        "    records: [d, ok]\n",
        "    records: [d, ok]\n    deadlines:\n      - {title: 期限, from: d, days: [1]}\n",
    );
    let e = load_error(&body);
    assert_eq!(
        e,
        "错误：这里的写法不对\n  --> workflows/mini.yaml:12:36\n   |\n12 |       - {title: 期限, from: d, days: [1]}\n   |                                      ^^\n   = 帮助：期限长度写成 {working_days: N}（工作日）、{calendar_days: N}（自然日）、{months: N}（月）之一，N 为非负整数；或写 yingsu.yaml 中 deadlines 下的名称\n"
    );
}

/// A key followed by a full-width colon, as a Chinese input method types it, gets a hint that
/// says exactly that.
#[test]
fn a_full_width_colon_is_named() {
    let e = load_error(&GOOD.replace("start: a", "start：a"));
    assert!(
        e.starts_with("错误：这一行的键 `start` 后面用了中文冒号“：”，YAML 要用英文冒号加空格“: ”"),
        "{e}"
    );
    assert!(e.contains("改成 `start: 值`"), "{e}");
}

/// A workflow "file" that is a folder is the user's to fix (exit 1), said in Chinese.
#[test]
fn a_folder_named_like_a_workflow_is_a_user_error() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    std::fs::create_dir_all(dir.path().join("workflows/mini.yaml")).unwrap();
    let e = Workspace::open(dir.path()).unwrap_err();
    assert_eq!(e.exit_code(), 1);
    let text = e.to_string();
    assert!(
        text.starts_with("错误：这是一个文件夹，不是 YAML 文件"),
        "{text}"
    );
}

/// A template declares its format; a wrong value is named at its line and column.
#[test]
fn a_bad_template_declaration_is_named_where_it_is() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/fuhan.typ"),
        "// 我们的复函\n// 版式：红头\n#import \"/gbt9704.typ\": *\n",
    )
    .unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let e = yingsu::render::check_templates(&ws)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "错误：版式“红头”无效：应为 文件、信函、纪要、普通 之一\n --> templates/fuhan.typ:2:7\n  |\n2 | // 版式：红头\n  |          ^^^^\n  = 帮助：模板开头的注释行写成 `// 版式：文件`、`// 文种：报告`、`// 行文：上行文`\n"
    );
}

/// A document whose 文种 the issuer has no prefix for is refused, saying what to add; nothing is
/// issued and no number is taken.
#[test]
fn a_missing_prefix_is_refused_with_the_line_to_add() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    let cfg = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let text = text.replace("    prefixes: {文件: 渝北司发, 报告: 渝北司文}\n", "");
    std::fs::write(&cfg, text).unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let e = yingsu::stats::bulletin(
        &ws,
        &common::FakeRenderer::default(),
        "2023Q1",
        "各单位",
        Some("sfj"),
        chrono::NaiveDate::from_ymd_opt(2023, 4, 10).unwrap(),
        false,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        e,
        "错误：发文机关 重庆市渝北区司法局（sfj）没有“通报”类文书（文件格式）的机关代字，无法编发文字号\n = 帮助：在 yingsu.yaml 的 issuers.sfj 下加上 prefixes，例如 prefixes: {通报: 某某发}；不需要发文字号的文书可在流程的文书项中写 numbered: false\n"
    );
    assert!(!dir.path().join("archive/numbers").exists());
}

/// A case's `format` fact must name a format.
#[test]
fn a_bad_format_fact_is_refused() {
    let facts: yingsu::facts::Facts = [("format".to_string(), serde_json::json!("红头"))]
        .into_iter()
        .collect();
    let e = yingsu::docformat::chosen(yingsu::docformat::Format::Letter, None, &facts)
        .unwrap_err()
        .to_string();
    assert_eq!(
        e,
        "错误：案件事实 format（版式）“红头”无效\n = 帮助：版式写 文件、信函、纪要、普通 之一\n"
    );
    let plain: yingsu::facts::Facts = [("format".to_string(), serde_json::json!("普通"))]
        .into_iter()
        .collect();
    assert_eq!(
        yingsu::docformat::chosen(yingsu::docformat::Format::Letter, Some("文件"), &plain).unwrap(),
        yingsu::docformat::Format::Plain
    );
}
