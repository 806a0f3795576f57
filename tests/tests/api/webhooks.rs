//! Comment webhooks end to end: signing in subscribes the account; a comment added in the
//! sandbox reaches the app as a signed webhook and changes the crush without any Instagram
//! call; forged, unsigned, replayed, malformed and oversized posts change nothing; a flood
//! makes few recomputes, one at a time, and the last one counts everything; a recompute runs
//! when its debounce ends, not at the worker's next poll.

mod debounce;
mod flood;
mod freshness;
mod refusals;

use std::time::Duration;

use instacrush::{auth::SubscribeWebhooks, entities::job, jobs::Job as _, webhooks::RecomputeCrush};
use instacrush_tests::{Backend, TestApp, auth::Browser, on_both_backends};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait as _, ConnectionTrait as _, EntityTrait as _, QueryFilter as _, Statement};
use serde_json::{Value, json};

on_both_backends!(
    signing_in_subscribes_the_account,
    a_failed_subscription_is_recorded_and_retried,
    a_webhook_comment_changes_the_crush_without_calling_instagram,
);

/// A server whose recomputes run as soon as they are enqueued (no debounce), so that a test
/// draining the queue finds them runnable.
async fn app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| config.process.webhooks.debounce_ms = 0).await
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// Signs in as `username` and syncs through the API and the queue.
async fn signed_in_and_synced(app: &TestApp, username: &str) -> Browser {
    let browser = app.sign_in(username).await;
    assert_eq!(browser.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    let mine = browser.get("/api/crush").await;
    let status = mine.status();
    assert_eq!(status, StatusCode::OK, "{}", mine.text().await.unwrap());
    browser
}

/// `GET` or `DELETE` an admin path of the app's sandbox; `POST`s `body` when given.
async fn sandbox(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut request = app.client.request(method.parse().unwrap(), format!("{}{path}", app.sandbox_url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// The sandbox's view of `username`.
async fn sandbox_account(app: &TestApp, username: &str) -> Value {
    let (_, body) = sandbox(app, "GET", "/_sandbox/accounts", None).await;
    body["accounts"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap().clone()
}

/// Waits until the sandbox made `n` webhook deliveries and the app accepted every one.
async fn all_delivered(app: &TestApp, n: usize) -> Vec<Value> {
    for _ in 0..200 {
        let (_, body) = sandbox(app, "GET", "/_sandbox/webhooks", None).await;
        let deliveries = body["deliveries"].as_array().cloned().unwrap_or_default();
        if deliveries.len() >= n && deliveries.iter().all(|d| d["delivered"] == true) {
            return deliveries;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (_, body) = sandbox(app, "GET", "/_sandbox/webhooks", None).await;
    panic!("still waiting for {n} delivered webhooks: {body}");
}

/// One scalar from the database.
async fn scalar(app: &TestApp, sql: &str, values: Vec<sea_orm::Value>) -> i64 {
    let statement = Statement::from_sql_and_values(app.db.get_database_backend(), sql, values);
    let row = app.db.query_one_raw(statement).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

/// How many recompute jobs were ever enqueued.
async fn recomputes(app: &TestApp) -> i64 {
    scalar(app, "SELECT COUNT(*) FROM jobs WHERE kind = $1", vec![RecomputeCrush::KIND.into()]).await
}

async fn signing_in_subscribes_the_account(backend: Backend) {
    let app = app(backend).await;
    app.sign_in("ada.demo").await;
    assert_eq!(sandbox_account(&app, "ada.demo").await["subscribed_fields"], json!([]));
    app.run_pending_jobs().await;
    assert_eq!(sandbox_account(&app, "ada.demo").await["subscribed_fields"], json!(["comments"]));
    let subscribed = "SELECT COUNT(*) FROM webhook_subscriptions s JOIN identities i ON i.id = s.identity_id \
                      WHERE i.uid = $1 AND s.subscribed_at IS NOT NULL AND s.error IS NULL";
    let ada = sandbox_account(&app, "ada.demo").await;
    assert_eq!(scalar(&app, subscribed, vec![ada["user_id"].as_str().unwrap().into()]).await, 1);

    // A sign-in without the comments permission stores nothing (it asks for the permission
    // first), so nothing is subscribed for it either.
    let browser = app.browser();
    let authorize = app.start_sign_in(&browser, "/").await;
    let callback = app
        .authorize(&format!("{authorize}&granted_scopes=instagram_business_basic"), Some("ben.demo"))
        .await;
    browser.get(&callback).await;
    app.run_pending_jobs().await;
    assert_eq!(sandbox_account(&app, "ben.demo").await["subscribed_fields"], json!([]));
    let ben = sandbox_account(&app, "ben.demo").await;
    let rows = "SELECT COUNT(*) FROM webhook_subscriptions s JOIN identities i ON i.id = s.identity_id \
                WHERE i.uid = $1";
    assert_eq!(scalar(&app, rows, vec![ben["user_id"].as_str().unwrap().into()]).await, 0);
}

async fn a_failed_subscription_is_recorded_and_retried(backend: Backend) {
    let app = app(backend).await;
    app.sign_in("ada.demo").await;
    // Instagram fails every call while the subscription is attempted.
    assert_eq!(sandbox(&app, "PUT", "/_sandbox/knobs", Some(json!({ "error_rate": 1.0 }))).await.0, 200);
    app.run_pending_jobs().await;
    let ada = sandbox_account(&app, "ada.demo").await;
    assert_eq!(ada["subscribed_fields"], json!([]));
    let uid: String = ada["user_id"].as_str().unwrap().to_owned();
    let failed = "SELECT COUNT(*) FROM webhook_subscriptions s JOIN identities i ON i.id = s.identity_id \
                  WHERE i.uid = $1 AND s.subscribed_at IS NULL AND s.error IS NOT NULL";
    assert_eq!(scalar(&app, failed, vec![uid.clone().into()]).await, 1, "the failure is recorded");
    let job = job::Entity::find()
        .filter(job::Column::Kind.eq(SubscribeWebhooks::KIND))
        .one(&app.db)
        .await
        .unwrap()
        .expect("the subscription job");
    assert_eq!(job.state, job::JobState::Queued, "retried later, not failed: {job:?}");
    assert_eq!(job.attempts, 1);
    assert!(job.run_at > instacrush::db::now(), "after a backoff");

    // Instagram answers again; the retry subscribes the account.
    assert_eq!(sandbox(&app, "DELETE", "/_sandbox/knobs", None).await.0, 200);
    instacrush::jobs::expedite(&app.db, job.id).await.unwrap();
    app.run_pending_jobs().await;
    assert_eq!(sandbox_account(&app, "ada.demo").await["subscribed_fields"], json!(["comments"]));
    let subscribed = "SELECT COUNT(*) FROM webhook_subscriptions s JOIN identities i ON i.id = s.identity_id \
                      WHERE i.uid = $1 AND s.subscribed_at IS NOT NULL AND s.error IS NULL";
    assert_eq!(scalar(&app, subscribed, vec![uid.into()]).await, 1);
    let job = job::Entity::find_by_id(job.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!((job.state, job.attempts), (job::JobState::Succeeded, 2));
}

async fn a_webhook_comment_changes_the_crush_without_calling_instagram(backend: Backend) {
    let app = app(backend).await;
    let ben = signed_in_and_synced(&app, "ben.demo").await;
    let before = json_of(ben.get("/api/crush").await).await;
    let account = sandbox_account(&app, "ben.demo").await;
    assert_eq!(account["subscribed_fields"], json!(["comments"]));
    assert_eq!(before["crush"]["crush"]["username"], account["expected_crush"]["username"]);
    let runner_up = account["top_interactors"][1].clone();
    // The page as an open browser holds it: an ETag to revalidate with.
    let old_page = before["crush"]["links"]["self"].as_str().unwrap().to_owned();
    let first = app.get(&old_page).await;
    let old_etag = first.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(json_of(first).await["is_current"], true);
    let unchanged =
        app.client.get(app.url(&old_page)).header("if-none-match", &old_etag).send().await.unwrap();
    assert_eq!(unchanged.status(), StatusCode::NOT_MODIFIED, "nothing changed yet");
    let gap = account["expected_crush"]["interactions"].as_u64().unwrap()
        - runner_up["interactions"].as_u64().unwrap();

    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;
    // Enough comments by the runner-up on the newest post to overtake, one of them a reply.
    let comments: Vec<Value> =
        (0..gap).map(|i| json!({ "author": runner_up["username"], "text": format!("again {i}") })).collect();
    let (status, added) =
        sandbox(&app, "POST", "/_sandbox/accounts/ben.demo/comments", Some(json!(comments))).await;
    assert_eq!(status, 201, "{added}");
    let parent = added["comments"][0]["id"].clone();
    let reply = json!({ "author": runner_up["username"], "parent_id": parent, "text": "and a reply" });
    assert_eq!(sandbox(&app, "POST", "/_sandbox/accounts/ben.demo/comments", Some(reply)).await.0, 201);
    all_delivered(&app, gap as usize + 1).await;

    // Every comment queued the owner's recompute; they wait for one.
    assert_eq!(recomputes(&app).await, 1);
    app.run_pending_jobs().await;
    let after = json_of(ben.get("/api/crush").await).await;
    let expected = sandbox_account(&app, "ben.demo").await["expected_crush"].clone();
    assert_eq!(expected["username"], runner_up["username"], "the sandbox agrees the crush changed");
    assert_eq!(after["crush"]["crush"]["username"], runner_up["username"], "{after}");
    assert_eq!(after["crush"]["comments_count"], expected["interactions"]);
    assert_ne!(after["crush"]["slug"], before["crush"]["slug"], "a new pair, a new page");
    let page = app.get(after["crush"]["links"]["self"].as_str().unwrap()).await;
    assert_eq!(page.status(), StatusCode::OK);
    let page = json_of(page).await;
    assert_eq!(page["crush"]["username"], runner_up["username"]);
    assert_eq!(page["is_current"], true);
    // The old page, revalidated, has changed: it is no longer the owner's crush (and does not
    // say who is: only the owner's sharing reveals a page).
    let old = app.client.get(app.url(&old_page)).header("if-none-match", &old_etag).send().await.unwrap();
    assert_eq!(old.status(), StatusCode::OK, "a new body, not a 304");
    let old = json_of(old).await;
    assert_eq!(old["crush"]["username"], before["crush"]["crush"]["username"], "the page stays as it was");
    assert_eq!(old["is_current"], false, "{old}");
    assert!(!old.to_string().contains(after["crush"]["slug"].as_str().unwrap()), "{old}");
    assert!(!old.to_string().contains(runner_up["username"].as_str().unwrap()), "{old}");

    let (_, calls) = sandbox(&app, "GET", "/_sandbox/calls", None).await;
    assert_eq!(calls["total"], 0, "no Instagram call: {calls}");
}
