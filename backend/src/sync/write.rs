//! Writing what a sync read, idempotently by Instagram ids: a retried or
//! concurrent sync updates rows instead of duplicating them, and rows a sync
//! no longer saw (deleted posts and comments) are swept.

use std::collections::BTreeMap;

use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, FromQueryResult, Statement, Value};
use time::OffsetDateTime;

use super::commenters::{self, Interaction, Writer};
use crate::instagram::{Comment, Media, Profile, Reply};

/// Rows per multi-row INSERT, well under SQLite's bound-parameter limit.
pub(super) const BATCH_ROWS: usize = 200;

/// `(c1, …, cN) VALUES ($1, …, $N), ($N+1, …), …` and the values to bind, for rows
/// of exactly one value per column (the array types make a mismatch a compile error).
pub(super) fn columns_and_rows<const N: usize>(
    columns: [&str; N],
    rows: impl IntoIterator<Item = [Value; N]>,
) -> (String, Vec<Value>) {
    let mut values = Vec::new();
    let mut tuples = Vec::new();
    for row in rows {
        let cells: Vec<String> = (1..=N).map(|col| format!("${}", values.len() + col)).collect();
        tuples.push(format!("({})", cells.join(", ")));
        values.extend(row);
    }
    (format!("({}) VALUES {}", columns.join(", "), tuples.join(", ")), values)
}

/// `updated_at` is the mark of the latest sync that saw a row, and sweeps
/// delete rows older than their sync's mark. An overlapping older sync (a
/// rescued attempt still running) must not move the mark back, or the newer
/// sync's sweep would delete rows both of them saw.
fn latest_mark(table: &str) -> String {
    format!(
        "CASE WHEN excluded.updated_at > {table}.updated_at THEN excluded.updated_at ELSE {table}.updated_at END"
    )
}

fn count(n: Option<u64>) -> Value {
    n.and_then(|n| i64::try_from(n).ok()).into()
}

/// Creates or updates the owner's account from their profile; returns its id.
pub async fn upsert_owner(
    db: &impl ConnectionTrait,
    profile: &Profile,
    now: OffsetDateTime,
) -> Result<i64, DbErr> {
    let sql = "INSERT INTO instagram_users (ig_id, username, name, profile_picture_url, followers_count, \
                                            follows_count, media_count, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
               ON CONFLICT (ig_id) WHERE scope_id IS NULL DO UPDATE SET username = excluded.username, name = excluded.name, \
                 profile_picture_url = excluded.profile_picture_url, followers_count = excluded.followers_count, \
                 follows_count = excluded.follows_count, media_count = excluded.media_count, \
                 updated_at = excluded.updated_at \
               RETURNING id";
    let values = vec![
        profile.user_id.clone().into(),
        profile.username.clone().into(),
        profile.name.clone().into(),
        profile.profile_picture_url.clone().into(),
        count(profile.followers_count),
        count(profile.follows_count),
        count(profile.media_count),
        now.into(),
    ];
    let row =
        db.query_one_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    row.ok_or_else(|| DbErr::RecordNotInserted)?.try_get("", "id")
}

/// Creates or updates the owner's posts under the sync's mark `now`.
pub async fn upsert_media(
    db: &impl ConnectionTrait,
    owner_id: i64,
    media: &[Media],
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    for batch in media.chunks(BATCH_ROWS) {
        let columns = [
            "ig_id",
            "owner_id",
            "media_type",
            "caption",
            "permalink",
            "media_url",
            "thumbnail_url",
            "like_count",
            "comments_count",
            "posted_at",
            "created_at",
            "updated_at",
        ];
        let rows = batch.iter().map(|post| {
            [
                post.id.clone().into(),
                owner_id.into(),
                post.media_type.clone().unwrap_or_else(|| "IMAGE".to_owned()).into(),
                post.caption.clone().into(),
                post.permalink.clone().into(),
                post.media_url.clone().into(),
                post.thumbnail_url.clone().into(),
                count(post.like_count),
                count(post.comments_count),
                post.timestamp.unwrap_or(now).into(),
                now.into(),
                now.into(),
            ]
        });
        let (insert, values) = columns_and_rows(columns, rows);
        let sql = format!(
            "INSERT INTO instagram_media {insert} \
             ON CONFLICT (ig_id) DO UPDATE SET media_type = excluded.media_type, caption = excluded.caption, \
               permalink = excluded.permalink, media_url = excluded.media_url, \
               thumbnail_url = excluded.thumbnail_url, like_count = excluded.like_count, \
               comments_count = excluded.comments_count, posted_at = excluded.posted_at, \
               updated_at = {}",
            latest_mark("instagram_media")
        );
        let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
        db.execute_raw(statement).await?;
    }
    Ok(())
}

