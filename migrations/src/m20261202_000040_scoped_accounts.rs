//! Commenters identified per owner: a commenter's `from.id` is an Instagram-scoped id,
//! different under each account. `instagram_users.scope_id` is the owner under whose posts a
//! commenter was seen (null for the accounts people sign in with); `ig_id` is unique per scope,
//! no longer globally, and null for a commenter known only by the `username` Instagram sent
//! without `from` (unique per scope and username then).
//!
//! SQLite cannot drop a column's UNIQUE constraint: `instagram_users` is rebuilt there (keys
//! off for the copy on the single connection, so no cascade fires), as SQLite documents.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// Commenter rows (no user, owning no posts) seen under exactly one owner are that owner's;
/// rows shared by several owners stay unscoped and the next sync of each makes its own.
const SCOPE_KNOWN_COMMENTERS: &str = "UPDATE instagram_users SET scope_id = \
       (SELECT MIN(m.owner_id) FROM instagram_interactions i JOIN instagram_media m ON m.id = i.media_id \
        WHERE i.author_id = instagram_users.id) \
     WHERE user_id IS NULL \
       AND NOT EXISTS (SELECT 1 FROM instagram_media m WHERE m.owner_id = instagram_users.id) \
       AND (SELECT COUNT(DISTINCT m.owner_id) FROM instagram_interactions i \
            JOIN instagram_media m ON m.id = i.media_id WHERE i.author_id = instagram_users.id) = 1";

const INDEXES: &[&str] = &[
    // The accounts people sign in with: one per Instagram user id.
    "CREATE UNIQUE INDEX ux_instagram_users_account ON instagram_users (ig_id) WHERE scope_id IS NULL",
    // A commenter: one per owner and Instagram-scoped id.
    "CREATE UNIQUE INDEX ux_instagram_users_scoped ON instagram_users (scope_id, ig_id)",
    // A commenter known only by username: one per owner and username.
    "CREATE UNIQUE INDEX ux_instagram_users_named ON instagram_users (scope_id, username) WHERE ig_id IS NULL",
];

const COLUMNS: &str = "id, ig_id, username, name, profile_picture_url, followers_count, follows_count, \
                       media_count, user_id, last_synced_at, created_at, updated_at";

/// `instagram_users` as it is now, under `name`.
fn accounts_table(name: &'static str) -> TableCreateStatement {
    Table::create()
        .table(name)
        .col(big_pk_auto("id"))
        .col(string_null("ig_id"))
        .col(big_integer_null("scope_id"))
        .col(string("username"))
        .col(string_null("name"))
        .col(text_null("profile_picture_url"))
        .col(big_integer_null("followers_count"))
        .col(big_integer_null("follows_count"))
        .col(big_integer_null("media_count"))
        .col(big_integer_null("user_id").unique_key())
        .col(timestamp_with_time_zone_null("last_synced_at"))
        .col(timestamp_with_time_zone("created_at"))
        .col(timestamp_with_time_zone("updated_at"))
        .foreign_key(
            ForeignKey::create()
                .name("fk_instagram_users_user_id")
                .from(name, "user_id")
                .to("users", "id")
                .on_delete(ForeignKeyAction::SetNull),
        )
        .foreign_key(
            ForeignKey::create()
                .name("fk_instagram_users_scope_id")
                .from(name, "scope_id")
                .to(name, "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

async fn rebuild_on_sqlite(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    let create = db.get_database_backend().build(&accounts_table("instagram_users_new")).to_string();
    db.execute_unprepared("PRAGMA foreign_keys = OFF").await?;
    let steps = format!(
        "BEGIN; {create}; \
         INSERT INTO instagram_users_new ({COLUMNS}) SELECT {COLUMNS} FROM instagram_users; \
         DROP TABLE instagram_users; \
         ALTER TABLE instagram_users_new RENAME TO instagram_users; \
         COMMIT;"
    );
    let copied = db.execute_unprepared(&steps).await;
    if copied.is_err() {
        db.execute_unprepared("ROLLBACK").await.ok();
    }
    db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    copied.map(|_| ())
}

async fn alter_on_postgres(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = manager.get_connection();
    for sql in [
        "ALTER TABLE instagram_users ADD COLUMN scope_id BIGINT NULL \
         CONSTRAINT fk_instagram_users_scope_id REFERENCES instagram_users (id) ON DELETE CASCADE",
        "ALTER TABLE instagram_users DROP CONSTRAINT instagram_users_ig_id_key",
        "ALTER TABLE instagram_users ALTER COLUMN ig_id DROP NOT NULL",
    ] {
        db.execute_unprepared(sql).await?;
    }
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        match manager.get_database_backend() {
            DbBackend::Sqlite => rebuild_on_sqlite(manager).await?,
            _ => alter_on_postgres(manager).await?,
        }
        let db = manager.get_connection();
        db.execute_unprepared(SCOPE_KNOWN_COMMENTERS).await?;
        for sql in INDEXES {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        // Commenters of several owners may share an Instagram-scoped id: the global unique
        // key cannot come back without losing rows.
        Err(DbErr::Migration("scoped accounts cannot be unscoped".to_owned()))
    }
}
