//! Meta's deauthorize and data-deletion callbacks already honoured: the hash of each
//! `signed_request`, kept until it is too old to be accepted anyway, so a replay within that
//! window is refused by every process.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("meta_callback_uses")
                    // SHA-256 of the signed_request, hex.
                    .col(string("request_hash").primary_key())
                    // When the request would be refused as too old: the row may go then.
                    .col(timestamp_with_time_zone("expires_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("meta_callback_uses_expires_at")
                    .table("meta_callback_uses")
                    .col("expires_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("meta_callback_uses").to_owned()).await
    }
}
