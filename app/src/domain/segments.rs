//! Segments: saved filters over contact attributes ("team = Sales and tier = A") that
//! name an audience. Conditions are exact matches, all of which must hold.

use super::contacts::attribute_key;
use serde::{Deserialize, Serialize};

pub const NAME_MAX_CHARS: usize = 100;
pub const MAX_CONDITIONS: usize = 10;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentFilter {
    pub conditions: Vec<Condition>,
}

/// The contact's attribute `attribute` is exactly `value`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Condition {
    pub attribute: String,
    pub value: String,
}

impl SegmentFilter {
    /// Reads conditions written one per line as `attribute = value` (how the admin area
    /// takes them); blank lines are skipped. The error names the line.
    pub fn parse_lines(text: &str) -> Result<SegmentFilter, String> {
        let mut conditions = Vec::new();
        for (i, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            let (attribute, value) = line.split_once('=').ok_or_else(|| {
                format!("Line {}: write a condition as attribute = value.", i + 1)
            })?;
            conditions.push(Condition {
                attribute: attribute.trim().to_owned(),
                value: value.trim().to_owned(),
            });
        }
        let filter = SegmentFilter { conditions };
        filter.check()?;
        Ok(filter)
    }

    /// Attribute names as imports make them, values not empty, a sane number of them.
    pub fn check(&self) -> Result<(), String> {
        if self.conditions.len() > MAX_CONDITIONS {
            return Err(format!("Use at most {MAX_CONDITIONS} conditions."));
        }
        for c in &self.conditions {
            if attribute_key(&c.attribute).as_deref() != Some(c.attribute.as_str()) {
                return Err(format!(
                    "\"{}\" is not an attribute name: use lower-case letters, digits and '_'.",
                    c.attribute
                ));
            }
            if c.value.trim().is_empty() {
                return Err(format!("Give a value for \"{}\".", c.attribute));
            }
        }
        Ok(())
    }

    /// `team = Sales and tier = A`; "every contact" without conditions.
    pub fn describe(&self) -> String {
        if self.conditions.is_empty() {
            return "every contact".to_owned();
        }
        self.conditions
            .iter()
            .map(|c| format!("{} = {}", c.attribute, c.value))
            .collect::<Vec<_>>()
            .join(" and ")
    }
}

/// A segment's name: trimmed, not empty, not too long.
pub fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("Give the segment a name.".into());
    }
    if name.chars().count() > NAME_MAX_CHARS {
        return Err(format!("Use at most {NAME_MAX_CHARS} characters."));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_are_read_one_per_line() {
        let filter = SegmentFilter::parse_lines("team = Sales\n\n tier=A \n").unwrap();
        assert_eq!(filter.describe(), "team = Sales and tier = A");
        assert_eq!(filter.conditions[1].value, "A");
        assert_eq!(SegmentFilter::default().describe(), "every contact");
    }

    #[test]
    fn a_bad_condition_names_its_line_or_attribute() {
        assert!(SegmentFilter::parse_lines("team = Sales\nplan")
            .unwrap_err()
            .contains("Line 2"));
        assert!(SegmentFilter::parse_lines("Team Name = x")
            .unwrap_err()
            .contains("not an attribute name"));
        assert!(SegmentFilter::parse_lines("team =  ")
            .unwrap_err()
            .contains("Give a value"));
        let many = "team = x\n".repeat(MAX_CONDITIONS + 1);
        assert!(SegmentFilter::parse_lines(&many)
            .unwrap_err()
            .contains("at most"));
    }

    #[test]
    fn a_name_is_needed_and_trimmed() {
        assert_eq!(check_name("  Sales A  ").unwrap(), "Sales A");
        assert!(check_name(" ").is_err());
        assert!(check_name(&"x".repeat(NAME_MAX_CHARS + 1)).is_err());
    }
}
