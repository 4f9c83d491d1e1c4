//! The workbench (`yingsu serve`) over HTTP, whole flows: an appearance case taken from the court
//! notice to the loss review through the step forms alone, and the workspace's write lock
//! shared between a workbench commit and a concurrent command-line `case advance`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::http::*;

const ID: &str = "2023-网页流程";

/// The files a request changed, the derived index (`.yingsu/index/`, a git-ignored cache)
/// aside.
fn written(
    before: &std::collections::BTreeMap<String, Vec<u8>>,
    dir: &std::path::Path,
) -> Vec<String> {
    changed(before, &common::snapshot(dir))
        .into_iter()
        .filter(|k| !k.starts_with(".yingsu/index/"))
        .collect()
}

/// The value of hidden input `name` in `html`.
fn hidden(html: &str, name: &str) -> String {
    let key = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&key)
        .unwrap_or_else(|| panic!("no {name} in {html}"))
        + key.len();
    html[at..].split('"').next().unwrap().to_string()
}

/// The part of a form page from the field `key`'s input to the next field.
fn field<'a>(html: &'a str, key: &str) -> &'a str {
    let at = html
        .find(&format!("id=\"f-{key}\""))
        .unwrap_or_else(|| panic!("no field {key} in {html}"));
    let next = html[at..]
        .find("class=\"field\"")
        .map_or(html.len(), |n| n + at);
    &html[at..next]
}

