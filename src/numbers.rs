//! Document numbers (发文字号): owns allocation of `prefix〔year〕N号`. Each issuing body has a
//! yearly sequence kept in `archive/numbers/<prefix>-<year>.tsv`; a number is allocated when a
//! document is first issued, under an exclusive file lock (so two processes never get the same
//! number), is never reused, and the same document keeps its number when rendered again.

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// Format a document number as GB/T 9704 requires: 渝北司函〔2023〕5号.
pub fn format(prefix: &str, year: i32, seq: u32) -> String {
    format!("{prefix}〔{year}〕{seq}号")
}

/// The parts of a number this module formatted: `渝北司函〔2023〕5号` → (渝北司函, 2023, 5).
pub fn parse(number: &str) -> Option<(String, i32, u32)> {
    let (prefix, rest) = number.split_once('〔')?;
    let (year, rest) = rest.split_once('〕')?;
    let seq = rest.strip_suffix('号')?;
    Some((prefix.to_string(), year.parse().ok()?, seq.parse().ok()?))
}

/// The registry key that marks number `seq` voided (its document was taken back by an undo).
fn voided_key(key: &str) -> String {
    format!("作废#{key}")
}

/// The registry file for a prefix and year.
pub fn registry_path(archive: &Path, prefix: &str, year: i32) -> PathBuf {
    archive.join("numbers").join(format!("{prefix}-{year}.tsv"))
}

/// An open, locked registry. The lock is released when this is dropped. A registry that does
/// not exist yet is created only when a number is first recorded in it, so a command that
/// fails before then leaves no empty registry behind.
pub struct Registry {
    file: Option<File>,
    path: PathBuf,
    prefix: String,
    year: i32,
    entries: Vec<(u32, String)>,
    pending: Vec<(u32, String)>,
}

impl Registry {
    /// Open and exclusively lock the registry (blocking until other processes release it).
    pub fn lock(archive: &Path, prefix: &str, year: i32) -> Result<Registry> {
        Registry::lock_at(registry_path(archive, prefix, year), prefix, year)
    }

    /// [`Registry::lock`] for the registry file at `path`.
    fn lock_at(path: PathBuf, prefix: &str, year: i32) -> Result<Registry> {
        let (file, entries) = match OpenOptions::new().read(true).append(true).open(&path) {
            Ok(mut file) => {
                file.lock().map_err(|e| Error::io("锁定", &path, e))?;
                let entries = read_entries(&mut file, &path)?;
                (Some(file), entries)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => (None, Vec::new()),
            Err(e) => return Err(Error::io("打开", &path, e)),
        };
        Ok(Registry {
            file,
            path,
            prefix: prefix.to_string(),
            year,
            entries,
            pending: Vec::new(),
        })
    }

    /// The `(number, document key)` lines of a registry's text (`path` names it in an error).
    fn parse_entries(text: &str, path: &Path) -> Result<Vec<(u32, String)>> {
        let mut entries = Vec::new();
        for line in text.lines() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let mut parts = line.splitn(2, '\t');
            let seq = parts.next().and_then(|s| s.trim().parse::<u32>().ok());
            let key = parts.next();
            match (seq, key) {
                (Some(s), Some(k)) => entries.push((s, k.to_string())),
                _ => {
                    return Err(Error::user(
                        format!("文号登记簿 {} 有无法识别的行：{line}", path.display()),
                        "该文件由 yingsu 维护，每行是“序号<Tab>文书标识”；请从 git 历史中恢复它",
                    ));
                }
            }
        }
        Ok(entries)
    }

    /// The number already allocated to `key`, if any.
    pub fn find(&self, key: &str) -> Option<String> {
        self.entries
            .iter()
            .find(|(_, k)| k == key)
            .map(|(s, _)| format(&self.prefix, self.year, *s))
    }

    /// The next number that `allocate` would give.
    pub fn peek(&self) -> String {
        format(&self.prefix, self.year, self.next_seq())
    }

