//! Rendering: owns turning a step's document request into the data a template reads and handing it
//! to the typesetter — case facts → document data (`/data.json`) → Typst template → PDF — plus
//! document numbering during a step and the `render` command that re-renders a case's documents.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use chrono::Datelike;
use serde_json::{Map, Value, json};

use crate::case::{DocRecord, HistoryEntry};
use crate::engine::{DocRequest, DocumentRenderer};
use crate::error::{Error, Result};
use crate::facts;
use crate::numbers::Registry;
use crate::typeset::{Job, Typesetter};
use crate::workspace::Workspace;

/// Document numbers reserved during one step: registries stay locked until the step ends.
pub struct Numbering {
    archive: PathBuf,
    open: BTreeMap<(String, i32), Registry>,
}

impl Numbering {
    pub fn new(archive: &Path) -> Numbering {
        Numbering {
            archive: archive.to_path_buf(),
            open: BTreeMap::new(),
        }
    }

    /// The number of document `key` of `prefix` in `year` (existing or newly reserved).
    pub fn number(&mut self, prefix: &str, year: i32, key: &str) -> Result<String> {
        let k = (prefix.to_string(), year);
        if !self.open.contains_key(&k) {
            let r = Registry::lock(&self.archive, prefix, year)?;
            self.open.insert(k.clone(), r);
        }
        let r = self
            .open
            .get_mut(&k)
            .ok_or_else(|| Error::Internal("registry".into()))?;
        Ok(r.reserve(key))
    }

    /// Write the reserved numbers (before the documents are moved into place: a crash then
    /// leaves a gap, never a duplicate).
    pub fn record(&mut self) -> Result<()> {
        for r in self.open.values_mut() {
            r.flush()?;
        }
        Ok(())
    }
}

/// The Typst-backed renderer. The typesetter (and its font book) is built on first use.
#[derive(Default)]
pub struct TypstRenderer {
    typesetter: OnceLock<std::result::Result<Typesetter, String>>,
}

impl TypstRenderer {
    pub fn new() -> TypstRenderer {
        TypstRenderer::default()
    }

    /// The typesetter for a workspace's fonts.
    pub fn typesetter(&self, ws: &Workspace) -> Result<&Typesetter> {
        let t = self
            .typesetter
            .get_or_init(|| Typesetter::new(&ws.font_dirs()).map_err(|e| e.to_string()));
        t.as_ref().map_err(|e| {
            Error::user(
                e.clone(),
                "请检查字体目录（工作区的 fonts/ 或 yingsu.yaml 的 font_paths）",
            )
        })
    }

    /// The Typst job for a request.
    pub fn job(&self, ws: &Workspace, req: &DocRequest) -> Result<Job> {
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
            data: document_data(ws, req),
            date: req.date,
            ident: format!("{}#{}#{}", req.case_id, req.step, req.template),
            root: Some(ws.root.clone()),
        })
    }
}

impl DocumentRenderer for TypstRenderer {
    fn render(&self, ws: &Workspace, req: &DocRequest) -> Result<Vec<u8>> {
        let ts = self.typesetter(ws)?;
        let job = self.job(ws, req)?;
        ts.pdf(&job).map_err(|e| typeset_error(ws, req, e))
    }
}

fn typeset_error(ws: &Workspace, req: &DocRequest, e: crate::typeset::TypesetError) -> Error {
    let origin = ws
        .templates
        .get(&format!("{}.typ", req.template))
        .map(|t| t.origin.display().to_string())
        .unwrap_or_default();
    Error::user(
        format!(
            "生成《{}》（案件 {}，模板 {origin}）失败：\n{e}",
            req.title, req.case_id
        ),
        "若提示缺字，请核对该字段的文字或在 fonts/ 中加入覆盖该字的字体；若是模板错误，请修改模板后重试",
    )
}

