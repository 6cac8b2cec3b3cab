//! The 0–10 scale as a labelled radio group: keyboard-operable, usable on a 360 px screen,
//! and a plain form control so it works without JavaScript.

use leptos::prelude::*;

#[component]
pub fn ScoreScale(
    legend: String,
    /// The labels under both ends, in the respondent's language.
    low: String,
    high: String,
    /// The score to show selected (from `?score=N` or the re-rendered form).
    #[prop(into)]
    selected: Signal<Option<u8>>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! {
        <fieldset class="scale" aria-describedby="score-error">
            <legend>{legend}</legend>
            <div class="scale-points">
                {(0u8..=10)
                    .map(|n| {
                        let id = format!("score-{n}");
                        view! {
                            <input
                                type="radio"
                                id=id.clone()
                                name="score"
                                value=n.to_string()
                                checked=move || selected.get() == Some(n)
                            />
                            <label for=id>{n}</label>
                        }
                    })
                    .collect_view()}
            </div>
            <div class="scale-ends" aria-hidden="true">
                <span>{low}</span>
                <span>{high}</span>
            </div>
            <p class="field-error" id="score-error" role="alert">
                {error}
            </p>
        </fieldset>
    }
}
