//! The sandbox's shared state: the dataset, the token signer, the runtime knobs and the little
//! that must be remembered between calls (throttling window, revocations, used codes).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::{Knobs, SandboxConfig};
use crate::data::{Dataset, Interactor};
use crate::tokens::Signer;

/// Why a person's older tokens stopped working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidation {
    /// The user removed the app or changed their password (subcode 460).
    Revoked,
    /// The session expired early (subcode 463).
    Expired,
}

/// Calls counted in the current throttling window.
#[derive(Debug, Default)]
pub struct Window {
    /// Unix seconds the window started.
    pub started: u64,
    /// Calls in it so far.
    pub calls: u32,
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct Sandbox {
    /// Start-up configuration.
    pub config: SandboxConfig,
    /// The synthetic accounts.
    pub data: Dataset,
    /// Signs tokens and codes.
    pub signer: Signer,
    knobs: RwLock<Knobs>,
    window: Mutex<Window>,
    invalidated: Mutex<HashMap<u32, (u64, Invalidation)>>,
    used_codes: Mutex<HashSet<String>>,
    calls: AtomicU64,
    rankings: Vec<OnceLock<Vec<Interactor>>>,
}

/// The state as handlers receive it.
pub type Shared = Arc<Sandbox>;

/// Locks a mutex, recovering from poisoning (the guarded data stays consistent on its own).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Sandbox {
    /// Builds the state for `config`.
    pub fn new(config: SandboxConfig) -> Self {
        let data = Dataset::new(&config);
        let rankings = data.accounts.iter().map(|_| OnceLock::new()).collect();
        Self {
            signer: Signer::new(config.seed),
            knobs: RwLock::new(Knobs::from(&config).normalised()),
            data,
            config,
            window: Mutex::new(Window::default()),
            invalidated: Mutex::new(HashMap::new()),
            used_codes: Mutex::new(HashSet::new()),
            calls: AtomicU64::new(0),
            rankings,
        }
    }

    /// The current knobs.
    pub fn knobs(&self) -> Knobs {
        self.knobs.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Changes the knobs.
    pub fn update_knobs(&self, f: impl FnOnce(&mut Knobs)) -> Knobs {
        let mut guard = self.knobs.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard);
        guard.clone()
    }

    /// Restores the knobs to the start-up configuration and forgets counters and revocations.
    pub fn reset(&self) -> Knobs {
        *lock(&self.window) = Window::default();
        lock(&self.invalidated).clear();
        self.update_knobs(|k| *k = Knobs::from(&self.config).normalised())
    }

    /// A fresh number per API call, for the seeded dice of latency jitter and failures.
    pub fn next_call(&self) -> u64 {
        self.calls.fetch_add(1, Ordering::Relaxed)
    }

    /// Counts one call in the throttling window; returns the calls so far and the seconds left.
    pub fn count_call(&self, window_secs: u64) -> (u32, u64) {
        let now = now_secs();
        let mut w = lock(&self.window);
        if w.started == 0 || now >= w.started + window_secs {
            *w = Window { started: now, calls: 0 };
        }
        w.calls = w.calls.saturating_add(1);
        (w.calls, (w.started + window_secs).saturating_sub(now).max(1))
    }

    /// Invalidates every token of `person` issued until now.
    pub fn invalidate(&self, person: u32, why: Invalidation) {
        lock(&self.invalidated).insert(person, (now_ms(), why));
    }

    /// Whether a token of `person` issued at `issued_ms` has been invalidated.
    pub fn invalidation(&self, person: u32, issued_ms: u64) -> Option<Invalidation> {
        lock(&self.invalidated).get(&person).filter(|(at, _)| issued_ms <= *at).map(|(_, why)| *why)
    }

    /// Marks a code as used; false if it already was.
    pub fn use_code(&self, code: &str) -> bool {
        lock(&self.used_codes).insert(code.to_owned())
    }

    /// The ranking of interactors of the account at position `slot` in the dataset, computed
    /// once on first use.
    pub fn ranking(&self, slot: usize) -> &[Interactor] {
        match (self.rankings.get(slot), self.data.accounts.get(slot)) {
            (Some(cell), Some(account)) => cell.get_or_init(|| crate::data::rank(account)),
            _ => &[],
        }
    }
}

/// Unix seconds now.
pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// Unix milliseconds now.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
