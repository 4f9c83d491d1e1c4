//! Derived files: owns what every derived file of `.yingsu/` (the indexes, the font cache) is
//! built on — a file's [`Stamp`], the rule that says when a stamp may stand for a file's content
//! ([`Stamp::settled`]), writing a derived file whole or not at all ([`write_derived`]), and
//! sealing its bytes with a checksum ([`seal`], [`unseal`]) so that a damaged one is never read
//! as another valid one.
//! A derived file is never the source of truth: lost or stale, it only costs time.

use std::path::Path;

use serde::{Deserialize, Serialize};

/// A file whose times are this close to when it was looked at is checked by content.
pub const RACY_NS: i64 = 2_000_000_000;

/// A file's identity as `stat` gives it: size, modification and change times (ns), device and
/// inode. The change time cannot be set back by copying or `touch`, so an edited file never
/// keeps its stamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stamp(u64, i64, i64, u64, u64);

impl Stamp {
    #[cfg(unix)]
    pub fn of(m: &std::fs::Metadata) -> Option<Stamp> {
        use std::os::unix::fs::MetadataExt;
        let ns = |s: i64, n: i64| s.checked_mul(1_000_000_000)?.checked_add(n);
        Some(Stamp(
            m.size(),
            ns(m.mtime(), m.mtime_nsec())?,
            ns(m.ctime(), m.ctime_nsec())?,
            m.dev(),
            m.ino(),
        ))
    }

    /// Without a change time that a copy cannot set, a stamp proves nothing: every entry is
    /// checked by content.
    #[cfg(not(unix))]
    pub fn of(_m: &std::fs::Metadata) -> Option<Stamp> {
        None
    }

    /// The stamp of a plain file (not a link, not a folder).
    pub(crate) fn of_path(path: &Path) -> Option<Stamp> {
        let m = std::fs::symlink_metadata(path).ok()?;
        if m.file_type().is_file() {
            Stamp::of(&m)
        } else {
            None
        }
    }

    /// The stamp as bytes (for hashing into a key).
    pub fn bytes(&self) -> [u8; 40] {
        let mut out = [0; 40];
        let parts = [
            self.0.to_le_bytes(),
            self.1.to_le_bytes(),
            self.2.to_le_bytes(),
            self.3.to_le_bytes(),
            self.4.to_le_bytes(),
        ];
        for (chunk, part) in out.chunks_exact_mut(8).zip(parts) {
            chunk.copy_from_slice(&part);
        }
        out
    }

    /// Both times were old enough, at `checked`, for the stamp to stand for the content.
    pub fn settled(&self, checked: i64) -> bool {
        self.1 < checked.saturating_sub(RACY_NS) && self.2 < checked.saturating_sub(RACY_NS)
    }
}

/// The time now, in nanoseconds since 1970 (what [`Stamp::settled`] compares with).
pub fn now_ns() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_nanos()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Writes a derived file whole or not at all (a temporary file renamed into place), without
/// waiting for the disk: after a crash it may be missing or cut short, which only makes the
/// next run rebuild it.
///
/// The folder must be the workspace's own (see [`own_dir`]): a `.yingsu/` or `.yingsu/index/`
/// received as a link to somewhere else is not written through; the derived file is then not
/// kept. A link or hard link at the file's own name is replaced, never written through (the
/// temporary file is renamed over the name).
pub(crate) fn write_derived(dir: &Path, name: &str, bytes: &[u8]) {
    use std::io::Write;
    if !own_dir(dir, true) {
        return;
    }
    let Ok(mut tmp) = tempfile::NamedTempFile::new_in(dir) else {
        return;
    };
    // Readable like the workspace's other files (a temporary file is private to its owner).
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = tmp
            .as_file()
            .set_permissions(std::fs::Permissions::from_mode(0o644));
    }
    if tmp.write_all(bytes).is_ok() {
        let _ = tmp.persist(dir.join(name));
    }
}

