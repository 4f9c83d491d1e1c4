//! End-to-end benchmark of `yingsu render --all`: a workspace of N proposal cases, each with a
//! two-page reply letter (复函), re-rendered through the whole pipeline — case files parsed,
//! document data built, typeset, PDF hashed, compared with and written to the archive.
//!
//! Then the same letters typeset alone, from their frozen records (`Typesetter::pdf`, nothing
//! read or written): the ceiling of `render --all` set by typst's compile and krilla's export, with
//! the split of one letter into the two.
//!
//! Run with `cargo bench --bench render_all` (`BENCH_CASES=300` for a shorter run); results in
//! BENCHMARKS.md.

#[path = "support/letters.rs"]
mod letters;
#[path = "support/mod.rs"]
mod support;
use letters::{actor, make_case};
use support::{peak_rss_mb, reset_peak};

use std::path::Path;
use std::time::Instant;

use yingsu::render::TypstRenderer;
use yingsu::typeset::Job;
use yingsu::workspace::Workspace;

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
    // Nothing changed (the files settled for the indexes' clock rule): the case index serves
    // every case and every document is known intact; then the same with the indexes off.
    std::thread::sleep(std::time::Duration::from_millis(2100));
    let _ = yingsu::engine::render_cases(&ws, &[], 2, &renderer, &who, false).unwrap();
    let t = Instant::now();
    let done = yingsu::engine::render_cases(&ws, &[], 2, &renderer, &who, false)
        .unwrap()
        .rendered;
    let noop = t.elapsed().as_secs_f64();
    assert!(done.iter().all(|d| !d.changed && !d.typeset));
    // Typesetting alone: each letter's job from its frozen record, as `render --all` builds it.
    let ts = renderer.typesetter(&ws).unwrap();
    let files = ws.template_files();
    let jobs: Vec<Job> = done
        .iter()
        .map(|d| {
            let file = yingsu::engine::issue::frozen_path(&d.record.file);
            let frozen: serde_json::Value =
                serde_json::from_slice(&std::fs::read(root.join(&file)).unwrap()).unwrap();
            let date = frozen["date"].as_str().unwrap().parse().unwrap();
            Job {
                main: format!("/{}.typ", d.record.template),
                files: files.clone(),
                data: frozen["data"].clone(),
                date,
                ident: d.record.file.clone(),
                root: Some(root.to_path_buf()),
                blobs: yingsu::render::attachment_blobs(&ws, "", "", &frozen["data"]).unwrap(),
            }
        })
        .collect();
    let mut alone = Vec::new();
    for threads in [1, 2] {
        let t = Instant::now();
        for chunk in jobs.chunks(100) {
            for pdf in ts.render_batch(chunk, threads) {
                pdf.unwrap();
            }
        }
        alone.push((threads, t.elapsed().as_secs_f64()));
    }
    // One thread, a fifth of the letters: typst's compile and layout, then krilla's export.
    let k = (n / 5).max(1);
    let (mut compile, mut export) = (0.0, 0.0);
    for job in &jobs[..k] {
        let t = Instant::now();
        let doc = ts.layout(job).unwrap();
        compile += t.elapsed().as_secs_f64();
        let t = Instant::now();
        typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).unwrap();
        export += t.elapsed().as_secs_f64();
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
    println!(
        "| render --all, 2 threads, nothing changed (indexes warm) | {:.3} s |",
        noop
    );
    for (threads, secs, peak) in rows {
        println!(
            "| render --all, {threads} thread(s), all PDFs rewritten | {secs:.2} s = {:.0} docs/s, peak {peak:.0} MB |",
            n as f64 / secs
        );
    }
    for (threads, secs) in alone {
        println!(
            "| typesetting alone (`Typesetter::pdf`), {threads} thread(s) | {secs:.2} s = {:.0} docs/s |",
            n as f64 / secs
        );
    }
    println!(
        "| one letter, one thread: typst compile + layout | {:.2} ms |",
        compile * 1e3 / k as f64
    );
    println!(
        "| one letter, one thread: PDF export (krilla) | {:.2} ms |",
        export * 1e3 / k as f64
    );
}
