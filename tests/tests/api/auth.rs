//! Authentication end to end: sign-in through the sandbox over HTTP, sessions, JWT checks,
//! CSRF and CORS, API tokens, account deletion, Meta's callbacks and the token refresh job.

mod api_tokens;
mod deletion;
mod housekeeping;
mod jwt;
mod key_rotation;
mod logs;
mod meta_callbacks;
mod refresh_job;
mod session;
mod sign_in;

use instacrush::entities::{identity, instagram_user, user};
use sea_orm::{ColumnTrait as _, DatabaseConnection, EntityTrait as _, QueryFilter as _};

/// The identity of the Instagram account `username`.
async fn identity_of(db: &DatabaseConnection, username: &str) -> identity::Model {
    let account = instagram_user::Entity::find()
        .filter(instagram_user::Column::Username.eq(username))
        .filter(instagram_user::Column::ScopeId.is_null())
        .one(db)
        .await
        .unwrap()
        .expect("account stored");
    identity::Entity::find()
        .filter(identity::Column::Uid.eq(account.ig_id))
        .one(db)
        .await
        .unwrap()
        .expect("identity stored")
}

/// How many users exist.
async fn user_count(db: &DatabaseConnection) -> usize {
    user::Entity::find().all(db).await.unwrap().len()
}
