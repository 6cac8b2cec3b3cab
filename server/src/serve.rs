//! Starting and stopping the server: open the database, build the services, listen, and
//! finish in-flight requests on SIGTERM or Ctrl-C.

use crate::config::ServeArgs;
use crate::{http, storage};
use anyhow::Context;
use app::ports::{SecretKey, Services, Settings};
use leptos::config::Env;
use leptos::prelude::LeptosOptions;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use tokio::net::TcpListener;

/// A server that is listening; `wait` serves until `shutdown` resolves.
pub struct Bound {
    pub addr: SocketAddr,
    pub base_url: String,
    listener: TcpListener,
    router: axum::Router,
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
    Ok(Bound {
        addr,
        base_url,
        listener,
        router: http::router(services, options),
    })
}

impl Bound {
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(shutdown)
        .await
        .context("server stopped with an error")
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
