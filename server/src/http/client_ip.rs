//! Who a request comes from, for the limits on sign-ins and answers: the peer's address,
//! or behind proxies the operator trusts (`--trusted-proxies`), the address the nearest
//! untrusted hop gave in `X-Forwarded-For`. `X-Forwarded-For` from anyone else is
//! ignored: any client can write it, and one who names other people's addresses must not
//! lock them out. An IPv6 client is counted by its /64, the block one home or device
//! usually holds, since it may change the rest of its address at will.

use std::net::IpAddr;

/// An address block: an address and how many of its leading bits count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Block {
    addr: IpAddr,
    bits: u8,
}

impl Block {
    /// `10.0.0.0/8`, `2001:db8::/32`, or one address (`192.0.2.7`, `::1`).
    pub fn parse(text: &str) -> Result<Block, String> {
        let text = text.trim();
        let (addr, bits) = match text.split_once('/') {
            Some((addr, bits)) => (addr, Some(bits)),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("\"{text}\" is not an IP address or block (e.g. 10.0.0.0/8)."))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            None => max,
            Some(bits) => bits
                .parse::<u8>()
                .ok()
                .filter(|&b| b <= max)
                .ok_or_else(|| format!("\"{text}\": the prefix length must be 0 to {max}."))?,
        };
        Ok(Block { addr, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, plain(ip)) {
            (IpAddr::V4(block), IpAddr::V4(ip)) => {
                prefix(u128::from(u32::from(block)) << 96, self.bits)
                    == prefix(u128::from(u32::from(ip)) << 96, self.bits)
            }
            (IpAddr::V6(block), IpAddr::V6(ip)) => {
                prefix(u128::from(block), self.bits) == prefix(u128::from(ip), self.bits)
            }
            _ => false,
        }
    }
}

/// The first `bits` bits of `value`.
fn prefix(value: u128, bits: u8) -> u128 {
    match bits {
        0 => 0,
        bits => value & (u128::MAX << (128 - u32::from(bits.min(128)))),
    }
}

/// An IPv4 address written as IPv6 (`::ffff:192.0.2.7`) is the IPv4 address.
fn plain(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

/// The client behind `peer`: with `peer` a trusted proxy, the right-most address of
/// `forwarded_for` (the `X-Forwarded-For` values, in order) that is not a trusted proxy
/// itself; else `peer`.
pub fn client(peer: IpAddr, forwarded_for: &[&str], trusted: &[Block]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|b| b.contains(ip));
    if !is_trusted(peer) {
        return plain(peer);
    }
    let hops: Vec<IpAddr> = forwarded_for
        .iter()
        .flat_map(|value| value.split(','))
        .filter_map(|hop| hop.trim().parse::<IpAddr>().ok())
        .collect();
    hops.iter()
        .rev()
        .copied()
        .find(|&ip| !is_trusted(ip))
        .map_or(plain(peer), plain)
}

/// The key a client's limits count under: its IPv4 address, or its IPv6 /64.
pub fn limit_key(ip: IpAddr) -> String {
    match plain(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let block = std::net::Ipv6Addr::from(prefix(u128::from(v6), 64));
            format!("{block}/64")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    fn blocks(list: &[&str]) -> Vec<Block> {
        list.iter().map(|b| Block::parse(b).unwrap()).collect()
    }

    #[test]
    fn without_trusted_proxies_a_forwarded_header_is_ignored() {
        let forged = ["203.0.113.9"];
        assert_eq!(client(ip("198.51.100.4"), &forged, &[]), ip("198.51.100.4"));
        let trusted = blocks(&["10.0.0.0/8"]);
        assert_eq!(
            client(ip("198.51.100.4"), &forged, &trusted),
            ip("198.51.100.4"),
            "a peer that is not a trusted proxy is the client, whatever it writes"
        );
    }

    #[test]
    fn behind_trusted_proxies_the_nearest_untrusted_hop_is_the_client() {
        let trusted = blocks(&["10.0.0.0/8", "2001:db8:ffff::/48"]);
        // The client wrote a forged first entry; the load balancer appended the real one.
        let header = ["6.6.6.6, 198.51.100.4", "10.1.2.3"];
        assert_eq!(
            client(ip("10.0.0.2"), &header, &trusted),
            ip("198.51.100.4")
        );
        assert_eq!(
            client(ip("2001:db8:ffff::1"), &["2001:db8:1:2::7"], &trusted),
            ip("2001:db8:1:2::7")
        );
        assert_eq!(
            client(ip("10.0.0.2"), &["not an address", "10.9.9.9"], &trusted),
            ip("10.0.0.2"),
            "only trusted hops: the proxy itself"
        );
        assert_eq!(client(ip("10.0.0.2"), &[], &trusted), ip("10.0.0.2"));
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64_block_and_a_mapped_ipv4_as_ipv4() {
        assert_eq!(limit_key(ip("2001:db8:1:2:aaaa::1")), "2001:db8:1:2::/64");
        assert_eq!(
            limit_key(ip("2001:db8:1:2:aaaa::1")),
            limit_key(ip("2001:db8:1:2:ffff:ffff:ffff:ffff"))
        );
        assert_ne!(
            limit_key(ip("2001:db8:1:2::1")),
            limit_key(ip("2001:db8:1:3::1"))
        );
        assert_eq!(limit_key(ip("::ffff:192.0.2.7")), "192.0.2.7");
        assert_eq!(limit_key(ip("192.0.2.7")), "192.0.2.7");
    }

    #[test]
    fn blocks_parse_with_or_without_a_prefix_and_refuse_nonsense() {
        assert!(Block::parse("10.0.0.0/8")
            .unwrap()
            .contains(ip("10.200.1.1")));
        assert!(!Block::parse("10.0.0.0/8").unwrap().contains(ip("11.0.0.1")));
        assert!(Block::parse("192.0.2.7")
            .unwrap()
            .contains(ip("::ffff:192.0.2.7")));
        assert!(Block::parse("0.0.0.0/0").unwrap().contains(ip("8.8.8.8")));
        assert!(!Block::parse("0.0.0.0/0").unwrap().contains(ip("::1")));
        for bad in ["10.0.0.0/33", "fe80::/129", "example.com", "10.0.0.0/x", ""] {
            assert!(Block::parse(bad).is_err(), "{bad}");
        }
    }
}
