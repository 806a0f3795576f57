//! The worker pool: claims jobs up to its concurrency, runs each attempt with
//! a heartbeat lease, records the outcome through the attempt's fence, rescues
//! jobs whose worker died, and shuts down gracefully.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use sea_orm::DatabaseConnection;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Backoff, Claimed, JobMetrics, Registry, Waker, store};

mod attempt;

/// How a worker runs.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerConfig {
    /// Jobs this process runs at once (`serve` runs no worker when 0).
    #[arg(long = "worker-concurrency", env = "WORKER_CONCURRENCY", default_value_t = WorkerConfig::DEFAULT_CONCURRENCY)]
    pub concurrency: u32,
    /// How often an idle worker looks for work without being woken, in ms.
    #[arg(long = "worker-poll-ms", env = "WORKER_POLL_MS", default_value_t = WorkerConfig::DEFAULT_POLL_MS)]
    pub poll_ms: u64,
    /// How long a claimed job stays leased without a heartbeat, in ms; a job
    /// whose worker died is rescued after this.
    #[arg(long = "job-lease-ms", env = "JOB_LEASE_MS", default_value_t = WorkerConfig::DEFAULT_LEASE_MS)]
    pub lease_ms: u64,
    /// On shutdown, how long running jobs get to finish before they are released, in seconds.
    #[arg(long = "worker-grace-secs", env = "WORKER_GRACE_SECS", default_value_t = WorkerConfig::DEFAULT_GRACE_SECS)]
    pub grace_secs: u64,
    /// Delay before the first retry of a transient failure, in ms (doubling each time).
    #[arg(long = "job-backoff-base-ms", env = "JOB_BACKOFF_BASE_MS", default_value_t = WorkerConfig::DEFAULT_BACKOFF_BASE_MS)]
    pub backoff_base_ms: u64,
    /// Longest delay between retries, in seconds.
    #[arg(long = "job-backoff-cap-secs", env = "JOB_BACKOFF_CAP_SECS", default_value_t = WorkerConfig::DEFAULT_BACKOFF_CAP_SECS)]
    pub backoff_cap_secs: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: Self::DEFAULT_CONCURRENCY,
            poll_ms: Self::DEFAULT_POLL_MS,
            lease_ms: Self::DEFAULT_LEASE_MS,
            grace_secs: Self::DEFAULT_GRACE_SECS,
            backoff_base_ms: Self::DEFAULT_BACKOFF_BASE_MS,
            backoff_cap_secs: Self::DEFAULT_BACKOFF_CAP_SECS,
        }
    }
}

impl WorkerConfig {
    const DEFAULT_CONCURRENCY: u32 = 4;
    const DEFAULT_POLL_MS: u64 = 1000;
    const DEFAULT_LEASE_MS: u64 = 30_000;
    const DEFAULT_GRACE_SECS: u64 = 20;
    const DEFAULT_BACKOFF_BASE_MS: u64 = 5_000;
    const DEFAULT_BACKOFF_CAP_SECS: u64 = 3_600;

    fn lease(&self) -> Duration {
        Duration::from_millis(self.lease_ms.max(100))
    }

    fn backoff(&self) -> Backoff {
        Backoff {
            base: Duration::from_millis(self.backoff_base_ms),
            cap: Duration::from_secs(self.backoff_cap_secs),
        }
    }
}

/// What every attempt of one worker shares.
struct Shared<S> {
    db: DatabaseConnection,
    waker: Waker,
    metrics: JobMetrics,
    state: S,
    registry: Registry<S>,
    config: WorkerConfig,
    worker_id: String,
}

/// A pool of job runners in this process.
pub struct Worker<S> {
    shared: Shared<S>,
}

