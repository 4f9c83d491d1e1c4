//! Derived index: owns `.yingsu/index/`, what yingsu derives from the workspace's files so as not
//! to redo work — never the source of truth. Every entry is checked against the files before it
//! is believed; a missing, stale or unreadable index only costs time, never a wrong answer.
//!
//! The render index remembers, per issued document, the fingerprint of everything its PDF is
//! made from (its frozen data, the templates, the fonts, the program) and the PDF's hash that
//! fingerprint gave. `render --all` typesets a document again only when that fingerprint changed,
//! or the PDF on disk is missing or no longer has its recorded hash.

pub mod cases;

use crate::archive::hex;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::workspace::Workspace;

pub use crate::derived::{RACY_NS, Stamp, now_ns};

/// The folder of the derived index (kept out of git by the workspace's `.gitignore`).
pub fn dir(ws: &Workspace) -> PathBuf {
    ws.root.join(crate::derived::DERIVED_DIR).join("index")
}

const RENDER_FILE: &str = "render.tsv";
const RENDER_HEADER: &str =
    "# yingsu render index v2: file\tinputs\tpdf sha256\tsettled outcome (derived; safe to delete)";

/// See the module documentation.
#[derive(Debug, Default)]
pub struct RenderIndex {
    path: Option<PathBuf>,
    entries: Mutex<HashMap<String, (String, String)>>,
    /// Per file, the key of everything a no-op `render --all` looked at when it found the
    /// document intact and unchanged (see [`outcome_key`]).
    settled: Mutex<HashMap<String, String>>,
    dirty: Mutex<bool>,
}

impl RenderIndex {
    /// The workspace's render index; empty when it is missing or cannot be read.
    pub fn load(ws: &Workspace) -> RenderIndex {
        let path = dir(ws).join(RENDER_FILE);
        let mut entries = HashMap::new();
        let mut settled = HashMap::new();
        let enabled = ws.settings().index;
        if enabled
            && let Some(text) =
                crate::derived::read_derived(&path).and_then(|bytes| String::from_utf8(bytes).ok())
            && text.lines().next() == Some(RENDER_HEADER)
        {
            for line in text.lines().skip(1) {
                let mut parts = line.split('\t');
                if let (Some(f), Some(k), Some(s), Some(o), None) = (
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                    parts.next(),
                ) {
                    entries.insert(f.to_string(), (k.to_string(), s.to_string()));
                    if !o.is_empty() {
                        settled.insert(f.to_string(), o.to_string());
                    }
                }
            }
        }
        RenderIndex {
            path: enabled.then_some(path),
            entries: Mutex::new(entries),
            settled: Mutex::new(settled),
            dirty: Mutex::new(false),
        }
    }

    /// Whether `file` made from `inputs` is known to give the PDF with hash `sha`.
    pub fn gives(&self, file: &str, inputs: &str, sha: &str) -> bool {
        self.entries
            .lock()
            .map(|e| e.get(file).is_some_and(|(k, s)| k == inputs && s == sha))
            .unwrap_or(false)
    }

    /// The hash of the PDF that `file` made from `inputs` gave, when the index knows it.
    pub fn gave(&self, file: &str, inputs: &str) -> Option<String> {
        let e = self.entries.lock().ok()?;
        e.get(file)
            .filter(|(k, _)| k == inputs)
            .map(|(_, s)| s.clone())
    }

    /// Remember that `file` made from `inputs` gave the PDF with hash `sha`.
    pub fn record(&self, file: &str, inputs: &str, sha: &str) {
        if let Ok(mut e) = self.entries.lock() {
            let new = (inputs.to_string(), sha.to_string());
            if e.get(file) != Some(&new) {
                e.insert(file.to_string(), new);
                if let Ok(mut d) = self.dirty.lock() {
                    *d = true;
                }
            }
        }
    }

    /// Write the index back if it changed. A failure is not an error of the command (the index
    /// is only a shortcut): it is returned for the caller to ignore or mention.
    /// Whether a run that looked at exactly what `key` stands for found `file` intact and
    /// unchanged.
    pub fn is_settled(&self, file: &str, key: &str) -> bool {
        self.settled
            .lock()
            .map(|s| s.get(file).is_some_and(|k| k == key))
            .unwrap_or(false)
    }

    /// Remember (or, with `None`, forget) that what `key` stands for leaves `file` as it is.
    pub fn settle(&self, file: &str, key: Option<String>) {
        if let Ok(mut s) = self.settled.lock() {
            let changed = match key {
                Some(k) => s.insert(file.to_string(), k.clone()).as_ref() != Some(&k),
                None => s.remove(file).is_some(),
            };
            if changed && let Ok(mut d) = self.dirty.lock() {
                *d = true;
            }
        }
    }

