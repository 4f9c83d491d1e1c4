//! `yingsu serve`: the workbench in a browser — binds 127.0.0.1, says where, and serves the
//! workspace until stopped (see `yingsu::serve`).

use std::io::Write;

use yingsu::error::{Error, Result};
use yingsu::workspace::Workspace;

/// `yingsu serve [--port N]`.
pub fn run(ws: &Workspace, port: u16, out: &mut dyn Write) -> Result<()> {
    let listener = yingsu::serve::bind(port)?;
    let addr = listener
        .local_addr()
        .map_err(|e| Error::io("读取监听地址", "127.0.0.1", e))?;
    writeln!(
        out,
        "应诉工作台已启动：http://{addr}/\n只在本机可以访问；按 Ctrl+C 停止。"
    )
    .and_then(|()| out.flush())
    .map_err(|e| Error::io("输出", "stdout", e))?;
    yingsu::serve::run(ws.root.clone(), listener)
}
