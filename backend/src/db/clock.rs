//! The one clock every stored timestamp comes from.

use time::OffsetDateTime;

/// The current time, for every timestamp the app writes.
///
/// Microsecond precision (what PostgreSQL stores), plus one nanosecond: SQLite
/// keeps timestamps as RFC 3339 text, which drops trailing zeros of the
/// fraction, and `…:05.1Z` sorts after `…:05.123Z`. With the last of nine
/// digits never zero, every value has the same width and text order is time
/// order (so a job enqueued a moment ago is runnable now). PostgreSQL rounds
/// the nanosecond away.
pub fn now() -> OffsetDateTime {
    fixed_width(OffsetDateTime::now_utc())
}

/// `at` in the form [`now`] gives, for timestamps computed rather than read off the clock
/// (an expiry from a whole-second `issued_at`), so that they compare as text with stored ones.
pub fn fixed_width(at: OffsetDateTime) -> OffsetDateTime {
    at.replace_nanosecond(at.nanosecond() / 1_000 * 1_000 + 1).unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use time::format_description::well_known::Rfc3339;

    use super::*;

    #[test]
    fn timestamps_sort_as_text_in_time_order() {
        let base = now().replace_nanosecond(100_001).unwrap();
        let later = base.replace_nanosecond(123_456_001).unwrap();
        let (a, b) = (base.format(&Rfc3339).unwrap(), later.format(&Rfc3339).unwrap());
        assert_eq!(a.len(), b.len(), "{a} {b}");
        assert!(a < b, "{a} {b}");
        assert_eq!(now().format(&Rfc3339).unwrap().len(), a.len());
    }
}
