//! Token buckets: a burst of requests at once, then a steady rate, per key. Pure (the
//! caller passes the time), so a test walks the clock instead of sleeping. Memory stays
//! bounded by traffic: a key that has been idle long enough to be full again is the same
//! as a key never seen, so it is dropped.

use std::collections::HashMap;
use std::hash::Hash;
use std::time::{Duration, Instant};

/// How full one key's bucket was at `at`.
#[derive(Clone, Copy, Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// One bucket per key: `burst` tokens when full, refilled at `per_second`.
#[derive(Debug)]
pub struct TokenBuckets<K> {
    burst: f64,
    per_second: f64,
    buckets: HashMap<K, Bucket>,
    /// Drop idle keys once the map grows past this; it doubles with the keys that are
    /// still busy, so pruning costs O(1) per request on average.
    prune_at: usize,
}

/// The smallest map size worth pruning.
const MIN_PRUNE_AT: usize = 1024;

impl<K: Hash + Eq> TokenBuckets<K> {
    /// A burst below one or a rate of zero would refuse everyone: both are raised to
    /// their smallest useful value.
    pub fn new(burst: u32, per_second: f64) -> Self {
        Self {
            burst: f64::from(burst.max(1)),
            per_second: if per_second.is_finite() && per_second > 0.0 {
                per_second
            } else {
                f64::MIN_POSITIVE
            },
            buckets: HashMap::new(),
            prune_at: MIN_PRUNE_AT,
        }
    }

    /// Takes one token for `key` at `now`, or says how long until one is there.
    pub fn take(&mut self, key: K, now: Instant) -> Result<(), Duration> {
        if self.buckets.len() >= self.prune_at {
            self.prune(now);
            self.prune_at = (self.buckets.len() * 2).max(MIN_PRUNE_AT);
        }
        let (burst, per_second) = (self.burst, self.per_second);
        let bucket = self.buckets.entry(key).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let tokens = Self::refilled(burst, per_second, *bucket, now);
        if tokens >= 1.0 {
            *bucket = Bucket {
                tokens: tokens - 1.0,
                at: now,
            };
            Ok(())
        } else {
            *bucket = Bucket { tokens, at: now };
            Err(Duration::from_secs_f64(
                ((1.0 - tokens) / per_second).min(u32::MAX.into()),
            ))
        }
    }

    /// Forgets every key whose bucket would be full at `now`.
    pub fn prune(&mut self, now: Instant) {
        let (burst, per_second) = (self.burst, self.per_second);
        self.buckets
            .retain(|_, bucket| Self::refilled(burst, per_second, *bucket, now) < burst);
    }

    /// Keys remembered now.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }

    fn refilled(burst: f64, per_second: f64, bucket: Bucket, now: Instant) -> f64 {
        // A clock that went backwards (another thread's `now` came first) adds nothing.
        let elapsed = now.saturating_duration_since(bucket.at).as_secs_f64();
        (bucket.tokens + elapsed * per_second).min(burst)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secs(s: f64) -> Duration {
        Duration::from_secs_f64(s)
    }

    #[test]
    fn a_burst_passes_then_the_next_request_waits_for_the_refill() {
        let start = Instant::now();
        let mut limits = TokenBuckets::new(3, 2.0);
        for _ in 0..3 {
            assert_eq!(limits.take("a", start), Ok(()));
        }
        assert_eq!(limits.take("a", start), Err(secs(0.5)));
        assert_eq!(limits.take("a", start + secs(0.5)), Ok(()));
        assert!(limits.take("a", start + secs(0.5)).is_err());
    }

    #[test]
    fn a_steady_pace_within_the_rate_is_never_refused() {
        let start = Instant::now();
        let mut limits = TokenBuckets::new(2, 1.0);
        for i in 0..1000 {
            assert_eq!(limits.take("a", start + secs(f64::from(i))), Ok(()), "{i}");
        }
    }

    #[test]
    fn keys_have_buckets_of_their_own() {
        let now = Instant::now();
        let mut limits = TokenBuckets::new(1, 1.0);
        assert_eq!(limits.take(("10.0.0.1", 1), now), Ok(()));
        assert!(limits.take(("10.0.0.1", 1), now).is_err());
        assert_eq!(limits.take(("10.0.0.1", 2), now), Ok(()));
        assert_eq!(limits.take(("10.0.0.2", 1), now), Ok(()));
    }

    #[test]
    fn refused_requests_do_not_dig_the_bucket_deeper() {
        let start = Instant::now();
        let mut limits = TokenBuckets::new(1, 1.0);
        assert_eq!(limits.take("a", start), Ok(()));
        for _ in 0..100 {
            assert!(limits.take("a", start).is_err());
        }
        assert_eq!(limits.take("a", start + secs(1.0)), Ok(()));
    }

    #[test]
    fn a_full_bucket_is_forgotten_so_idle_keys_take_no_memory() {
        let start = Instant::now();
        let mut limits = TokenBuckets::new(4, 2.0);
        limits.take("busy", start).ok();
        limits.take("idle", start).ok();
        limits.prune(start + secs(0.25));
        assert_eq!(limits.len(), 2, "both are still refilling");
        limits.take("busy", start + secs(0.5)).ok();
        limits.prune(start + secs(0.5));
        assert_eq!(limits.len(), 1, "idle is full again after half a second");
    }

    #[test]
    fn many_one_off_keys_are_pruned_as_the_map_grows() {
        let start = Instant::now();
        let mut limits = TokenBuckets::new(2, 1.0);
        for i in 0..100_000u32 {
            // Each key asks once and is full again a second later.
            limits.take(i, start + secs(f64::from(i) * 0.01)).ok();
        }
        assert!(
            limits.len() <= 2 * MIN_PRUNE_AT,
            "{} keys kept",
            limits.len()
        );
    }
}
