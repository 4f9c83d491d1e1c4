//! Workspace configuration: owns `yingsu.yaml` — issuing bodies and their document-number
//! prefixes, agencies and their groups, courts, supervision targets, deadlines and the working-day
//! calendar. Everything the engine knows about the local organisation comes from here.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::calendar::{DeadlineSetting, WorkCalendar};
use crate::error::{Diagnostic, Errors, Result};
use crate::yaml::{self, Spanned};

/// The parsed `yingsu.yaml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The region, e.g. 重庆市渝北区.
    pub region: String,
    /// Issuing bodies (发文机关) by id.
    #[serde(default)]
    pub issuers: BTreeMap<String, Issuer>,
    /// Agencies that can be sued, by id.
    #[serde(default)]
    pub agencies: BTreeMap<String, Agency>,
    /// Agency groups for statistics, by id.
    #[serde(default)]
    pub groups: crate::yaml::OrderedMap<Group>,
    /// Courts by id.
    #[serde(default)]
    pub courts: BTreeMap<String, String>,
    #[serde(default)]
    pub targets: Targets,
    /// Named deadlines that workflows refer to.
    #[serde(default)]
    pub deadlines: BTreeMap<String, DeadlineSetting>,
    /// Local holidays and working days, added to the official calendar.
    #[serde(default)]
    pub calendar: Calendar,
    /// Extra font folders, searched after the workspace's `fonts/` and before the bundled fonts.
    #[serde(default)]
    pub font_paths: Vec<String>,
    /// Whether the official fonts (方正小标宋简体, 仿宋_GB2312, 楷体_GB2312, 黑体 …) installed on
    /// the computer are used when present (default: yes).
    #[serde(default = "yes")]
    pub system_fonts: bool,
    /// Member workspaces (a city's districts, as git clones) whose figures `stats` combines,
    /// relative to this workspace's folder.
    #[serde(default)]
    pub members: Vec<String>,
    /// Bounds of one document typeset from the workspace's own templates (`templates/`).
    #[serde(default)]
    pub template_limits: TemplateLimits,
    /// Where a number sequence continues from numbers given outside yingsu: by 文号代字, then
    /// year, the first number yingsu gives (`numbering: {渝北司函: {2023: 5}}`); see
    /// [`Config::check_numbering`].
    #[serde(default)]
    pub numbering: BTreeMap<String, BTreeMap<i32, Spanned<u32>>>,
}

/// How long and how much memory one document typeset from the workspace's own templates may
/// take (built-in templates are part of the program and run without these bounds); see
/// [`crate::render::bounded`].
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TemplateLimits {
    /// Seconds one document may take (default 60).
    pub seconds: u64,
    /// Memory of the typesetting process, in MB (default 2048).
    pub memory_mb: u64,
}

impl TemplateLimits {
    /// The accepted range of `seconds`.
    pub const SECONDS: std::ops::RangeInclusive<u64> = 1..=3600;
    /// The accepted range of `memory_mb`: below 256 MB not even the fonts fit.
    pub const MEMORY_MB: std::ops::RangeInclusive<u64> = 256..=65536;
}

impl Default for TemplateLimits {
    fn default() -> Self {
        TemplateLimits {
            seconds: 60,
            memory_mb: 2048,
        }
    }
}

fn yes() -> bool {
    true
}

/// An issuing body: who signs a document and how its numbers are formed.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Issuer {
    /// Full name, e.g. 重庆市渝北区司法局.
    pub name: String,
    /// Short name used in running text, e.g. 区司法局.
    #[serde(default)]
    pub short: Option<String>,
    /// 发文机关标志 for the 公文 header; defaults to name + 文件.
    #[serde(default)]
    pub mark: Option<String>,
    /// Document-number prefix of its 函 (信函格式), e.g. 渝北司函.
    #[serde(default)]
    pub prefix: Option<String>,
    /// Document-number prefixes by 文种 or format, e.g. `{函: 渝北司函, 文件: 渝北司发,
    /// 报告: 渝北司文}` (see [`crate::docformat::prefix`]).
    #[serde(default)]
    pub prefixes: std::collections::BTreeMap<String, String>,
    /// The principal (负责人), e.g. for signatures.
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub contact: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// The seal (印章): absent or `false` for the no-seal layout (7.3.5.2); `true` for the
    /// layout a printed document is stamped on by hand (7.3.5.1); or the path of a seal image
    /// in the workspace (PNG/JPEG/SVG, e.g. `seals/sfj.png`), placed on the document.
    #[serde(default)]
    pub seal: Option<Spanned<Seal>>,
    /// The 文种 or formats (e.g. `[函]`, `[信函]`) this body issues without a 发文字号: such a
    /// document keeps its letterhead and has no number line.
    #[serde(default)]
    pub unnumbered: Vec<String>,
}

/// See [`Issuer::seal`].
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(untagged)]
pub enum Seal {
    Stamp(bool),
    Image(String),
}

