//! Insights on an owner's synced data (the original's "Top users" and "Top
//! posts"): who interacts most, which recent posts draw the most comments, and
//! what one interactor wrote. Plain, paged domain values the API returns as is.

use std::collections::HashMap;

use sea_orm::{
    ColumnTrait as _, ConnectionTrait, DbErr, EntityTrait as _, FromQueryResult, QueryFilter as _, Statement,
    Value,
};
use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use super::{
    compute::NOT_THE_OWNER,
    page::{Page, PageRequest},
    rank,
};
use crate::entities::instagram_user;

/// The owner's `window` most recent posts, as a CTE named `recent` (`$1` owner, `$2` window).
const RECENT: &str = "recent AS (SELECT id FROM instagram_media WHERE owner_id = $1 \
                      ORDER BY posted_at DESC, id DESC LIMIT $2)";

/// An account that commented on the owner's recent posts, as the top list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InteractorSummary {
    /// Position in the ranking, from 1 (1 is the crush).
    #[schema(minimum = 1)]
    pub rank: u64,
    /// The id Instagram shows for the account under the owner's posts (an Instagram-scoped id),
    /// or null when Instagram gave only its username.
    #[schema(required = true)]
    pub ig_id: Option<String>,
    /// Its username.
    pub username: String,
    /// Its profile picture, when known.
    #[schema(required = true)]
    pub profile_picture_url: Option<String>,
    /// Its comments plus replies on the owner's recent posts.
    pub comments_count: i64,
    /// Distinct recent posts it commented on.
    pub posts_count: i64,
    /// Its most recent comment.
    #[serde(with = "time::serde::rfc3339")]
    pub latest_comment_at: OffsetDateTime,
}

/// One of the owner's recent posts, with how much others commented on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema, FromQueryResult)]
pub struct TopPost {
    /// The post's Instagram id.
    pub ig_id: String,
    /// `IMAGE`, `VIDEO` or `CAROUSEL_ALBUM`.
    pub media_type: String,
    /// Its caption.
    #[schema(required = true)]
    pub caption: Option<String>,
    /// Its page on Instagram.
    #[schema(required = true)]
    pub permalink: Option<String>,
    /// The image (or video) itself.
    #[schema(required = true)]
    pub media_url: Option<String>,
    /// A still image, for videos.
    #[schema(required = true)]
    pub thumbnail_url: Option<String>,
    /// When it was posted.
    #[serde(with = "time::serde::rfc3339")]
    pub posted_at: OffsetDateTime,
    /// Likes, as Instagram counts them.
    #[schema(required = true)]
    pub like_count: Option<i64>,
    /// Top-level comments by others than the owner.
    pub comments_count: i64,
    /// Replies by others than the owner.
    pub replies_count: i64,
    /// Comments plus replies by others than the owner: the ranking key.
    pub interactions_count: i64,
}

/// The post a comment was written on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CommentedPost {
    /// The post's Instagram id.
    pub ig_id: String,
    /// Its caption.
    #[schema(required = true)]
    pub caption: Option<String>,
    /// Its page on Instagram.
    #[schema(required = true)]
    pub permalink: Option<String>,
    /// A picture of it: the thumbnail for videos, else the media itself.
    #[schema(required = true)]
    pub picture_url: Option<String>,
    /// When it was posted.
    #[serde(with = "time::serde::rfc3339")]
    pub posted_at: OffsetDateTime,
}

/// One comment or reply an interactor wrote on the owner's posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InteractorComment {
    /// The comment's Instagram id.
    pub ig_comment_id: String,
    /// `comment`, or `reply` to another comment.
    pub kind: String,
    /// What it says.
    pub text: String,
    /// When it was written.
    #[serde(with = "time::serde::rfc3339")]
    pub commented_at: OffsetDateTime,
    /// The post it is on.
    pub post: CommentedPost,
}

/// An account that commented on the owner's posts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InteractorAccount {
    /// The id Instagram shows for the account under the owner's posts.
    pub ig_id: String,
    /// Its username.
    pub username: String,
    /// Its profile picture, when known.
    #[schema(required = true)]
    pub profile_picture_url: Option<String>,
}

