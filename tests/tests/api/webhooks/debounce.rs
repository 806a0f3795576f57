//! A recompute runs when its debounce ends, not at the worker's next poll: the worker of the
//! process that received the webhook is woken for it.

use std::time::{Duration, Instant};

use instacrush::config::WorkerConfig;
use instacrush_tests::{Backend, TestApp, on_both_backends, test_worker_config};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{json_of, sandbox, sandbox_account, signed_in_and_synced};

on_both_backends!(a_recompute_runs_when_its_debounce_ends_not_at_the_next_poll);

const DEBOUNCE: Duration = Duration::from_millis(200);
/// Far longer than the test waits: a recompute left for the next poll misses the deadline.
const POLL: Duration = Duration::from_secs(60);
const DEADLINE: Duration = Duration::from_secs(10);

async fn a_recompute_runs_when_its_debounce_ends_not_at_the_next_poll(backend: Backend) {
    let app = TestApp::spawn_with(backend, |config| {
        config.process.webhooks.debounce_ms = DEBOUNCE.as_millis() as u64;
    })
    .await;
    let ada = signed_in_and_synced(&app, "ada.demo").await;
    let crush = sandbox_account(&app, "ada.demo").await["expected_crush"].clone();
    let stop = CancellationToken::new();
    let config = WorkerConfig { poll_ms: POLL.as_millis() as u64, ..test_worker_config() };
    let worker = tokio::spawn(instacrush::app::worker(&app.state, config).run(stop.clone()));
    // The worker's first look for work is over: from now on it waits for a wake or its poll.
    tokio::time::sleep(Duration::from_millis(300)).await;

    let started = Instant::now();
    let comment = json!({ "author": crush["username"], "text": "one more" });
    assert_eq!(sandbox(&app, "POST", "/_sandbox/accounts/ada.demo/comments", Some(comment)).await.0, 201);
    let expected = crush["interactions"].as_u64().unwrap() + 1;
    let mut shown_after = None;
    while started.elapsed() < DEADLINE {
        let mine = json_of(ada.get("/api/crush").await).await;
        if mine["crush"]["comments_count"] == expected {
            shown_after = Some(started.elapsed());
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    stop.cancel();
    worker.await.unwrap();
    let shown_after = shown_after.expect("the crush counts the comment before the worker's next poll");
    assert!(shown_after >= DEBOUNCE, "not before the debounce ends: {shown_after:?}");
}
