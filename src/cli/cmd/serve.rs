//! `yingsu serve`: the workbench in a browser — binds 127.0.0.1 (or, with `--listen`, the
//! address given, where everyone logs in), says where, and serves the workspace until stopped
//! (see `yingsu::serve`).

use std::io::Write;

use yingsu::error::{Error, Result};
use yingsu::workspace::Workspace;

/// `yingsu serve [--port N | --listen ADDR [--host NAME]...] [--open]`.
pub fn run(
    ws: &Workspace,
    port: u16,
    listen: Option<String>,
    hosts: Vec<String>,
    open_browser: bool,
    out: &mut dyn Write,
) -> Result<()> {
    let listener = match &listen {
        Some(addr) => yingsu::serve::bind_listen(&ws.root, addr)?,
        None => yingsu::serve::bind(port)?,
    };
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("读取监听地址", "127.0.0.1", e))?;
    let how = if listen.is_some() {
        "对外监听：每个请求都要登录（用户见 yingsu user list）；按 Ctrl+C 停止。"
    } else {
        "只在本机可以访问；按 Ctrl+C 停止。"
    };
    writeln!(out, "应诉工作台已启动：http://{addr}/\n{how}")
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("输出", "stdout", e))?;
    if open_browser {
        // The loopback address answers in both modes (a login page when listening).
        let url = format!("http://127.0.0.1:{}/", addr.port());
        if let Err(why) = open_in_browser(&url) {
            writeln!(out, "没能自动打开浏览器（{why}），请在浏览器中打开 {url}")
                .and_then(|()| out.flush())
                .map_err(|e| Error::io("输出", "stdout", e))?;
        }
    }
    let access = yingsu::serve::Access {
        listen: listen.is_some(),
        hosts,
    };
    yingsu::serve::run_with(ws.root.clone(), listener, access)
}

/// Ask the desktop to open `url` in the default browser, without waiting for it.
fn open_in_browser(url: &str) -> std::result::Result<(), String> {
    let program = if cfg!(target_os = "windows") {
        "cmd"
    } else if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let mut command = std::process::Command::new(program);
    if cfg!(target_os = "windows") {
        // `start` takes a window title first; the empty title keeps the address whole.
        command.args(["/C", "start", ""]);
    }
    command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .map(drop)
        .map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => format!("找不到打开浏览器的程序 {program}"),
            _ => format!("{program}：{e}"),
        })
}
