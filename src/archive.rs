//! The archive: owns writing output to disk — atomically (temporary file in the same folder, then
//! rename), so a failed step leaves nothing half-written — and where each document lives:
//! `archive/<year>/<case-id>/<NN>-<step>-<template>.pdf`.

use std::io::Write;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::error::{Error, Result};

/// Write `bytes` to `path` atomically, creating parent folders.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| Error::io("创建目录", dir, e))?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".yingsu-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(|e| Error::io("创建临时文件于", dir, e))?;
    tmp.write_all(bytes)
        .map_err(|e| Error::io("写入", path, e))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| Error::io("写入", path, e))?;
    tmp.persist(path)
        .map_err(|e| Error::io("写入", path, e.error))?;
    Ok(())
}

/// Several files written together: all are staged first, then renamed into place.
#[derive(Default)]
pub struct Batch {
    staged: Vec<(tempfile::NamedTempFile, PathBuf)>,
}

impl Batch {
    pub fn stage(&mut self, path: &Path, bytes: &[u8]) -> Result<()> {
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|e| Error::io("创建目录", dir, e))?;
        let mut tmp = tempfile::Builder::new()
            .prefix(".yingsu-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| Error::io("创建临时文件于", dir, e))?;
        tmp.write_all(bytes)
            .map_err(|e| Error::io("写入", path, e))?;
        tmp.as_file()
            .sync_all()
            .map_err(|e| Error::io("写入", path, e))?;
        self.staged.push((tmp, path.to_path_buf()));
        Ok(())
    }

    /// Move every staged file into place. Dropping an uncommitted batch deletes the staged files.
    pub fn commit(self) -> Result<()> {
        for (tmp, path) in self.staged {
            tmp.persist(&path)
                .map_err(|e| Error::io("写入", &path, e.error))?;
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
