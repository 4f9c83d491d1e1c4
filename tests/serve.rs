//! The workbench (`yingsu serve`) driven over HTTP: the binary is started on a free port of
//! 127.0.0.1 in a workspace, and spoken to with a plain TCP client (no HTTP crate needed).

mod common;

use common::http::*;

#[test]
fn the_dashboard_lists_the_open_demo_cases_and_a_case_page_shows_labels() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let home = s.get("/");
    // Nobody logs in on the loopback interface, so nobody logs out.
    assert!(!home.text().contains("退出登录"));
    assert_eq!(home.status, 200);
    assert_eq!(
        home.headers["content-security-policy"],
        "default-src 'none'; script-src 'self'; connect-src 'self'; img-src data:; \
         style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    let html = home.text();
    assert!(html.contains("未结案件"), "{html}");
    // An open demo case, linked to its page.
    let id = "2023-渝0112行初118";
    assert!(
        html.contains(&format!("href=\"/case/{}\"", enc(id))),
        "{html}"
    );
    assert!(html.contains("href=\"/new/appearance\""), "{html}");

    // Filtered as `status` filters: a workflow, overdue only.
    let proposals = s.get("/?workflow=proposal").text();
    assert!(proposals.contains(">TA-2023-045</a>"), "{proposals}");
    assert!(!proposals.contains(&format!(">{id}</a>")), "{proposals}");
    let overdue = s.get("/?overdue=1").text();
    assert!(overdue.contains(">2023-渝0112行初38-整改</a>"), "{overdue}");
    assert!(!overdue.contains(">TA-2023-045</a>"), "{overdue}");

    let page = s.get(&format!("/case/{}", enc(id)));
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("<th>案号</th><td class=\"fact\">（2023）渝0112行初118号</td>"),
        "{html}"
    );
    assert!(html.contains("<th>被诉单位</th>"), "{html}");
    assert!(html.contains("收到出庭应诉通知"), "{html}");
}

#[test]
fn an_issued_pdf_is_served_and_only_what_the_records_name() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let id = enc("2023-渝0112行初15");
    let pdf = s.get(&format!("/case/{id}/doc/1/0"));
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert!(pdf.body.starts_with(b"%PDF"));
    let none = s.get(&format!("/case/{id}/doc/1/9"));
    assert_eq!(none.status, 422);
    assert!(
        none.text().contains("的第 1 条记录中没有第 10 份文书"),
        "{}",
        none.text()
    );
    let bad = s.get(&format!("/case/{}", enc("../yingsu")));
    assert_ne!(bad.status, 200);
}

#[test]
fn a_bad_host_or_a_foreign_origin_or_no_token_is_refused() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let r = s.request("GET", "/", &[("Host", "evil.example")], "");
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("请求的主机名 `evil.example` 不是本工作台的地址，已拒绝")
    );

    let before = common::snapshot(&dir);
    let token = s.token("/new/appearance");
    let mut f = notice_fields(&token, "2023-网页1", "commit");
    let r = s.request(
        "POST",
        "/new/appearance",
        &[("Origin", "http://evil.example")],
        &form(&pairs(&f)),
    );
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("提交来自其他网站（http://evil.example），已拒绝")
    );
    f.retain(|(k, _)| k != "_csrf");
    let r = s.post("/new/appearance", &pairs(&f));
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("表单已失效或不是从本工作台提交的，已拒绝")
    );
    f.push(("_csrf".into(), "0".repeat(32)));
    assert_eq!(s.post("/new/appearance", &pairs(&f)).status, 403);
    assert_eq!(
        changed(&before, &common::snapshot(&dir)),
        Vec::<String>::new()
    );
}

