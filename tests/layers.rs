//! The layer check: data flows one way through yingsu's modules (see the README's architecture
//! section), so no two modules may import each other, directly or round a circle, and no source
//! file may grow past what one reader holds in mind (800 lines).
//!
//! The module graph is built from the text of `src/`: a module is a file (`src/engine/step.rs` is `engine::step`, a `mod.rs` is its folder's
//! module); an edge A -> B means A's code names `crate::B…` (or `yingsu::B…` from the command
//! line, or `super::…`), as a path or in a `use` tree; comments, string literals and test code
//! (`#[cfg(test)] mod … { … }`, `tests.rs`) are left out. A folder's `mod.rs` naming its own
//! children by their bare names is not an edge (that is what a folder's front module is for).
//! The command line (`src/cli/`) is a subtree of its own (its `crate::` is the binary's), and
//! `typeset/` is checked like everything else. The check runs twice: module by module, and
//! with each folder collapsed into one node (`engine`, `index`, …). `cargo test --test layers --
//! --nocapture` prints both graphs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The longest a source file may be.
const MAX_LINES: usize = 800;

/// Every `.rs` file under `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let entries = std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display()));
        for e in entries {
            let p = e.expect("directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// The module a file under `src/` is (`None` for the crate roots and test files).
fn module_of(src: &Path, file: &Path) -> Option<String> {
    let rel = file.strip_prefix(src).ok()?.with_extension("");
    let mut parts: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    match parts.last().map(String::as_str) {
        Some("lib" | "main") if parts.len() == 1 => return None,
        Some("tests") => return None,
        Some("mod") => {
            parts.pop();
        }
        _ => {}
    }
    Some(parts.join("::"))
}

/// The code of a file without comments, string and character literals (their delimiters and
/// contents dropped), so that only code is read for paths and braces.
fn code_only(text: &str) -> String {
    let c: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let at = |j: usize| c.get(j).copied().unwrap_or('\0');
    while i < c.len() {
        let ident_before = i > 0 && (c[i - 1].is_alphanumeric() || c[i - 1] == '_');
        if at(i) == '/' && at(i + 1) == '/' {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if at(i) == '/' && at(i + 1) == '*' {
            let mut depth = 0;
            while i < c.len() {
                if at(i) == '/' && at(i + 1) == '*' {
                    depth += 1;
                    i += 2;
                } else if at(i) == '*' && at(i + 1) == '/' {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if !ident_before && (at(i) == 'r' || (at(i) == 'b' && at(i + 1) == 'r')) && {
            let s = if at(i) == 'b' { 1 } else { 0 };
            let mut k = s + 1;
            while at(i + k) == '#' {
                k += 1;
            }
            at(i + k) == '"' && (k > s + 1 || at(i + s + 1) == '"')
        } {
            // A raw string: r"…", r#"…"#, br"…".
            let s = if at(i) == 'b' { 2 } else { 1 };
            let mut hashes = 0;
            while at(i + s + hashes) == '#' {
                hashes += 1;
            }
            i += s + hashes + 1;
            loop {
                if i >= c.len() {
                    break;
                }
                if c[i] == '"' && (1..=hashes).all(|h| c.get(i + h) == Some(&'#')) {
                    i += 1 + hashes;
                    break;
                }
                i += 1;
            }
        } else if at(i) == '"' {
            i += 1;
            while i < c.len() && c[i] != '"' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else if at(i) == '\'' && (at(i + 1) == '\\' || (at(i + 1) != '\0' && at(i + 2) == '\'')) {
            // A character literal (a lifetime has no closing quote after one character).
            i += 1;
            while i < c.len() && c[i] != '\'' {
                i += if c[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
        } else {
            out.push(c[i]);
            i += 1;
        }
    }
    out
}

/// `code` without its `#[cfg(test)] mod … { … }` blocks.
fn without_tests(code: &str) -> String {
    let mut out = String::new();
    let mut rest = code;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let trimmed = after.trim_start();
        let is_mod_block = trimmed.strip_prefix("mod ").is_some_and(|m| {
            let m = m.trim_start();
            let name_end = m
                .find(|ch: char| !(ch.is_alphanumeric() || ch == '_'))
                .unwrap_or(m.len());
            m[name_end..].trim_start().starts_with('{')
        });
        if !is_mod_block {
            out.push_str("#[cfg(test)]");
            rest = after;
            continue;
        }
        let open = after.find('{').expect("a mod block opens");
        let mut depth = 0usize;
        let mut end = after.len();
        for (k, ch) in after[open..].char_indices() {
            match ch {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        end = open + k + 1;
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

fn is_ident(ch: char) -> bool {
    ch.is_alphanumeric() || ch == '_'
}

/// The paths a use tree or path at the start of `s` names, each as its segments after
/// `prefix` (`a::{b, c::{d, self}}` gives `a::b`, `a::c::d`, `a::c`).
fn tree_paths(s: &[char], i: &mut usize, prefix: Vec<String>, out: &mut Vec<Vec<String>>) {
    let skip_ws = |i: &mut usize| {
        while *i < s.len() && s[*i].is_whitespace() {
            *i += 1;
        }
    };
    let mut path = prefix;
    loop {
        skip_ws(i);
        if *i < s.len() && s[*i] == '{' {
            *i += 1;
            loop {
                skip_ws(i);
                if *i >= s.len() {
                    return;
                }
                if s[*i] == '}' {
                    *i += 1;
                    return;
                }
                if s[*i] == ',' {
                    *i += 1;
                    continue;
                }
                let before = *i;
                tree_paths(s, i, path.clone(), out);
                // ` as name` and anything else up to the next item.
                while *i < s.len() && s[*i] != ',' && s[*i] != '}' {
                    *i += 1;
                }
                if *i == before {
                    *i += 1;
                }
            }
        }
        let start = *i;
        while *i < s.len() && (is_ident(s[*i]) || s[*i] == '*') {
            *i += 1;
        }
        let seg: String = s[start..*i].iter().collect();
        let more = s.get(*i) == Some(&':') && s.get(*i + 1) == Some(&':') && !seg.is_empty();
        match seg.as_str() {
            "" | "*" | "self" => {}
            _ => path.push(seg),
        }
        if more {
            *i += 2;
            continue;
        }
        out.push(path);
        return;
    }
}

/// Every module path `code` of module `module` names (absolute, segments joined by `::`).
fn named_paths(module: &str, code: &str) -> BTreeSet<String> {
    let s: Vec<char> = code.chars().collect();
    let mut out = BTreeSet::new();
    let mut i = 0;
    while i < s.len() {
        if i > 0 && (is_ident(s[i - 1]) || s[i - 1] == ':') {
            i += 1;
            continue;
        }
        let word_end = (i..s.len()).find(|&k| !is_ident(s[k])).unwrap_or(s.len());
        let word: String = s[i..word_end].iter().collect();
        let base: Option<Vec<String>> = match word.as_str() {
            "crate" | "yingsu" => Some(Vec::new()),
            "super" => {
                let mut parts: Vec<String> = module.split("::").map(String::from).collect();
                parts.pop();
                Some(parts)
            }
            _ => None,
        };
        let Some(mut base) = base else {
            i = word_end.max(i + 1);
            continue;
        };
        let mut k = word_end;
        if !(s.get(k) == Some(&':') && s.get(k + 1) == Some(&':')) {
            i = k;
            continue;
        }
        k += 2;
        // `super::super::…`
        while word == "super" && s[k..].starts_with(&['s', 'u', 'p', 'e', 'r', ':', ':']) {
            base.pop();
            k += 7;
        }
        let mut paths = Vec::new();
        tree_paths(&s, &mut k, base, &mut paths);
        out.extend(paths.into_iter().map(|p| p.join("::")));
        i = k.max(i + 1);
    }
    out
}

/// The module graph of `src`: modules by name, each with the modules it names.
fn module_graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut code = BTreeMap::new();
    for file in rust_files(src) {
        if let Some(m) = module_of(src, &file) {
            let text = std::fs::read_to_string(&file).expect("source is text");
            code.insert(m, without_tests(&code_only(&text)));
        }
    }
    let names: BTreeSet<String> = code.keys().cloned().collect();
    code.iter()
        .map(|(m, text)| {
            let targets = named_paths(m, text)
                .into_iter()
                .filter_map(|p| resolve(&names, &p))
                .filter(|t| t != m)
                .collect();
            (m.clone(), targets)
        })
        .collect()
}

/// The longest known module that `path` starts with.
fn resolve(names: &BTreeSet<String>, path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|c| names.contains(c))
}

/// The graph with each folder collapsed into its top module.
fn collapsed(graph: &BTreeMap<String, BTreeSet<String>>) -> BTreeMap<String, BTreeSet<String>> {
    let top = |m: &str| m.split("::").next().unwrap_or(m).to_string();
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (m, targets) in graph {
        let entry = out.entry(top(m)).or_default();
        entry.extend(targets.iter().map(|t| top(t)).filter(|t| *t != top(m)));
    }
    out
}

/// Every circle of the graph: its strongly connected components of more than one module.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct Tarjan<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    impl<'g> Tarjan<'g> {
        fn visit(&mut self, v: &'g str) {
            let n = self.index.len();
            self.index.insert(v, n);
            self.low.insert(v, n);
            self.stack.push(v);
            self.on.insert(v);
            for w in self.graph.get(v).into_iter().flatten() {
                let w = w.as_str();
                if !self.index.contains_key(w) {
                    self.visit(w);
                    let lw = self.low[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(lw);
                } else if self.on.contains(w) {
                    let iw = self.index[w];
                    let lv = self.low.get_mut(v).expect("visited");
                    *lv = (*lv).min(iw);
                }
            }
            if self.low[v] == self.index[v] {
                let mut comp = Vec::new();
                while let Some(w) = self.stack.pop() {
                    self.on.remove(w);
                    comp.push(w.to_string());
                    if w == v {
                        break;
                    }
                }
                if comp.len() > 1 {
                    comp.sort();
                    self.out.push(comp);
                }
            }
        }
    }
    let mut t = Tarjan {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !t.index.contains_key(v.as_str()) {
            t.visit(v);
        }
    }
    t.out.sort();
    t.out
}

/// One line per circle: its modules, and the edges between them that make it.
fn describe(graph: &BTreeMap<String, BTreeSet<String>>, cycles: &[Vec<String>]) -> String {
    let mut text = String::new();
    for c in cycles {
        text.push_str(&format!("  cycle: {}\n", c.join(" <-> ")));
        for m in c {
            let inside: Vec<&str> = graph[m]
                .iter()
                .filter(|t| c.contains(t))
                .map(String::as_str)
                .collect();
            text.push_str(&format!("    {m} -> {}\n", inside.join(", ")));
        }
    }
    text
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// No circle between modules: neither module by module nor with folders collapsed. Until every
/// circle is broken this test fails and names each one with the edges that make it.
#[test]
fn no_module_imports_its_importer() {
    let graph = module_graph(&src());
    let top = collapsed(&graph);
    // The graph itself, for `cargo test --test layers -- --nocapture`.
    for g in [&graph, &top] {
        for (m, targets) in g {
            let names: Vec<&str> = targets.iter().map(String::as_str).collect();
            println!("{m} -> {}", names.join(", "));
        }
        println!();
    }
    let by_file = cycles(&graph);
    let by_folder = cycles(&top);
    assert!(
        by_file.is_empty() && by_folder.is_empty(),
        "import cycles between modules (data must flow one way; see the README's layers):\n\
         module by module:\n{}folders collapsed:\n{}",
        describe(&graph, &by_file),
        describe(&top, &by_folder)
    );
}

/// No source file over [`MAX_LINES`] lines: a file that long does several jobs, and is split
/// into a folder with one file per job.
#[test]
fn no_source_file_is_over_800_lines() {
    let src = src();
    let root = src.parent().expect("the crate folder");
    let long: Vec<String> = rust_files(&src)
        .into_iter()
        .filter_map(|f| {
            let n = std::fs::read_to_string(&f).ok()?.lines().count();
            (n > MAX_LINES).then(|| {
                let rel = f.strip_prefix(root).unwrap_or(&f);
                format!("  {} ({n} lines)", rel.display())
            })
        })
        .collect();
    assert!(
        long.is_empty(),
        "source files over {MAX_LINES} lines (split each by job into a folder):\n{}",
        long.join("\n")
    );
}

/// The graph reader itself: paths, use trees, `super`, comments, strings and test blocks.
#[test]
fn the_graph_reads_paths_and_use_trees_and_skips_the_rest() {
    let text = r##"
        //! [`crate::doc_only`] is a comment.
        use crate::a::{b::{self, c}, d as e, f::*};
        use super::sibling;
        use super::super::uncle::x;
        fn g() { crate::h::i(); let s = "crate::in_string"; let r = r#"crate::raw"#; let q = '{'; }
        fn l<'a>(x: &'a str) -> yingsu::lib_path::T { super::{near, far::y}; todo!() }
        #[cfg(test)]
        mod tests { use crate::only_tests; fn brace() { let s = "}"; } }
        #[cfg(test)]
        fn kept() { crate::test_fn_kept(); }
    "##;
    let got = named_paths("m::n::o", &without_tests(&code_only(text)));
    let want: BTreeSet<String> = [
        "a::b",
        "a::b::c",
        "a::d",
        "a::f",
        "m::n::sibling",
        "m::uncle::x",
        "h::i",
        "lib_path::T",
        "m::n::near",
        "m::n::far::y",
        "test_fn_kept",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(got, want);
}

/// The cycle finder finds a circle round three modules and nothing in a line of them.
#[test]
fn the_cycle_finder_finds_circles_and_only_circles() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    let circle = graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")]);
    assert_eq!(cycles(&circle), vec![vec!["a", "b", "c"]]);
    let line = graph(&[("a", "b"), ("b", "c"), ("a", "c")]);
    assert!(cycles(&line).is_empty());
    let folders = graph(&[("x::p", "y::q"), ("y::r", "x::s")]);
    assert!(cycles(&folders).is_empty());
    assert_eq!(cycles(&collapsed(&folders)), vec![vec!["x", "y"]]);
}

/// The lower stages never reach up: the document data and the Typst adapter receive complete
/// data and import nothing from the engine, the statistics or the pipeline that feeds them; the
/// index is a cache below the engine.
#[test]
fn lower_stages_import_nothing_above_them() {
    let graph = module_graph(&src());
    let above = |m: &str| {
        [
            "engine", "stats", "pipeline", "validate", "listing", "demo", "cli",
        ]
        .iter()
        .any(|a| m == *a || m.starts_with(&format!("{a}::")))
    };
    let mut wrong = Vec::new();
    for (m, targets) in &graph {
        let lower = ["document", "render", "index", "typeset", "view", "numbers"]
            .iter()
            .any(|l| m == l || m.starts_with(&format!("{l}::")));
        if !lower {
            continue;
        }
        for t in targets.iter().filter(|t| above(t)) {
            wrong.push(format!("  {m} -> {t}"));
        }
    }
    assert!(
        wrong.is_empty(),
        "a lower stage imports a higher one (pass what it needs in instead):\n{}",
        wrong.join("\n")
    );
    // The rule bites: the graph does see the pipeline calling down into both.
    assert!(graph["pipeline"].contains("render") && graph["pipeline"].contains("document"));
}

/// The built-in step names written as string literals in `text` (comment lines and test
/// blocks left out).
fn step_names_in(text: &str) -> Vec<&'static str> {
    let steps = [
        "\"notice\"",
        "\"appearance\"",
        "\"judgment\"",
        "\"loss_review\"",
        "\"closed\"",
    ];
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect();
    let code = without_tests(&lines.join("\n"));
    steps.into_iter().filter(|s| code.contains(s)).collect()
}

/// Workflow semantics are declared in the workflow YAML (`statistics:`), never by a step's
/// name in library code: a bureau's own workflow with other names must count the same.
#[test]
fn no_built_in_step_name_is_written_in_library_code() {
    // The reader bites: a name in code is found, one in a comment or a test block is not.
    let sample = "fn f() { g(\"appearance\") }\n// \"judgment\"\n#[cfg(test)]\nmod tests { fn t() { h(\"closed\") } }";
    assert_eq!(step_names_in(sample), ["\"appearance\""]);
    let mut found = Vec::new();
    for f in rust_files(&src()) {
        if f.components().any(|c| c.as_os_str() == "cli") {
            continue; // help texts and examples of the command line
        }
        let Ok(text) = std::fs::read_to_string(&f) else {
            continue;
        };
        for s in step_names_in(&text) {
            found.push(format!("  {}: {s}", f.display()));
        }
    }
    assert!(
        found.is_empty(),
        "step names in library code:\n{}",
        found.join("\n")
    );
}