#[test]
fn an_appearance_case_goes_from_the_notice_to_the_loss_review_through_the_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::workspace(dir);
    let s = serve(dir);
    let token = s.token("/new/appearance");

    // 收到出庭应诉通知: the new case from the court's notice.
    let r = s.post(
        "/new/appearance",
        &pairs(&notice_fields(&token, ID, "commit")),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let case = format!("/case/{}", enc(ID));
    assert_eq!(r.headers["location"], case);

    // 出庭应诉: the form knows the hearing from the notice.
    let step = format!("{case}/step/appearance");
    let html = s.get(&step).text();
    assert!(
        html.contains(
            "<input type=\"date\" id=\"f-hearing_date\" name=\"hearing_date\" value=\"2023-05-08\">"
        ),
        "{html}"
    );
    let hearing = [
        ("_csrf", token.as_str()),
        ("_action", "commit"),
        ("hearing_date", "2023-05-08"),
        ("hearing_place", "区法院第三审判庭"),
        ("head_appeared", "是"),
        ("head_spoke", "是"),
    ];
    let r = s.post(&step, &hearing);
    assert_eq!(r.status, 303, "{}", r.text());

    // 裁判: refused submissions write nothing and say why in the engine's words (a judgment
    // dated before the hearing; the outcome left out, beside its field); then it is taken.
    let step = format!("{case}/step/judgment");
    let judgment = |date: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("_action", "commit".to_string()),
            ("judgment_date", date.to_string()),
            ("effective_date", "2023-05-08".to_string()),
            ("outcome", "撤销".to_string()),
        ]
    };
    let before = common::snapshot(dir);
    let refused = s.post(
        &step,
        &judgment("2023-05-01")
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(refused.status, 200);
    let html = refused.text();
    // (The engine names two fields for it, so it stands above the form.)
    assert!(
        html.contains(
            "<p class=\"problem\">裁判日期（judgment_date）2023-05-01 早于开庭日期（hearing_date）2023-05-08\
             （请核对这两个日期；确属例外时，在案件文件的 facts 中加一行 date_order_note: 说明原因（日期顺序说明），再重新运行）</p>"
        ),
        "{html}"
    );
    assert!(!html.contains("value=\"commit\""), "{html}");
    assert_eq!(written(&before, dir), Vec::<String>::new());
    // A required choice left empty: beside its field.
    let html = s
        .post(
            &step,
            &[
                ("_csrf", token.as_str()),
                ("_action", "commit"),
                ("judgment_date", "2023-05-08"),
            ],
        )
        .text();
    assert!(
        field(&html, "outcome").contains("<p class=\"problem\">请填写裁判结果</p>"),
        "{}",
        field(&html, "outcome")
    );
    assert_eq!(written(&before, dir), Vec::<String>::new());
    let r = s.post(
        &step,
        &judgment("2023-05-08")
            .iter()
            .map(|(k, v)| (*k, v.as_str()))
            .collect::<Vec<_>>(),
    );
    assert_eq!(r.status, 303, "{}", r.text());

    // 败诉案件总结: the preview of the numbered report takes no number and writes nothing.
    let step = format!("{case}/step/loss_review");
    let report = [
        ("_csrf", token.as_str()),
        ("loss_causes", "证据收集不充分\r\n程序存在瑕疵"),
        ("responsibility", "承办科室负直接责任"),
        ("measures", "完善证据规则\r\n加强庭前会商"),
        ("report_date", "2023-05-08"),
    ];
    let before = common::snapshot(dir);
    let preview = s.post(&step, &[&report[..], &[("_action", "preview")]].concat());
    assert_eq!(preview.status, 200);
    let html = preview.text();
    assert!(
        html.contains("<h3>行政诉讼败诉案件总结报告（确认办理时编发文字号）</h3>"),
        "{html}"
    );
    assert!(html.contains("<img class=\"page\""), "{html}");
    assert!(html.contains("value=\"review\""), "{html}");
    assert_eq!(
        written(&before, dir),
        Vec::<String>::new(),
        "a preview wrote or took a number"
    );
    assert!(!dir.join("archive/numbers").exists());
    let sha = hidden(&html, "_sha");
    let r = s.post(
        &step,
        &[
            &report[..],
            &[("_action", "commit"), ("_sha", sha.as_str())],
        ]
        .concat(),
    );
    assert_eq!(r.status, 303, "{}", r.text());

    // The case as `case show` prints it: every step by the clerk, the PDFs issued.
    let (code, out, err) = common::run_env(dir, &["case", "show", ID], NOW, &[]);
    assert_eq!(code, 0, "{err}");
    let history = out.split("办理记录：\n").nth(1).unwrap();
    assert_eq!(
        history,
        "  1. 2023-05-08T09:00:00+08:00  测试员  收到出庭应诉通知\n\
         \x20     出庭应诉提示函  archive/2023/2023-网页流程/01-notice-tishihan.pdf\n\
         \x20 2. 2023-05-08T09:00:00+08:00  测试员  出庭应诉\n\
         \x20 3. 2023-05-08T09:00:00+08:00  测试员  裁判\n\
         \x20 4. 2023-05-08T09:00:00+08:00  测试员  败诉案件总结\n\
         \x20     行政诉讼败诉案件总结报告（渝北市监文〔2023〕1号）  archive/2023/2023-网页流程/04-loss_review-baisu.pdf\n\
         可转到：closed（结案）\n"
    );
    assert!(
        out.contains("当前步骤：败诉案件总结（loss_review）"),
        "{out}"
    );
    for (entry, file) in [
        (1, "archive/2023/2023-网页流程/01-notice-tishihan.pdf"),
        (4, "archive/2023/2023-网页流程/04-loss_review-baisu.pdf"),
    ] {
        let pdf = s.get(&format!("{case}/doc/{entry}/0"));
        assert_eq!(pdf.status, 200);
        assert_eq!(pdf.headers["content-type"], "application/pdf");
        assert_eq!(pdf.body, std::fs::read(dir.join(file)).unwrap());
    }
    let page = s.get(&case).text();
    assert_eq!(page.matches("· 测试员 · ").count(), 4, "{page}");
    assert!(
        page.contains("行政诉讼败诉案件总结报告（渝北市监文〔2023〕1号）"),
        "{page}"
    );
}

/// Whether process `pid` waits for a file lock (a `->` line of `/proc/locks`).
fn waits_for_a_lock(pid: u32) -> bool {
    std::fs::read_to_string("/proc/locks")
        .unwrap_or_default()
        .lines()
        .any(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            f.get(1) == Some(&"->") && f.get(5) == Some(&pid.to_string().as_str())
        })
}

