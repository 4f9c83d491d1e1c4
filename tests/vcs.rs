//! The version-controlled archive (issue 33): `init` makes a repository, every writing command is
//! exactly one commit of exactly the files it wrote, hand edits are listed and recorded only on
//! request, `log` and `show` read the history. The binary runs with no `git` on its PATH (PATH
//! is an empty folder, HOME another): libgit2 is compiled in.

mod common;

use std::path::{Path, PathBuf};

use git2::Repository;

const T: &str = "2023-05-08T09:00:00+08:00";
const CASE: &str = "2023-行初-52";

/// A folder holding no program: the PATH of every run (no git there).
fn no_programs() -> &'static Path {
    static DIR: std::sync::OnceLock<tempfile::TempDir> = std::sync::OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().unwrap()).path()
}

/// Run the binary (by its absolute path) in `dir` at `now` as 测试员, without git on the PATH.
fn yingsu(dir: &Path, args: &[&str], now: &str) -> (i32, String, String) {
    let empty = no_programs().to_str().unwrap();
    common::run_env(dir, args, now, &[("PATH", empty), ("HOME", empty)])
}

fn ok(dir: &Path, args: &[&str], now: &str) -> String {
    let (code, out, err) = yingsu(dir, args, now);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

fn repo(dir: &Path) -> Repository {
    Repository::open(dir).unwrap()
}

fn commits(dir: &Path) -> usize {
    let r = repo(dir);
    let mut walk = r.revwalk().unwrap();
    walk.push_head().unwrap();
    walk.count()
}

/// The last commit: author, time (RFC 3339), message and the files it changed (sorted).
fn last(dir: &Path) -> (String, String, String, Vec<String>) {
    let r = repo(dir);
    let c = r.head().unwrap().peel_to_commit().unwrap();
    let tree = c.tree().unwrap();
    let parent = c.parent(0).ok().map(|p| p.tree().unwrap());
    let diff = r
        .diff_tree_to_tree(parent.as_ref(), Some(&tree), None)
        .unwrap();
    let mut files: Vec<String> = diff
        .deltas()
        .map(|d| {
            d.new_file()
                .path()
                .or(d.old_file().path())
                .unwrap()
                .display()
                .to_string()
        })
        .collect();
    files.sort();
    let t = c.author().when();
    let at = chrono::DateTime::from_timestamp(t.seconds(), 0)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(t.offset_minutes() * 60).unwrap())
        .to_rfc3339();
    (
        format!(
            "{} <{}>",
            c.author().name().unwrap(),
            c.author().email().unwrap()
        ),
        at,
        c.message().unwrap().to_string(),
        files,
    )
}

/// A court's notice as a `--from` file outside the workspace.
fn notice(dir: &Path) -> PathBuf {
    let p = dir.join("notice.yaml");
    std::fs::write(
        &p,
        "case_number: (2023)渝0112行初52号\ncourt: ybfy\ncause: 行政处罚\nlevel: 一审\nplaintiffs: [\"重庆某食品有限公司\"]\nagency: scjgj\nnotice_date: 2023-04-20\nhead_required: true\nhearing_date: 2023-05-08\nhearing_time: 上午9时30分\nhearing_place: 区法院第三审判庭\nhead_name: 李某某\nhead_post: 局长\n",
    )
    .unwrap();
    p
}

/// A new workspace (`init`) with case `CASE` opened from the court's notice.
fn with_case() -> (tempfile::TempDir, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let side = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], "2023-04-20T08:00:00+08:00");
    let from = notice(side.path());
    ok(
        dir.path(),
        &[
            "case",
            "new",
            "appearance",
            CASE,
            "--from",
            from.to_str().unwrap(),
        ],
        "2023-04-20T09:00:00+08:00",
    );
    (dir, side)
}

const APPEARANCE: &[&str] = &[
    "case",
    "advance",
    CASE,
    "appearance",
    "--set",
    "head_appeared=true",
    "--set",
    "head_spoke=true",
    "--set",
    "delegates=王明，法规科科长",
];

const JUDGMENT: &[&str] = &[
    "case",
    "advance",
    CASE,
    "judgment",
    "--set",
    "judgment_date=2023-06-08",
    "--set",
    "outcome=撤销",
];

const LOSS_REVIEW: &[&str] = &[
    "case",
    "advance",
    CASE,
    "loss_review",
    "--set",
    "loss_causes=证据不足；程序违法",
    "--set",
    "responsibility=承办科室负直接责任",
    "--set",
    "measures=加强培训；完善制度",
    "--set",
    "report_date=2023-07-10",
];

