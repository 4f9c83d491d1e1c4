//! Who may ask the workbench: owns the checks every request passes before a page is drawn —
//! the Host header names this server (a page of another site that rebinds its name to
//! 127.0.0.1 is refused), a POST's Origin, when sent, is this server, with `--listen` the
//! request belongs to a logged-in session (else it is sent to the login page, see
//! [`super::auth`]), and every form carries the token of its session — on the loopback
//! interface the server's one token (a page of another site cannot read it, so cannot post a
//! step). [`Who`] hands a handler the request's user and token.

use std::convert::Infallible;
use std::sync::Arc;

use axum::Form;
use axum::extract::{FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::Server;
use crate::engine::Actor;
use crate::error::{Error, Result};

/// A logged-in user.
#[derive(Debug, Clone)]
pub(crate) struct SessionUser {
    pub name: String,
    pub role: String,
    /// The password hash the user logged in with: a session lasts only while `users.yaml`
    /// still has this user with this role and this password.
    pub account: String,
}

/// Whom a request acts for: the logged-in user (none on the loopback interface) and the form
/// token the pages it draws carry and the forms it posts must carry.
#[derive(Debug, Clone)]
pub(crate) struct Who {
    pub user: Option<Arc<SessionUser>>,
    pub token: String,
}

impl Who {
    /// The actor of the history entries this request writes: the logged-in user, else (on the
    /// loopback interface) the one the environment names, as on the command line.
    pub(crate) fn actor(&self) -> Result<Actor> {
        let mut actor = Actor::from_env()?;
        if let Some(u) = &self.user {
            actor.who = u.name.clone();
        }
        Ok(actor)
    }

    /// The role the workflow's `roles:` are checked against, when someone logged in.
    pub(crate) fn role(&self) -> Option<&str> {
        self.user.as_ref().map(|u| u.role.as_str())
    }
}

impl FromRequestParts<Arc<Server>> for Who {
    type Rejection = Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        server: &Arc<Server>,
    ) -> std::result::Result<Who, Infallible> {
        Ok(parts
            .extensions
            .get::<Who>()
            .cloned()
            .unwrap_or_else(|| Who {
                user: None,
                token: server.token.clone(),
            }))
    }
}

/// The name of the form field that carries the token.
pub(crate) const TOKEN_FIELD: &str = "_csrf";

/// A fresh random token (128 bits, hex).
pub(crate) fn new_token() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|e| Error::Internal(format!("无法取得随机数：{e}")))?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

/// The host names (with port) this server answers to: the loopback names, and with
/// `--listen` the address listened on (unless it is every address) and each `--host` name,
/// with or without the port (behind a proxy the port may differ).
pub(crate) fn own_hosts(addr: std::net::SocketAddr, listen: bool, names: &[String]) -> Vec<String> {
    let port = addr.port();
    let mut hosts = vec![format!("127.0.0.1:{port}"), format!("localhost:{port}")];
    if listen {
        if !addr.ip().is_unspecified() && !addr.ip().is_loopback() {
            hosts.push(addr.to_string());
        }
        for n in names {
            hosts.push(n.clone());
            hosts.push(format!("{n}:{port}"));
        }
    }
    hosts
}

/// The paths open without a login.
const OPEN_PATHS: &[&str] = &["/login"];

/// Refuse a request whose Host is not this server, or a POST from another origin; with
/// `--listen`, send a request without a live session to the login page.
pub(crate) async fn check_request(
    State(server): State<Arc<Server>>,
    mut req: Request,
    next: Next,
) -> Response {
    if let Err(why) = check_headers(req.method(), req.headers(), &server.hosts) {
        return with_policy(refuse(why));
    }
    if server.auth.access.listen && !OPEN_PATHS.contains(&req.uri().path()) {
        match server.auth.session(req.headers(), &server.root) {
            Some(who) => {
                req.extensions_mut().insert(who);
            }
            None => return with_policy(axum::response::Redirect::to("/login").into_response()),
        }
    }
    // A request that may have written: what was computed before it no longer stands, even
    // before the operating system's notification of the write arrives.
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD)
        && !req.uri().path().ends_with("/preview");
    let response = next.run(req).await;
    if writes {
        server.changes.bump();
    }
    with_policy(response)
}

