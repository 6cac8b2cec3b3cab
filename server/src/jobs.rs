//! The scheduler: every few seconds, starts the sends whose time has come (and schedules
//! the next wave of recurring ones) and queues due reminders. Every step claims its work
//! in the database, so several processes may run it at once.

use app::ports::Services;
use chrono::Utc;
use std::time::Duration;

pub async fn run(services: Services, every: Duration) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        if let Err(e) = app::api::sends::run_due(&services, Utc::now()).await {
            tracing::error!(error = %e, "scheduler");
        }
    }
}
