//! Tests of the grid line breaker.

use super::*;

/// Widths as the bundled body font gives them, roughly: half a cell for anything measured.
fn half(_: usize, _: &str) -> Result<f64, ()> {
    Ok(0.493)
}

fn lines_of(text: &str, names: &[&str]) -> Vec<String> {
    break_runs(&[text], names, 26.0, 28.0, half)
        .map(|b| b.texts())
        .unwrap_or_default()
}

/// Every cluster is set once, in order, and every line holds something.
fn assert_covers(texts: &[&str], broken: &Broken) {
    let all: String = texts.concat();
    assert_eq!(broken.texts().concat(), all);
    for (items, hang) in &broken.lines {
        assert!(!items.is_empty() || !hang.is_empty(), "an empty line");
    }
}

#[test]
fn classes_are_the_layout_library_marks() {
    let lib = crate::typeset::LAYOUT_LIBRARY;
    assert!(lib.contains(&format!("#let _open = \"{OPEN}\"")));
    assert!(lib.contains(&format!("#let _close = \"{CLOSE}\"")));
    for (set, class) in [
        (OPEN, Class::Open),
        (CLOSE, Class::Close),
        (ASCII_OPEN, Class::AsciiOpen),
        (ASCII_CLOSE, Class::AsciiClose),
        ("—…", Class::Dash),
    ] {
        for c in set.chars() {
            assert_eq!(Class::of(&c.to_string()), class, "{c}");
        }
    }
    for c in ["行", "a", "1", "。\u{301}", "", "——", " ", "％"] {
        assert_eq!(Class::of(c), Class::Word, "{c}");
    }
}

#[test]
fn plain_lines_hold_26_then_28_characters() {
    let text = "行".repeat(60);
    let lines = lines_of(&text, &[]);
    let counts: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
    assert_eq!(counts, vec![26, 28, 6]);
}

#[test]
fn a_closing_mark_after_a_full_line_hangs() {
    let text = "行".repeat(26) + "。" + &"政".repeat(10);
    let broken = break_runs(&[text.as_str()], &[], 26.0, 28.0, half).unwrap();
    assert_eq!(broken.lines.len(), 2);
    assert_eq!(broken.lines[0].1, vec![(0, "。".to_string())]);
    assert_eq!(broken.texts()[1], "政".repeat(10));
}

#[test]
fn the_last_line_holds_two_characters() {
    // 26 + 28 + 1 would leave one character alone; the comma lets a line take more.
    let text = "行".repeat(10) + "，" + &"政".repeat(15) + &"机".repeat(28) + "关";
    let lines = lines_of(&text, &[]);
    let last = lines.last().unwrap();
    assert!(last.chars().count() >= 2, "{lines:?}");
}

#[test]
fn a_case_number_stays_whole_when_latin_space_allows() {
    // The 案号 does not fit after 25 cells (and the line has no mark to compress); the
    // numbers earlier in the line are given the cell that keeps the line on the grid instead
    // of breaking the term or leaving the line short.
    let text = "行政".repeat(3)
        + "86件12个34项"
        + &"政".repeat(13)
        + "（2023）渝0112行初123号"
        + &"机".repeat(30);
    let broken = break_runs(&[text.as_str()], &[], 26.0, 28.0, half).unwrap();
    let lines = broken.texts();
    assert!(
        lines.iter().any(|l| l.contains("（2023）渝0112行初123号")),
        "{lines:?}"
    );
    assert!(
        broken.lines[0]
            .0
            .iter()
            .any(|it| matches!(it, Item::Space(_))),
        "{lines:?}"
    );
}

#[test]
fn organisation_names_stay_whole_where_they_can() {
    let name = "重庆市渝北区住房和城乡建设委员会";
    // As above: the name does not fit after 25 cells; the numbers' space keeps it whole.
    let text = "行政".repeat(8) + "86件12个34项" + &"行".repeat(3) + name + "，" + &"机".repeat(30);
    let lines = lines_of(&text, &[name]);
    assert!(lines.iter().any(|l| l.contains(name)), "{lines:?}");
}

