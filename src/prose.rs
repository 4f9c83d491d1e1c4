//! The clerk's prose: owns reading a text the clerk wrote as they would in Word — paragraphs,
//! with the standard's numbering typed at the start of a paragraph (“一、”, “（一）”, “1.”,
//! “（1）”, GB/T 9704-2012 7.3.3) — into blocks a template sets by level, and writing the numbers
//! in it (案号, 发文字号) with the brackets the standard and the courts use.
//!
//! Recognition never changes a word: a block's `number`, `text` and `body` put together give
//! back the paragraph as typed (after trimming its outer spaces). A numbered paragraph is
//! - a heading when it is only the heading (“二、工作开展情况”, “（一）加强指导监督”);
//! - a run-in heading when a sentence ending in “。”, “！” or “？” is followed by more text in
//!   the same paragraph (“（一）严格落实规定。我市坚决贯彻……”): the heading part is set in the
//!   level's font, the rest (`body`) in 仿宋;
//! - at levels 3 and 4 a single numbered sentence (“1．组织全体执法人员学习……。”) is a numbered
//!   paragraph, not a heading.
//!
//! A paragraph that is only `【统计】` (or `〔统计〕`, `[统计]`) marks where a letter's statistics
//! paragraphs go.

use serde_json::{Value, json};

/// One block of prose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// A body paragraph (numbered paragraphs keep their number in the text).
    Para(String),
    /// A heading of `level` 1–4: its number as typed, its text, and the run-in text that follows
    /// it in the same paragraph.
    Heading {
        level: u8,
        number: String,
        text: String,
        body: Option<String>,
    },
    /// Where the statistics paragraphs go.
    Stats,
}

impl Block {
    /// The block as the layout library's `blocks` reads it.
    pub(crate) fn to_json(&self) -> Value {
        match self {
            Block::Para(t) => json!({"kind": "p", "text": t}),
            Block::Heading {
                level,
                number,
                text,
                body,
            } => json!({
                "kind": format!("h{level}"),
                "number": number,
                "text": text,
                "body": body,
            }),
            Block::Stats => json!({"kind": "stats"}),
        }
    }
}

/// The blocks of `text`: one per non-empty line.
pub fn parse(text: &str) -> Vec<Block> {
    text.lines()
        .map(trim)
        .filter(|p| !p.is_empty())
        .map(paragraph)
        .collect()
}

/// The blocks of `text` as JSON (see [`Block::to_json`]).
pub(crate) fn parse_json(text: &str) -> Value {
    Value::Array(parse(text).iter().map(Block::to_json).collect())
}

fn trim(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace() || c == '\u{3000}' || c == '\u{a0}')
}

const STATS_MARKS: [&str; 4] = ["【统计】", "〔统计〕", "[统计]", "［统计］"];

fn paragraph(p: &str) -> Block {
    if STATS_MARKS.contains(&p) {
        return Block::Stats;
    }
    let Some((level, n)) = numbering(p) else {
        return Block::Para(p.to_string());
    };
    let (number, rest) = p.split_at(n);
    let rest_trimmed = trim(rest);
    if rest_trimmed.is_empty() {
        return Block::Para(p.to_string());
    }
    match sentence_end(rest_trimmed) {
        // The whole paragraph is the heading.
        None => Block::Heading {
            level,
            number: number.to_string(),
            text: rest_trimmed.to_string(),
            body: None,
        },
        Some(end) if end == rest_trimmed.len() => {
            if level <= 2 {
                Block::Heading {
                    level,
                    number: number.to_string(),
                    text: rest_trimmed.to_string(),
                    body: None,
                }
            } else {
                Block::Para(p.to_string())
            }
        }
        Some(end) => {
            let (head, body) = rest_trimmed.split_at(end);
            Block::Heading {
                level,
                number: number.to_string(),
                text: head.to_string(),
                body: Some(trim(body).to_string()),
            }
        }
    }
}

const CN_DIGITS: &str = "一二三四五六七八九十百零〇";

