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

/// The registry key of the line recording that numbers up to `last` were given outside yingsu
/// (a declared start, `numbering` in `yingsu.yaml`).
fn external_key(last: u32) -> String {
    format!("{EXTERNAL}1-{last} 号在 yingsu 之外编发（yingsu.yaml 的 numbering）")
}

/// The start of a registry key for numbers given outside yingsu.
pub const EXTERNAL: &str = "外部#";

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

    /// The next number that `allocate` would give.
    pub fn peek(&self) -> String {
        format(
            &self.prefix,
            self.year,
            self.next_seq().max(self.start.unwrap_or(1)),
        )
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
    pub fn reserve(&mut self, key: &str) -> String {
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

/// A number an issued document holds, as its frozen record (or its case history) says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Held {
    pub prefix: String,
    pub year: i32,
    pub seq: u32,
    /// The document's registry key, when its record (or history) names it.
    pub key: Option<String>,
    /// The document (its PDF), relative to the workspace.
    pub file: String,
    /// Whether the document was voided (its record lies in a `voided/` folder).
    pub voided: bool,
}

impl Held {
    /// The holder of `number` (as this module formats numbers; `None` otherwise).
    pub fn of(number: &str, key: Option<String>, file: &str) -> Option<Held> {
        let (prefix, year, seq) = parse(number)?;
        Some(Held {
            prefix,
            year,
            seq,
            key,
            file: file.to_string(),
            voided: file.split('/').any(|p| p == "voided"),
        })
    }

    pub fn number(&self) -> String {
        format(&self.prefix, self.year, self.seq)
    }
}

/// What a frozen record says of its document besides its data (the rest of it is not needed
/// here).
#[derive(serde::Deserialize)]
struct RecordNumber {
    #[serde(default)]
    number: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    date: Option<String>,
    #[serde(default)]
    title: Option<String>,
}

/// An issued document as its frozen record (`*.json` beside the PDF) names it: its number (if
/// any), the registry key of the number, its date and title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordLine {
    /// The document (its PDF), relative to the workspace.
    pub file: String,
    pub number: String,
    pub key: String,
    /// `YYYY-MM-DD` (empty when the record has none).
    pub date: String,
    pub title: String,
}

impl RecordLine {
    /// Whether the document was voided (its record lies in a `voided/` folder).
    pub fn voided(&self) -> bool {
        self.file.split('/').any(|p| p == "voided")
    }
}

/// The derived file remembering, per frozen record, its stamp and what it says of its document.
const HELD_FILE: &str = "held.tsv";
const HELD_HEADER: &str =
    "# yingsu held numbers v2: record\tstamp\tnumber\tkey\tdate\ttitle (derived; safe to delete)";

/// The numbers held by the frozen records (`*.json` beside the PDFs) under the workspace's
/// `archive/` (registries aside). Folders and files behind links are not followed.
pub fn held_in_records(root: &Path) -> Vec<Held> {
    records_in_archive(root)
        .into_iter()
        .filter_map(|r| {
            let key = (!r.key.is_empty()).then_some(r.key);
            Held::of(&r.number, key, &r.file)
        })
        .collect()
}

