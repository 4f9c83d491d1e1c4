//! Frame walking, shared by the tests that measure laid-out documents: every glyph and every
//! line or rectangle of a page, in points from the page's top-left corner, and glyphs grouped
//! into lines.
#![allow(dead_code)]

use typst::layout::{Frame, FrameItem, Point, Transform};
use typst::visualize::{Geometry, Paint};
use typst_layout::PagedDocument;

/// One positioned glyph, in points from the page's top-left corner.
#[derive(Debug, Clone)]
pub struct G {
    pub text: String,
    pub family: String,
    pub bold: bool,
    pub size: f64,
    /// Left edge of the advance box.
    pub x: f64,
    /// Baseline.
    pub y: f64,
    pub advance: f64,
    pub fill: Option<[u8; 4]>,
    pub stroked: bool,
}

/// A stroked line or a filled rectangle.
#[derive(Debug, Clone)]
pub struct S {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
    pub thickness: f64,
    pub color: Option<[u8; 4]>,
}

fn rgba(paint: &Paint) -> Option<[u8; 4]> {
    match paint {
        Paint::Solid(c) => Some(c.to_vec4_u8()),
        _ => None,
    }
}

pub fn walk(frame: &Frame, ts: Transform, glyphs: &mut Vec<G>, shapes: &mut Vec<S>) {
    for (pos, item) in frame.items() {
        let at = |p: Point| p.transform(ts);
        match item {
            FrameItem::Group(group) => {
                let inner =
                    ts.pre_concat(Transform::translate(pos.x, pos.y).pre_concat(group.transform));
                walk(&group.frame, inner, glyphs, shapes);
            }
            FrameItem::Text(t) => {
                let size = t.size.to_pt();
                let info = t.font.font().info();
                let mut x = pos.x;
                for g in &t.glyphs {
                    let p = at(Point::new(x + g.x_offset.at(t.size), pos.y));
                    let start = at(Point::new(x, pos.y));
                    let end = at(Point::new(x + g.x_advance.at(t.size), pos.y));
                    let _ = p;
                    glyphs.push(G {
                        text: t.text[g.range()].to_string(),
                        family: info.family.clone(),
                        bold: info.variant.weight.to_number() >= 600,
                        size,
                        x: start.x.to_pt(),
                        y: start.y.to_pt(),
                        advance: (end.x - start.x).to_pt(),
                        fill: rgba(&t.fill),
                        stroked: t.stroke.is_some(),
                    });
                    x += g.x_advance.at(t.size);
                }
            }
            FrameItem::Shape(shape, _) => {
                let a = at(*pos);
                match &shape.geometry {
                    Geometry::Line(to) => {
                        let b = at(*pos + *to);
                        let stroke = shape.stroke.as_ref();
                        shapes.push(S {
                            x0: a.x.to_pt(),
                            y0: a.y.to_pt(),
                            x1: b.x.to_pt(),
                            y1: b.y.to_pt(),
                            thickness: stroke.map_or(0.0, |s| s.thickness.to_pt()),
                            color: stroke.and_then(|s| rgba(&s.paint)),
                        });
                    }
                    Geometry::Rect(size) => {
                        let b = at(*pos + size.to_point());
                        shapes.push(S {
                            x0: a.x.to_pt(),
                            y0: a.y.to_pt(),
                            x1: b.x.to_pt(),
                            y1: b.y.to_pt(),
                            thickness: 0.0,
                            color: shape.fill.as_ref().and_then(rgba),
                        });
                    }
                    Geometry::Curve(_) => {}
                }
            }
            _ => {}
        }
    }
}

pub fn page_items(doc: &PagedDocument, page: usize) -> (Vec<G>, Vec<S>) {
    let mut glyphs = Vec::new();
    let mut shapes = Vec::new();
    walk(
        &doc.pages()[page].frame,
        Transform::identity(),
        &mut glyphs,
        &mut shapes,
    );
    (glyphs, shapes)
}

/// Glyphs grouped into lines by baseline (±0.5 pt), sorted top to bottom and
/// left to right.
pub fn lines(glyphs: &[G]) -> Vec<Vec<G>> {
    let mut sorted: Vec<G> = glyphs.to_vec();
    sorted.sort_by(|a, b| a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x)));
    let mut out: Vec<Vec<G>> = Vec::new();
    for g in sorted {
        match out.last_mut() {
            Some(line) if (line[0].y - g.y).abs() < 0.5 => line.push(g),
            _ => out.push(vec![g]),
        }
    }
    for line in &mut out {
        line.sort_by(|a, b| a.x.total_cmp(&b.x));
    }
    out
}

pub fn text_of(line: &[G]) -> String {
    line.iter().map(|g| g.text.as_str()).collect()
}

/// The glyphs of a page.
pub fn glyphs(doc: &PagedDocument, page: usize) -> Vec<G> {
    page_items(doc, page).0
}
