//! `yingsu init`: a new workspace (yingsu.yaml, cases/, archive/) and what to do next.

use std::io::Write;
use std::path::Path;

use yingsu::error::Result;
use yingsu::workspace;

use crate::cli::w;

/// `yingsu init` in `dir`.
pub fn run(dir: &Path, out: &mut dyn Write) -> Result<()> {
    let created = workspace::init(dir)?;
    w(out, format!("已在 {} 新建工作区：", dir.display()))?;
    for p in created {
        w(out, format!("  {}", p.display()))?;
    }
    w(
        out,
        "下一步：编辑 yingsu.yaml 填写本地机关和单位，然后运行 `yingsu validate`。",
    )
}
