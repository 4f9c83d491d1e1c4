//! Every figure true: `check` never accuses on a hearing not yet held, `check --open` shows what
//! it would open and writes only with `--yes`, the units are listed in the configured order with
//! one name form, and every figure the demo's documents state (read from the frozen `.json`
//! records beside their PDFs) equals what `yingsu stats` / `yingsu check` say on that day.

use std::path::Path;

use serde_json::Value;
use yingsu::engine::{DocRequest, DocumentRenderer};
use yingsu::{Actor, Input, Workspace};

mod common;
use common::run_env;

const CONFIG: &str = r#"region: 重庆市渝北区
issuers:
  sfj: {name: 重庆市渝北区司法局, short: 区司法局, prefix: 渝北司函, prefixes: {文件: 渝北司发}, contact: 饶东, phone: 023-67821277}
  qzf: {name: 重庆市渝北区人民政府, short: 区政府, prefix: 渝北府函}
  dept: {name: 重庆市渝北区某局, prefix: 渝北某函}
agencies:
  qzf: {name: 重庆市渝北区人民政府, short: 区政府, group: government, kind: 区政府, issuer: qzf}
  bm2: {name: 重庆市渝北区教育委员会, short: 区教委, group: departments, kind: 部门, issuer: dept}
  bm11: {name: 重庆市渝北区公安分局, short: 区公安分局, group: departments, kind: 部门, issuer: dept}
  bm10: {name: 重庆市渝北区民政局, short: 区民政局, group: departments, kind: 部门, issuer: dept}
  bm100: {name: 重庆市渝北区财政局, short: 区财政局, group: departments, kind: 部门, issuer: dept}
  bm101: {name: 重庆市渝北区人力资源和社会保障局, short: 区人力社保局, group: departments, kind: 部门, issuer: dept}
  bm3: {name: 重庆市渝北区规划和自然资源局, short: 区规划自然资源局, group: departments, kind: 部门, issuer: dept}
  bm1: {name: 重庆市渝北区生态环境局, short: 区生态环境局, group: departments, kind: 部门, issuer: dept}
  az: {name: 重庆市渝北区龙溪街道办事处, short: 龙溪街道, group: towns, kind: 镇街, issuer: dept}
  a1: {name: 重庆市渝北区木耳镇人民政府, short: 木耳镇, group: towns, kind: 镇街, issuer: dept}
  a10: {name: 重庆市渝北区两路街道办事处, short: 两路街道, group: towns, kind: 镇街, issuer: dept}
  a2: {name: 重庆市渝北区玉峰山镇人民政府, short: 玉峰山镇, group: towns, kind: 镇街, issuer: dept}
groups:
  government: {title: 区政府, denominator: notices}
  departments: {title: 区政府部门, denominator: hearings}
  towns: {title: 镇街, denominator: hearings}
courts:
  ybfy: 重庆市渝北区人民法院
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

/// The configured order of the agencies above (ids that sort otherwise: bm10 < bm100 < bm101 <
/// bm11 < bm2, and a1 < a10 < a2 < az before every bm).
const ORDER: [&str; 12] = [
    "qzf", "bm2", "bm11", "bm10", "bm100", "bm101", "bm3", "bm1", "az", "a1", "a10", "a2",
];

/// A renderer that makes no PDF; what the template would receive is frozen as usual.
struct Noop;
impl DocumentRenderer for Noop {
    fn render(&self, _ws: &Workspace, _req: &DocRequest) -> yingsu::Result<Vec<u8>> {
        Ok(b"%PDF-1.7 noop".to_vec())
    }
    fn data(&self, _ws: &Workspace, req: &DocRequest) -> yingsu::Result<Value> {
        Ok(req
            .prepared
            .as_ref()
            .map(|p| p.data.clone())
            .unwrap_or(Value::Null))
    }
}

fn actor(date: &str) -> Actor {
    common::actor(date)
}

fn input(v: &[String]) -> Input {
    Input {
        sets: v.to_vec(),
        from: None,
        again: false,
    }
}

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("yingsu.yaml"), CONFIG).unwrap();
    dir
}

