//! Estimated public holidays: owns the statutory festival days of any year 2015–2100 under
//! 《全国年节及纪念日放假办法》, counted from a table of their lunar-calendar and solar-term dates,
//! for the years the official table (`calendar/cn.yaml`) and `yingsu.yaml` do not cover.
//!
//! # What the law fixes years ahead
//!
//! 《全国年节及纪念日放假办法》第二条 (as amended by 国务院令第795号, in force from 2025-01-01):
//! 元旦 1 day (1 January); 春节 4 days (农历除夕、正月初一至初三); 清明节 1 day (the 清明 solar
//! term); 劳动节 2 days (1–2 May); 端午节 1 day (农历五月初五); 中秋节 1 day (农历八月十五);
//! 国庆节 3 days (1–3 October). Before 2025 (as amended in 2013): 春节 3 days (初一至初三) and
//! 劳动节 1 day. 第六条: a holiday that falls on a Saturday or Sunday is made up on a working day
//! (补假) — here the first following weekday that is not itself a holiday.
//!
//! What the law does not fix is the State Council's yearly arrangement (放假调休): bridging days
//! and the Saturdays worked in exchange wait for its notice. A date counted on these days is an
//! estimate (预估) and is shown as one until the year's notice is in the official table or in
//! `yingsu.yaml` (`calendar.official`).
//!
//! # The table
//!
//! [`LUNAR`] holds, per year, 正月初一, the April day of 清明, 五月初五 and 八月十五 as Gregorian
//! dates (Beijing time). It was generated with two independent implementations of the Chinese
//! calendar (the Python packages `sxtwl`, after 寿星天文历, and `lunar-python`), which agree on
//! every date; the tests check it against every festival of the official table 2015–2026.

use chrono::{Datelike, NaiveDate, Weekday};

/// (year, 正月初一 (month, day), 清明 (April day), 端午 (month, day), 中秋 (month, day)).
type Row = (i32, (u32, u32), u32, (u32, u32), (u32, u32));