/// One of the posts a sync read, and whether its comments are stored already.
#[derive(Debug, Clone, FromQueryResult)]
pub struct SyncedPost {
    /// The post's row id.
    pub media_id: i64,
    /// Its Instagram id.
    pub ig_id: String,
    /// Comments and replies on it, as Instagram counted them when it was listed.
    pub comments_count: Option<i64>,
    /// The mark of the last sync that stored its comments.
    comments_synced_at: Option<OffsetDateTime>,
    /// Instagram's comment count as of the comments we hold.
    known_comments_count: Option<i64>,
    #[sea_orm(skip)]
    /// Whether the sync reading it stored its comments already.
    pub done: bool,
    #[sea_orm(skip)]
    /// Whether its comment count is the one of the comments we hold (an incremental sync
    /// need not read them).
    pub unchanged: bool,
}

/// The posts of owner `owner_id` that the sync marked `synced_at` read, newest first, each
/// saying whether that sync stored its comments already (a resumed sync skips those).
pub async fn posts_of_sync(
    db: &impl ConnectionTrait,
    owner_id: i64,
    synced_at: OffsetDateTime,
) -> Result<Vec<SyncedPost>, DbErr> {
    let sql = "SELECT id AS media_id, ig_id, comments_synced_at, comments_count, known_comments_count \
               FROM instagram_media \
               WHERE owner_id = $1 AND updated_at >= $2 ORDER BY posted_at DESC, id DESC";
    let values = [owner_id.into(), synced_at.into()];
    let mut posts =
        SyncedPost::find_by_statement(Statement::from_sql_and_values(db.get_database_backend(), sql, values))
            .all(db)
            .await?;
    for post in &mut posts {
        post.done = post.comments_synced_at.is_some_and(|at| micros(at) >= micros(synced_at));
        post.unchanged =
            post.known_comments_count.is_some() && post.known_comments_count == post.comments_count;
    }
    Ok(posts)
}

/// Marks the posts `media_ids` done for the sync `synced_at` without reading their comments
/// (their count did not move): what we hold of them stands.
pub async fn keep_comments(
    db: &impl ConnectionTrait,
    media_ids: &[i64],
    synced_at: OffsetDateTime,
) -> Result<(), DbErr> {
    for batch in media_ids.chunks(BATCH_ROWS) {
        let ids: Vec<String> = (0..batch.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "UPDATE instagram_media SET comments_synced_at = $1 WHERE id IN ({}) \
             AND (comments_synced_at IS NULL OR comments_synced_at < $1)",
            ids.join(", ")
        );
        let mut values: Vec<Value> = vec![synced_at.into()];
        values.extend(batch.iter().map(|id| Value::from(*id)));
        db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    }
    Ok(())
}

/// When the account `owner_id` was last synced in full, if ever.
pub async fn full_synced_at(
    db: &impl ConnectionTrait,
    owner_id: i64,
) -> Result<Option<OffsetDateTime>, DbErr> {
    let sql = "SELECT full_synced_at FROM instagram_users WHERE id = $1";
    let row = db
        .query_one_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [owner_id.into()]))
        .await?;
    Ok(row.map(|row| row.try_get::<Option<OffsetDateTime>>("", "full_synced_at")).transpose()?.flatten())
}

/// Deletes the owner's posts this sync did not see, from `since` on (all of
/// them when the sync read to the end of the feed): they were deleted.
pub async fn sweep_media(
    db: &impl ConnectionTrait,
    owner_id: i64,
    since: Option<OffsetDateTime>,
    synced_at: OffsetDateTime,
) -> Result<u64, DbErr> {
    let (sql, values): (&str, Vec<Value>) = match since {
        Some(since) => (
            "DELETE FROM instagram_media WHERE owner_id = $1 AND updated_at < $2 AND posted_at >= $3",
            vec![owner_id.into(), synced_at.into(), since.into()],
        ),
        None => (
            "DELETE FROM instagram_media WHERE owner_id = $1 AND updated_at < $2",
            vec![owner_id.into(), synced_at.into()],
        ),
    };
    Ok(db
        .execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values))
        .await?
        .rows_affected())
}

/// `at` in microseconds: PostgreSQL keeps that precision, so sync marks read back from the
/// database compare with the ones in memory at it.
fn micros(at: OffsetDateTime) -> i128 {
    at.unix_timestamp_nanos() / 1_000
}

/// Where a sync stands in reading one post's comments (kept with the post after each page,
/// so that a stopped sync goes on from there).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommentProgress {
    /// The cursor of the next page of comments; `None` once every page is read.
    pub after: Option<String>,
    /// Comments and replies read so far.
    pub read: i64,
    /// Of those, the ones without an author (counted, not stored).
    pub unattributed: i64,
    /// Threads whose nested replies page may have been incomplete: (comment id, cursor).
    pub replies_to_read: Vec<(String, String)>,
}

