//! Bounded typesetting of workspace templates: owns running a Typst job in a child process of
//! the yingsu program (`yingsu __typeset-worker`) under a memory limit (`setrlimit`, set by the
//! child on itself) and a time limit (the parent kills the child), so that a template from the
//! workspace that loops or allocates without end fails with a Chinese message naming it
//! instead of taking the computer's time and memory.
//!
//! Typst has no fuel or cancellation (0.15.1): once `typst::compile` runs, only the end of the
//! process stops it. Built-in templates are part of the program and trusted; they are
//! typeset in the calling process as before. A workspace with templates of its own has every
//! document typeset by a worker ([`super::TypstRenderer`] decides): the templates of a
//! workspace import one another, so a document whose main template is built-in still runs the
//! workspace's `gbt9704.typ`.
//!
//! The library does not start processes by itself: the program that links it opts in with
//! [`bound_workspace_templates`] (the `yingsu` binary gives its own path, and dispatches
//! [`WORKER_COMMAND`] to [`serve`] first thing in `main`). Without it — tests and other
//! programs using the library — workspace templates are typeset in-process, unbounded, as
//! before.
//!
//! One worker serves many documents over its pipes, one at a time, so `render --all` starts
//! one worker per typesetting thread, not one per document; a worker that hit a limit is
//! killed and the next document gets a fresh one. The wire format is a length-prefixed JSON
//! request (the fonts and the template files are sent only when they differ from what that
//! worker last got) and a tagged, length-prefixed answer: the PDF's bytes, or the
//! typesetting error as JSON.

use std::collections::BTreeMap;
use std::io::{self, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::typeset::{Diagnostic, Job, TypesetError, Typesetter};

/// The hidden subcommand of the `yingsu` program that runs [`serve`].
pub const WORKER_COMMAND: &str = "__typeset-worker";

/// The largest message either side accepts (a request's data or an answer's PDF): far above
/// any document ([`crate::typeset::MAX_PAGES`] pages), small enough that a garbled length is
/// caught instead of allocated.
const MAX_FRAME: u64 = 1 << 30;

/// The most of a worker's error output kept to explain its end.
const STDERR_TAIL: usize = 8 * 1024;

/// The bounds of one document typeset from workspace templates (`yingsu.yaml`'s
/// `template_limits`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Wall-clock seconds one document may take, the worker's start included.
    pub seconds: u64,
    /// Memory (address space) of the worker, in MB.
    pub memory_mb: u64,
}

static PROGRAM: OnceLock<PathBuf> = OnceLock::new();

/// Makes workspace templates run bounded, in workers started from `program` (an executable
/// that dispatches [`WORKER_COMMAND`] to [`serve`]; the `yingsu` binary gives its own path).
/// Process-wide; the first call wins.
pub fn bound_workspace_templates(program: PathBuf) {
    let _ = PROGRAM.set(program);
}

/// The worker program, when the caller opted in (see [`bound_workspace_templates`]).
pub(crate) fn worker_program() -> Option<&'static Path> {
    PROGRAM.get().map(PathBuf::as_path)
}

/// The fonts a worker builds its typesetter from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FontSetup {
    /// Font folders, in priority order.
    pub dirs: Vec<PathBuf>,
    /// Folders searched for the official fonts.
    pub system: Vec<PathBuf>,
    /// The font description cache (its file and the program key), when the index is on.
    pub cache: Option<(PathBuf, String)>,
}

/// One document for a worker.
#[derive(Serialize, Deserialize)]
struct Request {
    fonts: Option<FontSetup>,
    files: Option<BTreeMap<String, String>>,
    main: String,
    data: serde_json::Value,
    date: chrono::NaiveDate,
    ident: String,
    root: Option<PathBuf>,
    /// The job's binary files (attachments).
    #[serde(default)]
    blobs: BTreeMap<String, Vec<u8>>,
}

/// A [`TypesetError`] on the wire; kinds the parent formats the same whatever their detail
/// travel as their message.
#[derive(Serialize, Deserialize)]
enum WireError {
    Compile(Vec<Diagnostic>),
    Pdf(Vec<Diagnostic>),
    TooLong { pages: usize, max: usize },
    MissingGlyph { ch: char, code: u32, field: String },
    BidiControl { code: u32, field: String },
    Other(String),
}

impl From<TypesetError> for WireError {
    fn from(e: TypesetError) -> Self {
        match e {
            TypesetError::Compile(d) => WireError::Compile(d),
            TypesetError::Pdf(d) => WireError::Pdf(d),
            TypesetError::TooLong { pages, max } => WireError::TooLong { pages, max },
            TypesetError::MissingGlyph { ch, code, field } => {
                WireError::MissingGlyph { ch, code, field }
            }
            TypesetError::BidiControl { code, field } => WireError::BidiControl { code, field },
            other => WireError::Other(other.to_string()),
        }
    }
}

