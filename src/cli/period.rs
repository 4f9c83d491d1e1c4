//! The period options `stats` and `check` share (--period, --year, --quarter, --month, --from,
//! --to) and the date they count from when none is given.

use clap::Args;
use yingsu::engine::Actor;
use yingsu::error::Result;
use yingsu::stats::Period;

/// Period options shared by the commands.
#[derive(Args, Debug, Clone, Default)]
pub struct PeriodArgs {
    /// 统计期间：2023（年度）、2023Q1（季度）或 2023-03（月份）
    #[arg(long, value_name = "期间")]
    pub period: Option<String>,
    /// 年度，如 2022
    #[arg(long, value_name = "年")]
    pub year: Option<i32>,
    /// 季度，如 2023Q1
    #[arg(long, value_name = "季度")]
    pub quarter: Option<String>,
    /// 月份，如 2023-03
    #[arg(long, value_name = "月")]
    pub month: Option<String>,
    /// 起始日期（含），与 --to 同用
    #[arg(long, value_name = "日期")]
    pub from: Option<String>,
    /// 截止日期（含），与 --from 同用
    #[arg(long, value_name = "日期")]
    pub to: Option<String>,
}

impl PeriodArgs {
    pub fn period(&self) -> Result<Option<Period>> {
        Period::from_options(
            self.period.as_deref(),
            self.year,
            self.quarter.as_deref(),
            self.month.as_deref(),
            self.from.as_deref(),
            self.to.as_deref(),
        )
    }
}

/// Today, as the clerk's environment gives it (`YINGSU_NOW`).
pub fn today() -> Result<chrono::NaiveDate> {
    Ok(Actor::from_env()?.today())
}
