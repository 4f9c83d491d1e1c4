//! The engine: owns moving a case through its workflow — creating a case at the start step,
//! advancing it along an allowed transition, checking the facts each step records, computing
//! deadlines, opening linked cases, and committing the new history entry together with the
//! step's documents. A refused or failed step changes nothing on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};
use serde::Serialize;
use serde_json::Value;

use crate::archive::Batch;
use crate::case::{self, Case, DocRecord, HistoryEntry};
use crate::error::{Diagnostic, Error, Result};
use crate::facts::{self, Facts};
use crate::workflow::{DaysSpec, StepSpec, Workflow};
use crate::workspace::Workspace;
use crate::yaml::{self, Spanned};

/// Who acts and when: taken from the environment, overridable for reproducible runs
/// (`YINGSU_NOW=2023-05-08T09:00:00+08:00`, `YINGSU_USER=张三`).
#[derive(Debug, Clone)]
pub struct Actor {
    pub who: String,
    pub now: DateTime<FixedOffset>,
}

impl Actor {
    pub fn from_env() -> Result<Actor> {
        let now = match std::env::var("YINGSU_NOW") {
            Ok(s) => DateTime::parse_from_rfc3339(s.trim()).map_err(|_| {
                Error::user(
                    format!("环境变量 YINGSU_NOW 的值 `{s}` 不是有效的时间"),
                    "请写成 2023-05-08T09:00:00+08:00 的形式，或删除该变量以使用当前时间",
                )
            })?,
            Err(_) => chrono::Local::now().fixed_offset(),
        };
        let who = std::env::var("YINGSU_USER")
            .or_else(|_| std::env::var("USER"))
            .unwrap_or_else(|_| "经办人".into());
        Ok(Actor { who, now })
    }

    pub fn today(&self) -> NaiveDate {
        self.now.date_naive()
    }

    fn at(&self) -> String {
        self.now.to_rfc3339_opts(chrono::SecondsFormat::Secs, false)
    }
}

/// Facts supplied on the command line or from a file.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// `key=value` assignments.
    pub sets: Vec<String>,
    /// A YAML file with `key: value` lines.
    pub from: Option<PathBuf>,
}

/// What a step did.
#[derive(Debug, Clone, Serialize)]
pub struct StepReport {
    pub case_id: String,
    pub case_file: String,
    pub step: String,
    pub step_title: String,
    pub documents: Vec<DocRecord>,
    pub opened: Vec<String>,
    pub next: Vec<String>,
}

/// A deadline of the current step.
#[derive(Debug, Clone, Serialize)]
pub struct Deadline {
    pub title: String,
    pub due: NaiveDate,
    pub overdue: bool,
}

/// One line of `status`.
#[derive(Debug, Clone, Serialize)]
pub struct StatusRow {
    pub id: String,
    pub workflow: String,
    pub workflow_title: String,
    pub step: String,
    pub step_title: String,
    pub closed: bool,
    pub deadline: Option<Deadline>,
    pub file: String,
}

/// The render stage as the engine sees it: turns one document of a step into PDF bytes.
pub trait DocumentRenderer {
    fn render(&self, ws: &Workspace, request: &DocRequest) -> Result<Vec<u8>>;
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
}

impl Workspace {
    /// All case files: `cases/<year>/<id>.yaml`.
    pub fn case_files(&self) -> Result<Vec<(String, PathBuf)>> {
        let dir = self.cases_dir();
        let mut out = Vec::new();
        if !dir.is_dir() {
            return Ok(out);
        }
        for entry in walkdir::WalkDir::new(&dir)
            .min_depth(2)
            .max_depth(2)
            .sort_by_file_name()
        {
            let entry = entry.map_err(|e| Error::Internal(e.to_string()))?;
            let p = entry.path();
            if p.extension().is_some_and(|e| e == "yaml") {
                let id = p
                    .file_stem()
                    .map(|s| s.to_string_lossy().to_string())
                    .unwrap_or_default();
                out.push((id, p.to_path_buf()));
            }
        }
        Ok(out)
    }

