//! Document data: owns what a template receives — the document's own fields (title, number,
//! date), the issuer, agency and court from `yingsu.yaml`, the facts as of the step with dates
//! pre-formatted, the hearings, the step's deadline and, for letters that print them, the
//! statistics' figures — as one JSON value (`/data.json` in the Typst world).

use chrono::Datelike;
use serde_json::{Map, Value, json};

use crate::docformat::Direction;
use crate::engine::DocRequest;
use crate::error::{Error, Result};
use crate::facts;
use crate::facts::FieldType;
use crate::stats::{self, Period};
use crate::workspace::Workspace;

/// Everything a template may read, as JSON. Dates also come pre-formatted (`dates.<field>`:
/// 2023年5月8日) so templates never format dates themselves.
pub fn data(ws: &Workspace, req: &DocRequest) -> Result<Value> {
    if let Some(prepared) = &req.prepared {
        return Ok(prepared.data.clone());
    }
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
    let stats = figures(ws, req)?;
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
            crate::engine::next_deadline(ws, wf, &req.case_id, &req.step, &req.facts, req.date)
        })
        .and_then(|dl| {
            let due = dl.due?;
            Some(json!({
                "title": dl.title,
                "due": facts::format_date_zh(due),
                "due_iso": due.format("%Y-%m-%d").to_string(),
            }))
        });
    // The clerk's prose, read into headings and paragraphs (see `prose`): `prose.<field>` for
    // every text field of the workflow, and one array of blocks per item for a list field. Numbers in every text get the standard's brackets.
    let mut facts_json = Value::Object(req.facts.clone().into_iter().collect());
    crate::prose::normalise_value(&mut facts_json);
    let mut prose = Map::new();
    if let Some(wf) = ws.workflows.get(&req.workflow) {
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
    Ok(json!({
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
        "stats": stats,
        "protected": protected_names(cfg),
    }))
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

/// Figures a document template may need: for a document whose facts have `stats_year`, the
/// year's figures per agency group (the reply letter prints a paragraph per group).
/// The figures are published: while a case file cannot be read they are refused, not printed
/// short.
pub fn figures(ws: &Workspace, req: &DocRequest) -> Result<Value> {
    let Some(year) = req.facts.get("stats_year").and_then(|v| match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse::<i64>().ok(),
        _ => None,
    }) else {
        return Ok(Value::Null);
    };
    let year = i32::try_from(year)
        .ok()
        .filter(|y| (1990..=9999).contains(y))
        .ok_or_else(|| {
            Error::user(
                format!("统计年度 `{year}` 无效"),
                "stats_year 写四位年份，例如 2022",
            )
        })?;
    let period = Period::year(year)?;
    let mut archive = stats::Archive::load(ws)?;
    archive.complete()?;
    // Taken on the letter's date: a hearing after it is not yet held.
    archive.as_of = Some(req.date);
    let stats = stats::compute(ws, &archive, &period)?;
    // A group with nothing counted has no rate: its paragraph would print an empty figure.
    let empty: Vec<&str> = stats
        .rows_of("group")
        .filter(|r| r.counts.counted == 0)
        .map(|r| r.name.as_str())
        .collect();
    let omit = req.facts.get("stats_empty").and_then(|v| v.as_str()) == Some("省略");
    if !empty.is_empty() && !omit {
        return Err(Error::user(
            format!(
                "{year} 年度{}没有计入出庭应诉率的案件，统计段落写不出出庭应诉率",
                empty.join("、")
            ),
            "请核对统计年度（stats_year）和档案；确实没有案件、不写该段时，设 stats_empty=省略",
        ));
    }
    let groups: Vec<Value> = stats
        .rows_of("group")
        .filter(|r| r.counts.counted > 0)
        .map(|r| {
            json!({
                "id": r.id,
                "title": r.name,
                "denominator": r.denominator,
                "counted": r.counts.counted,
                "appeared": r.counts.appeared,
                "rate": r.rate,
                "previous_rate": r.previous_rate,
                "change": r.change,
                "silent": r.counts.silent,
                "concluded": r.counts.concluded,
                "losses": r.counts.losses,
                "loss_rate": r.loss_rate,
                "losses_text": r.counts.losses_text(),
                "pending": r.counts.pending,
            })
        })
        .collect();
    Ok(json!({"year": year, "groups": groups}))
}
