//! The workbench's live preview of a two-page reply letter (issue 28): `yingsu serve` over a copy
//! of the demo workspace, the 提案答复函 (`templates/fuhan.typ`) of proposal TA-2023-045 at its
//! 答复 step (its 拟稿 carries most of the prose of TA-2023-003: the letter fills two pages),
//! previewed over HTTP as the browser does (POST to the step form with `_action=preview`), each
//! request changing exactly one character of the letter (the 联系电话 line, a Gray code: no value
//! repeats, so no answer comes from a cache of an earlier identical request). Timed from the
//! request's first byte to the last byte of the page that carries the page images.
//!
//! ```sh
//! cargo bench --bench serve_preview                 # 60 previews after 5 to warm up
//! BENCH_PREVIEWS=200 cargo bench --bench serve_preview
//! ```

#[path = "support/http.rs"]
mod http;
#[path = "support/workbench.rs"]
mod workbench;

use http::{enc, serve, summary};
use workbench::{CASE, NOW, gray, prepare};

fn main() {
    let n: u32 = std::env::var("BENCH_PREVIEWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(60)
        .max(1);
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = prepare(tmp.path());
    let s = serve(&dir, NOW, "基准");
    let path = format!("/case/{}/step/replied", enc(CASE));
    let token = s.token(&path);
    let preview = |i: u32| {
        let phone = gray(i);
        let r = s
            .post(
                &path,
                &[
                    ("_csrf", &token),
                    ("_action", "preview"),
                    ("reply_date", "2023-07-10"),
                    ("reply_class", "B"),
                    ("contact", "钱某某"),
                    ("phone", &phone),
                ],
            )
            .expect("preview");
        let html = r.text();
        assert_eq!(r.status, 200, "{html}");
        let pages = html.matches("<img class=\"page\"").count();
        assert_eq!(pages, 2, "a two-page letter, {pages} page images");
        (r.took.as_secs_f64() * 1000.0, r.body.len())
    };
    // Warm: the first preview builds the typesetter, reads the fonts, parses the templates.
    let (first, _) = preview(0);
    for i in 1..5 {
        preview(i);
    }
    let mut ms = Vec::new();
    let mut bytes = 0;
    for i in 5..5 + n {
        let (t, b) = preview(i);
        ms.push(t);
        bytes = b;
    }
    let (median, p95, max) = summary(&mut ms);
    println!(
        "preview of the two-page 提案答复函 of {CASE} (答复 step), one character changed each time"
    );
    println!("  first (cold server)    {first:8.1} ms");
    println!("  {n} previews: median {median:.1} ms, p95 {p95:.1} ms, max {max:.1} ms");
    println!("  page with 2 page images: {} KiB", bytes / 1024);
    println!("  targets: median ≤ 80 ms, p95 ≤ 150 ms");
}
