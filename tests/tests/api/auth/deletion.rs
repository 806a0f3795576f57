//! Deleting an account leaves nothing of the user, and nothing of anyone else goes with it:
//! `DELETE /api/users/me` and Meta's deauthorize and data-deletion callbacks.

use instacrush::{
    auth::signed_request,
    entities::{api_token, identity, instagram_user, refresh_token, user},
    jobs::{NewJob, NoopJob, enqueue},
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait as _, DatabaseConnection, EntityTrait as _, Statement, Value as DbValue};
use serde_json::{Value, json};

use super::identity_of;

on_both_backends!(
    deleting_the_account_leaves_nothing_of_the_user,
    meta_data_deletion_verifies_the_signed_request,
    meta_deauthorize_deletes_the_user,
);

async fn exec(db: &DatabaseConnection, sql: &str, values: Vec<DbValue>) {
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await.unwrap();
}

async fn count(db: &DatabaseConnection, sql: &str, id: i64) -> i64 {
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [id.into()]);
    let row = db.query_one_raw(statement).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn ig_id_of(db: &DatabaseConnection, username: &str) -> i64 {
    let identity = identity_of(db, username).await;
    let accounts = instagram_user::Entity::find().all(db).await.unwrap();
    accounts
        .into_iter()
        .find(|account| account.ig_id.as_deref() == Some(identity.uid.as_str()) && account.scope_id.is_none())
        .unwrap()
        .id
}

/// Media, comments both ways, a stranger's comment and crushes both ways between `a` and `b`.
async fn seed_interactions(db: &DatabaseConnection, a: i64, b: i64) {
    let now = "CURRENT_TIMESTAMP";
    exec(db, &format!("INSERT INTO instagram_users (ig_id, username, created_at, updated_at) VALUES ('zed-1', 'zed', {now}, {now})"), vec![]).await;
    for (ig_id, owner) in [("media-a", a), ("media-b", b)] {
        let sql = format!(
            "INSERT INTO instagram_media (ig_id, owner_id, media_type, posted_at, created_at, updated_at) VALUES ($1, $2, 'IMAGE', {now}, {now}, {now})"
        );
        exec(db, &sql, vec![ig_id.into(), owner.into()]).await;
    }
    let comments = [("c1", "media-a", b), ("c2", "media-b", a), ("c3", "media-b", -1)];
    for (id, media, author) in comments {
        let author_sql = if author < 0 {
            "(SELECT id FROM instagram_users WHERE ig_id = 'zed-1')".to_owned()
        } else {
            author.to_string()
        };
        let sql = format!(
            "INSERT INTO instagram_interactions (ig_comment_id, media_id, author_id, kind, text, commented_at, created_at, updated_at) VALUES ($1, (SELECT id FROM instagram_media WHERE ig_id = $2), {author_sql}, 'comment', 'hi', {now}, {now}, {now})"
        );
        exec(db, &sql, vec![id.into(), media.into()]).await;
    }
    for (slug, owner, crush) in [
        ("s1", a.to_string(), b.to_string()),
        ("s2", b.to_string(), a.to_string()),
        ("s3", b.to_string(), "(SELECT id FROM instagram_users WHERE ig_id = 'zed-1')".to_owned()),
    ] {
        let sql = format!(
            "INSERT INTO crushes (owner_id, crush_id, slug, comments_count, posts_count, computed_at, created_at, updated_at) VALUES ({owner}, {crush}, $1, 1, 1, {now}, {now}, {now})"
        );
        exec(db, &sql, vec![slug.into()]).await;
    }
}

/// Rows anywhere that belong to user `user_id` or mention Instagram account `ig`.
async fn traces(db: &DatabaseConnection, user_id: i64, ig: i64) -> Vec<(&'static str, i64)> {
    let mut found = Vec::new();
    for (what, sql, id) in [
        ("users", "SELECT COUNT(*) FROM users WHERE id = $1", user_id),
        ("identities", "SELECT COUNT(*) FROM identities WHERE user_id = $1", user_id),
        ("refresh_tokens", "SELECT COUNT(*) FROM refresh_tokens WHERE user_id = $1", user_id),
        ("api_tokens", "SELECT COUNT(*) FROM api_tokens WHERE user_id = $1", user_id),
        ("jobs", "SELECT COUNT(*) FROM jobs WHERE user_id = $1", user_id),
        ("instagram_users", "SELECT COUNT(*) FROM instagram_users WHERE id = $1 OR user_id = $1", ig),
        ("instagram_media", "SELECT COUNT(*) FROM instagram_media WHERE owner_id = $1", ig),
        (
            "interactions",
            "SELECT COUNT(*) FROM instagram_interactions WHERE author_id = $1 OR media_id IN (SELECT id FROM instagram_media WHERE owner_id = $1)",
            ig,
        ),
        ("crushes", "SELECT COUNT(*) FROM crushes WHERE owner_id = $1 OR crush_id = $1", ig),
    ] {
        found.push((what, count(db, sql, id).await));
    }
    found.retain(|(_, n)| *n > 0);
    found
}

