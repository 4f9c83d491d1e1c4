//! The figures a letter prints: for a document whose facts have `stats_year` (the reply letter
//! to a proposal), the year's figures per agency group, taken on the letter's date. They are
//! published: while a case file cannot be read they are refused, not printed short.

use chrono::NaiveDate;
use serde_json::{Value, json};

use crate::error::{Error, Result};
use crate::facts::Facts;
use crate::workspace::Workspace;

use super::figures::Archive;
use super::period::Period;

/// The figures of the year a document's `facts` name in `stats_year`, per agency group (the
/// reply letter prints a paragraph per group), as of `date`; `Value::Null` without
/// `stats_year`.
pub fn letter_figures(ws: &Workspace, facts: &Facts, date: NaiveDate) -> Result<Value> {
    let Some(year) = facts.get("stats_year").and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }) else {
        return Ok(Value::Null);
    };
    let year = i32::try_from(year)
        .ok()
        .filter(|y| (1990..=9999).contains(y))
        .ok_or_else(|| {
            Error::user(
                format!("统计年度 `{year}` 无效"),
                "stats_year 写四位年份，例如 2022",
            )
        })?;
    let period = Period::year(year)?;
    let mut archive = Archive::load(ws)?;
    archive.complete()?;
    // Taken on the letter's date: a hearing after it is not yet held.
    archive.as_of = Some(date);
    let stats = super::compute(ws, &archive, &period)?;
    // A group with nothing counted has no rate: its paragraph would print an empty figure.
    let empty: Vec<&str> = stats
        .rows_of("group")
        .filter(|r| r.counts.counted == 0)
        .map(|r| r.name.as_str())
        .collect();
    let omit = facts.get("stats_empty").and_then(|v| v.as_str()) == Some("省略");
    if !empty.is_empty() && !omit {
        return Err(Error::user(
            format!(
                "{year} 年度{}没有计入出庭应诉率的案件，统计段落写不出出庭应诉率",
                empty.join("、")
            ),
            "请核对统计年度（stats_year）和档案；确实没有案件、不写该段时，设 stats_empty=省略",
        ));
    }
    let groups: Vec<Value> = stats
        .rows_of("group")
        .filter(|r| r.counts.counted > 0)
        .map(|r| {
            json!({
                "id": r.id,
                "title": r.name,
                "denominator": r.denominator,
                "counted": r.counts.counted,
                "appeared": r.counts.appeared,
                "rate": r.rate,
                "previous_rate": r.previous_rate,
                "change": r.change,
                "silent": r.counts.silent,
                "concluded": r.counts.concluded,
                "losses": r.counts.losses,
                "loss_rate": r.loss_rate,
                "losses_text": r.counts.losses_text(),
                "pending": r.counts.pending,
            })
        })
        .collect();
    Ok(json!({"year": year, "groups": groups}))
}
