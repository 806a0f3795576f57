//! Authentication: sign in with Instagram, browser sessions (a short-lived JWT in an httpOnly
//! cookie plus a rotating refresh token), API tokens for third-party clients, Instagram tokens
//! encrypted at rest, and deleting a user's data.
//!
//! Handlers never see a token: the HTTP layer's `CurrentUser` and `SessionUser` extract the caller.

pub mod api_tokens;
mod config;
pub mod crypto;
pub mod deletion;
mod housekeeping;
pub mod jwt;
mod keys;
pub mod linking;
pub mod meta_callback;
pub mod oauth_state;
pub mod reencrypt;
pub mod refresh;
mod refresh_instagram_tokens;
mod return_to;
pub mod session;
pub mod sign_in;
pub mod signed_request;
mod webhook_subscription;

use std::{sync::Arc, time::Duration};

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait as _, QueryFilter as _,
};

pub use self::{
    config::AuthConfig,
    crypto::{SealedWith, TokenCipher},
    housekeeping::PruneAuthRecords,
    jwt::{AccessClaims, Keyring, TokenUse},
    keys::{KeySet, SecretKey, load_or_create_secret},
    reencrypt::ReencryptTokens,
    refresh::Successors,
    refresh_instagram_tokens::RefreshInstagramTokens,
    return_to::{NotASameSitePath, ReturnTo},
    webhook_subscription::SubscribeWebhooks,
};
use crate::{cache::ReadCaches, entities::identity, instagram::InstagramClient};

/// The provider name of Instagram identities.
pub const INSTAGRAM: &str = "instagram";

/// What the auth code needs at run time: keys and settings.
#[derive(Clone)]
pub struct Auth {
    /// Encrypts Instagram tokens at rest.
    pub cipher: TokenCipher,
    /// Signs and verifies access tokens.
    pub keyring: Keyring,
    /// Derives refresh tokens' successors (the grace window of a rotation).
    pub successors: Successors,
    /// Lifetime of access tokens.
    pub access_ttl: Duration,
    /// Lifetime of refresh tokens.
    pub refresh_ttl: Duration,
    /// How old a Meta callback may be.
    pub callback_max_age: Duration,
    /// Whether cookies carry `Secure` (the public URL is https).
    pub secure_cookies: bool,
    /// The origin allowed by CORS.
    pub allowed_origin: String,
    /// This server's public origin, e.g. `http://127.0.0.1:3000`.
    pub public_origin: String,
}

impl Auth {
    /// Builds the runtime auth from its configuration, its keys and the URL people reach the
    /// server at.
    pub fn new(config: &AuthConfig, keys: &KeySet, public: &url::Url) -> anyhow::Result<Self> {
        let public_origin = public.origin().ascii_serialization();
        let allowed_origin = config
            .allowed_origin
            .as_ref()
            .map_or_else(|| public_origin.clone(), |url| url.origin().ascii_serialization());
        Ok(Self {
            cipher: TokenCipher::with_retired(
                &keys.token_encryption_key,
                &keys.retired_token_encryption_keys,
            )?,
            keyring: Keyring::new(keys)?,
            successors: Successors::new(keys.derive("refresh-successors")),
            access_ttl: config.access_ttl(),
            refresh_ttl: config.refresh_ttl(),
            callback_max_age: config.callback_max_age(),
            secure_cookies: public.scheme() == "https",
            allowed_origin,
            public_origin,
        })
    }

    /// Auth with fresh random keys, for processes that never read stored secrets or issued
    /// tokens (benchmarks, embedding); servers and workers load theirs from [`AuthConfig`].
    pub fn ephemeral(public: Option<&url::Url>) -> Self {
        let config = AuthConfig::default();
        let public_origin =
            public.map_or_else(|| "http://127.0.0.1".to_owned(), |url| url.origin().ascii_serialization());
        Self {
            cipher: TokenCipher::generate(),
            keyring: Keyring::generate(),
            successors: Successors::new(SecretKey::generate()),
            access_ttl: config.access_ttl(),
            refresh_ttl: config.refresh_ttl(),
            callback_max_age: config.callback_max_age(),
            secure_cookies: public.is_some_and(|url| url.scheme() == "https"),
            allowed_origin: public_origin.clone(),
            public_origin,
        }
    }

    /// The associated data binding an encrypted provider token to its identity.
    pub fn token_context(provider: &str, uid: &str) -> String {
        format!("{provider}:{uid}")
    }
}

/// What signing in and the auth jobs need from the app (built from the app's state).
#[derive(Clone)]
pub struct AuthContext {
    /// The database.
    pub db: DatabaseConnection,
    /// The Instagram API.
    pub instagram: InstagramClient,
    /// Keys and settings.
    pub auth: Arc<Auth>,
    /// The read caches, to forget what a change makes stale.
    pub caches: Arc<ReadCaches>,
}

/// The Instagram identity of app user `user_id`, if they have one.
pub async fn instagram_identity(
    db: &impl ConnectionTrait,
    user_id: i64,
) -> Result<Option<identity::Model>, DbErr> {
    instagram_identities().filter(identity::Column::UserId.eq(user_id)).one(db).await
}

/// The identity of whoever signed in as Instagram account `uid`, if anybody did.
pub async fn instagram_identity_by_uid(
    db: &impl ConnectionTrait,
    uid: &str,
) -> Result<Option<identity::Model>, DbErr> {
    instagram_identities().filter(identity::Column::Uid.eq(uid)).one(db).await
}

/// The identity of whoever signed in as the Instagram account Meta names `id`: its `user_id`
/// or its app-scoped id (what Meta's callbacks carry), if anybody did.
pub async fn instagram_identity_by_either_id(
    db: &impl ConnectionTrait,
    id: &str,
) -> Result<Option<identity::Model>, DbErr> {
    let either = sea_orm::Condition::any()
        .add(identity::Column::Uid.eq(id))
        .add(identity::Column::AppScopedUid.eq(id));
    instagram_identities().filter(either).one(db).await
}

fn instagram_identities() -> sea_orm::Select<identity::Entity> {
    identity::Entity::find().filter(identity::Column::Provider.eq(INSTAGRAM))
}
