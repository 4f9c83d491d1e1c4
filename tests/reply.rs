//! The reply and evidence (issue 29, item 1): the 15-day statutory deadline from the service of
//! the complaint copy (《行政诉讼法》第六十七条), in `status --json` and `agenda`, gone once the
//! reply is filed; the 提示函 naming it; the reply step's 行政答辩状, 证据目录 and 法定代表人身份
//! 证明书 in the court's style, their exact text and the evidence table's columns measured; a bad
//! evidence row's message; hostile text in a cell printed as it was typed.
//!
//! `YINGSU_BLESS=1 cargo test --test reply` writes texts that differ as `<expected>.new` files
//! beside the expected ones, for review (see `common::bless`).

use std::path::{Path, PathBuf};

use yingsu::Workspace;
use yingsu::render::TypstRenderer;

mod common;
use common::frames::{glyphs, page_items};

fn ok(dir: &Path, args: &[&str], now: &str) -> String {
    let (code, out, err) = common::run_env(dir, args, now, &[]);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

/// A workspace made by `init`, typeset with the bundled fonts only.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], "2023-01-01T09:00:00+08:00");
    let cfg = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("system_fonts: true"));
    std::fs::write(
        &cfg,
        text.replace("system_fonts: true", "system_fonts: false"),
    )
    .unwrap();
    dir
}

fn at(day: &str) -> String {
    format!("{day}T09:00:00+08:00")
}

/// `case new appearance ID` on `day`, the court's notice with the complaint copy served on
/// `served` (none: not recorded) and the hearing on `hearing`.
fn notice(p: &Path, id: &str, day: &str, served: Option<&str>, hearing: &str) -> String {
    let mut sets = vec![
        format!("case_number=({})渝0112行初{}号", &day[..4], 100 + id.len()),
        "court=ybfy".into(),
        "cause=行政处罚".into(),
        "plaintiffs=重庆某某食品有限公司".into(),
        "agency=scjgj".into(),
        format!("notice_date={day}"),
        "head_required=true".into(),
        format!("hearing_date={hearing}"),
        "hearing_time=上午9时30分".into(),
        "hearing_place=重庆市渝北区人民法院第三审判庭".into(),
        "head_name=李某某".into(),
        "head_post=局长".into(),
        "legal_office=法制科".into(),
    ];
    if let Some(s) = served {
        sets.push(format!("complaint_served_date={s}"));
    }
    let mut args = vec!["case", "new", "appearance", id];
    for s in &sets {
        args.push("--set");
        args.push(s);
    }
    ok(p, &args, &at(day))
}

/// The `status --json` row of case `id` on `day`.
fn row(p: &Path, id: &str, day: &str) -> serde_json::Value {
    let out = ok(p, &["status", "--json"], &at(day));
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {out}"))
        .clone()
}

const REPLY_BODY: &str = "一、被诉行政处罚决定认定事实清楚，证据确凿。\n2024年9月1日，答辩人执法人员在原告经营场所检查时，发现其销售超过保质期的食品。\n二、被诉行政处罚决定适用法律正确，程序合法。\n请求人民法院依法驳回原告的诉讼请求。";

/// Case `id` takes the reply step on `day` with `evidence` (as `--set` writes a table).
fn reply(p: &Path, id: &str, day: &str, evidence: &str) -> String {
    let sets = [
        format!("reply_date={day}"),
        format!("reply_body={REPLY_BODY}"),
        "legal_basis=《中华人民共和国食品安全法》第一百二十四条；《中华人民共和国行政处罚法》第五十七条".into(),
        format!("evidence={evidence}"),
        "agents=赵某，重庆某某律师事务所律师".into(),
        "agency_address=重庆市渝北区双龙大道1号".into(),
    ];
    let mut args = vec!["case", "advance", id, "reply"];
    for s in &sets {
        args.push("--set");
        args.push(s);
    }
    ok(p, &args, &at(day))
}

const EVIDENCE: &str = "立案审批表｜答辩人制作｜案件依法立案｜2；现场检查笔录（2024年9月1日）｜答辩人执法人员现场制作｜原告于2024年9月1日销售超过保质期的食品｜3；行政处罚决定书及送达回证｜答辩人制作｜被诉行政处罚决定已依法送达，案号（2024）渝0112行初107号｜4";

// ------------------------------------------------------------------ the deadline

