//! No number reused, every issued file checked against its record (issue 25): a number
//! registry deleted, emptied or cut short is refused before a number is given and restored by
//! `validate` and `render --all` from the issued documents' records; an issued PDF deleted,
//! cut short or altered, a frozen record's number or data edited, a PDF altered with its hashes
//! forged — each reported by `validate` with which file changed and what to do, and never kept
//! by `render --all` as the issued document.
//!
//! Every workspace is built as git delivers it: no lock file, no derived index.

use std::path::{Path, PathBuf};

mod common;

const T: &str = "2023-04-10T09:00:00+08:00";
const LATER: &str = "2023-04-12T09:00:00+08:00";
const REGISTRY: &str = "archive/numbers/渝北司函-2023.tsv";
const CASE: &str = "cases/2023/ZG-2023Q1-1.yaml";

fn yingsu(dir: &Path, args: &[&str], now: &str) -> (i32, String, String) {
    common::run_env(dir, args, now, &[])
}

fn ok(dir: &Path, args: &[&str], now: &str) -> String {
    let (code, out, err) = yingsu(dir, args, now);
    assert_eq!(code, 0, "yingsu {args:?} failed:\n{out}\n{err}");
    out
}

/// `case new rectification <id>`: two numbered documents (督查整改通知书, 约谈通知书).
fn rectification(dir: &Path, id: &str, now: &str) -> (i32, String, String) {
    yingsu(
        dir,
        &[
            "case",
            "new",
            "rectification",
            id,
            "--set",
            "agency=scjgj",
            "--set",
            "reason=出庭率为零",
            "--set",
            "period=2023年第一季度",
            "--set",
            "findings=第一季度开庭3件，负责人出庭0件。",
            "--set",
            "issued_date=2023-04-10",
            "--set",
            "interview=true",
            "--set",
            "interview_time=2023年4月17日上午9时30分",
            "--set",
            "interview_place=区司法局三楼会议室",
        ],
        now,
    )
}

/// A workspace holding one rectification case with its two numbered documents, as a clone
/// delivers it (no lock file, no derived files); its two PDFs.
fn issued() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."], T);
    let (code, out, err) = rectification(dir.path(), "ZG-2023Q1-1", T);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("督查整改通知书（渝北司函〔2023〕1号）"),
        "{out}"
    );
    assert!(out.contains("约谈通知书（渝北司函〔2023〕2号）"), "{out}");
    as_cloned(dir.path());
    let pdfs = pdfs(dir.path());
    assert_eq!(pdfs.len(), 2, "{pdfs:?}");
    (dir, pdfs[0].clone(), pdfs[1].clone())
}

/// What git would not deliver: the lock file and the derived files.
fn as_cloned(root: &Path) {
    let _ = std::fs::remove_file(root.join(".yingsu.lock"));
    let _ = std::fs::remove_dir_all(root.join(".yingsu"));
}

/// The case's PDFs, in order.
fn pdfs(root: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(root.join("archive/2023/ZG-2023Q1-1"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "pdf"))
        .collect();
    out.sort();
    out
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap().to_string_lossy().into_owned()
}

