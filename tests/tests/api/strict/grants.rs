//! Partial grants: a consent that leaves out the comments permission signs nobody in and lands
//! on a page that names what is missing (no loop back to Instagram); a permission withdrawn
//! later ends the sync with the same typed outcome.

use instacrush::{
    auth::Auth,
    entities::identity,
    instagram::{BASIC_PERMISSION, COMMENTS_PERMISSION},
    jobs::{NewJob, enqueue},
    sync::SyncFeed,
};
use instacrush_tests::{Backend, TestApp, auth::location, on_both_backends};
use reqwest::StatusCode;
use sea_orm::{ActiveModelTrait as _, ColumnTrait as _, EntityTrait as _, QueryFilter as _, Set};
use serde_json::Value;

use super::{sandbox, scalar, texts, token};

on_both_backends!(
    a_partial_grant_names_what_is_missing_and_signs_nobody_in,
    a_withdrawn_permission_ends_the_sync,
);

async fn a_partial_grant_names_what_is_missing_and_signs_nobody_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let authorize = app.start_sign_in(&browser, "/top-users").await;
    // The person unticks the comments permission on Instagram's consent.
    let partial = format!("{authorize}&granted_scopes={BASIC_PERMISSION}");
    let callback = app.authorize(&partial, Some("ada.demo")).await;
    let response = browser.get(&callback).await;
    let page = location(&response);
    assert_eq!(page, format!("/signin/permissions?missing={COMMENTS_PERMISSION}&return_to=%2Ftop-users"));
    assert_eq!(browser.get(&page).await.status(), StatusCode::OK, "the SPA serves the page");
    assert_eq!(browser.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED, "nobody signed in");
    assert_eq!(scalar(&app, "SELECT COUNT(*) FROM identities", vec![]).await, 0, "nothing stored");

    // Granting it on the next try signs in as usual.
    let authorize = app.start_sign_in(&browser, "/top-users").await;
    let callback = app.authorize(&authorize, Some("ada.demo")).await;
    assert_eq!(location(&browser.get(&callback).await), "/top-users");
    assert_eq!(browser.get("/api/users/me").await.status(), StatusCode::OK);
}

async fn a_withdrawn_permission_ends_the_sync(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    // Later, the person turns the comments permission off on Instagram: the token lacks it.
    let row = identity::Entity::find().filter(identity::Column::Provider.eq("instagram")).one(&app.db).await;
    let row = row.unwrap().unwrap();
    let basic = token(&app, "ada.demo", Some(BASIC_PERMISSION)).await;
    let context = Auth::token_context(&row.provider, &row.uid);
    let encrypted = app.state.auth.cipher.encrypt(basic.expose(), &context).unwrap();
    let mut active: identity::ActiveModel = row.into();
    active.access_token_encrypted = Set(Some(encrypted));
    active.update(&app.db).await.unwrap();

    assert_eq!(browser.post("/api/users/me/sync").await.status(), StatusCode::ACCEPTED);
    app.run_pending_jobs().await;
    let errors =
        texts(&app, "SELECT CAST(last_error AS TEXT) FROM jobs WHERE kind = 'sync_feed' ORDER BY id", vec![])
            .await;
    let last: Value = serde_json::from_str(errors.last().unwrap().as_deref().unwrap()).unwrap();
    assert_eq!(last["code"], "missing_permission", "{last}");
    let scopes = texts(&app, "SELECT scopes FROM identities", vec![]).await;
    assert_eq!(scopes, vec![Some(BASIC_PERMISSION.to_owned())], "the identity remembers what it lacks");

    let status = browser.get("/api/crush/loading").await.json::<Value>().await.unwrap();
    assert_eq!(status["error"]["code"], "missing_permission", "the SPA is told: {status}");

    // The next sync says so at once, without asking Instagram.
    sandbox(&app, "DELETE", "/_sandbox/calls", None).await;
    let user_id = scalar(&app, "SELECT user_id FROM identities", vec![]).await;
    enqueue(&app.db, NewJob::of(&SyncFeed { user_id })).await.unwrap();
    app.run_pending_jobs().await;
    let errors =
        texts(&app, "SELECT CAST(last_error AS TEXT) FROM jobs WHERE kind = 'sync_feed' ORDER BY id", vec![])
            .await;
    let last: Value = serde_json::from_str(errors.last().unwrap().as_deref().unwrap()).unwrap();
    assert_eq!((errors.len(), &last["code"]), (2, &Value::from("missing_permission")), "{last}");
    let calls = sandbox(&app, "GET", "/_sandbox/calls", None).await;
    assert_eq!(calls["total"], 0, "{calls}");
}
