//! Statistical periods: a month (`2023-03`), a quarter (`2023Q1`), a year (`2023`) or a range of
//! dates (`--from 2023-01-01 --to 2023-03-31`), all inclusive of both ends.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::facts;

/// What kind of period, for labels and ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Month,
    Quarter,
    Year,
    Range,
}

/// A period of dates, both ends included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Period {
    pub kind: Kind,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

const QUARTERS: [&str; 4] = ["一", "二", "三", "四"];

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| Error::user(format!("日期 {y}-{m}-{d} 无效"), "请检查统计期间"))
}

fn month_end(y: i32, m: u32) -> Result<NaiveDate> {
    let (ny, nm) = if m == 12 { (y + 1, 1) } else { (y, m + 1) };
    Ok(date(ny, nm, 1)?.pred_opt().unwrap_or(date(y, m, 28)?))
}

fn bad_period(s: &str) -> Error {
    Error::user(
        format!("统计期间 `{s}` 无法识别"),
        "写成 2023（年度）、2023Q1（季度）或 2023-03（月份），或用 --from 2023-01-01 --to 2023-03-31 指定起止日期",
    )
}

fn year_of(s: &str, whole: &str) -> Result<i32> {
    if s.len() != 4 || !s.chars().all(|c| c.is_ascii_digit()) {
        return Err(bad_period(whole));
    }
    let y: i32 = s.parse().map_err(|_| bad_period(whole))?;
    if !(1900..=2999).contains(&y) {
        return Err(Error::user(
            format!("统计期间 `{whole}` 的年份不在 1900 到 2999 之间"),
            "请检查年份",
        ));
    }
    Ok(y)
}

impl Period {
    pub fn year(y: i32) -> Result<Period> {
        Ok(Period {
            kind: Kind::Year,
            from: date(y, 1, 1)?,
            to: date(y, 12, 31)?,
        })
    }

    pub fn quarter(y: i32, q: u32) -> Result<Period> {
        if !(1..=4).contains(&q) {
            return Err(bad_period(&format!("{y}Q{q}")));
        }
        let m = (q - 1) * 3 + 1;
        Ok(Period {
            kind: Kind::Quarter,
            from: date(y, m, 1)?,
            to: month_end(y, m + 2)?,
        })
    }

    pub fn month(y: i32, m: u32) -> Result<Period> {
        if !(1..=12).contains(&m) {
            return Err(bad_period(&format!("{y}-{m:02}")));
        }
        Ok(Period {
            kind: Kind::Month,
            from: date(y, m, 1)?,
            to: month_end(y, m)?,
        })
    }

    pub fn range(from: NaiveDate, to: NaiveDate) -> Result<Period> {
        if to < from {
            return Err(Error::user(
                format!("统计期间的结束日期 {to} 早于开始日期 {from}"),
                "请交换 --from 与 --to",
            ));
        }
        Ok(Period {
            kind: Kind::Range,
            from,
            to,
        })
    }

    /// Parse `2023`, `2023Q1` (also `2023q1`, `2023-Q1`), `2023-03` (also `2023-3`, `2023年3月`).
    pub fn parse(s: &str) -> Result<Period> {
        let t = s.trim();
        if let Some((y, q)) = t.split_once(['Q', 'q']) {
            let y = year_of(y.trim_end_matches('-'), s)?;
            let q: u32 = q.parse().map_err(|_| bad_period(s))?;
            return Period::quarter(y, q);
        }
        let t2 = t.trim_end_matches(['月', '年']);
        if let Some((y, m)) = t2.split_once(['-', '年', '/', '.']) {
            let y = year_of(y, s)?;
            if m.is_empty() || !m.chars().all(|c| c.is_ascii_digit()) || m.len() > 2 {
                return Err(bad_period(s));
            }
            let m: u32 = m.parse().map_err(|_| bad_period(s))?;
            return Period::month(y, m);
        }
        Period::year(year_of(t2, s)?)
    }

