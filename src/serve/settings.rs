//! The settings page (/settings): owns showing and taking the forms of what a clerk maintains
//! in `yingsu.yaml` — the bureau's details, the agencies, the issuers (with their number
//! prefixes) and the courts, one form per entry and one to add an entry. Saving is the
//! library's (`config_file::save`: the values checked, the file checked as the workspace reads
//! it, written back with its comments and order); a refusal comes back beside its field and
//! nothing is written.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Path as UrlPath, Query, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::{Deserialize, Serialize};

use super::form::FieldView;
use super::guard::TOKEN_FIELD;
use super::guard::{CheckedForm, Who};
use super::{Server, blocking, enc};
use crate::config::Config;
use crate::config_file::{self, ID_FIELD, Section, SettingProblem};
use crate::engine::Problem;
use crate::error::{Error, Result};

/// The sections in the order the page shows them.
const SECTIONS: [Section; 5] = [
    Section::Bureau,
    Section::Groups,
    Section::Agencies,
    Section::Issuers,
    Section::Courts,
];

/// One entry's form.
#[derive(Serialize)]
struct EntryView {
    id: String,
    name: String,
    action: String,
    fields: Vec<FieldView>,
    general: Vec<Problem>,
    open: bool,
}

/// The form adding an entry.
#[derive(Serialize)]
struct AddView {
    fields: Vec<FieldView>,
    general: Vec<Problem>,
    open: bool,
}

#[derive(Serialize)]
struct SectionView {
    key: &'static str,
    title: &'static str,
    entries: Vec<EntryView>,
    add: Option<AddView>,
}

/// A submitted form that was refused: which, what was written, what is wrong.
struct Refused {
    section: Section,
    /// The entry edited; none for a new one.
    id: Option<String>,
    submitted: Vec<(String, String)>,
    problems: Vec<SettingProblem>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Saved {
    #[serde(default)]
    saved: Option<String>,
}

pub(crate) async fn page(
    State(server): State<Arc<Server>>,
    who: Who,
    query: std::result::Result<Query<Saved>, QueryRejection>,
) -> Response {
    let saved = query.map(|Query(q)| q.saved).unwrap_or_default();
    blocking(&server, move |s| draw(s, &who, None, saved.as_deref())).await
}

/// `POST /settings/{section}/{id}`: save an entry (`bureau/bureau` for the bureau).
pub(crate) async fn edit(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath((section, id)): UrlPath<(String, String)>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| save(s, &who, &section, Some(id), fields)).await
}

/// `POST /settings/{section}`: add an entry (its id in the form's `_id`).
pub(crate) async fn add(
    State(server): State<Arc<Server>>,
    who: Who,
    UrlPath(section): UrlPath<String>,
    CheckedForm(fields): CheckedForm,
) -> Response {
    blocking(&server, move |s| save(s, &who, &section, None, fields)).await
}

fn section_of(name: &str) -> Result<Section> {
    Section::parse(name).ok_or_else(|| {
        Error::user(
            format!("设置中没有 `{name}` 这一部分"),
            "从设置页面打开要修改的一项",
        )
    })
}

fn save(
    server: &Server,
    who: &Who,
    section: &str,
    id: Option<String>,
    submitted: Vec<(String, String)>,
) -> Result<Response> {
    let section = section_of(section)?;
    if section == Section::Bureau && id.is_none() {
        return Err(Error::user("司法局只有一项，不能添加", "在设置页面修改它"));
    }
    let ws = server.workspace()?;
    let (key, adding) = match &id {
        Some(id) => (id.clone(), false),
        None => (value(&submitted, ID_FIELD).trim().to_string(), true),
    };
    match config_file::save(&ws, section, &key, &submitted, adding)? {
        Ok(_) => {
            let what = match section {
                Section::Bureau => section.title().to_string(),
                s => format!("{} {key}", s.title()),
            };
            Ok(Redirect::to(&format!("/settings?saved={}", enc(&what))).into_response())
        }
        Err(problems) => draw(
            server,
            who,
            Some(Refused {
                section,
                id,
                submitted,
                problems,
            }),
            None,
        ),
    }
}

fn value<'a>(fields: &'a [(String, String)], key: &str) -> &'a str {
    fields
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

