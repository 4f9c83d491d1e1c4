//! The workbench's statistics and supervision over HTTP, on the demo workspace: the
//! dashboard's filters, search, agenda and figures; /stats against `yingsu stats`; /check and
//! its confirmation; the monthly return and the quarterly bulletin previewed without writing,
//! then issued.

mod common;

use std::collections::BTreeMap;
use std::path::Path;

use common::http::*;

/// The case ids of the dashboard's table of open cases, in order.
fn listed(html: &str) -> Vec<String> {
    let Some(at) = html.find("<table class=\"cases\">") else {
        panic!("no table of cases: {html}");
    };
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    table
        .split("<tr><td><a href=\"/case/")
        .skip(1)
        .map(|row| {
            let start = row.find("\">").unwrap() + 2;
            row[start..start + row[start..].find("</a>").unwrap()].to_string()
        })
        .collect()
}

/// The cells of every row of the first table with `class` after `from`, tags removed.
fn table_rows(html: &str, class: &str) -> Vec<Vec<String>> {
    let at = html
        .find(&format!("<table class=\"{class}\">"))
        .unwrap_or_else(|| panic!("no {class} table: {html}"));
    let table = &html[at..at + html[at..].find("</table>").unwrap()];
    table
        .split("<tr>")
        .skip(2)
        .map(|row| {
            row.split("<td>")
                .skip(1)
                .map(|c| {
                    let c = c.split("</td>").next().unwrap();
                    // Drop tags (links) inside a cell.
                    let mut out = String::new();
                    let mut inside = false;
                    for ch in c.chars() {
                        match ch {
                            '<' => inside = true,
                            '>' => inside = false,
                            _ if !inside => out.push(ch),
                            _ => {}
                        }
                    }
                    out
                })
                .collect()
        })
        .collect()
}

/// The rows of the table `yingsu stats` prints, as words.
fn cli_rows(out: &str) -> Vec<Vec<String>> {
    out.lines()
        .skip_while(|l| !l.starts_with("类别"))
        .skip(1)
        .take_while(|l| !l.trim().is_empty())
        .map(|l| l.split_whitespace().map(str::to_string).collect())
        .collect()
}

fn words(rows: &[Vec<String>]) -> Vec<Vec<String>> {
    rows.iter()
        .map(|r| r.join(" ").split_whitespace().map(str::to_string).collect())
        .collect()
}

fn cli(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = common::run_env(dir, args, NOW, &[]);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    out
}

/// What changed in the workspace, leaving out the derived case and font index (a git-ignored
/// cache that reading the cases keeps up to date).
fn written(before: &BTreeMap<String, Vec<u8>>, dir: &Path) -> Vec<String> {
    changed(before, &common::snapshot(dir))
        .into_iter()
        .filter(|k| !k.starts_with(".yingsu/index/"))
        .collect()
}

