//! The workbench's dashboard (首页, `GET /`) over a large workspace (issue 28): `yingsu serve` in
//! the workspace given, the dashboard asked for once cold (the first request of the server, case
//! index as it is), then warm, timed from the request's first byte to the page's last byte.
//!
//! ```sh
//! cargo run --release --example stats_archive -- /tmp/y10k 10000
//! # every agency needs an issuer since the issuer check; the generator predates it
//! sed -i -E 's/^(  (bm|zj)[0-9]+: \{name: [^,]+), /\1, issuer: sfj, /; s/^(  qzf: \{name: [^,]+), /\1, issuer: sfj, /' /tmp/y10k/yingsu.yaml
//! BENCH_WORKSPACE=/tmp/y10k cargo bench --bench serve_dashboard
//! ```
//!
//! `BENCH_REQUESTS` (default 30) sets the number of warm requests; `BENCH_QUERY` adds a query
//! (`agency=bm01`) to compare a filtered dashboard.

#[path = "support/http.rs"]
mod http;

use http::{serve, summary};

fn main() {
    let Some(dir) = std::env::var_os("BENCH_WORKSPACE") else {
        eprintln!("BENCH_WORKSPACE=<workspace folder> cargo bench --bench serve_dashboard");
        std::process::exit(2);
    };
    let n: usize = std::env::var("BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30)
        .max(1);
    let query = std::env::var("BENCH_QUERY").unwrap_or_default();
    let path = if query.is_empty() {
        "/".to_string()
    } else {
        format!("/?{query}")
    };
    let cases = walkdir::WalkDir::new(std::path::Path::new(&dir).join("cases"))
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().extension().is_some_and(|x| x == "yaml"))
        .count();
    let s = serve(
        std::path::Path::new(&dir),
        "2023-12-20T09:00:00+08:00",
        "基准",
    );
    let first = s.get(&path).expect("the dashboard");
    assert_eq!(first.status, 200, "{}", first.text());
    let rows = first.text().matches("href=\"/case/").count();
    let mut ms = Vec::new();
    for _ in 0..n {
        let r = s.get(&path).expect("the dashboard");
        assert_eq!(r.status, 200);
        ms.push(r.took.as_secs_f64() * 1000.0);
    }
    let (median, p95, max) = summary(&mut ms);
    println!("dashboard `GET {path}` over {cases} case files");
    println!(
        "  first request of the server: {:.1} ms",
        first.took.as_secs_f64() * 1000.0
    );
    println!("  warm, {n} requests: median {median:.1} ms, p95 {p95:.1} ms, max {max:.1} ms");
    println!(
        "  page: {} KiB, {rows} links to cases",
        first.body.len() / 1024
    );
    println!("  target: ≤ 100 ms warm");
}
