//! Document kinds: owns what a template declares about the document it makes — its format as
//! GB/T 9704-2012 defines them (文件格式, 信函格式, 纪要格式, or a plain page without a letterhead),
//! its 文种 (函, 报告, 通报…) and its direction (上行文, 平行文, 下行文) — and which 发文字号
//! prefix that calls for in `yingsu.yaml`.
//!
//! A template declares itself in comment lines at its top:
//!
//! ```text
//! // 版式：文件
//! // 文种：报告
//! // 行文：上行文
//! ```
//!
//! A workflow's document entry (`format:`) or a case fact `format` may choose another format for
//! one document (a reply letter without letterhead: `format: 普通`).

use serde_json::Value;

use crate::config::Issuer;
use crate::error::{Error, Result};

/// A format of GB/T 9704-2012.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// 文件格式 (7): red “…文件” mark, 发文字号 centred under it (签发人 beside it for 上行文).
    File,
    /// 信函格式 (10.1): red mark and double rules, 函 number flush right.
    Letter,
    /// 纪要格式 (10.3): red “…纪要” mark.
    Minutes,
    /// No letterhead and no number: internal memos, forms, 授权委托书, letters sent plain.
    Plain,
}

impl Format {
    pub(crate) const NAMES: [&'static str; 4] = ["文件", "信函", "纪要", "普通"];

    /// The format named `s` (`文件`, `文件格式`, …).
    pub fn parse(s: &str) -> Option<Format> {
        match s.trim().trim_end_matches("格式") {
            "文件" => Some(Format::File),
            "信函" | "函" => Some(Format::Letter),
            "纪要" => Some(Format::Minutes),
            "普通" | "无版头" | "plain" => Some(Format::Plain),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::File => "文件",
            Format::Letter => "信函",
            Format::Minutes => "纪要",
            Format::Plain => "普通",
        }
    }
}

/// 行文方向.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// 上行文 (报告, 请示): 签发人 in the header.
    Up,
    Parallel,
    Down,
}

impl Direction {
    pub fn parse(s: &str) -> Option<Direction> {
        match s.trim() {
            "上行文" | "上行" => Some(Direction::Up),
            "平行文" | "平行" => Some(Direction::Parallel),
            "下行文" | "下行" => Some(Direction::Down),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Direction::Up => "上行文",
            Direction::Parallel => "平行文",
            Direction::Down => "下行文",
        }
    }
}

/// What a template declares (the defaults, for a template without a declaration: a 函 in
/// 信函格式, 平行文 — what every template was before templates declared themselves).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub format: Format,
    /// 文种, e.g. 函, 报告, 通报: the key of the issuer's number prefix.
    pub kind: String,
    pub direction: Direction,
}

impl Default for Declared {
    fn default() -> Self {
        Declared {
            format: Format::Letter,
            kind: "函".into(),
            direction: Direction::Parallel,
        }
    }
}

/// The declaration at the top of template `source` (see the module documentation); a wrong
/// value is an error naming its line and column (1-based, in characters).
pub fn declared(source: &str) -> std::result::Result<Declared, (usize, usize, String)> {
    let mut d = Declared::default();
    for (i, line) in source.lines().enumerate() {
        let Some(comment) = line.trim_start().strip_prefix("//") else {
            if line.trim().is_empty() {
                continue;
            }
            break;
        };
        let Some((key, value)) = comment.split_once('：').or_else(|| comment.split_once(':'))
        else {
            continue;
        };
        let value = value.trim();
        let column = line
            .find(value)
            .map_or(1, |b| line[..b].chars().count() + 1);
        match key.trim() {
            "版式" => {
                d.format = Format::parse(value).ok_or_else(|| {
                    (
                        i + 1,
                        column,
                        format!("版式“{value}”无效：应为 {} 之一", Format::NAMES.join("、")),
                    )
                })?
            }
            "文种" if !value.is_empty() => d.kind = value.to_string(),
            "行文" => {
                d.direction = Direction::parse(value).ok_or_else(|| {
                    (
                        i + 1,
                        column,
                        format!("行文“{value}”无效：应为 上行文、平行文 或 下行文"),
                    )
                })?
            }
            _ => {}
        }
    }
    Ok(d)
}

/// The format of one document: a case fact `format` first, then the workflow's document entry,
/// then the template's declaration.
pub fn chosen(
    declared: Format,
    entry: Option<&str>,
    facts: &crate::facts::Facts,
) -> Result<Format> {
    for (what, v) in [
        (
            "案件事实 format（版式）",
            facts.get("format").and_then(Value::as_str),
        ),
        ("流程中文书的 format", entry),
    ] {
        if let Some(v) = v.filter(|v| !v.trim().is_empty()) {
            return Format::parse(v).ok_or_else(|| {
                Error::user(
                    format!("{what}“{v}”无效"),
                    format!("版式写 {} 之一", Format::NAMES.join("、")),
                )
            });
        }
    }
    Ok(declared)
}

/// The prefix of the 发文字号 of a document of `kind` in `format` by `issuer` (id `id`):
/// `prefixes[kind]`, else `prefixes[format]` (文件, 信函, 纪要), else for a 函 or 信函 the
/// issuer's `prefix`.
pub fn prefix(id: &str, issuer: &Issuer, kind: &str, format: Format) -> Result<String> {
    let found = issuer
        .prefixes
        .get(kind)
        .or_else(|| issuer.prefixes.get(format.name()))
        .cloned()
        .or_else(|| {
            (kind == "函" || format == Format::Letter)
                .then(|| issuer.prefix.clone())
                .flatten()
        });
    found.filter(|p| !p.trim().is_empty()).ok_or_else(|| {
        Error::user(
            format!(
                "发文机关 {}（{id}）没有“{kind}”类文书（{}格式）的机关代字，无法编发文字号",
                issuer.name,
                format.name()
            ),
            format!(
                "在 yingsu.yaml 的 issuers.{id} 下加上 prefixes，例如 prefixes: {{{kind}: 某某{}}}；不需要发文字号的文书可在流程的文书项中写 numbered: false",
                if kind == "报告" { "文" } else { "发" }
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn declarations() {
        let src = "// baisu.typ — 报告\n// 版式：文件\n// 文种：报告\n// 行文：上行文\n#import \"/gbt9704.typ\": *\n// 版式：普通\n";
        assert_eq!(
            declared(src),
            Ok(Declared {
                format: Format::File,
                kind: "报告".into(),
                direction: Direction::Up
            })
        );
        assert_eq!(declared("#let x = 1"), Ok(Declared::default()));
        assert_eq!(
            declared("// x\n// 版式: 红头"),
            Err((
                2,
                8,
                "版式“红头”无效：应为 文件、信函、纪要、普通 之一".into()
            ))
        );
    }
}
