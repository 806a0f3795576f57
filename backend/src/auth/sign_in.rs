//! Sign in with Instagram: the redirect to the authorize window and the callback's work (code
//! exchange, long-lived token, profile, linking the account).

use url::Url;

use super::AuthContext;
use super::{
    ReturnTo, linking, oauth_state,
    session::{self, Session},
};
use crate::instagram::{ErrorKind, InstagramError, SCOPES};

/// The callback path registered with Instagram.
pub const CALLBACK_PATH: &str = "/api/auth/instagram/callback";

/// Why a sign-in did not complete; [`SignInError::code`] is what the SPA shows.
#[derive(Debug, thiserror::Error)]
pub enum SignInError {
    /// The person declined on Instagram's consent screen.
    #[error("consent was declined")]
    Declined,
    /// The `state` is missing, wrong, expired or replayed.
    #[error("invalid state")]
    InvalidState,
    /// Instagram's answer lacked the code.
    #[error("no authorization code")]
    MissingCode,
    /// The person granted only some of the permissions the app needs (Instagram's consent
    /// lets them untick one); nothing was stored.
    #[error("permissions not granted: {}", .missing.join(", "))]
    MissingPermission {
        /// The permissions the app needs and did not get.
        missing: Vec<String>,
        /// Where the sign-in was to return.
        return_to: ReturnTo,
    },
    /// Instagram failed or refused.
    #[error("instagram: {0}")]
    Instagram(#[from] InstagramError),
    /// Anything else.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl SignInError {
    /// The stable code in `/signin?error=<code>`.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Declined => "access_denied",
            Self::InvalidState => "invalid_state",
            Self::MissingCode => "sign_in_failed",
            Self::MissingPermission { .. } => "missing_permission",
            Self::Instagram(err) => match err.kind() {
                ErrorKind::Throttled { .. } | ErrorKind::Transient => "instagram_unavailable",
                ErrorKind::NeedsReauth | ErrorKind::Permanent => "instagram_refused",
            },
            Self::Internal(_) => "sign_in_failed",
        }
    }
}

impl From<oauth_state::StateError> for SignInError {
    fn from(err: oauth_state::StateError) -> Self {
        match err {
            oauth_state::StateError::Invalid => Self::InvalidState,
            oauth_state::StateError::Db(err) => Self::Internal(err.into()),
        }
    }
}

/// Where Instagram sends the browser back: configured, or this server's callback.
pub fn redirect_uri(state: &AuthContext) -> String {
    state
        .instagram
        .config()
        .redirect_uri
        .clone()
        .unwrap_or_else(|| format!("{}{CALLBACK_PATH}", state.auth.public_origin))
}

/// Records a new sign-in; returns the authorize window URL and the `state` for the cookie.
pub async fn start(state: &AuthContext, return_to: &ReturnTo) -> Result<(Url, String), sea_orm::DbErr> {
    let value = oauth_state::begin(&state.db, return_to).await?;
    let url = state.instagram.authorize_url(&value, &redirect_uri(state));
    Ok((url, value))
}

/// The permissions the app needs that `granted` lacks. An empty `granted` is Instagram saying
/// nothing about them (the calls will tell).
pub fn missing_permissions(granted: &[String]) -> Vec<String> {
    if granted.is_empty() {
        return Vec::new();
    }
    SCOPES.iter().filter(|scope| !granted.iter().any(|g| g == *scope)).map(|s| (*s).to_owned()).collect()
}

/// The callback's work once the `state` checked out: exchanges `code` for a short-lived token,
/// checks the permissions granted, trades it for a long-lived token, reads the profile and
/// links the account; returns the user id.
pub async fn finish(state: &AuthContext, code: &str, return_to: &ReturnTo) -> Result<i64, SignInError> {
    let client = &state.instagram;
    let short = client.exchange_code(code, &redirect_uri(state)).await?;
    let missing = missing_permissions(&short.permissions);
    if !missing.is_empty() {
        return Err(SignInError::MissingPermission { missing, return_to: return_to.clone() });
    }
    let long = client.long_lived(&short.token).await?;
    let profile = client.profile(&long.token).await?;
    let user_id =
        linking::link_instagram_account(&state.db, &state.auth, &profile, &long, &short.permissions).await?;
    tracing::info!(user_id, ig_id = %profile.user_id, "signed in with Instagram");
    Ok(user_id)
}

/// What Instagram's redirect to the callback carries.
#[derive(Debug, Default, serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Callback {
    /// The authorization code (on approval).
    pub code: Option<String>,
    /// The `state` given to the authorize window.
    pub state: Option<String>,
    /// `access_denied` when the person declined.
    pub error: Option<String>,
    /// Instagram's reason, e.g. `user_denied`.
    pub error_reason: Option<String>,
    /// Instagram's human-readable reason.
    pub error_description: Option<String>,
}

/// The whole callback: checks and consumes the `state` (bound to the browser by
/// `cookie_state`), then signs the person in and starts a session.
pub async fn complete(
    state: &AuthContext,
    callback: &Callback,
    cookie_state: Option<&str>,
) -> Result<(Session, ReturnTo), SignInError> {
    let return_to = oauth_state::consume(&state.db, callback.state.as_deref(), cookie_state).await?;
    if callback.error.is_some() {
        return Err(SignInError::Declined);
    }
    let code = callback.code.as_deref().filter(|code| !code.is_empty()).ok_or(SignInError::MissingCode)?;
    let user_id = finish(state, code, &return_to).await?;
    let session = session::start(&state.db, &state.auth, user_id).await?;
    Ok((session, return_to))
}
