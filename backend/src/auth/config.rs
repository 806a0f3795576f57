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
        }
    }
}

impl AuthConfig {
    const DEFAULT_KEY_FILE: &str = ".instacrush/keys.json";
    const DEFAULT_ACCESS_TTL_SECS: u64 = 900;
    const DEFAULT_REFRESH_TTL_SECS: u64 = 30 * 24 * 3600;

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
