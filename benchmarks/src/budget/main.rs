//! Rate budget benchmark (`make bench`): what incremental syncs, comment webhooks and the shared
//! budget spare Instagram, on the real server (`instacrush::app::Server`, port 0, its
//! in-process strict sandbox and its worker), numbers beside baselines and targets, not
//! assertions.
//!
//! 1. **Instagram calls per active account per day** ([`calls_per_day`]): the old policy (a
//!    full resync every 12 hours) against incremental resyncs as often as the app's freshness
//!    rule asks (every 48 hours while comments arrive by webhook), comment webhooks and a full
//!    reconciliation every `SYNC_FULL_EVERY_HOURS` (a week). Target: at least 10× fewer.
//! 2. **Webhook arrival → crush updated** ([`webhook_latency`]): p50 and p99 from a comment
//!    added in the sandbox (which posts the signed webhook) to `GET /api/crush` showing it.
//!    Target: p99 under 2 s.
//! 3. **Many accounts syncing against an app-level limit** ([`many_accounts`]): every sync
//!    finishes, none fails, no window holds more calls than the limit; wall time beside the
//!    limit's lower bound.
//!
//! SQLite always (a temp file); PostgreSQL when `BENCH_POSTGRES_URL` names a server where a
//! scratch database may be created. `BENCH_SAMPLES` (100) sizes part 2, `BENCH_PARTS=1,3`
//! runs only some parts.

mod calls_per_day;
mod many_accounts;
mod webhook_latency;

use std::time::{Duration, Instant};

use anyhow::bail;
use instacrush::entities::job;
use instacrush_benchmarks::{BenchDatabase, server::App};
use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let parts = env_list("BENCH_PARTS")?.unwrap_or_else(|| vec![1, 2, 3]);
    let samples = match env_list("BENCH_SAMPLES")?.as_deref() {
        None => 100,
        Some(&[samples]) => samples.max(1),
        Some(_) => bail!("BENCH_SAMPLES is one number"),
    };
    let backends = backends().await;
    println!("Rate budget: the real server with its in-process sandbox (strict) and worker\n");
    if parts.contains(&1) {
        calls_per_day::run(&backends).await?;
    }
    if parts.contains(&2) {
        webhook_latency::run(&backends, samples).await?;
    }
    if parts.contains(&3) {
        many_accounts::run(&backends).await?;
    }
    Ok(())
}

/// A comma-separated list of numbers in `name`, if set.
fn env_list(name: &str) -> anyhow::Result<Option<Vec<usize>>> {
    match std::env::var(name) {
        Ok(value) if !value.trim().is_empty() => {
            let parsed: Result<Vec<usize>, _> = value.split(',').map(|v| v.trim().parse()).collect();
            match parsed {
                Ok(list) => Ok(Some(list)),
                Err(_) => bail!("{name} must be numbers separated by commas, not {value:?}"),
            }
        }
        _ => Ok(None),
    }
}

/// The backends to run on: SQLite, and PostgreSQL when it answers (or why not).
async fn backends() -> Vec<Result<&'static str, String>> {
    let postgres = match BenchDatabase::postgres().await {
        Ok(probe) => {
            probe.close().await;
            Ok("postgres")
        }
        Err(err) => Err(format!("{err:#}")),
    };
    vec![Ok("sqlite"), postgres]
}

/// Runs `run` on a fresh database of each backend that answers (printing why PostgreSQL is
/// skipped otherwise), dropping the database after it.
async fn on_each_backend(
    backends: &[Result<&'static str, String>],
    mut run: impl AsyncFnMut(&'static str, &BenchDatabase) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    for backend in backends {
        match backend {
            Ok(name) => {
                let database = BenchDatabase::fresh(name).await?;
                let result = run(name, &database).await;
                database.close().await;
                result?;
            }
            Err(why) => println!("postgres  skipped: {why}"),
        }
    }
    Ok(())
}

/// The jobs of `kind`.
async fn jobs_of(app: &App, kind: &str) -> anyhow::Result<Vec<job::Model>> {
    Ok(job::Entity::find().filter(job::Column::Kind.eq(kind)).all(&app.state.db).await?)
}

/// Waits until no job of `kind` is queued or running.
async fn settle(app: &App, kind: &str, within: Duration) -> anyhow::Result<()> {
    let deadline = Instant::now() + within;
    while Instant::now() < deadline {
        if jobs_of(app, kind).await?.iter().all(|job| !job.state.is_active()) {
            return Ok(());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    bail!("{kind} jobs still active after {within:?}")
}

/// Signs `usernames` in and waits until every one is subscribed to comment webhooks; returns
/// their sessions.
async fn sign_in_subscribed(app: &App, usernames: &[String]) -> anyhow::Result<Vec<String>> {
    let mut sessions = Vec::with_capacity(usernames.len());
    for username in usernames {
        sessions.push(app.sign_in(username).await?);
    }
    settle(app, "subscribe_webhooks", Duration::from_secs(60)).await?;
    let accounts = app.sandbox(reqwest::Method::GET, "/_sandbox/accounts", None).await?;
    let subscribed = accounts["accounts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|account| usernames.iter().any(|u| account["username"] == u.as_str()))
        .filter(|account| account["subscribed_fields"] == serde_json::json!(["comments"]))
        .count();
    if subscribed != usernames.len() {
        bail!("{subscribed} of {} accounts subscribed to comment webhooks", usernames.len());
    }
    Ok(sessions)
}
