//! Revocations reach every API server at once. On PostgreSQL the process that revokes a
//! credential (sign-out, a revoked API token, refresh-token reuse, a deleted account) announces
//! it with `NOTIFY` on [`CHANNEL`] once it is committed; every server `LISTEN`s on a connection
//! of its own and forgets what the announcement makes stale, within the time a notification
//! takes to arrive. The caches stay as fast as before: nothing is asked of the database on a
//! read. On SQLite one process serves, and it forgets its own writes at once.
//!
//! Notifications sent while a listener is disconnected are lost: on losing its connection it
//! forgets every credential it knew (they are checked again), and it reconnects.

use std::{sync::Arc, time::Duration};

use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbBackend, Statement, sqlx::postgres::PgListener};
use tokio_util::sync::CancellationToken;

use super::{Credential, ReadCaches, Revoked};
use crate::db::DatabaseUrl;

/// The PostgreSQL notification channel of revocations.
pub const CHANNEL: &str = "instacrush_revocations";

impl Revoked {
    /// The notification's payload.
    fn payload(&self) -> String {
        match self {
            Self::Credential(Credential::Session(user_id, family)) => format!("session:{user_id}:{family}"),
            Self::Credential(Credential::ApiToken(user_id, token_id)) => {
                format!("token:{user_id}:{token_id}")
            }
            Self::Credentials => "credentials".to_owned(),
            Self::User(user_id) => format!("user:{user_id}"),
            Self::Everything => "everything".to_owned(),
        }
    }

    /// Reads a payload; anything unknown (a newer server's) means everything.
    fn parse(payload: &str) -> Self {
        let mut parts = payload.splitn(3, ':');
        let (kind, first, rest) = (parts.next(), parts.next(), parts.next());
        let user = first.and_then(|id| id.parse::<i64>().ok());
        match (kind, user, rest) {
            (Some("credentials"), None, None) if first.is_none() => Self::Credentials,
            (Some("user"), Some(user_id), None) => Self::User(user_id),
            (Some("session"), Some(user_id), Some(family)) if !family.is_empty() => {
                Self::Credential(Credential::Session(user_id, family.to_owned()))
            }
            (Some("token"), Some(user_id), Some(token_id)) => {
                token_id.parse().map_or(Self::Everything, |token_id| {
                    Self::Credential(Credential::ApiToken(user_id, token_id))
                })
            }
            _ => Self::Everything,
        }
    }
}

/// Forgets here what `revoked` makes stale, and announces it to the other processes on the
/// same PostgreSQL. Call it once the revocation is committed. An announcement that fails is
/// logged: the other processes then see the revocation within `READ_CACHE_MS`.
pub async fn revoke(db: &DatabaseConnection, caches: &ReadCaches, revoked: Revoked) {
    caches.forget(&revoked);
    if db.get_database_backend() != DbBackend::Postgres {
        return;
    }
    let notify = Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), revoked.payload().into()],
    );
    if let Err(err) = db.execute_raw(notify).await {
        tracing::warn!(error = %err, "could not announce a revocation to the other servers");
    }
}

/// A server's subscription to revocations.
pub struct Listener {
    listener: PgListener,
}

impl Listener {
    /// Listens on the PostgreSQL database at `url`; `None` on SQLite.
    pub async fn start(url: &DatabaseUrl) -> anyhow::Result<Option<Self>> {
        let DatabaseUrl::Postgres(url) = url else { return Ok(None) };
        let mut listener = PgListener::connect(url).await?;
        listener.listen(CHANNEL).await?;
        Ok(Some(Self { listener }))
    }

    /// Applies announcements to `caches` until `shutdown`.
    pub async fn run(mut self, caches: Arc<ReadCaches>, shutdown: CancellationToken) {
        loop {
            let next = tokio::select! {
                () = shutdown.cancelled() => return,
                next = self.listener.try_recv() => next,
            };
            match next {
                Ok(Some(notification)) => caches.forget(&Revoked::parse(notification.payload())),
                Ok(None) => {
                    tracing::warn!(
                        "lost the revocations channel: reconnecting; credentials are checked again"
                    );
                    caches.forget_credentials();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "the revocations channel failed: retrying; credentials are checked again");
                    caches.forget_credentials();
                    tokio::select! {
                        () = shutdown.cancelled() => return,
                        () = tokio::time::sleep(Duration::from_secs(1)) => {}
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_round_trip_and_unknown_ones_forget_everything() {
        for revoked in [
            Revoked::Credential(Credential::Session(7, "0a1b-2c".to_owned())),
            Revoked::Credential(Credential::ApiToken(7, 3)),
            Revoked::Credentials,
            Revoked::User(42),
            Revoked::Everything,
        ] {
            assert_eq!(Revoked::parse(&revoked.payload()), revoked);
        }
        assert_eq!(Revoked::parse("user:x"), Revoked::Everything);
        assert_eq!(Revoked::parse("token:7:x"), Revoked::Everything);
        assert_eq!(Revoked::parse("session:7:"), Revoked::Everything);
        assert_eq!(Revoked::parse("something-new"), Revoked::Everything);
    }
}
