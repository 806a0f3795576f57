//! Cross-cutting HTTP behaviour: metrics per route, and problem bodies for
//! errors produced outside handlers (timeouts, body limits, wrong methods).

use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, StatusCode, header},
    middleware::Next,
    response::{IntoResponse, Response},
};

use super::{
    AppState,
    error::{PROBLEM_JSON, Problem},
};
use crate::metrics::{HttpLabels, RouteLabels, method_label};

/// Counts requests and records their latency by method and route template.
pub async fn record_metrics(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = method_label(request.method());
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    let status = response.status().as_u16();
    state.metrics.http_requests.get_or_create(&HttpLabels { method, route: route.clone(), status }).inc();
    state
        .metrics
        .http_duration
        .get_or_create(&RouteLabels { method, route })
        .observe(started.elapsed().as_secs_f64());
    response
}

/// Gives error responses that carry no JSON body (from tower layers or axum's
/// own 405) a problem body, keeping their status and headers.
pub async fn problem_for_bare_errors(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let status = response.status();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the body was never read, so the connection cannot carry another request:
        // the client is told not to send one on it (it would meet a closed connection).
        response.headers_mut().insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    // A JSON body is a problem already; an HTML one is the web app's not-found page.
    let has_body = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .is_some_and(|value| value.contains("json") || value.starts_with("text/html"));
    if has_body {
        return response;
    }
    let (mut parts, _) = response.into_parts();
    let code = status.canonical_reason().unwrap_or("error").to_ascii_lowercase().replace(' ', "_");
    let problem = Problem::new(status, &code, None).into_response();
    let (problem_parts, body) = problem.into_parts();
    // The body is replaced: whatever described the old one no longer applies.
    for stale in [header::CONTENT_LENGTH, header::CONTENT_ENCODING, header::TRANSFER_ENCODING] {
        parts.headers.remove(stale);
    }
    if let Some(length) = problem_parts.headers.get(header::CONTENT_LENGTH) {
        parts.headers.insert(header::CONTENT_LENGTH, length.clone());
    }
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
    Response::from_parts(parts, body)
}
