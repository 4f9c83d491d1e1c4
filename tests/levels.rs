//! Issue 26: a workspace at each level — a district, a city and a county justice bureau, and an
//! agency (a department with its own issuer) — made the way a clerk makes one (`yingsu init`,
//! then `yingsu.yaml` written for the place) and worked through the command line, renders every
//! document kind the built-in workflows and reports issue. The tests read each document back
//! from its frozen record (tests/common/text.rs: laid out again, the PDF checked byte for byte)
//! and assert the exact text of what varies by level: addressee and direction, who reports to
//! whom, the region words; and that no district word leaks into a city or county workspace.

mod common;

use std::path::{Path, PathBuf};

use yingsu::Workspace;
use yingsu::render::TypstRenderer;

/// One bureau level: the place, its level character, the 文号 abbreviation, the government
/// above, the court, and the words its bulletin must use.
struct Level {
    region: &'static str,
    level: &'static str,
    abbr: &'static str,
    above: &'static str,
    court: &'static str,
    addressees: &'static str,
    others: &'static str,
    /// The place in running text (words.local).
    local: &'static str,
    /// The court code of its 案号 (渝0112 in (2023)渝0112行初11号).
    code: &'static str,
    /// Words of the other levels that must not appear in its documents.
    foreign: &'static [&'static str],
}

const DISTRICT: Level = Level {
    region: "重庆市渝北区",
    level: "区",
    abbr: "渝北",
    above: "重庆市人民政府",
    court: "重庆市渝北区人民法院",
    addressees: "区政府各部门，各镇人民政府、街道办事处",
    others: "部门、镇街",
    local: "渝北区",
    code: "渝0112",
    foreign: &[
        "全市",
        "全县",
        "市政府",
        "县政府",
        "市司法局",
        "县司法局",
        "区县",
        "乡镇",
    ],
};
const CITY: Level = Level {
    region: "四川省成都市",
    level: "市",
    abbr: "成",
    above: "四川省人民政府",
    court: "四川省成都市中级人民法院",
    addressees: "各区县人民政府，市政府各部门",
    others: "部门、区县政府",
    local: "成都市",
    code: "川01",
    foreign: &[
        "全区",
        "全县",
        "区政府",
        "县政府本级",
        "县政府各部门",
        "区司法局",
        "县司法局",
        "、镇街",
        "镇人民政府",
        "街道办事处",
        "渝北",
    ],
};
const COUNTY: Level = Level {
    region: "重庆市城口县",
    level: "县",
    abbr: "城口",
    above: "重庆市人民政府",
    court: "重庆市城口县人民法院",
    addressees: "县政府各部门，各乡镇人民政府、街道办事处",
    others: "部门、乡镇街道",
    local: "城口县",
    code: "渝0229",
    foreign: &[
        "全区",
        "全市",
        "区政府",
        "市政府",
        "区司法局",
        "市司法局",
        "、镇街",
        "区县",
        "渝北",
    ],
};

const NOW: &str = "2023-12-29T09:00:00+08:00";

/// `yingsu` in `dir` at `now`; panics with its output unless it succeeds.
fn run(dir: &Path, args: &[&str], now: &str) -> String {
    let (code, out, err) = common::run_env(dir, args, now, &[]);
    assert_eq!(code, 0, "yingsu {}:\n{out}{err}", args.join(" "));
    out
}

/// Replace `from` (which must be there) by `to` everywhere in `text`.
fn swap(text: &str, from: &str, to: &str) -> String {
    assert!(text.contains(from), "yingsu.yaml from init has no “{from}”");
    text.replace(from, to)
}

