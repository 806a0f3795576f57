//! Errors shaped exactly as Meta sends them, so clients are tested against the real thing:
//! Graph errors `{"error":{"message","type","code","error_subcode","is_transient","fbtrace_id"}}`
//! and the older OAuth shape of `api.instagram.com` `{"error_type","code","error_message"}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A Graph API error response.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphError {
    /// HTTP status.
    pub status: StatusCode,
    /// `error.message`.
    pub message: String,
    /// `error.type`.
    pub kind: &'static str,
    /// `error.code`.
    pub code: u32,
    /// `error.error_subcode`.
    pub subcode: Option<u32>,
    /// `error.is_transient`.
    pub transient: bool,
}

impl GraphError {
    fn new(status: StatusCode, code: u32, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            kind: "OAuthException",
            code,
            subcode: None,
            transient: false,
        }
    }

    /// No access token on a call that needs one.
    pub fn missing_token() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 104, "An access token is required to request this resource.")
    }

    /// A token that is not one of ours.
    pub fn invalid_token() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 190, "Invalid OAuth access token - Cannot parse access token")
    }

    /// A token past its expiry (or expired on purpose through the admin API).
    pub fn expired_token() -> Self {
        Self {
            subcode: Some(463),
            ..Self::new(StatusCode::BAD_REQUEST, 190, "Error validating access token: Session has expired.")
        }
    }

    /// A token revoked through the admin API.
    pub fn revoked_token() -> Self {
        Self {
            subcode: Some(460),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                190,
                "Error validating access token: The session has been invalidated because the user changed their password or Facebook has changed the session for security reasons.",
            )
        }
    }

    /// An id that does not exist or that the token may not read.
    pub fn unknown_object(id: &str) -> Self {
        Self {
            kind: "IGApiException",
            subcode: Some(33),
            ..Self::new(
                StatusCode::BAD_REQUEST,
                100,
                format!(
                    "Unsupported get request. Object with ID '{id}' does not exist, cannot be loaded due to missing permissions, or does not support this operation."
                ),
            )
        }
    }

    /// A path the API does not have.
    pub fn unknown_path(path: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 2500, format!("Unknown path components: {path}"))
    }

    /// A bad parameter.
    pub fn bad_param(message: impl Into<String>) -> Self {
        Self { kind: "IGApiException", ..Self::new(StatusCode::BAD_REQUEST, 100, message) }
    }

    /// Throttling with one of Meta's codes: 4 (app), 17 (user), 32 (page), 613 (custom) or
    /// 80002 (Instagram business use case).
    pub fn throttled_with(code: u32) -> Self {
        let message = match code {
            17 => "(#17) User request limit reached",
            32 => "(#32) Page request limit reached",
            613 => "(#613) Calls to this api have exceeded the rate limit.",
            80002 => {
                "(#80002) There have been too many calls to this Instagram account. Wait a bit and try again. \
                 For more info, please refer to https://developers.facebook.com/docs/graph-api/overview/rate-limiting."
            }
            _ => "(#4) Application request limit reached",
        };
        let code = if crate::knobs::THROTTLE_CODES.contains(&code) { code } else { 4 };
        Self { transient: true, ..Self::new(StatusCode::BAD_REQUEST, code, message) }
    }

    /// A call needing a permission the person did not grant (code 10).
    pub fn missing_permission() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 10, "(#10) Application does not have permission for this action")
    }

    /// A `client_secret` that is not the app's (as `graph.facebook.com` answers it).
    pub fn bad_client_secret() -> Self {
        Self::new(StatusCode::BAD_REQUEST, 1, "Error validating client secret.")
    }

    /// A refresh Meta refuses: a short-lived token, or one less than 24 hours old.
    pub fn refresh_refused(why: &str) -> Self {
        Self::new(StatusCode::BAD_REQUEST, 100, format!("(#100) {why}"))
    }

    /// A transient server failure.
    pub fn server_error() -> Self {
        Self {
            transient: true,
            ..Self::new(
                StatusCode::INTERNAL_SERVER_ERROR,
                2,
                "An unexpected error has occurred. Please retry your request later.",
            )
        }
    }
}

impl IntoResponse for GraphError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "message": self.message,
            "type": self.kind,
            "code": self.code,
            "fbtrace_id": format!("Sbx{:x}", crate::rng::hash(u64::from(self.code), &[crate::state::wall_ms()])),
        });
        if let (Some(sub), Some(obj)) = (self.subcode, error.as_object_mut()) {
            obj.insert("error_subcode".into(), sub.into());
        }
        if let (true, Some(obj)) = (self.transient, error.as_object_mut()) {
            obj.insert("is_transient".into(), true.into());
        }
        (self.status, Json(json!({ "error": error }))).into_response()
    }
}

/// An error of `api.instagram.com/oauth/access_token`, in its own (older) shape.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthError {
    /// `error_message`.
    pub message: String,
}

impl OAuthError {
    /// A bad request to the code exchange.
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: message.into() }
    }
}

impl IntoResponse for OAuthError {
    fn into_response(self) -> Response {
        let body = json!({ "error_type": "OAuthException", "code": 400, "error_message": self.message });
        (StatusCode::BAD_REQUEST, Json(body)).into_response()
    }
}
