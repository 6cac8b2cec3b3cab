//! `/surveys/:id/edit`: the survey editor. One plain form posted to
//! `/surveys/:id/editor`; every button is a step (save, add, move, remove) and the page
//! comes back with the working copy, so it needs no JavaScript and loses nothing typed.
//! Fields are named after the definition's paths, which is where errors point.

use crate::api::editor::load_editor;
use crate::components::admin_layout::AdminLayout;
use crate::components::page_error::PageError;
use crate::domain::editor::{QuestionForm, QUESTION_TYPES};
use crate::domain::{Category, FieldError, Locale, LocalizedText};
use crate::error::ErrorKind;
use crate::model::EditorView;
use crate::pages::not_found::NotFound;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use std::sync::Arc;

type Errors = Arc<Vec<FieldError>>;

#[component]
pub fn EditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let editor = Resource::new(id, |id| async move {
        match id {
            Some(id) => load_editor(id).await,
            None => Err(crate::error::AppError::not_found(
                "There is no survey with this id.",
            )),
        }
    });
    let saved = move || query.read().get("saved").is_some();
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match editor.await {
                    Ok(view) => editor_view(view, saved()).into_any(),
                    Err(e) if e.kind == ErrorKind::NotFound => view! { <NotFound /> }.into_any(),
                    Err(e) => view! { <AdminLayout><PageError error=e /></AdminLayout> }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn editor_view(view: EditorView, saved: bool) -> impl IntoView {
    let EditorView {
        survey,
        form,
        errors,
        unsaved,
        saves_as,
        fixed,
        preview_shows_draft,
    } = view;
    let errors: Errors = Arc::new(errors);
    let id = survey.id;
    let versioning = if survey.response_count != Some(0) {
        let answers = match survey.response_count {
            Some(1) => "1 response".to_owned(),
            Some(n) => format!("{n} responses"),
            None => "answers".to_owned(),
        };
        format!(
            "This survey has {answers}. Saving makes version {saves_as}: earlier answers keep the wording they were given, and questions that have answers keep their key and type."
        )
    } else {
        format!("Nobody has answered yet: saving changes version {saves_as} in place.")
    };
    let preview_note = if preview_shows_draft {
        "Previews show your unsaved changes."
    } else if unsaved {
        "Previews show the saved survey until your changes are complete."
    } else {
        "Previews show the saved survey."
    };
    let default_locale = Locale::parse(&form.default_locale).unwrap_or(Locale::En);
    let count = form.questions.len();
    let questions = form
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| {
            question_editor(
                i,
                count,
                q,
                fixed.contains(&q.key) && !q.key.is_empty(),
                &errors,
            )
        })
        .collect_view();
    view! {
        <Title text=format!("Edit {} · Resonance", survey.title) />
        <AdminLayout>
            <h1>"Edit: " {survey.title.clone()}</h1>
            <p><a href=format!("/surveys/{id}")>"Back to the survey and its results"</a></p>
            {(saved && !unsaved).then(|| view! {
                <p class="notice" role="status" data-testid="saved">
                    {format!("Saved. Version {} is what respondents see now.", survey.version)}
                </p>
            })}
            <p class="muted" data-testid="versioning">{versioning}</p>
            {unsaved.then(|| view! {
                <p class="notice" data-testid="unsaved">
                    "You have unsaved changes. They are kept here until you save or discard them; respondents still see the saved survey."
                </p>
            })}
            {error_summary(&errors)}
            <form method="post" action=format!("/surveys/{id}/editor") class="editor">
                <div class="actions">
                    // The first button is the one Enter presses: saving, never removing.
                    <button type="submit" name="op" value="save">"Save"</button>
                    {unsaved.then(|| view! {
                        <button type="submit" name="op" value="discard" class="secondary">"Discard changes"</button>
                    })}
                    <span class="muted">
                        "Preview: "
                        <a href=format!("{}?lang=en&preview=1", survey.public_url)>"English"</a>
                        " · "
                        <a href=format!("{}?lang=de&preview=1", survey.public_url)>"Deutsch"</a>
                        ". " {preview_note}
                    </span>
                </div>
                <fieldset class="card">
                    <legend>"Survey"</legend>
                    <div class="field">
                        <label for="default_locale">"Default language (texts are required in it)"</label>
                        <select id="default_locale" name="default_locale">
                            {Locale::ALL.into_iter().map(|l| view! {
                                <option value=l.as_str() selected=l == default_locale>{l.name()}</option>
                            }).collect_view()}
                        </select>
                        {message(&errors, "default_locale")}
                    </div>
                    {text_pair("Title", "title", &form.title, false, &errors)}
                    {text_pair("Introduction (optional)", "intro", &form.intro, true, &errors)}
                    {text_pair("Thank-you message (optional)", "thank_you", &form.thank_you, true, &errors)}
                    <div class="pair">
                        {input("Brand colour (#rrggbb, dark enough for white text; optional)", "brand_color", &form.brand_color, &errors)}
                        {input("Logo address (https://, optional)", "logo_url", &form.logo_url, &errors)}
                    </div>
                    <div class="field checkbox">
                        <label>
                            <input type="checkbox" id="anonymous" name="anonymous" checked=form.anonymous />
                            " Anonymous: answers keep no contact and no time, only the day and the attributes below"
                        </label>
                        {message(&errors, "anonymous")}
                    </div>
                    <div class="field checkbox">
                        <label>
                            <input type="checkbox" id="employee" name="employee" checked=form.employee />
                            " Asked of employees: HR runs it (eNPS and pulse surveys always are)"
                        </label>
                    </div>
                    {input("Group results by these contact attributes (comma-separated, e.g. team, region)", "grouping_attributes", &form.grouping_attributes, &errors)}
                </fieldset>
                <div id="questions">
                    {message(&errors, "questions")}
                    {questions}
                </div>
                <fieldset class="card">
                    <legend>"Add a question"</legend>
                    <div class="actions">
                        <label for="add_type" class="visually-hidden">"Type of the new question"</label>
                        <select id="add_type" name="add_type">
                            {QUESTION_TYPES.into_iter().map(|(value, name)| view! {
                                <option value=value selected=value == "likert">{name}</option>
                            }).collect_view()}
                        </select>
                        <button type="submit" name="op" value="add" class="secondary">"Add question"</button>
                    </div>
                </fieldset>
                <div class="actions">
                    <button type="submit" name="op" value="save">"Save"</button>
                </div>
            </form>
        </AdminLayout>
    }
}