/// A notice through the engine: case `id` of `agency`, notice on `notice`, hearing set for
/// `hearing`, the court asking for the head (`required`).
fn notice(ws: &Workspace, id: &str, n: u32, agency: &str, notice: &str, hearing: &str) {
    let s: Vec<String> = vec![
        format!("case_number=(2026)渝0112行初{n}号"),
        "court=ybfy".into(),
        "cause=行政处罚".into(),
        "level=一审".into(),
        "plaintiffs=张某".into(),
        format!("agency={agency}"),
        format!("notice_date={notice}"),
        "head_required=true".into(),
        format!("hearing_date={hearing}"),
        "hearing_place=区法院第三审判庭".into(),
        "head_name=李某".into(),
        "head_post=副局长".into(),
    ];
    yingsu::engine::new_case(ws, "appearance", id, &input(&s), &actor(notice), &Noop).unwrap();
}

/// The hearing of case `id` on `date`: the head appeared, or not (with a valid reason).
fn hearing(ws: &Workspace, id: &str, date: &str, appeared: bool) {
    let mut s = vec![format!("head_appeared={appeared}")];
    if appeared {
        s.push("head_spoke=true".into());
    } else {
        s.push("absence_reason=需要履行他人不能代替的公务".into());
        s.push("absence_account=参加全区防汛调度会".into());
        s.push(format!("absence_note_date={date}"));
        s.push("delegates=张明，法制科科长".into());
    }
    yingsu::engine::advance(ws, id, "appearance", &input(&s), &actor(date), &Noop).unwrap();
}

/// The hearing of case `id` on `date` did not take place (延期开庭).
fn adjourned(ws: &Workspace, id: &str, date: &str) {
    let s = vec!["hearing_adjourned=true".to_string()];
    yingsu::engine::advance(ws, id, "appearance", &input(&s), &actor(date), &Noop).unwrap();
}

fn now(date: &str) -> String {
    format!("{date}T09:00:00+08:00")
}

/// The archive of the pending/held/adjourned tests (as of 2026-03-10): 区政府 has one notice
/// heard (the head appeared) and one whose hearing is next week; 区教委 one hearing held without
/// the head, one adjourned and one recorded ahead for 2026-03-20 (the head will be absent);
/// 区公安分局 only a hearing adjourned.
fn hearings_workspace() -> tempfile::TempDir {
    let dir = workspace();
    let ws = Workspace::open(dir.path()).unwrap();
    notice(&ws, "G1", 1, "qzf", "2026-01-05", "2026-01-20");
    hearing(&ws, "G1", "2026-01-20", true);
    // Heard next week (as of 2026-03-10): no appearance step yet.
    notice(&ws, "G2", 2, "qzf", "2026-03-02", "2026-03-17");
    notice(&ws, "E1", 3, "bm2", "2026-01-06", "2026-01-21");
    hearing(&ws, "E1", "2026-01-21", false);
    notice(&ws, "E2", 4, "bm2", "2026-02-02", "2026-02-16");
    adjourned(&ws, "E2", "2026-02-16");
    notice(&ws, "P1", 5, "bm11", "2026-02-03", "2026-02-17");
    adjourned(&ws, "P1", "2026-02-17");
    // Recorded ahead: the head will not appear at the hearing of 2026-03-20.
    notice(&ws, "E3", 6, "bm2", "2026-03-02", "2026-03-20");
    hearing(&ws, "E3", "2026-03-20", false);
    dir
}

