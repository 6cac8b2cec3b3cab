//! `resonance demo-data`: a database a new user can explore at once. Surveys of each
//! kind, contacts with attributes, and two years of answers whose scores move over time,
//! with comments in English and German. Everything goes through the same use cases and
//! storage calls as real answers, so the dashboards read it as they read real data.
//!
//! It never mixes into real data: on a database that already holds surveys it refuses
//! unless told otherwise.

use crate::charts::Plotters;
use crate::config::DemoArgs;
use anyhow::Context;
use app::domain::filter::answer_segments;
use app::domain::segments::SegmentFilter;
use app::domain::weighting::Weighting;
use app::domain::{AnswerValue, Locale};
use app::model::Repeat;
use app::ports::{
    AnswerBatch, NewContact, Notifications, SecretKey, Services, Settings, StoredAnswer,
    SurveySettings,
};
use app::ports::{NewInvitation, NewSend};
use chrono::{Datelike, Days, NaiveDate, Utc};
use std::collections::BTreeMap;
use std::sync::Arc;

const TEAMS: [&str; 5] = ["Sales", "Support", "Engineering", "Marketing", "Finance"];
const PLANS: [&str; 3] = ["Free", "Pro", "Enterprise"];
const REGIONS: [&str; 3] = ["EMEA", "Americas", "APAC"];
const TIERS: [&str; 3] = ["A", "B", "C"];

/// Comments by category (detractor, passive, promoter), in English and German.
const COMMENTS: [[(&str, &str); 3]; 3] = [
    [
        (
            "Support took days to answer.",
            "Der Support hat tagelang nicht geantwortet.",
        ),
        (
            "Too expensive for what it does.",
            "Zu teuer für das, was es kann.",
        ),
        (
            "The last update broke our reports.",
            "Das letzte Update hat unsere Berichte kaputt gemacht.",
        ),
    ],
    [
        (
            "Fine, but the setup was slow.",
            "Gut, aber die Einrichtung war langsam.",
        ),
        ("Does the job.", "Erfüllt seinen Zweck."),
        (
            "Good product, the invoices are confusing.",
            "Gutes Produkt, die Rechnungen sind verwirrend.",
        ),
    ],
    [
        (
            "Great support, fast and friendly.",
            "Toller Support, schnell und freundlich.",
        ),
        (
            "Saves our team hours every week.",
            "Spart unserem Team jede Woche Stunden.",
        ),
        (
            "Easy to use from day one.",
            "Vom ersten Tag an einfach zu bedienen.",
        ),
    ],
];

/// A yearly revenue in whole hundreds that goes with the tier: A 50 000–250 000,
/// B 10 000–50 000, C 1 000–10 000.
fn revenue(tier: &str, u: f64) -> u64 {
    let (low, high) = match tier {
        "A" => (50_000.0, 250_000.0),
        "B" => (10_000.0, 50_000.0),
        _ => (1_000.0, 10_000.0),
    };
    ((low + u * (high - low)) / 100.0).round() as u64 * 100
}

/// Big customers are a little happier, so the weighted NPS tells its own story: a
/// uniform draw pushed up (tier A) or down (tier C).
fn leaning(tier: Option<&String>, u: f64) -> f64 {
    match tier.map(String::as_str) {
        Some("A") => u.powf(0.8),
        Some("C") => u.powf(1.2),
        _ => u,
    }
}

/// The contact's values of the survey's grouping attributes, as an answer copies them.
fn groups_of(
    survey: &app::ports::Survey,
    contact: &app::ports::Contact,
) -> BTreeMap<String, String> {
    survey
        .definition
        .grouping_attributes
        .iter()
        .filter_map(|a| Some((a.clone(), contact.attributes.get(a)?.clone())))
        .collect()
}

/// The most contacts the quarterly panel holds.
const PANEL: usize = 1_500;

