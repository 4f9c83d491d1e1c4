//! The demo's data read as a reviewer reads it: what every new user sees first must be what a
//! careful legal officer would have written. Builds the demo with the `yingsu` binary and reads
//! the frozen `.json` records beside its PDFs (and, for judgments no document prints, the case
//! files): each loss report gives its own causes, responsibility and measures; each 提示函 is
//! signed by an office such a unit has; no judgment is summarised in a form abolished in 2014;
//! no document is dated on a day the official calendar gives as a holiday or a weekend.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde_json::Value;
use yingsu::Workspace;
use yingsu::calendar::WorkCalendar;

/// Every frozen record of the demo's archive (cases and reports), by path relative to `archive/`.
fn records(root: &Path) -> BTreeMap<String, Value> {
    let archive = root.join("archive");
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(&archive) {
        let entry = entry.unwrap();
        let path: PathBuf = entry.path().to_path_buf();
        if path.extension().and_then(|e| e.to_str()) != Some("json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let rel = path
            .strip_prefix(&archive)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        out.insert(rel, serde_json::from_str(&text).unwrap());
    }
    out
}

fn fact<'a>(record: &'a Value, key: &str) -> Option<&'a Value> {
    record["data"]["facts"].get(key).filter(|v| !v.is_null())
}

/// A fact as its paragraphs: a list's items, or the text itself.
fn paragraphs(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn the_demo() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("demo");
    common::demo_at(&root);
    (tmp, root)
}

/// The offices that prepare a case and sign the 提示函 for each kind of unit (`kind` in
/// `yingsu.yaml`): a department has a legal section under its own name; a town or street
/// office has no 法制科 — its party and government office, its comprehensive law-enforcement
/// office, or the justice office stationed there does the work; the government's is its
/// general office (the signature reads 重庆市渝北区人民政府办公室).
fn offices_for(kind: &str) -> &'static [&'static str] {
    match kind {
        "区政府" => &["办公室"],
        "部门" => &[
            "法制科",
            "法规科",
            "政策法规科",
            "法规与标准科",
            "法制审核科",
        ],
        "镇街" => &["党政办公室", "综合行政执法办公室", "司法所"],
        other => panic!("the demo has no unit of kind {other}"),
    }
}

