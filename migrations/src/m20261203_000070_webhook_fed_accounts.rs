//! On `instagram_users`:
//! - `last_event_at`: when a comment webhook for the account last reached the app. An account
//!   that has heard from its webhook since its last sync is fed by webhooks, and its synced
//!   data stays fresh longer (`SYNC_WEBHOOK_FRESH_HOURS`);
//! - `unread_post_at`: when a webhook last named a post of the account the app does not hold
//!   (a new post): a resync is due for it if none has run since.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["last_event_at", "unread_post_at"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("instagram_users")
                        .add_column(timestamp_with_time_zone_null(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["unread_post_at", "last_event_at"] {
            manager
                .alter_table(Table::alter().table("instagram_users").drop_column(column).to_owned())
                .await?;
        }
        Ok(())
    }
}