/// Quarterly waves of `survey` to `panel` from `first` to `last`, recorded as sent (no
/// email leaves: the demo's addresses are not real), and the answers they brought: about
/// 45 % answer, most within a few days, and each person keeps a disposition from wave to
/// wave, so some move between detractors, passives and promoters and most do not.
async fn waves(
    store: &Arc<dyn app::ports::Store>,
    survey: &app::ports::Survey,
    panel: &[app::ports::Contact],
    owner: i64,
    (first, last): (NaiveDate, NaiveDate),
    dice: &mut Dice,
) -> anyhow::Result<u64> {
    let mut answered = 0;
    let days = (last - first).num_days().max(1) as f64;
    let mut day = first + chrono::Duration::days(45);
    let mut wave = 1;
    while day + chrono::Duration::days(7) <= last {
        let at = day.and_hms_opt(9, 0, 0).unwrap_or_default().and_utc();
        let send = NewSend {
            survey_id: survey.id,
            audience_name: "Customer panel (demo)".into(),
            audience: SegmentFilter::default(),
            repeat: Repeat::Quarterly,
            wave,
            reminders: Vec::new(),
            per_minute: None,
            scheduled_at: at,
            created_by: owner,
            salted_links: false,
        };
        let token = |contact: i64| format!("demo-wave-{}-{wave}-{contact}", survey.id);
        let invitations: Vec<(NewInvitation, bool)> = panel
            .iter()
            .map(|c| {
                let invitation = NewInvitation {
                    survey_id: survey.id,
                    token_hash: token(c.id),
                    contact_id: Some(c.id),
                    locale: c.locale,
                    attributes: c.attributes.clone(),
                    send_id: None,
                };
                (invitation, dice.unit() < 0.02)
            })
            .collect();
        let send_id = store.record_past_send(&send, at, &invitations).await?;
        let mut batches = Vec::new();
        // `invitations` were made from `panel` in its order.
        for (contact, (invitation, bounced)) in panel.iter().zip(&invitations) {
            if *bounced || dice.unit() >= 0.45 {
                continue;
            }
            let link = store
                .invitation(&invitation.token_hash)
                .await?
                .context("the wave's invitation")?;
            let on = day + chrono::Duration::days((dice.unit().powi(2) * 7.0) as i64);
            // A disposition of the person's own, stirred a little each wave.
            let disposition = Dice(contact.id as u64 * 7919 + 1).unit();
            let u = leaning(
                contact.attributes.get("tier"),
                0.75 * disposition + 0.25 * dice.unit(),
            );
            let score = improving_nps(u, (on - first).num_days() as f64 / days);
            let groups = groups_of(survey, contact);
            batches.push(AnswerBatch {
                id: None,
                survey_id: survey.id,
                version: survey.version,
                response_key: format!("demo-wave-{send_id}-{}", contact.id),
                invitation_id: Some(link.id),
                contact_id: Some(contact.id),
                send_id: Some(send_id),
                segments: answer_segments(&groups, Some(send_id), false),
                groups,
                weight: survey
                    .weighting
                    .as_ref()
                    .and_then(|w| w.weight_of(&contact.attributes)),
                locale: contact.locale.unwrap_or(Locale::En),
                day: on,
                at: Some(on.and_hms_opt(10, 0, 0).unwrap_or_default().and_utc()),
                answers: vec![StoredAnswer {
                    question_key: "nps".into(),
                    value: AnswerValue::Score(score),
                    follow_up: None,
                }],
                cleared: Vec::new(),
                // A few leave after the score, before the last page.
                completed: dice.unit() < 0.9,
                capped: false,
                on_completion: Vec::new(),
                open_case: None,
                webhook_payload: None,
            });
        }
        answered += batches.len() as u64;
        store.record_answers_in_bulk(batches).await?;
        day += chrono::Duration::days(91);
        wave += 1;
    }
    Ok(answered)
}

/// Responses written per transaction: a commit per response would be most of the time.
const BULK: usize = 1_000;

/// A small deterministic generator (xorshift64*): the same seed, the same data.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1_u64 << 53) as f64
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() % items.len() as u64) as usize]
    }
}

/// One demo survey: its kind, how many answers it gets relative to the others, and how
/// its scores move from the first day (0.0) to the last (1.0).
struct Plan {
    kind: &'static str,
    title: &'static str,
    /// What `{subject}` says in the template's questions.
    subject: &'static str,
    question: &'static str,
    share: f64,
    /// The score for a respondent, from a uniform draw and the progress through time.
    score: fn(f64, f64) -> u8,
}

/// 0–10 with promoters growing from 35 % to 55 % and detractors shrinking from 30 % to
/// 15 % over the two years.
fn improving_nps(u: f64, t: f64) -> u8 {
    let promoters = 0.35 + 0.20 * t;
    let detractors = 0.30 - 0.15 * t;
    if u < detractors {
        (u / detractors * 7.0) as u8
    } else if u < 1.0 - promoters {
        7 + ((u - detractors) / (1.0 - promoters - detractors) * 2.0) as u8
    } else {
        9 + ((u - (1.0 - promoters)) / promoters * 2.0).min(1.0) as u8
    }
}

/// eNPS that dips in the middle of the period (a reorganisation) and recovers.
fn dipping_enps(u: f64, t: f64) -> u8 {
    let dip = 1.0 - (2.0 * t - 1.0).abs();
    improving_nps(u, 0.5 - 0.4 * dip)
}

