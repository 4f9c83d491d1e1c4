//! The case index: owns `.yingsu/index/cases-<folder>.bin` and `cases-<folder>.data`, the parsed
//! form of every case file, so the commands over a whole archive (`stats`, `check`, `status`,
//! `validate`, `render --all`) need not parse ten thousand YAML files each time.
//!
//! The `.bin` file holds, per case file, what every command reads: its stamp, hash and the
//! summaries listings make from it (a few hundred bytes). The parsed cases, which only some
//! commands need, lie in the `.data` file, each read when it is asked for and checked by its
//! own CRC-32; the `.data` file carries a token its `.bin` names, so a data file of another run
//! (a run cut short between writing the two) is not believed.
//!
//! Each entry holds a case file's `stat` stamp (size, modification and change times, device and
//! inode), the SHA-256 of its bytes, and what loading it gave: the parsed case (with every
//! position a message may point at) and its coerced corrections. An entry is believed only when
//! it can be checked:
//!
//! - the index was written by this very program for this very configuration and these
//!   workflows ([`fingerprint`]): anything else is ignored whole;
//! - the file is a plain file (never a link) whose stamp is the one recorded, and both its
//!   times were already more than [`super::RACY_NS`] old when it was recorded (a file changed within
//!   the clock's resolution of being looked at could keep its stamp: git's "racily clean"
//!   rule), otherwise
//! - its bytes, read again, have the recorded hash;
//! - and the entry decodes into a case whose workflow and current step exist.
//!
//! Each index file is sealed with a checksum ([`crate::derived::seal`]): a damaged one (a
//! flipped byte that would still decode, say into a case number one character off) is ignored
//! whole.
//!
//! Anything else — a missing, unreadable, truncated or foreign index, a file edited behind its
//! back, replaced by an older copy (its change time and inode are new), deleted or added — is
//! parsed from the file as if there were no index, and the index is rewritten. A case is
//! recorded only when its entry decodes back to exactly what the file gave. So the index can
//! cost time but never change an answer.
//!
//! An entry made by a command that wanted only summaries (`stats`) holds no parsed case: the
//! first command that needs the case parses the file and keeps it then.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::de::{self, IntoDeserializer, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::case::{Case, DocRecord, HistoryEntry};
use crate::error::Result;
use crate::view::CaseView;
use crate::workspace::Workspace;
use crate::yaml::Spanned;

use super::{Stamp, now_ns};
use crate::derived::write_derived;

/// The format of the index files; another number is ignored.
const FORMAT: u32 = 5;

/// Setting this environment variable to `0` or `off` makes every command parse every case file
/// (the index is neither read nor written): for measuring, and for a suspicious user.
pub const ENV_SWITCH: &str = "YINGSU_INDEX";

/// Whether the index may be used (see [`ENV_SWITCH`]).
pub fn enabled() -> bool {
    !matches!(
        std::env::var(ENV_SWITCH).as_deref(),
        Ok("0") | Ok("off") | Ok("false") | Ok("no")
    )
}

/// What every entry of a workspace's index depends on besides its own file: the program, the
/// configuration and the workflows (loading a case checks its facts against both).
pub fn fingerprint(ws: &Workspace) -> String {
    let mut h = Sha256::new();
    h.update(super::program_identity());
    h.update(format!("{:?}", ws.config).as_bytes());
    h.update(format!("{:?}", ws.calendar).as_bytes());
    for (name, wf) in &ws.workflows {
        h.update(name.as_bytes());
        h.update([0]);
        h.update(format!("{wf:?}").as_bytes());
        h.update([0]);
    }
    crate::archive::hex(&h.finalize())
}

/// A position as the index keeps it: line, column, offset and length in characters, byte offset
/// and length (`u64::MAX` when unknown), source id.
type Loc = [u64; 7];