    fn next_seq(&self) -> u32 {
        self.entries.iter().map(|(s, _)| *s).max().unwrap_or(0) + 1
    }

    /// Reserve (or find) the number for `key`; it is written by [`Registry::flush`].
    pub fn reserve(&mut self, key: &str) -> String {
        if let Some(n) = self.find(key) {
            return n;
        }
        let seq = self.next_seq();
        self.entries.push((seq, key.to_string()));
        self.pending.push((seq, key.to_string()));
        format(&self.prefix, self.year, seq)
    }

    /// Mark the number of `key` voided (its document was taken back): the number stays taken
    /// and is never given again; the registry keeps a line saying so. Written by `flush`.
    pub fn void(&mut self, key: &str) -> Option<String> {
        let seq = self
            .entries
            .iter()
            .find(|(_, k)| k == key)
            .map(|(s, _)| *s)?;
        let mark = voided_key(key);
        if !self.entries.iter().any(|(s, k)| *s == seq && *k == mark) {
            self.entries.push((seq, mark.clone()));
            self.pending.push((seq, mark));
        }
        Some(format(&self.prefix, self.year, seq))
    }

    /// Whether number `seq` was voided.
    pub fn is_voided(&self, seq: u32) -> bool {
        self.entries
            .iter()
            .any(|(s, k)| *s == seq && k.starts_with("作废#"))
    }

    /// Durably record the reserved numbers.
    pub fn flush(&mut self) -> Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let text: String = self
            .pending
            .iter()
            .map(|(s, k)| format!("{s}\t{k}\n"))
            .collect();
        let file = match &mut self.file {
            Some(file) => file,
            None => self.file.insert(create_registry(&self.path)?),
        };
        file.write_all(text.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| Error::io("写入", &self.path, e))?;
        self.pending.clear();
        Ok(())
    }

    /// Allocate (or find) the number for `key`, recording it durably.
    pub fn allocate(&mut self, key: &str) -> Result<String> {
        let n = self.reserve(key);
        self.flush()?;
        Ok(n)
    }
}

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
    pub fn conflict(&self, key: &str, number: &str) -> Option<String> {
        if let Some(given) = self.by_key.get(key)
            && given != number
        {
            return Some(format!(
                "文号登记簿给这份文书的文号是 {given}，办理记录中却是 {number}"
            ));
        }
        match self.by_number.get(number) {
            Some(owner) if owner != key => {
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

/// Reads the entries of a locked registry file.
fn read_entries(file: &mut File, path: &Path) -> Result<Vec<(u32, String)>> {
    let mut text = String::new();
    file.seek(SeekFrom::Start(0))
        .map_err(|e| Error::io("读取", path, e))?;
    file.read_to_string(&mut text)
        .map_err(|e| Error::io("读取", path, e))?;
    Registry::parse_entries(&text, path)
}

/// Creates the registry file `path` (and its folder) for its first numbers, locked. Another
/// command that created it in the meantime (and so may have given the same numbers) makes this
/// one fail before anything of it is written.
fn create_registry(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("创建目录", dir, e))?;
    }
    let mut file = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| Error::io("打开", path, e))?;
    file.lock().map_err(|e| Error::io("锁定", path, e))?;
    if !read_entries(&mut file, path)?.is_empty() {
        return Err(Error::user(
            format!(
                "文号登记簿 {} 在本次办理期间由另一个命令建立，本次分配的文号可能与之重复",
                path.display()
            ),
            "本次命令没有写入任何文书；请重新运行它",
        ));
    }
    Ok(file)
}

/// Document numbers reserved during one step: registries stay locked until the step ends.
pub struct Numbering {
    root: PathBuf,
    open: BTreeMap<(String, i32), Registry>,
}

impl Numbering {
    /// The numbering of the workspace `ws` (its registries under `archive/numbers/`).
    pub fn new(ws: &crate::workspace::Workspace) -> Numbering {
        Numbering {
            root: ws.root.clone(),
            open: BTreeMap::new(),
        }
    }

