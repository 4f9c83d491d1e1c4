//! Document data: owns what a template receives — the document's own fields (title, number,
//! date), the issuer, agency and court from `yingsu.yaml`, the facts as of the step with dates
//! pre-formatted, the hearings, the step's deadline and, for letters that print them, the
//! statistics' figures — as one JSON value (`/data.json` in the Typst world), and the
//! [`request`] a document is asked for by.
//!
//! [`data`] is pure: it reads only what it is given — the configuration, the workflow's
//! declarations, the request, and the deadline and figures [`Computed`] elsewhere (by
//! `crate::pipeline`, which sits above the engine and the statistics). It loads nothing and calls
//! neither the engine nor the statistics.

pub mod request;

use chrono::{Datelike, NaiveDate};
use serde_json::{Map, Value, json};

use crate::config::Config;
use crate::docformat::Direction;
use crate::facts;
use crate::facts::FieldType;
use crate::workflow::Workflow;

pub use request::{DocRequest, DocumentRenderer, Prepared, Preview};

/// What was computed for a document outside this module and is passed in: the step's deadline
/// (by the engine) and the statistics' figures (by the statistics).
#[derive(Debug, Clone, Default)]
pub struct Computed {
    /// The step's earliest deadline that has a due date (e.g. the rectification report's).
    pub deadline: Option<Due>,
    /// The figures the document prints (`Value::Null` when it prints none).
    pub figures: Value,
}

/// A deadline as a document prints it: what must be done, and by when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    pub title: String,
    pub due: NaiveDate,
    /// Counted on estimated holidays (a year whose notice is not yet known): printed 预估.
    pub estimated: bool,
}

/// Everything a template may read, as JSON, from the configuration, the request's workflow
/// (whose declared field types say which facts are dates and which are prose, and whose
/// `statistics.hearing_step` step says which history entries are hearings), the request, and what
/// was computed for it elsewhere. Dates also come pre-formatted (`dates.<field>`: 2023年5月8日)
/// so templates never format dates themselves. A request whose data its maker prepared gets
/// that data as it is.
pub fn data(cfg: &Config, wf: Option<&Workflow>, req: &DocRequest, computed: &Computed) -> Value {
    if let Some(prepared) = &req.prepared {
        return prepared.data.clone();
    }
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
                "principal": filled(&i.principal),
                "contact": filled(&i.contact),
                "phone": filled(&i.phone),
                "seal": i.seal_value(),
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
                "principal": filled(&a.principal),
                "principal_post": a.principal_post,
                "address": a.address,
                "relation": cfg.relation(id).name(),
            })
        });
    // Where the agency's report goes, and the bureau that supervises it.
    let report_to = req
        .facts
        .get("agency")
        .and_then(Value::as_str)
        .and_then(|id| cfg.reports_to(id))
        .map(|(name, short)| json!({"name": name, "short": short}));
    let (bureau_name, bureau_short) = cfg.bureau_names();
    let court = req
        .facts
        .get("court")
        .and_then(|v| v.as_str())
        .map(|id| json!({"id": id, "name": cfg.court_name(id)}));
    // Every fact the workflow declares a date.
    let mut dates = Map::new();
    for (k, v) in &req.facts {
        let is_date = wf.and_then(|wf| wf.field(k)).map(|f| f.ty) == Some(FieldType::Date);
        if let Some(d) = v
            .as_str()
            .filter(|_| is_date)
            .and_then(|s| facts::parse_date(s).ok())
        {
            dates.insert(k.clone(), Value::String(facts::format_date_zh(d)));
        }
    }
    // The entries of the step the workflow declares records a hearing.
    let hearing_step = wf.and_then(|wf| wf.statistics().hearing());
    let hearings: Vec<Value> = req
        .history
        .iter()
        .filter(|h| hearing_step.is_some() && h.step.as_deref() == hearing_step)
        .map(|h| Value::Object(h.facts.clone().into_iter().collect()))
        .collect();
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
    let deadline = computed.deadline.as_ref().map(|dl| {
        json!({
            "title": dl.title,
            "due": facts::format_date_zh(dl.due),
            "due_iso": dl.due.format("%Y-%m-%d").to_string(),
            "estimated": dl.estimated,
        })
    });
    // The clerk's prose, read into headings and paragraphs (see `prose`): `prose.<field>` for
    // every text field of the workflow, and one array of blocks per item for a list field. Numbers in every text get the standard's brackets.
    let mut facts_json = Value::Object(req.facts.clone().into_iter().collect());
    crate::prose::normalise_value(&mut facts_json);
    let mut prose = Map::new();
    if let Some(wf) = wf {
        for (k, v) in facts_json.as_object().into_iter().flatten() {
            let is_prose = wf
                .field(k)
                .is_some_and(|f| matches!(f.ty, FieldType::Text | FieldType::List));
            let blocks: Vec<Value> = match v {
                Value::String(t) if is_prose => crate::prose::parse(t)
                    .iter()
                    .map(crate::prose::Block::to_json)
                    .collect(),
                // One array of blocks per item (an item that is not text has none).
                Value::Array(items) if is_prose => items
                    .iter()
                    .map(|i| i.as_str().map_or(json!([]), crate::prose::parse_json))
                    .collect(),
                _ => continue,
            };
            prose.insert(k.clone(), Value::Array(blocks));
        }
    }
    // 上行文 name their 签发人: the issuer's principal, else the principal of the agency that
    // issues under it.
    let signers: Vec<Value> = match (req.declared.direction, &req.issuer) {
        (Direction::Up, Some(id)) => cfg
            .issuers
            .get(id)
            .and_then(|i| filled(&i.principal))
            .or_else(|| {
                let mine = |a: &&crate::config::Agency| a.issuer.as_deref() == Some(id.as_str());
                let case_agency = req.facts.get("agency").and_then(Value::as_str);
                case_agency
                    .and_then(|a| cfg.agencies.get(a))
                    .filter(mine)
                    .or_else(|| cfg.agencies.values().find(mine))
                    .and_then(|a| filled(&a.principal))
            })
            .into_iter()
            .map(Value::String)
            .collect(),
        _ => Vec::new(),
    };
    json!({
        "doc": {
            "title": req.title,
            "number": req.number,
            "format": req.declared.format.name(),
            "kind": req.declared.kind,
            "direction": req.declared.direction.name(),
            "signers": signers,
            "date": facts::format_date_zh(req.date),
            "date_iso": req.date.format("%Y-%m-%d").to_string(),
            "year": req.date.year(),
            "template": req.template,
            "step": req.step,
        },
        "case": {"id": req.case_id, "workflow": req.workflow},
        "region": cfg.region,
        "words": cfg.words(),
        "bureau": {"name": bureau_name, "short": bureau_short},
        "report_to": report_to,
        "parties": parties(req),
        "issuer": issuer,
        "issuers": issuers,
        "deadline": deadline,
        "agency": agency,
        "court": court,
        "facts": facts_json,
        "prose": prose,
        "dates": Value::Object(dates),
        "hearings": hearings,
        "stats": computed.figures,
        "protected": protected_names(cfg),
    })
}

