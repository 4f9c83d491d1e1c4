//! 案号: owns reading, checking and normalising the case numbers courts give administrative cases.
//!
//! The form is fixed by the Supreme People's Court (《关于人民法院案件案号的若干规定》 and its
//! 《人民法院案件类型及其代字标准》): “（”收案年度“）”＋法院代字＋类型代字＋案件编号＋“号”, e.g.
//! `（2023）渝0112行初123号`:
//!
//! - 收案年度: the year the court received the case, four digits;
//! - 法院代字: `最高法`, or a province's one-character abbreviation (`渝`) alone for its high
//!   court, followed by two digits for an intermediate court (`渝01`) or four for a basic one
//!   (`渝0112`); special courts (railway, maritime, internet, …) are numbered the same way;
//! - 类型代字: the kind of case, e.g. `行初` (first instance) — see [`ADMINISTRATIVE_TYPES`];
//! - 案件编号: the running number within the year, court and kind.
//!
//! A rare ruling numbered after another carries a suffix: `（2019）最高法行申1234号之一`.
//!
//! People type 案号 with half-width brackets, full-width digits and stray spaces;
//! [`CaseNumber::canonical`] is the court's own form, so two strings whose canonical forms are
//! equal name the same case ([`same`]). [`parse`] checks an administrative 案号 strictly and says
//! what is wrong in Chinese; [`parse_lenient`] accepts any kind of case and never panics.

use std::fmt;

use crate::error::{Diagnostic, Result};

/// The kinds of administrative case (行政案件类型代字) and what each is, in the order a case
/// goes: first instance, appeal, retrial review, retrial; then jurisdiction, applications to
/// enforce administrative decisions, and administrative compensation.
pub(crate) const ADMINISTRATIVE_TYPES: &[(&str, &str)] = &[
    ("行初", "一审"),
    ("行终", "二审"),
    ("行申", "申请再审审查"),
    ("行抗", "抗诉再审审查"),
    ("行监", "依职权再审审查"),
    ("行再", "再审"),
    ("行辖", "管辖"),
    ("行辖终", "管辖上诉"),
    ("行审", "非诉行政行为申请执行审查"),
    ("行审复", "非诉行政行为申请执行审查复议"),
    ("行赔初", "行政赔偿一审"),
    ("行赔终", "行政赔偿二审"),
    ("行赔申", "行政赔偿申请再审审查"),
    ("行赔抗", "行政赔偿抗诉再审审查"),
    ("行赔监", "行政赔偿依职权再审审查"),
    ("行赔再", "行政赔偿再审"),
    ("行他", "请示等其他行政案件"),
];

/// The first character of a court code other than `最高法`: the provinces' abbreviations, `兵`
/// (the Xinjiang Production and Construction Corps courts) and `军` (military courts).
const PROVINCES: &str = "京津冀晋内辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川黔云藏陕甘青宁新兵军";

/// The Supreme People's Court's code.
const SUPREME: &str = "最高法";

/// Help for a malformed 案号.
const HELP: &str = "案号的格式为“（收案年度）＋法院代字＋类型代字＋案件编号＋号”，例如（2023）渝0112行初123号、（2023）渝01行终45号、（2022）最高法行再7号";

/// The level of the court a 案号 was given by, read from its court code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CourtLevel {
    /// `最高法`.
    Supreme,
    /// A province's abbreviation alone (`渝`).
    High,
    /// Abbreviation and two digits (`渝01`).
    Intermediate,
    /// Abbreviation and four digits (`渝0112`).
    Basic,
}

/// A parsed 案号.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct CaseNumber {
    /// 收案年度.
    pub year: u16,
    /// 法院代字, e.g. `渝0112` or `最高法`.
    pub court: String,
    /// 类型代字, e.g. `行初`.
    pub type_code: String,
    /// 案件编号 (leading zeros dropped).
    pub seq: u32,
    /// The numeral after `之` of a suffixed 案号 (`一` for `…号之一`).
    pub part: Option<String>,
}

