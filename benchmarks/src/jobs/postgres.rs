//! PostgreSQL: the queue beside graphile-worker (default and batched settings), each run on a
//! fresh database, the sides interleaved round by round (each round starting with another
//! side), medians shown.

use std::{
    collections::HashMap,
    sync::{LazyLock, Mutex},
    time::{Duration, Instant},
};

use instacrush::{
    config::{DatabaseConfig, WorkerConfig},
    db,
    jobs::{self, Job, JobContext, JobError, NewJob, NoopJob, Registry, Worker},
};
use instacrush_benchmarks::{ScratchPostgres, median, percentile};
use sea_orm::TransactionTrait as _;
use serde::{Deserialize, Serialize};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

use super::{
    CONCURRENCY, Sizes,
    graphile::{self, Settings},
    stats::{Stats, wait_until_done},
};

/// What one run measured.
#[derive(Debug, Clone, Copy)]
pub struct Run {
    pub jobs_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// The enqueue alone (its statement and commit), p50.
    pub enqueue_p50_ms: f64,
    pub commits_per_job: f64,
    pub wal_per_job: f64,
}

#[derive(Debug, Clone, Copy)]
enum Side {
    Queue,
    Graphile(Settings),
}

const SIDES: [(Side, &str); 3] = [
    (Side::Queue, "instacrush queue"),
    (Side::Graphile(Settings::Default), "graphile-worker 0.17.3, defaults"),
    (Side::Graphile(Settings::Batched), "graphile-worker 0.17.3, batched"),
];

/// Prints the PostgreSQL figures.
pub async fn run(admin_url: &str, sizes: Sizes) -> anyhow::Result<()> {
    let Sizes { jobs, rounds, samples } = sizes;
    println!(
        "PostgreSQL: {jobs} no-op jobs per run, concurrency {CONCURRENCY}, a fresh database per run; \
         {samples} single jobs for enqueue-to-start; median of {rounds} interleaved rounds"
    );
    connect_times(admin_url).await?;
    let only = std::env::var("BENCH_SIDES").unwrap_or_default();
    let mut runs: Vec<Vec<Run>> = vec![Vec::new(); SIDES.len()];
    for round in 0..rounds {
        for turn in 0..SIDES.len() {
            let index = (round + turn) % SIDES.len();
            let (side, name) = SIDES[index];
            // A quick look at some sides only (BENCH_SIDES=0,2 for the queue and batched).
            if !only.is_empty() && !only.split(',').any(|n| n.trim() == index.to_string()) {
                continue;
            }
            let run = match side {
                Side::Queue => queue(admin_url, sizes).await?,
                Side::Graphile(settings) => graphile::run(admin_url, settings, sizes).await?,
            };
            println!(
                "  round {}: {name:<34} {:>9.0} jobs/s, start p50 {:.1} ms",
                round + 1,
                run.jobs_per_s,
                run.p50_ms
            );
            runs[index].push(run);
        }
    }
    print_table(&runs);
    Ok(())
}

/// New connections the way the queue's pool opens them (sqlx, `sslmode` as in the URL: by
/// default `prefer`, so TLS where the server offers it), beside the same in plaintext: a
/// worker's pool opens its connections as it ramps up, within the measured run.
async fn connect_times(admin_url: &str) -> anyhow::Result<()> {
    use sea_orm::sqlx::{Connection as _, PgConnection};
    const CONNECTS: usize = 20;
    let mut plaintext = url::Url::parse(admin_url)?;
    let pairs: Vec<(String, String)> = plaintext
        .query_pairs()
        .filter(|(key, _)| key != "sslmode")
        .map(|(k, v)| (k.into(), v.into()))
        .collect();
    plaintext.query_pairs_mut().clear().extend_pairs(pairs).append_pair("sslmode", "disable");
    let mut p50 = Vec::new();
    for url in [admin_url, plaintext.as_str()] {
        let mut times = Vec::with_capacity(CONNECTS);
        for _ in 0..CONNECTS {
            let started = Instant::now();
            let conn = PgConnection::connect(url).await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
            conn.close().await?;
        }
        p50.push(percentile(&times, 0.50));
    }
    println!(
        "  a new connection (sqlx, p50 of {CONNECTS}): {:.1} ms as configured (TLS when the server offers it), \
         {:.1} ms in plaintext, ratio {:.2}",
        p50[0],
        p50[1],
        p50[0] / p50[1]
    );
    Ok(())
}

fn print_table(runs: &[Vec<Run>]) {
    if runs.iter().any(Vec::is_empty) {
        return;
    }
    let pick = |side: usize, measure: fn(&Run) -> f64| median(runs[side].iter().map(measure).collect());
    // Each round's ratio, then their median: rounds run at different moments of a shared machine.
    let ratio = |side: usize| {
        median(
            runs[0]
                .iter()
                .zip(&runs[side])
                .map(|(ours, theirs)| ours.jobs_per_s / theirs.jobs_per_s)
                .collect(),
        )
    };
    println!(
        "\n{:<34} {:>9} {:>11} {:>11} {:>11} {:>13} {:>12} {:>10}",
        "postgres",
        "jobs/s",
        "queue/this",
        "start p50",
        "start p99",
        "enqueue p50",
        "commits/job",
        "WAL B/job"
    );
    for (index, (_, name)) in SIDES.iter().enumerate() {
        println!(
            "{name:<34} {:>9.0} {:>11.2} {:>8.1} ms {:>8.1} ms {:>10.1} ms {:>12.3} {:>10.0}",
            pick(index, |run| run.jobs_per_s),
            ratio(index),
            pick(index, |run| run.p50_ms),
            pick(index, |run| run.p99_ms),
            pick(index, |run| run.enqueue_p50_ms),
            pick(index, |run| run.commits_per_job),
            pick(index, |run| run.wal_per_job),
        );
    }
    println!(
        "target: queue/graphile batched >= 1.00, queue start p50 < 5 ms (enqueue p50: the enqueue's own \
         statement and commit, part of start)"
    );
}

