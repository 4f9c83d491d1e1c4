//! Attachments (issue 29, item 6): a judgment placed in a case with `yingsu case attach` is
//! appended after the loss report as its 附件 — measured from the laid-out report (pages, the
//! 附件N mark at the top left of each attachment's first page, page numbers continuing), the
//! issued PDF reproduced byte for byte from its frozen record, a changed file reported precisely,
//! and hostile inputs refused with nothing written.

mod common;

use std::path::Path;

use common::frames::{glyphs, lines, text_of};
use common::{actor_at, notice, run_env, sets, snapshot};
use serde_json::json;
use yingsu::Workspace;
use yingsu::engine::{self, Upload};
use yingsu::render::TypstRenderer;

const ID: &str = "A1";
const NOW: &str = "2023-08-01T09:00:00+08:00";

/// One point in millimetres.
const MM: f64 = 72.0 / 25.4;

/// A case of the appearance workflow lost at judgment, waiting for its loss report.
fn lost_case(ws: &Workspace, r: &TypstRenderer) {
    let step = |step: &str, at: &str, pairs: &[&str]| {
        engine::advance(ws, ID, step, &sets(pairs), &actor_at(at), r).unwrap();
    };
    engine::new_case(
        ws,
        "appearance",
        ID,
        &notice(ID),
        &actor_at("2023-04-20T09:00:00+08:00"),
        r,
    )
    .unwrap();
    step(
        "appearance",
        "2023-05-08T17:00:00+08:00",
        &["head_appeared=true"],
    );
    step(
        "judgment",
        "2023-07-10T10:00:00+08:00",
        &[
            "judgment_date=2023-07-10",
            "judgment_number=(2023)渝0112行初5号行政判决书",
            "effective_date=2023-07-26",
            "outcome=撤销",
        ],
    );
}

fn loss_review(ws: &Workspace, r: &TypstRenderer) {
    engine::advance(
        ws,
        ID,
        "loss_review",
        &sets(&[
            "loss_causes=未履行告知程序",
            "responsibility=承办科室负直接责任。",
            "measures=建立告知程序清单",
            "lessons=程序合法是行政行为合法的前提。",
            "report_date=2023-08-10",
        ]),
        &actor_at("2023-08-10T10:00:00+08:00"),
        r,
    )
    .unwrap();
}

/// A PDF of two A5 pages, typeset by yingsu's Typst.
fn two_page_pdf(ws: &Workspace, r: &TypstRenderer) -> Vec<u8> {
    let job = yingsu::typeset::Job::new(
        "#set page(paper: \"a5\")\n#set text(font: \"FandolSong\")\n判决书第一页\n#pagebreak()\n判决书第二页\n",
        json!(null),
        chrono::NaiveDate::from_ymd_opt(2023, 7, 10).unwrap(),
        "judgment",
    );
    r.typesetter(ws).unwrap().pdf(&job).unwrap()
}

/// A 3×4 grey PNG (stored, uncompressed zlib).
fn png() -> Vec<u8> {
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let mut c = kind.to_vec();
        c.extend(data);
        out.extend(&c);
        out.extend(crc32fast::hash(&c).to_be_bytes());
    }
    let (w, h) = (3u32, 4u32);
    let mut raw = Vec::new();
    for _ in 0..h {
        raw.push(0);
        raw.extend(std::iter::repeat_n(180u8, 3 * w as usize));
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in &raw {
        a = (a + u32::from(*byte)) % 65521;
        b = (b + a) % 65521;
    }
    let mut z = vec![0x78, 0x01, 0x01];
    z.extend((raw.len() as u16).to_le_bytes());
    z.extend((!(raw.len() as u16)).to_le_bytes());
    z.extend(&raw);
    z.extend(((b << 16) | a).to_be_bytes());
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &ihdr);
    chunk(&mut out, b"IDAT", &z);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn sha(bytes: &[u8]) -> String {
    yingsu::archive::sha256(bytes)
}

/// The workspace with the case, its two attachments given as files in a separate folder.
struct Setup {
    _dir: tempfile::TempDir,
    _given: tempfile::TempDir,
    root: std::path::PathBuf,
    pdf: std::path::PathBuf,
    png: std::path::PathBuf,
    renderer: TypstRenderer,
}

