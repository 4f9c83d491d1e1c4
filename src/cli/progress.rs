//! Progress of long runs on a terminal: `render` shows how many documents are made, of how
//! many, and the time left, on one line of stderr that it rewrites. Only when stderr is a
//! terminal: piped or redirected, nothing is added to the output.

use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use serde_json::Value;
use yingsu::engine::{DocRequest, DocumentRenderer};
use yingsu::error::Result;
use yingsu::workspace::Workspace;

/// How often the line is redrawn, at most.
const REDRAW: Duration = Duration::from_millis(100);

/// A renderer that counts the documents another renderer makes and shows the count.
pub struct Progress<'a> {
    inner: &'a dyn DocumentRenderer,
    total: usize,
    done: AtomicUsize,
    started: Instant,
    drawn: Mutex<Option<Instant>>,
}

impl<'a> Progress<'a> {
    /// Whether progress is shown at all: only when stderr is a terminal.
    pub fn wanted() -> bool {
        std::io::stderr().is_terminal()
    }

    /// Progress of about `total` documents made by `inner`; `None` when there is nothing to
    /// count.
    pub fn counting(inner: &'a dyn DocumentRenderer, total: usize) -> Option<Self> {
        (total > 0).then(|| Self::new(inner, total))
    }

    fn new(inner: &'a dyn DocumentRenderer, total: usize) -> Self {
        Progress {
            inner,
            total,
            done: AtomicUsize::new(0),
            started: Instant::now(),
            drawn: Mutex::new(None),
        }
    }

    fn tick(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        let Ok(mut drawn) = self.drawn.lock() else {
            return;
        };
        let now = Instant::now();
        if drawn.is_some_and(|t| now.duration_since(t) < REDRAW) && done < self.total {
            return;
        }
        *drawn = Some(now);
        let line = line(done, self.total, now.duration_since(self.started));
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    /// Clears the line, before the results are printed.
    pub fn finish(&self) {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K");
        let _ = err.flush();
    }
}

/// The progress line: 正在生成文书 12/62（19%），已用 3 秒，预计还需 12 秒.
pub fn line(done: usize, total: usize, elapsed: Duration) -> String {
    let total = total.max(done);
    let percent = done * 100 / total.max(1);
    let secs = elapsed.as_secs();
    let mut s = format!("正在生成文书 {done}/{total}（{percent}%），已用 {secs} 秒");
    if done > 0 && done < total {
        let left = elapsed.as_secs_f64() / done as f64 * (total - done) as f64;
        s.push_str(&format!("，预计还需 {} 秒", left.ceil() as u64));
    }
    s
}

impl DocumentRenderer for Progress<'_> {
    fn render(&self, ws: &Workspace, request: &DocRequest) -> Result<Vec<u8>> {
        let out = self.inner.render(ws, request);
        self.tick();
        out
    }

    fn data(&self, ws: &Workspace, request: &DocRequest) -> Result<Value> {
        self.inner.data(ws, request)
    }

    fn render_data(&self, ws: &Workspace, request: &DocRequest, data: &Value) -> Result<Vec<u8>> {
        let out = self.inner.render_data(ws, request, data);
        self.tick();
        out
    }

    fn covers(&self, ws: &Workspace, c: char) -> bool {
        self.inner.covers(ws, c)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_and_estimates_the_time_left() {
        assert_eq!(
            line(12, 60, Duration::from_secs(3)),
            "正在生成文书 12/60（20%），已用 3 秒，预计还需 12 秒"
        );
        assert_eq!(
            line(60, 60, Duration::from_millis(15_500)),
            "正在生成文书 60/60（100%），已用 15 秒"
        );
        // More documents than counted beforehand: the total follows.
        assert_eq!(
            line(7, 5, Duration::from_secs(1)),
            "正在生成文书 7/7（100%），已用 1 秒"
        );
    }
}
