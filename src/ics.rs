//! iCalendar output (RFC 5545): owns turning events (deadlines, hearings) and tasks (deadlines
//! that cannot be counted yet) into a `VCALENDAR` text that calendar programs import. Pure: no
//! clock, no files — the caller supplies the time stamp, so the same events always give the same
//! bytes.
//!
//! An event is all-day unless it has a time of day, which is Beijing time: it is written with
//! `TZID=Asia/Shanghai` and the calendar then carries that zone's `VTIMEZONE` (UTC+8, no daylight
//! saving time), and lasts an hour (the end of a hearing is not known). An event may have a
//! place (`LOCATION`) and a reminder (`VALARM`): at 9:00 the day before an all-day event, a day
//! before one with a time. A task (`VTODO`) has no date: it is a deadline waiting for its start
//! date.
//!
//! Lines end with CRLF and are folded at 75 octets (3.1) without splitting a UTF-8 character;
//! text values escape `\`, `;`, `,` and newlines (3.3.11). [`parse`] reads such text back
//! (unfolding lines and splitting `VEVENT`s); it is minimal and meant for checks and tests.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};

/// The product identifier written into every calendar.
pub(crate) const PRODID: &str = "-//yingsu//yingsu//ZH";

/// The longest line, in octets, excluding the CRLF.
const LINE_OCTETS: usize = 75;

/// An event (all-day unless it has a time), or a task without a date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Globally unique and stable across exports, e.g. `2023-渝0112行初9-loss_report@yingsu`.
    pub uid: String,
    /// The day of the event; `None` for a task (`VTODO`) that has no date yet.
    pub date: Option<NaiveDate>,
    /// The time of day (Beijing time), when known.
    pub time: Option<NaiveTime>,
    pub summary: String,
    pub description: String,
    /// Where it takes place.
    pub location: Option<String>,
    /// Whether to remind (see the module documentation).
    pub alarm: bool,
    /// Optional categories, e.g. 期限.
    pub categories: Vec<String>,
}

/// The time zone of every time written.
const TZID: &str = "Asia/Shanghai";

/// The `VCALENDAR` named `name` holding `events`, in order; `stamp` is every event's `DTSTAMP`.
pub fn write(name: &str, events: &[Event], stamp: DateTime<Utc>) -> String {
    let mut out = String::new();
    let stamp = stamp.format("%Y%m%dT%H%M%SZ").to_string();
    line(&mut out, "BEGIN:VCALENDAR");
    line(&mut out, &format!("PRODID:{PRODID}"));
    line(&mut out, "VERSION:2.0");
    line(&mut out, "CALSCALE:GREGORIAN");
    line(&mut out, &format!("X-WR-CALNAME:{}", escape(name)));
    if events.iter().any(|e| e.date.is_some() && e.time.is_some()) {
        for l in [
            "BEGIN:VTIMEZONE",
            &format!("TZID:{TZID}"),
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            "TZOFFSETFROM:+0800",
            "TZOFFSETTO:+0800",
            "TZNAME:CST",
            "END:STANDARD",
            "END:VTIMEZONE",
        ] {
            line(&mut out, l);
        }
    }
    for e in events {
        let kind = if e.date.is_some() { "VEVENT" } else { "VTODO" };
        line(&mut out, &format!("BEGIN:{kind}"));
        line(&mut out, &format!("UID:{}", escape(&e.uid)));
        line(&mut out, &format!("DTSTAMP:{stamp}"));
        match (e.date, e.time) {
            (Some(date), Some(time)) => {
                let start = date.and_time(time);
                let end = start + chrono::TimeDelta::hours(1);
                let at = |t: chrono::NaiveDateTime| t.format("%Y%m%dT%H%M%S").to_string();
                line(&mut out, &format!("DTSTART;TZID={TZID}:{}", at(start)));
                line(&mut out, &format!("DTEND;TZID={TZID}:{}", at(end)));
            }
            (Some(date), None) => {
                line(&mut out, &format!("DTSTART;VALUE=DATE:{}", ymd(date)));
                let end = date.succ_opt().unwrap_or(date);
                line(&mut out, &format!("DTEND;VALUE=DATE:{}", ymd(end)));
            }
            (None, _) => line(&mut out, "STATUS:NEEDS-ACTION"),
        }
        line(&mut out, &format!("SUMMARY:{}", escape(&e.summary)));
        line(&mut out, &format!("DESCRIPTION:{}", escape(&e.description)));
        if let Some(place) = &e.location {
            line(&mut out, &format!("LOCATION:{}", escape(place)));
        }
        if !e.categories.is_empty() {
            let list: Vec<String> = e.categories.iter().map(|c| escape(c)).collect();
            line(&mut out, &format!("CATEGORIES:{}", list.join(",")));
        }
        if e.alarm && e.date.is_some() {
            let trigger = if e.time.is_some() { "-P1D" } else { "-PT15H" };
            line(&mut out, "BEGIN:VALARM");
            line(&mut out, "ACTION:DISPLAY");
            line(&mut out, &format!("TRIGGER:{trigger}"));
            line(&mut out, &format!("DESCRIPTION:{}", escape(&e.summary)));
            line(&mut out, "END:VALARM");
        }
        line(&mut out, &format!("END:{kind}"));
    }
    line(&mut out, "END:VCALENDAR");
    out
}

