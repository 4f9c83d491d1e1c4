//! The case store: owns finding case files (`cases/<year>/<id>.yaml`) and loading one into a
//! [`CaseView`] — the file parsed, its workflow resolved, the clerk's corrections checked and
//! coerced. Every command that reads a case goes through [`load_case`].

use std::path::PathBuf;

use crate::case::{self, Case};
use crate::error::{Diagnostic, Error, Result};
use crate::index::cases::CaseIndex;
use crate::workspace::Workspace;
use crate::yaml;

use super::input;
use crate::engine::audit::history;
use crate::view::CaseView;

/// All case files: `(id, path)` of every `cases/<year>/<id>.yaml`, in path order (folders,
/// then files, each sorted by name). Read with one directory listing per folder: every command
/// over the archive starts here, and a walker that sorted ten thousand entries took 30 ms of a
/// 0.2 s command.
///
/// Nothing under `cases/` is passed over in silence, since a case left out would be missing
/// from every count: a folder that is not a year, a case file outside a year folder, a folder
/// inside a year folder, a symbolic link to a folder, or a file name that cannot be a case id
/// (`...yaml` would be the case `..`) is an error naming it and saying where cases belong.
/// In a year folder every file is a case file named `<案件编号>.yaml`: any other name (`.yml`,
/// `.YAML`, `.yaml.bak`, a hidden `.x.yaml`) is an error too, since it would look like a case to a
/// clerk and be counted by nothing; only the operating system's folder files (`.DS_Store`,
/// `Thumbs.db`, `desktop.ini`), git's `.gitkeep`/`.gitignore` and yingsu's own temporary files
/// are passed over. Directly under `cases/`, names starting with `.` and files that do not look
/// like YAML are left alone. `cases/` itself linked out of the workspace is an error.
pub fn case_files(ws: &Workspace) -> Result<Vec<(String, PathBuf)>> {
    let dir = ws.cases_dir();
    let mut out = Vec::new();
    match std::fs::symlink_metadata(&dir) {
        Err(_) => return Ok(out),
        Ok(m) if m.file_type().is_symlink() => {
            // A link to another folder of the workspace is read; one leading out is not.
            crate::jail::resolve_inside(&ws.root, std::path::Path::new("cases"))
                .map_err(|e| e.relative_to(&ws.root))?;
        }
        Ok(_) => {}
    }
    if !dir.is_dir() {
        return Ok(out);
    }
    // Names with their kind (from the listing itself, no extra look at the file).
    let list = |dir: &std::path::Path| -> Result<Vec<(std::ffi::OsString, Kind)>> {
        let mut entries = std::fs::read_dir(dir)
            .and_then(|it| {
                it.map(|e| {
                    e.map(|e| {
                        let kind = match e.file_type() {
                            Ok(t) if t.is_dir() => Kind::Folder,
                            Ok(t) if t.is_symlink() && e.path().is_dir() => Kind::LinkedFolder,
                            _ => Kind::File,
                        };
                        (e.file_name(), kind)
                    })
                })
                .collect::<std::io::Result<Vec<_>>>()
            })
            .map_err(|e| Error::io("读取目录", dir, e))?;
        entries.sort_unstable();
        Ok(entries)
    };
    for (folder, kind) in list(&dir)? {
        let name = folder.to_string_lossy();
        if name.starts_with('.') {
            continue;
        }
        let shown = format!("cases/{}", crate::jail::shown(&name));
        match kind {
            Kind::LinkedFolder => {
                return Err(misplaced(
                    format!("{shown} 是指向别处的符号链接，yingsu 不读取其中的案件"),
                    "把它换成真实的年份目录（例如 cases/2023），把案件文件放进去",
                ));
            }
            Kind::File if looks_like_yaml(&name) => {
                return Err(misplaced(
                    format!("案件文件 {shown} 不在年份目录中"),
                    format!(
                        "案件文件应放在 cases/<年份>/ 下：请把它移到 cases/<案件所属年份>/{}",
                        crate::jail::shown(&name)
                    ),
                ));
            }
            Kind::File => continue,
            Kind::Folder if !is_year(&name) => {
                return Err(misplaced(
                    format!("{shown} 不是年份目录"),
                    "cases/ 下只能有以四位年份命名的目录（例如 cases/2023），案件文件放在其中；请把其中的案件文件移到所属年份的目录",
                ));
            }
            Kind::Folder => {}
        }
        let folder = dir.join(&folder);
        let names = list(&folder)?;
        out.reserve(names.len());
        for (file, kind) in names {
            let text = file.to_string_lossy();
            if PASSED_OVER.contains(&text.as_ref()) || crate::archive::is_temp_name(&text) {
                continue;
            }
            let shown = format!("cases/{name}/{}", crate::jail::shown(&text));
            if kind != Kind::File {
                return Err(misplaced(
                    format!("{shown} 是目录：年份目录中只能放案件文件，其中的案件不会被读取"),
                    format!("把其中的案件文件移到 cases/{name}/ 下，再删除这个目录"),
                ));
            }
            let Some(id) = text.strip_suffix(".yaml").filter(|id| !id.starts_with('.')) else {
                return Err(misplaced(
                    format!(
                        "{shown} 不是案件文件：年份目录中只能放以 .yaml 结尾的案件文件，它不会被任何统计计入"
                    ),
                    not_a_case_help(name.as_ref(), &text),
                ));
            };
            case::check_id(id).map_err(|e| {
                misplaced(
                    format!(
                        "案件文件名 {shown} 不能用作案件编号：{}",
                        e.diagnostics()
                            .first()
                            .map_or(String::new(), |d| d.message.clone())
                    ),
                    "案件文件名就是案件编号（去掉 .yaml）：请把文件改成合法的名称，例如 ZG-2023-001.yaml",
                )
            })?;
            out.push((id.to_string(), folder.join(&file)));
        }
    }
    Ok(out)
}

