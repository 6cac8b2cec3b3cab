//! Resonance's user interface and use cases: a Leptos app rendered on the server and
//! hydrated in the browser. `domain` is pure and shared by every view; `api` holds the
//! server functions; `ports` the traits the server crate implements.

pub mod api;
mod app;
pub mod components;
pub mod domain;
pub mod error;
pub mod model;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod ports;

pub use app::{shell, App};

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(App);
    // Lets browser tests (and curious people) tell a hydrated page from plain HTML.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
