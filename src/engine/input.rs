//! Input coercion: owns turning what a clerk writes — `--set 字段=值`, a `--from` YAML file, the
//! case file's `facts:` corrections — into typed facts in canonical form, checked against the
//! workflow's field declarations (type, allowed values, references to `yingsu.yaml`). Every
//! route into a case's facts passes through here, so the same text always gives the same value.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::case::Case;
use crate::error::{Diagnostic, Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::{FieldSpec, Workflow};
use crate::workspace::Workspace;
use crate::yaml::{self, Spanned};

/// Facts supplied on the command line or from a file.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// `key=value` assignments.
    pub sets: Vec<String>,
    /// A YAML file with `key: value` lines.
    pub from: Option<PathBuf>,
    /// The clerk says this is a new occurrence of the same step with the same facts (another
    /// hearing), not the same command run twice.
    pub again: bool,
}

/// The clerk's corrections in a case file, checked and coerced: every key a declared field,
/// every value of its type. All problems are reported at once, each at its line and column.
pub(crate) fn coerce_typed(ws: &Workspace, case: &Case, wf: &Workflow) -> Result<Facts> {
    let file = ws.rel_path(&case.path);
    let mut out = Facts::new();
    let mut errors = Vec::new();
    for (k, v) in &case.typed {
        if v.value.is_null() {
            continue;
        }
        match coerce_spanned(ws, wf, k, v, &file, &case.source) {
            Ok(value) => {
                out.insert(canonical(wf, k), value);
            }
            Err(d) => errors.push(*d),
        }
    }
    match errors.len() {
        0 => Ok(out),
        1 => Err(errors.remove(0).into()),
        _ => Err(Error::Many(errors)),
    }
}

/// One value written in a YAML file, coerced; errors point at it.
pub(crate) fn coerce_spanned(
    ws: &Workspace,
    wf: &Workflow,
    key: &str,
    v: &Spanned<Value>,
    file: &Path,
    source: &str,
) -> std::result::Result<Value, Box<Diagnostic>> {
    coerce_field(ws, wf, key, &v.value, yaml::raw_scalar(source, v))
        .map_err(|(m, h)| Box::new(yaml::at(file, source, v, m).help(h)))
}

/// A value of field `key` coerced into its type and checked (a declared field, an entry of
/// `yingsu.yaml` where it names one, its text as it enters), or why not as (message, help).
/// `raw` is its source text when it came from YAML (see [`facts::coerce`]).
pub(crate) fn coerce_field(
    ws: &Workspace,
    wf: &Workflow,
    key: &str,
    v: &Value,
    raw: Option<&str>,
) -> std::result::Result<Value, (String, String)> {
    let key = field_key(wf, key)?;
    let spec = wf.field(key).ok_or_else(|| unknown_field(wf, key))?;
    let value = facts::coerce(spec.ty, &spec.values, &spec.columns, v, raw).map_err(|b| {
        (
            format!("字段 `{key}`（{}）：{}", spec.label, b.message),
            b.help,
        )
    })?;
    let value = resolve_ref(ws, spec, value);
    check_ref(ws, key, spec, &value)?;
    check_entry(&format!("{key}（{}）", spec.label), &value).map_err(|e| message_of(&e))?;
    Ok(value)
}

/// The key of the field a clerk names, by its key (`hearing_date`) or by the Chinese label the
/// workflow gives it (开庭日期), or why not as (message, help).
pub(crate) fn field_key<'w>(
    wf: &'w Workflow,
    name: &str,
) -> std::result::Result<&'w str, (String, String)> {
    let fields = &wf.spec.fields.0;
    if let Some((k, _)) = fields.iter().find(|(k, _)| k.value == name) {
        return Ok(&k.value);
    }
    let labelled: Vec<&str> = fields
        .iter()
        .filter(|(_, spec)| spec.label == name)
        .map(|(k, _)| k.value.as_str())
        .collect();
    match labelled[..] {
        [key] => Ok(key),
        [] => Err(unknown_field(wf, name)),
        _ => Err((
            format!(
                "流程 `{}` 中有 {} 个字段都叫“{name}”：{}",
                wf.name(),
                labelled.len(),
                labelled.join("、")
            ),
            "请用字段名写，例如 --set ".to_string() + labelled[0] + "=…",
        )),
    }
}

