//! Instagram's rate budget across worker processes: one worker's calls spend the app's
//! budget, its sync pauses (deferred, not failed, no attempt used up) and says when it
//! resumes; another worker process, started during the pause, pauses its own sync before
//! calling Instagram at all, from the usage the first one shared through the database; once
//! the pause is over both syncs finish without repeating a call.

use std::{collections::BTreeSet, time::Duration};

use instacrush::entities::job;
use instacrush_tests::{Backend, InstagramCall, TestApp, auth::Browser, jobs::syncs_of, on_both_backends};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait as _, Statement};
use serde_json::{Value, json};

on_both_backends!(a_spent_budget_pauses_the_syncs_of_every_worker_process_until_it_is_regained);

/// How long syncs pause when Instagram gives no regain time (`X-App-Usage` never does): long
/// enough for a second worker process to start within it on a busy machine.
const PAUSE: Duration = Duration::from_secs(30);
/// The sandbox's app-level limit: calls per (long) window. A demo account's full sync makes
/// 23 calls; at 16 the usage reaches the 80 % mark.
const LIMIT: u32 = 20;

/// A worker process of the app's deployment: one post at a time, so the budget is checked
/// between calls.
fn worker_process(app: &TestApp) -> tokio::process::Child {
    let pause = PAUSE.as_secs().to_string();
    app.worker_process(&[
        ("WORKER_CONCURRENCY", "2"),
        ("SYNC_CONCURRENCY", "1"),
        ("INSTAGRAM_BUDGET_PAUSE_SECS", &pause),
    ])
}

