//! The `yingsu` binary end to end: every built-in workflow through the CLI with real PDFs, exit
//! codes, and the messages a clerk sees.

use std::path::Path;
use std::process::Command;

mod common;

fn yingsu(dir: &Path, args: &[&str], now: &str) -> (i32, String, String) {
    common::run_env(dir, args, now, &[])
}

fn ok(dir: &Path, args: &[&str], now: &str) -> String {
    let (code, out, err) = yingsu(dir, args, now);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

const T: &str = "2023-05-08T09:00:00+08:00";

/// A new workspace (`init`) holding `notice.yaml` for `case new … --from notice.yaml`.
fn workspace_with_notice() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], T);
    std::fs::write(
        dir.path().join("notice.yaml"),
        notice_yaml("重庆某食品有限公司"),
    )
    .unwrap();
    dir
}

/// Copy `tests/fixtures/<name>` to `to`, creating its folder.
fn copy_fixture(name: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name),
        to,
    )
    .unwrap();
}

/// `case new appearance ID --from FROM`, the case getting a 案号 of its own (one 案号, one case).
fn case_new(p: &Path, id: &str, from: &str, now: &str) -> String {
    let seq = common::case_seq(id);
    let number = format!("case_number=(2023)渝0112行初{seq}号");
    ok(
        p,
        &[
            "case",
            "new",
            "appearance",
            id,
            "--from",
            from,
            "--set",
            &number,
        ],
        now,
    )
}

/// A court's notice as a `--from` file, with one plaintiff (a YAML string, so any text).
fn notice_yaml(plaintiff: &str) -> String {
    format!(
        "case_number: (2023)渝0112行初123号\ncourt: ybfy\ncause: 行政处罚\nlevel: 一审\nplaintiffs: [\"{plaintiff}\"]\nagency: scjgj\nnotice_date: 2023-04-20\nhead_required: true\nhearing_date: 2023-05-08\nhearing_time: 上午9时30分\nhearing_place: 区法院第三审判庭\nhead_name: 李某某\nhead_post: 局长\n"
    )
}

#[test]
fn init_validate_and_workflow_commands() {
    let dir = tempfile::tempdir().unwrap();
    let out = ok(dir.path(), &["init", "."], T);
    assert!(out.contains("已在 . 新建工作区"), "{out}");
    assert!(dir.path().join("yingsu.yaml").is_file());
    let out = ok(dir.path(), &["validate"], T);
    assert!(out.starts_with("检查通过：3 个流程，"), "{out}");
    // init refuses to overwrite.
    let (code, _, err) = yingsu(dir.path(), &["init", "."], T);
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：这里已经有 yingsu.yaml，不会覆盖"),
        "{err}"
    );
    // The YAML printed is the built-in file, byte for byte.
    let yaml = ok(dir.path(), &["workflow", "show", "appearance", "--yaml"], T);
    assert_eq!(yaml, include_str!("../workflows/appearance.yaml"));
    let show = ok(dir.path(), &["workflow", "show", "appearance"], T);
    assert!(show.contains("● 裁判（judgment）"), "{show}");
    assert!(
        show.contains("    → loss_review  当 outcome in ['撤销'"),
        "{show}"
    );
    // Outside any workspace.
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = yingsu(empty.path(), &["status"], T);
    assert_eq!(code, 1);
    assert!(
        err.contains("不是 yingsu 工作区（找不到 yingsu.yaml）"),
        "{err}"
    );
    // workflow show works without a workspace too.
    let show = ok(empty.path(), &["workflow", "show", "proposal"], T);
    assert!(show.starts_with("流程 proposal：提案办理"), "{show}");
}

#[test]
fn appearance_case_through_the_cli() {
    let dir = workspace_with_notice();
    let out = ok(
        dir.path(),
        &[
            "case",
            "new",
            "appearance",
            "2023-行初-123",
            "--from",
            "notice.yaml",
        ],
        "2023-04-20T09:00:00+08:00",
    );
    assert!(
        out.contains("已新建案件 2023-行初-123：收到出庭应诉通知（notice）"),
        "{out}"
    );
    assert!(
        out.contains("文书：出庭应诉提示函  archive/2023/2023-行初-123/01-notice-tishihan.pdf"),
        "{out}"
    );
    let pdf = std::fs::read(
        dir.path()
            .join("archive/2023/2023-行初-123/01-notice-tishihan.pdf"),
    )
    .unwrap();
    assert!(pdf.starts_with(b"%PDF-"));

    // Refused: a step not allowed from here, with exit code 1 and nothing changed.
    let case_file = dir.path().join("cases/2023/2023-行初-123.yaml");
    let before = std::fs::read(&case_file).unwrap();
    let (code, _, err) = yingsu(
        dir.path(),
        &["case", "advance", "2023-行初-123", "judgment"],
        T,
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：不能从“收到出庭应诉通知”（notice）直接转到“裁判”（judgment）\n = 帮助：从 notice 可以转到：reply（答辩举证）、appearance（出庭应诉）\n"
    );
    assert_eq!(std::fs::read(&case_file).unwrap(), before);

    let out = ok(
        dir.path(),
        &[
            "case",
            "advance",
            "2023-行初-123",
            "appearance",
            "--set",
            "head_appeared=true",
            "--set",
            "head_spoke=true",
            "--set",
            "delegates=王明，法规科科长",
        ],
        T,
    );
    assert!(
        out.contains("文书：授权委托书  archive/2023/2023-行初-123/02-appearance-shouquan.pdf"),
        "{out}"
    );
    ok(
        dir.path(),
        &[
            "case",
            "advance",
            "2023-行初-123",
            "judgment",
            "--set",
            "judgment_date=2023-06-08",
            "--set",
            "effective_date=2023-06-26",
            "--set",
            "outcome=撤销",
        ],
        "2023-06-08T09:00:00+08:00",
    );
    let status = ok(
        dir.path(),
        &["status", "--json"],
        "2023-07-20T09:00:00+08:00",
    );
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(v[0]["id"], "2023-行初-123");
    assert_eq!(v[0]["step"], "judgment");
    assert_eq!(v[0]["deadline"]["due"], "2023-07-17");
    assert_eq!(v[0]["deadline"]["overdue"], true);
    let table = ok(dir.path(), &["status"], "2023-07-20T09:00:00+08:00");
    assert!(table.contains("逾期"), "{table}");
    let out = ok(
        dir.path(),
        &[
            "case",
            "advance",
            "2023-行初-123",
            "loss_review",
            "--set",
            "loss_causes=证据不足；程序违法",
            "--set",
            "responsibility=承办科室负直接责任",
            "--set",
            "measures=加强培训；完善制度",
            "--set",
            "report_date=2023-07-10",
        ],
        "2023-07-10T09:00:00+08:00",
    );
    assert!(
        out.contains("文书：行政诉讼败诉案件总结报告（渝北市监文〔2023〕1号）"),
        "{out}"
    );
    ok(
        dir.path(),
        &["case", "advance", "2023-行初-123", "closed"],
        "2023-07-11T09:00:00+08:00",
    );
    let show = ok(dir.path(), &["case", "show", "2023-行初-123"], T);
    assert!(show.contains("当前步骤：结案（closed）"), "{show}");
    assert!(
        show.contains("行政诉讼败诉案件总结报告（渝北市监文〔2023〕1号）"),
        "{show}"
    );

    // Rendering again changes nothing: same bytes, same number.
    let out = ok(dir.path(), &["render", "2023-行初-123"], T);
    assert!(out.ends_with("共 3 份文书，更新 0 份。\n"), "{out}");

    // A number changed in the case file is not the registry's: validate points at it, and a
    // re-issue under it is refused (it would give a second document the next number).
    let file = dir.path().join("cases/2023/2023-行初-123.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("渝北市监文〔2023〕1号", "渝北市监文〔2023〕2号"),
    )
    .unwrap();
    let (code, _, err) = yingsu(dir.path(), &["validate"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("的文号 渝北市监文〔2023〕2号 与文号登记簿不符：文号登记簿给这份文书的文号是 渝北市监文〔2023〕1号，办理记录中却是 渝北市监文〔2023〕2号\n  --> cases/2023/2023-行初-123.yaml:"),
        "{err}"
    );
    let (code, _, err) = yingsu(dir.path(), &["render", "--reissue", "2023-行初-123"], T);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("与文号登记簿不符"), "{err}");
    assert!(err.contains("不能按它重新印发"), "{err}");
}

