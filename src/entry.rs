//! Checking a text value when it enters: owns refusing, at the door, text that would later
//! typeset wrongly or read differently from what was recorded.
//!
//! A value enters from a case file, a `--set` option or a `--from` file. [`check_text`] refuses:
//!
//! - control characters (NUL, BEL, ESC, DEL, the C1 range, U+2028/U+2029) — `\n`, `\r\n` and
//!   `\t` are allowed in multi-line fields ([`Field::TEXT`]) only;
//! - bidirectional formatting characters (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F,
//!   U+061C), which reorder the text around them when displayed;
//! - a required value that is empty or only whitespace (full-width space U+3000 and no-break
//!   space included) or invisible characters;
//! - more than [`MAX_FIELD_CHARS`] characters.
//!
//! [`check_list`] bounds a list field: at most [`MAX_LIST_ITEMS`] items, whose characters
//! together count as one field's.
//!
//! [`check_long_token`] and [`uncovered`] / [`check_glyphs`] are helpers for what the
//! typesetter cannot lay out: a run without a break opportunity wider than a line, and
//! characters no font has.
//!
//! Every message names where the value lives — the caller's `label`, e.g.
//! `facts.plaintiff（原告）` or `--set plaintiff` — and how to fix it. A refusal is a user error
//! (exit code 1) carrying one [`Diagnostic`], to which the caller may attach file and position.

use crate::error::{Diagnostic, Result};

/// The most characters (Unicode scalar values, not bytes) one field may hold: about ten pages of
/// body text in a GB/T 9704 document (22 lines × 28 characters a page), far beyond any party
/// name, claim or statement of facts, yet small enough that a pasted file is caught.
pub const MAX_FIELD_CHARS: usize = 20_000;

/// The most items one list field may hold (a 抄送 list, the sections of a reply): far beyond
/// any document, and every list this long typesets (a test renders one). The characters of all
/// its items count together against [`MAX_FIELD_CHARS`], as one field.
pub const MAX_LIST_ITEMS: usize = 500;

/// Refuses a list of more than [`MAX_LIST_ITEMS`] items, or whose items have more than
/// [`MAX_FIELD_CHARS`] characters together; `chars` is that total.
pub(crate) fn check_list(label: &str, items: usize, chars: usize) -> Result<()> {
    if items > MAX_LIST_ITEMS {
        return Err(Diagnostic::new(format!(
            "{label} 太长：共 {items} 项，超过每个列表 {MAX_LIST_ITEMS} 项的上限"
        ))
        .help("请精简列表；篇幅很长的材料请作为附件另行归档，不要整篇填入一个字段")
        .into());
    }
    if chars > MAX_FIELD_CHARS {
        return Err(Diagnostic::new(format!(
            "{label} 太长：各项共 {chars} 个字符，超过每个字段 {MAX_FIELD_CHARS} 个字符的上限"
        ))
        .help("请精简内容；篇幅很长的材料请作为附件另行归档，不要整篇填入一个字段")
        .into());
    }
    Ok(())
}

/// The longest run of characters without a break opportunity (see [`check_long_token`]) that
/// fits one body line: the type area is 156 mm wide and the body is 三号 (16 pt ≈ 5.6 mm), so 28
/// Chinese characters or about 56 half-width ones.
#[cfg(test)]
pub(crate) const MAX_TOKEN_CHARS: usize = 56;

/// What a field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// Line breaks (`\n`, `\r\n`) and tabs are allowed.
    pub multiline: bool,
    /// An empty or blank value is refused.
    pub required: bool,
}

impl Field {
    /// A required single-line value: a name, an address, a 案号.
    pub(crate) const LINE: Field = Field {
        multiline: false,
        required: true,
    };
    /// A required multi-line text: facts, reasons, claims.
    pub(crate) const TEXT: Field = Field {
        multiline: true,
        required: true,
    };

    /// The same field, allowed to be empty.
    pub const fn optional(self) -> Field {
        Field {
            required: false,
            ..self
        }
    }
}

