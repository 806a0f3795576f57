//! Who is who when Instagram's ids differ by where you look: a sign-in is never tied to
//! commenter rows by id, both ids of `/me` are kept, and Meta's callbacks (which carry the
//! app-scoped id) find the person by either; an unknown id is answered 200, counted and logged.

use instacrush::{
    auth::signed_request,
    entities::{identity, instagram_user},
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};
use serde_json::json;

use super::{knobs, sandbox, sandbox_account, scalar, sync};

on_both_backends!(
    a_sign_in_is_not_tied_to_commenter_rows_by_id,
    both_ids_of_me_are_kept,
    a_data_deletion_callback_with_the_app_scoped_id_deletes_the_account,
    a_deauthorize_callback_with_the_user_id_deletes_the_account,
    a_callback_naming_nobody_is_answered_counted_and_logged,
);

async fn identity_of(app: &TestApp, username: &str) -> Option<identity::Model> {
    let account = sandbox_account(app, username).await;
    identity::Entity::find()
        .filter(identity::Column::Uid.eq(account["user_id"].as_str().unwrap()))
        .one(&app.db)
        .await
        .unwrap()
}

async fn a_sign_in_is_not_tied_to_commenter_rows_by_id(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Lenient mode shows commenters under their own user id: the worst case for a lookup by id.
    knobs(&app, json!({ "lenient": true })).await;
    sandbox(&app, "POST", "/_sandbox/accounts/ada.demo/comments", Some(json!({ "author": "ben.demo" })))
        .await;
    let ada = sync(&app, "ada.demo").await.unwrap();
    let ben = sandbox_account(&app, "ben.demo").await;
    let commenter = instagram_user::Entity::find()
        .filter(instagram_user::Column::IgId.eq(ben["user_id"].as_str().unwrap()))
        .filter(instagram_user::Column::ScopeId.eq(ada.owner_id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("ben commented on ada's post");

    app.sign_in("ben.demo").await;
    let identity = identity_of(&app, "ben.demo").await.expect("ben signed in");
    let own = instagram_user::Entity::find()
        .filter(instagram_user::Column::UserId.eq(identity.user_id))
        .one(&app.db)
        .await
        .unwrap()
        .expect("ben's account");
    assert_ne!(own.id, commenter.id, "the sign-in has its own account row");
    assert_eq!(own.scope_id, None);
    let commenter = instagram_user::Entity::find_by_id(commenter.id).one(&app.db).await.unwrap().unwrap();
    assert_eq!(
        (commenter.user_id, commenter.scope_id),
        (None, Some(ada.owner_id)),
        "the commenter stays ada's"
    );
}

async fn both_ids_of_me_are_kept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let ada = sandbox_account(&app, "ada.demo").await;
    let identity = identity_of(&app, "ada.demo").await.unwrap();
    assert_ne!(ada["app_scoped_id"], ada["user_id"]);
    assert_eq!(Some(identity.uid.as_str()), ada["user_id"].as_str());
    assert_eq!(identity.app_scoped_uid.as_deref(), ada["app_scoped_id"].as_str());
}

/// Has the sandbox send Meta's `callback` for `username` to the app; returns the app's status.
async fn callback(app: &TestApp, username: &str, callback: &str, path: &str) -> u64 {
    let url = app.url(path);
    let sent = sandbox(
        app,
        "POST",
        &format!("/_sandbox/accounts/{username}/{callback}"),
        Some(json!({ "url": url })),
    )
    .await;
    sent["status"].as_u64().unwrap()
}

async fn a_data_deletion_callback_with_the_app_scoped_id_deletes_the_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    app.sign_in("cleo.demo").await;
    let user_id = identity_of(&app, "ada.demo").await.unwrap().user_id;
    assert_eq!(callback(&app, "ada.demo", "data-deletion", "/api/meta/data-deletion").await, 200);
    assert!(identity_of(&app, "ada.demo").await.is_none(), "ada's sign-in is gone");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM users WHERE id = $1", vec![user_id.into()]).await, 0);
    assert!(identity_of(&app, "cleo.demo").await.is_some(), "nobody else goes");
    assert_eq!(browser.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED);
}

async fn a_deauthorize_callback_with_the_user_id_deletes_the_account(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    // Lenient mode sends the professional account's id instead: it matches as well.
    knobs(&app, json!({ "lenient": true })).await;
    assert_eq!(callback(&app, "ada.demo", "deauthorize", "/api/meta/deauthorize").await, 200);
    assert!(identity_of(&app, "ada.demo").await.is_none());
}

async fn a_callback_naming_nobody_is_answered_counted_and_logged(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    // cleo never signed in here.
    assert_eq!(callback(&app, "cleo.demo", "data-deletion", "/api/meta/data-deletion").await, 200);
    let secret = app.state.instagram.config().app_secret.expose().to_owned();
    let signed = signed_request::sign(
        &json!({ "algorithm": "HMAC-SHA256", "issued_at": instacrush::db::now().unix_timestamp(), "user_id": "404" }),
        &secret,
    );
    let response =
        app.client.post(app.url("/api/meta/deauthorize")).form(&[("signed_request", signed)]).send().await;
    assert_eq!(response.unwrap().status(), StatusCode::OK);
    assert!(identity_of(&app, "ada.demo").await.is_some(), "ada stays");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    for line in [
        r#"instacrush_meta_callbacks_total{callback="data_deletion",outcome="unknown_id"} 1"#,
        r#"instacrush_meta_callbacks_total{callback="deauthorize",outcome="unknown_id"} 1"#,
    ] {
        assert!(metrics.contains(line), "{line} in {metrics}");
    }
}
