//! Document issuing: owns the one way a document is asked for — a [`DocRequest`] built by
//! [`request`] from a step's document declaration (issuer, date, number, facts as of the step) —
//! and the two ways it is made: when a step is taken ([`issue_step_documents`]: numbers reserved,
//! PDFs staged with the case file) and when `render` makes a case's documents again
//! ([`render_cases`]: same requests, same numbers, only changed files rewritten). The renderer
//! that turns a request into PDF bytes is behind the [`DocumentRenderer`] seam.

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{DateTime, Datelike, NaiveDate};
use serde_json::Value;

use crate::archive::{self, Batch, Staged};
use crate::case::{DocRecord, HistoryEntry};
use crate::docformat::{self, Declared, Format};
use crate::error::{Diagnostic, Error, Result};
use crate::facts::{self, Facts};
use crate::numbers::Numbering;
use crate::workflow::{DocSpec, StepSpec, Workflow};
use crate::workspace::Workspace;

use super::context::ExprContext;
use super::store::{self, Unreadable};
use super::{Actor, view::CaseView};

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

    /// Whether documents can show character `c` (a renderer without fonts can show anything).
    fn covers(&self, _ws: &Workspace, _c: char) -> bool {
        true
    }
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
    fn spec(&self) -> Result<&StepSpec> {
        self.wf
            .step(self.step)
            .ok_or_else(|| Error::Internal(format!("no step {}", self.step)))
    }

    /// The key under which a document of this step is registered for its number.
    fn number_key(&self, template: &str) -> String {
        number_key(self.id, self.entry_index, template)
    }
}

/// The key under which the document from `template` of history entry `entry_index` (0-based) of
/// case `id` is registered for its number.
pub fn number_key(id: &str, entry_index: usize, template: &str) -> String {
    format!("{id}#{}#{template}", entry_index + 1)
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
fn bare_request(at: &StepAt<'_>, template: &str, title: &str) -> DocRequest {
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

/// The prefix of the number of the document `req` asks for (see [`docformat::prefix`]).
fn prefix_of(ws: &Workspace, req: &DocRequest, issuer: &str) -> Result<String> {
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

/// Render the documents of the step at `at` whose conditions hold, number them, and stage the
/// files in `batch`: the step being taken, or the start step of a case it opens.
pub fn issue_step_documents(
    ws: &Workspace,
    at: &StepAt<'_>,
    numbering: &mut Numbering,
    batch: &mut Batch,
    renderer: &dyn DocumentRenderer,
) -> Result<Vec<DocRecord>> {
    let spec = at.spec()?;
    let ctx = ExprContext::new(ws, at.wf, at.id, at.step, &at.facts, at.day);
    let mut records = Vec::new();
    // What the documents are made from besides their data, kept in their frozen records.
    let inputs = std::cell::OnceCell::new();
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
        let mut req = request(ws, at, d)?;
        if let (Some(i), true, false) = (
            &req.issuer,
            d.numbered && !issued_unnumbered(ws, &req),
            req.declared.format == Format::Plain,
        ) {
            let key = at.number_key(&d.template.value);
            let prefix = prefix_of(ws, &req, i)?;
            req.number = Some(numbering.number(&prefix, req.date.year(), &key)?);
        }
        let data = renderer.data(ws, &req)?;
        let pdf = renderer.render_data(ws, &req, &data)?;
        let file =
            archive::document_path(at.year, at.id, at.entry_index, at.step, &d.template.value);
        batch.stage(&ws.output_path(&file)?, &pdf)?;
        let key = req.number.as_deref().and_then(|n| numbering.key_of(n));
        let inputs = inputs.get_or_init(|| crate::index::inputs_fingerprint(ws));
        batch.stage(
            &ws.output_path(&frozen_path(&file))?,
            &Frozen::of(&req, data, &pdf, key, inputs).to_bytes()?,
        )?;
        records.push(DocRecord {
            title: d.title.clone(),
            template: d.template.value.clone(),
            number: req.number,
            file,
            sha256: archive::sha256(&pdf),
        });
    }
    Ok(records)
}

/// Whether the issuer of `req` issues documents of its 文种 or format without a 发文字号
/// (`unnumbered` of the issuer in `yingsu.yaml`, e.g. `[函]`): the document keeps its
/// letterhead and has no number.
fn issued_unnumbered(ws: &Workspace, req: &DocRequest) -> bool {
    let Some(issuer) = req.issuer.as_ref().and_then(|i| ws.config.issuers.get(i)) else {
        return false;
    };
    issuer.unnumbered.iter().any(|k| {
        *k == req.declared.kind || Format::parse(k).is_some_and(|f| f == req.declared.format)
    })
}

/// What [`issue_prepared`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportIssue {
    /// Written for the first time (or restored byte for byte where it was lost).
    Issued,
    /// Already issued exactly so: nothing written.
    Unchanged,
    /// Issued again at the caller's explicit request, replacing the document issued on `date`
    /// (kept in the new record's `replaced`).
    Reissued { date: String },
}

/// Issue a document whose data its maker prepared (a report of the statistics): render it,
/// then write it at `file` (relative to the workspace) together with the numbers reserved in
/// `numbering`, atomically, holding the workspace's write lock.
///
/// A document already issued at `file` is a record: when today's data give the same bytes,
/// nothing is written; when they give other bytes (other figures, another date), it is
/// replaced only when `reissue` says so, and the new record keeps the hash and date of the
/// one it replaced. Otherwise the call fails and changes nothing.
pub fn issue_prepared(
    ws: &Workspace,
    req: &DocRequest,
    file: &str,
    mut numbering: Numbering,
    renderer: &dyn DocumentRenderer,
    reissue: bool,
) -> Result<ReportIssue> {
    let _lock = ws.lock_for_writing()?;
    let data = renderer.data(ws, req)?;
    let pdf = renderer.render_data(ws, req, &data)?;
    let sha = archive::sha256(&pdf);
    let path = ws.output_path(file)?;
    let record_path = ws.output_path(&frozen_path(file))?;
    let on_disk = std::fs::read(&path).ok().map(|b| archive::sha256(&b));
    let before: Option<Frozen> = std::fs::read_to_string(&record_path)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok());
    let key = req.number.as_deref().and_then(|n| numbering.key_of(n));
    let mut record = Frozen::of(req, data, &pdf, key, &crate::index::inputs_fingerprint(ws));
    let mut outcome = ReportIssue::Issued;
    if let Some(before) = &before {
        if before.sha256 == sha {
            if on_disk.as_deref() == Some(sha.as_str()) {
                numbering.record()?;
                return Ok(ReportIssue::Unchanged);
            }
            // Lost or damaged: made again byte for byte, with the record it had.
            record = before.clone();
        } else if !reissue && on_disk.is_none() {
            return Err(Error::user(
                format!(
                    "{}已于 {} 印发，原件（{file}）缺失；按现在的数据（和日期）生成的文书与印发的不同，未作任何改动",
                    crate::case::numbered_title(
                        &format!("《{}》", before.title),
                        before.number.as_deref()
                    ),
                    before.date
                ),
                "运行 `yingsu render --all`：它按印发记录逐字节恢复原件，不需要知道原来的日期；确需按现在的数据重新印发时，在命令后加上 --reissue",
            ));
        } else if !reissue {
            return Err(Error::user(
                format!(
                    "{}已于 {} 印发（{file}），按现在的数据重新生成会改变这份已印发的文书，未作任何改动",
                    crate::case::numbered_title(
                        &format!("《{}》", before.title),
                        before.number.as_deref()
                    ),
                    before.date
                ),
                "已印发的文书不会被悄悄改动：要再看它，直接打开上面的文件；确需按现在的数据（和日期）重新印发时，在命令后加上 --reissue（文号不变，被替换的原件的哈希和日期记入新的印发记录）",
            ));
        } else {
            record.replaced = before.replaced.clone();
            record.replaced.push(Replaced {
                sha256: before.sha256.clone(),
                date: before.date.clone(),
            });
            outcome = ReportIssue::Reissued {
                date: before.date.clone(),
            };
        }
    } else if on_disk.is_some() && on_disk.as_deref() != Some(sha.as_str()) && !reissue {
        return Err(Error::user(
            format!("{file} 已存在，且与现在生成的文书不同，未作任何改动"),
            "该文件没有印发记录（同名的 .json），可能是手工放入的；确需用现在生成的文书替换它时，在命令后加上 --reissue",
        ));
    }
    let mut batch = Batch::default();
    batch.stage(&path, &pdf)?;
    batch.stage(&record_path, &record.to_bytes()?)?;
    numbering.record()?;
    batch.commit()?;
    Ok(outcome)
}