/// Checks `value` for the field `label` (see the module documentation) and returns it unchanged.
pub fn check_text<'a>(label: &str, value: &'a str, field: Field) -> Result<&'a str> {
    let count = value.chars().count();
    if count > MAX_FIELD_CHARS {
        return Err(Diagnostic::new(format!(
            "{label} 太长：共 {count} 个字符，超过每个字段 {MAX_FIELD_CHARS} 个字符的上限"
        ))
        .help("请精简内容；篇幅很长的材料请作为附件另行归档，不要整篇填入一个字段")
        .into());
    }
    let mut chars = value.chars().enumerate().peekable();
    while let Some((i, c)) = chars.next() {
        let at = i + 1;
        if field.multiline && (c == '\n' || c == '\t') {
            continue;
        }
        if field.multiline && c == '\r' && chars.peek().is_some_and(|(_, n)| *n == '\n') {
            continue;
        }
        if !field.multiline && matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}' | '\u{85}') {
            return Err(
                Diagnostic::new(format!("{label} 只能填写一行，第 {at} 个字符处有换行"))
                    .help("删除换行，把内容写在同一行")
                    .into(),
            );
        }
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            return Err(Diagnostic::new(format!(
                "{label} 第 {at} 个字符是控制字符 U+{:04X}（{}），不能排版",
                c as u32,
                control_name(c)
            ))
            .help(
                "删除该字符后重试（常见于从其他软件或网页复制的文字）；在 YAML 中可用引号内的转义写法检查，如 \"\\u0007\"",
            ).into());
        }
        if is_bidi_control(c) {
            return Err(Diagnostic::new(format!(
                "{label} 第 {at} 个字符是不可见的文字方向控制字符（U+{:04X}），它会改变文字的显示顺序，使记录的内容与看到的不同",
                c as u32
            ))
            .help("删除该字符后重试（常见于从网页或聊天软件复制的文字）").into());
        }
    }
    if field.required {
        if value.is_empty() {
            return Err(Diagnostic::new(format!("{label} 不能为空"))
                .help("请填写该项内容")
                .into());
        }
        if value.chars().all(|c| c.is_whitespace() || is_zero_width(c)) {
            return Err(Diagnostic::new(format!(
                "{label} 只有空白字符（空格、全角空格、不换行空格或换行），等于没有填写"
            ))
            .help("请填写实际内容")
            .into());
        }
    }
    Ok(value)
}

/// The first run of more than `max` characters without a break opportunity: characters other
/// than whitespace and Chinese, Japanese or Korean characters and punctuation (between which a
/// line may break). Returns the run's start (0-based, in characters) and length.
#[cfg(test)]
pub(crate) fn long_token(value: &str, max: usize) -> Option<(usize, usize)> {
    let mut start = 0;
    let mut len = 0;
    for (i, c) in value.chars().enumerate() {
        if c.is_whitespace() || is_breakable_wide(c) {
            if len > max {
                return Some((start, len));
            }
            len = 0;
        } else {
            if len == 0 {
                start = i;
            }
            len += 1;
        }
    }
    (len > max).then_some((start, len))
}

/// Refuses a value with a run longer than `max` characters that cannot break across lines
/// (see [`long_token`]; [`MAX_TOKEN_CHARS`] fits one body line).
#[cfg(test)]
pub(crate) fn check_long_token(label: &str, value: &str, max: usize) -> Result<()> {
    let Some((start, len)) = long_token(value, max) else {
        return Ok(());
    };
    let mut head: String = value.chars().skip(start).take(len.min(20)).collect();
    if len > 20 {
        head.push('…');
    }
    Err(Diagnostic::new(format!(
        "{label} 第 {} 个字符起有一段连续 {len} 个字符、中间没有空格的文字（“{head}”），超过一行能排下的 {max} 个字符，排版时无法换行",
        start + 1
    ))
    .help("在适当位置加入空格，或缩短这段文字（例如改用较短的网址）").into())
}

/// The distinct characters of `value` for which `covers` is false, in order of first
/// appearance, at most `limit` of them. Line breaks, tabs, other control characters and
/// zero-width characters need no glyph and are skipped, as the typesetter's own coverage check
/// does (`Typesetter::check_coverage`). `covers` is asked once per distinct character.
pub(crate) fn uncovered(
    value: &str,
    mut covers: impl FnMut(char) -> bool,
    limit: usize,
) -> Vec<char> {
    let mut seen: Vec<char> = Vec::new();
    let mut missing = Vec::new();
    for c in value.chars() {
        if missing.len() >= limit {
            break;
        }
        if c.is_control() || is_zero_width(c) || seen.contains(&c) {
            continue;
        }
        seen.push(c);
        if !covers(c) {
            missing.push(c);
        }
    }
    missing
}

/// Refuses a value with characters no font can show, naming up to five of them. `covers` is the
/// typesetter's notion: a face of the body font chain has a glyph for the character
/// (`FontStore::covers(BODY_FONTS, c)`).
pub(crate) fn check_glyphs(
    label: &str,
    value: &str,
    covers: impl FnMut(char) -> bool,
) -> Result<()> {
    let missing = uncovered(value, covers, 5);
    if missing.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = missing
        .iter()
        .map(|c| format!("“{c}”（U+{:04X}）", *c as u32))
        .collect();
    Err(Diagnostic::new(format!(
        "{label} 中的字符{}无法排版：正文字体及后备字体均不包含",
        list.join("、")
    ))
    .help("请核对该字段的文字；确需生僻字时，在工作区 fonts/ 中放入包含该字的字体（.ttf/.otf）")
    .into())
}

