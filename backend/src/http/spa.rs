//! Serving the built SPA: files by path, `index.html` for deep links.

use std::path::Path;

use axum::{
    http::StatusCode,
    response::{Html, IntoResponse},
    routing::{MethodRouter, get},
};
use tower_http::services::{ServeDir, ServeFile};

/// Serves `dir` with an `index.html` fallback, or a page saying how to build
/// the SPA when `dir` has no `index.html`.
pub fn service(dir: &Path) -> MethodRouter {
    let index = dir.join("index.html");
    if index.is_file() { get_service_with_fallback(dir, &index) } else { get(not_built) }
}

fn get_service_with_fallback(dir: &Path, index: &Path) -> MethodRouter {
    axum::routing::get_service(ServeDir::new(dir).fallback(ServeFile::new(index)))
}

async fn not_built() -> impl IntoResponse {
    (
        StatusCode::OK,
        Html(
            "<!doctype html><title>Instacrush</title><h1>Instacrush API</h1>\
             <p>The web app is not built (run <code>make run</code>). \
             The API reference is at <a href=\"/api/docs/\">/api/docs</a>.</p>",
        ),
    )
}