#[test]
fn runs_keep_their_styles() {
    let texts = ["一、总体情况", "行政机关负责人出庭应诉工作取得明显成效。"];
    let broken = break_runs(&texts, &[], 26.0, 28.0, half).unwrap();
    let runs: Vec<usize> = broken.lines[0]
        .0
        .iter()
        .filter_map(|it| match it {
            Item::Text { run, .. } => Some(*run),
            _ => None,
        })
        .collect();
    assert_eq!(runs.first(), Some(&0));
    assert_eq!(runs.last(), Some(&1));
    assert_covers(&texts, &broken);
}

#[test]
fn hostile_text_gives_lines() {
    let marks = "（《〔【「『“‘〈［｛〖，。、：；？！）》〕】」』”’〉］｝〗()[]{},.;:?!%—…";
    let cases: Vec<String> = vec![
        String::new(),
        "。".repeat(500),
        "（".repeat(500),
        "—".repeat(301),
        "…".repeat(99),
        marks.repeat(40),
        "A".repeat(5000),
        "1234567890".repeat(300),
        "e\u{301}\u{302}\u{303}".repeat(200),
        "👩‍👩‍👧‍👦🇨🇳🏳️‍🌈".repeat(100),
        "\u{200b}\u{feff}\u{2028}\u{0}".repeat(50),
        " ".repeat(100),
        "（2023）渝0112行初123号".repeat(40),
        "2023年12月31日国办发〔2016〕54号".repeat(40),
        "行".repeat(100_000),
    ];
    for text in &cases {
        let broken = break_runs(&[text.as_str()], &["行行", ""], 26.0, 28.0, half).unwrap();
        assert_covers(&[text.as_str()], &broken);
        if text.is_empty() {
            assert!(broken.lines.is_empty());
        }
    }
    // Odd measures and line widths.
    for (first, avail) in [
        (0.0, 0.0),
        (-3.0, 1.0),
        (1.0, 0.5),
        (f64::NAN, f64::INFINITY),
    ] {
        for w in [0.0, -0.2, f64::NAN, 30.0] {
            let text = marks.to_string() + "ab12行政";
            let broken = break_runs(&[text.as_str(), "", "x"], &[], first, avail, |_, _| {
                Ok::<_, ()>(w)
            })
            .unwrap();
            assert_covers(&[text.as_str(), "", "x"], &broken);
        }
    }
}

#[test]
fn a_failing_measure_is_reported() {
    let r = break_runs(&["ab"], &[], 26.0, 28.0, |_, _| Err::<f64, _>("no font"));
    assert_eq!(r, Err("no font"));
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn any_text_is_covered_and_deterministic(
        parts in proptest::collection::vec(
            proptest::prop_oneof![
                proptest::string::string_regex("[行政机关，。、；：？！“”（）《》—…]{1,40}").unwrap(),
                proptest::string::string_regex("[0-9A-Za-z.%() ]{1,20}").unwrap(),
                proptest::string::string_regex("（20[0-9]{2}）渝[0-9]{2,4}行初[0-9]{1,3}号").unwrap(),
                proptest::string::string_regex(".{0,10}").unwrap(),
            ],
            0..30,
        ),
        runs in 1usize..4,
    ) {
        let text: String = parts.concat();
        let chunk = text.len() / runs + 1;
        let mut texts = Vec::new();
        let mut rest = text.as_str();
        while !rest.is_empty() {
            let mut k = chunk.min(rest.len());
            while !rest.is_char_boundary(k) {
                k += 1;
            }
            texts.push(&rest[..k]);
            rest = &rest[k..];
        }
        let a = break_runs(&texts, &["行政机关"], 26.0, 28.0, half).unwrap();
        let b = break_runs(&texts, &["行政机关"], 26.0, 28.0, half).unwrap();
        proptest::prop_assert_eq!(&a, &b);
        proptest::prop_assert_eq!(a.texts().concat(), text);
    }
}
