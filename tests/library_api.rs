//! The library's step calls as a workbench uses them, with no command line: plan a step from a
//! form's values (problems beside their fields), preview its documents (nothing written, no
//! number taken), commit it (the same files as `case new` / `case advance`), and a plan gone
//! stale refused.

mod common;

use common::*;
use yingsu::Workspace;
use yingsu::engine::{self, Problem, Target};

/// The message of a refusal, without the `错误：` and help lines the command line adds.
fn message(e: &yingsu::Error) -> String {
    match e {
        yingsu::Error::User(d) => d.message.clone(),
        other => panic!("not a refusal: {other}"),
    }
}

fn problem(
    field: Option<&str>,
    label: Option<&str>,
    message: &str,
) -> (Option<String>, Option<String>, String) {
    (
        field.map(str::to_string),
        label.map(str::to_string),
        message.to_string(),
    )
}

fn problems(ps: &[Problem]) -> Vec<(Option<String>, Option<String>, String)> {
    ps.iter()
        .map(|p| (p.field.clone(), p.label.clone(), p.message.clone()))
        .collect()
}

#[test]
fn a_plan_names_each_problem_beside_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    // Two bad values: each is reported at its own field, neither hides the other.
    let mut input = notice("A1");
    input.sets[6] = "notice_date=2023-02-30".into();
    input.sets[8] = "hearing_date=明天".into();
    let plan = engine::plan_new(&ws, "appearance", "A1", &input, &actor("2023-04-20"), &r).unwrap();
    assert!(!plan.is_ready());
    let got = problems(&plan.problems);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[0].0.as_deref(), Some("notice_date"));
    assert_eq!(got[0].1.as_deref(), Some("收到通知日期"));
    assert_eq!(got[1].0.as_deref(), Some("hearing_date"));
    // Said beside the field, in the field's words: no command-line option named.
    assert_eq!(
        got[1].2, "开庭日期：日期 `明天` 无效：应写成 2023-05-08 或 2023年5月8日",
        "{got:?}"
    );
    assert!(got[0].2.contains("2023-02-30"), "{}", got[0].2);
    assert!(plan.documents.is_empty() && plan.entry.is_none());

    // A field named by its label, and an agency by a name no entry has: beside the field's key.
    let mut input = notice("A1");
    input.sets[5] = "被诉单位=某某局".into();
    let plan = engine::plan_new(&ws, "appearance", "A1", &input, &actor("2023-04-20"), &r).unwrap();
    let got = problems(&plan.problems);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(got[0].0.as_deref(), Some("agency"));
    assert_eq!(got[0].1.as_deref(), Some("被诉单位"));
    assert_eq!(
        got[0].2,
        "字段 `agency`（被诉单位）的值 `某某局` 不是 yingsu.yaml 中 agencies 下的名称或编号"
    );

    // Required fields missing: one problem per field, in the step's order.
    let input = sets(&["case_number=(2023)渝0112行初9号", "court=ybfy"]);
    let plan = engine::plan_new(&ws, "appearance", "A1", &input, &actor("2023-04-20"), &r).unwrap();
    let fields: Vec<_> = plan.problems.iter().map(|p| p.field.clone()).collect();
    assert!(fields.contains(&Some("agency".to_string())), "{fields:?}");
    assert!(
        fields.contains(&Some("notice_date".to_string())),
        "{fields:?}"
    );
    let agency = plan
        .problems
        .iter()
        .find(|p| p.field.as_deref() == Some("agency"))
        .unwrap();
    assert_eq!(
        problem(
            agency.field.as_deref(),
            agency.label.as_deref(),
            &agency.message
        ),
        problem(Some("agency"), Some("被诉单位"), "请填写被诉单位")
    );
    // A refused plan is not committed, and nothing is written.
    let before = common::snapshot(dir.path());
    let err = engine::commit(&ws, &plan, &actor("2023-04-20"), &r).unwrap_err();
    assert_eq!(
        message(&err),
        format!(
            "还有 {} 处需要改正，本次没有记录：{}",
            plan.problems.len(),
            plan.problems[0].message
        )
    );
    assert_eq!(before, common::snapshot(dir.path()));
}

