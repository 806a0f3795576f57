//! Creating or linking the app user behind an Instagram sign-in: the user, the identity (with
//! the token encrypted) and the Instagram account, all keyed by Instagram's id, in one
//! transaction.

use sea_orm::{
    ActiveModelTrait as _, ActiveValue::NotSet, ColumnTrait as _, ConnectionTrait, DatabaseConnection,
    EntityTrait as _, QueryFilter as _, Set,
};
use time::OffsetDateTime;

use super::{Auth, INSTAGRAM, SubscribeWebhooks};
use crate::{
    db::now,
    entities::{identity, instagram_user, user},
    instagram::{LongLivedToken, Profile},
    jobs::{self, NewJob},
};

/// Finds or creates the user signing in as `profile` and stores the token; returns the user id.
pub async fn link_instagram_account(
    db: &DatabaseConnection,
    auth: &Auth,
    profile: &Profile,
    token: &LongLivedToken,
    scopes: &[String],
) -> anyhow::Result<i64> {
    let at = now();
    let mut row = identity_row(auth, profile, token, scopes, at)?;
    let profile = profile.clone();
    let user_id = crate::db::transact(db, move |txn| {
        Box::pin(async move {
            let existing = super::instagram_identity_by_uid(txn, &profile.user_id).await?;
            let user_id = match &existing {
                Some(identity) => identity.user_id,
                None => create_user(txn, at).await?,
            };
            row.user_id = Set(user_id);
            match existing {
                Some(identity) => {
                    row.id = Set(identity.id);
                    row.update(txn).await?;
                }
                None => {
                    row.created_at = Set(at);
                    row.insert(txn).await?;
                }
            }
            upsert_instagram_user(txn, &profile, user_id, at).await?;
            // Comments should then reach us by webhook instead of by reading Instagram.
            jobs::enqueue(txn, NewJob::of(&SubscribeWebhooks { user_id })).await?;
            Ok::<_, sea_orm::DbErr>(user_id)
        })
    })
    .await?;
    Ok(user_id)
}

/// The identity's new values: the token encrypted and bound to the identity, its expiry, the
/// granted scopes, and any earlier "sign in again" flag cleared.
fn identity_row(
    auth: &Auth,
    profile: &Profile,
    token: &LongLivedToken,
    scopes: &[String],
    at: OffsetDateTime,
) -> anyhow::Result<identity::ActiveModel> {
    let uid = profile.user_id.as_str();
    let encrypted = auth.cipher.encrypt(token.token.expose(), &Auth::token_context(INSTAGRAM, uid))?;
    let expires_at = at + time::Duration::try_from(token.expires_in).unwrap_or(time::Duration::ZERO);
    Ok(identity::ActiveModel {
        provider: Set(INSTAGRAM.to_owned()),
        uid: Set(uid.to_owned()),
        app_scoped_uid: Set(Some(profile.id.clone())),
        access_token_encrypted: Set(Some(encrypted)),
        access_token_expires_at: Set(Some(expires_at)),
        access_token_refreshed_at: Set(Some(at)),
        scopes: Set(scopes.join(",")),
        reauth_required_at: Set(None),
        updated_at: Set(at),
        ..Default::default()
    })
}

async fn create_user(db: &impl ConnectionTrait, at: OffsetDateTime) -> Result<i64, sea_orm::DbErr> {
    let row = user::ActiveModel { created_at: Set(at), updated_at: Set(at), ..Default::default() }
        .insert(db)
        .await?;
    Ok(row.id)
}

/// The account may already exist (synced before, its user deleted since): link it by its id.
/// Commenter rows are never linked: Instagram shows commenters under ids scoped to the account
/// commented on, which say nothing about who signs in.
async fn upsert_instagram_user(
    db: &impl ConnectionTrait,
    profile: &Profile,
    user_id: i64,
    at: OffsetDateTime,
) -> Result<(), sea_orm::DbErr> {
    let existing = instagram_user::Entity::find()
        .filter(instagram_user::Column::IgId.eq(&profile.user_id))
        .filter(instagram_user::Column::ScopeId.is_null())
        .one(db)
        .await?;
    let count = |value: Option<u64>| value.and_then(|n| i64::try_from(n).ok());
    let mut row = instagram_user::ActiveModel {
        id: existing.as_ref().map_or(NotSet, |row| Set(row.id)),
        ig_id: Set(Some(profile.user_id.clone())),
        username: Set(profile.username.clone()),
        name: Set(profile.name.clone()),
        profile_picture_url: Set(profile.profile_picture_url.clone()),
        followers_count: Set(count(profile.followers_count)),
        follows_count: Set(count(profile.follows_count)),
        media_count: Set(count(profile.media_count)),
        user_id: Set(Some(user_id)),
        updated_at: Set(at),
        ..Default::default()
    };
    if existing.is_some() {
        row.update(db).await?;
    } else {
        row.created_at = Set(at);
        row.insert(db).await?;
    }
    Ok(())
}
