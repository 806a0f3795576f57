//! `Slug`: the random, unguessable, stable name of a public crush page.

use std::{fmt, str::FromStr};

use rand::Rng as _;

const ALPHABET: &[u8] = b"abcdefghijkmnpqrstuvwxyz23456789";
/// 20 characters of a 32-letter alphabet: 100 bits, not guessable.
const LENGTH: usize = 20;

/// A crush page's slug.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// A fresh random slug.
    pub fn random() -> Self {
        let mut rng = rand::rng();
        Self((0..LENGTH).map(|_| char::from(ALPHABET[rng.random_range(0..ALPHABET.len())])).collect())
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Text that cannot be a slug.
#[derive(Debug, thiserror::Error)]
#[error("not a crush slug")]
pub struct InvalidSlug;

impl FromStr for Slug {
    type Err = InvalidSlug;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let valid = s.len() == LENGTH && s.bytes().all(|b| ALPHABET.contains(&b));
        if valid { Ok(Self(s.to_owned())) } else { Err(InvalidSlug) }
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slug({})", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_slugs_parse_back_and_differ() {
        let a = Slug::random();
        let b = Slug::random();
        assert_ne!(a, b);
        assert_eq!(a.as_str().parse::<Slug>().unwrap(), a);
    }

    #[test]
    fn rejects_anything_else() {
        for bad in [
            "",
            "short",
            "ABCDEFGHJKMNPQRSTUVW",
            "abcdefghijkmnpqrstuv1",
            "abcdefghijkmnpqrst/v",
            "../../etc/passwd",
        ] {
            assert!(bad.parse::<Slug>().is_err(), "{bad}");
        }
    }
}
