//! Webhooks' adapters: signing a delivery as the Standard Webhooks specification says
//! (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<base64 HMAC-SHA256 of
//! "id.timestamp.body">`, `whsec_` secrets, several signatures while a secret rotates), and
//! the request-forgery guard: an endpoint's URL is read as a browser reads it (so `0x7f.1`
//! and `2130706433` are 127.0.0.1), every address its name resolves to must be public
//! (`app::domain::webhooks::forbidden`), and the connection then goes to those checked
//! addresses, never to a second lookup. Hosts an admin allows by name skip the check.
//! `delivery` is the worker that sends them.

pub mod delivery;

use app::domain::webhooks::{forbidden, is_allowed};
pub use app::domain::webhooks::{parse_endpoint, Refused};
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Mac, SimpleHmac};
use sha2::Sha256;
use std::net::{IpAddr, SocketAddr};
use url::{Host, Url};

/// The prefix of a secret as the specification writes it.
pub const SECRET_PREFIX: &str = "whsec_";

/// A secret that cannot be read: not `whsec_` and base64.
#[derive(Debug, PartialEq, Eq)]
pub struct BadSecret;

/// The `v1,…` signature of one delivery under `secret` (`whsec_` + base64 key).
pub fn signature(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> Result<String, BadSecret> {
    let key = STANDARD
        .decode(secret.strip_prefix(SECRET_PREFIX).ok_or(BadSecret)?)
        .map_err(|_| BadSecret)?;
    let mut mac = <SimpleHmac<Sha256> as Mac>::new_from_slice(&key).map_err(|_| BadSecret)?;
    mac.update(id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    Ok(format!(
        "v1,{}",
        STANDARD.encode(mac.finalize().into_bytes())
    ))
}

/// The `webhook-signature` header: one signature per secret in use (the new one and, while
/// a rotation overlaps, the old), separated by spaces.
pub fn signature_header(
    secrets: &[&str],
    id: &str,
    timestamp: i64,
    body: &[u8],
) -> Result<String, BadSecret> {
    let signatures = secrets
        .iter()
        .map(|s| signature(s, id, timestamp, body))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(signatures.join(" "))
}

/// A new secret: `whsec_` and 24 random bytes in base64, as the specification's
/// libraries make them.
pub fn new_secret() -> String {
    let bytes: [u8; 24] = rand::random();
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// The addresses to connect to for `url`: each one its name resolves to, all of them
/// public (or the host allowed by name). The caller connects to these, not to the name.
pub async fn addresses(url: &Url, allowed: &[String]) -> Result<Vec<SocketAddr>, Refused> {
    let host = url.host_str().unwrap_or_default();
    let port = url.port_or_known_default().unwrap_or(443);
    let resolved: Vec<SocketAddr> = match url.host() {
        Some(Host::Ipv4(v4)) => vec![SocketAddr::new(IpAddr::V4(v4), port)],
        Some(Host::Ipv6(v6)) => vec![SocketAddr::new(IpAddr::V6(v6), port)],
        _ => tokio::net::lookup_host((host, port))
            .await
            .map_err(|_| Refused::Unresolved(host.to_owned()))?
            .collect(),
    };
    if resolved.is_empty() {
        return Err(Refused::Unresolved(host.to_owned()));
    }
    if !is_allowed(url, allowed) {
        // Every address, not the first: a name may answer with a public and a private one.
        for a in &resolved {
            if let Some(why) = forbidden(a.ip()) {
                return Err(Refused::Forbidden {
                    address: a.ip(),
                    why,
                });
            }
        }
    }
    Ok(resolved)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_specifications_test_vector_signs_as_its_reference_library_does() {
        let signed = signature(
            "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD",
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        )
        .unwrap();
        assert_eq!(signed, "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
    }

    #[test]
    fn while_a_secret_rotates_both_signatures_are_sent() {
        let new = new_secret();
        let header = signature_header(
            &[&new, "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD"],
            "msg_27UH4WbU6Z5A5EzD8u03UvzRbpk",
            1_649_367_553,
            br#"{"email":"test@example.com","username":"test_user"}"#,
        )
        .unwrap();
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], "v1,tZ1I4/hDygAJgO5TYxiSd6Sd0kDW6hPenDe+bTa3Kkw=");
        assert!(parts[0].starts_with("v1,") && parts[0] != parts[1]);
        assert!(new.starts_with(SECRET_PREFIX) && STANDARD.decode(&new[6..]).unwrap().len() == 24);
        assert_eq!(signature("not a secret", "id", 1, b""), Err(BadSecret));
    }

    /// Every way of writing an address that must not be reached, as a URL.
    const FORGED: [&str; 30] = [
        "http://127.0.0.1/hook",
        "http://127.1/hook",
        "http://0x7f.1/hook",
        "http://0x7f000001/hook",
        "http://2130706433/hook",
        "http://017700000001/hook",
        "http://0177.0.0.1/hook",
        "http://0/hook",
        "http://0.0.0.0/hook",
        "http://[::1]/hook",
        "http://[::]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://[::ffff:7f00:1]/hook",
        "http://[0:0:0:0:0:ffff:127.0.0.1]/hook",
        "http://[::127.0.0.1]/hook",
        "http://[64:ff9b::7f00:1]/hook",
        "http://[2002:7f00:1::]/hook",
        "http://10.0.0.1/hook",
        "http://172.16.5.4/hook",
        "http://192.168.0.10:8080/hook",
        "http://169.254.169.254/latest/meta-data/",
        "http://[fd00:ec2::254]/latest/meta-data/",
        "http://100.64.0.1/hook",
        "http://224.0.0.1/hook",
        "http://[ff02::1]/hook",
        "http://[fe80::1]/hook",
        "http://[fc00::1]/hook",
        "http://255.255.255.255/hook",
        "https://0xa9fea9fe/latest/meta-data/",
        "http://[::ffff:a9fe:a9fe]/",
    ];

    #[test]
    fn an_endpoint_that_names_a_private_address_in_any_notation_is_refused() {
        for text in FORGED {
            match parse_endpoint(text, &[]) {
                Err(Refused::Forbidden { .. }) => {}
                other => panic!("{text}: {other:?}"),
            }
        }
    }

    #[tokio::test]
    async fn a_name_that_resolves_to_a_private_address_is_refused_unless_an_admin_allows_it() {
        // `localhost` resolves to loopback on every machine.
        let url = parse_endpoint("http://localhost:9/hook", &[]).unwrap();
        assert!(matches!(
            addresses(&url, &[]).await,
            Err(Refused::Forbidden { .. })
        ));
        let allowed = vec!["LOCALHOST".to_owned()];
        let reached = addresses(&url, &allowed).await.unwrap();
        assert!(reached
            .iter()
            .all(|a| a.ip().is_loopback() && a.port() == 9));
        // A literal address is allowed only by its own text.
        assert!(parse_endpoint("http://127.0.0.1:9/", &allowed).is_err());
        assert!(parse_endpoint("http://127.0.0.1:9/", &["127.0.0.1".to_owned()]).is_ok());
    }

    #[test]
    fn only_web_urls_without_credentials_are_endpoints() {
        for text in [
            "ftp://example.com/hook",
            "file:///etc/passwd",
            "gopher://example.com/",
            "https://user:pass@example.com/hook",
            "example.com/hook",
            "mailto:hooks@example.com",
        ] {
            assert!(
                matches!(parse_endpoint(text, &[]), Err(Refused::NotAUrl(_))),
                "{text}"
            );
        }
        assert!(parse_endpoint("https://hooks.example.com/resonance", &[]).is_ok());
        assert!(parse_endpoint("http://93.184.215.14/hook", &[]).is_ok());
    }
}