#[test]
fn the_dashboard_filters_and_searches_the_open_cases() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let home = s.get("/").text();
    assert_eq!(listed(&home).len(), 12, "{home}");
    // Agencies are chosen by their names.
    assert!(
        home.contains("<option value=\"rsj\">重庆市渝北区人力资源和社会保障局</option>"),
        "{home}"
    );
    assert!(
        home.contains("<option value=\"appearance\">出庭应诉</option>"),
        "{home}"
    );
    // In the order yingsu.yaml lists them, not by id.
    let select = &home[home.find("<select name=\"agency\"").unwrap()..];
    let select = &select[..select.find("</select>").unwrap()];
    let ids: Vec<&str> = select
        .split("<option value=\"")
        .skip(2)
        .map(|o| &o[..o.find('"').unwrap()])
        .collect();
    assert_eq!(
        ids,
        [
            "qzf", "scjgj", "ghzrj", "zjw", "rsj", "sthjj", "lxjd", "mez"
        ]
    );

    assert_eq!(
        listed(&s.get("/?agency=rsj").text()),
        [
            "2023-渝0112行初38-整改",
            "ZG-2023Q2-rsj-floor",
            "ZG-2023Q1-rsj-zero"
        ]
    );
    assert_eq!(
        listed(&s.get("/?step=appearance").text()),
        ["2023-渝0112行初118", "2023-渝0112行初137"]
    );
    assert_eq!(
        listed(&s.get("/?workflow=proposal&year=2023").text()),
        ["JY-2023-017", "TA-2023-045"]
    );
    let none = s.get("/?year=2022").text();
    assert_eq!(listed(&none), Vec::<String>::new());
    assert!(none.contains("没有符合条件的未结案件。"), "{none}");
    assert!(
        s.get("/?year=20x")
            .text()
            .contains("年度 `20x` 无法识别，已列出全部年度：写成 2023 的形式")
    );

    // Search: a party, a 案号 (as the court writes it, or with half-width brackets), an
    // agency's full or short name.
    let q = |w: &str| listed(&s.get(&format!("/?q={}", enc(w))).text());
    assert_eq!(q("重庆某餐饮"), ["2023-渝0112行初118"]);
    assert_eq!(q("（2023）渝0112行初131号"), ["2023-渝0112行初131"]);
    assert_eq!(q("(2023)渝0112行初131号"), ["2023-渝0112行初131"]);
    assert_eq!(
        q("重庆市渝北区人力资源和社会保障局"),
        [
            "2023-渝0112行初38-整改",
            "ZG-2023Q2-rsj-floor",
            "ZG-2023Q1-rsj-zero"
        ]
    );
    assert_eq!(
        q("木耳镇"),
        ["2023-渝0112行初110-整改", "ZG-2023Q2-mez-zero"]
    );
    assert_eq!(q("没有这个人"), Vec::<String>::new());
    // Filters combine.
    assert_eq!(
        listed(&s.get(&format!("/?agency=rsj&q={}", enc("木耳镇"))).text()),
        Vec::<String>::new()
    );
}

#[test]
fn the_dashboard_shows_what_is_due_as_agenda_and_the_years_rates() {
    let (_tmp, dir) = demo();
    // A judgment without its effective date: the deadline waits for a start date.
    cli(
        &dir,
        &[
            "case",
            "advance",
            "2023-渝0112行初118",
            "judgment",
            "--set",
            "judgment_date=2023-06-01",
            "--set",
            "outcome=撤销",
        ],
    );
    let agenda = cli(&dir, &["agenda"]);
    assert!(
        agenda.contains(
            "【区市场监管局】\n待补充起算日期（1 件）：\n  1. 2023-渝0112行初118 报送败诉案件总结报告（裁判），待补充：生效日期，期限无法计算"
        ),
        "{agenda}"
    );
    let s = serve(&dir);
    let home = s.get("/").text();
    assert!(
        home.contains(&format!(
            "<h2>区市场监管局</h2>\n<ul class=\"agenda\">\n\n\n\n<li>待补充起算日期：<a href=\"/case/{}\">2023-渝0112行初118</a> 报送败诉案件总结报告（裁判，待补充：生效日期）</li>",
            enc("2023-渝0112行初118")
        )),
        "{home}"
    );
    assert!(
        home.contains(&format!(
            "<li class=\"overdue\">已逾期：<a href=\"/case/{}\">2023-渝0112行初38-整改</a> 报送整改报告（印发整改通知或专报，2023-04-14，逾期15个工作日）</li>",
            enc("2023-渝0112行初38-整改")
        )),
        "{home}"
    );

    // The year's figures per group: those of `yingsu stats`.
    let stats = cli(&dir, &["stats", "--period", "2023"]);
    let groups: Vec<Vec<String>> = cli_rows(&stats)
        .into_iter()
        .filter(|r| r[0] == "合计" || r[0] == "分组")
        .collect();
    assert_eq!(groups.len(), 3, "{stats}");
    assert_eq!(words(&table_rows(&home, "figures")), groups);
    assert!(
        home.contains("<h1>2023年度出庭应诉与败诉情况</h1>"),
        "{home}"
    );
    assert!(
        home.contains("<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"各分组负责人出庭应诉率\""),
        "{home}"
    );
    assert!(
        home.contains("<text x=\"164\" y=\"40\" text-anchor=\"end\">区政府部门、镇街</text>"),
        "{home}"
    );
    assert!(
        home.contains("<text x=\"441\" y=\"40\">70%</text>"),
        "{home}"
    );
}