#[test]
fn planning_and_previewing_write_nothing_and_take_no_number() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    let before = common::snapshot(dir.path());
    let plan = engine::plan_new(
        &ws,
        "appearance",
        "A1",
        &notice("A1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    assert!(plan.is_ready(), "{:?}", plan.problems);
    assert_eq!(
        plan.target,
        Target::New {
            workflow: "appearance".into(),
            id: "A1".into()
        }
    );
    assert_eq!(plan.step, "notice");
    let titles: Vec<_> = plan.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["出庭应诉提示函"]);
    // The workflow issues the 提示函 without a 发文字号 (`numbered: false`).
    assert!(!plan.documents[0].numbered);
    assert_eq!(plan.documents[0].request.number, None);
    let preview = engine::preview(&ws, &plan, 0, &r).unwrap();
    assert_eq!(preview.pdf, b"%PDF-fake A1 tishihan None");
    let err = engine::preview(&ws, &plan, 1, &r).unwrap_err();
    assert_eq!(message(&err), "这一步共有 1 份文书，没有第 2 份");
    assert_eq!(
        before,
        common::snapshot(dir.path()),
        "plan and preview wrote files"
    );
}

#[test]
fn a_committed_plan_writes_what_case_new_and_advance_write() {
    let planned = tempfile::tempdir().unwrap();
    let direct = tempfile::tempdir().unwrap();
    let (wp, wd) = (workspace(planned.path()), workspace(direct.path()));
    let r = FakeRenderer::default();
    let day = actor("2023-04-20");
    let plan = engine::plan_new(&wp, "appearance", "A1", &notice("A1"), &day, &r).unwrap();
    let by_plan = engine::commit(&wp, &plan, &day, &r).unwrap();
    let by_call = engine::new_case(&wd, "appearance", "A1", &notice("A1"), &day, &r).unwrap();
    assert_eq!(by_plan.documents, by_call.documents);
    assert_eq!(by_plan.documents[0].title, "出庭应诉提示函");

    let hearing = sets(&[
        "head_appeared=true",
        "head_spoke=true",
        "delegates=王明，法规科科长",
    ]);
    let day = actor("2023-05-08");
    let plan = engine::plan_advance(&wp, "A1", "appearance", &hearing, &day, &r).unwrap();
    assert!(plan.is_ready(), "{:?}", plan.problems);
    assert_eq!(
        plan.entry.as_ref().unwrap().facts.get("head_appeared"),
        Some(&serde_json::Value::Bool(true))
    );
    engine::commit(&wp, &plan, &day, &r).unwrap();
    engine::advance(&wd, "A1", "appearance", &hearing, &day, &r).unwrap();
    assert_eq!(
        common::snapshot(planned.path()),
        common::snapshot(direct.path())
    );
}

#[test]
fn a_plan_gone_stale_is_not_committed() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    let day = actor("2023-04-20");
    engine::new_case(&ws, "appearance", "A1", &notice("A1"), &day, &r).unwrap();
    let hearing = sets(&["head_appeared=true", "head_spoke=true"]);
    let plan = engine::plan_advance(&ws, "A1", "appearance", &hearing, &day, &r).unwrap();
    assert!(plan.is_ready(), "{:?}", plan.problems);
    // Someone else records a correction in the case file meanwhile.
    let path = dir.path().join("cases/2023/A1.yaml");
    let mut text = std::fs::read_to_string(&path).unwrap();
    text.push_str("# 已与法院核对\n");
    std::fs::write(&path, &text).unwrap();
    let before = common::snapshot(dir.path());
    let err = engine::commit(&ws, &plan, &day, &r).unwrap_err();
    assert_eq!(
        message(&err),
        "案件 `A1` 在核对之后又被修改过（cases/2023/A1.yaml），本次没有记录"
    );
    assert_eq!(before, common::snapshot(dir.path()));
    // A transition the workflow does not allow is an error, not a problem of the form.
    let err = engine::plan_advance(&ws, "A1", "loss_review", &sets(&[]), &day, &r).unwrap_err();
    assert!(message(&err).starts_with("不能从“"), "{err}");
}

