//! Font discovery and lazy loading.
//!
//! Font files are memory-mapped once when the [`FontStore`] is built; only the
//! metadata ([`FontInfo`]) is parsed eagerly. The parsed [`Font`] objects are
//! created on first use, so a document that only uses two faces never pays
//! for the others (the full-coverage fallback faces are ~50 MB). The default
//! fonts compiled into the program ([`yingsu_fonts`]) are the program's own
//! memory; the compressed fallback faces among them are indexed from their
//! metadata tables alone and inflated only when a document uses them.

use std::collections::{HashSet, VecDeque};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use typst::foundations::Bytes;
use typst::text::{Font, FontBook, FontInfo};
use typst::utils::LazyHash;

use super::error::TypesetError;
use super::facecache::FaceCache;

/// Where the default fonts compiled into the program appear to come from: the folder that
/// [`Typesetter::font_faces`](super::Typesetter::font_faces) names for them (a relative path, so
/// it never falls inside a font folder).
pub const EMBEDDED_FONTS_DIR: &str = "<yingsu 内置字体>";

/// Where a face's data lives.
enum FaceData {
    /// A mapped file, shared by all faces of a collection.
    Mapped(Bytes),
    /// A default font compiled into the program (a compressed one is inflated on first use).
    Embedded(&'static yingsu_fonts::EmbeddedFont),
}

/// One face of one font file.
struct FontSlot {
    /// Where the face came from (for diagnostics).
    path: PathBuf,
    /// Index of the face inside a collection (`.ttc`).
    index: u32,
    data: FaceData,
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
    /// `.otf`/`.ttf`/`.otc`/`.ttc` file, then the `embedded` default fonts,
    /// then the official fonts of `system_dirs`. Missing directories are skipped.
    ///
    /// What each font file holds is taken from `cache` while the file is unchanged (see
    /// [`FaceCache`]); a system font file with no official face is then not even opened.
    pub fn scan(
        dirs: &[PathBuf],
        embedded: &'static [yingsu_fonts::EmbeddedFont],
        system_dirs: &[PathBuf],
        cache: &mut FaceCache,
    ) -> Result<Self, TypesetError> {
        let mut book = FontBook::new();
        let mut slots = Vec::new();
        let mut seen: HashSet<(String, String)> = HashSet::new();
        let mut add = |info: FontInfo, path: &Path, index: u32, data: FaceData| {
            let key = (info.family.to_lowercase(), format!("{:?}", info.variant));
            if !seen.insert(key) {
                return;
            }
            slots.push(FontSlot {
                path: path.to_path_buf(),
                index,
                data,
                font: OnceLock::new(),
                family: info.family.to_lowercase(),
                ranges: OnceLock::new(),
            });
            book.push(info);
        };
        let all = dirs.iter().map(|d| (d, false));
        let system = system_dirs.iter().map(|d| (d, true));
        let mut embedded_done = false;
        for (dir, official_only) in all.chain(system) {
            if official_only && !embedded_done {
                embedded_done = true;
                add_embedded(embedded, cache, &mut add);
            }
            if !dir.is_dir() {
                continue;
            }
            let files = font_files(dir);
            for path in files {
                let mut mapped: Option<Result<Bytes, TypesetError>> = None;
                let faces = cache.file_faces(&path, official_only, || {
                    let data = mapped.get_or_insert_with(|| map_file(&path));
                    data.as_ref()
                        .ok()
                        .map(|data| describe(data.as_slice(), official_only))
                });
                if faces.iter().all(Option::is_none) {
                    match mapped {
                        // An unreadable system font is skipped, not fatal.
                        Some(Err(e)) if !official_only => return Err(e),
                        _ => continue,
                    }
                }
                let data = match mapped.unwrap_or_else(|| map_file(&path)) {
                    Ok(data) => data,
                    Err(_) if official_only => continue,
                    Err(e) => return Err(e),
                };
                for (index, info) in faces.into_iter().enumerate() {
                    if let Some(info) = info {
                        add(info, &path, index as u32, FaceData::Mapped(data.clone()));
                    }
                }
            }
        }
        if !embedded_done {
            add_embedded(embedded, cache, &mut add);
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
            .get_or_init(|| {
                let data = match &slot.data {
                    FaceData::Mapped(data) => data.clone(),
                    FaceData::Embedded(font) => Bytes::new(font.data()?),
                };
                Font::new(data, slot.index)
            })
            .clone()
    }

    /// Loads the regular face of the first of `families` (case-insensitive) that has one and
    /// hashes its data, as typst does when a document first uses the face (a few milliseconds
    /// for a CJK face); the hash is kept with the data, so a document then finds it ready.
    pub fn warm(&self, families: &[&str]) {
        let index = families.iter().find_map(|family| {
            self.book
                .select(&family.to_lowercase(), typst::text::FontVariant::default())
        });
        if let Some(font) = index.and_then(|i| self.font(i)) {
            let _ = typst::utils::hash128(&font);
        }
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

/// Indexes the default fonts compiled into the program (from their metadata tables).
fn add_embedded(
    embedded: &'static [yingsu_fonts::EmbeddedFont],
    cache: &mut FaceCache,
    add: &mut impl FnMut(FontInfo, &Path, u32, FaceData),
) {
    for font in embedded {
        let faces = cache.embedded_faces(font.name(), || {
            vec![font.metadata().and_then(|meta| FontInfo::new(&meta, 0))]
        });
        let Some(Some(info)) = faces.into_iter().next() else {
            continue;
        };
        let path = Path::new(EMBEDDED_FONTS_DIR).join(font.name());
        add(info, &path, 0, FaceData::Embedded(font));
    }
}

/// The description of each face of a font file (a collection has several); `None` for a face
/// typst cannot read or, with `official_only`, one that is not an official font.
fn describe(data: &[u8], official_only: bool) -> Vec<Option<FontInfo>> {
    let faces = ttf_parser::fonts_in_collection(data).unwrap_or(1);
    (0..faces)
        .map(|index| {
            if official_only && !is_official(data, index) {
                return None;
            }
            FontInfo::new(data, index)
        })
        .collect()
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

/// The official fonts of Chinese government documents, as their family names read (English and
/// Chinese): the first choices of the font roles in `templates/gbt9704.typ`. Installed on the
/// system, they are preferred to the bundled open fonts.
pub const OFFICIAL_FAMILIES: &[&str] = &[
    "FZXiaoBiaoSong-B05S",
    "FZXiaoBiaoSong-B05",
    "方正小标宋简体",
    "方正小标宋_GBK",
    "FangSong_GB2312",
    "仿宋_GB2312",
    "FangSong",
    "仿宋",
    "KaiTi_GB2312",
    "楷体_GB2312",
    "KaiTi",
    "楷体",
    "SimHei",
    "黑体",
    "SimSun",
    "宋体",
];

/// Whether face `index` of a font file names itself (family or typographic family, in any
/// language) as one of [`OFFICIAL_FAMILIES`]. Reads only the name table.
fn is_official(data: &[u8], index: u32) -> bool {
    let Ok(face) = ttf_parser::Face::parse(data, index) else {
        return false;
    };
    face.names().into_iter().any(|name| {
        matches!(
            name.name_id,
            ttf_parser::name_id::FAMILY | ttf_parser::name_id::TYPOGRAPHIC_FAMILY
        ) && name.to_string().is_some_and(|n| {
            OFFICIAL_FAMILIES
                .iter()
                .any(|f| f.eq_ignore_ascii_case(n.trim()))
        })
    })
}

/// The operating system's font folders (those that exist).
pub fn system_font_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if cfg!(target_os = "windows") {
        if let Some(windir) = std::env::var_os("WINDIR").or_else(|| std::env::var_os("SystemRoot"))
        {
            dirs.push(PathBuf::from(windir).join("Fonts"));
        }
        if let Some(local) = std::env::var_os("LOCALAPPDATA") {
            dirs.push(PathBuf::from(local).join("Microsoft/Windows/Fonts"));
        }
    } else if cfg!(target_os = "macos") {
        dirs.push("/System/Library/Fonts".into());
        dirs.push("/Library/Fonts".into());
        if let Some(h) = &home {
            dirs.push(h.join("Library/Fonts"));
        }
    } else {
        dirs.push("/usr/share/fonts".into());
        dirs.push("/usr/local/share/fonts".into());
        if let Some(data) = std::env::var_os("XDG_DATA_HOME") {
            dirs.push(PathBuf::from(data).join("fonts"));
        } else if let Some(h) = &home {
            dirs.push(h.join(".local/share/fonts"));
        }
        if let Some(h) = &home {
            dirs.push(h.join(".fonts"));
        }
    }
    dirs.into_iter().filter(|d| d.is_dir()).collect()
}

/// How deep [`font_files`] looks below a font folder: a file in the folder itself is at depth 1.
pub(crate) const MAX_FONT_DEPTH: usize = 8;

/// How many folder entries [`font_files`] looks at in one font folder, at most.
pub(crate) const MAX_FONT_ENTRIES: usize = 10_000;

/// File systems of the kernel, never font folders: walking them takes forever (`/proc` holds a
/// link to `/` for every process) and reading their files can block.
const PSEUDO_FILE_SYSTEMS: &[&str] = &["/proc", "/sys", "/dev"];

fn is_pseudo(path: &Path) -> bool {
    PSEUDO_FILE_SYSTEMS.iter().any(|p| path.starts_with(p))
}

/// The font files under `dir`, sorted, as paths under `dir`.
///
/// The walk is bounded whatever the folder holds: folders are visited nearest first, at most
/// [`MAX_FONT_DEPTH`] deep and [`MAX_FONT_ENTRIES`] entries in all; a symlinked folder is
/// entered only when it leads to a folder inside `dir` not visited yet (so a link loop or a link
/// to `/` is not followed); a symlinked font file is read wherever it points (a font folder may
/// link to fonts kept elsewhere, such as a Windows partition). `/proc`, `/sys` and `/dev` are
/// never walked nor read. Unreadable folders are skipped.
fn font_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(root) = dir.canonicalize() else {
        return Vec::new();
    };
    if is_pseudo(&root) {
        return Vec::new();
    }
    let mut files = Vec::new();
    let mut visited: HashSet<PathBuf> = HashSet::from([root.clone()]);
    let mut queue: VecDeque<(PathBuf, usize)> = VecDeque::from([(dir.to_path_buf(), 0)]);
    let mut looked_at = 0usize;
    while let Some((folder, depth)) = queue.pop_front() {
        let Ok(read) = std::fs::read_dir(&folder) else {
            continue;
        };
        let mut entries: Vec<std::fs::DirEntry> = read.filter_map(Result::ok).collect();
        entries.sort_by_key(|e| e.file_name());
        for entry in entries {
            looked_at += 1;
            if looked_at > MAX_FONT_ENTRIES {
                files.sort();
                return files;
            }
            let Ok(kind) = entry.file_type() else {
                continue;
            };
            let path = entry.path();
            if kind.is_dir() {
                if depth + 1 < MAX_FONT_DEPTH
                    && let Ok(real) = path.canonicalize()
                    && !is_pseudo(&real)
                    && visited.insert(real)
                {
                    queue.push_back((path, depth + 1));
                }
            } else if kind.is_symlink() {
                let Ok(real) = path.canonicalize() else {
                    continue; // A dangling link.
                };
                if is_pseudo(&real) {
                    continue;
                }
                let Ok(meta) = std::fs::metadata(&real) else {
                    continue;
                };
                if meta.is_dir() {
                    if depth + 1 < MAX_FONT_DEPTH && real.starts_with(&root) && visited.insert(real)
                    {
                        queue.push_back((path, depth + 1));
                    }
                } else if meta.is_file() && is_font_file(&path) {
                    files.push(path);
                }
            } else if kind.is_file() && is_font_file(&path) {
                files.push(path);
            }
        }
    }
    files.sort();
    files
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
    use super::*;

    #[test]
    fn ranges_collapse_runs() {
        assert_eq!(
            ranges_of([1, 2, 3, 7, 9, 10].into_iter()),
            vec![(1, 3), (7, 7), (9, 10)]
        );
        assert!(ranges_of(std::iter::empty()).is_empty());
    }

    #[test]
    fn default_fonts_are_indexed_from_their_metadata_as_from_their_data() {
        for font in yingsu_fonts::all() {
            let from_meta = FontInfo::new(&font.metadata().unwrap(), 0);
            let from_data = FontInfo::new(font.data().unwrap(), 0);
            assert!(from_meta.is_some(), "{}", font.name());
            assert_eq!(from_meta, from_data, "{}", font.name());
        }
    }

    #[test]
    fn default_fonts_come_after_the_folders_and_are_loaded_on_use() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        std::fs::copy(repo_font(), dir.join("fang.ttf")).unwrap();
        let store = FontStore::scan(
            std::slice::from_ref(&dir),
            yingsu_fonts::all(),
            &[],
            &mut FaceCache::none(),
        )
        .unwrap();
        let faces = store.faces();
        // The folder's FandolFang wins; the other default fonts come from the program.
        let fang: Vec<_> = faces.iter().filter(|(f, _)| f == "FandolFang R").collect();
        assert_eq!(fang.len(), 1);
        assert!(fang[0].1.starts_with(&dir), "{:?}", fang[0].1);
        let kai = faces.iter().find(|(f, _)| f == "FandolKai").unwrap();
        assert_eq!(
            kai.1,
            Path::new(EMBEDDED_FONTS_DIR).join("fandol/FandolKai-Regular.ttf")
        );
        let index = faces.iter().position(|(f, _)| f == "FandolKai").unwrap();
        let font = store.font(index).unwrap();
        assert_eq!(font.data().len(), 8_689_924);
        assert_eq!(font.info().family, "FandolKai");
    }

    /// Every face of a store with its description and file, in index order.
    fn described(store: &FontStore) -> Vec<(FontInfo, PathBuf)> {
        (0..store.slots.len())
            .map(|i| {
                (
                    store.book.info(i).unwrap().clone(),
                    store.slots[i].path.clone(),
                )
            })
            .collect()
    }

    #[test]
    fn the_description_cache_answers_as_the_font_files_do() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("fonts");
        let system = tmp.path().join("system");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&system).unwrap();
        std::fs::copy(repo_font(), dir.join("a.ttf")).unwrap();
        std::fs::write(dir.join("broken.ttf"), b"not a font").unwrap();
        // Not an official font: a system folder contributes nothing from it.
        std::fs::copy(repo_font(), system.join("s.ttf")).unwrap();
        let cache_file = tmp.path().join("index/fonts.bin");
        let scan = |program: &str| {
            let mut cache = FaceCache::open(cache_file.clone(), program.to_string());
            let store = FontStore::scan(
                std::slice::from_ref(&dir),
                yingsu_fonts::all(),
                std::slice::from_ref(&system),
                &mut cache,
            )
            .unwrap();
            cache.save();
            described(&store)
        };
        let plain = described(
            &FontStore::scan(
                std::slice::from_ref(&dir),
                yingsu_fonts::all(),
                std::slice::from_ref(&system),
                &mut FaceCache::none(),
            )
            .unwrap(),
        );
        assert_eq!(plain[0].0.family, "FandolFang R");
        assert_eq!(scan("p"), plain, "cold");
        assert!(cache_file.is_file());
        // Files younger than the settled rule's two seconds are read again, whatever the cache.
        std::thread::sleep(std::time::Duration::from_millis(2100));
        assert_eq!(scan("p"), plain, "young files");
        let written = std::fs::read(&cache_file).unwrap();
        assert_eq!(scan("p"), plain, "warm");
        assert_eq!(
            std::fs::read(&cache_file).unwrap(),
            written,
            "not rewritten"
        );

