//! Job queue benchmark (`make bench`): no-op job throughput and enqueue-to-start latency
//! through the real worker.
//!
//! - SQLite (a temp file, always): the queue beside a bare loop running the same claim and
//!   complete statements on the same database in the same run, with the ratio.
//! - PostgreSQL (when `BENCH_POSTGRES_URL` names a server where scratch databases may be
//!   created): the queue beside graphile-worker (pinned in `benchmarks/graphile/`), in its
//!   default settings and in the batching its own perfTest uses; each run on a fresh
//!   database, the sides interleaved round by round, medians shown. Besides jobs/s and
//!   latency, each side's commits per job (`pg_stat_database.xact_commit`) and WAL bytes
//!   per job (`pg_current_wal_lsn()`, server-wide).
//!
//! `BENCH_JOBS` (20,000), `BENCH_ROUNDS` (3) and `BENCH_SAMPLES` (200 latency samples) size
//! the PostgreSQL runs; smaller values make a quick check.

mod graphile;
mod postgres;
mod sqlite;
mod stats;

/// Jobs each worker runs at once, on every side.
const CONCURRENCY: u32 = 8;

/// How big the PostgreSQL runs are.
#[derive(Debug, Clone, Copy)]
struct Sizes {
    jobs: usize,
    rounds: usize,
    samples: usize,
}

fn env_or(name: &str, default: usize) -> anyhow::Result<usize> {
    match std::env::var(name) {
        Ok(value) if !value.is_empty() => {
            value.parse().map_err(|_| anyhow::anyhow!("{name} must be a positive number, not {value:?}"))
        }
        _ => Ok(default),
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let sizes = Sizes {
        jobs: env_or("BENCH_JOBS", 20_000)?.max(1),
        rounds: env_or("BENCH_ROUNDS", 3)?.max(1),
        samples: env_or("BENCH_SAMPLES", 200)?.max(1),
    };
    sqlite::run().await?;
    println!();
    match std::env::var("BENCH_POSTGRES_URL") {
        Ok(admin) if !admin.is_empty() => postgres::run(&admin, sizes).await?,
        _ => println!("postgres: skipped (set BENCH_POSTGRES_URL to include it)"),
    }
    Ok(())
}
