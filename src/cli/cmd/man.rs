//! `yingsu man`: the man page (roff) of the command line, its section titles in Chinese.

use std::io::Write;

use yingsu::error::{Error, Result};

use crate::cli::command;

/// `yingsu man`.
pub fn run(out: &mut dyn Write) -> Result<()> {
    let page = man_page()?;
    out.write_all(page.as_bytes())
        .map_err(|e| Error::io("输出", "stdout", e))
}

/// The man page (roff) of the command line, its section titles in Chinese.
pub fn man_page() -> Result<String> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(command())
        .render(&mut buf)
        .map_err(|e| Error::Internal(format!("生成 man 手册页：{e}")))?;
    let page = String::from_utf8(buf).map_err(|e| Error::Internal(e.to_string()))?;
    // The title first, as man(1) and readers of the file expect; the string definitions clap_mangen
    // writes before it are needed only by the text after it.
    let mut lines: Vec<&str> = page.lines().collect();
    if let Some(i) = lines.iter().position(|l| l.starts_with(".TH ")) {
        let title = lines.remove(i);
        lines.insert(0, title);
    }
    Ok(lines
        .into_iter()
        .map(|l| match l {
            ".SH NAME" => ".SH 名称",
            ".SH SYNOPSIS" => ".SH 概要",
            ".SH DESCRIPTION" => ".SH 描述",
            ".SH OPTIONS" => ".SH 选项",
            ".SH SUBCOMMANDS" => ".SH 命令",
            ".SH EXTRA" => ".SH 附注",
            ".SH VERSION" => ".SH 版本",
            ".SH AUTHORS" => ".SH 作者",
            l => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n")
}