    /// Find a case file by id.
    /// Looks in each folder of `cases/` (one per year) for `<id>.yaml`, so a lookup costs the
    /// same however many cases the archive holds.
    pub fn case_path(&self, id: &str) -> Result<PathBuf> {
        case::check_id(id)?;
        let dir = self.cases_dir();
        let mut folders: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(entries) => entries
                .filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(Error::io("读取目录", &dir, e)),
        };
        folders.sort();
        let file = format!("{id}.yaml");
        let found: Vec<PathBuf> = folders
            .into_iter()
            .map(|f| f.join(&file))
            .filter(|p| p.is_file())
            .collect();
        match found.len() {
            0 => Err(Error::user(
                format!("找不到案件 `{id}`"),
                "用 `yingsu status` 查看所有案件，或用 `yingsu case new` 新建",
            )),
            1 => Ok(found.into_iter().next().unwrap_or_default()),
            _ => Err(Error::user(
                format!(
                    "案件编号 `{id}` 重复：{}",
                    found
                        .iter()
                        .map(|p| self.rel(p))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
                "每个案件编号只能出现一次，请给其中一个改名",
            )),
        }
    }

    /// Load a case and check its typed facts against its workflow.
    pub fn load_case(&self, id: &str) -> Result<(Case, &Workflow)> {
        let path = self.case_path(id)?;
        let case = Case::load(id, &path).map_err(|e| e.relative_to(&self.root))?;
        let wf = self.workflows.get(&case.workflow.value).ok_or_else(|| {
            Error::from(
                yaml::at(
                    &self.rel_path(&path),
                    &case.source,
                    &case.workflow,
                    format!("流程 `{}` 不存在", case.workflow.value),
                )
                .help(self.workflows_help()),
            )
        })?;
        if wf.step(case.current_step()).is_none() {
            return Err(Diagnostic::new(format!(
                "案件当前步骤 `{}` 不在流程 `{}` 中",
                case.current_step(),
                wf.name()
            ))
            .in_file(self.rel_path(&path))
            .help("流程可能被修改过；请恢复该步骤，或联系管理员迁移案件")
            .into());
        }
        self.check_typed(&case, wf)?;
        Ok((case, wf))
    }

    fn rel(&self, p: &Path) -> String {
        self.rel_path(p).display().to_string()
    }

    fn rel_path(&self, p: &Path) -> PathBuf {
        p.strip_prefix(&self.root).unwrap_or(p).to_path_buf()
    }

    /// Check the clerk's typed facts: every key a declared field, every value of its type.
    fn check_typed(&self, case: &Case, wf: &Workflow) -> Result<()> {
        let file = self.rel_path(&case.path);
        let mut errors = Vec::new();
        for (k, v) in &case.typed {
            if v.value.is_null() {
                continue;
            }
            if let Err(d) = self.coerce_spanned(wf, k, v, &file, &case.source) {
                errors.push(*d);
            }
        }
        match errors.len() {
            0 => Ok(()),
            1 => Err(errors.remove(0).into()),
            _ => Err(Error::Many(errors)),
        }
    }

    fn coerce_spanned(
        &self,
        wf: &Workflow,
        key: &str,
        v: &Spanned<Value>,
        file: &Path,
        source: &str,
    ) -> std::result::Result<Value, Box<Diagnostic>> {
        let Some(spec) = wf.field(key) else {
            return Err(Box::new(
                yaml::at(
                    file,
                    source,
                    v,
                    format!("流程 `{}` 没有字段 `{key}`", wf.name()),
                )
                .help(format!(
                    "可用的字段：{}",
                    wf.spec.fields.keys().collect::<Vec<_>>().join("、")
                )),
            ));
        };
        let raw = yaml::raw_scalar(source, v);
        let value = facts::coerce(spec.ty, &spec.values, &v.value, raw).map_err(|b| {
            Box::new(
                yaml::at(
                    file,
                    source,
                    v,
                    format!("字段 `{key}`（{}）：{}", spec.label, b.message),
                )
                .help(b.help),
            )
        })?;
        self.check_ref(key, spec, &value)
            .map_err(|(m, h)| Box::new(yaml::at(file, source, v, m).help(h)))?;
        Ok(value)
    }

