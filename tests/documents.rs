//! The document set: every template rendered from fixed cases through the engine, its text checked
//! against `tests/expected/<name>.txt` and its layout against GB/T 9704-2012 basics; the 2023
//! reply letter of 渝北区司法局 rebuilt paragraph by paragraph; concurrent numbering.
//!
//! `YINGSU_BLESS=1 cargo test --test documents` writes the texts and first-page PNGs (under
//! `docs/documents/`) that differ as `<expected>.new` files beside the expected ones, for review
//! (see `common::bless`).

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use serde_json::{Value, json};
use typst_layout::PagedDocument;
use yingsu::Workspace;
use yingsu::engine::{DocRequest, DocumentRenderer, Input};
use yingsu::render::TypstRenderer;
use yingsu::typeset::Job;
use yingsu::workspace::init;

mod common;
use common::actor_at as actor;
use common::frames::{G, glyphs, lines};

const MM: f64 = 72.0 / 25.4;
/// Character pitch: 156 mm / 28.
const CELL: f64 = 156.0 / 28.0 * MM;
/// Line pitch: 225 mm / 22.
const PITCH: f64 = 225.0 / 22.0 * MM;
const BODY_FONT: &str = "FandolFang R";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bless() -> bool {
    common::bless::blessing()
}

// ------------------------------------------------------------------ fixtures

/// A renderer that keeps the typst job of every document the engine renders.
struct Recorder {
    inner: TypstRenderer,
    jobs: Mutex<Vec<(String, Job)>>,
}

impl Recorder {
    fn new() -> Recorder {
        Recorder {
            inner: TypstRenderer::new(),
            jobs: Mutex::new(Vec::new()),
        }
    }

    fn job(&self, template: &str) -> Job {
        let jobs = self.jobs.lock().unwrap();
        let found: Vec<&Job> = jobs
            .iter()
            .filter(|(t, _)| t == template)
            .map(|(_, j)| j)
            .collect();
        assert_eq!(
            found.len(),
            1,
            "expected one `{template}` document, got {}",
            found.len()
        );
        found[0].clone()
    }
}

impl DocumentRenderer for Recorder {
    fn render(&self, ws: &Workspace, req: &DocRequest) -> yingsu::Result<Vec<u8>> {
        let data = self.data(ws, req)?;
        self.render_data(ws, req, &data)
    }

    fn data(&self, ws: &Workspace, req: &DocRequest) -> yingsu::Result<Value> {
        self.inner.data(ws, req)
    }

    fn render_data(
        &self,
        ws: &Workspace,
        req: &DocRequest,
        data: &Value,
    ) -> yingsu::Result<Vec<u8>> {
        let job = self.inner.job_with(ws, req, data.clone())?;
        self.jobs.lock().unwrap().push((req.template.clone(), job));
        self.inner.render_data(ws, req, data)
    }
}

/// A fresh workspace; `edit` may change the `yingsu.yaml` that `init` wrote.
fn workspace(dir: &Path, edit: impl Fn(String) -> String) -> Workspace {
    init(dir).unwrap();
    let cfg = dir.join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    // The bundled fonts only, whatever this computer has installed: the checks below name them.
    let text = text.replace("system_fonts: true", "system_fonts: false");
    assert!(text.contains("\nsystem_fonts: false\n"));
    std::fs::write(&cfg, edit(text)).unwrap();
    Workspace::open(dir).unwrap()
}

/// Facts as an input file (JSON is YAML), so list items may contain “；”.
fn input(dir: &Path, name: &str, facts: Value) -> Input {
    let path = dir.join(format!("{name}.yaml"));
    std::fs::write(&path, serde_json::to_string_pretty(&facts).unwrap()).unwrap();
    Input {
        sets: vec![],
        from: Some(path),
        again: false,
    }
}

fn step(ws: &Workspace, rec: &Recorder, dir: &Path, id: &str, to: &str, at: &str, facts: Value) {
    let inp = input(dir, &format!("{id}-{to}"), facts);
    yingsu::engine::advance(ws, id, to, &inp, &actor(at), rec)
        .unwrap_or_else(|e| panic!("{id} → {to}: {e}"));
}

/// An appearance case with an absent head (情况说明) that is lost (败诉总结).
fn appearance_case(ws: &Workspace, rec: &Recorder, dir: &Path) {
    let id = "2023-行初-123";
    let inp = input(
        dir,
        "notice",
        json!({
            "case_number": "(2023)渝0112行初123号",
            "court": "ybfy",
            "cause": "行政处罚",
            "level": "一审",
            "plaintiffs": ["重庆某某食品有限公司"],
            "agency": "scjgj",
            "contested_act": "渝北市监罚〔2023〕12号行政处罚决定",
            "notice_date": "2023-05-22",
            "head_required": true,
            "hearing_date": "2023-06-01",
            "hearing_time": "上午9时30分",
            "hearing_place": "重庆市渝北区人民法院第三审判庭",
            "major_public_interest": true,
            "head_name": "陈某某",
            "head_post": "副局长",
            "legal_office": "法制科"
        }),
    );
    yingsu::engine::new_case(
        ws,
        "appearance",
        id,
        &inp,
        &actor("2023-05-22T10:00:00+08:00"),
        rec,
    )
    .unwrap();
    step(
        ws,
        rec,
        dir,
        id,
        "appearance",
        "2023-06-01T17:00:00+08:00",
        json!({
            "head_appeared": false,
            "absence_reason": "需要履行他人不能代替的公务",
            "absence_account": "2023年6月1日上午，陈某某同志须带队参加区政府组织的食品安全专项检查，该项工作由其具体负责，他人不能代替。",
            "absence_note_date": "2023-05-31",
            "delegates": ["张明，法制科科长"],
            "agents": ["赵某，重庆某某律师事务所律师"]
        }),
    );
    step(
        ws,
        rec,
        dir,
        id,
        "judgment",
        "2023-07-10T10:00:00+08:00",
        json!({
            "judgment_date": "2023-07-10",
            "judgment_number": "(2023)渝0112行初123号",
            "effective_date": "2023-07-26",
            "outcome": "撤销",
            "judgment_summary": "法院认为，被告作出处罚决定前未依法告知原告陈述、申辩的权利，程序违法，判决撤销被诉行政处罚决定。"
        }),
    );
    step(
        ws,
        rec,
        dir,
        id,
        "loss_review",
        "2023-08-10T10:00:00+08:00",
        json!({
            "loss_causes": ["作出处罚决定前未依法履行告知程序，未听取当事人的陈述和申辩。", "案件审核把关不严，法制审核未发现程序瑕疵。"],
            "responsibility": "承办科室对程序违法负直接责任，法制审核人员负审核把关不严的责任。",
            "measures": ["对全局在办行政处罚案件开展程序专项检查。", "修订行政处罚案件法制审核清单，将告知程序列为必审事项。"],
            "lessons": "行政执法必须坚持实体与程序并重，严格落实行政执法“三项制度”。",
            "report_date": "2023-08-10"
        }),
    );
}

