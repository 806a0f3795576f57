//! Opaque refresh tokens: stored hashed, rotated on every use, grouped in families. Presenting
//! a token that was already rotated means it was stolen (or replayed): the whole family is
//! revoked, which signs out both the thief and the victim (RFC 9700 §4.14.2).
//!
//! Except within [`REUSE_GRACE`] of its rotation: two tabs of one browser refreshing at the same
//! instant both present the same token, and the one that loses the race must not sign the
//! person out. Within the window the old token answers with the same successor its rotation
//! issued: a successor is derived from its predecessor with a server key ([`Successors`]), so
//! it can be given again without ever being stored.

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, Set, sea_query::Expr,
};

use hmac::{Hmac, KeyInit as _, Mac as _};
use sha2::Sha256;

use super::{
    crypto::{random_token, token_hash},
    keys::SecretKey,
};
use crate::{db::now, entities::refresh_token};

/// How long after a rotation the rotated token still answers with its successor instead of
/// counting as reuse. Long enough for tabs refreshing together, short enough that a token
/// stolen from a cookie store is of no use to a thief who replays it later.
pub const REUSE_GRACE: Duration = Duration::from_secs(10);

/// Derives a token's successor: `HMAC-SHA256(key, token)`, base64url. Only this server can
/// derive it, and only from the token itself, which only the browser and a thief hold.
#[derive(Clone)]
pub struct Successors {
    key: SecretKey,
}

impl Successors {
    /// Successors derived with `key`.
    pub fn new(key: SecretKey) -> Self {
        Self { key }
    }

