//! Typography to the grid (GB/T 9704-2012: 28 characters × 22 lines), measured on the PDFs
//! themselves with `pdftotext -bbox-layout`: every demo document, and a generated corpus of
//! documents whose paragraphs put punctuation at every position of the line, mixed with numbers,
//! 案号, 发文字号, dates and quotation marks.
//!
//! `YINGSU_TYPO_LIBRARY=<file.typ>` typesets the corpus with another layout library and
//! `YINGSU_TYPO_DEMO=<dir>` checks an existing demo folder, both only reporting (for before/after
//! comparisons); `YINGSU_TYPO_DOCS=<n>` sets the corpus size, `YINGSU_TYPO_KEEP=<dir>` keeps its PDFs.

mod common;
#[path = "typography/check.rs"]
mod typography;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use typography::Counts;
use yingsu::document::protected_names;
use yingsu::typeset::{Job, LAYOUT_LIBRARY_PATH, Typesetter};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn report(what: &str, c: &Counts) {
    eprintln!("{what}: {}", c.summary());
    let mut examples: Vec<&String> = c.examples.iter().filter(|e| e.contains("other")).collect();
    examples.extend(c.examples.iter().filter(|e| !e.contains("other")));
    for e in examples.into_iter().take(40) {
        eprintln!("  {e}");
    }
}

/// What the layout library achieves, as measured. The paragraph's lines are chosen together
/// (yingsu's `src/typeset/linebreak.rs`): hanging and compressed punctuation anywhere in the
/// paragraph, and the space between a run of Latin letters or digits and the Chinese characters
/// next to it (up to whole cells and a quarter cell a side), keep the grid, protected terms whole
/// and last lines at two characters or more. Where nothing of that helps — a long 案号 or 发文字号
/// after text without punctuation to compress or numbers to space — one of the two must give:
/// either the line before the term is left short (off the grid) or the term breaks (at a joint:
/// after its year, before its 〔, after 年 or 月). So off-grid lines and split terms are held at
/// the numbers measured (`max_off_grid`, `max_split`: a change to the layout library that makes
/// either worse fails here); lone last characters, headings at a page foot and text off the
/// text area are none. Organisation names (up to 17 characters here) weigh like a term's joint.
fn assert_targets(what: &str, c: &Counts, max_off_grid: usize, max_split: usize, max_names: usize) {
    report(what, c);
    assert!(c.full_lines > 0 && c.terms > 0, "{what}: nothing measured");
    assert!(
        c.off_grid <= max_off_grid,
        "{what}: {} of {} full lines off the grid (measured at most {max_off_grid})",
        c.off_grid,
        c.full_lines
    );
    assert!(
        c.split_terms <= max_split,
        "{what}: {} of {} protected terms split (measured at most {max_split})",
        c.split_terms,
        c.terms
    );
    assert!(
        c.split_names <= max_names,
        "{what}: {} of {} organisation names split (measured at most {max_names})",
        c.split_names,
        c.names
    );
    assert_eq!(c.lone, 0, "{what}: paragraphs ending with a lone character");
    assert_eq!(c.headings_at_foot, 0, "{what}: headings ending a page");
    assert_eq!(c.off_page, 0, "{what}: text off the text area");
}

#[test]
fn demo_documents_hold_the_grid() {
    if let Some(dir) = std::env::var_os("YINGSU_TYPO_DEMO") {
        let names = protected_names(&yingsu::Workspace::open(Path::new(&dir)).unwrap().config);
        report("demo", &typography::check_dir(Path::new(&dir), &names));
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    common::demo_at(&dir);
    let names = protected_names(&yingsu::Workspace::open(&dir).unwrap().config);
    let c = typography::check_dir(&dir, &names);
    assert!(c.documents >= 50, "{} documents", c.documents);
    // Measured: 13 of 642 full lines off the grid, 39 of 207 terms and 18 of 255 organisation
    // names split, 8 lines kept on the grid by the space around their Latin runs, no break
    // between two digits of a term where a stretched line could avoid it (before that space:
    // 16, 42 and 18; with the document kinds of issue 12: the 提示函 plain, numbers in
    // full-width brackets; before, 14 of 626, 39 and 18; line by line, before the paragraph was
    // broken as a whole: 14, 52 and 23). Issue 26: the demo's notices opened by `check` (7
    // notices instead of 3 typed) add 37 full lines and two more of the 整改通知书's fixed
    // “……现将督查整改有关事项通知 / 如下：” off the grid: 15 of 679.
    assert_targets("demo", &c, 15, 39, 18);
}

// ------------------------------------------------------------------ corpus

/// A small deterministic generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.below(xs.len())]
    }
}

