//! Starting and stopping the server: open the database, build the services, listen, and
//! finish in-flight requests on SIGTERM or Ctrl-C.

use crate::config::{MailArgs, ServeArgs};
use crate::email::{MailSettings, Worker};
use crate::{http, jobs, storage};
use anyhow::Context;
use app::ports::{SecretKey, Services, Settings};
use leptos::config::Env;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;

/// A server that is listening; `wait` serves until `shutdown` resolves.
pub struct Bound {
    pub addr: SocketAddr,
    pub base_url: String,
    listener: TcpListener,
    router: axum::Router,
    services: Services,
    worker: Option<Worker>,
    scheduler_every: Duration,
}

pub async fn bind(args: &ServeArgs) -> anyhow::Result<Bound> {
    let store = storage::open(&args.database.database_url, true).await?;
    let secret_key = match &args.secret_key {
        Some(s) => SecretKey::new(s.0.as_bytes()),
        None => SecretKey::new(load_or_create_key(&args.secret_key_file)?),
    };
    let listener = TcpListener::bind(args.bind)
        .await
        .with_context(|| format!("cannot listen on {}", args.bind))?;
    let addr = listener.local_addr()?;
    let mut base_url = args.base_url().map_err(anyhow::Error::msg)?;
    if args.base_url.is_none() {
        // Port 0 (tests) is only known after binding.
        base_url = format!("http://{addr}");
    }
    let services = Services {
        store,
        settings: Arc::new(Settings {
            secure_cookies: base_url.starts_with("https://"),
            base_url: base_url.clone(),
            secret_key,
            session_days: args.session_days,
            organisation: args.organisation.clone(),
        }),
    };
    let options = LeptosOptions::builder()
        .output_name("resonance")
        .site_root(args.site_root.as_str())
        .site_pkg_dir("pkg")
        .env(Env::PROD)
        .site_addr(addr)
        .build();
    let worker = match mail_settings(&args.mail)? {
        Some(mail) => Some(Worker::new(services.clone(), mail)?),
        None => {
            tracing::warn!(
                "no --smtp-url: survey emails wait in the outbox until a process with one runs"
            );
            None
        }
    };
    Ok(Bound {
        addr,
        base_url,
        listener,
        router: http::router(services.clone(), options),
        services,
        worker,
        scheduler_every: Duration::from_millis(args.mail.scheduler_ms.max(10)),
    })
}

fn mail_settings(args: &MailArgs) -> anyhow::Result<Option<MailSettings>> {
    let Some(url) = &args.smtp_url else {
        return Ok(None);
    };
    let from = args
        .mail_from
        .parse()
        .map_err(|e| anyhow::anyhow!("--mail-from {:?} is not a sender: {e}", args.mail_from))?;
    Ok(Some(MailSettings {
        smtp_url: url.0.clone(),
        from,
        connections: args.smtp_connections.max(1),
        per_minute: args.smtp_per_minute.filter(|n| *n > 0),
        retry_base: Duration::from_millis(args.smtp_retry_ms),
        lease: Duration::from_secs(args.outbox_lease_secs.max(1)),
        poll: Duration::from_millis(args.outbox_poll_ms.max(10)),
        timeout: Duration::from_secs(30),
    }))
}

impl Bound {
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        // The background work stops with the process; an interrupted delivery is claimed
        // again when its lease runs out.
        let scheduler = tokio::spawn(jobs::run(self.services.clone(), self.scheduler_every));
        let worker = self.worker.map(|w| tokio::spawn(w.run()));
        let served = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server stopped with an error");
        scheduler.abort();
        if let Some(worker) = worker {
            worker.abort();
        }
        served
    }
}

/// Resolves on Ctrl-C or SIGTERM.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

/// A zero-setup default: the first start writes a random key, later starts reuse it.
fn load_or_create_key(path: &Path) -> anyhow::Result<Vec<u8>> {
    if let Ok(existing) = std::fs::read_to_string(path) {
        let key = existing.trim();
        if key.len() >= 32 {
            return Ok(key.as_bytes().to_vec());
        }
        anyhow::bail!(
            "the secret key in {} is shorter than 32 characters",
            path.display()
        );
    }
    let key = app::api::auth::new_secret();
    write_private(path, &key)
        .with_context(|| format!("cannot write the secret key to {}", path.display()))?;
    tracing::warn!(path = %path.display(), "no --secret-key given: generated one; set RESONANCE_SECRET_KEY for multi-process deployments");
    Ok(key.into_bytes())
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}