#[test]
fn the_stats_page_gives_the_figures_of_yingsu_stats() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let cases: [(&str, Vec<&str>); 5] = [
        ("", vec!["stats"]),
        ("?period=2023", vec!["stats", "--period", "2023"]),
        ("?period=2023Q1", vec!["stats", "--period", "2023Q1"]),
        ("?period=2023-03", vec!["stats", "--month", "2023-03"]),
        (
            "?from=2023-02-01&to=2023-04-30",
            vec!["stats", "--from", "2023-02-01", "--to", "2023-04-30"],
        ),
    ];
    for (query, args) in cases {
        let out = cli(&dir, &args);
        let page = s.get(&format!("/stats{query}"));
        assert_eq!(page.status, 200);
        let html = page.text();
        let want = cli_rows(&out);
        assert!(want.len() > 3, "{out}");
        assert_eq!(words(&table_rows(&html, "figures")), want, "{query}");
        // The heading names the same period and comparison.
        let first = out.lines().next().unwrap();
        let label = first.split('（').next().unwrap();
        assert!(html.contains(&format!("<h1>{label}（")), "{html}");
    }
    let q1 = s.get("/stats?period=2023Q1").text();
    assert!(
        q1.contains("同比对照2022年第一季度（2022-01-01 至 2022-03-31）"),
        "{q1}"
    );
    assert!(q1.contains("aria-label=\"各单位负责人出庭应诉率\""), "{q1}");
    // Below the floor: red, and the floor's dashed line.
    assert!(
        q1.contains("<text x=\"164\" y=\"88\" text-anchor=\"end\">区住房城乡建委</text>\n<rect x=\"170\" y=\"76\" width=\"0\" height=\"16\" fill=\"#b00\"></rect>"),
        "{q1}"
    );
    assert!(q1.contains("stroke-dasharray=\"4 3\""), "{q1}");

    let bad = s.get("/stats?period=2023Q5").text();
    assert!(
        bad.contains("<p class=\"problem\">错误：统计期间 `2023Q5` 无法识别"),
        "{bad}"
    );
}

