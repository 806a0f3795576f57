//! Waking idle workers when work arrives: an in-process signal, plus
//! PostgreSQL LISTEN/NOTIFY across processes. A job enqueued to run later (a debounced
//! recompute, say) says when in its notification, and listening workers wake again then.
//! Polling remains the fallback.

use std::{sync::Arc, time::Duration};

use sea_orm::{DatabaseConnection, DbBackend};
use time::OffsetDateTime;
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

    /// Signals after `delay` (at once when it is zero): a job enqueued to run later is due.
    pub fn wake_after(&self, delay: Duration) {
        if delay.is_zero() {
            self.wake();
            return;
        }
        let waker = self.clone();
        tokio::spawn(async move {
            tokio::time::sleep(delay).await;
            waker.wake();
        });
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
                let notification = notification?;
                waker.wake();
                if let Some(delay) = due_in(notification.payload(), OffsetDateTime::now_utc()) {
                    waker.wake_after(delay);
                }
            }
            () = shutdown.cancelled() => return Ok(()),
        }
    }
}

/// The longest wait a notification may ask for: later jobs are found by polling.
const MAX_DUE_IN: Duration = Duration::from_secs(3600);

/// An enqueue notification's payload: what was enqueued (`label`), and when the earliest of
/// those jobs is due, if later than now (`label@<unix ms>`).
pub(super) fn payload(label: &str, due: Option<OffsetDateTime>) -> String {
    match due {
        // Rounded up: a worker woken a moment early would find nothing due and poll.
        Some(at) => format!("{label}@{}", (at.unix_timestamp_nanos() + 999_999).div_euclid(1_000_000)),
        None => label.to_owned(),
    }
}

/// How long from `now` until the job a payload announced is due; `None` when it is due
/// already, says nothing of when, or is further away than [`MAX_DUE_IN`].
fn due_in(payload: &str, now: OffsetDateTime) -> Option<Duration> {
    let (_, millis) = payload.rsplit_once('@')?;
    let at = OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis.parse::<i64>().ok()?) * 1_000_000)
        .ok()?;
    let delay = Duration::try_from(at - now).ok()?;
    (!delay.is_zero() && delay <= MAX_DUE_IN).then_some(delay)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_payload_says_when_a_later_job_is_due() {
        let now = OffsetDateTime::now_utc();
        let later = now + Duration::from_millis(250);
        let delay = due_in(&payload("recompute_crush", Some(later)), now).expect("due later");
        assert!(delay >= Duration::from_millis(250) && delay <= Duration::from_millis(251), "{delay:?}");
        assert_eq!(due_in(&payload("sync", None), now), None, "due now");
        assert_eq!(due_in(&payload("sync", Some(now - Duration::from_secs(1))), now), None, "due already");
        assert_eq!(
            due_in(&payload("sync", Some(now + Duration::from_secs(7200))), now),
            None,
            "left to polling"
        );
        assert_eq!(due_in("sync@soon", now), None);
    }
}
