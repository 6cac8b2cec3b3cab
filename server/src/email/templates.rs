//! What each email says, as a plain-text and an HTML part in the recipient's language.
//! The HTML is tables and inline styles only, without images, because that is what mail
//! clients render alike; the first question's scale is a row of links, one per score,
//! each opening the personal answer page with that score chosen.

use app::api::digests::DigestContent;
use app::domain::sending::MailText;
use app::domain::{fill_placeholders, Locale, LocalizedText, Question, SurveyDefinition, UiText};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The default button colour: the product's own, readable with white text.
const BRAND: &str = "#1a6b5c";

#[derive(Clone, Debug, PartialEq)]
pub struct Rendered {
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Everything an invitation or a reminder is made of.
pub struct Invitation<'a> {
    pub survey: &'a SurveyDefinition,
    pub locale: Locale,
    pub name: &'a str,
    /// `{company}` and the contact's attributes.
    pub placeholders: &'a BTreeMap<String, String>,
    /// The personal answer page, without a score.
    pub survey_url: &'a str,
    pub unsubscribe_url: &'a str,
    pub organisation: &'a str,
    pub reminder: bool,
}

pub fn invitation(m: &Invitation) -> Rendered {
    let l = m.locale;
    let fill = |t: &LocalizedText| fill_placeholders(t.get(l), m.placeholders);
    let title = fill(&m.survey.title);
    let subject = if m.reminder {
        format!("{}: {title}", MailText::ReminderSubject.text(l))
    } else {
        title.clone()
    };
    let greeting = match m.name.trim() {
        "" => format!("{},", MailText::Greeting.text(l)),
        name => format!("{} {name},", MailText::Greeting.text(l)),
    };
    let mut paragraphs = Vec::new();
    if m.reminder {
        paragraphs.push(MailText::ReminderIntro.text(l).to_owned());
    }
    let intro = fill(&m.survey.intro);
    if !intro.trim().is_empty() {
        paragraphs.push(intro);
    }
    let scale = m.survey.questions.first().and_then(|q| {
        let (min, max) = q.kind.score_range()?;
        Some((q, min, max))
    });

    let mut text = format!("{greeting}\n\n");
    let mut html = String::new();
    let _ = write!(
        html,
        "<p style=\"margin:0 0 16px\">{}</p>",
        escape(&greeting)
    );
    for p in &paragraphs {
        let _ = write!(text, "{p}\n\n");
        let _ = write!(html, "<p style=\"margin:0 0 16px\">{}</p>", escape(p));
    }
    if let Some((question, min, max)) = scale {
        let ask = fill(&question.text);
        let (low, high) = end_labels(question, min, max, l, &fill);
        let _ = write!(text, "{ask}\n{}\n", MailText::TapAScore.text(l));
        for score in min..=max {
            let _ = writeln!(text, "  {score}: {}?score={score}", m.survey_url);
        }
        let _ = write!(text, "({min} = {low}, {max} = {high})\n\n");
        let colour = m.survey.brand_color.as_deref().unwrap_or(BRAND);
        let _ = write!(
            html,
            "<p style=\"margin:0 0 12px;font-weight:bold\">{}</p>\
             <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>",
            escape(&ask)
        );
        let width = 100 / (usize::from(max - min) + 1);
        for score in min..=max {
            let _ = write!(
                html,
                "<td width=\"{width}%\" style=\"padding:2px\" align=\"center\">\
                 <a href=\"{url}?score={score}\" style=\"display:block;padding:10px 0;\
                 background:{colour};color:#ffffff;text-decoration:none;font-weight:bold;\
                 font-size:16px;border-radius:4px;text-align:center\">{score}</a></td>",
                url = escape(m.survey_url),
            );
        }
        let _ = write!(
            html,
            "</tr></table><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" \
             cellspacing=\"0\" style=\"font-size:12px;color:#4b5563\"><tr>\
             <td align=\"left\">{}</td><td align=\"right\">{}</td></tr></table>",
            escape(&low),
            escape(&high)
        );
    }
    let open = MailText::OpenSurvey.text(l);
    let _ = write!(text, "{open}: {}\n\n", m.survey_url);
    let _ = write!(
        html,
        "<p style=\"margin:20px 0 0\"><a href=\"{}\" style=\"color:#1f2937\">{}</a></p>",
        escape(m.survey_url),
        escape(open)
    );
    let why = format!("{} {}.", MailText::WhyYouGetThis.text(l), m.organisation);
    let unsubscribe = MailText::Unsubscribe.text(l);
    let _ = write!(text, "-- \n{why}\n{unsubscribe}: {}\n", m.unsubscribe_url);
    let footer = format!(
        "{} <a href=\"{}\" style=\"color:#4b5563\">{}</a>",
        escape(&why),
        escape(m.unsubscribe_url),
        escape(unsubscribe)
    );
    Rendered {
        html: page(l, &subject, &html, &footer),
        subject,
        text,
    }
}

