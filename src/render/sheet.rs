//! Typesetting without a workspace: owns the [`Sheet`] — one document's complete data with its
//! template, title, date and identity — and typesetting it with the program's built-in templates
//! and the fonts compiled into it, with nothing read from disk: what a library caller needs to
//! see a built-in document from data it made itself (a test, a preview).

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::NaiveDate;
use serde_json::Value;

use crate::document::DocRequest;
use crate::error::{Error, Result};
use crate::typeset::{Job, Typesetter};

use super::TypstRenderer;

/// One document to typeset, complete: the typesetter reads nothing else.
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The template's name (a built-in `.typ` file, without the extension), e.g. `zhenggai`.
    pub template: String,
    /// The document as the user reads it in an error: 《督查整改通知书》（案件 X）.
    pub title: String,
    /// The document's date: Typst's `today()` and the PDF's creation date.
    pub date: NaiveDate,
    /// The document's identity in the PDF (its document ID is derived from it).
    pub ident: String,
    /// Everything the template receives (`/data.json`).
    pub data: Value,
}

impl Sheet {
    /// The sheet of the document `req` asks for, with its complete `data`.
    pub fn of(req: &DocRequest, data: Value) -> Sheet {
        Sheet {
            template: req.template.clone(),
            title: req.what(),
            date: req.date,
            ident: req.ident(),
            data,
        }
    }

    /// The Typst job of the sheet over the built-in templates (the layout library among them).
    pub fn builtin_job(&self) -> Result<Job> {
        let files: BTreeMap<String, Arc<str>> = crate::workspace::builtin_templates()
            .map(|(path, source)| (format!("/{path}"), Arc::from(source)))
            .collect();
        let main = format!("/{}.typ", self.template);
        if !files.contains_key(&main) {
            let names: Vec<&str> = files
                .keys()
                .filter_map(|p| p.strip_prefix('/')?.strip_suffix(".typ"))
                .collect();
            return Err(Error::user(
                format!("{}：没有名为 `{}` 的内置模板", self.title, self.template),
                format!("内置模板：{}", names.join("、")),
            ));
        }
        Ok(Job {
            main,
            files,
            data: self.data.clone(),
            date: self.date,
            ident: self.ident.clone(),
            root: None,
            blobs: Default::default(),
        })
    }
}

impl TypstRenderer {
    /// The typesetter of the fonts compiled into the program alone, built on first use.
    pub fn builtin_typesetter(&self) -> Result<Arc<Typesetter>> {
        self.builtin
            .get_or_init(|| {
                Typesetter::with_default_fonts(&[], &[])
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| Error::Internal(format!("built-in fonts: {e}")))
    }

    /// The PDF of `sheet`, typeset with the built-in templates and the fonts compiled into the
    /// program.
    pub fn builtin_pdf(&self, sheet: &Sheet) -> Result<Vec<u8>> {
        let job = sheet.builtin_job()?;
        self.builtin_typesetter()?.pdf(&job).map_err(|e| {
            Error::user(
                format!("生成{}失败：{e}", sheet.title),
                "请检查文书数据：内置模板读取的字段是否齐全、文字中是否有字体无法显示的字符",
            )
        })
    }
}
