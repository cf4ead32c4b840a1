//! `kist network create`: checks the name, driver, subnet and gateway,
//! picks a free subnet and bridge name when none is given, and writes the
//! record, all under the store lock (two creates never get the same name
//! or subnet).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use super::{EngineError, Result, RESERVED};
use crate::engine::container::names::new_id;
use crate::engine::now_rfc3339;
use crate::store::networks::{contains, overlaps, parse_cidr, valid_name, NetworkRecord};
use crate::store::Store;

#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub name: String,
    /// `-d`: only `bridge`.
    pub driver: String,
    pub subnet: Option<String>,
    pub gateway: Option<String>,
    pub internal: bool,
    /// `--label KEY=VALUE` (or `KEY`: an empty value).
    pub labels: Vec<String>,
    /// Not supported yet: `--ip-range`, `--ipv6`, `-o`.
    pub ip_range: Option<String>,
    pub ipv6: bool,
    pub options: Vec<String>,
}

/// A subnet the host already uses: a route or an address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostNet {
    /// "route 10.0.0.0/8 on eth0", "address 192.0.2.2 on eth0".
    pub what: String,
    pub net: (Ipv4Addr, u8),
}

type Subnet = (Ipv4Addr, u8);

pub fn create(store: &Store, opts: &CreateOptions) -> Result<NetworkRecord> {
    for (given, what) in [
        (opts.ip_range.is_some(), "--ip-range"),
        (opts.ipv6, "--ipv6 (IPv6 networks)"),
        (!opts.options.is_empty(), "--opt (driver options)"),
    ] {
        if given {
            return Err(EngineError::NotSupported(what.into()));
        }
    }
    if opts.driver != "bridge" {
        return Err(EngineError::NotSupported(format!(
            "network driver {:?}",
            opts.driver
        )));
    }
    check_name(&opts.name)?;
    let labels = parse_labels(&opts.labels)?;
    let given = opts.subnet.as_deref().map(parse_subnet).transpose()?;
    if given.is_none() && opts.gateway.is_some() {
        return Err(EngineError::Invalid(
            "--gateway needs a --subnet to belong to\nhint: give both, such as --subnet 10.89.5.0/24 --gateway 10.89.5.1".into(),
        ));
    }
    let _lock = store.lock()?;
    let nets = store.list_networks()?;
    if nets.iter().any(|n| n.name == opts.name) {
        return Err(EngineError::Conflict(format!(
            "network with name {} already exists\nhint: kist network rm {0}, or choose another name",
            opts.name
        )));
    }
    let taken: Vec<(String, Subnet)> = nets
        .iter()
        .filter_map(|n| Some((n.name.clone(), n.subnet_parts()?)))
        .collect();
    let host = host_networks();
    let subnet = match given {
        Some(s) => {
            check_subnet(s, &taken, &host)?;
            s
        }
        None => first_free(&taken, &host).ok_or_else(|| {
            EngineError::Invalid(
                "no free subnet among 10.89.1.0/24 … 10.89.255.0/24 (kist networks and the host's routes use them)\nhint: give one with --subnet".into(),
            )
        })?,
    };
    let gateway = gateway_for(subnet, opts.gateway.as_deref())?;
    let used: Vec<String> = nets.iter().map(|n| n.interface.clone()).collect();
    let id = new_id();
    let rec = NetworkRecord {
        name: opts.name.clone(),
        interface: free_interface(&id, &used, |n| {
            std::path::Path::new("/sys/class/net").join(n).exists()
        }),
        id,
        created: now_rfc3339(),
        driver: opts.driver.clone(),
        subnet: format!("{}/{}", subnet.0, subnet.1),
        gateway: gateway.to_string(),
        internal: opts.internal,
        labels,
        dns_enabled: true,
    };
    store.write_network(&rec)?;
    Ok(rec)
}

