//! Job metrics: queue depth per state, run time, attempts, failures, rescues.

use prometheus_client::{
    encoding::EncodeLabelSet,
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

/// Labels of one job attempt's outcome.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabels {
    /// The job kind.
    pub kind: String,
    /// `succeeded`, `retried`, `failed` or `released`.
    pub outcome: &'static str,
}

/// Labels naming a job state.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct StateLabels {
    /// The state.
    pub state: String,
}

/// The job system's metrics, registered in the app's registry (or, by
/// default, in none).
#[derive(Clone)]
pub struct JobMetrics {
    /// Jobs per state, sampled by the worker.
    pub depth: Family<StateLabels, Gauge>,
    /// Seconds per attempt, by kind and outcome.
    pub run_seconds: Family<OutcomeLabels, Histogram, fn() -> Histogram>,
    /// Attempts finished, by kind and outcome.
    pub attempts: Family<OutcomeLabels, Counter>,
    /// Running jobs put back in the queue because their lease expired.
    pub rescued: Counter,
}

fn run_histogram() -> Histogram {
    Histogram::new([0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0])
}

impl Default for JobMetrics {
    fn default() -> Self {
        Self {
            depth: Family::default(),
            run_seconds: Family::new_with_constructor(run_histogram),
            attempts: Family::default(),
            rescued: Counter::default(),
        }
    }
}

impl JobMetrics {
    /// Creates the metrics and registers them in `registry`.
    pub fn register(metrics: &mut Registry) -> Self {
        let this = Self::default();
        metrics.register("jobs", "Jobs per state", this.depth.clone());
        metrics.register("job_run_seconds", "Time per job attempt", this.run_seconds.clone());
        metrics.register("job_attempts", "Job attempts finished, by outcome", this.attempts.clone());
        metrics.register("jobs_rescued", "Jobs rescued after their lease expired", this.rescued.clone());
        this
    }
}