#[test]
fn rectification_and_proposal_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], T);
    let out = ok(
        dir.path(),
        &[
            "case",
            "new",
            "rectification",
            "ZG-2023Q1-1",
            "--set",
            "agency=scjgj",
            "--set",
            "reason=出庭率为零",
            "--set",
            "period=2023年第一季度",
            "--set",
            "findings=第一季度开庭3件，负责人出庭0件。",
            "--set",
            "issued_date=2023-04-10",
            "--set",
            "interview=true",
            "--set",
            "interview_time=2023年4月17日上午9时30分",
            "--set",
            "interview_place=区司法局三楼会议室",
        ],
        "2023-04-10T09:00:00+08:00",
    );
    assert!(
        out.contains("督查整改通知书（渝北司函〔2023〕1号）"),
        "{out}"
    );
    assert!(out.contains("约谈通知书（渝北司函〔2023〕2号）"), "{out}");
    ok(
        dir.path(),
        &[
            "case",
            "advance",
            "ZG-2023Q1-1",
            "report_received",
            "--set",
            "report_date=2023-05-08",
            "--set",
            "report_summary=已建立台账",
        ],
        T,
    );
    ok(
        dir.path(),
        &[
            "case",
            "advance",
            "ZG-2023Q1-1",
            "verified",
            "--set",
            "verified_date=2023-06-01",
            "--set",
            "verified_result=整改到位",
        ],
        T,
    );

    ok(
        dir.path(),
        &[
            "case",
            "new",
            "proposal",
            "TA-003",
            "--set",
            "kind=政协提案",
            "--set",
            "session=区政协十六届二次会议",
            "--set",
            "proposal_number=003",
            "--set",
            "proposal_title=关于深入推进行政机关负责人出庭应诉制度纵深发展的建议",
            "--set",
            "proposer=民进区工委",
            "--set",
            "assigned_date=2023-02-20",
            "--set",
            "handler=sfj",
        ],
        "2023-02-20T09:00:00+08:00",
    );
    ok(
        dir.path(),
        &[
            "case",
            "advance",
            "TA-003",
            "drafted",
            "--set",
            "background=近年来……",
            "--set",
            "work=加强指导监督：严格落实有关规定。",
            "--set",
            "next_steps=完善制度：修订出庭应诉规定。",
        ],
        T,
    );
    ok(
        dir.path(),
        &[
            "case",
            "advance",
            "TA-003",
            "signed",
            "--set",
            "signer=局长杨佳红",
            "--set",
            "sign_date=2023-05-06",
        ],
        T,
    );
    let out = ok(
        dir.path(),
        &[
            "case",
            "advance",
            "TA-003",
            "replied",
            "--set",
            "reply_date=2023-05-08",
            "--set",
            "reply_class=B",
            "--set",
            "contact=饶东",
            "--set",
            "phone=023-67821277",
        ],
        T,
    );
    assert!(out.contains("提案答复函（渝北司函〔2023〕3号）"), "{out}");
    ok(
        dir.path(),
        &[
            "case",
            "advance",
            "TA-003",
            "feedback",
            "--set",
            "feedback_date=2023-06-02",
            "--set",
            "evaluation=满意",
        ],
        T,
    );
    ok(dir.path(), &["case", "advance", "TA-003", "done"], T);
    let status = ok(dir.path(), &["status", "--json"], T);
    let v: serde_json::Value = serde_json::from_str(&status).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 2);
    assert!(v.as_array().unwrap().iter().all(|r| r["closed"] == true));
}

#[test]
fn user_errors_exit_with_1_and_name_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], T);
    let (code, _, err) = yingsu(
        dir.path(),
        &[
            "case",
            "new",
            "appearance",
            "../x",
            "--set",
            "case_number=1",
        ],
        T,
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：案件编号 `../x` 不合法：不能包含“/”“\\”或“..”"),
        "{err}"
    );
    let (code, _, err) = yingsu(dir.path(), &["case", "new", "nosuch", "X1"], T);
    assert_eq!(code, 1);
    assert!(err.starts_with("错误：没有名为 `nosuch` 的流程"), "{err}");
    let (code, _, err) = yingsu(dir.path(), &["case", "show", "X1"], T);
    assert_eq!(code, 1);
    assert!(err.starts_with("错误：找不到案件 `X1`"), "{err}");
    let (code, _, err) = yingsu(
        dir.path(),
        &[
            "case",
            "new",
            "appearance",
            "X1",
            "--set",
            "notice_date=2023-02-30",
        ],
        T,
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("日期 `2023-02-30` 无效：2023 年 2 月没有 30 日"),
        "{err}"
    );
    let (code, _, err) = yingsu(
        dir.path(),
        &["case", "new", "appearance", "X1", "--from", "missing.yaml"],
        T,
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：文件不存在\n --> missing.yaml"),
        "{err}"
    );
    let (code, _, _) = yingsu(dir.path(), &["frobnicate"], T);
    assert_eq!(code, 1);
    // A broken workflow override stops every command with its position.
    std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
    std::fs::write(dir.path().join("workflows/appearance.yaml"), "name: appearance\ntitle: x\nstart: a\nfields: {}\nsteps:\n  a:\n    title: 开始\n    next: [{to: b}]\n").unwrap();
    let (code, _, err) = yingsu(dir.path(), &["validate"], T);
    assert_eq!(code, 1);
    assert!(
        err.contains("错误：步骤 `a` 转向未定义的步骤 `b`\n --> workflows/appearance.yaml:8:17"),
        "{err}"
    );
}

/// Every file below `dir` (relative path → bytes), but for the derived index in `.yingsu/`,
/// which is not a record (see `index`).
fn snapshot(dir: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            // yingsu's derived files and the archive's git repository (its internals).
            !e.path()
                .strip_prefix(dir)
                .is_ok_and(|p| p.starts_with(".yingsu") || p.starts_with(".git"))
        })
        .map(|e| {
            let rel = e
                .path()
                .strip_prefix(dir)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn render_all_repairs_the_archive_and_a_failure_changes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["demo"], T);
    let ws = tmp.path().join("yingsu-demo");
    let before = snapshot(&ws);
    let pdfs: Vec<&String> = before.keys().filter(|k| k.ends_with(".pdf")).collect();
    assert!(pdfs.len() > 50, "{}", pdfs.len());

    // The demo's documents re-render byte for byte.
    let out = ok(&ws, &["render", "--all", "-j", "2"], T);
    assert!(out.ends_with("共 73 份文书，更新 0 份。\n"), "{out}");
    assert_eq!(snapshot(&ws), before);

    // A lost file and a damaged one are restored, without new history entries.
    let lost = "archive/2023/JY-2023-017/04-replied-fuhan.pdf";
    let damaged = "archive/2023/2023-渝0112行初52/01-notice-tishihan.pdf";
    std::fs::remove_file(ws.join(lost)).unwrap();
    std::fs::write(ws.join(damaged), b"not a pdf").unwrap();
    let out = ok(&ws, &["render", "--all", "-j", "2"], T);
    assert!(
        out.ends_with(
            "共 73 份文书，更新 2 份；其中 71 份的排版所用数据（已印发的文书用印发时的数据）、模板和字体都没有变，未重新排版。\n"
        ),
        "{out}"
    );
    assert!(out.contains(&format!("更新 {lost}  ")), "{out}");
    assert!(out.contains(&format!("更新 {damaged}  ")), "{out}");
    assert_eq!(snapshot(&ws), before);

    // A broken workspace template fails the whole run, names the template and its line, and
    // leaves every file as it was (no temporary files either).
    std::fs::create_dir_all(ws.join("templates")).unwrap();
    let broken = include_str!("../templates/tishihan.typ").replacen("#let d", "#let d = (", 1);
    std::fs::write(ws.join("templates/tishihan.typ"), &broken).unwrap();
    let mut expected = before.clone();
    expected.insert("templates/tishihan.typ".into(), broken.into_bytes());
    let (code, _, err) = yingsu(&ws, &["render", "--all", "-j", "2"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "错误：生成《出庭应诉提示函》（案件 2023-渝0112行初102）失败：模板有误：括号或引号没有闭合\n  --> templates/tishihan.typ:15:10\n"
        ),
        "{err}"
    );
    assert!(err.contains("处错误未列出；请修改模板后重试"), "{err}");
    assert_eq!(snapshot(&ws), expected);

    // A template reading a field the data lacks.
    let missing = "#import \"/gbt9704.typ\": *\n#let d = json(\"/data.json\")\n#d.facts.nosuch\n";
    std::fs::write(ws.join("templates/tishihan.typ"), missing).unwrap();
    expected.insert("templates/tishihan.typ".into(), missing.into());
    let (code, _, err) = yingsu(&ws, &["render", "--all"], T);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：生成《出庭应诉提示函》（案件 2023-渝0112行初102）失败：模板有误：数据中没有这个字段：\"nosuch\"\n \
         --> templates/tishihan.typ:3:10\n  \
         |\n\
         3 | #d.facts.nosuch\n  \
         |          ^^^^^^\n  \
         = 帮助：排版程序原文：dictionary does not contain key \"nosuch\"；请修改模板后重试；工作区 templates/ 中的同名文件会替代内置模板\n\n\
         错误：另有 22 件案件的文书也未能生成，原因可能相同\n \
         = 帮助：修正后重新运行；本次没有改动任何文件\n"
    );
    assert_eq!(snapshot(&ws), expected);
}

