//! The Instagram client against the real sandbox over HTTP: every demo account read completely,
//! each post, comment and reply exactly once, agreeing with the sandbox's own expected crush;
//! and the same seed giving the same data. The modules beside this one test each rule of the
//! sandbox, in strict mode and, where the contrast matters, in lenient mode.

mod callbacks;
mod changes;
mod grants;
mod knobs;
mod limits;
mod oauth;
mod strict;
mod webhooks;

use std::collections::{HashMap, HashSet};

use instacrush::instagram::{AccessToken, InstagramClient, InstagramConfig};
use instagram_sandbox::{SandboxConfig, SandboxHandle};
use reqwest::header::HeaderMap;
use serde_json::Value;

pub(crate) async fn start(config: SandboxConfig) -> SandboxHandle {
    instagram_sandbox::spawn(config, "127.0.0.1:0".parse().unwrap()).await.unwrap()
}

/// A lenient sandbox configuration (kinder than Meta), whatever the default.
pub(crate) fn lenient() -> SandboxConfig {
    SandboxConfig { lenient: true, ..SandboxConfig::default() }
}

/// A strict sandbox configuration (as Meta documents), whatever the default.
pub(crate) fn strict() -> SandboxConfig {
    SandboxConfig { lenient: false, ..SandboxConfig::default() }
}

/// `PUT /_sandbox/knobs`.
pub(crate) async fn set_knobs(sandbox: &SandboxHandle, knobs: Value) {
    let url = format!("{}/_sandbox/knobs", sandbox.base_url());
    let response = reqwest::Client::new().put(url).json(&knobs).send().await.unwrap();
    assert_eq!(response.status(), 200);
}

