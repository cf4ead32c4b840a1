//! `kist network`: user-defined networks (records in the store, see
//! `store::networks`) next to docker's three predefined ones, `bridge`
//! (kist's default network: as root a netavark bridge, see
//! `store::networks::DEFAULT_BRIDGE`; rootless pasta or slirp4netns),
//! `host` and `none`.
//! The bridges themselves are made when a container starts (`src/net`);
//! these verbs only manage the records.

pub mod connect;
pub mod create;
pub mod list;
pub mod remove;

use std::collections::BTreeMap;

use super::{EngineError, Result};
use crate::store::containers::{ContainerRecord, ContainerState, EndpointState, Status};
use crate::store::networks::NetworkRecord;
use crate::store::{Digest, Store};

/// docker's predefined networks and their drivers.
pub const PREDEFINED: [(&str, &str); 3] =
    [("bridge", "bridge"), ("host", "host"), ("none", "null")];

/// Names no user-defined network may take: the predefined networks and
/// the other `--network` keywords.
pub const RESERVED: [&str; 7] = [
    "bridge",
    "host",
    "none",
    "pasta",
    "slirp4netns",
    "default",
    "private",
];

/// `HostConfig.NetworkMode` of a container on the default network.
pub const DEFAULT_MODES: [&str; 5] = ["", "default", "bridge", "pasta", "slirp4netns"];

/// docker's zero time: the creation time of the predefined networks.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// A network as the verbs show it: a user-defined one, or a predefined
/// one (no subnet, no interface).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    pub rec: NetworkRecord,
    pub builtin: bool,
}

/// A predefined network's ID: stable, the sha256 of its name.
pub fn predefined_id(name: &str) -> String {
    Digest::of(name.as_bytes()).hex().to_string()
}

pub fn is_predefined(name: &str) -> bool {
    PREDEFINED.iter().any(|(n, _)| *n == name)
}

fn predefined() -> impl Iterator<Item = Network> {
    PREDEFINED.iter().map(|(name, driver)| Network {
        rec: NetworkRecord {
            name: name.to_string(),
            id: predefined_id(name),
            created: ZERO_TIME.into(),
            driver: driver.to_string(),
            subnet: String::new(),
            gateway: String::new(),
            internal: false,
            labels: BTreeMap::new(),
            interface: String::new(),
            dns_enabled: false,
        },
        builtin: true,
    })
}

/// Every network, predefined ones included, by name.
pub fn all(store: &Store) -> Result<Vec<Network>> {
    let mut nets: Vec<Network> = store
        .list_networks()?
        .into_iter()
        .map(|rec| Network {
            rec,
            builtin: false,
        })
        .chain(predefined().map(|n| match store.find_network(&n.rec.name) {
            // As root, `bridge` is a real one (see DEFAULT_BRIDGE).
            Ok(Some(rec)) => Network { rec, builtin: true },
            _ => n,
        }))
        .collect();
    nets.sort_by(|a, b| a.rec.name.cmp(&b.rec.name));
    Ok(nets)
}

pub fn not_found(query: &str) -> EngineError {
    EngineError::Invalid(format!(
        "network {query:?} not found\nhint: kist network ls lists networks"
    ))
}

/// The network of this exact name, full ID, or unique ID prefix.
pub fn find(store: &Store, query: &str) -> Result<Network> {
    pick(all(store)?, query)
}

fn pick(nets: Vec<Network>, query: &str) -> Result<Network> {
    if let Some(n) = nets
        .iter()
        .find(|n| n.rec.name == query || n.rec.id == query)
    {
        return Ok(n.clone());
    }
    let hex = !query.is_empty() && query.bytes().all(|b| b.is_ascii_hexdigit());
    let mut hits = nets
        .into_iter()
        .filter(|n| hex && n.rec.id.starts_with(&query.to_ascii_lowercase()));
    match (hits.next(), hits.next()) {
        (Some(n), None) => Ok(n),
        (Some(_), Some(_)) => Err(EngineError::Invalid(format!(
            "network ID prefix {query:?} is ambiguous: it matches several networks\nhint: give more digits, or the name"
        ))),
        _ => Err(not_found(query)),
    }
}

