//! `AuthConfig`: keys, token lifetimes and the browser origin allowed to call the API.

use std::{path::PathBuf, time::Duration};

use clap::Args;

use super::keys::KeySet;

/// Authentication settings (flags and environment variables).
#[derive(Debug, Clone, Args)]
pub struct AuthConfig {
    /// The keys as JSON (`token_encryption_key`, `jwt_current_kid`, `jwt_keys`; see
    /// docs/auth.md). When unset, the key file is used.
    #[arg(long = "auth-keys", env = "AUTH_KEYS", hide_env_values = true, value_parser = KeySetParser)]
    pub auth_keys: Option<KeySet>,
    /// The key file, read when `AUTH_KEYS` is unset and created with fresh keys when missing.
    #[arg(long = "auth-key-file", env = "AUTH_KEY_FILE", default_value = AuthConfig::DEFAULT_KEY_FILE)]
    pub auth_key_file: PathBuf,
    /// The one browser origin allowed to call the API with credentials (CORS). Defaults to
    /// the origin of `PUBLIC_URL`.
    #[arg(long = "allowed-origin", env = "ALLOWED_ORIGIN")]
    pub allowed_origin: Option<url::Url>,
    /// Lifetime of access tokens (session cookie and API Bearer tokens), in seconds.
    #[arg(long = "auth-access-ttl-secs", env = "AUTH_ACCESS_TTL_SECS", default_value_t = AuthConfig::DEFAULT_ACCESS_TTL_SECS)]
    pub access_ttl_secs: u64,
    /// Lifetime of a refresh token, in seconds (each rotation starts a new one).
    #[arg(long = "auth-refresh-ttl-secs", env = "AUTH_REFRESH_TTL_SECS", default_value_t = AuthConfig::DEFAULT_REFRESH_TTL_SECS)]
    pub refresh_ttl_secs: u64,
    /// How old a Meta callback's `signed_request` (`issued_at`) may be, in seconds; older ones,
    /// and ones issued more than a minute ahead of this server's clock, are refused.
    #[arg(long = "meta-callback-max-age-secs", env = "META_CALLBACK_MAX_AGE_SECS", default_value_t = AuthConfig::DEFAULT_CALLBACK_MAX_AGE_SECS)]
    pub callback_max_age_secs: u64,
    /// Where this installation keeps the sandbox's app secret (no Meta app configured): created
    /// with a random secret on first start. Defaults to `sandbox-app-secret` beside the key file;
    /// with `AUTH_KEYS` and no file set, each start makes up a new one.
    #[arg(long = "sandbox-app-secret-file", env = "SANDBOX_APP_SECRET_FILE")]
    pub sandbox_app_secret_file: Option<PathBuf>,
}

/// Parses `--auth-keys` without echoing the value back: it is secret.
#[derive(Debug, Clone, Copy)]
struct KeySetParser;

impl clap::builder::TypedValueParser for KeySetParser {
    type Value = KeySet;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        _arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<KeySet, clap::Error> {
        let invalid = |detail: String| {
            clap::Error::raw(
                clap::error::ErrorKind::ValueValidation,
                format!("invalid AUTH_KEYS: {detail}\n"),
            )
            .with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(|| invalid("not valid UTF-8".to_owned()))?;
        text.parse().map_err(invalid)
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        Self {
            auth_keys: None,
            auth_key_file: PathBuf::from(Self::DEFAULT_KEY_FILE),
            allowed_origin: None,
            access_ttl_secs: Self::DEFAULT_ACCESS_TTL_SECS,
            refresh_ttl_secs: Self::DEFAULT_REFRESH_TTL_SECS,
            callback_max_age_secs: Self::DEFAULT_CALLBACK_MAX_AGE_SECS,
            sandbox_app_secret_file: None,
        }
    }
}

impl AuthConfig {
    const DEFAULT_KEY_FILE: &str = ".instacrush/keys.json";
    const DEFAULT_ACCESS_TTL_SECS: u64 = 900;
    const DEFAULT_REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;
    const DEFAULT_CALLBACK_MAX_AGE_SECS: u64 = 600;
    /// The name of the sandbox's app secret file beside the key file.
    pub const SANDBOX_SECRET_FILE_NAME: &str = "sandbox-app-secret";
    /// The sandbox's app secret file beside the default key file (`instacrush sandbox` reads it).
    pub const DEFAULT_SANDBOX_SECRET_FILE: &str = ".instacrush/sandbox-app-secret";