/// `yingsu init`'s yingsu.yaml with its placeholders filled in and fonts fixed.
fn init(dir: &Path) -> String {
    run(dir.parent().unwrap(), &["init", dir.to_str().unwrap()], NOW);
    let text = std::fs::read_to_string(dir.join("yingsu.yaml")).unwrap();
    let text = swap(&text, "请填写主要负责人姓名", "张建国");
    let text = swap(&text, "请填写联系人姓名", "王红");
    let text = swap(&text, "请填写联系电话", "023-60000000");
    swap(&text, "system_fonts: true", "system_fonts: false")
}

/// A bureau's workspace at level `l`: init's district file rewritten for the place, as a
/// bureau would (names, 文号 abbreviations, level, group titles and courts).
fn bureau(dir: &Path, l: &Level) -> Workspace {
    let mut text = init(dir);
    let lv = l.level;
    for (from, to) in [
        (
            "ybfy: 重庆市渝北区人民法院".to_string(),
            format!("ybfy: {}", l.court),
        ),
        ("重庆市渝北区".to_string(), l.region.to_string()),
        ("渝北".to_string(), l.abbr.to_string()),
        ("short: 区".to_string(), format!("short: {lv}")),
        ("kind: 区政府".to_string(), format!("kind: {lv}政府")),
        (
            "principal_post: 区长".to_string(),
            format!("principal_post: {lv}长"),
        ),
        ("level: 区".to_string(), format!("level: {lv}")),
        ("title: 区政府\n".to_string(), format!("title: {lv}政府\n")),
        (
            "title: 区政府部门、镇街".to_string(),
            format!("title: {lv}政府部门、{}", &l.others["部门、".len()..]),
        ),
    ] {
        text = swap(&text, &from, &to);
    }
    std::fs::write(dir.join("yingsu.yaml"), text).unwrap();
    Workspace::open(dir).unwrap_or_else(|e| panic!("{e}"))
}

/// An agency's own workspace: the district's market regulator issues as itself and names the
/// bureau it reports to.
fn agency(dir: &Path) -> Workspace {
    let text = init(dir);
    let start = text.find("issuers:\n").unwrap();
    let end = text.find("# 文号起始").unwrap();
    let issuers = "issuers:\n  scjgj:\n    name: 重庆市渝北区市场监督管理局\n    short: 区市场监管局\n    prefix: 渝北市监函\n    prefixes: {报告: 渝北市监文}\n    principal: 李某某\n    contact: 周敏\n    phone: 023-61111111\n\n";
    let mut text = format!("{}{issuers}{}", &text[..start], &text[end..]);
    let start = text.find("agencies:\n  qzf:").unwrap();
    let end = text
        .find("  scjgj:\n    name: 重庆市渝北区市场监督管理局\n    short: 区市场监管局\n    group")
        .unwrap();
    text.replace_range(start..end, "agencies:\n");
    let text = swap(
        &text,
        "bureau:\n  issuer: sfj\n  level: 区\n",
        "bureau:\n  name: 重庆市渝北区司法局\n  short: 区司法局\n  level: 区\n",
    );
    let text = swap(
        &text,
        "  government:\n    title: 区政府\n    denominator: notices\n",
        "",
    );
    std::fs::write(dir.join("yingsu.yaml"), text).unwrap();
    Workspace::open(dir).unwrap_or_else(|e| panic!("{e}"))
}

/// `yingsu case new` / `case advance` with `--set` pairs.
fn new_case(dir: &Path, wf: &str, id: &str, now: &str, sets: &[&str]) {
    let mut args = vec!["case", "new", wf, id];
    for s in sets {
        args.extend(["--set", s]);
    }
    run(dir, &args, now);
}

fn advance(dir: &Path, id: &str, step: &str, now: &str, sets: &[&str]) {
    let mut args = vec!["case", "advance", id, step];
    for s in sets {
        args.extend(["--set", s]);
    }
    run(dir, &args, now);
}

/// The head a case names and the office that prepares it.
struct Head<'a> {
    name: &'a str,
    post: &'a str,
    office: &'a str,
}