fn strs(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn a_new_workspace_is_a_repository_with_one_commit() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["init", "."], T);
    assert!(
        out.ends_with("已建立 git 仓库（分支 main），以上文件记为第一次提交。\n下一步：编辑 yingsu.yaml 填写本地机关和单位，然后运行 `yingsu validate`。\n"),
        "{out}"
    );
    let r = repo(dir.path());
    assert_eq!(r.head().unwrap().shorthand().unwrap(), "main");
    assert_eq!(commits(dir.path()), 1);
    let (author, at, message, files) = last(dir.path());
    assert_eq!(author, "测试员 <yingsu>");
    assert_eq!(at, "2023-05-08T09:00:00+08:00");
    assert_eq!(
        message,
        "新建工作区（经办人 测试员）\n\nYingsu-Command: init\n"
    );
    assert_eq!(
        files,
        strs(&[
            ".gitattributes",
            ".gitignore",
            ".vscode/settings.json",
            "schema/case.json",
            "schema/config.json",
            "schema/workflow.json",
            "yingsu.yaml",
        ])
    );
    // Nothing left over: validate lists no hand changes, and says nothing about git.
    let (code, _, err) = yingsu(dir.path(), &["validate"], T);
    assert_eq!(code, 0);
    assert!(!err.contains("git") && !err.contains("手工"), "{err}");
}

#[test]
fn each_step_is_one_commit_of_exactly_its_files() {
    let (dir, _side) = with_case();
    let p = dir.path();
    assert_eq!(commits(p), 2);
    let (author, at, message, files) = last(p);
    assert_eq!(author, "测试员 <yingsu>");
    assert_eq!(at, "2023-04-20T09:00:00+08:00");
    assert_eq!(
        message,
        format!(
            "（2023）渝0112行初52号 收到出庭应诉通知：出庭应诉提示函（经办人 测试员）\n\nYingsu-Command: case new\nYingsu-Case: {CASE}\nYingsu-Step: notice\nYingsu-Document: 出庭应诉提示函\nYingsu-File: archive/2023/{CASE}/01-notice-tishihan.pdf\n"
        )
    );
    assert_eq!(
        files,
        vec![
            format!("archive/2023/{CASE}/01-notice-tishihan.json"),
            format!("archive/2023/{CASE}/01-notice-tishihan.pdf"),
            format!("cases/2023/{CASE}.yaml"),
        ]
    );

    ok(p, APPEARANCE, T);
    assert_eq!(commits(p), 3);
    let (_, _, message, files) = last(p);
    assert_eq!(
        message,
        format!(
            "（2023）渝0112行初52号 出庭应诉：授权委托书（经办人 测试员）\n\nYingsu-Command: case advance\nYingsu-Case: {CASE}\nYingsu-Step: appearance\nYingsu-Document: 授权委托书\nYingsu-File: archive/2023/{CASE}/02-appearance-shouquan.pdf\n"
        )
    );
    assert_eq!(
        files,
        vec![
            format!("archive/2023/{CASE}/02-appearance-shouquan.json"),
            format!("archive/2023/{CASE}/02-appearance-shouquan.pdf"),
            format!("cases/2023/{CASE}.yaml"),
        ]
    );

    ok(p, JUDGMENT, "2023-06-08T09:00:00+08:00");
    ok(p, LOSS_REVIEW, "2023-07-10T09:00:00+08:00");
    assert_eq!(commits(p), 5);
    let (_, at, message, files) = last(p);
    assert_eq!(at, "2023-07-10T09:00:00+08:00");
    assert_eq!(
        message,
        format!(
            "（2023）渝0112行初52号 败诉案件总结：行政诉讼败诉案件总结报告 渝北市监文〔2023〕1号（经办人 测试员）\n\nYingsu-Command: case advance\nYingsu-Case: {CASE}\nYingsu-Step: loss_review\nYingsu-Document: 渝北市监文〔2023〕1号\nYingsu-File: archive/2023/{CASE}/04-loss_review-baisu.pdf\n"
        )
    );
    // The number registry the step wrote is in the commit too.
    assert_eq!(
        files,
        vec![
            format!("archive/2023/{CASE}/04-loss_review-baisu.json"),
            format!("archive/2023/{CASE}/04-loss_review-baisu.pdf"),
            "archive/numbers/渝北市监文-2023.tsv".to_string(),
            format!("cases/2023/{CASE}.yaml"),
        ]
    );

    // A later fact.
    ok(
        p,
        &["case", "fact", CASE, "--set", "effective_date=2023-06-26"],
        "2023-07-11T09:00:00+08:00",
    );
    let (_, _, message, files) = last(p);
    assert_eq!(
        message,
        format!(
            "（2023）渝0112行初52号 补充事实：生效日期（经办人 测试员）\n\nYingsu-Command: case fact\nYingsu-Case: {CASE}\n"
        )
    );
    assert_eq!(files, vec![format!("cases/2023/{CASE}.yaml")]);

    // Undo: the voided copy and the removed original are in one commit.
    ok(
        p,
        &["case", "undo", CASE, "--reason", "报告重复"],
        "2023-07-12T09:00:00+08:00",
    );
    assert_eq!(commits(p), 7);
    let (_, _, message, files) = last(p);
    assert_eq!(
        message,
        format!(
            "（2023）渝0112行初52号 撤销步骤：败诉案件总结（报告重复）（经办人 测试员）\n\nYingsu-Command: case undo\nYingsu-Case: {CASE}\nYingsu-Step: loss_review\n"
        )
    );
    assert!(
        files.contains(&format!("archive/2023/{CASE}/04-loss_review-baisu.pdf")),
        "{files:?}"
    );
    assert!(
        files.contains(&format!("cases/2023/{CASE}.yaml")),
        "{files:?}"
    );
    assert!(
        !p.join(format!("archive/2023/{CASE}/04-loss_review-baisu.pdf"))
            .exists()
    );
    // Every file the commands wrote is recorded: nothing is left changed.
    assert_clean(p);

    // Withdrawal.
    ok(
        p,
        &["case", "withdraw", CASE, "--reason", "重复登记"],
        "2023-07-13T09:00:00+08:00",
    );
    assert_eq!(commits(p), 8);
    let (_, _, message, _) = last(p);
    assert_eq!(
        message,
        format!(
            "（2023）渝0112行初52号 撤回案件（重复登记）（经办人 测试员）\n\nYingsu-Command: case withdraw\nYingsu-Case: {CASE}\n"
        )
    );
    assert_clean(p);
}

