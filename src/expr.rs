//! Conditions: owns the minijinja environment in which workflow conditions (`when:`, `required:`)
//! and small text templates (ids of opened cases) are evaluated over a case's facts.

use std::collections::HashSet;
use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior, Value};

use crate::facts::Facts;

/// Names available in every expression besides the workflow's fields.
pub(crate) const BUILTINS: &[&str] = &[
    "case_id",
    "workflow",
    "step",
    "today",
    "court_name",
    "agency_name",
    "agency_relation",
    "bureau_issuer",
];

/// The shared environment (strict about syntax, lenient about missing optional facts).
pub fn env() -> &'static Environment<'static> {
    static ENV: OnceLock<Environment<'static>> = OnceLock::new();
    ENV.get_or_init(|| {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Lenient);
        env.add_filter("zh_date", |s: String| -> String {
            crate::facts::parse_date(&s)
                .map(crate::facts::format_date_zh)
                .unwrap_or(s)
        });
        env
    })
}

/// Compile an expression; return the variables it uses.
pub(crate) fn compile_check(src: &str) -> Result<HashSet<String>, String> {
    let expr = env().compile_expression(src).map_err(|e| describe(&e))?;
    Ok(expr.undeclared_variables(false))
}

/// The most conditions kept compiled: a workspace's workflows have a few dozen; past this
/// (a hostile workflow with endless distinct conditions) each is compiled where it is used.
const MAX_COMPILED: usize = 4096;

type Compiled = std::sync::Arc<minijinja::Expression<'static, 'static>>;

/// Condition `src` compiled, kept for the next evaluation: the same few conditions are
/// evaluated for every case (a profile of the first command over 20,000 cases spent 12 % of
/// its time compiling them again).
fn compiled(src: &str) -> Result<Compiled, String> {
    static CACHE: OnceLock<std::sync::Mutex<std::collections::HashMap<String, Compiled>>> =
        OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(hit) = cache.lock().ok().and_then(|c| c.get(src).cloned()) {
        return Ok(hit);
    }
    let expr = std::sync::Arc::new(
        env()
            .compile_expression_owned(src.to_string())
            .map_err(|e| describe(&e))?,
    );
    if let Ok(mut c) = cache.lock()
        && c.len() < MAX_COMPILED
    {
        c.insert(src.to_string(), std::sync::Arc::clone(&expr));
    }
    Ok(expr)
}

/// Evaluate a condition. Errors are reported as Chinese text.
pub(crate) fn eval_bool(src: &str, ctx: &Facts, extra: &[(&str, &str)]) -> Result<bool, String> {
    let value = compiled(src)?
        .eval(context(ctx, extra))
        .map_err(|e| describe(&e))?;
    Ok(value.is_true())
}

/// Render a small text template.
pub fn render(src: &str, ctx: &Facts, extra: &[(&str, &str)]) -> Result<String, String> {
    env()
        .render_str(src, context(ctx, extra))
        .map_err(|e| describe(&e))
}

fn context(ctx: &Facts, extra: &[(&str, &str)]) -> Value {
    let mut map: std::collections::BTreeMap<String, Value> =
        ctx.iter().map(|(k, v)| (k.clone(), to_value(v))).collect();
    for (k, v) in extra {
        map.insert((*k).to_string(), Value::from(*v));
    }
    Value::from(map)
}

/// Convert a JSON fact into a minijinja value.
fn to_value(v: &serde_json::Value) -> Value {
    match v {
        serde_json::Value::Null => Value::from(()),
        serde_json::Value::Bool(b) => Value::from(*b),
        serde_json::Value::Number(n) => match n.as_i64() {
            Some(i) => Value::from(i),
            None => Value::from(n.as_f64().unwrap_or(0.0)),
        },
        serde_json::Value::String(s) => Value::from(s.as_str()),
        serde_json::Value::Array(a) => Value::from(a.iter().map(to_value).collect::<Vec<_>>()),
        serde_json::Value::Object(m) => Value::from(
            m.iter()
                .map(|(k, v)| (k.clone(), to_value(v)))
                .collect::<std::collections::BTreeMap<_, _>>(),
        ),
    }
}

/// An expression error in Chinese: its kind, and what its detail says where it is a common one
/// (the library's own words are given by [`original`], for a second line).
fn describe(e: &minijinja::Error) -> String {
    let kind = kind_zh(e.kind());
    match e.detail().and_then(detail_zh) {
        Some(d) => format!("{kind}：{d}"),
        None => kind.to_string(),
    }
}

/// The library's own words about why expression `src` does not compile, if it does not: for
/// a line after the Chinese message, for whoever helps the clerk.
pub fn original(src: &str) -> Option<String> {
    let e = env().compile_expression(src).err()?;
    Some(e.detail().map_or_else(|| e.to_string(), str::to_string))
}

/// The common details of a syntax error in Chinese.
fn detail_zh(d: &str) -> Option<String> {
    if let Some(rest) = d.strip_prefix("unexpected end of input") {
        let _ = rest;
        return Some("表达式没有写完（括号、引号没有闭合，或运算符后缺少内容）".into());
    }
    if d == "unexpected end of string" {
        return Some("引号没有闭合".into());
    }
    if d == "unexpected character" {
        return Some("有不能出现在表达式中的字符（中文标点请改为英文标点）".into());
    }
    if let Some(rest) = d.strip_prefix("unexpected ") {
        let what = rest.split(", expected").next().unwrap_or(rest);
        return Some(format!("此处不应出现 {what}"));
    }
    None
}

fn kind_zh(k: minijinja::ErrorKind) -> &'static str {
    use minijinja::ErrorKind::*;
    match k {
        SyntaxError => "语法错误",
        UnknownFilter => "未知的过滤器",
        UnknownTest => "未知的测试",
        UnknownFunction => "未知的函数",
        UnknownMethod => "未知的方法",
        InvalidOperation => "无效的运算",
        UndefinedError => "使用了未定义的值",
        _ => "表达式错误",
    }
}
