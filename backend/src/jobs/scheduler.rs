//! Periodic work through the same queue: the cron scheduler enqueues jobs, one
//! per tick however many processes fire it (the tick's `schedule_key` is unique).

use std::{sync::Arc, time::Duration};

use sea_orm::DatabaseConnection;
use tokio_cron_scheduler::{JobScheduler, JobSchedulerError};

use super::{Job, NewJob, Waker, enqueue};
use crate::db::now;

type MakeJob = Arc<dyn Fn() -> NewJob + Send + Sync>;

#[derive(Clone)]
struct Entry {
    kind: &'static str,
    cron: &'static str,
    period: Duration,
    make: MakeJob,
}

/// The periodic jobs: what to enqueue, and when.
#[derive(Clone, Default)]
pub struct Schedule {
    entries: Vec<Entry>,
}

impl Schedule {
    /// Enqueues `make()` on every tick of `cron` (six fields, seconds first, UTC).
    /// `period` is the tick spacing: processes firing within one period share a
    /// tick key, so the job is enqueued once.
    #[must_use]
    pub fn every<J: Job>(
        mut self,
        cron: &'static str,
        period: Duration,
        make: impl Fn() -> J + Send + Sync + 'static,
    ) -> Self {
        let make: MakeJob = Arc::new(move || NewJob::of(&make()));
        self.entries.push(Entry { kind: J::KIND, cron, period, make });
        self
    }

    /// Enqueues every entry's job for the tick that contains `now` (what a cron firing does).
    pub async fn fire_all(&self, db: &DatabaseConnection, waker: &Waker) {
        for entry in &self.entries {
            fire(db, waker, entry).await;
        }
    }
}

/// The key of the tick containing the current time: `kind@<period start, unix seconds>`.
fn tick_key(kind: &str, period: Duration) -> String {
    let period = period.as_secs().max(1) as i64;
    let start = now().unix_timestamp().div_euclid(period) * period;
    format!("{kind}@{start}")
}

async fn fire(db: &DatabaseConnection, waker: &Waker, entry: &Entry) {
    let job = (entry.make)().for_tick(tick_key(entry.kind, entry.period));
    match enqueue(db, job).await {
        Ok(enqueued) => {
            tracing::debug!(kind = entry.kind, ?enqueued, "scheduled job enqueued");
            waker.wake();
        }
        Err(err) => tracing::warn!(kind = entry.kind, error = %err, "enqueueing a scheduled job failed"),
    }
}

/// Starts the cron scheduler, enqueueing on `db` and waking `waker`; call
/// `shutdown()` on the result to stop it.
pub async fn start_scheduler(
    db: DatabaseConnection,
    waker: Waker,
    schedule: Schedule,
) -> Result<JobScheduler, JobSchedulerError> {
    let scheduler = JobScheduler::new().await?;
    for entry in schedule.entries {
        let (db, waker) = (db.clone(), waker.clone());
        let cron = entry.cron;
        let job = tokio_cron_scheduler::Job::new_async(cron, move |_id, _lock| {
            let (db, waker, entry) = (db.clone(), waker.clone(), entry.clone());
            Box::pin(async move { fire(&db, &waker, &entry).await })
        })?;
        scheduler.add(job).await?;
    }
    scheduler.start().await?;
    Ok(scheduler)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tick_keys_name_the_period() {
        let key = tick_key("prune_jobs", Duration::from_secs(3600));
        let (kind, start) = key.split_once('@').expect("kind@start");
        assert_eq!(kind, "prune_jobs");
        let start: i64 = start.parse().expect("unix seconds");
        assert_eq!(start % 3600, 0);
        assert!(now().unix_timestamp() - start < 3600);
    }
}
