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
        let t = self.typesetter.get_or_init(|| {
            Typesetter::with_system_fonts(&ws.font_dirs(), &ws.system_font_dirs())
                .map_err(|e| e.to_string())
        });
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
    let what = format!("《{}》（案件 {}）", req.title, req.case_id);
    template_error(ws, &what, &format!("{}.typ", req.template), e)
}

/// At most this many compiler errors are shown; the rest are counted.
const MAX_TEMPLATE_ERRORS: usize = 3;

/// A typesetting failure of document `what` (e.g. `《出庭应诉提示函》（案件 X）`) rendered from
/// template `main` (e.g. `tishihan.typ`), as the user should read it: compiler errors point at
/// the workspace's template file (or the built-in one), line and column, with the line quoted.
pub fn template_error(
    ws: &Workspace,
    what: &str,
    main: &str,
    e: crate::typeset::TypesetError,
) -> Error {
    use crate::typeset::TypesetError;
    match e {
        TypesetError::Compile(diags) | TypesetError::Pdf(diags) => {
            let mut out = template_diagnostics(ws, &diags, &format!("生成{what}失败："), main);
            match out.len() {
                0 => Error::user(
                    format!("生成{what}失败：模板 {main} 无法排版"),
                    "请修改模板后重试",
                ),
                1 => out.remove(0).into(),
                _ => Error::Many(out),
            }
        }
        TypesetError::BidiControl { .. } => Error::user(
            format!("生成{what}失败：{e}"),
            "在案件文件（或 --set、--from 给出的值）中删除该字符后重新运行",
        ),
        TypesetError::MissingGlyph { .. } => Error::user(
            format!("生成{what}失败：{e}"),
            "请核对该字段的文字；确需生僻字时，在工作区 fonts/ 中放入包含该字的字体（.ttf/.otf）",
        ),
        other => {
            let file = ws
                .templates
                .get(main)
                .map(|t| t.origin.display().to_string())
                .unwrap_or_else(|| main.to_string());
            Error::user(
                format!("生成{what}（模板 {file}）失败：{other}"),
                "请检查模板与字体目录（工作区的 fonts/ 或 yingsu.yaml 的 font_paths）",
            )
        }
    }
}

/// Up to [`MAX_TEMPLATE_ERRORS`] compiler errors as the user reads them: the workspace's (or
/// built-in) template file, line and column, the line quoted and the span underlined, common
/// messages in Chinese; the first message starts with `prefix`, the last help line counts the
/// errors not shown. `main` is the template to name when an error has no file.
fn template_diagnostics(
    ws: &Workspace,
    diags: &[crate::typeset::Diagnostic],
    prefix: &str,
    main: &str,
) -> Vec<crate::error::Diagnostic> {
    use crate::error::{Diagnostic, Pos};
    let origin = |virtual_path: &str| {
        ws.templates
            .get(virtual_path.trim_start_matches('/'))
            .map(|t| (t.origin.clone(), t.source.clone()))
    };
    let errors: Vec<_> = diags.iter().filter(|d| d.error).collect();
    let shown = errors.len().min(MAX_TEMPLATE_ERRORS);
    let mut out = Vec::new();
    for (i, d) in errors.iter().take(shown).enumerate() {
        let lead = if i == 0 { prefix } else { "" };
        let mut diag = Diagnostic::new(format!("{lead}模板有误：{}", typst_message(&d.message)));
        match (d.file.as_deref().and_then(origin), d.line, d.column) {
            (Some((file, source)), Some(line), Some(column)) => {
                diag = diag.at(file, &source, Pos { line, column });
                // Underline what the compiler pointed at (up to the end of the line).
                let rest: String = diag
                    .snippet
                    .as_deref()
                    .unwrap_or("")
                    .chars()
                    .skip(column - 1)
                    .take(d.span_chars)
                    .collect();
                diag.width = crate::error::str_width(&rest).max(1);
            }
            (Some((file, _)), _, _) => diag = diag.in_file(file),
            _ => {
                if let Some((file, _)) = origin(main) {
                    diag = diag.in_file(file);
                }
            }
        }
        let mut help: Vec<String> = d.hints.iter().map(|h| typst_message(h)).collect();
        if i + 1 == shown {
            if errors.len() > shown {
                help.push(format!("另有 {} 处错误未列出", errors.len() - shown));
            }
            help.push("请修改模板后重试；工作区 templates/ 中的同名文件会替代内置模板".into());
        }
        if !help.is_empty() {
            diag = diag.help(help.join("；"));
        }
        out.push(diag);
    }
    out
}

