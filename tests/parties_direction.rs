//! Issue 26: the documents name the right parties, go in the right direction and speak the
//! bureau's own words. Workspaces at each level (a district, a city and a county bureau, and an
//! agency's own workspace) render their documents through the engine and the real typesetter;
//! the tests read the documents back (from their frozen records) and assert the exact text of the parts concerned.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use yingsu::Workspace;
use yingsu::engine::Input;
use yingsu::render::TypstRenderer;

mod common;
use common::actor_at as actor;

/// A bureau's workspace: `region` at `level` (区, 市, 县), its prefixes abbreviated `abbr`.
fn bureau_config(region: &str, level: &str, abbr: &str) -> String {
    format!(
        r#"region: {region}
issuers:
  sfj: {{name: {region}司法局, short: {level}司法局, prefix: {abbr}司函, prefixes: {{文件: {abbr}司发, 报告: {abbr}司文}}, principal: 张建国, contact: 王红, phone: 023-60000000}}
  qzf: {{name: {region}人民政府, short: {level}政府, prefix: {abbr}府函, prefixes: {{报告: {abbr}府文}}, principal: 刘长青}}
  scjgj: {{name: {region}市场监督管理局, short: {level}市场监管局, prefix: {abbr}市监函, prefixes: {{报告: {abbr}市监文}}}}
agencies:
  qzf: {{name: {region}人民政府, short: {level}政府, group: government, kind: {level}政府, issuer: qzf, principal: 刘长青, principal_post: {level}长}}
  scjgj: {{name: {region}市场监督管理局, short: {level}市场监管局, group: departments, kind: 部门, issuer: scjgj, principal: 李明, principal_post: 局长}}
groups:
  government: {{title: {level}政府, denominator: notices}}
  departments: {{title: {level}政府部门, denominator: hearings}}
courts:
  fy: {region}人民法院
  zy: 某中级人民法院
deadlines:
  loss_report: {{working_days: 15}}
  proposal_reply: {{months: 3}}
  rectification_report: {{working_days: 20}}
system_fonts: false
"#
    )
}

/// An agency's own workspace: it issues as itself; the bureau it reports to is named only.
const AGENCY_CONFIG: &str = r#"region: 重庆市渝北区
bureau: {name: 重庆市渝北区司法局, short: 区司法局}
issuers:
  scjgj: {name: 重庆市渝北区市场监督管理局, short: 区市场监管局, prefix: 渝北市监函, prefixes: {报告: 渝北市监文}}
agencies:
  scjgj: {name: 重庆市渝北区市场监督管理局, short: 区市场监管局, group: departments, kind: 部门, issuer: scjgj, principal: 李明, principal_post: 局长}
groups:
  departments: {title: 区政府部门, denominator: hearings}
courts:
  fy: 重庆市渝北区人民法院
  zy: 重庆市第一中级人民法院
deadlines:
  loss_report: {working_days: 15}
  proposal_reply: {months: 3}
  rectification_report: {working_days: 20}
system_fonts: false
"#;

fn open(dir: &Path, config: &str) -> Workspace {
    std::fs::write(dir.join("yingsu.yaml"), config).unwrap();
    std::fs::create_dir_all(dir.join("cases")).unwrap();
    Workspace::open(dir).unwrap_or_else(|e| panic!("{e}"))
}

fn input(dir: &Path, name: &str, facts: &Value) -> Input {
    let path = dir.join(format!("{name}.input.yaml"));
    std::fs::write(&path, serde_json::to_string_pretty(facts).unwrap()).unwrap();
    Input {
        sets: vec![],
        from: Some(path),
        again: false,
    }
}

fn new_case(ws: &Workspace, wf: &str, id: &str, at: &str, facts: Value) {
    let inp = input(&ws.root, id, &facts);
    yingsu::engine::new_case(ws, wf, id, &inp, &actor(at), &TypstRenderer::new())
        .unwrap_or_else(|e| panic!("{id}: {e}"));
}

fn advance(ws: &Workspace, id: &str, to: &str, at: &str, facts: Value) {
    let inp = input(&ws.root, &format!("{id}-{to}"), &facts);
    yingsu::engine::advance(ws, id, to, &inp, &actor(at), &TypstRenderer::new())
        .unwrap_or_else(|e| panic!("{id} → {to}: {e}"));
}