fn loc_of(l: &serde_saphyr::Location) -> Loc {
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
enum V {
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
    fn of(v: &Value) -> V {
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

    fn value(self) -> Value {
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

fn map_of(m: &BTreeMap<String, Value>) -> Vec<(String, V)> {
    m.iter().map(|(k, v)| (k.clone(), V::of(v))).collect()
}

fn map_from(m: Vec<(String, V)>) -> BTreeMap<String, Value> {
    m.into_iter().map(|(k, v)| (k, v.value())).collect()
}

/// A [`Spanned`] value: the value, where it is referenced and (when elsewhere) defined.
#[derive(Serialize, Deserialize)]
struct SpanBin<T> {
    value: T,
    referenced: Loc,
    defined: Option<Loc>,
}

impl<T> SpanBin<T> {
    fn of<U>(s: &Spanned<U>, value: impl Fn(&U) -> T) -> SpanBin<T> {
        let r = loc_of(&s.referenced);
        let d = loc_of(&s.defined);
        SpanBin {
            value: value(&s.value),
            referenced: r,
            defined: (d != r).then_some(d),
        }
    }

    fn spanned<U>(self, value: impl Fn(T) -> U) -> Option<Spanned<U>> {
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
struct HistBin {
    step: Option<String>,
    event: Option<String>,
    at: String,
    by: String,
    facts: Vec<(String, V)>,
    documents: Vec<(String, String, Option<String>, String, String)>,
    opened: Vec<String>,
    undoes: Option<u64>,
    reason: Option<String>,
    withdrawn: bool,
}

impl HistBin {
    fn of(h: &HistoryEntry) -> HistBin {
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
        }
    }

    fn entry(self) -> Option<HistoryEntry> {
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
        })
    }
}

/// A loaded case as an entry holds it.
#[derive(Serialize, Deserialize)]
struct CaseBin {
    source: String,
    workflow: SpanBin<String>,
    title: Option<String>,
    typed: Vec<(String, SpanBin<V>)>,
    history: Vec<HistBin>,
    coerced: Vec<(String, V)>,
}

/// A serde-saphyr location from its numbers (see [`Loc`]).
fn location(l: Loc) -> std::result::Result<serde_saphyr::Location, de::value::Error> {
    serde_saphyr::Location::deserialize(Fields {
        keys: &["line", "column", "span", "source_id"],
        at: 0,
        loc: l,
    })
}

/// A struct of numbers for serde's visitors: the location's fields, then its span's.
struct Fields {
    keys: &'static [&'static str],
    at: usize,
    loc: Loc,
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

/// Where an entry's parsed case lies in its folder's data file (`cases-<folder>.data`), with
/// the CRC-32 of its bytes: a case is read from there only when a command needs it, and a
/// damaged one is not believed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
struct Blob {
    at: u64,
    len: u32,
    crc: u32,
}

/// An entry as the index file holds it. Its summaries are one run of bytes (each a
/// postcard-encoded pair of kind and summary, one after the other), so reading the index
/// allocates nothing per entry; a summary is found when it is asked for.
#[derive(Deserialize)]
struct EntryIn<'a> {
    file: &'a str,
    stamp: Option<Stamp>,
    checked: i64,
    sha256: &'a str,
    case: Option<Blob>,
    clean: Option<&'a str>,
    summaries: &'a [u8],
}

#[derive(Deserialize)]
struct ShardIn<'a> {
    format: u32,
    fingerprint: &'a str,
    /// The token of the data file the entries' cases lie in (0: none).
    data: u64,
    #[serde(borrow)]
    entries: Vec<EntryIn<'a>>,
}

/// Bytes written as one run (serde writes a `&[u8]` element by element).
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

#[derive(Serialize)]
struct EntryOut<'a> {
    file: &'a str,
    stamp: Option<Stamp>,
    checked: i64,
    sha256: &'a str,
    case: Option<Blob>,
    clean: Option<&'a str>,
    summaries: Bytes<'a>,
}

#[derive(Serialize)]
struct ShardOut<'a> {
    format: u32,
    fingerprint: &'a str,
    data: u64,
    entries: Vec<EntryOut<'a>>,
}

/// The first bytes of a data file, before its token.
const DATA_MAGIC: &[u8; 16] = b"yingsu-cases-v5\n";

/// An entry of a shard: its texts are ranges of the shard's bytes.
struct Entry {
    file: std::ops::Range<usize>,
    stamp: Option<Stamp>,
    checked: i64,
    sha256: std::ops::Range<usize>,
    case: Option<Blob>,
    /// The fingerprint of the document inputs (fonts above all) under which `validate` found
    /// nothing wrong in the case's history.
    clean: Option<std::ops::Range<usize>>,
    /// What listings derived from the case (see [`CaseRef::summary`]): pairs of kind and
    /// summary, encoded one after the other.
    summaries: std::ops::Range<usize>,
}

/// The parsed case of an entry to be written.
enum CaseBlob {
    /// Not held.
    None,
    /// Where it lies in the data file read.
    Old(Blob),
    /// Parsed in this run.
    New(Vec<u8>),
}

/// A new or re-checked entry, to be written.
struct Fresh {
    stamp: Option<Stamp>,
    checked: i64,
    sha256: String,
    case: CaseBlob,
    clean: Option<String>,
    summaries: Vec<(String, Vec<u8>)>,
}

/// Pairs of kind and summary as an entry holds them.
fn encode_summaries<'a>(pairs: impl Iterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (kind, bytes) in pairs {
        if let Ok(pair) = postcard::to_stdvec(&(kind, Bytes(bytes))) {
            out.extend_from_slice(&pair);
        }
    }
    out
}

/// The pairs of kind and summary of an entry (as [`encode_summaries`] wrote them).
fn summaries_of(mut bytes: &[u8]) -> impl Iterator<Item = (&str, &[u8])> {
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let ((kind, summary), rest) = postcard::take_from_bytes::<(&str, &[u8])>(bytes).ok()?;
        bytes = rest;
        Some((kind, summary))
    })
}

/// One folder's entries as read, sorted by file name.
#[derive(Default)]
struct Shard {
    bytes: Vec<u8>,
    entries: Vec<Entry>,
    /// The token of the data file the entries' cases lie in, and where that file is.
    data: u64,
    data_path: PathBuf,
    /// The data file, opened when a case is first read from it (`None`: missing, or not the
    /// one the entries were written with).
    data_file: std::sync::OnceLock<Option<std::fs::File>>,
    /// The file was unreadable or of another program: to be written whole.
    stale: bool,
}

