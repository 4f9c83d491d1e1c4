//! Supervision statistics: the figures of the 2023 reply letter (2022 vs 2021), the alert rules,
//! period boundaries, several hearings, reconciliation with the court's list, `check --open`,
//! and the statistical documents.

use std::path::Path;
use std::process::Command;

use chrono::{DateTime, NaiveDate};
use serde_json::{Value, json};
use yingsu::engine::{DocRequest, DocumentRenderer};
use yingsu::stats::{Archive, Period, compute};
use yingsu::{Actor, Input, Workspace};

mod common;
use common::archive::{Lit, at, letter_archive, write_lit};

const CONFIG: &str = r#"
region: 重庆市渝北区
issuers:
  sfj: {name: 重庆市渝北区司法局, short: 区司法局, prefix: 渝北司函, prefixes: {文件: 渝北司发}, contact: 饶东, phone: 023-67821277}
  qzf: {name: 重庆市渝北区人民政府, short: 区政府, prefix: 渝北府函}
  dept: {name: 重庆市渝北区某局, prefix: 渝北某函}
agencies:
  qzf: {name: 重庆市渝北区人民政府, short: 区政府, group: government, kind: 区政府, issuer: qzf}
  scjgj: {name: 重庆市渝北区市场监督管理局, short: 区市场监管局, group: departments, kind: 部门, issuer: dept}
  gaj: {name: 重庆市渝北区公安分局, short: 区公安分局, group: departments, kind: 部门, issuer: dept}
  zjj: {name: 重庆市渝北区住房和城乡建设委员会, short: 区住房城乡建委, group: departments, kind: 部门, issuer: dept}
  lljd: {name: 重庆市渝北区两路街道办事处, short: 两路街道, group: departments, kind: 镇街, issuer: dept}
  ylz: {name: 重庆市渝北区玉峰山镇人民政府, short: 玉峰山镇, group: departments, kind: 镇街, issuer: dept}
groups:
  government: {title: 区政府, denominator: notices}
  departments: {title: 区政府部门、镇街, denominator: hearings}
courts:
  ybfy: 重庆市渝北区人民法院
  cq1zy: 重庆市第一中级人民法院
targets:
  floor: 90
  require_full: [major_public_interest, high_concern, mass_incident_risk, procuratorate_suit]
  interview_at_zero: true
  rectify_unjustified: true
deadlines:
  loss_report: {working_days: 15}
  proposal_reply: {months: 3}
  rectification_report: {working_days: 20}
"#;

const DEPARTMENTS: [&str; 5] = ["scjgj", "gaj", "zjj", "lljd", "ylz"];

/// A workspace in a temporary folder.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("yingsu.yaml"), CONFIG).unwrap();
    std::fs::create_dir_all(dir.path().join("cases")).unwrap();
    dir
}

fn d(s: &str) -> NaiveDate {
    yingsu::facts::parse_date(s).unwrap()
}

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("YINGSU_NOW", "2023-04-10T09:00:00+08:00")
        .env("YINGSU_USER", "测试")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn reply_letter_figures_2022() {
    let dir = workspace();
    letter_archive(dir.path(), &DEPARTMENTS);
    let (code, out, err) = yingsu(dir.path(), &["stats", "--year", "2022"]);
    assert_eq!(code, 0, "{err}");
    let line = |name: &str| {
        out.lines()
            .find(|l| l.starts_with("分组") && l.contains(name))
            .unwrap_or_else(|| panic!("{name}:\n{out}"))
            .to_string()
    };
    let gov = line("区政府  ");
    assert!(
        gov.contains("100%") && gov.contains("61.9%") && gov.contains("+38.1"),
        "{gov}"
    );
    let dep = line("区政府部门、镇街");
    assert!(
        dep.contains("94.1%")
            && dep.contains("74.5%")
            && dep.contains("+19.6")
            && dep.contains("7.3%"),
        "{dep}"
    );

    let (code, json, err) = yingsu(dir.path(), &["stats", "--year", "2022", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&json).unwrap();
    let group = |id: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scope"] == "group" && r["id"] == id)
            .unwrap()
            .clone()
    };
    let g = group("government");
    assert_eq!(
        (g["counted"].as_u64(), g["appeared"].as_u64()),
        (Some(26), Some(26))
    );
    assert_eq!(
        (
            g["rate"].as_str(),
            g["change"].as_str(),
            g["losses"].as_u64()
        ),
        (Some("100"), Some("+38.1"), Some(0))
    );
    let g = group("departments");
    assert_eq!(
        (
            g["counted"].as_u64(),
            g["appeared"].as_u64(),
            g["heard"].as_u64()
        ),
        (Some(354), Some(333), Some(354))
    );
    assert_eq!(
        (
            g["rate"].as_str(),
            g["previous_rate"].as_str(),
            g["change"].as_str()
        ),
        (Some("94.1"), Some("74.5"), Some("+19.6"))
    );
    assert_eq!(
        (
            g["concluded"].as_u64(),
            g["losses"].as_u64(),
            g["loss_rate"].as_str()
        ),
        (Some(370), Some(27), Some("7.3"))
    );
    assert_eq!(v["period"]["label"], "2022年度");

    let (code, csv, _) = yingsu(dir.path(), &["stats", "--year", "2022", "--csv"]);
    assert_eq!(code, 0);
    assert!(csv.starts_with("\u{feff}类别,编号,名称,口径"));
    assert!(
        csv.lines().any(|l| l.starts_with(
            "分组,departments,区政府部门、镇街,开庭,0,0,354,333,354,333,94.1,74.5,+19.6,"
        )),
        "{csv}"
    );
}