/// A running container on a network.
#[derive(Debug, Clone)]
pub struct Attached {
    pub id: String,
    pub name: String,
    /// Its address there (empty while it is not known yet).
    pub endpoint: EndpointState,
}

/// The running containers on each network, by network name.
pub fn attached(store: &Store) -> Result<BTreeMap<String, Vec<Attached>>> {
    let mut out: BTreeMap<String, Vec<Attached>> = BTreeMap::new();
    for id in store.container_ids() {
        let Ok(rec) = store.read_container(&id) else {
            continue; // being created or removed
        };
        let state = store.read_state(&id)?.effective();
        if state.status != Status::Running {
            continue;
        }
        for (net, endpoint) in networks_of(&rec, &state) {
            out.entry(net).or_default().push(Attached {
                id: rec.id.clone(),
                name: rec.name.clone(),
                endpoint,
            });
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(out)
}

/// The networks a running container is on, with its address on each.
fn networks_of(rec: &ContainerRecord, state: &ContainerState) -> Vec<(String, EndpointState)> {
    let mode = rec.host_config.network_mode.as_str();
    match mode {
        "" | "none" => vec![("none".into(), EndpointState::default())],
        "host" => vec![("host".into(), EndpointState::default())],
        m if m.starts_with("container:") => Vec::new(),
        m if DEFAULT_MODES.contains(&m) => {
            let net = state.network.clone().unwrap_or_default();
            let endpoint = EndpointState {
                network_id: predefined_id("bridge"),
                ip_address: net.ip_address,
                prefix_len: net.prefix_len,
                gateway: net.gateway,
                mac_address: net.mac_address,
            };
            vec![("bridge".into(), endpoint)]
        }
        m => {
            let mut names: Vec<&String> =
                rec.networks.keys().chain(state.endpoints.keys()).collect();
            let main = m.to_string();
            names.push(&main);
            names.sort();
            names.dedup();
            names
                .into_iter()
                .map(|n| {
                    let e = state.endpoints.get(n).cloned().unwrap_or_default();
                    (n.clone(), e)
                })
                .collect()
        }
    }
}

/// The user-defined networks a container's record names: its main network
/// (`HostConfig.NetworkMode`) and those it was connected to.
pub fn user_networks_of(rec: &ContainerRecord) -> Vec<String> {
    let mode = rec.host_config.network_mode.as_str();
    let mut names: Vec<String> = rec.networks.keys().cloned().collect();
    let special = DEFAULT_MODES.contains(&mode)
        || matches!(mode, "none" | "host")
        || mode.starts_with("container:");
    if !special && !names.iter().any(|n| n == mode) {
        names.push(mode.to_string());
    }
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, id: &str) -> Network {
        Network {
            rec: NetworkRecord {
                name: name.into(),
                id: id.into(),
                ..predefined().next().unwrap().rec
            },
            builtin: false,
        }
    }

    #[test]
    fn lookup_by_name_id_and_prefix() {
        let nets: Vec<Network> = vec![user("n1", "abc123"), user("n2", "abd456")]
            .into_iter()
            .chain(predefined())
            .collect();
        assert_eq!(pick(nets.clone(), "n2").unwrap().rec.id, "abd456");
        assert_eq!(pick(nets.clone(), "abc123").unwrap().rec.name, "n1");
        assert_eq!(pick(nets.clone(), "abc").unwrap().rec.name, "n1");
        assert!(pick(nets.clone(), "ab")
            .unwrap_err()
            .to_string()
            .contains("ambiguous"));
        let err = pick(nets.clone(), "ghost").unwrap_err().to_string();
        assert!(err.starts_with("network \"ghost\" not found"), "{err}");
        let host = pick(nets, "host").unwrap();
        assert!(host.builtin && host.rec.driver == "host");
        assert_eq!(host.rec.id, predefined_id("host"));
        assert_eq!(host.rec.id.len(), 64);
    }
}
