//! Case records: owns the case file `cases/<year>/<case-id>.yaml` — the facts a clerk types, then
//! an append-only `history` the engine extends. The engine never rewrites what a clerk wrote: it
//! appends text at the end of the file, so comments and key order survive and every change is a
//! clean git diff. Also owns case-id validation.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Diagnostic, Error, Result};
use crate::yaml::{self, Spanned};

/// A document produced at a step, as recorded in the history.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DocRecord {
    pub title: String,
    pub template: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<String>,
    pub file: String,
    pub sha256: String,
}

/// A document's title with its number, as the user reads it: 授权委托书（渝北司函〔2023〕5号）.
pub fn numbered_title(title: &str, number: Option<&str>) -> String {
    match number {
        Some(n) => format!("{title}（{n}）"),
        None => title.to_string(),
    }
}

impl DocRecord {
    /// See [`numbered_title`].
    pub fn label(&self) -> String {
        numbered_title(&self.title, self.number.as_deref())
    }
}

/// One file placed in a case as (part of) an attachment: where yingsu put it, what it was
/// called when it was given, its hash and how many pages it has.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AttachedFile {
    /// Workspace-relative path, derived by yingsu (`attachments/<case-id>/1.pdf`).
    pub file: String,
    /// The name the file had when the clerk gave it (shown only).
    pub from: String,
    pub sha256: String,
    /// Pages: a PDF's page count, 1 for a page image.
    pub pages: usize,
}

/// An attachment of a case (`yingsu case attach`): a judgment as one PDF, or its scanned pages
/// as images, in order. Appended after documents whose workflow declaration asks for them.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct AttachmentRecord {
    pub title: String,
    pub files: Vec<AttachedFile>,
}

/// The largest file a case may carry as an attachment (a court's judgment PDF, or one scanned
/// page): 20 MiB.
pub const MAX_ATTACHMENT_BYTES: u64 = 20 * 1024 * 1024;

/// The folder under which the attachments of every case lie (`attachments/<case-id>/…`).
pub const ATTACHMENTS_DIR: &str = "attachments";

/// The kind of an attached file by the extension yingsu gave it: `pdf`, `png` or `jpg`.
pub fn attachment_kind(file: &str) -> Option<&'static str> {
    let ext = file.rsplit_once('.')?.1;
    ["pdf", "png", "jpg"].into_iter().find(|k| *k == ext)
}

/// The virtual paths at which a document's job serves the pages of file `k` (1-based) of its
/// attachment `n` (1-based), of the kind its recorded name ends with: a page image at
/// `/attachments/n-k.png` (`.jpg`), each of a PDF's `pages` as an SVG image at
/// `/attachments/n-k-p.svg`. Derived from the numbers alone, never from a name a user gave.
pub fn attachment_sources(n: usize, k: usize, file: &str, pages: usize) -> Option<Vec<String>> {
    match attachment_kind(file)? {
        "pdf" => Some(
            (1..=pages)
                .map(|p| format!("/attachments/{n}-{k}-{p}.svg"))
                .collect(),
        ),
        ext => Some(vec![format!("/attachments/{n}-{k}.{ext}")]),
    }
}

/// The attachments placed by the entries of `history` that no undo entry of it takes back,
/// in the order they were placed.
pub fn attachments_of(history: &[HistoryEntry]) -> Vec<&AttachmentRecord> {
    let undone: std::collections::BTreeSet<usize> = history
        .iter()
        .filter_map(|h| h.undoes)
        .filter_map(|n| n.checked_sub(1))
        .collect();
    history
        .iter()
        .enumerate()
        .filter(|(i, _)| !undone.contains(i))
        .flat_map(|(_, h)| &h.attachments)
        .collect()
}

/// One entry of a case's history.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryEntry {
    /// The step reached (absent for re-render entries).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// What happened when not a step (e.g. 重新生成文书).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// When (RFC 3339 with offset).
    pub at: String,
    /// Who did it.
    pub by: String,
    /// Facts recorded at this step.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub facts: BTreeMap<String, Value>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub documents: Vec<DocRecord>,
    /// The case this step opened (e.g. a rectification case).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub opened: Vec<String>,
    /// An undo entry: the number (1-based) of the history entry it takes back.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub undoes: Option<usize>,
    /// Why (an undo, a withdrawal).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The case was withdrawn (the step that opened it was taken back): it is closed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub withdrawn: bool,
    /// Attachments placed in the case (`yingsu case attach`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentRecord>,
}

