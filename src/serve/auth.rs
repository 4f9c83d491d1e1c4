//! Who is asking the workbench: owns the logins of `yingsu serve --listen` — the login page,
//! the sessions (a random 128-bit id in an `HttpOnly; SameSite=Strict` cookie, kept in memory
//! and forgotten after [`SESSION_IDLE`] without a request, at logout or when the server stops),
//! each session's own form token and the limit on failed logins (per client address and per
//! name). A live session becomes the request's [`Who`] (the user a handler acts for).
//!
//! On the loopback interface (no `--listen`) nobody logs in: the one person at the machine has
//! the files anyway. There every page carries the server's one form token (which another site
//! cannot read), steps are recorded under `YINGSU_USER` as on the command line, and a step's
//! `roles:` bind no one.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Form;
use axum::extract::rejection::FormRejection;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};

use super::Server;
use super::guard::{self, SessionUser, Who};
use crate::error::{Error, Result};
use crate::users;

/// The session cookie's name.
const COOKIE: &str = "yingsu_session";

/// A session unused this long is forgotten (a working day).
pub(crate) const SESSION_IDLE: Duration = Duration::from_secs(8 * 3600);

/// Failed logins allowed (per address and per name) before the first wait.
pub(crate) const FREE_FAILURES: u32 = 5;

/// The first wait after [`FREE_FAILURES`] failures; it doubles with each further failure, up
/// to [`MAX_WAIT`].
const FIRST_WAIT: Duration = Duration::from_secs(60);
const MAX_WAIT: Duration = Duration::from_secs(15 * 60);

/// Failures older than this are forgotten.
const FAILURE_MEMORY: Duration = Duration::from_secs(3600);

/// How the server is reached.
#[derive(Debug, Clone, Default)]
pub struct Access {
    /// `--listen`: every request but the login page needs a logged-in session.
    pub listen: bool,
    /// Further host names the server answers to (`--host`).
    pub hosts: Vec<String>,
}

struct Session {
    user: Arc<SessionUser>,
    token: String,
    expires: Instant,
}

#[derive(Clone, Copy)]
struct Failures {
    count: u32,
    last: Instant,
}

/// The sessions and the failed logins.
#[derive(Default)]
pub(crate) struct Auth {
    pub access: Access,
    sessions: Mutex<HashMap<String, Session>>,
    failures: Mutex<HashMap<String, Failures>>,
}

impl Auth {
    pub(crate) fn new(access: Access) -> Auth {
        Auth {
            access,
            ..Auth::default()
        }
    }

    /// The session the request's cookie names, still alive (and kept alive by this request).
    pub(crate) fn session(&self, headers: &HeaderMap, root: &std::path::Path) -> Option<Who> {
        let id = session_cookie(headers)?;
        // Read before the session table is locked, so no other request waits on the file.
        let users = users::load(root).ok();
        let mut sessions = self.sessions.lock().ok()?;
        let now = Instant::now();
        let s = sessions.get_mut(id)?;
        // A user removed, given another role or another password since logging in is logged
        // out (`yingsu user remove`/`add` take effect at once, not when the session idles out).
        let still = users.is_some_and(|list| {
            list.iter().any(|u| {
                u.name == s.user.name && u.role == s.user.role && u.hash() == s.user.account
            })
        });
        if s.expires <= now || !still {
            sessions.remove(id);
            return None;
        }
        s.expires = now + SESSION_IDLE;
        Some(Who {
            user: Some(s.user.clone()),
            token: s.token.clone(),
        })
    }

    fn open_session(&self, user: SessionUser) -> Result<String> {
        let id = guard::new_token()?;
        let token = guard::new_token()?;
        let now = Instant::now();
        let mut sessions = self
            .sessions
            .lock()
            .map_err(|_| Error::Internal("会话表不可用".into()))?;
        sessions.retain(|_, s| s.expires > now);
        sessions.insert(
            id.clone(),
            Session {
                user: Arc::new(user),
                token,
                expires: now + SESSION_IDLE,
            },
        );
        Ok(id)
    }

