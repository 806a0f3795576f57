//! The queue's SQL: claiming, fenced transitions, lease rescue. One statement
//! each, portable between SQLite and PostgreSQL except where claiming needs
//! `FOR UPDATE SKIP LOCKED`.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbBackend, DbErr, FromQueryResult, Statement, Value};
use time::OffsetDateTime;

use super::JobProblem;
use crate::db::now;

/// A job a worker has claimed: it holds the lease for this attempt.
#[derive(Debug, Clone, FromQueryResult)]
pub struct Claimed {
    /// The job's id.
    pub id: i64,
    /// Its kind.
    pub kind: String,
    /// Its arguments.
    pub args: serde_json::Value,
    /// This attempt's number (1-based).
    pub attempts: i32,
    /// Attempts allowed in all.
    pub max_attempts: i32,
    /// When it was enqueued.
    pub created_at: OffsetDateTime,
    /// Where an earlier attempt got to, if it saved a checkpoint.
    pub checkpoint: Option<serde_json::Value>,
}

impl Claimed {
    /// The fence every write of this attempt goes through.
    pub fn fence(&self) -> Fence {
        Fence { id: self.id, attempt: self.attempts }
    }
}

/// `(id, attempt)`: writes succeed only while this attempt still holds the job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fence {
    /// The job's id.
    pub id: i64,
    /// The attempt that holds it.
    pub attempt: i32,
}

/// How an attempt ends.
#[derive(Debug, Clone)]
pub enum Transition {
    /// Done.
    Succeeded,
    /// Back to the queue, to run again at the given time.
    Retry {
        /// When.
        at: OffsetDateTime,
        /// Why.
        error: JobProblem,
    },
    /// Failed for good.
    Failed {
        /// Why.
        error: JobProblem,
    },
    /// Handed back unperformed (shutdown): the attempt does not count.
    Released,
    /// Back to the queue until `at`, without counting the attempt (throttled).
    Deferred {
        /// When to run again.
        at: OffsetDateTime,
        /// Why.
        error: JobProblem,
    },
}