    /// A configuration with keys given in memory (tests, embedding): no key file is touched.
    pub fn with_keys(keys: KeySet) -> Self {
        Self { auth_keys: Some(keys), ..Self::default() }
    }

    /// The configured keys, or the key file's (created on first start).
    pub fn load_keys(&self) -> anyhow::Result<KeySet> {
        match &self.auth_keys {
            Some(keys) => Ok(keys.clone()),
            None => KeySet::load_or_create(&self.auth_key_file),
        }
    }

    /// The file holding this installation's sandbox app secret, if it has one (see
    /// `--sandbox-app-secret-file`).
    pub fn sandbox_secret_file(&self) -> Option<PathBuf> {
        self.sandbox_app_secret_file.clone().or_else(|| {
            self.auth_keys.is_none().then(|| {
                let dir = self.auth_key_file.parent().unwrap_or_else(|| std::path::Path::new(""));
                dir.join(Self::SANDBOX_SECRET_FILE_NAME)
            })
        })
    }

    /// This installation's sandbox app secret: the file's (created on first start), or a fresh
    /// random one for this process when there is no file.
    pub fn load_sandbox_secret(&self) -> anyhow::Result<String> {
        match self.sandbox_secret_file() {
            Some(path) => super::keys::load_or_create_secret(&path),
            None => Ok(super::crypto::random_token(32)),
        }
    }

    /// How old a Meta callback may be.
    pub fn callback_max_age(&self) -> Duration {
        Duration::from_secs(self.callback_max_age_secs.max(1))
    }

    /// Access-token lifetime.
    pub fn access_ttl(&self) -> Duration {
        Duration::from_secs(self.access_ttl_secs.max(1))
    }

    /// Refresh-token lifetime.
    pub fn refresh_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_ttl_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Flags {
        #[command(flatten)]
        auth: AuthConfig,
    }

    #[test]
    fn the_sandbox_secret_file_sits_beside_the_key_file_unless_keys_are_in_memory() {
        let default = AuthConfig::default();
        assert_eq!(
            default.sandbox_secret_file(),
            Some(PathBuf::from(AuthConfig::DEFAULT_SANDBOX_SECRET_FILE))
        );
        let elsewhere =
            AuthConfig { auth_key_file: PathBuf::from("/etc/ic/keys.json"), ..AuthConfig::default() };
        assert_eq!(elsewhere.sandbox_secret_file(), Some(PathBuf::from("/etc/ic/sandbox-app-secret")));
        let in_memory = AuthConfig::with_keys(KeySet::generate());
        assert_eq!(in_memory.sandbox_secret_file(), None);
        assert_ne!(in_memory.load_sandbox_secret().unwrap(), in_memory.load_sandbox_secret().unwrap());
    }

    #[test]
    fn keys_come_from_auth_keys_and_bad_ones_are_not_echoed() {
        let keys = serde_json::to_string(&KeySet::generate()).unwrap();
        let flags = Flags::try_parse_from(["instacrush", "--auth-keys", &keys]).unwrap();
        assert!(flags.auth.auth_keys.is_some());
        let bad = keys.replacen("jwt_current_kid\":\"", "jwt_current_kid\":\"zz", 1);
        let err = Flags::try_parse_from(["instacrush", "--auth-keys", &bad]).err().unwrap().to_string();
        assert!(err.contains("invalid AUTH_KEYS"), "{err}");
        assert!(!err.contains("token_encryption_key\":"), "the value is not echoed: {err}");
    }
}
