//! Names that become file names work on Windows too: through the CLI, a case id Windows reserves
//! (`CON`, `NUL` …) or cannot create (a trailing dot, `<>:"|?*`) is refused in Chinese, and so
//! are agency ids and number prefixes of `yingsu.yaml` that would make such file names.

mod common;

use std::path::Path;

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_env(dir, args, "2023-04-20T09:00:00+08:00", &[])
}

const NOTICE: &str = "case_number: (2023)渝0112行初123号\ncourt: ybfy\ncause: 行政处罚\nlevel: 一审\nplaintiffs: [\"某公司\"]\nagency: scjgj\nnotice_date: 2023-04-20\nhead_required: true\nhearing_date: 2023-05-08\nhearing_time: 上午9时30分\nhearing_place: 区法院第三审判庭\nhead_name: 李某某\nhead_post: 局长\n";

fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(yingsu(dir.path(), &["init", "."]).0, 0);
    std::fs::write(dir.path().join("notice.yaml"), NOTICE).unwrap();
    dir
}

const RESERVED: &str = "是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），加上扩展名也不行\n = 帮助：改用由汉字、字母、数字、连字符“-”和下划线“_”组成的名称，末尾不要有点或空格\n";
const ID_HELP: &str = " = 帮助：案件编号只能包含汉字、英文字母、数字、连字符“-”和下划线“_”，例如 2023-行初-123 或 ZG-2023-001\n";

#[test]
fn windows_device_names_and_characters_are_not_case_ids() {
    let dir = workspace();
    for (id, expected) in [
        (
            "CON",
            format!("错误：案件编号 中的名称“CON”不能用作文件名：“CON”{RESERVED}"),
        ),
        (
            "nul",
            format!("错误：案件编号 中的名称“nul”不能用作文件名：“nul”{RESERVED}"),
        ),
        (
            "COM1",
            format!("错误：案件编号 中的名称“COM1”不能用作文件名：“COM1”{RESERVED}"),
        ),
        (
            "aux.txt",
            format!("错误：案件编号 `aux.txt` 含有不允许的字符 `.`\n{ID_HELP}"),
        ),
        (
            "a.",
            format!("错误：案件编号 `a.` 含有不允许的字符 `.`\n{ID_HELP}"),
        ),
        (
            "a ",
            format!("错误：案件编号 `a ` 含有不允许的字符 ` `\n{ID_HELP}"),
        ),
        (
            "a<b",
            format!("错误：案件编号 `a<b` 含有不允许的字符 `<`\n{ID_HELP}"),
        ),
        (
            "a:b",
            format!("错误：案件编号 `a:b` 含有不允许的字符 `:`\n{ID_HELP}"),
        ),
    ] {
        let (code, out, err) = yingsu(
            dir.path(),
            &["case", "new", "appearance", id, "--from", "notice.yaml"],
        );
        assert_eq!(
            (code, out.as_str(), err.as_str()),
            (1, "", expected.as_str()),
            "{id}"
        );
    }
    // Nothing was written for any of them.
    let cases: Vec<_> = std::fs::read_dir(dir.path().join("cases"))
        .unwrap()
        .collect();
    assert!(cases.is_empty(), "{cases:?}");
}

#[test]
fn names_of_the_configuration_that_make_file_names_are_checked() {
    let dir = workspace();
    let cfg = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    assert!(text.contains("    prefix: 渝北市监函\n"));
    std::fs::write(
        &cfg,
        text.replace("    prefix: 渝北市监函\n", "    prefix: \"渝北/市监函\"\n"),
    )
    .unwrap();
    let (code, _, err) = yingsu(dir.path(), &["validate"]);
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：发文机关 `scjgj` 的文号代字 `渝北/市监函` 会成为文件名的一部分，但不能用作文件名：含有字符“/”，Windows 的文件名不能含有 / \\ < > : \" | ? *\n --> yingsu.yaml\n  = 帮助：改用由汉字、字母、数字、连字符“-”和下划线“_”组成的名称\n"
    );
}
