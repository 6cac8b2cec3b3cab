//! Contacts — the people surveys are sent to — and the rules for reading them from a
//! table (a CSV import): which column is which, what a valid row is, and why a row is
//! refused. The file format itself is read elsewhere; this works on cells.

use super::email::Email;
use super::export::restore;
use super::locale::Locale;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const NAME_MAX_CHARS: usize = 200;
pub const ATTRIBUTE_VALUE_MAX_CHARS: usize = 500;
pub const MAX_ATTRIBUTES: usize = 50;

/// A contact as an import or a form gives it, checked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactInput {
    pub email: Email,
    pub name: String,
    /// None: the survey's language rules decide.
    pub locale: Option<Locale>,
    /// Free attributes (team, plan, region, tier…), by key.
    pub attributes: BTreeMap<String, String>,
}

/// Which column of a table holds what.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnMapping {
    pub email: Option<usize>,
    pub name: Option<usize>,
    pub locale: Option<usize>,
    /// Further columns kept as attributes, each with its attribute key.
    pub attributes: Vec<(usize, String)>,
}

/// A row that was not imported, by its line in the file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowError {
    pub line: u64,
    pub reason: String,
}

const EMAIL_HEADERS: [&str; 6] = [
    "email",
    "e-mail",
    "mail",
    "email address",
    "e-mail-adresse",
    "emailadresse",
];
const NAME_HEADERS: [&str; 4] = ["name", "full name", "vollständiger name", "display name"];
const LOCALE_HEADERS: [&str; 5] = ["locale", "language", "lang", "sprache", "language code"];

impl ColumnMapping {
    /// The mapping a table's header suggests: known names for email, name and language
    /// (English or German, any case), every other named column as an attribute.
    pub fn suggest(headers: &[String]) -> ColumnMapping {
        let find = |names: &[&str]| {
            headers
                .iter()
                .position(|h| names.contains(&h.trim().to_lowercase().as_str()))
        };
        let email = find(&EMAIL_HEADERS);
        let name = find(&NAME_HEADERS);
        let locale = find(&LOCALE_HEADERS);
        let attributes = headers
            .iter()
            .enumerate()
            .filter(|(i, _)| ![email, name, locale].contains(&Some(*i)))
            .filter_map(|(i, h)| attribute_key(h).map(|key| (i, key)))
            .collect();
        ColumnMapping {
            email,
            name,
            locale,
            attributes,
        }
    }

    /// Problems with the mapping itself, before any row is read.
    pub fn check(&self, columns: usize) -> Result<(), String> {
        let Some(email) = self.email else {
            return Err("No column holds the email address: name one \"email\".".into());
        };
        let used = [Some(email), self.name, self.locale]
            .into_iter()
            .flatten()
            .chain(self.attributes.iter().map(|(i, _)| *i));
        if let Some(i) = used.clone().find(|i| *i >= columns) {
            return Err(format!("Column {} does not exist.", i + 1));
        }
        let mut keys: Vec<&str> = Vec::new();
        for (_, key) in &self.attributes {
            if attribute_key(key).as_deref() != Some(key.as_str()) {
                return Err(format!(
                    "\"{key}\" is not an attribute name: use lower-case letters, digits and '_'."
                ));
            }
            if keys.contains(&key.as_str()) {
                return Err(format!(
                    "Two columns are mapped to the attribute \"{key}\"."
                ));
            }
            keys.push(key);
        }
        if self.attributes.len() > MAX_ATTRIBUTES {
            return Err(format!("Import at most {MAX_ATTRIBUTES} attributes."));
        }
        Ok(())
    }

    /// What each of `columns` columns is used for, as the preview's form and the API
    /// say it: `email`, `name`, `locale`, `ignore` or `attribute:<key>`.
    pub fn choices(&self, columns: usize) -> Vec<String> {
        (0..columns)
            .map(|i| {
                if self.email == Some(i) {
                    "email".to_owned()
                } else if self.name == Some(i) {
                    "name".to_owned()
                } else if self.locale == Some(i) {
                    "locale".to_owned()
                } else if let Some((_, key)) = self.attributes.iter().find(|(c, _)| *c == i) {
                    format!("attribute:{key}")
                } else {
                    "ignore".to_owned()
                }
            })
            .collect()
    }

