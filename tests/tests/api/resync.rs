//! The `resync_stale` scheduled job: stale accounts of recently active users
//! get one sync each, spread over the period, however often the tick fires;
//! fresh, inactive and needs-reauth users get none. And `touch_last_seen`.

use std::time::Duration;

use instacrush::{
    entities::{identity, instagram_user, job, user},
    jobs::{self, Job as _, NewJob, store},
    sync::{ResyncStale, SyncFeed, SyncSettings, touch_last_seen},
};
use instacrush_tests::{Backend, TestApp, jobs::syncs_of, on_both_backends};
use sea_orm::{
    ActiveModelTrait as _, ColumnTrait as _, ConnectionTrait as _, EntityTrait as _, QueryFilter as _, Set,
    Statement,
};
use time::OffsetDateTime;

on_both_backends!(
    a_stale_active_user_gets_one_sync_however_often_the_tick_fires,
    a_running_sync_is_not_doubled,
    fresh_inactive_and_reauth_users_get_none,
    resyncs_are_spread_over_the_period_and_bounded_by_the_batch,
    an_account_fed_by_webhooks_stays_fresh_longer,
    a_post_no_sync_read_makes_an_account_due_an_hour_after_its_sync,
    last_seen_is_written_at_most_hourly,
);

const HOUR: Duration = Duration::from_secs(3600);

/// A user as the resync job sees them.
#[derive(Default)]
struct Seed {
    seen_ago: Option<Duration>,
    synced_ago: Option<Duration>,
    /// When a comment webhook for the account last arrived.
    event_ago: Option<Duration>,
    /// When a webhook last named a post of the account the app does not hold.
    unread_post_ago: Option<Duration>,
    needs_reauth: bool,
}

