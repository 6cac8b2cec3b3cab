//! The rules a survey definition must follow before it is sent. Every
//! problem is reported at once, each with the path of its field
//! (`questions[2].text.de`), so an editor can mark them all.

use super::{
    ChoiceOption, Question, QuestionKind, SurveyDefinition, SurveyKind, FREE_TEXT_MAX_CHARS,
    INTRO_MAX_CHARS, KEY_MAX_CHARS, LABEL_MAX_CHARS, MAX_GROUPING_ATTRIBUTES, MAX_OPTIONS,
    MAX_QUESTIONS, MIN_OPTIONS, PULSE_MAX_QUESTIONS, QUESTION_TEXT_MAX_CHARS, TITLE_MAX_CHARS,
};
use crate::domain::locale::{Locale, LocalizedText};
use serde::{Deserialize, Serialize};

/// A problem with one field of a survey definition, for the survey author.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Path of the field, e.g. `questions[2].text.de` or `brand_color`.
    pub field: String,
    pub message: String,
}

impl SurveyDefinition {
    /// Checks everything a survey needs before it can be sent; all problems
    /// are reported, not just the first.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut check = Checker {
            default: self.default_locale,
            errors: Vec::new(),
        };
        check.text("title", &self.title, true, TITLE_MAX_CHARS);
        check.text("intro", &self.intro, false, INTRO_MAX_CHARS);
        check.text("thank_you", &self.thank_you, false, INTRO_MAX_CHARS);
        self.check_question_list(&mut check);
        for (i, question) in self.questions.iter().enumerate() {
            check_question(&mut check, &format!("questions[{i}]"), question);
        }
        check.unique_keys(
            self.questions
                .iter()
                .enumerate()
                .map(|(i, q)| (format!("questions[{i}].key"), q.key.as_str())),
            "Another question already uses this key.",
        );
        if let Some(colour) = &self.brand_color {
            match contrast_with_white(colour) {
                None => check.push(
                    "brand_color",
                    "Use a colour written as #rrggbb, e.g. #1a6b5c.",
                ),
                // Buttons carry white text on the colour and links are the colour on
                // white: both must stay readable (WCAG AA, 4.5:1).
                Some(ratio) if ratio < MIN_CONTRAST => check.push(
                    "brand_color",
                    format!(
                        "White text on this colour has a contrast of only {ratio:.1}:1; choose a darker colour (at least {MIN_CONTRAST}:1)."
                    ),
                ),
                Some(_) => {}
            }
        }
        if let Some(url) = &self.logo_url {
            if !is_https_url(url) {
                check.push("logo_url", "Use a complete https:// address.");
            }
        }
        if self.grouping_attributes.len() > MAX_GROUPING_ATTRIBUTES {
            check.push(
                "grouping_attributes",
                format!("Group results by at most {MAX_GROUPING_ATTRIBUTES} attributes: each is counted with every other as answers arrive."),
            );
        }
        for (k, attribute) in self.grouping_attributes.iter().enumerate() {
            if !is_key(attribute) {
                check.push(format!("grouping_attributes[{k}]"), KEY_RULE);
            }
        }
        check.unique_keys(
            self.grouping_attributes
                .iter()
                .enumerate()
                .map(|(k, a)| (format!("grouping_attributes[{k}]"), a.as_str())),
            "This attribute is listed twice.",
        );
        if check.errors.is_empty() {
            Ok(())
        } else {
            Err(check.errors)
        }
    }

    /// Number of questions, and the headline question of NPS, eNPS, CES and
    /// CSAT surveys: first, and the only one of its kind, so that the
    /// survey's score is unambiguous.
    fn check_question_list(&self, check: &mut Checker) {
        let count = self.questions.len();
        let most = if self.kind == SurveyKind::Pulse {
            PULSE_MAX_QUESTIONS
        } else {
            MAX_QUESTIONS
        };
        if count == 0 {
            check.push("questions", "Add at least one question.");
        } else if count > most {
            check.push(
                "questions",
                format!(
                    "Use at most {most} questions in a {} survey ({count} given).",
                    self.kind.display_name()
                ),
            );
        }
        let name = self.kind.display_name();
        for (i, question) in self.questions.iter().enumerate() {
            match (i, self.kind.is_headline(&question.kind)) {
                (0, Some(false)) => check.push(
                    "questions[0].kind",
                    format!("The first question must be this survey's {name} question."),
                ),
                (1.., Some(true)) => check.push(
                    format!("questions[{i}].kind"),
                    format!("This survey has only one {name} question, the first."),
                ),
                _ => {}
            }
        }
    }
}