#[test]
fn document_stats_for_the_reply_letter() {
    let dir = workspace();
    letter_archive(dir.path(), &DEPARTMENTS);
    let ws = Workspace::open(dir.path()).unwrap();
    let mut facts = yingsu::facts::Facts::new();
    let req = |facts: yingsu::facts::Facts| DocRequest {
        case_id: "TA-003".into(),
        workflow: "proposal".into(),
        step: "replied".into(),
        template: "fuhan".into(),
        title: "提案答复函".into(),
        issuer: Some("sfj".into()),
        number: None,
        date: d("2023-05-08"),
        facts,
        history: vec![],
        prepared: None,
        declared: Default::default(),
    };
    assert_eq!(
        yingsu::pipeline::figures(&ws, &req(facts.clone())).unwrap(),
        Value::Null
    );
    // A year with nothing counted: no empty rate — refused, or left out when the clerk says so.
    facts.insert("stats_year".into(), json!(2019));
    let err = yingsu::pipeline::figures(&ws, &req(facts.clone()))
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "错误：2019 年度区政府、区政府部门、镇街没有计入出庭应诉率的案件，统计段落写不出出庭应诉率\n = 帮助：请核对统计年度（stats_year）和档案；确实没有案件、不写该段时，设 stats_empty=省略\n"
    );
    facts.insert("stats_empty".into(), json!("省略"));
    let v = yingsu::pipeline::figures(&ws, &req(facts.clone())).unwrap();
    assert_eq!(v["groups"], json!([]));
    facts.remove("stats_empty");
    facts.insert("stats_year".into(), json!(2022));
    let v = yingsu::pipeline::figures(&ws, &req(facts)).unwrap();
    assert_eq!(v["year"], 2022);
    let g = &v["groups"];
    // In the order yingsu.yaml lists the groups (the reference letter's order).
    assert_eq!(g[0]["id"], "government");
    assert_eq!(g[1]["id"], "departments");
    assert_eq!(g[0]["denominator"], "notices");
    assert_eq!(
        (
            g[0]["counted"].as_u64(),
            g[0]["appeared"].as_u64(),
            g[0]["rate"].as_str(),
            g[0]["change"].as_str()
        ),
        (Some(26), Some(26), Some("100"), Some("+38.1"))
    );
    assert_eq!(
        (
            g[1]["rate"].as_str(),
            g[1]["change"].as_str(),
            g[1]["concluded"].as_u64(),
            g[1]["losses"].as_u64(),
            g[1]["loss_rate"].as_str()
        ),
        (
            Some("94.1"),
            Some("+19.6"),
            Some(370),
            Some(27),
            Some("7.3")
        )
    );
}

fn figures(ws: &Workspace, p: &str, scope: &str, id: &str) -> yingsu::stats::Counts {
    let a = Archive::load(ws).unwrap();
    let s = compute(ws, &a, &Period::parse(p).unwrap()).unwrap();
    s.rows
        .iter()
        .find(|r| r.scope == scope && r.id == id)
        .unwrap()
        .counts
        .clone()
}

