//! The files of the case index: per case folder, `cases-<folder>.bin` (every entry's stamp,
//! hash, validate's clean mark and summaries, sealed with a checksum) and `cases-<folder>.data`
//! (the parsed cases, each read when asked for and checked by its own CRC-32, under a token its
//! `.bin` names). Reading a folder's files ([`read_shard`]), finding an entry's file names
//! ([`key_in`], [`shard_file`]), and writing them back ([`write_shard`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize, Serializer};
use sha2::{Digest, Sha256};

use super::FORMAT;
use crate::derived::{Stamp, now_ns, write_derived};

/// Where an entry's parsed case lies in its folder's data file (`cases-<folder>.data`), with
/// the CRC-32 of its bytes: a case is read from there only when a command needs it, and a
/// damaged one is not believed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(super) struct Blob {
    pub(super) at: u64,
    pub(super) len: u32,
    pub(super) crc: u32,
}

/// An entry as the index file holds it. Its summaries are one run of bytes (each a
/// postcard-encoded pair of kind and summary, one after the other), so reading the index
/// allocates nothing per entry; a summary is found when it is asked for.
#[derive(Deserialize)]
pub(super) struct EntryIn<'a> {
    pub(super) file: &'a str,
    pub(super) stamp: Option<Stamp>,
    pub(super) checked: i64,
    pub(super) sha256: &'a str,
    pub(super) case: Option<Blob>,
    pub(super) clean: Option<&'a str>,
    pub(super) summaries: &'a [u8],
}

#[derive(Deserialize)]
pub(super) struct ShardIn<'a> {
    pub(super) format: u32,
    pub(super) fingerprint: &'a str,
    /// The token of the data file the entries' cases lie in (0: none).
    pub(super) data: u64,
    #[serde(borrow)]
    pub(super) entries: Vec<EntryIn<'a>>,
}

/// Bytes written as one run (serde writes a `&[u8]` element by element).
pub(super) struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_bytes(self.0)
    }
}

#[derive(Serialize)]
pub(super) struct EntryOut<'a> {
    pub(super) file: &'a str,
    pub(super) stamp: Option<Stamp>,
    pub(super) checked: i64,
    pub(super) sha256: &'a str,
    pub(super) case: Option<Blob>,
    pub(super) clean: Option<&'a str>,
    pub(super) summaries: Bytes<'a>,
}

#[derive(Serialize)]
pub(super) struct ShardOut<'a> {
    pub(super) format: u32,
    pub(super) fingerprint: &'a str,
    pub(super) data: u64,
    pub(super) entries: Vec<EntryOut<'a>>,
}

/// The first bytes of a data file, before its token.
pub(super) const DATA_MAGIC: &[u8; 16] = b"yingsu-cases-v5\n";

/// An entry of a shard: its texts are ranges of the shard's bytes.
pub(super) struct Entry {
    pub(super) file: std::ops::Range<usize>,
    pub(super) stamp: Option<Stamp>,
    pub(super) checked: i64,
    pub(super) sha256: std::ops::Range<usize>,
    pub(super) case: Option<Blob>,
    /// The fingerprint of the document inputs (fonts above all) under which `validate` found
    /// nothing wrong in the case's history.
    pub(super) clean: Option<std::ops::Range<usize>>,
    /// What listings derived from the case (see [`CaseRef::summary`]): pairs of kind and
    /// summary, encoded one after the other.
    pub(super) summaries: std::ops::Range<usize>,
}

/// The parsed case of an entry to be written.
pub(super) enum CaseBlob {
    /// Not held.
    None,
    /// Where it lies in the data file read.
    Old(Blob),
    /// Parsed in this run.
    New(Vec<u8>),
}

/// A new or re-checked entry, to be written.
pub(super) struct Fresh {
    pub(super) stamp: Option<Stamp>,
    pub(super) checked: i64,
    pub(super) sha256: String,
    pub(super) case: CaseBlob,
    pub(super) clean: Option<String>,
    /// Pairs of kind and summary (a kind the index fills is not copied for every entry).
    pub(super) summaries: Vec<(std::borrow::Cow<'static, str>, Vec<u8>)>,
}

/// Pairs of kind and summary as an entry holds them.
pub(super) fn encode_summaries<'a>(pairs: impl Iterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut out = Vec::new();
    for (kind, bytes) in pairs {
        if let Ok(pair) = postcard::to_stdvec(&(kind, Bytes(bytes))) {
            out.extend_from_slice(&pair);
        }
    }
    out
}

