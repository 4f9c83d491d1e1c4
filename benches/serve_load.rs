//! The workbench under 20 simultaneous clients (issue 28): `yingsu serve` over the demo workspace
//! prepared as for `serve_preview` (TA-2023-045 ready for its 答复, a two-page letter), and for
//! `BENCH_SECS` seconds (default 60) 19 clients browsing — the dashboard, case pages, previews of
//! the two-page letter, each changing one character — while one client takes cases through
//! whole appearance workflows with commits (new case from the notice, 出庭应诉, 裁判 撤销,
//! 败诉案件总结 with its numbered report). Every client waits `BENCH_THINK_MS` (default 200)
//! between its requests, as a clerk does; `BENCH_THINK_MS=0` sends them back to back.
//!
//! After the run, with the server stopped, it checks from the case files and the number
//! registries that nothing was lost or duplicated: every committed case holds exactly its four
//! steps in order, each numbered report holds one number, every registry's numbers are distinct
//! and without gaps, each report's number is registered once, the registries grew by exactly
//! the reports issued, and the previewed case was not touched.
//!
//! ```sh
//! cargo bench --bench serve_load
//! BENCH_SECS=20 BENCH_CLIENTS=10 cargo bench --bench serve_load
//! ```

#[path = "support/http.rs"]
mod http;
#[path = "support/workbench.rs"]
mod workbench;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use http::{Served, enc, serve, summary};
use workbench::{CASE, NOW, gray, prepare};

/// Latencies (ms) per request kind, and the errors seen.
#[derive(Default)]
struct Log {
    ms: BTreeMap<&'static str, Vec<f64>>,
    errors: Vec<String>,
}

impl Log {
    fn record(&mut self, kind: &'static str, r: std::io::Result<http::Reply>, want: u16) -> bool {
        match r {
            Ok(r) if r.status == want => {
                self.ms
                    .entry(kind)
                    .or_default()
                    .push(r.took.as_secs_f64() * 1000.0);
                true
            }
            Ok(r) => {
                let text = r.text();
                let at = text.find("class=\"problem\"").unwrap_or(0);
                let end = text.floor_char_boundary((at + 400).min(text.len()));
                self.errors
                    .push(format!("{kind}: status {}: {}", r.status, &text[at..end]));
                false
            }
            Err(e) => {
                self.errors.push(format!("{kind}: {e}"));
                false
            }
        }
    }
}

const BROWSED: &[&str] = &[
    "2023-渝0112行初118",
    "2023-渝0112行初125",
    "2023-渝0112行初15",
    "TA-2023-003",
    CASE,
];

/// The registries' `(number, key)` lines, by file name.
fn registries(dir: &Path) -> BTreeMap<String, Vec<(u32, String)>> {
    let mut out = BTreeMap::new();
    let Ok(files) = std::fs::read_dir(dir.join("archive").join("numbers")) else {
        return out;
    };
    for f in files.flatten() {
        let name = f.file_name().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(f.path()).unwrap_or_default();
        let lines = text
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(|l| {
                let (n, key) = l.split_once('\t')?;
                Some((n.trim().parse().ok()?, key.to_string()))
            })
            .collect();
        out.insert(name, lines);
    }
    out
}

fn browse(s: &Served, t: usize, deadline: Instant, think: Duration, log: &Mutex<Log>) {
    let path = format!("/case/{}/step/replied", enc(CASE));
    let token = s.token(&path);
    static PHONE: AtomicU32 = AtomicU32::new(0);
    let mut i = t;
    while Instant::now() < deadline {
        match i % 10 {
            0..4 => {
                let r = s.get("/");
                log.lock().unwrap().record("dashboard", r, 200);
            }
            4..7 => {
                let id = BROWSED[i % BROWSED.len()];
                let r = s.get(&format!("/case/{}", enc(id)));
                log.lock().unwrap().record("case", r, 200);
            }
            _ => {
                let phone = gray(PHONE.fetch_add(1, Ordering::Relaxed) % 4096);
                let r = s.post(
                    &path,
                    &[
                        ("_csrf", &token),
                        ("_action", "preview"),
                        ("reply_date", "2023-07-10"),
                        ("reply_class", "B"),
                        ("contact", "钱某某"),
                        ("phone", &phone),
                    ],
                );
                let two_pages = r
                    .as_ref()
                    .is_ok_and(|r| r.text().matches("<img class=\"page\"").count() == 2);
                if log.lock().unwrap().record("preview", r, 200) && !two_pages {
                    log.lock()
                        .unwrap()
                        .errors
                        .push("preview: not two page images".into());
                }
            }
        }
        i += 1;
        std::thread::sleep(think);
    }
}

