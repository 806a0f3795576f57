//! The SPA's session: refresh rotation, reuse revoking the family, sign-out, the CSRF header on
//! cookie-authenticated unsafe requests, and CORS for the configured origin only.

use instacrush::{
    auth::{
        refresh::REUSE_GRACE,
        session::{ACCESS_COOKIE, REFRESH_COOKIE},
    },
    entities::refresh_token,
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::{Method, StatusCode};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, sea_query::Expr};

on_both_backends!(
    refresh_rotates_the_token,
    reusing_a_rotated_refresh_token_revokes_the_family,
    two_tabs_refreshing_at_once_stay_signed_in,
    cookie_authed_unsafe_requests_need_the_csrf_header,
    signing_out_ends_the_session,
    cors_allows_only_the_configured_origin,
);

async fn refresh_rotates_the_token(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    let (access, refresh) = (browser.cookie(ACCESS_COOKIE).unwrap(), browser.cookie(REFRESH_COOKIE).unwrap());
    let response = browser.post("/api/auth/refresh").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["expires_in"], 900);
    assert!(
        body.get("access_token").is_none() && !body.to_string().contains(&refresh),
        "no token in the body"
    );
    let rotated = browser.cookie(REFRESH_COOKIE).unwrap();
    assert_ne!(rotated, refresh);
    assert_ne!(browser.cookie(ACCESS_COOKIE).unwrap(), access);
    assert_eq!(browser.get("/api/users/me").await.status(), StatusCode::OK);
    let rows = refresh_token::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(rows.iter().all(|row| row.family_id == rows[0].family_id), "one family");
    assert!(rows.iter().all(|row| row.token_hash != refresh && row.token_hash != rotated), "stored hashed");
    assert_eq!(rows.iter().filter(|row| row.rotated_at.is_some()).count(), 1);
}

/// Moves every rotation back past the reuse grace window, as if it had happened a while ago.
async fn age_rotations(app: &TestApp) {
    let long_ago = instacrush::db::now() - REUSE_GRACE - std::time::Duration::from_secs(1);
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RotatedAt, Expr::value(long_ago))
        .filter(refresh_token::Column::RotatedAt.is_not_null())
        .exec(&app.db)
        .await
        .unwrap();
}

async fn reusing_a_rotated_refresh_token_revokes_the_family(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let victim = app.sign_in("ada.demo").await;
    let other_session = app.sign_in("ada.demo").await;
    let stolen = victim.cookie(REFRESH_COOKIE).unwrap();
    assert_eq!(victim.post("/api/auth/refresh").await.status(), StatusCode::OK);
    age_rotations(&app).await;

    let thief = app.browser();
    thief.set_cookie(REFRESH_COOKIE, &stolen, "/api/auth");
    let response = thief.post("/api/auth/refresh").await;
    assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
    assert!(thief.cookie(REFRESH_COOKIE).is_none(), "cookies cleared");

    assert_eq!(victim.post("/api/auth/refresh").await.status(), StatusCode::UNAUTHORIZED, "family revoked");
    assert_eq!(victim.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED, "its access token too");
    let rows = refresh_token::Entity::find().all(&app.db).await.unwrap();
    let family = &rows.iter().find(|row| row.rotated_at.is_some()).unwrap().family_id;
    assert!(rows.iter().filter(|row| &row.family_id == family).all(|row| row.revoked_at.is_some()));
    assert_eq!(other_session.get("/api/users/me").await.status(), StatusCode::OK, "other sessions live on");
    assert_eq!(other_session.post("/api/auth/refresh").await.status(), StatusCode::OK);
}