const KEY_RULE: &str =
    "Use 1 to 64 lower-case letters, digits, '-' or '_', starting with a letter.";

fn check_question(check: &mut Checker, at: &str, question: &Question) {
    if !is_key(&question.key) {
        check.push(format!("{at}.key"), KEY_RULE);
    }
    check.text(
        &format!("{at}.text"),
        &question.text,
        true,
        QUESTION_TEXT_MAX_CHARS,
    );
    match &question.kind {
        QuestionKind::Rating { min, max } => {
            if *min > 1 || *max > 10 || max <= min {
                check.push(
                    format!("{at}.kind"),
                    "A rating starts at 0 or 1 and ends above that, at 10 at most.",
                );
            }
        }
        QuestionKind::SingleChoice { options } => check_options(check, at, options),
        QuestionKind::MultipleChoice {
            options,
            max_selected,
        } => {
            check_options(check, at, options);
            if let Some(max) = max_selected {
                if *max == 0 || usize::from(*max) > options.len() {
                    check.push(
                        format!("{at}.max_selected"),
                        format!("Allow from 1 up to {} options.", options.len()),
                    );
                }
            }
        }
        QuestionKind::FreeText { max_chars } => {
            if !(1..=FREE_TEXT_MAX_CHARS).contains(max_chars) {
                check.push(
                    format!("{at}.max_chars"),
                    format!("Allow from 1 to {FREE_TEXT_MAX_CHARS} characters."),
                );
            }
        }
        QuestionKind::Nps
        | QuestionKind::Enps
        | QuestionKind::Ces { .. }
        | QuestionKind::Csat
        | QuestionKind::Likert => {}
    }
    check_point_labels(check, at, question);
    if !question.follow_ups.is_empty() && !question.kind.has_categories() {
        check.push(
            format!("{at}.follow_ups"),
            "Only NPS, eNPS, CES, CSAT and Likert questions have follow-ups.",
        );
    }
    for (name, text) in question.follow_ups.named() {
        check.text(
            &format!("{at}.follow_ups.{name}"),
            text,
            true,
            QUESTION_TEXT_MAX_CHARS,
        );
    }
}

fn check_options(check: &mut Checker, at: &str, options: &[ChoiceOption]) {
    if !(MIN_OPTIONS..=MAX_OPTIONS).contains(&options.len()) {
        check.push(
            format!("{at}.options"),
            format!(
                "Give {MIN_OPTIONS} to {MAX_OPTIONS} options ({} given).",
                options.len()
            ),
        );
    }
    for (j, option) in options.iter().enumerate() {
        if !is_key(&option.key) {
            check.push(format!("{at}.options[{j}].key"), KEY_RULE);
        }
        check.text(
            &format!("{at}.options[{j}].label"),
            &option.label,
            true,
            LABEL_MAX_CHARS,
        );
    }
    check.unique_keys(
        options
            .iter()
            .enumerate()
            .map(|(j, o)| (format!("{at}.options[{j}].key"), o.key.as_str())),
        "Another option already uses this key.",
    );
    // Labels must differ as respondents see them: in each language, after
    // falling back, ignoring case and surrounding space.
    for locale in Locale::ALL {
        let labels: Vec<(String, String)> = options
            .iter()
            .enumerate()
            .map(|(j, o)| {
                (
                    format!("{at}.options[{j}].label.{}", locale.as_str()),
                    o.label.get(locale).trim().to_lowercase(),
                )
            })
            .filter(|(_, label)| !label.is_empty())
            .collect();
        check.unique_keys(
            labels
                .iter()
                .map(|(field, label)| (field.clone(), label.as_str())),
            "Another option already has this label.",
        );
    }
}

