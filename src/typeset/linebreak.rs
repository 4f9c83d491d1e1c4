//! Grid line breaking of body paragraphs (GB/T 9704 5.2: 28 characters a line), in Rust: this
//! module owns the stage between a paragraph's text runs and its lines — cluster classes, the
//! break rules (禁则), protected terms and organisation names, the paragraph-wide choice of line
//! ends (hanging and compressed punctuation, the space around Latin runs) and the items each
//! line is set from. The layout library (`templates/gbt9704.typ`, `_grid-par`) calls it as the
//! native function `yingsu-grid-break` (defined in typst's global scope by [`define`]) and only
//! turns the items it returns into content. It replaced the same breaker written in Typst
//! script, which made typesetting several times slower.
//!
//! `yingsu-grid-break(texts, styles, measure, names, first, avail)`:
//! - `texts`: the paragraph's runs, as strings, and `styles` the style function of each;
//! - `measure`: a function `(style, cluster) => float` giving the width in cells of a cluster
//!   that is not fullwidth (called once per distinct run and cluster of the paragraph);
//! - `names`: organisation names kept whole where possible;
//! - `first`, `avail`: cells available on the first and on the other lines.
//!
//! It returns one dictionary a line: `items`, an array of `(kind, run, text)` where kind is `t`
//! (a text run, followed by the tracking of its last glyph), `o`/`O` (an opening mark in a box,
//! `O` compressed to half a cell), `c`/`C` (a closing mark in a box one cell or half a cell
//! wide) or `s` (space around a Latin run, its width in cells in place of the text); and
//! `hang`, the closing marks `(run, text)` hung into the right margin.
//!
//! The breaker is deterministic (same paragraph, same lines), and any text — however long,
//! however odd its clusters, whatever widths the measure gives — gives lines, never a panic.

use std::collections::HashMap;
use std::sync::LazyLock;

use regex::Regex;
use unicode_segmentation::UnicodeSegmentation;

/// The name under which the layout library calls the breaker.
pub(crate) const FUNCTION_NAME: &str = "yingsu-grid-break";

/// The space a Latin run may take a side beyond what brings it to whole cells, in cells (see
/// [`LatinRun`]).
const PAD_PER_SIDE: f64 = 0.25;
/// Cost of a line whose Latin runs are spaced out, and per cell of space.
const PAD_COST: f64 = 10.0;
const PAD_COST_CELL: f64 = 20.0;

/// Fullwidth opening marks (the layout library's `_open`).
#[cfg(test)]
const OPEN: &str = "（《〔【「『“‘〈［｛〖";
/// Fullwidth closing marks (the layout library's `_close`).
#[cfg(test)]
const CLOSE: &str = "，。、：；？！）》〕】」』”’〉］｝〗";
#[cfg(test)]
const ASCII_OPEN: &str = "([{";
#[cfg(test)]
const ASCII_CLOSE: &str = ")]},.;:?!%";

/// Protected terms: 案号, 发文字号, dates.
static TERM_RE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(concat!(
        r"[（(][0-9]{4}[）)][^\s，。、；：（）()]{1,12}?[0-9]+号",
        r"|\p{Han}{0,4}〔[0-9]{4}〕[0-9]+号",
        r"|[0-9]{4}年[0-9]{1,2}月(?:[0-9]{1,2}日)?",
        r"|[0-9]{1,2}月[0-9]{1,2}日",
    ))
    .ok()
});
/// Numbers and words in Latin letters: whole up to [`TOKEN_MAX`] clusters.
static TOKEN_RE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"[0-9A-Za-z]+(?:[.．][0-9]+)*[%％]?").ok());
const TOKEN_MAX: usize = 16;

/// Cluster classes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// A fullwidth opening mark.
    Open,
    /// A fullwidth closing mark.
    Close,
    /// A half-width opening bracket.
    AsciiOpen,
    /// A half-width closing mark.
    AsciiClose,
    /// A dash or an ellipsis.
    Dash,
    /// Anything else.
    Word,
}

impl Class {
    /// The class of a cluster.
    pub fn of(c: &str) -> Self {
        let mut chars = c.chars();
        let (Some(ch), None) = (chars.next(), chars.next()) else {
            return Class::Word;
        };
        // A match rather than a search of OPEN and CLOSE (kept equal by a test): this runs
        // for every cluster of every paragraph.
        match ch {
            '（' | '《' | '〔' | '【' | '「' | '『' | '“' | '‘' | '〈' | '［' | '｛' | '〖' => {
                Class::Open
            }
            '，' | '。' | '、' | '：' | '；' | '？' | '！' | '）' | '》' | '〕' | '】' | '」'
            | '』' | '”' | '’' | '〉' | '］' | '｝' | '〗' => Class::Close,
            '(' | '[' | '{' => Class::AsciiOpen,
            ')' | ']' | '}' | ',' | '.' | ';' | ':' | '?' | '!' | '%' => Class::AsciiClose,
            '—' | '…' => Class::Dash,
            _ => Class::Word,
        }
    }

