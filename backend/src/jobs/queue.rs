//! Enqueueing (with deduplication) and cancelling, callable inside the caller's
//! own transaction so a job exists exactly when the write that needs it does.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Statement, Value};
use time::OffsetDateTime;

use super::{
    Job,
    wake::{self, NOTIFY_CHANNEL},
};
use crate::db::now;

/// A job about to be enqueued.
#[derive(Debug, Clone)]
pub struct NewJob {
    kind: &'static str,
    args: serde_json::Value,
    dedupe_key: Option<String>,
    schedule_key: Option<String>,
    max_attempts: i32,
    run_at: Option<OffsetDateTime>,
    user_id: Option<i64>,
}

impl NewJob {
    /// The row for `job`, with the kind's defaults.
    pub fn of<J: Job>(job: &J) -> Self {
        Self {
            kind: J::KIND,
            args: serde_json::to_value(job).unwrap_or(serde_json::Value::Null),
            dedupe_key: job.dedupe_key(),
            schedule_key: None,
            max_attempts: J::MAX_ATTEMPTS,
            run_at: None,
            user_id: None,
        }
    }

    /// Run no sooner than `at`.
    #[must_use]
    pub fn run_at(mut self, at: OffsetDateTime) -> Self {
        self.run_at = Some(at);
        self
    }

    /// The user whose job it is (the status API shows it to them only).
    #[must_use]
    pub fn owned_by(mut self, user_id: i64) -> Self {
        self.user_id = Some(user_id);
        self
    }

    /// Enqueue once per periodic tick, however many processes fire it.
    #[must_use]
    pub fn for_tick(mut self, key: String) -> Self {
        self.schedule_key = Some(key);
        self
    }

    /// Deduplicate on `key` instead of the kind's own key.
    #[must_use]
    pub fn dedupe_on(mut self, key: String) -> Self {
        self.dedupe_key = Some(key);
        self
    }

    /// Allow this many attempts instead of the kind's default.
    #[must_use]
    pub fn max_attempts(mut self, attempts: i32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }
}

/// What enqueueing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job row.
    New(i64),
    /// An equivalent job was already queued or running (same dedupe key), or
    /// this tick was already enqueued: here is its id.
    Existing(i64),
}

impl Enqueued {
    /// The job's id, new or existing.
    pub fn id(self) -> i64 {
        match self {
            Self::New(id) | Self::Existing(id) => id,
        }
    }
}

/// Enqueues `job` on `db` (a connection or the caller's transaction).
///
/// With a dedupe key, however many callers race, one job is queued or running
/// per key: the partial unique index decides, and the losers get the winner's id.
pub async fn enqueue(db: &impl ConnectionTrait, job: NewJob) -> Result<Enqueued, DbErr> {
    // An existing active job may finish between our insert and our lookup;
    // then the next insert succeeds. Three rounds is plenty.
    for _ in 0..3 {
        if let Some(id) = insert(db, &job).await? {
            return Ok(Enqueued::New(id));
        }
        if let Some(id) = find_conflicting(db, &job).await? {
            return Ok(Enqueued::Existing(id));
        }
    }
    Err(DbErr::Custom(format!("could not enqueue a {} job: its dedupe key kept changing hands", job.kind)))
}

/// Rows per multi-row INSERT of [`enqueue_many`], well under SQLite's bound-parameter limit.
const INSERT_BATCH: usize = 500;

/// The columns a new job sets, and its values for them.
const COLUMNS: &str = "(kind, args, dedupe_key, schedule_key, state, attempts, max_attempts, run_at, user_id, created_at, updated_at)";

fn row_values(job: &NewJob, now: OffsetDateTime) -> [Value; 11] {
    [
        job.kind.into(),
        job.args.clone().into(),
        job.dedupe_key.clone().into(),
        job.schedule_key.clone().into(),
        "queued".into(),
        0i32.into(),
        job.max_attempts.into(),
        job.run_at.unwrap_or(now).into(),
        job.user_id.into(),
        now.into(),
        now.into(),
    ]
}

