//! `render` shows its progress on a terminal (a line of stderr rewritten in place: documents
//! made, of how many, time used and left) and adds nothing when its output is not a terminal.

use std::path::Path;
use std::process::Command;

const NOTICE: &str = "case_number: (2023)渝0112行初123号\ncourt: ybfy\ncause: 行政处罚\nlevel: 一审\nplaintiffs: [\"某公司\"]\nagency: scjgj\nnotice_date: 2023-04-20\nhead_required: true\nhearing_date: 2023-05-08\nhearing_time: 上午9时30分\nhearing_place: 区法院第三审判庭\nhead_name: 李某某\nhead_post: 局长\n";

fn command(dir: &Path, program: &str) -> Command {
    let mut c = Command::new(program);
    c.current_dir(dir)
        .env("YINGSU_NOW", "2023-04-20T09:00:00+08:00")
        .env("YINGSU_USER", "测试员")
        .env("YINGSU_SYSTEM_FONTS", "0");
    c
}

#[test]
fn render_shows_progress_only_on_a_terminal() {
    let exe = env!("CARGO_BIN_EXE_yingsu");
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    assert!(
        command(p, exe)
            .args(["init", "."])
            .status()
            .unwrap()
            .success()
    );
    std::fs::write(p.join("notice.yaml"), NOTICE).unwrap();
    let made = command(p, exe)
        .args(["case", "new", "appearance", "A1", "--from", "notice.yaml"])
        .status()
        .unwrap();
    assert!(made.success());

    // Not a terminal: the results only.
    let plain = command(p, exe).args(["render", "--all"]).output().unwrap();
    assert!(plain.status.success());
    assert_eq!(String::from_utf8_lossy(&plain.stderr), "");
    assert_eq!(
        String::from_utf8_lossy(&plain.stdout),
        "不变 archive/2023/A1/01-notice-tishihan.pdf  出庭应诉提示函\n共 1 份文书，更新 0 份。\n"
    );

    // On a terminal (util-linux `script` gives the command one): the progress line, cleared
    // before the results. (Without the render index, so that the document is typeset again.)
    std::fs::remove_dir_all(p.join(".yingsu/index")).unwrap();
    let shown = command(p, "script")
        .args(["-qec", &format!("{exe} render --all"), "/dev/null"])
        .output()
        .expect("script (util-linux; on Debian in bsdutils or bsdextrautils, installed by .ci/run) runs a command on a terminal");
    assert!(shown.status.success());
    let screen = String::from_utf8_lossy(&shown.stdout);
    let expected = regex::Regex::new(
        "^\r\x1b\\[2K正在生成文书 1/1（100%），已用 \\d+ 秒\r\x1b\\[2K不变 archive/2023/A1/01-notice-tishihan.pdf  出庭应诉提示函\r\n共 1 份文书，更新 0 份。\r\n$",
    )
    .unwrap();
    assert!(expected.is_match(&screen), "{screen:?}");
}
