//! Rate limits and call counts: every throttling code Meta uses, chosen or taken in turn; usage
//! headers that climb call by call; an app-wide limit across accounts and a per-account limit
//! answering 80002 with its own regain time; calls counted per endpoint and account.

use std::time::Duration;

use instacrush::instagram::ErrorKind;
use instagram_sandbox::{SandboxConfig, SandboxHandle};
use reqwest::header::HeaderMap;
use serde_json::{Value, json};

use super::{accounts, admin, client_for, graph, lenient, mint, set_knobs, start, strict};

fn usage(headers: &HeaderMap, name: &str) -> Option<Value> {
    headers.get(name).map(|v| serde_json::from_str(v.to_str().unwrap()).unwrap())
}

#[tokio::test]
async fn each_throttling_code_meta_uses_can_be_chosen_or_taken_in_turn() {
    let sandbox =
        start(SandboxConfig { throttle_after: 1, throttle_codes: vec![4, 17, 32, 613, 80002], ..strict() })
            .await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "ada.demo").await;
    client.profile(&token).await.unwrap();
    for expected in [4, 17, 32, 613, 80002, 4] {
        let e = client.profile(&token).await.unwrap_err();
        assert_eq!(e.api_error().and_then(|a| a.code), Some(expected));
        assert!(matches!(e.kind(), ErrorKind::Throttled { .. }), "{expected}: {e}");
    }
    set_knobs(&sandbox, json!({ "throttle_codes": [613] })).await;
    let e = client.profile(&token).await.unwrap_err();
    assert_eq!(e.api_error().and_then(|a| a.code), Some(613));
}

#[tokio::test]
async fn app_usage_climbs_call_by_call_before_the_limit_across_accounts() {
    let sandbox = start(SandboxConfig { throttle_after: 5, ..strict() }).await;
    let (ada, ben) = (mint(&sandbox, "ada.demo").await, mint(&sandbox, "ben.demo").await);
    let mut seen = Vec::new();
    for token in [&ada, &ben, &ada, &ben, &ada] {
        let (status, headers, _) = graph(&sandbox, token, "/v26.0/me").await;
        assert_eq!(status, 200);
        seen.push(usage(&headers, "x-app-usage").unwrap()["call_count"].as_u64().unwrap());
        assert!(headers.get("x-business-use-case-usage").is_none(), "no account limit, yet a BUC header");
    }
    assert_eq!(seen, [20, 40, 60, 80, 100]);
    let (status, _, body) = graph(&sandbox, &ben, "/v26.0/me").await;
    assert_eq!((status, body["error"]["code"].as_i64()), (400, Some(4)), "{body}");
}

#[tokio::test]
async fn strict_mode_sends_no_usage_header_before_any_use_and_lenient_mode_sends_zeros() {
    let sandbox = start(strict()).await;
    let (_, headers, _) = graph(&sandbox, &mint(&sandbox, "ada.demo").await, "/v26.0/me").await;
    assert!(headers.get("x-app-usage").is_none() && headers.get("x-business-use-case-usage").is_none());
    let sandbox = start(lenient()).await;
    let (_, headers, _) = graph(&sandbox, &mint(&sandbox, "ada.demo").await, "/v26.0/me").await;
    assert_eq!(usage(&headers, "x-app-usage").unwrap()["call_count"], 0);
}

#[tokio::test]
async fn a_per_account_limit_answers_80002_with_its_own_usage_and_regain_time() {
    let config = SandboxConfig { account_throttle_after: 3, account_throttle_window_secs: 600, ..strict() };
    let sandbox = start(config).await;
    let listed = accounts(&sandbox).await;
    let ada_id = listed["ada.demo"]["user_id"].as_str().unwrap().to_owned();
    let (ada, ben) = (mint(&sandbox, "ada.demo").await, mint(&sandbox, "ben.demo").await);
    for expected in [33, 66, 100] {
        let (status, headers, _) = graph(&sandbox, &ada, "/v26.0/me").await;
        assert_eq!(status, 200);
        let buc = usage(&headers, "x-business-use-case-usage").unwrap();
        assert_eq!(buc[&ada_id][0]["call_count"], expected, "{buc}");
        assert_eq!(buc[&ada_id][0]["type"], "instagram");
    }
    let e = client_for(&sandbox).profile(&ada).await.unwrap_err();
    assert_eq!(e.api_error().and_then(|a| a.code), Some(80002));
    assert_eq!(e.kind(), ErrorKind::Throttled { retry_after: Duration::from_secs(600) });
    let (status, headers, _) = graph(&sandbox, &ben, "/v26.0/me").await;
    assert_eq!(status, 200, "another account is not throttled");
    let buc = usage(&headers, "x-business-use-case-usage").unwrap();
    assert_eq!(buc[listed["ben.demo"]["user_id"].as_str().unwrap()][0]["call_count"], 33);
}

async fn calls(sandbox: &SandboxHandle) -> Value {
    admin(sandbox, "GET", "/_sandbox/calls", None).await.1
}

#[tokio::test]
async fn calls_are_counted_per_endpoint_and_account_and_can_be_reset() {
    let sandbox = start(SandboxConfig { page_size: 10, ..strict() }).await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "ada.demo").await;
    client.profile(&token).await.unwrap();
    let mut pages = client.media_pages(&token, 100);
    let mut posts = Vec::new();
    while let Some(page) = pages.next_page().await {
        posts.extend(page.unwrap());
    }
    for post in &posts {
        client.comments(&token, &post.id).collect_all().await.unwrap();
    }
    let _ = graph(&sandbox, &mint(&sandbox, "ben.demo").await, "/v26.0/me?fields=nope").await;
    let counted = calls(&sandbox).await;
    let ada = &counted["by_account"]["ada.demo"];
    assert_eq!(ada["by_endpoint"]["GET /me"], 1);
    assert_eq!(ada["by_endpoint"]["GET /me/media"].as_u64(), Some(u64::from(pages.pages_fetched())));
    assert!(ada["by_endpoint"]["GET /{media-id}/comments"].as_u64().unwrap() >= posts.len() as u64);
    assert_eq!(counted["by_account"]["ben.demo"]["total"], 1, "a failed call counts too");
    assert_eq!(counted["total"].as_u64(), Some(ada["total"].as_u64().unwrap() + 1));

    let (_, log) = admin(&sandbox, "GET", "/_sandbox/calls/log?account=ada.demo", None).await;
    let log = log["calls"].as_array().unwrap();
    assert_eq!(log.len() as u64, ada["total"].as_u64().unwrap());
    assert!(log.iter().all(|c| !c["path"].as_str().unwrap().contains("access_token")), "a token in the log");
    let distinct: std::collections::HashSet<&str> = log.iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(distinct.len(), log.len(), "a sync repeated a call");

    assert_eq!(admin(&sandbox, "DELETE", "/_sandbox/calls", None).await.0, 204);
    assert_eq!(calls(&sandbox).await["total"], 0);
}