/// Served on Friday 2024-09-27: fifteen days end on Saturday 2024-10-12, a make-up working day
/// after National Day, so the reply is due that day, in `status --json` and in `agenda`.
#[test]
fn the_reply_is_due_on_a_make_up_working_saturday_in_2024() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A1", "2024-09-27", Some("2024-09-27"), "2024-10-30");
    let r = row(p, "A1", "2024-10-08");
    let dl = &r["deadline"];
    assert_eq!(dl["title"], "提交答辩状和证据");
    assert_eq!(dl["from"], "complaint_served_date");
    assert_eq!(dl["from_label"], "收到起诉状副本日期");
    assert_eq!(dl["due"], "2024-10-12");
    assert_eq!(dl["statutory"], true);
    assert_eq!(dl["working_days"], false);
    assert_eq!(dl["left"], 4);
    assert_eq!(dl["estimated"], false);
    let agenda = ok(p, &["agenda"], &at("2024-10-08"));
    assert!(
        agenda.contains(
            "  1. A1 提交答辩状和证据（收到出庭应诉通知），应于2024年10月12日前完成（4天）\n"
        ),
        "{agenda}"
    );
}

/// Served on Friday 2023-01-13: fifteen days end on Saturday 2023-01-28, a make-up working day
/// after the Spring Festival.
#[test]
fn the_reply_is_due_on_a_make_up_working_saturday_in_2023() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A2", "2023-01-13", Some("2023-01-13"), "2023-02-20");
    let r = row(p, "A2", "2023-01-20");
    assert_eq!(r["deadline"]["title"], "提交答辩状和证据");
    assert_eq!(r["deadline"]["due"], "2023-01-28");
    assert_eq!(r["deadline"]["left"], 8);
    let agenda = ok(p, &["agenda"], &at("2023-01-20"));
    assert!(
        agenda.contains("A2 提交答辩状和证据（收到出庭应诉通知），应于2023年1月28日前完成（8天）"),
        "{agenda}"
    );
    // Overdue from the next day on.
    let r = row(p, "A2", "2023-01-29");
    assert_eq!(r["deadline"]["overdue"], true);
}

/// Served 2024-09-16: fifteen days end on 2024-10-01, National Day; the period ends on the first
/// working day after the holiday, 2024-10-08.
#[test]
fn a_reply_period_ending_on_a_holiday_ends_after_it() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A3", "2024-09-16", Some("2024-09-16"), "2024-11-05");
    let r = row(p, "A3", "2024-09-20");
    assert_eq!(r["deadline"]["title"], "提交答辩状和证据");
    assert_eq!(r["deadline"]["due"], "2024-10-08");
}

/// Once the reply step is taken the reply deadline is gone (the hearing is what remains); a case
/// without the service date (one made before the field existed) is not nagged: it shows the
/// hearing; a closed case shows nothing.
#[test]
fn the_reply_deadline_goes_once_the_reply_is_filed() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A1", "2024-09-27", Some("2024-09-27"), "2024-10-30");
    notice(p, "OLD", "2024-09-27", None, "2024-10-30");
    assert_eq!(
        row(p, "A1", "2024-10-08")["deadline"]["title"],
        "提交答辩状和证据"
    );
    let old = row(p, "OLD", "2024-10-08");
    assert_eq!(old["deadline"]["title"], "出庭应诉");
    assert_eq!(old["deadline"]["missing"], serde_json::Value::Null);
    reply(p, "A1", "2024-10-10", EVIDENCE);
    let r = row(p, "A1", "2024-10-14");
    assert_eq!(r["step"], "reply");
    assert_eq!(r["deadline"]["title"], "出庭应诉");
    assert_eq!(r["deadline"]["due"], "2024-10-30");
    let agenda = ok(p, &["agenda"], &at("2024-10-11"));
    assert!(!agenda.contains("A1 提交答辩状和证据"), "{agenda}");
    // Past the hearing and closed: nothing due.
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
        &at("2024-10-30"),
    );
    ok(
        p,
        &[
            "case",
            "advance",
            "A1",
            "judgment",
            "--set",
            "judgment_date=2024-11-20",
            "--set",
            "outcome=驳回诉讼请求",
        ],
        &at("2024-11-20"),
    );
    ok(p, &["case", "advance", "A1", "closed"], &at("2024-11-21"));
    let r = row(p, "A1", "2024-11-22");
    assert_eq!(r["closed"], true);
    assert_eq!(r["deadline"], serde_json::Value::Null);
}

