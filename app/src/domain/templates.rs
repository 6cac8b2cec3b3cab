//! The ready-made survey an author starts from for each kind, worded in
//! English and German.
//!
//! The wording follows the established instruments (the NPS and eNPS
//! recommendation question, CES 2.0's "made it easy for me", the CSAT
//! satisfaction question) because scores are only comparable with other
//! companies' when the question is the same. `{company}` and `{subject}` are
//! placeholders filled in when the survey is sent.

use super::ces::CesScale;
use super::locale::{Locale, LocalizedText};
use super::survey::{FollowUps, Question, QuestionKind, SurveyDefinition, SurveyKind};
use super::ui_text::UiText;

/// The starting definition for a survey of `kind`; CES uses the 7-point
/// scale of CES 2.0 (see [`ces_template`] for the 5-point one).
pub fn template(kind: SurveyKind) -> SurveyDefinition {
    match kind {
        SurveyKind::Nps => nps_template(),
        SurveyKind::Enps => enps_template(),
        SurveyKind::Ces => ces_template(CesScale::Seven),
        SurveyKind::Csat => csat_template(),
        SurveyKind::Pulse => pulse_template(),
        SurveyKind::Custom => custom_template(),
    }
}

/// A CES survey on the given scale.
pub fn ces_template(scale: CesScale) -> SurveyDefinition {
    let mut question = scale_question(
        "ces",
        QuestionKind::Ces { scale },
        text(
            "{company} made it easy for me to handle my issue.",
            "{company} hat es mir leicht gemacht, mein Anliegen zu erledigen.",
        ),
    );
    question.follow_ups = FollowUps {
        low: Some(text(
            "What made it difficult to handle your issue?",
            "Was hat es Ihnen schwer gemacht, Ihr Anliegen zu erledigen?",
        )),
        middle: None,
        high: Some(text(
            "What made it easy for you?",
            "Was hat es Ihnen leicht gemacht?",
        )),
    };
    definition(
        SurveyKind::Ces,
        text("Your experience with {company}", "Ihre Erfahrung mit {company}"),
        text(
            "Thank you for getting in touch. Please tell us how it went – it takes less than a minute.",
            "Vielen Dank, dass Sie sich an uns gewandt haben. Bitte sagen Sie uns, wie es gelaufen ist – das dauert weniger als eine Minute.",
        ),
        vec![question],
    )
}

/// The labels a new question of `kind` starts with: every point of the CES,
/// CSAT and Likert scales (their points are words, not numbers), the two
/// ends of NPS and eNPS, none for the rest.
pub fn default_point_labels(kind: &QuestionKind) -> Vec<LocalizedText> {
    let labels: &[(&str, &str)] = match kind {
        QuestionKind::Nps | QuestionKind::Enps => {
            return vec![ui(UiText::NpsLow), ui(UiText::NpsHigh)];
        }
        QuestionKind::Ces {
            scale: CesScale::Seven,
        } => &AGREE_7,
        QuestionKind::Ces {
            scale: CesScale::Five,
        }
        | QuestionKind::Likert => &AGREE_5,
        QuestionKind::Csat => &SATISFIED_5,
        QuestionKind::Rating { .. }
        | QuestionKind::SingleChoice { .. }
        | QuestionKind::MultipleChoice { .. }
        | QuestionKind::FreeText { .. } => &[],
    };
    labels.iter().map(|(en, de)| text(en, de)).collect()
}

const AGREE_7: [(&str, &str); 7] = [
    ("Strongly disagree", "Stimme überhaupt nicht zu"),
    ("Disagree", "Stimme nicht zu"),
    ("Somewhat disagree", "Stimme eher nicht zu"),
    ("Neither agree nor disagree", "Teils/teils"),
    ("Somewhat agree", "Stimme eher zu"),
    ("Agree", "Stimme zu"),
    ("Strongly agree", "Stimme voll und ganz zu"),
];

