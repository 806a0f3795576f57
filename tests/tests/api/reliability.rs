//! Reliability under faults, in one process: a database cut (through a TCP proxy) answers
//! 503 and loses no job outcome; racing requests make one sync; the user's own request
//! runs a parked sync now; a flaky Instagram does not fail syncs; a released sync resumes
//! where it stopped, and so does a sync whose worker process was killed; a succeeded sync
//! shows no earlier error.

use std::{net::SocketAddr, sync::Arc, time::Duration};

use axum::extract::FromRef as _;
use instacrush::{
    config::WorkerConfig,
    entities::job::JobState,
    jobs::{self, NewJob, NoopJob},
    metrics::InstagramCallLabels,
    sync::{self, SyncContext, SyncFeed, SyncPhase},
};
use instacrush_tests::{
    Backend, TestApp,
    auth::Browser,
    jobs::{all_jobs, job_row, wait_until},
    on_both_backends,
    proxy::Proxy,
    test_worker_config,
};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};
use tokio_util::sync::CancellationToken;

on_both_backends!(
    a_decision_taken_on_stale_data_starts_no_second_sync,
    racing_requests_for_one_stale_account_make_one_sync,
    a_parked_sync_runs_now_when_its_user_asks,
    a_flaky_instagram_does_not_fail_a_sync,
    a_released_sync_resumes_without_reading_again,
    a_crashed_sync_resumes_from_its_checkpoint,
    a_succeeded_sync_shows_no_earlier_error,
);

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

async fn sync_jobs(app: &TestApp) -> Vec<instacrush::entities::job::Model> {
    all_jobs(&app.db).await.into_iter().filter(|job| job.kind == "sync_feed").collect()
}

async fn set_knobs(app: &TestApp, knobs: Value) {
    let url = format!("{}/_sandbox/knobs", app.sandbox_url);
    assert!(app.client.put(url).json(&knobs).send().await.unwrap().status().is_success());
}

