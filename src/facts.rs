//! Case facts: owns the field types a workflow can declare (text, date, bool, enum, integer, list,
//! table — rows of declared columns, e.g. a 证据目录),
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
    /// Rows of the columns the field declares (`columns:`), each row a map column key → cell.
    Table,
}

/// The type of a table column's cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnType {
    Text,
    Integer,
}

/// A column of a table field: its key (an identifier, the key of the cell in each row), its
/// Chinese label (证据名称), its cells' type and whether every row must fill it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    pub key: String,
    pub label: String,
    #[serde(rename = "type", default = "text_column")]
    pub ty: ColumnType,
    #[serde(default)]
    pub required: bool,
}

fn text_column() -> ColumnType {
    ColumnType::Text
}

/// How a clerk writes a table on one line (`--set`, a form): rows separated by `；` or `;` (or
/// line breaks), cells by `｜` or `|`, in column order.
pub const TABLE_SYNTAX: &str =
    "每行以分号“；”（或换行）分隔，一行中的各格以竖线“｜”分隔，按列的顺序填写";

/// Read a table's rows: a YAML list of maps keyed by column key or label (or of rows written
/// `a｜b｜c`), or one text in [`TABLE_SYNTAX`]. Each cell is checked: a required cell filled, an
/// integer cell an integer; rows come out as maps column key → cell (an empty cell left out).
fn coerce_table(columns: &[Column], v: &Value) -> Result<Value, BadValue> {
    let labels = columns
        .iter()
        .map(|c| c.label.as_str())
        .collect::<Vec<_>>()
        .join("｜");
    let shape_help =
        format!("{TABLE_SYNTAX}（{labels}）；在 YAML 中每行以“- ”开头，写成 {{列名: 值, …}}");
    let rows: Vec<Vec<(usize, Value)>> = match v {
        Value::String(s) => s
            .split(['；', ';', '\n'])
            .filter(|r| !r.trim().is_empty())
            .map(|r| positional(columns, r))
            .collect::<Result<_, _>>()?,
        Value::Array(items) => {
            let mut rows = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                rows.push(match item {
                    Value::String(r) => positional(columns, r).map_err(|b| at_row(i, b))?,
                    Value::Object(m) => {
                        let mut row = Vec::new();
                        for (k, cell) in m {
                            let Some(j) = columns.iter().position(|c| c.key == *k || c.label == *k)
                            else {
                                return Err(bad(
                                    format!("第 {} 行的列“{k}”不是本表的列", i + 1),
                                    format!("可用的列：{labels}"),
                                ));
                            };
                            row.push((j, cell.clone()));
                        }
                        row
                    }
                    _ => return Err(bad(format!("第 {} 行不是一行表格", i + 1), shape_help)),
                });
            }
            rows
        }
        _ => return Err(bad("应为表格", shape_help)),
    };
    let mut out = Vec::with_capacity(rows.len());
    for (i, row) in rows.into_iter().enumerate() {
        let mut cells = serde_json::Map::new();
        for (j, cell) in row {
            let col = &columns[j];
            let text = match &cell {
                Value::Null => continue,
                Value::String(s) => s.trim().to_string(),
                Value::Number(n) => n.to_string(),
                Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(bad(
                        format!("第 {} 行“{}”应为一段文字", i + 1, col.label),
                        shape_help,
                    ));
                }
            };
            if text.is_empty() {
                continue;
            }
            let value = match col.ty {
                ColumnType::Text => Value::String(text),
                ColumnType::Integer => match text.parse::<i64>() {
                    Ok(n) if n >= 0 => Value::Number(n.into()),
                    _ => {
                        return Err(bad(
                            format!("第 {} 行“{}”`{text}` 不是整数", i + 1, col.label),
                            "请写阿拉伯数字，例如 3",
                        ));
                    }
                },
            };
            cells.insert(col.key.clone(), value);
        }
        for col in columns.iter().filter(|c| c.required) {
            if !cells.contains_key(&col.key) {
                return Err(bad(
                    format!("第 {} 行没有填写“{}”", i + 1, col.label),
                    format!("每行都须填写“{}”；{TABLE_SYNTAX}（{labels}）", col.label),
                ));
            }
        }
        out.push(Value::Object(cells));
    }
    Ok(Value::Array(out))
}

