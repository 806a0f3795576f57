//! `GET /api/auth/instagram` and its callback: the browser's sign-in round trip.

use axum::{
    extract::{FromRef as _, State},
    response::{IntoResponse as _, Response},
};
use axum_extra::extract::cookie::CookieJar;
use serde::Deserialize;
use utoipa::IntoParams;

use super::found;
use crate::http::problems::{OtherProblem, RateLimited};
use crate::{
    auth::{
        AuthContext, ReturnTo,
        session::{self, STATE_COOKIE},
        sign_in::{self, Callback, SignInError},
    },
    http::{
        AppState, ClientAddr,
        error::{ApiError, Problem},
        extract::Query,
    },
    rate_limit::Action,
};

/// Where to return after signing in.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SignInQuery {
    /// A path on this site, e.g. `/crush` (default `/`): one leading `/`, no backslash, `#` or
    /// control character, at most 2048 characters. URLs to other sites are refused.
    #[param(
        max_length = 2048,
        pattern = r"^/([^/\\#\u0000-\u001f\u007f-\u009f][^\\#\u0000-\u001f\u007f-\u009f]*)?$"
    )]
    pub return_to: Option<String>,
}

/// Sign in with Instagram.
///
/// For a browser: redirects to Instagram's authorize window, which comes back to
/// `GET /api/auth/instagram/callback`. The web session then lives in httpOnly cookies.
#[utoipa::path(
    get,
    path = "/api/auth/instagram",
    tag = "auth",
    security(),
    params(SignInQuery),
    responses(
        (status = 302, description = "To Instagram's authorize window; sets the short-lived `state` cookie",
         headers(("Location" = String, description = "Instagram's authorize window; always sent"))),
        (status = 400, description = "`return_to` is not a path on this site", body = Problem, content_type = "application/problem+json"),
        RateLimited,
        OtherProblem,
    )
)]
pub async fn start_instagram_sign_in(
    State(state): State<AppState>,
    addr: ClientAddr,
    jar: CookieJar,
    Query(query): Query<SignInQuery>,
) -> Result<(CookieJar, Response), ApiError> {
    // Each start stores a sign-in state: the limit bounds what one client can make us store.
    addr.limit(&state, Action::SignInStart, None)?;
    let return_to = match query.return_to.as_deref() {
        Some(path) => ReturnTo::parse(path).map_err(|err| ApiError::BadRequest(err.to_string()))?,
        None => ReturnTo::default(),
    };
    let (url, value) = sign_in::start(&AuthContext::from_ref(&state), &return_to).await?;
    Ok((session::set_state_cookie(jar, &state.auth, value), found(url.as_str())))
}

/// Where a failed sign-in sends the browser: `/signin?error=<code>`, or for a partial grant the
/// page that says which permission is missing and offers it again (never straight back to
/// Instagram, which would loop).
fn failure_location(err: &SignInError) -> String {
    match err {
        SignInError::MissingPermission { missing, return_to } => {
            let mut query = url::form_urlencoded::Serializer::new(String::new());
            query.append_pair("missing", &missing.join(",")).append_pair("return_to", return_to.as_str());
            format!("/signin/permissions?{}", query.finish())
        }
        _ => format!("/signin?error={}", err.code()),
    }
}

/// Instagram's redirect back.
///
/// Signs the person in and returns them to where they started. Every failure (declined consent, a wrong, missing or replayed `state`, Instagram
/// unavailable) redirects to `/signin?error=<code>`: `access_denied`, `invalid_state`,
/// `instagram_unavailable`, `instagram_refused` or `sign_in_failed`. A consent that left out a
/// permission the app needs signs nobody in and redirects to
/// `/signin/permissions?missing=<permissions>&return_to=<path>`.
#[utoipa::path(
    get,
    path = "/api/auth/instagram/callback",
    tag = "auth",
    security(),
    params(Callback),
    responses(
        (status = 302, description = "To `return_to` with the session cookies set, to `/signin?error=<code>`, or to `/signin/permissions?missing=…`",
         headers(("Location" = String, description = "`return_to`, `/signin?error=<code>` or `/signin/permissions?missing=<permissions>&return_to=<path>`; always sent"))),
        RateLimited,
        OtherProblem,
    )
)]
pub async fn finish_instagram_sign_in(
    State(state): State<AppState>,
    addr: ClientAddr,
    jar: CookieJar,
    Query(callback): Query<Callback>,
) -> (CookieJar, Response) {
    let cookie_state = jar.get(STATE_COOKIE).map(|cookie| cookie.value().to_owned());
    if let Err(err) = addr.limit(&state, Action::SignInCallback, cookie_state.as_deref()) {
        return (jar, err.into_response());
    }
    let jar = session::clear_state_cookie(jar);
    match sign_in::complete(&AuthContext::from_ref(&state), &callback, cookie_state.as_deref()).await {
        Ok((session, return_to)) => {
            (session::set_cookies(jar, &state.auth, session), found(return_to.as_str()))
        }
        Err(err) => {
            tracing::warn!(code = err.code(), error = %err, "sign-in failed");
            (jar, found(&failure_location(&err)))
        }
    }
}
