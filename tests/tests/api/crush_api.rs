//! The crush API, porting the original's controller specs (anonymous,
//! up-to-date and stale users, one enqueue, staleness at 1 h and 13 h, the
//! public page) and adding failures, re-auth and ownership.

use instacrush_tests::{Backend, TestApp, auth::Browser, on_both_backends};
use reqwest::StatusCode;
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

on_both_backends!(
    anonymous_users_must_sign_in_but_see_public_crushes,
    a_stale_user_gets_one_sync_and_then_their_crush,
    staleness_is_twelve_hours,
    nobody_commenting_is_an_answer_not_an_error,
    a_failed_sync_can_be_retried,
    a_refused_token_asks_to_sign_in_again,
    jobs_are_visible_to_their_owner_only,
    insights_list_interactors_posts_and_comments,
);

/// Signs in, and lets the sign-in's own job (the comment webhook subscription) run.
async fn signed_in(app: &TestApp, username: &str) -> Browser {
    let browser = app.sign_in(username).await;
    app.run_pending_jobs().await;
    browser
}

async fn json_of(response: reqwest::Response) -> Value {
    response.json().await.unwrap()
}

/// Syncs `browser`'s account through the API and the queue; returns the final status.
async fn sync_now(app: &TestApp, browser: &Browser) -> Value {
    let started = browser.get("/api/crush").await;
    assert_eq!(started.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    let done = browser.get("/api/crush/loading").await;
    assert_eq!(done.status(), StatusCode::OK);
    json_of(done).await
}

async fn expected_crush(app: &TestApp, username: &str) -> Value {
    let url = format!("{}/_sandbox/accounts", app.sandbox_url);
    let accounts: Value = app.client.get(url).send().await.unwrap().json().await.unwrap();
    let account =
        accounts["accounts"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap();
    account["expected_crush"].clone()
}

async fn set_last_synced(app: &TestApp, username: &str, hours_ago: i64) {
    let at = instacrush::db::now() - time::Duration::hours(hours_ago);
    let statement = sea_orm::Statement::from_sql_and_values(
        app.db.get_database_backend(),
        "UPDATE instagram_users SET last_synced_at = $1 WHERE username = $2",
        [at.into(), username.into()],
    );
    app.db.execute_raw(statement).await.unwrap();
}

async fn anonymous_users_must_sign_in_but_see_public_crushes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for path in ["/api/crush", "/api/crush/loading", "/api/jobs/1"] {
        let response = app.get(path).await;
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
        assert_eq!(json_of(response).await["sign_in_url"], "/api/auth/instagram", "{path}");
    }
    let ada = signed_in(&app, "ada.demo").await;
    let status = sync_now(&app, &ada).await;
    let slug = status["result"]["crush"]["slug"].as_str().unwrap().to_owned();
    let page = app.get(&format!("/api/crush/{slug}")).await;
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.headers()["cache-control"].to_str().unwrap().contains("public"));
    let page = json_of(page).await;
    assert_eq!(page["owner"]["username"], "ada.demo");
    assert_eq!(page["crush"]["username"], expected_crush(&app, "ada.demo").await["username"]);
    let mut keys: Vec<&str> = page.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        ["comments_count", "computed_at", "crush", "is_current", "links", "owner", "posts_count", "slug"]
    );
    assert_eq!(page["owner"].as_object().unwrap().len(), 2, "username and picture only: {page}");
    for unknown in ["/api/crush/abcdefghijkmnpqrstuv", "/api/crush/not-a-slug"] {
        let response = app.get(unknown).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{unknown}");
        assert_eq!(response.headers()["content-type"], "application/problem+json");
    }
}

