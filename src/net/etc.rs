//! The files kist manages in a container's `/etc`: `hosts` (localhost,
//! `--add-host`, `host.containers.internal` and `host.docker.internal` for
//! the host, the container's own name) and `resolv.conf` (the host's
//! nameservers the container can reach, or the helper's; `--dns`,
//! `--dns-search`, `--dns-option`).

use std::net::{IpAddr, Ipv4Addr};

use super::{Addresses, NetError, NetworkMode};

/// The names the host is reachable by from a container on the default
/// network (podman's and docker's).
pub const HOST_NAMES: &str = "host.containers.internal host.docker.internal";

/// `--add-host` value meaning the host's address as the container sees it.
pub const HOST_GATEWAY: &str = "host-gateway";

/// Checks one `--add-host NAME:IP` (or docker's newer `NAME=IP`); returns
/// it as `NAME:IP`.
pub fn parse_add_host(spec: &str) -> Result<String, NetError> {
    let split = match spec.split_once('=') {
        Some(kv) => Some(kv),
        None => spec.split_once(':'),
    };
    let bad = |why: &str| {
        NetError::Invalid(format!(
            "invalid --add-host {spec:?}: {why}\nhint: use --add-host NAME:IP, e.g. --add-host db:10.0.0.5 or --add-host host:host-gateway"
        ))
    };
    let (name, ip) = split.ok_or_else(|| bad("no address"))?;
    let ip = ip.trim_start_matches('[').trim_end_matches(']');
    if name.is_empty() || name.chars().any(|c| c.is_whitespace()) {
        return Err(bad("invalid host name"));
    }
    if ip != HOST_GATEWAY && ip.parse::<IpAddr>().is_err() {
        return Err(bad(&format!("{ip:?} is not an IP address")));
    }
    Ok(format!("{name}:{ip}"))
}

/// Checks a `--dns` server address.
pub fn parse_dns(server: &str) -> Result<String, NetError> {
    server
        .parse::<IpAddr>()
        .map(|ip| ip.to_string())
        .map_err(|_| {
            NetError::Invalid(format!(
                "invalid --dns {server:?}: not an IP address\nhint: give a nameserver's address, e.g. --dns 9.9.9.9"
            ))
        })
}

/// The `/etc/hosts` of a container. `addrs`: its address on the default
/// network (None before it starts, or on another network).
pub fn hosts(
    mode: &NetworkMode,
    hostname: &str,
    extra: &[String],
    addrs: Option<&Addresses>,
    host_hosts: &str,
) -> String {
    let gateway: Option<IpAddr> = match mode {
        NetworkMode::Host => Some(IpAddr::V4(Ipv4Addr::LOCALHOST)),
        _ => addrs.map(|a| IpAddr::V4(a.gateway)),
    };
    let mut out = match mode {
        // docker: the host's own file, as it is.
        NetworkMode::Host => {
            let mut t = host_hosts.to_string();
            if !t.is_empty() && !t.ends_with('\n') {
                t.push('\n');
            }
            t
        }
        _ => "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n".to_string(),
    };
    for e in extra {
        let Some((name, ip)) = e.split_once(':') else {
            continue;
        };
        let ip = match (ip, gateway) {
            (HOST_GATEWAY, Some(g)) => g.to_string(),
            (HOST_GATEWAY, None) => continue,
            (ip, _) => ip.to_string(),
        };
        out.push_str(&format!("{ip}\t{name}\n"));
    }
    match (mode, addrs) {
        (NetworkMode::Host, _) => {}
        (_, Some(a)) => {
            out.push_str(&format!("{}\t{HOST_NAMES}\n", a.gateway));
            out.push_str(&format!("{}\t{hostname}\n", a.ip));
        }
        (_, None) => out.push_str(&format!("127.0.0.1\t{hostname}\n")),
    }
    out
}

/// What `resolv.conf` lines the host has.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Resolv {
    pub nameservers: Vec<String>,
    pub search: Vec<String>,
    pub options: Vec<String>,
}

pub fn parse_resolv(text: &str) -> Resolv {
    let mut r = Resolv::default();
    for line in text.lines() {
        let mut f = line.split_whitespace();
        match f.next() {
            Some("nameserver") => r.nameservers.extend(f.next().map(String::from)),
            Some("search") | Some("domain") => r.search = f.map(String::from).collect(),
            Some("options") => r.options.extend(f.map(String::from)),
            _ => {}
        }
    }
    r
}

/// Nameservers of the host a container on the default network can use:
/// not those on the host's loopback (systemd-resolved, dnsmasq), which
/// are the container's own loopback there.
pub fn reachable_nameservers(host: &Resolv) -> Vec<String> {
    host.nameservers
        .iter()
        .filter(|n| n.parse::<IpAddr>().is_ok_and(|ip| !ip.is_loopback()))
        .cloned()
        .collect()
}

/// What the container's `--dns*` options ask for.
#[derive(Debug, Default, Clone)]
pub struct DnsOptions<'a> {
    pub servers: &'a [String],
    pub search: &'a [String],
    pub options: &'a [String],
}

