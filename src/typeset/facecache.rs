//! The font description cache: owns remembering, per font file, the descriptions of its faces
//! (typst's [`FontInfo`]: family, style, coverage) and, for the operating system's fonts, which
//! faces are official ones — so that building the font book does not read the tables of every
//! font file on every command. It is a derived file (`.yingsu/index/fonts.bin` of a workspace,
//! JSON sealed with a checksum): an entry is believed only while its file has the stamp it had
//! when it was read (and that
//! stamp was settled, see [`Stamp::settled`]); the default fonts compiled into the program are
//! believed while the program is the same. Missing, stale or unreadable, it only costs time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use typst::text::FontInfo;

use crate::derived::{Stamp, now_ns, seal, unseal, write_derived};

/// Bumped when the meaning of an entry changes.
const FORMAT: u32 = 1;

/// What the cache knows of one font file.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Entry {
    /// The file's stamp when it was read (`None` for a default font of the program).
    stamp: Option<Stamp>,
    /// When it was read (ns), for [`Stamp::settled`].
    checked: i64,
    /// Per face of the file, its description, or `None` when the face is not used (unreadable,
    /// or not an official font in a system folder).
    faces: Vec<Option<FontInfo>>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct CacheFile {
    format: u32,
    /// The program that wrote it: typst's reading of a font may change with the program.
    program: String,
    entries: BTreeMap<String, Entry>,
}

/// See the module documentation. Used while one font book is built; [`FaceCache::save`] writes
/// back what changed.
#[derive(Debug, Default)]
pub struct FaceCache {
    /// Where it is kept; `None` for no cache (every font is read).
    path: Option<PathBuf>,
    program: String,
    old: BTreeMap<String, Entry>,
    /// The entries of the fonts looked at by this run.
    new: BTreeMap<String, Entry>,
    changed: bool,
}

impl FaceCache {
    /// No cache: every font file is read.
    pub fn none() -> FaceCache {
        FaceCache::default()
    }

    /// The cache kept in `path` for the program identified by `program`; empty when the file is
    /// missing, unreadable, or from another program.
    pub fn open(path: PathBuf, program: String) -> FaceCache {
        let old = crate::derived::read_derived(&path)
            .and_then(|bytes| serde_json::from_slice::<CacheFile>(unseal(&bytes)?).ok())
            .filter(|f| f.format == FORMAT && f.program == program)
            .map(|f| f.entries)
            .unwrap_or_default();
        FaceCache {
            path: Some(path),
            program,
            old,
            new: BTreeMap::new(),
            changed: false,
        }
    }

    /// The faces of the font file at `path` (`official_only`: a system folder, where only the
    /// official faces count), from the cache when the file is unchanged, else from `read`
    /// (`None` when the file cannot be read: nothing is remembered, no face is returned).
    pub(super) fn file_faces(
        &mut self,
        path: &Path,
        official_only: bool,
        read: impl FnOnce() -> Option<Vec<Option<FontInfo>>>,
    ) -> Vec<Option<FontInfo>> {
        let key = format!(
            "{}:{}",
            if official_only { "system" } else { "file" },
            path.display()
        );
        // The stamp of what a link points at, taken before the file is read: a change while it
        // is read leaves a stamp that no longer matches.
        let stamp = std::fs::metadata(path).ok().and_then(|m| Stamp::of(&m));
        let cached = self.old.get(&key).filter(|e| {
            stamp.is_some() && e.stamp == stamp && e.stamp.is_some_and(|s| s.settled(e.checked))
        });
        self.take(key, cached.cloned(), || {
            let checked = now_ns();
            read().map(|faces| Entry {
                stamp,
                checked,
                faces,
            })
        })
    }

    /// The faces of a default font compiled into the program, `name` as under `fonts/`.
    pub(super) fn embedded_faces(
        &mut self,
        name: &str,
        read: impl FnOnce() -> Vec<Option<FontInfo>>,
    ) -> Vec<Option<FontInfo>> {
        let key = format!("embedded:{name}");
        let cached = self.old.get(&key).filter(|e| e.stamp.is_none()).cloned();
        self.take(key, cached, || {
            Some(Entry {
                stamp: None,
                checked: now_ns(),
                faces: read(),
            })
        })
    }

    fn take(
        &mut self,
        key: String,
        cached: Option<Entry>,
        read: impl FnOnce() -> Option<Entry>,
    ) -> Vec<Option<FontInfo>> {
        let entry = match cached {
            Some(entry) => entry,
            None => {
                self.changed = true;
                let Some(entry) = read() else {
                    return Vec::new();
                };
                entry
            }
        };
        let faces = entry.faces.clone();
        self.new.insert(key, entry);
        faces
    }

    /// Writes the cache back when this run read a font it did not know, or no longer found one
    /// it knew. A failure to write only costs the next run time.
    pub fn save(self) {
        let Some(path) = &self.path else { return };
        let dropped = self.old.keys().any(|k| !self.new.contains_key(k));
        if !self.changed && !dropped {
            return;
        }
        let file = CacheFile {
            format: FORMAT,
            program: self.program,
            entries: self.new,
        };
        let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
            return;
        };
        if let Ok(bytes) = serde_json::to_vec(&file) {
            write_derived(dir, &name.to_string_lossy(), &seal(bytes));
        }
    }
}
