//! The workbench in a real browser: Debian's headless chromium driven through chromedriver
//! (WebDriver over plain HTTP, tests/common/webdriver.rs) on the demo workspace — a step form
//! filled in, the engine's error beside its field, corrected, the live preview redrawn, the
//! review screen, 确认办理, and the new PDF on the case page. With `YINGSU_SCREENSHOTS=<dir>`
//! it also saves the README's screenshots (1366×768) there.

mod common;

use common::http::{demo, enc, serve};
use common::webdriver::{Browser, browser};

/// The `src` of every draft page drawn, if any.
fn drafts(b: &Browser) -> Option<String> {
    b.exec(
        "var i = Array.from(document.querySelectorAll('#drafts img.page')).map(function (p) { return p.src; }); \
         return i.length ? i.join(' ') : null;",
        vec![],
    )
    .as_str()
    .map(str::to_string)
}

/// Choose `value` in select `#f-<key>` as a clerk would (a click on the option).
fn choose(b: &Browser, key: &str, value: &str) {
    b.click(&b.find(&format!("#f-{key} option[value=\"{value}\"]")));
}

/// Set date input `#f-<key>` (a date picker's typing order depends on the locale, so the
/// value is set and the input event a clerk's pick fires is sent).
fn pick_date(b: &Browser, key: &str, date: &str) {
    b.exec(
        "arguments[0].value = arguments[1]; \
         arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        vec![Browser::el(&b.find(&format!("#f-{key}"))), date.into()],
    );
}

/// The problems shown beside field `key`.
fn problems(b: &Browser, key: &str) -> String {
    b.text(&b.find(&format!("#p-{key}")))
}

/// Whether field `key`'s block is hidden.
fn hidden(b: &Browser, key: &str) -> bool {
    b.exec(
        "return document.querySelector('.field[data-field=\"' + arguments[0] + '\"]').hidden;",
        vec![key.into()],
    )
    .as_bool()
    .unwrap_or(false)
}

fn save(dir: &Option<std::path::PathBuf>, name: &str, b: &Browser) {
    if let Some(dir) = dir {
        b.exec(
            "if (document.activeElement) { document.activeElement.blur(); } window.scrollTo(0, 0);",
            vec![],
        );
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), b.screenshot()).unwrap();
    }
}

#[test]
fn a_clerk_fills_a_step_form_sees_the_preview_reviews_and_confirms() {
    let Some(b) = browser(1366, 768) else {
        return;
    };
    let shots = std::env::var_os("YINGSU_SCREENSHOTS").map(std::path::PathBuf::from);
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let base = format!("http://127.0.0.1:{}", s.port);
    let id = "2023-渝0112行初118";

    b.goto(&format!("{base}/"));
    b.wait_until("the dashboard is drawn", |b| {
        !b.find_all("table").is_empty()
    });
    save(&shots, "workbench-dashboard.png", &b);

    let form = format!("{base}/case/{}/step/appearance", enc(id));
    b.goto(&form);
    // The first field has the focus.
    assert_eq!(
        b.exec("return document.activeElement.id;", vec![]),
        "f-hearing_date"
    );

    // 负责人出庭: yes hides what a head's absence needs; no shows it again (the engine's
    // `required:` conditions, evaluated on each round trip).
    choose(&b, "head_appeared", "是");
    b.wait_until("the absence fields are hidden", |b| {
        hidden(b, "absence_reason")
    });
    choose(&b, "head_appeared", "否");
    b.wait_until("the absence fields are shown", |b| {
        !hidden(b, "absence_reason")
    });

    choose(&b, "absence_reason", "需要履行他人不能代替的公务");
    let account = b.find("#f-absence_account");
    b.type_text(&account, "局长参加全区防汛紧急会议");
    b.type_text(&b.find("#f-delegates"), "张明，法制科科长");
    // 再加一行: a second row in place, with the focus.
    b.click(&b.find("button[value=\"addrow:delegates\"]"));
    assert_eq!(b.find_all("#r-delegates input").len(), 2);
    b.type_text(
        &b.find("#r-delegates input:last-of-type"),
        "李华，法制科科员",
    );
    // A statement dated after the hearing: the engine's error, beside the date.
    pick_date(&b, "absence_note_date", "2023-06-01");
    b.wait_until("the date's problem is shown", |b| {
        let p = problems(b, "absence_note_date");
        !p.is_empty() && !p.starts_with("请填写")
    });
    assert_eq!(
        problems(&b, "absence_note_date"),
        "情况说明日期（absence_note_date）2023-06-01 晚于开庭日期（hearing_date）2023-05-30（请核对这两个日期；确属例外时，在案件文件的 facts 中加一行 date_order_note: 说明原因（日期顺序说明），再重新运行）"
    );
    assert_eq!(drafts(&b), None);

    // Corrected: the problem goes, the drafts come.
    pick_date(&b, "absence_note_date", "2023-05-25");
    b.wait_until("the drafts are drawn", |b| drafts(b).is_some());
    assert_eq!(problems(&b, "absence_note_date"), "");
    let before = drafts(&b).unwrap();
    let titles = b.text(&b.find("#drafts"));
    assert!(titles.contains("授权委托书"), "{titles}");
    assert!(
        titles.contains("行政机关负责人不能出庭应诉情况说明"),
        "{titles}"
    );

    // One more word, and the draft is typeset again.
    b.type_text(&account, "，已报区政府备案");
    b.wait_until("the draft changes", |b| {
        drafts(b).is_some_and(|p| p != before)
    });
    save(&shots, "workbench-form.png", &b);

    // The review screen: the facts as they will be recorded, then 确认办理.
    b.click(&b.find("button[value=\"review\"]"));
    b.wait_until("the review screen", |b| {
        !b.find_all("#review-facts").is_empty()
    });
    let facts = b.text(&b.find("#review-facts"));
    for want in [
        "负责人出庭 否",
        "不能出庭事由 需要履行他人不能代替的公务",
        "情况说明日期 2023年5月25日",
        "委托出庭人员 张明，法制科科长；李华，法制科科员",
    ] {
        assert!(facts.contains(want), "{want} in {facts}");
    }
    save(&shots, "workbench-review.png", &b);
    b.click(&b.find("button[value=\"commit\"]"));
    b.wait_until("the case page", |b| {
        b.url().ends_with(&format!("/case/{}", enc(id)))
    });
    let links: Vec<String> = b
        .find_all("a[href*=\"/doc/\"]")
        .iter()
        .map(|l| b.text(l))
        .collect();
    assert!(
        links
            .iter()
            .any(|l| l == "行政机关负责人不能出庭应诉情况说明（渝北市监函〔2023〕1号）"),
        "{links:?}"
    );

    // On a phone the form and the preview stack, and nothing is wider than the screen.
    b.viewport(390, 844);
    b.goto(&form);
    let stacked = b.exec(
        "var f = document.getElementById('step-form').getBoundingClientRect(); \
         var p = document.getElementById('preview').getBoundingClientRect(); \
         return [p.top >= f.bottom, document.documentElement.scrollWidth];",
        vec![],
    );
    assert_eq!(stacked, serde_json::json!([true, 390]));
}
