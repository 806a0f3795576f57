//! Part 1: Instagram calls per active account per day, counted by the sandbox.
//!
//! Nobody waits 24 hours: a day is put together from real syncs against the real sandbox, with
//! real activity between them. The five demo accounts and `big.demo` (100 posts, the sync's
//! window, with 25,000 comments between them: a big account) sign in through OAuth, so the app
//! subscribes each to comment webhooks, and each is synced once (a full sync). Then a stretch
//! of activity: the sandbox's activity knob (`activity_per_minute`) adds comments to the three
//! newest posts of the subscribed accounts, in turn, which moves those posts'
//! `comments_count`, and posts each as a signed webhook that the app applies with no Instagram
//! call. Counted, per account, in the sandbox (`GET /_sandbox/calls`):
//!
//! - the calls made while the webhooks arrived and the crushes were recomputed (`hooks`: 0 is
//!   the design),
//! - an incremental resync (`incr`, the app's periodic resync),
//! - a full sync (`full`, `SYNC_FULL_EVERY_HOURS=0`: the old policy's 12-hourly resync, and the
//!   new policy's weekly reconciliation).
//!
//! How often the new policy resyncs an account is the app's own rule, asked of each account
//! after the activity (`SyncSettings::fresh_for_account`): every `SYNC_WEBHOOK_FRESH_HOURS`
//! (48) for an account whose comments arrived by webhook since its last sync, every
//! `SYNC_FRESH_HOURS` (12) otherwise. Per day, the old policy costs `2 × full`; the new one
//! `r × incr + full ÷ 7 + 2 × hooks`, with `r` resyncs a day (a stretch of activity taken as a
//! half-day's). For reference, the same
//! activity again with the webhooks lost (the sandbox's callback URL cleared): what the app's
//! resyncs cost when they must find the new comments themselves, every 12 hours.

use std::{collections::BTreeMap, time::Duration};

use anyhow::Context as _;
use instacrush::{
    crush::owner_account,
    instagram::AccessToken,
    sync::{SyncSettings, sync_account},
};
use instacrush_benchmarks::{BenchDatabase, server::App};
use reqwest::Method;
use sea_orm::{ConnectionTrait as _, Statement};
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
/// How long the activity runs between two syncs.
const ACTIVITY: Duration = Duration::from_secs(3);
/// Resyncs a day under the old policy (fresh for 12 hours).
const OLD_RESYNCS_PER_DAY: f64 = 2.0;
/// A day.
const DAY: Duration = Duration::from_secs(24 * 3600);
/// The target: at least this many times fewer calls.
const TARGET: f64 = 10.0;

/// Calls per account in each phase, the resyncs a day the app's policy gives each account
/// (with webhooks, and with them lost), and the comments each stretch of activity added.
struct Measured {
    full: BTreeMap<String, f64>,
    incremental: BTreeMap<String, f64>,
    hooks: BTreeMap<String, f64>,
    resyncs: BTreeMap<String, f64>,
    without_hooks: BTreeMap<String, f64>,
    resyncs_without_hooks: BTreeMap<String, f64>,
    comments: u64,
}