impl Issuer {
    /// The seal as document templates read it: `none` (no seal), `true` (stamped by hand) or
    /// the image's path in the typesetting world (`/seals/sfj.png`).
    pub fn seal_value(&self) -> serde_json::Value {
        match self.seal.as_ref().map(|s| &s.value) {
            None | Some(Seal::Stamp(false)) => serde_json::Value::Null,
            Some(Seal::Stamp(true)) => serde_json::Value::Bool(true),
            Some(Seal::Image(p)) => serde_json::Value::String(format!(
                "/{}",
                p.replace('\\', "/").trim_start_matches('/')
            )),
        }
    }
}

/// An agency that can be sued (被诉行政机关).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Agency {
    pub name: String,
    #[serde(default)]
    pub short: Option<String>,
    /// Group id for statistics (see `groups`).
    pub group: String,
    /// Type label, e.g. 区政府, 部门, 镇街.
    #[serde(default)]
    pub kind: Option<String>,
    /// The issuer id this agency signs its own documents as.
    #[serde(default)]
    pub issuer: Option<String>,
    /// The principal (主要负责人), e.g. 法定代表人 in a 授权委托书.
    #[serde(default)]
    pub principal: Option<String>,
    #[serde(default)]
    pub principal_post: Option<String>,
    #[serde(default)]
    pub address: Option<String>,
}

/// How an agency group's appearance rate is counted.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Denominator {
    /// Court notices that require the head to appear.
    Notices,
    /// Hearings held (first-instance cases heard).
    Hearings,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    pub title: String,
    pub denominator: Denominator,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Targets {
    /// Minimum appearance rate per agency, in percent.
    #[serde(default = "default_floor")]
    pub floor: f64,
    /// Case flags (bool fields) that require a 100% appearance rate.
    #[serde(default = "default_full")]
    pub require_full: Vec<String>,
    /// Interview (约谈) units whose rate is 0% in a period.
    #[serde(default = "default_true")]
    pub interview_at_zero: bool,
    /// Open a rectification case for an absence without a valid reason.
    #[serde(default = "default_true")]
    pub rectify_unjustified: bool,
}

fn default_floor() -> f64 {
    90.0
}
fn default_true() -> bool {
    true
}
fn default_full() -> Vec<String> {
    vec![
        "major_public_interest".into(),
        "high_concern".into(),
        "mass_incident_risk".into(),
        "procuratorate_suit".into(),
    ]
}

impl Default for Targets {
    fn default() -> Self {
        Targets {
            floor: default_floor(),
            require_full: default_full(),
            interview_at_zero: true,
            rectify_unjustified: true,
        }
    }
}

/// Local additions to the official calendar ([`crate::calendar`]): `holidays` are local holidays
/// or days the office is closed, `workdays` are days worked although the official table or the
/// weekend says otherwise. Both win over the official table.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Calendar {
    #[serde(default)]
    pub holidays: Vec<Spanned<String>>,
    #[serde(default)]
    pub workdays: Vec<Spanned<String>>,
}

impl Config {
    /// Parse and check `yingsu.yaml`.
    pub fn parse(file: &Path, source: &str) -> Result<(Config, WorkCalendar)> {
        let config: Config = yaml::parse(file, source)?;
        let calendar = config.check(file, source)?;
        Ok((config, calendar))
    }

    fn check(&self, file: &Path, source: &str) -> Result<WorkCalendar> {
        let mut errors = Errors::default();
        let (mut holidays, mut workdays) = (Vec::new(), Vec::new());
        for (list, out) in [
            (&self.calendar.holidays, &mut holidays),
            (&self.calendar.workdays, &mut workdays),
        ] {
            for d in list {
                match crate::facts::parse_date(&d.value) {
                    Ok(date) => out.push(date),
                    Err(why) => errors.push(
                        yaml::at(file, source, d, format!("日期 `{}` 无效：{why}", d.value))
                            .help("日期写成 2023-05-08 的形式"),
                    ),
                }
            }
        }
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
        Ok(WorkCalendar::new(holidays, workdays))
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

    /// The declared first number of `prefix` in `year` (see [`Config::numbering`]).
    pub fn numbering_start(&self, prefix: &str, year: i32) -> Option<u32> {
        self.numbering
            .get(prefix)
            .and_then(|y| y.get(&year))
            .map(|s| s.value)
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

    /// The display name of an agency id, or the id itself.
    pub fn agency_name(&self, id: &str) -> String {
        self.agencies
            .get(id)
            .map(|a| a.name.clone())
            .unwrap_or_else(|| id.to_string())
    }

    /// The agency's short name (区市场监管局) where it has one, else its name.
    pub fn agency_short(&self, id: &str) -> String {
        self.agencies
            .get(id)
            .map(|a| a.short.clone().unwrap_or_else(|| a.name.clone()))
            .unwrap_or_else(|| id.to_string())
    }

    pub fn court_name(&self, id: &str) -> String {
        self.courts
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
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