/// A value of `yingsu.yaml` unless it is a placeholder left to fill in (see
/// [`crate::config::is_placeholder`]): documents never print those.
fn filled(v: &Option<String>) -> Option<String> {
    v.clone().filter(|s| !crate::config::is_placeholder(s))
}

/// The parties' roles for the case's instance (its 案号, else its 审级), the plaintiff's kind
/// (`procuratorate_suit`) and who appealed or applied for retrial (`appellant`):
/// `{instance, plaintiff: {role, original, label}, defendant: {…}, agency_first}`; `null`
/// when the case has neither a 案号 nor a 审级.
fn parties(req: &DocRequest) -> Value {
    let text = |k: &str| req.facts.get(k).and_then(Value::as_str);
    let Some(instance) = crate::casenum::instance_of(text("case_number"), text("level")) else {
        return Value::Null;
    };
    let procuratorate = req.facts.get("procuratorate_suit") == Some(&Value::Bool(true));
    let agency_moved = text("appellant") == Some("原审被告");
    let p = crate::casenum::parties(instance, procuratorate, agency_moved);
    let role = |r: &crate::casenum::Role| json!({"role": r.role, "original": r.original, "label": r.label()});
    json!({
        "instance": instance.name(),
        "plaintiff": role(&p.plaintiff),
        "defendant": role(&p.defendant),
        "agency_first": p.agency_moved,
    })
}

/// Organisation names from `yingsu.yaml` — issuing bodies, agencies (full and short names) and
/// courts — longest first: the layout library keeps them whole in body text where the grid
/// allows (issue 13).
pub fn protected_names(cfg: &crate::config::Config) -> Vec<String> {
    let mut names: Vec<String> = cfg
        .issuers
        .values()
        .flat_map(|i| [Some(i.name.clone()), i.short.clone()])
        .chain(
            cfg.agencies
                .values()
                .flat_map(|a| [Some(a.name.clone()), a.short.clone()]),
        )
        .chain(cfg.courts.values().map(|c| Some(c.clone())))
        .flatten()
        .filter(|n| n.chars().count() >= 2)
        .collect();
    names.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
    names.dedup();
    names
}
