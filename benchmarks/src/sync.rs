//! Sync benchmark (`make bench`): syncing the sandbox's large account over real
//! HTTP, every Instagram call 100 ms slow, against the lower bound that
//! latency and the sync's concurrency allow. The profile and the media pages
//! are read one after another; the comment pages of `concurrency` posts at a
//! time. So the bound is `(sequential calls + comment calls ÷ concurrency) ×
//! latency`; the target is within 1.5× of it. Peak memory is printed too.
//!
//! SQLite always (a temp file); PostgreSQL when `BENCH_POSTGRES_URL` names a
//! server where a scratch database may be created.

use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use anyhow::Context as _;
use instacrush::{
    instagram::{AccessToken, CallRecord, InstagramClient, InstagramConfig},
    sync::{SyncSettings, sync_account},
};
use instacrush_benchmarks::{BenchDatabase, peak_rss_mib, reset_peak_rss};
use instagram_sandbox::SandboxConfig;

/// Posts of `big.demo`.
const POSTS: u32 = 2_000;
/// Top-level comments on them in all (replies come on top).
const COMMENTS: u32 = 100_000;
/// Added latency per Instagram call.
const LATENCY: Duration = Duration::from_millis(100);
/// The target: wall time within this factor of the lower bound.
const TARGET: f64 = 1.5;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let config = SandboxConfig {
        latency_ms: LATENCY.as_millis() as u64,
        large_account_posts: POSTS,
        large_account_comments: COMMENTS,
        ..SandboxConfig::default()
    };
    let sandbox = instagram_sandbox::spawn(config, "127.0.0.1:0".parse()?).await?;
    let settings = SyncSettings { window_posts: POSTS, ..SyncSettings::default() };
    println!(
        "Sync: big.demo ({POSTS} posts, {COMMENTS} top-level comments), {} ms per Instagram call, \
         {} posts at once; calls: sequential (profile, media pages) and comment pages\n",
        LATENCY.as_millis(),
        settings.post_concurrency
    );
    println!(
        "{:<9} {:>6} {:>8} {:>7} {:>7} {:>9} {:>9} {:>6}  {:<8} {:>9}",
        "backend", "posts", "rows", "seq", "comment", "wall (s)", "bound (s)", "ratio", "target", "peak MiB"
    );
    let sqlite = BenchDatabase::sqlite()?;
    let result = run_backend("sqlite", &sqlite, &sandbox.base_url(), &settings).await;
    sqlite.close().await;
    result?;
    match BenchDatabase::postgres().await {
        Ok(postgres) => {
            let result = run_backend("postgres", &postgres, &sandbox.base_url(), &settings).await;
            postgres.close().await;
            result?;
        }
        Err(err) => println!("postgres  skipped: {err:#}"),
    }
    sandbox.shutdown().await;
    Ok(())
}

/// Instagram calls made, by kind.
#[derive(Default)]
struct Calls {
    /// Calls made one after another: the profile and the media pages.
    sequential: AtomicU64,
    /// Comment and reply pages, read `concurrency` posts at a time.
    comments: AtomicU64,
}

impl Calls {
    fn record(&self, call: &CallRecord) {
        let counter = if call.endpoint.contains("/comments") || call.endpoint.contains("/replies") {
            &self.comments
        } else {
            &self.sequential
        };
        counter.fetch_add(1, Ordering::Relaxed);
    }
}

async fn run_backend(
    name: &str,
    database: &BenchDatabase,
    sandbox: &str,
    settings: &SyncSettings,
) -> anyhow::Result<()> {
    let db = database.connect(16).await?;
    let token = mint_token(sandbox).await?;
    let calls = Arc::new(Calls::default());
    let observer = calls.clone();
    let client = InstagramClient::with_observer(
        InstagramConfig::for_sandbox(sandbox),
        Arc::new(move |call: &CallRecord| observer.record(call)),
    )?;
    reset_peak_rss();
    let started = Instant::now();
    let report = sync_account(&db, &client, &token, settings, &()).await?;
    let wall = started.elapsed().as_secs_f64();
    let peak = peak_rss_mib().map_or_else(|| "n/a".to_owned(), |mib| format!("{mib:.0}"));
    let (sequential, comments) =
        (calls.sequential.load(Ordering::Relaxed), calls.comments.load(Ordering::Relaxed));
    let rounds = sequential as f64 + comments as f64 / settings.post_concurrency.max(1) as f64;
    let bound = rounds * LATENCY.as_secs_f64();
    let ratio = wall / bound;
    let verdict = if ratio <= TARGET { "met" } else { "MISSED" };
    println!(
        "{name:<9} {:>6} {:>8} {sequential:>7} {comments:>7} {wall:>9.1} {bound:>9.1} {ratio:>6.2}  <= {TARGET:<4} {peak:>9}  {verdict}",
        report.posts, report.interactions,
    );
    db.close().await?;
    Ok(())
}

/// A long-lived token for `big.demo`, minted without the OAuth dance.
async fn mint_token(sandbox: &str) -> anyhow::Result<AccessToken> {
    let url = format!("{sandbox}/_sandbox/accounts/big.demo/token");
    let body: serde_json::Value =
        reqwest::Client::new().post(url).send().await?.error_for_status()?.json().await?;
    let token = body["access_token"].as_str().context("the sandbox minted no token")?;
    Ok(AccessToken::new(token))
}