/// A thank-you after a completed response: the survey's own thank-you text, or the
/// default one. Links made one at a time (not by a send) have no unsubscribe page.
pub fn thank_you(
    survey: &SurveyDefinition,
    locale: Locale,
    name: &str,
    placeholders: &BTreeMap<String, String>,
    unsubscribe_url: Option<&str>,
    organisation: &str,
) -> Rendered {
    let own = fill_placeholders(survey.thank_you.get(locale), placeholders);
    let body = if own.trim().is_empty() {
        UiText::ThankYouDefault.text(locale)
    } else {
        own
    };
    let subject = format!(
        "{}: {}",
        MailText::ThankYouSubject.text(locale),
        fill_placeholders(survey.title.get(locale), placeholders)
    );
    let greeting = match name.trim() {
        "" => format!("{},", MailText::Greeting.text(locale)),
        name => format!("{} {name},", MailText::Greeting.text(locale)),
    };
    let why = format!("{} {organisation}.", MailText::WhyYouGetThis.text(locale));
    let mut text = format!("{greeting}\n\n{body}\n\n-- \n{why}\n");
    let mut footer = escape(&why);
    if let Some(url) = unsubscribe_url {
        let unsubscribe = MailText::Unsubscribe.text(locale);
        let _ = writeln!(text, "{unsubscribe}: {url}");
        let _ = write!(
            footer,
            " <a href=\"{}\" style=\"color:#4b5563\">{}</a>",
            escape(url),
            escape(unsubscribe)
        );
    }
    Rendered {
        text,
        html: page(
            locale,
            &subject,
            &format!(
                "<p style=\"margin:0 0 16px\">{}</p><p style=\"margin:0\">{}</p>",
                escape(&greeting),
                escape(&body)
            ),
            &footer,
        ),
        subject,
    }
}

/// The alert a survey's owner gets when someone answers as a detractor.
pub struct Alert<'a> {
    pub survey_title: &'a str,
    pub question: &'a str,
    pub score: u8,
    pub scale_max: u8,
    /// An NPS or eNPS detractor; other scales' low scores are called that.
    pub detractor: bool,
    pub comment: Option<&'a str>,
    /// Who answered; None for anonymous surveys, whose alerts never say.
    pub respondent: Option<&'a str>,
    pub response_url: &'a str,
    /// The case the answer opened, if any: where to act on it.
    pub case_url: Option<&'a str>,
}

