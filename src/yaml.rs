//! YAML input: owns parsing of every user-written YAML file (workspace config, workflows, cases)
//! into typed values, and the translation of parser errors into Chinese [`Diagnostic`]s that point
//! at the file, line and column.
//!
//! We use `serde-saphyr`: it is maintained (serde_yaml is archived), implements YAML 1.2 (so `no`
//! stays a string and `2023-05-08` stays a string, not a timestamp), and reports positions for both
//! errors and [`Spanned`] values, which the semantic checks of later stages rely on.

use std::path::Path;

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, MapAccess, Visitor};
pub use serde_saphyr::Spanned;
use serde_saphyr::{Location, MessageFormatter, UserMessageFormatter};

use crate::error::{Diagnostic, Error, Pos, Result};

/// Parse `source` (the contents of `file`) as YAML into `T`.
pub fn parse<T: DeserializeOwned>(file: &Path, source: &str) -> Result<T> {
    let options = serde_saphyr::options! {
        duplicate_keys: serde_saphyr::DuplicateKeyPolicy::Error,
    };
    serde_saphyr::from_str_with_options::<T>(source, options)
        .map_err(|e| translate(file, source, &e).into())
}

/// Read and parse a YAML file.
pub fn load<T: DeserializeOwned>(file: &Path) -> Result<(T, String)> {
    let source = std::fs::read_to_string(file).map_err(|e| read_error(file, e))?;
    let value = parse(file, &source)?;
    Ok((value, source))
}

/// An error for a file that cannot be read.
pub(crate) fn read_error(file: &Path, e: std::io::Error) -> Error {
    match e.kind() {
        std::io::ErrorKind::NotFound => Error::from(
            Diagnostic::new("文件不存在")
                .in_file(file)
                .help("请检查路径是否正确"),
        ),
        std::io::ErrorKind::InvalidData => Error::from(
            Diagnostic::new("文件不是 UTF-8 编码的文本")
                .in_file(file)
                .help("请用 UTF-8 编码保存该文件（记事本“另存为”时选择 UTF-8）"),
        ),
        std::io::ErrorKind::IsADirectory => Error::from(
            Diagnostic::new("这是一个文件夹，不是 YAML 文件")
                .in_file(file)
                .help("以 .yaml 结尾的名字留给文件：请把这个文件夹改名或移走"),
        ),
        std::io::ErrorKind::PermissionDenied => Error::from(
            Diagnostic::new("没有读取这个文件的权限")
                .in_file(file)
                .help("请检查文件的权限，或请管理员开放读取权限"),
        ),
        _ if format!("{e:?}").contains("FilesystemLoop") => Error::from(
            Diagnostic::new("这个符号链接指向自身（链接形成了循环），无法读取")
                .in_file(file)
                .help("请删除这个链接，换成真正的文件"),
        ),
        _ => Error::io("读取", file, e),
    }
}

/// The position of a serde-saphyr location.
pub fn pos(loc: &Location) -> Pos {
    Pos {
        line: loc.line() as usize,
        column: loc.column() as usize,
    }
}

/// A diagnostic pointing at a spanned value.
pub fn at<T>(
    file: &Path,
    source: &str,
    value: &Spanned<T>,
    message: impl Into<String>,
) -> Diagnostic {
    Diagnostic::new(message).at(file, source, pos(&value.referenced))
}

/// Where the key `key:` is first written in a YAML text (after any indentation), at the key.
pub(crate) fn key_pos(source: &str, key: &str) -> Option<Pos> {
    let prefix = format!("{key}:");
    source.lines().enumerate().find_map(|(n, line)| {
        let t = line.trim_start();
        t.starts_with(&prefix).then(|| Pos {
            line: n + 1,
            column: line.chars().count() - t.chars().count() + 1,
        })
    })
}

/// The raw source text of a scalar, e.g. `003` for a value YAML read as the integer 3.
pub(crate) fn raw_scalar<'a, T>(source: &'a str, value: &Spanned<T>) -> Option<&'a str> {
    let span = value.referenced.span();
    let start = span.byte_offset()? as usize;
    let len = span.byte_len()? as usize;
    source.get(start..start + len).map(|s| s.trim())
}

