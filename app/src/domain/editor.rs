//! The survey editor's working copy: a definition as its author typed it, every
//! value still a string, so an unfinished or invalid edit can be kept, shown
//! again with its errors, and changed one step at a time (add, remove or move
//! a question, add or remove an option) before it is saved.
//!
//! Form field names are the paths [`SurveyDefinition::validate`] reports
//! (`questions[2].text.de`), so each error lands beside its field.

use super::ces::CesScale;
use super::locale::{Locale, LocalizedText};
use super::survey::{
    category, Category, ChoiceOption, FieldError, FollowUps, Question, QuestionKind,
    SurveyDefinition, SurveyKind, FREE_TEXT_MAX_CHARS, MAX_OPTIONS, MAX_QUESTIONS,
};
use super::templates::{ces_template, default_point_labels, template};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The question types an author can pick, as the form sends them, with their names.
pub const QUESTION_TYPES: [(&str, &str); 9] = [
    ("nps", "NPS (0–10, recommend)"),
    ("enps", "eNPS (0–10, place to work)"),
    ("ces", "CES (agreement, 7 or 5 points)"),
    ("csat", "CSAT (satisfaction, 1–5)"),
    ("likert", "Likert statement (1–5)"),
    ("rating", "Rating (e.g. 1–5 or 0–10)"),
    ("single_choice", "Single choice"),
    ("multiple_choice", "Multiple choice"),
    ("free_text", "Free text"),
];

