//! The workbench's settings page and its later facts, over HTTP: `yingsu.yaml` listed and edited
//! with its comments and order kept, refusals beside their fields with nothing written, and a
//! fact learned later recorded from a case's page as a history entry with who recorded it.

mod common;

use std::path::Path;

use common::http::*;
use common::*;

fn yaml(dir: &Path) -> String {
    std::fs::read_to_string(dir.join("yingsu.yaml")).unwrap()
}

/// The markup of the input whose id is `id`, up to the next input or the end of its form: what
/// a clerk sees beside the field.
fn field<'a>(page: &'a str, id: &str) -> &'a str {
    let from = page
        .find(&format!("<label for=\"{id}\""))
        .unwrap_or_else(|| panic!("no field {id}\n{page}"));
    let rest = &page[from..];
    let end = ["<div class=\"field\">", "</form>"]
        .iter()
        .filter_map(|m| rest.find(m))
        .min()
        .unwrap();
    &rest[..end]
}

#[test]
fn the_page_lists_the_agencies_issuers_and_courts_by_name() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let r = s.get("/settings");
    assert_eq!(r.status, 200);
    let page = r.text();
    for want in [
        "<summary>重庆市渝北区司法局</summary>",
        "<summary><code>scjgj</code> 重庆市渝北区市场监督管理局</summary>",
        "<summary><code>mez</code> 重庆市渝北区木耳镇人民政府</summary>",
        "<summary><code>ybfy</code> 重庆市渝北区人民法院</summary>",
        "<summary><code>cq1zy</code> 重庆市第一中级人民法院</summary>",
        "<summary><code>sfj</code> 重庆市渝北区司法局</summary>",
        "<label for=\"f-agencies-scjgj-name\" class=\"required\">全称</label>",
        "<label for=\"f-agencies-scjgj-short\">简称</label>",
        "<label for=\"f-agencies-scjgj-group\" class=\"required\">统计分组</label>",
        "<option value=\"departments\" selected>区政府部门、镇街</option>",
        "<label for=\"f-issuers-sfj-prefix\">函的机关代字</label>",
        "<input id=\"f-issuers-sfj-prefix\" name=\"prefix\" value=\"渝北司函\">",
        "<input id=\"f-bureau--region\" name=\"region\" value=\"重庆市渝北区\">",
        "<summary>添加被诉单位</summary>",
        "<summary>添加法院</summary>",
    ] {
        assert!(page.contains(want), "missing {want}\n{page}");
    }
}

