//! `crushes`: one row per (owner, crush) pair ever computed, with a stable
//! public slug; `is_current` marks the owner's crush as of the latest sync.

use sea_orm::entity::prelude::*;

/// A row of `crushes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "crushes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub owner_id: i64,
    pub crush_id: i64,
    #[sea_orm(unique)]
    pub slug: String,
    pub comments_count: i64,
    pub posts_count: i64,
    pub computed_at: TimeDateTimeWithTimeZone,
    pub is_current: bool,
    pub created_at: TimeDateTimeWithTimeZone,
    pub updated_at: TimeDateTimeWithTimeZone,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