#[test]
fn period_boundaries_31_march_and_1_april() {
    let dir = workspace();
    let lit = |n: &str, notice: &str, hearing: &str, judgment: &str| Lit {
        agency: "scjgj",
        number: n.into(),
        notice: notice.into(),
        head_required: true,
        hearings: vec![(hearing.into(), true, Some(true), None)],
        judgment: Some((judgment.into(), "撤销")),
        ..Default::default()
    };
    write_lit(
        dir.path(),
        "A",
        &lit(
            "(2023)渝0112行初1号",
            "2023-03-31",
            "2023-03-31",
            "2023-03-31",
        ),
    );
    write_lit(
        dir.path(),
        "B",
        &lit(
            "(2023)渝0112行初2号",
            "2023-04-01",
            "2023-04-01",
            "2023-04-01",
        ),
    );
    let ws = Workspace::open(dir.path()).unwrap();
    for (p, n) in [
        ("2023Q1", 1),
        ("2023Q2", 1),
        ("2023-03", 1),
        ("2023-04", 1),
        ("2023", 2),
        ("2023-02", 0),
    ] {
        let c = figures(&ws, p, "agency", "scjgj");
        assert_eq!(
            (c.heard, c.notices, c.concluded, c.losses),
            (n, n, n, n),
            "{p}"
        );
    }
    let (_, out, _) = yingsu(
        dir.path(),
        &[
            "stats",
            "--from",
            "2023-03-31",
            "--to",
            "2023-03-31",
            "--json",
        ],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["rows"][0]["heard"], 1);
    assert_eq!(v["period"]["code"], "20230331-20230331");
}

#[test]
fn several_hearings_count_once_per_level() {
    let dir = workspace();
    // Absent at the first hearing (31 March), present at the second (10 April): one case heard, in Q1,
    // and appeared (SPC rules art. 7).
    write_lit(
        dir.path(),
        "M1",
        &Lit {
            agency: "gaj",
            number: "(2023)渝0112行初10号".into(),
            notice: "2023-03-01".into(),
            hearings: vec![
                (
                    "2023-03-31".into(),
                    false,
                    None,
                    Some("其他正当事由".into()),
                ),
                ("2023-04-10".into(), true, Some(false), None),
            ],
            ..Default::default()
        },
    );
    // Two hearings, the head at both: still one case, one appearance.
    write_lit(
        dir.path(),
        "M2",
        &Lit {
            agency: "gaj",
            number: "(2023)渝0112行初11号".into(),
            notice: "2023-01-05".into(),
            hearings: vec![
                ("2023-02-01".into(), true, Some(true), None),
                ("2023-03-01".into(), true, Some(true), None),
            ],
            ..Default::default()
        },
    );
    // The appeal of M2 is a new level: a new duty, but not a first-instance case.
    write_lit(
        dir.path(),
        "M2-二审",
        &Lit {
            agency: "gaj",
            number: "(2023)渝01行终5号".into(),
            level: "二审",
            notice: "2023-03-10".into(),
            hearings: vec![("2023-03-20".into(), true, Some(true), None)],
            ..Default::default()
        },
    );
    let ws = Workspace::open(dir.path()).unwrap();
    let q1 = figures(&ws, "2023Q1", "agency", "gaj");
    assert_eq!(
        (
            q1.heard,
            q1.heard_appeared,
            q1.counted,
            q1.appeared,
            q1.silent
        ),
        (2, 2, 2, 2, 1)
    );
    let q2 = figures(&ws, "2023Q2", "agency", "gaj");
    assert_eq!((q2.heard, q2.counted), (0, 0));
    let a = Archive::load(&ws).unwrap();
    let m1 = a.records.iter().find(|r| r.id == "M1").unwrap();
    assert_eq!(m1.hearings.len(), 2);
    assert_eq!(m1.hearings[1].date, Some(d("2023-04-10")));
}

struct Noop;
impl DocumentRenderer for Noop {
    fn render(&self, _ws: &Workspace, _req: &DocRequest) -> yingsu::Result<Vec<u8>> {
        Ok(b"%PDF-1.7 noop".to_vec())
    }
}

fn actor(date: &str) -> Actor {
    Actor {
        who: "测试".into(),
        now: DateTime::parse_from_rfc3339(&at(date)).unwrap(),
    }
}

fn sets(v: &[&str]) -> Input {
    Input {
        sets: v.iter().map(|s| s.to_string()).collect(),
        from: None,
        again: false,
    }
}

