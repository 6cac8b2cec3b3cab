//! The survey's case settings form: which answers open a case, how soon it is due, and
//! who gets the low-score alerts besides a case's owner.

use crate::api::cases::SaveCaseSettings;
use crate::components::form::{Checkbox, Field, FormError};
use crate::model::CaseSettingsView;
use leptos::prelude::*;

#[component]
pub fn CaseSettingsForm(
    survey_id: i64,
    anonymous: bool,
    settings: CaseSettingsView,
) -> impl IntoView {
    let save = ServerAction::<SaveCaseSettings>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || matches!(save.value().get(), Some(Ok(_)));
    let rule = settings.rule;
    let scores = rule.map_or_else(|| "0-6".to_owned(), |r| r.scores_text());
    let due = rule.map_or(48, |r| r.due_hours).to_string();
    let recipients = settings.alert_recipients.join(", ");
    view! {
        <section class="card settings" aria-labelledby="case-settings-heading">
            <h2 id="case-settings-heading">"Cases and alerts"</h2>
            {match anonymous {
                true => view! { <p class="muted">"An anonymous survey opens no cases and sends no alerts: each is about one person's answer."</p> }.into_any(),
                false => view! {
                    <p class="muted">"A case follows a critical answer until someone has written to the person and resolved it. It goes to the manager of the respondent's team (the first grouping attribute a manager's scope names), else to the survey's owner."</p>
                    {move || saved().then(|| view! { <p class="notice" role="status" data-testid="case-settings-saved">"Saved."</p> })}
                    <ActionForm action=save>
                        <FormError error />
                        <input type="hidden" name="id" value=survey_id.to_string() />
                        <Checkbox label="Open a case for critical answers" name="cases_on" initial=rule.is_some() error />
                        <Field label="Headline scores that open a case (e.g. 0-6 for NPS detractors; empty for none)" name="case_scores" initial=scores error required=false />
                        <Checkbox label="Any comment opens a case too" name="case_any_comment" initial=rule.is_some_and(|r| r.any_comment) error />
                        <Field label="Target: hours until someone has written to the person" name="case_due_hours" kind="number" initial=due error required=false />
                        <Field label="Low-score alerts go to (users' email addresses, comma-separated; empty: the survey's owner). A case's owner gets them too." name="alert_recipients" initial=recipients error required=false />
                        <button type="submit">"Set cases and alerts"</button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>
    }
}
