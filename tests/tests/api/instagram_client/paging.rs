//! Cursor paging against wiremock: `paging.next` links followed to the end, each page fetched
//! once, nested reply pages completed, a failed page retried, foreign links refused.

use instacrush::instagram::{ErrorKind, InstagramError};
use serde_json::{Value, json};
use wiremock::matchers::{method, path, query_param, query_param_is_missing};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{TOKEN, VERSION, client, client_with_retries, token};

fn media(ids: &[u32]) -> Vec<Value> {
    ids.iter()
        .map(|i| json!({"id": i.to_string(), "caption": format!("post {i}"), "timestamp": "2026-01-01T10:00:00+0000"}))
        .collect()
}

fn page(data: Vec<Value>, next: Option<String>) -> Value {
    let mut paging = json!({"cursors": {"before": "b", "after": "a"}});
    if let Some(next) = next {
        paging["next"] = next.into();
    }
    json!({"data": data, "paging": paging})
}

async fn mount_get(server: &MockServer, p: &str, after: Option<&str>, body: Value) {
    let mock = Mock::given(method("GET")).and(path(p)).and(query_param("access_token", TOKEN));
    let mock = match after {
        Some(a) => mock.and(query_param("after", a)),
        None => mock.and(query_param_is_missing("after")),
    };
    mock.respond_with(ResponseTemplate::new(200).set_body_json(body)).expect(1).mount(server).await;
}

#[tokio::test]
async fn media_pages_follow_next_links_to_the_end_exactly_once() {
    let server = MockServer::start().await;
    let base = format!("{}/{VERSION}/me/media", server.uri());
    let link = |after: &str| Some(format!("{base}?fields=id&limit=3&access_token={TOKEN}&after={after}"));
    mount_get(&server, &format!("/{VERSION}/me/media"), None, page(media(&[1, 2, 3]), link("c1"))).await;
    mount_get(&server, &format!("/{VERSION}/me/media"), Some("c1"), page(media(&[4, 5, 6]), link("c2")))
        .await;
    mount_get(&server, &format!("/{VERSION}/me/media"), Some("c2"), page(media(&[7]), None)).await;

    let mut pages = client(&server).media_pages(&token(), 3);
    let mut ids = Vec::new();
    while let Some(items) = pages.next_page().await {
        ids.extend(items.unwrap().into_iter().map(|m| m.id));
    }
    assert_eq!(ids, ["1", "2", "3", "4", "5", "6", "7"]);
    assert_eq!(pages.pages_fetched(), 3);
    assert!(pages.next_page().await.is_none());
    for request in server.received_requests().await.unwrap() {
        let tokens = request.url.query_pairs().filter(|(k, _)| k == "access_token").count();
        assert_eq!(tokens, 1, "{}", request.url.path());
    }
}

#[tokio::test]
async fn comments_come_with_every_reply_across_nested_reply_pages() {
    let server = MockServer::start().await;
    let uri = server.uri();
    let reply = |id: &str, who: &str| json!({"id": id, "text": "re", "timestamp": "2026-01-01T11:00:00+0000", "from": {"id": format!("u-{who}"), "username": who}});
    let c1 = json!({
        "id": "c1", "text": "first", "timestamp": "2026-01-01T10:00:00+0000",
        "from": {"id": "u-mila", "username": "mila"},
        "replies": {"data": [reply("r1", "ada"), reply("r2", "mila")],
                    "paging": {"next": format!("{uri}/{VERSION}/c1/replies?fields=id&access_token={TOKEN}&after=r2c")}},
    });
    let c2 = json!({"id": "c2", "text": "second", "from": {"id": 17841400000001000_u64, "username": "theo"}});
    let comments_path = format!("/{VERSION}/m1/comments");
    let next = format!("{uri}{comments_path}?fields=id&access_token={TOKEN}&after=p2");
    mount_get(&server, &comments_path, None, page(vec![c1, c2], Some(next))).await;
    mount_get(&server, &format!("/{VERSION}/c1/replies"), Some("r2c"), page(vec![reply("r3", "mila")], None))
        .await;
    let c3 = json!({"id": "c3", "text": "third", "replies": {"data": []}});
    mount_get(&server, &comments_path, Some("p2"), page(vec![c3], None)).await;

    let comments = client(&server).comments(&token(), "m1").collect_all().await.unwrap();
    let ids: Vec<&str> = comments.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(ids, ["c1", "c2", "c3"]);
    let replies: Vec<&str> = comments[0].replies.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(replies, ["r1", "r2", "r3"]);
    assert_eq!(comments[0].from.as_ref().and_then(|f| f.username.as_deref()), Some("mila"));
    assert_eq!(comments[0].timestamp.map(|t| t.unix_timestamp()), Some(1_767_261_600));
    assert_eq!(comments[1].from.as_ref().map(|f| f.id.as_str()), Some("17841400000001000"));
    assert!(comments[1].replies.is_empty() && comments[2].replies.is_empty());
}