/// Every frozen record (`*.json` beside the PDFs) under the workspace's `archive/` (registries
/// aside), as [`RecordLine`]s in path order. Folders and files behind links are not followed. A
/// record whose stamp has not changed since a run read it is not read again
/// (`.yingsu/index/held.tsv`).
pub fn records_in_archive(root: &Path) -> Vec<RecordLine> {
    use crate::derived::Stamp;
    let archive = root.join("archive");
    if !std::fs::symlink_metadata(&archive).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    let index_dir = root.join(crate::derived::DERIVED_DIR).join("index");
    let enabled = crate::index::enabled();
    type Known = (String, [String; 4]);
    let mut known: std::collections::HashMap<String, Known> = std::collections::HashMap::new();
    if enabled
        && let Some(bytes) = crate::derived::read_derived(&index_dir.join(HELD_FILE))
        && let Some(body) = crate::derived::unseal(&bytes)
        && let Ok(text) = std::str::from_utf8(body)
        && text.lines().next() == Some(HELD_HEADER)
    {
        for line in text.lines().skip(1) {
            let parts: Vec<&str> = line.split('\t').collect();
            if let [rel, stamp, number, key, date, title] = parts[..] {
                known.insert(
                    rel.to_string(),
                    (
                        stamp.to_string(),
                        [number, key, date, title].map(str::to_string),
                    ),
                );
            }
        }
    }
    let now = crate::derived::now_ns();
    let mut out = Vec::new();
    let mut lines = Vec::new();
    let mut changed = false;
    let walk = walkdir::WalkDir::new(&archive)
        .max_depth(5)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !(e.depth() == 1 && e.file_name() == "numbers"));
    for entry in walk.flatten() {
        if !entry.file_type().is_file() || entry.path().extension().is_none_or(|x| x != "json") {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        let stamp = entry
            .metadata()
            .ok()
            .and_then(|m| Stamp::of(&m))
            .map(|s| crate::archive::hex(&s.bytes()));
        let fields: [String; 4] = match (known.get(&rel), &stamp) {
            (Some((k, fields)), Some(s)) if k == s => fields.clone(),
            _ => {
                changed = true;
                let read = std::fs::read(entry.path())
                    .ok()
                    .and_then(|b| serde_json::from_slice::<RecordNumber>(&b).ok());
                match read {
                    Some(r) => [r.number, r.key, r.date, r.title].map(Option::unwrap_or_default),
                    None => Default::default(),
                }
            }
        };
        // Only a stamp old enough to stand for the content is remembered.
        if let Some(s) = entry
            .metadata()
            .ok()
            .and_then(|m| Stamp::of(&m))
            .filter(|s| s.settled(now))
            && fields.iter().all(|f| !f.contains(['\t', '\n', '\r']))
        {
            lines.push(format!(
                "{rel}\t{}\t{}",
                crate::archive::hex(&s.bytes()),
                fields.join("\t")
            ));
        } else {
            changed = true;
        }
        let pdf = match rel.strip_suffix(".json") {
            Some(stem) => format!("{stem}.pdf"),
            None => rel.clone(),
        };
        let [number, key, date, title] = fields;
        out.push(RecordLine {
            file: pdf,
            number,
            key,
            date,
            title,
        });
    }
    if enabled && (changed || lines.len() != known.len()) {
        let mut text = format!("{HELD_HEADER}\n");
        for l in &lines {
            text.push_str(l);
            text.push('\n');
        }
        crate::derived::write_derived(
            &index_dir,
            HELD_FILE,
            &crate::derived::seal(text.into_bytes()),
        );
    }
    out
}

/// Numbers given out of date order: within one registry (prefix and year), a document dated
/// earlier than a document holding a lower number, as (the later-numbered document, the
/// lower-numbered one dated after it). Voided documents are left out. Only pairs where the
/// first is in `only` (when given) are returned.
pub fn out_of_date_order<'r>(
    records: &'r [RecordLine],
    only: Option<&[String]>,
) -> Vec<(&'r RecordLine, &'r RecordLine)> {
    let mut groups: BTreeMap<(String, i32), Vec<(u32, &RecordLine)>> = BTreeMap::new();
    for r in records.iter().filter(|r| !r.voided() && !r.date.is_empty()) {
        if let Some((prefix, year, seq)) = parse(&r.number) {
            groups.entry((prefix, year)).or_default().push((seq, r));
        }
    }
    let mut out = Vec::new();
    for (_, mut docs) in groups {
        docs.sort_by(|a, b| (a.0, &a.1.file).cmp(&(b.0, &b.1.file)));
        // The latest-dated document among the lower numbers so far.
        let mut latest: Option<(u32, &RecordLine)> = None;
        for (seq, r) in docs {
            if let Some((lseq, l)) = latest
                && lseq < seq
                && r.date < l.date
                && only.is_none_or(|o| o.contains(&r.file))
            {
                out.push((r, l));
            }
            if latest.is_none_or(|(_, l)| r.date > l.date) {
                latest = Some((seq, r));
            }
        }
    }
    out
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
fn gap_error(prefix: &str, year: i32, gap: &[&Held]) -> Error {
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
            None => held_in_records(&self.root),
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
    pub fn key_of(&self, number: &str) -> Option<String> {
        let (prefix, year, seq) = parse(number)?;
        let r = self.open.get(&(prefix, year))?;
        r.entries
            .iter()
            .find(|(s, k)| *s == seq && !k.starts_with("作废#"))
            .map(|(_, k)| k.clone())
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
