//! The server's own defences, seen from outside: bounded metric labels and guarded
//! `/metrics`, slow clients cut off, security headers on every kind of answer (the web app and
//! the API reference working under their policy), and control characters refused wherever text
//! comes in (NUL used to be a 500 on PostgreSQL).

use std::time::{Duration, Instant};

use instacrush::{
    app::Server,
    auth::{AuthConfig, KeySet},
    config::{DatabaseConfig, HttpConfig, ProcessConfig, ServeConfig},
};
use instacrush_tests::{Backend, TestApp, on_both_backends};
use reqwest::{Method, StatusCode, header};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

on_both_backends!(
    invented_methods_share_one_series,
    metrics_can_require_a_token,
    metrics_can_have_an_address_of_their_own,
    a_client_that_never_finishes_its_headers_is_disconnected,
    security_headers_are_on_every_answer,
    the_api_reference_runs_only_same_origin_scripts,
    signed_in_api_answers_are_not_stored,
    control_characters_are_refused_in_bodies_paths_and_queries,
);

async fn invented_methods_share_one_series(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for invented in ["BREW", &"X".repeat(5000)] {
        let method = Method::from_bytes(invented.as_bytes()).unwrap();
        app.client.request(method, app.url("/healthz")).send().await.unwrap();
    }
    let text = app.get("/metrics").await.text().await.unwrap();
    assert!(
        text.contains(r#"instacrush_http_requests_total{method="other",route="/healthz",status="405"} 2"#),
        "{text}"
    );
    assert!(!text.contains("BREW") && !text.contains("XXXX"), "no label is what the client wrote");
}

async fn metrics_can_require_a_token(backend: Backend) {
    let app =
        TestApp::spawn_with(backend, |config| config.http.metrics_token = Some("scrape-me".into())).await;
    let anonymous = app.get("/metrics").await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(anonymous.headers()[header::WWW_AUTHENTICATE], "Bearer");
    assert_eq!(anonymous.json::<Value>().await.unwrap()["code"], "metrics_token_required");
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("scrape-you").send().await.unwrap();
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let scraper = app.client.get(app.url("/metrics")).bearer_auth("scrape-me").send().await.unwrap();
    assert_eq!(scraper.status(), StatusCode::OK);
    assert!(scraper.text().await.unwrap().contains("instacrush_http_requests_total"));
}

async fn metrics_can_have_an_address_of_their_own(backend: Backend) {
    let database = instacrush_tests::TestDatabase::create(backend).await;
    let mut process = ProcessConfig::new(DatabaseConfig::new(database.url.clone()));
    process.auth = AuthConfig::with_keys(KeySet::generate());
    process.worker.concurrency = 0;
    let mut http = HttpConfig::ephemeral();
    http.metrics_addr = Some(([127, 0, 0, 1], 0).into());
    let config = ServeConfig { process, http, no_migrate: false };
    let server = Server::build(config).await.unwrap();
    let (addr, metrics_addr) = (server.local_addr().unwrap(), server.metrics_addr().unwrap());
    let shutdown = tokio_util::sync::CancellationToken::new();
    tokio::spawn(server.run(shutdown.clone()));
    let client = reqwest::Client::new();
    let on_api = client.get(format!("http://{addr}/metrics")).send().await.unwrap();
    assert_eq!(on_api.status(), StatusCode::NOT_FOUND, "not beside the API");
    let own = client.get(format!("http://{metrics_addr}/metrics")).send().await.unwrap();
    assert_eq!(own.status(), StatusCode::OK);
    assert!(own.text().await.unwrap().contains("# TYPE"));
    shutdown.cancel();
}

async fn a_client_that_never_finishes_its_headers_is_disconnected(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| config.http.header_read_timeout_secs = 1).await;
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Slow: ").await.unwrap();
    let started = Instant::now();
    let mut buffer = Vec::new();
    // The server closes the connection (after a 408 or nothing): the read ends.
    let read = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut buffer)).await;
    assert!(read.is_ok(), "the connection is still open after 10 s");
    assert!(started.elapsed() < Duration::from_secs(5), "cut off after about the timeout");
    // A client that finishes its headers in time is served.
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
}

/// A built web app: `index.html` with an inline style and a script file.
fn built_app() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let index = "<!doctype html><html><head><!--page-head--><title>Instacrush</title><!--/page-head-->\
                 <style>html{background:#fdf7f9}</style></head><body><div id=\"root\"></div>\
                 <script type=\"module\" src=\"/assets/index-B4x9Qk2a.js\"></script></body></html>";
    std::fs::write(dir.path().join("index.html"), index).unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/index-B4x9Qk2a.js"), "console.log(1)").unwrap();
    dir
}

fn csp(response: &reqwest::Response) -> String {
    response.headers()[header::CONTENT_SECURITY_POLICY].to_str().unwrap().to_owned()
}