const HAN: &str = "行政机关负责人出庭应诉工作情况通报区政府部门镇街案件审理判决程序违法撤销决定法制审核把关责任人员批评教育整改落实监督检查制度建设规范提高水平依法履职推进常态化";
const WORDS: &[&str] = &[
    "行政机关",
    "负责人",
    "出庭应诉",
    "人民法院",
    "司法局",
    "审核把关",
    "整改措施",
    "法治政府",
    "案件",
    "程序",
    "应诉",
    "复议",
    "执法",
    "督查",
    "通报",
    "落实",
    "规定",
    "建议",
    "意见",
];
const CASES: &[&str] = &[
    "（2023）渝0112行初123号",
    "(2023)渝0112行初31号",
    "（2022）渝01行终45号",
    "国办发〔2016〕54号",
    "渝北司发〔2023〕9号",
    "2023年6月1日",
    "2023年12月31日",
    "5月8日",
];
/// Organisation names, as `yingsu.yaml` would give them (the demo's, longest first).
const ORGS: &[&str] = &[
    "重庆市渝北区人民政府龙溪街道办事处",
    "重庆市渝北区住房和城乡建设委员会",
    "重庆市渝北区人力资源和社会保障局",
    "重庆市渝北区市场监督管理局",
    "重庆市渝北区规划和自然资源局",
    "重庆市第一中级人民法院",
    "重庆市渝北区人民法院",
    "重庆市渝北区司法局",
    "区规划自然资源局",
    "区住房城乡建委",
    "区市场监管局",
    "区人力社保局",
    "区生态环境局",
    "龙溪街道",
    "木耳镇",
];
const NUMBERS: &[&str] = &[
    "86件",
    "94.2%",
    "3.5个百分点",
    "21个",
    "100%",
    "2023年",
    "第二季度",
    "12",
];

/// One sentence: words, numbers and terms with commas and enumeration marks.
fn sentence(r: &mut Rng) -> String {
    let han: Vec<char> = HAN.chars().collect();
    let mut s = String::new();
    let parts = 2 + r.below(5);
    for p in 0..parts {
        let len = 1 + r.below(9);
        for _ in 0..len {
            match r.below(10) {
                0..=4 => s.push(han[r.below(han.len())]),
                5..=7 => s.push_str(r.pick(WORDS)),
                8 => s.push_str(r.pick(NUMBERS)),
                _ => match r.below(6) {
                    0 | 1 => s.push_str(r.pick(CASES)),
                    2 => s.push_str(r.pick(ORGS)),
                    _ => s.push(han[r.below(han.len())]),
                },
            }
        }
        match r.below(12) {
            0 => s = format!("“{s}”"),
            1 => s.push_str(&format!("（{}）", r.pick(WORDS))),
            2 => s.push_str(&format!("《{}》", r.pick(WORDS))),
            3 => s.push_str("——"),
            _ => {}
        }
        if p + 1 < parts {
            s.push_str(
                r.pick(&["，", "，", "，", "、", "；", "：", "，“", "）、"])
                    .trim_end_matches('）'),
            );
        }
    }
    let end = r.pick(&["。", "。", "。", "；", "！", "？", "。”", "）。", "……"]);
    if end == "。”" {
        s = format!("{}“{s}{end}", r.pick(WORDS));
    } else if end == "）。" {
        s = format!("{s}（{}{end}", r.pick(WORDS));
    } else {
        s.push_str(end);
    }
    s
}