impl HistoryEntry {
    /// An entry that is not a step (a re-render, an undo, a withdrawal).
    pub fn event(event: &str, at: String, by: String) -> HistoryEntry {
        HistoryEntry {
            step: None,
            event: Some(event.to_string()),
            at,
            by,
            facts: BTreeMap::new(),
            documents: vec![],
            opened: vec![],
            undoes: None,
            reason: None,
            withdrawn: false,
            attachments: vec![],
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    workflow: Spanned<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    facts: Option<BTreeMap<String, Spanned<Value>>>,
    #[serde(default)]
    history: Vec<HistoryEntry>,
}

/// A case loaded from its file.
#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub path: PathBuf,
    pub source: String,
    pub workflow: Spanned<String>,
    pub title: Option<String>,
    /// The clerk's facts, with positions.
    pub typed: BTreeMap<String, Spanned<Value>>,
    pub history: Vec<HistoryEntry>,
}

/// Check a case id: it becomes a file name, so no separators, no `..`, nothing hidden.
pub(crate) fn check_id(id: &str) -> Result<()> {
    let help = "案件编号只能包含汉字、英文字母、数字、连字符“-”和下划线“_”，例如 2023-行初-123 或 ZG-2023-001";
    if id.is_empty() {
        return Err(Error::user("案件编号不能为空", help));
    }
    if id.chars().count() > 80 {
        return Err(Error::user(
            format!("案件编号 `{id}` 太长（超过 80 个字符）"),
            help,
        ));
    }
    if id.contains("..") || id.contains('/') || id.contains('\\') || id.starts_with('.') {
        return Err(Error::user(
            format!("案件编号 `{id}` 不合法：不能包含“/”“\\”或“..”"),
            help,
        ));
    }
    let ok = id.chars().all(|c| {
        c.is_ascii_alphanumeric() || c == '-' || c == '_' || ('\u{4e00}'..='\u{9fff}').contains(&c)
    });
    if !ok {
        let bad: String = id
            .chars()
            .filter(|c| {
                !(c.is_ascii_alphanumeric()
                    || *c == '-'
                    || *c == '_'
                    || ('\u{4e00}'..='\u{9fff}').contains(c))
            })
            .take(1)
            .collect();
        return Err(Error::user(
            format!("案件编号 `{id}` 含有不允许的字符 `{bad}`"),
            help,
        ));
    }
    // A name Windows reserves for a device (CON, NUL, COM1…) cannot be a file name there.
    crate::jail::check_file_name("案件编号", id)?;
    Ok(())
}

impl Case {
    /// Load a case file.
    pub fn load(id: &str, path: &Path) -> Result<Case> {
        let source = std::fs::read_to_string(path).map_err(|e| yaml::read_error(path, e))?;
        Case::parse(id, path, source)
    }

    /// A case file read elsewhere (see [`crate::workspace::read_text`]).
    pub fn parse(id: &str, path: &Path, source: String) -> Result<Case> {
        let file: CaseFile = yaml::parse(path, &source)?;
        if file.history.is_empty() {
            return Err(Diagnostic::new("案件记录没有 history（办理记录）")
                .in_file(path)
                .help("history 由 yingsu 写入；请用 `yingsu case new` 新建案件，不要手工创建或删除 history")
                .into());
        }
        Ok(Case {
            id: id.to_string(),
            path: path.to_path_buf(),
            source,
            workflow: file.workflow,
            title: file.title,
            typed: file.facts.unwrap_or_default(),
            history: file.history,
        })
    }

    /// The current step: the last step reached and not taken back.
    pub fn current_step(&self) -> &str {
        self.last_step()
            .and_then(|i| self.history[i].step.as_deref())
            .unwrap_or("")
    }

    /// The index of the last step entry not taken back.
    pub(crate) fn last_step(&self) -> Option<usize> {
        let undone = self.undone();
        (0..self.history.len())
            .rev()
            .find(|i| self.history[*i].step.is_some() && !undone.contains(i))
    }

    /// The indices (0-based) of the history entries an undo took back.
    pub fn undone(&self) -> std::collections::BTreeSet<usize> {
        self.history
            .iter()
            .filter_map(|h| h.undoes)
            .filter_map(|n| n.checked_sub(1))
            .collect()
    }

    /// The case was withdrawn: it is closed whatever its step.
    pub fn is_withdrawn(&self) -> bool {
        self.history.iter().any(|h| h.withdrawn)
    }

