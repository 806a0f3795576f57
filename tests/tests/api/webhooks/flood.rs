//! A flood of comments for one owner, with a worker running meanwhile: few recomputes, never
//! two of the same owner queued at once, and the last one counts every comment.

use std::time::Duration;

use instacrush_tests::{Backend, TestApp, on_both_backends, test_worker_config};
use serde_json::json;
use tokio_util::sync::CancellationToken;

use super::{all_delivered, json_of, recomputes, sandbox, sandbox_account, scalar, signed_in_and_synced};

on_both_backends!(a_flood_makes_few_recomputes_and_the_last_counts_everything);

const FLOOD: usize = 60;

async fn queued_recomputes(app: &TestApp) -> i64 {
    let sql = "SELECT COUNT(*) FROM jobs WHERE kind = 'recompute_crush' AND state = 'queued'";
    scalar(app, sql, vec![]).await
}

async fn a_flood_makes_few_recomputes_and_the_last_counts_everything(backend: Backend) {
    // Comments within 200 ms of each other wait for the same recompute.
    let app = TestApp::spawn_with(backend, |config| config.process.webhooks.debounce_ms = 200).await;
    let ada = signed_in_and_synced(&app, "ada.demo").await;
    let crush = sandbox_account(&app, "ada.demo").await["expected_crush"].clone();
    let stop = CancellationToken::new();
    let worker = tokio::spawn(instacrush::app::worker(&app.state, test_worker_config()).run(stop.clone()));

    // Comments arrive one per webhook, as fast as the sandbox sends them.
    let comments: Vec<_> =
        (0..FLOOD).map(|i| json!({ "author": crush["username"], "text": format!("flood {i}") })).collect();
    let mut most_queued = 0;
    for chunk in comments.chunks(10) {
        let (status, _) =
            sandbox(&app, "POST", "/_sandbox/accounts/ada.demo/comments", Some(json!(chunk))).await;
        assert_eq!(status, 201);
        most_queued = most_queued.max(queued_recomputes(&app).await);
    }
    all_delivered(&app, FLOOD).await;
    for _ in 0..200 {
        most_queued = most_queued.max(queued_recomputes(&app).await);
        let active =
            "SELECT COUNT(*) FROM jobs WHERE kind = 'recompute_crush' AND state IN ('queued', 'running')";
        if scalar(&app, active, vec![]).await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    stop.cancel();
    worker.await.unwrap();

    let total = recomputes(&app).await;
    assert!(total >= 1 && total < FLOOD as i64 / 2, "{total} recomputes for {FLOOD} comments");
    // One waiting for the running one, at most, beside the one the next comment joins.
    assert!(most_queued <= 2, "{most_queued} recomputes queued at once");
    let failed = "SELECT COUNT(*) FROM jobs WHERE kind = 'recompute_crush' AND state <> 'succeeded'";
    assert_eq!(scalar(&app, failed, vec![]).await, 0);
    let mine = json_of(ada.get("/api/crush").await).await;
    let expected = crush["interactions"].as_u64().unwrap() + FLOOD as u64;
    assert_eq!(mine["crush"]["comments_count"], expected, "{mine}");
    assert_eq!(sandbox_account(&app, "ada.demo").await["expected_crush"]["interactions"], expected);
}
