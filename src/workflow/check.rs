//! A workflow's validation: owns the complete check of a workflow as it is loaded (unknown or
//! unreachable steps, transitions to nowhere, conditions that do not compile or name undeclared
//! fields, missing templates, deadlines, roles and the `statistics:` block), every problem at its
//! line and column.

use std::collections::{HashSet, VecDeque};

use serde_json::Value;

use super::*;
use crate::error::{Errors, Result};

impl Workflow {
    /// A table declares its columns (each key an identifier, each key and label once); no other
    /// type has any.
    fn check_columns(&self, e: &mut Errors, k: &Spanned<String>, f: &FieldSpec) {
        if f.ty != FieldType::Table {
            if !f.columns.is_empty() {
                e.push(
                    self.at(
                        k,
                        format!("字段 `{}` 不是表格（table）类型，不能有 columns", k.value),
                    )
                    .help("把 type 改为 table，或删除 columns"),
                );
            }
            return;
        }
        const HELP: &str = "写成 columns: [{key: name, label: 证据名称, required: true}, {key: pages, label: 页数, type: integer}]；type 可为 text（文本，默认）或 integer（整数）";
        if f.columns.is_empty() {
            e.push(
                self.at(k, format!("表格字段 `{}` 没有列出各列（columns）", k.value))
                    .help(HELP),
            );
        }
        let mut seen = HashSet::new();
        for c in &f.columns {
            if !is_ident(&c.key) {
                e.push(
                    self.at(
                        k,
                        format!("表格字段 `{}` 的列名 `{}` 不合法", k.value, c.key),
                    )
                    .help("列名（key）只能用小写英文字母、数字和下划线，并以字母开头，例如 pages"),
                );
            }
            for name in [&c.key, &c.label] {
                if !seen.insert(name.as_str()) {
                    e.push(
                        self.at(k, format!("表格字段 `{}` 中列“{name}”重复", k.value))
                            .help("每列的 key 和 label 都须不同"),
                    );
                }
            }
        }
    }

    pub(super) fn validate(&self, cx: &Context) -> Result<()> {
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
            self.check_columns(&mut e, k, f);
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
                // The step a case of this same workflow starts at must be one of its steps
                // (another workflow's steps are checked when the case is opened).
                if let Some(st) = &o.step
                    && o.workflow.value == *name
                    && wf.steps.get(&st.value).is_none()
                {
                    e.push(
                        self.at(st, format!("开启的案件的起始步骤 `{}` 不存在", st.value))
                            .help(format!("可用的步骤：{step_list}")),
                    );
                }
                if let Some(l) = &o.link
                    && !fields.contains(l.value.as_str())
                {
                    e.push(
                        self.at(l, format!("记录开启案件编号的字段 `{}` 未声明", l.value))
                            .help(format!(
                                "请在 fields 中声明它（文本字段）。已声明：{field_list}"
                            )),
                    );
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
            // A step this workflow's own opened cases start at is a start too.
            let mut queue = VecDeque::from([wf.start.value.as_str()]);
            for step in wf.steps.0.iter().map(|(_, s)| s) {
                for o in &step.opens {
                    if let Some(st) = &o.step
                        && o.workflow.value == *name
                    {
                        queue.push_back(st.value.as_str());
                    }
                }
            }
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
