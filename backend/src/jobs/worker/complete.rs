//! Grouped completions: attempts that succeeded are written together, in one fenced
//! statement per short window (or per [`MAX_BATCH`] jobs), so that a busy queue pays one
//! commit for many jobs. An attempt frees its slot as soon as it hands its outcome over;
//! the outcome counts (metrics, logs) only once it is written. Should the process die
//! first, the job's lease expires and it is rescued and run again: at least once, as ever.

use std::{collections::HashSet, sync::Arc, time::Duration};

use tokio::{sync::mpsc, task::JoinHandle};
use tokio_util::sync::CancellationToken;

use super::{Shared, retry_while_unavailable};
use crate::jobs::{Fence, metrics::OutcomeLabels, store};

/// The most jobs one statement completes.
const MAX_BATCH: usize = 500;

/// An attempt that succeeded, waiting to be written.
pub(super) struct Done {
    pub fence: Fence,
    pub kind: String,
    /// How long the attempt ran.
    pub elapsed: Duration,
}

/// Writes handed-over completions in groups, on a task of its own.
pub(super) struct Completer {
    sender: mpsc::UnboundedSender<Done>,
    task: JoinHandle<()>,
}

impl Completer {
    /// Starts writing completions for the worker `shared`; `stop` ends retries during an
    /// outage (the worker's grace period is over).
    pub fn start<S: Send + Sync + 'static>(shared: Arc<Shared<S>>, stop: CancellationToken) -> Self {
        let (sender, receiver) = mpsc::unbounded_channel();
        let task = tokio::spawn(write_groups(shared, receiver, stop));
        Self { sender, task }
    }

    /// Hands over an attempt that succeeded.
    pub fn complete(&self, done: Done) {
        if let Err(lost) = self.sender.send(done) {
            // Only after the worker stopped: the lease expires and the job is rescued.
            tracing::warn!(job = lost.0.fence.id, "a completion arrived after the worker stopped");
        }
    }

    /// Writes what is left and stops.
    pub async fn finish(self) {
        drop(self.sender);
        self.task.await.ok();
    }
}

async fn write_groups<S>(
    shared: Arc<Shared<S>>,
    mut receiver: mpsc::UnboundedReceiver<Done>,
    stop: CancellationToken,
) {
    let window = shared.config.completion_window();
    while let Some(first) = receiver.recv().await {
        let mut group = vec![first];
        let deadline = tokio::time::Instant::now() + window;
        while group.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(done) => group.push(done),
                Err(_) if window.is_zero() => break,
                Err(_) => match tokio::time::timeout_at(deadline, receiver.recv()).await {
                    Ok(Some(done)) => group.push(done),
                    Ok(None) | Err(_) => break,
                },
            }
        }
        write(&shared, group, &stop).await;
    }
}

async fn write<S>(shared: &Shared<S>, group: Vec<Done>, stop: &CancellationToken) {
    let fences: Vec<Fence> = group.iter().map(|done| done.fence).collect();
    let written = retry_while_unavailable(stop, || store::complete_many(&shared.db, &fences)).await;
    let written = match written {
        Ok(ids) => ids,
        Err(err) => {
            // Not written: the leases expire and the jobs are rescued (at least once).
            tracing::error!(error = %err, jobs = fences.len(), "recording finished jobs failed");
            return;
        }
    };
    let written: HashSet<i64> = written.into_iter().collect();
    let metrics = &shared.metrics;
    for done in group {
        if !written.contains(&done.fence.id) {
            tracing::warn!(
                job = done.fence.id,
                "the attempt lost its lease before finishing; outcome discarded"
            );
            continue;
        }
        let elapsed_ms = done.elapsed.as_millis() as u64;
        tracing::info!(job = done.fence.id, kind = %done.kind, elapsed_ms, "job attempt finished");
        let labels = OutcomeLabels { kind: done.kind, outcome: "succeeded" };
        metrics.attempts.get_or_create(&labels).inc();
        metrics.run_seconds.get_or_create(&labels).observe(done.elapsed.as_secs_f64());
    }
}
