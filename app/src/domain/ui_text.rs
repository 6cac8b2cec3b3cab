//! Every text a respondent sees in the survey page's chrome — buttons,
//! hints, error messages, closing pages — in English and German.
//!
//! Texts an author writes (titles, questions, labels) live in the survey
//! definition instead. Keeping the fixed ones in one `match` means a new
//! variant cannot compile without both translations. German addresses the
//! respondent formally ("Sie"), as a company writing to customers and
//! employees would.

use super::locale::Locale;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum UiText {
    /// Submit button on the last page.
    Send,
    Next,
    Back,
    /// Marks a question that may be skipped.
    Optional,
    /// Marks a question that must be answered.
    Required,
    ThankYouTitle,
    /// Shown after sending when the survey has no thank-you text of its own.
    ThankYouDefault,
    SurveyClosed,
    /// The survey is still a draft: it takes answers once it is opened.
    SurveyNotOpen,
    /// The survey has reached its response cap.
    SurveyOverCap,
    /// The link's token or slug matches no survey.
    LinkUnknown,
    ChooseAScore,
    ScoreOutOfRange,
    ChooseAnOption,
    OptionUnknown,
    TooManyOptions,
    TextTooLong {
        max: u32,
    },
    AnswerRequired,
    YourAnswersSaved,
    ChangeYourAnswers,
    /// Label under 0 on the NPS and eNPS scale.
    NpsLow,
    /// Label under 10 on the NPS and eNPS scale.
    NpsHigh,
    /// Follow-up prompt when the question has none for the score's category.
    NpsFollowUpDefault,
    /// Hint on a multiple-choice question with a limit.
    ChooseUpTo {
        max: u8,
    },
    /// Hint on a multiple-choice question without a limit.
    SelectAllThatApply,
    QuestionProgress {
        current: u16,
        total: u16,
    },
    /// Counter under a free-text field.
    CharactersLeft {
        left: u32,
    },
    /// Reassurance on anonymous surveys.
    AnonymousNotice,
    /// Summary above a form that came back with errors.
    CheckYourAnswers,
    /// The answers could not be stored (network or server failure).
    SendFailed,
    /// Too many answers from one address to one survey in a short time.
    TooManyAnswers,
}