/// A call to the sandbox's admin API; returns the status and the JSON body (`null` if none).
pub(crate) async fn admin(
    sandbox: &SandboxHandle,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", sandbox.base_url());
    let mut request = reqwest::Client::new().request(method.parse().unwrap(), url);
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// A Graph call with `token`, no client in between; `path` may carry a query.
pub(crate) async fn graph(
    sandbox: &SandboxHandle,
    token: &AccessToken,
    path: &str,
) -> (u16, HeaderMap, Value) {
    let sep = if path.contains('?') { '&' } else { '?' };
    get(&format!("{}{path}{sep}access_token={}", sandbox.base_url(), token.expose())).await
}

/// A plain GET: status, headers, JSON body.
pub(crate) async fn get(url: &str) -> (u16, HeaderMap, Value) {
    let response = reqwest::get(url).await.unwrap();
    let (status, headers) = (response.status().as_u16(), response.headers().clone());
    (status, headers, response.json().await.unwrap_or(Value::Null))
}

/// Every item of a paged collection, following `paging.next` from `first`.
pub(crate) async fn all_pages(first: String) -> Vec<Value> {
    let mut items = Vec::new();
    let mut next = Some(first);
    while let Some(url) = next {
        let (status, _, body) = get(&url).await;
        assert_eq!(status, 200, "{url}: {body}");
        items.extend(body["data"].as_array().unwrap().iter().cloned());
        next = body["paging"]["next"].as_str().map(str::to_owned);
    }
    items
}

pub(crate) fn client_for(sandbox: &SandboxHandle) -> InstagramClient {
    InstagramClient::new(InstagramConfig {
        timeout_secs: 5,
        ..InstagramConfig::for_sandbox(&sandbox.base_url())
    })
    .unwrap()
}

/// A long-lived token for `username`, minted by the sandbox's admin API.
pub(crate) async fn mint(sandbox: &SandboxHandle, username: &str) -> AccessToken {
    let url = format!("{}/_sandbox/accounts/{username}/token", sandbox.base_url());
    let body: Value = reqwest::Client::new().post(url).send().await.unwrap().json().await.unwrap();
    AccessToken::new(body["access_token"].as_str().unwrap())
}

/// `GET /_sandbox/accounts`, keyed by username.
pub(crate) async fn accounts(sandbox: &SandboxHandle) -> HashMap<String, Value> {
    let url = format!("{}/_sandbox/accounts", sandbox.base_url());
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    body["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| (a["username"].as_str().unwrap().to_owned(), a.clone()))
        .collect()
}

#[derive(Default)]
struct Tally {
    interactions: u64,
    posts: HashSet<String>,
    latest: i64,
    username: String,
}

/// Reads a whole account; asserts every id is seen once and every post's comments add up.
/// Returns the crush by the app's rule and the number of non-owner interactions.
async fn read_account(client: &InstagramClient, token: &AccessToken) -> (Option<String>, u64) {
    let profile = client.profile(token).await.unwrap();
    let media = client.media_pages(token, 100).collect_all().await.unwrap();
    assert_eq!(media.len() as u64, profile.media_count.unwrap(), "{}", profile.username);
    let mut seen = HashSet::new();
    let mut tallies: HashMap<String, Tally> = HashMap::new();
    for post in &media {
        assert!(seen.insert(post.id.clone()), "post {} twice", post.id);
        let comments = client.comments(token, &post.id).collect_all().await.unwrap();
        let total: usize = comments.iter().map(|c| 1 + c.replies.len()).sum();
        assert_eq!(total as u64, post.comments_count.unwrap(), "post {}", post.id);
        let everything = comments.iter().flat_map(|c| {
            std::iter::once((&c.id, &c.from, c.timestamp))
                .chain(c.replies.iter().map(|r| (&r.id, &r.from, r.timestamp)))
        });
        for (id, from, at) in everything {
            assert!(seen.insert(id.clone()), "comment {id} twice");
            let from = from.as_ref().unwrap();
            if from.id == profile.user_id {
                continue;
            }
            let t = tallies.entry(from.id.clone()).or_default();
            t.interactions += 1;
            t.posts.insert(post.id.clone());
            t.latest = t.latest.max(at.unwrap().unix_timestamp());
            t.username = from.username.clone().unwrap();
        }
    }
    let total = tallies.values().map(|t| t.interactions).sum();
    let crush = tallies
        .iter()
        .max_by(|(a_id, a), (b_id, b)| {
            (a.interactions, a.posts.len(), a.latest)
                .cmp(&(b.interactions, b.posts.len(), b.latest))
                .then(b_id.parse::<u64>().unwrap().cmp(&a_id.parse::<u64>().unwrap()))
        })
        .map(|(_, t)| t.username.clone());
    (crush, total)
}

#[tokio::test]
async fn every_demo_account_reads_completely_and_matches_its_expected_crush() {
    let sandbox = start(SandboxConfig { page_size: 4, ..lenient() }).await;
    let client = client_for(&sandbox);
    let listed = accounts(&sandbox).await;
    assert_eq!(listed.len(), 5);
    for username in instagram_sandbox::demo_usernames() {
        let token = mint(&sandbox, username).await;
        let (crush, interactions) = read_account(&client, &token).await;
        let expected = &listed[username];
        assert_eq!(crush.as_deref(), expected["expected_crush"]["username"].as_str(), "{username}");
        assert_eq!(interactions, expected["interactions"].as_u64().unwrap(), "{username}");
    }
    assert!(listed["dev.demo"]["expected_crush"].is_null());
    assert_eq!(listed["cleo.demo"]["tie"], true);
    let top = &listed["cleo.demo"]["top_interactors"];
    assert_eq!(top[0]["interactions"], top[1]["interactions"]);
}

/// The account listing (without the seed) with this sandbox's origin taken out, to compare
/// sandboxes on different ports.
async fn listing_without_origin(sandbox: &SandboxHandle) -> String {
    let url = format!("{}/_sandbox/accounts", sandbox.base_url());
    let body: Value = reqwest::get(url).await.unwrap().json().await.unwrap();
    body["accounts"].to_string().replace(&sandbox.base_url(), "")
}

async fn ada_comments(sandbox: &SandboxHandle) -> Vec<(String, String, Option<String>, usize)> {
    let client = client_for(sandbox);
    let token = mint(sandbox, "ada.demo").await;
    let mut out = Vec::new();
    for post in client.media_pages(&token, 50).collect_all().await.unwrap() {
        for c in client.comments(&token, &post.id).collect_all().await.unwrap() {
            out.push((c.id, c.text, c.from.and_then(|f| f.username), c.replies.len()));
        }
    }
    out
}

#[tokio::test]
async fn the_same_seed_gives_the_same_data_and_another_seed_does_not() {
    let a = start(SandboxConfig { seed: 7, ..lenient() }).await;
    let b = start(SandboxConfig { seed: 7, ..lenient() }).await;
    let c = start(SandboxConfig { seed: 8, ..lenient() }).await;
    assert_eq!(listing_without_origin(&a).await, listing_without_origin(&b).await);
    assert_ne!(listing_without_origin(&a).await, listing_without_origin(&c).await);
    let from_a = ada_comments(&a).await;
    assert!(from_a.len() > 50, "{}", from_a.len());
    assert_eq!(from_a, ada_comments(&b).await);
    assert_ne!(from_a, ada_comments(&c).await);
}

#[tokio::test]
async fn bad_input_gets_meta_shaped_errors_never_a_crash() {
    let sandbox = start(lenient()).await;
    let token = mint(&sandbox, "ada.demo").await;
    let base = sandbox.base_url();
    let t = token.expose();
    let http = reqwest::Client::new();
    let cases = [
        format!("{base}/v26.0/me?fields=from{{id&access_token={t}"),
        format!("{base}/v26.0/me?fields=nope&access_token={t}"),
        format!("{base}/v26.0/me/media?limit=-1&access_token={t}"),
        format!("{base}/v26.0/me/media?after=garbage&access_token={t}"),
        format!("{base}/v26.0/99999999999999999999999/comments?access_token={t}"),
        format!("{base}/v26.0/me/comments?access_token={t}"),
        format!("{base}/v26.0/me?access_token=sbx.l.1.2.3.forged"),
        format!("{base}/v26.0/me"),
        format!("{base}/vX/me?access_token={t}"),
        format!("{base}/v26.0/%FF?access_token={t}"),
        format!("{base}/access_token?grant_type=ig_exchange_token&grant_type=twice"),
        format!("{base}/no/such/path/here"),
    ];
    for url in cases {
        let response = http.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 400, "{url}");
        let body: Value = response.json().await.unwrap();
        assert!(body["error"]["code"].is_i64() && body["error"]["message"].is_string(), "{url}: {body}");
    }
    let form = http.post(format!("{base}/oauth/access_token")).json(&serde_json::json!({"code": "x"})).send();
    let response = form.await.unwrap();
    assert_eq!(response.status(), 400);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error_type"], "OAuthException");
}

#[tokio::test]
async fn pictures_are_served_by_the_sandbox_itself() {
    let sandbox = start(lenient()).await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "eve.demo").await;
    let profile = client.profile(&token).await.unwrap();
    let post = client.media_pages(&token, 1).next_page().await.unwrap().unwrap().remove(0);
    for url in [profile.profile_picture_url.unwrap(), post.media_url.unwrap(), post.permalink.unwrap()] {
        assert!(url.starts_with(&sandbox.base_url()), "{url}");
        let response = reqwest::get(&url).await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(response.headers()["content-type"], "image/svg+xml");
        assert!(response.text().await.unwrap().starts_with("<svg"));
    }
}
