//! Records that say only what is true (issue 26, records and numbers): an issued document counts
//! as changed only when today's data would change the document itself, named by the fact's
//! label; lost reports are named by `validate` and restored byte for byte; a number sequence
//! continues from a declared start; numbers out of date order and documents dated on holidays
//! are pointed out; an issuer may issue a kind of letter without a number and keep its
//! letterhead; a step recorded without its documents is reported at its line.
//!
//! Every workspace is built as git delivers it: no lock file, no derived index.

use std::path::Path;

mod common;
use common::frames::{glyphs, lines, text_of};

const T: &str = "2023-04-10T09:00:00+08:00";

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_env(dir, args, T, &[])
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = yingsu(dir, args);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

/// What git would not deliver: the lock file and the derived files.
fn as_cloned(root: &Path) {
    let _ = std::fs::remove_file(root.join(".yingsu.lock"));
    let _ = std::fs::remove_dir_all(root.join(".yingsu"));
}

/// Every file under `dir` with its bytes.
fn init() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."]);
    dir
}

/// `case new appearance <id>` with the court's notice: one 提示函.
fn appearance(dir: &Path, id: &str) {
    let mut args = vec!["case", "new", "appearance", id];
    for s in common::NOTICE {
        args.push("--set");
        args.push(s);
    }
    ok(dir, &args);
}

/// `case new rectification <id>` issued on `date` (督查整改通知书, 约谈通知书).
fn rectification(dir: &Path, id: &str, date: &str) -> String {
    let issued = format!("issued_date={date}");
    ok(
        dir,
        &[
            "case",
            "new",
            "rectification",
            id,
            "--set",
            "agency=scjgj",
            "--set",
            "reason=出庭率为零",
            "--set",
            "period=2023年第一季度",
            "--set",
            "findings=第一季度开庭3件，负责人出庭0件。",
            "--set",
            &issued,
            "--set",
            "interview=true",
            "--set",
            "interview_time=2023年4月17日上午9时30分",
            "--set",
            "interview_place=区司法局三楼会议室",
        ],
    )
}

/// Add `lines` to the clerk's `facts:` of case file `rel`.
fn add_facts(dir: &Path, rel: &str, lines: &str) {
    let path = dir.join(rel);
    let text = std::fs::read_to_string(&path).unwrap();
    let marker = "  # hearing_place: 区法院第三审判庭\n";
    assert!(text.contains(marker), "{text}");
    std::fs::write(&path, text.replacen(marker, &format!("{marker}{lines}"), 1)).unwrap();
}

/// A fact added later that the 提示函 does not print (生效日期, 裁判文书号) changes no record and
/// is not reported; a fact it prints (开庭地点) is reported by its label, never by its key.
#[test]
fn only_a_change_that_would_change_the_document_is_reported() {
    let dir = init();
    let p = dir.path();
    appearance(p, "A1");
    as_cloned(p);
    let before = common::snapshot(&p.join("archive"));
    add_facts(
        p,
        "cases/2023/A1.yaml",
        "  effective_date: 2023-07-20\n  judgment_number: （2023）渝0112行初123号行政判决书\n",
    );
    assert_eq!(
        ok(p, &["render", "--all"]),
        "不变 archive/2023/A1/01-notice-tishihan.pdf  出庭应诉提示函\n\
         共 1 份文书，更新 0 份。\n"
    );
    assert_eq!(ok(p, &["render", "--all"]).lines().count(), 2);
    assert_eq!(
        common::snapshot(&p.join("archive")),
        before,
        "no record changed"
    );

    add_facts(
        p,
        "cases/2023/A1.yaml",
        "  hearing_place: 区法院第一审判庭\n",
    );
    let out = ok(p, &["render", "--all"]);
    assert!(
        out.ends_with(
            "已印发的文书与当前数据不一致（1 份，均保持印发时的原样）：\n  \
             archive/2023/A1/01-notice-tishihan.pdf《出庭应诉提示函》：现在的数据有变化：开庭地点\n\
             确需按现在的数据重新印发时运行 `yingsu render --reissue A1`（文号不变，并记入办理记录）。\n"
        ),
        "{out}"
    );
    assert!(!out.contains("facts.") && !out.contains("dates."), "{out}");
    // Said again on the next run, from what the render index kept.
    assert_eq!(ok(p, &["render", "--all"]), out);
    assert_eq!(
        common::snapshot(&p.join("archive")),
        before,
        "nothing rewritten"
    );
}

