//! Cursor paging as the Graph API does it: `limit`, `after`/`before` cursors, and a
//! `{"data":[…],"paging":{"cursors":{"before","after"},"next","previous"}}` envelope whose
//! links are full URLs.

use serde_json::{Value, json};

use crate::ids;
use crate::meta_error::GraphError;

/// Which slice of a collection a request asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// First position.
    pub offset: u32,
    /// At most this many items.
    pub limit: u32,
}

impl Window {
    /// Reads `limit`, `after` and `before` from a query, capping `limit` at `max`.
    pub fn from_query(query: &[(String, String)], max: u32) -> Result<Self, GraphError> {
        let param = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        Self::new(param("limit"), param("after"), param("before"), max)
    }

    /// A window from raw parameter values.
    pub fn new(
        limit: Option<&str>,
        after: Option<&str>,
        before: Option<&str>,
        max: u32,
    ) -> Result<Self, GraphError> {
        let limit = match limit {
            Some(l) => l.parse::<u32>().map_err(|_| {
                GraphError::bad_param(format!("(#100) Param limit must be a number, got '{l}'"))
            })?,
            None => max,
        }
        .clamp(1, max.max(1));
        let bad_cursor = || GraphError::bad_param("(#100) The parameter after/before is not a valid cursor");
        if let Some(after) = after {
            let offset = ids::parse_cursor(after).ok_or_else(bad_cursor)?;
            return Ok(Self { offset, limit });
        }
        if let Some(before) = before {
            let end = ids::parse_cursor(before).ok_or_else(bad_cursor)?;
            return Ok(Self { offset: end.saturating_sub(limit), limit: limit.min(end) });
        }
        Ok(Self { offset: 0, limit })
    }

    /// The positions of this window within a collection of `total` items.
    pub fn range(&self, total: u32) -> std::ops::Range<u32> {
        let start = self.offset.min(total);
        start..start.saturating_add(self.limit).min(total)
    }
}

/// Builds a page link: `base` + `path` with `query` minus old cursors, plus one new cursor.
pub fn link(base: &str, path: &str, query: &[(String, String)], cursor: (&str, u32)) -> Option<String> {
    let mut url = url::Url::parse(base).ok()?.join(path).ok()?;
    {
        let mut pairs = url.query_pairs_mut();
        for (k, v) in query.iter().filter(|(k, _)| k != "after" && k != "before") {
            pairs.append_pair(k, v);
        }
        pairs.append_pair(cursor.0, &ids::cursor(cursor.1));
    }
    Some(url.to_string())
}

/// The paging envelope for `data` at `range` of a collection of `total` items.
pub fn envelope(
    data: Vec<Value>,
    range: std::ops::Range<u32>,
    total: u32,
    make_link: impl Fn((&str, u32)) -> Option<String>,
) -> Value {
    if data.is_empty() {
        return json!({ "data": [] });
    }
    let mut paging = json!({
        "cursors": { "before": ids::cursor(range.start), "after": ids::cursor(range.end) },
    });
    if let Some(obj) = paging.as_object_mut() {
        if range.end < total
            && let Some(next) = make_link(("after", range.end))
        {
            obj.insert("next".into(), next.into());
        }
        if range.start > 0
            && let Some(previous) = make_link(("before", range.start))
        {
            obj.insert("previous".into(), previous.into());
        }
    }
    json!({ "data": data, "paging": paging })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_follow_limit_and_cursors() {
        let w = Window::new(Some("10"), None, None, 25).expect("valid");
        assert_eq!(w.range(7), 0..7);
        let w = Window::new(Some("500"), Some(&ids::cursor(20)), None, 25).expect("valid");
        assert_eq!(w.range(30), 20..30);
        let w = Window::new(Some("5"), None, Some(&ids::cursor(3)), 25).expect("valid");
        assert_eq!(w.range(30), 0..3);
        assert!(Window::new(Some("x"), None, None, 25).is_err());
        assert!(Window::new(None, Some("junk"), None, 25).is_err());
    }

    #[test]
    fn links_replace_the_cursor_and_keep_the_rest() {
        let q = vec![("fields".to_owned(), "id".to_owned()), ("after".to_owned(), "old".to_owned())];
        let l = link("http://h:1", "/v24.0/me/media", &q, ("after", 5)).expect("valid");
        assert_eq!(l, format!("http://h:1/v24.0/me/media?fields=id&after={}", ids::cursor(5)));
    }
}
