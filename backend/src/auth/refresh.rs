//! Opaque refresh tokens: stored hashed, rotated on every use, grouped in families. Presenting
//! a token that was already rotated means it was stolen (or replayed): the whole family is
//! revoked, which signs out both the thief and the victim (RFC 9700 §4.14.2).

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _,
    PaginatorTrait as _, QueryFilter as _, Set, sea_query::Expr,
};

use super::crypto::{random_token, token_hash};
use crate::{db::now, entities::refresh_token};

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

/// Issues a refresh token in `family_id` (a new family when `None`).
pub async fn issue(
    db: &impl ConnectionTrait,
    user_id: i64,
    family_id: Option<String>,
    ttl: Duration,
) -> Result<RefreshSecret, sea_orm::DbErr> {
    let token = random_token(32);
    let family_id = family_id.unwrap_or_else(|| random_token(16));
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
/// is a conditional update, so of two concurrent uses exactly one wins and the other counts as
/// reuse.
pub async fn rotate(
    db: &DatabaseConnection,
    presented: &str,
    ttl: Duration,
) -> Result<RefreshSecret, RefreshError> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(db)
        .await?
        .ok_or(RefreshError::Invalid)?;
    if row.revoked_at.is_some() || row.expires_at < now() {
        return Err(RefreshError::Invalid);
    }
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
            issue(txn, row.user_id, Some(row.family_id), ttl).await.map(Some)
        })
    })
    .await?;
    match rotated {
        Some(next) => Ok(next),
        None => {
            tracing::warn!(user_id, "refresh token reuse: revoking its family");
            revoke_family(db, &family_id).await?;
            Err(RefreshError::Reused)
        }
    }
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

/// Revokes the family of `presented`, if it is one of ours (sign-out).
pub async fn revoke_family_of(db: &impl ConnectionTrait, presented: &str) -> Result<(), sea_orm::DbErr> {
    let row = refresh_token::Entity::find()
        .filter(refresh_token::Column::TokenHash.eq(token_hash(presented)))
        .one(db)
        .await?;
    match row {
        Some(row) => revoke_family(db, &row.family_id).await,
        None => Ok(()),
    }
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
