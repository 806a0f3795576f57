//! What the sandbox does to and for the app: Meta's deauthorize and data-deletion callbacks
//! (a form POST of a `signed_request`), the webhook deliveries and the verification request,
//! the call counters, and the sandbox clock.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::Sha256;

use super::{bad_request, not_found};
use crate::api::extract::{MetaPath, MetaQuery};
use crate::ids;
use crate::state::{Invalidation, Sandbox, Shared};
use crate::webhook;

/// `base64url(HMAC-SHA256 of the encoded payload).base64url(payload)`, as Meta signs callbacks.
pub fn signed_request(payload: &Value, secret: &str) -> String {
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(payload.as_bytes());
    format!("{}.{payload}", URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes()))
}

/// Body of a callback request: a URL overriding the configured one.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CallbackBody {
    url: Option<String>,
}

/// Which of Meta's two callbacks.
#[derive(Debug, Clone, Copy)]
enum Callback {
    Deauthorize,
    DataDeletion,
}

/// `POST /_sandbox/accounts/{username}/deauthorize`: the person removes the app. Their tokens
/// are revoked, the webhook subscription dropped, and Meta's deauthorize callback posted.
pub async fn deauthorize(
    State(state): State<Shared>,
    MetaPath(username): MetaPath<String>,
    body: Option<Json<CallbackBody>>,
) -> Response {
    callback(&state, &username, Callback::Deauthorize, body.map(|Json(b)| b).unwrap_or_default()).await
}

/// `POST /_sandbox/accounts/{username}/data-deletion`: the person removes the app and asks for
/// their data to be deleted; as deauthorize, with the data-deletion callback.
pub async fn data_deletion(
    State(state): State<Shared>,
    MetaPath(username): MetaPath<String>,
    body: Option<Json<CallbackBody>>,
) -> Response {
    callback(&state, &username, Callback::DataDeletion, body.map(|Json(b)| b).unwrap_or_default()).await
}

async fn callback(state: &Sandbox, username: &str, which: Callback, body: CallbackBody) -> Response {
    let Some(account) = state.data.account_by_username(username) else {
        return not_found(username);
    };
    let knobs = state.knobs();
    let configured = match which {
        Callback::Deauthorize => knobs.deauthorize_url,
        Callback::DataDeletion => knobs.data_deletion_url,
    };
    let Some(url) = body.url.or(configured) else {
        return bad_request(
            "no callback URL: configure one (SANDBOX_DEAUTHORIZE_URL, SANDBOX_DATA_DELETION_URL or the knobs) or pass {\"url\"}",
        );
    };
    // Meta's callbacks carry the app-scoped id; lenient mode sends the user id the app has
    // always matched.
    let user_id = if state.strict() { ids::app_scoped_id(account.index) } else { account.owner.user_id };
    let payload =
        json!({ "algorithm": "HMAC-SHA256", "issued_at": state.now_secs(), "user_id": user_id.to_string() });
    let signed = signed_request(&payload, &state.config.app_secret);
    state.invalidate(account.index, Invalidation::Revoked);
    state.subscribe(account.index, Default::default());
    match post_form(state, &url, &signed).await {
        Ok((status, answer)) => Json(json!({
            "url": url,
            "user_id": user_id.to_string(),
            "signed_request": signed,
            "status": status,
            "response": answer,
        }))
        .into_response(),
        Err(error) => (StatusCode::BAD_GATEWAY, Json(json!({ "url": url, "error": error }))).into_response(),
    }
}

/// Posts `signed_request` as a form; returns the app's status and body (JSON when it is).
async fn post_form(state: &Sandbox, url: &str, signed: &str) -> Result<(u16, Value), String> {
    let sent = state.outbox.http().post(url).form(&[("signed_request", signed)]).send().await;
    let response = sent.map_err(|e| format!("the app did not answer: {}", e.without_url()))?;
    let status = response.status().as_u16();
    let text = response.text().await.unwrap_or_default();
    Ok((status, serde_json::from_str::<Value>(&text).unwrap_or(Value::String(text))))
}

/// `GET /_sandbox/webhooks`: the webhook POSTs made, oldest first, with their exact bodies and
/// signatures.
pub async fn deliveries(State(state): State<Shared>) -> Json<Value> {
    Json(json!({ "deliveries": state.outbox.deliveries() }))
}

/// `DELETE /_sandbox/webhooks`: forgets the deliveries made.
pub async fn clear_deliveries(State(state): State<Shared>) -> StatusCode {
    state.outbox.clear();
    StatusCode::NO_CONTENT
}

/// Body of a verification request.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    url: Option<String>,
    verify_token: Option<String>,
}

/// `POST /_sandbox/webhooks/verify`: makes Meta's verification request to the callback URL
/// (`hub.mode=subscribe`, `hub.challenge`, `hub.verify_token`) and reports whether the app
/// echoed the challenge.
pub async fn verify(State(state): State<Shared>, body: Option<Json<VerifyBody>>) -> Response {
    let body = body.map(|Json(b)| b).unwrap_or_default();
    let knobs = state.knobs();
    let Some(url) = body.url.or(knobs.webhook_url) else {
        return bad_request(
            "no webhook URL: configure SANDBOX_WEBHOOK_URL or the webhook_url knob, or pass {\"url\"}",
        );
    };
    let token = body.verify_token.or(knobs.webhook_verify_token).unwrap_or_default();
    Json(webhook::verify(&state, &url, &token).await).into_response()
}

/// `GET /_sandbox/calls`: API calls counted in all, per endpoint and per account.
pub async fn calls(State(state): State<Shared>) -> Json<Value> {
    Json(json!(state.calls.summary()))
}

/// Query of the call log.
#[derive(Debug, Deserialize)]
pub struct LogQuery {
    account: Option<String>,
}

/// `GET /_sandbox/calls/log[?account=…]`: the most recent API calls (up to 10,000), oldest
/// first, secrets taken out of their paths.
pub async fn call_log(State(state): State<Shared>, MetaQuery(q): MetaQuery<LogQuery>) -> Json<Value> {
    Json(json!({ "calls": state.calls.log(q.account.as_deref()) }))
}

/// `DELETE /_sandbox/calls`: starts counting from zero.
pub async fn reset_calls(State(state): State<Shared>) -> StatusCode {
    state.calls.reset();
    StatusCode::NO_CONTENT
}

fn clock_view(state: &Sandbox) -> Json<Value> {
    Json(json!({ "now": state.now_secs(), "offset_secs": state.knobs().clock_offset_secs }))
}

/// `GET /_sandbox/clock`: the sandbox's time and how far it runs ahead.
pub async fn clock(State(state): State<Shared>) -> Json<Value> {
    clock_view(&state)
}

/// Body of a clock advance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Advance {
    secs: i64,
}

/// `POST /_sandbox/clock/advance` `{"secs":N}`: moves the sandbox clock N seconds ahead (tokens
/// age, rate-limit windows roll over).
pub async fn advance(State(state): State<Shared>, Json(a): Json<Advance>) -> Json<Value> {
    state.update_knobs(|k| k.clock_offset_secs = k.clock_offset_secs.saturating_add(a.secs));
    clock_view(&state)
}
