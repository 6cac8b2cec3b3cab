//! The scheduler: every few seconds, starts the sends whose time has come (and schedules
//! the next wave of recurring ones), queues due reminders and due digests, releases the
//! anonymous webhook batches that are due, and takes on contact imports no process is
//! running (one whose process died); about once an hour it deletes expired sessions,
//! sign-in attempts too old to count and old webhook messages. Every step claims its work
//! in the database (or, for the deletions, does the same thing twice harmlessly), so
//! several processes may run it at once.

use app::ports::Services;
use chrono::{DateTime, Utc};
use std::time::Duration;

/// How often the auth tables are pruned: often enough that rows do not pile up between
/// sign-ins, rarely enough to cost nothing.
const PRUNE_EVERY_MINUTES: i64 = 60;

pub async fn run(services: Services, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut scheduler = Scheduler::default();
    loop {
        tick.tick().await;
        scheduler.step(&services, Utc::now()).await;
    }
}

/// What the scheduler remembers between steps: when it next prunes.
#[derive(Debug, Default)]
pub struct Scheduler {
    /// None until the first step, which prunes at once (a process that restarts often
    /// still prunes).
    next_prune: Option<DateTime<Utc>>,
}

impl Scheduler {
    /// One round of the scheduler's work at `now`; failures are logged, the next step
    /// tries again.
    pub async fn step(&mut self, services: &Services, now: DateTime<Utc>) {
        if let Err(e) = app::api::sends::run_due(services, now).await {
            tracing::error!(error = %e, "scheduler");
        }
        run_imports(services).await;
        if let Err(e) = app::api::digests::run_due(services, now).await {
            tracing::error!(error = %e.message, "digests");
        }
        if let Err(e) = app::api::webhooks::release_held(services, now).await {
            tracing::error!(error = %e.message, "releasing held webhooks");
        }
        if self.next_prune.is_none_or(|due| now >= due) {
            // The use case logs its own failure; the next hour tries again.
            let _ = app::api::auth::prune_auth_records(services, now).await;
            if let Err(e) = app::api::webhooks::prune(services, now).await {
                tracing::error!(error = %e.message, "pruning webhook messages");
            }
            self.next_prune = Some(now + chrono::Duration::minutes(PRUNE_EVERY_MINUTES));
        }
    }
}

/// Runs started imports now, off the request that started them.
pub fn import_now(services: &Services) {
    let services = services.clone();
    tokio::spawn(async move { run_imports(&services).await });
}

async fn run_imports(services: &Services) {
    if let Err(e) = app::api::imports::run_imports(services.store.as_ref()).await {
        tracing::error!(error = %e.message, "contact import");
    }
}
