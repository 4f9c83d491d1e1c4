//! Workflows: owns the YAML definition of a workflow (its fields, steps, transitions, documents,
//! deadlines and the cases it opens) and its validation. A workflow is checked completely when it is
//! loaded — unknown keys, unknown or unreachable steps, transitions to nowhere, expressions that do
//! not compile or name undeclared fields, missing templates — before any case moves.

use std::collections::{BTreeMap, BTreeSet, HashSet, VecDeque};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::config::{Config, DeadlineSetting};
use crate::error::{Diagnostic, Errors, Result};
use crate::facts::FieldType;
use crate::yaml::{self, Spanned};

pub use crate::yaml::OrderedMap;

/// A field declaration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    #[serde(rename = "type")]
    pub ty: FieldType,
    /// Chinese label, e.g. 案号.
    pub label: String,
    /// Help text shown when the field is missing or wrong.
    #[serde(default)]
    pub help: Option<String>,
    /// `true`, `false`, or a condition (a minijinja expression over the facts).
    #[serde(default)]
    pub required: Option<Spanned<Value>>,
    /// Allowed values of an enum.
    #[serde(default)]
    pub values: Vec<String>,
    /// For text fields: the value must be an id from `yingsu.yaml` (`agencies`, `courts`, `issuers`).
    #[serde(default)]
    pub of: Option<Spanned<String>>,
    /// For date fields: the date may not be before this other date field (a hearing after the
    /// notice, a judgment after the hearing…), unless the case explains the exception in
    /// [`DATE_ORDER_NOTE`].
    #[serde(default)]
    pub not_before: Option<Spanned<String>>,
    /// For date fields: the date may not be after this other date field (a statement that must
    /// reach the court before the hearing), unless the case explains the exception.
    #[serde(default)]
    pub not_after: Option<Spanned<String>>,
}

/// The field whose value `statistics.losses` of a workflow lists (the judgment's outcome).
pub(crate) const STATISTICS_OUTCOME: &str = "outcome";

/// The field in which a case explains dates out of the usual order (checked by `not_before`).
pub(crate) const DATE_ORDER_NOTE: &str = "date_order_note";

/// A document a step renders.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocSpec {
    /// Template name (a `.typ` file under `templates/`, without the extension).
    pub template: Spanned<String>,
    /// Chinese title of the document, e.g. 授权委托书.
    pub title: String,
    /// Render only when this condition holds.
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// Who issues it: `agency` (the case's agency), `bureau` (the supervising justice bureau,
    /// `bureau.issuer` in `yingsu.yaml`, default `sfj`), or an issuer id from `yingsu.yaml`.
    #[serde(default = "default_issuer")]
    pub issuer: Spanned<String>,
    /// The date field that dates the document (defaults to the step's `date`).
    #[serde(default)]
    pub date: Option<Spanned<String>>,
    /// Whether the document gets a 发文字号.
    #[serde(default = "default_true")]
    pub numbered: bool,
    /// The format of this document when it is not the one its template declares (文件, 信函,
    /// 纪要, 普通; see [`crate::docformat`]).
    #[serde(default)]
    pub format: Option<Spanned<String>>,
}

fn default_issuer() -> Spanned<String> {
    Spanned {
        value: "agency".into(),
        referenced: serde_saphyr::Location::UNKNOWN,
        defined: serde_saphyr::Location::UNKNOWN,
    }
}
fn default_true() -> bool {
    true
}

/// A transition out of a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NextSpec {
    pub to: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
}

/// How long a deadline runs: a fixed length or the name of a setting in `yingsu.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DaysSpec {
    Setting(String),
    Fixed(DeadlineSetting),
}