fn question_editor(
    i: usize,
    count: usize,
    q: &QuestionForm,
    fixed: bool,
    errors: &Errors,
) -> impl IntoView {
    let at = format!("questions[{i}]");
    let name = |field: &str| format!("{at}.{field}");
    let type_name = QUESTION_TYPES
        .iter()
        .find(|(value, _)| *value == q.kind)
        .map_or(q.kind.as_str(), |(_, name)| name);
    let key = if fixed {
        view! {
            <div class="field">
                <span class="label">"Key"</span>
                <code>{q.key.clone()}</code>
                <input type="hidden" name=name("key") value=q.key.clone() />
            </div>
        }
        .into_any()
    } else {
        input("Key (stored with answers)", &name("key"), &q.key, errors).into_any()
    };
    let kind = if fixed {
        view! {
            <div class="field">
                <span class="label">"Type (fixed: this question has answers)"</span>
                <span>{type_name}</span>
                <input type="hidden" name=name("kind") value=q.kind.clone() />
                {message(errors, &name("kind"))}
            </div>
        }
        .into_any()
    } else {
        let kind_id = name("kind");
        view! {
            <div class="field">
                <label for=kind_id.clone()>"Type"</label>
                <div class="actions">
                    <select id=kind_id.clone() name=kind_id.clone()>
                        {QUESTION_TYPES.into_iter().map(|(value, label)| view! {
                            <option value=value selected=value == q.kind>{label}</option>
                        }).collect_view()}
                    </select>
                    <button type="submit" name="op" value="update" class="secondary">"Apply type"</button>
                </div>
                {message(errors, &kind_id)}
            </div>
        }
        .into_any()
    };
    let settings = match q.kind.as_str() {
        "ces" => {
            let scale_id = name("scale");
            view! {
                <div class="field">
                    <label for=scale_id.clone()>"Points"</label>
                    <select id=scale_id.clone() name=scale_id.clone()>
                        <option value="7" selected=q.scale.trim() != "5">"7 (CES 2.0)"</option>
                        <option value="5" selected=q.scale.trim() == "5">"5"</option>
                    </select>
                    {message(errors, &scale_id)}
                </div>
            }
            .into_any()
        }
        "rating" => view! {
            <div class="pair">
                {input("Lowest score (0 or 1)", &name("min"), &q.min, errors)}
                {input("Highest score (up to 10)", &name("max"), &q.max, errors)}
            </div>
        }
        .into_any(),
        "multiple_choice" => input(
            "At most this many may be ticked (empty: all)",
            &name("max_selected"),
            &q.max_selected,
            errors,
        )
        .into_any(),
        "free_text" => input(
            "Longest answer, in characters",
            &name("max_chars"),
            &q.max_chars,
            errors,
        )
        .into_any(),
        _ => ().into_any(),
    };
    let labels = (!q.point_labels.is_empty()).then(|| {
        let scores = q.label_scores();
        let rows = q
            .point_labels
            .iter()
            .enumerate()
            .map(|(k, label)| {
                let score = scores.get(k).map(u8::to_string).unwrap_or_default();
                text_pair(
                    &format!("Label of {score}"),
                    &name(&format!("point_labels[{k}]")),
                    label,
                    false,
                    errors,
                )
            })
            .collect_view();
        view! {
            <fieldset class="sub" id=name("point_labels")>
                <legend>"Scale labels (optional: all points, or just the two ends)"</legend>
                {message(errors, &name("point_labels"))}
                {rows}
            </fieldset>
        }
    });
    let categories = q.categories();
    let follow_ups = (!categories.is_empty()).then(|| {
        let nps = matches!(q.kind.as_str(), "nps" | "enps");
        let rows = categories
            .into_iter()
            .map(|(category, from, to)| {
                let (field, who) = match (category, nps) {
                    (Category::Low, true) => ("low", "detractors"),
                    (Category::Middle, true) => ("middle", "passives"),
                    (Category::High, true) => ("high", "promoters"),
                    (Category::Low, false) => ("low", "low scores"),
                    (Category::Middle, false) => ("middle", "the midpoint"),
                    (Category::High, false) => ("high", "high scores"),
                };
                let range = if from == to {
                    from.to_string()
                } else {
                    format!("{from}–{to}")
                };
                text_pair(
                    &format!("Follow-up for {who} ({range})"),
                    &name(&format!("follow_ups.{field}")),
                    q.follow_up(category),
                    false,
                    errors,
                )
            })
            .collect_view();
        view! {
            <fieldset class="sub" id=name("follow_ups")>
                <legend>"Follow-up question by answer (optional; empty asks nothing)"</legend>
                {message(errors, &name("follow_ups"))}
                {rows}
            </fieldset>
        }
    });
    let options = q.is_choice().then(|| {
        let rows = q
            .options
            .iter()
            .enumerate()
            .map(|(j, option)| {
                let at = name(&format!("options[{j}]"));
                view! {
                    <div class="option-row">
                        {input(&format!("Option {} key", j + 1), &format!("{at}.key"), &option.key, errors)}
                        {text_pair(&format!("Option {}", j + 1), &format!("{at}.label"), &option.label, false, errors)}
                        <button type="submit" name="op" value=format!("remove_option:{i}:{j}") class="secondary">
                            {format!("Remove option {}", j + 1)}
                        </button>
                    </div>
                }
            })
            .collect_view();
        view! {
            <fieldset class="sub" id=name("options")>
                <legend>"Options"</legend>
                {message(errors, &name("options"))}
                {rows}
                <button type="submit" name="op" value=format!("add_option:{i}") class="secondary">"Add option"</button>
            </fieldset>
        }
    });
    view! {
        <fieldset class="card question" id=format!("q{i}") data-testid="question-editor">
            <legend>{format!("Question {} of {count}", i + 1)}</legend>
            <input type="hidden" name=name("labels_for") value=q.labels_for.clone() />
            <div class="pair">{key}{kind}</div>
            {settings}
            {text_pair("Question", &name("text"), &q.text, true, errors)}
            <div class="field checkbox">
                <label>
                    <input type="checkbox" id=name("required") name=name("required") checked=q.required />
                    " Required"
                </label>
            </div>
            {labels}
            {follow_ups}
            {options}
            <div class="actions">
                {(i > 0).then(|| view! {
                    <button type="submit" name="op" value=format!("up:{i}") class="secondary">"Move up"</button>
                })}
                {(i + 1 < count).then(|| view! {
                    <button type="submit" name="op" value=format!("down:{i}") class="secondary">"Move down"</button>
                })}
                <button type="submit" name="op" value=format!("remove:{i}") class="secondary danger">
                    {format!("Remove question {}", i + 1)}
                </button>
            </div>
        </fieldset>
    }
}