/// What a browser may do with a page: nothing fetched or run from elsewhere (the drafts are
/// `data:` images, the style is in the page, the one script is this server's file, the live
/// preview posts only here), forms posted only here, never framed.
const PAGE_POLICY: &str = "default-src 'none'; script-src 'self'; connect-src 'self'; \
    img-src data:; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; \
    base-uri 'none'";

/// `r` with the page policy when it is a page (a PDF is left to the browser's viewer), and
/// never sniffed as another type.
fn with_policy(mut r: Response) -> Response {
    let headers = r.headers_mut();
    let is_page = headers
        .get(header::CONTENT_TYPE)
        .and_then(|t| t.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if is_page {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            header::HeaderValue::from_static(PAGE_POLICY),
        );
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        header::HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        // Not `no-referrer`: under it a browser sends `Origin: null` with the page's own form
        // posts, and the Origin check above refuses them.
        header::HeaderValue::from_static("same-origin"),
    );
    r
}

fn check_headers(
    method: &Method,
    headers: &HeaderMap,
    hosts: &[String],
) -> std::result::Result<(), String> {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    if !hosts.iter().any(|h| h == host) {
        let shown = hosts
            .get(2)
            .or(hosts.first())
            .map_or("127.0.0.1", String::as_str);
        return Err(format!(
            "请求的主机名 `{host}` 不是本工作台的地址，已拒绝（请在浏览器中打开 http://{shown}/；对外监听时可用 --host 加上这个主机名）"
        ));
    }
    if method == Method::POST
        && let Some(origin) = headers.get(header::ORIGIN)
    {
        let origin = origin.to_str().unwrap_or("");
        if !hosts
            .iter()
            .any(|h| origin == format!("http://{h}") || origin == format!("https://{h}"))
        {
            return Err(format!(
                "提交来自其他网站（{origin}），已拒绝：只能在本工作台的页面上办理"
            ));
        }
    }
    Ok(())
}

