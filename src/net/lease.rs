//! Addresses on user-defined networks, leased while a container runs: one
//! file per address, `RUNROOT/leases/NETWORK/IP`, created exclusively (two
//! starts can never get the same address) and holding the container's ID
//! and its supervisor's pid and start time. A lease whose supervisor is gone
//! (killed) is stale: the next start that wants the address takes it over.
//! The runtime directory is a tmpfs: leases end with the machine, as the
//! containers do.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::NetError;
use crate::store::containers::process_start_time;
use crate::store::networks::NetworkRecord;

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Holder {
    container: String,
    supervisor: i32,
    supervisor_start: u64,
}

fn dir(runroot: &Path, net: &str) -> PathBuf {
    runroot.join("leases").join(net)
}

fn fail(what: String) -> impl FnOnce(std::io::Error) -> NetError {
    move |e| NetError::Helper {
        what,
        message: e.to_string(),
    }
}

/// The addresses of a network that kist hands out: every host address of
/// the subnet but the gateway.
fn candidates(net: &NetworkRecord) -> Result<(u32, u32, u32), NetError> {
    let (base, len) = net
        .subnet_parts()
        .ok_or_else(|| NetError::Invalid(format!("network {} has no valid subnet", net.name)))?;
    let gw = net.gateway_ip().map(u32::from).unwrap_or(0);
    let first = u32::from(base) + 1;
    let last = u32::from(base) + (1u32 << (32 - len.min(31))) - 2;
    Ok((first, last, gw))
}

fn read(path: &Path) -> Option<Holder> {
    fs::read(path)
        .ok()
        .and_then(|t| serde_json::from_slice::<Holder>(&t).ok())
}

fn holder_alive(h: &Holder) -> bool {
    process_start_time(h.supervisor) == Some(h.supervisor_start)
}

/// Whoever holds the lease at `path` still runs (or it is being written).
/// The container's own earlier supervisor (still tearing its network
/// down after the container exited) is waited for.
fn live(path: &Path, container: &str) -> bool {
    let Ok(text) = fs::read(path) else {
        return false;
    };
    match serde_json::from_slice::<Holder>(&text) {
        Ok(h) if h.container == container => {
            let me = std::process::id() as i32;
            let end = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while h.supervisor != me && holder_alive(&h) && std::time::Instant::now() < end {
                if read(path).is_none_or(|now| now.supervisor != h.supervisor) {
                    return false;
                }
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            false
        }
        Ok(h) => holder_alive(&h),
        // Empty: created an instant ago, not written yet.
        Err(_) => text.is_empty(),
    }
}

/// Leases `want` (`--ip`) or the lowest free address of `net` for
/// `container`, held by the calling process (its supervisor).
pub fn take(
    runroot: &Path,
    net: &NetworkRecord,
    container: &str,
    want: Option<Ipv4Addr>,
) -> Result<Ipv4Addr, NetError> {
    let d = dir(runroot, &net.name);
    fs::create_dir_all(&d).map_err(fail(format!("create {}", d.display())))?;
    let me = std::process::id() as i32;
    let holder = Holder {
        container: container.to_string(),
        supervisor: me,
        supervisor_start: process_start_time(me).unwrap_or(0),
    };
    let (first, last, gw) = candidates(net)?;
    let list: Vec<u32> = match want {
        Some(ip) => {
            let n = u32::from(ip);
            if n < first || n > last || n == gw {
                return Err(NetError::Invalid(format!(
                    "--ip {ip} is not a free host address of network {} ({})",
                    net.name, net.subnet
                )));
            }
            vec![n]
        }
        None => (first..=last).filter(|n| *n != gw).collect(),
    };
    for n in list {
        let ip = Ipv4Addr::from(n);
        let path = d.join(ip.to_string());
        for _ in 0..2 {
            match OpenOptions::new().write(true).create_new(true).open(&path) {
                Ok(mut f) => {
                    let data = serde_json::to_vec(&holder).expect("a lease serializes");
                    f.write_all(&data)
                        .map_err(fail(format!("write {}", path.display())))?;
                    return Ok(ip);
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    if live(&path, container) {
                        break;
                    }
                    // Stale: remove and try once more (another start may
                    // win the race; then the next address).
                    let _ = fs::remove_file(&path);
                }
                Err(e) => return Err(fail(format!("create {}", path.display()))(e)),
            }
        }
    }
    Err(match want {
        Some(ip) => NetError::Invalid(format!(
            "address {ip} is already in use on network {}\nhint: choose another --ip, or none",
            net.name
        )),
        None => NetError::Invalid(format!(
            "network {} ({}) has no free address left\nhint: stop containers on it, or create a network with a larger --subnet",
            net.name, net.subnet
        )),
    })
}

/// Gives an address back, if supervisor `supervisor` still holds it (the
/// container's next supervisor may have taken it over).
pub fn release(runroot: &Path, net: &str, ip: Ipv4Addr, supervisor: i32) {
    let path = dir(runroot, net).join(ip.to_string());
    if read(&path).is_some_and(|h| h.supervisor == supervisor) {
        let _ = fs::remove_file(path);
    }
}

/// The containers whose supervisors hold an address on `net` (running,
/// or starting: a lease is taken before the container runs).
pub fn holders(runroot: &Path, net: &str) -> Vec<String> {
    let Ok(entries) = fs::read_dir(dir(runroot, net)) else {
        return Vec::new();
    };
    let mut out: Vec<String> = entries
        .flatten()
        .filter_map(|e| fs::read(e.path()).ok())
        .filter_map(|b| serde_json::from_slice::<Holder>(&b).ok())
        .filter(holder_alive)
        .map(|h| h.container)
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Removes the leases of a removed network.
pub fn forget_network(runroot: &Path, net: &str) {
    let _ = fs::remove_dir_all(dir(runroot, net));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net() -> NetworkRecord {
        NetworkRecord {
            name: "t".into(),
            id: "0".repeat(64),
            created: String::new(),
            driver: "bridge".into(),
            subnet: "10.89.9.0/30".into(),
            gateway: "10.89.9.1".into(),
            internal: false,
            labels: Default::default(),
            interface: "kist9".into(),
            dns_enabled: true,
        }
    }

    #[test]
    fn lowest_free_then_full_then_released() {
        let tmp = std::env::temp_dir().join(format!("kist-lease-{}", std::process::id()));
        let n = net();
        let a = take(&tmp, &n, "a", None).unwrap();
        assert_eq!(a, Ipv4Addr::new(10, 89, 9, 2));
        // A /30 has two host addresses: the gateway and one more.
        let e = take(&tmp, &n, "b", None).unwrap_err().to_string();
        assert!(e.contains("no free address"), "{e}");
        let e = take(&tmp, &n, "b", Some(a)).unwrap_err().to_string();
        assert!(e.contains("already in use"), "{e}");
        let e = take(&tmp, &n, "b", Some(Ipv4Addr::new(10, 89, 9, 1)))
            .unwrap_err()
            .to_string();
        assert!(e.contains("not a free host address"), "{e}");
        release(&tmp, "t", a, 1);
        assert!(take(&tmp, &n, "b", None).is_err(), "released by another");
        release(&tmp, "t", a, std::process::id() as i32);
        assert_eq!(take(&tmp, &n, "b", None).unwrap(), a);
        let _ = fs::remove_dir_all(&tmp);
    }
}
