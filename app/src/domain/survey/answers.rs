//! What a respondent's form sends for a question, and the rules that turn it
//! into a stored answer. Nothing the browser checked is trusted here: these
//! rules are what is stored.

use super::{ChoiceOption, Question, QuestionKind, FOLLOW_UP_MAX_CHARS, FREE_TEXT_MAX_CHARS};
use crate::domain::score_in_range;
use crate::domain::ui_text::UiText;
use serde::{Deserialize, Serialize};

impl Question {
    /// Checks what the form sent for this question.
    ///
    /// Values are trimmed and blank ones dropped (a text field left empty
    /// still sends ""); nothing left means skipped, which is `Ok(None)`
    /// unless the question is required. Scores must be written as decimal
    /// integers ("7", not "7.0" or "seven"). Multiple choices come back
    /// without duplicates, in the order of the question's options, so equal
    /// answers are stored equally.
    pub fn parse_answer(&self, raw: &RawAnswer) -> Result<Option<AnswerValue>, AnswerError> {
        let answer = match &self.kind {
            QuestionKind::SingleChoice { options } => match single_value(raw)? {
                Some(value) => Some(AnswerValue::Choice(choose(options, value)?.key.clone())),
                None => None,
            },
            QuestionKind::MultipleChoice {
                options,
                max_selected,
            } => choose_several(options, *max_selected, raw)?.map(AnswerValue::Choices),
            QuestionKind::FreeText { max_chars } => {
                parse_text(raw, *max_chars)?.map(AnswerValue::Text)
            }
            QuestionKind::Nps
            | QuestionKind::Enps
            | QuestionKind::Rating { .. }
            | QuestionKind::Ces { .. }
            | QuestionKind::Csat
            | QuestionKind::Likert => {
                let (min, max) = self.kind.score_range().unwrap_or((1, 0));
                match single_value(raw)? {
                    Some(value) => Some(AnswerValue::Score(parse_score(value, min, max)?)),
                    None => None,
                }
            }
        };
        match answer {
            None if self.required => Err(AnswerError::Required),
            answer => Ok(answer),
        }
    }
}

/// Checks the comment written in answer to a follow-up prompt: always
/// optional, plain text up to [`FOLLOW_UP_MAX_CHARS`].
pub fn parse_follow_up_answer(raw: &RawAnswer) -> Result<Option<String>, AnswerError> {
    parse_text(raw, FOLLOW_UP_MAX_CHARS)
}

/// What a form sends for one question: one value for a radio group, select
/// or text field, one per ticked box for checkboxes, none when skipped.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct RawAnswer {
    pub values: Vec<String>,
}

impl RawAnswer {
    pub fn skipped() -> RawAnswer {
        RawAnswer::default()
    }

    pub fn one(value: impl Into<String>) -> RawAnswer {
        RawAnswer {
            values: vec![value.into()],
        }
    }
}

impl<S: Into<String>> FromIterator<S> for RawAnswer {
    fn from_iter<I: IntoIterator<Item = S>>(values: I) -> RawAnswer {
        RawAnswer {
            values: values.into_iter().map(Into::into).collect(),
        }
    }
}

/// What a typed client (the JSON API) sends for one question. A form's fields are
/// all text, so a form sends the score "9"; a typed client says what it means, and a
/// score is the number 9, never "9" or [9].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TypedAnswer {
    Skipped,
    Integer(i64),
    /// A string, or any other single value written as text (a fraction, `true`, …).
    Text(String),
    /// Several values, each as text: the option keys of a multiple choice.
    List(Vec<String>),
}

impl Question {
    /// What a typed client sent, as a form would have sent it, refused where its type
    /// is wrong: a question on a scale takes an integer only. The other kinds take text
    /// or a list, which [`Question::parse_answer`] then checks as it checks a form's.
    pub fn typed_answer(&self, answer: &TypedAnswer) -> Result<RawAnswer, AnswerError> {
        let on_a_scale = self.kind.score_range().is_some();
        match answer {
            TypedAnswer::Skipped => Ok(RawAnswer::skipped()),
            TypedAnswer::Integer(n) => Ok(RawAnswer::one(n.to_string())),
            TypedAnswer::Text(_) | TypedAnswer::List(_) if on_a_scale => {
                Err(AnswerError::NotAScore)
            }
            TypedAnswer::Text(text) => Ok(RawAnswer::one(text.clone())),
            TypedAnswer::List(values) => Ok(values.iter().cloned().collect()),
        }
    }
}

