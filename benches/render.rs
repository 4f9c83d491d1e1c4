//! Typesetting benchmark: cold start, batch throughput and peak memory.
//!
//! Run with `cargo bench --bench render` (results in BENCHMARKS.md).

#[path = "support/mod.rs"]
mod support;
use support::{peak_rss_mb, reset_peak};

use std::path::PathBuf;
use std::time::Instant;

use serde_json::{Value, json};
use yingsu::typeset::{Job, LAYOUT_LIBRARY_PATH, Typesetter};

fn root() -> PathBuf {
    let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    if here.join("templates/samples/letter.typ").is_file() {
        here
    } else {
        PathBuf::from("/work/main")
    }
}

/// A two-page reply letter whose addressee, number, figures and date vary.
fn letter_job(template: &str, base: &Value, i: usize) -> Job {
    let mut data = base.clone();
    let blocks = data["blocks"].as_array().unwrap()[..9].to_vec();
    data["blocks"] = Value::Array(blocks);
    data["to"] = json!(format!("第{}选区人大代表联络组", i + 1));
    data["number"] = json!(format!("渝北司函〔2023〕{}号", i + 1));
    data["blocks"][3]["text"] = json!(format!(
        "2022年度，以区政府为被告的行政诉讼案件，人民法院发出负责人出庭应诉通知{}件，区政府负责人出庭应诉{}次，出庭应诉率{:.1}%。",
        20 + i % 17,
        19 + i % 13,
        80.0 + (i % 200) as f64 / 10.0
    ));
    let day = 1 + (i % 28) as u32;
    data["date"] = json!(format!("2023年5月{day}日"));
    let date = chrono::NaiveDate::from_ymd_opt(2023, 5, day).unwrap();
    Job::new(template, data, date, format!("bench-{i}"))
}

fn main() {
    let root = root();
    let fonts = vec![std::env::var_os("BENCH_FONTS").map_or(root.join("fonts"), PathBuf::from)];
    let template = std::fs::read_to_string(root.join("templates/samples/letter.typ")).unwrap();
    let base: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("templates/samples/letter.json")).unwrap(),
    )
    .unwrap();
    let n: usize = std::env::var("BENCH_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1000);

    // Cold: engine construction (font scan, library) + first PDF.
    let t = Instant::now();
    let ts = Typesetter::new(&fonts).unwrap();
    let built = t.elapsed();
    let first = ts.pdf(&letter_job(&template, &base, 0)).unwrap();
    let cold = t.elapsed();
    let pages = ts
        .layout(&letter_job(&template, &base, 0))
        .unwrap()
        .pages()
        .len();

    // `BENCH_LIBRARY=<file.typ>`: the batch with another layout library (before/after).
    let library = std::env::var_os("BENCH_LIBRARY").map(|p| std::fs::read_to_string(p).unwrap());
    let jobs: Vec<Job> = (0..n)
        .map(|i| {
            let mut job = letter_job(&template, &base, i);
            if let Some(lib) = &library {
                job.files
                    .insert(LAYOUT_LIBRARY_PATH.to_string(), lib.as_str().into());
            }
            job
        })
        .collect();

    // Where the time goes (one thread, a fifth of the batch).
    let k = (n / 5).max(1);
    let t = Instant::now();
    let mut export = std::time::Duration::ZERO;
    for job in &jobs[..k] {
        let doc = ts.layout(job).unwrap();
        let e = Instant::now();
        typst_pdf::pdf(&doc, &typst_pdf::PdfOptions::default()).unwrap();
        export += e.elapsed();
    }
    let export_ms = export.as_secs_f64() * 1e3 / k as f64;
    let layout_ms = t.elapsed().as_secs_f64() * 1e3 / k as f64 - export_ms;
    let mut overall_peak = peak_rss_mb();
    let mut rows = Vec::new();
    for threads in [1, 2] {
        // In chunks of 100 whose PDFs are dropped, as a caller writing files would.
        reset_peak();
        let t = Instant::now();
        let mut bytes = 0;
        for chunk in jobs.chunks(100) {
            let out = ts.render_batch(chunk, threads);
            bytes += out
                .iter()
                .map(|r| r.as_ref().expect("pdf").len())
                .sum::<usize>();
        }
        let secs = t.elapsed().as_secs_f64();
        let peak = peak_rss_mb();
        overall_peak = overall_peak.max(peak);
        rows.push((threads, secs, n as f64 / secs, bytes / n, peak));
    }

    println!(
        "yingsu typesetting benchmark ({n} reply letters of {pages} pages, first PDF {} KiB)",
        first.len() / 1024
    );
    println!("| measurement | value |");
    println!("|---|---|");
    println!(
        "| Typesetter::new (font scan + library) | {:.1} ms |",
        built.as_secs_f64() * 1e3
    );
    println!(
        "| cold single document (new + first pdf) | {:.1} ms |",
        cold.as_secs_f64() * 1e3
    );
    for (threads, secs, rate, avg, peak) in rows {
        println!(
            "| batch of {n}, {threads} thread(s) | {secs:.2} s = {rate:.0} docs/s (avg {} KiB), peak {peak:.0} MB |",
            avg / 1024
        );
    }
    println!("| compile + layout only, per document | {layout_ms:.2} ms |");
    println!("| PDF export only, per document | {export_ms:.2} ms |");
    println!(
        "| peak memory of the whole run (VmHWM) | {:.0} MB |",
        overall_peak
    );
}