/// Files a year folder may hold besides case files: what operating systems and git put in
/// folders. Anything else is an error (see [`case_files`]).
const PASSED_OVER: &[&str] = &[
    ".DS_Store",
    "Thumbs.db",
    "desktop.ini",
    ".gitkeep",
    ".gitignore",
];

/// Whether a file name looks like a YAML file (a case file put in the wrong place or saved under
/// another extension): `.yaml` or `.yml` in any case, also before a further extension (`.bak`).
fn looks_like_yaml(name: &str) -> bool {
    let lower = name.to_lowercase();
    lower.ends_with(".yaml")
        || lower.ends_with(".yml")
        || lower.contains(".yaml.")
        || lower.contains(".yml.")
}

/// What to do with `file`, found in the year folder `year` but not a case file.
fn not_a_case_help(year: &str, file: &str) -> String {
    let lower = file.to_lowercase();
    let stem = [".yaml", ".yml"]
        .iter()
        .find_map(|ext| lower.find(ext).map(|at| &file[..at]))
        .map(|s| s.trim_start_matches('.'))
        .filter(|s| !s.is_empty());
    match stem {
        Some(id) if looks_like_yaml(file) => format!(
            "如果这是案件记录，请把它改名为 cases/{year}/{}.yaml（小写扩展名 .yaml，不以点开头）；如果是备份或副本，请把它移出 cases/ 目录",
            crate::jail::shown(id)
        ),
        _ => "请把它移出 cases/ 目录（年份目录中只能有案件文件）".to_string(),
    }
}

/// What a name under `cases/` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Folder,
    LinkedFolder,
    File,
}

/// Whether a folder of `cases/` is named as a year (four digits).
fn is_year(name: &str) -> bool {
    name.len() == 4 && name.bytes().all(|b| b.is_ascii_digit())
}

/// An entry under `cases/` that is not where a case belongs.
fn misplaced(message: String, help: impl Into<String>) -> Error {
    Diagnostic::new(message).help(help).into()
}

/// Find a case file by id.
/// Looks in each folder of `cases/` (one per year) for `<id>.yaml`, so a lookup costs the
/// same however many cases the archive holds.
pub fn case_path(ws: &Workspace, id: &str) -> Result<PathBuf> {
    case::check_id(id)?;
    let dir = ws.cases_dir();
    let mut folders: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter(|e| is_year(&e.file_name().to_string_lossy()))
            .map(|e| e.path())
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(Error::io("读取目录", &dir, e)),
    };
    folders.sort();
    let file = format!("{id}.yaml");
    let mut found: Vec<PathBuf> = folders
        .into_iter()
        .map(|f| f.join(&file))
        .filter(|p| p.is_file())
        .collect();
    match found.len() {
        0 => {
            // Not where cases belong: say what is misplaced under `cases/`, if anything is.
            case_files(ws)?;
            Err(Error::user(
                format!("找不到案件 `{id}`"),
                "用 `yingsu status` 查看所有案件，或用 `yingsu case new` 新建",
            ))
        }
        1 => Ok(found.remove(0)),
        _ => Err(Error::user(
            format!(
                "案件编号 `{id}` 重复：{}",
                found
                    .iter()
                    .map(|p| ws.rel(p))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
            "每个案件编号只能出现一次，请给其中一个改名",
        )),
    }
}

/// Load a case by id: its file, its workflow, and its corrections checked against the workflow.
pub fn load_case<'w>(ws: &'w Workspace, id: &str) -> Result<CaseView<'w>> {
    let path = case_path(ws, id)?;
    load_file(ws, id, &path)
}

