//! graphile-worker's side: `benchmarks/graphile/bench.js` in a Node.js process, on a fresh
//! database, driven line by line so that the counters and the clock frame its run alone.

use std::{process::Stdio, time::Duration};

use anyhow::Context as _;
use instacrush_benchmarks::ScratchPostgres;
use tokio::{
    io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader, Lines},
    process::{ChildStdin, ChildStdout, Command},
};

use super::{
    CONCURRENCY, Sizes,
    postgres::Run,
    stats::{Stats, wait_until_done},
};

/// graphile-worker's settings in a run.
#[derive(Debug, Clone, Copy)]
pub enum Settings {
    /// Its defaults (but the concurrency).
    Default,
    /// The batching its perfTest uses: a local queue of 500, completions batched.
    Batched,
}

impl Settings {
    fn arg(self) -> &'static str {
        match self {
            Self::Default => "default",
            Self::Batched => "batched",
        }
    }
}

/// The script, and whether its dependencies are installed (`make bench` runs `npm ci`).
fn script() -> anyhow::Result<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("graphile");
    anyhow::ensure!(
        dir.join("node_modules/graphile-worker").is_dir(),
        "graphile-worker is not installed: run `npm ci` in {}",
        dir.display()
    );
    Ok(dir.join("bench.js"))
}

struct Driver {
    stdin: ChildStdin,
    stdout: Lines<BufReader<ChildStdout>>,
}

impl Driver {
    async fn say(&mut self, line: &str) -> anyhow::Result<()> {
        self.stdin.write_all(format!("{line}\n").as_bytes()).await?;
        Ok(self.stdin.flush().await?)
    }

    async fn hear(&mut self) -> anyhow::Result<String> {
        let line = tokio::time::timeout(Duration::from_secs(300), self.stdout.next_line()).await;
        line.context("graphile-worker's script went quiet")??.context("graphile-worker's script ended early")
    }

    async fn expect(&mut self, word: &str) -> anyhow::Result<()> {
        let line = self.hear().await?;
        anyhow::ensure!(line == word, "graphile-worker's script said {line:?}, not {word:?}");
        Ok(())
    }
}

/// One run of graphile-worker on a fresh database.
pub async fn run(admin_url: &str, settings: Settings, sizes: Sizes) -> anyhow::Result<Run> {
    let script = script()?;
    let scratch = ScratchPostgres::create(admin_url).await?;
    let result = run_on(&scratch, &script, settings, sizes, admin_url).await;
    scratch.drop_database().await;
    result
}

async fn run_on(
    scratch: &ScratchPostgres,
    script: &std::path::Path,
    settings: Settings,
    sizes: Sizes,
    admin_url: &str,
) -> anyhow::Result<Run> {
    let mut child = Command::new("node")
        .arg(script)
        .args([&scratch.url, settings.arg()])
        .args([sizes.jobs, CONCURRENCY as usize, sizes.samples].map(|n| n.to_string()))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .kill_on_drop(true)
        .spawn()
        .context("cannot start node (graphile-worker's side needs Node.js)")?;
    let mut driver = Driver {
        stdin: child.stdin.take().context("stdin")?,
        stdout: BufReader::new(child.stdout.take().context("stdout")?).lines(),
    };
    driver.expect("ready").await?;
    let mut stats = Stats::connect(admin_url).await?;
    let before = stats.once_idle(scratch.name()).await?;
    let started = std::time::Instant::now();
    driver.say("go").await?;
    let busy = "SELECT EXISTS (SELECT 1 FROM graphile_worker._private_jobs)";
    let polls = wait_until_done(&scratch.url, busy, Duration::from_secs(600)).await?;
    let elapsed = started.elapsed();
    driver.say("stop").await?;
    driver.expect("stopped").await?;
    let after = stats.once_idle(scratch.name()).await?;
    stats.close().await;
    driver.say("latency").await?;
    let latency: serde_json::Value = serde_json::from_str(&driver.hear().await?)?;
    child.wait().await?;
    let (commits_per_job, wal_per_job) = after.per_job(before, polls, sizes.jobs);
    Ok(Run {
        jobs_per_s: sizes.jobs as f64 / elapsed.as_secs_f64(),
        p50_ms: latency["p50"].as_f64().context("p50")?,
        p99_ms: latency["p99"].as_f64().context("p99")?,
        enqueue_p50_ms: latency["add_p50"].as_f64().context("add_p50")?,
        commits_per_job,
        wal_per_job,
    })
}