fn check_name(name: &str) -> Result<()> {
    if !valid_name(name) {
        return Err(EngineError::Invalid(format!(
            "invalid network name {name:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        )));
    }
    if RESERVED.contains(&name) {
        let why = match super::is_predefined(name) {
            true => "a pre-defined network",
            false => "a --network keyword",
        };
        return Err(EngineError::Invalid(format!(
            "network name {name:?} is reserved: it is {why}\nhint: choose another name"
        )));
    }
    Ok(())
}

fn parse_labels(items: &[String]) -> Result<BTreeMap<String, String>> {
    let mut labels = BTreeMap::new();
    for l in items {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        if k.is_empty() {
            return Err(EngineError::Invalid(format!(
                "invalid label {l:?}: the key is empty\nhint: give KEY=VALUE"
            )));
        }
        labels.insert(k.to_string(), v.to_string());
    }
    Ok(labels)
}

/// A `--subnet`: IPv4, the network's own address, prefix 8 to 30.
fn parse_subnet(s: &str) -> Result<Subnet> {
    let bad = |why: &str| {
        EngineError::Invalid(format!(
            "invalid subnet {s:?}: {why}\nhint: give an IPv4 network such as 10.89.5.0/24"
        ))
    };
    let (net, len) = parse_cidr(s).ok_or_else(|| bad("not an IPv4 address/prefix length"))?;
    if !(8..=30).contains(&len) {
        return Err(bad("the prefix length must be between 8 and 30"));
    }
    if s.split('/').next() != Some(net.to_string().as_str()) {
        return Err(bad(&format!(
            "the address is not the network's ({net}/{len})"
        )));
    }
    let unusable = [
        ("0.0.0.0/8", "this-network range"),
        ("127.0.0.0/8", "loopback range"),
        ("169.254.0.0/16", "link-local range"),
        ("224.0.0.0/3", "multicast and reserved range"),
    ];
    for (range, what) in unusable {
        if overlaps((net, len), parse_cidr(range).expect("a valid range")) {
            return Err(bad(&format!("it overlaps the {what} {range}")));
        }
    }
    Ok((net, len))
}

/// Refuses a subnet that overlaps another kist network or the host's.
fn check_subnet(s: Subnet, taken: &[(String, Subnet)], host: &[HostNet]) -> Result<()> {
    let shown = format!("{}/{}", s.0, s.1);
    if let Some((name, net)) = taken.iter().find(|(_, n)| overlaps(s, *n)) {
        return Err(EngineError::Invalid(format!(
            "subnet {shown} overlaps network {name} ({}/{})\nhint: choose another --subnet (kist network inspect shows the subnets in use)",
            net.0, net.1
        )));
    }
    if let Some(h) = host.iter().find(|h| overlaps(s, h.net)) {
        return Err(EngineError::Invalid(format!(
            "subnet {shown} overlaps the host's {}\nhint: choose another --subnet",
            h.what
        )));
    }
    Ok(())
}

/// The first of 10.89.1.0/24 … 10.89.255.0/24 nobody uses.
fn first_free(taken: &[(String, Subnet)], host: &[HostNet]) -> Option<Subnet> {
    (1..=255u8)
        .map(|n| (Ipv4Addr::new(10, 89, n, 0), 24))
        .find(|s| check_subnet(*s, taken, host).is_ok())
}

/// The gateway: as given (inside the subnet, a host address), else the
/// subnet's first host address.
fn gateway_for(s: Subnet, given: Option<&str>) -> Result<Ipv4Addr> {
    let net = u32::from(s.0);
    let broadcast = net | (u32::MAX >> s.1);
    let Some(g) = given else {
        return Ok(Ipv4Addr::from(net + 1));
    };
    let shown = format!("{}/{}", s.0, s.1);
    let ip: Ipv4Addr = g.parse().map_err(|_| {
        EngineError::Invalid(format!(
            "invalid gateway {g:?}: not an IPv4 address\nhint: give an address of the subnet, such as {}",
            Ipv4Addr::from(net + 1)
        ))
    })?;
    if !contains(s.0, s.1, ip) {
        return Err(EngineError::Invalid(format!(
            "gateway {ip} is not in subnet {shown}\nhint: give an address of the subnet, such as {}",
            Ipv4Addr::from(net + 1)
        )));
    }
    if u32::from(ip) == net || u32::from(ip) == broadcast {
        let what = if u32::from(ip) == net {
            "network"
        } else {
            "broadcast"
        };
        return Err(EngineError::Invalid(format!(
            "gateway {ip} is the {what} address of subnet {shown}\nhint: give a host address, such as {}",
            Ipv4Addr::from(net + 1)
        )));
    }
    Ok(ip)
}

/// `kist` and the first hex digits of the network's ID (more when those
/// are taken): unique across stores too (root's and the users' bridges
/// may share the host), which `kistN` with a counter per store is not.
fn free_interface(id: &str, used: &[String], exists: impl Fn(&str) -> bool) -> String {
    (8..=11)
        .map(|n| format!("kist{}", &id[..n]))
        .find(|n| !used.contains(n) && !exists(n))
        .unwrap_or_else(|| format!("kist{}", &id[..11]))
}

/// The host's IPv4 routes (except the default route) and addresses.
pub fn host_networks() -> Vec<HostNet> {
    let table = std::fs::read_to_string("/proc/net/route").unwrap_or_default();
    let mut out = parse_routes(&table);
    if let Ok(addrs) = nix::ifaddrs::getifaddrs() {
        for a in addrs {
            if let Some(ip) = a.address.as_ref().and_then(|s| s.as_sockaddr_in()) {
                out.push(HostNet {
                    what: format!("address {} on {}", ip.ip(), a.interface_name),
                    net: (ip.ip(), 32),
                });
            }
        }
    }
    out
}

/// `/proc/net/route`'s lines (`Iface Destination Gateway Flags RefCnt Use
/// Metric Mask …`, addresses in hex, memory order), default route left out.
fn parse_routes(table: &str) -> Vec<HostNet> {
    table
        .lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            let hex = |i: usize| {
                let v = u32::from_str_radix(f.get(i)?, 16).ok()?;
                Some(Ipv4Addr::from(v.to_ne_bytes()))
            };
            let (dest, mask) = (hex(1)?, hex(7)?);
            let len = u32::from(mask).count_ones() as u8;
            (len > 0).then(|| HostNet {
                what: format!("route {dest}/{len} on {}", f[0]),
                net: (dest, len),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> Subnet {
        parse_cidr(s).unwrap()
    }

    fn host(what: &str, s: &str) -> HostNet {
        HostNet {
            what: what.into(),
            net: net(s),
        }
    }

    #[test]
    fn chooses_the_first_free_subnet() {
        assert_eq!(first_free(&[], &[]), Some(net("10.89.1.0/24")));
        let taken = vec![("a".to_string(), net("10.89.1.0/24"))];
        let h = vec![host("route 10.89.2.0/23 on eth0", "10.89.2.0/23")];
        assert_eq!(first_free(&taken, &h), Some(net("10.89.4.0/24")));
        let all = vec![host("route 10.0.0.0/8 on eth0", "10.0.0.0/8")];
        assert_eq!(first_free(&[], &all), None);
    }

    #[test]
    fn checks_given_subnets() {
        assert_eq!(parse_subnet("10.1.0.0/16").unwrap(), net("10.1.0.0/16"));
        for bad in [
            "10.1.0.0",
            "10.1.0.0/31",
            "10.0.0.0/7",
            "10.1.0.5/16",
            "x/24",
            "127.1.0.0/16",
        ] {
            assert!(parse_subnet(bad).is_err(), "{bad}");
        }
        let taken = vec![("n1".to_string(), net("10.89.1.0/24"))];
        let err = check_subnet(net("10.89.0.0/16"), &taken, &[]).unwrap_err();
        assert!(err.to_string().contains("overlaps network n1"), "{err}");
        let h = vec![host("route 192.0.2.0/24 on eth0", "192.0.2.0/24")];
        let err = check_subnet(net("192.0.2.0/25"), &[], &h).unwrap_err();
        assert!(err
            .to_string()
            .contains("the host's route 192.0.2.0/24 on eth0"));
        assert!(err.to_string().contains("hint: choose another --subnet"));
        assert!(check_subnet(net("10.90.0.0/24"), &taken, &h).is_ok());
    }

    #[test]
    fn checks_gateways() {
        let s = net("10.89.3.0/24");
        assert_eq!(gateway_for(s, None).unwrap(), Ipv4Addr::new(10, 89, 3, 1));
        assert_eq!(
            gateway_for(s, Some("10.89.3.254")).unwrap(),
            Ipv4Addr::new(10, 89, 3, 254)
        );
        let err = |g| gateway_for(s, Some(g)).unwrap_err().to_string();
        assert!(err("10.89.4.1").contains("is not in subnet 10.89.3.0/24"));
        assert!(err("10.89.3.0").contains("network address"));
        assert!(err("10.89.3.255").contains("broadcast address"));
        assert!(err("nope").contains("not an IPv4 address"));
    }

    #[test]
    fn names_labels_and_interfaces() {
        assert!(check_name("my-net").is_ok());
        assert!(check_name("-x").is_err());
        let err = check_name("bridge").unwrap_err().to_string();
        assert!(err.contains("pre-defined"), "{err}");
        assert!(check_name("pasta")
            .unwrap_err()
            .to_string()
            .contains("keyword"));
        let l = parse_labels(&["a=1".into(), "b".into(), "c=x=y".into()]).unwrap();
        assert_eq!(
            (l["a"].as_str(), l["b"].as_str(), l["c"].as_str()),
            ("1", "", "x=y")
        );
        assert!(parse_labels(&["=v".into()]).is_err());
        let id = "0123456789abcdef";
        let used = vec!["kist01234567".to_string()];
        assert_eq!(free_interface(id, &[], |_| false), "kist01234567");
        assert_eq!(free_interface(id, &used, |_| false), "kist012345678");
        assert_eq!(
            free_interface(id, &used, |n| n == "kist012345678"),
            "kist0123456789"
        );
    }

    #[test]
    fn parses_routes() {
        let table = "Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\n\
            eth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\n\
            eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\n";
        let r = parse_routes(table);
        assert_eq!(r.len(), 1);
        if cfg!(target_endian = "little") {
            assert_eq!(r[0].net, net("192.0.2.0/24"));
            assert_eq!(r[0].what, "route 192.0.2.0/24 on eth0");
        }
    }
}
