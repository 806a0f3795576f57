//! The migrations create the keys every idempotent write relies on.

use instacrush_tests::{Backend, TestApp, on_both_backends};
use sea_orm::{
    ConnectionTrait, DbErr, ExprTrait, SqlErr,
    sea_query::{Expr, Query, SimpleExpr},
};

on_both_backends!(natural_keys_are_unique, one_active_job_per_dedupe_key, deleting_a_user_cascades,);

fn now() -> SimpleExpr {
    time::OffsetDateTime::now_utc().into()
}

async fn insert(
    app: &TestApp,
    table: &'static str,
    columns: &[&'static str],
    values: Vec<SimpleExpr>,
) -> Result<(), DbErr> {
    let mut columns = columns.to_vec();
    let mut values = values;
    columns.extend(["created_at", "updated_at"]);
    values.extend([now(), now()]);
    let statement = Query::insert().into_table(table).columns(columns).values_panic(values).to_owned();
    app.db.execute(&statement).await.map(drop)
}

fn is_unique_violation(result: Result<(), DbErr>) -> bool {
    matches!(result.err().and_then(|err| err.sql_err()), Some(SqlErr::UniqueConstraintViolation(_)))
}

async fn instagram_user(app: &TestApp, ig_id: &str) -> Result<(), DbErr> {
    insert(app, "instagram_users", &["ig_id", "username"], vec![ig_id.into(), "someone".into()]).await
}

async fn natural_keys_are_unique(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    // Ids are looked up, not assumed: PostgreSQL spends sequence values on failed inserts.
    instagram_user(&app, "17841400000000001").await.unwrap();
    instagram_user(&app, "17841400000000002").await.unwrap();
    instagram_user(&app, "17841400000000003").await.unwrap();
    assert!(is_unique_violation(instagram_user(&app, "17841400000000001").await));
    let (owner, author, other) = (
        id_of(&app, "instagram_users", "ig_id", "17841400000000001").await,
        id_of(&app, "instagram_users", "ig_id", "17841400000000002").await,
        id_of(&app, "instagram_users", "ig_id", "17841400000000003").await,
    );

    insert(&app, "users", &[], vec![]).await.unwrap();
    let user = count(&app, "users").await;
    let identity = |uid: &'static str| {
        insert(
            &app,
            "identities",
            &["user_id", "provider", "uid"],
            vec![user.into(), "instagram".into(), uid.into()],
        )
    };
    identity("17841400000000001").await.unwrap();
    assert!(is_unique_violation(identity("17841400000000001").await));

    let media = |ig_id: &'static str| {
        insert(
            &app,
            "instagram_media",
            &["ig_id", "owner_id", "media_type", "posted_at"],
            vec![ig_id.into(), owner.into(), "IMAGE".into(), now()],
        )
    };
    media("m1").await.unwrap();
    assert!(is_unique_violation(media("m1").await));

    let media_id = id_of(&app, "instagram_media", "ig_id", "m1").await;
    let comment = |ig_id: &'static str| {
        insert(
            &app,
            "instagram_interactions",
            &["ig_comment_id", "media_id", "author_id", "kind", "text", "commented_at"],
            vec![ig_id.into(), media_id.into(), author.into(), "comment".into(), "hi".into(), now()],
        )
    };
    comment("c1").await.unwrap();
    assert!(is_unique_violation(comment("c1").await));

    let crush = |slug: &'static str, crush_id: i64| {
        insert(
            &app,
            "crushes",
            &["owner_id", "crush_id", "slug", "comments_count", "posts_count", "computed_at"],
            vec![owner.into(), crush_id.into(), slug.into(), 1.into(), 1.into(), now()],
        )
    };
    crush("slug-a", author).await.unwrap();
    assert!(is_unique_violation(crush("slug-b", author).await), "one row per (owner, crush)");
    assert!(is_unique_violation(crush("slug-a", other).await), "slugs are unique");
    crush("slug-c", other).await.unwrap();
}

async fn job(app: &TestApp, state: &str, key: &str) -> Result<(), DbErr> {
    insert(
        app,
        "jobs",
        &["kind", "args", "dedupe_key", "state", "max_attempts", "run_at"],
        vec!["sync_feed".into(), serde_json::json!({}).into(), key.into(), state.into(), 5.into(), now()],
    )
    .await
}

async fn one_active_job_per_dedupe_key(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    job(&app, "succeeded", "sync:1").await.unwrap();
    job(&app, "failed", "sync:1").await.unwrap();
    job(&app, "queued", "sync:1").await.unwrap();
    assert!(is_unique_violation(job(&app, "queued", "sync:1").await));
    assert!(is_unique_violation(job(&app, "running", "sync:1").await));
    job(&app, "queued", "sync:2").await.unwrap();
    job(&app, "cancelled", "sync:2").await.unwrap();
}

async fn deleting_a_user_cascades(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    insert(&app, "users", &[], vec![]).await.unwrap();
    insert(
        &app,
        "identities",
        &["user_id", "provider", "uid"],
        vec![1.into(), "instagram".into(), "u1".into()],
    )
    .await
    .unwrap();
    insert(
        &app,
        "instagram_users",
        &["ig_id", "username", "user_id"],
        vec!["u1".into(), "me".into(), 1.into()],
    )
    .await
    .unwrap();
    app.db.execute(&Query::delete().from_table("users").to_owned()).await.unwrap();
    assert_eq!(count(&app, "identities").await, 0, "identities go with their user");
    assert_eq!(count(&app, "instagram_users").await, 1, "the Instagram account stays, unlinked");
}

async fn count(app: &TestApp, table: &'static str) -> i64 {
    let query = Query::select().expr(Expr::cust("COUNT(*)")).from(table).to_owned();
    let row = app.db.query_one(&query).await.unwrap().unwrap();
    row.try_get_by_index::<i64>(0).unwrap()
}

async fn id_of(app: &TestApp, table: &'static str, column: &'static str, value: &str) -> i64 {
    let query = Query::select().column("id").from(table).and_where(Expr::col(column).eq(value)).to_owned();
    let row = app.db.query_one(&query).await.unwrap().expect("row exists");
    row.try_get_by_index::<i64>(0).unwrap()
}

#[tokio::test]
async fn sqlite_runs_in_wal_with_a_busy_timeout_and_foreign_keys() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let pragma = |name: &'static str| {
        let db = app.db.clone();
        async move {
            let statement =
                sea_orm::Statement::from_string(db.get_database_backend(), format!("PRAGMA {name}"));
            let row = db.query_one_raw(statement).await.unwrap().unwrap();
            row.try_get_by_index::<String>(0)
                .or_else(|_| row.try_get_by_index::<i64>(0).map(|n| n.to_string()))
                .unwrap()
        }
    };
    assert_eq!(pragma("journal_mode").await, "wal");
    assert_eq!(pragma("foreign_keys").await, "1");
    assert_eq!(pragma("busy_timeout").await, "5000");
}