fn rectification_case(ws: &Workspace, rec: &Recorder, dir: &Path) {
    let inp = input(
        dir,
        "rect",
        json!({
            "agency": "scjgj",
            "reason": "出庭率为零",
            "period": "2023年第二季度",
            "source_cases": ["(2023)渝0112行初98号", "(2023)渝0112行初123号"],
            "findings": "2023年第二季度，你单位作为被告的2件一审行政诉讼案件开庭审理，行政机关负责人均未出庭应诉，负责人出庭应诉率为零。",
            "rule": "《重庆市渝北区行政机关负责人出庭应诉工作规定》",
            "requirements": ["召开专题会议，查找负责人未出庭应诉的原因。", "建立本单位负责人出庭应诉台账，确保应出尽出。"],
            "issued_date": "2023-07-05",
            "interview": true,
            "interview_time": "2023年7月12日上午9时",
            "interview_place": "区司法局三楼会议室",
            "interview_attendees": ["单位主要负责人", "分管负责人", "法制机构负责人"]
        }),
    );
    yingsu::engine::new_case(
        ws,
        "rectification",
        "2023-整改-1",
        &inp,
        &actor("2023-07-05T09:00:00+08:00"),
        rec,
    )
    .unwrap();
}

// ------------------------------------------------------------------ the reference letter

/// The facts of the 2023 reply of 渝北区司法局 (tests/expected/yubei-proposal-reply-2023.txt).
fn reference_facts() -> (Value, Value, Value, Value) {
    let received = json!({
        "kind": "政协提案",
        "session": "区政协十六届二次会议",
        "proposal_number": "003",
        "proposal_title": "关于深入推进行政机关负责人出庭应诉制度纵深发展的建议",
        "proposer": "民进区工委",
        "proposer_address": "您委",
        "assigned_date": "2023-03-01",
        "handler": "sfj"
    });
    let drafted = json!({
        "background": [
            "近年来，渝北区高度重视行政机关负责人出庭应诉工作，把健全完善行政机关负责人出庭应诉制度作为推动法治政府建设的有效抓手，加强指导，强化考核，督促行政机关负责人出庭应诉，推动行政争议实质性化解。",
            "2022年度，以区政府为被告的行政诉讼案件，人民法院发出负责人出庭应诉通知26件，区政府负责人出庭应诉26次，区政府负责人出庭应诉率100%，较上年增加38.1%。2022年已审结一审案件中改变行政机关决定（撤销、履行法定职责、确认违法）0件。",
            "2022年度，以区政府部门、镇街为被告的一审行政诉讼案件共开庭354件，有333件案件行政负责人出庭应诉，行政机关负责人出庭应诉率为94.1%，较上年增加19.6%。已审结的案件中改变行政机关决定（撤销、履行法定职责、确认违法）27件，败诉率7.3%。"
        ],
        "work": [
            "加强指导监督，落实应诉责任：严格落实《最高人民法院关于行政机关负责人出庭应诉若干问题的规定》《重庆市司法局关于加强行政机关负责人出庭应诉工作的通知》等文件要求，按照重庆市渝北区人民政府办公室《关于印发重庆市渝北区行政机关负责人出庭应诉工作规定的通知》的规定，从行政机关负责人的人员身份、出庭应诉的适用范围、出庭工作要求、责任追究等方面加强督导，要求各行政机关负责人出庭应诉“应出尽出”，不能出庭应诉的应当具体写明不能出庭的理由，定期检查出庭应诉的行政负责人身份资格及委托手续等，促使行政机关负责人出庭身份合规、委托手续规范，确保行政机关负责人出庭应诉“既出声，又出彩”。",
            "完善工作机制，加强沟通协调：区法院、区司法局建立行政应诉工作联系机制，每月由区司法局收集统计区政府、区政府各部门及镇街行政诉讼案件数量、行政机关负责人出庭应诉情况等，与法院比对，定期通报，提高出庭应诉率的效果。邀请资深法官开展行政诉讼专题培训活动等形式，对行政机关负责人出庭应诉制度进行宣传，并借此讲解行政诉讼的基本知识、审理程序、参加庭审的基本技巧，提高行政机关负责人应诉技巧。通过沟通协调、信息互通，切实推动行政机关负责人出庭应诉产生实效。",
            "强化督导考核，加大问责力度：将行政机关负责人出庭应诉纳入法治政府建设重要内容，纳入全面依法治区工作要点，纳入全面依法治区考核，明确了涉及行政应诉案件的行政机关，负责人出庭应诉率不得低于90%的硬性指标。对于行政应诉案件的行政机关负责人出庭应诉率为零的单位，区司法局将对其进行约谈；对负责人无正当理由不按规定出庭应诉、在出庭应诉活动中存在失职行为等造成不良影响或严重后果的，提请有关机关依法依规予以追责。"
        ],
        "next_steps_intro": "下一步，区司法局将充分吸纳您委的意见建议，结合我区行政机关负责人出庭应诉工作现状，从制度层面、工作层面、考核层面发力，深入推进行政机关负责人出庭应诉纵深发展。",
        "next_steps": [
            "进一步完善行政机关负责人出庭应诉相关制度：一是修订行政机关负责人出庭应诉规定，根据《中共重庆市委全面依法治市委员会办公室关于加强行政机关负责人出庭应诉工作的通知》《重庆市司法局关于加强行政机关负责人出庭应诉工作的通知》等文件关于行政负责人出庭应诉的新情况、新变化及新要求，加快修订《重庆市渝北区行政机关负责人出庭应诉工作规定》；二是健全行政诉讼案件庭审旁听制度。对于公开审理的行政诉讼案件，适当选择一些典型案件，定期邀请行政机关负责人参加旁听庭审；三是完善行政诉讼出庭应诉指导制度。区司法局加强对全区行政机关出庭应诉工作的指导，对行政机关负责人出庭应诉活动进行培训指导，规范出庭应诉行为，提升行政机关负责人法治意识，促进依法行政。通过完善行政机关负责人出庭应诉相关制度，进一步推动我区行政机关负责人出庭应诉常态化、规范化及制度化。",
            "进一步提升领导干部依法行政意识：抓住领导干部“关键少数”，进一步提升法治意识，全面落实宪法宣誓制度，凡经人大及其常委会选举或决定任命的国家机关工作人员正式就职时，都公开向宪法宣誓，并成为常态化制度，推动领导干部树立忠于宪法、遵守宪法、维护宪法的自觉意识。组织领导干部带头学习法律和参加干部教育培训，积极参加法院旁听庭审，参加领导干部法治理论知识考试，不断提升法治素养和能力。严格落实《党政主要负责人履行推进法治建设第一责任人职责规定》，党政主要负责人带头在每年的年度述职时一并述法，现场测评，并将出庭情况作为依据之一。",
            "进一步推动行政争议实质性化解：依托渝北区行政争议协调化解中心，推动行政与司法的良性互动，实现司法、调解、诉讼等制度之间的有机衔接，建立完善源头预防、多元化解的行政争议解决机制。落实市一中院与渝北区行政争议协调化解中心签订《合作备忘录》，承接市一中院委派委托协调化解渝北辖区内的行政争议纠纷，在人民法院的审判职能主导下，充分发挥行政争议协调化解中心专业性、全程性、多元性的优势，及时妥善化解行政争议。加强诉调对接，发挥好我区镇街、村居和专业性行业性人民调解组织作用，利用人民调解便利高效的优势化解行政争议。",
            "进一步加强督导考核：运行好区司法局与区人民法院建立的行政机关负责人出庭应诉沟通协调机制，及时掌握行政机关负责人出庭应诉情况。严格落实行政机关每月向区司法局报送本单位负责人出庭应诉工作情况，区司法局每季度通报有关情况。对于涉及重大公共利益、社会高度关注、可能引发群体性事件的案件以及检察机关提起的行政公益诉讼案件等，行政机关负责人出庭应诉率必须达到100%。将行政机关负责人出庭应诉纳入全面依法治区工作考核，对无正当理由拒不出庭的，予以扣分和通报批评。要求行政机关定期对败诉的行政诉讼案件总结，并形成书面报告，按要求连同人民法院的生效法律文书送区司法局，区司法局在收到上述报告和法律文书后，要认真研究，适时提出指导意见，避免同类问题再次发生。"
        ]
    });
    let signed = json!({"signer": "局长杨佳红", "sign_date": "2023-05-06"});
    let replied = json!({"reply_date": "2023-05-08", "reply_class": "A", "contact": "饶东", "phone": "023-67821277"});
    (received, drafted, signed, replied)
}