impl CommentProgress {
    /// Counts what one read brought: `stored` interactions and `unattributed` ones.
    fn count(&mut self, stored: usize, unattributed: i64) {
        self.read += i64::try_from(stored).unwrap_or(i64::MAX) + unattributed;
        self.unattributed += unattributed;
    }
}

/// How far the sync `synced_at` got with the comments of post `media_id`, if it started on
/// them.
pub async fn comment_progress(
    db: &impl ConnectionTrait,
    media_id: i64,
    synced_at: OffsetDateTime,
) -> Result<Option<CommentProgress>, DbErr> {
    let sql = "SELECT comments_after, comments_after_at, comments_read, comments_read_unattributed, replies_to_read \
               FROM instagram_media WHERE id = $1";
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [media_id.into()]);
    let Some(row) = db.query_one_raw(statement).await? else { return Ok(None) };
    let at: Option<OffsetDateTime> = row.try_get("", "comments_after_at")?;
    if at.is_none_or(|at| micros(at) != micros(synced_at)) {
        return Ok(None);
    }
    let threads: Option<String> = row.try_get("", "replies_to_read")?;
    Ok(Some(CommentProgress {
        after: row.try_get("", "comments_after")?,
        read: row.try_get("", "comments_read")?,
        unattributed: row.try_get("", "comments_read_unattributed")?,
        replies_to_read: threads.and_then(|json| serde_json::from_str(&json).ok()).unwrap_or_default(),
    }))
}

/// What follows a page of comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NextPage {
    /// The page after, from this cursor.
    After(String),
    /// None: that was the last page.
    End,
    /// A page whose link carries no cursor: a read cannot resume from there.
    Unresumable,
}

/// Stores one page of post `media_id`'s comments (with their first replies) for the sync
/// `synced_at`, and where the read stands after it (unless the next page cannot be resumed
/// from: the checkpoint then stays at the page before), together; returns that.
pub async fn store_comment_page(
    db: &DatabaseConnection,
    owner_id: i64,
    media_id: i64,
    comments: Vec<Comment>,
    synced_at: OffsetDateTime,
    before: CommentProgress,
    next: NextPage,
) -> Result<CommentProgress, DbErr> {
    crate::db::transact(db, move |txn| {
        Box::pin(async move {
            let (items, unattributed) = commenters::interactions(&comments);
            store_interactions(txn, owner_id, media_id, &items, synced_at).await?;
            let mut progress = before;
            progress.after = match &next {
                NextPage::After(after) => Some(after.clone()),
                NextPage::End | NextPage::Unresumable => None,
            };
            progress.count(items.len(), unattributed);
            progress
                .replies_to_read
                .extend(comments.iter().filter_map(|c| Some((c.id.clone(), c.replies_after.clone()?))));
            if next != NextPage::Unresumable {
                save_progress(txn, media_id, synced_at, &progress).await?;
            }
            Ok(progress)
        })
    })
    .await
}

/// Stores the replies read on in the first thread of `before.replies_to_read`, and that the
/// thread is done, together; returns where the read stands.
pub async fn store_replies(
    db: &DatabaseConnection,
    owner_id: i64,
    media_id: i64,
    replies: Vec<Reply>,
    synced_at: OffsetDateTime,
    before: CommentProgress,
) -> Result<CommentProgress, DbErr> {
    crate::db::transact(db, move |txn| {
        Box::pin(async move {
            let mut progress = before;
            if progress.replies_to_read.is_empty() {
                return Ok(progress);
            }
            let (parent, _) = progress.replies_to_read.remove(0);
            let (items, unattributed) = commenters::reply_interactions(&parent, &replies);
            store_interactions(txn, owner_id, media_id, &items, synced_at).await?;
            progress.count(items.len(), unattributed);
            save_progress(txn, media_id, synced_at, &progress).await?;
            Ok(progress)
        })
    })
    .await
}

