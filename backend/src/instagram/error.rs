//! What can go wrong talking to Instagram, sorted into what the caller should do about it:
//! ask the user to sign in again, wait, retry, or give up. Error messages carry the endpoint,
//! status and Meta's error object for debugging, and never a token.

use std::fmt;
use std::time::Duration;

use reqwest::StatusCode;
use serde::Deserialize;

use super::usage::Usage;

/// Wait after throttling when neither header says how long.
pub const DEFAULT_THROTTLE_WAIT: Duration = Duration::from_secs(60);
/// Wait after throttling when usage is at 100 % but no regain time is given (Meta's windows
/// roll over an hour).
pub const SATURATED_THROTTLE_WAIT: Duration = Duration::from_secs(10 * 60);

/// What the caller should do about an error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The token is expired, revoked or lacks permissions (code 190 and friends): the user must
    /// sign in again. Retrying cannot help.
    NeedsReauth,
    /// Rate limited (codes 4, 17, 32, 613, 80002 or HTTP 429): retry after `retry_after`.
    Throttled {
        /// How long to wait, from the usage headers when they say.
        retry_after: Duration,
    },
    /// 5xx, timeouts, connection errors, errors Meta marks transient: retry with backoff.
    Transient,
    /// Any other 4xx, or a body that does not parse: retrying will not help.
    Permanent,
}

/// Meta's error object (`{"error":{…}}`, or the older `{"error_type","code","error_message"}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct ApiError {
    /// `message`.
    #[serde(default)]
    pub message: String,
    /// `type`, e.g. `OAuthException`.
    #[serde(default, rename = "type")]
    pub error_type: Option<String>,
    /// `code`, e.g. 190.
    #[serde(default)]
    pub code: Option<i64>,
    /// `error_subcode`, e.g. 463.
    #[serde(default, rename = "error_subcode")]
    pub subcode: Option<i64>,
    /// `is_transient`.
    #[serde(default)]
    pub is_transient: Option<bool>,
    /// `fbtrace_id`, what Meta support asks for.
    #[serde(default)]
    pub fbtrace_id: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ErrorBody {
    Graph { error: ApiError },
    OAuth { error_type: String, code: Option<i64>, error_message: String },
}

impl ApiError {
    /// Parses a Graph or OAuth error body; `None` if the body is neither.
    pub fn parse(body: &[u8]) -> Option<Self> {
        match serde_json::from_slice::<ErrorBody>(body).ok()? {
            ErrorBody::Graph { error } => Some(error),
            ErrorBody::OAuth { error_type, code, error_message } => {
                Some(Self { message: error_message, error_type: Some(error_type), code, ..Self::default() })
            }
        }
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "(#{}", self.code.map_or_else(|| "?".to_owned(), |c| c.to_string()))?;
        if let Some(sub) = self.subcode {
            write!(f, "/{sub}")?;
        }
        write!(f, ") {}: {}", self.error_type.as_deref().unwrap_or("error"), self.message)?;
        if let Some(trace) = &self.fbtrace_id {
            write!(f, " [fbtrace_id {trace}]")?;
        }
        Ok(())
    }
}

/// An Instagram call that did not produce what was asked for.
#[derive(Debug, thiserror::Error)]
pub enum InstagramError {
    /// Instagram answered with an error object.
    #[error("Instagram {endpoint} answered HTTP {status}: {error}")]
    Api {
        /// The endpoint, e.g. `GET /me/media`.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// Meta's error object.
        error: Box<ApiError>,
        /// The usage headers of the response.
        usage: Option<Usage>,
        /// What to do about it.
        kind: ErrorKind,
    },
    /// Instagram answered an error status without an error object.
    #[error("Instagram {endpoint} answered HTTP {status}: {snippet}")]
    Status {
        /// The endpoint.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// The start of the body, tokens removed.
        snippet: String,
        /// The usage headers of the response.
        usage: Option<Usage>,
        /// What to do about it.
        kind: ErrorKind,
    },
    /// The call took longer than the per-call timeout.
    #[error("Instagram {endpoint} timed out after {timeout:?}")]
    Timeout {
        /// The endpoint.
        endpoint: &'static str,
        /// The timeout that expired.
        timeout: Duration,
    },
    /// Instagram could not be reached, or the connection broke.
    #[error("Instagram {endpoint} could not be reached: {source}")]
    Network {
        /// The endpoint.
        endpoint: &'static str,
        /// The cause, with the URL (and so any token) stripped.
        #[source]
        source: reqwest::Error,
    },
    /// A successful response whose body is not what the API documents.
    #[error("Instagram {endpoint} sent a body that does not parse ({reason}): {snippet}")]
    Decode {
        /// The endpoint.
        endpoint: &'static str,
        /// HTTP status.
        status: u16,
        /// What the parser said.
        reason: String,
        /// The start of the body, tokens removed.
        snippet: String,
    },
    /// A paging link pointing somewhere other than the configured Graph origin (never followed,
    /// since it would carry the token elsewhere).
    #[error("Instagram {endpoint} sent a paging link to an unexpected origin: {origin}")]
    UntrustedLink {
        /// The endpoint.
        endpoint: &'static str,
        /// The origin of the link.
        origin: String,
    },
    /// The client configuration is unusable (e.g. a base URL that does not parse).
    #[error("Instagram client misconfigured: {0}")]
    Config(String),
}