/// The app on PostgreSQL, its database reached through a proxy the test can cut; `None`
/// without `TEST_POSTGRES_URL` (outside CI, where PostgreSQL may not skip).
async fn app_behind_proxy(worker: WorkerConfig) -> Option<(TestApp, Proxy)> {
    let backend = Backend::postgres()?;
    let Backend::Postgres(admin) = &backend else { unreachable!() };
    let server = url::Url::parse(admin).unwrap();
    let target: SocketAddr = format!("{}:{}", server.host_str().unwrap(), server.port().unwrap_or(5432))
        .parse()
        .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], server.port().unwrap_or(5432))));
    let proxy = Proxy::start(target).await;
    let app = TestApp::spawn_with(backend, |config| {
        let database = &mut config.process.database;
        database.database_url = proxy.url(database.database_url.as_str()).parse().unwrap();
        database.database_acquire_timeout_secs = 2;
        config.process.worker = worker;
    })
    .await;
    Some((app, proxy))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_database_outage_answers_503_then_recovers() {
    let Some((app, proxy)) = app_behind_proxy(WorkerConfig { concurrency: 0, ..test_worker_config() }).await
    else {
        return;
    };
    let ada = app.sign_in("ada.demo").await;
    assert_eq!(ada.get("/api/users/me").await.status(), StatusCode::OK);
    proxy.cut();
    for path in ["/api/users/me", "/api/crush", "/api/crush/k7m2xq9rd4tv8wz3hc6p"] {
        let response = ada.get(path).await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(response.headers().contains_key("retry-after"), "{path}");
        let problem = json_of(response).await;
        assert_eq!(problem["code"], "unavailable", "{problem}");
    }
    proxy.restore();
    wait_until(Duration::from_secs(20), "the API to answer again", || async {
        ada.get("/api/users/me").await.status() == StatusCode::OK
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_jobs_outcome_is_written_once_the_database_is_back() {
    // The lease outlives the cut: the job must end by its own outcome, not by a rescue.
    let worker = WorkerConfig { concurrency: 1, lease_ms: 20_000, ..test_worker_config() };
    let Some((app, proxy)) = app_behind_proxy(worker).await else { return };
    let direct = Database::connect(app.database.url.as_str()).await.unwrap();
    let job = NoopJob { sleep_ms: 1_500, sleep_until_attempt: None };
    let id = jobs::enqueue(&direct, NewJob::of(&job)).await.unwrap().id();
    // Started, its progress written: from here it only sleeps, then succeeds.
    wait_until(Duration::from_secs(20), "the job to start", || async {
        let row = job_row(&direct, id).await;
        row.state == JobState::Running && row.progress.is_some()
    })
    .await;
    proxy.cut();
    tokio::time::sleep(Duration::from_secs(4)).await; // The job ends during the cut.
    assert_eq!(job_row(&direct, id).await.state, JobState::Running, "its outcome could not be written yet");
    proxy.restore();
    wait_until(Duration::from_secs(20), "the outcome to be written", || async {
        job_row(&direct, id).await.state == JobState::Succeeded
    })
    .await;
    let row = job_row(&direct, id).await;
    assert_eq!(row.attempts, 1, "written by the attempt that ran it, not rescued and run again");
    assert!(row.last_error.is_none(), "{:?}", row.last_error);
}

/// A request reads "stale, nothing running", and before it enqueues, a sync starts and ends:
/// what it decided on no longer holds, and it must not start another.
async fn a_decision_taken_on_stale_data_starts_no_second_sync(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    let user_id = json_of(ada.get("/api/users/me").await).await["id"].as_i64().unwrap();
    let ctx = SyncContext::from_ref(&app.state);
    let fresh_for = app.state.sync.fresh_for();
    let seen = sync::overview(&app.db, user_id, None, fresh_for).await.unwrap();
    assert_eq!(seen.phase, SyncPhase::Stale);

    // Meanwhile another request's sync runs and succeeds.
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    let started = sync::start_sync_if_needed(&ctx, user_id, &seen).await.unwrap();
    assert!(started.is_none(), "the data is fresh now: {started:?}");
    assert_eq!(sync_jobs(&app).await.len(), 1);

    // Meanwhile another request's sync ran and failed: watch that one, do not start another.
    app.db.execute_unprepared("UPDATE instagram_users SET last_synced_at = NULL").await.unwrap();
    let seen = sync::overview(&app.db, user_id, None, fresh_for).await.unwrap();
    set_knobs(&app, json!({"error_rate": 1.0})).await;
    assert_eq!(ada.post("/api/users/me/sync").await.status(), StatusCode::ACCEPTED);
    app.db.execute_unprepared("UPDATE jobs SET max_attempts = 1").await.unwrap();
    app.run_pending_jobs().await;
    let failed = sync_jobs(&app).await.pop().unwrap();
    assert_eq!(failed.state, JobState::Failed);
    let watched = sync::start_sync_if_needed(&ctx, user_id, &seen).await.unwrap().unwrap();
    assert_eq!(watched.id, failed.id, "the newer, failed sync is the one to show");
    assert_eq!(sync_jobs(&app).await.len(), 2, "no third sync");
}

async fn racing_requests_for_one_stale_account_make_one_sync(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| {
        config.process.worker = WorkerConfig { concurrency: 2, poll_ms: 20, ..test_worker_config() };
    })
    .await;
    let ada = Arc::new(app.sign_in("ada.demo").await);
    // Clients that poll back to back while the sync starts, runs and finishes: each asks
    // for the crush or its status until the crush is there.
    let pollers: Vec<_> = (0..8)
        .map(|n| {
            let ada = ada.clone();
            tokio::spawn(async move {
                let path = if n % 2 == 0 { "/api/crush" } else { "/api/crush/loading" };
                let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
                loop {
                    let response = ada.get(path).await;
                    assert!(response.status().is_success(), "{path}: {}", response.status());
                    let body = json_of(response).await;
                    let done = body["outcome"] == "found" || body["status"] == "succeeded";
                    if done || tokio::time::Instant::now() > deadline {
                        return done;
                    }
                }
            })
        })
        .collect();
    for poller in pollers {
        assert!(poller.await.unwrap(), "every client sees the crush");
    }
    let syncs = sync_jobs(&app).await;
    assert_eq!(syncs.len(), 1, "one need, one sync: {syncs:?}");
}

async fn a_parked_sync_runs_now_when_its_user_asks(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    app.run_pending_jobs().await; // the comment webhook subscription
    let user_id = json_of(ada.get("/api/users/me").await).await["id"].as_i64().unwrap();
    // The scheduled resync spreads syncs over the hour: this one is due in 30 minutes.
    let later = instacrush::db::now() + time::Duration::minutes(30);
    let parked = NewJob::of(&SyncFeed { user_id }).run_at(later).owned_by(user_id);
    let id = jobs::enqueue(&app.db, parked).await.unwrap().id();
    assert_eq!(app.run_pending_jobs().await, 0, "not runnable yet");

    let response = ada.get("/api/crush").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(json_of(response).await["job"]["id"], id, "the same sync, not a second one");
    assert!(job_row(&app.db, id).await.run_at <= instacrush::db::now(), "it runs now");
    assert_eq!(app.run_pending_jobs().await, 1);
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::OK);

    // Asking for a sync explicitly does the same.
    let later = instacrush::db::now() + time::Duration::minutes(30);
    let parked = NewJob::of(&SyncFeed { user_id }).run_at(later).owned_by(user_id);
    let id = jobs::enqueue(&app.db, parked).await.unwrap().id();
    let response = ada.post("/api/users/me/sync").await;
    assert_eq!(response.status(), StatusCode::ACCEPTED);
    assert_eq!(json_of(response).await["job"]["id"], id);
    assert_eq!(app.run_pending_jobs().await, 1, "ran at once");
}

async fn a_flaky_instagram_does_not_fail_a_sync(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    // Each call fails with a 3 % chance: without retrying calls, a sync of dozens of calls
    // fails most attempts.
    set_knobs(&app, json!({"error_rate": 0.03})).await;
    for _ in 0..3 {
        assert_eq!(ada.post("/api/users/me/sync").await.status(), StatusCode::ACCEPTED);
        app.run_pending_jobs().await;
        let job = sync_jobs(&app).await.pop().unwrap();
        assert_eq!((job.state, job.attempts), (JobState::Succeeded, 1), "{:?}", job.last_error);
        app.db.execute_unprepared("UPDATE users SET sync_requested_at = NULL").await.unwrap();
        // Every post read each time (an incremental resync would read none).
        app.db.execute_unprepared("UPDATE instagram_users SET full_synced_at = NULL").await.unwrap();
    }
    let failed =
        InstagramCallLabels { endpoint: "GET /{media-id}/comments".to_owned(), outcome: "transient" };
    let ok = InstagramCallLabels { outcome: "ok", ..failed.clone() };
    let calls = &app.state.metrics.instagram.calls;
    assert!(calls.get_or_create(&ok).get() > 50, "enough calls were made for failures to happen");
}

/// Calls made to `endpoint` that Instagram answered.
fn answered(app: &TestApp, endpoint: &str) -> u64 {
    let calls = &app.state.metrics.instagram.calls;
    ["ok", "transient", "permanent", "throttled", "needs_reauth"]
        .into_iter()
        .map(|outcome| {
            calls.get_or_create(&InstagramCallLabels { endpoint: endpoint.to_owned(), outcome }).get()
        })
        .sum()
}

async fn a_released_sync_resumes_without_reading_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    set_knobs(&app, json!({"latency_ms": 150})).await;
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    let id = sync_jobs(&app).await[0].id;
    // A worker that shuts down mid-sync: the sync finishes the posts in flight and is released.
    let shutdown = CancellationToken::new();
    let config = WorkerConfig { concurrency: 1, grace_secs: 30, ..test_worker_config() };
    let worker = tokio::spawn(instacrush::app::worker(&app.state, config).run(shutdown.clone()));
    wait_until(Duration::from_secs(30), "a few posts to be done", || async {
        job_row(&app.db, id).await.progress.is_some_and(|progress| progress["done"].as_u64() >= Some(4))
    })
    .await;
    shutdown.cancel();
    worker.await.unwrap();
    let released = job_row(&app.db, id).await;
    assert_eq!((released.state, released.attempts), (JobState::Queued, 0), "released, not failed");
    assert!(released.checkpoint.is_some(), "the sync left a checkpoint");

    let (profile_reads, list_reads) = (answered(&app, "GET /me"), answered(&app, "GET /me/media"));
    app.run_pending_jobs().await;
    assert_eq!(job_row(&app.db, id).await.state, JobState::Succeeded);
    let posts = media_count(&app).await;
    assert_eq!(answered(&app, "GET /me"), profile_reads, "the profile is not read again");
    assert_eq!(answered(&app, "GET /me/media"), list_reads, "the post list is not read again");
    let comments = answered(&app, "GET /{media-id}/comments");
    assert_eq!(comments, u64::try_from(posts).unwrap(), "each post's comments read once");
}