fn check_point_labels(check: &mut Checker, at: &str, question: &Question) {
    let given = question.point_labels.len();
    if given == 0 {
        return;
    }
    let points = question.kind.points();
    if points == 0 {
        check.push(
            format!("{at}.point_labels"),
            "Only questions answered on a scale have point labels.",
        );
        return;
    }
    if given != points && given != 2 {
        check.push(
            format!("{at}.point_labels"),
            format!("Label all {points} points, or just the two ends ({given} labels given)."),
        );
    }
    for (k, label) in question.point_labels.iter().enumerate() {
        check.text(
            &format!("{at}.point_labels[{k}]"),
            label,
            true,
            LABEL_MAX_CHARS,
        );
    }
}

/// Collects field errors for one definition.
struct Checker {
    default: Locale,
    errors: Vec<FieldError>,
}

impl Checker {
    fn push(&mut self, field: impl Into<String>, message: impl Into<String>) {
        self.errors.push(FieldError {
            field: field.into(),
            message: message.into(),
        });
    }

    /// A text at `path`: required in the default language if `required`,
    /// and at most `max` characters in every language.
    fn text(&mut self, path: &str, text: &LocalizedText, required: bool, max: usize) {
        if required && text.exact(self.default).trim().is_empty() {
            self.push(
                format!("{path}.{}", self.default.as_str()),
                "Required in the survey's default language.",
            );
        }
        for locale in Locale::ALL {
            let length = text.exact(locale).chars().count();
            if length > max {
                self.push(
                    format!("{path}.{}", locale.as_str()),
                    format!("Use at most {max} characters ({length} given)."),
                );
            }
        }
    }

    /// Reports every repeat of an earlier value, at the repeat's field.
    fn unique_keys<'a>(&mut self, fields: impl Iterator<Item = (String, &'a str)>, message: &str) {
        let mut seen = Vec::new();
        for (field, value) in fields {
            if seen.contains(&value) {
                self.push(field, message);
            } else {
                seen.push(value);
            }
        }
    }
}

/// A stable slug: used in form field names, stored answers and placeholders.
fn is_key(key: &str) -> bool {
    let mut chars = key.chars();
    key.len() <= KEY_MAX_CHARS
        && chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// The smallest contrast WCAG AA allows for body text.
pub const MIN_CONTRAST: f64 = 4.5;

/// The WCAG contrast ratio of white against a `#rrggbb` colour; None when it is not one.
pub fn contrast_with_white(colour: &str) -> Option<f64> {
    let hex = colour.strip_prefix('#').filter(|h| h.len() == 6)?;
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(hex.get(i..i + 2)?, 16).ok()?) / 255.0;
        // sRGB to linear light, as WCAG 2 defines relative luminance.
        Some(if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        })
    };
    let luminance = 0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?;
    Some(1.05 / (luminance + 0.05))
}

/// An absolute `https://` URL with a host, short enough for any browser, and
/// without characters that would need escaping in an HTML attribute.
fn is_https_url(url: &str) -> bool {
    const SCHEME: &str = "https://";
    let Some(rest) = url
        .get(..SCHEME.len())
        .filter(|scheme| scheme.eq_ignore_ascii_case(SCHEME))
        .and_then(|_| url.get(SCHEME.len()..))
    else {
        return false;
    };
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    url.len() <= 2048
        && !host.is_empty()
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'))
}

#[cfg(test)]
mod tests {
    use super::super::test_support::*;
    use super::*;

