//! Document numbers (发文字号): owns allocation of `prefix〔year〕N号`. Each issuing body has a
//! yearly sequence kept in `archive/numbers/<prefix>-<year>.tsv`; a number is allocated when a
//! document is first issued, under an exclusive file lock (so two processes never get the same
//! number), is never reused, and the same document keeps its number when rendered again.
//!
//! A registry is also checked against the numbers the issued documents hold ([`Held`]: the
//! frozen records beside the PDFs, and the case histories): a number held by a document but
//! missing from its registry (a registry deleted, emptied or cut short) stops allocation before
//! a number is given, and [`restore`] writes the missing lines back when the holders say which
//! document each number belongs to.
//!
//! Its rooms: this module allocates (a [`Registry`] locked for one command, [`Numbering`] for
//! one step); `key` spells the key a document is registered under; `held` reads what the issued
//! documents hold; `restore` checks and restores the registries against them.

mod held;
mod key;
mod restore;

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub use held::{
    Held, RecordLine, held_in_records, held_in_records_with, out_of_date_order, records_in_archive,
    records_in_archive_with,
};
pub use key::Key;
pub use restore::{Registered, restore};

use restore::gap_error;

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

/// The registry key of the line recording that numbers up to `last` were given outside yingsu
/// (a declared start, `numbering` in `yingsu.yaml`).
fn external_key(last: u32) -> String {
    format!("{EXTERNAL}1-{last} 号在 yingsu 之外编发（yingsu.yaml 的 numbering）")
}

/// The start of a registry key for numbers given outside yingsu.
pub(crate) const EXTERNAL: &str = "外部#";

/// The registry key that marks number `seq` voided (its document was taken back by an undo).
fn voided_key(key: &str) -> String {
    format!("作废#{key}")
}

/// The registry file for a prefix and year.
pub(crate) fn registry_path(archive: &Path, prefix: &str, year: i32) -> PathBuf {
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
    /// The first number yingsu gives in this registry, as `yingsu.yaml` declares it (numbers
    /// before it were given outside yingsu).
    start: Option<u32>,
}

impl Registry {
    /// Open and exclusively lock the registry (blocking until other processes release it).
    pub fn lock(archive: &Path, prefix: &str, year: i32) -> Result<Registry> {
        Registry::lock_at(registry_path(archive, prefix, year), prefix, year)
    }