        // The cache is what answers for settled files: a description altered in it shows...
        let json = crate::derived::unseal(&written).unwrap();
        let altered = String::from_utf8(json.to_vec())
            .unwrap()
            .replace("\"FandolFang R\"", "\"Altered\"");
        let altered = crate::derived::seal(altered.into_bytes());
        std::fs::write(&cache_file, &altered).unwrap();
        assert_eq!(scan("p")[0].0.family, "Altered");
        // ...but not for another program, nor once the file changed behind its back, even
        // with its old modification time put back (the change time cannot be).
        assert_eq!(scan("q"), plain, "another program");
        std::fs::write(&cache_file, &altered).unwrap();
        let old = std::fs::metadata(dir.join("a.ttf"))
            .unwrap()
            .modified()
            .unwrap();
        std::fs::copy(
            repo_font().with_file_name("FandolKai-Regular.ttf"),
            dir.join("a.ttf"),
        )
        .unwrap();
        std::fs::File::options()
            .write(true)
            .open(dir.join("a.ttf"))
            .unwrap()
            .set_modified(old)
            .unwrap();
        let after = scan("p");
        assert_eq!(after[0].0.family, "FandolKai");
        assert!(
            after
                .iter()
                .filter(|(_, path)| path.starts_with(&dir))
                .all(|(info, _)| info.family != "Altered")
        );