/// The `/etc/resolv.conf` of a container. `addrs`: on the default network
/// (its helper's nameserver, if any, replaces the host's when the host has
/// none the container can reach).
pub fn resolv_conf(
    mode: &NetworkMode,
    host_text: &str,
    dns: &DnsOptions,
    addrs: Option<&Addresses>,
) -> String {
    let private = matches!(mode, NetworkMode::Private(_) | NetworkMode::Bridge(_));
    if !private && dns.servers.is_empty() && dns.search.is_empty() && dns.options.is_empty() {
        return host_text.to_string();
    }
    let host = parse_resolv(host_text);
    let servers: Vec<String> = match (dns.servers, mode, addrs.and_then(|a| a.dns)) {
        (s, _, _) if !s.is_empty() => s.to_vec(),
        (_, NetworkMode::Private(super::Backend::Slirp4netns), Some(d)) => vec![d.to_string()],
        // aardvark-dns on the bridge: names of the network, and the rest.
        (_, NetworkMode::Bridge(_), Some(d)) => vec![d.to_string()],
        (_, NetworkMode::Private(_), helper) => {
            let r = reachable_nameservers(&host);
            match (r.is_empty(), helper) {
                (true, Some(d)) => vec![d.to_string()],
                _ => r,
            }
        }
        _ => host.nameservers.clone(),
    };
    let search: Vec<String> = match dns.search {
        [] => host.search.clone(),
        // docker: `--dns-search .` means none.
        [dot] if dot == "." => vec![],
        s => s.to_vec(),
    };
    let options = match dns.options {
        [] => host.options.clone(),
        o => o.to_vec(),
    };
    let mut out = String::new();
    if !search.is_empty() {
        out.push_str(&format!("search {}\n", search.join(" ")));
    }
    for s in servers {
        out.push_str(&format!("nameserver {s}\n"));
    }
    if !options.is_empty() {
        out.push_str(&format!("options {}\n", options.join(" ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::net::Backend;

    fn addrs(dns: Option<Ipv4Addr>) -> Addresses {
        Addresses {
            ip: Ipv4Addr::new(10, 0, 2, 100),
            prefix_len: 24,
            gateway: Ipv4Addr::new(10, 0, 2, 2),
            dns,
        }
    }

    #[test]
    fn add_host() {
        assert_eq!(parse_add_host("db:10.0.0.5").unwrap(), "db:10.0.0.5");
        assert_eq!(parse_add_host("db=10.0.0.5").unwrap(), "db:10.0.0.5");
        assert_eq!(parse_add_host("v6:::1").unwrap(), "v6:::1");
        assert_eq!(parse_add_host("v6=[::1]").unwrap(), "v6:::1");
        assert_eq!(parse_add_host("h:host-gateway").unwrap(), "h:host-gateway");
        for bad in ["db", "db:", ":1.2.3.4", "db:notanip"] {
            assert!(parse_add_host(bad).is_err(), "{bad}");
        }
        assert!(parse_dns("1.1.1.1").is_ok() && parse_dns("dns.example").is_err());
    }

    #[test]
    fn hosts_files() {
        let mode = NetworkMode::Private(Backend::Slirp4netns);
        let extra = ["db:10.0.0.5".to_string(), "me:host-gateway".to_string()];
        let h = hosts(&mode, "abc", &extra, Some(&addrs(None)), "");
        assert_eq!(
            h,
            "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.0.0.5\tdb\n10.0.2.2\tme\n10.0.2.2\thost.containers.internal host.docker.internal\n10.0.2.100\tabc\n"
        );
        let h = hosts(&NetworkMode::None, "abc", &[], None, "");
        assert!(h.ends_with("127.0.0.1\tabc\n"), "{h}");
        let h = hosts(
            &NetworkMode::Host,
            "abc",
            &extra,
            None,
            "127.0.0.1 localhost",
        );
        assert_eq!(h, "127.0.0.1 localhost\n10.0.0.5\tdb\n127.0.0.1\tme\n");
    }

    #[test]
    fn resolv_files() {
        let host =
            "search example.com\nnameserver 127.0.0.53\nnameserver 10.1.1.1\noptions edns0\n";
        let pasta = NetworkMode::Private(Backend::Pasta);
        let none = DnsOptions::default();
        assert_eq!(
            resolv_conf(&pasta, host, &none, Some(&addrs(None))),
            "search example.com\nnameserver 10.1.1.1\noptions edns0\n"
        );
        let only_local = "nameserver 127.0.0.53\n";
        let fwd = Some(Ipv4Addr::new(169, 254, 1, 1));
        assert_eq!(
            resolv_conf(&pasta, only_local, &none, Some(&addrs(fwd))),
            "nameserver 169.254.1.1\n"
        );
        let slirp = NetworkMode::Private(Backend::Slirp4netns);
        let d = Some(Ipv4Addr::new(10, 0, 2, 3));
        assert_eq!(
            resolv_conf(&slirp, host, &none, Some(&addrs(d))),
            "search example.com\nnameserver 10.0.2.3\noptions edns0\n"
        );
        let servers = ["9.9.9.9".to_string()];
        let search = [".".to_string()];
        let options = ["ndots:2".to_string()];
        let mine = DnsOptions {
            servers: &servers,
            search: &search,
            options: &options,
        };
        assert_eq!(
            resolv_conf(&NetworkMode::None, host, &mine, None),
            "nameserver 9.9.9.9\noptions ndots:2\n"
        );
        assert_eq!(resolv_conf(&NetworkMode::Host, host, &none, None), host);
    }
}