/// Scales with more points than this get labels for their two ends only.
const MOST_LABELLED_POINTS: usize = 7;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct SurveyForm {
    pub kind: SurveyKind,
    pub default_locale: String,
    pub title: LocalizedText,
    pub intro: LocalizedText,
    pub thank_you: LocalizedText,
    pub brand_color: String,
    pub logo_url: String,
    pub anonymous: bool,
    /// Asked of employees (HR's); eNPS and pulse surveys are anyway.
    #[serde(default)]
    pub employee: bool,
    /// Comma-separated attribute names.
    pub grouping_attributes: String,
    pub questions: Vec<QuestionForm>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct QuestionForm {
    pub key: String,
    /// One of [`QUESTION_TYPES`].
    pub kind: String,
    /// CES: "7" or "5".
    pub scale: String,
    /// Rating bounds.
    pub min: String,
    pub max: String,
    /// Multiple choice; blank allows every option.
    pub max_selected: String,
    /// Free text.
    pub max_chars: String,
    pub text: LocalizedText,
    pub required: bool,
    /// One row per labelled point (see [`QuestionForm::label_rows`]).
    pub point_labels: Vec<LocalizedText>,
    /// The scale the labels were written for; a changed scale gets fresh labels.
    pub labels_for: String,
    pub follow_low: LocalizedText,
    pub follow_middle: LocalizedText,
    pub follow_high: LocalizedText,
    pub options: Vec<OptionForm>,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct OptionForm {
    pub key: String,
    pub label: LocalizedText,
}

/// One step the editor's buttons ask for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EditOp {
    /// Check and publish the working copy.
    Save,
    /// Drop the working copy and return to the saved survey.
    Discard,
    /// Keep the working copy as typed, e.g. after changing a question's type.
    Update,
    Add,
    Remove(usize),
    Up(usize),
    Down(usize),
    AddOption(usize),
    RemoveOption(usize, usize),
}

impl EditOp {
    /// Reads a button's value: `save`, `remove:2`, `remove_option:2:0`, `add:likert`, …
    pub fn parse(op: &str) -> Option<EditOp> {
        let mut parts = op.split(':');
        let name = parts.next()?;
        let mut index = || parts.next().and_then(|i| i.parse::<usize>().ok());
        let op = match name {
            "save" => EditOp::Save,
            "discard" => EditOp::Discard,
            "update" => EditOp::Update,
            "add" => EditOp::Add,
            "remove" => EditOp::Remove(index()?),
            "up" => EditOp::Up(index()?),
            "down" => EditOp::Down(index()?),
            "add_option" => EditOp::AddOption(index()?),
            "remove_option" => EditOp::RemoveOption(index()?, index()?),
            _ => return None,
        };
        Some(op)
    }
}

impl SurveyForm {
    pub fn from_definition(def: &SurveyDefinition) -> SurveyForm {
        SurveyForm {
            kind: def.kind,
            default_locale: def.default_locale.as_str().to_owned(),
            title: def.title.clone(),
            intro: def.intro.clone(),
            thank_you: def.thank_you.clone(),
            brand_color: def.brand_color.clone().unwrap_or_default(),
            logo_url: def.logo_url.clone().unwrap_or_default(),
            anonymous: def.anonymous,
            employee: def.employee,
            grouping_attributes: def.grouping_attributes.join(", "),
            questions: def
                .questions
                .iter()
                .map(QuestionForm::from_question)
                .collect(),
        }
    }

    /// Reads the editor's form fields, named by their validation paths. Unknown
    /// names are ignored; question and option indices give the order.
    pub fn from_fields(kind: SurveyKind, fields: &[(String, String)]) -> SurveyForm {
        let mut form = SurveyForm {
            kind,
            default_locale: String::new(),
            title: LocalizedText::default(),
            intro: LocalizedText::default(),
            thank_you: LocalizedText::default(),
            brand_color: String::new(),
            logo_url: String::new(),
            anonymous: false,
            employee: false,
            grouping_attributes: String::new(),
            questions: Vec::new(),
        };
        let mut questions = BTreeMap::<usize, QuestionFields>::new();
        for (name, value) in fields {
            let Some(path) = Path::parse(name) else {
                continue;
            };
            match path.0.as_slice() {
                [("default_locale", None)] => form.default_locale = value.clone(),
                [("brand_color", None)] => form.brand_color = value.clone(),
                [("logo_url", None)] => form.logo_url = value.clone(),
                [("anonymous", None)] => form.anonymous = true,
                [("employee", None)] => form.employee = true,
                [("grouping_attributes", None)] => form.grouping_attributes = value.clone(),
                [("title", None), (lang, None)] => set_text(&mut form.title, lang, value),
                [("intro", None), (lang, None)] => set_text(&mut form.intro, lang, value),
                [("thank_you", None), (lang, None)] => set_text(&mut form.thank_you, lang, value),
                [("questions", Some(i)), rest @ ..] if *i < MAX_QUESTIONS * 2 => {
                    questions.entry(*i).or_default().set(rest, value);
                }
                _ => {}
            }
        }
        form.questions = questions
            .into_values()
            .map(QuestionFields::finish)
            .collect();
        form.normalise();
        form
    }

    /// Applies a structural step; returns the question to show next, if any.
    /// `add_type` is the type chosen beside the "Add" button.
    pub fn apply(&mut self, op: &EditOp, add_type: &str) -> Option<usize> {
        let count = self.questions.len();
        let at = match op {
            EditOp::Save | EditOp::Discard | EditOp::Update => None,
            EditOp::Add if count < MAX_QUESTIONS => {
                let key = self.free_question_key();
                self.questions.push(QuestionForm::new(key, add_type));
                Some(count)
            }
            EditOp::Add => None,
            EditOp::Remove(i) if *i < count => {
                self.questions.remove(*i);
                count.checked_sub(2).map(|last| (*i).min(last))
            }
            EditOp::Up(i) if (1..count).contains(i) => {
                self.questions.swap(*i, i - 1);
                Some(i - 1)
            }
            // Not `i + 1 < count`: a posted index of usize::MAX would overflow.
            EditOp::Down(i) if *i < count.saturating_sub(1) => {
                self.questions.swap(*i, i + 1);
                Some(i + 1)
            }
            EditOp::AddOption(i) => {
                let question = self.questions.get_mut(*i)?;
                if question.options.len() < MAX_OPTIONS {
                    question.add_option();
                }
                Some(*i)
            }
            EditOp::RemoveOption(i, j) => {
                let question = self.questions.get_mut(*i)?;
                if *j < question.options.len() {
                    question.options.remove(*j);
                }
                Some(*i)
            }
            EditOp::Remove(_) | EditOp::Up(_) | EditOp::Down(_) => None,
        };
        self.normalise();
        at
    }

    /// The definition this form describes, or every problem with it, each at
    /// the path of its field.
    pub fn to_definition(&self) -> Result<SurveyDefinition, Vec<FieldError>> {
        let mut errors = Vec::new();
        let default_locale = Locale::parse(self.default_locale.trim()).unwrap_or_else(|| {
            errors.push(error("default_locale", "Choose English or German."));
            Locale::En
        });
        // A question whose type could not be read is checked for its key and
        // text only: other complaints about it would be about a guessed type.
        let mut unread = Vec::new();
        let questions = self
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let at = format!("questions[{i}]");
                q.to_question(&at).unwrap_or_else(|mut e| {
                    errors.append(&mut e);
                    unread.push(at);
                    Question::new(q.key.trim(), QuestionKind::Likert, q.text.clone())
                })
            })
            .collect();
        let def = SurveyDefinition {
            kind: self.kind,
            default_locale,
            title: self.title.clone(),
            intro: self.intro.clone(),
            questions,
            thank_you: self.thank_you.clone(),
            brand_color: non_blank(&self.brand_color),
            logo_url: non_blank(&self.logo_url),
            anonymous: self.anonymous,
            employee: self.employee,
            grouping_attributes: self
                .grouping_attributes
                .split(',')
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned)
                .collect(),
        };
        if let Err(found) = def.validate() {
            errors.extend(found.into_iter().filter(|e| {
                !unread.iter().any(|at| {
                    e.field.starts_with(&format!("{at}."))
                        && !e.field.starts_with(&format!("{at}.key"))
                        && !e.field.starts_with(&format!("{at}.text"))
                })
            }));
        }
        if errors.is_empty() {
            Ok(def)
        } else {
            Err(errors)
        }
    }

    /// The fields the editor page sends for this form, named as [`SurveyForm::from_fields`]
    /// reads them (what a browser would post, e.g. for scripts and tests).
    pub fn to_fields(&self) -> Vec<(String, String)> {
        let form = self;
        let mut out = Vec::new();
        let mut push = |name: String, value: &str| out.push((name, value.to_owned()));
        let text = |push: &mut dyn FnMut(String, &str), at: &str, t: &LocalizedText| {
            push(format!("{at}.en"), &t.en);
            push(format!("{at}.de"), &t.de);
        };
        push("default_locale".into(), &form.default_locale);
        text(&mut push, "title", &form.title);
        text(&mut push, "intro", &form.intro);
        text(&mut push, "thank_you", &form.thank_you);
        push("brand_color".into(), &form.brand_color);
        push("logo_url".into(), &form.logo_url);
        push("grouping_attributes".into(), &form.grouping_attributes);
        if form.anonymous {
            push("anonymous".into(), "on");
        }
        if form.employee {
            push("employee".into(), "on");
        }
        for (i, q) in form.questions.iter().enumerate() {
            let at = format!("questions[{i}]");
            for (name, value) in [
                ("key", &q.key),
                ("kind", &q.kind),
                ("scale", &q.scale),
                ("min", &q.min),
                ("max", &q.max),
                ("max_selected", &q.max_selected),
                ("max_chars", &q.max_chars),
                ("labels_for", &q.labels_for),
            ] {
                push(format!("{at}.{name}"), value);
            }
            if q.required {
                push(format!("{at}.required"), "on");
            }
            text(&mut push, &format!("{at}.text"), &q.text);
            for (k, label) in q.point_labels.iter().enumerate() {
                text(&mut push, &format!("{at}.point_labels[{k}]"), label);
            }
            text(&mut push, &format!("{at}.follow_ups.low"), &q.follow_low);
            text(
                &mut push,
                &format!("{at}.follow_ups.middle"),
                &q.follow_middle,
            );
            text(&mut push, &format!("{at}.follow_ups.high"), &q.follow_high);
            for (j, option) in q.options.iter().enumerate() {
                push(format!("{at}.options[{j}].key"), &option.key);
                text(
                    &mut push,
                    &format!("{at}.options[{j}].label"),
                    &option.label,
                );
            }
        }
        out
    }

    /// Keeps every question's label rows and options in step with its type.
    fn normalise(&mut self) {
        for question in &mut self.questions {
            question.normalise();
        }
    }

    fn free_question_key(&self) -> String {
        (self.questions.len() + 1..)
            .map(|n| format!("q{n}"))
            .find(|key| self.questions.iter().all(|q| &q.key != key))
            .unwrap_or_default()
    }
}

