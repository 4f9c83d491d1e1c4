//! Validate's marks in the case index: an entry remembers the document inputs (fonts above
//! all) under which `validate` found nothing wrong in its case's history, so an unchanged case
//! is not checked again.

use std::path::Path;

use super::CaseIndex;

impl CaseIndex {
    /// Whether `validate` found nothing wrong in the history of the case file at `path`, with
    /// the bytes of hash `sha` (as loaded in this run), under the document inputs `inputs`.
    pub fn is_clean(&self, path: &Path, sha: &str, inputs: &str) -> bool {
        let Some(key) = self.key(path) else {
            return false;
        };
        let Ok(c) = self.changes.lock() else {
            return false;
        };
        match c.fresh.get(&key) {
            Some(Some(f)) => f.sha256 == sha && f.clean.as_deref() == Some(inputs),
            Some(None) => false,
            None => self
                .shards
                .get(&key.0)
                .and_then(|s| Some((s, s.entry(&key.1)?)))
                .is_some_and(|(s, e)| s.sha256(e) == sha && s.clean(e) == Some(inputs)),
        }
    }

    /// Remember that `validate` found nothing wrong in the history of the case file at `path`,
    /// with the bytes of hash `sha`, under the document inputs `inputs`.
    pub fn mark_clean(&self, path: &Path, sha: &str, inputs: &str) {
        let Some(key) = self.key(path) else {
            return;
        };
        let Ok(mut c) = self.changes.lock() else {
            return;
        };
        if let Some(f) = self.to_change(&mut c, &key, sha, |s, e| s.clean(e) == Some(inputs)) {
            f.clean = Some(inputs.to_string());
        }
    }
}