impl<S: Clone + Send + Sync + 'static> Worker<S> {
    /// A worker claiming from the queue on `db` and performing the kinds in
    /// `registry`, each given its part of `state`.
    pub fn new(db: DatabaseConnection, registry: Registry<S>, state: S, config: WorkerConfig) -> Self {
        let worker_id = format!("{}{}", worker_id_prefix(), uuid::Uuid::new_v4().simple());
        let shared = Shared {
            db,
            waker: Waker::default(),
            metrics: JobMetrics::default(),
            state,
            registry,
            config,
            worker_id,
        };
        Self { shared }
    }

    /// Also wakes up when `waker` signals that a job was enqueued in this process.
    #[must_use]
    pub fn waking_on(mut self, waker: Waker) -> Self {
        self.shared.waker = waker;
        self
    }

    /// Records queue depth, attempts and rescues in `metrics`.
    #[must_use]
    pub fn recording(mut self, metrics: JobMetrics) -> Self {
        self.shared.metrics = metrics;
        self
    }

    /// This worker's id, as written in the `worker_id` of the jobs it holds.
    pub fn id(&self) -> &str {
        &self.shared.worker_id
    }

    /// Runs until `shutdown`; then stops claiming, gives running jobs the grace
    /// period to finish, and releases the rest back to the queue.
    pub async fn run(self, shutdown: CancellationToken) {
        let shared = Arc::new(self.shared);
        let config = &shared.config;
        let waker = shared.waker.clone();
        waker.listen(&shared.db, shutdown.clone());
        rescue_orphans(&shared).await;
        tracing::info!(worker = %shared.worker_id, concurrency = config.concurrency, kinds = ?shared.registry.kinds(), "worker started");
        // On shutdown, running jobs are first asked to wind down (a long job stops at a safe
        // point and resumes elsewhere), then, after the grace period, stopped.
        let wind_down = CancellationToken::new();
        let stop_jobs = CancellationToken::new();
        let mut running = JoinSet::new();
        let mut upkeep = Upkeep::default();
        let capacity = config.concurrency.max(1) as usize;
        while !shutdown.is_cancelled() {
            upkeep.run_if_due(&shared).await;
            let free = capacity.saturating_sub(running.len());
            let mut claimed = 0;
            if free > 0 {
                let claim = store::claim(&shared.db, &shared.worker_id, free as u32, config.lease());
                match claim.await {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for job in jobs {
                            running.spawn(attempt::run(
                                shared.clone(),
                                job,
                                wind_down.child_token(),
                                stop_jobs.child_token(),
                            ));
                        }
                    }
                    Err(err) => tracing::warn!(error = %err, "claiming jobs failed"),
                }
            }
            if claimed > 0 && running.len() < capacity {
                continue; // There may be more runnable jobs.
            }
            tokio::select! {
                () = shutdown.cancelled() => {}
                () = waker.notified(), if running.len() < capacity => {}
                Some(_) = running.join_next(), if !running.is_empty() => {}
                () = tokio::time::sleep(Duration::from_millis(config.poll_ms)) => {}
            }
            // Collect every attempt that finished meanwhile, so that the next
            // claim fills all free slots in one statement.
            while running.try_join_next().is_some() {}
        }
        let grace = Duration::from_secs(config.grace_secs);
        tracing::info!(running = running.len(), ?grace, "worker stopping");
        wind_down.cancel();
        let finish = async { while running.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, finish).await.is_err() {
            stop_jobs.cancel();
            while running.join_next().await.is_some() {}
        }
        tracing::info!(worker = %shared.worker_id, "worker stopped");
    }
}

/// This process's part of a worker id: `<pid>-…`.
fn worker_id_prefix() -> String {
    format!("{}-", std::process::id())
}

/// On SQLite (one machine, and in practice one worker process), the jobs a previous run of
/// the process left `running` are rescued at once rather than after their lease: a worker id
/// starts with its process id, and a process that no longer exists holds nothing. PostgreSQL
/// workers on other machines cannot be checked this way; their jobs wait for the lease.
async fn rescue_orphans<S>(shared: &Shared<S>) {
    if shared.db.get_database_backend() != sea_orm::DbBackend::Sqlite {
        return;
    }
    match store::rescue_orphans(&shared.db, process_gone).await {
        Ok(0) => {}
        Ok(rescued) => {
            tracing::warn!(rescued, "rescued the jobs an earlier run of this process left running");
            shared.metrics.rescued.inc_by(rescued);
        }
        Err(err) => tracing::warn!(error = %err, "rescuing the jobs of an earlier run failed"),
    }
}

/// Whether the process that wrote `worker_id` has ended, as far as this machine can tell
/// (`/proc` on Linux; elsewhere nothing is known to have ended).
fn process_gone(worker_id: &str) -> bool {
    let Some(pid) = worker_id.split('-').next().and_then(|pid| pid.parse::<u32>().ok()) else {
        return false;
    };
    let proc = std::path::Path::new("/proc");
    pid != std::process::id() && proc.join("self").exists() && !proc.join(pid.to_string()).exists()
}

/// Periodic chores of a worker loop: rescuing expired leases, sampling queue depth.
#[derive(Default)]
struct Upkeep {
    last_rescue: Option<Instant>,
    last_sample: Option<Instant>,
}

impl Upkeep {
    async fn run_if_due<S>(&mut self, shared: &Shared<S>) {
        let db = &shared.db;
        let due = |last: Option<Instant>, every: Duration| last.is_none_or(|at| at.elapsed() >= every);
        if due(self.last_rescue, shared.config.lease() / 2) {
            self.last_rescue = Some(Instant::now());
            match store::rescue_expired(db).await {
                Ok(0) => {}
                Ok(rescued) => {
                    tracing::warn!(rescued, "rescued jobs whose lease expired");
                    shared.metrics.rescued.inc_by(rescued);
                }
                Err(err) => tracing::warn!(error = %err, "rescuing expired jobs failed"),
            }
        }
        if due(self.last_sample, Duration::from_secs(5)) {
            self.last_sample = Some(Instant::now());
            if let Ok(counts) = store::count_by_state(db).await {
                let depth = &shared.metrics.depth;
                depth.clear();
                for (state, count) in counts {
                    depth.get_or_create(&super::metrics::StateLabels { state }).set(count);
                }
            }
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Worker<S> {
    /// Runs every job that is runnable now, one at a time, until none is left;
    /// returns how many attempts ran. Tests use it to drain the queue synchronously.
    pub async fn drain(self) -> usize {
        let shared = Arc::new(Shared { worker_id: format!("{}drain", worker_id_prefix()), ..self.shared });
        let mut ran = 0;
        loop {
            let claim = store::claim(&shared.db, &shared.worker_id, 1, shared.config.lease());
            let claimed: Vec<Claimed> = match claim.await {
                Ok(jobs) => jobs,
                Err(err) => {
                    tracing::warn!(error = %err, "claiming jobs failed");
                    return ran;
                }
            };
            let Some(job) = claimed.into_iter().next() else { return ran };
            attempt::run(shared.clone(), job, CancellationToken::new(), CancellationToken::new()).await;
            ran += 1;
        }
    }
}