#[test]
fn check_lists_its_findings_and_opens_them_only_when_confirmed() {
    let (_tmp, dir) = demo();
    let s = serve(&dir);
    let _ = s.get("/check?period=2023Q2");
    let before = common::snapshot(&dir);
    let page = s.get("/check?period=2023Q2");
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains("<tr><td>出庭率为零（约谈）</td><td>重庆市渝北区人力资源和社会保障局</td><td>2023年第二季度，重庆市渝北区人力资源和社会保障局开庭审理的一审行政诉讼案件1件，行政机关负责人出庭应诉0件，出庭应诉率为0。另有1件尚未开庭，未计入。</td><td>未开启（ZG-2023Q2-rsj-zero）</td></tr>"),
        "{html}"
    );
    assert!(
        html.contains("<li><strong>ZG-2023Q2-rsj-zero</strong>　重庆市渝北区人力资源和社会保障局　出庭率为零（约谈）（整改通知书、约谈通知书）"),
        "{html}"
    );
    assert!(
        html.contains("<input type=\"hidden\" name=\"open\" value=\"ZG-2023Q2-rsj-zero\">"),
        "{html}"
    );
    // A year, as `check --period 2023` finds it: the same findings and the same count.
    let year = s.get("/check?period=2023").text();
    let cli_year = cli(&dir, &["check", "--period", "2023"]);
    let count = cli_year
        .lines()
        .find(|l| l.starts_with("共 "))
        .unwrap()
        .to_string();
    assert_eq!(
        count,
        "共 3 项，其中已有整改案件 1 项，本次开启 0 项，尚未开启 2 项。"
    );
    assert!(year.contains(&format!("<p>{count}</p>")), "{year}");
    assert_eq!(table_rows(&year, "findings").len(), 3);
    for row in table_rows(&year, "findings") {
        let line = cli_year
            .lines()
            .find(|l| l.starts_with(&row[0]) && l.contains(&row[2]))
            .unwrap_or_else(|| panic!("{row:?} not in {cli_year}"));
        assert!(line.ends_with(&row[3]), "{line} / {row:?}");
    }
    // What `check --open` lists, the page lists.
    let cli_open = cli(&dir, &["check", "--period", "2023Q2", "--open"]);
    assert!(
        cli_open.contains("将开启以下 1 个督查整改案件：\n  ZG-2023Q2-rsj-zero"),
        "{cli_open}"
    );
    assert_eq!(written(&before, &dir), Vec::<String>::new());

    // No token: refused, nothing opened.
    let no_token = s.post(
        "/check",
        &[("period", "2023Q2"), ("open", "ZG-2023Q2-rsj-zero")],
    );
    assert_eq!(no_token.status, 403);
    assert_eq!(written(&before, &dir), Vec::<String>::new());
    let token = s.token("/check?period=2023Q2");
    // Not the list the page showed: refused, nothing opened.
    let other = s.post(
        "/check",
        &[
            ("_csrf", &token),
            ("period", "2023Q2"),
            ("open", "ZG-2023Q2-zjw-floor"),
        ],
    );
    assert_eq!(other.status, 422);
    assert!(
        other.text().contains(
            "要开启的督查整改案件与页面上列出的不同（现在应开启：ZG-2023Q2-rsj-zero），本次没有开启任何案件"
        ),
        "{}",
        other.text()
    );
    assert_eq!(written(&before, &dir), Vec::<String>::new());

    // Confirmed: exactly the listed case is opened, with its notices.
    let done = s.post(
        "/check",
        &[
            ("_csrf", &token),
            ("period", "2023Q2"),
            ("open", "ZG-2023Q2-rsj-zero"),
            ("interview_time", "2023年5月15日上午9时"),
            ("interview_place", "区司法局三楼会议室"),
        ],
    );
    assert_eq!(done.status, 200);
    let html = done.text();
    assert!(
        html.contains(
            "已开启 1 个督查整改案件：<a href=\"/case/ZG-2023Q2-rsj-zero\">ZG-2023Q2-rsj-zero</a>。"
        ),
        "{html}"
    );
    assert!(
        html.contains(
            "<td>本次开启 <a href=\"/case/ZG-2023Q2-rsj-zero\">ZG-2023Q2-rsj-zero</a></td>"
        ),
        "{html}"
    );
    let new: Vec<String> = written(&before, &dir)
        .into_iter()
        .filter(|k| k.starts_with("cases/"))
        .collect();
    assert_eq!(new, ["cases/2023/ZG-2023Q2-rsj-zero.yaml"]);
    let case = std::fs::read_to_string(dir.join("cases/2023/ZG-2023Q2-rsj-zero.yaml")).unwrap();
    assert!(case.contains("区司法局三楼会议室"), "{case}");
    let again = cli(&dir, &["check", "--period", "2023Q2", "--open"]);
    assert!(again.contains("没有需要开启的督查整改案件。"), "{again}");
}

