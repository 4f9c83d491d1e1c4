//! The workbench benchmarks' workspace: a copy of the demo with proposal TA-2023-045 drafted
//! (most of the prose of TA-2023-003: its 提案答复函 has two full pages) and signed, ready for its
//! 答复 step, whose preview is the two-page letter.

#![allow(dead_code)]

use super::http::yingsu;

pub const NOW: &str = "2023-07-10T09:00:00+08:00";
pub const CASE: &str = "TA-2023-045";

/// The 拟稿 of TA-2023-003 shortened until its letter fills two pages (a background
/// paragraph, a work section and a next step fewer), given to TA-2023-045.
pub const DRAFT: &str = r#"background: ["近年来，渝北区高度重视行政机关负责人出庭应诉工作，把健全完善行政机关负责人出庭应诉制度作为推动法治政府建设的有效抓手，加强指导，强化考核，督促行政机关负责人出庭应诉，推动行政争议实质性化解。", "2022年度，以区政府为被告的行政诉讼案件，人民法院发出负责人出庭应诉通知26件，区政府负责人出庭应诉26件，出庭应诉率100%，较上年增加38.1个百分点。2022年已审结的一审案件中，行政机关败诉0件。"]
work: ["加强指导监督，落实应诉责任：严格落实《最高人民法院关于行政机关负责人出庭应诉若干问题的规定》等文件要求，从行政机关负责人的人员身份、出庭应诉的适用范围、出庭工作要求、责任追究等方面加强督导，要求各行政机关负责人出庭应诉“应出尽出”。"]
next_steps: ["进一步完善行政机关负责人出庭应诉相关制度：加快修订《重庆市渝北区行政机关负责人出庭应诉工作规定》，健全行政诉讼案件庭审旁听制度。", "进一步推动行政争议实质性化解：依托渝北区行政争议协调化解中心，推动行政与司法的良性互动。"]
"#;

/// A demo workspace in `tmp` with TA-2023-045 drafted and signed, ready for its 答复.
pub fn prepare(tmp: &std::path::Path) -> std::path::PathBuf {
    let dir = tmp.join("demo");
    let out = std::process::Command::new(super::http::program())
        .arg("demo")
        .arg(&dir)
        .output()
        .expect("run yingsu demo");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let draft = tmp.join("draft.yaml");
    std::fs::write(&draft, DRAFT).expect("write the draft");
    let from = draft.display().to_string();
    yingsu(
        &dir,
        NOW,
        &["case", "advance", CASE, "drafted", "--from", &from],
    );
    yingsu(
        &dir,
        NOW,
        &[
            "case",
            "advance",
            CASE,
            "signed",
            "--set",
            "signer=局长赵某某",
            "--set",
            "sign_date=2023-07-06",
        ],
    );
    dir
}

/// The 12-bit Gray code of `i` as twelve digits 0/1: consecutive values differ in one digit.
pub fn gray(i: u32) -> String {
    let g = i ^ (i >> 1);
    (0..12)
        .rev()
        .map(|b| if g >> b & 1 == 1 { '1' } else { '0' })
        .collect()
}