/// Everything a template may read, as JSON. Dates also come pre-formatted (`dates.<field>`:
/// 2023年5月8日) so templates never format dates themselves.
pub fn document_data(ws: &Workspace, req: &DocRequest) -> Value {
    let cfg = &ws.config;
    let issuer = req
        .issuer
        .as_ref()
        .and_then(|i| cfg.issuers.get(i))
        .map(|i| {
            json!({
                "name": i.name,
                "short": i.short.clone().unwrap_or_else(|| i.name.clone()),
                "mark": i.mark.clone().unwrap_or_else(|| i.name.clone()),
                "prefix": i.prefix,
                "principal": i.principal,
                "contact": i.contact,
                "phone": i.phone,
            })
        });
    let agency = req
        .facts
        .get("agency")
        .and_then(|v| v.as_str())
        .and_then(|id| cfg.agencies.get(id).map(|a| (id, a)))
        .map(|(id, a)| {
            json!({
                "id": id,
                "name": a.name,
                "short": a.short.clone().unwrap_or_else(|| a.name.clone()),
                "kind": a.kind,
                "principal": a.principal,
                "principal_post": a.principal_post,
                "address": a.address,
            })
        });
    let court = req
        .facts
        .get("court")
        .and_then(|v| v.as_str())
        .map(|id| json!({"id": id, "name": cfg.court_name(id)}));
    let mut dates = Map::new();
    for (k, v) in &req.facts {
        if let Some(d) = v.as_str().and_then(|s| facts::parse_date(s).ok())
            && v.as_str()
                .is_some_and(|s| s.len() == 10 && s.as_bytes()[4] == b'-')
        {
            dates.insert(k.clone(), Value::String(facts::format_date_zh(d)));
        }
    }
    let hearings: Vec<Value> = req
        .history
        .iter()
        .filter(|h| h.step.as_deref() == Some("appearance"))
        .map(|h| Value::Object(h.facts.clone().into_iter().collect()))
        .collect();
    let stats = crate::stats::document_stats(ws, req);
    // Every issuing body by id (name, short name, mark): e.g. the justice bureau a report goes to.
    let issuers: Map<String, Value> = cfg
        .issuers
        .iter()
        .map(|(id, i)| {
            let v = json!({
                "name": i.name,
                "short": i.short.clone().unwrap_or_else(|| i.name.clone()),
                "mark": i.mark.clone().unwrap_or_else(|| i.name.clone()),
            });
            (id.clone(), v)
        })
        .collect();
    // The step's earliest deadline (e.g. the rectification report's due date).
    let deadline = ws
        .workflows
        .get(&req.workflow)
        .and_then(|wf| {
            let spec = wf.step(&req.step)?;
            ws.next_deadline(wf, &req.case_id, spec, &req.facts, req.date)
        })
        .map(|dl| {
            json!({
                "title": dl.title,
                "due": facts::format_date_zh(dl.due),
                "due_iso": dl.due.format("%Y-%m-%d").to_string(),
            })
        });
    json!({
        "doc": {
            "title": req.title,
            "number": req.number,
            "date": facts::format_date_zh(req.date),
            "date_iso": req.date.format("%Y-%m-%d").to_string(),
            "year": req.date.year(),
            "template": req.template,
            "step": req.step,
        },
        "case": {"id": req.case_id, "workflow": req.workflow},
        "region": cfg.region,
        "issuer": issuer,
        "issuers": issuers,
        "deadline": deadline,
        "agency": agency,
        "court": court,
        "facts": Value::Object(req.facts.clone().into_iter().collect()),
        "dates": Value::Object(dates),
        "hearings": hearings,
        "stats": stats,
    })
}

/// A document re-rendered by `render`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Rendered {
    pub case_id: String,
    pub record: DocRecord,
    pub changed: bool,
}