/// The text of an archived PDF as one string: lines joined, page numbers left out — read from
/// its frozen record laid out again (tests/common/text.rs), not by a PDF reader.
fn pdf_text(pdf: &Path) -> String {
    let root = pdf
        .ancestors()
        .find(|d| d.join("yingsu.yaml").is_file())
        .expect("an archived document lies in a workspace");
    let ws = Workspace::open(root).unwrap();
    common::text::archived_text(&ws, &TypstRenderer::new(), pdf)
}

/// The archived documents of case `id` made by `template`.
fn docs(ws: &Workspace, id: &str, template: &str) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(ws.root.join("archive"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(|e| e.path().to_path_buf())
        .filter(|p| {
            p.parent()
                .and_then(|d| d.file_name())
                .is_some_and(|d| d == id)
                && p.file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.ends_with(&format!("-{template}.pdf")))
        })
        .collect();
    found.sort();
    found
}

/// The one document of case `id` made by `template`, as text.
fn doc(ws: &Workspace, id: &str, template: &str) -> String {
    let found = docs(ws, id, template);
    assert_eq!(found.len(), 1, "{id}: {template}: {found:?}");
    pdf_text(&found[0])
}

fn has(text: &str, part: &str) {
    assert!(text.contains(part), "missing “{part}” in:\n{text}");
}

fn lacks(text: &str, part: &str) {
    assert!(!text.contains(part), "unexpected “{part}” in:\n{text}");
}

/// A first notice of a case against `agency`, with `extra` facts over the defaults.
fn notice(case_number: &str, level: &str, court: &str, agency: &str, extra: Value) -> Value {
    let mut f = json!({
        "case_number": case_number,
        "court": court,
        "cause": "行政处罚",
        "level": level,
        "plaintiffs": ["张三"],
        "agency": agency,
        "notice_date": "2023-04-20",
        "notice_number": "(2023)出庭通知第1号",
        "head_required": true,
        "hearing_date": "2023-05-08",
        "hearing_place": "第三审判庭",
        "head_name": "李明",
        "head_post": "局长",
        "legal_office": "法制科",
    });
    for (k, v) in extra.as_object().unwrap() {
        f[k] = v.clone();
    }
    f
}

/// A case against `agency` heard twice with its head absent for want of a good reason, then
/// lost (`撤销`) with a summary that states the judgment.
fn lost_case(ws: &Workspace, id: &str, case_number: &str, agency: &str) {
    new_case(
        ws,
        "appearance",
        id,
        "2023-04-20T10:00:00+08:00",
        notice(case_number, "一审", "fy", agency, json!({})),
    );
    for (day, at) in [
        ("2023-05-08", "2023-05-08T17:00:00+08:00"),
        ("2023-06-02", "2023-06-02T17:00:00+08:00"),
    ] {
        advance(
            ws,
            id,
            "appearance",
            at,
            json!({
                "hearing_date": day,
                "hearing_place": "第三审判庭",
                "head_appeared": false,
                "absence_reason": "无正当理由",
                "delegates": ["赵六，法制科科长"],
            }),
        );
    }
    advance(
        ws,
        id,
        "judgment",
        "2023-07-10T10:00:00+08:00",
        json!({
            "judgment_date": "2023-07-10",
            "effective_date": "2023-07-26",
            "outcome": "撤销",
            "judgment_summary": "法院认为，被告作出处罚决定前未告知原告陈述、申辩的权利，程序违法，判决撤销被诉行政处罚决定。",
        }),
    );
    advance(
        ws,
        id,
        "loss_review",
        "2023-08-10T10:00:00+08:00",
        json!({
            "loss_causes": ["未履行告知程序。"],
            "responsibility": "承办科室负直接责任。",
            "measures": ["开展程序专项检查。"],
            "report_date": "2023-08-10",
        }),
    );
}

/// A rectification of `agency` for a rate of zero, with an interview.
fn rectification(ws: &Workspace, id: &str, agency: &str) {
    new_case(
        ws,
        "rectification",
        id,
        "2023-07-05T09:00:00+08:00",
        json!({
            "agency": agency,
            "reason": "出庭率为零",
            "source_cases": ["(2023)渝0112行初98号", "(2023)渝0112行初99号"],
            "findings": "2023年第二季度，你单位作为被告的(2023)渝0112行初98号一案开庭审理，负责人未出庭应诉。",
            "issued_date": "2023-07-05",
            "interview": true,
            "interview_time": "2023年7月12日上午9时",
            "interview_place": "三楼会议室",
        }),
    );
}