    /// [`Registry::lock`] for the registry file at `path`.
    fn lock_at(path: PathBuf, prefix: &str, year: i32) -> Result<Registry> {
        let (file, entries) = match open_registry(&path, OpenOptions::new().read(true).append(true))
        {
            Ok(mut file) => {
                file.lock().map_err(|e| Error::io("锁定", &path, e))?;
                let entries = read_entries(&mut file, &path)?;
                (Some(file), entries)
            }
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                (None, Vec::new())
            }
            Err(e) => return Err(e),
        };
        Ok(Registry {
            file,
            path,
            prefix: prefix.to_string(),
            year,
            entries,
            pending: Vec::new(),
            start: None,
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

    fn next_seq(&self) -> u32 {
        self.entries.iter().map(|(s, _)| *s).max().unwrap_or(0) + 1
    }

    /// Continue the sequence from the declared start (see [`Registry::start`]): when the
    /// registry has not reached it, a line records that the numbers before it were given
    /// outside yingsu, so they are taken (never given again) and the registry alone says where
    /// the sequence goes on, whatever `yingsu.yaml` says later.
    fn reach_start(&mut self) {
        let Some(start) = self.start else { return };
        if self.next_seq() < start {
            let line = (start - 1, external_key(start - 1));
            self.entries.push(line.clone());
            self.pending.push(line);
        }
    }

    /// Reserve (or find) the number for `key`; it is written by [`Registry::flush`].
    pub(crate) fn reserve(&mut self, key: &str) -> String {
        if let Some(n) = self.find(key) {
            return n;
        }
        self.reach_start();
        let seq = self.next_seq();
        self.entries.push((seq, key.to_string()));
        self.pending.push((seq, key.to_string()));
        format(&self.prefix, self.year, seq)
    }

    /// Mark the number of `key` voided (its document was taken back): the number stays taken
    /// and is never given again; the registry keeps a line saying so. Written by `flush`.
    pub(crate) fn void(&mut self, key: &str) -> Option<String> {
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

    /// The numbers of this registry that issued documents hold (`held`, of any registry) and
    /// that it does not list at all, in order. A holder whose document this registry gave
    /// another number is not counted: its record disagrees with the registry, which the
    /// check of the issued files reports.
    fn gap<'h>(&self, held: &'h [Held]) -> Vec<&'h Held> {
        let listed: std::collections::HashSet<u32> = self.entries.iter().map(|(s, _)| *s).collect();
        let keys: std::collections::HashSet<&str> =
            self.entries.iter().map(|(_, k)| k.as_str()).collect();
        let mut out: Vec<&Held> = held
            .iter()
            .filter(|h| h.prefix == self.prefix && h.year == self.year && !listed.contains(&h.seq))
            .filter(|h| h.key.as_deref().is_none_or(|k| !keys.contains(k)))
            .collect();
        out.sort_by(|a, b| (a.seq, &a.file).cmp(&(b.seq, &b.file)));
        out
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
        crate::journal::wrote(&self.path);
        self.pending.clear();
        Ok(())
    }

    /// Allocate (or find) the number for `key`, recording it durably.
    #[cfg(test)]
    pub(crate) fn allocate(&mut self, key: &str) -> Result<String> {
        let n = self.reserve(key);
        self.flush()?;
        Ok(n)
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

/// Opens the registry file `path` with `options` as a file of the workspace's own
/// ([`crate::jail::open_own`]): a registry received by git as a link to a file elsewhere, a hard
/// link, a FIFO or a device is refused, never written through.
fn open_registry(path: &Path, options: &mut OpenOptions) -> Result<File> {
    crate::jail::open_own(path, options).map_err(|e| match e {
        crate::jail::NotOwn::Io(e) => Error::io("打开", path, e),
        crate::jail::NotOwn::Not(what) => Error::user(
            format!("文号登记簿 {} {what}，yingsu 不会读写它", path.display()),
            "文号登记簿只能是 yingsu 维护的普通文件：请删除它（已印发的文书记录还在），再运行 `yingsu validate`，yingsu 会按已印发文书的记录重建登记簿",
        ),
    })
}

/// Creates the registry file `path` (and its folder) for its first numbers, locked. Another
/// command that created it in the meantime (and so may have given the same numbers) makes this
/// one fail before anything of it is written.
fn create_registry(path: &Path) -> Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("创建目录", dir, e))?;
    }
    let mut file = open_registry(
        path,
        OpenOptions::new().create(true).read(true).append(true),
    )?;
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
    /// Whether the derived index may serve what the records hold (the workspace's settings).
    index: bool,
    /// The declared first numbers (`numbering` in `yingsu.yaml`).
    starts: BTreeMap<String, BTreeMap<i32, u32>>,
    open: BTreeMap<(String, i32), Registry>,
    /// The numbers the issued documents' frozen records hold, read when a number is first
    /// asked for (see [`held_in_records`]).
    held: Option<Vec<Held>>,
}

