//! The authorize window (`GET /oauth/authorize`): a page to pick a demo account, or an
//! immediate approval with `login_hint=<username>` (for scripts and e2e tests), or a denial
//! (`decision=deny`) that redirects with `error=access_denied` as Instagram does.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::extract::MetaQuery;
use super::{escape_html, public_base};
use crate::state::{Sandbox, Shared, now_secs};
use crate::tokens::CodeClaims;

/// Lifetime of an authorization code.
const CODE_TTL_SECS: u64 = 600;

/// Query of the authorize window.
#[derive(Debug, Deserialize)]
pub struct AuthorizeQuery {
    client_id: Option<String>,
    redirect_uri: Option<String>,
    response_type: Option<String>,
    scope: Option<String>,
    state: Option<String>,
    login_hint: Option<String>,
    decision: Option<String>,
}

/// A request that passed validation.
struct Valid<'a> {
    client_id: &'a str,
    redirect: url::Url,
}

fn validate(q: &AuthorizeQuery) -> Result<Valid<'_>, String> {
    let client_id = q.client_id.as_deref().filter(|c| !c.is_empty()).ok_or("Missing client_id.")?;
    let redirect = q.redirect_uri.as_deref().ok_or("Missing redirect_uri.")?;
    let redirect = url::Url::parse(redirect).map_err(|_| "Invalid redirect_uri.")?;
    if !matches!(redirect.scheme(), "http" | "https") {
        return Err("Invalid redirect_uri: http or https only.".into());
    }
    if q.response_type.as_deref() != Some("code") {
        return Err("Invalid response_type: must be code.".into());
    }
    let scope = q.scope.as_deref().unwrap_or_default();
    if !scope.split([',', ' ']).any(|s| s == "instagram_business_basic") {
        return Err("Invalid scope: instagram_business_basic is required.".into());
    }
    Ok(Valid { client_id, redirect })
}

/// `GET /oauth/authorize`.
pub async fn page(
    State(state): State<Shared>,
    headers: HeaderMap,
    MetaQuery(q): MetaQuery<AuthorizeQuery>,
) -> Response {
    let valid = match validate(&q) {
        Ok(v) => v,
        Err(message) => return error_page(&message),
    };
    let mut redirect = valid.redirect.clone();
    {
        let mut pairs = redirect.query_pairs_mut();
        if q.decision.as_deref() == Some("deny") {
            pairs.append_pair("error", "access_denied");
            pairs.append_pair("error_reason", "user_denied");
            pairs.append_pair("error_description", "The user denied your request.");
        } else if let Some(hint) = q.login_hint.as_deref() {
            let Some(account) = state.data.account_by_username(hint) else {
                return chooser(&state, &headers, &q, Some(&format!("No sandbox account is called {hint}.")));
            };
            let claims = CodeClaims { person: account.index, expires: now_secs() + CODE_TTL_SECS };
            let code =
                state.signer.issue_code(&claims, state.next_call(), valid.client_id, valid.redirect.as_str());
            pairs.append_pair("code", &code);
        } else {
            return chooser(&state, &headers, &q, None);
        }
        if let Some(s) = q.state.as_deref() {
            pairs.append_pair("state", s);
        }
    }
    // Instagram appends `#_` to the redirect; clients must strip it from the code.
    redirect.set_fragment(Some("_"));
    Redirect::to(redirect.as_str()).into_response()
}

fn error_page(message: &str) -> Response {
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>Sandbox login error</title></head>\
         <body><h1>Instagram sandbox</h1><p role=\"alert\">{}</p></body></html>",
        escape_html(message)
    );
    (StatusCode::BAD_REQUEST, Html(body)).into_response()
}

/// This same URL with one more parameter.
fn with_param(base: &str, q: &AuthorizeQuery, key: &str, value: &str) -> String {
    let mut url = url::Url::parse(base).ok().and_then(|b| b.join("/oauth/authorize").ok());
    if let Some(url) = url.as_mut() {
        let mut pairs = url.query_pairs_mut();
        let fields = [
            ("client_id", &q.client_id),
            ("redirect_uri", &q.redirect_uri),
            ("response_type", &q.response_type),
            ("scope", &q.scope),
            ("state", &q.state),
        ];
        for (k, v) in fields {
            if let Some(v) = v {
                pairs.append_pair(k, v);
            }
        }
        pairs.append_pair(key, value);
    }
    url.map(String::from).unwrap_or_default()
}

fn chooser(state: &Sandbox, headers: &HeaderMap, q: &AuthorizeQuery, notice: Option<&str>) -> Response {
    let base = public_base(state, headers);
    let mut items = String::new();
    for account in &state.data.accounts {
        let owner = &account.owner;
        items.push_str(&format!(
            "<li><a class=\"account\" href=\"{href}\"><img src=\"{base}/_sandbox/pictures/{user}.svg\" alt=\"\" width=\"48\" height=\"48\">\
             <span><strong>{user}</strong> · {name}<br><small>{about}</small></span></a></li>",
            href = escape_html(&with_param(&base, q, "login_hint", &owner.username)),
            base = escape_html(&base),
            user = escape_html(&owner.username),
            name = escape_html(&owner.name),
            about = escape_html(account.about),
        ));
    }
    let notice = notice.map(|n| format!("<p role=\"alert\">{}</p>", escape_html(n))).unwrap_or_default();
    let body = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <title>Log in with Instagram (sandbox)</title><style>{STYLE}</style></head><body><main>\
         <h1>Instagram sandbox</h1><p>An app wants to read your profile, posts and comments \
         (instagram_business_basic, instagram_business_manage_comments). Continue as:</p>{notice}\
         <ul>{items}</ul><p><a class=\"deny\" href=\"{deny}\">Cancel</a></p></main></body></html>",
        deny = escape_html(&with_param(&base, q, "decision", "deny")),
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#fafafa;margin:0}\
main{max-width:28rem;margin:3rem auto;background:#fff;border:1px solid #dbdbdb;border-radius:12px;padding:1.5rem}\
ul{list-style:none;padding:0}li{margin:.5rem 0}\
a.account{display:flex;gap:.75rem;align-items:center;padding:.5rem;border-radius:8px;color:inherit;text-decoration:none}\
a.account:hover{background:#f0f0f0}img{border-radius:50%}a.deny{color:#ed4956}";
