//! Ranking who interacts most with an owner's recent posts, and recording the
//! winner as the owner's current crush.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement};
use time::OffsetDateTime;

use super::Slug;

/// One account's interactions with an owner's recent posts.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct Interactor {
    /// The account's `instagram_users.id`.
    pub author_id: i64,
    /// Comments plus replies.
    pub comments: i64,
    /// Distinct posts commented on.
    pub posts: i64,
    /// The most recent comment.
    pub latest: OffsetDateTime,
}

/// What keeps the owner out of their own ranking, for a query with the owner's id as `$1` and
/// the author's row as `u`: Instagram may show the owner's own replies under an id that is not
/// theirs (a scoped one), but with their username.
pub(crate) const NOT_THE_OWNER: &str = "u.id <> $1 AND LOWER(u.username) <> \
     (SELECT LOWER(o.username) FROM instagram_users o WHERE o.id = $1)";

/// Every account that commented on the owner's `window` most recent posts,
/// best first: most comments and replies, then more distinct posts, then the
/// most recent comment, then the smaller Instagram id (a commenter known only
/// by username last). The owner, by id or by username, never counts.
pub async fn rank(
    db: &impl ConnectionTrait,
    owner_id: i64,
    window: u32,
    limit: u64,
    offset: u64,
) -> Result<Vec<Interactor>, DbErr> {
    // Instagram ids are decimal strings: shorter is smaller.
    let sql = format!(
        "WITH recent AS (SELECT id FROM instagram_media WHERE owner_id = $1 \
                         ORDER BY posted_at DESC, id DESC LIMIT $2) \
         SELECT i.author_id AS author_id, COUNT(*) AS comments, COUNT(DISTINCT i.media_id) AS posts, \
                MAX(i.commented_at) AS latest \
         FROM instagram_interactions i \
         JOIN recent ON recent.id = i.media_id \
         JOIN instagram_users u ON u.id = i.author_id \
         WHERE {NOT_THE_OWNER} \
         GROUP BY i.author_id, u.ig_id, u.username \
         ORDER BY comments DESC, posts DESC, latest DESC, u.ig_id IS NULL ASC, LENGTH(u.ig_id) ASC, \
                  u.ig_id ASC, u.username ASC \
         LIMIT $3 OFFSET $4"
    );
    let values = [owner_id.into(), i64::from(window).into(), limit_value(limit), limit_value(offset)];
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    Interactor::find_by_statement(statement).all(db).await
}

fn limit_value(n: u64) -> sea_orm::Value {
    i64::try_from(n).unwrap_or(i64::MAX).into()
}

/// The owner's crush after a sync: recorded as current (a new pair gets a new
/// random slug, a known pair keeps its own), or none when nobody commented.
/// Run it in the sync's final transaction.
pub async fn record_crush(
    txn: &impl ConnectionTrait,
    owner_id: i64,
    window: u32,
    now: OffsetDateTime,
) -> Result<Option<Interactor>, DbErr> {
    let winner = rank(txn, owner_id, window, 1, 0).await?.into_iter().next();
    let backend = txn.get_database_backend();
    let unset = "UPDATE crushes SET is_current = FALSE, updated_at = $2 WHERE owner_id = $1 AND is_current";
    txn.execute_raw(Statement::from_sql_and_values(backend, unset, [owner_id.into(), now.into()])).await?;
    if let Some(winner) = &winner {
        let upsert = "INSERT INTO crushes (owner_id, crush_id, slug, comments_count, posts_count, computed_at, \
                                           is_current, created_at, updated_at) \
                      VALUES ($1, $2, $3, $4, $5, $6, TRUE, $6, $6) \
                      ON CONFLICT (owner_id, crush_id) DO UPDATE SET comments_count = excluded.comments_count, \
                        posts_count = excluded.posts_count, computed_at = excluded.computed_at, \
                        is_current = TRUE, updated_at = excluded.updated_at";
        let values = [
            owner_id.into(),
            winner.author_id.into(),
            Slug::random().as_str().into(),
            winner.comments.into(),
            winner.posts.into(),
            now.into(),
        ];
        txn.execute_raw(Statement::from_sql_and_values(backend, upsert, values)).await?;
    }
    Ok(winner)
}