    fn is_mark(self) -> bool {
        matches!(self, Class::Open | Class::Close)
    }
}

/// One cell: everything from U+0800 on (CJK, fullwidth forms, the dashes, ellipses and quotation
/// marks of the Chinese fonts); the rest is measured.
pub(crate) fn is_fullwidth(c: &str) -> bool {
    c.len() >= 3
}

/// A paragraph prepared for breaking: its clusters and what the break rules say about them.
#[derive(Debug, Clone)]
pub struct Paragraph {
    /// Cumulated widths in cells: `cum[i]` is the width of clusters `0..i`.
    pub cum: Vec<f64>,
    /// Width of each cluster in cells.
    pub ws: Vec<f64>,
    /// Class of each cluster.
    pub cls: Vec<Class>,
    /// No break before cluster `i` (always true for 0).
    pub hard: Vec<bool>,
    /// Cost class of a break before cluster `i`: 0 free, 1 at a joint of a protected term or
    /// inside an organisation name, 2 inside a term, 3 between two digits or letters of a
    /// number or a term.
    pub soft: Vec<u8>,
    /// Prefix counts of fullwidth marks.
    pub pm: Vec<i64>,
    /// Prefix counts of characters that count for a last line (not marks).
    pub pc: Vec<i64>,
    /// Runs of Latin letters or digits whose spacing may be widened.
    pub latin: Vec<LatinRun>,
}

/// A run of clusters that are not fullwidth (Latin letters, digits, their marks). On a line
/// that would otherwise end short, the space between it and the Chinese characters next to it
/// may widen: up to what brings its width to whole cells (as on Word's character grid) and a
/// quarter of a cell a side (the CJK–Latin spacing of Word, 自动调整中文与西文的间距, and of
/// typst, `cjk-latin-spacing`). Next to a punctuation mark or at a line's start or end, it
/// does not.
#[derive(Debug, Clone, PartialEq)]
pub struct LatinRun {
    /// First cluster.
    pub start: usize,
    /// One past the last cluster.
    pub end: usize,
    /// The space that brings the run's width to whole cells.
    pub snap: f64,
    /// A Chinese character stands before it.
    pub before: bool,
    /// A Chinese character stands after it.
    pub after: bool,
}

impl LatinRun {
    /// The sides that may widen on the line `s..e`.
    fn sides(&self, s: usize, e: usize) -> (bool, bool) {
        (self.before && self.start > s, self.after && self.end < e)
    }

    /// The space the run may take on the line `s..e`.
    fn capacity(&self, s: usize, e: usize) -> f64 {
        match self.sides(s, e) {
            (false, false) => 0.0,
            (a, b) => self.snap + PAD_PER_SIDE * f64::from(u8::from(a) + u8::from(b)),
        }
    }
}

/// One line: clusters `a..b`, the last `hang` of them hung in the margin, `comp` the indices of
/// the marks compressed to half a cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Line {
    /// First cluster.
    pub a: usize,
    /// One past the last cluster.
    pub b: usize,
    /// Closing marks hung in the margin (0 to 2).
    pub hang: usize,
    /// Compressed marks.
    pub comp: Vec<usize>,
    /// Space in cells given to the line's Latin runs (0 unless the line needs it to stay on
    /// the grid).
    pub pad: f64,
}

/// Maps byte offsets of the joined text to cluster indices.
struct ClusterIndex {
    starts: Vec<usize>,
}

impl ClusterIndex {
    /// The cluster a match starting at `off` starts in.
    fn floor(&self, off: usize) -> usize {
        self.starts.partition_point(|&s| s <= off).saturating_sub(1)
    }
    /// The first cluster at or after `off` (the end of a match).
    fn ceil(&self, off: usize) -> usize {
        self.starts.partition_point(|&s| s < off)
    }
}

