//! Limits on what the public may do: answers per client address and survey. The state
//! lives in the process (each process of a deployment limits on its own), which is
//! enough to stop one client flooding a survey without a round trip to the database.

use crate::domain::rate_limit::TokenBuckets;
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

/// Answers taken from one address for one survey: a burst, then a steady rate. An
/// office behind one NAT address answering an all-hands pulse at once is the case to
/// allow; a script posting hundreds of answers a minute is the one to stop.
#[derive(Debug)]
pub struct AnswerLimits {
    buckets: Mutex<TokenBuckets<(String, i64)>>,
}

impl AnswerLimits {
    pub const DEFAULT_BURST: u32 = 60;
    pub const DEFAULT_PER_SECOND: f64 = 2.0;

    pub fn new(burst: u32, per_second: f64) -> Self {
        Self {
            buckets: Mutex::new(TokenBuckets::new(burst, per_second)),
        }
    }

    /// Counts one answer from `client` to `survey_id` now, or says how long to wait.
    pub fn take(&self, client: &str, survey_id: i64) -> Result<(), Duration> {
        // A panic elsewhere while holding the lock leaves the buckets as consistent as
        // they ever are: keep limiting rather than fail every answer.
        self.buckets
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take((client.to_owned(), survey_id), Instant::now())
    }
}

impl Default for AnswerLimits {
    fn default() -> Self {
        Self::new(Self::DEFAULT_BURST, Self::DEFAULT_PER_SECOND)
    }
}
