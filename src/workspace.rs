//! Workspaces: owns the on-disk layout of a workspace — `yingsu.yaml`, `cases/`, `archive/`, and the
//! optional `workflows/`, `templates/` and `fonts/` that override the built-in ones by name — and
//! the resolution of those resources (workspace first, then built-in). `init` creates a workspace.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::config::{Config, WorkCalendar};
use crate::error::{Diagnostic, Error, Result};
use crate::settings::Settings;
use crate::workflow::{Context, Workflow};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// The largest text file (configuration, workflow, template, case file) yingsu reads: larger
/// ones are refused without being read.
pub(crate) const MAX_TEXT_FILE: u64 = 16 * 1024 * 1024;

/// Read a text file of the workspace at `root`: it must lie inside (a symlink leading out is
/// refused without reading what it points at), be a regular file and at most
/// [`MAX_TEXT_FILE`] bytes of UTF-8.
pub(crate) fn read_text(root: &Path, path: &Path) -> Result<String> {
    read_text_stamped(root, path).map(|r| r.text)
}

/// A text file as [`read_text_stamped`] read it.
pub struct TextRead {
    pub text: String,
    /// A plain file reached without a symlink (what the case index may record).
    pub plain: bool,
    /// The `stat` stamp of the very file read, when it is plain.
    pub stamp: Option<crate::derived::Stamp>,
}

/// [`read_text`], telling whether the file is a plain one and its stamp.
pub(crate) fn read_text_stamped(root: &Path, path: &Path) -> Result<TextRead> {
    let rel = path.strip_prefix(root).unwrap_or(path);
    let read = crate::jail::read_file_inside(root, rel, MAX_TEXT_FILE).map_err(|e| {
        // A missing file or a folder is told as such (the jail only says it cannot read it);
        // looked at only when the read failed, so a file read costs no extra `stat`.
        if let Err(e) = std::fs::symlink_metadata(path) {
            return crate::yaml::read_error(path, e);
        }
        if path.is_dir() {
            return crate::yaml::read_error(
                path,
                std::io::Error::from(std::io::ErrorKind::IsADirectory),
            );
        }
        e.relative_to(root)
    })?;
    let plain = read.plain_path && read.meta.is_file();
    let stamp = plain
        .then(|| crate::derived::Stamp::of(&read.meta))
        .flatten();
    let text = String::from_utf8(read.bytes)
        .map_err(|_| Error::from(crate::jail::not_utf8(rel)).relative_to(root))?;
    Ok(TextRead { text, plain, stamp })
}

/// The commented `yingsu.yaml` that `init` writes.
pub const INIT_CONFIG: &str = include_str!("init/yingsu.yaml");

/// "No locks available" (`ENOLCK`) of the platforms that have it as a distinct code.
const ENOLCK: i32 = if cfg!(any(target_os = "linux", target_os = "android")) {
    37
} else if cfg!(any(
    target_os = "macos",
    target_os = "ios",
    target_os = "freebsd",
    target_os = "openbsd",
    target_os = "netbsd"
)) {
    77
} else {
    0
};

/// See [`Workspace::lock_for_writing`].
#[derive(Debug)]
pub struct WriteLock {
    file: std::fs::File,
    pub(crate) journal: crate::journal::Ticket, // what the command wrote, for its commit
}

/// What the lock file says while a command that writes holds it, and after it ended cleanly.
const LOCK_WRITING: &[u8] = b"writing\n";
const LOCK_CLEAN: &[u8] = b"clean\n";

/// The lock file's name in the workspace's folder.
const LOCK_FILE: &str = ".yingsu.lock";

/// Whether the lock file says the last command that held it ended cleanly.
fn lock_says_clean(file: &std::fs::File) -> bool {
    use std::io::Read;
    let mut said = Vec::new();
    file.take(64).read_to_end(&mut said).is_ok() && said == LOCK_CLEAN
}

/// Puts `state` in the lock file (its whole content).
fn mark_lock(file: &mut std::fs::File, state: &[u8]) -> std::io::Result<()> {
    use std::io::{Seek, Write};
    file.set_len(0)?;
    file.seek(std::io::SeekFrom::Start(0))?;
    file.write_all(state)
}

