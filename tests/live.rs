//! The workbench's step forms beyond the plain round trip, over HTTP: the live preview's
//! script (embedded, at a hashed address, allowed by the page policy) and its JSON answer,
//! fields shown as the engine's conditions say, lists as rows (“再加一行” without a script),
//! the duplicate-案号 warning with its link, and the review screen before 确认办理.

mod common;

use common::http::*;
use yingsu::engine::{self, Target};

/// The value of the first attribute `attr="…"` after `at` in `html`.
fn attr_after<'a>(html: &'a str, at: &str, attr: &str) -> &'a str {
    let from = html.find(at).unwrap_or_else(|| panic!("no {at} in {html}")) + at.len();
    let key = format!("{attr}=\"");
    let start = html[from..].find(&key).unwrap() + from + key.len();
    html[start..].split('"').next().unwrap()
}

fn json(r: &Reply) -> serde_json::Value {
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.headers["content-type"], "application/json");
    serde_json::from_slice(&r.body).unwrap()
}

/// The field `key` of a live answer.
fn field<'a>(v: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    v["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == key)
        .unwrap_or_else(|| panic!("no {key} in {v}"))
}

#[test]
fn the_script_is_embedded_at_a_hashed_address_and_allowed_by_the_page_policy() {
    let tmp = tempfile::tempdir().unwrap();
    common::workspace(tmp.path());
    let s = serve(tmp.path());
    let page = s.get("/new/appearance");
    assert_eq!(
        page.headers["content-security-policy"],
        "default-src 'none'; script-src 'self'; connect-src 'self'; img-src data:; \
         style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    );
    assert_eq!(page.headers["referrer-policy"], "same-origin");
    let html = page.text();
    let src = attr_after(&html, "<script", "src").replace("&#x2f;", "/");
    let src = src.as_str();
    assert!(
        src.starts_with("/assets/app-") && src.ends_with(".js"),
        "{src}"
    );
    assert_eq!(src.len(), "/assets/app-".len() + 12 + ".js".len(), "{src}");
    let js = s.get(src);
    assert_eq!(js.status, 200);
    assert_eq!(js.headers["content-type"], "text/javascript; charset=utf-8");
    assert_eq!(
        js.headers["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert!(
        js.text().starts_with("// The workbench's live preview"),
        "{}",
        js.text()
    );
    // The form names its preview address for the script; the first input has the focus.
    assert!(
        html.contains(
            "<form method=\"post\" action=\"&#x2f;new&#x2f;appearance\" id=\"step-form\" data-preview=\"&#x2f;new&#x2f;appearance/preview\" novalidate>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<input id=\"f-_id\" name=\"_id\" value=\"\" autofocus>"),
        "{html}"
    );
    assert_eq!(s.get("/assets/app-000000000000.js").status, 404);
    assert_eq!(s.get("/assets/..%2fyingsu.yaml").status, 404);
}

#[test]
fn the_live_preview_answers_problems_per_field_then_drafts_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::workspace(dir);
    let s = serve(dir);
    let token = s.token("/new/appearance");
    let before = common::snapshot(dir);

    let mut f = notice_fields(&token, "2023-实时1", "preview");
    f.retain(|(k, _)| k != "hearing_place");
    let v = json(&s.post("/new/appearance/preview", &pairs(&f)));
    assert_eq!(v["ready"], false);
    assert_eq!(v["drafts"], serde_json::json!([]));
    assert_eq!(
        field(&v, "hearing_place")["problems"],
        serde_json::json!([{
            "message": "请填写开庭地点",
            "help": "如 区法院第三审判庭",
            "href": null,
            "link": null,
        }])
    );
    assert_eq!(field(&v, "court")["problems"], serde_json::json!([]));

    let f = notice_fields(&token, "2023-实时1", "preview");
    let v = json(&s.post("/new/appearance/preview", &pairs(&f)));
    assert_eq!(v["ready"], true, "{v}");
    assert_eq!(v["drafts"][0]["title"], "出庭应诉提示函");
    assert_eq!(v["drafts"][0]["numbered"], false);
    let page = v["drafts"][0]["pages"][0].as_str().unwrap();
    assert!(page.starts_with("data:image/svg+xml;base64,"), "{page}");

    let written: Vec<String> = changed(&before, &common::snapshot(dir))
        .into_iter()
        .filter(|k| !k.starts_with(".yingsu/index/"))
        .collect();
    assert_eq!(written, Vec::<String>::new());

    // Only this server's form may ask.
    let mut f = notice_fields("0".repeat(32).as_str(), "2023-实时1", "preview");
    f.retain(|(k, _)| k != "_action");
    let r = s.post("/new/appearance/preview", &pairs(&f));
    assert_eq!(r.status, 403);
}

#[test]
fn a_duplicate_case_number_is_said_beside_it_as_typed_with_a_link() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let token = s.token("/new/appearance");
    let other = "2023-渝0112行初118";
    let typed = [
        ("_csrf", token.as_str()),
        ("_id", "2023-重号"),
        ("case_number", "(2023)渝0112行初118号"),
    ];
    let v = json(&s.post("/new/appearance/preview", &typed));
    let p = &field(&v, "case_number")["problems"][0];
    assert_eq!(
        p["message"],
        format!("案号（2023）渝0112行初118号已用于案件 {other}（cases/2023/{other}.yaml）")
    );
    assert_eq!(p["href"], format!("/case/{}", enc(other)));
    assert_eq!(p["link"], format!("打开案件 {other}"));
    // Without the script, the 预览 round trip says the same beside the 案号.
    let html = s
        .post(
            "/new/appearance",
            &[&typed[..], &[("_action", "preview")]].concat(),
        )
        .text();
    let at = html.find("id=\"p-case_number\"").unwrap();
    assert!(
        html[at..].starts_with(&format!(
            "id=\"p-case_number\"><p class=\"problem\">案号（2023）渝0112行初118号已用于案件 {other}（cases&#x2f;2023&#x2f;{other}.yaml）"
        )),
        "{}",
        &html[at..]
    );
    assert!(
        html[at..].contains(&format!(
            " <a href=\"&#x2f;case&#x2f;{}\">打开案件 {other}</a></p>",
            enc(other).replace('/', "&#x2f;")
        )),
        "{}",
        &html[at..]
    );
    // Another 案号 is no problem.
    let v = json(&s.post(
        "/new/appearance/preview",
        &[
            ("_csrf", token.as_str()),
            ("_id", "2023-重号"),
            ("case_number", "(2023)渝0112行初999号"),
        ],
    ));
    assert_eq!(field(&v, "case_number")["problems"], serde_json::json!([]));
}

