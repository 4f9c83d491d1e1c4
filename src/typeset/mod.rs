//! Typesetting stage of yingsu: this module owns everything between a filled-in
//! document (a typst template plus JSON data) and the finished PDF/A-2b file.
//!
//! Typst is used as a library. A [`Typesetter`] is built once per process: it
//! indexes the fonts of the configured directories (memory-mapped, parsed
//! lazily) and builds typst's standard library. Every [`Job`] is compiled in
//! its own [`world::JobWorld`], which serves the job's templates from memory,
//! the data as `/data.json` (and its `protected` names alone as `/protected.json`), and
//! nothing else unless a root directory is given (file access is then jailed to that
//! directory).
//!
//! The layout rules of GB/T 9704-2012 live in the typst library
//! `templates/gbt9704.typ`, available here as [`LAYOUT_LIBRARY`]; document
//! templates import it and read their data with `json("/data.json")`, so
//! untrusted text is always data and never markup. Body paragraphs are broken into
//! lines on the 28-character grid by [`linebreak`], which the library calls as a native
//! function added to typst's global scope.
//!
//! Before compiling, [`Typesetter::pdf`] runs [`Typesetter::check_coverage`]
//! so a character no font can show fails with a clear message instead of
//! rendering as a blank box ("tofu").

mod error;
mod facecache;
mod fonts;
pub mod linebreak;
mod syntax;
mod world;

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

use typst::foundations::Smart;
use typst::syntax::{FileId, Source};
use typst::utils::LazyHash;
use typst::{Library, LibraryExt};
use typst_layout::PagedDocument;
use typst_pdf::{PdfOptions, PdfStandard, PdfStandards, Timestamp};

pub use self::error::{Diagnostic, TypesetError};
pub use self::facecache::FaceCache;
pub use self::fonts::{EMBEDDED_FONTS_DIR, OFFICIAL_FAMILIES, system_font_dirs};
pub use self::syntax::syntax_errors;
pub use self::world::DATA_PATH;
// The threading helpers moved to `crate::par`; their old paths keep working.
pub use crate::par::{WORKER_STACK, beside, for_each_parallel};

/// The GB/T 9704-2012 layout library (`templates/gbt9704.typ`).
pub const LAYOUT_LIBRARY: &str = include_str!("../../templates/gbt9704.typ");

/// The virtual path under which templates import [`LAYOUT_LIBRARY`].
pub const LAYOUT_LIBRARY_PATH: &str = "/gbt9704.typ";

/// Font families of the body role (仿宋), in order of preference, as typst
/// reads them. The last two are the full-coverage fallbacks; a character no
/// face of this chain covers is refused by [`Typesetter::check_coverage`].
pub(crate) const BODY_FONTS: &[&str] = &[
    "FangSong_GB2312",
    "仿宋_GB2312",
    "FangSong",
    "仿宋",
    "FandolFang R",
    "FandolFang",
    "HanaMinA",
    "HanaMinB",
];

/// The font roles of the layout library (its `fonts` dictionary, kept equal
/// by a test): key, what the role sets, families in order of preference.
pub const FONT_ROLES: &[(&str, &str, &[&str])] = &[
    (
        "xbs",
        "小标宋（发文机关标志、标题）",
        &[
            "FZXiaoBiaoSong-B05S",
            "方正小标宋简体",
            "FZXiaoBiaoSong-B05",
            "FandolSong",
            "HanaMinA",
            "HanaMinB",
        ],
    ),
    ("fang", "仿宋（正文）", BODY_FONTS),
    (
        "kai",
        "楷体（二级标题、签发人）",
        &[
            "KaiTi_GB2312",
            "楷体_GB2312",
            "KaiTi",
            "楷体",
            "FandolKai",
            "HanaMinA",
            "HanaMinB",
        ],
    ),
    (
        "hei",
        "黑体（一级标题、附件标识）",
        &["SimHei", "黑体", "FandolHei", "HanaMinA", "HanaMinB"],
    ),
    (
        "song",
        "宋体（页码）",
        &["SimSun", "宋体", "FandolSong", "HanaMinA", "HanaMinB"],
    ),
];

