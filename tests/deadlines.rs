//! Deadlines as the clerk sees them (issue 29, items 3–5): the date a notice prints is the date
//! tracked; years the official table lacks are estimated from the statutory festivals and marked
//! 预估 in every output, documents and calendar files included; overdue on every day after the
//! due date; the agenda's horizon in working days; missing start dates listed, not dropped;
//! statutory periods on the national calendar; calendar events with time, place, reminder, 案号.

use std::path::Path;

use yingsu::Workspace;
use yingsu::render::TypstRenderer;

mod common;

fn ok(dir: &Path, args: &[&str], now: &str) -> String {
    let (code, out, err) = common::run_env(dir, args, now, &[]);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

/// A workspace made by `init`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], "2023-05-08T09:00:00+08:00");
    dir
}

/// `case new rectification ID` with the facts `sets`, at 9:00 on `day`: what it says.
fn rectification(p: &Path, id: &str, day: &str, sets: &[&str]) -> String {
    let mut args = vec!["case", "new", "rectification", id];
    let mut all = vec![
        "agency=scjgj",
        "reason=出庭率为零",
        "findings=第一季度出庭率为零",
    ];
    all.extend_from_slice(sets);
    for s in &all {
        args.push("--set");
        args.push(s);
    }
    ok(p, &args, &format!("{day}T09:00:00+08:00"))
}

/// The `status --json` row of case `id` on `day`.
fn row(p: &Path, id: &str, day: &str) -> serde_json::Value {
    let out = ok(p, &["status", "--json"], &format!("{day}T09:00:00+08:00"));
    let rows: serde_json::Value = serde_json::from_str(&out).unwrap();
    rows.as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {out}"))
        .clone()
}

/// The text of the archived PDF `rel` of the workspace at `p`.
fn pdf_text(p: &Path, rel: &str) -> String {
    let ws = Workspace::open(p).unwrap();
    common::text::archived_text(&ws, &TypstRenderer::new(), &p.join(rel))
}

/// The archived PDF of case `id` made by template `template`.
fn document(p: &Path, id: &str, template: &str) -> String {
    let ws = Workspace::open(p).unwrap();
    let day = chrono::NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
    let sheet = yingsu::engine::sheet::case_sheet(&ws, id, day).unwrap();
    sheet
        .history
        .iter()
        .flat_map(|h| &h.documents)
        .find(|d| d.template == template)
        .unwrap_or_else(|| panic!("{id} has no {template}"))
        .file
        .clone()
}

