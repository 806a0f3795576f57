//! Marks each owner's current crush. Rows for earlier crushes stay, so their
//! shared links keep working; at most one row per owner is current.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter().table("crushes").add_column(boolean("is_current").default(false)).to_owned(),
            )
            .await?;
        manager
            .get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX ux_crushes_current ON crushes (owner_id) WHERE is_current",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.get_connection().execute_unprepared("DROP INDEX ux_crushes_current").await?;
        manager.alter_table(Table::alter().table("crushes").drop_column("is_current").to_owned()).await
    }
}
