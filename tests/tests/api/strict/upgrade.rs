//! Upgrading a database synced before commenters were scoped: the accounts keep their rows and
//! foreign keys (SQLite rebuilds the table), a commenter seen under one owner becomes that
//! owner's, and one seen under several owners stays unscoped until their next syncs.

use instacrush::db::{self, DatabaseConfig};
use instacrush_tests::{Backend, TestDatabase, on_both_backends};
use migration::{Migrator, MigratorTrait as _};
use sea_orm::{ConnectionTrait as _, DatabaseConnection, Statement};

on_both_backends!(commenters_seen_under_one_owner_become_its_own);

/// The migrations before commenters were scoped.
const BEFORE_SCOPES: u32 = 5;

async fn exec(db: &DatabaseConnection, sql: &str) {
    db.execute_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
}

async fn number(db: &DatabaseConnection, sql: &str) -> Option<i64> {
    let row = db.query_one_raw(Statement::from_string(db.get_database_backend(), sql)).await.unwrap();
    row.unwrap().try_get_by_index::<Option<i64>>(0).unwrap()
}

async fn commenters_seen_under_one_owner_become_its_own(backend: Backend) {
    let database = TestDatabase::create(backend).await;
    let db = db::connect(&DatabaseConfig::new(database.url.clone())).await.unwrap();
    Migrator::up(&db, Some(BEFORE_SCOPES)).await.unwrap();
    let at = "'2026-11-30T10:00:00.000000Z'";
    exec(
        &db,
        &format!(
            "INSERT INTO instagram_users (id, ig_id, username, created_at, updated_at) VALUES \
         (1, '100', 'ada', {at}, {at}), (2, '200', 'ben', {at}, {at}), \
         (3, '300', 'only.ada', {at}, {at}), (4, '400', 'both', {at}, {at})"
        ),
    )
    .await;
    exec(&db, &format!(
        "INSERT INTO instagram_media (id, ig_id, owner_id, media_type, posted_at, created_at, updated_at) VALUES \
         (1, 'm1', 1, 'IMAGE', {at}, {at}, {at}), (2, 'm2', 2, 'IMAGE', {at}, {at}, {at})"
    ))
    .await;
    exec(&db, &format!(
        "INSERT INTO instagram_interactions (ig_comment_id, media_id, author_id, kind, text, commented_at, created_at, updated_at) \
         VALUES ('c1', 1, 3, 'comment', 'hi', {at}, {at}, {at}), ('c2', 1, 4, 'comment', 'hi', {at}, {at}, {at}), \
                ('c3', 2, 4, 'comment', 'hi', {at}, {at}, {at})"
    ))
    .await;

    Migrator::up(&db, None).await.unwrap();

    let scope = |id: i64| format!("SELECT scope_id FROM instagram_users WHERE id = {id}");
    assert_eq!(number(&db, &scope(1)).await, None, "an owner stays unscoped");
    assert_eq!(number(&db, &scope(3)).await, Some(1), "seen under ada only: ada's");
    assert_eq!(number(&db, &scope(4)).await, None, "seen under two owners: left for their syncs");
    assert_eq!(number(&db, "SELECT COUNT(*) FROM instagram_interactions").await, Some(3), "nothing lost");
    // The foreign keys still point at the (rebuilt) table: deleting ada takes her posts, their
    // comments and her commenters.
    exec(&db, "DELETE FROM instagram_users WHERE id = 1").await;
    assert_eq!(number(&db, "SELECT COUNT(*) FROM instagram_media").await, Some(1));
    assert_eq!(number(&db, "SELECT COUNT(*) FROM instagram_users WHERE id = 3").await, Some(0));
    assert_eq!(number(&db, "SELECT COUNT(*) FROM instagram_interactions").await, Some(1));
}