fn json_of(pdf: &Path) -> PathBuf {
    pdf.with_extension("json")
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

/// The registry as the issuing command wrote it.
fn registry_lines(root: &Path) -> Vec<String> {
    read(&root.join(REGISTRY))
        .lines()
        .map(str::to_string)
        .collect()
}

/// The PDF whose frozen record holds 渝北司函〔2023〕`n`号.
fn numbered(root: &Path, n: u32) -> PathBuf {
    let want = format!("渝北司函〔2023〕{n}号");
    pdfs(root)
        .into_iter()
        .find(|p| {
            let v: serde_json::Value = serde_json::from_str(&read(&json_of(p))).unwrap();
            v["number"] == want.as_str()
        })
        .unwrap()
}

/// The refusal of a third document while the registry lacks numbers `lacking`, then the
/// restoration by `validate` (or `render --all`), then the next numbers are 3 and 4.
fn lost_registry(damage: impl Fn(&Path), lacking: &[u32], restorer: &[&str]) {
    let (dir, _, _) = issued();
    let root = dir.path();
    let before = registry_lines(root);
    assert_eq!(before.len(), 2, "{before:?}");
    damage(root);
    let damaged = std::fs::read(root.join(REGISTRY)).ok();
    // Allocation refused before any number is given: nothing written.
    let (code, out, err) = rectification(root, "ZG-2023Q1-2", LATER);
    assert_eq!(code, 1, "{out}{err}");
    let listed: Vec<String> = lacking
        .iter()
        .map(|n| {
            format!(
                "渝北司函〔2023〕{n}号（{}）",
                rel(root, &numbered(root, *n))
            )
        })
        .collect();
    assert_eq!(
        err,
        format!(
            "错误：文号登记簿 {REGISTRY} 缺少已印发文书持有的文号：{}；现在分配文号会与它们重复，本次没有分配文号，也没有改动任何文件\n = 帮助：登记簿可能被删除、清空或截短了：运行 `yingsu validate`（或 `yingsu render --all`），它会按已印发文书的印发记录补回缺少的行，然后重新运行本命令；也可以从 git 历史中恢复它（git checkout -- {REGISTRY}）\n",
            listed.join("、")
        )
    );
    assert!(!root.join("cases/2023/ZG-2023Q1-2.yaml").exists());
    assert!(!root.join("archive/2023/ZG-2023Q1-2").exists());
    assert_eq!(std::fs::read(root.join(REGISTRY)).ok(), damaged);
    // The lines are written back from the records, and what was restored is said.
    let out = ok(root, restorer, LATER);
    assert!(
        out.starts_with(&format!(
            "已按已印发文书的印发记录补回文号登记簿 {REGISTRY} 缺少的 {} 个文号：{}\n",
            lacking.len(),
            listed.join("、")
        )),
        "{out}"
    );
    let mut now = registry_lines(root);
    now.sort();
    assert_eq!(now, before);
    ok(root, &["validate"], LATER);
    // The next documents take the next numbers, not ones already issued.
    let (code, out, err) = rectification(root, "ZG-2023Q1-2", LATER);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("督查整改通知书（渝北司函〔2023〕3号）"),
        "{out}"
    );
    assert!(out.contains("约谈通知书（渝北司函〔2023〕4号）"), "{out}");
}

#[test]
fn a_deleted_registry_is_refused_then_restored_by_validate() {
    lost_registry(
        |root| std::fs::remove_file(root.join(REGISTRY)).unwrap(),
        &[1, 2],
        &["validate"],
    );
}

#[test]
fn an_emptied_registry_is_refused_then_restored_by_render() {
    lost_registry(
        |root| std::fs::write(root.join(REGISTRY), "").unwrap(),
        &[1, 2],
        &["render", "--all"],
    );
}

#[test]
fn a_shortened_registry_is_refused_then_restored() {
    lost_registry(
        |root| {
            let first = registry_lines(root)[0].clone();
            std::fs::write(root.join(REGISTRY), format!("{first}\n")).unwrap()
        },
        &[2],
        &["validate"],
    );
}

/// `validate`'s refusal (exit 1): its standard error.
fn validate_fails(root: &Path) -> String {
    let (code, out, err) = yingsu(root, &["validate"], LATER);
    assert_eq!(code, 1, "{out}{err}");
    err
}

/// The 督查整改通知书 (number 1): its PDF, its record, what `validate` calls it.
fn notice(root: &Path) -> (PathBuf, PathBuf, &'static str) {
    let pdf = numbered(root, 1);
    let json = json_of(&pdf);
    (pdf, json, "《督查整改通知书》（渝北司函〔2023〕1号）")
}

/// A PDF damaged by `damage` is reported as changed (the record and the case agree), and
/// `render --all` restores it byte for byte.
fn damaged_pdf(damage: impl Fn(&Path), expected: impl Fn(&Path, &str, &str) -> String) {
    let (dir, _, _) = issued();
    let root = dir.path();
    let (pdf, _, what) = notice(root);
    let original = std::fs::read(&pdf).unwrap();
    damage(&pdf);
    assert_eq!(validate_fails(root), expected(root, what, &rel(root, &pdf)));
    let out = ok(root, &["render", "--all"], LATER);
    assert!(out.contains(&format!("更新 {}", rel(root, &pdf))), "{out}");
    assert_eq!(std::fs::read(&pdf).unwrap(), original);
    ok(root, &["validate"], LATER);
}

