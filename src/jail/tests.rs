//! Tests of the path checks and of reading inside the workspace.

use super::*;

fn message(e: Error) -> String {
    e.diagnostics()[0].message.clone()
}

fn help(e: Error) -> Option<String> {
    e.diagnostics()[0].help.clone()
}

fn recorded_err(p: &str) -> String {
    message(check_recorded_path("history[0].documents[0].file", p, "archive").unwrap_err())
}

#[test]
fn recorded_paths_under_archive_are_accepted() {
    let p = check_recorded_path(
        "history[0].documents[0].file",
        "archive/2023/ZG-2023-001/01-notice-notice.pdf",
        "archive",
    )
    .unwrap();
    assert_eq!(
        p,
        Path::new("archive")
            .join("2023")
            .join("ZG-2023-001")
            .join("01-notice-notice.pdf")
    );
    assert!(check_recorded_path("x", "archive/a.pdf", "archive/").is_ok());
}

#[test]
fn recorded_paths_that_leave_are_refused_with_the_reason() {
    let cases = [
        (
            "",
            "history[0].documents[0].file 记录的路径“”不可用：路径为空",
        ),
        (
            "/etc/passwd",
            "history[0].documents[0].file 记录的路径“/etc/passwd”不可用：是绝对路径，会指向工作区之外",
        ),
        (
            "archive/../../etc/passwd",
            "history[0].documents[0].file 记录的路径“archive/../../etc/passwd”不可用：含有“..”，会指向上级目录",
        ),
        (
            "C:/Windows/win.ini",
            "history[0].documents[0].file 记录的路径“C:/Windows/win.ini”不可用：以 Windows 盘符开头，会指向工作区之外",
        ),
        (
            "\\\\server\\share\\a.pdf",
            "history[0].documents[0].file 记录的路径“\\\\server\\share\\a.pdf”不可用：含有反斜杠“\\”（Windows 路径或 UNC 网络路径）；路径一律用“/”分隔",
        ),
        (
            "archive\\a.pdf",
            "history[0].documents[0].file 记录的路径“archive\\a.pdf”不可用：含有反斜杠“\\”（Windows 路径或 UNC 网络路径）；路径一律用“/”分隔",
        ),
        (
            "archive//a.pdf",
            "history[0].documents[0].file 记录的路径“archive//a.pdf”不可用：含有空的路径段（连续的“//”或以“/”结尾）",
        ),
        (
            "archive/2023/",
            "history[0].documents[0].file 记录的路径“archive/2023/”不可用：含有空的路径段（连续的“//”或以“/”结尾）",
        ),
        (
            "archive/./a.pdf",
            "history[0].documents[0].file 记录的路径“archive/./a.pdf”不可用：含有“.”路径段",
        ),
        (
            "archive/a\0.pdf",
            "history[0].documents[0].file 记录的路径“archive/a\\u{0000}.pdf”不可用：含有空字符（U+0000）",
        ),
        (
            "cases/a.yaml",
            "history[0].documents[0].file 记录的路径“cases/a.yaml”不可用：不在 archive/ 目录下",
        ),
        (
            "archive",
            "history[0].documents[0].file 记录的路径“archive”不可用：不在 archive/ 目录下",
        ),
        (
            "archives/a.pdf",
            "history[0].documents[0].file 记录的路径“archives/a.pdf”不可用：不在 archive/ 目录下",
        ),
        (
            "archive/con.pdf",
            "history[0].documents[0].file 记录的路径“archive/con.pdf”不可用：其中的“con.pdf”“con”是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），加上扩展名也不行",
        ),
        (
            "archive/2023./a.pdf",
            "history[0].documents[0].file 记录的路径“archive/2023./a.pdf”不可用：其中的“2023.”Windows 的文件名不能以点或空格结尾",
        ),
        (
            "archive/a:b.pdf",
            "history[0].documents[0].file 记录的路径“archive/a:b.pdf”不可用：其中的“a:b.pdf”含有字符“:”，Windows 的文件名不能含有 / \\ < > : \" | ? *",
        ),
        (
            "archive/a\u{202E}fdp.exe",
            "history[0].documents[0].file 记录的路径“archive/a\\u{202E}fdp.exe”不可用：其中的“a\\u{202E}fdp.exe”含有不可见的格式字符（U+202E），会改变文字的显示顺序或让名称看起来与实际不同",
        ),
    ];
    for (input, expected) in cases {
        assert_eq!(recorded_err(input), expected, "input {input:?}");
    }
    let e = check_recorded_path("x", "/etc/passwd", "archive").unwrap_err();
    assert_eq!(help(e).as_deref(), Some(RECORDED_HELP));
}

