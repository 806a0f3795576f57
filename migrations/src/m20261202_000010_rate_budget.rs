//! Instagram's rate budget as every process sees it: the latest usage Instagram reported
//! for each scope (`app`, `account:<id>`), and when calls are allowed again if it said.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table("instagram_usage")
                    .col(string("scope").primary_key())
                    // The highest of the call count, CPU time and total time percentages.
                    .col(integer("percent"))
                    .col(timestamp_with_time_zone_null("regain_at"))
                    .col(timestamp_with_time_zone("seen_at"))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("instagram_usage").to_owned()).await
    }
}
