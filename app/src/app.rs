//! The HTML shell and the route table.

use crate::pages::{
    answer::AnswerPage,
    contacts::{ContactsPage, ImportPage},
    editor::EditorPage,
    home::HomePage,
    login::LoginPage,
    not_found::NotFound,
    response::ResponsePage,
    sends::{SendPage, SendsPage},
    setup::SetupPage,
    survey::SurveyPage,
    surveys::SurveysPage,
    thanks::ThanksPage,
    tokens::TokensPage,
    unsubscribe::UnsubscribePage,
    users::UsersPage,
};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
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
        <Stylesheet id="leptos" href="/pkg/resonance.css" />
        <Title text="Resonance" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/") view=HomePage ssr=ssr.clone() />
                <Route path=path!("/setup") view=SetupPage ssr=ssr.clone() />
                <Route path=path!("/login") view=LoginPage ssr=ssr.clone() />
                <Route path=path!("/surveys") view=SurveysPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id") view=SurveyPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/edit") view=EditorPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/sends") view=SendsPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/sends/:send") view=SendPage ssr=ssr.clone() />
                <Route path=path!("/surveys/:id/responses/:response") view=ResponsePage ssr=ssr.clone() />
                <Route path=path!("/contacts") view=ContactsPage ssr=ssr.clone() />
                <Route path=path!("/contacts/imports/:id") view=ImportPage ssr=ssr.clone() />
                <Route path=path!("/settings/tokens") view=TokensPage ssr=ssr.clone() />
                <Route path=path!("/settings/users") view=UsersPage ssr=ssr.clone() />
                <Route path=path!("/s/:id") view=|| view! { <AnswerPage link_kind="s" /> } ssr=ssr.clone() />
                <Route path=path!("/s/:id/thanks") view=|| view! { <ThanksPage link_kind="s" /> } ssr=ssr.clone() />
                <Route path=path!("/t/:id") view=|| view! { <AnswerPage link_kind="t" /> } ssr=ssr.clone() />
                <Route path=path!("/u/:token") view=UnsubscribePage ssr=ssr.clone() />
                <Route path=path!("/t/:id/thanks") view=|| view! { <ThanksPage link_kind="t" /> } ssr=ssr />
            </Routes>
        </Router>
    }
}
