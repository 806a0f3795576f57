//! SQLite: the queue beside a bare loop that runs the same claim and complete statements on
//! the same database in the same run, interleaved, medians shown with the ratio.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use instacrush::jobs::{self, NewJob, NoopJob, Registry, Transition, Waker, Worker, WorkerConfig, store};
use instacrush_benchmarks::{BenchDatabase, median};
use sea_orm::{ConnectionTrait, DatabaseConnection, Statement};
use tokio_util::sync::CancellationToken;

/// Jobs per throughput run.
const JOBS: usize = 2_000;
/// Latency samples per run.
const SAMPLES: usize = 200;
/// Jobs claimed per statement, by the worker (its concurrency) and the bare loop alike.
const BATCH: u32 = super::CONCURRENCY;
/// Each measure runs this many times, queue and bare loop interleaved; the median is shown.
const ROUNDS: usize = 3;

/// Prints the SQLite figures.
pub async fn run() -> anyhow::Result<()> {
    println!(
        "SQLite: {JOBS} no-op jobs for throughput, {SAMPLES} single jobs for latency, concurrency {BATCH}; \
         median of {ROUNDS} interleaved rounds"
    );
    println!("{:<9} {:<30} {:>12} {:>12} {:>8}  target", "backend", "measure", "queue", "bare loop", "ratio");
    let sqlite = BenchDatabase::sqlite()?;
    let result = run_backend("sqlite", &sqlite).await;
    sqlite.close().await;
    result
}

async fn run_backend(name: &str, database: &BenchDatabase) -> anyhow::Result<()> {
    let target = connect(database).await?;
    let (mut queue, mut bare) = (Vec::new(), Vec::new());
    let (mut queue_latency, mut bare_latency) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        queue.push(throughput_with_worker(&target).await?);
        bare.push(throughput_bare(&target).await?);
        queue_latency.push(latency_with_worker(&target).await?);
        bare_latency.push(latency_bare(&target).await?);
    }
    let (queue, bare) = (median(queue), median(bare));
    row(name, "throughput (jobs/s)", queue, bare, queue / bare, ">= 0.67 ratio");
    let p50 = |runs: &[(f64, f64)]| median(runs.iter().map(|run| run.0).collect());
    let p99 = |runs: &[(f64, f64)]| median(runs.iter().map(|run| run.1).collect());
    let (queue, bare) = (p50(&queue_latency), p50(&bare_latency));
    row(name, "enqueue-to-start p50 (ms)", queue, bare, queue / bare.max(0.001), "");
    let (queue, bare) = (p99(&queue_latency), p99(&bare_latency));
    row(name, "enqueue-to-start p99 (ms)", queue, bare, queue / bare.max(0.001), "");
    target.db.close().await?;
    Ok(())
}

fn row(backend: &str, measure: &str, queue: f64, bare: f64, ratio: f64, target: &str) {
    println!("{backend:<9} {measure:<30} {queue:>12.1} {bare:>12.1} {ratio:>8.2}  {target}");
}

/// What the benchmark needs: the queue's database, and the waker an API process
/// signals after enqueueing.
#[derive(Clone)]
struct Queue {
    db: DatabaseConnection,
    waker: Waker,
}

async fn connect(database: &BenchDatabase) -> anyhow::Result<Queue> {
    Ok(Queue { db: database.connect(16).await?, waker: Waker::default() })
}

/// The worker under test: no-op jobs, no state beyond the queue.
fn worker(queue: &Queue) -> Worker<()> {
    let registry = Registry::default().register::<NoopJob>();
    Worker::new(queue.db.clone(), registry, (), worker_config()).waking_on(queue.waker.clone())
}

async fn enqueue_many(queue: &Queue, count: usize) -> anyhow::Result<()> {
    let batch = vec![NewJob::of(&NoopJob::default()); count];
    jobs::enqueue_many(&queue.db, &batch).await?;
    Ok(())
}

async fn clear(queue: &Queue) -> anyhow::Result<()> {
    queue.db.execute_unprepared("DELETE FROM jobs").await?;
    Ok(())
}

async fn succeeded(queue: &Queue) -> anyhow::Result<usize> {
    let backend = queue.db.get_database_backend();
    let sql = "SELECT COUNT(*) AS n FROM jobs WHERE state = 'succeeded'";
    let row = queue.db.query_one_raw(Statement::from_string(backend, sql)).await?.context("a count")?;
    Ok(usize::try_from(row.try_get::<i64>("", "n")?)?)
}

fn worker_config() -> WorkerConfig {
    WorkerConfig { concurrency: super::CONCURRENCY, poll_ms: 1_000, ..WorkerConfig::default() }
}

async fn throughput_with_worker(queue: &Queue) -> anyhow::Result<f64> {
    clear(queue).await?;
    enqueue_many(queue, JOBS).await?;
    let shutdown = CancellationToken::new();
    let started = Instant::now();
    let worker = tokio::spawn(worker(queue).run(shutdown.clone()));
    while succeeded(queue).await? < JOBS {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let elapsed = started.elapsed();
    shutdown.cancel();
    worker.await?;
    Ok(JOBS as f64 / elapsed.as_secs_f64())
}

async fn throughput_bare(queue: &Queue) -> anyhow::Result<f64> {
    clear(queue).await?;
    enqueue_many(queue, JOBS).await?;
    let started = Instant::now();
    loop {
        let claimed = store::claim(&queue.db, "bare", BATCH, Duration::from_secs(30)).await?;
        if claimed.is_empty() {
            break;
        }
        for job in claimed {
            store::transition(&queue.db, job.fence(), &Transition::Succeeded).await?;
        }
    }
    Ok(JOBS as f64 / started.elapsed().as_secs_f64())
}

/// p50 and p99 of `started_at - created_at`, in ms, over the finished jobs.
async fn start_delays(queue: &Queue) -> anyhow::Result<(f64, f64)> {
    let mut delays: Vec<f64> = jobs_rows(queue)
        .await?
        .iter()
        .filter_map(|job| Some((job.started_at? - job.created_at).as_seconds_f64() * 1000.0))
        .collect();
    delays.sort_by(f64::total_cmp);
    let pick = |q: f64| delays[((delays.len() as f64 - 1.0) * q).round() as usize];
    Ok((pick(0.50), pick(0.99)))
}

async fn jobs_rows(queue: &Queue) -> anyhow::Result<Vec<instacrush::entities::job::Model>> {
    use sea_orm::EntityTrait as _;
    Ok(instacrush::entities::job::Entity::find().all(&queue.db).await?)
}

async fn latency_with_worker(queue: &Queue) -> anyhow::Result<(f64, f64)> {
    clear(queue).await?;
    let shutdown = CancellationToken::new();
    let worker = tokio::spawn(worker(queue).run(shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    for done in 1..=SAMPLES {
        jobs::enqueue(&queue.db, NewJob::of(&NoopJob::default())).await?;
        // What the API does after enqueueing: wake this process's worker
        // (other processes hear PostgreSQL's NOTIFY).
        queue.waker.wake();
        while succeeded(queue).await? < done {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    shutdown.cancel();
    worker.await?;
    start_delays(queue).await
}

async fn latency_bare(queue: &Queue) -> anyhow::Result<(f64, f64)> {
    clear(queue).await?;
    for _ in 0..SAMPLES {
        jobs::enqueue(&queue.db, NewJob::of(&NoopJob::default())).await?;
        for job in store::claim(&queue.db, "bare", 1, Duration::from_secs(30)).await? {
            store::transition(&queue.db, job.fence(), &Transition::Succeeded).await?;
        }
    }
    start_delays(queue).await
}
