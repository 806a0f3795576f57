//! Comment webhooks:
//! - `webhook_subscriptions`: whether subscribing an Instagram sign-in to Meta's `comments`
//!   webhook worked (`subscribed_at`), or why it did not yet (`error`); a job retries failures;
//! - `webhook_receipts`: a digest of every webhook body accepted, so a replayed POST is refused
//!   and changes nothing; pruned with the finished jobs.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("webhook_subscriptions")
                    // One subscription per sign-in: deleting the person deletes it.
                    .col(big_integer("identity_id").primary_key())
                    .col(string("fields"))
                    .col(timestamp_with_time_zone_null("subscribed_at"))
                    .col(text_null("error"))
                    .col(timestamp_with_time_zone("attempted_at"))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_webhook_subscriptions_identity_id")
                            .from("webhook_subscriptions", "identity_id")
                            .to("identities", "id")
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table("webhook_receipts")
                    // Hex SHA-256 of the raw body.
                    .col(string("digest").primary_key())
                    .col(timestamp_with_time_zone("received_at"))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("ix_webhook_receipts_received_at")
                    .table("webhook_receipts")
                    .col("received_at")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("webhook_receipts").to_owned()).await?;
        manager.drop_table(Table::drop().table("webhook_subscriptions").to_owned()).await
    }
}
