//! The webhook deliverer: claims due deliveries, writes each body (`app::api::webhooks::body`),
//! signs it, and POSTs it over a connection of its own to an address it checked (no second
//! lookup, no proxy, no redirect followed), then records the outcome. A failure is tried
//! again on the Standard Webhooks schedule; an endpoint failing for days is disabled and
//! its creator told. Like the outbox worker, several processes may run one: the claim
//! keeps them apart, and a delivery whose worker died is claimed again after its lease,
//! with the same `webhook-id`.

use super::{addresses, signature_header};
use anyhow::Context;
use app::api::webhooks::{body, signing_secrets, DISABLE_AFTER_DAYS};
use app::domain::webhooks::retry_after;
use app::ports::{AttemptOutcome, Attempted, ClaimedDelivery, Services, Survey};
use bytes::Bytes;
use chrono::{DateTime, TimeDelta, Utc};
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, HOST, USER_AGENT};
use hyper::Request;
use hyper_util::rt::TokioIo;
use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio::sync::{mpsc, Semaphore};
use url::Url;

/// How the deliverer paces itself.
#[derive(Clone, Debug)]
pub struct DeliverySettings {
    /// Requests in flight at once.
    pub concurrency: usize,
    /// A request's whole time: connecting, TLS, sending and the response's head.
    pub timeout: Duration,
    /// How long a claimed delivery is this worker's before another may take it.
    pub lease: Duration,
    /// Wait between looks when nothing is due.
    pub poll: Duration,
    /// What one second of the retry schedule lasts: a second, except in tests.
    pub retry_unit: Duration,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        DeliverySettings {
            concurrency: 16,
            timeout: Duration::from_secs(15),
            lease: Duration::from_secs(120),
            poll: Duration::from_secs(1),
            retry_unit: Duration::from_secs(1),
        }
    }
}

/// Rounds of requests kept claimed: each freed slot is filled at once from them.
const ROUNDS_CLAIMED: usize = 4;

/// The longest error text kept on a delivery.
const ERROR_CHARS: usize = 300;

#[derive(Clone)]
pub struct Deliverer(Arc<Inner>);

/// Requests in flight: all of them, and each endpoint's, which may hold half at most;
/// and how many claimed deliveries have not ended yet.
struct Slots {
    all: Arc<Semaphore>,
    per_endpoint: HashMap<i64, Arc<Semaphore>>,
    endpoint_share: usize,
    claimed: Arc<AtomicUsize>,
}

/// One claimed delivery counted until its task ends, a panicked one included.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

struct Inner {
    services: Services,
    settings: DeliverySettings,
}

impl Deliverer {
    pub fn new(services: Services, settings: DeliverySettings) -> Deliverer {
        Deliverer(Arc::new(Inner { services, settings }))
    }

    /// Delivers until the process stops. Up to [`ROUNDS_CLAIMED`] rounds are kept claimed,
    /// so a slot is filled the moment a request ends: a slow endpoint holds up its own
    /// deliveries, and at most half of the slots, never the next claim. Claims and
    /// outcomes are written by this one task, one after the other, many per statement:
    /// SQLite has one writer, and two tasks writing would wait on each other.
    pub async fn run(self) {
        let settings = &self.0.settings;
        let concurrency = settings.concurrency.max(1);
        let mut slots = Slots {
            all: Arc::new(Semaphore::new(concurrency)),
            per_endpoint: HashMap::new(),
            endpoint_share: concurrency.div_ceil(2),
            claimed: Arc::default(),
        };
        let (outcomes, mut attempted) = mpsc::unbounded_channel();
        let mut done = Vec::new();
        loop {
            let in_flight = slots.claimed.load(Ordering::Relaxed);
            if in_flight <= concurrency * ROUNDS_CLAIMED / 2 {
                let room = concurrency * ROUNDS_CLAIMED - in_flight;
                let started = self.start_due(Utc::now(), room, &mut slots, &outcomes);
                if let Err(e) = started.await {
                    tracing::error!(error = format!("{e:#}"), "webhook deliverer");
                    tokio::time::sleep(settings.poll.max(Duration::from_secs(1))).await;
                }
            }
            // The next outcomes, or the next look for due deliveries. What arrives while
            // they are written goes in the next statement.
            let waited = tokio::time::timeout(settings.poll, attempted.recv_many(&mut done, 1024));
            if waited.await.is_ok() && !done.is_empty() {
                self.record(&done).await;
                done.clear();
            }
        }
    }

