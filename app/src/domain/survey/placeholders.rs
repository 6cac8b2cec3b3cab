//! `{name}` placeholders in survey and email texts, filled per recipient.

use std::collections::BTreeMap;

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
    use proptest::prelude::*;

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

    proptest! {
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