/// `git status` of the workspace is empty (ignored files aside).
fn assert_clean(p: &Path) {
    let r = repo(p);
    let mut opts = git2::StatusOptions::new();
    opts.include_untracked(true).recurse_untracked_dirs(true);
    let st = r.statuses(Some(&mut opts)).unwrap();
    let left: Vec<String> = st
        .iter()
        .map(|s| format!("{:?} {}", s.status(), s.path().unwrap()))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_failed_command_commits_nothing() {
    let (dir, _side) = with_case();
    let p = dir.path();
    let head = repo(p).head().unwrap().target().unwrap();
    let (code, _, err) = yingsu(p, &["case", "advance", CASE, "judgment"], T);
    assert_eq!(code, 1);
    assert!(err.starts_with("错误：不能从“收到出庭应诉通知”"), "{err}");
    assert_eq!(repo(p).head().unwrap().target().unwrap(), head);
    assert_clean(p);
}

#[test]
fn a_hand_edit_is_listed_kept_out_and_recorded_on_request() {
    let (dir, _side) = with_case();
    let p = dir.path();
    let mut config = std::fs::read_to_string(p.join("yingsu.yaml")).unwrap();
    config.push_str("# 手工加的注释\n");
    std::fs::write(p.join("yingsu.yaml"), &config).unwrap();
    std::fs::write(p.join("备忘.txt"), "记事\n").unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 0, "{err}");
    // (After what validate found: here only `init`'s placeholders.)
    assert!(
        err.ends_with("\n以下文件在 yingsu 之外被修改，尚未记入历史：\n  修改 yingsu.yaml\n  新增 备忘.txt\n核对无误后运行 `yingsu commit -m 说明` 记入历史。\n"),
        "{err}"
    );
    assert!(err.starts_with("未填写："), "{err}");
    // The next step's commit holds only what the step wrote.
    ok(p, APPEARANCE, T);
    let (_, _, _, files) = last(p);
    assert_eq!(
        files,
        vec![
            format!("archive/2023/{CASE}/02-appearance-shouquan.json"),
            format!("archive/2023/{CASE}/02-appearance-shouquan.pdf"),
            format!("cases/2023/{CASE}.yaml"),
        ]
    );
    let before = commits(p);
    let out = ok(
        p,
        &["commit", "-m", "加注释和备忘"],
        "2023-05-09T10:00:00+08:00",
    );
    assert_eq!(
        out,
        "已记入历史（经办人 测试员）：\n  修改 yingsu.yaml\n  新增 备忘.txt\n"
    );
    assert_eq!(commits(p), before + 1);
    let (author, at, message, files) = last(p);
    assert_eq!(author, "测试员 <yingsu>");
    assert_eq!(at, "2023-05-09T10:00:00+08:00");
    assert_eq!(
        message,
        "手工修改：加注释和备忘（经办人 测试员）\n\nYingsu-Command: commit\n"
    );
    assert_eq!(files, strs(&["yingsu.yaml", "备忘.txt"]));
    assert_clean(p);
    let out = ok(p, &["commit", "-m", "再来"], T);
    assert_eq!(out, "没有手工修改的文件，无需记录。\n");
    assert_eq!(commits(p), before + 1);
}