impl CaseNumber {
    /// The court's form: full-width brackets, ASCII digits, no spaces, e.g. `（2023）渝0112行初123号`.
    pub fn canonical(&self) -> String {
        let mut s = format!(
            "（{}）{}{}{}号",
            self.year, self.court, self.type_code, self.seq
        );
        if let Some(part) = &self.part {
            s.push('之');
            s.push_str(part);
        }
        s
    }

    /// What kind of administrative case the type code stands for (`一审` for `行初`), or `None`
    /// for a code not in [`ADMINISTRATIVE_TYPES`].
    pub fn stage(&self) -> Option<&'static str> {
        ADMINISTRATIVE_TYPES
            .iter()
            .find(|(code, _)| *code == self.type_code)
            .map(|(_, what)| *what)
    }

    /// The level of the court, read from the number of digits of its code.
    #[cfg(test)]
    pub(crate) fn court_level(&self) -> CourtLevel {
        if self.court == SUPREME {
            return CourtLevel::Supreme;
        }
        match self.court.chars().filter(char::is_ascii_digit).count() {
            0 => CourtLevel::High,
            2 => CourtLevel::Intermediate,
            _ => CourtLevel::Basic,
        }
    }
}

/// The instance a case is at, which names its parties (行政诉讼法; 法释〔2018〕1号).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instance {
    /// 一审: 原告 / 被告.
    First,
    /// 二审: 上诉人 / 被上诉人.
    Appeal,
    /// 再审 and its review: 再审申请人 / 被申请人.
    Retrial,
}

impl Instance {
    /// The instance of a type code (`行终` → 二审); `None` for one that is not a trial
    /// (jurisdiction, enforcement review, 行他).
    pub(crate) fn of_type(code: &str) -> Option<Instance> {
        match code {
            "行初" | "行赔初" => Some(Instance::First),
            "行终" | "行赔终" => Some(Instance::Appeal),
            "行申" | "行抗" | "行监" | "行再" | "行赔申" | "行赔抗" | "行赔监" | "行赔再" => {
                Some(Instance::Retrial)
            }
            _ => None,
        }
    }

    /// The instance a workflow's 审级 names (一审, 二审, 再审).
    pub(crate) fn of_level(level: &str) -> Option<Instance> {
        match level.trim() {
            "一审" => Some(Instance::First),
            "二审" => Some(Instance::Appeal),
            "再审" => Some(Instance::Retrial),
            _ => None,
        }
    }

    /// 一审, 二审 or 再审.
    pub fn name(self) -> &'static str {
        match self {
            Instance::First => "一审",
            Instance::Appeal => "二审",
            Instance::Retrial => "再审",
        }
    }
}

/// One side's role in a case: `role` at this instance, `original` its role at first instance
/// when the case is past it (原审原告), and `label` as a caption prints it (上诉人（原审原告）).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub role: &'static str,
    pub original: Option<String>,
}

impl Role {
    pub fn label(&self) -> String {
        match &self.original {
            Some(o) => format!("{}（{o}）", self.role),
            None => self.role.to_string(),
        }
    }
}

/// The parties' roles: the plaintiff's side (a person or organisation, or the procuratorate in
/// a public-interest suit: 公益诉讼起诉人) and the defendant agency's, and which side moved the
/// case on (the appellant or the applicant for retrial; the plaintiff at first instance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parties {
    pub instance: Instance,
    pub plaintiff: Role,
    pub defendant: Role,
    /// Whether the agency appealed or applied for retrial (it is then named first).
    pub agency_moved: bool,
}

