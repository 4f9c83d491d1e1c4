//! The workbench (`yingsu serve`): owns the web server a clerk uses in a browser over one
//! workspace — the dashboard, a case's page, the step forms with their previews, and the
//! commit. It adds no rules of its own: every page is drawn from the library calls the command
//! line makes (`engine::status`, `engine::agenda`, `engine::sheet`, `engine::plan_*`,
//! `engine::preview`, `engine::commit`), and every refusal is the engine's.
//!
//! Rooms: [`guard`] (who may ask: Host, Origin, the form token), [`pages`] (the embedded HTML
//! templates), [`dashboard`], [`case_page`] (a case and its issued PDFs), [`form`] (a step's
//! fields as inputs, and a submitted form as the engine's input), [`step`] (plan, preview,
//! commit), [`live`] (the live preview's script), [`undo`] (taking back the last step),
//! [`facts`] (facts learned later), [`withdraw`] (a mistaken case), [`fresh`] (whether the workspace changed since a page was computed), [`settings`] (what a
//! clerk maintains in `yingsu.yaml`), [`stats_page`], [`check_page`] and [`report_page`] (the
//! statistics, supervision and reports) and [`auth`] (logins, sessions, who acts). The server
//! listens on the loopback interface only, unless `--listen` gives an address: then every
//! request needs a login.

mod attach;
mod auth;
mod case_page;
mod check_page;
mod dashboard;
mod facts;
mod form;
mod fresh;
mod guard;
mod live;
mod pages;
mod report_page;
mod settings;
mod stats_page;
mod step;
mod undo;
mod withdraw;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;

use crate::error::{Error, Result};
use crate::pipeline::TypstRenderer;
use crate::workspace::Workspace;

pub use auth::Access;

/// What every request shares: the workspace's folder, the one typesetter (its fonts stay
/// warm between previews), the form token and the address the server answers to.
pub(crate) struct Server {
    root: PathBuf,
    renderer: TypstRenderer,
    token: String,
    /// The Host names requests may give (see [`guard::own_hosts`]).
    hosts: Vec<String>,
    auth: auth::Auth,
    pages: pages::Pages,
    /// Whether the workspace changed since a page was computed.
    changes: fresh::Changes,
    /// The dashboards computed lately, shown again while nothing changed.
    boards: dashboard::Kept,
}

impl Server {
    /// The workspace as it is now (cases change between requests).
    fn workspace(&self) -> Result<Workspace> {
        Workspace::open(&self.root)
    }
}

/// Bind the loopback address at `port` (0: any free port).
pub fn bind(port: u16) -> Result<TcpListener> {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    TcpListener::bind(addr).map_err(|e| {
        Error::user(
            format!("无法在 {addr} 上启动工作台：{e}"),
            "换一个端口，例如 yingsu serve --port 8080；或先关闭占用该端口的程序",
        )
    })
}

/// Bind `addr` (`--listen`, e.g. `0.0.0.0:8080`) for a server that needs logins: refused
/// when the workspace at `root` declares no user (nobody could log in).
pub fn bind_listen(root: &std::path::Path, addr: &str) -> Result<TcpListener> {
    if crate::users::load(root)?.is_empty() {
        return Err(Error::user(
            format!(
                "对外监听（--listen {addr}）时每个请求都要登录，但工作区还没有声明任何用户（{}）",
                crate::users::USERS_FILE
            ),
            "先添加用户，例如 yingsu user add 张三 --role 经办人（按提示输入两次密码），再启动；只在本机使用时去掉 --listen",
        ));
    }
    TcpListener::bind(addr).map_err(|e| {
        Error::user(
            format!("无法在 {addr} 上启动工作台：{e}"),
            "--listen 写成 地址:端口，例如 0.0.0.0:8080 或 192.168.1.10:8080；或先关闭占用该端口的程序",
        )
    })
}

/// Serve the workspace at `root` on `listener` (from [`bind`]) until the process ends.
pub fn run(root: PathBuf, listener: TcpListener) -> Result<()> {
    run_with(root, listener, Access::default())
}

