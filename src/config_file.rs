//! Writing `yingsu.yaml` back: owns changing the configuration a clerk maintains from a form —
//! an agency, a court, an issuer, the bureau's details — in the file itself, keeping every
//! comment and the order an administrator gave it ([`crate::yaml_edit`]). The new text must
//! pass every check `yingsu.yaml` passes when a workspace opens; only then does it replace the
//! file, atomically, under the workspace's write lock. A refused change leaves the file as it
//! was, byte for byte.

use serde_json::Value;

use crate::config::Config;
use crate::error::{Diagnostic, Error, Result};
use crate::workspace::{self, Workspace};
use crate::yaml_edit;

mod sections;
pub use sections::{ID_FIELD, Section, Setting, SettingProblem, ids, save, values};

/// One change to `yingsu.yaml`: a path of keys through its mappings (`agencies`, `gaj`,
/// `name`).
#[derive(Debug, Clone, PartialEq)]
pub enum ConfigEdit {
    /// Set the value at the path (an existing entry replaced, a new one added at the end of its
    /// mapping).
    Set { path: Vec<String>, value: Value },
    /// Remove the entry at the path, with the comment lines directly above it.
    Remove { path: Vec<String> },
}

impl ConfigEdit {
    fn path(&self) -> &[String] {
        match self {
            ConfigEdit::Set { path, .. } | ConfigEdit::Remove { path } => path,
        }
    }
}

/// `source` (the text of `yingsu.yaml`) with `edits` applied in order, or why not.
pub fn edited(source: &str, edits: &[ConfigEdit]) -> Result<String> {
    edited_or_refused(source, edits).map_err(|r| r.error)
}

/// Why a change to `yingsu.yaml` was refused: the edit it concerns (its index in the edits
/// given), when one is to blame, and the error naming that edit.
#[derive(Debug)]
pub struct Refusal {
    pub edit: Option<usize>,
    pub error: Error,
}

fn edited_or_refused(source: &str, edits: &[ConfigEdit]) -> std::result::Result<String, Refusal> {
    let mut text = source.to_string();
    for (i, e) in edits.iter().enumerate() {
        let path: Vec<&str> = e.path().iter().map(String::as_str).collect();
        let done = match e {
            ConfigEdit::Set { value, .. } => yaml_edit::set(&text, &path, value),
            ConfigEdit::Remove { .. } => yaml_edit::remove(&text, &path),
        };
        text = done.map_err(|why| Refusal {
            edit: Some(i),
            error: Error::user(
                format!("无法修改 yingsu.yaml 中的 {}：{why}", path.join(".")),
                "这一项请直接在 yingsu.yaml 中修改（用文本编辑器），改好后运行 yingsu validate 检查",
            ),
        })?;
    }
    Ok(text)
}

