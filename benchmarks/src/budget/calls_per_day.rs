//! Part 1: Instagram calls per active account per day, counted by the sandbox.
//!
//! Nobody waits 24 hours: a day is put together from real syncs against the real sandbox, with
//! real activity between them. The five demo accounts and `big.demo` (100 posts, the sync's
//! window, with 25,000 comments between them: a big account) sign in through OAuth, so the app
//! subscribes each to comment webhooks, and each is synced once (a full sync). Then a
//! simulated half-day: the sandbox's activity knob (`activity_per_minute`) adds comments to the
//! three newest posts of the subscribed accounts, in turn, which moves those posts'
//! `comments_count`, and posts each as a signed webhook that the app applies with no Instagram
//! call. Counted, per account, in the sandbox (`GET /_sandbox/calls`):
//!
//! - the calls made while the webhooks arrived and the crushes were recomputed (`hooks`: 0 is
//!   the design),
//! - an incremental resync (`incr`, the app's 12-hourly resync),
//! - a full sync (`full`, `SYNC_FULL_EVERY_HOURS=0`: the old policy's 12-hourly resync, and the
//!   new policy's weekly reconciliation).
//!
//! Per day, the old policy costs `2 × full`; the new one `2 × incr + full ÷ 7 + 2 × hooks`.
//! For reference, the same half-day again with the webhooks lost (the sandbox's callback URL
//! cleared): what an incremental resync costs when it must find the new comments itself.

use std::{collections::BTreeMap, time::Duration};

use anyhow::Context as _;
use instacrush::{
    instagram::AccessToken,
    sync::{SyncSettings, sync_account},
};
use instacrush_benchmarks::{BenchDatabase, server::App};
use reqwest::Method;
use serde_json::json;

use super::{on_each_backend, settle, sign_in_subscribed};

/// The small accounts.
const DEMO: [&str; 5] = ["ada.demo", "ben.demo", "cleo.demo", "dev.demo", "eve.demo"];
/// The big account.
const BIG: &str = "big.demo";
/// Posts of the big account: the sync's window.
const BIG_POSTS: u32 = 100;
/// Top-level comments on them in all, front-loaded (replies come on top).
const BIG_COMMENTS: u32 = 25_000;
/// New comments per minute across the subscribed accounts during a simulated half-day.
const ACTIVITY_PER_MINUTE: f64 = 1_200.0;
/// How long the activity runs for a simulated half-day.
const HALF_DAY: Duration = Duration::from_secs(3);
/// Resyncs a day of an active account (fresh for 12 hours).
const RESYNCS_PER_DAY: f64 = 2.0;
/// The target: at least this many times fewer calls.
const TARGET: f64 = 10.0;

/// Calls per account in each phase, and the comments each simulated half-day added.
struct Measured {
    full: BTreeMap<String, f64>,
    incremental: BTreeMap<String, f64>,
    hooks: BTreeMap<String, f64>,
    without_hooks: BTreeMap<String, f64>,
    comments: u64,
}

