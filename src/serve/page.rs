//! The web page: one HTML file, a script and a style sheet, embedded in the binary so the
//! page works with no network. The script builds every piece of archive text into the
//! page as text nodes (never as markup); see `assets/app.js`.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

const INDEX_HTML: &str = include_str!("assets/index.html");
const APP_JS: &str = include_str!("assets/app.js");
const APP_CSS: &str = include_str!("assets/app.css");

fn asset(body: &'static str, content_type: &'static str) -> Response {
    let mut res = body.into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    // Assets change with the binary: revalidate, so an upgrade shows at once.
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    res
}

pub(super) async fn index() -> Response {
    asset(INDEX_HTML, "text/html; charset=utf-8")
}

pub(super) async fn script() -> Response {
    asset(APP_JS, "text/javascript; charset=utf-8")
}

pub(super) async fn style() -> Response {
    asset(APP_CSS, "text/css; charset=utf-8")
}

/// No icon: an empty answer keeps browsers from logging a 404.
pub(super) async fn favicon() -> Response {
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn not_found() -> Response {
    let mut res = (StatusCode::NOT_FOUND, "not found\n").into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    res
}
