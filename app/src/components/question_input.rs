//! One question as form controls: a scale as a labelled radio group, choices as radios or
//! checkboxes, free text as a text area, and the "why?" follow-up whose wording follows
//! the chosen score. Plain form controls and CSS, no code: the answer page ships no
//! WebAssembly (see `app.rs`), and the follow-up's wording still changes as soon as a
//! score is picked, because every wording is in the label and the stylesheet shows the
//! one that fits the checked score.

use crate::domain::survey::FOLLOW_UP_MAX_CHARS;
use crate::domain::ui_text::UiText;
use crate::domain::{category, Category, Locale, QuestionKind};
use crate::error::AppError;
use crate::model::{QuestionView, ScalePoint};
use leptos::prelude::*;

/// The values a re-rendered form sent back (`answer[0]`, `answer[1]`, …).
fn sent_values(error: &AppError) -> Option<Vec<String>> {
    let values: Vec<String> = error
        .input
        .iter()
        .filter(|(name, _)| name.starts_with("answer["))
        .map(|(_, value)| value.clone())
        .collect();
    (!error.input.is_empty()).then_some(values)
}

#[component]
pub fn QuestionInput(
    question: QuestionView,
    locale: Locale,
    #[prop(into)] error: Signal<Option<AppError>>,
) -> impl IntoView {
    let t = move |text: UiText| text.text(locale);
    // What was sent last (after an error), else what was given before or pre-selected.
    let initial = StoredValue::new(question.values.clone());
    let values = Signal::derive(move || {
        error
            .get()
            .and_then(|e| sent_values(&e))
            .unwrap_or_else(|| initial.get_value())
    });
    let answer_error = Signal::derive(move || error.get().and_then(|e| e.message_for("answer")));
    let follow_up_error = move || error.get().and_then(|e| e.message_for("follow_up"));
    let initial_score = values
        .get_untracked()
        .first()
        .and_then(|v| v.parse::<u8>().ok());
    let selected = Signal::derive(move || values.get().first().and_then(|v| v.parse().ok()));

    let required = question.required;
    let legend_suffix = (!required).then(|| format!(" ({})", t(UiText::Optional).to_lowercase()));
    let legend = format!(
        "{}{}",
        question.text,
        legend_suffix.clone().unwrap_or_default()
    );
    let control = match &question.kind {
        QuestionKind::SingleChoice { options } => {
            let _ = options;
            view! { <Choices legend question=question.clone() multiple=false values error=answer_error /> }
                .into_any()
        }
        QuestionKind::MultipleChoice { max_selected, .. } => {
            let hint = match max_selected {
                Some(max) => t(UiText::ChooseUpTo { max: *max }),
                None => t(UiText::SelectAllThatApply),
            };
            view! {
                <p class="hint muted" id="answer-hint">{hint}</p>
                <Choices legend question=question.clone() multiple=true values error=answer_error />
            }
            .into_any()
        }
        QuestionKind::FreeText { max_chars } => {
            let max = (*max_chars).min(crate::domain::survey::FREE_TEXT_MAX_CHARS);
            let text = move || values.get().first().cloned().unwrap_or_default();
            let invalid = move || answer_error.get().is_some().to_string();
            view! {
                <div class="field">
                    <label for="answer-text" class="question-text">{legend}</label>
                    <textarea
                        id="answer-text"
                        name="answer[0]"
                        rows="5"
                        maxlength=max.to_string()
                        required=required
                        aria-invalid=invalid
                        aria-describedby="answer-error"
                        prop:value=text
                    >
                        {text}
                    </textarea>
                    <p class="field-error" id="answer-error" role="alert">{answer_error}</p>
                </div>
            }
            .into_any()
        }
        _ => view! {
            <ScoreScale
                legend
                kind=question.kind.clone()
                points=question.points.clone()
                selected
                error=answer_error
            />
        }
        .into_any(),
    };

    let prompts = question.follow_ups.clone();
    let has_follow_up = prompts.iter().any(Option::is_some);
    let kind = question.kind.clone();
    let default_prompt = question.follow_up_default.clone();
    let prompt_for = move |category: Option<Category>| {
        let slot = category.map(|c| match c {
            Category::Low => 0,
            Category::Middle => 1,
            Category::High => 2,
        });
        slot.and_then(|i| prompts[i].clone())
            .unwrap_or_else(|| default_prompt.clone())
    };
    let initial_category = initial_score.and_then(|s| category(&kind, s));
    let follow_up_text = StoredValue::new(question.follow_up.clone());
    let follow_up_value = move || {
        error
            .get()
            .and_then(|e| e.input_value("follow_up"))
            .unwrap_or_else(|| follow_up_text.get_value())
    };
    let follow_up = has_follow_up.then(|| {
        let optional = t(UiText::Optional).to_lowercase();
        // Every wording, one shown: the server's choice for the first score, then (in any
        // browser with `:has()`) the stylesheet's for the checked one.
        let prompts = [
            (None, "none"),
            (Some(Category::Low), "low"),
            (Some(Category::Middle), "middle"),
            (Some(Category::High), "high"),
        ]
        .map(|(category, name)| {
            let shown = category == initial_category;
            view! { <span class="prompt" class:shown=shown data-for=name>{prompt_for(category)}</span> }
        });
        let label = view! { {prompts.into_iter().collect_view()}{format!(" ({optional})")} };
        view! {
            <div class="field">
                <label for="field-follow-up" data-testid="follow-up-label">{label}</label>
                <textarea
                    id="field-follow-up"
                    name="follow_up"
                    rows="4"
                    maxlength=FOLLOW_UP_MAX_CHARS.to_string()
                    prop:value=follow_up_value
                >
                    {follow_up_value}
                </textarea>
                <p class="field-error" role="alert">{follow_up_error}</p>
            </div>
        }
    });
    view! {
        {control}
        {follow_up}
    }
}

