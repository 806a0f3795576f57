//! `instagram_users.last_event_at`: when a comment webhook for the account last reached the
//! app. An account that has heard from its webhook since its last sync is fed by webhooks, and
//! its synced data stays fresh longer (`SYNC_WEBHOOK_FRESH_HOURS`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table("instagram_users")
                    .add_column(timestamp_with_time_zone_null("last_event_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(Table::alter().table("instagram_users").drop_column("last_event_at").to_owned())
            .await
    }
}