fn setup() -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let given = tempfile::tempdir().unwrap();
    let root = dir.path().to_path_buf();
    let ws = common::workspace(&root);
    let renderer = TypstRenderer::new();
    lost_case(&ws, &renderer);
    let pdf = given.path().join("判决书.pdf");
    std::fs::write(&pdf, two_page_pdf(&ws, &renderer)).unwrap();
    let png_path = given.path().join("送达回证.png");
    std::fs::write(&png_path, png()).unwrap();
    Setup {
        _dir: dir,
        _given: given,
        root,
        pdf,
        png: png_path,
        renderer,
    }
}

fn attach(s: &Setup, file: &Path, title: &str) -> (i32, String, String) {
    run_env(
        &s.root,
        &[
            "case",
            "attach",
            ID,
            file.to_str().unwrap(),
            "--title",
            title,
        ],
        NOW,
        &[],
    )
}

/// The loss report in the case's archive folder.
fn report(root: &Path) -> std::path::PathBuf {
    std::fs::read_dir(root.join("archive/2023/A1"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.to_string_lossy().ends_with("-loss_review-baisu.pdf"))
        .unwrap()
}

#[test]
fn attachments_follow_the_report_numbered_with_pages_continuing() {
    let s = setup();
    let pdf_sha = sha(&std::fs::read(&s.pdf).unwrap());
    let png_sha = sha(&png());
    let (code, out, err) = attach(&s, &s.pdf, "（2023）渝0112行初5号行政判决书");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "已为案件 A1 添加附件1《（2023）渝0112行初5号行政判决书》（第 4 条办理记录）：\n  attachments/A1/1.pdf  2 页  SHA-256 {pdf_sha}（原文件 判决书.pdf）\n"
        )
    );
    let (code, out, err) = attach(&s, &s.png, "送达回证");
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        format!(
            "已为案件 A1 添加附件2《送达回证》（第 5 条办理记录）：\n  attachments/A1/2.png  1 页  SHA-256 {png_sha}（原文件 送达回证.png）\n"
        )
    );
    // The files are copies under names yingsu chose; the history says who, when, which, hash.
    assert_eq!(
        std::fs::read(s.root.join("attachments/A1/1.pdf")).unwrap(),
        std::fs::read(&s.pdf).unwrap()
    );
    let case = std::fs::read_to_string(s.root.join("cases/2023/A1.yaml")).unwrap();
    assert!(
        case.ends_with(&format!(
            "  - event: 添加附件\n    at: 2023-08-01T09:00:00+08:00\n    by: 测试员\n    attachments:\n      - title: 送达回证\n        files:\n          - file: attachments/A1/2.png\n            from: 送达回证.png\n            sha256: {png_sha}\n            pages: 1\n"
        )),
        "{case}"
    );
    let (_, show, _) = run_env(&s.root, &["case", "show", ID], NOW, &[]);
    assert!(
        show.contains("附件：\n  附件1《（2023）渝0112行初5号行政判决书》  2 页  attachments/A1/1.pdf\n  附件2《送达回证》  1 页  attachments/A1/2.png\n"),
        "{show}"
    );

    let ws = Workspace::open(&s.root).unwrap();
    loss_review(&ws, &s.renderer);
    // Laid out again from its frozen record, which must give the archived bytes.
    let report = report(&s.root);
    assert!(report.ends_with("06-loss_review-baisu.pdf"));
    let doc = common::text::archived_layout(&ws, &s.renderer, &report);
    let pages = doc.pages().len();
    let page_lines =
        |p: usize| -> Vec<String> { lines(&glyphs(&doc, p)).iter().map(|l| text_of(l)).collect() };
    // The 附件说明 lists both, numbered, with their titles.
    let all: Vec<String> = (0..pages).flat_map(page_lines).collect();
    let note = all.iter().position(|l| l.starts_with("附件：")).unwrap();
    assert_eq!(all[note], "附件：1.（2023）渝0112行初5号行政判决书");
    assert_eq!(all[note + 1], "2.送达回证");
    // The attachment pages: the first carrying “附件1” alone at the top left, then its second
    // page, then “附件2”; each page numbered on from the report.
    let first = (0..pages)
        .find(|p| page_lines(*p).first().map(String::as_str) == Some("附件1"))
        .unwrap();
    assert_eq!(page_lines(first), ["附件1", &number_text(first + 1)]);
    assert_eq!(page_lines(first + 1), [number_text(first + 2)]);
    assert_eq!(page_lines(first + 2), ["附件2", &number_text(first + 3)]);
    // The report takes two pages, the attachments three (pages 3–5), and the 版记 follows on
    // the last, even, page.
    assert_eq!((first, pages), (2, 6));
    for p in [first, first + 2] {
        let mark = &lines(&glyphs(&doc, p))[0];
        // Flush left in the type area (28 mm from the page's left edge), 三号 (16 pt) 黑体.
        assert!((mark[0].x - 28.0 * MM).abs() < 0.5, "{}", mark[0].x);
        assert!(mark[0].family.contains("Hei"), "{}", mark[0].family);
        assert!((mark[0].size - 16.0).abs() < 0.01, "{}", mark[0].size);
        // On the first line of the type area (37 mm from the top).
        assert!(
            mark[0].y > 37.0 * MM && mark[0].y < 37.0 * MM + 16.0,
            "{}",
            mark[0].y
        );
    }
    // Page numbers (4号, 14 pt): on odd pages ending one character in from the type area's
    // right edge (184 mm), on even pages starting one character in from its left edge (28 mm).
    for p in first..first + 3 {
        let line = lines(&glyphs(&doc, p)).pop().unwrap();
        let last = line.last().unwrap();
        let (left, right) = (line[0].x, last.x + last.advance);
        assert!((line[0].size - 14.0).abs() < 0.01);
        if (p + 1) % 2 == 1 {
            assert!(
                (right - (184.0 * MM - 14.0)).abs() < 0.5,
                "page {}: {right}",
                p + 1
            );
        } else {
            assert!(
                (left - (28.0 * MM + 14.0)).abs() < 0.5,
                "page {}: {left}",
                p + 1
            );
        }
    }
    // The attached pages are images in the type area, not text.
    let images = |p: usize| count_images(&doc.pages()[p].frame);
    assert_eq!(
        [images(first), images(first + 1), images(first + 2)],
        [1, 1, 1]
    );

    // Made again: unchanged; removed: restored byte for byte from the record.
    let issued = std::fs::read(&report).unwrap();
    let (code, out, err) = run_env(&s.root, &["render", ID], NOW, &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("不变 archive/2023/A1/06-loss_review-baisu.pdf"),
        "{out}"
    );
    std::fs::remove_file(&report).unwrap();
    let (code, _, err) = run_env(&s.root, &["render", ID], NOW, &[]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(&report).unwrap(), issued);
}

