//! The auth endpoints: sign in with Instagram, session refresh and sign-out, API tokens and
//! their exchange, and Meta's deauthorize and data-deletion callbacks.

pub mod api_tokens;
pub mod meta;
pub mod session;
pub mod sign_in;

use axum::{
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

/// A `302 Found` to `location`, never cached (it may carry a fresh `state`).
fn found(location: &str) -> Response {
    match HeaderValue::from_str(location) {
        Ok(value) => (
            StatusCode::FOUND,
            [(header::LOCATION, value), (header::CACHE_CONTROL, HeaderValue::from_static("no-store"))],
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