/// Two tabs share the browser's cookies and may refresh at the same instant with the same
/// token: both stay signed in, with the same successor. Presented again after the grace
/// window, that token is reuse and revokes the family.
async fn two_tabs_refreshing_at_once_stay_signed_in(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let first = app.sign_in("ada.demo").await;
    let token = first.cookie(REFRESH_COOKIE).unwrap();
    let second = app.browser();
    second.set_cookie(REFRESH_COOKIE, &token, "/api/auth");

    let (a, b) = tokio::join!(first.post("/api/auth/refresh"), second.post("/api/auth/refresh"));
    assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
    let successor = first.cookie(REFRESH_COOKIE).unwrap();
    assert_ne!(successor, token);
    assert_eq!(second.cookie(REFRESH_COOKIE).unwrap(), successor, "the same successor");
    assert_eq!(first.get("/api/users/me").await.status(), StatusCode::OK);
    assert_eq!(second.get("/api/users/me").await.status(), StatusCode::OK);

    // A third, later presentation within the window still gets the same successor.
    let third = app.browser();
    third.set_cookie(REFRESH_COOKIE, &token, "/api/auth");
    assert_eq!(third.post("/api/auth/refresh").await.status(), StatusCode::OK);
    assert_eq!(third.cookie(REFRESH_COOKIE).unwrap(), successor);
    let rows = refresh_token::Entity::find().all(&app.db).await.unwrap();
    assert_eq!(rows.len(), 2, "one rotation, one successor: {rows:?}");

    // After the window, the old token is reuse: the family goes, successor and all.
    age_rotations(&app).await;
    let late = app.browser();
    late.set_cookie(REFRESH_COOKIE, &token, "/api/auth");
    assert_eq!(late.post("/api/auth/refresh").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(first.post("/api/auth/refresh").await.status(), StatusCode::UNAUTHORIZED, "family revoked");
    assert_eq!(second.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED);
}

async fn cookie_authed_unsafe_requests_need_the_csrf_header(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    let without = |method: Method, path: &str| browser.request(method, path);
    // Every operation whose contract asks for the `csrf_header` scheme.
    for (method, path) in [
        (Method::POST, "/api/auth/api-tokens"),
        (Method::DELETE, "/api/auth/api-tokens/1"),
        (Method::POST, "/api/auth/refresh"),
        (Method::POST, "/api/auth/logout"),
        (Method::DELETE, "/api/users/me"),
        (Method::POST, "/api/users/me/sync"),
    ] {
        let request = without(method.clone(), path).json(&serde_json::json!({"name": "x"}));
        let response = browser.send(request).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {path}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["code"], "csrf_header_missing");
    }
    assert_eq!(browser.get("/api/users/me").await.status(), StatusCode::OK, "still signed in, not deleted");
    assert_eq!(browser.post("/api/auth/refresh").await.status(), StatusCode::OK, "not signed out either");
    let created = browser.post_json("/api/auth/api-tokens", &serde_json::json!({"name": "x"})).await;
    assert_eq!(created.status(), StatusCode::CREATED, "with the header it works");
}

async fn signing_out_ends_the_session(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    let (access, refresh) = (browser.cookie(ACCESS_COOKIE).unwrap(), browser.cookie(REFRESH_COOKIE).unwrap());
    assert_eq!(browser.post("/api/auth/logout").await.status(), StatusCode::NO_CONTENT);
    assert!(browser.cookie(ACCESS_COOKIE).is_none() && browser.cookie(REFRESH_COOKIE).is_none());
    let replay = app.browser();
    replay.set_cookie(ACCESS_COOKIE, &access, "/api");
    replay.set_cookie(REFRESH_COOKIE, &refresh, "/api/auth");
    assert_eq!(replay.get("/api/users/me").await.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(replay.post("/api/auth/refresh").await.status(), StatusCode::UNAUTHORIZED);
}

async fn cors_allows_only_the_configured_origin(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let preflight = |origin: &str| {
        app.client
            .request(Method::OPTIONS, app.url("/api/auth/refresh"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "x-instacrush-csrf")
            .send()
    };
    let allowed = preflight(&app.base_url).await.unwrap();
    assert_eq!(allowed.headers()["access-control-allow-origin"], app.base_url.as_str());
    assert_eq!(allowed.headers()["access-control-allow-credentials"], "true");
    let headers = allowed.headers()["access-control-allow-headers"].to_str().unwrap();
    assert!(headers.contains("x-instacrush-csrf"), "{headers}");
    let foreign = preflight("https://evil.example").await.unwrap();
    assert!(foreign.headers().get("access-control-allow-origin").is_none());
}