// ------------------------------------------------------------------ parties

/// 原告/被告 at first instance; 公益诉讼起诉人 for a procuratorate's suit; 上诉人/被上诉人 with
/// their first-instance roles on appeal, the appellant first; 再审申请人/被申请人 on retrial.
#[test]
fn parties_follow_the_instance_and_the_plaintiff() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = open(tmp.path(), &bureau_config("重庆市渝北区", "区", "渝北"));
    let cases: [(&str, &str, &str, Value, &[&str]); 6] = [
        (
            "(2023)渝0112行初1号",
            "一审",
            "P1",
            json!({}),
            &[
                "原告张三诉区市场监管局行政处罚一案，案号为（2023）渝0112行初1号，由重庆市渝北区人民法院审理。",
                "原告：张三。被告：重庆市渝北区市场监督管理局。案由：行政处罚。审级：一审。",
            ],
        ),
        (
            "(2023)渝0112行初2号",
            "一审",
            "P2",
            json!({"plaintiffs": ["重庆市渝北区人民检察院"], "procuratorate_suit": true}),
            &[
                "公益诉讼起诉人重庆市渝北区人民检察院诉区市场监管局行政处罚一案，案号为（2023）渝0112行初2号",
                "公益诉讼起诉人：重庆市渝北区人民检察院。被告：重庆市渝北区市场监督管理局。",
            ],
        ),
        (
            "(2023)渝01行终3号",
            "二审",
            "P3",
            json!({"court": "zy"}),
            &[
                "上诉人张三与被上诉人区市场监管局行政处罚一案，案号为（2023）渝01行终3号，由某中级人民法院审理。",
                "上诉人（原审原告）：张三。被上诉人（原审被告）：重庆市渝北区市场监督管理局。案由：行政处罚。审级：二审。",
                "认真听取对方当事人的请求和理由",
            ],
        ),
        (
            "(2023)渝01行终4号",
            "二审",
            "P4",
            json!({"court": "zy", "appellant": "原审被告"}),
            &[
                "上诉人区市场监管局与被上诉人张三行政处罚一案，案号为（2023）渝01行终4号",
                "上诉人（原审被告）：重庆市渝北区市场监督管理局。被上诉人（原审原告）：张三。",
            ],
        ),
        (
            "(2023)渝行再5号",
            "再审",
            "P5",
            json!({"court": "zy"}),
            &[
                "再审申请人张三与被申请人区市场监管局行政处罚一案，案号为（2023）渝行再5号",
                "再审申请人（原审原告）：张三。被申请人（原审被告）：重庆市渝北区市场监督管理局。案由：行政处罚。审级：再审。",
            ],
        ),
        (
            "(2023)渝01行终6号",
            "二审",
            "P6",
            json!({"court": "zy", "plaintiffs": ["重庆市渝北区人民检察院"], "procuratorate_suit": true}),
            &["上诉人（原审公益诉讼起诉人）：重庆市渝北区人民检察院。被上诉人（原审被告）："],
        ),
    ];
    for (number, level, id, extra, want) in &cases {
        new_case(
            &ws,
            "appearance",
            id,
            "2023-04-20T10:00:00+08:00",
            notice(number, level, "fy", "scjgj", extra.clone()),
        );
        let text = doc(&ws, id, "tishihan");
        for w in *want {
            has(&text, w);
        }
        if *level != "一审" {
            lacks(&text, "原告张三诉");
            lacks(&text, "原告：张三");
        }
    }
    // The 授权委托书 names them the same way.
    advance(
        &ws,
        "P4",
        "appearance",
        "2023-05-08T17:00:00+08:00",
        json!({
            "hearing_date": "2023-05-08",
            "hearing_place": "第三审判庭",
            "head_appeared": true,
            "agents": ["钱七，某律师事务所律师"],
        }),
    );
    has(
        &doc(&ws, "P4", "shouquan"),
        "你院审理的上诉人区市场监管局与被上诉人张三行政处罚一案，案号为（2023）渝01行终4号，现委托下列人员作为我单位的诉讼代理人",
    );
}

// ------------------------------------------------------------------ direction and words

