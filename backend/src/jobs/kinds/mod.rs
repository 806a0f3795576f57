//! The job kinds of the job system itself; domain jobs live beside their domain.

mod noop;
mod prune_jobs;

pub use self::{noop::NoopJob, prune_jobs::PruneJobs};
