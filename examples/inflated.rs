//! Which embedded fonts a Typst snippet or a built-in template with frozen data makes yingsu
//! load (a diagnostic aid; a compressed one is inflated).
//! `cargo run --example inflated -- '#para("原告")'`
//! `cargo run --example inflated -- templates/tishihan.typ archive/…/01-notice-tishihan.json`
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let ts = yingsu::typeset::Typesetter::with_default_fonts(&[], &[]).unwrap();
    let (source, data) = match args.as_slice() {
        [template, frozen] => {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(frozen).unwrap()).unwrap();
            (
                std::fs::read_to_string(template).unwrap(),
                v["data"].clone(),
            )
        }
        [body] => (
            format!("#import \"/gbt9704.typ\": *\n{body}\n"),
            serde_json::json!({}),
        ),
        _ => panic!("usage"),
    };
    let job = yingsu::typeset::Job::new(
        source.as_str(),
        data,
        chrono::NaiveDate::from_ymd_opt(2023, 5, 8).unwrap(),
        "probe",
    );
    if let Err(e) = ts.layout(&job) {
        println!("error: {e}");
    }
    let inflated: Vec<&str> = yingsu_fonts::all()
        .iter()
        .filter(|f| f.is_loaded())
        .map(|f| f.name())
        .collect();
    println!("{inflated:?}");
}