#[test]
fn pasted_invisible_characters_are_kept_or_refused_clearly() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], T);
    let notice = notice_yaml;
    // A byte-order mark and a zero-width space (pasted from a web page) typeset as nothing and
    // are kept in the case file exactly, escaped so that the file stays valid YAML.
    std::fs::write(dir.path().join("a.yaml"), notice("\u{FEFF}张\u{200B}三")).unwrap();
    ok(
        dir.path(),
        &["case", "new", "appearance", "A1", "--from", "a.yaml"],
        T,
    );
    let file = std::fs::read_to_string(dir.path().join("cases/2023/A1.yaml")).unwrap();
    assert!(
        file.contains("plaintiffs: [\"\\uFEFF张\u{200B}三\"]"),
        "{file}"
    );
    let json = ok(dir.path(), &["status", "--json"], T);
    assert!(json.contains("\"id\": \"A1\""), "{json}");

    // A right-to-left override would display the name reversed: refused, nothing written.
    std::fs::write(dir.path().join("b.yaml"), notice("李\u{202E}四五")).unwrap();
    let before = snapshot(dir.path());
    let (code, _, err) = yingsu(
        dir.path(),
        &["case", "new", "appearance", "B1", "--from", "b.yaml"],
        T,
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：plaintiffs（原告）第 1 项 第 2 个字符是不可见的文字方向控制字符（U+202E），它会改变文字的显示顺序，使记录的内容与看到的不同\n --> b.yaml:5:13\n  |\n5 | plaintiffs: [\"李\u{202e}四五\"]\n  |             ^^^^^^^^^^\n  = 帮助：删除该字符后重试（常见于从网页或聊天软件复制的文字）\n"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn validate_reports_template_syntax_errors() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], T);
    std::fs::create_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(
        dir.path().join("templates/shouquan.typ"),
        "#import \"/gbt9704.typ\": *\n#let d = json(\"/data.json\")\n#text(d.title\n",
    )
    .unwrap();
    let (code, out, err) = yingsu(dir.path(), &["validate"], T);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        err,
        "错误：模板有误：括号或引号没有闭合\n \
         --> templates/shouquan.typ:3:6\n  \
         |\n\
         3 | #text(d.title\n  \
         |      ^\n  \
         = 帮助：排版程序原文：unclosed delimiter；请修改模板后重试；工作区 templates/ 中的同名文件会替代内置模板\n"
    );
    std::fs::remove_file(dir.path().join("templates/shouquan.typ")).unwrap();
    let out = ok(dir.path(), &["validate"], T);
    assert!(out.starts_with("检查通过：3 个流程，"), "{out}");
}

#[test]
fn validate_lists_the_font_of_each_role() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], T);
    // An official 仿宋 in the workspace's fonts/ (a renamed subset of FandolFang).
    copy_fixture(
        "fonts/fangsong-test.otf",
        &dir.path().join("fonts/仿宋.otf"),
    );
    let out = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir.path())
        .env("YINGSU_SYSTEM_FONTS", "0")
        .arg("validate")
        .output()
        .unwrap();
    let out = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = out.lines().map(str::trim_end).collect();
    assert_eq!(
        lines[1..],
        [
            "文书使用的字体：",
            "用途                          字体                                          来源",
            "小标宋（发文机关标志、标题）  FandolSong（未找到方正小标宋简体，以此代替）  yingsu 自带",
            "仿宋（正文）                  FangSong                                      工作区 fonts/",
            "楷体（二级标题、签发人）      FandolKai（未找到楷体_GB2312，以此代替）      yingsu 自带",
            "黑体（一级标题、附件标识）    FandolHei（未找到黑体，以此代替）             yingsu 自带",
            "宋体（页码）                  FandolSong（未找到宋体，以此代替）            yingsu 自带",
        ],
        "{out}"
    );
}

#[test]
fn a_seal_image_from_the_workspace_is_placed_on_the_document() {
    let dir = workspace_with_notice();
    copy_fixture("seal.png", &dir.path().join("seals/市监局.png"));
    let cfg = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap().replace(
        "    prefix: 渝北市监函\n",
        "    prefix: 渝北市监函\n    seal: seals/市监局.png\n",
    );
    assert!(text.contains("seal: seals/市监局.png"));
    std::fs::write(&cfg, text).unwrap();
    ok(
        dir.path(),
        &["case", "new", "appearance", "S1", "--from", "notice.yaml"],
        T,
    );
    // The 提示函 is signed by the agency, whose issuer has the seal: its 8×8 image is in the PDF.
    let pdf = dir.path().join("archive/2023/S1/01-notice-tishihan.pdf");
    let list = Command::new("pdfimages")
        .arg("-list")
        .arg(&pdf)
        .output()
        .expect("pdfimages (poppler-utils)");
    let list = String::from_utf8_lossy(&list.stdout);
    // (page, type, width, height) of each image: the seal and its transparency mask.
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| {
            let c: Vec<&str> = l.split_whitespace().collect();
            vec![c[2], c[3], c[4]]
        })
        .collect();
    assert_eq!(rows, [["image", "8", "8"], ["smask", "8", "8"]], "{list}");
}

#[test]
fn a_second_writer_waits_and_no_step_is_lost() {
    let dir = workspace_with_notice();
    ok(
        dir.path(),
        &["case", "new", "appearance", "L1", "--from", "notice.yaml"],
        T,
    );
    // Another command holds the workspace (as a long `render --all` would).
    let ws = yingsu::Workspace::open(dir.path()).unwrap();
    let lock = ws.lock_for_writing().unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir.path())
        .env("YINGSU_NOW", T)
        .env("YINGSU_USER", "测试员")
        .args([
            "case",
            "advance",
            "L1",
            "appearance",
            "--set",
            "head_appeared=true",
            "--set",
            "head_spoke=true",
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    let mut child = child;
    assert!(
        child.try_wait().unwrap().is_none(),
        "the advance did not wait"
    );
    let before = std::fs::read_to_string(dir.path().join("cases/2023/L1.yaml")).unwrap();
    assert!(!before.contains("step: appearance"));
    drop(lock);
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("另一个 yingsu 命令正在修改本工作区的记录，等待它完成……"),
        "{err}"
    );
    let after = std::fs::read_to_string(dir.path().join("cases/2023/L1.yaml")).unwrap();
    assert!(
        after.starts_with(&before),
        "the earlier record was rewritten"
    );
    assert!(after.contains("step: appearance"), "{after}");
}

#[test]
fn a_closed_output_pipe_is_not_an_error() {
    // `yingsu workflow show appearance | head -1`: the reader leaves early.
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir.path())
        .args(["workflow", "show", "appearance", "--yaml"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    assert!(out.status.success());
}

/// One broken case file spoils only itself: the listings show every other case and name the
/// broken file at its line and column (exit 1); the published figures are refused.
#[test]
fn a_broken_case_file_spoils_only_itself() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    case_new(p, "A2", "notice.yaml", T);
    let broken = p.join("cases/2023/A2.yaml");
    let text = std::fs::read_to_string(&broken).unwrap();
    std::fs::write(
        &broken,
        text.replacen("workflow: appearance", "workflow: [appearance", 1),
    )
    .unwrap();

    let (code, out, err) = yingsu(p, &["status"], T);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("A1"), "{out}");
    assert!(!out.contains("A2"), "{out}");
    assert!(err.contains("cases/2023/A2.yaml:4:"), "{err}");
    assert!(
        err.contains("以上 1 个案件文件无法读取，未列入结果：cases/2023/A2.yaml"),
        "{err}"
    );

    let (code, out, err) = yingsu(p, &["stats", "--year", "2023"], T);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("出庭应诉统计"), "{out}");
    assert!(err.contains("cases/2023/A2.yaml"), "{err}");

    let (code, _, err) = yingsu(
        p,
        &[
            "report", "monthly", "--agency", "scjgj", "--month", "2023-04",
        ],
        T,
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("有 1 个案件文件无法读取（cases/2023/A2.yaml），统计数字会漏计这些案件，因此不生成对外发布的数字"),
        "{err}"
    );
    assert!(!p.join("archive/reports").exists());

    // `render --all` makes the readable cases' documents and names the other.
    let (code, out, err) = yingsu(p, &["render", "--all"], T);
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(out.contains("archive/2023/A1/"), "{out}");
    assert!(err.contains("cases/2023/A2.yaml"), "{err}");
}