/// The festival dates of 2015–2100; see the module documentation.
const LUNAR: [Row; 86] = [
    (2015, (2, 19), 5, (6, 20), (9, 27)),
    (2016, (2, 8), 4, (6, 9), (9, 15)),
    (2017, (1, 28), 4, (5, 30), (10, 4)),
    (2018, (2, 16), 5, (6, 18), (9, 24)),
    (2019, (2, 5), 5, (6, 7), (9, 13)),
    (2020, (1, 25), 4, (6, 25), (10, 1)),
    (2021, (2, 12), 4, (6, 14), (9, 21)),
    (2022, (2, 1), 5, (6, 3), (9, 10)),
    (2023, (1, 22), 5, (6, 22), (9, 29)),
    (2024, (2, 10), 4, (6, 10), (9, 17)),
    (2025, (1, 29), 4, (5, 31), (10, 6)),
    (2026, (2, 17), 5, (6, 19), (9, 25)),
    (2027, (2, 6), 5, (6, 9), (9, 15)),
    (2028, (1, 26), 4, (5, 28), (10, 3)),
    (2029, (2, 13), 4, (6, 16), (9, 22)),
    (2030, (2, 3), 5, (6, 5), (9, 12)),
    (2031, (1, 23), 5, (6, 24), (10, 1)),
    (2032, (2, 11), 4, (6, 12), (9, 19)),
    (2033, (1, 31), 4, (6, 1), (9, 8)),
    (2034, (2, 19), 5, (6, 20), (9, 27)),
    (2035, (2, 8), 5, (6, 10), (9, 16)),
    (2036, (1, 28), 4, (5, 30), (10, 4)),
    (2037, (2, 15), 4, (6, 18), (9, 24)),
    (2038, (2, 4), 5, (6, 7), (9, 13)),
    (2039, (1, 24), 5, (5, 27), (10, 2)),
    (2040, (2, 12), 4, (6, 14), (9, 20)),
    (2041, (2, 1), 4, (6, 3), (9, 10)),
    (2042, (1, 22), 4, (6, 22), (9, 28)),
    (2043, (2, 10), 5, (6, 11), (9, 17)),
    (2044, (1, 30), 4, (5, 31), (10, 5)),
    (2045, (2, 17), 4, (6, 19), (9, 25)),
    (2046, (2, 6), 4, (6, 8), (9, 15)),
    (2047, (1, 26), 5, (5, 29), (10, 4)),
    (2048, (2, 14), 4, (6, 15), (9, 22)),
    (2049, (2, 2), 4, (6, 4), (9, 11)),
    (2050, (1, 23), 4, (6, 23), (9, 30)),
    (2051, (2, 11), 5, (6, 13), (9, 19)),
    (2052, (2, 1), 4, (6, 1), (9, 7)),
    (2053, (2, 19), 4, (6, 20), (9, 26)),
    (2054, (2, 8), 4, (6, 10), (9, 16)),
    (2055, (1, 28), 5, (5, 30), (10, 5)),
    (2056, (2, 15), 4, (6, 17), (9, 24)),
    (2057, (2, 4), 4, (6, 6), (9, 13)),
    (2058, (1, 24), 4, (6, 25), (10, 2)),
    (2059, (2, 12), 5, (6, 14), (9, 21)),
    (2060, (2, 2), 4, (6, 3), (9, 9)),
    (2061, (1, 21), 4, (6, 22), (9, 28)),
    (2062, (2, 9), 4, (6, 11), (9, 17)),
    (2063, (1, 29), 5, (6, 1), (10, 6)),
    (2064, (2, 17), 4, (6, 19), (9, 25)),
    (2065, (2, 5), 4, (6, 8), (9, 15)),
    (2066, (1, 26), 4, (5, 28), (10, 3)),
    (2067, (2, 14), 5, (6, 16), (9, 23)),
    (2068, (2, 3), 4, (6, 4), (9, 11)),
    (2069, (1, 23), 4, (6, 23), (9, 29)),
    (2070, (2, 11), 4, (6, 13), (9, 19)),
    (2071, (1, 31), 5, (6, 2), (9, 8)),
    (2072, (2, 19), 4, (6, 20), (9, 26)),
    (2073, (2, 7), 4, (6, 10), (9, 16)),
    (2074, (1, 27), 4, (5, 30), (10, 5)),
    (2075, (2, 15), 4, (6, 17), (9, 24)),
    (2076, (2, 5), 4, (6, 6), (9, 12)),
    (2077, (1, 24), 4, (6, 24), (10, 1)),
    (2078, (2, 12), 4, (6, 14), (9, 20)),
    (2079, (2, 2), 4, (6, 4), (9, 10)),
    (2080, (1, 22), 4, (6, 22), (9, 28)),
    (2081, (2, 9), 4, (6, 11), (9, 17)),
    (2082, (1, 29), 4, (6, 1), (10, 6)),
    (2083, (2, 17), 4, (6, 19), (9, 26)),
    (2084, (2, 6), 4, (6, 7), (9, 14)),
    (2085, (1, 26), 4, (5, 27), (10, 3)),
    (2086, (2, 14), 4, (6, 15), (9, 22)),
    (2087, (2, 3), 4, (6, 5), (9, 11)),
    (2088, (1, 24), 4, (6, 23), (9, 29)),
    (2089, (2, 10), 4, (6, 13), (9, 18)),
    (2090, (1, 30), 4, (6, 2), (9, 8)),
    (2091, (2, 18), 4, (6, 21), (9, 27)),
    (2092, (2, 7), 4, (6, 9), (9, 16)),
    (2093, (1, 27), 4, (5, 29), (10, 5)),
    (2094, (2, 15), 4, (6, 17), (9, 24)),
    (2095, (2, 5), 4, (6, 6), (9, 13)),
    (2096, (1, 25), 4, (6, 24), (9, 30)),
    (2097, (2, 12), 4, (6, 14), (9, 20)),
    (2098, (2, 1), 4, (6, 4), (9, 9)),
    (2099, (1, 21), 4, (6, 23), (9, 29)),
    (2100, (2, 9), 5, (6, 12), (9, 18)),
];

/// The years the estimate covers.
pub(crate) fn estimable(year: i32) -> bool {
    LUNAR.first().is_some_and(|r| r.0 <= year) && LUNAR.last().is_some_and(|r| year <= r.0)
}

fn ymd(y: i32, (m, d): (u32, u32)) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
}

/// The statutory festival days of `year` (each with its festival's name), before 补假, in date
/// order; empty for a year outside the table.
pub(crate) fn statutory_days(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let Some(&(_, new_year, qingming, duanwu, zhongqiu)) = LUNAR.iter().find(|r| r.0 == year)
    else {
        return Vec::new();
    };
    let amended = year >= 2025;
    let mut days = Vec::new();
    let mut push = |d: Option<NaiveDate>, name: &'static str| {
        if let Some(d) = d {
            days.push((d, name));
        }
    };
    push(ymd(year, (1, 1)), "元旦");
    if let Some(first) = ymd(year, new_year) {
        // 除夕 is the day before 正月初一 (from 2025 on).
        let from = if amended { -1 } else { 0 };
        for k in from..3 {
            push(first.checked_add_signed(chrono::TimeDelta::days(k)), "春节");
        }
    }
    push(ymd(year, (4, qingming)), "清明节");
    push(ymd(year, (5, 1)), "劳动节");
    if amended {
        push(ymd(year, (5, 2)), "劳动节");
    }
    push(ymd(year, duanwu), "端午节");
    push(ymd(year, zhongqiu), "中秋节");
    for day in 1..=3 {
        push(ymd(year, (10, day)), "国庆节");
    }
    days.sort();
    days
}

