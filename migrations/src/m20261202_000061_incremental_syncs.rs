//! Incremental syncs:
//! - `instagram_media.known_comments_count`: Instagram's `comments_count` as of the comments we
//!   hold for the post (set when a sync stores them, moved by each comment a webhook brings);
//!   a resync reads the comments of only the posts whose count differs from it;
//! - `instagram_users.full_synced_at`: the last sync that read every post's comments (the
//!   periodic full reconciliation, which also notices comments deleted and replaced).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("instagram_media")
                    .add_column(big_integer_null("known_comments_count"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("instagram_users")
                    .add_column(timestamp_with_time_zone_null("full_synced_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("instagram_users").drop_column("full_synced_at").to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter().table("instagram_media").drop_column("known_comments_count").to_owned(),
            )
            .await
    }
}