/// The level of the number `p` starts with and the number's length in bytes.
fn numbering(p: &str) -> Option<(u8, usize)> {
    let chars: Vec<(usize, char)> = p.char_indices().collect();
    let at = |i: usize| chars.get(i).map(|&(_, c)| c);
    let end = |i: usize| chars.get(i).map_or(p.len(), |&(b, _)| b);
    let run = |from: usize, f: &dyn Fn(char) -> bool| {
        let mut i = from;
        while at(i).is_some_and(f) {
            i += 1;
        }
        i - from
    };
    let cn = |c: char| CN_DIGITS.contains(c);
    let digit = |c: char| c.is_ascii_digit() || ('０'..='９').contains(&c);
    let first = at(0)?;
    // 一、
    if cn(first) {
        let k = run(0, &cn);
        return (at(k) == Some('、') && k <= 4).then(|| (1, end(k + 1)));
    }
    // （一） and （1）
    if first == '（' || first == '(' {
        let close = |c: Option<char>| c == Some('）') || c == Some(')');
        let k = run(1, &cn);
        if k > 0 && k <= 4 && close(at(1 + k)) {
            return Some((2, end(2 + k)));
        }
        let k = run(1, &digit);
        if k > 0 && k <= 2 && close(at(1 + k)) {
            return Some((4, end(2 + k)));
        }
        return None;
    }
    // 1.  1．  1、 (not 1.5 or 2023.)
    if digit(first) {
        let k = run(0, &digit);
        let sep = at(k)?;
        if k <= 2 && matches!(sep, '.' | '．' | '、') && !at(k + 1).is_some_and(digit) {
            return Some((3, end(k + 1)));
        }
    }
    None
}

/// The byte offset just after the first sentence of `s` (its “。！？” and any closing quotes or
/// brackets right after it), if `s` has a sentence end.
fn sentence_end(s: &str) -> Option<usize> {
    let mut it = s.char_indices().peekable();
    while let Some((i, c)) = it.next() {
        if matches!(c, '。' | '！' | '？') {
            let mut end = i + c.len_utf8();
            while let Some(&(j, d)) = it.peek() {
                if matches!(d, '”' | '’' | '）' | '」' | '』' | '》') {
                    end = j + d.len_utf8();
                    it.next();
                } else {
                    break;
                }
            }
            return Some(end);
        }
    }
    None
}

