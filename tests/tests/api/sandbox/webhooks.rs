//! Comment webhooks: `/me/subscribed_apps` recorded per account; comments added through the
//! admin API become real data and reach a stand-in app as Meta-shaped, signed, batchable POSTs;
//! the activity knob adds them at a rate by deterministic authors; and Meta's verification
//! request.

use std::time::Duration;

use hmac::{Hmac, KeyInit, Mac};
use instacrush::instagram::AccessToken;
use instagram_sandbox::{SandboxConfig, SandboxHandle};
use serde_json::{Value, json};
use sha2::Sha256;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use super::{accounts, admin, all_pages, graph, mint, set_knobs, start, strict};

const SECRET: &str = "webhook-s3cret";

async fn subscribe(sandbox: &SandboxHandle, token: &AccessToken) {
    let url = format!("{}/v26.0/me/subscribed_apps?subscribed_fields=comments", sandbox.base_url());
    let response = reqwest::Client::new().post(url).bearer_auth(token.expose()).send().await.unwrap();
    assert_eq!(response.json::<Value>().await.unwrap(), json!({ "success": true }));
}

/// A stand-in app that accepts webhook POSTs with `status`.
async fn hook(status: u16) -> MockServer {
    let app = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/hook"))
        .respond_with(ResponseTemplate::new(status))
        .mount(&app)
        .await;
    app
}

