//! The layer in front of every API call (not the admin routes): call counting, latency with
//! jitter, transient 5xx, rate limits (the app's, answered with the configured codes 4, 17, 32,
//! 613 or 80002, and each account's, answered with 80002), malformed bodies, and the usage
//! headers Meta sends (`X-App-Usage`, `X-Business-Use-Case-Usage`), which climb call by call
//! towards the limit. Per-request headers force one outcome:
//! `x-sandbox-latency-ms: N`, `x-sandbox-fail: 500|429|190|revoked|throttle|4|17|32|613|80002|malformed`.

use std::time::Duration;

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::api::auth;
use crate::data::Account;
use crate::knobs::Knobs;
use crate::meta_error::GraphError;
use crate::rng;
use crate::state::{self, Sandbox, Shared};

/// Header forcing a latency, in milliseconds, for one request.
pub const LATENCY_HEADER: &str = "x-sandbox-latency-ms";
/// Header forcing a failure for one request.
pub const FAIL_HEADER: &str = "x-sandbox-fail";
/// Largest body the malformer reads.
const MAX_BODY: usize = 16 * 1024 * 1024;

/// Usage of one window, as a percentage, and minutes until access is regained.
#[derive(Debug, Clone, Copy, Default)]
struct Usage {
    percent: u32,
    regain_minutes: u64,
}

/// Where this call stands against the limits.
#[derive(Debug, Default)]
struct Budget {
    app: Usage,
    account: Usage,
    /// The throttling code to answer with, if a limit is exceeded.
    throttled: Option<u32>,
}

/// The middleware.
pub async fn misbehave(State(state): State<Shared>, request: Request, next: Next) -> Response {
    let knobs = state.knobs();
    let call = state.next_call();
    let seed = state.data.seed;
    let headers = request.headers().clone();
    let endpoint = state::endpoint(request.method().as_str(), request.uri().path());
    let path = state::loggable(request.uri().path(), request.uri().query());
    let account = caller(&state, &headers, request.uri().query());
    let forced = headers.get(FAIL_HEADER).and_then(|v| v.to_str().ok()).map(str::to_owned);

    let latency = match header_u64(&headers, LATENCY_HEADER) {
        Some(ms) => ms,
        None => knobs.latency_ms + rng::below(seed, &[0x1A7, call], knobs.jitter_ms + 1),
    };
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }

    let mut budget = budget(&state, &knobs, account);
    let forced_response = forced.as_deref().and_then(|how| forced_failure(how, &mut budget));
    let response = match (forced.as_deref(), forced_response) {
        (Some("malformed"), _) => malform(next.run(request).await).await,
        (_, Some(forced)) => forced,
        _ if budget.throttled.is_some() => {
            GraphError::throttled_with(budget.throttled.unwrap_or(4)).into_response()
        }
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
    let username = account.map(|a| a.owner.username.clone());
    state.calls.record(state.now_ms(), &endpoint, path, username, response.status().as_u16());
    let business_id = account.map_or_else(|| "0".to_owned(), |a| a.owner.user_id.to_string());
    with_usage(response, &budget, &business_id, knobs.strict())
}

/// The failure an `x-sandbox-fail` header forces, if it names one (a forced throttle reports
/// full usage).
fn forced_failure(how: &str, budget: &mut Budget) -> Option<Response> {
    let response = match how {
        "500" => GraphError::server_error().into_response(),
        "429" => (StatusCode::TOO_MANY_REQUESTS, "Too Many Requests").into_response(),
        "190" => GraphError::expired_token().into_response(),
        "revoked" => GraphError::revoked_token().into_response(),
        "throttle" | "4" | "17" | "32" | "613" | "80002" => {
            let full = Usage { percent: 100, regain_minutes: budget.app.regain_minutes.max(1) };
            (budget.app, budget.account) = (full, full);
            GraphError::throttled_with(how.parse().unwrap_or(4)).into_response()
        }
        _ => return None,
    };
    Some(response)
}

/// Counts the call against the app's and the caller's windows.
fn budget(state: &Sandbox, knobs: &Knobs, account: Option<&Account>) -> Budget {
    let now = state.now_secs();
    let mut budget = Budget::default();
    if let Some(limit) = std::num::NonZeroU32::new(knobs.throttle_after) {
        let count = state.limits.count_app(now, knobs.throttle_window_secs);
        budget.app = usage(count, limit);
        if count.calls > limit.get() {
            let turn = state.limits.next_throttle() as usize;
            budget.throttled = Some(
                knobs.throttle_codes.get(turn % knobs.throttle_codes.len().max(1)).copied().unwrap_or(4),
            );
        }
    }
    if let (Some(limit), Some(account)) = (std::num::NonZeroU32::new(knobs.account_throttle_after), account) {
        let count = state.limits.count_account(account.index, now, knobs.account_throttle_window_secs);
        budget.account = usage(count, limit);
        if count.calls > limit.get() && budget.throttled.is_none() {
            budget.throttled = Some(80002);
        }
    } else if knobs.lenient {
        // Lenient mode has always reported the app's usage in the business-use-case header too.
        budget.account = budget.app;
    }
    budget
}

/// The usage of a window: the share of the limit used (climbing call by call, capped at 100)
/// and, once over the limit, the minutes until the window ends.
fn usage(count: state::Count, limit: std::num::NonZeroU32) -> Usage {
    let percent = count.calls.saturating_mul(100) / limit.get();
    let regain_minutes = if count.calls > limit.get() { count.left_secs.div_ceil(60) } else { 0 };
    Usage { percent: percent.min(100), regain_minutes }
}

fn header_u64(headers: &HeaderMap, name: &str) -> Option<u64> {
    headers.get(name)?.to_str().ok()?.trim().parse().ok()
}

/// The account whose token made the call, if the token is one of ours.
fn caller<'a>(state: &'a Sandbox, headers: &HeaderMap, query: Option<&str>) -> Option<&'a Account> {
    let query: Vec<(String, String)> =
        query.map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
    auth::token_of(headers, &query)
        .and_then(|t| state.signer.verify(t))
        .and_then(|c| state.data.account(c.person))
}

/// Cuts a successful body in half, keeping the status: the client must not panic on it.
async fn malform(response: Response) -> Response {
    let (mut parts, body) = response.into_parts();
    let bytes = to_bytes(body, MAX_BODY).await.unwrap_or_default();
    let cut = bytes.slice(..bytes.len() / 2);
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(cut))
}

/// Adds the usage headers. Strict mode, like Meta, sends a header only once its usage is
/// above zero.
fn with_usage(mut response: Response, budget: &Budget, business_id: &str, strict: bool) -> Response {
    let a = budget.app.percent;
    let app = json!({ "call_count": a, "total_cputime": a / 2, "total_time": a / 2 });
    let b = budget.account;
    let mut buc = serde_json::Map::new();
    buc.insert(
        business_id.to_owned(),
        json!([{
            "type": "instagram",
            "call_count": b.percent,
            "total_cputime": b.percent / 2,
            "total_time": b.percent / 2,
            "estimated_time_to_regain_access": b.regain_minutes,
        }]),
    );
    let headers = response.headers_mut();
    let app_used = a > 0;
    let account_used = b.percent > 0 || b.regain_minutes > 0;
    for (name, value, used) in [
        ("x-app-usage", app, app_used),
        ("x-business-use-case-usage", serde_json::Value::Object(buc), account_used),
    ] {
        if strict && !used {
            continue;
        }
        if let Ok(v) = HeaderValue::from_str(&value.to_string()) {
            headers.insert(name, v);
        }
    }
    response
}