/// Part 1 on every backend.
pub async fn run(backends: &[Result<&'static str, String>]) -> anyhow::Result<()> {
    let full_days = f64::from(SyncSettings::default().full_every_hours) / 24.0;
    println!(
        "1. Instagram calls per active account per day: old = full resync every 12 h (2 x full); \
         new = incremental resync every 12 h + comment webhooks + full sync every {full_days:.0} days \
         (2 x incr + full / {full_days:.0} + 2 x hooks)\n   \
         a simulated half-day = {} s of sandbox activity at {ACTIVITY_PER_MINUTE:.0} comments/min over the \
         subscribed accounts; calls counted by the sandbox\n",
        HALF_DAY.as_secs()
    );
    println!(
        "{:<9} {:<14} {:>7} {:>6} {:>6} {:>8} {:>8} {:>7}  {:<15} {:>12}",
        "backend",
        "accounts",
        "full",
        "incr",
        "hooks",
        "old/day",
        "new/day",
        "fewer",
        "target",
        "no hooks/day"
    );
    on_each_backend(backends, async |name, database| run_backend(name, database, full_days).await).await?;
    println!(
        "\n   full/incr/hooks: calls per account (demo: the mean of 5); no hooks/day: the new policy \
         if the webhooks were lost, for reference\n   \
         the weekly full sync caps the gain at {:.0}x, and 10x needs full >= {:.0} x incr \
         (an incremental resync still reads the profile and the post list)\n",
        RESYNCS_PER_DAY * full_days,
        RESYNCS_PER_DAY * TARGET / (RESYNCS_PER_DAY - TARGET / full_days),
    );
    Ok(())
}

async fn run_backend(name: &str, database: &BenchDatabase, full_days: f64) -> anyhow::Result<()> {
    let app = App::start(database, |config| {
        config.process.instagram.sandbox.large_account_posts = BIG_POSTS;
        config.process.instagram.sandbox.large_account_comments = BIG_COMMENTS;
    })
    .await?;
    let measured = measure(&app).await;
    app.stop().await;
    let measured = measured?;
    let accounts = DEMO.len() + 1;
    let per_account = measured.comments as f64 / accounts as f64;
    for (label, members) in [("5 demo (mean)", &DEMO[..]), (BIG, &[BIG][..])] {
        let mean = |values: &BTreeMap<String, f64>| {
            members.iter().map(|m| values.get(*m).copied().unwrap_or_default()).sum::<f64>()
                / members.len() as f64
        };
        let (full, incr, hooks) = (mean(&measured.full), mean(&measured.incremental), mean(&measured.hooks));
        let old = RESYNCS_PER_DAY * full;
        let new = RESYNCS_PER_DAY * incr + full / full_days + RESYNCS_PER_DAY * hooks;
        let blind = RESYNCS_PER_DAY * mean(&measured.without_hooks) + full / full_days;
        let fewer = old / new;
        let verdict = if fewer >= TARGET { "met" } else { "MISSED" };
        println!(
            "{name:<9} {label:<14} {full:>7.1} {incr:>6.1} {hooks:>6.1} {old:>8.1} {new:>8.1} {:>7}  {:<15} {blind:>12.1}",
            format!("{fewer:.1}x"),
            format!(">= {TARGET:.0}x {verdict}"),
        );
    }
    println!("{name:<9} ({} comments per half-day, {per_account:.1} per account)", measured.comments);
    Ok(())
}

/// Signs the accounts in, syncs them, and counts the calls of each phase.
async fn measure(app: &App) -> anyhow::Result<Measured> {
    let usernames: Vec<String> = DEMO.iter().chain([&BIG]).map(|u| (*u).to_owned()).collect();
    sign_in_subscribed(app, &usernames).await?;
    let mut tokens = Vec::new();
    for username in &usernames {
        tokens.push((username.clone(), mint_token(app, username).await?));
    }
    let incremental = SyncSettings::default();
    let full = SyncSettings { full_every_hours: 0, ..SyncSettings::default() };
    sync_all(app, &tokens, &incremental).await?; // the first sync of each, a full one
    let (comments, hooks) = half_day(app).await?;
    let incremental_calls = sync_all(app, &tokens, &incremental).await?;
    let full_calls = sync_all(app, &tokens, &full).await?;
    app.set_knobs(json!({ "webhook_url": "" })).await?;
    half_day(app).await?;
    let without_hooks = sync_all(app, &tokens, &incremental).await?;
    Ok(Measured { full: full_calls, incremental: incremental_calls, hooks, without_hooks, comments })
}

/// Syncs every account once with `settings`; returns the calls each made.
async fn sync_all(
    app: &App,
    tokens: &[(String, AccessToken)],
    settings: &SyncSettings,
) -> anyhow::Result<BTreeMap<String, f64>> {
    app.sandbox(Method::DELETE, "/_sandbox/calls", None).await?;
    for (username, token) in tokens {
        sync_account(&app.state.db, &app.state.instagram, token, settings, &())
            .await
            .with_context(|| format!("syncing {username}"))?;
    }
    calls_by_account(app).await
}

/// A simulated half-day of activity; returns the comments added and the calls made meanwhile
/// (webhooks arriving, crushes recomputed), per account.
async fn half_day(app: &App) -> anyhow::Result<(u64, BTreeMap<String, f64>)> {
    app.sandbox(Method::DELETE, "/_sandbox/calls", None).await?;
    app.sandbox(Method::DELETE, "/_sandbox/webhooks", None).await?;
    app.set_knobs(json!({ "activity_per_minute": ACTIVITY_PER_MINUTE })).await?;
    tokio::time::sleep(HALF_DAY).await;
    app.set_knobs(json!({ "activity_per_minute": 0.0 })).await?;
    let comments = deliveries_settled(app).await?;
    settle(app, "recompute_crush", Duration::from_secs(30)).await?;
    Ok((comments, calls_by_account(app).await?))
}

/// Waits until every webhook POST was delivered (or had nowhere to go); returns the comments
/// they carried.
async fn deliveries_settled(app: &App) -> anyhow::Result<u64> {
    let mut last = None;
    for _ in 0..200 {
        let body = app.sandbox(Method::GET, "/_sandbox/webhooks", None).await?;
        let deliveries = body["deliveries"].as_array().cloned().unwrap_or_default();
        let settled = deliveries.iter().all(|d| d["delivered"] == true || d["url"].is_null());
        let comments: u64 = deliveries.iter().filter_map(|d| d["changes"].as_u64()).sum();
        if settled && last == Some(comments) {
            return Ok(comments);
        }
        last = Some(comments);
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    anyhow::bail!("the webhooks were still being delivered after 20 s")
}

/// The calls the sandbox answered since the last reset, per account.
async fn calls_by_account(app: &App) -> anyhow::Result<BTreeMap<String, f64>> {
    let calls = app.sandbox(Method::GET, "/_sandbox/calls", None).await?;
    let by_account = calls["by_account"].as_object().cloned().unwrap_or_default();
    Ok(by_account
        .into_iter()
        .map(|(username, counts)| (username, counts["total"].as_f64().unwrap_or_default()))
        .collect())
}

/// A long-lived token for `username`, minted without the OAuth dance.
async fn mint_token(app: &App, username: &str) -> anyhow::Result<AccessToken> {
    let body = app.sandbox(Method::POST, &format!("/_sandbox/accounts/{username}/token"), None).await?;
    let token = body["access_token"].as_str().context("the sandbox minted no token")?;
    Ok(AccessToken::new(token))
}
