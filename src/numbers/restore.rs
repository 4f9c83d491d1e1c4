//! The registries checked against what the issued documents hold: every number each registry
//! gave ([`Registered`], read without locking, for checking), allocation refused while a
//! registry lacks a number an issued document holds ([`gap_error`]), and the lines it lacks
//! written back when the holders say which document each belongs to ([`restore`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{EXTERNAL, Held, Registry, format, registry_path, voided_key};
use crate::error::Error;

/// Every number the registries under `archive` gave, both ways: document key → number, and
/// number → document key. Read without locking (for checking, never for allocating); a
/// registry that cannot be read or understood is left out (allocating from it reports it).
#[derive(Debug, Default)]
pub struct Registered {
    pub by_key: std::collections::HashMap<String, String>,
    pub by_number: std::collections::HashMap<String, String>,
}

impl Registered {
    pub fn read(archive: &Path) -> Registered {
        let mut out = Registered::default();
        let folder = archive.join("numbers");
        // A folder linked out of the workspace is not read (allocating refuses it).
        if !std::fs::symlink_metadata(&folder).is_ok_and(|m| m.is_dir()) {
            return out;
        }
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return out;
        };
        let mut files: Vec<PathBuf> = entries
            .filter_map(|e| e.ok())
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
            .collect();
        files.sort();
        for path in files {
            let Some(stem) = path.file_stem().map(|s| s.to_string_lossy().to_string()) else {
                continue;
            };
            let Some((prefix, year)) = stem.rsplit_once('-') else {
                continue;
            };
            let (Ok(year), Ok(text)) = (year.parse::<i32>(), std::fs::read_to_string(&path)) else {
                continue;
            };
            let Ok(entries) = Registry::parse_entries(&text, &path) else {
                continue;
            };
            for (seq, key) in entries {
                if key.starts_with("作废#") {
                    continue;
                }
                let number = format(prefix, year, seq);
                out.by_number
                    .entry(number.clone())
                    .or_insert_with(|| key.clone());
                out.by_key.entry(key).or_insert(number);
            }
        }
        out
    }

    /// Why document `key` may not carry `number`, or `None`: the registry gave this document
    /// another number, or gave this number to another document.
    pub(crate) fn conflict(&self, key: &str, number: &str) -> Option<String> {
        if let Some(given) = self.by_key.get(key)
            && given != number
        {
            return Some(format!(
                "文号登记簿给这份文书的文号是 {given}，办理记录中却是 {number}"
            ));
        }
        match self.by_number.get(number) {
            Some(owner) if owner != key => {
                if owner.starts_with(EXTERNAL) {
                    return Some(format!(
                        "{number} 在 yingsu 之外编发（yingsu.yaml 的 numbering 声明了从其后的文号接着编）"
                    ));
                }
                let owner = match owner.split('#').collect::<Vec<_>>()[..] {
                    [case, entry, template] => {
                        format!("案件 {case} 第 {entry} 条办理记录的 {template}")
                    }
                    _ => owner.clone(),
                };
                Some(format!("文号登记簿中 {number} 属于另一份文书（{owner}）"))
            }
            _ => None,
        }
    }
}

