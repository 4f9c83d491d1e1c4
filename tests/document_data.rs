//! A document's data built by hand — a configuration and a request written here, the pure
//! `document::data` of them with a deadline passed in — and typeset with the built-in templates
//! and the fonts compiled into the program: no workspace folder, no engine, no statistics. The
//! text is read from the laid-out Typst frames.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::{Value, json};
use yingsu::case::HistoryEntry;
use yingsu::config::Config;
use yingsu::document::{self, Computed, DocRequest, Due};
use yingsu::render::{Sheet, TypstRenderer};
use yingsu::workflow::{Context, Workflow};

const CONFIG: &str = "\
region: 重庆市渝北区
issuers:
  sfj: {name: 重庆市渝北区司法局, short: 区司法局, prefix: 渝北司函, prefixes: {文件: 渝北司发}, principal: 赵某某}
  scjgj: {name: 重庆市渝北区市场监督管理局, short: 区市场监管局, prefix: 渝北市监函}
agencies:
  scjgj: {name: 重庆市渝北区市场监督管理局, short: 区市场监管局, group: departments, kind: 部门, issuer: scjgj, principal: 李某某, principal_post: 局长}
groups:
  departments: {title: 区政府部门、镇街, denominator: hearings}
courts:
  ybfy: 重庆市渝北区人民法院
deadlines:
  rectification_report: {working_days: 15}
  loss_report: {working_days: 15}
system_fonts: false
";

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn config() -> Config {
    Config::parse(Path::new("yingsu.yaml"), CONFIG).unwrap().0
}

/// A workflow from its text, validated against the configuration and the built-in templates.
fn workflow(cfg: &Config, file: &str, source: &str) -> Workflow {
    let templates: BTreeSet<String> = yingsu::workspace::builtin_templates()
        .filter_map(|(p, _)| p.strip_suffix(".typ").map(str::to_string))
        .collect();
    let workflows: BTreeSet<String> = yingsu::workspace::builtin_workflows()
        .map(|(n, _)| n.to_string())
        .collect();
    let cx = Context {
        config: cfg,
        templates: &templates,
        workflows: &workflows,
    };
    Workflow::load(Path::new(file), source, &cx).unwrap_or_else(|e| panic!("{e}"))
}

fn builtin(name: &str) -> &'static str {
    yingsu::workspace::builtin_workflows()
        .find(|(n, _)| *n == name)
        .map(|(_, s)| s)
        .unwrap()
}

fn facts(v: Value) -> yingsu::facts::Facts {
    v.as_object().unwrap().clone().into_iter().collect()
}

/// The rectification notice of 区市场监管局, as `check --open` would ask for it.
fn notice_request(source: &str) -> DocRequest {
    DocRequest {
        case_id: "ZG-2023Q1-scjgj-floor".into(),
        workflow: "rectification".into(),
        step: "issued".into(),
        template: "zhenggai".into(),
        title: "督查整改通知书".into(),
        issuer: Some("sfj".into()),
        number: Some("渝北司发〔2023〕7号".into()),
        date: day("2023-04-10"),
        facts: facts(json!({
            "agency": "scjgj",
            "reason": "出庭率未达标",
            // A text field whose value looks like a date: not a date, since the workflow says so.
            "period": "2023-03-31",
            "findings": "2023年第一季度，你单位行政机关负责人出庭应诉率为50%，低于90%。",
            "issued_date": "2023-04-10",
        })),
        history: vec![],
        prepared: None,
        declared: yingsu::docformat::declared(source).unwrap(),
    }
}

fn zhenggai_source() -> &'static str {
    yingsu::workspace::builtin_templates()
        .find(|(p, _)| *p == "zhenggai.typ")
        .map(|(_, s)| s)
        .unwrap()
}

/// The lines of text of page `page` of a laid-out document.
fn lines(doc: &typst_layout::PagedDocument, page: usize) -> Vec<String> {
    common::frames::lines(&common::frames::glyphs(doc, page))
        .iter()
        .map(|l| common::frames::text_of(l))
        .collect()
}

