//! Permissions a person granted: the consent window lets them untick the optional ones, and a
//! token carries what was granted, so calls needing a missing permission fail as on Meta.

/// `instagram_business_basic`: the profile and the media (required to sign in at all).
pub const BASIC: &str = "instagram_business_basic";
/// `instagram_business_manage_comments`: comments, replies and comment webhooks.
pub const MANAGE_COMMENTS: &str = "instagram_business_manage_comments";

const ALL: [(&str, u8); 2] = [(BASIC, 1), (MANAGE_COMMENTS, 2)];

/// A set of granted permissions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Grant(u8);

impl Grant {
    /// Every permission the sandbox knows.
    pub const FULL: Self = Self(3);

    /// The permissions named in a comma- or space-separated list (unknown names are ignored).
    pub fn parse(list: &str) -> Self {
        let bits = list
            .split([',', ' '])
            .filter_map(|name| ALL.iter().find(|(n, _)| *n == name.trim()).map(|(_, bit)| bit))
            .fold(0, |acc, bit| acc | bit);
        Self(bits)
    }

    /// The permissions in both sets.
    pub fn and(self, other: Self) -> Self {
        Self(self.0 & other.0)
    }

    /// Whether `permission` is granted.
    pub fn has(self, permission: &str) -> bool {
        ALL.iter().any(|(n, bit)| *n == permission && self.0 & bit != 0)
    }

    /// The granted permission names, in Meta's order.
    pub fn names(self) -> Vec<&'static str> {
        ALL.iter().filter(|(_, bit)| self.0 & bit != 0).map(|(n, _)| *n).collect()
    }

    /// The compact form carried inside tokens and codes.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// The set behind [`Grant::bits`].
    pub fn from_bits(bits: u8) -> Option<Self> {
        (bits & !Self::FULL.0 == 0).then_some(Self(bits))
    }
}

impl std::fmt::Display for Grant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.names().join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grants_parse_intersect_and_print() {
        let asked = Grant::parse("instagram_business_basic,instagram_business_manage_comments");
        assert_eq!(asked, Grant::FULL);
        let kept = asked.and(Grant::parse("instagram_business_basic nonsense"));
        assert!(kept.has(BASIC) && !kept.has(MANAGE_COMMENTS));
        assert_eq!(kept.to_string(), BASIC);
        assert_eq!(Grant::from_bits(kept.bits()), Some(kept));
        assert_eq!(Grant::from_bits(8), None);
    }
}