    /// The text of the file with `entry` appended to the history.
    pub(crate) fn with_entry(&self, entry: &HistoryEntry) -> Result<String> {
        append_entry(&self.path, &self.source, entry)
    }
}

/// Render a new case file.
pub fn new_file(
    workflow: &str,
    title: Option<&str>,
    facts: &[(String, Value)],
    entry: &HistoryEntry,
) -> String {
    let mut s = String::new();
    s.push_str("# yingsu 案件记录\n");
    s.push_str("# facts：经办人填写的案件事实，可以修改、补充、加注释；\n");
    s.push_str("# history：办理记录，由 yingsu 追加，请勿改动已有条目。\n");
    s.push_str(&format!("workflow: {}\n", scalar(workflow)));
    if let Some(t) = title {
        s.push_str(&format!("title: {}\n", scalar(t)));
    }
    s.push_str("facts:\n");
    if facts.is_empty() {
        s.push_str("  # 在此补充或更正案件事实（优先于 history 中的记录），例如：\n");
        s.push_str("  # hearing_place: 区法院第三审判庭\n");
    } else {
        for (k, v) in facts {
            s.push_str(&format!("  {k}: {}\n", value(v)));
        }
    }
    s.push_str("history:\n");
    s.push_str(&entry_text(entry, "  "));
    s
}

fn append_entry(path: &Path, source: &str, entry: &HistoryEntry) -> Result<String> {
    // `history` must be the last top-level key, so that appending extends it.
    let mut last_key: Option<(usize, &str)> = None;
    let mut history_line = None;
    for (i, line) in source.lines().enumerate() {
        let first = line.chars().next();
        if matches!(first, Some(c) if c != ' ' && c != '#' && c != '-' && c != '\t') {
            let key = line.split(':').next().unwrap_or("").trim();
            last_key = Some((i, key));
            if key == "history" {
                history_line = Some(i);
            }
        }
    }
    let Some(hl) = history_line else {
        return Err(Diagnostic::new("案件记录缺少 history")
            .in_file(path)
            .help("不要删除 history 部分")
            .into());
    };
    if let Some((i, key)) = last_key
        && key != "history"
    {
        return Err(Diagnostic::new(format!(
            "history 必须是案件记录的最后一部分，但其后还有 `{key}`"
        ))
        .at(
            path,
            source,
            crate::error::Pos {
                line: i + 1,
                column: 1,
            },
        )
        .help("请把这部分移到 history 之前（例如放进 facts 中）")
        .into());
    }
    // Indentation of existing entries.
    let indent = source
        .lines()
        .skip(hl + 1)
        .find(|l| l.trim_start().starts_with("- "))
        .map(|l| l.len() - l.trim_start().len())
        .unwrap_or(2);
    let mut out = source.to_string();
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&entry_text(entry, &" ".repeat(indent)));
    Ok(out)
}

/// A history entry as YAML text, each line prefixed by `indent`.
pub fn entry_text(e: &HistoryEntry, indent: &str) -> String {
    let mut lines = Vec::new();
    let mut first = true;
    let mut push = |line: String| {
        if first {
            lines.push(format!("{indent}- {line}"));
            first = false;
        } else {
            lines.push(format!("{indent}  {line}"));
        }
    };
    if let Some(s) = &e.step {
        push(format!("step: {}", scalar(s)));
    }
    if let Some(ev) = &e.event {
        push(format!("event: {}", scalar(ev)));
    }
    push(format!("at: {}", scalar(&e.at)));
    push(format!("by: {}", scalar(&e.by)));
    if !e.facts.is_empty() {
        push("facts:".into());
        for (k, v) in &e.facts {
            push(format!("  {k}: {}", value(v)));
        }
    }
    if !e.documents.is_empty() {
        push("documents:".into());
        for d in &e.documents {
            push(format!("  - title: {}", scalar(&d.title)));
            push(format!("    template: {}", scalar(&d.template)));
            if let Some(n) = &d.number {
                push(format!("    number: {}", scalar(n)));
            }
            push(format!("    file: {}", scalar(&d.file)));
            push(format!("    sha256: {}", d.sha256));
        }
    }
    if !e.opened.is_empty() {
        push(format!(
            "opened: [{}]",
            e.opened
                .iter()
                .map(|o| scalar(o))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if let Some(n) = e.undoes {
        push(format!("undoes: {n}"));
    }
    if let Some(r) = &e.reason {
        push(format!("reason: {}", scalar(r)));
    }
    if e.withdrawn {
        push("withdrawn: true".into());
    }
    if !e.attachments.is_empty() {
        push("attachments:".into());
        for a in &e.attachments {
            push(format!("  - title: {}", scalar(&a.title)));
            push("    files:".into());
            for f in &a.files {
                push(format!("      - file: {}", scalar(&f.file)));
                push(format!("        from: {}", scalar(&f.from)));
                push(format!("        sha256: {}", f.sha256));
                push(format!("        pages: {}", f.pages));
            }
        }
    }
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

/// Whether `s` written plainly reads back as this very text (YAML readers take `y`, `on`, `1e3`
/// and the like for booleans or numbers): the parser we read case files with decides.
fn reads_back_as_text(s: &str) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        v: Value,
    }
    serde_saphyr::from_str::<Probe>(&format!("v: {s}\n")).is_ok_and(|p| p.v.as_str() == Some(s))
}

/// A YAML scalar for `s`: plain when that reads back as the same string, else double-quoted.
pub fn scalar(s: &str) -> String {
    let plain_ok = !s.is_empty()
        && s.trim() == s
        && !s.contains(": ")
        && !s.contains(" #")
        && !s.ends_with(':')
        && !s.chars().any(|c| {
            must_escape(c) || matches!(c, '"' | '\'' | '{' | '}' | '[' | ']' | ',' | '\\')
        })
        && !s.starts_with([
            '-', '?', ':', '#', '&', '*', '!', '|', '>', '%', '@', '`', ' ',
        ])
        && !matches!(
            s,
            "true" | "false" | "null" | "~" | "True" | "False" | "NULL" | "Null" | "yes" | "no"
        )
        && s.parse::<f64>().is_err()
        && !s.starts_with("0x")
        && !s.starts_with("0o")
        && reads_back_as_text(s);
    if plain_ok {
        s.to_string()
    } else {
        double_quoted(s)
    }
}

/// Characters a YAML file may not hold as they are (C0/C1 controls, DEL, the line separators
/// YAML 1.1 readers break lines at, the byte-order mark, non-characters): written as escapes.
fn must_escape(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}' | '\u{2029}' | '\u{FEFF}' | '\u{FFFE}' | '\u{FFFF}'
        )
}

