//! What webhooks change about resyncs: an account whose comments arrive by webhook stays fresh
//! longer (`SYNC_WEBHOOK_FRESH_HOURS`), and a comment on a post the app does not hold yet (a
//! new post) resyncs the account, incrementally, to read it.

use instacrush::{
    entities::job,
    jobs::{self, Job as _},
    sync::{NEW_POST_GAP, SyncFeed, SyncSettings},
    webhooks::NEW_POST_DELAY,
};
use instacrush_tests::{Backend, TestApp, auth::Browser, jobs::syncs_of, on_both_backends};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait as _, EntityTrait as _, Statement};
use serde_json::{Value, json};

use super::{all_delivered, app, json_of, sandbox, sandbox_account, scalar, signed_in_and_synced};

on_both_backends!(
    an_account_fed_by_webhooks_stays_fresh_longer,
    a_comment_on_a_post_we_do_not_hold_resyncs_the_account,
);

/// Moves `username`'s last sync `hours` into the past.
async fn synced_hours_ago(app: &TestApp, username: &str, hours: i64) {
    let at = instacrush::db::now() - time::Duration::hours(hours);
    let sql = "UPDATE instagram_users SET last_synced_at = $1 WHERE username = $2 AND user_id IS NOT NULL";
    let statement =
        Statement::from_sql_and_values(app.db.get_database_backend(), sql, [at.into(), username.into()]);
    app.db.execute_raw(statement).await.unwrap();
}

/// What `GET /api/users/me` says of the user's data.
async fn data_state(browser: &Browser) -> Value {
    json_of(browser.get("/api/users/me").await).await["sync"]["state"].clone()
}

async fn an_account_fed_by_webhooks_stays_fresh_longer(backend: Backend) {
    let app = app(backend).await;
    let ben = signed_in_and_synced(&app, "ben.demo").await;
    let webhook_fresh = i64::from(SyncSettings::default().webhook_fresh_hours);
    // No webhook yet: 13 hours after its sync, the account is stale.
    synced_hours_ago(&app, "ben.demo", 13).await;
    assert_eq!(data_state(&ben).await, "stale");

    let author = sandbox_account(&app, "ben.demo").await["top_interactors"][1]["username"].clone();
    let comment = json!({ "author": author, "text": "still here" });
    assert_eq!(sandbox(&app, "POST", "/_sandbox/accounts/ben.demo/comments", Some(comment)).await.0, 201);
    all_delivered(&app, 1).await;
    app.run_pending_jobs().await;
    // A webhook arrived since the sync: new comments reach us without reading Instagram.
    assert_eq!(data_state(&ben).await, "fresh");
    let mine = ben.get("/api/crush").await;
    assert_eq!(mine.status(), StatusCode::OK, "no sync started");

    // The longer freshness ends too.
    synced_hours_ago(&app, "ben.demo", webhook_fresh + 1).await;
    assert_eq!(data_state(&ben).await, "stale");
    assert_eq!(ben.get("/api/crush").await.status(), StatusCode::ACCEPTED, "a resync starts");
}