/// A notice issued 2026-12-04 without a printed date: 20 working days, counted on the estimated
/// 2027 holidays, skip 元旦 (Friday 2027-01-01) and end on 2027-01-04, marked 预估 in status,
/// the document's text and the calendar file.
#[test]
fn a_2027_deadline_skips_new_year_and_is_marked_estimated() {
    let dir = workspace();
    let p = dir.path();
    let said = rectification(p, "ZG-1", "2026-12-04", &["issued_date=2026-12-04"]);
    // The clerk is told when the notice is issued.
    assert!(
        said.contains("提示：期限“报送整改报告”为 2027-01-04（预估），文书中标注了“预估”：2027 年的节假日安排尚未公布："),
        "{said}"
    );
    let r = row(p, "ZG-1", "2026-12-06");
    assert_eq!(r["deadline"]["due"], "2027-01-04");
    assert_eq!(r["deadline"]["estimated"], true);
    assert_eq!(r["deadline"]["uncovered_years"], serde_json::json!([2027]));
    let table = ok(p, &["status"], "2026-12-06T09:00:00+08:00");
    assert!(table.contains("2027-01-04（预估） 报送整改报告"), "{table}");
    let show = ok(p, &["case", "show", "ZG-1"], "2026-12-06T09:00:00+08:00");
    assert!(
        show.contains("下一期限：2027-01-04（预估） 报送整改报告（20个工作日）"),
        "{show}"
    );
    // The notice prints the date with its mark.
    let text = pdf_text(p, &document(p, "ZG-1", "zhenggai"));
    assert!(
        text.contains("请你单位于2027年1月4日（预估）前完成整改"),
        "{text}"
    );
    // The calendar file.
    ok(
        p,
        &["status", "--ics", "a.ics"],
        "2026-12-06T09:00:00+08:00",
    );
    let ics = std::fs::read_to_string(p.join("a.ics")).unwrap();
    let events = yingsu::ics::parse(&ics).unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0]["DTSTART;VALUE=DATE"], "20270104");
    assert_eq!(events[0]["SUMMARY"], "报送整改报告（预估） ZG-1");
    assert!(
        events[0]["DESCRIPTION"].ends_with(
            "\n预估：2027 年的节假日安排尚未公布：期限按《全国年节及纪念日放假办法》规定的节日推算，为预估日期（未计调休）。国务院办公厅公布该年的节假日安排后，请在 yingsu.yaml 的 calendar.official 中补充放假和调休日期"
        ),
        "{}",
        events[0]["DESCRIPTION"]
    );
    // And the Excel workbook: the marked date, and 预估 in the status column.
    ok(
        p,
        &["status", "--xlsx", "a.xlsx"],
        "2026-12-06T09:00:00+08:00",
    );
    use calamine::{Reader, Xlsx};
    let mut book: Xlsx<_> = calamine::open_workbook(p.join("a.xlsx")).unwrap();
    let sheet = book.worksheet_range("案件").unwrap();
    let cells: Vec<String> = sheet
        .rows()
        .nth(1)
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        cells,
        [
            "ZG-1",
            "督查整改",
            "印发整改通知或专报",
            "区市场监管局",
            "2027-01-04（预估） 报送整改报告",
            "20个工作日",
            "预估"
        ]
    );
}

/// The year's notice, once in `yingsu.yaml`, replaces the estimate and removes 预估; a bad
/// date in it is reported at its line.
#[test]
fn an_official_notice_in_yingsu_yaml_ends_the_estimate() {
    let dir = workspace();
    let p = dir.path();
    rectification(p, "ZG-1", "2026-12-04", &["issued_date=2026-12-04"]);
    let config = p.join("yingsu.yaml");
    let base = std::fs::read_to_string(&config).unwrap();
    // A made-up notice: 1–4 January off.
    std::fs::write(
        &config,
        format!(
            "{base}\ncalendar:\n  official:\n    2027:\n      number: 国办发明电〔2026〕99号\n      holidays: [2027-01-01..2027-01-04]\n      workdays: []\n"
        ),
    )
    .unwrap();
    let r = row(p, "ZG-1", "2026-12-06");
    assert_eq!(r["deadline"]["due"], "2027-01-05");
    assert_eq!(r["deadline"]["estimated"], false);
    assert_eq!(r["deadline"]["uncovered_years"], serde_json::json!([]));
    let table = ok(p, &["status"], "2026-12-06T09:00:00+08:00");
    assert!(
        !table.contains("预估") && !table.contains("提示："),
        "{table}"
    );

    std::fs::write(
        &config,
        format!(
            "{base}\ncalendar:\n  official:\n    2027:\n      holidays: [2027-01-01..2027-13-04]\n"
        ),
    )
    .unwrap();
    let (code, _, err) = common::run_env(p, &["status"], "2026-12-06T09:00:00+08:00", &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("日期 `2027-01-01..2027-13-04` 无效"), "{err}");
    assert!(
        err.contains("日期写成 2027-05-01 的形式，连续几天写成 2027-05-01..2027-05-05"),
        "{err}"
    );
}

