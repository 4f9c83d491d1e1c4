//! The command line as an office PC sees it: clap's texts and errors in Chinese, shell
//! completions and the man page, CSV with a byte order mark, Excel workbooks written and read.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use calamine::{Data, Reader, Xlsx, open_workbook};

const NOW: &str = "2023-06-30T09:00:00+08:00";

/// Run the binary in `dir`: exit code, stdout (bytes), stderr.
fn run(dir: &Path, args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_yingsu"))
        .current_dir(dir)
        .env("YINGSU_NOW", NOW)
        .env("YINGSU_USER", "测试员")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// stdout of a command that must succeed.
fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = run(dir, args);
    let out = String::from_utf8(out).unwrap();
    assert_eq!(code, 0, "yingsu {args:?}:\n{out}\n{err}");
    out
}

/// A usage error: exit code 1, nothing on stdout, the message on stderr.
fn usage_error(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = run(dir.path(), args);
    assert_eq!(code, 1, "yingsu {args:?}:\n{err}");
    assert!(out.is_empty(), "{}", String::from_utf8_lossy(&out));
    err
}

/// The demo workspace, built once for this file's tests (read only).
fn demo() -> &'static Path {
    static DEMO: OnceLock<PathBuf> = OnceLock::new();
    DEMO.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli_zh-demo");
        ok(
            Path::new(env!("CARGO_TARGET_TMPDIR")),
            &["demo", dir.to_str().unwrap()],
        );
        dir
    })
}

#[test]
fn a_mistyped_command_is_answered_in_chinese_with_a_suggestion() {
    assert_eq!(
        usage_error(&["case", "advnce", "X1", "notice"]),
        "错误：没有 `advnce` 这个命令\n = 帮助：您是不是要输入 advance？\n\n用法：yingsu case [选项] <命令>\n运行 `yingsu case --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["stauts"]),
        "错误：没有 `stauts` 这个命令\n = 帮助：您是不是要输入 status 或 stats？\n\n用法：yingsu [选项] <命令>\n运行 `yingsu --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["frobnicate"]),
        "错误：没有 `frobnicate` 这个命令\n\n用法：yingsu [选项] <命令>\n运行 `yingsu --help` 查看说明。\n"
    );
}

#[test]
fn a_mistyped_option_is_answered_in_chinese_with_a_suggestion() {
    assert_eq!(
        usage_error(&["stats", "--jsn"]),
        "错误：没有 `--jsn` 这个选项\n = 帮助：您是不是要输入 --json？\n\n用法：yingsu stats [选项]\n运行 `yingsu stats --help` 查看说明。\n"
    );
    // Too far from any option to be a typo (clap's similarity, as for `--jsn`): no suggestion.
    assert_eq!(
        usage_error(&["status", "--fomat"]),
        "错误：没有 `--fomat` 这个选项\n\n用法：yingsu status [选项]\n运行 `yingsu status --help` 查看说明。\n"
    );
}

#[test]
fn other_usage_errors_in_chinese() {
    assert_eq!(
        usage_error(&["case", "show"]),
        "错误：缺少必填的参数：<案件编号>\n\n用法：yingsu case show [选项] <案件编号>\n运行 `yingsu case show --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["completions", "cmd"]),
        "错误：`cmd` 不是 <命令行> 可用的值\n = 帮助：可选的值：bash、zsh、fish、powershell\n\n用法：yingsu completions [选项] <命令行>\n运行 `yingsu completions --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["completions", "bsh"]),
        "错误：`bsh` 不是 <命令行> 可用的值\n = 帮助：您是不是要输入 bash？\n = 帮助：可选的值：bash、zsh、fish、powershell\n\n用法：yingsu completions [选项] <命令行>\n运行 `yingsu completions --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["status", "--due", "七"]),
        "错误：--due <N> 的值 `七` 无效：应填写整数\n\n用法：yingsu status [选项]\n运行 `yingsu status --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["stats", "--json", "--csv"]),
        "错误：--json 不能与 --csv 同时使用\n\n用法：yingsu stats [选项]\n运行 `yingsu stats --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["stats", "--year", "2022", "--year", "2023"]),
        "错误：--year <年> 只能使用一次\n\n用法：yingsu stats [选项]\n运行 `yingsu stats --help` 查看说明。\n"
    );
    assert_eq!(
        usage_error(&["validate", "多余"]),
        "错误：多余的参数 `多余`\n\n用法：yingsu validate [选项]\n运行 `yingsu validate --help` 查看说明。\n"
    );
    // Without a command: the help, on stderr.
    let err = usage_error(&[]);
    assert!(err.contains("用法：yingsu [选项] <命令>\n"), "{err}");
    assert!(err.contains("\n命令：\n"), "{err}");
    let err = usage_error(&["case"]);
    assert!(err.contains("用法：yingsu case [选项] <命令>\n"), "{err}");
}

