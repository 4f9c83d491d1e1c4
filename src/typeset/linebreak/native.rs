//! The breaker as a Typst native function: owns `yingsu-grid-break`, its arguments and its
//! place in typst's global scope ([`define`]).

use std::sync::LazyLock;

use comemo::Tracked;
use typst::diag::{At, SourceResult};
use typst::engine::Engine;
use typst::foundations::{
    Args, Array, CastInfo, Context, Func, NativeFuncData, NativeFuncPtr, Scope, Str, Value,
};

use super::{FUNCTION_NAME, break_runs};

/// The native function's implementation:
/// `yingsu-grid-break(texts, styles, measure, names, first, avail)`.
fn grid_break(
    engine: &mut Engine,
    context: Tracked<Context>,
    args: &mut Args,
) -> SourceResult<Value> {
    let span = args.span;
    let texts: Array = args.expect("texts")?;
    let styles: Array = args.expect("styles")?;
    let measure: Func = args.expect("measure")?;
    let names: Array = args.expect("names")?;
    let first: f64 = args.expect("first")?;
    let avail: f64 = args.expect("avail")?;
    let texts: Vec<Str> = texts
        .into_iter()
        .map(|v| v.cast::<Str>().at(span))
        .collect::<SourceResult<_>>()?;
    let texts: Vec<&str> = texts.iter().map(|s| s.as_str()).collect();
    let styles: Vec<Value> = styles.into_iter().collect();
    let names: Vec<Str> = names
        .into_iter()
        .filter_map(|v| v.cast::<Str>().ok())
        .collect();
    let names: Vec<&str> = names.iter().map(|s| s.as_str()).collect();
    // Each distinct run and cluster is measured once (see `break_runs`). The widths are not
    // kept across paragraphs: a memoized typst call must make the same tracked calls each time
    // it runs (comemo checks it), which `measure` skipped on a cache hit would not.
    let broken = break_runs(
        &texts,
        &names,
        first,
        avail,
        |run, c| -> SourceResult<f64> {
            let style = styles.get(run).cloned().unwrap_or(Value::None);
            let v = measure.call(engine, context, [style, Value::Str(c.into())])?;
            v.cast::<f64>().at(span)
        },
    )?;
    Ok(broken.into_value())
}

static GRID_BREAK: NativeFuncData = NativeFuncData {
    function: NativeFuncPtr(&grid_break),
    name: FUNCTION_NAME,
    title: "Grid Break",
    docs: "Breaks a body paragraph on the 28-character grid (yingsu).",
    def_site: None,
    keywords: &[],
    contextual: true,
    scope: LazyLock::new(&|| Scope::new()),
    params: LazyLock::new(&|| Vec::new()),
    returns: LazyLock::new(&|| CastInfo::Any),
};

/// Adds the breaker to typst's global scope.
pub fn define(scope: &mut Scope) {
    scope.define_func_with_data(&GRID_BREAK);
}