/// Memoized results are evicted after every `EVICT_EVERY` compilations
/// (process-wide), dropping those unused for `EVICT_MAX_AGE` evictions. The
/// evaluated layout library and the page furniture shared by all documents
/// are used by every compilation and so stay cached; per-document results go
/// after at most `EVICT_EVERY * (EVICT_MAX_AGE + 1)` documents. Evicting after
/// every single document serialises parallel workers on comemo's cache lock
/// (see `BENCHMARKS.md`).
pub(crate) const EVICT_EVERY: usize = 16;

/// The most pages one document may have: a longer one is refused rather than written (a case
/// file with runaway text would otherwise make a letter of hundreds of pages).
pub const MAX_PAGES: usize = 200;

/// See [`EVICT_EVERY`].
pub(crate) const EVICT_MAX_AGE: usize = 2;

/// One document to typeset.
#[derive(Debug, Clone)]
pub struct Job {
    /// Virtual path of the main template, e.g. `/main.typ`.
    pub main: String,
    /// Virtual path → typst source; must contain `main` and every template
    /// the main one imports (normally also [`LAYOUT_LIBRARY_PATH`]). The
    /// sources are shared, so a batch of jobs holds each template once.
    pub files: BTreeMap<String, Arc<str>>,
    /// The document's data, served as `/data.json`.
    pub data: serde_json::Value,
    /// The document date: typst's `today()`, and the PDF creation date.
    pub date: chrono::NaiveDate,
    /// A stable identifier of the document (e.g. case number + document
    /// kind); the PDF's document ID is derived from it.
    pub ident: String,
    /// Optional directory the templates may read other files from (images);
    /// without it, only the job's files and `/data.json` exist.
    pub root: Option<PathBuf>,
    /// Virtual path → bytes of files given to the job as they were read once (a case's
    /// attachments, checked against their hashes): the templates read them at these paths,
    /// never from the disk.
    pub blobs: BTreeMap<String, typst::foundations::Bytes>,
}

/// The number of pages of the PDF `pdf`, or `None` when it cannot be read (damaged,
/// encrypted) or has no page.
pub fn pdf_pages(pdf: &[u8]) -> Option<usize> {
    let doc = hayro_svg::hayro_syntax::Pdf::new(std::sync::Arc::new(pdf.to_vec())).ok()?;
    Some(doc.pages().len()).filter(|n| *n > 0)
}

/// Each page of the PDF `pdf` as an SVG document, drawn as Typst's own SVG export draws an
/// embedded PDF page (fonts the PDF does not embed are the standard 14 of Typst's assets):
/// an archived document is PDF/A, which may not embed another PDF, but may carry its pages as
/// vector images. The same bytes give the same SVGs. `None` when `pdf` cannot be read.
pub fn pdf_page_svgs(pdf: &[u8]) -> Option<Vec<String>> {
    use hayro_svg::hayro_interpret::InterpreterSettings;
    use hayro_svg::hayro_interpret::font::{FontData, FontQuery, StandardFont};
    let doc = hayro_svg::hayro_syntax::Pdf::new(std::sync::Arc::new(pdf.to_vec())).ok()?;
    let standard = |font: StandardFont| -> Option<(FontData, u32)> {
        use typst_assets::pdf as f;
        let bytes: &'static [u8] = match font {
            StandardFont::Helvetica => f::SANS,
            StandardFont::HelveticaBold => f::SANS_BOLD,
            StandardFont::HelveticaOblique => f::SANS_ITALIC,
            StandardFont::HelveticaBoldOblique => f::SANS_BOLD_ITALIC,
            StandardFont::Courier => f::FIXED,
            StandardFont::CourierBold => f::FIXED_BOLD,
            StandardFont::CourierOblique => f::FIXED_ITALIC,
            StandardFont::CourierBoldOblique => f::FIXED_BOLD_ITALIC,
            StandardFont::TimesRoman => f::SERIF,
            StandardFont::TimesBold => f::SERIF_BOLD,
            StandardFont::TimesItalic => f::SERIF_ITALIC,
            StandardFont::TimesBoldItalic => f::SERIF_BOLD_ITALIC,
            StandardFont::ZapfDingBats => f::DING_BATS,
            StandardFont::Symbol => f::SYMBOL,
        };
        Some((std::sync::Arc::new(bytes), 0))
    };
    let settings = InterpreterSettings {
        font_resolver: std::sync::Arc::new(move |query| match query {
            FontQuery::Standard(s) => standard(*s),
            FontQuery::Fallback(f) => standard(f.pick_standard_font()),
        }),
        cmap_resolver: std::sync::Arc::new(|_| None),
        warning_sink: std::sync::Arc::new(|_| {}),
        render_annotations: false,
    };
    let cache = hayro_svg::RenderCache::new();
    let render = hayro_svg::SvgRenderSettings {
        bg_color: [255, 255, 255, 255],
    };
    let pages = doc.pages();
    let svgs: Vec<String> = pages
        .iter()
        .map(|page| hayro_svg::convert(page, &cache, &settings, &render))
        .collect();
    Some(svgs).filter(|s| !s.is_empty())
}

