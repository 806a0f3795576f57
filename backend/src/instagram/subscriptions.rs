//! Subscribing the signed-in account to the app's webhooks (`POST /me/subscribed_apps`), which
//! makes Meta post the account's new comments to the app's callback URL.

use serde::Deserialize;

use super::{InstagramClient, InstagramError, token::AccessToken};

/// The webhook field the app receives: new comments and replies on the account's posts.
pub const COMMENTS_FIELD: &str = "comments";

#[derive(Deserialize)]
struct Success {
    #[serde(default)]
    success: bool,
}

impl InstagramClient {
    /// Subscribes the account `token` belongs to to `fields` (comma-separated); needs
    /// `instagram_business_manage_comments` for `comments`. `Ok(false)` when Instagram answered
    /// without `success: true`.
    pub async fn subscribe_app(&self, token: &AccessToken, fields: &str) -> Result<bool, InstagramError> {
        let query = [("subscribed_fields", fields), ("access_token", token.expose())];
        let request = self.http().post(self.graph_path(&["me", "subscribed_apps"], true)).query(&query);
        let body: Success = self.call("POST /me/subscribed_apps", request, &[token.expose()]).await?;
        Ok(body.success)
    }
}
