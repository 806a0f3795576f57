//! The worker pool: claims jobs in batches (free slots plus a prefetch that grows while short
//! jobs leave slots waiting, a second claim in flight while the queue has a backlog), runs each attempt with a heartbeat lease,
//! writes successes in groups and every other outcome at once through the attempt's fence,
//! rescues jobs whose worker died, and shuts down gracefully.

mod attempt;
mod complete;
mod config;
mod upkeep;

use std::{
    collections::VecDeque,
    future::Future,
    sync::Arc,
    time::{Duration, Instant},
};

use sea_orm::{DatabaseConnection, DbErr};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

pub use self::config::WorkerConfig;
use self::{
    attempt::Run,
    complete::Completer,
    upkeep::{Upkeep, rescue_orphans, worker_id_prefix},
};
use super::{Claimed, JobMetrics, Registry, Waker, store};

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

    /// Runs until `shutdown`; then stops claiming, asks running jobs to wind down, gives
    /// them the grace period to finish, and releases the rest back to the queue.
    pub async fn run(self, shutdown: CancellationToken) {
        let shared = Arc::new(self.shared);
        shared.waker.listen(&shared.db, shutdown.clone());
        rescue_orphans(&shared).await;
        let config = &shared.config;
        tracing::info!(worker = %shared.worker_id, concurrency = config.concurrency, kinds = ?shared.registry.kinds(), "worker started");
        // On shutdown, running jobs are first asked to wind down (a long job stops at a safe
        // point and resumes elsewhere), then, after the grace period, stopped.
        let wind_down = CancellationToken::new();
        let stop_jobs = CancellationToken::new();
        let completer = Arc::new(Completer::start(shared.clone(), stop_jobs.clone()));
        let mut pool = Pool::new(&shared);
        while !shutdown.is_cancelled() {
            pool.upkeep.run_if_due(&shared).await;
            while let Some((job, claimed_at)) = pool.next_to_start() {
                let run = Run {
                    wind_down: wind_down.child_token(),
                    stop: stop_jobs.child_token(),
                    completer: Some(completer.clone()),
                    claimed_at,
                };
                pool.running.spawn(attempt::run(shared.clone(), job, run));
            }
            pool.claim_ahead(&shared);
            tokio::select! {
                () = shutdown.cancelled() => {}
                Some(claimed) = pool.claims.join_next(), if !pool.claims.is_empty() => pool.claimed(claimed),
                () = shared.waker.notified(), if pool.has_room() => pool.wanted = true,
                Some(_) = pool.running.join_next(), if !pool.running.is_empty() => pool.wanted = true,
                () = tokio::time::sleep(Duration::from_millis(config.poll_ms)) => pool.wanted = true,
            }
            // Collect every attempt that finished meanwhile, so that the next claim fills
            // all free slots in one statement.
            while pool.running.try_join_next().is_some() {}
        }
        pool.release_unstarted(&shared).await;
        let grace = Duration::from_secs(config.grace_secs);
        tracing::info!(running = pool.running.len(), ?grace, "worker stopping");
        wind_down.cancel();
        let finish = async { while pool.running.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, finish).await.is_err() {
            stop_jobs.cancel();
            while pool.running.join_next().await.is_some() {}
        }
        if let Ok(completer) = Arc::try_unwrap(completer) {
            completer.finish().await;
        }
        tracing::info!(worker = %shared.worker_id, "worker stopped");
    }

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
            let run = Run {
                wind_down: CancellationToken::new(),
                stop: CancellationToken::new(),
                completer: None,
                claimed_at: Instant::now(),
            };
            attempt::run(shared.clone(), job, run).await;
            ran += 1;
        }
    }
}

/// A worker's slots, the jobs it claimed ahead, and its claims in flight.
struct Pool {
    running: JoinSet<()>,
    /// Claimed, not started yet (oldest first), with when they were claimed.
    ready: VecDeque<(Claimed, Instant)>,
    /// Claim statements in flight, each with how many jobs it asked for.
    claims: JoinSet<(usize, Result<Vec<Claimed>, DbErr>)>,
    asked: usize,
    /// Whether to claim: at start, when woken, when a slot freed, after a full batch.
    wanted: bool,
    /// The last claim came back full: more are waiting, a second claim may run meanwhile.
    backlog: bool,
    capacity: usize,
    /// Jobs claimed ahead of free slots now: the configured prefetch, doubled (up to
    /// [`MAX_PREFETCH`]) each time a full claim arrives to find slots idle, back to the
    /// configured one when a claim comes back short (the backlog is gone).
    prefetch: usize,
    base_prefetch: usize,
    upkeep: Upkeep,
}

/// The most jobs a worker claims ahead of its free slots, however short its jobs: enough
/// that a backlog of very short jobs costs a claim statement per few hundred jobs, few
/// enough that other workers still find work and a renewed lease is seldom needed.
const MAX_PREFETCH: usize = 512;

impl Pool {
    fn new<S>(shared: &Shared<S>) -> Self {
        Self {
            running: JoinSet::new(),
            ready: VecDeque::new(),
            claims: JoinSet::new(),
            asked: 0,
            wanted: true,
            backlog: false,
            capacity: shared.config.concurrency.max(1) as usize,
            prefetch: shared.config.prefetch as usize,
            base_prefetch: shared.config.prefetch as usize,
            upkeep: Upkeep::default(),
        }
    }