fn draw(
    server: &Server,
    who: &Who,
    refused: Option<Refused>,
    saved: Option<&str>,
) -> Result<Response> {
    let ws = server.workspace()?;
    let cfg = &ws.config;
    let sections: Vec<SectionView> = SECTIONS
        .iter()
        .map(|&section| {
            // The refused form of this section, if any: `Some(None)` adds, `Some(Some(id))` edits.
            let mine = refused.as_ref().filter(|r| r.section == section);
            let ids = match section {
                Section::Bureau => vec![section.key().to_string()],
                s => config_file::ids(cfg, s),
            };
            let entries = ids
                .iter()
                .map(|id| {
                    let current: Vec<(String, String)> = config_file::values(cfg, section, id)
                        .unwrap_or_default()
                        .into_iter()
                        .map(|(k, v)| (k.to_string(), v))
                        .collect();
                    let failed = mine.filter(|r| r.id.as_deref() == Some(id.as_str()));
                    let (given, problems) = match failed {
                        Some(r) => (r.submitted.clone(), r.problems.clone()),
                        None => (current.clone(), Vec::new()),
                    };
                    let fields = inputs(cfg, section, &given, &problems);
                    EntryView {
                        id: if section == Section::Bureau {
                            String::new()
                        } else {
                            id.clone()
                        },
                        name: match section {
                            Section::Bureau => cfg.bureau_names().0,
                            Section::Groups => value(&current, "title").to_string(),
                            _ => value(&current, "name").to_string(),
                        },
                        action: format!("/settings/{}/{}", section.key(), enc(id)),
                        general: general(&fields, &problems),
                        fields,
                        open: failed.is_some() || section == Section::Bureau,
                    }
                })
                .collect();
            let add = (section != Section::Bureau).then(|| {
                let failed = mine.filter(|r| r.id.is_none());
                let (given, problems) = match failed {
                    Some(r) => (r.submitted.clone(), r.problems.clone()),
                    None => (Vec::new(), Vec::new()),
                };
                let mut fields = vec![FieldView {
                    key: ID_FIELD.to_string(),
                    label: "编号".into(),
                    help: Some(
                        "只用小写英文字母、数字和下划线，如 gaj；案件中以它指代这一项".into(),
                    ),
                    kind: "text",
                    columns: Vec::new(),
                    options: Vec::new(),
                    value: value(&given, ID_FIELD).to_string(),
                    required: true,
                    conditional: false,
                    rows: Vec::new(),
                    shown: true,
                    problems: views(beside(ID_FIELD, &problems)),
                }];
                fields.extend(inputs(cfg, section, &given, &problems));
                AddView {
                    general: general(&fields, &problems),
                    fields,
                    open: failed.is_some(),
                }
            });
            SectionView {
                key: section.key(),
                title: section.title(),
                entries,
                add,
            }
        })
        .collect();
    let html = server.pages.render(
        "settings.html",
        serde_json::json!({
            "sections": sections,
            "saved": saved,
            "token": who.token.clone(),
            "token_field": TOKEN_FIELD,
        }),
    )?;
    Ok(Html(html).into_response())
}

/// The inputs of `section`'s values, filled with `given`, with the problems beside them.
fn inputs(
    cfg: &Config,
    section: Section,
    given: &[(String, String)],
    problems: &[SettingProblem],
) -> Vec<FieldView> {
    section
        .settings()
        .iter()
        .map(|s| {
            let options: Vec<(String, String)> = match s.of {
                Some("groups") => cfg
                    .groups
                    .0
                    .iter()
                    .map(|(k, g)| (k.value.clone(), g.title.clone()))
                    .collect(),
                Some(of) => cfg
                    .entries(of)
                    .into_iter()
                    .map(|(id, name)| (id.to_string(), name.to_string()))
                    .collect(),
                None => s
                    .choices
                    .iter()
                    .map(|(v, name)| (v.to_string(), name.to_string()))
                    .collect(),
            };
            FieldView {
                key: s.key.to_string(),
                label: s.label.to_string(),
                help: (!s.help.is_empty()).then(|| s.help.to_string()),
                kind: if s.of.is_some() || !s.choices.is_empty() {
                    "select"
                } else {
                    "text"
                },
                columns: Vec::new(),
                options,
                value: value(given, s.key).to_string(),
                required: s.required,
                conditional: false,
                rows: Vec::new(),
                shown: true,
                problems: views(beside(s.key, problems)),
            }
        })
        .collect()
}

/// Problems as the shared field template shows them.
fn views(problems: Vec<Problem>) -> Vec<super::form::ProblemView> {
    problems
        .iter()
        .map(super::form::ProblemView::from)
        .collect()
}

/// The problems about field `key`, as a form shows them.
fn beside(key: &str, problems: &[SettingProblem]) -> Vec<Problem> {
    problems
        .iter()
        .filter(|p| p.field == key)
        .map(problem)
        .collect()
}

/// The problems no input of `fields` shows.
fn general(fields: &[FieldView], problems: &[SettingProblem]) -> Vec<Problem> {
    problems
        .iter()
        .filter(|p| !fields.iter().any(|f| f.key == p.field))
        .map(problem)
        .collect()
}

fn problem(p: &SettingProblem) -> Problem {
    Problem {
        field: (!p.field.is_empty()).then(|| p.field.clone()),
        label: None,
        message: p.message.clone(),
        help: p.help.clone(),
    }
}