    /// The registry of `prefix` in `year`, locked until this numbering ends. Its file is
    /// reached only through real folders of the workspace (an `archive/numbers` linked out of
    /// it is refused).
    fn registry(&mut self, prefix: &str, year: i32) -> Result<&mut Registry> {
        let k = (prefix.to_string(), year);
        Ok(match self.open.entry(k) {
            std::collections::btree_map::Entry::Occupied(o) => o.into_mut(),
            std::collections::btree_map::Entry::Vacant(v) => {
                let rel = registry_path(Path::new("archive"), prefix, year);
                let path = crate::jail::resolve_inside(&self.root, &rel)?;
                v.insert(Registry::lock_at(path, prefix, year)?)
            }
        })
    }

    /// The number of document `key` of `prefix` in `year` (existing or newly reserved).
    pub fn number(&mut self, prefix: &str, year: i32, key: &str) -> Result<String> {
        Ok(self.registry(prefix, year)?.reserve(key))
    }

    /// Mark the number of document `key` voided (see [`Registry::void`]).
    pub fn void(&mut self, number: &str, key: &str) -> Result<()> {
        let Some((prefix, year, _)) = parse(number) else {
            return Ok(());
        };
        self.registry(&prefix, year)?.void(key);
        Ok(())
    }

    /// Write the reserved numbers (before the documents are moved into place: a crash then
    /// leaves a gap, never a duplicate).
    pub fn record(&mut self) -> Result<()> {
        for r in self.open.values_mut() {
            r.flush()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn allocates_and_keeps() {
        let dir = tempfile::tempdir().unwrap();
        let mut r = Registry::lock(dir.path(), "渝北司函", 2023).unwrap();
        assert_eq!(r.allocate("a").unwrap(), "渝北司函〔2023〕1号");
        assert_eq!(r.allocate("b").unwrap(), "渝北司函〔2023〕2号");
        assert_eq!(r.allocate("a").unwrap(), "渝北司函〔2023〕1号");
        drop(r);
        let mut r = Registry::lock(dir.path(), "渝北司函", 2023).unwrap();
        assert_eq!(r.allocate("c").unwrap(), "渝北司函〔2023〕3号");
        assert_eq!(r.find("b").as_deref(), Some("渝北司函〔2023〕2号"));
    }

    /// A registry is created with its first recorded number: a command that reserved one and
    /// then failed leaves no file (nor folder) behind.
    #[test]
    fn a_registry_appears_only_with_its_first_number() {
        let dir = tempfile::tempdir().unwrap();
        let file = registry_path(dir.path(), "渝北司函", 2023);
        let mut r = Registry::lock(dir.path(), "渝北司函", 2023).unwrap();
        assert_eq!(r.reserve("a"), "渝北司函〔2023〕1号");
        drop(r);
        assert!(!dir.path().join("numbers").exists());
        let mut r = Registry::lock(dir.path(), "渝北司函", 2023).unwrap();
        r.reserve("a");
        r.flush().unwrap();
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "1\ta\n");
    }

    /// Two commands that both found no registry: the one recording second fails and writes
    /// nothing, instead of giving the same number twice.
    #[test]
    fn a_registry_created_meanwhile_fails_the_later_command() {
        let dir = tempfile::tempdir().unwrap();
        let mut first = Registry::lock(dir.path(), "渝北司函", 2023).unwrap();
        let mut second = Registry::lock(dir.path(), "渝北司函", 2023).unwrap();
        assert_eq!(first.reserve("a"), "渝北司函〔2023〕1号");
        assert_eq!(second.reserve("b"), "渝北司函〔2023〕1号");
        first.flush().unwrap();
        drop(first);
        let e = second.flush().unwrap_err().to_string();
        assert!(e.contains("在本次办理期间由另一个命令建立"), "{e}");
        let file = registry_path(dir.path(), "渝北司函", 2023);
        assert_eq!(std::fs::read_to_string(&file).unwrap(), "1\ta\n");
    }
}
