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
    /// The family name, lower-cased, for case-insensitive lookups.
    family: String,
    /// The covered code points as sorted, disjoint `start..=end` ranges,
    /// built on first use: typst's own `Coverage::contains` scans its runs
    /// linearly, which is slow for CJK faces with thousands of runs.
    ranges: OnceLock<Vec<(u32, u32)>>,
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
                    slots.push(FontSlot {
                        path: path.clone(),
                        index: index as u32,
                        data: data.clone(),
                        font: OnceLock::new(),
                        family: info.family.to_lowercase(),
                        ranges: OnceLock::new(),
                    });
                    book.push(info);
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
        let c = c as u32;
        self.slots.iter().enumerate().any(|(i, slot)| {
            families
                .iter()
                .any(|f| f.eq_ignore_ascii_case(&slot.family))
                && {
                    let ranges = slot.ranges.get_or_init(|| {
                        self.book
                            .info(i)
                            .map(|info| ranges_of(info.coverage.iter()))
                            .unwrap_or_default()
                    });
                    ranges
                        .binary_search_by(|&(start, end)| {
                            if end < c {
                                std::cmp::Ordering::Less
                            } else if start > c {
                                std::cmp::Ordering::Greater
                            } else {
                                std::cmp::Ordering::Equal
                            }
                        })
                        .is_ok()
                }
        })
    }
}

/// Collapses ascending code points into `start..=end` ranges.
fn ranges_of(codepoints: impl Iterator<Item = u32>) -> Vec<(u32, u32)> {
    let mut ranges: Vec<(u32, u32)> = Vec::new();
    for c in codepoints {
        match ranges.last_mut() {
            Some((_, end)) if *end + 1 == c => *end = c,
            _ => ranges.push((c, c)),
        }
    }
    ranges
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

#[cfg(test)]
mod tests {
    use super::ranges_of;

    #[test]
    fn ranges_collapse_runs() {
        assert_eq!(
            ranges_of([1, 2, 3, 7, 9, 10].into_iter()),
            vec![(1, 3), (7, 7), (9, 10)]
        );
        assert!(ranges_of(std::iter::empty()).is_empty());
    }
}