    pub fn save(&self) -> std::io::Result<()> {
        let (Some(path), Ok(dirty)) = (&self.path, self.dirty.lock()) else {
            return Ok(());
        };
        if !*dirty {
            return Ok(());
        }
        let (Ok(entries), Ok(settled)) = (self.entries.lock(), self.settled.lock()) else {
            return Ok(());
        };
        // In file order, so the same index is the same bytes.
        let mut sorted: Vec<_> = entries.iter().collect();
        sorted.sort_unstable_by_key(|(f, _)| f.as_str());
        let mut text = format!("{RENDER_HEADER}\n");
        for (f, (k, s)) in sorted {
            let o = settled.get(f).map_or("", String::as_str);
            text.push_str(&format!("{f}\t{k}\t{s}\t{o}\n"));
        }
        // Not through a `.yingsu/` linked elsewhere (see `derived::own_dir`).
        if !path
            .parent()
            .is_some_and(|parent| crate::derived::own_dir(parent, true))
        {
            return Ok(());
        }
        crate::archive::write_atomic(path, text.as_bytes()).map_err(std::io::Error::other)
    }
}

/// The fingerprint of what every document of the workspace is made from besides its own data:
/// the program, the templates and the font files that may serve it (by name, size and time).
pub fn inputs_fingerprint(ws: &Workspace) -> String {
    let mut h = Sha256::new();
    h.update(program_identity());
    for (path, source) in ws.template_files() {
        h.update(path.as_bytes());
        h.update([0]);
        h.update(source.as_bytes());
        h.update([0]);
    }
    for dir in ws.font_dirs().into_iter().chain(ws.system_font_dirs()) {
        fonts_fingerprint(&dir, &mut h);
    }
    hex(&h.finalize())
}

fn fonts_fingerprint(dir: &Path, h: &mut Sha256) {
    for entry in walkdir::WalkDir::new(dir)
        .max_depth(8)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        let Ok(m) = entry.metadata() else { continue };
        if !m.is_file() {
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        h.update(rel.to_string_lossy().as_bytes());
        h.update(m.len().to_le_bytes());
        if let Ok(t) = m.modified()
            && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
        {
            h.update(d.as_nanos().to_le_bytes());
        }
    }
}

/// Whether the derived indexes may be used by the process's settings (see
/// [`crate::settings::Settings::index`]); with a workspace at hand, ask its settings instead
/// (`ws.settings().index`), which it was opened with.
pub fn enabled() -> bool {
    cases::enabled()
}

/// The key of a no-op `render --all` for one document: the workspace's document inputs
/// (`inputs`: program, templates, fonts) and case inputs (`cases`: configuration, workflows,
/// calendar), the case file's hash, and the stamps of the PDF and of its frozen record, both
/// settled (see [`Stamp::settled`]); `None` when one is missing or too new to prove anything.
pub fn outcome_key(
    inputs: &str,
    cases: &str,
    case_sha: &str,
    pdf: &Path,
    frozen: &Path,
    now: i64,
) -> Option<String> {
    let p = Stamp::of_path(pdf).filter(|s| s.settled(now))?;
    let f = Stamp::of_path(frozen).filter(|s| s.settled(now))?;
    let mut h = Sha256::new();
    for part in [inputs, cases, case_sha] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.update(p.bytes());
    h.update(f.bytes());
    Some(hex(&h.finalize()))
}

/// The fingerprint of one document's inputs: the workspace's `inputs` and the document's data.
pub fn document_inputs(inputs: &str, data: &Value) -> String {
    let mut h = Sha256::new();
    h.update(inputs.as_bytes());
    h.update(data.to_string().as_bytes());
    hex(&h.finalize())
}

/// The program that made an index entry: its version, and its executable's size and time (a
/// rebuilt program may read or make things differently).
fn program_identity() -> Vec<u8> {
    let mut out = env!("CARGO_PKG_VERSION").as_bytes().to_vec();
    if let Ok(exe) = std::env::current_exe()
        && let Ok(m) = std::fs::metadata(&exe)
    {
        out.extend(m.len().to_le_bytes());
        if let Ok(t) = m.modified()
            && let Ok(d) = t.duration_since(std::time::UNIX_EPOCH)
        {
            out.extend(d.as_nanos().to_le_bytes());
        }
    }
    out
}

/// The identity of this program (version, and the size and time of its file), as text: what a
/// derived file written by another build of yingsu does not share.
pub fn program_key() -> String {
    hex(&program_identity())
}