/// A deadline that runs while the case is in a step.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeadlineSpec {
    /// What must be done, e.g. 报送败诉案件总结报告.
    pub title: String,
    /// The date field the deadline counts from.
    pub from: Spanned<String>,
    /// Length: `{calendar_days: N}`, `{working_days: N}`, `{months: N}` or a setting name.
    pub days: Spanned<DaysSpec>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// The document of this step that sets the deadline (its template): the deadline runs only
    /// when the step issues that document, so a 报送整改报告 deadline follows the 督查整改通知书
    /// sent down to a unit and never a 专报 sent up in its place.
    #[serde(default)]
    pub document: Option<Spanned<String>>,
    /// The step may not be taken while this deadline applies and its start date is missing
    /// (otherwise the deadline shows as “待补充” until the date is added).
    #[serde(default)]
    pub required: bool,
    /// A date field that, once given, is the due date instead of the count (the date a
    /// document prints, e.g. `report_due`): the deadline tracked is the deadline given.
    #[serde(default)]
    pub due: Option<Spanned<String>>,
    /// A period the law sets (答辩、上诉): counted on the national calendar, without the
    /// office's closure days (`calendar.holidays`), which count for internal deadlines only.
    #[serde(default)]
    pub statutory: bool,
    /// Fields holding the event's time of day (`hearing_time`) and place, for calendar files.
    #[serde(default)]
    pub time: Option<Spanned<String>>,
    #[serde(default)]
    pub place: Option<Spanned<String>>,
}

/// A case of another workflow that a step opens (e.g. rectification after an unjustified absence).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpenSpec {
    pub workflow: Spanned<String>,
    #[serde(default)]
    pub when: Option<Spanned<String>>,
    /// Id of the new case, a minijinja template over the facts and `case_id`.
    pub id: Spanned<String>,
    /// Facts of the new case: field → minijinja template.
    #[serde(default)]
    pub facts: BTreeMap<String, String>,
}

/// A step of a workflow.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    pub title: String,
    #[serde(default)]
    pub help: Option<String>,
    /// The date field that dates this step (e.g. `judgment_date`).
    #[serde(default)]
    pub date: Option<Spanned<String>>,
    /// Fields recorded at this step.
    #[serde(default)]
    pub records: Vec<Spanned<String>>,
    #[serde(default)]
    pub documents: Vec<DocSpec>,
    #[serde(default)]
    pub deadlines: Vec<DeadlineSpec>,
    #[serde(default)]
    pub next: Vec<NextSpec>,
    #[serde(default)]
    pub opens: Vec<OpenSpec>,
    /// A final step ends the case.
    #[serde(default, rename = "final")]
    pub is_final: bool,
    /// Each visit of this step records its facts afresh (e.g. every hearing): what an earlier
    /// visit recorded does not carry over. Otherwise a revisited step starts from earlier values.
    #[serde(default)]
    pub fresh: bool,
    /// The roles of the workbench's users who may take this step (e.g. `[领导]`); none: anyone.
    #[serde(default)]
    pub roles: Vec<Spanned<String>>,
}

impl StepSpec {
    /// Whether a workbench user of `role` may take this step: any role when the step lists
    /// none. The command line is not bound (who runs it has the files anyway).
    pub fn allows(&self, role: &str) -> bool {
        self.roles.is_empty() || self.roles.iter().any(|r| r.value == role)
    }
}

/// What the statistics read from a workflow's cases (`statistics:` in the workflow file): which
/// steps record the court's notice, each hearing and the judgment, which judgment outcomes are
/// losses and how a figure's sentence names them, and whether the workflow handles
/// rectifications. Nothing in the library knows a step by its name: a workflow without this
/// block has no cases in the figures, and its documents list no hearings.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StatisticsSpec {
    /// The step that records the court's notice to appear (a case that took it is counted).
    #[serde(default)]
    #[serde(rename = "notice_step")]
    pub notice: Option<Spanned<String>>,
    /// The step that records one hearing and whether the head appeared (taken once per
    /// hearing; its entries are the case's hearings).
    #[serde(default)]
    #[serde(rename = "hearing_step")]
    pub hearing: Option<Spanned<String>>,
    /// The step that records the judgment (`judgment_date`, `outcome`): a case is concluded
    /// once it took it.
    #[serde(default)]
    #[serde(rename = "judgment_step")]
    pub judgment: Option<Spanned<String>>,
    /// The values of `outcome` that are a loss (败诉), in the order a sentence lists them, each
    /// with the words it counts them by (`撤销: 判决撤销`).
    #[serde(default)]
    pub losses: OrderedMap<String>,
    /// The workflow's cases are rectifications (督查整改): `check --open` opens its breaches in
    /// it, and the figures see which are already open.
    #[serde(default, rename = "rectifications")]
    pub rectification: bool,
}

