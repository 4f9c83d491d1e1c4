//! A step's form: owns turning the fields a step records (`records:` in the workflow) into
//! inputs — a date picker for dates, 是/否 for yes-or-no, a choice of `values` for an enum,
//! entries of `yingsu.yaml` chosen by name for `of:` fields, one row per item of a list, a
//! field with a condition shown only while the engine finds it required (or it is filled) —
//! and a submitted form back into the engine's input (`--set 字段=值`, exactly as the command
//! line gives it), with the engine's problems placed beside their fields.

use serde::Serialize;
use serde_json::Value;

use crate::engine::{Input, Problem};
use crate::facts::{Facts, FieldType};
use crate::workflow::Workflow;
use crate::workspace::Workspace;

/// A problem as a form shows it: the engine's words, and a link when it names another case
/// (a 案号 already used).
#[derive(Debug, Clone, Serialize)]
pub(crate) struct ProblemView {
    pub message: String,
    pub help: Option<String>,
    pub href: Option<String>,
    pub link: Option<String>,
}

impl From<&Problem> for ProblemView {
    fn from(p: &Problem) -> ProblemView {
        ProblemView {
            message: p.message.clone(),
            help: p.help.clone(),
            href: None,
            link: None,
        }
    }
}

/// One input of a form.
#[derive(Debug, Serialize)]
pub(crate) struct FieldView {
    pub key: String,
    pub label: String,
    pub help: Option<String>,
    /// text, textarea, date, bool, select, list, integer, table.
    pub kind: &'static str,
    /// For a table: the labels of its columns, in order.
    pub columns: Vec<String>,
    /// For a select: (value, what the clerk reads).
    pub options: Vec<(String, String)>,
    /// What the clerk has written (as submitted).
    pub value: String,
    /// For a list: one item per row (at least one row).
    pub rows: Vec<String>,
    /// Always required (`required: true`).
    pub required: bool,
    /// Required when a condition of the workflow holds.
    pub conditional: bool,
    /// Shown: not conditional, or its condition holds for the values given (the engine's
    /// [`engine::required_fields`]), or it has a value or a problem.
    pub shown: bool,
    pub problems: Vec<ProblemView>,
}

/// The inputs of the fields `step` of `wf` records, filled with `given` (form name → value;
/// a list's items one pair each), with the `problems` that concern each; `required` are the
/// fields the engine finds required for these values, `extra_row` the list given one more
/// empty row (“再加一行”).
pub(crate) fn fields(
    ws: &Workspace,
    wf: &Workflow,
    step: &str,
    given: &[(String, String)],
    problems: &[Problem],
    required: &[String],
    extra_row: Option<&str>,
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
                // One row a line, the cells in column order separated by “｜”.
                (FieldType::Table, _) => ("table", Vec::new()),
                (FieldType::Integer, _) => ("integer", Vec::new()),
                (FieldType::CaseNumber, _) => ("text", Vec::new()),
                (FieldType::Text, _) if is_long(key, f.help.as_deref()) => ("textarea", Vec::new()),
                (FieldType::Text, _) => ("text", Vec::new()),
            };
            let values: Vec<&str> = given
                .iter()
                .filter(|(k, _)| k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            let value = values.first().map(|v| v.to_string()).unwrap_or_default();
            let mut rows: Vec<String> = values
                .iter()
                .flat_map(|v| v.lines())
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            if rows.is_empty() || extra_row == Some(key) {
                rows.push(String::new());
            }
            let problems: Vec<ProblemView> = problems
                .iter()
                .filter(|p| p.field.as_deref() == Some(key))
                .map(ProblemView::from)
                .collect();
            let conditional = f.required.as_ref().is_some_and(|r| r.value.is_string());
            let has_value = values.iter().any(|v| !v.trim().is_empty());
            Some(FieldView {
                key: key.to_string(),
                label: f.label.clone(),
                help: f.help.clone(),
                kind,
                columns: f.columns.iter().map(|c| c.label.clone()).collect(),
                options,
                value,
                rows,
                required: f
                    .required
                    .as_ref()
                    .is_some_and(|r| r.value == Value::Bool(true)),
                conditional,
                shown: !conditional
                    || required.iter().any(|r| r == key)
                    || has_value
                    || !problems.is_empty(),
                problems,
            })
        })
        .collect()
}

/// Whether a text field is written as paragraphs (a multi-line box): a whole body that
/// replaces the template's (`*_body`), an account, an analysis, a summary, or lessons.
fn is_long(key: &str, help: Option<&str>) -> bool {
    key.ends_with("_body")
        || [
            "account",
            "summary",
            "responsibility",
            "lessons",
            "findings",
            "requirements",
        ]
        .iter()
        .any(|k| key.contains(k))
        || help.is_some_and(|h| h.contains("分段"))
}

/// What `facts` already say of the fields `step` records, as the form's inputs write it
/// (是/否, a list one pair per item); a list of mappings, which no input writes, is left out.
pub(crate) fn known(wf: &Workflow, step: &str, facts: &Facts) -> Vec<(String, String)> {
    let Some(spec) = wf.step(step) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for k in &spec.records {
        let key = &k.value;
        match facts.get(key) {
            Some(Value::String(s)) => out.push((key.clone(), s.clone())),
            Some(Value::Bool(b)) => out.push((key.clone(), if *b { "是" } else { "否" }.into())),
            Some(Value::Number(n)) => out.push((key.clone(), n.to_string())),
            // A table: one row a line, its cells in column order.
            Some(Value::Array(rows)) if wf.field(key).is_some_and(|f| f.ty == FieldType::Table) => {
                let columns = wf
                    .field(key)
                    .map(|f| f.columns.as_slice())
                    .unwrap_or_default();
                let lines: Vec<String> = rows
                    .iter()
                    .map(|r| {
                        columns
                            .iter()
                            .map(|c| match r.get(&c.key) {
                                Some(Value::String(s)) => s.clone(),
                                Some(Value::Number(n)) => n.to_string(),
                                _ => String::new(),
                            })
                            .collect::<Vec<_>>()
                            .join("｜")
                    })
                    .collect();
                out.push((key.clone(), lines.join("\n")));
            }
            Some(Value::Array(items)) => {
                let Some(items) = items
                    .iter()
                    .map(|i| i.as_str().map(str::to_string))
                    .collect::<Option<Vec<_>>>()
                else {
                    continue;
                };
                out.extend(items.into_iter().map(|i| (key.clone(), i)));
            }
            _ => {}
        }
    }
    out
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
/// filled in (blank inputs are left out, as an option not given); a list's rows (and the lines
/// of each) joined by “；”, as `--set` takes a list.
pub(crate) fn input(wf: &Workflow, step: &str, submitted: &[(String, String)]) -> Input {
    let records: Vec<&str> = wf
        .step(step)
        .map(|s| s.records.iter().map(|r| r.value.as_str()).collect())
        .unwrap_or_default();
    let mut sets = Vec::new();
    let mut seen: Vec<&str> = Vec::new();
    for (k, v) in submitted {
        if !records.contains(&k.as_str()) || seen.contains(&k.as_str()) {
            continue;
        }
        let is_list = wf.field(k).is_some_and(|f| f.ty == FieldType::List);
        let value = if is_list {
            seen.push(k);
            submitted
                .iter()
                .filter(|(other, _)| other == k)
                .flat_map(|(_, v)| v.lines())
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("；")
        } else {
            // Browsers send a textarea's line breaks as CR LF.
            v.replace("\r\n", "\n")
        };
        if value.trim().is_empty() {
            continue;
        }
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
