//! Instagram's rate budget, shared by every process through the database.
//!
//! Every response's usage headers (`X-App-Usage` for the app, `X-Business-Use-Case-Usage`
//! per account) are noted in memory as they arrive; once a second each process writes what
//! changed and reads what the others saw (table `instagram_usage`). Above the high-water mark
//! (`INSTAGRAM_BUDGET_HIGH_WATER`, 80 % by default) the syncs of that scope — every sync for
//! the app's scope, one account's for its own — pause until Instagram's regain time (or
//! `INSTAGRAM_BUDGET_PAUSE_SECS`, a minute, when it gave none: `X-App-Usage` never does): a
//! paused sync is deferred with its checkpoint, not failed. A process shares once before it
//! starts working, so a worker started during a pause honours it from its first job.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex, PoisonError},
    time::Duration,
};

use sea_orm::{ConnectionTrait as _, DatabaseConnection, DbErr, Statement};
use time::OffsetDateTime;
use tokio_util::sync::CancellationToken;

use crate::{
    db::now,
    instagram::{CallRecord, UsageScope},
};

/// How often a process shares its readings and reads the others'.
const SHARE_EVERY: Duration = Duration::from_secs(1);
/// Readings older than this say nothing about now.
const FORGET_AFTER: time::Duration = time::Duration::hours(1);

/// One scope's latest usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Reading {
    percent: u32,
    regain_at: Option<OffsetDateTime>,
    seen_at: OffsetDateTime,
}

#[derive(Debug, Default)]
struct Readings {
    by_scope: HashMap<String, Reading>,
    /// Scopes whose reading changed here since the last share.
    changed: Vec<String>,
}

/// The rate budget of one process. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Budget {
    db: DatabaseConnection,
    high_water: u32,
    /// How long a pause lasts when Instagram reported high usage but no regain time.
    pause_without_regain: time::Duration,
    readings: Arc<Mutex<Readings>>,
}

impl Budget {
    /// A budget pausing syncs above `high_water` percent (for `pause_without_regain` when
    /// Instagram gives no regain time), shared through `db`.
    pub fn new(db: DatabaseConnection, high_water: u32, pause_without_regain: Duration) -> Self {
        let pause_without_regain =
            time::Duration::try_from(pause_without_regain).unwrap_or(time::Duration::MAX);
        Self { db, high_water, pause_without_regain, readings: Arc::default() }
    }