/// A page number as the report prints it: 4号 半角 “— N —”.
fn number_text(n: usize) -> String {
    format!("— {n} —")
}

fn count_images(frame: &typst::layout::Frame) -> usize {
    frame
        .items()
        .map(|(_, item)| match item {
            typst::layout::FrameItem::Group(g) => count_images(&g.frame),
            typst::layout::FrameItem::Image(..) => 1,
            _ => 0,
        })
        .sum()
}

#[test]
fn a_changed_attachment_is_reported_by_render_and_validate() {
    let s = setup();
    assert_eq!(attach(&s, &s.png, "送达回证").0, 0);
    let ws = Workspace::open(&s.root).unwrap();
    loss_review(&ws, &s.renderer);
    let (code, _, err) = run_env(&s.root, &["render", ID], NOW, &[]);
    assert_eq!(code, 0, "{err}");
    let report = report(&s.root);
    let issued = std::fs::read(&report).unwrap();
    let mut changed = png();
    changed.push(0);
    std::fs::write(s.root.join("attachments/A1/1.png"), &changed).unwrap();
    let (old, new) = (sha(&png()), sha(&changed));
    let (code, out, err) = run_env(&s.root, &["render", ID], NOW, &[]);
    assert_eq!(code, 1, "{out}");
    assert_eq!(
        err,
        format!(
            "错误：《行政诉讼败诉案件总结报告》（案件 A1）的附件1《送达回证》的文件 attachments/A1/1.png 已改变：印发时的 SHA-256 为 {old}，现在为 {new}\n = 帮助：请恢复该文件（例如用 git 取回：git checkout -- attachments/A1/1.png），或按现在的附件重新印发该文书：yingsu render --reissue A1\n"
        )
    );
    assert_eq!(std::fs::read(&report).unwrap(), issued);
    let (code, _, err) = run_env(&s.root, &["validate"], NOW, &[]);
    assert_ne!(code, 0);
    assert!(
        err.contains(&format!(
            "错误：案件 A1 的第 1 个附件《送达回证》的文件 attachments/A1/1.png 已改变：添加时的 SHA-256 为 {old}，现在为 {new}；印发的《行政诉讼败诉案件总结报告（"
        )),
        "{err}"
    );
    // Gone altogether.
    std::fs::remove_file(s.root.join("attachments/A1/1.png")).unwrap();
    let (code, _, err) = run_env(&s.root, &["render", ID], NOW, &[]);
    assert_eq!(code, 1);
    assert!(
        err.starts_with(&format!(
            "错误：《行政诉讼败诉案件总结报告》（案件 A1）的附件1《送达回证》的文件 attachments/A1/1.png 不存在（印发时的 SHA-256 为 {old}）\n"
        )),
        "{err}"
    );
}

