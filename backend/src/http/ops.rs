//! Operations endpoints: liveness, readiness and metrics.

use axum::{
    extract::State,
    http::{StatusCode, header},
    response::IntoResponse,
};
use serde::Serialize;
use utoipa::ToSchema;

use super::{AppState, error::Problem, extract::Json, problems::OtherProblem};
use crate::db;

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
/// In the text exposition format, for a Prometheus scraper; no credentials.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "get_metrics",
    tag = "ops",
    security(),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        OtherProblem,
    )
)]
pub async fn get_metrics(State(state): State<AppState>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, crate::metrics::Metrics::CONTENT_TYPE)], state.metrics.render())
}