/// A case against `agency`: notice, a hearing (the head absent for `reason`), a judgment that
/// annuls, and the loss review — 提示函, 授权委托书, 情况说明 (a legal reason), 败诉案件总结报告.
fn lost_case(dir: &Path, id: &str, case_number: &str, agency: &str, head: &Head, reason: &str) {
    new_case(
        dir,
        "appearance",
        id,
        "2023-04-20T10:00:00+08:00",
        &[
            &format!("case_number={case_number}"),
            "court=ybfy",
            "cause=行政处罚",
            "level=一审",
            "plaintiffs=张三",
            &format!("agency={agency}"),
            "notice_date=2023-04-20",
            "head_required=true",
            "hearing_date=2023-05-08",
            "hearing_place=第三审判庭",
            &format!("head_name={}", head.name),
            &format!("head_post={}", head.post),
            &format!("legal_office={}", head.office),
        ],
    );
    let mut sets = vec![
        "hearing_date=2023-05-08",
        "hearing_place=第三审判庭",
        "head_appeared=false",
        "delegates=赵六，法制科科长",
    ];
    let reason = format!("absence_reason={reason}");
    sets.push(&reason);
    if !reason.ends_with("无正当理由") {
        sets.extend([
            "absence_account=负责人于开庭当日遭遇交通事故。",
            "absence_note_date=2023-05-06",
        ]);
    }
    advance(dir, id, "appearance", "2023-05-08T17:00:00+08:00", &sets);
    advance(
        dir,
        id,
        "judgment",
        "2023-07-10T10:00:00+08:00",
        &[
            "judgment_date=2023-07-10",
            "effective_date=2023-07-26",
            "outcome=撤销",
            "judgment_summary=法院认为，被告作出处罚决定前未告知原告陈述、申辩的权利，程序违法，判决撤销被诉行政处罚决定。",
        ],
    );
    advance(
        dir,
        id,
        "loss_review",
        "2023-08-10T10:00:00+08:00",
        &[
            "loss_causes=未履行告知程序。",
            "responsibility=承办科室负直接责任。",
            "measures=开展程序专项检查。",
            "report_date=2023-08-10",
        ],
    );
}

/// A proposal handled by `handler`, replied to.
fn proposal(dir: &Path, id: &str, handler: &str) {
    new_case(
        dir,
        "proposal",
        id,
        "2023-03-01T09:00:00+08:00",
        &[
            "kind=政协提案",
            "proposal_title=关于推进出庭应诉的建议",
            "proposer=民进工委",
            "assigned_date=2023-03-01",
            &format!("handler={handler}"),
        ],
    );
    advance(
        dir,
        id,
        "drafted",
        "2023-04-03T09:00:00+08:00",
        &[
            "background=基本情况。",
            "work=工作：开展工作。",
            "next_steps=计划：继续推进。",
        ],
    );
    advance(
        dir,
        id,
        "signed",
        "2023-05-04T09:00:00+08:00",
        &["signer=局长", "sign_date=2023-05-04"],
    );
    advance(
        dir,
        id,
        "replied",
        "2023-05-08T09:00:00+08:00",
        &["reply_date=2023-05-08", "reply_class=A"],
    );
}

/// Every archived PDF of the workspace by its path under `archive/`.
fn archived(root: &Path) -> Vec<(String, PathBuf)> {
    let archive = root.join("archive");
    let mut out: Vec<(String, PathBuf)> = walkdir::WalkDir::new(&archive)
        .into_iter()
        .flatten()
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .map(|e| {
            let rel = e.path().strip_prefix(&archive).unwrap();
            (rel.to_string_lossy().into_owned(), e.path().to_path_buf())
        })
        .collect();
    out.sort();
    out
}

/// The text of each archived document, by its path under `archive/`.
fn texts(ws: &Workspace) -> Vec<(String, String)> {
    let renderer = TypstRenderer::new();
    archived(&ws.root)
        .into_iter()
        .map(|(rel, pdf)| (rel, common::text::archived_text(ws, &renderer, &pdf)))
        .collect()
}

