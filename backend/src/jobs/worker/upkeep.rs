//! A worker's chores besides running jobs: rescuing jobs whose lease expired (or whose
//! process is gone), and sampling the queue's depth.

use std::time::{Duration, Instant};

use super::Shared;
use crate::jobs::{metrics::StateLabels, store};

/// This process's part of a worker id: `<pid>-…`.
pub(super) fn worker_id_prefix() -> String {
    format!("{}-", std::process::id())
}

/// On SQLite (one machine, and in practice one worker process), the jobs a previous run of
/// the process left `running` are rescued at once rather than after their lease: a worker id
/// starts with its process id, and a process that no longer exists holds nothing. PostgreSQL
/// workers on other machines cannot be checked this way; their jobs wait for the lease.
pub(super) async fn rescue_orphans<S>(shared: &Shared<S>) {
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
pub(super) struct Upkeep {
    last_rescue: Option<Instant>,
    last_sample: Option<Instant>,
}

impl Upkeep {
    pub(super) async fn run_if_due<S>(&mut self, shared: &Shared<S>) {
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
                    depth.get_or_create(&StateLabels { state }).set(count);
                }
            }
        }
    }
}