/// What is kept beside an issued document (`<document>.json`): everything its template
/// received, and the PDF's hash. `render` makes the document again from it byte for byte, and
/// compares it with what the document would receive now: a difference is reported, applied
/// only by an explicit re-issue.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Frozen {
    pub title: String,
    pub template: String,
    #[serde(default)]
    pub number: Option<String>,
    pub date: String,
    pub sha256: String,
    pub data: Value,
    /// The documents this one replaced at an explicit re-issue (reports), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub replaced: Vec<Replaced>,
    /// The key under which its number is registered (so a lost registry line can be written
    /// back from the record).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// The SHA-256 of `data` as issued (see [`data_hash`]): an edit of the data since is seen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_sha256: Option<String>,
    /// The fingerprint of what the document was made from besides its data (program,
    /// templates, fonts; [`crate::index::inputs_fingerprint`]): when it is still the same, the
    /// record must give the issued bytes again, and other bytes mean the PDF was altered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inputs: Option<String>,
}

/// The hash of a document's data as frozen (its JSON text).
pub fn data_hash(data: &Value) -> String {
    archive::sha256(data.to_string().as_bytes())
}

/// A document replaced by a re-issue: its hash and the date it was issued on.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Replaced {
    pub sha256: String,
    pub date: String,
}

impl Frozen {
    fn of(req: &DocRequest, data: Value, pdf: &[u8], key: Option<String>, inputs: &str) -> Frozen {
        Frozen {
            title: req.title.clone(),
            template: req.template.clone(),
            number: req.number.clone(),
            date: req.date.to_string(),
            sha256: archive::sha256(pdf),
            data_sha256: (!data.is_null()).then(|| data_hash(&data)),
            data,
            replaced: Vec::new(),
            key,
            inputs: Some(inputs.to_string()),
        }
    }

    /// Whether the data is as it was issued (a record from before data hashes were kept is
    /// taken as it is).
    pub fn data_intact(&self) -> bool {
        self.data_sha256
            .as_deref()
            .is_none_or(|h| h == data_hash(&self.data))
    }

    fn to_bytes(&self) -> Result<Vec<u8>> {
        let mut text =
            serde_json::to_string_pretty(self).map_err(|e| Error::Internal(e.to_string()))?;
        text.push('\n');
        Ok(text.into_bytes())
    }

    /// The frozen record of the document at `file` (relative to the workspace), if there is a
    /// readable one.
    /// A record without data (written by a renderer that has none) freezes nothing.
    pub fn read(ws: &Workspace, file: &str) -> Option<Frozen> {
        let text = std::fs::read_to_string(ws.root.join(frozen_path(file))).ok()?;
        serde_json::from_str::<Frozen>(&text)
            .ok()
            .filter(|f| !f.data.is_null())
    }
}

/// Where the frozen record of a document lives: beside it, `.json` for `.pdf`.
pub fn frozen_path(file: &str) -> String {
    match file.strip_suffix(".pdf") {
        Some(stem) => format!("{stem}.json"),
        None => format!("{file}.json"),
    }
}