/// A checked answer, as stored.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "type", content = "value", rename_all = "snake_case")]
pub enum AnswerValue {
    Score(u8),
    /// The chosen option's key.
    Choice(String),
    /// The chosen options' keys, in the question's order.
    Choices(Vec<String>),
    Text(String),
}

/// Why a form's answer was refused. The messages are for logs and the API;
/// respondents see [`AnswerError::ui_text`] in their language.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("this question requires an answer")]
    Required,
    #[error("expected one value but the form sent several")]
    MultipleValues,
    #[error("a score must be a whole number written in digits")]
    NotAScore,
    #[error("score must be a whole number from {min} to {max}")]
    ScoreOutOfRange { min: u8, max: u8 },
    #[error("the chosen option is not one of this question's options")]
    UnknownOption,
    #[error("at most {max} options may be chosen")]
    TooManyOptions { max: usize },
    #[error("the answer has {length} characters; at most {max} are allowed")]
    TextTooLong { max: u32, length: usize },
}

impl AnswerError {
    /// The message to show the respondent next to the question.
    pub fn ui_text(&self) -> UiText {
        match *self {
            AnswerError::Required => UiText::AnswerRequired,
            // Only a tampered or broken form sends several values for one
            // field; asking for one choice is the closest honest request.
            AnswerError::MultipleValues => UiText::ChooseAnOption,
            AnswerError::NotAScore => UiText::ChooseAScore,
            AnswerError::ScoreOutOfRange { .. } => UiText::ScoreOutOfRange,
            AnswerError::UnknownOption => UiText::OptionUnknown,
            AnswerError::TooManyOptions { .. } => UiText::TooManyOptions,
            AnswerError::TextTooLong { max, .. } => UiText::TextTooLong { max },
        }
    }
}

/// Trimmed values that are not blank.
fn given_values(raw: &RawAnswer) -> impl Iterator<Item = &str> {
    raw.values
        .iter()
        .map(|value| value.trim())
        .filter(|value| !value.is_empty())
}

/// The one value of a radio group, select or text field; `None` if skipped.
fn single_value(raw: &RawAnswer) -> Result<Option<&str>, AnswerError> {
    let mut given = given_values(raw);
    match (given.next(), given.next()) {
        (None, _) => Ok(None),
        (Some(value), None) => Ok(Some(value)),
        (Some(_), Some(_)) => Err(AnswerError::MultipleValues),
    }
}

/// A decimal integer, optionally negative, in `min..=max`.
fn parse_score(value: &str, min: u8, max: u8) -> Result<u8, AnswerError> {
    let digits = value.strip_prefix('-').unwrap_or(value);
    // `str::parse` would also take "+7"; only plain digits are a score.
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AnswerError::NotAScore);
    }
    let out_of_range = AnswerError::ScoreOutOfRange { min, max };
    // Digits too many for an i64 are still a number, just far out of range.
    let number = value.parse::<i64>().map_err(|_| out_of_range)?;
    score_in_range(number, min, max).map_err(|_| out_of_range)
}

fn choose<'a>(options: &'a [ChoiceOption], key: &str) -> Result<&'a ChoiceOption, AnswerError> {
    options
        .iter()
        .find(|option| option.key == key)
        .ok_or(AnswerError::UnknownOption)
}

fn choose_several(
    options: &[ChoiceOption],
    max_selected: Option<u8>,
    raw: &RawAnswer,
) -> Result<Option<Vec<String>>, AnswerError> {
    let chosen: Vec<&str> = given_values(raw).collect();
    if chosen.is_empty() {
        return Ok(None);
    }
    for key in &chosen {
        choose(options, key)?;
    }
    let keys: Vec<String> = options
        .iter()
        .filter(|option| chosen.contains(&option.key.as_str()))
        .map(|option| option.key.clone())
        .collect();
    let max = max_selected.map_or(options.len(), usize::from);
    if keys.len() > max {
        return Err(AnswerError::TooManyOptions { max });
    }
    Ok(Some(keys))
}