/// 1–5 with the share of 4s and 5s growing from 70 % to 85 %.
fn improving_five(u: f64, t: f64) -> u8 {
    let satisfied = 0.70 + 0.15 * t;
    if u < 1.0 - satisfied {
        1 + (u / (1.0 - satisfied) * 3.0).min(2.0) as u8
    } else {
        4 + ((u - (1.0 - satisfied)) / satisfied * 2.0).min(1.0) as u8
    }
}

/// 1–7, flat around "somewhat agree".
fn flat_seven(u: f64, _t: f64) -> u8 {
    (1.0 + u * 7.0).min(7.0) as u8
}

const SURVEYS: [Plan; 4] = [
    Plan {
        kind: "nps",
        title: "Customer NPS (demo)",
        subject: "",
        question: "nps",
        share: 0.45,
        score: improving_nps,
    },
    Plan {
        kind: "enps",
        title: "Employee eNPS (demo)",
        subject: "",
        question: "enps",
        share: 0.15,
        score: dipping_enps,
    },
    Plan {
        kind: "csat",
        title: "Support CSAT (demo)",
        subject: "our support",
        question: "csat",
        share: 0.25,
        score: improving_five,
    },
    Plan {
        kind: "ces",
        title: "Onboarding effort (demo)",
        subject: "getting started",
        question: "ces",
        share: 0.15,
        score: flat_seven,
    },
];