/// One account's comments and replies on the owner's posts, a page at a time, with the account.
// Its own fields rather than a flattened `Page`, which the document would render as a second,
// inline copy of the page schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct InteractorComments {
    /// The account.
    pub interactor: InteractorAccount,
    /// This page's comments, newest first.
    pub items: Vec<InteractorComment>,
    /// Comments in all.
    pub total: u64,
    /// The page size asked for.
    #[schema(minimum = 1, maximum = 100)]
    pub limit: u64,
    /// Comments skipped before this page.
    #[schema(maximum = 9_223_372_036_854_775_807_u64)]
    pub offset: u64,
}

/// Everyone who commented on the owner's `window` most recent posts, best
/// first by the crush's own ranking (the owner never counts), a page at a time.
pub async fn top_interactors(
    db: &impl ConnectionTrait,
    owner_id: i64,
    window: u32,
    page: PageRequest,
) -> Result<Page<InteractorSummary>, DbErr> {
    let sql = format!(
        "WITH {RECENT} SELECT COUNT(DISTINCT i.author_id) AS n FROM instagram_interactions i \
         JOIN recent ON recent.id = i.media_id JOIN instagram_users u ON u.id = i.author_id \
         WHERE {NOT_THE_OWNER}"
    );
    let total = count(db, &sql, vec![owner_id.into(), i64::from(window).into()]).await?;
    let ranked = rank(db, owner_id, window, page.limit(), page.offset()).await?;
    let accounts = accounts_by_id(db, ranked.iter().map(|interactor| interactor.author_id)).await?;
    let items = ranked
        .into_iter()
        .zip(page.offset() + 1..)
        .filter_map(|(interactor, rank)| {
            let account = accounts.get(&interactor.author_id)?;
            Some(InteractorSummary {
                rank,
                ig_id: account.ig_id.clone(),
                username: account.username.clone(),
                profile_picture_url: account.profile_picture_url.clone(),
                comments_count: interactor.comments,
                posts_count: interactor.posts,
                latest_comment_at: interactor.latest,
            })
        })
        .collect();
    Ok(page.page(items, total))
}

/// The Instagram accounts with these `instagram_users` ids, by id.
async fn accounts_by_id(
    db: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = i64>,
) -> Result<HashMap<i64, instagram_user::Model>, DbErr> {
    let accounts =
        instagram_user::Entity::find().filter(instagram_user::Column::Id.is_in(ids)).all(db).await?;
    Ok(accounts.into_iter().map(|account| (account.id, account)).collect())
}

/// The owner's `window` most recent posts, most commented first (comments and
/// replies by others than the owner; ties: newer first), a page at a time.
pub async fn top_posts(
    db: &impl ConnectionTrait,
    owner_id: i64,
    window: u32,
    page: PageRequest,
) -> Result<Page<TopPost>, DbErr> {
    let window_values = || vec![owner_id.into(), i64::from(window).into()];
    let total =
        count(db, &format!("WITH {RECENT} SELECT COUNT(*) AS n FROM recent"), window_values()).await?;
    let sql = format!(
        "WITH {RECENT} \
         SELECT m.ig_id, m.media_type, m.caption, m.permalink, m.media_url, m.thumbnail_url, m.posted_at, \
                m.like_count, \
                COALESCE(SUM(CASE WHEN i.kind = 'comment' THEN 1 ELSE 0 END), 0) AS comments_count, \
                COALESCE(SUM(CASE WHEN i.kind = 'reply' THEN 1 ELSE 0 END), 0) AS replies_count, \
                COUNT(i.id) AS interactions_count \
         FROM recent JOIN instagram_media m ON m.id = recent.id \
         LEFT JOIN (instagram_interactions i JOIN instagram_users u ON u.id = i.author_id AND {NOT_THE_OWNER}) \
           ON i.media_id = m.id \
         GROUP BY m.id, m.ig_id, m.media_type, m.caption, m.permalink, m.media_url, m.thumbnail_url, \
                  m.posted_at, m.like_count \
         ORDER BY interactions_count DESC, m.posted_at DESC, m.id DESC \
         LIMIT $3 OFFSET $4"
    );
    let mut values = window_values();
    values.extend([bound(page.limit()), bound(page.offset())]);
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    let items = TopPost::find_by_statement(statement).all(db).await?;
    Ok(page.page(items, total))
}

