//! The JSON Schemas of `yingsu schema` (and `init`'s `schema/`) accept every file of the demo
//! and the built-in set, and refuse what `yingsu validate` refuses for the same reason (an
//! unknown key, a value not among the choices). A small validator of the keywords the schemas
//! use stands in for an editor's YAML language server.

mod common;

use std::path::Path;

use serde_json::{Value, json};

fn yingsu(dir: &Path, args: &[&str]) -> (i32, String, String) {
    common::run_env(
        dir,
        args,
        "2023-04-20T09:00:00+08:00",
        &[("YINGSU_SYSTEM_FONTS", "0")],
    )
}

fn ok(dir: &Path, args: &[&str]) -> String {
    let (code, out, err) = yingsu(dir, args);
    assert_eq!(code, 0, "yingsu {args:?}:\n{out}\n{err}");
    out
}

/// Where `value` breaks `schema` (JSON Pointer paths with the keyword), none when it is valid.
fn errors(root: &Value, schema: &Value, value: &Value, at: &str, out: &mut Vec<String>) {
    let Some(s) = schema.as_object() else {
        if schema == &json!(false) {
            out.push(format!("{at}: 不允许"));
        }
        return;
    };
    if let Some(r) = s.get("$ref").and_then(Value::as_str) {
        let target = root
            .pointer(r.trim_start_matches('#'))
            .unwrap_or_else(|| panic!("unresolved $ref {r}"));
        errors(root, target, value, at, out);
    }
    if let Some(t) = s.get("type") {
        let types: Vec<&str> = match t {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => panic!("bad type {t}"),
        };
        let fits = types.iter().any(|t| match *t {
            "string" => value.is_string(),
            "object" => value.is_object(),
            "array" => value.is_array(),
            "boolean" => value.is_boolean(),
            "integer" => value.is_i64() || value.is_u64(),
            "number" => value.is_number(),
            "null" => value.is_null(),
            other => panic!("unknown type {other}"),
        });
        if !fits {
            out.push(format!("{at}: type {t} ≠ {value}"));
            return;
        }
    }
    if let Some(e) = s.get("enum").and_then(Value::as_array)
        && !e.contains(value)
    {
        out.push(format!("{at}: {value} 不在 enum 中"));
    }
    if let Some(c) = s.get("const")
        && c != value
    {
        out.push(format!("{at}: {value} ≠ const {c}"));
    }
    if let (Some(p), Some(text)) = (s.get("pattern").and_then(Value::as_str), value.as_str())
        && !regex::Regex::new(p).unwrap().is_match(text)
    {
        out.push(format!("{at}: “{text}” 不符合 pattern"));
    }
    if let Some(n) = value.as_f64() {
        if let Some(min) = s.get("minimum").and_then(Value::as_f64)
            && n < min
        {
            out.push(format!("{at}: {n} < minimum"));
        }
        if let Some(max) = s.get("maximum").and_then(Value::as_f64)
            && n > max
        {
            out.push(format!("{at}: {n} > maximum"));
        }
    }
    if let Some(obj) = value.as_object() {
        let props = s.get("properties").and_then(Value::as_object);
        for req in s
            .get("required")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let key = req.as_str().unwrap();
            if !obj.contains_key(key) {
                out.push(format!("{at}: 缺少 {key}"));
            }
        }
        for (k, v) in obj {
            let here = format!("{at}/{k}");
            if let Some(names) = s.get("propertyNames") {
                errors(root, names, &json!(k), &format!("{here}（键）"), out);
            }
            match props.and_then(|p| p.get(k)) {
                Some(p) => errors(root, p, v, &here, out),
                None => {
                    if let Some(extra) = s.get("additionalProperties") {
                        errors(root, extra, v, &here, out);
                    }
                }
            }
        }
    }
    if let (Some(items), Some(list)) = (s.get("items"), value.as_array()) {
        for (i, v) in list.iter().enumerate() {
            errors(root, items, v, &format!("{at}/{i}"), out);
        }
    }
    for sub in s
        .get("allOf")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        errors(root, sub, value, at, out);
    }
    let passing = |key: &str| -> Option<usize> {
        s.get(key).and_then(Value::as_array).map(|subs| {
            subs.iter()
                .filter(|sub| {
                    let mut e = Vec::new();
                    errors(root, sub, value, at, &mut e);
                    e.is_empty()
                })
                .count()
        })
    };
    if passing("anyOf") == Some(0) {
        out.push(format!("{at}: anyOf 无一符合"));
    }
    if let Some(n) = passing("oneOf")
        && n != 1
    {
        out.push(format!("{at}: oneOf 符合 {n} 项"));
    }
    if let Some(cond) = s.get("if") {
        let mut e = Vec::new();
        errors(root, cond, value, at, &mut e);
        if e.is_empty()
            && let Some(then) = s.get("then")
        {
            errors(root, then, value, at, out);
        }
    }
}

