//! A survey's definition — its kind, questions, texts in each language and
//! look — the rules a definition must follow before it is sent, and the
//! rules that turn what a respondent's form sends into answers.
//!
//! Validation reports every problem at once, each with the path of the field
//! (`questions[2].text.de`), so an editor can mark them all. Answer parsing
//! never trusts the form: the browser's own checks are a convenience, the
//! rules here are what is stored.

use super::ces::CesScale;
use super::locale::{Locale, LocalizedText};
use super::score_in_range;
use super::ui_text::UiText;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Longest survey title, per language.
pub const TITLE_MAX_CHARS: usize = 200;
/// Longest question or follow-up text, per language.
pub const QUESTION_TEXT_MAX_CHARS: usize = 500;
/// Longest introduction or thank-you text, per language.
pub const INTRO_MAX_CHARS: usize = 2000;
/// Longest option or scale-point label, per language.
pub const LABEL_MAX_CHARS: usize = 200;
/// Hard cap on a free-text answer, whatever the question allows.
pub const FREE_TEXT_MAX_CHARS: u32 = 5000;
/// Cap on the comment a respondent writes in answer to a follow-up.
pub const FOLLOW_UP_MAX_CHARS: u32 = 2000;
pub const MIN_OPTIONS: usize = 2;
pub const MAX_OPTIONS: usize = 20;
/// Pulse surveys are repeated often; more than ten questions and people stop
/// answering them.
pub const PULSE_MAX_QUESTIONS: usize = 10;
pub const MAX_QUESTIONS: usize = 50;
/// Longest question key, option key or grouping attribute.
pub const KEY_MAX_CHARS: usize = 64;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum SurveyKind {
    Nps,
    Enps,
    Ces,
    Csat,
    Pulse,
    Custom,
}

impl SurveyKind {
    pub const ALL: [SurveyKind; 6] = [
        SurveyKind::Nps,
        SurveyKind::Enps,
        SurveyKind::Ces,
        SurveyKind::Csat,
        SurveyKind::Pulse,
        SurveyKind::Custom,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SurveyKind::Nps => "nps",
            SurveyKind::Enps => "enps",
            SurveyKind::Ces => "ces",
            SurveyKind::Csat => "csat",
            SurveyKind::Pulse => "pulse",
            SurveyKind::Custom => "custom",
        }
    }

    /// The inverse of [`SurveyKind::as_str`]; exact, as stored.
    pub fn parse(s: &str) -> Option<SurveyKind> {
        SurveyKind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// Whether `kind` is the question this survey is named after, which must
    /// come first and only once; `None` for pulse and custom surveys, which
    /// have no such question.
    fn is_headline(self, kind: &QuestionKind) -> Option<bool> {
        match self {
            SurveyKind::Nps => Some(matches!(kind, QuestionKind::Nps)),
            SurveyKind::Enps => Some(matches!(kind, QuestionKind::Enps)),
            SurveyKind::Ces => Some(matches!(kind, QuestionKind::Ces { .. })),
            SurveyKind::Csat => Some(matches!(kind, QuestionKind::Csat)),
            SurveyKind::Pulse | SurveyKind::Custom => None,
        }
    }

    /// How authors write the kind: "NPS", "eNPS", …
    fn display_name(self) -> &'static str {
        match self {
            SurveyKind::Nps => "NPS",
            SurveyKind::Enps => "eNPS",
            SurveyKind::Ces => "CES",
            SurveyKind::Csat => "CSAT",
            SurveyKind::Pulse => "pulse",
            SurveyKind::Custom => "custom",
        }
    }
}

/// What a question asks for and how its answer is checked.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    /// "How likely are you to recommend…", 0–10: the only kind whose answers
    /// make up an NPS.
    Nps,
    /// The same 0–10 question asked of employees; scored as eNPS, never
    /// pooled with customer NPS.
    Enps,
    /// A plain rating such as 0–10 or 1–5. Never scored as NPS, even on
    /// 0–10: respondents read "rate us" differently from "recommend us".
    Rating {
        min: u8,
        max: u8,
    },
    /// Agreement with "… made it easy for me to handle my issue".
    Ces {
        scale: CesScale,
    },
    /// Satisfaction, 1 = very dissatisfied … 5 = very satisfied.
    Csat,
    /// Agreement with a statement, 1 = strongly disagree … 5 = strongly agree.
    Likert,
    SingleChoice {
        options: Vec<ChoiceOption>,
    },
    MultipleChoice {
        options: Vec<ChoiceOption>,
        /// At most this many may be ticked; `None` allows all.
        #[serde(default)]
        max_selected: Option<u8>,
    },
    /// Capped at [`FREE_TEXT_MAX_CHARS`] whatever `max_chars` says.
    FreeText {
        max_chars: u32,
    },
}

