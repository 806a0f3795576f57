//! API tokens for third-party clients: create → exchange → Bearer call → revoke → 401.

use instacrush::entities::api_token;
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use sea_orm::EntityTrait as _;
use serde_json::{Value, json};

on_both_backends!(
    an_api_token_works_until_revoked,
    api_tokens_are_managed_from_the_web_session_only,
    another_users_token_cannot_be_revoked,
);

async fn exchange(app: &TestApp, token: &str) -> reqwest::Response {
    app.client.post(app.url("/api/auth/token")).json(&json!({"api_token": token})).send().await.unwrap()
}

async fn an_api_token_works_until_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    let response = browser.post_json("/api/auth/api-tokens", &json!({"name": "my script"})).await;
    assert_eq!(response.status(), StatusCode::CREATED);
    let created: Value = response.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(
        token.starts_with("icat_") && token.starts_with(created["prefix"].as_str().unwrap()),
        "{created}"
    );

    let listed: Value = browser.get("/api/auth/api-tokens").await.json().await.unwrap();
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["name"], "my script");
    assert!(!listed.to_string().contains(&token), "the secret is shown once only");
    let stored = api_token::Entity::find().all(&app.db).await.unwrap();
    assert!(stored.iter().all(|row| row.token_hash != token && !row.token_hash.contains(&token[5..])));

    let response = exchange(&app, &token).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.headers()["cache-control"], "no-store");
    let access: Value = response.json().await.unwrap();
    assert_eq!(access["token_type"], "Bearer");
    assert_eq!(access["expires_in"], 900);
    let jwt = access["access_token"].as_str().unwrap().to_owned();

    let me = app.client.get(app.url("/api/users/me")).bearer_auth(&jwt).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.json::<Value>().await.unwrap()["instagram_username"], "ada.demo");
    let listed: Value = browser.get("/api/auth/api-tokens").await.json().await.unwrap();
    assert!(listed[0]["last_used_at"].is_string(), "{listed}");

    let id = created["id"].as_i64().unwrap();
    assert_eq!(browser.delete(&format!("/api/auth/api-tokens/{id}")).await.status(), StatusCode::NO_CONTENT);
    let again = browser.delete(&format!("/api/auth/api-tokens/{id}")).await;
    assert_eq!(again.status(), StatusCode::NO_CONTENT, "revoked already: a retry is no error");
    let me = app.client.get(app.url("/api/users/me")).bearer_auth(&jwt).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::UNAUTHORIZED, "revocation applies at once");
    assert_eq!(exchange(&app, &token).await.status(), StatusCode::UNAUTHORIZED);
    let listed: Value = browser.get("/api/auth/api-tokens").await.json().await.unwrap();
    assert_eq!(listed, json!([]));
}

async fn api_tokens_are_managed_from_the_web_session_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    let created: Value =
        browser.post_json("/api/auth/api-tokens", &json!({"name": "bot"})).await.json().await.unwrap();
    let access: Value = exchange(&app, created["token"].as_str().unwrap()).await.json().await.unwrap();
    let jwt = access["access_token"].as_str().unwrap();
    let response = app
        .client
        .post(app.url("/api/auth/api-tokens"))
        .bearer_auth(jwt)
        .json(&json!({"name": "escalate"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    assert_eq!(response.json::<Value>().await.unwrap()["code"], "session_required");
    let delete = app.client.delete(app.url("/api/users/me")).bearer_auth(jwt).send().await.unwrap();
    assert_eq!(delete.status(), StatusCode::FORBIDDEN);
    for name in ["  ".to_owned(), "a\u{0}b".to_owned(), "x".repeat(101), format!(" {}", "x".repeat(100))] {
        let bad_name = browser.post_json("/api/auth/api-tokens", &json!({ "name": name })).await;
        assert_eq!(bad_name.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
    }
    assert_eq!(exchange(&app, "icat_made-up").await.status(), StatusCode::UNAUTHORIZED);
}

async fn another_users_token_cannot_be_revoked(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    let ben = app.sign_in("ben.demo").await;
    let created: Value =
        ada.post_json("/api/auth/api-tokens", &json!({"name": "a"})).await.json().await.unwrap();
    let path = format!("/api/auth/api-tokens/{}", created["id"]);
    assert_eq!(ben.delete(&path).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(exchange(&app, created["token"].as_str().unwrap()).await.status(), StatusCode::OK);
    assert_eq!(ben.get("/api/auth/api-tokens").await.json::<Value>().await.unwrap(), json!([]));
}