#[test]
fn a_deleted_pdf_is_reported_and_restored() {
    damaged_pdf(
        |pdf| std::fs::remove_file(pdf).unwrap(),
        |_, what, file| {
            format!(
                "错误：已印发的{what}缺失（案件 {CASE} 记录了它）\n --> {file}\n  = 帮助：运行 `yingsu render --all`，按它的印发记录恢复原件\n"
            )
        },
    );
}

#[test]
fn a_truncated_pdf_is_reported_and_restored() {
    damaged_pdf(
        |pdf| {
            let bytes = std::fs::read(pdf).unwrap();
            std::fs::write(pdf, &bytes[..1000]).unwrap()
        },
        |_, what, file| {
            format!(
                "错误：已印发的{what}被改动或损坏：它现在的内容（1000 字节）与印发记录和案件文件记录的哈希都不符\n --> {file}\n  = 帮助：运行 `yingsu render --all`，按印发记录恢复原件（恢复的文件与印发时逐字节相同）\n"
            )
        },
    );
}

#[test]
fn an_altered_pdf_is_reported_and_restored() {
    damaged_pdf(
        |pdf| {
            let mut bytes = std::fs::read(pdf).unwrap();
            let at = bytes.len() / 2;
            bytes[at] ^= 0x20;
            std::fs::write(pdf, &bytes).unwrap()
        },
        |root, what, file| {
            let len = std::fs::metadata(root.join(file)).unwrap().len();
            format!(
                "错误：已印发的{what}被改动或损坏：它现在的内容（{len} 字节）与印发记录和案件文件记录的哈希都不符\n --> {file}\n  = 帮助：运行 `yingsu render --all`，按印发记录恢复原件（恢复的文件与印发时逐字节相同）\n"
            )
        },
    );
}

/// A record edited by `edit` is reported by `validate` as `expected`, and `render --all`
/// refuses to make the document from it (exit 1, `refused` in its error), leaving every file of
/// the archive as it was.
fn edited_record(edit: impl Fn(&Path), expected: impl Fn(&str, &str) -> String, refused: &str) {
    let (dir, _, _) = issued();
    let root = dir.path();
    let (pdf, json, what) = notice(root);
    edit(&json);
    let err = validate_fails(root);
    assert_eq!(err, expected(what, &rel(root, &json)));
    let before_pdf = std::fs::read(&pdf).unwrap();
    let before_json = std::fs::read(&json).unwrap();
    let before_case = std::fs::read(root.join(CASE)).unwrap();
    let (code, out, err) = yingsu(root, &["render", "--all"], LATER);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains(&format!("无法恢复 {}", rel(root, &pdf))),
        "{out}"
    );
    assert!(!out.contains("现在的数据有变化"), "{out}");
    assert!(!out.contains("模板或字体已改动"), "{out}");
    assert!(err.contains(refused), "{err}");
    assert_eq!(std::fs::read(&pdf).unwrap(), before_pdf);
    assert_eq!(std::fs::read(&json).unwrap(), before_json);
    assert_eq!(std::fs::read(root.join(CASE)).unwrap(), before_case);
}

#[test]
fn an_edited_number_in_a_record_is_reported_and_never_used() {
    edited_record(
        |json| {
            let text = read(json);
            let edited = text.replacen(
                "\"number\": \"渝北司函〔2023〕1号\"",
                "\"number\": \"渝北司函〔2023〕9号\"",
                1,
            );
            assert_ne!(edited, text);
            std::fs::write(json, edited).unwrap()
        },
        |what, json| {
            format!(
                "错误：{what}的印发记录中的文号是 渝北司函〔2023〕9号，与案件文件 {CASE} 和文号登记簿中的 渝北司函〔2023〕1号 不符：印发记录被改动过\n --> {json}\n  = 帮助：从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成文书\n"
            )
        },
        "中的文号 渝北司函〔2023〕9号 与案件文件中的 渝北司函〔2023〕1号 不符，印发记录或案件文件被改动过",
    );
}

