//! Case facts: owns the field types a workflow can declare (text, date, bool, enum, integer, list),
//! the parsing of values typed by a clerk (in a case file or with `--set k=v`), and their checks —
//! `2023-02-30` is an error, not a date.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The facts of a case: field name → value (JSON values: strings, booleans, integers, lists).
pub type Facts = BTreeMap<String, Value>;

/// The type of a workflow field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    Text,
    Date,
    Bool,
    Enum,
    Integer,
    List,
    /// A court case number (案号), stored in the court's form: （2023）渝0112行初123号.
    #[serde(rename = "case_number")]
    CaseNumber,
}

impl FieldType {
    /// The Chinese name of the type, for messages.
    pub fn label(self) -> &'static str {
        match self {
            FieldType::Text => "文本",
            FieldType::Date => "日期",
            FieldType::Bool => "是/否",
            FieldType::Enum => "选项",
            FieldType::Integer => "整数",
            FieldType::List => "列表",
            FieldType::CaseNumber => "案号",
        }
    }
}

/// Parse an ISO date (2023-05-08) or a Chinese one (2023年5月8日), refusing impossible dates.
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let s = s.trim();
    let parts: Vec<&str> = if s.contains('年') {
        let t = s.trim_end_matches('日');
        t.split(['年', '月']).collect()
    } else {
        s.split(['-', '/', '.']).collect()
    };
    if parts.len() != 3
        || parts
            .iter()
            .any(|p| p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()))
    {
        return Err("应写成 2023-05-08 或 2023年5月8日".into());
    }
    let (y, m, d) = match (
        parts[0].parse::<i32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) {
        (Ok(y), Ok(m), Ok(d)) => (y, m, d),
        _ => return Err("应写成 2023-05-08 或 2023年5月8日".into()),
    };
    if !(1900..=2999).contains(&y) {
        return Err(format!("年份 {y} 不在 1900 到 2999 之间"));
    }
    if !(1..=12).contains(&m) {
        return Err(format!("没有 {m} 月"));
    }
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{y} 年 {m} 月没有 {d} 日"))
}

/// Format a date as the standard requires: 2023年5月8日 (Arabic numerals, no leading zeros).
pub fn format_date_zh(d: NaiveDate) -> String {
    use chrono::Datelike;
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

/// Why a value does not fit its field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadValue {
    pub message: String,
    pub help: String,
}

fn bad(message: impl Into<String>, help: impl Into<String>) -> BadValue {
    BadValue {
        message: message.into(),
        help: help.into(),
    }
}

/// Parse a boolean the way clerks write it.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim() {
        "true" | "是" | "yes" | "有" | "已" | "出庭" => Some(true),
        "false" | "否" | "no" | "无" | "未" => Some(false),
        _ => None,
    }
}

/// Whether [`coerce`] reads the value's source text (`raw`) for this type and value: a number
/// or a yes/no written for a text or an option keeps its spelling (`003`, `yes`).
pub(crate) fn reads_raw(ty: FieldType, v: &Value) -> bool {
    matches!(ty, FieldType::Text | FieldType::Enum)
        && matches!(v, Value::Number(_) | Value::Bool(_))
}

/// Normalise a value typed by a clerk into the field's type.
///
/// `raw` is the value's source text when it came from YAML (so that `003` stays `003` for a
/// text field); `values` is the allowed set for enums.
pub(crate) fn coerce(
    ty: FieldType,
    values: &[String],
    v: &Value,
    raw: Option<&str>,
) -> Result<Value, BadValue> {
    match ty {
        FieldType::Text => match v {
            Value::String(s) => Ok(Value::String(s.clone())),
            Value::Number(_) | Value::Bool(_) => Ok(Value::String(
                raw.map(|r| r.trim_matches(['"', '\'']).to_string())
                    .unwrap_or_else(|| v.to_string()),
            )),
            _ => Err(bad(
                "应为一段文本",
                "直接写文字即可；含“: ”或以“#”开头时请加引号",
            )),
        },
        FieldType::CaseNumber => {
            let s = match v {
                Value::String(s) => s.clone(),
                _ => {
                    return Err(bad("应为案号", "写成（2023）渝0112行初123号的形式"));
                }
            };
            crate::casenum::parse(&s)
                .map(|c| Value::String(c.canonical()))
                .map_err(|e| match e.diagnostics().first() {
                    Some(d) => bad(d.message.clone(), d.help.clone().unwrap_or_default()),
                    None => bad(e.to_string(), ""),
                })
        }
        FieldType::Date => match v {
            Value::String(s) => parse_date(s)
                .map(|d| Value::String(d.format("%Y-%m-%d").to_string()))
                .map_err(|why| {
                    bad(
                        format!("日期 `{s}` 无效：{why}"),
                        "日期写成 2023-05-08 的形式",
                    )
                }),
            _ => Err(bad("应为日期", "日期写成 2023-05-08 的形式")),
        },
        FieldType::Bool => match v {
            Value::Bool(b) => Ok(Value::Bool(*b)),
            Value::String(s) => parse_bool(s).map(Value::Bool).ok_or_else(|| {
                bad(
                    format!("`{s}` 不是“是”或“否”"),
                    "请写 true（是）或 false（否）",
                )
            }),
            _ => Err(bad("应为“是”或“否”", "请写 true（是）或 false（否）")),
        },
        FieldType::Integer => match v {
            Value::Number(n) if n.is_i64() => Ok(v.clone()),
            Value::String(s) => s
                .trim()
                .parse::<i64>()
                .map(|n| Value::Number(n.into()))
                .map_err(|_| bad(format!("`{s}` 不是整数"), "请写阿拉伯数字，例如 26")),
            _ => Err(bad("应为整数", "请写阿拉伯数字，例如 26")),
        },
        FieldType::Enum => {
            let s = match v {
                Value::String(s) => s.trim().to_string(),
                Value::Number(_) | Value::Bool(_) => {
                    raw.map(str::to_string).unwrap_or_else(|| v.to_string())
                }
                _ => {
                    return Err(bad(
                        "应为下列选项之一",
                        format!("可选：{}", values.join("、")),
                    ));
                }
            };
            if values.contains(&s) {
                Ok(Value::String(s))
            } else {
                Err(bad(
                    format!("`{s}` 不是允许的选项"),
                    format!("可选：{}", values.join("、")),
                ))
            }
        }
        FieldType::List => match v {
            Value::Array(items) => {
                let mut out = Vec::with_capacity(items.len());
                for (i, item) in items.iter().enumerate() {
                    match item {
                        Value::String(_) | Value::Object(_) => out.push(item.clone()),
                        Value::Number(_) | Value::Bool(_) => {
                            out.push(Value::String(item.to_string()))
                        }
                        _ => {
                            return Err(bad(
                                format!("列表第 {} 项不是文本", i + 1),
                                "每项以“- ”开头，写一段文字",
                            ));
                        }
                    }
                }
                Ok(Value::Array(out))
            }
            Value::String(s) => Ok(Value::Array(
                s.split(['；', ';'])
                    .map(str::trim)
                    .filter(|x| !x.is_empty())
                    .map(|x| Value::String(x.to_string()))
                    .collect(),
            )),
            _ => Err(bad(
                "应为列表",
                "在 YAML 中每项以“- ”开头；用 --set 时以分号“；”分隔各项",
            )),
        },
    }
}

