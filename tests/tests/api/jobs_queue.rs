//! The queue's guarantees, driven synchronously: dedupe under races, fencing,
//! retries with backoff, permanent failures, cancellation, scheduled ticks.

use std::time::Duration;

use instacrush::{
    entities::job::JobState,
    jobs::{self, Enqueued, Fence, NewJob, NoopJob, Transition, Worker, store},
};
use instacrush_tests::{
    Backend, TestApp,
    jobs::{FlakyJob, job_row, test_registry},
    on_both_backends, test_worker_config,
};

on_both_backends!(
    concurrent_enqueues_with_one_key_make_one_job,
    concurrent_claims_respect_their_limit_and_never_overlap,
    a_completion_after_rescue_changes_nothing,
    transient_failures_back_off_then_fail_with_the_last_error,
    permanent_failures_fail_at_once,
    queued_jobs_can_be_cancelled,
    every_process_firing_a_tick_enqueues_it_once,
    pruning_deletes_old_finished_jobs_only,
);

async fn concurrent_enqueues_with_one_key_make_one_job(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let db = app.db.clone();
            tokio::spawn(async move {
                let job = NewJob::of(&NoopJob::default()).dedupe_on("sync:42".into());
                jobs::enqueue(&db, job).await.expect("enqueue")
            })
        })
        .collect();
    let mut results = Vec::new();
    for task in tasks {
        results.push(task.await.unwrap());
    }
    let new: Vec<_> = results.iter().filter(|r| matches!(r, Enqueued::New(_))).collect();
    assert_eq!(new.len(), 1, "{results:?}");
    assert!(results.iter().all(|r| r.id() == new[0].id()), "{results:?}");
    let jobs = instacrush_tests::jobs::all_jobs(&app.db).await;
    assert_eq!(jobs.len(), 1);

    // Once it finished, the key is free again.
    assert_eq!(app.run_pending_jobs().await, 1);
    let again =
        jobs::enqueue(&app.db, NewJob::of(&NoopJob::default()).dedupe_on("sync:42".into())).await.unwrap();
    assert!(matches!(again, Enqueued::New(id) if id != new[0].id()));
}

async fn concurrent_claims_respect_their_limit_and_never_overlap(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..30 {
        jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap();
    }
    let claims: Vec<_> = (0..10)
        .map(|worker| {
            let db = app.db.clone();
            tokio::spawn(async move {
                store::claim(&db, &format!("w{worker}"), 2, Duration::from_secs(30)).await.unwrap()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for claim in claims {
        let claimed = claim.await.unwrap();
        assert!(claimed.len() <= 2, "a claim of 2 returned {}", claimed.len());
        ids.extend(claimed.iter().map(|job| job.id));
    }
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "a job was claimed twice: {ids:?}");
}

async fn a_completion_after_rescue_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id = jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap().id();
    let first = store::claim(&app.db, "worker-a", 1, Duration::from_millis(200)).await.unwrap();
    assert_eq!(first.len(), 1);
    let stale = first[0].fence();
    assert_eq!(stale, Fence { id, attempt: 1 });

    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store::rescue_expired(&app.db).await.unwrap(), 1);
    let second = store::claim(&app.db, "worker-b", 1, Duration::from_secs(30)).await.unwrap();
    assert_eq!(second[0].fence(), Fence { id, attempt: 2 });

    // The first worker wakes up late: none of its writes land.
    assert!(!store::transition(&app.db, stale, &Transition::Succeeded).await.unwrap());
    assert!(!store::heartbeat(&app.db, stale, Duration::from_secs(30)).await.unwrap());
    assert!(!store::progress(&app.db, stale, &serde_json::json!({"done": 9})).await.unwrap());
    let row = job_row(&app.db, id).await;
    assert_eq!((row.state, row.attempts), (JobState::Running, 2));
    assert_eq!(row.worker_id.as_deref(), Some("worker-b"));
    assert_eq!(row.last_error.unwrap()["code"], "lease_expired");
    assert!(row.progress.is_none());

    assert!(store::transition(&app.db, second[0].fence(), &Transition::Succeeded).await.unwrap());
    assert_eq!(job_row(&app.db, id).await.state, JobState::Succeeded);
}

async fn transient_failures_back_off_then_fail_with_the_last_error(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let config = test_worker_config(); // backoff: 200 ms doubling
    let id =
        jobs::enqueue(&app.db, NewJob::of(&FlakyJob { failures: 10, permanent: false })).await.unwrap().id();
    let mut delays = Vec::new();
    loop {
        assert_eq!(
            Worker::new(app.state.db.clone(), test_registry(), app.state.clone(), config.clone())
                .drain()
                .await,
            1
        );
        let row = job_row(&app.db, id).await;
        if row.state != JobState::Queued {
            assert_eq!(row.state, JobState::Failed);
            assert_eq!(row.attempts, 4, "FlakyJob allows 4 attempts");
            let error = row.last_error.unwrap();
            assert_eq!(error["code"], "flaky");
            assert!(error["detail"].as_str().unwrap().contains("attempt 4 failed on purpose"), "{error}");
            assert!(error["detail"].as_str().unwrap().contains("gave up after 4 attempts"), "{error}");
            assert!(row.finished_at.is_some());
            break;
        }
        assert_eq!(row.last_error.as_ref().unwrap()["code"], "flaky");
        let delay = row.run_at - row.updated_at;
        delays.push(delay.whole_milliseconds());
        // Not runnable before its time.
        assert_eq!(
            Worker::new(app.state.db.clone(), test_registry(), app.state.clone(), config.clone())
                .drain()
                .await,
            0
        );
        tokio::time::sleep(delay.unsigned_abs() + Duration::from_millis(20)).await;
    }
    assert_eq!(delays.len(), 3, "{delays:?}");
    for (i, delay) in delays.iter().enumerate() {
        let full = 200i128 << i;
        assert!(
            *delay >= full / 2 - 50 && *delay <= full + 5,
            "retry {i}: {delay} ms, expected {}..={full}",
            full / 2
        );
    }
}

async fn permanent_failures_fail_at_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let id =
        jobs::enqueue(&app.db, NewJob::of(&FlakyJob { failures: 1, permanent: true })).await.unwrap().id();
    Worker::new(app.state.db.clone(), test_registry(), app.state.clone(), test_worker_config()).drain().await;
    let row = job_row(&app.db, id).await;
    assert_eq!((row.state, row.attempts), (JobState::Failed, 1));
    assert_eq!(row.last_error.unwrap()["code"], "flaky_permanent");

    // A kind this binary does not know fails too, instead of looping.
    let unknown = jobs::enqueue(&app.db, NewJob::of(&FlakyJob::default())).await.unwrap().id();
    app.run_pending_jobs().await;
    let row = job_row(&app.db, unknown).await;
    assert_eq!((row.state, row.attempts), (JobState::Failed, 1));
    assert_eq!(row.last_error.unwrap()["code"], "unknown_kind");
}