/// The edit as a clerk reads it: 把 agencies.gaj.issuer 改为“nobody”, 删去 agencies.gaj.short.
pub fn describe(edit: &ConfigEdit) -> String {
    match edit {
        ConfigEdit::Set { path, value } => {
            let v = match value {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            format!("把 {} 改为“{v}”", path.join("."))
        }
        ConfigEdit::Remove { path } => format!("删去 {}", path.join(".")),
    }
}

/// `e`, an error found in a text that was never kept, as an error about the edit that made it
/// (`what`): the line and column it gave were in the refused text, not in the file, so they
/// are left out.
fn about_edit(what: &str, e: Error) -> Error {
    let ds: Vec<Diagnostic> = match e {
        Error::User(d) => vec![*d],
        Error::Many(ds) => ds,
        other => return other,
    };
    let mut out: Vec<Diagnostic> = ds
        .into_iter()
        .map(|d| {
            let fixed =
                Diagnostic::new(format!("{what}后，yingsu.yaml 不能通过检查：{}", d.message))
                    .in_file("yingsu.yaml");
            match d.help {
                Some(h) => fixed.help(h),
                None => fixed,
            }
        })
        .collect();
    if out.len() == 1 {
        out.remove(0).into()
    } else {
        Error::Many(out)
    }
}

/// Apply `edits` to the workspace's `yingsu.yaml`: checked as the workspace would read it,
/// written atomically under the write lock. Returns the new text. Nothing changes when any
/// edit is refused or the new configuration does not pass; the error names the edit to blame.
pub fn write_back(ws: &Workspace, edits: &[ConfigEdit]) -> Result<String> {
    try_write_back(ws, edits)?.map_err(|r| r.error)
}

/// [`write_back`], telling a refusal (which edit, why) from a failure to read or write.
pub fn try_write_back(
    ws: &Workspace,
    edits: &[ConfigEdit],
) -> Result<std::result::Result<String, Refusal>> {
    let lock = ws.lock_for_writing()?;
    let path = ws.root.join("yingsu.yaml");
    let before = workspace::read_text(&ws.root, &path)?;
    let after = match edited_or_refused(&before, edits) {
        Ok(t) => t,
        Err(r) => return Ok(Err(r)),
    };
    if after == before {
        return Ok(Ok(after));
    }
    if let Err(e) = Config::parse(&path, &after) {
        // The edit without which the text passes is the one to blame (none when it takes
        // more than one to break it, or when one edit alone does).
        let culprit = (0..edits.len())
            .find(|&i| {
                let others: Vec<ConfigEdit> = edits
                    .iter()
                    .enumerate()
                    .filter(|(j, _)| *j != i)
                    .map(|(_, e)| e.clone())
                    .collect();
                edits.len() > 1
                    && edited(&before, &others).is_ok_and(|t| Config::parse(&path, &t).is_ok())
            })
            .or((edits.len() == 1).then_some(0))
            .or_else(|| {
                // Else the edit whose value the first complaint quotes.
                let first = e.diagnostics().first().map(|d| d.message.clone())?;
                edits.iter().position(|x| match x {
                    ConfigEdit::Set {
                        value: Value::String(v),
                        ..
                    } => first.contains(&format!("`{v}`")),
                    _ => false,
                })
            });
        let what = match culprit {
            Some(i) => describe(&edits[i]),
            None => all_of(edits),
        };
        return Ok(Err(Refusal {
            edit: culprit,
            error: about_edit(&what, e),
        }));
    }
    let target = ws.output_path("yingsu.yaml")?;
    crate::archive::write_atomic(&target, after.as_bytes())?;
    // Everything that reads the configuration (workflows naming agencies, file names it
    // gives) must still open: otherwise the file goes back as it was.
    if let Err(e) = Workspace::open_with(&ws.root, ws.settings().clone()) {
        crate::archive::write_atomic(&target, before.as_bytes())?;
        return Ok(Err(Refusal {
            edit: (edits.len() == 1).then_some(0),
            error: about_edit(&all_of(edits), e),
        }));
    }
    if let Ok(actor) = crate::engine::Actor::from_settings(ws.settings()) {
        let what = format!("修改配置：{}", all_of(edits));
        lock.record(ws, &actor, &crate::vcs::Record::new("config", what, &actor));
    }
    Ok(Ok(after))
}

/// Every edit, described, one after another.
fn all_of(edits: &[ConfigEdit]) -> String {
    edits.iter().map(describe).collect::<Vec<_>>().join("，")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn set(path: &[&str], value: Value) -> ConfigEdit {
        ConfigEdit::Set {
            path: path.iter().map(|s| s.to_string()).collect(),
            value,
        }
    }

    #[test]
    fn an_agency_is_added_and_the_comments_stay() {
        let dir = tempfile::tempdir().unwrap();
        crate::workspace::init(dir.path()).unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let before = std::fs::read_to_string(dir.path().join("yingsu.yaml")).unwrap();
        let after = write_back(
            &ws,
            &[set(
                &["agencies", "gaj"],
                json!({"name": "重庆市渝北区公安分局", "short": "区公安分局", "group": "departments", "issuer": "scjgj"}),
            )],
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(dir.path().join("yingsu.yaml")).unwrap(),
            after
        );
        // Every line of the file is still there, in order; the agency's five lines are new.
        let old: Vec<&str> = before.lines().collect();
        let new: Vec<&str> = after.lines().collect();
        assert_eq!(new.len(), old.len() + 5);
        let mut it = new.iter();
        assert!(old.iter().all(|l| it.any(|n| n == l)), "a line was lost");
        let ws = Workspace::open(dir.path()).unwrap();
        assert_eq!(ws.config.agencies["gaj"].name, "重庆市渝北区公安分局");
    }

    #[test]
    fn a_change_the_workspace_would_refuse_changes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        crate::workspace::init(dir.path()).unwrap();
        let ws = Workspace::open(dir.path()).unwrap();
        let before = std::fs::read(dir.path().join("yingsu.yaml")).unwrap();
        // An agency whose issuer does not exist.
        let err = write_back(
            &ws,
            &[set(&["agencies", "scjgj", "issuer"], json!("nobody"))],
        )
        .unwrap_err();
        // Named by the edit, not by a line of a text the file never held.
        match &err {
            Error::User(d) => {
                assert_eq!(
                    d.message,
                    "把 agencies.scjgj.issuer 改为“nobody”后，yingsu.yaml 不能通过检查：单位 `scjgj` 的发文机关 `nobody` 未在 issuers 中定义"
                );
                assert_eq!(
                    (d.pos, d.file.as_deref()),
                    (None, Some(std::path::Path::new("yingsu.yaml")))
                );
            }
            other => panic!("{other}"),
        }
        assert_eq!(
            std::fs::read(dir.path().join("yingsu.yaml")).unwrap(),
            before
        );
        // A path through a flow mapping cannot keep the file's form: refused before writing.
        let err = write_back(
            &ws,
            &[set(
                &["issuers", "sfj", "prefixes", "函"],
                json!("渝北司函"),
            )],
        )
        .unwrap_err();
        match err {
            Error::User(d) => assert_eq!(
                d.message,
                "无法修改 yingsu.yaml 中的 issuers.sfj.prefixes.函：issuers.sfj.prefixes 不是分行书写的映射，无法在其中添加 函"
            ),
            other => panic!("{other}"),
        }
        assert_eq!(
            std::fs::read(dir.path().join("yingsu.yaml")).unwrap(),
            before
        );
    }
}
