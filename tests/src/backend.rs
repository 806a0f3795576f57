//! Fresh databases for tests: a temp SQLite file, or a new PostgreSQL database
//! created from `TEST_POSTGRES_URL` and dropped afterwards.

use instacrush::db::DatabaseUrl;
use sea_orm::{ConnectionTrait, Database};

/// Which database a test runs against.
#[derive(Debug, Clone)]
pub enum Backend {
    /// A temp SQLite file.
    Sqlite,
    /// A fresh database on the PostgreSQL server at this admin URL.
    Postgres(String),
}

impl Backend {
    /// PostgreSQL, when `TEST_POSTGRES_URL` is set. Panics under CI when it is
    /// not, so a missing service fails the run instead of skipping it.
    pub fn postgres() -> Option<Self> {
        match std::env::var("TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(Self::Postgres(url)),
            _ if std::env::var_os("CI").is_some() => {
                panic!("TEST_POSTGRES_URL must be set under CI: PostgreSQL tests may not skip")
            }
            _ => None,
        }
    }
}

/// A database that exists for one test.
pub struct TestDatabase {
    /// Its URL.
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        admin_url: String,
        name: String,
    },
    /// Another test database's: its owner drops it.
    Borrowed,
}

impl TestDatabase {
    /// The same database as `other`, which stays its owner (it must outlive this one).
    pub fn borrow(other: &Self) -> Self {
        Self { url: other.url.clone(), cleanup: Cleanup::Borrowed }
    }

    /// Creates an empty database of the given backend.
    pub async fn create(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                let url = format!("sqlite://{}?mode=rwc", path.display());
                Self { url: url.parse().expect("sqlite url"), cleanup: Cleanup::Sqlite(dir) }
            }
            Backend::Postgres(admin_url) => {
                let name = format!("instacrush_test_{}", uuid::Uuid::new_v4().simple());
                let admin = Database::connect(admin_url.as_str()).await.expect("postgres reachable");
                admin
                    .execute_unprepared(&format!("CREATE DATABASE {name}"))
                    .await
                    .expect("create test database");
                admin.close().await.ok();
                let mut url = url::Url::parse(&admin_url).expect("TEST_POSTGRES_URL is a URL");
                url.set_path(&name);
                Self {
                    url: url.as_str().parse().expect("postgres url"),
                    cleanup: Cleanup::Postgres { admin_url, name },
                }
            }
        }
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Cleanup::Postgres { admin_url, name } = &self.cleanup {
            let (admin_url, name) = (admin_url.clone(), name.clone());
            // Drop runs inside the test's runtime: use a thread with its own.
            let _ = std::thread::spawn(move || {
                let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
                runtime.block_on(async move {
                    if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                        let _ = admin
                            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .await;
                        admin.close().await.ok();
                    }
                });
                Ok::<_, std::io::Error>(())
            })
            .join();
        }
    }
}