impl Shard {
    fn text(&self, r: &std::ops::Range<usize>) -> &str {
        self.bytes
            .get(r.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    fn file(&self, e: &Entry) -> &str {
        self.text(&e.file)
    }

    fn sha256(&self, e: &Entry) -> &str {
        self.text(&e.sha256)
    }

    fn clean(&self, e: &Entry) -> Option<&str> {
        e.clean.as_ref().map(|r| self.text(r))
    }

    /// The entry of the case file named `file`.
    fn entry(&self, file: &str) -> Option<&Entry> {
        let i = self
            .entries
            .binary_search_by(|e| self.file(e).cmp(file))
            .ok()?;
        self.entries.get(i)
    }

    fn summaries(&self, e: &Entry) -> &[u8] {
        self.bytes.get(e.summaries.clone()).unwrap_or(&[])
    }

    fn summary(&self, e: &Entry, kind: &str) -> Option<&[u8]> {
        summaries_of(self.summaries(e)).find_map(|(k, b)| (k == kind).then_some(b))
    }

    /// The bytes of a parsed case in the data file, when they are there undamaged.
    fn blob(&self, b: &Blob) -> Option<Vec<u8>> {
        let file = self
            .data_file
            .get_or_init(|| open_data(&self.data_path, self.data))
            .as_ref()?;
        let mut buf = vec![0; usize::try_from(b.len).ok()?];
        read_at(file, &mut buf, b.at).ok()?;
        (crc32fast::hash(&buf) == b.crc).then_some(buf)
    }

    /// The parsed case of an entry (empty when it holds none or it cannot be read: decoding
    /// nothing fails, so the file is parsed).
    fn case(&self, e: &Entry) -> Vec<u8> {
        e.case.and_then(|b| self.blob(&b)).unwrap_or_default()
    }

    /// An entry as read, to be changed and written.
    fn fresh(&self, e: &Entry) -> Fresh {
        Fresh {
            stamp: e.stamp,
            checked: e.checked,
            sha256: self.sha256(e).to_string(),
            case: e.case.map_or(CaseBlob::None, CaseBlob::Old),
            clean: self.clean(e).map(str::to_string),
            summaries: summaries_of(self.summaries(e))
                .map(|(k, b)| (k.to_string(), b.to_vec()))
                .collect(),
        }
    }
}

/// The data file at `path` if it is the one of token `token`.
fn open_data(path: &Path, token: u64) -> Option<std::fs::File> {
    if token == 0 {
        return None;
    }
    let file = crate::derived::open_derived(path)?;
    let mut head = [0u8; 24];
    read_at(&file, &mut head, 0).ok()?;
    (head[..16] == DATA_MAGIC[..] && head[16..] == token.to_le_bytes()).then_some(file)
}

#[cfg(unix)]
fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(not(any(unix, windows)))]
fn read_at(_file: &std::fs::File, _buf: &mut [u8], _at: u64) -> std::io::Result<()> {
    // No positional reads: the cases are parsed from their files.
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(windows)]
fn read_at(file: &std::fs::File, mut buf: &mut [u8], mut at: u64) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                let rest = buf;
                buf = &mut rest[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

#[derive(Default)]
struct Changes {
    fresh: BTreeMap<(String, String), Option<Fresh>>,
}

/// An entry of the case index proven current for its case file (see [`CaseIndex::current`]).
pub struct Current<'i> {
    shard: &'i Shard,
    entry: &'i Entry,
}

impl Current<'_> {
    /// The SHA-256 of the case file's bytes (which the entry describes).
    pub fn sha256(&self) -> &str {
        self.shard.sha256(self.entry)
    }

    /// The entry's summary of kind `kind`, if it holds one.
    pub fn summary<S: serde::de::DeserializeOwned>(&self, kind: &str) -> Option<S> {
        postcard::from_bytes::<S>(self.shard.summary(self.entry, kind)?).ok()
    }
}

/// One case file as a command reads it through the index: each summary it asks for (what a
/// listing derives from the case; its kind names it and its version) comes from the file's
/// entry while the entry is proven current by the file's stamp; otherwise it is made from the
/// case — loaded at most once however many summaries are asked, as [`CaseIndex::load_hashed`]
/// loads it — and kept with the entry.
pub struct CaseRef<'i, 'w> {
    index: &'i CaseIndex,
    ws: &'w Workspace,
    id: &'i str,
    path: &'i Path,
    current: Option<Current<'i>>,
    loaded: std::cell::OnceCell<(CaseView<'w>, Option<String>)>,
}

impl<'i, 'w> CaseRef<'i, 'w> {
    /// The case `id` whose file is `path` (the file is looked at once, for its stamp).
    pub fn new(index: &'i CaseIndex, ws: &'w Workspace, id: &'i str, path: &'i Path) -> Self {
        CaseRef {
            index,
            ws,
            id,
            path,
            current: if index.enabled {
                index.current(path)
            } else {
                None
            },
            loaded: std::cell::OnceCell::new(),
        }
    }

    pub fn id(&self) -> &str {
        self.id
    }

    /// The SHA-256 of the file's bytes, when the index knows them (its entry is current, or
    /// the case was loaded through it).
    pub fn sha256(&self) -> Option<&str> {
        match &self.current {
            Some(c) => Some(c.sha256()),
            None => self.loaded.get().and_then(|(_, sha)| sha.as_deref()),
        }
    }

