//! Conditions: owns the minijinja environment in which workflow conditions (`when:`, `required:`)
//! and small text templates (ids of opened cases) are evaluated over a case's facts.

use std::collections::HashSet;
use std::sync::OnceLock;

use minijinja::{Environment, UndefinedBehavior, Value};

use crate::facts::Facts;

/// Names available in every expression besides the workflow's fields.
pub const BUILTINS: &[&str] = &[
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
pub fn compile_check(src: &str) -> Result<HashSet<String>, String> {
    let expr = env().compile_expression(src).map_err(|e| describe(&e))?;
    Ok(expr.undeclared_variables(false))
}

/// Evaluate a condition. Errors are reported as Chinese text.
pub fn eval_bool(src: &str, ctx: &Facts, extra: &[(&str, &str)]) -> Result<bool, String> {
    let expr = env().compile_expression(src).map_err(|e| describe(&e))?;
    let value = expr.eval(context(ctx, extra)).map_err(|e| describe(&e))?;
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

fn describe(e: &minijinja::Error) -> String {
    match e.detail() {
        Some(d) => format!("{}（{}）", kind_zh(e.kind()), d),
        None => kind_zh(e.kind()).to_string(),
    }
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
