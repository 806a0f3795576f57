//! The worker pool: claims jobs up to its concurrency, runs each attempt with
//! a heartbeat lease, records the outcome through the attempt's fence, rescues
//! jobs whose worker died, and shuts down gracefully.

use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use super::{Backoff, Claimed, Registry, store};
use crate::state::AppState;

mod attempt;

/// How a worker runs.
#[derive(Debug, Clone, clap::Args)]
pub struct WorkerConfig {
    /// Jobs this process runs at once (`serve` runs no worker when 0).
    #[arg(long = "worker-concurrency", env = "WORKER_CONCURRENCY", default_value_t = 4)]
    pub concurrency: u32,
    /// How often an idle worker looks for work without being woken, in ms.
    #[arg(long = "worker-poll-ms", env = "WORKER_POLL_MS", default_value_t = 1000)]
    pub poll_ms: u64,
    /// How long a claimed job stays leased without a heartbeat, in ms; a job
    /// whose worker died is rescued after this.
    #[arg(long = "job-lease-ms", env = "JOB_LEASE_MS", default_value_t = 30_000)]
    pub lease_ms: u64,
    /// On shutdown, how long running jobs get to finish before they are released, in seconds.
    #[arg(long = "worker-grace-secs", env = "WORKER_GRACE_SECS", default_value_t = 20)]
    pub grace_secs: u64,
    /// Delay before the first retry of a transient failure, in ms (doubling each time).
    #[arg(long = "job-backoff-base-ms", env = "JOB_BACKOFF_BASE_MS", default_value_t = 5_000)]
    pub backoff_base_ms: u64,
    /// Longest delay between retries, in seconds.
    #[arg(long = "job-backoff-cap-secs", env = "JOB_BACKOFF_CAP_SECS", default_value_t = 3_600)]
    pub backoff_cap_secs: u64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            concurrency: 4,
            poll_ms: 1000,
            lease_ms: 30_000,
            grace_secs: 20,
            backoff_base_ms: 5_000,
            backoff_cap_secs: 3_600,
        }
    }
}

impl WorkerConfig {
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
struct Shared {
    state: AppState,
    registry: Registry,
    config: WorkerConfig,
    worker_id: String,
}

impl Shared {
    fn new(state: AppState, registry: Registry, config: WorkerConfig, worker_id: String) -> Self {
        Self { state, registry, config, worker_id }
    }
}

/// A pool of job runners in this process.
pub struct Worker {
    shared: Arc<Shared>,
}

impl Worker {
    /// A worker performing the kinds in `registry`.
    pub fn new(state: AppState, registry: Registry, config: WorkerConfig) -> Self {
        let worker_id = format!("{}-{}", std::process::id(), uuid::Uuid::new_v4().simple());
        Self { shared: Arc::new(Shared::new(state, registry, config, worker_id)) }
    }

    /// This worker's id, as written in the `worker_id` of the jobs it holds.
    pub fn id(&self) -> &str {
        &self.shared.worker_id
    }

    /// Runs until `shutdown`; then stops claiming, gives running jobs the grace
    /// period to finish, and releases the rest back to the queue.
    pub async fn run(self, shutdown: CancellationToken) {
        let shared = self.shared;
        let config = &shared.config;
        let waker = shared.state.waker.clone();
        waker.listen(&shared.state.db, shutdown.clone());
        tracing::info!(worker = %shared.worker_id, concurrency = config.concurrency, kinds = ?shared.registry.kinds(), "worker started");
        let stop_jobs = CancellationToken::new();
        let mut running = JoinSet::new();
        let mut upkeep = Upkeep::default();
        let capacity = config.concurrency.max(1) as usize;
        while !shutdown.is_cancelled() {
            upkeep.run_if_due(&shared).await;
            let free = capacity.saturating_sub(running.len());
            let mut claimed = 0;
            if free > 0 {
                let claim = store::claim(&shared.state.db, &shared.worker_id, free as u32, config.lease());
                match claim.await {
                    Ok(jobs) => {
                        claimed = jobs.len();
                        for job in jobs {
                            running.spawn(attempt::run(shared.clone(), job, stop_jobs.child_token()));
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
        let finish = async { while running.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, finish).await.is_err() {
            stop_jobs.cancel();
            while running.join_next().await.is_some() {}
        }
        tracing::info!(worker = %shared.worker_id, "worker stopped");
    }
}

/// Periodic chores of a worker loop: rescuing expired leases, sampling queue depth.
#[derive(Default)]
struct Upkeep {
    last_rescue: Option<Instant>,
    last_sample: Option<Instant>,
}

impl Upkeep {
    async fn run_if_due(&mut self, shared: &Shared) {
        let db = &shared.state.db;
        let due = |last: Option<Instant>, every: Duration| last.is_none_or(|at| at.elapsed() >= every);
        if due(self.last_rescue, shared.config.lease() / 2) {
            self.last_rescue = Some(Instant::now());
            match store::rescue_expired(db).await {
                Ok(0) => {}
                Ok(rescued) => {
                    tracing::warn!(rescued, "rescued jobs whose lease expired");
                    shared.state.metrics.jobs.rescued.inc_by(rescued);
                }
                Err(err) => tracing::warn!(error = %err, "rescuing expired jobs failed"),
            }
        }
        if due(self.last_sample, Duration::from_secs(5)) {
            self.last_sample = Some(Instant::now());
            if let Ok(counts) = store::count_by_state(db).await {
                let depth = &shared.state.metrics.jobs.depth;
                depth.clear();
                for (state, count) in counts {
                    depth.get_or_create(&super::metrics::StateLabels { state }).set(count);
                }
            }
        }
    }
}

/// Runs every job that is runnable now, one at a time, until none is left;
/// returns how many attempts ran. Tests use it to drain the queue synchronously.
pub async fn drain(state: &AppState, registry: &Registry, config: &WorkerConfig) -> usize {
    let worker_id = format!("drain-{}", std::process::id());
    let shared = Arc::new(Shared::new(state.clone(), registry.clone(), config.clone(), worker_id));
    let mut ran = 0;
    loop {
        let claimed: Vec<Claimed> = match store::claim(&state.db, &shared.worker_id, 1, config.lease()).await
        {
            Ok(jobs) => jobs,
            Err(err) => {
                tracing::warn!(error = %err, "claiming jobs failed");
                return ran;
            }
        };
        let Some(job) = claimed.into_iter().next() else { return ran };
        attempt::run(shared.clone(), job, CancellationToken::new()).await;
        ran += 1;
    }
}