    /// The mapping one choice per column makes, checked. The error names the column it
    /// is about (`columns[2]`), or `columns` when it is about the whole mapping.
    pub fn from_choices(choices: &[String]) -> Result<ColumnMapping, (String, String)> {
        let mut mapping = ColumnMapping::default();
        for (i, choice) in choices.iter().enumerate() {
            let field = format!("columns[{i}]");
            let taken = |slot: Option<usize>, what: &str| match slot {
                Some(j) => Err((
                    field.clone(),
                    format!(
                        "Column {} is the {what} already: choose one column for it.",
                        j + 1
                    ),
                )),
                None => Ok(Some(i)),
            };
            match choice.trim() {
                "email" => mapping.email = taken(mapping.email, "email address")?,
                "name" => mapping.name = taken(mapping.name, "name")?,
                "locale" => mapping.locale = taken(mapping.locale, "language")?,
                "ignore" | "" => {}
                other => match other.strip_prefix("attribute:").map(str::trim) {
                    Some(key) if attribute_key(key).as_deref() == Some(key) => {
                        if mapping.attributes.iter().any(|(_, k)| k == key) {
                            return Err((field, format!("Two columns are the attribute \"{key}\".")));
                        }
                        mapping.attributes.push((i, key.to_owned()));
                    }
                    Some(key) => {
                        return Err((
                            field,
                            format!("\"{key}\" is not an attribute name: use lower-case letters, digits and '_'."),
                        ))
                    }
                    None => {
                        return Err((
                            field,
                            format!("\"{other}\" is not a use of a column: choose email, name, locale, ignore or attribute:<name>."),
                        ))
                    }
                },
            }
        }
        mapping
            .check(choices.len())
            .map_err(|message| ("columns".to_owned(), message))?;
        Ok(mapping)
    }

    /// Reads one row's cells as a contact; the error says what is wrong with it.
    pub fn contact(&self, cells: &[String]) -> Result<ContactInput, String> {
        let cell = |i: Option<usize>| {
            i.and_then(|i| cells.get(i))
                .map_or("", |c| restore(c.trim()))
        };
        let email = Email::parse(cell(self.email)).map_err(|e| e.to_string())?;
        let name = cell(self.name);
        if name.chars().count() > NAME_MAX_CHARS {
            return Err(format!(
                "The name is longer than {NAME_MAX_CHARS} characters."
            ));
        }
        let locale = match cell(self.locale) {
            "" => None,
            raw => Some(Locale::parse(raw).ok_or_else(|| {
                format!("\"{raw}\" is not a language Resonance speaks: use en or de.")
            })?),
        };
        let mut attributes = BTreeMap::new();
        for (i, key) in &self.attributes {
            let value = cell(Some(*i));
            if value.chars().count() > ATTRIBUTE_VALUE_MAX_CHARS {
                return Err(format!(
                    "The value of \"{key}\" is longer than {ATTRIBUTE_VALUE_MAX_CHARS} characters."
                ));
            }
            if !value.is_empty() {
                attributes.insert(key.clone(), value.to_owned());
            }
        }
        Ok(ContactInput {
            email,
            name: name.to_owned(),
            locale,
            attributes,
        })
    }
}

/// A column header as an attribute key: "Cost Centre" → `cost_centre`, "Größe" →
/// `groesse`; None when nothing usable is left.
pub fn attribute_key(header: &str) -> Option<String> {
    let mut key = String::new();
    for c in header.trim().to_lowercase().chars() {
        match c {
            'a'..='z' | '0'..='9' | '_' => key.push(c),
            'ä' => key.push_str("ae"),
            'ö' => key.push_str("oe"),
            'ü' => key.push_str("ue"),
            'ß' => key.push_str("ss"),
            ' ' | '-' | '.' | '/' if !key.ends_with('_') => key.push('_'),
            _ => {}
        }
    }
    let key = key.trim_matches('_');
    let key = key.trim_start_matches(|c: char| c.is_ascii_digit() || c == '_');
    (!key.is_empty() && key.len() <= 64).then(|| key.to_owned())
}

/// A row whose every cell is empty or spaces: spreadsheets leave these behind, and they
/// are neither imported nor reported nor counted.
pub fn is_blank_row(cells: &[String]) -> bool {
    cells.iter().all(|c| c.trim().is_empty())
}