/// Part 1 on every backend.
pub async fn run(backends: &[Result<&'static str, String>]) -> anyhow::Result<()> {
    let settings = SyncSettings::default();
    let full_days = f64::from(settings.full_every_hours) / 24.0;
    println!(
        "1. Instagram calls per active account per day: old = full resync every 12 h (2 x full); \
         new = incremental resync every {} h while comments arrive by webhook ({} h otherwise) + \
         comment webhooks + full sync every {full_days:.0} days (r x incr + full / {full_days:.0} + 2 x hooks)\n   \
         {} s of sandbox activity at {ACTIVITY_PER_MINUTE:.0} comments/min over the subscribed accounts \
         between two syncs; calls counted by the sandbox; r = resyncs a day, the app's rule for each account\n",
        settings.webhook_fresh_hours,
        settings.fresh_hours,
        ACTIVITY.as_secs()
    );
    println!(
        "{:<9} {:<14} {:>7} {:>6} {:>6} {:>5} {:>8} {:>8} {:>7}  {:<15} {:>12}",
        "backend",
        "accounts",
        "full",
        "incr",
        "hooks",
        "r",
        "old/day",
        "new/day",
        "fewer",
        "target",
        "no hooks/day"
    );
    on_each_backend(backends, async |name, database| run_backend(name, database, full_days).await).await?;
    println!(
        "\n   full/incr/hooks: calls per account (demo: the mean of 5); hooks: calls while the webhooks \
         arrived, per stretch of activity, taken as a half-day's; no hooks/day: the new policy if the \
         webhooks were lost, for reference\n   \
         the weekly full sync caps the gain at {:.0}x\n",
        OLD_RESYNCS_PER_DAY * full_days,
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
        // Per account, then the mean: each account's resyncs at its own rate.
        let per_day = |incr: &BTreeMap<String, f64>, resyncs: &BTreeMap<String, f64>, hooks: f64| {
            let each = |m: &&str| {
                let key = (*m).to_owned();
                resyncs.get(&key).copied().unwrap_or(OLD_RESYNCS_PER_DAY)
                    * incr.get(&key).copied().unwrap_or_default()
            };
            members.iter().map(each).sum::<f64>() / members.len() as f64
                + mean(&measured.full) / full_days
                + hooks
        };
        let (full, incr, hooks) = (mean(&measured.full), mean(&measured.incremental), mean(&measured.hooks));
        let resyncs = mean(&measured.resyncs);
        let old = OLD_RESYNCS_PER_DAY * full;
        let new = per_day(&measured.incremental, &measured.resyncs, OLD_RESYNCS_PER_DAY * hooks);
        let blind = per_day(&measured.without_hooks, &measured.resyncs_without_hooks, 0.0);
        let fewer = old / new;
        let verdict = if fewer >= TARGET { "met" } else { "MISSED" };
        println!(
            "{name:<9} {label:<14} {full:>7.1} {incr:>6.1} {hooks:>6.1} {resyncs:>5.2} {old:>8.1} {new:>8.1} {:>7}  {:<15} {blind:>12.1}",
            format!("{fewer:.1}x"),
            format!(">= {TARGET:.0}x {verdict}"),
        );
    }
    println!(
        "{name:<9} ({} comments per stretch of activity, {per_account:.1} per account)",
        measured.comments
    );
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
    let (comments, hooks) = activity(app).await?;
    let resyncs = resyncs_per_day(app, &usernames).await?;
    let incremental_calls = sync_all(app, &tokens, &incremental).await?;
    let full_calls = sync_all(app, &tokens, &full).await?;
    app.set_knobs(json!({ "webhook_url": "" })).await?;
    activity(app).await?;
    let resyncs_without_hooks = resyncs_per_day(app, &usernames).await?;
    let without_hooks = sync_all(app, &tokens, &incremental).await?;
    Ok(Measured {
        full: full_calls,
        incremental: incremental_calls,
        hooks,
        resyncs,
        without_hooks,
        resyncs_without_hooks,
        comments,
    })
}

/// How many resyncs a day the app's policy gives each account as it stands: a day over how
/// long its synced data stays fresh (`SyncSettings::fresh_for_account`).
async fn resyncs_per_day(app: &App, usernames: &[String]) -> anyhow::Result<BTreeMap<String, f64>> {
    let mut resyncs = BTreeMap::new();
    for username in usernames {
        let sql = "SELECT user_id FROM instagram_users WHERE username = $1 AND user_id IS NOT NULL";
        let statement =
            Statement::from_sql_and_values(app.state.db.get_database_backend(), sql, [username.into()]);
        let row =
            app.state.db.query_one_raw(statement).await?.with_context(|| format!("{username} signed in"))?;
        let user_id: i64 = row.try_get("", "user_id")?;
        let account = owner_account(&app.state.db, user_id).await?.context("an account")?;
        let fresh = app.state.sync.fresh_for_account(account.last_synced_at, account.last_event_at);
        resyncs.insert(username.clone(), DAY.as_secs_f64() / fresh.as_secs_f64());
    }
    Ok(resyncs)
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

/// A stretch of activity; returns the comments added and the calls made meanwhile (webhooks
/// arriving, crushes recomputed), per account.
async fn activity(app: &App) -> anyhow::Result<(u64, BTreeMap<String, f64>)> {
    app.sandbox(Method::DELETE, "/_sandbox/calls", None).await?;
    app.sandbox(Method::DELETE, "/_sandbox/webhooks", None).await?;
    app.set_knobs(json!({ "activity_per_minute": ACTIVITY_PER_MINUTE })).await?;
    tokio::time::sleep(ACTIVITY).await;
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
