//! `DatabaseUrl`: a connection URL parsed into the backends Instacrush supports.

use std::{fmt, str::FromStr};

/// A database URL known to name SQLite or PostgreSQL.
#[derive(Clone, PartialEq, Eq)]
pub enum DatabaseUrl {
    /// `sqlite://path?mode=rwc` or `sqlite::memory:`.
    Sqlite(String),
    /// `postgres://…` or `postgresql://…`.
    Postgres(String),
}

impl DatabaseUrl {
    /// The embedded default: a file beside the working directory, created if missing.
    pub const DEFAULT: &'static str = "sqlite://instacrush.db?mode=rwc";

    /// The URL as given.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Sqlite(url) | Self::Postgres(url) => url,
        }
    }

    /// The URL with any password replaced, fit for logs and error messages.
    pub fn redacted(&self) -> String {
        match url::Url::parse(self.as_str()) {
            Ok(mut parsed) if parsed.password().is_some() => {
                let _ = parsed.set_password(Some("***"));
                parsed.to_string()
            }
            _ => self.as_str().to_owned(),
        }
    }
}

/// A URL that names neither SQLite nor PostgreSQL.
#[derive(Debug, thiserror::Error)]
#[error("expected a sqlite:// or postgres:// URL, got `{0}`")]
pub struct UnsupportedDatabaseUrl(String);

impl FromStr for DatabaseUrl {
    type Err = UnsupportedDatabaseUrl;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.starts_with("sqlite:") {
            Ok(Self::Sqlite(s.to_owned()))
        } else if s.starts_with("postgres://") || s.starts_with("postgresql://") {
            url::Url::parse(s).map_err(|_| UnsupportedDatabaseUrl(redact(s)))?;
            Ok(Self::Postgres(s.to_owned()))
        } else {
            Err(UnsupportedDatabaseUrl(redact(s)))
        }
    }
}

/// Hides whatever sits between `://` and `@`, where credentials live.
fn redact(s: &str) -> String {
    match (s.find("://"), s.rfind('@')) {
        (Some(start), Some(at)) if at > start => format!("{}://***{}", &s[..start], &s[at..]),
        _ => s.to_owned(),
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.redacted())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_both_backends() {
        assert!(matches!(DatabaseUrl::DEFAULT.parse(), Ok(DatabaseUrl::Sqlite(_))));
        assert!(matches!("postgres://u@localhost/db".parse(), Ok(DatabaseUrl::Postgres(_))));
        assert!(matches!("postgresql://u@localhost/db".parse(), Ok(DatabaseUrl::Postgres(_))));
    }

    #[test]
    fn rejects_other_schemes_without_leaking_passwords() {
        let err = "mysql://root:hunter2@db/x".parse::<DatabaseUrl>().unwrap_err();
        let text = err.to_string();
        assert!(text.contains("sqlite:// or postgres://"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!("".parse::<DatabaseUrl>().is_err());
        assert!("instacrush.db".parse::<DatabaseUrl>().is_err());
    }

    #[test]
    fn redacts_passwords_in_display_and_debug() {
        let url: DatabaseUrl = "postgres://app:s3cret@db:5432/instacrush".parse().unwrap();
        assert_eq!(url.to_string(), "postgres://app:***@db:5432/instacrush");
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(url.as_str(), "postgres://app:s3cret@db:5432/instacrush");
    }
}