    /// Records outcomes. One that cannot be recorded leaves its delivery claimed: it is
    /// tried again, with the same id, once its lease runs out.
    async fn record(&self, attempted: &[Attempted]) {
        let disable_before = Utc::now() - TimeDelta::days(DISABLE_AFTER_DAYS);
        match self
            .0
            .services
            .store
            .record_attempts(attempted, disable_before)
            .await
        {
            Ok(disabled) => {
                for d in disabled {
                    tracing::warn!(
                        endpoint = d.endpoint_id,
                        "webhook endpoint disabled after failing for days"
                    );
                }
            }
            Err(e) => tracing::error!(error = %e, "recording webhook deliveries"),
        }
    }

    /// Claims up to `limit` deliveries due at `now` and starts each in a task of its own,
    /// which waits for a slot of its endpoint's and one of all, then sends its outcome to
    /// `outcomes`.
    async fn start_due(
        &self,
        now: DateTime<Utc>,
        limit: usize,
        slots: &mut Slots,
        outcomes: &mpsc::UnboundedSender<Attempted>,
    ) -> anyhow::Result<()> {
        let store = &self.0.services.store;
        let settings = &self.0.settings;
        // Long enough for every claimed delivery to wait its turn behind a slow endpoint:
        // all of them one endpoint's, its share of slots each waiting for the timeout.
        let claimable = settings.concurrency.max(1) * ROUNDS_CLAIMED;
        let turns = u32::try_from(claimable.div_ceil(slots.endpoint_share) + 1).unwrap_or(u32::MAX);
        let lease = settings.lease.max(settings.timeout.saturating_mul(turns));
        let lease = TimeDelta::from_std(lease).unwrap_or(TimeDelta::minutes(2));
        // An endpoint no request holds any more needs no place of its own.
        slots
            .per_endpoint
            .retain(|_, own| Arc::strong_count(own) > 1);
        let claimed = store
            .claim_deliveries(now, now + lease, i64::try_from(limit).unwrap_or(64))
            .await
            .context("claiming webhook deliveries")?;
        // Each survey is read once a claim. One that cannot be read fails its own
        // deliveries, to be tried again; failing them all would leave them claimed.
        let mut surveys: HashMap<i64, Result<Option<Arc<Survey>>, ()>> = HashMap::new();
        for id in claimed.iter().filter_map(|d| d.message.survey_id) {
            if let Entry::Vacant(slot) = surveys.entry(id) {
                slot.insert(match store.survey(id).await {
                    Ok(survey) => Ok(survey.map(Arc::new)),
                    Err(e) => {
                        tracing::error!(survey = id, error = %e, "reading a webhook's survey");
                        Err(())
                    }
                });
            }
        }
        for delivery in claimed {
            let me = self.clone();
            let all = slots.all.clone();
            let share = slots.endpoint_share;
            let own = slots
                .per_endpoint
                .entry(delivery.endpoint_id)
                .or_insert_with(|| Arc::new(Semaphore::new(share)))
                .clone();
            let outcomes = outcomes.clone();
            slots.claimed.fetch_add(1, Ordering::Relaxed);
            let counted = Counted(slots.claimed.clone());
            let survey = match delivery.message.survey_id {
                Some(id) => surveys.get(&id).cloned().unwrap_or(Ok(None)),
                None => Ok(None),
            };
            // A panicked attempt sends nothing: it is claimed again once its lease ends.
            tokio::spawn(async move {
                let _counted = counted;
                let _own = own.acquire_owned().await;
                let _slot = all.acquire_owned().await;
                let _ = outcomes.send(me.attempt(delivery, survey).await);
            });
        }
        Ok(())
    }

    /// One attempt of one delivery.
    async fn attempt(
        &self,
        d: ClaimedDelivery,
        survey: Result<Option<Arc<Survey>>, ()>,
    ) -> Attempted {
        let inner = &self.0;
        let services = &inner.services;
        let started = Utc::now();
        let done = |outcome, status, error: Option<String>| Attempted {
            message_id: d.message.id.clone(),
            endpoint_id: d.endpoint_id,
            attempts: d.attempts,
            at: started,
            status,
            error: error.map(|e| e.chars().take(ERROR_CHARS).collect()),
            outcome,
        };
        let Ok(survey) = survey else {
            return self.failed(done, &d, None, "Its survey could not be read.".into());
        };
        let body = match body(services, &d.message, survey.as_deref()).await {
            Ok(Some(body)) => body,
            Ok(None) => {
                return done(
                    AttemptOutcome::Dropped,
                    None,
                    Some(
                        "What it was about is gone or no longer identified: nothing was sent."
                            .into(),
                    ),
                )
            }
            Err(e) => {
                tracing::error!(message = %d.message.id, error = %e.message, "writing a webhook body");
                return self.failed(done, &d, None, "The message could not be written.".into());
            }
        };
        let secrets = signing_secrets(
            services,
            d.endpoint_id,
            d.generation,
            d.previous_until,
            started,
        );
        let secrets: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let timestamp = started.timestamp();
        let signature = match signature_header(&secrets, &d.message.id, timestamp, &body) {
            Ok(s) => s,
            Err(_) => {
                return self.failed(done, &d, None, "The signing secret is unreadable.".into())
            }
        };
        let posted = tokio::time::timeout(
            inner.settings.timeout,
            self.post(&d, body, timestamp, &signature),
        )
        .await;
        match posted {
            Ok(Ok(status)) if (200..300).contains(&status) => {
                done(AttemptOutcome::Delivered, Some(i64::from(status)), None)
            }
            Ok(Ok(status)) => self.failed(
                done,
                &d,
                Some(i64::from(status)),
                format!("The endpoint answered {status}."),
            ),
            Ok(Err(why)) => self.failed(done, &d, None, why),
            Err(_) => self.failed(
                done,
                &d,
                None,
                format!(
                    "No answer within {} seconds.",
                    inner.settings.timeout.as_secs()
                ),
            ),
        }
    }

