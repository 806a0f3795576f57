//! `X-Hub-Signature-256`: `sha256=<hex HMAC-SHA256 of the raw body with the app secret>`,
//! checked in constant time before the body is even parsed.

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

/// Why a webhook's signature was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error("the X-Hub-Signature-256 header is missing")]
    Missing,
    /// Not `sha256=<64 hex digits>`, or not the body's HMAC with the app secret.
    #[error("the X-Hub-Signature-256 signature does not match the body")]
    Invalid,
}

impl SignatureError {
    /// The problem's stable code.
    pub fn reason_code(self) -> &'static str {
        match self {
            Self::Missing => "missing_signature",
            Self::Invalid => "invalid_signature",
        }
    }

    /// A label for logs and metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Self::Missing => "missing_signature",
            Self::Invalid => "bad_signature",
        }
    }
}

/// Checks `header` (the `X-Hub-Signature-256` value, if any) against `body` signed with
/// `secret`. An empty secret verifies nothing.
pub fn verify(secret: &str, header: Option<&str>, body: &[u8]) -> Result<(), SignatureError> {
    let header = header.map(str::trim).filter(|h| !h.is_empty()).ok_or(SignatureError::Missing)?;
    let hex = header.strip_prefix("sha256=").ok_or(SignatureError::Invalid)?;
    let signature = decode_hex(hex).ok_or(SignatureError::Invalid)?;
    if secret.is_empty() {
        return Err(SignatureError::Invalid);
    }
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignatureError::Invalid)?;
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&signature).map_err(|_| SignatureError::Invalid)
}

/// The `X-Hub-Signature-256` value Meta would send for `body` (for tests and tools).
pub fn sign(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    let digest = mac.finalize().into_bytes();
    format!("sha256={}", digest.iter().map(|b| format!("{b:02x}")).collect::<String>())
}

/// 32 bytes from 64 hex digits (either case); `None` for anything else.
fn decode_hex(hex: &str) -> Option<Vec<u8>> {
    if hex.len() != 64 || !hex.is_ascii() {
        return None;
    }
    (0..hex.len()).step_by(2).map(|i| u8::from_str_radix(&hex[i..i + 2], 16).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_body_signed_with_the_secret_verifies() {
        // RFC 4231 test case 2.
        let header = sign("Jefe", b"what do ya want for nothing?");
        assert_eq!(header, "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
        assert_eq!(verify("Jefe", Some(&header), b"what do ya want for nothing?"), Ok(()));
        assert_eq!(
            verify(
                "Jefe",
                Some(&header.to_uppercase().replace("SHA256", "sha256")),
                b"what do ya want for nothing?"
            ),
            Ok(())
        );
    }

    #[test]
    fn anything_else_is_refused() {
        let body = b"{}";
        let good = sign("s3cret", body);
        assert_eq!(verify("s3cret", None, body), Err(SignatureError::Missing));
        assert_eq!(verify("s3cret", Some("  "), body), Err(SignatureError::Missing));
        assert_eq!(verify("other", Some(&good), body), Err(SignatureError::Invalid));
        assert_eq!(verify("s3cret", Some(&good), b"{ }"), Err(SignatureError::Invalid));
        assert_eq!(
            verify("s3cret", Some(&good.replace("sha256=", "sha1=")), body),
            Err(SignatureError::Invalid)
        );
        assert_eq!(verify("s3cret", Some(&good[..good.len() - 2]), body), Err(SignatureError::Invalid));
        assert_eq!(verify("s3cret", Some("sha256=zz"), body), Err(SignatureError::Invalid));
        assert_eq!(verify("", Some(&sign("", body)), body), Err(SignatureError::Invalid));
    }
}
