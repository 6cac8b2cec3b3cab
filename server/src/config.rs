//! Typed settings from flags and environment variables (flags win). Secrets are redacted
//! wherever settings are printed.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "resonance",
    version,
    about = "Resonance: self-hosted NPS, eNPS, CES, CSAT and pulse surveys"
)]
pub struct Cli {
    /// Log filter: a level (error, warn, info, debug, trace) or a tracing directive list.
    #[arg(long, env = "RESONANCE_LOG", default_value = "info", global = true)]
    pub log_level: String,
    /// Log format.
    #[arg(long, env = "RESONANCE_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the web app and the API.
    Serve(Box<ServeArgs>),
    /// Apply pending migrations and exit.
    Migrate(DatabaseArgs),
    /// Import contacts from a CSV file (as the admin area does): upsert by email, report
    /// bad rows by line, keep the good ones. Exits 1 only when the file cannot be read.
    ImportContacts(ImportArgs),
    /// Fill a database with demo surveys (NPS, eNPS, CSAT, CES), contacts with attributes
    /// and two years of answers with trends and comments in English and German. Refuses a
    /// database that already holds surveys unless --force.
    DemoData(DemoArgs),
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Responses in all, spread over the surveys and the days.
    #[arg(long, default_value_t = 20_000)]
    pub responses: u64,
    /// Contacts to answer them, at least one.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub contacts: u32,
    /// Days back from today the answers cover.
    #[arg(long, default_value_t = 730)]
    pub days: u32,
    /// Seed of the pseudo-random answers: the same seed, the same data.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Add the demo data even though the database already holds surveys.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// The CSV file: a header naming `email` (required), `name`, `locale` and attributes.
    pub file: std::path::PathBuf,
}

#[derive(Debug, Args)]
pub struct DatabaseArgs {
    /// sqlite://PATH (created if missing) or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://resonance.db",
        hide_env_values = true
    )]
    pub database_url: String,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub database: DatabaseArgs,
    /// Address and port to listen on.
    #[arg(long, env = "RESONANCE_BIND", default_value = "127.0.0.1:3000")]
    pub bind: SocketAddr,
    /// Public URL people reach Resonance at, used in links and to decide on Secure cookies
    /// (default: http://BIND).
    #[arg(long, env = "RESONANCE_BASE_URL")]
    pub base_url: Option<String>,
    /// Instance secret (at least 32 characters) keying stored token hashes. Every process of
    /// one deployment needs the same value. Without it, a key is kept in --secret-key-file.
    #[arg(long, env = "RESONANCE_SECRET_KEY", hide_env_values = true)]
    pub secret_key: Option<Secret>,
    /// Where a generated secret key is kept when --secret-key is not given.
    #[arg(
        long,
        env = "RESONANCE_SECRET_KEY_FILE",
        default_value = "resonance.key"
    )]
    pub secret_key_file: PathBuf,
    /// Directory with the compiled site (JavaScript, WebAssembly, CSS).
    #[arg(long, env = "LEPTOS_SITE_ROOT", default_value = "target/site")]
    pub site_root: String,
    /// Days a sign-in lasts.
    #[arg(long, env = "RESONANCE_SESSION_DAYS", default_value_t = 14)]
    pub session_days: i64,
    /// The organisation's name, which `{company}` in survey texts stands for.
    #[arg(long, env = "RESONANCE_ORGANISATION", default_value = "Resonance")]
    pub organisation: String,
    /// Seconds a client has to send a request's headers before it is disconnected.
    #[arg(long, env = "RESONANCE_HEADER_READ_TIMEOUT_SECS", default_value_t = 10)]
    pub header_read_timeout_secs: u64,
    /// Seconds a request may take, its body included, before it is answered with 408.
    #[arg(long, env = "RESONANCE_REQUEST_TIMEOUT_SECS", default_value_t = 120)]
    pub request_timeout_secs: u64,
    /// Answers one client address may send to one survey at once (each page of the
    /// form counts as one); generous, since an office may answer from one NAT address.
    #[arg(long, env = "RESONANCE_ANSWER_BURST", default_value_t = app::ports::AnswerLimits::DEFAULT_BURST)]
    pub answer_burst: u32,
    /// Answers a second one client address may send to one survey once its burst is used.
    #[arg(long, env = "RESONANCE_ANSWER_RATE", default_value_t = app::ports::AnswerLimits::DEFAULT_PER_SECOND)]
    pub answer_rate: f64,
    /// Proxies (addresses or blocks, comma-separated, e.g. 10.0.0.0/8) whose
    /// `X-Forwarded-For` names the client; without any, it is ignored.
    #[arg(long, env = "RESONANCE_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<String>,
    #[command(flatten)]
    pub mail: MailArgs,
    #[command(flatten)]
    pub webhooks: WebhookArgs,
}

/// Delivering webhooks: which internal hosts they may reach, how many at once.
#[derive(Debug, Args)]
pub struct WebhookArgs {
    /// Internal hosts webhook endpoints may reach, by name (comma-separated, e.g.
    /// `hooks.internal,10.0.0.5`); every other endpoint must be a public address.
    #[arg(long, env = "RESONANCE_WEBHOOK_ALLOW_HOSTS", value_delimiter = ',')]
    pub webhook_allow_hosts: Vec<String>,
    /// Webhook requests in flight at once from this process.
    #[arg(long, env = "RESONANCE_WEBHOOK_CONCURRENCY", default_value_t = 16)]
    pub webhook_concurrency: usize,
    /// Seconds a webhook request may take before it counts as failed.
    #[arg(long, env = "RESONANCE_WEBHOOK_TIMEOUT_SECS", default_value_t = 15)]
    pub webhook_timeout_secs: u64,
    /// Milliseconds one second of the retry schedule lasts (5 s, 5 min, 30 min, … about
    /// three days): 1000, except to rehearse a receiver's outage quickly.
    #[arg(long, env = "RESONANCE_WEBHOOK_RETRY_UNIT_MS", default_value_t = 1000)]
    pub webhook_retry_unit_ms: u64,
}

