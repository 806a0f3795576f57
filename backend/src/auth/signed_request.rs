//! Meta's `signed_request` (deauthorize and data-deletion callbacks): `base64url(signature)`
//! `.` `base64url(payload)`, the signature an HMAC-SHA256 of the encoded payload with the app
//! secret, checked in constant time.

use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, KeyInit as _, Mac as _};
use serde::Deserialize;
use sha2::Sha256;

/// The verified payload.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SignedRequest {
    /// `HMAC-SHA256`.
    pub algorithm: String,
    /// When Meta issued it (Unix seconds).
    #[serde(default)]
    pub issued_at: Option<i64>,
    /// The Instagram user id the request is about.
    #[serde(deserialize_with = "id_string")]
    pub user_id: String,
}

/// Why a `signed_request` was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignedRequestError {
    /// Not two parts, or a (signed) payload that is not the expected JSON.
    #[error("the signed_request is malformed")]
    Malformed,
    /// The signature is not base64url or does not match, or the algorithm is not HMAC-SHA256.
    #[error("the signed_request signature is not valid")]
    BadSignature,
}

fn decode(part: &str) -> Result<Vec<u8>, SignedRequestError> {
    URL_SAFE_NO_PAD.decode(part.trim_end_matches('=')).map_err(|_| SignedRequestError::Malformed)
}

fn mac(secret: &str) -> Result<Hmac<Sha256>, SignedRequestError> {
    Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|_| SignedRequestError::BadSignature)
}

/// Verifies `signed_request` with the app secret and returns its payload. No secret, or the
/// sandbox's published default, verifies nothing: anybody could sign with those.
pub fn verify(signed_request: &str, app_secret: &str) -> Result<SignedRequest, SignedRequestError> {
    if app_secret.is_empty() || app_secret == instagram_sandbox::DEFAULT_APP_SECRET {
        return Err(SignedRequestError::BadSignature);
    }
    let (signature, payload) = signed_request.trim().split_once('.').ok_or(SignedRequestError::Malformed)?;
    // A signature that does not decode cannot match either: it is refused as one.
    let signature = decode(signature).map_err(|_| SignedRequestError::BadSignature)?;
    let mut expected = mac(app_secret)?;
    expected.update(payload.as_bytes());
    expected.verify_slice(&signature).map_err(|_| SignedRequestError::BadSignature)?;
    let request: SignedRequest =
        serde_json::from_slice(&decode(payload)?).map_err(|_| SignedRequestError::Malformed)?;
    if !request.algorithm.eq_ignore_ascii_case("HMAC-SHA256") {
        return Err(SignedRequestError::BadSignature);
    }
    Ok(request)
}

/// Signs a payload the way Meta does (for tests and local tooling).
pub fn sign(payload: &serde_json::Value, app_secret: &str) -> String {
    let payload = URL_SAFE_NO_PAD.encode(payload.to_string());
    let signature = mac(app_secret).map(|mut mac| {
        mac.update(payload.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    });
    format!("{}.{payload}", signature.unwrap_or_default())
}

fn id_string<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(text) => Ok(text),
        serde_json::Value::Number(number) => Ok(number.to_string()),
        _ => Err(serde::de::Error::custom("user_id must be a string or a number")),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn payload() -> serde_json::Value {
        json!({"algorithm": "HMAC-SHA256", "issued_at": 1_700_000_000, "user_id": "1784"})
    }

    #[test]
    fn a_meta_signed_request_verifies() {
        let signed = sign(&payload(), "s3cret");
        assert_eq!(verify(&signed, "s3cret").unwrap().user_id, "1784");
        let numeric = sign(&json!({"algorithm": "HMAC-SHA256", "user_id": 1784}), "s3cret");
        assert_eq!(verify(&numeric, "s3cret").unwrap().user_id, "1784");
    }

    #[test]
    fn forged_or_malformed_requests_are_refused() {
        let signed = sign(&payload(), "s3cret");
        assert_eq!(verify(&signed, "other"), Err(SignedRequestError::BadSignature));
        assert_eq!(verify(&signed, ""), Err(SignedRequestError::BadSignature));
        let published = instagram_sandbox::DEFAULT_APP_SECRET;
        assert_eq!(verify(&sign(&payload(), published), published), Err(SignedRequestError::BadSignature));
        let (signature, _) = signed.split_once('.').unwrap();
        let tampered =
            format!("{signature}.{}", URL_SAFE_NO_PAD.encode(r#"{"algorithm":"HMAC-SHA256","user_id":"1"}"#));
        assert_eq!(verify(&tampered, "s3cret"), Err(SignedRequestError::BadSignature));
        assert_eq!(verify("no-dot", "s3cret"), Err(SignedRequestError::Malformed));
        assert_eq!(verify("A.eyJ9", "s3cret"), Err(SignedRequestError::BadSignature), "not base64url");
        let weak = sign(&json!({"algorithm": "none", "user_id": "1"}), "s3cret");
        assert_eq!(verify(&weak, "s3cret"), Err(SignedRequestError::BadSignature));
    }
}
