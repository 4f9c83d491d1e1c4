//! What the issued documents hold: the number, registry key, date and title each frozen record
//! (`*.json` beside the PDFs) names ([`records_in_archive`], remembered in
//! `.yingsu/index/held.tsv` while a record's stamp is unchanged), the numbers they hold
//! ([`Held`]), and numbers given out of date order ([`out_of_date_order`]).

use std::collections::BTreeMap;
use std::path::Path;

use super::{format, parse};

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
/// `archive/` (registries aside). Folders and files behind links are not followed. Through
/// the derived index when the process's settings allow it (see [`held_in_records_with`]).
pub fn held_in_records(root: &Path) -> Vec<Held> {
    held_in_records_with(root, crate::settings::Settings::current().index)
}

/// [`held_in_records`], through the derived index only when `index` says so (a workspace's
/// [`crate::settings::Settings::index`]).
pub fn held_in_records_with(root: &Path, index: bool) -> Vec<Held> {
    records_in_archive_with(root, index)
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
/// (`.yingsu/index/held.tsv`, when the process's settings allow it: see
/// [`records_in_archive_with`]).
pub fn records_in_archive(root: &Path) -> Vec<RecordLine> {
    records_in_archive_with(root, crate::settings::Settings::current().index)
}

/// [`records_in_archive`], through the derived index only when `index` says so (a workspace's
/// [`crate::settings::Settings::index`]).
pub fn records_in_archive_with(root: &Path, index: bool) -> Vec<RecordLine> {
    use crate::derived::Stamp;
    let archive = root.join("archive");
    if !std::fs::symlink_metadata(&archive).is_ok_and(|m| m.is_dir()) {
        return Vec::new();
    }
    let index_dir = root.join(crate::derived::DERIVED_DIR).join("index");
    let enabled = index;
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
