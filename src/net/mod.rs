//! Container networking without a daemon.
//!
//! A container on the default network gets a network namespace of its own,
//! connected to the host by a user-mode helper, as podman does rootless:
//! pasta (Debian's `passt` package), else slirp4netns. The helper is started
//! by the container's supervisor right after the namespaces exist and
//! (rootless) the id maps are written, while the container mounts its
//! filesystems; the container waits for it only just before exec (see
//! `runtime::container::NetworkSetup`). Published ports (`-p`, `-P`) are
//! the helper's port forwarding. As root kist uses pasta too for the default
//! network; user-defined networks are bridges with NAT (see [`netavark`]).
//!
//! - [`mode`]: what `--network` asks for, and which backend is installed;
//! - [`ports`]: docker's `-p` syntax, host ports chosen and checked before
//!   start, and the formats `port`, `ps` and `inspect` print;
//! - [`etc`]: the container's `/etc/hosts` and `/etc/resolv.conf`;
//! - [`route`]: the host's default route (the address pasta copies);
//! - [`pasta`], [`slirp`]: the two helpers;
//! - [`netavark`], [`lease`]: user-defined networks (bridges through
//!   netavark and aardvark-dns; addresses leased while a container runs);
//! - [`helper`]: a running helper: readiness, stop, and the record under
//!   `RUNROOT/net/` that lets the next kist command stop the helper of a
//!   supervisor that was killed.

pub mod etc;
pub mod helper;
pub mod lease;
pub mod mode;
pub mod netavark;
pub mod pasta;
pub mod ports;
pub mod route;
pub mod slirp;

pub use mode::{Backend, NetworkMode};

/// The address of the container's interface and its gateway on the
/// default network.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addresses {
    pub ip: std::net::Ipv4Addr,
    pub prefix_len: u8,
    pub gateway: std::net::Ipv4Addr,
    /// The nameserver the helper answers on, if it has one (slirp4netns'
    /// 10.0.2.3, pasta's DNS forwarding address).
    pub dns: Option<std::net::Ipv4Addr>,
}

#[derive(Debug, thiserror::Error)]
pub enum NetError {
    #[error("the default network needs pasta or slirp4netns, and neither is installed\nhint: install the passt package (apt-get install passt), or slirp4netns; or run with --network none or --network host")]
    NoBackend,
    #[error("--network {0} needs {1}, which is not installed\nhint: install the {2} package (apt-get install {2}), or choose another --network")]
    Missing(String, &'static str, &'static str),
    #[error("{0}")]
    Invalid(String),
    /// What, and a hint line (may be empty).
    #[error("{} is not supported yet{}", .0, hint(.1))]
    NotSupported(String, String),
    #[error("{0}")]
    Port(String),
    #[error("{what}: {message}")]
    Helper { what: String, message: String },
}

fn hint(h: &str) -> String {
    match h {
        "" => String::new(),
        h => format!("\nhint: {h}"),
    }
}

/// The interface name inside the container, as docker's.
pub const IFNAME: &str = "eth0";
/// The MTU of the helper's tap device (podman's).
pub const MTU: u32 = 65520;

/// A random locally administered unicast MAC address (docker's 02:42
/// prefix).
pub fn random_mac() -> String {
    let mut b = [0u8; 4];
    if let Ok(mut f) = std::fs::File::open("/dev/urandom") {
        use std::io::Read;
        let _ = f.read_exact(&mut b);
    }
    format!("02:42:{:02x}:{:02x}:{:02x}:{:02x}", b[0], b[1], b[2], b[3])
}