/// The roles of a case at `instance`, brought by the procuratorate or not, moved on by the
/// agency or by the plaintiff's side.
pub fn parties(instance: Instance, procuratorate: bool, agency_moved: bool) -> Parties {
    let first_plaintiff = if procuratorate {
        "公益诉讼起诉人"
    } else {
        "原告"
    };
    let (mover, other) = match instance {
        Instance::First => {
            return Parties {
                instance,
                plaintiff: Role {
                    role: first_plaintiff,
                    original: None,
                },
                defendant: Role {
                    role: "被告",
                    original: None,
                },
                agency_moved: false,
            };
        }
        Instance::Appeal => ("上诉人", "被上诉人"),
        Instance::Retrial => ("再审申请人", "被申请人"),
    };
    let (p, d) = if agency_moved {
        (other, mover)
    } else {
        (mover, other)
    };
    Parties {
        instance,
        plaintiff: Role {
            role: p,
            original: Some(format!("原审{first_plaintiff}")),
        },
        defendant: Role {
            role: d,
            original: Some("原审被告".into()),
        },
        agency_moved,
    }
}

/// The instance of a case: its 案号's type code when the 案号 reads, else its 审级 (`level`).
pub(crate) fn instance_of(case_number: Option<&str>, level: Option<&str>) -> Option<Instance> {
    case_number
        .and_then(parse_lenient)
        .and_then(|n| Instance::of_type(&n.type_code))
        .or_else(|| level.and_then(Instance::of_level))
}

impl fmt::Display for CaseNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical())
    }
}

/// Parses an administrative 案号, accepting half-width or full-width brackets, full-width
/// digits and spaces anywhere. Refused, with what is expected and an example: anything not of
/// the form above, a court code other than `最高法` or a province's abbreviation with 0, 2 or 4
/// digits, and a type code not in [`ADMINISTRATIVE_TYPES`] (a civil `民初`, say).
pub fn parse(input: &str) -> Result<CaseNumber> {
    let n = parse_with(input, true).map_err(|reason| {
        if fold(input).is_empty() {
            Diagnostic::new("案号为空").help(HELP)
        } else {
            Diagnostic::new(format!("案号“{}”格式不对：{reason}", shown(input))).help(HELP)
        }
    })?;
    if n.stage().is_none() {
        let known: Vec<String> = ADMINISTRATIVE_TYPES
            .iter()
            .map(|(code, what)| format!("{code}（{what}）"))
            .collect();
        return Err(Diagnostic::new(format!(
            "案号“{}”的类型代字“{}”不是行政案件的类型代字",
            shown(input),
            n.type_code
        ))
        .help(format!(
            "行政案件的类型代字有：{}；例如（2023）渝0112行初123号",
            known.join("、")
        ))
        .into());
    }
    Ok(n)
}

/// Parses any 案号 of the form above, of any kind of case (`民初` too) and any number of digits
/// in the court code; `None` when the text is not one. Never panics, whatever the input.
pub(crate) fn parse_lenient(input: &str) -> Option<CaseNumber> {
    parse_with(input, false).ok()
}

/// The canonical form of a 案号 (see [`CaseNumber::canonical`]), or `None` when `input` is not
/// one (see [`parse_lenient`]).
pub(crate) fn normalize(input: &str) -> Option<String> {
    parse_lenient(input).map(|n| n.canonical())
}

