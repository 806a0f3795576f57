//! Access tokens the server did not issue, or no longer accepts, are a 401 with a sign-in link:
//! `alg: none`, another key, an unknown `kid`, expired, another audience or issuer, and a
//! session token sent as a Bearer token.

use instacrush::auth::{AccessClaims, Keyring, SecretKey, session::ACCESS_COOKIE};
use instacrush_tests::{Backend, TestApp, auth::b64url, on_both_backends};
use reqwest::StatusCode;

on_both_backends!(forged_and_stale_access_tokens_are_refused, a_session_token_is_not_a_bearer_token);

/// `GET /api/users/me` with `token` as the session cookie; returns the status and problem code.
async fn me_with_cookie(app: &TestApp, token: &str) -> (StatusCode, serde_json::Value) {
    let browser = app.browser();
    browser.set_cookie(ACCESS_COOKIE, token, "/api");
    let response = browser.get("/api/users/me").await;
    (response.status(), response.json().await.unwrap())
}

async fn forged_and_stale_access_tokens_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let real = app.sign_in("ada.demo").await.cookie(ACCESS_COOKIE).unwrap();
    assert_eq!(me_with_cookie(&app, &real).await.0, StatusCode::OK, "the genuine token works");
    let claims = app.state.auth.keyring.verify(&real).unwrap();
    let ring = &app.state.auth.keyring;
    let now = jsonwebtoken_now();

    let payload = real.split('.').nth(1).unwrap();
    let none_header = format!(r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#, app.keys.jwt_current_kid);
    let alg_none = format!("{}.{payload}.", b64url(none_header.as_bytes()));

    let mut other_key = app.keys.clone();
    other_key.jwt_keys.insert(app.keys.jwt_current_kid.clone(), SecretKey::generate());
    let wrong_key = Keyring::new(&other_key).unwrap().sign(&claims).unwrap();

    let mut other_kid = app.keys.clone();
    other_kid.jwt_keys.insert("rotated-away".into(), SecretKey::generate());
    other_kid.jwt_current_kid = "rotated-away".into();
    let unknown_kid = Keyring::new(&other_kid).unwrap().sign(&claims).unwrap();

    let expired = ring.sign(&AccessClaims { iat: now - 3600, exp: now - 600, ..claims.clone() }).unwrap();
    let audience = ring.sign(&AccessClaims { aud: "another-api".into(), ..claims.clone() }).unwrap();
    let issuer = ring.sign(&AccessClaims { iss: "someone-else".into(), ..claims.clone() }).unwrap();
    let tampered = format!("{}x", &real[..real.len() - 1]);

    for (what, token) in [
        ("alg none", alg_none),
        ("wrong key", wrong_key),
        ("unknown kid", unknown_kid),
        ("expired", expired),
        ("wrong audience", audience),
        ("wrong issuer", issuer),
        ("tampered signature", tampered),
        ("garbage", "not.a.jwt".to_owned()),
    ] {
        let (status, body) = me_with_cookie(&app, &token).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{what}");
        assert_eq!(body["code"], "unauthorized", "{what}");
        assert_eq!(body["sign_in_url"], "/api/auth/instagram", "{what}");
    }
    let still_valid = ring.sign(&AccessClaims { exp: now + 60, ..claims }).unwrap();
    assert_eq!(me_with_cookie(&app, &still_valid).await.0, StatusCode::OK, "the control token works");
}

fn jsonwebtoken_now() -> u64 {
    time::OffsetDateTime::now_utc().unix_timestamp().try_into().unwrap()
}

async fn a_session_token_is_not_a_bearer_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let session = app.sign_in("ada.demo").await.cookie(ACCESS_COOKIE).unwrap();
    let response = app.client.get(app.url("/api/users/me")).bearer_auth(&session).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    let anonymous = app.get("/api/users/me").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    let body: serde_json::Value = anonymous.json().await.unwrap();
    assert_eq!(body["sign_in_url"], "/api/auth/instagram");
}

#[test]
fn b64url_matches_the_rfc_vectors() {
    for (plain, encoded) in
        [("", ""), ("f", "Zg"), ("fo", "Zm8"), ("foo", "Zm9v"), ("foob", "Zm9vYg"), ("fooba", "Zm9vYmE")]
    {
        assert_eq!(b64url(plain.as_bytes()), encoded);
    }
    assert_eq!(b64url(&[0xfb, 0xff]), "-_8");
}