fn text_of<'a>(texts: &'a [(String, String)], rel: &str) -> &'a str {
    texts
        .iter()
        .find(|(r, _)| r == rel)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| {
            panic!(
                "no {rel} among {:?}",
                texts.iter().map(|(r, _)| r).collect::<Vec<_>>()
            )
        })
}

fn has(text: &str, part: &str) {
    assert!(text.contains(part), "missing “{part}” in:\n{text}");
}

fn lacks(text: &str, part: &str) {
    assert!(!text.contains(part), "unexpected “{part}” in:\n{text}");
}

const DEPARTMENT_HEAD: Head = Head {
    name: "李某某",
    post: "局长",
    office: "法制科",
};

/// Every document kind of a bureau's workspace at level `l`, and the words that vary by level.
fn bureau_documents(l: &Level) {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ws");
    let ws = bureau(&dir, l);
    let (r, lv, a, code) = (l.region, l.level, l.abbr, l.code);
    let mayor = format!("{lv}长");
    lost_case(
        &dir,
        "D1",
        &format!("(2023){code}行初11号"),
        "scjgj",
        &DEPARTMENT_HEAD,
        "意外事件",
    );
    // The government's head absent without good reason: the case opens a rectification, which
    // the bureau reports upward (专报) instead of ordering its own government.
    lost_case(
        &dir,
        "G1",
        &format!("(2023){code}行初12号"),
        "qzf",
        &Head {
            name: "王某某",
            post: &mayor,
            office: "办公室",
        },
        "无正当理由",
    );
    new_case(
        &dir,
        "rectification",
        "R1",
        "2023-07-05T09:00:00+08:00",
        &[
            "agency=scjgj",
            "reason=出庭率为零",
            &format!("source_cases=(2023){code}行初11号"),
            &format!(
                "findings=2023年第二季度，你单位作为被告的(2023){code}行初11号一案开庭审理，负责人未出庭应诉。"
            ),
            "issued_date=2023-07-05",
            "interview=true",
            "interview_time=2023年7月12日上午9时",
            "interview_place=三楼会议室",
        ],
    );
    proposal(&dir, "P1", "sfj");
    run(
        &dir,
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q2",
            "--date",
            "2023-07-05",
        ],
        NOW,
    );
    run(
        &dir,
        &[
            "report",
            "monthly",
            "--agency",
            "scjgj",
            "--month",
            "2023-05",
            "--date",
            "2023-06-05",
        ],
        NOW,
    );

    let texts = texts(&ws);
    let kinds: Vec<&str> = texts.iter().map(|(rel, _)| rel.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "2023/D1/01-notice-tishihan.pdf",
            "2023/D1/02-appearance-qingkuang.pdf",
            "2023/D1/02-appearance-shouquan.pdf",
            "2023/D1/04-loss_review-baisu.pdf",
            "2023/G1-整改/01-issued-zhuanbao.pdf",
            "2023/G1/01-notice-tishihan.pdf",
            "2023/G1/02-appearance-shouquan.pdf",
            "2023/G1/04-loss_review-baisu.pdf",
            "2023/P1/04-replied-fuhan.pdf",
            "2023/R1/01-issued-yuetan.pdf",
            "2023/R1/01-issued-zhenggai.pdf",
            "reports/2023/bulletin-2023Q2.pdf",
            "reports/2023/monthly-2023-05-scjgj.pdf",
        ],
        "{r}"
    );
    let doc = |rel: &str| text_of(&texts, rel).to_string();
    let court = l.court;
    let case11 = format!("（2023）{code}行初11号");
    let case12 = format!("（2023）{code}行初12号");

    // The agency's papers to the head and to the court: the unit by its level's short name.
    let t = doc("2023/D1/01-notice-tishihan.pdf");
    has(
        &t,
        &format!(
            "李某某局长：原告张三诉{lv}市场监管局行政处罚一案，案号为{case11}，由{court}审理。"
        ),
    );
    assert!(
        t.ends_with(&format!("{r}市场监督管理局法制科2023年4月20日")),
        "{t}"
    );
    let t = doc("2023/G1/01-notice-tishihan.pdf");
    has(&t, &format!("王某某{lv}长：原告张三诉{lv}政府行政处罚一案"));
    assert!(
        t.ends_with(&format!("{r}人民政府办公室2023年4月20日")),
        "{t}"
    );
    let t = doc("2023/D1/02-appearance-shouquan.pdf");
    assert!(
        t.starts_with(&format!(
            "授权委托书{court}：你院审理的原告张三诉{lv}市场监管局行政处罚一案"
        )),
        "{t}"
    );
    let t = doc("2023/G1/02-appearance-shouquan.pdf");
    has(
        &t,
        &format!(
            "委托单位：{r}人民政府法定代表人：王某某，职务：{lv}长受委托人：赵六，职务：法制科科长"
        ),
    );
    let t = doc("2023/D1/02-appearance-qingkuang.pdf");
    assert!(
        t.starts_with(&format!("{r}市场监督管理局{a}市监函〔2023〕1号关于{case11}案件行政机关负责人不能出庭应诉的情况说明{court}：")),
        "{t}"
    );

    // Up: the department's loss report to the bureau, the government's to the government
    // above, each a 报告 with 签发人.
    let t = doc("2023/D1/04-loss_review-baisu.pdf");
    assert!(
        t.starts_with(&format!("{r}市场监督管理局文件{a}市监文〔2023〕1号签发人：李某某{r}市场监督管理局关于{case11}行政诉讼案件败诉情况的总结报告{r}司法局：")),
        "{t}"
    );
    let t = doc("2023/G1/04-loss_review-baisu.pdf");
    assert!(
        t.starts_with(&format!("{r}人民政府文件{a}府文〔2023〕1号签发人：王某某{r}人民政府关于{case12}行政诉讼案件败诉情况的总结报告{}：", l.above)),
        "{t}"
    );
    lacks(&t, &format!("{r}司法局："));
    let t = doc("2023/G1-整改/01-issued-zhuanbao.pdf");
    assert!(
        t.starts_with(&format!("{r}司法局文件{a}司文〔2023〕1号签发人：张建国{r}司法局关于{lv}政府行政机关负责人出庭应诉有关情况的报告{r}人民政府：{lv}司法局在行政机关负责人出庭应诉工作督查中发现，{lv}政府存在行政机关负责人无正当理由未出庭应诉的情况。现将有关情况报告如下：")),
        "{t}"
    );
    has(
        &t,
        &format!("{lv}政府负责人王某某（{lv}长）无正当理由未出庭应诉。"),
    );
    lacks(&t, "你单位");
    lacks(&t, "通知如下");

    // Down: the bureau's notices to the department, reporting back to the bureau.
    let t = doc("2023/R1/01-issued-zhenggai.pdf");
    assert!(
        t.starts_with(&format!("{r}司法局{a}司函〔2023〕1号{r}司法局督查整改通知书{r}市场监督管理局：{lv}司法局在行政机关负责人出庭应诉工作督查中发现，你单位存在行政机关负责人出庭应诉率为零的问题。")),
        "{t}"
    );
    has(
        &t,
        &format!(
            "请你单位于2023年8月2日前完成整改，并将整改情况书面报送{lv}司法局。逾期未报送或者整改不到位的，{lv}司法局将按照有关规定予以通报"
        ),
    );
    let t = doc("2023/R1/01-issued-yuetan.pdf");
    assert!(
        t.starts_with(&format!("{r}司法局{a}司函〔2023〕2号{r}司法局约谈通知书{r}市场监督管理局：因你单位存在行政机关负责人出庭应诉率为零的问题，根据行政机关负责人出庭应诉工作的有关规定，{lv}司法局决定对你单位进行约谈。")),
        "{t}"
    );
    has(&t, &format!("应当提前向{lv}司法局书面说明理由"));

    // Across: the reply to a proposal, thanking for the place's work.
    let t = doc("2023/P1/04-replied-fuhan.pdf");
    assert!(
        t.starts_with(&format!("{r}司法局{a}司函〔2023〕3号{r}司法局关于")),
        "{t}"
    );
    has(
        &t,
        &format!(
            "再次感谢您对{}行政应诉工作的关心和支持。希望您在以后的工作中继续关心和支持{lv}司法局的工作。",
            l.local
        ),
    );

    // The bulletin: the level's addressees, 全区/全市/全县, the government and the others.
    let t = doc("reports/2023/bulletin-2023Q2.pdf");
    assert!(
        t.starts_with(&format!("{r}司法局文件{a}司发〔2023〕1号{r}司法局关于2023年第二季度行政机关负责人出庭应诉情况的通报{}：为推动行政机关负责人出庭应诉工作常态化、规范化，现将2023年第二季度全{lv}行政机关负责人出庭应诉情况通报如下。", l.addressees)),
        "{t}"
    );
    has(
        &t,
        &format!(
            "2023年第二季度，以{lv}政府为被告的行政诉讼案件，人民法院发出负责人出庭应诉通知1件，负责人出庭应诉0件，出庭应诉率0%。"
        ),
    );
    has(
        &t,
        &format!(
            "以{lv}政府部门、{}为被告的一审行政诉讼案件共开庭1件",
            &l.others["部门、".len()..]
        ),
    );
    has(
        &t,
        &format!(
            "（“应出庭”对{lv}政府本级为法院通知负责人出庭并已开庭的件数，对{}为开庭审理的一审案件件数）",
            l.others
        ),
    );
    has(
        &t,
        &format!("出庭应诉率为零的单位：{lv}政府（0%）、{lv}市场监管局（0%）。"),
    );
    has(
        &t,
        &format!("对出庭应诉率为零的单位，{lv}司法局将约谈其主要负责人。"),
    );
    assert!(
        t.ends_with(&format!("{r}司法局2023年7月5日（此件公开发布）（联系人：王红，联系电话：023-60000000）{r}司法局2023年7月5日印发")),
        "{t}"
    );

    let t = doc("reports/2023/monthly-2023-05-scjgj.pdf");
    assert!(
        t.starts_with(&format!("2023年5月出庭应诉情况报送表填报单位：{r}市场监督管理局统计期间：2023年5月填报日期：2023年6月5日")),
        "{t}"
    );

    // No word of another level in any document.
    for (rel, t) in &texts {
        for w in l.foreign {
            assert!(!t.contains(w), "{r}: {rel} says “{w}”:\n{t}");
        }
    }
}

