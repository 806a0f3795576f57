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
