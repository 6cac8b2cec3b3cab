//! A survey's definition — its kind, questions, texts in each language and
//! look — and where a score sits on its scale, for routing follow-ups.
//!
//! The rules around the model live beside it, one file per concern, and are
//! re-exported here so `crate::domain::survey::X` names everything:
//!
//! - [`answers`]: what a respondent's form sends, turned into answers. Answer
//!   parsing never trusts the form: the browser's own checks are a
//!   convenience, the rules there are what is stored.
//! - [`validation`]: the rules a definition must follow before it is sent,
//!   reported all at once, each with the path of the field
//!   (`questions[2].text.de`), so an editor can mark them all.
//! - [`placeholders`]: `{company}`-style placeholders in survey and email texts.

use super::ces::CesScale;
use super::locale::{Locale, LocalizedText};
use serde::{Deserialize, Serialize};

mod answers;
mod placeholders;
#[cfg(test)]
mod test_support;
mod validation;

pub use answers::{parse_follow_up_answer, AnswerError, AnswerValue, RawAnswer, TypedAnswer};
pub use placeholders::fill_placeholders;
pub use validation::{contrast_with_white, FieldError, MIN_CONTRAST};

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
/// Results are counted per value of each grouping attribute and of each pair of them.
pub const MAX_GROUPING_ATTRIBUTES: usize = 4;
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
    /// eNPS and pulse surveys are asked of employees.
    pub fn for_employees(self) -> bool {
        matches!(self, SurveyKind::Enps | SurveyKind::Pulse)
    }

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
    /// Optional; when blank the page shows [`UiText::ThankYouDefault`](crate::domain::ui_text::UiText::ThankYouDefault).
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
    /// Asked of employees, so HR runs it (eNPS and pulse surveys are, whatever this says).
    #[serde(default)]
    pub employee: bool,
}

impl SurveyDefinition {
    /// Whether employees answer it: what puts a survey in HR's reach.
    pub fn for_employees(&self) -> bool {
        self.employee || self.kind.for_employees()
    }

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
}

#[cfg(test)]
mod tests {
    use super::test_support::*;
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

    // Properties.

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
    }
}
