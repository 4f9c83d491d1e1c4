//! The archive: owns writing output to disk — atomically (temporary file in the same folder, then
//! rename), so a failed step leaves nothing half-written — and where each document lives:
//! `archive/<year>/<case-id>/<NN>-<step>-<template>.pdf`.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub mod attached;

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically, creating parent folders.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut batch = Batch::default();
    batch.stage(path, bytes)?;
    batch.commit()
}

/// A file written in full next to its destination, not yet in place. Dropping it deletes the
/// temporary file. It holds no open file handle, so thousands can wait for one commit.
#[derive(Debug)]
pub struct Staged {
    tmp: tempfile::TempPath,
    path: PathBuf,
}

/// Write `bytes` to a temporary file in `path`'s folder (created if missing); [`Batch::commit`]
/// flushes it to disk before it takes its place (so a worker thread hands its document over
/// without waiting for the disk, and a batch's files are flushed together). The file is
/// readable like any other the user creates (mode 0666 less the umask), or keeps the
/// permissions of the file it will replace. Safe to call from several threads.
pub fn stage(path: &Path, bytes: &[u8]) -> Result<Staged> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    std::fs::create_dir_all(dir).map_err(|e| Error::io("创建目录", dir, e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".yingsu-").suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder
        .tempfile_in(dir)
        .map_err(|e| Error::io("创建临时文件于", dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("写入", path, e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        // Replacing a file keeps its permissions (a read-only share, say).
        std::fs::set_permissions(tmp.path(), meta.permissions())
            .map_err(|e| Error::io("写入", path, e))?;
    }
    Ok(Staged {
        tmp: tmp.into_temp_path(),
        path: path.to_path_buf(),
    })
}

/// Several files written together: all are staged first, then renamed into place.
#[derive(Debug, Default)]
pub struct Batch {
    staged: Vec<Staged>,
}

impl Batch {
    /// Stage `bytes` for `path` (see [`stage`]).
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        self.staged.push(stage(path, bytes)?);
        Ok(())
    }

    /// Add a file staged elsewhere (by a worker thread, say).
    pub fn push(&mut self, staged: Staged) {
        self.staged.push(staged);
    }

    /// Flush every staged file to disk, move each into place, then flush the folders' entries
    /// to disk. Nothing is moved unless every file was flushed. Dropping an uncommitted batch
    /// deletes the staged files.
    pub fn commit(self) -> Result<()> {
        flush_all(&self.staged)?;
        let mut dirs: Vec<PathBuf> = Vec::new();
        for Staged { tmp, path } in self.staged {
            tmp.persist(&path)
                .map_err(|e| Error::io("写入", &path, e.error))?;
            crate::journal::wrote(&path);
            if let Some(dir) = path.parent()
                && !dirs.iter().any(|d| d == dir)
            {
                dirs.push(dir.to_path_buf());
            }
        }
        #[cfg(not(unix))]
        let _ = dirs;
        #[cfg(unix)]
        for dir in dirs {
            // Best effort: the renames are done; a folder that cannot be opened for syncing
            // (some network shares) must not turn a written file into an error.
            if let Ok(d) = std::fs::File::open(&dir) {
                let _ = d.sync_all();
            }
        }
        Ok(())
    }
}

/// How many files [`flush_all`] flushes at once: the disk (and the file system's journal, which
/// commits concurrent flushes together) is the limit, not the processor.
const FLUSH_THREADS: usize = 8;

/// Flush the staged files' contents to disk, several at a time (on the document workers of
/// [`crate::par::for_each_parallel`]); the first failure in their order is the error.
fn flush_all(staged: &[Staged]) -> Result<()> {
    let flush = |s: &Staged| -> Result<()> {
        std::fs::OpenOptions::new()
            .write(true)
            .open(&s.tmp)
            .and_then(|f| f.sync_all())
            .map_err(|e| Error::io("写入", &s.path, e))
    };
    crate::par::for_each_parallel(staged.iter().collect(), FLUSH_THREADS, flush)
        .into_iter()
        .collect()
}

/// Hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// `bytes` in lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(2 * bytes.len());
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

/// The archive path of a document, relative to the workspace root.
pub(crate) fn document_path(
    year: i32,
    case_id: &str,
    entry: usize,
    step: &str,
    template: &str,
) -> String {
    let t = template.replace('/', "-");
    format!("archive/{year}/{case_id}/{:02}-{step}-{t}.pdf", entry + 1)
}

/// The prefix and suffix of the temporary files [`stage`] writes: `.yingsu-XXXXXX.tmp`, where
/// `XXXXXX` are random letters and digits.
const TEMP_PREFIX: &str = ".yingsu-";
const TEMP_SUFFIX: &str = ".tmp";

/// How deep [`find_stale_temps`] looks below the archive folder: documents live at
/// `archive/<year>/<case-id>/`, so 8 leaves room for any layout the archive will have.
const TEMP_SEARCH_DEPTH: usize = 8;

/// Whether `name` is one of [`stage`]'s temporary files: `.yingsu-`, 1 to 32 ASCII letters and
/// digits, `.tmp`. Nothing else a user or another program might keep in the archive matches.
pub(crate) fn is_temp_name(name: &str) -> bool {
    name.strip_prefix(TEMP_PREFIX)
        .and_then(|rest| rest.strip_suffix(TEMP_SUFFIX))
        .is_some_and(|middle| {
            (1..=32).contains(&middle.len()) && middle.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Temporary files left in `dir` (the archive folder) by runs that crashed between staging and
/// committing: regular files (not symlinks, not folders) named like [`stage`]'s
/// ([`is_temp_name`]), at most 8 folders deep, found without following symlinks. Sorted.
///
/// A file being staged by a running process matches too. The caller must hold the workspace
/// lock (`Workspace::lock_for_writing`), which every writing run holds from before its first
/// [`stage`] until after its commit, and must call this before staging anything itself; or use
/// [`find_stale_temps_before`] with the start of the current run.
pub(crate) fn find_stale_temps(dir: &Path) -> Vec<PathBuf> {
    find_temps(dir, None)
}

/// [`find_stale_temps`] limited to files last modified before `cutoff` (such as the time the
/// current run started), for a caller that cannot hold the workspace lock.
#[cfg(test)]
pub(crate) fn find_stale_temps_before(dir: &Path, cutoff: std::time::SystemTime) -> Vec<PathBuf> {
    find_temps(dir, Some(cutoff))
}

fn find_temps(dir: &Path, cutoff: Option<std::time::SystemTime>) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .follow_root_links(false)
        .max_depth(TEMP_SEARCH_DEPTH)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.file_name().to_str().is_some_and(is_temp_name))
        .filter(|e| match cutoff {
            None => true,
            Some(cutoff) => e
                .metadata()
                .ok()
                .and_then(|m| m.modified().ok())
                .is_some_and(|modified| modified < cutoff),
        })
        .map(|e| e.into_path())
        .collect();
    found.sort();
    found
}

/// Removes the files [`find_stale_temps`] finds in `dir` and returns them. The same rules apply:
/// hold the workspace lock and call it before staging anything. A file already gone is not an
/// error; one that cannot be removed is.
pub(crate) fn remove_stale_temps(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut removed = Vec::new();
    for path in find_stale_temps(dir) {
        match std::fs::remove_file(&path) {
            Ok(()) => removed.push(path),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(Error::io("删除临时文件", &path, e)),
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A batch puts every file in place with its bytes; when one staged file cannot be
    /// flushed, none is put in place (and the files already there keep their bytes).
    #[test]
    fn a_batch_moves_nothing_unless_every_file_was_flushed() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..20)
            .map(|i| dir.path().join(format!("d{}/f{i}.pdf", i % 3)))
            .collect();
        let mut batch = Batch::default();
        for (i, p) in paths.iter().enumerate() {
            batch.stage(p, format!("first {i}").as_bytes()).unwrap();
        }
        batch.commit().unwrap();
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(std::fs::read_to_string(p).unwrap(), format!("first {i}"));
        }
        let mut staged: Vec<Staged> = paths
            .iter()
            .enumerate()
            .map(|(i, p)| stage(p, format!("second {i}").as_bytes()).unwrap())
            .collect();
        // One temporary file gone before the commit: it cannot be flushed.
        std::fs::remove_file(&staged[13].tmp).unwrap();
        let mut batch = Batch::default();
        for s in staged.drain(..) {
            batch.push(s);
        }
        assert!(batch.commit().is_err());
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(
                std::fs::read_to_string(p).unwrap(),
                format!("first {i}"),
                "{i}"
            );
        }
        // And no temporary file is left behind.
        for d in 0..3 {
            let left: Vec<_> = std::fs::read_dir(dir.path().join(format!("d{d}")))
                .unwrap()
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().to_string())
                .filter(|n| is_temp_name(n))
                .collect();
            assert!(left.is_empty(), "{left:?}");
        }
    }

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[cfg(unix)]
    fn umask() -> u32 {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .and_then(|m| u32::from_str_radix(m.trim(), 8).ok())
            .unwrap_or(0o022)
    }

    #[test]
    #[cfg(unix)]
    fn new_files_are_readable_and_replaced_files_keep_their_mode() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a/b/doc.pdf");
        write_atomic(&path, b"one").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        assert_eq!(mode(&path), 0o666 & !umask());
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        write_atomic(&path, b"two").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"two");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_dropped_batch_leaves_nothing_and_a_large_one_holds_no_files_open() {
        let dir = tempfile::tempdir().unwrap();
        let mut batch = Batch::default();
        batch.stage(&dir.path().join("x.txt"), b"x").unwrap();
        drop(batch);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        // More staged files than the usual limit of 1,024 open files per process.
        let open_files = || std::fs::read_dir("/proc/self/fd").map_or(0, |d| d.count());
        let before = open_files();
        let mut batch = Batch::default();
        for i in 0..1500 {
            let path = dir.path().join(format!("{i}.txt"));
            batch.push(stage(&path, i.to_string().as_bytes()).unwrap());
        }
        // (Other tests run in parallel and open files too, never hundreds.)
        assert!(open_files() < before + 200, "{before} -> {}", open_files());
        batch.commit().unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1500);
        assert!(
            names
                .iter()
                .all(|n| n.ends_with(".txt") && !n.starts_with('.'))
        );
        assert_eq!(
            std::fs::read_to_string(dir.path().join("1499.txt")).unwrap(),
            "1499"
        );
    }

    #[test]
    fn temp_names_are_only_stages_own() {
        for name in [".yingsu-a1B2c3.tmp", ".yingsu-x.tmp"] {
            assert!(is_temp_name(name), "{name}");
        }
        for name in [
            ".yingsu-.tmp",
            "yingsu-a1B2c3.tmp",
            ".yingsu-a1B2c3.pdf",
            ".yingsu-a1/b2.tmp",
            ".yingsu-../x.tmp",
            "notes.tmp",
            ".yingsu-a1B2c3.tmp.pdf",
            ".yingsu-甲乙.tmp",
        ] {
            assert!(!is_temp_name(name), "{name}");
        }
    }

    #[test]
    fn stale_temps_are_found_and_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("archive");
        let case = archive.join("2023/ZG-2023-001");
        std::fs::create_dir_all(&case).unwrap();
        // What a crashed run leaves: a staged file never committed.
        let staged = stage(&case.join("01-notice-notice.pdf"), b"half").unwrap();
        let left = staged.tmp.to_path_buf();
        std::mem::forget(staged);
        std::fs::write(archive.join(".yingsu-ABC123.tmp"), b"x").unwrap();
        // What must stay.
        std::fs::write(case.join("02-appearance-reply.pdf"), b"pdf").unwrap();
        std::fs::write(case.join("notes.tmp"), b"mine").unwrap();
        std::fs::create_dir(case.join(".yingsu-dir000.tmp")).unwrap();
        std::fs::write(dir.path().join(".yingsu-OUTSID.tmp"), b"not in the archive").unwrap();
        #[cfg(unix)]
        {
            let outside = tempfile::tempdir().unwrap();
            std::fs::write(outside.path().join(".yingsu-zzz999.tmp"), b"elsewhere").unwrap();
            std::os::unix::fs::symlink(outside.path(), archive.join("linked")).unwrap();
            std::os::unix::fs::symlink(
                outside.path().join(".yingsu-zzz999.tmp"),
                archive.join(".yingsu-LINK00.tmp"),
            )
            .unwrap();
            let found = find_stale_temps(&archive);
            assert_eq!(
                found,
                vec![archive.join(".yingsu-ABC123.tmp"), left.clone()]
            );
            let removed = remove_stale_temps(&archive).unwrap();
            assert_eq!(removed, found);
            assert!(outside.path().join(".yingsu-zzz999.tmp").exists());
        }
        #[cfg(not(unix))]
        remove_stale_temps(&archive).unwrap();
        assert!(!left.exists());
        assert!(!archive.join(".yingsu-ABC123.tmp").exists());
        assert!(case.join("02-appearance-reply.pdf").exists());
        assert!(case.join("notes.tmp").exists());
        assert!(case.join(".yingsu-dir000.tmp").is_dir());
        assert!(dir.path().join(".yingsu-OUTSID.tmp").exists());
        assert!(find_stale_temps(&archive).is_empty());
        assert!(
            remove_stale_temps(&dir.path().join("none"))
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn files_written_after_the_cutoff_are_not_stale() {
        let dir = tempfile::tempdir().unwrap();
        let old = dir.path().join(".yingsu-old000.tmp");
        std::fs::write(&old, b"x").unwrap();
        let an_hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        std::fs::File::options()
            .write(true)
            .open(&old)
            .unwrap()
            .set_modified(an_hour_ago)
            .unwrap();
        let cutoff = std::time::SystemTime::now() - std::time::Duration::from_secs(60);
        std::fs::write(dir.path().join(".yingsu-new000.tmp"), b"y").unwrap();
        assert_eq!(find_stale_temps_before(dir.path(), cutoff), vec![old]);
        assert_eq!(find_stale_temps(dir.path()).len(), 2);
    }
}