const AGREE_5: [(&str, &str); 5] = [
    ("Strongly disagree", "Stimme überhaupt nicht zu"),
    ("Disagree", "Stimme nicht zu"),
    ("Neither agree nor disagree", "Teils/teils"),
    ("Agree", "Stimme zu"),
    ("Strongly agree", "Stimme voll und ganz zu"),
];

const SATISFIED_5: [(&str, &str); 5] = [
    ("Very dissatisfied", "Sehr unzufrieden"),
    ("Dissatisfied", "Unzufrieden"),
    (
        "Neither satisfied nor dissatisfied",
        "Weder zufrieden noch unzufrieden",
    ),
    ("Satisfied", "Zufrieden"),
    ("Very satisfied", "Sehr zufrieden"),
];

const ANONYMOUS_INTRO: (&str, &str) = (
    "Your answers are anonymous: results are only reported for groups, never for individuals.",
    "Ihre Antworten sind anonym: Ergebnisse werden nur für Gruppen ausgewertet, nie für einzelne Personen.",
);

fn nps_template() -> SurveyDefinition {
    let mut question = scale_question(
        "nps",
        QuestionKind::Nps,
        text(
            "How likely is it that you would recommend {company} to a friend or colleague?",
            "Wie wahrscheinlich ist es, dass Sie {company} einem Freund oder Kollegen weiterempfehlen?",
        ),
    );
    question.follow_ups = FollowUps {
        low: Some(text(
            "What was missing or disappointing in your experience?",
            "Was hat Ihnen gefehlt oder was hat Sie enttäuscht?",
        )),
        middle: Some(text(
            "What could we do to make your experience better?",
            "Was könnten wir tun, um Ihre Erfahrung mit uns zu verbessern?",
        )),
        high: Some(text(
            "What do you like most about {company}?",
            "Was gefällt Ihnen an {company} am besten?",
        )),
    };
    definition(
        SurveyKind::Nps,
        text(
            "A quick question from {company}",
            "Eine kurze Frage von {company}",
        ),
        text(
            "It takes less than a minute.",
            "Das dauert weniger als eine Minute.",
        ),
        vec![question],
    )
}

/// The eNPS question, shared by the eNPS and pulse templates.
fn enps_question() -> Question {
    let mut question = scale_question(
        "enps",
        QuestionKind::Enps,
        text(
            "How likely is it that you would recommend {company} as a place to work?",
            "Wie wahrscheinlich ist es, dass Sie {company} als Arbeitgeber weiterempfehlen?",
        ),
    );
    question.follow_ups = FollowUps {
        low: Some(text(
            "What would need to change for you to recommend {company} as a place to work?",
            "Was müsste sich ändern, damit Sie {company} als Arbeitgeber weiterempfehlen?",
        )),
        middle: Some(text(
            "What would make {company} a better place to work for you?",
            "Was würde {company} für Sie zu einem besseren Arbeitgeber machen?",
        )),
        high: Some(text(
            "What do you value most about working at {company}?",
            "Was schätzen Sie an der Arbeit bei {company} am meisten?",
        )),
    };
    question
}

fn enps_template() -> SurveyDefinition {
    SurveyDefinition {
        anonymous: true,
        grouping_attributes: vec!["team".to_owned()],
        ..definition(
            SurveyKind::Enps,
            text("Working at {company}", "Arbeiten bei {company}"),
            text(ANONYMOUS_INTRO.0, ANONYMOUS_INTRO.1),
            vec![enps_question()],
        )
    }
}