// ------------------------------------------------------------------ documents

/// The archived PDF of case `id` made by `template`, laid out again from its record.
fn document_text(p: &Path, id: &str, template: &str) -> String {
    let ws = Workspace::open(p).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2024, 12, 1).unwrap();
    let sheet = yingsu::engine::sheet::case_sheet(&ws, id, day).unwrap();
    let file = sheet
        .history
        .iter()
        .flat_map(|h| &h.documents)
        .find(|d| d.template == template)
        .unwrap_or_else(|| panic!("{id} has no {template}"))
        .file
        .clone();
    let doc = common::text::archived_layout(&ws, &TypstRenderer::new(), &p.join(file));
    let mut out = String::new();
    for page in 0..doc.pages().len() {
        if page > 0 {
            out.push_str(&format!("=== 第{}页 ===\n", page + 1));
        }
        for line in common::frames::lines(&glyphs(&doc, page)) {
            out.push_str(common::text::line_text(&line).trim_end());
            out.push('\n');
        }
    }
    out
}

fn expected(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/expected/{name}.txt"))
}

/// `got` is the expected text `name` (or, blessing, is written beside it for review).
fn check_text(name: &str, got: &str) {
    let path = expected(name);
    if common::bless::blessing() {
        common::bless::report(
            &common::bless::write_new(&path, got.as_bytes())
                .into_iter()
                .collect::<Vec<_>>(),
        );
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_default();
    assert_eq!(got, want, "{name}: text differs from {}", path.display());
}

/// A case through notice and reply: the 提示函 names the reply deadline; the reply step issues
/// the 答辩状, the 证据目录 and the 法定代表人身份证明书, each with its exact text.
#[test]
fn the_reply_documents_read_exactly() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A1", "2024-09-27", Some("2024-09-27"), "2024-10-30");
    let said = reply(p, "A1", "2024-10-10", EVIDENCE);
    assert!(
        said.contains("文书：行政答辩状  archive/2024/A1/02-reply-dabian.pdf"),
        "{said}"
    );
    assert!(
        said.contains("文书：证据目录  archive/2024/A1/02-reply-zhengju.pdf"),
        "{said}"
    );
    assert!(
        said.contains("文书：法定代表人身份证明书  archive/2024/A1/02-reply-shenfen.pdf"),
        "{said}"
    );
    let tishihan = document_text(p, "A1", "tishihan");
    assert!(
        tishihan.replace('\n', "").contains(
            "法制科负责做好答辩、举证等庭前准备工作，于2024年10月12日前向法院提交答辩状和证据、依据，并与法院保持联系。"
        ),
        "{tishihan}"
    );
    check_text("tishihan-reply", &tishihan);
    check_text("dabian", &document_text(p, "A1", "dabian"));
    check_text("zhengju", &document_text(p, "A1", "zhengju"));
    check_text("shenfen", &document_text(p, "A1", "shenfen"));
}

/// Without the service date the 提示函 keeps its sentence without a date.
#[test]
fn the_reminder_names_no_date_without_the_service_date() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "OLD", "2024-09-27", None, "2024-10-30");
    let text = document_text(p, "OLD", "tishihan");
    assert!(
        text.replace('\n', "")
            .contains("法制科负责做好答辩、举证等庭前准备工作，并与法院保持联系。"),
        "{text}"
    );
}

// ------------------------------------------------------------------ evidence rows

/// A bad cell: the message names the field, the row and the column, on the command line and in
/// a `--from` file (at its line and column).
#[test]
fn a_bad_evidence_row_is_named_by_row_and_column() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A1", "2024-09-27", Some("2024-09-27"), "2024-10-30");
    let (code, _, err) = common::run_env(
        p,
        &[
            "case",
            "advance",
            "A1",
            "reply",
            "--set",
            "reply_date=2024-10-10",
            "--set",
            "reply_body=答辩意见",
            "--set",
            "evidence=立案审批表｜答辩人制作｜立案｜2；现场照片｜现场拍摄｜事实｜三页",
        ],
        &at("2024-10-10"),
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：--set evidence：字段 `evidence`（证据）第 2 行“页数”`三页` 不是整数\n = 帮助：请写阿拉伯数字，例如 3\n"
    );
    let from = p.join("reply.yaml");
    std::fs::write(
        &from,
        "reply_date: 2024-10-10\nreply_body: 答辩意见\nevidence:\n  - {证据名称: 立案审批表, 页数: 2}\n  - {证据来源: 现场拍摄, 页数: 3}\n",
    )
    .unwrap();
    let (code, _, err) = common::run_env(
        p,
        &["case", "advance", "A1", "reply", "--from", "reply.yaml"],
        &at("2024-10-10"),
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：字段 `evidence`（证据）：第 2 行没有填写“证据名称”\n"),
        "{err}"
    );
    assert!(err.contains("reply.yaml:4:"), "{err}");
}