impl QuestionForm {
    /// A new question of `kind` (any unknown type becomes a Likert statement),
    /// starting from the standard wording where the type has one.
    pub fn new(key: String, kind: &str) -> QuestionForm {
        let kind = if QUESTION_TYPES.iter().any(|(k, _)| *k == kind) {
            kind
        } else {
            "likert"
        };
        let standard = match kind {
            "nps" => template(SurveyKind::Nps).questions.into_iter().next(),
            "enps" => template(SurveyKind::Enps).questions.into_iter().next(),
            "csat" => template(SurveyKind::Csat).questions.into_iter().next(),
            "ces" => ces_template(CesScale::Seven).questions.into_iter().next(),
            _ => None,
        };
        let mut form = match standard {
            Some(question) => QuestionForm::from_question(&question),
            None => QuestionForm {
                kind: kind.to_owned(),
                required: true,
                scale: "7".into(),
                min: "1".into(),
                max: "5".into(),
                max_chars: "1000".into(),
                ..QuestionForm::default()
            },
        };
        form.key = key;
        form.normalise();
        form
    }

    pub fn from_question(q: &Question) -> QuestionForm {
        let mut form = QuestionForm {
            key: q.key.clone(),
            text: q.text.clone(),
            required: q.required,
            scale: "7".into(),
            min: "1".into(),
            max: "5".into(),
            max_chars: "1000".into(),
            follow_low: q.follow_ups.low.clone().unwrap_or_default(),
            follow_middle: q.follow_ups.middle.clone().unwrap_or_default(),
            follow_high: q.follow_ups.high.clone().unwrap_or_default(),
            ..QuestionForm::default()
        };
        form.kind = match &q.kind {
            QuestionKind::Nps => "nps",
            QuestionKind::Enps => "enps",
            QuestionKind::Rating { min, max } => {
                form.min = min.to_string();
                form.max = max.to_string();
                "rating"
            }
            QuestionKind::Ces { scale } => {
                form.scale = scale.max().to_string();
                "ces"
            }
            QuestionKind::Csat => "csat",
            QuestionKind::Likert => "likert",
            QuestionKind::SingleChoice { .. } => "single_choice",
            QuestionKind::MultipleChoice { max_selected, .. } => {
                form.max_selected = max_selected.map(|m| m.to_string()).unwrap_or_default();
                "multiple_choice"
            }
            QuestionKind::FreeText { max_chars } => {
                form.max_chars = max_chars.to_string();
                "free_text"
            }
        }
        .to_owned();
        form.options = q
            .kind
            .options()
            .iter()
            .map(|o| OptionForm {
                key: o.key.clone(),
                label: o.label.clone(),
            })
            .collect();
        let rows = label_rows(&q.kind);
        form.point_labels = if q.point_labels.len() == rows {
            q.point_labels.clone()
        } else if q.point_labels.len() == 2 && rows > 2 {
            let mut labels = vec![LocalizedText::default(); rows];
            labels[0] = q.point_labels[0].clone();
            labels[rows - 1] = q.point_labels[1].clone();
            labels
        } else {
            vec![LocalizedText::default(); rows]
        };
        form.labels_for = form.scale_signature();
        form
    }

