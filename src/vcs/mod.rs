//! The archive's history: owns the workspace's git repository — creating it (`init`, `demo`,
//! `init --git`), recording each writing command as exactly one commit of exactly the files it
//! wrote (see [`journal`]), with the actor as author and a message a clerk can read plus
//! machine-readable trailers, listing files changed by hand and recording them on request
//! (`yingsu commit`), and reading the history back ([`history`]: `yingsu log`, `yingsu show`).
//!
//! libgit2 is compiled into the binary (the `git2` crate, vendored): no git installation is
//! needed. A workspace that is not a repository keeps working without history.

pub mod history;

use crate::journal;

use std::path::{Path, PathBuf};

use git2::{Repository, Signature};

use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// Who acts and when, as a commit's author (the engine's `Actor`).
pub trait Author {
    fn who(&self) -> &str;
    fn now(&self) -> chrono::DateTime<chrono::FixedOffset>;
}

impl crate::workspace::WriteLock {
    /// The command succeeded: record what it wrote as one commit.
    pub(crate) fn record(&self, ws: &Workspace, actor: &impl Author, record: &Record) {
        self::record(ws, &self.journal, actor, record);
    }
}

/// The branch a new repository starts on.
pub const BRANCH: &str = "main";

/// The commit author's e-mail (git requires one; a clerk is known by name).
const EMAIL: &str = "yingsu";

/// The hint for a workspace that is not a repository.
pub const NOT_A_REPOSITORY: &str = "提示：本工作区还不是 git 仓库，修改没有历史记录。运行 `yingsu init --git` 把它变成仓库（现有文件作为第一次提交）。";

/// What one commit says: its subject line and its trailers (`Yingsu-Case: …`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Record {
    pub subject: String,
    pub trailers: Vec<(&'static str, String)>,
}

/// Trailer keys.
pub const CASE: &str = "Yingsu-Case";
pub const STEP: &str = "Yingsu-Step";
pub const DOCUMENT: &str = "Yingsu-Document";
pub const FILE: &str = "Yingsu-File";
pub const COMMAND: &str = "Yingsu-Command";

impl Record {
    /// A record of `command` whose subject is `what` by `actor`.
    pub fn new(command: &str, what: impl AsRef<str>, actor: &impl Author) -> Record {
        Record {
            subject: format!("{}（经办人 {}）", what.as_ref(), actor.who()),
            trailers: vec![(COMMAND, command.to_string())],
        }
    }

    /// Adds a trailer.
    pub fn with(mut self, key: &'static str, value: impl Into<String>) -> Record {
        self.trailers.push((key, value.into()));
        self
    }

    /// Adds the documents' trailers: each one's number (or title) and its file.
    pub fn with_documents(mut self, docs: &[crate::case::DocRecord]) -> Record {
        for d in docs {
            self = self
                .with(
                    DOCUMENT,
                    d.number.clone().unwrap_or_else(|| d.title.clone()),
                )
                .with(FILE, d.file.clone());
        }
        self
    }

