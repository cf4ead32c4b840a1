//! slirp4netns: a user-mode TCP/IP stack (libslirp) behind a tap device
//! `eth0` in the container's namespace, on slirp's own network
//! 10.0.2.0/24: the container is 10.0.2.100, the gateway 10.0.2.2 (the
//! host's loopback, allowed so that `host.containers.internal` reaches it),
//! the nameserver 10.0.2.3 (slirp forwards to the host's resolvers).
//! Published ports are added through its API socket (`add_hostfwd`, IPv4
//! only) once it is ready (`--ready-fd`); it exits when the supervisor's
//! end of `--exit-fd` closes.

use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr};
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::ports::Published;
use super::{Addresses, NetError, IFNAME, MTU};

/// slirp4netns' fixed addresses with `--configure`.
pub const ADDRESSES: Addresses = Addresses {
    ip: Ipv4Addr::new(10, 0, 2, 100),
    prefix_len: 24,
    gateway: Ipv4Addr::new(10, 0, 2, 2),
    dns: Some(Ipv4Addr::new(10, 0, 2, 3)),
};

/// The command that connects the network namespace of `pid`. `ready` and
/// `exit` are inherited descriptors (the write end of the ready pipe, the
/// read end of the exit pipe); they must stay open until it is spawned.
pub fn command(
    bin: &Path,
    pid: i32,
    mac: &str,
    ready: &OwnedFd,
    exit: &OwnedFd,
    api_socket: Option<&Path>,
) -> Command {
    let mut cmd = Command::new(bin);
    cmd.arg("--configure")
        .arg(format!("--mtu={MTU}"))
        .arg(format!("--ready-fd={}", ready.as_raw_fd()))
        .arg(format!("--exit-fd={}", exit.as_raw_fd()))
        .arg(format!("--macaddress={mac}"))
        .arg("--enable-sandbox")
        .arg("--enable-seccomp");
    if let Some(sock) = api_socket {
        cmd.arg(format!("--api-socket={}", sock.display()));
    }
    cmd.arg(pid.to_string()).arg(IFNAME);
    cmd
}

/// Checks that slirp4netns can publish these ports (IPv4 host addresses
/// only).
pub fn check_ports(ports: &[Published]) -> Result<(), NetError> {
    match ports
        .iter()
        .find(|p| matches!(p.host_ip, Some(IpAddr::V6(_))))
    {
        Some(p) => Err(NetError::NotSupported(
            format!(
                "publishing on an IPv6 address with slirp4netns (port {})",
                p.container_port
            ),
            "use pasta (the default when installed), or an IPv4 address".into(),
        )),
        None => Ok(()),
    }
}

/// Publishes the ports through the API socket, one request each.
pub fn add_forwards(sock: &Path, ports: &[Published]) -> Result<(), NetError> {
    for p in ports {
        let host = p.host_ip.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        let req = serde_json::json!({
            "execute": "add_hostfwd",
            "arguments": {
                "proto": p.proto.name(),
                "host_addr": host.to_string(),
                "host_port": p.host_port,
                "guest_addr": ADDRESSES.ip.to_string(),
                "guest_port": p.container_port,
            }
        });
        let answer = request(sock, &req.to_string()).map_err(|e| NetError::Helper {
            what: format!("slirp4netns: publish port {}", p.host_port),
            message: e.to_string(),
        })?;
        let v: serde_json::Value = serde_json::from_str(&answer).unwrap_or_default();
        if v.get("return").is_none() {
            let why = v["error"]["desc"]
                .as_str()
                .unwrap_or(answer.trim())
                .to_string();
            return Err(NetError::Port(format!(
                "slirp4netns could not publish host port {}/{}: {why}",
                p.host_port,
                p.proto.name()
            )));
        }
    }
    Ok(())
}

/// One API request: send, shut down writing, read the whole answer.
fn request(sock: &Path, body: &str) -> std::io::Result<String> {
    let mut s = UnixStream::connect(sock)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    s.write_all(body.as_bytes())?;
    s.shutdown(std::net::Shutdown::Write)?;
    let mut answer = String::new();
    s.read_to_string(&mut answer)?;
    Ok(answer)
}
