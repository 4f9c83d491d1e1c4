//! Document requests of a step: owns where a step's documents are made ([`StepAt`], from a new
//! step or from a case's history), the [`DocRequest`] for each document the step declares —
//! issuer, date, format, facts and history as of the step — the key a document's number is
//! registered under, and the step's deadline a document prints.

use chrono::{DateTime, NaiveDate};

use crate::case::HistoryEntry;
use crate::docformat::{self, Declared, Format};
use crate::document::{DocRequest, Due};
use crate::error::{Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::{DocSpec, StepSpec, Workflow};
use crate::workspace::Workspace;

use super::super::context::ExprContext;
use super::super::{Actor, view::CaseView};

/// Where a step's documents are made: the step's entry in a case's history.
pub struct StepAt<'a> {
    pub wf: &'a Workflow,
    pub id: &'a str,
    pub step: &'a str,
    /// Index of the step's entry in the case history (0 for a new case).
    pub entry_index: usize,
    /// The year folder of the case.
    pub year: i32,
    /// The facts as of the step.
    pub facts: Facts,
    /// The history up to and including this step's entry.
    pub history: Vec<HistoryEntry>,
    /// The day of the step (its entry's `at`): the date of documents without a date field.
    pub day: NaiveDate,
}

impl StepAt<'_> {
    pub(super) fn spec(&self) -> Result<&StepSpec> {
        self.wf
            .step(self.step)
            .ok_or_else(|| Error::Internal(format!("no step {}", self.step)))
    }

    /// The key under which a document of this step is registered for its number.
    pub(super) fn number_key(&self, template: &str) -> crate::numbers::Key {
        number_key(self.id, self.entry_index, template)
    }
}

/// The key under which the document from `template` of history entry `entry_index` (0-based) of
/// case `id` is registered for its number.
pub fn number_key(id: &str, entry_index: usize, template: &str) -> crate::numbers::Key {
    crate::numbers::Key::document(id, entry_index, template)
}

/// The request for document `d` of the step at `at` (without its number): the issuer the
/// declaration names, dated by the declaration's (or the step's) date field, else the step's day.
pub fn request(ws: &Workspace, at: &StepAt<'_>, d: &DocSpec) -> Result<DocRequest> {
    let spec = at.spec()?;
    let date = d
        .date
        .as_ref()
        .or(spec.date.as_ref())
        .and_then(|f| at.facts.get(&f.value))
        .and_then(|v| v.as_str())
        .and_then(|s| facts::parse_date(s).ok())
        .unwrap_or(at.day);
    let mut req = bare_request(at, &d.template.value, &d.title);
    req.issuer = issuer_of(ws, &d.issuer.value, &at.facts);
    if req.issuer.is_none() {
        // A document no one can sign is not issued (issue 26).
        return Err(Error::user(
            format!("{}没有发文机关，无法署名和编号", req.what()),
            if d.issuer.value == "bureau" {
                "本工作区没有司法局的发文机关：在 yingsu.yaml 的 issuers 下添加 sfj（司法局），或写 bureau: {issuer: 司法局的编号}".to_string()
            } else {
                "在 yingsu.yaml 中给案件的被诉单位加上 issuer（如 issuer: scjgj），并在 issuers 下添加该发文机关".to_string()
            },
        ));
    }
    req.date = date;
    let declared = ws.declared(&d.template.value)?;
    req.declared = Declared {
        format: docformat::chosen(
            declared.format,
            d.format.as_ref().map(|f| f.value.as_str()),
            &at.facts,
        )?,
        ..declared
    };
    Ok(req)
}

/// A request for a document the workflow no longer declares: no issuer, dated the step's day.
pub(super) fn bare_request(at: &StepAt<'_>, template: &str, title: &str) -> DocRequest {
    DocRequest {
        case_id: at.id.to_string(),
        workflow: at.wf.name().to_string(),
        step: at.step.to_string(),
        template: template.to_string(),
        title: title.to_string(),
        issuer: None,
        number: None,
        date: at.day,
        facts: at.facts.clone(),
        history: at.history.clone(),
        prepared: None,
        declared: Declared::default(),
    }
}

/// Resolve a document's issuer: `bureau` → the supervising justice bureau's issuer (see
/// `Config::bureau_issuer`); `agency` → the case agency's issuer; a field naming an issuer
/// (e.g. `handler`) → that issuer; otherwise the issuer id itself.
pub fn issuer_of(ws: &Workspace, spec: &str, facts: &Facts) -> Option<String> {
    if spec == "bureau" {
        return ws.config.bureau_issuer().map(str::to_string);
    }
    if spec != "agency" {
        if let Some(v) = facts.get(spec).and_then(|v| v.as_str())
            && ws.config.issuers.contains_key(v)
        {
            return Some(v.to_string());
        }
        return Some(spec.to_string());
    }
    let agency = facts.get("agency").and_then(|v| v.as_str()).unwrap_or("");
    ws.config
        .agencies
        .get(agency)
        .and_then(|a| a.issuer.clone())
}

/// A document a step issues, asked for: its declaration, its request (without a number) and
/// whether it takes a 发文字号 (numbered by its declaration, its issuer numbering its 文种, and
/// a format with letterhead).
pub struct StepDocument<'w> {
    pub spec: &'w DocSpec,
    pub request: DocRequest,
    pub numbered: bool,
}

