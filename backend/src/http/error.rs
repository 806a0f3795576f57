//! `ApiError`: the one error type at the HTTP boundary, rendered as RFC 9457
//! `application/problem+json`.

use std::time::Duration;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::Serialize;
use utoipa::ToSchema;

/// Where a `401` problem sends people to sign in.
pub const SIGN_IN_URL: &str = "/api/auth/instagram";

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// How long a client should wait before retrying while a dependency is unavailable.
const UNAVAILABLE_RETRY_AFTER: Duration = Duration::from_secs(5);

/// An RFC 9457 problem details object.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "about:blank",
    "title": "Not Found",
    "status": 404,
    "detail": "no route for GET /api/nope",
    "code": "not_found"
}))]
pub struct Problem {
    /// A URI reference naming the problem type; `about:blank` for plain HTTP errors.
    #[serde(rename = "type")]
    pub type_uri: String,
    /// A short summary of the problem type.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong this time, for people.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// A stable machine-readable code, for clients to branch on.
    pub code: String,
    /// On `401`: where the web app sends people to sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_url: Option<String>,
}

impl Problem {
    /// A problem for a status with a machine code and a human detail.
    pub fn new(status: StatusCode, code: &str, detail: Option<String>) -> Self {
        Self {
            type_uri: "about:blank".to_owned(),
            title: status.canonical_reason().unwrap_or("Error").to_owned(),
            status: status.as_u16(),
            detail,
            code: code.to_owned(),
            sign_in_url: None,
        }
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, axum::Json(self)).into_response();
        response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        response
    }
}

/// Every way a request can fail, each with its HTTP meaning.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The request is malformed (bad JSON, bad path or query parameter).
    #[error("{0}")]
    BadRequest(String),
    /// The request is well-formed but its content is not acceptable.
    #[error("{0}")]
    Unprocessable(String),
    /// No valid credentials: sign in (the problem carries `sign_in_url`).
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, or not, but this request is refused (e.g. no CSRF header).
    #[error("{detail}")]
    Forbidden {
        /// The stable code, e.g. `csrf_header_missing`.
        code: &'static str,
        /// What to do about it.
        detail: String,
    },
    /// The request repeats one already done (e.g. a replayed webhook).
    #[error("{detail}")]
    Conflict {
        /// The stable code, e.g. `webhook_replayed`.
        code: &'static str,
        /// What happened.
        detail: String,
    },
    /// Signed in here, but Instagram refused the stored token: sign in with
    /// Instagram again (the problem carries `sign_in_url`).
    #[error("Instagram needs you to sign in again")]
    NeedsReauth,
    /// No such resource (or not one the caller may see).
    #[error("{0}")]
    NotFound(String),
    /// Too many requests; try again after the given time.
    #[error("too many requests")]
    TooManyRequests {
        /// When a retry may succeed.
        retry_after: Duration,
    },
    /// A rate limit ran out: too many requests from this address or with this credential.
    #[error("too many requests from this address or with this credential: wait and try again")]
    RateLimited {
        /// When a retry may succeed.
        retry_after: Duration,
    },
    /// A dependency is down.
    #[error("{0}")]
    Unavailable(String),
    /// Anything unexpected: logged in full, answered with a generic 500.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl ApiError {
    /// The signed-in user has no Instagram account (cannot happen after sign-in).
    pub fn no_account() -> Self {
        Self::NotFound("no Instagram account is linked to this user".to_owned())
    }

    /// The status and the stable code for this error.
    fn status_and_code(&self) -> (StatusCode, &'static str) {
        match self {
            Self::BadRequest(_) => (StatusCode::BAD_REQUEST, "bad_request"),
            Self::Unprocessable(_) => (StatusCode::UNPROCESSABLE_ENTITY, "unprocessable"),
            Self::Unauthorized(_) => (StatusCode::UNAUTHORIZED, "unauthorized"),
            Self::Forbidden { code, .. } => (StatusCode::FORBIDDEN, code),
            Self::Conflict { code, .. } => (StatusCode::CONFLICT, code),
            Self::NeedsReauth => (StatusCode::FORBIDDEN, "needs_reauth"),
            Self::NotFound(_) => (StatusCode::NOT_FOUND, "not_found"),
            Self::TooManyRequests { .. } => (StatusCode::TOO_MANY_REQUESTS, "too_many_requests"),
            Self::RateLimited { .. } => (StatusCode::TOO_MANY_REQUESTS, "rate_limited"),
            Self::Unavailable(_) => (StatusCode::SERVICE_UNAVAILABLE, "unavailable"),
            Self::Internal(_) => (StatusCode::INTERNAL_SERVER_ERROR, "internal"),
        }
    }
}