fn translate(file: &Path, source: &str, err: &serde_saphyr::Error) -> Diagnostic {
    if source.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#')
    }) {
        return Diagnostic::new("文件是空的（没有任何内容，或只有注释）")
            .in_file(file)
            .help("请写入内容，或从 git 历史中恢复它；不需要的文件可以删除");
    }
    let inner = err.without_snippet();
    let message = UserMessageFormatter.format_message(inner).into_owned();
    let (mut text, mut help) = limit_zh(inner).unwrap_or_else(|| chinese(&message));
    let line = inner
        .location()
        .filter(|l| l.line() > 0)
        .and_then(|l| source.lines().nth(l.line() as usize - 1));
    // A Chinese input method types “：” where YAML needs “: ” — say so plainly.
    if let Some(l) = line
        && let Some(k) = full_width_colon_key(l)
    {
        text = format!("这一行的键 `{k}` 后面用了中文冒号“：”，YAML 要用英文冒号加空格“: ”");
        help = Some(format!(
            "改成 `{k}: 值`（切换到英文输入法输入冒号，冒号后空一格）"
        ));
    }
    let d = Diagnostic::new(text);
    // The parser places a tab where it stopped, often the line before: point at the tab.
    let tab = is_about_tab(&message)
        .then(|| {
            source.lines().enumerate().find_map(|(n, l)| {
                l.find('\t').map(|i| Pos {
                    line: n + 1,
                    column: l[..i].chars().count() + 1,
                })
            })
        })
        .flatten();
    let d = match (tab, inner.location()) {
        (Some(p), _) => d.at(file, source, p),
        (None, Some(loc)) if loc.line() > 0 => d.at(file, source, pos(&loc)),
        _ => d.in_file(file),
    };
    match help {
        Some(h) => d.help(h),
        None => d,
    }
}

/// Which of the parser's limits a file went over, in Chinese with what to do: nesting too deep,
/// too many anchors and aliases, or simply too much.
fn limit_zh(e: &serde_saphyr::Error) -> Option<(String, Option<String>)> {
    use serde_saphyr::Error as E;
    use serde_saphyr::budget::BudgetBreach as B;
    let anchors = || {
        (
            "文件过于庞大或复杂：锚点和别名（& 与 *）层层展开后超过了 yingsu 读取的上限"
                .to_string(),
            Some("案件记录和配置用不到锚点和别名；请删除它们，直接写出内容".to_string()),
        )
    };
    let nesting = || {
        (
            "嵌套层数太深：列表和映射一层套一层，超过了 yingsu 读取的上限".to_string(),
            Some(
                "案件记录和配置只需几层缩进；请检查是否多写了方括号“[”或花括号“{”，或缩进越来越深"
                    .to_string(),
            ),
        )
    };
    let size = || {
        (
            "文件过于庞大：内容（条目、文字或文档）的数量超过了 yingsu 读取的上限".to_string(),
            Some(
                "案件记录和配置不会有这么多内容；请检查是否误把别的文件或大段数据粘贴了进来"
                    .to_string(),
            ),
        )
    };
    Some(match e {
        E::Budget { breach, .. } => match breach {
            B::Depth { .. } | B::InclusionDepth { .. } | B::PropertyExpansionDepth { .. } => {
                nesting()
            }
            B::Aliases { .. }
            | B::Anchors { .. }
            | B::AliasAnchorRatio { .. }
            | B::RecordedAnchorEvents { .. }
            | B::RecordedAnchorBytes { .. }
            | B::MergeKeys { .. } => anchors(),
            _ => size(),
        },
        E::AliasReplayCounterOverflow { .. }
        | E::AliasReplayLimitExceeded { .. }
        | E::AliasExpansionLimitExceeded { .. }
        | E::AliasReplayStackDepthExceeded { .. } => anchors(),
        _ => return None,
    })
}

/// Strip serde's backticks from a name list like "`a`, `b`".
fn names(list: &str) -> String {
    list.split(',')
        .map(|s| s.trim().trim_matches('`').to_string())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("、")
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let i = s.find(start)? + start.len();
    let rest = &s[i..];
    let j = rest.find(end)?;
    Some(&rest[..j])
}