    fn check_ref(
        &self,
        key: &str,
        spec: &crate::workflow::FieldSpec,
        value: &Value,
    ) -> std::result::Result<(), (String, String)> {
        let (Some(of), Some(s)) = (&spec.of, value.as_str()) else {
            return Ok(());
        };
        let keys: Vec<String> = match of.value.as_str() {
            "agencies" => self.config.agencies.keys().cloned().collect(),
            "courts" => self.config.courts.keys().cloned().collect(),
            _ => self.config.issuers.keys().cloned().collect(),
        };
        if keys.iter().any(|k| k == s) {
            Ok(())
        } else {
            Err((
                format!(
                    "字段 `{key}`（{}）的值 `{s}` 不是 yingsu.yaml 中 {} 下的编号",
                    spec.label, of.value
                ),
                format!("可用的编号：{}", keys.join("、")),
            ))
        }
    }

    /// Parse `--set` and `--from` input into typed facts.
    fn read_input(&self, wf: &Workflow, input: &Input) -> Result<Facts> {
        let mut out = Facts::new();
        if let Some(from) = &input.from {
            let source = std::fs::read_to_string(from).map_err(|e| yaml::read_error(from, e))?;
            let map: BTreeMap<String, Spanned<Value>> = yaml::parse(from, &source)?;
            let mut errors = Vec::new();
            for (k, v) in &map {
                match self.coerce_spanned(wf, k, v, from, &source) {
                    Ok(val) => {
                        out.insert(k.clone(), val);
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
            let Some(spec) = wf.field(k) else {
                return Err(Error::user(
                    format!("流程 `{}` 没有字段 `{k}`", wf.name()),
                    format!(
                        "可用的字段：{}",
                        wf.spec.fields.keys().collect::<Vec<_>>().join("、")
                    ),
                ));
            };
            let value = facts::coerce(
                spec.ty,
                &spec.values,
                &Value::String(v.to_string()),
                Some(v),
            )
            .map_err(|b| {
                Error::user(
                    format!("--set {k}：字段 `{k}`（{}）{}", spec.label, b.message),
                    b.help,
                )
            })?;
            self.check_ref(k, spec, &value)
                .map_err(|(m, h)| Error::user(m, h))?;
            out.insert(k.to_string(), value);
        }
        Ok(out)
    }

    /// Create a case of `workflow` with id `id` at the workflow's start step.
    pub fn new_case(
        &self,
        workflow: &str,
        id: &str,
        input: &Input,
        actor: &Actor,
        renderer: &dyn DocumentRenderer,
    ) -> Result<StepReport> {
        case::check_id(id)?;
        let wf = self.workflow(workflow)?;
        let _lock = self.lock_for_writing()?;
        if let Ok(existing) = self.case_path(id) {
            return Err(Error::user(
                format!("案件 `{id}` 已存在：{}", self.rel(&existing)),
                "换一个案件编号，或用 `yingsu case advance` 推进已有案件",
            ));
        }
        let given = self.read_input(wf, input)?;
        let start = wf.spec.start.value.clone();
        let year = actor.now.year();
        let path = self
            .cases_dir()
            .join(year.to_string())
            .join(format!("{id}.yaml"));
        // What the clerk gives at creation is recorded in the first history entry; the file's
        // `facts:` block starts empty for the clerk's own additions and corrections.
        let plan = self.plan_step(wf, id, &start, &Facts::new(), given, actor, &[])?;
        let text = |entry: &HistoryEntry| Ok(case::new_file(workflow, None, &[], entry));
        self.commit_step(wf, id, &path, year, plan, &[], renderer, text)
    }

    /// Advance case `id` to `step`.
    pub fn advance(
        &self,
        id: &str,
        step: &str,
        input: &Input,
        actor: &Actor,
        renderer: &dyn DocumentRenderer,
    ) -> Result<StepReport> {
        let _lock = self.lock_for_writing()?;
        let (case, wf) = self.load_case(id)?;
        let current = case.current_step().to_string();
        let cur = wf
            .step(&current)
            .ok_or_else(|| Error::Internal("current step vanished".into()))?;
        if cur.is_final {
            return Err(Error::user(
                format!(
                    "案件 `{id}` 已处于结束步骤“{}”（{current}），不能再推进",
                    cur.title
                ),
                "如需补充材料，请修改案件文件的 facts 后用 `yingsu render` 重新生成文书",
            ));
        }
        let Some(target) = wf.step(step) else {
            return Err(Error::user(
                format!("流程 `{}` 没有步骤 `{step}`", wf.name()),
                format!("可用的步骤：{}", wf.step_names().join("、")),
            ));
        };
        let allowed: Vec<String> = cur.next.iter().map(|n| n.to.value.clone()).collect();
        if !allowed.iter().any(|a| a == step) {
            return Err(Error::user(
                format!(
                    "不能从“{}”（{current}）直接转到“{}”（{step}）",
                    cur.title, target.title
                ),
                format!(
                    "从 {current} 可以转到：{}",
                    allowed
                        .iter()
                        .map(|a| format!(
                            "{a}（{}）",
                            wf.step(a).map(|s| s.title.as_str()).unwrap_or("")
                        ))
                        .collect::<Vec<_>>()
                        .join("、")
                ),
            ));
        }
        let given = self.read_input(wf, input)?;
        // A value given now must not contradict the clerk's typed facts, which take precedence.
        for (k, v) in &given {
            if let Some(t) = case.typed.get(k)
                && !t.value.is_null()
                && let Ok(tv) =
                    self.coerce_spanned(wf, k, t, &self.rel_path(&case.path), &case.source)
                && &tv != v
            {
                return Err(Error::user(
                    format!(
                        "字段 `{k}` 在案件文件的 facts 中写的是 {}，与本次给出的 {} 不一致",
                        case::value(&tv),
                        case::value(v)
                    ),
                    format!(
                        "请直接修改 {} 中的 facts，或去掉本次的 --set {k}",
                        self.rel(&case.path)
                    ),
                ));
            }
        }
        let mut facts = case.facts();
        // Re-entering a `fresh` step (another hearing) records its own facts afresh: what an
        // earlier visit recorded in fields only this step records (attendance, reasons…) does not
        // carry over, unless the clerk typed it. Shared fields (the hearing date and place, also
        // recorded at the notice) keep their latest value until a new one is given.
        if target.fresh {
            let shared = |k: &str| {
                wf.spec
                    .steps
                    .0
                    .iter()
                    .any(|(n, s)| n.value != step && s.records.iter().any(|r| r.value == k))
            };
            for h in case
                .history
                .iter()
                .filter(|h| h.step.as_deref() == Some(step))
            {
                for k in h.facts.keys() {
                    if !case.typed.contains_key(k) && !shared(k) {
                        facts.remove(k);
                    }
                }
            }
        }
        // Typed facts, coerced.
        for (k, t) in &case.typed {
            if let Ok(v) = self.coerce_spanned(wf, k, t, &self.rel_path(&case.path), &case.source) {
                facts.insert(k.clone(), v);
            }
        }
        // The condition of the transition, over the facts including what is given now.
        if let Some(cond) = cur
            .next
            .iter()
            .find(|n| n.to.value == step)
            .and_then(|n| n.when.as_ref())
        {
            let mut probe = facts.clone();
            probe.extend(given.clone());
            let ok = crate::expr::eval_bool(
                &cond.value,
                &probe,
                &[("case_id", id), ("workflow", wf.name())],
            )
            .map_err(|why| {
                Error::user(
                    format!("无法计算转向条件 `{}`：{why}", cond.value),
                    "请检查流程定义",
                )
            })?;
            if !ok {
                return Err(Error::user(
                    format!(
                        "转到“{}”（{step}）的条件不满足：{}",
                        target.title, cond.value
                    ),
                    format!("当前相关事实：{}", describe_facts(&cond.value, &probe)),
                ));
            }
        }
        let plan = self.plan_step(wf, id, step, &facts, given, actor, &case.history)?;
        let year = case_year(&case).unwrap_or(actor.now.year());
        self.commit_step(
            wf,
            id,
            &case.path,
            year,
            plan,
            &case.history,
            renderer,
            |entry| {
                case.with_entry(entry)
                    .map_err(|e| e.relative_to(&self.root))
            },
        )
    }

    /// Check the step's facts and compute its history entry (without documents).
    #[allow(clippy::too_many_arguments)]
    fn plan_step(
        &self,
        wf: &Workflow,
        id: &str,
        step: &str,
        before: &Facts,
        given: Facts,
        actor: &Actor,
        history: &[HistoryEntry],
    ) -> Result<Plan> {
        let spec = wf
            .step(step)
            .ok_or_else(|| Error::Internal(format!("no step {step}")))?;
        // Only the step's own fields may be given.
        for k in given.keys() {
            if !spec.records.iter().any(|r| &r.value == k) {
                let owner = wf
                    .spec
                    .steps
                    .0
                    .iter()
                    .find(|(_, s)| s.records.iter().any(|r| &r.value == k))
                    .map(|(n, s)| format!("它由步骤“{}”（{}）记录", s.title, n.value))
                    .unwrap_or_else(|| "它不属于任何步骤".into());
                return Err(Error::user(
                    format!("步骤“{}”（{step}）不记录字段 `{k}`，{owner}", spec.title),
                    format!(
                        "本步骤记录的字段：{}；若要更正其他字段，请直接修改案件文件中的 facts",
                        spec.records
                            .iter()
                            .map(|r| r.value.as_str())
                            .collect::<Vec<_>>()
                            .join("、")
                    ),
                ));
            }
        }
        let mut facts = before.clone();
        for (k, v) in &given {
            facts.insert(k.clone(), v.clone());
        }
        // Required fields.
        let extra = [("case_id", id), ("workflow", wf.name()), ("step", step)];
        let mut missing = Vec::new();
        for r in &spec.records {
            let Some(f) = wf.field(&r.value) else {
                continue;
            };
            let required = match f.required.as_ref().map(|s| &s.value) {
                Some(Value::Bool(b)) => *b,
                Some(Value::String(expr)) => {
                    crate::expr::eval_bool(expr, &facts, &extra).unwrap_or(true)
                }
                _ => false,
            };
            if required && !facts::is_present(facts.get(&r.value)) {
                missing.push(format!(
                    "  {}（{}，{}）{}",
                    r.value,
                    f.label,
                    f.ty.label(),
                    f.help
                        .as_deref()
                        .map(|h| format!("：{h}"))
                        .unwrap_or_default()
                ));
            }
        }
        if !missing.is_empty() {
            let example = spec
                .records
                .iter()
                .find(|r| !facts::is_present(facts.get(&r.value)))
                .map(|r| r.value.clone())
                .unwrap_or_default();
            return Err(Error::user(
                format!(
                    "步骤“{}”（{step}）缺少必填字段：\n{}",
                    spec.title,
                    missing.join("\n")
                ),
                format!(
                    "用 --set {example}=… 补充（可重复 --set），或写入案件文件的 facts、用 --from 文件.yaml 提供"
                ),
            ));
        }
        let mut entry_facts = BTreeMap::new();
        for r in &spec.records {
            if let Some(v) = facts.get(&r.value)
                && facts::is_present(Some(v))
            {
                entry_facts.insert(r.value.clone(), v.clone());
            }
        }
        let _ = history;
        Ok(Plan {
            step: step.to_string(),
            facts,
            entry: HistoryEntry {
                step: Some(step.to_string()),
                event: None,
                at: actor.at(),
                by: actor.who.clone(),
                facts: entry_facts,
                documents: vec![],
                opened: vec![],
            },
            today: actor.today(),
        })
    }

    /// Render the step's documents, open linked cases, and write everything atomically.
    #[allow(clippy::too_many_arguments)]
    fn commit_step(
        &self,
        wf: &Workflow,
        id: &str,
        path: &Path,
        year: i32,
        mut plan: Plan,
        history: &[HistoryEntry],
        renderer: &dyn DocumentRenderer,
        text: impl Fn(&HistoryEntry) -> Result<String>,
    ) -> Result<StepReport> {
        let spec = wf
            .step(&plan.step)
            .ok_or_else(|| Error::Internal("step".into()))?;
        let entry_index = history.len();
        let mut batch = Batch::default();
        let builtins = self.expr_builtins(wf, id, &plan.step, &plan.facts, plan.today);
        let extra = as_pairs(&builtins);
        let mut full_history = history.to_vec();
        full_history.push(plan.entry.clone());

        // Documents.
        let mut numbering = crate::render::Numbering::new(&self.archive_dir());
        let docs = self.render_step_documents(
            StepDocuments {
                wf,
                spec,
                id,
                step: &plan.step,
                entry_index,
                year,
                facts: &plan.facts,
                history: &full_history,
                today: plan.today,
            },
            &mut numbering,
            &mut batch,
            renderer,
        )?;
        plan.entry.documents.extend(docs);

        // Linked cases.
        for o in &spec.opens {
            if let Some(w) = &o.when {
                let on = crate::expr::eval_bool(&w.value, &plan.facts, &extra).map_err(|why| {
                    Error::user(
                        format!("无法计算条件 `{}`：{why}", w.value),
                        "请检查流程定义",
                    )
                })?;
                if !on {
                    continue;
                }
            }
            let new_id = crate::expr::render(&o.id.value, &plan.facts, &extra).map_err(|why| {
                Error::user(
                    format!("无法生成新案件编号：{why}"),
                    "请检查流程定义中 opens 的 id",
                )
            })?;
            case::check_id(&new_id)?;
            if self.case_path(&new_id).is_ok() {
                continue; // never open the same case twice
            }
            let twf = self.workflow(&o.workflow.value)?;
            let mut sets = Vec::new();
            for (k, t) in &o.facts {
                let v = crate::expr::render(t, &plan.facts, &extra).map_err(|why| {
                    Error::user(
                        format!("无法生成新案件的字段 {k}：{why}"),
                        "请检查流程定义中 opens 的 facts",
                    )
                })?;
                if !v.trim().is_empty() {
                    sets.push(format!("{k}={v}"));
                }
            }
            let input = Input { sets, from: None };
            let given = self.read_input(twf, &input)?;
            let actor = Actor {
                who: plan.entry.by.clone(),
                now: DateTime::parse_from_rfc3339(&plan.entry.at)
                    .map_err(|e| Error::Internal(e.to_string()))?,
            };
            let sub = self.plan_step(
                twf,
                &new_id,
                &twf.spec.start.value,
                &Facts::new(),
                given,
                &actor,
                &[],
            )?;
            let npath = self
                .cases_dir()
                .join(year.to_string())
                .join(format!("{new_id}.yaml"));
            let mut sub_entry = sub.entry.clone();
            // Documents of the opened case's start step.
            let tspec = twf
                .step(&twf.spec.start.value)
                .ok_or_else(|| Error::Internal("start".into()))?;
            let docs = self.render_step_documents(
                StepDocuments {
                    wf: twf,
                    spec: tspec,
                    id: &new_id,
                    step: &twf.spec.start.value,
                    entry_index: 0,
                    year,
                    facts: &sub.facts,
                    history: std::slice::from_ref(&sub.entry),
                    today: plan.today,
                },
                &mut numbering,
                &mut batch,
                renderer,
            )?;
            sub_entry.documents.extend(docs);
            let ntext = case::new_file(twf.name(), None, &[], &sub_entry);
            batch.stage(&npath, ntext.as_bytes())?;
            plan.entry.opened.push(new_id);
        }

        let new_text = text(&plan.entry)?;
        // The new file must read back with exactly one more entry.
        {
            let probe_dir = tempfile::tempdir()
                .map_err(|e| Error::io("创建临时目录", std::env::temp_dir(), e))?;
            let probe = probe_dir.path().join(format!("{id}.yaml"));
            std::fs::write(&probe, &new_text).map_err(|e| Error::io("写入", &probe, e))?;
            let c = Case::load(id, &probe)
                .map_err(|e| Error::Internal(format!("生成的案件记录无法读回：{e}")))?;
            if c.history.len() != history.len() + 1 {
                return Err(Error::Internal("生成的案件记录条目数不对".into()));
            }
        }
        batch.stage(path, new_text.as_bytes())?;
        numbering.record()?;
        batch.commit()?;

        Ok(StepReport {
            case_id: id.to_string(),
            case_file: self.rel(path),
            step: plan.step.clone(),
            step_title: spec.title.clone(),
            documents: plan.entry.documents.clone(),
            opened: plan.entry.opened.clone(),
            next: spec.next.iter().map(|n| n.to.value.clone()).collect(),
        })
    }

    /// The names every workflow expression may use besides the case's fields (see
    /// [`crate::expr::BUILTINS`]).
    fn expr_builtins(
        &self,
        wf: &Workflow,
        id: &str,
        step: &str,
        facts: &Facts,
        today: NaiveDate,
    ) -> [(&'static str, String); 6] {
        let name_of = |field: &str, lookup: &dyn Fn(&str) -> String| {
            facts
                .get(field)
                .and_then(|v| v.as_str())
                .map(lookup)
                .unwrap_or_default()
        };
        [
            ("case_id", id.to_string()),
            ("workflow", wf.name().to_string()),
            ("step", step.to_string()),
            ("today", today.format("%Y-%m-%d").to_string()),
            (
                "court_name",
                name_of("court", &|c| self.config.court_name(c)),
            ),
            (
                "agency_name",
                name_of("agency", &|a| self.config.agency_name(a)),
            ),
        ]
    }

    /// Render the documents of one step whose conditions hold, number them, and stage the
    /// files: the step being taken, or the start step of a case it opens.
    fn render_step_documents(
        &self,
        at: StepDocuments<'_>,
        numbering: &mut crate::render::Numbering,
        batch: &mut Batch,
        renderer: &dyn DocumentRenderer,
    ) -> Result<Vec<DocRecord>> {
        let builtins = self.expr_builtins(at.wf, at.id, at.step, at.facts, at.today);
        let extra = as_pairs(&builtins);
        let mut records = Vec::new();
        for d in &at.spec.documents {
            if let Some(w) = &d.when {
                let on = crate::expr::eval_bool(&w.value, at.facts, &extra).map_err(|why| {
                    Error::user(
                        format!("无法计算文书条件 `{}`：{why}", w.value),
                        "请检查流程定义",
                    )
                })?;
                if !on {
                    continue;
                }
            }
            let issuer = self.issuer_of(&d.issuer.value, at.facts)?;
            let date = d
                .date
                .as_ref()
                .or(at.spec.date.as_ref())
                .and_then(|f| at.facts.get(&f.value))
                .and_then(|v| v.as_str())
                .and_then(|s| facts::parse_date(s).ok())
                .unwrap_or(at.today);
            let key = format!("{}#{}#{}", at.id, at.entry_index + 1, d.template.value);
            let number = match (&issuer, d.numbered) {
                (Some(i), true) => {
                    let prefix = self
                        .config
                        .issuers
                        .get(i)
                        .map(|x| x.prefix.clone())
                        .unwrap_or_default();
                    Some(numbering.number(&prefix, date.year(), &key)?)
                }
                _ => None,
            };
            let req = DocRequest {
                case_id: at.id.to_string(),
                workflow: at.wf.name().to_string(),
                step: at.step.to_string(),
                template: d.template.value.clone(),
                title: d.title.clone(),
                issuer,
                number: number.clone(),
                date,
                facts: at.facts.clone(),
                history: at.history.to_vec(),
            };
            let pdf = renderer.render(self, &req)?;
            let file = crate::archive::document_path(
                at.year,
                at.id,
                at.entry_index,
                at.step,
                &d.template.value,
            );
            batch.stage(&self.root.join(&file), &pdf)?;
            records.push(DocRecord {
                title: d.title.clone(),
                template: d.template.value.clone(),
                number,
                file,
                sha256: crate::archive::sha256(&pdf),
            });
        }
        Ok(records)
    }

    /// Resolve a document's issuer: `agency` → the case agency's issuer.
    pub fn issuer_of(&self, spec: &str, facts: &Facts) -> Result<Option<String>> {
        if spec != "agency" {
            // A field naming an issuer (e.g. `handler`), or an issuer id.
            if let Some(v) = facts.get(spec).and_then(|v| v.as_str())
                && self.config.issuers.contains_key(v)
            {
                return Ok(Some(v.to_string()));
            }
            return Ok(Some(spec.to_string()));
        }
        let agency = facts.get("agency").and_then(|v| v.as_str()).unwrap_or("");
        Ok(self
            .config
            .agencies
            .get(agency)
            .and_then(|a| a.issuer.clone()))
    }

    /// The status of every case.
    pub fn status(&self, today: NaiveDate) -> Result<Vec<StatusRow>> {
        let mut rows = Vec::new();
        for (id, _) in self.case_files()? {
            let (case, wf) = self.load_case(&id)?;
            let step = case.current_step().to_string();
            let spec = wf
                .step(&step)
                .ok_or_else(|| Error::Internal("step".into()))?;
            let facts = case.facts();
            let deadline = self.next_deadline(wf, &id, spec, &facts, today);
            rows.push(StatusRow {
                id: id.clone(),
                workflow: wf.name().to_string(),
                workflow_title: wf.spec.title.clone(),
                step: step.clone(),
                step_title: spec.title.clone(),
                closed: spec.is_final,
                deadline,
                file: self.rel(&case.path),
            });
        }
        Ok(rows)
    }

    /// The earliest deadline that applies in the current step.
    pub fn next_deadline(
        &self,
        wf: &Workflow,
        id: &str,
        spec: &StepSpec,
        facts: &Facts,
        today: NaiveDate,
    ) -> Option<Deadline> {
        if spec.is_final {
            return None;
        }
        let extra = [("case_id", id), ("workflow", wf.name())];
        spec.deadlines
            .iter()
            .filter(|d| {
                d.when
                    .as_ref()
                    .map(|w| crate::expr::eval_bool(&w.value, facts, &extra).unwrap_or(false))
                    .unwrap_or(true)
            })
            .filter_map(|d| {
                let from = facts.get(&d.from.value)?.as_str()?;
                let from = facts::parse_date(from).ok()?;
                let setting = match &d.days.value {
                    DaysSpec::Fixed(s) => *s,
                    DaysSpec::Setting(name) => *self.config.deadlines.get(name)?,
                };
                let due = self.calendar.add(from, setting);
                Some(Deadline {
                    title: d.title.clone(),
                    due,
                    overdue: today > due,
                })
            })
            .min_by_key(|d| d.due)
    }
}

/// The year a case was opened (from its first history entry).
pub fn case_year(case: &Case) -> Option<i32> {
    case.history
        .first()
        .and_then(|h| DateTime::parse_from_rfc3339(&h.at).ok())
        .map(|d| d.year())
}

/// A step being taken.
struct Plan {
    step: String,
    facts: Facts,
    entry: HistoryEntry,
    today: NaiveDate,
}

/// The values of the fields an expression mentions, for an error message.
fn describe_facts(expr: &str, facts: &Facts) -> String {
    let vars = crate::expr::compile_check(expr).unwrap_or_default();
    let mut v: Vec<String> = vars
        .into_iter()
        .map(|k| {
            format!(
                "{k} = {}",
                facts
                    .get(&k)
                    .map(case::value)
                    .unwrap_or_else(|| "（未填）".into())
            )
        })
        .collect();
    v.sort();
    v.join("，")
}

/// Where a step's documents are made (see `Workspace::render_step_documents`).
struct StepDocuments<'a> {
    wf: &'a Workflow,
    spec: &'a StepSpec,
    id: &'a str,
    step: &'a str,
    /// Index of the step's entry in the case history (0 for a new case).
    entry_index: usize,
    /// The year folder of the case.
    year: i32,
    facts: &'a Facts,
    /// The history up to and including this step's entry.
    history: &'a [HistoryEntry],
    /// The date documents without a date field of their own carry.
    today: NaiveDate,
}

/// Borrowed `(name, value)` pairs for the expression engine.
fn as_pairs<'a>(owned: &'a [(&'static str, String)]) -> Vec<(&'a str, &'a str)> {
    owned.iter().map(|(k, v)| (*k, v.as_str())).collect()
}
