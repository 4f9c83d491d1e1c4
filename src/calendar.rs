//! The working-day calendar: owns the official table of public holidays (放假日) and adjusted
//! working days (调休上班日) in `calendar/cn.yaml`, the local additions from `yingsu.yaml`, and
//! how a deadline's last day is computed from them.
//!
//! # The official table
//!
//! `calendar/cn.yaml` holds, for every year in [`covered_years`], the dates of the State Council
//! General Office's annual notice (国务院办公厅关于XXXX年部分节假日安排的通知) and of the notices
//! that amended it, each cited ([`notice_of`], [`notices_of`]). It is embedded in the binary and
//! parsed once. A bureau adds a later year's notice in `yingsu.yaml` (`calendar.official`) as soon
//! as it is published; it wins over the table for that year. A year in neither is estimated
//! ([`estimate`]: the statutory festival days of 《全国年节及纪念日放假办法》 from the lunar
//! calendar, 2015–2100) and counted Monday–Friday outside that range;
//! [`WorkCalendar::uncovered_years`] tells callers which years of a computation that affects, and
//! [`uncovered_message`] is the warning to show. A date counted through such a year is marked
//! 预估 wherever it is shown.
//!
//! # Which days are working days
//!
//! In order of precedence:
//!
//! 1. a local working day (`calendar.workdays` in `yingsu.yaml`) is a working day;
//! 2. a local holiday (`calendar.holidays`: a local holiday or a day the office is closed) is not;
//! 3. for a year whose notice `yingsu.yaml` gives (`calendar.official`), its holidays are not
//!    working days, its adjusted working days are;
//! 4. otherwise an official adjusted working day (调休上班日) of the table is a working day;
//! 5. an official holiday (放假日) of the table is not;
//! 6. in a year neither covers, an estimated holiday ([`estimate`]) is not;
//! 7. otherwise Monday–Friday are working days, Saturday and Sunday are not.
//!
//! Local days (1 and 2) are the office's own: they count for its internal deadlines only. A
//! statutory period (a court's, declared `statutory: true` in a workflow) is counted on the
//! national calendar ([`WorkCalendar::national`]), rules 3–7.
//!
//! # How a deadline is counted ([`WorkCalendar::add`], [`end_rule`])
//!
//! Every deadline counts from the day after its start: the start day is day 0. The rules follow
//! the periods of administrative litigation — 行政诉讼法第一百零一条 applies the Civil Procedure
//! Law's periods, and 最高人民法院关于适用《中华人民共和国行政诉讼法》的解释（法释〔2018〕1号）
//! 第四十八条 says: “期间开始的时和日，不计算在期间内。期间届满的最后一日是节假日的，以节假日后的
//! 第一日为期间届满的日期。” The loss report, rectification report and proposal reply are the
//! agencies' own deadlines (local rules), counted the same way.
//!
//! - `{working_days: N}` ([`EndRule::CountWorkingDays`]): day N is the N-th working day after the
//!   start. Adjusted working days count, holidays and weekends do not, so the last day is always a
//!   working day.
//! - `{calendar_days: N}` and `{months: N}` with N > 0 ([`EndRule::NextWorkingDay`]): the last day
//!   is N days, or N months (same day of the month, clamped to the month's end), after the start.
//!   If it is not a working day, the deadline moves to the next working day (法释〔2018〕1号第四十八条：
//!   “期间届满的最后一日是节假日的，以节假日后的第一日为期间届满的日期”). Weekends count as 节假日
//!   here; an adjusted working Saturday does not.
//! - `{calendar_days: 0}` and `{months: 0}` ([`EndRule::SameDay`]): the start date itself, not
//!   moved. These are not periods but events on a known date (e.g. the hearing).

use std::collections::{BTreeMap, BTreeSet};
use std::ops::RangeInclusive;
use std::sync::OnceLock;

mod estimate;

use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;

/// The embedded official table.
const SOURCE: &str = include_str!("../calendar/cn.yaml");

/// A notice that fixes holidays and adjusted working days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    /// 文号, e.g. 国办发明电〔2023〕7号.
    pub number: String,
    /// 标题, e.g. 国务院办公厅关于2024年部分节假日安排的通知.
    pub title: String,
    /// The date the notice bears (成文日期).
    pub dated: NaiveDate,
}