async fn deleting_the_account_leaves_nothing_of_the_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.sign_in("ada.demo").await;
    let ben = app.sign_in("ben.demo").await;
    let (ada_id, ben_id) =
        (identity_of(&app.db, "ada.demo").await.user_id, identity_of(&app.db, "ben.demo").await.user_id);
    let (ada_ig, ben_ig) = (ig_id_of(&app.db, "ada.demo").await, ig_id_of(&app.db, "ben.demo").await);
    seed_interactions(&app.db, ada_ig, ben_ig).await;
    for browser in [&ada, &ben] {
        let created = browser.post_json("/api/auth/api-tokens", &json!({"name": "t"})).await;
        assert_eq!(created.status(), StatusCode::CREATED);
    }
    for owner in [ada_id, ben_id] {
        enqueue(&app.db, NewJob::of(&NoopJob::default()).owned_by(owner)).await.unwrap();
    }
    assert_eq!(traces(&app.db, ada_id, ada_ig).await.len(), 9, "every table holds some of ada's data");

    assert_eq!(ada.delete("/api/users/me").await.status(), StatusCode::NO_CONTENT);
    assert_eq!(traces(&app.db, ada_id, ada_ig).await, vec![], "nothing of ada is left");
    assert_eq!(ada.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED);

    let ben_left = traces(&app.db, ben_id, ben_ig).await;
    let tables: Vec<_> = ben_left.iter().map(|(table, _)| *table).collect();
    assert_eq!(
        tables,
        [
            "users",
            "identities",
            "refresh_tokens",
            "api_tokens",
            "jobs",
            "instagram_users",
            "instagram_media",
            "interactions",
            "crushes"
        ]
    );
    assert_eq!(
        count(&app.db, "SELECT COUNT(*) FROM crushes WHERE owner_id = $1", ben_ig).await,
        1,
        "ben's crush on zed stays"
    );
    assert_eq!(ben.get("/api/users/me").await.status(), StatusCode::OK);
    assert_eq!(user::Entity::find().all(&app.db).await.unwrap().len(), 1);
    assert_eq!(
        refresh_token::Entity::find()
            .all(&app.db)
            .await
            .unwrap()
            .iter()
            .filter(|r| r.user_id == ada_id)
            .count(),
        0
    );
    assert_eq!(api_token::Entity::find().all(&app.db).await.unwrap().len(), 1);
    assert_eq!(identity::Entity::find().all(&app.db).await.unwrap().len(), 1);
}

async fn post_form(app: &TestApp, path: &str, signed: &str) -> reqwest::Response {
    app.client.post(app.url(path)).form(&[("signed_request", signed)]).send().await.unwrap()
}

fn signed_for(uid: &str, secret: &str) -> String {
    signed_request::sign(
        &json!({"algorithm": "HMAC-SHA256", "issued_at": time::OffsetDateTime::now_utc().unix_timestamp(), "user_id": uid}),
        secret,
    )
}

async fn meta_data_deletion_verifies_the_signed_request(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let identity = identity_of(&app.db, "ada.demo").await;
    let forged =
        post_form(&app, "/api/meta/data-deletion", &signed_for(&identity.uid, "not-the-secret")).await;
    assert_eq!(forged.status(), StatusCode::FORBIDDEN, "the signed_request is the callback's credential");
    assert_eq!(forged.json::<Value>().await.unwrap()["code"], "invalid_signature");
    assert_eq!(super::user_count(&app.db).await, 1, "a forged request deletes nothing");
    assert_eq!(post_form(&app, "/api/meta/data-deletion", "garbage").await.status(), StatusCode::BAD_REQUEST);

    let secret = app.state.instagram.config().app_secret.expose().to_owned();
    let response = post_form(&app, "/api/meta/data-deletion", &signed_for(&identity.uid, &secret)).await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: Value = response.json().await.unwrap();
    let code = body["confirmation_code"].as_str().unwrap();
    assert!(
        body["url"].as_str().unwrap().starts_with(&app.base_url)
            && body["url"].as_str().unwrap().contains(code),
        "{body}"
    );
    assert_eq!(super::user_count(&app.db).await, 0);
    assert_eq!(instagram_user::Entity::find().all(&app.db).await.unwrap().len(), 0);
}

async fn meta_deauthorize_deletes_the_user(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    app.sign_in("ben.demo").await;
    let identity = identity_of(&app.db, "ada.demo").await;
    let secret = app.state.instagram.config().app_secret.expose().to_owned();
    let response = post_form(&app, "/api/meta/deauthorize", &signed_for(&identity.uid, &secret)).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(super::user_count(&app.db).await, 1, "ada gone, ben stays");
    assert_eq!(browser.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED);
    let unknown = post_form(&app, "/api/meta/deauthorize", &signed_for("424242", &secret)).await;
    assert_eq!(unknown.status(), StatusCode::OK, "idempotent for unknown people");
}