/// Opens the lock file at `path` (creating it when `create`) as the workspace's own file (see
/// [`crate::jail::open_own`]): a workspace received by git may carry `.yingsu.lock` as a link to
/// a file elsewhere (writing `clean` into it would truncate that file), a hard link, a FIFO
/// (opening it would wait forever) or a device; each is refused with what to do.
fn open_lock_file(path: &Path, create: bool) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    if create {
        options.create(true).truncate(false).write(true);
    }
    crate::jail::open_own(path, &mut options).map_err(|e| match e {
        crate::jail::NotOwn::Io(e) => Error::io("打开", path, e),
        crate::jail::NotOwn::Not(what) => Diagnostic::new(format!(
            "工作区的锁文件 {LOCK_FILE} {what}，yingsu 不会写入它"
        ))
        .help(format!(
            "{LOCK_FILE} 只应是 yingsu 自己创建的普通文件（不提交到 git）：请删除它（rm {LOCK_FILE}），yingsu 下次运行时会重新创建"
        ))
        .into(),
    })
}

impl Drop for WriteLock {
    /// The command ends without being cut short: whatever it staged was put in place or
    /// removed (a staged file not committed is deleted when dropped), so the next command need
    /// not look for leftovers. A process killed or crashed never gets here, and leaves the
    /// lock file saying `writing`.
    fn drop(&mut self) {
        let _ = mark_lock(&mut self.file, LOCK_CLEAN);
    }
}

/// A template source and where it came from.
#[derive(Debug, Clone)]
pub struct Template {
    /// Virtual path inside the Typst world, e.g. `gbt9704.typ`.
    pub path: String,
    /// The Typst source, shared by every document job that uses it.
    pub source: Arc<str>,
    /// The file on disk, or `内置` for a built-in template.
    pub origin: PathBuf,
}

/// Receives the messages a library call has for the user while it works.
pub type Notifier = Arc<dyn Fn(&str) + Send + Sync>;

/// An opened workspace.
pub struct Workspace {
    pub root: PathBuf,
    pub config: Config,
    pub calendar: WorkCalendar,
    pub workflows: BTreeMap<String, Workflow>,
    /// All `.typ` files by virtual path (workspace files override built-in ones).
    pub templates: BTreeMap<String, Template>,
    notifier: Option<Notifier>,
    /// What the environment says (see [`crate::settings`]).
    settings: Settings,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("root", &self.root)
            .field("workflows", &self.workflows.keys().collect::<Vec<_>>())
            .field("templates", &self.templates.keys().collect::<Vec<_>>())
            .finish_non_exhaustive()
    }
}

/// The built-in workflow sources, by name.
pub fn builtin_workflows() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::WORKFLOWS
        .iter()
        .map(|(p, s)| (p.trim_end_matches(".yaml"), *s))
}

/// The built-in template sources, by virtual path.
pub fn builtin_templates() -> impl Iterator<Item = (&'static str, &'static str)> {
    embedded::TEMPLATES.iter().copied()
}

impl Workspace {
    /// Find the workspace containing `start` (it or an ancestor holds `yingsu.yaml`) and open it.
    pub fn discover(start: &Path) -> Result<Workspace> {
        Workspace::discover_with(start, Settings::current().clone())
    }

    /// [`Workspace::discover`] with `settings`.
    pub fn discover_with(start: &Path, settings: Settings) -> Result<Workspace> {
        let start = start
            .canonicalize()
            .map_err(|e| Error::io("打开目录", start, e))?;
        let mut dir = Some(start.as_path());
        while let Some(d) = dir {
            let cfg = d.join("yingsu.yaml");
            // Something named yingsu.yaml that is not a file is a workspace gone wrong, not
            // a folder without one: said as it is, not searched past.
            match std::fs::metadata(&cfg) {
                Ok(m) if m.is_file() => return Workspace::open_with(d, settings),
                Ok(m) => {
                    let what = if m.is_dir() {
                        "是一个文件夹"
                    } else {
                        "不是普通文件（是管道、设备等特殊文件）"
                    };
                    return Err(Diagnostic::new(format!(
                        "{} {what}，不是工作区的配置文件",
                        cfg.display()
                    ))
                    .help("yingsu.yaml 必须是一个文本文件：请把它改名或移走，再用 `yingsu init` 新建，或从 git 历史中恢复原来的 yingsu.yaml")
                    .into());
                }
                Err(_) => {}
            }
            dir = d.parent();
        }
        Err(Error::user(
            format!(
                "{} 不是 yingsu 工作区（找不到 yingsu.yaml）",
                start.display()
            ),
            "用 `yingsu init 目录` 新建工作区，或用 `yingsu -C 工作区目录 …` 指定已有的工作区",
        ))
    }

