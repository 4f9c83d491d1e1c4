//! Frozen records and drift: owns what is kept beside an issued document (its data and hashes,
//! [`Frozen`]), whether a record was edited since, and what in today's data would change an
//! issued document ([`Drift`]), named as the clerk knows it.

use serde_json::Value;

use crate::archive;
use crate::case::DocRecord;
use crate::document::{DocRequest, DocumentRenderer};
use crate::error::{Error, Result};
use crate::workspace::Workspace;

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
    pub(super) fn of(
        req: &DocRequest,
        data: Value,
        pdf: &[u8],
        key: Option<String>,
        inputs: &str,
    ) -> Frozen {
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
    pub(crate) fn data_intact(&self) -> bool {
        self.data_sha256
            .as_deref()
            .is_none_or(|h| h == data_hash(&self.data))
    }

    pub(super) fn to_bytes(&self) -> Result<Vec<u8>> {
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
        "attachments" => "附件（yingsu case attach 添加的文件）",
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
pub(super) fn document_changes(
    ws: &Workspace,
    renderer: &dyn DocumentRenderer,
    req: &DocRequest,
    (frozen, current): (&Value, &Value),
    (file, frozen_sha): (&str, &str),
    (index, inputs): (&crate::index::RenderIndex, &str),
) -> Result<Vec<String>> {
    let groups = changed_groups(frozen, current);
    if groups.is_empty() {
        return Ok(Vec::new());
    }
    // What each data gave is kept in the render index (under `<file>#now…`), so an unchanged
    // workspace is not typeset again for it on the next run.
    let differs = |what: &str, data: &Value| -> Result<bool> {
        let key = format!("{file}#now{what}");
        let inputs = crate::index::document_inputs(inputs, data);
        let sha = match index.gave(&key, &inputs) {
            Some(sha) => sha,
            None => {
                let sha = archive::sha256(&renderer.render_data(ws, req, data)?);
                index.record(&key, &inputs, &sha);
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
