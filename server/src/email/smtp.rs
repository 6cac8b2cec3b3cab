//! The worker's SMTP connections: opened to the relay the SMTP URL names, kept open and
//! reused message after message.
//!
//! Not lettre's pooled transport: its sockets keep Nagle's algorithm on, and lettre
//! writes a message's closing `CRLF.CRLF` apart from the body, so every message waited
//! for the server's delayed ACK (40 ms on Linux) and one connection carried about 25
//! messages a second however fast the server was. Its pool also sent a NOOP before every
//! message. Here every socket has `TCP_NODELAY`, a connection is checked with a NOOP only
//! after it sat idle, and each step is bounded by the timeout, so a silent server cannot
//! hold a message (and its connection slot) forever.

use lettre::transport::smtp::authentication::{Credentials, DEFAULT_MECHANISMS};
use lettre::transport::smtp::client::{AsyncSmtpConnection, AsyncTokioStream, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Message;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// A connection idle for longer is asked with a NOOP whether it is still open.
const CHECK_AFTER: Duration = Duration::from_secs(5);
/// A connection idle for longer is closed rather than reused: servers drop idle sessions
/// after a few minutes (RFC 5321 asks for at least five).
const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// How the connection is secured, from the URL's scheme and `tls` parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Security {
    /// `smtp://host`: plain text (a relay on the same host or network).
    Plain,
    /// `smtp://host?tls=opportunistic`: STARTTLS when the server offers it.
    StartTlsIfOffered,
    /// `smtp://host?tls=required`: STARTTLS, or no mail.
    StartTls,
    /// `smtps://host`: TLS from the first byte (port 465).
    Implicit,
}

/// The relay an SMTP URL names.
#[derive(Clone)]
pub struct Relay {
    host: String,
    port: u16,
    security: Security,
    credentials: Option<Credentials>,
    hello: ClientId,
}

impl std::fmt::Debug for Relay {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Relay")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("security", &self.security)
            .field("credentials", &self.credentials.is_some())
            .finish()
    }
}

impl Relay {
    /// `smtp://host:port` (plain; `?tls=required` or `?tls=opportunistic` for STARTTLS),
    /// `smtps://host:port` (TLS); `user:password@` for AUTH, percent-encoded; a path names
    /// this host in EHLO. The same URLs lettre's `from_url` reads.
    pub fn from_url(url: &str) -> Result<Relay, String> {
        let url = url::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or("the URL names no host")?
            // An IPv6 literal comes bracketed; the socket and the certificate want it bare.
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let tls = url
            .query_pairs()
            .find(|(k, _)| k == "tls")
            .map(|(_, v)| v.into_owned());
        let (security, default_port) = match (url.scheme(), tls.as_deref()) {
            ("smtp", None) => (Security::Plain, 25),
            ("smtp", Some("required")) => (Security::StartTls, 587),
            ("smtp", Some("opportunistic")) => (Security::StartTlsIfOffered, 587),
            ("smtps", None) => (Security::Implicit, 465),
            (scheme, tls) => {
                return Err(format!(
                    "the scheme must be smtp or smtps, with tls=required or tls=opportunistic \
                     for smtp only; not {scheme}{}",
                    tls.map(|t| format!(" with tls={t}")).unwrap_or_default()
                ))
            }
        };
        let decode = |s: &str| {
            percent_encoding::percent_decode_str(s)
                .decode_utf8()
                .map(|s| s.into_owned())
                .map_err(|_| "the user name or password is not UTF-8 once decoded".to_owned())
        };
        let credentials = match url.password() {
            Some(password) => Some(Credentials::new(decode(url.username())?, decode(password)?)),
            None => None,
        };
        let hello = match url.path().trim_matches('/') {
            "" => ClientId::default(),
            name => ClientId::Domain(name.to_owned()),
        };
        Ok(Relay {
            port: url.port().unwrap_or(default_port),
            host,
            security,
            credentials,
            hello,
        })
    }

    /// A new session: connected, greeted, secured as the URL says and signed in.
    async fn open(&self) -> Result<AsyncSmtpConnection, Refusal> {
        let unreachable = |e: io::Error| Refusal {
            code: None,
            reply: format!("Could not connect to {}:{}: {e}", self.host, self.port),
        };
        let tcp = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(unreachable)?;
        tcp.set_nodelay(true).map_err(unreachable)?;
        let stream: Box<dyn AsyncTokioStream> = match self.security {
            Security::Implicit => Box::new(Tls(crate::tls::connect(&self.host, tcp)
                .await
                .map_err(unreachable)?)),
            _ => Box::new(tcp),
        };
        let mut conn = AsyncSmtpConnection::connect_with_transport(stream, &self.hello).await?;
        let starttls = match self.security {
            Security::StartTls => true,
            Security::StartTlsIfOffered => conn.can_starttls(),
            Security::Plain | Security::Implicit => false,
        };
        if starttls {
            let parameters = TlsParameters::new(self.host.clone())?;
            conn.starttls(parameters, &self.hello).await?;
        }
        if let Some(credentials) = &self.credentials {
            conn.auth(DEFAULT_MECHANISMS, credentials).await?;
        }
        Ok(conn)
    }
}