/// A proposal case at `replied`; returns nothing (the recorder holds the `fuhan` job).
fn proposal_case(ws: &Workspace, rec: &Recorder, dir: &Path) {
    proposal_case_with(ws, rec, dir, reference_facts());
}

/// [`proposal_case`] with the facts of each step given.
fn proposal_case_with(
    ws: &Workspace,
    rec: &Recorder,
    dir: &Path,
    (received, drafted, signed, replied): (Value, Value, Value, Value),
) {
    let id = "2023-提案-003";
    yingsu::engine::new_case(
        ws,
        "proposal",
        id,
        &input(dir, "received", received),
        &actor("2023-03-01T09:00:00+08:00"),
        rec,
    )
    .unwrap();
    step(
        ws,
        rec,
        dir,
        id,
        "drafted",
        "2023-04-20T09:00:00+08:00",
        drafted,
    );
    step(
        ws,
        rec,
        dir,
        id,
        "signed",
        "2023-05-06T09:00:00+08:00",
        signed,
    );
    step(
        ws,
        rec,
        dir,
        id,
        "replied",
        "2023-05-08T09:00:00+08:00",
        replied,
    );
}

/// The reference workspace: the bureau's 标志 reads “…文件” as in the 2023 letter, and numbers
/// 1–4 of 渝北司函〔2023〕 are taken, so the reply gets 渝北司函〔2023〕5号.
fn reference_workspace(dir: &Path) -> Workspace {
    let ws = workspace(dir, |t| {
        t.replace(
            "    mark: 重庆市渝北区司法局\n",
            "    mark: 重庆市渝北区司法局文件\n",
        )
    });
    let numbers = dir.join("archive/numbers");
    std::fs::create_dir_all(&numbers).unwrap();
    std::fs::write(
        numbers.join("渝北司函-2023.tsv"),
        "1\tearlier-1\n2\tearlier-2\n3\tearlier-3\n4\tearlier-4\n",
    )
    .unwrap();
    ws
}

// ------------------------------------------------------------------ frames

/// A line's text; a gap wider than two cells becomes a space.
fn line_text(line: &[G]) -> String {
    let mut s = String::new();
    for (i, g) in line.iter().enumerate() {
        if i > 0 {
            let prev = &line[i - 1];
            if g.x - (prev.x + prev.advance) > 2.0 * CELL {
                s.push(' ');
            }
        }
        s.push_str(&g.text);
    }
    s
}

/// The whole document as text: one line per laid-out line, pages separated by a marker.
fn document_text(doc: &PagedDocument) -> String {
    let mut out = String::new();
    for i in 0..doc.pages().len() {
        if i > 0 {
            out.push_str(&format!("=== 第{}页 ===\n", i + 1));
        }
        for line in lines(&glyphs(doc, i)) {
            out.push_str(&line_text(&line));
            out.push('\n');
        }
    }
    out
}

fn layout(ws: &Workspace, rec: &Recorder, job: &Job) -> PagedDocument {
    let (doc, warnings) = rec
        .inner
        .typesetter(ws)
        .unwrap()
        .layout_with_warnings(job)
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(warnings.is_empty(), "{}: {warnings:?}", job.ident);
    doc
}

// ------------------------------------------------------------------ GB/T 9704 checks