/// Whether two strings are the same 案号, however typed. Two strings that are not 案号 at all
/// are not the same.
pub fn same(a: &str, b: &str) -> bool {
    match (parse_lenient(a), parse_lenient(b)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

/// Brackets to `（` `）`, full-width digits to ASCII, spaces (full-width and no-break included)
/// and zero-width characters removed.
fn fold(input: &str) -> String {
    input
        .chars()
        .filter(|c| {
            !(c.is_whitespace() || matches!(c, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'))
        })
        .map(|c| match c {
            '(' | '（' | '〔' | '[' | '［' | '【' | '﹙' => '（',
            ')' | '）' | '〕' | ']' | '］' | '】' | '﹚' => '）',
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            c => c,
        })
        .collect()
}

/// The parser behind [`parse`] and [`parse_lenient`]; `strict` limits court codes to 0, 2 or 4
/// digits. The error is the reason, to follow “格式不对：”.
fn parse_with(input: &str, strict: bool) -> Result<CaseNumber, String> {
    let s = fold(input);
    let mut rest = s.as_str();
    if rest.is_empty() {
        return Err("案号为空".into());
    }
    rest = rest
        .strip_prefix('（')
        .ok_or("应以括号括起的收案年度开头，如“（2023）”")?;
    let (year, after) = rest.split_once('）').ok_or("收案年度后缺少右括号“）”")?;
    if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "收案年度“{}”应为四位数字，如“（2023）”",
            shown(year)
        ));
    }
    let year: u16 = year.parse().map_err(|_| "收案年度应为四位数字")?;
    rest = after;

    let court = if rest.starts_with(SUPREME) {
        SUPREME.to_string()
    } else {
        let mut chars = rest.chars();
        let first = chars.next().ok_or("缺少法院代字、类型代字和案件编号")?;
        if !PROVINCES.contains(first) {
            return Err(format!(
                "法院代字应为“最高法”，或省级简称（如“渝”）加 2 位（中级法院）或 4 位（基层法院）数字，不能以“{}”开头",
                shown(&first.to_string())
            ));
        }
        let digits: String = chars.take_while(|c| c.is_ascii_digit()).collect();
        if strict && !matches!(digits.len(), 0 | 2 | 4) {
            return Err(format!(
                "法院代字“{first}{digits}”应为省级简称加 2 位（中级法院）或 4 位（基层法院）数字"
            ));
        }
        format!("{first}{digits}")
    };
    rest = &rest[court.len()..];

    let type_len: usize = rest
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit() || *c == '号')
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    let type_code = &rest[..type_len];
    if type_code.is_empty() {
        return Err("法院代字后缺少类型代字（如“行初”）".into());
    }
    if type_code.chars().count() > 4 || !type_code.chars().all(is_han) {
        return Err(format!(
            "类型代字“{}”应为几个汉字，如“行初”，其后是案件编号和“号”字",
            shown(type_code)
        ));
    }
    rest = &rest[type_len..];

    let seq_len = rest
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(rest.len());
    let seq = &rest[..seq_len];
    if seq.is_empty() {
        return Err("类型代字后缺少案件编号".into());
    }
    let seq_trimmed = seq.trim_start_matches('0');
    if seq_trimmed.is_empty() {
        return Err("案件编号不能为 0".into());
    }
    if seq_trimmed.len() > 9 {
        return Err(format!("案件编号“{seq}”过长"));
    }
    let seq: u32 = seq_trimmed.parse().map_err(|_| "案件编号应为数字")?;
    rest = &rest[seq_len..];

    rest = rest.strip_prefix('号').ok_or("案件编号后应以“号”字结尾")?;
    let part = if rest.is_empty() {
        None
    } else {
        match rest.strip_prefix('之') {
            Some(numeral)
                if !numeral.is_empty()
                    && numeral.chars().all(|c| "一二三四五六七八九十".contains(c)) =>
            {
                Some(numeral.to_string())
            }
            _ => return Err(format!("“号”字后多出了“{}”", shown(rest))),
        }
    };
    Ok(CaseNumber {
        year,
        court,
        type_code: type_code.to_string(),
        seq,
        part,
    })
}

/// CJK unified ideographs (the basic block and extension A), as type codes are written.
fn is_han(c: char) -> bool {
    matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}')
}