impl InstagramError {
    /// What the caller should do about this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Self::Api { kind, .. } | Self::Status { kind, .. } => *kind,
            Self::Timeout { .. } | Self::Network { .. } => ErrorKind::Transient,
            Self::Decode { .. } | Self::UntrustedLink { .. } | Self::Config(_) => ErrorKind::Permanent,
        }
    }

    /// The endpoint that failed, a bounded label for metrics.
    pub fn endpoint(&self) -> &'static str {
        match self {
            Self::Api { endpoint, .. }
            | Self::Status { endpoint, .. }
            | Self::Timeout { endpoint, .. }
            | Self::Network { endpoint, .. }
            | Self::Decode { endpoint, .. }
            | Self::UntrustedLink { endpoint, .. } => endpoint,
            Self::Config(_) => "config",
        }
    }

    /// Whether the object read no longer exists (code 100, subcode 33): deleted meanwhile.
    pub fn is_gone(&self) -> bool {
        self.api_error().is_some_and(|e| e.code == Some(100) && e.subcode == Some(33))
    }

    /// Whether the token lacks a permission the call needs (code 10, or 200 to 299), rather
    /// than no longer working at all.
    pub fn is_missing_permission(&self) -> bool {
        self.api_error().and_then(|e| e.code).is_some_and(|code| code == 10 || (200..=299).contains(&code))
    }

    /// Meta's error object, when there was one.
    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            Self::Api { error, .. } => Some(error),
            _ => None,
        }
    }
}

/// Codes that mean the token no longer works or lacks a permission.
fn needs_reauth(code: i64) -> bool {
    matches!(code, 190 | 102 | 10) || (200..=299).contains(&code)
}

/// Codes that mean rate limiting (app, user, page/account, Instagram business use case).
fn throttled(code: i64) -> bool {
    matches!(code, 4 | 17 | 32 | 613 | 80002)
}

/// Sorts an error response into an [`ErrorKind`].
pub fn classify(
    status: StatusCode,
    error: Option<&ApiError>,
    usage: Option<&Usage>,
    retry_after: Option<Duration>,
) -> ErrorKind {
    let code = error.and_then(|e| e.code);
    if code.is_some_and(needs_reauth) || (status == StatusCode::UNAUTHORIZED && code.is_none()) {
        return ErrorKind::NeedsReauth;
    }
    if code.is_some_and(throttled) || status == StatusCode::TOO_MANY_REQUESTS {
        return ErrorKind::Throttled { retry_after: throttle_wait(usage, retry_after) };
    }
    let transient_code = matches!(code, Some(1 | 2));
    if status.is_server_error() || transient_code || error.and_then(|e| e.is_transient) == Some(true) {
        return ErrorKind::Transient;
    }
    ErrorKind::Permanent
}

/// How long to wait after throttling: Meta's estimate, else `Retry-After`, else a default.
fn throttle_wait(usage: Option<&Usage>, retry_after: Option<Duration>) -> Duration {
    if let Some(wait) = usage.and_then(|u| u.estimated_time_to_regain_access) {
        return wait;
    }
    if let Some(wait) = retry_after {
        return wait;
    }
    if usage.is_some_and(|u| u.max_percent() >= 100) {
        return SATURATED_THROTTLE_WAIT;
    }
    DEFAULT_THROTTLE_WAIT
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: i64) -> ApiError {
        ApiError { code: Some(code), ..ApiError::default() }
    }

    #[test]
    fn codes_map_to_kinds() {
        let bad = StatusCode::BAD_REQUEST;
        assert_eq!(classify(bad, Some(&api(190)), None, None), ErrorKind::NeedsReauth);
        assert_eq!(classify(bad, Some(&api(200)), None, None), ErrorKind::NeedsReauth);
        for code in [4, 17, 32, 613, 80002] {
            assert_eq!(
                classify(bad, Some(&api(code)), None, None),
                ErrorKind::Throttled { retry_after: DEFAULT_THROTTLE_WAIT }
            );
        }
        assert_eq!(classify(StatusCode::BAD_GATEWAY, None, None, None), ErrorKind::Transient);
        assert_eq!(classify(bad, Some(&api(2)), None, None), ErrorKind::Transient);
        assert_eq!(classify(bad, Some(&api(100)), None, None), ErrorKind::Permanent);
        assert_eq!(classify(StatusCode::NOT_FOUND, None, None, None), ErrorKind::Permanent);
    }

    #[test]
    fn throttle_wait_prefers_the_usage_estimate() {
        let usage = Usage { call_count: 100, ..Usage::default() };
        let wait = |u: Option<&Usage>, r| match classify(StatusCode::TOO_MANY_REQUESTS, None, u, r) {
            ErrorKind::Throttled { retry_after } => retry_after,
            other => panic!("{other:?}"),
        };
        assert_eq!(wait(Some(&usage), None), SATURATED_THROTTLE_WAIT);
        assert_eq!(wait(None, Some(Duration::from_secs(7))), Duration::from_secs(7));
        let estimated = Usage { estimated_time_to_regain_access: Some(Duration::from_secs(120)), ..usage };
        assert_eq!(wait(Some(&estimated), Some(Duration::from_secs(7))), Duration::from_secs(120));
    }

    #[test]
    fn parses_both_error_shapes() {
        let graph = br#"{"error":{"message":"m","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"t"}}"#;
        let e = ApiError::parse(graph).expect("graph shape");
        assert_eq!((e.code, e.subcode), (Some(190), Some(463)));
        assert_eq!(e.to_string(), "(#190/463) OAuthException: m [fbtrace_id t]");
        let oauth = br#"{"error_type":"OAuthException","code":400,"error_message":"Invalid code"}"#;
        assert_eq!(ApiError::parse(oauth).map(|e| e.message), Some("Invalid code".to_owned()));
        assert_eq!(ApiError::parse(b"<html>"), None);
    }
}
