//! The default fonts of yingsu (Fandol and Hanazono, from the repository's `fonts/`), compiled
//! into the program: this crate owns keeping them and handing out their data, so that a copied
//! `yingsu` binary typesets with no font files beside it. The faces documents set their text in
//! (Fandol) are kept as they are: their data is the program's own memory, mapped from the binary
//! like a font file, so a command pays nothing to open them. The full-coverage fallback faces
//! (Hanazono, 50 MB, needed only for rare characters) are kept deflated, with their metadata
//! tables apart ([`EmbeddedFont::metadata`]), enough to index them; one is inflated only when a
//! document uses it, once per process.

use std::borrow::Cow;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};

/// How a default font is kept in the program.
enum Stored {
    /// The font file as it is.
    Raw(&'static [u8]),
    /// The font file and its metadata tables, each deflated, with their sizes uncompressed.
    Deflated {
        size: usize,
        data: &'static [u8],
        meta_size: usize,
        meta: &'static [u8],
        inflated: OnceLock<Option<Box<[u8]>>>,
    },
}

/// One default font file.
pub struct EmbeddedFont {
    name: &'static str,
    stored: Stored,
    loaded: AtomicBool,
}

impl EmbeddedFont {
    const fn raw(name: &'static str, data: &'static [u8]) -> Self {
        Self {
            name,
            stored: Stored::Raw(data),
            loaded: AtomicBool::new(false),
        }
    }

    const fn deflated(
        name: &'static str,
        size: usize,
        data: &'static [u8],
        meta_size: usize,
        meta: &'static [u8],
    ) -> Self {
        Self {
            name,
            stored: Stored::Deflated {
                size,
                data,
                meta_size,
                meta,
                inflated: OnceLock::new(),
            },
            loaded: AtomicBool::new(false),
        }
    }

    /// The file's path under `fonts/`, e.g. `fandol/FandolFang-Regular.ttf`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The size of the font file.
    pub fn size(&self) -> usize {
        match &self.stored {
            Stored::Raw(data) => data.len(),
            Stored::Deflated { size, .. } => *size,
        }
    }

    /// The size of the font as compiled into the program.
    pub fn stored_size(&self) -> usize {
        match &self.stored {
            Stored::Raw(data) => data.len(),
            Stored::Deflated { data, meta, .. } => data.len() + meta.len(),
        }
    }

    /// Whether the font is kept deflated (inflated when a document first uses it).
    pub fn is_compressed(&self) -> bool {
        matches!(self.stored, Stored::Deflated { .. })
    }

    /// A font holding at least the tables that describe the face (names, character map, style
    /// and metrics headers): enough to index it. For a font kept as it is, the whole font; for a
    /// compressed one, those tables alone, inflated (not enough to draw it). `None` only if the
    /// program is damaged.
    pub fn metadata(&self) -> Option<Cow<'static, [u8]>> {
        match &self.stored {
            Stored::Raw(data) => Some(Cow::Borrowed(data)),
            Stored::Deflated {
                meta_size, meta, ..
            } => inflate(meta, *meta_size).map(Cow::Owned),
        }
    }

    /// Whether [`EmbeddedFont::data`] has been called in this process (a document uses the
    /// face; a compressed one is then in memory).
    pub fn is_loaded(&self) -> bool {
        self.loaded.load(Ordering::Relaxed)
    }

    /// The whole font file; a compressed one is inflated on the first call and kept for the
    /// life of the process. `None` only if the program is damaged.
    pub fn data(&'static self) -> Option<&'static [u8]> {
        self.loaded.store(true, Ordering::Relaxed);
        match &self.stored {
            Stored::Raw(data) => Some(data),
            Stored::Deflated {
                size,
                data,
                inflated,
                ..
            } => inflated
                .get_or_init(|| inflate(data, *size).map(Vec::into_boxed_slice))
                .as_deref(),
        }
    }
}

fn inflate(data: &[u8], size: usize) -> Option<Vec<u8>> {
    let out = miniz_oxide::inflate::decompress_to_vec_with_limit(data, size).ok()?;
    (out.len() == size).then_some(out)
}

include!(concat!(env!("OUT_DIR"), "/fonts.rs"));

/// Every default font, in the order of their paths.
pub fn all() -> &'static [EmbeddedFont] {
    &FONTS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_font_has_its_size_and_keeps_its_tables() {
        assert!(!all().is_empty());
        for font in all() {
            let data = font.data().expect("inflates");
            assert_eq!(data.len(), font.size(), "{}", font.name());
            let meta = font.metadata().expect("meta inflates");
            assert_eq!(&meta[..4], &data[..4], "{}", font.name());
            if font.is_compressed() {
                assert!(meta.len() < data.len() / 4, "{}", font.name());
                assert!(font.stored_size() < font.size(), "{}", font.name());
            } else {
                assert_eq!(&meta[..], data, "{}", font.name());
            }
        }
    }

    #[test]
    fn the_fallback_faces_alone_are_compressed() {
        let compressed: Vec<&str> = all()
            .iter()
            .filter(|f| f.is_compressed())
            .map(|f| f.name())
            .collect();
        assert_eq!(
            compressed,
            ["hanazono/HanaMinA.ttf", "hanazono/HanaMinB.ttf"]
        );
    }

    #[test]
    fn licences_travel_with_the_fonts() {
        let names: Vec<&str> = LICENSES.iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"fandol/COPYING"), "{names:?}");
        assert!(names.contains(&"hanazono/COPYRIGHT"), "{names:?}");
    }
}
