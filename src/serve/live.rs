//! The workbench's script: owns the one file of JavaScript the pages load — the live preview
//! of a step form (src/serve/assets/app.js) — embedded in the binary and served at an address
//! that names its content's hash, so a browser may keep it for a year and a new build is
//! fetched afresh. The pages work without it; it only saves the clerk the 预览 button.

use std::sync::LazyLock;

use axum::extract::Path as UrlPath;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};

/// The script, as built into the binary.
const APP_JS: &str = include_str!("assets/app.js");

/// The script's address: `/assets/app-<first 12 hex digits of its SHA-256>.js`.
pub(crate) static SCRIPT_URL: LazyLock<String> = LazyLock::new(|| {
    let hash = crate::archive::sha256(APP_JS.as_bytes());
    format!("/assets/app-{}.js", &hash[..12])
});

/// `GET /assets/{file}`: the script at its current address; anything else is not found.
pub(crate) async fn asset(UrlPath(file): UrlPath<String>) -> Response {
    if format!("/assets/{file}") != *SCRIPT_URL {
        return (StatusCode::NOT_FOUND, "没有这个文件").into_response();
    }
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        APP_JS,
    )
        .into_response()
}