/// Ends the sync `synced_at`'s read of post `media_id`: the interactions it did not see are
/// swept, and the post is done (a resumed sync skips it, and an incremental one until its
/// comment count moves).
pub async fn finish_comments(
    db: &DatabaseConnection,
    media_id: i64,
    synced_at: OffsetDateTime,
    unattributed: i64,
) -> Result<(), DbErr> {
    crate::db::transact(db, move |txn| {
        Box::pin(async move {
            let backend = txn.get_database_backend();
            let sweep = "DELETE FROM instagram_interactions WHERE media_id = $1 AND updated_at < $2";
            let values = [media_id.into(), synced_at.into()];
            txn.execute_raw(Statement::from_sql_and_values(backend, sweep, values)).await?;
            let done = "UPDATE instagram_media SET comments_synced_at = $2, unattributed_count = $3, \
                          known_comments_count = comments_count, comments_after = NULL, comments_after_at = NULL, \
                          comments_read = 0, comments_read_unattributed = 0, replies_to_read = NULL \
                        WHERE id = $1 AND (comments_synced_at IS NULL OR comments_synced_at < $2)";
            let values = [media_id.into(), synced_at.into(), unattributed.into()];
            txn.execute_raw(Statement::from_sql_and_values(backend, done, values)).await?;
            Ok(())
        })
    })
    .await
}

/// The writers of `items`, then `items` themselves, marked as seen by the sync `synced_at`.
async fn store_interactions(
    txn: &impl ConnectionTrait,
    owner_id: i64,
    media_id: i64,
    items: &[Interaction<'_>],
    synced_at: OffsetDateTime,
) -> Result<(), DbErr> {
    let authors = commenters::upsert(txn, owner_id, items, synced_at).await?;
    for batch in items.chunks(BATCH_ROWS) {
        upsert_interactions(txn, media_id, batch, &authors, synced_at).await?;
    }
    Ok(())
}

async fn save_progress(
    txn: &impl ConnectionTrait,
    media_id: i64,
    synced_at: OffsetDateTime,
    progress: &CommentProgress,
) -> Result<(), DbErr> {
    let threads = (!progress.replies_to_read.is_empty())
        .then(|| serde_json::to_string(&progress.replies_to_read))
        .transpose();
    let threads = threads.map_err(|err| DbErr::Custom(format!("the threads to read on: {err}")))?;
    let sql = "UPDATE instagram_media SET comments_after = $2, comments_after_at = $3, comments_read = $4, \
                 comments_read_unattributed = $5, replies_to_read = $6 WHERE id = $1";
    let values = [
        media_id.into(),
        progress.after.clone().into(),
        synced_at.into(),
        progress.read.into(),
        progress.unattributed.into(),
        threads.into(),
    ];
    txn.execute_raw(Statement::from_sql_and_values(txn.get_database_backend(), sql, values)).await?;
    Ok(())
}

/// Deletes a post Instagram no longer has (it vanished between listing and reading), with
/// its interactions.
pub async fn delete_post(db: &impl ConnectionTrait, media_id: i64) -> Result<(), DbErr> {
    let sql = "DELETE FROM instagram_media WHERE id = $1";
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, [media_id.into()])).await?;
    Ok(())
}

async fn upsert_interactions(
    db: &impl ConnectionTrait,
    media_id: i64,
    batch: &[Interaction<'_>],
    authors: &BTreeMap<Writer<'_>, i64>,
    now: OffsetDateTime,
) -> Result<(), DbErr> {
    let rows: Vec<_> = batch.iter().filter_map(|item| Some((item, *authors.get(&item.writer)?))).collect();
    if rows.is_empty() {
        return Ok(());
    }
    let columns = [
        "ig_comment_id",
        "media_id",
        "author_id",
        "parent_ig_comment_id",
        "kind",
        "text",
        "commented_at",
        "created_at",
        "updated_at",
    ];
    let rows = rows.iter().map(|(item, author_id)| {
        [
            item.ig_id.into(),
            media_id.into(),
            (*author_id).into(),
            item.parent.map(str::to_owned).into(),
            if item.parent.is_some() { "reply" } else { "comment" }.into(),
            item.text.into(),
            item.at.unwrap_or(now).into(),
            now.into(),
            now.into(),
        ]
    });
    let (insert, values) = columns_and_rows(columns, rows);
    let sql = format!(
        "INSERT INTO instagram_interactions {insert} \
         ON CONFLICT (ig_comment_id) DO UPDATE SET media_id = excluded.media_id, author_id = excluded.author_id, \
           parent_ig_comment_id = excluded.parent_ig_comment_id, kind = excluded.kind, text = excluded.text, \
           commented_at = excluded.commented_at, updated_at = {}",
        latest_mark("instagram_interactions")
    );
    db.execute_raw(Statement::from_sql_and_values(db.get_database_backend(), sql, values)).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_follow_the_columns() {
        let rows = [[Value::from(1), Value::from("a")], [Value::from(2), Value::from("b")]];
        let (clause, values) = columns_and_rows(["id", "name"], rows);
        assert_eq!(clause, "(id, name) VALUES ($1, $2), ($3, $4)");
        assert_eq!(values, [Value::from(1), Value::from("a"), Value::from(2), Value::from("b")]);
    }
}
