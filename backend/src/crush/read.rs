//! Reading crushes: a user's current crush and public pages by slug, with both
//! accounts' public details in one query.

use sea_orm::{ConnectionTrait, DbErr, FromQueryResult, Statement, Value};
use time::OffsetDateTime;

use super::Slug;

/// A crush with what its page shows of both accounts.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct CrushView {
    /// The public slug.
    pub slug: String,
    /// The owner's username.
    pub owner_username: String,
    /// The owner's picture.
    pub owner_picture: Option<String>,
    /// The crush's username.
    pub crush_username: String,
    /// The crush's picture.
    pub crush_picture: Option<String>,
    /// Comments and replies by the crush on the owner's recent posts.
    pub comments_count: i64,
    /// Distinct posts they commented on.
    pub posts_count: i64,
    /// When it was computed.
    pub computed_at: OffsetDateTime,
    /// Whether it is still the owner's crush.
    pub is_current: bool,
}

const SELECT: &str = "SELECT c.slug AS slug, o.username AS owner_username, o.profile_picture_url AS owner_picture, \
                             u.username AS crush_username, u.profile_picture_url AS crush_picture, \
                             c.comments_count AS comments_count, c.posts_count AS posts_count, \
                             c.computed_at AS computed_at, c.is_current AS is_current \
                      FROM crushes c \
                      JOIN instagram_users o ON o.id = c.owner_id \
                      JOIN instagram_users u ON u.id = c.crush_id";

async fn one(db: &impl ConnectionTrait, filter: &str, value: Value) -> Result<Option<CrushView>, DbErr> {
    let sql = format!("{SELECT} WHERE {filter}");
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [value]);
    CrushView::find_by_statement(statement).one(db).await
}

/// The public crush page named `slug`.
pub async fn by_slug(db: &impl ConnectionTrait, slug: &Slug) -> Result<Option<CrushView>, DbErr> {
    one(db, "c.slug = $1", slug.as_str().into()).await
}

/// The current crush of the Instagram account `owner_id`.
pub async fn current(db: &impl ConnectionTrait, owner_id: i64) -> Result<Option<CrushView>, DbErr> {
    one(db, "c.owner_id = $1 AND c.is_current", owner_id.into()).await
}

/// A user's Instagram account: its id, when it was last synced and when its user was last seen.
#[derive(Debug, Clone, PartialEq, Eq, FromQueryResult)]
pub struct OwnerAccount {
    /// `instagram_users.id`.
    pub id: i64,
    /// The username.
    pub username: String,
    /// The last successful sync.
    pub last_synced_at: Option<OffsetDateTime>,
    /// When its user was last marked seen (`users.last_seen_at`).
    pub last_seen_at: Option<OffsetDateTime>,
    /// Comments on its recent posts Instagram returned with no author, as of the last sync.
    pub unattributed_comments: i64,
    /// When a comment webhook for it last reached the app.
    pub last_event_at: Option<OffsetDateTime>,
}

const OWNER_COLUMNS: &str = "o.id AS id, o.username AS username, o.last_synced_at AS last_synced_at, \
                             us.last_seen_at AS last_seen_at, o.unattributed_comments AS unattributed_comments, \
                             o.last_event_at AS last_event_at";

/// The Instagram account linked to user `user_id`.
pub async fn owner_account(db: &impl ConnectionTrait, user_id: i64) -> Result<Option<OwnerAccount>, DbErr> {
    let sql = format!(
        "SELECT {OWNER_COLUMNS} FROM instagram_users o JOIN users us ON us.id = o.user_id WHERE o.user_id = $1"
    );
    let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [user_id.into()]);
    OwnerAccount::find_by_statement(statement).one(db).await
}

/// An account and its current crush, if any, as one row (the crush's columns
/// are null when there is none).
#[derive(Debug, FromQueryResult)]
struct AccountWithCrush {
    id: i64,
    username: String,
    last_synced_at: Option<OffsetDateTime>,
    last_seen_at: Option<OffsetDateTime>,
    unattributed_comments: i64,
    last_event_at: Option<OffsetDateTime>,
    slug: Option<String>,
    owner_picture: Option<String>,
    crush_username: Option<String>,
    crush_picture: Option<String>,
    comments_count: Option<i64>,
    posts_count: Option<i64>,
    computed_at: Option<OffsetDateTime>,
}

impl AccountWithCrush {
    /// The crush, when the row has one.
    fn into_crush(self) -> Option<CrushView> {
        Some(CrushView {
            slug: self.slug?,
            owner_username: self.username,
            owner_picture: self.owner_picture,
            crush_username: self.crush_username?,
            crush_picture: self.crush_picture,
            comments_count: self.comments_count?,
            posts_count: self.posts_count?,
            computed_at: self.computed_at?,
            is_current: true,
        })
    }
}

impl OwnerAccount {
    /// The Instagram account linked to user `user_id` and its current crush,
    /// in one query: what `GET /api/crush` reads on every call.
    pub async fn with_current_crush(
        db: &impl ConnectionTrait,
        user_id: i64,
    ) -> Result<Option<(Self, Option<CrushView>)>, DbErr> {
        let sql = format!(
            "SELECT {OWNER_COLUMNS}, c.slug AS slug, o.profile_picture_url AS owner_picture, \
                    u.username AS crush_username, u.profile_picture_url AS crush_picture, \
                    c.comments_count AS comments_count, c.posts_count AS posts_count, \
                    c.computed_at AS computed_at \
             FROM instagram_users o \
             JOIN users us ON us.id = o.user_id \
             LEFT JOIN crushes c ON c.owner_id = o.id AND c.is_current \
             LEFT JOIN instagram_users u ON u.id = c.crush_id \
             WHERE o.user_id = $1"
        );
        let statement = Statement::from_sql_and_values(db.get_database_backend(), sql, [user_id.into()]);
        let Some(row) = AccountWithCrush::find_by_statement(statement).one(db).await? else {
            return Ok(None);
        };
        let account = Self {
            id: row.id,
            username: row.username.clone(),
            last_synced_at: row.last_synced_at,
            last_seen_at: row.last_seen_at,
            unattributed_comments: row.unattributed_comments,
            last_event_at: row.last_event_at,
        };
        Ok(Some((account, row.into_crush())))
    }
}