#[test]
fn a_district_bureau_renders_every_document() {
    bureau_documents(&DISTRICT);
}

#[test]
fn a_city_bureau_renders_every_document() {
    bureau_documents(&CITY);
}

#[test]
fn a_county_bureau_renders_every_document() {
    bureau_documents(&COUNTY);
}

/// An agency's own workspace renders what an agency issues — to its head, to the court, its
/// loss report up to the bureau it names, its reply to a proposal and its monthly return — and
/// is told that the bulletin is not its to issue.
#[test]
fn an_agency_renders_every_document_it_issues() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("ws");
    let ws = agency(&dir);
    lost_case(
        &dir,
        "D1",
        "(2023)渝0112行初11号",
        "scjgj",
        &DEPARTMENT_HEAD,
        "意外事件",
    );
    proposal(&dir, "P1", "scjgj");
    run(
        &dir,
        &[
            "report",
            "monthly",
            "--agency",
            "scjgj",
            "--month",
            "2023-05",
            "--date",
            "2023-06-05",
        ],
        NOW,
    );
    // A contact left as init's placeholder is not printed on the return.
    let config = std::fs::read_to_string(dir.join("yingsu.yaml")).unwrap();
    std::fs::write(
        dir.join("yingsu.yaml"),
        swap(&config, "contact: 周敏", "contact: 请填写联系人姓名"),
    )
    .unwrap();
    run(
        &dir,
        &[
            "report",
            "monthly",
            "--agency",
            "scjgj",
            "--month",
            "2023-06",
            "--date",
            "2023-07-05",
        ],
        NOW,
    );
    let ws = Workspace::open(&ws.root).unwrap();

    let texts = texts(&ws);
    let kinds: Vec<&str> = texts.iter().map(|(rel, _)| rel.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "2023/D1/01-notice-tishihan.pdf",
            "2023/D1/02-appearance-qingkuang.pdf",
            "2023/D1/02-appearance-shouquan.pdf",
            "2023/D1/04-loss_review-baisu.pdf",
            "2023/P1/04-replied-fuhan.pdf",
            "reports/2023/monthly-2023-05-scjgj.pdf",
            "reports/2023/monthly-2023-06-scjgj.pdf",
        ]
    );
    let doc = |rel: &str| text_of(&texts, rel).to_string();
    has(
        &doc("2023/D1/01-notice-tishihan.pdf"),
        "李某某局长：原告张三诉区市场监管局行政处罚一案，案号为（2023）渝0112行初11号，由重庆市渝北区人民法院审理。",
    );
    assert!(
        doc("2023/D1/02-appearance-qingkuang.pdf").starts_with("重庆市渝北区市场监督管理局渝北市监函〔2023〕1号关于（2023）渝0112行初11号案件行政机关负责人不能出庭应诉的情况说明重庆市渝北区人民法院："),
    );
    assert!(
        doc("2023/D1/02-appearance-shouquan.pdf").starts_with("授权委托书重庆市渝北区人民法院：")
    );
    let t = doc("2023/D1/04-loss_review-baisu.pdf");
    assert!(
        t.starts_with("重庆市渝北区市场监督管理局文件渝北市监文〔2023〕1号签发人：李某某重庆市渝北区市场监督管理局关于（2023）渝0112行初11号行政诉讼案件败诉情况的总结报告重庆市渝北区司法局："),
        "{t}"
    );
    let t = doc("2023/P1/04-replied-fuhan.pdf");
    assert!(
        t.starts_with(
            "重庆市渝北区市场监督管理局渝北市监函〔2023〕2号重庆市渝北区市场监督管理局关于"
        ),
        "{t}"
    );
    has(
        &t,
        "再次感谢您对渝北区行政应诉工作的关心和支持。希望您在以后的工作中继续关心和支持区市场监管局的工作。",
    );
    assert!(
        doc("reports/2023/monthly-2023-05-scjgj.pdf")
            .ends_with("填报人：周敏联系电话：023-61111111单位负责人（签字）：（单位盖章）"),
    );
    let t = doc("reports/2023/monthly-2023-06-scjgj.pdf");
    assert!(
        t.ends_with("本月无出庭应诉案件。单位负责人（签字）：（单位盖章）"),
        "{t}"
    );
    lacks(&t, "请填写");

    let (code, _, err) = common::run_env(
        &dir,
        &[
            "report",
            "bulletin",
            "--quarter",
            "2023Q2",
            "--date",
            "2023-07-05",
        ],
        NOW,
        &[],
    );
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：季度出庭应诉情况通报由司法局印发，本工作区没有司法局的发文机关\n = 帮助：这是司法局工作区的命令；本工作区若属于司法局，在 yingsu.yaml 的 issuers 下添加司法局（如 sfj），或写 bureau: {issuer: 司法局的编号}\n"
    );
}
