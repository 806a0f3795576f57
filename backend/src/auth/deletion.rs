//! Deleting a user and everything we hold about them: tokens, identities, jobs, and their
//! Instagram account with its media, the interactions on it and by it, and crushes either way.
//! One transaction: it all goes, or nothing does.

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DatabaseConnection, EntityTrait as _, QueryFilter as _, Statement,
};

use crate::entities::instagram_user;

/// Statements removing the Instagram account `$1` and what hangs off it. The tables of the
/// sync have no entities in this module's reach; the SQL is the same on both backends.
const INSTAGRAM_DATA: &[&str] = &[
    "DELETE FROM instagram_interactions WHERE author_id = $1 \
     OR media_id IN (SELECT id FROM instagram_media WHERE owner_id = $1)",
    "DELETE FROM crushes WHERE owner_id = $1 OR crush_id = $1",
    "DELETE FROM instagram_media WHERE owner_id = $1",
    "DELETE FROM instagram_users WHERE id = $1",
];

/// Statements removing the app user `$1` and their rows.
const USER_DATA: &[&str] = &[
    "DELETE FROM jobs WHERE user_id = $1",
    "DELETE FROM refresh_tokens WHERE user_id = $1",
    "DELETE FROM api_tokens WHERE user_id = $1",
    "DELETE FROM identities WHERE user_id = $1",
    "DELETE FROM users WHERE id = $1",
];

/// Deletes user `user_id` and all their data; returns whether the user existed.
pub async fn delete_user(db: &DatabaseConnection, user_id: i64) -> Result<bool, sea_orm::DbErr> {
    let deleted = crate::db::transact(db, move |txn| {
        Box::pin(async move {
            let accounts = instagram_user::Entity::find()
                .filter(instagram_user::Column::UserId.eq(user_id))
                .all(txn)
                .await?;
            for account in accounts {
                run_all(txn, INSTAGRAM_DATA, account.id).await?;
            }
            run_all(txn, USER_DATA, user_id).await
        })
    })
    .await?;
    tracing::info!(user_id, "deleted a user and their data");
    Ok(deleted > 0)
}

/// Deletes the user signed in with the Instagram account Meta's callbacks name `id` (its
/// app-scoped id, or its `user_id`); returns whether there was one.
pub async fn delete_instagram_user(db: &DatabaseConnection, id: &str) -> Result<bool, sea_orm::DbErr> {
    match super::instagram_identity_by_either_id(db, id).await? {
        Some(identity) => delete_user(db, identity.user_id).await,
        None => Ok(false),
    }
}

/// Runs each statement with `id` as `$1`; returns the rows the last one deleted.
async fn run_all(db: &impl ConnectionTrait, statements: &[&str], id: i64) -> Result<u64, sea_orm::DbErr> {
    let mut last = 0;
    for sql in statements {
        let statement = Statement::from_sql_and_values(db.get_database_backend(), *sql, [id.into()]);
        last = db.execute_raw(statement).await?.rows_affected();
    }
    Ok(last)
}