/// The folder that holds every derived file of a workspace.
pub(crate) const DERIVED_DIR: &str = ".yingsu";

/// Whether `dir` is a folder of the workspace's own derived folder ([`DERIVED_DIR`]) that may be
/// read and written: `.yingsu/` and every folder below it down to `dir` are real folders, none a
/// symbolic link (a workspace received by git can carry `.yingsu -> /elsewhere`, and writing the
/// index through it would create or replace files outside the workspace). With `create`, the
/// folders that do not exist yet are created, one at a time, each checked after. A `dir` with no
/// `.yingsu` among its components is checked the same way from its parent down.
pub(crate) fn own_dir(dir: &Path, create: bool) -> bool {
    // From the `.yingsu` component (or `dir` itself) down to `dir`.
    let mut chain: Vec<&Path> = Vec::new();
    let mut at = Some(dir);
    while let Some(p) = at {
        chain.push(p);
        if p.file_name().is_some_and(|n| n == DERIVED_DIR) {
            break;
        }
        at = p.parent();
        if at.is_none_or(|a| a.as_os_str().is_empty()) {
            // No `.yingsu` above: only `dir` itself is checked.
            chain.truncate(1);
            break;
        }
    }
    for p in chain.into_iter().rev() {
        match std::fs::symlink_metadata(p) {
            Ok(m) if m.file_type().is_dir() => {}
            Ok(_) => return false,
            Err(e) if create && e.kind() == std::io::ErrorKind::NotFound => {
                if let Err(e) = std::fs::create_dir(p)
                    && e.kind() != std::io::ErrorKind::AlreadyExists
                {
                    return false;
                }
                if !std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_dir()) {
                    return false;
                }
            }
            Err(_) => return false,
        }
    }
    true
}

/// Opens the derived file at `path` for reading, or `None` when its folder is not the
/// workspace's own ([`own_dir`]) or the file is not a regular file of its own (a link, a FIFO,
/// a device: opened without following a link and without blocking).
pub(crate) fn open_derived(path: &Path) -> Option<std::fs::File> {
    if !own_dir(path.parent()?, false) {
        return None;
    }
    crate::jail::open_own(path, std::fs::OpenOptions::new().read(true)).ok()
}

/// The bytes of the derived file at `path` (see [`open_derived`]), or `None`.
pub(crate) fn read_derived(path: &Path) -> Option<Vec<u8>> {
    use std::io::Read;
    let mut file = open_derived(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes).ok()?;
    Some(bytes)
}

/// `bytes` followed by their CRC-32: what [`unseal`] accepts.
pub fn seal(mut bytes: Vec<u8>) -> Vec<u8> {
    let crc = crc32fast::hash(&bytes);
    bytes.extend_from_slice(&crc.to_le_bytes());
    bytes
}

/// The bytes [`seal`] sealed, or `None` when they were damaged since (a flipped byte, a file
/// cut short, another file): a derived file whose bytes still decode after such damage could
/// otherwise tell a wrong answer.
pub(crate) fn unseal(sealed: &[u8]) -> Option<&[u8]> {
    let (body, crc) = sealed.split_at_checked(sealed.len().checked_sub(4)?)?;
    (crc32fast::hash(body).to_le_bytes() == crc).then_some(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seal_finds_every_flipped_bit_and_every_cut() {
        let sealed = seal(b"cases/2023/JY-2023-0001.yaml".to_vec());
        assert_eq!(unseal(&sealed), Some(&b"cases/2023/JY-2023-0001.yaml"[..]));
        for i in 0..sealed.len() * 8 {
            let mut damaged = sealed.clone();
            damaged[i / 8] ^= 1 << (i % 8);
            assert_eq!(unseal(&damaged), None, "bit {i}");
        }
        for n in 0..sealed.len() {
            assert_eq!(unseal(&sealed[..n]), None, "cut at {n}");
        }
        assert_eq!(unseal(&seal(Vec::new())), Some(&b""[..]));
    }
}