    /// Open the workspace at `root`, loading and validating its configuration and workflows
    /// (with the process's settings, [`Settings::current`]).
    pub fn open(root: &Path) -> Result<Workspace> {
        Workspace::open_with(root, Settings::current().clone())
    }

    /// [`Workspace::open`] with `settings`.
    pub fn open_with(root: &Path, settings: Settings) -> Result<Workspace> {
        let root = root.to_path_buf();
        let cfg_path = root.join("yingsu.yaml");
        let source = read_text(&root, &cfg_path)?;
        let (config, calendar) =
            Config::parse(&cfg_path, &source).map_err(|e| e.relative_to(&root))?;
        check_config_file_names(&config, &cfg_path).map_err(|e| e.relative_to(&root))?;

        let mut templates = BTreeMap::new();
        for (p, s) in builtin_templates() {
            templates.insert(
                p.to_string(),
                Template {
                    path: p.to_string(),
                    source: Arc::from(s),
                    origin: PathBuf::from(format!("内置模板/{p}")),
                },
            );
        }
        let tdir = root.join("templates");
        if tdir.is_dir() {
            for entry in walkdir::WalkDir::new(&tdir)
                .sort_by_file_name()
                .into_iter()
                .flatten()
            {
                let p = entry.path();
                if p.extension().is_some_and(|e| e == "typ") {
                    let rel = p
                        .strip_prefix(&tdir)
                        .map_err(|e| Error::Internal(e.to_string()))?
                        .to_string_lossy()
                        .replace('\\', "/");
                    let source = read_text(&root, p)?;
                    templates.insert(
                        rel.clone(),
                        Template {
                            path: rel,
                            source: Arc::from(source),
                            origin: p.strip_prefix(&root).unwrap_or(p).to_path_buf(),
                        },
                    );
                }
            }
        }
        let template_names: BTreeSet<String> = templates
            .keys()
            .map(|k| k.trim_end_matches(".typ").to_string())
            .collect();

        // Workflow sources: built-in, overridden by the workspace's by name.
        let mut sources: BTreeMap<String, (PathBuf, String)> = builtin_workflows()
            .map(|(n, s)| {
                (
                    n.to_string(),
                    (PathBuf::from(format!("内置流程/{n}.yaml")), s.to_string()),
                )
            })
            .collect();
        let wdir = root.join("workflows");
        if wdir.is_dir() {
            let mut entries: Vec<_> = std::fs::read_dir(&wdir)
                .map_err(|e| Error::io("读取目录", &wdir, e))?
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            entries.sort();
            for p in entries {
                let name = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                let source = read_text(&root, &p)?;
                sources.insert(
                    name,
                    (p.strip_prefix(&root).unwrap_or(&p).to_path_buf(), source),
                );
            }
        }
        let names: BTreeSet<String> = sources.keys().cloned().collect();
        let cx = Context {
            config: &config,
            templates: &template_names,
            workflows: &names,
        };
        let mut workflows = BTreeMap::new();
        let mut errors = Vec::new();
        for (name, (file, source)) in &sources {
            match Workflow::load(file, source, &cx) {
                Ok(wf) => {
                    if wf.name() != name {
                        errors.push(
                            crate::yaml::at(
                                file,
                                source,
                                &wf.spec.name,
                                format!("流程名 `{}` 与文件名 `{name}` 不一致", wf.name()),
                            )
                            .help(format!(
                                "把 name 改为 {name}，或把文件改名为 {}.yaml",
                                wf.name()
                            )),
                        );
                    }
                    workflows.insert(name.clone(), wf);
                }
                Err(e) => match e {
                    Error::User(d) => errors.push(*d),
                    Error::Many(ds) => errors.extend(ds),
                    other => return Err(other),
                },
            }
        }
        if !errors.is_empty() {
            return Err(Error::Many(errors));
        }
        Ok(Workspace {
            root,
            config,
            calendar,
            workflows,
            templates,
            notifier: None,
            settings,
        })
    }

