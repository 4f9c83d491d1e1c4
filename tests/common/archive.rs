//! Litigation case files written exactly as the engine writes them, and the archive behind the
//! 2023 reply letter (2022 against 2021), for tests that need real statistics over a real archive.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::path::Path;

use chrono::NaiveDate;
use serde_json::{Value, json};
use yingsu::case::{self, HistoryEntry};

#[derive(Default)]
pub struct Lit {
    pub agency: &'static str,
    pub number: String,
    pub level: &'static str,
    pub notice: String,
    pub head_required: bool,
    pub flags: Vec<&'static str>,
    pub hearings: Vec<(String, bool, Option<bool>, Option<String>)>,
    pub judgment: Option<(String, &'static str)>,
}

pub fn at(date: &str) -> String {
    format!("{date}T09:00:00+08:00")
}

/// Write a litigation case file exactly as the engine writes it (typed facts of the notice step,
/// then one history entry per step).
pub fn write_lit(root: &Path, id: &str, c: &Lit) {
    let year = &c.notice[..4];
    let typed: Vec<(String, Value)> = vec![
        ("case_number".into(), json!(c.number)),
        ("court".into(), json!("ybfy")),
        ("cause".into(), json!("行政处罚")),
        (
            "level".into(),
            json!(if c.level.is_empty() {
                "一审"
            } else {
                c.level
            }),
        ),
        ("plaintiffs".into(), json!(["张某"])),
        ("agency".into(), json!(c.agency)),
        ("notice_date".into(), json!(c.notice)),
        ("head_required".into(), json!(c.head_required)),
        ("hearing_place".into(), json!("区法院第三审判庭")),
        ("head_name".into(), json!("李某")),
        ("head_post".into(), json!("副局长")),
    ]
    .into_iter()
    .chain(c.flags.iter().map(|f| (f.to_string(), json!(true))))
    .collect();
    let entry = |step: &str, date: &str, facts: BTreeMap<String, Value>| HistoryEntry {
        step: Some(step.into()),
        event: None,
        at: at(date),
        by: "测试".into(),
        facts,
        documents: vec![],
        opened: vec![],
        ..Default::default()
    };
    let first_hearing = c
        .hearings
        .first()
        .map(|h| h.0.clone())
        .unwrap_or_else(|| c.notice.clone());
    let mut text = case::new_file(
        "appearance",
        None,
        &typed,
        &entry(
            "notice",
            &c.notice,
            BTreeMap::from([("hearing_date".to_string(), json!(first_hearing))]),
        ),
    );
    for (date, appeared, spoke, reason) in &c.hearings {
        let mut f = BTreeMap::from([
            ("hearing_date".to_string(), json!(date)),
            ("head_appeared".to_string(), json!(appeared)),
        ]);
        if let Some(s) = spoke {
            f.insert("head_spoke".into(), json!(s));
        }
        if let Some(r) = reason {
            f.insert("absence_reason".into(), json!(r));
            f.insert("delegates".into(), json!(["张明，法制科科长"]));
        }
        text.push_str(&case::entry_text(&entry("appearance", date, f), "  "));
    }
    if let Some((date, outcome)) = &c.judgment {
        let f = BTreeMap::from([
            ("judgment_date".to_string(), json!(date)),
            ("outcome".to_string(), json!(outcome)),
        ]);
        text.push_str(&case::entry_text(&entry("judgment", date, f), "  "));
    }
    let p = root.join("cases").join(year).join(format!("{id}.yaml"));
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

pub fn day(year: i32, i: usize) -> String {
    let base = NaiveDate::from_ymd_opt(year, 1, 1).unwrap();
    (base + chrono::Days::new((i % 300) as u64)).to_string()
}

/// The archive behind the reply letter: 2022 — government 26/26 notices; departments and towns
/// 333 of 354 hearings, 27 losses of 370 concluded; 2021 — government 13/21, departments 149/200.
pub fn letter_archive(root: &Path, departments: &[&'static str]) {
    let mut n = 0;
    let mut next = || {
        n += 1;
        n
    };
    for (year, notices, appeared) in [(2021, 21, 13), (2022, 26, 26)] {
        for i in 0..notices {
            let k = next();
            write_lit(
                root,
                &format!("GOV-{year}-{i}"),
                &Lit {
                    agency: "qzf",
                    number: format!("({year})渝0112行初{k}号"),
                    notice: day(year, i * 10),
                    head_required: true,
                    hearings: vec![(
                        day(year, i * 10 + 5),
                        i < appeared,
                        Some(true),
                        (i >= appeared).then(|| "其他正当事由".into()),
                    )],
                    judgment: (i < 20).then(|| (day(year, i * 10 + 40), "驳回诉讼请求")),
                    ..Default::default()
                },
            );
        }
    }
    // 2021: 200 heard, 149 appeared; 170 concluded in 2021, the last 30 concluded in 2022 (10 lost).
    for i in 0..200 {
        let k = next();
        let judgment = if i < 170 {
            Some((
                day(2021, i + 20),
                if i < 12 {
                    "撤销"
                } else {
                    "驳回诉讼请求"
                },
            ))
        } else {
            Some((
                "2022-02-15".to_string(),
                if i < 180 { "确认违法" } else { "撤诉" },
            ))
        };
        write_lit(
            root,
            &format!("DEP-2021-{i}"),
            &Lit {
                agency: departments[i % departments.len()],
                number: format!("(2021)渝0112行初{k}号"),
                notice: day(2021, i),
                hearings: vec![(
                    day(2021, i + 10),
                    i < 149,
                    Some(true),
                    (i >= 149).then(|| "需要履行他人不能代替的公务".into()),
                )],
                judgment,
                ..Default::default()
            },
        );
    }
    // 2022: 354 heard, 333 appeared; 340 concluded in 2022 (17 lost), 14 still pending.
    let outcomes = yingsu::stats::LOSS_OUTCOMES;
    for i in 0..354 {
        let k = next();
        let judgment = (i < 340).then(|| {
            (
                day(2022, i + 30).replace("2023", "2022"),
                if i < 17 {
                    outcomes[i % 7]
                } else if i % 9 == 0 {
                    "调解"
                } else {
                    "驳回诉讼请求"
                },
            )
        });
        let mut hearings = vec![(
            day(2022, i + 5),
            i < 333,
            Some(i % 50 != 0),
            (i >= 333).then(|| "其他正当事由".into()),
        )];
        if i % 40 == 0 {
            // A second hearing of the same level: the case still counts once.
            hearings.push((day(2022, i + 25), true, Some(true), None));
        }
        write_lit(
            root,
            &format!("DEP-2022-{i}"),
            &Lit {
                agency: departments[i % departments.len()],
                number: format!("(2022)渝0112行初{k}号"),
                notice: day(2022, i),
                hearings,
                judgment,
                ..Default::default()
            },
        );
    }
    // An appeal heard in 2022: not a first-instance case, so not among the 354 nor the 370.
    write_lit(
        root,
        "DEP-2022-appeal",
        &Lit {
            agency: departments[0],
            number: "(2022)渝01行终1号".into(),
            level: "二审",
            notice: "2022-06-01".into(),
            hearings: vec![(
                "2022-06-20".into(),
                false,
                None,
                Some("其他正当事由".into()),
            )],
            judgment: Some(("2022-08-01".into(), "撤销")),
            ..Default::default()
        },
    );
}
