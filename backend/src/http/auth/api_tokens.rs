//! API tokens: a signed-in user creates, lists and revokes them; a third-party client
//! exchanges one for a short-lived Bearer access token.

use axum::{
    extract::State,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::http::problems::{
    MalformedJson, NotJson, NotSignedIn, OtherProblem, RateLimited, SessionRequired,
};
use crate::{
    auth::api_tokens,
    cache::{Credential, Revoked, broadcast},
    entities::api_token,
    http::{
        AppState, ClientAddr, SessionUser,
        error::{ApiError, Problem},
        extract::{Json, Path},
    },
    rate_limit::Action,
};

/// A new API token's name.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewApiToken {
    /// What the token is for, e.g. `my script`: 1–100 characters, not only whitespace, no
    /// control characters. Kept without surrounding whitespace.
    #[schema(
        example = "my script",
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000][^\u0000-\u001f\u007f-\u009f]*$"
    )]
    pub name: String,
}

/// An API token as listed (never its secret).
#[derive(Debug, Serialize, ToSchema)]
pub struct ApiToken {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// Its first characters, to tell tokens apart.
    #[schema(example = "icat_Zx81Qa")]
    pub prefix: String,
    /// When it was created.
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    /// When it was last exchanged, if ever.
    #[serde(with = "time::serde::rfc3339::option")]
    #[schema(required = true)]
    pub last_used_at: Option<OffsetDateTime>,
}

impl From<api_token::Model> for ApiToken {
    fn from(row: api_token::Model) -> Self {
        Self {
            id: row.id,
            name: row.name,
            prefix: row.prefix,
            created_at: row.created_at,
            last_used_at: row.last_used_at,
        }
    }
}

/// A just-created token: the only response that ever holds its secret.
// No `Debug`: secrets never reach logs.
#[derive(Serialize, ToSchema)]
pub struct CreatedApiToken {
    /// The token's listing.
    #[serde(flatten)]
    pub api_token: ApiToken,
    /// The secret: store it now, it is not shown again.
    pub token: String,
}

/// The token endpoint's request.
#[derive(Deserialize, ToSchema)]
pub struct TokenRequest {
    /// An API token (`icat_…`).
    #[schema(min_length = 1)]
    pub api_token: String,
}

/// A short-lived access token (RFC 6749 §5.1 shape).
#[derive(Serialize, ToSchema)]
pub struct AccessToken {
    /// The JWT to send as `Authorization: Bearer <access_token>`.
    pub access_token: String,
    /// Always `Bearer`.
    #[schema(example = "Bearer")]
    pub token_type: &'static str,
    /// Seconds until it expires; exchange the API token again after.
    pub expires_in: u64,
}

/// Creates a named API token for third-party clients.
///
/// The secret (`token`) is in this response only. A client exchanges it at `POST /api/auth/token`
/// for Bearer access tokens. Needs the web app's session (cookie and CSRF header); API tokens get
/// `403 session_required`.
#[utoipa::path(
    post,
    path = "/api/auth/api-tokens",
    tag = "auth",
    security(("session_cookie" = [], "csrf_header" = [])),
    request_body = NewApiToken,
    responses(
        (status = 201, description = "Created; the secret is shown this once", body = CreatedApiToken),
        NotSignedIn,
        SessionRequired,
        MalformedJson,
        NotJson,
        (status = 422, description = "Bad name", body = Problem, content_type = "application/problem+json"),
        RateLimited,
        OtherProblem,
    )
)]
pub async fn create_api_token(
    State(state): State<AppState>,
    addr: ClientAddr,
    SessionUser(user): SessionUser,
    Json(body): Json<NewApiToken>,
) -> Result<(StatusCode, Json<CreatedApiToken>), ApiError> {
    addr.limit(&state, Action::CreateApiToken, Some(&format!("user:{}", user.id)))?;
    let created = api_tokens::create(&state.db, user.id, &body.name).await?;
    Ok((StatusCode::CREATED, Json(CreatedApiToken { api_token: created.row.into(), token: created.token })))
}

/// Lists my API tokens.
///
/// Newest first, without their secrets. Needs the web app's session cookie; API tokens get
/// `403 session_required`.
#[utoipa::path(
    get,
    path = "/api/auth/api-tokens",
    tag = "auth",
    security(("session_cookie" = [])),
    responses(
        (status = 200, description = "The tokens, newest first", body = Vec<ApiToken>),
        NotSignedIn,
        (status = 403, description = "Not a web session", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn list_api_tokens(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    let rows = api_tokens::list(&state.db, user.id).await?;
    Ok(Json(rows.into_iter().map(ApiToken::from).collect()))
}

/// Revokes an API token.
///
/// Access tokens exchanged for it stop working at once. Revoking a token revoked already answers
/// `204` too, so a retried request is no error. Needs the web app's session (cookie and
/// CSRF header); API tokens get `403 session_required`.
#[utoipa::path(
    delete,
    path = "/api/auth/api-tokens/{id}",
    tag = "auth",
    security(("session_cookie" = [], "csrf_header" = [])),
    params(("id" = i64, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked (or revoked already)"),
        (status = 400, description = "Not a token id", body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        SessionRequired,
        (status = 404, description = "No such token of yours", body = Problem, content_type = "application/problem+json"),
        OtherProblem,
    )
)]
pub async fn revoke_api_token(
    State(state): State<AppState>,
    SessionUser(user): SessionUser,
    Path(id): Path<i64>,
) -> Result<StatusCode, ApiError> {
    api_tokens::revoke(&state.db, user.id, id).await?;
    let token = Credential::ApiToken(user.id, id);
    broadcast::revoke(&state.db, &state.caches, Revoked::Credential(token)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// Exchanges an API token for a short-lived Bearer access token.
///
/// Send the `access_token` as `Authorization: Bearer …`; when `expires_in` seconds have passed
/// (or on a `401`), exchange the API token again. A revoked API token is refused with `401`.
#[utoipa::path(
    post,
    path = "/api/auth/token",
    tag = "auth",
    security(),
    request_body = TokenRequest,
    responses(
        (status = 200, description = "An access token", body = AccessToken,
         headers(("Cache-Control" = String, description = "`no-store`: the token is a secret"))),
        MalformedJson,
        NotJson,
        (status = 422, description = "No api_token field", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "Unknown or revoked API token", body = Problem, content_type = "application/problem+json"),
        RateLimited,
        OtherProblem,
    )
)]
pub async fn exchange_api_token(
    State(state): State<AppState>,
    addr: ClientAddr,
    Json(body): Json<TokenRequest>,
) -> Result<Response, ApiError> {
    addr.limit(&state, Action::TokenExchange, Some(body.api_token.trim()))?;
    let access_token = api_tokens::exchange(&state.db, &state.auth, &body.api_token).await?;
    let body =
        AccessToken { access_token, token_type: "Bearer", expires_in: state.auth.access_ttl.as_secs() };
    Ok(([(header::CACHE_CONTROL, HeaderValue::from_static("no-store"))], Json(body)).into_response())
}