/// A case file is untrusted: a recorded document path is never used for writing. `render`
/// refuses a path that is not where yingsu keeps the document, `validate` points at it.
#[test]
fn recorded_document_paths_are_never_trusted() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    case_new(p, "A2", "notice.yaml", T);
    let file = p.join("cases/2023/A1.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    let recorded = "file: archive/2023/A1/01-notice-tishihan.pdf";
    assert!(original.contains(recorded));
    let line = original.lines().position(|l| l.contains(recorded)).unwrap() + 1;
    let column = original
        .lines()
        .nth(line - 1)
        .unwrap()
        .find("archive")
        .unwrap()
        + 1;
    let outside = p.parent().unwrap().join("yingsu-escape-test.pdf");
    let config_before = std::fs::read(p.join("yingsu.yaml")).unwrap();
    let other_before = std::fs::read(p.join("cases/2023/A2.yaml")).unwrap();
    for target in [
        outside.to_string_lossy().to_string(),
        "../../x.pdf".to_string(),
        "yingsu.yaml".to_string(),
        "cases/2023/A2.yaml".to_string(),
    ] {
        std::fs::write(
            &file,
            original.replace(recorded, &format!("file: \"{target}\"")),
        )
        .unwrap();
        let (code, out, err) = yingsu(p, &["render", "A1"], T);
        assert_eq!(code, 1, "{target}: {out}\n{err}");
        assert!(
            err.contains(&format!(
                "cases/2023/A1.yaml 第 1 条办理记录中《出庭应诉提示函》的文件路径 `{target}` 不是 yingsu 存放它的位置 `archive/2023/A1/01-notice-tishihan.pdf`"
            )),
            "{target}: {err}"
        );
        let (code, _, err) = yingsu(p, &["validate"], T);
        assert_eq!(code, 1, "{target}: {err}");
        assert!(
            err.contains(&format!("--> cases/2023/A1.yaml:{line}:{column}")),
            "{target}: {err}"
        );
        assert!(!outside.exists());
        assert_eq!(std::fs::read(p.join("yingsu.yaml")).unwrap(), config_before);
        assert_eq!(
            std::fs::read(p.join("cases/2023/A2.yaml")).unwrap(),
            other_before
        );
    }
    std::fs::write(&file, &original).unwrap();
    ok(p, &["validate"], T);
}

/// A case file copied to start a similar case carries the original's history: `validate` says
/// so and how to start the case properly; `render` of the copy never touches the original's
/// documents.
#[test]
fn a_copied_case_file_is_reported_and_never_overwrites_the_original() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let pdf = p.join("archive/2023/A1/01-notice-tishihan.pdf");
    let before = std::fs::read(&pdf).unwrap();
    let text = std::fs::read_to_string(p.join("cases/2023/A1.yaml")).unwrap();
    std::fs::write(
        p.join("cases/2023/A9.yaml"),
        text.replace(
            "  # hearing_place: 区法院第三审判庭\n",
            "  cause: 行政强制\n",
        ),
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("案件 A9 的办理记录属于另一个案件 A1（文书 `archive/2023/A1/01-notice-tishihan.pdf`），这个案件文件可能是从 A1 复制来的"),
        "{err}"
    );
    assert!(
        err.contains("yingsu case new 流程 A9 --from 事实.yaml"),
        "{err}"
    );
    let (code, _, err) = yingsu(p, &["render", "A9"], T);
    assert_eq!(code, 1, "{err}");
    assert_eq!(std::fs::read(&pdf).unwrap(), before);
}

/// The daily overview: the missing start date of a loss report is a reminder, not a silence;
/// status filters, orders by due date then by case number in natural order, and shows what is
/// left; the agenda groups by agency.
#[test]
fn status_filters_orders_and_reminds() {
    let dir = workspace_with_notice();
    let p = dir.path();
    let notice_qzf = notice_yaml("张某").replace("agency: scjgj", "agency: qzf");
    std::fs::write(p.join("qzf.yaml"), notice_qzf).unwrap();
    for (id, from) in [
        ("行初102", "notice.yaml"),
        ("行初15", "notice.yaml"),
        ("行初7", "notice.yaml"),
        ("行初9", "qzf.yaml"),
    ] {
        case_new(p, id, from, T);
    }
    let later = "2023-06-02T09:00:00+08:00";
    ok(
        p,
        &[
            "case",
            "advance",
            "行初7",
            "appearance",
            "--set",
            "head_appeared=true",
        ],
        T,
    );
    ok(
        p,
        &[
            "case",
            "advance",
            "行初7",
            "judgment",
            "--set",
            "judgment_date=2023-06-01",
            "--set",
            "outcome=撤销",
        ],
        later,
    );
    let friday = "2023-05-05T09:00:00+08:00";
    let out = ok(p, &["status", "--json"], friday);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["行初7", "行初9", "行初15", "行初102"]);
    assert_eq!(rows[0]["deadline"]["missing"], "待补充：生效日期");
    assert_eq!(rows[0]["deadline"]["title"], "报送败诉案件总结报告");
    assert_eq!(rows[1]["deadline"]["left"], 3);
    assert_eq!(rows[1]["agency"], "qzf");

    let out = ok(p, &["status"], friday);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines[0].starts_with("案件编号"), "{out}");
    assert!(
        lines[1].contains("待补充：生效日期（报送败诉案件总结报告）"),
        "{out}"
    );
    assert!(
        lines[3].starts_with("行初15") && lines[3].contains("2023-05-08 出庭应诉"),
        "{out}"
    );
    assert!(lines[3].contains("3天"), "{out}");
    assert!(
        out.contains("共 4 件，逾期 0 件，1 件缺少期限的起算日期。"),
        "{out}"
    );

    let out = ok(p, &["status", "--agency", "qzf"], friday);
    assert!(out.contains("行初9") && !out.contains("行初15"), "{out}");
    // Nothing is due within 2 days; the deadline lacking its start date is listed all the same
    // (issue 29: it may be overdue already).
    let out = ok(p, &["status", "--due", "2"], friday);
    assert!(out.contains("行初7") && out.contains("待补充"), "{out}");
    assert!(
        out.contains("共 1 件，逾期 0 件，1 件缺少期限的起算日期。"),
        "{out}"
    );
    let out = ok(p, &["status", "--overdue"], "2023-05-09T09:00:00+08:00");
    assert!(out.contains("行初9") && out.contains("逾期1天"), "{out}");
    assert!(out.contains("行初7") && out.contains("待补充"), "{out}");
    let (code, _, err) = yingsu(p, &["status", "--agency", "nope"], friday);
    assert_eq!(code, 1);
    assert!(
        err.contains("--agency 的单位 `nope` 不在 yingsu.yaml 的 agencies 中"),
        "{err}"
    );

    let show = ok(p, &["case", "show", "行初7"], later);
    assert!(
        show.contains("下一期限：报送败诉案件总结报告，待补充：生效日期"),
        "{show}"
    );
    let check = ok(p, &["check", "--period", "2023Q2"], later);
    assert!(
        check.contains("期限缺少起算日期的案件（1 件）："),
        "{check}"
    );
    assert!(check.contains("行初7"), "{check}");

    let agenda = ok(p, &["agenda"], "2023-05-08T09:00:00+08:00");
    assert!(
        agenda.starts_with(
            "行政应诉期限提醒（2023年5月8日 星期一，提醒未来5个工作日，截至2023年5月15日）"
        ),
        "{agenda}"
    );
    assert!(agenda.contains("【区市场监管局】"), "{agenda}");
    assert!(agenda.contains("今天到期（2 件）："), "{agenda}");
    assert!(
        agenda
            .contains("1. 行初15 出庭应诉（收到出庭应诉通知），应于2023年5月8日前完成（今天到期）"),
        "{agenda}"
    );
    assert!(agenda.contains("待补充起算日期（1 件）："), "{agenda}");
}

