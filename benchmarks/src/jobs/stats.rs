//! What a run cost PostgreSQL: commits in its database (`pg_stat_database.xact_commit`) and
//! WAL written (`pg_current_wal_lsn()`, server-wide: other databases' writes count too, so
//! the benchmark takes medians), read through a connection to the admin database so that
//! reading them adds no commit to the database measured.

use std::time::{Duration, Instant};

use anyhow::Context as _;
use sea_orm::sqlx::{Connection as _, PgConnection, Row as _};

/// The counters at one moment.
#[derive(Debug, Clone, Copy)]
pub struct Counters {
    commits: i64,
    wal_bytes: i64,
}

impl Counters {
    /// Per job, from `before` to `self`, less `extra` commits made by the benchmark itself
    /// (its polls): (commits, WAL bytes).
    pub fn per_job(self, before: Self, extra: i64, jobs: usize) -> (f64, f64) {
        let jobs = jobs as f64;
        (
            (self.commits - before.commits - extra) as f64 / jobs,
            (self.wal_bytes - before.wal_bytes) as f64 / jobs,
        )
    }
}

/// A connection to the server's admin database.
pub struct Stats {
    admin: PgConnection,
}

impl Stats {
    /// Connects to `admin_url`.
    pub async fn connect(admin_url: &str) -> anyhow::Result<Self> {
        Ok(Self { admin: PgConnection::connect(admin_url).await.context("cannot reach BENCH_POSTGRES_URL")? })
    }

    /// The counters of `database`, once nobody is connected to it: a backend's commits are
    /// counted for sure only once it has ended (PostgreSQL flushes them at most once a
    /// second while it lives).
    pub async fn once_idle(&mut self, database: &str) -> anyhow::Result<Counters> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let sql = "SELECT COUNT(*) FROM pg_stat_activity WHERE datname = $1";
            let connected: i64 =
                sea_orm::sqlx::query_scalar(sql).bind(database).fetch_one(&mut self.admin).await?;
            if connected == 0 {
                break;
            }
            anyhow::ensure!(Instant::now() < deadline, "{database} still has {connected} connections");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        // A backend leaves pg_stat_activity just before it flushes its counters.
        tokio::time::sleep(Duration::from_millis(150)).await;
        let sql = "SELECT pg_stat_get_db_xact_commit(oid) AS commits, \
                   (pg_current_wal_lsn() - '0/0'::pg_lsn)::bigint AS wal \
                   FROM pg_database WHERE datname = $1";
        sea_orm::sqlx::query("SELECT pg_stat_clear_snapshot()").execute(&mut self.admin).await?;
        let row = sea_orm::sqlx::query(sql).bind(database).fetch_one(&mut self.admin).await?;
        Ok(Counters { commits: row.try_get("commits")?, wal_bytes: row.try_get("wal")? })
    }

    /// Closes the connection.
    pub async fn close(self) {
        let _ = self.admin.close().await;
    }
}

/// Polls `busy_sql` (one boolean: work left) on `url` every 5 ms until it says false;
/// returns how many polls (commits) that took, its connection included.
pub async fn wait_until_done(url: &str, busy_sql: &'static str, timeout: Duration) -> anyhow::Result<i64> {
    let mut conn = PgConnection::connect(url).await?;
    let deadline = Instant::now() + timeout;
    // One more for preparing the statement.
    let mut commits = 1;
    loop {
        commits += 1;
        let busy: bool = sea_orm::sqlx::query_scalar(busy_sql).fetch_one(&mut conn).await?;
        if !busy {
            break;
        }
        anyhow::ensure!(Instant::now() < deadline, "the jobs did not finish within {timeout:?}");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    conn.close().await?;
    Ok(commits)
}
