//! Cryptographic building blocks: AES-256-GCM for Instagram tokens at rest, random opaque
//! tokens, their SHA-256 digests (what the database stores) and constant-time comparison.

use aes_gcm::{
    Aes256Gcm, KeyInit as _, Nonce,
    aead::{Aead as _, Payload},
};
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use sha2::{Digest as _, Sha256};
use subtle::ConstantTimeEq as _;

use super::keys::SecretKey;

/// Bytes of an AES-GCM nonce.
const NONCE_LEN: usize = 12;

/// Encrypts and decrypts provider tokens; the stored form is `nonce || ciphertext+tag`.
///
/// Encrypts with the current key only, and decrypts with it or any retired key (a rotation):
/// GCM's tag tells which key sealed a token, so nothing marks it.
#[derive(Clone)]
pub struct TokenCipher {
    cipher: Aes256Gcm,
    retired: Vec<Aes256Gcm>,
}

/// Which key a stored token decrypted with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SealedWith {
    /// The current key.
    Current,
    /// A retired key: re-encrypt it with the current one.
    Retired,
}

/// A stored token that does not decrypt: wrong key, tampered, or bound to another row.
#[derive(Debug, thiserror::Error)]
#[error("the stored token does not decrypt")]
pub struct DecryptError;

impl TokenCipher {
    /// A cipher for a 256-bit key.
    pub fn new(key: &SecretKey) -> anyhow::Result<Self> {
        Self::with_retired(key, &[])
    }

    /// A cipher encrypting with `key` and still decrypting with the `retired` ones.
    pub fn with_retired(key: &SecretKey, retired: &[SecretKey]) -> anyhow::Result<Self> {
        let aes = |key: &SecretKey| {
            Aes256Gcm::new_from_slice(key.expose())
                .map_err(|_| anyhow::anyhow!("token encryption keys must be 32 bytes"))
        };
        Ok(Self { cipher: aes(key)?, retired: retired.iter().map(aes).collect::<Result<_, _>>()? })
    }

    /// A cipher with a fresh random key.
    pub fn generate() -> Self {
        let key: [u8; 32] = rand::random();
        Self { cipher: Aes256Gcm::new(&key.into()), retired: Vec::new() }
    }

    /// Whether retired keys are configured (tokens may still need re-encrypting).
    pub fn has_retired_keys(&self) -> bool {
        !self.retired.is_empty()
    }

    /// Encrypts `plaintext`, bound to `context` (associated data, e.g. the identity's
    /// provider and uid) so a ciphertext copied to another row does not decrypt.
    pub fn encrypt(&self, plaintext: &str, context: &str) -> anyhow::Result<Vec<u8>> {
        let nonce_bytes: [u8; NONCE_LEN] = rand::random();
        let nonce = Nonce::from(nonce_bytes);
        let payload = Payload { msg: plaintext.as_bytes(), aad: context.as_bytes() };
        let sealed =
            self.cipher.encrypt(&nonce, payload).map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let mut out = Vec::with_capacity(NONCE_LEN + sealed.len());
        out.extend_from_slice(&nonce_bytes);
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Decrypts what [`TokenCipher::encrypt`] produced for the same `context`, with the
    /// current key or a retired one.
    pub fn decrypt(&self, stored: &[u8], context: &str) -> Result<String, DecryptError> {
        self.open(stored, context).map(|(plain, _)| plain)
    }

    /// Decrypts like [`TokenCipher::decrypt`], saying which key sealed the token.
    pub fn open(&self, stored: &[u8], context: &str) -> Result<(String, SealedWith), DecryptError> {
        let (nonce, sealed) = stored.split_at_checked(NONCE_LEN).ok_or(DecryptError)?;
        let nonce = Nonce::from(<[u8; NONCE_LEN]>::try_from(nonce).map_err(|_| DecryptError)?);
        let open =
            |cipher: &Aes256Gcm| cipher.decrypt(&nonce, Payload { msg: sealed, aad: context.as_bytes() });
        let (plain, sealed_with) = match open(&self.cipher) {
            Ok(plain) => (plain, SealedWith::Current),
            Err(_) => {
                let plain = self.retired.iter().find_map(|cipher| open(cipher).ok()).ok_or(DecryptError)?;
                (plain, SealedWith::Retired)
            }
        };
        Ok((String::from_utf8(plain).map_err(|_| DecryptError)?, sealed_with))
    }
}

/// A random opaque token of `bytes` random bytes, base64url.
pub fn random_token(bytes: usize) -> String {
    let raw: Vec<u8> = (0..bytes).map(|_| rand::random::<u8>()).collect();
    URL_SAFE_NO_PAD.encode(raw)
}

/// The SHA-256 of a token, hex. Tokens carry 256 random bits, so a fast hash is enough: there
/// is nothing to brute-force, and a lookup by hash stays one indexed query.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes()).iter().map(|byte| format!("{byte:02x}")).collect()
}

/// Compares two secrets in time independent of where they differ.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_are_not_stored_in_clear() {
        let cipher = TokenCipher::new(&SecretKey::generate()).unwrap();
        let stored = cipher.encrypt("IGQVJ-token", "instagram:1").unwrap();
        assert!(!stored.windows(5).any(|w| w == b"IGQVJ"));
        assert_eq!(cipher.decrypt(&stored, "instagram:1").unwrap(), "IGQVJ-token");
        assert_ne!(stored, cipher.encrypt("IGQVJ-token", "instagram:1").unwrap(), "fresh nonce");
    }

    #[test]
    fn wrong_key_context_or_tampering_fail() {
        let cipher = TokenCipher::new(&SecretKey::generate()).unwrap();
        let mut stored = cipher.encrypt("secret", "instagram:1").unwrap();
        assert!(cipher.decrypt(&stored, "instagram:2").is_err());
        assert!(TokenCipher::new(&SecretKey::generate()).unwrap().decrypt(&stored, "instagram:1").is_err());
        stored[NONCE_LEN] ^= 1;
        assert!(cipher.decrypt(&stored, "instagram:1").is_err());
        assert!(cipher.decrypt(b"short", "instagram:1").is_err());
    }

    #[test]
    fn a_rotated_key_encrypts_and_retired_keys_still_decrypt() {
        let (old, new) = (SecretKey::generate(), SecretKey::generate());
        let before = TokenCipher::new(&old).unwrap().encrypt("token", "instagram:1").unwrap();
        let rotated = TokenCipher::with_retired(&new, std::slice::from_ref(&old)).unwrap();
        assert!(rotated.has_retired_keys());
        assert_eq!(rotated.open(&before, "instagram:1").unwrap(), ("token".to_owned(), SealedWith::Retired));
        let after = rotated.encrypt("token", "instagram:1").unwrap();
        assert_eq!(rotated.open(&after, "instagram:1").unwrap().1, SealedWith::Current);
        assert!(TokenCipher::new(&old).unwrap().decrypt(&after, "instagram:1").is_err(), "the new key seals");
        assert!(rotated.decrypt(&before, "instagram:2").is_err(), "still bound to its row");
    }

    #[test]
    fn helpers() {
        assert_eq!(random_token(32).len(), 43);
        assert_ne!(random_token(32), random_token(32));
        assert_eq!(token_hash("abc").len(), 64);
        assert!(constant_time_eq("abc", "abc"));
        assert!(!constant_time_eq("abc", "abd"));
        assert!(!constant_time_eq("abc", "ab"));
    }
}
