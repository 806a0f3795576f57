//! Meta's callbacks for the app: deauthorize (the person removed the app) and data deletion
//! (the person asked Meta to have their data deleted). Both verify the `signed_request` with
//! the app secret and delete everything we hold about the person.

use axum::{Form, extract::State};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::http::problems::{BadSignedRequest, InvalidSignature, NoSignedRequest, NotAForm, OtherProblem};
use crate::{
    auth::{
        crypto::random_token,
        deletion,
        meta_callback::{self, CallbackError},
    },
    cache::{Revoked, broadcast},
    db::now,
    http::{AppState, error::ApiError, extract::Json},
    metrics::MetaCallbackLabels,
};

/// The form Meta posts.
#[derive(Debug, Deserialize, ToSchema)]
pub struct SignedRequestForm {
    /// `base64url(HMAC-SHA256 signature).base64url(JSON payload)`, signed with the app secret.
    #[schema(pattern = r"^[A-Za-z0-9_-]+={0,2}\.[A-Za-z0-9_-]+={0,2}$")]
    pub signed_request: String,
}

/// What Meta expects back from a data-deletion callback.
#[derive(Debug, Serialize, ToSchema)]
pub struct DataDeletionStatus {
    /// Where the person can check the deletion.
    pub url: String,
    /// A code identifying the request.
    pub confirmation_code: String,
}

async fn delete_signed(
    state: &AppState,
    callback: &'static str,
    form: &SignedRequestForm,
) -> Result<(), ApiError> {
    let secret = state.instagram.config().app_secret.expose();
    let max_age = state.auth.callback_max_age;
    let claim = meta_callback::accept(&state.db, &form.signed_request, secret, max_age, now())
        .await
        .map_err(refused)?;
    // Meta names the person by their app-scoped id; either id of `/me` matches.
    let deleted = match deletion::delete_instagram_user(&state.db, &claim.request.user_id).await {
        Ok(deleted) => deleted,
        Err(err) => {
            // Meta sends the same request again: it must not be refused as a replay then.
            claim.release(&state.db).await.ok();
            return Err(err.into());
        }
    };
    broadcast::revoke(&state.db, &state.caches, Revoked::Everything).await;
    let outcome = if deleted { "deleted" } else { "unknown_id" };
    state.metrics.meta_callbacks.get_or_create(&MetaCallbackLabels { callback, outcome }).inc();
    if deleted {
        tracing::info!(callback, "Meta callback processed");
    } else {
        // Still a 200, as Meta expects: there is nothing of this person to delete.
        tracing::warn!(callback, id = %claim.request.user_id, "Meta callback named nobody we know");
    }
    Ok(())
}

/// The problem for a refused callback: the signed_request is its credential.
fn refused(err: CallbackError) -> ApiError {
    if !matches!(err, CallbackError::Db(_)) {
        tracing::warn!(error = %err, "refused a Meta callback");
    }
    let forbidden = |code| ApiError::Forbidden { code, detail: err.to_string() };
    match err {
        CallbackError::Malformed => ApiError::BadRequest(err.to_string()),
        CallbackError::BadSignature => forbidden("invalid_signature"),
        CallbackError::Stale => forbidden("stale_signed_request"),
        CallbackError::Replayed => forbidden("replayed_signed_request"),
        CallbackError::Db(db) => db.into(),
    }
}

/// Meta's deauthorize callback.
///
/// The person removed the app; their data is deleted. The `signed_request` is the credential:
/// it is verified with the app secret, must have been issued within the last
/// `META_CALLBACK_MAX_AGE_SECS` and is honoured once.
#[utoipa::path(
    post,
    path = "/api/meta/deauthorize",
    tag = "meta",
    security(),
    request_body(content = SignedRequestForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Done (also when the person was unknown)"),
        BadSignedRequest,
        InvalidSignature,
        NotAForm,
        NoSignedRequest,
        OtherProblem,
    )
)]
pub async fn deauthorize_instagram(
    State(state): State<AppState>,
    Form(form): Form<SignedRequestForm>,
) -> Result<Json<serde_json::Value>, ApiError> {
    delete_signed(&state, "deauthorize", &form).await?;
    Ok(Json(serde_json::json!({})))
}

/// Meta's data-deletion callback.
///
/// Deletes the person's data and returns where to check it. The `signed_request` is the
/// credential: it is verified with the app secret, must have been issued within the last
/// `META_CALLBACK_MAX_AGE_SECS` and is honoured once.
#[utoipa::path(
    post,
    path = "/api/meta/data-deletion",
    tag = "meta",
    security(),
    request_body(content = SignedRequestForm, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Deleted", body = DataDeletionStatus),
        BadSignedRequest,
        InvalidSignature,
        NotAForm,
        NoSignedRequest,
        OtherProblem,
    )
)]
pub async fn request_data_deletion(
    State(state): State<AppState>,
    Form(form): Form<SignedRequestForm>,
) -> Result<Json<DataDeletionStatus>, ApiError> {
    delete_signed(&state, "data_deletion", &form).await?;
    let confirmation_code = random_token(12);
    let url = format!("{}/account/deleted?code={confirmation_code}", state.auth.public_origin);
    Ok(Json(DataDeletionStatus { url, confirmation_code }))
}