/// Polls `probe` every 50 ms, for up to ten seconds, until it gives something.
async fn eventually<T, F: Future<Output = Option<T>>>(what: &str, mut probe: impl FnMut() -> F) -> T {
    for _ in 0..200 {
        if let Some(found) = probe().await {
            return found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("still waiting for {what}");
}

/// The requests `app` received, once there are at least `n`.
async fn received(app: &MockServer, n: usize) -> Vec<Request> {
    eventually(&format!("{n} webhook POSTs"), || async {
        Some(app.received_requests().await.unwrap_or_default()).filter(|got| got.len() >= n)
    })
    .await
}

/// The deliveries the sandbox lists, once there are at least `n`.
async fn deliveries(sandbox: &SandboxHandle, n: usize) -> Vec<Value> {
    eventually(&format!("{n} deliveries"), || async {
        let (_, body) = admin(sandbox, "GET", "/_sandbox/webhooks", None).await;
        body["deliveries"].as_array().cloned().filter(|list| list.len() >= n)
    })
    .await
}

fn hex_hmac(body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
    mac.update(body);
    mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect()
}

async fn webhook_sandbox(app: &MockServer, extra: Value) -> SandboxHandle {
    let sandbox = start(SandboxConfig { app_secret: SECRET.into(), ..strict() }).await;
    let mut knobs = json!({ "webhook_url": format!("{}/hook", app.uri()) });
    knobs.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    set_knobs(&sandbox, knobs).await;
    sandbox
}

#[tokio::test]
async fn subscribed_apps_records_lists_and_removes_the_subscription() {
    let sandbox = start(strict()).await;
    let token = mint(&sandbox, "ada.demo").await;
    let (_, _, empty) = graph(&sandbox, &token, "/v26.0/me/subscribed_apps").await;
    assert_eq!(empty, json!({ "data": [] }));
    subscribe(&sandbox, &token).await;
    let (_, _, listed) = graph(&sandbox, &token, "/v26.0/me/subscribed_apps").await;
    assert_eq!(listed["data"][0]["subscribed_fields"], json!(["comments"]));
    assert_eq!(accounts(&sandbox).await["ada.demo"]["subscribed_fields"], json!(["comments"]));
    assert_eq!(accounts(&sandbox).await["ben.demo"]["subscribed_fields"], json!([]));
    let http = reqwest::Client::new();
    for bad in ["subscribed_fields=gossip", "subscribed_fields="] {
        let url = format!("{}/v26.0/me/subscribed_apps?{bad}", sandbox.base_url());
        let body: Value =
            http.post(url).bearer_auth(token.expose()).send().await.unwrap().json().await.unwrap();
        assert_eq!(body["error"]["code"].as_i64(), Some(100), "{bad}: {body}");
    }
    let url = format!("{}/v26.0/me/subscribed_apps", sandbox.base_url());
    let gone: Value =
        http.delete(url).bearer_auth(token.expose()).send().await.unwrap().json().await.unwrap();
    assert_eq!(gone, json!({ "success": true }));
    assert_eq!(graph(&sandbox, &token, "/v26.0/me/subscribed_apps").await.2, json!({ "data": [] }));
}

#[tokio::test]
async fn an_added_comment_is_real_data_and_reaches_the_app_as_a_signed_webhook() {
    let app = hook(200).await;
    let sandbox = webhook_sandbox(&app, json!({})).await;
    let token = mint(&sandbox, "ben.demo").await;
    subscribe(&sandbox, &token).await;
    let before = accounts(&sandbox).await["ben.demo"].clone();
    let runner_up = before["top_interactors"][1].clone();
    let gap = before["expected_crush"]["interactions"].as_u64().unwrap()
        - runner_up["interactions"].as_u64().unwrap();
    let (_, _, media) = graph(&sandbox, &token, "/v26.0/me/media?fields=id,comments_count&limit=1").await;
    let (post, count) = (
        media["data"][0]["id"].as_str().unwrap().to_owned(),
        media["data"][0]["comments_count"].as_u64().unwrap(),
    );

    let comments: Vec<Value> =
        (0..=gap).map(|i| json!({ "author": runner_up["username"], "text": format!("again {i}") })).collect();
    let (status, added) =
        admin(&sandbox, "POST", "/_sandbox/accounts/ben.demo/comments", Some(json!(comments))).await;
    assert_eq!(status, 201, "{added}");
    let first_id = added["comments"][0]["id"].as_str().unwrap().to_owned();
    let reply = json!({ "author": runner_up["username"], "parent_id": first_id, "text": "a reply" });
    let (status, _) = admin(&sandbox, "POST", "/_sandbox/accounts/ben.demo/comments", Some(reply)).await;
    assert_eq!(status, 201);

    let posts = received(&app, gap as usize + 2).await;
    for request in &posts {
        let signature = request.headers["x-hub-signature-256"].to_str().unwrap();
        assert_eq!(signature, format!("sha256={}", hex_hmac(&request.body)));
        assert_eq!(request.headers["content-type"], "application/json");
    }
    let first: Value = serde_json::from_slice(&posts[0].body).unwrap();
    assert_eq!(first["object"], "instagram");
    assert_eq!(first["entry"][0]["id"], before["user_id"]);
    assert!(first["entry"][0]["time"].is_u64());
    let change = &first["entry"][0]["changes"][0];
    assert_eq!(change["field"], "comments");
    assert_eq!(change["value"]["id"], first_id.as_str());
    assert_eq!(change["value"]["text"], "again 0");
    assert_eq!(
        change["value"]["from"],
        json!({ "id": runner_up["from_id"], "username": runner_up["username"] })
    );
    assert_eq!(change["value"]["media"]["id"], post.as_str());
    assert!(change["value"]["media"]["media_product_type"].is_string());
    assert!(change["value"].get("parent_id").is_none());
    let last: Value = serde_json::from_slice(&posts.last().unwrap().body).unwrap();
    assert_eq!(last["entry"][0]["changes"][0]["value"]["parent_id"], first_id.as_str());

    let (_, _, now) = graph(&sandbox, &token, &format!("/v26.0/{post}?fields=comments_count")).await;
    assert_eq!(now["comments_count"].as_u64(), Some(count + gap + 2));
    let url =
        format!("{}/v26.0/{post}/comments?fields=id&access_token={}", sandbox.base_url(), token.expose());
    assert!(all_pages(url).await.iter().any(|c| c["id"] == first_id.as_str()));
    let after = &accounts(&sandbox).await["ben.demo"];
    assert_eq!(after["expected_crush"]["username"], runner_up["username"]);
}

#[tokio::test]
async fn several_comments_can_arrive_in_one_batched_post() {
    let app = hook(200).await;
    let sandbox =
        webhook_sandbox(&app, json!({ "webhook_batch_max": 3, "webhook_batch_window_ms": 5000 })).await;
    for username in ["ada.demo", "cleo.demo"] {
        subscribe(&sandbox, &mint(&sandbox, username).await).await;
    }
    let two = json!([{ "author": "theo_paints" }, { "author": "mila.rivers" }]);
    admin(&sandbox, "POST", "/_sandbox/accounts/ada.demo/comments", Some(two)).await;
    admin(
        &sandbox,
        "POST",
        "/_sandbox/accounts/cleo.demo/comments",
        Some(json!({ "author": "theo_paints" })),
    )
    .await;
    let posts = received(&app, 1).await;
    assert_eq!(posts.len(), 1);
    let body: Value = serde_json::from_slice(&posts[0].body).unwrap();
    let entries = body["entry"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "{body}");
    assert_eq!(entries[0]["changes"].as_array().unwrap().len(), 2);
    assert_eq!(entries[1]["changes"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn unsubscribed_accounts_get_no_webhook_and_a_failing_app_is_retried() {
    let app = hook(500).await;
    let sandbox = webhook_sandbox(&app, json!({ "webhook_max_attempts": 2 })).await;
    let (_, quiet) = admin(
        &sandbox,
        "POST",
        "/_sandbox/accounts/dev.demo/comments",
        Some(json!({ "author": "mila.rivers" })),
    )
    .await;
    assert_eq!(quiet["comments"][0]["notified"], false);
    subscribe(&sandbox, &mint(&sandbox, "eve.demo").await).await;
    let (_, loud) = admin(
        &sandbox,
        "POST",
        "/_sandbox/accounts/eve.demo/comments",
        Some(json!({ "author": "mila.rivers" })),
    )
    .await;
    assert_eq!(loud["comments"][0]["notified"], true);
    received(&app, 2).await;
    let list = deliveries(&sandbox, 1).await;
    assert_eq!(list.len(), 1, "the unsubscribed account's comment was sent: {list:?}");
    let retried = eventually("a second attempt", || async {
        let list = deliveries(&sandbox, 1).await;
        Some(list[0].clone()).filter(|d| d["attempts"] == 2)
    })
    .await;
    assert_eq!((retried["delivered"].as_bool(), retried["status"].as_u64()), (Some(false), Some(500)));
}

/// Authors of the first `n` activity comments of a fresh sandbox subscribed for ada.
async fn activity_authors(n: usize) -> Vec<String> {
    let sandbox = start(SandboxConfig { activity_per_minute: 1200.0, ..strict() }).await;
    let (_, _, before) =
        graph(&sandbox, &mint(&sandbox, "ada.demo").await, "/v26.0/me/media?fields=comments_count&limit=3")
            .await;
    subscribe(&sandbox, &mint(&sandbox, "ada.demo").await).await;
    let list = deliveries(&sandbox, n).await;
    set_knobs(&sandbox, json!({ "activity_per_minute": 0 })).await;
    let total = |m: &Value| {
        m["data"].as_array().unwrap().iter().map(|p| p["comments_count"].as_u64().unwrap()).sum::<u64>()
    };
    let (_, _, after) =
        graph(&sandbox, &mint(&sandbox, "ada.demo").await, "/v26.0/me/media?fields=comments_count&limit=3")
            .await;
    assert!(total(&after) >= total(&before) + n as u64);
    list.iter()
        .take(n)
        .map(|d| {
            assert_eq!(d["error"], "no webhook URL configured");
            let body: Value = serde_json::from_str(d["body"].as_str().unwrap()).unwrap();
            body["entry"][0]["changes"][0]["value"]["from"]["username"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[tokio::test]
async fn the_activity_knob_adds_comments_by_deterministic_authors() {
    let first = activity_authors(6).await;
    assert_eq!(first, activity_authors(6).await);
    assert!(first.iter().collect::<std::collections::HashSet<_>>().len() > 1, "{first:?}");
}

#[tokio::test]
async fn the_verification_request_echoes_the_challenge_only_for_the_right_token() {
    let app = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/hook"))
        .respond_with(|request: &Request| {
            let query: std::collections::HashMap<String, String> =
                request.url.query_pairs().into_owned().collect();
            if query.get("hub.mode").map(String::as_str) == Some("subscribe")
                && query.get("hub.verify_token").map(String::as_str) == Some("t0ken")
            {
                ResponseTemplate::new(200).set_body_string(query["hub.challenge"].clone())
            } else {
                ResponseTemplate::new(403)
            }
        })
        .mount(&app)
        .await;
    let sandbox = start(strict()).await;
    let url = format!("{}/hook", app.uri());
    let (_, ok) = admin(
        &sandbox,
        "POST",
        "/_sandbox/webhooks/verify",
        Some(json!({ "url": url, "verify_token": "t0ken" })),
    )
    .await;
    assert_eq!(ok["verified"], true, "{ok}");
    let (_, bad) = admin(
        &sandbox,
        "POST",
        "/_sandbox/webhooks/verify",
        Some(json!({ "url": url, "verify_token": "nope" })),
    )
    .await;
    assert_eq!((bad["verified"].as_bool(), bad["status"].as_u64()), (Some(false), Some(403)));
}