async fn security_headers_are_on_every_answer(backend: Backend) {
    let dir = built_app();
    let static_dir = dir.path().to_owned();
    let app = TestApp::spawn_with(backend, move |config| config.http.static_dir = static_dir).await;
    for path in ["/", "/crush/nobody", "/assets/index-B4x9Qk2a.js", "/api/users/me", "/api/nope", "/healthz"]
    {
        let response = app.get(path).await;
        let policy = csp(&response);
        assert!(policy.contains("script-src 'self';"), "{path}: {policy}");
        assert!(policy.contains("frame-ancestors 'none'"), "{path}: {policy}");
        assert!(!policy.contains("unsafe-eval"), "{path}");
        let headers = response.headers();
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff", "{path}");
        assert_eq!(headers[header::REFERRER_POLICY], "no-referrer", "{path}");
        assert!(headers["permissions-policy"].to_str().unwrap().contains("camera=()"), "{path}");
        assert!(!headers.contains_key(header::STRICT_TRANSPORT_SECURITY), "{path}: plain http has no HSTS");
    }
    // The web app's page loads its script as a same-origin file, which the policy allows.
    let page = app.get("/").await.text().await.unwrap();
    assert!(page.contains(r#"<script type="module" src="/assets/"#), "{page}");
    assert!(!page.contains("<script>"), "no inline script for the policy to block");

    let https = TestApp::spawn_with(Backend::Sqlite, |config| {
        config.http.public_url = Some("https://instacrush.example".parse().unwrap());
    })
    .await;
    let hsts = https.get("/healthz").await;
    assert_eq!(hsts.headers()[header::STRICT_TRANSPORT_SECURITY], "max-age=31536000; includeSubDomains");
}

async fn the_api_reference_runs_only_same_origin_scripts(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), StatusCode::OK);
    assert!(csp(&docs).contains("script-src 'self';"));
    let html = docs.text().await.unwrap();
    let scripts: Vec<&str> = html.split("<script").skip(1).collect();
    assert!(!scripts.is_empty(), "{html}");
    for script in scripts {
        let (attributes, rest) = script.split_once('>').unwrap();
        let body = rest.split("</script>").next().unwrap();
        assert!(body.trim().is_empty(), "inline script would be blocked: {body}");
        let src = attributes.split("src=\"").nth(1).unwrap().split('"').next().unwrap();
        assert!(!src.contains("://"), "same origin: {src}");
        let file = app.get(&format!("/api/docs/{}", src.trim_start_matches("./"))).await;
        assert_eq!(file.status(), StatusCode::OK, "{src}");
    }
    let initializer = app.get("/api/docs/swagger-initializer.js").await.text().await.unwrap();
    assert!(initializer.contains("/api/openapi.json"), "{initializer}");
    // What the page fetches, from this origin (`connect-src 'self'`).
    assert_eq!(app.get("/api/openapi.json").await.status(), StatusCode::OK);
}

async fn signed_in_api_answers_are_not_stored(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    let me = browser.get("/api/users/me").await;
    assert_eq!(me.status(), StatusCode::OK);
    assert_eq!(me.headers()[header::CACHE_CONTROL], "no-store");
    let created = browser.post_json("/api/auth/api-tokens", &json!({"name": "cli"})).await;
    assert_eq!(created.headers()[header::CACHE_CONTROL], "no-store");
    let created: Value = created.json().await.unwrap();
    let token = created["token"].as_str().unwrap_or_else(|| panic!("{created}")).to_owned();
    let with_token = app.client.get(app.url("/api/users/me")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(with_token.headers()[header::CACHE_CONTROL], "no-store");
    // An anonymous answer (here a public crush page's) keeps its own caching.
    assert_ne!(
        app.get("/api/crush/nobody").await.headers().get(header::CACHE_CONTROL).map(|v| v.to_str().unwrap()),
        Some("no-store")
    );
}

async fn control_characters_are_refused_in_bodies_paths_and_queries(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let browser = app.sign_in("ada.demo").await;
    for name in ["nul\u{0}", "bell\u{7}", "line\nbreak", "c1\u{85}"] {
        let response = browser.post_json("/api/auth/api-tokens", &json!({ "name": name })).await;
        assert_eq!(response.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name:?}");
        assert_eq!(response.json::<Value>().await.unwrap()["code"], "invalid_characters");
    }
    for path in [
        "/api/crush/ab%00cd",
        "/crush/ab%00cd",
        "/api/users/me/interactors/1%00/comments",
        "/api/users/me/top-posts?limit=5%00",
    ] {
        let response = browser.get(path).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{path}");
        assert_eq!(response.json::<Value>().await.unwrap()["code"], "invalid_characters", "{path}");
    }
    let long = browser.get(&format!("/api/crush/{}", "a".repeat(9000))).await;
    assert_eq!(long.status(), StatusCode::URI_TOO_LONG);
    // Ordinary text still goes through.
    let fine = browser.post_json("/api/auth/api-tokens", &json!({ "name": "Zoë’s laptop" })).await;
    assert_eq!(fine.status(), StatusCode::CREATED);
}
