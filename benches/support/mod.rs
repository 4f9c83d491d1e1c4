//! Measuring helpers shared by the benchmarks and the statistics example (Linux `/proc`).

/// Resets the peak-RSS counter (`VmHWM`) to the current RSS, so that each phase of a benchmark
/// reports its own peak (Linux ≥ 4.0: writing 5 to `/proc/self/clear_refs`).
#[allow(dead_code)]
pub fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory (`VmHWM`) in MB, or NaN where `/proc` is not available.
pub fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
        })
        .map_or(f64::NAN, |kb| kb / 1024.0)
}
