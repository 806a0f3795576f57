//! Meta's comment webhooks: `GET /api/webhooks/instagram` answers the callback URL's
//! verification, `POST` receives signed notifications.

use axum::{
    body::Bytes,
    extract::{FromRef as _, State},
    http::{HeaderMap, HeaderValue, header},
    response::{IntoResponse as _, Response},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::problems::OtherProblem;
use super::{
    AppState,
    error::{ApiError, Problem},
    extract::{Json, Query},
};
use crate::webhooks::{self, Verification, VerificationError, WebhookContext, WebhookError};

/// The header carrying the body's signature.
const SIGNATURE_HEADER: &str = "x-hub-signature-256";

/// A notification as Meta posts it (only its outline is described here). It documents the
/// body: the handler reads the raw bytes, which the signature covers.
#[allow(dead_code)]
#[derive(Debug, Deserialize, ToSchema)]
#[schema(example = json!({"object": "instagram", "entry": [{"id": "17841400000000001", "time": 1764700000,
    "changes": [{"field": "comments", "value": {"id": "18009", "text": "so good",
        "from": {"id": "9001", "username": "mila.rivers"}, "media": {"id": "17900", "media_product_type": "FEED"}}}]}]}))]
pub struct WebhookNotification {
    /// `instagram`.
    pub object: String,
    /// One entry per account, each with its `changes`.
    pub entry: Vec<serde_json::Value>,
}

/// What a notification did.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookReceipt {
    /// Comment events in it.
    pub events: usize,
    /// New comments stored (the others were known already or are not ours).
    pub applied: usize,
}

/// Verify the webhook callback.
///
/// Meta's check when the callback URL is saved in the app dashboard: answers `hub.challenge`
/// when `hub.verify_token` is this server's (`INSTAGRAM_WEBHOOK_VERIFY_TOKEN`).
#[utoipa::path(
    get,
    path = "/api/webhooks/instagram",
    tag = "meta",
    security(),
    params(Verification),
    responses(
        (status = 200, description = "The challenge, echoed", body = String, content_type = "text/plain"),
        (status = 400, description = "Not a subscription verification", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The verify token is not this server's (`invalid_verify_token`)", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn verify_instagram_webhook(
    State(state): State<AppState>,
    Query(query): Query<Verification>,
) -> Result<Response, ApiError> {
    match webhooks::verify_subscription(&state.webhooks, query) {
        Ok(challenge) => {
            let text = HeaderValue::from_static("text/plain; charset=utf-8");
            Ok(([(header::CONTENT_TYPE, text)], challenge).into_response())
        }
        Err(err @ VerificationError::Malformed) => Err(ApiError::BadRequest(err.to_string())),
        Err(err @ VerificationError::WrongToken) => {
            tracing::warn!("refused a webhook verification: wrong verify token");
            Err(ApiError::Forbidden { code: "invalid_verify_token", detail: err.to_string() })
        }
    }
}

/// Receive a comment notification.
///
/// Meta posts new comments on subscribed accounts here, signed with the app secret in
/// `X-Hub-Signature-256`. Each new comment on a synced post of a signed-in account is stored
/// and the owner's crush recomputed shortly after; other accounts' comments are acknowledged
/// and ignored. A body received before is refused and changes nothing.
#[utoipa::path(
    post,
    path = "/api/webhooks/instagram",
    tag = "meta",
    security(),
    request_body(content = WebhookNotification, content_type = "application/json"),
    params(("X-Hub-Signature-256" = String, Header, description = "`sha256=` and the hex HMAC-SHA256 of the raw body with the app secret")),
    responses(
        (status = 200, description = "Received", body = WebhookReceipt),
        (status = 400, description = "Not a notification", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "The signature is missing (`missing_signature`) or wrong (`invalid_signature`)", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Received before (`webhook_replayed`)", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn receive_instagram_webhook(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Json<WebhookReceipt>, ApiError> {
    let signature = headers.get(SIGNATURE_HEADER).and_then(|value| value.to_str().ok());
    let ctx = WebhookContext::from_ref(&state);
    let received = webhooks::receive(&ctx, signature, &body).await.map_err(|err| match err {
        WebhookError::Signature(err) => {
            ApiError::Forbidden { code: err.reason_code(), detail: err.to_string() }
        }
        WebhookError::Replayed => ApiError::Conflict { code: "webhook_replayed", detail: err.to_string() },
        WebhookError::Malformed(err) => ApiError::BadRequest(err.to_string()),
        WebhookError::Database(err) => err.into(),
    })?;
    Ok(Json(WebhookReceipt { events: received.events, applied: received.applied }))
}
