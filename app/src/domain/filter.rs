//! What a dashboard is narrowed to (a send, values of the survey's grouping attributes)
//! and the segments every answer is counted in, so that each such view is a sum of
//! counts kept current as answers arrive, never a scan of the answers.
//!
//! A segment is named by its conditions in key order: `""` is everyone,
//! `team=Sales` one condition, `team=Sales\u{1f}tier=A` two. Identified surveys count
//! answers in every single condition and every pair (their send included), so any view
//! with at most two conditions is one range of counts; a view with three or more (at most
//! every grouping attribute and the send) is read from the survey's answers in its range,
//! a scan that costs what those answers cost. Anonymous surveys count only single
//! attributes: withholding small groups stays consistent along one attribute at a time,
//! but with two crossed attributes (or waves crossed with months) the shown cells of one
//! view and another could be subtracted to reach a handful of people.

use std::collections::BTreeMap;

/// The condition key a send is filtered by: not a possible attribute name.
pub const SEND: &str = "@send";
/// Between the conditions of a segment.
pub const SEPARATOR: char = '\u{1f}';
/// The most conditions answers are counted in: a view with more is read from the answers.
pub const COUNTED_CONDITIONS: usize = 2;
/// The most conditions a view can combine: every grouping attribute a survey may have
/// ([`crate::domain::survey::MAX_GROUPING_ATTRIBUTES`]) and the send.
pub const MAX_CONDITIONS: usize = 5;

/// The segment of `conditions` (attribute, value), in key order.
pub fn segment<'a>(conditions: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut conditions: Vec<_> = conditions.into_iter().collect();
    conditions.sort();
    conditions
        .iter()
        .map(|(key, value)| format!("{key}={value}"))
        .collect::<Vec<_>>()
        .join(&SEPARATOR.to_string())
}

/// The conditions (attribute, value) a segment names, in key order; none for everyone.
pub fn conditions_of(segment: &str) -> Vec<(&str, &str)> {
    segment
        .split(SEPARATOR)
        .filter_map(|c| c.split_once('='))
        .collect()
}

/// The attribute and value of a one-condition segment.
pub fn condition(segment: &str) -> Option<(&str, &str)> {
    if segment.contains(SEPARATOR) {
        return None;
    }
    segment.split_once('=')
}

/// Every segment an answer is counted in besides everyone's (`""`, which storage always
/// adds): each of its conditions and, for an identified survey, each pair of them. `groups` are the response's grouping
/// attributes; `send` the send whose invitation it answers (ignored when anonymous).
pub fn answer_segments(
    groups: &BTreeMap<String, String>,
    send: Option<i64>,
    anonymous: bool,
) -> Vec<String> {
    let send = send.filter(|_| !anonymous).map(|id| id.to_string());
    let mut conditions: Vec<(&str, &str)> = groups
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    if let Some(id) = &send {
        conditions.push((SEND, id));
    }
    conditions.sort();
    let mut segments: Vec<String> = conditions.iter().map(|&c| segment([c])).collect();
    if !anonymous {
        for (i, &first) in conditions.iter().enumerate() {
            for &second in &conditions[i + 1..] {
                segments.push(segment([first, second]));
            }
        }
    }
    segments
}

/// A dashboard's filter: at most [`MAX_CONDITIONS`] conditions, one per key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filter {
    conditions: Vec<(String, String)>,
}

/// Why a filter cannot be shown: the query field and a message for the person.
pub type FilterError = (&'static str, String);

/// Why a filter cannot be narrowed to a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Narrowing {
    /// It asks for values of a scope's attribute that the scope does not hold.
    Outside,
    /// Narrowed, it would not be a view the survey can show.
    Refused(FilterError),
}

