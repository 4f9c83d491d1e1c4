//! Blessing expected outputs for review: with `YINGSU_BLESS=1` a test writes what it got beside
//! the expected file as `<expected>.new` instead of overwriting it; a person compares the two
//! (`diff a.txt a.txt.new`) and renames the `.new` file over the old one when the change is
//! right. A `.new` file left from an earlier run is removed once the output matches again.

use std::path::{Path, PathBuf};

/// Whether this run blesses: `YINGSU_BLESS` is set.
pub fn blessing() -> bool {
    std::env::var_os("YINGSU_BLESS").is_some()
}

/// The file a blessed output goes to for review: `<expected>.new`, beside `expected`.
pub fn new_path(expected: &Path) -> PathBuf {
    let mut name = expected.as_os_str().to_owned();
    name.push(".new");
    PathBuf::from(name)
}

/// Bless `got` for `expected`: when it differs from the expected file (or there is none), write
/// it to `<expected>.new` and return that path; when it matches, remove a stale `.new` file and
/// return `None`. The expected file itself is never written.
pub fn write_new(expected: &Path, got: &[u8]) -> Option<PathBuf> {
    let new = new_path(expected);
    if std::fs::read(expected).is_ok_and(|want| want == got) {
        let _ = std::fs::remove_file(&new);
        return None;
    }
    if let Some(dir) = new.parent() {
        std::fs::create_dir_all(dir).unwrap();
    }
    std::fs::write(&new, got).unwrap();
    Some(new)
}

/// Say on standard error which `.new` files a blessing run wrote, for review.
pub fn report(written: &[PathBuf]) {
    if written.is_empty() {
        return;
    }
    eprintln!(
        "YINGSU_BLESS: {} file(s) written for review; compare each with the file without `.new` and rename it over that file when right:",
        written.len()
    );
    for p in written {
        eprintln!("  {}", p.display());
    }
}
