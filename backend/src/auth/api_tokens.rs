//! Named API tokens for third-party clients. A token is shown once at creation and stored
//! hashed; a client exchanges it at the token endpoint for a short-lived access JWT, which
//! stops working as soon as the API token is revoked.

use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait, EntityTrait as _, PaginatorTrait as _,
    QueryFilter as _, QueryOrder as _, Set, sea_query::Expr,
};

use super::{
    AccessClaims, Auth, TokenUse,
    crypto::{random_token, token_hash},
};
use crate::{db::now, entities::api_token};

/// What every API token starts with, so secret scanners can recognise leaked ones.
pub const TOKEN_PREFIX: &str = "icat_";
/// Characters of the token kept in clear to tell tokens apart in lists.
const SHOWN_PREFIX_LEN: usize = TOKEN_PREFIX.len() + 6;
/// Longest token name.
pub const MAX_NAME_LEN: usize = 100;

/// A freshly created token: the only time its secret exists outside the client.
pub struct CreatedToken {
    /// The stored row (no secret in it).
    pub row: api_token::Model,
    /// The token itself.
    pub token: String,
}

/// Why an API token operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ApiTokenError {
    /// The name is empty, too long, only whitespace, or holds a control character.
    #[error("a token name must be 1 to 100 characters, not only spaces, with no control characters")]
    BadName,
    /// Unknown or revoked token.
    #[error("the API token is not valid")]
    Invalid,
    /// No such token of this user.
    #[error("no such API token")]
    NotFound,
    /// The database failed.
    #[error(transparent)]
    Db(#[from] sea_orm::DbErr),
    /// Signing failed.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// A token name as given, trimmed, when it is one: 1 to [`MAX_NAME_LEN`] characters, not only
/// whitespace, no control characters (a label to show, and one every database can store).
pub fn token_name(name: &str) -> Result<&str, ApiTokenError> {
    let length = name.chars().count();
    let ok = (1..=MAX_NAME_LEN).contains(&length)
        && !name.trim().is_empty()
        && !name.chars().any(char::is_control);
    if ok { Ok(name.trim()) } else { Err(ApiTokenError::BadName) }
}

/// Creates a named token for `user_id`.
pub async fn create(
    db: &impl ConnectionTrait,
    user_id: i64,
    name: &str,
) -> Result<CreatedToken, ApiTokenError> {
    let name = token_name(name)?;
    let token = format!("{TOKEN_PREFIX}{}", random_token(32));
    let at = now();
    let row = api_token::ActiveModel {
        user_id: Set(user_id),
        name: Set(name.to_owned()),
        prefix: Set(token[..SHOWN_PREFIX_LEN].to_owned()),
        token_hash: Set(token_hash(&token)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    }
    .insert(db)
    .await?;
    Ok(CreatedToken { row, token })
}

/// The user's tokens that are not revoked, newest first.
pub async fn list(db: &impl ConnectionTrait, user_id: i64) -> Result<Vec<api_token::Model>, sea_orm::DbErr> {
    api_token::Entity::find()
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .order_by_desc(api_token::Column::Id)
        .all(db)
        .await
}

/// Revokes one of the user's tokens (one revoked already stays so); someone else's token is
/// "not found".
pub async fn revoke(db: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<(), ApiTokenError> {
    let result = api_token::Entity::update_many()
        .col_expr(api_token::Column::RevokedAt, Expr::value(now()))
        .col_expr(api_token::Column::UpdatedAt, Expr::value(now()))
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .exec(db)
        .await?;
    if result.rows_affected == 1 {
        return Ok(());
    }
    // Revoked already: it stays so, and a revocation retried after a lost answer is no error.
    let mine = api_token::Entity::find()
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.eq(user_id))
        .one(db)
        .await?;
    if mine.is_some() { Ok(()) } else { Err(ApiTokenError::NotFound) }
}

/// Exchanges an API token for a short-lived access JWT (and notes when it was last used).
pub async fn exchange(
    db: &impl ConnectionTrait,
    auth: &Auth,
    presented: &str,
) -> Result<String, ApiTokenError> {
    let row = api_token::Entity::find()
        .filter(api_token::Column::TokenHash.eq(token_hash(presented.trim())))
        .filter(api_token::Column::RevokedAt.is_null())
        .one(db)
        .await?
        .ok_or(ApiTokenError::Invalid)?;
    api_token::Entity::update_many()
        .col_expr(api_token::Column::LastUsedAt, Expr::value(now()))
        .filter(api_token::Column::Id.eq(row.id))
        .exec(db)
        .await?;
    let claims =
        AccessClaims { tid: Some(row.id), ..AccessClaims::new(row.user_id, TokenUse::Api, auth.access_ttl) };
    Ok(auth.keyring.sign(&claims)?)
}

/// Whether API token `id` of `user_id` still stands (checked on every Bearer request).
pub async fn is_active(db: &impl ConnectionTrait, user_id: i64, id: i64) -> Result<bool, sea_orm::DbErr> {
    let count = api_token::Entity::find()
        .filter(api_token::Column::Id.eq(id))
        .filter(api_token::Column::UserId.eq(user_id))
        .filter(api_token::Column::RevokedAt.is_null())
        .count(db)
        .await?;
    Ok(count > 0)
}