fn is_han(s: &str) -> bool {
    s.chars().all(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

/// Page size, text area, body font and grid (GB/T 9704-2012 5.2, 7.3).
fn check_layout(name: &str, doc: &PagedDocument) {
    let (left, right) = (28.0 * MM, (28.0 + 156.0) * MM);
    let (top, bottom) = (37.0 * MM, (37.0 + 225.0) * MM);
    let mut pairs: Vec<f64> = Vec::new();
    for (i, page) in doc.pages().iter().enumerate() {
        let size = page.frame.size();
        assert!(
            near(size.x.to_pt(), 210.0 * MM, 0.5) && near(size.y.to_pt(), 297.0 * MM, 0.5),
            "{name}: page {} is not A4",
            i + 1
        );
        let gs = glyphs(doc, i);
        // Body text: 三号 (16 pt) 仿宋, inside the text area.
        let body: Vec<&G> = gs.iter().filter(|g| near(g.size, 16.0, 0.01)).collect();
        if body.is_empty() {
            // Only the pages after the body may lack it: a blank page and the 版记 page (7.4).
            assert!(i > 0, "{name}: page 1 shows no body text");
            assert!(
                (i..doc.pages().len()).all(|j| glyphs(doc, j).iter().all(|g| g.size < 15.0)),
                "{name}: page {} shows no body text but a later page does",
                i + 1
            );
            continue;
        }
        let fang = body.iter().filter(|g| g.family == BODY_FONT).count();
        assert!(
            fang * 10 >= body.len() * 7,
            "{name}: page {}: body font is not {BODY_FONT} ({fang}/{})",
            i + 1,
            body.len()
        );
        for g in &body {
            // (A justified line's last glyph may carry the stretch; its em box must stay inside.
            // A closing mark that ends a full line hangs into the margin by design, as Word's
            // 允许标点溢出边界: at most one and a half cells.)
            let hanging = "，。、；：？！）》」』”’〕】".contains(g.text.as_str());
            let limit = if hanging {
                right + 1.5 * CELL
            } else {
                right + 0.5 * MM
            };
            assert!(
                g.x >= left - 0.5 && g.x + g.advance.min(g.size) <= limit,
                "{name}: page {}: `{}` at x={:.2}..{:.2}mm outside the text area",
                i + 1,
                g.text,
                g.x / MM,
                (g.x + g.advance) / MM
            );
            assert!(
                g.y - 0.88 * 16.0 >= top - 0.5 && g.y + 0.12 * 16.0 <= bottom + 0.5,
                "{name}: page {}: `{}` at y={:.1}mm outside the text area",
                i + 1,
                g.text,
                g.y / MM
            );
        }
        // The text area's left edge: flush-left lines (主送, continuation lines) start at 28 mm.
        let min_x = body
            .iter()
            .filter(|g| g.family == BODY_FONT)
            .map(|g| g.x)
            .fold(f64::MAX, f64::min);
        if i == 0 {
            assert!(
                near(min_x, left, 0.3),
                "{name}: leftmost body text at {:.2} mm, not 28 mm",
                min_x / MM
            );
        }
        let ls = lines(&body.iter().map(|g| (*g).clone()).collect::<Vec<_>>());
        pairs.extend(ls.iter().filter(|l| l.len() >= 20).flat_map(|l| {
            l.windows(2)
                .filter(|w| w[0].family == BODY_FONT && is_han(&w[0].text))
                .map(|w| w[1].x - w[0].x)
                .collect::<Vec<_>>()
        }));
        for w in ls.windows(2) {
            let gap = w[1][0].y - w[0][0].y;
            if gap < 1.5 * PITCH {
                assert!(
                    near(gap, PITCH, 0.3),
                    "{name}: page {}: lines `{}` and `{}` are {gap:.2} pt apart, not {PITCH:.2}",
                    i + 1,
                    line_text(&w[0]),
                    line_text(&w[1])
                );
            }
        }
        // Later pages start on the first line of the text area.
        if i > 0 {
            let first = ls[0][0].y - 0.88 * 16.0;
            assert!(
                near(first, top, 0.5),
                "{name}: page {} starts at {:.2} mm, not 37 mm",
                i + 1,
                first / MM
            );
        }
    }
    // Full-width characters take one cell (justification may stretch a line whose next word
    // does not fit, so the median pitch is checked).
    pairs.sort_by(f64::total_cmp);
    let median = pairs.get(pairs.len() / 2).copied().unwrap_or(0.0);
    assert!(
        near(median, CELL, 0.05),
        "{name}: characters take {median:.2} pt, not one cell ({CELL:.2} pt)"
    );
}

// ------------------------------------------------------------------ expected text and images

fn check_text(name: &str, doc: &PagedDocument) {
    let text = document_text(doc);
    let path = root().join(format!("tests/expected/{name}.txt"));
    if bless() {
        let written: Vec<_> = common::bless::write_new(&path, text.as_bytes())
            .into_iter()
            .collect();
        common::bless::report(&written);
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (YINGSU_BLESS=1 writes it as .new for review)",
            path.display()
        )
    });
    if text != expected {
        for (i, (a, b)) in text.lines().zip(expected.lines()).enumerate() {
            if a != b {
                panic!(
                    "{name}: line {} differs:\n  got      {a}\n  expected {b}",
                    i + 1
                );
            }
        }
        panic!(
            "{name}: {} lines, expected {}",
            text.lines().count(),
            expected.lines().count()
        );
    }
}

fn write_png(name: &str, doc: &PagedDocument) {
    if !bless() {
        return;
    }
    let pixmap = typst_render::render(&doc.pages()[0], &typst_render::RenderOptions::default());
    let png = pixmap.encode_png().unwrap();
    let expected = root().join(format!("docs/documents/{name}.png"));
    let written: Vec<_> = common::bless::write_new(&expected, &png)
        .into_iter()
        .collect();
    common::bless::report(&written);
}

fn check_document(ws: &Workspace, rec: &Recorder, name: &str) -> PagedDocument {
    let doc = layout(ws, rec, &rec.job(name));
    write_png(name, &doc);
    check_text(name, &doc);
    check_layout(name, &doc);
    doc
}

// ------------------------------------------------------------------ tests