/// What each bureau's workspace must print: (region, level, abbr, government above, words).
struct Level {
    region: &'static str,
    level: &'static str,
    abbr: &'static str,
    above: &'static str,
}

const LEVELS: [Level; 3] = [
    Level {
        region: "重庆市渝北区",
        level: "区",
        abbr: "渝北",
        above: "重庆市人民政府",
    },
    Level {
        region: "四川省成都市",
        level: "市",
        abbr: "成",
        above: "四川省人民政府",
    },
    Level {
        region: "重庆市城口县",
        level: "县",
        abbr: "城口",
        above: "重庆市人民政府",
    },
];

/// A department reports its loss to its bureau (报告, 签发人); the bureau's own government
/// reports to the government above, never to its bureau; the bureau orders a department to
/// rectify (整改通知书, 约谈通知书) but reports on its government (报告 with 签发人, no order,
/// no interview); the words are the level's.
#[test]
fn each_level_reports_up_and_orders_down() {
    for l in &LEVELS {
        let tmp = tempfile::tempdir().unwrap();
        let ws = open(tmp.path(), &bureau_config(l.region, l.level, l.abbr));
        let (r, lv, a) = (l.region, l.level, l.abbr);

        lost_case(&ws, "D1", "(2023)渝0112行初11号", "scjgj");
        let report = doc(&ws, "D1", "baisu");
        has(&report, &format!("{a}市监文〔2023〕1号签发人：李明"));
        has(
            &report,
            &format!("行政诉讼案件败诉情况的总结报告{r}司法局："),
        );

        lost_case(&ws, "G1", "(2023)渝0112行初12号", "qzf");
        let report = doc(&ws, "G1", "baisu");
        has(&report, &format!("{a}府文〔2023〕1号签发人：刘长青"));
        has(
            &report,
            &format!("行政诉讼案件败诉情况的总结报告{}：", l.above),
        );
        lacks(&report, &format!("{r}司法局："));

        rectification(&ws, "R1", "scjgj");
        let notice = doc(&ws, "R1", "zhenggai");
        has(
            &notice,
            &format!("{r}市场监督管理局：{lv}司法局在行政机关负责人出庭应诉工作督查中发现，你单位"),
        );
        has(&notice, &format!("并将整改情况书面报送{lv}司法局。"));
        assert_eq!(notice.matches("书面报送").count(), 1, "{notice}");
        // The findings name 98号; only 99号 is added.
        has(&notice, "涉及案件：（2023）渝0112行初99号。");
        has(
            &notice,
            "（此件不予公开）（联系人：王红，联系电话：023-60000000）",
        );
        assert_eq!(docs(&ws, "R1", "yuetan").len(), 1);
        assert!(docs(&ws, "R1", "zhuanbao").is_empty());

        rectification(&ws, "R2", "qzf");
        assert!(
            docs(&ws, "R2", "zhenggai").is_empty(),
            "no order to the government"
        );
        assert!(
            docs(&ws, "R2", "yuetan").is_empty(),
            "no interview of the government"
        );
        let up = doc(&ws, "R2", "zhuanbao");
        // (The government's absence in G1 opened a rectification: its 专报 took number 1.)
        has(&up, &format!("{a}司文〔2023〕2号签发人：张建国"));
        assert_eq!(docs(&ws, "G1-整改", "zhuanbao").len(), 1);
        assert!(docs(&ws, "G1-整改", "zhenggai").is_empty());
        has(
            &up,
            &format!(
                "{r}司法局关于{lv}政府行政机关负责人出庭应诉有关情况的报告{r}人民政府：{lv}司法局在行政机关负责人出庭应诉工作督查中发现，{lv}政府存在行政机关负责人出庭应诉率为零的情况。现将有关情况报告如下："
            ),
        );
        has(
            &up,
            &format!("2023年第二季度，{lv}政府作为被告的（2023）渝0112行初98号一案开庭审理"),
        );
        has(&up, "特此报告。");
        lacks(&up, "你单位");
        lacks(&up, "通知");

        let words = ws.config.words();
        assert_eq!(words.all.as_deref(), Some(format!("全{lv}").as_str()));
        assert_eq!(
            words.government_self.as_deref(),
            Some(format!("{lv}政府本级").as_str())
        );
    }
}