/// The documents of the step at `at` whose conditions hold, in the step's order, unnumbered:
/// what issuing the step renders, numbers and writes, and what a plan of it previews.
pub fn step_documents<'w>(ws: &Workspace, at: &StepAt<'w>) -> Result<Vec<StepDocument<'w>>> {
    let wf: &'w Workflow = at.wf;
    let spec = wf
        .step(at.step)
        .ok_or_else(|| Error::Internal(format!("no step {}", at.step)))?;
    let ctx = ExprContext::new(ws, at.wf, at.id, at.step, &at.facts, at.day);
    let mut out = Vec::new();
    for d in &spec.documents {
        if let Some(w) = &d.when {
            let on = ctx.eval_bool(&w.value, &at.facts).map_err(|why| {
                Error::user(
                    format!("无法计算文书条件 `{}`：{why}", w.value),
                    "请检查流程定义",
                )
            })?;
            if !on {
                continue;
            }
        }
        let request = request(ws, at, d)?;
        let numbered = request.issuer.is_some()
            && d.numbered
            && !issued_unnumbered(ws, &request)
            && request.declared.format != Format::Plain;
        out.push(StepDocument {
            spec: d,
            request,
            numbered,
        });
    }
    Ok(out)
}

/// The prefix of the number of the document `req` asks for (see [`docformat::prefix`]).
pub(super) fn prefix_of(ws: &Workspace, req: &DocRequest, issuer: &str) -> Result<String> {
    let Some(iss) = ws.config.issuers.get(issuer) else {
        return Err(Error::user(
            format!(
                "{}的发文机关 `{issuer}` 不在 yingsu.yaml 的 issuers 中",
                req.what()
            ),
            "在 yingsu.yaml 的 issuers 下添加它，或改正案件中的发文机关编号",
        ));
    };
    docformat::prefix(issuer, iss, &req.declared.kind, req.declared.format)
}

/// Whether the issuer of `req` issues documents of its 文种 or format without a 发文字号
/// (`unnumbered` of the issuer in `yingsu.yaml`, e.g. `[函]`): the document keeps its
/// letterhead and has no number.
pub(super) fn issued_unnumbered(ws: &Workspace, req: &DocRequest) -> bool {
    let Some(issuer) = req.issuer.as_ref().and_then(|i| ws.config.issuers.get(i)) else {
        return false;
    };
    issuer.unnumbered.iter().any(|k| {
        *k == req.declared.kind || Format::parse(k).is_some_and(|f| f == req.declared.format)
    })
}

/// The step of history entry `i` of a loaded case, as [`request`] needs it: the facts and the
/// history as of that entry, the entry's own day.
pub(super) fn step_at<'a>(
    view: &'a CaseView<'a>,
    i: usize,
    step: &'a str,
    year: i32,
    actor: &Actor,
) -> Result<StepAt<'a>> {
    let h = view
        .case
        .history
        .get(i)
        .ok_or_else(|| Error::Internal(format!("no history entry {i}")))?;
    let day = DateTime::parse_from_rfc3339(&h.at)
        .map(|t| t.date_naive())
        .unwrap_or_else(|_| actor.today());
    Ok(StepAt {
        wf: view.wf,
        id: &view.case.id,
        step,
        entry_index: i,
        year,
        facts: view.facts_at(i),
        history: with_attachments(&view.case.history, i),
        day,
    })
}

/// The history up to and including entry `i`, then one entry carrying the attachments placed
/// since (and not taken back): a document made again carries the case's attachments as they
/// are now (a change since it was issued is a change of its data, see `frozen`), while its
/// facts stay those of its step.
fn with_attachments(history: &[HistoryEntry], i: usize) -> Vec<HistoryEntry> {
    let mut out = history[..=i.min(history.len().saturating_sub(1))].to_vec();
    let all = crate::case::attachments_of(history);
    if crate::case::attachments_of(&out) != all {
        // Keep the earlier entries' facts and documents; their attachments are replaced by
        // the case's current list in one entry.
        for h in &mut out {
            h.attachments.clear();
        }
        out.push(HistoryEntry {
            event: Some("添加附件".into()),
            attachments: all.into_iter().cloned().collect(),
            ..Default::default()
        });
    }
    out
}

/// The earliest deadline with a due date of the step a case document belongs to (e.g. the
/// rectification report's due date), as the document prints it; `None` for a report, or when
/// no deadline of the step has a due date.
pub fn step_deadline(ws: &Workspace, req: &DocRequest) -> Option<Due> {
    let wf = ws.workflows.get(&req.workflow)?;
    let dl = super::super::next_deadline(ws, wf, &req.case_id, &req.step, &req.facts, req.date)?;
    Some(Due {
        title: dl.title,
        due: dl.due?,
        estimated: dl.estimated,
    })
}

/// Every deadline with a due date of the step a case document belongs to, in the order the
/// workflow declares them: the same values `status` and `agenda` show (a 提示函 names the reply
/// deadline of its step among others), each with the date field it counts from.
pub fn step_deadlines(ws: &Workspace, req: &DocRequest) -> Vec<(String, Due)> {
    let Some(wf) = ws.workflows.get(&req.workflow) else {
        return Vec::new();
    };
    super::super::deadlines(ws, wf, &req.case_id, &req.step, &req.facts, req.date)
        .into_iter()
        .filter_map(|dl| {
            let due = Due {
                title: dl.title,
                due: dl.due?,
                estimated: dl.estimated,
            };
            Some((dl.from, due))
        })
        .collect()
}