    fn close_session(&self, headers: &HeaderMap) {
        if let (Some(id), Ok(mut sessions)) = (session_cookie(headers), self.sessions.lock()) {
            sessions.remove(id);
        }
    }

    /// How long `key` must still wait before it may try again.
    fn wait(&self, key: &str) -> Option<Duration> {
        let failures = self.failures.lock().ok()?;
        let f = failures.get(key)?;
        let until = f.last + lock_time(f.count)?;
        until.checked_duration_since(Instant::now())
    }

    fn fail(&self, keys: &[&str]) {
        let Ok(mut failures) = self.failures.lock() else {
            return;
        };
        let now = Instant::now();
        if failures.len() > 10_000 {
            failures.retain(|_, f| now.duration_since(f.last) < FAILURE_MEMORY);
        }
        for k in keys {
            let f = failures.entry((*k).to_string()).or_insert(Failures {
                count: 0,
                last: now,
            });
            if now.duration_since(f.last) >= FAILURE_MEMORY {
                f.count = 0;
            }
            f.count += 1;
            f.last = now;
        }
    }

    fn clear(&self, keys: &[&str]) {
        if let Ok(mut failures) = self.failures.lock() {
            for k in keys {
                failures.remove(*k);
            }
        }
    }
}

/// How long a key with `count` failures waits after its last one (none below the limit).
fn lock_time(count: u32) -> Option<Duration> {
    let over = count.checked_sub(FREE_FAILURES)?;
    Some((FIRST_WAIT * 2u32.saturating_pow(over.min(8))).min(MAX_WAIT))
}

