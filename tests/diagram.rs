//! `workflow show NAME --svg FILE`: the picture of each built-in workflow names every step, is
//! the same bytes each time, and is the one the README shows (`docs/workflow-NAME.svg`).

use std::path::Path;
use std::process::Command;

mod common;

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .env("YINGSU_SYSTEM_FONTS", "0")
        .env_remove("YINGSU_FONTS")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn each_built_in_workflow_is_drawn_as_the_readme_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    let ws = yingsu::Workspace::open(dir.path()).unwrap();
    let outside = tempfile::tempdir().unwrap();
    assert_eq!(ws.workflows.len(), 3);
    for (name, wf) in &ws.workflows {
        let file = format!("{name}.svg");
        let (code, out, err) = yingsu(outside.path(), &["workflow", "show", name, "--svg", &file]);
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (0, format!("已写入流程图：{file}\n").as_str(), "")
        );
        let svg = std::fs::read_to_string(outside.path().join(&file)).unwrap();
        assert!(svg.starts_with("<svg "), "{name}");
        assert!(
            svg.contains(&format!("<title>流程 {name}：{}</title>", wf.spec.title)),
            "{name}"
        );
        for (k, s) in &wf.spec.steps.0 {
            assert!(
                svg.contains(&format!("{}（{}）", s.title, k.value)),
                "{name}: {}",
                k.value
            );
        }
        // The same bytes again, and the same as the README's picture.
        let (code, _, _) = yingsu(
            outside.path(),
            &["workflow", "show", name, "--svg", "again.svg"],
        );
        assert_eq!(code, 0);
        assert!(svg == std::fs::read_to_string(outside.path().join("again.svg")).unwrap());
        let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("docs/workflow-{name}.svg"));
        assert!(
            std::fs::read_to_string(&docs).is_ok_and(|d| d == svg),
            "{} is not the current picture: run `yingsu workflow show {name} --svg docs/workflow-{name}.svg` outside any workspace",
            docs.display()
        );
    }
}

/// The picture itself (not only its description) shows every step's title and each
/// condition of a transition.
#[test]
fn the_drawn_text_has_every_step_and_condition() {
    let dir = tempfile::tempdir().unwrap();
    yingsu::workspace::init(dir.path()).unwrap();
    let ws = yingsu::Workspace::open(dir.path()).unwrap();
    let ts = yingsu::typeset::Typesetter::with_default_fonts(&[], &[]).unwrap();
    for (name, wf) in &ws.workflows {
        let doc = yingsu::diagram::layout(&ts, wf, &ws.config).unwrap();
        assert_eq!(doc.pages().len(), 1, "{name}");
        let text: String = common::frames::glyphs(&doc, 0)
            .iter()
            .map(|g| g.text.as_str())
            .collect::<String>()
            .split_whitespace()
            .collect();
        for (k, s) in &wf.spec.steps.0 {
            assert!(text.contains(&s.title), "{name}: {}", s.title);
            assert!(text.contains(&k.value), "{name}: {}", k.value);
            for n in &s.next {
                if let Some(c) = &n.when {
                    let c: String = c.value.split_whitespace().collect();
                    assert!(text.contains(&c), "{name}: {c}\n{text}");
                }
            }
            for d in &s.documents {
                assert!(text.contains(&format!("文书：{}", d.title)), "{name}");
            }
        }
    }
    // A deadline with its length in words.
    let appearance = yingsu::diagram::data(&ws.workflows["appearance"], &ws.config);
    assert_eq!(
        appearance["steps"][3]["lines"][0],
        "期限：报送败诉案件总结报告，自生效日期起 15 个工作日（当 outcome in ['撤销', '部分撤销', '确认违法', '确认无效', '责令履行法定职责', '变更', '判决赔偿'] and not (judgment_served_date and level == '一审')）"
    );
    assert_eq!(
        appearance["steps"][3]["lines"][1],
        "期限：决定是否上诉（判决），自收到裁判文书日期起 15 日（当 level == '一审' and not effective_date and outcome not in ['驳回起诉', '撤诉', '调解']）"
    );
    assert_eq!(
        appearance["steps"][0]["lines"][1],
        "期限：出庭应诉，开庭日期当日"
    );
    assert_eq!(
        appearance["edges"],
        serde_json::json!([
            {"from": 0, "to": 1, "label": ""},
            {"from": 0, "to": 2, "label": ""},
            {"from": 1, "to": 2, "label": ""},
            {"from": 2, "to": 2, "label": ""},
            {"from": 2, "to": 3, "label": ""},
            {"from": 3, "to": 4, "label": "当 level == '一审' and outcome not in ['撤诉', '调解']"},
            {"from": 3, "to": 7, "label": "当 outcome in ['撤销', '部分撤销', '确认违法', '确认无效', '责令履行法定职责', '变更', '判决赔偿'] and not (judgment_served_date and level == '一审')"},
            {"from": 3, "to": 8, "label": "当 outcome in ['驳回诉讼请求', '驳回起诉', '撤诉', '调解'] and not (judgment_served_date and level == '一审' and outcome not in ['撤诉', '调解'])"},
            {"from": 4, "to": 5, "label": "当 appeal_decision == '上诉' or other_party_appealed"},
            {"from": 4, "to": 7, "label": "当 appeal_decision == '不上诉' and not other_party_appealed and outcome in ['撤销', '部分撤销', '确认违法', '确认无效', '责令履行法定职责', '变更', '判决赔偿']"},
            {"from": 4, "to": 8, "label": "当 appeal_decision == '不上诉' and not other_party_appealed and outcome in ['驳回诉讼请求', '驳回起诉']"},
            {"from": 6, "to": 0, "label": ""},
            {"from": 7, "to": 8, "label": ""},
        ])
    );
}