#[test]
fn a_new_case_is_previewed_without_writing_then_committed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::workspace(dir);
    let s = serve(dir);
    let token = s.token("/new/appearance");

    // Refused: a field left out is a problem beside that field, in Chinese.
    let mut f = notice_fields(&token, "2023-网页1", "preview");
    f.retain(|(k, _)| k != "hearing_place");
    let before = common::snapshot(dir);
    let r = s.post("/new/appearance", &pairs(&f));
    assert_eq!(r.status, 200);
    let html = r.text();
    let field = html.find("id=\"f-hearing_place\"").unwrap();
    let next = html[field..].find("class=\"field\"").unwrap() + field;
    assert!(
        html[field..next]
            .contains("<p class=\"problem\">请填写开庭地点（如 区法院第三审判庭）</p>"),
        "{}",
        &html[field..next]
    );
    assert!(!html.contains("value=\"commit\""));

    // Previewed: the draft's pages, and nothing written (no case, no number, no archive).
    let f = notice_fields(&token, "2023-网页1", "preview");
    let r = s.post("/new/appearance", &pairs(&f));
    let html = r.text();
    assert!(html.contains("出庭应诉提示函"), "{html}");
    assert!(
        html.contains("<img class=\"page\" src=\"data:image&#x2f;svg+xml;base64,"),
        "{html}"
    );
    // Ready: the way on is the review screen, where 确认办理 is.
    assert!(html.contains("value=\"review\""));
    // Only the derived font index (`.yingsu/index/`, a git-ignored cache that typesetting keeps
    // whenever it first runs) may appear: no case, no number, no archive.
    let written: Vec<String> = changed(&before, &common::snapshot(dir))
        .into_iter()
        .filter(|k| !k.starts_with(".yingsu/index/"))
        .collect();
    assert_eq!(written, Vec::<String>::new());

    // Committed: the case file and its document.
    let f = notice_fields(&token, "2023-网页1", "commit");
    let r = s.post("/new/appearance", &pairs(&f));
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(
        r.headers["location"],
        format!("/case/{}", enc("2023-网页1"))
    );
    let after = common::snapshot(dir);
    let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(
        new.iter().any(|k| k.ends_with("2023-网页1.yaml")),
        "{new:?}"
    );
    assert!(new.iter().any(|k| k.ends_with(".pdf")), "{new:?}");
    let page = s.get(&format!("/case/{}", enc("2023-网页1"))).text();
    assert!(page.contains("出庭应诉提示函"), "{page}");
    assert!(page.contains("测试员"), "{page}");

    // The same id again is refused beside the id.
    let r = s.post("/new/appearance", &pairs(&f)).text();
    assert!(r.contains("案件 `2023-网页1` 已存在"), "{r}");
    // Another id with the same 案号 is refused too.
    let f = notice_fields(&token, "2023-网页2", "preview");
    let r = s.post("/new/appearance", &pairs(&f)).text();
    // (Said beside the 案号, with a link to that case: see tests/live.rs.)
    assert!(
        r.contains("<p class=\"problem\">案号（2023）渝0112行初123号已用于案件 2023-网页1（cases&#x2f;2023&#x2f;2023-网页1.yaml）"),
        "{r}"
    );
    assert!(!r.contains("value=\"commit\""));
}

#[test]
fn a_step_form_shows_the_engine_problem_beside_its_field() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let id = enc("2023-渝0112行初118");
    let form_path = format!("/case/{id}/step/appearance");
    let page = s.get(&form_path);
    assert_eq!(page.status, 200, "{}", page.text());
    let html = page.text();
    assert!(
        html.contains("<label for=\"f-head_appeared\">负责人出庭</label>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"无正当理由\">无正当理由</option>"),
        "{html}"
    );
    // A date picker, filled with what the case already knows (the hearing from the notice).
    assert!(
        html.contains(
            "<input type=\"date\" id=\"f-hearing_date\" name=\"hearing_date\" value=\"2023-05-30\">"
        ),
        "{html}"
    );
    // A condition of the workflow is the engine's to check; the form only says so.
    let reason = html.find("id=\"f-absence_reason\"").unwrap();
    assert!(html[reason..].contains("<div class=\"help\">视情况必填</div>"));
    // Agencies and courts are chosen by name (in the notice's form).
    let notice = s.get("/new/appearance").text();
    assert!(
        notice.contains("<option value=\"ybfy\">重庆市渝北区人民法院</option>"),
        "{notice}"
    );
    let token = s.token(&form_path);
    let r = s.post(
        &form_path,
        &[
            ("_csrf", &token),
            ("_action", "preview"),
            ("hearing_date", "2023-05-10"),
            ("head_appeared", "否"),
        ],
    );
    let html = r.text();
    let field = html.find("id=\"f-absence_reason\"").unwrap();
    let next = html[field..].find("class=\"field\"").unwrap() + field;
    assert!(
        html[field..next]
            .contains("<p class=\"problem\">请填写不能出庭事由（负责人未出庭时必填）</p>"),
        "{}",
        &html[field..next]
    );
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