/// Why `name` names no field of `wf`, as (message, help).
fn unknown_field(wf: &Workflow, name: &str) -> (String, String) {
    (
        format!("流程 `{}` 没有字段 `{name}`", wf.name()),
        fields_help(wf, name),
    )
}

/// A value naming an entry of `yingsu.yaml` by its name or short name (市场监督管理局) instead
/// of its id, as the id; any other value as it is (then checked by [`check_ref`]).
fn resolve_ref(ws: &Workspace, spec: &FieldSpec, value: Value) -> Value {
    let (Some(of), Some(s)) = (&spec.of, value.as_str()) else {
        return value;
    };
    let entries = ws.config.entries(&of.value);
    if entries.iter().any(|(id, _)| *id == s) {
        return value;
    }
    let short = |id: &str| {
        (of.value == "agencies")
            .then(|| ws.config.agencies.get(id).and_then(|a| a.short.as_deref()))
            .flatten()
    };
    let named: Vec<&str> = entries
        .iter()
        .filter(|(id, name)| *name == s || short(id) == Some(s))
        .map(|(id, _)| *id)
        .collect();
    match named[..] {
        [id] => Value::String(id.to_string()),
        _ => value,
    }
}

/// The text of a value as it enters, checked (see [`crate::entry`]): its length, control and
/// direction characters, and that a value given is not only blanks.
pub(crate) fn check_entry(label: &str, value: &Value) -> Result<()> {
    let field = crate::entry::Field::TEXT;
    match value {
        Value::String(s) => crate::entry::check_text(label, s, field).map(|_| ()),
        Value::Array(items) => {
            let mut chars = 0;
            for (i, item) in items.iter().enumerate() {
                let item_label = format!("{label}第 {} 项", i + 1);
                // An item's own text is required; the texts inside an item that is a mapping
                // may be empty.
                let mut strings = vec![(item, field)];
                while let Some((v, f)) = strings.pop() {
                    match v {
                        Value::String(s) => {
                            crate::entry::check_text(&item_label, s, f)?;
                            chars += s.chars().count();
                        }
                        Value::Array(a) => strings.extend(a.iter().map(|v| (v, f.optional()))),
                        Value::Object(m) => strings.extend(m.values().map(|v| (v, f.optional()))),
                        _ => {}
                    }
                }
            }
            crate::entry::check_list(label, items.len(), chars)
        }
        _ => Ok(()),
    }
}

/// The message and help of a one-diagnostic error.
fn message_of(e: &Error) -> (String, String) {
    match e.diagnostics().first() {
        Some(d) => (d.message.clone(), d.help.clone().unwrap_or_default()),
        None => (e.to_string(), String::new()),
    }
}

/// The help for an unknown field `key`: the closest field's name when it looks like a typo,
/// then every field.
fn fields_help(wf: &Workflow, key: &str) -> String {
    let all = wf.spec.fields.keys().collect::<Vec<_>>();
    let named: Vec<String> = wf
        .spec
        .fields
        .0
        .iter()
        .map(|(k, spec)| format!("{}（{}）", spec.label, k.value))
        .collect();
    let list = format!("可用的字段（中文名或字段名均可）：{}", named.join("、"));
    let labels = wf.spec.fields.0.iter().map(|(_, spec)| spec.label.as_str());
    match crate::suggest::closest(key, all.iter().copied().chain(labels)) {
        Some(near) => format!("您是不是要输入 {near}？{list}"),
        None => list,
    }
}

/// A field that names an entry of `yingsu.yaml` (`of: agencies|courts|issuers`) must name one.
fn check_ref(
    ws: &Workspace,
    key: &str,
    spec: &FieldSpec,
    value: &Value,
) -> std::result::Result<(), (String, String)> {
    let (Some(of), Some(s)) = (&spec.of, value.as_str()) else {
        return Ok(());
    };
    let entries = ws.config.entries(&of.value);
    if entries.iter().any(|(id, _)| *id == s) {
        Ok(())
    } else {
        Err((
            format!(
                "字段 `{key}`（{}）的值 `{s}` 不是 yingsu.yaml 中 {} 下的名称或编号",
                spec.label, of.value
            ),
            format!(
                "可填写名称或编号：{}",
                entries
                    .iter()
                    .map(|(id, name)| format!("{name}（{id}）"))
                    .collect::<Vec<_>>()
                    .join("、")
            ),
        ))
    }
}