/// The places where two values differ, as dotted paths (`facts.hearing_date`), at most `max`.
pub fn differences(a: &Value, b: &Value, max: usize) -> Vec<String> {
    fn walk(a: &Value, b: &Value, path: &str, out: &mut Vec<String>, max: usize) {
        if out.len() >= max || a == b {
            return;
        }
        match (a, b) {
            (Value::Object(x), Value::Object(y)) => {
                let keys: std::collections::BTreeSet<&String> = x.keys().chain(y.keys()).collect();
                for k in keys {
                    let p = if path.is_empty() {
                        k.clone()
                    } else {
                        format!("{path}.{k}")
                    };
                    walk(
                        x.get(k).unwrap_or(&Value::Null),
                        y.get(k).unwrap_or(&Value::Null),
                        &p,
                        out,
                        max,
                    );
                }
            }
            _ => out.push(if path.is_empty() {
                "（全部）".into()
            } else {
                path.to_string()
            }),
        }
    }
    let mut out = Vec::new();
    walk(a, b, "", &mut out, max);
    out
}

/// Where the data a document receives now differs from what it was issued with, grouped by what
/// the clerk knows: a case fact (`facts.X`, `dates.X`, `prose.X` are one fact `X`), or a part of
/// the configuration (`agency`, `issuer`, …).
fn changed_groups(frozen: &Value, current: &Value) -> Vec<String> {
    let mut groups: Vec<String> = Vec::new();
    for path in differences(frozen, current, usize::MAX) {
        let mut parts = path.splitn(3, '.');
        let top = parts.next().unwrap_or_default();
        let group = match (top, parts.next()) {
            ("facts" | "dates" | "prose", Some(field)) => format!("facts.{field}"),
            _ => top.to_string(),
        };
        if !groups.contains(&group) {
            groups.push(group);
        }
    }
    groups
}

/// `frozen` with the values of `group` (see [`changed_groups`]) taken from `current`.
fn with_group(frozen: &Value, current: &Value, group: &str) -> Value {
    let mut out = frozen.clone();
    let places: Vec<(&str, Option<&str>)> = match group.strip_prefix("facts.") {
        Some(field) => ["facts", "dates", "prose"]
            .into_iter()
            .map(|t| (t, Some(field)))
            .collect(),
        None => vec![(group, None)],
    };
    for (top, field) in places {
        let now = match field {
            Some(f) => current.get(top).and_then(|v| v.get(f)),
            None => current.get(top),
        };
        let Some(obj) = out.as_object_mut() else {
            break;
        };
        let slot = match field {
            Some(f) => match obj.get_mut(top).and_then(Value::as_object_mut) {
                Some(inner) => (inner, f),
                None => {
                    if let Some(v) = now {
                        obj.insert(top.to_string(), serde_json::json!({ f: v }));
                    }
                    continue;
                }
            },
            None => (obj, top),
        };
        match now {
            Some(v) => {
                slot.0.insert(slot.1.to_string(), v.clone());
            }
            None => {
                slot.0.remove(slot.1);
            }
        }
    }
    out
}

/// What the clerk reads for a group of [`changed_groups`]: the fact's label in its workflow, or
/// the part of the configuration; never an internal key.
fn group_label(ws: &Workspace, workflow: &str, group: &str) -> String {
    if let Some(field) = group.strip_prefix("facts.") {
        return ws
            .workflows
            .get(workflow)
            .and_then(|wf| wf.field(field))
            .map(|f| f.label.clone())
            .unwrap_or_else(|| "其他案件事实".to_string());
    }
    match group {
        "doc" => "文书的标题、文号、日期或版式",
        "case" => "案件编号或流程",
        "region" => "地区名称（yingsu.yaml 的 region）",
        "issuer" => "发文机关的信息（yingsu.yaml 的 issuers）",
        "issuers" => "各发文机关的名称（yingsu.yaml 的 issuers）",
        "agency" => "被诉单位的信息（yingsu.yaml 的 agencies）",
        "court" => "法院名称（yingsu.yaml 的 courts）",
        "deadline" => "期限",
        "hearings" => "开庭记录",
        "stats" => "统计数字",
        "protected" => "机关和法院的名称（yingsu.yaml）",
        _ => "其他数据",
    }
    .to_string()
}

/// The changes in an issued document's data (`frozen`, which gives the PDF with hash
/// `frozen_sha`) against what it would receive now (`current`) that would change the document:
/// a fact or setting it does not print changes nothing and is not reported. Each is named as
/// the clerk knows it (the fact's label). Made by typesetting: with all of today's data (when
/// that gives the same PDF, nothing counts), then, when several things changed, with each one
/// alone.
fn document_changes(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    req: &DocRequest,
    (frozen, current): (&Value, &Value),
    (file, frozen_sha): (&str, &str),
    known: &Known<'_>,
) -> Result<Vec<String>> {
    let groups = changed_groups(frozen, current);
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    // What each data gave is kept in the render index (under `<file>#now…`), so an unchanged
    // workspace is not typeset again for it on the next run.
    let differs = |what: &str, data: &Value| -> Result<bool> {
        let key = format!("{file}#now{what}");
        let inputs = crate::index::document_inputs(known.inputs, data);
        let sha = match known.index.gave(&key, &inputs) {
            Some(sha) => sha,
            None => {
                let sha = archive::sha256(&renderer.render_data(ws, req, data)?);
                known.index.record(&key, &inputs, &sha);
                sha
            }
        };
        Ok(sha != frozen_sha)
    };
    if !differs("", current)? {
        return Ok(Vec::new());
    }
    let mut counted: Vec<&String> = Vec::new();
    if groups.len() > 1 {
        for g in &groups {
            if differs(&format!("#{g}"), &with_group(frozen, current, g))? {
                counted.push(g);
            }
        }
    }
    // One change, or changes that alter the document only together: all of them.
    if counted.is_empty() {
        counted = groups.iter().collect();
    }
    let mut labels: Vec<String> = Vec::new();
    for g in counted {
        let label = group_label(ws, &req.workflow, g);
        if !labels.contains(&label) {
            labels.push(label);
        }
    }
    Ok(labels)
}