impl From<sea_orm::DbErr> for ApiError {
    fn from(err: sea_orm::DbErr) -> Self {
        if crate::db::is_unavailable(&err) {
            tracing::warn!(error = %err, "the database is unavailable");
            Self::Unavailable("the database is unavailable; try again shortly".to_owned())
        } else {
            Self::Internal(err.into())
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, code) = self.status_and_code();
        let detail = match &self {
            Self::Internal(err) => {
                tracing::error!(error = ?err, "request failed");
                None
            }
            other => Some(other.to_string()),
        };
        let mut problem = Problem::new(status, code, detail);
        if matches!(self, Self::Unauthorized(_) | Self::NeedsReauth) {
            problem.sign_in_url = Some(SIGN_IN_URL.to_owned());
        }
        let mut response = problem.into_response();
        let retry_after = match self {
            Self::TooManyRequests { retry_after } | Self::RateLimited { retry_after } => Some(retry_after),
            Self::Unavailable(_) => Some(UNAVAILABLE_RETRY_AFTER),
            _ => None,
        };
        if let Some(retry_after) = retry_after {
            // Whole seconds, rounded up: a client that waits what it is told is not refused again.
            let secs = (retry_after.as_secs() + u64::from(retry_after.subsec_nanos() > 0)).max(1);
            if let Ok(value) = HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        response
    }
}

impl From<crate::auth::refresh::RefreshError> for ApiError {
    fn from(err: crate::auth::refresh::RefreshError) -> Self {
        use crate::auth::refresh::RefreshError;
        match err {
            RefreshError::Invalid | RefreshError::Reused => Self::Unauthorized(err.to_string()),
            RefreshError::Db(err) => err.into(),
            RefreshError::Internal(err) => Self::Internal(err),
        }
    }
}

impl From<crate::auth::api_tokens::ApiTokenError> for ApiError {
    fn from(err: crate::auth::api_tokens::ApiTokenError) -> Self {
        use crate::auth::api_tokens::ApiTokenError;
        match err {
            ApiTokenError::BadName => Self::Unprocessable(err.to_string()),
            ApiTokenError::Invalid => Self::Unauthorized(err.to_string()),
            ApiTokenError::NotFound => Self::NotFound(err.to_string()),
            ApiTokenError::Db(err) => err.into(),
            ApiTokenError::Internal(err) => Self::Internal(err),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn body_of(response: Response) -> serde_json::Value {
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 16).await.unwrap();
        serde_json::from_slice(&bytes).unwrap()
    }

    #[tokio::test]
    async fn internal_errors_hide_their_cause() {
        let response = ApiError::Internal(anyhow::anyhow!("password=hunter2")).into_response();
        assert_eq!(response.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(response.headers()[header::CONTENT_TYPE], PROBLEM_JSON);
        let body = body_of(response).await;
        assert_eq!(body["code"], "internal");
        assert!(!body.to_string().contains("hunter2"));
    }

    #[tokio::test]
    async fn unauthorized_says_where_to_sign_in() {
        let response = ApiError::Unauthorized("sign in".into()).into_response();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED);
        let body = body_of(response).await;
        assert_eq!(body["code"], "unauthorized");
        assert_eq!(body["sign_in_url"], SIGN_IN_URL);
        let forbidden =
            ApiError::Forbidden { code: "csrf_header_missing", detail: "x".into() }.into_response();
        assert_eq!(forbidden.status(), StatusCode::FORBIDDEN);
        let body = body_of(forbidden).await;
        assert_eq!(body["code"], "csrf_header_missing");
        assert!(body.get("sign_in_url").is_none());
    }

    #[tokio::test]
    async fn too_many_requests_says_when_to_retry() {
        let response = ApiError::TooManyRequests { retry_after: Duration::from_secs(42) }.into_response();
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
        let body = body_of(response).await;
        assert_eq!(body["status"], 429);
        assert_eq!(body["title"], "Too Many Requests");
        // Rounded up: waiting what the header says is always enough.
        for (wait, header) in [(Duration::from_millis(2_100), "3"), (Duration::from_millis(200), "1")] {
            let response = ApiError::TooManyRequests { retry_after: wait }.into_response();
            assert_eq!(response.headers()[header::RETRY_AFTER], header, "{wait:?}");
        }
    }
}
