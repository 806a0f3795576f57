//! The OAuth round trip against the sandbox (authorize window, code, short- and long-lived
//! tokens, refresh), denial, single-use codes, revocation and expiry, and stateless tokens that
//! survive a restart.

use std::collections::HashMap;
use std::time::Duration;

use instacrush::instagram::{ErrorKind, InstagramError};
use instagram_sandbox::SandboxConfig;
use url::Url;

use super::{accounts, client_for, lenient, mint, start};

pub(super) const REDIRECT: &str = "http://localhost:9/api/auth/instagram/callback";

pub(super) fn no_redirects() -> reqwest::Client {
    reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap()
}

/// Follows the authorize window with `extra` parameters; returns the redirect target.
pub(super) async fn authorize(url: &Url, extra: &[(&str, &str)]) -> Url {
    let mut url = url.clone();
    url.query_pairs_mut().extend_pairs(extra);
    let response = no_redirects().get(url).send().await.unwrap();
    assert!(response.status().is_redirection(), "{}", response.status());
    Url::parse(response.headers()["location"].to_str().unwrap()).unwrap()
}

pub(super) fn query(url: &Url) -> HashMap<String, String> {
    url.query_pairs().into_owned().collect()
}

#[tokio::test]
async fn the_oauth_round_trip_signs_in_as_the_hinted_account() {
    let sandbox = start(lenient()).await;
    let client = client_for(&sandbox);
    let window = client.authorize_url("st4te", REDIRECT);

    let page = no_redirects().get(window.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    for username in instagram_sandbox::demo_usernames() {
        assert!(html.contains(&format!("login_hint={username}")), "{username} missing");
    }

    let back = authorize(&window, &[("login_hint", "ada.demo")]).await;
    assert_eq!(back.as_str().split('?').next(), Some(REDIRECT));
    assert_eq!(back.fragment(), Some("_"));
    let params = query(&back);
    assert_eq!(params["state"], "st4te");
    let code = format!("{}#_", params["code"]);

    let short = client.exchange_code(&code, REDIRECT).await.unwrap();
    assert_eq!(short.user_id, accounts(&sandbox).await["ada.demo"]["user_id"].as_str().unwrap());
    assert_eq!(short.permissions, ["instagram_business_basic", "instagram_business_manage_comments"]);
    let long = client.long_lived(&short.token).await.unwrap();
    assert_eq!(long.expires_in, Duration::from_secs(5_184_000));
    assert_eq!(client.profile(&long.token).await.unwrap().username, "ada.demo");
    let refreshed = client.refresh(&long.token).await.unwrap();
    assert_eq!(client.profile(&refreshed.token).await.unwrap().username, "ada.demo");

    let reused = client.exchange_code(&code, REDIRECT).await.unwrap_err();
    assert_eq!(reused.kind(), ErrorKind::Permanent, "{reused}");
}

#[tokio::test]
async fn a_code_is_bound_to_its_redirect_uri() {
    let sandbox = start(lenient()).await;
    let client = client_for(&sandbox);
    let back = authorize(&client.authorize_url("s", REDIRECT), &[("login_hint", "ben.demo")]).await;
    let code = query(&back)["code"].clone();
    let e = client.exchange_code(&code, "http://localhost:9/elsewhere").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent);
}

#[tokio::test]
async fn declining_redirects_with_access_denied_and_bad_requests_get_an_error_page() {
    let sandbox = start(lenient()).await;
    let client = client_for(&sandbox);
    let back = authorize(&client.authorize_url("s2", REDIRECT), &[("decision", "deny")]).await;
    let params = query(&back);
    assert_eq!(params["error"], "access_denied");
    assert_eq!(params["state"], "s2");
    assert!(!params.contains_key("code"));

    let unknown = format!("{}&login_hint=nobody", client.authorize_url("s", REDIRECT));
    let page = no_redirects().get(unknown).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("No sandbox account is called nobody"));

    let no_scope = format!(
        "{}/oauth/authorize?client_id=a&redirect_uri={REDIRECT}&response_type=code",
        sandbox.base_url()
    );
    assert_eq!(no_redirects().get(no_scope).send().await.unwrap().status(), 400);
}

fn subcode(e: &InstagramError) -> Option<i64> {
    e.api_error().and_then(|a| a.subcode)
}

#[tokio::test]
async fn revoked_and_expired_tokens_need_reauth_until_a_new_sign_in() {
    let sandbox = start(lenient()).await;
    let client = client_for(&sandbox);
    let admin = reqwest::Client::new();
    for (action, expected) in [("revoke", 460), ("expire", 463)] {
        let token = mint(&sandbox, "eve.demo").await;
        client.profile(&token).await.unwrap();
        let url = format!("{}/_sandbox/accounts/eve.demo/{action}", sandbox.base_url());
        assert_eq!(admin.post(url).send().await.unwrap().status(), 204);
        let e = client.profile(&token).await.unwrap_err();
        assert_eq!(e.kind(), ErrorKind::NeedsReauth, "{action}");
        assert_eq!(subcode(&e), Some(expected));
        tokio::time::sleep(Duration::from_millis(5)).await;
        client.profile(&mint(&sandbox, "eve.demo").await).await.unwrap();
    }
}

#[tokio::test]
async fn tokens_survive_a_restart_with_the_same_seed_only() {
    let first = start(lenient()).await;
    let token = mint(&first, "ada.demo").await;
    first.shutdown().await;
    let again = start(lenient()).await;
    assert_eq!(client_for(&again).profile(&token).await.unwrap().username, "ada.demo");
    let other = start(SandboxConfig { seed: 1, ..lenient() }).await;
    let e = client_for(&other).profile(&token).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NeedsReauth);
}

#[tokio::test]
async fn tokens_expire_after_their_ttl() {
    let sandbox = start(SandboxConfig { token_ttl_secs: 2, ..lenient() }).await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "ada.demo").await;
    client.profile(&token).await.unwrap();
    tokio::time::sleep(Duration::from_millis(3100)).await;
    let e = client.profile(&token).await.unwrap_err();
    assert_eq!((e.kind(), subcode(&e)), (ErrorKind::NeedsReauth, Some(463)));
}