/// Take cases from the notice to the loss review until `deadline` (the case under way is
/// finished); the ids of the cases completed.
fn commit(s: &Served, deadline: Instant, think: Duration, log: &Mutex<Log>) -> Vec<String> {
    let token = s.token("/new/appearance");
    let mut done = Vec::new();
    let mut k = 0;
    while Instant::now() < deadline {
        let id = format!("压测-{k:04}");
        let number = format!("(2023)渝0112行初{}号", 8000 + k);
        let case = format!("/case/{}/step/", enc(&id));
        let steps: [(String, Vec<(&str, &str)>); 4] = [
            (
                "/new/appearance".into(),
                vec![
                    ("_id", id.as_str()),
                    ("case_number", number.as_str()),
                    ("court", "ybfy"),
                    ("cause", "行政处罚"),
                    ("level", "一审"),
                    ("plaintiffs", "重庆某食品有限公司"),
                    ("agency", "scjgj"),
                    ("notice_date", "2023-04-20"),
                    ("head_required", "是"),
                    ("hearing_date", "2023-05-08"),
                    ("hearing_place", "区法院第三审判庭"),
                    ("head_name", "李某某"),
                    ("head_post", "局长"),
                ],
            ),
            (
                format!("{case}appearance"),
                vec![
                    ("hearing_date", "2023-05-08"),
                    ("hearing_place", "区法院第三审判庭"),
                    ("head_appeared", "是"),
                    ("head_spoke", "是"),
                ],
            ),
            (
                format!("{case}judgment"),
                vec![
                    ("judgment_date", "2023-06-01"),
                    ("effective_date", "2023-06-15"),
                    ("outcome", "撤销"),
                ],
            ),
            (
                format!("{case}loss_review"),
                vec![
                    ("loss_causes", "证据收集不充分\r\n程序存在瑕疵"),
                    ("responsibility", "承办科室负直接责任"),
                    ("measures", "完善证据规则"),
                    ("report_date", "2023-07-10"),
                ],
            ),
        ];
        for (path, fields) in &steps {
            let mut f = vec![("_csrf", token.as_str()), ("_action", "commit")];
            f.extend(fields.iter().copied());
            let r = s.post(path, &f);
            if !log.lock().unwrap().record("commit", r, 303) {
                return done;
            }
            std::thread::sleep(think);
        }
        done.push(id);
        k += 1;
    }
    done
}

/// What the files say after the run: the problems found (empty: nothing lost or duplicated),
/// and the numbers issued.
fn verify(
    dir: &Path,
    done: &[String],
    before: &BTreeMap<String, Vec<(u32, String)>>,
) -> (Vec<String>, usize) {
    let mut problems = Vec::new();
    let ws = yingsu::Workspace::open(dir).expect("open the workspace");
    let mut numbers = Vec::new();
    for id in done {
        let view = match yingsu::engine::load_case(&ws, id) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{id}: {e}"));
                continue;
            }
        };
        let steps: Vec<&str> = view
            .case
            .history
            .iter()
            .map(|h| h.step.as_deref().unwrap_or("?"))
            .collect();
        if steps != ["notice", "appearance", "judgment", "loss_review"] {
            problems.push(format!("{id}: history {steps:?}"));
        }
        let held: Vec<&String> = view
            .case
            .history
            .iter()
            .flat_map(|h| h.documents.iter())
            .filter_map(|d| d.number.as_ref())
            .collect();
        if held.len() != 1 {
            problems.push(format!("{id}: numbers {held:?}"));
        }
        numbers.extend(held.into_iter().cloned());
    }
    let after = registries(dir);
    let mut registered = BTreeMap::new();
    let mut grown = 0;
    for (name, lines) in &after {
        let seqs: BTreeSet<u32> = lines.iter().map(|(n, _)| *n).collect();
        let keys: BTreeSet<&String> = lines.iter().map(|(_, k)| k).collect();
        if seqs.len() != lines.len() || keys.len() != lines.len() {
            problems.push(format!("{name}: a number or a key registered twice"));
        }
        if let (Some(lo), Some(hi)) = (seqs.first(), seqs.last())
            && (hi - lo + 1) as usize != seqs.len()
        {
            problems.push(format!("{name}: a gap between {lo} and {hi}"));
        }
        let prefix = name.rsplit_once('-').map(|(p, _)| p).unwrap_or(name);
        let year = name
            .rsplit_once('-')
            .and_then(|(_, y)| y.strip_suffix(".tsv"))
            .unwrap_or("");
        for n in &seqs {
            *registered
                .entry(format!("{prefix}〔{year}〕{n}号"))
                .or_insert(0) += 1;
        }
        grown += lines.len() - before.get(name).map_or(0, Vec::len);
    }
    for n in &numbers {
        if registered.get(n) != Some(&1) {
            problems.push(format!("{n}: registered {:?} times", registered.get(n)));
        }
    }
    if grown != numbers.len() {
        problems.push(format!(
            "registries grew by {grown}, reports issued {}",
            numbers.len()
        ));
    }
    let distinct: BTreeSet<&String> = numbers.iter().collect();
    if distinct.len() != numbers.len() {
        problems.push("a number held by two reports".into());
    }
    (problems, numbers.len())
}