/// Why a message was not taken: the server's reply code when it gave one.
#[derive(Debug)]
pub struct Refusal {
    pub code: Option<u16>,
    pub reply: String,
}

impl From<lettre::transport::smtp::Error> for Refusal {
    fn from(e: lettre::transport::smtp::Error) -> Refusal {
        Refusal {
            code: e.status().and_then(|c| c.to_string().parse().ok()),
            reply: e.to_string(),
        }
    }
}

/// Open connections to one relay, shared by the worker's delivery tasks. The tasks'
/// own limit (one per connection slot) bounds how many there are.
pub struct Connections {
    relay: Relay,
    timeout: Duration,
    idle: Mutex<Vec<(AsyncSmtpConnection, Instant)>>,
}

impl Connections {
    pub fn new(relay: Relay, timeout: Duration) -> Connections {
        Connections {
            relay,
            timeout,
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Sends one message on an idle connection, or a new one.
    pub async fn send(&self, email: &Message) -> Result<(), Refusal> {
        let mut conn = self.take().await?;
        let sent = tokio::time::timeout(
            self.timeout,
            conn.send(email.envelope(), &email.formatted()),
        )
        .await;
        match sent {
            Ok(Ok(_)) => {
                self.put_back(conn);
                Ok(())
            }
            // lettre ends the session on any error; a broken one is dropped here.
            Ok(Err(e)) => Err(e.into()),
            Err(_) => Err(self.timed_out()),
        }
    }

    async fn take(&self) -> Result<AsyncSmtpConnection, Refusal> {
        loop {
            let popped = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
            let Some((mut conn, since)) = popped else {
                break;
            };
            let idle = since.elapsed();
            if idle < CHECK_AFTER {
                return Ok(conn);
            }
            if idle < IDLE_LIMIT
                && tokio::time::timeout(self.timeout, conn.test_connected())
                    .await
                    .unwrap_or(false)
            {
                return Ok(conn);
            }
            // Closed by the server, or idle too long: dropped, and the next one tried.
        }
        match tokio::time::timeout(self.timeout, self.relay.open()).await {
            Ok(opened) => opened,
            Err(_) => Err(self.timed_out()),
        }
    }

    fn put_back(&self, conn: AsyncSmtpConnection) {
        if !conn.has_broken() {
            self.idle
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((conn, Instant::now()));
        }
    }

    fn timed_out(&self) -> Refusal {
        Refusal {
            code: None,
            reply: format!(
                "The SMTP server at {}:{} did not answer within {} s.",
                self.relay.host,
                self.relay.port,
                self.timeout.as_secs()
            ),
        }
    }
}

/// lettre takes any stream that says whom it is connected to.
#[derive(Debug)]
struct Tls(tokio_rustls::client::TlsStream<TcpStream>);

impl AsyncTokioStream for Tls {
    fn peer_addr(&self) -> io::Result<SocketAddr> {
        self.0.get_ref().0.peer_addr()
    }
}

impl AsyncRead for Tls {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_read(cx, buf)
    }
}

impl AsyncWrite for Tls {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.get_mut().0).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().0).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn smtp_urls_name_the_port_security_and_credentials_lettre_would() {
        let plain = Relay::from_url("smtp://127.0.0.1:2525").unwrap();
        assert_eq!(
            (plain.host.as_str(), plain.port, plain.security),
            ("127.0.0.1", 2525, Security::Plain)
        );
        assert!(plain.credentials.is_none());

        let starttls = Relay::from_url("smtp://mail.example.com?tls=required").unwrap();
        assert_eq!(
            (starttls.port, starttls.security),
            (587, Security::StartTls)
        );
        let maybe = Relay::from_url("smtp://mail.example.com?tls=opportunistic").unwrap();
        assert_eq!(maybe.security, Security::StartTlsIfOffered);

        let implicit =
            Relay::from_url("smtps://ann%40example.com:p%2Fw@mail.example.com/me.example.org")
                .unwrap();
        assert_eq!(
            (implicit.port, implicit.security),
            (465, Security::Implicit)
        );
        assert_eq!(
            implicit.credentials,
            Some(Credentials::new("ann@example.com".into(), "p/w".into()))
        );
        assert_eq!(implicit.hello, ClientId::Domain("me.example.org".into()));

        let v6 = Relay::from_url("smtp://[::1]:25").unwrap();
        assert_eq!(v6.host, "::1");
    }

    #[test]
    fn smtp_urls_lettre_would_refuse_are_refused_with_the_reason() {
        for (url, why) in [
            ("mail.example.com", "not a URL"),
            ("http://mail.example.com", "scheme must be smtp or smtps"),
            ("smtp://mail.example.com?tls=sometimes", "tls=sometimes"),
            (
                "smtps://mail.example.com?tls=required",
                "smtps with tls=required",
            ),
        ] {
            let error = Relay::from_url(url).unwrap_err();
            assert!(error.contains(why), "{url}: {error}");
        }
    }
}