fn type_name(t: &str) -> String {
    let t = t.trim();
    let known = [
        ("a string", "文本"),
        ("string", "文本"),
        ("a boolean", "true 或 false"),
        ("boolean", "true 或 false"),
        ("a sequence", "列表（每项以“- ”开头）"),
        ("sequence", "列表"),
        ("a map", "键值映射（“键: 值”）"),
        ("map", "键值映射"),
        ("struct", "键值映射（“键: 值”）"),
        ("u32", "非负整数"),
        ("u64", "非负整数"),
        ("i64", "整数"),
        ("integer", "整数"),
        ("unit value", "空值"),
        ("null", "空值"),
    ];
    for (en, zh) in known {
        if t == en || t.starts_with(&format!("{en} ")) || t.starts_with(&format!("struct {en}")) {
            return zh.to_string();
        }
    }
    if t.starts_with("struct") || t.starts_with("a map") {
        return "键值映射（“键: 值”）".into();
    }
    t.to_string()
}

/// `key` when a line reads `key：value` (a key in ASCII letters, then a full-width colon).
fn full_width_colon_key(line: &str) -> Option<&str> {
    let t = line.trim_start().trim_start_matches("- ");
    let (k, _) = t.split_once('：')?;
    let k = k.trim();
    (!k.is_empty() && !k.contains(':') && k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(k)
}

/// The forms an untagged enum of ours accepts, as the user writes them.
fn untagged_forms(name: &str) -> Option<&'static str> {
    match name {
        "DaysSpec" => Some(
            "期限长度写成 {working_days: N}（工作日）、{calendar_days: N}（自然日）、{months: N}（月）之一，N 为非负整数；或写 yingsu.yaml 中 deadlines 下的名称",
        ),
        _ => None,
    }
}

/// Whether the parser's message is about a tab character.
fn is_about_tab(m: &str) -> bool {
    m.contains("found a tab") || m.contains("tabs disallowed") || m.contains("tab character")
}

