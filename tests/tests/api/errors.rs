//! Errors are RFC 9457 problem+json everywhere, including outside handlers.

use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;

on_both_backends!(
    unknown_api_routes_are_problems,
    wrong_methods_are_problems,
    requests_carry_an_id,
    problems_survive_compression,
);

async fn unknown_api_routes_are_problems(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/api", "/api/nope", "/api/crush/x/y/z"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(response.headers()["content-type"], "application/problem+json", "{path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["status"], 404);
        assert_eq!(body["code"], "not_found");
        assert_eq!(body["title"], "Not Found");
        assert!(body["detail"].as_str().unwrap().contains(path), "{body}");
    }
}

async fn wrong_methods_are_problems(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let response = app.client.delete(app.url("/healthz")).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(response.headers()["content-type"], "application/problem+json");
    assert!(response.headers().contains_key("allow"));
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["status"], 405);
}

async fn requests_carry_an_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let generated = app.get("/healthz").await;
    let id = generated.headers()["x-request-id"].to_str().unwrap();
    assert_eq!(id.len(), 36, "a UUID: {id}");
    let given =
        app.client.get(app.url("/healthz")).header("x-request-id", "trace-me-42").send().await.unwrap();
    assert_eq!(given.headers()["x-request-id"], "trace-me-42");
}

async fn problems_survive_compression(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // An extractor's plain-text rejection, compressed, then replaced by a problem body.
    let response =
        app.client.post(app.url("/api/auth/token")).header("accept-encoding", "gzip").send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let gzip = response.headers().get("content-encoding").is_some_and(|value| value == "gzip");
    let body = response.bytes().await.unwrap();
    if gzip {
        assert_eq!(&body[..2], [0x1f, 0x8b], "labelled gzip, so it must be gzip");
    } else {
        let problem: serde_json::Value = serde_json::from_slice(&body).expect("a plain JSON problem");
        assert_eq!(problem["status"], 415);
    }
}
