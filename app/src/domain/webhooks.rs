//! Webhooks' rules: the events an endpoint can subscribe to, when a failed delivery is
//! tried again (the Standard Webhooks schedule, stretched to about three days), and which
//! addresses an endpoint may never reach (loopback, private, link-local, carrier-grade
//! NAT, multicast, cloud metadata, and IPv6 forms that carry one of those).

use serde::{Deserialize, Serialize};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// What an endpoint can be told of.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum Event {
    #[serde(rename = "response.completed")]
    ResponseCompleted,
    #[serde(rename = "response.changed")]
    ResponseChanged,
    #[serde(rename = "case.opened")]
    CaseOpened,
    #[serde(rename = "case.changed")]
    CaseChanged,
    #[serde(rename = "send.finished")]
    SendFinished,
    /// Sent on an admin's request to one endpoint, to try the receiver: no one subscribes.
    #[serde(rename = "webhook.test")]
    Test,
}

impl Event {
    /// The events an endpoint subscribes to.
    pub const ALL: [Event; 5] = [
        Event::ResponseCompleted,
        Event::ResponseChanged,
        Event::CaseOpened,
        Event::CaseChanged,
        Event::SendFinished,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Event::ResponseCompleted => "response.completed",
            Event::ResponseChanged => "response.changed",
            Event::CaseOpened => "case.opened",
            Event::CaseChanged => "case.changed",
            Event::SendFinished => "send.finished",
            Event::Test => "webhook.test",
        }
    }

    /// Any event a message can be of, the test included.
    pub fn parse(text: &str) -> Option<Event> {
        Event::ALL
            .into_iter()
            .chain([Event::Test])
            .find(|e| e.as_str() == text)
    }

    /// An event an endpoint may subscribe to.
    pub fn subscribable(text: &str) -> Option<Event> {
        Event::parse(text).filter(|e| Event::ALL.contains(e))
    }
}

/// Seconds to wait after each failed attempt: the Standard Webhooks schedule (5 s, 5 min,
/// 30 min, 2 h, 5 h, 10 h, 10 h), then 14 h three times more: a receiver that is down
/// for up to about three days (2.9) still gets every message.
pub const RETRY_AFTER: [i64; 10] = [
    5,
    5 * 60,
    30 * 60,
    2 * 3600,
    5 * 3600,
    10 * 3600,
    10 * 3600,
    14 * 3600,
    14 * 3600,
    14 * 3600,
];

/// The wait before attempt `failed + 1` after `failed` failed attempts (from 1); `None`
/// once the schedule is spent: the delivery has failed for good.
pub fn retry_after(failed: u32) -> Option<i64> {
    let i = usize::try_from(failed).ok()?.checked_sub(1)?;
    RETRY_AFTER.get(i).copied()
}

/// An endpoint's URL and why one is refused: read by the WHATWG URL parser, as a browser
/// reads it, so `0x7f.1` and `2130706433` are 127.0.0.1 (server-side only: the parser is
/// not shipped to the browser).
#[cfg(feature = "ssr")]
mod endpoint {
    use super::forbidden;
    use std::net::IpAddr;
    use url::{Host, Url};

    /// Why an endpoint may not be called.
    #[derive(Clone, Debug, PartialEq, Eq)]
    pub enum Refused {
        /// Not an `http://` or `https://` URL with a host, or with credentials in it.
        NotAUrl(String),
        /// It names or resolves to an address that is not public.
        Forbidden { address: IpAddr, why: &'static str },
        /// Its name resolves to nothing.
        Unresolved(String),
    }

    impl std::fmt::Display for Refused {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            match self {
                Refused::NotAUrl(why) => write!(f, "{why}"),
                Refused::Forbidden { address, why } => write!(
                    f,
                    "It reaches {address}, {why}: webhooks go to public addresses only (an admin may allow a named internal host)."
                ),
                Refused::Unresolved(host) => write!(f, "The name {host} resolves to no address."),
            }
        }
    }

    /// Reads an endpoint's URL as a browser would; refuses any other scheme, credentials,
    /// and a literal address that is not public (unless its text is an allowed host).
    pub fn parse_endpoint(text: &str, allowed: &[String]) -> Result<Url, Refused> {
        let url = Url::parse(text.trim())
            .map_err(|e| Refused::NotAUrl(format!("This is not a URL: {e}.")))?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(Refused::NotAUrl("Use an http:// or https:// URL.".into()));
        }
        if !url.username().is_empty() || url.password().is_some() {
            return Err(Refused::NotAUrl(
                "Leave credentials out of the URL: the signature proves the sender.".into(),
            ));
        }
        let literal = match url.host() {
            None => return Err(Refused::NotAUrl("The URL names no host.".into())),
            Some(Host::Ipv4(v4)) => Some(IpAddr::V4(v4)),
            Some(Host::Ipv6(v6)) => Some(IpAddr::V6(v6)),
            Some(Host::Domain(_)) => None,
        };
        if let Some(address) = literal {
            if !is_allowed(&url, allowed) {
                if let Some(why) = forbidden(address) {
                    return Err(Refused::Forbidden { address, why });
                }
            }
        }
        Ok(url)
    }

    /// Whether the admin's setting names this URL's host.
    pub fn is_allowed(url: &Url, allowed: &[String]) -> bool {
        url.host_str()
            .is_some_and(|host| allowed.iter().any(|a| a.eq_ignore_ascii_case(host)))
    }
}
#[cfg(feature = "ssr")]
pub use endpoint::*;

/// Why an address may not be reached, or `None` when it is a public one.
pub fn forbidden(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => forbidden_v6(v6),
    }
}

