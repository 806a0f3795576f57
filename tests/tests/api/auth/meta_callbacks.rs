//! Meta's callbacks can be sent only by whoever holds this installation's app secret, only
//! fresh, and only once: without a Meta app the secret is a random one of this installation
//! (never the sandbox's published default), shared with the in-process sandbox, which signs the
//! callbacks it sends with it; a replay is refused by every process sharing the database.

use std::time::Duration;

use instacrush::{
    app::Server,
    auth::{AuthConfig, signed_request},
    config::{DatabaseConfig, HttpConfig, ProcessConfig, ServeConfig},
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

use super::{identity_of, user_count};

on_both_backends!(
    a_request_signed_with_the_published_sandbox_secret_deletes_nothing,
    the_in_process_sandbox_sends_callbacks_the_app_accepts,
    stale_future_and_undated_requests_are_refused,
    a_replayed_request_is_refused_by_every_process,
);

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn signed(uid: &str, issued_at: Option<i64>, secret: &str) -> String {
    let mut payload = json!({"algorithm": "HMAC-SHA256", "user_id": uid});
    if let Some(at) = issued_at {
        payload["issued_at"] = at.into();
    }
    signed_request::sign(&payload, secret)
}

async fn post_form(base_url: &str, path: &str, signed: &str) -> (StatusCode, Value) {
    let response = reqwest::Client::new()
        .post(format!("{base_url}{path}"))
        .form(&[("signed_request", signed)])
        .send()
        .await
        .unwrap();
    (response.status(), response.json().await.unwrap_or(Value::Null))
}

fn app_secret(app: &TestApp) -> String {
    app.state.instagram.config().app_secret.expose().to_owned()
}

async fn a_request_signed_with_the_published_sandbox_secret_deletes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let uid = identity_of(&app.db, "ada.demo").await.uid;
    assert_ne!(app_secret(&app), instagram_sandbox::DEFAULT_APP_SECRET, "a secret nobody outside knows");
    assert!(app_secret(&app).len() >= 32);
    for path in ["/api/meta/data-deletion", "/api/meta/deauthorize"] {
        let forged = signed(&uid, Some(now()), instagram_sandbox::DEFAULT_APP_SECRET);
        let (status, body) = post_form(&app.base_url, path, &forged).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{path}: {body}");
        assert_eq!(body["code"], "invalid_signature");
    }
    assert_eq!(user_count(&app.db).await, 1, "a forged request deletes nothing");
}

async fn the_in_process_sandbox_sends_callbacks_the_app_accepts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let url = app.url("/api/meta/data-deletion");
    let response = reqwest::Client::new()
        .post(format!("{}/_sandbox/accounts/ada.demo/data-deletion", app.sandbox_url))
        .json(&json!({ "url": url }))
        .send()
        .await
        .unwrap();
    let sent: Value = response.json().await.unwrap();
    assert_eq!(sent["status"], 200, "the app accepts what its sandbox signs: {sent}");
    assert_eq!(user_count(&app.db).await, 0);
}

async fn stale_future_and_undated_requests_are_refused(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.process.auth.callback_max_age_secs = 300).await;
    app.sign_in("ada.demo").await;
    let (uid, secret) = (identity_of(&app.db, "ada.demo").await.uid, app_secret(&app));
    for (what, issued_at) in
        [("too old", Some(now() - 310)), ("ahead of our clock", Some(now() + 600)), ("undated", None)]
    {
        let (status, body) =
            post_form(&app.base_url, "/api/meta/deauthorize", &signed(&uid, issued_at, &secret)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}: {body}");
        assert_eq!(body["code"], "stale_signed_request", "{what}");
    }
    assert_eq!(user_count(&app.db).await, 1);
    let (status, _) =
        post_form(&app.base_url, "/api/meta/deauthorize", &signed(&uid, Some(now() - 290), &secret)).await;
    assert_eq!(status, StatusCode::OK, "within the window");
    assert_eq!(user_count(&app.db).await, 0);
}

/// A second server process on `app`'s database, sharing its sandbox secret file.
async fn second_process(app: &TestApp, secret_file: &std::path::Path) -> (String, CancellationToken) {
    let mut process = ProcessConfig::new(DatabaseConfig::new(app.database.url.clone()));
    process.auth = AuthConfig {
        sandbox_app_secret_file: Some(secret_file.to_owned()),
        ..AuthConfig::with_keys(app.keys.clone())
    };
    process.worker.concurrency = 0;
    let config = ServeConfig { process, http: HttpConfig::ephemeral(), no_migrate: true };
    let server = Server::build(config).await.unwrap();
    let base_url = format!("http://{}", server.local_addr().unwrap());
    let shutdown = CancellationToken::new();
    tokio::spawn(server.run(shutdown.clone()));
    (base_url, shutdown)
}

async fn a_replayed_request_is_refused_by_every_process(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("sandbox-app-secret");
    let file = secret_file.clone();
    let app =
        TestApp::spawn_with(backend, move |config| config.process.auth.sandbox_app_secret_file = Some(file))
            .await;
    assert_eq!(std::fs::read_to_string(&secret_file).unwrap().trim(), app_secret(&app), "kept in the file");
    let (other, shutdown) = second_process(&app, &secret_file).await;
    app.sign_in("ada.demo").await;
    let uid = identity_of(&app.db, "ada.demo").await.uid;
    let request = signed(&uid, Some(now()), &app_secret(&app));

    let (status, _) = post_form(&app.base_url, "/api/meta/data-deletion", &request).await;
    assert_eq!(status, StatusCode::OK);
    for base_url in [&app.base_url, &other] {
        let (status, body) = post_form(base_url, "/api/meta/data-deletion", &request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "replayed_signed_request");
    }
    // A new request from Meta (another issued_at) about the same person is still honoured.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let (status, _) =
        post_form(&other, "/api/meta/deauthorize", &signed(&uid, Some(now()), &app_secret(&app))).await;
    assert_eq!(status, StatusCode::OK, "the second process shares the installation's secret");
    shutdown.cancel();
}