/// The region words of each level, and of a bureau that names its own.
#[test]
fn region_words_come_from_the_level() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "重庆市渝北区",
            "区政府各部门，各镇人民政府、街道办事处",
            "部门、镇街",
            "渝北区",
        ),
        (
            "四川省成都市",
            "各区县人民政府，市政府各部门",
            "部门、区县政府",
            "成都市",
        ),
        (
            "重庆市城口县",
            "县政府各部门，各乡镇人民政府、街道办事处",
            "部门、乡镇街道",
            "城口县",
        ),
        (
            "四川省",
            "各市（州）人民政府，省政府各部门",
            "部门、市（州）政府",
            "四川省",
        ),
    ];
    for (region, addressees, others, local) in cases {
        let mut config = bureau_config(region, "区", "某");
        if region == "四川省" {
            // Nothing above a province in its name: the body its government reports to is set.
            config.push_str("bureau: {superior: 国务院}\n");
        }
        let ws = open(tmp.path(), &config);
        let w = ws.config.words();
        assert_eq!(w.addressees.as_deref(), Some(addressees), "{region}");
        assert_eq!(w.others.as_deref(), Some(others), "{region}");
        assert_eq!(w.local.as_deref(), Some(local), "{region}");
    }
    let ws = open(
        tmp.path(),
        &format!(
            "{}bureau: {{level: 市, superior: 国务院, words: {{addressees: 各区县（自治县）人民政府，市政府各部门，有关单位}}}}\n",
            bureau_config("重庆市", "市", "渝")
        ),
    );
    let w = ws.config.words();
    assert_eq!(w.all.as_deref(), Some("全市"));
    assert_eq!(
        w.addressees.as_deref(),
        Some("各区县（自治县）人民政府，市政府各部门，有关单位")
    );
}

/// A city bureau's quarterly bulletin speaks of 全市, 市政府本级 and 区县政府, and is addressed
/// to the city's units, with no template edited.
#[test]
fn a_city_bulletin_speaks_of_the_city() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = open(tmp.path(), &bureau_config("四川省成都市", "市", "成"));
    new_case(
        &ws,
        "appearance",
        "C1",
        "2023-04-20T10:00:00+08:00",
        notice("(2023)川0104行初1号", "一审", "fy", "scjgj", json!({})),
    );
    advance(
        &ws,
        "C1",
        "appearance",
        "2023-05-08T17:00:00+08:00",
        json!({"hearing_date": "2023-05-08", "hearing_place": "第三审判庭", "head_appeared": true, "head_spoke": true}),
    );
    let (code, _, err) = common::run_env(
        tmp.path(),
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q2",
            "--date",
            "2023-07-05",
        ],
        "2023-07-05T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let text = pdf_text(&tmp.path().join("archive/reports/2023/bulletin-2023Q2.pdf"));
    has(&text, "各区县人民政府，市政府各部门：");
    has(&text, "全市行政机关负责人出庭应诉情况通报如下");
    has(
        &text,
        "（“应出庭”对市政府本级为法院通知负责人出庭并已开庭的件数，对部门、区县政府为开庭审理的一审案件件数）",
    );
    lacks(&text, "全区");
    lacks(&text, "镇");
    // 公开方式 in the 附注, before the contact, as on the bureau's other documents.
    has(
        &text,
        "2023年7月5日（此件公开发布）（联系人：王红，联系电话：023-60000000）",
    );
    // A bureau that keeps its bulletins internal changes the one line of its own template.
    let (code, template, err) = common::run_env(
        tmp.path(),
        &["template", "show", "tongbao"],
        "2023-07-05T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let line = "#let bulletin-publicity = \"此件公开发布\"";
    assert!(template.contains(line), "{template}");
    std::fs::create_dir_all(tmp.path().join("templates")).unwrap();
    std::fs::write(
        tmp.path().join("templates/tongbao.typ"),
        template.replace(line, "#let bulletin-publicity = \"此件依申请公开\""),
    )
    .unwrap();
    let (code, _, err) = common::run_env(
        tmp.path(),
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q2",
            "--date",
            "2023-07-05",
            "--reissue",
        ],
        "2023-07-05T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let text = pdf_text(&tmp.path().join("archive/reports/2023/bulletin-2023Q2.pdf"));
    has(
        &text,
        "2023年7月5日（此件依申请公开）（联系人：王红，联系电话：023-60000000）",
    );
}