/// Translate serde / serde-saphyr messages into Chinese, with a help line where we can.
fn chinese(m: &str) -> (String, Option<String>) {
    if let Some(rest) = m.split_once("did not match any variant of untagged enum ") {
        let name = rest.1.trim();
        return (
            "这里的写法不对".into(),
            Some(
                untagged_forms(name)
                    .map(str::to_string)
                    .unwrap_or_else(|| "请对照说明检查此处的写法".into()),
            ),
        );
    }
    if let Some(rest) = m.strip_prefix("unknown field `") {
        let field = rest.split('`').next().unwrap_or("");
        let expected = m
            .split_once("expected one of ")
            .map(|(_, l)| names(l))
            .or_else(|| m.split_once("expected ").map(|(_, l)| names(l)));
        return (
            format!("未知的键 `{field}`"),
            Some(match expected {
                Some(list) => format!("此处允许的键：{list}。请检查拼写"),
                None => "此处不允许任何键，请删除它".into(),
            }),
        );
    }
    if let Some(field) = between(m, "missing field `", "`") {
        return (
            format!("缺少必需的键 `{field}`"),
            Some(format!("请在此处添加 `{field}: …`")),
        );
    }
    if let Some(variant) = between(m, "unknown variant `", "`") {
        let expected = m.split_once("expected one of ").map(|(_, l)| names(l));
        return (
            format!("不认识的取值 `{variant}`"),
            expected.map(|l| format!("允许的取值：{l}")),
        );
    }
    if m.starts_with("invalid type:") || m.starts_with("invalid value:") {
        let found = between(m, ": ", ", expected").unwrap_or("");
        let expected = m.split_once(", expected ").map(|(_, e)| e).unwrap_or("");
        let found_zh = if found.starts_with("string") {
            format!("文本 {}", found.trim_start_matches("string").trim())
        } else if found.starts_with("sequence") {
            "列表".into()
        } else if found.starts_with("map") {
            "键值映射".into()
        } else if found.starts_with("integer") {
            format!("整数 {}", found.trim_start_matches("integer").trim())
        } else if found.starts_with("boolean") {
            format!("布尔值 {}", found.trim_start_matches("boolean").trim())
        } else if found.starts_with("unit") || found.contains("null") {
            "空值".into()
        } else {
            found.to_string()
        };
        return (
            format!(
                "类型不对：这里写的是{found_zh}，应为{}",
                type_name(expected)
            ),
            Some("请按说明修改此处的值".into()),
        );
    }
    if m.starts_with("expected") && m.contains("scalar") {
        return (
            "类型不对：这里应为单个值（文本、数字、日期或 true/false），不能是列表或映射".into(),
            Some("去掉方括号或下一级缩进，直接写一个值".into()),
        );
    }
    if m.contains("duplicate") {
        return (
            "重复的键".into(),
            Some("同一映射中每个键只能出现一次，请删除或合并重复的键".into()),
        );
    }
    if m.contains("unexpected end") || m.contains("end of") || m.contains("EOF") {
        return (
            "YAML 意外结束".into(),
            Some("文件可能被截断，或引号、括号没有闭合".into()),
        );
    }
    if m.contains("unexpected character") || m.contains("BOM") {
        return (
            "文件中有不允许出现的控制字符或不可见字符".into(),
            Some(format!(
                "这类字符常随从网页、聊天软件或旧系统复制的文字混入；删除后重新输入该处文字，或在双引号内写成 \\uXXXX 的形式{}",
                original(m)
            )),
        );
    }
    if is_about_tab(m) {
        return (
            "这里用了 Tab 键：YAML 只能用空格缩进".into(),
            Some("把 Tab 换成空格（每级缩进两个空格）；编辑器可设置为按 Tab 键时输入空格".into()),
        );
    }
    if let Some(kind) = m.strip_prefix("invalid ")
        && matches!(kind, "u8" | "u16" | "u32" | "u64" | "usize")
    {
        return (
            "这里应为非负整数".into(),
            Some(format!(
                "只写阿拉伯数字（如 15），不加单位或文字，不超过 {}",
                match kind {
                    "u8" => u64::from(u8::MAX),
                    "u16" => u64::from(u16::MAX),
                    "u32" => u64::from(u32::MAX),
                    _ => u64::MAX,
                }
            )),
        );
    }
    if let Some(kind) = m.strip_prefix("invalid ")
        && matches!(kind, "i8" | "i16" | "i32" | "i64" | "isize" | "integer")
    {
        return (
            "这里应为整数".into(),
            Some("只写阿拉伯数字（如 15 或 -3），不加单位或文字".into()),
        );
    }
    if m.starts_with("invalid floating point") || m == "invalid f64" || m == "invalid f32" {
        return (
            "这里应为数字".into(),
            Some("只写阿拉伯数字（如 90 或 92.5），不加百分号、单位或文字".into()),
        );
    }
    if m.contains("expected mapping start") {
        return (
            "类型不对：这里应为键值映射（下一级缩进逐行写“键: 值”），不能是列表或单个值".into(),
            Some("请按说明修改此处的写法".into()),
        );
    }
    if m.contains("expected sequence start") {
        return (
            "类型不对：这里应为列表（下一级逐行以“- ”开头，或写成 [甲, 乙]）".into(),
            Some("只有一项时也写成列表，例如 [甲]".into()),
        );
    }
    if m.contains("single YAML document expected") {
        return (
            "一个文件只能有一个 YAML 文档：这里的“---”开始了第二个".into(),
            Some("删除这一行“---”，把其后的内容并入上面（或删除重复的内容）".into()),
        );
    }
    if m.contains("limits breached") || m.contains("too large or too complex") {
        return (
            "文件过于庞大或复杂：锚点和别名（& 与 *）层层展开后超过了 yingsu 读取的上限".into(),
            Some("案件记录和配置用不到锚点和别名；请删除它们，直接写出内容".into()),
        );
    }
    if m.contains("trailing content after") {
        return (
            "YAML 语法错误：引号内的文字结束后，同一行还有多余的内容".into(),
            Some(format!(
                "把整段文字放进引号内，或删除引号后面的内容{}",
                original(m)
            )),
        );
    }
    if m.contains("mismatched bracket") {
        return (
            "YAML 语法错误：括号不配对（“[”要用“]”闭合，“{”要用“}”闭合）".into(),
            Some(format!("请检查这一处括号的配对{}", original(m))),
        );
    }
    if m.contains("mapping values are not allowed")
        || m.contains("did not find expected")
        || m.contains("while scanning")
        || m.contains("while parsing")
        || m.contains("invalid indentation")
        || m.contains("found character")
    {
        return (
            syntax_zh(m).into(),
            Some(format!(
                "请检查缩进（用空格，不要用 Tab）、冒号后的空格，以及含“: ”或“#”的文本是否加了引号{}",
                original(m)
            )),
        );
    }
    (
        "YAML 格式错误".into(),
        Some(format!("请对照说明检查此处的写法{}", original(m))),
    )
}

/// The parser's own words, kept after the Chinese for whoever helps the clerk (cut short: the
/// parser may quote the file).
fn original(m: &str) -> String {
    let cut: String = m.chars().take(200).collect();
    let more = if cut.len() < m.len() { "…" } else { "" };
    format!("。解析器原文：{cut}{more}")
}

