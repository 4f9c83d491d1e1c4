//! The typography checker: reads body lines back from finished PDFs (`pdftotext -bbox-layout`,
//! poppler) and counts what breaks the 28 × 22 grid of GB/T 9704-2012: full lines off the grid,
//! paragraphs ending with one character, headings ending a page, protected terms split across
//! lines, text running off the text area.

use std::path::Path;
use std::process::Command;

const MM: f64 = 72.0 / 25.4;
/// Character pitch: 156 mm / 28.
pub const CELL: f64 = 156.0 / 28.0 * MM;
/// Left and right edges of the text area.
pub const LEFT: f64 = 28.0 * MM;
pub const RIGHT: f64 = (28.0 + 156.0) * MM;
const TOP: f64 = 37.0 * MM;
const BOTTOM: f64 = (297.0 - 35.0) * MM;
/// Body text size (三号).
const BODY: f64 = 16.0;
/// Position tolerance.
const TOL: f64 = 1.5;

/// One line of text as poppler reads it.
#[derive(Debug, Clone)]
pub struct Line {
    pub page: usize,
    pub x0: f64,
    pub x1: f64,
    pub y0: f64,
    pub y1: f64,
    pub text: String,
}

fn attr(tag: &str, name: &str) -> f64 {
    let key = format!("{name}=\"");
    let i = tag
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {tag}"))
        + key.len();
    let j = tag[i..].find('"').unwrap() + i;
    tag[i..j].parse().unwrap()
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&apos;", "'")
        .replace("&amp;", "&")
}

/// The lines of a PDF, page by page, in reading order.
pub fn lines(pdf: &Path) -> Vec<Line> {
    let out = Command::new("pdftotext")
        .arg("-bbox-layout")
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) must be installed");
    assert!(
        out.status.success(),
        "pdftotext failed on {}",
        pdf.display()
    );
    let xml = String::from_utf8_lossy(&out.stdout);
    let mut result = Vec::new();
    let mut page = 0;
    let mut rest: &str = &xml;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').unwrap();
        let tag = &rest[..=end];
        if tag.starts_with("<page ") {
            page += 1;
        } else if tag.starts_with("<line ") {
            let close = rest.find("</line>").unwrap();
            let body = &rest[..close];
            let mut text = String::new();
            let mut w: &str = body;
            while let Some(k) = w.find("<word ") {
                w = &w[k..];
                let a = w.find('>').unwrap();
                let b = w.find("</word>").unwrap();
                text.push_str(&unescape(&w[a + 1..b]));
                w = &w[b..];
            }
            result.push(Line {
                page,
                x0: attr(tag, "xMin"),
                x1: attr(tag, "xMax"),
                y0: attr(tag, "yMin"),
                y1: attr(tag, "yMax"),
                text,
            });
            rest = &rest[close..];
            continue;
        }
        rest = &rest[end + 1..];
    }
    // Poppler splits a line where a gap is wide or boxes overlap, even into other blocks: the
    // parts on one baseline are one line, read from left to right.
    result.sort_by(|a, b| {
        (a.page, a.y1, a.x0)
            .partial_cmp(&(b.page, b.y1, b.x0))
            .unwrap()
    });
    let mut merged: Vec<Line> = Vec::new();
    for l in result {
        match merged.last_mut() {
            Some(p)
                if p.page == l.page && (p.y1 - l.y1).abs() < 0.5 && (p.y0 - l.y0).abs() < 0.5 =>
            {
                p.x0 = p.x0.min(l.x0);
                p.x1 = p.x1.max(l.x1);
                p.text.push_str(&l.text);
            }
            _ => merged.push(l),
        }
    }
    merged
}

/// Fullwidth: CJK ideographs, CJK punctuation and fullwidth forms take one cell.
pub fn fullwidth(c: char) -> bool {
    let u = c as u32;
    (0x2E80..0xA000).contains(&u)
        || (0xF900..0xFB00).contains(&u)
        || (0xFE30..0xFE50).contains(&u)
        || (0xFF01..0xFF61).contains(&u)
        || (0xFFE0..0xFFE7).contains(&u)
        || u >= 0x20000
        || c == '—'
        || c == '…'
        || c == '“'
        || c == '”'
        || c == '‘'
        || c == '’'
}