pub fn alert(a: &Alert) -> Rendered {
    let what = if a.detractor {
        "Detractor alert"
    } else {
        "Low score alert"
    };
    let subject = format!("{what}: {} ({}/{})", a.survey_title, a.score, a.scale_max);
    let who = a.respondent.unwrap_or("An anonymous respondent");
    let comment = a.comment.filter(|c| !c.trim().is_empty());
    let mut text = format!("{who} answered \"{}\" with {}.\n\n", a.question, a.score);
    if let Some(c) = comment {
        let _ = write!(text, "Comment: {c}\n\n");
    }
    if let Some(url) = a.case_url {
        let _ = writeln!(text, "Follow it up in its case: {url}");
    }
    let _ = writeln!(text, "See the response: {}", a.response_url);
    let mut html = format!(
        "<p style=\"margin:0 0 16px\">{} answered \"{}\" with <strong>{}</strong>.</p>",
        escape(who),
        escape(a.question),
        a.score
    );
    if let Some(c) = comment {
        let _ = write!(
            html,
            "<blockquote style=\"margin:0 0 16px;padding-left:12px;border-left:3px solid #d1d5db\">{}</blockquote>",
            escape(c)
        );
    }
    if let Some(url) = a.case_url {
        let _ = write!(
            html,
            "<p style=\"margin:0 0 8px\"><a href=\"{}\" style=\"color:#1f2937\">Follow it up in its case</a></p>",
            escape(url)
        );
    }
    let _ = write!(
        html,
        "<p style=\"margin:0\"><a href=\"{}\" style=\"color:#1f2937\">See the response</a></p>",
        escape(a.response_url)
    );
    Rendered {
        html: page(Locale::En, &subject, &html, "Resonance"),
        subject,
        text,
    }
}

/// A case owner's reply to a respondent: their words, with the greeting and the footer
/// in the respondent's language.
pub struct CaseReply<'a> {
    pub locale: Locale,
    /// The respondent's name, if known.
    pub name: &'a str,
    pub subject: &'a str,
    pub body: &'a str,
    /// Who wrote it, for the signature.
    pub from_name: &'a str,
    pub organisation: &'a str,
}

pub fn case_reply(r: &CaseReply) -> Rendered {
    let l = r.locale;
    let greeting = match r.name.trim() {
        "" => format!("{},", MailText::Greeting.text(l)),
        name => format!("{} {name},", MailText::Greeting.text(l)),
    };
    let signature = match r.from_name.trim() {
        "" => r.organisation.to_owned(),
        name => format!("{name}\n{}", r.organisation),
    };
    let why = MailText::CaseReplyWhy.text(l);
    let text = format!(
        "{greeting}\n\n{}\n\n{signature}\n\n--\n{why}\n",
        r.body.trim()
    );
    let mut html = format!("<p style=\"margin:0 0 16px\">{}</p>", escape(&greeting));
    for paragraph in r.body.trim().split("\n\n") {
        let lines: Vec<String> = paragraph.lines().map(escape).collect();
        let _ = write!(
            html,
            "<p style=\"margin:0 0 16px\">{}</p>",
            lines.join("<br>")
        );
    }
    let _ = write!(
        html,
        "<p style=\"margin:0\">{}</p>",
        signature
            .lines()
            .map(escape)
            .collect::<Vec<_>>()
            .join("<br>")
    );
    Rendered {
        html: page(l, r.subject, &html, why),
        subject: r.subject.to_owned(),
        text,
    }
}

/// A digest's fixed words, in English and German.
fn digest_text(locale: Locale, en: &'static str, de: &'static str) -> &'static str {
    match locale {
        Locale::En => en,
        Locale::De => de,
    }
}

