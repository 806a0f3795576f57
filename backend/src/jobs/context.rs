//! What a running job can see and do: the state its kind asked for, its own
//! attempt, and progress reports fenced on that attempt.

use sea_orm::DatabaseConnection;
use serde::{Deserialize, Serialize, de::DeserializeOwned};
use tokio_util::sync::CancellationToken;
use utoipa::ToSchema;

use super::{Fence, store};

/// A job's progress as the status API shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Progress {
    /// Units done so far.
    pub done: u64,
    /// Units in all, when known.
    #[schema(required = true)]
    pub total: Option<u64>,
    /// What the job is doing, e.g. `media` or `comments`.
    pub phase: String,
}

/// Handed to [`super::Job::perform`], with the job kind's [`super::Job::Context`] as `C`.
#[derive(Clone)]
pub struct JobContext<C> {
    /// What the job's kind needs (database, clients, settings).
    pub state: C,
    db: DatabaseConnection,
    fence: Fence,
    max_attempts: i32,
    checkpoint: Option<serde_json::Value>,
    cancelled: CancellationToken,
}

impl<C> JobContext<C> {
    pub(super) fn new(
        state: C,
        db: DatabaseConnection,
        fence: Fence,
        max_attempts: i32,
        checkpoint: Option<serde_json::Value>,
        cancelled: CancellationToken,
    ) -> Self {
        Self { state, db, fence, max_attempts, checkpoint, cancelled }
    }

    /// The same attempt, seeing `state` instead.
    pub(super) fn with_state<D>(self, state: D) -> JobContext<D> {
        JobContext {
            state,
            db: self.db,
            fence: self.fence,
            max_attempts: self.max_attempts,
            checkpoint: self.checkpoint,
            cancelled: self.cancelled,
        }
    }

    /// The queue's database.
    pub fn db(&self) -> &DatabaseConnection {
        &self.db
    }

    /// The job's id.
    pub fn job_id(&self) -> i64 {
        self.fence.id
    }

    /// This attempt's number, from 1.
    pub fn attempt(&self) -> i32 {
        self.fence.attempt
    }

    /// Whether a failure now would be final.
    pub fn is_last_attempt(&self) -> bool {
        self.fence.attempt >= self.max_attempts
    }

    /// Cancelled when the worker starts shutting down: a long job may stop at a safe point
    /// (its checkpoint saved) and return any error; the attempt is then released, not
    /// counted, and the job runs again elsewhere.
    pub fn cancelled(&self) -> &CancellationToken {
        &self.cancelled
    }

    /// Where an earlier attempt of this job got to ([`JobContext::save_checkpoint`]), if it
    /// saved a checkpoint of this shape.
    pub fn checkpoint<T: DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_value(self.checkpoint.clone()?).ok()
    }

    /// Records where this attempt got to, so that a later attempt (after a retry, a rescue
    /// or a shutdown) resumes there instead of starting over; ignored once the lease is lost.
    pub async fn save_checkpoint(&self, checkpoint: &impl Serialize) -> Result<(), sea_orm::DbErr> {
        store::checkpoint(&self.db, self.fence, checkpoint).await.map(drop)
    }

    /// Records progress; ignored once the attempt lost its lease.
    pub async fn progress(&self, done: u64, total: Option<u64>, phase: &str) -> Result<(), sea_orm::DbErr> {
        let progress = Progress { done, total, phase: phase.to_owned() };
        store::progress(&self.db, self.fence, &progress).await.map(drop)
    }
}