impl Job {
    /// A job whose files are the layout library plus one main template at
    /// `/main.typ`.
    pub fn new(
        main_source: impl Into<Arc<str>>,
        data: serde_json::Value,
        date: chrono::NaiveDate,
        ident: impl Into<String>,
    ) -> Self {
        static LIBRARY: OnceLock<Arc<str>> = OnceLock::new();
        let library = LIBRARY.get_or_init(|| Arc::from(LAYOUT_LIBRARY)).clone();
        let mut files = BTreeMap::new();
        files.insert(LAYOUT_LIBRARY_PATH.to_string(), library);
        files.insert("/main.typ".to_string(), main_source.into());
        Self {
            main: "/main.typ".to_string(),
            files,
            data,
            date,
            ident: ident.into(),
            root: None,
            blobs: BTreeMap::new(),
        }
    }
}

/// typst's standard library with yingsu's native functions ([`linebreak`]).
fn library() -> Library {
    let mut library = Library::default();
    linebreak::define(library.global.scope_mut());
    library
}

/// The process-wide typesetting engine (`Send + Sync`; share it by reference).
pub struct Typesetter {
    library: LazyHash<Library>,
    fonts: fonts::FontStore,
    /// Parsed sources by file, reused while the text is unchanged so that the
    /// memoized evaluation of the layout library is hit across jobs.
    sources: Mutex<HashMap<FileId, Source>>,
    /// Number of compilations, for the eviction policy.
    compiled: AtomicUsize,
    /// Whether [`Typesetter::warm_in_background`] was called.
    warming: AtomicBool,
}

impl Typesetter {
    /// Indexes the fonts in `font_dirs` (earlier directories take precedence
    /// when a family/variant appears twice) and builds the standard library.
    pub fn new(font_dirs: &[PathBuf]) -> Result<Self, TypesetError> {
        Self::with_system_fonts(font_dirs, &[])
    }

    /// Like [`Typesetter::new`], also taking the official fonts ([`OFFICIAL_FAMILIES`]) found
    /// in `system_dirs` (see [`system_font_dirs`]), which the font roles prefer.
    pub fn with_system_fonts(
        font_dirs: &[PathBuf],
        system_dirs: &[PathBuf],
    ) -> Result<Self, TypesetError> {
        Self::build(font_dirs, &[], system_dirs, FaceCache::none())
    }

    /// Like [`Typesetter::with_system_fonts`], also taking the default fonts compiled into the
    /// program (after `font_dirs`, which take precedence for the same family and style): a
    /// typesetter that works with no font folder at all.
    pub fn with_default_fonts(
        font_dirs: &[PathBuf],
        system_dirs: &[PathBuf],
    ) -> Result<Self, TypesetError> {
        Self::with_font_cache(font_dirs, system_dirs, FaceCache::none())
    }

