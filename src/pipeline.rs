//! The document pipeline: owns making a document from its request, top to bottom — the step's
//! deadline computed by the engine ([`crate::engine::issue::step_deadline`]) and the figures a
//! letter prints by the statistics ([`crate::stats::letter_figures`]), the pure document data
//! built from them ([`crate::document::data`]), then the PDF typeset from that data
//! ([`crate::render::TypstRenderer`]). It sits above the engine, the statistics, the document
//! data and the renderer, and makes the Typst renderer the engine's [`DocumentRenderer`]:
//! nothing below it calls back up.

use serde_json::Value;

use crate::document::{self, Computed, DocRequest, DocumentRenderer, Preview};
use crate::error::Result;
use crate::workspace::Workspace;

/// The renderer to hand to the engine: the Typst typesetter of [`crate::render`], made the
/// engine's [`DocumentRenderer`] here (its data computed by [`data`]).
pub use crate::render::TypstRenderer;

/// Everything the template of `req` receives: what its maker prepared (a report), else the
/// document data of its case, with the step's deadline and the figures it prints.
pub fn data(ws: &Workspace, req: &DocRequest) -> Result<Value> {
    if let Some(prepared) = &req.prepared {
        return Ok(prepared.data.clone());
    }
    let figures = figures(ws, req)?;
    let computed = Computed {
        deadline: crate::engine::issue::step_deadline(ws, req),
        figures,
    };
    let wf = ws.workflows.get(&req.workflow);
    let mut data = document::data(&ws.config, wf, req, &computed);
    data["deadlines"] = deadlines(ws, req);
    Ok(data)
}

/// Every deadline of the step of `req` with a due date, by the date field it counts from (the
/// first of several): `deadlines.complaint_served_date.{title, due, due_iso, estimated}` — the
/// values `status` shows, so a 提示函 prints the reply deadline the tracker counts.
fn deadlines(ws: &Workspace, req: &DocRequest) -> Value {
    let mut out = serde_json::Map::new();
    for (from, dl) in crate::engine::issue::step_deadlines(ws, req) {
        out.entry(from).or_insert_with(|| {
            serde_json::json!({
                "title": dl.title,
                "due": crate::facts::format_date_zh(dl.due),
                "due_iso": dl.due.format("%Y-%m-%d").to_string(),
                "estimated": dl.estimated,
            })
        });
    }
    Value::Object(out)
}

/// The figures the document `req` prints: for a document whose facts have `stats_year`, the
/// year's figures per agency group as of its date (see [`crate::stats::letter_figures`]);
/// `Value::Null` otherwise.
pub fn figures(ws: &Workspace, req: &DocRequest) -> Result<Value> {
    crate::stats::letter_figures(ws, &req.facts, req.date)
}

/// The Typst renderer as the engine's renderer: the data computed here, the PDF typeset by it.
impl DocumentRenderer for TypstRenderer {
    fn render(&self, ws: &Workspace, req: &DocRequest) -> Result<Vec<u8>> {
        let data = data(ws, req)?;
        self.pdf(ws, req, &data)
    }

    fn data(&self, ws: &Workspace, req: &DocRequest) -> Result<Value> {
        data(ws, req)
    }

    fn render_data(&self, ws: &Workspace, req: &DocRequest, data: &Value) -> Result<Vec<u8>> {
        self.pdf(ws, req, data)
    }

    fn preview(&self, ws: &Workspace, req: &DocRequest, data: &Value) -> Result<Preview> {
        TypstRenderer::preview(self, ws, req, data)
    }

    fn covers(&self, ws: &Workspace, c: char) -> bool {
        TypstRenderer::covers(self, ws, c)
    }

    fn pdf_pages(&self, pdf: &[u8]) -> Option<usize> {
        crate::typeset::pdf_pages(pdf)
    }
}
