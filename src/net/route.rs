//! The host's IPv4 default route, its interface and address: what pasta
//! copies into the container (so that the container's address is the
//! host's, and its gateway the host's gateway).

use std::net::Ipv4Addr;

/// The host side pasta copies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostRoute {
    pub interface: String,
    pub address: Ipv4Addr,
    pub prefix_len: u8,
    pub gateway: Ipv4Addr,
}

/// The default route with the lowest metric, from `/proc/net/route`
/// (lines `Iface Destination Gateway Flags RefCnt Use Metric Mask …`,
/// addresses as hex in memory order).
fn default_route(table: &str) -> Option<(String, Ipv4Addr)> {
    table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let (iface, dest, gw, metric, mask) =
                (f.first()?, f.get(1)?, f.get(2)?, f.get(6)?, f.get(7)?);
            let hex = |s: &str| u32::from_str_radix(s, 16).ok();
            let up = hex(f.get(3)?)? & 1 != 0;
            (up && hex(dest)? == 0 && hex(mask)? == 0).then(|| {
                let gw = Ipv4Addr::from(hex(gw)?.to_ne_bytes());
                Some((
                    metric.parse::<u32>().unwrap_or(u32::MAX),
                    iface.to_string(),
                    gw,
                ))
            })?
        })
        .min_by_key(|(m, _, _)| *m)
        .map(|(_, i, g)| (i, g))
}

/// The host's default route and the IPv4 address of its interface; None
/// without one (pasta then has nothing to copy).
pub fn host_route() -> Option<HostRoute> {
    let table = std::fs::read_to_string("/proc/net/route").ok()?;
    let (interface, gateway) = default_route(&table)?;
    let addrs = nix::ifaddrs::getifaddrs().ok()?;
    for a in addrs.filter(|a| a.interface_name == interface) {
        let (Some(addr), Some(mask)) = (a.address, a.netmask) else {
            continue;
        };
        if let (Some(ip), Some(mask)) = (addr.as_sockaddr_in(), mask.as_sockaddr_in()) {
            return Some(HostRoute {
                interface,
                address: ip.ip(),
                prefix_len: u32::from(mask.ip()).count_ones() as u8,
                gateway,
            });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_route_table() {
        let table =
            "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n\
            eth1\t00000000\t0102A8C0\t0003\t0\t0\t600\t00000000\t0\t0\t0\n\
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n\
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n";
        let (iface, gw) = default_route(table).unwrap();
        if cfg!(target_endian = "little") {
            assert_eq!((iface.as_str(), gw), ("eth0", Ipv4Addr::new(192, 0, 2, 1)));
        }
        assert!(default_route("Iface\tDestination\n").is_none());
    }
}
