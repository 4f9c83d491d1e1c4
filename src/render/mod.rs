//! The Typst adapter: owns turning a document's complete data into PDF bytes through Typst — the
//! typesetters (one per set of font folders, built on first use and kept warm across documents),
//! the job for a document (the workspace's templates, the request's template, date and identity,
//! and the data it is given), template diagnostics as the user reads them ([`diagnostics`]) and
//! which font serves each role of the layout library ([`fonts`]), and typesetting the
//! workspace's own templates within bounds of time and memory ([`bounded`]), and a complete
//! [`Sheet`] typeset with the built-in templates and fonts alone, without a workspace
//! ([`sheet`]).
//!
//! It receives data and never calls back: nothing here computes a document's data, a deadline
//! or a figure. `crate::pipeline`, above the engine and the statistics, computes those and makes
//! [`TypstRenderer`] the engine's `DocumentRenderer`.

pub mod bounded;
pub mod diagnostics;
pub mod fonts;
pub mod sheet;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::document::{DocRequest, Preview};
use crate::error::{Error, Result};
use crate::typeset::{FaceCache, Job, Typesetter};
use crate::workspace::Workspace;

pub use bounded::{WORKER_COMMAND, bound_workspace_templates, serve as serve_worker};
pub use diagnostics::{check_templates, template_error};
pub use fonts::{RoleFont, role_fonts};
pub use sheet::Sheet;

/// The font description cache of a workspace, in its derived index (see [`FaceCache`]).
pub(crate) const FONT_CACHE_FILE: &str = "fonts.bin";

/// The font folders a typesetter is built from: `(font folders, system font folders)`.
type FontKey = (Vec<PathBuf>, Vec<PathBuf>);

/// The Typst-backed renderer. A typesetter (and its font book) is built on first use for each
/// distinct set of font folders, so workspaces with different fonts never share one.
#[derive(Default)]
pub struct TypstRenderer {
    typesetters: Mutex<HashMap<FontKey, std::result::Result<Arc<Typesetter>, String>>>,
    /// The typesetter `covers` used last, by workspace folder: finding a workspace's font folders
    /// looks at the file system, too slow to do for every character checked.
    covering: Mutex<Option<(PathBuf, Arc<Typesetter>)>>,
    /// Workers typesetting the workspace's own templates (see [`bounded`]).
    workers: bounded::Pool,
    /// The typesetter of the fonts compiled into the program alone (see [`sheet`]).
    builtin: std::sync::OnceLock<std::result::Result<Arc<Typesetter>, String>>,
}

impl TypstRenderer {
    pub fn new() -> TypstRenderer {
        TypstRenderer::default()
    }

    /// The typesetter for a workspace's fonts.
    pub fn typesetter(&self, ws: &Workspace) -> Result<Arc<Typesetter>> {
        self.typesetter_with(ws, false)
    }

    /// The typesetter for a workspace's fonts, about to typeset: the font of each role is made
    /// ready on another thread while the document is read and evaluated.
    fn typesetter_to_typeset(&self, ws: &Workspace) -> Result<Arc<Typesetter>> {
        self.typesetter_with(ws, true)
    }

    fn typesetter_with(&self, ws: &Workspace, warm: bool) -> Result<Arc<Typesetter>> {
        let key: FontKey = (ws.font_dirs(), ws.system_font_dirs());
        let mut map = self
            .typesetters
            .lock()
            .map_err(|_| Error::Internal("typesetter cache poisoned".into()))?;
        let built = map.entry(key).or_insert_with_key(|(dirs, system)| {
            let cache = if ws.settings().index {
                FaceCache::open(
                    crate::index::dir(ws).join(FONT_CACHE_FILE),
                    crate::index::program_key(),
                )
            } else {
                FaceCache::none()
            };
            Typesetter::with_font_cache(dirs, system, cache)
                .map(Arc::new)
                .map_err(|e| e.to_string())
        });
        let ts = built.clone().map_err(|e| {
            Error::user(
                e,
                "请检查字体目录（工作区的 fonts/ 或 yingsu.yaml 的 font_paths）",
            )
        })?;
        if warm {
            ts.warm_in_background();
        }
        Ok(ts)
    }

    /// The Typst job for a request with the given data (current or frozen at issue): the
    /// request gives only its template, date and identity.
    pub fn job_with(
        &self,
        ws: &Workspace,
        req: &DocRequest,
        data: serde_json::Value,
    ) -> Result<Job> {
        let main = format!("{}.typ", req.template);
        if !ws.templates.contains_key(&main) {
            return Err(Error::user(
                format!("模板 `{}` 不存在", req.template),
                "请检查流程定义中的 template",
            ));
        }
        let blobs = attachment_blobs(ws, &req.what(), &req.case_id, &data)?;
        Ok(Job {
            main: format!("/{main}"),
            files: ws.template_files(),
            data,
            date: req.date,
            ident: req.ident(),
            root: Some(ws.root.clone()),
            blobs,
        })
    }
}

