//! Rotating the token-encryption key: the new key encrypts, the retired one still decrypts
//! what it sealed, and the `reencrypt_instagram_tokens` job seals every stored token again with
//! the new key, after which the retired key can go.

use instacrush::{
    auth::{AuthConfig, KeySet, ReencryptTokens, SecretKey, TokenCipher},
    entities::job::JobState,
    jobs::{NewJob, enqueue},
};
use instacrush_tests::{Backend, TestApp, jobs::all_jobs, on_both_backends};

use super::identity_of;

on_both_backends!(
    retired_keys_decrypt_and_the_job_reseals_with_the_new_key,
    the_job_is_registered_and_scheduled
);

async fn stored_token(app: &TestApp) -> (Vec<u8>, String) {
    let identity = identity_of(&app.db, "ada.demo").await;
    let context = instacrush::auth::Auth::token_context(&identity.provider, &identity.uid);
    (identity.access_token_encrypted.unwrap(), context)
}

async fn retired_keys_decrypt_and_the_job_reseals_with_the_new_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let (before, context) = stored_token(&app).await;
    let old = app.keys.token_encryption_key.clone();
    let plain = TokenCipher::new(&old).unwrap().decrypt(&before, &context).unwrap();

    // The deployment restarts with a new key, the old one retired.
    let new = SecretKey::generate();
    let rotated = KeySet {
        token_encryption_key: new.clone(),
        retired_token_encryption_keys: vec![old.clone()],
        ..app.keys.clone()
    };
    let after_restart = app.spawn_beside(|config| config.process.auth = AuthConfig::with_keys(rotated)).await;
    assert_eq!(
        after_restart.state.auth.cipher.decrypt(&before, &context).unwrap(),
        plain,
        "the retired key reads"
    );

    enqueue(&after_restart.db, NewJob::of(&ReencryptTokens::default())).await.unwrap();
    after_restart.run_pending_jobs().await;
    let job =
        all_jobs(&app.db).await.into_iter().find(|job| job.kind == "reencrypt_instagram_tokens").unwrap();
    assert_eq!(job.state, JobState::Succeeded, "{:?}", job.last_error);

    let (after, _) = stored_token(&app).await;
    assert_ne!(after, before, "sealed again");
    assert_eq!(
        TokenCipher::new(&new).unwrap().decrypt(&after, &context).unwrap(),
        plain,
        "by the new key alone"
    );
    assert!(TokenCipher::new(&old).unwrap().decrypt(&after, &context).is_err(), "the retired key can go");

    drop(after_restart);
}

async fn the_job_is_registered_and_scheduled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    assert!(instacrush::app::job_registry().kinds().contains(&"reencrypt_instagram_tokens"));
    instacrush::app::job_schedule().fire_all(&app.state.db, &app.state.waker).await;
    let jobs = all_jobs(&app.db).await;
    assert!(jobs.iter().any(|job| job.kind == "reencrypt_instagram_tokens"), "scheduled");
}