/// Parse `--set` and `--from` input into typed facts.
pub(crate) fn read_input(ws: &Workspace, wf: &Workflow, input: &Input) -> Result<Facts> {
    let mut out = Facts::new();
    if let Some(from) = &input.from {
        let bytes = crate::jail::read_given(from, crate::workspace::MAX_TEXT_FILE)?;
        let source = String::from_utf8(bytes).map_err(|_| crate::jail::not_utf8(from))?;
        let map: BTreeMap<String, Spanned<Value>> = yaml::parse(from, &source)?;
        let mut errors = Vec::new();
        for (k, v) in &map {
            match coerce_spanned(ws, wf, k, v, from, &source) {
                Ok(val) => {
                    out.insert(canonical(wf, k), val);
                }
                Err(d) => errors.push(*d),
            }
        }
        if !errors.is_empty() {
            return Err(if errors.len() == 1 {
                errors.remove(0).into()
            } else {
                Error::Many(errors)
            });
        }
    }
    for s in &input.sets {
        let Some((k, v)) = facts::split_assignment(s) else {
            return Err(Error::user(
                format!("--set 参数 `{s}` 格式不对"),
                "请写成 --set 字段=值，例如 --set hearing_date=2023-05-08",
            ));
        };
        let (key, value) =
            read_field(ws, wf, k, v, true).map_err(|p| Error::user(p.message, p.help))?;
        out.insert(key, value);
    }
    Ok(out)
}

/// What is wrong with one value typed into a field, said for that field.
#[derive(Debug)]
pub(crate) struct FieldProblem {
    /// The field's key, when `name` named one.
    pub field: Option<String>,
    pub message: String,
    pub help: String,
}

/// One value a clerk typed for field `name` (its key or its label), coerced and checked as
/// every input is: its key and value, or what is wrong. `on_command_line`: the messages name
/// the `--set` that gave it; otherwise they are said beside the field (the workbench).
pub(crate) fn read_field(
    ws: &Workspace,
    wf: &Workflow,
    name: &str,
    text: &str,
    on_command_line: bool,
) -> std::result::Result<(String, Value), FieldProblem> {
    let key = field_key(wf, name).map_err(|(message, help)| FieldProblem {
        field: None,
        message,
        help,
    })?;
    let problem = |message: String, help: String| FieldProblem {
        field: Some(key.to_string()),
        message,
        help,
    };
    let spec = wf
        .field(key)
        .ok_or_else(|| problem(format!("流程没有字段 {key}"), String::new()))?;
    let value = facts::coerce(
        spec.ty,
        &spec.values,
        &spec.columns,
        &Value::String(text.to_string()),
        Some(text),
    )
    .map_err(|b| {
        let message = if on_command_line {
            format!("--set {key}：字段 `{key}`（{}）{}", spec.label, b.message)
        } else {
            format!("{}：{}", spec.label, b.message)
        };
        problem(message, b.help)
    })?;
    let value = resolve_ref(ws, spec, value);
    check_ref(ws, key, spec, &value).map_err(|(m, h)| problem(m, h))?;
    let label = if on_command_line {
        format!("--set {key}（{}）", spec.label)
    } else {
        spec.label.clone()
    };
    check_entry(&label, &value).map_err(|e| {
        let (m, h) = message_of(&e);
        problem(m, h)
    })?;
    Ok((key.to_string(), value))
}

/// The key under which a value given for `name` (a key or a label) is kept.
fn canonical(wf: &Workflow, name: &str) -> String {
    field_key(wf, name).unwrap_or(name).to_string()
}