        // A damaged or truncated cache answers as no cache.
        for damaged in [
            &b"{"[..],
            b"",
            b"\x00\xff garbage",
            &written[..written.len() / 2],
        ] {
            std::fs::write(&cache_file, damaged).unwrap();
            assert_eq!(scan("p")[0].0.family, "FandolKai");
        }
    }

    fn repo_font() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fonts/fandol/FandolFang-Regular.ttf")
    }

    #[test]
    #[cfg(unix)]
    fn link_loops_and_links_to_the_root_are_not_followed() {
        use std::os::unix::fs::symlink;
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("a/b")).unwrap();
        std::fs::copy(repo_font(), d.join("a/b/FandolFang-Regular.ttf")).unwrap();
        symlink(d, d.join("a/b/loop")).unwrap();
        symlink("..", d.join("a/up")).unwrap();
        symlink("/", d.join("root")).unwrap();
        symlink("/proc", d.join("proc")).unwrap();
        symlink("/dev/zero", d.join("zero.ttf")).unwrap();
        symlink(d.join("missing.ttf"), d.join("dangling.ttf")).unwrap();
        // A link to a folder inside is entered once; one to a font file is read.
        symlink(d.join("a/b"), d.join("fonts")).unwrap();
        symlink(d.join("a/b/FandolFang-Regular.ttf"), d.join("linked.ttf")).unwrap();
        let started = std::time::Instant::now();
        let files = font_files(d);
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
        // Each folder is walked once, by the first way to it found nearest the top: `a/b` as
        // `fonts` (depth 1) before `a/b` itself (depth 2).
        assert_eq!(
            files,
            vec![d.join("fonts/FandolFang-Regular.ttf"), d.join("linked.ttf")]
        );
        let store = FontStore::scan(&[d.to_path_buf()], &[], &[], &mut FaceCache::none()).unwrap();
        let families: Vec<String> = store.faces().into_iter().map(|(f, _)| f).collect();
        assert_eq!(families, vec!["FandolFang R".to_string()]);
    }

    #[test]
    fn kernel_file_systems_are_not_walked() {
        let started = std::time::Instant::now();
        for dir in ["/proc", "/sys", "/dev", "/proc/self"] {
            assert!(font_files(Path::new(dir)).is_empty(), "{dir}");
        }
        let fonts = repo_font().parent().unwrap().to_path_buf();
        let store = FontStore::scan(
            &[PathBuf::from("/proc"), PathBuf::from("/sys"), fonts],
            &[],
            &[],
            &mut FaceCache::none(),
        )
        .unwrap();
        assert!(!store.faces().is_empty());
        assert!(started.elapsed() < std::time::Duration::from_secs(10));
    }

    #[test]
    fn walking_the_whole_file_system_stops_at_the_bounds() {
        let started = std::time::Instant::now();
        let _ = font_files(Path::new("/"));
        assert!(started.elapsed() < std::time::Duration::from_secs(30));
    }

    #[test]
    fn deep_folders_stop_at_the_depth_bound() {
        let dir = tempfile::tempdir().unwrap();
        let mut deep = dir.path().to_path_buf();
        for i in 0..MAX_FONT_DEPTH {
            deep.push(format!("d{i}"));
        }
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("x.ttf"), b"").unwrap();
        let mut shallow = dir.path().to_path_buf();
        for i in 0..MAX_FONT_DEPTH - 1 {
            shallow.push(format!("d{i}"));
        }
        std::fs::write(shallow.join("y.ttf"), b"").unwrap();
        assert_eq!(font_files(dir.path()), vec![shallow.join("y.ttf")]);
    }
}