/// The files of the attachments `data` lists (see [`crate::archive::attached`]: read once
/// each, checked against the hash the data records), by the virtual path the template reads
/// them at: a page image as it is, each page of a PDF as an SVG image (PDF/A, the archive's
/// standard, may not embed a PDF). `what` names the document (《…》（案件 X）), `case_id` its
/// case.
pub fn attachment_blobs(
    ws: &Workspace,
    what: &str,
    case_id: &str,
    data: &serde_json::Value,
) -> Result<std::collections::BTreeMap<String, typst::foundations::Bytes>> {
    let mut blobs = std::collections::BTreeMap::new();
    for f in crate::archive::attached::read_checked(&ws.root, what, case_id, data)? {
        if f.pdf {
            let svgs = crate::typeset::pdf_page_svgs(&f.bytes)
                .filter(|svgs| svgs.len() == f.sources.len())
                .ok_or_else(|| {
                    Error::user(
                        format!(
                            "{what}的附件{}《{}》的文件 {} 无法按记录的 {} 页读取",
                            f.number,
                            f.title,
                            f.file,
                            f.sources.len()
                        ),
                        crate::archive::attached::fix(&f.file, case_id),
                    )
                })?;
            for (source, svg) in f.sources.into_iter().zip(svgs) {
                blobs.insert(source, typst::foundations::Bytes::from_string(svg));
            }
        } else if let Some(source) = f.sources.into_iter().next() {
            blobs.insert(source, typst::foundations::Bytes::new(f.bytes));
        }
    }
    Ok(blobs)
}

impl TypstRenderer {
    /// The PDF of the document `req` asks for, typeset from `data` (its complete data: current,
    /// or frozen at issue).
    pub fn pdf(
        &self,
        ws: &Workspace,
        req: &DocRequest,
        data: &serde_json::Value,
    ) -> Result<Vec<u8>> {
        let job = self.job_with(ws, req, data.clone())?;
        self.typeset(ws, req, &job)
    }

    /// The document `req` asks for, typeset from `data` for a screen: its PDF and its pages as
    /// SVG. A workspace's own templates run in the bounded worker, which gives the PDF only.
    pub fn preview(
        &self,
        ws: &Workspace,
        req: &DocRequest,
        data: &serde_json::Value,
    ) -> Result<Preview> {
        let job = self.job_with(ws, req, data.clone())?;
        if bounded::worker_program().is_some() && has_own_templates(ws) {
            return Ok(Preview {
                pdf: self.typeset(ws, req, &job)?,
                pages: Vec::new(),
            });
        }
        let main = format!("{}.typ", req.template);
        let ts = self.typesetter_to_typeset(ws)?;
        let (pdf, pages) = ts
            .pdf_and_pages(&job)
            .map_err(|e| template_error(ws, &req.what(), &main, e))?;
        Ok(Preview { pdf, pages })
    }

    /// Whether the workspace's body fonts can show character `c` (when the fonts cannot be
    /// read, the failure is reported where a document is typeset, not here).
    pub fn covers(&self, ws: &Workspace, c: char) -> bool {
        let cached = self.covering.lock().ok().and_then(|last| {
            last.as_ref()
                .filter(|(root, _)| *root == ws.root)
                .map(|(_, t)| Arc::clone(t))
        });
        let t = match cached {
            Some(t) => t,
            None => match self.typesetter(ws) {
                Ok(t) => {
                    if let Ok(mut last) = self.covering.lock() {
                        *last = Some((ws.root.clone(), Arc::clone(&t)));
                    }
                    t
                }
                Err(_) => return true,
            },
        };
        t.covers_body(c)
    }
}

impl TypstRenderer {
    /// Typesets a request's job: in a bounded worker when the workspace has templates of its
    /// own and the program opted in (see [`bounded`]), here otherwise.
    fn typeset(&self, ws: &Workspace, req: &DocRequest, job: &Job) -> Result<Vec<u8>> {
        let main = format!("{}.typ", req.template);
        let what = req.what();
        match bounded::worker_program().filter(|_| has_own_templates(ws)) {
            Some(program) => self
                .workers
                .typeset(program, &font_setup(ws), job, limits(ws))
                .map_err(|f| bounded_error(ws, &format!("生成{what}失败："), &main, f)),
            None => {
                let ts = self.typesetter_to_typeset(ws)?;
                ts.pdf(job).map_err(|e| template_error(ws, &what, &main, e))
            }
        }
    }
}

/// Whether the workspace has templates of its own (in its `templates/`), which run bounded.
pub(crate) fn has_own_templates(ws: &Workspace) -> bool {
    ws.templates.values().any(|t| !is_builtin(&t.origin))
}

fn is_builtin(origin: &std::path::Path) -> bool {
    origin.starts_with("内置模板")
}

/// The fonts a worker typesets the workspace's documents with (those of
/// [`TypstRenderer::typesetter`]).
fn font_setup(ws: &Workspace) -> bounded::FontSetup {
    bounded::FontSetup {
        dirs: ws.font_dirs(),
        system: ws.system_font_dirs(),
        cache: ws.settings().index.then(|| {
            (
                crate::index::dir(ws).join(FONT_CACHE_FILE),
                crate::index::program_key(),
            )
        }),
    }
}