/// The pairs of kind and summary of an entry (as [`encode_summaries`] wrote them).
pub(super) fn summaries_of(mut bytes: &[u8]) -> impl Iterator<Item = (&str, &[u8])> {
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let ((kind, summary), rest) = postcard::take_from_bytes::<(&str, &[u8])>(bytes).ok()?;
        bytes = rest;
        Some((kind, summary))
    })
}

/// One folder's entries as read, sorted by file name.
#[derive(Default)]
pub(super) struct Shard {
    pub(super) bytes: Vec<u8>,
    pub(super) entries: Vec<Entry>,
    /// The token of the data file the entries' cases lie in, and where that file is.
    pub(super) data: u64,
    pub(super) data_path: PathBuf,
    /// The data file, opened when a case is first read from it (`None`: missing, or not the
    /// one the entries were written with).
    pub(super) data_file: std::sync::OnceLock<Option<std::fs::File>>,
    /// The file was unreadable or of another program: to be written whole.
    pub(super) stale: bool,
}

impl Shard {
    pub(super) fn text(&self, r: &std::ops::Range<usize>) -> &str {
        self.bytes
            .get(r.clone())
            .and_then(|b| std::str::from_utf8(b).ok())
            .unwrap_or("")
    }

    pub(super) fn file(&self, e: &Entry) -> &str {
        self.text(&e.file)
    }

    pub(super) fn sha256(&self, e: &Entry) -> &str {
        self.text(&e.sha256)
    }

    pub(super) fn clean(&self, e: &Entry) -> Option<&str> {
        e.clean.as_ref().map(|r| self.text(r))
    }

    /// The entry of the case file named `file`.
    pub(super) fn entry(&self, file: &str) -> Option<&Entry> {
        let i = self
            .entries
            .binary_search_by(|e| self.file(e).cmp(file))
            .ok()?;
        self.entries.get(i)
    }

    pub(super) fn summaries(&self, e: &Entry) -> &[u8] {
        self.bytes.get(e.summaries.clone()).unwrap_or(&[])
    }

    pub(super) fn summary(&self, e: &Entry, kind: &str) -> Option<&[u8]> {
        summaries_of(self.summaries(e)).find_map(|(k, b)| (k == kind).then_some(b))
    }

    /// The bytes of a parsed case in the data file, when they are there undamaged.
    pub(super) fn blob(&self, b: &Blob) -> Option<Vec<u8>> {
        let file = self
            .data_file
            .get_or_init(|| open_data(&self.data_path, self.data))
            .as_ref()?;
        let mut buf = vec![0; usize::try_from(b.len).ok()?];
        read_at(file, &mut buf, b.at).ok()?;
        (crc32fast::hash(&buf) == b.crc).then_some(buf)
    }

    /// The parsed case of an entry (empty when it holds none or it cannot be read: decoding
    /// nothing fails, so the file is parsed).
    pub(super) fn case(&self, e: &Entry) -> Vec<u8> {
        e.case.and_then(|b| self.blob(&b)).unwrap_or_default()
    }

    /// An entry as read, to be changed and written.
    pub(super) fn fresh(&self, e: &Entry) -> Fresh {
        Fresh {
            stamp: e.stamp,
            checked: e.checked,
            sha256: self.sha256(e).to_string(),
            case: e.case.map_or(CaseBlob::None, CaseBlob::Old),
            clean: self.clean(e).map(str::to_string),
            summaries: summaries_of(self.summaries(e))
                .map(|(k, b)| (k.to_string().into(), b.to_vec()))
                .collect(),
        }
    }
}

