//! A running `yingsu serve` (the release binary of this build) and a plain HTTP/1.1 client for
//! it, shared by the workbench benchmarks (`benches/serve_*.rs`): the same wire the browser
//! uses, one connection per request, timed from the first byte sent to the last byte read.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

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

/// The `yingsu` program measured: `YINGSU_BIN` when set (a release binary driven by a bench
/// built in the dev profile), else the one built with this bench.
pub fn program() -> std::path::PathBuf {
    std::env::var_os("YINGSU_BIN")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| env!("CARGO_BIN_EXE_yingsu").into())
}

/// Start `yingsu serve --port 0` in `dir` at the moment `now`, acting as `user`.
pub fn serve(dir: &Path, now: &str, user: &str) -> Served {
    let mut child = Command::new(program())
        .current_dir(dir)
        .env("YINGSU_NOW", now)
        .env("YINGSU_USER", user)
        .args(["serve", "--port", "0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start yingsu serve");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("read the address");
    let port = line
        .trim()
        .strip_prefix("应诉工作台已启动：http://127.0.0.1:")
        .and_then(|r| r.strip_suffix('/'))
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"));
    Served { child, port }
}

/// An HTTP response: status, headers (lower-case names), body, and how long it took.
pub struct Reply {
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    pub body: Vec<u8>,
    pub took: Duration,
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
    pub fn request(&self, method: &str, path: &str, body: &str) -> std::io::Result<Reply> {
        let t = Instant::now();
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nConnection: close\r\nHost: 127.0.0.1:{}\r\n",
            self.port
        );
        if method == "POST" {
            head.push_str(&format!(
                "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        head.push_str("\r\n");
        s.write_all(head.as_bytes())?;
        s.write_all(body.as_bytes())?;
        let mut raw = Vec::new();
        s.read_to_end(&mut raw)?;
        let took = t.elapsed();
        let bad =
            |what: &str| std::io::Error::new(std::io::ErrorKind::InvalidData, what.to_string());
        let split = raw
            .windows(4)
            .position(|w| w == b"\r\n\r\n")
            .ok_or_else(|| bad("no end of head"))?;
        let head = String::from_utf8_lossy(&raw[..split]).into_owned();
        let mut lines = head.lines();
        let status = lines
            .next()
            .and_then(|l| l.split(' ').nth(1))
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("no status"))?;
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
        Ok(Reply {
            status,
            headers,
            body,
            took,
        })
    }

    pub fn get(&self, path: &str) -> std::io::Result<Reply> {
        self.request("GET", path, "")
    }

    pub fn post(&self, path: &str, pairs: &[(&str, &str)]) -> std::io::Result<Reply> {
        self.request("POST", path, &form(pairs))
    }

    /// The form token of the page at `path`.
    pub fn token(&self, path: &str) -> String {
        let page = self.get(path).expect("the form").text();
        let at = page
            .find("name=\"_csrf\" value=\"")
            .expect("a form with a token")
            + 20;
        page[at..at + 32].to_string()
    }
}

fn unchunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let Some(eol) = b.windows(2).position(|w| w == b"\r\n") else {
            return out;
        };
        let Some(n) = std::str::from_utf8(&b[..eol])
            .ok()
            .and_then(|s| usize::from_str_radix(s.trim(), 16).ok())
        else {
            return out;
        };
        if n == 0 || b.len() < eol + 2 + n {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[(eol + 4 + n).min(b.len())..];
    }
}

/// The value of hidden input `name` in `html`.
pub fn hidden(html: &str, name: &str) -> Option<String> {
    let key = format!("name=\"{name}\" value=\"");
    let at = html.find(&key)? + key.len();
    html[at..].split('"').next().map(str::to_string)
}

/// Median, 95th percentile and maximum of `ms` (milliseconds), sorted in place.
pub fn summary(ms: &mut [f64]) -> (f64, f64, f64) {
    ms.sort_by(f64::total_cmp);
    let at = |q: f64| ms[((ms.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.95), ms[ms.len() - 1])
}

/// Run the `yingsu` binary in `dir` at `now`; panics with its stderr when it fails.
pub fn yingsu(dir: &Path, now: &str, args: &[&str]) -> String {
    let out = Command::new(program())
        .current_dir(dir)
        .env("YINGSU_NOW", now)
        .env("YINGSU_USER", "基准")
        .args(args)
        .output()
        .expect("run yingsu");
    assert!(
        out.status.success(),
        "yingsu {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
