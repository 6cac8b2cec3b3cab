//! The survey's settings form: status, close time, response cap, and what is emailed after
//! an answer, and how results are reported (thresholds, weighting).

use crate::api::surveys::{SaveSurveySettings, ALERT_REFUSED, THANK_YOU_REFUSED};
use crate::components::form::{Checkbox, Field, FormError};
use crate::model::{SurveyStatus, SurveySummary};
use leptos::prelude::*;

#[component]
pub fn SurveySettingsForm(survey: SurveySummary) -> impl IntoView {
    let save = ServerAction::<SaveSurveySettings>::new();
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let saved = move || save.value().get().and_then(Result::ok);
    let status = survey.status;
    let chosen = move || {
        error
            .get()
            .and_then(|e| e.input_value("status"))
            .or_else(|| saved().map(|s| s.status.as_str().to_string()))
            .unwrap_or_else(|| status.as_str().to_string())
    };
    let cap = survey
        .response_cap
        .map(|c| c.to_string())
        .unwrap_or_default();
    let closes = survey.closes_at.clone().unwrap_or_default();
    let min_group = survey.min_group_size.to_string();
    let min_meaningful = survey.min_meaningful.to_string();
    let weight_attribute = survey
        .weighting
        .as_ref()
        .map(|w| w.attribute.clone())
        .unwrap_or_default();
    let weights = survey
        .weighting
        .as_ref()
        .map(|w| w.weights_text())
        .unwrap_or_default();
    let id = survey.id;
    let (thank_you, alerts, anonymous) = (
        survey.thank_you_email,
        survey.detractor_alerts,
        survey.anonymous,
    );
    let current = StoredValue::new(survey);
    let state = move || {
        let s = saved().unwrap_or_else(|| current.get_value());
        let cap = s
            .response_cap
            .map(|c| format!(" of {c}"))
            .unwrap_or_default();
        let open = if s.accepting_answers {
            "taking answers"
        } else {
            "not taking answers"
        };
        let noun = if s.response_count == Some(1) && s.response_cap.is_none() {
            "response"
        } else {
            "responses"
        };
        match s.response_count {
            Some(n) => format!("{n}{cap} {noun} · {open}"),
            None => format!("Fewer responses than the minimum group so far · {open}"),
        }
    };
    view! {
        <section class="card settings" aria-label="Survey settings">
            <h2>"Status"</h2>
            <p data-testid="survey-state">{state}</p>
            <ActionForm action=save>
                <FormError error />
                <input type="hidden" name="id" value=id.to_string() />
                <div class="field">
                    <label for="field-status">"Status"</label>
                    <select id="field-status" name="status">
                        {[SurveyStatus::Draft, SurveyStatus::Active, SurveyStatus::Closed]
                            .into_iter()
                            .map(|st| view! {
                                <option value=st.as_str() selected=move || chosen() == st.as_str()>
                                    {st.as_str()}
                                </option>
                            })
                            .collect_view()}
                    </select>
                </div>
                <Field label="Closes at (UTC, optional)" name="closes_at" kind="datetime-local" initial=closes error required=false />
                <Field label="Response cap (optional)" name="response_cap" kind="number" initial=cap error required=false />
                <fieldset>
                    <legend>"After an answer"</legend>
                    <Checkbox
                        label="Email a thank-you to respondents who came by a personal link"
                        name="thank_you_email"
                        initial=thank_you && !anonymous
                        disabled=anonymous
                        error
                    />
                    {anonymous.then(|| view! { <p class="muted">{THANK_YOU_REFUSED}</p> })}
                    <Checkbox
                        label="Email an alert for a low score (NPS: a detractor, 0–6) to the survey's owner, or the recipients under Cases and alerts, and to a case's owner"
                        name="detractor_alerts"
                        initial=alerts && !anonymous
                        disabled=anonymous
                        error
                    />
                    {anonymous.then(|| view! { <p class="muted">{ALERT_REFUSED}</p> })}
                </fieldset>
                <fieldset>
                    <legend>"Results"</legend>
                    <Field label="Fewest answers for a meaningful score" name="min_meaningful" kind="number" initial=min_meaningful error required=false />
                    {anonymous.then(|| view! {
                        <Field label="Minimum group size (anonymity; at least 3)" name="min_group_size" kind="number" initial=min_group.clone() error required=false />
                    })}
                    {(!anonymous).then(|| view! {
                        <Field label="Weighted NPS: weigh each answer by the contact attribute (optional, e.g. tier or revenue)" name="weight_attribute" kind="text" initial=weight_attribute.clone() error required=false />
                        <Field label="Weights per value (e.g. A=3, B=2, C=1; empty when the attribute is a number such as revenue)" name="weights" kind="text" initial=weights.clone() error required=false />
                    })}
                </fieldset>
                <button type="submit">"Save"</button>
            </ActionForm>
        </section>
    }
}