    /// The next claimed job to start, if a slot is free.
    fn next_to_start(&mut self) -> Option<(Claimed, Instant)> {
        (self.running.len() < self.capacity).then(|| self.ready.pop_front()).flatten()
    }

    /// Whether the worker could take more jobs than it holds and has asked for.
    fn has_room(&self) -> bool {
        self.running.len() + self.ready.len() + self.asked < self.capacity + self.prefetch
    }

    /// Starts a claim for the free slots plus the prefetch, unless enough is on its way; a
    /// second one runs beside the first while the queue has a backlog.
    fn claim_ahead<S: Send + Sync + 'static>(&mut self, shared: &Arc<Shared<S>>) {
        let held = self.running.len() + self.ready.len() + self.asked;
        let wanted = (self.capacity + self.prefetch).saturating_sub(held);
        let in_flight = if self.backlog { 2 } else { 1 };
        if !self.wanted || wanted == 0 || self.claims.len() >= in_flight {
            return;
        }
        self.wanted = self.backlog;
        self.asked += wanted;
        let (db, worker_id, lease) = (shared.db.clone(), shared.worker_id.clone(), shared.config.lease());
        self.claims.spawn(async move {
            let limit = u32::try_from(wanted).unwrap_or(u32::MAX);
            (wanted, store::claim(&db, &worker_id, limit, lease).await)
        });
    }

    /// Takes in what a claim returned.
    fn claimed(&mut self, claimed: Result<(usize, Result<Vec<Claimed>, DbErr>), tokio::task::JoinError>) {
        let Ok((asked, result)) = claimed else { return };
        self.asked -= asked;
        match result {
            Ok(jobs) => {
                self.backlog = jobs.len() == asked;
                self.wanted |= self.backlog;
                let starved = self.ready.is_empty() && self.running.len() < self.capacity;
                self.prefetch = next_prefetch(self.prefetch, self.base_prefetch, self.backlog, starved);
                let at = Instant::now();
                self.ready.extend(jobs.into_iter().map(|job| (job, at)));
            }
            Err(err) => {
                tracing::warn!(error = %err, "claiming jobs failed");
                self.backlog = false;
            }
        }
    }

    /// On shutdown: hands back the jobs claimed ahead that never started.
    async fn release_unstarted<S>(&mut self, shared: &Shared<S>) {
        while let Some(claimed) = self.claims.join_next().await {
            self.claimed(claimed);
        }
        let fences: Vec<_> = self.ready.drain(..).map(|(job, _)| job.fence()).collect();
        // A failure leaves them to their leases: they are rescued, their attempt counted.
        if let Err(err) = store::release_many(&shared.db, &fences).await {
            tracing::warn!(error = %err, jobs = fences.len(), "releasing the jobs claimed ahead failed");
        }
    }
}

/// The prefetch after a claim: doubled (up to [`MAX_PREFETCH`]) when the claim came back
/// full (`backlog`) to slots left waiting for it (`starved`), kept while the backlog lasts,
/// back to the configured `base` once a claim comes back short. A base of 0 never grows.
fn next_prefetch(current: usize, base: usize, backlog: bool, starved: bool) -> usize {
    match (backlog, starved) {
        (true, true) if base > 0 => (current * 2).min(MAX_PREFETCH.max(base)),
        (true, _) => current,
        (false, _) => base,
    }
}

/// Runs `write` again while the database is unavailable (a cut, a restart, a failover),
/// backing off up to 5 s, until it answers or `stop` is cancelled. For the queue's own
/// fenced writes: a late one changes nothing if the job was rescued meanwhile, and one given
/// up on is still not lost (the lease expires and the job is rescued).
async fn retry_while_unavailable<T, F, Fut>(stop: &CancellationToken, mut write: F) -> Result<T, DbErr>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, DbErr>>,
{
    let mut wait = Duration::from_millis(100);
    loop {
        match write().await {
            Err(err) if crate::db::is_unavailable(&err) && !stop.is_cancelled() => {
                tracing::warn!(error = %err, ?wait, "the database is unavailable; retrying the job's outcome");
                tokio::select! {
                    () = tokio::time::sleep(wait) => {}
                    () = stop.cancelled() => {}
                }
                wait = (wait * 2).min(Duration::from_secs(5));
            }
            result => return result,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_PREFETCH, next_prefetch};

    #[test]
    fn the_prefetch_grows_while_a_backlog_starves_the_slots_and_falls_back_after() {
        let mut prefetch = 8;
        for _ in 0..20 {
            prefetch = next_prefetch(prefetch, 8, true, true);
        }
        assert_eq!(prefetch, MAX_PREFETCH, "doubling, capped");
        assert_eq!(next_prefetch(64, 8, true, false), 64, "slots busy: enough ahead already");
        assert_eq!(next_prefetch(64, 8, false, true), 8, "the backlog is gone");
        assert_eq!(next_prefetch(0, 0, true, true), 0, "no claiming ahead when configured so");
        assert_eq!(next_prefetch(1_000, 1_000, true, true), 1_000, "a larger configured prefetch stays");
    }
}
