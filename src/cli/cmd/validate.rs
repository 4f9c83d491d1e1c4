//! `yingsu validate`: prints what the library's check of the whole workspace found
//! ([`yingsu::validate`]) — the registry lines written back, the warnings, then the problems (as
//! the command's error) or the counts, hints and fonts in use.

use std::io::Write;

use yingsu::engine::Actor;
use yingsu::error::Result;
use yingsu::pipeline::TypstRenderer;
use yingsu::validate::{self, Outcome};
use yingsu::workspace::Workspace;

use crate::cli::{print_table, w};

/// `yingsu validate`.
pub fn run(ws: &Workspace, out: &mut dyn Write) -> Result<()> {
    let today = Actor::from_env()?.today();
    let renderer = TypstRenderer::new();
    let found = validate::validate(ws, &renderer, today)?;
    for line in found.restored.iter().chain(&found.warnings) {
        w(out, line)?;
    }
    let passed = match found.outcome {
        Outcome::Problems(problems) => return Err(yingsu::Error::Many(problems)),
        Outcome::Passed(p) => p,
    };
    w(
        out,
        format!(
            "检查通过：{} 个流程，{} 个模板，{} 个案件。",
            passed.workflows, passed.templates, passed.cases
        ),
    )?;
    for line in &passed.hints {
        w(out, line)?;
    }
    // Placeholders `init` wrote: documents leave them out until they are filled in. Said on
    // standard error, like other warnings: standard output stays the report.
    for line in &passed.unfilled {
        eprintln!("未填写：{line}，文书中不印这一项；请改为实际的内容");
    }
    w(out, "文书使用的字体：")?;
    let fonts: Vec<Vec<String>> = passed
        .fonts?
        .into_iter()
        .map(|f| {
            let note = match f.instead_of {
                Some(o) => format!("（未找到{o}，以此代替）"),
                None => String::new(),
            };
            vec![f.role, format!("{}{note}", f.family), f.source]
        })
        .collect();
    print_table(out, &["用途", "字体", "来源"], &fonts)?;
    // Once the workspace passes: the files changed by hand, to record them (standard error).
    super::history::hand_changes_note(ws);
    Ok(())
}