/// A digest: per survey its headline score, change, response rate, comments and cases,
/// a few recent comments, and its trend chart as an inline image (`cid:` of `charts`,
/// one per section that has a chart); the text part says the same numbers for clients
/// that block images.
pub fn digest(d: &DigestContent, charts: &[Option<String>]) -> Rendered {
    use app::components::trend_chart::{digits, signed};
    use app::domain::digest::Frequency;
    let l = d.locale;
    let t = |en, de| digest_text(l, en, de);
    let period = format!("{} – {}", d.from, d.to);
    let kind = match d.frequency {
        Frequency::Weekly => t("Weekly digest", "Wöchentlicher Überblick"),
        Frequency::Monthly => t("Monthly digest", "Monatlicher Überblick"),
    };
    let subject = match d.sections.as_slice() {
        [one] => format!("{kind}: {} ({period})", one.survey_title),
        _ => format!("{kind} ({period})"),
    };
    let greeting = match d.name.trim() {
        "" => format!("{},", MailText::Greeting.text(l)),
        name => format!("{} {name},", MailText::Greeting.text(l)),
    };
    let mut text = format!("{greeting}\n\n{subject}\n");
    let mut html = format!(
        "<p style=\"margin:0 0 16px\">{}</p><p style=\"margin:0 0 16px;color:#4b5563\">{}</p>",
        escape(&greeting),
        escape(&period)
    );
    if d.sections.is_empty() {
        let none = t(
            "There is no survey in this digest that you may read any more.",
            "In diesem Überblick ist keine Umfrage mehr, die Sie lesen dürfen.",
        );
        let _ = write!(text, "\n{none}\n");
        let _ = write!(html, "<p>{}</p>", escape(none));
    }
    for (i, s) in d.sections.iter().enumerate() {
        let places = digits(&s.unit, &s.measure);
        let mut lines: Vec<String> = Vec::new();
        let headline = match (s.withheld, s.value, s.n) {
            (true, _, _) => t(
                "Hidden to protect anonymity",
                "Zum Schutz der Anonymität ausgeblendet",
            )
            .to_owned(),
            (false, Some(v), Some(n)) => {
                let interval =
                    s.ci.map(|(lo, hi)| {
                        format!(
                            ", 95 % {} {lo:.places$} {} {hi:.places$}",
                            t("interval", "Intervall"),
                            t("to", "bis")
                        )
                    })
                    .unwrap_or_default();
                let few = if s.too_few {
                    format!(
                        " — {}",
                        t("not enough answers yet", "noch zu wenige Antworten")
                    )
                } else {
                    String::new()
                };
                format!(
                    "{}: {v:.places$} {}{interval} (n = {n}){few}",
                    s.measure, s.unit
                )
            }
            _ => t(
                "No answers in this period",
                "Keine Antworten in diesem Zeitraum",
            )
            .to_owned(),
        };
        lines.push(headline);
        if let (Some(c), false) = (&s.change, s.withheld) {
            let verdict = if c.significant {
                t("significant", "signifikant")
            } else {
                t("not significant", "nicht signifikant")
            };
            lines.push(format!(
                "{} {} ({verdict}, p = {:.3})",
                signed(c.difference, places),
                t("against the period before", "gegenüber dem Zeitraum davor"),
                c.p
            ));
        }
        if let Some(rate) = s.response_rate {
            lines.push(format!(
                "{}: {rate:.0} %",
                t("Response rate", "Rücklaufquote")
            ));
        }
        lines.push(format!(
            "{}: {}{}",
            t("New comments", "Neue Kommentare"),
            s.comments,
            if s.more_comments { "+" } else { "" }
        ));
        if let Some(open) = s.open_cases {
            lines.push(format!("{}: {open}", t("Open cases", "Offene Fälle")));
        }
        let _ = write!(
            text,
            "\n{}\n{}\n",
            s.survey_title,
            "=".repeat(s.survey_title.chars().count().min(60))
        );
        let _ = writeln!(text, "{}", s.question);
        for line in &lines {
            let _ = writeln!(text, "- {line}");
        }
        if !s.recent.is_empty() {
            let _ = writeln!(text, "{}:", t("Recent comments", "Neueste Kommentare"));
            for (score, comment) in &s.recent {
                let score = score.map(|s| format!("[{s}] ")).unwrap_or_default();
                let _ = writeln!(text, "  {score}\"{comment}\"");
            }
        }
        let _ = writeln!(
            text,
            "{}: {}",
            t("Open the dashboard", "Zum Dashboard"),
            s.url
        );
        let _ = write!(
            html,
            "<h2 style=\"margin:24px 0 4px;font-size:18px\">{}</h2><p style=\"margin:0 0 8px;color:#4b5563\">{}</p><ul style=\"margin:0 0 12px;padding-left:20px\">",
            escape(&s.survey_title),
            escape(&s.question)
        );
        for line in &lines {
            let _ = write!(html, "<li>{}</li>", escape(line));
        }
        html.push_str("</ul>");
        if let Some(Some(cid)) = charts.get(i) {
            let alt = format!("{} – {}", t("Trend", "Verlauf"), s.survey_title);
            let _ = write!(
                html,
                "<p style=\"margin:0 0 12px\"><img src=\"cid:{}\" width=\"400\" alt=\"{}\" style=\"max-width:100%;height:auto\"></p>",
                escape(cid),
                escape(&alt)
            );
        }
        if !s.recent.is_empty() {
            let _ = write!(
                html,
                "<p style=\"margin:0 0 4px;font-weight:600\">{}</p>",
                escape(t("Recent comments", "Neueste Kommentare"))
            );
            for (score, comment) in &s.recent {
                let score = score.map(|s| format!("{s} · ")).unwrap_or_default();
                let _ = write!(
                    html,
                    "<blockquote style=\"margin:0 0 8px;padding-left:12px;border-left:3px solid #d1d5db\">{}{}</blockquote>",
                    escape(&score),
                    escape(comment)
                );
            }
        }
        let _ = write!(
            html,
            "<p style=\"margin:0 0 16px\"><a href=\"{}\" style=\"color:{BRAND}\">{}</a></p>",
            escape(&s.url),
            escape(t("Open the dashboard", "Zum Dashboard"))
        );
    }
    let stop = t("Stop this digest", "Diesen Überblick abbestellen");
    let _ = write!(text, "\n--\n{stop}: {}\n", d.stop_url);
    let footer = format!(
        "<a href=\"{}\" style=\"color:#4b5563\">{}</a> · <a href=\"{}\" style=\"color:#4b5563\">{}</a>",
        escape(&d.stop_url),
        escape(stop),
        escape(&d.settings_url),
        escape(t("Your digests", "Ihre Überblicke"))
    );
    Rendered {
        html: page(l, &subject, &html, &footer),
        subject,
        text,
    }
}