/// An issued document whose data or output would change if made now: reported, not applied.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Drift {
    pub case_id: String,
    pub file: String,
    pub title: String,
    /// What would change the document if it were made now, as the clerk knows it (the facts'
    /// labels); empty when only the output changed (a template or font changed).
    pub changed: Vec<String>,
    /// Set when the file in the archive is not the issued document either (missing, damaged,
    /// or not the one the case file records) and could not be restored from its record: why.
    pub lost: Option<String>,
}

/// The year folder a case file lives in (`cases/<year>/<id>.yaml`): its documents' folder too.
pub fn year_folder(path: &Path) -> Option<i32> {
    path.parent()?.file_name()?.to_str()?.parse().ok()
}

/// A document re-rendered by `render`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rendered {
    pub case_id: String,
    pub record: DocRecord,
    pub changed: bool,
    /// Whether it was typeset in this run (not when the render index knew its inputs give the
    /// PDF on disk).
    pub typeset: bool,
}

/// What `render` did: the documents made again, and (for all cases) the case files that could
/// not be read and were left as they are.
#[derive(Debug, Default)]
pub struct RenderOutcome {
    pub rendered: Vec<Rendered>,
    pub unreadable: Vec<Unreadable>,
    /// Issued documents that would change if made from today's data: left as issued.
    pub drifts: Vec<Drift>,
    /// Registry lines written back from the issued documents' records (see
    /// [`crate::numbers::restore`]), one line per registry.
    pub restored: Vec<String>,
    /// Registries that lack numbers issued documents hold and could not be restored.
    pub registries: Vec<Diagnostic>,
}

/// Re-render the documents recorded in the given cases' histories (all cases when `ids` is
/// empty: then a case file that cannot be read is reported and skipped, the others are made),
/// in parallel on `jobs` threads. Numbers are kept; files whose bytes change are
/// rewritten and a history entry records the new hashes.
///
/// Each worker takes one case at a time: it reads the case file, typesets its documents,
/// compares them with the archive and stages the changed files (and the case file with its
/// new history entry) next to their destinations. Only hashes stay in memory, whatever the
/// size of the archive. Nothing is moved into place until every document has been made: the
/// first failure stops the run and the staged files are deleted.
pub fn render_cases(
    ws: &Workspace,
    ids: &[String],
    jobs: usize,
    renderer: &dyn DocumentRenderer,
    actor: &Actor,
    reissue: bool,
) -> Result<RenderOutcome> {
    let _lock = ws.lock_for_writing()?;
    let all = ids.is_empty();
    // All cases: the case index serves the unchanged ones (see `index::cases`).
    // The render index and the inputs' fingerprint are read while the cases are listed and the
    // case index opened (each a few tens of milliseconds over 10,000 cases; the file system
    // waits more than it computes).
    let (cases, (index, fingerprint)) = crate::par::beside(
        || -> Result<_> {
            if !all {
                return Ok((Vec::new(), None));
            }
            let files = store::case_files(ws)?;
            let case_index = store::case_index(ws, &files);
            Ok((files, Some(case_index)))
        },
        || {
            (
                crate::index::RenderIndex::load(ws),
                crate::index::inputs_fingerprint(ws),
            )
        },
    );
    let (files, case_index) = cases?;
    let ids: Vec<String> = if all {
        files.iter().map(|(i, _)| i.clone()).collect()
    } else {
        ids.to_vec()
    };
    let paths: BTreeMap<&str, &std::path::Path> = files
        .iter()
        .map(|(i, p)| (i.as_str(), p.as_path()))
        .collect();
    // Whether a case has anything for `render` to look at: documents in its history (or a
    // file outside a year folder, which `rerender_case` refuses). Only such a case is kept
    // parsed in the index.
    let has_work = |v: &CaseView<'_>| {
        year_folder(&v.case.path).is_none()
            || v.case.history.iter().any(|h| !h.documents.is_empty())
    };
    let load = |id: &String| -> Result<(CaseView<'_>, Option<String>)> {
        match (&case_index, paths.get(id.as_str())) {
            // A case with nothing to render is not kept parsed: next time its summary says so.
            (Some(index), Some(path)) => index.load_hashed_if(ws, id, path, &has_work),
            _ => store::case_path(ws, id)
                .and_then(|p| store::load_file(ws, id, &p))
                .map(|v| (v, None)),
        }
    };
    // What is known to give the recorded PDF is not typeset again (see `index`).
    let known = Known {
        index: &index,
        inputs: &fingerprint,
        cases: case_index.as_ref().map_or("", |i| i.fingerprint()),
        now: crate::index::now_ns(),
        registered: std::sync::OnceLock::new(),
    };
    // A case whose documents (from its summary in the case index) are all settled is
    // answered without being decoded; one without documents too.
    let settled = |id: &String| -> Option<Vec<Rendered>> {
        let current = case_index.as_ref()?.current(paths.get(id.as_str())?)?;
        let docs: Vec<Listed> = current.summary::<Option<Vec<Listed>>>(DOCS)??;
        if docs.is_empty() {
            return Some(Vec::new());
        }
        if reissue {
            return None;
        }
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            let key = known.key(ws, &d.file, current.sha256())?;
            if !known.index.is_settled(&d.file, &key) {
                return None;
            }
            out.push(Rendered {
                case_id: id.clone(),
                record: d.into_record(),
                changed: false,
                typeset: false,
            });
        }
        Some(out)
    };
    type Done = (Vec<Rendered>, Vec<Staged>, Vec<Drift>);
    let per_case: Vec<Result<std::result::Result<Done, Unreadable>>> =
        crate::par::for_each_parallel(ids.iter().collect(), jobs, |id| {
            let loaded = match settled(id) {
                Some(done) => Ok(Err(done)),
                None => load(id).map(Ok),
            };
            match loaded {
                Ok(Err(done)) => Ok(Ok((done, Vec::new(), Vec::new()))),
                Ok(Ok((view, sha))) => {
                    if let (Some(index), Some(path), Some(sha)) =
                        (&case_index, paths.get(id.as_str()), &sha)
                    {
                        index.keep(path, sha, DOCS, &listed(&view));
                    }
                    rerender_case(ws, &view, sha.as_deref(), renderer, actor, reissue, &known)
                        .map(Ok)
                }
                Err(error) if all => Ok(Err(Unreadable {
                    id: id.clone(),
                    file: store::case_path(ws, id)
                        .map(|p| ws.rel(&p))
                        .unwrap_or_else(|_| id.clone()),
                    error,
                })),
                Err(e) => Err(e),
            }
        });
    // The first failure in case order is reported (whatever the threads' timing), with a
    // count of the others; dropping the staged files deletes them.
    let failed = per_case.iter().filter(|r| r.is_err()).count();
    let mut out = RenderOutcome::default();
    let mut batch = Batch::default();
    for result in per_case {
        let (rendered, staged, drifts) = match result {
            Ok(Ok(done)) => done,
            Ok(Err(unreadable)) => {
                out.unreadable.push(unreadable);
                continue;
            }
            Err(e) if failed > 1 => {
                let mut diags: Vec<Diagnostic> = e.diagnostics().into_iter().cloned().collect();
                if diags.is_empty() {
                    return Err(e);
                }
                diags.push(
                    Diagnostic::new(format!(
                        "另有 {} 件案件的文书也未能生成，原因可能相同",
                        failed - 1
                    ))
                    .help("修正后重新运行；本次没有改动任何文件"),
                );
                return Err(Error::Many(diags));
            }
            Err(e) => return Err(e),
        };
        out.rendered.extend(rendered);
        out.drifts.extend(drifts);
        for s in staged {
            batch.push(s);
        }
    }
    // The reports (bulletins, monthly returns) are documents like the others: a lost or
    // damaged one is made again from its frozen record.
    if all {
        let (rendered, staged, drifts) = rerender_reports(ws, renderer, &known)?;
        out.rendered.extend(rendered);
        out.drifts.extend(drifts);
        for s in staged {
            batch.push(s);
        }
    }
    batch.commit()?;
    // The registries checked against the numbers the issued documents hold: their records,
    // and the documents looked at here (whose registry keys their places give).
    let mut held = crate::numbers::held_in_records(&ws.root);
    held.extend(out.rendered.iter().filter_map(|r| {
        let d = &r.record;
        let name = Path::new(&d.file).file_name()?.to_str()?;
        let entry: usize = name.split('-').next()?.parse().ok()?;
        let key = number_key(&r.case_id, entry.checked_sub(1)?, &d.template);
        crate::numbers::Held::of(d.number.as_deref()?, Some(key), &d.file)
    }));
    (out.restored, out.registries) = crate::numbers::restore(&ws.root, &held);
    // Only shortcuts: a failure to write them costs time on the next run, nothing else. (A
    // case file just rewritten with a new history entry is seen as changed next time.)
    let _ = index.save();
    if let Some(i) = &case_index {
        i.save();
    }
    Ok(out)
}

