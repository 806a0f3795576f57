//! Short-lived access tokens: HS256 JWTs, the algorithm pinned, `iss`/`aud`/`exp` required and
//! checked, signed with the current key of a keyring and verified by the `kid` in the header.

use std::{collections::HashMap, time::Duration};

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use super::keys::{KeySet, SecretKey};

/// The `iss` of every token this server issues.
pub const ISSUER: &str = "instacrush";
/// The `aud` of every token this server accepts: its own API.
pub const AUDIENCE: &str = "instacrush-api";
/// The one algorithm accepted; a token naming any other (`none` included) is refused.
const ALGORITHM: Algorithm = Algorithm::HS256;

/// What an access token was issued for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenUse {
    /// The SPA's session (cookie); `sid` names the refresh-token family.
    Session,
    /// A third-party client (Bearer); `tid` names the API token it was exchanged for.
    Api,
}

/// The claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessClaims {
    /// Issuer: [`ISSUER`].
    pub iss: String,
    /// Audience: [`AUDIENCE`].
    pub aud: String,
    /// The user id.
    pub sub: String,
    /// Issued at (Unix seconds).
    pub iat: u64,
    /// Expires at (Unix seconds).
    pub exp: u64,
    /// A unique id for this token.
    pub jti: String,
    /// Session or API.
    #[serde(rename = "use")]
    pub token_use: TokenUse,
    /// The refresh-token family of a session token.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    /// The API token an API access token came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tid: Option<i64>,
}

impl AccessClaims {
    /// Claims for `user_id`, valid for `ttl` from now.
    pub fn new(user_id: i64, token_use: TokenUse, ttl: Duration) -> Self {
        let now = jsonwebtoken::get_current_timestamp();
        Self {
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
            sub: user_id.to_string(),
            iat: now,
            exp: now + ttl.as_secs(),
            jti: super::crypto::random_token(16),
            token_use,
            sid: None,
            tid: None,
        }
    }

    /// The user id in `sub`.
    pub fn user_id(&self) -> Option<i64> {
        self.sub.parse().ok()
    }
}

/// Why a token was refused (logged, never shown: every case is a plain 401).
#[derive(Debug, thiserror::Error)]
pub enum JwtError {
    /// No `kid`, or one the keyring does not hold.
    #[error("unknown or missing kid")]
    UnknownKid,
    /// Bad signature, algorithm, claims or expiry.
    #[error("invalid token: {0}")]
    Invalid(#[from] jsonwebtoken::errors::Error),
}

/// Signing and verification keys by `kid`.
#[derive(Clone)]
pub struct Keyring {
    current_kid: String,
    keys: HashMap<String, SecretKey>,
    validation: Validation,
}

impl Keyring {
    /// The keyring of a key set: signs with its current key, verifies with any of its keys.
    pub fn new(keys: &KeySet) -> anyhow::Result<Self> {
        keys.validate()?;
        let all = keys.jwt_keys.iter().map(|(kid, key)| (kid.clone(), key.clone())).collect();
        Ok(Self::from_parts(keys.jwt_current_kid.clone(), all))
    }

    /// A keyring with one fresh random key.
    pub fn generate() -> Self {
        let kid = "ephemeral".to_owned();
        Self::from_parts(kid.clone(), HashMap::from([(kid, SecretKey::generate())]))
    }

    fn from_parts(current_kid: String, keys: HashMap<String, SecretKey>) -> Self {
        let mut validation = Validation::new(ALGORITHM);
        validation.set_audience(&[AUDIENCE]);
        validation.set_issuer(&[ISSUER]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.leeway = 5;
        Self { current_kid, keys, validation }
    }

    /// Signs `claims` with the current key, naming it in `kid`.
    pub fn sign(&self, claims: &AccessClaims) -> anyhow::Result<String> {
        let key =
            self.keys.get(&self.current_kid).ok_or_else(|| anyhow::anyhow!("no current signing key"))?;
        let mut header = Header::new(ALGORITHM);
        header.kid = Some(self.current_kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(key.expose())?)?)
    }

    /// Verifies a token: known `kid`, HS256 only, valid signature, `iss`, `aud` and `exp`.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, JwtError> {
        let header = jsonwebtoken::decode_header(token)?;
        let key = header.kid.as_deref().and_then(|kid| self.keys.get(kid)).ok_or(JwtError::UnknownKid)?;
        let key = DecodingKey::from_secret(key.expose())?;
        Ok(jsonwebtoken::decode::<AccessClaims>(token, &key, &self.validation)?.claims)
    }
}

#[cfg(test)]
mod tests {
    use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};

    use super::*;

    fn claims() -> AccessClaims {
        AccessClaims::new(7, TokenUse::Session, Duration::from_secs(60))
    }

    #[test]
    fn a_signed_token_verifies() {
        let ring = Keyring::new(&KeySet::generate()).unwrap();
        let verified = ring.verify(&ring.sign(&claims()).unwrap()).unwrap();
        assert_eq!(verified.user_id(), Some(7));
    }

    #[test]
    fn alg_none_is_refused() {
        let ring = Keyring::new(&KeySet::generate()).unwrap();
        let token = ring.sign(&claims()).unwrap();
        let payload = token.split('.').nth(1).unwrap();
        let kid = ring.current_kid.clone();
        let header = URL_SAFE_NO_PAD.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{kid}"}}"#));
        assert!(ring.verify(&format!("{header}.{payload}.")).is_err());
    }

    #[test]
    fn other_keys_and_kids_are_refused() {
        let keys = KeySet::generate();
        let ring = Keyring::new(&keys).unwrap();
        let mut forged = keys.clone();
        forged.jwt_keys.insert(keys.jwt_current_kid.clone(), SecretKey::generate());
        let wrong_key = Keyring::new(&forged).unwrap().sign(&claims()).unwrap();
        assert!(matches!(ring.verify(&wrong_key), Err(JwtError::Invalid(_))));
        let other = Keyring::new(&KeySet { jwt_current_kid: "other".into(), ..forged.clone() });
        assert!(other.is_err(), "the current kid must have a key");
        forged.jwt_keys.insert("other".into(), SecretKey::generate());
        forged.jwt_current_kid = "other".into();
        let unknown = Keyring::new(&forged).unwrap().sign(&claims()).unwrap();
        assert!(matches!(ring.verify(&unknown), Err(JwtError::UnknownKid)));
    }

    #[test]
    fn rotation_keeps_old_tokens_valid() {
        let old = KeySet::generate();
        let old_token = Keyring::new(&old).unwrap().sign(&claims()).unwrap();
        let mut rotated = old.clone();
        rotated.jwt_keys.insert("next".into(), SecretKey::generate());
        rotated.jwt_current_kid = "next".into();
        let ring = Keyring::new(&rotated).unwrap();
        assert!(ring.verify(&old_token).is_ok());
        assert!(ring.verify(&ring.sign(&claims()).unwrap()).is_ok());
    }

    #[test]
    fn expired_and_foreign_audience_or_issuer_are_refused() {
        let ring = Keyring::new(&KeySet::generate()).unwrap();
        let expired = AccessClaims { exp: jsonwebtoken::get_current_timestamp() - 120, ..claims() };
        assert!(ring.verify(&ring.sign(&expired).unwrap()).is_err());
        let foreign = AccessClaims { aud: "someone-else".into(), ..claims() };
        assert!(ring.verify(&ring.sign(&foreign).unwrap()).is_err());
        let issuer = AccessClaims { iss: "evil".into(), ..claims() };
        assert!(ring.verify(&ring.sign(&issuer).unwrap()).is_err());
    }
}
