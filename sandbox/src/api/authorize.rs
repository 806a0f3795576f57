//! The authorize window (`GET /oauth/authorize`): a page to pick a demo account, or an
//! immediate approval with `login_hint=<username>` (for scripts and e2e tests), or a denial
//! (`decision=deny`) that redirects with `error=access_denied` as Instagram does. The page lets
//! the person untick `instagram_business_manage_comments`, as Instagram's consent does; scripts
//! pass `granted_scopes=<list>` for the same partial grant.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::extract::MetaQuery;
use super::{escape_html, public_base};
use crate::scopes::{self, Grant};
use crate::state::{Sandbox, Shared};
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
    granted_scopes: Option<String>,
}

impl AuthorizeQuery {
    /// What the person grants: the requested permissions, less those unticked
    /// (`granted_scopes`); the basic one cannot be unticked.
    fn grant(&self) -> Grant {
        let requested = Grant::parse(self.scope.as_deref().unwrap_or_default());
        match self.granted_scopes.as_deref() {
            Some(granted) => requested.and(Grant::parse(&format!("{},{granted}", scopes::BASIC))),
            None => requested,
        }
    }
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
            let claims = CodeClaims {
                person: account.index,
                expires: state.now_secs() + CODE_TTL_SECS,
                grant: q.grant(),
            };
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

/// This same URL with more parameters.
fn with_params(base: &str, q: &AuthorizeQuery, extra: &[(&str, &str)]) -> String {
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
        pairs.extend_pairs(extra);
    }
    url.map(String::from).unwrap_or_default()
}

/// The permission checkboxes: the basic one fixed, the comments one as granted so far.
fn permissions(q: &AuthorizeQuery) -> String {
    let requested = Grant::parse(q.scope.as_deref().unwrap_or_default());
    let mut boxes = String::from(
        "<label><input type=\"checkbox\" checked disabled> Your profile and posts \
         <small>(instagram_business_basic, required)</small></label>",
    );
    if requested.has(scopes::MANAGE_COMMENTS) {
        let checked = if q.grant().has(scopes::MANAGE_COMMENTS) { " checked" } else { "" };
        boxes.push_str(&format!(
            "<label><input type=\"checkbox\" name=\"granted_scopes\" value=\"{}\"{checked}> \
             The comments on your posts and who wrote them <small>({})</small></label>",
            scopes::MANAGE_COMMENTS,
            scopes::MANAGE_COMMENTS
        ));
    }
    format!("<fieldset><legend>Allow the app to read</legend>{boxes}</fieldset>")
}

/// Keeps the account links in step with the checkboxes: a partial grant adds `granted_scopes`.
const SCRIPT: &str = "const boxes=[...document.querySelectorAll('input[name=granted_scopes]')];\
for(const box of boxes){box.addEventListener('change',()=>{\
const all=boxes.every(b=>b.checked);\
const granted=['instagram_business_basic',...boxes.filter(b=>b.checked).map(b=>b.value)].join(',');\
for(const a of document.querySelectorAll('a.account')){const u=new URL(a.href);\
if(all){u.searchParams.delete('granted_scopes')}else{u.searchParams.set('granted_scopes',granted)}\
a.href=u.toString()}})}";

fn chooser(state: &Sandbox, headers: &HeaderMap, q: &AuthorizeQuery, notice: Option<&str>) -> Response {
    let base = public_base(state, headers);
    let grant = q.grant();
    let partial = grant != Grant::parse(q.scope.as_deref().unwrap_or_default());
    let granted = grant.to_string();
    let mut items = String::new();
    for account in &state.data.accounts {
        let owner = &account.owner;
        let mut extra = vec![("login_hint", owner.username.as_str())];
        if partial {
            extra.push(("granted_scopes", granted.as_str()));
        }
        items.push_str(&format!(
            "<li><a class=\"account\" href=\"{href}\"><img src=\"{base}/_sandbox/pictures/{user}.svg\" alt=\"\" width=\"48\" height=\"48\">\
             <span><strong>{user}</strong> · {name}<br><small>{about}</small></span></a></li>",
            href = escape_html(&with_params(&base, q, &extra)),
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
         <h1>Instagram sandbox</h1><p>An app wants to read your Instagram account.</p>{permissions}\
         <p>Continue as:</p>{notice}<ul>{items}</ul><p><a class=\"deny\" href=\"{deny}\">Cancel</a></p>\
         </main><script>{SCRIPT}</script></body></html>",
        permissions = permissions(q),
        deny = escape_html(&with_params(&base, q, &[("decision", "deny")])),
    );
    ([(header::CACHE_CONTROL, "no-store")], Html(body)).into_response()
}

const STYLE: &str = "body{font-family:system-ui,sans-serif;background:#fafafa;margin:0}\
main{max-width:28rem;margin:3rem auto;background:#fff;border:1px solid #dbdbdb;border-radius:12px;padding:1.5rem}\
ul{list-style:none;padding:0}li{margin:.5rem 0}\
a.account{display:flex;gap:.75rem;align-items:center;padding:.5rem;border-radius:8px;color:inherit;text-decoration:none}\
a.account:hover{background:#f0f0f0}img{border-radius:50%}a.deny{color:#ed4956}\
fieldset{border:1px solid #dbdbdb;border-radius:8px}label{display:block;margin:.25rem 0}";