impl Numbering {
    /// The numbering of the workspace `ws` (its registries under `archive/numbers/`).
    pub fn new(ws: &crate::workspace::Workspace) -> Numbering {
        Numbering {
            root: ws.root.clone(),
            index: ws.settings().index,
            starts: ws
                .config
                .numbering
                .iter()
                .map(|(p, ys)| (p.clone(), ys.iter().map(|(y, s)| (*y, s.value)).collect()))
                .collect(),
            open: BTreeMap::new(),
            held: None,
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
                let mut registry = Registry::lock_at(path, prefix, year)?;
                registry.start = self.starts.get(prefix).and_then(|y| y.get(&year)).copied();
                v.insert(registry)
            }
        })
    }

    /// The number of document `key` of `prefix` in `year` (existing or newly reserved).
    /// Refused, before anything is reserved, when the registry lacks a number an issued
    /// document holds: the next number could then be one already issued.
    pub fn number(&mut self, prefix: &str, year: i32, key: &str) -> Result<String> {
        let held = match self.held.take() {
            Some(h) => h,
            None => held_in_records_with(&self.root, self.index),
        };
        let checked = self.registry(prefix, year).and_then(|r| {
            if let Some(n) = r.find(key) {
                return Ok(n);
            }
            let gap = r.gap(&held);
            if gap.is_empty() {
                return Ok(r.reserve(key));
            }
            Err(gap_error(prefix, year, &gap))
        });
        self.held = Some(held);
        checked
    }

    /// The registry key of a number this numbering gave or found (for the frozen record).
    pub(crate) fn key_of(&self, number: &str) -> Option<String> {
        let (prefix, year, seq) = parse(number)?;
        let r = self.open.get(&(prefix, year))?;
        r.entries
            .iter()
            .find(|(s, k)| *s == seq && !k.starts_with("作废#"))
            .map(|(_, k)| k.clone())
    }

    /// Mark the number of document `key` voided (see [`Registry::void`]).
    pub(crate) fn void(&mut self, number: &str, key: &str) -> Result<()> {
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

    /// Lines a registry lacks are written back from their holders, in order, a voided
    /// document's with its void mark; a number whose holder names no document is not written,
    /// and the allocation that follows takes the next free number.
    #[test]
    fn restore_writes_back_what_the_holders_say_and_no_more() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let archive = root.join("archive");
        let file = registry_path(&archive, "渝北司函", 2023);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "1\ta\n").unwrap();
        let held = [
            Held::of(
                "渝北司函〔2023〕3号",
                Some("c".into()),
                "archive/2023/C/voided/01-x.pdf",
            ),
            Held::of(
                "渝北司函〔2023〕1号",
                Some("a".into()),
                "archive/2023/A/01-x.pdf",
            ),
            Held::of(
                "渝北司函〔2023〕2号",
                Some("b".into()),
                "archive/2023/B/01-x.pdf",
            ),
            Held::of("渝北司函〔2023〕2号", None, "archive/2023/B/01-x.pdf"),
        ]
        .map(Option::unwrap);
        let (restored, problems) = restore(root, &held);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            restored,
            [
                "已按已印发文书的印发记录补回文号登记簿 archive/numbers/渝北司函-2023.tsv 缺少的 2 个文号：渝北司函〔2023〕2号（archive/2023/B/01-x.pdf）、渝北司函〔2023〕3号（archive/2023/C/voided/01-x.pdf）"
            ]
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "1\ta\n2\tb\n3\tc\n3\t作废#c\n"
        );
        // Nothing left to restore.
        assert_eq!(restore(root, &held), (Vec::new(), Vec::new()));
        // A holder that names no document: nothing written, the reason given.
        let unknown = [Held::of("渝北司函〔2023〕5号", None, "archive/2023/E/01-x.pdf").unwrap()];
        let (restored, problems) = restore(root, &unknown);
        assert!(restored.is_empty());
        assert_eq!(
            problems[0].message,
            "文号登记簿 archive/numbers/渝北司函-2023.tsv 缺少已印发文书持有的文号，且无法判断应当补回什么：渝北司函〔2023〕5号（archive/2023/E/01-x.pdf）：印发记录和办理记录都没有记下它属于哪份文书"
        );
        assert_eq!(
            std::fs::read_to_string(&file).unwrap(),
            "1\ta\n2\tb\n3\tc\n3\t作废#c\n"
        );
        let mut r = Registry::lock(&archive, "渝北司函", 2023).unwrap();
        assert_eq!(r.gap(&unknown).len(), 1);
        assert_eq!(r.allocate("d").unwrap(), "渝北司函〔2023〕4号");
    }
}
