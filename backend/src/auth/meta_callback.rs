//! Accepting one of Meta's callbacks (deauthorize, data deletion): its `signed_request` must
//! verify with the app secret, be fresh (`issued_at` within the configured window, not ahead
//! of our clock by more than a little skew) and be new: each one is honoured once, remembered
//! in the database until it would be too old anyway, so no process accepts a replay.

use std::time::Duration;

use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbErr, Statement};
use time::OffsetDateTime;

use super::{
    crypto::token_hash,
    signed_request::{self, SignedRequest, SignedRequestError},
};

/// How far ahead of our clock `issued_at` may be (clocks are never quite in step).
pub const CLOCK_SKEW: Duration = Duration::from_secs(60);

/// Why a callback was refused.
#[derive(Debug, thiserror::Error)]
pub enum CallbackError {
    /// The `signed_request` is not what Meta sends.
    #[error("the signed_request is malformed")]
    Malformed,
    /// The signature does not verify with the app secret (or there is no usable secret).
    #[error("the signed_request signature is not valid")]
    BadSignature,
    /// `issued_at` is missing, older than the window or in the future.
    #[error("the signed_request was not issued within the accepted window")]
    Stale,
    /// This very request was honoured before.
    #[error("the signed_request was already used")]
    Replayed,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] DbErr),
}

impl From<SignedRequestError> for CallbackError {
    fn from(err: SignedRequestError) -> Self {
        match err {
            SignedRequestError::Malformed => Self::Malformed,
            SignedRequestError::BadSignature => Self::BadSignature,
        }
    }
}

/// A verified, fresh callback, claimed for this process: [`Claim::release`] it if the work it
/// asks for fails, so that Meta's retry of the same request is not refused as a replay.
#[derive(Debug)]
pub struct Claim {
    /// The verified payload.
    pub request: SignedRequest,
    hash: String,
}

/// Verifies `signed` with `secret`, checks that it was issued within `max_age` of `now`, and
/// claims it (once across every process sharing `db`).
pub async fn accept(
    db: &DatabaseConnection,
    signed: &str,
    secret: &str,
    max_age: Duration,
    now: OffsetDateTime,
) -> Result<Claim, CallbackError> {
    let request = signed_request::verify(signed, secret)?;
    let issued_at = request.issued_at.ok_or(CallbackError::Stale)?;
    let issued_at = OffsetDateTime::from_unix_timestamp(issued_at).map_err(|_| CallbackError::Stale)?;
    if issued_at < now - max_age || issued_at > now + CLOCK_SKEW {
        return Err(CallbackError::Stale);
    }
    let hash = token_hash(signed.trim());
    // Kept until the request would be refused as stale anyway (plus the skew it was allowed).
    let expires_at = issued_at + max_age + CLOCK_SKEW;
    if !claim(db, &hash, expires_at, now).await? {
        return Err(CallbackError::Replayed);
    }
    Ok(Claim { request, hash })
}

impl Claim {
    /// Forgets the claim (the work failed; Meta may send the same request again).
    pub async fn release(self, db: &DatabaseConnection) -> Result<(), DbErr> {
        let sql = "DELETE FROM meta_callback_uses WHERE request_hash = $1";
        db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [self.hash.into()]))
            .await?;
        Ok(())
    }
}

/// Records `hash` as used; false when it was already. Rows past their expiry go first: the
/// table holds at most one window's worth of genuine (signed) requests.
async fn claim(
    db: &DatabaseConnection,
    hash: &str,
    expires_at: OffsetDateTime,
    now: OffsetDateTime,
) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let prune = "DELETE FROM meta_callback_uses WHERE expires_at < $1";
    db.execute_raw(Statement::from_sql_and_values(backend, prune, [crate::db::fixed_width(now).into()]))
        .await?;
    let insert = "INSERT INTO meta_callback_uses (request_hash, expires_at) VALUES ($1, $2) \
                  ON CONFLICT (request_hash) DO NOTHING";
    let values = [hash.into(), crate::db::fixed_width(expires_at).into()];
    let inserted = db.execute_raw(Statement::from_sql_and_values(backend, insert, values)).await?;
    Ok(inserted.rows_affected() == 1)
}
