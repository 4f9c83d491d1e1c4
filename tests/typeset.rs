//! Tests of the typesetting stage: they measure the laid-out frames (and the
//! PDF bytes) against the numbers of GB/T 9704-2012.

use std::path::PathBuf;
use std::sync::OnceLock;

use serde_json::{Value, json};
use typst_layout::PagedDocument;

use yingsu::par::for_each_parallel;
use yingsu::typeset::*;

mod common;
use common::frames::{G, S, lines, page_items, text_of};
use std::sync::atomic::Ordering;
use typst::layout::{Frame, FrameItem, Transform};

const MM: f64 = 72.0 / 25.4;

/// The repository's fonts; no other folder on the machine stands in for them.
fn fonts_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
    assert!(dir.is_dir(), "the repository's fonts: {}", dir.display());
    dir
}

/// The repository's sample templates; no other folder on the machine stands in for them.
fn samples_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("templates/samples");
    assert!(dir.is_dir(), "the repository's samples: {}", dir.display());
    dir
}

fn ts() -> &'static Typesetter {
    static TS: OnceLock<Typesetter> = OnceLock::new();
    TS.get_or_init(|| Typesetter::new(&[fonts_dir()]).expect("fonts"))
}

fn date() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap()
}

fn sample(name: &str) -> (String, Value) {
    let dir = samples_dir();
    let tpl = std::fs::read_to_string(dir.join(format!("{name}.typ"))).unwrap();
    let data = std::fs::read_to_string(dir.join(format!("{name}.json"))).unwrap();
    (tpl, serde_json::from_str(&data).unwrap())
}

fn sample_job(name: &str) -> Job {
    let (tpl, data) = sample(name);
    Job::new(tpl, data, date(), format!("test-{name}"))
}

/// Lays a job out, failing on any warning (a document that did not converge,
/// say); "unknown font family" warnings are filtered by the typesetter.
fn layout(job: &Job) -> PagedDocument {
    match ts().layout_with_warnings(job) {
        Ok((doc, warnings)) => {
            assert!(warnings.is_empty(), "{}: {warnings:?}", job.ident);
            doc
        }
        Err(e) => panic!("{e}"),
    }
}

/// Body lines: 16 pt 仿宋 text, without page numbers.
fn body_lines(glyphs: &[G]) -> Vec<Vec<G>> {
    let body: Vec<G> = glyphs
        .iter()
        .filter(|g| (g.size - 16.0).abs() < 0.01 && g.family == "FandolFang R")
        .cloned()
        .collect();
    lines(&body)
}

/// Width of a line in grid cells: full-width characters count 1, ASCII 0.5.
fn cells(line: &[G]) -> f64 {
    line.iter()
        .map(|g| if g.text.len() == 1 { 0.5 } else { 1.0 })
        .sum()
}

fn all_text(doc: &PagedDocument) -> String {
    let mut out = String::new();
    for i in 0..doc.pages().len() {
        let (glyphs, _) = page_items(doc, i);
        for line in lines(&glyphs) {
            out.push_str(&text_of(&line));
            out.push('\n');
        }
    }
    out
}

/// Prints the measured layout of a sample (run with `--nocapture`).
fn dump(name: &str) {
    let doc = layout(&sample_job(name));
    for i in 0..doc.pages().len() {
        let (glyphs, shapes) = page_items(&doc, i);
        eprintln!("=== page {}", i + 1);
        for line in lines(&glyphs) {
            eprintln!(
                "y={:7.2}mm x={:6.2}..{:6.2}mm {} {}pt n={} cells={} {}",
                line[0].y / MM,
                line[0].x / MM,
                (line.last().unwrap().x + line.last().unwrap().advance) / MM,
                line[0].family,
                line[0].size,
                line.len(),
                cells(&line),
                text_of(&line)
            );
        }
        for s in shapes {
            eprintln!("{s:?} ({:.2},{:.2})mm", s.y0 / MM, s.x0 / MM);
        }
    }
}

#[test]
#[ignore = "diagnostic output only"]
fn dump_samples() {
    dump("letter");
    dump("gongwen");
}

// ------------------------------------------------------------------ helpers

const GONGWEN_MAIN: &str = r#"#import "/gbt9704.typ": *
#let d = json("/data.json")
#show: gongwen.with(org: d.org, number: d.number, title: d.title, to: d.to,
  signature: d.signature, date: d.date, cc: d.cc, printer: d.printer, print-date: d.print_date)
#blocks(d.blocks)
"#;

const PURE: &str = "行政机关负责人出庭应诉是推进法治政府建设的重要举措，各单位要高度重视、认真落实《规定》的要求，切实做到“应出尽出”；对于重大案件（含公益诉讼），负责人必须出庭。";

fn grid_data(paragraph: &str, n: usize) -> Value {
    let blocks: Vec<Value> = (0..n)
        .map(|_| json!({"kind": "p", "text": paragraph}))
        .collect();
    json!({
        "org": "重庆市渝北区司法局文件",
        "number": "渝北司发〔2023〕12号",
        "title": "重庆市渝北区司法局关于行政机关负责人出庭应诉工作的通知",
        "to": "各镇人民政府、街道办事处",
        "signature": "重庆市渝北区司法局",
        "date": "2023年5月8日",
        "cc": ["区法院", "区检察院"],
        "printer": "重庆市渝北区司法局办公室",
        "print_date": "2023年5月8日",
        "blocks": blocks,
    })
}

fn grid_job(paragraph: &str, n: usize) -> Job {
    Job::new(GONGWEN_MAIN, grid_data(paragraph, n), date(), "grid")
}

fn approx(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= tol,
        "{what}: expected {expected:.3}, got {actual:.3}"
    );
}

fn red() -> [u8; 4] {
    [255, 0, 0, 255]
}

// ------------------------------------------------------------------ fonts

#[test]
fn bundled_font_families() {
    let faces: Vec<String> = ts().font_faces().into_iter().map(|(f, _)| f).collect();
    for family in [
        "FandolFang R",
        "FandolSong",
        "FandolHei",
        "FandolKai",
        "HanaMinA",
        "HanaMinB",
    ] {
        assert!(
            faces.iter().any(|f| f == family),
            "missing {family}: {faces:?}"
        );
    }
    assert_eq!(faces.len(), 8);
}

#[test]
fn missing_font_dir_is_an_error() {
    let err = Typesetter::new(&[PathBuf::from("/nonexistent/fonts")])
        .err()
        .unwrap();
    assert_eq!(
        err.to_string(),
        "在字体目录中未找到任何可用字体：/nonexistent/fonts"
    );
}

// ------------------------------------------------------------------ page

#[test]
fn page_size_and_text_area() {
    let doc = layout(&grid_job(PURE, 12));
    assert!(doc.pages().len() >= 3);
    for page in doc.pages() {
        approx(page.frame.width().to_mm(), 210.0, 0.01, "page width");
        approx(page.frame.height().to_mm(), 297.0, 0.01, "page height");
    }
    // Page 2 is body text only: its first line's em box starts at the top of
    // the text area, continuation lines start at its left edge, full lines
    // end at its right edge.
    let (glyphs, _) = page_items(&doc, 1);
    let body = body_lines(&glyphs);
    let first = &body[0];
    approx(
        first[0].y / MM - 0.88 * 16.0 / MM,
        37.0,
        0.5,
        "text area top",
    );
    let continuation = body.iter().find(|l| l[0].x / MM < 30.0).unwrap();
    approx(continuation[0].x / MM, 28.0, 0.5, "text area left");
    let full = body.iter().find(|l| l.len() == 28).unwrap();
    let last = full.last().unwrap();
    approx(
        (last.x + last.advance) / MM,
        28.0 + 156.0,
        0.5,
        "text area right",
    );
    // The 版记's last rule lies on the bottom edge of the text area.
    let last_page = doc.pages().len() - 1;
    let (_, shapes) = page_items(&doc, last_page);
    let bottom = shapes
        .iter()
        .filter(|s| (s.y0 - s.y1).abs() < 0.01 && s.color == Some([0, 0, 0, 255]))
        .map(|s| s.y0)
        .fold(0.0, f64::max);
    approx(bottom / MM, 37.0 + 225.0, 0.5, "版记 last rule");
}