/// One row written on one line, `a｜b｜c`: its cells in column order.
fn positional(columns: &[Column], row: &str) -> Result<Vec<(usize, Value)>, BadValue> {
    let cells: Vec<&str> = row.split(['｜', '|']).collect();
    if cells.len() > columns.len() {
        let labels: Vec<&str> = columns.iter().map(|c| c.label.as_str()).collect();
        return Err(bad(
            format!(
                "“{}”有 {} 格，但表格只有 {} 列",
                row.trim(),
                cells.len(),
                columns.len()
            ),
            format!("{TABLE_SYNTAX}：{}", labels.join("｜")),
        ));
    }
    Ok(cells
        .into_iter()
        .enumerate()
        .map(|(j, c)| (j, Value::String(c.trim().to_string())))
        .collect())
}

/// A problem of a row given as an item of a list, said of that row.
fn at_row(i: usize, b: BadValue) -> BadValue {
    bad(format!("第 {} 行：{}", i + 1, b.message), b.help)
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
            FieldType::Table => "表格",
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
/// text field); `values` is the allowed set for enums, `columns` the columns of a table.
pub(crate) fn coerce(
    ty: FieldType,
    values: &[String],
    columns: &[Column],
    v: &Value,
    raw: Option<&str>,
) -> Result<Value, BadValue> {
    match ty {
        FieldType::Table => coerce_table(columns, v),
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
                    let with = coerce(ty, &options, &[], v, Some(raw));
                    let without = coerce(ty, &options, &[], v, None);
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
        let v = coerce(FieldType::Text, &[], &[], &Value::from(3), Some("003")).unwrap();
        assert_eq!(v, Value::from("003"));
        let e = coerce(
            FieldType::Enum,
            &["一审".into(), "二审".into()],
            &[],
            &Value::from("三审"),
            None,
        )
        .unwrap_err();
        assert_eq!(e.message, "`三审` 不是允许的选项");
        assert_eq!(e.help, "可选：一审、二审");
        assert_eq!(
            coerce(FieldType::Bool, &[], &[], &Value::from("否"), None).unwrap(),
            Value::Bool(false)
        );
        assert_eq!(
            coerce(FieldType::List, &[], &[], &Value::from("张三；李四"), None).unwrap(),
            serde_json::json!(["张三", "李四"])
        );
    }

    fn evidence_columns() -> Vec<Column> {
        serde_json::from_value(serde_json::json!([
            {"key": "name", "label": "证据名称", "required": true},
            {"key": "source", "label": "证据来源"},
            {"key": "purpose", "label": "证明目的"},
            {"key": "pages", "label": "页数", "type": "integer"}
        ]))
        .unwrap()
    }

    #[test]
    fn tables_read_one_line_and_yaml_rows_alike() {
        let cols = evidence_columns();
        let line = coerce(
            FieldType::Table,
            &[],
            &cols,
            &Value::from("立案审批表｜执法机关制作｜立案程序合法｜2；现场照片| 现场拍摄 ||3"),
            None,
        )
        .unwrap();
        let rows = serde_json::json!([
            {"name": "立案审批表", "source": "执法机关制作", "purpose": "立案程序合法", "pages": 2},
            {"name": "现场照片", "source": "现场拍摄", "pages": 3}
        ]);
        assert_eq!(line, rows);
        let yaml = serde_json::json!([
            {"证据名称": "立案审批表", "source": "执法机关制作", "证明目的": "立案程序合法", "页数": 2},
            {"name": "现场照片", "证据来源": "现场拍摄", "pages": "3"}
        ]);
        assert_eq!(
            coerce(FieldType::Table, &[], &cols, &yaml, None).unwrap(),
            rows
        );
    }

    #[test]
    fn a_bad_cell_is_named_by_row_and_column() {
        let cols = evidence_columns();
        let e = coerce(
            FieldType::Table,
            &[],
            &cols,
            &Value::from("甲｜乙｜丙｜1；乙｜丙｜丁｜三页"),
            None,
        )
        .unwrap_err();
        assert_eq!(e.message, "第 2 行“页数”`三页` 不是整数");
        let e = coerce(
            FieldType::Table,
            &[],
            &cols,
            &serde_json::json!([{"证据来源": "现场拍摄"}]),
            None,
        )
        .unwrap_err();
        assert_eq!(e.message, "第 1 行没有填写“证据名称”");
        let e = coerce(
            FieldType::Table,
            &[],
            &cols,
            &Value::from("甲｜乙｜丙｜1｜多"),
            None,
        )
        .unwrap_err();
        assert_eq!(e.message, "“甲｜乙｜丙｜1｜多”有 5 格，但表格只有 4 列");
        let e = coerce(
            FieldType::Table,
            &[],
            &cols,
            &serde_json::json!([{"页码": 1}]),
            None,
        )
        .unwrap_err();
        assert_eq!(e.message, "第 1 行的列“页码”不是本表的列");
    }
}
