//! Stateless, HMAC-signed access tokens and authorization codes. The key derives from the seed,
//! so tokens survive a sandbox restart (a restarted `make run` keeps users signed in); only
//! revocations and used codes live in memory. A partial grant rides along as a `g<bits>` part;
//! a full grant leaves it out, so full-grant tokens look as they always did.

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::scopes::Grant;

type HmacSha256 = Hmac<Sha256>;

/// Short-lived (from the code exchange) or long-lived (60 days by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// From `POST /oauth/access_token`.
    Short,
    /// From `GET /access_token` or `GET /refresh_access_token`.
    Long,
}

/// What a token says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    /// Short or long-lived.
    pub kind: TokenKind,
    /// Person index of the account owner.
    pub person: u32,
    /// Issue time, unix milliseconds (compared with revocations).
    pub issued_ms: u64,
    /// Expiry, unix seconds.
    pub expires: u64,
    /// The permissions granted.
    pub grant: Grant,
}

/// What an authorization code binds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeClaims {
    /// Person index of the account that approved.
    pub person: u32,
    /// Expiry, unix seconds.
    pub expires: u64,
    /// The permissions granted.
    pub grant: Grant,
}

/// The `.g<bits>` suffix of a partial grant; nothing for a full one.
fn grant_part(grant: Grant) -> String {
    if grant == Grant::FULL { String::new() } else { format!(".g{}", grant.bits()) }
}

/// Reads an optional `g<bits>` part; `None` when present but invalid.
fn parse_grant(part: Option<&str>) -> Option<Grant> {
    match part {
        None => Some(Grant::FULL),
        Some(p) => Grant::from_bits(p.strip_prefix('g')?.parse().ok()?),
    }
}

/// Signs and verifies tokens and codes.
#[derive(Clone)]
pub struct Signer {
    key: [u8; 64],
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Signer([redacted])")
    }
}

impl Signer {
    /// A signer whose key derives from `seed`.
    pub fn new(seed: u64) -> Self {
        // A full-block key (64 bytes for SHA-256), so keying the MAC is infallible.
        let mut key = [0u8; 64];
        for (half, chunk) in key.chunks_mut(32).enumerate() {
            let mut hasher = Sha256::new();
            hasher.update(b"instagram-sandbox token key v1\0");
            hasher.update([half as u8]);
            hasher.update(seed.to_le_bytes());
            chunk.copy_from_slice(&hasher.finalize());
        }
        Self { key }
    }

    fn mac(&self) -> HmacSha256 {
        HmacSha256::new(&self.key.into())
    }

    fn sign(&self, payload: &str) -> String {
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn check(&self, payload: &str, signature: &str) -> bool {
        let Ok(bytes) = hex::decode(signature) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(payload.as_bytes());
        mac.verify_slice(&bytes).is_ok()
    }

    /// Issues an access token: `sbx.<kind>.<person>.<issued_ms>.<expires>[.g<bits>].<sig>`.
    pub fn issue(&self, claims: &Claims) -> String {
        let kind = match claims.kind {
            TokenKind::Short => "s",
            TokenKind::Long => "l",
        };
        let payload = format!(
            "sbx.{kind}.{}.{}.{}{}",
            claims.person,
            claims.issued_ms,
            claims.expires,
            grant_part(claims.grant)
        );
        let sig = self.sign(&payload);
        format!("{payload}.{sig}")
    }

    /// Verifies a token's signature and returns its claims (expiry is checked by the caller).
    pub fn verify(&self, token: &str) -> Option<Claims> {
        let (payload, sig) = token.rsplit_once('.')?;
        if !self.check(payload, sig) {
            return None;
        }
        let mut parts = payload.split('.');
        if parts.next()? != "sbx" {
            return None;
        }
        let kind = match parts.next()? {
            "s" => TokenKind::Short,
            "l" => TokenKind::Long,
            _ => return None,
        };
        let person = parts.next()?.parse().ok()?;
        let issued_ms = parts.next()?.parse().ok()?;
        let expires = parts.next()?.parse().ok()?;
        let grant = parse_grant(parts.next())?;
        parts.next().is_none().then_some(Claims { kind, person, issued_ms, expires, grant })
    }

    /// Issues an authorization code bound to a client id and redirect URI.
    pub fn issue_code(&self, claims: &CodeClaims, nonce: u64, client_id: &str, redirect_uri: &str) -> String {
        let payload =
            format!("sbxc.{}.{}.{nonce:x}{}", claims.person, claims.expires, grant_part(claims.grant));
        let sig = self.sign(&format!("{payload}|{client_id}|{redirect_uri}"));
        format!("{payload}.{sig}")
    }

    /// Verifies a code against the client id and redirect URI it was issued for.
    pub fn verify_code(&self, code: &str, client_id: &str, redirect_uri: &str) -> Option<CodeClaims> {
        let (payload, sig) = code.rsplit_once('.')?;
        if !self.check(&format!("{payload}|{client_id}|{redirect_uri}"), sig) {
            return None;
        }
        let mut parts = payload.split('.');
        if parts.next()? != "sbxc" {
            return None;
        }
        let person = parts.next()?.parse().ok()?;
        let expires = parts.next()?.parse().ok()?;
        let _nonce = parts.next()?;
        let grant = parse_grant(parts.next())?;
        parts.next().is_none().then_some(CodeClaims { person, expires, grant })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims() -> Claims {
        Claims { kind: TokenKind::Long, person: 3, issued_ms: 1_000, expires: 2_000, grant: Grant::FULL }
    }

    #[test]
    fn tokens_round_trip_and_survive_a_new_signer_with_the_same_seed() {
        let token = Signer::new(1).issue(&claims());
        assert_eq!(Signer::new(1).verify(&token), Some(claims()));
        assert_eq!(Signer::new(2).verify(&token), None);
    }

    #[test]
    fn a_partial_grant_rides_in_the_token_and_a_full_one_keeps_the_old_format() {
        let s = Signer::new(1);
        let full = s.issue(&claims());
        assert_eq!(full.split('.').count(), 6);
        let partial = Claims { grant: Grant::parse(crate::scopes::BASIC), ..claims() };
        let token = s.issue(&partial);
        assert!(token.contains(".g1."), "{token}");
        assert_eq!(s.verify(&token), Some(partial));
    }

    #[test]
    fn tampered_tokens_are_rejected() {
        let token = Signer::new(1).issue(&claims());
        let forged = token.replacen(".3.", ".4.", 1);
        assert_eq!(Signer::new(1).verify(&forged), None);
        assert_eq!(Signer::new(1).verify("garbage"), None);
        assert_eq!(Signer::new(1).verify(""), None);
    }

    #[test]
    fn codes_are_bound_to_client_and_redirect() {
        let s = Signer::new(1);
        let c = CodeClaims { person: 2, expires: 99, grant: Grant::parse(crate::scopes::BASIC) };
        let code = s.issue_code(&c, 7, "app", "http://x/cb");
        assert_eq!(s.verify_code(&code, "app", "http://x/cb"), Some(c));
        assert_eq!(s.verify_code(&code, "app", "http://evil/cb"), None);
        assert_eq!(s.verify_code(&code, "other", "http://x/cb"), None);
    }
}