    /// The case itself, loaded on the first call, with the SHA-256 of its file's bytes (when
    /// the index is used); its entry then holds the parsed case.
    pub fn load(&self) -> Result<&(CaseView<'w>, Option<String>)> {
        self.load_keeping(true)
    }

    fn load_keeping(&self, keep_case: bool) -> Result<&(CaseView<'w>, Option<String>)> {
        if self.loaded.get().is_none() {
            let loaded = self
                .index
                .load_hashed_if(self.ws, self.id, self.path, &|_| keep_case)?;
            let _ = self.loaded.set(loaded);
        }
        self.loaded
            .get()
            .ok_or_else(|| crate::error::Error::Internal("case not loaded".into()))
    }

    /// The summary of kind `kind` (see the type's documentation).
    pub fn summary<S, F>(&self, kind: &str, make: F) -> Result<S>
    where
        S: Serialize + serde::de::DeserializeOwned,
        F: FnOnce(&CaseView<'w>) -> S,
    {
        if let Some(summary) = self.current.as_ref().and_then(|c| c.summary(kind)) {
            return Ok(summary);
        }
        let (view, sha) = self.load_keeping(false)?;
        let summary = make(view);
        if let Some(sha) = sha {
            self.index.keep(self.path, sha, kind, &summary);
        }
        Ok(summary)
    }
}

/// How a case is made from the text of its file (`id`, path, text): the load policy, which
/// the engine owns and gives the index when it opens it (`engine::store::load_source`). The
/// index keeps what this gives; it never decides what a case is.
pub type Loader = for<'w> fn(&'w Workspace, &str, &Path, String) -> Result<CaseView<'w>>;

/// The case index of a workspace (see the module documentation). Shared by the threads that
/// load cases; [`CaseIndex::save`] writes what changed.
pub struct CaseIndex {
    /// The load policy (see [`Loader`]).
    load: Loader,
    dir: PathBuf,
    cases_dir: PathBuf,
    fingerprint: String,
    enabled: bool,
    shards: HashMap<String, Shard>,
    /// The case files there are, by folder.
    files: HashMap<String, HashSet<String>>,
    changes: Mutex<Changes>,
}

/// The folder and file name of a case file inside the cases folder `cases`.
fn key_of(cases: &Path, path: &Path) -> Option<(String, String)> {
    key_in(cases, path).map(|(folder, file)| (folder.to_string(), file.to_string()))
}

/// [`key_of`], borrowed from `path`.
fn key_in<'p>(cases: &Path, path: &'p Path) -> Option<(&'p str, &'p str)> {
    // The common form, `<cases>/<folder>/<file>` with plain names, compared as text (a path's
    // components are slow to walk, and this runs several times per case).
    let plain = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\']);
    if let (Some(cases), Some(path)) = (cases.to_str(), path.to_str())
        && let Some(rest) = path.strip_prefix(cases)
        && let Some(rest) = rest.strip_prefix(std::path::MAIN_SEPARATOR)
        && let Some((folder, file)) = rest.split_once(std::path::MAIN_SEPARATOR)
        && plain(folder)
        && plain(file)
        && !cases.ends_with(std::path::MAIN_SEPARATOR)
    {
        return Some((folder, file));
    }
    let rel = path.strip_prefix(cases).ok()?;
    let mut parts = rel.components();
    let folder = parts.next()?.as_os_str().to_str()?;
    let file = parts.next()?.as_os_str().to_str()?;
    parts.next().is_none().then_some((folder, file))
}

/// The index file of a case folder: the folder's name when it is plain, else its hash.
fn shard_file(folder: &str) -> String {
    format!("{}.bin", shard_stem(folder))
}

/// The data file of a case folder: its parsed cases (see [`Blob`]).
fn data_file(folder: &str) -> String {
    format!("{}.data", shard_stem(folder))
}

fn shard_stem(folder: &str) -> String {
    let plain = !folder.is_empty()
        && folder.len() <= 40
        && folder
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        format!("cases-{folder}")
    } else {
        let h = Sha256::digest(folder.as_bytes());
        format!("cases-{}", &crate::archive::hex(&h)[..16])
    }
}

impl CaseIndex {
    /// The index of `ws` for its case files (all of them: the entries of any other file are
    /// dropped when it is saved), read in parallel; empty where it is missing, unreadable or
    /// made for other inputs (and everywhere when the index is switched off, or the case
    /// folder is not a plain folder). A case parsed from its file is made by `load`.
    pub fn open(ws: &Workspace, paths: &[&Path], load: Loader) -> CaseIndex {
        use rayon::prelude::*;
        let dir = super::dir(ws);
        let cases_dir = ws.cases_dir();
        let enabled = enabled()
            && std::fs::symlink_metadata(&cases_dir).is_ok_and(|m| m.file_type().is_dir());
        let fingerprint = if enabled {
            fingerprint(ws)
        } else {
            String::new()
        };
        let mut files: HashMap<String, HashSet<String>> = HashMap::new();
        for p in paths {
            if let Some((folder, file)) = key_of(&cases_dir, p) {
                files.entry(folder).or_default().insert(file);
            }
        }
        let folders: Vec<&String> = files.keys().collect();
        let shards: HashMap<String, Shard> = if enabled {
            folders
                .par_iter()
                .map(|f| {
                    (
                        (*f).clone(),
                        read_shard(
                            &dir.join(shard_file(f)),
                            dir.join(data_file(f)),
                            &fingerprint,
                        ),
                    )
                })
                .collect()
        } else {
            HashMap::new()
        };
        CaseIndex {
            load,
            dir,
            cases_dir,
            fingerprint,
            enabled,
            shards,
            files,
            changes: Mutex::new(Changes::default()),
        }
    }

