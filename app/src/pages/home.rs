//! `/`: first run goes to setup, everyone else to the surveys.

use crate::api::auth::needs_setup;
use leptos::prelude::*;
use leptos_router::components::Redirect;

#[component]
pub fn HomePage() -> impl IntoView {
    let setup = Resource::new(|| (), |_| needs_setup());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let path = if setup.await == Ok(true) { "/setup" } else { "/surveys" };
                view! { <Redirect path=path /> }
            })}
        </Suspense>
    }
}
