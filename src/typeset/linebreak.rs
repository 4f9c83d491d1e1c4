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

use comemo::Tracked;
use regex::Regex;
use typst::diag::{At, SourceResult};
use typst::engine::Engine;
use typst::foundations::{
    Args, Array, CastInfo, Context, Dict, Func, NativeFuncData, NativeFuncPtr, Scope, Str, Value,
};
use unicode_segmentation::UnicodeSegmentation;

/// The name under which the layout library calls the breaker.
pub const FUNCTION_NAME: &str = "yingsu-grid-break";

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
pub fn is_fullwidth(c: &str) -> bool {
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
    pub fn pads(&self, line: &Line) -> Vec<(usize, usize, f64, f64)> {
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

/// An item of a line, as the layout library sets it.
#[derive(Debug, Clone, PartialEq)]
pub enum Item {
    /// Text of one run (then the tracking of its last glyph).
    Text { run: usize, text: String },
    /// Space around a Latin run, in cells.
    Space(f64),
    /// A fullwidth mark in a box of its own (compressed to half a cell or not).
    Mark {
        run: usize,
        text: String,
        open: bool,
        compressed: bool,
    },
}

/// The items of `line` of a paragraph of clusters `cs` from runs `run_of`, and its hung marks.
pub fn items(p: &Paragraph, cs: &[&str], run_of: &[usize], line: &Line) -> SetLine {
    let cls = &p.cls;
    let e = line.b - line.hang;
    // A mark needs a box of its own only where typst would adjust it: at the line's start or
    // end, next to another mark (consecutive marks are compressed when shaped), or compressed
    // here; a mark between other characters stays in the text run.
    let boxed = |i: usize| {
        cls[i].is_mark()
            && (i == line.a
                || i + 1 == e
                || line.comp.contains(&i)
                || (i > 0 && cls[i - 1].is_mark())
                || (i + 1 < cls.len() && cls[i + 1].is_mark()))
    };
    let pads = p.pads(line);
    let mut items = Vec::new();
    let mut pending = String::new();
    let mut pending_run = 0;
    for i in line.a..e {
        if let Some(&(_, _, before, _)) = pads.iter().find(|r| r.0 == i) {
            if !pending.is_empty() {
                items.push(Item::Text {
                    run: pending_run,
                    text: std::mem::take(&mut pending),
                });
            }
            if before > 0.0 {
                items.push(Item::Space(before));
            }
        }
        if let Some(&(_, _, _, after)) = pads.iter().find(|r| r.1 == i) {
            if !pending.is_empty() {
                items.push(Item::Text {
                    run: pending_run,
                    text: std::mem::take(&mut pending),
                });
            }
            if after > 0.0 {
                items.push(Item::Space(after));
            }
        }
        if boxed(i) {
            if !pending.is_empty() {
                items.push(Item::Text {
                    run: pending_run,
                    text: std::mem::take(&mut pending),
                });
            }
            items.push(Item::Mark {
                run: run_of[i],
                text: cs[i].to_string(),
                open: cls[i] == Class::Open,
                compressed: line.comp.contains(&i),
            });
        } else {
            if !pending.is_empty() && pending_run != run_of[i] {
                items.push(Item::Text {
                    run: pending_run,
                    text: std::mem::take(&mut pending),
                });
            }
            pending.push_str(cs[i]);
            pending_run = run_of[i];
        }
    }
    if !pending.is_empty() {
        items.push(Item::Text {
            run: pending_run,
            text: pending,
        });
    }
    let hang = (e..line.b)
        .map(|i| (run_of[i], cs[i].to_string()))
        .collect();
    (items, hang)
}

/// Breaks the paragraph of `texts` (one string a run): the clusters, the width of each
/// (`measure(run, cluster)` for those not fullwidth), and its lines.
pub fn break_runs<E>(
    texts: &[&str],
    names: &[&str],
    first: f64,
    avail: f64,
    mut measure: impl FnMut(usize, &str) -> Result<f64, E>,
) -> Result<Broken, E> {
    let mut cs = Vec::new();
    let mut run_of = Vec::new();
    for (r, t) in texts.iter().enumerate() {
        for c in t.graphemes(true) {
            cs.push(c);
            run_of.push(r);
        }
    }
    let mut cache: HashMap<(usize, &str), f64> = HashMap::new();
    let mut ws = Vec::with_capacity(cs.len());
    for (i, c) in cs.iter().enumerate() {
        if is_fullwidth(c) || Class::of(c).is_mark() {
            ws.push(1.0);
            continue;
        }
        let key = (run_of[i], *c);
        let w = match cache.get(&key) {
            Some(w) => *w,
            None => {
                let w = measure(run_of[i], c)?;
                // A width that is not a number would make no line fit: count it as a cell.
                let w = if w.is_finite() { w } else { 1.0 };
                cache.insert(key, w);
                w
            }
        };
        ws.push(w);
    }
    let p = Paragraph::new(&cs, ws, names);
    let lines = if p.is_empty() {
        Vec::new()
    } else {
        p.lines(first, avail)
    };
    let lines = lines.iter().map(|l| items(&p, &cs, &run_of, l)).collect();
    Ok(Broken { lines })
}

/// One line as set: its items and its hung marks `(run, text)`.
pub type SetLine = (Vec<Item>, Vec<(usize, String)>);

/// A broken paragraph: each line's items and hung marks.
#[derive(Debug, Clone, PartialEq)]
pub struct Broken {
    /// Per line: its items and its hung marks `(run, text)`.
    pub lines: Vec<SetLine>,
}

impl Broken {
    /// The text of each line (hung marks included), for tests.
    pub fn texts(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|(items, hang)| {
                let mut s = String::new();
                for it in items {
                    match it {
                        Item::Text { text, .. } | Item::Mark { text, .. } => s.push_str(text),
                        Item::Space(_) => {}
                    }
                }
                for (_, t) in hang {
                    s.push_str(t);
                }
                s
            })
            .collect()
    }

    fn into_value(self) -> Value {
        let lines: Array = self
            .lines
            .into_iter()
            .map(|(items, hang)| {
                let items: Array = items
                    .into_iter()
                    .map(|it| {
                        let (kind, run, text) = match it {
                            Item::Space(w) => {
                                return Value::Array(Array::from_iter([
                                    Value::Str("s".into()),
                                    Value::Int(0),
                                    Value::Float(w),
                                ]));
                            }
                            Item::Text { run, text } => ("t", run, text),
                            Item::Mark {
                                run,
                                text,
                                open,
                                compressed,
                            } => (
                                match (open, compressed) {
                                    (true, false) => "o",
                                    (true, true) => "O",
                                    (false, false) => "c",
                                    (false, true) => "C",
                                },
                                run,
                                text,
                            ),
                        };
                        Value::Array(Array::from_iter([
                            Value::Str(kind.into()),
                            Value::Int(run as i64),
                            Value::Str(text.into()),
                        ]))
                    })
                    .collect();
                let hang: Array = hang
                    .into_iter()
                    .map(|(run, text)| {
                        Value::Array(Array::from_iter([
                            Value::Int(run as i64),
                            Value::Str(text.into()),
                        ]))
                    })
                    .collect();
                let mut d = Dict::new();
                d.insert("items".into(), Value::Array(items));
                d.insert("hang".into(), Value::Array(hang));
                Value::Dict(d)
            })
            .collect();
        Value::Array(lines)
    }
}

/// The native function's implementation:
/// `yingsu-grid-break(texts, styles, measure, names, first, avail)`.
fn grid_break(
    engine: &mut Engine,
    context: Tracked<Context>,
    args: &mut Args,
) -> SourceResult<Value> {
    let span = args.span;
    let texts: Array = args.expect("texts")?;
    let styles: Array = args.expect("styles")?;
    let measure: Func = args.expect("measure")?;
    let names: Array = args.expect("names")?;
    let first: f64 = args.expect("first")?;
    let avail: f64 = args.expect("avail")?;
    let texts: Vec<Str> = texts
        .into_iter()
        .map(|v| v.cast::<Str>().at(span))
        .collect::<SourceResult<_>>()?;
    let texts: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    let styles: Vec<Value> = styles.into_iter().collect();
    let names: Vec<Str> = names
        .into_iter()
        .filter_map(|v| v.cast::<Str>().ok())
        .collect();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    // Each distinct run and cluster is measured once (see `break_runs`). The widths are not
    // kept across paragraphs: a memoized typst call must make the same tracked calls each time
    // it runs (comemo checks it), which `measure` skipped on a cache hit would not.
    let broken = break_runs(
        &texts,
        &names,
        first,
        avail,
        |run, c| -> SourceResult<f64> {
            let style = styles.get(run).cloned().unwrap_or(Value::None);
            let v = measure.call(engine, context, [style, Value::Str(c.into())])?;
            v.cast::<f64>().at(span)
        },
    )?;
    Ok(broken.into_value())
}

static GRID_BREAK: NativeFuncData = NativeFuncData {
    function: NativeFuncPtr(&grid_break),
    name: FUNCTION_NAME,
    title: "Grid Break",
    docs: "Breaks a body paragraph on the 28-character grid (yingsu).",
    def_site: None,
    keywords: &[],
    contextual: true,
    scope: LazyLock::new(&|| Scope::new()),
    params: LazyLock::new(&|| Vec::new()),
    returns: LazyLock::new(&|| CastInfo::Any),
};

/// Adds the breaker to typst's global scope.
pub fn define(scope: &mut Scope) {
    scope.define_func_with_data(&GRID_BREAK);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Widths as the bundled body font gives them, roughly: half a cell for anything measured.
    fn half(_: usize, _: &str) -> Result<f64, ()> {
        Ok(0.493)
    }

    fn lines_of(text: &str, names: &[&str]) -> Vec<String> {
        break_runs(&[text], names, 26.0, 28.0, half)
            .map(|b| b.texts())
            .unwrap_or_default()
    }

    /// Every cluster is set once, in order, and every line holds something.
    fn assert_covers(texts: &[&str], broken: &Broken) {
        let all: String = texts.concat();
        assert_eq!(broken.texts().concat(), all);
        for (items, hang) in &broken.lines {
            assert!(!items.is_empty() || !hang.is_empty(), "an empty line");
        }
    }

    #[test]
    fn classes_are_the_layout_library_marks() {
        let lib = crate::typeset::LAYOUT_LIBRARY;
        assert!(lib.contains(&format!("#let _open = \"{OPEN}\"")));
        assert!(lib.contains(&format!("#let _close = \"{CLOSE}\"")));
        for (set, class) in [
            (OPEN, Class::Open),
            (CLOSE, Class::Close),
            (ASCII_OPEN, Class::AsciiOpen),
            (ASCII_CLOSE, Class::AsciiClose),
            ("—…", Class::Dash),
        ] {
            for c in set.chars() {
                assert_eq!(Class::of(&c.to_string()), class, "{c}");
            }
        }
        for c in ["行", "a", "1", "。\u{301}", "", "——", " ", "％"] {
            assert_eq!(Class::of(c), Class::Word, "{c}");
        }
    }

    #[test]
    fn plain_lines_hold_26_then_28_characters() {
        let text = "行".repeat(60);
        let lines = lines_of(&text, &[]);
        let counts: Vec<usize> = lines.iter().map(|l| l.chars().count()).collect();
        assert_eq!(counts, vec![26, 28, 6]);
    }

    #[test]
    fn a_closing_mark_after_a_full_line_hangs() {
        let text = "行".repeat(26) + "。" + &"政".repeat(10);
        let broken = break_runs(&[text.as_str()], &[], 26.0, 28.0, half).unwrap();
        assert_eq!(broken.lines.len(), 2);
        assert_eq!(broken.lines[0].1, vec![(0, "。".to_string())]);
        assert_eq!(broken.texts()[1], "政".repeat(10));
    }

    #[test]
    fn the_last_line_holds_two_characters() {
        // 26 + 28 + 1 would leave one character alone; the comma lets a line take more.
        let text = "行".repeat(10) + "，" + &"政".repeat(15) + &"机".repeat(28) + "关";
        let lines = lines_of(&text, &[]);
        let last = lines.last().unwrap();
        assert!(last.chars().count() >= 2, "{lines:?}");
    }

    #[test]
    fn a_case_number_stays_whole_when_latin_space_allows() {
        // The 案号 does not fit after 25 cells (and the line has no mark to compress); the
        // numbers earlier in the line are given the cell that keeps the line on the grid instead
        // of breaking the term or leaving the line short.
        let text = "行政".repeat(3)
            + "86件12个34项"
            + &"政".repeat(13)
            + "（2023）渝0112行初123号"
            + &"机".repeat(30);
        let broken = break_runs(&[text.as_str()], &[], 26.0, 28.0, half).unwrap();
        let lines = broken.texts();
        assert!(
            lines.iter().any(|l| l.contains("（2023）渝0112行初123号")),
            "{lines:?}"
        );
        assert!(
            broken.lines[0]
                .0
                .iter()
                .any(|it| matches!(it, Item::Space(_))),
            "{lines:?}"
        );
    }

    #[test]
    fn organisation_names_stay_whole_where_they_can() {
        let name = "重庆市渝北区住房和城乡建设委员会";
        // As above: the name does not fit after 25 cells; the numbers' space keeps it whole.
        let text =
            "行政".repeat(8) + "86件12个34项" + &"行".repeat(3) + name + "，" + &"机".repeat(30);
        let lines = lines_of(&text, &[name]);
        assert!(lines.iter().any(|l| l.contains(name)), "{lines:?}");
    }

    #[test]
    fn runs_keep_their_styles() {
        let texts = ["一、总体情况", "行政机关负责人出庭应诉工作取得明显成效。"];
        let broken = break_runs(&texts, &[], 26.0, 28.0, half).unwrap();
        let runs: Vec<usize> = broken.lines[0]
            .0
            .iter()
            .filter_map(|it| match it {
                Item::Text { run, .. } => Some(*run),
                _ => None,
            })
            .collect();
        assert_eq!(runs.first(), Some(&0));
        assert_eq!(runs.last(), Some(&1));
        assert_covers(&texts, &broken);
    }

    #[test]
    fn hostile_text_gives_lines() {
        let marks = "（《〔【「『“‘〈［｛〖，。、：；？！）》〕】」』”’〉］｝〗()[]{},.;:?!%—…";
        let cases: Vec<String> = vec![
            String::new(),
            "。".repeat(500),
            "（".repeat(500),
            "—".repeat(301),
            "…".repeat(99),
            marks.repeat(40),
            "A".repeat(5000),
            "1234567890".repeat(300),
            "e\u{301}\u{302}\u{303}".repeat(200),
            "👩‍👩‍👧‍👦🇨🇳🏳️‍🌈".repeat(100),
            "\u{200b}\u{feff}\u{2028}\u{0}".repeat(50),
            " ".repeat(100),
            "（2023）渝0112行初123号".repeat(40),
            "2023年12月31日国办发〔2016〕54号".repeat(40),
            "行".repeat(100_000),
        ];
        for text in &cases {
            let broken = break_runs(&[text.as_str()], &["行行", ""], 26.0, 28.0, half).unwrap();
            assert_covers(&[text.as_str()], &broken);
            if text.is_empty() {
                assert!(broken.lines.is_empty());
            }
        }
        // Odd measures and line widths.
        for (first, avail) in [
            (0.0, 0.0),
            (-3.0, 1.0),
            (1.0, 0.5),
            (f64::NAN, f64::INFINITY),
        ] {
            for w in [0.0, -0.2, f64::NAN, 30.0] {
                let text = marks.to_string() + "ab12行政";
                let broken = break_runs(&[text.as_str(), "", "x"], &[], first, avail, |_, _| {
                    Ok::<_, ()>(w)
                })
                .unwrap();
                assert_covers(&[text.as_str(), "", "x"], &broken);
            }
        }
    }

    #[test]
    fn a_failing_measure_is_reported() {
        let r = break_runs(&["ab"], &[], 26.0, 28.0, |_, _| Err::<f64, _>("no font"));
        assert_eq!(r, Err("no font"));
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
        #[test]
        fn any_text_is_covered_and_deterministic(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::string::string_regex("[行政机关，。、；：？！“”（）《》—…]{1,40}").unwrap(),
                    proptest::string::string_regex("[0-9A-Za-z.%() ]{1,20}").unwrap(),
                    proptest::string::string_regex("（20[0-9]{2}）渝[0-9]{2,4}行初[0-9]{1,3}号").unwrap(),
                    proptest::string::string_regex(".{0,10}").unwrap(),
                ],
                0..30,
            ),
            runs in 1usize..4,
        ) {
            let text: String = parts.concat();
            let chunk = text.len() / runs + 1;
            let mut texts = Vec::new();
            let mut rest = text.as_str();
            while !rest.is_empty() {
                let mut k = chunk.min(rest.len());
                while !rest.is_char_boundary(k) {
                    k += 1;
                }
                texts.push(&rest[..k]);
                rest = &rest[k..];
            }
            let a = break_runs(&texts, &["行政机关"], 26.0, 28.0, half).unwrap();
            let b = break_runs(&texts, &["行政机关"], 26.0, 28.0, half).unwrap();
            proptest::prop_assert_eq!(&a, &b);
            proptest::prop_assert_eq!(a.texts().concat(), text);
        }
    }
}
