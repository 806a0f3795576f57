//! The sandbox's shared state: the dataset, the token signer, the runtime knobs, the sandbox
//! clock, and what must be remembered between calls (rate-limit windows, call counts,
//! revocations, used codes, added comments and deleted posts, webhook subscriptions).

mod calls;
mod limits;

pub use calls::{endpoint, loggable};
pub use limits::{Count, Limits};

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::config::SandboxConfig;
use crate::data::{self, Account, AccountChanges, Dataset, Ranking, Tallies, View};
use crate::ids;
use crate::knobs::Knobs;
use crate::tokens::Signer;
use crate::webhook::Outbox;

/// Why a person's older tokens stopped working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invalidation {
    /// The user removed the app or changed their password (subcode 460).
    Revoked,
    /// The session expired early (subcode 463).
    Expired,
}

/// Per account: the generated interactions tallied for the lenient and the strict mode, and
/// the people strict mode never withholds.
#[derive(Debug, Default)]
struct Cached {
    tallies: [OnceLock<Tallies>; 2],
    protected: OnceLock<Vec<u32>>,
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
    /// Rate-limit windows.
    pub limits: Limits,
    /// Call counters.
    pub calls: calls::Calls,
    /// Webhook notifications waiting and delivered.
    pub outbox: Outbox,
    knobs: RwLock<Knobs>,
    invalidated: Mutex<HashMap<u32, (u64, Invalidation)>>,
    used_codes: Mutex<HashSet<String>>,
    changes: RwLock<HashMap<u32, Arc<AccountChanges>>>,
    subscriptions: Mutex<HashMap<u32, BTreeSet<String>>>,
    dice: AtomicU64,
    cached: Vec<Cached>,
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
        let cached = data.accounts.iter().map(|_| Cached::default()).collect();
        Self {
            signer: Signer::new(config.seed),
            knobs: RwLock::new(Knobs::from(&config).normalised()),
            data,
            config,
            limits: Limits::default(),
            calls: calls::Calls::default(),
            outbox: Outbox::new(),
            invalidated: Mutex::new(HashMap::new()),
            used_codes: Mutex::new(HashSet::new()),
            changes: RwLock::new(HashMap::new()),
            subscriptions: Mutex::new(HashMap::new()),
            dice: AtomicU64::new(0),
            cached,
        }
    }

    /// The current knobs.
    pub fn knobs(&self) -> Knobs {
        self.knobs.read().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Whether strict rules apply now.
    pub fn strict(&self) -> bool {
        self.knobs.read().unwrap_or_else(std::sync::PoisonError::into_inner).strict()
    }

    /// Changes the knobs.
    pub fn update_knobs(&self, f: impl FnOnce(&mut Knobs)) -> Knobs {
        let mut guard = self.knobs.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard);
        guard.clone()
    }

    /// Restores the knobs to the start-up configuration and forgets rate-limit windows and
    /// revocations.
    pub fn reset(&self) -> Knobs {
        self.limits.reset();
        lock(&self.invalidated).clear();
        self.update_knobs(|k| *k = Knobs::from(&self.config).normalised())
    }

    /// The sandbox clock, unix seconds: the real time plus the configured offset.
    pub fn now_secs(&self) -> u64 {
        self.now_ms() / 1000
    }

    /// The sandbox clock, unix milliseconds.
    pub fn now_ms(&self) -> u64 {
        let real = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        let offset = self.knobs.read().unwrap_or_else(std::sync::PoisonError::into_inner).clock_offset_secs;
        real.saturating_add_signed(offset.saturating_mul(1000))
    }

    /// A fresh number per API call, for the seeded dice of latency jitter and failures.
    pub fn next_call(&self) -> u64 {
        self.dice.fetch_add(1, Ordering::Relaxed)
    }

    /// Invalidates every token of `person` issued until now.
    pub fn invalidate(&self, person: u32, why: Invalidation) {
        let now = self.now_ms();
        lock(&self.invalidated).insert(person, (now, why));
    }

    /// Whether a token of `person` issued at `issued_ms` has been invalidated.
    pub fn invalidation(&self, person: u32, issued_ms: u64) -> Option<Invalidation> {
        lock(&self.invalidated).get(&person).filter(|(at, _)| issued_ms <= *at).map(|(_, why)| *why)
    }

    /// Marks a code as used; false if it already was.
    pub fn use_code(&self, code: &str) -> bool {
        lock(&self.used_codes).insert(code.to_owned())
    }

    /// The id person `person` shows on account `account`'s media in the current mode.
    pub fn shown_id(&self, person: u32, account: u32) -> u64 {
        ids::from_id(person, account, self.strict())
    }

    /// An account as the API shows it now: generated data plus changes.
    pub fn view<'a>(&self, account: &'a Account) -> View<'a> {
        let changes = self.changes.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        View::new(account, changes.get(&account.index).cloned().unwrap_or_default())
    }

    /// Changes account `account` (copy-on-write: readers keep the version they started with).
    pub fn change<R>(&self, account: u32, f: impl FnOnce(&mut AccountChanges) -> R) -> R {
        let mut all = self.changes.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        let entry = all.entry(account).or_default();
        f(Arc::make_mut(entry))
    }

    /// Forgets every added comment and deleted post.
    pub fn reset_changes(&self) {
        self.changes.write().unwrap_or_else(std::sync::PoisonError::into_inner).clear();
    }

    /// The webhook fields account `account` subscribed the app to.
    pub fn subscribed_fields(&self, account: u32) -> Vec<String> {
        lock(&self.subscriptions).get(&account).map(|f| f.iter().cloned().collect()).unwrap_or_default()
    }

    /// Subscribes the app to `fields` of account `account` (replacing earlier fields), or
    /// unsubscribes it when `fields` is empty.
    pub fn subscribe(&self, account: u32, fields: BTreeSet<String>) {
        let mut subscriptions = lock(&self.subscriptions);
        if fields.is_empty() {
            subscriptions.remove(&account);
        } else {
            subscriptions.insert(account, fields);
        }
    }

    /// Accounts subscribed to `field`, by account index, ascending.
    pub fn subscribers(&self, field: &str) -> Vec<u32> {
        let mut accounts: Vec<u32> =
            lock(&self.subscriptions).iter().filter(|(_, f)| f.contains(field)).map(|(a, _)| *a).collect();
        accounts.sort_unstable();
        accounts
    }

    /// The people strict mode always shows in full on the account at `slot`: the two best
    /// interactors of a demo account (so its designed crush and tie survive); nobody on the
    /// large account (which has no designed shape, and is too big to rank on first read).
    pub fn protected(&self, slot: usize) -> &[u32] {
        match (self.cached.get(slot), self.data.accounts.get(slot)) {
            (Some(cached), Some(account)) if !account.is_large() => cached.protected.get_or_init(|| {
                let Some(tallies) = self.tallies(slot, false) else {
                    return Vec::new();
                };
                let lenient = data::rank(tallies, &View::new(account, Arc::default()), ids::user_id);
                lenient.interactors.iter().take(2).map(|i| i.person).collect()
            }),
            _ => &[],
        }
    }

    /// [`Sandbox::protected`] for an account.
    pub fn protected_on(&self, account: &Account) -> &[u32] {
        self.data
            .accounts
            .iter()
            .position(|a| a.index == account.index)
            .map_or(&[], |slot| self.protected(slot))
    }

    fn tallies(&self, slot: usize, strict: bool) -> Option<&Tallies> {
        let (cached, account) = (self.cached.get(slot)?, self.data.accounts.get(slot)?);
        Some(cached.tallies[usize::from(strict)].get_or_init(|| {
            let strictness = strict.then(|| (self.data.seed, self.protected(slot)));
            data::tally(account, strictness)
        }))
    }

    /// The ranking of interactors of the account at position `slot` in the dataset, in the
    /// current mode, with its changes.
    pub fn ranking(&self, slot: usize) -> Ranking {
        let strict = self.strict();
        match (self.data.accounts.get(slot), self.tallies(slot, strict)) {
            (Some(account), Some(tallies)) => {
                data::rank(tallies, &self.view(account), |person| ids::from_id(person, account.index, strict))
            }
            _ => Ranking { interactors: Vec::new(), unattributed: 0 },
        }
    }
}

/// Real unix milliseconds (for trace ids; the API's own time is [`Sandbox::now_ms`]).
pub fn wall_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
