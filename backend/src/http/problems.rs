//! The problem responses several operations share, declared once for the OpenAPI document
//! (`responses(NotSignedIn, …)` in a handler's `#[utoipa::path]`).

use utoipa::IntoResponses;

use super::error::Problem;

/// Not signed in (or the credentials expired): the problem carries `sign_in_url`.
#[derive(IntoResponses)]
#[response(status = 401, description = "Not signed in", content_type = "application/problem+json")]
pub struct NotSignedIn(#[allow(dead_code)] Problem);

/// The signed-in user has no Instagram account.
#[derive(IntoResponses)]
#[response(
    status = 404,
    description = "No Instagram account is linked to this user",
    content_type = "application/problem+json"
)]
pub struct NoAccount(#[allow(dead_code)] Problem);

/// A web-session-only operation called without the CSRF header or with an API token.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "No CSRF header, or not a web session",
    content_type = "application/problem+json"
)]
pub struct SessionRequired(#[allow(dead_code)] Problem);

/// `limit` or `offset` out of range.
#[derive(IntoResponses)]
#[response(status = 400, description = "Bad paging parameters", content_type = "application/problem+json")]
pub struct BadPaging(#[allow(dead_code)] Problem);

/// Meta's callback form lacks `signed_request`.
#[derive(IntoResponses)]
#[response(status = 422, description = "No signed_request field", content_type = "application/problem+json")]
pub struct NoSignedRequest(#[allow(dead_code)] Problem);

/// The body is not `application/x-www-form-urlencoded`.
#[derive(IntoResponses)]
#[response(status = 415, description = "Not a form", content_type = "application/problem+json")]
pub struct NotAForm(#[allow(dead_code)] Problem);

/// The body is not `application/json`.
#[derive(IntoResponses)]
#[response(status = 415, description = "Not JSON", content_type = "application/problem+json")]
pub struct NotJson(#[allow(dead_code)] Problem);

/// A cookie-authenticated unsafe request without the CSRF header.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "The CSRF header is missing",
    content_type = "application/problem+json"
)]
pub struct CsrfMissing(#[allow(dead_code)] Problem);

/// Instagram refused the stored token: sign in with Instagram again.
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "Instagram needs a new sign-in (`needs_reauth`)",
    content_type = "application/problem+json"
)]
pub struct NeedsReauth(#[allow(dead_code)] Problem);

/// Meta's `signed_request` is not two dot-separated parts, or its signed payload is not what
/// Meta sends.
#[derive(IntoResponses)]
#[response(
    status = 400,
    description = "The signed_request is malformed",
    content_type = "application/problem+json"
)]
pub struct BadSignedRequest(#[allow(dead_code)] Problem);

/// Meta's `signed_request` does not verify with the app secret (`invalid_signature`), is too
/// old or ahead of time (`stale_signed_request`) or was honoured before
/// (`replayed_signed_request`).
#[derive(IntoResponses)]
#[response(
    status = 403,
    description = "The signed_request does not verify (`invalid_signature`), was not issued within the accepted window (`stale_signed_request`) or was used before (`replayed_signed_request`)",
    content_type = "application/problem+json"
)]
pub struct InvalidSignature(#[allow(dead_code)] Problem);

/// The body is not valid JSON.
#[derive(IntoResponses)]
#[response(status = 400, description = "Malformed JSON", content_type = "application/problem+json")]
pub struct MalformedJson(#[allow(dead_code)] Problem);

/// Too many requests from this client address or with this credential (`rate_limited`).
#[derive(IntoResponses)]
#[response(
    status = 429,
    description = "Too many requests from this address or with this credential: wait `Retry-After` seconds",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "Seconds to wait before trying again"))
)]
pub struct RateLimited(#[allow(dead_code)] Problem);

/// Every other error (the status any request may meet: a timeout, a body too large, the server
/// failing or unavailable), so that clients parse it as the problem it is. Listed last by every
/// operation.
#[derive(IntoResponses)]
#[response(
    status = "default",
    description = "Any other error (e.g. 405, 408, 413, 500, 503), as a problem",
    content_type = "application/problem+json",
    headers(("Retry-After" = u64, description = "On `503`: seconds to wait before trying again"))
)]
pub struct OtherProblem(#[allow(dead_code)] Problem);
