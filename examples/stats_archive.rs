//! Generates a workspace with a large archive of litigation cases (written exactly as the engine
//! writes case files) and times the statistics over it.
//!
//! ```text
//! cargo run --example stats_archive -- /tmp/yingsu-10k 10000
//! /usr/bin/time -v target/debug/yingsu -C /tmp/yingsu-10k stats --year 2023
//! ```
//!
//! The in-process figures printed at the end (load + compute, peak memory from VmHWM) include the
//! generator's own memory; the `/usr/bin/time` run of the binary is the one to quote.

#[path = "../benches/support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use chrono::NaiveDate;
use serde_json::{Value, json};
use yingsu::case::{self, HistoryEntry};

fn entry(step: &str, date: &str, facts: BTreeMap<String, Value>) -> HistoryEntry {
    HistoryEntry {
        step: Some(step.into()),
        event: None,
        at: format!("{date}T09:00:00+08:00"),
        by: "生成器".into(),
        facts,
        documents: vec![],
        opened: vec![],
        ..Default::default()
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let dir = PathBuf::from(
        args.next()
            .unwrap_or_else(|| "/tmp/yingsu-stats-bench".into()),
    );
    let n: usize = args
        .next()
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(10_000);
    if dir.join("yingsu.yaml").exists() {
        return Err(format!(
            "{} already holds a workspace; give an empty folder",
            dir.display()
        )
        .into());
    }
    let t0 = Instant::now();
    std::fs::create_dir_all(dir.join("cases"))?;
    // 1 government + 30 departments + 15 towns.
    let mut cfg = String::from(
        "region: 重庆市渝北区\nissuers:\n  sfj: {name: 重庆市渝北区司法局, short: 区司法局, prefix: 渝北司函}\nagencies:\n  qzf: {name: 重庆市渝北区人民政府, short: 区政府, group: government, kind: 区政府, issuer: sfj}\n",
    );
    let mut agencies = vec!["qzf".to_string()];
    for i in 0..30 {
        cfg.push_str(&format!(
            "  bm{i:02}: {{name: 重庆市渝北区第{i}局, group: departments, kind: 部门, issuer: sfj}}\n"
        ));
        agencies.push(format!("bm{i:02}"));
    }
    for i in 0..15 {
        cfg.push_str(&format!(
            "  zj{i:02}: {{name: 重庆市渝北区第{i}镇人民政府, group: departments, kind: 镇街, issuer: sfj}}\n"
        ));
        agencies.push(format!("zj{i:02}"));
    }
    cfg.push_str("groups:\n  government: {title: 区政府, denominator: notices}\n  departments: {title: 区政府部门、镇街, denominator: hearings}\n");
    cfg.push_str("courts:\n  ybfy: 重庆市渝北区人民法院\n");
    cfg.push_str("deadlines:\n  loss_report: {working_days: 15}\n  proposal_reply: {months: 3}\n  rectification_report: {working_days: 20}\n");
    std::fs::write(dir.join("yingsu.yaml"), cfg)?;
    let outcomes = [
        "驳回诉讼请求",
        "驳回诉讼请求",
        "驳回诉讼请求",
        "驳回起诉",
        "撤诉",
        "调解",
        "撤销",
        "确认违法",
        "责令履行法定职责",
    ];
    let base = NaiveDate::from_ymd_opt(2022, 1, 1).ok_or("date")?;
    for i in 0..n {
        let agency = &agencies[if i % 20 == 0 {
            0
        } else {
            1 + i % (agencies.len() - 1)
        }];
        let notice = base + chrono::Days::new((i * 700 / n.max(1)) as u64);
        let hearing = notice + chrono::Days::new(20);
        let year = notice.format("%Y").to_string();
        let typed: Vec<(String, Value)> = vec![
            (
                "case_number".into(),
                // Case numbers start at 1 (0 is not a case number).
                json!(format!("({year})渝0112行初{}号", i + 1)),
            ),
            ("court".into(), json!("ybfy")),
            ("cause".into(), json!("行政处罚")),
            (
                "level".into(),
                json!(if i % 15 == 0 { "二审" } else { "一审" }),
            ),
            ("plaintiffs".into(), json!(["张某", "李某"])),
            ("agency".into(), json!(agency)),
            ("notice_date".into(), json!(notice.to_string())),
            ("head_required".into(), json!(i % 3 == 0)),
            ("hearing_date".into(), json!(hearing.to_string())),
            ("hearing_place".into(), json!("区法院第三审判庭")),
            ("head_name".into(), json!("王某")),
            ("head_post".into(), json!("副局长")),
            ("major_public_interest".into(), json!(i % 50 == 0)),
        ];
        let mut text = case::new_file(
            "appearance",
            None,
            &typed,
            &entry("notice", &notice.to_string(), BTreeMap::new()),
        );
        let hearings = if i % 10 == 0 { 2 } else { 1 };
        for h in 0..hearings {
            let date = (hearing + chrono::Days::new(30 * h)).to_string();
            let appeared = i % 13 != 0 || h == 1;
            let mut f = BTreeMap::from([
                ("hearing_date".to_string(), json!(hearing.to_string())),
                ("hearing_place".to_string(), json!("区法院第三审判庭")),
                ("head_appeared".to_string(), json!(appeared)),
                ("head_spoke".to_string(), json!(i % 17 != 0)),
            ]);
            if !appeared {
                f.insert(
                    "absence_reason".into(),
                    json!(if i % 91 == 0 {
                        "无正当理由"
                    } else {
                        "其他正当事由"
                    }),
                );
                f.insert("delegates".into(), json!(["张明，法制科科长"]));
            }
            text.push_str(&case::entry_text(&entry("appearance", &date, f), "  "));
        }
        if i % 8 != 0 {
            let j = (hearing + chrono::Days::new(60)).to_string();
            let f = BTreeMap::from([
                ("judgment_date".to_string(), json!(j)),
                ("outcome".to_string(), json!(outcomes[i % outcomes.len()])),
            ]);
            text.push_str(&case::entry_text(&entry("judgment", &j, f), "  "));
        }
        let p = dir
            .join("cases")
            .join(&year)
            .join(format!("XZ-{i:05}.yaml"));
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(p, text)?;
    }
    println!(
        "generated {n} cases in {} in {:.2?}",
        dir.display(),
        t0.elapsed()
    );

    let ws = yingsu::Workspace::open(&dir)?;
    let t1 = Instant::now();
    let archive = yingsu::stats::Archive::load(&ws)?;
    let stats = yingsu::stats::compute(&ws, &archive, &yingsu::stats::Period::year(2023)?)?;
    assert!(!stats.rows.is_empty());
    println!(
        "in-process `stats --year 2023`: {:.2?} (VmHWM incl. generator: {:.0} MB)",
        t1.elapsed(),
        support::peak_rss_mb()
    );
    Ok(())
}