/// A case through the engine: notice, one hearing.
fn engine_case(
    ws: &Workspace,
    id: &str,
    agency: &str,
    hearing: &str,
    appeared: bool,
    reason: Option<&str>,
    flag: Option<&str>,
) {
    let mut s = vec![
        format!("case_number=(2023)渝0112行初{}号", seq_of(id)),
        "court=ybfy".into(),
        "cause=行政处罚".into(),
        "level=一审".into(),
        "plaintiffs=张某".into(),
        format!("agency={agency}"),
        "notice_date=2023-01-10".into(),
        "head_required=false".into(),
        format!("hearing_date={hearing}"),
        "hearing_place=区法院第三审判庭".into(),
        "head_name=李某".into(),
        "head_post=副局长".into(),
    ];
    if let Some(f) = flag {
        s.push(format!("{f}=true"));
    }
    let s: Vec<&str> = s.iter().map(|x| x.as_str()).collect();
    yingsu::engine::new_case(ws, "appearance", id, &sets(&s), &actor("2023-01-10"), &Noop).unwrap();
    let mut a = vec![format!("head_appeared={appeared}")];
    if let Some(r) = reason {
        a.push(format!("absence_reason={r}"));
        a.push("absence_account=另有公务".into());
        a.push(format!("absence_note_date={hearing}"));
        a.push("delegates=张明，法制科科长".into());
    } else {
        a.push("head_spoke=true".into());
    }
    let a: Vec<&str> = a.iter().map(|x| x.as_str()).collect();
    yingsu::engine::advance(ws, id, "appearance", &sets(&a), &actor(hearing), &Noop).unwrap();
}

/// scjgj 8/10 (floor), gaj 0/2 (zero), zjj 9/10 with an absent flagged case (full), lljd an
/// unjustified absence the workflow already opened a case for, ylz one without (unjustified).
fn alerts_workspace() -> tempfile::TempDir {
    let dir = workspace();
    let ws = Workspace::open(dir.path()).unwrap();
    for i in 0..10 {
        engine_case(
            &ws,
            &format!("S{i}"),
            "scjgj",
            "2023-02-01",
            i < 8,
            (i >= 8).then_some("其他正当事由"),
            None,
        );
        engine_case(
            &ws,
            &format!("Z{i}"),
            "zjj",
            "2023-02-02",
            i < 9,
            (i >= 9).then_some("不可抗力"),
            (i == 9).then_some("major_public_interest"),
        );
    }
    for i in 0..2 {
        engine_case(
            &ws,
            &format!("G{i}"),
            "gaj",
            "2023-03-01",
            false,
            Some("需要履行他人不能代替的公务"),
            None,
        );
    }
    engine_case(
        &ws,
        "L1",
        "lljd",
        "2023-03-15",
        false,
        Some("无正当理由"),
        None,
    );
    // Ten appearances keep lljd above the floor (10/11 = 90.9%).
    for i in 0..10 {
        engine_case(
            &ws,
            &format!("L{}", i + 2),
            "lljd",
            "2023-03-16",
            true,
            None,
            None,
        );
    }
    assert!(
        yingsu::engine::case_path(&ws, "L1-整改").is_ok(),
        "the workflow opens its own rectification case"
    );
    write_lit(
        dir.path(),
        "Y1",
        &Lit {
            agency: "ylz",
            number: "(2023)渝0112行初900号".into(),
            notice: "2023-02-01".into(),
            hearings: vec![("2023-02-20".into(), false, None, Some("无正当理由".into()))],
            ..Default::default()
        },
    );
    // Outside the quarter: ignored.
    write_lit(
        dir.path(),
        "Y2",
        &Lit {
            agency: "ylz",
            number: "(2023)渝0112行初901号".into(),
            notice: "2023-04-01".into(),
            hearings: vec![("2023-04-03".into(), false, None, Some("无正当理由".into()))],
            ..Default::default()
        },
    );
    dir
}

