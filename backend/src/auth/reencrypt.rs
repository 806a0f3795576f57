//! `reencrypt_instagram_tokens`: after the token-encryption key was rotated (the old one moved
//! to `retired_token_encryption_keys`), seals every stored Instagram token still sealed with a
//! retired key again with the current one, so that the retired keys can then be dropped. It
//! runs daily and whenever a process starts with retired keys configured.

use sea_orm::{
    ColumnTrait as _, EntityTrait as _, QueryFilter as _, QueryOrder as _, QuerySelect as _, sea_query::Expr,
};
use serde::{Deserialize, Serialize};

use super::{Auth, AuthContext, crypto::SealedWith};
use crate::{
    db::now,
    entities::identity,
    jobs::{Job, JobContext, JobError},
};

/// Identities read at once.
const PAGE: u64 = 200;

/// Re-encrypts tokens sealed with a retired key.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ReencryptTokens {}

/// What a run did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Reencrypted {
    /// Tokens sealed again with the current key.
    pub resealed: u64,
    /// Tokens no configured key opens (they need a new sign-in, as before).
    pub unreadable: u64,
}

impl Job for ReencryptTokens {
    const KIND: &'static str = "reencrypt_instagram_tokens";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = AuthContext;

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn perform(self, ctx: JobContext<AuthContext>) -> Result<(), JobError> {
        let done = reencrypt_all(&ctx.state).await?;
        tracing::info!(
            resealed = done.resealed,
            unreadable = done.unreadable,
            "re-encrypted Instagram tokens"
        );
        Ok(())
    }
}

/// Seals again with the current key every token a retired key sealed.
pub async fn reencrypt_all(state: &AuthContext) -> Result<Reencrypted, sea_orm::DbErr> {
    let mut done = Reencrypted::default();
    if !state.auth.cipher.has_retired_keys() {
        return Ok(done);
    }
    let mut after = 0;
    loop {
        let page = identity::Entity::find()
            .filter(identity::Column::Id.gt(after))
            .filter(identity::Column::AccessTokenEncrypted.is_not_null())
            .order_by_asc(identity::Column::Id)
            .limit(PAGE)
            .all(&state.db)
            .await?;
        let Some(last) = page.last() else { return Ok(done) };
        after = last.id;
        for row in page {
            match reseal(state, &row).await? {
                Some(true) => done.resealed += 1,
                Some(false) => {}
                None => done.unreadable += 1,
            }
        }
    }
}

/// Whether `row`'s token was sealed again (`None`: no key opens it).
async fn reseal(state: &AuthContext, row: &identity::Model) -> Result<Option<bool>, sea_orm::DbErr> {
    let Some(stored) = row.access_token_encrypted.clone() else { return Ok(Some(false)) };
    let context = Auth::token_context(&row.provider, &row.uid);
    let (plain, sealed_with) = match state.auth.cipher.open(&stored, &context) {
        Ok(opened) => opened,
        Err(_) => return Ok(None),
    };
    if sealed_with == SealedWith::Current {
        return Ok(Some(false));
    }
    let Ok(resealed) = state.auth.cipher.encrypt(&plain, &context) else { return Ok(Some(false)) };
    // Only if the token is still the one read: a sign-in or a refresh meanwhile wrote a newer
    // one, sealed with the current key already.
    let updated = identity::Entity::update_many()
        .col_expr(identity::Column::AccessTokenEncrypted, Expr::value(resealed))
        .col_expr(identity::Column::UpdatedAt, Expr::value(now()))
        .filter(identity::Column::Id.eq(row.id))
        .filter(identity::Column::AccessTokenEncrypted.eq(stored))
        .exec(&state.db)
        .await?;
    Ok(Some(updated.rows_affected == 1))
}