/// Whether a value counts as given (non-empty).
pub(crate) fn is_present(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Null) => false,
        Some(Value::String(s)) => !s.trim().is_empty(),
        Some(Value::Array(a)) => !a.is_empty(),
        Some(_) => true,
    }
}

/// Split `k=v` from the command line.
pub(crate) fn split_assignment(s: &str) -> Option<(&str, &str)> {
    let (k, v) = s.split_once('=')?;
    let k = k.trim();
    if k.is_empty() { None } else { Some((k, v)) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `validate` trusts a history value checked without its source text unless `reads_raw`
    /// says the text matters: for every other type and value, the text changes nothing.
    #[test]
    fn the_source_text_matters_only_where_reads_raw_says() {
        let types = [
            FieldType::Text,
            FieldType::Date,
            FieldType::Bool,
            FieldType::Enum,
            FieldType::Integer,
            FieldType::List,
            FieldType::CaseNumber,
        ];
        let values = [
            serde_json::json!(3),
            serde_json::json!(3.5),
            serde_json::json!(true),
            serde_json::json!("3"),
            serde_json::json!("2023-05-08"),
            serde_json::json!(["3", 4]),
            serde_json::json!({"a": 1}),
            Value::Null,
        ];
        let options = vec!["3".to_string(), "003".to_string(), "yes".to_string()];
        let mut raw_changed = 0;
        for ty in types {
            for v in &values {
                for raw in ["003", "yes", "2023-05-08", "\"3\""] {
                    let with = coerce(ty, &options, v, Some(raw));
                    let without = coerce(ty, &options, v, None);
                    let same = match (&with, &without) {
                        (Ok(a), Ok(b)) => a == b,
                        (Err(_), Err(_)) => true,
                        _ => false,
                    };
                    if !same {
                        raw_changed += 1;
                        assert!(
                            reads_raw(ty, v),
                            "{ty:?} {v} with {raw:?}: {with:?} / {without:?}"
                        );
                    }
                }
            }
        }
        // The test sees the cases it is about.
        assert!(raw_changed > 0);
    }

    #[test]
    fn dates() {
        assert_eq!(
            parse_date("2023-05-08"),
            Ok(NaiveDate::from_ymd_opt(2023, 5, 8).unwrap())
        );
        assert_eq!(
            parse_date("2023年5月8日"),
            Ok(NaiveDate::from_ymd_opt(2023, 5, 8).unwrap())
        );
        assert_eq!(
            parse_date("2023-02-30"),
            Err("2023 年 2 月没有 30 日".into())
        );
        assert_eq!(parse_date("2023-13-01"), Err("没有 13 月".into()));
        assert_eq!(
            parse_date("昨天"),
            Err("应写成 2023-05-08 或 2023年5月8日".into())
        );
        assert_eq!(
            parse_date("2024-02-29").map(format_date_zh),
            Ok("2024年2月29日".into())
        );
    }

    #[test]
    fn coercions() {
        let v = coerce(FieldType::Text, &[], &Value::from(3), Some("003")).unwrap();
        assert_eq!(v, Value::from("003"));
        let e = coerce(
            FieldType::Enum,
            &["一审".into(), "二审".into()],
            &Value::from("三审"),
            None,
        )
        .unwrap_err();
        assert_eq!(e.message, "`三审` 不是允许的选项");
        assert_eq!(e.help, "可选：一审、二审");
        assert_eq!(
            coerce(FieldType::Bool, &[], &Value::from("否"), None).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            coerce(FieldType::List, &[], &Value::from("张三；李四"), None).unwrap(),
            serde_json::json!(["张三", "李四"])
        );
    }
}