/// An invitation to an account, or a password reset: a link to choose a password.
pub struct AccountLink<'a> {
    pub invite: bool,
    pub name: &'a str,
    pub url: &'a str,
    pub organisation: &'a str,
}

/// The people who run surveys use Resonance in English, so their account mail is too.
pub fn account_link(a: &AccountLink) -> Rendered {
    use app::api::auth::{INVITE_VALID_DAYS, RESET_VALID_MINUTES};
    let (subject, lead, button, lasts) = if a.invite {
        (
            format!("You are invited to {} on Resonance", a.organisation),
            format!(
                "{} invited you to see and run its surveys on Resonance. Choose a password to start.",
                a.organisation
            ),
            "Choose your password",
            format!("{INVITE_VALID_DAYS} days"),
        )
    } else {
        (
            "Choose a new password for Resonance".to_owned(),
            "Someone, probably you, asked to reset the password of your Resonance account."
                .to_owned(),
            "Choose a new password",
            format!("{RESET_VALID_MINUTES} minutes"),
        )
    };
    let hello = match a.name.trim() {
        "" => "Hello,".to_owned(),
        name => format!("Hello {name},"),
    };
    let note = if a.invite {
        format!("The link works once, for {lasts}. If you did not expect this, ignore this email.")
    } else {
        format!(
            "The link works once, for {lasts}. If you did not ask, ignore this email: your \
             password stays as it is."
        )
    };
    let text = format!("{hello}\n\n{lead}\n\n{button}: {}\n\n{note}\n", a.url);
    let html = format!(
        "<p style=\"margin:0 0 16px\">{}</p><p style=\"margin:0 0 16px\">{}</p>\
         <p style=\"margin:0 0 16px\"><a href=\"{}\" style=\"display:inline-block;padding:12px 20px;\
         background:{BRAND};color:#ffffff;text-decoration:none;border-radius:6px\">{}</a></p>\
         <p style=\"margin:0;color:#4b5563\">{}</p>",
        escape(&hello),
        escape(&lead),
        escape(a.url),
        escape(button),
        escape(&note)
    );
    Rendered {
        html: page(Locale::En, &subject, &html, "Resonance"),
        subject,
        text,
    }
}

/// An endpoint's creator told that it was turned off.
pub struct WebhookDisabled<'a> {
    pub name: &'a str,
    pub url: &'a str,
    pub page_url: &'a str,
}

