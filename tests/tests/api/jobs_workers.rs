//! Workers under concurrency and failure: exactly-once claims across workers
//! and processes, rescue after a killed worker, graceful shutdown, progress.

use std::{collections::HashMap, process::Stdio, time::Duration};

use instacrush::{
    entities::job::JobState,
    jobs::{self, NewJob, NoopJob, Worker, WorkerConfig},
};
use instacrush_tests::{
    Backend, TestApp,
    jobs::{RecordJob, all_jobs, create_performed_table, job_row, test_registry, wait_until},
    on_both_backends, test_worker_config,
};
use sea_orm::{ConnectionTrait, Statement};
use tokio_util::sync::CancellationToken;

on_both_backends!(
    many_workers_perform_every_job_exactly_once,
    a_killed_worker_process_is_rescued_after_its_lease,
    shutdown_releases_unfinished_jobs,
);

async fn performed_counts(app: &TestApp) -> HashMap<i64, Vec<i32>> {
    let statement =
        Statement::from_string(app.db.get_database_backend(), "SELECT job_id, attempt FROM performed");
    let mut counts: HashMap<i64, Vec<i32>> = HashMap::new();
    for row in app.db.query_all_raw(statement).await.unwrap() {
        let job_id: i64 = row.try_get("", "job_id").unwrap();
        counts.entry(job_id).or_default().push(row.try_get("", "attempt").unwrap());
    }
    counts
}

