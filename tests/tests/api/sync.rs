//! Syncing an account from the sandbox over HTTP: idempotent writes by
//! Instagram ids, the crush by the product's rule, vanished comments, renamed
//! commenters, and Instagram's errors.

use instacrush::{
    instagram::{AccessToken, ErrorKind},
    sync::{SyncError, SyncReport, SyncSettings, sync_account},
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

on_both_backends!(
    every_demo_account_gets_the_expected_crush,
    resyncing_writes_no_duplicates_and_keeps_the_slug,
    concurrent_syncs_of_one_account_write_no_duplicates,
    comments_gone_from_instagram_disappear,
    a_renamed_commenter_stays_one_account,
    a_revoked_token_needs_reauth,
);

async fn token(app: &TestApp, username: &str) -> AccessToken {
    let url = format!("{}/_sandbox/accounts/{username}/token", app.sandbox_url);
    let body: Value = app.client.post(url).send().await.unwrap().json().await.unwrap();
    AccessToken::new(body["access_token"].as_str().expect("a token"))
}

async fn sandbox_account(app: &TestApp, username: &str) -> Value {
    let url = format!("{}/_sandbox/accounts", app.sandbox_url);
    let body: Value = app.client.get(url).send().await.unwrap().json().await.unwrap();
    body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["username"] == username)
        .expect("demo account")
        .clone()
}

async fn sync(app: &TestApp, username: &str) -> Result<SyncReport, SyncError> {
    let token = token(app, username).await;
    sync_account(&app.db, &app.state.instagram, &token, &SyncSettings::default(), &()).await
}

/// Syncs as the periodic full reconciliation does: every post's comments read again.
async fn sync_in_full(app: &TestApp, username: &str) -> Result<SyncReport, SyncError> {
    app.db.execute_unprepared("UPDATE instagram_users SET full_synced_at = NULL").await.unwrap();
    sync(app, username).await
}

async fn scalar(app: &TestApp, sql: &str) -> i64 {
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    row.unwrap().try_get_by_index::<i64>(0).unwrap()
}

async fn text(app: &TestApp, sql: &str) -> Option<String> {
    let row = app.db.query_one_raw(Statement::from_string(app.db.get_database_backend(), sql)).await.unwrap();
    row.map(|row| row.try_get_by_index::<String>(0).unwrap())
}

async fn current_crush(app: &TestApp, owner_id: i64) -> Option<String> {
    text(
        app,
        &format!(
            "SELECT u.username FROM crushes c JOIN instagram_users u ON u.id = c.crush_id \
             WHERE c.owner_id = {owner_id} AND c.is_current"
        ),
    )
    .await
}

async fn every_demo_account_gets_the_expected_crush(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for username in ["ada.demo", "ben.demo", "cleo.demo", "dev.demo", "eve.demo"] {
        let expected = sandbox_account(&app, username).await;
        let report = sync(&app, username).await.unwrap();
        assert_eq!(report.posts as u64, expected["media_count"].as_u64().unwrap(), "{username}");
        let crush = current_crush(&app, report.owner_id).await;
        match expected["expected_crush"].as_object() {
            None => {
                assert!(report.crush.is_none(), "{username}: nobody commented");
                assert_eq!(crush, None, "{username}");
            }
            Some(expected) => {
                assert_eq!(crush.as_deref(), expected["username"].as_str(), "{username}");
                let got = report.crush.unwrap();
                assert_eq!(got.comments, expected["interactions"].as_i64().unwrap(), "{username}");
                assert_eq!(got.posts, expected["posts"].as_i64().unwrap(), "{username}");
            }
        }
        let synced = scalar(
            &app,
            &format!(
                "SELECT COUNT(*) FROM instagram_users WHERE id = {} AND last_synced_at IS NOT NULL",
                report.owner_id
            ),
        )
        .await;
        assert_eq!(synced, 1, "{username} is marked synced");
    }
}

async fn counts(app: &TestApp) -> (i64, i64, i64, i64) {
    (
        scalar(app, "SELECT COUNT(*) FROM instagram_users").await,
        scalar(app, "SELECT COUNT(*) FROM instagram_media").await,
        scalar(app, "SELECT COUNT(*) FROM instagram_interactions").await,
        scalar(app, "SELECT COUNT(*) FROM crushes").await,
    )
}

