//! What a respondent's form (or the API's answer body) sends, as untrusted fields, checked
//! by the domain against a survey: `Question::parse_answer` for each question's values,
//! `parse_follow_up_answer` for its comment, the `?score=` pre-selection, and the
//! language from `?lang=` and `Accept-Language`.
//!
//! The input is text: a first line naming the survey, then a form body. The first line is
//! a template (`nps`, `enps`, `ces`, `ces5`, `csat`, `pulse`, `custom`) optionally followed
//! by extra questions with parameters the editor would refuse, to try the parsers on odd
//! scales too: `rating:MIN:MAX`, `single:OPTIONS`, `multi:OPTIONS:MAX`, `text:MAX`. Their
//! keys are `x0`, `x1`, …, their options `o0`, `o1`, …. The body is URL-encoded
//! `name=value&…`: a question's key carries its answer (repeat it for several ticked
//! boxes), `KEY.follow_up` its comment, `score` a pre-selected score, `lang` and
//! `accept_language` the language sources.
//!
//! Example: `nps text:0\nnps=9&nps.follow_up=Quick%0D%0Ahelp&x0=&lang=de`.
#![no_main]

use app::domain::ces::CesScale;
use app::domain::locale::{Locale, LocalizedText};
use app::domain::survey::{
    parse_follow_up_answer, AnswerError, AnswerValue, ChoiceOption, Question, QuestionKind,
    RawAnswer, SurveyDefinition, SurveyKind, FOLLOW_UP_MAX_CHARS, FREE_TEXT_MAX_CHARS,
};
use app::domain::templates::{ces_template, template};
use libfuzzer_sys::fuzz_target;
use std::collections::BTreeMap;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once('\n').unwrap_or((&text, ""));
    let Some(definition) = survey(head) else {
        return;
    };

    let mut answers = BTreeMap::<String, Vec<String>>::new();
    let mut follow_ups = BTreeMap::<String, Vec<String>>::new();
    let (mut lang, mut accept_language, mut score) = (None, None, None);
    for (name, value) in form_urlencoded::parse(body.as_bytes()) {
        let value = value.into_owned();
        match name.as_ref() {
            "lang" => lang = Some(value),
            "accept_language" => accept_language = Some(value),
            "score" => score = Some(value),
            name => match name.strip_suffix(".follow_up") {
                Some(key) => follow_ups.entry(key.to_owned()).or_default().push(value),
                None => answers.entry(name.to_owned()).or_default().push(value),
            },
        }
    }

    let locale = Locale::negotiate(
        lang.as_deref(),
        None,
        accept_language.as_deref(),
        definition.default_locale,
    );
    let _ = locale.as_str();

    for key in answers.keys().chain(follow_ups.keys()) {
        let _ = definition.question(key);
    }
    for question in &definition.questions {
        let raw = RawAnswer::from_iter(answers.get(&question.key).cloned().unwrap_or_default());
        check_answer(question, &raw);
        let follow_up = follow_ups.get(&question.key).cloned().unwrap_or_default();
        match parse_follow_up_answer(&RawAnswer::from_iter(follow_up)) {
            Ok(Some(text)) => {
                assert!(!text.trim().is_empty());
                assert!(text.chars().count() <= FOLLOW_UP_MAX_CHARS as usize);
            }
            Ok(None) => {}
            Err(e) => {
                let _ = e.ui_text().text(locale);
            }
        }
        // The answer page pre-selects `?score=N` only when the scale accepts it.
        if let Some(raw) = &score {
            if question.kind.score_range().is_some() {
                let _ = question.parse_answer(&RawAnswer::one(raw.as_str()));
            }
        }
    }
});

/// Checks one answer and what a successful parse promises.
fn check_answer(question: &Question, raw: &RawAnswer) {
    match question.parse_answer(raw) {
        Ok(None) => assert!(!question.required, "a required question was skipped"),
        Ok(Some(AnswerValue::Score(score))) => {
            let (min, max) = question.kind.score_range().expect("a scale");
            assert!((min..=max).contains(&score));
        }
        Ok(Some(AnswerValue::Choice(key))) => {
            assert!(question.kind.options().iter().any(|o| o.key == key));
        }
        Ok(Some(AnswerValue::Choices(keys))) => {
            let options = question.kind.options();
            assert!(!keys.is_empty());
            assert!(keys.iter().all(|k| options.iter().any(|o| &o.key == k)));
            if let QuestionKind::MultipleChoice {
                max_selected: Some(max),
                ..
            } = question.kind
            {
                assert!(keys.len() <= usize::from(max));
            }
        }
        Ok(Some(AnswerValue::Text(text))) => {
            assert!(!text.trim().is_empty());
            assert!(text.chars().count() <= FREE_TEXT_MAX_CHARS as usize);
            assert!(!text.contains(['\0', '\r']));
        }
        Err(AnswerError::Required) => assert!(question.required),
        Err(e) => {
            let _ = e.ui_text().text(Locale::De);
            let _ = e.to_string();
        }
    }
}

/// The survey the first line names, with its extra questions; None if it names none.
fn survey(head: &str) -> Option<SurveyDefinition> {
    let mut words = head.split_whitespace();
    let mut definition = match words.next()? {
        "ces5" => ces_template(CesScale::Five),
        name => template(SurveyKind::parse(name)?),
    };
    for (i, word) in words.take(8).enumerate() {
        let mut parts = word.split(':');
        let kind = parts.next()?;
        let mut number = || parts.next().and_then(|n| n.parse::<u32>().ok());
        let options = |n: u32| -> Vec<ChoiceOption> {
            (0..n.min(30))
                .map(|j| ChoiceOption::new(format!("o{j}"), LocalizedText::new("o", "o")))
                .collect()
        };
        let kind = match kind {
            "rating" => QuestionKind::Rating {
                min: u8::try_from(number()?).ok()?,
                max: u8::try_from(number()?).ok()?,
            },
            "single" => QuestionKind::SingleChoice {
                options: options(number()?),
            },
            "multi" => QuestionKind::MultipleChoice {
                options: options(number()?),
                max_selected: number().and_then(|n| u8::try_from(n).ok()),
            },
            "text" => QuestionKind::FreeText {
                max_chars: number()?,
            },
            _ => return None,
        };
        let mut question = Question::new(format!("x{i}"), kind, LocalizedText::new("?", "?"));
        // Alternate: required, optional.
        question.required = i % 2 == 0;
        definition.questions.push(question);
    }
    Some(definition)
}