/// Dates in their usual order: every date field declared `not_before: other` is not before the
/// other date, unless the case explains the exception in `date_order_note`.
pub(crate) fn check_date_order(wf: &Workflow, facts: &Facts) -> Result<()> {
    use crate::workflow::DATE_ORDER_NOTE;
    if facts::is_present(facts.get(DATE_ORDER_NOTE)) {
        return Ok(());
    }
    let date = |k: &str| {
        facts
            .get(k)
            .and_then(|v| v.as_str())
            .and_then(|s| facts::parse_date(s).ok())
    };
    for (k, spec) in &wf.spec.fields.0 {
        for (bound, after) in [(&spec.not_before, false), (&spec.not_after, true)] {
            let Some(nb) = bound else {
                continue;
            };
            let (Some(this), Some(other)) = (date(&k.value), date(&nb.value)) else {
                continue;
            };
            if (after && this <= other) || (!after && this >= other) {
                continue;
            }
            let label = |f: &str| wf.field(f).map(|s| s.label.clone()).unwrap_or_default();
            return Err(Error::user(
                format!(
                    "{}（{}）{this} {}{}（{}）{other}",
                    spec.label,
                    k.value,
                    if after { "晚于" } else { "早于" },
                    label(&nb.value),
                    nb.value
                ),
                format!(
                    "请核对这两个日期；确属例外时，在案件文件的 facts 中加一行 {DATE_ORDER_NOTE}: 说明原因（{}），再重新运行",
                    label(DATE_ORDER_NOTE)
                ),
            ));
        }
    }
    Ok(())
}

/// A 案号 read for what it says: the 审级 its type code implies fills `level` when that is not
/// given and must agree with it when it is; its year may not be after the notice's.
pub(crate) fn check_case_number(wf: &Workflow, facts: &mut Facts) -> Result<()> {
    let Some(number) = facts
        .get("case_number")
        .and_then(|v| v.as_str())
        .and_then(crate::casenum::parse_lenient)
    else {
        return Ok(());
    };
    let implied = number.stage().and_then(|stage| {
        ["一审", "二审", "再审"]
            .into_iter()
            .find(|l| stage.ends_with(l) && !stage.contains("审查"))
    });
    let levels = wf
        .field("level")
        .map(|f| f.values.clone())
        .unwrap_or_default();
    if let Some(level) = implied.filter(|l| levels.iter().any(|v| v == l)) {
        match facts.get("level").and_then(|v| v.as_str()) {
            None => {
                facts.insert("level".into(), Value::String(level.into()));
            }
            Some(given) if given != level => {
                return Err(Error::user(
                    format!(
                        "审级写的是{given}，但案号{}是{level}案号（类型代字“{}”）",
                        number.canonical(),
                        number.type_code
                    ),
                    "请核对审级或案号：行初是一审，行终是二审，行再是再审",
                ));
            }
            Some(_) => {}
        }
    }
    if let Some(notice) = facts
        .get("notice_date")
        .and_then(|v| v.as_str())
        .and_then(|s| facts::parse_date(s).ok())
        && i32::from(number.year) > chrono::Datelike::year(&notice)
    {
        return Err(Error::user(
            format!(
                "案号{}的收案年度 {} 晚于收到通知日期 {notice}",
                number.canonical(),
                number.year
            ),
            "法院收案在先、通知在后：请核对案号的年度或收到通知日期",
        ));
    }
    Ok(())
}

/// Every character of the given values can be shown in a document, checked when they enter
/// (not steps later, when a document renders).
pub(crate) fn check_glyphs(
    wf: &Workflow,
    given: &Facts,
    covers: &dyn Fn(char) -> bool,
) -> Result<()> {
    for (k, v) in given {
        let label = format!(
            "{k}（{}）",
            wf.field(k).map(|f| f.label.as_str()).unwrap_or("")
        );
        let texts: Vec<&str> = match v {
            Value::String(s) => vec![s.as_str()],
            // List items, and the cells of a table's rows.
            Value::Array(items) => items
                .iter()
                .flat_map(|i| match i {
                    Value::Object(cells) => cells.values().filter_map(Value::as_str).collect(),
                    _ => i.as_str().into_iter().collect::<Vec<_>>(),
                })
                .collect(),
            _ => vec![],
        };
        for t in texts {
            crate::entry::check_glyphs(&label, t, covers)?;
        }
    }
    Ok(())
}
