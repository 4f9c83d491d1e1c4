//! The Typst adapter: owns turning a document request into PDF bytes through Typst — the
//! typesetters (one per set of font folders, built on first use and kept warm across documents),
//! the job for a request (the workspace's templates plus the document data of [`crate::document`]),
//! template diagnostics as the user reads them ([`diagnostics`]) and which font serves each role
//! of the layout library ([`fonts`]). It is the engine's [`DocumentRenderer`].

pub mod diagnostics;
pub mod fonts;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::engine::{DocRequest, DocumentRenderer};
use crate::error::{Error, Result};
use crate::typeset::{FaceCache, Job, Typesetter};
use crate::workspace::Workspace;

pub use diagnostics::{check_templates, template_error};
pub use fonts::{RoleFont, role_fonts};

/// The font description cache of a workspace, in its derived index (see [`FaceCache`]).
pub const FONT_CACHE_FILE: &str = "fonts.bin";

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
            let cache = if crate::index::enabled() {
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

    /// The Typst job for a request, with the data the document stage builds for it.
    pub fn job(&self, ws: &Workspace, req: &DocRequest) -> Result<Job> {
        self.job_with(ws, req, crate::document::data(ws, req)?)
    }

    /// The Typst job for a request with the given data (current or frozen at issue).
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
        Ok(Job {
            main: format!("/{main}"),
            files: ws.template_files(),
            data,
            date: req.date,
            ident: req.ident(),
            root: Some(ws.root.clone()),
        })
    }
}

impl DocumentRenderer for TypstRenderer {
    fn covers(&self, ws: &Workspace, c: char) -> bool {
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

    fn data(&self, ws: &Workspace, req: &DocRequest) -> Result<serde_json::Value> {
        crate::document::data(ws, req)
    }

    fn render_data(
        &self,
        ws: &Workspace,
        req: &DocRequest,
        data: &serde_json::Value,
    ) -> Result<Vec<u8>> {
        let ts = self.typesetter_to_typeset(ws)?;
        let job = self.job_with(ws, req, data.clone())?;
        ts.pdf(&job)
            .map_err(|e| template_error(ws, &req.what(), &format!("{}.typ", req.template), e))
    }

    fn render(&self, ws: &Workspace, req: &DocRequest) -> Result<Vec<u8>> {
        let ts = self.typesetter_to_typeset(ws)?;
        let job = self.job(ws, req)?;
        ts.pdf(&job)
            .map_err(|e| template_error(ws, &req.what(), &format!("{}.typ", req.template), e))
    }
}
