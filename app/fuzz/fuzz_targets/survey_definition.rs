//! A survey definition as the API's `PUT /api/v1/surveys/{id}/definition` receives it:
//! untrusted JSON deserialised into `SurveyDefinition`, then validated as the save does.
//! Whatever it says, the rest of what the domain does with a stored definition runs too:
//! its texts, headline, scale labels, follow-ups and placeholders, a JSON round trip, and
//! the editor's form made from it and read back.
#![no_main]

use app::domain::editor::SurveyForm;
use app::domain::survey::{category, fill_placeholders, SurveyDefinition};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let Ok(definition) = serde_json::from_slice::<SurveyDefinition>(data) else {
        return;
    };
    let valid = definition.validate();
    if let Err(errors) = &valid {
        assert!(!errors.is_empty(), "a refusal names at least one field");
    }

    // What is stored is what is read back.
    let json = serde_json::to_vec(&definition).expect("a definition serialises");
    let again: SurveyDefinition = serde_json::from_slice(&json).expect("and reads back");
    assert_eq!(again, definition);

    let values: BTreeMap<String, String> = [
        ("company", "Acme {subject}"),
        ("subject", "}{"),
        ("team", "Ops"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    for (_, text) in definition.localized_texts() {
        let _ = fill_placeholders(&text.en, &values);
        let _ = fill_placeholders(&text.de, &values);
    }
    let _ = definition.headline();
    for score in 0..=u8::MAX {
        let _ = definition.is_low_headline(score);
    }
    for question in &definition.questions {
        assert!(definition.question(&question.key).is_some());
        let _ = question.kind.points();
        let _ = question.kind.has_categories();
        for score in 0..=u8::MAX {
            let _ = category(&question.kind, score);
            let _ = question.point_label(score);
            let _ = question.follow_up(score);
        }
    }

    // The editor shows a stored definition as a form; what it posts back must read.
    let form = SurveyForm::from_definition(&definition);
    let fields = form.to_fields();
    let read = SurveyForm::from_fields(definition.kind, &fields);
    let edited = read.to_definition();
    if valid.is_ok() {
        if let Ok(edited) = &edited {
            let _ = edited.validate();
        }
    }
});
