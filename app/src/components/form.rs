//! Form fields that show their error beside them and keep what the user typed, whether the
//! form was submitted by the hydrated page or as a plain POST.

use crate::error::AppError;
use leptos::prelude::*;

#[component]
pub fn Field(
    label: &'static str,
    name: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    #[prop(default = "text")] kind: &'static str,
    #[prop(default = "")] autocomplete: &'static str,
    /// The value shown before anything was typed (e.g. the saved setting).
    #[prop(into, optional)]
    initial: String,
    #[prop(default = false)] multiline: bool,
    #[prop(default = true)] required: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    let message = move || error.get().and_then(|e| e.message_for(name));
    let initial = StoredValue::new(initial);
    let value = move || {
        error
            .get()
            .and_then(|e| e.input_value(name))
            .unwrap_or_else(|| initial.get_value())
    };
    let invalid = move || message().is_some().to_string();
    let control = if multiline {
        view! {
            <textarea
                id=id.clone()
                name=name
                rows="3"
                required=required
                aria-invalid=invalid
                aria-describedby=err_id.clone()
                prop:value=value
            >
                {value}
            </textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                id=id.clone()
                type=kind
                name=name
                required=required
                autocomplete=autocomplete
                aria-invalid=invalid
                aria-describedby=err_id.clone()
                value=value
            />
        }
        .into_any()
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            {control}
            <p class="field-error" id=err_id role="alert">
                {message}
            </p>
        </div>
    }
}

/// The error of a form that concerns no single field.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| e.field.is_none())
            .map(|e| view! { <p class="form-error" role="alert">{e.message}</p> })
    }
}

/// A checkbox that keeps what the user ticked when the form is refused, with its error
/// beside it. Ticked, it sends `on`; unticked, nothing.
#[component]
pub fn Checkbox(
    label: &'static str,
    name: &'static str,
    #[prop(into)] error: Signal<Option<AppError>>,
    /// The saved setting.
    #[prop(optional)]
    initial: bool,
    #[prop(optional)] disabled: bool,
) -> impl IntoView {
    let id = format!("field-{name}");
    let err_id = format!("{id}-error");
    let message = move || error.get().and_then(|e| e.message_for(name));
    let checked = move || match error.get() {
        Some(e) if !e.input.is_empty() => e.input_value(name).is_some_and(|v| v == "on"),
        _ => initial,
    };
    view! {
        <div class="field checkbox">
            <label>
                <input
                    type="checkbox"
                    id=id
                    name=name
                    disabled=disabled
                    aria-describedby=err_id.clone()
                    checked=checked
                />
                " "
                {label}
            </label>
            <p class="field-error" id=err_id role="alert">
                {message}
            </p>
        </div>
    }
}