/// Inserts a user with an Instagram identity and account; returns the user id.
async fn seed(app: &TestApp, n: u32, seed: Seed) -> i64 {
    let at = instacrush::db::now();
    let ago = |d: Option<Duration>| d.map(|d| at - d);
    let user = user::ActiveModel {
        last_seen_at: Set(ago(seed.seen_ago)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    let user_id = user.insert(&app.db).await.unwrap().id;
    let identity = identity::ActiveModel {
        user_id: Set(user_id),
        provider: Set("instagram".to_owned()),
        uid: Set(format!("9000{n}")),
        access_token_encrypted: Set(Some(vec![1, 2, 3])),
        scopes: Set(String::new()),
        reauth_required_at: Set(seed.needs_reauth.then_some(at)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    identity.insert(&app.db).await.unwrap();
    let account = instagram_user::ActiveModel {
        ig_id: Set(Some(format!("9000{n}"))),
        username: Set(format!("user{n}")),
        user_id: Set(Some(user_id)),
        last_synced_at: Set(ago(seed.synced_ago)),
        created_at: Set(at),
        updated_at: Set(at),
        ..Default::default()
    };
    let account = account.insert(&app.db).await.unwrap();
    for (column, ago) in [("last_event_at", seed.event_ago), ("unread_post_at", seed.unread_post_ago)] {
        let Some(ago) = ago else { continue };
        let sql = format!("UPDATE instagram_users SET {column} = $1 WHERE id = $2");
        let values = [(at - ago).into(), account.id.into()];
        app.db
            .execute_raw(Statement::from_sql_and_values(app.db.get_database_backend(), sql, values))
            .await
            .unwrap();
    }
    user_id
}

fn stale() -> Seed {
    Seed { seen_ago: Some(24 * HOUR), synced_ago: Some(13 * HOUR), ..Seed::default() }
}

/// Enqueues a resync run and performs it (the syncs it queues start later).
async fn resync(app: &TestApp, job: ResyncStale) {
    jobs::enqueue(&app.db, NewJob::of(&job)).await.unwrap();
    app.run_pending_jobs().await;
}

async fn a_stale_active_user_gets_one_sync_however_often_the_tick_fires(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let stale = seed(&app, 1, stale()).await;
    let never = seed(&app, 2, Seed { seen_ago: Some(HOUR), ..Seed::default() }).await;
    let schedule = instacrush::app::job_schedule();
    schedule.fire_all(&app.state.db, &app.state.waker).await;
    schedule.fire_all(&app.state.db, &app.state.waker).await;
    app.run_pending_jobs().await;
    schedule.fire_all(&app.state.db, &app.state.waker).await;
    resync(&app, ResyncStale::default()).await;
    for user_id in [stale, never] {
        let syncs = syncs_of(&app.db, user_id).await;
        assert_eq!(syncs.len(), 1, "user {user_id}: {syncs:?}");
        assert_eq!(syncs[0].state, job::JobState::Queued);
        assert_eq!(syncs[0].user_id, Some(user_id), "owned by the user");
    }
    let runs =
        job::Entity::find().filter(job::Column::Kind.eq(ResyncStale::KIND)).all(&app.db).await.unwrap();
    assert_eq!(runs.len(), 2, "one per tick, plus the direct one");
    assert!(runs.iter().all(|run| run.state == job::JobState::Succeeded), "{runs:?}");
}

async fn a_running_sync_is_not_doubled(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user_id = seed(&app, 1, stale()).await;
    let id = jobs::enqueue(&app.db, NewJob::of(&SyncFeed { user_id })).await.unwrap().id();
    let claimed = store::claim(&app.db, "elsewhere", 1, Duration::from_secs(600)).await.unwrap();
    assert_eq!(claimed.len(), 1);
    let (new, existing) =
        ResyncStale::default().enqueue_due(&app.db, &SyncSettings::default()).await.unwrap();
    assert_eq!((new, existing), (0, 0), "a user with a sync running is not due");
    resync(&app, ResyncStale::default()).await;
    let syncs = syncs_of(&app.db, user_id).await;
    assert_eq!(syncs.len(), 1, "{syncs:?}");
    assert_eq!((syncs[0].id, syncs[0].state), (id, job::JobState::Running));
}

async fn fresh_inactive_and_reauth_users_get_none(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let fresh = seed(&app, 1, Seed { seen_ago: Some(HOUR), synced_ago: Some(HOUR), ..Seed::default() }).await;
    let inactive = seed(&app, 2, Seed { seen_ago: Some(8 * 24 * HOUR), ..stale() }).await;
    let never_seen = seed(&app, 3, Seed { seen_ago: None, ..stale() }).await;
    let reauth = seed(&app, 4, Seed { needs_reauth: true, ..stale() }).await;
    let due = seed(&app, 5, stale()).await;
    resync(&app, ResyncStale::default()).await;
    for user_id in [fresh, inactive, never_seen, reauth] {
        assert!(syncs_of(&app.db, user_id).await.is_empty(), "user {user_id} gets no sync");
    }
    assert_eq!(syncs_of(&app.db, due).await.len(), 1, "the control user does");
}

async fn resyncs_are_spread_over_the_period_and_bounded_by_the_batch(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let mut users = Vec::new();
    for n in 0..6 {
        users.push(seed(&app, n, stale()).await);
    }
    let before = instacrush::db::now();
    let job = ResyncStale { batch: 4, ..ResyncStale::default() };
    assert_eq!(
        job.enqueue_due(&app.db, &SyncSettings::default()).await.unwrap(),
        (4, 0),
        "a run enqueues at most its batch"
    );
    let after = instacrush::db::now();
    let mut run_at: Vec<OffsetDateTime> = Vec::new();
    for user_id in &users {
        run_at.extend(syncs_of(&app.db, *user_id).await.iter().map(|sync| sync.run_at));
    }
    run_at.sort();
    assert_eq!(run_at.len(), 4);
    assert!(run_at[0] > before && run_at[3] < after + HOUR, "within the hour: {run_at:?}");
    let gaps: Vec<i64> = run_at.windows(2).map(|pair| (pair[1] - pair[0]).whole_seconds()).collect();
    assert!(gaps.iter().all(|gap| (899..=901).contains(gap)), "evenly spread: {gaps:?}");
    assert_eq!(
        job.enqueue_due(&app.db, &SyncSettings::default()).await.unwrap(),
        (2, 0),
        "the next run takes the rest"
    );
}

async fn an_account_fed_by_webhooks_stays_fresh_longer(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let settings = SyncSettings::default();
    let webhook_fresh = Duration::from_secs(u64::from(settings.webhook_fresh_hours) * 3600);
    assert!(webhook_fresh > 13 * HOUR, "the default outlasts the plain freshness");
    let seen = Some(HOUR);
    // Synced 13 hours ago (stale without webhooks), a webhook since: fresh.
    let fed = seed(
        &app,
        1,
        Seed { seen_ago: seen, synced_ago: Some(13 * HOUR), event_ago: Some(HOUR), ..Seed::default() },
    )
    .await;
    // The last webhook came before the last sync: nothing proves they still arrive.
    let quiet = seed(
        &app,
        2,
        Seed { seen_ago: seen, synced_ago: Some(13 * HOUR), event_ago: Some(14 * HOUR), ..Seed::default() },
    )
    .await;
    // Fed by webhooks, but past the longer freshness too.
    let long_ago = webhook_fresh + HOUR;
    let fed_long_ago = seed(
        &app,
        3,
        Seed { seen_ago: seen, synced_ago: Some(long_ago), event_ago: Some(HOUR), ..Seed::default() },
    )
    .await;
    assert_eq!(ResyncStale::default().enqueue_due(&app.db, &settings).await.unwrap(), (2, 0));
    assert!(syncs_of(&app.db, fed).await.is_empty(), "fed by webhooks: fresh for longer");
    assert_eq!(syncs_of(&app.db, quiet).await.len(), 1);
    assert_eq!(syncs_of(&app.db, fed_long_ago).await.len(), 1);
    // Configured to the plain freshness, the fed account is due too.
    let plain = SyncSettings { webhook_fresh_hours: settings.fresh_hours, ..SyncSettings::default() };
    assert_eq!(ResyncStale::default().enqueue_due(&app.db, &plain).await.unwrap(), (1, 0));
    assert_eq!(syncs_of(&app.db, fed).await.len(), 1);
}

async fn a_post_no_sync_read_makes_an_account_due_an_hour_after_its_sync(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let minutes = |n: u64| Duration::from_secs(n * 60);
    let fed = |synced: u64, unread: u64| Seed {
        seen_ago: Some(HOUR),
        synced_ago: Some(minutes(synced)),
        // Fed by webhooks: fresh for two days, but for the post no sync read.
        event_ago: Some(Duration::from_secs(10)),
        unread_post_ago: Some(minutes(unread)),
        ..Seed::default()
    };
    // Synced 2 hours ago, a new post named 30 minutes ago: due.
    let due = seed(&app, 1, fed(120, 30)).await;
    // Synced 30 minutes ago, a new post named 10 minutes ago: not within the hour.
    let recent = seed(&app, 2, fed(30, 10)).await;
    // The post was named before the last sync, which read it.
    let read = seed(&app, 3, fed(120, 180)).await;
    assert_eq!(ResyncStale::default().enqueue_due(&app.db, &SyncSettings::default()).await.unwrap(), (1, 0));
    assert_eq!(syncs_of(&app.db, due).await.len(), 1);
    assert!(syncs_of(&app.db, recent).await.is_empty());
    assert!(syncs_of(&app.db, read).await.is_empty());
}

async fn last_seen_is_written_at_most_hourly(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let user_id = seed(&app, 1, Seed::default()).await;
    let seen =
        || async { user::Entity::find_by_id(user_id).one(&app.db).await.unwrap().unwrap().last_seen_at };
    assert_eq!(seen().await, None);
    assert!(touch_last_seen(&app.db, user_id).await.unwrap());
    let first = seen().await.expect("marked seen");
    assert!(!touch_last_seen(&app.db, user_id).await.unwrap(), "not again within the hour");
    assert_eq!(seen().await, Some(first));
    let earlier = user::ActiveModel {
        id: Set(user_id),
        last_seen_at: Set(Some(first - 2 * HOUR)),
        ..Default::default()
    };
    earlier.update(&app.db).await.unwrap();
    assert!(touch_last_seen(&app.db, user_id).await.unwrap(), "an hour later it writes again");
    assert!(seen().await.unwrap() >= first);
}