/// An issued report (a bulletin, a monthly return) as found in `archive/reports/<year>/`: its
/// PDF and its frozen record (relative to the workspace), either of which may be missing.
#[derive(Debug, Clone)]
pub struct IssuedReport {
    pub file: String,
    pub record: String,
}

/// Every issued report: each `.pdf` or `.json` under `archive/reports/<year>/` (folders and
/// files behind links are not followed; a link is reported by `validate`), in name order.
pub fn issued_reports(ws: &Workspace) -> Vec<IssuedReport> {
    let base = ws.root.join("archive").join("reports");
    let real_dir = |p: &Path| std::fs::symlink_metadata(p).is_ok_and(|m| m.is_dir());
    if !real_dir(&ws.root.join("archive")) || !real_dir(&base) {
        return Vec::new();
    }
    let mut stems = std::collections::BTreeSet::new();
    let Ok(years) = std::fs::read_dir(&base) else {
        return Vec::new();
    };
    for year in years.flatten() {
        let name = year.file_name().to_string_lossy().to_string();
        if name.parse::<i32>().is_err() || !year.file_type().is_ok_and(|t| t.is_dir()) {
            continue;
        }
        let Ok(files) = std::fs::read_dir(year.path()) else {
            continue;
        };
        for f in files.flatten() {
            let file = f.file_name().to_string_lossy().to_string();
            let stem = file
                .strip_suffix(".pdf")
                .or_else(|| file.strip_suffix(".json"));
            if let Some(stem) = stem
                && !stem.starts_with('.')
            {
                stems.insert(format!("archive/reports/{name}/{stem}"));
            }
        }
    }
    stems
        .into_iter()
        .map(|s| IssuedReport {
            file: format!("{s}.pdf"),
            record: format!("{s}.json"),
        })
        .collect()
}

/// The request that made the report whose frozen record is `f`, at `file`: its template,
/// title, number and date, with the data it was issued with.
fn report_request(ws: &Workspace, f: &Frozen, file: &str) -> Option<DocRequest> {
    let date = NaiveDate::parse_from_str(&f.date, "%Y-%m-%d").ok()?;
    Some(DocRequest {
        case_id: String::new(),
        workflow: String::new(),
        step: String::new(),
        template: f.template.clone(),
        title: f.title.clone(),
        issuer: None,
        number: f.number.clone(),
        date,
        facts: Default::default(),
        history: Vec::new(),
        prepared: Some(Prepared {
            data: f.data.clone(),
            ident: report_ident(file)?,
        }),
        declared: ws.declared(&f.template).unwrap_or_default(),
    })
}

