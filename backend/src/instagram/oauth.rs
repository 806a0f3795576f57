//! OAuth with Business Login for Instagram: the authorize window URL, the code exchange
//! (`POST /oauth/access_token` on the api host), the long-lived exchange and the refresh
//! (`GET /access_token`, `GET /refresh_access_token` on the graph host).

use std::time::Duration;

use serde::Deserialize;
use url::Url;

use super::client::InstagramClient;
use super::error::InstagramError;
use super::token::{AccessToken, LongLivedToken, ShortLivedToken};

/// The permission to read the profile and media (Instagram requires it of every sign-in).
pub const BASIC_PERMISSION: &str = "instagram_business_basic";
/// The permission to read comments and who wrote them.
pub const COMMENTS_PERMISSION: &str = "instagram_business_manage_comments";
/// Scopes the app asks for: profile and media, and comments with their authors.
pub const SCOPES: &[&str] = &[BASIC_PERMISSION, COMMENTS_PERMISSION];

impl InstagramClient {
    /// The authorize window URL to send the browser to.
    pub fn authorize_url(&self, state: &str, redirect_uri: &str) -> Url {
        let mut url = self.authorize_base().clone();
        url.set_path("/oauth/authorize");
        url.query_pairs_mut()
            .append_pair("client_id", &self.config().app_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", &SCOPES.join(","))
            .append_pair("state", state);
        url
    }

    /// Exchanges an authorization code for a short-lived token. The `#_` Instagram appends to
    /// the redirect is stripped; `redirect_uri` must be the one given to the authorize window.
    pub async fn exchange_code(
        &self,
        code: &str,
        redirect_uri: &str,
    ) -> Result<ShortLivedToken, InstagramError> {
        const ENDPOINT: &str = "POST /oauth/access_token";
        let code = code.trim().trim_end_matches("#_").trim_end_matches('#');
        let mut url = self.api_base().clone();
        url.set_path("/oauth/access_token");
        let secret = self.config().app_secret.expose();
        let form = [
            ("client_id", self.config().app_id.as_str()),
            ("client_secret", secret),
            ("grant_type", "authorization_code"),
            ("redirect_uri", redirect_uri),
            ("code", code),
        ];
        let request = self.http().post(url).form(&form);
        let body: CodeExchangeBody = self.call(ENDPOINT, request, &[secret, code]).await?;
        body.into_token().ok_or_else(|| InstagramError::Decode {
            endpoint: ENDPOINT,
            status: 200,
            reason: "no access token in the response".into(),
            snippet: String::new(),
        })
    }

    /// Exchanges a short-lived token for a long-lived one (60 days).
    pub async fn long_lived(&self, short: &AccessToken) -> Result<LongLivedToken, InstagramError> {
        let secret = self.config().app_secret.expose();
        let query = [
            ("grant_type", "ig_exchange_token"),
            ("client_secret", secret),
            ("access_token", short.expose()),
        ];
        let request = self.http().get(self.graph_path(&["access_token"], false)).query(&query);
        let body: TokenBody = self.call("GET /access_token", request, &[secret, short.expose()]).await?;
        Ok(body.into())
    }

    /// Refreshes a long-lived token (it must be at least 24 hours old and not expired).
    pub async fn refresh(&self, token: &AccessToken) -> Result<LongLivedToken, InstagramError> {
        let query = [("grant_type", "ig_refresh_token"), ("access_token", token.expose())];
        let request = self.http().get(self.graph_path(&["refresh_access_token"], false)).query(&query);
        let body: TokenBody = self.call("GET /refresh_access_token", request, &[token.expose()]).await?;
        Ok(body.into())
    }
}

/// `POST /oauth/access_token` answers `{"data":[{…}]}` per the reference, or the object bare.
#[derive(Deserialize)]
#[serde(untagged)]
enum CodeExchangeBody {
    Wrapped { data: Vec<CodeExchangeItem> },
    Bare(CodeExchangeItem),
}

#[derive(Deserialize)]
struct CodeExchangeItem {
    access_token: String,
    #[serde(default)]
    user_id: Option<serde_json::Value>,
    #[serde(default)]
    permissions: Option<serde_json::Value>,
}

impl CodeExchangeBody {
    fn into_token(self) -> Option<ShortLivedToken> {
        let item = match self {
            Self::Wrapped { data } => data.into_iter().next()?,
            Self::Bare(item) => item,
        };
        let user_id = match item.user_id {
            Some(serde_json::Value::String(s)) => s,
            Some(serde_json::Value::Number(n)) => n.to_string(),
            _ => String::new(),
        };
        let permissions = match item.permissions {
            Some(serde_json::Value::String(s)) => {
                s.split(',').map(|p| p.trim().to_owned()).filter(|p| !p.is_empty()).collect()
            }
            Some(serde_json::Value::Array(a)) => {
                a.into_iter().filter_map(|p| p.as_str().map(str::to_owned)).collect()
            }
            _ => Vec::new(),
        };
        Some(ShortLivedToken { token: AccessToken::new(item.access_token), user_id, permissions })
    }
}

/// `{"access_token","token_type","expires_in"}`.
#[derive(Deserialize)]
struct TokenBody {
    access_token: String,
    expires_in: u64,
}

impl From<TokenBody> for LongLivedToken {
    fn from(b: TokenBody) -> Self {
        Self { token: AccessToken::new(b.access_token), expires_in: Duration::from_secs(b.expires_in) }
    }
}