#[test]
fn hostile_inputs_are_refused_and_nothing_is_written() {
    let s = setup();
    let before = snapshot(&s.root);
    // A symbolic link given as the file (to a victim in another folder).
    let victim = tempfile::tempdir().unwrap();
    let secret = victim.path().join("secret.pdf");
    std::fs::write(&secret, b"%PDF-1.7 secret").unwrap();
    let link = victim.path().join("link.pdf");
    std::os::unix::fs::symlink(&secret, &link).unwrap();
    let (code, _, err) = attach(&s, &link, "判决书");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        format!(
            "错误：“{}”是符号链接，不能作为附件\n = 帮助：请直接指定文件本身，不要指定指向它的链接\n",
            link.display()
        )
    );
    // Not a PDF whatever its name says.
    let fake = victim.path().join("判决书.pdf");
    std::fs::write(&fake, b"<html>not a pdf</html>").unwrap();
    let (code, _, err) = attach(&s, &fake, "判决书");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：文件“判决书.pdf”不是 PDF、PNG 或 JPEG 文件（按文件内容判断，与扩展名无关）\n = 帮助：附件可以是一个 PDF 文件（法院送达的判决书），或扫描得到的一页或多页 PNG/JPEG 图片（按页序给出）\n"
    );
    // A PDF header on something that is no PDF.
    std::fs::write(&fake, b"%PDF-1.7 truncated").unwrap();
    let (code, _, err) = attach(&s, &fake, "判决书");
    assert_eq!(code, 1);
    assert_eq!(
        err,
        "错误：文件“判决书.pdf”无法作为 PDF 读取（文件已损坏、加密或没有页面）\n = 帮助：请取得未加密的完整 PDF 后再添加，或改用扫描图片\n"
    );
    // A name with folders in it (as a browser's upload may carry).
    let ws = Workspace::open(&s.root).unwrap();
    let err = engine::attach(
        &ws,
        ID,
        &[Upload {
            name: "../../x.pdf".into(),
            bytes: std::fs::read(&s.pdf).unwrap(),
        }],
        None,
        &actor_at(NOW),
        &s.renderer,
    )
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "错误：文件名“../../x.pdf”不可用：含有“/”或“\\”，只能是文件名本身，不能带目录\n = 帮助：附件保存时的文件名由 yingsu 决定；请给出文件本身\n"
    );
    // A PDF together with an image.
    let (code, _, err) = run_env(
        &s.root,
        &[
            "case",
            "attach",
            ID,
            s.pdf.to_str().unwrap(),
            s.png.to_str().unwrap(),
        ],
        NOW,
        &[],
    );
    assert_eq!(code, 1);
    assert!(
        err.starts_with("错误：一次只能添加一个 PDF 文件，且不能与图片混在一起\n"),
        "{err}"
    );
    assert_eq!(snapshot(&s.root), before);
    assert_eq!(std::fs::read(&secret).unwrap(), b"%PDF-1.7 secret");
}

