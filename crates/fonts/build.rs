//! Writes the table of the default fonts of the repository's `fonts/` folder (`fonts.rs` in
//! `OUT_DIR`) that the crate includes. The faces documents set their text in (Fandol) are
//! included as they are, so that the program maps them like any font file and a document pays
//! nothing to open them. The full-coverage fallback faces ([`COMPRESSED`], 50 MB, needed only
//! for rare characters) are deflated into `OUT_DIR`, with their metadata tables (names, character
//! map, metrics headers) deflated apart, so that the program indexes them while inflating one
//! only when a document uses it.
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The tables a font's description (family, variant, flags, coverage) is read from: those
/// ttf-parser requires to open a face (`head`, `hhea`, `maxp`) and those typst's `FontInfo`
/// reads (`name`, `cmap`, `OS/2`, `post`, `MATH`, `fvar`).
const META_TABLES: &[&[u8; 4]] = &[
    b"OS/2", b"MATH", b"cmap", b"fvar", b"head", b"hhea", b"maxp", b"name", b"post",
];

/// The folders under `fonts/` whose fonts are compressed into the program: the fallback faces.
const COMPRESSED: &[&str] = &["hanazono/"];

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR"));
    let fonts = manifest.join("../../fonts");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    println!("cargo:rerun-if-changed={}", fonts.display());
    let mut files = Vec::new();
    collect(&fonts, &mut files);
    files.sort();
    let mut table = String::from("[\n");
    let mut licenses = String::from("[\n");
    let mut count = 0usize;
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let rel = file
            .strip_prefix(&fonts)
            .expect("under fonts/")
            .to_string_lossy()
            .replace('\\', "/");
        let ext = file
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase)
            .unwrap_or_default();
        let data = std::fs::read(file).expect("read font file");
        if matches!(ext.as_str(), "ttf" | "otf") {
            let meta = meta_font(&data)
                .unwrap_or_else(|| panic!("{}: not a single-face TrueType/OpenType font", rel));
            if COMPRESSED.iter().any(|dir| rel.starts_with(dir)) {
                let full_z = out.join(format!("font{count}.deflate"));
                let meta_z = out.join(format!("font{count}.meta.deflate"));
                write_if_changed(&full_z, &miniz_oxide::deflate::compress_to_vec(&data, 9));
                write_if_changed(&meta_z, &miniz_oxide::deflate::compress_to_vec(&meta, 9));
                writeln!(
                    table,
                    "    EmbeddedFont::deflated({rel:?}, {}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/font{count}.deflate\")), {}, include_bytes!(concat!(env!(\"OUT_DIR\"), \"/font{count}.meta.deflate\"))),",
                    data.len(),
                    meta.len(),
                )
                .expect("write");
            } else {
                writeln!(
                    table,
                    "    EmbeddedFont::raw({rel:?}, include_bytes!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../fonts/{rel}\"))),"
                )
                .expect("write");
            }
            count += 1;
        } else if is_license(file) {
            writeln!(
                licenses,
                "    ({rel:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../../fonts/{rel}\"))),"
            )
            .expect("write");
        }
    }
    table.push(']');
    licenses.push(']');
    let source = format!(
        "/// The default fonts, by their path under `fonts/`.\n\
         pub static FONTS: [EmbeddedFont; {count}] = {table};\n\
         /// The licences of the default fonts, by their path under `fonts/`.\n\
         pub static LICENSES: &[(&str, &str)] = &{licenses};\n"
    );
    write_if_changed(&out.join("fonts.rs"), source.as_bytes());
}

/// Files under `dir`, recursively.
fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            println!("cargo:rerun-if-changed={}", path.display());
            collect(&path, files);
        } else {
            files.push(path);
        }
    }
}

/// The licence texts that must travel with the fonts.
fn is_license(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    matches!(
        name,
        "COPYING" | "COPYRIGHT" | "LICENSE" | "README" | "README.txt"
    )
}

/// Writes `data` unless the file already holds it, so an unchanged font keeps its timestamp.
fn write_if_changed(path: &Path, data: &[u8]) {
    if std::fs::read(path).is_ok_and(|old| old == data) {
        return;
    }
    std::fs::write(path, data).expect("write OUT_DIR file");
}

fn be16(d: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_be_bytes(d.get(at..at + 2)?.try_into().ok()?))
}

fn be32(d: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(d.get(at..at + 4)?.try_into().ok()?))
}

/// A font holding only the [`META_TABLES`] of a single-face font file.
fn meta_font(data: &[u8]) -> Option<Vec<u8>> {
    let version = be32(data, 0)?;
    if !matches!(version, 0x0001_0000 | 0x4F54_544F | 0x7472_7565) {
        return None; // Not a single-face sfnt (a collection or something else).
    }
    let count = be16(data, 4)? as usize;
    let mut tables: Vec<([u8; 4], &[u8])> = Vec::new();
    for i in 0..count {
        let rec = 12 + 16 * i;
        let tag: [u8; 4] = data.get(rec..rec + 4)?.try_into().ok()?;
        if !META_TABLES.iter().any(|t| **t == tag) {
            continue;
        }
        let offset = be32(data, rec + 8)? as usize;
        let length = be32(data, rec + 12)? as usize;
        tables.push((tag, data.get(offset..offset + length)?));
    }
    tables.sort_by_key(|(tag, _)| *tag);
    let n = tables.len() as u16;
    let entry_selector = 15 - n.max(1).leading_zeros() as u16;
    let search_range = (1u16 << entry_selector) * 16;
    let mut out = Vec::new();
    out.extend_from_slice(&version.to_be_bytes());
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(&search_range.to_be_bytes());
    out.extend_from_slice(&entry_selector.to_be_bytes());
    out.extend_from_slice(&(n * 16 - search_range).to_be_bytes());
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    for (tag, table) in &tables {
        let checksum = table
            .chunks(4)
            .map(|c| {
                let mut word = [0u8; 4];
                word[..c.len()].copy_from_slice(c);
                u32::from_be_bytes(word)
            })
            .fold(0u32, u32::wrapping_add);
        out.extend_from_slice(tag);
        out.extend_from_slice(&checksum.to_be_bytes());
        out.extend_from_slice(&(offset as u32).to_be_bytes());
        out.extend_from_slice(&(table.len() as u32).to_be_bytes());
        body.extend_from_slice(table);
        while body.len() % 4 != 0 {
            body.push(0);
        }
        offset = 12 + 16 * tables.len() + body.len();
    }
    out.extend_from_slice(&body);
    Some(out)
}