fn in_v4(ip: Ipv4Addr, net: [u8; 4], bits: u32) -> bool {
    let mask = u32::MAX.checked_shl(32 - bits).unwrap_or(0);
    u32::from(ip) & mask == u32::from(Ipv4Addr::from(net)) & mask
}

fn forbidden_v4(ip: Ipv4Addr) -> Option<&'static str> {
    const NETS: [([u8; 4], u32, &str); 16] = [
        ([0, 0, 0, 0], 8, "this network"),
        ([10, 0, 0, 0], 8, "a private network"),
        ([100, 64, 0, 0], 10, "carrier-grade NAT"),
        ([127, 0, 0, 0], 8, "loopback"),
        ([169, 254, 0, 0], 16, "link-local (cloud metadata)"),
        ([172, 16, 0, 0], 12, "a private network"),
        ([192, 0, 0, 0], 24, "IETF protocol assignments"),
        ([192, 0, 2, 0], 24, "documentation"),
        ([192, 88, 99, 0], 24, "6to4 relay"),
        ([192, 168, 0, 0], 16, "a private network"),
        ([198, 18, 0, 0], 15, "benchmarking"),
        ([198, 51, 100, 0], 24, "documentation"),
        ([203, 0, 113, 0], 24, "documentation"),
        ([224, 0, 0, 0], 4, "multicast"),
        ([240, 0, 0, 0], 4, "reserved"),
        ([255, 255, 255, 255], 32, "broadcast"),
    ];
    NETS.iter()
        .find(|(net, bits, _)| in_v4(ip, *net, *bits))
        .map(|(_, _, why)| *why)
}

fn forbidden_v6(ip: Ipv6Addr) -> Option<&'static str> {
    let s = ip.segments();
    // Forms that carry an IPv4 address: mapped (::ffff:a.b.c.d), compatible (::a.b.c.d),
    // NAT64 (64:ff9b::a.b.c.d) and 6to4 (2002:AABB:CCDD::): judged by that address.
    let embedded = |hi: u16, lo: u16| Ipv4Addr::from((u32::from(hi) << 16) | u32::from(lo));
    if s[..5] == [0; 5] && s[5] == 0xffff {
        return forbidden_v4(embedded(s[6], s[7]));
    }
    if ip.is_unspecified() {
        return Some("unspecified");
    }
    if ip.is_loopback() {
        return Some("loopback");
    }
    if s[..6] == [0; 6] {
        return Some("IPv4-compatible (deprecated)");
    }
    if s[0] == 0x64 && s[1] == 0xff9b && s[2..6] == [0; 4] {
        return forbidden_v4(embedded(s[6], s[7]));
    }
    if s[0] == 0x2002 {
        return forbidden_v4(embedded(s[1], s[2]));
    }
    match s[0] {
        x if x & 0xfe00 == 0xfc00 => Some("a unique local network (cloud metadata)"),
        x if x & 0xffc0 == 0xfe80 => Some("link-local"),
        x if x & 0xffc0 == 0xfec0 => Some("site-local (deprecated)"),
        x if x & 0xff00 == 0xff00 => Some("multicast"),
        0x2001 if s[1] == 0x0db8 => Some("documentation"),
        0x2001 if s[1] == 0 => Some("Teredo tunnel"),
        0x0100 if s[1..4] == [0; 3] => Some("discard-only"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn private_loopback_link_local_cgnat_multicast_and_metadata_addresses_are_forbidden() {
        for text in [
            "127.0.0.1",
            "127.1.2.3",
            "10.0.0.1",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.254",
            "0.0.0.0",
            "224.0.0.1",
            "239.255.255.250",
            "255.255.255.255",
            "240.0.0.1",
            "::1",
            "::",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::127.0.0.1",
            "64:ff9b::7f00:1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "fec0::1",
            "ff02::1",
            "2001:db8::1",
            "2001::1",
        ] {
            assert!(forbidden(ip(text)).is_some(), "{text} must be refused");
        }
    }

    #[test]
    fn public_addresses_may_be_reached() {
        for text in [
            "93.184.215.14",
            "1.1.1.1",
            "100.63.255.255",
            "100.128.0.0",
            "172.32.0.1",
            "192.169.0.1",
            "::ffff:93.184.215.14",
            "2606:4700:4700::1111",
            "2002:5db8:d70e::1",
            "64:ff9b::5db8:d70e",
        ] {
            assert_eq!(forbidden(ip(text)), None, "{text} is public");
        }
    }

    #[test]
    fn a_failed_delivery_is_tried_again_for_about_three_days_then_given_up() {
        assert_eq!(retry_after(1), Some(5));
        assert_eq!(retry_after(2), Some(300));
        let total: i64 = (1..=10).map(|n| retry_after(n).unwrap()).sum();
        assert!(
            (2.5 * 86_400.0..=3.5 * 86_400.0).contains(&(total as f64)),
            "{total} s"
        );
        assert_eq!(retry_after(11), None);
        assert_eq!(retry_after(0), None);
    }

    #[test]
    fn events_read_back_from_their_names() {
        for event in Event::ALL {
            assert_eq!(Event::parse(event.as_str()), Some(event));
            assert_eq!(Event::subscribable(event.as_str()), Some(event));
        }
        assert_eq!(Event::parse("webhook.test"), Some(Event::Test));
        assert_eq!(Event::parse("response.deleted"), None);
    }

    #[test]
    fn the_test_event_is_read_back_but_no_endpoint_subscribes_to_it() {
        assert_eq!(Event::subscribable("webhook.test"), None);
        assert!(!Event::ALL.contains(&Event::Test));
    }
}