#[test]
fn an_attachments_folder_linked_out_of_the_workspace_is_refused() {
    let s = setup();
    let victim = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(victim.path(), s.root.join("attachments")).unwrap();
    let before = snapshot(&s.root);
    let (code, _, err) = attach(&s, &s.png, "送达回证");
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("attachments/A1/1.png"), "{err}");
    assert_eq!(snapshot(&s.root), before);
    assert_eq!(std::fs::read_dir(victim.path()).unwrap().count(), 0);
}

/// POSTs a `multipart/form-data` body of `fields` and `files` (field, file name, bytes) to the
/// workbench: the status and the body.
fn post_multipart(
    served: &common::http::Served,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &str, &[u8])],
) -> (u16, String) {
    use std::io::{Read, Write};
    let boundary = "----yingsu-test-boundary";
    let mut body = Vec::new();
    for (k, v) in fields {
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n")
                .as_bytes(),
        );
    }
    for (k, name, bytes) in files {
        body.extend(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"; filename=\"{name}\"\r\nContent-Type: application/octet-stream\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend(*bytes);
        body.extend(b"\r\n");
    }
    body.extend(format!("--{boundary}--\r\n").as_bytes());
    let mut s = std::net::TcpStream::connect(("127.0.0.1", served.port)).unwrap();
    let head = format!(
        "POST {path} HTTP/1.1\r\nConnection: close\r\nHost: {}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\nContent-Length: {}\r\n\r\n",
        served.host(),
        body.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(&body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text.split(' ').nth(1).unwrap().parse().unwrap();
    (status, text)
}

#[test]
fn the_case_page_attaches_through_the_same_call() {
    let s = setup();
    let served = common::http::serve(&s.root);
    let page = format!("/case/{ID}");
    assert!(served.get(&page).text().contains("添加附件（判决书）"));
    let token = served.token(&page);
    let action = format!("/case/{ID}/attach");
    let pdf = std::fs::read(&s.pdf).unwrap();
    // Without the form's token: refused, nothing written.
    let before = snapshot(&s.root);
    let (status, _) = post_multipart(&served, &action, &[], &[("file", "判决书.pdf", &pdf)]);
    assert_eq!(status, 403);
    // A hostile name: refused with its message, nothing written.
    let (status, text) = post_multipart(
        &served,
        &action,
        &[("_csrf", &token)],
        &[("file", "../../x.pdf", &pdf)],
    );
    assert_eq!(status, 422);
    // The page escapes the message (“/” as &#x2f;).
    assert!(
        text.contains(
            "文件名“..&#x2f;..&#x2f;x.pdf”不可用：含有“&#x2f;”或“\\”，只能是文件名本身，不能带目录"
        ),
        "{text}"
    );
    assert_eq!(snapshot(&s.root), before);
    // The judgment, titled: placed as `case attach` places it.
    let (status, text) = post_multipart(
        &served,
        &action,
        &[
            ("_csrf", &token),
            ("title", "（2023）渝0112行初5号行政判决书"),
        ],
        &[("file", "判决书.pdf", &pdf)],
    );
    assert_eq!(status, 303, "{text}");
    assert_eq!(
        std::fs::read(s.root.join("attachments/A1/1.pdf")).unwrap(),
        pdf
    );
    let case = std::fs::read_to_string(s.root.join("cases/2023/A1.yaml")).unwrap();
    assert!(
        case.ends_with(&format!(
            "  - event: 添加附件\n    at: 2023-05-08T09:00:00+08:00\n    by: 测试员\n    attachments:\n      - title: （2023）渝0112行初5号行政判决书\n        files:\n          - file: attachments/A1/1.pdf\n            from: 判决书.pdf\n            sha256: {}\n            pages: 2\n",
            sha(&pdf)
        )),
        "{case}"
    );
    assert!(served.get(&page).text().contains(
        "<li>（2023）渝0112行初5号行政判决书（attachments&#x2f;A1&#x2f;1.pdf，2 页）</li>"
    ));
}
