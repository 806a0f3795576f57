//! Exponential backoff with jitter, bounded by a cap.

use std::time::Duration;

use rand::Rng as _;

/// When to retry after a transient failure.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    /// The delay after the first failed attempt (before jitter).
    pub base: Duration,
    /// The longest delay.
    pub cap: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { base: Duration::from_secs(5), cap: Duration::from_secs(3600) }
    }
}

impl Backoff {
    /// The delay after failed attempt number `attempt` (1-based): `base · 2^(attempt-1)`,
    /// capped, with "equal jitter" (a random point in its upper half) so that
    /// jobs failing together do not retry together. A wait the remote asked for
    /// is honoured as a floor.
    pub fn delay(&self, attempt: i32, asked: Option<Duration>) -> Duration {
        let exponent = u32::try_from(attempt.saturating_sub(1)).unwrap_or(0).min(30);
        let full = self.base.saturating_mul(1u32 << exponent).min(self.cap);
        let half = full / 2;
        let jitter = rand::rng().random_range(0..=half.as_millis().max(1) as u64);
        let delay = half + Duration::from_millis(jitter);
        asked.map_or(delay, |asked| asked.max(delay.min(asked + half)))
    }

    /// `wait` plus a random share of it (up to a fifth, and at least up to 5 s), so that jobs
    /// told to wait together (throttled by the same limit) do not all come back together.
    pub fn spread(wait: Duration) -> Duration {
        let room = (wait / 5).max(Duration::from_secs(5));
        wait + room.mul_f64(rand::rng().random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKOFF: Backoff = Backoff { base: Duration::from_secs(2), cap: Duration::from_secs(60) };

    #[test]
    fn delays_grow_exponentially_within_jitter() {
        for attempt in 1..=5 {
            let full = Duration::from_secs(2 << (attempt - 1));
            for _ in 0..50 {
                let delay = BACKOFF.delay(attempt, None);
                assert!(delay >= full / 2 && delay <= full, "attempt {attempt}: {delay:?}");
            }
        }
    }

    #[test]
    fn delays_are_capped() {
        for _ in 0..50 {
            let delay = BACKOFF.delay(30, None);
            assert!(delay >= Duration::from_secs(30) && delay <= Duration::from_secs(60), "{delay:?}");
        }
    }

    #[test]
    fn a_requested_wait_is_a_floor() {
        let asked = Duration::from_secs(600);
        for _ in 0..50 {
            let delay = BACKOFF.delay(1, Some(asked));
            assert!(delay >= asked, "{delay:?}");
            assert!(delay <= asked + Duration::from_secs(1), "{delay:?}");
        }
    }
}