/// Which font serves each role of the layout library, for `yingsu validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleFont {
    /// What the role sets, e.g. 仿宋（正文）.
    pub role: String,
    /// The family that serves it, as the font names itself.
    pub family: String,
    /// Where it comes from: 工作区 fonts/、本机安装、yingsu 自带 or 其他字体目录.
    pub source: String,
    /// The role's official font (its first choice) when another one serves instead.
    pub instead_of: Option<String>,
}

impl Workspace {
    /// The font of each role of the layout library, as documents will use them.
    pub fn role_fonts(&self, renderer: &TypstRenderer) -> Result<Vec<RoleFont>> {
        let ts = renderer.typesetter(self)?;
        let system = self.system_font_dirs();
        let bundled = crate::workspace::bundled_font_dirs();
        let mut out = Vec::new();
        for (_, role, families) in crate::typeset::FONT_ROLES {
            let Some((family, path)) = ts.role_font(families) else {
                continue;
            };
            let source = if path.starts_with(self.root.join("fonts")) {
                "工作区 fonts/"
            } else if system.iter().any(|d| path.starts_with(d)) {
                "本机安装"
            } else if bundled.iter().any(|d| path.starts_with(d)) {
                "yingsu 自带"
            } else {
                "其他字体目录"
            };
            let official = crate::typeset::OFFICIAL_FAMILIES
                .iter()
                .any(|f| f.eq_ignore_ascii_case(&family));
            out.push(RoleFont {
                role: role.to_string(),
                family,
                source: source.to_string(),
                instead_of: (!official).then(|| {
                    families
                        .iter()
                        .find(|f| !f.is_ascii())
                        .unwrap_or(&families[0])
                        .to_string()
                }),
            });
        }
        Ok(out)
    }
}

impl Workspace {
    /// Checks the syntax of every template (workspace and built-in) without typesetting: what
    /// `yingsu validate` reports about templates.
    pub fn check_templates(&self) -> Result<()> {
        let mut all = Vec::new();
        for (path, t) in &self.templates {
            let diags = crate::typeset::syntax_errors(&format!("/{path}"), &t.source)
                .map_err(|e| Error::Internal(e.to_string()))?;
            all.extend(template_diagnostics(self, &diags, "", path));
        }
        match all.len() {
            0 => Ok(()),
            1 => Err(all.remove(0).into()),
            _ => Err(Error::Many(all)),
        }
    }
}