#[tokio::test]
async fn a_failed_page_is_retried_by_calling_next_page_again() {
    let server = MockServer::start().await;
    let p = format!("/{VERSION}/me/media");
    Mock::given(method("GET"))
        .and(path(&p))
        .respond_with(ResponseTemplate::new(502))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&p))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(media(&[9]), None)))
        .mount(&server)
        .await;
    let mut pages = client(&server).media_pages(&token(), 10);
    let first = pages.next_page().await.unwrap().unwrap_err();
    assert_eq!(first.kind(), ErrorKind::Transient);
    let retried = pages.next_page().await.unwrap().unwrap();
    assert_eq!(retried.len(), 1);
    assert!(pages.next_page().await.is_none());
}

#[tokio::test]
async fn a_transient_failure_is_retried_at_the_call_and_a_persistent_one_is_not_hidden() {
    let server = MockServer::start().await;
    let p = format!("/{VERSION}/me/media");
    Mock::given(method("GET"))
        .and(path(&p))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .with_priority(1)
        .expect(2)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(&p))
        .respond_with(ResponseTemplate::new(200).set_body_json(page(media(&[9]), None)))
        .expect(1)
        .mount(&server)
        .await;
    let items = client_with_retries(&server, 2).media_pages(&token(), 10).collect_all().await.unwrap();
    assert_eq!(items.len(), 1, "two 503s then the page, within one next_page");

    let down = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(503)).expect(3).mount(&down).await;
    let err = client_with_retries(&down, 2).media_pages(&token(), 10).collect_all().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Transient, "after three tries the failure reaches the caller");
}

#[tokio::test]
async fn refusals_and_throttling_are_not_retried_at_the_call() {
    let server = MockServer::start().await;
    let throttled = json!({"error": {"message": "limit", "type": "OAuthException", "code": 4}});
    Mock::given(method("GET"))
        .respond_with(ResponseTemplate::new(400).set_body_json(throttled))
        .expect(1)
        .mount(&server)
        .await;
    let err = client_with_retries(&server, 2).media_pages(&token(), 10).collect_all().await.unwrap_err();
    assert!(matches!(err.kind(), ErrorKind::Throttled { .. }), "{err:?}");
}

#[tokio::test]
async fn a_next_link_to_another_origin_is_refused_and_never_called() {
    let server = MockServer::start().await;
    let elsewhere = MockServer::start().await;
    Mock::given(method("GET")).respond_with(ResponseTemplate::new(200)).expect(0).mount(&elsewhere).await;
    let next = format!("{}/{VERSION}/me/media?access_token={TOKEN}&after=x", elsewhere.uri());
    mount_get(&server, &format!("/{VERSION}/me/media"), None, page(media(&[1]), Some(next))).await;

    let e = client(&server).media_pages(&token(), 5).collect_all().await.unwrap_err();
    assert!(matches!(e, InstagramError::UntrustedLink { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Permanent);
}