/// The parser's syntax errors a clerk meets most, in Chinese.
fn syntax_zh(m: &str) -> &'static str {
    if m.contains("mapping values are not allowed") {
        "YAML 语法错误：这里不能再出现“键: 值”（值中含有“: ”却没有加引号，或缩进有误）"
    } else if m.contains("did not find expected key") || m.contains("invalid indentation") {
        "YAML 语法错误：缩进不对，同一层的键要对齐"
    } else if m.contains("did not find expected ',' or ']'") {
        "YAML 语法错误：方括号列表没有闭合，或项之间缺少逗号"
    } else if m.contains("did not find expected ',' or '}'") {
        "YAML 语法错误：花括号映射没有闭合，或项之间缺少逗号"
    } else if m.contains("did not find expected '-'") {
        "YAML 语法错误：列表的每一项都要以“- ”开头并对齐"
    } else if m.contains("found character that cannot start any token") {
        "YAML 语法错误：这里的字符不能出现在开头（如 @ 或 `），请给这段文字加上引号"
    } else {
        "YAML 语法错误"
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        name: String,
        count: u32,
    }

    #[test]
    fn unknown_key_is_reported_in_chinese_with_position() {
        let src = "name: a\ncount: 1\ncolour: red\n";
        let e = parse::<T>(Path::new("x.yaml"), src).unwrap_err();
        let d = e.diagnostics()[0].clone();
        assert_eq!(d.message, "未知的键 `colour`");
        assert_eq!(d.pos, Some(Pos { line: 3, column: 1 }));
        assert_eq!(
            d.help.as_deref(),
            Some("此处允许的键：name、count。请检查拼写")
        );
    }

    /// The parser's English for a value or a layout it cannot take, each in Chinese with how
    /// to fix it, at the place.
    #[test]
    fn parser_messages_are_said_in_chinese() {
        #[derive(Debug, Deserialize)]
        #[allow(dead_code)]
        struct S {
            count: Option<u32>,
            floor: Option<f64>,
            items: Option<Vec<T>>,
            map: Option<std::collections::BTreeMap<String, String>>,
        }
        let cases: [(&str, &str, &str, (usize, usize)); 9] = [
            (
                "count: 1\n\tfloor: 1\n",
                "这里用了 Tab 键：YAML 只能用空格缩进",
                "把 Tab 换成空格（每级缩进两个空格）；编辑器可设置为按 Tab 键时输入空格",
                (2, 1),
            ),
            (
                "count: abc\n",
                "这里应为非负整数",
                "只写阿拉伯数字（如 15），不加单位或文字，不超过 4294967295",
                (1, 8),
            ),
            (
                "count: 99999999999\n",
                "这里应为非负整数",
                "只写阿拉伯数字（如 15），不加单位或文字，不超过 4294967295",
                (1, 8),
            ),
            (
                "floor: abc\n",
                "这里应为数字",
                "只写阿拉伯数字（如 90 或 92.5），不加百分号、单位或文字",
                (1, 8),
            ),
            (
                "items: [5]\n",
                "类型不对：这里应为键值映射（下一级缩进逐行写“键: 值”），不能是列表或单个值",
                "请按说明修改此处的写法",
                (1, 9),
            ),
            (
                "map: [1, 2]\n",
                "类型不对：这里应为键值映射（下一级缩进逐行写“键: 值”），不能是列表或单个值",
                "请按说明修改此处的写法",
                (1, 6),
            ),
            (
                "items: 5\n",
                "类型不对：这里应为列表（下一级逐行以“- ”开头，或写成 [甲, 乙]）",
                "只有一项时也写成列表，例如 [甲]",
                (1, 8),
            ),
            (
                "count: 1\n---\ncount: 2\n",
                "一个文件只能有一个 YAML 文档：这里的“---”开始了第二个",
                "删除这一行“---”，把其后的内容并入上面（或删除重复的内容）",
                (3, 1),
            ),
            (
                "a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
                "文件过于庞大或复杂：锚点和别名（& 与 *）层层展开后超过了 yingsu 读取的上限",
                "案件记录和配置用不到锚点和别名；请删除它们，直接写出内容",
                (6, 8),
            ),
        ];
        for (src, message, help, (line, column)) in cases {
            let e = parse::<S>(Path::new("x.yaml"), src).unwrap_err();
            let d = e.diagnostics()[0].clone();
            assert_eq!(d.message, message, "{src:?}");
            assert_eq!(d.help.as_deref(), Some(help), "{src:?}");
            assert_eq!(d.pos, Some(Pos { line, column }), "{src:?}");
        }
        for empty in ["", "\n\n", "# 只有注释\n"] {
            let e = parse::<T>(Path::new("x.yaml"), empty).unwrap_err();
            assert_eq!(
                e.to_string(),
                "错误：文件是空的（没有任何内容，或只有注释）\n --> x.yaml\n  = 帮助：请写入内容，或从 git 历史中恢复它；不需要的文件可以删除\n"
            );
        }
    }

    /// Nesting too deep, without a single anchor, is said to be nesting (not anchors); too
    /// many aliases are said to be anchors and aliases.
    #[test]
    fn nesting_and_aliases_over_the_limits_are_told_apart() {
        let deep = format!("a: {}{}\n", "[".repeat(100), "]".repeat(100));
        let block: String = (0..100)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect::<String>()
            + &"  ".repeat(100)
            + "x: 1\n";
        for src in [deep, block] {
            let e = parse::<serde_json::Value>(Path::new("x.yaml"), &src).unwrap_err();
            let d = e.diagnostics()[0].clone();
            assert_eq!(
                d.message, "嵌套层数太深：列表和映射一层套一层，超过了 yingsu 读取的上限",
                "{src}"
            );
            assert_eq!(
                d.help.as_deref(),
                Some(
                    "案件记录和配置只需几层缩进；请检查是否多写了方括号“[”或花括号“{”，或缩进越来越深"
                )
            );
        }
        let aliases = format!("a: &x 1\nb: [{}*x]\n", "*x, ".repeat(100_000));
        let e = parse::<serde_json::Value>(Path::new("x.yaml"), &aliases).unwrap_err();
        let d = e.diagnostics()[0].clone();
        assert_eq!(
            d.message,
            "文件过于庞大或复杂：锚点和别名（& 与 *）层层展开后超过了 yingsu 读取的上限"
        );
        // Shown around its column (past 65,535), without a panic.
        let shown = e.to_string();
        assert!(shown.len() < 1_000, "{shown}");
    }

    #[test]
    fn missing_key_is_reported() {
        let e = parse::<T>(Path::new("x.yaml"), "name: a\n").unwrap_err();
        assert_eq!(e.diagnostics()[0].message, "缺少必需的键 `count`");
    }

    #[test]
    fn wrong_type_is_reported() {
        let e = parse::<T>(Path::new("x.yaml"), "name: a\ncount: [1]\n").unwrap_err();
        let d = e.diagnostics()[0];
        assert_eq!(
            d.message,
            "类型不对：这里应为单个值（文本、数字、日期或 true/false），不能是列表或映射"
        );
        assert_eq!(d.pos.map(|p| p.line), Some(2));
    }

    #[test]
    fn raw_scalar_keeps_leading_zeros() {
        #[derive(Deserialize)]
        struct N {
            n: Spanned<serde_json::Value>,
        }
        let src = "n: 003\n";
        let v: N = parse(Path::new("x"), src).unwrap();
        assert_eq!(raw_scalar(src, &v.n), Some("003"));
    }
}

/// A YAML mapping that keeps its keys' order and positions.
#[derive(Debug, Clone)]
pub struct OrderedMap<V>(pub Vec<(Spanned<String>, V)>);

impl<V> Default for OrderedMap<V> {
    fn default() -> Self {
        OrderedMap(Vec::new())
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for OrderedMap<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct V2<V>(PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for V2<V> {
            type Value = OrderedMap<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(
                self,
                mut map: A,
            ) -> std::result::Result<Self::Value, A::Error> {
                let mut out = Vec::new();
                while let Some(k) = map.next_key::<Spanned<String>>()? {
                    let v = map.next_value::<V>()?;
                    out.push((k, v));
                }
                Ok(OrderedMap(out))
            }
        }
        d.deserialize_map(V2(PhantomData))
    }
}

impl<V> OrderedMap<V> {
    pub fn get(&self, key: &str) -> Option<&V> {
        self.0.iter().find(|(k, _)| k.value == key).map(|(_, v)| v)
    }
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.0.iter().map(|(k, _)| k.value.as_str())
    }
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
    /// The entries in the order they are written.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &V)> {
        self.0.iter().map(|(k, v)| (k.value.as_str(), v))
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}