/// The Chinese for the compiler messages a clerk editing a template meets most, with the
/// original kept in brackets; other messages pass unchanged.
fn typst_message(message: &str) -> String {
    const EXACT: &[(&str, &str)] = &[
        ("unclosed delimiter", "括号或引号没有闭合"),
        ("unclosed string", "字符串的引号没有闭合"),
        ("unexpected closing delimiter", "多余的右括号"),
        ("expected expression", "此处缺少表达式"),
        ("expected closing paren", "缺少右括号"),
        ("expected comma", "缺少逗号"),
        ("unexpected equals sign", "多余的等号"),
        ("you are already in code mode", "这里已经是代码，不需要 #"),
        ("try removing the `#`", "去掉 #"),
    ];
    // (English prefix, Chinese, whether the rest of the message is a name to keep)
    const PREFIX: &[(&str, &str, bool)] = &[
        ("unknown variable: ", "未定义的变量：", true),
        (
            "dictionary does not contain key ",
            "数据中没有这个字段：",
            true,
        ),
        ("unknown font family: ", "未知的字体：", true),
        ("file not found", "找不到文件", false),
        (
            "the character `#` is not valid in code",
            "代码中不能出现 #",
            false,
        ),
        ("expected ", "语法有误", false),
        ("unexpected ", "语法有误", false),
    ];
    if let Some((_, zh)) = EXACT.iter().find(|(en, _)| *en == message) {
        return format!("{zh}（{message}）");
    }
    if let Some((en, zh, keep)) = PREFIX.iter().find(|(en, _, _)| message.starts_with(en)) {
        return if *keep {
            format!("{zh}{}", &message[en.len()..])
        } else {
            format!("{zh}（{message}）")
        };
    }
    message.to_string()
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
    ///
    /// Each worker takes one case at a time: it reads the case file, typesets its documents,
    /// compares them with the archive and stages the changed files (and the case file with its
    /// new history entry) next to their destinations. Only hashes stay in memory, whatever the
    /// size of the archive. Nothing is moved into place until every document has been made: the
    /// first failure stops the run and the staged files are deleted.
    pub fn render_cases(
        &self,
        ids: &[String],
        jobs: usize,
        renderer: &TypstRenderer,
        actor: &crate::engine::Actor,
    ) -> Result<Vec<Rendered>> {
        let _lock = self.lock_for_writing()?;
        let ids: Vec<String> = if ids.is_empty() {
            self.case_files()?.into_iter().map(|(i, _)| i).collect()
        } else {
            ids.to_vec()
        };
        let ts = renderer.typesetter(self)?;
        let per_case: Vec<Result<(Vec<Rendered>, Vec<crate::archive::Staged>)>> =
            crate::typeset::for_each_parallel(ids.iter().collect(), jobs, |id| {
                self.rerender_case(id, ts, renderer, actor)
            });
        // The first failure in case order is reported (whatever the threads' timing), with a
        // count of the others; dropping the staged files deletes them.
        let failed = per_case.iter().filter(|r| r.is_err()).count();
        let mut out = Vec::new();
        let mut batch = crate::archive::Batch::default();
        for result in per_case {
            let (rendered, staged) = match result {
                Ok(done) => done,
                Err(e) if failed > 1 => {
                    let mut diags: Vec<crate::error::Diagnostic> =
                        e.diagnostics().into_iter().cloned().collect();
                    if diags.is_empty() {
                        return Err(e);
                    }
                    diags.push(
                        crate::error::Diagnostic::new(format!(
                            "另有 {} 件案件的文书也未能生成，原因可能相同",
                            failed - 1
                        ))
                        .help("修正后重新运行；本次没有改动任何文件"),
                    );
                    return Err(Error::Many(diags));
                }
                Err(e) => return Err(e),
            };
            out.extend(rendered);
            for s in staged {
                batch.push(s);
            }
        }
        batch.commit()?;
        Ok(out)
    }

    /// One case of [`Workspace::render_cases`]: its documents, and the files to move into place.
    fn rerender_case(
        &self,
        id: &str,
        ts: &Typesetter,
        renderer: &TypstRenderer,
        actor: &crate::engine::Actor,
    ) -> Result<(Vec<Rendered>, Vec<crate::archive::Staged>)> {
        let (case, wf) = self.load_case(id)?;
        // The latest hash recorded for each file (re-render entries supersede step entries).
        let mut latest: BTreeMap<String, String> = BTreeMap::new();
        for h in &case.history {
            for d in &h.documents {
                latest.insert(d.file.clone(), d.sha256.clone());
            }
        }
        let mut out = Vec::new();
        let mut staged = Vec::new();
        let mut new_hashes = Vec::new();
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
                    case_id: id.to_string(),
                    workflow: wf.name().to_string(),
                    step: step.clone(),
                    template: d.template.clone(),
                    title: d.title.clone(),
                    issuer,
                    number: d.number.clone(),
                    date,
                    facts: facts.clone(),
                    history: case.history.iter().take(i + 1).cloned().collect(),
                };
                let job = renderer.job(self, &req)?;
                let pdf = ts.pdf(&job).map_err(|e| typeset_error(self, &req, e))?;
                let sha = crate::archive::sha256(&pdf);
                let recorded = latest.get(&d.file).unwrap_or(&d.sha256);
                let path = self.root.join(&d.file);
                let on_disk = std::fs::read(&path)
                    .ok()
                    .map(|b| crate::archive::sha256(&b));
                let changed = &sha != recorded || on_disk.as_deref() != Some(sha.as_str());
                if changed {
                    staged.push(crate::archive::stage(&path, &pdf)?);
                }
                let record = DocRecord {
                    sha256: sha.clone(),
                    ..d.clone()
                };
                if &sha != recorded {
                    new_hashes.push(record.clone());
                }
                out.push(Rendered {
                    case_id: id.to_string(),
                    record,
                    changed,
                });
            }
        }
        if !new_hashes.is_empty() {
            let entry = HistoryEntry {
                step: None,
                event: Some("重新生成文书".into()),
                at: actor
                    .now
                    .to_rfc3339_opts(chrono::SecondsFormat::Secs, false),
                by: actor.who.clone(),
                facts: BTreeMap::new(),
                documents: new_hashes,
                opened: vec![],
            };
            let text = case.with_entry(&entry)?;
            staged.push(crate::archive::stage(&case.path, text.as_bytes())?);
        }
        Ok((out, staged))
    }
}
