//! How a job attempt ends badly: transient (retry with backoff) or permanent.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A job's error as stored in `last_error` and shown by the status API: an
/// RFC 9457-style problem with a stable code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct JobProblem {
    /// A stable machine-readable code, e.g. `needs_reauth`, `throttled`, `lease_expired`.
    pub code: String,
    /// A short summary.
    pub title: String,
    /// What happened this time.
    #[serde(default)]
    #[schema(required = true)]
    pub detail: Option<String>,
}

impl JobProblem {
    /// A problem with a code, a title and optional detail.
    pub fn new(code: &str, title: &str, detail: impl Into<Option<String>>) -> Self {
        Self { code: code.to_owned(), title: title.to_owned(), detail: detail.into() }
    }
}

/// Why an attempt did not succeed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum JobError {
    /// Worth retrying (timeouts, 5xx, throttling), after `retry_after` if given.
    #[error("{}: {}", .problem.code, .problem.title)]
    Transient {
        /// What went wrong.
        problem: JobProblem,
        /// The wait the remote asked for, if any; else exponential backoff.
        retry_after: Option<Duration>,
    },
    /// Retrying cannot help (revoked token, bad data): fail now.
    #[error("{}: {}", .problem.code, .problem.title)]
    Permanent {
        /// What went wrong.
        problem: JobProblem,
    },
    /// Not now: a remote asked us to wait (throttling). The job runs again after `wait` (plus
    /// jitter), and this attempt does not count against its attempts.
    #[error("{}: {}", .problem.code, .problem.title)]
    Deferred {
        /// Why.
        problem: JobProblem,
        /// How long to wait.
        wait: Duration,
    },
}

impl JobError {
    /// A transient error, retried with backoff.
    pub fn transient(code: &str, title: &str, detail: impl Into<Option<String>>) -> Self {
        Self::Transient { problem: JobProblem::new(code, title, detail), retry_after: None }
    }

    /// A permanent error: the job fails at once.
    pub fn permanent(code: &str, title: &str, detail: impl Into<Option<String>>) -> Self {
        Self::Permanent { problem: JobProblem::new(code, title, detail) }
    }

    /// Try again after `wait`, without counting this attempt (see [`JobError::Deferred`]).
    pub fn deferred(code: &str, title: &str, detail: impl Into<Option<String>>, wait: Duration) -> Self {
        Self::Deferred { problem: JobProblem::new(code, title, detail), wait }
    }

    /// Retry no sooner than `wait` (e.g. what a throttling remote asked for).
    #[must_use]
    pub fn retry_after(self, wait: Duration) -> Self {
        match self {
            Self::Transient { problem, .. } => Self::Transient { problem, retry_after: Some(wait) },
            other @ (Self::Permanent { .. } | Self::Deferred { .. }) => other,
        }
    }

    /// The problem to store.
    pub fn problem(&self) -> &JobProblem {
        match self {
            Self::Transient { problem, .. }
            | Self::Permanent { problem }
            | Self::Deferred { problem, .. } => problem,
        }
    }
}

impl From<sea_orm::DbErr> for JobError {
    fn from(err: sea_orm::DbErr) -> Self {
        Self::transient("database", "Database error", Some(err.to_string()))
    }
}
