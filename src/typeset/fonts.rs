//! Font discovery and lazy loading.
//!
//! Font files are memory-mapped once when the [`FontStore`] is built; only the
//! metadata ([`FontInfo`]) is parsed eagerly. The parsed [`Font`] objects are
//! created on first use, so a document that only uses two faces never pays
//! for the others (the full-coverage fallback faces are ~50 MB).

use std::collections::HashSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;

use super::error::TypesetError;

/// One face of one font file.
struct FontSlot {
    /// Where the face came from (for diagnostics).
    path: PathBuf,
    /// Index of the face inside a collection (`.ttc`).
    index: u32,
    /// The mapped file, shared by all faces of a collection.
    data: Bytes,
    /// The parsed face, created on first access.
    font: OnceLock<Option<Font>>,
}

/// All fonts found in the configured directories.
pub struct FontStore {
    book: LazyHash<FontBook>,
    slots: Vec<FontSlot>,
}

/// A memory-mapped font file that can back typst's [`Bytes`].
struct Mapped(memmap2::Mmap);

impl AsRef<[u8]> for Mapped {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl FontStore {
    /// Walks the directories in order (earlier directories win when the same
    /// family and variant appear more than once) and indexes every
    /// `.otf`/`.ttf`/`.otc`/`.ttc` file. Missing directories are skipped.
    pub fn scan(dirs: &[PathBuf]) -> Result<Self, TypesetError> {
        let mut book = FontBook::new();
        let mut slots = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        for dir in dirs {
            if !dir.is_dir() {
                continue;
            }
            let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
                .follow_links(true)
                .into_iter()
                .filter_map(Result::ok)
                .filter(|e| e.file_type().is_file() && is_font_file(e.path()))
                .map(|e| e.into_path())
                .collect();
            files.sort();
            for path in files {
                let data = map_file(&path)?;
                for (index, info) in FontInfo::iter(data.as_slice()).enumerate() {
                    let key = (info.family.to_lowercase(), format!("{:?}", info.variant));
                    if !seen.insert(key) {
                        continue;
                    }
                    book.push(info);
                    slots.push(FontSlot {
                        path: path.clone(),
                        index: index as u32,
                        data: data.clone(),
                        font: OnceLock::new(),
                    });
                }
            }
        }
        if slots.is_empty() {
            return Err(TypesetError::NoFonts {
                dirs: dirs.iter().map(|d| d.display().to_string()).collect(),
            });
        }
        Ok(Self {
            book: LazyHash::new(book),
            slots,
        })
    }

    /// The font book describing every indexed face.
    pub fn book(&self) -> &LazyHash<FontBook> {
        &self.book
    }

    /// The face with the given book index, parsed on first access.
    pub fn font(&self, index: usize) -> Option<Font> {
        let slot = self.slots.get(index)?;
        slot.font
            .get_or_init(|| Font::new(slot.data.clone(), slot.index))
            .clone()
    }

    /// Family name and file of every indexed face, in index order.
    pub fn faces(&self) -> Vec<(String, PathBuf)> {
        (0..self.slots.len())
            .filter_map(|i| {
                let info = self.book.info(i)?;
                Some((info.family.clone(), self.slots[i].path.clone()))
            })
            .collect()
    }

    /// Whether some face of one of `families` (case-insensitive names) has
    /// a glyph for `c`.
    pub fn covers(&self, families: &[&str], c: char) -> bool {
        let wanted: Vec<String> = families.iter().map(|f| f.to_lowercase()).collect();
        (0..self.slots.len()).any(|i| {
            self.book.info(i).is_some_and(|info| {
                wanted.contains(&info.family.to_lowercase()) && info.coverage.contains(c as u32)
            })
        })
    }
}

fn is_font_file(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .is_some_and(|e| matches!(e.as_str(), "otf" | "ttf" | "ttc" | "otc"))
}

fn map_file(path: &Path) -> Result<Bytes, TypesetError> {
    let io_err = |e: std::io::Error| TypesetError::FontFile {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let file = File::open(path).map_err(io_err)?;
    // SAFETY: font files are opened read-only and are not expected to be
    // modified while the process runs; the mapping is kept alive by the
    // `Bytes` (an `Arc`) for as long as any font refers to it.
    let map = unsafe { memmap2::Mmap::map(&file) }.map_err(io_err)?;
    Ok(Bytes::new(Mapped(map)))
}
