//! What a person grants and how long it lasts: the consent page's untickable comments
//! permission and the code 10 that follows, Meta's refresh rule aged with the sandbox clock, and
//! the app secret checked at the token endpoints.

use instacrush::instagram::{AccessToken, ErrorKind};
use instagram_sandbox::{SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

use super::oauth::{REDIRECT, authorize, no_redirects, query};
use super::{admin, client_for, graph, lenient, mint, start, strict};

const DAY: i64 = 24 * 3600;

/// Signs in through the authorize window with `extra` answers; returns the code.
async fn code_for(sandbox: &SandboxHandle, extra: &[(&str, &str)]) -> String {
    let window = client_for(sandbox).authorize_url("s", REDIRECT);
    query(&authorize(&window, extra).await)["code"].clone()
}

#[tokio::test]
async fn unticking_comments_on_the_consent_page_grants_a_token_without_them() {
    let sandbox = start(strict()).await;
    let client = client_for(&sandbox);
    let window = client.authorize_url("s", REDIRECT);
    let page = no_redirects().get(window.clone()).send().await.unwrap().text().await.unwrap();
    let checkbox = "name=\"granted_scopes\" value=\"instagram_business_manage_comments\" checked";
    assert!(page.contains(checkbox), "{page}");
    let mut unticked = window.clone();
    unticked.query_pairs_mut().append_pair("granted_scopes", "instagram_business_basic");
    let page = no_redirects().get(unticked).send().await.unwrap().text().await.unwrap();
    assert!(
        !page.contains(checkbox)
            && page.contains("login_hint=ada.demo&amp;granted_scopes=instagram_business_basic"),
        "{page}"
    );

    let code =
        code_for(&sandbox, &[("login_hint", "ada.demo"), ("granted_scopes", "instagram_business_basic")])
            .await;
    let short = client.exchange_code(&code, REDIRECT).await.unwrap();
    assert_eq!(short.permissions, ["instagram_business_basic"]);
    let long = client.long_lived(&short.token).await.unwrap();
    let profile = client.profile(&long.token).await.unwrap();
    let posts = client.media_pages(&long.token, 5).next_page().await.unwrap().unwrap();
    let e = client.comments(&long.token, &posts[0].id).collect_all().await.unwrap_err();
    assert_eq!(e.api_error().and_then(|a| a.code), Some(10));
    assert_eq!(e.kind(), ErrorKind::NeedsReauth);

    let (_, _, comments) =
        graph(&sandbox, &mint(&sandbox, "ada.demo").await, &format!("/{}/comments", posts[0].id)).await;
    let comment_id = comments["data"][0]["id"].as_str().unwrap();
    for path in [
        format!("/v26.0/{comment_id}/replies"),
        "/v26.0/me/subscribed_apps?subscribed_fields=comments".into(),
    ] {
        let method = if path.contains("subscribed") { "POST" } else { "GET" };
        let url = format!("{}{path}", sandbox.base_url());
        let response = reqwest::Client::new()
            .request(method.parse().unwrap(), url)
            .bearer_auth(long.token.expose())
            .send();
        let body: Value = response.await.unwrap().json().await.unwrap();
        assert_eq!(
            (body["error"]["code"].as_i64(), body["error"]["type"].as_str()),
            (Some(10), Some("OAuthException"))
        );
    }
    assert_eq!(profile.username, "ada.demo");

    let full = client
        .exchange_code(&code_for(&sandbox, &[("login_hint", "ada.demo")]).await, REDIRECT)
        .await
        .unwrap();
    assert_eq!(full.permissions.len(), 2);
    client.comments(&full.token, &posts[0].id).collect_all().await.unwrap();
}

async fn refresh(sandbox: &SandboxHandle, token: &AccessToken) -> (u16, Value) {
    let path = format!("/refresh_access_token?grant_type=ig_refresh_token&access_token={}", token.expose());
    let (status, _, body) = super::get(&format!("{}{path}", sandbox.base_url())).await;
    (status, body)
}

async fn advance(sandbox: &SandboxHandle, secs: i64) {
    let (status, clock) =
        admin(sandbox, "POST", "/_sandbox/clock/advance", Some(json!({ "secs": secs }))).await;
    assert_eq!(status, 200, "{clock}");
}

#[tokio::test]
async fn strict_refresh_needs_a_long_lived_token_a_day_old_and_unexpired() {
    let sandbox = start(strict()).await;
    let young = mint(&sandbox, "eve.demo").await;
    let (status, body) = refresh(&sandbox, &young).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(100)), "{body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("24 hours"), "{body}");

    let client = client_for(&sandbox);
    let short = client
        .exchange_code(&code_for(&sandbox, &[("login_hint", "eve.demo")]).await, REDIRECT)
        .await
        .unwrap();
    let (_, body) = refresh(&sandbox, &short.token).await;
    assert_eq!(body["error"]["code"].as_i64(), Some(100), "a short-lived token refreshed: {body}");
    assert!(body["error"]["message"].as_str().unwrap().contains("long-lived"), "{body}");

    advance(&sandbox, DAY + 60).await;
    let (_, body) = refresh(&sandbox, &young).await;
    let refreshed = AccessToken::new(body["access_token"].as_str().unwrap_or_else(|| panic!("{body}")));
    assert_eq!(client.profile(&refreshed).await.unwrap().username, "eve.demo");

    advance(&sandbox, 60 * DAY).await;
    let (status, body) = refresh(&sandbox, &young).await;
    assert_eq!(
        (status, body["error"]["code"].as_i64(), body["error"]["error_subcode"].as_i64()),
        (400, Some(190), Some(463))
    );
    let (_, clock) = admin(&sandbox, "GET", "/_sandbox/clock", None).await;
    assert_eq!(clock["offset_secs"].as_i64(), Some(61 * DAY + 60));
}