/// A scale as a radio group: 0–10 in one row down to 360 px; scales whose every point
/// has a word (CES, CSAT, Likert) as a list of labelled options.
#[component]
fn ScoreScale(
    legend: String,
    kind: QuestionKind,
    points: Vec<ScalePoint>,
    #[prop(into)] selected: Signal<Option<u8>>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let every_point_labelled = points.iter().all(|p| p.label.is_some());
    let ends = (!every_point_labelled).then(|| {
        let low = points
            .first()
            .and_then(|p| p.label.clone())
            .unwrap_or_default();
        let high = points
            .last()
            .and_then(|p| p.label.clone())
            .unwrap_or_default();
        view! {
            <div class="scale-ends" aria-hidden="true">
                <span>{low}</span>
                <span>{high}</span>
            </div>
        }
    });
    let class = if every_point_labelled {
        "scale-points labelled"
    } else {
        "scale-points"
    };
    let columns = format!("--points: {}", points.len());
    view! {
        <fieldset class="scale" aria-describedby="answer-error">
            <legend>{legend}</legend>
            <div class=class style=columns>
                {points
                    .into_iter()
                    .map(|p| {
                        let n = p.value;
                        let id = format!("score-{n}");
                        let text = match (every_point_labelled, p.label.clone()) {
                            (true, Some(label)) => format!("{n} · {label}"),
                            _ => n.to_string(),
                        };
                        // Screen readers hear the end labels with the end points.
                        let aria = match (every_point_labelled, p.label) {
                            (false, Some(label)) => Some(format!("{n} – {label}")),
                            _ => None,
                        };
                        // What the stylesheet reads to show the follow-up that fits.
                        let category = category(&kind, n).map(|c| match c {
                            Category::Low => "low",
                            Category::Middle => "middle",
                            Category::High => "high",
                        });
                        view! {
                            <input
                                type="radio"
                                id=id.clone()
                                data-category=category
                                name="answer[0]"
                                value=n.to_string()
                                checked=move || selected.get() == Some(n)
                            />
                            <label for=id aria-label=aria>{text}</label>
                        }
                    })
                    .collect_view()}
            </div>
            {ends}
            <p class="field-error" id="answer-error" role="alert">
                {error}
            </p>
        </fieldset>
    }
}

/// Options as radio buttons (one answer) or checkboxes (several).
#[component]
fn Choices(
    legend: String,
    question: QuestionView,
    multiple: bool,
    #[prop(into)] values: Signal<Vec<String>>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    let kind = if multiple { "checkbox" } else { "radio" };
    view! {
        <fieldset class="choices" aria-describedby="answer-error">
            <legend>{legend}</legend>
            {question
                .options
                .into_iter()
                .enumerate()
                .map(|(i, (key, label))| {
                    let id = format!("option-{i}");
                    // Checkboxes each post their own slot; a radio group posts one value.
                    let name = if multiple { format!("answer[{i}]") } else { "answer[0]".to_owned() };
                    let checked_key = key.clone();
                    view! {
                        <div class="choice">
                            <input
                                type=kind
                                id=id.clone()
                                name=name
                                value=key
                                checked=move || values.get().contains(&checked_key)
                            />
                            <label for=id>{label}</label>
                        </div>
                    }
                })
                .collect_view()}
            <p class="field-error" id="answer-error" role="alert">
                {error}
            </p>
        </fieldset>
    }
}
