//! `noop`: does nothing, optionally slowly. For benchmarks, smoke checks and
//! the worker-crash tests.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::jobs::{Job, JobContext, JobError};

/// Sleeps `sleep_ms` (on attempts up to `sleep_until_attempt`, or all), then succeeds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct NoopJob {
    /// How long to sleep, in milliseconds.
    #[serde(default)]
    pub sleep_ms: u64,
    /// Sleep only on attempts up to this one (so a rescued job finishes quickly).
    #[serde(default)]
    pub sleep_until_attempt: Option<i32>,
}

impl Job for NoopJob {
    const KIND: &'static str = "noop";
    type Context = ();

    async fn perform(self, ctx: JobContext<()>) -> Result<(), JobError> {
        let sleeps = self.sleep_until_attempt.is_none_or(|last| ctx.attempt() <= last);
        if self.sleep_ms > 0 && sleeps {
            ctx.progress(0, Some(1), "sleeping").await?;
            tokio::time::sleep(Duration::from_millis(self.sleep_ms)).await;
        }
        Ok(())
    }
}
