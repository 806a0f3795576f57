//! The job kinds a worker can perform, keyed by their stored `kind`, each
//! given the part of the worker's state `S` it asks for.

use std::{collections::HashMap, sync::Arc, time::Duration};

use axum::extract::FromRef;
use futures::{FutureExt as _, future::BoxFuture};

use super::{Job, JobContext, JobError};

type Perform<S> =
    Arc<dyn Fn(serde_json::Value, JobContext<S>) -> BoxFuture<'static, Result<(), JobError>> + Send + Sync>;

/// A registered kind: how to perform it and for how long at most.
pub(super) struct Entry<S> {
    pub perform: Perform<S>,
    pub timeout: Duration,
}

impl<S> Clone for Entry<S> {
    fn clone(&self) -> Self {
        Self { perform: self.perform.clone(), timeout: self.timeout }
    }
}

/// Maps `kind` to the code that performs it, for a worker whose state is `S`.
pub struct Registry<S> {
    entries: HashMap<&'static str, Entry<S>>,
}

impl<S> Default for Registry<S> {
    fn default() -> Self {
        Self { entries: HashMap::new() }
    }
}

impl<S> Clone for Registry<S> {
    fn clone(&self) -> Self {
        Self { entries: self.entries.clone() }
    }
}

impl<S: Send + Sync + 'static> Registry<S> {
    /// Adds a job kind; its [`Job::Context`] is built from the worker's state.
    #[must_use]
    pub fn register<J: Job>(mut self) -> Self
    where
        J::Context: FromRef<S>,
    {
        let perform: Perform<S> = Arc::new(|args, ctx: JobContext<S>| {
            async move {
                let job: J = serde_json::from_value(args).map_err(|err| {
                    JobError::permanent(
                        "bad_arguments",
                        "The job's arguments do not parse",
                        Some(err.to_string()),
                    )
                })?;
                let state = J::Context::from_ref(&ctx.state);
                job.perform(ctx.with_state(state)).await
            }
            .boxed()
        });
        self.entries.insert(J::KIND, Entry { perform, timeout: J::TIMEOUT });
        self
    }
}

impl<S> Registry<S> {
    pub(super) fn get(&self, kind: &str) -> Option<&Entry<S>> {
        self.entries.get(kind)
    }

    /// The registered kinds, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut kinds: Vec<_> = self.entries.keys().copied().collect();
        kinds.sort_unstable();
        kinds
    }
}