pub fn webhook_disabled(w: &WebhookDisabled) -> Rendered {
    let subject = "A webhook endpoint was turned off".to_owned();
    let hello = match w.name.trim() {
        "" => "Hello,".to_owned(),
        name => format!("Hello {name},"),
    };
    let lead = format!(
        "Every delivery to {} failed for days, so Resonance turned the endpoint off. \
         Nothing more is sent to it until it is turned on again.",
        w.url
    );
    let next = "Its page lists the deliveries with the receiver's answers; once the receiver \
         works, turn the endpoint on and replay what it missed.";
    let text = format!("{hello}\n\n{lead}\n\n{next}\n\n{}\n", w.page_url);
    let html = format!(
        "<p style=\"margin:0 0 16px\">{}</p><p style=\"margin:0 0 16px\">{}</p>\
         <p style=\"margin:0 0 16px\">{}</p><p style=\"margin:0\"><a href=\"{}\">{}</a></p>",
        escape(&hello),
        escape(&lead),
        escape(next),
        escape(w.page_url),
        escape(w.page_url)
    );
    Rendered {
        html: page(Locale::En, &subject, &html, "Resonance"),
        subject,
        text,
    }
}

/// The labels under the lowest and highest score.
fn end_labels(
    question: &Question,
    min: u8,
    max: u8,
    locale: Locale,
    fill: &dyn Fn(&LocalizedText) -> String,
) -> (String, String) {
    let label = |score: u8, default: UiText| {
        question
            .point_label(score)
            .map(fill)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| default.text(locale))
    };
    (label(min, UiText::NpsLow), label(max, UiText::NpsHigh))
}