/// `status --ics` writes one all-day event per open deadline; the UIDs stay the same from one
/// export to the next (a newer file updates the calendar instead of doubling it).
#[test]
fn deadlines_export_to_icalendar_with_stable_uids() {
    let dir = workspace_with_notice();
    let p = dir.path();
    for id in ["行初1", "行初2"] {
        case_new(p, id, "notice.yaml", T);
    }
    ok(
        p,
        &[
            "case",
            "advance",
            "行初2",
            "appearance",
            "--set",
            "head_appeared=true",
        ],
        T,
    );
    let out = ok(p, &["status", "--ics", "a.ics"], T);
    assert!(
        out.starts_with("已写入日历文件 a.ics（1 个期限）。"),
        "{out}"
    );
    ok(
        p,
        &["status", "--ics", "b.ics"],
        "2023-05-09T10:00:00+08:00",
    );
    let read = |f: &str| {
        let text = std::fs::read_to_string(p.join(f)).unwrap();
        assert!(text.ends_with("END:VCALENDAR\r\n"));
        yingsu::ics::parse(&text).unwrap()
    };
    let (a, b) = (read("a.ics"), read("b.ics"));
    assert_eq!(a.len(), 1);
    // The hearing's time and place (issue 29: no longer an all-day event titled by case id).
    assert_eq!(a[0]["DTSTART;TZID=Asia/Shanghai"], "20230508T093000");
    assert_eq!(a[0]["LOCATION"], "区法院第三审判庭");
    let seq = common::case_seq("行初1");
    assert_eq!(
        a[0]["SUMMARY"],
        format!("出庭应诉 （2023）渝0112行初{seq}号")
    );
    assert_eq!(a[0]["VALARM.TRIGGER"], "-P1D");
    assert!(a[0]["UID"].ends_with("@yingsu"));
    assert_eq!(a[0]["UID"], b[0]["UID"]);
    assert_ne!(a[0]["DTSTAMP"], b[0]["DTSTAMP"]);
}

/// The loss report is due 15 working days after the judgment takes effect, counted on the
/// official calendar (National Day 2024: 2024-09-27 → 2024-10-23); a deadline counted into a
/// year the calendar does not cover yet is flagged in status, case show and validate.
#[test]
fn loss_report_deadline_on_the_official_calendar() {
    let dir = workspace_with_notice();
    let p = dir.path();
    for (id, effective) in [("L1", "2024-09-27"), ("L2", "2026-12-20")] {
        case_new(p, id, "notice.yaml", T);
        ok(
            p,
            &[
                "case",
                "advance",
                id,
                "appearance",
                "--set",
                "head_appeared=true",
            ],
            T,
        );
        ok(
            p,
            &[
                "case",
                "advance",
                id,
                "judgment",
                "--set",
                "judgment_date=2023-09-01",
                "--set",
                &format!("effective_date={effective}"),
                "--set",
                "outcome=撤销",
            ],
            T,
        );
    }
    let now = "2024-10-08T09:00:00+08:00";
    let out = ok(p, &["status", "--json"], now);
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    let due = |id: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["deadline"]
            .clone()
    };
    assert_eq!(due("L1")["due"], "2024-10-23");
    // 2024-10-08 → 10-23: twelve working days left (10-12 is an adjusted working Saturday).
    assert_eq!(due("L1")["left"], 12);
    // 2027 is estimated (issue 29): its 1 January is a holiday, and the date is 预估.
    assert_eq!(due("L2")["due"], "2027-01-11");
    assert_eq!(due("L2")["estimated"], true);
    assert_eq!(due("L2")["uncovered_years"], serde_json::json!([2027]));
    let warning = "提示：2027 年的节假日安排尚未公布：期限按《全国年节及纪念日放假办法》规定的节日推算，为预估日期（未计调休）。国务院办公厅公布该年的节假日安排后，请在 yingsu.yaml 的 calendar.official 中补充放假和调休日期";
    let out = ok(p, &["status"], now);
    assert!(out.contains(warning), "{out}");
    let out = ok(p, &["case", "show", "L2"], now);
    assert!(out.contains(warning), "{out}");
    let out = ok(p, &["validate"], now);
    assert!(out.contains(warning), "{out}");
    let out = ok(p, &["case", "show", "L1"], now);
    assert!(!out.contains("提示："), "{out}");
}

/// A `render --all` killed mid-run leaves temporary files; `validate` reports them, the next
/// writing command removes them, and the archive ends byte-identical to an uninterrupted run.
#[test]
fn a_killed_render_leaves_nothing_behind_after_a_rerun() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["demo"], T);
    let ws = tmp.path().join("yingsu-demo");
    // Lose every PDF yingsu made (not the judgment attached to a case, which it cannot make
    // again), so that render --all has real work to do.
    let pdfs: Vec<String> = snapshot(&ws)
        .into_keys()
        .filter(|k| k.ends_with(".pdf") && !k.starts_with("attachments/"))
        .collect();
    let reference = tmp.path().join("reference");
    std::fs::create_dir_all(&reference).unwrap();
    for p in &pdfs {
        std::fs::remove_file(ws.join(p)).unwrap();
    }
    let copy = |from: &Path, to: &Path| {
        for (rel, bytes) in snapshot(from) {
            let dest = to.join(rel);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::write(dest, bytes).unwrap();
        }
    };
    copy(&ws, &reference);
    ok(&reference, &["render", "--all", "-j", "2"], T);

    // Kill a run part-way (wherever it is), and plant what a crash after staging leaves.
    let mut child = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(&ws)
        .env("YINGSU_NOW", T)
        .env("YINGSU_USER", "测试员")
        .args(["render", "--all", "-j", "2"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(400));
    let _ = child.kill();
    let _ = child.wait();
    let planted = ws.join("archive/2023/JY-2023-017/.yingsu-AbC123.tmp");
    std::fs::create_dir_all(planted.parent().unwrap()).unwrap();
    std::fs::write(&planted, vec![b'%'; 100_000]).unwrap();
    // The run may have ended before the kill: the lock file says what a crash leaves.
    std::fs::write(ws.join(".yingsu.lock"), "writing\n").unwrap();
    // Every lost PDF is reported too: all of them, so that the leftover is among them.
    let (code, _, err) = yingsu(&ws, &["validate", "--all-errors"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("上次运行中断时留下的临时文件（不是文书，也不是案件记录）\n --> archive/2023/JY-2023-017/.yingsu-AbC123.tmp"),
        "{err}"
    );

    ok(&ws, &["render", "--all", "-j", "2"], T);
    let after = snapshot(&ws);
    assert!(
        after.keys().all(|k| !k.contains("/.yingsu-")),
        "temporary files left: {:?}",
        after
            .keys()
            .filter(|k| k.contains(".yingsu-"))
            .collect::<Vec<_>>()
    );
    let mut expected = snapshot(&reference);
    // The lock file is the only file the two runs may differ in, and neither holds data.
    expected.remove(".yingsu.lock");
    let mut got = after;
    got.remove(".yingsu.lock");
    assert_eq!(
        got.keys().collect::<Vec<_>>(),
        expected.keys().collect::<Vec<_>>()
    );
    assert!(
        got == expected,
        "the archive differs from an uninterrupted run"
    );
}

/// A command that writes looks through the archive for temporary files left behind only when
/// the last such command did not end cleanly: the lock file says `clean` after a clean end and
/// `writing` while one runs (so a run killed leaves `writing`); `validate` reports leftovers on
/// the same rule. (A run really killed is `a_killed_render_leaves_nothing_behind_after_a_rerun`.)
#[test]
fn leftovers_are_looked_for_after_a_run_that_did_not_end_cleanly() {
    let dir = workspace_with_notice();
    let p = dir.path();
    let lock = p.join(".yingsu.lock");
    case_new(p, "A1", "notice.yaml", T);
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "clean\n");
    // What a run killed while writing leaves: the lock saying `writing`, a staged file.
    std::fs::write(&lock, "writing\n").unwrap();
    let planted = p.join("archive/2023/A1/.yingsu-Zz9.tmp");
    std::fs::write(&planted, "x").unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(" --> archive/2023/A1/.yingsu-Zz9.tmp\n  = 帮助：下次运行修改记录的命令（render、case advance 等）时会自动删除"),
        "{err}"
    );
    case_new(p, "A2", "notice.yaml", T);
    assert!(!planted.exists());
    assert_eq!(std::fs::read_to_string(&lock).unwrap(), "clean\n");
    ok(p, &["validate"], T);
    // An empty lock file (as yingsu left it before it said `clean`), or none, is looked behind
    // too.
    let planted = p.join("cases/2023/.yingsu-Q1w2.tmp");
    for lock_text in [Some(""), None] {
        match lock_text {
            Some(text) => std::fs::write(&lock, text).unwrap(),
            None => std::fs::remove_file(&lock).unwrap(),
        }
        std::fs::write(&planted, "x").unwrap();
        let (code, _, err) = yingsu(p, &["validate"], T);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(".yingsu-Q1w2.tmp"), "{err}");
        case_new(
            p,
            if lock_text.is_some() { "A3" } else { "A4" },
            "notice.yaml",
            T,
        );
        assert!(!planted.exists());
    }
    // After a clean end the archive is not walked: a file of that name put there by hand is
    // not a leftover of yingsu's, and stays.
    std::fs::write(&planted, "x").unwrap();
    ok(p, &["validate"], T);
    case_new(p, "A5", "notice.yaml", T);
    assert!(planted.exists());
}

