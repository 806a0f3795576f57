//! The server's secret keys: one for encrypting Instagram tokens at rest and a keyring of JWT
//! signing keys (by `kid`, so keys can rotate). Loaded from `AUTH_KEYS`, or from a key file that
//! is generated on first start so a fresh machine needs no setup.

use std::{collections::BTreeMap, fmt, fs, io::Write as _, path::Path, str::FromStr};

use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
use serde::{Deserialize, Serialize};

/// Bytes of a generated key (256 bits).
const KEY_LEN: usize = 32;

/// A secret key, base64url in JSON, never shown by `Debug`.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    /// A new random 256-bit key.
    pub fn generate() -> Self {
        Self(rand::random::<[u8; KEY_LEN]>().to_vec())
    }

    /// Wraps key bytes.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        Self(bytes.into())
    }

    /// The key bytes.
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

impl Serialize for SecretKey {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&URL_SAFE_NO_PAD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for SecretKey {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        let bytes = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).map_err(serde::de::Error::custom)?;
        if bytes.len() < KEY_LEN {
            return Err(serde::de::Error::custom("keys must be at least 32 bytes"));
        }
        Ok(Self(bytes))
    }
}

/// Every key the server needs.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct KeySet {
    /// AES-256-GCM key for Instagram tokens at rest (exactly 32 bytes): it encrypts.
    pub token_encryption_key: SecretKey,
    /// Earlier token-encryption keys, still decrypting tokens they sealed until the
    /// `reencrypt_instagram_tokens` job has sealed those again with the current key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retired_token_encryption_keys: Vec<SecretKey>,
    /// The `kid` new JWTs are signed with; must be in `jwt_keys`.
    pub jwt_current_kid: String,
    /// HS256 keys by `kid`: the current one and any still accepted during a rotation.
    pub jwt_keys: BTreeMap<String, SecretKey>,
}

impl KeySet {
    /// A fresh random key set (first start, tests).
    pub fn generate() -> Self {
        let kid = format!("k{}", time::OffsetDateTime::now_utc().unix_timestamp());
        Self {
            token_encryption_key: SecretKey::generate(),
            retired_token_encryption_keys: Vec::new(),
            jwt_keys: BTreeMap::from([(kid.clone(), SecretKey::generate())]),
            jwt_current_kid: kid,
        }
    }

    /// A key for `purpose` derived from the token-encryption key (HMAC-SHA256 of the purpose),
    /// so that one secret serves several uses without one use revealing another's key.
    pub fn derive(&self, purpose: &str) -> SecretKey {
        use hmac::{Hmac, KeyInit as _, Mac as _};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(self.token_encryption_key.expose())
            .expect("HMAC takes keys of any length");
        mac.update(purpose.as_bytes());
        SecretKey::from_bytes(mac.finalize().into_bytes().to_vec())
    }

    /// Checks that the set is usable: the current kid exists and the AES key is 256 bits.
    pub fn validate(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.jwt_keys.contains_key(&self.jwt_current_kid),
            "jwt_current_kid {:?} is not in jwt_keys",
            self.jwt_current_kid
        );
        anyhow::ensure!(
            self.token_encryption_key.expose().len() == KEY_LEN,
            "token_encryption_key must be 32 bytes"
        );
        anyhow::ensure!(
            self.retired_token_encryption_keys.iter().all(|key| key.expose().len() == KEY_LEN),
            "retired_token_encryption_keys must be 32 bytes each"
        );
        Ok(())
    }

    /// Reads the key file at `path`, creating it with fresh keys when it does not exist.
    /// A key file, or the directory holding it, that other accounts may read is refused: the
    /// keys sign sessions and decrypt Instagram tokens.
    pub fn load_or_create(path: &Path) -> anyhow::Result<Self> {
        if !path.exists() {
            create_secret_file(path, &serde_json::to_vec_pretty(&KeySet::generate())?)?;
        }
        check_private(path)?;
        let text = fs::read_to_string(path)
            .with_context(|| format!("cannot read the key file {}", path.display()))?;
        let keys: Self = serde_json::from_str(&text)
            .with_context(|| format!("the key file {} is not valid", path.display()))?;
        keys.validate().with_context(|| format!("the key file {} is not valid", path.display()))?;
        Ok(keys)
    }
}

impl FromStr for KeySet {
    type Err = String;

    /// Parses the JSON form. Errors name the position only: serde's messages can quote the
    /// input, which holds secrets.
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let keys: Self = serde_json::from_str(text).map_err(|err| {
            format!(
                "not a key set (JSON {:?} error at line {}, column {})",
                err.classify(),
                err.line(),
                err.column()
            )
        })?;
        keys.validate().map_err(|err| err.to_string())?;
        Ok(keys)
    }
}

