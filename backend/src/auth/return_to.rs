//! `ReturnTo`: where to send the browser after sign-in. Only same-site paths are accepted, so
//! the sign-in flow can never be turned into an open redirect.

use std::fmt;

/// A same-site path (`/…`, with an optional query), never a URL to another site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReturnTo(String);

/// A `return_to` that is not a same-site path.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("return_to must be a path on this site, like /crush")]
pub struct NotASameSitePath;

impl ReturnTo {
    /// The longest accepted, in characters.
    pub const MAX_LEN: usize = 2048;

    /// Parses a candidate: it must start with a single `/` (not `//` or `/\`, which browsers
    /// read as another host), hold no backslash, control character or fragment, and fit in
    /// 2048 bytes.
    pub fn parse(candidate: &str) -> Result<Self, NotASameSitePath> {
        let ok = candidate.starts_with('/')
            && !candidate.starts_with("//")
            && candidate.chars().count() <= Self::MAX_LEN
            && !candidate.contains('\\')
            && !candidate.contains('#')
            && !candidate.chars().any(char::is_control);
        if !ok {
            return Err(NotASameSitePath);
        }
        let resolved = url::Url::parse("http://same.invalid").and_then(|base| base.join(candidate));
        match resolved {
            Ok(url) if url.host_str() == Some("same.invalid") => Ok(Self(candidate.to_owned())),
            _ => Err(NotASameSitePath),
        }
    }

    /// The path.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Default for ReturnTo {
    fn default() -> Self {
        Self("/".to_owned())
    }
}

impl fmt::Display for ReturnTo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_site_paths_are_accepted() {
        for path in ["/", "/crush", "/crush/abc?tab=top", "/a/b%2Fc"] {
            assert_eq!(ReturnTo::parse(path).unwrap().as_str(), path);
        }
    }

    #[test]
    fn anything_that_leaves_the_site_is_refused() {
        for bad in [
            "https://evil.example/",
            "//evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "evil.example",
            "javascript:alert(1)",
            "/\tevil",
            "/\n/evil.example",
            "",
            "/x#frag",
        ] {
            assert_eq!(ReturnTo::parse(bad), Err(NotASameSitePath), "{bad:?}");
        }
        assert!(ReturnTo::parse(&format!("/{}", "a".repeat(ReturnTo::MAX_LEN))).is_err());
        // Characters, not bytes: what the contract's `maxLength` counts.
        assert!(ReturnTo::parse(&format!("/{}", "é".repeat(ReturnTo::MAX_LEN - 1))).is_ok());
    }
}