/// Why a bounded job gave no PDF.
#[derive(Debug)]
pub enum Failure {
    /// The template failed as it would in-process.
    Typeset(TypesetError),
    /// Another typesetting error, as its message.
    Other(String),
    /// The document took longer than [`Limits::seconds`]; the worker was killed.
    Time(u64),
    /// The worker ran out of its [`Limits::memory_mb`].
    Memory(u64),
    /// The worker ended otherwise (a crash), with what it last said.
    Crashed(String),
    /// The worker could not be started or spoken to.
    Start(String),
}

impl From<WireError> for Failure {
    fn from(e: WireError) -> Self {
        Failure::Typeset(match e {
            WireError::Compile(d) => TypesetError::Compile(d),
            WireError::Pdf(d) => TypesetError::Pdf(d),
            WireError::TooLong { pages, max } => TypesetError::TooLong { pages, max },
            WireError::MissingGlyph { ch, code, field } => {
                TypesetError::MissingGlyph { ch, code, field }
            }
            WireError::BidiControl { code, field } => TypesetError::BidiControl { code, field },
            WireError::Other(m) => return Failure::Other(m),
        })
    }
}

/// What a worker answered.
enum Answer {
    Pdf(Vec<u8>),
    Error(WireError),
}

/// A running worker, idle between documents.
struct Worker {
    child: Child,
    stdin: BufWriter<ChildStdin>,
    answers: mpsc::Receiver<io::Result<Answer>>,
    stderr: Option<std::thread::JoinHandle<Vec<u8>>>,
    limits: Limits,
    fonts: Option<FontSetup>,
    files: Option<BTreeMap<String, Arc<str>>>,
}