    fn readings(&self) -> std::sync::MutexGuard<'_, Readings> {
        self.readings.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Notes the usage a finished call reported (the Instagram client's observer).
    pub fn observe(&self, call: &CallRecord) {
        if call.scopes.is_empty() {
            return;
        }
        let seen_at = now();
        let mut readings = self.readings();
        for usage in &call.scopes {
            let regain_at = usage
                .regain_after
                .and_then(|wait| time::Duration::try_from(wait).ok())
                .map(|wait| seen_at + wait);
            let reading = Reading { percent: usage.percent, regain_at, seen_at };
            let key = usage.scope.key();
            let old = readings.by_scope.insert(key.clone(), reading);
            // Shared when it matters: a move of 5 points, any regain time, or near the mark.
            let matters = old.is_none_or(|old| {
                old.percent.abs_diff(reading.percent) >= 5
                    || reading.regain_at.is_some()
                    || reading.percent >= self.high_water
            });
            if matters && !readings.changed.contains(&key) {
                readings.changed.push(key);
            }
        }
    }

    /// Until when the syncs of `account` (its Instagram id) must pause, if they must now.
    pub fn paused_until(&self, account: &str) -> Option<OffsetDateTime> {
        let at = now();
        let readings = self.readings();
        [UsageScope::App, UsageScope::Account(account.to_owned())]
            .iter()
            .filter_map(|scope| readings.by_scope.get(&scope.key()))
            .filter(|reading| reading.percent >= self.high_water)
            .map(|reading| reading.regain_at.unwrap_or(reading.seen_at + self.pause_without_regain))
            .filter(|until| *until > at)
            .max()
    }

    /// Writes the readings that changed here and reads every recent one (what the other
    /// processes saw too).
    pub async fn share(&self) -> Result<(), DbErr> {
        let changed: Vec<(String, Reading)> = {
            let mut readings = self.readings();
            let keys = std::mem::take(&mut readings.changed);
            keys.into_iter().filter_map(|key| readings.by_scope.get(&key).map(|r| (key, *r))).collect()
        };
        let backend = self.db.get_database_backend();
        for (scope, reading) in changed {
            // The newest reading wins, whichever process saw it.
            let sql = "INSERT INTO instagram_usage (scope, percent, regain_at, seen_at) VALUES ($1, $2, $3, $4) \
                       ON CONFLICT (scope) DO UPDATE SET percent = excluded.percent, regain_at = excluded.regain_at, \
                         seen_at = excluded.seen_at WHERE excluded.seen_at > instagram_usage.seen_at";
            let percent = i32::try_from(reading.percent).unwrap_or(i32::MAX);
            let values = [scope.into(), percent.into(), reading.regain_at.into(), reading.seen_at.into()];
            self.db.execute_raw(Statement::from_sql_and_values(backend, sql, values)).await?;
        }
        let sql = "SELECT scope, percent, regain_at, seen_at FROM instagram_usage WHERE seen_at > $1";
        let rows = self
            .db
            .query_all_raw(Statement::from_sql_and_values(backend, sql, [(now() - FORGET_AFTER).into()]))
            .await?;
        let mut readings = self.readings();
        for row in rows {
            let scope: String = row.try_get("", "scope")?;
            let percent: i32 = row.try_get("", "percent")?;
            let reading = Reading {
                percent: u32::try_from(percent).unwrap_or_default(),
                regain_at: row.try_get("", "regain_at")?,
                seen_at: row.try_get("", "seen_at")?,
            };
            let newer = readings.by_scope.get(&scope).is_none_or(|mine| mine.seen_at < reading.seen_at);
            if newer {
                readings.by_scope.insert(scope, reading);
            }
        }
        Ok(())
    }

    /// Shares the readings now (what the other processes saw, before this one's first job),
    /// then every second until `shutdown`.
    pub async fn share_until(&self, shutdown: CancellationToken) {
        let budget = self.clone();
        let share = async move || {
            if let Err(err) = budget.share().await {
                tracing::warn!(error = %err, "sharing Instagram's usage failed");
            }
        };
        share().await;
        tokio::spawn(async move {
            loop {
                tokio::select! {
                    () = tokio::time::sleep(SHARE_EVERY) => {}
                    () = shutdown.cancelled() => return,
                }
                share().await;
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instagram::ScopedUsage;

    /// A budget over an in-memory database: these tests never reach it (sharing is
    /// `share_until`'s job, tested through the real queue).
    async fn budget() -> Budget {
        let db = sea_orm::Database::connect("sqlite::memory:").await.expect("in-memory SQLite");
        Budget::new(db, 80, Duration::from_secs(60))
    }

    fn call(scopes: Vec<ScopedUsage>) -> CallRecord {
        CallRecord {
            endpoint: "GET /me",
            elapsed: Duration::ZERO,
            status: Some(200),
            error: None,
            usage: None,
            scopes,
        }
    }

    fn usage(scope: UsageScope, percent: u32, regain_secs: Option<u64>) -> ScopedUsage {
        ScopedUsage { scope, percent, regain_after: regain_secs.map(Duration::from_secs) }
    }

    #[tokio::test]
    async fn below_the_high_water_mark_nothing_pauses() {
        let budget = budget().await;
        budget.observe(&call(vec![usage(UsageScope::App, 79, None)]));
        assert_eq!(budget.paused_until("1784"), None);
    }

    #[tokio::test]
    async fn an_accounts_spent_budget_pauses_that_account_only_until_the_regain_time() {
        let budget = budget().await;
        budget.observe(&call(vec![usage(UsageScope::Account("1784".into()), 95, Some(300))]));
        let until = budget.paused_until("1784").expect("paused");
        let wait = until - now();
        assert!(wait > time::Duration::seconds(290) && wait <= time::Duration::seconds(300), "{wait}");
        assert_eq!(budget.paused_until("2001"), None, "another account goes on");
    }

    #[tokio::test]
    async fn the_apps_spent_budget_pauses_everyone_a_minute_when_no_regain_time_is_given() {
        let budget = budget().await;
        budget.observe(&call(vec![usage(UsageScope::App, 85, None)]));
        let wait = budget.paused_until("2001").expect("paused") - now();
        assert!(wait > time::Duration::seconds(55) && wait <= time::Duration::seconds(60), "{wait}");
    }

    #[tokio::test]
    async fn only_readings_that_matter_are_shared() {
        let budget = budget().await;
        budget.observe(&call(vec![usage(UsageScope::App, 10, None)]));
        budget.observe(&call(vec![usage(UsageScope::App, 12, None)]));
        assert_eq!(budget.readings().changed, ["app"], "the first reading, then nothing new");
        budget.readings().changed.clear();
        budget.observe(&call(vec![usage(UsageScope::App, 13, None)]));
        assert!(budget.readings().changed.is_empty(), "a point's move is not worth a write");
        budget.observe(&call(vec![usage(UsageScope::App, 18, None)]));
        assert_eq!(budget.readings().changed, ["app"]);
    }
}