/// The estimated holidays of `year`: its statutory days, and for each that falls on a Saturday
/// or Sunday a 补假 day, the first following weekday that is not already a holiday (第六条).
/// A festival falling on the same day as another (中秋 on 1 October) gives one day.
pub(crate) fn estimated_holidays(year: i32) -> Vec<(NaiveDate, &'static str)> {
    let statutory = statutory_days(year);
    let mut out: Vec<(NaiveDate, &'static str)> = Vec::new();
    for &(d, name) in &statutory {
        if !out.iter().any(|(o, _)| *o == d) {
            out.push((d, name));
        }
    }
    let weekend = |d: NaiveDate| matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let on_weekend: Vec<(NaiveDate, &'static str)> =
        out.iter().copied().filter(|(d, _)| weekend(*d)).collect();
    for (d, name) in on_weekend {
        let mut m = d;
        while let Some(next) = m.succ_opt() {
            m = next;
            if !weekend(m) && !out.iter().any(|(o, _)| *o == m) {
                out.push((m, name));
                break;
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::{OfficialDay, covered_years, official_day};
    use std::collections::BTreeSet;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("test date")
    }

    /// Every statutory day counted for 2015–2026 is a holiday of the same festival in the
    /// official table (all 12 years, every day), and so is every 补假 day but one: in 2015 the
    /// State Council gave 中秋 (Sunday 9.27) no weekday in lieu.
    #[test]
    fn estimates_agree_with_the_official_table_2015_to_2026() {
        let statutory: BTreeSet<NaiveDate> = covered_years()
            .flat_map(statutory_days)
            .map(|(d, _)| d)
            .collect();
        let (mut days, mut in_lieu, mut wrong) = (0, 0, Vec::new());
        for year in covered_years() {
            for (date, name) in estimated_holidays(year) {
                match official_day(date) {
                    Some(OfficialDay::Holiday(official)) if official.contains(name) => {}
                    other => wrong.push(format!("{date} {name}: {other:?}")),
                }
                if statutory.contains(&date) {
                    days += 1;
                } else {
                    in_lieu += 1;
                }
            }
        }
        // 12 years of 11 days (2015–2024) or 13 days (2025–2026), less 2020's 中秋 on 国庆.
        assert_eq!(days, 10 * 11 + 2 * 13 - 1);
        assert_eq!(in_lieu, 38);
        assert_eq!(wrong, ["2015-09-28 中秋节: None"]);
    }

    /// Each festival's lunar date as the official notices name it, year by year.
    #[test]
    fn lunar_dates_of_2015_to_2026() {
        let names = |y: i32, name: &str| -> Vec<String> {
            statutory_days(y)
                .into_iter()
                .filter(|(_, n)| *n == name)
                .map(|(d, _)| d.format("%m-%d").to_string())
                .collect()
        };
        assert_eq!(names(2024, "春节"), ["02-10", "02-11", "02-12"]);
        assert_eq!(names(2025, "春节"), ["01-28", "01-29", "01-30", "01-31"]);
        assert_eq!(names(2026, "春节"), ["02-16", "02-17", "02-18", "02-19"]);
        assert_eq!(names(2025, "劳动节"), ["05-01", "05-02"]);
        assert_eq!(names(2024, "劳动节"), ["05-01"]);
        assert_eq!(names(2023, "中秋节"), ["09-29"]);
        assert_eq!(names(2020, "中秋节"), ["10-01"]);
        assert_eq!(names(2019, "清明节"), ["04-05"]);
        assert_eq!(names(2022, "端午节"), ["06-03"]);
        assert!(statutory_days(2014).is_empty());
        assert!(statutory_days(2101).is_empty());
        assert!(estimable(2027) && estimable(2100) && !estimable(2101) && !estimable(2014));
    }

    /// 2027: 元旦 Friday; 春节 2.5 (除夕) – 2.8, with 2.6 and 2.7 on the weekend made up on
    /// 2.9 and 2.10; 清明 4.5; 劳动节 Saturday–Sunday made up on 5.3–5.4; 端午 6.9; 中秋 9.15;
    /// 国庆 Friday–Sunday made up on 10.4–10.5.
    #[test]
    fn estimate_of_2027() {
        let days: Vec<String> = estimated_holidays(2027)
            .into_iter()
            .map(|(d, n)| format!("{} {n}", d.format("%m-%d")))
            .collect();
        assert_eq!(
            days,
            [
                "01-01 元旦",
                "02-05 春节",
                "02-06 春节",
                "02-07 春节",
                "02-08 春节",
                "02-09 春节",
                "02-10 春节",
                "04-05 清明节",
                "05-01 劳动节",
                "05-02 劳动节",
                "05-03 劳动节",
                "05-04 劳动节",
                "06-09 端午节",
                "09-15 中秋节",
                "10-01 国庆节",
                "10-02 国庆节",
                "10-03 国庆节",
                "10-04 国庆节",
                "10-05 国庆节",
            ]
        );
        assert_eq!(d("2027-02-06").weekday(), Weekday::Sat);
    }
}
