//! Archived documents read back as text without a PDF reader: each PDF's frozen record (the
//! `.json` beside it) is laid out again with the workspace's templates and fonts, the PDF that
//! layout exports must be the archived file byte for byte, and the text is read from the laid-out
//! frames — so the text is exactly the archived document's, whatever poppler is installed.
#![allow(dead_code)]

use std::path::Path;

use sha2::{Digest, Sha256};
use typst_layout::PagedDocument;
use yingsu::Workspace;
use yingsu::render::TypstRenderer;
use yingsu::typeset::Job;

use super::frames::{G, glyphs, lines};

/// One grid cell of GB/T 9704 (156 mm / 28), in points.
const CELL: f64 = 156.0 / 28.0 * 72.0 / 25.4;

/// A laid-out line as text; glyphs more than two cells apart (a 签发人 beside the 发文字号, the
/// 印发机关 and the 印发日期) are separated by one space.
pub fn line_text(line: &[G]) -> String {
    let mut s = String::new();
    for (i, g) in line.iter().enumerate() {
        if i > 0 {
            let prev = &line[i - 1];
            if g.x - (prev.x + prev.advance) > 2.0 * CELL {
                s.push(' ');
            }
        }
        s.push_str(&g.text);
    }
    s
}

/// Every page's lines, top to bottom, one text per line (blank lines have no glyphs).
pub fn document_lines(doc: &PagedDocument) -> Vec<String> {
    (0..doc.pages().len())
        .flat_map(|page| lines(&glyphs(doc, page)))
        .map(|line| line_text(&line).trim().to_string())
        .filter(|l| !l.is_empty())
        .collect()
}

/// The laid-out document of archived `pdf`, from its frozen record, checked to export to the
/// archived PDF's very bytes. Panics, naming the file, when it does not.
pub fn archived_layout(ws: &Workspace, renderer: &TypstRenderer, pdf: &Path) -> PagedDocument {
    let json = pdf.with_extension("json");
    let record: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(&json).unwrap_or_else(|e| panic!("{}: {e}", json.display())),
    )
    .unwrap_or_else(|e| panic!("{}: {e}", json.display()));
    let text = |k: &str| {
        record[k]
            .as_str()
            .unwrap_or_else(|| panic!("{}: no {k}", json.display()))
            .to_string()
    };
    let template = text("template");
    let job = Job {
        main: format!("/{template}.typ"),
        files: ws.template_files(),
        data: record["data"].clone(),
        date: chrono::NaiveDate::parse_from_str(&text("date"), "%Y-%m-%d").unwrap(),
        ident: ident(pdf, &template),
        root: Some(ws.root.clone()),
        blobs: yingsu::render::attachment_blobs(ws, "", "", &record["data"]).unwrap(),
    };
    let ts = renderer.typesetter(ws).unwrap();
    let bytes = ts
        .pdf(&job)
        .unwrap_or_else(|e| panic!("{}: {e}", pdf.display()));
    let archived = std::fs::read(pdf).unwrap();
    assert!(
        bytes == archived,
        "{}: the record does not typeset to the archived PDF (sha256 {} ≠ {})",
        pdf.display(),
        hex(&bytes),
        hex(&archived)
    );
    ts.layout(&job)
        .unwrap_or_else(|e| panic!("{}: {e}", pdf.display()))
}

/// The text lines of archived `pdf` (see [`archived_layout`]).
pub fn archived_lines(ws: &Workspace, renderer: &TypstRenderer, pdf: &Path) -> Vec<String> {
    document_lines(&archived_layout(ws, renderer, pdf))
}

/// The text of archived `pdf` as one string: its lines joined, page numbers (— 1 —) left out.
pub fn archived_text(ws: &Workspace, renderer: &TypstRenderer, pdf: &Path) -> String {
    archived_lines(ws, renderer, pdf)
        .into_iter()
        .filter(|l| !(l.starts_with('—') && l.ends_with('—')))
        .collect::<Vec<_>>()
        .join("")
        .replace([' ', '\u{3000}'], "")
}

/// The identifier the engine typeset archived `pdf` under (it seeds the PDF's document ID):
/// `case#step#template` for a case's `NN-step-template.pdf`, `report#bulletin#2023Q1` and
/// `report#monthly#agency#2023-03` for the reports.
fn ident(pdf: &Path, template: &str) -> String {
    let stem = pdf.file_stem().unwrap().to_string_lossy().into_owned();
    let folder = pdf
        .parent()
        .and_then(Path::file_name)
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let is_report = pdf
        .parent()
        .and_then(Path::parent)
        .and_then(Path::file_name)
        .is_some_and(|f| f == "reports");
    if is_report {
        if let Some(code) = stem.strip_prefix("bulletin-") {
            return format!("report#bulletin#{code}");
        }
        if let Some(rest) = stem.strip_prefix("monthly-") {
            // monthly-2023-03-scjgj: the month is the first seven characters.
            let (month, agency) = rest.split_at(7);
            return format!("report#monthly#{}#{month}", &agency[1..]);
        }
        panic!("{}: not a report yingsu names", pdf.display());
    }
    let step = stem
        .split_once('-')
        .and_then(|(_, rest)| rest.strip_suffix(&format!("-{template}")))
        .unwrap_or_else(|| panic!("{}: not NN-step-{template}.pdf", pdf.display()));
    format!("{folder}#{step}#{template}")
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
