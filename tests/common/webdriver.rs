//! A tiny WebDriver client (W3C protocol, JSON over plain HTTP/1.1 on std's TcpStream; no
//! crate): starts Debian's `chromedriver` on a free port of 127.0.0.1 and a headless
//! `chromium` through it, for the workbench's end-to-end test in a real browser.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The key under which WebDriver names an element.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// A headless chromium driven through chromedriver; both end when dropped.
pub struct Browser {
    driver: Child,
    port: u16,
    session: String,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.send("DELETE", &format!("/session/{}", self.session), None);
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// Start the browser, or `None` (after saying so) where chromium or chromedriver is not
/// installed. In CI (`CI` set) their absence fails the test instead: `.ci/run` installs them.
pub fn browser(width: u32, height: u32) -> Option<Browser> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        let message = format!("跳过浏览器测试：未找到 {CHROMIUM} 或 {CHROMEDRIVER}");
        if std::env::var_os("CI").is_some() {
            panic!("{message}（CI 中必须安装 chromium 和 chromium-driver，见 .ci/run）");
        }
        eprintln!("{message}");
        return None;
    }
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let driver = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let profile = tempfile::tempdir().expect("a profile folder");
    let mut b = Browser {
        driver,
        port,
        session: String::new(),
        _profile: profile,
    };
    let started = Instant::now();
    while b.send("GET", "/status", None).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "chromedriver did not answer on port {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        "--lang=zh-CN",
        &format!("--window-size={width},{height}"),
        &format!("--user-data-dir={}", b._profile.path().display()),
    ];
    let caps = json!({"capabilities": {"alwaysMatch": {
        "browserName": "chrome",
        "goog:chromeOptions": {"binary": CHROMIUM, "args": args},
    }}});
    let v = b.call("POST", "/session", Some(caps));
    b.session = v["sessionId"]
        .as_str()
        .unwrap_or_else(|| panic!("no session: {v}"))
        .to_string();
    b.viewport(width, height);
    Some(b)
}

impl Browser {
    /// One request to chromedriver: its JSON answer, or the transport's error.
    fn send(&self, method: &str, path: &str, body: Option<&Value>) -> std::io::Result<Value> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port))?;
        s.set_read_timeout(Some(Duration::from_secs(120)))?;
        let body = body.map(Value::to_string).unwrap_or_default();
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n\
             Content-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\n\r\n",
            self.port,
            body.len()
        );
        s.write_all(head.as_bytes())?;
        s.write_all(body.as_bytes())?;
        // chromedriver says `Connection: close` but keeps the connection open: read the head,
        // then as many bytes as its Content-Length says.
        let mut raw = Vec::new();
        let mut chunk = [0u8; 8192];
        let (split, length) = loop {
            let n = s.read(&mut chunk)?;
            if n == 0 {
                return Err(std::io::Error::other("connection closed before the answer"));
            }
            raw.extend_from_slice(&chunk[..n]);
            if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
                let length = head
                    .lines()
                    .find_map(|l| l.strip_prefix("content-length:"))
                    .and_then(|v| v.trim().parse::<usize>().ok())
                    .ok_or_else(|| std::io::Error::other(format!("no Content-Length: {head}")))?;
                break (split, length);
            }
        };
        while raw.len() < split + 4 + length {
            let n = s.read(&mut chunk)?;
            if n == 0 {
                break;
            }
            raw.extend_from_slice(&chunk[..n]);
        }
        serde_json::from_slice(&raw[split + 4..]).map_err(std::io::Error::other)
    }

    /// A command of the session; its `value`. A WebDriver error fails the test.
    fn call(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        let v = self
            .send(method, path, body.as_ref())
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        let value = v.get("value").cloned().unwrap_or(Value::Null);
        if let Some(err) = value.get("error") {
            panic!("{method} {path}: {err}: {}", value["message"]);
        }
        value
    }

    fn session(&self, method: &str, path: &str, body: Option<Value>) -> Value {
        self.call(method, &format!("/session/{}{path}", self.session), body)
    }

    /// The page itself `width`×`height` CSS pixels (the window's size includes what headless
    /// chromium counts as its frame).
    pub fn viewport(&self, width: u32, height: u32) {
        let params = json!({
            "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600,
        });
        self.session(
            "POST",
            "/goog/cdp/execute",
            Some(json!({"cmd": "Emulation.setDeviceMetricsOverride", "params": params})),
        );
    }

    pub fn goto(&self, url: &str) {
        self.session("POST", "/url", Some(json!({ "url": url })));
    }

    pub fn url(&self) -> String {
        self.session("GET", "/url", None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// The elements matching CSS `selector` (none when there is none).
    pub fn find_all(&self, selector: &str) -> Vec<String> {
        let v = self.session(
            "POST",
            "/elements",
            Some(json!({"using": "css selector", "value": selector})),
        );
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e[ELEMENT].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The first element matching `selector`, which must exist.
    pub fn find(&self, selector: &str) -> String {
        self.find_all(selector)
            .into_iter()
            .next()
            .unwrap_or_else(|| panic!("no element `{selector}` on {}", self.url()))
    }

    pub fn click(&self, element: &str) {
        self.session(
            "POST",
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
    }

    pub fn type_text(&self, element: &str, text: &str) {
        self.session(
            "POST",
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    pub fn clear(&self, element: &str) {
        self.session(
            "POST",
            &format!("/element/{element}/clear"),
            Some(json!({})),
        );
    }

    pub fn text(&self, element: &str) -> String {
        self.session("GET", &format!("/element/{element}/text"), None)
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Run `script` in the page with `args` (elements given as their ids: `{"element": id}`
    /// becomes the element); its result.
    pub fn exec(&self, script: &str, args: Vec<Value>) -> Value {
        self.session(
            "POST",
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// `element` as an argument of [`Browser::exec`].
    pub fn el(element: &str) -> Value {
        json!({ ELEMENT: element })
    }

    /// Wait (up to 60 s) until `ready` holds; `what` names it in the failure.
    pub fn wait_until(&self, what: &str, mut ready: impl FnMut(&Browser) -> bool) {
        let started = Instant::now();
        while !ready(self) {
            if started.elapsed() > Duration::from_secs(60) {
                let page = self.exec(
                    "return document.documentElement ? document.documentElement.outerHTML.slice(0, 3000) : '';",
                    vec![],
                );
                panic!("timed out waiting until {what} on {}: {page}", self.url());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// The page as a PNG image.
    pub fn screenshot(&self) -> Vec<u8> {
        use base64::Engine as _;
        let v = self.session("GET", "/screenshot", None);
        base64::engine::general_purpose::STANDARD
            .decode(v.as_str().unwrap_or_default())
            .expect("a base64 PNG")
    }
}
