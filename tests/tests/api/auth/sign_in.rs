//! Sign in with Instagram through the sandbox: the happy path, and every way the callback
//! must refuse (missing, wrong and replayed `state`, declined consent, foreign `return_to`).

use instacrush::{
    auth::{
        Auth,
        session::{ACCESS_COOKIE, REFRESH_COOKIE, STATE_COOKIE},
    },
    instagram::AccessToken,
};
use instacrush_tests::{Backend, TestApp, auth::location, on_both_backends};
use reqwest::StatusCode;

use super::{identity_of, user_count};

on_both_backends!(
    signing_in_through_the_sandbox_starts_a_session,
    the_instagram_token_is_encrypted_at_rest,
    a_missing_state_is_refused,
    a_wrong_state_is_refused,
    a_replayed_state_is_refused,
    declined_consent_lands_on_the_sign_in_page,
    an_external_return_to_is_refused,
);

async fn signing_in_through_the_sandbox_starts_a_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let response = browser.get("/api/auth/instagram?return_to=/crush%3Ftab%3Dtop").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let set_cookie = response.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(set_cookie.starts_with(&format!("{STATE_COOKIE}=")), "{set_cookie}");
    assert!(set_cookie.contains("HttpOnly") && set_cookie.contains("SameSite=Lax"), "{set_cookie}");
    let authorize_url = location(&response);
    assert!(authorize_url.starts_with(&format!("{}/oauth/authorize?", app.sandbox_url)), "{authorize_url}");
    let state = browser.cookie(STATE_COOKIE).unwrap();
    assert!(authorize_url.contains(&format!("state={state}")), "the state goes to Instagram");

    let callback = app.authorize(&authorize_url, Some("ada.demo")).await;
    assert!(callback.starts_with(&app.url("/api/auth/instagram/callback?")), "{callback}");
    let response = browser.get(&callback).await;
    assert_eq!(location(&response), "/crush?tab=top");
    let cookies: Vec<_> =
        response.headers().get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).collect();
    for name in [ACCESS_COOKIE, REFRESH_COOKIE] {
        let cookie = cookies.iter().find(|c| c.starts_with(&format!("{name}="))).expect(name);
        assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    }
    assert!(browser.cookie(STATE_COOKIE).is_none(), "the state cookie is cleared");

    let me: serde_json::Value = browser.get("/api/users/me").await.json().await.unwrap();
    assert_eq!(me["instagram_username"], "ada.demo");
    let identity = identity_of(&app.db, "ada.demo").await;
    assert_eq!(me["id"], identity.user_id);
    assert!(identity.scopes.contains("instagram_business_basic"), "{}", identity.scopes);

    app.sign_in("ada.demo").await;
    assert_eq!(user_count(&app.db).await, 1, "signing in again links the same user");
    app.sign_in("ben.demo").await;
    assert_eq!(user_count(&app.db).await, 2);
}

async fn the_instagram_token_is_encrypted_at_rest(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    app.sign_in("ada.demo").await;
    let identity = identity_of(&app.db, "ada.demo").await;
    let stored = identity.access_token_encrypted.clone().unwrap();
    let context = Auth::token_context(&identity.provider, &identity.uid);
    let plain = app.state.auth.cipher.decrypt(&stored, &context).expect("decrypts with the app's key");
    assert!(plain.len() > 20);
    assert!(!stored.windows(plain.len()).any(|w| w == plain.as_bytes()), "not the plaintext");
    let profile = app.state.instagram.profile(&AccessToken::new(plain)).await.expect("the token works");
    assert_eq!(profile.username, "ada.demo");
    assert_eq!(profile.user_id, identity.uid, "keyed by the profile's user_id");
    let expires = identity.access_token_expires_at.unwrap() - time::OffsetDateTime::now_utc();
    assert!(expires > time::Duration::days(59), "long-lived: {expires}");
}

/// Asserts the callback refused to sign in and sent the browser to the SPA with `code`.
fn assert_refused(response: &reqwest::Response, code: &str) {
    assert_eq!(location(response), format!("/signin?error={code}"));
    let sets_session = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with(ACCESS_COOKIE));
    assert!(!sets_session, "no session on failure");
}

async fn a_missing_state_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let authorize_url = app.start_sign_in(&browser, "/").await;
    let callback = app.authorize(&authorize_url, Some("ada.demo")).await;
    let (without_state, _) = callback.split_once("&state=").unwrap();
    assert_refused(&browser.get(without_state).await, "invalid_state");
    let stranger = app.browser();
    assert_refused(&stranger.get(&callback).await, "invalid_state");
    assert_eq!(user_count(&app.db).await, 0);
}

async fn a_wrong_state_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let authorize_url = app.start_sign_in(&browser, "/").await;
    let callback = app.authorize(&authorize_url, Some("ada.demo")).await;
    let state = browser.cookie(STATE_COOKIE).unwrap();
    let forged = callback.replace(&state, &format!("{}x", &state[..state.len() - 1]));
    assert_refused(&browser.get(&forged).await, "invalid_state");
    // Another sign-in's state, valid in the database but not this browser's.
    let other = app.browser();
    app.start_sign_in(&other, "/").await;
    browser.set_cookie(STATE_COOKIE, &other.cookie(STATE_COOKIE).unwrap(), "/api/auth/instagram");
    assert_refused(&browser.get(&callback).await, "invalid_state");
    assert_eq!(user_count(&app.db).await, 0);
}

async fn a_replayed_state_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let authorize_url = app.start_sign_in(&browser, "/").await;
    let state = browser.cookie(STATE_COOKIE).unwrap();
    let callback = app.authorize(&authorize_url, Some("ada.demo")).await;
    assert_eq!(location(&browser.get(&callback).await), "/");
    let replay = app.browser();
    replay.set_cookie(STATE_COOKIE, &state, "/api/auth/instagram");
    assert_refused(&replay.get(&callback).await, "invalid_state");
}

async fn declined_consent_lands_on_the_sign_in_page(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.browser();
    let authorize_url = app.start_sign_in(&browser, "/crush").await;
    let callback = app.authorize(&authorize_url, None).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    assert_refused(&browser.get(&callback).await, "access_denied");
    assert_eq!(user_count(&app.db).await, 0);
    assert_eq!(browser.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED);
}

async fn an_external_return_to_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for target in ["https://evil.example/", "//evil.example", "/%5Cevil.example", "/\\evil.example"] {
        let browser = app.browser();
        let response = browser.get(&format!("/api/auth/instagram?return_to={target}")).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{target}");
        assert!(response.headers().get("location").is_none());
        assert!(browser.cookie(STATE_COOKIE).is_none());
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "bad_request");
    }
}