    /// The question's type as the definition has it, if its numbers can be read.
    pub fn question_kind(&self, at: &str) -> Result<QuestionKind, Vec<FieldError>> {
        let number = |field: &str, value: &str, message: &str| {
            value
                .trim()
                .parse::<u32>()
                .map_err(|_| vec![error(&format!("{at}.{field}"), message)])
        };
        let small = |n: u32, field: &str, message: &str| {
            u8::try_from(n).map_err(|_| vec![error(&format!("{at}.{field}"), message)])
        };
        Ok(match self.kind.as_str() {
            "nps" => QuestionKind::Nps,
            "enps" => QuestionKind::Enps,
            "csat" => QuestionKind::Csat,
            "likert" => QuestionKind::Likert,
            "ces" => QuestionKind::Ces {
                scale: match self.scale.trim() {
                    "5" => CesScale::Five,
                    "7" => CesScale::Seven,
                    _ => return Err(vec![error(&format!("{at}.scale"), "Choose 7 or 5 points.")]),
                },
            },
            "rating" => {
                const RANGE: &str = "A rating starts at 0 or 1 and ends above that, at 10 at most.";
                let min = number("min", &self.min, RANGE)?;
                let max = number("max", &self.max, RANGE)?;
                QuestionKind::Rating {
                    min: small(min, "min", RANGE)?,
                    max: small(max, "max", RANGE)?,
                }
            }
            "single_choice" => QuestionKind::SingleChoice {
                options: self.choice_options(),
            },
            "multiple_choice" => QuestionKind::MultipleChoice {
                options: self.choice_options(),
                max_selected: match self.max_selected.trim() {
                    "" => None,
                    raw => {
                        const MAX: &str =
                            "Enter how many options may be ticked, or leave it empty for all.";
                        let n = number("max_selected", raw, MAX)?;
                        Some(small(n, "max_selected", MAX)?)
                    }
                },
            },
            "free_text" => {
                let message = format!("Allow from 1 to {FREE_TEXT_MAX_CHARS} characters.");
                QuestionKind::FreeText {
                    max_chars: number("max_chars", &self.max_chars, &message)?,
                }
            }
            _ => {
                return Err(vec![error(
                    &format!("{at}.kind"),
                    "Choose one of the question types.",
                )])
            }
        })
    }

