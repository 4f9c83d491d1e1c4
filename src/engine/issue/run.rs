//! A `render` run's shared state and results: owns what re-rendering cases and reports both
//! know (the render index, the inputs fingerprint, when the run started) and what each
//! document made again reports.

use crate::case::DocRecord;
use crate::workspace::Workspace;

use super::frozen::frozen_path;

/// A document re-rendered by `render`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rendered {
    pub case_id: String,
    pub record: DocRecord,
    pub changed: bool,
    /// Whether it was typeset in this run (not when the render index knew its inputs give the
    /// PDF on disk).
    pub typeset: bool,
}

/// The render index and the workspace's inputs fingerprint, for re-rendering cases and reports.
pub(super) struct Known<'a> {
    pub(super) index: &'a crate::index::RenderIndex,
    pub(super) inputs: &'a str,
    /// The case index's fingerprint (empty without one: then nothing is settled).
    pub(super) cases: &'a str,
    /// When the run started (for [`crate::index::outcome_key`]).
    pub(super) now: i64,
    /// The number registries, read once when a re-issue first needs them.
    pub(super) registered: std::sync::OnceLock<crate::numbers::Registered>,
}

impl Known<'_> {
    /// The key under which the document `file` (relative to the workspace) of a case whose
    /// file hashes to `case_sha` is settled: nothing it depends on changed since a run found
    /// it intact and unchanged (the program, templates, fonts, configuration, workflows, the
    /// case file, the PDF and its frozen record; see [`crate::index::outcome_key`]). `None`
    /// without a case index, or when the PDF or its record is missing or too new.
    pub(super) fn key(&self, ws: &Workspace, file: &str, case_sha: &str) -> Option<String> {
        if self.cases.is_empty() {
            return None;
        }
        crate::index::outcome_key(
            self.inputs,
            self.cases,
            case_sha,
            &ws.root.join(file),
            &ws.root.join(frozen_path(file)),
            self.now,
        )
    }
}
