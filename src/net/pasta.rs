//! pasta (the `passt` package): joins the container's user and network
//! namespaces, creates `eth0` there with the host's address, routes and
//! gateway (`--config-net`), and translates the container's traffic into
//! ordinary sockets of the host. Connections to the gateway address reach
//! the host's loopback: that address is `host.containers.internal`.
//! Published ports are its `-t`/`-u` forwards; local connections to them
//! are spliced between sockets, without a trip through the tap device.
//!
//! It runs in the foreground (`-f`): its pid file, a FIFO, says when it is
//! ready. Rootless it is given the container's pid and joins its user
//! namespace; as root (this pasta drops to `nobody` unless told otherwise,
//! and `nobody` cannot open another process's namespaces) it runs as root
//! with its capabilities reduced, given the network namespace as an open
//! descriptor (`--netns /proc/self/fd/N --runas 0:0`).

use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::Path;
use std::process::Command;

use super::ports::{Proto, Published};
use super::route::HostRoute;
use super::IFNAME;

/// The nameserver address pasta forwards to the host's resolver when the
/// host's resolv.conf names only loopback servers (podman's).
pub const DNS_FORWARD: Ipv4Addr = Ipv4Addr::new(169, 254, 1, 1);

/// What the container's interface gets.
pub struct Config<'a> {
    pub route: &'a HostRoute,
    pub mac: &'a str,
    pub ports: &'a [Published],
    pub dns_forward: Option<Ipv4Addr>,
}

/// pasta's `-t`/`-u` spec of one published port: `[ADDR/]HOST:CONTAINER`.
fn forward(p: &Published) -> String {
    match p.host_ip {
        Some(ip) => format!("{ip}/{}:{}", p.host_port, p.container_port),
        None => format!("{}:{}", p.host_port, p.container_port),
    }
}

/// The options, without the target.
pub fn args(cfg: &Config) -> Vec<String> {
    let mut a: Vec<String> = [
        "--foreground",
        "--quiet",
        "--config-net",
        "--ns-ifname",
        IFNAME,
        "--ns-mac-addr",
        cfg.mac,
    ]
    .map(String::from)
    .to_vec();
    a.extend([
        "--address".into(),
        cfg.route.address.to_string(),
        "--netmask".into(),
        cfg.route.prefix_len.to_string(),
        "--gateway".into(),
        cfg.route.gateway.to_string(),
    ]);
    for (flag, proto) in [("-t", Proto::Tcp), ("-u", Proto::Udp)] {
        let specs: Vec<String> = cfg
            .ports
            .iter()
            .filter(|p| p.proto == proto)
            .map(forward)
            .collect();
        if specs.is_empty() {
            // Explicitly: pasta's default forwards every port it sees bound.
            a.extend([flag.into(), "none".into()]);
        }
        for s in specs {
            a.extend([flag.into(), s]);
        }
    }
    // Nothing from the container's side to the host's ports but through
    // the gateway address.
    a.extend(["-T", "none", "-U", "none"].map(String::from));
    if let Some(d) = cfg.dns_forward {
        a.extend(["--dns-forward".into(), d.to_string()]);
    }
    a
}

/// The command that connects the network namespace of `pid`. Rootless it
/// joins the process's user namespace; as root `netns` (an open
/// descriptor of the namespace, inherited) is given instead, and must
/// stay open until the command is spawned.
pub fn command(
    bin: &Path,
    cfg: &Config,
    pid_file: &Path,
    pid: i32,
    netns: Option<&OwnedFd>,
) -> Command {
    let mut cmd = Command::new(bin);
    cmd.args(args(cfg)).arg("--pid").arg(pid_file);
    match netns {
        None => {
            cmd.arg(pid.to_string());
        }
        Some(fd) => {
            cmd.arg("--runas")
                .arg("0:0")
                .arg("--netns")
                .arg(format!("/proc/self/fd/{}", fd.as_raw_fd()))
                .arg("--netns-only");
        }
    }
    cmd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn options() {
        let route = HostRoute {
            interface: "eth0".into(),
            address: Ipv4Addr::new(192, 0, 2, 2),
            prefix_len: 24,
            gateway: Ipv4Addr::new(192, 0, 2, 1),
        };
        let ports = [
            Published {
                container_port: 80,
                proto: Proto::Tcp,
                host_ip: None,
                host_port: 8080,
            },
            Published {
                container_port: 53,
                proto: Proto::Udp,
                host_ip: Some("127.0.0.1".parse().unwrap()),
                host_port: 5353,
            },
        ];
        let cfg = Config {
            route: &route,
            mac: "02:42:00:00:00:01",
            ports: &ports,
            dns_forward: None,
        };
        let a = args(&cfg).join(" ");
        assert!(
            a.contains("-t 8080:80 -u 127.0.0.1/5353:53 -T none -U none"),
            "{a}"
        );
        assert!(
            a.contains("--address 192.0.2.2 --netmask 24 --gateway 192.0.2.1"),
            "{a}"
        );
        let cfg = Config {
            ports: &[],
            dns_forward: Some(DNS_FORWARD),
            ..cfg
        };
        let a = args(&cfg).join(" ");
        assert!(a.contains("-t none -u none"), "{a}");
        assert!(a.ends_with("--dns-forward 169.254.1.1"), "{a}");
    }
}
