//! Typesets a sample of `templates/samples/` (`gongwen` or `letter`, with its `.json` data) to a
//! PDF, for the page images in `docs/`:
//!
//! ```sh
//! cargo run --example sample_pdf -- gongwen /tmp/gongwen.pdf
//! pdftoppm -r 108 -f 1 -l 1 -singlefile -png /tmp/gongwen.pdf docs/gongwen-page1
//! ```

use std::path::PathBuf;

use yingsu::typeset::{Job, Typesetter};

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(name), Some(out)) = (args.next(), args.next()) else {
        eprintln!("usage: sample_pdf gongwen|letter OUT.pdf");
        std::process::exit(2);
    };
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let samples = root.join("templates/samples");
    let main = std::fs::read_to_string(samples.join(format!("{name}.typ"))).unwrap();
    let data = serde_json::from_str(
        &std::fs::read_to_string(samples.join(format!("{name}.json"))).unwrap(),
    )
    .unwrap();
    let date = chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap();
    let ts = Typesetter::new(&[root.join("fonts")]).unwrap();
    let pdf = ts
        .pdf(&Job::new(main, data, date, format!("sample-{name}")))
        .unwrap();
    std::fs::write(out, pdf).unwrap();
}