#[test]
fn appearance_documents() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), |t| t);
    let rec = Recorder::new();
    appearance_case(&ws, &rec, dir.path());
    for name in ["tishihan", "shouquan", "qingkuang", "baisu"] {
        check_document(&ws, &rec, name);
    }
    // Each document's kind: the report is a 上行文 in 文件格式 with its 报告 number and the
    // agency's principal as 签发人, on the number's line, in 楷体; the statement a 函; the
    // reminder and the authorisation plain, without number.
    let kinds: Vec<(String, String, Option<String>)> =
        ["baisu", "qingkuang", "tishihan", "shouquan"]
            .iter()
            .map(|t| {
                let d = &rec.job(t).data["doc"];
                (
                    d["format"].as_str().unwrap().to_string(),
                    d["direction"].as_str().unwrap().to_string(),
                    d["number"].as_str().map(String::from),
                )
            })
            .collect();
    assert_eq!(
        kinds,
        [
            (
                "文件".into(),
                "上行文".into(),
                Some("渝北市监文〔2023〕1号".into())
            ),
            (
                "信函".into(),
                "平行文".into(),
                Some("渝北市监函〔2023〕1号".into())
            ),
            ("普通".into(), "上行文".into(), None),
            ("普通".into(), "平行文".into(), None),
        ]
    );
    let report = rec.job("baisu");
    assert_eq!(report.data["doc"]["signers"], json!(["李某某"]));
    let doc = layout(&ws, &rec, &report);
    let page = glyphs(&doc, 0);
    let line = lines(&page)
        .into_iter()
        .find(|l| {
            l.iter()
                .map(|g| g.text.as_str())
                .collect::<String>()
                .starts_with("渝北市监文")
        })
        .expect("the number line");
    let text: String = line.iter().map(|g| g.text.as_str()).collect();
    assert_eq!(text, "渝北市监文〔2023〕1号签发人：李某某");
    assert!(
        line.iter().rev().take(3).all(|g| g.family == "FandolKai"),
        "签发人 in 楷体"
    );
    // The engine archived the PDFs, each with its frozen record (what its template received).
    let files = walkdir(dir.path().join("archive/2023/2023-行初-123"));
    let pdfs: Vec<_> = files
        .iter()
        .filter(|p| p.extension().is_some_and(|e| e == "pdf"))
        .collect();
    assert_eq!(pdfs.len(), 4, "{files:?}");
    for pdf in pdfs {
        let frozen: Value =
            serde_json::from_str(&std::fs::read_to_string(pdf.with_extension("json")).unwrap())
                .unwrap();
        let bytes = std::fs::read(pdf).unwrap();
        let sha = yingsu::archive::sha256(&bytes);
        assert_eq!(frozen["sha256"], sha.as_str());
        assert_eq!(frozen["data"]["case"]["id"], "2023-行初-123");
    }
}

#[test]
fn rectification_documents() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), |t| t);
    let rec = Recorder::new();
    rectification_case(&ws, &rec, dir.path());
    for name in ["zhenggai", "yuetan"] {
        check_document(&ws, &rec, name);
    }
}

#[test]
fn proposal_reply() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), |t| t);
    let rec = Recorder::new();
    proposal_case(&ws, &rec, dir.path());
    check_document(&ws, &rec, "fuhan");
}

fn walkdir(dir: PathBuf) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

// ------------------------------------------------------------------ the reference letter, rebuilt

fn cells(s: &str) -> f64 {
    s.chars()
        .map(|c| if c.is_ascii() { 0.5 } else { 1.0 })
        .sum()
}