/// A case file that is a symlink to a file outside the workspace is refused without being read:
/// its content never appears in a message.
#[cfg(unix)]
#[test]
fn a_symlinked_case_file_outside_the_workspace_is_refused_unread() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let outside = tempfile::tempdir().unwrap();
    let secret = outside.path().join("secret.yaml");
    std::fs::write(&secret, "机密第一行：不得外泄\n").unwrap();
    std::os::unix::fs::symlink(&secret, p.join("cases/2023/A2.yaml")).unwrap();
    for args in [&["status"][..], &["case", "show", "A2"], &["validate"]] {
        let (code, out, err) = yingsu(p, args, T);
        assert_eq!(code, 1, "{args:?}: {out}{err}");
        assert!(
            !out.contains("机密") && !err.contains("机密"),
            "{args:?}: {err}"
        );
        assert!(err.contains("指向工作区之外"), "{args:?}: {err}");
    }
}

/// Font folders are walked without following links out of them, with bounded depth and count:
/// `font_paths: [/proc]` finishes.
#[test]
fn font_paths_into_proc_finish() {
    let dir = workspace_with_notice();
    let p = dir.path();
    let cfg = std::fs::read_to_string(p.join("yingsu.yaml")).unwrap();
    std::fs::write(
        p.join("yingsu.yaml"),
        format!("{cfg}\nfont_paths: [/proc, /sys, /]\n").replace("\nfont_paths: []\n", "\n"),
    )
    .unwrap();
    let out = ok(p, &["validate"], T);
    assert!(out.contains("文书使用的字体："), "{out}");
}

/// One 案号, one case: the same 案号 typed with half- or full-width brackets and digits is the
/// same, refused at entry and reported by validate; a 案号 that says 二审 contradicts 一审.
#[test]
fn the_same_case_number_in_either_bracket_width_is_one_case() {
    let dir = workspace_with_notice();
    let p = dir.path();
    ok(
        p,
        &["case", "new", "appearance", "A1", "--from", "notice.yaml"],
        T,
    );
    let shown = ok(p, &["case", "show", "A1"], T);
    assert!(shown.contains("（2023）渝0112行初123号"), "{shown}");
    let (code, _, err) = yingsu(
        p,
        &[
            "case",
            "new",
            "appearance",
            "A2",
            "--from",
            "notice.yaml",
            "--set",
            "case_number=（２０２３）渝0112行初 123号",
        ],
        T,
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：案号（2023）渝0112行初123号已用于案件 A1（cases/2023/A1.yaml）\n = 帮助：同一案号只建一个案件：用 `yingsu case show A1` 查看它；二审、再审的案号不同（行终、行再），请核对\n"
    );
    assert!(!p.join("cases/2023/A2.yaml").exists());

    let (code, _, err) = yingsu(
        p,
        &[
            "case",
            "new",
            "appearance",
            "A3",
            "--from",
            "notice.yaml",
            "--set",
            "case_number=(2023)渝01行终45号",
        ],
        T,
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：审级写的是一审，但案号（2023）渝01行终45号是二审案号（类型代字“行终”）\n = 帮助：请核对审级或案号：行初是一审，行终是二审，行再是再审\n"
    );

    // A copy edited by hand to carry the same 案号: validate names both.
    case_new(p, "A4", "notice.yaml", T);
    let file = p.join("cases/2023/A4.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replacen(
            "\nhistory:\n",
            "\n  case_number: (2023)渝0112行初123号\nhistory:\n",
            1,
        ),
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1);
    assert!(
        err.contains("错误：案号（2023）渝0112行初123号与案件 A1（cases/2023/A1.yaml）重复\n --> cases/2023/A4.yaml:"),
        "{err}"
    );
}

/// What a hand edit puts in a case file is checked as if entered: a history date that is not a
/// date, a blank value, a 1 MB value.
#[test]
fn hand_edited_values_are_checked_where_they_live() {
    let dir = workspace_with_notice();
    let p = dir.path();
    ok(
        p,
        &["case", "new", "appearance", "A1", "--from", "notice.yaml"],
        T,
    );
    let file = p.join("cases/2023/A1.yaml");
    let original = std::fs::read_to_string(&file).unwrap();
    let line_of =
        |text: &str, needle: &str| text.lines().position(|l| l.contains(needle)).unwrap() + 1;

    // A history date that is not a date (the deadline would silently vanish).
    let edited = original.replace("notice_date: 2023-04-20", "notice_date: 20230420");
    assert_ne!(edited, original);
    std::fs::write(&file, &edited).unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1);
    let line = line_of(&edited, "notice_date: 20230420");
    assert!(
        err.contains("错误：第 1 条办理记录中字段 `notice_date`（收到通知日期）：应为日期"),
        "{err}"
    );
    assert!(
        err.contains(&format!("--> cases/2023/A1.yaml:{line}:")),
        "{err}"
    );

    // A correction that is only blanks.
    let edited = original.replacen("\nhistory:\n", "\n  hearing_place: \"　 \"\nhistory:\n", 1);
    std::fs::write(&file, &edited).unwrap();
    let (code, _, err) = yingsu(p, &["case", "show", "A1"], T);
    assert_eq!(code, 1);
    assert!(
        err.contains("hearing_place（开庭地点） 只有空白字符（空格、全角空格、不换行空格或换行），等于没有填写"),
        "{err}"
    );
    assert!(err.contains("--> cases/2023/A1.yaml:"), "{err}");
    std::fs::write(&file, &original).unwrap();

    // A 1 MB value is refused when it enters, naming the limit.
    let big = "很".repeat(1_000_000);
    std::fs::write(
        p.join("big.yaml"),
        format!("case_number: (2023)渝0112行初7号\ncause: \"{big}\"\n"),
    )
    .unwrap();
    let (code2, _, err2) = yingsu(
        p,
        &["case", "new", "appearance", "B2", "--from", "big.yaml"],
        T,
    );
    assert_eq!(code2, 1, "{err2}");
    assert!(
        err2.contains("cause（案由） 太长：共 1000000 个字符，超过每个字段 20000 个字符的上限"),
        "{err2}"
    );
    assert!(!p.join("cases/2023/B2.yaml").exists());
}

/// A character no font of the documents has is refused when it is given, and `validate` finds
/// one written into the case file, at its place.
#[test]
fn a_character_no_font_has_is_refused_where_it_enters() {
    let dir = workspace_with_notice();
    let p = dir.path();
    let (code, _, err) = yingsu(
        p,
        &[
            "case",
            "new",
            "appearance",
            "G1",
            "--from",
            "notice.yaml",
            "--set",
            "cause=行政\u{E000}处罚",
        ],
        T,
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.starts_with("错误：cause（案由） 中的字符"), "{err}");
    assert!(err.contains("U+E000"), "{err}");
    assert!(!p.join("cases/2023/G1.yaml").exists());

    ok(
        p,
        &["case", "new", "appearance", "G2", "--from", "notice.yaml"],
        T,
    );
    let file = p.join("cases/2023/G2.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let edited = text.replacen(
        "\nhistory:\n",
        "\n  cause: \"行政\u{E000}处罚\"\nhistory:\n",
        1,
    );
    std::fs::write(&file, &edited).unwrap();
    let line = edited
        .lines()
        .position(|l| l.contains("cause: \"行政"))
        .unwrap()
        + 1;
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!("--> cases/2023/G2.yaml:{line}:")),
        "{err}"
    );
    assert!(err.contains("U+E000"), "{err}");

    // The same character in a value of the history, and a number given for an option there
    // (`level: 1`): each is found at its place.
    for (from, to, message) in [
        (
            "      cause: 行政处罚",
            "      cause: \"行政\u{E000}处罚\"",
            "第 1 条办理记录中cause（案由） 中的字符“\u{E000}”（U+E000）无法排版",
        ),
        (
            "      level: 一审",
            "      level: 1",
            "第 1 条办理记录中字段 `level`（审级）：`1` 不是允许的选项",
        ),
    ] {
        let edited = text.replacen(from, to, 1);
        assert_ne!(edited, text);
        std::fs::write(&file, &edited).unwrap();
        let line = edited.lines().position(|l| l == to).unwrap() + 1;
        let (code, _, err) = yingsu(p, &["validate"], T);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains(message), "{err}");
        assert!(
            err.contains(&format!("--> cases/2023/G2.yaml:{line}:14")),
            "{err}"
        );
    }
}