/// One paragraph of 1 to 9 sentences; `lead` characters put the first break at each position.
fn paragraph(r: &mut Rng, lead: usize) -> String {
    let han: Vec<char> = HAN.chars().collect();
    let mut s: String = (0..lead).map(|_| han[r.below(han.len())]).collect();
    for _ in 0..1 + r.below(9) {
        s.push_str(&sentence(r));
    }
    s
}

fn corpus_blocks(seed: u64) -> Vec<Value> {
    let mut r = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut blocks = Vec::new();
    let n = 6 + r.below(10);
    for i in 0..n {
        match r.below(8) {
            0 => blocks.push(json!({"kind": "h1", "text": r.pick(WORDS).to_string() + r.pick(WORDS)})),
            1 => blocks.push(json!({"kind": "h2", "text": r.pick(WORDS).to_string() + "情况"})),
            2 => blocks.push(json!({"kind": "h3", "text": r.pick(WORDS).to_string() + "。", "body": paragraph(&mut r, 0)})),
            _ => blocks.push(json!({"kind": "p", "text": paragraph(&mut r, (seed as usize * 7 + i * 3) % 30)})),
        }
    }
    blocks
}

fn corpus_data(seed: u64) -> Value {
    let mut blocks = corpus_blocks(seed);
    if seed == 0 {
        blocks.push(json!({"kind": "p", "text": "A".repeat(5000)}));
        blocks.push(json!({"kind": "p", "text": "长串数字：".to_string() + &"1234567890".repeat(500) + "。"}));
    }
    json!({
        "org": "重庆市渝北区司法局文件",
        "number": format!("渝北司发〔2023〕{}号", seed + 1),
        "title": "重庆市渝北区司法局关于行政机关负责人出庭应诉情况的通报",
        "to": "区政府各部门，各镇人民政府、街道办事处",
        "signature": "重庆市渝北区司法局",
        "date": "2023年5月8日",
        "blocks": blocks,
        "protected": ORGS,
    })
}

#[test]
fn generated_corpus_holds_the_grid() {
    let docs: u64 = std::env::var("YINGSU_TYPO_DOCS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(300);
    let other = std::env::var_os("YINGSU_TYPO_LIBRARY");
    let ts = Typesetter::new(&[root().join("fonts")]).unwrap();
    let main = std::fs::read_to_string(root().join("templates/samples/gongwen.typ")).unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap();
    let jobs: Vec<Job> = (0..docs)
        .map(|seed| {
            let mut job = Job::new(
                main.clone(),
                corpus_data(seed),
                date,
                format!("typo-{seed}"),
            );
            if let Some(lib) = &other {
                let text = std::fs::read_to_string(lib).unwrap();
                job.files
                    .insert(LAYOUT_LIBRARY_PATH.to_string(), text.into());
            }
            job
        })
        .collect();
    let tmp = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let pdfs = ts.render_batch(&jobs, 2);
    eprintln!("typeset {docs} documents in {:.1?}", started.elapsed());
    for (seed, pdf) in pdfs.into_iter().enumerate() {
        let pdf = pdf.unwrap_or_else(|e| panic!("document {seed}: {e}"));
        std::fs::write(tmp.path().join(format!("doc-{seed:04}.pdf")), pdf).unwrap();
    }
    let names: Vec<String> = ORGS.iter().map(|s| s.to_string()).collect();
    let c = typography::check_dir(tmp.path(), &names);
    if let Some(keep) = std::env::var_os("YINGSU_TYPO_KEEP") {
        for e in std::fs::read_dir(tmp.path()).unwrap() {
            let p = e.unwrap().path();
            std::fs::copy(&p, Path::new(&keep).join(p.file_name().unwrap())).unwrap();
        }
    }
    assert_eq!(c.documents as u64, docs);
    if other.is_some() {
        report("corpus", &c);
        return;
    }
    // Measured on 300 documents: 122 of 21,892 full lines off the grid, 504 of 7,786 terms and
    // 527 of 4,150 organisation names split, 292 lines kept on the grid by the space around
    // their Latin runs (before that space: 171, 564 and 585; line by line, before the paragraph
    // was broken as a whole: 618, 1,236 and 1,322).
    if docs == 300 {
        assert_targets("corpus", &c, 122, 504, 527);
    } else {
        report("corpus", &c);
    }
}