/// [`run`], reached as `access` says (with `--listen`: logins).
pub fn run_with(root: PathBuf, listener: TcpListener, access: Access) -> Result<()> {
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("读取监听地址", "127.0.0.1", e))?;
    let listening = access.listen;
    let server = Arc::new(Server {
        renderer: TypstRenderer::new(),
        token: guard::new_token()?,
        hosts: guard::own_hosts(addr, access.listen, &access.hosts),
        auth: auth::Auth::new(access),
        pages: pages::Pages::new(listening)?,
        changes: fresh::Changes::watch(&root),
        boards: dashboard::Kept::default(),
        root,
    });
    listener
        .set_nonblocking(true)
        .map_err(|e| Error::io("设置监听", "127.0.0.1", e))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_io()
        .build()
        .map_err(|e| Error::io("启动工作台", "127.0.0.1", e))?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)
            .map_err(|e| Error::io("启动工作台", "127.0.0.1", e))?;
        axum::serve(
            listener,
            router(server).into_make_service_with_connect_info::<SocketAddr>(),
        )
        .await
        .map_err(|e| Error::io("运行工作台", "127.0.0.1", e))
    })
}

fn router(server: Arc<Server>) -> Router {
    Router::new()
        .route("/", get(dashboard::page))
        .route("/login", get(auth::login_form).post(auth::login_submit))
        .route("/logout", get(auth::logout_form).post(auth::logout_submit))
        .route("/case/{id}", get(case_page::page))
        .route("/stats", get(stats_page::page))
        .route("/check", get(check_page::page).post(check_page::submit))
        .route(
            "/report/{kind}",
            get(report_page::page).post(report_page::submit),
        )
        .route("/report/{kind}/pdf", get(report_page::pdf))
        .route("/case/{id}/doc/{entry}/{index}", get(case_page::document))
        .route("/case/{id}/undo", axum::routing::post(undo::submit))
        .route("/case/{id}/facts", axum::routing::post(facts::submit))
        .route("/case/{id}/withdraw", axum::routing::post(withdraw::submit))
        .route(
            "/case/{id}/attach",
            axum::routing::post(attach::submit).layer(axum::extract::DefaultBodyLimit::max(
                guard::MAX_UPLOAD_BYTES,
            )),
        )
        .route("/settings", get(settings::page))
        .route("/settings/{section}", axum::routing::post(settings::add))
        .route(
            "/settings/{section}/{id}",
            axum::routing::post(settings::edit),
        )
        .route(
            "/case/{id}/step/{step}",
            get(step::advance_form).post(step::advance_submit),
        )
        .route(
            "/new/{workflow}",
            get(step::new_form).post(step::new_submit),
        )
        .route(
            "/case/{id}/step/{step}/preview",
            axum::routing::post(step::advance_preview),
        )
        .route(
            "/new/{workflow}/preview",
            axum::routing::post(step::new_preview),
        )
        .route("/assets/{file}", get(live::asset))
        .layer(axum::middleware::from_fn_with_state(
            server.clone(),
            guard::check_request,
        ))
        .with_state(server)
}

/// Run `f` (which reads files and may typeset) off the async threads; its error becomes a page.
async fn blocking<F>(server: &Arc<Server>, f: F) -> Response
where
    F: FnOnce(&Server) -> Result<Response> + Send + 'static,
{
    let s = server.clone();
    match tokio::task::spawn_blocking(move || f(&s)).await {
        Ok(Ok(r)) => r,
        Ok(Err(e)) => error_page(server, StatusCode::UNPROCESSABLE_ENTITY, &e),
        Err(e) => error_page(
            server,
            StatusCode::INTERNAL_SERVER_ERROR,
            &Error::Internal(e.to_string()),
        ),
    }
}

/// A page saying what went wrong, in the engine's words.
fn error_page(server: &Server, status: StatusCode, e: &Error) -> Response {
    let ctx = serde_json::json!({ "message": e.to_string() });
    match server.pages.render("error.html", ctx) {
        Ok(html) => (status, Html(html)).into_response(),
        Err(_) => (status, e.to_string()).into_response(),
    }
}

/// `s` with every byte outside the unreserved set percent-encoded (RFC 5987).
pub(crate) fn enc(s: &str) -> String {
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
