//! The job kinds a binary can perform, keyed by their stored `kind`.

use std::{collections::HashMap, sync::Arc, time::Duration};

use futures::{FutureExt as _, future::BoxFuture};

use super::{Job, JobContext, JobError};

type Perform =
    Arc<dyn Fn(serde_json::Value, JobContext) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// A registered kind: how to perform it and for how long at most.
#[derive(Clone)]
pub(super) struct Entry {
    pub perform: Perform,
    pub timeout: Duration,
}

/// Maps `kind` to the code that performs it.
#[derive(Clone, Default)]
pub struct Registry {
    entries: HashMap<&'static str, Entry>,
}

impl Registry {
    /// Adds a job kind.
    #[must_use]
    pub fn register<J: Job>(mut self) -> Self {
        let perform: Perform = Arc::new(|args, ctx| {
            async move {
                let job: J = serde_json::from_value(args).map_err(|err| {
                    JobError::permanent(
                        "bad_arguments",
                        "The job's arguments do not parse",
                        Some(err.to_string()),
                    )
                })?;
                job.perform(ctx).await
            }
            .boxed()
        });
        self.entries.insert(J::KIND, Entry { perform, timeout: J::TIMEOUT });
        self
    }

    pub(super) fn get(&self, kind: &str) -> Option<&Entry> {
        self.entries.get(kind)
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.entries.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }
}