/// The registry file of `prefix` in `year`, as the user reads it.
fn registry_shown(prefix: &str, year: i32) -> String {
    registry_path(Path::new("archive"), prefix, year)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Up to `max` holders, as `渝北司函〔2023〕1号（archive/…/01-…pdf）`, then how many more.
fn list_held(gap: &[&Held], max: usize) -> String {
    let mut seen = std::collections::BTreeSet::new();
    let mut parts = Vec::new();
    let mut more = 0;
    for h in gap {
        if !seen.insert((h.seq, h.file.as_str())) {
            continue;
        }
        if parts.len() < max {
            parts.push(format!("{}（{}）", h.number(), h.file));
        } else {
            more += 1;
        }
    }
    let mut text = parts.join("、");
    if more > 0 {
        text.push_str(&format!(" 等，另有 {more} 个"));
    }
    text
}

/// Allocation refused: the registry lacks numbers that issued documents hold.
pub(super) fn gap_error(prefix: &str, year: i32, gap: &[&Held]) -> Error {
    let shown = registry_shown(prefix, year);
    Error::user(
        format!(
            "文号登记簿 {shown} 缺少已印发文书持有的文号：{}；现在分配文号会与它们重复，本次没有分配文号，也没有改动任何文件",
            list_held(gap, 5)
        ),
        format!(
            "登记簿可能被删除、清空或截短了：运行 `yingsu validate`（或 `yingsu render --all`），它会按已印发文书的印发记录补回缺少的行，然后重新运行本命令；也可以从 git 历史中恢复它（git checkout -- {shown}）"
        ),
    )
}

/// Write back into the registries the lines they lack for numbers that issued documents hold
/// (`held`: from the frozen records and the case histories), when the holders say which
/// document each number belongs to. Returns what was restored (one line per registry), and a
/// problem per registry that could not be restored (then it is left as it is): a number two
/// documents hold, a holder without a registry key, or a key the registry gives another number.
pub fn restore(root: &Path, held: &[Held]) -> (Vec<String>, Vec<crate::error::Diagnostic>) {
    use crate::error::Diagnostic;
    let mut restored = Vec::new();
    let mut problems = Vec::new();
    // Keys from every holder of a number (a record without one takes its history's).
    let mut keys: std::collections::HashMap<(String, i32, u32), std::collections::BTreeSet<&str>> =
        std::collections::HashMap::new();
    let mut groups: BTreeMap<(String, i32), Vec<&Held>> = BTreeMap::new();
    for h in held {
        let slot = keys.entry((h.prefix.clone(), h.year, h.seq)).or_default();
        if let Some(k) = &h.key {
            slot.insert(k.as_str());
        }
        groups
            .entry((h.prefix.clone(), h.year))
            .or_default()
            .push(h);
    }
    for ((prefix, year), holders) in groups {
        let shown = registry_shown(&prefix, year);
        let rel = registry_path(Path::new("archive"), &prefix, year);
        let owned: Vec<Held> = holders.into_iter().cloned().collect();
        // Looked at without a lock first (a read-only workspace is only read): locked and
        // looked at again only when it lacks something.
        let real_folder = ["archive", "archive/numbers"]
            .iter()
            .all(|d| std::fs::symlink_metadata(root.join(d)).is_ok_and(|m| m.is_dir()));
        let listed = real_folder
            .then(|| std::fs::read_to_string(root.join(&rel)).ok())
            .flatten()
            .and_then(|text| Registry::parse_entries(&text, &rel).ok());
        if let Some(entries) = listed {
            let seqs: std::collections::HashSet<u32> = entries.iter().map(|(s, _)| *s).collect();
            if owned.iter().all(|h| seqs.contains(&h.seq)) {
                continue;
            }
        }
        let opened = crate::jail::resolve_inside(root, &rel)
            .and_then(|path| Registry::lock_at(path, &prefix, year));
        let mut registry = match opened {
            Ok(r) => r,
            Err(e) => {
                problems.extend(diagnostics_of(&e));
                continue;
            }
        };
        let gap = registry.gap(&owned);
        if gap.is_empty() {
            continue;
        }
        let mut undecided = Vec::new();
        let mut lines: BTreeMap<u32, (String, bool)> = BTreeMap::new();
        for (i, h) in gap.iter().enumerate() {
            // One finding per number, naming every document that holds it.
            if i > 0 && gap[i - 1].seq == h.seq {
                continue;
            }
            let mut files: Vec<&str> = gap
                .iter()
                .filter(|g| g.seq == h.seq)
                .map(|g| g.file.as_str())
                .collect();
            files.dedup();
            let files = files.join("、");
            let ks = keys
                .get(&(prefix.clone(), year, h.seq))
                .cloned()
                .unwrap_or_default();
            let voided = gap.iter().any(|g| g.seq == h.seq && g.voided);
            match ks.iter().collect::<Vec<_>>()[..] {
                [k] if registry.find(k).is_none() => {
                    lines.insert(h.seq, (k.to_string(), voided));
                }
                [k] => undecided.push(format!(
                    "{}（{files}）：登记簿给这份文书的是另一个文号 {}",
                    h.number(),
                    registry.find(k).unwrap_or_default()
                )),
                [] => undecided.push(format!(
                    "{}（{files}）：印发记录和办理记录都没有记下它属于哪份文书",
                    h.number()
                )),
                _ => undecided.push(format!("{}（{files}）：几份文书都持有它", h.number())),
            }
        }
        if !undecided.is_empty() {
            problems.push(
                Diagnostic::new(format!(
                    "文号登记簿 {shown} 缺少已印发文书持有的文号，且无法判断应当补回什么：{}",
                    undecided.join("；")
                ))
                .in_file(&shown)
                .help(format!(
                    "请从 git 历史中恢复这个登记簿（git checkout -- {shown}）；恢复之前，按它分配的新文号会与已印发的文书重复，yingsu 不会再分配"
                )),
            );
            continue;
        }
        for (seq, (key, voided)) in &lines {
            registry.entries.push((*seq, key.clone()));
            registry.pending.push((*seq, key.clone()));
            if *voided {
                registry.entries.push((*seq, voided_key(key)));
                registry.pending.push((*seq, voided_key(key)));
            }
        }
        if let Err(e) = registry.flush() {
            problems.extend(diagnostics_of(&e));
            continue;
        }
        let restored_gap: Vec<&Held> = gap
            .iter()
            .copied()
            .filter(|h| lines.contains_key(&h.seq))
            .collect();
        restored.push(format!(
            "已按已印发文书的印发记录补回文号登记簿 {shown} 缺少的 {} 个文号：{}",
            lines.len(),
            list_held(&restored_gap, 5)
        ));
    }
    (restored, problems)
}

/// An error as diagnostics (one made of its text when it has none).
fn diagnostics_of(e: &Error) -> Vec<crate::error::Diagnostic> {
    let found: Vec<crate::error::Diagnostic> = e.diagnostics().into_iter().cloned().collect();
    if found.is_empty() {
        vec![crate::error::Diagnostic::new(e.to_string())]
    } else {
        found
    }
}
