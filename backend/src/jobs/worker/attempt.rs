//! One attempt of one job: perform it under a heartbeat lease and a timeout,
//! then record the outcome through the attempt's fence.

use std::{
    panic::AssertUnwindSafe,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    time::{Duration, Instant},
};

use futures::FutureExt as _;
use tokio_util::sync::CancellationToken;
use tracing::Instrument as _;

use super::Shared;
use crate::{
    db::now,
    jobs::{
        Backoff, Claimed, Fence, JobContext, JobError, JobProblem, Transition, metrics::OutcomeLabels, store,
    },
};

/// Runs `job` and records how it ended. `wind_down` is cancelled when the worker
/// starts shutting down: the job sees it ([`JobContext::cancelled`]) and may stop at a
/// safe point, which releases it. `stop` is cancelled when the grace period is over: the
/// attempt is then dropped and released unfinished.
pub(super) async fn run<S: Clone + Send + Sync + 'static>(
    shared: Arc<Shared<S>>,
    job: Claimed,
    wind_down: CancellationToken,
    stop: CancellationToken,
) {
    let span = tracing::info_span!("job", id = job.id, kind = %job.kind, attempt = job.attempts);
    async move {
        let started = Instant::now();
        let fence = job.fence();
        let cancel = stop.child_token();
        let lease_lost = Arc::new(AtomicBool::new(false));
        let heartbeat = tokio::spawn(keep_lease(shared.clone(), fence, cancel.clone(), lease_lost.clone()));
        let outcome = tokio::select! {
            result = perform(&shared, &job, wind_down.clone()) => Some(result),
            () = cancel.cancelled() => None,
        };
        heartbeat.abort();
        let transition = match outcome {
            None if lease_lost.load(Ordering::SeqCst) => {
                tracing::warn!("lease lost while running; another worker owns the job now");
                return;
            }
            None => Transition::Released,
            // Stopped early because the worker is shutting down: it runs again elsewhere.
            Some(Err(_)) if wind_down.is_cancelled() => Transition::Released,
            Some(result) => decide(&shared, &job, result),
        };
        record(&shared, &job, fence, &transition, started, &stop).await;
    }
    .instrument(span)
    .await;
}

async fn perform<S: Clone>(
    shared: &Shared<S>,
    job: &Claimed,
    cancel: CancellationToken,
) -> Result<(), JobError> {
    let Some(entry) = shared.registry.get(&job.kind) else {
        return Err(JobError::permanent(
            "unknown_kind",
            "No worker knows this kind of job",
            Some(format!("kind `{}` is not registered in this binary", job.kind)),
        ));
    };
    let ctx = JobContext::new(
        shared.state.clone(),
        shared.db.clone(),
        job.fence(),
        job.max_attempts,
        job.checkpoint.clone(),
        cancel,
    );
    let future = AssertUnwindSafe((entry.perform)(job.args.clone(), ctx)).catch_unwind();
    match tokio::time::timeout(entry.timeout, future).await {
        Ok(Ok(result)) => result,
        Ok(Err(_panic)) => Err(JobError::transient("panicked", "The job panicked", None)),
        Err(_elapsed) => Err(JobError::transient(
            "timeout",
            "The job took too long",
            Some(format!("gave up after {:?}", entry.timeout)),
        )),
    }
}

/// Turns an attempt's result into the next state.
fn decide<S>(shared: &Shared<S>, job: &Claimed, result: Result<(), JobError>) -> Transition {
    match result {
        Ok(()) => Transition::Succeeded,
        Err(JobError::Permanent { problem }) => Transition::Failed { error: problem },
        Err(JobError::Transient { problem, .. }) if job.attempts >= job.max_attempts => {
            Transition::Failed { error: out_of_attempts(problem, job.attempts) }
        }
        Err(JobError::Transient { problem, retry_after }) => {
            let delay = shared.config.backoff().delay(job.attempts, retry_after);
            Transition::Retry { at: now() + delay, error: problem }
        }
        Err(JobError::Deferred { problem, .. }) if now() - job.created_at > DEFER_AT_MOST => {
            let detail =
                format!("still deferred {} hours after it was enqueued", DEFER_AT_MOST.whole_hours());
            Transition::Failed { error: JobProblem { detail: Some(detail), ..problem } }
        }
        Err(JobError::Deferred { problem, wait }) => {
            Transition::Deferred { at: now() + Backoff::spread(wait), error: problem }
        }
    }
}

