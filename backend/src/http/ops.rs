//! Operations endpoints: liveness, readiness and metrics.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{
    AppState,
    error::{ApiError, Problem},
    extract::Json,
    problems::OtherProblem,
};
use crate::{auth::crypto::constant_time_eq, db};

/// A health answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    /// `ok` or `ready`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Liveness: the process answers HTTP.
///
/// For a load balancer or orchestrator; no credentials.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "get_health",
    tag = "ops",
    security(),
    responses((status = 200, description = "The process is alive", body = Health), OtherProblem)
)]
pub async fn get_health() -> Json<Health> {
    Json(Health { status: "ok" })
}

/// Readiness: the database answers and its schema is current.
///
/// For a load balancer or orchestrator; no credentials. `503` until it is ready.
#[utoipa::path(
    get,
    path = "/readyz",
    operation_id = "get_readiness",
    tag = "ops",
    security(),
    responses(
        (status = 200, description = "Ready to serve", body = Health),
        (status = 503, description = "Not ready", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn get_readiness(State(state): State<AppState>) -> axum::response::Response {
    match db::check_ready(&state.db).await {
        Ok(()) => Json(Health { status: "ready" }).into_response(),
        Err(reason) => {
            tracing::warn!(%reason, "not ready");
            Problem::new(StatusCode::SERVICE_UNAVAILABLE, "not_ready", Some(reason.to_string()))
                .into_response()
        }
    }
}

/// Prometheus metrics.
///
/// In the text exposition format, for a Prometheus scraper. With `METRICS_TOKEN` set it takes
/// `Authorization: Bearer <token>`; with `METRICS_ADDR` set it is served on that address only
/// (here it is `404`).
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "get_metrics",
    tag = "ops",
    security(),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "`METRICS_TOKEN` is set and the request does not carry it", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn get_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if state.http.metrics_addr.is_some() {
        return ApiError::NotFound("metrics are served on their own address (METRICS_ADDR)".to_owned())
            .into_response();
    }
    render_metrics(&state, &headers)
}

/// `/metrics` on its own address (`METRICS_ADDR`).
pub async fn serve_metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    render_metrics(&state, &headers)
}

/// The metrics, for a caller that shows the token when one is configured.
fn render_metrics(state: &AppState, headers: &HeaderMap) -> Response {
    if let Some(token) = &state.http.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "));
        if !given.is_some_and(|given| constant_time_eq(given.trim(), token)) {
            let problem = Problem::new(
                StatusCode::UNAUTHORIZED,
                "metrics_token_required",
                Some("send Authorization: Bearer <METRICS_TOKEN>".to_owned()),
            );
            return ([(header::WWW_AUTHENTICATE, "Bearer")], problem).into_response();
        }
    }
    ([(header::CONTENT_TYPE, crate::metrics::Metrics::CONTENT_TYPE)], state.metrics.render()).into_response()
}