/// Advance of an ASCII character in FandolFang R (the bundled body font), in em.
fn ascii_em(c: char) -> f64 {
    match c {
        '!' | '\'' | ',' | '.' | ':' | ';' | '[' | ']' | '|' => 0.278,
        '#' | '%' => 0.833,
        '&' => 0.781,
        '(' | ')' => 0.389,
        '+' | '<' | '=' | '>' | '@' | '_' => 0.778,
        '-' => 0.333,
        '?' => 0.472,
        'A' | 'H' | 'N' | 'U' | 'V' | 'X' | 'Y' => 0.739,
        'B' => 0.703,
        'C' | 'T' => 0.722,
        'D' => 0.758,
        'E' | 'P' => 0.675,
        'F' => 0.647,
        'G' => 0.782,
        'I' => 0.35,
        'J' => 0.508,
        'K' => 0.767,
        'L' => 0.619,
        'M' => 0.906,
        'O' | 'Q' => 0.778,
        'R' => 0.731,
        'S' => 0.556,
        'W' => 1.017,
        'Z' => 0.611,
        'a' => 0.489,
        'b' | 'd' | 'h' | 'n' | 'p' | 'u' => 0.561,
        'c' | 'e' => 0.444,
        'f' => 0.306,
        'i' | 'l' => 0.283,
        'j' => 0.311,
        'k' | 'q' | 'v' | 'x' | 'y' => 0.533,
        'm' => 0.839,
        'r' => 0.392,
        's' => 0.394,
        't' => 0.389,
        'w' => 0.728,
        'z' => 0.446,
        '^' | '~' => 0.611,
        _ => 0.5,
    }
}

/// Width of a character in cells as set in the body: fullwidth one cell, ASCII its advance in
/// the bundled FandolFang R plus the body's tracking (the demo and the corpus use the bundled
/// fonts).
pub fn width(c: char) -> f64 {
    if fullwidth(c) {
        1.0
    } else {
        (ascii_em(c) * BODY + CELL - BODY) / CELL
    }
}

pub fn closing(c: char) -> bool {
    "，。、：；？！）》〕】」』”’〉］｝〗)],.;:?!%".contains(c)
}

pub fn punct(c: char) -> bool {
    closing(c) || "（《〔【「『“‘〈［｛〖([".contains(c)
}

fn is_heading(text: &str) -> bool {
    let t: Vec<char> = text.chars().collect();
    // A numbered sentence at the third or fourth level (“1．……。”, “（1）……。”) is a numbered
    // paragraph, not a heading (as yingsu reads the clerk's prose).
    let third_or_fourth = t.first().is_some_and(|c| c.is_ascii_digit())
        || (t.first() == Some(&'（') && t.get(1).is_some_and(|c| c.is_ascii_digit()));
    if third_or_fourth && t.last() == Some(&'。') {
        return false;
    }
    let inner = &t[..t.len().saturating_sub(1)];
    if inner.iter().any(|c| "。，；".contains(*c)) {
        return false;
    }
    let s = text;
    let cn = "一二三四五六七八九十";
    let first = t.first().copied().unwrap_or(' ');
    (cn.contains(first) && s.contains('、') && s.find('、').unwrap() <= 9)
        || (s.starts_with('（')
            && t.get(1)
                .is_some_and(|c| cn.contains(*c) || c.is_ascii_digit()))
        || (first.is_ascii_digit() && (s.contains('.') || s.contains('．')) && t.len() < 28)
}

/// Protected terms: 案号, 发文字号, dates (as the layout library keeps them).
pub fn terms(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let digits = |i: usize| {
        let mut j = i;
        while j < chars.len() && chars[j].is_ascii_digit() {
            j += 1;
        }
        j
    };
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let mut found = None;
        // 案号: (2023)渝0112行初123号
        if (c == '（' || c == '(') && digits(i + 1) == i + 5 {
            let j = i + 5;
            if j < chars.len() && (chars[j] == '）' || chars[j] == ')') {
                let mut k = j + 1;
                while k < chars.len() && k <= j + 14 {
                    if chars[k] == '号' && k > j + 1 && chars[k - 1].is_ascii_digit() {
                        found = Some(k + 1);
                        break;
                    }
                    if "，。、；：（）() ".contains(chars[k]) {
                        break;
                    }
                    k += 1;
                }
            }
        }
        // 发文字号: 国办发〔2016〕54号 (the 〔year〕number号 part and the prefix's last character)
        if c == '〔' && digits(i + 1) == i + 5 && chars.get(i + 5) == Some(&'〕') {
            let e = digits(i + 6);
            if e > i + 6 && chars.get(e) == Some(&'号') {
                // The prefix: up to four Chinese characters (国办发, 渝北司发).
                let mut start = i;
                while start > 0
                    && i - start < 4
                    && !punct(chars[start - 1])
                    && fullwidth(chars[start - 1])
                {
                    start -= 1;
                }
                out.push((start, e + 1));
                i = e + 1;
                continue;
            }
        }
        // Dates: 2023年6月1日, 2023年6月, 6月1日
        if c.is_ascii_digit() && (i == 0 || !chars[i - 1].is_ascii_digit()) {
            let e = digits(i);
            let unit = chars.get(e).copied();
            if e - i == 4 && unit == Some('年') {
                let m = digits(e + 1);
                if m > e + 1 && m - e - 1 <= 2 && chars.get(m) == Some(&'月') {
                    let d = digits(m + 1);
                    let end = if d > m + 1 && chars.get(d) == Some(&'日') {
                        d + 1
                    } else {
                        m + 1
                    };
                    found = Some(end);
                }
            } else if e - i <= 2 && unit == Some('月') {
                let d = digits(e + 1);
                if d > e + 1 && chars.get(d) == Some(&'日') {
                    found = Some(d + 1);
                }
            }
        }
        if let Some(end) = found {
            out.push((i, end));
            i = end;
        } else {
            i += 1;
        }
    }
    out
}

