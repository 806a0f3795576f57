//! Rate limits: sign-in starts and callbacks, API-token exchanges, session refreshes, API-token
//! creation and sync requests are limited per client address and per credential, answered
//! `429` with a problem and `Retry-After`. `X-Forwarded-For` names the client only when the
//! peer is a trusted proxy.

use instacrush::{config::RateLimitConfig, entities::oauth_state};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::{Response, StatusCode, header};
use sea_orm::{EntityTrait as _, PaginatorTrait as _};
use serde_json::{Value, json};

on_both_backends!(
    sign_in_starts_are_limited_per_address_and_store_no_more_states,
    token_guesses_are_slowed_and_a_token_is_limited_across_addresses,
    refreshes_token_creation_and_syncs_are_limited,
);

/// A server allowing `per_minute` of each operation per subject, behind `trusted_proxies`.
async fn limited(backend: Backend, per_minute: u32, trusted_proxies: &str) -> TestApp {
    let trusted =
        trusted_proxies.split(',').filter(|text| !text.is_empty()).map(|text| text.parse().unwrap());
    let limits = RateLimitConfig {
        rate_limit_auth_per_minute: per_minute,
        rate_limit_writes_per_minute: per_minute,
        trusted_proxies: trusted.collect(),
    };
    TestApp::spawn_with(backend, |config| config.http.rate_limits = limits).await
}

/// Asserts `response` is the rate limit's problem; returns its `Retry-After`.
async fn assert_limited(response: Response) -> u64 {
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let content_type = response.headers()[header::CONTENT_TYPE].to_str().unwrap().to_owned();
    assert_eq!(content_type, "application/problem+json");
    let retry_after: u64 = response.headers()[header::RETRY_AFTER].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after), "{retry_after}");
    let problem: Value = response.json().await.unwrap();
    assert_eq!(problem["status"], 429);
    assert_eq!(problem["code"], "rate_limited");
    retry_after
}

async fn sign_in_starts_are_limited_per_address_and_store_no_more_states(backend: Backend) {
    let app = limited(backend, 10, "").await;
    let mut statuses = Vec::new();
    for n in 0..200 {
        // A forged X-Forwarded-For from a client that is no trusted proxy changes nothing.
        let response = app
            .client
            .get(app.url("/api/auth/instagram"))
            .header("x-forwarded-for", format!("203.0.113.{n}"))
            .send()
            .await
            .unwrap();
        statuses.push(response.status());
        if response.status() == StatusCode::TOO_MANY_REQUESTS {
            assert_limited(response).await;
        }
    }
    let started = statuses.iter().filter(|status| **status == StatusCode::FOUND).count();
    assert!((10..=11).contains(&started), "{started} of 200 started");
    let stored = oauth_state::Entity::find().count(&app.db).await.unwrap();
    assert_eq!(stored, started as u64, "one stored state per start allowed, none for the others");
    // The callback has its own bucket per address.
    let callback =
        app.client.get(app.url("/api/auth/instagram/callback?state=x&code=y")).send().await.unwrap();
    assert_eq!(callback.status(), StatusCode::FOUND, "{callback:?}");
}

async fn token_guesses_are_slowed_and_a_token_is_limited_across_addresses(backend: Backend) {
    let app = limited(backend, 5, "127.0.0.1/32").await;
    let ada = app.sign_in("ada.demo").await;
    let created: Value =
        ada.post_json("/api/auth/api-tokens", &json!({"name": "script"})).await.json().await.unwrap();
    let exchange = |token: String, from: &str| {
        app.client
            .post(app.url("/api/auth/token"))
            .header("x-forwarded-for", from)
            .json(&json!({"api_token": token}))
            .send()
    };

    // Guesses from one address: five refusals, then slowed down.
    for n in 0..5 {
        let guess = exchange(format!("icat_guess{n}"), "198.51.100.7").await.unwrap();
        assert_eq!(guess.status(), StatusCode::UNAUTHORIZED);
    }
    assert_limited(exchange("icat_guess5".to_owned(), "198.51.100.7").await.unwrap()).await;
    // The real token from another address (behind the trusted proxy) is not held up by them…
    let token = created["token"].as_str().unwrap().to_owned();
    assert_eq!(exchange(token.clone(), "198.51.100.8").await.unwrap().status(), StatusCode::OK);
    // …but one token is limited across addresses too.
    for n in 1..5 {
        assert_eq!(exchange(token.clone(), &format!("192.0.2.{n}")).await.unwrap().status(), StatusCode::OK);
    }
    assert_limited(exchange(token, "192.0.2.9").await.unwrap()).await;
}

async fn refreshes_token_creation_and_syncs_are_limited(backend: Backend) {
    let app = limited(backend, 3, "").await;
    let ada = app.sign_in("ada.demo").await;
    for _ in 0..3 {
        assert_eq!(ada.post("/api/auth/refresh").await.status(), StatusCode::OK);
    }
    assert_limited(ada.post("/api/auth/refresh").await).await;

    for n in 0..3 {
        let created = ada.post_json("/api/auth/api-tokens", &json!({"name": format!("t{n}")})).await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    assert_limited(ada.post_json("/api/auth/api-tokens", &json!({"name": "one more"})).await).await;

    // Syncs: three answered by the sync's own rules (the running sync), the fourth limited.
    for _ in 0..3 {
        assert_eq!(ada.post("/api/users/me/sync").await.status(), StatusCode::ACCEPTED);
    }
    assert_limited(ada.post("/api/users/me/sync").await).await;
}
