//! What the webhook endpoint refuses, and that a refusal changes nothing: Meta's verification
//! with another verify token, posts without or with a wrong signature, a replayed post, a
//! body that is not a notification, an oversized one. Unknown accounts and known comment ids
//! are acknowledged and change nothing either; a batched post applies each of its entries.

use instacrush::webhooks::signature::sign;
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{app, json_of, recomputes, sandbox, scalar, signed_in_and_synced};

on_both_backends!(
    meta_verification_needs_our_verify_token,
    forged_replayed_and_oversized_posts_change_nothing,
    a_batched_post_applies_every_entry_and_change
);

const PATH: &str = "/api/webhooks/instagram";

async fn meta_verification_needs_our_verify_token(backend: Backend) {
    let app = app(backend).await;
    let ours = app.state.webhooks.verify_token.clone().expect("the sandbox gets a verify token");
    let verify =
        |token: &str| format!("{PATH}?hub.mode=subscribe&hub.verify_token={token}&hub.challenge=1158201444");
    let answer = app.get(&verify(&ours)).await;
    assert_eq!(answer.status(), StatusCode::OK);
    assert_eq!(answer.text().await.unwrap(), "1158201444");
    let wrong = app.get(&verify("not-ours")).await;
    assert_eq!(wrong.status(), StatusCode::FORBIDDEN);
    assert_eq!(json_of(wrong).await["code"], "invalid_verify_token");
    for bad in
        [PATH.to_owned(), format!("{PATH}?hub.mode=unsubscribe&hub.verify_token={ours}&hub.challenge=1")]
    {
        assert_eq!(app.get(&bad).await.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    // The sandbox plays Meta saving the callback URL.
    let (status, verified) = sandbox(&app, "POST", "/_sandbox/webhooks/verify", Some(json!({}))).await;
    assert_eq!(status, 200, "{verified}");
    assert_eq!(verified["verified"], true, "{verified}");
}

/// A notification of one comment on `media` of account `account` by `author`.
fn notification(account: &str, media: &str, comment: &str, author: &str, time: i64) -> Vec<u8> {
    json!({"object": "instagram", "entry": [{"id": account, "time": time, "changes": [{"field": "comments",
        "value": {"id": comment, "text": "forged?", "from": {"id": author, "username": "mallory"},
                  "media": {"id": media, "media_product_type": "FEED"}}}]}]})
    .to_string()
    .into_bytes()
}

async fn post(app: &TestApp, body: &[u8], signature: Option<&str>) -> (StatusCode, Value) {
    let mut request =
        app.client.post(app.url(PATH)).header("content-type", "application/json").body(body.to_vec());
    if let Some(signature) = signature {
        request = request.header("x-hub-signature-256", signature);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn interactions(app: &TestApp) -> i64 {
    scalar(app, "SELECT COUNT(*) FROM instagram_interactions", vec![]).await
}

async fn forged_replayed_and_oversized_posts_change_nothing(backend: Backend) {
    let app = app(backend).await;
    signed_in_and_synced(&app, "ada.demo").await;
    let secret = app.state.instagram.config().app_secret.expose().to_owned();
    let ada = super::sandbox_account(&app, "ada.demo").await;
    let account = ada["user_id"].as_str().unwrap().to_owned();
    let media_sql = "SELECT CAST(ig_id AS BIGINT) FROM instagram_media ORDER BY posted_at DESC LIMIT 1";
    let media = scalar(&app, media_sql, vec![]).await.to_string();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let body = notification(&account, &media, "990000000001", "4242", now);
    let before = interactions(&app).await;

    let (status, problem) = post(&app, &body, None).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::FORBIDDEN, Some("missing_signature")));
    for forged in [sign("not-the-secret", &body), "sha256=00".to_owned(), "sha1=abc".to_owned()] {
        let (status, problem) = post(&app, &body, Some(&forged)).await;
        assert_eq!(
            (status, problem["code"].as_str()),
            (StatusCode::FORBIDDEN, Some("invalid_signature")),
            "{forged}"
        );
    }
    // Signed over another body: the signature covers the raw bytes.
    let other = notification(&account, &media, "990000000001", "4243", now);
    assert_eq!(post(&app, &body, Some(&sign(&secret, &other))).await.0, StatusCode::FORBIDDEN);
    let garbage = b"{\"object\":\"instagram\",\"entry\":[{\"id\":\"1\",\"changes\":[{\"field\":\"comments\",\"value\":7}]}]}";
    assert_eq!(post(&app, garbage, Some(&sign(&secret, garbage))).await.0, StatusCode::BAD_REQUEST);
    let huge = notification(&account, &media, "990000000002", &"9".repeat(70_000), now);
    // The server answers 413 once the body passes its bound and closes the connection; a
    // client still sending may see that as a reset before it reads the answer.
    let refused = app
        .client
        .post(app.url(PATH))
        .header("content-type", "application/json")
        .header("x-hub-signature-256", sign(&secret, &huge))
        .body(huge)
        .send()
        .await;
    match refused {
        Ok(response) => {
            assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
            let connection = response.headers().get("connection").map(|value| value.to_str().unwrap());
            assert_eq!(connection, Some("close"), "the connection is not reused for the next post");
        }
        Err(err) => {
            assert!(err.is_request() && !err.is_timeout(), "refused by closing the connection: {err:?}")
        }
    }
    assert_eq!(interactions(&app).await, before, "refused posts change nothing");
    assert_eq!(recomputes(&app).await, 0);

    let (status, receipt) = post(&app, &body, Some(&sign(&secret, &body))).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt, json!({ "events": 1, "applied": 1 }));
    assert_eq!(interactions(&app).await, before + 1);
    let (status, problem) = post(&app, &body, Some(&sign(&secret, &body))).await;
    assert_eq!((status, problem["code"].as_str()), (StatusCode::CONFLICT, Some("webhook_replayed")));
    // The same comment in another body (Meta retrying with a new time) is acknowledged, once.
    let again = notification(&account, &media, "990000000001", "4242", now + 1);
    assert_eq!(
        post(&app, &again, Some(&sign(&secret, &again))).await.1,
        json!({ "events": 1, "applied": 0 })
    );
    let stranger = notification("17841499999999999", &media, "990000000003", "4242", now);
    assert_eq!(
        post(&app, &stranger, Some(&sign(&secret, &stranger))).await.1,
        json!({ "events": 1, "applied": 0 })
    );
    assert_eq!(interactions(&app).await, before + 1);
    assert_eq!(recomputes(&app).await, 1);

    let metrics = app.get("/metrics").await.text().await.unwrap();
    for (outcome, n) in
        [("missing_signature", 1), ("bad_signature", 4), ("replayed", 1), ("malformed", 1), ("accepted", 3)]
    {
        let line = format!("instacrush_webhook_requests_total{{outcome=\"{outcome}\"}} {n}");
        assert!(metrics.contains(&line), "{line} in\n{metrics}");
    }
}

/// The Instagram id of `username`'s newest post.
async fn newest_post(app: &TestApp, username: &str) -> String {
    let sql = "SELECT CAST(m.ig_id AS BIGINT) FROM instagram_media m JOIN instagram_users o ON o.id = m.owner_id \
               WHERE o.username = $1 AND o.user_id IS NOT NULL ORDER BY m.posted_at DESC LIMIT 1";
    scalar(app, sql, vec![username.into()]).await.to_string()
}

/// One comment change of a notification.
fn change(comment: &str, media: &str, author: &str) -> Value {
    json!({"field": "comments", "value": {"id": comment, "text": "batched", "from": {"id": author, "username": "batch"},
        "media": {"id": media, "media_product_type": "FEED"}}})
}

async fn a_batched_post_applies_every_entry_and_change(backend: Backend) {
    let app = app(backend).await;
    signed_in_and_synced(&app, "ada.demo").await;
    signed_in_and_synced(&app, "ben.demo").await;
    let secret = app.state.instagram.config().app_secret.expose().to_owned();
    let (ada_media, ben_media) = (newest_post(&app, "ada.demo").await, newest_post(&app, "ben.demo").await);
    let ada = super::sandbox_account(&app, "ada.demo").await["user_id"].as_str().unwrap().to_owned();
    let ben = super::sandbox_account(&app, "ben.demo").await["user_id"].as_str().unwrap().to_owned();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // Meta batches: several entries (one per account), each with several changes.
    let body = json!({"object": "instagram", "entry": [
        {"id": ada, "time": now, "changes": [change("990000000101", &ada_media, "5101"), change("990000000102", &ada_media, "5102")]},
        {"id": ben, "time": now, "changes": [change("990000000103", &ben_media, "5103")]},
        {"id": "17841499999999999", "time": now, "changes": [change("990000000104", &ada_media, "5104")]},
    ]})
    .to_string()
    .into_bytes();
    let before = interactions(&app).await;
    let (status, receipt) = post(&app, &body, Some(&sign(&secret, &body))).await;
    assert_eq!(status, StatusCode::OK, "{receipt}");
    assert_eq!(receipt, json!({ "events": 4, "applied": 3 }), "the stranger's is acknowledged, not applied");
    assert_eq!(interactions(&app).await, before + 3);
    let stored = "SELECT COUNT(*) FROM instagram_interactions WHERE ig_comment_id IN ('990000000101', '990000000102', '990000000103')";
    assert_eq!(scalar(&app, stored, vec![]).await, 3);
    assert_eq!(recomputes(&app).await, 2, "one recompute per owner");
}
