//! Two API servers on one PostgreSQL database, each keeping credentials in its read cache for
//! ten minutes: a sign-out, a revoked API token or a deleted account on one is refused by the
//! other at once (announced with `NOTIFY`), not after the cache's lifetime.

use std::time::Duration;

use instacrush_tests::{Backend, TestApp, jobs::wait_until};
use reqwest::StatusCode;
use serde_json::{Value, json};

const LONG_CACHE_MS: u64 = 600_000;

/// Within this the other server has heard: a notification takes milliseconds, the cache ten
/// minutes.
const AT_ONCE: Duration = Duration::from_secs(2);

async fn pair() -> Option<(TestApp, TestApp)> {
    let backend @ Backend::Postgres(_) = Backend::postgres()? else { return None };
    let first = TestApp::spawn_with(backend, |config| config.http.read_cache_ms = LONG_CACHE_MS).await;
    let second = first.spawn_beside(|config| config.http.read_cache_ms = LONG_CACHE_MS).await;
    Some((first, second))
}

/// Waits until `request` (to the second server) answers 401.
async fn refused_soon(what: &str, request: impl Fn() -> reqwest::RequestBuilder) {
    wait_until(AT_ONCE, what, || async {
        request().send().await.unwrap().status() == StatusCode::UNAUTHORIZED
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revocations_on_one_server_reach_the_other_at_once() {
    let Some((first, second)) = pair().await else { return };
    let ada = first.sign_in("ada.demo").await;
    let access = ada.cookie("ic_access").unwrap();
    let on_second =
        || second.client.get(second.url("/api/users/me")).header("cookie", format!("ic_access={access}"));
    assert_eq!(
        on_second().send().await.unwrap().status(),
        StatusCode::OK,
        "the session is known to stand there"
    );

    // An API token, used on the second server, revoked on the first.
    let created: Value =
        ada.post_json("/api/auth/api-tokens", &json!({"name": "script"})).await.json().await.unwrap();
    let exchanged: Value = second
        .client
        .post(second.url("/api/auth/token"))
        .json(&json!({"api_token": created["token"]}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let jwt = exchanged["access_token"].as_str().unwrap().to_owned();
    let with_token = || second.client.get(second.url("/api/users/me")).bearer_auth(&jwt);
    assert_eq!(with_token().send().await.unwrap().status(), StatusCode::OK);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(ada.delete(&format!("/api/auth/api-tokens/{id}")).await.status(), StatusCode::NO_CONTENT);
    refused_soon("the revoked API token refused on the other server", with_token).await;

    // Signing out on the first server.
    assert_eq!(on_second().send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(ada.post("/api/auth/logout").await.status(), StatusCode::NO_CONTENT);
    refused_soon("the signed-out session refused on the other server", on_second).await;

    // Deleting the account on the first server.
    let ada = first.sign_in("ada.demo").await;
    let access = ada.cookie("ic_access").unwrap();
    let on_second =
        || second.client.get(second.url("/api/users/me")).header("cookie", format!("ic_access={access}"));
    assert_eq!(on_second().send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(ada.delete("/api/users/me").await.status(), StatusCode::NO_CONTENT);
    refused_soon("the deleted account refused on the other server", on_second).await;

    drop(second); // before the first, which owns the database
}
