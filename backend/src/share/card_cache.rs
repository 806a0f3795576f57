//! Rendered cards kept in memory, a bounded number, the least recently used dropped first.
//! Keyed by the card's ETag, which names the data drawn: a recomputed crush is a new entry.

use std::{
    collections::HashMap,
    sync::{Mutex, MutexGuard, PoisonError},
};

use axum::body::Bytes;

/// A bounded map of ETag to PNG.
#[derive(Debug)]
pub struct CardCache {
    capacity: usize,
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    /// Each card with when it was last used.
    entries: HashMap<String, (u64, Bytes)>,
    clock: u64,
}

impl CardCache {
    /// A cache holding at most `capacity` cards (0 keeps none).
    pub fn new(capacity: usize) -> Self {
        Self { capacity, inner: Mutex::new(Inner::default()) }
    }

    fn inner(&self) -> MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave a half-written entry: recover the map.
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The card for `etag`, if kept.
    pub fn get(&self, etag: &str) -> Option<Bytes> {
        let mut inner = self.inner();
        inner.clock += 1;
        let now = inner.clock;
        let (used, png) = inner.entries.get_mut(etag)?;
        *used = now;
        Some(png.clone())
    }

    /// Keeps `png` for `etag`, dropping the least recently used card when full.
    pub fn insert(&self, etag: String, png: Bytes) {
        if self.capacity == 0 {
            return;
        }
        let mut inner = self.inner();
        inner.clock += 1;
        let now = inner.clock;
        if inner.entries.len() >= self.capacity && !inner.entries.contains_key(&etag) {
            let oldest = inner.entries.iter().min_by_key(|(_, (used, _))| *used).map(|(key, _)| key.clone());
            if let Some(oldest) = oldest {
                inner.entries.remove(&oldest);
            }
        }
        inner.entries.insert(etag, (now, png));
    }

    /// How many cards are kept.
    pub fn len(&self) -> usize {
        self.inner().entries.len()
    }

    /// Whether no card is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_at_most_its_capacity_dropping_the_least_recently_used() {
        let cache = CardCache::new(2);
        cache.insert("a".to_owned(), Bytes::from_static(b"A"));
        cache.insert("b".to_owned(), Bytes::from_static(b"B"));
        assert_eq!(cache.get("a").as_deref(), Some(&b"A"[..]));
        cache.insert("c".to_owned(), Bytes::from_static(b"C"));
        assert_eq!(cache.len(), 2);
        assert!(cache.get("b").is_none(), "b was used least recently");
        assert!(cache.get("a").is_some() && cache.get("c").is_some());
    }

    #[test]
    fn zero_capacity_keeps_nothing() {
        let cache = CardCache::new(0);
        cache.insert("a".to_owned(), Bytes::from_static(b"A"));
        assert!(cache.is_empty());
    }
}
