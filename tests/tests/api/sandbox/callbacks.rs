//! Meta's deauthorize and data-deletion callbacks, sent by the sandbox to a stand-in app: a form
//! POST of a `signed_request` the app's own verifier accepts with the app secret, carrying the
//! app-scoped id in strict mode; the person's tokens stop working.

use instacrush::auth::signed_request;
use instacrush::instagram::ErrorKind;
use instagram_sandbox::SandboxConfig;
use serde_json::{Value, json};
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{accounts, admin, client_for, lenient, mint, set_knobs, start, strict};

const SECRET: &str = "callback-s3cret";

/// A stand-in app answering both callbacks as Instacrush does.
async fn app() -> MockServer {
    let app = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/meta/deauthorize"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({})))
        .mount(&app)
        .await;
    let status = json!({ "url": "https://app.example/deletion?id=1", "confirmation_code": "c0de" });
    Mock::given(method("POST"))
        .and(path("/api/meta/data-deletion"))
        .respond_with(ResponseTemplate::new(200).set_body_json(status))
        .mount(&app)
        .await;
    app
}

/// The `signed_request` of the last form the stand-in app received, verified with the secret.
async fn last_signed_request(app: &MockServer) -> signed_request::SignedRequest {
    let received = app.received_requests().await.unwrap();
    let last = received.last().unwrap();
    assert_eq!(last.headers["content-type"], "application/x-www-form-urlencoded");
    let form: Vec<(String, String)> = url::form_urlencoded::parse(&last.body).into_owned().collect();
    let (_, signed) = form.iter().find(|(k, _)| k == "signed_request").unwrap();
    signed_request::verify(signed, SECRET).unwrap()
}

#[tokio::test]
async fn deauthorize_sends_a_signed_request_with_the_app_scoped_id_in_strict_mode() {
    let app = app().await;
    let sandbox = start(SandboxConfig { app_secret: SECRET.into(), ..strict() }).await;
    let client = client_for(&sandbox);
    let token = mint(&sandbox, "ada.demo").await;
    client.profile(&token).await.unwrap();
    let ada = &accounts(&sandbox).await["ada.demo"];
    let url = format!("{}/api/meta/deauthorize", app.uri());
    let (status, sent) =
        admin(&sandbox, "POST", "/_sandbox/accounts/ada.demo/deauthorize", Some(json!({ "url": url }))).await;
    assert_eq!((status, sent["status"].as_u64()), (200, Some(200)), "{sent}");

    let request = last_signed_request(&app).await;
    assert_eq!(request.algorithm, "HMAC-SHA256");
    assert_eq!(Some(request.user_id.as_str()), ada["app_scoped_id"].as_str());
    assert_ne!(Some(request.user_id.as_str()), ada["user_id"].as_str());
    let issued_at = request.issued_at.unwrap();
    assert!((issued_at - time::OffsetDateTime::now_utc().unix_timestamp()).abs() < 60, "{issued_at}");
    assert!(signed_request::verify(sent["signed_request"].as_str().unwrap(), "another secret").is_err());
    assert_eq!(client.profile(&token).await.unwrap_err().kind(), ErrorKind::NeedsReauth);
}

#[tokio::test]
async fn data_deletion_goes_to_the_configured_url_and_relays_the_confirmation() {
    let app = app().await;
    let sandbox = start(SandboxConfig { app_secret: SECRET.into(), ..lenient() }).await;
    let (status, body) = admin(&sandbox, "POST", "/_sandbox/accounts/cleo.demo/data-deletion", None).await;
    assert_eq!(status, 400, "no URL configured yet: {body}");
    set_knobs(&sandbox, json!({ "data_deletion_url": format!("{}/api/meta/data-deletion", app.uri()) }))
        .await;
    let (status, sent) = admin(&sandbox, "POST", "/_sandbox/accounts/cleo.demo/data-deletion", None).await;
    assert_eq!(status, 200, "{sent}");
    assert_eq!(sent["response"]["confirmation_code"], "c0de");
    // Lenient mode sends the user id the app has always matched.
    let cleo: Value = accounts(&sandbox).await["cleo.demo"].clone();
    assert_eq!(Some(last_signed_request(&app).await.user_id.as_str()), cleo["user_id"].as_str());
    let (status, _) = admin(&sandbox, "POST", "/_sandbox/accounts/nobody/data-deletion", None).await;
    assert_eq!(status, 404);
}
