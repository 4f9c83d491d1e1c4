//! Document requests: owns the one way a document is asked for — a [`DocRequest`] (which
//! template, issued by whom, numbered how, dated when, with the facts and history as of its
//! step, or the data its maker [`Prepared`]) — and the [`DocumentRenderer`] seam through which
//! the engine turns a request into its data and its PDF without knowing how.

use chrono::NaiveDate;
use serde_json::Value;

use crate::case::HistoryEntry;
use crate::docformat::Declared;
use crate::error::Result;
use crate::facts::Facts;
use crate::workspace::Workspace;

/// The render stage as the engine sees it: turns one document request into PDF bytes.
pub trait DocumentRenderer: Sync {
    fn render(&self, ws: &Workspace, request: &DocRequest) -> Result<Vec<u8>>;

    /// Everything the template of `request` receives: what is frozen beside the document when
    /// it is issued. (A renderer without templates has none.)
    fn data(&self, _ws: &Workspace, _request: &DocRequest) -> Result<Value> {
        Ok(Value::Null)
    }

    /// Render `request` from `data` (frozen at issue, or current for a re-issue).
    fn render_data(&self, ws: &Workspace, request: &DocRequest, _data: &Value) -> Result<Vec<u8>> {
        self.render(ws, request)
    }

    /// `request` typeset from `data` for a screen (a draft a clerk reviews): its PDF and,
    /// where the renderer can draw them, its pages as SVG images (none otherwise).
    fn preview(&self, ws: &Workspace, request: &DocRequest, data: &Value) -> Result<Preview> {
        Ok(Preview {
            pdf: self.render_data(ws, request, data)?,
            pages: Vec::new(),
        })
    }

    /// Whether documents can show character `c` (a renderer without fonts can show anything).
    fn covers(&self, _ws: &Workspace, _c: char) -> bool {
        true
    }

    /// The number of pages of the PDF `pdf` as this renderer would place them as images, or
    /// `None` when it cannot read it (a renderer that places no PDF reads none).
    fn pdf_pages(&self, _pdf: &[u8]) -> Option<usize> {
        None
    }
}

/// A document typeset for a screen: its PDF, and its pages as SVG images (text drawn as
/// outlines, so the browser needs no font).
#[derive(Debug, Clone, Default)]
pub struct Preview {
    pub pdf: Vec<u8>,
    pub pages: Vec<String>,
}

/// Everything needed to render one document.
#[derive(Debug, Clone)]
pub struct DocRequest {
    pub case_id: String,
    pub workflow: String,
    pub step: String,
    pub template: String,
    pub title: String,
    pub issuer: Option<String>,
    pub number: Option<String>,
    pub date: NaiveDate,
    pub facts: Facts,
    /// The case's history up to and including this step (for templates that list hearings).
    pub history: Vec<HistoryEntry>,
    /// Data computed by the request's maker (the statistics reports), given to the template as
    /// it is; `None` for a case document, whose data the document stage builds from the facts.
    pub prepared: Option<Prepared>,
    /// The document's format, 文种 and direction (the template's declaration, or the format
    /// the workflow or the case chose).
    pub declared: Declared,
}

/// A document whose data its maker computed (a report of the statistics).
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What the template receives.
    pub data: Value,
    /// The document's identity in the PDF (e.g. `report#bulletin#2023Q1`).
    pub ident: String,
}

impl DocRequest {
    /// The document's identity in the PDF: the same for every rendering of it.
    pub fn ident(&self) -> String {
        match &self.prepared {
            Some(p) => p.ident.clone(),
            None => format!("{}#{}#{}", self.case_id, self.step, self.template),
        }
    }

    /// What the user reads for this document in an error: 《出庭应诉提示函》（案件 X）.
    pub fn what(&self) -> String {
        if self.case_id.is_empty() {
            format!("《{}》", self.title)
        } else {
            format!("《{}》（案件 {}）", self.title, self.case_id)
        }
    }
}
