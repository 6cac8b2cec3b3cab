//! Why a page's data could not be shown, with the status its error carries (403 when the
//! role does not reach it, 429 when a limit was hit), so a page answers as the API does.

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn PageError(error: AppError) -> impl IntoView {
    // Pages render whole before they are sent (`SsrMode::Async`), so the status applies.
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.kind.status()) {
            res.set_status(status);
        }
    }
    view! { <p class="form-error" role="alert" data-testid="page-error">{error.message}</p> }
}