    /// The folder and file name of a case file inside the cases folder.
    fn key(&self, path: &Path) -> Option<(String, String)> {
        key_of(&self.cases_dir, path)
    }

    /// The inputs every entry depends on besides its file (see [`fingerprint`]); empty when the
    /// index is not used.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// Load the case `id` from `path`: from the index when its entry is proven current,
    /// otherwise from the file (and the entry is renewed); with the SHA-256 of the file's bytes
    /// as loaded (when the index is used and the file is a plain one).
    pub fn load_hashed<'w>(
        &self,
        ws: &'w Workspace,
        id: &str,
        path: &Path,
    ) -> Result<(CaseView<'w>, Option<String>)> {
        self.load_hashed_if(ws, id, path, &|_| true)
    }

    /// [`CaseIndex::load_hashed`], where a case parsed from its file is kept in the index only
    /// when `keep_case` says so; otherwise an entry made anew holds the file's stamp, hash and
    /// summaries but not the parsed case (a command that wants only summaries does not pay for
    /// encoding and writing it; `render --all` keeps only the cases it has documents to look
    /// at; the first command that needs the case parses the file and keeps it then).
    pub fn load_hashed_if<'w>(
        &self,
        ws: &'w Workspace,
        id: &str,
        path: &Path,
        keep_case: &dyn Fn(&CaseView<'w>) -> bool,
    ) -> Result<(CaseView<'w>, Option<String>)> {
        let key = if self.enabled { self.key(path) } else { None };
        let Some(key) = key else {
            let source = crate::workspace::read_text(&ws.root, path)?;
            return (self.load)(ws, id, path, source).map(|v| (v, None));
        };
        let shard = self.shards.get(&key.0);
        let entry = shard.and_then(|s| Some((s.entry(&key.1)?, s)));
        // With an entry, the file's stamp may prove it current without reading the file.
        if let Some((e, shard)) = entry
            && let Some(s) = std::fs::symlink_metadata(path)
                .ok()
                .filter(|m| m.file_type().is_file())
                .and_then(|m| Stamp::of(&m))
            && e.stamp == Some(s)
            && s.settled(e.checked)
            && let Some(view) = decode(ws, id, path, &shard.case(e))
        {
            return Ok((view, Some(shard.sha256(e).to_string())));
        }
        let checked = now_ns();
        // The stamp of the very file read (a plain file reached without a symlink; else it is
        // not recorded).
        let (source, plain, stamp) = match crate::workspace::read_text_stamped(&ws.root, path) {
            Ok(r) => (r.text, r.plain, r.stamp),
            Err(e) => {
                self.forget(key, entry.is_some());
                return Err(e);
            }
        };
        let sha = crate::archive::sha256(source.as_bytes());
        // The entry describes these very bytes.
        let same_bytes = entry.filter(|(e, shard)| plain && shard.sha256(e) == sha);
        if let Some((e, shard)) = same_bytes
            && let Some(view) = decode(ws, id, path, &shard.case(e))
        {
            // Only the stamp is renewed (so the next run trusts it).
            if e.stamp != stamp || !stamp.is_some_and(|s| s.settled(e.checked)) {
                let mut fresh = shard.fresh(e);
                fresh.stamp = stamp;
                fresh.checked = checked;
                self.put(key, fresh);
            }
            return Ok((view, Some(sha)));
        }
        match (self.load)(ws, id, path, source) {
            Ok(view) => {
                // The encoding is exact by construction (every field, numbers as serde_json
                // holds them, positions rebuilt from their own numbers); builds with debug
                // assertions, which every test runs, prove it on each case they load.
                let raw = if keep_case(&view) {
                    encode(&view)
                        .filter(|raw| {
                            !cfg!(debug_assertions)
                                || decode(ws, id, path, raw).is_some_and(|back| same(&back, &view))
                        })
                        .map(CaseBlob::New)
                } else {
                    // Not held: whoever needs the case parses it.
                    Some(CaseBlob::None)
                };
                match raw {
                    Some(raw) if plain => {
                        let fresh = match same_bytes {
                            // What the entry holds besides (summaries, the clean mark) stands;
                            // the case it held (if any) did not decode.
                            Some((e, shard)) => {
                                let mut fresh = shard.fresh(e);
                                fresh.stamp = stamp;
                                fresh.checked = checked;
                                fresh.case = raw;
                                fresh
                            }
                            None => Fresh {
                                stamp,
                                checked,
                                sha256: sha.clone(),
                                case: raw,
                                clean: None,
                                summaries: Vec::new(),
                            },
                        };
                        self.put(key, fresh);
                    }
                    _ => self.forget(key, entry.is_some()),
                }
                Ok((view, plain.then_some(sha)))
            }
            Err(e) => {
                self.forget(key, entry.is_some());
                Err(e)
            }
        }
    }

    fn put(&self, key: (String, String), fresh: Fresh) {
        if let Ok(mut c) = self.changes.lock() {
            c.fresh.insert(key, Some(fresh));
        }
    }

    /// The entry of the case file at `path`, when it is proven current by the file's stamp.
    pub fn current(&self, path: &Path) -> Option<Current<'_>> {
        let (folder, file) = key_in(&self.cases_dir, path)?;
        let shard = self.shards.get(folder)?;
        let entry = shard.entry(file)?;
        let s = Stamp::of_path(path)?;
        (entry.stamp == Some(s) && s.settled(entry.checked)).then_some(Current { shard, entry })
    }

    /// The summary of kind `kind` of the case file at `path`, when its entry holds one and is
    /// proven current by the file's stamp (see [`CaseIndex::summary`]).
    pub fn cached_summary<S: serde::de::DeserializeOwned>(
        &self,
        path: &Path,
        kind: &str,
    ) -> Option<S> {
        self.current(path)?.summary(kind)
    }

    /// Keep `summary` (of kind `kind`) with the entry of the case file at `path`, if the entry
    /// describes the bytes of hash `sha` (as [`CaseIndex::load_hashed`] gave them).
    pub fn keep<S: Serialize>(&self, path: &Path, sha: &str, kind: &str, summary: &S) {
        if let (Some(key), Ok(bytes)) = (self.key(path), postcard::to_stdvec(summary)) {
            self.keep_summary(&key, sha, kind, bytes);
        }
    }

    /// Keep a summary with the entry of `key`, if that entry describes the bytes of hash `sha`.
    fn keep_summary(&self, key: &(String, String), sha: &str, kind: &str, bytes: Vec<u8>) {
        let Ok(mut c) = self.changes.lock() else {
            return;
        };
        let kept = |b: &[u8]| b == bytes.as_slice();
        let Some(f) = self.to_change(&mut c, key, sha, |s, e| {
            s.summary(e, kind).is_some_and(kept)
        }) else {
            return;
        };
        if !f.summaries.iter().any(|(k, b)| k == kind && kept(b)) {
            f.summaries.retain(|(k, _)| k != kind);
            f.summaries.push((kind.to_string(), bytes));
        }
    }

    /// The entry of `key` to change, if it describes the bytes of hash `sha`: the one this run
    /// renewed, or a copy of the one read — unless `done` says the one read needs no change.
    fn to_change<'c>(
        &self,
        c: &'c mut Changes,
        key: &(String, String),
        sha: &str,
        done: impl Fn(&Shard, &Entry) -> bool,
    ) -> Option<&'c mut Fresh> {
        if !c.fresh.contains_key(key) {
            let shard = self.shards.get(&key.0)?;
            let e = shard.entry(&key.1)?;
            if shard.sha256(e) != sha || done(shard, e) {
                return None;
            }
            c.fresh.insert(key.clone(), Some(shard.fresh(e)));
        }
        c.fresh.get_mut(key)?.as_mut().filter(|f| f.sha256 == sha)
    }

    /// Whether `validate` found nothing wrong in the history of the case file at `path`, with
    /// the bytes of hash `sha` (as loaded in this run), under the document inputs `inputs`.
    pub fn is_clean(&self, path: &Path, sha: &str, inputs: &str) -> bool {
        let Some(key) = self.key(path) else {
            return false;
        };
        let Ok(c) = self.changes.lock() else {
            return false;
        };
        match c.fresh.get(&key) {
            Some(Some(f)) => f.sha256 == sha && f.clean.as_deref() == Some(inputs),
            Some(None) => false,
            None => self
                .shards
                .get(&key.0)
                .and_then(|s| Some((s, s.entry(&key.1)?)))
                .is_some_and(|(s, e)| s.sha256(e) == sha && s.clean(e) == Some(inputs)),
        }
    }

    /// Remember that `validate` found nothing wrong in the history of the case file at `path`,
    /// with the bytes of hash `sha`, under the document inputs `inputs`.
    pub fn mark_clean(&self, path: &Path, sha: &str, inputs: &str) {
        let Some(key) = self.key(path) else {
            return;
        };
        let Ok(mut c) = self.changes.lock() else {
            return;
        };
        if let Some(f) = self.to_change(&mut c, &key, sha, |s, e| s.clean(e) == Some(inputs)) {
            f.clean = Some(inputs.to_string());
        }
    }

    fn forget(&self, key: (String, String), had: bool) {
        if had && let Ok(mut c) = self.changes.lock() {
            c.fresh.insert(key, None);
        }
    }

    /// Write the folders whose entries changed; entries of case files no longer there (not
    /// among the files the index was opened for) are dropped. Only a shortcut: a failure costs
    /// time on the next run, nothing else.
    pub fn save(&self) {
        if !self.enabled {
            return;
        }
        let Ok(changes) = self.changes.lock() else {
            return;
        };
        let there = |folder: &str, file: &str| {
            self.files
                .get(folder)
                .is_some_and(|files| files.contains(file))
        };
        let mut folders: BTreeMap<&str, bool> = BTreeMap::new();
        for (folder, shard) in &self.shards {
            let gone = shard.entries.iter().any(|e| !there(folder, shard.file(e)));
            folders.insert(folder, shard.stale || gone);
        }
        for (folder, _) in changes.fresh.keys() {
            folders.insert(folder, true);
        }
        for (folder, dirty) in folders {
            if !dirty {
                continue;
            }
            let shard = self.shards.get(folder);
            let mut out: BTreeMap<&str, Out<'_>> = BTreeMap::new();
            if let Some(s) = shard {
                for e in &s.entries {
                    let file = s.file(e);
                    if there(folder, file) {
                        out.insert(file, Out::Read(s, e));
                    }
                }
            }
            for ((f, file), fresh) in changes.fresh.range((folder.to_string(), String::new())..) {
                if f != folder {
                    break;
                }
                match fresh {
                    Some(e) => {
                        out.insert(file, Out::Fresh(e));
                    }
                    None => {
                        out.remove(file.as_str());
                    }
                }
            }
            self.write_shard(folder, shard, out);
        }
    }

    /// Writes a folder's entries `out` (by file name): first, when a case was parsed in this
    /// run, the data file with every case held (under a new token), then the index file. A
    /// run cut short between the two leaves entries whose token is not the data file's: their
    /// cases are parsed again, nothing else.
    fn write_shard(&self, folder: &str, read: Option<&Shard>, out: BTreeMap<&str, Out<'_>>) {
        let parsed = out
            .values()
            .any(|o| matches!(o, Out::Fresh(f) if matches!(f.case, CaseBlob::New(_))));
        let data = if parsed {
            new_token()
        } else {
            read.map_or(0, |s| s.data)
        };
        let mut cases = DATA_MAGIC.to_vec();
        cases.extend_from_slice(&data.to_le_bytes());
        // Per entry: where its case lies (in the data file written now, when a case was parsed;
        // else where it lay), and its summaries encoded (for a changed entry).
        let rows: Vec<(Option<Blob>, Option<Vec<u8>>)> = out
            .values()
            .map(|o| {
                let case = if parsed {
                    // Copied into the new data file (a case parsed in this run, borrowed).
                    let bytes: Option<std::borrow::Cow<'_, [u8]>> = match o {
                        Out::Read(s, e) => e.case.and_then(|b| s.blob(&b)).map(Into::into),
                        Out::Fresh(f) => match &f.case {
                            CaseBlob::None => None,
                            CaseBlob::Old(b) => read.and_then(|s| s.blob(b)).map(Into::into),
                            CaseBlob::New(v) => Some(v.as_slice().into()),
                        },
                    };
                    bytes.and_then(|c| {
                        let blob = Blob {
                            at: cases.len() as u64,
                            len: u32::try_from(c.len()).ok()?,
                            crc: crc32fast::hash(&c),
                        };
                        cases.extend_from_slice(&c);
                        Some(blob)
                    })
                } else {
                    match o {
                        Out::Read(_, e) => e.case,
                        Out::Fresh(f) => match f.case {
                            CaseBlob::Old(b) => Some(b),
                            _ => None,
                        },
                    }
                };
                let summaries = match o {
                    Out::Read(..) => None,
                    Out::Fresh(f) => Some(encode_summaries(
                        f.summaries.iter().map(|(k, b)| (k.as_str(), b.as_slice())),
                    )),
                };
                (case, summaries)
            })
            .collect();
        if parsed {
            write_derived(&self.dir, &data_file(folder), &cases);
        }
        let entries = out
            .iter()
            .zip(&rows)
            .map(|((file, o), (case, summaries))| match o {
                Out::Read(s, e) => EntryOut {
                    file,
                    stamp: e.stamp,
                    checked: e.checked,
                    sha256: s.sha256(e),
                    case: *case,
                    clean: s.clean(e),
                    summaries: Bytes(s.summaries(e)),
                },
                Out::Fresh(f) => EntryOut {
                    file,
                    stamp: f.stamp,
                    checked: f.checked,
                    sha256: &f.sha256,
                    case: *case,
                    clean: f.clean.as_deref(),
                    summaries: Bytes(summaries.as_deref().unwrap_or(&[])),
                },
            })
            .collect();
        let shard = ShardOut {
            format: FORMAT,
            fingerprint: &self.fingerprint,
            data,
            entries,
        };
        if let Ok(bytes) = postcard::to_stdvec(&shard) {
            write_derived(&self.dir, &shard_file(folder), &crate::derived::seal(bytes));
        }
    }
}

