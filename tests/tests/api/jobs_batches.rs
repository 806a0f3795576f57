//! The queue's batches: completions written in groups stay fenced (a rescued job inside a
//! group is left alone), survive a killed worker process (no job acknowledged and lost, none
//! run twice but by the at-least-once rule), and bulk enqueueing respects the keys.

use std::{collections::HashMap, process::Stdio, time::Duration};

use instacrush::{
    config::{DatabaseConfig, WorkerConfig},
    entities::job::JobState,
    jobs::{self, NewJob, NoopJob, Registry, Worker, store},
};
use instacrush_tests::{
    Backend, TestApp,
    jobs::{RecordJob, all_jobs, create_performed_table, job_row, wait_until},
    on_both_backends, test_worker_config,
};
use sea_orm::{ConnectionTrait, Statement};
use tokio_util::sync::CancellationToken;

on_both_backends!(
    a_group_completion_leaves_a_rescued_job_alone,
    a_workers_group_leaves_a_job_rescued_while_it_waited_alone,
    an_enqueue_wakes_idle_workers_of_other_processes,
    a_job_enqueued_for_later_wakes_idle_workers_of_other_processes_when_due,
    grouped_completions_survive_a_killed_worker_process,
    enqueue_many_inserts_in_batches_and_respects_the_keys,
    a_stopping_worker_hands_back_the_jobs_it_claimed_ahead,
);

async fn a_group_completion_leaves_a_rescued_job_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    for _ in 0..3 {
        jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap();
    }
    let lease = Duration::from_secs(30);
    let first = store::claim(&app.db, "a", 3, lease).await.unwrap();
    assert_eq!(first.len(), 3);
    // The middle one's worker looks dead: its lease runs out, it is rescued and claimed again.
    let rescued = first[1].id;
    let expire = format!("UPDATE jobs SET lease_expires_at = '2000-01-01T00:00:00Z' WHERE id = {rescued}");
    app.db.execute_unprepared(&expire).await.unwrap();
    assert_eq!(store::rescue_expired(&app.db).await.unwrap(), 1);
    let again = store::claim(&app.db, "b", 1, lease).await.unwrap();
    assert_eq!((again[0].id, again[0].attempts), (rescued, 2));

    let fences: Vec<_> = first.iter().map(|job| job.fence()).collect();
    let mut written = store::complete_many(&app.db, &fences).await.unwrap();
    written.sort_unstable();
    assert_eq!(written, [first[0].id, first[2].id], "the late worker's group skips the rescued job");
    let row = job_row(&app.db, rescued).await;
    assert_eq!((row.state, row.attempts), (JobState::Running, 2), "still the rescuer's");
    assert_eq!(row.worker_id.as_deref(), Some("b"));
    assert_eq!(store::complete_many(&app.db, &[again[0].fence()]).await.unwrap(), [rescued]);
    assert_eq!(job_row(&app.db, rescued).await.state, JobState::Succeeded);
}

/// The same through a worker: its finished jobs wait in a long completion window, one of them
/// is rescued and claimed again meanwhile, and the group, once written, leaves it to its new
/// holder.
async fn a_workers_group_leaves_a_job_rescued_while_it_waited_alone(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap().id());
    }
    let config = WorkerConfig {
        concurrency: 8,
        // It claims once (at start), and again only when its jobs finish: never the rescued one.
        poll_ms: 600_000,
        completion_batch_ms: 3_000,
        ..WorkerConfig::default()
    };
    let worker = Worker::new(app.db.clone(), Registry::default().register::<NoopJob>(), (), config);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(worker.run(shutdown.clone()));
    wait_until(Duration::from_secs(10), "the worker to claim the three jobs", || async {
        all_jobs(&app.db).await.iter().all(|job| job.state == JobState::Running && job.attempts == 1)
    })
    .await;
    // The no-ops finish at once; the worker's next claim (when they finish) finds nothing.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let rescued = ids[1];
    let expire = format!("UPDATE jobs SET lease_expires_at = '2000-01-01T00:00:00Z' WHERE id = {rescued}");
    app.db.execute_unprepared(&expire).await.unwrap();
    assert_eq!(store::rescue_expired(&app.db).await.unwrap(), 1);
    let again = store::claim(&app.db, "b", 1, Duration::from_secs(30)).await.unwrap();
    assert_eq!((again[0].id, again[0].attempts), (rescued, 2));
    wait_until(Duration::from_secs(20), "the group to be written", || async {
        let rows = all_jobs(&app.db).await;
        rows.iter().filter(|job| job.state == JobState::Succeeded).count() == 2
    })
    .await;
    let row = job_row(&app.db, rescued).await;
    assert_eq!((row.state, row.attempts), (JobState::Running, 2), "the rescuer's attempt is untouched");
    assert_eq!(row.worker_id.as_deref(), Some("b"));
    shutdown.cancel();
    running.await.unwrap();
}