impl Notice {
    /// How the notice is cited in text: 《标题》（文号）.
    #[cfg(test)]
    pub(crate) fn citation(&self) -> String {
        format!("《{}》（{}）", self.title, self.number)
    }
}

/// What the official table says about a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficialDay<'a> {
    /// A public holiday (放假日), with the festival's name, e.g. 春节.
    Holiday(&'a str),
    /// An adjusted working day (调休上班日), with the festival it makes up for.
    Workday(&'a str),
}

/// A year of the official table.
#[derive(Debug)]
struct Year {
    /// The annual notice first, then the notices that amended it.
    #[cfg_attr(not(test), allow(dead_code))]
    notices: Vec<Notice>,
}

/// The parsed official table.
#[derive(Debug)]
struct Official {
    years: BTreeMap<i32, Year>,
    days: BTreeMap<NaiveDate, (bool, String)>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    years: BTreeMap<i32, RawYear>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawYear {
    notice: String,
    title: String,
    dated: String,
    #[serde(default)]
    amended_by: Vec<RawNotice>,
    #[serde(default)]
    holidays: Vec<RawEntry>,
    #[serde(default)]
    workdays: Vec<RawEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNotice {
    notice: String,
    title: String,
    dated: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    name: String,
    dates: String,
    #[serde(default)]
    by: Option<String>,
}

fn date(s: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|e| format!("date `{s}`: {e}"))
}

/// The dates of `2024-02-10` or `2024-02-10..2024-02-17` (both ends included).
pub(crate) fn dates(spec: &str) -> Result<Vec<NaiveDate>, String> {
    let (a, b) = spec.split_once("..").unwrap_or((spec, spec));
    let (start, end) = (date(a)?, date(b)?);
    if end < start {
        return Err(format!("range `{spec}` ends before it starts"));
    }
    Ok(start.iter_days().take_while(|d| *d <= end).collect())
}

fn parse(source: &str) -> Result<Official, String> {
    let raw: RawTable = serde_saphyr::from_str(source).map_err(|e| e.to_string())?;
    let mut official = Official {
        years: BTreeMap::new(),
        days: BTreeMap::new(),
    };
    for (year, y) in raw.years {
        let mut notices = vec![Notice {
            number: y.notice,
            title: y.title,
            dated: date(&y.dated)?,
        }];
        for n in y.amended_by {
            notices.push(Notice {
                number: n.notice,
                title: n.title,
                dated: date(&n.dated)?,
            });
        }
        for (holiday, list) in [(true, &y.holidays), (false, &y.workdays)] {
            for e in list {
                if let Some(by) = &e.by
                    && !notices.iter().any(|n| &n.number == by)
                {
                    return Err(format!("{year}: `{by}` is not among the year's notices"));
                }
                for d in dates(&e.dates)? {
                    if official.days.insert(d, (holiday, e.name.clone())).is_some() {
                        return Err(format!("{d} is listed twice"));
                    }
                }
            }
        }
        official.years.insert(year, Year { notices });
    }
    Ok(official)
}

fn official() -> &'static Official {
    static OFFICIAL: OnceLock<Official> = OnceLock::new();
    OFFICIAL.get_or_init(|| match parse(SOURCE) {
        Ok(o) => o,
        // The table is part of the source code and checked by the tests below.
        Err(e) => panic!("calendar/cn.yaml is invalid: {e}"),
    })
}

/// The years the official table covers (2015–2026).
pub(crate) fn covered_years() -> RangeInclusive<i32> {
    let years = &official().years;
    let first = years.keys().next().copied().unwrap_or(0);
    let last = years.keys().next_back().copied().unwrap_or(-1);
    first..=last
}

/// The annual notice for `year`, if the table covers it.
#[cfg(test)]
pub(crate) fn notice_of(year: i32) -> Option<&'static Notice> {
    official().years.get(&year).and_then(|y| y.notices.first())
}

/// All notices for `year`: the annual notice, then those that amended it.
#[cfg(test)]
pub(crate) fn notices_of(year: i32) -> &'static [Notice] {
    official()
        .years
        .get(&year)
        .map(|y| y.notices.as_slice())
        .unwrap_or(&[])
}

/// What the official table says about `d`, if anything.
pub(crate) fn official_day(d: NaiveDate) -> Option<OfficialDay<'static>> {
    official().days.get(&d).map(|(holiday, name)| {
        if *holiday {
            OfficialDay::Holiday(name)
        } else {
            OfficialDay::Workday(name)
        }
    })
}

