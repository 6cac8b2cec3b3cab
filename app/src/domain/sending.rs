//! The rules of sending surveys by email: what a send may ask for, how a server's reply is
//! read, how long a retry waits, and the fixed texts of the emails and the unsubscribe
//! page in both languages.

use super::locale::Locale;
use std::collections::BTreeMap;

/// Nobody gets an invitation within this many days of an earlier one, unless a survey
/// kind has its own rule.
pub const DEFAULT_MIN_DAYS: u32 = 30;
/// Attempts at one message before it counts as failed.
pub const MAX_ATTEMPTS: i64 = 8;
/// Failures in a row that pause a send: a wrong password or a blocked server fails every
/// message, and retrying thousands of them helps nobody.
pub const FAILURE_RUN_LIMIT: i64 = 10;
/// Longest wait between two attempts: an hour.
const MAX_RETRY_DELAY_MS: u64 = 3_600_000;

/// What a reply to one message means for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplyClass {
    /// Try again later: 4xx, a timeout, a dropped connection.
    Temporary,
    /// The receiving side refused this address for good (550 user unknown…): the
    /// contact is bounced and never sent to again.
    RecipientRefused,
    /// A permanent refusal that is not about the recipient (authentication, our sender
    /// address, policy): the message waits, the send's failure run grows.
    ServerRefused,
}

/// Reads an SMTP reply code (none: no reply at all, e.g. a timeout).
pub fn classify_reply(code: Option<u16>) -> ReplyClass {
    match code {
        // RFC 5321: 550/551/553 are about the mailbox, 552 its storage; 554 after RCPT is
        // "no valid recipients" on many servers but also a policy refusal of the sender
        // elsewhere, so it is not taken as the recipient's fault.
        Some(550..=553) => ReplyClass::RecipientRefused,
        Some(500..=599) => ReplyClass::ServerRefused,
        _ => ReplyClass::Temporary,
    }
}

/// Why a message claimed for attempt `attempts` is given up without sending, if it is:
/// past [`MAX_ATTEMPTS`] a claim can only come from leases that ran out, so the process
/// sending it stopped every time (it may even be what stops it), and it must not go on
/// being retried forever.
pub fn stalled(attempts: i64) -> Option<String> {
    (attempts > MAX_ATTEMPTS).then(|| {
        format!(
            "Given up after {MAX_ATTEMPTS} attempts: each time, the process sending it \
             stopped before the SMTP server answered."
        )
    })
}

/// How many messages one claim may take: 16 per connection, and no more than the
/// process's throttle (`per_minute`) lets out in half the lease. A batch that outlived
/// its lease would be claimed and sent again by another process; a slow SMTP server is
/// met by renewing the lease instead, as the time it takes is not known in advance.
pub fn claim_size(connections: u32, per_minute: Option<u32>, lease_secs: u64) -> i64 {
    let by_connections = u64::from(connections.max(1)) * 16;
    let by_throttle = per_minute.map_or(u64::MAX, |n| u64::from(n) * (lease_secs / 2) / 60);
    i64::try_from(by_connections.min(by_throttle).max(1)).unwrap_or(1)
}

/// How outcomes recorded together move a send's run of failures in a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunChange {
    /// No delivery succeeded: the run grows by this many failures.
    Extend(i64),
    /// A delivery succeeded: the run starts again from the failures after the last one.
    Restart(i64),
}

/// Each send's [`RunChange`] for outcomes `(send, failed)` in the order they happened, by
/// send id (the order in which a writer should touch the sends' rows).
pub fn run_changes(outcomes: impl IntoIterator<Item = (i64, bool)>) -> BTreeMap<i64, RunChange> {
    let mut changes = BTreeMap::new();
    for (send, failed) in outcomes {
        let change = changes.entry(send).or_insert(RunChange::Extend(0));
        *change = match (*change, failed) {
            (_, false) => RunChange::Restart(0),
            (RunChange::Extend(n), true) => RunChange::Extend(n + 1),
            (RunChange::Restart(n), true) => RunChange::Restart(n + 1),
        };
    }
    changes
}