/// Text a clerk typed into a cell is printed as typed, never read as markup.
#[test]
fn hostile_text_in_an_evidence_cell_is_printed_literally() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A1", "2024-09-27", Some("2024-09-27"), "2024-10-30");
    reply(p, "A1", "2024-10-10", r"#panic()｜]｜\ *x* $y$｜1");
    let text = document_text(p, "A1", "zhengju");
    assert!(text.contains("\n1#panic() ] \\ *x* $y$ 1\n"), "{text}");
}

// ------------------------------------------------------------------ layout

/// The evidence table measured: every glyph of the table lies between two of its vertical rules
/// (no cell runs over its column), on every page, and the header row is repeated on each page.
#[test]
fn every_evidence_glyph_lies_inside_its_column() {
    let dir = workspace();
    let p = dir.path();
    notice(p, "A1", "2024-09-27", Some("2024-09-27"), "2024-10-30");
    // Enough rows for two pages; long Latin runs, dates and 案号 in narrow columns.
    let rows: Vec<String> = (1..=24)
        .map(|i| {
            format!(
                "第{i}号证据ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789｜（2024）渝0112行初107号卷宗｜2024年9月{}日现场检查发现原告销售超过保质期的食品，证明被诉行为事实清楚｜{i}",
                i % 28 + 1
            )
        })
        .collect();
    reply(p, "A1", "2024-10-10", &rows.join("；"));
    let ws = Workspace::open(p).unwrap();
    let doc = common::text::archived_layout(
        &ws,
        &TypstRenderer::new(),
        &p.join("archive/2024/A1/02-reply-zhengju.pdf"),
    );
    assert!(doc.pages().len() >= 2, "{} pages", doc.pages().len());
    let mut checked = 0;
    for page in 0..doc.pages().len() {
        let (gs, shapes) = page_items(&doc, page);
        let mut rules: Vec<&common::frames::S> = shapes
            .iter()
            .filter(|s| (s.x0 - s.x1).abs() < 0.01 && (s.y1 - s.y0).abs() > 1.0)
            .collect();
        if rules.is_empty() {
            continue;
        }
        let top = rules
            .iter()
            .map(|s| s.y0.min(s.y1))
            .fold(f64::MAX, f64::min);
        let bottom = rules
            .iter()
            .map(|s| s.y0.max(s.y1))
            .fold(f64::MIN, f64::max);
        rules.sort_by(|a, b| a.x0.total_cmp(&b.x0));
        let mut xs: Vec<f64> = rules.iter().map(|s| s.x0).collect();
        xs.dedup_by(|a, b| (*a - *b).abs() < 0.1);
        assert_eq!(
            xs.len(),
            6,
            "page {}: the table's 6 vertical rules: {xs:?}",
            page + 1
        );
        let cells: Vec<_> = gs.iter().filter(|g| g.y > top && g.y < bottom).collect();
        // The header (黑体) opens the table on every page.
        let first_line: String =
            common::frames::lines(&cells.iter().map(|g| (*g).clone()).collect::<Vec<_>>())[0]
                .iter()
                .map(|g| g.text.as_str())
                .collect();
        assert_eq!(
            first_line,
            "序号证据名称证据来源证明目的页数",
            "page {}",
            page + 1
        );
        for g in cells {
            let inside = xs
                .windows(2)
                .any(|w| g.x >= w[0] - 0.01 && g.x + g.advance <= w[1] + 0.01);
            assert!(
                inside,
                "page {}: `{}` at x {:.2}–{:.2} crosses a rule {xs:?}",
                page + 1,
                g.text,
                g.x,
                g.x + g.advance
            );
            checked += 1;
        }
    }
    assert!(checked > 1000, "{checked} glyphs checked");
}
