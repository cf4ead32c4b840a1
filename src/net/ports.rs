//! Published ports: docker's `-p [IP:][HOST_PORT:]CONTAINER_PORT[/PROTO]`
//! (ranges, IPv6 in brackets) and `--expose`, parsed into docker's
//! `PortBindings`; at start, host ports chosen (free ones for an empty or
//! ranged HostPort) and checked by binding them, so a port in use is
//! refused before the container runs; and the texts `port`, `ps` and
//! `inspect` show.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, UdpSocket};

use super::NetError;
use crate::store::containers::PortBinding;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Proto {
    Tcp,
    Udp,
}

impl Proto {
    pub fn name(self) -> &'static str {
        match self {
            Proto::Tcp => "tcp",
            Proto::Udp => "udp",
        }
    }

    fn parse(s: &str) -> Result<Proto, NetError> {
        match s.to_ascii_lowercase().as_str() {
            "" | "tcp" => Ok(Proto::Tcp),
            "udp" => Ok(Proto::Udp),
            "sctp" => Err(NetError::NotSupported(
                "publishing sctp ports".into(),
                String::new(),
            )),
            _ => Err(NetError::Invalid(format!(
                "invalid protocol {s:?}\nhint: use tcp or udp"
            ))),
        }
    }
}

/// A container port key as docker writes it (`80/tcp`), parsed.
pub fn parse_key(key: &str) -> Option<(u16, Proto)> {
    let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
    Some((
        port.parse().ok().filter(|p| *p > 0)?,
        Proto::parse(proto).ok()?,
    ))
}

fn key(port: u16, proto: Proto) -> String {
    format!("{port}/{}", proto.name())
}

const SYNTAX: &str = "hint: use -p [IP:][HOST_PORT:]CONTAINER_PORT[/tcp|udp], e.g. -p 8080:80 or -p 127.0.0.1:5353:53/udp";

fn invalid(spec: &str, why: &str) -> NetError {
    NetError::Invalid(format!(
        "invalid port specification {spec:?}: {why}\n{SYNTAX}"
    ))
}

/// `N` or `N-M`, ports 1..=65535.
fn range(spec: &str, text: &str) -> Result<(u16, u16), NetError> {
    let port = |t: &str| {
        t.parse::<u16>()
            .ok()
            .filter(|p| *p > 0)
            .ok_or_else(|| invalid(spec, &format!("{t:?} is not a port number")))
    };
    let (a, b) = match text.split_once('-') {
        Some((a, b)) => (port(a)?, port(b)?),
        None => {
            let p = port(text)?;
            (p, p)
        }
    };
    if a > b {
        return Err(invalid(spec, &format!("the range {text} is reversed")));
    }
    Ok((a, b))
}

/// Parses one `-p`: the container ports (`80/tcp`) and their host
/// bindings, one per container port.
pub fn parse_publish(spec: &str) -> Result<Vec<(String, PortBinding)>, NetError> {
    let (rest, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, Proto::parse(p)?),
        None => (spec, Proto::Tcp),
    };
    let (ip, rest) = match rest.strip_prefix('[') {
        Some(r) => {
            let (ip, after) = r
                .split_once("]:")
                .ok_or_else(|| invalid(spec, "an IPv6 address in brackets needs :PORT after it"))?;
            (ip.to_string(), after)
        }
        None => match rest.matches(':').count() {
            0 | 1 => (String::new(), rest),
            2 => {
                let (ip, r) = rest.split_once(':').unwrap_or_default();
                (ip.to_string(), r)
            }
            _ => {
                return Err(invalid(
                    spec,
                    "put an IPv6 address in brackets: [::1]:8080:80",
                ))
            }
        },
    };
    if !ip.is_empty() && ip.parse::<IpAddr>().is_err() {
        return Err(invalid(spec, &format!("{ip:?} is not an IP address")));
    }
    let (host, container) = match rest.split_once(':') {
        Some((h, c)) => (h, c),
        None => ("", rest),
    };
    let (c0, c1) = range(spec, container)?;
    let host = match host {
        "" => None,
        h => Some(range(spec, h)?),
    };
    let count = c1 - c0;
    let mut out = Vec::new();
    for (i, c) in (c0..=c1).enumerate() {
        let host_port = match host {
            None => String::new(),
            // One container port, a host range: one free port of it.
            Some((h0, h1)) if count == 0 && h1 > h0 => format!("{h0}-{h1}"),
            Some((h0, h1)) if h1 - h0 == count => (h0 + i as u16).to_string(),
            Some(_) => {
                return Err(invalid(
                    spec,
                    "the host and container ranges must have the same length",
                ))
            }
        };
        out.push((
            key(c, proto),
            PortBinding {
                host_ip: ip.clone(),
                host_port,
            },
        ));
    }
    Ok(out)
}