impl QuestionKind {
    /// Lowest and highest score for the kinds answered with a score.
    pub fn score_range(&self) -> Option<(u8, u8)> {
        match self {
            QuestionKind::Nps | QuestionKind::Enps => Some((0, 10)),
            QuestionKind::Rating { min, max } => Some((*min, *max)),
            QuestionKind::Ces { scale } => Some((1, scale.max())),
            QuestionKind::Csat | QuestionKind::Likert => Some((1, 5)),
            QuestionKind::SingleChoice { .. }
            | QuestionKind::MultipleChoice { .. }
            | QuestionKind::FreeText { .. } => None,
        }
    }

    /// Number of points on the scale; 0 for kinds without one (or a rating
    /// whose bounds are the wrong way round).
    pub fn points(&self) -> usize {
        self.score_range().map_or(0, |(min, max)| {
            usize::from(max.saturating_sub(min)) + usize::from(min <= max)
        })
    }

    /// The options of a choice question; empty for other kinds.
    pub fn options(&self) -> &[ChoiceOption] {
        match self {
            QuestionKind::SingleChoice { options }
            | QuestionKind::MultipleChoice { options, .. } => options,
            _ => &[],
        }
    }

    /// Whether scores fall into [`Category`]s, and so can have follow-ups.
    pub fn has_categories(&self) -> bool {
        self.score_range()
            .is_some_and(|(min, _)| category(self, min).is_some())
    }
}

/// One option of a choice question. The key is what is stored, so a label
/// can be reworded without changing past answers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct ChoiceOption {
    pub key: String,
    pub label: LocalizedText,
}

impl ChoiceOption {
    pub fn new(key: impl Into<String>, label: LocalizedText) -> ChoiceOption {
        ChoiceOption {
            key: key.into(),
            label,
        }
    }
}

/// Where a score sits on its scale, for routing follow-up questions.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// NPS detractors, disagreeing, dissatisfied.
    Low,
    /// NPS passives, the neutral midpoint.
    Middle,
    /// NPS promoters, agreeing, satisfied.
    High,
}

/// The category of `score` on `kind`'s scale; `None` for an out-of-range
/// score and for kinds without categories (plain ratings, choices, text).
///
/// NPS and eNPS: 0–6 low, 7–8 middle, 9–10 high. CES, CSAT and Likert: below
/// the midpoint low, the midpoint middle, above it high — CES-7 1–3 / 4 / 5–7,
/// the 5-point scales 1–2 / 3 / 4–5. "High" thereby matches what the scoring
/// counts as promoting, agreeing or satisfied.
pub fn category(kind: &QuestionKind, score: u8) -> Option<Category> {
    match kind {
        QuestionKind::Nps | QuestionKind::Enps => match score {
            0..=6 => Some(Category::Low),
            7 | 8 => Some(Category::Middle),
            9 | 10 => Some(Category::High),
            _ => None,
        },
        QuestionKind::Ces { scale } => around_midpoint(score, scale.max()),
        QuestionKind::Csat | QuestionKind::Likert => around_midpoint(score, 5),
        QuestionKind::Rating { .. }
        | QuestionKind::SingleChoice { .. }
        | QuestionKind::MultipleChoice { .. }
        | QuestionKind::FreeText { .. } => None,
    }
}

/// Category on a 1-to-`max` scale with an odd number of points.
fn around_midpoint(score: u8, max: u8) -> Option<Category> {
    if !(1..=max).contains(&score) {
        return None;
    }
    Some(match score.cmp(&(max / 2 + 1)) {
        std::cmp::Ordering::Less => Category::Low,
        std::cmp::Ordering::Equal => Category::Middle,
        std::cmp::Ordering::Greater => Category::High,
    })
}

/// Follow-up prompts shown after a score, one per category; a category
/// without one gets no follow-up (or the page's generic prompt).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
#[serde(default)]
pub struct FollowUps {
    pub low: Option<LocalizedText>,
    pub middle: Option<LocalizedText>,
    pub high: Option<LocalizedText>,
}

