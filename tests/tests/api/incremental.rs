//! Incremental resyncs, counted in the sandbox: an unchanged account costs the profile and the
//! post list; a post whose comment count moved is the only one read again, and the crush is
//! the one a full sync finds; the periodic full reconciliation reads every post; a throttled
//! sync resumes where it stopped, reading nothing twice, even in the middle of a post's pages.

use instacrush::{
    instagram::AccessToken,
    jobs::{self, NewJob},
    sync::{SyncFeed, SyncReport, SyncSettings, sync_account},
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{ConnectionTrait as _, Statement};
use serde_json::{Value, json};

on_both_backends!(
    an_unchanged_account_resyncs_with_the_profile_and_the_post_list_only,
    only_posts_whose_comment_count_moved_are_read_again,
    the_full_reconciliation_reads_every_post,
    a_throttled_sync_resumes_without_repeating_calls,
    a_sync_throttled_in_the_middle_of_a_post_goes_on_from_its_next_page,
    a_saved_cursor_instagram_refuses_reads_the_post_again,
);

async fn sandbox(app: &TestApp, method: &str, path: &str, body: Option<Value>) -> Value {
    let mut request = app.client.request(method.parse().unwrap(), format!("{}{path}", app.sandbox_url));
    if let Some(body) = body {
        request = request.json(&body);
    }
    request.send().await.unwrap().json().await.unwrap_or(Value::Null)
}

async fn sync(app: &TestApp, username: &str) -> SyncReport {
    let token = sandbox(app, "POST", &format!("/_sandbox/accounts/{username}/token"), None).await;
    let token = AccessToken::new(token["access_token"].as_str().unwrap_or_else(|| panic!("{token}")));
    sync_account(&app.db, &app.state.instagram, &token, &SyncSettings::default(), &()).await.unwrap()
}

/// The calls the sandbox answered since the last reset, by endpoint.
async fn calls(app: &TestApp) -> Value {
    sandbox(app, "GET", "/_sandbox/calls", None).await["by_endpoint"].clone()
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    row.unwrap().try_get_by_index::<i64>(0).unwrap()
}

/// The calls answered `200` since the last reset: endpoint and path (with its cursor).
async fn answered(app: &TestApp) -> Vec<(String, String)> {
    app.instagram_calls()
        .await
        .into_iter()
        .filter(|call| call.status == 200)
        .map(|call| (call.endpoint, call.path))
        .collect()
}

/// The media id in a comments path (`/v26.0/{media-id}/comments?…`).
fn media_of(path: &str) -> String {
    let path = path.split('?').next().unwrap_or_default();
    path.trim_end_matches("/comments").rsplit('/').next().unwrap_or_default().to_owned()
}

async fn current_crush(app: &TestApp) -> (String, i64) {
    let sql = "SELECT u.username, c.comments_count FROM crushes c JOIN instagram_users u ON u.id = c.crush_id \
               WHERE c.is_current";
    let row = app
        .db
        .query_one_raw(Statement::from_string(app.db.get_database_backend(), sql))
        .await
        .unwrap()
        .unwrap();
    (row.try_get_by_index(0).unwrap(), row.try_get_by_index(1).unwrap())
}

async fn expected_crush(app: &TestApp, username: &str) -> (String, i64) {
    let accounts = sandbox(app, "GET", "/_sandbox/accounts", None).await;
    let account =
        accounts["accounts"].as_array().unwrap().iter().find(|a| a["username"] == username).unwrap().clone();
    let crush = &account["expected_crush"];
    (crush["username"].as_str().unwrap().to_owned(), crush["interactions"].as_i64().unwrap())
}

async fn an_unchanged_account_resyncs_with_the_profile_and_the_post_list_only(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sync(&app, "ada.demo").await;
    let crush = current_crush(&app).await;
    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;
    sync(&app, "ada.demo").await;
    let made = calls(&app).await;
    let endpoints: Vec<&String> = made.as_object().unwrap().keys().collect();
    assert_eq!(endpoints, ["GET /me", "GET /me/media"], "{made}");
    assert_eq!(made["GET /me"], 1);
    let posts = scalar(&app, "SELECT COUNT(*) FROM instagram_media").await;
    assert!(made["GET /me/media"].as_i64().unwrap() <= (posts + 24) / 25, "{made}: pages of the post list");
    assert_eq!(current_crush(&app).await, crush);
}

async fn only_posts_whose_comment_count_moved_are_read_again(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sync(&app, "ben.demo").await;
    // The runner-up overtakes on the newest post: nobody subscribed, so no webhook tells us.
    let accounts = sandbox(&app, "GET", "/_sandbox/accounts", None).await;
    let ben = accounts["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == "ben.demo")
        .unwrap()
        .clone();
    let runner_up = ben["top_interactors"][1]["username"].clone();
    let gap = ben["expected_crush"]["interactions"].as_u64().unwrap()
        - ben["top_interactors"][1]["interactions"].as_u64().unwrap();
    let comments: Vec<Value> =
        (0..=gap).map(|i| json!({ "author": runner_up, "text": format!("again {i}") })).collect();
    sandbox(&app, "POST", "/_sandbox/accounts/ben.demo/comments", Some(json!(comments))).await;
    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;

    let report = sync(&app, "ben.demo").await;
    let read: std::collections::BTreeSet<String> = answered(&app)
        .await
        .iter()
        .filter(|(endpoint, _)| endpoint == "GET /{media-id}/comments")
        .map(|(_, path)| media_of(path))
        .collect();
    assert_eq!(read.len(), 1, "the one post whose count moved: {read:?}");
    let expected = expected_crush(&app, "ben.demo").await;
    assert_eq!(expected.0, runner_up.as_str().unwrap());
    assert_eq!(current_crush(&app).await, expected, "the crush a full sync finds");
    assert!(report.posts > 1);
}

async fn the_full_reconciliation_reads_every_post(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    sync(&app, "ada.demo").await;
    let week_ago = instacrush::db::now() - time::Duration::days(8);
    let sql = "UPDATE instagram_users SET full_synced_at = $1";
    app.db
        .execute_raw(Statement::from_sql_and_values(app.db.get_database_backend(), sql, [week_ago.into()]))
        .await
        .unwrap();
    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;
    sync(&app, "ada.demo").await;
    let posts = scalar(&app, "SELECT COUNT(*) FROM instagram_media").await;
    assert_eq!(calls(&app).await["GET /{media-id}/comments"], posts, "every post read again");
    let synced = "SELECT COUNT(*) FROM instagram_users WHERE username = 'ada.demo' AND full_synced_at = last_synced_at";
    assert_eq!(scalar(&app, synced).await, 1, "the reconciliation is recorded");
}

/// Signs in as `username` and runs a sync that Instagram throttles after `calls` calls (the
/// sandbox's call counts start afresh before it); returns the sync, deferred.
async fn throttled_sync(app: &TestApp, username: &str, calls: u32) -> i64 {
    app.sign_in(username).await;
    app.run_pending_jobs().await; // the webhook subscription
    let user_id = scalar(app, "SELECT user_id FROM identities").await;
    sandbox(app, "DELETE", "/_sandbox/calls", None).await;
    let knobs = json!({ "throttle_after": calls, "throttle_window_secs": 3600 });
    sandbox(app, "PUT", "/_sandbox/knobs", Some(knobs)).await;
    let id = jobs::enqueue(&app.db, NewJob::of(&SyncFeed { user_id })).await.unwrap().id();
    app.run_pending_jobs().await;
    let state = "SELECT COUNT(*) FROM jobs WHERE kind = 'sync_feed' AND state = 'queued'";
    assert_eq!(scalar(app, state).await, 1, "deferred, not failed: {}", self::calls(app).await);
    id
}

/// Lifts Instagram's limit and runs the deferred sync `id` now, to its end; returns the calls
/// answered `200` since the sandbox's counts were reset.
async fn resumed_without_the_limit(app: &TestApp, id: i64) -> Vec<(String, String)> {
    sandbox(app, "DELETE", "/_sandbox/knobs", None).await;
    jobs::expedite(&app.db, id).await.unwrap();
    app.run_pending_jobs().await;
    let done = "SELECT COUNT(*) FROM jobs WHERE kind = 'sync_feed' AND state = 'succeeded'";
    assert_eq!(scalar(app, done).await, 1, "the sync finished");
    answered(app).await
}

async fn a_throttled_sync_resumes_without_repeating_calls(backend: Backend) {
    // Only Instagram's refusal stops this sync (the budget's own pause is tested apart).
    // One post at a time, so one post at most is in flight when Instagram refuses.
    let app = TestApp::spawn_with(backend, |config| {
        config.process.sync.budget_high_water = 101;
        config.process.sync.post_concurrency = 1;
    })
    .await;
    // Instagram throttles the app after 12 calls: the profile, the post list and some posts.
    let id = throttled_sync(&app, "ada.demo", 12).await;

    // The limit lifts; the sync resumes from its checkpoint.
    let calls = resumed_without_the_limit(&app, id).await;
    let count = |endpoint: &str| calls.iter().filter(|(e, _)| e == endpoint).count();
    assert_eq!(count("GET /me"), 1, "the profile read once");
    let mut pages: Vec<&String> =
        calls.iter().filter(|(e, _)| e == "GET /me/media").map(|(_, p)| p).collect();
    let listed = pages.len();
    pages.dedup();
    assert_eq!(pages.len(), listed, "the post list read once");
    // Every page answered was stored with the cursor of the next: none is read twice.
    let comments: Vec<&String> =
        calls.iter().filter(|(e, _)| e == "GET /{media-id}/comments").map(|(_, p)| p).collect();
    let distinct: std::collections::BTreeSet<&String> = comments.iter().copied().collect();
    assert_eq!(
        comments.len(),
        distinct.len(),
        "{} comment pages read twice",
        comments.len() - distinct.len()
    );
    let posts: std::collections::BTreeSet<String> = distinct.iter().map(|p| media_of(p)).collect();
    assert_eq!(
        posts.len() as i64,
        scalar(&app, "SELECT COUNT(*) FROM instagram_media").await,
        "every post read"
    );
    assert_eq!(current_crush(&app).await, expected_crush(&app, "ada.demo").await);
}

/// A server whose sandbox has big.demo (3 posts and 600 comments, front-loaded: its newest
/// post has pages of them), syncing one post at a time, with no budget pause.
async fn big_account_app(backend: Backend) -> TestApp {
    TestApp::spawn_with(backend, |config| {
        config.process.sync.budget_high_water = 101;
        config.process.sync.post_concurrency = 1;
        config.process.instagram.sandbox.large_account_posts = 3;
        config.process.instagram.sandbox.large_account_comments = 600;
    })
    .await
}

async fn a_sync_throttled_in_the_middle_of_a_post_goes_on_from_its_next_page(backend: Backend) {
    let app = big_account_app(backend).await;
    // The profile, the post list and three pages of the newest post's comments; then Instagram
    // throttles the app, in the middle of that post.
    let id = throttled_sync(&app, "big.demo", 5).await;
    let before = answered(&app).await;
    let pages_of = |calls: &[(String, String)]| {
        calls.iter().filter(|(endpoint, _)| endpoint == "GET /{media-id}/comments").count()
    };
    assert_eq!(pages_of(&before), 3, "{before:?}");
    let stored = scalar(&app, "SELECT COUNT(*) FROM instagram_interactions").await;
    assert!(stored > 0, "the three pages are stored already");
    let checkpoint = "SELECT COUNT(*) FROM instagram_media WHERE comments_after IS NOT NULL";
    assert_eq!(scalar(&app, checkpoint).await, 1, "the post keeps the cursor of its next page");

    let calls = resumed_without_the_limit(&app, id).await;
    let distinct: std::collections::BTreeSet<&(String, String)> = calls.iter().collect();
    assert_eq!(
        distinct.len(),
        calls.len(),
        "no call made twice: {:?}",
        calls.iter().map(|(e, _)| e).collect::<Vec<_>>()
    );
    assert!(pages_of(&calls) > 3 + 3, "the rest of the first post's pages, then the other posts");
    let newest = media_of(&before.last().unwrap().1);
    let resumed =
        calls[before.len()..].iter().find(|(endpoint, _)| endpoint == "GET /{media-id}/comments").unwrap();
    assert_eq!(media_of(&resumed.1), newest, "the same post, first");
    assert!(resumed.1.contains("after="), "from its next page: {}", resumed.1);
    assert_eq!(current_crush(&app).await, expected_crush(&app, "big.demo").await);
}

async fn a_saved_cursor_instagram_refuses_reads_the_post_again(backend: Backend) {
    let app = big_account_app(backend).await;
    let id = throttled_sync(&app, "big.demo", 5).await;
    // The cursor kept in the middle of the newest post is no longer one Instagram takes.
    app.db
        .execute_unprepared(
            "UPDATE instagram_media SET comments_after = 'expired' WHERE comments_after IS NOT NULL",
        )
        .await
        .unwrap();
    let before = answered(&app).await;
    // Not failed: the post is read from its first page.
    let calls = resumed_without_the_limit(&app, id).await;
    let newest = media_of(&before.last().unwrap().1);
    let first_page =
        before.iter().find(|(e, p)| e == "GET /{media-id}/comments" && media_of(p) == newest).unwrap();
    let again = calls[before.len()..].iter().filter(|call| *call == first_page).count();
    assert_eq!(again, 1, "its first page read again");
    assert_eq!(current_crush(&app).await, expected_crush(&app, "big.demo").await);
}