fn main() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(d)
    };
    let secs = env("BENCH_SECS", 60);
    let clients = env("BENCH_CLIENTS", 20).max(2) as usize;
    let think = Duration::from_millis(env("BENCH_THINK_MS", 200));
    let tmp = tempfile::tempdir().expect("temporary folder");
    let dir = prepare(tmp.path());
    let previewed = yingsu::engine::case_path(
        &yingsu::Workspace::open(&dir).expect("open the workspace"),
        CASE,
    )
    .expect("the previewed case");
    let previewed_before = std::fs::read(&previewed).ok();
    let before = registries(&dir);
    let s = Arc::new(serve(&dir, NOW, "基准"));
    // One preview and one dashboard first: the fonts and the index are warm, as for a clerk.
    s.get("/").expect("dashboard");
    let log = Arc::new(Mutex::new(Log::default()));
    let start = Instant::now();
    let deadline = start + Duration::from_secs(secs);
    let committer = {
        let (s, log) = (s.clone(), log.clone());
        std::thread::spawn(move || commit(&s, deadline, think, &log))
    };
    let browsers: Vec<_> = (1..clients)
        .map(|t| {
            let (s, log) = (s.clone(), log.clone());
            std::thread::spawn(move || browse(&s, t, deadline, think, &log))
        })
        .collect();
    for b in browsers {
        b.join().expect("a browsing client");
    }
    let done = committer.join().expect("the committing client");
    let wall = start.elapsed().as_secs_f64();
    drop(s);
    let (problems, issued) = verify(&dir, &done, &before);
    let untouched = std::fs::read(&previewed).ok() == previewed_before;
    let log = log.lock().unwrap();
    println!(
        "{clients} clients for {wall:.1} s (think time {} ms): 1 committing, {} browsing",
        think.as_millis(),
        clients - 1
    );
    let mut total = 0;
    for (kind, ms) in &log.ms {
        let mut ms = ms.clone();
        total += ms.len();
        let (median, p95, max) = summary(&mut ms);
        println!(
            "  {kind:<10} {:>6} requests  median {median:7.1} ms  p95 {p95:7.1} ms  max {max:7.1} ms",
            ms.len()
        );
    }
    println!(
        "  {total} requests answered as expected, {} errors",
        log.errors.len()
    );
    for e in log.errors.iter().take(5) {
        println!("    {e}");
    }
    println!(
        "  committed {} cases (4 steps each), {issued} numbered reports",
        done.len()
    );
    println!(
        "  after the run: {} problems in the histories and registries; previewed case {}",
        problems.len(),
        if untouched { "untouched" } else { "CHANGED" }
    );
    for p in problems.iter().take(10) {
        println!("    {p}");
    }
    if !log.errors.is_empty() || !problems.is_empty() || !untouched {
        std::process::exit(1);
    }
}
