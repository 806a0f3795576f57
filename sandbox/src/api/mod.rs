//! HTTP handlers, grouped by the host they stand in for: the authorize window
//! (`www.instagram.com`), the OAuth code exchange (`api.instagram.com`), the Graph API
//! (`graph.instagram.com`), plus the sandbox's own `/_sandbox` admin and pictures.

pub mod admin;
pub mod auth;
pub mod authorize;
pub mod comments;
pub mod extract;
pub mod graph;
pub mod oauth;
pub mod paging;
pub mod pictures;
pub mod subscriptions;

use axum::http::HeaderMap;

use crate::state::Sandbox;

/// The origin clients reach the sandbox at: the configured public URL, else the `Host` header.
pub fn public_base(state: &Sandbox, headers: &HeaderMap) -> String {
    if let Some(base) = &state.config.public_base_url {
        return base.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(axum::http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| h.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b)))
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// Meta's timestamp format, e.g. `2017-08-31T18:10:30+0000`.
pub fn meta_time(unix: i64) -> String {
    const FORMAT: &[time::format_description::FormatItem<'static>] =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+0000");
    time::OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(FORMAT).ok())
        .unwrap_or_else(|| "1970-01-01T00:00:00+0000".to_owned())
}

/// Escapes text for HTML element content and attribute values.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn formats_time_like_meta() {
        assert_eq!(super::meta_time(1_504_203_030), "2017-08-31T18:10:30+0000");
        assert_eq!(super::escape_html("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    }
}