    /// The successor of refresh token `presented`.
    fn of(&self, presented: &str) -> String {
        use base64::{Engine as _, engine::general_purpose::URL_SAFE_NO_PAD};
        let mut mac =
            Hmac::<Sha256>::new_from_slice(self.key.expose()).expect("HMAC takes keys of any length");
        mac.update(b"refresh-successor:");
        mac.update(presented.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

/// A refresh token, once: only its hash is stored.
pub struct RefreshSecret {
    /// The token to hand to the browser.
    pub token: String,
    /// Its family (the session id).
    pub family_id: String,
    /// The user it signs in.
    pub user_id: i64,
}

/// Why a refresh was refused.
#[derive(Debug, thiserror::Error)]
pub enum RefreshError {
    /// Unknown, expired or revoked.
    #[error("the refresh token is not valid")]
    Invalid,
    /// Already rotated: the family has been revoked.
    #[error("the refresh token was already used; the session has been revoked")]
    Reused,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Signing the new access token failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Issues a refresh token in a new family.
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: i64,
    ttl: Duration,
) -> Result<RefreshSecret, sea_orm::DbErr> {
    store(db, random_token(32), user_id, random_token(16), ttl).await
}

/// Stores `token` (hashed) in `family_id`.
async fn store(
    db: &impl ConnectionTrait,
    token: String,
    user_id: i64,
    family_id: String,
    ttl: Duration,
) -> Result<RefreshSecret, sea_orm::DbErr> {
    let at = now();
    refresh_token::ActiveModel {
        user_id: Set(user_id),
        family_id: Set(family_id.clone()),
        token_hash: Set(token_hash(&token)),
        expires_at: Set(at + ttl),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(RefreshSecret { token, family_id, user_id })
}

/// Rotates `presented`: marks it used and issues its successor in the same family. The mark
/// is a conditional update, so of two concurrent uses exactly one rotates; the other, like any
/// use of a rotated token, gets the same successor within [`REUSE_GRACE`] and revokes the
/// family after it.
pub async fn rotate(
    db: &DatabaseConnection,
    successors: &Successors,
    presented: &str,
    ttl: Duration,
) -> Result<RefreshSecret, RefreshError> {
    let row = find(db, presented).await?.ok_or(RefreshError::Invalid)?;
    if row.revoked_at.is_some() || row.expires_at < now() {
        return Err(RefreshError::Invalid);
    }
    if row.rotated_at.is_some() {
        return successor_or_revoke(db, successors, row, presented).await;
    }
    let successor = successors.of(presented);
    let (user_id, family_id) = (row.user_id, row.family_id.clone());
    let rotated = crate::db::transact(db, move |txn| {
        Box::pin(async move {
            let marked = refresh_token::Entity::update_many()
                .col_expr(refresh_token::Column::RotatedAt, Expr::value(now()))
                .col_expr(refresh_token::Column::UpdatedAt, Expr::value(now()))
                .filter(refresh_token::Column::Id.eq(row.id))
                .filter(refresh_token::Column::RotatedAt.is_null())
                .filter(refresh_token::Column::RevokedAt.is_null())
                .exec(txn)
                .await?;
            if marked.rows_affected != 1 {
                return Ok(None);
            }
            store(txn, successor, user_id, family_id, ttl).await.map(Some)
        })
    })
    .await?;
    if let Some(next) = rotated {
        return Ok(next);
    }
    // Another request rotated it (or revoked the family) since it was read.
    let row = find(db, presented).await?.ok_or(RefreshError::Invalid)?;
    successor_or_revoke(db, successors, row, presented).await
}

async fn find(
    db: &impl ConnectionTrait,
    presented: &str,
) -> Result<Option<refresh_token::Model>, sea_orm::DbErr> {
    refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(db)
        .await
}

/// A rotated token presented again: its successor while within [`REUSE_GRACE`] of the
/// rotation and the family stands, else reuse, which revokes the family.
async fn successor_or_revoke(
    db: &DatabaseConnection,
    successors: &Successors,
    row: refresh_token::Model,
    presented: &str,
) -> Result<RefreshSecret, RefreshError> {
    let in_grace = row.rotated_at.is_some_and(|rotated| now() - rotated <= REUSE_GRACE);
    if in_grace && row.revoked_at.is_none() {
        let token = successors.of(presented);
        let next = find(db, &token).await?;
        if let Some(next) = next.filter(|next| next.family_id == row.family_id && next.revoked_at.is_none()) {
            tracing::info!(
                user_id = row.user_id,
                "a rotated refresh token within its grace window: same successor"
            );
            return Ok(RefreshSecret { token, family_id: next.family_id, user_id: next.user_id });
        }
    }
    if row.revoked_at.is_some() {
        return Err(RefreshError::Invalid);
    }
    tracing::warn!(user_id = row.user_id, "refresh token reuse: revoking its family");
    revoke_family(db, &row.family_id).await?;
    Err(RefreshError::Reused)
}

/// Revokes every token of a family (sign-out, reuse).
pub async fn revoke_family(db: &impl ConnectionTrait, family_id: &str) -> Result<(), sea_orm::DbErr> {
    refresh_token::Entity::update_many()
        .col_expr(refresh_token::Column::RevokedAt, Expr::value(now()))
        .col_expr(refresh_token::Column::UpdatedAt, Expr::value(now()))
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Revokes the family of `presented`, if it is one of ours (sign-out); returns the session it
/// ended: its user's id and its family's.
pub async fn revoke_family_of(
    db: &impl ConnectionTrait,
    presented: &str,
) -> Result<Option<(i64, String)>, sea_orm::DbErr> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(db)
        .await?;
    let Some(row) = row else { return Ok(None) };
    revoke_family(db, &row.family_id).await?;
    Ok(Some((row.user_id, row.family_id)))
}

/// Whether a session (refresh family) of `user_id` is still alive: not signed out, not revoked.
pub async fn family_is_active(
    db: &impl ConnectionTrait,
    user_id: i64,
    family_id: &str,
) -> Result<bool, sea_orm::DbErr> {
    let alive = refresh_token::Entity::find()
        .filter(refresh_token::Column::FamilyId.eq(family_id))
        .filter(refresh_token::Column::UserId.eq(user_id))
        .filter(refresh_token::Column::RevokedAt.is_null())
        .filter(refresh_token::Column::ExpiresAt.gt(now()))
        .count(db)
        .await?;
    Ok(alive > 0)
}
