//! The default fonts of yingsu (Fandol and Hanazono, from the repository's `fonts/`), compressed
//! into the program at build time: this crate owns keeping them and inflating each on demand, so
//! that a copied `yingsu` binary typesets with no font files beside it. Each font comes with its
//! metadata tables apart ([`EmbeddedFont::metadata`]), enough to index it; its whole data
//! ([`EmbeddedFont::data`]) is inflated only when a document uses the face, once per process.

use std::sync::OnceLock;

/// One default font file, compressed.
pub struct EmbeddedFont {
    name: &'static str,
    size: usize,
    data: &'static [u8],
    meta_size: usize,
    meta: &'static [u8],
    inflated: OnceLock<Option<Box<[u8]>>>,
}

impl EmbeddedFont {
    const fn new(
        name: &'static str,
        size: usize,
        data: &'static [u8],
        meta_size: usize,
        meta: &'static [u8],
    ) -> Self {
        Self {
            name,
            size,
            data,
            meta_size,
            meta,
            inflated: OnceLock::new(),
        }
    }

    /// The file's path under `fonts/`, e.g. `fandol/FandolFang-Regular.ttf`.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// The size of the font file, uncompressed.
    pub fn size(&self) -> usize {
        self.size
    }

    /// The size of the font as compiled into the program.
    pub fn compressed_size(&self) -> usize {
        self.data.len() + self.meta.len()
    }

    /// A font holding only the tables that describe the face (names, character map, style and
    /// metrics headers): enough to index it, not to draw it. `None` only if the program is
    /// damaged.
    pub fn metadata(&self) -> Option<Vec<u8>> {
        inflate(self.meta, self.meta_size)
    }

    /// Whether [`EmbeddedFont::data`] has been called in this process (the font is in memory).
    pub fn is_inflated(&self) -> bool {
        self.inflated.get().is_some()
    }

    /// The whole font file, inflated on the first call and kept for the life of the process.
    /// `None` only if the program is damaged.
    pub fn data(&'static self) -> Option<&'static [u8]> {
        self.inflated
            .get_or_init(|| inflate(self.data, self.size).map(Vec::into_boxed_slice))
            .as_deref()
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
    fn every_font_inflates_to_its_size_and_keeps_its_tables() {
        assert!(!all().is_empty());
        for font in all() {
            let data = font.data().expect("inflates");
            assert_eq!(data.len(), font.size(), "{}", font.name());
            let meta = font.metadata().expect("meta inflates");
            assert_eq!(&meta[..4], &data[..4], "{}", font.name());
            assert!(meta.len() < data.len() / 4, "{}", font.name());
        }
    }

    #[test]
    fn licences_travel_with_the_fonts() {
        let names: Vec<&str> = LICENSES.iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"fandol/COPYING"), "{names:?}");
        assert!(names.contains(&"hanazono/COPYRIGHT"), "{names:?}");
    }
}
