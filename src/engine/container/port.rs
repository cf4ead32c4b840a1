//! `kist port CONTAINER [PRIVATE_PORT[/PROTO]]`: the host ends of a
//! running container's published ports.

use super::super::{EngineError, Result};
use super::ps::find;
use crate::net::ports;
use crate::store::Store;

/// One mapping: the container port (`80/tcp`) and its host end
/// (`0.0.0.0:8080`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortMapping {
    pub private: String,
    pub public: String,
}

/// The container's mappings (none unless it runs), only those of
/// `private` when given (`80` means `80/tcp`): then none is an error, as
/// in docker.
pub fn port(store: &Store, query: &str, private: Option<&str>) -> Result<Vec<PortMapping>> {
    let id = find(store, query)?;
    let state = store.read_state(&id)?.effective();
    let published = state.network.map(|n| n.ports).unwrap_or_default();
    let wanted = match private {
        Some(p) => Some(
            ports::parse_key(p)
                .map(|(n, proto)| format!("{n}/{}", proto.name()))
                .ok_or_else(|| {
                    EngineError::Invalid(format!(
                        "invalid port {p:?}\nhint: give a container port, e.g. 80 or 53/udp"
                    ))
                })?,
        ),
        None => None,
    };
    let found: Vec<PortMapping> = ports::port_lines(&published)
        .into_iter()
        .filter(|(k, _)| wanted.as_ref().is_none_or(|w| w == k))
        .map(|(private, public)| PortMapping { private, public })
        .collect();
    if let (Some(w), true) = (&wanted, found.is_empty()) {
        return Err(EngineError::Invalid(format!(
            "no public port '{w}' published for {query}"
        )));
    }
    Ok(found)
}
