//! Facts learned after their step (`case fact`, `engine::record_facts`): recorded as a history
//! entry that deadlines and `status` count, refused — changing nothing — for unknown fields,
//! fields of steps not yet taken, per-visit fields, fields already recorded and invalid values.

mod common;

use common::*;
use yingsu::Workspace;
use yingsu::engine::{self, Problem};

/// Case `A1`: notice, the hearing (the head appeared), a judgment the agency lost recorded on
/// 2023-05-22 without its 生效日期.
fn judged(dir: &std::path::Path) -> Workspace {
    let ws = workspace(dir);
    let r = FakeRenderer::default();
    engine::new_case(
        &ws,
        "appearance",
        "A1",
        &sets(NOTICE),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    engine::advance(
        &ws,
        "A1",
        "appearance",
        &sets(&["head_appeared=true"]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    engine::advance(
        &ws,
        "A1",
        "judgment",
        &sets(&["judgment_date=2023-05-20", "outcome=撤销"]),
        &actor("2023-05-22"),
        &r,
    )
    .unwrap();
    ws
}

fn due(ws: &Workspace) -> (Option<String>, Option<String>) {
    let today = chrono::NaiveDate::from_ymd_opt(2023, 5, 25).unwrap();
    let rows = engine::status(ws, today).unwrap().rows;
    let d = rows[0].deadline.clone().unwrap();
    assert_eq!(d.title, "报送败诉案件总结报告");
    (d.due.map(|x| x.to_string()), d.missing)
}

#[test]
fn a_later_effective_date_starts_the_loss_report_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let ws = judged(dir.path());
    assert_eq!(due(&ws), (None, Some("待补充：生效日期".into())));
    let fields: Vec<String> = engine::addable_fields(&ws, "A1")
        .unwrap()
        .into_iter()
        .filter(|f| f.step == "judgment")
        .map(|f| format!("{} {} {}", f.field, f.label, f.step_title))
        .collect();
    assert_eq!(
        fields,
        [
            "judgment_number 裁判文书号 裁判",
            "effective_date 生效日期 裁判",
            "judgment_served_date 收到裁判文书日期 裁判",
            "judgment_summary 裁判要旨 裁判"
        ]
    );

    let report = engine::record_facts(
        &ws,
        "A1",
        &sets(&["effective_date=2023年6月1日"]),
        &actor("2023-05-25"),
        &FakeRenderer::default(),
    )
    .unwrap();
    assert_eq!(report.entry, 4);
    assert_eq!(
        report.facts,
        [(
            "effective_date".to_string(),
            "生效日期".to_string(),
            serde_json::json!("2023-06-01")
        )]
    );
    // 15 working days from 2023-06-01 (the Dragon Boat holiday 6-22..6-24, Sunday 6-25 worked).
    assert_eq!(due(&ws), (Some("2023-06-25".into()), None));
    let text = std::fs::read_to_string(dir.path().join("cases/2023/A1.yaml")).unwrap();
    assert!(
        text.ends_with(
            "  - event: 补充事实\n    at: 2023-05-25T09:00:00+08:00\n    by: 测试员\n    facts:\n      effective_date: 2023-06-01\n"
        ),
        "{text}"
    );
    // Added once: it is no longer addable, and a second time is refused.
    assert!(
        !engine::addable_fields(&ws, "A1")
            .unwrap()
            .iter()
            .any(|f| f.field == "effective_date")
    );
    let problems = engine::check_facts(
        &ws,
        "A1",
        &sets(&["effective_date=2023-06-02"]),
        &FakeRenderer::default(),
    )
    .unwrap();
    assert_eq!(
        messages(&problems),
        [
            "effective_date 生效日期 字段 `effective_date`（生效日期）已记录为 2023-06-01：补充事实只能填写尚未记录的字段"
        ]
    );
}

fn messages(problems: &[Problem]) -> Vec<String> {
    problems
        .iter()
        .map(|p| {
            format!(
                "{} {} {}",
                p.field.clone().unwrap_or_default(),
                p.label.clone().unwrap_or_default(),
                p.message
            )
        })
        .collect()
}

#[test]
fn refusals_name_the_field_and_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let ws = judged(dir.path());
    let before = snapshot(dir.path());
    let r = FakeRenderer::default();
    let input = sets(&[
        "foo=1",
        "closed_date=2023-06-01",
        "head_spoke=是",
        "case_number=(2023)渝0112行初124号",
        "effective_date=2023-02-30",
    ]);
    let problems = engine::check_facts(&ws, "A1", &input, &r).unwrap();
    assert_eq!(
        messages(&problems),
        [
            "foo  流程 `appearance` 没有字段 `foo`",
            "effective_date 生效日期 --set effective_date：字段 `effective_date`（生效日期）日期 `2023-02-30` 无效：2023 年 2 月没有 30 日",
            "case_number 案号 字段 `case_number`（案号）已记录为 （2023）渝0112行初123号，并已印在已印发的《出庭应诉提示函》中：补充事实不能改动已印发文书中的事实",
            "closed_date 结案日期 字段 `closed_date`（结案日期）由步骤“结案”（closed）记录，本案尚未办理该步骤",
            "head_spoke 负责人出庭发言 字段 `head_spoke`（负责人出庭发言）是步骤“出庭应诉”（appearance）每次办理各自记录的事实，不能事后补充",
        ]
    );
    assert_eq!(
        problems[2].help.as_deref(),
        Some(
            "确需更正时，在案件文件 cases/2023/A1.yaml 的 facts 中写一行 case_number: 新值，再运行 `yingsu render --reissue A1` 重新印发（文号不变，并记入办理记录）"
        )
    );
    let err = engine::record_facts(&ws, "A1", &input, &actor("2023-05-25"), &r).unwrap_err();
    assert_eq!(err.diagnostics().len(), 5);
    // A date before the judgment's, as a step's input is refused.
    let err = engine::record_facts(
        &ws,
        "A1",
        &sets(&["effective_date=2023-05-01"]),
        &actor("2023-05-25"),
        &r,
    )
    .unwrap_err();
    assert_eq!(
        err.diagnostics()[0].message,
        "生效日期（effective_date）2023-05-01 早于裁判日期（judgment_date）2023-05-20"
    );
    assert_eq!(snapshot(dir.path()), before);
}

#[test]
fn the_command_lists_records_and_refuses_in_chinese() {
    let dir = tempfile::tempdir().unwrap();
    judged(dir.path());
    let now = "2023-05-25T09:00:00+08:00";
    let (code, out, _) = run_env(dir.path(), &["case", "fact", "A1"], now, &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("案件 A1 可以补充的字段：\n"), "{out}");
    assert!(
        out.contains("  effective_date         生效日期                    裁判（judgment）\n"),
        "{out}"
    );

    let (code, out, err) = run_env(
        dir.path(),
        &["case", "fact", "A1", "--set", "judgment_date=2023-05-21"],
        now,
        &[],
    );
    assert_eq!((code, out.as_str()), (1, ""));
    assert_eq!(
        err,
        "错误：字段 `judgment_date`（裁判日期）已记录为 2023-05-20：补充事实只能填写尚未记录的字段\n = 帮助：确需更正时，在案件文件 cases/2023/A1.yaml 的 facts 中写一行 judgment_date: 新值（优先于办理记录）\n"
    );

    let (code, out, err) = run_env(
        dir.path(),
        &["case", "fact", "A1", "--set", "effective_date=2023-06-01"],
        now,
        &[],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        "已为案件 A1 补充事实（第 4 条办理记录）：\n  生效日期（effective_date）：2023-06-01\n"
    );
    let (_, out, _) = run_env(dir.path(), &["case", "show", "A1"], now, &[]);
    assert!(
        out.contains("下一期限：2023-06-25 报送败诉案件总结报告（20个工作日）\n"),
        "{out}"
    );
    assert!(
        out.contains("  4. 2023-05-25T09:00:00+08:00  测试员  补充事实\n"),
        "{out}"
    );
}

/// `yingsu` in `dir` at `now`, which must succeed: its standard output.
fn ok(dir: &std::path::Path, args: &[&str], now: &str) -> String {
    let (code, out, err) = run_env(dir, args, now, &[]);
    assert_eq!(code, 0, "{args:?}: {err}");
    out
}

fn stats_total(dir: &std::path::Path) -> String {
    let out = ok(
        dir,
        &["stats", "--year", "2023"],
        "2023-04-21T10:00:00+08:00",
    );
    out.lines()
        .find(|l| l.starts_with("合计"))
        .unwrap()
        .split_whitespace()
        .take(5)
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn a_mistaken_case_is_withdrawn_its_numbers_voided_and_no_longer_counted() {
    let dir = tempfile::tempdir().unwrap();
    workspace(dir.path());
    let d = dir.path();
    let mut args = vec!["case", "new", "appearance", "A1"];
    for s in NOTICE {
        args.extend(["--set", s]);
    }
    ok(d, &args, "2023-04-20T09:00:00+08:00");
    ok(
        d,
        &[
            "case",
            "new",
            "rectification",
            "R1",
            "--set",
            "agency=scjgj",
            "--set",
            "reason=出庭率未达标",
            "--set",
            "findings=经统计查明的事实。",
            "--set",
            "issued_date=2023-04-20",
        ],
        "2023-04-20T09:00:00+08:00",
    );
    assert_eq!(stats_total(d), "合计 重庆市渝北区合计 混合 1 0");
    let now = "2023-04-21T09:00:00+08:00";

    // A reason is required; nothing changes without one.
    let before = snapshot(d);
    let (code, _, err) = run_env(d, &["case", "withdraw", "A1", "--reason", " "], now, &[]);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "错误：撤回案件须说明原因\n = 帮助：用 --reason 写明原因，例如 --reason \"重复登记，与 2023-行初-123 是同一案件\"\n"
        )
    );
    assert_eq!(snapshot(d), before);

    assert_eq!(
        ok(d, &["case", "withdraw", "A1", "--reason", "重复登记"], now),
        "已撤回案件 A1（第 2 条办理记录）\n  作废文书：出庭应诉提示函  archive/2023/A1/voided/01-notice-tishihan.pdf\n"
    );
    assert_eq!(
        ok(d, &["case", "withdraw", "R1", "--reason", "误建"], now),
        "已撤回案件 R1（第 2 条办理记录）\n  作废文书：督查整改通知书（渝北司函〔2023〕1号）  archive/2023/R1/voided/01-issued-zhenggai.pdf\n"
    );
    // The number is voided in its registry, never given again.
    assert_eq!(
        std::fs::read_to_string(d.join("archive/numbers/渝北司函-2023.tsv")).unwrap(),
        "1\tR1#1#zhenggai\n1\t作废#R1#1#zhenggai\n"
    );
    assert!(!d.join("archive/2023/A1/01-notice-tishihan.pdf").exists());
    let text = std::fs::read_to_string(d.join("cases/2023/A1.yaml")).unwrap();
    // One entry appended: who, when, why, the documents voided (the hash is the PDF's).
    let entry = &text[text.find("  - event: 撤回\n").unwrap()..];
    let sha = entry
        .lines()
        .find_map(|l| l.trim().strip_prefix("sha256: "))
        .unwrap();
    assert_eq!(sha.len(), 64);
    assert_eq!(
        entry,
        format!(
            "  - event: 撤回\n    at: 2023-04-21T09:00:00+08:00\n    by: 测试员\n    documents:\n      - title: 出庭应诉提示函\n        template: tishihan\n        file: archive/2023/A1/voided/01-notice-tishihan.pdf\n        sha256: {sha}\n    reason: 重复登记\n    withdrawn: true\n"
        )
    );

    // Withdrawn (said so, not “ended”): no deadline, nothing due, not in the statistics.
    let status = ok(d, &["status"], now);
    assert!(
        status
            .contains("A1        出庭应诉  收到出庭应诉通知    区市场监管局  —           已撤回\n"),
        "{status}"
    );
    assert_eq!(stats_total(d), "合计 重庆市渝北区合计 混合 0 0");
    // The archive agrees with its records, and `render` makes no voided document again.
    assert!(ok(d, &["validate"], now).starts_with("检查通过："));
    ok(d, &["render", "--all"], now);
    assert!(!d.join("archive/2023/A1/01-notice-tishihan.pdf").exists());
    assert!(!d.join("archive/2023/R1/01-issued-zhenggai.pdf").exists());

    // Withdrawn: no later facts, no second withdrawal, no next step.
    let (code, _, err) = run_env(d, &["case", "withdraw", "A1", "--reason", "再次"], now, &[]);
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "错误：案件 `A1` 已经撤回，无需再撤回\n = 帮助：用 `yingsu case show` 查看撤回的原因\n"
        )
    );
    let (code, _, err) = run_env(
        d,
        &["case", "fact", "A1", "--set", "notice_number=1"],
        now,
        &[],
    );
    assert_eq!(
        (code, err.as_str()),
        (
            1,
            "错误：案件 `A1` 已撤回，不能再补充事实\n = 帮助：用 `yingsu case show` 查看撤回的原因\n"
        )
    );
    // The next number of the same bureau is the next one: the voided number stays taken.
    let out = ok(
        d,
        &[
            "case",
            "new",
            "rectification",
            "R2",
            "--set",
            "agency=scjgj",
            "--set",
            "reason=出庭率未达标",
            "--set",
            "findings=经统计查明的事实。",
            "--set",
            "issued_date=2023-04-21",
        ],
        now,
    );
    assert!(
        out.contains("督查整改通知书（渝北司函〔2023〕2号）"),
        "{out}"
    );
}
