//! User-defined networks on disk: one record per network,
//! `networks/NAME.json`, written atomically under the store lock by
//! `network create` and removed by `network rm`. Addresses are leased at
//! start, not here: see `net::lease`.

use std::collections::BTreeMap;
use std::fs;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::{fsutil, io_err, Result, Store, StoreError};

/// A user-defined network (a bridge), as `network create` made it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct NetworkRecord {
    pub name: String,
    /// 64 hex digits.
    pub id: String,
    /// RFC 3339.
    pub created: String,
    /// Always `bridge` for now.
    pub driver: String,
    /// The IPv4 subnet, `10.89.1.0/24`.
    pub subnet: String,
    /// The bridge's address, also the containers' DNS server.
    pub gateway: String,
    /// No way out (no NAT, no default route).
    pub internal: bool,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// The bridge device (`kist1`): in the rootless network namespace
    /// rootless, on the host as root.
    pub interface: String,
    /// Containers resolve each other's names (aardvark-dns).
    pub dns_enabled: bool,
}

/// As root, the default network: docker's `bridge` (its subnet), a
/// netavark bridge `kist0` with NAT and no name resolution, like
/// docker's default bridge. Rootless, the default network is pasta or
/// slirp4netns and `bridge` names that.
pub const DEFAULT_BRIDGE: &str = "bridge";

impl NetworkRecord {
    pub fn default_bridge() -> NetworkRecord {
        NetworkRecord {
            name: DEFAULT_BRIDGE.into(),
            id: crate::store::Digest::of(DEFAULT_BRIDGE.as_bytes())
                .hex()
                .to_string(),
            created: "0001-01-01T00:00:00Z".into(),
            driver: "bridge".into(),
            subnet: "172.17.0.0/16".into(),
            gateway: "172.17.0.1".into(),
            internal: false,
            labels: BTreeMap::new(),
            interface: "kist0".into(),
            dns_enabled: false,
        }
    }

    /// The subnet's address and prefix length.
    pub fn subnet_parts(&self) -> Option<(Ipv4Addr, u8)> {
        parse_cidr(&self.subnet)
    }

    pub fn gateway_ip(&self) -> Option<Ipv4Addr> {
        self.gateway.parse().ok()
    }
}

/// `10.89.1.0/24` → (10.89.1.0, 24); the address is masked.
pub fn parse_cidr(s: &str) -> Option<(Ipv4Addr, u8)> {
    let (ip, len) = s.split_once('/')?;
    let ip: Ipv4Addr = ip.parse().ok()?;
    let len: u8 = len.parse().ok()?;
    if len > 32 {
        return None;
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Some((Ipv4Addr::from(u32::from(ip) & mask), len))
}

/// Whether `ip` is inside `net/len`.
pub fn contains(net: Ipv4Addr, len: u8, ip: Ipv4Addr) -> bool {
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    u32::from(ip) & mask == u32::from(net) & mask
}

/// Whether two subnets share an address.
pub fn overlaps(a: (Ipv4Addr, u8), b: (Ipv4Addr, u8)) -> bool {
    let len = a.1.min(b.1);
    contains(a.0, len, b.0)
}

/// A network name docker accepts: `[a-zA-Z0-9][a-zA-Z0-9_.-]*`.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
}

impl Store {
    pub fn networks_dir(&self) -> PathBuf {
        self.root.join("networks")
    }

    fn network_path(&self, name: &str) -> PathBuf {
        self.networks_dir().join(format!("{name}.json"))
    }

    /// Every user-defined network, by name.
    pub fn list_networks(&self) -> Result<Vec<NetworkRecord>> {
        let dir = self.networks_dir();
        let entries = match fs::read_dir(&dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io_err("cannot read", &dir)(e)),
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().to_string();
            let Some(net) = name.strip_suffix(".json") else {
                continue; // temp files of a write in progress
            };
            if name.starts_with('.') {
                continue;
            }
            out.push(self.read_network(net)?);
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    /// The network named `name`, if it exists.
    pub fn find_network(&self, name: &str) -> Result<Option<NetworkRecord>> {
        if name == DEFAULT_BRIDGE && !self.rootless {
            return Ok(Some(NetworkRecord::default_bridge()));
        }
        if !valid_name(name) {
            return Ok(None);
        }
        match self.network_path(name).exists() {
            true => self.read_network(name).map(Some),
            false => Ok(None),
        }
    }

    fn read_network(&self, name: &str) -> Result<NetworkRecord> {
        let path = self.network_path(name);
        let text = fs::read(&path).map_err(io_err("cannot read", &path))?;
        serde_json::from_slice(&text).map_err(|e| StoreError::Io {
            action: "cannot parse",
            path: path.clone(),
            source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
        })
    }

    /// Writes a network's record (call with the store lock held).
    pub fn write_network(&self, rec: &NetworkRecord) -> Result<()> {
        let dir = self.networks_dir();
        fs::create_dir_all(&dir).map_err(io_err("cannot create", &dir))?;
        let data = serde_json::to_vec_pretty(rec).expect("a network record serializes");
        fsutil::write_atomic(&self.network_path(&rec.name), &data)
    }

    /// Removes a network's record (call with the store lock held).
    pub fn remove_network(&self, name: &str) -> Result<()> {
        let path = self.network_path(name);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(io_err("cannot remove", &path)(e))
            }
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cidr() {
        assert_eq!(
            parse_cidr("10.89.1.7/24"),
            Some((Ipv4Addr::new(10, 89, 1, 0), 24))
        );
        assert_eq!(parse_cidr("10.89.1.0/33"), None);
        assert_eq!(parse_cidr("10.89.1.0"), None);
        let a = parse_cidr("10.89.0.0/16").unwrap();
        let b = parse_cidr("10.89.3.0/24").unwrap();
        let c = parse_cidr("10.90.0.0/24").unwrap();
        assert!(overlaps(a, b) && overlaps(b, a));
        assert!(!overlaps(a, c));
    }

    #[test]
    fn names() {
        assert!(valid_name("my-net.1_x"));
        assert!(!valid_name("-x"));
        assert!(!valid_name(""));
        assert!(!valid_name("a/b"));
    }
}