    /// From the command-line options; `None` when none was given.
    pub fn from_options(
        period: Option<&str>,
        year: Option<i32>,
        quarter: Option<&str>,
        month: Option<&str>,
        from: Option<&str>,
        to: Option<&str>,
    ) -> Result<Option<Period>> {
        let date_opt = |name: &str, v: &str| {
            facts::parse_date(v).map_err(|why| {
                Error::user(
                    format!("{name} 的日期 `{v}` 无效：{why}"),
                    "日期写成 2023-05-08 的形式",
                )
            })
        };
        let given = [
            period.is_some(),
            year.is_some(),
            quarter.is_some(),
            month.is_some(),
            from.is_some() || to.is_some(),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if given > 1 {
            return Err(Error::user(
                "统计期间只能用一种方式指定",
                "--period、--year、--quarter、--month 与 --from/--to 只选其一",
            ));
        }
        if let Some(p) = period {
            return Period::parse(p).map(Some);
        }
        if let Some(y) = year {
            return Period::year(y).map(Some);
        }
        if let Some(q) = quarter {
            let p = Period::parse(q)?;
            if p.kind != Kind::Quarter {
                return Err(Error::user(
                    format!("--quarter 的值 `{q}` 不是季度"),
                    "写成 2023Q1 的形式",
                ));
            }
            return Ok(Some(p));
        }
        if let Some(m) = month {
            let p = Period::parse(m)?;
            if p.kind != Kind::Month {
                return Err(Error::user(
                    format!("--month 的值 `{m}` 不是月份"),
                    "写成 2023-03 的形式",
                ));
            }
            return Ok(Some(p));
        }
        match (from, to) {
            (Some(f), Some(t)) => {
                Period::range(date_opt("--from", f)?, date_opt("--to", t)?).map(Some)
            }
            (Some(_), None) | (None, Some(_)) => Err(Error::user(
                "--from 与 --to 须同时给出",
                "例如 --from 2023-01-01 --to 2023-03-31",
            )),
            (None, None) => Ok(None),
        }
    }

    /// The quarter containing `d`.
    pub fn quarter_of(d: NaiveDate) -> Result<Period> {
        Period::quarter(d.year(), (d.month() - 1) / 3 + 1)
    }

    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }

    /// The same period one year earlier (29 February becomes 28 February).
    pub fn previous_year(&self) -> Result<Period> {
        let back = |d: NaiveDate| {
            NaiveDate::from_ymd_opt(d.year() - 1, d.month(), d.day())
                .or_else(|| NaiveDate::from_ymd_opt(d.year() - 1, d.month(), 28))
                .ok_or_else(|| Error::Internal(format!("no previous year for {d}")))
        };
        let from = back(self.from)?;
        let to = match self.kind {
            Kind::Range => back(self.to)?,
            _ => {
                // Keep whole months whole (e.g. February of a leap year).
                let t = back(self.to)?;
                month_end(t.year(), t.month())?
            }
        };
        Ok(Period {
            kind: self.kind,
            from,
            to,
        })
    }

    /// A short code for ids and file names: `2023`, `2023Q1`, `2023-03`, `20230101-20230331`.
    pub fn code(&self) -> String {
        match self.kind {
            Kind::Year => format!("{}", self.from.year()),
            Kind::Quarter => format!("{}Q{}", self.from.year(), (self.from.month() - 1) / 3 + 1),
            Kind::Month => format!("{}-{:02}", self.from.year(), self.from.month()),
            Kind::Range => format!(
                "{}-{}",
                self.from.format("%Y%m%d"),
                self.to.format("%Y%m%d")
            ),
        }
    }

    /// The Chinese label: 2023年度, 2023年第一季度, 2023年3月, 2023年1月1日至2023年3月31日.
    pub fn label(&self) -> String {
        match self.kind {
            Kind::Year => format!("{}年度", self.from.year()),
            Kind::Quarter => format!(
                "{}年第{}季度",
                self.from.year(),
                QUARTERS[((self.from.month() - 1) / 3) as usize]
            ),
            Kind::Month => format!("{}年{}月", self.from.year(), self.from.month()),
            Kind::Range => format!(
                "{}至{}",
                facts::format_date_zh(self.from),
                facts::format_date_zh(self.to)
            ),
        }
    }

    /// How the previous-year period is called in running text: 上年, 上年同期.
    pub fn previous_label(&self) -> &'static str {
        if self.kind == Kind::Year {
            "上年"
        } else {
            "上年同期"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        facts::parse_date(s).unwrap()
    }

    #[test]
    fn parses() {
        let q = Period::parse("2023Q1").unwrap();
        assert_eq!((q.from, q.to), (d("2023-01-01"), d("2023-03-31")));
        assert_eq!(q.code(), "2023Q1");
        assert_eq!(q.label(), "2023年第一季度");
        let m = Period::parse("2024-02").unwrap();
        assert_eq!(m.to, d("2024-02-29"));
        assert_eq!(m.previous_year().unwrap().to, d("2023-02-28"));
        assert_eq!(Period::parse("2023年3月").unwrap().code(), "2023-03");
        assert_eq!(Period::parse("2022").unwrap().label(), "2022年度");
        assert!(Period::parse("2023Q5").is_err());
        assert!(Period::parse("2023-13").is_err());
        assert!(Period::parse("abc").is_err());
        assert!(Period::parse("23").is_err());
        let r = Period::from_options(
            None,
            None,
            None,
            None,
            Some("2023-01-15"),
            Some("2023-02-10"),
        )
        .unwrap()
        .unwrap();
        assert_eq!(r.code(), "20230115-20230210");
        assert!(r.contains(d("2023-02-10")) && !r.contains(d("2023-02-11")));
        assert!(Period::from_options(Some("2023"), Some(2023), None, None, None, None).is_err());
        assert!(Period::from_options(None, None, None, None, Some("2023-01-15"), None).is_err());
    }
}