async fn a_stale_user_gets_one_sync_and_then_their_crush(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = signed_in(&app, "ada.demo").await;
    let me = json_of(ada.get("/api/users/me").await).await;
    assert_eq!(
        (me["sync"]["state"].as_str(), me["instagram_username"].as_str()),
        (Some("stale"), Some("ada.demo"))
    );
    let first = ada.get("/api/crush").await;
    assert_eq!(first.status(), StatusCode::ACCEPTED);
    assert_eq!(first.headers()["retry-after"], "2");
    let location = first.headers()["location"].to_str().unwrap().to_owned();
    let first = json_of(first).await;
    assert_eq!(first["resource"], "sync_status", "a 202 body says what it is");
    assert_eq!(first["status"], "queued");
    assert_eq!(first["links"]["job"], location);
    let links = first["links"].as_object().unwrap();
    assert!(
        links["crush"].is_null() && links["sign_in"].is_null(),
        "every link is sent, null when none: {links:?}"
    );
    // Asking again while it is queued enqueues nothing new.
    let second = json_of(ada.get("/api/crush").await).await;
    assert_eq!(second["job"]["id"], first["job"]["id"]);
    let loading = ada.get("/api/crush/loading").await;
    assert_eq!(loading.status(), StatusCode::ACCEPTED, "still queued");
    assert_eq!(json_of(loading).await["job"]["id"], first["job"]["id"]);

    assert_eq!(json_of(ada.get("/api/users/me").await).await["sync"]["state"], "syncing");
    assert_eq!(app.run_pending_jobs().await, 1);
    let me = json_of(ada.get("/api/users/me").await).await;
    assert_eq!(me["sync"]["state"], "fresh");
    assert!(me["sync"]["last_synced_at"].is_string());
    let done = ada.get("/api/crush/loading").await;
    assert_eq!(done.status(), StatusCode::OK);
    let done = json_of(done).await;
    assert_eq!(
        (done["resource"].as_str(), done["result"]["resource"].as_str()),
        (Some("sync_status"), Some("my_crush"))
    );
    assert_eq!(done["status"], "succeeded");
    assert_eq!(done["job"]["progress"]["done"], done["job"]["progress"]["total"]);
    let expected = expected_crush(&app, "ada.demo").await;
    assert_eq!(done["result"]["outcome"], "found");
    assert_eq!(done["result"]["crush"]["crush"]["username"], expected["username"]);
    assert_eq!(done["result"]["crush"]["comments_count"], expected["interactions"]);
    assert_eq!(done["links"]["crush"], done["result"]["crush"]["links"]["self"]);

    // Up to date now: the crush at once, and no new job.
    let fresh = ada.get("/api/crush").await;
    assert_eq!(fresh.status(), StatusCode::OK);
    let fresh = json_of(fresh).await;
    assert_eq!(fresh["resource"], "my_crush", "a 200 body says what it is");
    assert_eq!(fresh["crush"]["slug"], done["result"]["crush"]["slug"]);
    assert_eq!(app.run_pending_jobs().await, 0);
}

async fn staleness_is_twelve_hours(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = signed_in(&app, "ada.demo").await;
    sync_now(&app, &ada).await;
    set_last_synced(&app, "ada.demo", 1).await;
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::OK, "synced 1 h ago: fresh");
    set_last_synced(&app, "ada.demo", 13).await;
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED, "synced 13 h ago: stale");
    // The loading page of a stale user with nothing queued starts a sync too.
    app.run_pending_jobs().await;
    set_last_synced(&app, "ada.demo", 13).await;
    let before = instacrush_tests::jobs::all_jobs(&app.db).await.len();
    let loading = ada.get("/api/crush/loading").await;
    assert_eq!(loading.status(), StatusCode::ACCEPTED);
    assert_eq!(json_of(loading).await["status"], "queued");
    assert_eq!(instacrush_tests::jobs::all_jobs(&app.db).await.len(), before + 1);
}

async fn nobody_commenting_is_an_answer_not_an_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let dev = signed_in(&app, "dev.demo").await;
    let status = sync_now(&app, &dev).await;
    assert_eq!(status["status"], "succeeded");
    assert_eq!(status["result"]["outcome"], "nobody_yet");
    assert!(status["result"]["crush"].is_null());
    let mine = dev.get("/api/crush").await;
    assert_eq!(mine.status(), StatusCode::OK);
    assert_eq!(json_of(mine).await["outcome"], "nobody_yet");
}