#[test]
fn windows_reserved_names_are_refused_in_any_case_and_with_any_extension() {
    for name in [
        "CON",
        "con",
        "Con.txt",
        "PRN",
        "aux.pdf",
        "NUL",
        "nul.tar.gz",
        "COM1",
        "com9.pdf",
        "LPT1",
        "lpt9",
        "COM¹",
        "CON .txt",
    ] {
        assert!(check_file_name("文件名", name).is_err(), "{name}");
    }
    for name in [
        "CONSOLE",
        "con-1.pdf",
        "COM10",
        "LPT0",
        "com0",
        "aux_",
        "contract.pdf",
        "NULL",
        "起诉状.pdf",
        ".yingsu-abc.tmp",
    ] {
        assert!(check_file_name("文件名", name).is_ok(), "{name}");
    }
    let e = check_file_name("案件编号", "NUL").unwrap_err();
    assert_eq!(
        e.diagnostics()[0].message,
        "案件编号 中的名称“NUL”不能用作文件名：“NUL”是 Windows 保留的设备名（CON、PRN、AUX、NUL、COM1–COM9、LPT1–LPT9），加上扩展名也不行"
    );
    assert_eq!(
        help(e).as_deref(),
        Some("改用由汉字、字母、数字、连字符“-”和下划线“_”组成的名称，末尾不要有点或空格")
    );
    assert_eq!(
        message(check_file_name("案件编号", "a ").unwrap_err()),
        "案件编号 中的名称“a ”不能用作文件名：Windows 的文件名不能以点或空格结尾"
    );
    assert_eq!(
        message(check_file_name("案件编号", "a\u{7}").unwrap_err()),
        "案件编号 中的名称“a\\u{0007}”不能用作文件名：含有控制字符（U+0007）"
    );
    assert_eq!(
        message(check_file_name("案件编号", "..").unwrap_err()),
        "案件编号 中的名称“..”不能用作文件名：“.”和“..”表示目录本身或上级目录"
    );
}

#[cfg(unix)]
fn workspace() -> (tempfile::TempDir, tempfile::TempDir) {
    use std::os::unix::fs::symlink;
    let ws = tempfile::tempdir().unwrap();
    let outside = tempfile::tempdir().unwrap();
    let root = ws.path();
    std::fs::create_dir_all(root.join("cases")).unwrap();
    std::fs::create_dir_all(root.join("archive/2023")).unwrap();
    std::fs::write(root.join("cases/a.yaml"), "id: a\n").unwrap();
    std::fs::write(outside.path().join("secret.txt"), "top secret\n").unwrap();
    symlink(root.join("cases/a.yaml"), root.join("cases/b.yaml")).unwrap();
    symlink("../archive", root.join("cases/arch")).unwrap();
    symlink(outside.path().join("secret.txt"), root.join("cases/c.yaml")).unwrap();
    symlink("/etc/passwd", root.join("cases/passwd.yaml")).unwrap();
    symlink(outside.path(), root.join("archive/out")).unwrap();
    symlink(root.join("nowhere"), root.join("archive/dangling.pdf")).unwrap();
    (ws, outside)
}

