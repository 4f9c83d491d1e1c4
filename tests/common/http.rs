//! A running `yingsu serve` and a plain HTTP/1.1 client for it (no HTTP crate needed): the
//! workbench's tests start the binary on a free port of 127.0.0.1 in a workspace and speak to it.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};

pub const NOW: &str = "2023-05-08T09:00:00+08:00";

/// A running `yingsu serve`, stopped when dropped.
pub struct Served {
    pub child: Child,
    pub port: u16,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `yingsu serve --port 0` in `dir`; the port is read from its first line.
pub fn serve(dir: &Path) -> Served {
    serve_env(dir, &[])
}

/// [`serve`] with extra environment (e.g. `PATH` without git).
pub fn serve_env(dir: &Path, env: &[(&str, &str)]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .env("YINGSU_NOW", NOW)
        .env("YINGSU_USER", "测试员")
        .envs(env.iter().copied())
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("应诉工作台已启动：http://127.0.0.1:")
        .and_then(|r| r.strip_suffix('/'))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .parse()
        .unwrap();
    Served { child, port }
}

/// An HTTP response: status, headers (lower-case names), body.
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Percent-encode a path segment or form value.
pub fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", enc(k), enc(v)))
        .collect::<Vec<_>>()
        .join("&")
}

impl Served {
    pub fn host(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }

    pub fn request(&self, method: &str, path: &str, extra: &[(&str, &str)], body: &str) -> Reply {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\n");
        if !extra.iter().any(|(k, _)| k.eq_ignore_ascii_case("host")) {
            head.push_str(&format!("Host: {}\r\n", self.host()));
        }
        for (k, v) in extra {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if method == "POST" {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes()).unwrap();
        s.write_all(body.as_bytes()).unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let split = raw.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: BTreeMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let mut body = raw[split + 4..].to_vec();
        if headers
            .get("transfer-encoding")
            .is_some_and(|t| t == "chunked")
        {
            body = unchunk(&body);
        }
        Reply {
            status,
            headers,
            body,
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        self.request("GET", path, &[], "")
    }

    pub fn post(&self, path: &str, pairs: &[(&str, &str)]) -> Reply {
        self.request("POST", path, &[], &form(pairs))
    }

    /// The form token of the page at `path`.
    pub fn token(&self, path: &str) -> String {
        let page = self.get(path).text();
        let at = page
            .find("name=\"_csrf\" value=\"")
            .expect("a form with a token")
            + 20;
        page[at..at + 32].to_string()
    }
}

pub fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 4 + n..];
    }
}

/// The files added, removed or changed between two snapshots.
pub fn changed(
    before: &BTreeMap<String, Vec<u8>>,
    after: &BTreeMap<String, Vec<u8>>,
) -> Vec<String> {
    let mut out: Vec<String> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(before.keys().filter(|k| !after.contains_key(*k)).cloned());
    out
}

pub fn demo() -> (tempfile::TempDir, std::path::PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    super::demo_at(&dir);
    (tmp, dir)
}

/// The court notice of the shared test data as form fields.
pub fn notice_fields(token: &str, id: &str, action: &str) -> Vec<(String, String)> {
    let mut f: Vec<(String, String)> = vec![
        ("_csrf".into(), token.into()),
        ("_id".into(), id.into()),
        ("_action".into(), action.into()),
    ];
    for s in super::NOTICE {
        let (k, v) = s.split_once('=').unwrap();
        let v = match v {
            "true" => "是",
            v => v,
        };
        f.push((k.into(), v.into()));
    }
    f
}

pub fn pairs(f: &[(String, String)]) -> Vec<(&str, &str)> {
    f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Start `yingsu serve ARGS` in `dir` (e.g. `--listen 127.0.0.1:0`); the port is read from its
/// first line, whatever address it names.
pub fn serve_with(dir: &Path, args: &[&str]) -> Served {
    let mut child = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .env("YINGSU_NOW", NOW)
        .env("YINGSU_USER", "测试员")
        .arg("serve")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let port = line
        .trim()
        .strip_prefix("应诉工作台已启动：http://")
        .and_then(|r| r.strip_suffix('/'))
        .and_then(|r| r.rsplit_once(':'))
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .1
        .parse()
        .unwrap();
    Served { child, port }
}