/// Milliseconds to wait before attempt `attempts + 1`: `base`, then doubling, capped at
/// an hour.
pub fn retry_delay_ms(attempts: i64, base_ms: u64) -> u64 {
    let doublings = u32::try_from(attempts.saturating_sub(1).clamp(0, 20)).unwrap_or(20);
    base_ms
        .saturating_mul(1u64 << doublings)
        .min(MAX_RETRY_DELAY_MS.max(base_ms))
}

/// Reminder days: at most 5, each 1–90 days after the start, in increasing order.
pub fn check_reminders(days: &[u32]) -> Result<(), String> {
    if days.len() > 5 {
        return Err("At most 5 reminders.".into());
    }
    if let Some(day) = days.iter().find(|d| !(1..=90).contains(*d)) {
        return Err(format!(
            "A reminder goes 1 to 90 days after the start, not {day}."
        ));
    }
    if days.windows(2).any(|w| w[0] >= w[1]) {
        return Err("List the reminder days in increasing order, e.g. 3, 7.".into());
    }
    Ok(())
}

/// Reads "3, 7" (the admin form) as reminder days.
pub fn parse_reminders(raw: &str) -> Result<Vec<u32>, String> {
    let days = raw
        .split([',', ';', ' '])
        .filter(|part| !part.trim().is_empty())
        .map(|part| {
            part.trim()
                .parse::<u32>()
                .map_err(|_| format!("\"{}\" is not a number of days.", part.trim()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    check_reminders(&days)?;
    Ok(days)
}

/// A throttle of 1 to 100 000 messages a minute.
pub fn check_per_minute(per_minute: Option<u32>) -> Result<(), String> {
    match per_minute {
        Some(0) => Err("A throttle of 0 would never send: leave it empty for no limit.".into()),
        Some(n) if n > 100_000 => Err("At most 100 000 messages a minute.".into()),
        _ => Ok(()),
    }
}

/// Milliseconds between two messages of a throttled send.
pub fn spacing_ms(per_minute: Option<u32>) -> i64 {
    per_minute.map_or(0, |n| 60_000 / i64::from(n.max(1)))
}

/// The fixed texts of survey emails and of the unsubscribe page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MailText {
    Greeting,
    /// Prefix of a reminder's subject.
    ReminderSubject,
    ReminderIntro,
    /// Above the score buttons.
    TapAScore,
    OpenSurvey,
    /// Footer: why the email came.
    WhyYouGetThis,
    Unsubscribe,
    UnsubscribeTitle,
    UnsubscribeQuestion,
    UnsubscribeButton,
    Unsubscribed,
    ThankYouSubject,
    /// Footer of a case reply: why a person writes.
    CaseReplyWhy,
}

impl MailText {
    pub fn text(self, locale: Locale) -> &'static str {
        let (en, de) = match self {
            MailText::Greeting => ("Hello", "Guten Tag"),
            MailText::ReminderSubject => ("Reminder", "Erinnerung"),
            MailText::ReminderIntro => (
                "We have not heard from you yet. It takes a minute, and every answer counts.",
                "Wir haben noch nichts von Ihnen gehört. Es dauert eine Minute, und jede Antwort zählt.",
            ),
            MailText::TapAScore => ("Tap a score to answer:", "Tippen Sie auf eine Bewertung:"),
            MailText::OpenSurvey => ("Open the survey", "Zur Umfrage"),
            MailText::WhyYouGetThis => (
                "You receive this email because you are in contact with",
                "Sie erhalten diese E-Mail, weil Sie in Kontakt stehen mit",
            ),
            MailText::Unsubscribe => ("Unsubscribe", "Abmelden"),
            MailText::UnsubscribeTitle => ("Unsubscribe", "Abmelden"),
            MailText::UnsubscribeQuestion => (
                "Do you want to stop receiving surveys at",
                "Möchten Sie keine Umfragen mehr erhalten an",
            ),
            MailText::UnsubscribeButton => ("Unsubscribe", "Abmelden"),
            MailText::Unsubscribed => (
                "You are unsubscribed. You will not receive any more surveys from us.",
                "Sie sind abgemeldet. Sie erhalten keine Umfragen mehr von uns.",
            ),
            MailText::ThankYouSubject => ("Thank you for your answer", "Danke für Ihre Antwort"),
            MailText::CaseReplyWhy => (
                "This is a personal reply to your answer to our survey. Reply to this email to write back.",
                "Dies ist eine persönliche Antwort auf Ihre Rückmeldung zu unserer Umfrage. Antworten Sie einfach auf diese E-Mail.",
            ),
        };
        match locale {
            Locale::En => en,
            Locale::De => de,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_success_restarts_a_sends_failure_run_and_later_failures_count_from_there() {
        let changes = run_changes([
            (7, true),
            (7, false),
            (7, true),
            (3, true),
            (3, true),
            (9, false),
        ]);
        assert_eq!(changes[&7], RunChange::Restart(1));
        assert_eq!(changes[&3], RunChange::Extend(2));
        assert_eq!(changes[&9], RunChange::Restart(0));
        assert_eq!(changes.keys().copied().collect::<Vec<_>>(), vec![3, 7, 9]);
    }

    #[test]
    fn a_claim_takes_no_more_than_the_throttle_lets_out_in_half_the_lease() {
        // No throttle: 16 messages per connection.
        assert_eq!(claim_size(4, None, 300), 64);
        // 10 a minute with a 5-minute lease: 25 fit in half of it.
        assert_eq!(claim_size(4, Some(10), 300), 25);
        assert_eq!(claim_size(8, Some(1000), 300), 128);
        // A lease too short for even one message still lets one go.
        assert_eq!(claim_size(1, Some(1), 10), 1);
    }

    #[test]
    fn only_mailbox_refusals_bounce_a_contact() {
        assert_eq!(classify_reply(Some(550)), ReplyClass::RecipientRefused);
        assert_eq!(classify_reply(Some(553)), ReplyClass::RecipientRefused);
        // A wrong password must not suppress every contact of the send.
        assert_eq!(classify_reply(Some(535)), ReplyClass::ServerRefused);
        assert_eq!(classify_reply(Some(554)), ReplyClass::ServerRefused);
        assert_eq!(classify_reply(Some(451)), ReplyClass::Temporary);
        assert_eq!(classify_reply(None), ReplyClass::Temporary);
    }

    #[test]
    fn a_message_is_given_up_only_once_its_attempts_are_spent() {
        assert_eq!(stalled(1), None);
        assert_eq!(
            stalled(MAX_ATTEMPTS),
            None,
            "the last attempt is still made"
        );
        let why = stalled(MAX_ATTEMPTS + 1).expect("given up");
        assert!(why.starts_with("Given up after 8 attempts"), "{why}");
    }

    #[test]
    fn retries_wait_twice_as_long_each_time_up_to_an_hour() {
        assert_eq!(retry_delay_ms(1, 60_000), 60_000);
        assert_eq!(retry_delay_ms(2, 60_000), 120_000);
        assert_eq!(retry_delay_ms(4, 60_000), 480_000);
        assert_eq!(retry_delay_ms(12, 60_000), 3_600_000);
        assert_eq!(retry_delay_ms(400, 60_000), 3_600_000);
    }

    #[test]
    fn reminder_days_are_read_from_the_form_and_checked() {
        assert_eq!(parse_reminders("3, 7"), Ok(vec![3, 7]));
        assert_eq!(parse_reminders(""), Ok(vec![]));
        assert!(parse_reminders("7, 3").unwrap_err().contains("increasing"));
        assert!(parse_reminders("0").unwrap_err().contains("not 0"));
        assert!(parse_reminders("three").unwrap_err().contains("\"three\""));
        assert!(parse_reminders("1,2,3,4,5,6").is_err());
    }

    #[test]
    fn a_throttle_spaces_messages_evenly() {
        assert_eq!(spacing_ms(None), 0);
        assert_eq!(spacing_ms(Some(60)), 1000);
        assert_eq!(spacing_ms(Some(120_000)), 0);
        assert!(check_per_minute(Some(0)).is_err());
        assert!(check_per_minute(Some(600)).is_ok());
    }

    #[test]
    fn every_mail_text_exists_in_both_languages() {
        for text in [
            MailText::Greeting,
            MailText::Unsubscribed,
            MailText::TapAScore,
        ] {
            assert_ne!(text.text(Locale::En), text.text(Locale::De));
        }
    }
}
