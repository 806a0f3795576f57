//! The signed-in user's account: who am I, and delete me.

use axum::{extract::State, http::StatusCode};
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::{CurrentUser, SessionUser, deletion, linking, session},
    http::{
        AppState,
        error::{ApiError, Problem},
        extract::Json,
    },
};

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The user's id.
    pub id: i64,
    /// Their Instagram username.
    pub instagram_username: Option<String>,
}

/// The signed-in user (web session or API token).
#[utoipa::path(
    get,
    path = "/api/users/me",
    tag = "users",
    security(("session_cookie" = []), ("bearer" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn get_me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>, ApiError> {
    let instagram_username = linking::instagram_username(&state.db, user.id).await?;
    Ok(Json(Me { id: user.id, instagram_username }))
}

/// Deletes the signed-in user and all their data (identities, tokens, Instagram data,
/// crushes, jobs), and signs them out.
#[utoipa::path(
    delete,
    path = "/api/users/me",
    tag = "users",
    security(("session_cookie" = [])),
    params(("x-instacrush-csrf" = String, Header, description = "Any non-empty value (CSRF defence)")),
    responses(
        (status = 204, description = "Deleted; cookies cleared"),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "No CSRF header, or not a web session", body = Problem, content_type = "application/problem+json"),
    )
)]
pub async fn delete_me(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    deletion::delete_user(&state.db, user.id).await?;
    Ok((session::clear_cookies(jar), StatusCode::NO_CONTENT))
}
