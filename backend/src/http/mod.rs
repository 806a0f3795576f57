//! The HTTP layer: the router (which is also the OpenAPI document), shared
//! state, middleware, and the SPA.

mod auth;
mod client_addr;
pub mod crush;
mod current_user;
pub mod error;
pub mod extract;
mod headers;
mod input;
mod insights;
pub mod jobs;
mod middleware;
mod openapi;
mod ops;
mod pages;
mod problems;
mod serve;
mod spa;
pub mod sync;
mod users;
mod webhooks;

use axum::{
    Router,
    http::{HeaderName, HeaderValue, Method, Request, StatusCode, header},
    middleware::{from_fn, from_fn_with_state},
    routing::any,
};
use tower::ServiceBuilder;
use tower_http::{
    catch_panic::CatchPanicLayer,
    compression::CompressionLayer,
    cors::{AllowOrigin, CorsLayer},
    limit::RequestBodyLimitLayer,
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    timeout::TimeoutLayer,
    trace::TraceLayer,
};
use utoipa::OpenApi as _;
use utoipa_axum::{router::OpenApiRouter, routes};
use utoipa_swagger_ui::SwaggerUi;

use self::error::ApiError;
pub use self::{
    client_addr::ClientAddr,
    current_user::{AuthMethod, CSRF_HEADER, CurrentUser, SessionUser, require_csrf_header},
    openapi::ApiDoc,
    serve::{ConnectionLimits, serve},
};
pub use crate::state::AppState;

/// Every API route, with its OpenAPI description.
pub fn api_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(ops::get_health))
        .routes(routes!(ops::get_readiness))
        .routes(routes!(ops::get_metrics))
        .routes(routes!(auth::sign_in::start_instagram_sign_in))
        .routes(routes!(auth::sign_in::finish_instagram_sign_in))
        .routes(routes!(auth::session::refresh_session))
        .routes(routes!(auth::session::sign_out))
        .routes(routes!(auth::api_tokens::create_api_token, auth::api_tokens::list_api_tokens))
        .routes(routes!(auth::api_tokens::revoke_api_token))
        .routes(routes!(auth::api_tokens::exchange_api_token))
        .routes(routes!(auth::meta::deauthorize_instagram))
        .routes(routes!(auth::meta::request_data_deletion))
        .routes(routes!(users::get_me, users::delete_me))
        .routes(routes!(sync::get_crush))
        .routes(routes!(sync::get_sync_status))
        .routes(routes!(crush::get_public_crush))
        .routes(routes!(sync::start_sync))
        .routes(routes!(jobs::get_job))
        .routes(routes!(insights::list_top_interactors))
        .routes(routes!(insights::list_top_posts))
        .routes(routes!(insights::list_interactor_comments))
        .routes(routes!(webhooks::verify_instagram_webhook, webhooks::receive_instagram_webhook))
}

/// CORS: only the configured browser origin may call the API with credentials, and only with
/// the headers the SPA sends (the CSRF header among them).
fn cors(state: &AppState) -> CorsLayer {
    let origins: Vec<HeaderValue> =
        HeaderValue::from_str(&state.auth.allowed_origin).ok().into_iter().collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::list(origins))
        .allow_credentials(true)
        .allow_methods([Method::GET, Method::POST, Method::DELETE])
        .allow_headers([header::CONTENT_TYPE, header::AUTHORIZATION, HeaderName::from_static(CSRF_HEADER)])
        .max_age(std::time::Duration::from_secs(600))
}

/// `/metrics` alone, for its own address (`METRICS_ADDR`).
pub fn metrics_router(state: AppState) -> Router {
    Router::new().route("/metrics", axum::routing::get(ops::serve_metrics)).with_state(state)
}

/// The OpenAPI document, as `instacrush openapi` prints it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    openapi::document(api_router().split_for_parts().1)
}

/// The OpenAPI document as YAML, the form committed as `openapi.yaml`.
pub fn openapi_yaml() -> anyhow::Result<String> {
    Ok(openapi().to_yaml()?)
}

/// The document this deployment serves at `/api/openapi.json`: its one server is this
/// deployment's public origin.
fn served_document(mut spec: utoipa::openapi::OpenApi, public_origin: &str) -> utoipa::openapi::OpenApi {
    let server = utoipa::openapi::server::ServerBuilder::new()
        .url(public_origin)
        .description(Some("This deployment"))
        .build();
    spec.servers = Some(vec![server]);
    spec
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The whole application: API, docs, ops endpoints and the SPA, with middleware.
pub fn router(state: AppState) -> Router {
    let (api, spec) = api_router().split_for_parts();
    let spec = served_document(openapi::document(spec), &state.auth.public_origin);
    let http = state.http.clone();
    let cors = cors(&state);
    let security = security_headers(&state);
    let site = spa::service(state.clone());
    let app = api
        .route("/api", any(api_not_found))
        .route("/api/{*rest}", any(api_not_found))
        .layer(from_fn_with_state(state.clone(), middleware::record_metrics))
        .with_state(state)
        .merge(SwaggerUi::new("/api/docs").url("/api/openapi.json", spec))
        .fallback_service(site);
    let trace = TraceLayer::new_for_http().make_span_with(|request: &Request<_>| {
        let request_id =
            request.headers().get(&REQUEST_ID).and_then(|value| value.to_str().ok()).unwrap_or_default();
        let uri = loggable_uri(request.uri());
        tracing::info_span!("request", method = %request.method(), uri, request_id)
    });
    app.layer(
        ServiceBuilder::new()
            .layer(from_fn_with_state(security, headers::add_security_headers))
            .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
            .layer(trace)
            .layer(PropagateRequestIdLayer::new(REQUEST_ID))
            .layer(cors)
            .layer(CatchPanicLayer::new())
            .layer(CompressionLayer::new())
            // Inside compression, so problem bodies are compressed like any other.
            .layer(from_fn(middleware::problem_for_bare_errors))
            .layer(from_fn(input::refuse_control_characters))
            .layer(TimeoutLayer::with_status_code(StatusCode::REQUEST_TIMEOUT, http.request_timeout()))
            .layer(RequestBodyLimitLayer::new(http.body_limit_bytes)),
    )
}

/// The security headers for this deployment: HSTS when its public URL is https; pictures
/// also from the Instagram host when that is plain http (the local sandbox).
fn security_headers(state: &AppState) -> std::sync::Arc<headers::SecurityHeaders> {
    let graph = url::Url::parse(&state.instagram.config().graph_base_url).ok();
    let picture_origin =
        graph.filter(|url| url.scheme() == "http").map(|url| url.origin().ascii_serialization());
    headers::SecurityHeaders::new(state.auth.secure_cookies, picture_origin.as_deref())
}

/// The request URI as logged: the OAuth callback's query (an authorization code and the
/// `state`) is credentials, and never reaches the logs.
fn loggable_uri(uri: &axum::http::Uri) -> String {
    match uri.query() {
        Some(_) if uri.path() == crate::auth::sign_in::CALLBACK_PATH => format!("{}?<redacted>", uri.path()),
        _ => uri.to_string(),
    }
}

async fn api_not_found(request: Request<axum::body::Body>) -> ApiError {
    ApiError::NotFound(format!("no route for {} {}", request.method(), request.uri().path()))
}