    /// What the environment says (see [`crate::settings`]).
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A path as the user reads it: relative to the workspace when inside it.
    pub(crate) fn rel_path(&self, p: &Path) -> PathBuf {
        p.strip_prefix(&self.root).unwrap_or(p).to_path_buf()
    }

    /// [`Workspace::rel_path`] as text.
    pub fn rel(&self, p: &Path) -> String {
        self.rel_path(p).display().to_string()
    }

    /// Tell the user something while a command runs (the command line prints it on stderr; a
    /// library user without a notifier hears nothing).
    pub(crate) fn notify(&self, message: &str) {
        if let Some(n) = &self.notifier {
            n(message);
        }
    }

    /// Where [`Workspace::notify`] sends its messages.
    pub fn set_notifier(&mut self, notifier: Notifier) {
        self.notifier = Some(notifier);
    }

    pub(crate) fn cases_dir(&self) -> PathBuf {
        self.root.join("cases")
    }

    pub(crate) fn archive_dir(&self) -> PathBuf {
        self.root.join("archive")
    }

    /// Where to write the file `rel` (relative to the workspace, e.g. a document's recorded
    /// `file`): its real location, refused when a folder on the way is a symlink leading out of
    /// the workspace (an `archive/2023/<case>` linked to another disk, say) or a dangling one.
    /// Every file the engine writes into the archive is placed through this.
    pub(crate) fn output_path(&self, rel: &str) -> Result<PathBuf> {
        crate::jail::resolve_inside(&self.root, Path::new(rel))
    }