#[test]
fn log_lists_who_did_what_and_when() {
    let (dir, side) = with_case();
    let p = dir.path();
    ok(p, APPEARANCE, T);
    // Another case, which a case's log leaves out.
    let from = notice(side.path());
    ok(
        p,
        &[
            "case",
            "new",
            "appearance",
            "2023-行初-60",
            "--from",
            from.to_str().unwrap(),
            "--set",
            "case_number=(2023)渝0112行初60号",
        ],
        "2023-05-10T09:00:00+08:00",
    );
    assert_eq!(
        ok(p, &["log", CASE], T),
        "2023-05-08 09:00  （2023）渝0112行初52号 出庭应诉：授权委托书（经办人 测试员）\n2023-04-20 09:00  （2023）渝0112行初52号 收到出庭应诉通知：出庭应诉提示函（经办人 测试员）\n"
    );
    assert_eq!(
        ok(p, &["log", "--since", "2023-05-01"], T),
        "2023-05-10 09:00  （2023）渝0112行初60号 收到出庭应诉通知：出庭应诉提示函（经办人 测试员）\n2023-05-08 09:00  （2023）渝0112行初52号 出庭应诉：授权委托书（经办人 测试员）\n"
    );
    assert_eq!(
        ok(p, &["log"], T).lines().last(),
        Some("2023-04-20 08:00  新建工作区（经办人 测试员）")
    );
    assert_eq!(
        ok(p, &["log", "无此案"], T),
        "案件 无此案 在历史中没有记录。\n"
    );
    // A step after the first log (whose list of commits by case is then brought up to date).
    ok(p, JUDGMENT, "2023-06-08T09:00:00+08:00");
    let log = ok(p, &["log", CASE], T);
    assert_eq!(
        log.lines().collect::<Vec<_>>(),
        vec![
            "2023-06-08 09:00  （2023）渝0112行初52号 裁判（经办人 测试员）",
            "2023-05-08 09:00  （2023）渝0112行初52号 出庭应诉：授权委托书（经办人 测试员）",
            "2023-04-20 09:00  （2023）渝0112行初52号 收到出庭应诉通知：出庭应诉提示函（经办人 测试员）",
        ]
    );
}

#[test]
fn show_restores_a_lost_or_altered_document_byte_for_byte() {
    let (dir, _side) = with_case();
    let p = dir.path();
    ok(p, APPEARANCE, T);
    ok(p, JUDGMENT, "2023-06-08T09:00:00+08:00");
    ok(p, LOSS_REVIEW, "2023-07-10T09:00:00+08:00");
    let number = "渝北市监文〔2023〕1号";
    let file = format!("archive/2023/{CASE}/04-loss_review-baisu.pdf");
    let issued = std::fs::read(p.join(&file)).unwrap();
    let said = format!(
        "{number} 由 2023-07-10 09:00 印发：（2023）渝0112行初52号 败诉案件总结：行政诉讼败诉案件总结报告 渝北市监文〔2023〕1号（经办人 测试员）（提交 "
    );
    let out = ok(p, &["show", number], T);
    assert!(out.starts_with(&said), "{out}");
    assert!(
        out.ends_with(&format!("）\n文件 {file} 与印发时一致，未作改动。\n")),
        "{out}"
    );

    std::fs::remove_file(p.join(&file)).unwrap();
    let out = ok(p, &["show", number], T);
    assert!(
        out.ends_with(&format!(
            "文件 {file} 缺失，已从历史恢复为印发时的原件（逐字节一致）。\n"
        )),
        "{out}"
    );
    assert_eq!(std::fs::read(p.join(&file)).unwrap(), issued);
    assert_clean(p);

    std::fs::write(p.join(&file), b"%PDF-altered").unwrap();
    let out = ok(p, &["show", number], T);
    assert!(
        out.ends_with(&format!(
            "文件 {file} 被改动，已从历史恢复为印发时的原件（逐字节一致）。\n"
        )),
        "{out}"
    );
    assert_eq!(std::fs::read(p.join(&file)).unwrap(), issued);
    assert_clean(p);

    let (code, _, err) = yingsu(p, &["show", "渝北市监文〔2023〕9号"], T);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：历史中没有印发文号为 渝北市监文〔2023〕9号 的文书\n = 帮助：核对文号（含括号和年份），或用 `yingsu log 案件编号` 查看案件的历史\n"
    );
}