/// The calls the sandbox answered `200` for `username`, by endpoint and path.
async fn answered_calls(app: &TestApp, username: &str) -> Vec<(String, String)> {
    let calls = app.instagram_calls().await;
    calls
        .into_iter()
        .filter(|call| call.account.as_deref() == Some(username) && call.status == 200)
        .map(|call| (call.endpoint, call.path))
        .collect()
}

/// How many posts the app holds.
async fn media_count(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM instagram_media";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    row.unwrap().try_get_by_index(0).unwrap()
}

async fn a_crashed_sync_resumes_from_its_checkpoint(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    app.run_pending_jobs().await; // the webhook subscription
    set_knobs(&app, json!({"latency_ms": 150})).await;
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    let id = sync_jobs(&app).await[0].id;
    // A worker process reading one post at a time is killed mid-sync: no chance to release it.
    let one_post = [("WORKER_CONCURRENCY", "1"), ("SYNC_CONCURRENCY", "1"), ("JOB_LEASE_MS", "1000")];
    let mut first = app.worker_process(&one_post);
    wait_until(Duration::from_secs(30), "a few posts to be done", || async {
        job_row(&app.db, id).await.progress.is_some_and(|progress| progress["done"].as_u64() >= Some(4))
    })
    .await;
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    let killed = job_row(&app.db, id).await;
    assert_eq!(killed.state, JobState::Running, "left running: only its lease ends it");
    assert!(killed.checkpoint.is_some(), "the sync left a checkpoint");
    let before = answered_calls(&app, "ada.demo").await;

    // Another worker process rescues it once the lease is over, and goes on from there.
    let _second = app.worker_process(&one_post);
    wait_until(Duration::from_secs(60), "the sync to be rescued and finish", || async {
        job_row(&app.db, id).await.state == JobState::Succeeded
    })
    .await;
    let calls = answered_calls(&app, "ada.demo").await;
    let after = &calls[before.len()..];
    let count =
        |calls: &[(String, String)], endpoint: &str| calls.iter().filter(|(e, _)| e == endpoint).count();
    let endpoints: Vec<&String> = after.iter().map(|(endpoint, _)| endpoint).collect();
    assert_eq!(count(after, "GET /me"), 0, "the profile is not read again: {endpoints:?}");
    assert_eq!(count(after, "GET /me/media"), 0, "the post list is not read again: {endpoints:?}");
    let comments: Vec<&String> =
        calls.iter().filter(|(e, _)| e == "GET /{media-id}/comments").map(|(_, path)| path).collect();
    let distinct: std::collections::BTreeSet<&String> = comments.iter().copied().collect();
    assert!(
        comments.len() - distinct.len() <= 1,
        "only the post in flight when the worker died is read again: {} of {} pages",
        comments.len() - distinct.len(),
        comments.len()
    );
    let posts = media_count(&app).await;
    assert_eq!(distinct.len() as i64, posts, "every post read");
    let mine = json_of(ada.get("/api/crush").await).await;
    assert_eq!(mine["outcome"], "found", "{mine}");
}

async fn a_succeeded_sync_shows_no_earlier_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada: Browser = app.sign_in("ada.demo").await;
    set_knobs(&app, json!({"error_rate": 1.0})).await;
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    let job = sync_jobs(&app).await.pop().unwrap();
    assert_eq!((job.state, job.attempts), (JobState::Queued, 1), "the first attempt failed");
    app.client.delete(format!("{}/_sandbox/knobs", app.sandbox_url)).send().await.unwrap();
    app.db.execute_unprepared("UPDATE jobs SET run_at = created_at").await.unwrap();
    app.run_pending_jobs().await;
    let status = json_of(ada.get("/api/crush/loading").await).await;
    assert_eq!(status["status"], "succeeded", "{status}");
    assert!(status["error"].is_null(), "no error on a sync that succeeded: {status}");
}
