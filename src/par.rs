//! Generic threading helpers: owns running work beside the main work ([`beside`]) and parallel
//! loops over plain deep-stack threads ([`for_each_parallel`]). Used by typesetting, the archive
//! and the engine; knows nothing about any of them.

use std::sync::Mutex;

/// Stack size of the worker threads of `Typesetter::render_batch` and [`for_each_parallel`]; typst
/// recurses deeply, and the 2 MiB default of spawned threads is not enough.
pub const WORKER_STACK: usize = 32 * 1024 * 1024;

/// Runs `side` on a thread of its own while `here` runs on the calling thread (which keeps its
/// stack for the deep work: parsing case files), and returns both results. For work that waits
/// on the file system more than it computes. Should the system refuse the thread, or `side`
/// fail on it, `side` runs here afterwards.
pub fn beside<A, B: Send>(here: impl FnOnce() -> A, side: impl Fn() -> B + Sync) -> (A, B) {
    std::thread::scope(|scope| {
        let other = std::thread::Builder::new().spawn_scoped(scope, &side);
        let a = here();
        let b = match other {
            Ok(handle) => handle.join().unwrap_or_else(|_| side()),
            Err(_) => side(),
        };
        (a, b)
    })
}

/// Applies `f` to every item on `threads` (at least one) worker threads that
/// take the next item as soon as they are free; results are in the order of
/// `items`.
///
/// The workers are plain threads with a deep stack ([`WORKER_STACK`]), not a
/// rayon pool: typst and its PDF writer run their own small tasks on rayon's
/// global pool and, while waiting for them, let the waiting thread run other
/// queued rayon work. Were whole documents rayon tasks, a thread waiting
/// inside one document would start another one on top of it, holding both in
/// memory; with plain threads it only ever helps with those small tasks.
pub fn for_each_parallel<T: Send, R: Send>(
    items: Vec<T>,
    threads: usize,
    f: impl Fn(T) -> R + Sync,
) -> Vec<R> {
    let count = items.len();
    let queue = Mutex::new(items.into_iter().enumerate());
    let results: Mutex<Vec<Option<R>>> = Mutex::new((0..count).map(|_| None).collect());
    let work = || {
        loop {
            let next = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
            let Some((i, item)) = next else { break };
            let r = f(item);
            results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(r);
        }
    };
    std::thread::scope(|scope| {
        let mut spawned = 0;
        for _ in 0..threads.clamp(1, count.max(1)) {
            let started = std::thread::Builder::new()
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, work);
            if started.is_ok() {
                spawned += 1;
            }
        }
        // Without any worker (the system refused threads), work here.
        if spawned == 0 {
            work();
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .flatten()
        .collect()
}
