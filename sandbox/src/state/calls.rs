//! Call counting: every API call, by endpoint (`GET /{media-id}/comments`), by account and in
//! all, plus a bounded log of the most recent calls, so tests can prove what a sync asked for.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;

use serde::Serialize;

use super::lock;

/// How many calls the log keeps.
const LOG_CAPACITY: usize = 10_000;

/// One API call, as logged.
#[derive(Debug, Clone, Serialize)]
pub struct CallRecord {
    /// Position since the last reset, from 1.
    pub seq: u64,
    /// Sandbox time, unix milliseconds.
    pub at_ms: u64,
    /// Endpoint, e.g. `GET /{media-id}/comments`.
    pub endpoint: String,
    /// Path and query, secrets (`access_token`, `client_secret`) taken out.
    pub path: String,
    /// Username of the account whose token made the call.
    pub account: Option<String>,
    /// HTTP status answered.
    pub status: u16,
}

/// Calls per endpoint.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Counts {
    /// Every call.
    pub total: u64,
    /// Calls per endpoint.
    pub by_endpoint: BTreeMap<String, u64>,
}

impl Counts {
    fn add(&mut self, endpoint: &str) {
        self.total += 1;
        *self.by_endpoint.entry(endpoint.to_owned()).or_default() += 1;
    }
}

/// What `GET /_sandbox/calls` shows.
#[derive(Debug, Default, Clone, Serialize)]
pub struct CallSummary {
    /// Every call (also those with no or an unknown token).
    #[serde(flatten)]
    pub app: Counts,
    /// Calls per account username.
    pub by_account: BTreeMap<String, Counts>,
}

#[derive(Debug, Default)]
struct Inner {
    summary: CallSummary,
    log: VecDeque<CallRecord>,
    seq: u64,
}

/// The counters.
#[derive(Debug, Default)]
pub struct Calls {
    inner: Mutex<Inner>,
}

impl Calls {
    /// Counts one call.
    pub fn record(&self, at_ms: u64, endpoint: &str, path: String, account: Option<String>, status: u16) {
        let mut inner = lock(&self.inner);
        inner.summary.app.add(endpoint);
        if let Some(account) = &account {
            inner.summary.by_account.entry(account.clone()).or_default().add(endpoint);
        }
        inner.seq += 1;
        let seq = inner.seq;
        if inner.log.len() == LOG_CAPACITY {
            inner.log.pop_front();
        }
        inner.log.push_back(CallRecord { seq, at_ms, endpoint: endpoint.to_owned(), path, account, status });
    }

    /// The counters.
    pub fn summary(&self) -> CallSummary {
        lock(&self.inner).summary.clone()
    }

    /// The logged calls, oldest first, of one account or of all.
    pub fn log(&self, account: Option<&str>) -> Vec<CallRecord> {
        let inner = lock(&self.inner);
        inner
            .log
            .iter()
            .filter(|r| account.is_none_or(|a| r.account.as_deref() == Some(a)))
            .cloned()
            .collect()
    }

    /// Forgets every call.
    pub fn reset(&self) {
        *lock(&self.inner) = Inner::default();
    }
}

/// The endpoint of a request, named as the app names it: the version left out, ids replaced by
/// what they are (`GET /me/media`, `GET /{media-id}/comments`, `POST /me/subscribed_apps`).
pub fn endpoint(method: &str, path: &str) -> String {
    let mut segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.first().is_some_and(|s| crate::api::graph::is_version(s)) {
        segments.remove(0);
    }
    let named: Vec<String> = segments
        .iter()
        .map(|s| match crate::ids::parse(s) {
            Some(crate::ids::Node::User(_)) => "{user-id}".to_owned(),
            Some(crate::ids::Node::Media(_)) => "{media-id}".to_owned(),
            Some(crate::ids::Node::Comment(_)) => "{comment-id}".to_owned(),
            Some(crate::ids::Node::Reply(_)) => "{reply-id}".to_owned(),
            None if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => "{id}".to_owned(),
            None => (*s).to_owned(),
        })
        .collect();
    format!("{method} /{}", named.join("/"))
}

/// A request's path and query with its secrets taken out.
pub fn loggable(path: &str, query: Option<&str>) -> String {
    let Some(query) = query else {
        return path.to_owned();
    };
    let kept: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .into_owned()
        .filter(|(k, _)| k != "access_token" && k != "client_secret")
        .collect();
    if kept.is_empty() {
        return path.to_owned();
    }
    let query: String = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(kept).finish();
    format!("{path}?{query}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::{CommentId, MediaId};

    #[test]
    fn endpoints_are_named_like_the_app_names_them() {
        let media = MediaId { account: 1, post: 3 };
        let comment = CommentId { media, comment: 2 };
        assert_eq!(endpoint("GET", "/v26.0/me/media"), "GET /me/media");
        assert_eq!(endpoint("GET", &format!("/{}/comments", media.value())), "GET /{media-id}/comments");
        assert_eq!(
            endpoint("GET", &format!("/v21.0/{}/replies", comment.value())),
            "GET /{comment-id}/replies"
        );
        assert_eq!(endpoint("POST", "/oauth/access_token"), "POST /oauth/access_token");
    }

    #[test]
    fn secrets_never_reach_the_log_and_the_log_is_bounded() {
        assert_eq!(loggable("/me", Some("fields=id&access_token=t0k&after=x")), "/me?fields=id&after=x");
        assert_eq!(loggable("/access_token", Some("client_secret=s")), "/access_token");
        let calls = Calls::default();
        for _ in 0..LOG_CAPACITY + 5 {
            calls.record(0, "GET /me", "/me".into(), Some("ada.demo".into()), 200);
        }
        assert_eq!(calls.log(None).len(), LOG_CAPACITY);
        assert_eq!(calls.log(Some("ada.demo"))[0].seq, 6);
        assert_eq!(calls.summary().by_account["ada.demo"].total, LOG_CAPACITY as u64 + 5);
        calls.reset();
        assert_eq!(calls.summary().app.total, 0);
    }
}
