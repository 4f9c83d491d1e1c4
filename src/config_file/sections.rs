//! The settings a clerk maintains from a form (the workbench's settings page): owns the
//! sections of `yingsu.yaml` it offers (the bureau, groups, agencies, issuers, courts), each
//! value's label, help and choices, reading an entry's values and saving a submitted form as
//! checked edits written back by [`super::try_write_back`].

use serde::Serialize;
use serde_json::Value;

use super::{ConfigEdit, try_write_back};
use crate::config::Config;
use crate::error::{Error, Result};
use crate::workspace::Workspace;

/// A part of `yingsu.yaml` a clerk maintains from the settings page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Section {
    /// `agencies:` — the units that can be sued.
    Agencies,
    /// `courts:` — id → full name.
    Courts,
    /// `issuers:` — the bodies that issue documents, with their number prefixes.
    Issuers,
    /// `region:` and `bureau:` — the bureau's details.
    Bureau,
    /// `groups:` — the agencies' groups for statistics, with how their rate is counted.
    Groups,
}

/// One value of a section a clerk edits: its key, its label and help, whether it must be
/// given, and the section whose ids it names (`groups`, `issuers`, `agencies`).
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Setting {
    pub key: &'static str,
    pub label: &'static str,
    pub help: &'static str,
    pub required: bool,
    pub of: Option<&'static str>,
    /// The values it may take, as (value written in `yingsu.yaml`, what the clerk reads);
    /// empty: any text.
    pub choices: &'static [(&'static str, &'static str)],
}

const fn setting(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    required: bool,
    of: Option<&'static str>,
) -> Setting {
    Setting {
        key,
        label,
        help,
        required,
        of,
        choices: &[],
    }
}

const fn choice(
    key: &'static str,
    label: &'static str,
    help: &'static str,
    choices: &'static [(&'static str, &'static str)],
) -> Setting {
    Setting {
        key,
        label,
        help,
        required: true,
        of: None,
        choices,
    }
}

const GROUP: &[Setting] = &[
    setting(
        "title",
        "名称",
        "统计表和通报中的分组名称，如 区政府部门、镇街",
        true,
        None,
    ),
    choice(
        "denominator",
        "出庭率的分母",
        "负责人出庭应诉率按哪些案件计算",
        &[
            ("notices", "法院通知负责人出庭的案件"),
            ("hearings", "开庭审理的案件"),
        ],
    ),
];

const AGENCY: &[Setting] = &[
    setting("name", "全称", "如 重庆市渝北区公安分局", true, None),
    setting("short", "简称", "用于正文，如 区公安分局", false, None),
    setting("group", "统计分组", "出庭率按组计算", true, Some("groups")),
    setting("kind", "单位类型", "如 区政府、部门、镇街", false, None),
    setting(
        "issuer",
        "发文机关",
        "该单位自己发文时使用的发文机关",
        true,
        Some("issuers"),
    ),
    setting("principal", "主要负责人", "法定代表人姓名", false, None),
    setting("principal_post", "主要负责人职务", "如 局长", false, None),
];

const COURT: &[Setting] = &[setting(
    "name",
    "全称",
    "如 重庆市渝北区人民法院",
    true,
    None,
)];

const ISSUER: &[Setting] = &[
    setting("name", "全称", "用于署名", true, None),
    setting("short", "简称", "用于正文", false, None),
    setting(
        "mark",
        "发文机关标志",
        "公文版头的红色大字，省略时用全称",
        false,
        None,
    ),
    setting(
        "prefix",
        "函的机关代字",
        "发文字号的前缀，如 渝北司函（文号形如 渝北司函〔2023〕5号）",
        false,
        None,
    ),
    setting(
        "prefixes.文件",
        "文件的机关代字",
        "文件格式公文（如通报）发文字号的前缀，如 渝北司发",
        false,
        None,
    ),
    setting(
        "prefixes.报告",
        "报告的机关代字",
        "报告（如败诉案件总结报告）发文字号的前缀，如 渝北司文",
        false,
        None,
    ),
    setting("principal", "主要负责人", "", false, None),
    setting("contact", "联系人", "用于附注", false, None),
    setting("phone", "联系电话", "用于附注", false, None),
];

