//! The Instacrush schema as one ordered list of backend-neutral migrations.
//!
//! Every migration must run unchanged on SQLite and PostgreSQL: portable column
//! types from the schema builder, and raw SQL only where both backends share it
//! (partial unique indexes).

pub use sea_orm_migration::prelude::*;

mod m20261129_000001_create_schema;
mod m20261129_000003_current_crush;
mod m20261202_000004_resumable_syncs;
mod m20261202_000005_queue_indexes;
mod m20261202_000010_rate_budget;
mod m20261202_000020_meta_callback_uses;
mod m20261202_000040_scoped_accounts;
mod m20261202_000041_strict_instagram;
mod m20261202_000060_comment_webhooks;
mod m20261202_000061_incremental_syncs;
mod m20261203_000070_webhook_fed_accounts;
mod m20261203_000071_comment_cursors;

/// Applies the migrations in order; `instacrush migrate` and `serve` call it.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261129_000001_create_schema::Migration),
            Box::new(m20261129_000003_current_crush::Migration),
            Box::new(m20261202_000004_resumable_syncs::Migration),
            Box::new(m20261202_000005_queue_indexes::Migration),
            Box::new(m20261202_000010_rate_budget::Migration),
            Box::new(m20261202_000020_meta_callback_uses::Migration),
            Box::new(m20261202_000040_scoped_accounts::Migration),
            Box::new(m20261202_000041_strict_instagram::Migration),
            Box::new(m20261202_000060_comment_webhooks::Migration),
            Box::new(m20261202_000061_incremental_syncs::Migration),
            Box::new(m20261203_000070_webhook_fed_accounts::Migration),
            Box::new(m20261203_000071_comment_cursors::Migration),
        ]
    }
}