/// A comment joined with its post, as read.
#[derive(Debug, FromQueryResult)]
struct CommentRow {
    ig_comment_id: String,
    kind: String,
    text: String,
    commented_at: OffsetDateTime,
    post_ig_id: String,
    caption: Option<String>,
    permalink: Option<String>,
    media_url: Option<String>,
    thumbnail_url: Option<String>,
    posted_at: OffsetDateTime,
}

impl From<CommentRow> for InteractorComment {
    fn from(row: CommentRow) -> Self {
        let post = CommentedPost {
            ig_id: row.post_ig_id,
            caption: row.caption,
            permalink: row.permalink,
            picture_url: row.thumbnail_url.or(row.media_url),
            posted_at: row.posted_at,
        };
        Self {
            ig_comment_id: row.ig_comment_id,
            kind: row.kind,
            text: row.text,
            commented_at: row.commented_at,
            post,
        }
    }
}

/// The comments and replies the account with Instagram id `interactor_ig_id`
/// wrote on any of the owner's posts we hold, newest first, a page at a time,
/// with the account. `None` when it wrote none (an unknown account, or the owner).
pub async fn interactor_comments(
    db: &impl ConnectionTrait,
    owner_id: i64,
    interactor_ig_id: &str,
    page: PageRequest,
) -> Result<Option<InteractorComments>, DbErr> {
    let from = format!(
        "FROM instagram_interactions i \
         JOIN instagram_media m ON m.id = i.media_id \
         JOIN instagram_users u ON u.id = i.author_id \
         WHERE m.owner_id = $1 AND u.scope_id = $1 AND u.ig_id = $2 AND {NOT_THE_OWNER}"
    );
    let values = || vec![owner_id.into(), interactor_ig_id.into()];
    let total = count(db, &format!("SELECT COUNT(*) AS n {from}"), values()).await?;
    if total == 0 {
        return Ok(None);
    }
    let account = instagram_user::Entity::find()
        .filter(instagram_user::Column::IgId.eq(interactor_ig_id))
        .filter(instagram_user::Column::ScopeId.eq(owner_id))
        .one(db)
        .await?
        .ok_or(DbErr::RecordNotFound(format!("the account {interactor_ig_id} of counted comments")))?;
    let sql = format!(
        "SELECT i.ig_comment_id, i.kind, i.text, i.commented_at, m.ig_id AS post_ig_id, m.caption, \
                m.permalink, m.media_url, m.thumbnail_url, m.posted_at {from} \
         ORDER BY i.commented_at DESC, i.id DESC LIMIT $3 OFFSET $4"
    );
    let mut all = values();
    all.extend([bound(page.limit()), bound(page.offset())]);
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, all);
    let rows = CommentRow::find_by_statement(statement).all(db).await?;
    Ok(Some(InteractorComments {
        interactor: InteractorAccount {
            ig_id: interactor_ig_id.to_owned(),
            username: account.username,
            profile_picture_url: account.profile_picture_url,
        },
        items: rows.into_iter().map(InteractorComment::from).collect(),
        total,
        limit: page.limit(),
        offset: page.offset(),
    }))
}

/// The single `n` a counting query returns.
async fn count(db: &impl ConnectionTrait, sql: &str, values: Vec<Value>) -> Result<u64, DbErr> {
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, values);
    let row = db.query_one_raw(statement).await?.ok_or(DbErr::RecordNotFound("a count".to_owned()))?;
    Ok(u64::try_from(row.try_get::<i64>("", "n")?).unwrap_or(0))
}

/// A limit or offset as a bound value (saturating: no database holds more).
fn bound(n: u64) -> Value {
    i64::try_from(n).unwrap_or(i64::MAX).into()
}