fn squeeze(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The reference letter's paragraphs. The file is a pdftotext dump (one text line per line,
/// blank lines between, stray spaces around digits): a line shorter than a full line (28
/// cells, 26 after the first line's indent) ends its paragraph. Its last line (印发机关和印发日期) belongs to the 文件 format the
/// bureau used; the 信函格式 has none (GB/T 9704 10.1), so it is left out.
fn reference_paragraphs() -> Vec<String> {
    let text = std::fs::read_to_string(root().join("tests/expected/yubei-proposal-reply-2023.txt"))
        .unwrap();
    let mut out = Vec::new();
    let mut cur = String::new();
    for line in text.lines().map(squeeze).filter(|l| !l.is_empty()) {
        // A paragraph's first line is indented two cells.
        let full = if cur.is_empty() { 26.0 } else { 28.0 };
        cur.push_str(&line);
        // (Digits in the original are proportional, so a full line may count a little short:
        // a slightly short line ends a paragraph only at a sentence end.)
        let (n, stop) = (cells(&line), line.ends_with(['。', '：']));
        if n < full - 2.0 || (n < full - 0.5 && stop) {
            out.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    let last = out.pop().unwrap();
    assert!(last.ends_with("印发"), "{last}");
    out
}

/// A rendered document's paragraphs: a line starts a new paragraph unless it continues the
/// previous one flush left at 28 mm in the same size. Page numbers are left out.
fn rendered_paragraphs(doc: &PagedDocument) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev_size = 0.0;
    for i in 0..doc.pages().len() {
        let gs: Vec<G> = glyphs(doc, i)
            .into_iter()
            .filter(|g| !near(g.size, 14.0, 0.01))
            .collect();
        for line in lines(&gs) {
            let size = line[0].size;
            let text = squeeze(&line_text(&line));
            let continues =
                near(line[0].x, 28.0 * MM, 0.3) && near(size, prev_size, 0.01) && !out.is_empty();
            match out.last_mut() {
                Some(p) if continues => p.push_str(&text),
                _ => out.push(text),
            }
            prev_size = size;
        }
    }
    out
}

fn compare_paragraphs(got: &[String], want: &[String]) {
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert_eq!(g, w, "paragraph {} differs", i + 1);
    }
    assert_eq!(got.len(), want.len(), "paragraph count: got {got:#?}");
}

#[test]
fn reference_letter_rebuilt() {
    let dir = tempfile::tempdir().unwrap();
    let ws = reference_workspace(dir.path());
    let rec = Recorder::new();
    proposal_case(&ws, &rec, dir.path());
    let job = rec.job("fuhan");
    assert_eq!(job.data["doc"]["number"], "渝北司函〔2023〕5号");
    let doc = layout(&ws, &rec, &job);
    check_layout("fuhan (reference)", &doc);
    compare_paragraphs(&rendered_paragraphs(&doc), &reference_paragraphs());
}

/// The reference letter's case with its statistics paragraphs asked for (`stats_year: 2022`)
/// instead of typed, over the archive behind the 2023 letter; the recorder holds its jobs.
fn letter_with_statistics(ws: &Workspace, dir: &Path) -> Recorder {
    common::archive::letter_archive(dir, &["scjgj"]);
    let rec = Recorder::new();
    let (received, mut drafted, signed, replied) = reference_facts();
    let first = drafted["background"][0].clone();
    drafted["background"] = json!([first]);
    drafted["stats_year"] = json!(2022);
    proposal_case_with(ws, &rec, dir, (received, drafted, signed, replied));
    rec
}

/// With `stats_year` instead of typed figures, the two statistics paragraphs of the reference
/// letter come from the statistics over a real archive (the cases behind the 2023 letter: 2022
/// against 2021), in the order `yingsu.yaml` lists the groups: the government's first.
#[test]
fn reference_letter_statistics_generated() {
    let dir = tempfile::tempdir().unwrap();
    let ws = reference_workspace(dir.path());
    let rec = letter_with_statistics(&ws, dir.path());
    let job = rec.job("fuhan");
    let groups: Vec<&str> = job.data["stats"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap())
        .collect();
    assert_eq!(groups, ["government", "departments"]);
    let doc = layout(&ws, &rec, &job);
    compare_paragraphs(
        &rendered_paragraphs(&doc),
        &generated_reference_paragraphs(),
    );
}

/// The reference letter's paragraphs with its two statistics paragraphs as yingsu writes them:
/// the reference counted cases as “次”, a change of rate as “%” and named every loss
/// “改变行政机关决定（撤销、履行法定职责、确认违法）”; yingsu says what it counted.
fn generated_reference_paragraphs() -> Vec<String> {
    reference_paragraphs()
        .into_iter()
        .map(|p| {
            if p.starts_with("2022年度，以区政府为被告") {
                "2022年度，以区政府为被告的行政诉讼案件，人民法院发出负责人出庭应诉通知26件，区政府负责人出庭应诉26件，出庭应诉率100%，较上年增加38.1个百分点。2022年已审结的一审案件中，行政机关败诉0件，败诉率0%。".to_string()
            } else if p.starts_with("2022年度，以区政府部门、镇街为被告") {
                "2022年度，以区政府部门、镇街为被告的一审行政诉讼案件共开庭354件，有333件案件行政机关负责人出庭应诉，出庭应诉率为94.1%，较上年增加19.6个百分点。已审结的一审案件中，行政机关败诉27件（判决撤销3件、判决部分撤销3件、判决确认违法13件、判决确认无效2件、判决履行法定职责2件、判决变更2件、判决赔偿2件），败诉率7.3%。".to_string()
            } else {
                p
            }
        })
        .collect()
}

/// The same, with the groups listed the other way round in `yingsu.yaml`: the paragraphs follow
/// the configuration, so the letter no longer matches the reference — the comparison sees order.
#[test]
fn reference_letter_follows_the_group_order_of_the_configuration() {
    let dir = tempfile::tempdir().unwrap();
    let ws = reference_workspace(dir.path());
    let cfg = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    let gov = "  government:\n    title: 区政府\n    denominator: notices\n";
    let dep = "  departments:\n    title: 区政府部门、镇街\n    denominator: hearings\n";
    assert!(text.contains(&format!("{gov}{dep}")));
    std::fs::write(
        &cfg,
        text.replace(&format!("{gov}{dep}"), &format!("{dep}{gov}")),
    )
    .unwrap();
    let ws2 = Workspace::open(dir.path()).unwrap();
    drop(ws);
    let rec = letter_with_statistics(&ws2, dir.path());
    let doc = layout(&ws2, &rec, &rec.job("fuhan"));
    let got = rendered_paragraphs(&doc);
    let want = reference_paragraphs();
    let at = |p: &[String], s: &str| p.iter().position(|x| x.contains(s)).unwrap();
    assert!(at(&got, "以区政府部门、镇街为被告") < at(&got, "以区政府为被告"));
    assert!(at(&want, "以区政府为被告") < at(&want, "以区政府部门、镇街为被告"));
}

// ------------------------------------------------------------------ numbering

/// Two `yingsu` processes issuing a 督查整改通知书 of the same bureau at the same time get
/// different numbers.
#[test]
fn concurrent_numbers_differ() {
    let dir = tempfile::tempdir().unwrap();
    let _ws = workspace(dir.path(), |t| t);
    let mut children = Vec::new();
    for n in 1..=2 {
        let id = format!("2023-整改-{n}");
        let inp = input(
            dir.path(),
            &id,
            json!({
                "agency": "scjgj",
                "reason": "出庭率未达标",
                "findings": format!("第{n}次督查查明的事实。"),
                "issued_date": "2023-07-05"
            }),
        );
        let child = std::process::Command::new(env!("CARGO_BIN_EXE_yingsu"))
            .arg("-C")
            .arg(dir.path())
            .args(["case", "new", "rectification", &id, "--from"])
            .arg(inp.from.unwrap())
            .env("YINGSU_NOW", "2023-07-05T09:00:00+08:00")
            .env("YINGSU_USER", "测试员")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        children.push((id, child));
    }
    let mut numbers = Vec::new();
    for (id, child) in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let case =
            std::fs::read_to_string(dir.path().join(format!("cases/2023/{id}.yaml"))).unwrap();
        let found: Vec<String> = case
            .lines()
            .filter_map(|l| l.trim().strip_prefix("number: "))
            .map(|s| s.trim_matches('"').to_string())
            .collect();
        assert_eq!(found.len(), 1, "{id}: {case}");
        numbers.extend(found);
    }
    numbers.sort();
    assert_eq!(numbers, ["渝北司函〔2023〕1号", "渝北司函〔2023〕2号"]);
}

// ------------------------------------------------------------------ one route