/// Whether a submitted form carries the token of its session (compared in constant time).
pub(crate) fn form_token_ok(who: &Who, fields: &[(String, String)]) -> bool {
    let given = fields
        .iter()
        .find(|(k, _)| k == TOKEN_FIELD)
        .map(|(_, v)| v.as_bytes())
        .unwrap_or(b"");
    let want = who.token.as_bytes();
    given.len() == want.len()
        && given
            .iter()
            .zip(want)
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// The answer to a refused request: 403 and why, in Chinese.
pub(crate) fn refuse(why: String) -> Response {
    let body = format!(
        "<!DOCTYPE html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>已拒绝</title><p>{}</p></html>",
        escape(&why)
    );
    (StatusCode::FORBIDDEN, Html(body)).into_response()
}

/// The form's token is missing or wrong.
pub(crate) fn refuse_token() -> Response {
    refuse("表单已失效或不是从本工作台提交的，已拒绝：请重新打开页面再提交".into())
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A POST's submitted form, taken only when it is this workbench's form carrying the token of
/// the asker's session (otherwise the request is answered with the refusal): every handler that
/// changes something takes its fields through this.
pub(crate) struct CheckedForm(pub Vec<(String, String)>);

impl FromRequest<Arc<Server>> for CheckedForm {
    type Rejection = Response;

    async fn from_request(
        req: Request,
        server: &Arc<Server>,
    ) -> std::result::Result<CheckedForm, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(who) = Who::from_request_parts(&mut parts, server).await;
        let submitted =
            Form::<Vec<(String, String)>>::from_request(Request::from_parts(parts, body), server)
                .await;
        let Ok(Form(fields)) = submitted else {
            return Err(refuse(
                "提交的内容不是本工作台的表单，已拒绝：请重新打开页面再提交".into(),
            ));
        };
        if !form_token_ok(&who, &fields) {
            return Err(refuse_token());
        }
        Ok(CheckedForm(fields))
    }
}

/// The most a workbench upload (`multipart/form-data`) may carry altogether: a few attachment
/// files of [`crate::case::MAX_ATTACHMENT_BYTES`] each (a judgment's scanned pages).
pub(crate) const MAX_UPLOAD_BYTES: usize = 64 << 20;

/// A POST's submitted upload form (`multipart/form-data`: a judgment attached from the case
/// page), taken only when it carries the token of the asker's session, as [`CheckedForm`]:
/// its text fields, and its files as (field, the name the browser gave, bytes). The name is
/// the clerk's (or a hostile page's) and is only ever checked, never used as a path.
pub(crate) struct CheckedUpload {
    pub fields: Vec<(String, String)>,
    pub files: Vec<(String, String, Vec<u8>)>,
}

impl FromRequest<Arc<Server>> for CheckedUpload {
    type Rejection = Response;

    async fn from_request(
        req: Request,
        server: &Arc<Server>,
    ) -> std::result::Result<CheckedUpload, Response> {
        let (mut parts, body) = req.into_parts();
        let Ok(who) = Who::from_request_parts(&mut parts, server).await;
        let not_ours =
            || refuse("提交的内容不是本工作台的表单，已拒绝：请重新打开页面再提交".into());
        let Ok(mut multipart) =
            axum::extract::Multipart::from_request(Request::from_parts(parts, body), server).await
        else {
            return Err(not_ours());
        };
        let mut upload = CheckedUpload {
            fields: Vec::new(),
            files: Vec::new(),
        };
        loop {
            let field = match multipart.next_field().await {
                Ok(Some(field)) => field,
                Ok(None) => break,
                Err(e) if e.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                    return Err(refuse(format!(
                        "上传的文件太大（合计超过 {} MB），已拒绝",
                        MAX_UPLOAD_BYTES >> 20
                    )));
                }
                Err(_) => return Err(not_ours()),
            };
            let name = field.name().unwrap_or_default().to_string();
            match field.file_name().map(str::to_string) {
                Some(file) => match field.bytes().await {
                    // A file input left empty sends a part without a name or content.
                    Ok(_) if file.is_empty() => {}
                    Ok(bytes) => upload.files.push((name, file, bytes.to_vec())),
                    Err(_) => return Err(not_ours()),
                },
                None => match field.text().await {
                    Ok(text) => upload.fields.push((name, text)),
                    Err(_) => return Err(not_ours()),
                },
            }
        }
        if !form_token_ok(&who, &upload.fields) {
            return Err(refuse_token());
        }
        Ok(upload)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn loopback(port: u16) -> Vec<String> {
        own_hosts(([127, 0, 0, 1], port).into(), false, &[])
    }

    #[test]
    fn host_and_origin_are_this_server() {
        let mut h = HeaderMap::new();
        h.insert(header::HOST, "127.0.0.1:8080".parse().unwrap());
        assert_eq!(check_headers(&Method::GET, &h, &loopback(8080)), Ok(()));
        assert!(check_headers(&Method::GET, &h, &loopback(8081)).is_err());
        h.insert(header::ORIGIN, "http://evil.example".parse().unwrap());
        assert!(check_headers(&Method::GET, &h, &loopback(8080)).is_ok());
        assert!(check_headers(&Method::POST, &h, &loopback(8080)).is_err());
        h.insert(header::ORIGIN, "http://localhost:8080".parse().unwrap());
        assert_eq!(check_headers(&Method::POST, &h, &loopback(8080)), Ok(()));
        h.insert(header::HOST, "evil.example:8080".parse().unwrap());
        assert!(check_headers(&Method::GET, &h, &loopback(8080)).is_err());
    }

    #[test]
    fn listening_adds_the_address_and_the_names_given() {
        let names = ["yingsu.example".to_string()];
        let hosts = own_hosts(([10, 0, 0, 5], 8080).into(), true, &names);
        assert_eq!(
            hosts,
            [
                "127.0.0.1:8080",
                "localhost:8080",
                "10.0.0.5:8080",
                "yingsu.example",
                "yingsu.example:8080"
            ]
        );
        // The names of `--host` count only with `--listen`; every address is no host name.
        assert_eq!(
            own_hosts(([0, 0, 0, 0], 8080).into(), true, &[]),
            ["127.0.0.1:8080", "localhost:8080"]
        );
        assert_eq!(
            own_hosts(([10, 0, 0, 5], 8080).into(), false, &names).len(),
            2
        );
    }
}
