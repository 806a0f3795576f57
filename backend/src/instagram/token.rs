//! Instagram user access tokens. They never appear in logs, errors or `Debug` output: the only
//! way to read one is [`AccessToken::expose`].

use std::fmt;
use std::time::Duration;

/// An Instagram user access token (short- or long-lived).
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct AccessToken(String);

impl AccessToken {
    /// Wraps a token, e.g. one decrypted from the database.
    pub fn new(token: impl Into<String>) -> Self {
        Self(token.into())
    }

    /// The token itself, for a request or for encryption at rest.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// The result of the code exchange: valid for an hour, to be exchanged for a long-lived token.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShortLivedToken {
    /// The token.
    pub token: AccessToken,
    /// The Instagram user id it belongs to (as the exchange reports it).
    pub user_id: String,
    /// Granted permissions, e.g. `instagram_business_basic`.
    pub permissions: Vec<String>,
}

/// A long-lived token (60 days on Instagram), from the exchange or a refresh.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LongLivedToken {
    /// The token.
    pub token: AccessToken,
    /// Time until it expires, counted from the response.
    pub expires_in: Duration,
}

/// Removes every occurrence of `secret` and of any `access_token=…` value from `text`, so that
/// response snippets kept for debugging cannot leak a token.
pub(crate) fn scrub(text: &str, secrets: &[&str]) -> String {
    let mut out = text.to_owned();
    for secret in secrets.iter().filter(|s| s.len() >= 4) {
        out = out.replace(secret, "<redacted>");
    }
    let mut result = String::with_capacity(out.len());
    let mut rest = out.as_str();
    while let Some(at) = rest.find("access_token") {
        let (before, after) = rest.split_at(at + "access_token".len());
        result.push_str(before);
        let value_start = after
            .char_indices()
            .find(|&(_, c)| !matches!(c, '=' | '"' | ':' | ' ' | '\\'))
            .map_or(after.len(), |(i, _)| i);
        let value_end = after[value_start..]
            .find(['&', '"', ',', '}', ' ', '\\'])
            .map_or(after.len(), |i| value_start + i);
        result.push_str(&after[..value_start]);
        if value_end > value_start {
            result.push_str("<redacted>");
        }
        rest = &after[value_end..];
    }
    result.push_str(rest);
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_redacted_everywhere_but_expose() {
        let token = AccessToken::new("IGQVJsecret");
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
        assert_eq!(token.to_string(), "<redacted>");
        assert_eq!(token.expose(), "IGQVJsecret");
        let long = LongLivedToken { token, expires_in: Duration::from_secs(1) };
        assert!(!format!("{long:?}").contains("IGQVJ"));
    }

    #[test]
    fn scrub_removes_tokens_from_bodies_and_urls() {
        let body = r#"{"access_token":"abc123","next":"https://g/me?access_token=xyz789&after=1"}"#;
        let clean = scrub(body, &["abc123"]);
        assert!(!clean.contains("abc123") && !clean.contains("xyz789"), "{clean}");
        assert!(clean.contains("after=1"));
        assert_eq!(scrub("plain", &[]), "plain");
    }
}