#[test]
fn full_page_has_22_lines_of_28_characters() {
    let doc = layout(&grid_job(&PURE.repeat(6), 3));
    let (glyphs, _) = page_items(&doc, 1);
    let body = body_lines(&glyphs);
    assert_eq!(body.len(), 22, "lines on a full page");
    for pair in body.windows(2) {
        approx(
            (pair[1][0].y - pair[0][0].y) / MM,
            225.0 / 22.0,
            0.01,
            "line pitch",
        );
    }
    // Full lines end at the right edge of the text area, or hang a closing mark at most one and
    // a half cells into the margin. How each line keeps the 28-character grid (hanging and
    // compressed punctuation, no character pushed down) is measured on the PDFs by
    // tests/typography.rs.
    let cell = 156.0 / 28.0 * MM;
    let right = (28.0 + 156.0) * MM;
    let full_lines = body
        .iter()
        .filter(|line| {
            let end = line.last().unwrap();
            assert!(
                end.x + end.advance.min(end.size) <= right + 1.5 * cell + 0.01,
                "{} runs past the margin",
                text_of(line)
            );
            end.x + end.advance >= right - 0.5 * MM
        })
        .count();
    assert!(full_lines >= 18, "only {full_lines} full lines");
}

// ------------------------------------------------------------------ elements

fn find<'a>(glyphs: &'a [G], text: &str) -> Vec<&'a G> {
    let all = lines(glyphs);
    for line in &all {
        let t = text_of(line);
        if let Some(pos) = t.find(text) {
            let start = t[..pos].chars().count();
            let n = text.chars().count();
            let found: Vec<&G> = glyphs
                .iter()
                .filter(|g| {
                    line.iter()
                        .skip(start)
                        .take(n)
                        .any(|h| h.x == g.x && h.y == g.y)
                })
                .collect();
            return found;
        }
    }
    panic!(
        "{text:?} not found in {:?}",
        all.iter().map(|l| text_of(l)).collect::<Vec<_>>()
    );
}

#[test]
fn fonts_and_colours_of_elements() {
    let doc = layout(&sample_job("gongwen"));
    let (p1, shapes) = page_items(&doc, 0);
    // 发文机关标志: red, 小标宋 role (FandolSong Bold).
    for g in find(&p1, "重庆市渝北区司法局文件") {
        assert_eq!(
            (g.family.as_str(), g.bold, g.fill),
            ("FandolSong", true, Some(red()))
        );
    }
    // 发文字号 in 仿宋.
    for g in find(&p1, "渝北司发") {
        assert_eq!((g.family.as_str(), g.size), ("FandolFang R", 16.0));
    }
    // Title: 二号 (22 pt) 小标宋.
    for g in find(&p1, "出庭应诉情况的通报") {
        assert_eq!(
            (g.family.as_str(), g.bold, g.size),
            ("FandolSong", true, 22.0)
        );
    }
    // h1 黑体.
    for g in find(&p1, "一、总体情况") {
        assert_eq!(g.family, "FandolHei");
    }
    // Red separator, 156 mm, 4 mm below the 发文字号's baseline.
    let rule = shapes
        .iter()
        .find(|s| s.color == Some(red()))
        .expect("red rule");
    approx((rule.x1 - rule.x0) / MM, 156.0, 0.01, "separator width");
    approx(rule.x0 / MM, 28.0, 0.01, "separator left");
    let number = find(&p1, "渝北司发")[0].y;
    approx(
        (rule.y0 - number) / MM,
        4.0,
        0.2,
        "separator below 发文字号",
    );
    // Mark's top 35 mm below the text area (ink top ≈ top of the tallest glyph).
    let all: Vec<G> = doc
        .pages()
        .iter()
        .enumerate()
        .flat_map(|(i, _)| page_items(&doc, i).0)
        .collect();
    for g in all.iter().filter(|g| g.text == "（" && g.size == 16.0) {
        assert!(g.advance > 15.0, "（ compressed");
    }
    let mut h2 = false;
    let mut h3 = false;
    let mut h4 = false;
    for i in 0..doc.pages().len() {
        let (glyphs, _) = page_items(&doc, i);
        for line in lines(&glyphs) {
            let t = text_of(&line);
            if t.starts_with("（一）区政府") {
                h2 = true;
                assert!(line.iter().all(|g| g.family == "FandolKai"), "h2 font");
            }
            if t.starts_with("1.达标情况。") {
                h3 = true;
                // GB/T 9704-2012 7.3.3: the third and fourth levels in 仿宋, like the text.
                assert!(
                    line.iter()
                        .all(|g| g.family == "FandolFang R" && !g.stroked),
                    "h3 font"
                );
            }
            if t.starts_with("（1）未达标单位。") {
                h4 = true;
                assert!(
                    line.iter()
                        .all(|g| g.family == "FandolFang R" && !g.stroked),
                    "h4 font"
                );
            }
        }
    }
    assert!(h2 && h3 && h4, "headings found: {h2} {h3} {h4}");
}

#[test]
fn page_numbers_alternate_sides() {
    let doc = layout(&grid_job(PURE, 12));
    for (page, text, odd) in [(0, "— 1 —", true), (1, "— 2 —", false), (2, "— 3 —", true)]
    {
        let (glyphs, _) = page_items(&doc, page);
        let nums: Vec<Vec<G>> = lines(&glyphs)
            .into_iter()
            .filter(|l| l[0].size == 14.0 && l[0].family == "FandolSong")
            .collect();
        assert_eq!(nums.len(), 1, "page number lines on page {}", page + 1);
        let line = &nums[0];
        assert_eq!(text_of(line).replace(' ', ""), text.replace(' ', ""));
        assert_eq!(text_of(line), text);
        let left = line[0].x / MM;
        let right = (line.last().unwrap().x + line.last().unwrap().advance) / MM;
        let one_char = 14.0 / MM;
        if odd {
            approx(right, 184.0 - one_char, 0.3, "odd page number right edge");
        } else {
            approx(left, 28.0 + one_char, 0.3, "even page number left edge");
        }
        // Cap height top 7 mm below the text area.
        let top = line[0].y - 14.0 * 0.7;
        approx(top / MM, 262.0 + 7.0, 1.0, "page number vertical position");
    }
}

/// The page-number line of a page (四号 Song), if any.
fn page_number(doc: &PagedDocument, page: usize) -> Option<String> {
    let (glyphs, _) = page_items(doc, page);
    lines(&glyphs)
        .into_iter()
        .find(|l| l[0].size == 14.0 && l[0].family == "FandolSong")
        .map(|l| text_of(&l))
}