#[test]
#[cfg(unix)]
fn symlinks_inside_are_followed_and_symlinks_out_are_refused() {
    let (ws, outside) = workspace();
    let root = ws.path().canonicalize().unwrap();
    assert_eq!(
        resolve_inside(ws.path(), Path::new("cases/b.yaml")).unwrap(),
        root.join("cases/a.yaml")
    );
    // A path that does not exist yet, through a symlink that stays inside.
    assert_eq!(
        resolve_inside(ws.path(), Path::new("cases/arch/2023/new/01.pdf")).unwrap(),
        root.join("archive/2023/new/01.pdf")
    );
    assert_eq!(
        resolve_inside(ws.path(), Path::new("archive/2024/01.pdf")).unwrap(),
        root.join("archive/2024/01.pdf")
    );
    let out = outside.path().canonicalize().unwrap();
    let err = resolve_inside(ws.path(), Path::new("archive/out/new.pdf")).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "错误：路径“archive/out/new.pdf”经符号链接“archive/out”指向工作区之外（{}）\n = 帮助：删除该符号链接，或换成工作区内真实的文件或目录；工作区内的文件不能指向工作区之外\n",
            out.display()
        )
    );
    let err = resolve_inside(ws.path(), Path::new("archive/dangling.pdf")).unwrap_err();
    assert_eq!(
        err.to_string(),
        "错误：路径“archive/dangling.pdf”经过的符号链接“archive/dangling.pdf”指向不存在的位置\n = 帮助：删除该符号链接，或换成真实的文件或目录\n"
    );
    for bad in ["../x", "/etc/passwd", "cases/../../x"] {
        assert_eq!(
            resolve_inside(ws.path(), Path::new(bad))
                .unwrap_err()
                .diagnostics()[0]
                .message,
            format!("路径“{bad}”不在工作区内：不能是绝对路径，也不能含有“..”")
        );
    }
}

#[test]
#[cfg(unix)]
fn a_case_file_symlinked_out_is_refused_without_its_content() {
    let (ws, outside) = workspace();
    assert_eq!(
        read_to_string_inside(ws.path(), Path::new("cases/b.yaml"), 1 << 20).unwrap(),
        "id: a\n"
    );
    for link in ["cases/c.yaml", "cases/passwd.yaml"] {
        let err = read_inside(ws.path(), Path::new(link), 1 << 20).unwrap_err();
        let text = err.to_string();
        assert!(
            text.starts_with(&format!(
                "错误：路径“{link}”经符号链接“{link}”指向工作区之外（"
            )),
            "{text}"
        );
        assert!(
            !text.contains("top secret") && !text.contains("root:"),
            "{text}"
        );
        assert_eq!(err.exit_code(), 1);
    }
    let _ = outside;
    assert_eq!(
        read_inside(ws.path(), Path::new("cases"), 1 << 20)
            .unwrap_err()
            .to_string(),
        "错误：“cases”不是普通文件\n = 帮助：请检查路径是否正确：这里需要一个文件，不能是目录、管道或设备\n"
    );
    assert_eq!(
        read_inside(ws.path(), Path::new("cases/a.yaml"), 3)
            .unwrap_err()
            .to_string(),
        "错误：文件“cases/a.yaml”太大（6 字节，上限为 3 字节）\n = 帮助：请检查是否选错了文件\n"
    );
    std::fs::write(ws.path().join("cases/bin.yaml"), [0xff, 0xfe]).unwrap();
    assert_eq!(
        read_to_string_inside(ws.path(), Path::new("cases/bin.yaml"), 100)
            .unwrap_err()
            .to_string(),
        "错误：文件不是 UTF-8 编码的文本\n --> cases/bin.yaml\n  = 帮助：请用 UTF-8 编码保存该文件（记事本“另存为”时选择 UTF-8）\n"
    );
    let missing = read_inside(ws.path(), Path::new("cases/none.yaml"), 100).unwrap_err();
    assert_eq!(missing.exit_code(), 1);
}

#[test]
#[cfg(unix)]
fn a_fifo_is_refused_without_blocking() {
    let ws = tempfile::tempdir().unwrap();
    let fifo = ws.path().join("case.yaml");
    let status = std::process::Command::new("mkfifo").arg(&fifo).status();
    if !status.is_ok_and(|s| s.success()) {
        return; // No mkfifo on this system.
    }
    assert_eq!(
        read_inside(ws.path(), Path::new("case.yaml"), 100)
            .unwrap_err()
            .diagnostics()[0]
            .message,
        "“case.yaml”不是普通文件"
    );
}