/// Parses one `--expose` (`80`, `80/udp`, `8000-8010/tcp`).
pub fn parse_expose(spec: &str) -> Result<Vec<String>, NetError> {
    let (ports, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, Proto::parse(p)?),
        None => (spec, Proto::Tcp),
    };
    let bad = || {
        NetError::Invalid(format!("invalid --expose {spec:?}\nhint: use PORT[/tcp|udp] or a range, e.g. --expose 8000-8010/udp"))
    };
    let (a, b) = range(spec, ports).map_err(|_| bad())?;
    Ok((a..=b).map(|p| key(p, proto)).collect())
}

/// A port as published at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub container_port: u16,
    pub proto: Proto,
    /// None: every address of the host.
    pub host_ip: Option<IpAddr>,
    pub host_port: u16,
}

impl Published {
    /// docker's `NetworkSettings.Ports` entry.
    pub fn binding(&self) -> PortBinding {
        PortBinding {
            host_ip: self
                .host_ip
                .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
                .to_string(),
            host_port: self.host_port.to_string(),
        }
    }
}

/// The ports a container publishes now: its bindings with host ports
/// chosen, and with `publish_all` every other exposed port on a free host
/// port. Each host port is bound once to check that it is free (and
/// allowed): a port in use fails here, before the container starts.
pub fn resolve(
    bindings: &BTreeMap<String, Vec<PortBinding>>,
    exposed: &BTreeSet<String>,
    publish_all: bool,
) -> Result<Vec<Published>, NetError> {
    let mut wanted: Vec<(u16, Proto, PortBinding)> = Vec::new();
    for (k, list) in bindings {
        let (port, proto) = parse_key(k).ok_or_else(|| {
            NetError::Invalid(format!("invalid port {k:?} in the container's record"))
        })?;
        for b in list {
            wanted.push((port, proto, b.clone()));
        }
    }
    if publish_all {
        for k in exposed {
            if !bindings.contains_key(k) {
                if let Some((port, proto)) = parse_key(k) {
                    wanted.push((port, proto, PortBinding::default()));
                }
            }
        }
    }
    let mut out: Vec<Published> = Vec::new();
    // Explicit ports first, so that a free port chosen for another cannot
    // take one of them.
    wanted.sort_by_key(|(_, _, b)| b.host_port.is_empty());
    for (port, proto, b) in wanted {
        let ip: Option<IpAddr> = match b.host_ip.as_str() {
            "" => None,
            s => Some(s.parse().map_err(|_| {
                NetError::Invalid(format!(
                    "invalid host IP {s:?} for port {}",
                    key(port, proto)
                ))
            })?),
        };
        let taken = |h: u16| {
            out.iter()
                .any(|p| p.proto == proto && p.host_port == h && overlaps(p.host_ip, ip))
        };
        let host_port = match b.host_port.split_once('-') {
            _ if b.host_port.is_empty() => probe(proto, ip, 0)?,
            Some((a, z)) => {
                let (a, z): (u16, u16) = (a.parse().unwrap_or(0), z.parse().unwrap_or(0));
                (a..=z)
                    .filter(|h| !taken(*h))
                    .find_map(|h| probe(proto, ip, h).ok())
                    .ok_or_else(|| {
                        NetError::Port(format!(
                            "no free host port in {a}-{z}/{} for container port {port}\nhint: choose another range",
                            proto.name()
                        ))
                    })?
            }
            None => {
                let h: u16 = b.host_port.parse().map_err(|_| {
                    NetError::Invalid(format!("invalid host port {:?}", b.host_port))
                })?;
                if taken(h) {
                    return Err(NetError::Port(format!(
                        "host port {h}/{} is published twice\nhint: give each -p its own host port",
                        proto.name()
                    )));
                }
                probe(proto, ip, h)?
            }
        };
        out.push(Published {
            container_port: port,
            proto,
            host_ip: ip,
            host_port,
        });
    }
    out.sort_by_key(|p| (p.container_port, p.proto, p.host_port));
    Ok(out)
}

fn overlaps(a: Option<IpAddr>, b: Option<IpAddr>) -> bool {
    match (a, b) {
        (Some(x), Some(y)) => x == y,
        _ => true,
    }
}