    /// Like [`Typesetter::with_default_fonts`], taking what each font file holds from `cache`
    /// while the file is unchanged, and writing back what it had to read.
    pub(crate) fn with_font_cache(
        font_dirs: &[PathBuf],
        system_dirs: &[PathBuf],
        cache: FaceCache,
    ) -> Result<Self, TypesetError> {
        Self::build(font_dirs, yingsu_fonts::all(), system_dirs, cache)
    }

    fn build(
        font_dirs: &[PathBuf],
        embedded: &'static [yingsu_fonts::EmbeddedFont],
        system_dirs: &[PathBuf],
        mut cache: FaceCache,
    ) -> Result<Self, TypesetError> {
        let fonts = fonts::FontStore::scan(font_dirs, embedded, system_dirs, &mut cache)?;
        cache.save();
        Ok(Self {
            library: LazyHash::new(library()),
            fonts,
            sources: Mutex::new(HashMap::new()),
            compiled: AtomicUsize::new(0),
            warming: AtomicBool::new(false),
        })
    }

    /// Makes the regular face of each font role ([`FONT_ROLES`]) ready to use: loaded, and
    /// hashed as typst hashes every face it uses. Meant for a thread of its own while the first
    /// document is read and evaluated, so that a single-document command does not wait for it.
    pub(crate) fn warm_role_fonts(&self) {
        // The body face first: every document sets most of its text in it.
        let (body, others): (Vec<_>, Vec<_>) = FONT_ROLES.iter().partition(|r| r.0 == "fang");
        for (_, _, families) in body.into_iter().chain(others) {
            self.fonts.warm(families);
        }
    }

    /// Starts [`Typesetter::warm_role_fonts`] on a thread of its own, once per typesetter.
    pub(crate) fn warm_in_background(self: &Arc<Self>) {
        if self.warming.swap(true, Ordering::Relaxed) {
            return;
        }
        let ts = Arc::clone(self);
        let _ = std::thread::Builder::new()
            .name("yingsu-fonts".into())
            .spawn(move || ts.warm_role_fonts());
    }

    /// Family name (as typst reads it) and file of every usable font face.
    pub fn font_faces(&self) -> Vec<(String, PathBuf)> {
        self.fonts.faces()
    }

    /// The font that serves a role: the first of `families` (case-insensitive)
    /// with a face, and that face's file.
    pub fn role_font(&self, families: &[&str]) -> Option<(String, PathBuf)> {
        let faces = self.font_faces();
        families.iter().find_map(|wanted| {
            faces
                .iter()
                .find(|(family, _)| family.eq_ignore_ascii_case(wanted))
                .cloned()
        })
    }

    /// Compiles a job into laid-out pages (no coverage check).
    pub fn layout(&self, job: &Job) -> Result<PagedDocument, TypesetError> {
        self.compile(job, false).map(|(document, _)| document)
    }

    /// Like [`Typesetter::layout`], also returning typst's warnings other
    /// than "unknown font family" (the font roles list the official fonts
    /// first, which most machines lack). A template that lays out without
    /// warnings has, among other things, converged: its page numbers and
    /// placements are final.
    pub fn layout_with_warnings(
        &self,
        job: &Job,
    ) -> Result<(PagedDocument, Vec<Diagnostic>), TypesetError> {
        self.compile(job, true)
    }

    /// Compiles a job; resolving warnings to file positions costs a search
    /// of the syntax tree each, so it is done only when asked for.
    fn compile(
        &self,
        job: &Job,
        warnings: bool,
    ) -> Result<(PagedDocument, Vec<Diagnostic>), TypesetError> {
        let world = world::JobWorld::new(self, job)?;
        let result = typst::compile::<PagedDocument>(&world);
        let out = result
            .output
            .map_err(|errors| TypesetError::Compile(error::convert(&world, &errors)));
        if self.compiled.fetch_add(1, Ordering::Relaxed) % EVICT_EVERY == EVICT_EVERY - 1 {
            comemo::evict(EVICT_MAX_AGE);
            release_free_memory();
        }
        let document = out?;
        if !warnings {
            return Ok((document, Vec::new()));
        }
        let wanted: Vec<_> = result
            .warnings
            .iter()
            .filter(|w| !w.message.starts_with("unknown font family"))
            .cloned()
            .collect();
        Ok((document, error::convert(&world, &wanted)))
    }