async fn a_comment_on_a_post_we_do_not_hold_resyncs_the_account(backend: Backend) {
    let app = app(backend).await;
    let ben = signed_in_and_synced(&app, "ben.demo").await;
    let account = sandbox_account(&app, "ben.demo").await;
    let user_id: i64 = scalar(
        &app,
        "SELECT user_id FROM instagram_users WHERE username = 'ben.demo' AND user_id IS NOT NULL",
        vec![],
    )
    .await;
    // The newest post, made unknown to the app as if it were published after the sync.
    let newest = "SELECT m.ig_id FROM instagram_media m JOIN instagram_users o ON o.id = m.owner_id \
                  WHERE o.username = 'ben.demo' ORDER BY m.posted_at DESC LIMIT 1";
    let row =
        app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), newest)).await.unwrap();
    let media: String = row.unwrap().try_get_by_index(0).unwrap();
    let forget = [
        "DELETE FROM instagram_interactions WHERE media_id IN (SELECT id FROM instagram_media WHERE ig_id = $1)",
        "DELETE FROM instagram_media WHERE ig_id = $1",
    ];
    for sql in forget {
        let statement =
            Statement::from_sql_and_values(app.db.get_database_backend(), sql, [media.clone().into()]);
        app.db.execute_raw(statement).await.unwrap();
    }
    let syncs_before = syncs_of(&app.db, user_id).await.len();

    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;
    let author = account["top_interactors"][1]["username"].clone();
    let comment = json!({ "author": author, "media_id": media, "text": "first!" });
    let (status, added) = sandbox(&app, "POST", "/_sandbox/accounts/ben.demo/comments", Some(comment)).await;
    assert_eq!(status, 201, "{added}");
    let comment_id = added["comments"][0]["id"].as_str().unwrap().to_owned();
    all_delivered(&app, 1).await;

    // Not stored (the app holds no such post), but a resync is queued: not before an hour
    // after the last sync, so comments on posts outside the window cannot resync in a loop.
    let stored = "SELECT COUNT(*) FROM instagram_interactions WHERE ig_comment_id = $1";
    assert_eq!(scalar(&app, stored, vec![comment_id.clone().into()]).await, 0);
    let syncs = syncs_of(&app.db, user_id).await;
    assert_eq!(syncs.len(), syncs_before + 1, "{syncs:?}");
    let queued = syncs.iter().find(|job| job.state == job::JobState::Queued).expect("a queued resync");
    assert_eq!(queued.kind, SyncFeed::KIND);
    let last_synced =
        "SELECT last_synced_at FROM instagram_users WHERE username = 'ben.demo' AND user_id IS NOT NULL";
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), last_synced)).await;
    let synced: time::OffsetDateTime = row.unwrap().unwrap().try_get_by_index(0).unwrap();
    assert_eq!(queued.run_at, synced + NEW_POST_GAP, "an hour after the last sync");
    assert!(queued.run_at >= instacrush::db::now() + NEW_POST_DELAY - time::Duration::seconds(5));

    // The data is still fresh: a visit shows the crush, and does not hurry the resync.
    assert_eq!(ben.get("/api/crush").await.status(), StatusCode::OK);
    assert_eq!(data_state(&ben).await, "fresh");
    let job = job::Entity::find_by_id(queued.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(job.run_at, queued.run_at, "not expedited");

    // More comments on it wait for the same resync.
    let again = json!({ "author": author, "media_id": media, "text": "second" });
    assert_eq!(sandbox(&app, "POST", "/_sandbox/accounts/ben.demo/comments", Some(again)).await.0, 201);
    all_delivered(&app, 2).await;
    assert_eq!(syncs_of(&app.db, user_id).await.len(), syncs_before + 1);

    // When it runs, it reads the new post and only that one.
    jobs::expedite(&app.db, queued.id).await.unwrap();
    app.run_pending_jobs().await;
    assert_eq!(scalar(&app, stored, vec![comment_id.into()]).await, 1, "the comment is counted now");
    let calls = app.instagram_calls().await;
    let read: std::collections::BTreeSet<&str> = calls
        .iter()
        .filter(|call| call.endpoint == "GET /{media-id}/comments")
        .filter_map(|call| call.path.split('?').next()?.strip_suffix("/comments")?.rsplit('/').next())
        .collect();
    assert_eq!(read, [media.as_str()].into(), "the new post's comments (its pages), no other: {calls:?}");
    let crush = "SELECT c.comments_count FROM crushes c JOIN instagram_users o ON o.id = c.owner_id \
                 WHERE o.username = 'ben.demo' AND c.is_current";
    let expected = sandbox_account(&app, "ben.demo").await["expected_crush"]["interactions"].clone();
    assert_eq!(json!(scalar(&app, crush, vec![]).await), expected, "the crush equals a full sync's");
}