#[test]
fn a_preview_is_typeset_as_a_draft_without_a_number() {
    let dir = tempfile::tempdir().unwrap();
    let ws: Workspace = workspace(dir.path());
    let r = yingsu::render::TypstRenderer::new();
    engine::new_case(
        &ws,
        "appearance",
        "A1",
        &notice("A1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    // The head cannot appear: the step issues a numbered 情况说明 and a 授权委托书.
    let absent = sets(&[
        "head_appeared=false",
        "absence_reason=需要履行他人不能代替的公务",
        "absence_account=当日须出席全区安全生产紧急会议。",
        "absence_note_date=2023-05-06",
        "delegates=王明，法规科科长",
    ]);
    let day = actor("2023-05-08");
    let plan = engine::plan_advance(&ws, "A1", "appearance", &absent, &day, &r).unwrap();
    assert!(plan.is_ready(), "{:?}", plan.problems);
    let numbered: Vec<_> = plan
        .documents
        .iter()
        .map(|d| (d.title.as_str(), d.numbered))
        .collect();
    assert_eq!(
        numbered,
        [
            ("授权委托书", false),
            ("行政机关负责人不能出庭应诉情况说明", true)
        ]
    );
    let preview = engine::preview(&ws, &plan, 1, &r).unwrap();
    // The pages for a screen: one SVG per page of the PDF, text drawn as outlines.
    let pages = pdf_text(&preview.pdf).matches('\u{c}').count();
    assert!(pages >= 1);
    assert_eq!(preview.pages.len(), pages, "one image per page");
    for p in &preview.pages {
        assert!(
            p.starts_with("<svg") && p.contains("<path"),
            "{}",
            &p[..80.min(p.len())]
        );
    }
    let text = pdf_text(&preview.pdf);
    for word in ["草稿", "未编号", "未印发", "的情况说明"] {
        assert!(text.contains(word), "{word} missing:\n{text}");
    }
    assert!(!text.contains("〔2023〕"), "a draft took a number:\n{text}");
    // The same document issued has its number and no draft mark.
    let rep = engine::commit(&ws, &plan, &day, &r).unwrap();
    let issued = pdf_text(&std::fs::read(dir.path().join(&rep.documents[1].file)).unwrap());
    assert!(issued.contains("渝北市监函〔2023〕1号"), "{issued}");
    assert!(!issued.contains("草稿"), "{issued}");
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn a_case_sheet_gives_labels_history_and_next_steps() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    engine::new_case(
        &ws,
        "appearance",
        "A1",
        &notice("A1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2023, 4, 21).unwrap();
    let sheet = engine::sheet::case_sheet(&ws, "A1", day).unwrap();
    assert_eq!(
        (
            sheet.workflow_title.as_str(),
            sheet.step_title.as_str(),
            sheet.file.as_str()
        ),
        ("出庭应诉", "收到出庭应诉通知", "cases/2023/A1.yaml")
    );
    let first: Vec<(&str, &str)> = sheet
        .facts
        .iter()
        .take(3)
        .map(|f| (f.label.as_str(), f.text.as_str()))
        .collect();
    assert_eq!(
        first,
        [
            ("案号", "（2023）渝0112行初9791号"),
            ("审理法院", "重庆市渝北区人民法院"),
            ("案由", "行政处罚")
        ]
    );
    let text = |label: &str| {
        sheet
            .facts
            .iter()
            .find(|f| f.label == label)
            .map(|f| f.text.clone())
            .unwrap()
    };
    assert_eq!(text("被诉单位"), "重庆市渝北区市场监督管理局");
    assert_eq!(text("法院通知负责人出庭"), "是");
    assert_eq!(text("原告"), "重庆某食品有限公司");
    assert_eq!(sheet.history.len(), 1);
    assert_eq!(sheet.history[0].what, "收到出庭应诉通知");
    assert_eq!(sheet.history[0].documents[0].title, "出庭应诉提示函");
    let next: Vec<&str> = sheet.next.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(next, ["答辩举证", "出庭应诉"]);
    let d = sheet.deadline.unwrap();
    assert_eq!(
        (d.title.as_str(), d.due),
        ("出庭应诉", chrono::NaiveDate::from_ymd_opt(2023, 5, 8))
    );
}
