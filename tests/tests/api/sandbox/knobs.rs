//! The sandbox's misbehaviour knobs as the client sees them: throttling with usage headers,
//! transient errors, malformed bodies, latency past the timeout, per-request overrides, and the
//! large benchmark account generated page by page.

use std::collections::HashSet;
use std::time::Duration;

use instacrush::instagram::{ErrorKind, InstagramClient, InstagramConfig, InstagramError};
use instagram_sandbox::{SandboxConfig, SandboxHandle};
use serde_json::{Value, json};

use super::{client_for, lenient, mint, set_knobs, start};

async fn reset_knobs(sandbox: &SandboxHandle) {
    let url = format!("{}/_sandbox/knobs", sandbox.base_url());
    assert_eq!(reqwest::Client::new().delete(url).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn throttling_after_n_calls_reports_usage_and_the_wait() {
    let sandbox = start(lenient()).await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "ada.demo").await;
    set_knobs(&sandbox, json!({"throttle_after": 3, "throttle_window_secs": 120})).await;
    for expected in [33, 66, 100] {
        client.profile(&token).await.unwrap();
        assert_eq!(client.last_usage().unwrap().call_count, expected);
    }
    let e = client.profile(&token).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Throttled { retry_after: Duration::from_secs(120) });
    assert_eq!(e.api_error().and_then(|a| a.code), Some(4));
    reset_knobs(&sandbox).await;
    client.profile(&token).await.unwrap();
}

#[tokio::test]
async fn error_rate_and_malformed_bodies_become_typed_errors() {
    let sandbox = start(lenient()).await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "ada.demo").await;
    set_knobs(&sandbox, json!({"error_rate": 1.0})).await;
    let e = client.profile(&token).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    set_knobs(&sandbox, json!({"error_rate": 0.0, "malformed_rate": 1.0})).await;
    let e = client.media_pages(&token, 10).collect_all().await.unwrap_err();
    assert!(matches!(e, InstagramError::Decode { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert!(!format!("{e} {e:?}").contains(token.expose()));
}

#[tokio::test]
async fn latency_past_the_timeout_is_a_transient_timeout() {
    let sandbox = start(SandboxConfig { latency_ms: 1500, ..lenient() }).await;
    let config = InstagramConfig { timeout_secs: 1, ..InstagramConfig::for_sandbox(&sandbox.base_url()) };
    let client = InstagramClient::new(config).unwrap();
    let token = mint(&sandbox, "ada.demo").await;
    let e = client.profile(&token).await.unwrap_err();
    assert!(matches!(e, InstagramError::Timeout { .. }), "{e:?}");
}

#[tokio::test]
async fn per_request_headers_force_meta_shaped_failures() {
    let sandbox = start(lenient()).await;
    let token = mint(&sandbox, "ada.demo").await;
    let url = format!("{}/v26.0/me?access_token={}", sandbox.base_url(), token.expose());
    let http = reqwest::Client::new();
    let forced = |how: &'static str| http.get(&url).header(instagram_sandbox::FAIL_HEADER, how).send();
    let expired = forced("190").await.unwrap();
    assert_eq!(expired.status(), 400);
    let body: Value = expired.json().await.unwrap();
    assert_eq!(
        (body["error"]["code"].as_i64(), body["error"]["error_subcode"].as_i64()),
        (Some(190), Some(463))
    );
    let throttled = forced("throttle").await.unwrap();
    let buc = throttled.headers()["x-business-use-case-usage"].to_str().unwrap().to_owned();
    let buc: Value = serde_json::from_str(&buc).unwrap();
    let user_id = body_user_id(&sandbox).await;
    assert!(buc[&user_id][0]["estimated_time_to_regain_access"].as_u64().unwrap() >= 1, "{buc}");
    assert_eq!(forced("500").await.unwrap().status(), 500);
    assert_eq!(forced("429").await.unwrap().status(), 429);
}

async fn body_user_id(sandbox: &SandboxHandle) -> String {
    super::accounts(sandbox).await["ada.demo"]["user_id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn the_large_account_pages_through_thousands_of_posts_and_100k_comments() {
    let config = SandboxConfig {
        large_account_posts: 1500,
        large_account_comments: 100_000,
        page_size: 100,
        ..lenient()
    };
    let sandbox = start(config).await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "big.demo").await;
    assert_eq!(client.profile(&token).await.unwrap().media_count, Some(1500));
    let mut pages = client.media_pages(&token, 100);
    let mut ids = HashSet::new();
    let mut comments_count = 0;
    while let Some(page) = pages.next_page().await {
        for post in page.unwrap() {
            comments_count += post.comments_count.unwrap();
            assert!(ids.insert(post.id));
        }
    }
    assert_eq!((ids.len(), pages.pages_fetched()), (1500, 15));
    assert!(comments_count > 100_000, "{comments_count}");
    let newest = client.media_pages(&token, 1).next_page().await.unwrap().unwrap().remove(0);
    let comments = client.comments(&token, &newest.id).collect_all().await.unwrap();
    let total: usize = comments.iter().map(|c| 1 + c.replies.len()).sum();
    assert_eq!(total as u64, newest.comments_count.unwrap());
    assert!(comments.len() > 100, "{}", comments.len());
}