fn csat_template() -> SurveyDefinition {
    let mut question = scale_question(
        "csat",
        QuestionKind::Csat,
        text(
            "How satisfied are you with {subject}?",
            "Wie zufrieden sind Sie mit {subject}?",
        ),
    );
    question.follow_ups = FollowUps {
        low: Some(text(
            "What were you unhappy with?",
            "Womit waren Sie unzufrieden?",
        )),
        middle: Some(text(
            "What could we have done better?",
            "Was hätten wir besser machen können?",
        )),
        high: Some(text(
            "What did you like in particular?",
            "Was hat Ihnen besonders gefallen?",
        )),
    };
    definition(
        SurveyKind::Csat,
        text("Your feedback on {subject}", "Ihr Feedback zu {subject}"),
        text(
            "It takes less than a minute.",
            "Das dauert weniger als eine Minute.",
        ),
        vec![question],
    )
}

/// Five drivers of engagement as agree statements, then the eNPS question
/// and room for anything else: short enough to repeat every few weeks.
fn pulse_template() -> SurveyDefinition {
    let statements = [
        (
            "workload",
            "My workload is manageable.",
            "Meine Arbeitsbelastung ist gut zu bewältigen.",
        ),
        (
            "recognition",
            "I receive appropriate recognition for good work.",
            "Für gute Arbeit erhalte ich angemessene Anerkennung.",
        ),
        (
            "manager_support",
            "My manager supports me in doing my job well.",
            "Meine Führungskraft unterstützt mich dabei, meine Arbeit gut zu machen.",
        ),
        (
            "growth",
            "I have opportunities to learn and grow here.",
            "Ich habe hier die Möglichkeit, Neues zu lernen und mich weiterzuentwickeln.",
        ),
        (
            "belonging",
            "I feel that I belong in my team.",
            "Ich fühle mich in meinem Team zugehörig.",
        ),
    ];
    let mut questions: Vec<Question> = statements
        .into_iter()
        .map(|(key, en, de)| scale_question(key, QuestionKind::Likert, text(en, de)))
        .collect();
    questions.push(enps_question());
    questions.push(Question {
        required: false,
        ..Question::new(
            "comments",
            QuestionKind::FreeText { max_chars: 2000 },
            text(
                "Is there anything else you would like to tell us?",
                "Möchten Sie uns sonst noch etwas mitteilen?",
            ),
        )
    });
    SurveyDefinition {
        anonymous: true,
        grouping_attributes: vec!["team".to_owned()],
        ..definition(
            SurveyKind::Pulse,
            text(
                "Pulse check at {company}",
                "Stimmungsbarometer bei {company}",
            ),
            text(
                &format!(
                    "A few short questions about how work is going for you. {}",
                    ANONYMOUS_INTRO.0
                ),
                &format!(
                    "Ein paar kurze Fragen dazu, wie es Ihnen bei der Arbeit geht. {}",
                    ANONYMOUS_INTRO.1
                ),
            ),
            questions,
        )
    }
}

fn custom_template() -> SurveyDefinition {
    definition(
        SurveyKind::Custom,
        text("Tell us what you think", "Ihre Meinung ist uns wichtig"),
        text(
            "We would love to hear from you.",
            "Wir freuen uns auf Ihre Rückmeldung.",
        ),
        vec![Question {
            required: false,
            ..Question::new(
                "feedback",
                QuestionKind::FreeText { max_chars: 2000 },
                text(
                    "What would you like to tell us?",
                    "Was möchten Sie uns mitteilen?",
                ),
            )
        }],
    )
}

/// A definition in English by default, without branding, not anonymous.
fn definition(
    kind: SurveyKind,
    title: LocalizedText,
    intro: LocalizedText,
    questions: Vec<Question>,
) -> SurveyDefinition {
    SurveyDefinition {
        kind,
        default_locale: Locale::En,
        title,
        intro,
        questions,
        thank_you: text(
            "Thank you for your feedback – it helps us improve.",
            "Vielen Dank für Ihr Feedback – es hilft uns, besser zu werden.",
        ),
        brand_color: None,
        logo_url: None,
        anonymous: false,
        grouping_attributes: Vec::new(),
        employee: false,
    }
}

