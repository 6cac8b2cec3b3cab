//! A user's digests: the list on the account page (send one now, stop it), a digest of
//! every survey they may read, the language of their mail, and the survey page's "email
//! me this view" form.

use crate::api::digests::{load_digests, SaveLanguage, SendDigestNow, StopDigest, SubscribeDigest};
use crate::components::form::FormError;
use crate::components::page_error::PageError;
use crate::domain::digest::Frequency;
use leptos::prelude::*;

fn frequency_label(f: Frequency) -> &'static str {
    match f {
        Frequency::Weekly => "Weekly (Mondays, the week before)",
        Frequency::Monthly => "Monthly (on the 1st, the month before)",
    }
}

fn frequency_choice(id: &'static str) -> impl IntoView {
    view! {
        <label for=id>"How often "</label>
        <select id=id name="frequency">
            {[Frequency::Weekly, Frequency::Monthly].into_iter().map(|f| view! {
                <option value=f.as_str()>{frequency_label(f)}</option>
            }).collect_view()}
        </select>
    }
}

/// "Email me this view": a digest of one survey under the dashboard's filters.
#[component]
pub fn DigestSubscribe(survey_id: i64, filters: Vec<String>) -> impl IntoView {
    let subscribe = ServerAction::<SubscribeDigest>::new();
    let error = Signal::derive(move || subscribe.value().get().and_then(Result::err));
    let done = move || matches!(subscribe.value().get(), Some(Ok(_)));
    let described = match filters.is_empty() {
        true => "this survey".to_owned(),
        false => format!("this view ({})", filters.join(", ")),
    };
    view! {
        <section class="card" aria-labelledby="digest-heading">
            <h2 id="digest-heading">"Digest by email"</h2>
            <p class="muted">{format!("Get {described} by email: the headline score and its change, the response rate, new comments, open cases and the trend chart.")}</p>
            {move || done().then(|| view! {
                <p class="notice" role="status" data-testid="digest-subscribed">"Subscribed. Your digests are listed under your account, where you can send one now."</p>
            })}
            <ActionForm action=subscribe attr:class="inline">
                <FormError error />
                <input type="hidden" name="survey" value=survey_id.to_string() />
                {filters.into_iter().enumerate().map(|(i, f)| view! {
                    <input type="hidden" name=format!("filter[{i}]") value=f />
                }).collect_view()}
                {frequency_choice("digest-frequency")}
                " "
                <button type="submit">"Email me this view"</button>
            </ActionForm>
        </section>
    }
}

/// The account page's digests and mail language.
#[component]
pub fn DigestList() -> impl IntoView {
    let subscribe = ServerAction::<SubscribeDigest>::new();
    let stop = ServerAction::<StopDigest>::new();
    let send = ServerAction::<SendDigestNow>::new();
    let language = ServerAction::<SaveLanguage>::new();
    let list = Resource::new(
        move || {
            (
                subscribe.version().get(),
                stop.version().get(),
                language.version().get(),
            )
        },
        |_| load_digests(),
    );
    let error = Signal::derive(move || {
        subscribe
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| stop.value().get().and_then(Result::err))
            .or_else(|| send.value().get().and_then(Result::err))
            .or_else(|| language.value().get().and_then(Result::err))
    });
    let sent = move || matches!(send.value().get(), Some(Ok(())));
    view! {
        <h2>"Digests"</h2>
        <p class="muted">"A weekly or monthly email of a survey's dashboard (subscribe from its page), or of every survey you may read. Each has a link that stops it."</p>
        <FormError error />
        {move || sent().then(|| view! {
            <p class="notice" role="status" data-testid="digest-sent">"On its way: it covers this week or month so far."</p>
        })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match list.await {
                    Ok(settings) => {
                        let lang = settings.language.clone();
                        view! {
                            <ActionForm action=language attr:class="inline">
                                <label for="mail-language">"Language of your mail "</label>
                                <select id="mail-language" name="locale">
                                    <option value="en" selected=lang == "en">"English"</option>
                                    <option value="de" selected=lang == "de">"Deutsch"</option>
                                </select>
                                " "
                                <button type="submit" class="link">"Keep this language"</button>
                            </ActionForm>
                            {match settings.digests.is_empty() {
                                true => view! { <p class="muted" data-testid="no-digests">"No digest yet."</p> }.into_any(),
                                false => view! {
                                    <table class="tokens" data-testid="digests">
                                        <thead><tr><th>"Of"</th><th>"How often"</th><th>"Next"</th><th></th></tr></thead>
                                        <tbody>
                                            {settings.digests.into_iter().map(|d| {
                                                let of = match (&d.survey_title, d.filters.is_empty()) {
                                                    (Some(t), true) => t.clone(),
                                                    (Some(t), false) => format!("{t} ({})", d.filters.join(", ")),
                                                    (None, _) => "Every survey you may read".to_owned(),
                                                };
                                                view! {
                                                    <tr data-testid="digest-row">
                                                        <td>{of}</td>
                                                        <td>{d.frequency.as_str()}</td>
                                                        <td>{d.next_at.clone()}</td>
                                                        <td>
                                                            <ActionForm action=send attr:class="inline">
                                                                <input type="hidden" name="id" value=d.id.to_string() />
                                                                <button type="submit" class="link" data-testid="digest-send">"Send one now"</button>
                                                            </ActionForm>
                                                            " · "
                                                            <ActionForm action=stop attr:class="inline">
                                                                <input type="hidden" name="id" value=d.id.to_string() />
                                                                <button type="submit" class="link">"Stop"</button>
                                                            </ActionForm>
                                                        </td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any(),
                            }}
                        }.into_any()
                    }
                    Err(e) => view! { <PageError error=e /> }.into_any(),
                }
            })}
        </Suspense>
        <ActionForm action=subscribe attr:class="card">
            <p>"A digest of every survey you may read:"</p>
            {frequency_choice("digest-all-frequency")}
            " "
            <button type="submit">"Subscribe"</button>
        </ActionForm>
    }
}
