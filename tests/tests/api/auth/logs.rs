//! Secrets never reach the logs or response bodies. Runs the real `instacrush serve` binary
//! with debug logging and a fresh key file, signs in through its sandbox, uses every kind of
//! token, then searches everything it printed for each secret.

use std::{
    io::{BufRead as _, BufReader},
    process::{Child, Stdio},
    sync::{Arc, Mutex},
    time::Duration,
};

use instacrush::{
    auth::{
        Auth, KeySet, TokenCipher,
        session::{ACCESS_COOKIE, REFRESH_COOKIE, STATE_COOKIE},
    },
    entities::identity,
};
use instacrush_tests::{
    Backend, TestDatabase,
    auth::{Browser, location},
    instacrush_command,
    jobs::wait_until,
    on_both_backends,
};
use reqwest::StatusCode;
use sea_orm::EntityTrait as _;
use serde_json::{Value, json};

on_both_backends!(no_secret_reaches_the_logs_or_responses);

/// The server process, its output so far, and its URL.
struct Process {
    child: Child,
    output: Arc<Mutex<String>>,
}

impl Process {
    fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

/// Removes ANSI colour sequences.
fn plain(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' {
            for c in chars.by_ref() {
                if c.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn spawn_server(database_url: &str, key_file: &std::path::Path) -> Process {
    let mut child = instacrush_command()
        .args(["serve", "--listen-addr", "127.0.0.1:0", "--static-dir", "/nonexistent"])
        .env("DATABASE_URL", database_url)
        .env_remove("AUTH_KEYS")
        .env("AUTH_KEY_FILE", key_file)
        .env("RUST_LOG", "debug")
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let output = Arc::new(Mutex::new(String::new()));
    for stream in [
        Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
        Box::new(child.stderr.take().unwrap()),
    ] {
        let output = output.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                let mut output = output.lock().unwrap();
                output.push_str(&plain(&line));
                output.push('\n');
            }
        });
    }
    Process { child, output }
}

async fn base_url_of(process: &Process) -> String {
    wait_until(Duration::from_secs(30), "the server to listen", || async {
        process.output().contains("INFO listening addr=")
    })
    .await;
    let output = process.output();
    let line = output.lines().find(|line| line.contains("INFO listening addr=")).unwrap();
    let addr = line.split("addr=").nth(1).unwrap().split_whitespace().next().unwrap();
    format!("http://{addr}")
}

/// Every secret the flow handled, and every response body it read.
#[derive(Default)]
struct Seen {
    secrets: Vec<String>,
    bodies: String,
}

/// Signs in through the sandbox, noting the `state`, the code and the session cookies.
async fn sign_in(client: &reqwest::Client, browser: &Browser, seen: &mut Seen) {
    let response = browser.get("/api/auth/instagram?return_to=/crush").await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let authorize_url = location(&response);
    seen.secrets.push(browser.cookie(STATE_COOKIE).unwrap());
    let answer = client.get(format!("{authorize_url}&login_hint=ada.demo")).send().await.unwrap();
    let callback = location(&answer);
    seen.secrets.push(callback.split("code=").nth(1).unwrap().split('&').next().unwrap().to_owned());
    assert_eq!(location(&browser.get(&callback).await), "/crush");
    seen.secrets.push(browser.cookie(ACCESS_COOKIE).unwrap());
    seen.secrets.push(browser.cookie(REFRESH_COOKIE).unwrap());
    let refreshed = browser.post("/api/auth/refresh").await;
    assert_eq!(refreshed.status(), StatusCode::OK);
    seen.bodies.push_str(&refreshed.text().await.unwrap());
    seen.secrets.push(browser.cookie(ACCESS_COOKIE).unwrap());
    seen.secrets.push(browser.cookie(REFRESH_COOKIE).unwrap());
}

/// Creates an API token, exchanges it and calls the API with it (and with a forged JWT).
async fn use_an_api_token(client: &reqwest::Client, browser: &Browser, base_url: &str, seen: &mut Seen) {
    let created: Value =
        browser.post_json("/api/auth/api-tokens", &json!({"name": "ci"})).await.json().await.unwrap();
    let api_token = created["token"].as_str().unwrap().to_owned();
    let exchange = client.post(format!("{base_url}/api/auth/token")).json(&json!({"api_token": api_token}));
    let exchanged: Value = exchange.send().await.unwrap().json().await.unwrap();
    let jwt = exchanged["access_token"].as_str().unwrap().to_owned();
    let me = client.get(format!("{base_url}/api/users/me")).bearer_auth(&jwt).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    seen.bodies.push_str(&me.text().await.unwrap());
    seen.bodies.push_str(&browser.get("/api/auth/api-tokens").await.text().await.unwrap());
    let forged = client.get(format!("{base_url}/api/users/me")).bearer_auth(format!("{jwt}x")).send().await;
    let forged = forged.unwrap();
    assert_eq!(forged.status(), StatusCode::UNAUTHORIZED);
    seen.bodies.push_str(&forged.text().await.unwrap());
    seen.secrets.extend([api_token, jwt]);
}

/// The Instagram token the server stored, decrypted with the key file it generated.
async fn stored_instagram_token(database: &TestDatabase, key_file: &std::path::Path) -> String {
    assert!(key_file.exists(), "the server generated and persisted its keys");
    let keys = KeySet::load_or_create(key_file).unwrap();
    let db = sea_orm::Database::connect(database.url.as_str()).await.unwrap();
    let identity = identity::Entity::find().one(&db).await.unwrap().unwrap();
    db.close().await.ok();
    let context = Auth::token_context(&identity.provider, &identity.uid);
    let cipher = TokenCipher::new(&keys.token_encryption_key).unwrap();
    cipher.decrypt(identity.access_token_encrypted.as_deref().unwrap(), &context).unwrap()
}

async fn no_secret_reaches_the_logs_or_responses(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join(".instacrush/keys.json");
    let process = spawn_server(database.url.as_str(), &key_file);
    let base_url = base_url_of(&process).await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let browser = Browser::new(client.clone(), &base_url);
    let mut seen = Seen::default();
    sign_in(&client, &browser, &mut seen).await;
    use_an_api_token(&client, &browser, &base_url, &mut seen).await;
    seen.secrets.push(stored_instagram_token(&database, &key_file).await);

    let logs = process.output();
    assert!(logs.contains("signed in with Instagram"), "the logs were captured:\n{logs}");
    assert!(logs.contains("access token refused"), "debug logs included:\n{logs}");
    for secret in &seen.secrets {
        assert!(secret.len() >= 16, "{secret}");
        assert!(!logs.contains(secret.as_str()), "a secret reached the logs:\n{logs}");
        assert!(!seen.bodies.contains(secret.as_str()), "a secret reached a response body: {}", seen.bodies);
    }
}
