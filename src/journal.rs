//! The journal: owns the in-process list of the files a writing command wrote or removed in a
//! workspace, collected while it holds the workspace's write lock (or a [`Group`] of such
//! commands), so that exactly those files — and no file changed by hand — go into its commit.
//!
//! Every write of the archive layer ([`crate::archive::Batch::commit`]) and every removal of a
//! record reports its path here; a path outside every workspace being journaled is ignored.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// One workspace being journaled.
struct Active {
    /// The root as given and as the file system resolves it.
    roots: Vec<PathBuf>,
    /// How many tickets (a lock, a group around locks) are open on it.
    depth: usize,
    /// Written or removed files, relative to the root.
    paths: BTreeSet<PathBuf>,
}

static ACTIVE: Mutex<Vec<Active>> = Mutex::new(Vec::new());

fn active() -> std::sync::MutexGuard<'static, Vec<Active>> {
    ACTIVE.lock().unwrap_or_else(|e| e.into_inner())
}

fn roots_of(root: &Path) -> Vec<PathBuf> {
    let mut roots = vec![root.to_path_buf()];
    if let Ok(real) = std::fs::canonicalize(root)
        && real != root
    {
        roots.push(real);
    }
    roots
}

/// Journaling of one workspace, open until dropped.
#[derive(Debug)]
pub struct Ticket {
    root: PathBuf,
}

/// Start journaling what is written under `root` (nested tickets share one journal).
pub(crate) fn begin(root: &Path) -> Ticket {
    let roots = roots_of(root);
    let mut all = active();
    match all.iter_mut().find(|a| a.roots[0] == roots[0]) {
        Some(a) => a.depth += 1,
        None => all.push(Active {
            roots,
            depth: 1,
            paths: BTreeSet::new(),
        }),
    }
    Ticket {
        root: root.to_path_buf(),
    }
}

impl Ticket {
    /// The paths written since the journal began, when this ticket is the outermost one (the
    /// journal is then emptied); `None` inside a group, whose end records them all.
    pub(crate) fn take(&self) -> Option<Vec<PathBuf>> {
        let mut all = active();
        let a = all.iter_mut().find(|a| a.roots[0] == self.root)?;
        if a.depth > 1 {
            return None;
        }
        Some(std::mem::take(&mut a.paths).into_iter().collect())
    }
}

impl Drop for Ticket {
    fn drop(&mut self) {
        let mut all = active();
        if let Some(i) = all.iter().position(|a| a.roots[0] == self.root) {
            all[i].depth -= 1;
            if all[i].depth == 0 {
                all.remove(i);
            }
        }
    }
}

/// `path` (absolute, or as the engine named it) was written or removed.
pub(crate) fn wrote(path: &Path) {
    let mut all = active();
    if all.is_empty() {
        return;
    }
    // A path may reach the file through a link of the workspace: its folder resolved too.
    let resolved = path
        .parent()
        .and_then(|d| std::fs::canonicalize(d).ok())
        .zip(path.file_name())
        .map(|(d, n)| d.join(n));
    for a in all.iter_mut() {
        let rel = a.roots.iter().find_map(|r| {
            path.strip_prefix(r)
                .ok()
                .or_else(|| resolved.as_deref().and_then(|p| p.strip_prefix(r).ok()))
        });
        if let Some(rel) = rel {
            a.paths.insert(rel.to_path_buf());
        }
    }
}