/// The demo's bulletin and monthly return, lost: `validate` names both; `render --all` restores
/// them byte for byte without being told their dates.
#[test]
fn lost_reports_are_named_and_restored_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("demo");
    common::demo_at(&p);
    as_cloned(&p);
    let bulletin = p.join("archive/reports/2023/bulletin-2023Q1.pdf");
    let monthly = p.join("archive/reports/2023/monthly-2023-03-scjgj.pdf");
    let issued = (
        std::fs::read(&bulletin).unwrap(),
        std::fs::read(&monthly).unwrap(),
    );
    std::fs::remove_file(&bulletin).unwrap();
    std::fs::remove_file(&monthly).unwrap();

    // The report's own command, on another day, points at `render --all` (it needs no date).
    let (code, _, err) = common::run_env(
        &p,
        &["report", "bulletin", "--quarter", "2023Q1"],
        "2023-04-12T09:00:00+08:00",
        &[],
    );
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：《重庆市渝北区司法局关于2023年第一季度行政机关负责人出庭应诉情况的通报》（渝北司发〔2023〕1号）已于 2023-04-10 印发，原件（archive/reports/2023/bulletin-2023Q1.pdf）缺失；按现在的数据（和日期）生成的文书与印发的不同，未作任何改动\n = 帮助：运行 `yingsu render --all`：它按印发记录逐字节恢复原件，不需要知道原来的日期；确需按现在的数据重新印发时，在命令后加上 --reissue\n"
    );
    assert!(!bulletin.exists());

    let (code, _, err) = yingsu(&p, &["validate"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(
            "错误：已印发的《重庆市渝北区司法局关于2023年第一季度行政机关负责人出庭应诉情况的通报》（渝北司发〔2023〕1号）缺失（印发记录 archive/reports/2023/bulletin-2023Q1.json 记录了它）\n \
             --> archive/reports/2023/bulletin-2023Q1.pdf\n  \
             = 帮助：运行 `yingsu render --all`，按它的印发记录恢复原件（恢复的文件与印发时逐字节相同）\n"
        ),
        "{err}"
    );
    assert!(
        err.contains(
            "错误：已印发的《2023年3月出庭应诉情况报送表》缺失（印发记录 archive/reports/2023/monthly-2023-03-scjgj.json 记录了它）\n \
             --> archive/reports/2023/monthly-2023-03-scjgj.pdf\n"
        ),
        "{err}"
    );
    assert!(
        err.ends_with("错误：检查发现 2 处问题\n = 帮助：逐条修正后重新运行 `yingsu validate`\n"),
        "{err}"
    );

    let out = ok(&p, &["render", "--all"]);
    assert!(
        out.contains(
            "更新 archive/reports/2023/bulletin-2023Q1.pdf  重庆市渝北区司法局关于2023年第一季度行政机关负责人出庭应诉情况的通报\n\
             更新 archive/reports/2023/monthly-2023-03-scjgj.pdf  2023年3月出庭应诉情况报送表\n"
        ),
        "{out}"
    );
    assert!(out.contains("共 73 份文书，更新 2 份。"), "{out}");
    assert_eq!(std::fs::read(&bulletin).unwrap(), issued.0);
    assert_eq!(std::fs::read(&monthly).unwrap(), issued.1);
    ok(&p, &["validate"]);

    // A damaged report is restored too, and one whose record was edited is not trusted.
    std::fs::write(&monthly, b"%PDF-1.7 damaged").unwrap();
    let (code, _, err) = yingsu(&p, &["validate"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("错误：已印发的《2023年3月出庭应诉情况报送表》被改动或损坏：它现在的内容（16 字节）与印发记录中的哈希不符\n"),
        "{err}"
    );
    ok(&p, &["render", "--all"]);
    assert_eq!(std::fs::read(&monthly).unwrap(), issued.1);
}

/// `numbering: {渝北司函: {2023: 5}}`: the sequence goes on at 5; the registry says 1–4 were
/// given outside yingsu, so nothing takes them as missing and it goes on without the line.
#[test]
fn a_sequence_continues_from_its_declared_start() {
    let dir = init();
    let p = dir.path();
    let config = p.join("yingsu.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        &config,
        format!("{text}\nnumbering:\n  渝北司函: {{2023: 5}}\n"),
    )
    .unwrap();
    ok(p, &["validate"]);
    as_cloned(p);
    let out = rectification(p, "ZG-1", "2023-04-10");
    assert!(
        out.contains("督查整改通知书（渝北司函〔2023〕5号）"),
        "{out}"
    );
    assert!(out.contains("约谈通知书（渝北司函〔2023〕6号）"), "{out}");
    assert_eq!(
        std::fs::read_to_string(p.join("archive/numbers/渝北司函-2023.tsv")).unwrap(),
        "4\t外部#1-4 号在 yingsu 之外编发（yingsu.yaml 的 numbering）\n\
         5\tZG-1#1#zhenggai\n\
         6\tZG-1#1#yuetan\n"
    );
    as_cloned(p);
    let out = ok(p, &["validate"]);
    assert!(out.starts_with("检查通过："), "{out}");
    // The registry alone says where it goes on.
    std::fs::write(&config, &text).unwrap();
    let out = rectification(p, "ZG-2", "2023-04-11");
    assert!(
        out.contains("督查整改通知书（渝北司函〔2023〕7号）"),
        "{out}"
    );
}

/// A start that names no issuer's prefix, or is not a number from 1, is refused at its line.
#[test]
fn a_declared_start_is_checked_at_its_line() {
    let dir = init();
    let p = dir.path();
    let config = p.join("yingsu.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let lines = text.lines().count();
    assert!(
        (98..998).contains(&(lines + 3)),
        "three-digit line numbers: {lines}"
    );
    std::fs::write(
        &config,
        format!("{text}numbering:\n  渝北司涵: {{2023: 5}}\n  渝北司函: {{2023: 0}}\n"),
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["validate"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains(&format!(
            "错误：numbering 中的文号代字 `渝北司涵` 不是任何发文机关的代字\n   --> yingsu.yaml:{}:3\n",
            lines + 2
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "错误：numbering.渝北司函.2023 的起始文号 0 无效：应在 1 到 999999 之间\n   --> yingsu.yaml:{}:16\n",
            lines + 3
        )),
        "{err}"
    );
}

/// 2号 dated after 3号: said when 3号 is issued and by `validate`; a document dated on 劳动节
/// likewise. Neither fails.
#[test]
fn numbers_out_of_date_order_and_holidays_are_pointed_out() {
    let dir = init();
    let p = dir.path();
    let first = rectification(p, "ZG-1", "2023-05-23");
    assert!(!first.contains("提示"), "{first}");
    let second = rectification(p, "ZG-2", "2023-04-10");
    let order = "提示：文号没有按日期先后编排：《督查整改通知书》（渝北司函〔2023〕3号，2023-04-10，archive/2023/ZG-2/01-issued-zhenggai.pdf）的日期早于文号在前的《督查整改通知书》（渝北司函〔2023〕1号，2023-05-23，archive/2023/ZG-1/01-issued-zhenggai.pdf）。";
    assert!(second.contains(order), "{second}");
    let holiday = rectification(p, "ZG-3", "2023-05-01");
    assert!(
        holiday.contains(
            "提示：《督查整改通知书》（渝北司函〔2023〕5号，2023-05-01，archive/2023/ZG-3/01-issued-zhenggai.pdf）的日期是法定节假日（劳动节）。"
        ),
        "{holiday}"
    );
    as_cloned(p);
    let out = ok(p, &["validate"]);
    assert!(out.contains(order), "{out}");
    assert!(out.contains("的日期是法定节假日（劳动节）"), "{out}");
    // An ordinary working day in order says nothing.
    let fine = rectification(p, "ZG-4", "2023-05-24");
    assert!(!fine.contains("提示"), "{fine}");
}

/// The lines of the first page of the document whose frozen record is at `json`, typeset from
/// the record.
fn first_page(ws: &yingsu::Workspace, json: &Path, template: &str) -> Vec<String> {
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let job = yingsu::typeset::Job {
        main: format!("/{template}.typ"),
        files: ws.template_files(),
        data: record["data"].clone(),
        date: chrono::NaiveDate::parse_from_str(record["date"].as_str().unwrap(), "%Y-%m-%d")
            .unwrap(),
        ident: "test".into(),
        root: Some(ws.root.clone()),
        blobs: yingsu::render::attachment_blobs(ws, "", "", &record["data"]).unwrap(),
    };
    let renderer = yingsu::render::TypstRenderer::new();
    let (doc, _) = renderer
        .typesetter(ws)
        .unwrap()
        .layout_with_warnings(&job)
        .unwrap();
    lines(&glyphs(&doc, 0)).iter().map(|l| text_of(l)).collect()
}

/// `unnumbered: [函]` for the justice bureau: its letters keep the letterhead and have no
/// number — in the record, in the registry and on the page; the same letter numbered otherwise.
#[test]
fn an_issuer_may_issue_letters_without_numbers() {
    let numbered = init();
    rectification(numbered.path(), "ZG-1", "2023-04-10");
    let plain = init();
    let p = plain.path();
    let config = p.join("yingsu.yaml");
    let text = std::fs::read_to_string(&config).unwrap();
    let with = text.replacen(
        "    prefix: 渝北司函\n",
        "    prefix: 渝北司函\n    unnumbered: [函]\n",
        1,
    );
    assert_ne!(with, text);
    std::fs::write(&config, with).unwrap();
    let out = rectification(p, "ZG-1", "2023-04-10");
    assert!(
        out.contains("  文书：督查整改通知书  archive/2023/ZG-1/01-issued-zhenggai.pdf\n"),
        "{out}"
    );
    assert!(!p.join("archive/numbers/渝北司函-2023.tsv").exists());
    let json = "archive/2023/ZG-1/01-issued-zhenggai.json";
    let record: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(p.join(json)).unwrap()).unwrap();
    assert_eq!(record["number"], serde_json::Value::Null);
    assert_eq!(record["data"]["doc"]["number"], serde_json::Value::Null);
    assert_eq!(record["data"]["doc"]["format"], "信函");

    let page = first_page(
        &yingsu::Workspace::open(p).unwrap(),
        &p.join(json),
        "zhenggai",
    );
    let other = first_page(
        &yingsu::Workspace::open(numbered.path()).unwrap(),
        &numbered.path().join(json),
        "zhenggai",
    );
    assert_eq!(page[0], "重庆市渝北区司法局", "{page:?}");
    assert_eq!(other[0], "重庆市渝北区司法局", "{other:?}");
    assert!(
        other.iter().any(|l| l.contains("渝北司函〔2023〕1号")),
        "{other:?}"
    );
    assert!(
        !page
            .iter()
            .any(|l| l.contains("渝北司函") || l.contains('〔')),
        "{page:?}"
    );
    assert!(
        page.iter().any(|l| l.contains("督查整改通知书")),
        "{page:?}"
    );
}

/// A case file written by hand with a step but not its 提示函: `validate` says so at the step's
/// line, with what to do; `render --all` says it too.
#[test]
fn a_step_without_its_documents_is_reported_at_its_line() {
    let dir = init();
    let p = dir.path();
    std::fs::create_dir_all(p.join("cases/2023")).unwrap();
    std::fs::write(
        p.join("cases/2023/B1.yaml"),
        "workflow: appearance\nfacts: {}\nhistory:\n  - step: notice\n    at: 2023-04-20T09:00:00+08:00\n    by: 张三\n    facts:\n      case_number: （2023）渝0112行初9号\n      court: ybfy\n      cause: 行政处罚\n      level: 一审\n      plaintiffs: [某公司]\n      agency: scjgj\n      notice_date: 2023-04-20\n      head_required: true\n      hearing_date: 2023-05-08\n      hearing_place: 区法院第三审判庭\n      head_name: 李某某\n      head_post: 局长\n",
    )
    .unwrap();
    let (code, _, err) = yingsu(p, &["validate"]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        "错误：第 1 条办理记录（收到出庭应诉通知）没有流程规定在这一步印发的《出庭应诉提示函》：办理记录中没有这些文书，它们从未印发\n \
         --> cases/2023/B1.yaml:4:5\n  \
         |\n\
         4 |   - step: notice\n  \
         |     ^^^^^^^^^^^^\n  \
         = 帮助：这个案件只有这一步：把它的事实写入一个文件（如 事实.yaml），删除案件文件 cases/2023/B1.yaml 后运行 `yingsu case new appearance B1 --from 事实.yaml` 重新建立，yingsu 会印发并编号这些文书\n"
    );
    let out = ok(p, &["render", "--all"]);
    assert_eq!(
        out,
        "共 0 份文书，更新 0 份。\n\
         以下 1 个办理步骤没有印发流程规定的文书（render 只重新生成已印发的文书，不会补发；`yingsu validate` 说明如何补办）：\n  \
         cases/2023/B1.yaml:4：第 1 条办理记录（收到出庭应诉通知）没有流程规定在这一步印发的《出庭应诉提示函》：办理记录中没有这些文书，它们从未印发\n"
    );
}
