//! The signed-in user's account: who am I, and delete me.

use axum::{extract::State, http::StatusCode};
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;
use utoipa::ToSchema;

use super::problems::{NotSignedIn, OtherProblem, SessionRequired};
use crate::{
    auth::{deletion, session},
    cache::{Revoked, broadcast},
    crush,
    http::{AppState, CurrentUser, SessionUser, error::ApiError, extract::Json},
    sync::{self, SyncPhase},
};

/// The signed-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    /// The user's id.
    pub id: i64,
    /// Their Instagram username.
    #[schema(required = true)]
    pub instagram_username: Option<String>,
    /// Where their data stands.
    pub sync: MySync,
}

/// Where a user's synced data stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DataState {
    /// Synced recently: `GET /api/crush` answers at once.
    Fresh,
    /// Old or never synced: `GET /api/crush` starts a sync.
    Stale,
    /// A sync is queued or running.
    Syncing,
    /// The latest sync failed; asking again may help.
    Failed,
    /// Instagram wants a new sign-in.
    NeedsReauth,
}

/// The user's sync state.
#[derive(Debug, Serialize, ToSchema)]
pub struct MySync {
    /// Where the data stands.
    pub state: DataState,
    /// The last successful sync.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime, required = true)]
    pub last_synced_at: Option<time::OffsetDateTime>,
}

/// The signed-in user.
///
/// With a web session or a Bearer token: the user's id, Instagram username and where their
/// synced data stands (`sync.state`: whether `GET /api/crush` answers at once).
#[utoipa::path(
    get,
    path = "/api/users/me",
    tag = "users",
    security(("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "The signed-in user", body = Me),
        NotSignedIn,
        OtherProblem,
    )
)]
pub async fn get_me(State(state): State<AppState>, user: CurrentUser) -> Result<Json<Me>, ApiError> {
    let account = crush::owner_account(&state.db, user.id).await?;
    let last_synced_at = account.as_ref().and_then(|account| account.last_synced_at);
    let last_event_at = account.as_ref().and_then(|account| account.last_event_at);
    let fresh_for = state.sync.fresh_for_account(last_synced_at, last_event_at);
    let overview = sync::overview(&state.db, user.id, last_synced_at, fresh_for).await?;
    let data = match overview.phase {
        SyncPhase::Fresh => DataState::Fresh,
        SyncPhase::Stale => DataState::Stale,
        SyncPhase::Active => DataState::Syncing,
        SyncPhase::Failed => DataState::Failed,
        SyncPhase::NeedsReauth => DataState::NeedsReauth,
    };
    let instagram_username = account.map(|account| account.username);
    Ok(Json(Me { id: user.id, instagram_username, sync: MySync { state: data, last_synced_at } }))
}

/// Deletes the signed-in user and all their data.
///
/// Identities, tokens, Instagram data, crushes and jobs are deleted, and the cookies cleared.
/// Needs the web app's session (cookie and CSRF header); API tokens get `403 session_required`.
#[utoipa::path(
    delete,
    path = "/api/users/me",
    tag = "users",
    security(("session_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 204, description = "Deleted; cookies cleared"),
        NotSignedIn,
        SessionRequired,
        OtherProblem,
    )
)]
pub async fn delete_me(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    jar: CookieJar,
) -> Result<(CookieJar, StatusCode), ApiError> {
    deletion::delete_user(&state.db, user.id).await?;
    broadcast::revoke(&state.db, &state.caches, Revoked::User(user.id)).await;
    Ok((session::clear_cookies(jar), StatusCode::NO_CONTENT))
}
