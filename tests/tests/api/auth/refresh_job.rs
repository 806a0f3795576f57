//! The daily `refresh_instagram_tokens` job: due tokens are refreshed and stay encrypted,
//! young ones are left alone, and a token Instagram rejects marks the identity for re-auth.

use instacrush::{
    auth::{Auth, RefreshInstagramTokens},
    entities::identity,
    instagram::AccessToken,
    jobs::{NewJob, enqueue},
};
use instacrush_tests::{Backend, TestApp, jobs::all_jobs, on_both_backends};
use sea_orm::{ActiveModelTrait as _, Set};
use time::{Duration, OffsetDateTime};

use super::identity_of;

on_both_backends!(
    due_tokens_are_refreshed,
    young_tokens_are_left_alone,
    a_rejected_token_needs_a_new_sign_in,
    the_job_is_registered_and_scheduled,
);

/// Makes the identity's token look `age` old and `expires_in` from expiry.
async fn age_token(app: &TestApp, row: identity::Model, age: Duration, expires_in: Duration) {
    let now = OffsetDateTime::now_utc();
    let mut active: identity::ActiveModel = row.into();
    active.access_token_refreshed_at = Set(Some(now - age));
    active.access_token_expires_at = Set(Some(now + expires_in));
    active.update(&app.db).await.unwrap();
}

async fn run_refresh_job(app: &TestApp) {
    enqueue(&app.db, NewJob::of(&RefreshInstagramTokens::default())).await.unwrap();
    app.run_pending_jobs().await;
    let jobs = all_jobs(&app.db).await;
    let job = jobs.iter().find(|job| job.kind == "refresh_instagram_tokens").unwrap();
    assert_eq!(job.state, instacrush::entities::job::JobState::Succeeded, "{:?}", job.last_error);
}

fn decrypt(app: &TestApp, row: &identity::Model) -> String {
    let context = Auth::token_context(&row.provider, &row.uid);
    app.state.auth.cipher.decrypt(row.access_token_encrypted.as_deref().unwrap(), &context).unwrap()
}

async fn due_tokens_are_refreshed(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let before = identity_of(&app.db, "ada.demo").await;
    let old_token = decrypt(&app, &before);
    age_token(&app, before, Duration::days(2), Duration::days(3)).await;
    // Instagram refreshes only tokens at least 24 hours old: age it on the sandbox's clock too.
    let advance = format!("{}/_sandbox/clock/advance", app.sandbox_url);
    app.client.post(advance).json(&serde_json::json!({ "secs": 2 * 24 * 3600 })).send().await.unwrap();
    run_refresh_job(&app).await;
    let after = identity_of(&app.db, "ada.demo").await;
    let new_token = decrypt(&app, &after);
    assert_ne!(new_token, old_token, "a new token");
    assert!(
        !after
            .access_token_encrypted
            .as_ref()
            .unwrap()
            .windows(new_token.len())
            .any(|w| w == new_token.as_bytes())
    );
    assert!(after.access_token_expires_at.unwrap() > OffsetDateTime::now_utc() + Duration::days(59));
    assert!(after.access_token_refreshed_at.unwrap() > OffsetDateTime::now_utc() - Duration::minutes(1));
    assert!(after.reauth_required_at.is_none());
    let profile = app.state.instagram.profile(&AccessToken::new(new_token)).await.unwrap();
    assert_eq!(profile.username, "ada.demo");
}

async fn young_tokens_are_left_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    app.sign_in("ben.demo").await;
    let young = identity_of(&app.db, "ada.demo").await;
    age_token(&app, young.clone(), Duration::hours(2), Duration::days(3)).await;
    let far = identity_of(&app.db, "ben.demo").await;
    age_token(&app, far.clone(), Duration::days(5), Duration::days(50)).await;
    run_refresh_job(&app).await;
    let young_after = identity_of(&app.db, "ada.demo").await;
    let far_after = identity_of(&app.db, "ben.demo").await;
    assert_eq!(young_after.access_token_encrypted, young.access_token_encrypted, "refreshed < 24 h ago");
    assert_eq!(far_after.access_token_encrypted, far.access_token_encrypted, "not near expiry");
}

async fn a_rejected_token_needs_a_new_sign_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let row = identity_of(&app.db, "ada.demo").await;
    age_token(&app, row, Duration::days(2), Duration::days(3)).await;
    let url = format!("{}/_sandbox/accounts/ada.demo/revoke", app.sandbox_url);
    assert!(app.client.post(url).send().await.unwrap().status().is_success());
    run_refresh_job(&app).await;
    let after = identity_of(&app.db, "ada.demo").await;
    assert!(after.reauth_required_at.is_some(), "needs a new sign-in");
    app.sign_in("ada.demo").await;
    assert!(
        identity_of(&app.db, "ada.demo").await.reauth_required_at.is_none(),
        "signing in again clears it"
    );
}

async fn the_job_is_registered_and_scheduled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert!(instacrush::app::job_registry().kinds().contains(&"refresh_instagram_tokens"));
    instacrush::app::job_schedule().fire_all(&app.state.db, &app.state.waker).await;
    let jobs = all_jobs(&app.db).await;
    let job = jobs.iter().find(|job| job.kind == "refresh_instagram_tokens").expect("scheduled");
    assert!(job.schedule_key.as_deref().unwrap().starts_with("refresh_instagram_tokens@"));
}