#[test]
fn check_counts_only_hearings_held() {
    let dir = hearings_workspace();
    let (code, out, err) = run_env(
        dir.path(),
        &["check", "--year", "2026"],
        &now("2026-03-10"),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "2026年度（2026-01-01 至 2026-12-31）考核检查\n\
另有 4 件案件尚未开庭（开庭日期在 2026-03-10 之后、延期开庭或尚未记录出庭情况），未计入出庭率，也不视为负责人未出庭。\n\
情形                单位                    查明的事实                                                                                                                          整改案件\n\
出庭率为零（约谈）  重庆市渝北区教育委员会  2026年度，重庆市渝北区教育委员会开庭审理的一审行政诉讼案件1件，行政机关负责人出庭应诉0件，出庭应诉率为0。另有2件尚未开庭，未计入。  未开启（ZG-2026-bm2-zero）\n\
共 1 项，其中已有整改案件 0 项，本次开启 0 项，尚未开启 1 项。\n\
用 `yingsu check --open` 查看将要开启的督查整改案件，核对后加 --yes 开启（不会重复开启）。\n"
    );
    // The government's hearing of next week has passed, still unrecorded: not a hearing
    // without the head either.
    let (code, later, err) = run_env(
        dir.path(),
        &["check", "--year", "2026"],
        &now("2026-04-01"),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(!later.contains("区人民政府"), "{later}");
    assert!(!later.contains("公安分局"), "{later}");
    // Recorded as held without the head, it counts: 1 of 2.
    let ws = Workspace::open(dir.path()).unwrap();
    hearing(&ws, "G2", "2026-03-17", false);
    let (code, held, err) = run_env(
        dir.path(),
        &["check", "--year", "2026"],
        &now("2026-04-01"),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        held.contains("2026年度，重庆市渝北区人民政府法院通知负责人出庭应诉并已开庭审理的案件2件，行政机关负责人出庭应诉1件，出庭应诉率为50%，低于90%。"),
        "{held}"
    );
}

#[test]
fn stats_say_how_many_are_pending() {
    let dir = hearings_workspace();
    let (code, out, err) = run_env(
        dir.path(),
        &["stats", "--year", "2026"],
        &now("2026-03-10"),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("\n另有 4 件案件尚未开庭（开庭日期在 2026-03-10 之后、延期开庭或尚未记录出庭情况），未计入出庭率，也不视为负责人未出庭。\n"),
        "{out}"
    );
    let (_, json, _) = run_env(
        dir.path(),
        &["stats", "--year", "2026", "--json"],
        &now("2026-03-10"),
        &[],
    );
    let v: Value = serde_json::from_str(&json).unwrap();
    let row = |id: &str| {
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["scope"] == "agency" && r["id"] == id)
            .unwrap()
            .clone()
    };
    let got = |id: &str| {
        let r = row(id);
        (
            r["notices"].as_u64().unwrap(),
            r["counted"].as_u64().unwrap(),
            r["appeared"].as_u64().unwrap(),
            r["pending"].as_u64().unwrap(),
            r["rate"].clone(),
        )
    };
    assert_eq!(got("qzf"), (2, 1, 1, 1, Value::from("100")));
    assert_eq!(got("bm2"), (3, 1, 0, 2, Value::from("0")));
    assert_eq!(got("bm11"), (1, 0, 0, 1, Value::Null));
    // The spreadsheet's last column.
    let (_, csv, _) = run_env(
        dir.path(),
        &["stats", "--year", "2026", "--csv"],
        &now("2026-03-10"),
        &[],
    );
    let header = csv.lines().next().unwrap();
    assert!(
        header.ends_with(",败诉率同比（百分点）,待开庭（未计入出庭率）"),
        "{header}"
    );
    assert!(
        csv.lines()
            .any(|l| l == "单位,qzf,区政府,通知,2,1,1,1,1,1,100,,,0,0,0,,,,1"),
        "{csv}"
    );
}