/// Load the case file at `path` (see [`load_case`]).
pub(crate) fn load_file<'w>(
    ws: &'w Workspace,
    id: &str,
    path: &std::path::Path,
) -> Result<CaseView<'w>> {
    let source = crate::workspace::read_text(&ws.root, path)?;
    load_source(ws, id, path, source)
}

/// Load a case from the text of its file at `path` (see [`load_case`]).
pub(crate) fn load_source<'w>(
    ws: &'w Workspace,
    id: &str,
    path: &std::path::Path,
    source: String,
) -> Result<CaseView<'w>> {
    let case = Case::parse(id, path, source).map_err(|e| e.relative_to(&ws.root))?;
    let wf = ws.workflows.get(&case.workflow.value).ok_or_else(|| {
        Error::from(
            yaml::at(
                &ws.rel_path(path),
                &case.source,
                &case.workflow,
                format!("流程 `{}` 不存在", case.workflow.value),
            )
            .help(ws.workflows_help()),
        )
    })?;
    if wf.step(case.current_step()).is_none() {
        return Err(Diagnostic::new(format!(
            "案件当前步骤 `{}` 不在流程 `{}` 中",
            case.current_step(),
            wf.name()
        ))
        .in_file(ws.rel_path(path))
        .help("流程可能被修改过；请恢复该步骤，或联系管理员迁移案件")
        .into());
    }
    // Every step the history names must be one of the workflow's: a step it does not know
    // would be counted as nothing (a judgment renamed `bogus` is no judgment in the figures).
    for (i, h) in case.history.iter().enumerate() {
        let Some(step) = &h.step else { continue };
        if wf.step(step).is_none() {
            let file = ws.rel_path(path);
            let d = Diagnostic::new(format!(
                "第 {} 条办理记录的步骤 `{step}` 不在流程 `{}` 中",
                i + 1,
                wf.name()
            ));
            let nth = case.history[..i]
                .iter()
                .filter(|h| h.step.is_some())
                .count();
            let d = match step_line(&case.source, nth, step) {
                Some(pos) => d.at(&file, &case.source, pos),
                None => d.in_file(&file),
            };
            return Err(d
                .help(format!(
                    "流程 `{}` 的步骤：{}；办理记录由 yingsu 写入，请恢复这条记录原来的 step（可从 git 历史中找回）",
                    wf.name(),
                    wf.spec
                        .steps
                        .keys()
                        .collect::<Vec<_>>()
                        .join("、")
                ))
                .into());
        }
    }
    let typed = input::coerce_typed(ws, &case, wf)?;
    let view = CaseView::new(case, wf, typed);
    // A value of the history that its field cannot hold (a hearing on 2023-02-30) would be
    // read as missing by every figure and report: the case is not read until it is put right.
    let problems = history::history_values(ws, &view, &|_| true);
    if !problems.is_empty() {
        return Err(Error::Many(problems));
    }
    Ok(view)
}

/// Where the value of the `index`-th `step:` (0-based, counting entries that have one) is
/// written, as far as the text tells; else the first `step:` with this value.
fn step_line(source: &str, index: usize, step: &str) -> Option<crate::error::Pos> {
    let mut seen = 0;
    let mut first = None;
    for (n, line) in source.lines().enumerate() {
        let t = line.trim_start();
        let t = t.strip_prefix("- ").map_or(t, str::trim_start);
        if !t.starts_with("step:") {
            continue;
        }
        let at = line.find("step:")? + "step:".len();
        let after = &line[at..];
        let start = at + (after.len() - after.trim_start().len());
        let v = line[start..]
            .trim_end()
            .trim_matches(|c| c == '"' || c == '\'');
        let pos = crate::error::Pos {
            line: n + 1,
            column: line[..start].chars().count() + 1,
        };
        if v == step {
            if seen == index {
                return Some(pos);
            }
            first.get_or_insert(pos);
        }
        seen += 1;
    }
    first
}

/// A case file that could not be read, and why (with its location).
#[derive(Debug)]
pub struct Unreadable {
    pub id: String,
    /// The file, relative to the workspace.
    pub file: String,
    pub error: Error,
}

impl Unreadable {
    /// What is wrong with the file, each problem at its place (the file at least).
    pub fn diagnostics(&self) -> Vec<Diagnostic> {
        let found: Vec<Diagnostic> = self.error.diagnostics().into_iter().cloned().collect();
        if found.is_empty() {
            vec![Diagnostic::new(self.error.to_string()).in_file(&self.file)]
        } else {
            found
        }
    }
}

impl serde::Serialize for Unreadable {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Unreadable", 3)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("file", &self.file)?;
        st.serialize_field("error", &self.error.to_string())?;
        st.end()
    }
}

