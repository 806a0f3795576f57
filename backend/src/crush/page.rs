//! Paging through a list: which page to return (`PageRequest`, whose bounds are part of its type,
//! so a request outside them never parses) and the page returned (`Page`).

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// A page size or offset outside its bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PagingError {
    /// `limit` is 0 or above [`Limit::MAX`].
    #[error("limit must be from 1 to {max}, not {0}", max = Limit::MAX)]
    Limit(u64),
    /// `offset` is above [`Offset::MAX`].
    #[error("offset must be at most {max}, not {0}", max = Offset::MAX)]
    Offset(u64),
}

/// Items per page: 1 to [`Limit::MAX`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u64")]
pub struct Limit(u64);

impl Limit {
    /// Items per page when none is asked for.
    pub const DEFAULT: Self = Self(20);
    /// The most items one page holds.
    pub const MAX: u64 = 100;

    /// The number of items.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl TryFrom<u64> for Limit {
    type Error = PagingError;

    fn try_from(n: u64) -> Result<Self, PagingError> {
        if (1..=Self::MAX).contains(&n) { Ok(Self(n)) } else { Err(PagingError::Limit(n)) }
    }
}

/// Items skipped before a page: at most [`Offset::MAX`], the most a database query can skip
/// (and what the document's `int64` can say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(try_from = "u64")]
pub struct Offset(u64);

impl Offset {
    /// The largest offset: `i64::MAX`.
    pub const MAX: u64 = i64::MAX as u64;

    /// The number of items skipped.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl TryFrom<u64> for Offset {
    type Error = PagingError;

    fn try_from(n: u64) -> Result<Self, PagingError> {
        if n <= Self::MAX { Ok(Self(n)) } else { Err(PagingError::Offset(n)) }
    }
}

/// Which page of a list to return.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageRequest {
    /// Items per page: 1 to 100, 20 by default.
    #[param(value_type = Option<u64>, minimum = 1, maximum = 100)]
    pub limit: Option<Limit>,
    /// Items to skip, 0 by default.
    #[param(value_type = Option<u64>, maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: Option<Offset>,
}

impl PageRequest {
    /// A request for `limit` items after `offset`, when both are within bounds.
    pub fn new(limit: u64, offset: u64) -> Result<Self, PagingError> {
        Ok(Self { limit: Some(limit.try_into()?), offset: Some(offset.try_into()?) })
    }

    /// The page size.
    pub fn limit(&self) -> u64 {
        self.limit.unwrap_or_default().get()
    }

    /// The items skipped.
    pub fn offset(&self) -> u64 {
        self.offset.unwrap_or_default().get()
    }

    /// The page of `items` out of `total`.
    pub(super) fn page<T>(&self, items: Vec<T>, total: u64) -> Page<T> {
        Page { items, total, limit: self.limit(), offset: self.offset() }
    }
}

/// One page of a list, with the size of the whole list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Page<T> {
    /// This page's items.
    pub items: Vec<T>,
    /// Items in the whole list.
    pub total: u64,
    /// The page size asked for.
    #[schema(minimum = 1, maximum = 100)]
    pub limit: u64,
    /// Items skipped before this page.
    #[schema(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: u64,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn parse(value: serde_json::Value) -> Result<PageRequest, String> {
        serde_json::from_value(value).map_err(|err| err.to_string())
    }

    #[test]
    fn pages_default_to_twenty_items_from_the_start() {
        assert_eq!((PageRequest::default().limit(), PageRequest::default().offset()), (20, 0));
        assert_eq!(parse(json!({})).map(|page| (page.limit(), page.offset())), Ok((20, 0)));
        let last = parse(json!({"limit": 100, "offset": i64::MAX}));
        assert_eq!(last.map(|page| (page.limit(), page.offset())), Ok((100, Offset::MAX)));
    }

    #[test]
    fn paging_outside_its_bounds_does_not_parse() {
        for (value, error) in [
            (json!({"limit": 0}), "limit must be from 1 to 100, not 0"),
            (json!({"limit": 101}), "limit must be from 1 to 100, not 101"),
            (json!({"offset": 1_u64 << 63}), "offset must be at most 9223372036854775807"),
        ] {
            let refused = parse(value.clone()).expect_err("out of bounds");
            assert!(refused.contains(error), "{value}: {refused}");
        }
        assert_eq!(PageRequest::new(0, 5), Err(PagingError::Limit(0)));
        assert_eq!(PageRequest::new(10, u64::MAX), Err(PagingError::Offset(u64::MAX)));
        assert_eq!(PageRequest::new(10, 5).map(|page| (page.limit(), page.offset())), Ok((10, 5)));
    }
}