    fn fields(definition: &SurveyDefinition) -> Vec<String> {
        definition
            .validate()
            .err()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.field)
            .collect()
    }

    fn nps_survey() -> SurveyDefinition {
        survey(SurveyKind::Nps, vec![question(QuestionKind::Nps)])
    }

    // Validation.

    #[test]
    fn a_minimal_nps_survey_is_valid() {
        assert_eq!(nps_survey().validate(), Ok(()));
    }

    #[test]
    fn the_title_is_required_in_the_default_language_only() {
        let mut s = nps_survey();
        s.default_locale = Locale::De;
        s.title = LocalizedText::new("Only English", "");
        assert_eq!(fields(&s), ["title.de"]);
        s.title = LocalizedText::new("", "Nur Deutsch");
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn a_title_over_200_characters_is_refused_in_either_language() {
        let mut s = nps_survey();
        s.title = LocalizedText::new("t".repeat(200), "ä".repeat(201));
        assert_eq!(fields(&s), ["title.de"]);
    }

    #[test]
    fn a_survey_without_questions_is_refused() {
        assert_eq!(
            fields(&survey(SurveyKind::Custom, Vec::new())),
            ["questions"]
        );
    }

    #[test]
    fn a_pulse_survey_has_at_most_ten_questions() {
        let likert = |i: usize| Question::new(format!("q{i}"), QuestionKind::Likert, text("S"));
        let ten = survey(SurveyKind::Pulse, (0..10).map(likert).collect());
        assert_eq!(ten.validate(), Ok(()));
        let eleven = survey(SurveyKind::Pulse, (0..11).map(likert).collect());
        assert_eq!(fields(&eleven), ["questions"]);
        let custom = survey(SurveyKind::Custom, (0..11).map(likert).collect());
        assert_eq!(custom.validate(), Ok(()));
    }

    #[test]
    fn question_keys_must_be_unique_slugs() {
        let mut s = survey(
            SurveyKind::Custom,
            vec![
                question(QuestionKind::Likert),
                question(QuestionKind::Csat),
                Question::new("Bad Key", QuestionKind::Likert, text("S")),
                Question::new("", QuestionKind::Likert, text("S")),
            ],
        );
        assert_eq!(
            fields(&s),
            ["questions[2].key", "questions[3].key", "questions[1].key"]
        );
        s.questions.truncate(1);
        s.questions[0].key = "k".repeat(65);
        assert_eq!(fields(&s), ["questions[0].key"]);
    }

    #[test]
    fn question_text_is_required_in_the_default_language_and_at_most_500_characters() {
        let mut s = nps_survey();
        s.questions[0].text = LocalizedText::new(" ", "Frage?");
        assert_eq!(fields(&s), ["questions[0].text.en"]);
        s.questions[0].text = LocalizedText::new("Q?", "x".repeat(501));
        assert_eq!(fields(&s), ["questions[0].text.de"]);
    }

    #[test]
    fn choice_questions_need_2_to_20_options() {
        for count in [0, 1, 21] {
            let keys: Vec<String> = (0..count).map(|i| format!("o{i}")).collect();
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            let s = survey(
                SurveyKind::Custom,
                vec![question(QuestionKind::SingleChoice {
                    options: options(&keys),
                })],
            );
            assert_eq!(fields(&s), ["questions[0].options"], "{count} options");
        }
    }

    #[test]
    fn option_keys_and_labels_must_be_unique() {
        let mut opts = options(&["a", "b", "a"]);
        opts[1].label = LocalizedText::new(" option A ", "Andere");
        let s = survey(
            SurveyKind::Custom,
            vec![question(QuestionKind::SingleChoice { options: opts })],
        );
        assert_eq!(
            fields(&s),
            [
                "questions[0].options[2].key",
                "questions[0].options[1].label.en",
                "questions[0].options[2].label.en",
                "questions[0].options[2].label.de",
            ]
        );
    }

    #[test]
    fn option_labels_are_required_in_the_default_language() {
        let mut opts = options(&["a", "b"]);
        opts[0].label = LocalizedText::new("", "Nur Deutsch");
        let s = survey(
            SurveyKind::Custom,
            vec![question(QuestionKind::SingleChoice { options: opts })],
        );
        assert_eq!(fields(&s), ["questions[0].options[0].label.en"]);
    }

    #[test]
    fn max_selected_lies_between_1_and_the_number_of_options() {
        for (max_selected, valid) in [
            (None, true),
            (Some(1), true),
            (Some(3), true),
            (Some(0), false),
            (Some(4), false),
        ] {
            let s = survey(
                SurveyKind::Custom,
                vec![question(QuestionKind::MultipleChoice {
                    options: options(&["a", "b", "c"]),
                    max_selected,
                })],
            );
            let expected: &[&str] = if valid {
                &[]
            } else {
                &["questions[0].max_selected"]
            };
            assert_eq!(fields(&s), expected, "{max_selected:?}");
        }
    }

    #[test]
    fn free_text_allows_1_to_5000_characters() {
        for (max_chars, valid) in [(1, true), (5000, true), (0, false), (5001, false)] {
            let s = survey(
                SurveyKind::Custom,
                vec![question(QuestionKind::FreeText { max_chars })],
            );
            assert_eq!(s.validate().is_ok(), valid, "{max_chars}");
        }
    }

    #[test]
    fn a_rating_runs_from_0_or_1_up_to_at_most_10() {
        for (min, max, valid) in [
            (0, 10, true),
            (1, 5, true),
            (1, 2, true),
            (2, 5, false),
            (0, 11, false),
            (5, 5, false),
            (5, 1, false),
        ] {
            let s = survey(
                SurveyKind::Custom,
                vec![question(QuestionKind::Rating { min, max })],
            );
            assert_eq!(s.validate().is_ok(), valid, "{min}–{max}");
        }
    }

    #[test]
    fn a_brand_colour_too_light_for_white_text_is_refused_with_its_contrast() {
        assert!((contrast_with_white("#000000").unwrap() - 21.0).abs() < 0.01);
        assert!((contrast_with_white("#ffffff").unwrap() - 1.0).abs() < 0.01);
        // #767676 is the classic lightest grey that passes AA on white.
        assert!(contrast_with_white("#767676").unwrap() >= MIN_CONTRAST);
        assert!(contrast_with_white("#777777").unwrap() < MIN_CONTRAST);
        let mut s = nps_survey();
        s.brand_color = Some("#ffcc00".to_owned());
        let errors = s.validate().unwrap_err();
        assert_eq!(errors[0].field, "brand_color");
        assert!(errors[0].message.contains("1.5:1"), "{}", errors[0].message);
    }

    #[test]
    fn brand_colour_must_be_hash_and_six_hex_digits() {
        for (colour, valid) in [
            ("#1a6B5c", true),
            ("#000000", true),
            ("1a6b5c", false),
            ("#1a6b5", false),
            ("#1a6b5cc", false),
            ("#ggg000", false),
            ("red", false),
            ("", false),
        ] {
            let mut s = nps_survey();
            s.brand_color = Some(colour.to_owned());
            assert_eq!(s.validate().is_ok(), valid, "{colour}");
        }
    }

    #[test]
    fn logo_url_must_be_an_https_address() {
        for (url, valid) in [
            ("https://cdn.example.com/logo.png", true),
            ("HTTPS://example.com/logo.svg", true),
            ("http://example.com/logo.png", false),
            ("https://", false),
            ("https:///logo.png", false),
            ("javascript:alert(1)", false),
            ("data:image/png;base64,AAAA", false),
            ("//example.com/logo.png", false),
            ("https://example.com/a logo.png", false),
            ("https://example.com/\"onload=\"x", false),
        ] {
            let mut s = nps_survey();
            s.logo_url = Some(url.to_owned());
            assert_eq!(s.validate().is_ok(), valid, "{url}");
        }
    }

    #[test]
    fn scored_surveys_start_with_exactly_one_question_of_their_kind() {
        let mut csat_first = survey(
            SurveyKind::Nps,
            vec![question(QuestionKind::Csat), question(QuestionKind::Nps)],
        );
        csat_first.questions[1].key = "b".to_owned();
        assert_eq!(
            fields(&csat_first),
            ["questions[0].kind", "questions[1].kind"]
        );

        let mut two = survey(
            SurveyKind::Ces,
            vec![
                question(CES7),
                question(QuestionKind::Likert),
                question(CES5),
            ],
        );
        two.questions[1].key = "b".to_owned();
        two.questions[2].key = "c".to_owned();
        assert_eq!(fields(&two), ["questions[2].kind"]);

        let rating_is_not_nps = survey(
            SurveyKind::Nps,
            vec![question(QuestionKind::Rating { min: 0, max: 10 })],
        );
        assert_eq!(fields(&rating_is_not_nps), ["questions[0].kind"]);

        let enps = survey(SurveyKind::Enps, vec![question(QuestionKind::Enps)]);
        assert_eq!(enps.validate(), Ok(()));
    }

    #[test]
    fn pulse_and_custom_surveys_may_hold_any_mix_of_questions() {
        for kind in [SurveyKind::Pulse, SurveyKind::Custom] {
            let mut s = survey(
                kind,
                vec![question(QuestionKind::Nps), question(QuestionKind::Nps)],
            );
            s.questions[1].key = "again".to_owned();
            assert_eq!(s.validate(), Ok(()));
        }
    }

    #[test]
    fn point_labels_label_every_point_or_the_two_ends() {
        let mut s = survey(SurveyKind::Csat, vec![question(QuestionKind::Csat)]);
        s.questions[0].point_labels = vec![text("a"), text("b"), text("c")];
        assert_eq!(fields(&s), ["questions[0].point_labels"]);
        s.questions[0].point_labels = vec![text("Bad"), LocalizedText::new("", "Gut")];
        assert_eq!(fields(&s), ["questions[0].point_labels[1].en"]);
        s.questions[0].point_labels = (1..=5).map(|p| text(&p.to_string())).collect();
        assert_eq!(s.validate(), Ok(()));
    }

    #[test]
    fn questions_without_a_scale_have_no_point_labels() {
        let mut s = survey(
            SurveyKind::Custom,
            vec![question(QuestionKind::FreeText { max_chars: 10 })],
        );
        s.questions[0].point_labels = vec![text("a"), text("b")];
        assert_eq!(fields(&s), ["questions[0].point_labels"]);
    }

    #[test]
    fn follow_ups_need_a_categorised_scale_and_text_in_the_default_language() {
        let mut s = survey(
            SurveyKind::Custom,
            vec![question(QuestionKind::Rating { min: 1, max: 5 })],
        );
        s.questions[0].follow_ups.low = Some(text("Why?"));
        assert_eq!(fields(&s), ["questions[0].follow_ups"]);
        let mut s = nps_survey();
        s.questions[0].follow_ups.middle = Some(LocalizedText::new("", "Warum?"));
        assert_eq!(fields(&s), ["questions[0].follow_ups.middle.en"]);
    }

    #[test]
    fn results_are_grouped_by_at_most_four_attributes() {
        let mut s = nps_survey();
        s.grouping_attributes = ["team", "tier", "region", "plan"]
            .map(String::from)
            .to_vec();
        assert!(fields(&s).is_empty());
        s.grouping_attributes.push("site".into());
        assert_eq!(fields(&s), ["grouping_attributes"]);
    }

    #[test]
    fn grouping_attributes_are_unique_slugs() {
        let mut s = nps_survey();
        s.grouping_attributes = vec!["team".into(), "Cost Center".into(), "team".into()];
        assert_eq!(
            fields(&s),
            ["grouping_attributes[1]", "grouping_attributes[2]"]
        );
    }

    #[test]
    fn validation_reports_every_problem_at_once() {
        let mut s = survey(SurveyKind::Nps, vec![question(QuestionKind::Csat)]);
        s.title = LocalizedText::default();
        s.brand_color = Some("blue".into());
        s.logo_url = Some("http://x".into());
        let errors = s.validate().err().unwrap_or_default();
        assert_eq!(errors.len(), 4);
        assert_eq!(
            errors[0].to_string(),
            "title.en: Required in the survey's default language."
        );
    }
}
