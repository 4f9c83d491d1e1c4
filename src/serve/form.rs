//! A step's form: owns turning the fields a step records (`records:` in the workflow) into
//! inputs — a date picker for dates, 是/否 for yes-or-no, a choice of `values` for an enum,
//! entries of `yingsu.yaml` chosen by name for `of:` fields, one line per item for a list —
//! and a submitted form back into the engine's input (`--set 字段=值`, exactly as the command
//! line gives it), with the engine's problems placed beside their fields.

use serde::Serialize;
use serde_json::Value;

use crate::engine::{Input, Problem};
use crate::facts::{Facts, FieldType};
use crate::workflow::Workflow;
use crate::workspace::Workspace;

/// One input of a form.
#[derive(Debug, Serialize)]
pub(crate) struct FieldView {
    pub key: String,
    pub label: String,
    pub help: Option<String>,
    /// text, textarea, date, bool, select, list, integer.
    pub kind: &'static str,
    /// For a select: (value, what the clerk reads).
    pub options: Vec<(String, String)>,
    /// What the clerk has written (as submitted).
    pub value: String,
    /// Always required (`required: true`); a condition is the engine's to check.
    pub required: bool,
    /// Required when a condition of the workflow holds.
    pub conditional: bool,
    pub problems: Vec<Problem>,
}

/// The inputs of the fields `step` of `wf` records, filled with `given` (form name → value)
/// and the `problems` that concern each.
pub(crate) fn fields(
    ws: &Workspace,
    wf: &Workflow,
    step: &str,
    given: &[(String, String)],
    problems: &[Problem],
) -> Vec<FieldView> {
    let Some(spec) = wf.step(step) else {
        return Vec::new();
    };
    spec.records
        .iter()
        .filter_map(|k| {
            let key = k.value.as_str();
            let f = wf.field(key)?;
            let of = f.of.as_ref().map(|o| o.value.as_str());
            let (kind, options) = match (f.ty, of) {
                (_, Some(of)) => ("select", entries(ws, of)),
                (FieldType::Date, _) => ("date", Vec::new()),
                (FieldType::Bool, _) => (
                    "select",
                    vec![("是".into(), "是".into()), ("否".into(), "否".into())],
                ),
                (FieldType::Enum, _) => (
                    "select",
                    f.values.iter().map(|v| (v.clone(), v.clone())).collect(),
                ),
                (FieldType::List, _) => ("list", Vec::new()),
                (FieldType::Integer, _) => ("integer", Vec::new()),
                (FieldType::CaseNumber, _) => ("text", Vec::new()),
                (FieldType::Text, _) => ("textarea", Vec::new()),
            };
            Some(FieldView {
                key: key.to_string(),
                label: f.label.clone(),
                help: f.help.clone(),
                kind,
                options,
                value: given
                    .iter()
                    .find(|(k, _)| k == key)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default(),
                required: f
                    .required
                    .as_ref()
                    .is_some_and(|r| r.value == Value::Bool(true)),
                conditional: f.required.as_ref().is_some_and(|r| r.value.is_string()),
                problems: problems
                    .iter()
                    .filter(|p| p.field.as_deref() == Some(key))
                    .cloned()
                    .collect(),
            })
        })
        .collect()
}

/// What `facts` already say of the fields `step` records, as the form's inputs write it
/// (是/否, a list one item per line); a list of mappings, which no input writes, is left out.
pub(crate) fn known(wf: &Workflow, step: &str, facts: &Facts) -> Vec<(String, String)> {
    let Some(spec) = wf.step(step) else {
        return Vec::new();
    };
    spec.records
        .iter()
        .filter_map(|k| {
            let text = match facts.get(&k.value)? {
                Value::String(s) => s.clone(),
                Value::Bool(b) => if *b { "是" } else { "否" }.to_string(),
                Value::Number(n) => n.to_string(),
                Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()?
                    .join("\n"),
                _ => return None,
            };
            Some((k.value.clone(), text))
        })
        .collect()
}

/// The problems no input of the form shows (about the step as a whole, or a field it does
/// not record).
pub(crate) fn general_problems(fields: &[FieldView], problems: &[Problem]) -> Vec<Problem> {
    problems
        .iter()
        .filter(|p| {
            p.field
                .as_deref()
                .is_none_or(|f| !fields.iter().any(|v| v.key == f))
        })
        .cloned()
        .collect()
}

/// The entries of `yingsu.yaml` a field of `of:` names, by id with their names.
fn entries(ws: &Workspace, of: &str) -> Vec<(String, String)> {
    ws.config
        .entries(of)
        .into_iter()
        .map(|(id, name)| (id.to_string(), name.to_string()))
        .collect()
}

/// A submitted form as the engine's input: one `字段=值` per field the step records that was
/// filled in (blank inputs are left out, as an option not given); a list's lines joined by
/// “；”, as `--set` takes a list.
pub(crate) fn input(wf: &Workflow, step: &str, submitted: &[(String, String)]) -> Input {
    let records: Vec<&str> = wf
        .step(step)
        .map(|s| s.records.iter().map(|r| r.value.as_str()).collect())
        .unwrap_or_default();
    let mut sets = Vec::new();
    for (k, v) in submitted {
        if !records.contains(&k.as_str()) || v.trim().is_empty() {
            continue;
        }
        let is_list = wf.field(k).is_some_and(|f| f.ty == FieldType::List);
        let value = if is_list {
            v.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("；")
        } else {
            // Browsers send a textarea's line breaks as CR LF.
            v.replace("\r\n", "\n")
        };
        sets.push(format!("{k}={value}"));
    }
    Input {
        sets,
        again: submitted
            .iter()
            .any(|(k, v)| k == AGAIN_FIELD && !v.is_empty()),
        ..Default::default()
    }
}

/// The form field saying the step happened once more (`--again`: another hearing).
pub(crate) const AGAIN_FIELD: &str = "_again";