/// An entry to write: as read, or changed in this run.
enum Out<'a> {
    Read(&'a Shard, &'a Entry),
    Fresh(&'a Fresh),
}

/// A token for a new data file: the time and the process (tokens only need to differ from the
/// previous file's).
fn new_token() -> u64 {
    let t = now_ns() as u64 ^ (u64::from(std::process::id()) << 40);
    t.max(1)
}

fn read_shard(path: &Path, data_path: PathBuf, fingerprint: &str) -> Shard {
    let stale = || Shard {
        stale: true,
        ..Shard::default()
    };
    let Some(bytes) = crate::derived::read_derived(path) else {
        return stale();
    };
    let Some(body) = crate::derived::unseal(&bytes) else {
        return stale();
    };
    let base = bytes.as_ptr() as usize;
    // Each text is a slice of `bytes`: kept as its range.
    let range = |t: &[u8]| {
        let at = t.as_ptr() as usize - base;
        at..at + t.len()
    };
    let (data, mut entries): (u64, Vec<Entry>) = match postcard::from_bytes::<ShardIn<'_>>(body) {
        Ok(s) if s.format == FORMAT && s.fingerprint == fingerprint => (
            s.data,
            s.entries
                .iter()
                .map(|e| Entry {
                    file: range(e.file.as_bytes()),
                    stamp: e.stamp,
                    checked: e.checked,
                    sha256: range(e.sha256.as_bytes()),
                    case: e.case,
                    clean: e.clean.map(|c| range(c.as_bytes())),
                    summaries: range(e.summaries),
                })
                .collect(),
        ),
        _ => return stale(),
    };
    let name = |e: &Entry| bytes.get(e.file.clone()).unwrap_or(&[]);
    // Written in order; sorted anyway, as lookups need it (and one file once).
    if !entries.windows(2).all(|w| name(&w[0]) < name(&w[1])) {
        entries.sort_by(|a, b| name(a).cmp(name(b)));
        entries.dedup_by(|a, b| name(a) == name(b));
    }
    Shard {
        bytes,
        entries,
        data,
        data_path,
        data_file: std::sync::OnceLock::new(),
        stale: false,
    }
}