async fn many_workers_perform_every_job_exactly_once(backend: Backend) {
    const JOBS: usize = 120;
    let app = TestApp::spawn(backend).await;
    create_performed_table(&app.db).await;
    for _ in 0..JOBS {
        jobs::enqueue(&app.db, NewJob::of(&RecordJob { sleep_ms: 2 })).await.unwrap();
    }
    let shutdown = CancellationToken::new();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let config = WorkerConfig { concurrency: 3, ..test_worker_config() };
            let worker = Worker::new(app.state.db.clone(), test_registry(), app.state.clone(), config)
                .waking_on(app.state.waker.clone())
                .recording(app.state.metrics.jobs.clone());
            tokio::spawn(worker.run(shutdown.clone()))
        })
        .collect();
    wait_until(Duration::from_secs(60), "every job to succeed", || async {
        all_jobs(&app.db).await.iter().all(|job| job.state == JobState::Succeeded)
    })
    .await;
    shutdown.cancel();
    for worker in workers {
        worker.await.unwrap();
    }
    let performed = performed_counts(&app).await;
    assert_eq!(performed.len(), JOBS);
    assert!(performed.values().all(|attempts| attempts == &[1]), "{performed:?}");
    let rows = all_jobs(&app.db).await;
    assert!(rows.iter().all(|job| job.attempts == 1));
    let workers_used: std::collections::HashSet<_> =
        rows.iter().filter_map(|job| job.worker_id.clone()).collect();
    assert!(workers_used.len() > 1, "the work was shared: {workers_used:?}");
    let metrics = app.get("/metrics").await.text().await.unwrap();
    let succeeded =
        format!(r#"instacrush_job_attempts_total{{kind="test_record",outcome="succeeded"}} {JOBS}"#);
    assert!(metrics.contains(&succeeded), "{metrics}");
    assert!(metrics.contains(r#"instacrush_jobs{state="#), "queue depth is sampled: {metrics}");
}

/// Starts `instacrush worker` on the app's database.
fn worker_process(app: &TestApp, lease_ms: u64) -> tokio::process::Child {
    let command = instacrush_tests::instacrush_command();
    let mut command = tokio::process::Command::from(command);
    command
        .args(["worker", "--worker-poll-ms", "50", "--job-lease-ms", &lease_ms.to_string()])
        .env("DATABASE_URL", app.database.url.as_str())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command.spawn().expect("worker starts")
}

async fn a_killed_worker_process_is_rescued_after_its_lease(backend: Backend) {
    let sqlite = matches!(backend, Backend::Sqlite);
    let app = TestApp::spawn(backend).await;
    let slow = NoopJob { sleep_ms: 120_000, sleep_until_attempt: Some(1) };
    let id = jobs::enqueue(&app.db, NewJob::of(&slow)).await.unwrap().id();
    let mut process = worker_process(&app, 1_000);
    wait_until(Duration::from_secs(30), "the worker process to start the job", || async {
        let row = job_row(&app.db, id).await;
        row.state == JobState::Running && row.progress.is_some()
    })
    .await;
    let running = job_row(&app.db, id).await;
    assert_eq!(running.progress.unwrap()["phase"], "sleeping", "progress is visible while running");

    process.start_kill().unwrap(); // SIGKILL: no chance to release the job
    process.wait().await.unwrap();

    let shutdown = CancellationToken::new();
    let worker =
        instacrush::app::worker(&app.state, WorkerConfig { lease_ms: 1_000, ..test_worker_config() });
    let handle = tokio::spawn(worker.run(shutdown.clone()));
    wait_until(Duration::from_secs(30), "the job to be rescued and finish", || async {
        job_row(&app.db, id).await.state == JobState::Succeeded
    })
    .await;
    shutdown.cancel();
    handle.await.unwrap();
    let row = job_row(&app.db, id).await;
    assert_eq!(row.attempts, 2, "the rescue shows in the attempt count");
    // On SQLite (one machine) the new worker sees the killed process is gone and rescues its
    // job at once; elsewhere the job waits for its lease.
    let rescue = if sqlite { "worker_gone" } else { "lease_expired" };
    assert_eq!(row.last_error.unwrap()["code"], rescue);
}

async fn shutdown_releases_unfinished_jobs(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let slow = jobs::enqueue(&app.db, NewJob::of(&NoopJob { sleep_ms: 60_000, sleep_until_attempt: None }))
        .await
        .unwrap()
        .id();
    let quick = jobs::enqueue(&app.db, NewJob::of(&NoopJob { sleep_ms: 300, sleep_until_attempt: None }))
        .await
        .unwrap()
        .id();
    let shutdown = CancellationToken::new();
    let config = WorkerConfig { grace_secs: 1, ..test_worker_config() };
    let handle = tokio::spawn(instacrush::app::worker(&app.state, config).run(shutdown.clone()));
    wait_until(Duration::from_secs(10), "both jobs to start", || async {
        all_jobs(&app.db).await.iter().all(|job| job.state == JobState::Running)
    })
    .await;
    shutdown.cancel();
    handle.await.unwrap();
    let (slow, quick) = (job_row(&app.db, slow).await, job_row(&app.db, quick).await);
    assert_eq!(quick.state, JobState::Succeeded, "finished within the grace period");
    assert_eq!((slow.state, slow.attempts), (JobState::Queued, 0), "released, the attempt not counted");
    assert!(slow.worker_id.is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_worker_processes_share_a_postgres_queue_exactly_once() {
    let Some(backend) = Backend::postgres() else { return };
    const JOBS: usize = 200;
    let app = TestApp::spawn(backend).await;
    for _ in 0..JOBS {
        jobs::enqueue(&app.db, NewJob::of(&NoopJob { sleep_ms: 25, sleep_until_attempt: None }))
            .await
            .unwrap();
    }
    // 25 ms each: one process alone would need over a second, so both get work.
    let processes = [worker_process(&app, 5_000), worker_process(&app, 5_000)];
    wait_until(Duration::from_secs(60), "every job to succeed", || async {
        all_jobs(&app.db).await.iter().all(|job| job.state == JobState::Succeeded)
    })
    .await;
    drop(processes);
    let rows = all_jobs(&app.db).await;
    assert_eq!(rows.len(), JOBS);
    // Performing needs a claim and every claim increments `attempts`: one attempt each means one run each.
    assert!(rows.iter().all(|job| job.attempts == 1), "{rows:?}");
    let pids: std::collections::HashSet<_> = rows
        .iter()
        .filter_map(|job| job.worker_id.as_deref()?.split('-').next().map(str::to_owned))
        .collect();
    assert_eq!(pids.len(), 2, "both processes worked: {pids:?}");
}

/// SQLite runs on one machine: a restarted process rescues what its killed predecessor left
/// running at once, without waiting for the (here: two-minute) lease.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_restarted_sqlite_process_rescues_its_predecessors_jobs_at_once() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let slow = NoopJob { sleep_ms: 120_000, sleep_until_attempt: Some(1) };
    let id = jobs::enqueue(&app.db, NewJob::of(&slow)).await.unwrap().id();
    let mut process = worker_process(&app, 120_000);
    wait_until(Duration::from_secs(30), "the worker process to start the job", || async {
        job_row(&app.db, id).await.state == JobState::Running
    })
    .await;
    process.start_kill().unwrap();
    process.wait().await.unwrap();
    let lease_left = job_row(&app.db, id).await.lease_expires_at.unwrap() - instacrush::db::now();
    assert!(lease_left > time::Duration::seconds(60), "the lease has long to run: {lease_left}");

    let mut restarted = worker_process(&app, 120_000);
    wait_until(Duration::from_secs(30), "the restarted process to rescue and finish the job", || async {
        job_row(&app.db, id).await.state == JobState::Succeeded
    })
    .await;
    restarted.start_kill().unwrap();
    let row = job_row(&app.db, id).await;
    assert_eq!(row.last_error.unwrap()["code"], "worker_gone");
    assert_eq!(row.attempts, 2);
}
