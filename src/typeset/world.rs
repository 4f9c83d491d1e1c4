//! The per-job typst [`World`]: in-memory templates, `/data.json`, the job's binary files
//! (attachments, read once by its maker), jailed file access and a fixed date.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use typst::diag::{FileError, FileResult};
use typst::foundations::{Bytes, Datetime};
use typst::syntax::{FileId, RootedPath, Source, VirtualPath, VirtualRoot};
use typst::text::{Font, FontBook};
use typst::utils::LazyHash;
use typst::{Library, World};

use super::{Job, Typesetter, error::TypesetError};

/// Virtual path under which the job's data is served.
pub const DATA_PATH: &str = "/data.json";
/// The data's `protected` names alone (`[]` without them): the layout library reads this small
/// file, the same for every document of a workspace, so its cached layout of a paragraph
/// serves the next document too (reading `/data.json` would tie it to each document's data).
pub(crate) const PROTECTED_PATH: &str = "/protected.json";

/// One compilation: borrows the shared [`Typesetter`] state.
pub struct JobWorld<'a> {
    ts: &'a Typesetter,
    main: FileId,
    /// The job's files by id, parsed when a compilation first asks for one (most documents
    /// import only the layout library of a workspace's dozen templates).
    files: HashMap<FileId, &'a str>,
    data_id: FileId,
    data: Bytes,
    protected_id: FileId,
    protected: Bytes,
    /// The job's binary files (attachments), read once by the job's maker.
    blobs: HashMap<FileId, Bytes>,
    root: Option<PathBuf>,
    today: Datetime,
}

/// Interns a virtual path of the project root.
pub(crate) fn file_id(path: &str) -> Result<FileId, TypesetError> {
    let bad = || TypesetError::BadPath {
        path: path.to_string(),
    };
    if !path.starts_with('/') || path.split('/').any(|seg| seg == "..") {
        return Err(bad());
    }
    let vpath = VirtualPath::new(path).map_err(|_| bad())?;
    Ok(RootedPath::new(VirtualRoot::Project, vpath).intern())
}

impl<'a> JobWorld<'a> {
    /// Prepares the world for a job.
    pub fn new(ts: &'a Typesetter, job: &'a Job) -> Result<Self, TypesetError> {
        let main = file_id(&job.main)?;
        let mut files = HashMap::new();
        for (path, text) in &job.files {
            files.insert(file_id(path)?, &**text);
        }
        if !files.contains_key(&main) {
            return Err(TypesetError::MainMissing {
                path: job.main.clone(),
            });
        }
        let data = serde_json::to_vec(&job.data).unwrap_or_else(|_| b"null".to_vec());
        let protected = job
            .data
            .get("protected")
            .filter(|v| v.is_array())
            .and_then(|v| serde_json::to_vec(v).ok())
            .unwrap_or_else(|| b"[]".to_vec());
        let mut blobs = HashMap::new();
        for (path, bytes) in &job.blobs {
            blobs.insert(file_id(path)?, bytes.clone());
        }
        let today = date_of(job.date)?;
        let root = job.root.as_ref().and_then(|r| r.canonicalize().ok());
        Ok(Self {
            ts,
            main,
            files,
            data_id: file_id(DATA_PATH)?,
            data: Bytes::new(data),
            protected_id: file_id(PROTECTED_PATH)?,
            protected: Bytes::new(protected),
            blobs,
            root,
            today,
        })
    }

    /// Reads a file below the root directory, refusing anything that
    /// resolves (after following links) outside of it.
    fn read_jailed(&self, id: FileId) -> FileResult<Vec<u8>> {
        let Some(root) = &self.root else {
            return Err(FileError::NotFound(id.vpath().get_with_slash().into()));
        };
        let path = id.vpath().realize(root).map_err(FileError::Realize)?;
        let real = path
            .canonicalize()
            .map_err(|e| FileError::from_io(e, &path))?;
        if !real.starts_with(root) {
            return Err(FileError::AccessDenied);
        }
        if real.is_dir() {
            return Err(FileError::IsDirectory);
        }
        std::fs::read(&real).map_err(|e| FileError::from_io(e, Path::new(&real)))
    }
}

/// Converts a calendar date into typst's representation.
pub(crate) fn date_of(date: chrono::NaiveDate) -> Result<Datetime, TypesetError> {
    use chrono::Datelike;
    Datetime::from_ymd(date.year(), date.month() as u8, date.day() as u8).ok_or_else(|| {
        TypesetError::BadDate {
            date: date.to_string(),
        }
    })
}

impl World for JobWorld<'_> {
    fn library(&self) -> &LazyHash<Library> {
        &self.ts.library
    }

    fn book(&self) -> &LazyHash<FontBook> {
        self.ts.fonts.book()
    }

    fn main(&self) -> FileId {
        self.main
    }

    fn source(&self, id: FileId) -> FileResult<Source> {
        if let Some(text) = self.files.get(&id) {
            return Ok(self.ts.source(id, text));
        }
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::AccessDenied);
        }
        let bytes = self.read_jailed(id)?;
        let text = String::from_utf8(bytes).map_err(|_| FileError::InvalidUtf8)?;
        Ok(Source::new(id, text))
    }

    fn file(&self, id: FileId) -> FileResult<Bytes> {
        if id == self.data_id {
            return Ok(self.data.clone());
        }
        if id == self.protected_id {
            return Ok(self.protected.clone());
        }
        if let Some(text) = self.files.get(&id) {
            return Ok(Bytes::from_string(text.to_string()));
        }
        if let Some(bytes) = self.blobs.get(&id) {
            return Ok(bytes.clone());
        }
        if !matches!(id.root(), VirtualRoot::Project) {
            return Err(FileError::AccessDenied);
        }
        self.read_jailed(id).map(Bytes::new)
    }

    fn font(&self, index: usize) -> Option<Font> {
        self.ts.fonts.font(index)
    }

    fn today(&self, _offset: Option<typst::foundations::Duration>) -> Option<Datetime> {
        Some(self.today)
    }
}
