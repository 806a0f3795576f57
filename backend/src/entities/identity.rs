//! `identities`: a user's account at a provider, with its access token encrypted at rest.

use sea_orm::entity::prelude::*;

/// A row of `identities`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "identities")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub user_id: i64,
    pub provider: String,
    /// For Instagram, the account's `user_id`.
    pub uid: String,
    /// For Instagram, the app-scoped `id` of `/me` (what Meta's callbacks carry).
    pub app_scoped_uid: Option<String>,
    /// AES-GCM: nonce || ciphertext (see `crate::auth::crypto`).
    pub access_token_encrypted: Option<Vec<u8>>,
    pub access_token_expires_at: Option<TimeDateTimeWithTimeZone>,
    pub access_token_refreshed_at: Option<TimeDateTimeWithTimeZone>,
    pub scopes: String,
    pub reauth_required_at: Option<TimeDateTimeWithTimeZone>,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