/// Input as quoted in a message: control and invisible format characters escaped, at most 40
/// characters.
fn shown(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if c.is_control()
            || matches!(c, '\u{061C}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}')
        {
            out.push_str(&format!("\\u{{{:04X}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn n(year: u16, court: &str, type_code: &str, seq: u32) -> CaseNumber {
        CaseNumber {
            year,
            court: court.into(),
            type_code: type_code.into(),
            seq,
            part: None,
        }
    }

    #[test]
    fn parses_the_usual_forms() {
        let a = parse("（2023）渝0112行初123号").unwrap();
        assert_eq!(a, n(2023, "渝0112", "行初", 123));
        assert_eq!(a.stage(), Some("一审"));
        assert_eq!(a.court_level(), CourtLevel::Basic);
        let b = parse("(2023)渝01行终45号").unwrap();
        assert_eq!(b, n(2023, "渝01", "行终", 45));
        assert_eq!(b.stage(), Some("二审"));
        assert_eq!(b.court_level(), CourtLevel::Intermediate);
        assert_eq!(b.canonical(), "（2023）渝01行终45号");
        let c = parse("（2022）最高法行再7号").unwrap();
        assert_eq!(c, n(2022, "最高法", "行再", 7));
        assert_eq!(c.stage(), Some("再审"));
        assert_eq!(c.court_level(), CourtLevel::Supreme);
        let d = parse("（2023）渝0112行审复1号").unwrap();
        assert_eq!(d, n(2023, "渝0112", "行审复", 1));
        assert_eq!(d.stage(), Some("非诉行政行为申请执行审查复议"));
        let e = parse("（2020）渝行申88号").unwrap();
        assert_eq!(e.stage(), Some("申请再审审查"));
        assert_eq!(e.court_level(), CourtLevel::High);
        let f = parse("（2019）最高法行申1234号之一").unwrap();
        assert_eq!(f.part.as_deref(), Some("一"));
        assert_eq!(f.to_string(), "（2019）最高法行申1234号之一");
        assert_eq!(
            parse("（2021）京0491行赔初3号").unwrap().stage(),
            Some("行政赔偿一审")
        );
    }

    #[test]
    fn normalises_to_the_courts_form() {
        for typed in [
            "（2023）渝0112行初123号",
            "(2023)渝0112行初123号",
            " ( 2023 ) 渝 0112 行初 123 号 ",
            "（２０２３）渝０１１２行初１２３号",
            "〔2023〕渝0112行初0123号",
            "\u{3000}（2023）渝0112行初123号\u{00A0}",
            "[2023]渝0112行初123号",
        ] {
            assert_eq!(
                normalize(typed).as_deref(),
                Some("（2023）渝0112行初123号"),
                "{typed:?}"
            );
        }
        assert!(same("(2023)渝01行终45号", "（２０２３）渝01行终 45号"));
        assert!(!same("(2023)渝01行终45号", "(2023)渝01行终46号"));
        assert!(!same("not one", "not one"));
        assert_eq!(
            normalize("（2023）渝0112民初5号").as_deref(),
            Some("（2023）渝0112民初5号")
        );
        assert_eq!(normalize("2023渝0112行初123号"), None);
    }

    #[test]
    fn malformed_numbers_say_what_is_expected() {
        let cases = [
            ("", "案号为空"),
            ("  ", "案号为空"),
            (
                "2023渝0112行初123号",
                "案号“2023渝0112行初123号”格式不对：应以括号括起的收案年度开头，如“（2023）”",
            ),
            (
                "（2023渝0112行初123号",
                "案号“（2023渝0112行初123号”格式不对：收案年度后缺少右括号“）”",
            ),
            (
                "（23）渝0112行初123号",
                "案号“（23）渝0112行初123号”格式不对：收案年度“23”应为四位数字，如“（2023）”",
            ),
            (
                "（2023）重庆0112行初123号",
                "案号“（2023）重庆0112行初123号”格式不对：法院代字应为“最高法”，或省级简称（如“渝”）加 2 位（中级法院）或 4 位（基层法院）数字，不能以“重”开头",
            ),
            (
                "（2023）渝011行初123号",
                "案号“（2023）渝011行初123号”格式不对：法院代字“渝011”应为省级简称加 2 位（中级法院）或 4 位（基层法院）数字",
            ),
            (
                "（2023）渝0112123号",
                "案号“（2023）渝0112123号”格式不对：法院代字“渝0112123”应为省级简称加 2 位（中级法院）或 4 位（基层法院）数字",
            ),
            (
                "（2023）渝0112行初号",
                "案号“（2023）渝0112行初号”格式不对：类型代字后缺少案件编号",
            ),
            (
                "（2023）渝0112行初123",
                "案号“（2023）渝0112行初123”格式不对：案件编号后应以“号”字结尾",
            ),
            (
                "（2023）渝0112行初0号",
                "案号“（2023）渝0112行初0号”格式不对：案件编号不能为 0",
            ),
            (
                "（2023）渝0112行初123号判决",
                "案号“（2023）渝0112行初123号判决”格式不对：“号”字后多出了“判决”",
            ),
            (
                "（2023）渝0112行初1234567890号",
                "案号“（2023）渝0112行初1234567890号”格式不对：案件编号“1234567890”过长",
            ),
            (
                "（2023）",
                "案号“（2023）”格式不对：缺少法院代字、类型代字和案件编号",
            ),
            (
                "（2023）渝0112行\u{202E}初1号",
                "案号“（2023）渝0112行\\u{202E}初1号”格式不对：类型代字“行\\u{202E}初”应为几个汉字，如“行初”，其后是案件编号和“号”字",
            ),
        ];
        for (input, expected) in cases {
            let e = parse(input).unwrap_err();
            let d = e.diagnostics()[0];
            assert_eq!(d.message, expected, "input {input:?}");
            assert_eq!(d.help.as_deref(), Some(HELP));
        }
        let e = parse("（2023）渝0112民初5号").unwrap_err();
        let d = e.diagnostics()[0];
        assert_eq!(
            d.message,
            "案号“（2023）渝0112民初5号”的类型代字“民初”不是行政案件的类型代字"
        );
        assert_eq!(
            d.help.as_deref(),
            Some(
                "行政案件的类型代字有：行初（一审）、行终（二审）、行申（申请再审审查）、行抗（抗诉再审审查）、行监（依职权再审审查）、行再（再审）、行辖（管辖）、行辖终（管辖上诉）、行审（非诉行政行为申请执行审查）、行审复（非诉行政行为申请执行审查复议）、行赔初（行政赔偿一审）、行赔终（行政赔偿二审）、行赔申（行政赔偿申请再审审查）、行赔抗（行政赔偿抗诉再审审查）、行赔监（行政赔偿依职权再审审查）、行赔再（行政赔偿再审）、行他（请示等其他行政案件）；例如（2023）渝0112行初123号"
            )
        );
    }

    proptest! {
        #[test]
        fn lenient_parsing_never_panics(s in any::<String>()) {
            let _ = parse_lenient(&s);
            let _ = parse(&s);
            let _ = same(&s, &s);
        }

        #[test]
        fn lenient_parsing_of_near_misses_never_panics(
            s in "[（(〔\\[ ]?[0-9０-９]{0,5}[）)〕\\] ]?(最高法|渝|重)?[0-9０-９]{0,5}[行初终再申审复民号之一 ]{0,6}[0-9]{0,11}[号之一二]{0,3}"
        ) {
            if let Some(n) = parse_lenient(&s) {
                // The canonical form reads back as the same number.
                prop_assert_eq!(parse_lenient(&n.canonical()), Some(n.clone()));
                prop_assert!(same(&s, &n.canonical()));
            }
            let _ = parse(&s);
        }

        #[test]
        fn canonical_forms_round_trip(
            year in 1990u16..2100,
            court in "(最高法|渝|渝[0-9]{2}|京[0-9]{4})",
            code in 0usize..ADMINISTRATIVE_TYPES.len(),
            seq in 1u32..100_000,
        ) {
            let n = n(year, &court, ADMINISTRATIVE_TYPES[code].0, seq);
            prop_assert_eq!(parse(&n.canonical()).ok(), Some(n.clone()));
            let typed = n.canonical().replace('（', "(").replace('）', ") ");
            prop_assert_eq!(parse(&typed).ok(), Some(n));
        }
    }
}