impl FollowUps {
    pub fn get(&self, category: Category) -> Option<&LocalizedText> {
        match category {
            Category::Low => self.low.as_ref(),
            Category::Middle => self.middle.as_ref(),
            Category::High => self.high.as_ref(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.low.is_none() && self.middle.is_none() && self.high.is_none()
    }

    /// Each present prompt with its field name.
    fn named(&self) -> impl Iterator<Item = (&'static str, &LocalizedText)> {
        [
            ("low", &self.low),
            ("middle", &self.middle),
            ("high", &self.high),
        ]
        .into_iter()
        .filter_map(|(name, text)| text.as_ref().map(|text| (name, text)))
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Question {
    /// Stable slug, unique within the survey: answers are stored under it,
    /// so the text can be edited without orphaning them.
    pub key: String,
    pub kind: QuestionKind,
    pub text: LocalizedText,
    pub required: bool,
    /// Labels of the scale's points from the lowest up: either none, one for
    /// every point, or two for just the ends.
    #[serde(default)]
    pub point_labels: Vec<LocalizedText>,
    #[serde(default)]
    pub follow_ups: FollowUps,
}

impl Question {
    /// A required question without point labels or follow-ups.
    pub fn new(key: impl Into<String>, kind: QuestionKind, text: LocalizedText) -> Question {
        Question {
            key: key.into(),
            kind,
            text,
            required: true,
            point_labels: Vec::new(),
            follow_ups: FollowUps::default(),
        }
    }

    /// The follow-up prompt for `score`'s category, if the author wrote one.
    pub fn follow_up(&self, score: u8) -> Option<&LocalizedText> {
        category(&self.kind, score).and_then(|category| self.follow_ups.get(category))
    }

    /// The label shown under `score`, if that point has one.
    pub fn point_label(&self, score: u8) -> Option<&LocalizedText> {
        let (min, max) = self.kind.score_range()?;
        if !(min..=max).contains(&score) {
            return None;
        }
        let label = if self.point_labels.len() == self.kind.points() {
            self.point_labels.get(usize::from(score - min))
        } else if self.point_labels.len() == 2 && score == min {
            self.point_labels.first()
        } else if self.point_labels.len() == 2 && score == max {
            self.point_labels.last()
        } else {
            None
        };
        label.filter(|label| !label.is_blank())
    }

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

/// A problem with one field of a survey definition, for the survey author.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// Path of the field, e.g. `questions[2].text.de` or `brand_color`.
    pub field: String,
    pub message: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SurveyDefinition {
    pub kind: SurveyKind,
    /// The language the author writes in: texts are required in it, and a
    /// respondent with no other preference sees it.
    pub default_locale: Locale,
    pub title: LocalizedText,
    /// Optional text above the first question.
    #[serde(default)]
    pub intro: LocalizedText,
    pub questions: Vec<Question>,
    /// Optional; when blank the page shows [`UiText::ThankYouDefault`].
    #[serde(default)]
    pub thank_you: LocalizedText,
    /// `#rrggbb`.
    #[serde(default)]
    pub brand_color: Option<String>,
    /// An `https://` address, so the page never loads mixed content.
    #[serde(default)]
    pub logo_url: Option<String>,
    /// Whether answers are kept apart from who gave them.
    #[serde(default)]
    pub anonymous: bool,
    /// Contact attributes (e.g. "team") that reports break results down by.
    #[serde(default)]
    pub grouping_attributes: Vec<String>,
}

impl SurveyDefinition {
    pub fn question(&self, key: &str) -> Option<&Question> {
        self.questions.iter().find(|question| question.key == key)
    }

    /// The question the survey is scored by: its first with categories (NPS, eNPS, CES,
    /// CSAT, Likert). Detractor alerts watch this one.
    pub fn headline(&self) -> Option<&Question> {
        self.questions.iter().find(|q| q.kind.has_categories())
    }

    /// Whether `score` on the headline question is low: an NPS detractor (0–6), or below
    /// the midpoint of the other scales.
    pub fn is_low_headline(&self, score: u8) -> bool {
        self.headline()
            .and_then(|q| category(&q.kind, score))
            .is_some_and(|c| c == Category::Low)
    }

    /// Every author-written text with its field path (as in [`FieldError`],
    /// without the language), e.g. to list missing translations.
    pub fn localized_texts(&self) -> Vec<(String, &LocalizedText)> {
        let mut texts = vec![
            ("title".to_owned(), &self.title),
            ("intro".to_owned(), &self.intro),
            ("thank_you".to_owned(), &self.thank_you),
        ];
        for (i, question) in self.questions.iter().enumerate() {
            let at = format!("questions[{i}]");
            texts.push((format!("{at}.text"), &question.text));
            for (j, option) in question.kind.options().iter().enumerate() {
                texts.push((format!("{at}.options[{j}].label"), &option.label));
            }
            for (k, label) in question.point_labels.iter().enumerate() {
                texts.push((format!("{at}.point_labels[{k}]"), label));
            }
            for (name, text) in question.follow_ups.named() {
                texts.push((format!("{at}.follow_ups.{name}"), text));
            }
        }
        texts
    }

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

/// Replaces `{name}` with `values[name]` — `{company}`, `{subject}` and any
/// contact attribute such as `{team}`.
///
/// A placeholder without a value stays as written, so a typo shows up in the
/// preview instead of silently vanishing. `{{` and `}}` stand for literal
/// braces, as in format strings. Values are inserted as they are and not
/// scanned again, so a value containing braces cannot inject placeholders.
pub fn fill_placeholders(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut filled = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(brace) = rest.find(['{', '}']) {
        filled.push_str(&rest[..brace]);
        let tail = &rest[brace..];
        if let Some(after) = tail.strip_prefix("{{").or_else(|| tail.strip_prefix("}}")) {
            filled.push_str(&tail[..1]);
            rest = after;
        } else if let Some(after) = tail.strip_prefix('{') {
            // The name runs to the next closing brace; an opening brace
            // before it means this one was a literal brace.
            match after.find(['{', '}']) {
                Some(end) if after[end..].starts_with('}') => {
                    match values.get(&after[..end]) {
                        Some(value) => filled.push_str(value),
                        None => filled.push_str(&tail[..end + 2]),
                    }
                    rest = &after[end + 1..];
                }
                _ => {
                    filled.push('{');
                    rest = after;
                }
            }
        } else {
            // A lone closing brace.
            filled.push('}');
            rest = &tail[1..];
        }
    }
    filled.push_str(rest);
    filled
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{CesAnswer, CsatAnswer, NpsCategory, NpsScore};
    use proptest::prelude::*;

    #[test]
    fn the_headline_is_the_first_scored_question_and_low_means_detractor() {
        let nps = crate::domain::template(SurveyKind::Nps);
        assert_eq!(
            nps.headline().map(|q| q.kind.clone()),
            Some(QuestionKind::Nps)
        );
        assert!(nps.is_low_headline(6));
        assert!(!nps.is_low_headline(7));
        let ces = crate::domain::template(SurveyKind::Ces);
        assert!(ces.is_low_headline(3));
        assert!(!ces.is_low_headline(4));
        let mut text_only = nps.clone();
        text_only
            .questions
            .retain(|q| matches!(q.kind, QuestionKind::FreeText { .. }));
        assert!(text_only.headline().is_none());
        assert!(!text_only.is_low_headline(0));
    }

    fn text(en: &str) -> LocalizedText {
        LocalizedText::new(en, format!("{en} (de)"))
    }

    fn options(keys: &[&str]) -> Vec<ChoiceOption> {
        keys.iter()
            .map(|key| ChoiceOption::new(*key, text(&format!("Option {key}"))))
            .collect()
    }

    fn question(kind: QuestionKind) -> Question {
        Question::new("q", kind, text("Question?"))
    }

    fn optional(kind: QuestionKind) -> Question {
        Question {
            required: false,
            ..question(kind)
        }
    }

    fn survey(kind: SurveyKind, questions: Vec<Question>) -> SurveyDefinition {
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
        }
    }

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

    fn parse(kind: QuestionKind, values: &[&str]) -> Result<Option<AnswerValue>, AnswerError> {
        question(kind).parse_answer(&values.iter().copied().collect())
    }

    const CES7: QuestionKind = QuestionKind::Ces {
        scale: CesScale::Seven,
    };
    const CES5: QuestionKind = QuestionKind::Ces {
        scale: CesScale::Five,
    };

    // Survey kinds.

    #[test]
    fn survey_kinds_round_trip_through_their_names() {
        for kind in SurveyKind::ALL {
            assert_eq!(SurveyKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(SurveyKind::parse("NPS"), None);
        assert_eq!(SurveyKind::parse("survey"), None);
    }

    // Categories and follow-ups.

    #[test]
    fn nps_and_enps_split_into_detractors_passives_and_promoters() {
        for kind in [QuestionKind::Nps, QuestionKind::Enps] {
            let categories: Vec<_> = (0..=10).map(|s| category(&kind, s)).collect();
            let expected: Vec<_> = [Category::Low; 7]
                .into_iter()
                .chain([Category::Middle; 2])
                .chain([Category::High; 2])
                .map(Some)
                .collect();
            assert_eq!(categories, expected);
            assert_eq!(category(&kind, 11), None);
        }
    }

    #[test]
    fn nps_categories_agree_with_the_scoring() {
        for value in 0..=10 {
            let Ok(score) = NpsScore::parse(i64::from(value)) else {
                panic!("{value} is a valid NPS score");
            };
            let expected = match score.category() {
                NpsCategory::Detractor => Category::Low,
                NpsCategory::Passive => Category::Middle,
                NpsCategory::Promoter => Category::High,
            };
            assert_eq!(category(&QuestionKind::Nps, value), Some(expected));
        }
    }

    #[test]
    fn seven_point_ces_is_low_to_3_middle_at_4_and_high_from_5() {
        let got: Vec<_> = (0..=8).map(|s| category(&CES7, s)).collect();
        use Category::*;
        assert_eq!(
            got,
            [
                None,
                Some(Low),
                Some(Low),
                Some(Low),
                Some(Middle),
                Some(High),
                Some(High),
                Some(High),
                None
            ]
        );
    }

    #[test]
    fn five_point_scales_are_low_to_2_middle_at_3_and_high_from_4() {
        use Category::*;
        for kind in [CES5, QuestionKind::Csat, QuestionKind::Likert] {
            let got: Vec<_> = (0..=6).map(|s| category(&kind, s)).collect();
            assert_eq!(
                got,
                [
                    None,
                    Some(Low),
                    Some(Low),
                    Some(Middle),
                    Some(High),
                    Some(High),
                    None
                ],
                "{kind:?}"
            );
        }
    }

    #[test]
    fn high_means_agreeing_or_satisfied_as_the_scoring_counts_it() {
        for scale in [CesScale::Seven, CesScale::Five] {
            for value in 1..=scale.max() {
                let Ok(answer) = CesAnswer::parse(scale, i64::from(value)) else {
                    panic!("{value} is on the {scale:?} scale");
                };
                let high = category(&QuestionKind::Ces { scale }, value) == Some(Category::High);
                assert_eq!(high, answer.agrees());
            }
        }
        for value in 1..=5 {
            let Ok(answer) = CsatAnswer::parse(i64::from(value)) else {
                panic!("{value} is a CSAT score");
            };
            let high = category(&QuestionKind::Csat, value) == Some(Category::High);
            assert_eq!(high, answer.is_satisfied());
        }
    }

    #[test]
    fn ratings_choices_and_text_have_no_categories() {
        for kind in [
            QuestionKind::Rating { min: 0, max: 10 },
            QuestionKind::SingleChoice {
                options: options(&["a", "b"]),
            },
            QuestionKind::FreeText { max_chars: 100 },
        ] {
            assert!(!kind.has_categories());
            assert_eq!(category(&kind, 9), None);
        }
    }

    #[test]
    fn follow_ups_are_routed_by_the_scores_category() {
        let mut q = question(QuestionKind::Nps);
        q.follow_ups = FollowUps {
            low: Some(text("What went wrong?")),
            middle: None,
            high: Some(text("What went well?")),
        };
        assert_eq!(q.follow_up(6), Some(&text("What went wrong?")));
        assert_eq!(q.follow_up(7), None);
        assert_eq!(q.follow_up(10), Some(&text("What went well?")));
        assert_eq!(q.follow_up(11), None);
    }

    #[test]
    fn point_labels_cover_every_point_or_just_the_ends() {
        let mut q = question(QuestionKind::Nps);
        q.point_labels = vec![text("Low"), text("High")];
        assert_eq!(q.point_label(0), Some(&text("Low")));
        assert_eq!(q.point_label(5), None);
        assert_eq!(q.point_label(10), Some(&text("High")));
        let mut q = question(QuestionKind::Csat);
        q.point_labels = (1..=5).map(|p| text(&p.to_string())).collect();
        assert_eq!(q.point_label(1), Some(&text("1")));
        assert_eq!(q.point_label(3), Some(&text("3")));
        assert_eq!(q.point_label(0), None);
        assert_eq!(q.point_label(6), None);
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

    #[test]
    fn localized_texts_list_every_author_text_with_its_path() {
        let mut s = survey(
            SurveyKind::Custom,
            vec![question(QuestionKind::MultipleChoice {
                options: options(&["a", "b"]),
                max_selected: None,
            })],
        );
        s.questions.push(Question {
            key: "n".into(),
            point_labels: vec![text("lo"), text("hi")],
            follow_ups: FollowUps {
                high: Some(text("Why?")),
                ..FollowUps::default()
            },
            ..question(QuestionKind::Nps)
        });
        let paths: Vec<String> = s.localized_texts().into_iter().map(|(p, _)| p).collect();
        assert_eq!(
            paths,
            [
                "title",
                "intro",
                "thank_you",
                "questions[0].text",
                "questions[0].options[0].label",
                "questions[0].options[1].label",
                "questions[1].text",
                "questions[1].point_labels[0]",
                "questions[1].point_labels[1]",
                "questions[1].follow_ups.high",
            ]
        );
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

    // Placeholders.

    fn values(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn placeholders_are_replaced_by_their_values() {
        let v = values(&[
            ("company", "Acme"),
            ("subject", "your order"),
            ("team", "Sales"),
        ]);
        assert_eq!(
            fill_placeholders("{company}: {subject}, team {team}.", &v),
            "Acme: your order, team Sales."
        );
    }

    #[test]
    fn unknown_placeholders_are_left_as_written() {
        let v = values(&[("company", "Acme")]);
        assert_eq!(
            fill_placeholders("{compnay} and {subject} at {company}", &v),
            "{compnay} and {subject} at Acme"
        );
    }

    #[test]
    fn doubled_braces_are_literal_braces() {
        let v = values(&[("company", "Acme")]);
        assert_eq!(fill_placeholders("{{company}}", &v), "{company}");
        assert_eq!(fill_placeholders("{{company}", &v), "{company}");
        assert_eq!(fill_placeholders("{{{company}}}", &v), "{Acme}");
    }

    #[test]
    fn lone_and_unclosed_braces_stay() {
        let v = values(&[("company", "Acme")]);
        assert_eq!(fill_placeholders("a } b { c", &v), "a } b { c");
        assert_eq!(fill_placeholders("{a{company}", &v), "{aAcme");
        assert_eq!(fill_placeholders("{}", &v), "{}");
        assert_eq!(fill_placeholders("ends with {", &v), "ends with {");
    }

    #[test]
    fn values_are_not_scanned_for_placeholders_again() {
        let v = values(&[("company", "{subject}"), ("subject", "x")]);
        assert_eq!(fill_placeholders("{company}", &v), "{subject}");
    }

    // Properties.

    fn scored_kinds() -> impl Strategy<Value = QuestionKind> {
        prop_oneof![
            Just(QuestionKind::Nps),
            Just(QuestionKind::Enps),
            Just(CES7),
            Just(CES5),
            Just(QuestionKind::Csat),
            Just(QuestionKind::Likert),
        ]
    }

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
        fn every_score_on_a_scale_falls_into_exactly_one_category_in_order(kind in scored_kinds()) {
            let Some((min, max)) = kind.score_range() else {
                return Err(TestCaseError::fail("scored kinds have a range"));
            };
            let categories: Vec<Option<Category>> = (0..=u8::MAX).map(|s| category(&kind, s)).collect();
            for (score, got) in (0..=u8::MAX).zip(&categories) {
                prop_assert_eq!(got.is_some(), (min..=max).contains(&score), "score {}", score);
            }
            let on_scale: Vec<Category> = categories.into_iter().flatten().collect();
            prop_assert_eq!(on_scale.len(), usize::from(max - min) + 1);
            prop_assert!(on_scale.windows(2).all(|w| w[0] <= w[1]));
            for expected in [Category::Low, Category::Middle, Category::High] {
                prop_assert!(on_scale.contains(&expected));
            }
        }

        #[test]
        fn category_is_none_off_the_scale(kind in scored_kinds(), score in any::<u8>()) {
            let on_scale = kind.score_range().is_some_and(|(min, max)| (min..=max).contains(&score));
            prop_assert_eq!(category(&kind, score).is_some(), on_scale);
        }

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

        #[test]
        fn fill_placeholders_without_braces_changes_nothing(text in "[^{}]{0,40}") {
            let v = values(&[("company", "Acme")]);
            prop_assert_eq!(fill_placeholders(&text, &v), text);
        }

        #[test]
        fn fill_placeholders_never_panics(text in ".{0,40}", value in ".{0,10}") {
            let v = values(&[("company", value.as_str()), ("", "empty")]);
            let _ = fill_placeholders(&text, &v);
        }
    }
}
