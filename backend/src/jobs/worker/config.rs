//! How a worker runs: concurrency, polling, leases, grace, retries, claiming ahead and
//! grouped completions (flags and environment variables).

use std::time::Duration;

use crate::jobs::Backoff;

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
    /// Jobs claimed ahead of free slots, so that a slot that frees starts its next job without
    /// waiting for a claim (0: claim only for free slots).
    #[arg(long = "job-prefetch", env = "JOB_PREFETCH", default_value_t = WorkerConfig::DEFAULT_PREFETCH)]
    pub prefetch: u32,
    /// How long finished jobs wait to be written together in one statement, in ms (0: each
    /// write takes what has finished by then).
    #[arg(long = "job-completion-batch-ms", env = "JOB_COMPLETION_BATCH_MS", default_value_t = WorkerConfig::DEFAULT_COMPLETION_BATCH_MS)]
    pub completion_batch_ms: u64,
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
            prefetch: Self::DEFAULT_PREFETCH,
            completion_batch_ms: Self::DEFAULT_COMPLETION_BATCH_MS,
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
    const DEFAULT_PREFETCH: u32 = 8;
    const DEFAULT_COMPLETION_BATCH_MS: u64 = 2;

    pub(super) fn lease(&self) -> Duration {
        Duration::from_millis(self.lease_ms.max(100))
    }

    pub(super) fn completion_window(&self) -> Duration {
        Duration::from_millis(self.completion_batch_ms)
    }

    pub(super) fn backoff(&self) -> Backoff {
        Backoff {
            base: Duration::from_millis(self.backoff_base_ms),
            cap: Duration::from_secs(self.backoff_cap_secs),
        }
    }
}
