//! Whether what the workbench computed still stands: owns watching the files the dashboard is
//! computed from (`cases/`, `workflows/` and `yingsu.yaml`) through the operating system's change
//! notifications, and the generation number that moves on whenever one of them may have
//! changed — by the workbench itself, by `yingsu` on the command line, by `git pull` or by hand.
//!
//! A page kept for a generation is shown again only while the generation has not moved. When
//! the operating system cannot watch (no notifications on that file system, too many watches),
//! there is no generation and every page is computed afresh: slower, never stale.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher};

/// The folders watched with everything below them.
const FOLDERS: [&str; 2] = ["cases", "workflows"];

/// The files of the workspace's own folder whose changes count.
const FILES: [&str; 1] = ["yingsu.yaml"];

/// The workspace's changes as the operating system reports them.
pub(crate) struct Changes {
    generation: Arc<AtomicU64>,
    watching: Mutex<Watching>,
}

/// The watcher and the folders it watches, each with the identity it had when its watch was
/// set (a folder removed and made again, as `git checkout` may do, needs a watch of its own).
struct Watching {
    watcher: Option<RecommendedWatcher>,
    folders: Vec<(PathBuf, Option<Identity>)>,
}

/// A folder's identity: its device and inode where the platform gives them.
type Identity = (u64, u64);

fn identity(path: &Path) -> Option<Identity> {
    let m = std::fs::metadata(path).ok()?;
    if !m.is_dir() {
        return None;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some((m.dev(), m.ino()))
    }
    #[cfg(not(unix))]
    {
        // No inode: the folder's creation time stands for it.
        let t = m.created().ok()?;
        let d = t.duration_since(std::time::UNIX_EPOCH).ok()?;
        Some((d.as_secs(), u64::from(d.subsec_nanos())))
    }
}

/// Whether an event of `kind` may have changed what a page shows: reading a file does not.
fn changes(kind: &EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    match kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        EventKind::Access(_) => false,
        _ => true,
    }
}

/// Whether `path` is one of the files or folders a page is computed from.
fn counts(root: &Path, path: &Path) -> bool {
    match path.strip_prefix(root) {
        Ok(rel) => rel
            .components()
            .next()
            .and_then(|c| c.as_os_str().to_str())
            .is_some_and(|first| FOLDERS.contains(&first) || FILES.contains(&first)),
        // A path the watcher names otherwise (a linked folder's own path): count it.
        Err(_) => true,
    }
}

impl Changes {
    /// Start watching the workspace at `root`. A watcher that cannot start leaves the
    /// workbench without a generation (see [`Changes::generation`]).
    pub(crate) fn watch(root: &Path) -> Changes {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let generation = Arc::new(AtomicU64::new(0));
        let moved = generation.clone();
        let own = root.clone();
        let handler = move |event: notify::Result<Event>| {
            let relevant = match &event {
                Ok(e) => {
                    changes(&e.kind)
                        && (e.paths.is_empty() || e.paths.iter().any(|p| counts(&own, p)))
                }
                // A lost event (a full queue) may have been any change.
                Err(_) => true,
            };
            if relevant {
                moved.fetch_add(1, Ordering::SeqCst);
            }
        };
        let watcher = notify::recommended_watcher(handler)
            .and_then(|mut w| w.watch(&root, RecursiveMode::NonRecursive).map(|()| w))
            .ok();
        Changes {
            generation,
            watching: Mutex::new(Watching {
                watcher,
                folders: FOLDERS.iter().map(|f| (root.join(f), None)).collect(),
            }),
        }
    }

    /// Something changed that the watcher may not see (the workbench wrote it itself and
    /// does not wait for the notification).
    pub(crate) fn bump(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }

    /// The generation now: equal to an earlier one only if no watched file changed in
    /// between. `None` when the workspace cannot be watched: nothing computed may be kept.
    /// Each folder is (re)watched here when it appeared or was replaced since its last watch,
    /// before anything is read from it.
    pub(crate) fn generation(&self) -> Option<u64> {
        let mut w = self.watching.lock().ok()?;
        let Watching {
            watcher: slot,
            folders,
            ..
        } = &mut *w;
        let watcher = slot.as_mut()?;
        for (path, was) in folders.iter_mut() {
            let now = identity(path);
            if now == *was {
                continue;
            }
            if was.is_some() {
                let _ = watcher.unwatch(path);
            }
            if now.is_some() && watcher.watch(path, RecursiveMode::Recursive).is_err() {
                // Watches run out (inotify's limit): stop trusting anything kept.
                *slot = None;
                return None;
            }
            *was = now;
            self.bump();
        }
        Some(self.generation.load(Ordering::SeqCst))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_cases_workflows_and_the_settings_count() {
        let root = Path::new("/ws");
        assert!(counts(root, Path::new("/ws/cases/2023/a.yaml")));
        assert!(counts(root, Path::new("/ws/workflows/appearance.yaml")));
        assert!(counts(root, Path::new("/ws/yingsu.yaml")));
        assert!(counts(root, Path::new("/ws/cases")));
        assert!(!counts(root, Path::new("/ws/.yingsu/index/cases-0.bin")));
        assert!(!counts(root, Path::new("/ws/.yingsu.lock")));
        assert!(!counts(root, Path::new("/ws/archive/2023/x.pdf")));
        assert!(!counts(root, Path::new("/ws/yingsu.yaml.tmp1")));
    }

    #[test]
    fn reading_a_file_is_no_change() {
        use notify::event::{AccessKind, AccessMode, CreateKind};
        assert!(!changes(&EventKind::Access(AccessKind::Open(
            AccessMode::Read
        ))));
        assert!(!changes(&EventKind::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(changes(&EventKind::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(changes(&EventKind::Create(CreateKind::File)));
        assert!(changes(&EventKind::Any));
    }

    /// A change by hand moves the generation; reading does not. Waits (a little) for the
    /// operating system's notification, which arrives on the watcher's own thread.
    #[test]
    fn a_changed_case_file_moves_the_generation() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("cases/2023")).expect("cases");
        std::fs::write(dir.path().join("cases/2023/a.yaml"), "id: a\n").expect("case");
        let c = Changes::watch(dir.path());
        let g0 = c.generation().expect("the folders can be watched");
        let settle = |from: u64| {
            for _ in 0..200 {
                let g = c.generation().expect("still watching");
                if g != from {
                    return g;
                }
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            from
        };
        let _ = std::fs::read_to_string(dir.path().join("cases/2023/a.yaml"));
        std::thread::sleep(std::time::Duration::from_millis(100));
        let g1 = c.generation().expect("still watching");
        assert_eq!(g1, g0, "reading a case file is no change");
        std::fs::write(dir.path().join("cases/2023/a.yaml"), "id: b\n").expect("edit");
        let g2 = settle(g1);
        assert_ne!(g2, g1, "an edit in place is a change");
        std::fs::create_dir_all(dir.path().join("cases/2024")).expect("new year");
        let g3 = settle(g2);
        std::fs::write(dir.path().join("cases/2024/b.yaml"), "id: b\n").expect("new case");
        let g4 = settle(g3);
        assert_ne!(
            g4, g3,
            "a case in a folder made after the watch began is seen"
        );
    }
}
