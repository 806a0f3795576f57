//! The `instacrush` binary fails on bad configuration with one clear line.

use std::process::Command;

fn instacrush() -> Command {
    instacrush_tests::instacrush_command()
}

fn assert_one_clear_line(output: &std::process::Output, expected: &str) {
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains(expected), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("backtrace"), "{stderr}");
    assert!(stderr.trim().lines().count() <= 4, "short: {stderr}");
}

#[test]
fn an_unsupported_database_url_is_refused() {
    let output =
        instacrush().args(["migrate", "--database-url", "mysql://root:hunter2@db/x"]).output().unwrap();
    assert_eq!(output.status.code(), Some(2), "a usage error");
    assert_one_clear_line(&output, "expected a sqlite:// or postgres:// URL");
    assert!(!String::from_utf8_lossy(&output.stderr).contains("hunter2"));
}

#[test]
fn an_unreachable_database_is_one_line() {
    let output = instacrush()
        .args(["migrate", "--database-acquire-timeout-secs", "2"])
        .env("DATABASE_URL", "postgres://nobody:pw@127.0.0.1:9/nothing")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_one_clear_line(
        &output,
        "instacrush: cannot open the database at postgres://nobody:***@127.0.0.1:9/nothing",
    );
}

#[test]
fn a_busy_port_is_one_line() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
    let output =
        instacrush().args(["serve", "--listen-addr", &addr, "--database-url", &url]).output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert_one_clear_line(&output, &format!("instacrush: cannot listen on {addr}"));
}

#[test]
fn openapi_prints_yaml() {
    let output = instacrush().arg("openapi").output().unwrap();
    assert!(output.status.success());
    let yaml = String::from_utf8(output.stdout).unwrap();
    assert!(yaml.starts_with("openapi: 3.1"), "{yaml}");
}

/// A `serve` process on a fresh SQLite file, with `env` set; stopped when dropped.
struct Served {
    child: std::process::Child,
    url: String,
    _dir: tempfile::TempDir,
}

impl Served {
    fn start(env: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let database = format!("sqlite://{}?mode=rwc", dir.path().join("x.db").display());
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut command = instacrush();
        command
            .args(["serve", "--listen-addr", &format!("127.0.0.1:{port}"), "--database-url", &database])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        for (name, value) in env {
            command.env(name, value);
        }
        Self { child: command.spawn().unwrap(), url: format!("http://127.0.0.1:{port}"), _dir: dir }
    }

    /// `GET path` once the server listens.
    async fn get(&self, path: &str) -> reqwest::Response {
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
        for _ in 0..300 {
            if let Ok(response) = client.get(format!("{}{path}", self.url)).send().await {
                return response;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        panic!("the server never answered {path}");
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        self.child.kill().ok();
        self.child.wait().ok();
    }
}

#[tokio::test]
async fn no_migrate_takes_the_usual_spellings_of_true() {
    for value in ["1", "true", "yes"] {
        let served = Served::start(&[("NO_MIGRATE", value)]);
        let ready = served.get("/readyz").await;
        assert_eq!(ready.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE, "NO_MIGRATE={value}");
        let problem: serde_json::Value = ready.json().await.unwrap();
        assert!(problem["detail"].as_str().unwrap().contains("pending"), "NO_MIGRATE={value}: {problem}");
    }
    let served = Served::start(&[("NO_MIGRATE", "0")]);
    assert_eq!(served.get("/readyz").await.status(), reqwest::StatusCode::OK, "NO_MIGRATE=0 migrates");
}

#[tokio::test]
async fn instagram_base_urls_without_an_app_use_a_sandbox_run_on_its_own() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut sandbox = instacrush()
        .args(["sandbox", "--port", &port.to_string()])
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let sandbox_url = format!("http://127.0.0.1:{port}");
    let hosts = ["INSTAGRAM_AUTHORIZE_BASE_URL", "INSTAGRAM_API_BASE_URL", "INSTAGRAM_GRAPH_BASE_URL"];
    let env: Vec<(&str, &str)> = hosts.iter().map(|host| (*host, sandbox_url.as_str())).collect();
    let served = Served::start(&env);
    let sign_in = served.get("/api/auth/instagram").await;
    sandbox.kill().ok();
    sandbox.wait().ok();
    assert_eq!(sign_in.status(), reqwest::StatusCode::FOUND);
    let location = sign_in.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&format!("{sandbox_url}/oauth/authorize")), "{location}");
}