/// A worker that polls every ten minutes, with a waker of its own that nothing in this process
/// signals (as a worker in another process), once it listens and its first claim is done.
async fn idle_worker_of_another_process(app: &TestApp) -> (CancellationToken, tokio::task::JoinHandle<()>) {
    let config = WorkerConfig { poll_ms: 600_000, ..WorkerConfig::default() };
    let worker = Worker::new(app.db.clone(), Registry::default().register::<NoopJob>(), (), config);
    let shutdown = CancellationToken::new();
    let running = tokio::spawn(worker.run(shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(500)).await;
    (shutdown, running)
}

/// On PostgreSQL an enqueue wakes idle workers that poll seldom, whichever process they run
/// in (a worker here with a waker of its own, which nothing in this process signals).
/// SQLite workers poll (and in-process ones are woken directly): nothing to check there.
async fn an_enqueue_wakes_idle_workers_of_other_processes(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    if app.db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let (shutdown, running) = idle_worker_of_another_process(&app).await;
    let one = jobs::enqueue(&app.db, NewJob::of(&NoopJob::default())).await.unwrap().id();
    wait_until(Duration::from_secs(5), "the woken worker to run the job", || async {
        job_row(&app.db, one).await.state == JobState::Succeeded
    })
    .await;
    let many = vec![NewJob::of(&NoopJob::default()); 3];
    assert_eq!(jobs::enqueue_many(&app.db, &many).await.unwrap().len(), 3);
    wait_until(Duration::from_secs(5), "the woken worker to run the bulk", || async {
        all_jobs(&app.db).await.iter().all(|job| job.state == JobState::Succeeded)
    })
    .await;
    shutdown.cancel();
    running.await.unwrap();
}

/// A job enqueued to run a little later (a debounced recompute) runs when it is due on an
/// idle worker of another process, not at that worker's next poll: the notification says
/// when. PostgreSQL only, as above.
async fn a_job_enqueued_for_later_wakes_idle_workers_of_other_processes_when_due(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    if app.db.get_database_backend() != sea_orm::DbBackend::Postgres {
        return;
    }
    let (shutdown, running) = idle_worker_of_another_process(&app).await;
    let due = time::OffsetDateTime::now_utc() + Duration::from_millis(300);
    let later = jobs::enqueue(&app.db, NewJob::of(&NoopJob::default()).run_at(due)).await.unwrap().id();
    wait_until(Duration::from_secs(5), "the worker to run the job once due", || async {
        job_row(&app.db, later).await.state == JobState::Succeeded
    })
    .await;
    shutdown.cancel();
    running.await.unwrap();
}

/// Not a test: the worker process the tests below start (this binary run again with
/// `--ignored --exact`), running the test job kinds from `TEST_WORKER_DATABASE_URL` until
/// it is killed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "the worker process the batch tests start, not a test of its own"]
async fn test_worker_process() {
    let Ok(url) = std::env::var("TEST_WORKER_DATABASE_URL") else {
        return;
    };
    let db = instacrush::db::connect(&DatabaseConfig::new(url.parse().unwrap())).await.unwrap();
    let registry = Registry::default().register::<RecordJob>().register::<NoopJob>();
    let config = WorkerConfig {
        concurrency: 8,
        poll_ms: 50,
        lease_ms: 2_000,
        // A long window: many finished jobs wait in memory when the process is killed.
        completion_batch_ms: 200,
        ..WorkerConfig::default()
    };
    Worker::new(db, registry, (), config).run(CancellationToken::new()).await;
}

fn worker_process(database_url: &str) -> tokio::process::Child {
    let exe = std::env::current_exe().unwrap();
    let mut command = tokio::process::Command::new(exe);
    command
        .args(["--ignored", "--exact", "jobs_batches::test_worker_process", "--nocapture"])
        .env("TEST_WORKER_DATABASE_URL", database_url)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true);
    command.spawn().unwrap()
}

async fn succeeded(app: &TestApp) -> usize {
    all_jobs(&app.db).await.iter().filter(|job| job.state == JobState::Succeeded).count()
}