async fn queued_jobs_can_be_cancelled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let queued = jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap().id();
    assert!(jobs::cancel(&app.db, queued).await.unwrap());
    assert!(!jobs::cancel(&app.db, queued).await.unwrap(), "already cancelled");
    let row = job_row(&app.db, queued).await;
    assert_eq!(row.state, JobState::Cancelled);
    assert_eq!(app.run_pending_jobs().await, 0, "cancelled jobs do not run");

    let running = jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap().id();
    store::claim(&app.db, "w", 1, Duration::from_secs(30)).await.unwrap();
    assert!(!jobs::cancel(&app.db, running).await.unwrap(), "running jobs finish");
    assert_eq!(job_row(&app.db, running).await.state, JobState::Running);
}

async fn every_process_firing_a_tick_enqueues_it_once(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let schedule = instacrush::app::job_schedule();
    let fires: Vec<_> = (0..5)
        .map(|_| {
            let (schedule, state) = (schedule.clone(), app.state.clone());
            tokio::spawn(async move { schedule.fire_all(&state.db, &state.waker).await })
        })
        .collect();
    for fire in fires {
        fire.await.unwrap();
    }
    let rows = instacrush_tests::jobs::all_jobs(&app.db).await;
    let kinds: std::collections::HashSet<_> = rows.iter().map(|job| job.kind.as_str()).collect();
    assert_eq!(kinds.len(), rows.len(), "one job per scheduled kind: {rows:?}");
    assert!(kinds.contains("prune_jobs"), "{kinds:?}");
    for job in &rows {
        assert!(job.schedule_key.as_deref().unwrap().starts_with(&format!("{}@", job.kind)));
    }
    // Even after the tick's jobs ran, the same tick does not enqueue again.
    app.run_pending_jobs().await;
    schedule.fire_all(&app.state.db, &app.state.waker).await;
    assert_eq!(instacrush_tests::jobs::all_jobs(&app.db).await.len(), rows.len());
}

async fn pruning_deletes_old_finished_jobs_only(backend: Backend) {
    use sea_orm::{ActiveModelTrait as _, ActiveValue::Set, IntoActiveModel as _};
    let app = TestApp::spawn(backend).await;
    let old = jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap().id();
    let recent = jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap().id();
    app.run_pending_jobs().await;
    let mut row = job_row(&app.db, old).await.into_active_model();
    row.finished_at = Set(Some(instacrush::db::now() - time::Duration::days(8)));
    row.update(&app.db).await.unwrap();
    let waiting = jobs::enqueue(
        &app.db,
        NewJob::of(&NoopJob::default()).run_at(instacrush::db::now() + time::Duration::days(1)),
    )
    .await
    .unwrap()
    .id();
    let prune = jobs::enqueue(&app.db, NewJob::of(&jobs::PruneJobs::default())).await.unwrap().id();
    app.run_pending_jobs().await;
    let ids: Vec<i64> = instacrush_tests::jobs::all_jobs(&app.db).await.iter().map(|job| job.id).collect();
    assert_eq!(ids, vec![recent, waiting, prune]);
}