#[test]
fn banji_is_on_an_even_page_and_blank_pages_are_unnumbered() {
    // Bodies of 1 to 48 one-line paragraphs end at every height of pages 1
    // and 2; each must show all three placements of the 版记 (7.4, 7.5).
    let mut seen = [false; 3];
    for n in 1..=48 {
        let mut data = grid_data("本行为一行正文。", n);
        data["signature"] = json!("");
        data["date"] = json!("");
        let doc = layout(&Job::new(GONGWEN_MAIN, data, date(), "banji"));
        let pages = doc.pages().len();
        let body_pages: Vec<usize> = (0..pages)
            .filter(|&i| !body_lines(&page_items(&doc, i).0).is_empty())
            .collect();
        let last_body = *body_pages.last().unwrap();
        // The 版记 is on the last page, an even one, and only there.
        assert_eq!(pages % 2, 0, "n={n}: {pages} pages");
        for i in 0..pages {
            let has_cc = all_text_of_page(&doc, i).contains("抄送：");
            assert_eq!(has_cc, i == pages - 1, "n={n}: 抄送 on page {}", i + 1);
        }
        // Its last (thick) rule lies on the bottom edge of the text area.
        let (_, shapes) = page_items(&doc, pages - 1);
        let bottom = shapes
            .iter()
            .filter(|s| s.color == Some([0, 0, 0, 255]))
            .map(|s| s.y0 + s.thickness / 2.0)
            .fold(0.0, f64::max);
        approx(bottom / MM, 262.0, 0.3, "版记 last rule");
        // Pages with body text are numbered; the pages after the body (blank,
        // or holding only the 版记) are not.
        let blank_before = pages - 1 > last_body + 1;
        for i in 0..pages {
            let expected = if i <= last_body {
                Some(format!("— {} —", i + 1))
            } else {
                None
            };
            assert_eq!(page_number(&doc, i), expected, "n={n}: page {}", i + 1);
        }
        // A blank page only when the 版记 did not fit below the body.
        if blank_before {
            let banji_top = shapes
                .iter()
                .filter(|s| s.color == Some([0, 0, 0, 255]))
                .map(|s| s.y0 - s.thickness / 2.0)
                .fold(f64::MAX, f64::min);
            let banji_height = 262.0 * MM - banji_top;
            let (glyphs, _) = page_items(&doc, last_body);
            let body_bottom = body_lines(&glyphs)
                .last()
                .map_or(0.0, |l| l[0].y + 0.12 * 16.0);
            assert!(
                262.0 * MM - body_bottom < banji_height,
                "n={n}: {:.1} mm left below the body, the 版记 needs {:.1} mm",
                (262.0 * MM - body_bottom) / MM,
                banji_height / MM
            );
        }
        let case = if pages - 1 == last_body {
            0
        } else if blank_before {
            2
        } else {
            1
        };
        seen[case] = true;
    }
    assert_eq!(
        seen, [true; 3],
        "joined / next even page / after a blank page"
    );
}

