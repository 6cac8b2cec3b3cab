//! The scheduler: every few seconds, starts the sends whose time has come (and schedules
//! the next wave of recurring ones), queues due reminders, and takes on contact imports
//! no process is running (one whose process died). Every step claims its work in the
//! database, so several processes may run it at once.

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
        run_imports(&services).await;
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
