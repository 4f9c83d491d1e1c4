//! The demo's documents as a reviewer reads them: `yingsu demo` builds the demonstration
//! workspace, and the text of every PDF it issues must equal
//! `tests/expected/demo/<path of the PDF>.txt` — the files a person reads through for wording.
//! The text is read from the Typst frames of each document laid out again from its frozen record
//! (the `.json` beside the PDF), after checking that this layout exports the archived PDF byte
//! for byte (tests/common/text.rs): one line per laid-out line, so no PDF reader's version
//! changes what is compared. Known faults of wording are looked for in every one of them.
//!
//! `YINGSU_BLESS=1 cargo test --test demo` writes the texts and the sample images in `docs/` (the
//! statistics reports' first pages, a 文件 and a 信函 first page, the whole bulletin) that differ
//! as `<expected>.new` files beside the expected ones, for review (see `common::bless`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use yingsu::Workspace;
use yingsu::render::TypstRenderer;

mod common;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    common::bless::blessing()
}

/// The text of an archived PDF, one laid-out line per line (see tests/common/text.rs).
fn text(ws: &Workspace, renderer: &TypstRenderer, pdf: &Path) -> String {
    common::text::archived_lines(ws, renderer, pdf)
        .into_iter()
        .map(|l| format!("{l}\n"))
        .collect()
}

/// Every PDF under `dir`, by its path relative to `dir`.
fn pdfs(dir: &Path) -> BTreeMap<String, PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, e.path().to_path_buf())
        })
        .collect()
}

/// What no document may say: the faults a reviewer found in earlier documents.
const FAULTS: [(&str, &str); 9] = [
    ("率为%", "an empty rate"),
    ("率%", "an empty rate"),
    ("率—", "a dash for a rate"),
    ("月月度", "“月月度”"),
    ("判决书行政判决", "the judgment named twice"),
    ("判决书判决书", "the judgment named twice"),
    ("(20", "a year in half-width brackets"),
    ("[20", "a year in square brackets"),
    ("，，", "a doubled comma"),
];

#[test]
fn demo_documents_read_as_expected() {
    let tmp = tempfile::tempdir().unwrap();
    let ws = tmp.path().join("demo");
    common::demo_at(&ws);
    let archive = ws.join("archive");
    let found = pdfs(&archive);
    let workspace = Workspace::open(&ws).unwrap();
    let renderer = TypstRenderer::new();
    assert!(found.len() >= 60, "{} documents", found.len());
    let expected_dir = root().join("tests/expected/demo");
    let expected_path = |rel: &str| expected_dir.join(format!("{rel}.txt"));

    let mut faults = Vec::new();
    let mut differ = Vec::new();
    let mut blessed = Vec::new();
    for (rel, pdf) in &found {
        let got = text(&workspace, &renderer, pdf);
        for (bad, what) in FAULTS {
            if got.contains(bad) {
                faults.push(format!("{rel}: {what} (“{bad}”)"));
            }
        }
        let path = expected_path(rel);
        if bless() {
            blessed.extend(common::bless::write_new(&path, got.as_bytes()));
            continue;
        }
        match std::fs::read_to_string(&path) {
            Ok(want) if want == got => {}
            Ok(want) => {
                let line = got
                    .lines()
                    .zip(want.lines())
                    .position(|(a, b)| a != b)
                    .map_or(got.lines().count().min(want.lines().count()), |i| i);
                differ.push(format!(
                    "{rel}: line {}: got “{}”, expected “{}”",
                    line + 1,
                    got.lines().nth(line).unwrap_or(""),
                    want.lines().nth(line).unwrap_or("")
                ));
            }
            Err(_) => differ.push(format!("{rel}: no expected text")),
        }
    }
    // No expected text is left for a document the demo no longer makes.
    let stale: Vec<String> = pdfs_expected(&expected_dir)
        .into_iter()
        .filter(|rel| !found.contains_key(rel))
        .collect();
    if bless() {
        // Expected texts of documents the demo no longer makes are named, not removed.
        for rel in &stale {
            eprintln!(
                "YINGSU_BLESS: no document for {}; remove it if that is right",
                expected_path(rel).display()
            );
        }
        // First pages of the statistics reports and of the two formats, and the whole bulletin,
        // drawn in a folder of their own and compared with those in docs/.
        let drawn = tempfile::tempdir().unwrap();
        for (image, rel) in [
            ("documents/tongbao", "reports/2023/bulletin-2023Q1.pdf"),
            ("documents/yuebao", "reports/2023/monthly-2023-03-scjgj.pdf"),
            (
                "gongwen-page1",
                "2023/2023-渝0112行初31/05-loss_review-baisu.pdf",
            ),
            ("letter-page1", "2023/TA-2023-003/04-replied-fuhan.pdf"),
            // The court's style: the reply and its list of evidence.
            (
                "documents/dabian",
                "2023/2023-渝0112行初60/02-reply-dabian.pdf",
            ),
            (
                "documents/zhengju",
                "2023/2023-渝0112行初60/02-reply-zhengju.pdf",
            ),
        ] {
            let ok = Command::new("pdftoppm")
                .args(["-png", "-r", "100", "-f", "1", "-l", "1", "-singlefile"])
                .arg(archive.join(rel))
                .arg(drawn.path().join("page"))
                .status()
                .unwrap();
            assert!(ok.success());
            let png = std::fs::read(drawn.path().join("page.png")).unwrap();
            let expected = root().join("docs").join(format!("{image}.png"));
            blessed.extend(common::bless::write_new(&expected, &png));
        }
        let ok = Command::new("pdftoppm")
            .args(["-png", "-r", "100"])
            .arg(archive.join("reports/2023/bulletin-2023Q1.pdf"))
            .arg(drawn.path().join("bulletin-2023Q1"))
            .status()
            .unwrap();
        assert!(ok.success());
        for page in std::fs::read_dir(drawn.path()).unwrap().flatten() {
            let name = page.file_name();
            if name.to_string_lossy().starts_with("bulletin-2023Q1-") {
                let png = std::fs::read(page.path()).unwrap();
                blessed.extend(common::bless::write_new(
                    &root().join("docs").join(name),
                    &png,
                ));
            }
        }
        common::bless::report(&blessed);
    } else {
        assert!(stale.is_empty(), "expected texts of no document: {stale:?}");
        assert!(
            differ.is_empty(),
            "{} documents differ (YINGSU_BLESS=1 writes them as .new files for review):\n{}",
            differ.len(),
            differ.join("\n")
        );
    }
    assert!(faults.is_empty(), "{}", faults.join("\n"));
}

/// The PDFs the expected texts stand for.
fn pdfs_expected(dir: &Path) -> Vec<String> {
    if !dir.is_dir() {
        return Vec::new();
    }
    walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter_map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .ok()?
                .to_string_lossy()
                .into_owned();
            rel.strip_suffix(".txt").map(String::from)
        })
        .collect()
}