/// The data file at `path` if it is the one of token `token`.
pub(super) fn open_data(path: &Path, token: u64) -> Option<std::fs::File> {
    if token == 0 {
        return None;
    }
    let file = crate::derived::open_derived(path)?;
    let mut head = [0u8; 24];
    read_at(&file, &mut head, 0).ok()?;
    (head[..16] == DATA_MAGIC[..] && head[16..] == token.to_le_bytes()).then_some(file)
}

#[cfg(unix)]
pub(super) fn read_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(not(any(unix, windows)))]
pub(super) fn read_at(_file: &std::fs::File, _buf: &mut [u8], _at: u64) -> std::io::Result<()> {
    // No positional reads: the cases are parsed from their files.
    Err(std::io::ErrorKind::Unsupported.into())
}

#[cfg(windows)]
pub(super) fn read_at(
    file: &std::fs::File,
    mut buf: &mut [u8],
    mut at: u64,
) -> std::io::Result<()> {
    while !buf.is_empty() {
        match std::os::windows::fs::FileExt::seek_read(file, buf, at)? {
            0 => return Err(std::io::ErrorKind::UnexpectedEof.into()),
            n => {
                let rest = buf;
                buf = &mut rest[n..];
                at += n as u64;
            }
        }
    }
    Ok(())
}

/// The folder and file name of a case file inside the cases folder `cases`.
pub(super) fn key_of(cases: &Path, path: &Path) -> Option<(String, String)> {
    key_in(cases, path).map(|(folder, file)| (folder.to_string(), file.to_string()))
}

/// [`key_of`], borrowed from `path`.
pub(super) fn key_in<'p>(cases: &Path, path: &'p Path) -> Option<(&'p str, &'p str)> {
    // The common form, `<cases>/<folder>/<file>` with plain names, compared as text (a path's
    // components are slow to walk, and this runs several times per case).
    let plain = |s: &str| !s.is_empty() && s != "." && s != ".." && !s.contains(['/', '\\']);
    if let (Some(cases), Some(path)) = (cases.to_str(), path.to_str())
        && let Some(rest) = path.strip_prefix(cases)
        && let Some(rest) = rest.strip_prefix(std::path::MAIN_SEPARATOR)
        && let Some((folder, file)) = rest.split_once(std::path::MAIN_SEPARATOR)
        && plain(folder)
        && plain(file)
        && !cases.ends_with(std::path::MAIN_SEPARATOR)
    {
        return Some((folder, file));
    }
    let rel = path.strip_prefix(cases).ok()?;
    let mut parts = rel.components();
    let folder = parts.next()?.as_os_str().to_str()?;
    let file = parts.next()?.as_os_str().to_str()?;
    parts.next().is_none().then_some((folder, file))
}

/// The index file of a case folder: the folder's name when it is plain, else its hash.
pub(super) fn shard_file(folder: &str) -> String {
    format!("{}.bin", shard_stem(folder))
}

/// The data file of a case folder: its parsed cases (see [`Blob`]).
pub(super) fn data_file(folder: &str) -> String {
    format!("{}.data", shard_stem(folder))
}

pub(super) fn shard_stem(folder: &str) -> String {
    let plain = !folder.is_empty()
        && folder.len() <= 40
        && folder
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if plain {
        format!("cases-{folder}")
    } else {
        let h = Sha256::digest(folder.as_bytes());
        format!("cases-{}", &crate::archive::hex(&h)[..16])
    }
}