/// An agency's own workspace: its loss report goes to the bureau it names, as a 报告 with
/// 签发人; its 情况说明 is numbered.
#[test]
fn an_agency_workspace_reports_to_its_bureau() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = open(tmp.path(), AGENCY_CONFIG);
    lost_case(&ws, "A1", "(2023)渝0112行初21号", "scjgj");
    let report = doc(&ws, "A1", "baisu");
    has(&report, "渝北市监文〔2023〕1号签发人：李明");
    has(
        &report,
        "行政诉讼案件败诉情况的总结报告重庆市渝北区司法局：",
    );
    // Rectification is the bureau's work: the absence opens none here.
    assert!(!tmp.path().join("cases/2023/A1-整改.yaml").exists());
    assert!(docs(&ws, "A1-整改", "zhenggai").is_empty());
    new_case(
        &ws,
        "appearance",
        "A2",
        "2023-04-20T10:00:00+08:00",
        notice("(2023)渝0112行初22号", "一审", "fy", "scjgj", json!({})),
    );
    advance(
        &ws,
        "A2",
        "appearance",
        "2023-05-08T17:00:00+08:00",
        json!({
            "hearing_date": "2023-05-08",
            "hearing_place": "第三审判庭",
            "head_appeared": false,
            "absence_reason": "意外事件",
            "absence_account": "局长李明于开庭当日遭遇交通事故。",
            "absence_note_date": "2023-05-07",
            "delegates": ["赵六，法制科科长"],
        }),
    );
    has(&doc(&ws, "A2", "qingkuang"), "渝北市监函〔2023〕1号");
    // A rectification opened by hand here has no bureau to issue it: refused, nothing written.
    let inp = input(
        tmp.path(),
        "A3",
        &json!({"agency": "scjgj", "reason": "出庭率为零", "findings": "出庭率为零。", "issued_date": "2023-07-05"}),
    );
    let err = yingsu::engine::new_case(
        &ws,
        "rectification",
        "A3",
        &inp,
        &actor("2023-07-05T09:00:00+08:00"),
        &TypstRenderer::new(),
    )
    .err()
    .map(|e| e.to_string())
    .unwrap_or_default();
    assert_eq!(
        err,
        "错误：《督查整改通知书》（案件 A3）没有发文机关，无法署名和编号\n = 帮助：本工作区没有司法局的发文机关：在 yingsu.yaml 的 issuers 下添加 sfj（司法局），或写 bureau: {issuer: 司法局的编号}\n"
    );
    assert!(!tmp.path().join("cases/2023/A3.yaml").exists());
}

// ------------------------------------------------------------------ wording

/// A loss report states the judgment once (the clerk's summary says it), merges two hearings
/// that went alike, and says why the head was absent as a sentence, not a bracketed option;
/// a notice number inside brackets takes 〔〕; the rectification the absence opens asks for the
/// written report once.
#[test]
fn loss_report_says_each_thing_once() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = open(tmp.path(), &bureau_config("重庆市渝北区", "区", "渝北"));
    lost_case(&ws, "W1", "(2023)渝0112行初31号", "scjgj");
    let report = doc(&ws, "W1", "baisu");
    has(
        &report,
        "该案于2023年5月8日、6月2日两次开庭审理，本单位负责人无正当理由未出庭应诉，委托法制科科长赵六出庭。",
    );
    has(
        &report,
        "重庆市渝北区人民法院于2023年7月10日作出行政判决。该判决已于2023年7月26日发生法律效力。法院认为",
    );
    lacks(&report, "判决撤销被诉行政行为");
    lacks(&report, "（无正当理由）");
    has(&report, "（此件不予公开）");
    assert_eq!(report.matches("开庭审理，").count(), 1, "{report}");

    let reminder = doc(&ws, "W1", "tishihan");
    has(
        &reminder,
        "收到重庆市渝北区人民法院出庭应诉通知书（〔2023〕出庭通知第1号），",
    );
    lacks(&reminder, "（（");

    // The absence without good reason opened a rectification: 书面报送 once.
    let notice = doc(&ws, "W1-整改", "zhenggai");
    assert_eq!(notice.matches("书面报送").count(), 1, "{notice}");
    lacks(&notice, "涉及案件：");
}

