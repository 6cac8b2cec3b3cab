//! The survey editor's form post, as untrusted fields: read into a `SurveyForm`, one
//! structural step (`op`, the button pressed) applied, then turned into a definition and
//! validated, as the editor's save does.
//!
//! The input is text: a first line with the survey kind (`nps`, …, `custom`), then the
//! URL-encoded form body, e.g.
//! `nps\ndefault_locale=en&title.en=Hi&questions[0].key=nps&questions[0].kind=nps&op=save`.
#![no_main]

use app::domain::editor::{EditOp, SurveyForm};
use app::domain::survey::SurveyKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    let Some(kind) = SurveyKind::parse(head.trim()) else {
        return;
    };
    let fields: Vec<(String, String)> = form_urlencoded::parse(body.as_bytes())
        .map(|(n, v)| (n.into_owned(), v.into_owned()))
        .collect();
    let field = |name: &str| {
        fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    };
    let mut form = SurveyForm::from_fields(kind, &fields);
    if let Some(op) = field("op").and_then(EditOp::parse) {
        if let Some(at) = form.apply(&op, field("add_type").unwrap_or_default()) {
            assert!(
                at < form.questions.len().max(1),
                "step {at} of {}",
                form.questions.len()
            );
        }
    }
    let _ = form.to_fields();
    if let Ok(definition) = form.to_definition() {
        let _ = definition.validate();
        // What the editor shows again for a saved definition reads back the same.
        let shown = SurveyForm::from_definition(&definition);
        let _ = SurveyForm::from_fields(kind, &shown.to_fields()).to_definition();
    }
});
