//! `yingsu init`: a new workspace (yingsu.yaml, cases/, archive/), made a git repository with its
//! first commit, and what to do next; `yingsu init --git` makes an existing workspace a
//! repository in place.

use std::io::Write;
use std::path::Path;

use yingsu::engine::Actor;
use yingsu::error::Result;
use yingsu::workspace;

use crate::cli::w;

/// `yingsu init [--git]` in `dir`.
pub fn run(dir: &Path, git: bool, out: &mut dyn Write) -> Result<()> {
    let actor = Actor::from_env()?;
    if git && dir.join("yingsu.yaml").exists() {
        yingsu::vcs::init_repository(dir, &actor)?;
        return w(
            out,
            format!(
                "已把 {} 变成 git 仓库（分支 {}），现有文件记为第一次提交；此后每一步都会自动记入历史，用 `yingsu log` 查看。",
                dir.display(),
                yingsu::vcs::BRANCH
            ),
        );
    }
    let created = workspace::init(dir)?;
    w(out, format!("已在 {} 新建工作区：", dir.display()))?;
    for p in created {
        w(out, format!("  {}", p.display()))?;
    }
    if !dir.join(".git").exists() {
        yingsu::vcs::init_repository(dir, &actor)?;
        w(
            out,
            format!(
                "已建立 git 仓库（分支 {}），以上文件记为第一次提交。",
                yingsu::vcs::BRANCH
            ),
        )?;
    }
    w(
        out,
        "下一步：编辑 yingsu.yaml 填写本地机关和单位，然后运行 `yingsu validate`。",
    )
}