#[test]
fn a_numbered_draft_takes_no_number_and_a_stale_preview_is_not_committed() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let id = "2023-渝0112行初125";
    let path = format!("/case/{}/step/loss_review", enc(id));
    let token = s.token(&path);
    let values = [
        ("_csrf", token.as_str()),
        ("loss_causes", "证据收集不充分\r\n程序存在瑕疵"),
        ("responsibility", "承办科室负直接责任"),
        ("measures", "完善证据规则"),
        ("report_date", "2023-05-08"),
    ];
    let before = common::snapshot(&dir);
    let preview = s.post(&path, &[&values[..], &[("_action", "preview")]].concat());
    let html = preview.text();
    assert!(
        html.contains("<h3>行政诉讼败诉案件总结报告（确认办理时编发文字号）</h3>"),
        "{html}"
    );
    assert!(html.contains("<img class=\"page\""), "{html}");
    let written: Vec<String> = changed(&before, &common::snapshot(&dir))
        .into_iter()
        .filter(|k| !k.starts_with(".yingsu/index/"))
        .collect();
    assert_eq!(
        written,
        Vec::<String>::new(),
        "a preview took a number or wrote"
    );

    // The case changes after the preview (another clerk, an editor): the preview's commit is
    // refused and nothing is written.
    let sha = hidden(&html, "_sha");
    let case_file = walkdir::WalkDir::new(dir.join("cases"))
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n == format!("{id}.yaml").as_str())
        })
        .unwrap();
    let mut text = std::fs::read_to_string(&case_file).unwrap();
    text.push_str("# 已核对\n");
    std::fs::write(&case_file, &text).unwrap();
    let edited = common::snapshot(&dir);
    let stale = [
        &values[..],
        &[("_action", "commit"), ("_sha", sha.as_str())],
    ]
    .concat();
    let html = s.post(&path, &stale).text();
    assert!(
        html.contains(&format!("案件 `{id}` 在核对之后又被修改过")),
        "{html}"
    );
    assert_eq!(
        changed(&edited, &common::snapshot(&dir)),
        Vec::<String>::new()
    );

    // Previewed again and confirmed: committed, with its number.
    let html = s
        .post(&path, &[&values[..], &[("_action", "preview")]].concat())
        .text();
    let sha = hidden(&html, "_sha");
    let fresh = [
        &values[..],
        &[("_action", "commit"), ("_sha", sha.as_str())],
    ]
    .concat();
    let r = s.post(&path, &fresh);
    assert_eq!(r.status, 303, "{}", r.text());
    let page = s.get(&format!("/case/{}", enc(id))).text();
    assert!(
        page.contains("当前步骤：<strong>败诉案件总结</strong>"),
        "{page}"
    );
    let case = std::fs::read_to_string(&case_file).unwrap();
    assert!(
        case.contains("loss_causes: [证据收集不充分, 程序存在瑕疵]"),
        "{case}"
    );
    assert!(
        page.contains("行政诉讼败诉案件总结报告（渝北规资文〔2023〕2号）"),
        "{page}"
    );
}

#[test]
fn a_new_case_id_is_checked_beside_the_id() {
    let tmp = tempfile::tempdir().unwrap();
    common::workspace(tmp.path());
    let s = serve(tmp.path());
    let token = s.token("/new/appearance");
    let f = notice_fields(&token, "../逃逸", "preview");
    let html = s.post("/new/appearance", &pairs(&f)).text();
    let field = html.find("id=\"f-_id\"").unwrap();
    let next = html[field..].find("class=\"field\"").unwrap() + field;
    assert!(
        html[field..next].contains(
            "<p class=\"problem\">案件编号 `..&#x2f;逃逸` 不合法：不能包含“&#x2f;”“\\”或“..”（案件编号只能包含汉字、英文字母、数字、连字符“-”和下划线“_”，例如 2023-行初-123 或 ZG-2023-001）</p>"
        ),
        "{html}"
    );
    assert!(!html.contains("value=\"commit\""));
}