/// The time of day a clerk wrote (“上午9时30分”, “下午2时”, “14:30”, “9点半”), if it is one.
pub fn parse_time(text: &str) -> Option<NaiveTime> {
    let t: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let t = t.replace('：', ":");
    let (pm, rest) = if let Some(r) = t.strip_prefix("下午").or_else(|| t.strip_prefix("晚上"))
    {
        (true, r)
    } else if let Some(r) = t.strip_prefix("中午") {
        (true, r)
    } else {
        (
            false,
            t.strip_prefix("上午")
                .or_else(|| t.strip_prefix("早上"))
                .unwrap_or(&t),
        )
    };
    let digits = |s: &str| -> Option<u32> {
        let n: String = s
            .chars()
            .map(|c| match c {
                '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
                c => c,
            })
            .collect();
        n.parse().ok()
    };
    let (h, m) = if let Some((h, m)) = rest.split_once(':') {
        (digits(h)?, digits(m)?)
    } else {
        let (h, m) = rest.split_once('时').or_else(|| rest.split_once('点'))?;
        let m = m.trim_end_matches('分').trim_end_matches("左右");
        let m = match m {
            "" | "整" => 0,
            "半" => 30,
            m => digits(m)?,
        };
        (digits(h)?, m)
    };
    let h = if pm && h < 12 { h + 12 } else { h };
    NaiveTime::from_hms_opt(h, m, 0)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y%m%d").to_string()
}

/// Escape a TEXT value (RFC 5545 3.3.11).
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

/// Undo [`escape`].
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n' | 'N') => out.push('\n'),
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    out
}

/// Append `content` as one content line, folded at 75 octets, ending in CRLF.
fn line(out: &mut String, content: &str) {
    out.push_str(&fold(content));
}

