//! `CurrentUser`: who is calling, from the session cookie or an `Authorization: Bearer` token.
//! Cookie-authenticated unsafe requests must carry [`CSRF_HEADER`], which a cross-site form
//! cannot send and a cross-origin script cannot send without passing CORS.

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, Method, header, request::Parts},
};
use axum_extra::extract::cookie::CookieJar;

use super::{AppState, error::ApiError};
use crate::{
    auth::{AccessClaims, TokenUse, api_tokens, refresh, session::ACCESS_COOKIE},
    cache::Credential,
};

/// The header cookie-authenticated unsafe requests must carry (any non-empty value).
pub const CSRF_HEADER: &str = "x-instacrush-csrf";

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthMethod {
    /// The SPA's session cookie.
    Session,
    /// A Bearer token exchanged for an API token.
    ApiToken,
}

/// The signed-in caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CurrentUser {
    /// The user's id.
    pub id: i64,
    /// Cookie or Bearer.
    pub method: AuthMethod,
}

/// The signed-in caller, through the SPA's session only: managing API tokens and deleting the
/// account are not for third-party clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionUser(pub CurrentUser);

/// Refuses an unsafe request without the CSRF header.
pub fn require_csrf_header(method: &Method, headers: &HeaderMap) -> Result<(), ApiError> {
    let safe = matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS);
    let present = headers.get(CSRF_HEADER).is_some_and(|value| !value.is_empty());
    if safe || present {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "csrf_header_missing",
            detail: format!("requests authenticated by cookie must send the {CSRF_HEADER} header"),
        })
    }
}

fn unauthorized() -> ApiError {
    ApiError::Unauthorized("sign in to continue: the credentials are missing, invalid or expired".to_owned())
}

fn verify(state: &AppState, token: &str, expected: TokenUse) -> Result<(AccessClaims, i64), ApiError> {
    let claims = state.auth.keyring.verify(token).map_err(|err| {
        tracing::debug!(error = %err, "access token refused");
        unauthorized()
    })?;
    let user_id = claims.user_id().ok_or_else(unauthorized)?;
    if claims.token_use != expected {
        return Err(unauthorized());
    }
    Ok((claims, user_id))
}

/// Whether `credential` still stands: known from the read cache, or else `check`ed in the
/// database (a yes is remembered; a no never is).
async fn stands(
    state: &AppState,
    credential: Credential,
    check: impl Future<Output = Result<bool, sea_orm::DbErr>>,
) -> Result<bool, ApiError> {
    if state.caches.credentials.get(&credential).is_some() {
        return Ok(true);
    }
    let mark = state.caches.revocation_mark();
    let alive = check.await?;
    if alive {
        state.caches.credential_stands(credential, mark);
    }
    Ok(alive)
}

async fn from_bearer(state: &AppState, value: &str) -> Result<CurrentUser, ApiError> {
    let token =
        value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("bearer ")).ok_or_else(unauthorized)?;
    let (claims, id) = verify(state, token.trim(), TokenUse::Api)?;
    let token_id = claims.tid.ok_or_else(unauthorized)?;
    let check = api_tokens::is_active(&state.db, id, token_id);
    if !stands(state, Credential::ApiToken(id, token_id), check).await? {
        return Err(unauthorized());
    }
    Ok(CurrentUser { id, method: AuthMethod::ApiToken })
}

async fn from_cookie(state: &AppState, token: &str) -> Result<CurrentUser, ApiError> {
    let (claims, id) = verify(state, token, TokenUse::Session)?;
    let family = claims.sid.ok_or_else(unauthorized)?;
    let check = refresh::family_is_active(&state.db, id, &family);
    if !stands(state, Credential::Session(id, family.clone()), check).await? {
        return Err(unauthorized());
    }
    Ok(CurrentUser { id, method: AuthMethod::Session })
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            return from_bearer(state, value.to_str().map_err(|_| unauthorized())?).await;
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let cookie = jar.get(ACCESS_COOKIE).ok_or_else(unauthorized)?;
        require_csrf_header(&parts.method, &parts.headers)?;
        from_cookie(state, cookie.value()).await
    }
}

impl FromRequestParts<AppState> for SessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if user.method != AuthMethod::Session {
            return Err(ApiError::Forbidden {
                code: "session_required",
                detail: "this action needs the signed-in web app, not an API token".to_owned(),
            });
        }
        Ok(Self(user))
    }
}
