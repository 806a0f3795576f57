//! The fault drill: two API and two worker processes, a standalone sandbox and one
//! PostgreSQL database behind a proxy, under the faults production sees — racing requests,
//! workers killed (SIGKILL) and stopped (SIGTERM) mid-sync, the database cut off, Instagram
//! failing and throttling. For each scenario it prints, and requires to be zero: jobs lost,
//! duplicate syncs, jobs stuck past their lease, 5xx answers other than 503, and
//! connections left idle in a transaction.
//!
//! `make test` runs a short drill; `make test-faults` the full one (`FAULT_DRILL=full`:
//! more requests, longer cuts, throttling).

mod cluster;

use std::{
    collections::HashSet,
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::Duration,
};

use instacrush_tests::{Backend, auth::Browser};
use reqwest::StatusCode;
use sea_orm::{ConnectionTrait, Statement};
use serde_json::json;

use self::cluster::{Cluster, signal};

const USERS: [&str; 5] = ["ada.demo", "ben.demo", "cleo.demo", "dev.demo", "eve.demo"];

/// What one scenario must leave at zero.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Tally {
    jobs_lost: i64,
    duplicate_syncs: i64,
    stuck_past_lease: usize,
    server_errors: u64,
    idle_in_transaction: usize,
    /// What shows the fault happened (not required to be zero).
    evidence: String,
}

impl Tally {
    fn print(&self, scenario: &str) {
        println!(
            "{scenario:<32} {:>9} {:>15} {:>16} {:>13} {:>10}  {}",
            self.jobs_lost,
            self.duplicate_syncs,
            self.stuck_past_lease,
            self.server_errors,
            self.idle_in_transaction,
            self.evidence
        );
    }

    /// The same tally without its evidence, for comparing with zero.
    fn failures(&self) -> Self {
        Self { evidence: String::new(), ..self.clone() }
    }
}