#[test]
fn check_open_shows_what_it_would_open_and_writes_only_with_yes() {
    let dir = hearings_workspace();
    let cases = || {
        yingsu::engine::case_files(&Workspace::open(dir.path()).unwrap())
            .unwrap()
            .len()
    };
    let before = cases();
    let (code, out, err) = run_env(
        dir.path(),
        &["check", "--year", "2026", "--open"],
        &now("2026-03-10"),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.ends_with(
            "共 1 项，其中已有整改案件 0 项，本次开启 0 项，尚未开启 1 项。\n\
\n\
将开启以下 1 个督查整改案件：\n\
\x20\x20ZG-2026-bm2-zero　重庆市渝北区教育委员会　出庭率为零（约谈）（整改通知书、约谈通知书）\n\
\x20\x20\x20\x20查明的事实：2026年度，重庆市渝北区教育委员会开庭审理的一审行政诉讼案件1件，行政机关负责人出庭应诉0件，出庭应诉率为0。另有2件尚未开庭，未计入。\n\
以上均未写入。核对无误后运行 `yingsu check --period 2026 --open --yes` 开启并生成通知书。\n"
        ),
        "{out}"
    );
    assert_eq!(cases(), before, "--open without --yes writes nothing");
    assert!(!dir.path().join("cases/2026/ZG-2026-bm2-zero.yaml").exists());

    let (code, out, err) = run_env(
        dir.path(),
        &["check", "--period", "2026", "--open", "--yes"],
        &now("2026-03-10"),
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("本次开启 ZG-2026-bm2-zero"), "{out}");
    assert!(
        out.ends_with("共 1 项，其中已有整改案件 0 项，本次开启 1 项，尚未开启 0 项。\n"),
        "{out}"
    );
    assert_eq!(cases(), before + 1);
    let ws = Workspace::open(dir.path()).unwrap();
    let view = yingsu::engine::load_case(&ws, "ZG-2026-bm2-zero").unwrap();
    let f = view.facts();
    assert_eq!(
        f["findings"],
        "2026年度，重庆市渝北区教育委员会开庭审理的一审行政诉讼案件1件，行政机关负责人出庭应诉0件，出庭应诉率为0。另有2件尚未开庭，未计入。"
    );
    assert_eq!(f["interview"], true);

    // Nothing left to open.
    let (code, out, _) = run_env(
        dir.path(),
        &["check", "--year", "2026", "--open"],
        &now("2026-03-10"),
        &[],
    );
    assert_eq!(code, 0);
    assert!(out.ends_with("\n没有需要开启的督查整改案件。\n"), "{out}");
    // --yes alone is refused by the argument parser: it confirms --open.
    let (code, _, err) = run_env(
        dir.path(),
        &["check", "--year", "2026", "--yes"],
        &now("2026-03-10"),
        &[],
    );
    assert_ne!(code, 0);
    assert!(err.contains("--open"), "{err}");
}

// ------------------------------------------------------------------ configured order

/// Every unit with one hearing in 2026Q1; the head appeared except at 区政府 (0 of 1: zero,
/// named in the lists) and 区财政局.
fn order_workspace() -> tempfile::TempDir {
    let dir = workspace();
    let ws = Workspace::open(dir.path()).unwrap();
    for (i, a) in ORDER.iter().enumerate() {
        let id = format!("C{i}");
        notice(&ws, &id, 100 + i as u32, a, "2026-01-05", "2026-01-20");
        hearing(&ws, &id, "2026-01-20", !matches!(*a, "qzf" | "bm100"));
    }
    dir
}