fn check(schema: &Value, value: &Value) -> Vec<String> {
    let mut out = Vec::new();
    errors(schema, schema, value, "", &mut out);
    out
}

fn yaml(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if p.is_dir() {
            files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn the_schemas_accept_every_demo_and_built_in_file() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["demo", "d"]);
    let demo = dir.path().join("d");
    let config: Value = serde_json::from_str(&ok(&demo, &["schema", "config"])).unwrap();
    let workflow: Value = serde_json::from_str(&ok(&demo, &["schema", "workflow"])).unwrap();
    let case: Value = serde_json::from_str(&ok(&demo, &["schema", "case"])).unwrap();
    for schema in [&config, &workflow, &case] {
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema"
        );
    }
    assert_eq!(check(&config, &yaml(&demo.join("yingsu.yaml"))), [""; 0]);
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    assert_eq!(
        check(&config, &yaml(&root.join("src/init/yingsu.yaml"))),
        [""; 0]
    );
    let mut flows = Vec::new();
    files(&root.join("workflows"), &mut flows);
    assert_eq!(flows.len(), 3);
    for f in &flows {
        assert_eq!(check(&workflow, &yaml(f)), [""; 0], "{}", f.display());
    }
    let mut cases = Vec::new();
    files(&demo.join("cases"), &mut cases);
    assert!(cases.len() >= 29, "{}", cases.len());
    for f in &cases {
        assert_eq!(check(&case, &yaml(f)), [""; 0], "{}", f.display());
    }
}

#[test]
fn the_schemas_refuse_what_yingsu_refuses() {
    let dir = tempfile::tempdir().unwrap();
    ok(dir.path(), &["init", "."]);
    let case: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("schema/case.json")).unwrap(),
    )
    .unwrap();
    let good = json!({"workflow": "appearance", "facts": {"level": "一审", "agency": "scjgj", "hearing_date": "2023-05-08"}});
    assert_eq!(check(&case, &good), [""; 0]);
    assert_eq!(
        check(
            &case,
            &json!({"workflow": "appearance", "facts": {"heering_date": "2023-05-08"}})
        ),
        ["/facts/heering_date: 不允许"]
    );
    assert_eq!(
        check(
            &case,
            &json!({"workflow": "appearance", "facts": {"level": "三审"}})
        ),
        ["/facts/level: \"三审\" 不在 enum 中"]
    );
    assert_eq!(
        check(
            &case,
            &json!({"workflow": "appearance", "facts": {"agency": "nobody"}})
        ),
        ["/facts/agency: \"nobody\" 不在 enum 中"]
    );
    assert_eq!(
        check(
            &case,
            &json!({"workflow": "appearance", "facts": {"hearing_date": "5月8日"}})
        ),
        ["/facts/hearing_date: “5月8日” 不符合 pattern"]
    );
    assert_eq!(
        check(&case, &json!({"workflow": "appaerance"})),
        ["/workflow: \"appaerance\" 不在 enum 中"]
    );
    // The fields' labels and help are the descriptions an editor shows.
    assert_eq!(
        case["$defs"]["facts_appearance"]["properties"]["hearing_date"]["description"]
            .as_str()
            .map(|d| d.split('：').next().unwrap()),
        Some("开庭日期（日期）")
    );
    let config: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("schema/config.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        check(&config, &json!({"region": "某区", "sytem_fonts": false})),
        ["/sytem_fonts: 不允许"]
    );
    assert_eq!(check(&config, &json!({})), [": 缺少 region"]);
}
