//! Waking idle workers when work arrives: an in-process signal, plus
//! PostgreSQL LISTEN/NOTIFY across processes. Polling remains the fallback.

use std::{sync::Arc, time::Duration};

use sea_orm::{DatabaseConnection, DbBackend};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// The channel `enqueue` notifies on PostgreSQL.
pub const NOTIFY_CHANNEL: &str = "instacrush_jobs";

/// Wakes a worker that is waiting for work.
#[derive(Debug, Clone, Default)]
pub struct Waker {
    notify: Arc<Notify>,
}

impl Waker {
    /// Signals that work may be available (a permit is kept if nobody waits).
    pub fn wake(&self) {
        self.notify.notify_one();
    }

    /// Waits for a signal.
    pub async fn notified(&self) {
        self.notify.notified().await;
    }

    /// On PostgreSQL, listens for `enqueue`'s notifications from any process
    /// until `shutdown`; elsewhere does nothing.
    pub fn listen(&self, db: &DatabaseConnection, shutdown: CancellationToken) {
        if db.get_database_backend() != DbBackend::Postgres {
            return;
        }
        let pool = db.get_postgres_connection_pool().clone();
        let waker = self.clone();
        tokio::spawn(async move {
            while !shutdown.is_cancelled() {
                if let Err(err) = listen_once(&pool, &waker, &shutdown).await {
                    tracing::warn!(error = %err, "job notifications interrupted; polling meanwhile");
                    tokio::select! {
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                        () = shutdown.cancelled() => {}
                    }
                }
            }
        });
    }
}

async fn listen_once(
    pool: &sea_orm::sqlx::PgPool,
    waker: &Waker,
    shutdown: &CancellationToken,
) -> Result<(), sea_orm::sqlx::Error> {
    let mut listener = sea_orm::sqlx::postgres::PgListener::connect_with(pool).await?;
    listener.listen(NOTIFY_CHANNEL).await?;
    // Anything enqueued while we were not listening is found by the next poll.
    waker.wake();
    loop {
        tokio::select! {
            notification = listener.recv() => {
                notification?;
                waker.wake();
            }
            () = shutdown.cancelled() => return Ok(()),
        }
    }
}
