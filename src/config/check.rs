//! Checking `yingsu.yaml`: owns parsing it into a [`Config`] with its working-day calendar and
//! every check made on the way (numbering, name lengths, who reports to whom, seal images), each
//! problem at its line; and what `init` left to fill in.

use std::path::Path;

use super::{AgencyOrder, Config, Relation, Seal, TemplateLimits, WorkCalendar};
use crate::error::{Diagnostic, Errors, Result};
use crate::yaml;

impl Config {
    /// Parse and check `yingsu.yaml`.
    pub fn parse(file: &Path, source: &str) -> Result<(Config, WorkCalendar)> {
        let mut config: Config = yaml::parse(file, source)?;
        let order: AgencyOrder = yaml::parse(file, source)?;
        config.agency_order = order.agencies.keys().map(str::to_string).collect();
        let calendar = config.check(file, source)?;
        Ok((config, calendar))
    }

    fn check(&self, file: &Path, source: &str) -> Result<WorkCalendar> {
        let mut errors = Errors::default();
        let calendar = self.calendar.work_calendar(file, source, &mut errors);
        let root = file.parent().unwrap_or(Path::new("."));
        for (id, i) in &self.issuers {
            if let Some(seal) = &i.seal
                && let Seal::Image(p) = &seal.value
                && let Err(why) = check_seal_image(root, p)
            {
                errors.push(
                    yaml::at(file, source, seal, format!("发文机关 `{id}` 的印章图片 `{p}` {why}"))
                        .help("seal 写工作区内图片的相对路径（PNG、JPEG 或 SVG，如 seals/sfj.png）；用印刷后手工盖章的版式写 seal: true；不盖章写 seal: false"),
                );
            }
        }
        for (id, a) in &self.agencies {
            if !self.groups.contains_key(&a.group) {
                errors.push(
                    Diagnostic::new(format!(
                        "单位 `{id}` 的分组 `{}` 未在 groups 中定义",
                        a.group
                    ))
                    .in_file(file)
                    .help(format!(
                        "可用的分组：{}",
                        self.groups.keys().collect::<Vec<_>>().join("、")
                    )),
                );
            }
            if let Some(i) = &a.issuer
                && !self.issuers.contains_key(i)
            {
                errors.push(
                    Diagnostic::new(format!("单位 `{id}` 的发文机关 `{i}` 未在 issuers 中定义"))
                        .in_file(file)
                        .help("请在 issuers 下添加它，或改为已定义的发文机关"),
                );
            }
        }
        self.check_name_lengths(file, source, &mut errors);
        self.check_numbering(file, source, &mut errors);
        for (name, setting) in &self.deadlines {
            if let Some(why) = setting.too_long() {
                let d = Diagnostic::new(format!("deadlines 中的 `{name}`：{why}"));
                let d = match yaml::key_pos(source, name) {
                    Some(pos) => d.at(file, source, pos),
                    None => d.in_file(file),
                };
                errors.push(d.help(
                    "请核对期限的长度，例如 loss_report: {working_days: 15}、{calendar_days: 30} 或 {months: 6}",
                ));
            }
        }
        let limits = &self.template_limits;
        for (key, value, range, unit) in [
            ("seconds", limits.seconds, TemplateLimits::SECONDS, "秒"),
            (
                "memory_mb",
                limits.memory_mb,
                TemplateLimits::MEMORY_MB,
                "MB",
            ),
        ] {
            if !range.contains(&value) {
                let d = Diagnostic::new(format!(
                    "template_limits.{key} 应在 {} 到 {} {unit}之间，现为 {value}",
                    range.start(),
                    range.end()
                ));
                let d = match yaml::key_pos(source, key) {
                    Some(pos) => d.at(file, source, pos),
                    None => d.in_file(file),
                };
                errors.push(d.help(
                    "template_limits 限定用工作区模板排版一份文书的时间和内存，例如 template_limits: {seconds: 60, memory_mb: 2048}",
                ));
            }
        }
        self.check_hierarchy(file, source, &mut errors);
        if !(0.0..=100.0).contains(&self.targets.floor) {
            errors.push(
                Diagnostic::new(format!(
                    "targets.floor 应在 0 到 100 之间，现为 {}",
                    self.targets.floor
                ))
                .in_file(file)
                .help("出庭率下限按百分数填写，例如 90"),
            );
        }
        errors.into_result()?;
        Ok(calendar)
    }