#[tokio::test]
async fn lenient_refresh_takes_any_valid_token() {
    let sandbox = start(lenient()).await;
    let (status, body) = refresh(&sandbox, &mint(&sandbox, "eve.demo").await).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].is_string());
}

/// Exchanges a code for a token with `secret` over raw HTTP.
async fn exchange(sandbox: &SandboxHandle, code: &str, secret: &str) -> (u16, Value) {
    let form = [
        ("client_id", "sandbox-app"),
        ("client_secret", secret),
        ("grant_type", "authorization_code"),
        ("redirect_uri", REDIRECT),
        ("code", code),
    ];
    let url = format!("{}/oauth/access_token", sandbox.base_url());
    let response = reqwest::Client::new().post(url).form(&form).send().await.unwrap();
    (response.status().as_u16(), response.json().await.unwrap())
}

#[tokio::test]
async fn strict_token_endpoints_check_the_configured_app_secret() {
    let sandbox = start(SandboxConfig { app_secret: "per-install-s3cret".into(), ..strict() }).await;
    let (status, body) =
        exchange(&sandbox, &code_for(&sandbox, &[("login_hint", "ada.demo")]).await, "sandbox-secret").await;
    assert_eq!((status, body["error_message"].as_str()), (400, Some("Invalid Client Secret")), "{body}");
    let (status, body) =
        exchange(&sandbox, &code_for(&sandbox, &[("login_hint", "ada.demo")]).await, "per-install-s3cret")
            .await;
    assert_eq!(status, 200, "{body}");
    let short = body["data"][0]["access_token"].as_str().unwrap();
    let base =
        format!("{}/access_token?grant_type=ig_exchange_token&access_token={short}", sandbox.base_url());
    let (status, _, body) = super::get(&format!("{base}&client_secret=wrong")).await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(1)), "{body}");
    let (status, _, body) = super::get(&format!("{base}&client_secret=per-install-s3cret")).await;
    assert_eq!(status, 200, "{body}");

    let sandbox = start(SandboxConfig { app_secret: "per-install-s3cret".into(), ..lenient() }).await;
    let (status, body) =
        exchange(&sandbox, &code_for(&sandbox, &[("login_hint", "ada.demo")]).await, "anything").await;
    assert_eq!(status, 200, "{body}");
}
