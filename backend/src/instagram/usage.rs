//! Meta's rate-limit usage headers: `X-App-Usage` (app level) and `X-Business-Use-Case-Usage`
//! (per Instagram account), as percentages of the allowance, plus how long until access is
//! regained once throttled.

use std::time::Duration;

use reqwest::header::HeaderMap;
use serde::Deserialize;
use serde_json::Value;

/// Whose allowance a usage figure is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum UsageScope {
    /// The app's own allowance (`X-App-Usage`).
    App,
    /// One Instagram account's business-use-case allowance (`X-Business-Use-Case-Usage`,
    /// keyed by the account's id).
    Account(String),
}

impl UsageScope {
    /// A stable name: `app`, or `account:<id>`.
    pub fn key(&self) -> String {
        match self {
            Self::App => "app".to_owned(),
            Self::Account(id) => format!("account:{id}"),
        }
    }
}

/// One scope's usage, as one response reported it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScopedUsage {
    /// Whose allowance.
    pub scope: UsageScope,
    /// The highest of its percentages.
    pub percent: u32,
    /// How long until calls are allowed again, when Instagram says.
    pub regain_after: Option<Duration>,
}

/// Usage reported by one response: the highest figure across both headers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Calls made, percent of the allowance.
    pub call_count: u32,
    /// Total time, percent of the allowance.
    pub total_time: u32,
    /// Total CPU time, percent of the allowance.
    pub total_cputime: u32,
    /// How long until calls are allowed again (`estimated_time_to_regain_access`, sent in
    /// minutes); `None` when not throttled.
    pub estimated_time_to_regain_access: Option<Duration>,
}

#[derive(Deserialize)]
struct Figures {
    #[serde(default)]
    call_count: Option<Value>,
    #[serde(default)]
    total_time: Option<Value>,
    #[serde(default)]
    total_cputime: Option<Value>,
    #[serde(default)]
    estimated_time_to_regain_access: Option<Value>,
}

fn number(v: Option<&Value>) -> u32 {
    let n = match v {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        Some(Value::String(s)) => s.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    };
    if n.is_finite() && n > 0.0 { n.min(f64::from(u32::MAX)) as u32 } else { 0 }
}

impl Usage {
    /// Parses the usage headers of a response; `None` when neither is present or parsable.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let mut figures: Vec<Figures> = Vec::new();
        let mut seen = false;
        if let Some(app) = header_json(headers, "x-app-usage") {
            seen = true;
            figures.extend(serde_json::from_value::<Figures>(app).ok());
        }
        if let Some(Value::Object(accounts)) = header_json(headers, "x-business-use-case-usage") {
            seen = true;
            for entries in accounts.into_values() {
                if let Value::Array(entries) = entries {
                    figures.extend(entries.into_iter().filter_map(|e| serde_json::from_value(e).ok()));
                }
            }
        }
        seen.then(|| Self::combine(&figures))
    }

    /// Each scope's usage in the response's headers, app and accounts apart.
    pub fn scopes(headers: &HeaderMap) -> Vec<ScopedUsage> {
        let mut scopes = Vec::new();
        if let Some(app) = header_json(headers, "x-app-usage")
            && let Ok(figures) = serde_json::from_value::<Figures>(app)
        {
            scopes.push(ScopedUsage::of(UsageScope::App, &[figures]));
        }
        if let Some(Value::Object(accounts)) = header_json(headers, "x-business-use-case-usage") {
            for (id, entries) in accounts {
                let Value::Array(entries) = entries else { continue };
                let figures: Vec<Figures> =
                    entries.into_iter().filter_map(|e| serde_json::from_value(e).ok()).collect();
                scopes.push(ScopedUsage::of(UsageScope::Account(id), &figures));
            }
        }
        scopes
    }

    fn combine(figures: &[Figures]) -> Self {
        let mut usage = Self::default();
        for f in figures {
            usage.call_count = usage.call_count.max(number(f.call_count.as_ref()));
            usage.total_time = usage.total_time.max(number(f.total_time.as_ref()));
            usage.total_cputime = usage.total_cputime.max(number(f.total_cputime.as_ref()));
            let minutes = number(f.estimated_time_to_regain_access.as_ref());
            if minutes > 0 {
                let wait = Duration::from_secs(u64::from(minutes) * 60);
                usage.estimated_time_to_regain_access =
                    Some(usage.estimated_time_to_regain_access.map_or(wait, |w| w.max(wait)));
            }
        }
        usage
    }

    /// The highest of the three percentages: 100 or more means throttled.
    pub fn max_percent(&self) -> u32 {
        self.call_count.max(self.total_time).max(self.total_cputime)
    }
}

impl ScopedUsage {
    fn of(scope: UsageScope, figures: &[Figures]) -> Self {
        let usage = Usage::combine(figures);
        Self { scope, percent: usage.max_percent(), regain_after: usage.estimated_time_to_regain_access }
    }
}

fn header_json(headers: &HeaderMap, name: &str) -> Option<Value> {
    serde_json::from_slice(headers.get(name)?.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn takes_the_highest_figures_of_both_headers() {
        let h = headers(&[
            ("x-app-usage", r#"{"call_count":28,"total_time":25,"total_cputime":"30"}"#),
            (
                "x-business-use-case-usage",
                r#"{"1784":[{"type":"instagram","call_count":100,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":19}]}"#,
            ),
        ]);
        let usage = Usage::from_headers(&h).expect("present");
        assert_eq!(usage.call_count, 100);
        assert_eq!(usage.total_cputime, 30);
        assert_eq!(usage.estimated_time_to_regain_access, Some(Duration::from_secs(19 * 60)));
        assert_eq!(usage.max_percent(), 100);
    }

    #[test]
    fn scopes_keep_the_app_and_each_account_apart() {
        let h = headers(&[
            ("x-app-usage", r#"{"call_count":28,"total_time":25,"total_cputime":30}"#),
            (
                "x-business-use-case-usage",
                r#"{"1784":[{"type":"instagram","call_count":91,"total_cputime":5,"total_time":5,"estimated_time_to_regain_access":3}]}"#,
            ),
        ]);
        let scopes = Usage::scopes(&h);
        assert_eq!(
            scopes,
            [
                ScopedUsage { scope: UsageScope::App, percent: 30, regain_after: None },
                ScopedUsage {
                    scope: UsageScope::Account("1784".to_owned()),
                    percent: 91,
                    regain_after: Some(Duration::from_secs(180)),
                },
            ]
        );
        assert_eq!(scopes[1].scope.key(), "account:1784");
        assert!(Usage::scopes(&HeaderMap::new()).is_empty());
    }

    #[test]
    fn absent_or_garbage_headers_do_not_fail() {
        assert_eq!(Usage::from_headers(&HeaderMap::new()), None);
        let usage = Usage::from_headers(&headers(&[("x-app-usage", "not json")]));
        assert_eq!(usage, None);
        let usage = Usage::from_headers(&headers(&[("x-app-usage", r#"{"call_count":-3}"#)]));
        assert_eq!(usage.map(|u| u.call_count), Some(0));
    }
}