#[test]
fn the_same_step_again_needs_the_clerk_to_say_it_happened_again() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::workspace(dir);
    let s = serve(dir);
    let token = s.token("/new/appearance");
    let f = notice_fields(&token, "2023-再次", "commit");
    assert_eq!(s.post("/new/appearance", &pairs(&f)).status, 303);
    let path = format!("/case/{}/step/appearance", enc("2023-再次"));
    let hearing = [
        ("_csrf", token.as_str()),
        ("hearing_date", "2023-05-08"),
        ("hearing_place", "区法院第三审判庭"),
        ("head_appeared", "是"),
        ("head_spoke", "是"),
    ];
    let commit = [&hearing[..], &[("_action", "commit")]].concat();
    assert_eq!(s.post(&path, &commit).status, 303);
    let twice = s.post(&path, &commit);
    assert_eq!(twice.status, 200);
    let html = twice.text();
    assert!(
        html.contains("“出庭应诉”（appearance）与上一次的记录（第 2 条办理记录，2023-05-08T09:00:00+08:00）完全相同，可能是重复执行了同一条命令；本次没有记录"),
        "{html}"
    );
    let again = [&commit[..], &[("_again", "1")]].concat();
    assert_eq!(s.post(&path, &again).status, 303);
    let page = s.get(&format!("/case/{}", enc("2023-再次"))).text();
    assert_eq!(page.matches("· 测试员 · 出庭应诉").count(), 2, "{page}");
}

