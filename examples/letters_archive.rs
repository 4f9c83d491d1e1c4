//! Builds a workspace of N proposal cases, each with its two-page reply letter (复函) typeset and
//! issued, for measuring `render --all` and the side-by-side comparison (`benches/compare.sh`):
//!
//! ```sh
//! cargo run --release --example letters_archive -- /tmp/letters-1k 1000
//! ```

#[path = "../benches/support/letters.rs"]
mod letters;

use std::path::PathBuf;
use std::time::Instant;

use yingsu::render::TypstRenderer;
use yingsu::workspace::Workspace;

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(dir), Some(n)) = (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: letters_archive DIR N");
        std::process::exit(2);
    };
    let root = PathBuf::from(dir);
    if root.join("yingsu.yaml").exists() {
        eprintln!("{} already holds a workspace", root.display());
        std::process::exit(2);
    }
    std::fs::create_dir_all(root.join("cases")).expect("create the workspace");
    std::fs::write(root.join("yingsu.yaml"), yingsu::demo::DEMO_CONFIG).expect("write yingsu.yaml");
    let ws = Workspace::open(&root).expect("open the workspace");
    let t = Instant::now();
    for i in 0..n {
        letters::make_case(&ws, i);
    }
    let setup = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let done = yingsu::engine::render_cases(
        &ws,
        &[],
        2,
        &TypstRenderer::new(),
        &letters::actor("2023-06-01"),
        false,
    )
    .expect("render the letters");
    println!(
        "{} cases in {} ({setup:.1} s), {} letters typeset in {:.1} s",
        n,
        root.display(),
        done.rendered.len(),
        t.elapsed().as_secs_f64()
    );
}
