//! Part 2: from a comment webhook to the crush showing it.
//!
//! `ada.demo` signs in (the app subscribes her to comment webhooks) and syncs through the API.
//! Each sample then adds one comment by her crush to her newest post through the sandbox's
//! admin endpoint, which posts the signed webhook to the server at once, and polls her
//! `GET /api/crush` every [`POLL`] until the crush's comment count has moved by one: the time
//! from the admin request to that answer. In between, the server verifies and stores the
//! comment, its worker runs the debounced recompute (`WEBHOOK_RECOMPUTE_DEBOUNCE_MS` at its
//! default) and the read cache (`READ_CACHE_MS` at its default) forgets the old answer.

use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use instacrush_benchmarks::{BenchDatabase, percentile, server::App};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use super::{on_each_backend, sign_in_subscribed};

/// The account the comments go to.
const OWNER: &str = "ada.demo";
/// How often the client asks for the crush while it waits.
const POLL: Duration = Duration::from_millis(10);
/// Samples taken first and not counted.
const WARM_UP: usize = 3;
/// How long one sample may take before it counts as lost.
const GIVE_UP: Duration = Duration::from_secs(10);
/// The target for the p99, in ms.
const TARGET_MS: f64 = 2_000.0;

/// Part 2 on every backend.
pub async fn run(backends: &[Result<&'static str, String>], samples: usize) -> anyhow::Result<()> {
    println!(
        "2. Webhook arrival -> crush updated: a comment by {OWNER}'s crush added in the sandbox (it posts \
         the signed webhook) until GET /api/crush shows it, polled every {} ms; default debounce and read \
         cache; {samples} samples after {WARM_UP} of warm-up\n",
        POLL.as_millis()
    );
    println!(
        "{:<9} {:>5} {:>8} {:>8} {:>8} {:>5}  target",
        "backend", "n", "p50 ms", "p99 ms", "max ms", "lost"
    );
    on_each_backend(backends, async |name, database| run_backend(name, database, samples).await).await?;
    println!();
    Ok(())
}

async fn run_backend(name: &str, database: &BenchDatabase, samples: usize) -> anyhow::Result<()> {
    let app = App::start(database, |_| {}).await?;
    let measured = measure(&app, samples).await;
    app.stop().await;
    let (times, lost) = measured?;
    let (p50, p99) = (percentile(&times, 0.50), percentile(&times, 0.99));
    let max = times.iter().copied().fold(f64::NAN, f64::max);
    let verdict = if p99 < TARGET_MS && lost == 0 { "met" } else { "MISSED" };
    println!(
        "{name:<9} {:>5} {p50:>8.1} {p99:>8.1} {max:>8.1} {lost:>5}  p99 < {TARGET_MS:.0} ms {verdict}",
        times.len()
    );
    Ok(())
}

/// The times, in ms, of the samples that arrived, and how many did not within [`GIVE_UP`].
async fn measure(app: &App, samples: usize) -> anyhow::Result<(Vec<f64>, usize)> {
    let session = sign_in_subscribed(app, &[OWNER.to_owned()]).await?.remove(0);
    app.sync_and_wait(&session).await?;
    let first = crush(app, &session).await?;
    let author = first["crush"]["username"].as_str().context("Ada has no crush")?.to_owned();
    let mut count = first["comments_count"].as_i64().context("the crush has no comment count")?;
    let (mut times, mut lost) = (Vec::with_capacity(samples), 0);
    for i in 0..WARM_UP + samples {
        let started = Instant::now();
        let comment = json!({ "author": author, "text": format!("sample {i}") });
        app.sandbox(Method::POST, &format!("/_sandbox/accounts/{OWNER}/comments"), Some(comment)).await?;
        count += 1;
        let arrived = loop {
            let now = crush(app, &session).await?;
            if now["crush"]["username"] == author.as_str() && now["comments_count"].as_i64() == Some(count) {
                break true;
            }
            if started.elapsed() > GIVE_UP {
                break false;
            }
            tokio::time::sleep(POLL).await;
        };
        if i < WARM_UP {
            continue;
        }
        if arrived {
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        } else {
            lost += 1;
        }
    }
    Ok((times, lost))
}

/// The session's current crush (`crush` of `GET /api/crush`).
async fn crush(app: &App, session: &str) -> anyhow::Result<Value> {
    let response = app.get_as("/api/crush", session).await?;
    if response.status() != StatusCode::OK {
        bail!("GET /api/crush answered {}", response.status());
    }
    let body: Value = response.json().await?;
    Ok(body["crush"].clone())
}
