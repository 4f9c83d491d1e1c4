//! The binary encoding of a loaded case, as the case index keeps it in its data files: every
//! field of the case and its coerced corrections, numbers exactly as serde_json holds them, and
//! every position a message may point at (rebuilt from its own numbers). [`encode`] and
//! [`decode`] are exact inverses; [`same`] is what proves it on each case a debug build loads.

use std::collections::BTreeMap;
use std::path::Path;

use serde::de::{self, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::case::{AttachedFile, AttachmentRecord, Case, DocRecord, HistoryEntry};
use crate::view::CaseView;
use crate::workspace::Workspace;
use crate::yaml::Spanned;

/// A position as the index keeps it: line, column, offset and length in characters, byte offset
/// and length (`u64::MAX` when unknown), source id.
pub(super) type Loc = [u64; 7];

pub(super) fn loc_of(l: &serde_saphyr::Location) -> Loc {
    let s = l.span();
    [
        l.line(),
        l.column(),
        s.offset(),
        s.len(),
        s.byte_offset().unwrap_or(u64::MAX),
        s.byte_len().unwrap_or(u64::MAX),
        u64::from(l.source_id()),
    ]
}

/// A JSON value in a form a non-self-describing format can carry (the numbers kept exactly as
/// serde_json holds them).
#[derive(Debug, Serialize, Deserialize)]
pub(super) enum V {
    Null,
    Bool(bool),
    I(i64),
    U(u64),
    F(f64),
    S(String),
    A(Vec<V>),
    O(Vec<(String, V)>),
}

impl V {
    pub(super) fn of(v: &Value) -> V {
        match v {
            Value::Null => V::Null,
            Value::Bool(b) => V::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => V::I(i),
                (None, Some(u), _) => V::U(u),
                (None, None, Some(f)) => V::F(f),
                _ => V::Null,
            },
            Value::String(s) => V::S(s.clone()),
            Value::Array(a) => V::A(a.iter().map(V::of).collect()),
            Value::Object(o) => V::O(o.iter().map(|(k, v)| (k.clone(), V::of(v))).collect()),
        }
    }

    pub(super) fn value(self) -> Value {
        match self {
            V::Null => Value::Null,
            V::Bool(b) => Value::Bool(b),
            V::I(i) => Value::from(i),
            V::U(u) => Value::from(u),
            V::F(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
            V::S(s) => Value::String(s),
            V::A(a) => Value::Array(a.into_iter().map(V::value).collect()),
            V::O(o) => Value::Object(o.into_iter().map(|(k, v)| (k, v.value())).collect()),
        }
    }
}

pub(super) fn map_of(m: &BTreeMap<String, Value>) -> Vec<(String, V)> {
    m.iter().map(|(k, v)| (k.clone(), V::of(v))).collect()
}

pub(super) fn map_from(m: Vec<(String, V)>) -> BTreeMap<String, Value> {
    m.into_iter().map(|(k, v)| (k, v.value())).collect()
}

/// A [`Spanned`] value: the value, where it is referenced and (when elsewhere) defined.
#[derive(Serialize, Deserialize)]
pub(super) struct SpanBin<T> {
    pub(super) value: T,
    pub(super) referenced: Loc,
    pub(super) defined: Option<Loc>,
}

impl<T> SpanBin<T> {
    pub(super) fn of<U>(s: &Spanned<U>, value: impl Fn(&U) -> T) -> SpanBin<T> {
        let r = loc_of(&s.referenced);
        let d = loc_of(&s.defined);
        SpanBin {
            value: value(&s.value),
            referenced: r,
            defined: (d != r).then_some(d),
        }
    }

    pub(super) fn spanned<U>(self, value: impl Fn(T) -> U) -> Option<Spanned<U>> {
        let r = location(self.referenced).ok()?;
        let d = match self.defined {
            Some(d) => location(d).ok()?,
            None => r,
        };
        Some(Spanned::new(value(self.value), r, d))
    }
}

/// A history entry (every field, so a new one cannot be forgotten: see [`HistBin::of`]).
#[derive(Serialize, Deserialize)]
pub(super) struct HistBin {
    pub(super) step: Option<String>,
    pub(super) event: Option<String>,
    pub(super) at: String,
    pub(super) by: String,
    pub(super) facts: Vec<(String, V)>,
    pub(super) documents: Vec<(String, String, Option<String>, String, String)>,
    pub(super) opened: Vec<String>,
    pub(super) undoes: Option<u64>,
    pub(super) reason: Option<String>,
    pub(super) withdrawn: bool,
    /// Attachments: (title, files).
    pub(super) attachments: Vec<(String, Vec<FileBin>)>,
}

/// An attached file as an entry holds it: (file, from, sha256, pages).
type FileBin = (String, String, String, u64);

impl HistBin {
    pub(super) fn of(h: &HistoryEntry) -> HistBin {
        let HistoryEntry {
            step,
            event,
            at,
            by,
            facts,
            documents,
            opened,
            undoes,
            reason,
            withdrawn,
            attachments,
        } = h;
        HistBin {
            step: step.clone(),
            event: event.clone(),
            at: at.clone(),
            by: by.clone(),
            facts: map_of(facts),
            documents: documents
                .iter()
                .map(|d| {
                    let DocRecord {
                        title,
                        template,
                        number,
                        file,
                        sha256,
                    } = d;
                    (
                        title.clone(),
                        template.clone(),
                        number.clone(),
                        file.clone(),
                        sha256.clone(),
                    )
                })
                .collect(),
            opened: opened.clone(),
            undoes: undoes.map(|u| u as u64),
            reason: reason.clone(),
            withdrawn: *withdrawn,
            attachments: attachments
                .iter()
                .map(|a| {
                    let AttachmentRecord { title, files } = a;
                    let files = files
                        .iter()
                        .map(|f| {
                            let AttachedFile {
                                file,
                                from,
                                sha256,
                                pages,
                            } = f;
                            (file.clone(), from.clone(), sha256.clone(), *pages as u64)
                        })
                        .collect();
                    (title.clone(), files)
                })
                .collect(),
        }
    }

    pub(super) fn entry(self) -> Option<HistoryEntry> {
        Some(HistoryEntry {
            step: self.step,
            event: self.event,
            at: self.at,
            by: self.by,
            facts: map_from(self.facts),
            documents: self
                .documents
                .into_iter()
                .map(|(title, template, number, file, sha256)| DocRecord {
                    title,
                    template,
                    number,
                    file,
                    sha256,
                })
                .collect(),
            opened: self.opened,
            undoes: match self.undoes {
                Some(u) => Some(usize::try_from(u).ok()?),
                None => None,
            },
            reason: self.reason,
            withdrawn: self.withdrawn,
            attachments: self
                .attachments
                .into_iter()
                .map(|(title, files)| {
                    let files = files
                        .into_iter()
                        .map(|(file, from, sha256, pages)| {
                            Some(AttachedFile {
                                file,
                                from,
                                sha256,
                                pages: usize::try_from(pages).ok()?,
                            })
                        })
                        .collect::<Option<Vec<_>>>()?;
                    Some(AttachmentRecord { title, files })
                })
                .collect::<Option<Vec<_>>>()?,
        })
    }
}

/// A loaded case as an entry holds it.
#[derive(Serialize, Deserialize)]
pub(super) struct CaseBin {
    pub(super) source: String,
    pub(super) workflow: SpanBin<String>,
    pub(super) title: Option<String>,
    pub(super) typed: Vec<(String, SpanBin<V>)>,
    pub(super) history: Vec<HistBin>,
    pub(super) coerced: Vec<(String, V)>,
}

/// A serde-saphyr location from its numbers (see [`Loc`]).
pub(super) fn location(l: Loc) -> std::result::Result<serde_saphyr::Location, de::value::Error> {
    serde_saphyr::Location::deserialize(Fields {
        keys: &["line", "column", "span", "source_id"],
        at: 0,
        loc: l,
    })
}

/// A struct of numbers for serde's visitors: the location's fields, then its span's.
pub(super) struct Fields {
    pub(super) keys: &'static [&'static str],
    pub(super) at: usize,
    pub(super) loc: Loc,
}