/// The years from `from` to `due` (both included) that the official table does not cover.
pub fn uncovered_years(from: NaiveDate, due: NaiveDate) -> Vec<i32> {
    let (a, b) = if from <= due {
        (from, due)
    } else {
        (due, from)
    };
    let covered = covered_years();
    (a.year()..=b.year())
        .filter(|y| !covered.contains(y))
        .collect()
}

/// The warning for deadlines that run through years no official notice covers: estimated from
/// the statutory festivals (2015–2100), else counted Monday–Friday.
pub fn uncovered_message(years: &[i32]) -> String {
    let list = |keep: bool| {
        years
            .iter()
            .filter(|y| estimate::estimable(**y) == keep)
            .map(|y| y.to_string())
            .collect::<Vec<_>>()
            .join("、")
    };
    let (estimated, unknown) = (list(true), list(false));
    let mut parts = Vec::new();
    if !estimated.is_empty() {
        parts.push(format!(
            "{estimated} 年的节假日安排尚未公布：期限按《全国年节及纪念日放假办法》规定的节日推算，为预估日期（未计调休）"
        ));
    }
    if !unknown.is_empty() {
        parts.push(format!(
            "{unknown} 年的节假日安排尚未收录：期限按周一至周五计算"
        ));
    }
    format!(
        "{}。国务院办公厅公布该年的节假日安排后，请在 yingsu.yaml 的 calendar.official 中补充放假和调休日期",
        parts.join("；")
    )
}

/// How the last day of a deadline is found; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndRule {
    /// Count working days; the last day is a working day.
    CountWorkingDays,
    /// Count calendar days or months; a last day that is not a working day moves to the next
    /// working day (法释〔2018〕1号第四十八条).
    NextWorkingDay,
    /// A zero-length deadline: the start date itself.
    SameDay,
}

/// A deadline length (`deadlines:` in `yingsu.yaml`). How its last day is found is [`end_rule`].
#[derive(Debug, Clone, Copy, serde::Deserialize, serde::Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum DeadlineSetting {
    /// N calendar days; a last day that is not a working day moves to the next working day.
    CalendarDays(u32),
    /// N working days (Monday–Friday, minus holidays, plus adjusted working days).
    WorkingDays(u32),
    /// N months (same day of month, clamped to the month's end); a last day that is not a
    /// working day moves to the next working day.
    Months(u32),
}

impl DeadlineSetting {
    /// Why this length cannot be a deadline of administrative-litigation work, or `None`. No
    /// such deadline runs longer than a few years; a length beyond ten years is a typing error,
    /// and one of billions of days would carry the count past any calendar (and every year of
    /// it would be named as missing its holidays).
    pub(crate) fn too_long(self) -> Option<String> {
        let (n, max, unit) = match self {
            DeadlineSetting::CalendarDays(n) => (n, 3_660, "日"),
            DeadlineSetting::WorkingDays(n) => (n, 2_500, "个工作日"),
            DeadlineSetting::Months(n) => (n, 120, "个月"),
        };
        (n > max).then(|| format!("期限 {n} {unit}过长：最多 {max} {unit}（约十年）"))
    }
}

/// The rule for a deadline setting.
pub(crate) fn end_rule(setting: DeadlineSetting) -> EndRule {
    match setting {
        DeadlineSetting::WorkingDays(_) => EndRule::CountWorkingDays,
        DeadlineSetting::CalendarDays(0) | DeadlineSetting::Months(0) => EndRule::SameDay,
        DeadlineSetting::CalendarDays(_) | DeadlineSetting::Months(_) => EndRule::NextWorkingDay,
    }
}

/// The estimated holidays of every year [`estimate`] covers.
fn estimated() -> &'static BTreeSet<NaiveDate> {
    static ESTIMATED: OnceLock<BTreeSet<NaiveDate>> = OnceLock::new();
    ESTIMATED.get_or_init(|| {
        (2015..=2100)
            .flat_map(estimate::estimated_holidays)
            .map(|(d, _)| d)
            .collect()
    })
}

/// The working-day calendar: the official table plus the additions of `yingsu.yaml` — later
/// years' notices (national) and the office's own holidays and working days (local).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    holidays: BTreeSet<NaiveDate>,
    workdays: BTreeSet<NaiveDate>,
    /// Days of the notices `yingsu.yaml` gives: `true` a holiday, `false` an adjusted working day.
    notices: BTreeMap<NaiveDate, bool>,
    /// The years those notices are for.
    notice_years: BTreeSet<i32>,
    /// Whether the local days count (`false`: the national calendar of statutory periods).
    local: bool,
}