async fn sandbox(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut request = app.client.request(method.parse().unwrap(), format!("{}{path}", app.sandbox_url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().json().await.unwrap_or(Value::Null)
}

/// The calls the sandbox answered for `username`.
async fn calls_of(app: &TestApp, username: &str) -> Vec<InstagramCall> {
    let calls = app.instagram_calls().await;
    calls.into_iter().filter(|call| call.account.as_deref() == Some(username)).collect()
}

/// The sync job of user `user_id`.
async fn sync_of(app: &TestApp, user_id: i64) -> job::Model {
    let jobs = syncs_of(&app.db, user_id).await;
    assert_eq!(jobs.len(), 1, "{jobs:?}");
    jobs.into_iter().next().unwrap()
}

/// Waits up to `limit` for `check` to hold of the sync of `user_id`; returns it.
async fn wait_for_sync(
    app: &TestApp,
    user_id: i64,
    limit: Duration,
    what: &str,
    check: impl Fn(&job::Model) -> bool,
) -> job::Model {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let sync = sync_of(app, user_id).await;
        if check(&sync) {
            return sync;
        }
        assert!(tokio::time::Instant::now() < deadline, "waiting for {what}: {sync:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn paused(sync: &job::Model) -> bool {
    sync.state == job::JobState::Queued
        && sync.last_error.as_ref().is_some_and(|error| error["code"] == "paused")
        && sync.run_at > instacrush::db::now()
}

async fn user_id_of(app: &TestApp, username: &str) -> i64 {
    let sql = "SELECT user_id FROM instagram_users WHERE username = $1 AND user_id IS NOT NULL";
    let statement = Statement::from_sql_and_values(app.db.get_database_backend(), sql, [username.into()]);
    app.db.query_one_raw(statement).await.unwrap().unwrap().try_get_by_index(0).unwrap()
}

/// The app-wide usage the workers shared, in percent.
async fn shared_app_usage(app: &TestApp) -> Option<i32> {
    let sql = "SELECT percent FROM instagram_usage WHERE scope = 'app'";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    row.map(|row| row.try_get_by_index(0).unwrap())
}

/// Asks for `browser`'s crush: a sync starts (`202`).
async fn ask(browser: &Browser) {
    let response = browser.get("/api/crush").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED, "{}", response.text().await.unwrap());
}

async fn a_spent_budget_pauses_the_syncs_of_every_worker_process_until_it_is_regained(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    let ben = app.sign_in("ben.demo").await;
    app.run_pending_jobs().await; // the webhook subscriptions, before the limit
    let (ada_id, ben_id) = (user_id_of(&app, "ada.demo").await, user_id_of(&app, "ben.demo").await);
    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;
    let knobs = json!({ "throttle_after": LIMIT, "throttle_window_secs": 3600 });
    sandbox(&app, "PUT", "/_sandbox/knobs", Some(knobs)).await;

    // Worker process A syncs ada until the app's usage reaches the mark, and pauses.
    ask(&ada).await;
    let mut first = worker_process(&app);
    let ada_sync = wait_for_sync(&app, ada_id, Duration::from_secs(60), "ada's sync to pause", paused).await;
    assert_eq!(ada_sync.attempts, 0, "a pause uses up no attempt");
    let made = calls_of(&app, "ada.demo").await;
    assert!(!made.is_empty() && made.len() < LIMIT as usize, "paused before the limit: {made:?}");
    assert!(made.iter().all(|call| call.status == 200), "never refused: {made:?}");
    // The SPA's status says when it resumes.
    let status: Value = ada.get("/api/crush/loading").await.json().await.unwrap();
    let resumes_at = time::OffsetDateTime::parse(
        status["resumes_at"].as_str().unwrap_or_else(|| panic!("{status}")),
        &time::format_description::well_known::Rfc3339,
    )
    .unwrap();
    assert_eq!(resumes_at, ada_sync.run_at, "{status}");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    while shared_app_usage(&app).await.is_none_or(|percent| percent < 80) {
        assert!(tokio::time::Instant::now() < deadline, "the usage was never shared");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    first.start_kill().unwrap();
    first.wait().await.unwrap();

    // Worker process B starts during the pause: ben's sync pauses without calling Instagram.
    ask(&ben).await;
    let mut second = worker_process(&app);
    let ben_sync = wait_for_sync(&app, ben_id, PAUSE, "ben's sync to pause", paused).await;
    assert_eq!(ben_sync.attempts, 0, "a pause uses up no attempt");
    assert!(calls_of(&app, "ben.demo").await.is_empty(), "no call while the budget is spent");
    // The same pause: each deferral adds its own spread (up to 5 s) so paused jobs do not all
    // come back at once.
    let apart = (ben_sync.run_at - ada_sync.run_at).abs();
    assert!(apart <= time::Duration::seconds(6), "the same pause: {apart}");

    // Instagram's window rolls over; both syncs resume when the pause ends, and finish.
    sandbox(&app, "DELETE", "/_sandbox/knobs", None).await;
    let limit = PAUSE + Duration::from_secs(60);
    let done = |sync: &job::Model| sync.state == job::JobState::Succeeded;
    let ada_sync = wait_for_sync(&app, ada_id, limit, "ada's sync to finish", done).await;
    let ben_sync = wait_for_sync(&app, ben_id, limit, "ben's sync to finish", done).await;
    assert_eq!((ada_sync.attempts, ben_sync.attempts), (1, 1), "the pauses used up no attempt");
    for username in ["ada.demo", "ben.demo"] {
        let made = calls_of(&app, username).await;
        let distinct: BTreeSet<(&String, &String)> =
            made.iter().map(|call| (&call.endpoint, &call.path)).collect();
        assert_eq!(distinct.len(), made.len(), "{username}: no call made twice: {made:?}");
        assert!(made.iter().all(|call| call.status == 200), "{made:?}");
    }
    for (browser, username) in [(&ada, "ada.demo"), (&ben, "ben.demo")] {
        let mine: Value = browser.get("/api/crush").await.json().await.unwrap();
        let accounts = sandbox(&app, "GET", "/_sandbox/accounts", None).await;
        let account = accounts["accounts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["username"] == username)
            .unwrap()
            .clone();
        assert_eq!(
            mine["crush"]["crush"]["username"], account["expected_crush"]["username"],
            "{username}: {mine}"
        );
        assert_eq!(mine["crush"]["comments_count"], account["expected_crush"]["interactions"], "{username}");
    }
    second.start_kill().unwrap();
    second.wait().await.unwrap();
}