    /// Holds the workspace's records for one command that changes them (`case new`,
    /// `case advance`, `render`): every such command reads a case, decides and writes it back,
    /// and two at once would let the later write drop the earlier one's step. Another
    /// command waits here (saying so on stderr) until this one is done; the hold ends when
    /// the returned value is dropped, or when the process ends in any way.
    pub fn lock_for_writing(&self) -> Result<WriteLock> {
        let path = self.root.join(LOCK_FILE);
        let file = open_lock_file(&path, true)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                self.notify("另一个 yingsu 命令正在修改本工作区的记录，等待它完成……");
                file.lock().map_err(|e| Error::io("锁定", &path, e))?;
            }
            // A file system without locks (some network shares): work on, as before locks.
            Err(std::fs::TryLockError::Error(e))
                if e.kind() == std::io::ErrorKind::Unsupported
                    || (ENOLCK != 0 && e.raw_os_error() == Some(ENOLCK)) =>
            {
                self.notify(&format!(
                    "提示：{} 所在的文件系统不支持文件锁，请勿同时在本工作区运行多个修改记录的命令",
                    path.display()
                ));
            }
            Err(std::fs::TryLockError::Error(e)) => return Err(Error::io("锁定", &path, e)),
        }
        // Holding the lock, no other run is writing. Unless the last run that held it ended
        // cleanly (the lock file says so; a run cut short leaves it saying `writing`, an older
        // yingsu leaves it empty), temporary files it left in the archive and the case folders
        // are removed (only yingsu's own naming pattern). The whole archive is walked only then.
        let mut file = file;
        let clean = lock_says_clean(&file);
        mark_lock(&mut file, LOCK_WRITING)
            .and_then(|()| file.sync_data())
            .map_err(|e| Error::io("写入", &path, e))?;
        if !clean {
            for dir in self.record_dirs() {
                let removed = crate::archive::remove_stale_temps(&dir)?;
                if !removed.is_empty() {
                    self.notify(&format!(
                        "已清理上次中断留下的 {} 个临时文件",
                        removed.len()
                    ));
                }
            }
        }
        let journal = crate::journal::begin(&self.root);
        Ok(WriteLock { file, journal })
    }

    /// The folders that hold the records, `archive/` and `cases/`, where they are: each as
    /// [`Workspace::archive_dir`] / [`Workspace::cases_dir`] name it, or its real location when
    /// it is a link to another folder of the workspace. One linked out of the workspace (or
    /// dangling) is left out: nothing is written or deleted through it (writing there is refused
    /// by [`Workspace::output_path`], and `validate` reports the link).
    pub(crate) fn record_dirs(&self) -> Vec<PathBuf> {
        [self.archive_dir(), self.cases_dir()]
            .into_iter()
            .filter_map(|dir| {
                let is_link = std::fs::symlink_metadata(&dir)
                    .map(|m| m.file_type().is_symlink())
                    .ok()?;
                if !is_link {
                    return Some(dir);
                }
                let rel = dir.strip_prefix(&self.root).ok()?;
                crate::jail::resolve_inside(&self.root, rel).ok()
            })
            .collect()
    }

    /// Why `rel` (relative to the workspace) is a symbolic link that leads out of the workspace
    /// or nowhere, or `None` when it is no link or one that stays inside. One `lstat` when it is
    /// no link.
    fn link_out(&self, rel: &Path) -> Option<Error> {
        let is_link = std::fs::symlink_metadata(self.root.join(rel))
            .is_ok_and(|m| m.file_type().is_symlink());
        if !is_link {
            return None;
        }
        crate::jail::resolve_inside(&self.root, rel).err()
    }

    /// The workspace's folders that are symbolic links leading out of it (or nowhere): the
    /// top-level folders yingsu reads or writes (`cases/`, `archive/`, `archive/numbers/`,
    /// `fonts/`, `templates/`, `workflows/`, `seals/`, `.yingsu/`, `.yingsu/index/`), every year folder of the
    /// archive and every case's archive folder. A workspace received by git can carry such links;
    /// nothing is written through them (see [`Workspace::output_path`]) and `validate` reports
    /// each with what to do. Links that stay inside the workspace are fine.
    pub(crate) fn links_out(&self) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let mut check = |rel: &Path| {
            if let Some(e) = self.link_out(rel) {
                let why = e
                    .diagnostics()
                    .first()
                    .map_or_else(String::new, |d| d.message.clone());
                let shown = rel.display().to_string().replace('\\', "/");
                found.push(
                    Diagnostic::new(format!(
                        "{shown} 是指向工作区之外的符号链接，yingsu 不会经由它读取或写入：{why}"
                    ))
                    .help(if shown == "fonts" {
                        "把它换成工作区内真实的目录；要使用工作区之外的字体目录，请在 yingsu.yaml 的 font_paths 中写明"
                    } else {
                        "把它换成工作区内真实的目录（从 git 收到的工作区不应含有指向工作区之外的链接），再运行 `yingsu validate`"
                    }),
                );
            }
        };
        for top in [
            "cases",
            "archive",
            "archive/numbers",
            "fonts",
            "templates",
            "workflows",
            "seals",
        ] {
            check(Path::new(top));
        }
        let derived = Path::new(crate::derived::DERIVED_DIR);
        check(derived);
        check(&derived.join("index"));
        // Year folders of the archive and the case folders in them (one listing each, the kind
        // from the listing itself).
        let sorted_entries = |dir: &Path| -> Vec<(std::ffi::OsString, bool, bool)> {
            let mut v: Vec<_> = std::fs::read_dir(dir)
                .into_iter()
                .flatten()
                .flatten()
                .map(|e| {
                    let t = e.file_type().ok();
                    (
                        e.file_name(),
                        t.is_some_and(|t| t.is_symlink()),
                        t.is_some_and(|t| t.is_dir()),
                    )
                })
                .collect();
            v.sort();
            v
        };
        if std::fs::symlink_metadata(self.archive_dir()).is_ok_and(|m| m.is_dir()) {
            for (year, link, dir) in sorted_entries(&self.archive_dir()) {
                let rel = Path::new("archive").join(&year);
                if link {
                    check(&rel);
                } else if dir {
                    for (case, link, _) in sorted_entries(&self.root.join(&rel)) {
                        if link {
                            check(&rel.join(case));
                        }
                    }
                }
            }
        }
        found
    }

    /// Whether the last command that wrote to the workspace's records ended cleanly (the lock
    /// file says so; see [`Workspace::lock_for_writing`]): then no temporary file of a run cut
    /// short is left in the archive or the case folders.
    pub(crate) fn last_write_ended_cleanly(&self) -> bool {
        open_lock_file(&self.root.join(LOCK_FILE), false).is_ok_and(|f| lock_says_clean(&f))
    }

    /// What template `name` (without `.typ`) declares about its documents (format, 文种,
    /// direction; see [`crate::docformat`]); the defaults for a template that does not exist.
    pub fn declared(&self, name: &str) -> Result<crate::docformat::Declared> {
        let Some(t) = self.templates.get(&format!("{name}.typ")) else {
            return Ok(Default::default());
        };
        crate::docformat::declared(&t.source).map_err(|(line, column, msg)| {
            Error::User(Box::new(
                crate::error::Diagnostic::new(msg)
                    .at(&t.origin, &t.source, crate::error::Pos { line, column })
                    .help(
                        "模板开头的注释行写成 `// 版式：文件`、`// 文种：报告`、`// 行文：上行文`",
                    ),
            ))
        })
    }

    /// Every template by its virtual path in the Typst world (`/gbt9704.typ`), sharing the
    /// sources: what a document job may import.
    pub fn template_files(&self) -> BTreeMap<String, Arc<str>> {
        self.templates
            .iter()
            .map(|(p, t)| (format!("/{p}"), Arc::clone(&t.source)))
            .collect()
    }

    /// Font folders in priority order: the workspace's `fonts/`, configured paths, the bundled ones.
    /// The workspace's `fonts/` is left out when it is a link leading out of the workspace (its
    /// fonts would make the documents depend on the computer; `validate` reports the link, and
    /// `font_paths` is the place to name a folder elsewhere).
    pub(crate) fn font_dirs(&self) -> Vec<PathBuf> {
        let own = self.root.join("fonts");
        let linked_out = self.link_out(Path::new("fonts")).is_some();
        let mut dirs = if linked_out { Vec::new() } else { vec![own] };
        for p in &self.config.font_paths {
            let p = Path::new(p);
            dirs.push(if p.is_absolute() {
                p.to_path_buf()
            } else {
                self.root.join(p)
            });
        }
        dirs.extend(bundled_font_dirs_with(&self.settings));
        dirs.into_iter().filter(|d| d.is_dir()).collect()
    }

    /// The operating system's font folders, searched for the official fonts only; none when
    /// `yingsu.yaml` says `system_fonts: false` or the environment sets `YINGSU_SYSTEM_FONTS=0`
    /// (for output that must not depend on the computer).
    pub fn system_font_dirs(&self) -> Vec<PathBuf> {
        if !self.config.system_fonts || !self.settings.system_fonts {
            return Vec::new();
        }
        crate::typeset::system_font_dirs()
    }

    pub fn workflow(&self, name: &str) -> Result<&Workflow> {
        self.workflows
            .get(name)
            .ok_or_else(|| Error::user(format!("没有名为 `{name}` 的流程"), self.workflows_help()))
    }

    /// "可用的流程：appearance、proposal、rectification", the help of an unknown workflow.
    pub(crate) fn workflows_help(&self) -> String {
        let names: Vec<&str> = self.workflows.keys().map(String::as_str).collect();
        format!("可用的流程：{}", names.join("、"))
    }
}