    fn to_question(&self, at: &str) -> Result<Question, Vec<FieldError>> {
        let kind = self.question_kind(at)?;
        let follow_ups = if kind.has_categories() {
            FollowUps {
                low: non_blank_text(&self.follow_low),
                middle: non_blank_text(&self.follow_middle),
                high: non_blank_text(&self.follow_high),
            }
        } else {
            FollowUps::default()
        };
        let point_labels = labels_from_rows(&self.point_labels, kind.points());
        Ok(Question {
            key: self.key.trim().to_owned(),
            kind,
            text: self.text.clone(),
            required: self.required,
            point_labels,
            follow_ups,
        })
    }

    /// The scale's categories with the scores each covers, for follow-up rows;
    /// empty when the type has none.
    pub fn categories(&self) -> Vec<(Category, u8, u8)> {
        let Ok(kind) = self.question_kind("") else {
            return Vec::new();
        };
        let Some((min, max)) = kind.score_range() else {
            return Vec::new();
        };
        let mut ranges: Vec<(Category, u8, u8)> = Vec::new();
        for score in min..=max {
            let Some(cat) = category(&kind, score) else {
                return Vec::new();
            };
            match ranges.last_mut() {
                Some((last, _, to)) if *last == cat => *to = score,
                _ => ranges.push((cat, score, score)),
            }
        }
        ranges
    }

    /// The score each label row stands for.
    pub fn label_scores(&self) -> Vec<u8> {
        let Ok(kind) = self.question_kind("") else {
            return Vec::new();
        };
        let Some((min, max)) = kind.score_range() else {
            return Vec::new();
        };
        if label_rows(&kind) == 2 {
            vec![min, max]
        } else {
            (min..=max).collect()
        }
    }

    pub fn follow_up(&self, category: Category) -> &LocalizedText {
        match category {
            Category::Low => &self.follow_low,
            Category::Middle => &self.follow_middle,
            Category::High => &self.follow_high,
        }
    }

    pub fn is_choice(&self) -> bool {
        matches!(self.kind.as_str(), "single_choice" | "multiple_choice")
    }

    fn choice_options(&self) -> Vec<ChoiceOption> {
        self.options
            .iter()
            .map(|o| ChoiceOption::new(o.key.trim(), o.label.clone()))
            .collect()
    }

    fn add_option(&mut self) {
        let key = (self.options.len() + 1..)
            .map(|n| format!("option-{n}"))
            .find(|key| self.options.iter().all(|o| &o.key != key))
            .unwrap_or_default();
        self.options.push(OptionForm {
            key,
            label: LocalizedText::default(),
        });
    }

    /// What the point labels depend on: the type and its scale.
    fn scale_signature(&self) -> String {
        match self.kind.as_str() {
            "ces" => format!("ces:{}", self.scale.trim()),
            "rating" => format!("rating:{}-{}", self.min.trim(), self.max.trim()),
            other => other.to_owned(),
        }
    }

    fn normalise(&mut self) {
        let signature = self.scale_signature();
        if signature != self.labels_for {
            // Labels written for another scale would mislabel this one.
            self.point_labels = match self.question_kind("") {
                Ok(kind) => {
                    let rows = label_rows(&kind);
                    let defaults = default_point_labels(&kind);
                    if defaults.len() == rows {
                        defaults
                    } else {
                        vec![LocalizedText::default(); rows]
                    }
                }
                Err(_) => Vec::new(),
            };
            self.labels_for = signature;
        }
        if self.is_choice() && self.options.is_empty() {
            self.add_option();
            self.add_option();
        }
    }
}

/// How many label rows the editor shows: every point of short scales, the
/// two ends of long ones, none without a scale.
fn label_rows(kind: &QuestionKind) -> usize {
    match kind.points() {
        0 => 0,
        n if n > MOST_LABELLED_POINTS => 2,
        n => n,
    }
}

/// Label rows as the definition keeps them: none when all are blank, the two
/// ends when only those are written, otherwise every row.
fn labels_from_rows(rows: &[LocalizedText], points: usize) -> Vec<LocalizedText> {
    if rows.iter().all(LocalizedText::is_blank) {
        return Vec::new();
    }
    let n = rows.len();
    let ends_only = n > 2
        && n == points
        && rows[1..n - 1].iter().all(LocalizedText::is_blank)
        && !rows[0].is_blank()
        && !rows[n - 1].is_blank();
    if ends_only {
        vec![rows[0].clone(), rows[n - 1].clone()]
    } else {
        rows.to_vec()
    }
}