const BUREAU: &[Setting] = &[
    setting(
        "region",
        "行政区域",
        "用于文书和统计，如 重庆市渝北区",
        true,
        None,
    ),
    setting(
        "name",
        "司法局全称",
        "省略时用发文机关的全称或“行政区域+司法局”",
        false,
        None,
    ),
    setting("short", "司法局简称", "省略时用发文机关的简称", false, None),
    setting(
        "issuer",
        "司法局的发文机关",
        "省略时为 sfj",
        false,
        Some("issuers"),
    ),
    setting(
        "government",
        "本级政府",
        "被诉单位中的本级人民政府",
        false,
        Some("agencies"),
    ),
    setting(
        "superior",
        "上级政府",
        "省略时按行政区域推定，如 重庆市人民政府",
        false,
        None,
    ),
];

impl Section {
    /// The section a page names (`agencies`, `courts`, `issuers`, `bureau`).
    pub fn parse(name: &str) -> Option<Section> {
        match name {
            "agencies" => Some(Section::Agencies),
            "courts" => Some(Section::Courts),
            "issuers" => Some(Section::Issuers),
            "bureau" => Some(Section::Bureau),
            "groups" => Some(Section::Groups),
            _ => None,
        }
    }

    /// Its key in `yingsu.yaml`.
    pub fn key(self) -> &'static str {
        match self {
            Section::Agencies => "agencies",
            Section::Courts => "courts",
            Section::Issuers => "issuers",
            Section::Bureau => "bureau",
            Section::Groups => "groups",
        }
    }

    /// What a clerk calls one of its entries.
    pub fn title(self) -> &'static str {
        match self {
            Section::Agencies => "被诉单位",
            Section::Courts => "法院",
            Section::Issuers => "发文机关",
            Section::Bureau => "司法局",
            Section::Groups => "统计分组",
        }
    }

    /// The values a clerk edits.
    pub fn settings(self) -> &'static [Setting] {
        match self {
            Section::Agencies => AGENCY,
            Section::Courts => COURT,
            Section::Issuers => ISSUER,
            Section::Bureau => BUREAU,
            Section::Groups => GROUP,
        }
    }

    /// Where value `key` of entry `id` lives in `yingsu.yaml`.
    fn path(self, id: &str, key: &str) -> Vec<String> {
        let p: Vec<&str> = match (self, key) {
            (Section::Courts, _) => vec!["courts", id],
            (Section::Bureau, "region") => vec!["region"],
            (Section::Bureau, k) => vec!["bureau", k],
            (Section::Issuers, k) if k.starts_with("prefixes.") => {
                let mut p = vec![Section::Issuers.key(), id];
                p.extend(k.split('.'));
                p
            }
            (s, k) => vec![s.key(), id, k],
        };
        p.into_iter().map(str::to_string).collect()
    }
}

/// The values of entry `id` of `section` (the bureau: `id` is ignored), by key, empty where
/// not given; none when there is no such entry.
pub fn values(cfg: &Config, section: Section, id: &str) -> Option<Vec<(&'static str, String)>> {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    let pairs: Vec<(&'static str, String)> = match section {
        Section::Agencies => {
            let a = cfg.agencies.get(id)?;
            vec![
                ("name", a.name.clone()),
                ("short", o(&a.short)),
                ("group", a.group.clone()),
                ("kind", o(&a.kind)),
                ("issuer", o(&a.issuer)),
                ("principal", o(&a.principal)),
                ("principal_post", o(&a.principal_post)),
            ]
        }
        Section::Courts => vec![("name", cfg.courts.get(id)?.clone())],
        Section::Issuers => {
            let i = cfg.issuers.get(id)?;
            vec![
                ("name", i.name.clone()),
                ("short", o(&i.short)),
                ("mark", o(&i.mark)),
                ("prefix", o(&i.prefix)),
                (
                    "prefixes.文件",
                    i.prefixes.get("文件").cloned().unwrap_or_default(),
                ),
                (
                    "prefixes.报告",
                    i.prefixes.get("报告").cloned().unwrap_or_default(),
                ),
                ("principal", o(&i.principal)),
                ("contact", o(&i.contact)),
                ("phone", o(&i.phone)),
            ]
        }
        Section::Groups => {
            let g = cfg.groups.get(id)?;
            let denominator = match g.denominator {
                crate::config::Denominator::Notices => "notices",
                crate::config::Denominator::Hearings => "hearings",
            };
            vec![
                ("title", g.title.clone()),
                ("denominator", denominator.to_string()),
            ]
        }
        Section::Bureau => {
            let b = &cfg.bureau;
            vec![
                ("region", cfg.region.clone()),
                ("name", o(&b.name)),
                ("short", o(&b.short)),
                ("issuer", o(&b.issuer)),
                ("government", o(&b.government)),
                ("superior", o(&b.superior)),
            ]
        }
    };
    Some(pairs)
}