    /// Checks `numbering` (declared starts of number sequences), each at its line: the 文号代字
    /// must be one an issuer numbers with, the year a year, the start a number from 1.
    fn check_numbering(&self, file: &Path, source: &str, errors: &mut Errors) {
        let prefixes: std::collections::BTreeSet<&str> = self
            .issuers
            .values()
            .flat_map(|i| i.prefix.iter().chain(i.prefixes.values()))
            .map(String::as_str)
            .collect();
        let example = "numbering: {渝北司函: {2023: 5}}（本年在 yingsu 之外已编到 4 号，yingsu 从 5 号接着编）";
        for (prefix, years) in &self.numbering {
            if !prefixes.contains(prefix.as_str()) {
                let d = Diagnostic::new(format!(
                    "numbering 中的文号代字 `{prefix}` 不是任何发文机关的代字"
                ));
                let d = match yaml::key_pos(source, prefix) {
                    Some(pos) => d.at(file, source, pos),
                    None => d.in_file(file),
                };
                errors.push(d.help(format!(
                    "写 issuers 中 prefix 或 prefixes 的代字之一：{}；例如 {example}",
                    prefixes.iter().copied().collect::<Vec<_>>().join("、")
                )));
            }
            for (year, start) in years {
                let bad_year = !(1990..=9999).contains(year);
                let bad_start = !(1..=999_999).contains(&start.value);
                if bad_year || bad_start {
                    let message = if bad_year {
                        format!("numbering.{prefix} 中的年份 {year} 无效")
                    } else {
                        format!(
                            "numbering.{prefix}.{year} 的起始文号 {} 无效：应在 1 到 999999 之间",
                            start.value
                        )
                    };
                    errors.push(
                        yaml::at(file, source, start, message)
                            .help(format!("按年份写 yingsu 编发的第一个文号，例如 {example}")),
                    );
                }
            }
        }
    }

    /// Refuses names that become parts of file names but are too long for one (an agency id in
    /// its monthly report's name, a 文号代字 in its number register's): see [`MAX_NAME_CHARS`].
    fn check_name_lengths(&self, file: &Path, source: &str, errors: &mut Errors) {
        let agencies = self
            .agencies
            .keys()
            .map(|id| (format!("单位代码 `{id}`"), id, yaml::key_pos(source, id)));
        let prefixes = self.issuers.iter().flat_map(|(id, i)| {
            i.prefix.iter().chain(i.prefixes.values()).map(move |p| {
                (
                    format!("发文机关 `{id}` 的文号代字 `{p}`"),
                    p,
                    value_pos(source, p),
                )
            })
        });
        for (what, name, pos) in agencies.chain(prefixes) {
            let count = name.chars().count();
            if count <= MAX_NAME_CHARS {
                continue;
            }
            let d = Diagnostic::new(format!(
                "{what} 太长：共 {count} 个字符，超过 {MAX_NAME_CHARS} 个字符的上限（它会成为文件名的一部分）"
            ));
            let d = match pos {
                Some(pos) => d.at(file, source, pos),
                None => d.in_file(file),
            };
            errors.push(d.help(format!(
                "改用不超过 {MAX_NAME_CHARS} 个字符的简短名称，如 渝北司函、scjgj"
            )));
        }
    }

