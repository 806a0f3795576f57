//! Liveness, readiness, metrics, the OpenAPI document and the API reference.

use instacrush_tests::{Backend, TestApp, on_both_backends};
use migration::{Migrator, MigratorTrait};
use reqwest::StatusCode;

on_both_backends!(
    healthz_and_readyz_answer,
    readyz_fails_when_the_database_is_gone,
    readyz_fails_when_migrations_are_pending,
    metrics_count_requests_by_route,
    openapi_and_docs_are_served,
);

async fn healthz_and_readyz_answer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let health = app.get("/healthz").await;
    assert_eq!(health.status(), StatusCode::OK);
    assert_eq!(health.json::<serde_json::Value>().await.unwrap()["status"], "ok");
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::OK);
    assert_eq!(ready.json::<serde_json::Value>().await.unwrap()["status"], "ready");
}

async fn readyz_fails_when_the_database_is_gone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/readyz").await.status(), StatusCode::OK);
    app.db.clone().close().await.unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(ready.headers()["content-type"], "application/problem+json");
    let body: serde_json::Value = ready.json().await.unwrap();
    assert_eq!(body["code"], "not_ready");
    assert!(body["detail"].as_str().unwrap().contains("unreachable"), "{body}");
    // Liveness is about the process, not its dependencies.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

async fn readyz_fails_when_migrations_are_pending(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    Migrator::down(&app.db, Some(1)).await.unwrap();
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body: serde_json::Value = ready.json().await.unwrap();
    assert!(body["detail"].as_str().unwrap().contains("1 migration(s) pending"), "{body}");
}

async fn metrics_count_requests_by_route(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..3 {
        app.get("/healthz").await;
    }
    app.get("/api/no-such-thing/123").await;
    let metrics = app.get("/metrics").await;
    assert_eq!(metrics.status(), StatusCode::OK);
    assert!(metrics.headers()["content-type"].to_str().unwrap().starts_with("text/plain"));
    let text = metrics.text().await.unwrap();
    assert!(
        text.contains(r#"instacrush_http_requests_total{method="GET",route="/healthz",status="200"} 3"#),
        "{text}"
    );
    // Unknown paths share one series instead of one per path.
    assert!(text.contains(r#"route="/api/{*rest}",status="404"} 1"#), "{text}");
    assert!(!text.contains("no-such-thing"), "{text}");
}

async fn openapi_and_docs_are_served(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let spec = app.get("/api/openapi.json").await;
    assert_eq!(spec.status(), StatusCode::OK);
    let spec: serde_json::Value = spec.json().await.unwrap();
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "{spec}");
    assert_eq!(spec["paths"]["/readyz"]["get"]["operationId"], "get_readiness");
    // The committed document's, finished the same way, with this deployment as its server.
    assert_eq!(
        spec["servers"],
        serde_json::json!([{"url": app.state.auth.public_origin, "description": "This deployment"}])
    );
    let committed = serde_json::to_value(instacrush::http::openapi()).unwrap();
    assert_eq!(spec["paths"], committed["paths"]);
    assert_eq!(spec["components"], committed["components"]);
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    let html = docs.text().await.unwrap();
    assert!(html.contains("swagger"), "{html}");
    // Works offline: nothing is loaded from another origin.
    assert!(!html.contains("https://"), "{html}");
    let config = app.get("/api/docs/swagger-initializer.js").await;
    assert_eq!(config.status(), StatusCode::OK);
    assert!(config.text().await.unwrap().contains("/api/openapi.json"));
}

#[test]
fn committed_openapi_yaml_matches_the_code() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../openapi.yaml");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    let generated = instacrush::http::openapi_yaml().unwrap();
    assert!(committed == generated, "openapi.yaml is stale: run `make openapi` and commit the result");
}

#[tokio::test]
async fn without_a_meta_app_the_server_talks_to_an_in_process_sandbox() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let accounts: serde_json::Value =
        reqwest::get(format!("{}/_sandbox/accounts", app.sandbox_url)).await.unwrap().json().await.unwrap();
    assert!(accounts.to_string().contains("ada.demo"), "{accounts}");
    let authorize = app.state.instagram.authorize_url("state-1", "http://localhost/callback");
    assert!(authorize.as_str().starts_with(&app.sandbox_url), "{authorize}");
}