impl UiText {
    pub fn text(self, locale: Locale) -> String {
        let (en, de) = match self {
            UiText::Send => ("Send", "Absenden"),
            UiText::Next => ("Next", "Weiter"),
            UiText::Back => ("Back", "Zurück"),
            // "Optional" is German too; "freiwillig" is what German
            // questionnaires say and keeps the two texts distinguishable.
            UiText::Optional => ("Optional", "Freiwillig"),
            UiText::Required => ("Required", "Pflichtfrage"),
            UiText::ThankYouTitle => ("Thank you!", "Vielen Dank!"),
            UiText::ThankYouDefault => (
                "Your answers have been recorded. Thank you for taking the time.",
                "Ihre Antworten wurden gespeichert. Vielen Dank, dass Sie sich die Zeit genommen haben.",
            ),
            UiText::SurveyClosed => (
                "This survey has ended and no longer accepts answers.",
                "Diese Umfrage ist beendet und nimmt keine Antworten mehr entgegen.",
            ),
            UiText::SurveyNotOpen => (
                "This survey is not open yet. Please try again later.",
                "Diese Umfrage ist noch nicht geöffnet. Bitte versuchen Sie es später noch einmal.",
            ),
            UiText::SurveyOverCap => (
                "This survey has already received all the answers it needs. Thank you for your interest.",
                "Diese Umfrage hat bereits alle benötigten Antworten erhalten. Vielen Dank für Ihr Interesse.",
            ),
            UiText::LinkUnknown => (
                "We could not find a survey for this link. Please check that you opened the complete link from your email.",
                "Zu diesem Link haben wir keine Umfrage gefunden. Bitte prüfen Sie, ob Sie den vollständigen Link aus Ihrer E-Mail geöffnet haben.",
            ),
            UiText::ChooseAScore => (
                "Please choose a score.",
                "Bitte wählen Sie eine Bewertung aus.",
            ),
            UiText::ScoreOutOfRange => (
                "Please choose one of the scores shown.",
                "Bitte wählen Sie einen der angezeigten Werte aus.",
            ),
            UiText::ChooseAnOption => (
                "Please choose one option.",
                "Bitte wählen Sie eine Option aus.",
            ),
            UiText::OptionUnknown => (
                "Please choose one of the options shown.",
                "Bitte wählen Sie eine der angezeigten Optionen aus.",
            ),
            UiText::TooManyOptions => (
                "You have chosen more options than allowed.",
                "Sie haben mehr Optionen ausgewählt als erlaubt.",
            ),
            UiText::TextTooLong { max } => {
                return match locale {
                    Locale::En => format!(
                        "Please shorten your answer to at most {max} {}.",
                        if max == 1 { "character" } else { "characters" }
                    ),
                    Locale::De => {
                        format!("Bitte kürzen Sie Ihre Antwort auf höchstens {max} Zeichen.")
                    }
                }
            }
            UiText::AnswerRequired => (
                "Please answer this question.",
                "Bitte beantworten Sie diese Frage.",
            ),
            UiText::YourAnswersSaved => (
                "Your answers have been saved.",
                "Ihre Antworten wurden gespeichert.",
            ),
            UiText::ChangeYourAnswers => ("Change your answers", "Antworten ändern"),
            UiText::NpsLow => ("Not at all likely", "Überhaupt nicht wahrscheinlich"),
            UiText::NpsHigh => ("Extremely likely", "Äußerst wahrscheinlich"),
            UiText::NpsFollowUpDefault => (
                "What is the main reason for your score?",
                "Was ist der wichtigste Grund für Ihre Bewertung?",
            ),
            UiText::ChooseUpTo { max } => {
                return match (locale, max) {
                    (Locale::En, 1) => "Choose one option.".to_owned(),
                    (Locale::De, 1) => "Wählen Sie eine Option aus.".to_owned(),
                    (Locale::En, _) => format!("Choose up to {max} options."),
                    (Locale::De, _) => format!("Wählen Sie bis zu {max} Optionen aus."),
                }
            }
            UiText::SelectAllThatApply => ("Select all that apply.", "Mehrfachauswahl möglich."),
            UiText::QuestionProgress { current, total } => {
                return match locale {
                    Locale::En => format!("Question {current} of {total}"),
                    Locale::De => format!("Frage {current} von {total}"),
                }
            }
            UiText::CharactersLeft { left } => {
                return match locale {
                    Locale::En if left == 1 => "1 character left".to_owned(),
                    Locale::En => format!("{left} characters left"),
                    Locale::De => format!("Noch {left} Zeichen"),
                }
            }
            UiText::AnonymousNotice => (
                "Your answers are anonymous.",
                "Ihre Antworten sind anonym.",
            ),
            UiText::CheckYourAnswers => (
                "Please check the answers marked below.",
                "Bitte prüfen Sie die unten markierten Antworten.",
            ),
            UiText::SendFailed => (
                "Your answers could not be sent. Please try again.",
                "Ihre Antworten konnten nicht gesendet werden. Bitte versuchen Sie es erneut.",
            ),
            UiText::TooManyAnswers => (
                "Too many answers from your network just now. Please try again in a minute.",
                "Gerade kommen zu viele Antworten aus Ihrem Netzwerk. Bitte versuchen Sie es in einer Minute erneut.",
            ),
        };
        match locale {
            Locale::En => en,
            Locale::De => de,
        }
        .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One of each variant. `text` matches exhaustively, so a new variant
    /// needs its translations there; add it here too so the checks below
    /// cover it.
    const ALL: [UiText; 31] = [
        UiText::Send,
        UiText::Next,
        UiText::Back,
        UiText::Optional,
        UiText::Required,
        UiText::ThankYouTitle,
        UiText::ThankYouDefault,
        UiText::SurveyClosed,
        UiText::SurveyNotOpen,
        UiText::SurveyOverCap,
        UiText::LinkUnknown,
        UiText::ChooseAScore,
        UiText::ScoreOutOfRange,
        UiText::ChooseAnOption,
        UiText::OptionUnknown,
        UiText::TooManyOptions,
        UiText::TextTooLong { max: 500 },
        UiText::AnswerRequired,
        UiText::YourAnswersSaved,
        UiText::ChangeYourAnswers,
        UiText::NpsLow,
        UiText::NpsHigh,
        UiText::NpsFollowUpDefault,
        UiText::ChooseUpTo { max: 3 },
        UiText::SelectAllThatApply,
        UiText::QuestionProgress {
            current: 2,
            total: 7,
        },
        UiText::CharactersLeft { left: 120 },
        UiText::AnonymousNotice,
        UiText::TooManyAnswers,
        UiText::CheckYourAnswers,
        UiText::SendFailed,
    ];

    #[test]
    fn every_text_exists_in_english_and_german_and_they_differ() {
        for text in ALL {
            let en = text.text(Locale::En);
            let de = text.text(Locale::De);
            assert!(!en.trim().is_empty(), "{text:?} has no English text");
            assert!(!de.trim().is_empty(), "{text:?} has no German text");
            assert_ne!(en, de, "{text:?} is not translated");
        }
    }

    #[test]
    fn no_two_variants_share_a_text() {
        for locale in Locale::ALL {
            let mut texts: Vec<String> = ALL.iter().map(|t| t.text(locale)).collect();
            texts.sort();
            texts.dedup();
            assert_eq!(texts.len(), ALL.len(), "duplicate {locale:?} text");
        }
    }

    #[test]
    fn german_addresses_the_respondent_formally() {
        let informal = [
            "du", "dich", "dir", "dein", "deine", "deinen", "euch", "euer",
        ];
        for text in ALL {
            let de = text.text(Locale::De);
            for word in de.split(|c: char| !c.is_alphabetic()) {
                assert!(!informal.contains(&word), "{text:?}: {de}");
            }
        }
    }

    #[test]
    fn nps_scale_ends_use_the_standard_wording() {
        assert_eq!(UiText::NpsLow.text(Locale::En), "Not at all likely");
        assert_eq!(
            UiText::NpsLow.text(Locale::De),
            "Überhaupt nicht wahrscheinlich"
        );
        assert_eq!(UiText::NpsHigh.text(Locale::En), "Extremely likely");
        assert_eq!(UiText::NpsHigh.text(Locale::De), "Äußerst wahrscheinlich");
        assert_eq!(
            UiText::NpsFollowUpDefault.text(Locale::De),
            "Was ist der wichtigste Grund für Ihre Bewertung?"
        );
    }

    #[test]
    fn texts_with_numbers_show_them_and_agree_in_number() {
        assert_eq!(
            UiText::TextTooLong { max: 500 }.text(Locale::En),
            "Please shorten your answer to at most 500 characters."
        );
        assert_eq!(
            UiText::TextTooLong { max: 500 }.text(Locale::De),
            "Bitte kürzen Sie Ihre Antwort auf höchstens 500 Zeichen."
        );
        assert_eq!(
            UiText::CharactersLeft { left: 1 }.text(Locale::En),
            "1 character left"
        );
        assert_eq!(
            UiText::ChooseUpTo { max: 1 }.text(Locale::En),
            "Choose one option."
        );
        assert_eq!(
            UiText::ChooseUpTo { max: 3 }.text(Locale::De),
            "Wählen Sie bis zu 3 Optionen aus."
        );
        assert_eq!(
            UiText::QuestionProgress {
                current: 2,
                total: 7
            }
            .text(Locale::De),
            "Frage 2 von 7"
        );
    }
}