/// Issue 29 item 3: the notice prints report_due (2023-08-04); the deadline tracked is that
/// date, not 20 working days from the notice (2023-07-31), in status, case show, agenda, the
/// calendar file and the notice itself.
#[test]
fn the_rectification_deadline_is_the_printed_date() {
    let dir = workspace();
    let p = dir.path();
    let said = rectification(
        p,
        "ZG-2",
        "2023-07-03",
        &["issued_date=2023-07-03", "report_due=2023-08-04"],
    );
    assert!(!said.contains("预估"), "{said}");
    let r = row(p, "ZG-2", "2023-08-01");
    assert_eq!(r["deadline"]["due"], "2023-08-04");
    assert_eq!(r["deadline"]["overdue"], false);
    assert_eq!(r["deadline"]["left"], 3);
    assert_eq!(r["deadline"]["given"], "整改报告报送期限");
    let show = ok(p, &["case", "show", "ZG-2"], "2023-08-01T09:00:00+08:00");
    assert!(
        show.contains("下一期限：2023-08-04 报送整改报告（3个工作日）"),
        "{show}"
    );
    let agenda = ok(p, &["agenda"], "2023-08-01T09:00:00+08:00");
    assert!(
        agenda.contains(
            "1. ZG-2 报送整改报告（印发整改通知或专报），应于2023年8月4日前完成（3个工作日）"
        ),
        "{agenda}"
    );
    ok(
        p,
        &["status", "--ics", "a.ics"],
        "2023-08-01T09:00:00+08:00",
    );
    let events = yingsu::ics::parse(&std::fs::read_to_string(p.join("a.ics")).unwrap()).unwrap();
    assert_eq!(events[0]["DTSTART;VALUE=DATE"], "20230804");
    assert!(
        events[0]["DESCRIPTION"]
            .ends_with("\n期限：报送整改报告，应于2023年8月4日前完成（按整改报告报送期限）"),
        "{}",
        events[0]["DESCRIPTION"]
    );
    let text = pdf_text(p, &document(p, "ZG-2", "zhenggai"));
    assert!(text.contains("请你单位于2023年8月4日前完成整改"), "{text}");
}

/// A working-day deadline due 2024-09-30 (the last working day before National Day) is overdue
/// on every later day, holidays included, never 今天到期.
#[test]
fn overdue_on_every_day_after_the_due_date() {
    let dir = workspace();
    let p = dir.path();
    rectification(
        p,
        "ZG-3",
        "2024-09-02",
        &["issued_date=2024-09-02", "report_due=2024-09-30"],
    );
    let left = |day: &str| {
        let r = row(p, "ZG-3", day);
        (
            r["deadline"]["left"].as_i64().unwrap(),
            r["deadline"]["overdue"].as_bool().unwrap(),
        )
    };
    assert_eq!(left("2024-09-30"), (0, false));
    assert_eq!(left("2024-10-01"), (-1, true));
    assert_eq!(left("2024-10-05"), (-1, true));
    assert_eq!(left("2024-10-08"), (-1, true));
    assert_eq!(left("2024-10-09"), (-2, true));
    let table = ok(p, &["status"], "2024-10-05T09:00:00+08:00");
    assert!(table.contains("逾期1个工作日"), "{table}");
    assert!(!table.contains("今天到期"), "{table}");
    let agenda = ok(p, &["agenda"], "2024-10-05T09:00:00+08:00");
    assert!(
        agenda.contains("已逾期（1 件）：\n  1. ZG-3 报送整改报告（印发整改通知或专报），应于2024年9月30日前完成（逾期1个工作日）"),
        "{agenda}"
    );
}

