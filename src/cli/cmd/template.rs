//! `template list` and `template show`: the built-in templates and the layout library, so that a
//! clerk can copy one into the workspace's `templates/` and change it there.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use clap::Subcommand;
use yingsu::error::{Error, Result};
use yingsu::workspace::{self, Workspace};

use crate::cli::{open, print_table, w};

#[derive(Subcommand, Debug)]
pub enum TemplateCommand {
    /// 列出内置模板和版式库，标出被工作区 templates/ 覆盖的模板
    List,
    /// 输出内置模板的原文，以便复制到工作区的 templates/ 修改：yingsu template show tishihan > templates/tishihan.typ
    Show {
        /// 模板名（如 tishihan、gbt9704、samples/letter）
        #[arg(value_name = "模板")]
        name: String,
    },
}

/// The layout library every template imports.
const LIBRARY: &str = "gbt9704";

/// Run a `template` command (a workspace is optional: without one, the built-in templates).
pub fn run(dir: &Option<PathBuf>, c: TemplateCommand, out: &mut dyn Write) -> Result<()> {
    let ws = open(dir).ok();
    match c {
        TemplateCommand::List => list(ws.as_ref(), out),
        TemplateCommand::Show { name } => {
            let wanted = name.trim().trim_end_matches(".typ");
            let Some((_, source)) =
                workspace::builtin_templates().find(|(p, _)| p.trim_end_matches(".typ") == wanted)
            else {
                let names = builtin_names();
                let mut help = format!("可用的内置模板：{}", names.join("、"));
                if let Some(n) =
                    crate::cli::suggest::closest(wanted, names.iter().map(String::as_str))
                {
                    help = format!("您是不是要输入 {n}？{help}");
                }
                return Err(Error::user(format!("没有名为 `{name}` 的内置模板"), help));
            };
            if let Some(t) = ws
                .as_ref()
                .and_then(|ws| ws.templates.get(&format!("{wanted}.typ")))
                .filter(|t| t.source.as_ref() != source)
            {
                eprintln!(
                    "注意：工作区的 {} 覆盖了这个内置模板；以下是内置版本",
                    t.origin.display()
                );
            }
            out.write_all(source.as_bytes())
                .map_err(|e| Error::io("输出", "stdout", e))
        }
    }
}

fn builtin_names() -> Vec<String> {
    workspace::builtin_templates()
        .map(|(p, _)| p.trim_end_matches(".typ").to_string())
        .collect()
}

/// What a template makes, from its first comment line (`// tishihan.typ — 出庭应诉提示函: …`).
fn description(name: &str, source: &str) -> String {
    if name == LIBRARY {
        return "版式库：GB/T 9704-2012《党政机关公文格式》，其他模板都引用它".to_string();
    }
    if name.starts_with("samples/") {
        return "示例".to_string();
    }
    let first = source.lines().next().unwrap_or_default();
    let Some((_, rest)) = first.split_once('—') else {
        return String::new();
    };
    let end = [":", ",", " (", " of ", ";", ". "]
        .iter()
        .filter_map(|s| rest.find(s))
        .min()
        .unwrap_or(rest.len());
    rest[..end].trim().to_string()
}

fn list(ws: Option<&Workspace>, out: &mut dyn Write) -> Result<()> {
    // Where each template is used: workflow/step.
    let mut used: BTreeMap<String, Vec<String>> = BTreeMap::new();
    if let Some(ws) = ws {
        for (n, wf) in &ws.workflows {
            for (k, s) in &wf.spec.steps.0 {
                for d in &s.documents {
                    let at = format!("{n}/{}", k.value);
                    let list = used.entry(d.template.value.clone()).or_default();
                    if !list.contains(&at) {
                        list.push(at);
                    }
                }
            }
        }
    }
    // The reports' templates, made by `yingsu report`.
    for (template, command) in [("yuebao", "report monthly"), ("tongbao", "report bulletin")] {
        used.entry(template.to_string())
            .or_default()
            .push(format!("yingsu {command}"));
    }
    let mut rows = Vec::new();
    let mut builtin: Vec<(&str, &str)> = workspace::builtin_templates().collect();
    // The layout library first: every other template builds on it.
    builtin.sort_by_key(|(p, _)| (p.trim_end_matches(".typ") != LIBRARY, *p));
    for (path, source) in &builtin {
        let name = path.trim_end_matches(".typ");
        let origin = match ws.and_then(|ws| ws.templates.get(*path)) {
            Some(t) if t.source.as_ref() != *source => {
                format!("工作区 {}（覆盖内置）", t.origin.display())
            }
            Some(t) if !t.origin.starts_with("内置模板") => {
                format!("工作区 {}（与内置相同）", t.origin.display())
            }
            _ => "内置".to_string(),
        };
        rows.push(vec![
            name.to_string(),
            description(name, source),
            used.get(name).map(|u| u.join("、")).unwrap_or_default(),
            origin,
        ]);
    }
    if let Some(ws) = ws {
        for (path, t) in &ws.templates {
            if builtin.iter().any(|(p, _)| p == path) {
                continue;
            }
            let name = path.trim_end_matches(".typ");
            rows.push(vec![
                name.to_string(),
                description(name, &t.source),
                used.get(name).map(|u| u.join("、")).unwrap_or_default(),
                format!("工作区 {}（自有）", t.origin.display()),
            ]);
        }
    }
    print_table(out, &["模板", "说明", "用于", "来源"], &rows)?;
    w(out, "")?;
    w(
        out,
        "取出内置模板修改：yingsu template show 模板名 > templates/模板名.typ（同名文件覆盖内置模板）",
    )
}