#[test]
fn fields_follow_the_engines_conditions_and_lists_take_rows_without_a_script() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let id = "2023-渝0112行初118";
    let path = format!("/case/{}/step/appearance", enc(id));
    let token = s.token(&path);

    // The library call the form uses: a head who appeared needs no absence reason.
    let ws = yingsu::Workspace::open(&dir).unwrap();
    let target = Target::Advance {
        id: id.into(),
        step: "appearance".into(),
    };
    let actor = common::actor("2023-05-08");
    let appeared =
        engine::required_fields(&ws, &target, &common::sets(&["head_appeared=true"]), &actor)
            .unwrap();
    assert_eq!(appeared, ["hearing_date", "hearing_place", "head_appeared"]);
    let absent = engine::required_fields(
        &ws,
        &target,
        &common::sets(&["head_appeared=false", "absence_reason=无正当理由"]),
        &actor,
    )
    .unwrap();
    assert_eq!(
        absent,
        [
            "hearing_date",
            "hearing_place",
            "head_appeared",
            "absence_reason",
            "delegates"
        ]
    );

    let post = |extra: &[(&str, &str)]| {
        let mut f = vec![("_csrf", token.as_str())];
        f.extend_from_slice(extra);
        s.post(&path, &f).text()
    };
    let html = post(&[("_action", "preview"), ("head_appeared", "是")]);
    assert!(
        html.contains("<div class=\"field\" data-field=\"absence_reason\" hidden>"),
        "{html}"
    );
    let html = post(&[("_action", "preview"), ("head_appeared", "否")]);
    assert!(
        html.contains("<div class=\"field\" data-field=\"absence_reason\">"),
        "{html}"
    );
    // The live answer says the same.
    let v = json(&s.post(
        &format!("{path}/preview"),
        &[("_csrf", token.as_str()), ("head_appeared", "是")],
    ));
    assert_eq!(field(&v, "absence_reason")["shown"], false);
    assert_eq!(field(&v, "hearing_place")["shown"], true);

    // A refusal of the step as a whole that names a field it records is placed beside it.
    let v = json(&s.post(
        &format!("{path}/preview"),
        &[
            ("_csrf", token.as_str()),
            ("head_appeared", "否"),
            ("absence_reason", "其他正当事由"),
            ("absence_account", "参加紧急会议"),
            ("absence_note_date", "2023-06-01"),
            ("delegates", "张明，法制科科长"),
        ],
    ));
    assert_eq!(
        field(&v, "absence_note_date")["problems"][0]["message"],
        "情况说明日期（absence_note_date）2023-06-01 晚于开庭日期（hearing_date）2023-05-30"
    );
    assert_eq!(v["general"], serde_json::json!([]));

    // 再加一行 redraws the form with one more row, keeping what was written.
    let html = post(&[
        ("_action", "addrow:delegates"),
        ("delegates", "张明，法制科科长"),
        ("hearing_place", "第五审判庭"),
    ]);
    assert!(
        html.contains(
            "<div class=\"rows\" id=\"r-delegates\">\n<input id=\"f-delegates\" name=\"delegates\" value=\"张明，法制科科长\" aria-labelledby=\"l-delegates\">\n<input name=\"delegates\" value=\"\" aria-labelledby=\"l-delegates\">\n</div>"
        ),
        "{html}"
    );
    assert!(html.contains("value=\"第五审判庭\""), "{html}");
    assert!(!html.contains("class=\"problem\""), "{html}");
}