/// One text in English and German, side by side.
fn text_pair(
    label: &str,
    at: &str,
    text: &LocalizedText,
    multiline: bool,
    errors: &Errors,
) -> impl IntoView {
    let one = |locale: Locale| {
        let name = format!("{at}.{}", locale.as_str());
        let label = format!("{label} ({})", locale.name());
        let value = text.exact(locale).to_owned();
        let invalid = has_error(errors, &name);
        let described = format!("{name}-error");
        let control = if multiline {
            view! {
                <textarea id=name.clone() name=name.clone() rows="3" aria-invalid=invalid.to_string() aria-describedby=described>
                    {value}
                </textarea>
            }
            .into_any()
        } else {
            view! {
                <input id=name.clone() name=name.clone() value=value aria-invalid=invalid.to_string() aria-describedby=described />
            }
            .into_any()
        };
        view! {
            <div class="field">
                <label for=name.clone()>{label}</label>
                {control}
                {message(errors, &name)}
            </div>
        }
    };
    view! { <div class="pair">{one(Locale::En)}{one(Locale::De)}</div> }
}

fn input(label: &str, name: &str, value: &str, errors: &Errors) -> impl IntoView {
    let invalid = has_error(errors, name);
    view! {
        <div class="field">
            <label for=name.to_owned()>{label.to_owned()}</label>
            <input id=name.to_owned() name=name.to_owned() value=value.to_owned()
                aria-invalid=invalid.to_string() aria-describedby=format!("{name}-error") />
            {message(errors, name)}
        </div>
    }
}

