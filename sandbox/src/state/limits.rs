//! Rate-limit windows: one for the app (all accounts together) and one per account (Meta's
//! business-use-case limit), each counting calls from the moment its window opened.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use super::lock;

/// Calls counted in one window.
#[derive(Debug, Default, Clone, Copy)]
struct Window {
    started: u64,
    calls: u32,
}

impl Window {
    /// Counts one call at `now`; returns the calls so far and the seconds until the window ends.
    fn count(&mut self, now: u64, window_secs: u64) -> Count {
        if self.started == 0 || now >= self.started + window_secs || now < self.started {
            *self = Self { started: now, calls: 0 };
        }
        self.calls = self.calls.saturating_add(1);
        Count { calls: self.calls, left_secs: (self.started + window_secs).saturating_sub(now).max(1) }
    }
}

/// One call's place in its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// Calls in the window so far, this one included.
    pub calls: u32,
    /// Seconds until the window ends.
    pub left_secs: u64,
}

/// The app's window and the accounts' windows.
#[derive(Debug, Default)]
pub struct Limits {
    app: Mutex<Window>,
    accounts: Mutex<HashMap<u32, Window>>,
    throttled: AtomicU64,
}

impl Limits {
    /// Counts one call against the app-level limit.
    pub fn count_app(&self, now: u64, window_secs: u64) -> Count {
        lock(&self.app).count(now, window_secs)
    }

    /// Counts one call against account `account`'s limit.
    pub fn count_account(&self, account: u32, now: u64, window_secs: u64) -> Count {
        lock(&self.accounts).entry(account).or_default().count(now, window_secs)
    }

    /// A fresh number per throttled answer, to take the configured codes in turn.
    pub fn next_throttle(&self) -> u64 {
        self.throttled.fetch_add(1, Ordering::Relaxed)
    }

    /// Forgets every window.
    pub fn reset(&self) {
        *lock(&self.app) = Window::default();
        lock(&self.accounts).clear();
        self.throttled.store(0, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_count_per_account_and_restart_when_over() {
        let limits = Limits::default();
        assert_eq!(limits.count_account(1, 100, 60), Count { calls: 1, left_secs: 60 });
        assert_eq!(limits.count_account(1, 110, 60).calls, 2);
        assert_eq!(limits.count_account(2, 110, 60).calls, 1);
        assert_eq!(limits.count_account(1, 160, 60), Count { calls: 1, left_secs: 60 });
        assert_eq!(limits.count_app(5, 10).calls, 1);
    }
}
