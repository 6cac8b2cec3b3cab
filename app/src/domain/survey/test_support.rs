//! Builders the survey tests share: short definitions with just what a test
//! is about.

use super::*;
use proptest::prelude::*;

pub(super) fn text(en: &str) -> LocalizedText {
    LocalizedText::new(en, format!("{en} (de)"))
}

pub(super) fn options(keys: &[&str]) -> Vec<ChoiceOption> {
    keys.iter()
        .map(|key| ChoiceOption::new(*key, text(&format!("Option {key}"))))
        .collect()
}

pub(super) fn question(kind: QuestionKind) -> Question {
    Question::new("q", kind, text("Question?"))
}

pub(super) fn optional(kind: QuestionKind) -> Question {
    Question {
        required: false,
        ..question(kind)
    }
}

pub(super) fn survey(kind: SurveyKind, questions: Vec<Question>) -> SurveyDefinition {
    SurveyDefinition {
        kind,
        default_locale: Locale::En,
        title: text("Title"),
        intro: LocalizedText::default(),
        questions,
        thank_you: LocalizedText::default(),
        brand_color: None,
        logo_url: None,
        anonymous: false,
        grouping_attributes: Vec::new(),
        employee: false,
    }
}

pub(super) const CES7: QuestionKind = QuestionKind::Ces {
    scale: CesScale::Seven,
};
pub(super) const CES5: QuestionKind = QuestionKind::Ces {
    scale: CesScale::Five,
};

pub(super) fn scored_kinds() -> impl Strategy<Value = QuestionKind> {
    prop_oneof![
        Just(QuestionKind::Nps),
        Just(QuestionKind::Enps),
        Just(CES7),
        Just(CES5),
        Just(QuestionKind::Csat),
        Just(QuestionKind::Likert),
    ]
}
