//! Password hashing under a process-wide limit. Argon2id is meant to be expensive (tens
//! of milliseconds of CPU and ~19 MiB per hash), so a flood of sign-ins must not pile up
//! on the blocking thread pool: at most one hash per CPU runs at a time, a few more wait,
//! and anyone beyond that is told to come back in a moment instead of queueing forever.

use crate::error::{AppError, ErrorKind};
use std::sync::{Arc, LazyLock};
use tokio::sync::Semaphore;

/// How long a client refused by a full queue is asked to wait, in seconds.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// Hashes that may wait per CPU: a short burst of sign-ins (a team arriving at nine)
/// waits a fraction of a second; a flood is refused instead of waiting for ever.
const WAITING_PER_CPU: usize = 4;

/// The gate every password hash and check of this process goes through.
pub static PASSWORDS: LazyLock<HashGate> = LazyLock::new(|| {
    let cpus = std::thread::available_parallelism().map_or(1, usize::from);
    HashGate::new(cpus, cpus * WAITING_PER_CPU)
});

/// Admits at most `running + waiting` hashes at once and runs `running` of them.
pub struct HashGate {
    /// One permit per hash admitted (running or waiting); none left means refuse.
    admitted: Arc<Semaphore>,
    /// One permit per hash running on the blocking pool.
    running: Arc<Semaphore>,
}

impl HashGate {
    pub fn new(running: usize, waiting: usize) -> Self {
        let running = running.max(1);
        Self {
            admitted: Arc::new(Semaphore::new(running + waiting)),
            running: Arc::new(Semaphore::new(running)),
        }
    }

    /// Runs `work` on the blocking pool once a slot is free, or refuses at once with a
    /// 429 when the queue is full. Dropping the future gives up its place in the queue.
    pub async fn run<T, F>(&self, work: F) -> Result<T, AppError>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let Ok(_admitted) = self.admitted.clone().try_acquire_owned() else {
            tracing::warn!("password hashing queue full: refusing a sign-in");
            return Err(AppError::new(
                ErrorKind::RateLimited,
                "Many people are signing in right now. Please try again in a few seconds.",
            )
            .retry_after(BUSY_RETRY_AFTER_SECS));
        };
        let running = self
            .running
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::internal())?;
        tokio::task::spawn_blocking(move || {
            // Held until the hash is done even if the request went away meanwhile: the
            // CPU stays busy until then either way.
            let _running = running;
            work()
        })
        .await
        .map_err(|_| AppError::internal())
    }

    /// Places left for hashes to run or wait.
    pub fn places_left(&self) -> usize {
        self.admitted.available_permits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn until(mut ready: impl FnMut() -> bool) {
        while !ready() {
            tokio::task::yield_now().await;
        }
    }

    #[tokio::test]
    async fn a_hash_beyond_the_running_and_waiting_places_is_refused_with_a_retry_after() {
        let gate = Arc::new(HashGate::new(1, 1));
        let places = gate.places_left();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let running = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(move || held.recv().is_ok()).await }
        });
        until(|| gate.places_left() == places - 1).await;
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(|| "waited").await }
        });
        until(|| gate.places_left() == places - 2).await;

        // Polled once: a refusal comes at once, it does not wait its turn first.
        let refused = tokio::select! {
            biased;
            refused = gate.run(|| ()) => refused.expect_err("the queue is full"),
            () = std::future::ready(()) => panic!("a hash beyond the queue waited instead"),
        };
        assert_eq!(refused.kind, ErrorKind::RateLimited);
        assert_eq!(refused.retry_after, Some(BUSY_RETRY_AFTER_SECS));
        assert!(refused.message.contains("try again"));

        release.send(()).expect("the first hash is waiting");
        assert_eq!(running.await.expect("task"), Ok(true));
        assert_eq!(waiting.await.expect("task"), Ok("waited"));
        assert_eq!(
            gate.places_left(),
            places,
            "places come back once hashes finish"
        );
        assert_eq!(gate.run(|| 7).await, Ok(7));
    }

    #[tokio::test]
    async fn a_hash_that_waits_gives_up_its_place_when_its_request_goes_away() {
        let gate = Arc::new(HashGate::new(1, 1));
        let places = gate.places_left();
        let (release, held) = std::sync::mpsc::channel::<()>();
        let running = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(move || held.recv().is_ok()).await }
        });
        until(|| gate.places_left() == places - 1).await;
        let waiting = tokio::spawn({
            let gate = gate.clone();
            async move { gate.run(|| ()).await }
        });
        until(|| gate.places_left() == places - 2).await;
        waiting.abort();
        let _ = waiting.await;
        assert_eq!(gate.places_left(), places - 1);
        release.send(()).expect("the first hash is waiting");
        assert_eq!(running.await.expect("task"), Ok(true));
    }
}