#[test]
fn edited_data_in_a_record_is_reported_not_taken_for_data_drift() {
    edited_record(
        |json| {
            let mut v: serde_json::Value = serde_json::from_str(&read(json)).unwrap();
            let text = serde_json::to_string(&v["data"]).unwrap();
            assert!(text.contains("出庭率为零"), "{text}");
            v["data"] = serde_json::from_str(&text.replace("出庭率为零", "出庭率很高")).unwrap();
            std::fs::write(json, serde_json::to_string_pretty(&v).unwrap()).unwrap()
        },
        |what, json| {
            format!(
                "错误：{what}的印发记录中的数据在印发后被改动过（与记录的数据哈希不符）\n --> {json}\n  = 帮助：从 git 历史中恢复印发记录（git checkout -- {json}）；被改动的印发记录不会被用来重新生成文书。确需按现在的数据重新印发时运行 `yingsu render --reissue`\n"
            )
        },
        "中的数据在印发后被改动过（与记录的数据哈希不符），不能用它恢复原件",
    );
}

#[test]
fn an_altered_pdf_with_forged_hashes_is_not_kept_as_issued() {
    let (dir, _, _) = issued();
    let root = dir.path();
    // A run that typeset the documents (it remembers what their records give).
    ok(root, &["render", "--all"], LATER);
    let (pdf, json, what) = notice(root);
    let file = rel(root, &pdf);
    let old = yingsu::archive::sha256(&std::fs::read(&pdf).unwrap());
    let mut bytes = std::fs::read(&pdf).unwrap();
    bytes.extend_from_slice(b"%forged\n");
    std::fs::write(&pdf, &bytes).unwrap();
    let new = yingsu::archive::sha256(&bytes);
    for f in [json.clone(), root.join(CASE)] {
        let text = read(&f);
        assert!(text.contains(&old));
        std::fs::write(&f, text.replace(&old, &new)).unwrap();
    }
    assert_eq!(
        validate_fails(root),
        format!(
            "错误：已印发的{what}在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的文书却与它不同（原件、印发记录和案件文件中的哈希被一同改动过）\n --> {file}\n  = 帮助：从 git 历史中恢复它们（git checkout -- {file} {} {CASE}）\n",
            rel(root, &json)
        )
    );
    // Without the derived index too, `render --all` tells it from a template change.
    as_cloned(root);
    let (code, out, err) = yingsu(root, &["render", "--all"], LATER);
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains(&format!("无法恢复 {file}")), "{out}");
    assert!(!out.contains("模板或字体已改动"), "{out}");
    assert!(
        err.contains("已印发的《督查整改通知书》无法恢复：原件在印发后被改动过：程序、模板和字体都与印发时相同，按印发记录排出的文书却与原件不同（原件和记录中的哈希被一同改动过）"),
        "{err}"
    );
    assert_eq!(std::fs::read(&pdf).unwrap(), bytes);
}

/// Two records holding the same number for different documents: which line to write back
/// cannot be decided, so the registry is left alone, `validate` says why, and no number is
/// given.
#[test]
fn a_lost_registry_that_cannot_be_decided_is_refused() {
    let (dir, _, _) = issued();
    let root = dir.path();
    let (pdf, json, _) = notice(root);
    let other = root.join("archive/2023/ZG-2023Q1-9");
    std::fs::create_dir_all(&other).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&read(&json)).unwrap();
    v["key"] = "ZG-2023Q1-9#1#zhenggai".into();
    std::fs::write(
        other.join("01-issue-zhenggai.json"),
        serde_json::to_string_pretty(&v).unwrap(),
    )
    .unwrap();
    std::fs::remove_file(root.join(REGISTRY)).unwrap();
    let second = numbered(root, 2);
    assert_eq!(
        validate_fails(root),
        format!(
            "错误：文号登记簿 {REGISTRY} 缺少已印发文书持有的文号，且无法判断应当补回什么：渝北司函〔2023〕1号（{}、archive/2023/ZG-2023Q1-9/01-issue-zhenggai.pdf）：几份文书都持有它\n --> {REGISTRY}\n  = 帮助：请从 git 历史中恢复这个登记簿（git checkout -- {REGISTRY}）；恢复之前，按它分配的新文号会与已印发的文书重复，yingsu 不会再分配\n",
            rel(root, &pdf)
        )
    );
    assert!(!root.join(REGISTRY).exists());
    let (code, _, err) = rectification(root, "ZG-2023Q1-2", LATER);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.starts_with(&format!(
            "错误：文号登记簿 {REGISTRY} 缺少已印发文书持有的文号：渝北司函〔2023〕1号（{}）、渝北司函〔2023〕1号（archive/2023/ZG-2023Q1-9/01-issue-zhenggai.pdf）、渝北司函〔2023〕2号（{}）；",
            rel(root, &pdf),
            rel(root, &second)
        )),
        "{err}"
    );
}