    /// A failed attempt: tried again on the schedule, or given up when it is spent.
    fn failed(
        &self,
        done: impl Fn(AttemptOutcome, Option<i64>, Option<String>) -> Attempted,
        d: &ClaimedDelivery,
        status: Option<i64>,
        why: String,
    ) -> Attempted {
        let failed = u32::try_from(d.attempts).unwrap_or(u32::MAX);
        let outcome = match retry_after(failed) {
            Some(seconds) => {
                let wait = self.0.settings.retry_unit.mul_f64(seconds as f64);
                let wait = TimeDelta::from_std(wait).unwrap_or(TimeDelta::hours(14));
                AttemptOutcome::Retry(Utc::now() + wait)
            }
            None => AttemptOutcome::GiveUp,
        };
        done(outcome, status, Some(why))
    }

    /// POSTs the signed body to the endpoint; the receiver's status, or why none came.
    async fn post(
        &self,
        d: &ClaimedDelivery,
        body: Vec<u8>,
        timestamp: i64,
        signature: &str,
    ) -> Result<u16, String> {
        let url = Url::parse(&d.url).map_err(|e| format!("The URL is not valid: {e}."))?;
        let allowed = &self.0.services.settings.webhook_hosts;
        let checked = addresses(&url, allowed).await.map_err(|e| e.to_string())?;
        let tcp = connect(&checked).await?;
        let host = url.host_str().unwrap_or_default().to_owned();
        let authority = match url.port() {
            Some(port) => format!("{}:{port}", url_host(&url)),
            None => url_host(&url),
        };
        let target = match url.query() {
            Some(q) => format!("{}?{q}", url.path()),
            None => url.path().to_owned(),
        };
        let request = Request::post(target)
            .header(HOST, authority)
            .header(CONTENT_TYPE, "application/json")
            .header(
                USER_AGENT,
                concat!("Resonance-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("webhook-id", d.message.id.as_str())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .body(Full::new(Bytes::from(body)))
            .map_err(|e| format!("The request could not be made: {e}."))?;
        match url.scheme() {
            "https" => {
                let tls = crate::tls::connect(&host, tcp)
                    .await
                    .map_err(|e| format!("TLS failed: {e}."))?;
                send(tls, request).await
            }
            _ => send(tcp, request).await,
        }
    }
}

/// The host as a `Host` header writes it (an IPv6 address in brackets).
fn url_host(url: &Url) -> String {
    match url.host() {
        Some(url::Host::Ipv6(v6)) => format!("[{v6}]"),
        Some(host) => host.to_string(),
        None => String::new(),
    }
}

/// A connection to the first of the checked addresses that accepts one.
async fn connect(addresses: &[SocketAddr]) -> Result<TcpStream, String> {
    let mut last = String::from("no address");
    for address in addresses {
        match TcpStream::connect(address).await {
            Ok(tcp) => {
                let _ = tcp.set_nodelay(true);
                return Ok(tcp);
            }
            Err(e) => last = format!("{address}: {e}"),
        }
    }
    Err(format!("Could not connect ({last})."))
}

/// One HTTP/1.1 request on `io`; the response's status (its body is not read).
async fn send<S>(io: S, request: Request<Full<Bytes>>) -> Result<u16, String>
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let (mut sender, connection) = hyper::client::conn::http1::handshake(TokioIo::new(io))
        .await
        .map_err(|e| format!("HTTP failed: {e}."))?;
    let driving = tokio::spawn(connection);
    let response = sender.send_request(request).await;
    driving.abort();
    response
        .map(|r| r.status().as_u16())
        .map_err(|e| format!("HTTP failed: {e}."))
}
