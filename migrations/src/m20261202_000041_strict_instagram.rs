//! What Instagram sends beyond the happy path:
//! - `identities.app_scoped_uid`: the app-scoped `id` of `/me` beside `uid` (its `user_id`),
//!   which Meta's deauthorize and data-deletion callbacks carry;
//! - `instagram_media.unattributed_count`: comments on the post Instagram returned with no
//!   author at all, counted rather than dropped; `instagram_users.unattributed_comments`, their
//!   sum over the owner's recent posts as of the last sync (shown beside the crush).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("identities").add_column(string_null("app_scoped_uid")).to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("instagram_media")
                    .add_column(big_integer("unattributed_count").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table("instagram_users")
                    .add_column(big_integer("unattributed_comments").default(0))
                    .to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared("CREATE INDEX ix_identities_app_scoped_uid ON identities (app_scoped_uid)")
            .await
            .map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX ix_identities_app_scoped_uid").await?;
        manager
            .alter_table(
                Table::alter().table("instagram_users").drop_column("unattributed_comments").to_owned(),
            )
            .await?;
        manager
            .alter_table(Table::alter().table("instagram_media").drop_column("unattributed_count").to_owned())
            .await?;
        manager.alter_table(Table::alter().table("identities").drop_column("app_scoped_uid").to_owned()).await
    }
}
