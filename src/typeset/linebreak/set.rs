//! The items each line of a broken paragraph is set from: owns turning lines of clusters into
//! text runs, boxed marks and Latin spacing ([`items`]), and breaking a paragraph's runs
//! ([`break_runs`]) into the [`Broken`] result the layout library receives.

use typst::foundations::{Array, Dict, Value};

use super::*;

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

    pub(super) fn into_value(self) -> Value {
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
