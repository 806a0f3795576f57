//! `instagram_interactions`: one row per comment or reply on a synced post.

use sea_orm::entity::prelude::*;

/// A row of `instagram_interactions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "instagram_interactions")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub ig_comment_id: String,
    pub media_id: i64,
    pub author_id: i64,
    pub parent_ig_comment_id: Option<String>,
    /// `comment` or `reply`.
    pub kind: String,
    pub text: String,
    pub commented_at: TimeDateTimeWithTimeZone,
    pub created_at: TimeDateTimeWithTimeZone,
    /// Set by every sync that still saw it; older rows of a synced post are gone from Instagram.
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
