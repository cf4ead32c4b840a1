//! `kist network connect` / `disconnect`, between user-defined networks.
//! They change the container's record (`networks`, and
//! `HostConfig.NetworkMode` when its main network goes); a running
//! container's supervisor is then asked to join and leave to match (it
//! holds the container's network namespace), else the next start does.

use std::net::Ipv4Addr;
use std::path::Path;

use super::{find, not_found, user_networks_of, EngineError, Result, DEFAULT_MODES};
use crate::store::containers::{ContainerRecord, Endpoint, Status};
use crate::store::networks::{contains, valid_name, NetworkRecord};
use crate::store::Store;
use crate::supervisor::protocol;

#[derive(Debug, Clone, Default)]
pub struct ConnectOptions {
    pub network: String,
    pub container: String,
    /// `--alias`: more names it answers to on that network.
    pub aliases: Vec<String>,
    /// `--ip`: a fixed IPv4 address in the network's subnet.
    pub ip: Option<String>,
    /// `--ip6`: not supported yet.
    pub ip6: Option<String>,
}

pub fn connect(store: &Store, runroot: &Path, opts: &ConnectOptions) -> Result<()> {
    if opts.ip6.is_some() {
        return Err(EngineError::NotSupported("--ip6 (IPv6 networks)".into()));
    }
    let _lock = store.lock()?;
    let net = find(store, &opts.network)?;
    if net.builtin {
        return Err(EngineError::Invalid(format!(
            "connecting a container to the pre-defined network {} is not supported\nhint: kist run --network {0} starts a container on it",
            net.rec.name
        )));
    }
    let (mut rec, name, running) = lookup(store, &opts.container)?;
    let before = rec.clone();
    let mode = rec.host_config.network_mode.clone();
    if DEFAULT_MODES.contains(&mode.as_str()) {
        return Err(EngineError::Invalid(format!(
            "container {name} is on the default network; only containers on user-defined networks can be connected to more networks (not supported yet)\nhint: create it with --network NETWORK"
        )));
    }
    if matches!(mode.as_str(), "host" | "none") || mode.starts_with("container:") {
        return Err(EngineError::Invalid(format!(
            "container {name} has the network mode {mode:?}: only containers on user-defined networks can be connected to more networks"
        )));
    }
    if user_networks_of(&rec).contains(&net.rec.name) {
        return Err(EngineError::Conflict(format!(
            "container {name} is already connected to network {}",
            net.rec.name
        )));
    }
    for a in &opts.aliases {
        if !valid_name(a) {
            return Err(EngineError::Invalid(format!(
                "invalid network alias {a:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )));
        }
    }
    let ip = match &opts.ip {
        Some(ip) => {
            let ip = check_ip(&net.rec, ip)?;
            if let Some(other) = holder(store, &net.rec.name, &ip) {
                return Err(EngineError::Conflict(format!(
                    "address {ip} on network {} is already given to container {other}\nhint: choose another --ip, or none for the next free one",
                    net.rec.name
                )));
            }
            ip
        }
        None => String::new(),
    };
    // The main network, if only NetworkMode named it, gets its entry too.
    rec.networks.entry(mode).or_default();
    rec.networks.insert(
        net.rec.name.clone(),
        Endpoint {
            aliases: opts.aliases.clone(),
            ipv4_address: ip,
        },
    );
    store.write_container(&rec)?;
    if running {
        apply(store, runroot, &before)?;
    }
    Ok(())
}

/// `force`: a network that no longer exists is still taken out of the
/// record, and not being connected is not an error.
pub fn disconnect(
    store: &Store,
    runroot: &Path,
    network: &str,
    container: &str,
    force: bool,
) -> Result<()> {
    let _lock = store.lock()?;
    let name_of_net = match find(store, network) {
        Ok(n) if n.builtin => {
            return Err(EngineError::Invalid(format!(
                "disconnecting a container from the pre-defined network {} is not supported\nhint: kist rm the container and run it again with another --network",
                n.rec.name
            )))
        }
        Ok(n) => n.rec.name,
        Err(_) if force => network.to_string(),
        Err(e) => return Err(e),
    };
    let (mut rec, name, running) = lookup(store, container)?;
    let before = rec.clone();
    let nets = user_networks_of(&rec);
    if !nets.contains(&name_of_net) {
        if force {
            return Ok(());
        }
        return Err(EngineError::Invalid(format!(
            "container {name} is not connected to network {name_of_net}"
        )));
    }
    if nets.len() == 1 {
        return Err(EngineError::Invalid(format!(
            "network {name_of_net} is the only network of container {name}: a container keeps at least one\nhint: connect it to another network first (kist network connect NETWORK {name}), or remove it (kist rm {name})"
        )));
    }
    rec.networks.remove(&name_of_net);
    if rec.host_config.network_mode == name_of_net {
        let next = nets.into_iter().find(|n| *n != name_of_net);
        rec.host_config.network_mode = next.unwrap_or_default();
    }
    store.write_container(&rec)?;
    if running {
        apply(store, runroot, &before)?;
    }
    Ok(())
}

/// Asks a running container's supervisor to match its record's networks;
/// when it cannot, the record goes back to `before` (the supervisor has
/// undone what failed).
fn apply(store: &Store, runroot: &Path, before: &ContainerRecord) -> Result<()> {
    let sock = crate::supervisor::socket_path(runroot, &before.id);
    let answer = (|| -> std::io::Result<Vec<u8>> {
        let mut s = std::os::unix::net::UnixStream::connect(&sock)?;
        s.set_read_timeout(Some(std::time::Duration::from_secs(60)))?;
        protocol::write_frame(&mut s, protocol::HELLO, b"networks")?;
        protocol::write_frame(&mut s, protocol::NETWORKS, b"")?;
        loop {
            match protocol::read_frame(&mut s)? {
                Some((protocol::NETWORKS_DONE, text)) => return Ok(text),
                Some(_) => continue,
                None => {
                    return Err(std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        "the supervisor closed the connection (the container exited?)",
                    ))
                }
            }
        }
    })();
    let failure = match answer {
        Ok(text) if text.is_empty() => return Ok(()),
        Ok(text) => String::from_utf8_lossy(&text).into_owned(),
        Err(e) => format!("talk to the supervisor at {}: {e}", sock.display()),
    };
    store.write_container(before)?;
    Err(EngineError::Invalid(format!(
        "container {}: the network change failed: {failure}",
        before.name
    )))
}

/// The container's record, its name, and whether it runs.
fn lookup(store: &Store, query: &str) -> Result<(ContainerRecord, String, bool)> {
    let id = store.find_container(query)?;
    let rec = store.read_container(&id)?;
    let running = store.read_state(&id)?.effective().status == Status::Running;
    let name = rec.name.clone();
    Ok((rec, name, running))
}

/// A `--ip`: an address of the subnet, not its network, broadcast or
/// gateway address.
fn check_ip(net: &NetworkRecord, ip: &str) -> Result<String> {
    let parsed: Ipv4Addr = ip
        .parse()
        .map_err(|_| EngineError::Invalid(format!("invalid IPv4 address {ip:?} for --ip")))?;
    let (base, len) = net.subnet_parts().ok_or_else(|| not_found(&net.name))?;
    let broadcast = u32::from(base) | (u32::MAX >> len);
    let hint = format!(
        "hint: give an address of {} other than its gateway {}",
        net.subnet, net.gateway
    );
    if !contains(base, len, parsed) {
        return Err(EngineError::Invalid(format!(
            "address {parsed} is not in network {}'s subnet {}\n{hint}",
            net.name, net.subnet
        )));
    }
    if parsed == base || u32::from(parsed) == broadcast || Some(parsed) == net.gateway_ip() {
        return Err(EngineError::Invalid(format!(
            "address {parsed} is reserved in network {} (its network, broadcast or gateway address)\n{hint}",
            net.name
        )));
    }
    Ok(parsed.to_string())
}

/// The container whose record asks for `ip` on `network`, if any.
fn holder(store: &Store, network: &str, ip: &str) -> Option<String> {
    store
        .container_ids()
        .into_iter()
        .filter_map(|id| store.read_container(&id).ok())
        .find(|r| {
            r.networks
                .get(network)
                .is_some_and(|e| e.ipv4_address == ip)
        })
        .map(|r| r.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_addresses() {
        let net = NetworkRecord {
            name: "n1".into(),
            id: "a".repeat(64),
            created: String::new(),
            driver: "bridge".into(),
            subnet: "10.89.1.0/24".into(),
            gateway: "10.89.1.1".into(),
            internal: false,
            labels: Default::default(),
            interface: "kist1".into(),
            dns_enabled: true,
        };
        assert_eq!(check_ip(&net, "10.89.1.9").unwrap(), "10.89.1.9");
        let err = |ip| check_ip(&net, ip).unwrap_err().to_string();
        assert!(err("10.89.2.9").contains("not in network n1's subnet 10.89.1.0/24"));
        for reserved in ["10.89.1.0", "10.89.1.1", "10.89.1.255"] {
            assert!(err(reserved).contains("reserved"), "{reserved}");
        }
        assert!(err("x").contains("invalid IPv4 address"));
    }
}