/// Writes a folder's entries `out` (by file name): first, when a case was parsed in this
/// run, the data file with every case held (under a new token), then the index file. A
/// run cut short between the two leaves entries whose token is not the data file's: their
/// cases are parsed again, nothing else.
pub(super) fn write_shard(
    dir: &Path,
    fingerprint: &str,
    folder: &str,
    read: Option<&Shard>,
    out: BTreeMap<&str, Out<'_>>,
) {
    let parsed = out
        .values()
        .any(|o| matches!(o, Out::Fresh(f) if matches!(f.case, CaseBlob::New(_))));
    let data = if parsed {
        new_token()
    } else {
        read.map_or(0, |s| s.data)
    };
    let mut cases = DATA_MAGIC.to_vec();
    cases.extend_from_slice(&data.to_le_bytes());
    // Per entry: where its case lies (in the data file written now, when a case was parsed;
    // else where it lay), and its summaries encoded (for a changed entry).
    let rows: Vec<(Option<Blob>, Option<Vec<u8>>)> = out
        .values()
        .map(|o| {
            let case = if parsed {
                // Copied into the new data file (a case parsed in this run, borrowed).
                let bytes: Option<std::borrow::Cow<'_, [u8]>> = match o {
                    Out::Read(s, e) => e.case.and_then(|b| s.blob(&b)).map(Into::into),
                    Out::Fresh(f) => match &f.case {
                        CaseBlob::None => None,
                        CaseBlob::Old(b) => read.and_then(|s| s.blob(b)).map(Into::into),
                        CaseBlob::New(v) => Some(v.as_slice().into()),
                    },
                };
                bytes.and_then(|c| {
                    let blob = Blob {
                        at: cases.len() as u64,
                        len: u32::try_from(c.len()).ok()?,
                        crc: crc32fast::hash(&c),
                    };
                    cases.extend_from_slice(&c);
                    Some(blob)
                })
            } else {
                match o {
                    Out::Read(_, e) => e.case,
                    Out::Fresh(f) => match f.case {
                        CaseBlob::Old(b) => Some(b),
                        _ => None,
                    },
                }
            };
            let summaries = match o {
                Out::Read(..) => None,
                Out::Fresh(f) => Some(encode_summaries(
                    f.summaries.iter().map(|(k, b)| (k.as_ref(), b.as_slice())),
                )),
            };
            (case, summaries)
        })
        .collect();
    if parsed {
        write_derived(dir, &data_file(folder), &cases);
    }
    let entries = out
        .iter()
        .zip(&rows)
        .map(|((file, o), (case, summaries))| match o {
            Out::Read(s, e) => EntryOut {
                file,
                stamp: e.stamp,
                checked: e.checked,
                sha256: s.sha256(e),
                case: *case,
                clean: s.clean(e),
                summaries: Bytes(s.summaries(e)),
            },
            Out::Fresh(f) => EntryOut {
                file,
                stamp: f.stamp,
                checked: f.checked,
                sha256: &f.sha256,
                case: *case,
                clean: f.clean.as_deref(),
                summaries: Bytes(summaries.as_deref().unwrap_or(&[])),
            },
        })
        .collect();
    let shard = ShardOut {
        format: FORMAT,
        fingerprint,
        data,
        entries,
    };
    if let Ok(bytes) = postcard::to_stdvec(&shard) {
        write_derived(dir, &shard_file(folder), &crate::derived::seal(bytes));
    }
}

/// An entry to write: as read, or changed in this run.
pub(super) enum Out<'a> {
    Read(&'a Shard, &'a Entry),
    Fresh(&'a Fresh),
}

/// A token for a new data file: the time and the process (tokens only need to differ from the
/// previous file's).
pub(super) fn new_token() -> u64 {
    let t = now_ns() as u64 ^ (u64::from(std::process::id()) << 40);
    t.max(1)
}