/// Watches the database while a scenario runs: jobs left running long past their lease, and
/// sessions idle inside a transaction.
struct Monitor {
    stop: Arc<AtomicBool>,
    stuck: Arc<Mutex<HashSet<i64>>>,
    idle: Arc<Mutex<HashSet<i64>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Monitor {
    fn start(db: sea_orm::DatabaseConnection) -> Self {
        let (stop, stuck, idle) = (Arc::new(AtomicBool::new(false)), Arc::default(), Arc::default());
        let task = tokio::spawn(watch(db, stop.clone(), Arc::clone(&stuck), Arc::clone(&idle)));
        Self { stop, stuck, idle, task }
    }

    async fn finish(self) -> (usize, usize) {
        self.stop.store(true, Ordering::SeqCst);
        self.task.await.unwrap();
        let stuck = self.stuck.lock().unwrap().len();
        let idle = self.idle.lock().unwrap().len();
        (stuck, idle)
    }
}

async fn watch(
    db: sea_orm::DatabaseConnection,
    stop: Arc<AtomicBool>,
    stuck: Arc<Mutex<HashSet<i64>>>,
    idle: Arc<Mutex<HashSet<i64>>>,
) {
    let backend = db.get_database_backend();
    // A lease is 3 s and rescues run every 1.5 s: 10 s past the lease is stuck.
    let stuck_sql =
        "SELECT id FROM jobs WHERE state = 'running' AND lease_expires_at < NOW() - INTERVAL '10 seconds'";
    let idle_sql = "SELECT pid::bigint FROM pg_stat_activity WHERE datname = current_database() \
                    AND state = 'idle in transaction' AND state_change < NOW() - INTERVAL '5 seconds'";
    while !stop.load(Ordering::SeqCst) {
        for (sql, seen) in [(stuck_sql, &stuck), (idle_sql, &idle)] {
            if let Ok(rows) = db.query_all_raw(Statement::from_string(backend, sql)).await {
                let ids = rows.iter().filter_map(|row| row.try_get_by_index::<i64>(0).ok());
                seen.lock().unwrap().extend(ids);
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

/// Counts answers of 500 and above other than 503 (which is what an outage should answer),
/// and the 503s.
#[derive(Clone, Default)]
struct ServerErrors {
    other: Arc<AtomicU64>,
    unavailable: Arc<AtomicU64>,
}

impl ServerErrors {
    fn record(&self, status: StatusCode) {
        if status == StatusCode::SERVICE_UNAVAILABLE {
            self.unavailable.fetch_add(1, Ordering::SeqCst);
        } else if status.is_server_error() {
            self.other.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// (other 5xx, 503) since the last call.
    fn take(&self) -> (u64, u64) {
        (self.other.swap(0, Ordering::SeqCst), self.unavailable.swap(0, Ordering::SeqCst))
    }
}

struct Drill {
    cluster: Cluster,
    users: Vec<(String, Arc<Browser>)>,
    errors: ServerErrors,
    full: bool,
}

impl Drill {
    /// The URL of `path` on the `n`th API process (round robin).
    fn url(&self, n: usize, path: &str) -> String {
        format!("{}{path}", self.cluster.api_urls[n % self.cluster.api_urls.len()])
    }

    async fn sync_jobs(&self) -> i64 {
        self.cluster.count("SELECT COUNT(*) FROM jobs WHERE kind = 'sync_feed'").await
    }

    /// Makes every account stale and due its full reading (every post's comments read again:
    /// work long enough to be interrupted), and lets every user ask again.
    async fn make_stale(&self) {
        let db = &self.cluster.db;
        db.execute_unprepared("UPDATE instagram_users SET last_synced_at = NULL, full_synced_at = NULL")
            .await
            .unwrap();
        db.execute_unprepared("UPDATE users SET sync_requested_at = NULL").await.unwrap();
    }

    /// Every user asks for a sync; returns how many syncs existed before.
    async fn ask_everyone(&self) -> i64 {
        let before = self.sync_jobs().await;
        for (n, (_, browser)) in self.users.iter().enumerate() {
            let response = browser.post(&self.url(n, "/api/users/me/sync")).await;
            self.errors.record(response.status());
            assert_eq!(response.status(), StatusCode::ACCEPTED);
        }
        before
    }

    /// Waits for every sync to end; returns how many did not succeed (lost).
    async fn wait_for_syncs(&self, timeout: Duration) -> i64 {
        let deadline = tokio::time::Instant::now() + timeout;
        let unfinished =
            "SELECT COUNT(*) FROM jobs WHERE kind = 'sync_feed' AND state IN ('queued', 'running')";
        while self.cluster.count(unfinished).await > 0 && tokio::time::Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        self.cluster
            .count("SELECT COUNT(*) FROM jobs WHERE kind = 'sync_feed' AND state <> 'succeeded'")
            .await
    }

    /// Waits until some sync has done part of its work.
    async fn wait_for_progress(&self) {
        let sql = "SELECT COUNT(*) FROM jobs WHERE kind = 'sync_feed' AND state = 'running' \
                   AND progress IS NOT NULL";
        for _ in 0..300 {
            if self.cluster.count(sql).await > 0 {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no sync made progress");
    }

    /// Users poll their sync status on alternating API processes until stopped.
    fn poll(&self, stop: Arc<AtomicBool>) -> Vec<tokio::task::JoinHandle<()>> {
        self.users
            .iter()
            .enumerate()
            .map(|(n, (_, browser))| {
                let (browser, stop, errors) = (browser.clone(), stop.clone(), self.errors.clone());
                let urls: Vec<String> = (0..2).map(|k| self.url(n + k, "/api/crush/loading")).collect();
                tokio::spawn(async move {
                    let mut k = 0;
                    while !stop.load(Ordering::SeqCst) {
                        let response = browser.get(&urls[k % 2]).await;
                        errors.record(response.status());
                        k += 1;
                        tokio::time::sleep(Duration::from_millis(100)).await;
                    }
                })
            })
            .collect()
    }

    async fn scenario(&mut self, name: &str, run: impl AsyncFnOnce(&mut Self) -> Tally) -> Tally {
        let monitor = Monitor::start(self.cluster.db.clone());
        let first_job = self.cluster.count("SELECT COALESCE(MAX(id), 0) FROM jobs").await;
        let mut tally = run(self).await;
        let (stuck, idle) = monitor.finish().await;
        tally.stuck_past_lease = stuck;
        tally.idle_in_transaction = idle;
        let (other, unavailable) = self.errors.take();
        tally.server_errors += other;
        let rescued = self
            .cluster
            .count(&format!(
                "SELECT COUNT(*) FROM jobs WHERE id > {first_job} AND (attempts > 1 OR last_error IS NOT NULL)"
            ))
            .await;
        let calls_failed = self.cluster.instagram_failures().await;
        tally.evidence += &format!("{unavailable} × 503, {rescued} jobs retried or rescued, {calls_failed}");
        tally.print(name);
        tally
    }
}

async fn racing_requests(drill: &mut Drill) -> Tally {
    drill.make_stale().await;
    let before = drill.sync_jobs().await;
    let (_, ada) = drill.users[0].clone();
    let requests = if drill.full { 200 } else { 100 };
    let tasks: Vec<_> = (0..requests)
        .map(|n| {
            let (ada, url, errors) = (ada.clone(), drill.url(n, "/api/crush"), drill.errors.clone());
            tokio::spawn(async move { errors.record(ada.get(&url).await.status()) })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let lost = drill.wait_for_syncs(Duration::from_secs(60)).await;
    Tally { jobs_lost: lost, duplicate_syncs: drill.sync_jobs().await - before - 1, ..Tally::default() }
}

async fn worker_signalled_mid_sync(drill: &mut Drill, kill: &str) -> Tally {
    drill.make_stale().await;
    drill.cluster.knobs(json!({"latency_ms": 300})).await;
    let before = drill.ask_everyone().await;
    drill.wait_for_progress().await;
    let mut worker = drill.cluster.workers.remove(0);
    let pid = worker.id().unwrap();
    let held = format!("SELECT COUNT(*) FROM jobs WHERE state = 'running' AND worker_id LIKE '{pid}-%'");
    let held = drill.cluster.count(&held).await;
    signal(&worker, kill);
    // A stopped worker winds its syncs down and exits by itself (kept until then: dropping
    // the handle would kill it).
    tokio::time::timeout(Duration::from_secs(30), worker.wait()).await.unwrap().unwrap();
    tokio::time::sleep(Duration::from_secs(1)).await;
    drill.cluster.start_worker();
    let lost = drill.wait_for_syncs(Duration::from_secs(120)).await;
    drill.cluster.knobs(json!({"latency_ms": 40})).await;
    let made = drill.sync_jobs().await - before;
    let evidence = format!("{held} syncs running on the {kill}ed worker; ");
    Tally { jobs_lost: lost, duplicate_syncs: made - USERS.len() as i64, evidence, ..Tally::default() }
}

async fn database_cut(drill: &mut Drill) -> Tally {
    drill.make_stale().await;
    drill.cluster.knobs(json!({"latency_ms": 200})).await;
    let before = drill.ask_everyone().await;
    let stop = Arc::new(AtomicBool::new(false));
    let pollers = drill.poll(stop.clone());
    drill.wait_for_progress().await;
    drill.cluster.proxy.cut();
    tokio::time::sleep(Duration::from_secs(if drill.full { 10 } else { 5 })).await;
    drill.cluster.proxy.restore();
    let lost = drill.wait_for_syncs(Duration::from_secs(120)).await;
    stop.store(true, Ordering::SeqCst);
    for poller in pollers {
        poller.await.unwrap();
    }
    drill.cluster.knobs(json!({"latency_ms": 40})).await;
    let made = drill.sync_jobs().await - before;
    Tally { jobs_lost: lost, duplicate_syncs: made - USERS.len() as i64, ..Tally::default() }
}

async fn instagram_failing(drill: &mut Drill) -> Tally {
    drill.make_stale().await;
    let throttle =
        if drill.full { json!({"throttle_after": 40, "throttle_window_secs": 30}) } else { json!({}) };
    let mut knobs = json!({"error_rate": 0.1});
    knobs.as_object_mut().unwrap().extend(throttle.as_object().unwrap().clone());
    drill.cluster.knobs(knobs).await;
    let before = drill.ask_everyone().await;
    let lost = drill.wait_for_syncs(Duration::from_secs(if drill.full { 300 } else { 120 })).await;
    drill
        .cluster
        .client
        .delete(format!("{}/_sandbox/knobs", drill.cluster.sandbox_url))
        .send()
        .await
        .unwrap();
    let made = drill.sync_jobs().await - before;
    Tally { jobs_lost: lost, duplicate_syncs: made - USERS.len() as i64, ..Tally::default() }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_fault_drill_loses_nothing_and_duplicates_nothing() {
    let Some(Backend::Postgres(admin_url)) = Backend::postgres() else { return };
    let full = std::env::var("FAULT_DRILL").is_ok_and(|value| value == "full");
    let cluster = Cluster::start(admin_url, 2, 2).await;
    let mut users = Vec::new();
    for username in USERS {
        users.push((username.to_owned(), Arc::new(cluster.sign_in(username).await)));
    }
    let mut drill = Drill { cluster, users, errors: ServerErrors::default(), full };
    println!(
        "\nfault drill ({}): 2 API + 2 worker processes, a standalone sandbox, PostgreSQL behind a proxy",
        if full { "full" } else { "short" }
    );
    println!(
        "{:<32} {:>9} {:>15} {:>16} {:>13} {:>10}",
        "scenario", "jobs lost", "duplicate syncs", "stuck past lease", "5xx (not 503)", "idle in tx"
    );
    let results = [
        drill.scenario("racing requests", racing_requests).await,
        drill
            .scenario("SIGKILL mid-sync", async |drill| worker_signalled_mid_sync(drill, "KILL").await)
            .await,
        drill
            .scenario("SIGTERM mid-sync", async |drill| worker_signalled_mid_sync(drill, "TERM").await)
            .await,
        drill.scenario("database cut", database_cut).await,
        drill.scenario("Instagram errors and throttling", instagram_failing).await,
    ];
    for tally in results {
        assert_eq!(
            tally.failures(),
            Tally::default(),
            "every scenario ends with nothing lost, duplicated or stuck"
        );
    }
}