#[test]
fn alert_rules() {
    let dir = alerts_workspace();
    let ws = Workspace::open(dir.path()).unwrap();
    let a = Archive::load(&ws).unwrap();
    let b = yingsu::stats::check(&ws, &a, &Period::parse("2023Q1").unwrap()).unwrap();
    let got: Vec<(String, &str, String, Vec<String>)> = b
        .iter()
        .map(|b| {
            (
                b.agency.clone(),
                b.rule.slug(),
                b.rect_id.clone(),
                b.covered_by.clone(),
            )
        })
        .collect();
    let none: Vec<String> = vec![];
    assert_eq!(
        got,
        // In the order yingsu.yaml lists the units, not by the spelling of their ids.
        vec![
            (
                "scjgj".into(),
                "floor",
                "ZG-2023Q1-scjgj-floor".into(),
                none.clone()
            ),
            (
                "gaj".into(),
                "zero",
                "ZG-2023Q1-gaj-zero".into(),
                none.clone()
            ),
            (
                "zjj".into(),
                "full",
                "ZG-2023Q1-zjj-full".into(),
                none.clone()
            ),
            (
                "lljd".into(),
                "unjustified",
                "L1-整改".into(),
                vec!["L1-整改".to_string()]
            ),
            (
                "ylz".into(),
                "zero",
                "ZG-2023Q1-ylz-zero".into(),
                none.clone()
            ),
            (
                "ylz".into(),
                "unjustified",
                "ZG-2023Q1-ylz-unjustified".into(),
                none
            ),
        ]
    );
    let floor = b.iter().find(|b| b.rule.slug() == "floor").unwrap();
    assert!(
        floor.detail.contains("出庭应诉率为80%，低于90%"),
        "{}",
        floor.detail
    );
    assert_eq!(floor.cases.len(), 2);
    let full = b.iter().find(|b| b.rule.slug() == "full").unwrap();
    assert!(
        full.detail.contains(&format!(
            "（2023）渝0112行初{}号（涉及重大公共利益）",
            seq_of("Z9")
        )),
        "{}",
        full.detail
    );
}

#[test]
fn alert_settings_switch_rules_off() {
    let dir = alerts_workspace();
    let cfg = CONFIG
        .replace("interview_at_zero: true", "interview_at_zero: false")
        .replace("rectify_unjustified: true", "rectify_unjustified: false");
    std::fs::write(dir.path().join("yingsu.yaml"), cfg).unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let a = Archive::load(&ws).unwrap();
    let b = yingsu::stats::check(&ws, &a, &Period::parse("2023Q1").unwrap()).unwrap();
    let rules: Vec<(&str, &str)> = b
        .iter()
        .map(|b| (b.agency.as_str(), b.rule.slug()))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("scjgj", "floor"),
            ("gaj", "floor"),
            ("zjj", "full"),
            ("ylz", "floor")
        ]
    );
}