/// The names of `yingsu.yaml` that become parts of file names, checked so that every file the
/// workspace gets can be created and copied on Windows too: an agency id in its monthly
/// report's name (`monthly-2023-05-ID.pdf`), an issuer's prefix in its number register's
/// (`渝北司函-2023.tsv`).
fn check_config_file_names(config: &crate::config::Config, file: &Path) -> Result<()> {
    let mut errors = crate::error::Errors::default();
    let agencies = config.agencies.keys().map(|id| {
        (
            format!("单位代码 `{id}`"),
            format!("monthly-2023-01-{id}.pdf"),
        )
    });
    // Every prefix: the 函's and those of each 文种 or format.
    let prefixes = config.issuers.iter().flat_map(|(id, i)| {
        i.prefix.iter().chain(i.prefixes.values()).map(move |p| {
            (
                format!("发文机关 `{id}` 的文号代字 `{p}`"),
                format!("{p}-2023.tsv"),
            )
        })
    });
    for (what, name) in agencies.chain(prefixes) {
        if let Some(why) = crate::jail::file_name_problem(&name) {
            errors.push(
                Diagnostic::new(format!(
                    "{what} 会成为文件名的一部分，但不能用作文件名：{why}"
                ))
                .in_file(file)
                .help("改用由汉字、字母、数字、连字符“-”和下划线“_”组成的名称"),
            );
        }
    }
    errors.into_result()
}

/// [`bundled_font_dirs_with`] the process's settings.
pub fn bundled_font_dirs() -> Vec<PathBuf> {
    bundled_font_dirs_with(Settings::current())
}

