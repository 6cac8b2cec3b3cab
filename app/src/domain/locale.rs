//! The languages a respondent can answer in, how the page picks one, and text
//! that an author writes once per language.
//!
//! Resonance speaks English and German. Every respondent-facing text exists
//! in both, and a missing translation falls back to the other language rather
//! than showing an empty heading or button.

use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Locale {
    En,
    De,
}

impl Locale {
    pub const ALL: [Locale; 2] = [Locale::En, Locale::De];

    /// The primary language subtag: "en" or "de".
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::En => "en",
            Locale::De => "de",
        }
    }

    /// The language's name in itself, for a language switcher.
    pub fn name(self) -> &'static str {
        match self {
            Locale::En => "English",
            Locale::De => "Deutsch",
        }
    }

    /// Reads a language tag such as "en", "DE", "de-DE", "en_GB" or
    /// "de-CH-1996": only the primary subtag decides, case-insensitively.
    ///
    /// The region is ignored because the texts are written once per language,
    /// not per country. Further subtags must look like subtags (1–8 letters or
    /// digits), so "de-" or "en--x" are not mistaken for a language.
    pub fn parse(tag: &str) -> Option<Locale> {
        let mut subtags = tag.trim().split(['-', '_']);
        let primary = subtags.next()?;
        let locale = Locale::ALL
            .into_iter()
            .find(|locale| primary.eq_ignore_ascii_case(locale.as_str()))?;
        subtags
            .all(|subtag| {
                (1..=8).contains(&subtag.len()) && subtag.bytes().all(|b| b.is_ascii_alphanumeric())
            })
            .then_some(locale)
    }

    /// The supported language the browser prefers most, from an
    /// `Accept-Language` header such as "fr;q=1, de;q=0.8, en;q=0.5".
    ///
    /// Entries with q=0 ("not acceptable"), a malformed q or an unsupported
    /// language are skipped; equal weights keep the header's order. The
    /// wildcard `*` names no language and is skipped too: the caller's next
    /// source (the survey's default) already covers "anything will do".
    pub fn from_accept_language(header: &str) -> Option<Locale> {
        let mut best: Option<(u16, Locale)> = None;
        for entry in header.split(',') {
            let mut parts = entry.split(';');
            let Some(locale) = parts.next().and_then(Locale::parse) else {
                continue;
            };
            let mut weight = Some(1000);
            for parameter in parts {
                if let Some((name, value)) = parameter.split_once('=') {
                    if name.trim().eq_ignore_ascii_case("q") {
                        weight = parse_weight(value.trim());
                        break;
                    }
                }
            }
            let Some(weight) = weight else {
                continue;
            };
            if weight > 0 && best.is_none_or(|(best_weight, _)| weight > best_weight) {
                best = Some((weight, locale));
            }
        }
        best.map(|(_, locale)| locale)
    }

    /// Picks the language of a survey page.
    ///
    /// In order: an explicit `?lang=` (the respondent chose it), the
    /// contact's stored locale (the sender knows the person), the browser's
    /// `Accept-Language`, and finally the survey's default. A source that is
    /// missing or names an unsupported language passes to the next one.
    pub fn negotiate(
        query: Option<&str>,
        contact: Option<&str>,
        accept_language: Option<&str>,
        survey_default: Locale,
    ) -> Locale {
        query
            .and_then(Locale::parse)
            .or_else(|| contact.and_then(Locale::parse))
            .or_else(|| accept_language.and_then(Locale::from_accept_language))
            .unwrap_or(survey_default)
    }
}