#[test]
fn the_last_step_is_taken_back_from_the_case_page_with_a_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::workspace(dir);
    let s = serve(dir);
    let token = s.token("/new/appearance");
    let f = notice_fields(&token, "2023-撤销", "commit");
    assert_eq!(s.post("/new/appearance", &pairs(&f)).status, 303);
    let id = enc("2023-撤销");
    let hearing = [
        ("_csrf", token.as_str()),
        ("_action", "commit"),
        ("hearing_date", "2023-05-08"),
        ("hearing_place", "区法院第三审判庭"),
        ("head_appeared", "是"),
    ];
    let r = s.post(&format!("/case/{id}/step/appearance"), &hearing);
    assert_eq!(r.status, 303, "{}", r.text());
    let page = s.get(&format!("/case/{id}")).text();
    assert_eq!(hidden(&page, "_entries"), "2");
    let undo = format!("/case/{id}/undo");

    // The page showed one entry: something happened since, nothing is taken back.
    let before = common::snapshot(dir);
    let stale = s.post(
        &undo,
        &[("_csrf", &token), ("_entries", "1"), ("reason", "录入错误")],
    );
    assert_eq!(stale.status, 422);
    assert!(
        stale.text().contains(
            "案件 `2023-撤销` 在打开之后又有了新的办理记录（打开时 1 条，现有 2 条），本次没有撤销"
        ),
        "{}",
        stale.text()
    );
    // No reason: the engine's refusal.
    let bare = s.post(
        &undo,
        &[("_csrf", &token), ("_entries", "2"), ("reason", " ")],
    );
    assert!(
        bare.text().contains("撤销办理步骤须说明原因"),
        "{}",
        bare.text()
    );
    // Without the token: refused.
    assert_eq!(
        s.post(&undo, &[("_entries", "2"), ("reason", "录入错误")])
            .status,
        403
    );
    assert_eq!(
        changed(&before, &common::snapshot(dir)),
        Vec::<String>::new()
    );

    let r = s.post(
        &undo,
        &[("_csrf", &token), ("_entries", "2"), ("reason", "录入错误")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = s.get(&format!("/case/{id}")).text();
    assert!(page.contains("出庭应诉（已撤销）"), "{page}");
    assert!(page.contains("撤销第 2 条，原因：录入错误"), "{page}");
    assert!(
        page.contains("当前步骤：<strong>收到出庭应诉通知</strong>"),
        "{page}"
    );
}

#[test]
#[cfg(target_os = "linux")]
fn open_asks_the_desktop_and_says_the_address_when_it_cannot() {
    let (_tmp, dir) = demo();
    // No program to open a browser with: the clerk is told where to go instead.
    let empty = tempfile::tempdir().unwrap();
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(&dir)
        .env("PATH", empty.path())
        .args(["serve", "--port", "0", "--open"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = std::io::BufRead::lines(std::io::BufReader::new(child.stdout.take().unwrap()));
    let first = lines.next().unwrap().unwrap();
    let second = lines.next().unwrap().unwrap();
    let third = lines.next().unwrap().unwrap();
    let _ = child.kill();
    let _ = child.wait();
    let port = first
        .strip_prefix("应诉工作台已启动：http://127.0.0.1:")
        .and_then(|r| r.strip_suffix('/'))
        .unwrap_or_else(|| panic!("{first}"));
    assert_eq!(second, "只在本机可以访问；按 Ctrl+C 停止。");
    assert_eq!(
        third,
        format!(
            "没能自动打开浏览器（找不到打开浏览器的程序 xdg-open），请在浏览器中打开 http://127.0.0.1:{port}/"
        )
    );
}

/// The dashboard asked for again until `seen` holds of it (the operating system's notice of a
/// change made outside the workbench arrives on its own thread), for at most five seconds.
fn dashboard_until(s: &Served, seen: impl Fn(&str) -> bool) -> String {
    let mut html = String::new();
    for _ in 0..100 {
        html = s.get("/").text();
        if seen(&html) {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    html
}

#[test]
fn a_kept_dashboard_gives_way_to_changes_made_by_hand_or_on_the_command_line() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let first = s.get("/").text();
    assert!(first.contains("重庆某餐饮管理有限公司"), "{first}");
    assert_eq!(s.get("/").text(), first, "asked again, the same page");

    // A plaintiff corrected by hand, the file rewritten in place (no new file, no rename).
    let file = walkdir::WalkDir::new(dir.join("cases"))
        .into_iter()
        .filter_map(|e| e.ok())
        .find(|e| e.file_name().to_string_lossy().contains("行初118"))
        .expect("the demo case")
        .into_path();
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("重庆某餐饮管理有限公司"));
    std::fs::OpenOptions::new()
        .write(true)
        .truncate(true)
        .open(&file)
        .and_then(|mut f| {
            use std::io::Write;
            f.write_all(
                text.replace("重庆某餐饮管理有限公司", "重庆某火锅有限公司")
                    .as_bytes(),
            )
        })
        .unwrap();
    let html = dashboard_until(&s, |h| h.contains("重庆某火锅有限公司"));
    assert!(html.contains("重庆某火锅有限公司"), "{html}");
    assert!(!html.contains("重庆某餐饮管理有限公司"), "{html}");

    // A case opened on the command line, in a year folder the workspace did not have.
    let mut args = vec!["case", "new", "appearance", "2031-渝0112行初9"];
    let mut sets = Vec::new();
    for kv in common::NOTICE {
        sets.push(match kv.split_once('=') {
            Some(("case_number", _)) => "case_number=（2031）渝0112行初9号".to_string(),
            Some(("notice_date", _)) => "notice_date=2031-03-03".to_string(),
            Some(("hearing_date", _)) => "hearing_date=2031-03-20".to_string(),
            _ => kv.to_string(),
        });
    }
    for kv in &sets {
        args.extend(["--set", kv.as_str()]);
    }
    let (code, _, err) = common::run_env(&dir, &args, "2031-03-03T09:00:00+08:00", &[]);
    assert_eq!(code, 0, "{err}");
    let html = dashboard_until(&s, |h| h.contains(">2031-渝0112行初9</a>"));
    assert!(html.contains(">2031-渝0112行初9</a>"), "{html}");
}