/// A job deferred (throttled) for longer than this since it was enqueued fails instead.
const DEFER_AT_MOST: time::Duration = time::Duration::hours(24);

fn out_of_attempts(problem: JobProblem, attempts: i32) -> JobProblem {
    let detail = problem.detail.map_or_else(
        || format!("gave up after {attempts} attempts"),
        |detail| format!("{detail} (gave up after {attempts} attempts)"),
    );
    JobProblem { detail: Some(detail), ..problem }
}

async fn record<S>(
    shared: &Shared<S>,
    job: &Claimed,
    fence: Fence,
    transition: &Transition,
    started: Instant,
    stop: &CancellationToken,
) {
    let outcome = match transition {
        Transition::Succeeded => "succeeded",
        Transition::Retry { .. } => "retried",
        Transition::Failed { .. } => "failed",
        Transition::Released => "released",
        Transition::Deferred { .. } => "deferred",
    };
    match transition {
        Transition::Retry { error, at } => {
            tracing::warn!(code = %error.code, detail = ?error.detail, retry_at = %at, "job attempt failed; will retry")
        }
        Transition::Deferred { error, at } => {
            tracing::info!(code = %error.code, retry_at = %at, "job deferred; the attempt does not count")
        }
        Transition::Failed { error } => {
            tracing::error!(code = %error.code, detail = ?error.detail, "job failed")
        }
        _ => {
            tracing::info!(outcome, elapsed_ms = started.elapsed().as_millis() as u64, "job attempt finished")
        }
    }
    match write_transition(shared, fence, transition, stop).await {
        Ok(true) => {
            let labels = OutcomeLabels { kind: job.kind.clone(), outcome };
            let metrics = &shared.metrics;
            metrics.attempts.get_or_create(&labels).inc();
            metrics.run_seconds.get_or_create(&labels).observe(started.elapsed().as_secs_f64());
        }
        Ok(false) => {
            tracing::warn!(outcome, "the attempt lost its lease before finishing; outcome discarded")
        }
        // The lease will expire and the job be rescued: at-least-once, never lost.
        Err(err) => tracing::error!(error = %err, outcome, "recording the job's outcome failed"),
    }
}

/// Writes the attempt's outcome, retrying while the database is unavailable (a cut, a
/// restart, a failover) until it is back or the worker's grace period is over: the write is
/// fenced, so a late one changes nothing if the job was rescued meanwhile, and an outcome
/// given up on is still never lost (the lease expires and the job is rescued).
async fn write_transition<S>(
    shared: &Shared<S>,
    fence: Fence,
    transition: &Transition,
    stop: &CancellationToken,
) -> Result<bool, sea_orm::DbErr> {
    let mut wait = Duration::from_millis(100);
    loop {
        match store::transition(&shared.db, fence, transition).await {
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

/// Extends the lease every third of its length; cancels the attempt when the
/// lease turns out to be lost.
async fn keep_lease<S>(
    shared: Arc<Shared<S>>,
    fence: Fence,
    cancel: CancellationToken,
    lost: Arc<AtomicBool>,
) {
    let lease = shared.config.lease();
    loop {
        tokio::time::sleep(lease / 3).await;
        match store::heartbeat(&shared.db, fence, lease).await {
            Ok(true) => {}
            Ok(false) => {
                lost.store(true, Ordering::SeqCst);
                cancel.cancel();
                return;
            }
            Err(err) => tracing::warn!(error = %err, "heartbeat failed; retrying"),
        }
    }
}
