//! What the benchmarks share: the databases they run on (a temp SQLite file
//! always, a scratch PostgreSQL database when `BENCH_POSTGRES_URL` names a
//! server), the real server driven over HTTP ([`server`]), medians, and the
//! process's peak memory.

pub mod server;

use anyhow::Context as _;
use instacrush::{
    config::DatabaseConfig,
    db::{self, DatabaseUrl},
};
use sea_orm::{ConnectionTrait as _, Database, DatabaseConnection};

/// A database that exists for one benchmark run.
pub enum BenchDatabase {
    /// A SQLite file in a temp directory (removed on drop).
    Sqlite {
        /// Its URL.
        url: DatabaseUrl,
        /// The directory holding it.
        dir: tempfile::TempDir,
    },
    /// A database created on a PostgreSQL server, dropped by [`BenchDatabase::close`].
    Postgres(ScratchPostgres),
}

impl BenchDatabase {
    /// A fresh SQLite file.
    pub fn sqlite() -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("bench.db").display()).parse()?;
        Ok(Self::Sqlite { url, dir })
    }

    /// A scratch database on the server `BENCH_POSTGRES_URL` names; `Err` says
    /// why there is none (unset, unreachable), for the "skipped" line.
    pub async fn postgres() -> anyhow::Result<Self> {
        match std::env::var("BENCH_POSTGRES_URL") {
            Ok(admin) if !admin.is_empty() => Ok(Self::Postgres(ScratchPostgres::create(&admin).await?)),
            _ => anyhow::bail!("set BENCH_POSTGRES_URL to include it"),
        }
    }

    /// A fresh database of `backend`: `"sqlite"`, or else PostgreSQL ([`BenchDatabase::postgres`]).
    pub async fn fresh(backend: &str) -> anyhow::Result<Self> {
        if backend == "sqlite" { Self::sqlite() } else { Self::postgres().await }
    }

    /// Its URL.
    pub fn url(&self) -> anyhow::Result<DatabaseUrl> {
        Ok(match self {
            Self::Sqlite { url, .. } => url.clone(),
            Self::Postgres(scratch) => scratch.url.parse()?,
        })
    }

    /// Connects with the app's own settings (one connection on SQLite) and migrates.
    pub async fn connect(&self, max_connections: u32) -> anyhow::Result<DatabaseConnection> {
        let config =
            DatabaseConfig { database_max_connections: max_connections, ..DatabaseConfig::new(self.url()?) };
        let conn = db::connect(&config).await?;
        db::migrate(&conn).await?;
        Ok(conn)
    }

    /// Removes the database.
    pub async fn close(self) {
        match self {
            Self::Sqlite { dir, .. } => drop(dir),
            Self::Postgres(scratch) => scratch.drop_database().await,
        }
    }
}

/// A PostgreSQL database created for the run and dropped after it.
pub struct ScratchPostgres {
    admin: String,
    name: String,
    /// Its URL.
    pub url: String,
}

impl ScratchPostgres {
    /// Creates `instacrush_bench_<uuid>` on the server at `admin`.
    pub async fn create(admin: &str) -> anyhow::Result<Self> {
        let name = format!("instacrush_bench_{}", uuid::Uuid::new_v4().simple());
        let conn = Database::connect(admin).await.context("cannot reach BENCH_POSTGRES_URL")?;
        conn.execute_unprepared(&format!("CREATE DATABASE {name}")).await?;
        conn.close().await?;
        let mut url = url::Url::parse(admin)?;
        url.set_path(&name);
        Ok(Self { admin: admin.to_owned(), name, url: url.to_string() })
    }

    /// The database's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Drops the database (best effort: a leftover scratch database is harmless).
    pub async fn drop_database(self) {
        if let Ok(conn) = Database::connect(self.admin.as_str()).await {
            let _ =
                conn.execute_unprepared(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name)).await;
            let _ = conn.close().await;
        }
    }
}

/// The nearest-rank percentile `q` (0..=1) of `values` (NaN when there are none).
pub fn percentile(values: &[f64], q: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let rank = (q * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// The median of some measurements.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The process's peak resident memory so far, in MiB (`VmHWM`; Linux only).
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// Resets the peak resident memory to the current one (Linux; ignored elsewhere),
/// so the next [`peak_rss_mib`] measures one run alone.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}