/// A registry line changed to another document, while the case and the record still agree:
/// the registry is named as what was changed.
#[test]
fn an_edited_registry_line_is_blamed_on_the_registry() {
    let (dir, _, _) = issued();
    let root = dir.path();
    let (pdf, _, _) = notice(root);
    let lines = registry_lines(root);
    let (seq, key) = lines[0].split_once('\t').unwrap();
    assert_eq!(seq, "1");
    std::fs::write(
        root.join(REGISTRY),
        format!("1\tZG-2023Q1-7#1#zhenggai\n{}\n", lines[1]),
    )
    .unwrap();
    assert_eq!(
        validate_fails(root),
        format!(
            "错误：文号登记簿 {REGISTRY} 与已印发的《督查整改通知书》（{}）不符：文号登记簿中 渝北司函〔2023〕1号 属于另一份文书（案件 ZG-2023Q1-7 第 1 条办理记录的 zhenggai）；案件文件和印发记录都是 渝北司函〔2023〕1号，登记簿被改动过\n --> {REGISTRY}\n  = 帮助：从 git 历史中恢复登记簿（git checkout -- {REGISTRY}）\n",
            rel(root, &pdf)
        )
    );
    // Put back, all is well again.
    std::fs::write(root.join(REGISTRY), format!("1\t{key}\n{}\n", lines[1])).unwrap();
    ok(root, &["validate"], LATER);
}

/// An issued PDF replaced by a link to a file outside the workspace (git carries links): the
/// link is reported, `render --all` refuses to write through it, and once it is removed puts
/// the document back; the file outside is never touched.
#[cfg(unix)]
#[test]
fn a_pdf_replaced_by_a_link_out_is_reported_and_the_victim_untouched() {
    let (dir, _, _) = issued();
    let root = dir.path();
    let (pdf, _, what) = notice(root);
    let original = std::fs::read(&pdf).unwrap();
    let outside = tempfile::tempdir().unwrap();
    let victim = outside.path().join("victim.pdf");
    std::fs::write(&victim, b"not yours").unwrap();
    std::fs::remove_file(&pdf).unwrap();
    std::os::unix::fs::symlink(&victim, &pdf).unwrap();
    let file = rel(root, &pdf);
    assert_eq!(
        validate_fails(root),
        format!(
            "错误：已印发的{what}不是普通文件（是链接或文件夹）\n --> {file}\n  = 帮助：删除它后运行 `yingsu render --all`，按印发记录恢复原件\n"
        )
    );
    // render refuses to write through the link; the file outside is left alone.
    let (code, out, err) = yingsu(root, &["render", "--all"], LATER);
    assert_eq!(std::fs::read(&victim).unwrap(), b"not yours");
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        err.starts_with(&format!(
            "错误：路径“{file}”经符号链接“{file}”指向工作区之外"
        )),
        "{err}"
    );
    // As validate says: the link removed, render puts the document back.
    std::fs::remove_file(&pdf).unwrap();
    let out = ok(root, &["render", "--all"], LATER);
    assert!(out.contains(&format!("更新 {file}")), "{out}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"not yours");
    assert!(!std::fs::symlink_metadata(&pdf).unwrap().is_symlink());
    assert_eq!(std::fs::read(&pdf).unwrap(), original);
    ok(root, &["validate"], LATER);
}
