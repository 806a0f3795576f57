//! The Instagram client against wiremock: every error class, token hygiene, OAuth shapes, and
//! cursor paging (media, comments, nested reply pages) followed to the end exactly once.

use std::time::Duration;

use instacrush::instagram::{AccessToken, ErrorKind, InstagramClient, InstagramConfig, InstagramError};
use serde_json::{Value, json};
use wiremock::matchers::{body_string_contains, method, path, query_param};
use wiremock::{Mock, MockServer, ResponseTemplate};

pub(crate) const TOKEN: &str = "IGAAsecret-token-123";
pub(crate) const VERSION: &str = "v26.0";

/// A client making exactly one call per request (these tests count calls), or `retries` more
/// for a read that failed transiently.
pub(crate) fn client_with_retries(server: &MockServer, retries: u32) -> InstagramClient {
    let config = InstagramConfig {
        app_id: "app-1".into(),
        timeout_secs: 1,
        call_retries: retries,
        ..InstagramConfig::for_sandbox(&server.uri())
    };
    InstagramClient::new(config).unwrap()
}

pub(crate) fn client(server: &MockServer) -> InstagramClient {
    client_with_retries(server, 0)
}

pub(crate) fn token() -> AccessToken {
    AccessToken::new(TOKEN)
}

fn graph_error(code: i64, subcode: Option<i64>) -> Value {
    let mut error = json!({"message": "boom", "type": "OAuthException", "code": code, "fbtrace_id": "AbC"});
    if let Some(sub) = subcode {
        error["error_subcode"] = sub.into();
    }
    json!({ "error": error })
}

/// Mounts `response` for `GET /me` and returns the client's error.
async fn profile_error(response: ResponseTemplate) -> InstagramError {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{VERSION}/me")))
        .respond_with(response)
        .mount(&server)
        .await;
    let error = client(&server).profile(&token()).await.unwrap_err();
    let shown = format!("{error} {error:?}");
    assert!(!shown.contains(TOKEN), "token leaked: {shown}");
    error
}

#[tokio::test]
async fn profile_is_read_with_the_token_and_usage_is_exposed() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{VERSION}/me")))
        .and(query_param("access_token", TOKEN))
        .and(query_param("fields", instacrush::instagram::PROFILE_FIELDS))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(
                    json!({"id": "1", "user_id": 17841400000000001_u64, "username": "ada", "media_count": 3}),
                )
                .insert_header("x-app-usage", r#"{"call_count":12,"total_time":3,"total_cputime":4}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let profile = client.profile(&token()).await.unwrap();
    assert_eq!(profile.user_id, "17841400000000001");
    assert_eq!(profile.media_count, Some(3));
    let usage = client.last_usage().unwrap();
    assert_eq!((usage.call_count, usage.total_time, usage.total_cputime), (12, 3, 4));
}

#[tokio::test]
async fn code_190_and_permission_errors_need_reauth() {
    for (code, sub) in [(190, Some(463)), (190, Some(460)), (190, None), (102, None), (200, None)] {
        let e = profile_error(ResponseTemplate::new(400).set_body_json(graph_error(code, sub))).await;
        assert_eq!(e.kind(), ErrorKind::NeedsReauth, "code {code}");
        assert_eq!(e.api_error().and_then(|a| a.code), Some(code));
    }
}

#[tokio::test]
async fn throttling_codes_wait_as_the_usage_headers_say() {
    for code in [4, 17, 32, 613, 80002] {
        let e = profile_error(
            ResponseTemplate::new(400).set_body_json(graph_error(code, None)).insert_header(
                "x-business-use-case-usage",
                r#"{"1784":[{"type":"instagram","call_count":100,"total_cputime":20,"total_time":20,"estimated_time_to_regain_access":3}]}"#,
            ),
        )
        .await;
        assert_eq!(e.kind(), ErrorKind::Throttled { retry_after: Duration::from_secs(180) }, "code {code}");
    }
}

#[tokio::test]
async fn http_429_without_body_is_throttled_for_retry_after() {
    let e = profile_error(ResponseTemplate::new(429).insert_header("retry-after", "7")).await;
    assert_eq!(e.kind(), ErrorKind::Throttled { retry_after: Duration::from_secs(7) });
    let e = profile_error(ResponseTemplate::new(429)).await;
    assert_eq!(e.kind(), ErrorKind::Throttled { retry_after: instacrush::instagram::DEFAULT_THROTTLE_WAIT });
}

#[tokio::test]
async fn server_errors_and_transient_codes_are_transient() {
    let e = profile_error(ResponseTemplate::new(500).set_body_json(graph_error(2, None))).await;
    assert_eq!(e.kind(), ErrorKind::Transient);
    let e = profile_error(ResponseTemplate::new(503).set_body_string("<html>down</html>")).await;
    assert_eq!(e.kind(), ErrorKind::Transient);
    assert!(matches!(e, InstagramError::Status { status: 503, .. }), "{e:?}");
}

#[tokio::test]
async fn a_slow_answer_times_out_as_transient() {
    let e = profile_error(ResponseTemplate::new(200).set_delay(Duration::from_secs(3))).await;
    assert!(matches!(e, InstagramError::Timeout { .. }), "{e:?}");
    assert_eq!(e.kind(), ErrorKind::Transient);
}

#[tokio::test]
async fn an_unreachable_host_is_transient_and_does_not_leak_the_token() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let config =
        InstagramConfig { timeout_secs: 1, ..InstagramConfig::for_sandbox(&format!("http://{addr}")) };
    let e = InstagramClient::new(config).unwrap().profile(&token()).await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Transient);
    let shown = format!("{e} {e:?}");
    assert!(!shown.contains(TOKEN), "{shown}");
}