#[test]
fn edits_keep_the_files_comments_and_order() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let before = yaml(&dir);
    let token = s.token("/settings");

    // A short name changed and the principal left blank (removed); the rest as it was.
    let r = s.post(
        "/settings/agencies/scjgj",
        &[
            ("_csrf", &token),
            ("name", "重庆市渝北区市场监督管理局"),
            ("short", "区市监局"),
            ("group", "departments"),
            ("kind", "部门"),
            ("issuer", "scjgj"),
            ("principal", ""),
            ("principal_post", "局长"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let old = "  scjgj:\n    name: 重庆市渝北区市场监督管理局\n    short: 区市场监管局\n    group: departments\n    kind: 部门\n    issuer: scjgj\n    principal: 李某某\n    principal_post: 局长\n";
    let new = "  scjgj:\n    name: 重庆市渝北区市场监督管理局\n    short: 区市监局\n    group: departments\n    kind: 部门\n    issuer: scjgj\n    principal_post: 局长\n";
    assert_eq!(before.matches(old).count(), 1);
    let want = before.replacen(old, new, 1);
    assert_eq!(yaml(&dir), want);
    let saved = r.headers["location"].clone();
    assert!(
        s.get(&saved)
            .text()
            .contains("<p class=\"notice\">已保存：被诉单位 scjgj</p>")
    );

    // A court added at the end of `courts:`, before the comments that follow it.
    let r = s.post(
        "/settings/courts",
        &[
            ("_csrf", &token),
            ("_id", "cq5zy"),
            ("name", "重庆市第五中级人民法院"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let want = want.replacen(
        "  jbfy: 重庆市江北区人民法院\n",
        "  jbfy: 重庆市江北区人民法院\n  cq5zy: 重庆市第五中级人民法院\n",
        1,
    );
    assert_eq!(yaml(&dir), want);
    let page = s.get("/settings").text();
    assert!(page.contains("<summary><code>cq5zy</code> 重庆市第五中级人民法院</summary>"));
    assert!(page.contains("<summary><code>scjgj</code> 重庆市渝北区市场监督管理局</summary>"));
}

#[test]
fn invalid_edits_are_refused_beside_the_field_and_write_nothing() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let before = snapshot(&dir);
    let token = s.token("/settings");

    // An empty name.
    let r = s.post(
        "/settings/agencies/scjgj",
        &[
            ("_csrf", &token),
            ("name", " "),
            ("group", "departments"),
            ("issuer", "scjgj"),
        ],
    );
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(
        field(&page, "f-agencies-scjgj-name")
            .contains("<p class=\"problem\">请填写被诉单位全称（如 重庆市渝北区公安分局）</p>"),
        "{page}"
    );
    assert!(!field(&page, "f-agencies-scjgj-group").contains("class=\"problem\""));
    assert!(page.contains("<details open id=\"agencies-scjgj\">"));

    // A new court with an id already taken.
    let r = s.post(
        "/settings/courts",
        &[("_csrf", &token), ("_id", "ybfy"), ("name", "某法院")],
    );
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(
        field(&page, "f-courts-new-_id").contains(
            "<p class=\"problem\">编号 `ybfy` 已被法院“重庆市渝北区人民法院”使用（换一个编号；要修改已有的一项，请在列表中编辑它）</p>"
        ),
        "{page}"
    );
    // The value typed stays in the form.
    assert!(page.contains("<input id=\"f-courts-new-name\" name=\"name\" value=\"某法院\">"));

    // An agency whose issuer does not exist: the workspace's own check, named by the edit.
    let r = s.post(
        "/settings/agencies",
        &[
            ("_csrf", &token),
            ("_id", "gaj"),
            ("name", "重庆市渝北区公安分局"),
            ("group", "departments"),
            ("issuer", "nobody"),
        ],
    );
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(
        field(&page, "f-agencies-new-issuer").contains(
            "<p class=\"problem\">把 agencies.gaj.issuer 改为“nobody”后，yingsu.yaml 不能通过检查：单位 `gaj` 的发文机关 `nobody` 未在 issuers 中定义（请在 issuers 下添加它，或改为已定义的发文机关）</p>"
        ),
        "{page}"
    );

    // Without the form's token.
    let r = s.post(
        "/settings/courts",
        &[("_id", "cq5zy"), ("name", "重庆市第五中级人民法院")],
    );
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("表单已失效或不是从本工作台提交的，已拒绝：请重新打开页面再提交")
    );
    assert_eq!(changed(&before, &snapshot(&dir)), Vec::<String>::new());
}

/// Case A1 of the demo workspace at its judgment (lost), without the judgment's 生效日期.
fn judged(dir: &Path) {
    let mut notice: Vec<String> = vec![
        "case".into(),
        "new".into(),
        "appearance".into(),
        "A1".into(),
    ];
    for s in NOTICE {
        notice.push("--set".into());
        notice.push(s.replace("行初123号", "行初999号"));
    }
    let args: Vec<&str> = notice.iter().map(String::as_str).collect();
    for (args, now) in [
        (args, "2023-04-20T09:00:00+08:00"),
        (
            vec![
                "case",
                "advance",
                "A1",
                "appearance",
                "--set",
                "head_appeared=是",
            ],
            "2023-05-08T07:00:00+08:00",
        ),
        (
            vec![
                "case",
                "advance",
                "A1",
                "judgment",
                "--set",
                "judgment_date=2023-05-08",
                "--set",
                "outcome=撤销",
            ],
            "2023-05-08T08:00:00+08:00",
        ),
    ] {
        let (code, _, err) = run_env(dir, &args, now, &[]);
        assert_eq!(code, 0, "{err}");
    }
}

#[test]
fn a_later_fact_is_recorded_from_the_case_page_with_who_recorded_it() {
    let (_tmp, dir) = demo();
    judged(&dir);
    let s = serve(&dir);
    let page = s.get("/case/A1").text();
    assert!(page.contains("<summary>补充事实</summary>"), "{page}");
    assert!(page.contains("<label for=\"f-later-effective_date\">生效日期</label>"));
    assert!(page.contains(
        "<input type=\"date\" id=\"f-later-effective_date\" name=\"effective_date\" value=\"\">"
    ));
    // Fields already recorded are not offered.
    assert!(!page.contains("f-later-judgment_date"));
    assert!(!page.contains("f-later-outcome"));
    let file = dir.join("cases/2023/A1.yaml");
    let before = std::fs::read_to_string(&file).unwrap();

    // Without the token.
    let r = s.post("/case/A1/facts", &[("effective_date", "2023-05-20")]);
    assert_eq!(r.status, 403);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    let token = s.token("/case/A1");
    // A date before the judgment's: the engine's words, beside the field.
    let r = s.post(
        "/case/A1/facts",
        &[("_csrf", &token), ("effective_date", "2023-05-01")],
    );
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(
        field(&page, "f-later-effective_date").contains(
            "<p class=\"problem\">生效日期（effective_date）2023-05-01 早于裁判日期（judgment_date）2023-05-08"
        ),
        "{page}"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    let r = s.post(
        "/case/A1/facts",
        &[
            ("_csrf", &token),
            ("effective_date", "2023-05-20"),
            ("judgment_number", ""),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    assert_eq!(r.headers["location"], "/case/A1");
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        format!(
            "{before}  - event: 补充事实\n    at: 2023-05-08T09:00:00+08:00\n    by: 测试员\n    facts:\n      effective_date: 2023-05-20\n"
        )
    );
    let page = s.get("/case/A1").text();
    assert!(
        page.contains("2023-05-08T09:00:00+08:00 · 测试员 · 补充事实"),
        "{page}"
    );
    assert!(page.contains("<tr><th>生效日期</th><td class=\"fact\">2023-05-20</td></tr>"));
    assert!(!page.contains("f-later-effective_date"));
}

#[test]
fn a_mistaken_case_is_withdrawn_from_its_page() {
    let (_tmp, dir) = demo();
    judged(&dir);
    let s = serve(&dir);
    let page = s.get("/case/A1").text();
    assert!(page.contains("<summary>撤回误建的案件</summary>"), "{page}");
    let file = dir.join("cases/2023/A1.yaml");
    let before = std::fs::read_to_string(&file).unwrap();

    let r = s.post("/case/A1/withdraw", &[("reason", "重复登记")]);
    assert_eq!(r.status, 403);
    let token = s.token("/case/A1");
    // Without a reason: the engine's refusal, nothing written.
    let r = s.post("/case/A1/withdraw", &[("_csrf", &token), ("reason", "")]);
    assert_eq!(r.status, 422);
    assert!(r.text().contains("撤回案件须说明原因"), "{}", r.text());
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    let r = s.post(
        "/case/A1/withdraw",
        &[("_csrf", &token), ("reason", "重复登记")],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let page = s.get("/case/A1").text();
    assert!(
        page.contains("当前步骤：<strong>裁判</strong>（已撤回）"),
        "{page}"
    );
    assert!(page.contains("2023-05-08T09:00:00+08:00 · 测试员 · 撤回，原因：重复登记"));
    // Closed: no next step, no later facts, no second withdrawal.
    assert!(!page.contains("<h2>下一步</h2>"));
    assert!(!page.contains("<summary>补充事实</summary>"));
    assert!(!page.contains("<summary>撤回误建的案件</summary>"));
    assert!(!dir.join("archive/2023/A1/01-notice-tishihan.pdf").exists());
    assert!(
        dir.join("archive/2023/A1/voided/01-notice-tishihan.pdf")
            .is_file()
    );
}

#[test]
fn groups_and_an_issuers_prefixes_by_kind_are_kept_from_the_page() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let before = yaml(&dir);
    let page = s.get("/settings").text();
    for want in [
        "<summary><code>departments</code> 区政府部门、镇街</summary>",
        "<option value=\"hearings\" selected>开庭审理的案件</option>",
        "<input id=\"f-issuers-sfj-prefixes.文件\" name=\"prefixes.文件\" value=\"渝北司发\">",
        "<input id=\"f-issuers-sfj-prefixes.报告\" name=\"prefixes.报告\" value=\"渝北司文\">",
        "<summary>添加统计分组</summary>",
    ] {
        assert!(page.contains(want), "missing {want}\n{page}");
    }
    let token = s.token("/settings");

    // A rate counted on something else than the two ways: refused beside the field.
    let r = s.post(
        "/settings/groups",
        &[
            ("_csrf", &token),
            ("_id", "towns"),
            ("title", "镇街"),
            ("denominator", "cases"),
        ],
    );
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        field(&html, "f-groups-new-denominator")
            .contains("统计分组出庭率的分母只能选“法院通知负责人出庭的案件”或“开庭审理的案件”"),
        "{html}"
    );
    assert_eq!(yaml(&dir), before, "nothing written");

    // A new group, written after the last one.
    let r = s.post(
        "/settings/groups",
        &[
            ("_csrf", &token),
            ("_id", "towns"),
            ("title", "镇街"),
            ("denominator", "hearings"),
        ],
    );
    assert_eq!(r.status, 303, "{}", r.text());
    let want = before.replacen(
        "    title: 区政府部门、镇街\n    denominator: hearings\n",
        "    title: 区政府部门、镇街\n    denominator: hearings\n  towns:\n    title: 镇街\n    denominator: hearings\n",
        1,
    );
    assert_ne!(want, before);
    assert_eq!(yaml(&dir), want);

    // The 文件 prefix changed: the flow mapping is written again whole, the 报告 prefix kept.
    let mut fields: Vec<(String, String)> = Vec::new();
    for (k, v) in [
        ("name", "重庆市渝北区司法局"),
        ("short", "区司法局"),
        ("mark", "重庆市渝北区司法局"),
        ("prefix", "渝北司函"),
        ("prefixes.文件", "渝北司规"),
        ("prefixes.报告", "渝北司文"),
        ("principal", "赵某某"),
        ("contact", "钱某某"),
        ("phone", "023-00000000"),
    ] {
        fields.push((k.into(), v.into()));
    }
    fields.push(("_csrf".into(), token.clone()));
    let r = s.post("/settings/issuers/sfj", &pairs(&fields));
    assert_eq!(r.status, 303, "{}", r.text());
    let want = want.replacen(
        "    prefixes: {文件: 渝北司发, 报告: 渝北司文}\n",
        "    prefixes:\n      报告: 渝北司文\n      文件: 渝北司规\n",
        1,
    );
    assert_eq!(yaml(&dir), want);
    // What the next notice is numbered with.
    let ws = yingsu::workspace::Workspace::open(&dir).unwrap();
    assert_eq!(
        ws.config.issuers.get("sfj").unwrap().prefixes["文件"],
        "渝北司规"
    );
}
