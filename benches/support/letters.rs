//! A workspace of proposal cases, each with the demo's two-page reply letter (复函) varied per
//! case: shared by the `render_all` benchmark and the `letters_archive` example.

use yingsu::engine::{Actor, DocRequest, DocumentRenderer, Input};
use yingsu::workspace::Workspace;

/// Sets up cases without typesetting: the documents are rendered by the measured runs.
pub struct Placeholder;

impl DocumentRenderer for Placeholder {
    fn render(&self, _: &Workspace, _: &DocRequest) -> yingsu::Result<Vec<u8>> {
        Ok(b"placeholder".to_vec())
    }
}

pub fn actor(date: &str) -> Actor {
    Actor {
        who: "基准测试".into(),
        now: chrono::DateTime::parse_from_rfc3339(&format!("{date}T09:00:00+08:00")).unwrap(),
    }
}

fn input(sets: &[(&str, String)]) -> Input {
    Input {
        sets: sets.iter().map(|(k, v)| format!("{k}={v}")).collect(),
        from: None,
        again: false,
    }
}

/// The demo's reply letter (JY-2023-017), with proposer, number and dates varied per case.
pub fn make_case(ws: &Workspace, i: usize) {
    let id = format!("JY-2023-{:04}", i + 1);
    let day = 1 + i % 28;
    let r = &Placeholder;
    yingsu::engine::new_case(
        ws,
        "proposal",
        &id,
        &input(&[
            ("kind", "人大建议".into()),
            ("session", "区十九届人大二次会议".into()),
            ("proposal_number", format!("{:03}", i + 1)),
            (
                "proposal_title",
                "关于加强行政争议实质性化解工作的建议".into(),
            ),
            ("proposer", format!("第{}选区李某某代表", i % 40 + 1)),
            ("proposer_address", "您".into()),
            ("assigned_date", format!("2023-03-{day:02}")),
            ("handler", "sfj".into()),
        ]),
        &actor("2023-03-01"),
        r,
    )
    .unwrap();
    yingsu::engine::advance(ws, &id,
        "drafted",
        &input(&[
            ("background", "行政争议实质性化解是减少行政诉讼案件、提升依法行政水平的重要途径。我局高度重视您提出的建议，认真研究办理。".into()),
            ("work", format!("建立行政争议协调化解中心：整合司法、调解、复议等资源，对涉诉行政争议开展诉前化解，全年化解{}件。", 20 + i % 30)),
            ("next_steps", "推动诉调对接：发挥镇街、村居人民调解组织作用，利用人民调解便利高效的优势化解行政争议。".into()),
        ]),
        &actor("2023-04-25"),
        r,
    )
    .unwrap();
    yingsu::engine::advance(
        ws,
        &id,
        "signed",
        &input(&[
            ("signer", "局长杨佳红".into()),
            ("sign_date", "2023-05-20".into()),
        ]),
        &actor("2023-05-20"),
        r,
    )
    .unwrap();
    yingsu::engine::advance(
        ws,
        &id,
        "replied",
        &input(&[
            ("reply_date", format!("2023-05-{day:02}")),
            ("reply_class", "B".into()),
            ("contact", "饶东".into()),
            ("phone", "023-67821277".into()),
        ]),
        &actor("2023-05-25"),
        r,
    )
    .unwrap();
}