/// A proposal `id` taken to its reply, with `replied` facts.
fn reply(ws: &Workspace, id: &str, replied: Value) {
    new_case(
        ws,
        "proposal",
        id,
        "2023-03-01T09:00:00+08:00",
        json!({"kind": "政协提案", "proposal_title": "关于推进出庭应诉的建议", "proposer": "民进区工委", "assigned_date": "2023-03-01", "handler": "sfj"}),
    );
    advance(
        ws,
        id,
        "drafted",
        "2023-04-01T09:00:00+08:00",
        json!({"background": ["基本情况。"], "work": ["工作：开展工作。"], "next_steps": ["计划：继续推进。"]}),
    );
    advance(
        ws,
        id,
        "signed",
        "2023-05-01T09:00:00+08:00",
        json!({"signer": "局长张建国", "sign_date": "2023-05-04"}),
    );
    advance(ws, id, "replied", "2023-05-08T09:00:00+08:00", replied);
}

/// 公开方式 in the 附注 (the clerk's choice), and the 答复类别 at the top left when asked for.
#[test]
fn reply_letter_prints_publicity_and_class() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = open(tmp.path(), &bureau_config("重庆市渝北区", "区", "渝北"));
    reply(
        &ws,
        "T1",
        json!({"reply_date": "2023-05-08", "reply_class": "B", "show_class": true, "publicity": "此件公开发布"}),
    );
    let text = doc(&ws, "T1", "fuhan");
    // 信函格式: the 份号 position, flush left under the double rule.
    has(&text, "重庆市渝北区司法局B渝北司函〔2023〕1号");
    has(
        &text,
        "2023年5月8日（此件公开发布）（联系人：王红，联系电话：023-60000000）",
    );
}

/// By default the 答复类别 is recorded but not marked on the letter (the bureau's own reply to
/// 提案第003号 bears none), and a reply prints no 公开方式 unless the clerk chose one.
#[test]
fn reply_letter_records_the_class_without_marking_it() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = open(tmp.path(), &bureau_config("重庆市渝北区", "区", "渝北"));
    reply(
        &ws,
        "T2",
        json!({"reply_date": "2023-05-08", "reply_class": "A"}),
    );
    let text = doc(&ws, "T2", "fuhan");
    assert!(
        text.starts_with("重庆市渝北区司法局渝北司函〔2023〕1号重庆市渝北区司法局关于"),
        "{text}"
    );
    assert!(
        text.ends_with("重庆市渝北区司法局2023年5月8日（联系人：王红，联系电话：023-60000000）"),
        "{text}"
    );
    let (code, out, err) = common::run_env(
        tmp.path(),
        &["case", "show", "T2"],
        "2023-05-08T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l == "  答复类别      A"), "{out}");
}

// ------------------------------------------------------------------ configuration checks

/// An agency without an issuer is refused when the workspace opens (so at `validate` and
/// before any document is issued), naming its line and the line to add.
#[test]
fn an_agency_without_issuer_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let config = bureau_config("重庆市渝北区", "区", "渝北").replace(
        ", group: departments, kind: 部门, issuer: scjgj,",
        ", group: departments, kind: 部门,",
    );
    std::fs::write(tmp.path().join("yingsu.yaml"), &config).unwrap();
    let (code, _, err) =
        common::run_env(tmp.path(), &["validate"], "2023-07-05T09:00:00+08:00", &[]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("单位 `scjgj`（重庆市渝北区市场监督管理局）没有发文机关（issuer），它的提示函、情况说明和败诉案件总结报告无法署名和编号"),
        "{err}"
    );
    assert!(err.contains("yingsu.yaml:8:3"), "{err}");
    assert!(
        err.contains("在 yingsu.yaml 的 agencies.scjgj 下加一行：issuer: scjgj"),
        "{err}"
    );
}

/// A government does not send its loss report to its own bureau.
#[test]
fn a_government_reporting_to_its_bureau_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let config = bureau_config("重庆市渝北区", "区", "渝北").replace(
        "issuer: qzf, principal: 刘长青",
        "issuer: qzf, reports_to: sfj, principal: 刘长青",
    );
    std::fs::write(tmp.path().join("yingsu.yaml"), &config).unwrap();
    let Err(e) = Workspace::open(tmp.path()) else {
        panic!("a government reporting to its own bureau was accepted");
    };
    let e = e.to_string();
    assert!(
        e.contains("单位 `qzf`（重庆市渝北区人民政府）是重庆市渝北区司法局的上级，败诉案件总结报告不能报送重庆市渝北区司法局"),
        "{e}"
    );
    assert!(e.contains("reports_to: 重庆市人民政府"), "{e}");
}