#[test]
fn a_document_made_from_hand_made_data_prints_the_deadline_passed_in() {
    let cfg = config();
    let wf = workflow(&cfg, "rectification.yaml", builtin("rectification"));
    let req = notice_request(zhenggai_source());
    let computed = Computed {
        deadline: Some(Due {
            title: "报送整改报告".into(),
            due: day("2023-05-10"),
            estimated: false,
        }),
        figures: Value::Null,
    };
    let data = document::data(&cfg, Some(&wf), &req, &computed);
    // Dates are the fields the workflow declares dates, whatever the other values look like.
    assert_eq!(data["dates"], json!({"issued_date": "2023年4月10日"}));
    assert_eq!(
        data["deadline"],
        json!({"title": "报送整改报告", "due": "2023年5月10日", "due_iso": "2023-05-10", "estimated": false})
    );
    assert_eq!(data["stats"], Value::Null);
    assert_eq!(data["doc"]["number"], "渝北司发〔2023〕7号");
    assert_eq!(data["agency"]["short"], "区市场监管局");

    let renderer = TypstRenderer::new();
    let sheet = Sheet::of(&req, data);
    let pdf = renderer.builtin_pdf(&sheet).unwrap();
    assert!(pdf.starts_with(b"%PDF-"), "not a PDF");
    let doc = renderer
        .builtin_typesetter()
        .unwrap()
        .layout(&sheet.builtin_job().unwrap())
        .unwrap_or_else(|e| panic!("{e}"));
    let text: Vec<String> = (0..doc.pages().len())
        .flat_map(|p| lines(&doc, p))
        .collect();
    // The number and the deadline given, the date field formatted, nothing else looked up.
    let expected = [
        "重庆市渝北区司法局",
        "渝北司发〔2023〕7号",
        "重庆市渝北区司法局",
        "督查整改通知书",
        "重庆市渝北区市场监督管理局：",
        "区司法局在行政机关负责人出庭应诉工作督查中发现，你单",
        "位存在行政机关负责人出庭应诉率未达到规定标准的问题。为严",
        "格落实行政机关负责人出庭应诉制度，现将督查整改有关事项通",
        "知如下：",
        "一、查明的事实",
        "2023年第一季度，你单位行政机关负责人出庭应诉率为50%，",
        "低于90%。",
        "二、违反的规定",
        "上述情形违反了《中华人民共和国行政诉讼法》第三条第三",
        "款和行政机关负责人出庭应诉工作的有关规定。",
        "三、整改要求",
        "你单位应当认真查找问题原因，明确责任，制定切实可行的",
        "整改措施，确保行政机关负责人依法出庭应诉。",
        "四、整改期限和报告",
        "请你单位于2023年5月10日前完成整改，并将整改情况书面",
        "报送区司法局。逾期未报送或者整改不到位的，区司法局将按照",
        "有关规定予以通报，并在依法行政考核中予以扣分。",
        "特此通知。",
        "重庆市渝北区司法局",
        "2023年4月10日",
        "（此件不予公开）",
        "— 2 —",
    ];
    assert_eq!(text, expected);
}

/// A history of the built-in appearance workflow: the notice, two hearings, the judgment.
fn history() -> Vec<HistoryEntry> {
    let entry = |step: &str, f: Value| HistoryEntry {
        step: Some(step.into()),
        at: "2023-05-08T09:00:00+08:00".into(),
        by: "测试员".into(),
        facts: facts(f).into_iter().collect(),
        ..Default::default()
    };
    vec![
        entry("notice", json!({"notice_date": "2023-04-01"})),
        entry(
            "appearance",
            json!({"hearing_date": "2023-05-08", "head_appeared": true}),
        ),
        entry(
            "appearance",
            json!({"hearing_date": "2023-06-02", "head_appeared": false}),
        ),
        entry(
            "judgment",
            json!({"judgment_date": "2023-07-01", "outcome": "撤销"}),
        ),
    ]
}

fn loss_report(history: Vec<HistoryEntry>) -> DocRequest {
    DocRequest {
        case_id: "2023-渝0112行初22".into(),
        workflow: "appearance".into(),
        step: "loss_review".into(),
        template: "baisu".into(),
        title: "行政诉讼败诉案件总结报告".into(),
        issuer: Some("scjgj".into()),
        number: None,
        date: day("2023-07-20"),
        facts: facts(json!({
            "agency": "scjgj",
            "court": "ybfy",
            "hearing_date": "2023-06-02",
            "judgment_date": "2023-07-01",
            "outcome": "撤销",
        })),
        history,
        prepared: None,
        declared: Default::default(),
    }
}

/// The hearings a document lists are the entries of the step the workflow declares records a
/// hearing (`statistics.hearing_step`), whatever the step is called; without the declaration, none.
#[test]
fn the_hearings_are_the_entries_of_the_declared_hearing_step() {
    let cfg = config();
    let source = builtin("appearance");
    let wf = workflow(&cfg, "appearance.yaml", source);
    let data = document::data(
        &cfg,
        Some(&wf),
        &loss_report(history()),
        &Computed::default(),
    );
    assert_eq!(
        data["hearings"],
        json!([
            {"hearing_date": "2023-05-08", "head_appeared": true},
            {"hearing_date": "2023-06-02", "head_appeared": false},
        ])
    );
    assert_eq!(
        data["dates"],
        json!({"hearing_date": "2023年6月2日", "judgment_date": "2023年7月1日"})
    );
    assert_eq!(data["deadline"], Value::Null);

    // The same workflow with its hearing step renamed `session`: the declaration follows it.
    let renamed = source
        .replace("  appearance:\n", "  session:\n")
        .replace("- to: appearance", "- to: session")
        .replace("hearing_step: appearance", "hearing_step: session");
    let wf = workflow(&cfg, "appearance.yaml", &renamed);
    let mut h = history();
    for e in &mut h {
        if e.step.as_deref() == Some("appearance") {
            e.step = Some("session".into());
        }
    }
    let data = document::data(
        &cfg,
        Some(&wf),
        &loss_report(h.clone()),
        &Computed::default(),
    );
    assert_eq!(data["hearings"].as_array().map(Vec::len), Some(2));

    // Declared nowhere: no entry is a hearing.
    let undeclared = renamed.replace("  hearing_step: session", "");
    let wf = workflow(&cfg, "appearance.yaml", &undeclared);
    let data = document::data(&cfg, Some(&wf), &loss_report(h), &Computed::default());
    assert_eq!(data["hearings"], json!([]));
}