/// An HTTP quality value in thousandths: "1", "0.8", "0.125" (RFC 9110 allows
/// at most three decimals and nothing above 1).
fn parse_weight(value: &str) -> Option<u16> {
    let (whole, fraction) = value.split_once('.').unwrap_or((value, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let thousandths = fraction
        .bytes()
        .zip([100_u16, 10, 1])
        .map(|(digit, place)| u16::from(digit - b'0') * place)
        .sum::<u16>();
    match whole {
        "0" => Some(thousandths),
        "1" if thousandths == 0 => Some(1000),
        _ => None,
    }
}

/// A text an author writes in each language.
///
/// Missing fields deserialise as empty, so a text written in one language
/// only is still valid data; [`LocalizedText::get`] then shows that one.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq, Hash)]
#[serde(default)]
pub struct LocalizedText {
    pub en: String,
    pub de: String,
}

impl LocalizedText {
    pub fn new(en: impl Into<String>, de: impl Into<String>) -> LocalizedText {
        LocalizedText {
            en: en.into(),
            de: de.into(),
        }
    }

    /// The text as written for `locale`, possibly empty: for editors and
    /// validation, which must see what is actually missing.
    pub fn exact(&self, locale: Locale) -> &str {
        match locale {
            Locale::En => &self.en,
            Locale::De => &self.de,
        }
    }

    /// The text to show in `locale`: when that translation is empty or only
    /// whitespace, the first other language that has one, so a respondent
    /// never faces a blank heading. Empty only if every language is blank.
    pub fn get(&self, locale: Locale) -> &str {
        let asked = self.exact(locale);
        if !asked.trim().is_empty() {
            return asked;
        }
        Locale::ALL
            .into_iter()
            .map(|other| self.exact(other))
            .find(|text| !text.trim().is_empty())
            .unwrap_or(asked)
    }

    /// Whether there is nothing to show in any language.
    pub fn is_blank(&self) -> bool {
        Locale::ALL
            .into_iter()
            .all(|locale| self.exact(locale).trim().is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn language_tags_are_read_by_their_primary_subtag_in_any_case() {
        for (tag, expected) in [
            ("en", Locale::En),
            ("de", Locale::De),
            ("DE", Locale::De),
            ("de-DE", Locale::De),
            ("de_at", Locale::De),
            ("en-GB", Locale::En),
            ("En-us", Locale::En),
            (" de-CH-1996 ", Locale::De),
        ] {
            assert_eq!(Locale::parse(tag), Some(expected), "{tag}");
        }
    }

    #[test]
    fn unsupported_or_malformed_tags_are_not_a_language() {
        for tag in [
            "", "fr", "fr-DE", "deu", "d", "english", "de-", "en--gb", "*", "de DE",
        ] {
            assert_eq!(Locale::parse(tag), None, "{tag}");
        }
    }

    #[test]
    fn locales_serialise_as_lowercase_codes() {
        assert_eq!(Locale::En.as_str(), "en");
        assert_eq!(Locale::De.as_str(), "de");
        assert_eq!(Locale::De.name(), "Deutsch");
    }

    #[test]
    fn the_query_parameter_wins_over_every_other_source() {
        let locale = Locale::negotiate(Some("de"), Some("en"), Some("en"), Locale::En);
        assert_eq!(locale, Locale::De);
    }

    #[test]
    fn the_contacts_locale_comes_before_the_browser() {
        let locale = Locale::negotiate(None, Some("de-DE"), Some("en-US,en"), Locale::En);
        assert_eq!(locale, Locale::De);
    }

    #[test]
    fn the_browser_comes_before_the_survey_default() {
        let locale = Locale::negotiate(None, None, Some("de-AT,de;q=0.9"), Locale::En);
        assert_eq!(locale, Locale::De);
    }

    #[test]
    fn without_any_source_the_survey_default_is_used() {
        assert_eq!(Locale::negotiate(None, None, None, Locale::De), Locale::De);
    }

    #[test]
    fn unknown_values_pass_to_the_next_source() {
        let locale = Locale::negotiate(Some("fr"), Some("xx"), Some("es, it"), Locale::De);
        assert_eq!(locale, Locale::De);
        let locale = Locale::negotiate(Some("klingon"), None, Some("en"), Locale::De);
        assert_eq!(locale, Locale::En);
    }

    #[test]
    fn accept_language_honours_q_values_over_order() {
        assert_eq!(
            Locale::from_accept_language("fr;q=1, de;q=0.8, en;q=0.5"),
            Some(Locale::De)
        );
        assert_eq!(
            Locale::from_accept_language("en;q=0.5, de;q=0.8"),
            Some(Locale::De)
        );
        assert_eq!(
            Locale::from_accept_language("en-GB;q=0.9,de;q=0.95"),
            Some(Locale::De)
        );
    }

    #[test]
    fn accept_language_without_weights_keeps_the_headers_order() {
        assert_eq!(Locale::from_accept_language("en, de"), Some(Locale::En));
        assert_eq!(
            Locale::from_accept_language("de;q=0.7, en;q=0.7"),
            Some(Locale::De)
        );
    }

    #[test]
    fn accept_language_skips_refused_wildcard_and_malformed_entries() {
        assert_eq!(
            Locale::from_accept_language("de;q=0, en;q=0.1"),
            Some(Locale::En)
        );
        assert_eq!(
            Locale::from_accept_language("*, en;q=0.2"),
            Some(Locale::En)
        );
        for header in [
            "",
            "*",
            "fr",
            "de;q=2",
            "de;q=0.0001",
            "de;q=abc",
            "de;q=.5",
            ",;,",
        ] {
            assert_eq!(Locale::from_accept_language(header), None, "{header}");
        }
    }

    #[test]
    fn accept_language_tolerates_spaces_other_parameters_and_upper_case_q() {
        assert_eq!(
            Locale::from_accept_language(" fr ; Q=0.9 , de ; level=1 ; q=0.95 "),
            Some(Locale::De)
        );
    }

    #[test]
    fn quality_values_are_read_in_thousandths() {
        assert_eq!(parse_weight("1"), Some(1000));
        assert_eq!(parse_weight("1.000"), Some(1000));
        assert_eq!(parse_weight("0.8"), Some(800));
        assert_eq!(parse_weight("0.125"), Some(125));
        assert_eq!(parse_weight("0"), Some(0));
        assert_eq!(parse_weight("1.5"), None);
        assert_eq!(parse_weight("-0.5"), None);
    }

    #[test]
    fn a_missing_translation_falls_back_to_the_other_language() {
        let only_english = LocalizedText::new("Hello", "");
        assert_eq!(only_english.get(Locale::De), "Hello");
        let only_german = LocalizedText::new("  ", "Hallo");
        assert_eq!(only_german.get(Locale::En), "Hallo");
        let both = LocalizedText::new("Hello", "Hallo");
        assert_eq!(both.get(Locale::En), "Hello");
        assert_eq!(both.get(Locale::De), "Hallo");
    }

    #[test]
    fn a_text_is_blank_only_when_every_language_is() {
        assert!(LocalizedText::default().is_blank());
        assert!(LocalizedText::new(" ", "\n").is_blank());
        assert!(!LocalizedText::new("", "Hallo").is_blank());
        assert_eq!(LocalizedText::default().get(Locale::De), "");
    }

    proptest! {
        #[test]
        fn negotiation_always_settles_on_a_supported_locale(
            query in proptest::option::of(".{0,12}"),
            contact in proptest::option::of(".{0,12}"),
            header in proptest::option::of(".{0,40}"),
        ) {
            let locale = Locale::negotiate(query.as_deref(), contact.as_deref(), header.as_deref(), Locale::En);
            prop_assert!(Locale::ALL.contains(&locale));
        }
    }
}