impl Worker {
    fn start(program: &Path, limits: Limits) -> io::Result<Worker> {
        let mut child = Command::new(program)
            .arg(WORKER_COMMAND)
            .arg(limits.memory_mb.to_string())
            .arg(limits.seconds.to_string())
            // Fewer malloc arenas: each reserves 64 MB of address space per thread, which the
            // memory limit counts though little of it is used.
            .env("MALLOC_ARENA_MAX", "2")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()?;
        let (Some(stdin), Some(stdout), Some(mut stderr)) =
            (child.stdin.take(), child.stdout.take(), child.stderr.take())
        else {
            let _ = child.kill();
            let _ = child.wait();
            return Err(io::Error::other("pipes missing"));
        };
        let (tx, answers) = mpsc::channel();
        std::thread::Builder::new()
            .name("yingsu-worker-out".into())
            .spawn(move || {
                let mut out = BufReader::new(stdout);
                loop {
                    let answer = read_answer(&mut out);
                    let end = answer.is_err();
                    if tx.send(answer).is_err() || end {
                        break;
                    }
                }
            })?;
        let stderr = std::thread::Builder::new()
            .name("yingsu-worker-err".into())
            .spawn(move || {
                let mut tail = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = stderr.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    tail.extend_from_slice(&buf[..n]);
                    if tail.len() > 2 * STDERR_TAIL {
                        tail.drain(..tail.len() - STDERR_TAIL);
                    }
                }
                tail
            })?;
        Ok(Worker {
            child,
            stdin: BufWriter::new(stdin),
            answers,
            stderr: Some(stderr),
            limits,
            fonts: None,
            files: None,
        })
    }

    /// Typesets one job, waiting at most the time limit for the answer.
    fn run(&mut self, fonts: &FontSetup, job: &Job, limits: Limits) -> Result<Vec<u8>, Failure> {
        let same_files = self.files.as_ref().is_some_and(|sent| {
            sent.len() == job.files.len()
                && sent
                    .iter()
                    .zip(&job.files)
                    .all(|((p, a), (q, b))| p == q && (Arc::ptr_eq(a, b) || a == b))
        });
        let request = Request {
            fonts: (self.fonts.as_ref() != Some(fonts)).then(|| fonts.clone()),
            files: (!same_files).then(|| {
                job.files
                    .iter()
                    .map(|(p, s)| (p.clone(), s.to_string()))
                    .collect()
            }),
            main: job.main.clone(),
            data: job.data.clone(),
            date: job.date,
            ident: job.ident.clone(),
            root: job.root.clone(),
            blobs: job
                .blobs
                .iter()
                .map(|(p, b)| (p.clone(), b.as_slice().to_vec()))
                .collect(),
        };
        let body = serde_json::to_vec(&request).map_err(|e| Failure::Start(e.to_string()))?;
        let sent = write_frame(&mut self.stdin, &body).and_then(|()| self.stdin.flush());
        self.fonts = Some(fonts.clone());
        self.files = Some(job.files.clone());
        if sent.is_err() {
            // The worker is gone; its end says why.
            return Err(self.ended());
        }
        match self
            .answers
            .recv_timeout(Duration::from_secs(limits.seconds))
        {
            Ok(Ok(Answer::Pdf(pdf))) => Ok(pdf),
            Ok(Ok(Answer::Error(e))) => Err(e.into()),
            Err(mpsc::RecvTimeoutError::Disconnected) => Err(self.ended()),
            Ok(Err(e)) => {
                // An answer cut short or garbled: the worker is ending, or unusable.
                if e.kind() != io::ErrorKind::UnexpectedEof {
                    let _ = self.child.kill();
                }
                Err(self.ended())
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {
                let _ = self.child.kill();
                let _ = self.child.wait();
                Err(Failure::Time(limits.seconds))
            }
        }
    }

    /// Why the worker ended (it has, or is about to).
    fn ended(&mut self) -> Failure {
        let status = self.child.wait();
        let tail = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        let said = String::from_utf8_lossy(&tail);
        let out_of_memory = [
            "memory allocation of",
            "Cannot allocate memory",
            "out of memory",
        ]
        .iter()
        .any(|m| said.contains(m));
        if out_of_memory {
            return Failure::Memory(self.limits.memory_mb);
        }
        let last = said
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("")
            .trim();
        let status = match status {
            Ok(s) => describe_status(s),
            Err(e) => e.to_string(),
        };
        Failure::Crashed(if last.is_empty() {
            status
        } else {
            format!("{status}；{last}")
        })
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        // An idle worker ends when its input closes; a busy one (never dropped while busy
        // unless its command is ending) is stopped.
        let _ = self.stdin.flush();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn describe_status(s: std::process::ExitStatus) -> String {
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        if let Some(sig) = s.signal() {
            return format!("被信号 {sig} 终止");
        }
    }
    match s.code() {
        Some(c) => format!("退出码 {c}"),
        None => "原因不明".into(),
    }
}

/// Idle workers, reused by the next document.
#[derive(Default)]
pub struct Pool {
    idle: Mutex<Vec<Worker>>,
}

impl Pool {
    /// Typesets `job` in a worker started from `program`, within `limits`.
    pub fn typeset(
        &self,
        program: &Path,
        fonts: &FontSetup,
        job: &Job,
        limits: Limits,
    ) -> Result<Vec<u8>, Failure> {
        let taken = {
            let mut idle = self.idle.lock().unwrap_or_else(|e| e.into_inner());
            let at = idle.iter().position(|w| w.limits == limits);
            at.map(|i| idle.swap_remove(i))
        };
        let mut worker = match taken {
            Some(w) => w,
            None => Worker::start(program, limits).map_err(|e| Failure::Start(e.to_string()))?,
        };
        let out = worker.run(fonts, job, limits);
        // A worker that answered (a PDF or a typesetting error) serves the next document.
        if matches!(out, Ok(_) | Err(Failure::Typeset(_) | Failure::Other(_))) {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push(worker);
        }
        out
    }
}

fn write_frame(out: &mut impl Write, body: &[u8]) -> io::Result<()> {
    out.write_all(&(body.len() as u64).to_le_bytes())?;
    out.write_all(body)
}

/// Reads a length-prefixed frame; `Ok(None)` at the end of the input.
fn read_frame(input: &mut impl Read) -> io::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 8];
    match input.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u64::from_le_bytes(len);
    if len > MAX_FRAME {
        return Err(io::Error::other("frame too long"));
    }
    let mut body = vec![0u8; len as usize];
    input.read_exact(&mut body)?;
    Ok(Some(body))
}

fn read_answer(input: &mut impl Read) -> io::Result<Answer> {
    let mut tag = [0u8; 1];
    input.read_exact(&mut tag)?;
    let body = read_frame(input)?.ok_or_else(|| io::Error::other("answer cut short"))?;
    match tag[0] {
        0 => Ok(Answer::Pdf(body)),
        1 => serde_json::from_slice(&body)
            .map(Answer::Error)
            .map_err(io::Error::other),
        _ => Err(io::Error::other("unknown answer")),
    }
}