/// `init` names nobody: its placeholders are listed by `validate` as 未填写 and never printed.
#[test]
fn init_writes_placeholders_not_people() {
    for real in ["饶东", "杨佳红", "67821277"] {
        assert!(!yingsu::workspace::INIT_CONFIG.contains(real), "{real}");
    }
    let tmp = tempfile::tempdir().unwrap();
    yingsu::workspace::init(tmp.path()).unwrap();
    let (code, out, err) =
        common::run_env(tmp.path(), &["validate"], "2023-07-05T09:00:00+08:00", &[]);
    assert_eq!(code, 0, "{err}");
    assert!(!out.contains("未填写"), "{out}");
    assert!(
        err.contains("未填写：yingsu.yaml 第 31 行 发文机关 sfj 的联系人（contact）（现为“请填写联系人姓名”），文书中不印这一项；请改为实际的内容"),
        "{err}"
    );
    let ws = Workspace::open(tmp.path()).unwrap();
    rectification(&ws, "I1", "scjgj");
    let notice = doc(&ws, "I1", "zhenggai");
    lacks(&notice, "联系人");
    lacks(&notice, "请填写");
}

/// The 报送整改报告 deadline belongs to the 督查整改通知书 sent down to a unit that must report:
/// a 专报 sent up to the bureau's government in its place tracks none — not in `status`, not in
/// the document's data — while the notice keeps its deadline (20 working days from 2023-07-05).
#[test]
fn a_report_to_the_government_tracks_no_rectification_deadline() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = open(tmp.path(), &bureau_config("重庆市渝北区", "区", "渝北"));
    rectification(&ws, "R1", "scjgj");
    rectification(&ws, "R2", "qzf");
    assert_eq!(docs(&ws, "R2", "zhuanbao").len(), 1);
    let record = |id: &str, template: &str| -> Value {
        let pdf = &docs(&ws, id, template)[0];
        serde_json::from_str(&std::fs::read_to_string(pdf.with_extension("json")).unwrap()).unwrap()
    };
    assert_eq!(record("R2", "zhuanbao")["data"]["deadline"], Value::Null);
    assert_eq!(
        record("R1", "zhenggai")["data"]["deadline"]["title"],
        "报送整改报告"
    );
    let text = doc(&ws, "R1", "zhenggai");
    has(
        &text,
        "请你单位于2023年8月2日前完成整改，并将整改情况书面报送区司法局。",
    );
    let up = doc(&ws, "R2", "zhuanbao");
    lacks(&up, "整改情况书面报送");
    lacks(&up, "2023年8月2日");

    let (code, out, err) =
        common::run_env(tmp.path(), &["status"], "2023-07-06T09:00:00+08:00", &[]);
    assert_eq!(code, 0, "{err}");
    let line = |id: &str| -> String {
        out.lines()
            .find(|l| l.starts_with(id))
            .unwrap_or_else(|| panic!("{id} in\n{out}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("R1"),
        "R1 督查整改 印发整改通知或专报 区市场监管局 2023-08-02 报送整改报告 19个工作日"
    );
    assert_eq!(line("R2"), "R2 督查整改 印发整改通知或专报 区政府 —");

    // A report sent up waits for no rectification report: it is filed, and only the unit
    // that was sent a notice reports back.
    let (code, _, err) = common::run_env(
        tmp.path(),
        &[
            "case",
            "advance",
            "R2",
            "report_received",
            "--set",
            "report_date=2023-07-20",
            "--set",
            "report_summary=已整改",
        ],
        "2023-07-20T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：转到“收到整改报告”（report_received）的条件不满足"),
        "{err}"
    );
    let (code, out, err) = common::run_env(
        tmp.path(),
        &["case", "advance", "R2", "filed"],
        "2023-07-20T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("专报已报送归档"), "{out}");
    let (code, _, err) = common::run_env(
        tmp.path(),
        &["case", "advance", "R1", "filed"],
        "2023-07-20T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：转到“专报已报送归档”（filed）的条件不满足"),
        "{err}"
    );
}
