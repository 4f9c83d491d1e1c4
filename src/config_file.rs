//! Writing `yingsu.yaml` back: owns changing the configuration a clerk maintains from a form —
//! an agency, a court, an issuer, the bureau's details — in the file itself, keeping every
//! comment and the order an administrator gave it ([`crate::yaml_edit`]). The new text must
//! pass every check `yingsu.yaml` passes when a workspace opens; only then does it replace the
//! file, atomically, under the workspace's write lock. A refused change leaves the file as it
//! was, byte for byte.

use serde_json::Value;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::workspace::{self, Workspace};
use crate::yaml_edit;

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
    let mut text = source.to_string();
    for e in edits {
        let path: Vec<&str> = e.path().iter().map(String::as_str).collect();
        let done = match e {
            ConfigEdit::Set { value, .. } => yaml_edit::set(&text, &path, value),
            ConfigEdit::Remove { .. } => yaml_edit::remove(&text, &path),
        };
        text = done.map_err(|why| {
            Error::user(
                format!("无法修改 yingsu.yaml 中的 {}：{why}", path.join(".")),
                "这一项请直接在 yingsu.yaml 中修改（用文本编辑器），改好后运行 yingsu validate 检查",
            )
        })?;
    }
    Ok(text)
}

/// Apply `edits` to the workspace's `yingsu.yaml`: checked as the workspace would read it,
/// written atomically under the write lock. Returns the new text. Nothing changes when any
/// edit is refused or the new configuration does not pass.
pub fn write_back(ws: &Workspace, edits: &[ConfigEdit]) -> Result<String> {
    let _lock = ws.lock_for_writing()?;
    let path = ws.root.join("yingsu.yaml");
    let before = workspace::read_text(&ws.root, &path)?;
    let after = edited(&before, edits)?;
    if after == before {
        return Ok(after);
    }
    Config::parse(&path, &after).map_err(|e| e.relative_to(&ws.root))?;
    let target = ws.output_path("yingsu.yaml")?;
    crate::archive::write_atomic(&target, after.as_bytes())?;
    // Everything that reads the configuration (workflows naming agencies, file names it
    // gives) must still open: otherwise the file goes back as it was.
    if let Err(e) = Workspace::open_with(&ws.root, ws.settings().clone()) {
        crate::archive::write_atomic(&target, before.as_bytes())?;
        return Err(e);
    }
    Ok(after)
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
        assert!(err.to_string().contains("nobody"), "{err}");
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