/// On 2024-09-30, the last working day before National Day, the agenda looks five working days
/// ahead (to 2024-10-12, an adjusted working Saturday) and lists what is due on 2024-10-08.
#[test]
fn agenda_before_national_day_lists_what_falls_due_after_it() {
    let dir = workspace();
    let p = dir.path();
    rectification(
        p,
        "ZG-4",
        "2024-09-20",
        &["issued_date=2024-09-20", "report_due=2024-10-08"],
    );
    let agenda = ok(p, &["agenda"], "2024-09-30T09:00:00+08:00");
    assert_eq!(
        agenda,
        "行政应诉期限提醒（2024年9月30日 星期一，提醒未来5个工作日，截至2024年10月12日）\n\
         \n\
         【区市场监管局】\n\
         5个工作日内到期（1 件）：\n  \
         1. ZG-4 报送整改报告（印发整改通知或专报），应于2024年10月8日前完成（1个工作日）\n"
    );
    let json = ok(p, &["agenda", "--json"], "2024-09-30T09:00:00+08:00");
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["week_end"], "2024-10-12");
    assert_eq!(v["agencies"][0]["this_week"][0]["due"], "2024-10-08");
}

/// `case new appearance ID` from the court's notice, then the hearing and a judgment lost
/// without its effective date: the loss report cannot be counted yet.
fn lost_without_effective_date(p: &Path, id: &str) -> String {
    let seq = common::case_seq(id);
    let number = format!("case_number=(2023)渝0112行初{seq}号");
    let mut args = vec!["case", "new", "appearance", id, "--set", &number];
    for s in &common::NOTICE[1..] {
        args.push("--set");
        args.push(s);
    }
    args.extend(["--set", "hearing_time=下午2时30分"]);
    let t = "2023-05-08T09:00:00+08:00";
    ok(p, &args, t);
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
        t,
    );
    ok(
        p,
        &[
            "case",
            "advance",
            id,
            "judgment",
            "--set",
            "judgment_date=2023-06-01",
            "--set",
            "outcome=撤销",
        ],
        "2023-06-02T09:00:00+08:00",
    );
    format!("（2023）渝0112行初{seq}号")
}

/// A deadline whose start date is missing is listed by `--overdue` and `--due N` as 待补充, and
/// the calendar file carries it as a task.
#[test]
fn a_missing_start_date_is_listed_and_exported_as_a_task() {
    let dir = workspace();
    let p = dir.path();
    let number = lost_without_effective_date(p, "行初7");
    let now = "2023-06-05T09:00:00+08:00";
    for filter in [&["status", "--overdue"][..], &["status", "--due", "3"][..]] {
        let out = ok(p, filter, now);
        assert!(
            out.contains("待补充：生效日期（报送败诉案件总结报告）"),
            "{filter:?}: {out}"
        );
        assert!(
            out.contains("共 1 件，逾期 0 件，1 件缺少期限的起算日期。"),
            "{filter:?}: {out}"
        );
    }
    let out = ok(p, &["status", "--ics", "a.ics"], now);
    assert!(
        out.starts_with("已写入日历文件 a.ics（0 个期限，1 个待补充起算日期的待办）。"),
        "{out}"
    );
    let text = std::fs::read_to_string(p.join("a.ics")).unwrap();
    assert!(yingsu::ics::parse(&text).unwrap().is_empty());
    let tasks = yingsu::ics::parse_tasks(&text).unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(
        tasks[0]["SUMMARY"],
        format!("待补充起算日期：报送败诉案件总结报告 {number}")
    );
    assert_eq!(tasks[0]["STATUS"], "NEEDS-ACTION");
    assert!(
        tasks[0]["DESCRIPTION"].ends_with(
            "\n期限：报送败诉案件总结报告，待补充：生效日期，期限无法计算；请补充后重新导出日历"
        ),
        "{}",
        tasks[0]["DESCRIPTION"]
    );
}