/// Fold a content line: every physical line is at most 75 octets; continuation lines start with
/// one space (which counts); no UTF-8 character is split. Ends with CRLF.
pub fn fold(content: &str) -> String {
    let mut out = String::with_capacity(content.len() + content.len() / 64 * 3 + 2);
    let mut width = 0;
    for c in content.chars() {
        let n = c.len_utf8();
        if width + n > LINE_OCTETS {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
    out
}

/// Undo folding: the logical content lines of `text`.
pub(crate) fn unfold(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for physical in text.split('\n') {
        let physical = physical.strip_suffix('\r').unwrap_or(physical);
        if let Some(rest) = physical
            .strip_prefix(' ')
            .or_else(|| physical.strip_prefix('\t'))
            && let Some(last) = lines.last_mut()
        {
            last.push_str(rest);
        } else if !physical.is_empty() {
            lines.push(physical.to_string());
        }
    }
    lines
}

/// The properties of each `VEVENT` in `text`: name (with parameters, e.g.
/// `DTSTART;VALUE=DATE`) → unescaped value.
pub fn parse(text: &str) -> Result<Vec<BTreeMap<String, String>>, String> {
    parse_components(text, "VEVENT")
}

/// The properties of each `VTODO` in `text` (as [`parse`]).
pub fn parse_tasks(text: &str) -> Result<Vec<BTreeMap<String, String>>, String> {
    parse_components(text, "VTODO")
}

/// The properties of each component `kind` in `text`; the properties of an alarm inside it
/// are kept as `VALARM.TRIGGER` and so on.
fn parse_components(text: &str, kind: &str) -> Result<Vec<BTreeMap<String, String>>, String> {
    let mut events = Vec::new();
    let mut alarm = false;
    let mut current: Option<BTreeMap<String, String>> = None;
    for (i, l) in unfold(text).iter().enumerate() {
        let (name, value) = l
            .split_once(':')
            .ok_or_else(|| format!("第 {} 行缺少冒号：{l}", i + 1))?;
        match (name, value, current.as_mut()) {
            ("BEGIN", v, None) if v == kind => current = Some(BTreeMap::new()),
            ("BEGIN", v, Some(_)) if v == kind => {
                return Err(format!("第 {} 行：{kind} 未结束又开始了新的 {kind}", i + 1));
            }
            ("END", v, Some(_)) if v == kind => {
                if let Some(e) = current.take() {
                    events.push(e);
                }
            }
            ("END", v, None) if v == kind => {
                return Err(format!(
                    "第 {} 行：END:{kind} 没有对应的 BEGIN:{kind}",
                    i + 1
                ));
            }
            ("BEGIN", "VALARM", Some(_)) => alarm = true,
            ("END", "VALARM", Some(_)) => alarm = false,
            (_, _, Some(e)) => {
                let key = if alarm {
                    format!("VALARM.{name}")
                } else {
                    name.to_string()
                };
                e.insert(key, unescape(value));
            }
            (_, _, None) => {}
        }
    }
    if current.is_some() {
        return Err(format!("{kind} 没有结束（缺少 END:{kind}）"));
    }
    Ok(events)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    fn stamp() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T08:30:00Z")
            .expect("test stamp")
            .with_timezone(&Utc)
    }

    fn event() -> Event {
        Event {
            uid: "2023-渝0112行初9-loss_report@yingsu".into(),
            date: Some(d("2023-02-08")),
            time: None,
            summary: "报送败诉案件总结报告".into(),
            description: "判决生效：2023-01-13；期限：15个工作日".into(),
            location: None,
            alarm: false,
            categories: vec!["期限".into()],
        }
    }

    #[test]
    fn exact_output() {
        let text = write("渝北区行政应诉", &[event()], stamp());
        assert_eq!(
            text,
            "BEGIN:VCALENDAR\r\n\
             PRODID:-//yingsu//yingsu//ZH\r\n\
             VERSION:2.0\r\n\
             CALSCALE:GREGORIAN\r\n\
             X-WR-CALNAME:渝北区行政应诉\r\n\
             BEGIN:VEVENT\r\n\
             UID:2023-渝0112行初9-loss_report@yingsu\r\n\
             DTSTAMP:20261201T083000Z\r\n\
             DTSTART;VALUE=DATE:20230208\r\n\
             DTEND;VALUE=DATE:20230209\r\n\
             SUMMARY:报送败诉案件总结报告\r\n\
             DESCRIPTION:判决生效：2023-01-13；期限：15个工作日\r\n\
             CATEGORIES:期限\r\n\
             END:VEVENT\r\n\
             END:VCALENDAR\r\n"
        );
        // Stable: the same input gives the same bytes.
        assert_eq!(text, write("渝北区行政应诉", &[event()], stamp()));
    }

    #[test]
    fn dtend_is_the_next_day_across_months_and_years() {
        let mut e = event();
        e.date = Some(d("2024-12-31"));
        e.categories.clear();
        let text = write("x", &[e], stamp());
        assert!(text.contains("\r\nDTSTART;VALUE=DATE:20241231\r\nDTEND;VALUE=DATE:20250101\r\n"));
        assert!(!text.contains("CATEGORIES"));
    }

    #[test]
    fn escaping() {
        assert_eq!(escape("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
        assert_eq!(unescape("a\\\\b\\;c\\,d\\ne\\Nf"), "a\\b;c,d\ne\nf");
        let mut e = event();
        e.summary = "出庭；答辩, 举证".into();
        e.description = "第一行\n第二行\\完".into();
        e.categories = vec!["期限".into(), "a,b".into()];
        let text = write("x", &[e], stamp());
        assert!(text.contains("\r\nSUMMARY:出庭；答辩\\, 举证\r\n"));
        assert!(text.contains("\r\nDESCRIPTION:第一行\\n第二行\\\\完\r\n"));
        assert!(text.contains("\r\nCATEGORIES:期限,a\\,b\r\n"));
    }

    #[test]
    fn folding_chinese_text_never_splits_a_character() {
        let summary = "行政机关负责人出庭应诉".repeat(6); // 66 characters, 198 octets
        let folded = fold(&format!("SUMMARY:{summary}"));
        let lines: Vec<&str> = folded
            .strip_suffix("\r\n")
            .expect("crlf")
            .split("\r\n")
            .collect();
        // "SUMMARY:" is 8 octets, then 22 characters of 3 octets: 74 octets; a 23rd would be 77.
        assert_eq!(lines[0].len(), 74);
        assert_eq!(lines[0], format!("SUMMARY:{}", &summary[..66]));
        for l in &lines[1..] {
            assert!(l.starts_with(' '));
            // One space and 24 characters: 73 octets; a 25th would be 76.
            assert!(l.len() <= LINE_OCTETS);
        }
        assert_eq!(lines[1].len(), 73);
        assert_eq!(lines.len(), 3);
        assert_eq!(unfold(&folded), [format!("SUMMARY:{summary}")]);
    }

    #[test]
    fn folding_ascii_at_exactly_75_octets() {
        let exact = "X".repeat(75);
        assert_eq!(fold(&exact), format!("{exact}\r\n"));
        let longer = "X".repeat(76);
        assert_eq!(fold(&longer), format!("{}\r\n X\r\n", "X".repeat(75)));
        let long = "Y".repeat(75 + 74 + 1);
        assert_eq!(
            fold(&long),
            format!("{}\r\n {}\r\n Y\r\n", "Y".repeat(75), "Y".repeat(74))
        );
    }

    #[test]
    fn every_line_is_short_and_ends_in_crlf() {
        let mut e = event();
        e.description = "鉴于原告不服被告作出的行政处罚决定，向法院提起诉讼；法院判决撤销，本机关应在判决生效后十五个工作日内报送总结报告。".repeat(3);
        let text = write("渝北区司法局行政应诉期限", &[e], stamp());
        assert!(text.ends_with("\r\n"));
        for l in text.split("\r\n") {
            assert!(l.len() <= LINE_OCTETS, "{l}");
            assert!(!l.contains('\n') && !l.contains('\r'));
        }
    }

    #[test]
    fn parse_back() {
        let mut second = event();
        second.uid = "b@yingsu".into();
        second.date = Some(d("2024-10-23"));
        second.summary = "整改报告; 第二项, 含逗号".into();
        second.description = "多行\n说明\\".repeat(20);
        second.categories = vec!["期限".into(), "整改".into()];
        let events = [event(), second.clone()];
        let text = write("日历", &events, stamp());
        let parsed = parse(&text).expect("parses");
        assert_eq!(parsed.len(), 2);
        for (p, e) in parsed.iter().zip(&events) {
            assert_eq!(p["UID"], e.uid);
            assert_eq!(p["SUMMARY"], e.summary);
            assert_eq!(p["DESCRIPTION"], e.description);
            assert_eq!(p["DTSTAMP"], "20261201T083000Z");
            assert_eq!(Some(p["DTSTART;VALUE=DATE"].clone()), e.date.map(ymd));
        }
        assert_eq!(parsed[1]["DTEND;VALUE=DATE"], "20241024");
        assert_eq!(parsed[1]["CATEGORIES"], "期限,整改");
        assert_eq!(parse(&write("空", &[], stamp())).expect("parses"), []);
    }

    #[test]
    fn parse_errors() {
        assert_eq!(
            parse("BEGIN:VEVENT\r\nUID:a\r\n").unwrap_err(),
            "VEVENT 没有结束（缺少 END:VEVENT）"
        );
        assert_eq!(
            parse("END:VEVENT\r\n").unwrap_err(),
            "第 1 行：END:VEVENT 没有对应的 BEGIN:VEVENT"
        );
        assert_eq!(
            parse("BEGIN:VCALENDAR\r\nfoo\r\n").unwrap_err(),
            "第 2 行缺少冒号：foo"
        );
    }
}
