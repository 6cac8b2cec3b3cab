//! Contacts: importing them from CSV (in the admin area, the API and the CLI alike),
//! listing and exporting them. These need only the store, so the CLI runs them without
//! a server.

use crate::error::AppError;
use crate::model::ContactPage;
use leptos::prelude::*;

/// Why a contact may not be sent to; the reasons the outbox records too.
pub const SUPPRESSIONS: [&str; 3] = ["unsubscribed", "bounced", "complained"];

#[cfg(feature = "ssr")]
pub use ssr::*;

#[cfg(feature = "ssr")]
mod ssr {
    use super::*;
    use crate::domain::contacts::{is_blank_row, read_rows, ColumnMapping};
    use crate::domain::export::defuse;
    use crate::model::{
        AnswerData, ContactView, Erased, ImportProblem, ImportReport, InvitationData, PersonalData,
        ResponseData,
    };
    use crate::ports::{Contact, NewContact, Services, Store};

    /// A CSV file's header and data rows, each row with the line it starts on.
    #[derive(Debug)]
    pub struct Table {
        pub headers: Vec<String>,
        pub rows: Vec<(u64, Vec<String>)>,
    }

    /// Reads CSV as spreadsheets write it: UTF-8 with or without a byte-order mark, comma
    /// or semicolon (German Excel) or tab separated, quoted fields with line breaks.
    /// Refuses an upload with nothing in it (no bytes, or only a byte-order mark and
    /// blank lines) before anything is kept: the API answers it with a 422 about the
    /// file rather than an import that failed.
    pub fn require_content(bytes: &[u8]) -> Result<(), AppError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        if bytes.iter().all(u8::is_ascii_whitespace) {
            return Err(empty_file());
        }
        Ok(())
    }

    fn empty_file() -> AppError {
        AppError::bad_input(
            "file",
            "The file is empty: its first line must name the columns.",
        )
    }

    pub fn read_csv(bytes: &[u8]) -> Result<Table, AppError> {
        let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let text = std::str::from_utf8(bytes).map_err(|e| {
            AppError::bad_input(
                "file",
                format!(
                    "The file is not UTF-8 text (byte {}). Save it as \"CSV UTF-8\".",
                    e.valid_up_to() + 1
                ),
            )
        })?;
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter(text))
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers: Vec<String> = reader
            .headers()
            .map_err(|e| unreadable(text, &e))?
            .iter()
            .map(str::to_owned)
            .collect();
        if is_blank_row(&headers) {
            return Err(empty_file());
        }
        // Lines are counted from the bytes: a quoted field may span lines, and the
        // reader's own line count does not follow them. A record's position is where
        // the previous one ended, before the line breaks (and blank lines) between them.
        let bytes = text.as_bytes();
        let mut rows = Vec::new();
        let (mut line, mut counted) = (1u64, 0usize);
        for record in reader.records() {
            let record = record.map_err(|e| unreadable(text, &e))?;
            let mut start = record
                .position()
                .map_or(counted, |p| p.byte() as usize)
                .clamp(counted, bytes.len());
            while matches!(bytes.get(start), Some(b'\r' | b'\n')) {
                start += 1;
            }
            line += newlines(&bytes[counted..start]);
            counted = start;
            rows.push((line, record.iter().map(str::to_owned).collect()));
        }
        Ok(Table { headers, rows })
    }

    /// The separator the header line uses most, outside quotes.
    fn delimiter(text: &str) -> u8 {
        let mut counts = [(b',', 0usize), (b';', 0), (b'\t', 0)];
        let mut quoted = false;
        for c in text.bytes() {
            match c {
                b'"' => quoted = !quoted,
                b'\n' | b'\r' if !quoted => break,
                _ if !quoted => {
                    if let Some(count) = counts.iter_mut().find(|(d, _)| *d == c) {
                        count.1 += 1;
                    }
                }
                _ => {}
            }
        }
        counts
            .iter()
            .max_by_key(|(_, n)| *n)
            .map_or(b',', |(d, _)| *d)
    }

    /// Line ends in `bytes`: `\n`, `\r\n`, or a lone `\r` (files from old Mac software).
    fn newlines(bytes: &[u8]) -> u64 {
        bytes
            .iter()
            .enumerate()
            .filter(|&(i, &b)| b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
            .count() as u64
    }

    fn unreadable(text: &str, e: &csv::Error) -> AppError {
        let line = e.position().map_or(0, |p| {
            1 + newlines(&text.as_bytes()[..(p.byte() as usize).min(text.len())])
        });
        AppError::bad_input("file", format!("Line {line} cannot be read as CSV: {e}."))
    }

    /// Imports a CSV file: every good row is upserted by email, every bad one reported by
    /// line. `mapping` defaults to what the header suggests.
    #[tracing::instrument(skip_all, fields(bytes = bytes.len()), err(level = "info"))]
    pub async fn import(
        store: &dyn Store,
        bytes: &[u8],
        mapping: Option<ColumnMapping>,
    ) -> Result<ImportReport, AppError> {
        let table = read_csv(bytes)?;
        let mapping = mapping.unwrap_or_else(|| ColumnMapping::suggest(&table.headers));
        mapping
            .check(table.headers.len())
            .map_err(|message| AppError::bad_input("mapping", message))?;
        let rows = table.rows(&mapping);
        let done = store.upsert_contacts(&rows.good).await?;
        Ok(ImportReport {
            rows: rows.count,
            inserted: done.inserted,
            updated: done.updated,
            problems: rows.problems,
        })
    }

    /// A table's rows read with a mapping.
    pub struct Rows {
        pub good: Vec<NewContact>,
        pub problems: Vec<ImportProblem>,
        /// Data rows, blank ones not counted.
        pub count: u64,
    }

    impl Table {
        pub fn rows(&self, mapping: &ColumnMapping) -> Rows {
            let (good, bad) = read_rows(
                mapping,
                self.headers.len(),
                self.rows
                    .iter()
                    .map(|(line, cells)| (*line, cells.as_slice())),
            );
            Rows {
                good: good
                    .into_iter()
                    .map(|(_, c)| NewContact {
                        email: c.email.as_str().to_owned(),
                        name: c.name,
                        locale: c.locale,
                        attributes: c.attributes,
                    })
                    .collect(),
                problems: bad
                    .into_iter()
                    .map(|e| ImportProblem {
                        line: e.line,
                        reason: e.reason,
                    })
                    .collect(),
                count: self.data_rows(),
            }
        }

        /// Data rows, blank ones not counted.
        pub fn data_rows(&self) -> u64 {
            self.rows
                .iter()
                .filter(|(_, cells)| !is_blank_row(cells))
                .count() as u64
        }
    }

    /// A privacy request's export: the contact, its personal links, its responses and
    /// their cases.
    // No `err`: its message may repeat what was typed (an email address), which
    // stays out of the log.
    #[tracing::instrument(skip_all)]
    pub async fn personal_data(store: &dyn Store, email: &str) -> Result<PersonalData, AppError> {
        let contact = find(store, email).await?;
        let (invitations, responses) = store.contact_history(contact.id).await?;
        let ids: Vec<(i64, i64)> = responses.iter().map(|r| (r.survey_id, r.id)).collect();
        let cases = crate::api::cases::of_responses(store, &ids).await?;
        let at = |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339();
        let mut anonymous = std::collections::BTreeMap::new();
        for i in &invitations {
            if let std::collections::btree_map::Entry::Vacant(e) = anonymous.entry(i.survey_id) {
                let survey = store.survey(i.survey_id).await?;
                e.insert(survey.is_none_or(|s| s.definition.anonymous));
            }
        }
        Ok(PersonalData {
            contact: view(contact),
            invitations: invitations
                .into_iter()
                .map(|i| InvitationData {
                    survey_id: i.survey_id,
                    created_at: at(i.created_at),
                    answered: (anonymous.get(&i.survey_id) == Some(&false)).then_some(i.answered),
                })
                .collect(),
            responses: responses
                .into_iter()
                .map(|r| ResponseData {
                    survey_id: r.survey_id,
                    version: r.version,
                    day: r.day.to_string(),
                    submitted_at: r.submitted_at.map(at),
                    answers: r
                        .answers
                        .into_iter()
                        .map(|a| AnswerData {
                            question: a.question_key,
                            value: a.value,
                            follow_up: a.follow_up,
                        })
                        .collect(),
                })
                .collect(),
            cases,
        })
    }

    /// A privacy request's erasure: the contact goes; its responses stay, de-identified
    /// and without free text, so scores do not change.
    // No `err`: its message may repeat what was typed (an email address), which
    // stays out of the log.
    #[tracing::instrument(skip_all)]
    pub async fn erase(services: &Services, email: &str) -> Result<Erased, AppError> {
        let store = services.store.as_ref();
        let contact = find(store, email).await?;
        // The keys its responses through sent links are stored under, worked out while
        // each send still allows it: an anonymous response keeps no contact, so this is
        // the only way to find it, and after erasure no one can.
        let response_keys: Vec<String> = store
            .contact_sends(contact.id)
            .await?
            .into_iter()
            .filter_map(|(send, salt)| {
                services
                    .settings
                    .invitation_token(send, contact.id, salt.as_deref())
            })
            .map(|token| services.settings.response_key(&token))
            .collect();
        let responses = store.erase_contact(contact.id, &response_keys).await?;
        Ok(Erased {
            email: contact.email,
            responses_deidentified: responses,
        })
    }

    /// Records by hand that a contact must not be sent to (e.g. asked by phone), or lifts it.
    #[tracing::instrument(skip_all, fields(contact_id = id), err(level = "info"))]
    pub async fn suppress(
        store: &dyn Store,
        id: i64,
        reason: Option<&str>,
    ) -> Result<(), AppError> {
        if reason.is_some_and(|r| !SUPPRESSIONS.contains(&r)) {
            return Err(AppError::bad_input(
                "suppressed",
                "Use unsubscribed, bounced, complained, or null to send again.",
            ));
        }
        match store.set_suppression(id, reason).await? {
            true => Ok(()),
            false => Err(AppError::not_found("There is no contact with this id.")),
        }
    }

    async fn find(store: &dyn Store, email: &str) -> Result<Contact, AppError> {
        let email = crate::domain::Email::parse(email)
            .map_err(|e| AppError::bad_input("email", e.to_string()))?;
        store
            .contact_by_email(email.as_str())
            .await?
            .ok_or_else(|| AppError::not_found("No contact has this email address."))
    }

    pub const PAGE_MAX: i64 = 500;

    #[tracing::instrument(skip_all, fields(after, limit), err(level = "info"))]
    pub async fn list(store: &dyn Store, after: i64, limit: i64) -> Result<ContactPage, AppError> {
        let limit = limit.clamp(1, PAGE_MAX);
        // One more than asked tells whether there is a next page.
        let mut contacts = store.list_contacts(after, limit + 1).await?;
        let more = contacts.len() as i64 > limit;
        contacts.truncate(limit as usize);
        let total = store.count_contacts().await?;
        let next_after = contacts.last().map(|c| c.id).filter(|_| more);
        Ok(ContactPage {
            total,
            contacts: contacts.into_iter().map(view).collect(),
            next_after,
        })
    }

    fn view(c: Contact) -> ContactView {
        ContactView {
            id: c.id,
            email: c.email,
            name: c.name,
            locale: c.locale.map(|l| l.as_str().to_owned()),
            attributes: c.attributes,
            suppressed: c.suppressed,
        }
    }

    /// Every contact as CSV: email, name, locale, status, then one column per attribute
    /// any contact has. Cells a spreadsheet would run as a formula are defused.
    #[tracing::instrument(skip_all, err(level = "info"))]
    pub async fn export_csv(store: &dyn Store) -> Result<String, AppError> {
        let mut contacts = Vec::new();
        let mut after = 0;
        loop {
            let page = store.list_contacts(after, PAGE_MAX).await?;
            let Some(last) = page.last() else { break };
            after = last.id;
            contacts.extend(page);
        }
        let keys: std::collections::BTreeSet<&str> = contacts
            .iter()
            .flat_map(|c| c.attributes.keys().map(String::as_str))
            .collect();
        let mut out = csv::Writer::from_writer(Vec::new());
        let header = ["email", "name", "locale", "suppressed"]
            .into_iter()
            .chain(keys.iter().copied());
        out.write_record(header).map_err(export_error)?;
        for c in &contacts {
            let fixed = [
                c.email.as_str(),
                c.name.as_str(),
                c.locale.map_or("", |l| l.as_str()),
                c.suppressed.as_deref().unwrap_or(""),
            ];
            let attributes = keys
                .iter()
                .map(|k| c.attributes.get(*k).map_or("", String::as_str));
            let record: Vec<String> = fixed.into_iter().chain(attributes).map(defuse).collect();
            out.write_record(&record).map_err(export_error)?;
        }
        let bytes = out.into_inner().map_err(|e| export_error(e.error()))?;
        String::from_utf8(bytes).map_err(|_| AppError::internal())
    }

    fn export_error(e: impl std::fmt::Display) -> AppError {
        tracing::error!(error = %e, "contact export failed");
        AppError::internal()
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn excel_files_with_a_bom_semicolons_and_quoted_line_breaks_are_read() {
            let file = "\u{feff}E-Mail;Name;Team\r\nana@example.com;\"Ana; the first\";Sales\r\nbob@example.com;\"Bob\nSmith\";Ops\r\n\r\ncy@example.com;Cy;\"\"\"Q\"\"\"\r\n";
            let table = read_csv(file.as_bytes()).unwrap();
            assert_eq!(table.headers, ["E-Mail", "Name", "Team"]);
            let lines: Vec<u64> = table.rows.iter().map(|(l, _)| *l).collect();
            assert_eq!(lines, vec![2, 3, 6], "a quoted line break spans two lines");
            assert_eq!(table.rows[0].1[1], "Ana; the first");
            assert_eq!(table.rows[1].1[1], "Bob\nSmith");
            assert_eq!(table.rows[2].1[2], "\"Q\"");
        }

        #[test]
        fn rows_of_a_file_with_carriage_returns_alone_are_numbered_by_their_line() {
            let table = read_csv(b"email;name\ra@example.com;A\rb@example.com;B\r").unwrap();
            let lines: Vec<u64> = table.rows.iter().map(|(l, _)| *l).collect();
            assert_eq!(lines, vec![2, 3]);
        }

        #[test]
        fn commas_and_tabs_are_recognised_from_the_header() {
            let table = read_csv(b"email,name\na@example.com,A\n").unwrap();
            assert_eq!(table.rows[0].1, ["a@example.com", "A"]);
            let table = read_csv(b"email\tname\na@example.com\tA\n").unwrap();
            assert_eq!(table.rows[0].1, ["a@example.com", "A"]);
        }

        #[test]
        fn a_file_that_is_not_utf8_or_empty_is_refused_with_what_to_do() {
            let latin1 = b"email;name\nj@example.com;J\xfcrgen\n";
            let err = read_csv(latin1).unwrap_err();
            assert!(err.message.contains("CSV UTF-8"), "{}", err.message);
            let err = read_csv(b"").unwrap_err();
            assert!(err.message.contains("empty"), "{}", err.message);
        }
    }
}

#[server(prefix = "/rpc", endpoint = "contacts")]
pub async fn load_contacts(after: Option<i64>) -> Result<ContactPage, AppError> {
    use crate::api::{auth::Action, context};
    let (services, _) = context::require(Action::ManageContacts)
        .await
        .or_else(context::fail)?;
    list(services.store.as_ref(), after.unwrap_or(0), 100)
        .await
        .or_else(context::fail)
}
