//! Indexes that let the queue's row updates stay cheap.
//!
//! Moving a job between states rewrites its row, and each new row version gets an entry in
//! every index whose predicate it matches. The job indexes now cover only the rows they
//! serve: running jobs by id (the rescue scans the few running ones; their heartbeats no
//! longer touch an index, so PostgreSQL can update them in place, "heap-only"), finished
//! jobs by finish time (pruning), a user's jobs only when there is a user, tick keys only
//! when there is a tick. On PostgreSQL the table also leaves a third of each page free
//! (fillfactor 70), so that those in-place updates find room on the same page.

use sea_orm_migration::{prelude::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

const UP: &[&str] = &[
    "DROP INDEX ix_jobs_lease",
    "CREATE INDEX ix_jobs_running ON jobs (id) WHERE state = 'running'",
    "DROP INDEX ix_jobs_state_finished",
    "CREATE INDEX ix_jobs_finished ON jobs (finished_at) WHERE state IN ('succeeded', 'failed', 'cancelled')",
    "DROP INDEX ix_jobs_user",
    "CREATE INDEX ix_jobs_user ON jobs (user_id, id) WHERE user_id IS NOT NULL",
];

/// PostgreSQL only: SQLite updates rows in place anyway, and its column constraint cannot
/// be dropped without rebuilding the table.
const UP_POSTGRES: &[&str] = &[
    "ALTER TABLE jobs SET (fillfactor = 70)",
    "ALTER TABLE jobs DROP CONSTRAINT jobs_schedule_key_key",
    "CREATE UNIQUE INDEX ux_jobs_schedule_key ON jobs (schedule_key) WHERE schedule_key IS NOT NULL",
];

const DOWN: &[&str] = &[
    "DROP INDEX ix_jobs_user",
    "CREATE INDEX ix_jobs_user ON jobs (user_id, id)",
    "DROP INDEX ix_jobs_finished",
    "CREATE INDEX ix_jobs_state_finished ON jobs (state, finished_at)",
    "DROP INDEX ix_jobs_running",
    "CREATE INDEX ix_jobs_lease ON jobs (lease_expires_at) WHERE state = 'running'",
];

const DOWN_POSTGRES: &[&str] = &[
    "DROP INDEX ux_jobs_schedule_key",
    "ALTER TABLE jobs ADD CONSTRAINT jobs_schedule_key_key UNIQUE (schedule_key)",
    "ALTER TABLE jobs RESET (fillfactor)",
];

async fn run(manager: &SchemaManager<'_>, common: &[&str], postgres: &[&str]) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in common {
        db.execute_unprepared(sql).await?;
    }
    if manager.get_database_backend() == DbBackend::Postgres {
        for sql in postgres {
            db.execute_unprepared(sql).await?;
        }
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, UP, UP_POSTGRES).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        run(manager, DOWN, DOWN_POSTGRES).await
    }
}