/// A required question on a scale with its default point labels.
fn scale_question(key: &str, kind: QuestionKind, text: LocalizedText) -> Question {
    Question {
        point_labels: default_point_labels(&kind),
        ..Question::new(key, kind, text)
    }
}

fn text(en: &str, de: &str) -> LocalizedText {
    LocalizedText::new(en, de)
}

fn ui(text: UiText) -> LocalizedText {
    LocalizedText::new(text.text(Locale::En), text.text(Locale::De))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::survey::fill_placeholders;
    use std::collections::BTreeMap;

    fn all_templates() -> Vec<SurveyDefinition> {
        SurveyKind::ALL
            .into_iter()
            .map(template)
            .chain([ces_template(CesScale::Five)])
            .collect()
    }

    #[test]
    fn every_template_passes_validation() {
        for definition in all_templates() {
            assert_eq!(definition.validate(), Ok(()), "{:?}", definition.kind);
        }
    }

    #[test]
    fn every_template_is_of_the_kind_asked_for() {
        for kind in SurveyKind::ALL {
            assert_eq!(template(kind).kind, kind);
        }
    }

    #[test]
    fn every_template_text_is_written_in_english_and_german() {
        for definition in all_templates() {
            for (path, text) in definition.localized_texts() {
                for locale in Locale::ALL {
                    assert!(
                        !text.exact(locale).trim().is_empty(),
                        "{:?} {path} has no {locale:?} text",
                        definition.kind
                    );
                }
                assert_ne!(
                    text.en, text.de,
                    "{:?} {path} is not translated",
                    definition.kind
                );
            }
        }
    }

    #[test]
    fn template_placeholders_are_only_company_and_subject() {
        let values: BTreeMap<String, String> = [("company", "Acme"), ("subject", "your order")]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        for definition in all_templates() {
            for (path, text) in definition.localized_texts() {
                for locale in Locale::ALL {
                    let filled = fill_placeholders(text.exact(locale), &values);
                    assert!(
                        !filled.contains(['{', '}']),
                        "{:?} {path}: {filled}",
                        definition.kind
                    );
                }
            }
        }
    }

    #[test]
    fn german_template_texts_address_the_respondent_formally() {
        let informal = [
            "du", "dich", "dir", "dein", "deine", "deinen", "euch", "euer",
        ];
        for definition in all_templates() {
            for (path, text) in definition.localized_texts() {
                for word in text.de.split(|c: char| !c.is_alphabetic()) {
                    assert!(!informal.contains(&word), "{path}: {}", text.de);
                }
            }
        }
    }

    #[test]
    fn nps_asks_the_standard_question_with_labelled_ends_and_three_follow_ups() {
        let definition = template(SurveyKind::Nps);
        let question = &definition.questions[0];
        assert_eq!(question.kind, QuestionKind::Nps);
        assert_eq!(
            question.text.en,
            "How likely is it that you would recommend {company} to a friend or colleague?"
        );
        assert_eq!(
            question.text.de,
            "Wie wahrscheinlich ist es, dass Sie {company} einem Freund oder Kollegen weiterempfehlen?"
        );
        assert_eq!(
            question.point_label(0).map(|l| l.de.as_str()),
            Some("Überhaupt nicht wahrscheinlich")
        );
        assert_eq!(
            question.point_label(10).map(|l| l.en.as_str()),
            Some("Extremely likely")
        );
        assert_eq!(question.point_label(5), None);
        assert_eq!(
            question.follow_up(3).map(|t| t.en.as_str()),
            Some("What was missing or disappointing in your experience?")
        );
        assert_eq!(
            question.follow_up(8).map(|t| t.en.as_str()),
            Some("What could we do to make your experience better?")
        );
        assert_eq!(
            question.follow_up(10).map(|t| t.en.as_str()),
            Some("What do you like most about {company}?")
        );
    }

    #[test]
    fn enps_is_anonymous_and_grouped_by_team() {
        let definition = template(SurveyKind::Enps);
        assert!(definition.anonymous);
        assert_eq!(definition.grouping_attributes, ["team"]);
        assert_eq!(definition.questions[0].kind, QuestionKind::Enps);
        assert!(definition.questions[0]
            .text
            .de
            .ends_with("als Arbeitgeber weiterempfehlen?"));
    }

    #[test]
    fn ces_defaults_to_seven_labelled_points_and_also_comes_with_five() {
        let seven = template(SurveyKind::Ces);
        assert_eq!(seven, ces_template(CesScale::Seven));
        let question = &seven.questions[0];
        assert_eq!(
            question.kind,
            QuestionKind::Ces {
                scale: CesScale::Seven
            }
        );
        assert_eq!(question.point_labels.len(), 7);
        assert_eq!(
            question.point_label(1).map(|l| l.en.as_str()),
            Some("Strongly disagree")
        );
        assert_eq!(
            question.point_label(7).map(|l| l.de.as_str()),
            Some("Stimme voll und ganz zu")
        );
        assert!(question.follow_up(2).is_some() && question.follow_up(6).is_some());
        assert_eq!(question.follow_up(4), None);

        let five = ces_template(CesScale::Five);
        assert_eq!(five.questions[0].point_labels.len(), 5);
        assert_eq!(five.questions[0].text, question.text);
    }

    #[test]
    fn csat_labels_its_five_points_from_very_dissatisfied_to_very_satisfied() {
        let definition = template(SurveyKind::Csat);
        let question = &definition.questions[0];
        assert_eq!(question.text.en, "How satisfied are you with {subject}?");
        let labels: Vec<&str> = question
            .point_labels
            .iter()
            .map(|l| l.en.as_str())
            .collect();
        assert_eq!(labels.first(), Some(&"Very dissatisfied"));
        assert_eq!(labels.last(), Some(&"Very satisfied"));
        assert_eq!(
            question.point_label(5).map(|l| l.de.as_str()),
            Some("Sehr zufrieden")
        );
        assert!(question.follow_ups.low.is_some() && question.follow_ups.high.is_some());
    }

    #[test]
    fn pulse_has_five_statements_the_enps_question_and_an_optional_comment() {
        let definition = template(SurveyKind::Pulse);
        assert!(definition.anonymous);
        let kinds: Vec<(&str, &QuestionKind, bool)> = definition
            .questions
            .iter()
            .map(|q| (q.key.as_str(), &q.kind, q.required))
            .collect();
        assert_eq!(
            kinds,
            [
                ("workload", &QuestionKind::Likert, true),
                ("recognition", &QuestionKind::Likert, true),
                ("manager_support", &QuestionKind::Likert, true),
                ("growth", &QuestionKind::Likert, true),
                ("belonging", &QuestionKind::Likert, true),
                ("enps", &QuestionKind::Enps, true),
                (
                    "comments",
                    &QuestionKind::FreeText { max_chars: 2000 },
                    false
                ),
            ]
        );
        assert!(definition.questions[..5]
            .iter()
            .all(|q| q.point_labels.len() == 5));
    }

    #[test]
    fn custom_starts_with_one_optional_free_text_question() {
        let definition = template(SurveyKind::Custom);
        assert_eq!(definition.questions.len(), 1);
        assert!(!definition.questions[0].required);
        assert!(matches!(
            definition.questions[0].kind,
            QuestionKind::FreeText { .. }
        ));
    }

    #[test]
    fn only_scales_get_default_point_labels() {
        assert_eq!(default_point_labels(&QuestionKind::Nps).len(), 2);
        assert_eq!(default_point_labels(&QuestionKind::Likert).len(), 5);
        assert_eq!(default_point_labels(&QuestionKind::Csat).len(), 5);
        assert!(default_point_labels(&QuestionKind::Rating { min: 1, max: 5 }).is_empty());
        assert!(default_point_labels(&QuestionKind::FreeText { max_chars: 10 }).is_empty());
    }
}