/// `render --all` over the issued reports, as over the cases' documents: each made again from
/// its frozen record unless the render index knows these inputs give the PDF on disk; a lost or
/// damaged one restored byte for byte; one the record no longer gives (a template or font
/// changed) left as issued and reported; one whose record cannot give it back reported as lost
/// (with why).
fn rerender_reports(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    known: &Known<'_>,
) -> Result<(Vec<Rendered>, Vec<Staged>, Vec<Drift>)> {
    let mut out = Vec::new();
    let mut staged = Vec::new();
    let mut drifts = Vec::new();
    for r in issued_reports(ws) {
        let Some(f) = Frozen::read(ws, &r.file) else {
            // A PDF without a readable record: nothing to check it against (`validate` says so).
            continue;
        };
        let on_disk = std::fs::read(ws.root.join(&r.file))
            .ok()
            .map(|b| archive::sha256(&b));
        let intact = on_disk.as_deref() == Some(f.sha256.as_str());
        let record = DocRecord {
            title: f.title.clone(),
            template: f.template.clone(),
            number: f.number.clone(),
            file: r.file.clone(),
            sha256: f.sha256.clone(),
        };
        let drift = |lost: Option<String>| Drift {
            case_id: String::new(),
            file: r.file.clone(),
            title: f.title.clone(),
            changed: Vec::new(),
            lost,
        };
        let rendered = |changed: bool, typeset: bool| Rendered {
            case_id: String::new(),
            record: record.clone(),
            changed,
            typeset,
        };
        if !f.data_intact() {
            drifts.push(drift(Some(format!(
                "印发记录 {} 中的数据在印发后被改动过（与记录的数据哈希不符），不能用它恢复原件",
                r.record
            ))));
            out.push(rendered(false, false));
            continue;
        }
        let inputs = crate::index::document_inputs(known.inputs, &f.data);
        if intact && known.index.gives(&r.file, &inputs, &f.sha256) {
            out.push(rendered(false, false));
            continue;
        }
        let Some(req) = report_request(ws, &f, &r.file) else {
            drifts.push(drift(Some(format!(
                "印发记录 {} 不是 yingsu 写下的报表记录（日期或文件名无法识别）",
                r.record
            ))));
            out.push(rendered(false, false));
            continue;
        };
        let pdf = renderer.render_data(ws, &req, &f.data)?;
        let sha = archive::sha256(&pdf);
        if sha == f.sha256 {
            known.index.record(&r.file, &inputs, &sha);
            if !intact {
                // Lost or damaged: restored byte for byte.
                staged.push(archive::stage(&ws.output_path(&r.file)?, &pdf)?);
            }
            out.push(rendered(!intact, true));
            continue;
        }
        let same_inputs = f.inputs.as_deref() == Some(known.inputs);
        let lost = if intact && same_inputs {
            Some("原件在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的报表却与原件不同（原件和记录中的哈希被一同改动过）".to_string())
        } else if intact {
            // A template or font changed since: the issued report stays as it is.
            None
        } else if on_disk.is_none() {
            Some(
                "原件缺失，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）"
                    .to_string(),
            )
        } else {
            Some("原件已损坏或被替换，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）".to_string())
        };
        drifts.push(drift(lost));
        out.push(rendered(false, true));
    }
    Ok((out, staged, drifts))
}

/// The kind (and version) of [`listed`]'s summary in the case index.
const DOCS: &str = "render-docs-1";

/// The history entries whose documents `render` looks at: steps with documents, not undone,
/// with their place in the history and their step.
fn live_steps(case: &crate::case::Case) -> impl Iterator<Item = (usize, &str, &HistoryEntry)> {
    let undone = case.undone();
    case.history.iter().enumerate().filter_map(move |(i, h)| {
        let step = h.step.as_deref()?;
        (!h.documents.is_empty() && !undone.contains(&i)).then_some((i, step, h))
    })
}

/// A document of a case as its history records it: a [`DocRecord`] in the case index (whose
/// own serialization leaves out an absent number, which postcard could not read back).
#[derive(serde::Serialize, serde::Deserialize)]
struct Listed {
    title: String,
    template: String,
    number: Option<String>,
    file: String,
    sha256: String,
}

impl Listed {
    fn into_record(self) -> DocRecord {
        DocRecord {
            title: self.title,
            template: self.template,
            number: self.number,
            file: self.file,
            sha256: self.sha256,
        }
    }
}

/// What [`rerender_case`] looks at in a case: the documents of every step not undone, in the
/// order of the history; `None` when it must see the case itself (a case file outside a year
/// folder, a recorded document path that is not yingsu's: both are refused there).
fn listed(view: &CaseView<'_>) -> Option<Vec<Listed>> {
    let case = &view.case;
    let year = year_folder(&case.path)?;
    let mut out = Vec::new();
    for (i, step, h) in live_steps(case) {
        for d in &h.documents {
            if d.file != archive::document_path(year, &case.id, i, step, &d.template) {
                return None;
            }
            out.push(Listed {
                title: d.title.clone(),
                template: d.template.clone(),
                number: d.number.clone(),
                file: d.file.clone(),
                sha256: d.sha256.clone(),
            });
        }
    }
    Some(out)
}

/// The render index and the workspace's inputs fingerprint, for [`rerender_case`].
struct Known<'a> {
    index: &'a crate::index::RenderIndex,
    inputs: &'a str,
    /// The case index's fingerprint (empty without one: then nothing is settled).
    cases: &'a str,
    /// When the run started (for [`crate::index::outcome_key`]).
    now: i64,
    /// The number registries, read once when a re-issue first needs them.
    registered: std::sync::OnceLock<crate::numbers::Registered>,
}

impl Known<'_> {
    /// The key under which the document `file` (relative to the workspace) of a case whose
    /// file hashes to `case_sha` is settled: nothing it depends on changed since a run found
    /// it intact and unchanged (the program, templates, fonts, configuration, workflows, the
    /// case file, the PDF and its frozen record; see [`crate::index::outcome_key`]). `None`
    /// without a case index, or when the PDF or its record is missing or too new.
    fn key(&self, ws: &Workspace, file: &str, case_sha: &str) -> Option<String> {
        if self.cases.is_empty() {
            return None;
        }
        crate::index::outcome_key(
            self.inputs,
            self.cases,
            case_sha,
            &ws.root.join(file),
            &ws.root.join(frozen_path(file)),
            self.now,
        )
    }
}

