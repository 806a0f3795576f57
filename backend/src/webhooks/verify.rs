//! Meta's verification of the callback URL: `GET ?hub.mode=subscribe&hub.verify_token=…&
//! hub.challenge=…`, answered with the challenge when the verify token is ours.

use serde::Deserialize;

use super::WebhookSettings;
use crate::auth::crypto::constant_time_eq;

/// The query of a verification request.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Verification {
    /// Always `subscribe`.
    #[serde(rename = "hub.mode")]
    #[param(rename = "hub.mode", required = true, pattern = "^subscribe$")]
    pub mode: Option<String>,
    /// The verify token entered in the app dashboard.
    #[serde(rename = "hub.verify_token")]
    #[param(rename = "hub.verify_token", required = true, min_length = 1)]
    pub verify_token: Option<String>,
    /// What to answer with.
    #[serde(rename = "hub.challenge")]
    #[param(rename = "hub.challenge", required = true, min_length = 1)]
    pub challenge: Option<String>,
}

/// Why a verification request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum VerificationError {
    /// A parameter is missing, or the mode is not `subscribe`.
    #[error("expected hub.mode=subscribe, hub.verify_token and hub.challenge")]
    Malformed,
    /// The verify token is not ours (or none is configured).
    #[error("the verify token does not match")]
    WrongToken,
}

/// The challenge to echo, when the request is Meta's with our verify token.
pub fn verify_subscription(
    settings: &WebhookSettings,
    query: Verification,
) -> Result<String, VerificationError> {
    let (Some(mode), Some(token), Some(challenge)) = (query.mode, query.verify_token, query.challenge) else {
        return Err(VerificationError::Malformed);
    };
    if mode != "subscribe" || challenge.is_empty() || challenge.len() > 512 {
        return Err(VerificationError::Malformed);
    }
    let ours =
        settings.verify_token.as_deref().filter(|t| !t.is_empty()).ok_or(VerificationError::WrongToken)?;
    if constant_time_eq(ours, &token) { Ok(challenge) } else { Err(VerificationError::WrongToken) }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(mode: &str, token: &str, challenge: &str) -> Verification {
        Verification {
            mode: Some(mode.into()),
            verify_token: Some(token.into()),
            challenge: Some(challenge.into()),
        }
    }

    #[test]
    fn the_challenge_comes_back_for_our_token_only() {
        let settings = WebhookSettings { verify_token: Some("tok".into()), ..WebhookSettings::default() };
        assert_eq!(verify_subscription(&settings, query("subscribe", "tok", "123")), Ok("123".into()));
        assert_eq!(
            verify_subscription(&settings, query("subscribe", "tak", "123")),
            Err(VerificationError::WrongToken)
        );
        assert_eq!(
            verify_subscription(&settings, query("unsubscribe", "tok", "1")),
            Err(VerificationError::Malformed)
        );
        assert_eq!(
            verify_subscription(&settings, Verification::default()),
            Err(VerificationError::Malformed)
        );
        let none = WebhookSettings::default();
        assert_eq!(
            verify_subscription(&none, query("subscribe", "", "1")),
            Err(VerificationError::WrongToken)
        );
    }
}
