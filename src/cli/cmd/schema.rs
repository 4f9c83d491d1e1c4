//! `schema`: the JSON Schemas of the YAML files, for editors (see [`yingsu::schema`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use yingsu::error::{Error, Result};
use yingsu::workspace;

use crate::cli::open;

/// Which file a schema describes.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// 案件记录（cases/**/*.yaml），字段取自工作区的流程
    Case,
    /// 工作区配置（yingsu.yaml）
    Config,
    /// 流程定义（workflows/*.yaml）
    Workflow,
}

/// Print the schema of `kind`; the case schema is the workspace's (without one, the built-in
/// workflows' with the configuration `init` writes).
pub fn run(dir: &Option<PathBuf>, kind: SchemaKind, out: &mut dyn Write) -> Result<()> {
    let schema = match kind {
        SchemaKind::Config => yingsu::schema::config(),
        SchemaKind::Workflow => yingsu::schema::workflow(),
        SchemaKind::Case => match open(dir) {
            Ok(ws) => yingsu::schema::case(&ws.workflows, &ws.config),
            Err(_) => {
                let config = yingsu::config::Config::parse(
                    Path::new("yingsu.yaml"),
                    workspace::INIT_CONFIG,
                )?
                .0;
                let templates = workspace::builtin_templates()
                    .map(|(p, _)| p.trim_end_matches(".typ").to_string())
                    .collect();
                let names = workspace::builtin_workflows()
                    .map(|(n, _)| n.to_string())
                    .collect();
                let context = yingsu::workflow::Context {
                    config: &config,
                    templates: &templates,
                    workflows: &names,
                };
                let mut workflows = BTreeMap::new();
                for (name, source) in workspace::builtin_workflows() {
                    let file = PathBuf::from(format!("内置流程/{name}.yaml"));
                    let wf = yingsu::workflow::Workflow::load(&file, source, &context)?;
                    workflows.insert(name.to_string(), wf);
                }
                yingsu::schema::case(&workflows, &config)
            }
        },
    };
    let text = serde_json::to_string_pretty(&schema).map_err(|e| Error::Internal(e.to_string()))?;
    writeln!(out, "{text}").map_err(|e| Error::io("输出", "stdout", e))
}