/// Sending email: where to, as whom, how fast. Without --smtp-url, sends are queued in the
/// outbox and wait until a process with one runs.
#[derive(Debug, Args)]
pub struct MailArgs {
    /// SMTP server: smtp://HOST:PORT (plain), smtp://HOST:587?tls=required (STARTTLS),
    /// smtps://USER:PASSWORD@HOST:465 (TLS). Credentials go in the URL.
    #[arg(long, env = "RESONANCE_SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<SecretUrl>,
    /// Sender name and address of survey emails.
    #[arg(
        long,
        env = "RESONANCE_MAIL_FROM",
        default_value = "Resonance <surveys@localhost>"
    )]
    pub mail_from: String,
    /// SMTP connections kept open, and so messages in flight at once.
    #[arg(long, env = "RESONANCE_SMTP_CONNECTIONS", default_value_t = 4)]
    pub smtp_connections: u32,
    /// At most this many messages a minute from this process (all sends together).
    #[arg(long, env = "RESONANCE_SMTP_PER_MINUTE")]
    pub smtp_per_minute: Option<u32>,
    /// Wait before the first retry of a temporary failure, in milliseconds; each later
    /// retry waits twice as long, at most an hour.
    #[arg(long, env = "RESONANCE_SMTP_RETRY_MS", default_value_t = 60_000)]
    pub smtp_retry_ms: u64,
    /// Seconds a worker holds a message it claimed; after a crash, others take it then.
    #[arg(long, env = "RESONANCE_OUTBOX_LEASE_SECS", default_value_t = 300)]
    pub outbox_lease_secs: u64,
    /// Milliseconds between looks at an empty outbox.
    #[arg(long, env = "RESONANCE_OUTBOX_POLL_MS", default_value_t = 1000)]
    pub outbox_poll_ms: u64,
    /// Milliseconds between looks for sends and reminders that are due.
    #[arg(long, env = "RESONANCE_SCHEDULER_MS", default_value_t = 5000)]
    pub scheduler_ms: u64,
}

/// A secret value: parsed from text, never shown by `Debug`.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

impl std::str::FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.chars().count() < 32 {
            return Err("the secret key needs at least 32 characters".into());
        }
        Ok(Secret(s.to_string()))
    }
}

/// A URL that may carry a password: `Debug` shows it with the password replaced.
#[derive(Clone)]
pub struct SecretUrl(pub String);

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&crate::storage::redact(&self.0))
    }
}

impl std::str::FromStr for SecretUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        if s.starts_with("smtp://") || s.starts_with("smtps://") {
            Ok(SecretUrl(s.to_string()))
        } else {
            Err(
                "use smtp://HOST:PORT, smtp://HOST:587?tls=required or smtps://USER:PASSWORD@HOST"
                    .into(),
            )
        }
    }
}

impl ServeArgs {
    /// The base URL without a trailing slash; an error names what is wrong with it.
    pub fn base_url(&self) -> Result<String, String> {
        let url = self
            .base_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.bind));
        let url = url.trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) || url.contains(' ') {
            return Err(format!(
                "--base-url must be an http:// or https:// URL, got {url:?}"
            ));
        }
        Ok(url)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_appear_in_debug_output() {
        let cli = Cli::try_parse_from([
            "resonance",
            "serve",
            "--secret-key",
            "0123456789abcdef0123456789abcdef-very-secret",
        ])
        .unwrap();
        assert!(!format!("{cli:?}").contains("very-secret"));
    }

    #[test]
    fn an_smtp_password_never_appears_in_debug_output() {
        let cli = Cli::try_parse_from([
            "resonance",
            "serve",
            "--smtp-url",
            "smtps://mailer:hunter2-secret@smtp.example.com:465",
        ])
        .unwrap();
        let printed = format!("{cli:?}");
        assert!(!printed.contains("hunter2"), "{printed}");
        assert!(printed.contains("smtps://mailer:***@smtp.example.com:465"));
        assert!(Cli::try_parse_from(["resonance", "serve", "--smtp-url", "http://x"]).is_err());
    }

    #[test]
    fn a_short_secret_key_is_refused() {
        assert!(Cli::try_parse_from(["resonance", "serve", "--secret-key", "short"]).is_err());
    }

    #[test]
    fn the_base_url_defaults_to_the_bind_address_and_loses_its_trailing_slash() {
        let Command::Serve(args) =
            Cli::try_parse_from(["resonance", "serve", "--bind", "127.0.0.1:8080"])
                .unwrap()
                .command
        else {
            panic!("serve expected")
        };
        assert_eq!(args.base_url().unwrap(), "http://127.0.0.1:8080");
        let Command::Serve(args) =
            Cli::try_parse_from(["resonance", "serve", "--base-url", "https://x.example/"])
                .unwrap()
                .command
        else {
            panic!("serve expected")
        };
        assert_eq!(args.base_url().unwrap(), "https://x.example");
    }
}