/// `s` with the numbers in it written as the standard writes them: a 案号's year in full-width
/// parentheses (`(2023)渝0112行初31号` → `（2023）渝0112行初31号`) and a document number's year in
/// hexagonal brackets (`国办发[2016]54号`, `国办发（2016）54号` → `国办发〔2016〕54号`).
/// Nothing else changes.
pub(crate) fn normalise_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '(' | '（' | '[' | '【' | '〔' | '［')
            && let Some(close) = year_close(&chars, i + 1)
        {
            let year: String = chars[i + 1..i + 5].iter().collect();
            let before = i.checked_sub(1).map(|j| chars[j]);
            let after = chars.get(close + 1).copied();
            let cjk = |c: Option<char>| c.is_some_and(is_cjk);
            if cjk(before)
                && after.is_some_and(|a| a.is_ascii_digit())
                && has_hao(&chars, close + 1)
            {
                out.push('〔');
                out.push_str(&year);
                out.push('〕');
                i = close + 1;
                continue;
            }
            if matches!(c, '(' | '（') && cjk(after) {
                out.push('（');
                out.push_str(&year);
                out.push('）');
                i = close + 1;
                continue;
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

/// When `chars[from..]` is four digits and a closing bracket, the closing bracket's index.
fn year_close(chars: &[char], from: usize) -> Option<usize> {
    let digits = chars.get(from..from + 4)?;
    if !digits.iter().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let close = from + 4;
    matches!(chars.get(close)?, ')' | '）' | ']' | '】' | '〕' | '］').then_some(close)
}

/// Whether the digits from `from` are followed by 号 (a document number's sequence).
fn has_hao(chars: &[char], from: usize) -> bool {
    let mut i = from;
    while chars.get(i).is_some_and(|c| c.is_ascii_digit()) {
        i += 1;
    }
    i > from && chars.get(i) == Some(&'号')
}

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

/// Every string in `v` with its numbers normalised (see [`normalise_numbers`]).
pub(crate) fn normalise_value(v: &mut Value) {
    match v {
        Value::String(s) => {
            let n = normalise_numbers(s);
            if n != *s {
                *s = n;
            }
        }
        Value::Array(a) => a.iter_mut().for_each(normalise_value),
        Value::Object(o) => o.values_mut().for_each(normalise_value),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(level: u8, number: &str, text: &str, body: Option<&str>) -> Block {
        Block::Heading {
            level,
            number: number.into(),
            text: text.into(),
            body: body.map(String::from),
        }
    }

    #[test]
    fn levels_and_run_in_headings() {
        let text = "尊敬的委员：\n\n一、基本情况\n　　近年来，我区高度重视。\n（一）严格落实国家及省级规定。我市坚决贯彻《规定》。\n（二）完善工作机制\n1．组织全体执法人员学习法律法规。\n2.建立台账。逐月报送。\n（1）细化要求\n【统计】\n十二、其他";
        assert_eq!(
            parse(text),
            vec![
                Block::Para("尊敬的委员：".into()),
                h(1, "一、", "基本情况", None),
                Block::Para("近年来，我区高度重视。".into()),
                h(
                    2,
                    "（一）",
                    "严格落实国家及省级规定。",
                    Some("我市坚决贯彻《规定》。")
                ),
                h(2, "（二）", "完善工作机制", None),
                Block::Para("1．组织全体执法人员学习法律法规。".into()),
                h(3, "2.", "建立台账。", Some("逐月报送。")),
                h(4, "（1）", "细化要求", None),
                Block::Stats,
                h(1, "十二、", "其他", None),
            ]
        );
    }

    #[test]
    fn numbers_that_are_not_headings() {
        for p in [
            "(2023)渝0112行初31号案件已审结。",
            "2023年度，全区共开庭354件。",
            "1.5万元已退还。",
            "2023.5.8作出决定。",
            "一是加强指导。",
            "（2023）渝01行终21号",
            "一、",
        ] {
            assert_eq!(parse(p), vec![Block::Para(p.into())], "{p}");
        }
        // A heading whose sentence ends with a closing quote keeps the quote.
        assert_eq!(
            parse("（三）做到“应出尽出”。各单位……"),
            vec![h(2, "（三）", "做到“应出尽出”。", Some("各单位……"))]
        );
    }

    #[test]
    fn recognition_keeps_every_character() {
        let p = "（一）严格落实国家及省级规定。我市坚决贯彻。";
        let Block::Heading {
            number, text, body, ..
        } = &parse(p)[0]
        else {
            panic!("not a heading");
        };
        assert_eq!(
            format!("{number}{text}{}", body.as_deref().unwrap_or("")),
            p
        );
    }

    #[test]
    fn numbers_get_the_standard_brackets() {
        assert_eq!(
            normalise_numbers(
                "案号：(2023)渝0112行初31号，依据国办发[2016]54号和渝府办发（2020）7号。"
            ),
            "案号：（2023）渝0112行初31号，依据国办发〔2016〕54号和渝府办发〔2020〕7号。"
        );
        assert_eq!(
            normalise_numbers("重庆市渝北区人民法院(2023)渝0112行初31号行政判决书"),
            "重庆市渝北区人民法院（2023）渝0112行初31号行政判决书"
        );
        // Not numbers: left alone.
        for s in ["《规定》(2023年修订)", "(2023)", "a(2023)b", "[2016]号"] {
            assert_eq!(normalise_numbers(s), s);
        }
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    /// What a block prints, in order.
    fn printed(b: &Block) -> String {
        match b {
            Block::Para(t) => t.clone(),
            Block::Heading {
                number, text, body, ..
            } => format!("{number}{text}{}", body.as_deref().unwrap_or("")),
            Block::Stats => String::new(),
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(512))]

        /// Whatever the clerk types — numbering, brackets, punctuation, digits, spaces at any
        /// place — recognition keeps every character of every paragraph (only the spaces around
        /// a paragraph and between a run-in heading and its text go), and never panics.
        #[test]
        fn recognition_never_loses_a_character(
            text in "([一二三十、（）()1-9.．。！？”“：，\\n 　a-z甲乙丙丁]|【统计】){0,60}"
        ) {
            let blocks = parse(&text);
            let squeeze = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
            let want: String = text
                .lines()
                .map(trim)
                .filter(|p| !p.is_empty() && !STATS_MARKS.contains(p))
                .map(squeeze)
                .collect();
            let got: String = blocks.iter().map(printed).map(|s| squeeze(&s)).collect();
            proptest::prop_assert_eq!(got, want);
        }

        /// Normalising numbers changes only brackets: the text without brackets is the same.
        #[test]
        fn normalising_changes_only_brackets(text in "[()（）\\[\\]〔〕【】0-9号渝行初国办发 a]{0,40}") {
            let strip = |s: &str| s.chars().filter(|c| !"()（）[]〔〕【】［］".contains(*c)).collect::<String>();
            proptest::prop_assert_eq!(strip(&normalise_numbers(&text)), strip(&text));
        }
    }
}
