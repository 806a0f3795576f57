//! The read caches (`READ_CACHE_MS`): hot reads come from memory, and this process's own
//! writes (a sync, a sync asked for, sign-out, a revoked API token, a deleted account) are seen
//! at once. A long TTL here makes any missed invalidation show as a stale answer.

use instacrush_tests::{Backend, TestApp, auth::Browser, on_both_backends};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

on_both_backends!(
    crushes_come_from_memory_until_this_process_changes_them,
    revoked_credentials_and_deleted_accounts_are_refused_at_once,
);

async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| config.http.read_cache_ms = 600_000).await
}

async fn json_of(response: reqwest::Response) -> Value {
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Syncs `browser`'s account; returns its crush's slug.
async fn synced(app: &TestApp, browser: &Browser) -> String {
    assert_eq!(browser.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    let mine = json_of(browser.get("/api/crush").await).await;
    mine["crush"]["slug"].as_str().unwrap().to_owned()
}

/// A write from outside this process (another server, a worker elsewhere).
async fn set_comments_count(app: &TestApp, slug: &str, count: i64) {
    let statement = sea_orm::Statement::from_sql_and_values(
        app.db.get_database_backend(),
        "UPDATE crushes SET comments_count = $1 WHERE slug = $2",
        [count.into(), slug.into()],
    );
    app.db.execute_raw(statement).await.unwrap();
}

async fn crushes_come_from_memory_until_this_process_changes_them(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    let slug = synced(&app, &ada).await; // which read (and cached) ada's answer
    let page = format!("/api/crush/{slug}");
    let real = json_of(ada.get("/api/crush").await).await["crush"]["comments_count"].clone();
    assert!(real.as_i64().unwrap() > 0, "{real}");

    // Another process changes the crush: this one keeps answering from memory.
    set_comments_count(&app, &slug, 999).await;
    assert_eq!(json_of(ada.get("/api/crush").await).await["crush"]["comments_count"], real, "mine cached");
    assert_eq!(json_of(app.get(&page).await).await["comments_count"], 999, "the page's first read");
    set_comments_count(&app, &slug, 998).await;
    assert_eq!(json_of(app.get(&page).await).await["comments_count"], 999, "public page cached");

    // Until it syncs the account itself: asking for a sync forgets the cached answer (the sync
    // is running now), and the finished sync forgets the public page.
    app.db.execute_unprepared("UPDATE jobs SET created_at = '2000-01-01T00:00:00Z'").await.unwrap(); // no cooldown
    let asked = ada.post("/api/users/me/sync").await;
    assert_eq!(asked.status(), StatusCode::ACCEPTED);
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED, "a running sync, not the cache");
    assert_eq!(json_of(app.get(&page).await).await["comments_count"], 999, "still cached");
    app.run_pending_jobs().await;
    assert_eq!(json_of(app.get(&page).await).await["comments_count"], real, "recomputed by the sync");
    let mine = json_of(ada.get("/api/crush").await).await;
    assert_eq!(mine["crush"]["comments_count"], real);
    assert_eq!(mine["crush"]["slug"], slug.as_str());
}

async fn revoked_credentials_and_deleted_accounts_are_refused_at_once(backend: Backend) {
    let app = spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    let slug = synced(&app, &ada).await;

    // An API token, known to stand after one call, is refused once revoked.
    let created: Value =
        ada.post_json("/api/auth/api-tokens", &json!({"name": "script"})).await.json().await.unwrap();
    let exchanged = app
        .client
        .post(app.url("/api/auth/token"))
        .json(&json!({"api_token": created["token"]}))
        .send()
        .await
        .unwrap();
    let jwt = json_of(exchanged).await["access_token"].as_str().unwrap().to_owned();
    let with_token = || app.client.get(app.url("/api/crush")).bearer_auth(&jwt).send();
    assert_eq!(with_token().await.unwrap().status(), StatusCode::OK);
    let id = created["id"].as_i64().unwrap();
    assert_eq!(ada.delete(&format!("/api/auth/api-tokens/{id}")).await.status(), StatusCode::NO_CONTENT);
    assert_eq!(with_token().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // A session, known to stand, is refused after signing out, even with the old access cookie.
    let access = ada.cookie("ic_access").unwrap();
    assert_eq!(ada.get("/api/users/me").await.status(), StatusCode::OK);
    assert_eq!(ada.post("/api/auth/logout").await.status(), StatusCode::NO_CONTENT);
    ada.set_cookie("ic_access", &access, "/");
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::UNAUTHORIZED);

    // A deleted account's public page and answers go at once.
    let ada = app.sign_in("ada.demo").await;
    let page = format!("/api/crush/{slug}");
    assert_eq!(app.get(&page).await.status(), StatusCode::OK);
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::OK);
    let access = ada.cookie("ic_access").unwrap();
    assert_eq!(ada.delete("/api/users/me").await.status(), StatusCode::NO_CONTENT);
    assert_eq!(app.get(&page).await.status(), StatusCode::NOT_FOUND);
    ada.set_cookie("ic_access", &access, "/");
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::UNAUTHORIZED);
}