impl Filter {
    /// Reads a filter from the page's or the API's parameters: `send` (a send's id, or
    /// empty) and `conditions` as `attribute:value`, each attribute one the survey groups
    /// by. An anonymous survey takes one attribute and no send (see the module's note).
    pub fn parse(
        send: &str,
        conditions: &[String],
        grouping: &[String],
        anonymous: bool,
    ) -> Result<Filter, FilterError> {
        let mut filter = Filter::default();
        if !send.is_empty() {
            if anonymous {
                return Err((
                    "send",
                    "An anonymous survey is not filtered by send: crossed with its months, \
                     a wave could single people out."
                        .to_owned(),
                ));
            }
            let id: i64 = send
                .parse()
                .map_err(|_| ("send", "The send must be given by its number.".to_owned()))?;
            filter.conditions.push((SEND.to_owned(), id.to_string()));
        }
        for text in conditions.iter().filter(|t| !t.is_empty()) {
            let Some((attribute, value)) = text.split_once(':') else {
                return Err((
                    "filter",
                    format!("Write a filter as attribute:value, not \"{text}\"."),
                ));
            };
            if !grouping.iter().any(|g| g == attribute) {
                return Err((
                    "filter",
                    format!("This survey's results are not grouped by \"{attribute}\"."),
                ));
            }
            if filter.conditions.iter().any(|(k, _)| k == attribute) {
                return Err(("filter", format!("Choose one value of \"{attribute}\".")));
            }
            filter
                .conditions
                .push((attribute.to_owned(), value.to_owned()));
        }
        let most = if anonymous { 1 } else { MAX_CONDITIONS };
        if filter.conditions.len() > most {
            return Err(if anonymous {
                (
                    "filter",
                    "An anonymous survey is filtered by one attribute at a time: crossed \
                     attributes could single people out."
                        .to_owned(),
                )
            } else {
                (
                    "filter",
                    format!("Combine at most {MAX_CONDITIONS} filters, the send included."),
                )
            });
        }
        filter.conditions.sort();
        Ok(filter)
    }

    pub fn is_empty(&self) -> bool {
        self.conditions.is_empty()
    }

    /// The conditions, in key order.
    pub fn conditions(&self) -> &[(String, String)] {
        &self.conditions
    }