/// Binds `port` (0: any free one) on the host and lets it go again;
/// returns the port.
fn probe(proto: Proto, ip: Option<IpAddr>, port: u16) -> Result<u16, NetError> {
    let addr = SocketAddr::new(ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), port);
    let bound = match proto {
        Proto::Tcp => TcpListener::bind(addr).and_then(|l| l.local_addr()),
        Proto::Udp => UdpSocket::bind(addr).and_then(|s| s.local_addr()),
    };
    bound
        .map(|a| a.port())
        .map_err(|e| bind_error(e, proto, ip, port))
}

/// Binds the published host ports and keeps them bound (not listening)
/// for as long as the sockets live: where the kernel forwards a port
/// (the bridge's DNAT) nothing listens on it, and without them another
/// container or program could take it while the container runs.
pub fn hold(published: &[Published]) -> Result<Vec<std::os::fd::OwnedFd>, NetError> {
    use nix::sys::socket::{bind, socket, AddressFamily, SockFlag, SockType, SockaddrStorage};
    published
        .iter()
        .map(|p| {
            let addr = SocketAddr::new(
                p.host_ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)),
                p.host_port,
            );
            let family = match addr {
                SocketAddr::V4(_) => AddressFamily::Inet,
                SocketAddr::V6(_) => AddressFamily::Inet6,
            };
            let kind = match p.proto {
                Proto::Tcp => SockType::Stream,
                Proto::Udp => SockType::Datagram,
            };
            let fail = |e: nix::Error| bind_error(e.into(), p.proto, p.host_ip, p.host_port);
            let fd = socket(family, kind, SockFlag::SOCK_CLOEXEC, None).map_err(fail)?;
            bind(
                std::os::fd::AsRawFd::as_raw_fd(&fd),
                &SockaddrStorage::from(addr),
            )
            .map_err(fail)?;
            Ok(fd)
        })
        .collect()
}

fn bind_error(e: std::io::Error, proto: Proto, ip: Option<IpAddr>, port: u16) -> NetError {
    let shown = || match ip {
        Some(IpAddr::V6(v6)) => format!("[{v6}]:{port}/{}", proto.name()),
        Some(v4) => format!("{v4}:{port}/{}", proto.name()),
        None => format!("{port}/{}", proto.name()),
    };
    match e.kind() {
        std::io::ErrorKind::AddrInUse => NetError::Port(format!(
            "host port {} is already in use\nhint: choose another host port, or stop what listens on it (ss -lntup 'sport = {port}')",
            shown()
        )),
        std::io::ErrorKind::PermissionDenied => {
            let start = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|_| "1024".into());
            NetError::Port(format!(
                "cannot publish host port {}: ports below {start} need privileges\nhint: publish a higher host port (-p 8080:{port}), or allow it: sysctl net.ipv4.ip_unprivileged_port_start={port}",
                shown()
            ))
        }
        std::io::ErrorKind::AddrNotAvailable => NetError::Port(format!(
            "cannot publish host port {}: the address is not one of this host's\nhint: use an address of this host, or none for all of them",
            shown()
        )),
        _ => NetError::Port(format!("cannot bind host port {}: {e}", shown())),
    }
}

/// `IP:PORT` as docker prints a host endpoint (`[::1]:8080` for IPv6).
pub fn endpoint(b: &PortBinding) -> String {
    let ip = if b.host_ip.is_empty() {
        "0.0.0.0"
    } else {
        b.host_ip.as_str()
    };
    match ip.contains(':') {
        true => format!("[{ip}]:{}", b.host_port),
        false => format!("{ip}:{}", b.host_port),
    }
}

/// `kist port` lines: `80/tcp -> 0.0.0.0:8080`, in port order.
pub fn port_lines(ports: &BTreeMap<String, Vec<PortBinding>>) -> Vec<(String, String)> {
    let mut keys: Vec<&String> = ports.keys().collect();
    keys.sort_by_key(|k| parse_key(k));
    keys.into_iter()
        .flat_map(|k| ports[k].iter().map(move |b| (k.clone(), endpoint(b))))
        .collect()
}