impl StatisticsSpec {
    fn step(s: &Option<Spanned<String>>) -> Option<&str> {
        s.as_ref().map(|s| s.value.as_str())
    }

    /// The step that records the court's notice, if the workflow declares one.
    pub fn notice(&self) -> Option<&str> {
        Self::step(&self.notice)
    }

    /// The step that records a hearing, if the workflow declares one.
    pub fn hearing(&self) -> Option<&str> {
        Self::step(&self.hearing)
    }

    /// The step that records the judgment, if the workflow declares one.
    pub fn judgment(&self) -> Option<&str> {
        Self::step(&self.judgment)
    }

    /// The outcomes that are a loss, in order, with the words a sentence counts them by.
    pub fn losses(&self) -> impl Iterator<Item = (&str, &str)> {
        self.losses.iter().map(|(o, w)| (o, w.as_str()))
    }
}

/// A workflow file as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowSpec {
    pub name: Spanned<String>,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    pub start: Spanned<String>,
    pub fields: OrderedMap<FieldSpec>,
    pub steps: OrderedMap<StepSpec>,
    /// What the statistics read from the workflow's cases (see [`StatisticsSpec`]).
    #[serde(default)]
    pub statistics: StatisticsSpec,
}

/// A loaded, validated workflow.
#[derive(Debug, Clone)]
pub struct Workflow {
    pub spec: WorkflowSpec,
    /// Where it came from (a workspace file or `内置:<name>.yaml`).
    pub file: PathBuf,
    pub source: String,
}

/// A summary of a workflow for display (`workflow show`, `status --json`).
#[derive(Debug, Clone, Serialize)]
pub struct StepSummary {
    pub name: String,
    pub title: String,
    pub next: Vec<String>,
    pub documents: Vec<String>,
    pub is_final: bool,
}

/// What a workflow needs from its surroundings to validate.
pub struct Context<'a> {
    pub config: &'a Config,
    pub templates: &'a BTreeSet<String>,
    pub workflows: &'a BTreeSet<String>,
}

impl Workflow {
    pub fn name(&self) -> &str {
        &self.spec.name.value
    }

