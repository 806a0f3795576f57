//! What makes syncs resumable and sync requests rate-limited per user:
//! - `jobs.checkpoint`: where a running job stands, written as it goes, read by
//!   the next attempt (after a retry, a rescue or a shutdown) to resume there;
//! - `instagram_media.comments_synced_at`: the sync mark of the last sync that
//!   stored the post's comments, so a resumed sync skips the posts it finished;
//! - `users.sync_requested_at`: when the user last asked for a sync themselves
//!   (the once-a-minute limit applies to their own requests, not the app's).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        manager
            .alter_table(Table::alter().table("jobs").add_column(json_null("checkpoint")).to_owned())
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("instagram_media")
                    .add_column(timestamp_with_time_zone_null("comments_synced_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("users")
                    .add_column(timestamp_with_time_zone_null("sync_requested_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("users").drop_column("sync_requested_at").to_owned())
            .await?;
        manager
            .alter_table(Table::alter().table("instagram_media").drop_column("comments_synced_at").to_owned())
            .await?;
        manager.alter_table(Table::alter().table("jobs").drop_column("checkpoint").to_owned()).await
    }
}