/// The errors of `name`, and of its items (`grouping_attributes[1]`) when it is a list.
fn messages(errors: &[FieldError], name: &str) -> Vec<String> {
    errors
        .iter()
        .filter(|e| {
            e.field == name
                || e.field
                    .strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('[') && !rest.contains('.'))
        })
        .map(|e| e.message.clone())
        .collect()
}

fn has_error(errors: &[FieldError], name: &str) -> bool {
    !messages(errors, name).is_empty()
}

fn message(errors: &[FieldError], name: &str) -> impl IntoView {
    let text = messages(errors, name).join(" ");
    (!text.is_empty()).then(|| {
        view! { <p class="field-error" id=format!("{name}-error") role="alert">{text}</p> }
    })
}

/// Every problem at the top, each linking to its field, so none is missed on a long form.
fn error_summary(errors: &[FieldError]) -> impl IntoView {
    (!errors.is_empty()).then(|| {
        let n = errors.len();
        let items = errors
            .iter()
            .map(|e| {
                let target = match e.field.split_once('[') {
                    Some((list, rest)) if !rest.contains('.') && list != "questions" => list,
                    _ => e.field.as_str(),
                };
                view! {
                    <li><a href=format!("#{target}")>{describe(&e.field)} ": " {e.message.clone()}</a></li>
                }
            })
            .collect_view();
        let heading = if n == 1 {
            "1 problem to fix before saving".to_owned()
        } else {
            format!("{n} problems to fix before saving")
        };
        view! {
            <div class="form-error" id="problems" role="alert" data-testid="problems">
                <h2>{heading}</h2>
                <ul>{items}</ul>
            </div>
        }
    })
}

/// A field path as an author reads it: `questions[1].text.de` → "Question 2 · text (Deutsch)".
fn describe(field: &str) -> String {
    field
        .split('.')
        .map(|part| match part.split_once('[') {
            Some((name, rest)) => {
                let n = rest
                    .trim_end_matches(']')
                    .parse::<usize>()
                    .map_or(0, |n| n + 1);
                match name {
                    "questions" => format!("Question {n}"),
                    "options" => format!("option {n}"),
                    "point_labels" => format!("scale label {n}"),
                    other => format!("{} {n}", other.replace('_', " ")),
                }
            }
            None => match part {
                "en" => "(English)".to_owned(),
                "de" => "(Deutsch)".to_owned(),
                other => other.replace('_', " "),
            },
        })
        .collect::<Vec<_>>()
        .join(" · ")
}
