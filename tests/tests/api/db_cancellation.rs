//! Transactions dropped part-way (a timeout, a sibling future that failed) must not
//! leave a pooled PostgreSQL connection inside a transaction: whatever ran on it next
//! would never be committed and would hold its locks.

use std::{task::Poll, time::Duration};

use instacrush::{config::DatabaseConfig, db};
use instacrush_tests::{Backend, TestDatabase};
use sea_orm::{ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement};
use tokio::task::JoinSet;

/// Pooled connections: few, so one left inside a transaction is soon handed out again.
const POOL_SIZE: u32 = 3;
/// Transactions raced at once, more than the pool holds so they queue for it.
const WAVE: usize = 8;
/// Waves of transactions. Without the fix a spoiled connection showed within 15 waves.
const WAVES: usize = 100;
/// Waits a transaction may be allowed before it is dropped: about half of them get to commit.
const MAX_WAITS: u32 = 12;
/// Plain writes issued through the pool afterwards, enough to visit every connection.
const WRITES_AFTER: i64 = 2 * POOL_SIZE as i64;

/// Waves of transactions through the app's own pool and `begin_write`, each dropped at a
/// random await point, many of them while `BEGIN` is in flight. Between waves no session of
/// the database may sit idle in transaction, and afterwards plain writes through the same
/// pool must be committed: a session left in a transaction would swallow them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transactions_cancelled_mid_begin_leave_no_connection_in_a_transaction() {
    let Some(backend) = Backend::postgres() else { return };
    let database = TestDatabase::create(backend).await;
    let observer = Database::connect(database.url.as_str()).await.unwrap();
    observer.execute_unprepared("CREATE TABLE probe (id BIGINT PRIMARY KEY)").await.unwrap();
    let config =
        DatabaseConfig { database_max_connections: POOL_SIZE, ..DatabaseConfig::new(database.url.clone()) };
    let pool = db::connect(&config).await.unwrap();

    let mut outcomes = Outcomes::default();
    let mut stuck = 0;
    for wave in 0..WAVES {
        outcomes.add(cancel_transactions_at_random(&pool, wave).await);
        // Between waves no transaction is open: any session still inside one was spoiled.
        stuck = connections_left_in_a_transaction(&observer).await;
        if stuck > 0 {
            break;
        }
    }
    for id in 0..WRITES_AFTER {
        pool.execute_raw(insert(-1 - id)).await.unwrap();
    }
    let visible = count(&observer, "SELECT count(*) FROM probe WHERE id < 0").await;
    assert_eq!(
        (stuck, visible),
        (0, WRITES_AFTER),
        "(sessions left idle in transaction, later writes another connection sees) after {outcomes:?}"
    );
    assert!(outcomes.cancelled > WAVES && outcomes.committed > WAVES, "exercises both: {outcomes:?}");
    assert_eq!(outcomes.failed, 0, "{outcomes:?}");
    pool.close().await.unwrap();
    observer.close().await.unwrap();
}

/// How the raced transactions ended.
#[derive(Debug, Default)]
struct Outcomes {
    committed: usize,
    cancelled: usize,
    failed: usize,
}

impl Outcomes {
    fn add(&mut self, other: Outcomes) {
        self.committed += other.committed;
        self.cancelled += other.cancelled;
        self.failed += other.failed;
    }
}

/// Runs one wave of write transactions at once, each dropped at a random one of its waits.
async fn cancel_transactions_at_random(pool: &DatabaseConnection, wave: usize) -> Outcomes {
    let mut tasks = JoinSet::new();
    for slot in 0..WAVE {
        let (pool, id) = (pool.clone(), (wave * WAVE + slot) as i64);
        let budget = (uuid::Uuid::new_v4().as_u128() % u128::from(MAX_WAITS)) as u32;
        tasks.spawn(async move { cancel_after_waits(budget, write_in_a_transaction(&pool, id)).await });
    }
    let mut outcomes = Outcomes::default();
    for outcome in tasks.join_all().await {
        match outcome {
            Ok(Ok(())) => outcomes.committed += 1,
            Ok(Err(_)) => outcomes.failed += 1,
            Err(Cancelled) => outcomes.cancelled += 1,
        }
    }
    outcomes
}

/// What every write path does: begin, write, commit.
async fn write_in_a_transaction(pool: &DatabaseConnection, id: i64) -> Result<(), DbErr> {
    let txn = db::begin_write(pool).await?;
    txn.execute_raw(insert(id)).await?;
    txn.commit().await
}

/// `work` was dropped before it finished.
struct Cancelled;

/// Runs `work`, dropping it the `budget + 1`-th time it has to wait.
///
/// Each wait is an `.await` on the pool or the server (acquire, its ping, `BEGIN`, the
/// insert, `COMMIT`), so a random budget drops the transaction at a random one of them,
/// as a timeout firing there would, but whatever this machine's speed: a timer (1 ms
/// granularity) mostly fires before or after a local `BEGIN`, never during it.
async fn cancel_after_waits<F: Future>(budget: u32, work: F) -> Result<F::Output, Cancelled> {
    let mut work = std::pin::pin!(work);
    let mut left = budget;
    std::future::poll_fn(|cx| match work.as_mut().poll(cx) {
        Poll::Ready(output) => Poll::Ready(Ok(output)),
        Poll::Pending if left == 0 => Poll::Ready(Err(Cancelled)),
        Poll::Pending => {
            left -= 1;
            Poll::Pending
        }
    })
    .await
}

/// How many of the test database's other sessions are still inside a transaction once the
/// pool has had a moment to return and reset its connections.
async fn connections_left_in_a_transaction(observer: &DatabaseConnection) -> i64 {
    let sql = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() \
               AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'";
    let mut stuck = count(observer, sql).await;
    for _ in 0..100 {
        if stuck == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        stuck = count(observer, sql).await;
    }
    stuck
}

fn insert(id: i64) -> Statement {
    Statement::from_sql_and_values(DbBackend::Postgres, "INSERT INTO probe (id) VALUES ($1)", [id.into()])
}

async fn count(db: &DatabaseConnection, sql: &str) -> i64 {
    let row = db.query_one_raw(Statement::from_string(DbBackend::Postgres, sql)).await.unwrap().unwrap();
    row.try_get_by_index(0).unwrap()
}
