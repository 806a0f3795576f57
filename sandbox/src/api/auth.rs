//! Who is calling: the access token from `?access_token=` or an `Authorization` header,
//! verified, unexpired and not revoked.

use axum::http::HeaderMap;

use crate::data::Account;
use crate::meta_error::GraphError;
use crate::state::{Invalidation, Sandbox};
use crate::tokens::Claims;

/// The raw token of a request, if any.
pub fn token_of<'a>(headers: &'a HeaderMap, query: &'a [(String, String)]) -> Option<&'a str> {
    if let Some((_, token)) = query.iter().find(|(k, _)| k == "access_token") {
        return Some(token.as_str());
    }
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").or_else(|| value.strip_prefix("OAuth ")).map(str::trim)
}

/// A verified token and the account it belongs to.
#[derive(Debug)]
pub struct Caller<'a> {
    /// The verified claims.
    pub claims: Claims,
    /// The signed-in account.
    pub account: &'a Account,
}

/// Verifies `token` as Meta would: parse, signature, expiry (by the sandbox clock), revocation.
pub fn verify<'a>(state: &'a Sandbox, token: Option<&str>) -> Result<Caller<'a>, GraphError> {
    let token = token.filter(|t| !t.is_empty()).ok_or_else(GraphError::missing_token)?;
    let claims = state.signer.verify(token).ok_or_else(GraphError::invalid_token)?;
    if claims.expires <= state.now_secs() {
        return Err(GraphError::expired_token());
    }
    match state.invalidation(claims.person, claims.issued_ms) {
        Some(Invalidation::Revoked) => return Err(GraphError::revoked_token()),
        Some(Invalidation::Expired) => return Err(GraphError::expired_token()),
        None => {}
    }
    let account = state.data.account(claims.person).ok_or_else(GraphError::invalid_token)?;
    Ok(Caller { claims, account })
}