/// The space, in cells, the layout may give the Latin runs of a line (its characters `inner`)
/// to keep it on the grid: each run of Latin letters or digits may take the space that rounds
/// its width up to whole cells (as on Word's character grid) and a quarter of a cell a side
/// (Word's and typst's CJK–Latin spacing), on the sides where it meets a Chinese character (not
/// a punctuation mark) within the line.
pub fn latin_allowance(inner: &[char]) -> f64 {
    let ideograph = |c: char| fullwidth(c) && !punct(c) && c != '—' && c != '…';
    let mut allow = 0.0;
    let mut i = 0;
    while i < inner.len() {
        if fullwidth(inner[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < inner.len() && !fullwidth(inner[i]) {
            i += 1;
        }
        let blank = inner[start..i].iter().all(|c| c.is_whitespace());
        let sides = usize::from(start > 0 && ideograph(inner[start - 1]))
            + usize::from(i < inner.len() && ideograph(inner[i]));
        if sides > 0 && !blank {
            let w: f64 = inner[start..i].iter().map(|c| width(*c)).sum();
            allow += (w - 0.001).ceil() - w + 0.25 * sides as f64;
        }
    }
    allow
}

/// What the checker counts.
#[derive(Debug, Default, Clone)]
pub struct Counts {
    pub documents: usize,
    pub body_lines: usize,
    pub full_lines: usize,
    pub off_grid: usize,
    /// Of which: the line before a protected term or number moved whole.
    pub off_grid_term: usize,
    /// Of which: the line before an opening mark that could not end it, or a —— or …… that
    /// did not fit.
    pub off_grid_kinsoku: usize,
    /// Of which: the line before a paragraph's last line that would hold one character, when
    /// no line above could take it in by compressing punctuation.
    pub off_grid_lone: usize,
    pub hanging: usize,
    /// Full lines kept on the grid by the space around their Latin runs (see
    /// [`latin_allowance`]).
    pub latin_spaced: usize,
    pub lone: usize,
    pub headings_at_foot: usize,
    pub terms: usize,
    pub split_terms: usize,
    /// Organisation names from `yingsu.yaml` found in body paragraphs, and of them split.
    pub names: usize,
    pub split_names: usize,
    pub off_page: usize,
    /// Examples of each problem, for the report.
    pub examples: Vec<String>,
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.documents += o.documents;
        self.body_lines += o.body_lines;
        self.full_lines += o.full_lines;
        self.off_grid += o.off_grid;
        self.off_grid_term += o.off_grid_term;
        self.off_grid_kinsoku += o.off_grid_kinsoku;
        self.off_grid_lone += o.off_grid_lone;
        self.hanging += o.hanging;
        self.latin_spaced += o.latin_spaced;
        self.lone += o.lone;
        self.headings_at_foot += o.headings_at_foot;
        self.terms += o.terms;
        self.split_terms += o.split_terms;
        self.names += o.names;
        self.split_names += o.split_names;
        self.off_page += o.off_page;
        self.examples.extend(o.examples.iter().cloned());
    }

    pub fn summary(&self) -> String {
        format!(
            "documents {}, body lines {}, full lines {}, off the grid {} (before a term kept whole {}, before an opening mark or a dash {}, before a last line {}), hanging marks {}, lines spaced around Latin runs {}, lone last characters {}, headings at a page foot {}, protected terms {} (split {}), organisation names {} (split {}), lines off the text area {}",
            self.documents,
            self.body_lines,
            self.full_lines,
            self.off_grid,
            self.off_grid_term,
            self.off_grid_kinsoku,
            self.off_grid_lone,
            self.hanging,
            self.latin_spaced,
            self.lone,
            self.headings_at_foot,
            self.terms,
            self.split_terms,
            self.names,
            self.split_names,
            self.off_page
        )
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// Starts two cells in: a paragraph's first line.
    Start,
    /// Starts at the left edge.
    Cont,
    /// Any other body-size line in the text area (signature, centred lines...).
    Other,
}

/// Char-index spans of `name` in `text`.
fn occurrences(text: &str, name: &str) -> Vec<(usize, usize)> {
    let n = name.chars().count();
    text.match_indices(name)
        .map(|(i, _)| {
            let a = text[..i].chars().count();
            (a, a + n)
        })
        .collect()
}

/// Checks one PDF; `names`: organisation names to keep whole.
pub fn check(pdf: &Path, names: &[String]) -> Counts {
    let name = pdf.file_name().unwrap().to_string_lossy().to_string();
    let all = lines(pdf);
    let mut c = Counts {
        documents: 1,
        ..Counts::default()
    };
    // Text running off the text area (any size), e.g. an unbreakable token.
    for l in &all {
        if l.y0 > TOP - 40.0 && l.y1 < BOTTOM + 5.0 && l.x1 > RIGHT + 1.6 * CELL {
            c.off_page += 1;
            c.examples.push(format!(
                "{name} p{}: off the text area: {}",
                l.page,
                short(&l.text)
            ));
        }
    }
    // Body lines: 三号, in the text area.
    let body: Vec<(Kind, &Line)> = all
        .iter()
        .filter(|l| (l.y1 - l.y0 - BODY).abs() < 0.6 && l.y0 >= TOP - 2.0 && l.y1 <= BOTTOM + 2.0)
        .filter(|l| l.x0 > LEFT - 0.5 * CELL - TOL && l.x0 < RIGHT)
        .map(|l| {
            // An opening mark compressed at the start of a line begins half a cell early.
            let x0 = if l.text.starts_with(|c: char| "（《〔【「『“‘".contains(c)) {
                let early = l.x0 + 0.5 * CELL;
                if (early - LEFT).abs() < TOL || (early - LEFT - 2.0 * CELL).abs() < TOL {
                    early
                } else {
                    l.x0
                }
            } else {
                l.x0
            };
            let k = if (x0 - LEFT - 2.0 * CELL).abs() < TOL {
                Kind::Start
            } else if (x0 - LEFT).abs() < TOL {
                Kind::Cont
            } else {
                Kind::Other
            };
            (k, l)
        })
        .collect();
    c.body_lines = body.len();
    // Paragraphs: a Start line and the Cont lines after it.
    let mut paras: Vec<Vec<&Line>> = Vec::new();
    let mut open = false;
    for (k, l) in &body {
        match k {
            Kind::Start => {
                paras.push(vec![l]);
                open = true;
            }
            // A line ending short of the right edge ends its paragraph: a left-edge line after
            // it starts a flush-left block (a signature, a field), not counted.
            Kind::Cont if open && paras.last().unwrap().last().unwrap().x1 > RIGHT - CELL => {
                paras.last_mut().unwrap().push(l)
            }
            _ => open = false,
        }
    }
    for p in &paras {
        // Full lines: all but the last.
        for (i, l) in p.iter().enumerate() {
            if i + 1 == p.len() {
                break;
            }
            c.full_lines += 1;
            let start = if i == 0 { LEFT + 2.0 * CELL } else { LEFT };
            let chars: Vec<char> = l.text.chars().collect();
            let over = l.x1 - RIGHT;
            // One mark hangs a cell out; two hang compressed, the first half a cell.
            let mut hang = 0;
            // (A closing mark compressed at the end of the line reaches half a cell out.)
            if over > 0.75 * CELL {
                c.hanging += 1;
                hang = if over > 1.25 * CELL { 2 } else { 1 };
            }
            let inner = &chars[..chars.len() - hang];
            let end = if over > 3.0 { RIGHT } else { l.x1 };
            let nominal: f64 = inner.iter().map(|c| width(*c)).sum();
            let marks = inner
                .iter()
                .filter(|c| punct(**c) && fullwidth(**c))
                .count() as f64;
            let stretch = (end - start) - nominal * CELL;
            // A line may be looser than its characters only by less than the next character
            // (which did not fit); typst stretches only lines holding Chinese characters, so a
            // line of Latin letters or digits may end short by as much instead.
            let next_width = p[i + 1].text.chars().next().map_or(1.0, width) * CELL;
            let justifiable = inner.iter().any(|c| fullwidth(*c) && !punct(*c));
            let ends_right = (end - RIGHT).abs() < TOL;
            let spaced = justifiable
                && ends_right
                && stretch >= next_width.min(CELL) - 0.5
                && stretch <= latin_allowance(inner) * CELL + 0.5;
            if spaced {
                c.latin_spaced += 1;
                c.examples.push(format!(
                    "{name} p{}: spaced around Latin runs ({:+.1} pt): {}",
                    l.page, stretch, l.text
                ));
            }
            let ok = if !justifiable {
                end < RIGHT + TOL && end > RIGHT - next_width - TOL
            } else {
                ends_right
                    && (stretch < next_width.min(CELL) - 0.5 || spaced)
                    && stretch >= -0.5 * marks * CELL - 1.0
            };
            if !ok {
                c.off_grid += 1;
                // Why the line is short: the next line starts with a protected term or a
                // number kept whole, or with an opening mark the line could not take.
                let next = &p[i + 1].text;
                let first = next.chars().next().unwrap_or(' ');
                let cause =
                    if terms(next).first().is_some_and(|t| t.0 == 0) || first.is_ascii_digit() {
                        c.off_grid_term += 1;
                        "term kept whole"
                    } else if i + 2 == p.len() && next.chars().filter(|c| !punct(*c)).count() == 2 {
                        c.off_grid_lone += 1;
                        "a character sent down to a lone last one"
                    } else if "（《〔【「『“‘([—…".contains(first) {
                        c.off_grid_kinsoku += 1;
                        "opening mark or dash pushed down"
                    } else {
                        "other"
                    };
                c.examples.push(format!(
                    "{name} p{}: off the grid ({:.1} cells, stretch {:+.1} pt, {cause}): {} / {}",
                    l.page,
                    nominal,
                    stretch,
                    l.text,
                    short(next)
                ));
            }
        }
        // Lone last character.
        if p.len() >= 2 {
            let last = p.last().unwrap();
            let n = last.text.chars().filter(|c| !punct(*c)).count();
            if n < 2 {
                c.lone += 1;
                c.examples.push(format!(
                    "{name} p{}: lone last line “{}”",
                    last.page, last.text
                ));
            }
        }
        // Protected terms.
        let mut text = String::new();
        let mut bounds = Vec::new();
        for l in p {
            text.push_str(&l.text);
            bounds.push(text.chars().count());
        }
        // Organisation names, longest first; a shorter name inside a longer one found counts
        // once, as the longer.
        let mut taken: Vec<(usize, usize)> = Vec::new();
        for org in names {
            for (a, b) in occurrences(&text, org) {
                if taken.iter().any(|&(x, y)| a < y && x < b) {
                    continue;
                }
                taken.push((a, b));
                c.names += 1;
                if bounds.iter().any(|&k| k > a && k < b) {
                    c.split_names += 1;
                    c.examples.push(format!("{name}: split name “{org}”"));
                }
            }
        }
        for (a, b) in terms(&text) {
            c.terms += 1;
            if bounds.iter().any(|&k| k > a && k < b) {
                c.split_terms += 1;
                let t: String = text.chars().skip(a).take(b - a).collect();
                c.examples.push(format!("{name}: split term “{t}”"));
            }
        }
    }
    // Headings at a page foot: a one-line heading paragraph that is the last body line of its
    // page, with body text on the next page.
    for (i, (k, l)) in body.iter().enumerate() {
        let next = body.get(i + 1);
        let last_on_page = next.is_none_or(|(_, n)| n.page != l.page);
        let continues = next.is_some_and(|(nk, n)| n.page == l.page + 1 && *nk != Kind::Cont);
        if *k == Kind::Start && last_on_page && continues && is_heading(&l.text) {
            c.headings_at_foot += 1;
            c.examples.push(format!(
                "{name} p{}: heading at the page foot: {}",
                l.page, l.text
            ));
        }
    }
    c
}

fn short(s: &str) -> String {
    let t: String = s.chars().take(30).collect();
    if s.chars().count() > 30 {
        format!("{t}…")
    } else {
        t
    }
}

/// Checks every PDF under `dir`.
pub fn check_dir(dir: &Path, names: &[String]) -> Counts {
    let mut pdfs: Vec<_> = walk(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    pdfs.sort();
    let mut total = Counts::default();
    for p in pdfs {
        total.add(&check(&p, names));
    }
    total
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