async fn resyncing_writes_no_duplicates_and_keeps_the_slug(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = sync(&app, "ada.demo").await.unwrap();
    let before = counts(&app).await;
    let slug = text(&app, "SELECT slug FROM crushes WHERE is_current").await.unwrap();
    assert!(before.2 > 0 && first.interactions as i64 == before.2, "{before:?} {first:?}");
    sync(&app, "ada.demo").await.unwrap();
    assert_eq!(counts(&app).await, before);
    assert_eq!(text(&app, "SELECT slug FROM crushes WHERE is_current").await.unwrap(), slug);
}

async fn concurrent_syncs_of_one_account_write_no_duplicates(backend: Backend) {
    let single = TestApp::spawn(backend.clone()).await;
    sync(&single, "eve.demo").await.unwrap();
    let expected = counts(&single).await;

    let app = TestApp::spawn(backend).await;
    let (a, b) = tokio::join!(sync(&app, "eve.demo"), sync(&app, "eve.demo"));
    // One may lose a write race on SQLite's lock or a unique key; a retry heals it.
    if a.is_err() || b.is_err() {
        sync(&app, "eve.demo").await.unwrap();
    }
    assert_eq!(counts(&app).await, expected);
}

async fn comments_gone_from_instagram_disappear(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let report = sync(&app, "ada.demo").await.unwrap();
    let media_id =
        scalar(&app, &format!("SELECT MIN(id) FROM instagram_media WHERE owner_id = {}", report.owner_id))
            .await;
    let author_id = scalar(&app, "SELECT MAX(id) FROM instagram_users").await;
    let backend = app.db.get_database_backend();
    let insert = Statement::from_sql_and_values(
        backend,
        "INSERT INTO instagram_interactions (ig_comment_id, media_id, author_id, kind, text, commented_at, \
                                             created_at, updated_at) VALUES ('gone-1', $1, $2, 'comment', 'deleted', $3, $3, $3)",
        [media_id.into(), author_id.into(), (instacrush::db::now() - time::Duration::days(1)).into()],
    );
    app.db.execute_raw(insert).await.unwrap();
    // No comment count moved on Instagram: an incremental resync reads no comments...
    sync(&app, "ada.demo").await.unwrap();
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM instagram_interactions WHERE ig_comment_id = 'gone-1'").await,
        1
    );
    // ...and the full reconciliation sweeps what Instagram no longer has.
    sync_in_full(&app, "ada.demo").await.unwrap();
    assert_eq!(
        scalar(&app, "SELECT COUNT(*) FROM instagram_interactions WHERE ig_comment_id = 'gone-1'").await,
        0
    );
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM instagram_interactions").await, report.interactions as i64);
}

async fn a_renamed_commenter_stays_one_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let report = sync(&app, "ada.demo").await.unwrap();
    let crush_id = scalar(&app, "SELECT crush_id FROM crushes WHERE is_current").await;
    let name =
        text(&app, &format!("SELECT username FROM instagram_users WHERE id = {crush_id}")).await.unwrap();
    app.db
        .execute_unprepared(&format!(
            "UPDATE instagram_users SET username = 'old.name' WHERE id = {crush_id}"
        ))
        .await
        .unwrap();
    let users = scalar(&app, "SELECT COUNT(*) FROM instagram_users").await;
    // Names come with the comments: the full reconciliation reads them all again.
    sync_in_full(&app, "ada.demo").await.unwrap();
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM instagram_users").await, users);
    assert_eq!(
        text(&app, &format!("SELECT username FROM instagram_users WHERE id = {crush_id}")).await.unwrap(),
        name
    );
    assert_eq!(current_crush(&app, report.owner_id).await.as_deref(), Some(name.as_str()));
}

async fn a_revoked_token_needs_reauth(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let token = token(&app, "ada.demo").await;
    let revoke = format!("{}/_sandbox/accounts/ada.demo/revoke", app.sandbox_url);
    assert!(app.client.post(revoke).send().await.unwrap().status().is_success());
    let error =
        sync_account(&app.db, &app.state.instagram, &token, &SyncSettings::default(), &()).await.unwrap_err();
    match error {
        SyncError::Instagram(err) => assert_eq!(err.kind(), ErrorKind::NeedsReauth, "{err}"),
        other => panic!("expected an Instagram error, got {other}"),
    }
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM instagram_media").await, 0, "nothing half-written");
}
