//! The misbehaviour layer in front of every API call (not the admin routes): latency with
//! jitter, transient 5xx, throttling after N calls per window, malformed bodies, and the usage
//! headers Meta sends (`X-App-Usage`, `X-Business-Use-Case-Usage`). Per-request headers let a
//! test force one outcome: `x-sandbox-latency-ms: N`, `x-sandbox-fail: 500|429|190|revoked|throttle|malformed`.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::api::auth;
use crate::meta_error::GraphError;
use crate::rng;
use crate::state::Shared;

/// Header forcing a latency, in milliseconds, for one request.
pub const LATENCY_HEADER: &str = "x-sandbox-latency-ms";
/// Header forcing a failure for one request.
pub const FAIL_HEADER: &str = "x-sandbox-fail";
/// Largest body the malformer reads.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Usage of the current window, as percentages, and minutes until access is regained.
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    percent: u32,
    regain_minutes: u64,
}

/// The middleware.
pub async fn misbehave(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let knobs = state.knobs();
    let call = state.next_call();
    let seed = state.data.seed;
    let headers = request.headers().clone();
    let forced = headers.get(FAIL_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);

    let latency = match header_u64(&headers, LATENCY_HEADER) {
        Some(ms) => ms,
        None => knobs.latency_ms + rng::below(seed, &[0x1A7, call], knobs.jitter_ms + 1),
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let mut usage = Usage::default();
    let mut throttled = false;
    if let Some(limit) = std::num::NonZeroU32::new(knobs.throttle_after) {
        let (calls, left_secs) = state.count_call(knobs.throttle_window_secs);
        usage.percent = calls.saturating_mul(100) / limit;
        throttled = calls > knobs.throttle_after;
        if throttled {
            usage.regain_minutes = left_secs.div_ceil(60);
        }
    }
    let business_id = business_id(&state, &headers, request.uri().query());

    let response = match forced.as_deref() {
        Some("500") => GraphError::server_error().into_response(),
        Some("429") => (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response(),
        Some("190") => GraphError::expired_token().into_response(),
        Some("revoked") => GraphError::revoked_token().into_response(),
        Some("throttle") => {
            usage = Usage { percent: 100, regain_minutes: usage.regain_minutes.max(1) };
            GraphError::throttled().into_response()
        }
        Some("malformed") => malform(next.run(request).await).await,
        _ if throttled => GraphError::throttled().into_response(),
        _ if rng::unit(seed, &[0xE77, call]) < knobs.error_rate => GraphError::server_error().into_response(),
        _ => {
            let response = next.run(request).await;
            if response.status().is_success() && rng::unit(seed, &[0xBAD, call]) < knobs.malformed_rate {
                malform(response).await
            } else {
                response
            }
        }
    };
    with_usage(response, usage, &business_id)
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The business object the BUC header is keyed by: the caller's Instagram user id, if known.
fn business_id(state: &Shared, headers: &HeaderMap, query: Option<&str>) -> String {
    let query: Vec<(String, String)> =
        query.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    auth::token_of(headers, &query)
        .and_then(|t| state.signer.verify(t))
        .and_then(|c| state.data.account(c.person))
        .map_or_else(|| "0".to_owned(), |a| a.owner.user_id.to_string())
}

/// Cuts a successful body in half, keeping the status: the client must not panic on it.
async fn malform(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}

fn with_usage(mut response: Response, usage: Usage, business_id: &str) -> Response {
    let p = usage.percent.min(100);
    let app = json!({ "call_count": p, "total_cputime": p / 2, "total_time": p / 2 });
    let mut buc = serde_json::Map::new();
    buc.insert(
        business_id.to_owned(),
        json!([{
            "type": "instagram",
            "call_count": p,
            "total_cputime": p / 2,
            "total_time": p / 2,
            "estimated_time_to_regain_access": usage.regain_minutes,
        }]),
    );
    let buc = serde_json::Value::Object(buc);
    let headers = response.headers_mut();
    for (name, value) in [("x-app-usage", app), ("x-business-use-case-usage", buc)] {
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(name, v);
        }
    }
    response
}
