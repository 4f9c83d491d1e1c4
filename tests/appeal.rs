//! The appeal (issue 29, item 2): the date the judgment or ruling was served and the statutory
//! appeal deadline (15 days for a judgment, 10 for a ruling; none for a mediation or a second
//! instance), the appeal decision and its transitions, the linked second-instance case it
//! opens, the link in `case show` and on the case page, and the statistics counting the lawsuit
//! once.

use std::path::Path;

use serde_json::{Value, json};
use yingsu::Workspace;

mod common;

use common::{FakeRenderer, actor, sets};

/// A workspace made by `init`.
fn workspace() -> (tempfile::TempDir, Workspace) {
    let dir = tempfile::tempdir().unwrap();
    let ws = common::workspace(dir.path());
    (dir, ws)
}

/// Run the binary at 9:00 on `day`: exit code, standard output, standard error.
fn run(p: &Path, args: &[&str], day: &str) -> (i32, String, String) {
    common::run_env(p, args, &format!("{day}T09:00:00+08:00"), &[])
}

/// Run the binary at 9:00 on `day`; it must succeed: its standard output.
fn ok(p: &Path, args: &[&str], day: &str) -> String {
    let (code, out, err) = run(p, args, day);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

/// `yingsu case advance ID STEP --set …` on `day`: it must be refused; its standard error.
fn refused(p: &Path, id: &str, step: &str, facts: &[&str], day: &str) -> String {
    let mut args = vec!["case", "advance", id, step];
    for f in facts {
        args.push("--set");
        args.push(f);
    }
    let (code, out, err) = run(p, &args, day);
    assert_ne!(code, 0, "{out}");
    err
}

/// A case of agency scjgj at `level` (案号 行初 or 行终 `seq`) heard on 2024-08-01 with the head
/// present, then judged on 2024-09-10 with `outcome` and the extra judgment facts `more`.
fn judged(ws: &Workspace, id: &str, level: &str, seq: u32, outcome: &str, more: &[&str]) {
    let r = FakeRenderer::default();
    let (kind, court) = if level == "一审" {
        ("行初", "ybfy")
    } else {
        ("行终", "cq1zy")
    };
    let mut notice = sets(common::NOTICE);
    let court_code = if level == "一审" {
        "渝0112"
    } else {
        "渝01"
    };
    notice.sets[0] = format!("case_number=(2024){court_code}{kind}{seq}号");
    for s in notice.sets.iter_mut() {
        if s.starts_with("court=") {
            *s = format!("court={court}");
        }
        if s.starts_with("level=") {
            *s = format!("level={level}");
        }
        if s.starts_with("notice_date=") {
            *s = "notice_date=2024-07-01".into();
        }
        if s.starts_with("hearing_date=") {
            *s = "hearing_date=2024-08-01".into();
        }
    }
    notice
        .sets
        .push("contested_act=渝北市监罚〔2024〕7号行政处罚决定".into());
    yingsu::engine::new_case(ws, "appearance", id, &notice, &actor("2024-07-01"), &r).unwrap();
    let present = sets(&["head_appeared=true", "head_spoke=true"]);
    yingsu::engine::advance(ws, id, "appearance", &present, &actor("2024-08-01"), &r).unwrap();
    let mut facts = vec![
        "judgment_date=2024-09-10".to_string(),
        format!("outcome={outcome}"),
    ];
    facts.extend(more.iter().map(|s| s.to_string()));
    let facts: Vec<&str> = facts.iter().map(String::as_str).collect();
    yingsu::engine::advance(ws, id, "judgment", &sets(&facts), &actor("2024-09-21"), &r).unwrap();
}

/// The `status --json` row of case `id` on `day`.
fn row(p: &Path, id: &str, day: &str) -> Value {
    let out = ok(p, &["status", "--json"], day);
    let rows: Value = serde_json::from_str(&out).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {out}"))
        .clone()
}

/// The case's facts as the engine reads them.
fn facts(ws: &Workspace, id: &str) -> Value {
    let view = yingsu::engine::load_case(ws, id).unwrap();
    serde_json::to_value(view.facts()).unwrap()
}

const DECIDED: &[&str] = &[
    "appeal_reasons=一审判决认定事实错误",
    "appeal_decider=李某某",
    "appeal_decider_post=局长",
    "appeal_decision_date=2024-09-30",
];

/// `appeal_decision` with `decision` and `other_party_appealed`, on 2024-09-30.
fn decide(ws: &Workspace, id: &str, decision: &str, other: bool) -> yingsu::engine::StepReport {
    let mut facts: Vec<String> = DECIDED.iter().map(|s| s.to_string()).collect();
    facts.push(format!("appeal_decision={decision}"));
    facts.push(format!("other_party_appealed={other}"));
    let facts: Vec<&str> = facts.iter().map(String::as_str).collect();
    yingsu::engine::advance(
        ws,
        id,
        "appeal_decision",
        &sets(&facts),
        &actor("2024-09-30"),
        &FakeRenderer::default(),
    )
    .unwrap()
}

/// A judgment served on 2024-09-20: 15 days end on Saturday 2024-10-05, inside the National Day
/// holiday, so the appeal is due on the first working day after it, 2024-10-08.
#[test]
fn a_judgment_served_2024_09_20_may_be_appealed_until_2024_10_08() {
    let (dir, ws) = workspace();
    let p = dir.path();
    judged(
        &ws,
        "A1",
        "一审",
        1,
        "撤销",
        &["judgment_served_date=2024-09-20"],
    );
    let r = row(p, "A1", "2024-09-23");
    let d = &r["deadline"];
    assert_eq!(d["title"], "决定是否上诉（判决）");
    assert_eq!(d["from"], "judgment_served_date");
    assert_eq!(d["from_label"], "收到裁判文书日期");
    assert_eq!(d["due"], "2024-10-08");
    assert_eq!(d["statutory"], true);
    assert_eq!(d["working_days"], false);
    assert_eq!(d["left"], 15);
    let agenda = ok(p, &["agenda"], "2024-09-30");
    assert!(
        agenda.contains("A1 决定是否上诉（判决）（裁判），应于2024年10月8日前完成"),
        "{agenda}"
    );
    // The decision ends it: the case no longer has an appeal deadline.
    decide(&ws, "A1", "不上诉", false);
    let r = row(p, "A1", "2024-09-30");
    assert_eq!(r["deadline"]["title"], "报送败诉案件总结报告");
    assert_eq!(r["deadline"]["missing"], "待补充：生效日期");
    let agenda = ok(p, &["agenda"], "2024-09-30");
    assert!(!agenda.contains("决定是否上诉"), "{agenda}");
    assert!(
        agenda.contains("A1 报送败诉案件总结报告（上诉决定），待补充：生效日期，期限无法计算"),
        "{agenda}"
    );
}

/// A ruling dismissing the suit (驳回起诉) served 2024-09-20: 10 days, due Monday 2024-09-30.
#[test]
fn a_ruling_served_2024_09_20_may_be_appealed_until_2024_09_30() {
    let (dir, ws) = workspace();
    let p = dir.path();
    judged(
        &ws,
        "R1",
        "一审",
        2,
        "驳回起诉",
        &["judgment_served_date=2024-09-20"],
    );
    let d = &row(p, "R1", "2024-09-23")["deadline"];
    assert_eq!(d["title"], "决定是否上诉（裁定）");
    assert_eq!(d["due"], "2024-09-30");
    assert_eq!(d["statutory"], true);
    assert_eq!(d["left"], 7);
    let agenda = ok(p, &["agenda"], "2024-09-27");
    assert!(
        agenda.contains("R1 决定是否上诉（裁定）（裁判），应于2024年9月30日前完成"),
        "{agenda}"
    );
}

/// A second-instance judgment is final and a mediation cannot be appealed: no appeal deadline,
/// and neither goes through the appeal decision.
#[test]
fn no_appeal_deadline_for_a_second_instance_or_a_mediation() {
    let (dir, ws) = workspace();
    let p = dir.path();
    judged(
        &ws,
        "B2",
        "二审",
        3,
        "驳回诉讼请求",
        &["judgment_served_date=2024-09-20"],
    );
    judged(
        &ws,
        "M1",
        "一审",
        4,
        "调解",
        &["judgment_served_date=2024-09-20"],
    );
    judged(
        &ws,
        "W1",
        "一审",
        5,
        "撤诉",
        &["judgment_served_date=2024-09-20"],
    );
    for id in ["B2", "M1", "W1"] {
        assert_eq!(row(p, id, "2024-09-23")["deadline"], Value::Null, "{id}");
    }
    let agenda = ok(p, &["agenda"], "2024-09-23");
    assert!(!agenda.contains("上诉"), "{agenda}");
    for id in ["B2", "M1", "W1"] {
        let err = refused(p, id, "appeal_decision", &[], "2024-09-30");
        assert!(
            err.starts_with("错误：转到“上诉决定”（appeal_decision）的条件不满足：level == '一审' and outcome not in ['撤诉', '调解']\n"),
            "{id}: {err}"
        );
    }
    ok(p, &["case", "advance", "B2", "closed"], "2024-09-30");
    ok(p, &["case", "advance", "M1", "closed"], "2024-09-30");
}

/// The decision step: where each decision may go, and each wrong way refused with its reason.
#[test]
fn the_appeal_decision_leads_where_the_decision_says() {
    let (dir, ws) = workspace();
    let p = dir.path();
    // Once the service date is recorded, a first-instance judgment waits for the decision.
    judged(
        &ws,
        "L1",
        "一审",
        6,
        "撤销",
        &["judgment_served_date=2024-09-20"],
    );
    let err = refused(p, "L1", "loss_review", &[], "2024-09-30");
    assert_eq!(
        err,
        "错误：转到“败诉案件总结”（loss_review）的条件不满足：outcome in ['撤销', '部分撤销', '确认违法', '确认无效', '责令履行法定职责', '变更', '判决赔偿'] and not (judgment_served_date and level == '一审')\n = 帮助：当前相关事实：judgment_served_date = 2024-09-20，level = 一审，outcome = 撤销\n"
    );
    // The decision's facts are required.
    let err = refused(p, "L1", "appeal_decision", &[], "2024-09-30");
    assert!(
        err.starts_with("错误：步骤“上诉决定”（appeal_decision）缺少必填字段：\n  appeal_decision（是否上诉，选项）\n  appeal_reasons（上诉决定理由，文本）：决定上诉或不上诉的理由，像在 Word 中一样分段\n"),
        "{err}"
    );
    for field in [
        "appeal_reasons（上诉决定理由",
        "appeal_decider（决定人",
        "appeal_decider_post（决定人职务",
        "appeal_decision_date（上诉决定日期",
        "other_party_appealed（对方当事人上诉",
    ] {
        assert!(err.contains(field), "{field}: {err}");
    }
    // No appeal from anyone after a loss: the loss report, not the second instance or closing.
    decide(&ws, "L1", "不上诉", false);
    let err = refused(p, "L1", "appealed", &[], "2024-10-09");
    assert_eq!(
        err,
        "错误：转到“移送二审”（appealed）的条件不满足：appeal_decision == '上诉' or other_party_appealed\n = 帮助：当前相关事实：appeal_decision = 不上诉，other_party_appealed = false\n"
    );
    let err = refused(p, "L1", "closed", &[], "2024-10-09");
    assert!(
        err.starts_with("错误：转到“结案”（closed）的条件不满足：appeal_decision == '不上诉' and not other_party_appealed and outcome in ['驳回诉讼请求', '驳回起诉']\n"),
        "{err}"
    );
    assert!(yingsu::engine::load_case(&ws, "L1-二审").is_err());
    yingsu::engine::advance(
        &ws,
        "L1",
        "loss_review",
        &sets(&["report_body=总结", "report_date=2024-10-09"]),
        &actor("2024-10-09"),
        &FakeRenderer::default(),
    )
    .unwrap();
    // A win the plaintiff does not appeal: closed.
    judged(
        &ws,
        "G1",
        "一审",
        7,
        "驳回诉讼请求",
        &["judgment_served_date=2024-09-20"],
    );
    decide(&ws, "G1", "不上诉", false);
    let err = refused(p, "G1", "loss_review", &[], "2024-10-09");
    assert!(
        err.starts_with("错误：转到“败诉案件总结”（loss_review）的条件不满足："),
        "{err}"
    );
    ok(p, &["case", "advance", "G1", "closed"], "2024-10-09");
    // An appeal: neither the loss report nor closing, only the second instance.
    judged(
        &ws,
        "U1",
        "一审",
        8,
        "撤销",
        &["judgment_served_date=2024-09-20"],
    );
    decide(&ws, "U1", "上诉", false);
    let err = refused(p, "U1", "loss_review", &[], "2024-10-09");
    assert!(
        err.starts_with("错误：转到“败诉案件总结”（loss_review）的条件不满足：appeal_decision == '不上诉' and not other_party_appealed"),
        "{err}"
    );
    let err = refused(p, "U1", "closed", &[], "2024-10-09");
    assert!(
        err.starts_with("错误：转到“结案”（closed）的条件不满足：appeal_decision == '不上诉' and not other_party_appealed"),
        "{err}"
    );
    ok(p, &["case", "advance", "U1", "appealed"], "2024-10-09");
    let err = refused(p, "U1", "closed", &[], "2024-10-09");
    assert_eq!(
        err,
        "错误：案件 `U1` 已处于结束步骤“移送二审”（appealed），不能再推进\n = 帮助：如需补充材料，请修改案件文件的 facts 后用 `yingsu render` 重新生成文书\n"
    );
}

/// An appeal opens the second instance with the parties in their new roles and the two cases
/// naming each other; its next step asks for the court's notice (行终 案号, court, hearing).
#[test]
fn an_appeal_opens_the_linked_second_instance() {
    let (dir, ws) = workspace();
    let p = dir.path();
    judged(
        &ws,
        "A1",
        "一审",
        11,
        "撤销",
        &["judgment_served_date=2024-09-20"],
    );
    let rep = decide(&ws, "A1", "上诉", false);
    assert_eq!(rep.opened, vec!["A1-二审".to_string()]);
    assert_eq!(facts(&ws, "A1")["second_instance"], "A1-二审");
    assert_eq!(
        facts(&ws, "A1-二审"),
        json!({
            "agency": "scjgj",
            "appellant": "原审被告",
            "cause": "行政处罚",
            "contested_act": "渝北市监罚〔2024〕7号行政处罚决定",
            "first_instance": "A1",
            "level": "二审",
            "plaintiffs": ["重庆某食品有限公司"],
        })
    );
    let view = yingsu::engine::load_case(&ws, "A1-二审").unwrap();
    assert_eq!(view.case.current_step(), "appeal_filed");
    // The court's notice is what comes next, and it asks for the second instance's facts.
    let err = refused(p, "A1-二审", "notice", &[], "2024-10-20");
    assert!(
        err.starts_with(
            "错误：步骤“收到出庭应诉通知”（notice）缺少必填字段：\n  case_number（案号，"
        ),
        "{err}"
    );
    for field in [
        "court（审理法院",
        "notice_date（收到通知日期",
        "head_required（法院通知负责人出庭",
        "hearing_date（开庭日期",
        "hearing_place（开庭地点",
        "head_name（出庭负责人姓名",
        "head_post（出庭负责人职务",
    ] {
        assert!(err.contains(field), "{field}: {err}");
    }
    for field in ["level（", "plaintiffs（", "agency（", "cause（"] {
        assert!(!err.contains(field), "{field}: {err}");
    }
    // A first-instance 案号 does not fit the second instance.
    let err = refused(
        p,
        "A1-二审",
        "notice",
        &["case_number=(2024)渝0112行初12号"],
        "2024-10-20",
    );
    assert!(
        err.contains("审级写的是二审，但案号（2024）渝0112行初12号是一审案号"),
        "{err}"
    );

    // When only the plaintiff appeals a judgment the agency won, the plaintiff is the appellant.
    judged(
        &ws,
        "P1",
        "一审",
        12,
        "驳回诉讼请求",
        &["judgment_served_date=2024-09-20"],
    );
    decide(&ws, "P1", "不上诉", true);
    assert_eq!(facts(&ws, "P1-二审")["appellant"], "原审原告");
    assert_eq!(facts(&ws, "P1-二审")["first_instance"], "P1");
    let err = refused(p, "P1", "closed", &[], "2024-10-09");
    assert!(
        err.starts_with("错误：转到“结案”（closed）的条件不满足："),
        "{err}"
    );
    ok(p, &["case", "advance", "P1", "appealed"], "2024-10-09");
}

/// Make the appealed lawsuit A1 (lost at first instance, the agency appeals, both instances
/// heard with the head present; the second instance's judgment with [`judge_second`]) and a
/// single case S1 lost and not appealed.
fn one_appealed_lawsuit(ws: &Workspace) {
    let r = FakeRenderer::default();
    judged(
        ws,
        "A1",
        "一审",
        21,
        "撤销",
        &["judgment_served_date=2024-09-20"],
    );
    decide(ws, "A1", "上诉", false);
    yingsu::engine::advance(ws, "A1", "appealed", &sets(&[]), &actor("2024-10-09"), &r).unwrap();
    let notice = sets(&[
        "case_number=(2024)渝01行终31号",
        "court=cq1zy",
        "notice_date=2024-10-21",
        "head_required=true",
        "hearing_date=2024-11-05",
        "hearing_place=重庆市第一中级人民法院第五审判庭",
        "head_name=李某某",
        "head_post=局长",
    ]);
    yingsu::engine::advance(ws, "A1-二审", "notice", &notice, &actor("2024-10-21"), &r).unwrap();
    let present = sets(&["head_appeared=true", "head_spoke=true"]);
    yingsu::engine::advance(
        ws,
        "A1-二审",
        "appearance",
        &present,
        &actor("2024-11-05"),
        &r,
    )
    .unwrap();
    judged(
        ws,
        "S1",
        "一审",
        22,
        "撤销",
        &["judgment_served_date=2024-09-20"],
    );
    decide(ws, "S1", "不上诉", false);
}

/// The second instance of A1 rejects the claims (the first-instance judgment is reversed).
fn judge_second(ws: &Workspace) {
    let judgment = sets(&[
        "judgment_date=2024-11-20",
        "effective_date=2024-11-20",
        "outcome=驳回诉讼请求",
    ]);
    yingsu::engine::advance(
        ws,
        "A1-二审",
        "judgment",
        &judgment,
        &actor("2024-11-22"),
        &FakeRenderer::default(),
    )
    .unwrap();
}

/// `case show` of each instance names the other with the command that shows it.
#[test]
fn both_instances_show_the_link() {
    let (dir, ws) = workspace();
    let p = dir.path();
    one_appealed_lawsuit(&ws);
    judge_second(&ws);
    let first = ok(p, &["case", "show", "A1"], "2024-12-02");
    assert!(
        first.contains(
            "\n当前步骤：移送二审（appealed）\n二审案件：A1-二审（yingsu case show A1-二审）\n事实：\n"
        ),
        "{first}"
    );
    let second = ok(p, &["case", "show", "A1-二审"], "2024-12-02");
    assert!(
        second.contains(
            "\n当前步骤：裁判（judgment）\n一审案件：A1（yingsu case show A1）\n事实：\n"
        ),
        "{second}"
    );
    assert!(
        second.contains("  1. 2024-09-30T09:00:00+08:00  测试员  上诉（待二审通知）\n"),
        "{second}"
    );
    // A single case shows no link.
    let single = ok(p, &["case", "show", "S1"], "2024-12-02");
    assert!(
        !single.contains("一审案件：") && !single.contains("二审案件："),
        "{single}"
    );
}

/// The case page links the other instance.
#[test]
fn the_case_pages_link_the_other_instance() {
    let (dir, ws) = workspace();
    one_appealed_lawsuit(&ws);
    judge_second(&ws);
    let served = common::http::serve(dir.path());
    let first = served.get(&format!("/case/{}", common::http::enc("A1")));
    assert_eq!(first.status, 200);
    let href = format!("/case/{}", common::http::enc("A1-二审"));
    assert!(
        first.text().contains(&format!(
            "<p class=\"link\">二审案件：<a href=\"{href}\">A1-二审</a></p>"
        )),
        "{}",
        first.text()
    );
    let second = served.get(&href);
    assert_eq!(second.status, 200);
    assert!(
        second
            .text()
            .contains("<p class=\"link\">一审案件：<a href=\"/case/A1\">A1</a></p>"),
        "{}",
        second.text()
    );
}

/// The statistics count the appealed lawsuit once: heard once (at first instance), concluded
/// once by its last judgment (the second instance's 驳回诉讼请求: no loss), each instance's
/// notice counted; the single case S1 is one lawsuit concluded and lost.
#[test]
fn the_statistics_count_the_lawsuit_once() {
    let (dir, ws) = workspace();
    let p = dir.path();
    one_appealed_lawsuit(&ws);
    // While the second instance is pending the lawsuit is not concluded (the first-instance
    // judgment did not take effect): only S1 is.
    let out = ok(p, &["stats", "--year", "2024", "--json"], "2024-12-31");
    let v: Value = serde_json::from_str(&out).unwrap();
    let total = &v["rows"][0];
    assert_eq!(total["scope"], "total", "{out}");
    assert_eq!(
        (&total["heard"], &total["concluded"], &total["losses"]),
        (&json!(2), &json!(1), &json!(1)),
        "{out}"
    );
    judge_second(&ws);
    let out = ok(p, &["stats", "--year", "2024", "--json"], "2024-12-31");
    let v: Value = serde_json::from_str(&out).unwrap();
    let pick = |scope: &str, id: &str| -> Value {
        let r = v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scope"] == scope && r["id"] == id)
            .unwrap_or_else(|| panic!("{scope} {id} not in {out}"))
            .clone();
        json!({
            "notices": r["notices"],
            "notices_appeared": r["notices_appeared"],
            "heard": r["heard"],
            "heard_appeared": r["heard_appeared"],
            "counted": r["counted"],
            "appeared": r["appeared"],
            "pending": r["pending"],
            "concluded": r["concluded"],
            "losses": r["losses"],
            "losses_by": r["losses_by"],
            "rate": r["rate"],
            "loss_rate": r["loss_rate"],
        })
    };
    let want = json!({
        "notices": 3,
        "notices_appeared": 3,
        "heard": 2,
        "heard_appeared": 2,
        "counted": 2,
        "appeared": 2,
        "pending": 0,
        "concluded": 2,
        "losses": 1,
        "losses_by": [["撤销", 1]],
        "rate": "100",
        "loss_rate": "50",
    });
    assert_eq!(pick("agency", "scjgj"), want);
    assert_eq!(pick("total", "total"), want);
}

/// A workflow whose `opens` starts the new case at a step it lacks, or records the new case's
/// id in an undeclared field, is refused where it says so.
#[test]
fn a_wrong_opened_step_or_link_is_named_where_it_is_written() {
    let (dir, _ws) = workspace();
    let p = dir.path();
    let source = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("workflows/appearance.yaml"),
    )
    .unwrap()
    .replace(
        "        step: appeal_filed\n",
        "        step: appeal_filedx\n",
    )
    .replace(
        "        link: second_instance\n",
        "        link: second_instancex\n",
    );
    let line = |text: &str| 1 + source.lines().position(|l| l == text).unwrap();
    let (step_line, link_line) = (
        line("        step: appeal_filedx"),
        line("        link: second_instancex"),
    );
    std::fs::create_dir_all(p.join("workflows")).unwrap();
    std::fs::write(p.join("workflows/appearance.yaml"), &source).unwrap();
    let (code, _, err) = run(p, &["validate"], "2024-09-30");
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!("错误：开启的案件的起始步骤 `appeal_filedx` 不存在\n   --> workflows/appearance.yaml:{step_line}:15\n")),
        "{err}"
    );
    assert!(
        err.contains("= 帮助：可用的步骤：notice、reply、appearance、judgment、appeal_decision、appealed、appeal_filed、loss_review、closed\n"),
        "{err}"
    );
    assert!(
        err.contains(&format!("错误：记录开启案件编号的字段 `second_instancex` 未声明\n   --> workflows/appearance.yaml:{link_line}:15\n")),
        "{err}"
    );
    // Its step is no longer a start: nothing reaches it.
    assert!(
        err.contains("错误：步骤 `appeal_filed` 无法从起始步骤 `notice` 到达\n"),
        "{err}"
    );
}
