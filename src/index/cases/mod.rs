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
//!
//! Whenever the index parses a case file, it makes every installed summary kind from that one
//! parse ([`kinds`]): after a change of the configuration or of the program, the first command
//! reads the archive once for every command group.
//!
//! Its rooms: `codec` (the binary encoding of a case), `shard` (the files, per case folder),
//! `marks` (validate's clean marks), `kinds` (the summaries every parse fills); this module is
//! the load policy — when an entry is believed, and what a command reading a case through the
//! index gets.

mod codec;
pub mod kinds;
mod marks;
mod shard;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::derived::{Stamp, now_ns};
use crate::error::Result;
use crate::view::CaseView;
use crate::workspace::Workspace;

use codec::{decode, encode, same};
pub use kinds::SummaryKind;
use shard::{
    CaseBlob, Entry, Fresh, Out, Shard, data_file, key_in, key_of, read_shard, shard_file,
};

/// The format of the index files; another number is ignored.
const FORMAT: u32 = 5;

/// Setting this environment variable to `0` or `off` makes every command parse every case file
/// (the index is neither read nor written): for measuring, and for a suspicious user (see
/// [`crate::settings::Settings::index`]).
pub const ENV_SWITCH: &str = crate::settings::INDEX_SWITCH;

/// Whether the index may be used by the process's settings (see [`ENV_SWITCH`]); a workspace's
/// own say is [`crate::settings::Settings::index`] of [`Workspace::settings`].
pub fn enabled() -> bool {
    crate::settings::Settings::current().index
}

/// What every entry of a workspace's index depends on besides its own file: the program, the
/// configuration and the workflows (loading a case checks its facts against both).
pub fn fingerprint(ws: &Workspace) -> String {
    let mut h = Sha256::new();
    h.update(crate::index::program_identity());
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

/// How many case files the case index parsed in this process (see [`parsed_files`]).
static PARSED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// How many case files a case index has parsed in this process (not counting the files read
/// with the index switched off): what a test or a measurement watches to see that a command
/// found what it needs in the index.
pub fn parsed_files() -> usize {
    PARSED.load(std::sync::atomic::Ordering::Relaxed)
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
    /// The summaries the index made when it parsed the file for this case (see [`kinds`]).
    made: std::cell::OnceCell<Made>,
}

/// Summaries made from one parse, by kind, encoded (see [`kinds`]).
type Made = Vec<(&'static str, Vec<u8>)>;

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
            made: std::cell::OnceCell::new(),
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
            let (view, sha, made) = self
                .index
                .load_made(self.ws, self.id, self.path, &|_| keep_case)?;
            let _ = self.loaded.set((view, sha));
            let _ = self.made.set(made);
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
        // Made by the index from the parse that loaded the case (see [`kinds`]).
        if let Some(summary) = self
            .made
            .get()
            .and_then(|made| made.iter().find(|(k, _)| *k == kind))
            .and_then(|(_, bytes)| postcard::from_bytes::<S>(bytes).ok())
        {
            return Ok(summary);
        }
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
    /// The summaries every parse of a case file fills (see [`kinds`]).
    kinds: &'static [SummaryKind],
    dir: PathBuf,
    cases_dir: PathBuf,
    fingerprint: String,
    enabled: bool,
    shards: HashMap<String, Shard>,
    /// The case files there are, by folder.
    files: HashMap<String, HashSet<String>>,
    changes: Mutex<Changes>,
}

impl CaseIndex {
    /// The index of `ws` for its case files (all of them: the entries of any other file are
    /// dropped when it is saved), read in parallel; empty where it is missing, unreadable or
    /// made for other inputs (and everywhere when the index is switched off, or the case
    /// folder is not a plain folder). A case parsed from its file is made by `load`, and every
    /// summary of `kinds` is made from it then.
    pub fn open(
        ws: &Workspace,
        paths: &[&Path],
        load: Loader,
        kinds: &'static [SummaryKind],
    ) -> CaseIndex {
        use rayon::prelude::*;
        let dir = crate::index::dir(ws);
        let cases_dir = ws.cases_dir();
        let enabled = ws.settings().index
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
            kinds,
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
        self.load_made(ws, id, path, keep_case)
            .map(|(view, sha, _)| (view, sha))
    }

    /// The summaries of every kind the index fills (see [`kinds`]) that `has` says an entry
    /// lacks, made from `view`.
    fn make_kinds(&self, ws: &Workspace, view: &CaseView<'_>, has: impl Fn(&str) -> bool) -> Made {
        self.kinds
            .iter()
            .filter(|k| !has(k.kind))
            .filter_map(|k| Some((k.kind, (k.make)(ws, view)?)))
            .collect()
    }

    /// [`CaseIndex::load_hashed_if`], with the summaries made when the case was parsed (or
    /// decoded for an entry that lacked them).
    fn load_made<'w>(
        &self,
        ws: &'w Workspace,
        id: &str,
        path: &Path,
        keep_case: &dyn Fn(&CaseView<'w>) -> bool,
    ) -> Result<(CaseView<'w>, Option<String>, Made)> {
        let key = if self.enabled { self.key(path) } else { None };
        let Some(key) = key else {
            let source = crate::workspace::read_text(&ws.root, path)?;
            return (self.load)(ws, id, path, source).map(|v| (v, None, Vec::new()));
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
            return Ok((view, Some(shard.sha256(e).to_string()), Vec::new()));
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
            // The stamp is renewed (so the next run trusts it), and the summaries the entry
            // lacks are made now that the case is at hand.
            let made = self.make_kinds(ws, &view, |k| shard.summary(e, k).is_some());
            if e.stamp != stamp || !stamp.is_some_and(|s| s.settled(e.checked)) || !made.is_empty()
            {
                let mut fresh = shard.fresh(e);
                fresh.stamp = stamp;
                fresh.checked = checked;
                fresh.summaries.extend(
                    made.iter()
                        .map(|(k, b)| (std::borrow::Cow::Borrowed(*k), b.clone())),
                );
                self.put(key, fresh);
            }
            return Ok((view, Some(sha), made));
        }
        PARSED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
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
                        // Every kind the index fills, from this one parse (those an entry
                        // for these very bytes holds stand).
                        let made = match same_bytes {
                            Some((e, shard)) => {
                                self.make_kinds(ws, &view, |k| shard.summary(e, k).is_some())
                            }
                            None => self.make_kinds(ws, &view, |_| false),
                        };
                        let mut fresh = match same_bytes {
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
                                summaries: Vec::with_capacity(made.len()),
                            },
                        };
                        fresh.summaries.extend(
                            made.iter()
                                .map(|(k, b)| (std::borrow::Cow::Borrowed(*k), b.clone())),
                        );
                        self.put(key, fresh);
                        Ok((view, Some(sha), made))
                    }
                    _ => {
                        self.forget(key, entry.is_some());
                        Ok((view, plain.then_some(sha), Vec::new()))
                    }
                }
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
            f.summaries
                .push((std::borrow::Cow::Owned(kind.to_string()), bytes));
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
            shard::write_shard(&self.dir, &self.fingerprint, folder, shard, out);
        }
    }
}
