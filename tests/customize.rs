//! Customising without the source: `template list|show` give the built-in templates (a copy in
//! `templates/` typesets exactly as the built-in one), and `init` writes the git and editor
//! settings of a workspace.

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

/// A new workspace with one case whose first document (出庭应诉提示函, template `tishihan`) is
/// made; returns the document's bytes.
fn first_document(dir: &Path) -> Vec<u8> {
    std::fs::write(dir.join("notice.yaml"), NOTICE).unwrap();
    ok(
        dir,
        &["case", "new", "appearance", "A1", "--from", "notice.yaml"],
    );
    std::fs::read(dir.join("archive/2023/A1/01-notice-tishihan.pdf")).unwrap()
}

#[test]
fn a_shown_template_copied_into_the_workspace_typesets_unchanged() {
    let plain = tempfile::tempdir().unwrap();
    ok(plain.path(), &["init", "."]);
    let (code, shown, err) = yingsu(plain.path(), &["template", "show", "tishihan"]);
    assert_eq!(
        (code, shown.as_str(), err.as_str()),
        (0, include_str!("../templates/tishihan.typ"), "")
    );
    let library = ok(plain.path(), &["template", "show", "gbt9704.typ"]);
    assert_eq!(library, include_str!("../templates/gbt9704.typ"));
    let built_in = first_document(plain.path());

    let copied = tempfile::tempdir().unwrap();
    ok(copied.path(), &["init", "."]);
    std::fs::create_dir_all(copied.path().join("templates")).unwrap();
    std::fs::write(copied.path().join("templates/tishihan.typ"), &shown).unwrap();
    std::fs::write(copied.path().join("templates/gbt9704.typ"), &library).unwrap();
    assert!(built_in == first_document(copied.path()), "the PDFs differ");

    let list = ok(copied.path(), &["template", "list"]);
    let line = |name: &str| {
        list.lines()
            .find(|l| l.split_whitespace().next() == Some(name))
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .unwrap_or_else(|| panic!("{name} not listed:\n{list}"))
    };
    assert_eq!(
        list.lines()
            .next()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["模板", "说明", "用于", "来源"]
    );
    assert_eq!(
        line("gbt9704"),
        "gbt9704 版式库：GB/T 9704-2012《党政机关公文格式》，其他模板都引用它 工作区 templates/gbt9704.typ（与内置相同）"
    );
    assert_eq!(
        line("tishihan"),
        "tishihan 出庭应诉提示函 appearance/notice 工作区 templates/tishihan.typ（与内置相同）"
    );
    assert_eq!(
        line("yuebao"),
        "yuebao 月度出庭应诉情况报送表 yingsu report monthly 内置"
    );
    assert!(list.ends_with(
        "\n取出内置模板修改：yingsu template show 模板名 > templates/模板名.typ（同名文件覆盖内置模板）\n"
    ));

    // Changed, it overrides the built-in one; `show` still gives the built-in text and says so.
    std::fs::write(
        copied.path().join("templates/tishihan.typ"),
        shown.replace("出庭应诉提示函", "出庭提示函"),
    )
    .unwrap();
    std::fs::write(
        copied.path().join("templates/mine.typ"),
        "// mine.typ — 自拟函: x\n",
    )
    .unwrap();
    let list = ok(copied.path(), &["template", "list"]);
    assert!(
        list.contains("工作区 templates/tishihan.typ（覆盖内置）\n"),
        "{list}"
    );
    assert!(
        list.contains("工作区 templates/mine.typ（自有）\n"),
        "{list}"
    );
    let (code, again, err) = yingsu(copied.path(), &["template", "show", "tishihan"]);
    assert_eq!((code, again == shown), (0, true));
    assert_eq!(
        err,
        "注意：工作区的 templates/tishihan.typ 覆盖了这个内置模板；以下是内置版本\n"
    );
}

#[test]
fn an_unknown_template_gets_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = yingsu(dir.path(), &["template", "show", "tishihen"]);
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "错误：没有名为 `tishihen` 的内置模板\n = 帮助：您是不是要输入 tishihan？可用的内置模板：baisu、dabian、fuhan、gbt9704、qingkuang、samples/gongwen、samples/letter、shenfen、shouquan、tishihan、tongbao、yuebao、yuetan、zhenggai、zhengju、zhuanbao\n"
    );
}

#[test]
fn init_writes_git_and_editor_settings() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".gitignore"), "mine\n").unwrap();
    let out = ok(dir.path(), &["init", "."]);
    assert_eq!(
        out,
        "已在 . 新建工作区：\n  ./yingsu.yaml\n  ./cases\n  ./archive\n  ./.gitattributes\n  ./.vscode/settings.json\n  ./schema/config.json\n  ./schema/workflow.json\n  ./schema/case.json\n已建立 git 仓库（分支 main），以上文件记为第一次提交。\n下一步：编辑 yingsu.yaml 填写本地机关和单位，然后运行 `yingsu validate`。\n"
    );
    // An existing .gitignore is kept.
    assert_eq!(
        std::fs::read_to_string(dir.path().join(".gitignore")).unwrap(),
        "mine\n"
    );
    let attributes = std::fs::read_to_string(dir.path().join(".gitattributes")).unwrap();
    assert_eq!(attributes, yingsu::workspace::INIT_GITATTRIBUTES);
    for line in [
        "*.pdf binary",
        "*.png binary",
        "*.xlsx binary",
        "*.yaml text eol=lf diff",
    ] {
        assert!(attributes.lines().any(|l| l == line), "{line}");
    }
    let settings: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join(".vscode/settings.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        settings["yaml.schemas"],
        serde_json::json!({
            "./schema/config.json": "yingsu.yaml",
            "./schema/workflow.json": "workflows/*.yaml",
            "./schema/case.json": "cases/**/*.yaml",
        })
    );
    // The schemas written are those `yingsu schema` prints.
    for kind in ["case", "config", "workflow"] {
        let written =
            std::fs::read_to_string(dir.path().join(format!("schema/{kind}.json"))).unwrap();
        assert_eq!(written, ok(dir.path(), &["schema", kind]), "{kind}");
    }

    let fresh = tempfile::tempdir().unwrap();
    ok(fresh.path(), &["init", "."]);
    assert_eq!(
        std::fs::read_to_string(fresh.path().join(".gitignore")).unwrap(),
        ".yingsu.lock\n.yingsu-*\n*.tmp\n.yingsu/\n".lines().fold(
            "# yingsu 的锁、临时文件和本机缓存（不提交到 git）\n".to_string(),
            |s, l| s + l + "\n"
        )
    );
}