/// clap's English that must never reach a user.
const ENGLISH: &[&str] = &[
    "Usage",
    "Options",
    "Arguments",
    "Commands",
    "Print help",
    "Print version",
    "error:",
    "[default:",
    "[possible values",
    "[OPTIONS]",
    "<COMMAND>",
];

/// The subcommands a help lists under 命令：.
fn listed_commands(help: &str) -> Vec<String> {
    let Some((_, rest)) = help.split_once("\n命令：\n") else {
        return Vec::new();
    };
    rest.lines()
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect()
}

#[test]
fn the_help_of_every_command_is_chinese() {
    let dir = tempfile::tempdir().unwrap();
    let mut todo: Vec<Vec<String>> = vec![vec![]];
    let mut seen = 0;
    while let Some(path) = todo.pop() {
        seen += 1;
        for flag in ["-h", "--help"] {
            let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
            args.push(flag);
            let help = ok(dir.path(), &args);
            for e in ENGLISH {
                assert!(!help.contains(e), "{args:?}: {e}\n{help}");
            }
            assert!(help.contains("  -h, --help"), "{help}");
            assert!(help.contains("显示帮助"), "{help}");
            if flag == "--help" {
                for c in listed_commands(&help) {
                    let mut p = path.clone();
                    p.push(c);
                    todo.push(p);
                }
            }
        }
    }
    assert!(seen >= 20, "{seen} commands");
    assert_eq!(
        ok(dir.path(), &["--version"]),
        format!("yingsu {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let script = ok(dir.path(), &["completions", shell]);
        assert!(!script.is_empty(), "{shell}");
        assert!(script.contains("advance"), "{shell}:\n{script}");
        assert!(script.contains("reconcile"), "{shell}");
    }
    let man = ok(dir.path(), &["man"]);
    assert!(man.starts_with(".TH"), "{man}");
    assert!(man.contains("\n.SH 名称\n"), "{man}");
    assert!(man.contains("\n.SH 命令\n"), "{man}");
    for e in [".SH NAME", ".SH SYNOPSIS", "[default:", "Print help"] {
        assert!(!man.contains(e), "{e}\n{man}");
    }
}

#[test]
fn stats_csv_starts_with_a_byte_order_mark() {
    let (code, out, err) = run(demo(), &["stats", "--year", "2023", "--csv"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(&out[..3], &[0xEF, 0xBB, 0xBF]);
    let text = String::from_utf8(out[3..].to_vec()).unwrap();
    assert!(text.starts_with("类别,编号,名称,口径,"), "{text}");
    assert!(!text.contains('\u{feff}'));
}

/// The cells of a workbook's sheets, by sheet name.
fn sheets(file: &Path) -> Vec<(String, calamine::Range<Data>)> {
    let mut book: Xlsx<_> = open_workbook(file).unwrap();
    let names = book.sheet_names();
    names
        .into_iter()
        .map(|n| {
            let r = book.worksheet_range(&n).unwrap();
            (n, r)
        })
        .collect()
}

fn text(d: &Data) -> String {
    match d {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => panic!("not text: {other:?}"),
    }
}

#[test]
fn stats_to_excel() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("2023年统计.xlsx");
    let json: serde_json::Value =
        serde_json::from_str(&ok(demo(), &["stats", "--year", "2023", "--json"])).unwrap();
    let said = ok(
        demo(),
        &["stats", "--year", "2023", "--xlsx", file.to_str().unwrap()],
    );
    let rows = json["rows"].as_array().unwrap();
    assert!(
        said.starts_with(&format!(
            "已写入 Excel 文件 {}（{} 行）。\n",
            file.display(),
            rows.len()
        )),
        "{said}"
    );
    let book = sheets(&file);
    assert_eq!(book.len(), 1);
    let (name, range) = &book[0];
    assert_eq!(name, "出庭应诉统计");
    assert_eq!(range.height(), rows.len() + 1);
    let header: Vec<String> = range.rows().next().unwrap().iter().map(text).collect();
    assert_eq!(header[..4], ["类别", "编号", "名称", "口径"]);
    assert_eq!(header[10], "出庭率");
    let total = range.rows().nth(1).unwrap();
    assert_eq!(text(&total[0]), "合计");
    let r = &rows[0];
    assert_eq!(total[4], Data::Float(r["notices"].as_f64().unwrap()));
    assert_eq!(total[9], Data::Float(r["appeared"].as_f64().unwrap()));
    // 15 of 19 appeared: 78.9%, stored as the number 0.789; 9 of 18 lost: 0.5 (the appealed
    // lawsuit counts once, concluded by its second instance's 驳回诉讼请求).
    assert_eq!(
        (r["appeared"].as_u64(), r["counted"].as_u64()),
        (Some(15), Some(19))
    );
    assert_eq!(r["rate"], "78.9");
    assert_eq!(total[10], Data::Float(0.789));
    assert_eq!(total[16], Data::Float(0.5));
    // Every printed rate is a number with the percent format, e.g. 94.1 → 0.941.
    let mut book: Xlsx<_> = open_workbook(&file).unwrap();
    let styles = book.worksheet_style("出庭应诉统计").unwrap();
    assert!(
        styles
            .get((0, 0))
            .and_then(|s| s.font.as_ref())
            .is_some_and(|f| f.is_bold())
    );
    assert_eq!(
        styles
            .get((1, 10))
            .and_then(|s| s.number_format.as_ref())
            .map(|f| f.format_code.as_str()),
        Some("0.0%")
    );
    for (i, row) in rows.iter().enumerate() {
        let cell = &range.rows().nth(i + 1).unwrap()[10];
        match row["rate"].as_str() {
            Some(s) => {
                assert_eq!(
                    *cell,
                    Data::Float(format!("{s}e-2").parse().unwrap()),
                    "{s}"
                )
            }
            None => assert_eq!(*cell, Data::Empty),
        }
    }
}

#[test]
fn status_and_check_to_excel() {
    let out = tempfile::tempdir().unwrap();
    let file = out.path().join("案件.xlsx");
    let said = ok(demo(), &["status", "--xlsx", file.to_str().unwrap()]);
    let json: serde_json::Value = serde_json::from_str(&ok(demo(), &["status", "--json"])).unwrap();
    let n = json.as_array().unwrap().len();
    assert!(
        said.starts_with(&format!(
            "已写入 Excel 文件 {}（{n} 件）。\n",
            file.display()
        )),
        "{said}"
    );
    let book = sheets(&file);
    assert_eq!(book.len(), 1);
    assert_eq!(book[0].0, "案件");
    assert_eq!(book[0].1.height(), n + 1);
    let header: Vec<String> = book[0].1.rows().next().unwrap().iter().map(text).collect();
    assert_eq!(
        header,
        [
            "案件编号",
            "流程",
            "当前步骤",
            "单位",
            "期限",
            "剩余",
            "状态"
        ]
    );
    assert_eq!(
        text(&book[0].1.rows().nth(1).unwrap()[0]),
        json[0]["id"].as_str().unwrap()
    );

    let file = out.path().join("检查.xlsx");
    let json: serde_json::Value =
        serde_json::from_str(&ok(demo(), &["check", "--period", "2023Q1", "--json"])).unwrap();
    ok(
        demo(),
        &[
            "check",
            "--period",
            "2023Q1",
            "--xlsx",
            file.to_str().unwrap(),
        ],
    );
    let book = sheets(&file);
    let names: Vec<&str> = book.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["考核检查", "缺少起算日期"]);
    assert_eq!(
        book[0].1.height(),
        json["breaches"].as_array().unwrap().len() + 1
    );
    assert_eq!(
        book[1].1.height(),
        json["missing_deadline_starts"].as_array().unwrap().len() + 1
    );
}

/// A case number of the demo and its notice date, from its case file.
fn a_demo_case_number() -> String {
    for e in walk(&demo().join("cases")) {
        let text = std::fs::read_to_string(&e).unwrap();
        if let Some(line) = text
            .lines()
            .find(|l| l.trim_start().starts_with("case_number:"))
        {
            let v = line.split_once(':').unwrap().1.trim().trim_matches('"');
            if v.contains("行初") {
                return v.to_string();
            }
        }
    }
    panic!("no case number in the demo");
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            out.extend(walk(&p));
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
    out
}

#[test]
fn reconcile_reads_an_excel_list_like_the_csv() {
    let number = a_demo_case_number();
    let out = tempfile::tempdir().unwrap();
    let csv = out.path().join("法院清单.csv");
    std::fs::write(
        &csv,
        format!(
            "\u{feff}案号,收到通知日期,开庭日期,负责人是否出庭\n{number},2023-04-20,2023-05-08,是\n(2023)渝0112行初999号,2023-05-04,,\n(2023)渝0112行初998号,2023年5月6日,2023-02-30,否\n"
        ),
    )
    .unwrap();
    // The same list as a workbook: dates as Excel date cells, one as text as typed.
    let xlsx = out.path().join("法院清单.xlsx");
    {
        use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
        let mut book = Workbook::new();
        let ws = book.add_worksheet();
        let date = Format::new().set_num_format("yyyy-mm-dd");
        let d = |y, m, d| ExcelDateTime::from_ymd(y, m, d).unwrap();
        for (c, h) in ["案号", "收到通知日期", "开庭日期", "负责人是否出庭"]
            .iter()
            .enumerate()
        {
            ws.write_string(0, c as u16, *h).unwrap();
        }
        ws.write_string(1, 0, &number).unwrap();
        ws.write_datetime_with_format(1, 1, d(2023, 4, 20), &date)
            .unwrap();
        ws.write_datetime_with_format(1, 2, d(2023, 5, 8), &date)
            .unwrap();
        ws.write_string(1, 3, "是").unwrap();
        ws.write_string(2, 0, "(2023)渝0112行初999号").unwrap();
        ws.write_datetime_with_format(2, 1, d(2023, 5, 4), &date)
            .unwrap();
        ws.write_string(3, 0, "(2023)渝0112行初998号").unwrap();
        ws.write_string(3, 1, "2023年5月6日").unwrap();
        ws.write_string(3, 2, "2023-02-30").unwrap();
        ws.write_string(3, 3, "否").unwrap();
        book.save(&xlsx).unwrap();
    }
    let (code_csv, out_csv, err_csv) = run(
        demo(),
        &[
            "reconcile",
            csv.to_str().unwrap(),
            "--period",
            "2023Q2",
            "--json",
        ],
    );
    let (code_x, out_x, err_x) = run(
        demo(),
        &[
            "reconcile",
            xlsx.to_str().unwrap(),
            "--period",
            "2023Q2",
            "--json",
        ],
    );
    assert_eq!(code_csv, 1, "{err_csv}");
    assert_eq!(code_x, 1, "{err_x}");
    assert_eq!(
        String::from_utf8(out_x.clone()).unwrap(),
        String::from_utf8(out_csv).unwrap()
    );
    assert_eq!(err_x, err_csv);
    let json: serde_json::Value = serde_json::from_slice(&out_x).unwrap();
    assert_eq!(json["rows"], 2, "{json}");
    assert_eq!(
        json["bad_rows"],
        serde_json::json!([{"line": 4, "message": "开庭日期 `2023-02-30` 无效：2023 年 2 月没有 30 日"}])
    );
    assert!(
        json["differences"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["case_number"] == "(2023)渝0112行初999号" && d["kind"] == "档案中没有"),
        "{json}"
    );
}

#[test]
fn reconcile_refuses_a_file_that_is_not_a_workbook() {
    let out = tempfile::tempdir().unwrap();
    let bad = out.path().join("清单.xlsx");
    std::fs::write(&bad, "案号,收到通知日期\n").unwrap();
    let (code, _, err) = run(demo(), &["reconcile", bad.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert_eq!(
        err,
        format!(
            "错误：无法读取法院清单：不是有效的 Excel 工作簿（.xlsx）\n --> {}\n  = 帮助：请在 Excel 中打开后“另存为 → Excel 工作簿（*.xlsx）”，或另存为 CSV UTF-8（逗号分隔）\n",
            bad.display()
        )
    );
}

#[test]
fn a_mistyped_agency_or_workflow_is_suggested() {
    let (code, _, err) = run(demo(), &["status", "--agency", "scjgjj"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：--agency 的单位 `scjgjj` 不在 yingsu.yaml 的 agencies 中\n = 帮助：您是不是要输入 scjgj？可用的单位：ghzrj、lxjd、mez、qzf、rsj、scjgj、sthjj、zjw\n"
    );
    assert_eq!(
        usage_error(&["workflow", "show", "apperance"]),
        "错误：没有名为 `apperance` 的流程\n = 帮助：您是不是要输入 appearance？可用的内置流程：appearance、proposal、rectification\n"
    );
}

/// The facts a case's first history entry records, as its YAML text.
fn first_facts(dir: &Path, id: &str) -> String {
    let text = std::fs::read_to_string(dir.join(format!("cases/2023/{id}.yaml"))).unwrap();
    let start = text.find("    facts:\n").unwrap();
    let end = text.find("    documents:").unwrap();
    text[start..end].to_string()
}

#[test]
fn a_court_notice_is_recorded_with_chinese_labels_and_names() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    ok(tmp.path(), &["demo", dir.to_str().unwrap()]);
    let by_key = [
        "case_number=(2023)渝0112行初777号",
        "court=ybfy",
        "agency=scjgj",
        "head_required=true",
        "hearing_date=2023-05-08",
    ];
    // What the three notices share, given once (by label: both ways are read alike).
    let rest = [
        "案由=行政处罚",
        "原告=重庆某食品有限公司",
        "收到通知日期=2023-04-20",
        "开庭地点=区法院第三审判庭",
        "出庭负责人姓名=李某某",
        "出庭负责人职务=局长",
    ];
    let mut args = vec!["case", "new", "appearance", "K-1"];
    for s in by_key.iter().chain(&rest) {
        args.extend(["--set", s]);
    }
    ok(&dir, &args);
    // The same notice in the words a clerk reads on screen: labels, the court's full name, the
    // agency's short name, 是.
    let by_label = [
        "案号=(2023)渝0112行初778号",
        "审理法院=重庆市渝北区人民法院",
        "被诉单位=区市场监管局",
        "法院通知负责人出庭=是",
        "开庭日期=2023-05-08",
    ];
    let mut args = vec!["case", "new", "appearance", "K-2"];
    for s in by_label.iter().chain(&rest) {
        args.extend(["--set", s]);
    }
    ok(&dir, &args);
    let from = tmp.path().join("notice.yaml");
    std::fs::write(
        &from,
        "案号: (2023)渝0112行初779号\n审理法院: 重庆市渝北区人民法院\n被诉单位: 重庆市渝北区市场监督管理局\n法院通知负责人出庭: 是\n开庭日期: 2023-05-08\n",
    )
    .unwrap();
    let mut args = vec![
        "case",
        "new",
        "appearance",
        "K-3",
        "--from",
        from.to_str().unwrap(),
    ];
    for s in &rest {
        args.extend(["--set", s]);
    }
    ok(&dir, &args);
    let expected = |n: u32| {
        format!(
            "    facts:\n      agency: scjgj\n      case_number: （2023）渝0112行初{n}号\n      cause: 行政处罚\n      court: ybfy\n      head_name: 李某某\n      head_post: 局长\n      head_required: true\n      hearing_date: 2023-05-08\n      hearing_place: 区法院第三审判庭\n      level: 一审\n      notice_date: 2023-04-20\n      plaintiffs: [重庆某食品有限公司]\n"
        )
    };
    assert_eq!(first_facts(&dir, "K-1"), expected(777));
    assert_eq!(first_facts(&dir, "K-2"), expected(778));
    assert_eq!(first_facts(&dir, "K-3"), expected(779));

    // A name that is no agency's is refused with every agency's name beside its id.
    let (code, _, err) = run(
        &dir,
        &[
            "case",
            "new",
            "appearance",
            "K-4",
            "--set",
            "被诉单位=某某局",
        ],
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "错误：字段 `agency`（被诉单位）的值 `某某局` 不是 yingsu.yaml 中 agencies 下的名称或编号\n = 帮助：可填写名称或编号：重庆市渝北区规划和自然资源局（ghzrj）、"
        ),
        "{err}"
    );
    // A mistyped label is answered with the label meant.
    let (code, _, err) = run(
        &dir,
        &["case", "new", "appearance", "K-4", "--set", "受理法院=ybfy"],
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with(
            "错误：流程 `appearance` 没有字段 `受理法院`\n = 帮助：您是不是要输入 审理法院？可用的字段（中文名或字段名均可）：案号（case_number）、审理法院（court）、"
        ),
        "{err}"
    );
    assert!(!dir.join("cases/2023/K-4.yaml").exists());
}

#[test]
fn the_fields_of_a_workflow_are_listed_with_labels_types_and_choices() {
    let tmp = tempfile::tempdir().unwrap();
    let out = ok(tmp.path(), &["workflow", "show", "appearance", "--fields"]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[..8],
        [
            "流程 appearance（出庭应诉）的字段：",
            "  案号（case_number）  案号，必填",
            "      如（2023）渝0112行初123号；半角括号、多余空格会自动规范",
            "  审理法院（court）  文本，必填",
            "      取自 yingsu.yaml 的法院（courts）：写全称、简称或编号",
            "      法院全称或 yingsu.yaml 中 courts 下的编号",
            "  案由（cause）  文本，必填",
            "      如 行政处罚、行政强制、政府信息公开",
        ]
    );
    assert!(out.contains(
        "  不能出庭事由（absence_reason）  选项，视情况必填（not hearing_adjourned and not head_appeared）\n      可选：不可抗力、意外事件、需要履行他人不能代替的公务、其他正当事由、无正当理由\n"
    ), "{out}");
    assert!(
        out.ends_with("\n填写时用中文名或字段名均可，例如 --set 案号=…\n"),
        "{out}"
    );
}