    pub fn step(&self, name: &str) -> Option<&StepSpec> {
        self.spec.steps.get(name)
    }

    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.spec.fields.get(name)
    }

    /// What the statistics read from the workflow's cases (its `statistics:`).
    pub fn statistics(&self) -> &StatisticsSpec {
        &self.spec.statistics
    }

    pub fn step_names(&self) -> Vec<&str> {
        self.spec.steps.keys().collect()
    }

    pub fn summary(&self) -> Vec<StepSummary> {
        self.spec
            .steps
            .0
            .iter()
            .map(|(k, s)| StepSummary {
                name: k.value.clone(),
                title: s.title.clone(),
                next: s.next.iter().map(|n| n.to.value.clone()).collect(),
                documents: s.documents.iter().map(|d| d.title.clone()).collect(),
                is_final: s.is_final,
            })
            .collect()
    }

    /// Parse and fully validate a workflow.
    pub fn load(file: &Path, source: &str, cx: &Context) -> Result<Workflow> {
        let spec: WorkflowSpec = yaml::parse(file, source)?;
        let wf = Workflow {
            spec,
            file: file.to_path_buf(),
            source: source.to_string(),
        };
        wf.validate(cx)?;
        Ok(wf)
    }

    fn at<T>(&self, v: &Spanned<T>, msg: impl Into<String>) -> Diagnostic {
        if v.referenced.line() == 0 {
            Diagnostic::new(msg).in_file(&self.file)
        } else {
            yaml::at(&self.file, &self.source, v, msg)
        }
    }

    fn validate(&self, cx: &Context) -> Result<()> {
        let mut e = Errors::default();
        let wf = &self.spec;
        let name = &wf.name.value;
        let steps: Vec<&str> = wf.steps.keys().collect();
        let step_list = steps.join("、");
        let fields: HashSet<&str> = wf.fields.keys().collect();
        let field_list = wf.fields.keys().collect::<Vec<_>>().join("、");

        // Names: identifiers only, so they are safe in paths and expressions.
        for (k, _) in wf.steps.0.iter().chain(std::iter::empty()) {
            if !is_ident(&k.value) {
                e.push(self.at(k, format!("步骤名 `{}` 不合法", k.value)).help(
                    "步骤名只能用小写英文字母、数字和下划线，并以字母开头，例如 loss_review",
                ));
            }
        }
        for (k, f) in &wf.fields.0 {
            if !is_ident(&k.value) {
                e.push(self.at(k, format!("字段名 `{}` 不合法", k.value)).help(
                    "字段名只能用小写英文字母、数字和下划线，并以字母开头，例如 hearing_date",
                ));
            }
            if f.ty == FieldType::Enum && f.values.is_empty() {
                e.push(
                    self.at(k, format!("选项字段 `{}` 没有列出可选值", k.value))
                        .help("请添加 values: [选项一, 选项二]"),
                );
            }
            if f.ty != FieldType::Enum && !f.values.is_empty() {
                e.push(
                    self.at(
                        k,
                        format!("字段 `{}` 不是选项（enum）类型，不能有 values", k.value),
                    )
                    .help("把 type 改为 enum，或删除 values"),
                );
            }
            if let Some(of) = &f.of
                && !matches!(of.value.as_str(), "agencies" | "courts" | "issuers")
            {
                e.push(
                    self.at(of, format!("`of: {}` 无效", of.value))
                        .help("of 只能是 agencies（单位）、courts（法院）或 issuers（发文机关）"),
                );
            }
            for (key, nb) in [("not_before", &f.not_before), ("not_after", &f.not_after)] {
                let Some(nb) = nb else { continue };
                let other = wf.fields.get(&nb.value);
                if f.ty != FieldType::Date || other.is_none_or(|o| o.ty != FieldType::Date) {
                    e.push(
                        self.at(
                            nb,
                            format!(
                                "`{key}: {}` 只能用于日期字段，并且须指向另一个日期字段",
                                nb.value
                            ),
                        )
                        .help(format!("可用的字段：{field_list}")),
                    );
                }
            }
            if let Some(req) = &f.required {
                match &req.value {
                    Value::Bool(_) | Value::Null => {}
                    Value::String(expr) => self.check_expr(&mut e, req, expr, &fields, &field_list),
                    _ => e.push(
                        self.at(
                            req,
                            format!(
                                "字段 `{}` 的 required 应为 true、false 或条件表达式",
                                k.value
                            ),
                        )
                        .help("例如 required: true，或 required: \"not head_appeared\""),
                    ),
                }
            }
        }
        for (k, step) in wf.steps.0.iter() {
            for r in &step.roles {
                if r.value.trim().is_empty() {
                    e.push(
                        self.at(r, format!("步骤 `{}` 的 roles 中有空的角色", k.value))
                            .help("写成 roles: [领导] 或 roles: [领导, 管理员]，角色与 users.yaml 中的一致"),
                    );
                }
            }
        }
        let mut seen = HashSet::new();
        for (k, _) in wf.steps.0.iter() {
            if !seen.insert(k.value.as_str()) {
                e.push(
                    self.at(k, format!("步骤 `{}` 重复定义", k.value))
                        .help("每个步骤名只能出现一次"),
                );
            }
        }

        if wf.steps.get(&wf.start.value).is_none() {
            e.push(
                self.at(&wf.start, format!("起始步骤 `{}` 未定义", wf.start.value))
                    .help(format!("可用的步骤：{step_list}")),
            );
        }

        for (sk, step) in &wf.steps.0 {
            let sname = &sk.value;
            let check_field =
                |e: &mut Errors, f: &Spanned<String>, what: &str, want: Option<FieldType>| match wf
                    .fields
                    .get(&f.value)
                {
                    None => e.push(
                        self.at(
                            f,
                            format!("步骤 `{sname}` 的{what}引用了未声明的字段 `{}`", f.value),
                        )
                        .help(format!(
                            "请先在 fields 中声明它；已声明的字段：{field_list}"
                        )),
                    ),
                    Some(spec) => {
                        if let Some(t) = want
                            && spec.ty != t
                        {
                            e.push(
                                self.at(
                                    f,
                                    format!(
                                        "步骤 `{sname}` 的{what}字段 `{}` 应为{}类型，实为{}",
                                        f.value,
                                        t.label(),
                                        spec.ty.label()
                                    ),
                                )
                                .help("请改用一个日期字段"),
                            );
                        }
                    }
                };
            for r in &step.records {
                check_field(&mut e, r, "记录字段（records）", None);
            }
            if let Some(d) = &step.date {
                check_field(&mut e, d, "日期字段（date）", Some(FieldType::Date));
            }
            for n in &step.next {
                if wf.steps.get(&n.to.value).is_none() {
                    e.push(
                        self.at(
                            &n.to,
                            format!("步骤 `{sname}` 转向未定义的步骤 `{}`", n.to.value),
                        )
                        .help(format!("可用的步骤：{step_list}")),
                    );
                }
                if let Some(w) = &n.when {
                    self.check_expr(&mut e, w, &w.value, &fields, &field_list);
                }
            }
            if step.next.is_empty() && !step.is_final {
                e.push(
                    self.at(
                        sk,
                        format!(
                            "步骤 `{sname}` 既没有后续步骤（next），也没有标为结束（final: true）"
                        ),
                    )
                    .help("请添加 next，或写 final: true 表示案件在此结束"),
                );
            }
            if step.is_final && !step.next.is_empty() {
                e.push(
                    self.at(sk, format!("结束步骤 `{sname}` 不能有后续步骤"))
                        .help("删除 next，或去掉 final: true"),
                );
            }
            for d in &step.documents {
                if !cx.templates.contains(&d.template.value) {
                    e.push(
                        self.at(
                            &d.template,
                            format!("步骤 `{sname}` 的文书模板 `{}` 不存在", d.template.value),
                        )
                        .help(format!(
                            "模板是 templates/ 下的 .typ 文件（不写扩展名）；可用的模板：{}",
                            cx.templates.iter().cloned().collect::<Vec<_>>().join("、")
                        )),
                    );
                }
                if let Some(w) = &d.when {
                    self.check_expr(&mut e, w, &w.value, &fields, &field_list);
                }
                let issuer_field = wf
                    .fields
                    .get(&d.issuer.value)
                    .is_some_and(|f| f.of.as_ref().is_some_and(|o| o.value == "issuers"));
                if d.issuer.value != "agency"
                    && d.issuer.value != "bureau"
                    && !issuer_field
                    && !cx.config.issuers.contains_key(&d.issuer.value)
                {
                    e.push(
                        self.at(&d.issuer, format!("发文机关 `{}` 未在 yingsu.yaml 的 issuers 中定义", d.issuer.value))
                            .help(format!(
                                "写 agency 表示由案件的被诉单位发文，bureau 表示由司法局（yingsu.yaml 的 bureau.issuer，默认 sfj）发文，或写一个 of: issuers 的字段名，或写 issuers 中的编号：{}",
                                cx.config.issuers.keys().cloned().collect::<Vec<_>>().join("、")
                            )),
                    );
                }
                if let Some(f) = &d.date {
                    check_field(&mut e, f, "文书日期", Some(FieldType::Date));
                }
            }
            for dl in &step.deadlines {
                check_field(&mut e, &dl.from, "期限起算", Some(FieldType::Date));
                if let Some(due) = &dl.due {
                    check_field(&mut e, due, "期限届满日期", Some(FieldType::Date));
                }
                if let Some(time) = &dl.time {
                    check_field(&mut e, time, "期限时间", Some(FieldType::Text));
                }
                if let Some(place) = &dl.place {
                    check_field(&mut e, place, "期限地点", None);
                }
                if let DaysSpec::Setting(s) = &dl.days.value
                    && !cx.config.deadlines.contains_key(s)
                {
                    e.push(
                        self.at(&dl.days, format!("期限设置 `{s}` 未在 yingsu.yaml 的 deadlines 中定义"))
                            .help("请在 yingsu.yaml 的 deadlines 下添加，例如 loss_report: {working_days: 15}"),
                    );
                }
                if let DaysSpec::Fixed(f) = &dl.days.value
                    && let Some(why) = f.too_long()
                {
                    e.push(
                        self.at(&dl.days, why)
                            .help("请核对期限的长度，例如 {working_days: 15}、{calendar_days: 30} 或 {months: 6}"),
                    );
                }
                if let Some(w) = &dl.when {
                    self.check_expr(&mut e, w, &w.value, &fields, &field_list);
                }
                if let Some(doc) = &dl.document
                    && !step.documents.iter().any(|d| d.template.value == doc.value)
                {
                    e.push(
                        self.at(
                            doc,
                            format!(
                                "期限“{}”所属的文书 `{}` 不是步骤 `{sname}` 生成的文书",
                                dl.title, doc.value
                            ),
                        )
                        .help(format!(
                            "document 写这一步 documents 中的模板名：{}",
                            step.documents
                                .iter()
                                .map(|d| d.template.value.as_str())
                                .collect::<Vec<_>>()
                                .join("、")
                        )),
                    );
                }
            }
            for o in &step.opens {
                if !cx.workflows.contains(&o.workflow.value) {
                    e.push(
                        self.at(
                            &o.workflow,
                            format!("步骤 `{sname}` 要开启的流程 `{}` 不存在", o.workflow.value),
                        )
                        .help(format!(
                            "可用的流程：{}",
                            cx.workflows.iter().cloned().collect::<Vec<_>>().join("、")
                        )),
                    );
                }
                if let Some(w) = &o.when {
                    self.check_expr(&mut e, w, &w.value, &fields, &field_list);
                }
                if let Err(err) = crate::expr::env().template_from_str(&o.id.value) {
                    e.push(
                        self.at(&o.id, "案件编号模板无法解析")
                            .help(format!("请检查 {{{{ }}}} 是否成对。解析器原文：{err}")),
                    );
                }
            }
        }

        // Reachability from the start step.
        if wf.steps.get(&wf.start.value).is_some() {
            let mut reached: HashSet<&str> = HashSet::new();
            let mut queue = VecDeque::from([wf.start.value.as_str()]);
            while let Some(s) = queue.pop_front() {
                if !reached.insert(s) {
                    continue;
                }
                if let Some(step) = wf.steps.get(s) {
                    for n in &step.next {
                        queue.push_back(&n.to.value);
                    }
                }
            }
            for (k, _) in &wf.steps.0 {
                if !reached.contains(k.value.as_str()) {
                    e.push(
                        self.at(
                            k,
                            format!(
                                "步骤 `{}` 无法从起始步骤 `{}` 到达",
                                k.value, wf.start.value
                            ),
                        )
                        .help("请在某个步骤的 next 中转向它，或删除该步骤"),
                    );
                }
            }
        }
        self.validate_statistics(&mut e, &step_list);
        let _ = name;
        e.into_result()
    }

    /// `statistics:` names steps of this workflow, and its losses are values of `outcome`.
    fn validate_statistics(&self, e: &mut Errors, step_list: &str) {
        let st = &self.spec.statistics;
        let steps = [
            ("notice_step", "收到出庭应诉通知的步骤", &st.notice),
            ("hearing_step", "记录开庭的步骤", &st.hearing),
            ("judgment_step", "记录裁判结果的步骤", &st.judgment),
        ];
        for (key, what, step) in steps {
            if let Some(s) = step
                && self.spec.steps.get(&s.value).is_none()
            {
                e.push(
                    self.at(
                        s,
                        format!("统计口径中{what}（statistics.{key}）`{}` 未定义", s.value),
                    )
                    .help(format!("写本流程的一个步骤名；可用的步骤：{step_list}")),
                );
            }
        }
        if let Some((first, _)) = st.losses.0.first() {
            let outcome = self.spec.fields.get(STATISTICS_OUTCOME);
            match outcome {
                Some(f) if f.ty == FieldType::Enum => {
                    for (k, words) in &st.losses.0 {
                        if !f.values.contains(&k.value) {
                            e.push(
                                self.at(
                                    k,
                                    format!(
                                        "统计口径中的败诉结果（statistics.losses）`{}` 不是字段 `{STATISTICS_OUTCOME}` 的可选值",
                                        k.value
                                    ),
                                )
                                .help(format!(
                                    "败诉结果只能写 {STATISTICS_OUTCOME} 的可选值：{}",
                                    f.values.join("、")
                                )),
                            );
                        }
                        if words.trim().is_empty() {
                            e.push(
                                self.at(
                                    k,
                                    format!("统计口径中的败诉结果 `{}` 没有写统计文字中的说法", k.value),
                                )
                                .help(format!("写成 {}: 判决{}，统计文字据此写“判决{}N件”", k.value, k.value, k.value)),
                            );
                        }
                    }
                }
                _ => e.push(
                    self.at(
                        first,
                        format!(
                            "统计口径声明了败诉结果（statistics.losses），但本流程没有选项（enum）字段 `{STATISTICS_OUTCOME}`"
                        ),
                    )
                    .help(format!(
                        "败诉结果是裁判结果字段 {STATISTICS_OUTCOME} 的取值：请在 fields 中声明 {STATISTICS_OUTCOME}（type: enum），或删除 statistics.losses"
                    )),
                ),
            }
            if st.judgment.is_none() {
                e.push(
                    self.at(
                        first,
                        "统计口径声明了败诉结果（statistics.losses），但没有声明记录裁判结果的步骤（statistics.judgment_step）",
                    )
                    .help("在 statistics 下写 judgment_step: 记录裁判结果的步骤名，例如 judgment_step: judgment"),
                );
            }
        }
        if st.rectification
            && let Some(s) = st.notice.as_ref().or(st.hearing.as_ref())
        {
            e.push(
                self.at(
                    s,
                    "统计口径不能既声明督查整改（statistics.rectifications），又声明出庭应诉的步骤",
                )
                .help("督查整改流程只写 rectifications: true；出庭应诉流程写 notice_step、hearing_step、judgment_step 和 losses"),
            );
        }
    }

    fn check_expr<T>(
        &self,
        e: &mut Errors,
        at: &Spanned<T>,
        src: &str,
        fields: &HashSet<&str>,
        field_list: &str,
    ) {
        match crate::expr::compile_check(src) {
            Err(why) => e.push(
                self.at(at, format!("条件表达式 `{src}` 无法解析：{why}"))
                    .help(format!(
                        "条件是 minijinja 表达式，例如 outcome in ['撤销', '确认违法'] 或 not head_appeared{}",
                        crate::expr::original(src).map(|o| format!("。解析器原文：{o}")).unwrap_or_default()
                    )),
            ),
            Ok(vars) => {
                let mut unknown: Vec<String> = vars
                    .into_iter()
                    .filter(|v| !fields.contains(v.as_str()) && !crate::expr::BUILTINS.contains(&v.as_str()))
                    .collect();
                unknown.sort();
                if !unknown.is_empty() {
                    e.push(
                        self.at(at, format!("条件表达式 `{src}` 使用了未声明的字段 {}", unknown.iter().map(|u| format!("`{u}`")).collect::<Vec<_>>().join("、")))
                            .help(format!("已声明的字段：{field_list}")),
                    );
                }
            }
        }
    }
}

/// Step, field and workflow names: ASCII lower-case identifiers.
pub fn is_ident(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