/// The case index for these case files, all the workspace has (see [`crate::index::cases`]).
pub(crate) fn case_index(ws: &Workspace, files: &[(String, PathBuf)]) -> CaseIndex {
    let paths: Vec<&std::path::Path> = files.iter().map(|(_, p)| p.as_path()).collect();
    CaseIndex::open(
        ws,
        &paths,
        load_source,
        crate::index::cases::kinds::installed(),
    )
}

/// Every case file, loaded in parallel, in path order; the files that could not be read are
/// returned beside the others, so one broken file spoils only itself. Unchanged files come from
/// the case index, which is brought up to date.
pub fn load_all(ws: &Workspace) -> Result<(Vec<CaseView<'_>>, Vec<Unreadable>)> {
    let (loaded, unreadable, index) = load_all_indexed(ws)?;
    index.save();
    Ok((loaded.into_iter().map(|(v, _)| v).collect(), unreadable))
}

/// [`load_all`], each case with the hash of its file's bytes (when the index knows it), and
/// the case index it went through (to be saved by the caller).
#[allow(clippy::type_complexity)]
pub(crate) fn load_all_indexed(
    ws: &Workspace,
) -> Result<(
    Vec<(CaseView<'_>, Option<String>)>,
    Vec<Unreadable>,
    CaseIndex,
)> {
    each_case(ws, |index, id, path| index.load_hashed(ws, id, path))
}

/// `read` applied to every case file (id, path) in parallel, through the case index, in path
/// order; the files it could not read are returned beside the others, so one broken file spoils
/// only itself. The index is returned to be saved by the caller.
pub(crate) fn each_case<T: Send>(
    ws: &Workspace,
    read: impl Fn(&CaseIndex, &str, &std::path::Path) -> Result<T> + Sync,
) -> Result<(Vec<T>, Vec<Unreadable>, CaseIndex)> {
    use rayon::prelude::*;
    let files = case_files(ws)?;
    let index = case_index(ws, &files);
    let read: Vec<(String, PathBuf, Result<T>)> = files
        .into_par_iter()
        .map(|(id, path)| {
            let r = read(&index, &id, &path);
            (id, path, r)
        })
        .collect();
    let mut done = Vec::new();
    let mut unreadable = Vec::new();
    for (id, path, r) in read {
        match r {
            Ok(v) => done.push(v),
            Err(error) => unreadable.push(Unreadable {
                id,
                file: ws.rel(&path),
                error,
            }),
        }
    }
    Ok((done, unreadable, index))
}

/// Lets go of loaded cases on a thread of its own: freeing ten thousand cases' facts takes a
/// noticeable part of a listing, and nobody waits for it (a command that ends meanwhile simply
/// exits).
pub fn release(views: Vec<CaseView<'_>>) {
    if views.len() < 256 {
        return;
    }
    // The cases borrow the workspace's workflows; what is freed on the thread owns nothing
    // borrowed.
    let owned: Vec<(Case, crate::facts::Facts)> =
        views.into_iter().map(|v| (v.case, v.typed)).collect();
    std::thread::spawn(move || drop(owned));
}

/// What [`steps_missing_documents`] keeps of a case in the case index.
type Missing = Vec<(String, usize, String)>;

/// The kind (and version) of [`Missing`] in the case index.
const MISSING_KIND: &str = "missing-documents-1";

/// The steps of a case missing their documents: (case file, line, message).
fn missing(ws: &Workspace, v: &CaseView<'_>) -> Missing {
    v.missing_documents(|v| history::missing_documents(ws, v))
        .iter()
        .cloned()
        .map(|d| (ws.rel(&v.case.path), d.pos.map_or(0, |p| p.line), d.message))
        .collect()
}

/// [`Missing`] as the case index makes it whenever it parses a case file (see
/// [`crate::index::cases::kinds`]).
pub const MISSING_SUMMARY: crate::index::cases::SummaryKind = crate::index::cases::SummaryKind {
    kind: MISSING_KIND,
    make: |ws, v| crate::index::cases::kinds::encode(&missing(ws, v)),
};

/// Steps recorded without the documents their workflow issues at them, in every readable case
/// (see [`history::missing_documents`]): `(case file, line, message)`, from the case index
/// while a case file is unchanged.
pub fn steps_missing_documents(ws: &Workspace) -> Result<Vec<(String, usize, String)>> {
    let (found, _, index) = each_case(ws, |index, id, path| {
        let case = crate::index::cases::CaseRef::new(index, ws, id, path);
        case.summary::<Missing, _>(MISSING_KIND, |v| missing(ws, v))
    })?;
    index.save();
    Ok(found.into_iter().flatten().collect())
}