/// `render --all` typesets only what changed: a second run typesets nothing; a lost PDF, a
/// damaged one and a changed template are typeset again; a corrupt or deleted render index only
/// costs time — every answer stays right and the archive byte for byte the same.
#[test]
fn render_all_typesets_only_what_changed() {
    let tmp = tempfile::tempdir().unwrap();
    ok(tmp.path(), &["demo"], T);
    let ws = tmp.path().join("yingsu-demo");
    let before = snapshot(&ws.join("archive"));
    let n = before.keys().filter(|k| k.ends_with(".pdf")).count(); // reports too
    let all = |ws: &Path| ok(ws, &["render", "--all", "-j", "2"], T);
    let summary = |out: &str| {
        out.lines()
            .rfind(|l| l.starts_with("共 "))
            .unwrap()
            .to_string()
    };
    let first = all(&ws);
    assert_eq!(summary(&first), format!("共 {n} 份文书，更新 0 份。"));
    let index = ws.join(".yingsu/index/render.tsv");
    assert!(index.is_file());
    let second = all(&ws);
    assert_eq!(
        summary(&second),
        format!(
            "共 {n} 份文书，更新 0 份；其中 {n} 份的排版所用数据（已印发的文书用印发时的数据）、模板和字体都没有变，未重新排版。"
        )
    );
    assert_eq!(snapshot(&ws.join("archive")), before);

    // A lost PDF and a damaged one are found by their recorded hashes and restored.
    let lost = "archive/2023/2023-渝0112行初31/02-appearance-qingkuang.pdf";
    let damaged = "archive/2023/TA-2023-003/04-replied-fuhan.pdf";
    std::fs::remove_file(ws.join(lost)).unwrap();
    let mut bytes = std::fs::read(ws.join(damaged)).unwrap();
    let mid = bytes.len() / 2;
    bytes[mid] ^= 0x20;
    std::fs::write(ws.join(damaged), bytes).unwrap();
    let out = all(&ws);
    assert_eq!(
        summary(&out),
        format!(
            "共 {n} 份文书，更新 2 份；其中 {} 份的排版所用数据（已印发的文书用印发时的数据）、模板和字体都没有变，未重新排版。",
            n - 2
        )
    );
    assert!(out.contains(&format!("更新 {lost}")), "{out}");
    assert!(out.contains(&format!("更新 {damaged}")), "{out}");
    assert_eq!(snapshot(&ws.join("archive")), before);

    // A corrupt index, then none: everything is typeset again, nothing changes.
    std::fs::write(&index, "garbage\tgarbage\n").unwrap();
    assert_eq!(summary(&all(&ws)), format!("共 {n} 份文书，更新 0 份。"));
    std::fs::write(
        &index,
        std::fs::read_to_string(&index).unwrap().replace('a', "b"),
    )
    .unwrap();
    assert_eq!(summary(&all(&ws)), format!("共 {n} 份文书，更新 0 份。"));
    std::fs::remove_dir_all(ws.join(".yingsu")).unwrap();
    assert_eq!(summary(&all(&ws)), format!("共 {n} 份文书，更新 0 份。"));
    assert_eq!(snapshot(&ws.join("archive")), before);

    // A workspace template changes what the 提示函 are made from: those are typeset again (and,
    // issued, reported rather than rewritten); the others are not.
    std::fs::create_dir_all(ws.join("templates")).unwrap();
    std::fs::write(
        ws.join("templates/tishihan.typ"),
        include_str!("../templates/tishihan.typ").replace("请合理安排时间", "请妥善安排时间"),
    )
    .unwrap();
    let out = all(&ws);
    assert!(out.contains("已印发的文书与当前数据不一致"), "{out}");
    assert_eq!(
        summary(&out),
        format!("共 {n} 份文书，更新 0 份。"),
        "a template of the workspace changes every document's inputs"
    );
    assert_eq!(snapshot(&ws.join("archive")), before);
}

/// `validate` lists every problem it finds, not only the first: here a template with a syntax
/// error, a case file with an impossible date and a case file that is not YAML — three
/// problems, each at its file, line and column, and their count.
#[test]
fn validate_shows_every_problem() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    case_new(p, "A2", "notice.yaml", T);
    std::fs::create_dir_all(p.join("templates")).unwrap();
    std::fs::write(
        p.join("templates/tishihan.typ"),
        include_str!("../templates/tishihan.typ").replacen("#let d", "#let d = (", 1),
    )
    .unwrap();
    let a1 = p.join("cases/2023/A1.yaml");
    let text = std::fs::read_to_string(&a1).unwrap();
    std::fs::write(
        &a1,
        text.replacen("hearing_date: 2023-05-08", "hearing_date: 2023-02-30", 1),
    )
    .unwrap();
    std::fs::write(p.join("cases/2023/A2.yaml"), "workflow: [unclosed\n").unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("--> templates/tishihan.typ:"), "{err}");
    assert!(err.contains("--> cases/2023/A1.yaml:"), "{err}");
    assert!(err.contains("2023 年 2 月没有 30 日"), "{err}");
    assert!(err.contains("cases/2023/A2.yaml"), "{err}");
    assert!(err.contains("检查发现 "), "{err}");
    let n: usize = err
        .split("检查发现 ")
        .nth(1)
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .unwrap();
    assert!(n >= 3, "{n} problems: {err}");
}

/// A folder of the archive linked out of the workspace is never written through: restoring a
/// lost document there is refused, and nothing appears outside.
#[cfg(unix)]
#[test]
fn an_archive_folder_linked_out_of_the_workspace_is_not_written_through() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let outside = tempfile::tempdir().unwrap();
    let moved = outside.path().join("A1");
    std::fs::rename(p.join("archive/2023/A1"), &moved).unwrap();
    std::os::unix::fs::symlink(&moved, p.join("archive/2023/A1")).unwrap();
    std::fs::remove_file(moved.join("01-notice-tishihan.pdf")).unwrap();
    let (code, _, err) = yingsu(p, &["render", "A1"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "错误：路径“archive/2023/A1/01-notice-tishihan.pdf”经符号链接“archive/2023/A1”指向工作区之外"
        ),
        "{err}"
    );
    assert!(!moved.join("01-notice-tishihan.pdf").exists());
    // The number registry behind a link out is refused too.
    let numbers = outside.path().join("numbers");
    std::fs::create_dir(&numbers).unwrap();
    let registry = p.join("archive/numbers");
    if registry.exists() {
        std::fs::remove_dir_all(&registry).unwrap();
    }
    std::os::unix::fs::symlink(&numbers, &registry).unwrap();
    let (code, _, err) = yingsu(p, &["report", "bulletin", "--quarter", "2023Q2"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("经符号链接“archive/numbers”指向工作区之外"),
        "{err}"
    );
    assert_eq!(std::fs::read_dir(&numbers).unwrap().count(), 0);
}

/// Nothing under `cases/` is left out in silence: a folder that is not a year, a case file
/// outside a year folder, a folder inside a year folder and a year folder linked elsewhere each
/// stop the listing with a message saying where cases belong.
#[cfg(unix)]
#[test]
fn misplaced_case_files_are_named_not_skipped() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let case = std::fs::read_to_string(p.join("cases/2023/A1.yaml")).unwrap();
    let cases: [(&str, &str); 3] = [
        (
            "cases/xx/B.yaml",
            "错误：cases/xx 不是年份目录\n = 帮助：cases/ 下只能有以四位年份命名的目录（例如 cases/2023），案件文件放在其中；请把其中的案件文件移到所属年份的目录\n",
        ),
        (
            "cases/B.yaml",
            "错误：案件文件 cases/B.yaml 不在年份目录中\n = 帮助：案件文件应放在 cases/<年份>/ 下：请把它移到 cases/<案件所属年份>/B.yaml\n",
        ),
        (
            "cases/2023/old/B.yaml",
            "错误：cases/2023/old 是目录：年份目录中只能放案件文件，其中的案件不会被读取\n = 帮助：把其中的案件文件移到 cases/2023/ 下，再删除这个目录\n",
        ),
    ];
    for (file, expected) in cases {
        let at = p.join(file);
        std::fs::create_dir_all(at.parent().unwrap()).unwrap();
        std::fs::write(&at, &case).unwrap();
        for args in [&["status"][..], &["validate"], &["stats", "--year", "2023"]] {
            let (code, _, err) = yingsu(p, args, T);
            assert_eq!(code, 1, "{file} {args:?}: {err}");
            assert!(err.contains(expected), "{file} {args:?}: {err}");
        }
        // A case there is not found by its id either, and the message says why.
        let (code, _, err) = yingsu(p, &["case", "show", "B"], T);
        assert_eq!((code, err.as_str()), (1, expected), "{file}");
        std::fs::remove_file(&at).unwrap();
        if at.parent().unwrap() != p.join("cases") {
            std::fs::remove_dir(at.parent().unwrap()).unwrap();
        }
    }
    // A year folder linked elsewhere: its cases would silently count as none.
    let outside = tempfile::tempdir().unwrap();
    std::fs::rename(p.join("cases/2023"), outside.path().join("2023")).unwrap();
    std::os::unix::fs::symlink(outside.path().join("2023"), p.join("cases/2023")).unwrap();
    let (code, _, err) = yingsu(p, &["stats", "--year", "2023"], T);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：cases/2023 是指向别处的符号链接，yingsu 不读取其中的案件\n = 帮助：把它换成真实的年份目录（例如 cases/2023），把案件文件放进去\n"
    );
}