impl Default for WorkCalendar {
    fn default() -> WorkCalendar {
        WorkCalendar::new([], [])
    }
}

impl WorkCalendar {
    /// The official calendar with local holidays (or days the office is closed) and local
    /// working days, which both win over the official table; a local working day wins over a
    /// local holiday.
    pub fn new(
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> WorkCalendar {
        WorkCalendar {
            holidays: holidays.into_iter().collect(),
            workdays: workdays.into_iter().collect(),
            notices: BTreeMap::new(),
            notice_years: BTreeSet::new(),
            local: true,
        }
    }

    /// This calendar with the State Council's notice for `year` (from `yingsu.yaml`): its
    /// holidays and adjusted working days replace the table's or the estimate for that year.
    pub fn with_notice(
        mut self,
        year: i32,
        holidays: impl IntoIterator<Item = NaiveDate>,
        workdays: impl IntoIterator<Item = NaiveDate>,
    ) -> WorkCalendar {
        self.notice_years.insert(year);
        self.notices.extend(holidays.into_iter().map(|d| (d, true)));
        self.notices
            .extend(workdays.into_iter().map(|d| (d, false)));
        self
    }

    /// The national calendar: this one without the office's local days, on which statutory
    /// periods are counted.
    pub fn national(&self) -> WorkCalendar {
        WorkCalendar {
            local: false,
            ..self.clone()
        }
    }

    /// Whether `d` is a working day.
    pub fn is_workday(&self, d: NaiveDate) -> bool {
        if self.local && self.workdays.contains(&d) {
            return true;
        }
        if self.local && self.holidays.contains(&d) {
            return false;
        }
        if let Some(holiday) = self.notices.get(&d) {
            return !*holiday;
        }
        let weekday = !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        if self.notice_years.contains(&d.year()) {
            return weekday;
        }
        match official_day(d) {
            Some(OfficialDay::Workday(_)) => true,
            Some(OfficialDay::Holiday(_)) => false,
            None if !covered_years().contains(&d.year()) && estimated().contains(&d) => false,
            None => weekday,
        }
    }

    /// `d` if it is a working day, else the first working day after it.
    pub(crate) fn next_workday_from(&self, d: NaiveDate) -> NaiveDate {
        let mut d = d;
        while !self.is_workday(d) {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
        }
        d
    }

    /// The `n`-th working day after `from` (`from` itself when `n` is 0).
    pub fn working_days_after(&self, from: NaiveDate, n: u32) -> NaiveDate {
        let mut d = from;
        let mut left = n;
        while left > 0 {
            match d.succ_opt() {
                Some(next) => d = next,
                None => break,
            }
            if self.is_workday(d) {
                left -= 1;
            }
        }
        d
    }

    /// The last day of a deadline of length `setting` that starts on `from`, by [`end_rule`].
    pub fn add(&self, from: NaiveDate, setting: DeadlineSetting) -> NaiveDate {
        let end = match setting {
            DeadlineSetting::CalendarDays(n) => from
                .checked_add_days(chrono::Days::new(u64::from(n)))
                .unwrap_or(NaiveDate::MAX),
            DeadlineSetting::Months(n) => from
                .checked_add_months(chrono::Months::new(n))
                .unwrap_or(NaiveDate::MAX),
            DeadlineSetting::WorkingDays(n) => self.working_days_after(from, n),
        };
        match end_rule(setting) {
            EndRule::NextWorkingDay => self.next_workday_from(end),
            EndRule::CountWorkingDays | EndRule::SameDay => end,
        }
    }

    /// The years from `from` to `due` (both included) whose holidays come from no official
    /// notice — neither the table nor `yingsu.yaml`'s `calendar.official` — so that callers can
    /// mark the date 预估 and warn with [`uncovered_message`].
    pub fn uncovered_years(&self, from: NaiveDate, due: NaiveDate) -> Vec<i32> {
        uncovered_years(from, due)
            .into_iter()
            .filter(|y| !self.notice_years.contains(y))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    const LOSS_REPORT: DeadlineSetting = DeadlineSetting::WorkingDays(15);

    /// A calendar with local holidays `h` and local working days `w`.
    fn local(h: &[&str], w: &[&str]) -> WorkCalendar {
        WorkCalendar::new(h.iter().map(|s| d(s)), w.iter().map(|s| d(s)))
    }

    fn due(from: &str) -> NaiveDate {
        WorkCalendar::default().add(d(from), LOSS_REPORT)
    }

    #[test]
    fn table_parses_and_is_consistent() {
        let o = parse(SOURCE).expect("cn.yaml parses");
        assert_eq!(covered_years(), 2015..=2026);
        assert_eq!(o.years.len(), 12);
        for (date, (holiday, name)) in &o.days {
            assert!(!name.is_empty());
            // Every adjusted working day is a Saturday or a Sunday.
            if !holiday {
                assert!(
                    matches!(date.weekday(), Weekday::Sat | Weekday::Sun),
                    "{date} is an adjusted working day on a weekday"
                );
            }
            assert!((2014..=2026).contains(&date.year()), "{date}");
        }
        let holidays = o.days.values().filter(|(h, _)| *h).count();
        let workdays = o.days.len() - holidays;
        assert_eq!((holidays, workdays), (329, 75));
    }

    #[test]
    fn table_rejects_bad_entries() {
        let bad = "years:\n  2024:\n    notice: x\n    title: t\n    dated: 2023-10-25\n    holidays:\n      - {name: a, dates: 2024-02-17..2024-02-10}\n";
        assert_eq!(
            parse(bad).unwrap_err(),
            "range `2024-02-17..2024-02-10` ends before it starts"
        );
        let twice = "years:\n  2024:\n    notice: x\n    title: t\n    dated: 2023-10-25\n    holidays:\n      - {name: a, dates: 2024-02-10}\n    workdays:\n      - {name: a, dates: 2024-02-10}\n";
        assert_eq!(parse(twice).unwrap_err(), "2024-02-10 is listed twice");
        let by = "years:\n  2024:\n    notice: x\n    title: t\n    dated: 2023-10-25\n    holidays:\n      - {name: a, dates: 2024-02-10, by: y}\n";
        assert_eq!(
            parse(by).unwrap_err(),
            "2024: `y` is not among the year's notices"
        );
    }

    #[test]
    fn notices_are_cited() {
        let n = notice_of(2024).expect("2024");
        assert_eq!(n.number, "国办发明电〔2023〕7号");
        assert_eq!(n.dated, d("2023-10-25"));
        assert_eq!(
            n.citation(),
            "《国务院办公厅关于2024年部分节假日安排的通知》（国办发明电〔2023〕7号）"
        );
        assert_eq!(
            notice_of(2026).map(|n| n.number.as_str()),
            Some("国办发明电〔2025〕7号")
        );
        assert_eq!(notice_of(2015).map(|n| n.dated), Some(d("2014-12-16")));
        let numbers = |y| {
            notices_of(y)
                .iter()
                .map(|n| n.number.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            numbers(2015),
            ["国办发明电〔2014〕28号", "国发明电〔2015〕1号"]
        );
        assert_eq!(
            numbers(2019),
            ["国办发明电〔2018〕15号", "国办发明电〔2019〕3号"]
        );
        assert_eq!(
            numbers(2020),
            ["国办发明电〔2019〕16号", "国办发明电〔2020〕1号"]
        );
        assert_eq!(notice_of(2027), None);
        assert!(notices_of(2014).is_empty());
    }

    #[test]
    fn official_days() {
        assert_eq!(
            official_day(d("2023-01-21")),
            Some(OfficialDay::Holiday("春节"))
        );
        assert_eq!(
            official_day(d("2023-01-28")),
            Some(OfficialDay::Workday("春节"))
        );
        assert_eq!(
            official_day(d("2022-12-31")),
            Some(OfficialDay::Holiday("元旦"))
        );
        assert_eq!(official_day(d("2024-02-09")), None);
        let cal = WorkCalendar::default();
        assert!(!cal.is_workday(d("2023-01-23"))); // Monday in the Spring Festival
        assert!(cal.is_workday(d("2023-01-28"))); // Saturday, adjusted working day
        assert!(cal.is_workday(d("2024-02-09"))); // 除夕 2024 is not a holiday
        assert!(!cal.is_workday(d("2020-02-01"))); // the 2020 extension cancelled this Saturday
        assert!(!cal.is_workday(d("2015-09-04"))); // 抗战胜利70周年纪念日 调休
        assert!(cal.is_workday(d("2015-09-06")));
        assert!(!cal.is_workday(d("2019-05-03"))); // 2019 Labour Day as amended
        assert!(cal.is_workday(d("2019-05-05")));
        assert!(!cal.is_workday(d("2027-01-02"))); // uncovered: Saturday
        assert!(!cal.is_workday(d("2027-01-01"))); // uncovered: 元旦, estimated
        assert!(cal.is_workday(d("2027-01-04")));
        assert!(cal.is_workday(d("2101-01-03"))); // beyond the estimate: Monday
    }

    #[test]
    fn loss_report_examples() {
        assert_eq!(due("2023-01-13"), d("2023-02-08"));
        assert_eq!(due("2024-09-27"), d("2024-10-23"));
        assert_eq!(due("2025-01-20"), d("2025-02-14"));
    }

    /// One 15-working-day case per year across that year's longest holiday, counted by hand
    /// from the notices.
    #[test]
    fn loss_report_across_each_years_longest_holiday() {
        let cases = [
            ("2015-02-13", "2015-03-11"), // 春节 2.18–24; 2.15, 2.28 上班
            ("2016-02-03", "2016-02-29"), // 春节 2.7–13; 2.6, 2.14 上班
            ("2017-09-27", "2017-10-24"), // 中秋国庆 10.1–8; 9.30 上班
            ("2018-02-09", "2018-03-07"), // 春节 2.15–21; 2.11, 2.24 上班
            ("2019-01-31", "2019-02-26"), // 春节 2.4–10; 2.2, 2.3 上班
            ("2020-01-17", "2020-02-14"), // 春节 1.24–2.2 (延长); 1.19 上班, 2.1 不再上班
            ("2021-02-05", "2021-03-03"), // 春节 2.11–17; 2.7, 2.20 上班
            ("2022-01-27", "2022-02-22"), // 春节 1.31–2.6; 1.29, 1.30 上班
            ("2023-09-27", "2023-10-24"), // 中秋国庆 9.29–10.6; 10.7, 10.8 上班
            ("2024-02-02", "2024-02-28"), // 春节 2.10–17; 2.4, 2.18 上班
            ("2025-09-26", "2025-10-23"), // 国庆中秋 10.1–8; 9.28, 10.11 上班
            ("2026-02-12", "2026-03-11"), // 春节 2.15–23; 2.14, 2.28 上班
        ];
        for (from, expected) in cases {
            assert_eq!(due(from), d(expected), "from {from}");
        }
    }

    #[test]
    fn uncovered_year_warning() {
        let cal = WorkCalendar::default();
        let from = d("2026-12-20");
        let due = cal.add(from, LOSS_REPORT);
        // 2027-01-01 (元旦, a Friday) is estimated as a holiday.
        assert_eq!(due, d("2027-01-11"));
        assert_eq!(cal.uncovered_years(from, due), [2027]);
        assert_eq!(
            uncovered_message(&cal.uncovered_years(from, due)),
            "2027 年的节假日安排尚未公布：期限按《全国年节及纪念日放假办法》规定的节日推算，为预估日期（未计调休）。国务院办公厅公布该年的节假日安排后，请在 yingsu.yaml 的 calendar.official 中补充放假和调休日期"
        );
        assert_eq!(
            uncovered_message(&[2013, 2014, 2101]),
            "2013、2014、2101 年的节假日安排尚未收录：期限按周一至周五计算。国务院办公厅公布该年的节假日安排后，请在 yingsu.yaml 的 calendar.official 中补充放假和调休日期"
        );
        assert_eq!(
            uncovered_message(&[2014, 2027]),
            "2027 年的节假日安排尚未公布：期限按《全国年节及纪念日放假办法》规定的节日推算，为预估日期（未计调休）；2014 年的节假日安排尚未收录：期限按周一至周五计算。国务院办公厅公布该年的节假日安排后，请在 yingsu.yaml 的 calendar.official 中补充放假和调休日期"
        );
        assert!(
            cal.uncovered_years(d("2023-01-13"), d("2023-02-08"))
                .is_empty()
        );
        assert_eq!(uncovered_years(d("2014-12-20"), d("2015-01-10")), [2014]);
        // Local closure days do not make a year official.
        let closed = local(&["2027-01-04"], &[]);
        assert_eq!(closed.uncovered_years(from, due), [2027]);
        // The year's notice does, and replaces the estimate: here 1.1–1.3 off, 1.9 worked.
        let notice = WorkCalendar::default().with_notice(
            2027,
            dates("2027-01-01..2027-01-03").expect("range"),
            [d("2027-01-09")],
        );
        assert!(notice.uncovered_years(from, due).is_empty());
        assert!(notice.is_workday(d("2027-01-09")));
        assert!(notice.is_workday(d("2027-02-08"))); // the estimate no longer applies
        assert_eq!(notice.add(from, LOSS_REPORT), d("2027-01-09"));
    }

    #[test]
    fn the_national_calendar_ignores_local_days() {
        let cal = local(&["2023-02-01"], &["2023-01-21"]);
        let national = cal.national();
        assert!(!cal.is_workday(d("2023-02-01")));
        assert!(national.is_workday(d("2023-02-01")));
        assert!(cal.is_workday(d("2023-01-21")));
        assert!(!national.is_workday(d("2023-01-21")));
        assert_eq!(national.add(d("2023-01-13"), LOSS_REPORT), d("2023-02-08"));
        assert_eq!(cal.working_days_after(d("2024-09-30"), 5), d("2024-10-12"));
    }

    #[test]
    fn local_holiday_and_workday_override_the_official_table() {
        // A day the office is closed.
        let closed = local(&["2023-02-01"], &[]);
        assert_eq!(closed.add(d("2023-01-13"), LOSS_REPORT), d("2023-02-09"));
        // A local working day inside the Spring Festival.
        let open = local(&[], &["2023-01-21"]);
        assert!(open.is_workday(d("2023-01-21")));
        assert_eq!(open.add(d("2023-01-13"), LOSS_REPORT), d("2023-02-07"));
        // A local holiday on an official adjusted working day.
        let rest = local(&["2023-01-28"], &[]);
        assert!(!rest.is_workday(d("2023-01-28")));
        // A local working day wins over a local holiday.
        let both = local(&["2023-03-06"], &["2023-03-06"]);
        assert!(both.is_workday(d("2023-03-06")));
    }

    #[test]
    fn calendar_days_and_months_roll_forward_to_a_working_day() {
        let cal = WorkCalendar::default();
        let days = DeadlineSetting::CalendarDays;
        // Ends on National Day: moves past the holiday.
        assert_eq!(cal.add(d("2024-09-21"), days(10)), d("2024-10-08"));
        // Ends on an adjusted working Saturday: stays.
        assert_eq!(cal.add(d("2024-10-02"), days(10)), d("2024-10-12"));
        // Ends on an ordinary Sunday: Monday.
        assert_eq!(cal.add(d("2023-03-01"), days(4)), d("2023-03-06"));
        // Ends on a working day: stays.
        assert_eq!(cal.add(d("2023-03-01"), days(6)), d("2023-03-07"));
        // Months: 2025-10-01 is in the National Day holiday (10.1–8).
        assert_eq!(
            cal.add(d("2025-07-01"), DeadlineSetting::Months(3)),
            d("2025-10-09")
        );
        // Clamped to the month's end, a Thursday.
        assert_eq!(
            cal.add(d("2024-01-31"), DeadlineSetting::Months(1)),
            d("2024-02-29")
        );
        // A local holiday on the last day also moves it.
        let closed = local(&["2023-03-07"], &[]);
        assert_eq!(closed.add(d("2023-03-01"), days(6)), d("2023-03-08"));
        // Zero-length deadlines are the date itself, even on a Sunday.
        assert_eq!(cal.add(d("2023-03-05"), days(0)), d("2023-03-05"));
        assert_eq!(
            cal.add(d("2023-03-05"), DeadlineSetting::Months(0)),
            d("2023-03-05")
        );
        assert_eq!(end_rule(days(0)), EndRule::SameDay);
        assert_eq!(end_rule(days(1)), EndRule::NextWorkingDay);
        assert_eq!(
            end_rule(DeadlineSetting::WorkingDays(0)),
            EndRule::CountWorkingDays
        );
    }

    #[test]
    fn huge_lengths_do_not_hang_or_panic() {
        let cal = WorkCalendar::default();
        assert_eq!(
            cal.add(d("2023-03-01"), DeadlineSetting::CalendarDays(u32::MAX)),
            NaiveDate::MAX
        );
        assert_eq!(
            cal.add(NaiveDate::MAX, DeadlineSetting::WorkingDays(3)),
            NaiveDate::MAX
        );
    }
}