#[tokio::test]
async fn other_client_errors_are_permanent() {
    let e = profile_error(ResponseTemplate::new(400).set_body_json(graph_error(100, Some(33)))).await;
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert!(e.to_string().contains("(#100/33)"), "{e}");
    let e = profile_error(ResponseTemplate::new(404).set_body_string("not here")).await;
    assert_eq!(e.kind(), ErrorKind::Permanent);
}

#[tokio::test]
async fn a_body_that_does_not_parse_is_permanent_with_a_scrubbed_snippet() {
    let body = format!(r#"{{"id":"1","username":"ada","next":"https://x/?access_token={TOKEN}&a=1"#);
    let e = profile_error(ResponseTemplate::new(200).set_body_string(body)).await;
    assert_eq!(e.kind(), ErrorKind::Permanent);
    let InstagramError::Decode { snippet, .. } = &e else { panic!("{e:?}") };
    assert!(snippet.contains("ada") && !snippet.contains(TOKEN), "{snippet}");
}

#[tokio::test]
async fn code_exchange_strips_the_fragment_and_reads_both_shapes() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .and(body_string_contains("grant_type=authorization_code"))
        .and(body_string_contains("client_id=app-1"))
        .and(body_string_contains("redirect_uri=https%3A%2F%2Fapp%2Fcb"))
        .and(body_string_contains("code=AQBx"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"access_token": "short-1", "user_id": 17841400000000001_u64, "permissions": ["instagram_business_basic"]}),
        ))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": [
            {"access_token": "short-2", "user_id": "42", "permissions": "instagram_business_basic,instagram_business_manage_comments"}
        ]})))
        .mount(&server)
        .await;
    let client = client(&server);
    let first = client.exchange_code("AQBx#_", "https://app/cb").await.unwrap();
    assert_eq!((first.token.expose(), first.user_id.as_str()), ("short-1", "17841400000000001"));
    assert_eq!(first.permissions, ["instagram_business_basic"]);
    let second = client.exchange_code("AQBy", "https://app/cb").await.unwrap();
    assert_eq!((second.token.expose(), second.user_id.as_str()), ("short-2", "42"));
    assert_eq!(second.permissions.len(), 2);
    let requests = server.received_requests().await.unwrap();
    let body = String::from_utf8_lossy(&requests[0].body).into_owned();
    assert!(body.ends_with("code=AQBx"), "{body}");
}

#[tokio::test]
async fn an_invalid_code_is_a_permanent_oauth_error() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/oauth/access_token"))
        .respond_with(ResponseTemplate::new(400).set_body_json(
            json!({"error_type": "OAuthException", "code": 400, "error_message": "Matching code was not found or was already used"}),
        ))
        .mount(&server)
        .await;
    let e = client(&server).exchange_code("used", "https://app/cb").await.unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Permanent);
    assert!(e.to_string().contains("already used"), "{e}");
}

#[tokio::test]
async fn long_lived_exchange_and_refresh_send_the_right_grants() {
    let server = MockServer::start().await;
    let body = json!({"access_token": "long-1", "token_type": "bearer", "expires_in": 5_183_944});
    Mock::given(method("GET"))
        .and(path("/access_token"))
        .and(query_param("grant_type", "ig_exchange_token"))
        .and(query_param("client_secret", "sandbox-secret"))
        .and(query_param("access_token", TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path("/refresh_access_token"))
        .and(query_param("grant_type", "ig_refresh_token"))
        .and(query_param("access_token", "long-1"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&body))
        .expect(1)
        .mount(&server)
        .await;
    let client = client(&server);
    let long = client.long_lived(&token()).await.unwrap();
    assert_eq!(long.expires_in, Duration::from_secs(5_183_944));
    let refreshed = client.refresh(&long.token).await.unwrap();
    assert_eq!(refreshed.token.expose(), "long-1");
}

#[tokio::test]
async fn authorize_url_carries_every_parameter() {
    let server = MockServer::start().await;
    let url = client(&server).authorize_url("st4te", "https://app/cb");
    assert_eq!(url.path(), "/oauth/authorize");
    let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "app-1");
    assert_eq!(q["redirect_uri"], "https://app/cb");
    assert_eq!(q["response_type"], "code");
    assert_eq!(q["scope"], "instagram_business_basic,instagram_business_manage_comments");
    assert_eq!(q["state"], "st4te");
}

mod paging;

#[tokio::test]
async fn the_observer_sees_every_call_with_its_outcome_and_usage() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path(format!("/{VERSION}/me")))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"id": "1", "user_id": "2", "username": "a"})),
        )
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(path(format!("/{VERSION}/me")))
        .respond_with(
            ResponseTemplate::new(400)
                .set_body_json(graph_error(4, None))
                .insert_header("x-app-usage", r#"{"call_count":100,"total_time":1,"total_cputime":1}"#),
        )
        .mount(&server)
        .await;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let sink = seen.clone();
    let config = InstagramConfig { timeout_secs: 1, ..InstagramConfig::for_sandbox(&server.uri()) };
    let observer: instacrush::instagram::CallObserver =
        std::sync::Arc::new(move |call| sink.lock().unwrap().push(call.clone()));
    let client = InstagramClient::with_observer(config, observer).unwrap();
    client.profile(&token()).await.unwrap();
    client.profile(&token()).await.unwrap_err();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!((seen[0].endpoint, seen[0].status, seen[0].error), ("GET /me", Some(200), None));
    let throttled = ErrorKind::Throttled { retry_after: instacrush::instagram::SATURATED_THROTTLE_WAIT };
    assert_eq!((seen[1].status, seen[1].error), (Some(400), Some(throttled)));
    assert_eq!(seen[1].usage.map(|u| u.call_count), Some(100));
}