fn limits(ws: &Workspace) -> bounded::Limits {
    let l = ws.config.template_limits;
    bounded::Limits {
        seconds: l.seconds,
        memory_mb: l.memory_mb,
    }
}

/// The workspace templates a failure of `main` is blamed on: `main` itself when it is the
/// workspace's, else every template of the workspace (one of them, imported, ran).
fn blamed(ws: &Workspace, main: &str) -> String {
    match ws.templates.get(main) {
        Some(t) if !is_builtin(&t.origin) => t.origin.display().to_string(),
        _ => ws
            .templates
            .values()
            .filter(|t| !is_builtin(&t.origin))
            .map(|t| t.origin.display().to_string())
            .collect::<Vec<_>>()
            .join("、"),
    }
}

/// A bounded job's failure as the user reads it; `lead` starts the message (e.g.
/// `生成《…》失败：`).
fn bounded_error(ws: &Workspace, lead: &str, main: &str, f: bounded::Failure) -> Error {
    use bounded::Failure;
    let fix = "请检查并修改该模板（工作区 templates/ 中的文件：是否有不会结束的循环、过大的重复或列表），或删除它改用内置模板";
    let file = blamed(ws, main);
    match f {
        Failure::Typeset(e) => {
            let what = lead
                .strip_prefix("生成")
                .and_then(|w| w.strip_suffix("失败："))
                .unwrap_or(lead);
            template_error(ws, what, main, e)
        }
        Failure::Other(m) => Error::user(
            format!("{lead}模板 {file} 无法排版：{m}"),
            "请检查模板与字体目录（工作区的 fonts/ 或 yingsu.yaml 的 font_paths）",
        ),
        Failure::Time(seconds) => Error::user(
            format!("{lead}模板 {file} 排版超过 {seconds} 秒的时限，已停止"),
            format!(
                "{fix}；文书确实需要更长时间时，在 yingsu.yaml 中设置 template_limits: {{seconds: 秒数}}"
            ),
        ),
        Failure::Memory(mb) => Error::user(
            format!("{lead}模板 {file} 排版用尽了 {mb} MB 的内存上限，已停止"),
            format!(
                "{fix}；文书确实需要更多内存时，在 yingsu.yaml 中设置 template_limits: {{memory_mb: 兆字节数}}"
            ),
        ),
        Failure::Crashed(why) => Error::user(
            format!("{lead}模板 {file} 排版时排版进程意外退出（{why}）"),
            fix,
        ),
        Failure::Start(why) => Error::user(
            format!("{lead}无法启动排版进程（{why}），模板 {file} 没有排版"),
            "请确认 yingsu 程序完整、未在运行中被替换或删除，然后重新运行",
        ),
    }
}

/// Typesets each of the workspace's own templates once against sample data, bounded (see
/// [`bounded`]): what `yingsu validate` reports about a template that runs past its time or
/// memory limit, or crashes the typesetter. Errors the template's code meets with the sample
/// data (a field it reads that the sample lacks) are not reported here: they depend on the
/// data, and rendering a real document reports them at the template. Without a worker program
/// (see [`bound_workspace_templates`]) nothing is typeset: an unbounded run could not be
/// stopped.
pub fn check_template_bounds(ws: &Workspace) -> Result<()> {
    let Some(program) = bounded::worker_program() else {
        return Ok(());
    };
    let renderer = TypstRenderer::new();
    let fonts = font_setup(ws);
    let files = ws.template_files();
    let mut errors = crate::error::Errors::default();
    for (path, t) in &ws.templates {
        if is_builtin(&t.origin) {
            continue;
        }
        let format = path
            .strip_suffix(".typ")
            .and_then(|name| ws.declared(name).ok())
            .map(|d| d.format);
        let sample = match format {
            Some(crate::docformat::Format::File) => SAMPLE_GONGWEN,
            _ => SAMPLE_LETTER,
        };
        let job = Job {
            main: format!("/{path}"),
            files: files.clone(),
            data: serde_json::from_str(sample).unwrap_or(serde_json::Value::Null),
            date: chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap_or_default(),
            ident: format!("validate:{path}"),
            root: Some(ws.root.clone()),
            blobs: Default::default(),
        };
        match renderer.workers.typeset(program, &fonts, &job, limits(ws)) {
            Ok(_) | Err(bounded::Failure::Typeset(_) | bounded::Failure::Other(_)) => {}
            Err(f) => {
                let Error::User(d) = bounded_error(ws, "用样例数据试排时，", path, f)
                else {
                    continue;
                };
                errors.push(d.in_file(&t.origin));
            }
        }
    }
    errors.into_result()
}

/// The sample data of the built-in samples, by format.
const SAMPLE_LETTER: &str = include_str!("../../templates/samples/letter.json");
const SAMPLE_GONGWEN: &str = include_str!("../../templates/samples/gongwen.json");