/// A case's documents made when the step is taken (`case advance`) and made again (`render`)
/// are byte-identical — also when the clerk corrected a fact in `facts:` in the form a clerk
/// writes (`2023年5月9日`), which both routes read in its canonical form. Issued documents are
/// frozen: a later change of facts or configuration is reported and applied only by a re-issue.
#[test]
fn advance_and_render_make_identical_documents() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), |t| t);
    let rec = Recorder::new();
    let notice = yingsu::engine::Input {
        sets: common::NOTICE.iter().map(|s| s.to_string()).collect(),
        from: None,
        again: false,
    };
    yingsu::engine::new_case(
        &ws,
        "appearance",
        "A1",
        &notice,
        &actor("2023-04-20T09:00:00+08:00"),
        &rec,
    )
    .unwrap();
    // The hearing was postponed: the clerk corrects the date in the case file.
    let file = dir.path().join("cases/2023/A1.yaml");
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(text.contains("\nhistory:\n"));
    std::fs::write(
        &file,
        text.replacen(
            "\nhistory:\n",
            "\n  hearing_date: 2023年5月9日\nhistory:\n",
            1,
        ),
    )
    .unwrap();
    step(
        &ws,
        &rec,
        dir.path(),
        "A1",
        "appearance",
        "2023-05-09T09:00:00+08:00",
        json!({"head_appeared": true, "head_spoke": true, "delegates": ["张明，法制科科长"]}),
    );
    let job = rec.job("shouquan");
    assert_eq!(job.data["facts"]["hearing_date"], "2023-05-09");
    assert_eq!(job.data["dates"]["hearing_date"], "2023年5月9日");
    let pdf = std::fs::read(
        dir.path()
            .join("archive/2023/A1/02-appearance-shouquan.pdf"),
    )
    .unwrap();
    let before = snapshot_archive(dir.path());
    let render = |ws: &Workspace, reissue: bool| {
        yingsu::engine::render_cases(
            ws,
            &["A1".to_string()],
            1,
            &TypstRenderer::new(),
            &actor("2023-06-01T09:00:00+08:00"),
            reissue,
        )
        .unwrap()
    };
    let outcome = render(&ws, false);
    // Made again, every issued document is byte for byte what was issued: the one of the step
    // after the correction because both routes read the same facts, the notice's letter (issued
    // before the correction) because it is made from what it received then.
    assert_eq!(outcome.rendered.len(), 2, "{:?}", outcome.rendered);
    assert!(outcome.rendered.iter().all(|d| !d.changed));
    assert_eq!(snapshot_archive(dir.path()), before);
    assert_eq!(
        std::fs::read(
            dir.path()
                .join("archive/2023/A1/02-appearance-shouquan.pdf")
        )
        .unwrap(),
        pdf
    );
    // The difference the correction makes to the issued letter is reported, not applied.
    assert_eq!(outcome.drifts.len(), 1, "{:?}", outcome.drifts);
    assert_eq!(
        outcome.drifts[0].file,
        "archive/2023/A1/01-notice-tishihan.pdf"
    );
    assert!(
        outcome.drifts[0].changed.contains(&"开庭日期".to_string()),
        "{:?}",
        outcome.drifts[0].changed
    );

    // A change of configuration: reported for every document it touches, nothing rewritten.
    let cfg = dir.path().join("yingsu.yaml");
    let text = std::fs::read_to_string(&cfg).unwrap();
    std::fs::write(
        &cfg,
        text.replace("重庆市渝北区市场监督管理局", "重庆市渝北区市场监管局"),
    )
    .unwrap();
    let ws = Workspace::open(dir.path()).unwrap();
    let outcome = render(&ws, false);
    assert!(outcome.rendered.iter().all(|d| !d.changed));
    assert_eq!(snapshot_archive(dir.path()), before);
    assert_eq!(outcome.drifts.len(), 2, "{:?}", outcome.drifts);
    assert!(outcome.drifts.iter().all(|d| {
        d.changed
            .iter()
            .any(|c| c == "被诉单位的信息（yingsu.yaml 的 agencies）")
    }));

    // An explicit re-issue applies it: new PDFs, the same numbers, a history entry.
    let outcome = render(&ws, true);
    assert_eq!(outcome.rendered.iter().filter(|d| d.changed).count(), 2);
    let view = yingsu::engine::load_case(&ws, "A1").unwrap();
    let last = view.case.history.last().unwrap();
    assert_eq!(last.event.as_deref(), Some("重新印发文书"));
    assert_eq!(last.documents.len(), 2);
    let frozen: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("archive/2023/A1/01-notice-tishihan.json"))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(frozen["data"]["agency"]["name"], "重庆市渝北区市场监管局");
    assert_eq!(frozen["data"]["dates"]["hearing_date"], "2023年5月9日");
    // Made again after the re-issue: nothing more to report.
    let outcome = render(&ws, false);
    assert!(outcome.drifts.is_empty(), "{:?}", outcome.drifts);
    assert!(outcome.rendered.iter().all(|d| !d.changed));
}

/// Every file under `archive/` (relative path → bytes).
fn snapshot_archive(root: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    ::walkdir::WalkDir::new(root.join("archive"))
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path()
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

// ------------------------------------------------------------------ a letter in another style

/// A reply written in another bureau's style (`tests/expected/held-out-style-reply.txt`, our own
/// text): its own title, “尊敬的…委员：”, two parts under headings its author chose, run-in
/// sub-headings, no 发文字号, no letterhead and its own closing. Typed as facts only — title,
/// salutation, format and the body as the clerk writes it in Word — it comes out paragraph by
/// paragraph as written, each heading level in its font, with no template or workflow override.
#[test]
fn held_out_style_letter_from_facts_alone() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), |t| t);
    let rec = Recorder::new();
    let text =
        std::fs::read_to_string(root().join("tests/expected/held-out-style-reply.txt")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let (title, salutation, body) = (lines[0], lines[1], &lines[2..]);
    let received = json!({
        "kind": "政协提案",
        "proposal_title": "关于进一步规范行政机关负责人出庭应诉工作的建议",
        "proposer": "张某某、李某某、王某某委员",
        "assigned_date": "2023-03-01",
        "handler": "sfj"
    });
    let drafted = json!({
        "letter_title": title,
        "salutation": salutation,
        "format": "普通",
        "body": body.join("\n"),
    });
    let signed = json!({"sign_date": "2023-05-06"});
    let replied =
        json!({"reply_date": "2023-05-08", "reply_class": "A", "contact": "无", "phone": "无"});
    proposal_case_with(&ws, &rec, dir.path(), (received, drafted, signed, replied));
    let job = rec.job("fuhan");
    assert_eq!(job.data["doc"]["format"], "普通");
    assert!(job.data["doc"]["number"].is_null(), "{}", job.data["doc"]);
    let doc = layout(&ws, &rec, &job);
    check_layout("fuhan (held-out style)", &doc);

    // No letterhead: nothing red on the page, no number.
    let all: Vec<G> = (0..doc.pages().len())
        .flat_map(|i| glyphs(&doc, i))
        .collect();
    assert!(
        all.iter().all(|g| g.fill != Some([255, 0, 0, 255])),
        "red text on a plain letter"
    );
    assert!(
        !all.iter().any(|g| g.text == "〔"),
        "a 发文字号 on a letter that has none"
    );

    // Title lines, the salutation, the paragraphs as typed, signature and date.
    let got = rendered_paragraphs(&doc);
    let mut k = 0;
    let mut head = String::new();
    while head.len() < squeeze(title).len() {
        head.push_str(&got[k]);
        k += 1;
    }
    assert_eq!(head, squeeze(title));
    let mut want: Vec<String> = vec![squeeze(salutation)];
    want.extend(body.iter().map(|l| squeeze(l)));
    want.push("重庆市渝北区司法局".into());
    want.push("2023年5月8日".into());
    compare_paragraphs(&got[k..], &want);

    // Levels by font: 一、 in 黑体, a run-in （一） heading in 楷体 up to its “。”, its text in 仿宋.
    let chars: String = all.iter().map(|g| g.text.as_str()).collect();
    let family_of = |needle: &str| -> Vec<String> {
        let at = chars
            .find(needle)
            .unwrap_or_else(|| panic!("{needle} not found"));
        let start = chars[..at].chars().count();
        all[start..start + needle.chars().count()]
            .iter()
            .map(|g| g.family.clone())
            .collect()
    };
    let only = |needle: &str, family: &str| {
        let fams = family_of(needle);
        assert!(
            fams.iter().all(|f| f == family),
            "{needle}: {fams:?}, expected {family}"
        );
    };
    only("一、全区行政机关负责人出庭应诉工作开展情况", "FandolHei");
    only("（一）严格落实国家及省级规定。", "FandolKai");
    only("我区坚决贯彻", BODY_FONT);
    only("二、下一步工作打算", "FandolHei");
    only("（三）深化诉源治理。", "FandolKai");
    only("首先，衷心感谢", BODY_FONT);
    // The case number in the clerk's text keeps the court's full-width brackets.
    assert!(chars.contains("（2023）渝0112行初31号"));
}

