//! The engine through the library API: every built-in workflow end to end, refusals that change
//! nothing, comments that survive, ids and dates that are refused.

mod common;

use common::*;
use yingsu::Workspace;

fn file_of(ws: &Workspace, id: &str) -> String {
    std::fs::read_to_string(yingsu::engine::case_path(ws, id).unwrap()).unwrap()
}

fn step_of(ws: &Workspace, id: &str) -> String {
    yingsu::engine::load_case(ws, id)
        .unwrap()
        .current_step()
        .to_string()
}

#[test]
fn appearance_head_appears_and_wins() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    let rep = yingsu::engine::new_case(
        &ws,
        "appearance",
        "A1",
        &notice("A1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    assert_eq!(rep.step, "notice");
    assert_eq!(rep.documents.len(), 1);
    assert_eq!(rep.documents[0].title, "出庭应诉提示函");
    assert_eq!(
        rep.documents[0].file,
        "archive/2023/A1/01-notice-tishihan.pdf"
    );
    assert!(
        dir.path()
            .join("archive/2023/A1/01-notice-tishihan.pdf")
            .is_file()
    );
    assert!(dir.path().join("cases/2023/A1.yaml").is_file());

    let rep = yingsu::engine::advance(
        &ws,
        "A1",
        "appearance",
        &sets(&[
            "head_appeared=true",
            "head_spoke=true",
            "delegates=王明，法规科科长",
        ]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    assert_eq!(
        rep.documents
            .iter()
            .map(|d| d.title.as_str())
            .collect::<Vec<_>>(),
        ["授权委托书"]
    );
    assert!(rep.opened.is_empty());
    yingsu::engine::advance(
        &ws,
        "A1",
        "judgment",
        &sets(&["judgment_date=2023-06-08", "outcome=驳回诉讼请求"]),
        &actor("2023-06-08"),
        &r,
    )
    .unwrap();
    // A won case cannot go to loss review.
    let e = yingsu::engine::advance(
        &ws,
        "A1",
        "loss_review",
        &sets(&[]),
        &actor("2023-06-09"),
        &r,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("转到“败诉案件总结”（loss_review）的条件不满足"),
        "{e}"
    );
    yingsu::engine::advance(&ws, "A1", "closed", &sets(&[]), &actor("2023-06-10"), &r).unwrap();
    assert_eq!(step_of(&ws, "A1"), "closed");
    let e = yingsu::engine::advance(&ws, "A1", "judgment", &sets(&[]), &actor("2023-06-11"), &r)
        .unwrap_err();
    assert!(e.to_string().contains("已处于结束步骤"), "{e}");
}

#[test]
fn appearance_loss_goes_through_review_with_a_number_and_deadline() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A2",
        &notice("A2"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "A2",
        "appearance",
        &sets(&["head_appeared=true"]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "A2",
        "judgment",
        &sets(&[
            "judgment_date=2023-06-08",
            "effective_date=2023-06-26",
            "outcome=撤销",
        ]),
        &actor("2023-06-08"),
        &r,
    )
    .unwrap();
    // 15 working days after 2023-06-26, skipping the weekends (no holidays in between
    // except none configured after 06-23).
    let rows = yingsu::engine::status(&ws, chrono::NaiveDate::from_ymd_opt(2023, 7, 20).unwrap())
        .unwrap()
        .rows;
    let row = rows.iter().find(|r| r.id == "A2").unwrap();
    let d = row.deadline.as_ref().unwrap();
    assert_eq!(d.title, "报送败诉案件总结报告");
    assert_eq!(d.due.unwrap().to_string(), "2023-07-17");
    assert!(d.overdue);
    let e = yingsu::engine::advance(&ws, "A2", "closed", &sets(&[]), &actor("2023-06-09"), &r)
        .unwrap_err();
    assert!(e.to_string().contains("条件不满足"), "{e}");
    let rep = yingsu::engine::advance(
        &ws,
        "A2",
        "loss_review",
        &sets(&[
            "loss_causes=证据不足；程序违法",
            "responsibility=承办科室负直接责任",
            "measures=加强培训",
            "report_date=2023-07-10",
        ]),
        &actor("2023-07-10"),
        &r,
    )
    .unwrap();
    assert_eq!(
        rep.documents[0].number.as_deref(),
        Some("渝北市监文〔2023〕1号")
    );
    yingsu::engine::advance(&ws, "A2", "closed", &sets(&[]), &actor("2023-07-11"), &r).unwrap();
}

#[test]
fn absence_with_legal_reason_explains_and_unjustified_opens_rectification() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A3",
        &notice("A3"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    // Absent without the required facts: refused, listing them.
    let e = yingsu::engine::advance(
        &ws,
        "A3",
        "appearance",
        &sets(&["head_appeared=false"]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap_err();
    let msg = e.to_string();
    assert!(msg.contains("缺少必填字段"), "{msg}");
    assert!(
        msg.contains("absence_reason（不能出庭事由，选项）"),
        "{msg}"
    );
    assert!(msg.contains("delegates（委托出庭人员，列表）"), "{msg}");
    let rep = yingsu::engine::advance(
        &ws,
        "A3",
        "appearance",
        &sets(&[
            "head_appeared=false",
            "absence_reason=需要履行他人不能代替的公务",
            "absence_account=参加防汛调度会议",
            "absence_note_date=2023-05-05",
            "delegates=王明，法规科科长",
        ]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    let titles: Vec<&str> = rep.documents.iter().map(|d| d.title.as_str()).collect();
    assert_eq!(titles, ["授权委托书", "行政机关负责人不能出庭应诉情况说明"]);
    assert!(rep.opened.is_empty());

    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A4",
        &notice("A4"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let rep = yingsu::engine::advance(
        &ws,
        "A4",
        "appearance",
        &sets(&[
            "head_appeared=false",
            "absence_reason=无正当理由",
            "delegates=王明，法规科科长",
        ]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    // No statement of reasons dressed up for an unjustified absence; a rectification case instead.
    assert_eq!(
        rep.documents
            .iter()
            .map(|d| d.title.as_str())
            .collect::<Vec<_>>(),
        ["授权委托书"]
    );
    assert_eq!(rep.opened, ["A4-整改"]);
    let view_case = yingsu::engine::load_case(&ws, "A4-整改").unwrap();
    let case = &view_case.case;
    let wf = view_case.wf;
    assert_eq!(wf.name(), "rectification");
    let facts = view_case.facts();
    assert_eq!(facts["agency"], "scjgj");
    assert_eq!(facts["reason"], "无正当理由不出庭");
    assert_eq!(facts["issued_date"], "2023-05-08");
    assert_eq!(
        facts["findings"],
        "你单位作为被告的（2023）渝0112行初9794号行政处罚一案，重庆市渝北区人民法院于2023年5月8日开庭审理，并通知行政机关负责人出庭应诉。你单位负责人李某某（局长）无正当理由未出庭应诉。"
    );
    let docs: Vec<&str> = case.history[0]
        .documents
        .iter()
        .map(|d| d.title.as_str())
        .collect();
    assert_eq!(docs, ["督查整改通知书"]);
    assert_eq!(
        case.history[0].documents[0].number.as_deref(),
        Some("渝北司函〔2023〕1号")
    );
    // Another hearing with another unjustified absence does not open it twice.
    let rep = yingsu::engine::advance(
        &ws,
        "A4",
        "appearance",
        &sets(&[
            "head_appeared=false",
            "absence_reason=无正当理由",
            "delegates=王明",
        ]),
        &actor("2023-05-20"),
        &r,
    )
    .unwrap();
    assert!(rep.opened.is_empty());
    // The rectification workflow runs to its end.
    yingsu::engine::advance(
        &ws,
        "A4-整改",
        "report_received",
        &sets(&["report_date=2023-06-01", "report_summary=已整改"]),
        &actor("2023-06-01"),
        &r,
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "A4-整改",
        "verified",
        &sets(&["verified_date=2023-06-20", "verified_result=整改到位"]),
        &actor("2023-06-20"),
        &r,
    )
    .unwrap();
    assert_eq!(step_of(&ws, "A4-整改"), "verified");
}

#[test]
fn rectification_with_interview_renders_both_notices() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    let e = yingsu::engine::new_case(
        &ws,
        "rectification",
        "ZG-1",
        &sets(&[
            "agency=scjgj",
            "reason=出庭率为零",
            "findings=第一季度出庭率为零",
            "issued_date=2023-04-10",
            "interview=true",
        ]),
        &actor("2023-04-10"),
        &r,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("interview_time（约谈时间，文本）"),
        "{e}"
    );
    let rep = yingsu::engine::new_case(
        &ws,
        "rectification",
        "ZG-1",
        &sets(&[
            "agency=scjgj",
            "reason=出庭率为零",
            "findings=第一季度出庭率为零",
            "issued_date=2023-04-10",
            "interview=true",
            "interview_time=2023年4月17日上午9时30分",
            "interview_place=区司法局三楼会议室",
        ]),
        &actor("2023-04-10"),
        &r,
    )
    .unwrap();
    let docs: Vec<(&str, Option<&str>)> = rep
        .documents
        .iter()
        .map(|d| (d.title.as_str(), d.number.as_deref()))
        .collect();
    assert_eq!(
        docs,
        [
            ("督查整改通知书", Some("渝北司函〔2023〕1号")),
            ("约谈通知书", Some("渝北司函〔2023〕2号"))
        ]
    );
}

#[test]
fn proposal_runs_and_an_unsatisfied_proposer_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "proposal",
        "TA-003",
        &sets(&[
            "kind=政协提案",
            "session=区政协十六届二次会议",
            "proposal_number=003",
            "proposal_title=关于深入推进行政机关负责人出庭应诉制度纵深发展的建议",
            "proposer=民进区工委",
            "assigned_date=2023-02-20",
            "handler=sfj",
        ]),
        &actor("2023-02-20"),
        &r,
    )
    .unwrap();
    // `003` stays text.
    assert_eq!(
        yingsu::engine::load_case(&ws, "TA-003").unwrap().facts()["proposal_number"],
        "003"
    );
    yingsu::engine::advance(
        &ws,
        "TA-003",
        "drafted",
        &sets(&[
            "background=基本情况",
            "work=加强指导：正文",
            "next_steps=完善制度：正文",
        ]),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "TA-003",
        "signed",
        &sets(&["signer=局长杨佳红", "sign_date=2023-05-06"]),
        &actor("2023-05-06"),
        &r,
    )
    .unwrap();
    let rep = yingsu::engine::advance(
        &ws,
        "TA-003",
        "replied",
        &sets(&["reply_date=2023-05-08", "reply_class=B"]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    assert_eq!(
        rep.documents[0].number.as_deref(),
        Some("渝北司函〔2023〕1号")
    );
    yingsu::engine::advance(
        &ws,
        "TA-003",
        "feedback",
        &sets(&["feedback_date=2023-06-02", "evaluation=不满意"]),
        &actor("2023-06-02"),
        &r,
    )
    .unwrap();
    let e = yingsu::engine::advance(&ws, "TA-003", "done", &sets(&[]), &actor("2023-06-03"), &r)
        .unwrap_err();
    assert!(e.to_string().contains("evaluation = 不满意"), "{e}");
    yingsu::engine::advance(
        &ws,
        "TA-003",
        "drafted",
        &sets(&[]),
        &actor("2023-06-05"),
        &r,
    )
    .unwrap();
    assert_eq!(step_of(&ws, "TA-003"), "drafted");
}

#[test]
fn refused_transition_leaves_the_file_byte_identical() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A5",
        &notice("A5"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let before = file_of(&ws, "A5");
    let archive_before: Vec<_> = walk(dir.path());
    for (step, s) in [
        ("judgment", vec!["judgment_date=2023-06-08", "outcome=撤销"]), // not allowed from notice
        ("appearance", vec![]),                                         // missing head_appeared
        ("appearance", vec!["head_appeared=也许"]),                     // bad bool
        (
            "appearance",
            vec!["hearing_date=2023-02-30", "head_appeared=true"],
        ), // bad date
        ("nowhere", vec![]),                                            // unknown step
        ("appearance", vec!["judgment_date=2023-06-08"]),               // field of another step
    ] {
        let e = yingsu::engine::advance(&ws, "A5", step, &sets(&s), &actor("2023-05-08"), &r);
        assert!(e.is_err(), "{step} {s:?} should be refused");
        assert_eq!(file_of(&ws, "A5"), before);
        assert_eq!(walk(dir.path()), archive_before);
    }
}

fn walk(root: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = walkdir::WalkDir::new(root)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

#[test]
fn refusals_name_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A6",
        &notice("A6"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let msg = |step: &str, s: &[&str]| {
        yingsu::engine::advance(&ws, "A6", step, &sets(s), &actor("2023-05-08"), &r)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        msg("judgment", &[]),
        "错误：不能从“收到出庭应诉通知”（notice）直接转到“裁判”（judgment）\n = 帮助：从 notice 可以转到：reply（答辩举证）、appearance（出庭应诉）\n"
    );
    assert_eq!(
        msg("appearance", &["hearing_date=2023-02-30"]),
        "错误：--set hearing_date：字段 `hearing_date`（开庭日期）日期 `2023-02-30` 无效：2023 年 2 月没有 30 日\n = 帮助：日期写成 2023-05-08 的形式\n"
    );
    assert_eq!(
        msg("appearance", &["head_appeared=也许"]),
        "错误：--set head_appeared：字段 `head_appeared`（负责人出庭）`也许` 不是“是”或“否”\n = 帮助：请写 true（是）或 false（否）\n"
    );
    assert!(
        msg("appearance", &["colour=red"]).starts_with("错误：流程 `appearance` 没有字段 `colour`")
    );
    assert!(msg("appearance", &["judgment_date=2023-06-08"]).starts_with(
        "错误：步骤“出庭应诉”（appearance）不记录字段 `judgment_date`，它由步骤“裁判”（judgment）记录"
    ));
}

#[test]
fn clerk_comments_and_order_survive_ten_advances() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A7",
        &notice("A7"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let path = yingsu::engine::case_path(&ws, "A7").unwrap();
    let original = std::fs::read_to_string(&path).unwrap();
    // The clerk adds a title, comments and typed facts.
    let edited = original.replacen(
        "facts:\n",
        "# 经办人备注：原告曾申请复议，复议维持。\nfacts:\n  # 开庭地点以法院最新通知为准\n  hearing_place: 区法院第一审判庭   # 改期后的法庭\n  contested_act: 渝北市监罚〔2023〕12号行政处罚决定\n",
        1,
    );
    std::fs::write(&path, &edited).unwrap();
    for i in 0..10 {
        yingsu::engine::advance(
            &ws,
            "A7",
            "appearance",
            &sets(&[
                "head_appeared=true",
                &format!("hearing_date=2023-05-{:02}", i + 10),
            ]),
            &actor("2023-05-08"),
            &r,
        )
        .unwrap();
        let now = std::fs::read_to_string(&path).unwrap();
        assert!(
            now.starts_with(&edited),
            "advance {i} rewrote the clerk's text"
        );
    }
    let view_case = yingsu::engine::load_case(&ws, "A7").unwrap();
    let case = &view_case.case;
    assert_eq!(case.history.len(), 11);
    assert_eq!(view_case.facts()["hearing_place"], "区法院第一审判庭");
    assert_eq!(view_case.facts()["hearing_date"], "2023-05-19");
}

#[test]
fn typed_fact_conflicting_with_set_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A8",
        &notice("A8"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let path = yingsu::engine::case_path(&ws, "A8").unwrap();
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "facts:\n",
        "facts:\n  head_appeared: false\n",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let e = yingsu::engine::advance(
        &ws,
        "A8",
        "appearance",
        &sets(&["head_appeared=true"]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains(
            "字段 `head_appeared` 在案件文件的 facts 中写的是 false，与本次给出的 true 不一致"
        ),
        "{e}"
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

#[test]
fn bad_dates_and_keys_in_a_case_file_name_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A9",
        &notice("A9"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let path = yingsu::engine::case_path(&ws, "A9").unwrap();
    let text = std::fs::read_to_string(&path).unwrap().replacen(
        "facts:\n",
        "facts:\n  hearing_date: 2023-02-30\n",
        1,
    );
    std::fs::write(&path, &text).unwrap();
    let line = text.lines().position(|l| l.contains("2023-02-30")).unwrap() + 1;
    let e = yingsu::engine::load_case(&ws, "A9").unwrap_err();
    assert_eq!(
        e.to_string(),
        format!(
            "错误：字段 `hearing_date`（开庭日期）：日期 `2023-02-30` 无效：2023 年 2 月没有 30 日\n{g}--> cases/2023/A9.yaml:{line}:17\n{g} |\n{line} |   hearing_date: 2023-02-30\n{g} |                 ^^^^^^^^^^\n{g} = 帮助：日期写成 2023-05-08 的形式\n",
            g = " ".repeat(line.to_string().len())
        )
    );
}

#[test]
fn case_ids_that_escape_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    for id in ["../x", "a/b", "..", ".hidden", "a\\b", "x y", ""] {
        let e = yingsu::engine::new_case(
            &ws,
            "appearance",
            id,
            &sets(NOTICE),
            &actor("2023-04-20"),
            &r,
        )
        .unwrap_err();
        assert_eq!(e.exit_code(), 1);
        assert!(e.to_string().contains("案件编号"), "{id}: {e}");
    }
    assert!(!dir.path().join("x.yaml").exists());
    assert!(!dir.path().join("cases/x.yaml").exists());
    assert_eq!(
        std::fs::read_dir(dir.path().join("cases")).unwrap().count(),
        0
    );
}

#[test]
fn document_numbers_are_kept_and_not_reused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    for (i, id) in ["N1", "N2"].iter().enumerate() {
        let rep = yingsu::engine::new_case(
            &ws,
            "rectification",
            id,
            &sets(&[
                "agency=scjgj",
                "reason=出庭不出声",
                "findings=某案出庭不出声",
                "issued_date=2023-04-10",
            ]),
            &actor("2023-04-10"),
            &r,
        )
        .unwrap();
        assert_eq!(
            rep.documents[0].number,
            Some(format!("渝北司函〔2023〕{}号", i + 1))
        );
    }
    let reg =
        std::fs::read_to_string(dir.path().join("archive/numbers/渝北司函-2023.tsv")).unwrap();
    assert_eq!(reg, "1\tN1#1#zhenggai\n2\tN2#1#zhenggai\n");
}

#[test]
fn a_second_hearing_records_its_own_facts() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "H1",
        &notice("H1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "H1",
        "appearance",
        &sets(&["head_appeared=true", "head_spoke=false"]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    // The second hearing needs its own attendance; nothing of the first hearing's carries over.
    let e = yingsu::engine::advance(
        &ws,
        "H1",
        "appearance",
        &sets(&["hearing_date=2023-05-22"]),
        &actor("2023-05-22"),
        &r,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("head_appeared（负责人出庭，是/否）"),
        "{e}"
    );
    yingsu::engine::advance(
        &ws,
        "H1",
        "appearance",
        &sets(&["head_appeared=true", "hearing_date=2023-05-22"]),
        &actor("2023-05-22"),
        &r,
    )
    .unwrap();
    let view_case = yingsu::engine::load_case(&ws, "H1").unwrap();
    let case = &view_case.case;
    let second = &case.history[2].facts;
    assert_eq!(second["hearing_date"], "2023-05-22");
    assert!(!second.contains_key("head_spoke"), "{second:?}");
    assert_eq!(second["hearing_place"], "区法院第三审判庭");
}

#[test]
fn cases_are_found_in_any_year_folder_and_a_duplicate_id_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A1",
        &notice("A1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    // A case filed under another year (moved by hand) is still found.
    std::fs::create_dir_all(dir.path().join("cases/2022")).unwrap();
    std::fs::rename(
        dir.path().join("cases/2023/A1.yaml"),
        dir.path().join("cases/2022/A1.yaml"),
    )
    .unwrap();
    assert_eq!(
        yingsu::engine::case_path(&ws, "A1").unwrap(),
        dir.path().join("cases/2022/A1.yaml")
    );
    assert_eq!(step_of(&ws, "A1"), "notice");
    // The same id twice is refused, naming both files.
    std::fs::copy(
        dir.path().join("cases/2022/A1.yaml"),
        dir.path().join("cases/2023/A1.yaml"),
    )
    .unwrap();
    let err = yingsu::engine::case_path(&ws, "A1")
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("错误：案件编号 `A1` 重复：cases/2022/A1.yaml、cases/2023/A1.yaml\n"),
        "{err}"
    );
    let err = yingsu::engine::case_path(&ws, "B9")
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("错误：找不到案件 `B9`"), "{err}");
}

/// The same step with exactly the same facts is refused as a repeated command, and recorded when
/// the clerk says it happened again (`--again`).
#[test]
fn a_repeated_identical_step_needs_again() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "R1",
        &notice("R1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let hearing = ["head_appeared=true", "head_spoke=true"];
    yingsu::engine::advance(
        &ws,
        "R1",
        "appearance",
        &sets(&hearing),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    let path = yingsu::engine::case_path(&ws, "R1").unwrap();
    let before = std::fs::read(&path).unwrap();
    let err = yingsu::engine::advance(
        &ws,
        "R1",
        "appearance",
        &sets(&hearing),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "错误：“出庭应诉”（appearance）与上一次的记录（第 2 条办理记录，2023-05-08T09:00:00+08:00）完全相同，可能是重复执行了同一条命令；本次没有记录\n = 帮助：如果确实又发生了一次（例如再次开庭），请加上 --again；如果是重复执行，无需处理\n"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let mut again = sets(&hearing);
    again.again = true;
    yingsu::engine::advance(&ws, "R1", "appearance", &again, &actor("2023-05-20"), &r).unwrap();
    assert_eq!(
        yingsu::engine::load_case(&ws, "R1")
            .unwrap()
            .case
            .history
            .len(),
        3
    );
}

/// `case undo` takes back the last step without losing history: the undo is recorded with its
/// reason, the step's documents are voided (numbers never given again, PDFs in `voided/`), the
/// case it opened is withdrawn, and the case is back at the step before.
#[test]
fn undo_takes_back_a_step_and_voids_its_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "U1",
        &notice("U1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let unjustified = [
        "head_appeared=false",
        "absence_reason=无正当理由",
        "delegates=王明，法规科科长",
    ];
    let rep = yingsu::engine::advance(
        &ws,
        "U1",
        "appearance",
        &sets(&unjustified),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    assert_eq!(rep.opened, ["U1-整改"]);
    let opened = yingsu::engine::load_case(&ws, "U1-整改").unwrap();
    let notice = opened.case.history[0].documents[0].clone();
    assert_eq!(notice.number.as_deref(), Some("渝北司函〔2023〕1号"));
    drop(opened);
    let shouquan = dir
        .path()
        .join("archive/2023/U1/02-appearance-shouquan.pdf");
    assert!(shouquan.is_file());

    // A reason is required.
    let err = yingsu::engine::undo(&ws, "U1", " ", &actor("2023-05-09"))
        .unwrap_err()
        .to_string();
    assert!(err.starts_with("错误：撤销办理步骤须说明原因"), "{err}");

    let undo = yingsu::engine::undo(&ws, "U1", "出庭情况录入错误", &actor("2023-05-09")).unwrap();
    assert_eq!((undo.entry, undo.step.as_str()), (2, "appearance"));
    assert_eq!(undo.withdrawn, ["U1-整改"]);
    assert_eq!(undo.now_at, "notice");
    let view = yingsu::engine::load_case(&ws, "U1").unwrap();
    assert_eq!(view.current_step(), "notice");
    assert_eq!(
        view.case.history.len(),
        3,
        "nothing removed, one entry added"
    );
    let u = &view.case.history[2];
    assert_eq!(
        (u.event.as_deref(), u.undoes, u.reason.as_deref()),
        (Some("撤销办理记录"), Some(2), Some("出庭情况录入错误"))
    );
    assert!(!view.facts().contains_key("absence_reason"));
    assert!(!shouquan.exists());
    assert!(
        dir.path()
            .join("archive/2023/U1/voided/02-appearance-shouquan.pdf")
            .is_file()
    );
    let withdrawn = yingsu::engine::load_case(&ws, "U1-整改").unwrap();
    assert!(withdrawn.case.is_withdrawn());
    assert!(!dir.path().join(&notice.file).exists());
    let registry =
        std::fs::read_to_string(dir.path().join("archive/numbers/渝北司函-2023.tsv")).unwrap();
    assert_eq!(
        registry,
        "1\tU1-整改#1#zhenggai\n1\t作废#U1-整改#1#zhenggai\n"
    );
    let status =
        yingsu::engine::status(&ws, chrono::NaiveDate::from_ymd_opt(2023, 5, 9).unwrap()).unwrap();
    let row = status.rows.iter().find(|r| r.id == "U1-整改").unwrap();
    assert!(row.closed);
    let err = yingsu::engine::advance(
        &ws,
        "U1-整改",
        "report_received",
        &sets(&[]),
        &actor("2023-05-10"),
        &r,
    )
    .unwrap_err()
    .to_string();
    assert!(err.starts_with("错误：案件 `U1-整改` 已撤回"), "{err}");

    // Taken again, the step gets new numbers: the voided one is never given again.
    yingsu::engine::advance(
        &ws,
        "U1",
        "appearance",
        &sets(&unjustified),
        &actor("2023-05-10"),
        &r,
    )
    .unwrap();
    // The withdrawn case keeps its id, so the rectification is not opened a second time.
    let view = yingsu::engine::load_case(&ws, "U1").unwrap();
    assert_eq!(view.current_step(), "appearance");
    assert!(view.case.history[3].opened.is_empty());
    // The next document of the same bureau gets the next number: the voided one stays taken.
    let rect = yingsu::engine::new_case(
        &ws,
        "rectification",
        "U2-整改",
        &sets(&[
            "agency=scjgj",
            "reason=出庭率未达标",
            "findings=经统计查明的事实。",
            "issued_date=2023-05-10",
        ]),
        &actor("2023-05-10"),
        &r,
    )
    .unwrap();
    assert_eq!(
        rect.documents[0].number.as_deref(),
        Some("渝北司函〔2023〕2号")
    );
    // The only step left is the case's creation: it cannot be undone.
    yingsu::engine::undo(&ws, "U1", "再次撤销", &actor("2023-05-11")).unwrap();
    let err = yingsu::engine::undo(&ws, "U1", "再次撤销", &actor("2023-05-11"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("只有一条办理记录"), "{err}");
}

/// A judgment dated before its hearing, or an effective date before the judgment, is refused;
/// an exception explained in `date_order_note` is accepted.
#[test]
fn dates_out_of_order_are_refused_unless_explained() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "D1",
        &notice("D1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "D1",
        "appearance",
        &sets(&["head_appeared=true"]),
        &actor("2023-05-08"),
        &r,
    )
    .unwrap();
    let judgment = |date: &str, effective: &str| {
        sets(&[
            &format!("judgment_date={date}"),
            &format!("effective_date={effective}"),
            "outcome=驳回诉讼请求",
        ])
    };
    let err = yingsu::engine::advance(
        &ws,
        "D1",
        "judgment",
        &judgment("2023-05-01", "2023-06-01"),
        &actor("2023-06-01"),
        &r,
    )
    .unwrap_err()
    .to_string();
    assert_eq!(
        err,
        "错误：裁判日期（judgment_date）2023-05-01 早于开庭日期（hearing_date）2023-05-08\n = 帮助：请核对这两个日期；确属例外时，在案件文件的 facts 中加一行 date_order_note: 说明原因（日期顺序说明），再重新运行\n"
    );
    let err = yingsu::engine::advance(
        &ws,
        "D1",
        "judgment",
        &judgment("2023-05-20", "2023-05-19"),
        &actor("2023-06-01"),
        &r,
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.starts_with(
            "错误：生效日期（effective_date）2023-05-19 早于裁判日期（judgment_date）2023-05-20"
        ),
        "{err}"
    );
    let path = yingsu::engine::case_path(&ws, "D1").unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replacen(
            "\nhistory:\n",
            "\n  date_order_note: 法院先行宣判，开庭笔录补记\nhistory:\n",
            1,
        ),
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "D1",
        "judgment",
        &judgment("2023-05-01", "2023-06-01"),
        &actor("2023-06-01"),
        &r,
    )
    .unwrap();
}

/// A case id that Windows reserves for a device is refused everywhere (the file could not be
/// created or copied on an office PC).
#[test]
fn windows_device_names_are_not_case_ids() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    for id in ["CON", "nul", "COM1", "lpt9"] {
        let e =
            yingsu::engine::new_case(&ws, "appearance", id, &notice(id), &actor("2023-04-20"), &r)
                .unwrap_err()
                .to_string();
        assert!(e.contains("是 Windows 保留的设备名"), "{id}: {e}");
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]

    /// Any text given for a field is stored exactly as given, or refused with a Chinese
    /// message — through `--set` and through the case file's `facts:` — never a panic.
    #[test]
    fn any_text_is_stored_as_given_or_refused_clearly(text in "\\PC{0,40}|[\\x00-\\x1f\\u{202a}-\\u{202e} a-z　]{0,12}") {
        let dir = tempfile::tempdir().unwrap();
        let ws = workspace(dir.path());
        let r = FakeRenderer::default();
        let mut input = notice("P1");
        input.sets.push(format!("cause={text}"));
        match yingsu::engine::new_case(&ws, "appearance", "P1", &input, &actor("2023-04-20"), &r) {
            Ok(_) => {
                let v = yingsu::engine::load_case(&ws, "P1").unwrap();
                let stored = v.facts()["cause"].as_str().map(str::to_string);
                proptest::prop_assert_eq!(stored.as_deref(), Some(text.as_str()));
            }
            Err(e) => {
                let m = e.to_string();
                proptest::prop_assert!(m.starts_with("错误："), "{}", m);
                proptest::prop_assert_eq!(e.exit_code(), 1);
            }
        }
        // The same text as a correction in the case file.
        let mut input = notice("P2");
        input.sets.push("cause=行政处罚".into());
        yingsu::engine::new_case(&ws, "appearance", "P2", &input, &actor("2023-04-20"), &r).unwrap();
        let path = yingsu::engine::case_path(&ws, "P2").unwrap();
        let file = std::fs::read_to_string(&path).unwrap();
        std::fs::write(
            &path,
            file.replacen(
                "\nhistory:\n",
                &format!("\n  cause: {}\nhistory:\n", yingsu::case::scalar(&text)),
                1,
            ),
        )
        .unwrap();
        match yingsu::engine::load_case(&ws, "P2") {
            Ok(v) => {
                let stored = v.facts()["cause"].as_str().map(str::to_string);
                proptest::prop_assert_eq!(stored.as_deref(), Some(text.as_str()));
            }
            Err(e) => {
                let m = e.to_string();
                proptest::prop_assert!(m.starts_with("错误："), "{}", m);
                proptest::prop_assert_eq!(e.exit_code(), 1);
            }
        }
    }
}

/// A document is dated the day it is issued: the statement of reasons for an absence, recorded
/// the day before the hearing to be handed in before it, carries that day, not the hearing's.
#[test]
fn documents_are_dated_the_day_they_are_issued() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "Q1",
        &notice("Q1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    yingsu::engine::advance(
        &ws,
        "Q1",
        "appearance",
        &sets(&[
            "head_appeared=false",
            "absence_reason=需要履行他人不能代替的公务",
            "absence_account=参加防汛调度会议",
            "absence_note_date=2023-05-07",
            "delegates=王明，法规科科长",
        ]),
        &actor("2023-05-07"),
        &r,
    )
    .unwrap();
    let requests = r.requests.lock().unwrap();
    let statement = requests.iter().find(|q| q.template == "qingkuang").unwrap();
    assert_eq!(statement.date.to_string(), "2023-05-07");
    assert_eq!(statement.facts["hearing_date"], "2023-05-08");
}

/// A mistyped field or step name gets the name the clerk probably meant.
#[test]
fn mistyped_field_and_step_names_get_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path());
    let r = FakeRenderer::default();
    let mut input = notice("M1");
    input.sets.push("heering_place=区法院".into());
    let err = yingsu::engine::new_case(&ws, "appearance", "M1", &input, &actor("2023-04-20"), &r)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("错误：流程 `appearance` 没有字段 `heering_place`\n = 帮助：您是不是要输入 hearing_place？可用的字段（中文名或字段名均可）："),
        "{err}"
    );
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "M1",
        &notice("M1"),
        &actor("2023-04-20"),
        &r,
    )
    .unwrap();
    let err = yingsu::engine::advance(&ws, "M1", "apearance", &sets(&[]), &actor("2023-05-08"), &r)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("错误：流程 `appearance` 没有步骤 `apearance`\n = 帮助：您是不是要输入 appearance？可用的步骤："),
        "{err}"
    );
}