    /// Checks coverage, compiles and exports a job as PDF/A-2b. The same job
    /// always yields the same bytes.
    pub fn pdf(&self, job: &Job) -> Result<Vec<u8>, TypesetError> {
        self.check_coverage(&job.data)?;
        let document = self.layout(job)?;
        self.export(job, &document)
    }

    /// Like [`Typesetter::pdf`], also drawing each page as SVG (text as outlines) from the
    /// same compilation: what a preview on screen shows.
    pub(crate) fn pdf_and_pages(&self, job: &Job) -> Result<(Vec<u8>, Vec<String>), TypesetError> {
        self.check_coverage(&job.data)?;
        let document = self.layout(job)?;
        let pdf = self.export(job, &document)?;
        let options = typst_svg::SvgOptions {
            render_bleed: false,
            pretty: false,
        };
        let pages = document
            .pages()
            .iter()
            .map(|p| typst_svg::svg(p, &options))
            .collect();
        Ok((pdf, pages))
    }

    /// The PDF/A-2b of a laid-out job (refused past [`MAX_PAGES`] pages).
    fn export(&self, job: &Job, document: &PagedDocument) -> Result<Vec<u8>, TypesetError> {
        if document.pages().len() > MAX_PAGES {
            return Err(TypesetError::TooLong {
                pages: document.pages().len(),
                max: MAX_PAGES,
            });
        }
        let options = pdf_options(job)?;
        typst_pdf::pdf(document, &options).map_err(|errors| {
            // A world to resolve the errors' positions, made only when there are errors.
            match world::JobWorld::new(self, job) {
                Ok(world) => TypesetError::Pdf(error::convert(&world, &errors)),
                Err(e) => e,
            }
        })
    }

    /// Typesets many jobs, `threads` (at least one) at a time; results are in
    /// the order of `jobs`. See [`for_each_parallel`] for how the work is
    /// spread.
    pub fn render_batch(&self, jobs: &[Job], threads: usize) -> Vec<Result<Vec<u8>, TypesetError>> {
        for_each_parallel(jobs.iter().collect(), threads, |job| self.pdf(job))
    }

    /// Whether the body font chain ([`BODY_FONTS`] and its fallbacks) can show `c`.
    pub(crate) fn covers_body(&self, c: char) -> bool {
        self.fonts.covers(BODY_FONTS, c)
    }

    /// Fails if a string anywhere in `data` contains a character that no face
    /// of the body font chain ([`BODY_FONTS`], including the full-coverage
    /// fallbacks) can show. Control characters (line breaks, tabs) are ignored.
    pub fn check_coverage(&self, data: &serde_json::Value) -> Result<(), TypesetError> {
        let mut cache: HashMap<char, bool> = HashMap::new();
        let mut result = Ok(());
        walk_strings(data, &mut String::new(), &mut |field, s| {
            for ch in s.chars() {
                if ch.is_control() || is_zero_width(ch) {
                    continue;
                }
                if is_bidi_control(ch) {
                    result = Err(TypesetError::BidiControl {
                        code: ch as u32,
                        field: field.to_string(),
                    });
                    return false;
                }
                let ok = *cache
                    .entry(ch)
                    .or_insert_with(|| self.fonts.covers(BODY_FONTS, ch));
                if !ok {
                    result = Err(TypesetError::MissingGlyph {
                        ch,
                        code: ch as u32,
                        field: field.to_string(),
                    });
                    return false;
                }
            }
            true
        });
        result
    }