/// The hearing in the calendar file: at its time (Beijing time, with the zone's definition), at
/// its place, with a reminder the day before, titled with the 案号.
#[test]
fn the_hearing_event_has_time_place_reminder_and_case_number() {
    let dir = workspace();
    let p = dir.path();
    let seq = common::case_seq("行初8");
    let number = format!("case_number=(2023)渝0112行初{seq}号");
    let mut args = vec!["case", "new", "appearance", "行初8", "--set", &number];
    for s in &common::NOTICE[1..] {
        args.push("--set");
        args.push(s);
    }
    args.extend(["--set", "hearing_time=下午2时30分"]);
    ok(p, &args, "2023-04-21T09:00:00+08:00");
    ok(
        p,
        &["status", "--ics", "a.ics"],
        "2023-04-21T09:00:00+08:00",
    );
    let text = std::fs::read_to_string(p.join("a.ics")).unwrap();
    assert!(
        text.contains(
            "BEGIN:VTIMEZONE\r\nTZID:Asia/Shanghai\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nTZNAME:CST\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
        ),
        "{text}"
    );
    let events = yingsu::ics::parse(&text).unwrap();
    assert_eq!(events.len(), 1);
    let e = &events[0];
    assert_eq!(e["DTSTART;TZID=Asia/Shanghai"], "20230508T143000");
    assert_eq!(e["DTEND;TZID=Asia/Shanghai"], "20230508T153000");
    assert_eq!(e["LOCATION"], "区法院第三审判庭");
    assert_eq!(e["SUMMARY"], format!("出庭应诉 （2023）渝0112行初{seq}号"));
    assert_eq!(e["VALARM.ACTION"], "DISPLAY");
    assert_eq!(e["VALARM.TRIGGER"], "-P1D");
    assert_eq!(
        e["DESCRIPTION"],
        format!(
            "案件 （2023）渝0112行初{seq}号（行初8，出庭应诉，当前步骤：收到出庭应诉通知）\n单位：区市场监管局\n期限：出庭应诉，应于2023年5月8日下午2时30分前完成（自开庭日期起算）\n地点：区法院第三审判庭"
        )
    );
}

/// A statutory period is counted on the national calendar: a local closure day extends the
/// office's own deadline but not the court's.
#[test]
fn statutory_periods_ignore_local_closure_days() {
    let dir = workspace();
    let p = dir.path();
    std::fs::create_dir_all(p.join("workflows")).unwrap();
    std::fs::write(
        p.join("workflows/court.yaml"),
        "name: court\ntitle: 法定期间\nstart: served\nfields:\n  served_date: {type: date, label: 送达日期, required: true}\nsteps:\n  served:\n    title: 送达\n    date: served_date\n    records: [served_date]\n    deadlines:\n      - {title: 法定期间, from: served_date, days: {calendar_days: 15}, statutory: true}\n      - {title: 内部期限, from: served_date, days: {calendar_days: 15}}\n    next:\n      - to: done\n  done:\n    title: 完成\n    final: true\n",
    )
    .unwrap();
    let config = p.join("yingsu.yaml");
    let base = std::fs::read_to_string(&config).unwrap();
    // 2024-09-20 + 15 days = 2024-10-05 (National Day) → 2024-10-08; the office is closed on
    // 10-08 as well.
    std::fs::write(
        &config,
        format!("{base}\ncalendar:\n  holidays: [2024-10-08]\n"),
    )
    .unwrap();
    ok(
        p,
        &[
            "case",
            "new",
            "court",
            "S-1",
            "--set",
            "served_date=2024-09-20",
        ],
        "2024-09-20T09:00:00+08:00",
    );
    let ws = Workspace::open(p).unwrap();
    let wf = ws.workflow("court").unwrap();
    let mut facts = yingsu::facts::Facts::new();
    facts.insert("served_date".into(), serde_json::json!("2024-09-20"));
    let today = chrono::NaiveDate::from_ymd_opt(2024, 9, 30).unwrap();
    let dues: Vec<(String, String, bool)> =
        yingsu::engine::deadlines(&ws, wf, "S-1", "served", &facts, today)
            .into_iter()
            .map(|d| (d.title, d.due.unwrap().to_string(), d.statutory))
            .collect();
    assert_eq!(
        dues,
        [
            ("法定期间".to_string(), "2024-10-08".to_string(), true),
            ("内部期限".to_string(), "2024-10-09".to_string(), false),
        ]
    );
}