impl Workspace {
    /// Re-render the documents recorded in the given cases' histories (all cases when `ids` is
    /// empty), in parallel on `jobs` threads. Numbers are kept; files whose bytes change are
    /// rewritten and a history entry records the new hashes.
    pub fn render_cases(
        &self,
        ids: &[String],
        jobs: usize,
        renderer: &TypstRenderer,
        actor: &crate::engine::Actor,
    ) -> Result<Vec<Rendered>> {
        use rayon::prelude::*;
        let ids: Vec<String> = if ids.is_empty() {
            self.case_files()?.into_iter().map(|(i, _)| i).collect()
        } else {
            ids.to_vec()
        };
        let ts = renderer.typesetter(self)?;
        let mut work = Vec::new();
        for id in &ids {
            let (case, wf) = self.load_case(id)?;
            // The latest hash recorded for each file (re-render entries supersede step entries).
            let mut latest: BTreeMap<String, String> = BTreeMap::new();
            for h in &case.history {
                for d in &h.documents {
                    latest.insert(d.file.clone(), d.sha256.clone());
                }
            }
            for (i, h) in case.history.iter().enumerate() {
                let Some(step) = &h.step else { continue };
                let facts = case.facts_at(i);
                for d in &h.documents {
                    let spec = wf
                        .step(step)
                        .and_then(|s| s.documents.iter().find(|x| x.template.value == d.template));
                    let issuer = match spec {
                        Some(s) => self.issuer_of(&s.issuer.value, &facts)?,
                        None => None,
                    };
                    let date = spec
                        .and_then(|s| {
                            s.date
                                .as_ref()
                                .or(wf.step(step).and_then(|st| st.date.as_ref()))
                        })
                        .and_then(|f| facts.get(&f.value))
                        .and_then(|v| v.as_str())
                        .and_then(|s| facts::parse_date(s).ok())
                        .or_else(|| {
                            chrono::DateTime::parse_from_rfc3339(&h.at)
                                .ok()
                                .map(|t| t.date_naive())
                        })
                        .unwrap_or_else(|| actor.today());
                    let req = DocRequest {
                        case_id: id.clone(),
                        workflow: wf.name().to_string(),
                        step: step.clone(),
                        template: d.template.clone(),
                        title: d.title.clone(),
                        issuer,
                        number: d.number.clone(),
                        date,
                        facts: facts.clone(),
                        history: case
                            .history
                            .iter()
                            .take(i + 1)
                            .cloned()
                            .collect::<Vec<HistoryEntry>>(),
                    };
                    let job = renderer.job(self, &req)?;
                    let mut rec = d.clone();
                    if let Some(sha) = latest.get(&d.file) {
                        rec.sha256 = sha.clone();
                    }
                    work.push((id.clone(), rec, req, job));
                }
            }
        }
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build()
            .map_err(|e| Error::Internal(e.to_string()))?;
        let results: Vec<Result<Vec<u8>>> = pool.install(|| {
            work.par_iter()
                .map(|(_, _, req, job)| ts.pdf(job).map_err(|e| typeset_error(self, req, e)))
                .collect()
        });
        let mut out = Vec::new();
        let mut batch = crate::archive::Batch::default();
        let mut changed_by_case: BTreeMap<String, Vec<DocRecord>> = BTreeMap::new();
        for ((id, rec, _, _), pdf) in work.into_iter().zip(results) {
            let pdf = pdf?;
            let sha = crate::archive::sha256(&pdf);
            let path = self.root.join(&rec.file);
            let on_disk = std::fs::read(&path)
                .ok()
                .map(|b| crate::archive::sha256(&b));
            let changed = sha != rec.sha256 || on_disk.as_deref() != Some(sha.as_str());
            if changed {
                batch.stage(&path, &pdf)?;
            }
            let new_rec = DocRecord {
                sha256: sha.clone(),
                ..rec.clone()
            };
            if sha != rec.sha256 {
                changed_by_case
                    .entry(id.clone())
                    .or_default()
                    .push(new_rec.clone());
            }
            out.push(Rendered {
                case_id: id,
                record: new_rec,
                changed,
            });
        }
        for (id, docs) in changed_by_case {
            let (case, _) = self.load_case(&id)?;
            let entry = HistoryEntry {
                step: None,
                event: Some("重新生成文书".into()),
                at: actor
                    .now
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                by: actor.who.clone(),
                facts: BTreeMap::new(),
                documents: docs,
                opened: vec![],
            };
            let text = case.with_entry(&entry)?;
            batch.stage(&case.path, text.as_bytes())?;
        }
        batch.commit()?;
        Ok(out)
    }
}
