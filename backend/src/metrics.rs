//! Prometheus metrics, held in an explicit registry per app (no global recorder),
//! so every test app counts on its own.

use std::sync::Mutex;

use crate::jobs::JobMetrics;
use prometheus_client::{
    encoding::{EncodeLabelSet, prometheus_text},
    metrics::{counter::Counter, family::Family, histogram::Histogram},
    registry::Registry,
};

/// Labels of an HTTP request: the route template, never the raw path, to keep
/// cardinality bounded.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The request method.
    pub method: String,
    /// The matched route, e.g. `/api/jobs/{id}`, or `unmatched`.
    pub route: String,
    /// The response status code.
    pub status: u16,
}

/// Labels of a request's latency (the status is left out to keep series few).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The request method.
    pub method: String,
    /// The matched route.
    pub route: String,
}

fn latency_histogram() -> Histogram {
    Histogram::new([0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0])
}

/// Every metric the app exports.
pub struct Metrics {
    registry: Mutex<Registry>,
    /// HTTP requests answered.
    pub http_requests: Family<HttpLabels, Counter>,
    /// HTTP request latency in seconds.
    pub http_duration: Family<RouteLabels, Histogram, fn() -> Histogram>,
    /// The job system's metrics.
    pub jobs: JobMetrics,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with every metric registered.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("instacrush");
        let http_requests = Family::<HttpLabels, Counter>::default();
        registry.register("http_requests", "HTTP requests answered", http_requests.clone());
        let http_duration =
            Family::<RouteLabels, Histogram, fn() -> Histogram>::new_with_constructor(latency_histogram);
        registry.register("http_request_duration_seconds", "HTTP request latency", http_duration.clone());
        let jobs = JobMetrics::register(&mut registry);
        Self { registry: Mutex::new(registry), http_requests, http_duration, jobs }
    }

    /// Registers a further metric (used by subsystems such as the job queue).
    pub fn register(&self, name: &str, help: &str, metric: impl prometheus_client::registry::Metric) {
        if let Ok(mut registry) = self.registry.lock() {
            registry.register(name, help, metric);
        }
    }

    /// The media type of [`Metrics::render`]'s output.
    pub const CONTENT_TYPE: &'static str = prometheus_text::CONTENT_TYPE;

    /// The Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut out = String::new();
        if let Ok(registry) = self.registry.lock() {
            // Writing into a String cannot fail.
            let _ = prometheus_text::encode(&mut out, &registry);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counted_requests() {
        let metrics = Metrics::new();
        metrics
            .http_requests
            .get_or_create(&HttpLabels { method: "GET".into(), route: "/healthz".into(), status: 200 })
            .inc();
        metrics
            .http_duration
            .get_or_create(&RouteLabels { method: "GET".into(), route: "/healthz".into() })
            .observe(0.003);
        let text = metrics.render();
        assert!(
            text.contains(r#"instacrush_http_requests_total{method="GET",route="/healthz",status="200"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"instacrush_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="0.005"} 1"#),
            "{text}"
        );
    }
}