pub(super) fn read_shard(path: &Path, data_path: PathBuf, fingerprint: &str) -> Shard {
    let stale = || Shard {
        stale: true,
        ..Shard::default()
    };
    let Some(bytes) = crate::derived::read_derived(path) else {
        return stale();
    };
    let Some(body) = crate::derived::unseal(&bytes) else {
        return stale();
    };
    let base = bytes.as_ptr() as usize;
    // Each text is a slice of `bytes`: kept as its range.
    let range = |t: &[u8]| {
        let at = t.as_ptr() as usize - base;
        at..at + t.len()
    };
    let (data, mut entries): (u64, Vec<Entry>) = match postcard::from_bytes::<ShardIn<'_>>(body) {
        Ok(s) if s.format == FORMAT && s.fingerprint == fingerprint => (
            s.data,
            s.entries
                .iter()
                .map(|e| Entry {
                    file: range(e.file.as_bytes()),
                    stamp: e.stamp,
                    checked: e.checked,
                    sha256: range(e.sha256.as_bytes()),
                    case: e.case,
                    clean: e.clean.map(|c| range(c.as_bytes())),
                    summaries: range(e.summaries),
                })
                .collect(),
        ),
        _ => return stale(),
    };
    let name = |e: &Entry| bytes.get(e.file.clone()).unwrap_or(&[]);
    // Written in order; sorted anyway, as lookups need it (and one file once).
    if !entries.windows(2).all(|w| name(&w[0]) < name(&w[1])) {
        entries.sort_by(|a, b| name(a).cmp(name(b)));
        entries.dedup_by(|a, b| name(a) == name(b));
    }
    Shard {
        bytes,
        entries,
        data,
        data_path,
        data_file: std::sync::OnceLock::new(),
        stale: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A parsed case is read from the data file only when it is there undamaged and the file
    /// is the one its entry was written with.
    #[test]
    fn a_case_is_read_back_only_from_its_own_undamaged_data_file() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let path = tmp.path().join("cases-2023.data");
        let token = 0x0123_4567_89ab_cdef_u64;
        let case = "（2023）渝0112行初31号".as_bytes();
        let mut file = DATA_MAGIC.to_vec();
        file.extend_from_slice(&token.to_le_bytes());
        let blob = Blob {
            at: file.len() as u64,
            len: case.len() as u32,
            crc: crc32fast::hash(case),
        };
        file.extend_from_slice(case);
        let read = |bytes: &[u8], token: u64, blob: Blob| {
            std::fs::write(&path, bytes).expect("writes");
            let shard = Shard {
                data: token,
                data_path: path.clone(),
                ..Shard::default()
            };
            shard.blob(&blob)
        };
        assert_eq!(read(&file, token, blob).as_deref(), Some(case));
        for i in 0..file.len() {
            let mut damaged = file.clone();
            damaged[i] ^= 0x01;
            assert_eq!(read(&damaged, token, blob), None, "byte {i} flipped");
        }
        assert_eq!(
            read(&file[..file.len() - 1], token, blob),
            None,
            "cut short"
        );
        assert_eq!(read(&file, token + 1, blob), None, "another data file");
        assert_eq!(read(&file, 0, blob), None, "no data file");
        let longer = Blob {
            len: blob.len + 1,
            ..blob
        };
        assert_eq!(read(&file, token, longer), None, "past the end");
    }

    /// The text comparison of [`key_in`] gives what walking the components gives.
    #[test]
    fn keys_are_the_folder_and_file_under_the_cases_folder() {
        let cases = Path::new("/ws/cases");
        let by_components = |p: &Path| -> Option<(String, String)> {
            let rel = p.strip_prefix(cases).ok()?;
            let parts: Vec<_> = rel.components().collect();
            match parts[..] {
                [
                    std::path::Component::Normal(a),
                    std::path::Component::Normal(b),
                ] => Some((a.to_str()?.to_string(), b.to_str()?.to_string())),
                _ => None,
            }
        };
        for p in [
            "/ws/cases/2023/JY-1.yaml",
            "/ws/cases/2023/年度.yaml",
            "/ws/cases/JY-1.yaml",
            "/ws/cases/2023/sub/JY-1.yaml",
            "/ws/casesX/2023/JY-1.yaml",
            "/ws/cases//2023/JY-1.yaml",
            "/ws/cases/2023//JY-1.yaml",
            "/ws/cases/2023/./JY-1.yaml",
            "/ws/cases/./2023/JY-1.yaml",
            "/ws/cases/2023/JY-1.yaml/",
            "/ws/cases/2023/",
            "/ws/other/2023/JY-1.yaml",
        ] {
            let p = Path::new(p);
            let got = key_in(cases, p).map(|(a, b)| (a.to_string(), b.to_string()));
            assert_eq!(got, by_components(p), "{}", p.display());
        }
    }

    #[test]
    fn shard_names_are_plain() {
        assert_eq!(shard_file("2023"), "cases-2023.bin");
        assert_eq!(shard_file("../x").len(), "cases-".len() + 16 + ".bin".len());
        assert_eq!(shard_file("年度").len(), "cases-".len() + 16 + ".bin".len());
    }
}