/// Font folders shipped with the program: `$YINGSU_FONTS` ([`Settings::fonts`]), or `fonts/`
/// beside the executable (or in `../share/yingsu/`). The default fonts themselves are compiled
/// into the program and come after every folder (see
/// [`crate::typeset::Typesetter::with_default_fonts`]).
pub(crate) fn bundled_font_dirs_with(settings: &Settings) -> Vec<PathBuf> {
    let mut v = settings.fonts.clone();
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe.parent()
    {
        v.push(dir.join("fonts"));
        v.push(dir.join("../share/yingsu/fonts"));
    }
    v.into_iter().filter(|d| d.is_dir()).collect()
}

/// `.gitattributes` of a new workspace: documents binary for git (checksums kept), text in LF.
pub const INIT_GITATTRIBUTES: &str = "\
# yingsu：文书 PDF、图片、Excel 和字体是二进制文件，git 不做文本比较、不转换换行
*.pdf binary
*.png binary
*.jpg binary
*.jpeg binary
*.svg binary
*.xlsx binary
*.ttf binary
*.otf binary
*.ttc binary
*.otc binary
# 文本文件一律用 LF 换行（Windows 上也一样），按文本比较
*.yaml text eol=lf diff
*.yml text eol=lf diff
*.typ text eol=lf diff
*.json text eol=lf diff
*.tsv text eol=lf diff
*.csv text eol=lf diff
*.md text eol=lf diff
";

/// `.gitignore` of a new workspace: the lock, temporary files and the local cache.
pub const INIT_GITIGNORE: &str = "\
# yingsu 的锁、临时文件和本机缓存（不提交到 git）
.yingsu.lock
.yingsu-*
*.tmp
.yingsu/
";

/// `.vscode/settings.json` of a new workspace: the YAML language server checks and completes
/// `yingsu.yaml`, workflows and case files against the schemas in `schema/`.
pub(crate) const INIT_VSCODE_SETTINGS: &str = r#"{
  "yaml.schemas": {
    "./schema/config.json": "yingsu.yaml",
    "./schema/workflow.json": "workflows/*.yaml",
    "./schema/case.json": "cases/**/*.yaml"
  },
  "files.encoding": "utf8",
  "files.eol": "\n"
}
"#;

/// Create a workspace at `dir`: a commented `yingsu.yaml`, `cases/`, `archive/`, git settings
/// (`.gitattributes`, `.gitignore`), the JSON Schemas of its YAML files (`schema/`) and the
/// editor settings that use them (`.vscode/settings.json`). Git and editor files already there
/// are kept.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>> {
    let cfg = dir.join("yingsu.yaml");
    if cfg.exists() {
        return Err(Diagnostic::new("这里已经有 yingsu.yaml，不会覆盖")
            .in_file(&cfg)
            .help("换一个空目录，或直接在这个工作区里使用 yingsu")
            .into());
    }
    let mut created = Vec::new();
    for sub in ["cases", "archive"] {
        let p = dir.join(sub);
        std::fs::create_dir_all(&p).map_err(|e| Error::io("创建目录", &p, e))?;
        created.push(p);
    }
    crate::archive::write_atomic(&cfg, INIT_CONFIG.as_bytes())?;
    created.insert(0, cfg);
    let ws = Workspace::open(dir)?;
    let pretty = |v: serde_json::Value| {
        serde_json::to_string_pretty(&v)
            .map(|s| s + "\n")
            .map_err(|e| Error::Internal(e.to_string()))
    };
    let files = [
        (".gitattributes", INIT_GITATTRIBUTES.to_string()),
        (".gitignore", INIT_GITIGNORE.to_string()),
        (".vscode/settings.json", INIT_VSCODE_SETTINGS.to_string()),
        ("schema/config.json", pretty(crate::schema::config())?),
        ("schema/workflow.json", pretty(crate::schema::workflow())?),
        (
            "schema/case.json",
            pretty(crate::schema::case(&ws.workflows, &ws.config))?,
        ),
    ];
    for (rel, text) in files {
        let p = dir.join(rel);
        if p.exists() {
            continue;
        }
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).map_err(|e| Error::io("创建目录", parent, e))?;
        }
        crate::archive::write_atomic(&p, text.as_bytes())?;
        created.push(p);
    }
    Ok(created)
}