    /// Who does not report to whom: checks of `bureau:` and of each agency's `relation` and
    /// `reports_to` (a government does not report to its own justice bureau).
    fn check_hierarchy(&self, file: &Path, source: &str, errors: &mut Errors) {
        let at = |key: &str, d: Diagnostic| match key_in_section(source, "agencies", key)
            .or_else(|| yaml::key_pos(source, key))
        {
            Some(pos) => d.at(file, source, pos),
            None => d.in_file(file),
        };
        if self.level().is_none() {
            errors.push(at(
                "region",
                Diagnostic::new(format!(
                    "无法从 region “{}” 判断本级是区、县、市还是省",
                    self.region
                ))
                .help("在 yingsu.yaml 中加上 bureau: {level: 区}（或 县、市、省），区域用语（全区、区政府各部门……）按它生成"),
            ));
        }
        if let Some(i) = &self.bureau.issuer
            && !self.issuers.contains_key(i)
        {
            errors.push(at(
                "bureau",
                Diagnostic::new(format!("bureau.issuer `{i}` 未在 issuers 中定义"))
                    .help("写本工作区司法局的发文机关编号（如 sfj），或删去这一行"),
            ));
        }
        if let Some(g) = &self.bureau.government
            && !self.agencies.contains_key(g)
        {
            errors.push(at(
                "bureau",
                Diagnostic::new(format!("bureau.government `{g}` 未在 agencies 中定义"))
                    .help("写本级政府在 agencies 中的编号（如 qzf），或删去这一行"),
            ));
        }
        for d in self.agencies_without_issuer(file, source) {
            errors.push(d);
        }
        let bureau = self.bureau_issuer();
        let (bureau_name, _) = self.bureau_names();
        for (id, a) in &self.agencies {
            let reports = a.reports_to.as_deref();
            if let Some(r) = reports
                && r.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !self.issuers.contains_key(r)
                && !self.agencies.contains_key(r)
            {
                errors.push(at(
                    id,
                    Diagnostic::new(format!(
                        "单位 `{id}` 的 reports_to `{r}` 既不是 issuers 也不是 agencies 中的编号"
                    ))
                    .help("写接收败诉案件总结报告的机关编号，或直接写机关全称，如 reports_to: 重庆市人民政府"),
                ));
            }
            if self.relation(id) != Relation::Above {
                continue;
            }
            let to_bureau = match reports {
                Some(r) => Some(r) == bureau || r == bureau_name,
                None => false,
            };
            let unknown = reports.is_none() && self.superior().is_none();
            if to_bureau || unknown {
                let why = if to_bureau {
                    format!(
                        "单位 `{id}`（{}）是{bureau_name}的上级，败诉案件总结报告不能报送{bureau_name}",
                        a.name
                    )
                } else {
                    format!(
                        "单位 `{id}`（{}）是司法局的上级，但无法从 region 推断它的败诉案件总结报告报送哪个机关",
                        a.name
                    )
                };
                errors.push(at(id, Diagnostic::new(why).help(format!(
                    "在 agencies.{id} 下写 reports_to: 上一级人民政府的全称（如 reports_to: 重庆市人民政府），或在 bureau 下写 superior"
                ))));
            }
        }
    }

    /// Values `init` leaves to fill in (“请填写……”), each with the
    /// line of `yingsu.yaml` it is on: 未填写 notes for `validate`. Documents never print them.
    pub fn unfilled(&self, source: &str) -> Vec<String> {
        let mut found = Vec::new();
        let mut note = |what: String, value: &str| {
            let line = source
                .lines()
                .position(|l| l.contains(value))
                .map_or(String::new(), |n| format!("第 {} 行", n + 1));
            found.push(format!("yingsu.yaml {line} {what}（现为“{value}”）"));
        };
        for (id, i) in &self.issuers {
            for (key, label, v) in [
                ("principal", "主要负责人", &i.principal),
                ("contact", "联系人", &i.contact),
                ("phone", "联系电话", &i.phone),
            ] {
                if let Some(v) = v.as_deref().filter(|v| is_placeholder(v)) {
                    note(format!("发文机关 {id} 的{label}（{key}）"), v);
                }
            }
        }
        for (id, a) in &self.agencies {
            if let Some(v) = a.principal.as_deref().filter(|v| is_placeholder(v)) {
                note(format!("单位 {id} 的主要负责人（principal）"), v);
            }
        }
        found
    }