async fn grouped_completions_survive_a_killed_worker_process(backend: Backend) {
    const JOBS: usize = 3_000;
    let app = TestApp::spawn(backend).await;
    create_performed_table(&app.db).await;
    let jobs: Vec<_> = (0..JOBS).map(|_| NewJob::of(&RecordJob { sleep_ms: 5 })).collect();
    assert_eq!(jobs::enqueue_many(&app.db, &jobs).await.unwrap().len(), JOBS);
    let url = app.database.url.as_str().to_owned();
    let mut first = worker_process(&url);
    wait_until(Duration::from_secs(60), "a third of the jobs to finish", || async {
        succeeded(&app).await >= JOBS / 3
    })
    .await;
    first.start_kill().unwrap(); // SIGKILL, with completions waiting to be written
    first.wait().await.unwrap();
    let mut second = worker_process(&url);
    wait_until(Duration::from_secs(120), "every job to finish", || async { succeeded(&app).await == JOBS })
        .await;
    second.start_kill().unwrap();

    let statement = Statement::from_string(app.db.get_database_backend(), "SELECT job_id FROM performed");
    let mut performed: HashMap<i64, i32> = HashMap::new();
    for row in app.db.query_all_raw(statement).await.unwrap() {
        *performed.entry(row.try_get("", "job_id").unwrap()).or_default() += 1;
    }
    let rows = all_jobs(&app.db).await;
    assert_eq!(rows.len(), JOBS);
    for job in &rows {
        let runs = performed.get(&job.id).copied().unwrap_or_default();
        assert!(runs >= 1, "job {} is marked done but never ran", job.id);
        assert!(
            runs <= job.attempts,
            "job {} ran {runs} times in {} attempts: only a rescue may run a job again",
            job.id,
            job.attempts
        );
    }
    let rerun = rows.iter().filter(|job| job.attempts > 1).count();
    assert!(rerun > 0, "the kill left jobs claimed, running or waiting to be written, and they were rescued");
}

/// Jobs claimed ahead of free slots are `running` in the table without having started: a
/// stopping worker puts them back in the queue at once (in one statement), their attempt not
/// counted, rather than leaving them to their leases.
async fn a_stopping_worker_hands_back_the_jobs_it_claimed_ahead(backend: Backend) {
    const JOBS: usize = 20;
    let app = TestApp::spawn(backend).await;
    let long = NewJob::of(&NoopJob { sleep_ms: 60_000, sleep_until_attempt: None });
    jobs::enqueue_many(&app.db, &vec![long; JOBS]).await.unwrap();
    // Two slots and eight ahead (more while the backlog leaves slots waiting): two started.
    let config =
        WorkerConfig { concurrency: 2, prefetch: 8, grace_secs: 1, lease_ms: 60_000, ..test_worker_config() };
    let shutdown = CancellationToken::new();
    let worker = Worker::new(app.db.clone(), Registry::default().register::<NoopJob>(), (), config);
    let handle = tokio::spawn(worker.run(shutdown.clone()));
    wait_until(Duration::from_secs(10), "jobs claimed ahead of the two slots", || async {
        all_jobs(&app.db).await.iter().filter(|job| job.state == JobState::Running).count() > 2
    })
    .await;
    shutdown.cancel();
    handle.await.unwrap();
    let rows = all_jobs(&app.db).await;
    let held: Vec<_> = rows.iter().filter(|job| job.state != JobState::Queued || job.attempts != 0).collect();
    assert!(held.is_empty(), "every job back in the queue, no attempt counted: {held:?}");
    assert!(rows.iter().all(|job| job.worker_id.is_none()), "{rows:?}");
}

async fn enqueue_many_inserts_in_batches_and_respects_the_keys(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let held = NewJob::of(&NoopJob::default()).dedupe_on("held".to_owned());
    jobs::enqueue(&app.db, held.clone()).await.unwrap();
    let mut batch: Vec<NewJob> = (0..1_200).map(|_| NewJob::of(&NoopJob::default())).collect();
    batch.push(held);
    batch.push(NewJob::of(&NoopJob::default()).dedupe_on("fresh".to_owned()));
    batch.push(NewJob::of(&NoopJob::default()).dedupe_on("fresh".to_owned()));
    let ids = jobs::enqueue_many(&app.db, &batch).await.unwrap();
    assert_eq!(ids.len(), 1_201, "1,200 plus one of the two sharing a new key; the held key is taken");
    assert_eq!(all_jobs(&app.db).await.len(), 1_202);
}
