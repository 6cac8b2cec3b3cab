//! The HTML shell and the route table.

use crate::pages::{
    account::AccountPage,
    answer::AnswerPage,
    case::CasePage,
    cases::CasesPage,
    contacts::{ContactsPage, ImportPage},
    digest_stop::DigestStopPage,
    editor::EditorPage,
    forgot::ForgotPage,
    home::HomePage,
    inbox::InboxPage,
    login::LoginPage,
    not_found::NotFound,
    password::PasswordPage,
    response::ResponsePage,
    sends::{SendPage, SendsPage},
    setup::SetupPage,
    survey::SurveyPage,
    surveys::SurveysPage,
    thanks::ThanksPage,
    tokens::TokensPage,
    unsubscribe::UnsubscribePage,
    users::UsersPage,
    webhooks::{WebhookPage, WebhooksPage},
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

/// Whether the page at `path` ships the app's code and hydrates.
///
/// How pages ship their code: a respondent's pages (answer links `/s/` and `/t/`, their
/// thank-you pages, unsubscribe links `/u/`) are forms opened from an email, mostly on a
/// phone; everything on them works as HTML and CSS, so they ship no WebAssembly at all
/// and paint once. Every other page (the admin area and any page added to it) hydrates
/// the one app bundle, which browsers download once and cache for good (hashed names).
/// A new respondent page joins the first group and must work without code.
#[cfg_attr(not(feature = "ssr"), allow(dead_code))]
pub fn hydrates(path: &str) -> bool {
    !["/s/", "/t/", "/u/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
}

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    let hydrate = use_context::<http::request::Parts>().is_none_or(|req| hydrates(req.uri.path()));
    #[cfg(not(feature = "ssr"))]
    let hydrate = true;
    let scripts = hydrate.then(|| {
        view! {
            <AutoReload options=options.clone() />
            <HydrationScripts options=options.clone() />
        }
    });
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <HashedStylesheet options id="leptos" />
                {scripts}
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Every route renders fully before the first byte: pages must work with JavaScript off,
    // and a redirect or a 404 status can only be set before the body starts.
    let ssr = SsrMode::Async;
    view! {
        <Title text="Resonance" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=ssr.clone() />
                <Route path=path!("/setup") view=SetupPage ssr=ssr.clone() />
                <Route path=path!("/login") view=LoginPage ssr=ssr.clone() />
                <Route path=path!("/forgot") view=ForgotPage ssr=ssr.clone() />
                <Route path=path!("/password/:token") view=PasswordPage ssr=ssr.clone() />
                <Route path=path!("/surveys") view=SurveysPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id") view=SurveyPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/edit") view=EditorPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/sends") view=SendsPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/sends/:send") view=SendPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/responses/:response") view=ResponsePage ssr=ssr.clone() />
                <Route path=path!("/responses") view=InboxPage ssr=ssr.clone() />
                <Route path=path!("/cases") view=CasesPage ssr=ssr.clone() />
                <Route path=path!("/cases/:id") view=CasePage ssr=ssr.clone() />
                <Route path=path!("/contacts") view=ContactsPage ssr=ssr.clone() />
                <Route path=path!("/contacts/imports/:id") view=ImportPage ssr=ssr.clone() />
                <Route path=path!("/settings/tokens") view=TokensPage ssr=ssr.clone() />
                <Route path=path!("/settings/users") view=UsersPage ssr=ssr.clone() />
                <Route path=path!("/settings/webhooks") view=WebhooksPage ssr=ssr.clone() />
                <Route path=path!("/settings/webhooks/:id") view=WebhookPage ssr=ssr.clone() />
                <Route path=path!("/settings/account") view=AccountPage ssr=ssr.clone() />
                <Route path=path!("/s/:id") view=|| view! { <AnswerPage link_kind="s" /> } ssr=ssr.clone() />
                <Route path=path!("/s/:id/thanks") view=|| view! { <ThanksPage link_kind="s" /> } ssr=ssr.clone() />
                <Route path=path!("/t/:id") view=|| view! { <AnswerPage link_kind="t" /> } ssr=ssr.clone() />
                <Route path=path!("/u/:token") view=UnsubscribePage ssr=ssr.clone() />
                <Route path=path!("/d/:token") view=DigestStopPage ssr=ssr.clone() />
                <Route path=path!("/t/:id/thanks") view=|| view! { <ThanksPage link_kind="t" /> } ssr=ssr />
            </Routes>
        </Router>
    }
}

#[cfg(test)]
mod tests {
    use super::hydrates;

    #[test]
    fn respondent_pages_ship_no_code_and_admin_pages_hydrate() {
        for path in [
            "/s/nps-q4",
            "/s/nps-q4/thanks",
            "/t/abc",
            "/t/abc/thanks",
            "/u/abc",
        ] {
            assert!(!hydrates(path), "{path}");
        }
        for path in [
            "/",
            "/login",
            "/setup",
            "/surveys",
            "/surveys/1",
            "/contacts",
            "/sx",
        ] {
            assert!(hydrates(path), "{path}");
        }
    }
}