/// docker's `ps` PORTS column: `0.0.0.0:8080->80/tcp, 443/tcp`.
pub fn ps_column(ports: &BTreeMap<String, Vec<PortBinding>>, exposed: &BTreeSet<String>) -> String {
    let mut keys: Vec<&String> = ports.keys().chain(exposed.iter()).collect();
    keys.sort_by_key(|k| parse_key(k));
    keys.dedup();
    let mut parts = Vec::new();
    for k in keys {
        match ports.get(k).filter(|l| !l.is_empty()) {
            Some(list) => parts.extend(list.iter().map(|b| format!("{}->{k}", endpoint(b)))),
            None => parts.push(k.clone()),
        }
    }
    parts.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pb(ip: &str, port: &str) -> PortBinding {
        PortBinding {
            host_ip: ip.into(),
            host_port: port.into(),
        }
    }

    #[test]
    fn docker_syntax() {
        let p = |s: &str| parse_publish(s).unwrap();
        assert_eq!(p("80"), [("80/tcp".to_string(), pb("", ""))]);
        assert_eq!(p("8080:80"), [("80/tcp".to_string(), pb("", "8080"))]);
        assert_eq!(
            p("127.0.0.1:5353:53/udp"),
            [("53/udp".to_string(), pb("127.0.0.1", "5353"))]
        );
        assert_eq!(
            p("127.0.0.1::80"),
            [("80/tcp".to_string(), pb("127.0.0.1", ""))]
        );
        assert_eq!(
            p("[::1]:8080:80"),
            [("80/tcp".to_string(), pb("::1", "8080"))]
        );
        assert_eq!(
            p("8000-8001:80-81"),
            [
                ("80/tcp".to_string(), pb("", "8000")),
                ("81/tcp".to_string(), pb("", "8001"))
            ]
        );
        assert_eq!(
            p("8000-8010:80"),
            [("80/tcp".to_string(), pb("", "8000-8010"))]
        );
        assert_eq!(p("90-91").len(), 2);
        for bad in [
            "",
            "x",
            "0",
            "70000",
            "8000-8002:80-81",
            "80:81:82:83",
            "1.2.3:80:80",
            "9-8",
            "80/sctp",
            "80/xyz",
        ] {
            assert!(parse_publish(bad).is_err(), "{bad}");
        }
        let e = parse_publish("8000-8002:80-81").unwrap_err().to_string();
        assert!(e.contains("hint: use -p"), "{e}");
        assert_eq!(parse_expose("53/udp").unwrap(), ["53/udp"]);
        assert_eq!(parse_expose("80-81").unwrap(), ["80/tcp", "81/tcp"]);
        assert!(parse_expose("http").is_err());
    }

    #[test]
    fn free_ports_and_conflicts() {
        let busy = TcpListener::bind("127.0.0.1:0").unwrap();
        let busy_port = busy.local_addr().unwrap().port();
        let mut b = BTreeMap::new();
        b.insert(
            "80/tcp".to_string(),
            vec![pb("127.0.0.1", &busy_port.to_string())],
        );
        let e = resolve(&b, &BTreeSet::new(), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("already in use"), "{e}");
        assert!(e.contains(&busy_port.to_string()), "{e}");
        drop(busy);
        // An empty host port gets a free one; -P adds the exposed ports.
        let mut b = BTreeMap::new();
        b.insert("80/tcp".to_string(), vec![pb("127.0.0.1", "")]);
        let exposed: BTreeSet<String> = ["80/tcp", "53/udp"].map(String::from).into();
        let got = resolve(&b, &exposed, true).unwrap();
        assert_eq!(got.len(), 2);
        assert!(got.iter().all(|p| p.host_port > 0));
        assert_eq!(got[0].container_port, 53);
        assert_eq!(got[0].proto, Proto::Udp);
        assert_eq!(got[1].host_ip, Some("127.0.0.1".parse().unwrap()));
        // The same host port twice.
        let free = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let mut b = BTreeMap::new();
        b.insert(
            "80/tcp".to_string(),
            vec![pb("127.0.0.1", &free.to_string())],
        );
        b.insert("81/tcp".to_string(), vec![pb("", &free.to_string())]);
        let e = resolve(&b, &BTreeSet::new(), false)
            .unwrap_err()
            .to_string();
        assert!(e.contains("published twice"), "{e}");
    }

    #[test]
    fn texts() {
        let mut ports = BTreeMap::new();
        ports.insert("80/tcp".to_string(), vec![pb("0.0.0.0", "8080")]);
        ports.insert("53/udp".to_string(), vec![pb("::1", "5353")]);
        let lines = port_lines(&ports);
        assert_eq!(
            lines,
            [
                ("53/udp".to_string(), "[::1]:5353".to_string()),
                ("80/tcp".to_string(), "0.0.0.0:8080".to_string())
            ]
        );
        let exposed: BTreeSet<String> = ["443/tcp", "80/tcp"].map(String::from).into();
        assert_eq!(
            ps_column(&ports, &exposed),
            "[::1]:5353->53/udp, 0.0.0.0:8080->80/tcp, 443/tcp"
        );
    }
}
