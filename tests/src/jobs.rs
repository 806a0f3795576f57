//! Job kinds for the queue's reliability tests: real jobs through the real
//! queue, recording what they did so tests can count it.

use std::time::Duration;

use instacrush::{
    http::AppState,
    jobs::{Job, JobContext, JobError, Registry},
};
use sea_orm::{ConnectionTrait, Statement};
use serde::{Deserialize, Serialize};

/// Creates the `performed` table `RecordJob` writes to.
pub async fn create_performed_table(db: &impl ConnectionTrait) {
    db.execute_unprepared(
        "CREATE TABLE performed (job_id BIGINT NOT NULL, attempt INTEGER NOT NULL, worker TEXT)",
    )
    .await
    .expect("create performed");
}

/// Records each time it is performed (job id, attempt) in `performed`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct RecordJob {
    /// How long each run takes, in ms.
    pub sleep_ms: u64,
}

impl Job for RecordJob {
    const KIND: &'static str = "test_record";
    type Context = ();

    async fn perform(self, ctx: JobContext<()>) -> Result<(), JobError> {
        tokio::time::sleep(Duration::from_millis(self.sleep_ms)).await;
        let db = ctx.db();
        let statement = Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO performed (job_id, attempt) VALUES ($1, $2)",
            [ctx.job_id().into(), ctx.attempt().into()],
        );
        db.execute_raw(statement).await?;
        Ok(())
    }
}

/// Fails its first `failures` attempts, transiently or permanently, then succeeds.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct FlakyJob {
    /// Attempts that fail.
    pub failures: i32,
    /// Whether the failures are permanent.
    pub permanent: bool,
}

impl Job for FlakyJob {
    const KIND: &'static str = "test_flaky";
    const MAX_ATTEMPTS: i32 = 4;
    type Context = ();

    async fn perform(self, ctx: JobContext<()>) -> Result<(), JobError> {
        if ctx.attempt() > self.failures {
            return Ok(());
        }
        let detail = Some(format!("attempt {} failed on purpose", ctx.attempt()));
        Err(if self.permanent {
            JobError::permanent("flaky_permanent", "Failed for good", detail)
        } else {
            JobError::transient("flaky", "Failed for now", detail)
        })
    }
}

/// The app's job kinds plus the test kinds.
pub fn test_registry() -> Registry<AppState> {
    instacrush::app::job_registry().register::<RecordJob>().register::<FlakyJob>()
}

/// A job's row.
pub async fn job_row(db: &sea_orm::DatabaseConnection, id: i64) -> instacrush::entities::job::Model {
    use sea_orm::EntityTrait as _;
    instacrush::entities::job::Entity::find_by_id(id).one(db).await.expect("query").expect("job exists")
}

/// Every job row, by id.
pub async fn all_jobs(db: &sea_orm::DatabaseConnection) -> Vec<instacrush::entities::job::Model> {
    use sea_orm::{EntityTrait as _, QueryOrder as _};
    instacrush::entities::job::Entity::find()
        .order_by_asc(instacrush::entities::job::Column::Id)
        .all(db)
        .await
        .expect("query")
}

/// The sync jobs of user `user_id` (by their dedupe key), by id.
pub async fn syncs_of(
    db: &sea_orm::DatabaseConnection,
    user_id: i64,
) -> Vec<instacrush::entities::job::Model> {
    use instacrush::{entities::job, sync::SyncFeed};
    use sea_orm::{ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _};
    job::Entity::find()
        .filter(job::Column::DedupeKey.eq(SyncFeed::key(user_id)))
        .order_by_asc(job::Column::Id)
        .all(db)
        .await
        .expect("query")
}

/// Polls `check` every 50 ms until it holds; panics with `what` after `timeout`.
pub async fn wait_until<F, Fut>(timeout: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + timeout;
    while !check().await {
        assert!(tokio::time::Instant::now() < deadline, "timed out after {timeout:?} waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