fn all_text_of_page(doc: &PagedDocument, page: usize) -> String {
    let (glyphs, _) = page_items(doc, page);
    lines(&glyphs)
        .iter()
        .map(|l| text_of(l))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn letter_format_distances() {
    let doc = layout(&sample_job("letter"));
    let (p1, shapes) = page_items(&doc, 0);
    // No page number on page 1, "— 2 —" on page 2.
    assert!(!lines(&p1).iter().any(|l| text_of(l).contains('—')));
    let (p2, _) = page_items(&doc, 1);
    assert!(lines(&p2).iter().any(|l| text_of(l) == "— 2 —"));
    // Four red rules, 170 mm long, centred on the page.
    let red_rules: Vec<&S> = shapes.iter().filter(|s| s.color == Some(red())).collect();
    assert_eq!(red_rules.len(), 4);
    for r in &red_rules {
        approx(r.x0 / MM, 20.0, 0.01, "double rule left");
        approx((r.x1 - r.x0) / MM, 170.0, 0.01, "double rule length");
    }
    let mut ys: Vec<(f64, f64)> = red_rules.iter().map(|r| (r.y0, r.thickness)).collect();
    ys.sort_by(|a, b| a.0.total_cmp(&b.0));
    // Upper pair: thick over thin; lower pair: thin over thick.
    assert!(ys[0].1 > ys[1].1 && ys[2].1 < ys[3].1, "{ys:?}");
    // Lower pair ends 20 mm above the bottom of the page.
    approx(
        (ys[3].0 + ys[3].1 / 2.0) / MM,
        297.0 - 20.0,
        0.1,
        "lower double rule",
    );
    // 标志: top of the ink 30 mm from the top of the page (via the mark glyph
    // bounding boxes computed from the font).
    let mark = find(&p1, "重庆市渝北区司法局");
    assert!(mark.iter().all(|g| g.fill == Some(red())));
    let baseline = mark[0].y;
    let doc_font = ts();
    let _ = doc_font;
    let ink_top = mark_ink_top(&doc, baseline);
    approx(ink_top / MM, 30.0, 0.3, "标志 top");
    // Upper double rule 4 mm below the 标志's ink bottom.
    let ink_bottom = mark_ink_bottom(&doc, baseline);
    approx(
        (ys[0].0 - ys[0].1 / 2.0 - ink_bottom) / MM,
        4.0,
        0.3,
        "double rule below 标志",
    );
    // 发文字号 flush right with the text area, below the double rule.
    let number = find(&p1, "渝北司函〔2023〕5号");
    let end = number.last().unwrap();
    approx(
        (end.x + end.advance) / MM,
        184.0,
        0.3,
        "发文字号 right edge",
    );
    assert!(number[0].y > ys[1].0);
}

/// Top of the ink of the first line of the page (the 标志), from the glyphs'
/// bounding boxes.
fn mark_ink_top(doc: &PagedDocument, baseline: f64) -> f64 {
    ink_extent(doc, baseline).0
}

fn mark_ink_bottom(doc: &PagedDocument, baseline: f64) -> f64 {
    ink_extent(doc, baseline).1
}

fn ink_extent(doc: &PagedDocument, baseline: f64) -> (f64, f64) {
    let mut top = f64::MAX;
    let mut bottom = f64::MIN;
    fn visit(frame: &Frame, ts: Transform, baseline: f64, top: &mut f64, bottom: &mut f64) {
        for (pos, item) in frame.items() {
            match item {
                FrameItem::Group(g) => visit(
                    &g.frame,
                    ts.pre_concat(Transform::translate(pos.x, pos.y).pre_concat(g.transform)),
                    baseline,
                    top,
                    bottom,
                ),
                FrameItem::Text(t) => {
                    let y = pos.transform(ts).y.to_pt();
                    if (y - baseline).abs() > 0.5 {
                        continue;
                    }
                    let face = t.font.ttf();
                    let upem = face.units_per_em() as f64;
                    for g in &t.glyphs {
                        if let Some(bb) = face.glyph_bounding_box(ttf_parser::GlyphId(g.id)) {
                            let s = t.size.to_pt() / upem;
                            *top = top.min(y - bb.y_max as f64 * s);
                            *bottom = bottom.max(y - bb.y_min as f64 * s);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    visit(
        &doc.pages()[0].frame,
        Transform::identity(),
        baseline,
        &mut top,
        &mut bottom,
    );
    (top, bottom)
}

#[test]
fn gongwen_mark_is_35mm_below_text_area() {
    let doc = layout(&sample_job("gongwen"));
    let (p1, _) = page_items(&doc, 0);
    let mark = find(&p1, "重庆市渝北区司法局文件");
    let top = mark_ink_top(&doc, mark[0].y);
    approx(top / MM, 37.0 + 35.0, 0.3, "标志 top");
}

#[test]
fn signature_and_date_no_seal_layout() {
    let doc = layout(&sample_job("letter"));
    let last = doc.pages().len() - 1;
    let (glyphs, _) = page_items(&doc, last);
    let cell = 156.0 / 28.0;
    let name = find(&glyphs, "重庆市渝北区司法局");
    let date = find(&glyphs, "2023年5月8日");
    let name_end = name.last().unwrap();
    approx(
        (name_end.x + name_end.advance) / MM,
        184.0 - 2.0 * cell,
        0.3,
        "署名 right",
    );
    approx(
        (date[0].x - name[0].x) / MM,
        2.0 * cell,
        0.3,
        "日期 two chars right of 署名",
    );
    approx(
        (date[0].y - name[0].y) / MM,
        225.0 / 22.0,
        0.05,
        "日期 on the next line",
    );
    let note = find(&glyphs, "（联系人");
    approx(note[0].x / MM, 28.0 + 2.0 * cell, 0.3, "附注 indent");
    approx(
        (note[0].y - date[0].y) / MM,
        225.0 / 22.0,
        0.05,
        "附注 on the line after the date",
    );
}

#[test]
fn long_date_moves_the_name_left() {
    let mut data = grid_data(PURE, 1);
    data["signature"] = json!("法制办");
    data["date"] = json!("2023年12月28日");
    let doc = layout(&Job::new(GONGWEN_MAIN, data, date(), "sig"));
    let page = (0..doc.pages().len())
        .find(|&i| all_text_of_page(&doc, i).contains("2023年12月28日"))
        .expect("date");
    let (glyphs, _) = page_items(&doc, page);
    let cell = 156.0 / 28.0;
    let date_g = find(&glyphs, "2023年12月28日");
    let name = find(&glyphs, "法制办");
    let end = date_g.last().unwrap();
    approx(
        (end.x + end.advance) / MM,
        184.0 - 2.0 * cell,
        0.3,
        "date right",
    );
    approx(
        (date_g[0].x - name[0].x) / MM,
        2.0 * cell,
        0.3,
        "name two chars left of date",
    );
}

// ------------------------------------------------------------------ PDF

#[test]
fn pdf_is_deterministic_pdfa_with_subset_fonts() {
    let job = sample_job("letter");
    let a = ts().pdf(&job).unwrap();
    let b = ts().pdf(&job).unwrap();
    assert!(a == b, "same job gave different PDFs");
    let text = String::from_utf8_lossy(&a);
    assert!(a.starts_with(b"%PDF-1.7"), "{}", &text[..20]);
    assert!(text.contains("<pdfaid:part>2</pdfaid:part>"), "PDF/A part");
    assert!(
        text.contains("<pdfaid:conformance>B</pdfaid:conformance>"),
        "PDF/A conformance"
    );
    assert!(text.contains("/OutputIntents"), "output intent");
    // Embedded subsets (pdffonts: name with a six-letter tag, emb, sub).
    let fonts = poppler("pdffonts", &a);
    for face in [
        "FandolFang-Regular",
        "FandolSong-Bold",
        "FandolHei-Regular",
        "FandolSong-Regular",
    ] {
        let row = fonts
            .lines()
            .find(|l| l.contains(face))
            .unwrap_or_else(|| panic!("{face} missing: {fonts}"));
        let cols: Vec<&str> = row.split_whitespace().collect();
        assert_eq!(cols[0].find('+'), Some(6), "{row}");
        assert_eq!(
            &cols[cols.len() - 5..cols.len() - 2],
            &["yes", "yes", "yes"],
            "{row}"
        );
    }
    // A different ident gives a different document ID.
    let mut other = job.clone();
    other.ident = "another".into();
    assert!(ts().pdf(&other).unwrap() != a);
}

fn poppler(tool: &str, pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("t.pdf");
    std::fs::write(&path, pdf).unwrap();
    let mut cmd = std::process::Command::new(tool);
    if tool == "pdftotext" {
        cmd.args(["-enc", "UTF-8"]);
    }
    cmd.arg(&path);
    if tool == "pdftotext" {
        cmd.arg("-");
    }
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{tool} (poppler-utils) must be installed: {e}"));
    assert!(out.status.success(), "{tool} failed");
    String::from_utf8(out.stdout).unwrap()
}

const HOSTILE: &[&str] = &[
    "#read(\"/etc/passwd\")",
    "$x$",
    "*粗体*",
    "<a>",
    "@b",
    "// 注释",
    "\\",
    "]",
    "#{panic()}",
    "_下划线_",
];

#[test]
fn hostile_strings_are_text() {
    let blocks: Vec<Value> = HOSTILE
        .iter()
        .map(|s| json!({"kind": "p", "text": s}))
        .collect();
    let mut data = grid_data(PURE, 0);
    data["blocks"] = Value::Array(blocks);
    data["to"] = json!("#set page(fill: red)");
    let job = Job::new(GONGWEN_MAIN, data, date(), "hostile");
    let doc = layout(&job);
    let text = all_text(&doc);
    let lines: Vec<&str> = text.lines().collect();
    for s in HOSTILE {
        assert!(
            lines.contains(s),
            "{s:?} not rendered as a line of its own: {lines:?}"
        );
    }
    assert!(lines.contains(&"#set page(fill: red)："));
    assert!(!text.contains("root:"), "a file was read");
    let pdf = ts().pdf(&job).unwrap();
    let extracted = poppler("pdftotext", &pdf);
    for s in HOSTILE {
        assert!(
            extracted.lines().any(|l| l.trim() == *s),
            "{s:?} not in PDF text: {extracted}"
        );
    }
}

// ------------------------------------------------------------------ coverage

#[test]
fn tofu_is_refused_with_field_and_code_point() {
    let data = json!({"parties": {"plaintiffs": [{"name": "张\u{E000}"}]}});
    let err = ts().check_coverage(&data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "字段 parties.plaintiffs[0].name 中的字符“\u{E000}”（U+E000）无法排版：正文字体及后备字体均不包含该字符，请改用常用字或造字后再试"
    );
    let data =
        json!({"blocks": [{"kind": "p", "text": "甲"}, {"kind": "p", "text": "乙\u{30000}"}]});
    let err = ts().check_coverage(&data).unwrap_err();
    assert_eq!(
        err.to_string(),
        "字段 blocks[1].text 中的字符“\u{30000}”（U+30000）无法排版：正文字体及后备字体均不包含该字符，请改用常用字或造字后再试"
    );
    // pdf() checks coverage first.
    let mut data = grid_data(PURE, 1);
    data["to"] = json!("\u{E000}");
    let err = ts()
        .pdf(&Job::new(GONGWEN_MAIN, data, date(), "tofu"))
        .unwrap_err();
    assert!(
        matches!(err, TypesetError::MissingGlyph { code: 0xE000, .. }),
        "{err}"
    );
    assert!(
        ts().check_coverage(&json!({"a": ["行政", "\n\t", 1, null]}))
            .is_ok()
    );
}

#[test]
fn fallback_character_renders() {
    let mut data = grid_data(PURE, 1);
    data["blocks"] = json!([{"kind": "p", "text": "原告王𬌗诉被告"}]);
    let job = Job::new(GONGWEN_MAIN, data, date(), "fallback");
    ts().check_coverage(&job.data).unwrap();
    let doc = layout(&job);
    let (glyphs, _) = page_items(&doc, 0);
    let g = glyphs
        .iter()
        .find(|g| g.text == "𬌗")
        .expect("glyph rendered");
    assert!(g.family.starts_with("HanaMin"), "{}", g.family);
    assert!(ts().pdf(&job).is_ok());
}

// ------------------------------------------------------------------ world

#[test]
fn file_access_is_jailed() {
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("ok.txt"), "可读").unwrap();
    // A victim in a folder of its own, outside the root.
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("secret.txt");
    std::fs::write(&victim, "top secret").unwrap();
    let mut job = Job::new(
        "#read(\"/ok.txt\")\n#read(\"/none.txt\")",
        json!({}),
        date(),
        "jail",
    );
    job.root = Some(root.path().to_path_buf());
    let err = ts().layout(&job).unwrap_err();
    let d = &err.diagnostics()[0];
    assert_eq!(
        (d.file.as_deref(), d.line, d.column),
        (Some("/main.typ"), Some(2), Some(7))
    );
    assert!(
        err.to_string()
            .starts_with("模板编译失败：模板 /main.typ 第 2 行第 7 列错误："),
        "{err}"
    );
    job.files
        .insert("/main.typ".into(), "#read(\"../../../secret.txt\")".into());
    assert!(ts().layout(&job).is_err());
    job.files
        .insert("/main.typ".into(), "#read(\"/ok.txt\")".into());
    let doc = ts().layout(&job).unwrap();
    assert!(all_text(&doc).contains("可读"));
    // Without a root nothing but the job's files exists.
    job.root = None;
    assert!(ts().layout(&job).is_err());
    job.root = Some(root.path().to_path_buf());
    // Packages are refused.
    job.files
        .insert("/main.typ".into(), "#import \"@preview/x:0.1.0\": *".into());
    assert!(ts().layout(&job).is_err());
}

/// Links in the root: one that stays inside is followed; one to a file or a folder outside is
/// refused, and the victim's content appears nowhere.
#[test]
#[cfg(unix)]
fn file_access_through_a_link_out_of_the_root_is_refused() {
    use std::os::unix::fs::symlink;
    let root = tempfile::tempdir().unwrap();
    std::fs::write(root.path().join("ok.txt"), "可读").unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("secret.txt");
    std::fs::write(&victim, "top secret").unwrap();
    symlink(root.path().join("ok.txt"), root.path().join("inside.txt")).unwrap();
    symlink(&victim, root.path().join("link.txt")).unwrap();
    symlink(outside.path(), root.path().join("out")).unwrap();
    assert!(
        std::fs::symlink_metadata(root.path().join("link.txt"))
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let mut job = Job::new("#read(\"/inside.txt\")", json!({}), date(), "link");
    job.root = Some(root.path().to_path_buf());
    let doc = ts().layout(&job).unwrap();
    assert!(all_text(&doc).contains("可读"));
    for (source, column) in [
        ("#read(\"/link.txt\")", 7),
        ("#read(\"/out/secret.txt\")", 7),
        ("#image(\"/link.txt\")", 8),
    ] {
        job.files.insert("/main.typ".into(), source.into());
        let err = ts().layout(&job).unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("top secret"), "{source}: {text}");
        let d = &err.diagnostics()[0];
        assert_eq!(
            (d.file.as_deref(), d.line, d.column),
            (Some("/main.typ"), Some(1), Some(column)),
            "{source}: {text}"
        );
        assert!(
            text.starts_with(&format!(
                "模板编译失败：模板 /main.typ 第 1 行第 {column} 列错误：无法读取模板要用的文件：它在工作区之外，或经符号链接指向工作区之外（yingsu 只读取工作区内真实的文件，例如把印章图片放在工作区的 seals/ 目录中，不要用指向别处的链接）"
            )),
            "{source}: {text}"
        );
    }
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "top secret");
}

#[test]
fn today_is_the_document_date() {
    let job = Job::new("#datetime.today().display()", json!({}), date(), "today");
    let doc = layout(&job);
    assert!(all_text(&doc).contains("2023-05-08"));
}

#[test]
fn bad_paths_are_rejected() {
    let mut job = Job::new("x", json!({}), date(), "p");
    job.main = "/../main.typ".into();
    assert!(matches!(
        ts().layout(&job),
        Err(TypesetError::BadPath { .. })
    ));
    job.main = "/missing.typ".into();
    assert_eq!(
        ts().layout(&job).unwrap_err().to_string(),
        "主模板 /missing.typ 不在作业的模板文件中"
    );
}

#[test]
fn batch_renders_in_order() {
    let jobs: Vec<Job> = (0..4)
        .map(|i| {
            let mut data = grid_data(PURE, 1);
            data["to"] = json!(format!("第{i}号单位"));
            Job::new(GONGWEN_MAIN, data, date(), format!("b{i}"))
        })
        .collect();
    let out = ts().render_batch(&jobs, 2);
    assert_eq!(out.len(), 4);
    for (i, pdf) in out.iter().enumerate() {
        let pdf = pdf.as_ref().unwrap();
        assert_eq!(pdf, &ts().pdf(&jobs[i]).unwrap());
    }
}

#[test]
fn title_balancing() {
    let src = r#"#import "/gbt9704.typ": title-lines
#set page(width: 500mm, height: auto)
#let d = json("/data.json")
#for t in d.titles { title-lines(t).join("|"); linebreak() }"#;
    let cases: &[(&str, &str)] = &[
        ("关于出庭应诉的通知", "关于出庭应诉的通知"),
        (
            "重庆市渝北区司法局关于2023年第一季度行政机关负责人出庭应诉情况的通报",
            "重庆市渝北区司法局关于2023年第一季度|行政机关负责人出庭应诉情况的通报",
        ),
        // Not "…关于对|2023年…" (a 23-character second line) nor inside
        // "2023年第一季度".
        (
            "重庆市渝北区司法局关于对2023年第一季度行政机关负责人出庭应诉情况的通报",
            "重庆市渝北区司法局关于对2023年第一季度|行政机关负责人出庭应诉情况的通报",
        ),
        // Not inside "二次会议" (the most even split, 10|11).
        (
            "关于区政协十五届二次会议第0123号提案的复函",
            "关于区政协十五届二次会议|第0123号提案的复函",
        ),
        // After 关于 rather than after 行政机关 (equally balanced).
        (
            "重庆市渝北区人民政府关于行政机关负责人出庭应诉工作的通知",
            "重庆市渝北区人民政府关于|行政机关负责人出庭应诉工作的通知",
        ),
        // Never inside a case number or "行政诉讼".
        (
            "重庆市渝北区市场监督管理局关于(2023)渝0112行初123号行政诉讼案件败诉情况的总结报告",
            "重庆市渝北区市场监督管理局|关于(2023)渝0112行初123号|行政诉讼案件败诉情况的总结报告",
        ),
        (
            "重庆市渝北区司法局关于对区城市管理局等单位进行约谈的函",
            "重庆市渝北区司法局关于对|区城市管理局等单位进行约谈的函",
        ),
        (
            "关于区人大十九届三次会议第045号建议的答复函",
            "关于区人大十九届三次会议|第045号建议的答复函",
        ),
        // After 关于 rather than the slightly more even "…行政机关|负责人…".
        (
            "重庆市渝北区司法局关于行政机关负责人出庭应诉工作的通知",
            "重庆市渝北区司法局关于|行政机关负责人出庭应诉工作的通知",
        ),
        // Not "出庭应诉|率" (the most even split).
        (
            "关于渝北区龙溪街道办事处出庭应诉率未达标问题的督查整改通知书",
            "关于渝北区龙溪街道办事处出庭应诉率|未达标问题的督查整改通知书",
        ),
        // After punctuation; a quoted title longer than a line breaks inside.
        (
            "重庆市渝北区司法局关于转发《重庆市司法局关于做好2023年度行政应诉工作的通知》的通知",
            "重庆市渝北区司法局关于转发|《重庆市司法局关于做好2023年度|行政应诉工作的通知》的通知",
        ),
    ];
    let mut titles: Vec<Value> = cases.iter().map(|(t, _)| json!(t)).collect();
    titles.push(json!(["甲", "乙"]));
    let data = json!({ "titles": titles });
    let doc = layout(&Job::new(src, data, date(), "titles"));
    let text = all_text(&doc);
    let lines: Vec<&str> = text.lines().collect();
    for (i, (title, expected)) in cases.iter().enumerate() {
        assert_eq!(lines[i], *expected, "{title}");
        let parts: Vec<&str> = lines[i].split('|').collect();
        assert_eq!(parts.concat(), *title);
        let widths: Vec<f64> = parts
            .iter()
            .map(|p| {
                p.chars()
                    .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
                    .sum()
            })
            .collect();
        for (part, w) in parts.iter().zip(&widths) {
            assert!(*w <= 20.0, "{part}: {w} cells");
            assert!(part.chars().count() > 1, "{part} alone on a line");
        }
        // Trapezoid or diamond, never an hourglass.
        for k in 1..widths.len().saturating_sub(1) {
            assert!(
                widths[k] + 2.0 > widths[k - 1] || widths[k] + 2.0 > widths[k + 1],
                "hourglass: {parts:?}"
            );
        }
    }
    // Explicit lines are kept.
    assert_eq!(lines[cases.len()], "甲|乙");

    // Laid out: 二号, centred, one line below the other.
    let mut data = grid_data(PURE, 1);
    data["title"] = json!(cases[4].0);
    let doc = layout(&Job::new(GONGWEN_MAIN, data, date(), "title"));
    let (glyphs, _) = page_items(&doc, 0);
    let title: Vec<Vec<G>> = lines_of(&glyphs, 22.0);
    let texts: Vec<String> = title.iter().map(|l| text_of(l)).collect();
    assert_eq!(texts, cases[4].1.split('|').collect::<Vec<_>>());
    for line in &title {
        let end = line.last().unwrap();
        approx(
            (line[0].x + end.x + end.advance) / 2.0 / MM,
            28.0 + 78.0,
            0.3,
            "title line centred",
        );
    }
}

#[test]
fn long_titles_are_split_into_full_or_balanced_lines() {
    // Four to eight lines go through the dynamic programme, longer ones are
    // filled line by line (trying every split took minutes at 200 characters;
    // its cost is measured by `cargo bench --bench render`, not here).
    let src = r#"#import "/gbt9704.typ": title-lines
#set page(width: auto, height: auto)
#let d = json("/data.json")
#for t in d.titles { title-lines(t).join("|"); linebreak() }"#;
    let base = "重庆市渝北区司法局关于进一步加强和规范行政机关负责人出庭应诉工作的通知";
    let titles: Vec<String> = [70, 150, 400]
        .iter()
        .map(|&n| base.chars().cycle().take(n).collect())
        .collect();
    let doc = layout(&Job::new(
        src,
        json!({ "titles": titles }),
        date(),
        "long-titles",
    ));
    let text = all_text(&doc);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), titles.len(), "one line of parts per title");
    for (title, line) in titles.iter().zip(&lines) {
        let parts: Vec<&str> = line.split('|').collect();
        assert_eq!(parts.concat(), *title);
        let counts: Vec<usize> = parts.iter().map(|p| p.chars().count()).collect();
        let n = title.chars().count();
        let fewest = n.div_ceil(20);
        assert!((fewest..=fewest + 1).contains(&parts.len()), "{counts:?}");
        assert!(counts.iter().all(|&c| (2..=20).contains(&c)), "{counts:?}");
        if n <= 160 {
            // Balanced: no line more than four characters shorter than another.
            let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
            assert!(max - min <= 4, "{counts:?}");
        } else {
            // Full lines but the last.
            assert!(
                counts[..counts.len() - 1].iter().all(|&c| c == 20),
                "{counts:?}"
            );
        }
    }
}

/// Lines of glyphs of one size.
fn lines_of(glyphs: &[G], size: f64) -> Vec<Vec<G>> {
    let sized: Vec<G> = glyphs
        .iter()
        .filter(|g| (g.size - size).abs() < 0.01)
        .cloned()
        .collect();
    lines(&sized)
}

#[test]
fn signature_shares_a_page_with_body_text() {
    // Bodies of 1 to 48 one-line paragraphs end at every height of pages 1
    // and 2: the 署名 and 成文日期 are never alone on a page (7.3.5.5).
    let mut carried = 0;
    for n in 1..=48 {
        let doc = layout(&grid_job("本行为一行正文。", n));
        let pages = doc.pages().len();
        let sig_page = (0..pages)
            .find(|&i| {
                body_lines(&page_items(&doc, i).0)
                    .iter()
                    .any(|l| text_of(l) == "重庆市渝北区司法局")
            })
            .unwrap_or_else(|| panic!("n={n}: no 署名"));
        let (glyphs, _) = page_items(&doc, sig_page);
        let body = body_lines(&glyphs);
        let texts: Vec<String> = body.iter().map(|l| text_of(l)).collect();
        let name = texts
            .iter()
            .position(|t| t == "重庆市渝北区司法局")
            .unwrap();
        assert_eq!(texts[name + 1], "2023年5月8日", "n={n}");
        assert!(
            name >= 1,
            "n={n}: 署名 alone on page {}: {texts:?}",
            sig_page + 1
        );
        // One blank line between the last body line and the 署名.
        let last = &body[name - 1];
        assert_eq!(text_of(last), "本行为一行正文。", "n={n}");
        approx(
            (body[name][0].y - last[0].y) / MM,
            2.0 * 225.0 / 22.0,
            0.05,
            &format!("n={n}: 署名 below the body"),
        );
        approx(
            (body[name + 1][0].y - body[name][0].y) / MM,
            225.0 / 22.0,
            0.05,
            &format!("n={n}: 日期 below the 署名"),
        );
        // Every body line of every page stays on the grid: page 2 and later
        // start at the top of the text area, and lines are one pitch apart.
        for i in 0..pages {
            let lines = body_lines(&page_items(&doc, i).0);
            let paras: Vec<&Vec<G>> = lines
                .iter()
                .filter(|l| text_of(l) == "本行为一行正文。")
                .collect();
            if i > 0 && !paras.is_empty() {
                approx(paras[0][0].y / MM - 0.88 * 16.0 / MM, 37.0, 0.3, "page top");
            }
            for w in paras.windows(2) {
                approx(
                    (w[1][0].y - w[0][0].y) / MM,
                    225.0 / 22.0,
                    0.05,
                    &format!("n={n}: pitch on page {}", i + 1),
                );
            }
        }
        // When the body's last line was carried over, it would have fitted
        // on the page before, but not together with the blank line, 署名 and
        // 日期.
        if sig_page > 0 && name == 1 {
            let prev = body_lines(&page_items(&doc, sig_page - 1).0);
            let bottom = prev.last().unwrap()[0].y + 0.12 * 16.0;
            let room = (37.0 + 225.0) - bottom / MM;
            let pitch = 225.0 / 22.0;
            if room >= pitch {
                carried += 1;
                assert!(
                    room < 4.0 * pitch,
                    "n={n}: {room:.2} mm left on page {}",
                    sig_page
                );
            }
        }
    }
    assert!(
        carried >= 2,
        "the last line was carried over {carried} times"
    );
}

const GONGWEN_ATTACHMENTS: &str = r#"#import "/gbt9704.typ": *
#let d = json("/data.json")
#show: gongwen.with(org: d.org, number: d.number, title: d.title, to: d.to,
  attachments: d.attachments, signature: d.signature, date: d.date, cc: d.cc,
  printer: d.printer, print-date: d.print_date)
#blocks(d.blocks)
"#;

/// Lines of a page as (text, first glyph), top to bottom.
fn page_lines(doc: &PagedDocument, page: usize) -> Vec<(String, G)> {
    lines(&page_items(doc, page).0)
        .into_iter()
        .map(|l| (text_of(&l), l[0].clone()))
        .collect()
}

#[test]
fn attachment_pages_follow_the_body_before_the_banji() {
    let pitch = 225.0 / 22.0;
    let cell = 156.0 / 28.0;
    let mut data = grid_data(PURE, 3);
    data["attachments"] = json!([
        {"title": "2023年第一季度行政机关负责人出庭应诉情况统计表",
         "blocks": [{"kind": "p", "text": "附件一的正文。"}, {"kind": "h1", "text": "说明"}]},
        "另行报送的材料",
        {"title": "未达标单位名单", "blocks": [{"kind": "p", "text": "附件三的正文。"}]},
    ]);
    let doc = layout(&Job::new(GONGWEN_ATTACHMENTS, data, date(), "attachments"));
    let pages = doc.pages().len();
    let page_of = |needle: &str| {
        (0..pages)
            .find(|&i| {
                page_lines(&doc, i)
                    .iter()
                    .any(|(t, _)| t.starts_with(needle))
            })
            .unwrap_or_else(|| panic!("{needle} not found"))
    };
    // 附件说明 names every attachment, dictionaries by their title.
    let note = page_of("附件：1.2023年第一季度");
    assert_eq!(note, page_of("2.另行报送的材料"));
    assert_eq!(note, page_of("3.未达标单位名单"));
    // One new page per attachment with a page, after the 署名 and 日期, in
    // order, numbered as in the 附件说明; the 版记 comes after them.
    let sig = page_of("2023年5月8日");
    let first = page_of("附件1");
    let third = page_of("附件3");
    assert_eq!((first, third), (sig + 1, sig + 2));
    assert!(!(0..pages).any(|i| page_lines(&doc, i).iter().any(|(t, _)| t == "附件2")));
    // (at the foot of the last page, which may be the last attachment's).
    assert_eq!(page_of("抄送："), pages - 1);
    assert!(pages > third);
    for (page, label, title, body) in [
        (
            first,
            "附件1",
            &["2023年第一季度行政机关负责人", "出庭应诉情况统计表"][..],
            "附件一的正文。",
        ),
        (third, "附件3", &["未达标单位名单"][..], "附件三的正文。"),
    ] {
        let lines = page_lines(&doc, page);
        // "附件N" in 三号黑体, flush left on the first line.
        let (text, g) = &lines[0];
        assert_eq!(text, label);
        assert_eq!((g.family.as_str(), g.size), ("FandolHei", 16.0));
        approx(g.x / MM, 28.0, 0.05, "附件 left");
        let first_baseline = 37.0 + 0.88 * 16.0 / MM;
        approx(g.y / MM, first_baseline, 0.05, "附件 on the first line");
        // The title in 二号小标宋, centred, its first line on the third line.
        for (k, want) in title.iter().enumerate() {
            let (text, g) = &lines[1 + k];
            assert_eq!(text, want);
            assert_eq!(
                (g.family.as_str(), g.bold, g.size),
                ("FandolSong", true, 22.0)
            );
            let glyphs = find(&page_items(&doc, page).0, want)
                .into_iter()
                .cloned()
                .collect::<Vec<G>>();
            let end = glyphs.last().unwrap();
            approx(
                (g.x + end.x + end.advance) / 2.0 / MM,
                28.0 + 78.0,
                0.3,
                "title centred",
            );
            if k == 0 {
                approx(
                    g.y / MM,
                    first_baseline + 2.0 * pitch,
                    0.05,
                    "title on line 3",
                );
            }
        }
        // The body one blank line below the title, indented two characters.
        let title_last = lines[title.len()].1.y;
        let (text, g) = &lines[1 + title.len()];
        assert_eq!(text, body);
        approx(
            (g.y - title_last) / MM,
            2.0 * pitch,
            0.05,
            "body below title",
        );
        approx(g.x / MM, 28.0 + 2.0 * cell, 0.05, "body indent");
        // Page numbers continue.
        assert_eq!(page_number(&doc, page), Some(format!("— {} —", page + 1)));
    }

    // A single attachment is "附件" without a number.
    let mut data = grid_data(PURE, 1);
    data["attachments"] = json!([{"title": "统计表", "blocks": []}]);
    let doc = layout(&Job::new(GONGWEN_ATTACHMENTS, data, date(), "attachment"));
    let page = (0..doc.pages().len())
        .find(|&i| {
            page_lines(&doc, i)
                .first()
                .is_some_and(|(t, _)| t == "附件")
        })
        .expect("附件 page");
    assert_eq!(page_lines(&doc, page)[1].0, "统计表");
    assert!(all_text_of_page(&doc, page - 1).contains("附件：统计表"));
}

#[test]
fn signature_stays_on_the_text_area_after_a_long_attachment_note_or_a_chart() {
    // A 附件说明 too long to go over with the 署名 stays in the flow, and the
    // 署名 and 日期 hang below its last line; a body ending with a chart takes
    // the chart over with them. Either way they never stand alone on a page,
    // and nothing runs below the text area.
    let names: Vec<String> = (1..=14)
        .map(|i| format!("第{i}个单位行政机关负责人出庭应诉情况统计表及整改落实情况说明"))
        .collect();
    let chart = json!({"kind": "chart", "caption": "各单位出庭应诉率", "target": 90,
        "items": [{"name": "区城市管理局", "value": 80}, {"name": "区市场监管局", "value": 100}]});
    let mut carried = [0, 0];
    for n in 1..=22 {
        for (case, attachments, tail) in
            [(0, json!(names), None), (1, json!([]), Some(chart.clone()))]
        {
            let mut data = grid_data("本行为一行正文。", n);
            data["attachments"] = attachments;
            if let Some(tail) = &tail {
                data["blocks"].as_array_mut().unwrap().push(tail.clone());
            }
            let doc = layout(&Job::new(GONGWEN_ATTACHMENTS, data, date(), "long"));
            for i in 0..doc.pages().len() {
                for g in page_items(&doc, i)
                    .0
                    .iter()
                    .filter(|g| g.size > 11.0 && g.size < 17.0)
                {
                    if g.family == "FandolSong" && g.size == 14.0 {
                        continue; // page number
                    }
                    assert!(
                        g.y / MM <= 262.0,
                        "n={n} case {case}: {} below the text area on page {}",
                        g.text,
                        i + 1
                    );
                }
            }
            let sig = (0..doc.pages().len())
                .find(|&i| all_text_of_page(&doc, i).contains("2023年5月8日\n"))
                .unwrap();
            let lines = page_lines(&doc, sig);
            let name = lines
                .iter()
                .position(|(t, _)| t == "重庆市渝北区司法局")
                .unwrap();
            let before = &lines[..name];
            // The 附件说明's last line, or the chart, is above the 署名.
            let expected = if case == 0 {
                "情况说明"
            } else {
                "区市场监管局"
            };
            assert!(
                before.iter().any(|(t, _)| t.contains(expected)),
                "n={n} case {case}: 署名 without {expected}: {lines:?}"
            );
            if sig > 0 && before.iter().all(|(t, _)| t != "本行为一行正文。") {
                carried[case] += 1;
            }
        }
    }
    assert!(carried[0] > 0 && carried[1] > 0, "{carried:?}");
}

#[test]
fn for_each_parallel_keeps_order_and_runs_items_at_once() {
    let out = for_each_parallel((0..100).collect(), 3, |i: i32| i * 2);
    assert_eq!(out, (0..100).map(|i| i * 2).collect::<Vec<_>>());
    assert!(for_each_parallel(Vec::<i32>::new(), 2, |i| i).is_empty());
    assert_eq!(for_each_parallel(vec![7], 8, |i: i32| i + 1), vec![8]);
    // With two threads, two items are in progress at the same time: each
    // waits (bounded) until both have started.
    let started = std::sync::atomic::AtomicUsize::new(0);
    let met = for_each_parallel(vec![(), ()], 2, |_| {
        started.fetch_add(1, Ordering::SeqCst);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while started.load(Ordering::SeqCst) < 2 {
            if std::time::Instant::now() > deadline {
                return false;
            }
            std::thread::yield_now();
        }
        true
    });
    assert_eq!(met, vec![true, true]);
}

#[test]
fn font_roles_match_the_layout_library() {
    // The `fonts` dictionary of gbt9704.typ, line by line: `key: ("A", "B", …),`.
    let start = LAYOUT_LIBRARY
        .find("#let fonts = (")
        .expect("fonts dictionary");
    let block = &LAYOUT_LIBRARY[start..];
    let block = &block[..block.find("\n)\n").expect("end of the dictionary")];
    let typ: Vec<(String, Vec<String>)> = block
        .lines()
        .skip(1)
        .map(|l| {
            let (key, list) = l.trim().split_once(':').expect("key: list");
            let names = list
                .split('"')
                .skip(1)
                .step_by(2)
                .map(str::to_string)
                .collect();
            (key.to_string(), names)
        })
        .collect();
    let rust: Vec<(String, Vec<String>)> = FONT_ROLES
        .iter()
        .map(|(k, _, f)| (k.to_string(), f.iter().map(|s| s.to_string()).collect()))
        .collect();
    assert_eq!(typ, rust);
    // With the bundled fonts, every role is served by a Fandol face.
    let served: Vec<String> = FONT_ROLES
        .iter()
        .map(|(_, _, f)| ts().role_font(f).unwrap().0)
        .collect();
    assert_eq!(
        served,
        [
            "FandolSong",
            "FandolFang R",
            "FandolKai",
            "FandolHei",
            "FandolSong"
        ]
    );
}

/// Position (top-left, points) and size of every image on a page.
fn images(frame: &Frame, ts: Transform, out: &mut Vec<(f64, f64, f64, f64)>) {
    for (pos, item) in frame.items() {
        match item {
            FrameItem::Group(group) => {
                let inner =
                    ts.pre_concat(Transform::translate(pos.x, pos.y).pre_concat(group.transform));
                images(&group.frame, inner, out);
            }
            FrameItem::Image(_, size, _) => {
                let p = pos.transform(ts);
                out.push((p.x.to_pt(), p.y.to_pt(), size.x.to_pt(), size.y.to_pt()));
            }
            _ => {}
        }
    }
}

#[test]
fn seal_layout_places_date_name_and_seal() {
    // 7.3.5.1: date four characters in from the right, the name centred over
    // it, the seal centred on them a little above their middle, its top
    // within one line below the body; for every body length.
    let main = r#"#import "/gbt9704.typ": *
#let d = json("/data.json")
#show: gongwen.with(org: d.org, number: d.number, title: d.title, to: d.to,
  signature: d.signature, date: d.date, seal: d.seal)
#blocks(d.blocks)
"#;
    let cell = 156.0 / 28.0;
    let pitch = 225.0 / 22.0;
    for n in [1, 5, 12, 13, 14, 15, 16, 30] {
        let mut data = grid_data("本行为一行正文。", n);
        data["signature"] = json!("重庆市渝北区司法局");
        data["seal"] = json!("/seal.svg");
        let mut job = Job::new(main, data.clone(), date(), "seal");
        job.root = Some(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures"));
        let doc = layout(&job);
        // The name: a 三号 line reading exactly the signature (the 标志 and
        // the title contain it too).
        let name_line = |doc: &PagedDocument, i: usize| {
            lines(&page_items(doc, i).0)
                .into_iter()
                .find(|l| text_of(l) == "重庆市渝北区司法局" && (l[0].size - 16.0).abs() < 0.01)
        };
        let page = (0..doc.pages().len())
            .find(|&i| name_line(&doc, i).is_some())
            .unwrap();
        let (glyphs, _) = page_items(&doc, page);
        let name_glyphs = name_line(&doc, page).unwrap();
        let name: Vec<&G> = name_glyphs.iter().collect();
        let date_glyphs = find(&glyphs, "2023年5月8日");
        let date_end = date_glyphs.last().unwrap();
        let date_right = (date_end.x + date_end.advance) / MM;
        approx(date_right, 184.0 - 4.0 * cell, 0.3, "日期 right");
        let date_centre = (date_glyphs[0].x / MM + date_right) / 2.0;
        let name_end = name.last().unwrap();
        let name_centre = (name[0].x + name_end.x + name_end.advance) / 2.0 / MM;
        approx(name_centre, date_centre, 0.3, "署名 centred over 日期");
        approx(
            (date_glyphs[0].y - name[0].y) / MM,
            pitch,
            0.05,
            "日期 below 署名",
        );
        // The seal.
        let mut found = Vec::new();
        images(&doc.pages()[page].frame, Transform::identity(), &mut found);
        assert_eq!(found.len(), 1, "n={n}");
        let (x, y, w, h) = found[0];
        approx(w / MM, 42.0, 0.1, "seal width");
        approx(h / MM, 42.0, 0.1, "seal height");
        approx(
            (x + w / 2.0) / MM,
            date_centre,
            0.3,
            "seal centred on the date",
        );
        let text_middle = (name[0].y - 0.88 * 16.0 + date_glyphs[0].y + 0.12 * 16.0) / 2.0;
        assert!(
            y + h / 2.0 < text_middle,
            "n={n}: name and date below the seal's centre"
        );
        let body = body_lines(&glyphs);
        let last_body = body
            .iter()
            .rev()
            .find(|l| l[0].y < name[0].y - 1.0 && text_of(l).contains("本行"))
            .unwrap_or_else(|| panic!("n={n}: no body text on the seal's page"));
        let gap = (y - (last_body[0].y + 0.12 * 16.0)) / MM;
        assert!(
            (0.0..=pitch).contains(&gap),
            "n={n}: seal top {gap:.1} mm below the body"
        );
        // `seal: true` (stamped by hand): the same places, no image.
        data["seal"] = json!(true);
        let doc2 = layout(&Job::new(main, data, date(), "stamp"));
        let (glyphs2, _) = page_items(&doc2, page);
        let date2 = find(&glyphs2, "2023年5月8日");
        approx(
            date2[0].x / MM,
            date_glyphs[0].x / MM,
            0.01,
            "same date position",
        );
        approx(
            date2[0].y / MM,
            date_glyphs[0].y / MM,
            0.01,
            "same date line",
        );
        let mut none = Vec::new();
        images(&doc2.pages()[page].frame, Transform::identity(), &mut none);
        assert!(none.is_empty());
    }
}

/// A document of more than `MAX_PAGES` pages is refused, not written.
#[test]
fn a_runaway_document_is_refused() {
    let job = grid_job(PURE, 1600);
    match ts().pdf(&job) {
        Err(TypesetError::TooLong { pages, max }) => {
            assert_eq!(max, MAX_PAGES);
            assert!(pages > MAX_PAGES, "{pages}");
        }
        other => panic!("expected TooLong, got {:?}", other.map(|b| b.len())),
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

    /// Whatever text a paragraph holds — long runs of letters or digits without a break
    /// opportunity, punctuation anywhere, CJK — every character is laid out on the paper, within
    /// the text area's left edge and at most two cells into the right margin (where closing marks
    /// hang): nothing is lost off the page. (Whether each line keeps the grid exactly is
    /// tests/typography.rs's measure; mixed Latin and CJK lines may still end up to half a cell
    /// past the edge.)
    #[test]
    fn no_text_is_lost_off_the_page(text in "[a-zA-Z0-9]{60,400}|[行政诉讼案件，。、；：“”（）0-9a-z]{1,300}") {
        let job = grid_job(&text, 1);
        let doc = layout(&job);
        let cell = 156.0 / 28.0 * MM;
        let (left, right) = (28.0 * MM, (28.0 + 156.0) * MM);
        let mut shown = String::new();
        for page in 0..doc.pages().len() {
            let (glyphs, _) = page_items(&doc, page);
            for g in glyphs.iter().filter(|g| (g.size - 16.0).abs() < 0.01) {
                proptest::prop_assert!(
                    g.x >= left - 0.5 && g.x + g.advance.min(g.size) <= right + 2.0 * cell,
                    "`{}` at {:.1}..{:.1} mm", g.text, g.x / MM, (g.x + g.advance) / MM
                );
                shown.push_str(&g.text);
            }
        }
        proptest::prop_assert!(shown.contains(&text), "the paragraph's text is not all shown");
    }
}

// ------------------------------------------------------------------ blessing

/// A blessed output goes beside the expected file as `.new`, never over it; a `.new` file is
/// removed once the output matches again.
#[test]
fn blessing_writes_a_new_file_beside_the_expected_one() {
    let dir = tempfile::tempdir().unwrap();
    let expected = dir.path().join("reply.txt");
    std::fs::write(&expected, "旧文字\n").unwrap();
    let new = common::bless::write_new(&expected, "新文字\n".as_bytes());
    assert_eq!(new, Some(dir.path().join("reply.txt.new")));
    assert_eq!(std::fs::read_to_string(&expected).unwrap(), "旧文字\n");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("reply.txt.new")).unwrap(),
        "新文字\n"
    );
    assert_eq!(
        common::bless::write_new(&expected, "旧文字\n".as_bytes()),
        None
    );
    assert!(!dir.path().join("reply.txt.new").exists());
    // No expected file yet: the output is still only proposed.
    let missing = dir.path().join("sub/none.txt");
    assert_eq!(
        common::bless::write_new(&missing, b"x"),
        Some(dir.path().join("sub/none.txt.new"))
    );
    assert!(!missing.exists());
}