impl Paragraph {
    /// Classifies the clusters `cs` (widths `ws`) and marks the break rules; `names` are the
    /// organisation names.
    pub fn new(cs: &[&str], ws: Vec<f64>, names: &[&str]) -> Self {
        let n = cs.len();
        let cls: Vec<Class> = cs.iter().map(|c| Class::of(c)).collect();
        let mut cum = Vec::with_capacity(n + 1);
        cum.push(0.0);
        for w in &ws {
            let last = cum.last().copied().unwrap_or(0.0);
            cum.push(last + w);
        }
        let mut hard = vec![true; n];
        for i in 1..n {
            let (p, c) = (cls[i - 1], cls[i]);
            hard[i] = matches!(c, Class::Close | Class::AsciiClose)
                || matches!(p, Class::Open | Class::AsciiOpen)
                || (c == Class::Dash && cs[i - 1] == cs[i]);
        }
        let mut soft = vec![0u8; n];
        let joined: String = cs.concat();
        let mut starts = Vec::with_capacity(n);
        let mut off = 0;
        for c in cs {
            starts.push(off);
            off += c.len();
        }
        let index = ClusterIndex { starts };
        if let Some(re) = TOKEN_RE.as_ref() {
            for m in re.find_iter(&joined) {
                let (a, b) = (index.floor(m.start()), index.ceil(m.end()));
                if b.saturating_sub(a) <= TOKEN_MAX {
                    for s in soft.iter_mut().take(b).skip(a + 1) {
                        *s = 2;
                    }
                }
            }
        }
        if let Some(re) = TERM_RE.as_ref() {
            for m in re.find_iter(&joined) {
                let (a, b) = (index.floor(m.start()), index.ceil(m.end()));
                for i in a + 1..b.min(n) {
                    soft[i] = if matches!(cs[i - 1], "）" | ")" | "年" | "月") || cs[i] == "〔"
                    {
                        1
                    } else {
                        2
                    };
                }
            }
        }
        // Inside a number or a word kept whole (2023 / 0112 / 31), a break is the worst of all.
        let alnum = |c: &str| c.len() == 1 && c.bytes().all(|b| b.is_ascii_alphanumeric());
        for i in 1..n {
            if soft[i] == 2 && alnum(cs[i - 1]) && alnum(cs[i]) {
                soft[i] = 3;
            }
        }
        for name in names {
            if name.is_empty() {
                continue;
            }
            for (start, m) in joined.match_indices(name) {
                let (a, b) = (index.floor(start), index.ceil(start + m.len()));
                for s in soft.iter_mut().take(b).skip(a + 1) {
                    if *s == 0 {
                        *s = 1;
                    }
                }
            }
        }
        let mut pm = Vec::with_capacity(n + 1);
        let mut pc = Vec::with_capacity(n + 1);
        pm.push(0);
        pc.push(0);
        for (i, c) in cls.iter().enumerate() {
            pm.push(pm[i] + i64::from(c.is_mark()));
            pc.push(pc[i] + i64::from(matches!(c, Class::Word | Class::Dash)));
        }
        // Runs of clusters that are not fullwidth (Latin letters, digits, their marks), and
        // whether a Chinese character (not a mark) stands before or after them.
        let ideograph = |i: usize| is_fullwidth(cs[i]) && cls[i] == Class::Word;
        let mut latin = Vec::new();
        let mut i = 0;
        while i < n {
            if is_fullwidth(cs[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < n && !is_fullwidth(cs[i]) {
                i += 1;
            }
            let blank = cs[start..i].iter().all(|c| c.trim().is_empty());
            if !blank {
                let w = cum[i] - cum[start];
                latin.push(LatinRun {
                    start,
                    end: i,
                    snap: (w - 0.001).ceil().max(0.0) - w,
                    before: start > 0 && ideograph(start - 1),
                    after: i < n && ideograph(i),
                });
            }
        }
        Self {
            cum,
            ws,
            cls,
            hard,
            soft,
            pm,
            pc,
            latin,
        }
    }

    /// The Latin runs wholly inside a line of clusters `s..e`.
    fn latin_in(&self, s: usize, e: usize) -> &[LatinRun] {
        let lo = self.latin.partition_point(|r| r.start < s);
        let hi = self.latin.partition_point(|r| r.end <= e);
        if lo < hi { &self.latin[lo..hi] } else { &[] }
    }

    /// How much space the Latin runs of the line `s..e` may take.
    fn pad_capacity(&self, s: usize, e: usize) -> f64 {
        self.latin_in(s, e).iter().map(|r| r.capacity(s, e)).sum()
    }

    /// The space given to each Latin run of `line` (`(start, end, before, after)` in cells):
    /// the line's slack shared evenly between the runs, no run given more than it may take,
    /// and each run's share between its sides next to Chinese characters.
    pub(crate) fn pads(&self, line: &Line) -> Vec<(usize, usize, f64, f64)> {
        if line.pad <= 0.0 {
            return Vec::new();
        }
        let (s, e) = (line.a, line.b - line.hang);
        let runs = self.latin_in(s, e);
        // Water-filling, in a fixed order so the result is deterministic.
        let caps: Vec<f64> = runs.iter().map(|r| r.capacity(s, e)).collect();
        let mut give = vec![0.0; runs.len()];
        let mut open: Vec<usize> = (0..runs.len()).filter(|&k| caps[k] > 0.0).collect();
        let mut left = line.pad;
        while !open.is_empty() && left > 1e-9 {
            let share = left / open.len() as f64;
            let full: Vec<usize> = open
                .iter()
                .copied()
                .filter(|&k| caps[k] - give[k] <= share)
                .collect();
            if full.is_empty() {
                for &k in &open {
                    give[k] += share;
                }
                break;
            }
            for &k in &full {
                left -= caps[k] - give[k];
                give[k] = caps[k];
            }
            open.retain(|k| !full.contains(k));
        }
        runs.iter()
            .zip(give)
            .filter(|(_, g)| *g > 0.0)
            .map(|(r, g)| match r.sides(s, e) {
                (true, true) => (r.start, r.end, g / 2.0, g / 2.0),
                (true, false) => (r.start, r.end, g, 0.0),
                _ => (r.start, r.end, 0.0, g),
            })
            .collect()
    }

    /// Number of clusters.
    pub fn len(&self) -> usize {
        self.cls.len()
    }

    /// Whether the paragraph has no clusters.
    pub fn is_empty(&self) -> bool {
        self.cls.is_empty()
    }

    /// The paragraph's lines, chosen together (dynamic programming over the line ends, like
    /// TeX's paragraph builder but on the grid); `first` and `avail` are the cells of the first
    /// and of the other lines.
    ///
    /// A line from s to b holds avail cells. It is on the grid when what it holds, its last hung
    /// marks not counted and its compressed marks counted as half a cell, leaves less room than
    /// the cluster after it needs. Costs, summed over the lines: a hung mark 1, a compressed mark
    /// 3 (at most ten a line), a line off the grid 500 and 50 per cell of stretch (1000 more per
    /// cell beyond two), a break at a joint of a protected term 500, inside a term or a number
    /// 1000 (3000 between two of its digits or letters), a last line holding one character 5000. Where nothing helps, a line is broken
    /// anyway (10000).
    pub fn lines(&self, first: f64, avail: f64) -> Vec<Line> {
        if let Some(lines) = self.fast_lines(first, avail) {
            return lines;
        }
        self.best_lines(first, avail)
    }

    /// Line by line, each line as full as it fits, a closing mark that does not fit hung; `None`
    /// when that leaves a line off the grid, a term broken or a lone last character.
    fn fast_lines(&self, first: f64, avail: f64) -> Option<Vec<Line>> {
        const EPS: f64 = 0.001;
        const TOL: f64 = 0.04;
        let n = self.len();
        let (cum, cls, hard) = (&self.cum, &self.cls, &self.hard);
        let mut lines = Vec::new();
        let (mut s, mut k) = (0, 0);
        while s < n {
            let a = if s == 0 { first } else { avail };
            k = k.max(s);
            while k < n && cum[k + 1] - cum[s] <= a + EPS {
                k += 1;
            }
            if k == n {
                if s > 0 && self.pc[n] - self.pc[s] < 2 {
                    return None;
                }
                lines.push(Line {
                    a: s,
                    b: n,
                    hang: 0,
                    comp: Vec::new(),
                    pad: 0.0,
                });
                break;
            }
            let mut h = 0;
            if hard[k] && cls[k] == Class::Close && k > s {
                h = 1;
                if k + 1 < n && hard[k + 1] && cls[k + 1] == Class::Close {
                    h = 2;
                }
            }
            let b = k + h;
            if b <= s
                || (b < n
                    && (hard[b]
                        || self.soft[b] > 0
                        || a - (cum[k] - cum[s]) >= self.ws[b].min(1.0) - TOL))
            {
                return None;
            }
            lines.push(Line {
                a: s,
                b,
                hang: h,
                comp: Vec::new(),
                pad: 0.0,
            });
            s = b;
        }
        Some(lines)
    }

    /// The dynamic programme.
    fn best_lines(&self, first: f64, avail: f64) -> Vec<Line> {
        const EPS: f64 = 0.001;
        const TOL: f64 = 0.04;
        const INF: f64 = 1e9;
        let n = self.len();
        let (cum, cls, hard, soft, pm, pc) = (
            &self.cum, &self.cls, &self.hard, &self.soft, &self.pm, &self.pc,
        );
        let mut best = vec![INF; n + 1];
        let mut back: Vec<Option<(usize, usize, usize, f64)>> = vec![None; n + 1];
        best[0] = 0.0;
        let mut kp = 0;
        let mut ends = Vec::new();
        for s in 0..n {
            let base = best[s];
            if base >= INF {
                continue;
            }
            let a = if s == 0 { first } else { avail };
            let mut k0 = s;
            if s == 0 {
                while k0 < n && cum[k0 + 1] - cum[s] <= a + EPS {
                    k0 += 1;
                }
            } else {
                kp = kp.max(s);
                while kp < n && cum[kp + 1] - cum[s] <= a + EPS {
                    kp += 1;
                }
                k0 = kp;
            }
            let mut any = false;
            // Ends at or before k0: down to the first clean break; after k0: ends reached by
            // hanging or compressing, up to seven cells further.
            ends.clear();
            let mut b = k0;
            while b > s {
                if b == n || !hard[b] {
                    ends.push(b);
                    if b == n || (soft[b] == 0 && pc[n] - pc[b] >= 2) {
                        break;
                    }
                }
                b -= 1;
            }
            let mut b = k0 + 1;
            while b <= n && cum[b] - cum[s] <= a + 7.0 + EPS {
                if b == n || !hard[b] {
                    ends.push(b);
                }
                b += 1;
            }
            for &b in &ends {
                for h in 0..3usize {
                    if h > 0 {
                        // Hung: closing marks that do not fit.
                        if b <= s + h
                            || cls[b - h] != Class::Close
                            || cum[b - h + 1] - cum[s] <= a + EPS
                        {
                            break;
                        }
                    }
                    let w = cum[b - h] - cum[s];
                    let mut m: i64 = 0;
                    if w > a + EPS {
                        m = ((w - a) / 0.5 - EPS).ceil() as i64;
                        // An opening mark starting the line is not compressed: its glyph would
                        // begin outside the text area.
                        let room = pm[b - h] - pm[s] - i64::from(cls[s] == Class::Open);
                        if m > room.min(10) {
                            continue;
                        }
                    }
                    // Evaluated in the order the Typst script did, so ties fall the same way.
                    let mut cost = (h as i64 + 3 * m) as f64;
                    let mut pad = 0.0;
                    if b < n {
                        let slack = a - w + 0.5 * m as f64;
                        if slack >= self.ws[b].min(1.0) - TOL {
                            if slack <= self.pad_capacity(s, b - h) + EPS {
                                // Kept on the grid by the space around its Latin runs.
                                pad = slack;
                                cost += PAD_COST + PAD_COST_CELL * slack;
                            } else {
                                cost += 500.0 + 50.0 * slack + 1000.0 * (slack - 2.0).max(0.0);
                            }
                        }
                        cost += [0.0, 500.0, 1000.0, 3000.0][usize::from(soft[b].min(3))];
                    } else if s > 0 && pc[n] - pc[s] < 2 {
                        cost += 5000.0;
                    }
                    any = true;
                    if base + cost < best[b] {
                        best[b] = base + cost;
                        back[b] = Some((s, h, m.max(0) as usize, pad));
                    }
                }
            }
            if !any {
                // Nothing allowed fits (a run of marks longer than the line): break anyway.
                let b = k0.max(s + 1);
                if base + 10000.0 < best[b] {
                    best[b] = base + 10000.0;
                    back[b] = Some((s, 0, 0, 0.0));
                }
            }
        }
        let mut lines = Vec::new();
        let mut b = n;
        while b > 0 {
            // Every position reached has a way back (a start always reaches a later end).
            let (s, h, m, pad) = back[b].unwrap_or((0, 0, 0, 0.0));
            // The marks compressed: the last `m` of the line.
            let mut comp = Vec::new();
            let mut i = b - h;
            while comp.len() < m && i > s {
                i -= 1;
                if cls[i].is_mark() && !(i == s && cls[i] == Class::Open) {
                    comp.push(i);
                }
            }
            lines.push(Line {
                a: s,
                b,
                hang: h,
                comp,
                pad,
            });
            b = s;
        }
        lines.reverse();
        lines
    }
}

mod native;
mod set;
#[cfg(test)]
mod tests;

pub use native::define;
pub use set::{Broken, Item, break_runs, items};