#[test]
fn a_workspace_without_history_says_how_and_init_git_makes_one() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    // A workspace as the library makes it: no repository.
    yingsu::workspace::init(p).unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 0);
    assert!(
        err.ends_with("\n提示：本工作区还不是 git 仓库，修改没有历史记录。运行 `yingsu init --git` 把它变成仓库（现有文件作为第一次提交）。\n"),
        "{err}"
    );
    let (code, _, err) = yingsu(p, &["log"], T);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：本工作区还不是 git 仓库，没有历史可查\n = 帮助：运行 `yingsu init --git` 把它变成仓库，此后每一步都会记入历史\n"
    );
    std::fs::write(p.join("备忘.txt"), "记事\n").unwrap();
    assert_eq!(
        ok(p, &["init", "--git"], T),
        "已把 . 变成 git 仓库（分支 main），现有文件记为第一次提交；此后每一步都会自动记入历史，用 `yingsu log` 查看。\n"
    );
    assert_eq!(commits(p), 1);
    let (_, _, message, files) = last(p);
    assert_eq!(
        message,
        "新建工作区（经办人 测试员）\n\nYingsu-Command: init\n"
    );
    assert!(files.contains(&"备忘.txt".to_string()), "{files:?}");
    assert!(files.contains(&"yingsu.yaml".to_string()), "{files:?}");
    assert_clean(p);
    let (code, _, err) = yingsu(p, &["init", "--git"], T);
    assert_eq!(code, 1);
    assert!(err.starts_with("错误：本工作区已经是 git 仓库"), "{err}");
}

#[test]
fn users_and_configuration_changes_are_commits() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    ok(p, &["init", "."], T);
    let empty = no_programs().to_str().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(p)
        .env("YINGSU_NOW", T)
        .env("YINGSU_USER", "测试员")
        .env("PATH", empty)
        .env("HOME", empty)
        .args(["user", "add", "李四", "--role", "clerk", "--password-stdin"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(b"a-long-password-1\n")?;
            c.wait_with_output()
        })
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let (_, _, message, files) = last(p);
    assert_eq!(
        message,
        "添加用户：李四（clerk）（经办人 测试员）\n\nYingsu-Command: user\n"
    );
    assert_eq!(files, strs(&["users.yaml"]));
    ok(p, &["user", "remove", "李四"], T);
    assert_eq!(commits(p), 3);

    // A configuration change through the library (the workbench's settings page).
    let ws = yingsu::Workspace::open(p).unwrap();
    yingsu::config_file::write_back(
        &ws,
        &[yingsu::config_file::ConfigEdit::Set {
            path: vec!["region".into()],
            value: serde_json::Value::String("重庆市江北区".into()),
        }],
    )
    .unwrap();
    assert_eq!(commits(p), 4);
    let (_, _, message, files) = last(p);
    assert!(
        message.starts_with("修改配置：把 region 改为“重庆市江北区”（经办人 "),
        "{message}"
    );
    assert_eq!(files, strs(&["yingsu.yaml"]));
}

#[test]
fn the_case_page_shows_the_case_history() {
    let (dir, _side) = with_case();
    let p = dir.path();
    ok(p, APPEARANCE, T);
    let empty = no_programs().to_str().unwrap();
    let served = common::http::serve_env(p, &[("PATH", empty), ("HOME", empty)]);
    let page = served.get(&format!("/case/{}", common::http::enc(CASE)));
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("<h2>归档历史</h2>\n<ul class=\"commits\">\n<li><time>2023-05-08 09:00</time> （2023）渝0112行初52号 出庭应诉：授权委托书（经办人 测试员）</li>\n<li><time>2023-04-20 09:00</time> （2023）渝0112行初52号 收到出庭应诉通知：出庭应诉提示函（经办人 测试员）</li>\n</ul>"),
        "{html}"
    );
}