/// Any document's whole body may be the clerk's own: the 整改通知书 written in full (`notice_body`,
/// without findings) comes out paragraph by paragraph as typed, headings in their level's font,
/// framed by the template's header, title, 主送 and signature only.
#[test]
fn a_notice_written_in_full_by_the_clerk() {
    let dir = tempfile::tempdir().unwrap();
    let ws = workspace(dir.path(), |t| t);
    let rec = Recorder::new();
    let body = [
        "区司法局在督查中发现，你单位2023年第二季度行政机关负责人出庭应诉率为零。现通知如下：",
        "一、整改要求",
        "（一）查找原因。逐案分析负责人未出庭应诉的原因，明确责任。",
        "（二）健全机制",
        "建立负责人出庭应诉台账，确保应出尽出。",
        "二、报送期限",
        "请于2023年8月4日前将整改情况书面报送区司法局。",
    ];
    let inp = input(
        dir.path(),
        "rect",
        json!({
            "agency": "scjgj",
            "reason": "出庭率为零",
            "notice_body": body.join("\n"),
            "issued_date": "2023-07-05",
        }),
    );
    yingsu::engine::new_case(
        &ws,
        "rectification",
        "2023-整改-2",
        &inp,
        &actor("2023-07-05T09:00:00+08:00"),
        &rec,
    )
    .unwrap();
    let job = rec.job("zhenggai");
    let doc = layout(&ws, &rec, &job);
    let got = rendered_paragraphs(&doc);
    let at = got
        .iter()
        .position(|p| p == "重庆市渝北区市场监督管理局：")
        .unwrap_or_else(|| panic!("no 主送: {got:#?}"));
    let mut want: Vec<String> = body.iter().map(|l| squeeze(l)).collect();
    want.push("重庆市渝北区司法局".into());
    want.push("2023年7月5日".into());
    // A new office's `yingsu.yaml` has no contact yet (issue 26): the 附注 is the 公开方式.
    want.push("（此件不予公开）".into());
    compare_paragraphs(&got[at + 1..], &want);
    let all: Vec<G> = (0..doc.pages().len())
        .flat_map(|i| glyphs(&doc, i))
        .collect();
    let chars: String = all.iter().map(|g| g.text.as_str()).collect();
    let at = chars.find("（一）查找原因。").unwrap();
    let start = chars[..at].chars().count();
    assert!(
        all[start..start + 8]
            .iter()
            .all(|g| g.family == "FandolKai")
    );
    assert_eq!(all[start + 8].family, BODY_FONT, "the run-in text is 仿宋");
}

/// Each format's header, measured on the page: 文件 — red “…文件” mark, 发文字号 centred with the
/// 文件 prefix; 信函 — red mark without “文件”, 函 number flush right; 纪要 — red “…纪要” mark;
/// 普通 — nothing red, no number, the title on the first line. (The proposal workflow offers
/// 信函 and 普通; this workspace's copy offers all four.)
#[test]
fn each_format_has_its_header() {
    let red = Some([255, 0, 0, 255]);
    for (format, mark, number) in [
        (
            "文件",
            Some("重庆市渝北区司法局文件"),
            Some("渝北司发〔2023〕1号"),
        ),
        (
            "信函",
            Some("重庆市渝北区司法局"),
            Some("渝北司函〔2023〕1号"),
        ),
        (
            "纪要",
            Some("重庆市渝北区司法局纪要"),
            Some("渝北司函〔2023〕1号"),
        ),
        ("普通", None, None),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("workflows")).unwrap();
        std::fs::write(
            dir.path().join("workflows/proposal.yaml"),
            include_str!("../workflows/proposal.yaml")
                .replace("values: [信函, 普通]", "values: [文件, 信函, 纪要, 普通]"),
        )
        .unwrap();
        let ws = workspace(dir.path(), |t| t);
        let rec = Recorder::new();
        let (received, mut drafted, signed, replied) = reference_facts();
        drafted["format"] = json!(format);
        proposal_case_with(&ws, &rec, dir.path(), (received, drafted, signed, replied));
        let job = rec.job("fuhan");
        assert_eq!(job.data["doc"]["format"], format);
        assert_eq!(job.data["doc"]["number"].as_str(), number, "{format}");
        let doc = layout(&ws, &rec, &job);
        let page: Vec<G> = glyphs(&doc, 0);
        let lines = lines(&page);
        let text = |l: &[G]| l.iter().map(|g| g.text.as_str()).collect::<String>();
        let reds: String = page
            .iter()
            .filter(|g| g.fill == red)
            .map(|g| g.text.as_str())
            .collect();
        assert_eq!(reds, mark.unwrap_or(""), "{format}: red text");
        match number {
            Some(n) => {
                let line = lines
                    .iter()
                    .find(|l| text(l) == n)
                    .unwrap_or_else(|| panic!("{format}: no number line {n}"));
                let (left, right) = (line[0].x, {
                    let g = line.last().unwrap();
                    g.x + g.advance
                });
                let centre = (left + right) / 2.0;
                if format == "信函" {
                    // Flush right at the text area's right edge.
                    assert!(near(right, (28.0 + 156.0) * MM, 1.5), "{format}: {right}");
                } else {
                    assert!(near(centre, (28.0 + 78.0) * MM, 1.5), "{format}: {centre}");
                }
            }
            None => {
                assert!(!page.iter().any(|g| g.text == "〔"), "{format}: a number");
                assert_eq!(
                    text(&lines[0]),
                    "重庆市渝北区司法局",
                    "{format}: first line"
                );
            }
        }
    }
}