#[test]
fn a_report_is_previewed_as_a_draft_without_writing_then_issued() {
    let (_tmp, dir) = demo();
    let (_tmp2, twin) = demo();
    let s = serve(&dir);
    let path = "/report/bulletin?quarter=2023Q2&date=2023-07-05";
    let _ = s.get("/check");
    let before = common::snapshot(&dir);
    let page = s.get(path);
    assert_eq!(page.status, 200);
    let html = page.text();
    assert!(
        html.contains(
            "<h2>草稿：重庆市渝北区司法局关于2023年第二季度行政机关负责人出庭应诉情况的通报</h2>"
        ),
        "{html}"
    );
    assert!(
        html.contains("<img class=\"page\" src=\"data:image"),
        "{html}"
    );
    assert!(
        html.contains("确认后生成 archive&#x2f;reports&#x2f;2023&#x2f;bulletin-2023Q2.pdf。"),
        "{html}"
    );
    assert_eq!(written(&before, &dir), Vec::<String>::new());

    // Without the token nothing is issued.
    assert_eq!(
        s.post("/report/bulletin", &[("quarter", "2023Q2")]).status,
        403
    );
    assert_eq!(written(&before, &dir), Vec::<String>::new());

    // Confirmed: issued with its number, as `yingsu report bulletin` issues it.
    let token = s.token(path);
    let done = s.post(
        "/report/bulletin",
        &[
            ("_csrf", &token),
            ("quarter", "2023Q2"),
            ("issuer", "sfj"),
            ("date", "2023-07-05"),
        ],
    );
    assert_eq!(done.status, 200);
    let html = done.text();
    let out = cli(
        &twin,
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q2",
            "--date",
            "2023-07-05",
        ],
    );
    // 已生成《…》（渝北司发〔2023〕N号）：archive/reports/2023/bulletin-2023Q2.pdf
    let message = out.trim().replace('/', "&#x2f;");
    assert!(message.contains("号）："), "{out}");
    assert!(
        html.contains(&format!("<p class=\"notice\">{message}</p>")),
        "{html}"
    );
    let mut new = written(&before, &dir);
    new.retain(|k| k.starts_with("archive/reports/"));
    new.sort();
    assert_eq!(
        new,
        [
            "archive/reports/2023/bulletin-2023Q2.json",
            "archive/reports/2023/bulletin-2023Q2.pdf"
        ]
    );
    let rel = "archive/reports/2023/bulletin-2023Q2.pdf";
    assert_eq!(
        std::fs::read(dir.join(rel)).unwrap(),
        std::fs::read(twin.join(rel)).unwrap()
    );
    // The issued PDF opens in the browser, found by the library from the quarter alone.
    assert!(
        html.contains(
            "<a href=\"&#x2f;report&#x2f;bulletin&#x2f;pdf?quarter=2023Q2\">在浏览器中打开 PDF</a>"
        ),
        "{html}"
    );
    let pdf = s.get("/report/bulletin/pdf?quarter=2023Q2");
    assert_eq!(pdf.status, 200);
    assert_eq!(pdf.headers["content-type"], "application/pdf");
    assert_eq!(pdf.body, std::fs::read(dir.join(rel)).unwrap());
    let later = s.get("/report/bulletin/pdf?quarter=2023Q3");
    assert_eq!(later.status, 422);
    assert!(
        later
            .text()
            .contains("archive&#x2f;reports&#x2f;2023&#x2f;bulletin-2023Q3.pdf 尚未生成"),
        "{}",
        later.text()
    );
    let sneaky = s.get(&format!(
        "/report/monthly/pdf?agency={}&month=2023-04",
        enc("../../yingsu")
    ));
    assert_eq!(sneaky.status, 422);
    assert!(
        sneaky
            .text()
            .contains("单位 `..&#x2f;..&#x2f;yingsu` 不在 yingsu.yaml 的 agencies 中"),
        "{}",
        sneaky.text()
    );

    // The monthly return: a draft first, then the return.
    let path = "/report/monthly?agency=scjgj&month=2023-04&date=2023-05-08";
    let before = common::snapshot(&dir);
    let html = s.get(path).text();
    assert!(
        html.contains("<h2>草稿：2023年4月出庭应诉情况报送表</h2>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"scjgj\" selected>重庆市渝北区市场监督管理局</option>"),
        "{html}"
    );
    assert_eq!(written(&before, &dir), Vec::<String>::new());
    let done = s.post(
        "/report/monthly",
        &[
            ("_csrf", &token),
            ("agency", "scjgj"),
            ("month", "2023-04"),
            ("date", "2023-05-08"),
        ],
    );
    assert!(
        done.text().contains(
            "已生成《2023年4月出庭应诉情况报送表》：archive&#x2f;reports&#x2f;2023&#x2f;monthly-2023-04-scjgj.pdf"
        ),
        "{}",
        done.text()
    );
    let mut new = written(&before, &dir);
    new.sort();
    // Issued as one commit of the archive's history; nothing else written.
    let (git, new): (Vec<String>, Vec<String>) =
        new.into_iter().partition(|k| k.starts_with(".git/"));
    assert!(git.contains(&".git/refs/heads/main".to_string()), "{git:?}");
    assert_eq!(
        new,
        [
            "archive/reports/2023/monthly-2023-04-scjgj.json",
            "archive/reports/2023/monthly-2023-04-scjgj.pdf"
        ]
    );
}

fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .arg(&path)
        .arg("-")
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// The library calls behind the report pages: a draft marked “草稿”, one image per page, no
/// number, nothing written; whether the report was issued before.
#[test]
fn report_previews_are_drafts_that_take_no_number_and_write_nothing() {
    let (_tmp, dir) = demo();
    let ws = yingsu::workspace::Workspace::open(&dir).unwrap();
    let r = yingsu::pipeline::TypstRenderer::new();
    let day = chrono::NaiveDate::from_ymd_opt(2023, 7, 5).unwrap();
    let _ = yingsu::stats::Archive::load(&ws).unwrap();
    let before = common::snapshot(&dir);
    let p = yingsu::stats::bulletin_preview(&ws, &r, "2023Q2", "区政府各部门", None, day).unwrap();
    assert_eq!(
        p.title,
        "重庆市渝北区司法局关于2023年第二季度行政机关负责人出庭应诉情况的通报"
    );
    assert_eq!(p.file, "archive/reports/2023/bulletin-2023Q2.pdf");
    assert!(!p.issued);
    let text = pdf_text(&p.pdf);
    assert!(text.contains("草稿"), "{text}");
    assert!(!text.contains("〔2023〕"), "a draft took a number:\n{text}");
    assert_eq!(p.pages.len(), text.matches('\u{c}').count());
    assert!(p.pages.iter().all(|s| s.starts_with("<svg")));
    // The first quarter's bulletin was issued by the demo.
    let q1 = yingsu::stats::bulletin_preview(&ws, &r, "2023Q1", "区政府各部门", None, day).unwrap();
    assert!(q1.issued);
    let m = yingsu::stats::monthly_preview(&ws, &r, "scjgj", "2023-04", day).unwrap();
    assert_eq!(m.title, "2023年4月出庭应诉情况报送表");
    assert!(pdf_text(&m.pdf).contains("草稿"));
    let bad = yingsu::stats::monthly_preview(&ws, &r, "scjgj", "2023Q1", day).unwrap_err();
    assert_eq!(
        bad.to_string(),
        "错误：--month 的值 `2023Q1` 不是月份\n = 帮助：写成 2023-03 的形式\n"
    );
    assert_eq!(written(&before, &dir), Vec::<String>::new());
}

/// The library call behind the dashboard: the filters, the search and the case's year.
#[test]
fn the_board_chooses_open_cases_by_step_year_and_search() {
    use yingsu::listing::figures_and_rows;
    use yingsu::stats::board::{BoardFilter, board};
    let (_tmp, dir) = demo();
    let ws = yingsu::workspace::Workspace::open(&dir).unwrap();
    let today = chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap();
    let ids = |f: BoardFilter| -> Vec<String> {
        board(&ws, today, &f, figures_and_rows(&ws, today).unwrap())
            .unwrap()
            .cases
            .into_iter()
            .map(|c| c.row.id)
            .collect()
    };
    let all = board(
        &ws,
        today,
        &BoardFilter::default(),
        figures_and_rows(&ws, today).unwrap(),
    )
    .unwrap();
    assert_eq!(all.cases.len(), 12);
    assert_eq!(all.years, [2023]);
    assert_eq!(all.stats.period.label, "2023年度");
    let c131 = all
        .cases
        .iter()
        .find(|c| c.row.id == "2023-渝0112行初131")
        .unwrap();
    assert_eq!(c131.case_number.as_deref(), Some("（2023）渝0112行初131号"));
    assert_eq!(c131.year, Some(2023));
    assert_eq!(
        ids(BoardFilter {
            step: Some("notice".into()),
            ..Default::default()
        }),
        ["2023-渝0112行初131"]
    );
    assert_eq!(
        ids(BoardFilter {
            year: Some(2024),
            ..Default::default()
        }),
        Vec::<String>::new()
    );
    assert_eq!(
        ids(BoardFilter {
            query: Some("渝0112 行初131".into()),
            ..Default::default()
        }),
        ["2023-渝0112行初131"]
    );
    let rsj = board(
        &ws,
        today,
        &BoardFilter {
            agency: Some("rsj".into()),
            ..Default::default()
        },
        figures_and_rows(&ws, today).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = rsj
        .agenda
        .agencies
        .iter()
        .map(|a| a.name.as_str())
        .collect();
    assert_eq!(names, ["区人力社保局"]);
}