/// A field path split at its dots, each part with its optional `[index]`.
struct Path<'a>(Vec<(&'a str, Option<usize>)>);

impl<'a> Path<'a> {
    fn parse(name: &'a str) -> Option<Path<'a>> {
        name.split('.')
            .map(|part| match part.split_once('[') {
                None => Some((part, None)),
                Some((name, rest)) => {
                    let index = rest.strip_suffix(']')?.parse::<usize>().ok()?;
                    Some((name, Some(index)))
                }
            })
            .collect::<Option<Vec<_>>>()
            .map(Path)
    }
}

/// One question's fields as they arrive, before their order is known.
#[derive(Default)]
struct QuestionFields {
    form: QuestionForm,
    labels: BTreeMap<usize, LocalizedText>,
    options: BTreeMap<usize, OptionForm>,
}

impl QuestionFields {
    fn set(&mut self, path: &[(&str, Option<usize>)], value: &str) {
        let q = &mut self.form;
        match path {
            [("key", None)] => q.key = value.to_owned(),
            [("kind", None)] => q.kind = value.to_owned(),
            [("scale", None)] => q.scale = value.to_owned(),
            [("min", None)] => q.min = value.to_owned(),
            [("max", None)] => q.max = value.to_owned(),
            [("max_selected", None)] => q.max_selected = value.to_owned(),
            [("max_chars", None)] => q.max_chars = value.to_owned(),
            [("labels_for", None)] => q.labels_for = value.to_owned(),
            [("required", None)] => q.required = true,
            [("text", None), (lang, None)] => set_text(&mut q.text, lang, value),
            [("follow_ups", None), ("low", None), (lang, None)] => {
                set_text(&mut q.follow_low, lang, value)
            }
            [("follow_ups", None), ("middle", None), (lang, None)] => {
                set_text(&mut q.follow_middle, lang, value)
            }
            [("follow_ups", None), ("high", None), (lang, None)] => {
                set_text(&mut q.follow_high, lang, value)
            }
            [("point_labels", Some(k)), (lang, None)] if *k < MOST_LABELLED_POINTS * 2 => {
                set_text(self.labels.entry(*k).or_default(), lang, value)
            }
            [("options", Some(j)), rest @ ..] if *j < MAX_OPTIONS * 2 => {
                let option = self.options.entry(*j).or_default();
                match rest {
                    [("key", None)] => option.key = value.to_owned(),
                    [("label", None), (lang, None)] => set_text(&mut option.label, lang, value),
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn finish(self) -> QuestionForm {
        QuestionForm {
            point_labels: self.labels.into_values().collect(),
            options: self.options.into_values().collect(),
            ..self.form
        }
    }
}

fn set_text(text: &mut LocalizedText, lang: &str, value: &str) {
    match lang {
        "en" => text.en = value.to_owned(),
        "de" => text.de = value.to_owned(),
        _ => {}
    }
}

fn non_blank(value: &str) -> Option<String> {
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

fn non_blank_text(text: &LocalizedText) -> Option<LocalizedText> {
    (!text.is_blank()).then(|| text.clone())
}

fn error(field: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fields a browser sends for `form`, in document order.
    fn fields(form: &SurveyForm) -> Vec<(String, String)> {
        let mut out = form.to_fields();
        // The parser must not depend on the order.
        out.reverse();
        out
    }

    fn round_trip(def: &SurveyDefinition) -> Result<SurveyDefinition, Vec<FieldError>> {
        let form = SurveyForm::from_definition(def);
        SurveyForm::from_fields(def.kind, &fields(&form)).to_definition()
    }

    fn fields_of(errors: &[FieldError]) -> Vec<&str> {
        errors.iter().map(|e| e.field.as_str()).collect()
    }

    #[test]
    fn every_template_survives_the_editor_form_unchanged() {
        for kind in SurveyKind::ALL {
            let def = template(kind);
            assert_eq!(round_trip(&def), Ok(def), "{kind:?}");
        }
        let five = ces_template(CesScale::Five);
        assert_eq!(round_trip(&five), Ok(five));
    }

    #[test]
    fn every_question_type_and_setting_survives_the_form() {
        let mut def = template(SurveyKind::Custom);
        def.brand_color = Some("#1a6b5c".into());
        def.logo_url = Some("https://example.com/logo.png".into());
        def.anonymous = true;
        def.grouping_attributes = vec!["team".into(), "region".into()];
        def.default_locale = Locale::De;
        let options = vec![
            ChoiceOption::new("a", LocalizedText::new("A", "A")),
            ChoiceOption::new("b", LocalizedText::new("B", "B")),
            ChoiceOption::new("c", LocalizedText::new("C", "C")),
        ];
        let mut rating = Question::new(
            "rate",
            QuestionKind::Rating { min: 0, max: 10 },
            LocalizedText::new("Rate", "Bewerten"),
        );
        rating.point_labels = vec![
            LocalizedText::new("Bad", "Schlecht"),
            LocalizedText::new("Good", "Gut"),
        ];
        rating.required = false;
        def.questions = vec![
            rating,
            Question::new(
                "pick",
                QuestionKind::MultipleChoice {
                    options: options.clone(),
                    max_selected: Some(2),
                },
                LocalizedText::new("Pick", "Wählen"),
            ),
            Question::new(
                "one",
                QuestionKind::SingleChoice { options },
                LocalizedText::new("One", "Eins"),
            ),
            Question::new(
                "why",
                QuestionKind::FreeText { max_chars: 300 },
                LocalizedText::new("Why?", "Warum?"),
            ),
        ];
        def.validate().unwrap();
        assert_eq!(round_trip(&def), Ok(def));
    }

    #[test]
    fn labels_for_the_ends_of_a_short_scale_stay_end_labels() {
        let mut def = template(SurveyKind::Csat);
        def.questions[0].point_labels = vec![
            LocalizedText::new("Awful", "Furchtbar"),
            LocalizedText::new("Great", "Super"),
        ];
        let form = SurveyForm::from_definition(&def);
        assert_eq!(form.questions[0].point_labels.len(), 5);
        assert_eq!(form.questions[0].point_labels[4].en, "Great");
        assert_eq!(round_trip(&def), Ok(def));
    }

    #[test]
    fn problems_come_back_at_the_names_of_their_fields() {
        let mut form = SurveyForm::from_definition(&template(SurveyKind::Custom));
        form.title.en = String::new();
        form.brand_color = "green".into();
        form.default_locale = "fr".into();
        form.questions[0].key = "Bad Key".into();
        let errors = form.to_definition().unwrap_err();
        let fields = fields_of(&errors);
        assert!(fields.contains(&"default_locale"), "{fields:?}");
        assert!(fields.contains(&"title.en"), "{fields:?}");
        assert!(fields.contains(&"brand_color"), "{fields:?}");
        assert!(fields.contains(&"questions[0].key"), "{fields:?}");
    }

    #[test]
    fn an_unreadable_number_is_the_only_complaint_about_its_question() {
        let mut form = SurveyForm::from_definition(&template(SurveyKind::Custom));
        form.apply(&EditOp::Add, "rating");
        let last = form.questions.len() - 1;
        form.questions[last].text.en = "Rate us".into();
        form.questions[last].max = "ten".into();
        let errors = form.to_definition().unwrap_err();
        assert_eq!(fields_of(&errors), vec![format!("questions[{last}].max")]);
        form.questions[last].text.en = String::new();
        let errors = form.to_definition().unwrap_err();
        assert_eq!(
            fields_of(&errors),
            vec![
                format!("questions[{last}].max"),
                format!("questions[{last}].text.en")
            ]
        );
    }

    #[test]
    fn questions_are_added_removed_and_moved_one_step_at_a_time() {
        let mut form = SurveyForm::from_definition(&template(SurveyKind::Pulse));
        let keys = |f: &SurveyForm| {
            f.questions
                .iter()
                .map(|q| q.key.clone())
                .collect::<Vec<_>>()
        };
        let before = keys(&form);
        let n = before.len();
        assert_eq!(form.apply(&EditOp::Add, "nps"), Some(n));
        let added = &form.questions[n];
        assert_eq!(added.kind, "nps");
        assert!(added.text.en.contains("recommend"), "standard wording");
        assert!(!before.contains(&added.key), "fresh key {}", added.key);
        assert_eq!(form.apply(&EditOp::Up(n), ""), Some(n - 1));
        assert_eq!(form.questions[n - 1].kind, "nps");
        assert_eq!(form.apply(&EditOp::Down(n - 1), ""), Some(n));
        assert_eq!(
            form.apply(&EditOp::Up(0), ""),
            None,
            "the first cannot go up"
        );
        assert_eq!(
            form.apply(&EditOp::Down(n), ""),
            None,
            "the last cannot go down"
        );
        form.apply(&EditOp::Remove(n), "");
        assert_eq!(keys(&form), before);
        assert_eq!(form.apply(&EditOp::Remove(99), ""), None);
        assert_eq!(keys(&form), before);
    }

    #[test]
    fn a_step_with_an_index_far_beyond_the_questions_changes_nothing() {
        let mut form = SurveyForm::from_definition(&template(SurveyKind::Pulse));
        let before = form.clone();
        // A tampered button value: `down:18446744073709551615` parses as usize::MAX.
        for op in ["down:18446744073709551615", "up:18446744073709551615"] {
            let op = EditOp::parse(op).expect("a step");
            assert_eq!(form.apply(&op, ""), None, "{op:?}");
            assert_eq!(form, before);
        }
    }

    #[test]
    fn a_choice_question_starts_with_two_options_and_new_options_get_fresh_keys() {
        let mut form = SurveyForm::from_definition(&template(SurveyKind::Custom));
        form.apply(&EditOp::Add, "single_choice");
        let i = form.questions.len() - 1;
        assert_eq!(form.questions[i].options.len(), 2);
        form.apply(&EditOp::AddOption(i), "");
        let keys: Vec<_> = form.questions[i]
            .options
            .iter()
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(keys, ["option-1", "option-2", "option-3"]);
        form.apply(&EditOp::RemoveOption(i, 0), "");
        let keys: Vec<_> = form.questions[i]
            .options
            .iter()
            .map(|o| o.key.as_str())
            .collect();
        assert_eq!(keys, ["option-2", "option-3"]);
        // Blank labels are the author's to fill in: saving says where.
        let errors = form.to_definition().unwrap_err();
        assert!(
            fields_of(&errors).contains(&format!("questions[{i}].options[0].label.en").as_str())
        );
    }

    #[test]
    fn changing_a_questions_scale_replaces_labels_written_for_the_old_one() {
        let form = SurveyForm::from_definition(&template(SurveyKind::Ces));
        assert_eq!(form.questions[0].point_labels.len(), 7);
        let mut sent = fields(&form);
        for (name, value) in &mut sent {
            if name == "questions[0].scale" {
                *value = "5".into();
            }
        }
        let form = SurveyForm::from_fields(SurveyKind::Ces, &sent);
        let labels = &form.questions[0].point_labels;
        assert_eq!(labels.len(), 5);
        assert_eq!(labels[2].en, "Neither agree nor disagree");
        let def = form.to_definition().unwrap();
        assert_eq!(
            def.questions[0].kind,
            QuestionKind::Ces {
                scale: CesScale::Five
            }
        );
    }

    #[test]
    fn follow_ups_are_offered_per_category_with_the_scores_they_cover() {
        let nps = QuestionForm::new("q1".into(), "nps");
        assert_eq!(
            nps.categories(),
            vec![
                (Category::Low, 0, 6),
                (Category::Middle, 7, 8),
                (Category::High, 9, 10)
            ]
        );
        assert_eq!(nps.label_scores(), vec![0, 10]);
        let ces = QuestionForm::new("q1".into(), "ces");
        assert_eq!(ces.categories()[0], (Category::Low, 1, 3));
        assert!(QuestionForm::new("q1".into(), "rating")
            .categories()
            .is_empty());
        assert!(QuestionForm::new("q1".into(), "free_text")
            .categories()
            .is_empty());
    }

    #[test]
    fn button_values_name_their_step() {
        assert_eq!(EditOp::parse("save"), Some(EditOp::Save));
        assert_eq!(EditOp::parse("remove:3"), Some(EditOp::Remove(3)));
        assert_eq!(
            EditOp::parse("remove_option:3:1"),
            Some(EditOp::RemoveOption(3, 1))
        );
        assert_eq!(EditOp::parse("remove"), None);
        assert_eq!(EditOp::parse("up:x"), None);
        assert_eq!(EditOp::parse("drop:1"), None);
    }

    #[test]
    fn field_names_with_huge_or_broken_indices_are_ignored() {
        let sent = vec![
            ("title.en".to_owned(), "T".to_owned()),
            ("questions[999999].key".to_owned(), "x".to_owned()),
            ("questions[0.key".to_owned(), "x".to_owned()),
            ("questions[0].options[99999].key".to_owned(), "x".to_owned()),
        ];
        let form = SurveyForm::from_fields(SurveyKind::Custom, &sent);
        assert_eq!(form.title.en, "T");
        assert_eq!(form.questions.len(), 1, "only questions[0] is a question");
        assert!(form.questions[0].options.is_empty());
    }
}