    /// The parsed source for `id`, reused from earlier jobs if unchanged.
    fn source(&self, id: FileId, text: &str) -> Source {
        let mut cache = self.sources.lock().unwrap_or_else(|e| e.into_inner());
        match cache.get(&id) {
            Some(source) if source.text() == text => source.clone(),
            _ => {
                let source = Source::new(id, text.to_string());
                cache.insert(id, source.clone());
                source
            }
        }
    }
}

/// Gives the memory freed since the last call back to the system. glibc keeps freed blocks
/// of its heaps for reuse; the mid-sized buffers of every document (a font subset, its
/// compressed stream, the PDF being written) leave holes that later, differently sized ones do
/// not fill, so a long batch grew to 250–350 MB resident while it never used more than 70 MB at
/// once (measured with heaptrack, `BENCHMARKS.md`).
fn release_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks and trims glibc's own heaps; it takes their locks itself.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Invisible characters that typeset as nothing and need no glyph: zero-width space, (non-)
/// joiners, word joiner, the byte-order mark. They come with text pasted from web pages.
fn is_zero_width(ch: char) -> bool {
    matches!(
        ch,
        '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}'
    )
}

/// Explicit bidirectional formatting characters: they reorder the text around them when
/// displayed, so a name could read differently from what was recorded.
fn is_bidi_control(ch: char) -> bool {
    matches!(ch, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// PDF/A-2b options with a document ID and creation date derived from the job.
fn pdf_options(job: &Job) -> Result<PdfOptions, TypesetError> {
    use chrono::Datelike;
    let standards = PdfStandards::new(&[PdfStandard::A_2b]).map_err(|e| {
        TypesetError::Pdf(vec![Diagnostic {
            error: true,
            file: None,
            line: None,
            column: None,
            span_chars: 0,
            message: e.message().to_string(),
            hints: e.hints().iter().map(|h| h.to_string()).collect(),
        }])
    })?;
    let date = &job.date;
    let datetime = typst::foundations::Datetime::from_ymd_hms(
        date.year(),
        date.month() as u8,
        date.day() as u8,
        0,
        0,
        0,
    )
    .ok_or_else(|| TypesetError::BadDate {
        date: date.to_string(),
    })?;
    Ok(PdfOptions {
        ident: Smart::Custom(format!("yingsu:{}:{}", job.ident, job.date)),
        creator: Smart::Custom(Some("yingsu".to_string())),
        timestamp: Some(Timestamp::new_utc(datetime)),
        standards,
        ..PdfOptions::default()
    })
}

/// Calls `f(path, string)` for every string value in `value`, where `path`
/// is like `parties.plaintiffs[0].name`; stops when `f` returns `false`.
fn walk_strings(
    value: &serde_json::Value,
    path: &mut String,
    f: &mut dyn FnMut(&str, &str) -> bool,
) -> bool {
    match value {
        serde_json::Value::String(s) => f(path, s),
        serde_json::Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                let go_on = walk_strings(item, path, f);
                path.truncate(len);
                if !go_on {
                    return false;
                }
            }
            true
        }
        serde_json::Value::Object(map) => {
            for (key, item) in map {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                let go_on = walk_strings(item, path, f);
                path.truncate(len);
                if !go_on {
                    return false;
                }
            }
            true
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fast_coverage_agrees_with_typst() {
        // The range index must answer exactly as typst's own coverage does, for
        // every code point of the BMP and the CJK extension planes.
        let fonts = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fonts");
        let ts = Typesetter::new(&[fonts]).expect("bundled fonts");
        let book = ts.fonts.book();
        let mut covered = std::collections::HashSet::new();
        for i in 0..ts.font_faces().len() {
            if let Some(info) = book.info(i)
                && BODY_FONTS
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(&info.family))
            {
                covered.extend(info.coverage.iter());
            }
        }
        assert!(covered.len() > 60_000, "{}", covered.len());
        for c in (0..0x3_2000u32).filter_map(char::from_u32) {
            let naive = covered.contains(&(c as u32));
            assert_eq!(ts.fonts.covers(BODY_FONTS, c), naive, "U+{:04X}", c as u32);
        }
    }
}