#[test]
fn demo_data_reads_as_a_legal_officer_wrote_it() {
    let (_tmp, root) = the_demo();
    let records = records(&root);
    assert!(records.len() > 60, "{} records", records.len());
    let mut failures: Vec<String> = Vec::new();

    // 1. Every 提示函 is signed by an office its unit has; departments are not all alike.
    let mut department_offices = std::collections::BTreeSet::new();
    let mut notices = 0;
    for (path, r) in records.iter().filter(|(_, r)| r["template"] == "tishihan") {
        notices += 1;
        let kind = r["data"]["agency"]["kind"].as_str().unwrap_or_default();
        let office = fact(r, "legal_office")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if !offices_for(kind).contains(&office) {
            failures.push(format!(
                "{path}: 提示函由“{office}”署名，{kind}没有这样的机构（应为 {:?} 之一）",
                offices_for(kind)
            ));
        }
        if kind == "部门" {
            department_offices.insert(office.to_string());
        }
    }
    assert_eq!(notices, 23, "the demo's 提示函");
    if department_offices.len() < 2 {
        failures.push(format!(
            "各部门的提示函都由同样的科室署名：{department_offices:?}"
        ));
    }

    // 2. Each loss report states its own causes, responsibility, measures and lessons: no
    // paragraph of one is copied into another.
    let losses: Vec<(&String, &Value)> = records
        .iter()
        .filter(|(_, r)| r["template"] == "baisu")
        .collect();
    assert_eq!(losses.len(), 8, "the demo's loss reports");
    for key in ["loss_causes", "responsibility", "measures", "lessons"] {
        let mut seen: BTreeMap<String, &String> = BTreeMap::new();
        for (path, r) in &losses {
            let paras = paragraphs(fact(r, key));
            if paras.is_empty() {
                failures.push(format!("{path}: 没有 {key}"));
            }
            for p in paras {
                if let Some(first) = seen.get(&p) {
                    failures.push(format!("{path} 与 {first} 的 {key} 相同：{p}"));
                } else {
                    seen.insert(p, path);
                }
            }
        }
    }

    // 3. No judgment summary uses 维持: the first-instance 维持判决 was abolished by the 2014
    // amendment of the 行政诉讼法 (a partial annulment 驳回原告的其他诉讼请求). The one 维持 the law
    // still has is the appeal court's 驳回上诉，维持原判 (art. 89), in a second-instance case.
    // Read from the records and from the case files (a judgment no document prints).
    let mut summaries: Vec<(String, String, String)> = Vec::new();
    for (path, r) in &records {
        let level = fact(r, "level").and_then(Value::as_str).unwrap_or_default();
        for s in paragraphs(fact(r, "judgment_summary")) {
            summaries.push((path.clone(), level.to_string(), s));
        }
    }
    let ws = Workspace::open(&root).unwrap();
    for (id, _) in yingsu::engine::case_files(&ws).unwrap() {
        let view = yingsu::engine::load_case(&ws, &id).unwrap();
        let level = view
            .case
            .history
            .iter()
            .find_map(|h| h.facts.get("level").and_then(Value::as_str))
            .unwrap_or_default()
            .to_string();
        for h in &view.case.history {
            for s in paragraphs(h.facts.get("judgment_summary")) {
                summaries.push((format!("cases/{id}"), level.clone(), s));
            }
        }
    }
    assert!(summaries.len() >= 16, "{} summaries", summaries.len());
    for (path, level, s) in &summaries {
        let rest = if level == "二审" {
            s.replace("驳回上诉，维持原判", "")
        } else {
            s.clone()
        };
        if rest.contains("维持") {
            failures.push(format!("{path}: 裁判要旨使用已废止的判决形式：{s}"));
        }
    }

    // 4. No document is dated on a weekend or a public holiday of the official calendar
    // (a make-up working day is a working day): the document's own date, and the dates the
    // documents it records were signed, reported, issued or handed down.
    let calendar = WorkCalendar::default();
    let mut dated = 0;
    for (path, r) in &records {
        let mut dates: Vec<(String, String)> = Vec::new();
        if let Some(d) = r["date"].as_str() {
            dates.push(("date".into(), d.to_string()));
        }
        for key in [
            "notice_date",
            "judgment_date",
            "absence_note_date",
            "report_date",
            "issued_date",
            "sign_date",
            "reply_date",
            "verified_date",
        ] {
            if let Some(d) = fact(r, key).and_then(Value::as_str) {
                dates.push((key.into(), d.to_string()));
            }
        }
        for (key, d) in dates {
            let day = NaiveDate::parse_from_str(&d, "%Y-%m-%d").unwrap_or_else(|e| {
                panic!("{path}: {key} {d}: {e}");
            });
            dated += 1;
            if !calendar.is_workday(day) {
                failures.push(format!("{path}: {key} {d} 不是工作日"));
            }
        }
    }
    assert!(dated > records.len(), "{dated} dates");

    assert!(
        failures.is_empty(),
        "{} 处不妥：\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// The demo issues its documents in date order across cases, as an office does: in every
/// registry (a 文号's prefix and year) a later number never bears an earlier date, and
/// `validate` on the demo gives no 提示 that numbers are out of date order.
#[test]
fn demo_numbers_follow_dates() {
    let (_tmp, root) = the_demo();
    // Every numbered record: registry (the 文号 up to its number), number, date, path.
    let mut registries: BTreeMap<String, Vec<(u32, String, String)>> = BTreeMap::new();
    for (path, r) in records(&root) {
        let (Some(number), Some(date)) = (r["number"].as_str(), r["date"].as_str()) else {
            continue;
        };
        let Some((registry, n)) = number.strip_suffix('号').and_then(|s| s.rsplit_once('〕'))
        else {
            panic!("{path}: 文号 {number}");
        };
        registries.entry(registry.to_string()).or_default().push((
            n.parse().unwrap(),
            date.to_string(),
            path,
        ));
    }
    let issued: usize = registries.values().map(Vec::len).sum();
    assert_eq!(issued, 23, "numbered demo documents: {registries:?}");
    let mut out_of_order = Vec::new();
    for (registry, mut docs) in registries {
        docs.sort();
        for pair in docs.windows(2) {
            if pair[1].1 < pair[0].1 {
                out_of_order.push(format!("{registry}: {:?} 早于 {:?}", pair[1], pair[0]));
            }
        }
    }
    assert!(out_of_order.is_empty(), "{}", out_of_order.join("\n"));

    let (code, stdout, stderr) =
        common::run_env(&root, &["validate"], "2023-12-29T09:00:00+08:00", &[]);
    assert_eq!(code, 0, "{stdout}{stderr}");
    assert!(
        !format!("{stdout}{stderr}").contains("文号没有按日期先后编排"),
        "{stdout}{stderr}"
    );
    assert!(
        stdout.starts_with("检查通过：3 个流程，16 个模板，33 个案件。\n"),
        "{stdout}"
    );
}