/// Explicit bidirectional formatting characters, and the Arabic letter mark.
pub(crate) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Invisible characters that typeset as nothing: zero-width space, (non-)joiners, word joiner,
/// the byte-order mark (the same set as the typesetter's).
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Characters between which a line may break: CJK ideographs, kana, Hangul, CJK punctuation and
/// full-width forms.
#[cfg(test)]
fn is_breakable_wide(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x303F | 0x3040..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF |
        0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F |
        0xFF00..=0xFFEF | 0x20000..=0x3FFFD)
}

/// The usual name of a control character, for the message.
fn control_name(c: char) -> &'static str {
    match c {
        '\0' => "空字符 NUL",
        '\u{7}' => "响铃 BEL",
        '\u{8}' => "退格 BS",
        '\t' => "制表符 TAB",
        '\u{b}' => "垂直制表符 VT",
        '\u{c}' => "换页符 FF",
        '\r' => "回车符 CR",
        '\u{1b}' => "转义符 ESC",
        '\u{7f}' => "删除符 DEL",
        '\u{2028}' => "行分隔符 LS",
        '\u{2029}' => "段分隔符 PS",
        _ => "不可见的控制字符",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const LABEL: &str = "facts.plaintiff（原告）";

    fn refused(value: &str, field: Field) -> String {
        message(check_text(LABEL, value, field).unwrap_err())
    }

    fn message(e: crate::Error) -> String {
        e.diagnostics()[0].message.clone()
    }

    #[test]
    fn ordinary_values_pass_unchanged() {
        for v in [
            "重庆市某某区人民政府",
            "张三 Zhang San",
            "a\tb",
            "一行\n两行\r\n三行",
        ] {
            assert_eq!(check_text(LABEL, v, Field::TEXT).unwrap(), v);
        }
        assert_eq!(check_text(LABEL, "", Field::LINE.optional()).unwrap(), "");
        assert_eq!(
            check_text(LABEL, "\u{3000}", Field::TEXT.optional()).unwrap(),
            "\u{3000}"
        );
        let long = "字".repeat(MAX_FIELD_CHARS);
        assert_eq!(
            check_text(LABEL, &long, Field::TEXT).unwrap(),
            long.as_str()
        );
    }

    #[test]
    fn control_characters_are_refused_by_name_and_place() {
        assert_eq!(
            refused("张\u{0}三", Field::LINE),
            "facts.plaintiff（原告） 第 2 个字符是控制字符 U+0000（空字符 NUL），不能排版"
        );
        assert_eq!(
            refused("张三\u{7}", Field::TEXT),
            "facts.plaintiff（原告） 第 3 个字符是控制字符 U+0007（响铃 BEL），不能排版"
        );
        assert_eq!(
            refused("\u{1b}[31m红", Field::TEXT),
            "facts.plaintiff（原告） 第 1 个字符是控制字符 U+001B（转义符 ESC），不能排版"
        );
        assert_eq!(
            refused("a\rb", Field::TEXT),
            "facts.plaintiff（原告） 第 2 个字符是控制字符 U+000D（回车符 CR），不能排版"
        );
        assert_eq!(
            refused("a\u{2028}b", Field::TEXT),
            "facts.plaintiff（原告） 第 2 个字符是控制字符 U+2028（行分隔符 LS），不能排版"
        );
        assert_eq!(
            refused("a\u{9b}b", Field::TEXT),
            "facts.plaintiff（原告） 第 2 个字符是控制字符 U+009B（不可见的控制字符），不能排版"
        );
        assert_eq!(
            refused("a\tb", Field::LINE),
            "facts.plaintiff（原告） 第 2 个字符是控制字符 U+0009（制表符 TAB），不能排版"
        );
        assert_eq!(
            refused("张三\n李四", Field::LINE),
            "facts.plaintiff（原告） 只能填写一行，第 3 个字符处有换行"
        );
        let e = check_text("--set plaintiff", "a\u{7}", Field::LINE).unwrap_err();
        let d = e.diagnostics()[0];
        assert_eq!(
            d.message,
            "--set plaintiff 第 2 个字符是控制字符 U+0007（响铃 BEL），不能排版"
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "删除该字符后重试（常见于从其他软件或网页复制的文字）；在 YAML 中可用引号内的转义写法检查，如 \"\\u0007\""
            )
        );
    }

    #[test]
    fn bidi_controls_are_refused() {
        for c in [
            '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}',
            '\u{2068}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            let v = format!("张三{c}");
            assert_eq!(
                refused(&v, Field::TEXT),
                format!(
                    "facts.plaintiff（原告） 第 3 个字符是不可见的文字方向控制字符（U+{:04X}），它会改变文字的显示顺序，使记录的内容与看到的不同",
                    c as u32
                )
            );
        }
        let e = check_text(LABEL, "\u{202E}", Field::LINE).unwrap_err();
        let d = e.diagnostics()[0];
        assert_eq!(
            d.help.as_deref(),
            Some("删除该字符后重试（常见于从网页或聊天软件复制的文字）")
        );
    }

    #[test]
    fn blank_required_values_are_refused() {
        assert_eq!(refused("", Field::LINE), "facts.plaintiff（原告） 不能为空");
        for v in [" ", "\u{3000}\u{3000}", "\u{00A0}", " \n\t ", "\u{200B}"] {
            assert_eq!(
                refused(v, Field::TEXT),
                "facts.plaintiff（原告） 只有空白字符（空格、全角空格、不换行空格或换行），等于没有填写",
                "{v:?}"
            );
        }
    }

    #[test]
    fn over_long_values_are_refused() {
        let long = "字".repeat(MAX_FIELD_CHARS + 1);
        let e = check_text(LABEL, &long, Field::TEXT).unwrap_err();
        let d = e.diagnostics()[0];
        assert_eq!(
            d.message,
            "facts.plaintiff（原告） 太长：共 20001 个字符，超过每个字段 20000 个字符的上限"
        );
        assert_eq!(
            d.help.as_deref(),
            Some("请精简内容；篇幅很长的材料请作为附件另行归档，不要整篇填入一个字段")
        );
    }

    #[test]
    fn long_tokens_are_found() {
        assert_eq!(long_token("短文字 short words", 5), None);
        assert_eq!(
            long_token("中文可以在任意两字之间换行中文可以在任意两字之间换行", 5),
            None
        );
        assert_eq!(long_token("见 https://example.org/a 页", 10), Some((2, 21)));
        assert_eq!(long_token("abcdef", 5), Some((0, 6)));
        assert_eq!(long_token("abcde", 5), None);
        let url = format!("网址：https://example.org/{}", "x".repeat(60));
        assert_eq!(
            message(check_long_token("facts.reason（理由）", &url, MAX_TOKEN_CHARS).unwrap_err()),
            "facts.reason（理由） 第 4 个字符起有一段连续 80 个字符、中间没有空格的文字（“https://example.org/…”），超过一行能排下的 56 个字符，排版时无法换行"
        );
        assert!(check_long_token(LABEL, "张三", MAX_TOKEN_CHARS).is_ok());
    }

    #[test]
    fn uncovered_characters_are_listed_once_in_order() {
        let covers = |c: char| c != '𠀀' && c != '㐀';
        assert_eq!(uncovered("张𠀀三㐀𠀀\n", covers, 10), vec!['𠀀', '㐀']);
        assert_eq!(uncovered("张𠀀三㐀", covers, 1), vec!['𠀀']);
        let mut asked = 0;
        uncovered(
            "aaaa\u{200B}\n",
            |_| {
                asked += 1;
                true
            },
            10,
        );
        assert_eq!(asked, 1);
        assert!(check_glyphs(LABEL, "张三", covers).is_ok());
        let e = check_glyphs(LABEL, "张𠀀三㐀", covers).unwrap_err();
        let d = e.diagnostics()[0];
        assert_eq!(
            d.message,
            "facts.plaintiff（原告） 中的字符“𠀀”（U+20000）、“㐀”（U+3400）无法排版：正文字体及后备字体均不包含"
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "请核对该字段的文字；确需生僻字时，在工作区 fonts/ 中放入包含该字的字体（.ttf/.otf）"
            )
        );
    }

    proptest! {
        #[test]
        fn any_string_is_returned_unchanged_or_refused_with_a_message(s in any::<String>()) {
            for field in [Field::LINE, Field::TEXT, Field::LINE.optional(), Field::TEXT.optional()] {
                match check_text(LABEL, &s, field) {
                    Ok(v) => prop_assert_eq!(v, s.as_str()),
                    Err(e) => {
                        let d = e.diagnostics()[0];
                        prop_assert!(d.message.starts_with(LABEL));
                        prop_assert!(d.help.is_some());
                    }
                }
            }
            let _ = long_token(&s, 0);
            let _ = check_long_token(LABEL, &s, MAX_TOKEN_CHARS);
            let _ = uncovered(&s, |c| c.is_ascii(), 3);
        }

        #[test]
        fn text_with_controls_mixed_in_never_panics(
            s in "[\\x00-\\x1f\\x7f\u{202a}-\u{202e}\u{2066}-\u{2069}\u{3000}\u{a0} a张\n\r\t]{0,40}"
        ) {
            for field in [Field::LINE, Field::TEXT] {
                if let Ok(v) = check_text(LABEL, &s, field) {
                    prop_assert_eq!(v, s.as_str());
                    prop_assert!(!v.chars().any(is_bidi_control));
                }
            }
        }
    }
}
