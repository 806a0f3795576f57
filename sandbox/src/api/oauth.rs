//! Token endpoints: the code exchange of `api.instagram.com` (`POST /oauth/access_token`,
//! short-lived token) and the long-lived exchange and refresh of `graph.instagram.com`
//! (`GET /access_token`, `GET /refresh_access_token`).

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::auth;
use super::extract::{MetaQuery, OAuthForm};
use crate::meta_error::{GraphError, OAuthError};
use crate::state::{Shared, now_ms, now_secs};
use crate::tokens::{Claims, TokenKind};

/// The scopes the sandbox grants.
pub const PERMISSIONS: &str = "instagram_business_basic,instagram_business_manage_comments";
/// Lifetime of short-lived tokens, as on Instagram.
const SHORT_TTL_SECS: u64 = 3600;

/// Form of `POST /oauth/access_token`.
#[derive(Debug, Deserialize)]
pub struct CodeExchange {
    client_id: Option<String>,
    client_secret: Option<String>,
    grant_type: Option<String>,
    redirect_uri: Option<String>,
    code: Option<String>,
}

/// `POST /oauth/access_token`: authorization code → short-lived token, in the documented
/// `{"data":[{"access_token","user_id","permissions"}]}` shape.
pub async fn exchange_code(
    State(state): State<Shared>,
    OAuthForm(form): OAuthForm<CodeExchange>,
) -> Response {
    let (Some(client_id), Some(_secret), Some(redirect_uri), Some(code)) =
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
    let code = code.strip_suffix("#_").unwrap_or(&code);
    let claims = state.signer.verify_code(code, &client_id, &redirect_uri);
    let Some(claims) = claims.filter(|c| c.expires > now_secs()) else {
        return OAuthError::new("Invalid authorization code").into_response();
    };
    if !state.use_code(code) {
        return OAuthError::new("This authorization code has been used").into_response();
    }
    let Some(account) = state.data.account(claims.person) else {
        return OAuthError::new("Invalid authorization code").into_response();
    };
    let ttl = SHORT_TTL_SECS.min(state.knobs().token_ttl_secs.max(1));
    let token = issue(&state, claims.person, TokenKind::Short, ttl);
    Json(json!({
        "data": [{ "access_token": token, "user_id": account.owner.user_id.to_string(), "permissions": PERMISSIONS }]
    }))
    .into_response()
}

fn issue(state: &crate::state::Sandbox, person: u32, kind: TokenKind, ttl: u64) -> String {
    state.signer.issue(&Claims { kind, person, issued_ms: now_ms(), expires: now_secs() + ttl })
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
    if q.client_secret.as_deref().is_none_or(str::is_empty) {
        return GraphError::bad_param("(#100) Missing client_secret").into_response();
    }
    long_lived_token(&state, &headers, q.access_token)
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
    long_lived_token(&state, &headers, q.access_token)
}

fn long_lived_token(state: &crate::state::Sandbox, headers: &HeaderMap, token: Option<String>) -> Response {
    let query: Vec<(String, String)> = token.map(|t| ("access_token".to_owned(), t)).into_iter().collect();
    let caller = match auth::verify(state, auth::token_of(headers, &query)) {
        Ok(caller) => caller,
        Err(e) => return e.into_response(),
    };
    let ttl = state.knobs().token_ttl_secs.max(1);
    let token = issue(state, caller.claims.person, TokenKind::Long, ttl);
    Json(json!({ "access_token": token, "token_type": "bearer", "expires_in": ttl })).into_response()
}
