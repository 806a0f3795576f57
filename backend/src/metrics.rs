//! Prometheus metrics, held in an explicit registry per app (no global recorder),
//! so every test app counts on its own.

use std::sync::Mutex;

use crate::jobs::JobMetrics;
use prometheus_client::{
    encoding::{EncodeLabelSet, prometheus_text},
    metrics::{counter::Counter, family::Family, gauge::Gauge, histogram::Histogram},
    registry::Registry,
};

/// Labels of an HTTP request: a known method and the route template, never what the client
/// wrote, to keep cardinality bounded.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct HttpLabels {
    /// The request method, from [`method_label`].
    pub method: &'static str,
    /// The matched route, e.g. `/api/jobs/{id}`, or `unmatched`.
    pub route: String,
    /// The response status code.
    pub status: u16,
}

/// Labels of a request's latency (the status is left out to keep series few).
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RouteLabels {
    /// The request method, from [`method_label`].
    pub method: &'static str,
    /// The matched route.
    pub route: String,
}

/// The label of a request method: one of the standard ones, or `other`: a client may send any
/// token as a method, and each would otherwise become series of its own in every scrape.
pub fn method_label(method: &axum::http::Method) -> &'static str {
    use axum::http::Method;
    const KNOWN: [Method; 9] = [
        Method::GET,
        Method::HEAD,
        Method::POST,
        Method::PUT,
        Method::DELETE,
        Method::PATCH,
        Method::OPTIONS,
        Method::CONNECT,
        Method::TRACE,
    ];
    KNOWN.iter().find(|known| *known == method).map_or("other", Method::as_str)
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
    /// Calls to Instagram.
    pub instagram: InstagramMetrics,
    /// Meta's deauthorize and data-deletion callbacks, by whether they named a known person.
    pub meta_callbacks: Family<MetaCallbackLabels, Counter>,
    /// Webhooks received from Meta.
    pub webhooks: WebhookMetrics,
}

/// Labels of one of Meta's callbacks.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MetaCallbackLabels {
    /// `deauthorize` or `data_deletion`.
    pub callback: &'static str,
    /// `deleted`, or `unknown_id` when the id named nobody we know.
    pub outcome: &'static str,
}

/// Labels of a webhook POST or of one event in it.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct OutcomeLabel {
    /// What became of it, e.g. `accepted`, `bad_signature`, `replayed`; for events `applied`,
    /// `duplicate`, `unknown_account`.
    pub outcome: &'static str,
}

/// Webhook POSTs by outcome (refusals among them) and the comment events they carried.
#[derive(Clone, Default)]
pub struct WebhookMetrics {
    /// POSTs by outcome.
    pub requests: Family<OutcomeLabel, Counter>,
    /// Comment events by outcome.
    pub events: Family<OutcomeLabel, Counter>,
}

impl WebhookMetrics {
    fn register(registry: &mut Registry) -> Self {
        let this = Self::default();
        registry.register("webhook_requests", "Webhook POSTs from Meta by outcome", this.requests.clone());
        registry.register(
            "webhook_events",
            "Comment events received by webhook, by outcome",
            this.events.clone(),
        );
        this
    }

    /// Counts one POST.
    pub fn request(&self, outcome: &'static str) {
        self.requests.get_or_create(&OutcomeLabel { outcome }).inc();
    }

    /// Counts `n` events.
    pub fn events(&self, outcome: &'static str, n: u64) {
        if n > 0 {
            self.events.get_or_create(&OutcomeLabel { outcome }).inc_by(n);
        }
    }
}

/// Labels of one Instagram call.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct InstagramCallLabels {
    /// The endpoint, e.g. `GET /me/media`.
    pub endpoint: String,
    /// `ok`, `needs_reauth`, `throttled`, `transient` or `permanent`.
    pub outcome: &'static str,
}

/// Labels naming an Instagram endpoint.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    /// The endpoint.
    pub endpoint: String,
}

/// Instagram calls, their latency, throttling and the app's usage of its quota.
#[derive(Clone)]
pub struct InstagramMetrics {
    /// Calls by endpoint and outcome (throttled calls are `outcome="throttled"`).
    pub calls: Family<InstagramCallLabels, Counter>,
    /// Call latency in seconds.
    pub duration: Family<EndpointLabels, Histogram, fn() -> Histogram>,
    /// The highest usage percentage Instagram last reported (calls, CPU or time).
    pub usage_percent: Gauge,
}

impl InstagramMetrics {
    fn register(registry: &mut Registry) -> Self {
        let this = Self {
            calls: Family::default(),
            duration: Family::new_with_constructor(latency_histogram),
            usage_percent: Gauge::default(),
        };
        registry.register("instagram_calls", "Calls to Instagram", this.calls.clone());
        registry.register("instagram_call_duration_seconds", "Instagram call latency", this.duration.clone());
        registry.register(
            "instagram_usage_percent",
            "Usage of the app's Instagram quota",
            this.usage_percent.clone(),
        );
        this
    }

    /// An observer for [`crate::instagram::InstagramClient::with_observer`] that records every call.
    pub fn observer(&self) -> crate::instagram::CallObserver {
        let this = self.clone();
        std::sync::Arc::new(move |call: &crate::instagram::CallRecord| {
            use crate::instagram::ErrorKind;
            let outcome = match call.error {
                None => "ok",
                Some(ErrorKind::NeedsReauth) => "needs_reauth",
                Some(ErrorKind::Throttled { .. }) => "throttled",
                Some(ErrorKind::Transient) => "transient",
                Some(_) => "permanent",
            };
            let endpoint = call.endpoint.to_owned();
            this.calls.get_or_create(&InstagramCallLabels { endpoint: endpoint.clone(), outcome }).inc();
            this.duration.get_or_create(&EndpointLabels { endpoint }).observe(call.elapsed.as_secs_f64());
            if let Some(usage) = &call.usage {
                this.usage_percent.set(i64::from(usage.max_percent()));
            }
        })
    }
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
        let instagram = InstagramMetrics::register(&mut registry);
        let meta_callbacks = Family::<MetaCallbackLabels, Counter>::default();
        registry.register(
            "meta_callbacks",
            "Meta's deauthorize and data-deletion callbacks",
            meta_callbacks.clone(),
        );
        let webhooks = WebhookMetrics::register(&mut registry);
        Self {
            registry: Mutex::new(registry),
            http_requests,
            http_duration,
            jobs,
            instagram,
            meta_callbacks,
            webhooks,
        }
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
            .get_or_create(&HttpLabels { method: "GET", route: "/healthz".into(), status: 200 })
            .inc();
        metrics
            .http_duration
            .get_or_create(&RouteLabels { method: "GET", route: "/healthz".into() })
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