fn statement(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Statement {
    Statement::from_sql_and_values(db.get_database_backend(), sql, values)
}

fn json(value: &impl serde::Serialize) -> Value {
    serde_json::to_value(value).unwrap_or(serde_json::Value::Null).into()
}

/// Claims up to `limit` runnable jobs for `worker_id`, each with a lease of
/// `lease`, in one atomic statement: no two workers ever claim the same job.
pub async fn claim(
    db: &impl ConnectionTrait,
    worker_id: &str,
    limit: u32,
    lease: Duration,
) -> Result<Vec<Claimed>, DbErr> {
    let (lock, no_flush_wait, flush_check) = match db.get_database_backend() {
        // Concurrent claimers skip rows another transaction has locked instead of waiting.
        // The claim's commit does not wait for its WAL to reach the disk (`synchronous_commit`
        // off for this transaction alone): should the server crash within that instant, the
        // job is back in the queue as it was and runs again, which at-least-once allows; a
        // fenced write of the lost attempt then changes nothing. Outcomes are still written
        // durably, and their commit flushes the claim's WAL with theirs.
        DbBackend::Postgres => (
            "FOR UPDATE SKIP LOCKED",
            "no_flush_wait AS MATERIALIZED (SELECT set_config('synchronous_commit', 'off', true)), ",
            "AND EXISTS (SELECT 1 FROM no_flush_wait)",
        ),
        // SQLite runs one writer at a time, so the UPDATE is atomic as it is.
        _ => ("", "", ""),
    };
    // The CTE is materialized, so the locking subquery runs once: inlined into
    // `IN (…)`, PostgreSQL may re-run it, and SKIP LOCKED would then hand back
    // more rows than the limit. The outer `state = 'queued'` is re-checked on
    // each locked row, so a row that changed meanwhile is never claimed twice.
    let sql = format!(
        "WITH {no_flush_wait}next AS MATERIALIZED (SELECT id FROM jobs WHERE state = 'queued' AND run_at <= $1 \
                                    ORDER BY run_at, id LIMIT $4 {lock}) \
         UPDATE jobs SET state = 'running', attempts = attempts + 1, started_at = $1, updated_at = $1, \
         lease_expires_at = $2, worker_id = $3, progress = NULL \
         WHERE state = 'queued' AND id IN (SELECT id FROM next) {flush_check} \
         RETURNING id, kind, args, attempts, max_attempts, created_at, checkpoint"
    );
    let now = now();
    let values = vec![now.into(), (now + lease).into(), worker_id.into(), i64::from(limit).into()];
    let mut claimed = Claimed::find_by_statement(statement(db, &sql, values)).all(db).await?;
    claimed.sort_by_key(|job| job.id);
    Ok(claimed)
}

/// Applies `transition` if `fence` still holds the job; `false` means the lease
/// was lost (rescued, cancelled) and nothing changed.
pub async fn transition(
    db: &impl ConnectionTrait,
    fence: Fence,
    transition: &Transition,
) -> Result<bool, DbErr> {
    let now = now();
    let (sql, mut values): (&str, Vec<Value>) = match transition {
        Transition::Succeeded => (
            "UPDATE jobs SET state = 'succeeded', finished_at = $3, updated_at = $3, lease_expires_at = NULL \
             WHERE id = $1 AND attempts = $2 AND state = 'running'",
            vec![now.into()],
        ),
        Transition::Retry { at, error } => (
            "UPDATE jobs SET state = 'queued', run_at = $4, last_error = $5, updated_at = $3, \
             lease_expires_at = NULL, worker_id = NULL \
             WHERE id = $1 AND attempts = $2 AND state = 'running'",
            vec![now.into(), (*at).into(), json(error)],
        ),
        Transition::Failed { error } => (
            "UPDATE jobs SET state = 'failed', finished_at = $3, updated_at = $3, last_error = $4, \
             lease_expires_at = NULL \
             WHERE id = $1 AND attempts = $2 AND state = 'running'",
            vec![now.into(), json(error)],
        ),
        Transition::Deferred { at, error } => (
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $4, last_error = $5, \
             updated_at = $3, lease_expires_at = NULL, worker_id = NULL \
             WHERE id = $1 AND attempts = $2 AND state = 'running'",
            vec![now.into(), (*at).into(), json(error)],
        ),
        Transition::Released => (
            "UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $3, updated_at = $3, \
             lease_expires_at = NULL, worker_id = NULL \
             WHERE id = $1 AND attempts = $2 AND state = 'running'",
            vec![now.into()],
        ),
    };
    values.splice(0..0, [fence.id.into(), fence.attempt.into()]);
    let result = db.execute_raw(statement(db, sql, values)).await?;
    Ok(result.rows_affected() == 1)
}

/// Marks the attempts `fences` succeeded, in one statement, each only if it still holds its
/// job (a rescued or cancelled job is left alone, as with [`transition`]); returns the ids
/// that were written.
pub async fn complete_many(db: &impl ConnectionTrait, fences: &[Fence]) -> Result<Vec<i64>, DbErr> {
    let set =
        "UPDATE jobs SET state = 'succeeded', finished_at = $1, updated_at = $1, lease_expires_at = NULL";
    fenced_many(db, set, fences).await
}

/// Hands the attempts `fences` back to the queue unperformed, in one statement (as
/// [`Transition::Released`] does for one: the attempt does not count); returns the ids that
/// were written. A worker stopping releases the jobs it claimed ahead this way.
pub async fn release_many(db: &impl ConnectionTrait, fences: &[Fence]) -> Result<Vec<i64>, DbErr> {
    let set = "UPDATE jobs SET state = 'queued', attempts = attempts - 1, run_at = $1, updated_at = $1, \
               lease_expires_at = NULL, worker_id = NULL";
    fenced_many(db, set, fences).await
}

/// Runs `set` (an `UPDATE jobs SET …` whose one parameter, `$1`, is now) on the jobs `fences`
/// still hold, in one statement; returns the ids written.
async fn fenced_many(db: &impl ConnectionTrait, set: &str, fences: &[Fence]) -> Result<Vec<i64>, DbErr> {
    if fences.is_empty() {
        return Ok(Vec::new());
    }
    let mut values: Vec<Value> = vec![now().into()];
    let sql = if db.get_database_backend() == DbBackend::Postgres {
        // The fences as two array literals: one statement text whatever the group's size, so
        // it is prepared once per connection instead of once per size.
        let list = |item: fn(&Fence) -> String| {
            format!("{{{}}}", fences.iter().map(item).collect::<Vec<_>>().join(","))
        };
        values.push(list(|fence| fence.id.to_string()).into());
        values.push(list(|fence| fence.attempt.to_string()).into());
        format!(
            "{set} FROM unnest($2::text::int8[], $3::text::int4[]) AS done (id, attempt) \
             WHERE jobs.id = done.id AND jobs.attempts = done.attempt AND jobs.state = 'running' \
             RETURNING jobs.id"
        )
    } else {
        let tuples: Vec<String> =
            (0..fences.len()).map(|n| format!("(${}, ${})", 2 * n + 2, 2 * n + 3)).collect();
        values.extend(fences.iter().flat_map(|fence| [fence.id.into(), fence.attempt.into()]));
        format!(
            "{set} WHERE state = 'running' AND (id, attempts) IN (VALUES {}) RETURNING id",
            tuples.join(", ")
        )
    };
    let rows = db.query_all_raw(statement(db, &sql, values)).await?;
    rows.iter().map(|row| row.try_get::<i64>("", "id")).collect()
}

/// Extends the lease of a running attempt; `false` means it was lost.
pub async fn heartbeat(db: &impl ConnectionTrait, fence: Fence, lease: Duration) -> Result<bool, DbErr> {
    let now = now();
    let sql = "UPDATE jobs SET lease_expires_at = $3, updated_at = $4 \
               WHERE id = $1 AND attempts = $2 AND state = 'running'";
    let values = vec![fence.id.into(), fence.attempt.into(), (now + lease).into(), now.into()];
    Ok(db.execute_raw(statement(db, sql, values)).await?.rows_affected() == 1)
}

/// Records a running attempt's progress; `false` means the lease was lost.
pub async fn progress(
    db: &impl ConnectionTrait,
    fence: Fence,
    progress: &impl serde::Serialize,
) -> Result<bool, DbErr> {
    let sql = "UPDATE jobs SET progress = $3 WHERE id = $1 AND attempts = $2 AND state = 'running'";
    let values = vec![fence.id.into(), fence.attempt.into(), json(progress)];
    Ok(db.execute_raw(statement(db, sql, values)).await?.rows_affected() == 1)
}

/// What a rescue sets: back in the queue (failed when out of attempts), at `$1`, with the
/// error `$2`.
const RESCUE: &str = "UPDATE jobs SET \
      state = CASE WHEN attempts >= max_attempts THEN 'failed' ELSE 'queued' END, \
      finished_at = CASE WHEN attempts >= max_attempts THEN $1 ELSE NULL END, \
      run_at = $1, updated_at = $1, last_error = $2, lease_expires_at = NULL, worker_id = NULL";

/// Records where a running attempt got to, for the next attempt to resume from; `false`
/// means the lease was lost.
pub async fn checkpoint(
    db: &impl ConnectionTrait,
    fence: Fence,
    checkpoint: &impl serde::Serialize,
) -> Result<bool, DbErr> {
    let sql = "UPDATE jobs SET checkpoint = $3 WHERE id = $1 AND attempts = $2 AND state = 'running'";
    let values = vec![fence.id.into(), fence.attempt.into(), json(checkpoint)];
    Ok(db.execute_raw(statement(db, sql, values)).await?.rows_affected() == 1)
}

/// Puts running jobs whose lease expired (their worker died) back in the queue,
/// or fails them when they are out of attempts. Returns how many were rescued.
pub async fn rescue_expired(db: &impl ConnectionTrait) -> Result<u64, DbErr> {
    let error = JobProblem::new(
        "lease_expired",
        "The worker stopped answering",
        Some("the job's lease expired: its worker was killed or lost the database".to_owned()),
    );
    let sql = format!("{RESCUE} WHERE state = 'running' AND lease_expires_at < $1");
    let result = db.execute_raw(statement(db, &sql, vec![now().into(), json(&error)])).await?;
    Ok(result.rows_affected())
}

/// Rescues at once the running jobs of the workers `is_gone` knows to have ended (a
/// restarted process's previous run), without waiting for their leases. Returns how many.
pub async fn rescue_orphans(db: &impl ConnectionTrait, is_gone: impl Fn(&str) -> bool) -> Result<u64, DbErr> {
    let sql = "SELECT DISTINCT worker_id FROM jobs WHERE state = 'running' AND worker_id IS NOT NULL";
    let rows = db.query_all_raw(statement(db, sql, vec![])).await?;
    let error = JobProblem::new(
        "worker_gone",
        "The worker stopped",
        Some("the process running the job ended before it finished".to_owned()),
    );
    let mut rescued = 0;
    for row in rows {
        let worker: String = row.try_get("", "worker_id")?;
        if !is_gone(&worker) {
            continue;
        }
        let sql = format!("{RESCUE} WHERE state = 'running' AND worker_id = $3");
        let values = vec![now().into(), json(&error), worker.into()];
        rescued += db.execute_raw(statement(db, &sql, values)).await?.rows_affected();
    }
    Ok(rescued)
}

/// Deletes finished jobs older than `retention`; returns how many.
pub async fn prune_finished(db: &impl ConnectionTrait, retention: Duration) -> Result<u64, DbErr> {
    let sql = "DELETE FROM jobs WHERE state IN ('succeeded', 'failed', 'cancelled') AND finished_at < $1";
    let cutoff = now() - retention;
    Ok(db.execute_raw(statement(db, sql, vec![cutoff.into()])).await?.rows_affected())
}

/// How many jobs are in each state (for the queue-depth gauge).
pub async fn count_by_state(db: &impl ConnectionTrait) -> Result<Vec<(String, i64)>, DbErr> {
    let sql = "SELECT state, COUNT(*) AS n FROM jobs GROUP BY state";
    let rows = db.query_all_raw(statement(db, sql, vec![])).await?;
    rows.iter().map(|row| Ok((row.try_get::<String>("", "state")?, row.try_get::<i64>("", "n")?))).collect()
}
