//! The statistics table's cells as a reader sees them: owns how `yingsu stats` and the
//! workbench's `/stats` page write a rate, a missing figure, a rate's denominator and a row's
//! scope, so that the two can never print a figure differently.

/// A percentage (“87.5%”), or “—” where there is none.
pub fn pct(s: &Option<String>) -> String {
    s.as_ref()
        .map(|s| format!("{s}%"))
        .unwrap_or_else(|| "—".into())
}

/// A figure, or “—” where there is none.
pub fn opt(s: &Option<String>) -> String {
    s.clone().unwrap_or_else(|| "—".into())
}

/// What a rate was counted over: 通知, 开庭 or 混合.
pub fn denom_label(d: &str) -> &'static str {
    match d {
        "notices" => "通知",
        "hearings" => "开庭",
        _ => "混合",
    }
}

/// What a row totals: 合计, 分组, 类型 or 单位.
pub fn scope_label(s: &str) -> &'static str {
    match s {
        "total" => "合计",
        "group" => "分组",
        "kind" => "类型",
        _ => "单位",
    }
}