#[test]
fn the_review_screen_lists_the_facts_as_recorded_then_confirms_a_new_case() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    common::workspace(dir);
    let s = serve(dir);
    let token = s.token("/new/appearance");
    let before = common::snapshot(dir);
    let mut f = notice_fields(&token, "2023-核对1", "review");
    f.retain(|(k, _)| k != "plaintiffs");
    f.push(("plaintiffs".into(), "重庆某食品有限公司".into()));
    f.push(("plaintiffs".into(), "张某".into()));
    let r = s.post("/new/appearance", &pairs(&f));
    assert_eq!(r.status, 200);
    let html = r.text();
    for row in [
        "<tr><th>案件编号</th><td class=\"fact\">2023-核对1</td></tr>",
        "<tr><th>案号</th><td class=\"fact\">（2023）渝0112行初123号</td></tr>",
        "<tr><th>审理法院</th><td class=\"fact\">重庆市渝北区人民法院</td></tr>",
        "<tr><th>原告</th><td class=\"fact\">重庆某食品有限公司；张某</td></tr>",
        "<tr><th>收到通知日期</th><td class=\"fact\">2023年4月20日</td></tr>",
        "<tr><th>法院通知负责人出庭</th><td class=\"fact\">是</td></tr>",
    ] {
        assert!(html.contains(row), "{row} in {html}");
    }
    assert!(html.contains("<h3>出庭应诉提示函</h3>"), "{html}");
    assert!(
        html.contains("<button type=\"submit\" name=\"_action\" value=\"commit\" class=\"commit\" autofocus>确认办理</button>"),
        "{html}"
    );
    let written: Vec<String> = changed(&before, &common::snapshot(dir))
        .into_iter()
        .filter(|k| !k.starts_with(".yingsu/index/"))
        .collect();
    assert_eq!(written, Vec::<String>::new());

    // 确认办理 posts back what the review carried.
    let mut carried: Vec<(String, String)> = Vec::new();
    let form = &html[html.find("<form method=\"post\"").unwrap()..];
    let form = &form[..form.find("</form>").unwrap()];
    for input in form.split("<input type=\"hidden\" ").skip(1) {
        let name = input
            .split("name=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        let value = input
            .split("value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        carried.push((name.into(), value.replace("&#x2f;", "/")));
    }
    carried.push(("_action".into(), "commit".into()));
    let r = s.post("/new/appearance", &pairs(&carried));
    assert_eq!(r.status, 303, "{}", r.text());
    let case = std::fs::read_to_string(dir.join("cases/2023/2023-核对1.yaml")).unwrap();
    assert!(
        case.contains("plaintiffs: [重庆某食品有限公司, 张某]"),
        "{case}"
    );
}