/// `INSERT … ON CONFLICT DO NOTHING RETURNING id` of `jobs`: the ids of the rows inserted
/// (a job whose dedupe or tick key is taken is not). On PostgreSQL the same statement wakes
/// listening workers when a row was inserted (at commit), saving a round trip per enqueue.
async fn insert_rows(db: &impl ConnectionTrait, jobs: &[NewJob], wake: &str) -> Result<Vec<i64>, DbErr> {
    let now = now();
    let mut values = Vec::with_capacity(jobs.len() * 11 + 2);
    let mut tuples = Vec::with_capacity(jobs.len());
    for job in jobs {
        let cells: Vec<String> = (1..=11).map(|col| format!("${}", values.len() + col)).collect();
        tuples.push(format!("({})", cells.join(", ")));
        values.extend(row_values(job, now));
    }
    let insert = format!(
        "INSERT INTO jobs {COLUMNS} VALUES {} ON CONFLICT DO NOTHING RETURNING id",
        tuples.join(", ")
    );
    let sql = if db.get_database_backend() == DbBackend::Postgres {
        let (channel, payload) = (values.len() + 1, values.len() + 2);
        // Jobs due later say when: a listening worker wakes then, not at its next poll.
        let due = jobs.iter().filter_map(|job| job.run_at).filter(|at| *at > now).min();
        values.extend([NOTIFY_CHANNEL.into(), wake::payload(wake, due).into()]);
        format!(
            "WITH inserted AS ({insert}), \
                  notified AS (SELECT pg_notify(${channel}, ${payload}) FROM inserted LIMIT 1) \
             SELECT id FROM inserted LEFT JOIN notified ON true"
        )
    } else {
        insert
    };
    let rows =
        db.query_all_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    rows.iter().map(|row| row.try_get::<i64>("", "id")).collect()
}

async fn insert(db: &impl ConnectionTrait, job: &NewJob) -> Result<Option<i64>, DbErr> {
    Ok(insert_rows(db, std::slice::from_ref(job), job.kind).await?.into_iter().next())
}

/// Enqueues many jobs with one statement per [`INSERT_BATCH`] of them (the scheduled
/// resync's hundreds of syncs, say); returns the ids of the new ones. A job whose dedupe
/// key is held by an active job, or whose tick was enqueued already, is left out, as
/// [`enqueue`] would find the existing one.
pub async fn enqueue_many(db: &impl ConnectionTrait, jobs: &[NewJob]) -> Result<Vec<i64>, DbErr> {
    let mut ids = Vec::with_capacity(jobs.len());
    for batch in jobs.chunks(INSERT_BATCH) {
        ids.extend(insert_rows(db, batch, "many").await?);
    }
    Ok(ids)
}

async fn find_conflicting(db: &impl ConnectionTrait, job: &NewJob) -> Result<Option<i64>, DbErr> {
    let lookups = [
        (&job.schedule_key, "SELECT id FROM jobs WHERE schedule_key = $1"),
        (&job.dedupe_key, "SELECT id FROM jobs WHERE dedupe_key = $1 AND state IN ('queued', 'running')"),
    ];
    for (key, sql) in lookups {
        let Some(key) = key else { continue };
        let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [key.clone().into()]);
        if let Some(row) = db.query_one_raw(statement).await? {
            return Ok(Some(row.try_get::<i64>("", "id")?));
        }
    }
    Ok(None)
}

/// On PostgreSQL, wakes listening workers when the transaction commits.
/// (SQLite workers poll, and in-process ones are woken by the [`super::Waker`].)
async fn wake_workers(db: &impl ConnectionTrait, kind: &str) -> Result<(), DbErr> {
    if db.get_database_backend() == DbBackend::Postgres {
        let statement = Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_notify($1, $2)",
            [NOTIFY_CHANNEL.into(), kind.into()],
        );
        db.execute_raw(statement).await?;
    }
    Ok(())
}

/// Makes a queued job scheduled for later runnable now (somebody is waiting for it) and
/// wakes listening workers; returns whether it moved.
pub async fn expedite(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let at = now();
    let sql =
        "UPDATE jobs SET run_at = $2, updated_at = $2 WHERE id = $1 AND state = 'queued' AND run_at > $2";
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [id.into(), at.into()]);
    let moved = db.execute_raw(statement).await?.rows_affected() == 1;
    if moved {
        wake_workers(db, "expedited").await?;
    }
    Ok(moved)
}

/// Cancels a job that has not started; `false` when it is running or finished.
pub async fn cancel(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let now = now();
    let sql = "UPDATE jobs SET state = 'cancelled', finished_at = $2, updated_at = $2 \
               WHERE id = $1 AND state = 'queued'";
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [id.into(), now.into()]);
    Ok(db.execute_raw(statement).await?.rows_affected() == 1)
}