    /// The segment whose counts this view reads.
    pub fn segment(&self) -> String {
        segment(
            self.conditions
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
    }

    /// Whether answers are counted in this filter's segment; if not, it is read from the
    /// answers.
    pub fn counted(&self) -> bool {
        self.conditions.len() <= COUNTED_CONDITIONS
    }

    /// This filter narrowed by one more condition (a breakdown's row); `None` when the
    /// key is already filtered or the view would combine too many conditions.
    pub fn with(&self, key: &str, value: &str) -> Option<Filter> {
        if self.conditions.len() >= MAX_CONDITIONS || self.conditions.iter().any(|(k, _)| k == key)
        {
            return None;
        }
        let mut conditions = self.conditions.clone();
        conditions.push((key.to_owned(), value.to_owned()));
        conditions.sort();
        Some(Filter { conditions })
    }

    /// This filter narrowed to one of a manager's scope conditions (see
    /// [`crate::domain::access`]): kept when it names one already, else narrowed to the
    /// first. A value of a scope attribute outside the scope is [`Narrowing::Outside`].
    pub fn within(&self, scope: &[(String, String)], anonymous: bool) -> Result<Filter, Narrowing> {
        let in_scope = |k: &str, v: &str| scope.iter().any(|(a, w)| a == k && w == v);
        if self.conditions.iter().any(|(k, v)| in_scope(k, v)) {
            return Ok(self.clone());
        }
        if self
            .conditions
            .iter()
            .any(|(k, _)| scope.iter().any(|(a, _)| a == k))
        {
            return Err(Narrowing::Outside);
        }
        let Some((attribute, value)) = scope.first() else {
            return Err(Narrowing::Outside);
        };
        if anonymous && !self.is_empty() {
            return Err(Narrowing::Refused((
                "filter",
                format!(
                    "An anonymous survey takes one filter, and yours is {attribute}:{value}: \
                     remove the other."
                ),
            )));
        }
        self.with(attribute, value).ok_or_else(|| {
            Narrowing::Refused((
                "filter",
                "Remove a filter: this view has too many.".to_owned(),
            ))
        })
    }

    /// The send filtered by, if any.
    pub fn send(&self) -> Option<i64> {
        self.conditions
            .iter()
            .find(|(k, _)| k == SEND)
            .and_then(|(_, v)| v.parse().ok())
    }

    /// The attribute conditions as the page's parameters say them, `attribute:value`.
    pub fn attribute_params(&self) -> Vec<String> {
        self.conditions
            .iter()
            .filter(|(k, _)| k != SEND)
            .map(|(k, v)| format!("{k}:{v}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_managers_view_is_narrowed_to_their_scope_and_never_to_another_team() {
        let scope = vec![
            ("team".to_owned(), "Sales".to_owned()),
            ("team".to_owned(), "Support".to_owned()),
        ];
        let grouping = ["team".to_owned(), "region".to_owned()];
        let parse = |conditions: &[&str], anonymous| {
            let conditions: Vec<String> = conditions.iter().map(|c| c.to_string()).collect();
            Filter::parse("", &conditions, &grouping, anonymous).unwrap()
        };
        assert_eq!(
            parse(&[], false).within(&scope, false).unwrap().segment(),
            "team=Sales",
            "no filter: the first team"
        );
        assert_eq!(
            parse(&["team:Support", "region:EU"], false)
                .within(&scope, false)
                .unwrap()
                .segment(),
            format!("region=EU{SEPARATOR}team=Support")
        );
        assert_eq!(
            parse(&["region:EU"], false)
                .within(&scope, false)
                .unwrap()
                .segment(),
            format!("region=EU{SEPARATOR}team=Sales")
        );
        assert_eq!(
            parse(&["team:Ops"], false).within(&scope, false),
            Err(Narrowing::Outside)
        );
        assert!(matches!(
            parse(&["region:EU"], true).within(&scope, true),
            Err(Narrowing::Refused(("filter", _)))
        ));
    }

    fn groups(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn an_identified_answer_counts_in_everyone_each_condition_and_each_pair() {
        let segments =
            answer_segments(&groups(&[("tier", "A"), ("team", "Sales")]), Some(7), false);
        assert_eq!(
            segments,
            vec![
                "@send=7".to_owned(),
                "team=Sales".to_owned(),
                "tier=A".to_owned(),
                "@send=7\u{1f}team=Sales".to_owned(),
                "@send=7\u{1f}tier=A".to_owned(),
                "team=Sales\u{1f}tier=A".to_owned(),
            ]
        );
    }

    #[test]
    fn an_anonymous_answer_counts_in_single_attributes_and_never_in_its_send() {
        let segments = answer_segments(&groups(&[("tier", "A"), ("team", "Sales")]), Some(7), true);
        assert_eq!(segments, vec!["team=Sales", "tier=A"]);
    }

    #[test]
    fn a_filter_names_the_segment_its_answers_were_counted_in() {
        let grouping = vec!["team".to_owned(), "tier".to_owned()];
        let filter = Filter::parse("7", &["tier:A".into(), "".into()], &grouping, false).unwrap();
        assert_eq!(filter.segment(), "@send=7\u{1f}tier=A");
        let counted = answer_segments(&groups(&[("tier", "A"), ("team", "Ops")]), Some(7), false);
        assert!(counted.contains(&filter.segment()));
        assert_eq!(filter.send(), Some(7));
        assert_eq!(filter.attribute_params(), vec!["tier:A"]);
    }

    #[test]
    fn a_filter_refuses_what_is_not_counted_with_the_field_to_fix() {
        let grouping = vec!["team".to_owned(), "tier".to_owned()];
        let parse = |send: &str, conditions: &[&str], anonymous: bool| {
            let conditions: Vec<String> = conditions.iter().map(|c| c.to_string()).collect();
            Filter::parse(send, &conditions, &grouping, anonymous).map_err(|(field, _)| field)
        };
        assert_eq!(
            parse("", &["region:EU"], false),
            Err("filter"),
            "not grouped by"
        );
        assert_eq!(parse("", &["team"], false), Err("filter"), "no value");
        assert_eq!(parse("", &["team:A", "team:B"], false), Err("filter"));
        assert_eq!(parse("x", &[], false), Err("send"));
        assert!(
            parse("1", &["team:A", "tier:B"], false).is_ok(),
            "three, read from the answers"
        );
        assert_eq!(parse("1", &[], true), Err("send"), "anonymous by send");
        assert_eq!(
            parse("", &["team:A", "tier:B"], true),
            Err("filter"),
            "anonymous pair"
        );
        assert!(parse("", &["team:A"], true).is_ok());
        assert!(
            parse("", &["team:Sales: EMEA"], false).is_ok(),
            "a colon in a value"
        );
    }

    #[test]
    fn a_segment_of_any_number_of_conditions_reads_back_as_them() {
        let three = segment([("tier", "A"), (SEND, "4"), ("team", "Sales: EMEA=1")]);
        assert_eq!(
            conditions_of(&three),
            [(SEND, "4"), ("team", "Sales: EMEA=1"), ("tier", "A")]
        );
        assert!(conditions_of("").is_empty());
    }

    #[test]
    fn a_breakdown_row_adds_one_condition_of_another_key() {
        let grouping = vec!["team".to_owned(), "tier".to_owned()];
        let filter = Filter::parse("", &["tier:A".into()], &grouping, false).unwrap();
        assert_eq!(
            filter.with("team", "Ops").unwrap().segment(),
            "team=Ops\u{1f}tier=A"
        );
        assert_eq!(filter.with("tier", "B"), None, "already filtered");
        let three = filter.with("team", "Ops").unwrap().with(SEND, "1").unwrap();
        assert_eq!(three.conditions().len(), 3);
        assert!(!three.counted() && filter.counted());
        assert_eq!(condition("team=Ops"), Some(("team", "Ops")));
        assert_eq!(condition("team=Ops\u{1f}tier=A"), None);
    }
}