impl<'de> Deserializer<'de> for Fields {
    type Error = de::value::Error;
    fn deserialize_any<V: Visitor<'de>>(self, v: V) -> std::result::Result<V::Value, Self::Error> {
        v.visit_map(self)
    }
    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        option unit unit_struct newtype_struct seq tuple tuple_struct map struct enum identifier
        ignored_any
    }
}

impl<'de> MapAccess<'de> for Fields {
    type Error = de::value::Error;
    fn next_key_seed<K: de::DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> std::result::Result<Option<K::Value>, Self::Error> {
        match self.keys.get(self.at) {
            Some(k) => seed.deserialize((*k).into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: de::DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> std::result::Result<V::Value, Self::Error> {
        let key = self.keys.get(self.at).copied().unwrap_or("");
        self.at += 1;
        let l = self.loc;
        let n = |x: u64| -> de::value::U64Deserializer<de::value::Error> { x.into_deserializer() };
        // Unknown byte positions are the span's own "unavailable" mark.
        let sentinel = |x: u64| {
            if x == u64::MAX {
                u64::from(u32::MAX)
            } else {
                x
            }
        };
        match key {
            "line" => seed.deserialize(n(l[0])),
            "column" => seed.deserialize(n(l[1])),
            "source_id" => seed.deserialize(n(l[6])),
            "span" => seed.deserialize(Fields {
                keys: &["offset", "len", "byte_info"],
                at: 0,
                loc: l,
            }),
            "offset" => seed.deserialize(n(l[2])),
            "len" => seed.deserialize(n(l[3])),
            "byte_info" => seed.deserialize(de::value::SeqDeserializer::new(
                [sentinel(l[4]), sentinel(l[5])].into_iter(),
            )),
            _ => Err(de::Error::custom("no such field")),
        }
    }
}

/// The entry of a loaded case.
pub(super) fn encode(view: &CaseView<'_>) -> Option<Vec<u8>> {
    let c = &view.case;
    let bin = CaseBin {
        source: c.source.clone(),
        workflow: SpanBin::of(&c.workflow, String::clone),
        title: c.title.clone(),
        typed: c
            .typed
            .iter()
            .map(|(k, v)| (k.clone(), SpanBin::of(v, V::of)))
            .collect(),
        history: c.history.iter().map(HistBin::of).collect(),
        coerced: map_of(&view.typed),
    };
    postcard::to_stdvec(&bin).ok()
}

/// The two loads of a case are the same, every position included.
pub(super) fn same(a: &CaseView<'_>, b: &CaseView<'_>) -> bool {
    // Every field, so a new one cannot be forgotten.
    let Case {
        id,
        path,
        source,
        workflow,
        title,
        typed,
        history,
    } = &a.case;
    std::ptr::eq(a.wf, b.wf)
        && a.typed == b.typed
        && *id == b.case.id
        && *path == b.case.path
        && *source == b.case.source
        && *workflow == b.case.workflow
        && *title == b.case.title
        && *typed == b.case.typed
        && *history == b.case.history
}

/// The case an entry holds, if it decodes and its workflow and step exist.
pub(super) fn decode<'w>(
    ws: &'w Workspace,
    id: &str,
    path: &Path,
    bytes: &[u8],
) -> Option<CaseView<'w>> {
    let c: CaseBin = postcard::from_bytes(bytes).ok()?;
    let wf = ws.workflows.get(&c.workflow.value)?;
    let mut typed = BTreeMap::new();
    for (k, v) in c.typed {
        typed.insert(k, v.spanned(V::value)?);
    }
    let case = Case {
        id: id.to_string(),
        path: path.to_path_buf(),
        source: c.source,
        workflow: c.workflow.spanned(|s| s)?,
        title: c.title,
        typed,
        history: c
            .history
            .into_iter()
            .map(HistBin::entry)
            .collect::<Option<Vec<_>>>()?,
    };
    if case.history.is_empty() || wf.step(case.current_step()).is_none() {
        return None;
    }
    Some(CaseView::new(case, wf, map_from(c.coerced)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_survive_the_index() {
        let src = "a: 1\nb:\n  - x\n  - 中文：“值”\nc: &k 2\nd: *k\n";
        #[derive(Deserialize)]
        struct T {
            a: Spanned<Value>,
            b: Spanned<Vec<Spanned<String>>>,
            c: Spanned<Value>,
            d: Spanned<Value>,
        }
        let t: T = serde_saphyr::from_str(src).expect("parses");
        let mut all: Vec<Spanned<Value>> = vec![t.a, t.c, t.d];
        for s in t.b.value {
            all.push(Spanned::new(
                Value::String(s.value),
                s.referenced,
                s.defined,
            ));
        }
        all.push(Spanned::new(
            Value::Null,
            serde_saphyr::Location::UNKNOWN,
            serde_saphyr::Location::UNKNOWN,
        ));
        for s in all {
            let bytes = postcard::to_stdvec(&SpanBin::of(&s, V::of)).expect("writes");
            let back: SpanBin<V> = postcard::from_bytes(&bytes).expect("reads");
            assert_eq!(back.spanned(V::value), Some(s.clone()));
        }
    }

    fn any_value() -> impl proptest::strategy::Strategy<Value = Value> {
        use proptest::prelude::*;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            any::<u64>().prop_map(Value::from),
            any::<f64>()
                .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
            ".*".prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 64, 8, |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
                proptest::collection::btree_map(".*", inner, 0..8)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// Any JSON value comes back from the index exactly (numbers of every kind, text of
        /// every character, nesting).
        #[test]
        fn values_survive_the_index(v in any_value()) {
            let bytes = postcard::to_stdvec(&V::of(&v)).expect("writes");
            let back: V = postcard::from_bytes(&bytes).expect("reads");
            proptest::prop_assert_eq!(back.value(), v);
        }
    }
}
