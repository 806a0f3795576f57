//! The OAuth `state`: random, single-use, short-lived and bound to the browser that started the
//! sign-in (the same value sits in an httpOnly cookie). Only its hash is stored.

use std::time::Duration;

use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _, Set,
};

use super::{
    ReturnTo,
    crypto::{constant_time_eq, random_token, token_hash},
};
use crate::{db::now, entities::oauth_state};

/// How long a sign-in may take from the redirect to the callback.
pub const STATE_TTL: Duration = Duration::from_secs(10 * 60);

/// Why a callback's `state` was refused.
#[derive(Debug, thiserror::Error)]
pub enum StateError {
    /// Missing, not the browser's, unknown, expired or already used.
    #[error("the sign-in state is missing, expired, already used or not this browser's")]
    Invalid,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
}

/// Stores a new state for a sign-in that will return to `return_to`; returns the state.
pub async fn begin(db: &impl ConnectionTrait, return_to: &ReturnTo) -> Result<String, sea_orm::DbErr> {
    let state = random_token(32);
    let at = now();
    oauth_state::ActiveModel {
        state_hash: Set(token_hash(&state)),
        return_to: Set(return_to.as_str().to_owned()),
        expires_at: Set(at + STATE_TTL),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(state)
}

/// Checks the callback's `state` against the browser's cookie (constant time) and consumes it:
/// the row is deleted, so a second use fails even under concurrent callbacks.
pub async fn consume(
    db: &impl ConnectionTrait,
    from_query: Option<&str>,
    from_cookie: Option<&str>,
) -> Result<ReturnTo, StateError> {
    let (Some(query), Some(cookie)) = (from_query, from_cookie) else {
        return Err(StateError::Invalid);
    };
    if query.is_empty() || !constant_time_eq(query, cookie) {
        return Err(StateError::Invalid);
    }
    let row = oauth_state::Entity::find()
        .filter(oauth_state::Column::StateHash.eq(token_hash(query)))
        .one(db)
        .await?
        .ok_or(StateError::Invalid)?;
    let deleted = oauth_state::Entity::delete_by_id(row.id).exec(db).await?;
    if deleted.rows_affected != 1 || row.expires_at < now() {
        return Err(StateError::Invalid);
    }
    ReturnTo::parse(&row.return_to).map_err(|_| StateError::Invalid)
}

/// Deletes states whose sign-in was abandoned.
pub async fn prune_expired(db: &impl ConnectionTrait) -> Result<u64, sea_orm::DbErr> {
    let result =
        oauth_state::Entity::delete_many().filter(oauth_state::Column::ExpiresAt.lt(now())).exec(db).await?;
    Ok(result.rows_affected)
}