    /// The commit message.
    pub fn message(&self) -> String {
        let mut m = format!("{}\n", one_line(&self.subject));
        if !self.trailers.is_empty() {
            m.push('\n');
            for (k, v) in &self.trailers {
                m.push_str(&format!("{k}: {}\n", one_line(v)));
            }
        }
        m
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A case's label in a message: its court number when it has one, else its id.
pub fn case_label(id: &str, number: Option<&str>) -> String {
    number.map_or_else(|| id.to_string(), str::to_string)
}

/// The subject of a step: `（2023）渝0112行初52号 出庭应诉：授权委托书 渝北市监函〔2023〕3号`.
pub fn step_subject(label: &str, step_title: &str, docs: &[crate::case::DocRecord]) -> String {
    let docs: Vec<String> = docs
        .iter()
        .map(|d| match &d.number {
            Some(n) => format!("{} {n}", d.title),
            None => d.title.clone(),
        })
        .collect();
    if docs.is_empty() {
        format!("{label} {step_title}")
    } else {
        format!("{label} {step_title}：{}", docs.join("、"))
    }
}

/// The workspace's own repository (the workspace folder itself, never a folder above it).
pub fn open(root: &Path) -> Option<Repository> {
    if !root.join(".git").exists() {
        return None;
    }
    Repository::open_ext(
        root,
        git2::RepositoryOpenFlags::NO_SEARCH,
        std::iter::empty::<&std::ffi::OsStr>(),
    )
    .ok()
    .filter(|r| !r.is_bare())
}

/// Whether the workspace at `root` is a repository.
pub fn is_repository(root: &Path) -> bool {
    open(root).is_some()
}

fn git_error(what: &str, e: git2::Error) -> Error {
    Error::user(
        format!("{what}失败：{}", e.message()),
        "请确认工作区的 .git 目录完好、未被其他程序占用，然后重试",
    )
}

fn signature(actor: &impl Author) -> std::result::Result<Signature<'static>, git2::Error> {
    let who = actor.who().replace(['<', '>'], "");
    let when = git2::Time::new(
        actor.now().timestamp(),
        actor.now().offset().local_minus_utc() / 60,
    );
    Signature::new(if who.is_empty() { "经办人" } else { &who }, EMAIL, &when)
}

/// yingsu's lock, temporary files and local caches (what `init`'s `.gitignore` lists): never
/// committed, even when the workspace's own `.gitignore` forgets them.
fn is_own_cache(name: &str) -> bool {
    let file = name.rsplit('/').next().unwrap_or(name);
    name == ".yingsu.lock"
        || name.starts_with(".yingsu/")
        || file.starts_with(".yingsu-")
        || file.ends_with(".tmp")
}

/// Make the workspace at `root` a repository on branch `main` whose first commit holds every
/// file not ignored by `.gitignore`. Refused when it already is one.
pub fn init_repository(root: &Path, actor: &impl Author) -> Result<String> {
    if root.join(".git").exists() {
        return Err(Error::user(
            "本工作区已经是 git 仓库",
            "用 `yingsu log` 查看历史，用 `yingsu commit -m 说明` 记录手工修改",
        ));
    }
    // The git settings `init` writes, for a workspace made without them (`demo`, an older one).
    for (name, text) in [
        (".gitignore", crate::workspace::INIT_GITIGNORE),
        (".gitattributes", crate::workspace::INIT_GITATTRIBUTES),
    ] {
        let p = root.join(name);
        if std::fs::symlink_metadata(&p).is_err() {
            crate::archive::write_atomic(&p, text.as_bytes())?;
        }
    }
    let mut opts = git2::RepositoryInitOptions::new();
    opts.initial_head(BRANCH).no_reinit(true);
    let repo = Repository::init_opts(root, &opts).map_err(|e| git_error("新建 git 仓库", e))?;
    let record = Record::new("init", "新建工作区", actor);
    let id = (|| -> std::result::Result<git2::Oid, git2::Error> {
        let mut index = repo.index()?;
        let mut skip = |path: &Path, _: &[u8]| -> i32 {
            i32::from(is_own_cache(&path.to_string_lossy().replace('\\', "/")))
        };
        index.add_all(["*"], git2::IndexAddOption::DEFAULT, Some(&mut skip))?;
        index.write()?;
        let tree = repo.find_tree(index.write_tree()?)?;
        let sig = signature(actor)?;
        repo.commit(Some("HEAD"), &sig, &sig, &record.message(), &tree, &[])
    })()
    .map_err(|e| git_error("记录第一次提交", e))?;
    Ok(id.to_string())
}

/// Commit exactly `paths` (relative to the workspace; a missing one is removed from the tree,
/// an ignored one left out) on top of `HEAD`. `None` when the tree does not change.
pub(crate) fn commit_paths(
    repo: &Repository,
    root: &Path,
    paths: &[PathBuf],
    actor: &impl Author,
    record: &Record,
) -> std::result::Result<Option<git2::Oid>, git2::Error> {
    let head = match repo.head() {
        Ok(h) => Some(h.peel_to_commit()?),
        Err(e) if e.code() == git2::ErrorCode::UnbornBranch => None,
        Err(e) => return Err(e),
    };
    let base = match &head {
        Some(c) => c.tree()?,
        None => repo.find_tree(repo.treebuilder(None)?.write()?)?,
    };
    let mut index = repo.index()?;
    let mut update = git2::build::TreeUpdateBuilder::new();
    let mut changed = false;
    for rel in paths {
        let name = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        if name.is_empty() || name == ".git" || name.starts_with(".git/") || is_own_cache(&name) {
            continue;
        }
        if repo.is_path_ignored(rel)? {
            continue;
        }
        match std::fs::symlink_metadata(root.join(rel)) {
            Ok(m) if m.is_file() => {
                index.add_path(rel)?;
                if let Some(entry) = index.get_path(rel, 0) {
                    let mode = if entry.mode == u32::from(git2::FileMode::BlobExecutable) {
                        git2::FileMode::BlobExecutable
                    } else {
                        git2::FileMode::Blob
                    };
                    update.upsert(name.as_str(), entry.id, mode);
                    changed = true;
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && base.get_path(rel).is_ok() => {
                let _ = index.remove_path(rel);
                update.remove(name.as_str());
                changed = true;
            }
            _ => {}
        }
    }
    if !changed {
        return Ok(None);
    }
    let tree_id = update.create_updated(repo, &base)?;
    if head.is_some() && tree_id == base.id() {
        // Nothing to record (files restored as they were): the index is left as it was too.
        return Ok(None);
    }
    let tree = repo.find_tree(tree_id)?;
    let sig = signature(actor)?;
    let parents: Vec<&git2::Commit> = head.iter().collect();
    let id = repo.commit(Some("HEAD"), &sig, &sig, &record.message(), &tree, &parents)?;
    index.write()?;
    Ok(Some(id))
}

/// Commit what the command holding `ticket` wrote (when it is the outermost one and the
/// workspace is a repository). A failed commit leaves the files written and tells the user
/// how to record them.
pub(crate) fn record(
    ws: &Workspace,
    ticket: &journal::Ticket,
    actor: &impl Author,
    record: &Record,
) {
    let Some(paths) = ticket.take() else { return };
    if paths.is_empty() {
        return;
    }
    let Some(repo) = open(&ws.root) else { return };
    if let Err(e) = commit_paths(&repo, &ws.root, &paths, actor, record) {
        ws.notify(&format!(
            "文件已写入，但未能记入历史（{}）。请稍后在工作区运行 `yingsu commit -m \"{}\"` 补记。",
            e.message(),
            one_line(&record.subject)
        ));
    }
}

/// Several writing commands recorded as one commit (`check --open` opening several cases).
#[derive(Debug)]
pub struct Group {
    ticket: journal::Ticket,
}

impl Group {
    pub fn begin(ws: &Workspace) -> Group {
        Group {
            ticket: journal::begin(&ws.root),
        }
    }

    /// Commit everything written since [`Group::begin`].
    pub fn record(self, ws: &Workspace, actor: &impl Author, what: &Record) {
        record(ws, &self.ticket, actor, what);
    }
}

/// The commit of `check --open` (and the workbench's same confirmation): the cases opened.
pub fn opened_record(opened: &[String], actor: &impl Author) -> Record {
    let what = format!("督查整改：开启 {} 个案件", opened.len());
    let mut record = Record::new("check --open", what, actor);
    for id in opened {
        record = record.with(CASE, id.clone());
    }
    record
}

/// How a file differs from the last commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Changed {
    /// 修改, 新增 or 删除.
    pub how: &'static str,
    pub path: String,
}

/// Files changed outside yingsu: tracked files that differ from `HEAD`, and files not tracked
/// outside the ignored paths. `None` when the workspace is not a repository.
pub fn changed_by_hand(root: &Path) -> Result<Option<Vec<Changed>>> {
    let Some(repo) = open(root) else {
        return Ok(None);
    };
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true)
        .recurse_untracked_dirs(true)
        .include_ignored(false)
        .renames_head_to_index(false);
    let statuses = repo
        .statuses(Some(&mut opts))
        .map_err(|e| git_error("查看修改", e))?;
    let mut out = Vec::new();
    for s in statuses.iter() {
        let st = s.status();
        let how = if st.intersects(git2::Status::WT_NEW) && !st.intersects(git2::Status::INDEX_NEW)
        {
            "新增"
        } else if st.intersects(git2::Status::WT_DELETED | git2::Status::INDEX_DELETED) {
            "删除"
        } else if st.intersects(git2::Status::INDEX_NEW) {
            "新增"
        } else if st.is_empty() || st.intersects(git2::Status::IGNORED) {
            continue;
        } else {
            "修改"
        };
        if let Ok(p) = s.path()
            && !is_own_cache(p)
        {
            out.push(Changed {
                how,
                path: p.to_string(),
            });
        }
    }
    Ok(Some(out))
}

/// `yingsu commit -m 说明`: record every file changed by hand as one commit by `actor`.
/// Returns what was recorded (empty: nothing to record).
pub fn commit_by_hand(ws: &Workspace, actor: &impl Author, note: &str) -> Result<Vec<Changed>> {
    let Some(repo) = open(&ws.root) else {
        return Err(Error::user(
            "本工作区还不是 git 仓库，没有历史可记录",
            "先运行 `yingsu init --git` 把它变成仓库",
        ));
    };
    let _lock = ws.lock_for_writing()?;
    let changed = changed_by_hand(&ws.root)?.unwrap_or_default();
    if changed.is_empty() {
        return Ok(changed);
    }
    let paths: Vec<PathBuf> = changed.iter().map(|c| PathBuf::from(&c.path)).collect();
    let record = Record::new("commit", format!("手工修改：{}", one_line(note)), actor);
    commit_paths(&repo, &ws.root, &paths, actor, &record)
        .map_err(|e| git_error("记录手工修改", e))?;
    Ok(changed)
}
