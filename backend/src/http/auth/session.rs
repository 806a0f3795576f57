//! `POST /api/auth/refresh` and `POST /api/auth/logout`: the SPA's session, by cookie.

use axum::{
    extract::State,
    http::{HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Serialize;
use utoipa::ToSchema;

use crate::http::problems::{CsrfMissing, OtherProblem, RateLimited};
use crate::{
    auth::{
        refresh::{self, RefreshError},
        session::{self, REFRESH_COOKIE},
    },
    cache::{Credential, Revoked, broadcast},
    http::{
        AppState, ClientAddr,
        error::{ApiError, Problem},
        extract::Json,
        require_csrf_header,
    },
    rate_limit::Action,
};

/// The renewed session (the tokens themselves are in httpOnly cookies).
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// The signed-in user.
    pub user_id: i64,
    /// Seconds until the new access token expires: refresh before then.
    pub expires_in: u64,
}

/// Renews the web session.
///
/// Rotates the refresh token (cookie) and issues a new access token (cookie). Presenting a
/// refresh token that was already used revokes its whole session.
#[utoipa::path(
    post,
    path = "/api/auth/refresh",
    tag = "auth",
    security(("refresh_cookie" = [], "csrf_header" = [])),
    responses(
        (status = 200, description = "New cookies set", body = SessionInfo),
        (status = 401, description = "No valid refresh token; cookies cleared", body = Problem, content_type = "application/problem+json"),
        CsrfMissing,
        RateLimited,
        OtherProblem,
    )
)]
pub async fn refresh_session(
    State(state): State<AppState>,
    addr: ClientAddr,
    jar: CookieJar,
    headers: HeaderMap,
) -> Response {
    if let Err(err) = require_csrf_header(&Method::POST, &headers) {
        return err.into_response();
    }
    let presented = jar.get(REFRESH_COOKIE).map(|cookie| cookie.value().to_owned());
    if let Err(err) = addr.limit(&state, Action::Refresh, presented.as_deref()) {
        return err.into_response();
    }
    let Some(presented) = presented else {
        return ApiError::Unauthorized("no session to refresh: sign in".to_owned()).into_response();
    };
    match session::renew(&state.db, &state.auth, &presented).await {
        Ok(renewed) => {
            let info =
                SessionInfo { user_id: renewed.refresh.user_id, expires_in: state.auth.access_ttl.as_secs() };
            (session::set_cookies(jar, &state.auth, renewed), Json(info)).into_response()
        }
        Err(err) => {
            if matches!(err, RefreshError::Reused) {
                // A family was revoked: sessions known to stand may not any more.
                broadcast::revoke(&state.db, &state.caches, Revoked::Credentials).await;
            }
            (session::clear_cookies(jar), ApiError::from(err)).into_response()
        }
    }
}

/// Signs out of the web app.
///
/// Revokes the session's refresh tokens and clears the cookies. Without a refresh cookie it
/// answers `204` too.
#[utoipa::path(
    post,
    path = "/api/auth/logout",
    tag = "auth",
    // The refresh cookie is optional: without one there is no session to end.
    security(("refresh_cookie" = [], "csrf_header" = []), ("csrf_header" = [])),
    responses(
        (status = 204, description = "Signed out"),
        CsrfMissing,
        OtherProblem,
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    jar: CookieJar,
    headers: HeaderMap,
) -> Result<(CookieJar, StatusCode), ApiError> {
    require_csrf_header(&Method::POST, &headers)?;
    if let Some(cookie) = jar.get(REFRESH_COOKIE)
        && let Some((user_id, family)) = refresh::revoke_family_of(&state.db, cookie.value()).await?
    {
        let session = Credential::Session(user_id, family);
        broadcast::revoke(&state.db, &state.caches, Revoked::Credential(session)).await;
    }
    Ok((session::clear_cookies(jar), StatusCode::NO_CONTENT))
}