#[test]
fn check_open_creates_rectifications_once() {
    let dir = alerts_workspace();
    let (code, out, err) = yingsu(dir.path(), &["check", "--period", "2023Q1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("未开启（ZG-2023Q1-scjgj-floor）"), "{out}");
    assert!(out.contains("已整改案件 L1-整改"), "{out}");
    let (code, out, err) = yingsu(
        dir.path(),
        &[
            "check",
            "--period",
            "2023Q1",
            "--open",
            "--yes",
            "--interview-time",
            "2023年4月20日上午9时",
            "--interview-place",
            "区司法局会议室",
        ],
    );
    assert_eq!(code, 0, "{out}\n{err}");
    assert!(out.contains("本次开启 5 项"), "{out}");
    let ws = Workspace::open(dir.path()).unwrap();
    for id in [
        "ZG-2023Q1-scjgj-floor",
        "ZG-2023Q1-gaj-zero",
        "ZG-2023Q1-ylz-zero",
        "ZG-2023Q1-ylz-unjustified",
        "ZG-2023Q1-zjj-full",
    ] {
        let view_c = yingsu::engine::load_case(&ws, id).unwrap();
        let c = &view_c.case;
        let f = view_c.facts();
        assert_eq!(c.workflow.value, "rectification");
        assert_eq!(f["period"], "2023年第一季度");
        let docs: Vec<&str> = c.history[0]
            .documents
            .iter()
            .map(|d| d.template.as_str())
            .collect();
        for doc in &c.history[0].documents {
            let pdf = std::fs::read(dir.path().join(&doc.file)).unwrap();
            assert!(pdf.starts_with(b"%PDF"), "{}", doc.file);
        }
        if id.ends_with("zero") {
            assert_eq!(f["interview"], true);
            assert_eq!(f["interview_place"], "区司法局会议室");
            assert_eq!(docs, vec!["zhenggai", "yuetan"]);
        } else {
            assert_eq!(docs, vec!["zhenggai"]);
        }
    }
    let c = yingsu::engine::load_case(&ws, "ZG-2023Q1-ylz-unjustified").unwrap();
    assert_eq!(
        c.facts()["source_cases"],
        json!(["（2023）渝0112行初900号"])
    );
    assert!(
        yingsu::engine::case_path(&ws, "ZG-2023Q1-lljd-unjustified").is_err(),
        "covered by L1-整改"
    );
    let before = yingsu::engine::case_files(&ws).unwrap().len();
    let (code, out, _) = yingsu(
        dir.path(),
        &["check", "--period", "2023Q1", "--open", "--yes"],
    );
    assert_eq!(code, 0);
    assert!(out.contains("本次开启 0 项"), "{out}");
    assert_eq!(
        yingsu::engine::case_files(&Workspace::open(dir.path()).unwrap())
            .unwrap()
            .len(),
        before
    );
}

#[test]
fn reconcile_reports_every_difference() {
    let dir = workspace();
    let lit = |n: u32, notice: &str, hearing: &str, appeared: bool| Lit {
        agency: "scjgj",
        number: format!("(2023)渝0112行初{n}号"),
        notice: notice.into(),
        head_required: true,
        hearings: vec![(
            hearing.into(),
            appeared,
            Some(true),
            (!appeared).then(|| "其他正当事由".into()),
        )],
        ..Default::default()
    };
    write_lit(dir.path(), "R1", &lit(1, "2023-01-05", "2023-01-20", true)); // matches
    write_lit(dir.path(), "R2", &lit(2, "2023-01-06", "2023-01-21", true)); // hearing date differs
    write_lit(dir.path(), "R3", &lit(3, "2023-01-07", "2023-01-22", true)); // appearance differs
    write_lit(dir.path(), "R4", &lit(4, "2023-01-08", "2023-01-23", true)); // not in the court's list
    write_lit(dir.path(), "R6", &lit(6, "2023-02-01", "2023-02-10", true)); // notice date differs
    let csv = "\u{feff}案号,收到通知日期,开庭日期,负责人是否出庭\r\n\
               （2023）渝0112行初1号,2023-01-05,2023-01-20,是\r\n\
               (2023)渝0112行初2号,2023-01-06,2023-01-25,是\r\n\
               (2023)渝0112行初3号,2023-01-07,2023-01-22,否\r\n\
               (2023)渝0112行初5号,2023-01-09,2023-01-24,是\r\n\
               (2023)渝0112行初6号,2023-02-02,2023-02-10,是\r\n\
               (2023)渝0112行初7号,2023-02-30,2023-02-10,是\r\n\
               (2023)渝0112行初8号,2023-02-01\r\n";
    std::fs::write(dir.path().join("court.csv"), csv).unwrap();
    let court = dir.path().join("court.csv");
    let (code, out, err) = yingsu(dir.path(), &["reconcile", court.to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("发现 6 处差异、2 行无法识别"), "{err}");
    for want in [
        "（2023）渝0112行初2号  档案中没有该次开庭",
        "（2023）渝0112行初2号  法院清单中没有该次开庭",
        "（2023）渝0112行初3号  2023-01-22负责人出庭情况不一致  未出庭",
        // A case only on the court's list is named as the court wrote it.
        "(2023)渝0112行初5号    档案中没有",
        "（2023）渝0112行初4号  法院清单中没有",
        "（2023）渝0112行初6号  收到通知日期不一致",
        "court.csv:7：收到通知日期 `2023-02-30` 无效",
        "court.csv:8：应有 4 列",
    ] {
        assert!(out.contains(want), "missing {want}:\n{out}");
    }
    assert!(!out.contains("行初1号"), "{out}");
    // A list that agrees (no header, LF, 出庭/否 spelled variously): exit 0.
    let ok = dir.path().join("ok.csv");
    std::fs::write(
        &ok,
        "(2023)渝0112行初1号,2023-01-05,2023-01-20,出庭\n\
                         (2023)渝0112行初2号,2023-01-06,2023-01-21,是\n\
                         \"(2023)渝0112行初3号\",2023年1月7日,2023-01-22,Y\n\
                         (2023)渝0112行初4号,2023-01-08,2023-01-23,1\n\
                         (2023)渝0112行初6号,2023-02-01,2023-02-10,是\n",
    )
    .unwrap();
    let (code, out, err) = yingsu(
        dir.path(),
        &["reconcile", ok.to_str().unwrap(), "--period", "2023-01"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("档案 4 件"), "{out}");
    let (code, out, err) = yingsu(dir.path(), &["reconcile", ok.to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("法院清单与档案一致"), "{out}");
}

#[test]
fn stats_table_is_aligned_and_errors_are_chinese() {
    let dir = alerts_workspace();
    let (code, out, _) = yingsu(dir.path(), &["stats", "--quarter", "2023Q1"]);
    assert_eq!(code, 0);
    let table: Vec<&str> = out.lines().skip(2).take_while(|l| !l.is_empty()).collect();
    let col = |l: &str| {
        let i = l
            .find("口径")
            .or_else(|| l.find("开庭"))
            .or_else(|| l.find("通知"))
            .or_else(|| l.find("混合"))
            .unwrap();
        yingsu::error::str_width(&l[..i])
    };
    let w0 = col(table[0]);
    assert!(table.iter().all(|l| col(l) == w0), "{out}");
    assert!(out.contains("区市场监管局 ▲"), "{out}");
    let (code, _, err) = yingsu(dir.path(), &["stats", "--period", "2023Q5"]);
    assert_eq!(code, 1);
    assert!(err.contains("统计期间 `2023Q5` 无法识别"), "{err}");
}

#[test]
fn reports_are_rendered_into_the_archive() {
    let dir = alerts_workspace();
    let (code, out, err) = yingsu(
        dir.path(),
        &[
            "report", "monthly", "--agency", "scjgj", "--month", "2023-02",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let pdf = std::fs::read(
        dir.path()
            .join("archive/reports/2023/monthly-2023-02-scjgj.pdf"),
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    let (code, out, err) = yingsu(dir.path(), &["report", "bulletin", "--quarter", "2023Q1"]);
    assert_eq!(code, 0, "{out}{err}");
    // A 文件 (the bulletin) is numbered apart from the 函 (the workflow's own 整改通知书).
    assert!(out.contains("（渝北司发〔2023〕1号）"), "{out}");
    let pdf = std::fs::read(dir.path().join("archive/reports/2023/bulletin-2023Q1.pdf")).unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    // Rendering again keeps the number, also when it is re-issued in a later year.
    let (_, out, _) = yingsu(dir.path(), &["report", "bulletin", "--quarter", "2023Q1"]);
    assert!(out.contains("（渝北司发〔2023〕1号）"), "{out}");
    let (_, out, err) = yingsu(
        dir.path(),
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q1",
            "--date",
            "2026-03-02",
            "--reissue",
        ],
    );
    assert!(out.contains("已重新印发"), "{out}{err}");
    assert!(out.contains("（渝北司发〔2023〕1号）"), "{out}{err}");
    assert!(
        !dir.path()
            .join("archive/numbers/渝北司发-2026.tsv")
            .exists()
    );
    let reg =
        std::fs::read_to_string(dir.path().join("archive/numbers/渝北司发-2023.tsv")).unwrap();
    assert_eq!(
        reg.lines()
            .filter(|l| l.contains("bulletin#2023Q1"))
            .count(),
        1
    );
    let (code, _, err) = yingsu(
        dir.path(),
        &[
            "report", "monthly", "--agency", "nope", "--month", "2023-02",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("单位 `nope` 不在 yingsu.yaml 的 agencies 中"),
        "{err}"
    );
}

/// A case's sequence number in its 案号, from its id (letters as their place in the alphabet
/// plus 10, digits as they are): distinct ids, distinct 案号.
fn seq_of(id: &str) -> String {
    id.chars()
        .map(|c| match c {
            '0'..='9' => c.to_string(),
            _ => (u32::from(c) % 1000 + 10).to_string(),
        })
        .collect()
}

/// A city bureau reads its districts' workspaces side by side: one row per workspace (its own
/// total) and their sum, rates computed from the summed counts; the same with `members:` in the
/// city's own `yingsu.yaml`; a folder that is not a workspace is named.
#[test]
fn several_workspaces_are_summed() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = |name: &str, region: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_yingsu"))
            .arg("demo")
            .arg(tmp.path().join(name))
            .output()
            .unwrap();
        assert!(out.status.success());
        let cfg = tmp.path().join(name).join("yingsu.yaml");
        let text = std::fs::read_to_string(&cfg).unwrap();
        std::fs::write(
            &cfg,
            text.replace("region: 重庆市渝北区", &format!("region: {region}")),
        )
        .unwrap();
    };
    demo("yubei", "重庆市渝北区");
    demo("jiangbei", "重庆市江北区");
    let city = tmp.path();
    let one = |dir: &str| {
        let (code, out, err) = yingsu(&city.join(dir), &["stats", "--year", "2023", "--json"]);
        assert_eq!(code, 0, "{err}");
        let v: Value = serde_json::from_str(&out).unwrap();
        v["rows"][0].clone()
    };
    let total = one("yubei");
    let (code, out, err) = yingsu(
        city,
        &[
            "stats",
            "--year",
            "2023",
            "--json",
            "--workspace",
            "yubei",
            "--workspace",
            "jiangbei",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0]["name"], "重庆市渝北区");
    assert_eq!(rows[1]["name"], "重庆市江北区");
    assert_eq!(rows[2]["name"], "合计");
    let n = |r: &Value, k: &str| r[k].as_u64().unwrap();
    for k in [
        "counted",
        "appeared",
        "concluded",
        "losses",
        "notices",
        "heard",
    ] {
        assert_eq!(n(&rows[0], k), n(&total, k), "{k}");
        assert_eq!(n(&rows[2], k), 2 * n(&total, k), "{k}");
    }
    assert_eq!(rows[2]["rate"], total["rate"]);
    assert!(n(&total, "counted") > 0);

    // The table, and `members:` in the city's own workspace.
    let (code, table, err) = yingsu(
        city,
        &[
            "stats",
            "--year",
            "2023",
            "--workspace",
            "yubei",
            "--workspace",
            "jiangbei",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(table.contains("2 个工作区"), "{table}");
    let cityws = city.join("city");
    yingsu::workspace::init(&cityws).unwrap();
    let cfg = cityws.join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(&cfg, format!("{text}\nmembers: [../yubei, ../jiangbei]\n")).unwrap();
    let (code, out, err) = yingsu(&cityws, &["stats", "--year", "2023"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, table);
    // The same workspace named twice would count twice: refused.
    let (code, _, err) = yingsu(
        city,
        &[
            "stats",
            "--year",
            "2023",
            "--workspace",
            "yubei",
            "--workspace",
            "./yubei/",
        ],
    );
    assert_eq!(code, 1, "{err}");
    let city_shown = city.display().to_string();
    assert_eq!(
        err,
        format!(
            "错误：工作区 {city_shown}/./yubei/ 与 {city_shown}/yubei 是同一个目录，汇总时会被计算两次\n = 帮助：--workspace 和 yingsu.yaml 的 members 中每个工作区只写一次\n"
        )
    );

    // `status` lists every workspace's cases, each row named by its workspace.
    let (_, single, _) = yingsu(&city.join("yubei"), &["status"]);
    let n = single.lines().rfind(|l| l.starts_with("共 ")).unwrap();
    let n: usize = n
        .trim_start_matches("共 ")
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let (code, out, err) = yingsu(&cityws, &["status"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("工作区"), "{out}");
    assert!(out.contains(&format!("共 {} 件，", 2 * n)), "{out}");
    assert!(out.contains("（2 个工作区）。"), "{out}");
    assert_eq!(
        out.lines()
            .filter(|l| l.starts_with("重庆市江北区"))
            .count(),
        n,
        "{out}"
    );
    let (code, _, err) = yingsu(&cityws, &["status", "--ics", "x.ics"]);
    assert_eq!(code, 1);
    assert!(err.contains("汇总多个工作区时不写日历文件"), "{err}");

    // `check` finds each workspace's breaches; opening rectifications stays with each one.
    let (_, single, _) = yingsu(
        &city.join("yubei"),
        &["check", "--period", "2023Q1", "--json"],
    );
    let single: Value = serde_json::from_str(&single).unwrap();
    let k = single["breaches"].as_array().unwrap().len();
    assert!(k > 0);
    let (code, out, err) = yingsu(&cityws, &["check", "--period", "2023Q1", "--json"]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let ws = v["workspaces"].as_array().unwrap();
    assert_eq!(ws.len(), 2);
    assert!(
        ws.iter()
            .all(|w| w["breaches"].as_array().unwrap().len() == k)
    );
    let (code, _, err) = yingsu(&cityws, &["check", "--open"]);
    assert_eq!(code, 1);
    assert!(err.contains("汇总多个工作区时不开启整改案件"), "{err}");

    let (code, _, err) = yingsu(city, &["stats", "--workspace", "nowhere"]);
    assert_eq!(code, 1);
    assert!(
        err.contains("nowhere 不是 yingsu 工作区（找不到 yingsu.yaml）"),
        "{err}"
    );
}
