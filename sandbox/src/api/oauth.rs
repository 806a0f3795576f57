//! Token endpoints: the code exchange of `api.instagram.com` (`POST /oauth/access_token`,
//! short-lived token) and the long-lived exchange and refresh of `graph.instagram.com`
//! (`GET /access_token`, `GET /refresh_access_token`). Tokens carry the permissions granted.
//! Strict mode checks `client_secret` against the app secret, and refreshes only long-lived
//! tokens at least 24 hours old, as Meta documents.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::auth;
use super::extract::{MetaQuery, OAuthForm};
use crate::meta_error::{GraphError, OAuthError};
use crate::scopes::Grant;
use crate::state::{Sandbox, Shared};
use crate::tokens::{Claims, TokenKind};

/// Lifetime of short-lived tokens, as on Instagram.
const SHORT_TTL_SECS: u64 = 3600;
/// How old a long-lived token must be before Meta refreshes it.
const REFRESH_MIN_AGE_MS: u64 = 24 * 3600 * 1000;

/// Form of `POST /oauth/access_token`.
#[derive(Debug, Deserialize)]
pub struct CodeExchange {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    redirect_uri: Option<String>,
    code: Option<String>,
}

/// Whether `secret` is acceptable: any non-empty one when lenient, the app's when strict.
fn secret_ok(state: &Sandbox, secret: &str) -> bool {
    !state.strict() || secret == state.config.app_secret
}

/// `POST /oauth/access_token`: authorization code → short-lived token, in the documented
/// `{"data":[{"access_token","user_id","permissions"}]}` shape.
pub async fn exchange_code(
    State(state): State<Shared>,
    OAuthForm(form): OAuthForm<CodeExchange>,
) -> Response {
    let (Some(client_id), Some(secret), Some(redirect_uri), Some(code)) =
        (form.client_id, form.client_secret.filter(|s| !s.is_empty()), form.redirect_uri, form.code)
    else {
        return OAuthError::new(
            "Missing required field: client_id, client_secret, redirect_uri and code are required",
        )
        .into_response();
    };
    if form.grant_type.as_deref() != Some("authorization_code") {
        return OAuthError::new("Invalid grant_type: expected authorization_code").into_response();
    }
    if !secret_ok(&state, &secret) {
        return OAuthError::new("Invalid Client Secret").into_response();
    }
    let code = code.strip_suffix("#_").unwrap_or(&code);
    let claims = state.signer.verify_code(code, &client_id, &redirect_uri);
    let Some(claims) = claims.filter(|c| c.expires > state.now_secs()) else {
        return OAuthError::new("Invalid authorization code").into_response();
    };
    if !state.use_code(code) {
        return OAuthError::new("This authorization code has been used").into_response();
    }
    let Some(account) = state.data.account(claims.person) else {
        return OAuthError::new("Invalid authorization code").into_response();
    };
    let ttl = SHORT_TTL_SECS.min(state.knobs().token_ttl_secs.max(1));
    let token = issue(&state, claims.person, TokenKind::Short, ttl, claims.grant);
    Json(json!({
        "data": [{
            "access_token": token,
            "user_id": account.owner.user_id.to_string(),
            "permissions": claims.grant.to_string(),
        }]
    }))
    .into_response()
}

/// Issues a token of `kind` for `person`, valid `ttl` seconds from the sandbox clock's now.
pub fn issue(state: &Sandbox, person: u32, kind: TokenKind, ttl: u64, grant: Grant) -> String {
    let issued_ms = state.now_ms();
    state.signer.issue(&Claims { kind, person, issued_ms, expires: issued_ms / 1000 + ttl, grant })
}

/// Query of the long-lived exchange and of the refresh.
#[derive(Debug, Deserialize)]
pub struct TokenQuery {
    grant_type: Option<String>,
    client_secret: Option<String>,
    access_token: Option<String>,
}

/// `GET /access_token?grant_type=ig_exchange_token&client_secret&access_token`.
pub async fn long_lived(
    State(state): State<Shared>,
    headers: HeaderMap,
    MetaQuery(q): MetaQuery<TokenQuery>,
) -> Response {
    if q.grant_type.as_deref() != Some("ig_exchange_token") {
        return GraphError::bad_param("(#100) grant_type must be ig_exchange_token").into_response();
    }
    let Some(secret) = q.client_secret.as_deref().filter(|s| !s.is_empty()) else {
        return GraphError::bad_param("(#100) Missing client_secret").into_response();
    };
    if !secret_ok(&state, secret) {
        return GraphError::bad_client_secret().into_response();
    }
    match caller_claims(&state, &headers, q.access_token) {
        Ok(claims) => long_lived_token(&state, &claims),
        Err(e) => e.into_response(),
    }
}

/// `GET /refresh_access_token?grant_type=ig_refresh_token&access_token`.
pub async fn refresh(
    State(state): State<Shared>,
    headers: HeaderMap,
    MetaQuery(q): MetaQuery<TokenQuery>,
) -> Response {
    if q.grant_type.as_deref() != Some("ig_refresh_token") {
        return GraphError::bad_param("(#100) grant_type must be ig_refresh_token").into_response();
    }
    let claims = match caller_claims(&state, &headers, q.access_token) {
        Ok(claims) => claims,
        Err(e) => return e.into_response(),
    };
    if state.strict() {
        if claims.kind != TokenKind::Long {
            return GraphError::refresh_refused("Only long-lived access tokens can be refreshed")
                .into_response();
        }
        if state.now_ms().saturating_sub(claims.issued_ms) < REFRESH_MIN_AGE_MS {
            return GraphError::refresh_refused(
                "The access token must be at least 24 hours old to be refreshed",
            )
            .into_response();
        }
    }
    long_lived_token(&state, &claims)
}

fn caller_claims(state: &Sandbox, headers: &HeaderMap, token: Option<String>) -> Result<Claims, GraphError> {
    let query: Vec<(String, String)> = token.map(|t| ("access_token".to_owned(), t)).into_iter().collect();
    auth::verify(state, auth::token_of(headers, &query)).map(|caller| caller.claims)
}

fn long_lived_token(state: &Sandbox, claims: &Claims) -> Response {
    let ttl = state.knobs().token_ttl_secs.max(1);
    let token = issue(state, claims.person, TokenKind::Long, ttl, claims.grant);
    Json(json!({ "access_token": token, "token_type": "bearer", "expires_in": ttl })).into_response()
}