/// One case of [`render_cases`]: its documents, and the files to move into place.
#[allow(clippy::too_many_arguments)]
fn rerender_case(
    ws: &Workspace,
    view: &CaseView<'_>,
    case_sha: Option<&str>,
    renderer: &dyn DocumentRenderer,
    actor: &Actor,
    reissue: bool,
    known: &Known<'_>,
) -> Result<(Vec<Rendered>, Vec<Staged>, Vec<Drift>)> {
    let case = &view.case;
    let id = case.id.as_str();
    let year = year_folder(&case.path)
        .ok_or_else(|| Error::Internal(format!("case file outside a year folder: {id}")))?;
    // The latest hash recorded for each file (re-render entries supersede step entries).
    let mut latest: BTreeMap<String, String> = BTreeMap::new();
    for h in &case.history {
        for d in &h.documents {
            latest.insert(d.file.clone(), d.sha256.clone());
        }
    }
    let mut out = Vec::new();
    let mut staged = Vec::new();
    let mut drifts = Vec::new();
    let mut new_hashes = Vec::new();
    for (i, step, h) in live_steps(case) {
        // Built only for a document that is looked at (a settled one is not).
        let at_cell = std::cell::OnceCell::new();
        for d in &h.documents {
            let file = archive::document_path(year, id, i, step, &d.template);
            if d.file != file {
                return Err(Error::user(
                    format!(
                        "{} 第 {} 条办理记录中《{}》的文件路径 `{}` 不是 yingsu 存放它的位置 `{file}`",
                        ws.rel(&case.path),
                        i + 1,
                        d.title,
                        d.file
                    ),
                    "文书的存放位置由 yingsu 决定，不能在案件文件中修改；请恢复 history 中原来的 file，或删除这条改动",
                ));
            }
            let path = ws.root.join(&file);
            let settled = case_sha
                .filter(|_| !reissue)
                .and_then(|sha| known.key(ws, &file, sha));
            if let Some(key) = &settled
                && known.index.is_settled(&file, key)
            {
                out.push(Rendered {
                    case_id: id.to_string(),
                    record: d.clone(),
                    changed: false,
                    typeset: false,
                });
                continue;
            }
            let at = match at_cell.get() {
                Some(at) => at,
                None => {
                    let at = step_at(view, i, step, year, actor)?;
                    at_cell.get_or_init(|| at)
                }
            };
            let spec = at
                .wf
                .step(step)
                .and_then(|s| s.documents.iter().find(|x| x.template.value == d.template));
            let mut req = match spec {
                Some(s) => request(ws, at, s)?,
                None => bare_request(at, &d.template, &d.title),
            };
            req.number = d.number.clone();
            if reissue
                && let Some(n) = &d.number
                && let Some(why) = known
                    .registered
                    .get_or_init(|| crate::numbers::Registered::read(&ws.archive_dir()))
                    .conflict(&number_key(id, i, &d.template), n)
            {
                return Err(Error::user(
                    format!(
                        "{} 中《{}》的文号 {n} 与文号登记簿不符：{why}，不能按它重新印发",
                        ws.rel(&case.path),
                        d.title
                    ),
                    "文号由 yingsu 分配并记入 archive/numbers/ 下的登记簿，不能在案件文件中修改；请从 git 历史中恢复这条记录的 number",
                ));
            }
            let frozen = Frozen::read(ws, &file);
            let current = renderer.data(ws, &req)?;
            let recorded = latest.get(&d.file).unwrap_or(&d.sha256).clone();
            let on_disk = std::fs::read(&path).ok().map(|b| archive::sha256(&b));
            if let (Some(f), false) = (&frozen, reissue) {
                let intact = on_disk.as_deref() == Some(recorded.as_str());
                // A record edited since the document was issued cannot give it back: the
                // archive is left as it is and the edit reported.
                if let Some(why) = record_edited(f, d, &file) {
                    known.index.settle(&file, None);
                    drifts.push(Drift {
                        case_id: id.to_string(),
                        file: file.clone(),
                        title: d.title.clone(),
                        changed: Vec::new(),
                        lost: Some(why),
                    });
                    out.push(Rendered {
                        case_id: id.to_string(),
                        record: d.clone(),
                        changed: false,
                        typeset: false,
                    });
                    continue;
                }
                // An issued document is made again from what it received then — unless the
                // index knows these very inputs gave the PDF that is on disk, as recorded.
                let inputs = crate::index::document_inputs(known.inputs, &f.data);
                let pdf = if intact && known.index.gives(&file, &inputs, &recorded) {
                    None
                } else {
                    Some(renderer.render_data(ws, &req, &f.data)?)
                };
                let sha = pdf
                    .as_deref()
                    .map_or_else(|| recorded.clone(), archive::sha256);
                if sha == recorded {
                    known.index.record(&file, &inputs, &sha);
                }
                // Only what would change the document itself counts (see `document_changes`).
                let changed_data = document_changes(
                    ws,
                    renderer,
                    &req,
                    (&f.data, &current),
                    (&file, &sha),
                    known,
                )?;
                if sha != recorded {
                    // Its own data gives other bytes: a template or font changed since, or the
                    // record was edited. The file in the archive is left as it is; when it is not
                    // the issued one either, nothing here can give it back.
                    // Made with the very program, templates and fonts it was issued with,
                    // the record gives other bytes than recorded: the recorded hashes are not
                    // of the document it made, so the PDF (and the hashes with it) was changed.
                    let same_inputs = f.inputs.as_deref() == Some(known.inputs);
                    let lost = (!intact || same_inputs).then(|| {
                        if intact {
                            "原件在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的文书却与原件不同（原件和记录中的哈希被一同改动过）".to_string()
                        } else if same_inputs && on_disk.as_deref() == Some(sha.as_str()) {
                            "案件文件中记录的哈希（sha256）与原件及其印发记录都不符，案件文件的这条记录可能被改动过".to_string()
                        } else if same_inputs {
                            "原件缺失或已损坏，且案件文件和印发记录中的哈希都不是按印发记录排出的文书的哈希（哈希被改动过）".to_string()
                        } else if on_disk.as_deref() == Some(sha.as_str()) && f.sha256 == sha {
                            "案件文件中记录的哈希（sha256）与原件及其印发记录都不符，案件文件的这条记录可能被改动过".to_string()
                        } else if on_disk.is_none() {
                            "原件缺失，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）".to_string()
                        } else {
                            "原件已损坏或被替换，且按印发记录已排不出原件（印发记录被改动，或模板、字体已改动）".to_string()
                        }
                    });
                    drifts.push(Drift {
                        case_id: id.to_string(),
                        file: file.clone(),
                        title: d.title.clone(),
                        changed: changed_data,
                        lost,
                    });
                    out.push(Rendered {
                        case_id: id.to_string(),
                        record: d.clone(),
                        changed: false,
                        typeset: true,
                    });
                    continue;
                }
                // Lost or damaged: restored byte for byte.
                let changed = on_disk.as_deref() != Some(sha.as_str());
                // Intact and as its data says, with no figures of the whole archive (which
                // other cases change): the next run need not look again.
                let archive_wide = f.data.get("stats").is_some_and(|v| !v.is_null());
                known.index.settle(
                    &file,
                    settled.filter(|_| !changed && changed_data.is_empty() && !archive_wide),
                );
                if !changed_data.is_empty() {
                    drifts.push(Drift {
                        case_id: id.to_string(),
                        file: file.clone(),
                        title: d.title.clone(),
                        changed: changed_data,
                        lost: None,
                    });
                }
                if let (true, Some(pdf)) = (changed, &pdf) {
                    staged.push(archive::stage(&ws.output_path(&file)?, pdf)?);
                }
                out.push(Rendered {
                    case_id: id.to_string(),
                    record: d.clone(),
                    changed,
                    typeset: pdf.is_some(),
                });
                continue;
            }
            // Not frozen yet (issued before records were kept), or re-issued: today's data.
            let pdf = renderer.render_data(ws, &req, &current)?;
            let sha = archive::sha256(&pdf);
            let changed = sha != recorded || on_disk.as_deref() != Some(sha.as_str());
            if changed {
                staged.push(archive::stage(&ws.output_path(&file)?, &pdf)?);
            }
            let key = d.number.as_ref().map(|_| number_key(id, i, &d.template));
            let now_frozen = Frozen::of(&req, current, &pdf, key, known.inputs);
            if frozen.as_ref() != Some(&now_frozen) {
                staged.push(archive::stage(
                    &ws.output_path(&frozen_path(&file))?,
                    &now_frozen.to_bytes()?,
                )?);
            }
            let record = DocRecord {
                sha256: sha.clone(),
                ..d.clone()
            };
            if sha != recorded {
                new_hashes.push(record.clone());
            }
            out.push(Rendered {
                case_id: id.to_string(),
                record,
                changed,
                typeset: true,
            });
        }
    }
    if !new_hashes.is_empty() {
        let entry = HistoryEntry {
            step: None,
            event: Some(
                if reissue {
                    "重新印发文书"
                } else {
                    "重新生成文书"
                }
                .into(),
            ),
            at: actor.at(),
            by: actor.who.clone(),
            facts: BTreeMap::new(),
            documents: new_hashes,
            opened: vec![],
            ..Default::default()
        };
        let text = case.with_entry(&entry)?;
        staged.push(archive::stage(&case.path, text.as_bytes())?);
    }
    Ok((out, staged, drifts))
}

