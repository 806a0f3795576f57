//! Short-lived, in-process caches of what the hottest reads answer: public crush pages,
//! signed-in users' fresh crushes, and whether a session or API token still stands.
//!
//! Each entry lives at most `READ_CACHE_MS` (1 s by default; 0 turns caching off). Writes made
//! by this process forget what they change at once; a write made by another process (a worker,
//! a second API server on the same PostgreSQL) shows after at most that long. Revocations are
//! the exception ([`broadcast`]): a sign-out, a revoked API token or a deleted account is
//! announced to every process on the same PostgreSQL, which forgets at once what it knew of
//! the credentials. A public page already tells browsers and proxies to keep it 60 s.

pub mod broadcast;

use std::{
    collections::HashMap,
    hash::Hash,
    sync::{
        Mutex,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use axum::body::Bytes;

/// At most this many entries per cache: a flood of distinct keys clears it instead of growing it.
const CAPACITY: usize = 10_000;

/// A map whose entries expire after a fixed time.
#[derive(Debug)]
pub struct TtlCache<K, V> {
    ttl: Duration,
    entries: Mutex<HashMap<K, (Instant, V)>>,
}

impl<K: Eq + Hash, V: Clone> TtlCache<K, V> {
    /// A cache keeping entries `ttl`; a zero `ttl` keeps nothing.
    pub fn new(ttl: Duration) -> Self {
        Self { ttl, entries: Mutex::new(HashMap::new()) }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<K, (Instant, V)>> {
        // A panic while holding the lock cannot leave a half-written entry: recover the map.
        self.entries.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The live value for `key`.
    pub fn get(&self, key: &K) -> Option<V> {
        if self.ttl.is_zero() {
            return None;
        }
        let mut entries = self.entries();
        match entries.get(key) {
            Some((expires, value)) if *expires > Instant::now() => Some(value.clone()),
            Some(_) => {
                entries.remove(key);
                None
            }
            None => None,
        }
    }

    /// Keeps `value` for `key`, for the cache's TTL or `at_most`, whichever is shorter.
    pub fn insert(&self, key: K, value: V, at_most: Option<Duration>) {
        let ttl = at_most.map_or(self.ttl, |limit| limit.min(self.ttl));
        if ttl.is_zero() {
            return;
        }
        let now = Instant::now();
        let mut entries = self.entries();
        if entries.len() >= CAPACITY {
            entries.retain(|_, (expires, _)| *expires > now);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key, (now + ttl, value));
    }

    /// Forgets `key`.
    pub fn remove(&self, key: &K) {
        self.entries().remove(key);
    }

    /// Forgets everything.
    pub fn clear(&self) {
        self.entries().clear();
    }
}

/// What a revocation makes stale, in this process and (announced) in every other.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revoked {
    /// One session or API token: it is not trusted from memory any more; the others stay
    /// cached (a sign-out does not make every signed-in request ask the database again).
    Credential(Credential),
    /// Some session or API token, which one not at hand: no credential is trusted from
    /// memory any more.
    Credentials,
    /// A deleted user: their credentials, their answers and the public pages.
    User(i64),
    /// A deleted user whose id is not at hand: everything.
    Everything,
}

/// What a still-valid credential is, for [`ReadCaches::credentials`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Credential {
    /// A session's refresh-token family (user id, family id).
    Session(i64, String),
    /// An API token (user id, token id).
    ApiToken(i64, i64),
}

/// The process's read caches (see the module docs).
#[derive(Debug)]
pub struct ReadCaches {
    /// Public crush pages by slug: the JSON body.
    pub public_crush: TtlCache<String, Bytes>,
    /// A fresh user's `GET /api/crush` answer by user id: the JSON body.
    pub my_crush: TtlCache<i64, Bytes>,
    /// Credentials known to stand (never the ones that do not).
    pub credentials: TtlCache<Credential, ()>,
    /// Counts the times credentials were forgotten: a check that began before a revocation
    /// was forgotten must not put back what it read ([`ReadCaches::credential_stands`]).
    revocations: AtomicU64,
}

impl ReadCaches {
    /// Caches keeping entries `ttl` (zero: no caching).
    pub fn new(ttl: Duration) -> Self {
        Self {
            public_crush: TtlCache::new(ttl),
            my_crush: TtlCache::new(ttl),
            credentials: TtlCache::new(ttl),
            revocations: AtomicU64::new(0),
        }
    }

    /// After a credential was revoked: none is trusted from memory any more.
    pub fn forget_credentials(&self) {
        self.revocations.fetch_add(1, Ordering::SeqCst);
        self.credentials.clear();
    }

    /// A mark to take before checking a credential in the database, for
    /// [`ReadCaches::credential_stands`].
    pub fn revocation_mark(&self) -> u64 {
        self.revocations.load(Ordering::SeqCst)
    }

    /// Remembers that `credential` stands, as read in the database after `mark` was taken,
    /// unless credentials were forgotten since: the read may predate that revocation.
    pub fn credential_stands(&self, credential: Credential, mark: u64) {
        if self.revocation_mark() != mark {
            return;
        }
        self.credentials.insert(credential.clone(), (), None);
        // A revocation counts before it clears: one that came between the two looks is undone
        // here, one after the second clears this entry itself.
        if self.revocation_mark() != mark {
            self.credentials.remove(&credential);
        }
    }

    /// After `user_id`'s account data changed (a sync ended, a sync was asked for): their
    /// answer, and the public pages (one of which may be theirs).
    pub fn forget_crushes_of(&self, user_id: i64) {
        self.my_crush.remove(&user_id);
        self.public_crush.clear();
    }

    /// After a user was deleted: everything that could show them or let them in.
    pub fn forget_user(&self, user_id: i64) {
        self.forget_crushes_of(user_id);
        self.forget_credentials();
    }

    /// After `credential` was revoked: it is not trusted from memory any more.
    pub fn forget_credential(&self, credential: &Credential) {
        // Counted before it is removed, as in [`ReadCaches::forget_credentials`]: a check of
        // it that read "stands" before the revocation does not put it back.
        self.revocations.fetch_add(1, Ordering::SeqCst);
        self.credentials.remove(credential);
    }

    /// Forgets what `revoked` makes stale.
    pub fn forget(&self, revoked: &Revoked) {
        match revoked {
            Revoked::Credential(credential) => self.forget_credential(credential),
            Revoked::Credentials => self.forget_credentials(),
            Revoked::User(user_id) => self.forget_user(*user_id),
            Revoked::Everything => self.clear(),
        }
    }

    /// Forgets everything (a user was deleted whose id is not at hand).
    pub fn clear(&self) {
        self.public_crush.clear();
        self.my_crush.clear();
        self.forget_credentials();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_entries_for_the_ttl_only() {
        let cache = TtlCache::new(Duration::from_millis(30));
        cache.insert("a", 1, None);
        assert_eq!(cache.get(&"a"), Some(1));
        std::thread::sleep(Duration::from_millis(40));
        assert_eq!(cache.get(&"a"), None);
    }

    #[test]
    fn a_shorter_limit_wins_and_zero_keeps_nothing() {
        let cache = TtlCache::new(Duration::from_secs(60));
        cache.insert("short", 1, Some(Duration::from_millis(10)));
        cache.insert("none", 2, Some(Duration::ZERO));
        std::thread::sleep(Duration::from_millis(20));
        assert_eq!(cache.get(&"short"), None);
        assert_eq!(cache.get(&"none"), None);

        let off = TtlCache::new(Duration::ZERO);
        off.insert("a", 1, None);
        assert_eq!(off.get(&"a"), None);
    }

    #[test]
    fn forgets_on_request_and_stays_bounded() {
        let cache = TtlCache::new(Duration::from_secs(60));
        cache.insert(1, (), None);
        cache.insert(2, (), None);
        cache.remove(&1);
        assert_eq!(cache.get(&1), None);
        assert_eq!(cache.get(&2), Some(()));
        for key in 3..(CAPACITY as i32 + 10) {
            cache.insert(key, (), None);
        }
        assert!(cache.entries().len() <= CAPACITY);
        cache.clear();
        assert_eq!(cache.get(&(CAPACITY as i32 + 5)), None);
    }

    #[test]
    fn a_revoked_credential_is_forgotten_alone_and_a_check_under_way_does_not_put_it_back() {
        let caches = ReadCaches::new(Duration::from_secs(60));
        let (revoked, other) = (Credential::Session(7, "a".to_owned()), Credential::ApiToken(8, 2));
        caches.credentials.insert(revoked.clone(), (), None);
        caches.credentials.insert(other.clone(), (), None);
        let mark = caches.revocation_mark();

        caches.forget(&Revoked::Credential(revoked.clone()));

        assert_eq!(caches.credentials.get(&revoked), None);
        assert_eq!(caches.credentials.get(&other), Some(()), "another credential stays cached");
        caches.credential_stands(revoked.clone(), mark);
        assert_eq!(caches.credentials.get(&revoked), None, "a read from before the revocation");
    }

    #[test]
    fn deleting_a_user_forgets_their_answers_pages_and_credentials() {
        let caches = ReadCaches::new(Duration::from_secs(60));
        caches.my_crush.insert(7, Bytes::from_static(b"{}"), None);
        caches.my_crush.insert(8, Bytes::from_static(b"{}"), None);
        caches.public_crush.insert("slug".to_owned(), Bytes::from_static(b"{}"), None);
        caches.credentials.insert(Credential::ApiToken(7, 1), (), None);

        caches.forget_user(7);

        assert_eq!(caches.my_crush.get(&7), None);
        assert!(caches.my_crush.get(&8).is_some(), "another user's answer is unaffected");
        assert_eq!(caches.public_crush.get(&"slug".to_owned()), None);
        assert_eq!(caches.credentials.get(&Credential::ApiToken(7, 1)), None);
    }
}
