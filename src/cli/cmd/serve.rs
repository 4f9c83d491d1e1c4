//! `yingsu serve`: the workbench in a browser — binds 127.0.0.1 (or, with `--listen`, the
//! address given, where everyone logs in), says where, and serves the workspace until stopped
//! (see `yingsu::serve`).

use std::io::Write;

use yingsu::error::{Error, Result};
use yingsu::workspace::Workspace;

/// `yingsu serve [--port N | --listen ADDR [--host NAME]...]`.
pub fn run(
    ws: &Workspace,
    port: u16,
    listen: Option<String>,
    hosts: Vec<String>,
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
    let access = yingsu::serve::Access {
        listen: listen.is_some(),
        hosts,
    };
    yingsu::serve::run_with(ws.root.clone(), listener, access)
}