/// Why the frozen record `f` of the document `d` (at `file`) is not as it was issued, if it is
/// not: its data no longer has the hash recorded with it, or its number is not the case's.
pub fn record_edited(f: &Frozen, d: &DocRecord, file: &str) -> Option<String> {
    let json = frozen_path(file);
    if !f.data_intact() {
        return Some(format!(
            "印发记录 {json} 中的数据在印发后被改动过（与记录的数据哈希不符），不能用它恢复原件"
        ));
    }
    if f.number != d.number {
        return Some(format!(
            "印发记录 {json} 中的文号 {} 与案件文件中的 {} 不符，印发记录或案件文件被改动过",
            f.number.as_deref().unwrap_or("（无）"),
            d.number.as_deref().unwrap_or("（无）")
        ));
    }
    None
}

/// The step of history entry `i` of a loaded case, as [`request`] needs it: the facts and the
/// history as of that entry, the entry's own day.
fn step_at<'a>(
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
        history: view.case.history[..=i].to_vec(),
        day,
    })
}

/// The identity in the PDF of the report issued at `file` (as `stats::monthly` and `stats::bulletin`
/// name their files): `archive/reports/2023/monthly-2023-03-scjgj.pdf` → `report#monthly#scjgj#2023-03`,
/// `archive/reports/2023/bulletin-2023Q1.pdf` → `report#bulletin#2023Q1`. `render --all` makes
/// a lost report again from its frozen record with it.
pub fn report_ident(file: &str) -> Option<String> {
    let name = std::path::Path::new(file).file_name()?.to_str()?;
    let stem = name.strip_suffix(".pdf")?;
    if let Some(code) = stem.strip_prefix("bulletin-") {
        return Some(format!("report#bulletin#{code}"));
    }
    let rest = stem.strip_prefix("monthly-")?;
    // The month's code is `YYYY-MM`; the agency id follows it.
    let (code, agency) = (rest.get(..7)?, rest.get(8..)?);
    (rest.get(7..8) == Some("-") && !agency.is_empty())
        .then(|| format!("report#monthly#{agency}#{code}"))
}

#[cfg(test)]
mod ident_tests {
    use super::report_ident as ident_of;

    #[test]
    fn a_report_file_names_its_identity() {
        assert_eq!(
            ident_of("archive/reports/2023/monthly-2023-03-scjgj.pdf").as_deref(),
            Some("report#monthly#scjgj#2023-03")
        );
        assert_eq!(
            ident_of("archive/reports/2023/monthly-2023-03-a-b.pdf").as_deref(),
            Some("report#monthly#a-b#2023-03")
        );
        assert_eq!(
            ident_of("archive/reports/2023/bulletin-2023Q1.pdf").as_deref(),
            Some("report#bulletin#2023Q1")
        );
        assert_eq!(ident_of("archive/reports/2023/other.pdf"), None);
        assert_eq!(ident_of("archive/reports/2023/monthly-2023-03.pdf"), None);
    }
}
