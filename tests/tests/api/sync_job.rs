//! The `sync_feed` job end to end: a signed-in user's account synced through
//! the queue, and Instagram's refusals mapped to job outcomes.

use instacrush::{
    entities::job::JobState,
    jobs::{self, NewJob},
    sync::SyncFeed,
};
use instacrush_tests::{Backend, TestApp, jobs::job_row, on_both_backends};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{Value, json};

on_both_backends!(
    a_sync_job_records_the_crush,
    a_refused_token_ends_the_sync_as_needs_reauth,
    throttling_retries_after_the_wait_instagram_asked_for,
);

async fn signed_in_user(app: &TestApp, username: &str) -> i64 {
    let browser = app.sign_in(username).await;
    // The sign-in's own job (the comment webhook subscription) runs first.
    app.run_pending_jobs().await;
    let me: Value = browser.get("/api/users/me").await.json().await.unwrap();
    me["id"].as_i64().expect("user id")
}

async fn enqueue_sync(app: &TestApp, user_id: i64) -> i64 {
    let job = NewJob::of(&SyncFeed { user_id }).owned_by(user_id);
    jobs::enqueue(&app.db, job).await.unwrap().id()
}

async fn current_crush(app: &TestApp) -> Option<String> {
    let sql =
        "SELECT u.username FROM crushes c JOIN instagram_users u ON u.id = c.crush_id WHERE c.is_current";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    row.map(|row| row.try_get_by_index::<String>(0).unwrap())
}

async fn a_sync_job_records_the_crush(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user_id = signed_in_user(&app, "ada.demo").await;
    let id = enqueue_sync(&app, user_id).await;
    let again = jobs::enqueue(&app.db, NewJob::of(&SyncFeed { user_id })).await.unwrap();
    assert_eq!(again.id(), id, "one active sync per user");
    assert_eq!(app.run_pending_jobs().await, 1);
    let row = job_row(&app.db, id).await;
    assert_eq!(row.state, JobState::Succeeded, "{:?}", row.last_error);
    let progress = row.progress.unwrap();
    assert_eq!(progress["done"], progress["total"], "{progress}");
    assert_eq!(progress["phase"], "comments");
    let accounts: Value = app
        .client
        .get(format!("{}/_sandbox/accounts", app.sandbox_url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ada = accounts["accounts"].as_array().unwrap().iter().find(|a| a["username"] == "ada.demo").unwrap();
    assert_eq!(current_crush(&app).await.as_deref(), ada["expected_crush"]["username"].as_str());
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains(r#"instacrush_instagram_calls_total{endpoint="GET /me",outcome="ok"}"#),
        "{metrics}"
    );
    assert!(metrics.contains("instacrush_instagram_call_duration_seconds_bucket"), "{metrics}");
}

async fn a_refused_token_ends_the_sync_as_needs_reauth(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user_id = signed_in_user(&app, "ada.demo").await;
    let revoke = format!("{}/_sandbox/accounts/ada.demo/revoke", app.sandbox_url);
    assert!(app.client.post(revoke).send().await.unwrap().status().is_success());
    let id = enqueue_sync(&app, user_id).await;
    app.run_pending_jobs().await;
    let row = job_row(&app.db, id).await;
    assert_eq!((row.state, row.attempts), (JobState::Failed, 1), "no retries for a refused token");
    assert_eq!(row.last_error.unwrap()["code"], "needs_reauth");
    let sql = format!(
        "SELECT COUNT(*) FROM identities WHERE user_id = {user_id} AND reauth_required_at IS NOT NULL"
    );
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    assert_eq!(row.unwrap().try_get_by_index::<i64>(0).unwrap(), 1, "the identity needs a new sign-in");
}

async fn throttling_retries_after_the_wait_instagram_asked_for(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user_id = signed_in_user(&app, "ada.demo").await;
    let knobs = format!("{}/_sandbox/knobs", app.sandbox_url);
    let set =
        app.client.put(&knobs).json(&json!({"throttle_after": 1, "throttle_window_secs": 600})).send().await;
    assert!(set.unwrap().status().is_success());
    let id = enqueue_sync(&app, user_id).await;
    app.run_pending_jobs().await;
    let row = job_row(&app.db, id).await;
    assert_eq!(row.state, JobState::Queued, "throttling is transient");
    assert_eq!(row.last_error.unwrap()["code"], "throttled");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    assert!(metrics.contains(r#"outcome="throttled"} 1"#), "throttling is counted: {metrics}");
    let wait = row.run_at - row.updated_at;
    assert!(
        wait >= time::Duration::seconds(55),
        "waits as Instagram asked, not the 200 ms test backoff: {wait}"
    );
}
