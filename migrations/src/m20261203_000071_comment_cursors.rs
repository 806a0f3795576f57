//! A post's comments are checkpointed page by page, so a sync stopped in the middle of a post
//! (throttled, paused, crashed, redeployed) goes on from the page after the last one stored.
//! On `instagram_media`, for the sync of `comments_after_at`:
//! - `comments_after`: the cursor of the next page of comments (null once every page is read);
//! - `comments_read`, `comments_read_unattributed`: the comments and replies read so far, and
//!   how many of them had no author (counted, not stored);
//! - `replies_to_read`: the threads whose nested replies page may have been incomplete, and
//!   where to read each on from (JSON `[[comment id, after], …]`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 5] =
    ["comments_after", "comments_after_at", "comments_read", "comments_read_unattributed", "replies_to_read"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let columns = [
            text_null(COLUMNS[0]),
            timestamp_with_time_zone_null(COLUMNS[1]),
            big_integer(COLUMNS[2]).default(0).to_owned(),
            big_integer(COLUMNS[3]).default(0).to_owned(),
            text_null(COLUMNS[4]),
        ];
        for mut column in columns {
            manager
                .alter_table(Table::alter().table("instagram_media").add_column(&mut column).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in COLUMNS.iter().rev() {
            manager
                .alter_table(Table::alter().table("instagram_media").drop_column(*column).to_owned())
                .await?;
        }
        Ok(())
    }
}