/// The entry of a loaded case.
fn encode(view: &CaseView<'_>) -> Option<Vec<u8>> {
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
fn same(a: &CaseView<'_>, b: &CaseView<'_>) -> bool {
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
fn decode<'w>(ws: &'w Workspace, id: &str, path: &Path, bytes: &[u8]) -> Option<CaseView<'w>> {
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
    Some(CaseView {
        case,
        wf,
        typed: map_from(c.coerced),
    })
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

    /// A parsed case is read from the data file only when it is there undamaged and the file
    /// is the one its entry was written with.
    #[test]
    fn a_case_is_read_back_only_from_its_own_undamaged_data_file() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("cases-2023.data");
        let token = 0x0123_4567_89ab_cdef_u64;
        let case = "（2023）渝0112行初31号".as_bytes();
        let mut file = DATA_MAGIC.to_vec();
        file.extend_from_slice(&token.to_le_bytes());
        let blob = Blob {
            at: file.len() as u64,
            len: case.len() as u32,
            crc: crc32fast::hash(case),
        };
        file.extend_from_slice(case);
        let read = |bytes: &[u8], token: u64, blob: Blob| {
            std::fs::write(&path, bytes).expect("writes");
            let shard = Shard {
                data: token,
                data_path: path.clone(),
                ..Shard::default()
            };
            shard.blob(&blob)
        };
        assert_eq!(read(&file, token, blob).as_deref(), Some(case));
        for i in 0..file.len() {
            let mut damaged = file.clone();
            damaged[i] ^= 0x01;
            assert_eq!(read(&damaged, token, blob), None, "byte {i} flipped");
        }
        assert_eq!(
            read(&file[..file.len() - 1], token, blob),
            None,
            "cut short"
        );
        assert_eq!(read(&file, token + 1, blob), None, "another data file");
        assert_eq!(read(&file, 0, blob), None, "no data file");
        let longer = Blob {
            len: blob.len + 1,
            ..blob
        };
        assert_eq!(read(&file, token, longer), None, "past the end");
    }

    /// The text comparison of [`key_in`] gives what walking the components gives.
    #[test]
    fn keys_are_the_folder_and_file_under_the_cases_folder() {
        let cases = Path::new("/ws/cases");
        let by_components = |p: &Path| -> Option<(String, String)> {
            let rel = p.strip_prefix(cases).ok()?;
            let parts: Vec<_> = rel.components().collect();
            match parts[..] {
                [
                    std::path::Component::Normal(a),
                    std::path::Component::Normal(b),
                ] => Some((a.to_str()?.to_string(), b.to_str()?.to_string())),
                _ => None,
            }
        };
        for p in [
            "/ws/cases/2023/JY-1.yaml",
            "/ws/cases/2023/年度.yaml",
            "/ws/cases/JY-1.yaml",
            "/ws/cases/2023/sub/JY-1.yaml",
            "/ws/casesX/2023/JY-1.yaml",
            "/ws/cases//2023/JY-1.yaml",
            "/ws/cases/2023//JY-1.yaml",
            "/ws/cases/2023/./JY-1.yaml",
            "/ws/cases/./2023/JY-1.yaml",
            "/ws/cases/2023/JY-1.yaml/",
            "/ws/cases/2023/",
            "/ws/other/2023/JY-1.yaml",
        ] {
            let p = Path::new(p);
            let got = key_in(cases, p).map(|(a, b)| (a.to_string(), b.to_string()));
            assert_eq!(got, by_components(p), "{}", p.display());
        }
    }

    #[test]
    fn shard_names_are_plain() {
        assert_eq!(shard_file("2023"), "cases-2023.bin");
        assert_eq!(shard_file("../x").len(), "cases-".len() + 16 + ".bin".len());
        assert_eq!(shard_file("年度").len(), "cases-".len() + 16 + ".bin".len());
    }
}