fn worker_config() -> WorkerConfig {
    WorkerConfig { concurrency: CONCURRENCY, ..WorkerConfig::default() }
}

/// One run of the queue on a fresh database: throughput, then latency.
async fn queue(admin_url: &str, sizes: Sizes) -> anyhow::Result<Run> {
    let scratch = ScratchPostgres::create(admin_url).await?;
    let result = queue_on(&scratch, sizes, admin_url).await;
    scratch.drop_database().await;
    result
}

async fn queue_on(scratch: &ScratchPostgres, sizes: Sizes, admin_url: &str) -> anyhow::Result<Run> {
    let config = DatabaseConfig::new(scratch.url.parse()?);
    let setup = db::connect(&config).await?;
    db::migrate(&setup).await?;
    let txn = setup.begin().await?;
    jobs::enqueue_many(&txn, &vec![NewJob::of(&NoopJob::default()); sizes.jobs]).await?;
    txn.commit().await?;
    setup.close().await?;

    let mut stats = Stats::connect(admin_url).await?;
    let before = stats.once_idle(scratch.name()).await?;
    let started = Instant::now();
    let db = db::connect(&config).await?;
    let shutdown = CancellationToken::new();
    let registry = Registry::default().register::<NoopJob>();
    let worker = tokio::spawn(Worker::new(db.clone(), registry, (), worker_config()).run(shutdown.clone()));
    // Two lookups, each served by its partial index, so that polling costs the server little.
    let busy = "SELECT EXISTS (SELECT 1 FROM jobs WHERE state = 'queued') \
                OR EXISTS (SELECT 1 FROM jobs WHERE state = 'running')";
    let polls = wait_until_done(&scratch.url, busy, Duration::from_secs(600)).await?;
    let elapsed = started.elapsed();
    shutdown.cancel();
    worker.await?;
    db.close().await?;
    let after = stats.once_idle(scratch.name()).await?;
    stats.close().await;
    let (commits_per_job, wal_per_job) = after.per_job(before, polls, sizes.jobs);
    let (p50_ms, p99_ms, enqueue_p50_ms) = latency(&config, sizes.samples).await?;
    Ok(Run {
        jobs_per_s: sizes.jobs as f64 / elapsed.as_secs_f64(),
        p50_ms,
        p99_ms,
        enqueue_p50_ms,
        commits_per_job,
        wal_per_job,
    })
}

/// Where each latency job reports when it started: sample id -> its waiter.
static STARTED: LazyLock<Mutex<HashMap<u64, oneshot::Sender<Instant>>>> = LazyLock::new(Default::default);

/// A job that notes when it started.
#[derive(Debug, Serialize, Deserialize)]
struct LatencyJob {
    sample: u64,
}

impl Job for LatencyJob {
    const KIND: &'static str = "bench_latency";
    type Context = ();

    async fn perform(self, _ctx: JobContext<()>) -> Result<(), JobError> {
        let now = Instant::now();
        if let Some(waiter) = STARTED.lock().expect("not poisoned").remove(&self.sample) {
            let _ = waiter.send(now);
        }
        Ok(())
    }
}

/// p50 and p99 from just before `enqueue` to the job starting, and p50 of the enqueue alone,
/// in ms: jobs enqueued one at a time on a connection of their own (as an API process
/// would), the worker woken by PostgreSQL's NOTIFY, as a worker in another process is.
async fn latency(config: &DatabaseConfig, samples: usize) -> anyhow::Result<(f64, f64, f64)> {
    let db = db::connect(config).await?;
    let api = db::connect(&DatabaseConfig { database_max_connections: 1, ..config.clone() }).await?;
    let shutdown = CancellationToken::new();
    let registry = Registry::default().register::<LatencyJob>();
    let worker = tokio::spawn(Worker::new(db.clone(), registry, (), worker_config()).run(shutdown.clone()));
    tokio::time::sleep(Duration::from_millis(200)).await;
    let (mut delays, mut enqueues) = (Vec::with_capacity(samples), Vec::with_capacity(samples));
    for sample in 0..samples as u64 {
        let (waiter, started) = oneshot::channel();
        STARTED.lock().expect("not poisoned").insert(sample, waiter);
        let enqueued = Instant::now();
        jobs::enqueue(&api, NewJob::of(&LatencyJob { sample })).await?;
        enqueues.push(enqueued.elapsed().as_secs_f64() * 1000.0);
        let started = tokio::time::timeout(Duration::from_secs(10), started).await??;
        delays.push((started - enqueued).as_secs_f64() * 1000.0);
    }
    shutdown.cancel();
    worker.await?;
    api.close().await?;
    db.close().await?;
    Ok((percentile(&delays, 0.50), percentile(&delays, 0.99), percentile(&enqueues, 0.50)))
}