/// The ids of `section`'s entries, in the order `yingsu.yaml` lists agencies, by id otherwise.
pub fn ids(cfg: &Config, section: Section) -> Vec<String> {
    match section {
        Section::Agencies => cfg.agency_order.clone(),
        Section::Courts => cfg.courts.keys().cloned().collect(),
        Section::Issuers => cfg.issuers.keys().cloned().collect(),
        Section::Groups => cfg.groups.0.iter().map(|(k, _)| k.value.clone()).collect(),
        Section::Bureau => Vec::new(),
    }
}

/// A value of the settings form that must be put right, beside its field (`_id` for a new
/// entry's id, empty for the form as a whole).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingProblem {
    pub field: String,
    pub message: String,
    pub help: Option<String>,
}

/// The form field of a new entry's id.
pub const ID_FIELD: &str = "_id";

/// Save the settings form of entry `id` of `section` (`adding`: a new entry) with `submitted`
/// (key → value; a blank value removes an optional one): checked value by value, then as the
/// workspace reads `yingsu.yaml` ([`try_write_back`]); nothing is written when anything is
/// wrong, and what is wrong comes back beside its field. Returns the file's new text.
pub fn save(
    ws: &Workspace,
    section: Section,
    id: &str,
    submitted: &[(String, String)],
    adding: bool,
) -> Result<std::result::Result<String, Vec<SettingProblem>>> {
    let cfg = &ws.config;
    let mut problems = Vec::new();
    let problem = |field: &str, message: String, help: Option<String>| SettingProblem {
        field: field.to_string(),
        message,
        help,
    };
    let id = id.trim();
    let current = if adding {
        if let Some(p) = check_new_id(cfg, section, id) {
            problems.push(problem(ID_FIELD, p.0, Some(p.1)));
        }
        Vec::new()
    } else {
        values(cfg, section, id).ok_or_else(|| {
            Error::user(
                format!("yingsu.yaml 的 {} 中没有编号 `{id}`", section.key()),
                "从设置页面的列表中选择要修改的一项",
            )
        })?
    };
    let mut edits = Vec::new();
    let mut keys = Vec::new();
    // An issuer's prefixes by kind (`prefixes.文件`) change as one mapping, written whole: the
    // file may hold it in flow style (`prefixes: {文件: …, 报告: …}`), which is replaced.
    let mut prefixes: Option<std::collections::BTreeMap<String, String>> = None;
    let mut prefix_key: Option<&'static str> = None;
    for s in section.settings() {
        let given = submitted
            .iter()
            .find(|(k, _)| k == s.key)
            .map(|(_, v)| v.trim())
            .unwrap_or("");
        if let Some(kind) = s.key.strip_prefix("prefixes.") {
            let unchanged = current.iter().any(|(k, v)| *k == s.key && v == given)
                || (given.is_empty() && !current.iter().any(|(k, _)| *k == s.key));
            if unchanged {
                continue;
            }
            if !given.is_empty() {
                let label = format!("{}{}", section.title(), s.label);
                if let Err(e) = crate::entry::check_text(&label, given, crate::entry::Field::LINE) {
                    for d in e.diagnostics() {
                        problems.push(problem(s.key, d.message.clone(), d.help.clone()));
                    }
                    continue;
                }
            }
            let map = prefixes.get_or_insert_with(|| {
                cfg.issuers
                    .get(id)
                    .filter(|_| !adding)
                    .map(|i| i.prefixes.clone())
                    .unwrap_or_default()
            });
            if given.is_empty() {
                map.remove(kind);
            } else {
                map.insert(kind.to_string(), given.to_string());
            }
            prefix_key.get_or_insert(s.key);
            continue;
        }
        let label = format!("{}{}", section.title(), s.label);
        if given.is_empty() {
            if s.required {
                problems.push(problem(
                    s.key,
                    format!("请填写{label}"),
                    Some(s.help.into()),
                ));
            } else if current.iter().any(|(k, v)| *k == s.key && !v.is_empty()) {
                edits.push(ConfigEdit::Remove {
                    path: section.path(id, s.key),
                });
                keys.push(s.key);
            }
            continue;
        }
        if !s.choices.is_empty() && !s.choices.iter().any(|(v, _)| *v == given) {
            let names: Vec<&str> = s.choices.iter().map(|(_, name)| *name).collect();
            problems.push(problem(
                s.key,
                format!("{label}只能选“{}”", names.join("”或“")),
                Some(s.help.into()),
            ));
            continue;
        }
        if let Err(e) = crate::entry::check_text(&label, given, crate::entry::Field::LINE) {
            for d in e.diagnostics() {
                problems.push(problem(s.key, d.message.clone(), d.help.clone()));
            }
            continue;
        }
        if current.iter().any(|(k, v)| *k == s.key && v == given) {
            continue;
        }
        edits.push(ConfigEdit::Set {
            path: section.path(id, s.key),
            value: Value::String(given.to_string()),
        });
        keys.push(s.key);
    }
    if let Some(map) = prefixes {
        let path = vec![section.key().to_string(), id.to_string(), "prefixes".into()];
        let had = cfg
            .issuers
            .get(id)
            .is_some_and(|i| !adding && !i.prefixes.is_empty());
        let key = prefix_key.unwrap_or("prefixes.文件");
        if map.is_empty() {
            if had {
                edits.push(ConfigEdit::Remove { path });
                keys.push(key);
            }
        } else {
            keys.push(key);
            let value = map
                .into_iter()
                .map(|(k, v)| (k, Value::String(v)))
                .collect::<serde_json::Map<String, Value>>();
            edits.push(ConfigEdit::Set {
                path,
                value: Value::Object(value),
            });
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    match try_write_back(ws, &edits)? {
        Ok(text) => Ok(Ok(text)),
        Err(r) => {
            let field = r.edit.and_then(|i| keys.get(i)).copied().unwrap_or("");
            Ok(Err(r
                .error
                .diagnostics()
                .into_iter()
                .map(|d| problem(field, d.message.clone(), d.help.clone()))
                .collect()))
        }
    }
}

/// Why `id` cannot name a new entry of `section`, as (message, help).
fn check_new_id(cfg: &Config, section: Section, id: &str) -> Option<(String, String)> {
    let help = "编号只用小写英文字母、数字和下划线，以字母开头，如 gaj、ybfy".to_string();
    if id.is_empty() {
        return Some((format!("请填写{}编号", section.title()), help));
    }
    let ok = id.chars().next().is_some_and(|c| c.is_ascii_lowercase())
        && id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok {
        return Some((
            format!("编号 `{id}` 不合规：只能用小写英文字母、数字和下划线"),
            help,
        ));
    }
    if let Some(existing) = cfg
        .entries(section.key())
        .into_iter()
        .find(|(k, _)| *k == id)
        .map(|(_, name)| name.to_string())
    {
        return Some((
            format!("编号 `{id}` 已被{}“{existing}”使用", section.title()),
            "换一个编号；要修改已有的一项，请在列表中编辑它".into(),
        ));
    }
    None
}

#[cfg(test)]
mod save_tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn the_culprit_of_several_edits_is_named_beside_its_field() {
        let dir = tempfile::tempdir().unwrap();
        crate::workspace::init(dir.path()).unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let before = std::fs::read(dir.path().join("yingsu.yaml")).unwrap();
        let problems = save(
            &ws,
            Section::Agencies,
            "gaj",
            &form(&[
                ("name", "重庆市渝北区公安分局"),
                ("group", "departments"),
                ("issuer", "nobody"),
            ]),
            true,
        )
        .unwrap()
        .unwrap_err();
        assert_eq!(
            problems,
            [SettingProblem {
                field: "issuer".into(),
                message: "把 agencies.gaj.issuer 改为“nobody”后，yingsu.yaml 不能通过检查：单位 `gaj` 的发文机关 `nobody` 未在 issuers 中定义".into(),
                help: Some("请在 issuers 下添加它，或改为已定义的发文机关".into()),
            }]
        );
        assert_eq!(
            std::fs::read(dir.path().join("yingsu.yaml")).unwrap(),
            before
        );
    }
}