/// Rows read from a table: the good ones by line, the refused ones with their reasons.
/// When one email appears on several lines, the last one wins and the earlier ones are
/// reported, so nobody is surprised by which values were kept.
pub fn read_rows<'a>(
    mapping: &ColumnMapping,
    columns: usize,
    rows: impl IntoIterator<Item = (u64, &'a [String])>,
) -> (Vec<(u64, ContactInput)>, Vec<RowError>) {
    let mut good: Vec<(u64, ContactInput)> = Vec::new();
    let mut errors = Vec::new();
    let mut at = std::collections::HashMap::<Email, usize>::new();
    for (line, cells) in rows {
        if is_blank_row(cells) {
            continue;
        }
        if cells.len() != columns {
            errors.push(RowError {
                line,
                reason: format!(
                    "The row has {} fields but the header has {columns}.",
                    cells.len()
                ),
            });
            continue;
        }
        match mapping.contact(cells) {
            Ok(contact) => match at.get(&contact.email) {
                Some(&index) => {
                    let (earlier, _) = good[index];
                    errors.push(RowError {
                        line: earlier,
                        reason: format!(
                            "{} appears again on line {line}; that row was imported instead.",
                            contact.email.as_str()
                        ),
                    });
                    good[index] = (line, contact);
                }
                None => {
                    at.insert(contact.email.clone(), good.len());
                    good.push((line, contact));
                }
            },
            Err(reason) => errors.push(RowError { line, reason }),
        }
    }
    errors.sort_by_key(|e| e.line);
    (good, errors)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::export::defuse;

    #[test]
    fn an_exported_cell_imported_back_is_the_value_it_was() {
        for value in [
            "+49 30 1234",
            "=SUM(A1)",
            "-5",
            "@home",
            "plain",
            "'quoted",
            "",
        ] {
            assert_eq!(restore(&defuse(value)), value);
        }
        assert_eq!(defuse("+49 30 1234"), "'+49 30 1234");
        assert_eq!(defuse("it's"), "it's");
        let mapping = ColumnMapping::suggest(&strings(&["email", "phone", "note"]));
        let contact = mapping
            .contact(&strings(&["ana@example.com", "'+49 30 1234", "'as typed"]))
            .expect("a good row");
        assert_eq!(contact.attributes["phone"], "+49 30 1234");
        assert_eq!(contact.attributes["note"], "'as typed");
    }

    fn strings(cells: &[&str]) -> Vec<String> {
        cells.iter().map(|c| c.to_string()).collect()
    }

    #[test]
    fn a_mapping_is_made_from_one_choice_per_column_and_back() {
        let choices = strings(&["attribute:team", "email", "ignore", "name"]);
        let mapping = ColumnMapping::from_choices(&choices).unwrap();
        assert_eq!(mapping.email, Some(1));
        assert_eq!(mapping.name, Some(3));
        assert_eq!(mapping.attributes, vec![(0, "team".to_owned())]);
        assert_eq!(mapping.choices(4), choices);
        let suggested = ColumnMapping::suggest(&strings(&["E-Mail", "Team", "Sprache"]));
        assert_eq!(
            suggested.choices(3),
            strings(&["email", "attribute:team", "locale"])
        );
    }

    #[test]
    fn a_wrong_mapping_names_its_column() {
        let refused = |c: &[&str]| ColumnMapping::from_choices(&strings(c)).unwrap_err();
        assert_eq!(refused(&["name", "attribute:team"]).0, "columns");
        assert_eq!(refused(&["email", "email"]).0, "columns[1]");
        assert_eq!(refused(&["email", "attribute:Team X"]).0, "columns[1]");
        assert_eq!(
            refused(&["email", "attribute:team", "attribute:team"]).0,
            "columns[2]"
        );
        assert_eq!(refused(&["email", "phone"]).0, "columns[1]");
    }

    #[test]
    fn english_and_german_headers_are_recognised_and_the_rest_become_attributes() {
        let headers = strings(&[
            "E-Mail",
            "Name",
            "Sprache",
            "Team",
            "Cost Centre",
            "Größe",
            "#",
        ]);
        let mapping = ColumnMapping::suggest(&headers);
        assert_eq!(mapping.email, Some(0));
        assert_eq!(mapping.name, Some(1));
        assert_eq!(mapping.locale, Some(2));
        assert_eq!(
            mapping.attributes,
            vec![
                (3, "team".to_owned()),
                (4, "cost_centre".to_owned()),
                (5, "groesse".to_owned())
            ]
        );
        assert_eq!(mapping.check(headers.len()), Ok(()));
    }

    #[test]
    fn a_mapping_without_email_or_with_clashing_keys_is_refused() {
        let no_email = ColumnMapping::suggest(&strings(&["name", "team"]));
        assert!(no_email.check(2).unwrap_err().contains("email"));
        let clash = ColumnMapping {
            email: Some(0),
            attributes: vec![(1, "team".into()), (2, "team".into())],
            ..ColumnMapping::default()
        };
        assert!(clash.check(3).unwrap_err().contains("Two columns"));
        let outside = ColumnMapping {
            email: Some(5),
            ..ColumnMapping::default()
        };
        assert!(outside.check(3).unwrap_err().contains("Column 6"));
        let bad_key = ColumnMapping {
            email: Some(0),
            attributes: vec![(1, "Team Name".into())],
            ..ColumnMapping::default()
        };
        assert!(bad_key
            .check(2)
            .unwrap_err()
            .contains("not an attribute name"));
    }

    #[test]
    fn bad_rows_are_reported_by_line_and_good_rows_kept() {
        let headers = strings(&["email", "name", "locale", "team"]);
        let mapping = ColumnMapping::suggest(&headers);
        let rows = [
            (2, strings(&["ana@example.com", "Ana", "de", "Sales"])),
            (3, strings(&["not-an-email", "Bob", "en", "Ops"])),
            (4, strings(&["cy@example.com", "Cy", "fr", ""])),
            (5, strings(&["dee@example.com", "Dee"])),
            (6, strings(&["", "", "", ""])),
            (7, strings(&["  EVE@Example.com ", "", "", ""])),
        ];
        let (good, errors) = read_rows(&mapping, 4, rows.iter().map(|(l, c)| (*l, c.as_slice())));
        let lines: Vec<u64> = good.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 7]);
        assert_eq!(good[0].1.locale, Some(Locale::De));
        assert_eq!(good[0].1.attributes["team"], "Sales");
        assert_eq!(good[1].1.email.as_str(), "eve@example.com");
        assert!(
            good[1].1.attributes.is_empty(),
            "empty cells are no attributes"
        );
        let reported: Vec<(u64, bool)> = errors
            .iter()
            .map(|e| (e.line, !e.reason.is_empty()))
            .collect();
        assert_eq!(reported, vec![(3, true), (4, true), (5, true)]);
        assert!(errors[0].reason.contains("not an email address"));
        assert!(errors[1].reason.contains("use en or de"));
        assert!(errors[2].reason.contains("2 fields but the header has 4"));
    }

    #[test]
    fn the_last_row_of_an_email_wins_and_the_earlier_one_is_reported() {
        let mapping = ColumnMapping::suggest(&strings(&["email", "team"]));
        let rows = [
            (2, strings(&["ana@example.com", "Sales"])),
            (3, strings(&["bob@example.com", "Ops"])),
            (4, strings(&["ANA@example.com", "Support"])),
        ];
        let (good, errors) = read_rows(&mapping, 2, rows.iter().map(|(l, c)| (*l, c.as_slice())));
        assert_eq!(good.len(), 2);
        assert_eq!(
            (good[0].0, good[0].1.attributes["team"].as_str()),
            (4, "Support")
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].line, 2);
        assert!(errors[0].reason.contains("again on line 4"));
    }

    #[test]
    fn headers_become_attribute_keys_only_when_something_usable_is_left() {
        assert_eq!(
            attribute_key("Region / Land").as_deref(),
            Some("region_land")
        );
        assert_eq!(attribute_key("  Tier ").as_deref(), Some("tier"));
        assert_eq!(attribute_key("2nd manager").as_deref(), Some("nd_manager"));
        assert_eq!(attribute_key("???"), None);
        assert_eq!(attribute_key(""), None);
    }

    #[test]
    fn overlong_names_and_values_are_refused_with_the_limit() {
        let mapping = ColumnMapping::suggest(&strings(&["email", "name", "note"]));
        let long = "x".repeat(NAME_MAX_CHARS + 1);
        let err = mapping
            .contact(&strings(&["a@example.com", &long, ""]))
            .unwrap_err();
        assert!(err.contains("200"));
        let long = "y".repeat(ATTRIBUTE_VALUE_MAX_CHARS + 1);
        let err = mapping
            .contact(&strings(&["a@example.com", "", &long]))
            .unwrap_err();
        assert!(err.contains("\"note\""));
    }
}