/// Refuses a key file that group or others may access at all, or a directory holding it that
/// they may list or write to (and so read or replace the file).
#[cfg(unix)]
fn check_private(path: &Path) -> anyhow::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |path: &Path| {
        fs::metadata(path)
            .map(|meta| meta.permissions().mode() & 0o777)
            .with_context(|| format!("cannot read {}", path.display()))
    };
    let file = mode(path)?;
    anyhow::ensure!(
        file & 0o077 == 0,
        "the key file {} can be read by other accounts (mode {file:o}): run `chmod 600 {}`",
        path.display(),
        path.display()
    );
    let dir = match path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        Some(dir) => dir.to_path_buf(),
        None => std::env::current_dir().context("cannot find the current directory")?,
    };
    let dir_mode = mode(&dir)?;
    anyhow::ensure!(
        dir_mode & 0o066 == 0,
        "the directory {} holding the key file can be listed or written by other accounts (mode {dir_mode:o}): \
         run `chmod 700 {}`, or move the key file to a directory only its owner can read",
        dir.display(),
        dir.display()
    );
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> anyhow::Result<()> {
    Ok(())
}

/// Reads the secret in the file at `path` (one line), creating it with a fresh random one
/// (256 bits, base64url) when it does not exist: a secret of this installation that nothing
/// outside it knows.
pub fn load_or_create_secret(path: &Path) -> anyhow::Result<String> {
    if !path.exists() {
        let secret = URL_SAFE_NO_PAD.encode(SecretKey::generate().expose());
        create_secret_file(path, secret.as_bytes())?;
    }
    let text = fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    let secret = text.trim();
    anyhow::ensure!(secret.len() >= 16, "the secret in {} is shorter than 16 characters", path.display());
    Ok(secret.to_owned())
}

/// Writes `contents` to a new file at `path` (owner-only permissions). Concurrent first starts
/// are safe: the file is written aside and linked into place, so the loser reads the winner's.
fn create_secret_file(path: &Path, contents: &[u8]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        let mut builder = fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    let temp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&temp).with_context(|| format!("cannot create {}", temp.display()))?;
    file.write_all(contents)?;
    file.sync_all()?;
    let linked = fs::hard_link(&temp, path);
    fs::remove_file(&temp).ok();
    match linked {
        Ok(()) => {
            tracing::warn!(path = %path.display(), "generated a new secret file; keep it secret and back it up");
            Ok(())
        }
        Err(err) if err.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        Err(err) => Err(err).with_context(|| format!("cannot write {}", path.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_file_is_created_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/keys.json");
        let first = KeySet::load_or_create(&path).unwrap();
        let second = KeySet::load_or_create(&path).unwrap();
        assert_eq!(first.token_encryption_key, second.token_encryption_key);
        assert_eq!(first.jwt_current_kid, second.jwt_current_kid);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_key_file_or_directory_others_can_read_is_refused() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/keys.json");
        KeySet::load_or_create(&path).unwrap();
        let keys_dir = path.parent().unwrap();
        assert_eq!(fs::metadata(keys_dir).unwrap().permissions().mode() & 0o777, 0o700, "created private");

        fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
        let err = format!("{:#}", KeySet::load_or_create(&path).unwrap_err());
        assert!(err.contains("can be read by other accounts") && err.contains("chmod 600"), "{err}");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o600)).unwrap();

        fs::set_permissions(keys_dir, fs::Permissions::from_mode(0o755)).unwrap();
        let err = format!("{:#}", KeySet::load_or_create(&path).unwrap_err());
        assert!(err.contains("listed or written by other accounts") && err.contains("chmod 700"), "{err}");
        fs::set_permissions(keys_dir, fs::Permissions::from_mode(0o711)).unwrap();
        KeySet::load_or_create(&path).expect("a directory others may only cross is fine");
    }

    #[test]
    fn a_secret_file_is_created_private_once_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/sandbox-app-secret");
        let first = load_or_create_secret(&path).unwrap();
        assert_eq!(first.len(), 43, "256 random bits");
        assert_eq!(load_or_create_secret(&path).unwrap(), first);
        assert_ne!(load_or_create_secret(&dir.path().join("other")).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        }
    }

    #[test]
    fn keys_never_show_in_debug_and_parse_back() {
        let keys = KeySet::generate();
        let json = serde_json::to_string(&keys).unwrap();
        let secret = URL_SAFE_NO_PAD.encode(keys.token_encryption_key.expose());
        assert!(!format!("{keys:?}").contains(&secret));
        let parsed: KeySet = json.parse().unwrap();
        assert_eq!(parsed.token_encryption_key, keys.token_encryption_key);
    }

    #[test]
    fn parse_errors_never_quote_the_input() {
        let err = r#"{"token_encryption_key": 12345678901234567890, "x": "hunter2"}"#.parse::<KeySet>().unwrap_err();
        assert!(!err.contains("hunter2") && !err.contains("1234567890"), "{err}");
        let err = r#"{"token_encryption_key": "hunter2-hunter2"}"#.parse::<KeySet>().unwrap_err();
        assert!(!err.contains("hunter2"), "{err}");
    }

    #[test]
    fn a_current_kid_without_a_key_is_refused() {
        let mut keys = KeySet::generate();
        keys.jwt_current_kid = "missing".into();
        let json = serde_json::to_string(&keys).unwrap();
        assert!(json.parse::<KeySet>().unwrap_err().contains("missing"));
    }
}
