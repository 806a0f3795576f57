//! `prune_auth_records`: the hourly job deleting sign-in records nobody can use any more:
//! abandoned OAuth `state`s past their expiry, and refresh-token families whose every token
//! has expired (rotated tokens are kept until then: presenting one is how reuse is detected).

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, EntityTrait as _, QueryFilter as _,
    sea_query::{Expr, ExprTrait as _, Query},
};
use serde::{Deserialize, Serialize};

use super::oauth_state;
use crate::{
    db::now,
    entities::refresh_token,
    jobs::{Job, JobContext, JobError},
};

/// Deletes expired OAuth states and expired refresh-token families.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct PruneAuthRecords {}

impl Job for PruneAuthRecords {
    const KIND: &'static str = "prune_auth_records";
    const MAX_ATTEMPTS: i32 = 3;
    type Context = ();

    fn dedupe_key(&self) -> Option<String> {
        Some(Self::KIND.to_owned())
    }

    async fn perform(self, ctx: JobContext<()>) -> Result<(), JobError> {
        let states = oauth_state::prune_expired(ctx.db()).await?;
        let tokens = prune_expired_families(ctx.db()).await?;
        tracing::info!(states, tokens, "pruned expired sign-in states and refresh tokens");
        Ok(())
    }
}

/// Deletes the tokens of every family whose newest token has expired; returns how many.
pub async fn prune_expired_families(db: &impl ConnectionTrait) -> Result<u64, sea_orm::DbErr> {
    let expired = Query::select()
        .column(refresh_token::Column::FamilyId)
        .from(refresh_token::Entity)
        .group_by_col(refresh_token::Column::FamilyId)
        .and_having(Expr::col(refresh_token::Column::ExpiresAt).max().lt(now()))
        .to_owned();
    let result = refresh_token::Entity::delete_many()
        .filter(refresh_token::Column::FamilyId.in_subquery(expired))
        .exec(db)
        .await?;
    Ok(result.rows_affected)
}
