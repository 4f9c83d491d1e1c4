//! End-to-end benchmark of `yingsu render --all`: a workspace of N proposal cases, each with a
//! two-page reply letter (复函), re-rendered through the whole pipeline — case files parsed,
//! document data built, typeset, PDF hashed, compared with and written to the archive.
//!
//! Run with `cargo bench --bench render_all` (`BENCH_CASES=300` for a shorter run); results in
//! BENCHMARKS.md.

#[path = "support/mod.rs"]
mod support;
use support::{peak_rss_mb, reset_peak};

use std::path::Path;
use std::time::Instant;

use yingsu::engine::{Actor, DocRequest, DocumentRenderer, Input};
use yingsu::render::TypstRenderer;
use yingsu::workspace::Workspace;

/// Sets up cases without typesetting: the documents are rendered by the measured runs.
struct Placeholder;

impl DocumentRenderer for Placeholder {
    fn render(&self, _: &Workspace, _: &DocRequest) -> yingsu::Result<Vec<u8>> {
        Ok(b"placeholder".to_vec())
    }
}

fn actor(date: &str) -> Actor {
    Actor {
        who: "基准测试".into(),
        now: chrono::DateTime::parse_from_rfc3339(&format!("{date}T09:00:00+08:00")).unwrap(),
    }
}

fn input(sets: &[(&str, String)]) -> Input {
    Input {
        sets: sets.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        from: None,
        again: false,
    }
}

/// The demo's reply letter (JY-2023-017), with proposer, number and dates varied per case.
fn make_case(ws: &Workspace, i: usize) {
    let id = format!("JY-2023-{:04}", i + 1);
    let day = 1 + i % 28;
    let r = &Placeholder;
    yingsu::engine::new_case(
        ws,
        "proposal",
        &id,
        &input(&[
            ("kind", "人大建议".into()),
            ("session", "区十九届人大二次会议".into()),
            ("proposal_number", format!("{:03}", i + 1)),
            (
                "proposal_title",
                "关于加强行政争议实质性化解工作的建议".into(),
            ),
            ("proposer", format!("第{}选区李某某代表", i % 40 + 1)),
            ("proposer_address", "您".into()),
            ("assigned_date", format!("2023-03-{day:02}")),
            ("handler", "sfj".into()),
        ]),
        &actor("2023-03-01"),
        r,
    )
    .unwrap();
    yingsu::engine::advance(ws, &id,
        "drafted",
        &input(&[
            ("background", "行政争议实质性化解是减少行政诉讼案件、提升依法行政水平的重要途径。我局高度重视您提出的建议，认真研究办理。".into()),
            ("work", format!("建立行政争议协调化解中心：整合司法、调解、复议等资源，对涉诉行政争议开展诉前化解，全年化解{}件。", 20 + i % 30)),
            ("next_steps", "推动诉调对接：发挥镇街、村居人民调解组织作用，利用人民调解便利高效的优势化解行政争议。".into()),
        ]),
        &actor("2023-04-25"),
        r,
    )
    .unwrap();
    yingsu::engine::advance(
        ws,
        &id,
        "signed",
        &input(&[
            ("signer", "局长杨佳红".into()),
            ("sign_date", "2023-05-20".into()),
        ]),
        &actor("2023-05-20"),
        r,
    )
    .unwrap();
    yingsu::engine::advance(
        ws,
        &id,
        "replied",
        &input(&[
            ("reply_date", format!("2023-05-{day:02}")),
            ("reply_class", "B".into()),
            ("contact", "饶东".into()),
            ("phone", "023-67821277".into()),
        ]),
        &actor("2023-05-25"),
        r,
    )
    .unwrap();
}

fn remove_pdfs(dir: &Path) {
    for e in walkdir::WalkDir::new(dir).into_iter().flatten() {
        if e.path().extension().is_some_and(|x| x == "pdf") {
            std::fs::remove_file(e.path()).unwrap();
        }
    }
}

/// Page objects in a PDF (`/Type /Page`, not `/Pages`).
fn pages(pdf: &[u8]) -> usize {
    let mut count = 0;
    for (i, _) in pdf.windows(5).enumerate().filter(|(_, w)| *w == b"/Type") {
        let rest = &pdf[i + 5..];
        let rest = &rest[rest.iter().take_while(|b| b.is_ascii_whitespace()).count()..];
        if rest.starts_with(b"/Page") && !rest.starts_with(b"/Pages") {
            count += 1;
        }
    }
    count
}

fn main() {
    let n: usize = std::env::var("BENCH_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::write(root.join("yingsu.yaml"), yingsu::demo::DEMO_CONFIG).unwrap();
    std::fs::create_dir_all(root.join("cases")).unwrap();
    let ws = Workspace::open(root).unwrap();
    let t = Instant::now();
    for i in 0..n {
        make_case(&ws, i);
    }
    let setup = t.elapsed().as_secs_f64();

    let renderer = TypstRenderer::new();
    let who = actor("2023-06-01");
    // First run: every document is new (the setup recorded placeholders).
    let t = Instant::now();
    let done = yingsu::engine::render_cases(&ws, &[], 2, &renderer, &who, false)
        .unwrap()
        .rendered;
    let first = t.elapsed().as_secs_f64();
    assert_eq!(done.len(), n);
    let sample = std::fs::read(root.join(&done[0].record.file)).unwrap();
    let mut rows = Vec::new();
    for threads in [1, 2] {
        // Same work each time: every PDF is missing and gets written again.
        remove_pdfs(&root.join("archive"));
        reset_peak();
        let t = Instant::now();
        let done = yingsu::engine::render_cases(&ws, &[], threads, &renderer, &who, false)
            .unwrap()
            .rendered;
        let secs = t.elapsed().as_secs_f64();
        assert!(done.iter().all(|d| d.changed));
        rows.push((threads, secs, peak_rss_mb()));
    }
    println!(
        "render --all over {n} proposal cases (one {}-page reply letter each, {} KiB)",
        pages(&sample),
        sample.len() / 1024
    );
    println!("| measurement | value |");
    println!("|---|---|");
    println!("| setting up the cases (4 steps each, no typesetting) | {setup:.2} s |");
    println!(
        "| first render --all, 2 threads (writes PDFs and a history entry per case) | {first:.2} s = {:.0} docs/s |",
        n as f64 / first
    );
    for (threads, secs, peak) in rows {
        println!(
            "| render --all, {threads} thread(s), all PDFs rewritten | {secs:.2} s = {:.0} docs/s, peak {peak:.0} MB |",
            n as f64 / secs
        );
    }
}