/// Wait (up to a minute) until `ready` holds.
fn until(what: &str, ready: impl Fn() -> bool) {
    let t = Instant::now();
    while !ready() {
        assert!(t.elapsed() < Duration::from_secs(60), "never: {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The steps of case `ID`'s history.
fn steps(dir: &std::path::Path) -> Vec<String> {
    let ws = yingsu::Workspace::open(dir).unwrap();
    yingsu::engine::load_case(&ws, ID)
        .unwrap()
        .case
        .history
        .iter()
        .map(|h| h.step.clone().unwrap_or_default())
        .collect()
}

#[test]
fn a_workbench_commit_and_a_cli_advance_share_the_lock_and_never_both_take_one_state() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::workspace(dir);
    let s = serve(dir);
    let token = s.token("/new/appearance");
    let r = s.post(
        "/new/appearance",
        &pairs(&notice_fields(&token, ID, "commit")),
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let case = format!("/case/{}", enc(ID));
    let ws = yingsu::Workspace::open(dir).unwrap();

    // 1. The workbench commits while another command holds the lock: it waits for it, then
    //    commits; the same step by the command line afterwards is refused as already recorded.
    let lock = ws.lock_for_writing().unwrap();
    let step = format!("{case}/step/appearance");
    let body = form(&[
        ("_csrf", token.as_str()),
        ("_action", "commit"),
        ("hearing_date", "2023-05-08"),
        ("hearing_place", "区法院第三审判庭"),
        ("head_appeared", "是"),
    ]);
    let server = std::thread::scope(|scope| {
        let request = scope.spawn(|| s.request("POST", &step, &[], &body));
        until("the server waits for the lock", || {
            waits_for_a_lock(s.child.id())
        });
        assert_eq!(steps(dir), ["notice"], "committed while the lock was held");
        drop(lock);
        request.join().unwrap()
    });
    assert_eq!(server.status, 303, "{}", server.text());
    let (code, _, err) = common::run_env(
        dir,
        &[
            "case",
            "advance",
            ID,
            "appearance",
            "--set",
            "hearing_date=2023-05-08",
            "--set",
            "hearing_place=区法院第三审判庭",
            "--set",
            "head_appeared=true",
        ],
        NOW,
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.contains("“出庭应诉”（appearance）与上一次的记录（第 2 条办理记录，2023-05-08T09:00:00+08:00）完全相同，可能是重复执行了同一条命令；本次没有记录"),
        "{err}"
    );
    assert_eq!(steps(dir), ["notice", "appearance"]);

    // 2. The workbench previews a second hearing; meanwhile `case advance` records another,
    //    waiting for the lock the test holds; the workbench's confirmation of the now stale
    //    preview is refused (the engine's words) and writes nothing.
    let values = [
        ("_csrf", token.as_str()),
        ("hearing_date", "2023-05-08"),
        ("hearing_place", "区法院第六审判庭"),
        ("head_appeared", "是"),
    ];
    let html = s
        .post(&step, &[&values[..], &[("_action", "preview")]].concat())
        .text();
    let sha = hidden(&html, "_sha");
    let lock = ws.lock_for_writing().unwrap();
    let mut cli = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .env("YINGSU_NOW", NOW)
        .env("YINGSU_USER", "命令行")
        .args([
            "case",
            "advance",
            ID,
            "appearance",
            "--set",
            "hearing_date=2023-05-08",
            "--set",
            "hearing_place=区法院第五审判庭",
            "--set",
            "head_appeared=true",
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut waiting = String::new();
    let mut stderr = BufReader::new(cli.stderr.take().unwrap());
    stderr.read_line(&mut waiting).unwrap();
    assert_eq!(
        waiting,
        "另一个 yingsu 命令正在修改本工作区的记录，等待它完成……\n"
    );
    assert_eq!(steps(dir), ["notice", "appearance"]);
    drop(lock);
    assert!(cli.wait().unwrap().success());
    let before = common::snapshot(dir);
    let stale = s.post(
        &step,
        &[
            &values[..],
            &[("_action", "commit"), ("_sha", sha.as_str())],
        ]
        .concat(),
    );
    assert_eq!(stale.status, 200);
    assert!(
        stale.text().contains(&format!(
            "<p class=\"problem\">案件 `{ID}` 在核对之后又被修改过（cases&#x2f;2023&#x2f;{ID}.yaml），本次没有记录"
        )),
        "{}",
        stale.text()
    );
    assert!(!stale.text().contains("区法院第六审判庭</td>"));
    assert_eq!(written(&before, dir), Vec::<String>::new());
    assert_eq!(steps(dir), ["notice", "appearance", "appearance"]);
    let ws = yingsu::Workspace::open(dir).unwrap();
    let view = yingsu::engine::load_case(&ws, ID).unwrap();
    assert_eq!(view.case.history[2].by, "命令行");
    assert_eq!(
        view.case.history[2].facts["hearing_place"],
        "区法院第五审判庭"
    );
}
