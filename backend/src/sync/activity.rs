//! When a user was last active: background resyncs go to recently active users
//! only, so the authenticated API marks users as seen.

use std::time::Duration;

use sea_orm::{ConnectionTrait, DbErr, Statement};

use crate::db::now;

/// How precisely `last_seen_at` is kept: a user is marked seen at most once per
/// this long, so busy users do not turn every request into a write.
pub const SEEN_RESOLUTION: Duration = Duration::from_secs(3600);

/// Marks user `user_id` as seen now, unless they were marked within the last
/// [`SEEN_RESOLUTION`]; returns whether it wrote.
pub async fn touch_last_seen(db: &impl ConnectionTrait, user_id: i64) -> Result<bool, DbErr> {
    let at = now();
    // The condition lives in the UPDATE: concurrent requests cannot both write.
    let sql = "UPDATE users SET last_seen_at = $2 \
               WHERE id = $1 AND (last_seen_at IS NULL OR last_seen_at < $3)";
    let values = [user_id.into(), at.into(), (at - SEEN_RESOLUTION).into()];
    let result =
        db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    Ok(result.rows_affected() == 1)
}
