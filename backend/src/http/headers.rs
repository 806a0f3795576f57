//! Security headers on every response: a Content-Security-Policy (scripts from this origin
//! only, no framing), `nosniff`, no referrer, no powerful browser features, HSTS when the public
//! URL is https, and `Cache-Control: no-store` on API answers to a signed-in caller (or ones
//! that set a cookie), so no shared or browser cache keeps them.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderMap, HeaderName, HeaderValue, header},
    middleware::Next,
    response::Response,
};

use crate::auth::session::{ACCESS_COOKIE, REFRESH_COOKIE};

/// One year, the usual HSTS lifetime.
const HSTS: &str = "max-age=31536000; includeSubDomains";
const PERMISSIONS_POLICY: &str =
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()";

/// The header values, computed once per app.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    csp: HeaderValue,
    hsts: bool,
}

impl SecurityHeaders {
    /// The policy for this deployment: `https` says whether the public URL is https (then HSTS
    /// is sent); `picture_origin` is an extra origin pictures may come from over plain http (the
    /// local sandbox's), https ones being allowed anyway.
    pub fn new(https: bool, picture_origin: Option<&str>) -> Arc<Self> {
        let pictures = picture_origin.map(|origin| format!(" {origin}")).unwrap_or_default();
        // Styles: the web app's head paints its background inline, and React and Swagger UI set
        // style attributes; scripts, where the danger is, come from this origin only.
        let csp = format!(
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
             img-src 'self' data: https:{pictures}; font-src 'self' data:; connect-src 'self'; \
             object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
        );
        let csp = HeaderValue::from_str(&csp).unwrap_or_else(|_| {
            HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'; object-src 'none'")
        });
        Arc::new(Self { csp, hsts: https })
    }
}

/// Adds the security headers (keeping any a handler chose).
pub async fn add_security_headers(
    State(policy): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let private = request.uri().path().starts_with("/api/") && carries_credentials(request.headers());
    let mut response = next.run(request).await;
    let sets_cookie = response.headers().contains_key(header::SET_COOKIE);
    let headers = response.headers_mut();
    let mut default = |name: HeaderName, value: HeaderValue| {
        headers.entry(name).or_insert(value);
    };
    default(header::CONTENT_SECURITY_POLICY, policy.csp.clone());
    default(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    default(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    default(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    default(HeaderName::from_static("permissions-policy"), HeaderValue::from_static(PERMISSIONS_POLICY));
    default(HeaderName::from_static("cross-origin-opener-policy"), HeaderValue::from_static("same-origin"));
    if policy.hsts {
        default(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    if private || sets_cookie {
        // A signed-in answer is the caller's alone, whatever the handler said.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// Whether the request carries a credential: a Bearer token or a session cookie.
fn carries_credentials(headers: &HeaderMap) -> bool {
    if headers.contains_key(header::AUTHORIZATION) {
        return true;
    }
    headers.get_all(header::COOKIE).iter().filter_map(|value| value.to_str().ok()).any(|cookies| {
        cookies
            .split(';')
            .filter_map(|pair| pair.trim().split_once('='))
            .any(|(name, _)| name == ACCESS_COOKIE || name == REFRESH_COOKIE)
    })
}