pub async fn run(args: &DemoArgs) -> anyhow::Result<()> {
    let store = crate::storage::open(&args.database.database_url, true).await?;
    if !args.force && !store.list_surveys().await?.is_empty() {
        anyhow::bail!(
            "this database already holds surveys: demo data would mix with them. Use an \
             empty database, or pass --force to add it anyway"
        );
    }
    let owner = store
        .list_users()
        .await?
        .into_iter()
        .find(|u| u.role == app::model::Role::Admin)
        .context(
            "there is no admin yet: open Resonance in a browser and create the first account \
             (setup), then run demo-data again",
        )?;
    let services = Services {
        store: store.clone(),
        // Nothing here is signed or linked: the settings only have to exist.
        settings: Arc::new(Settings {
            secret_key: SecretKey::new(Vec::new()),
            base_url: String::new(),
            secure_cookies: false,
            session_days: 1,
            organisation: "Resonance".into(),
            setup_code: None,
            webhook_hosts: Vec::new(),
        }),
        answer_limits: Default::default(),
        charts: Arc::new(Plotters::new()?),
    };
    let mut dice = Dice(args.seed.max(1));

    let people: Vec<NewContact> = (0..args.contacts)
        .map(|i| NewContact {
            email: format!("demo.person{i}@example.com"),
            name: format!("Demo Person {i}"),
            locale: Some(if i % 3 == 0 { Locale::De } else { Locale::En }),
            attributes: {
                let tier = *dice.pick(&TIERS);
                BTreeMap::from([
                    ("team".to_owned(), dice.pick(&TEAMS).to_string()),
                    ("plan".to_owned(), dice.pick(&PLANS).to_string()),
                    ("region".to_owned(), dice.pick(&REGIONS).to_string()),
                    ("tier".to_owned(), tier.to_owned()),
                    ("revenue".to_owned(), revenue(tier, dice.unit()).to_string()),
                ])
            },
        })
        .collect();
    for chunk in people.chunks(1000) {
        store.upsert_contacts(chunk).await?;
    }
    let contacts = store.list_contacts(0, i64::from(args.contacts)).await?;
    println!("demo-data: {} contacts", contacts.len());

    let today = Utc::now().date_naive();
    let first = today
        .checked_sub_days(Days::new(u64::from(args.days.max(1)) - 1))
        .unwrap_or(today);
    let mut written = 0_u64;
    let mut next_report = args.responses / 10;
    for plan in &SURVEYS {
        let summary =
            app::api::surveys::create(&services, &owner, plan.kind, plan.title, plan.subject)
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
        store
            .update_survey_settings(
                summary.id,
                &SurveySettings {
                    status: app::model::SurveyStatus::Active,
                    closes_at: None,
                    response_cap: None,
                    notifications: Notifications::default(),
                },
            )
            .await?;
        let mut survey = store
            .survey(summary.id)
            .await?
            .context("the survey just created")?;
        let anonymous = survey.definition.anonymous;
        // Identified surveys are grouped by every attribute the demo contacts carry, so
        // their dashboards can be filtered and broken down at once; anonymous ones keep
        // their template's single attribute (team).
        if !anonymous {
            survey.definition.grouping_attributes = ["plan", "region", "team", "tier"]
                .map(String::from)
                .to_vec();
            store.save_definition(survey.id, &survey.definition).await?;
        }
        // The customer NPS is weighted by revenue, to show revenue at risk.
        if plan.kind == "nps" {
            let revenue = Weighting {
                attribute: "revenue".into(),
                weights: BTreeMap::new(),
            };
            app::api::surveys::set_weighting(&services, survey.id, Some(revenue))
                .await
                .map_err(|e| anyhow::anyhow!(e.message))?;
        }
        let weighting = store.survey(survey.id).await?.and_then(|s| s.weighting);
        let mut batches = Vec::with_capacity(BULK);
        let responses = (args.responses as f64 * plan.share).round() as u64;
        for i in 0..responses {
            // Spread over the days, weekdays busier than weekends.
            let mut offset = (dice.unit() * f64::from(args.days)) as u64;
            let mut day = first.checked_add_days(Days::new(offset)).unwrap_or(today);
            if day.weekday().number_from_monday() > 5 && dice.unit() < 0.6 {
                offset = offset.saturating_sub(2);
                day = first.checked_add_days(Days::new(offset)).unwrap_or(today);
            }
            let progress = offset as f64 / f64::from(args.days.max(1));
            let contact = dice.pick(&contacts);
            let u = leaning(contact.attributes.get("tier"), dice.unit());
            let score = (plan.score)(u, progress);
            let german = contact.locale == Some(Locale::De);
            let category = match (plan.question, score) {
                ("nps" | "enps", 0..=6) | (_, 1..=2) => 0,
                ("nps" | "enps", 7..=8) | (_, 3) => 1,
                _ => 2,
            };
            let follow_up = (dice.unit() < 0.3).then(|| {
                let (en, de) = *dice.pick(&COMMENTS[category]);
                (if german { de } else { en }).to_owned()
            });
            let groups = groups_of(&survey, contact);
            let segments = answer_segments(&groups, None, anonymous);
            batches.push(AnswerBatch {
                id: anonymous.then(app::api::answers::unordered_response_id),
                survey_id: survey.id,
                version: survey.version,
                response_key: format!("demo-{}-{i}", survey.id),
                invitation_id: None,
                // Anonymous answers keep no person, as real ones do.
                contact_id: (!anonymous).then_some(contact.id),
                send_id: None,
                groups,
                segments,
                weight: weighting
                    .as_ref()
                    .and_then(|w| w.weight_of(&contact.attributes)),
                locale: if german { Locale::De } else { Locale::En },
                day,
                at: None,
                answers: vec![StoredAnswer {
                    question_key: plan.question.to_owned(),
                    value: AnswerValue::Score(score),
                    follow_up,
                }],
                cleared: Vec::new(),
                completed: true,
                capped: false,
                on_completion: Vec::new(),
                open_case: None,
                webhook_payload: None,
            });
            if batches.len() == BULK || i + 1 == responses {
                store
                    .record_answers_in_bulk(std::mem::take(&mut batches))
                    .await?;
            }
            written += 1;
            if written >= next_report {
                println!("demo-data: {written} of about {} responses", args.responses);
                next_report += (args.responses / 10).max(1);
            }
        }
        println!("demo-data: \"{}\" has {responses} responses", plan.title);
        // The customer NPS also goes to a panel every quarter, by email, so its
        // dashboard has waves: their funnels, a filter by wave, and who moved.
        if plan.kind == "nps" {
            let panel = &contacts[..contacts.len().div_ceil(3).min(PANEL)];
            let survey = store.survey(survey.id).await?.context("the demo survey")?;
            let answered =
                waves(&store, &survey, panel, owner.id, (first, today), &mut dice).await?;
            println!(
                "demo-data: \"{}\" has {answered} more from quarterly waves",
                plan.title
            );
        }
    }
    store.refresh_statistics().await?;
    println!(
        "demo-data: done, {written} responses from {first} to {today}. Open /surveys to see them."
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_scores_stay_on_their_scales_and_move_the_way_they_should() {
        let mut dice = Dice(7);
        let share = |score: fn(f64, f64) -> u8, t: f64, dice: &mut Dice| {
            let scores: Vec<u8> = (0..20_000).map(|_| score(dice.unit(), t)).collect();
            scores.iter().filter(|&&s| s >= 9).count() as f64 / scores.len() as f64
        };
        for _ in 0..10_000 {
            let (u, t) = (dice.unit(), dice.unit());
            assert!(improving_nps(u, t) <= 10);
            assert!((1..=5).contains(&improving_five(u, t)));
            assert!((1..=7).contains(&flat_seven(u, t)));
        }
        let early = share(improving_nps, 0.0, &mut dice);
        let late = share(improving_nps, 1.0, &mut dice);
        assert!(
            (early - 0.35).abs() < 0.02 && (late - 0.55).abs() < 0.02,
            "{early} {late}"
        );
    }
}
