//! A page that follows something under way (an import, a send, a webhook delivery) asks
//! again on a timer once it runs in the browser.

use leptos::prelude::*;
use std::time::Duration;

/// A count that goes up every `every` in the browser, and stops with the page that made
/// it: a resource keyed on it loads again at each tick. (A timer left running after the
/// page is gone would go on waking a page no one sees.)
pub fn ticks(every: Duration) -> ReadSignal<u32> {
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Ok(timer) = set_interval_with_handle(move || tick.update(|t| *t += 1), every) {
            on_cleanup(move || timer.clear());
        }
    });
    tick.read_only()
}