async fn a_failed_sync_can_be_retried(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = signed_in(&app, "ada.demo").await;
    let knobs = format!("{}/_sandbox/knobs", app.sandbox_url);
    app.client.put(&knobs).json(&json!({"error_rate": 1.0})).send().await.unwrap();
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    for _ in 0..5 {
        app.run_pending_jobs().await;
        tokio::time::sleep(std::time::Duration::from_millis(1700)).await;
    }
    app.run_pending_jobs().await;
    let failed = ada.get("/api/crush/loading").await;
    assert_eq!(failed.status(), StatusCode::OK);
    let failed = json_of(failed).await;
    assert_eq!(failed["status"], "failed", "{failed}");
    assert_eq!(failed["retry_allowed"], true);
    assert_eq!(failed["error"]["code"], "instagram_unavailable");
    // Visiting again shows the failure instead of starting another sync.
    let again = ada.get("/api/crush").await;
    assert_eq!(again.status(), StatusCode::ACCEPTED);
    assert_eq!(json_of(again).await["status"], "failed");
    let jobs = app.db.query_one_raw(sea_orm::Statement::from_string(
        app.db.get_database_backend(),
        "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'sync_feed'",
    ));
    assert_eq!(jobs.await.unwrap().unwrap().try_get::<i64>("", "n").unwrap(), 1, "no second sync");
    // The user never asked for that sync (the app did): their retry is accepted at once.
    app.client.delete(&knobs).send().await.unwrap();
    let retried = ada.post("/api/users/me/sync").await;
    assert_eq!(retried.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    assert_eq!(json_of(ada.get("/api/crush/loading").await).await["status"], "succeeded");
    // Their own asking is limited: once a minute.
    let too_soon = ada.post("/api/users/me/sync").await;
    assert_eq!(too_soon.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(too_soon.headers().contains_key("retry-after"));
    app.db.execute_unprepared("UPDATE users SET sync_requested_at = '2000-01-01T00:00:00Z'").await.unwrap();
    assert_eq!(ada.post("/api/users/me/sync").await.status(), StatusCode::ACCEPTED);
}

async fn a_refused_token_asks_to_sign_in_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = signed_in(&app, "ada.demo").await;
    let revoke = format!("{}/_sandbox/accounts/ada.demo/revoke", app.sandbox_url);
    app.client.post(revoke).send().await.unwrap();
    assert_eq!(ada.get("/api/crush").await.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    let status = ada.get("/api/crush/loading").await;
    assert_eq!(status.status(), StatusCode::OK);
    let status = json_of(status).await;
    assert_eq!(status["status"], "needs_reauth");
    assert_eq!(status["retry_allowed"], false);
    assert!(status["links"]["sign_in"].as_str().unwrap().starts_with("/api/auth/instagram"));
    let crush = ada.get("/api/crush").await;
    assert_eq!(crush.status(), StatusCode::FORBIDDEN);
    let problem = json_of(crush).await;
    assert_eq!(problem["code"], "needs_reauth");
    assert_eq!(problem["sign_in_url"], "/api/auth/instagram");
    assert_eq!(ada.post("/api/users/me/sync").await.status(), StatusCode::FORBIDDEN);
}

async fn jobs_are_visible_to_their_owner_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = signed_in(&app, "ada.demo").await;
    let ben = signed_in(&app, "ben.demo").await;
    let job = json_of(ada.get("/api/crush").await).await["job"]["id"].as_i64().unwrap();
    let mine = ada.get(&format!("/api/jobs/{job}")).await;
    assert_eq!(mine.status(), StatusCode::OK);
    let mine = json_of(mine).await;
    assert_eq!((mine["kind"].as_str(), mine["state"].as_str()), (Some("sync_feed"), Some("queued")));
    let theirs = ben.get(&format!("/api/jobs/{job}")).await;
    assert_eq!(theirs.status(), StatusCode::NOT_FOUND);
    assert_eq!(ben.get("/api/jobs/999999").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(ben.get("/api/jobs/nope").await.status(), StatusCode::BAD_REQUEST);
}

async fn insights_list_interactors_posts_and_comments(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert_eq!(app.get("/api/users/me/top-interactors").await.status(), StatusCode::UNAUTHORIZED);
    let ada = signed_in(&app, "ada.demo").await;
    sync_now(&app, &ada).await;
    let seen = app.db.query_one_raw(sea_orm::Statement::from_string(
        app.db.get_database_backend(),
        "SELECT COUNT(*) FROM users WHERE last_seen_at IS NOT NULL",
    ));
    assert_eq!(seen.await.unwrap().unwrap().try_get_by_index::<i64>(0).unwrap(), 1, "activity is recorded");

    let top = json_of(ada.get("/api/users/me/top-interactors?limit=2").await).await;
    let expected = expected_crush(&app, "ada.demo").await;
    assert_eq!(top["items"][0]["username"], expected["username"]);
    assert_eq!(top["items"].as_array().unwrap().len(), 2);
    assert!(top["total"].as_u64().unwrap() >= 2);
    let second = json_of(ada.get("/api/users/me/top-interactors?limit=2&offset=2").await).await;
    assert_ne!(second["items"][0]["ig_id"], top["items"][0]["ig_id"]);

    let posts = json_of(ada.get("/api/users/me/top-posts").await).await;
    let counts: Vec<u64> = posts["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|post| post["interactions_count"].as_u64().unwrap())
        .collect();
    assert!(counts.windows(2).all(|pair| pair[0] >= pair[1]), "most commented first: {counts:?}");

    let crush_id = top["items"][0]["ig_id"].as_str().unwrap();
    let comments = ada.get(&format!("/api/users/me/interactors/{crush_id}/comments")).await;
    assert_eq!(comments.status(), StatusCode::OK);
    assert_eq!(json_of(comments).await["total"], expected["interactions"]);
    assert_eq!(ada.get("/api/users/me/interactors/1/comments").await.status(), StatusCode::NOT_FOUND);
    assert_eq!(ada.get("/api/users/me/top-posts?limit=abc").await.status(), StatusCode::BAD_REQUEST);
}