/// The session id in the request's cookies.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|c| c.trim().strip_prefix(COOKIE)?.strip_prefix('='))
        .filter(|id| id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Whole seconds, rounded up, for the page.
fn seconds(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The login page, with `message` when a login was refused.
fn login_page(
    server: &Server,
    status: StatusCode,
    message: Option<String>,
    name: &str,
) -> Response {
    let ctx = serde_json::json!({ "message": message, "name": name, "listen": server.auth.access.listen });
    match server.pages.render("login.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// `GET /login`.
pub(crate) async fn login_form(State(server): State<Arc<Server>>) -> Response {
    login_page(&server, StatusCode::OK, None, "")
}

/// `POST /login`: the name and password checked against `users.yaml` as it is now; too many
/// failures from one address or for one name wait before the next try is even checked.
pub(crate) async fn login_submit(
    State(server): State<Arc<Server>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    fields: std::result::Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    if !server.auth.access.listen {
        return Redirect::to("/").into_response();
    }
    let Ok(Form(fields)) = fields else {
        return guard::refuse(
            "提交的内容不是本工作台的登录表单，已拒绝：请重新打开登录页面".into(),
        );
    };
    let get = |k: &str| {
        fields
            .iter()
            .find(|(f, _)| f == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let (name, password) = (get("name").trim().to_string(), get("password"));
    let by_addr = format!("addr:{}", peer.ip());
    let by_name = format!("name:{name}");
    let keys = [by_addr.as_str(), by_name.as_str()];
    if let Some(wait) = keys.iter().filter_map(|k| server.auth.wait(k)).max() {
        return login_page(
            &server,
            StatusCode::TOO_MANY_REQUESTS,
            Some(format!("登录失败次数过多，请 {} 秒后再试", seconds(wait))),
            &name,
        );
    }
    let s = server.clone();
    let (n, p) = (name.clone(), password);
    let found = tokio::task::spawn_blocking(move || -> Result<Option<SessionUser>> {
        let list = users::load(&s.root)?;
        Ok(users::verify(&list, &n, &p).map(|u| SessionUser {
            name: u.name.clone(),
            role: u.role.clone(),
            account: u.hash().to_string(),
        }))
    })
    .await;
    let user = match found {
        Ok(Ok(u)) => u,
        Ok(Err(e)) => return super::error_page(&server, StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(e) => {
            return super::error_page(
                &server,
                StatusCode::INTERNAL_SERVER_ERROR,
                &Error::Internal(e.to_string()),
            );
        }
    };
    let Some(user) = user else {
        server.auth.fail(&keys);
        let mut message = "姓名或密码不正确".to_string();
        if let Some(wait) = keys.iter().filter_map(|k| server.auth.wait(k)).max() {
            message.push_str(&format!(
                "；已连续失败 {FREE_FAILURES} 次，请 {} 秒后再试",
                seconds(wait)
            ));
        }
        return login_page(&server, StatusCode::UNAUTHORIZED, Some(message), &name);
    };
    server.auth.clear(&keys);
    match server.auth.open_session(user) {
        Ok(id) => (
            [(
                header::SET_COOKIE,
                format!(
                    "{COOKIE}={id}; HttpOnly; SameSite=Strict; Path=/; Max-Age={}",
                    SESSION_IDLE.as_secs()
                ),
            )],
            Redirect::to("/"),
        )
            .into_response(),
        Err(e) => super::error_page(&server, StatusCode::INTERNAL_SERVER_ERROR, &e),
    }
}

/// `GET /logout`: a button that posts the logout with the session's token.
pub(crate) async fn logout_form(State(server): State<Arc<Server>>, who: Who) -> Response {
    let ctx = serde_json::json!({
        "logout": true,
        "listen": server.auth.access.listen,
        "user": who.user.as_ref().map(|u| u.name.clone()),
        "token": who.token,
        "token_field": guard::TOKEN_FIELD,
    });
    match server.pages.render("login.html", ctx) {
        Ok(html) => Html(html).into_response(),
        Err(e) => super::error_page(&server, StatusCode::INTERNAL_SERVER_ERROR, &e),
    }
}

/// `POST /logout`: the session is forgotten and its cookie cleared.
pub(crate) async fn logout_submit(
    State(server): State<Arc<Server>>,
    who: Who,
    headers: HeaderMap,
    fields: std::result::Result<Form<Vec<(String, String)>>, FormRejection>,
) -> Response {
    let Ok(Form(fields)) = fields else {
        return guard::refuse_token();
    };
    if !guard::form_token_ok(&who, &fields) {
        return guard::refuse_token();
    }
    server.auth.close_session(&headers);
    (
        [(
            header::SET_COOKIE,
            format!("{COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0"),
        )],
        Redirect::to("/login"),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_the_sixth_failure() {
        assert_eq!(lock_time(4), None);
        assert_eq!(lock_time(5), Some(Duration::from_secs(60)));
        assert_eq!(lock_time(6), Some(Duration::from_secs(120)));
        assert_eq!(lock_time(40), Some(MAX_WAIT));
    }

    #[test]
    fn each_key_waits_on_its_own_failures() {
        let auth = Auth::new(Access::default());
        for _ in 0..FREE_FAILURES - 1 {
            auth.fail(&["addr:10.0.0.1", "name:张三"]);
        }
        assert_eq!(auth.wait("name:张三"), None);
        // The name failed a fifth time from another address: the name waits, the first
        // address does not.
        auth.fail(&["addr:10.0.0.2", "name:张三"]);
        assert!(auth.wait("name:张三").is_some_and(|w| w <= FIRST_WAIT));
        assert_eq!(auth.wait("addr:10.0.0.1"), None);
        assert_eq!(auth.wait("addr:10.0.0.2"), None);
        auth.clear(&["name:张三"]);
        assert_eq!(auth.wait("name:张三"), None);
    }

    #[test]
    fn the_session_cookie_is_read_among_others() {
        let mut h = HeaderMap::new();
        let id = "0123456789abcdef0123456789abcdef";
        h.insert(
            header::COOKIE,
            format!("a=1; {COOKIE}={id}; b=2").parse().unwrap(),
        );
        assert_eq!(session_cookie(&h), Some(id));
        h.insert(header::COOKIE, format!("{COOKIE}=../x").parse().unwrap());
        assert_eq!(session_cookie(&h), None);
    }
}