/// A step the workflow does not have, written into a case's history, is an error at its line
/// (it would otherwise count as nothing in the figures).
#[test]
fn an_unknown_step_in_the_history_is_pointed_at() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    ok(
        p,
        &[
            "case",
            "advance",
            "A1",
            "appearance",
            "--set",
            "head_appeared=true",
        ],
        "2023-05-08T15:00:00+08:00",
    );
    let file = p.join("cases/2023/A1.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, text.replacen("- step: notice", "- step: bogus", 1)).unwrap();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(
            "错误：第 1 条办理记录的步骤 `bogus` 不在流程 `appearance` 中\n --> cases/2023/A1.yaml:9:11\n  |\n9 |   - step: bogus\n  |           ^^^^^\n"
        ),
        "{err}"
    );
    assert!(
        err.contains("= 帮助：流程 `appearance` 的步骤：notice、reply、appearance、"),
        "{err}"
    );
}

/// An issued document whose file is lost while its record no longer gives it back is reported
/// as lost (exit code 1), never as unchanged; so is a hash in the case file that matches
/// neither the document nor its record.
#[test]
fn a_lost_document_that_cannot_be_restored_is_not_reported_unchanged() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let pdf = p.join("archive/2023/A1/01-notice-tishihan.pdf");
    let record = p.join("archive/2023/A1/01-notice-tishihan.json");
    let original = std::fs::read_to_string(&record).unwrap();
    std::fs::write(&record, original.replace("重庆某食品有限公司", "篡改人")).unwrap();
    std::fs::remove_file(&pdf).unwrap();
    let (code, out, err) = yingsu(p, &["render", "A1"], T);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.starts_with("无法恢复 archive/2023/A1/01-notice-tishihan.pdf  出庭应诉提示函\n"),
        "{out}"
    );
    assert!(
        err.starts_with("错误：已印发的《出庭应诉提示函》无法恢复：印发记录 archive/2023/A1/01-notice-tishihan.json 中的数据在印发后被改动过（与记录的数据哈希不符），不能用它恢复原件\n --> archive/2023/A1/01-notice-tishihan.pdf\n"),
        "{err}"
    );
    assert!(!pdf.exists());
    // The record put back: the document is restored byte for byte.
    std::fs::write(&record, &original).unwrap();
    let out = ok(p, &["render", "A1"], T);
    assert!(
        out.starts_with("更新 archive/2023/A1/01-notice-tishihan.pdf"),
        "{out}"
    );
    // A hash changed in the case file.
    let file = p.join("cases/2023/A1.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    let sha = text.split("sha256: ").nth(1).unwrap()[..64].to_string();
    std::fs::write(&file, text.replace(&sha, &"0".repeat(64))).unwrap();
    let (code, _, err) = yingsu(p, &["render", "A1"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("错误：已印发的《出庭应诉提示函》无法恢复：案件文件中记录的哈希（sha256）与原件及其印发记录都不符"),
        "{err}"
    );
}

/// A report already issued is never replaced silently: the same report again writes nothing,
/// other figures or another date are refused until `--reissue`, which keeps the replaced
/// document's hash and date in the new record.
#[test]
fn an_issued_report_changes_only_by_an_explicit_reissue() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let args = [
        "report",
        "bulletin",
        "--quarter",
        "2023Q2",
        "--date",
        "2023-07-05",
    ];
    let first = ok(p, &args, T);
    assert!(first.starts_with("已生成《"), "{first}");
    let pdf = p.join("archive/reports/2023/bulletin-2023Q2.pdf");
    let issued = std::fs::read(&pdf).unwrap();
    let again = ok(p, &args, T);
    assert!(
        again.contains("已印发，内容没有变化，未改动：archive/reports/2023/bulletin-2023Q2.pdf"),
        "{again}"
    );
    let (code, _, err) = yingsu(
        p,
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q2",
            "--date",
            "2023-07-06",
        ],
        T,
    );
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("已于 2023-07-05 印发（archive/reports/2023/bulletin-2023Q2.pdf），按现在的数据重新生成会改变这份已印发的文书，未作任何改动"), "{err}");
    assert!(err.contains("在命令后加上 --reissue"), "{err}");
    assert_eq!(std::fs::read(&pdf).unwrap(), issued);
    // Lost: made again byte for byte.
    std::fs::remove_file(&pdf).unwrap();
    ok(p, &args, T);
    assert_eq!(std::fs::read(&pdf).unwrap(), issued);
    let out = ok(
        p,
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q2",
            "--date",
            "2023-07-06",
            "--reissue",
        ],
        T,
    );
    assert!(out.starts_with("已重新印发《"), "{out}");
    assert!(out.contains("（替换 2023-07-05 印发的原件"), "{out}");
    assert_ne!(std::fs::read(&pdf).unwrap(), issued);
    let record: serde_json::Value = serde_json::from_slice(
        &std::fs::read(p.join("archive/reports/2023/bulletin-2023Q2.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(record["date"], "2023-07-06");
    assert_eq!(
        record["replaced"],
        serde_json::json!([{"sha256": yingsu::archive::sha256(&issued), "date": "2023-07-05"}])
    );
}

/// What is written into every history entry besides the facts — the actor's name and an
/// undo's reason — passes the same checks as a fact: one line for a name, no control or bidi
/// character, bounded length.
#[test]
fn the_actor_and_an_undo_reason_are_checked_like_facts() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let before = std::fs::read(p.join("cases/2023/A1.yaml")).unwrap();
    let (code, _, err) = common::run_env(
        p,
        &["case", "undo", "A1", "--reason", "错\u{202E}误"],
        T,
        &[],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("错误：--reason（撤销原因） 第 2 个字符"),
        "{err}"
    );
    let (code, _, err) = common::run_env(
        p,
        &["case", "undo", "A1", "--reason", "录入有误"],
        T,
        &[("YINGSU_USER", "张三\n  - step: closed")],
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("错误：环境变量 YINGSU_USER（经办人） 只能填写一行，第 3 个字符处有换行"),
        "{err}"
    );
    let long = "张".repeat(65);
    let (code, _, err) = common::run_env(p, &["status"], T, &[("YINGSU_USER", long.as_str())]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("错误：环境变量 YINGSU_USER（经办人）太长：超过 64 个字符"),
        "{err}"
    );
    assert_eq!(std::fs::read(p.join("cases/2023/A1.yaml")).unwrap(), before);
}

/// A deadline of billions of days is a typing error, refused at its line (it ran the count
/// past any calendar, and `validate` named every year up to 262142 as missing its holidays).
#[test]
fn an_absurd_deadline_length_is_refused_at_its_line() {
    let dir = workspace_with_notice();
    let p = dir.path();
    let cfg = p.join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let at = text
        .find("working_days: 15")
        .expect("the template has loss_report: {working_days: 15}");
    std::fs::write(
        &cfg,
        text.replacen("working_days: 15", "working_days: 4000000000", 1),
    )
    .unwrap();
    let line = text[..at].lines().count();
    let (code, _, err) = yingsu(p, &["validate"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("`loss_report`：期限 4000000000 个工作日过长：最多 2500 个工作日（约十年）"),
        "{err}"
    );
    assert!(err.contains(&format!(" --> yingsu.yaml:{line}:")), "{err}");
    assert!(err.len() < 2000, "{err}");
}

/// A history value its field cannot hold (a hearing on 2023-02-30) makes the case unreadable
/// for every command, at its line: it was read as "no hearing" by the figures, and a monthly
/// return published one hearing fewer without a word.
#[test]
fn an_impossible_date_in_the_history_keeps_the_case_out_of_published_figures() {
    let dir = workspace_with_notice();
    let p = dir.path();
    case_new(p, "A1", "notice.yaml", T);
    let file = p.join("cases/2023/A1.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("hearing_date: 2023-05-08"), "{text}");
    std::fs::write(
        &file,
        text.replace("hearing_date: 2023-05-08", "hearing_date: 2023-02-30"),
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["case", "show", "A1"], T);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with("错误：第 1 条办理记录中字段 `hearing_date`（开庭日期）：日期 `2023-02-30` 无效：2023 年 2 月没有 30 日\n  --> cases/2023/A1.yaml:"),
        "{err}"
    );
    let (code, _, err) = yingsu(
        p,
        &[
            "report", "monthly", "--agency", "scjgj", "--month", "2023-05",
        ],
        T,
    );
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("统计数字会漏计这些案件，因此不生成对外发布的数字"),
        "{err}"
    );
    assert!(!p.join("archive/reports").exists());
}