fn page(locale: Locale, title: &str, body: &str, footer: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{lang}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\
         <body style=\"margin:0;padding:0;background:#f4f4f5\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" \
         style=\"background:#f4f4f5\"><tr><td align=\"center\" style=\"padding:24px 8px\">\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" \
         style=\"max-width:600px;background:#ffffff;font-family:Arial,Helvetica,sans-serif;\
         font-size:16px;line-height:1.5;color:#1f2937\">\
         <tr><td style=\"padding:24px\">{body}</td></tr>\
         <tr><td style=\"padding:16px 24px;font-size:12px;color:#4b5563;\
         border-top:1px solid #e5e7eb\">{footer}</td></tr>\
         </table></td></tr></table></body></html>",
        lang = locale.as_str(),
        title = escape(title),
    )
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::{template, SurveyKind};

    fn render(kind: SurveyKind, locale: Locale, name: &str, reminder: bool) -> Rendered {
        let survey = template(kind);
        let values = BTreeMap::from([("company".to_owned(), "Acme <GmbH>".to_owned())]);
        invitation(&Invitation {
            survey: &survey,
            locale,
            name,
            placeholders: &values,
            survey_url: "https://r.example/t/TOKEN",
            unsubscribe_url: "https://r.example/u/TOKEN",
            organisation: "Acme <GmbH>",
            reminder,
        })
    }

    #[test]
    fn an_nps_invitation_has_a_link_for_every_score_in_both_parts() {
        let mail = render(SurveyKind::Nps, Locale::En, "Ana", false);
        for score in 0..=10 {
            let link = format!("https://r.example/t/TOKEN?score={score}");
            assert!(mail.text.contains(&link), "text lacks {link}");
            assert!(
                mail.html.contains(&format!("href=\"{link}\"")),
                "html lacks {link}"
            );
        }
        assert!(!mail.text.contains("score=11"));
        assert!(mail.text.starts_with("Hello Ana,"));
        assert!(mail.html.contains("https://r.example/u/TOKEN"));
    }

    #[test]
    fn a_ces_invitation_offers_its_own_scale_in_german() {
        let mail = render(SurveyKind::Ces, Locale::De, "", true);
        assert!(mail.text.starts_with("Guten Tag,"));
        assert!(mail.subject.starts_with("Erinnerung: "));
        assert!(mail.text.contains("?score=1\n") && mail.text.contains("?score=7\n"));
        assert!(!mail.text.contains("?score=0\n"));
        assert!(mail.html.contains("lang=\"de\""));
        assert!(mail.text.contains("Abmelden: https://r.example/u/TOKEN"));
    }

    #[test]
    fn names_and_texts_are_escaped_in_html_but_not_in_text() {
        let mail = render(SurveyKind::Nps, Locale::En, "<b>Bo</b>", false);
        assert!(mail.html.contains("&lt;b&gt;Bo&lt;/b&gt;"));
        assert!(!mail.html.contains("<b>Bo"));
        assert!(mail.text.contains("<b>Bo</b>"));
        assert!(mail.html.contains("Acme &lt;GmbH&gt;"));
    }

    #[test]
    fn an_alert_for_an_anonymous_survey_names_no_one() {
        let mail = alert(&Alert {
            survey_title: "Pulse",
            question: "Recommend us?",
            score: 3,
            scale_max: 10,
            detractor: true,
            comment: Some("Too slow"),
            respondent: None,
            response_url: "https://r.example/surveys/1",
            case_url: None,
        });
        assert!(mail.text.starts_with("An anonymous respondent answered"));
        assert!(mail.text.contains("Too slow"));
        assert_eq!(mail.subject, "Detractor alert: Pulse (3/10)");
        assert!(mail.html.contains("An anonymous respondent"));
    }

    #[test]
    fn a_low_ces_score_is_not_called_a_detractor() {
        let mail = alert(&Alert {
            survey_title: "Support",
            question: "Easy?",
            score: 2,
            scale_max: 7,
            detractor: false,
            comment: None,
            respondent: Some("Bo <bo@example.com>"),
            response_url: "https://r.example/surveys/1/responses/2",
            case_url: Some("https://r.example/cases/3"),
        });
        assert_eq!(mail.subject, "Low score alert: Support (2/7)");
        assert!(mail.text.starts_with("Bo <bo@example.com> answered"));
        assert!(mail.html.contains("Bo &lt;bo@example.com&gt;"));
        assert!(!mail.text.contains("Comment:"));
    }

    #[test]
    fn a_case_reply_is_the_writers_words_in_the_respondents_language() {
        let mail = case_reply(&CaseReply {
            locale: Locale::De,
            name: "Anna",
            subject: "Re: Ihre Meinung",
            body: "Danke für <Ihre> Rückmeldung.\n\nWir rufen Sie an.",
            from_name: "Sam Sales",
            organisation: "Acme",
        });
        assert_eq!(mail.subject, "Re: Ihre Meinung");
        assert!(mail
            .text
            .starts_with("Guten Tag Anna,\n\nDanke für <Ihre> Rückmeldung."));
        assert!(mail.text.contains("Sam Sales\nAcme"));
        assert!(mail
            .text
            .contains("Antworten Sie einfach auf diese E-Mail."));
        assert!(mail.html.contains("Danke für &lt;Ihre&gt; Rückmeldung."));
        assert!(mail
            .html
            .contains("<p style=\"margin:0 0 16px\">Wir rufen Sie an.</p>"));
        assert!(mail.html.contains("lang=\"de\""));
    }

    #[test]
    fn a_thank_you_uses_the_surveys_text_and_offers_unsubscribing_only_with_a_link() {
        let mut survey = template(SurveyKind::Nps);
        survey.thank_you =
            app::domain::LocalizedText::new("Thanks, {company}!", "Danke, {company}!");
        let values = BTreeMap::from([("company".to_owned(), "Acme".to_owned())]);
        let with = thank_you(
            &survey,
            Locale::De,
            "Anna",
            &values,
            Some("https://r.example/u/T"),
            "Acme",
        );
        assert!(with.text.starts_with("Guten Tag Anna,\n\nDanke, Acme!"));
        assert!(with.subject.starts_with("Danke für Ihre Antwort: "));
        assert!(with.text.contains("Abmelden: https://r.example/u/T"));
        let without = thank_you(&survey, Locale::En, "", &values, None, "Acme");
        assert!(without.text.starts_with("Hello,\n\nThanks, Acme!"));
        assert!(!without.text.contains("Unsubscribe"));
        assert!(!without.html.contains("/u/"));
    }
}
