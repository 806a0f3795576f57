//! `instagram_users`: every Instagram account seen. The accounts people sign in with are keyed
//! by Instagram's user id; commenters by the id Instagram shows under one owner (`scope_id`), or
//! by username when Instagram sent no `from`. `user_id` for app users.

use sea_orm::entity::prelude::*;

/// A row of `instagram_users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instagram_users")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The Instagram user id (accounts signed in with), or the Instagram-scoped id under
    /// the owner `scope_id` (commenters); none for a commenter known only by username.
    pub ig_id: Option<String>,
    /// For a commenter, the owner under whose posts it was seen.
    pub scope_id: Option<i64>,
    pub username: String,
    pub name: Option<String>,
    pub profile_picture_url: Option<String>,
    pub followers_count: Option<i64>,
    pub follows_count: Option<i64>,
    pub media_count: Option<i64>,
    #[sea_orm(unique)]
    pub user_id: Option<i64>,
    pub last_synced_at: Option<TimeDateTimeWithTimeZone>,
    /// Comments on the owner's recent posts with no author, as of the last sync.
    pub unattributed_comments: i64,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
