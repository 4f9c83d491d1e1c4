//! `yingsu log`, `yingsu show` and `yingsu commit`: the archive's history as a clerk reads it,
//! a document restored from the commit that issued it, and files changed by hand recorded on
//! purpose (see [`yingsu::vcs`]).

use std::io::Write;

use yingsu::engine::Actor;
use yingsu::error::{Error, Result};
use yingsu::vcs::{self, history};
use yingsu::workspace::Workspace;

use crate::cli::w;

/// `yingsu log [案件编号] [--since 日期]`.
pub fn log(
    ws: &Workspace,
    case: Option<&str>,
    since: Option<&str>,
    out: &mut dyn Write,
) -> Result<()> {
    let since = since
        .map(|s| {
            yingsu::facts::parse_date(s).map_err(|why| {
                Error::user(
                    format!("--since 的日期 `{s}` 无效：{why}"),
                    "日期写成 2023-05-08 的形式",
                )
            })
        })
        .transpose()?;
    let entries = history::log(&ws.root, case, since)?;
    if entries.is_empty() {
        return w(
            out,
            match case {
                Some(id) => format!("案件 {id} 在历史中没有记录。"),
                None => "历史中没有记录。".to_string(),
            },
        );
    }
    for e in &entries {
        w(out, format!("{}  {}", e.when(), e.subject))?;
    }
    Ok(())
}

/// `yingsu show 文号`.
pub fn show(ws: &Workspace, number: &str, out: &mut dyn Write) -> Result<()> {
    let actor = Actor::from_env()?;
    let shown = history::show(ws, number, &actor)?;
    let short: String = shown.entry.commit.chars().take(8).collect();
    w(
        out,
        format!(
            "{number} 由 {} 印发：{}（提交 {short}）",
            shown.entry.when(),
            shown.entry.subject
        ),
    )?;
    w(
        out,
        match shown.restored {
            None => format!("文件 {} 与印发时一致，未作改动。", shown.file),
            Some(why) => format!(
                "文件 {} {why}，已从历史恢复为印发时的原件（逐字节一致）。",
                shown.file
            ),
        },
    )
}

/// `yingsu commit -m 说明`.
pub fn commit(ws: &Workspace, message: &str, out: &mut dyn Write) -> Result<()> {
    if message.trim().is_empty() {
        return Err(Error::user(
            "记录手工修改须写明说明",
            "用 -m 写明改了什么，例如 yingsu commit -m \"更正原告名称\"",
        ));
    }
    let actor = Actor::from_env()?;
    let changed = vcs::commit_by_hand(ws, &actor, message)?;
    if changed.is_empty() {
        return w(out, "没有手工修改的文件，无需记录。");
    }
    w(out, format!("已记入历史（经办人 {}）：", actor.who))?;
    for c in &changed {
        w(out, format!("  {} {}", c.how, c.path))?;
    }
    Ok(())
}

/// What `validate` and `status` add: the files changed by hand, or how to make the workspace a
/// repository. Said on standard error (standard output stays the report).
pub fn hand_changes_note(ws: &Workspace) {
    match vcs::changed_by_hand(&ws.root) {
        Ok(None) => eprintln!("{}", vcs::NOT_A_REPOSITORY),
        Ok(Some(changed)) if !changed.is_empty() => {
            eprintln!("以下文件在 yingsu 之外被修改，尚未记入历史：");
            for c in &changed {
                eprintln!("  {} {}", c.how, c.path);
            }
            eprintln!("核对无误后运行 `yingsu commit -m 说明` 记入历史。");
        }
        Ok(Some(_)) => {}
        Err(e) => eprintln!("提示：无法查看手工修改：{e}"),
    }
}
