//! Starting and stopping the server: open the database, build the services, listen, and
//! finish in-flight requests on SIGTERM or Ctrl-C.

use crate::config::{MailArgs, ServeArgs};
use crate::email::{MailSettings, Worker};
use crate::webhooks::delivery::{Deliverer, DeliverySettings};
use crate::{http, jobs, storage};
use anyhow::Context;
use app::ports::{AnswerLimits, SecretKey, Services, Settings};
use axum::extract::ConnectInfo;
use axum::http::Request;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
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
    deliverer: Deliverer,
    scheduler_every: Duration,
    header_read_timeout: Duration,
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
    // Reachable from other machines before anyone has an account: whoever gets there
    // first would own it, so creating it takes a code only this console shows.
    let setup_code = match addr.ip().is_loopback() || store.count_users().await? > 0 {
        true => None,
        false => {
            let code = app::api::auth::new_setup_code();
            eprintln!("Setup code: {code} (create the first account at {base_url}/setup with it)");
            Some(code)
        }
    };
    let services = Services {
        store,
        settings: Arc::new(Settings {
            secure_cookies: base_url.starts_with("https://"),
            base_url: base_url.clone(),
            secret_key,
            session_days: args.session_days,
            organisation: args.organisation.clone(),
            setup_code,
            webhook_hosts: args
                .webhooks
                .webhook_allow_hosts
                .iter()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
                .collect(),
        }),
        answer_limits: Arc::new(AnswerLimits::new(args.answer_burst, args.answer_rate)),
        charts: Arc::new(crate::charts::Plotters::new()?),
    };
    // cargo-leptos lists the hashed asset names in the site's `hash.txt`; without one (a
    // build without hashing) the plain names are used.
    let hash_file = std::path::absolute(Path::new(&args.site_root).join("hash.txt"))
        .context("the site root's path")?;
    let options = LeptosOptions::builder()
        .output_name("resonance")
        .site_root(args.site_root.as_str())
        .site_pkg_dir("pkg")
        .hash_files(hash_file.is_file())
        .hash_file(Arc::<str>::from(hash_file.to_string_lossy().as_ref()))
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
    let deliverer = Deliverer::new(
        services.clone(),
        DeliverySettings {
            concurrency: args.webhooks.webhook_concurrency.max(1),
            timeout: Duration::from_secs(args.webhooks.webhook_timeout_secs.max(1)),
            retry_unit: Duration::from_millis(args.webhooks.webhook_retry_unit_ms),
            ..DeliverySettings::default()
        },
    );
    Ok(Bound {
        addr,
        base_url,
        listener,
        router: http::router(
            services.clone(),
            options,
            http::Limits::try_from(args).map_err(anyhow::Error::msg)?,
        ),
        services,
        worker,
        deliverer,
        scheduler_every: Duration::from_millis(args.mail.scheduler_ms.max(10)),
        header_read_timeout: Duration::from_secs(args.header_read_timeout_secs.max(1)),
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
        let deliverer = tokio::spawn(self.deliverer.run());
        let served = serve_connections(
            self.listener,
            self.router,
            self.header_read_timeout,
            shutdown,
        )
        .await;
        scheduler.abort();
        deliverer.abort();
        if let Some(worker) = worker {
            worker.abort();
        }
        served
    }
}

/// Serves each accepted connection until `shutdown`, then lets the requests in flight
/// finish. A client must send a request's headers within `header_read_timeout`: one that
/// trickles them (or opens a connection and says nothing) is disconnected instead of
/// holding the connection forever.
async fn serve_connections(
    listener: TcpListener,
    router: axum::Router,
    header_read_timeout: Duration,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<()> {
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    builder.http2().timer(TokioTimer::new());
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, remote) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait a little rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service =
            tower::ServiceExt::map_request(router.clone(), move |mut req: Request<Incoming>| {
                // What `into_make_service_with_connect_info` would add: the client address.
                req.extensions_mut().insert(ConnectInfo(remote));
                req
            });
        let connection = builder
            .serve_connection_with_upgrades(TokioIo::new(stream), TowerToHyperService::new(service))
            .into_owned();
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended with an error");
            }
        });
    }
    graceful.shutdown().await;
    Ok(())
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