#[test]
fn units_follow_the_configured_order_with_one_name_form() {
    let dir = order_workspace();
    let shorts = [
        "区政府",
        "区教委",
        "区公安分局",
        "区民政局",
        "区财政局",
        "区人力社保局",
        "区规划自然资源局",
        "区生态环境局",
        "龙溪街道",
        "木耳镇",
        "两路街道",
        "玉峰山镇",
    ];
    // The statistics.
    let (_, json, err) = run_env(
        dir.path(),
        &["stats", "--period", "2026Q1", "--json"],
        &now("2026-04-10"),
        &[],
    );
    let v: Value = serde_json::from_str(&json).unwrap_or_else(|_| panic!("{err}"));
    let ids: Vec<&str> = v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["scope"] == "agency")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ORDER);
    // The findings.
    let (_, out, _) = run_env(
        dir.path(),
        &["check", "--period", "2026Q1", "--json"],
        &now("2026-04-10"),
        &[],
    );
    let v: Value = serde_json::from_str(&out).unwrap();
    let found: Vec<(&str, &str)> = v["breaches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| (b["agency"].as_str().unwrap(), b["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(found, [("qzf", "zero"), ("bm100", "zero")]);
    // The bulletin: its table, chart and lists.
    let ws = Workspace::open(dir.path()).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 4, 10).unwrap();
    let made =
        yingsu::stats::bulletin(&ws, &Noop, "2026Q1", "各单位", Some("sfj"), date, false).unwrap();
    let record = dir.path().join(made.file.replace(".pdf", ".json"));
    let rec: Value = serde_json::from_str(&std::fs::read_to_string(record).unwrap()).unwrap();
    let d = &rec["data"];
    assert!(d.is_object(), "{rec}");
    let names = |k: &str, field: &str| -> Vec<String> {
        d[k].as_array()
            .unwrap()
            .iter()
            .map(|x| x[field].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(names("agencies", "name"), shorts);
    assert_eq!(names("chart", "name"), shorts);
    assert_eq!(names("zero", "name"), ["区政府", "区财政局"]);
}

// ------------------------------------------------------------------ the demo's figures

/// The statistics row `id` (`scope`) of `yingsu stats --period <code> --json` on `date`.
fn stats_row(ws: &Path, code: &str, date: &str, scope: &str, id: &str) -> Value {
    let (c, out, err) = run_env(ws, &["stats", "--period", code, "--json"], &now(date), &[]);
    assert_eq!(c, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["scope"] == scope && r["id"] == id)
        .unwrap_or_else(|| panic!("no {scope} {id} in {code}"))
        .clone()
}

/// The findings of `yingsu check --period <code> --json` on `date`.
fn breaches(ws: &Path, code: &str, date: &str) -> Vec<Value> {
    let (c, out, err) = run_env(ws, &["check", "--period", code, "--json"], &now(date), &[]);
    assert_eq!(c, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["breaches"].as_array().unwrap().clone()
}

/// The figures a report row states, as the statistics name them.
const FIGURES: [&str; 12] = [
    "notices",
    "heard",
    "counted",
    "appeared",
    "pending",
    "silent",
    "concluded",
    "losses",
    "rate",
    "change",
    "loss_rate",
    "target_met",
];

/// “2023年第一季度” → “2023Q1”.
fn period_code(label: &str) -> String {
    let (y, rest) = label.split_once('年').unwrap();
    let q = ["第一季度", "第二季度", "第三季度", "第四季度"]
        .iter()
        .position(|x| *x == rest)
        .unwrap_or_else(|| panic!("not a quarter: {label}"));
    format!("{y}Q{}", q + 1)
}

/// The numbers of a sentence, in order: “…1件，…0件，出庭应诉率为0。” → ["1", "0", "0"].
fn numbers(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() || (c == '.' && !cur.is_empty()) {
            cur.push(c);
        } else if !cur.is_empty() {
            out.push(std::mem::take(&mut cur).trim_end_matches('.').to_string());
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[test]
fn every_figure_in_the_demo_documents_is_what_stats_say() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    common::demo_at(&ws);
    let records: Vec<std::path::PathBuf> = walkdir::WalkDir::new(ws.join("archive"))
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .map(|e| e.path().to_path_buf())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    let mut compared = std::collections::BTreeMap::<String, usize>::new();
    for path in &records {
        let rec: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
        let d = &rec["data"];
        let date = rec["date"].as_str().unwrap();
        let what = path.display().to_string();
        match rec["template"].as_str().unwrap() {
            "tongbao" => {
                let code = d["period"]["code"].as_str().unwrap();
                for (key, scope) in [("agencies", "agency"), ("groups", "group")] {
                    for row in d[key].as_array().unwrap() {
                        let id = row["id"].as_str().unwrap();
                        let s = stats_row(&ws, code, date, scope, id);
                        for f in FIGURES {
                            if row.get(f).is_some() {
                                assert_eq!(row[f], s[f], "{what}: {id} {f}");
                            }
                        }
                        assert_eq!(row["name"], s["name"], "{what}: {id}");
                    }
                }
                let total = stats_row(&ws, code, date, "total", "total");
                assert_eq!(d["total"]["counted"], total["counted"], "{what}");
                assert_eq!(d["total"]["rate"], total["rate"], "{what}");
                // The units named in 存在的问题 are the ones `check` finds that day.
                let found = breaches(&ws, code, date);
                for (list, rule) in [
                    ("short", "floor"),
                    ("zero", "zero"),
                    ("full", "full"),
                    ("unjustified", "unjustified"),
                ] {
                    let mut want: Vec<&str> = found
                        .iter()
                        .filter(|b| b["rule"] == rule)
                        .map(|b| b["agency"].as_str().unwrap())
                        .collect();
                    want.dedup();
                    let got: Vec<&str> = d[list]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|x| x["agency"].as_str().unwrap())
                        .collect();
                    assert_eq!(got, want, "{what}: {list}");
                }
                *compared.entry("tongbao".into()).or_default() += 1;
            }
            "yuebao" => {
                let code = d["period"]["code"].as_str().unwrap();
                let id = d["agency"]["id"].as_str().unwrap();
                let s = stats_row(&ws, code, date, "agency", id);
                for f in FIGURES {
                    if let Some(v) = d["summary"].get(f) {
                        assert_eq!(*v, s[f], "{what}: {f}");
                    }
                }
                *compared.entry("yuebao".into()).or_default() += 1;
            }
            "zhenggai" | "yuetan" => {
                let f = &d["facts"];
                let reason = f["reason"].as_str().unwrap_or("");
                if !matches!(reason, "出庭率为零" | "出庭率未达标") {
                    continue;
                }
                // A notice about a rate is one `check` would issue: it was opened by it, with
                // the figures it finds on the notice's date.
                let code = period_code(f["period"].as_str().unwrap());
                let case = d["case"]["id"].as_str().unwrap();
                let found = breaches(&ws, &code, date);
                let b = found
                    .iter()
                    .find(|b| b["rect_id"] == case)
                    .unwrap_or_else(|| panic!("{what}: `check` on {date} opens no {case}"));
                assert_eq!(b["agency"], f["agency"], "{what}");
                assert_eq!(f["findings"], b["detail"], "{what}");
                let s = stats_row(&ws, &code, date, "agency", f["agency"].as_str().unwrap());
                let n = numbers(f["findings"].as_str().unwrap());
                let rate = s["rate"].as_str().unwrap().to_string();
                assert_eq!(
                    n[1..4],
                    [s["counted"].to_string(), s["appeared"].to_string(), rate],
                    "{what}: {:?}",
                    f["findings"]
                );
                *compared
                    .entry(rec["template"].as_str().unwrap().into())
                    .or_default() += 1;
            }
            "fuhan" => {
                // The reply letter's figure paragraphs, when the engine supplied them.
                let Some(s) = d.get("stats").filter(|s| !s.is_null()) else {
                    continue;
                };
                let year = s["year"].to_string();
                for g in s["groups"].as_array().unwrap() {
                    let row = stats_row(&ws, &year, date, "group", g["id"].as_str().unwrap());
                    for f in [
                        "counted",
                        "appeared",
                        "rate",
                        "change",
                        "losses",
                        "loss_rate",
                        "pending",
                    ] {
                        assert_eq!(g[f], row[f], "{what}: {f}");
                    }
                }
                *compared.entry("fuhan".into()).or_default() += 1;
            }
            _ => {}
        }
    }
    // The bulletin, the monthly return, and the notices of both quarters were compared.
    assert_eq!(compared.get("tongbao"), Some(&1), "{compared:?}");
    assert_eq!(compared.get("yuebao"), Some(&1), "{compared:?}");
    assert!(
        compared.get("zhenggai").is_some_and(|n| *n >= 4),
        "{compared:?}"
    );
    assert!(
        compared.get("yuetan").is_some_and(|n| *n >= 3),
        "{compared:?}"
    );
    // Every rectification `check` calls for in the quarters the demo covers is in the archive.
    for (code, date) in [("2023Q1", "2023-04-10"), ("2023Q2", "2023-07-05")] {
        for b in breaches(&ws, code, date) {
            let id = b["rect_id"].as_str().unwrap();
            assert!(
                !b["covered_by"].as_array().unwrap().is_empty()
                    || ws.join(format!("cases/2023/{id}.yaml")).exists(),
                "{code}: {id} not opened"
            );
        }
    }
}

/// The text of a PDF, as one string without line breaks.
fn pdf_text(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed by this test");
    assert!(out.status.success(), "pdftotext {}", pdf.display());
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(str::trim)
        // Page numbers (“—1—”) are not text.
        .filter(|l| {
            let inner = l.trim_matches('—');
            inner.is_empty() || !(l.starts_with('—') && inner.chars().all(|c| c.is_ascii_digit()))
        })
        .collect()
}

/// The bulletin's figure sentences say what was counted: notices heard and not yet heard, the
/// hearings held, and each loss by the judgment that made it (a damages judgment is not
/// “改变行政机关决定”).
#[test]
fn bulletin_sentences_say_what_was_counted() {
    let dir = hearings_workspace();
    let ws = Workspace::open(dir.path()).unwrap();
    let s: Vec<String> = [
        "judgment_date=2026-02-20",
        "outcome=判决赔偿",
        "judgment_summary=判决被告赔偿原告经济损失。",
    ]
    .iter()
    .map(|x| x.to_string())
    .collect();
    yingsu::engine::advance(
        &ws,
        "G1",
        "judgment",
        &input(&s),
        &actor("2026-02-20"),
        &Noop,
    )
    .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    let renderer = yingsu::render::TypstRenderer::new();
    let made =
        yingsu::stats::bulletin(&ws, &renderer, "2026Q1", "各单位", Some("sfj"), date, false)
            .unwrap();
    let text = pdf_text(&dir.path().join(&made.file));
    for sentence in [
        "2026年第一季度，以区政府为被告的行政诉讼案件，人民法院发出负责人出庭应诉通知2件，其中已开庭1件、尚未开庭1件；已开庭的案件中负责人出庭应诉1件，出庭应诉率100%。已审结的一审案件1件，其中行政机关败诉1件（判决赔偿1件），败诉率100%。",
        "2026年第一季度，以区政府部门为被告的一审行政诉讼案件共开庭1件，有0件案件行政机关负责人出庭应诉，出庭应诉率为0%。另有3件尚未开庭，未计入出庭应诉率。本期无审结的一审案件。",
        "出庭应诉率为零的单位：区教委（0%）。",
        // The table: 应出庭 counts hearings held only.
        "序号单位应出庭负责人出庭出庭应诉率同比是否达标1区政府11100%—达标2区教委100%—未达标",
    ] {
        assert!(text.contains(sentence), "{sentence}\nnot in\n{text}");
    }
    assert!(!text.contains("改变行政机关决定"), "{text}");
}

/// An adjourned session, then the hearing held: the case counts once, held on the later day,
/// and what the adjourned entry said does not carry over to the hearing held.
#[test]
fn an_adjourned_hearing_held_later_counts_once() {
    let dir = workspace();
    let ws = Workspace::open(dir.path()).unwrap();
    notice(&ws, "R1", 7, "bm3", "2026-01-05", "2026-01-20");
    adjourned(&ws, "R1", "2026-01-20");
    let held: Vec<String> = vec![
        "hearing_date=2026-04-08".into(),
        "head_appeared=true".into(),
        "head_spoke=true".into(),
    ];
    yingsu::engine::advance(
        &ws,
        "R1",
        "appearance",
        &Input {
            sets: held,
            from: None,
            again: true,
        },
        &actor("2026-04-08"),
        &Noop,
    )
    .unwrap();
    let row = |code: &str| stats_row(dir.path(), code, "2026-04-10", "agency", "bm3");
    let q1 = row("2026Q1");
    assert_eq!(
        (&q1["heard"], &q1["counted"], &q1["pending"]),
        (&Value::from(0), &Value::from(0), &Value::from(0)),
        "the adjourned session of 2026-01-20 is no hearing"
    );
    let q2 = row("2026Q2");
    assert_eq!(
        (&q2["heard"], &q2["appeared"], &q2["rate"], &q2["pending"]),
        (
            &Value::from(1),
            &Value::from(1),
            &Value::from("100"),
            &Value::from(0)
        )
    );
}
