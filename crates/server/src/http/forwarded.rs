//! Who a request comes from, behind reverse proxies: `X-Forwarded-For` believed only as far as
//! trusted proxies wrote it.
//!
//! Every proxy appends the address it saw, to the last line or as a line of its own, so the
//! header's lines are read in order as one list and walked from the right: the first address
//! that is not a trusted proxy is the one the last trusted proxy saw. Whatever lies to its left
//! was written by the client and is never believed.

use std::net::IpAddr;

/// An address or CIDR block of a trusted proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net {
    addr: IpAddr,
    prefix: u8,
}

impl Net {
    pub fn parse(s: &str) -> Option<Self> {
        let (a, p) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr: IpAddr = a.trim().parse().ok()?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match p {
            Some(p) => p.trim().parse::<u8>().ok().filter(|p| *p <= max)?,
            None => max,
        };
        Some(Net { addr, prefix })
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(n), IpAddr::V4(i)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(n) & mask == u32::from(i) & mask
            }
            (IpAddr::V6(n), IpAddr::V6(i)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(n) & mask == u128::from(i) & mask
            }
            _ => false,
        }
    }
}

/// The trusted proxies, from `limits.trusted_proxies`.
#[derive(Debug, Clone, Default)]
pub struct TrustedProxies(Vec<Net>);

/// One entry of the list: a bare address, `v4:port` or `[v6]:port` (some proxies add the port).
fn hop(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim();
    if let Ok(ip) = entry.parse() {
        return Some(ip);
    }
    if let Some(rest) = entry.strip_prefix('[') {
        return rest.split_once(']')?.0.parse().ok();
    }
    let (addr, port) = entry.rsplit_once(':')?;
    port.parse::<u16>().ok()?;
    addr.parse::<std::net::Ipv4Addr>().ok().map(IpAddr::V4)
}

impl TrustedProxies {
    pub fn new<S: AsRef<str>>(entries: &[S]) -> Self {
        TrustedProxies(
            entries
                .iter()
                .filter_map(|e| Net::parse(e.as_ref()))
                .collect(),
        )
    }

    fn trusted(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// The client: the peer itself unless it is a trusted proxy; behind trusted proxies, the
    /// address the last of them saw. `lines` are the `X-Forwarded-For` header lines in the
    /// order they arrived; `None` stands for a line that is not readable text.
    pub fn client<'a>(
        &self,
        peer: IpAddr,
        lines: impl DoubleEndedIterator<Item = Option<&'a str>>,
    ) -> IpAddr {
        if !self.trusted(peer) {
            return peer;
        }
        for line in lines.rev() {
            let Some(line) = line else {
                // Not text: no trusted proxy wrote that, so nothing to its left is believed.
                return peer;
            };
            for entry in line.rsplit(',') {
                if entry.trim().is_empty() {
                    continue;
                }
                match hop(entry) {
                    Some(ip) if self.trusted(ip) => continue,
                    Some(ip) => return ip,
                    // A malformed entry: stop believing the chain from here.
                    None => return peer,
                }
            }
        }
        peer
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().expect("ip")
    }

    fn proxies() -> TrustedProxies {
        TrustedProxies::new(&["10.0.0.0/8", "::1"])
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let p = proxies();
        let outsider = ip("198.51.100.1");
        let proxy = ip("10.1.2.3");
        assert_eq!(
            p.client(outsider, [Some("203.0.113.9")].into_iter()),
            outsider
        );
        assert_eq!(
            p.client(proxy, [Some("203.0.113.9, 10.9.9.9")].into_iter()),
            ip("203.0.113.9")
        );
        assert_eq!(p.client(proxy, [Some("garbage")].into_iter()), proxy);
        assert_eq!(p.client(proxy, std::iter::empty()), proxy);
    }

    #[test]
    fn every_header_line_is_read_in_order_and_the_last_proxy_decides() {
        let p = proxies();
        let proxy = ip("10.1.2.3");
        let cases: &[(&str, &[Option<&str>], &str)] = &[
            (
                "a spoofed first line, the proxy's own line after it",
                &[Some("192.0.2.66"), Some("203.0.113.9")],
                "203.0.113.9",
            ),
            (
                "two proxies, each adding a line",
                &[Some("192.0.2.66"), Some("203.0.113.9"), Some("10.4.4.4")],
                "203.0.113.9",
            ),
            (
                "a spoofed trusted address to the left is never reached",
                &[Some("10.7.7.7"), Some("203.0.113.9")],
                "203.0.113.9",
            ),
            (
                "an appended entry on the same line",
                &[Some("192.0.2.66, 203.0.113.9")],
                "203.0.113.9",
            ),
            (
                "ports and brackets, as some proxies write them",
                &[Some("[2001:db8::7]:443"), Some("10.2.2.2:8080")],
                "2001:db8::7",
            ),
            (
                "IPv4 with a port",
                &[Some("203.0.113.9:51234")],
                "203.0.113.9",
            ),
            (
                "junk to the left of the proxy's entry is never read",
                &[Some("not an address"), Some("203.0.113.9")],
                "203.0.113.9",
            ),
            (
                "an unreadable line nearest the proxy: the proxy itself",
                &[Some("203.0.113.9"), None],
                "10.1.2.3",
            ),
            (
                "empty lines are skipped",
                &[Some("203.0.113.9"), Some(" ")],
                "203.0.113.9",
            ),
            (
                "nothing but proxies in the chain: the peer",
                &[Some("10.3.3.3")],
                "10.1.2.3",
            ),
        ];
        for (why, lines, want) in cases {
            assert_eq!(p.client(proxy, lines.iter().copied()), ip(want), "{why}");
        }
    }

    #[test]
    fn cidr_blocks_match() {
        let n = Net::parse("192.168.0.0/16").expect("net");
        assert!(n.contains(ip("192.168.200.1")));
        assert!(!n.contains(ip("192.169.0.1")));
        assert!(Net::parse("0.0.0.0/0")
            .expect("net")
            .contains(ip("8.8.8.8")));
        assert!(Net::parse("::/0").expect("net").contains(ip("2001:db8::1")));
        assert!(Net::parse("10.0.0.0/33").is_none());
        assert!(Net::parse("nonsense").is_none());
    }
}
