//! TLS to another server (an SMTP relay, a webhook endpoint): rustls with the ring
//! provider, verified against the system's certificate store as lettre's STARTTLS does.

use std::io;
use std::sync::Arc;
use tokio::net::TcpStream;

/// TLS from the first byte over `tcp`, for the server named `host`.
pub async fn connect(
    host: &str,
    tcp: TcpStream,
) -> io::Result<tokio_rustls::client::TlsStream<TcpStream>> {
    use rustls_platform_verifier::BuilderVerifierExt;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .and_then(|b| b.with_platform_verifier())
        .map_err(io::Error::other)?
        .with_no_client_auth();
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    tokio_rustls::TlsConnector::from(Arc::new(config))
        .connect(name, tcp)
        .await
}