/// Free text: line breaks normalised, control characters dropped, at most
/// `max_chars` (and never more than [`FREE_TEXT_MAX_CHARS`]) characters.
fn parse_text(raw: &RawAnswer, max_chars: u32) -> Result<Option<String>, AnswerError> {
    let Some(value) = single_value(raw)? else {
        return Ok(None);
    };
    // Browsers submit a textarea's line breaks as CRLF but count each as one
    // character against `maxlength`; counting CRLF as two would refuse text
    // the browser let through. Other control characters have no place in an
    // answer, and PostgreSQL refuses NUL in text outright.
    let text: String = value
        .replace("\r\n", "\n")
        .chars()
        .map(|c| if c == '\r' { '\n' } else { c })
        .filter(|&c| c == '\n' || c == '\t' || !c.is_control())
        .collect();
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    let max = max_chars.min(FREE_TEXT_MAX_CHARS);
    // Characters, not bytes: "ä" is one character to the respondent. HTML
    // `maxlength` counts UTF-16 units, so this never refuses what it allowed.
    let length = text.chars().count();
    if length > usize::try_from(max).unwrap_or(usize::MAX) {
        return Err(AnswerError::TextTooLong { max, length });
    }
    Ok(Some(text.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;
    use crate::domain::LocalizedText;
    use proptest::prelude::*;

    fn parse(kind: QuestionKind, values: &[&str]) -> Result<Option<AnswerValue>, AnswerError> {
        question(kind).parse_answer(&values.iter().copied().collect())
    }

    // Answers.

    #[test]
    fn scores_are_read_from_decimal_integers_only() {
        assert_eq!(
            parse(QuestionKind::Nps, &["7"]),
            Ok(Some(AnswerValue::Score(7)))
        );
        assert_eq!(
            parse(QuestionKind::Nps, &[" 10 "]),
            Ok(Some(AnswerValue::Score(10)))
        );
        assert_eq!(
            parse(QuestionKind::Nps, &["07"]),
            Ok(Some(AnswerValue::Score(7)))
        );
        for bad in ["7.0", "seven", "+7", "7a", "0x7", "1e1", "-", "٧"] {
            assert_eq!(
                parse(QuestionKind::Nps, &[bad]),
                Err(AnswerError::NotAScore),
                "{bad}"
            );
        }
    }

    #[test]
    fn scores_outside_the_scale_are_refused_with_its_bounds() {
        for (kind, bad, min, max) in [
            (QuestionKind::Nps, "11", 0, 10),
            (QuestionKind::Enps, "-1", 0, 10),
            (QuestionKind::Csat, "0", 1, 5),
            (QuestionKind::Likert, "6", 1, 5),
            (CES7, "8", 1, 7),
            (CES5, "6", 1, 5),
            (QuestionKind::Rating { min: 1, max: 5 }, "0", 1, 5),
            (QuestionKind::Nps, "99999999999999999999999", 0, 10),
        ] {
            assert_eq!(
                parse(kind, &[bad]),
                Err(AnswerError::ScoreOutOfRange { min, max }),
                "{bad}"
            );
        }
        assert_eq!(parse(CES7, &["7"]), Ok(Some(AnswerValue::Score(7))));
        assert_eq!(
            parse(QuestionKind::Rating { min: 0, max: 10 }, &["0"]),
            Ok(Some(AnswerValue::Score(0)))
        );
    }

    #[test]
    fn a_skipped_required_question_is_refused_and_an_optional_one_is_not() {
        let kinds = [
            QuestionKind::Nps,
            QuestionKind::SingleChoice {
                options: options(&["a", "b"]),
            },
            QuestionKind::MultipleChoice {
                options: options(&["a", "b"]),
                max_selected: None,
            },
            QuestionKind::FreeText { max_chars: 100 },
        ];
        for kind in kinds {
            for skipped in [
                RawAnswer::skipped(),
                RawAnswer::one(""),
                RawAnswer::one("  \n "),
            ] {
                assert_eq!(
                    question(kind.clone()).parse_answer(&skipped),
                    Err(AnswerError::Required)
                );
                assert_eq!(optional(kind.clone()).parse_answer(&skipped), Ok(None));
            }
        }
    }

    #[test]
    fn a_single_choice_must_be_one_known_option() {
        let kind = QuestionKind::SingleChoice {
            options: options(&["yes", "no"]),
        };
        assert_eq!(
            parse(kind.clone(), &["no"]),
            Ok(Some(AnswerValue::Choice("no".into())))
        );
        assert_eq!(
            parse(kind.clone(), &["maybe"]),
            Err(AnswerError::UnknownOption)
        );
        assert_eq!(
            parse(kind.clone(), &["YES"]),
            Err(AnswerError::UnknownOption)
        );
        assert_eq!(
            parse(kind, &["yes", "no"]),
            Err(AnswerError::MultipleValues)
        );
    }

    #[test]
    fn multiple_choices_come_back_in_option_order_without_duplicates() {
        let kind = QuestionKind::MultipleChoice {
            options: options(&["a", "b", "c"]),
            max_selected: None,
        };
        assert_eq!(
            parse(kind, &["c", "a", "c", ""]),
            Ok(Some(AnswerValue::Choices(vec!["a".into(), "c".into()])))
        );
    }

    #[test]
    fn multiple_choices_refuse_unknown_options_and_too_many_ticks() {
        let kind = QuestionKind::MultipleChoice {
            options: options(&["a", "b", "c"]),
            max_selected: Some(2),
        };
        assert_eq!(
            parse(kind.clone(), &["a", "z"]),
            Err(AnswerError::UnknownOption)
        );
        assert_eq!(
            parse(kind.clone(), &["a", "b", "c"]),
            Err(AnswerError::TooManyOptions { max: 2 })
        );
        assert_eq!(
            parse(kind, &["b", "b", "a"]),
            Ok(Some(AnswerValue::Choices(vec!["a".into(), "b".into()])))
        );
    }

    #[test]
    fn free_text_is_trimmed_and_capped_in_characters() {
        let kind = QuestionKind::FreeText { max_chars: 5 };
        assert_eq!(
            parse(kind.clone(), &["  Grüße "]),
            Ok(Some(AnswerValue::Text("Grüße".into())))
        );
        assert_eq!(
            parse(kind, &["Grüßen"]),
            Err(AnswerError::TextTooLong { max: 5, length: 6 })
        );
    }

    #[test]
    fn line_breaks_count_once_however_the_browser_sends_them() {
        let kind = QuestionKind::FreeText { max_chars: 3 };
        assert_eq!(
            parse(kind, &["a\r\nb"]),
            Ok(Some(AnswerValue::Text("a\nb".into())))
        );
    }

    #[test]
    fn control_characters_are_dropped_from_text() {
        let kind = QuestionKind::FreeText { max_chars: 100 };
        assert_eq!(
            parse(kind.clone(), &["a\0b\u{7}\tc"]),
            Ok(Some(AnswerValue::Text("ab\tc".into())))
        );
        assert_eq!(optional(kind).parse_answer(&RawAnswer::one("\0")), Ok(None));
    }

    #[test]
    fn free_text_never_exceeds_5000_characters_whatever_the_question_says() {
        let kind = QuestionKind::FreeText { max_chars: 100_000 };
        assert_eq!(
            parse(kind, &[&"x".repeat(5001)]),
            Err(AnswerError::TextTooLong {
                max: 5000,
                length: 5001
            })
        );
    }

    #[test]
    fn follow_up_answers_are_optional_text_up_to_2000_characters() {
        assert_eq!(parse_follow_up_answer(&RawAnswer::skipped()), Ok(None));
        assert_eq!(
            parse_follow_up_answer(&RawAnswer::one(" Great ")),
            Ok(Some("Great".into()))
        );
        assert_eq!(
            parse_follow_up_answer(&RawAnswer::one("x".repeat(2001))),
            Err(AnswerError::TextTooLong {
                max: 2000,
                length: 2001
            })
        );
    }

    #[test]
    fn a_typed_client_gives_a_score_as_an_integer_only() {
        let nps = question(QuestionKind::Nps);
        let typed = |answer: TypedAnswer| {
            nps.typed_answer(&answer)
                .and_then(|raw| nps.parse_answer(&raw))
        };
        assert_eq!(
            typed(TypedAnswer::Integer(9)),
            Ok(Some(AnswerValue::Score(9)))
        );
        // A form's "9" is a score; a typed client's "9" or [9] is not.
        assert_eq!(
            typed(TypedAnswer::Text("9".into())),
            Err(AnswerError::NotAScore)
        );
        assert_eq!(
            typed(TypedAnswer::List(vec!["9".into()])),
            Err(AnswerError::NotAScore)
        );
        assert_eq!(
            typed(TypedAnswer::Integer(11)),
            Err(AnswerError::ScoreOutOfRange { min: 0, max: 10 })
        );
        assert_eq!(typed(TypedAnswer::Skipped), Err(AnswerError::Required));
    }

    #[test]
    fn a_typed_client_gives_choices_and_text_as_text() {
        let choice = question(QuestionKind::MultipleChoice {
            options: options(&["a", "b"]),
            max_selected: None,
        });
        let raw = choice.typed_answer(&TypedAnswer::List(vec!["b".into(), "a".into()]));
        assert_eq!(
            raw.and_then(|raw| choice.parse_answer(&raw)),
            Ok(Some(AnswerValue::Choices(vec!["a".into(), "b".into()])))
        );
        let text = question(QuestionKind::FreeText { max_chars: 100 });
        let raw = text.typed_answer(&TypedAnswer::Text("fast".into()));
        assert_eq!(
            raw.and_then(|raw| text.parse_answer(&raw)),
            Ok(Some(AnswerValue::Text("fast".into())))
        );
    }

    #[test]
    fn every_answer_error_has_a_message_for_the_respondent() {
        assert_eq!(AnswerError::Required.ui_text(), UiText::AnswerRequired);
        assert_eq!(AnswerError::NotAScore.ui_text(), UiText::ChooseAScore);
        assert_eq!(
            AnswerError::ScoreOutOfRange { min: 0, max: 10 }.ui_text(),
            UiText::ScoreOutOfRange
        );
        assert_eq!(AnswerError::UnknownOption.ui_text(), UiText::OptionUnknown);
        assert_eq!(
            AnswerError::TooManyOptions { max: 2 }.ui_text(),
            UiText::TooManyOptions
        );
        assert_eq!(
            AnswerError::TextTooLong {
                max: 500,
                length: 501
            }
            .ui_text(),
            UiText::TextTooLong { max: 500 }
        );
        assert_eq!(
            AnswerError::MultipleValues.ui_text(),
            UiText::ChooseAnOption
        );
    }

    // Properties.

    fn any_kind() -> impl Strategy<Value = QuestionKind> {
        let opts = || {
            prop::collection::vec(("[a-c]{1,2}", ".{0,4}"), 0..5).prop_map(|pairs| {
                pairs
                    .into_iter()
                    .map(|(key, label)| ChoiceOption::new(key, LocalizedText::new(label, "")))
                    .collect::<Vec<_>>()
            })
        };
        prop_oneof![
            scored_kinds(),
            (any::<u8>(), any::<u8>()).prop_map(|(min, max)| QuestionKind::Rating { min, max }),
            opts().prop_map(|options| QuestionKind::SingleChoice { options }),
            (opts(), proptest::option::of(any::<u8>())).prop_map(|(options, max_selected)| {
                QuestionKind::MultipleChoice {
                    options,
                    max_selected,
                }
            }),
            any::<u32>().prop_map(|max_chars| QuestionKind::FreeText { max_chars }),
        ]
    }

    fn raw_values() -> impl Strategy<Value = Vec<String>> {
        prop::collection::vec(prop_oneof![any::<String>(), "[-+0-9. a-c\r\n]{0,6}"], 0..5)
    }

    proptest! {
        #[test]
        fn parse_answer_never_panics_and_only_accepts_what_fits(
            kind in any_kind(),
            required in any::<bool>(),
            values in raw_values(),
        ) {
            let q = Question { required, ..question(kind) };
            match q.parse_answer(&RawAnswer { values }) {
                Ok(Some(AnswerValue::Score(score))) => {
                    let fits = q.kind.score_range().is_some_and(|(min, max)| (min..=max).contains(&score));
                    prop_assert!(fits);
                }
                Ok(Some(AnswerValue::Choice(key))) => {
                    prop_assert!(q.kind.options().iter().any(|o| o.key == key));
                }
                Ok(Some(AnswerValue::Choices(keys))) => {
                    prop_assert!(!keys.is_empty());
                    prop_assert!(keys.iter().all(|k| q.kind.options().iter().any(|o| &o.key == k)));
                }
                Ok(Some(AnswerValue::Text(text))) => {
                    prop_assert!(!text.trim().is_empty());
                    prop_assert!(text.chars().count() <= FREE_TEXT_MAX_CHARS as usize);
                }
                Ok(None) => prop_assert!(!required),
                Err(_) => {}
            }
        }

        #[test]
        fn every_score_on_the_scale_is_accepted_as_written(kind in scored_kinds(), score in 0_u8..=10) {
            let fits = kind.score_range().is_some_and(|(min, max)| (min..=max).contains(&score));
            let parsed = question(kind).parse_answer(&RawAnswer::one(score.to_string()));
            prop_assert_eq!(parsed.is_ok(), fits);
            if fits {
                prop_assert_eq!(parsed, Ok(Some(AnswerValue::Score(score))));
            }
        }
    }
}
