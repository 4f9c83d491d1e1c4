//! The archive: owns writing output to disk — atomically (temporary file in the same folder, then
//! rename), so a failed step leaves nothing half-written — and where each document lives:
//! `archive/<year>/<case-id>/<NN>-<step>-<template>.pdf`.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

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

/// Write `bytes` to a temporary file in `path`'s folder (created if missing) and flush it to
/// disk. The file is readable like any other the user creates (mode 0666 less the umask), or
/// keeps the permissions of the file it will replace. Safe to call from several threads.
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
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("写入", path, e))?;
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

    /// Move every staged file into place, then flush the folders' entries to disk. Dropping an
    /// uncommitted batch deletes the staged files.
    pub fn commit(self) -> Result<()> {
        let mut dirs: Vec<PathBuf> = Vec::new();
        for Staged { tmp, path } in self.staged {
            tmp.persist(&path)
                .map_err(|e| Error::io("写入", &path, e.error))?;
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

/// Hex SHA-256 of `bytes`.
pub fn sha256(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// The archive path of a document, relative to the workspace root.
pub fn document_path(year: i32, case_id: &str, entry: usize, step: &str, template: &str) -> String {
    let t = template.replace('/', "-");
    format!("archive/{year}/{case_id}/{:02}-{step}-{t}.pdf", entry + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