/// A YAML double-quoted scalar for `s`, escaping only what must be escaped (Chinese text stays
/// readable).
fn double_quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if must_escape(c) => {
                let n = c as u32;
                if n <= 0xFF {
                    out.push_str(&format!("\\x{n:02X}"));
                } else {
                    out.push_str(&format!("\\u{n:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A YAML value on one line (flow style for lists and maps).
pub fn value(v: &Value) -> String {
    match v {
        Value::String(s) => scalar(s),
        Value::Array(items) => format!(
            "[{}]",
            items.iter().map(value).collect::<Vec<_>>().join(", ")
        ),
        Value::Object(m) => format!(
            "{{{}}}",
            m.iter()
                .map(|(k, v)| format!("{}: {}", scalar(k), value(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Texts a YAML reader would take for booleans or numbers are quoted, so a history entry
    /// reads back as the text that was recorded (a value `y` once came back as `true`).
    #[test]
    fn words_yaml_reads_as_other_types_are_quoted() {
        for s in [
            "y", "n", "Y", "N", "on", "off", "ON", "No", "1e3", ".inf", "0b1", "~", "null",
        ] {
            let written = scalar(s);
            assert!(written.starts_with('"'), "{s} written as {written}");
            let back: std::collections::BTreeMap<String, Value> =
                serde_saphyr::from_str(&format!("v: {written}\n")).unwrap();
            assert_eq!(back["v"], Value::String(s.to_string()), "{s}");
        }
        assert_eq!(scalar("行政处罚"), "行政处罚");
    }

    #[test]
    fn ids() {
        assert!(check_id("2023-行初-123").is_ok());
        assert!(check_id("../x").is_err());
        assert!(check_id("a/b").is_err());
        assert!(check_id(".hidden").is_err());
        assert!(check_id("a b").is_err());
        assert!(check_id("").is_err());
    }

    #[test]
    fn scalars_round_trip() {
        #[derive(Deserialize)]
        struct W {
            v: String,
        }
        for s in [
            "(2023)渝0112行初123号",
            "003",
            "true",
            "否",
            "a: b",
            "# x",
            "- x",
            "x #y",
            "  x",
            "[a]",
            "\"q\"",
            "back\\slash",
            "line\nbreak",
            "1e5",
            "null",
            "~",
            "@b",
            "*粗体*",
            "#read(\"/etc/passwd\")",
            "\u{FEFF}张三",
            "重庆某\u{200B}食品有限公司",
            "a\u{2028}b\u{2029}c\u{85}d\u{7}e\u{7F}f\u{0}",
            "tab\there\r\n",
            "\u{FFFE}\u{FFFF}",
        ] {
            let text = format!("v: {}\n", scalar(s));
            let w: W =
                serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{s:?} -> {text}: {e}"));
            assert_eq!(w.v, s, "{text}");
        }
    }

    proptest::proptest! {
        /// Any string a user can type or paste is written so that it reads back unchanged.
        #[test]
        fn any_string_round_trips(s in "\\PC*|[\\x00-\\x{2030}\\x{FEFF}\\x{FFFE}\\x{FFFF}]{0,12}") {
            #[derive(Deserialize)]
            struct W {
                v: String,
            }
            let text = format!("v: {}\n", scalar(&s));
            let w: W = serde_saphyr::from_str(&text)
                .map_err(|e| proptest::test_runner::TestCaseError::fail(format!("{text}: {e}")))?;
            proptest::prop_assert_eq!(w.v, s);
        }
    }
}