    /// Agencies without an `issuer`: documents a workflow issues as `agency` cannot be signed
    /// or numbered for them. Each with the line to add to `yingsu.yaml`.
    pub(crate) fn agencies_without_issuer(&self, file: &Path, source: &str) -> Vec<Diagnostic> {
        self.agencies
            .iter()
            .filter(|(_, a)| a.issuer.is_none())
            .map(|(id, a)| {
                let d = Diagnostic::new(format!(
                    "单位 `{id}`（{}）没有发文机关（issuer），它的提示函、情况说明和败诉案件总结报告无法署名和编号",
                    a.name
                ));
                let d = match key_in_section(source, "agencies", id) {
                    Some(pos) => d.at(file, source, pos),
                    None => d.in_file(file),
                };
                let listed = self.issuers.contains_key(id);
                d.help(if listed {
                    format!("在 yingsu.yaml 的 agencies.{id} 下加一行：issuer: {id}")
                } else {
                    format!(
                        "在 yingsu.yaml 的 agencies.{id} 下加一行：issuer: {id}，并在 issuers 下添加：{id}: {{name: {}, prefix: 某某函, prefixes: {{报告: 某某文}}}}（代字改为本单位的机关代字）",
                        a.name
                    )
                })
            })
            .collect()
    }
}

/// The most characters of a name in `yingsu.yaml` that becomes part of a file name (an
/// agency id, a 文号代字): with the rest of the name and a temporary suffix it stays far below
/// the 255 bytes a file name may have (a Chinese character takes 3), and far above any real
/// 代字 (重庆市渝北区人民政府办公室函 has 14).
pub const MAX_NAME_CHARS: usize = 32;

/// Where `value` is first written as a value (after `:` or `- `, or in a flow mapping) in a
/// YAML text, at the value.
fn value_pos(source: &str, value: &str) -> Option<crate::error::Pos> {
    source.lines().enumerate().find_map(|(n, line)| {
        let at = line.find(value)?;
        let before = line[..at].trim_end().trim_end_matches(['"', '\'']);
        (before.ends_with(':') || before.ends_with('-') || before.ends_with(',')).then(|| {
            crate::error::Pos {
                line: n + 1,
                column: line[..at].chars().count() + 1,
            }
        })
    })
}

/// The position of `key:` inside the top-level section `section:` of `source`.
fn key_in_section(source: &str, section: &str, key: &str) -> Option<crate::error::Pos> {
    let start = source
        .lines()
        .position(|l| l.starts_with(&format!("{section}:")))?;
    let prefix = format!("{key}:");
    source
        .lines()
        .enumerate()
        .skip(start + 1)
        .take_while(|(_, l)| l.is_empty() || l.starts_with(' ') || l.starts_with('#'))
        .find_map(|(n, line)| {
            let t = line.trim_start();
            t.starts_with(&prefix).then(|| crate::error::Pos {
                line: n + 1,
                column: line.chars().count() - t.chars().count() + 1,
            })
        })
}

/// A value `init` leaves to fill in: “请填写……” (or nothing at all).
pub fn is_placeholder(v: &str) -> bool {
    let v = v.trim();
    v.starts_with("请填写") || v.is_empty()
}

/// Why a seal image path cannot be used, if it cannot: it must be a relative path inside the
/// workspace to an existing PNG, JPEG or SVG file.
fn check_seal_image(root: &Path, p: &str) -> std::result::Result<(), String> {
    let rel = Path::new(p);
    if rel.is_absolute()
        || p.starts_with('/')
        || rel
            .components()
            .any(|c| !matches!(c, std::path::Component::Normal(_)))
    {
        return Err("必须是工作区内的相对路径，不能以 / 开头或含有 ..".into());
    }
    let ext = rel
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase());
    if !matches!(ext.as_deref(), Some("png" | "jpg" | "jpeg" | "svg")) {
        return Err("不是 PNG、JPEG 或 SVG 图片".into());
    }
    match std::fs::metadata(root.join(rel)) {
        Err(_) => return Err("不存在".into()),
        Ok(m) if m.is_dir() => return Err("是一个文件夹，不是图片文件".into()),
        Ok(m) if !m.is_file() => {
            return Err("不是普通文件（是管道、设备等特殊文件），不能作为图片读取".into());
        }
        Ok(_) => {}
    }
    Ok(())
}