/// Sets the worker's memory limit: its address space, which every allocation, thread stack
/// and mapping counts against, so an allocation beyond it fails (and the worker aborts).
fn limit_memory(memory_mb: u64) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        let bytes = memory_mb.saturating_mul(1024 * 1024) as libc::rlim_t;
        let limit = libc::rlimit {
            rlim_cur: bytes,
            rlim_max: bytes,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process's limit.
        unsafe {
            libc::setrlimit(libc::RLIMIT_AS, &limit);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = memory_mb;
}

/// Extra seconds a worker gives a document beyond its time limit before it ends itself: the
/// parent kills it at the limit, this is for a parent that is gone (killed while it waited).
const SELF_STOP_GRACE: u64 = 5;

/// The worker: applies the limits given as its arguments (memory in MB, seconds), then
/// typesets the jobs read from standard input until it closes, answering each on standard
/// output. Returns the process's exit code.
pub fn serve(mut args: impl Iterator<Item = std::ffi::OsString>) -> i32 {
    let mut number = || {
        args.next()
            .and_then(|a| a.to_str().and_then(|s| s.parse::<u64>().ok()))
    };
    let (Some(memory_mb), Some(seconds)) = (number(), number()) else {
        let _ = writeln!(
            io::stderr(),
            "yingsu {WORKER_COMMAND}：缺少内存和时间上限参数（内部命令，不需要直接运行）"
        );
        return 2;
    };
    limit_memory(memory_mb);
    let busy_since = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let watched = Arc::clone(&busy_since);
    let _ = std::thread::Builder::new()
        .name("yingsu-worker-watch".into())
        .spawn(move || self_stop(&watched, seconds + SELF_STOP_GRACE));
    // typst recurses deeply: the loop runs on a thread with the typesetting threads' stack.
    let worker = std::thread::Builder::new()
        .name("yingsu-worker".into())
        .stack_size(crate::typeset::WORKER_STACK)
        .spawn(move || serve_loop(&busy_since));
    match worker.map(|h| h.join()) {
        Ok(Ok(Ok(()))) => 0,
        Ok(Ok(Err(e))) => {
            let _ = writeln!(io::stderr(), "yingsu {WORKER_COMMAND}：{e}");
            1
        }
        _ => 1,
    }
}

/// Seconds since the epoch (0 if the clock is before it).
fn now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Ends the worker when one document has taken more than `seconds` (`busy_since` holds when
/// the current document started, 0 when idle).
fn self_stop(busy_since: &std::sync::atomic::AtomicU64, seconds: u64) {
    use std::sync::atomic::Ordering;
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let since = busy_since.load(Ordering::Relaxed);
        if since != 0 && now_secs().saturating_sub(since) > seconds {
            // Not eprintln: with the parent gone, writing fails, and eprintln would panic.
            let _ = writeln!(
                io::stderr(),
                "yingsu {WORKER_COMMAND}：一份文书排版超过 {seconds} 秒，排版进程自行停止"
            );
            std::process::exit(3);
        }
    }
}

fn serve_loop(busy_since: &std::sync::atomic::AtomicU64) -> io::Result<()> {
    use std::sync::atomic::Ordering;
    let mut input = BufReader::new(io::stdin().lock());
    let mut output = BufWriter::new(io::stdout().lock());
    let mut typesetter: Option<(FontSetup, Typesetter)> = None;
    let mut files: BTreeMap<String, Arc<str>> = BTreeMap::new();
    loop {
        // Idle while waiting for the next document.
        busy_since.store(0, Ordering::Relaxed);
        let Some(body) = read_frame(&mut input)? else {
            break;
        };
        busy_since.store(now_secs().max(1), Ordering::Relaxed);
        let request: Request = serde_json::from_slice(&body).map_err(io::Error::other)?;
        if let Some(setup) = request.fonts {
            let cache = match &setup.cache {
                Some((path, key)) => crate::typeset::FaceCache::open(path.clone(), key.clone()),
                None => crate::typeset::FaceCache::none(),
            };
            match Typesetter::with_font_cache(&setup.dirs, &setup.system, cache) {
                Ok(ts) => typesetter = Some((setup, ts)),
                Err(e) => {
                    typesetter = None;
                    answer(&mut output, Err(e))?;
                    continue;
                }
            }
        }
        if let Some(new) = request.files {
            files = new.into_iter().map(|(p, s)| (p, Arc::from(s))).collect();
        }
        let Some((_, ts)) = &typesetter else {
            answer(&mut output, Err(TypesetError::NoFonts { dirs: Vec::new() }))?;
            continue;
        };
        let job = Job {
            main: request.main,
            files: files.clone(),
            data: request.data,
            date: request.date,
            ident: request.ident,
            root: request.root,
            blobs: request
                .blobs
                .into_iter()
                .map(|(p, b)| (p, typst::foundations::Bytes::new(b)))
                .collect(),
        };
        answer(&mut output, ts.pdf(&job))?;
    }
    Ok(())
}

fn answer(out: &mut impl Write, result: Result<Vec<u8>, TypesetError>) -> io::Result<()> {
    match result {
        Ok(pdf) => {
            out.write_all(&[0])?;
            write_frame(out, &pdf)?;
        }
        Err(e) => {
            let body = serde_json::to_vec(&WireError::from(e)).map_err(io::Error::other)?;
            out.write_all(&[1])?;
            write_frame(out, &body)?;
        }
    }
    out.flush()
}
