//! A new container's network options, checked and resolved at create:
//! the mode (`--network`; the default network's helper must be installed),
//! published and exposed ports, DNS options and extra hosts, and docker's
//! refusals of combinations that make no sense (`-p` with another
//! container's network, …).

use std::collections::{BTreeMap, BTreeSet};

use super::super::{EngineError, Result};
use crate::config::Settings;
use crate::net::mode::{self, Requested};
use crate::net::{etc, ports, Backend, NetError, NetworkMode};
use crate::store::containers::{Endpoint, PortBinding};
use crate::store::Store;

/// What the network flags of `create`/`run` say.
#[derive(Debug, Clone, Default)]
pub struct NetworkOptions {
    /// `--network`; None: the default network.
    pub network: Option<String>,
    /// More `--network`s (user-defined networks only).
    pub more_networks: Vec<String>,
    /// `-p`
    pub publish: Vec<String>,
    /// `-P`
    pub publish_all: bool,
    /// `--expose`
    pub expose: Vec<String>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    /// `--add-host NAME:IP`
    pub add_hosts: Vec<String>,
    /// `--ip`, `--ip6`, `--network-alias`: user-defined networks only.
    pub ip: Option<String>,
    pub ip6: Option<String>,
    pub aliases: Vec<String>,
}

/// The options, resolved for the container's record.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub mode: NetworkMode,
    pub port_bindings: BTreeMap<String, Vec<PortBinding>>,
    pub exposed: BTreeSet<String>,
    pub dns: Vec<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    pub extra_hosts: Vec<String>,
    /// With another container's network: its host name (docker shares it).
    pub hostname: Option<String>,
    /// User-defined networks joined, by name.
    pub networks: BTreeMap<String, Endpoint>,
    pub warnings: Vec<String>,
}

fn net_err(e: NetError) -> EngineError {
    match e {
        NetError::NotSupported(what, hint) if hint.is_empty() => EngineError::NotSupported(what),
        // With its hint line after "is not supported yet".
        other => EngineError::Invalid(other.to_string()),
    }
}

fn conflict(what: &str) -> EngineError {
    EngineError::Invalid(format!(
        "conflicting options: {what} and the container type network mode\nhint: --network container:NAME uses that container's network, host name and /etc files as they are"
    ))
}

/// The image's `ExposedPorts` keys.
pub fn image_exposed(icfg: &serde_json::Value) -> BTreeSet<String> {
    icfg.get("ExposedPorts")
        .and_then(|v| v.as_object())
        .map(|m| m.keys().filter_map(|k| normalize_key(k)).collect())
        .unwrap_or_default()
}

/// Whether a UDP port is published on another host port than its own.
fn udp_translated(
    bindings: &BTreeMap<String, Vec<PortBinding>>,
    exposed: &BTreeSet<String>,
    publish_all: bool,
) -> bool {
    let udp = |k: &str| k.ends_with("/udp");
    let bound = bindings.iter().filter(|(k, _)| udp(k)).any(|(k, list)| {
        let own = k.split('/').next().unwrap_or_default();
        list.iter().any(|b| b.host_port != own)
    });
    let all = publish_all && exposed.iter().any(|k| udp(k) && !bindings.contains_key(k));
    bound || all
}

/// `80` → `80/tcp`; invalid keys are dropped.
fn normalize_key(k: &str) -> Option<String> {
    let (port, proto) = ports::parse_key(k)?;
    Some(format!("{port}/{}", proto.name()))
}

pub fn resolve(
    store: &Store,
    settings: &Settings,
    opts: &NetworkOptions,
    image_exposed: BTreeSet<String>,
    hostname_given: bool,
    external_runtime: bool,
) -> Result<Resolved> {
    if opts.ip6.is_some() {
        return Err(EngineError::NotSupported("--ip6 (IPv6 networks)".into()));
    }
    let requested = mode::parse(opts.network.as_deref()).map_err(net_err)?;
    let requested_default = requested == Requested::Default(None);
    if !opts.more_networks.is_empty() && !matches!(requested, Requested::Named(_)) {
        return Err(mixed());
    }
    let mut warnings = Vec::new();
    let mut hostname = None;
    let mut networks = BTreeMap::new();
    if !matches!(requested, Requested::Named(_)) && (opts.ip.is_some() || !opts.aliases.is_empty())
    {
        return Err(EngineError::Invalid(
            "--ip and --network-alias are only for user-defined networks\nhint: kist network create NET, then --network NET".into(),
        ));
    }
    let publishes = !opts.publish.is_empty() || opts.publish_all;
    let mode = match requested {
        Requested::Default(Some(b)) => {
            b.binary().map_err(net_err)?;
            NetworkMode::Private(b)
        }
        // As root: docker's default bridge (unless kist.toml names a
        // helper, or an external runtime runs it: bridges are the built-in
        // runtime's); rootless: pasta or slirp4netns.
        Requested::Default(None)
            if !settings.rootless && settings.network_backend.is_none() && !external_runtime =>
        {
            let name = crate::store::networks::DEFAULT_BRIDGE.to_string();
            networks.insert(name.clone(), named_endpoint(store, &name, opts, true)?);
            NetworkMode::Bridge(name)
        }
        Requested::Default(None) => {
            let preferred = settings.network_backend.as_deref().and_then(Backend::parse);
            NetworkMode::Private(Backend::default(preferred).map_err(net_err)?)
        }
        Requested::Named(name) => {
            networks.insert(name.clone(), named_endpoint(store, &name, opts, true)?);
            for more in &opts.more_networks {
                if !matches!(mode::parse(Some(more)), Ok(Requested::Named(_))) {
                    return Err(mixed());
                }
                networks.insert(more.clone(), named_endpoint(store, more, opts, false)?);
            }
            NetworkMode::Bridge(name)
        }
        Requested::None => NetworkMode::None,
        Requested::Host => NetworkMode::Host,
        Requested::Container(name) => {
            let id = store.find_container(&name)?;
            if publishes || !opts.expose.is_empty() {
                return Err(conflict("port publishing"));
            }
            if !opts.dns.is_empty() || !opts.dns_search.is_empty() || !opts.dns_options.is_empty() {
                return Err(conflict("dns"));
            }
            if !opts.add_hosts.is_empty() {
                return Err(conflict("custom host-to-IP mapping"));
            }
            if hostname_given {
                return Err(conflict("hostname"));
            }
            hostname = Some(store.read_container(&id)?.config.hostname);
            NetworkMode::Container(id)
        }
    };
    let mut port_bindings: BTreeMap<String, Vec<PortBinding>> = BTreeMap::new();
    for p in &opts.publish {
        for (k, b) in ports::parse_publish(p).map_err(net_err)? {
            port_bindings.entry(k).or_default().push(b);
        }
    }
    let mut exposed = image_exposed;
    for e in &opts.expose {
        exposed.extend(ports::parse_expose(e).map_err(net_err)?);
    }
    exposed.extend(port_bindings.keys().cloned());
    let mode = match (mode, requested_default) {
        (NetworkMode::Private(Backend::Pasta), true)
            if udp_translated(&port_bindings, &exposed, opts.publish_all)
                && Backend::Slirp4netns.binary().is_ok() =>
        {
            // pasta (as of Debian 12's passt) loses the replies to UDP
            // that reaches a published port through the host's loopback
            // when the host port differs from the container's.
            NetworkMode::Private(Backend::Slirp4netns)
        }
        (m, _) => m,
    };
    if publishes && matches!(mode, NetworkMode::Host | NetworkMode::None) {
        warnings.push(format!(
            "published ports are discarded when using the {} network mode",
            mode.record()
        ));
    }
    if !matches!(mode, NetworkMode::Private(_) | NetworkMode::Bridge(_)) {
        port_bindings.clear();
    }
    let extra_hosts = opts
        .add_hosts
        .iter()
        .map(|h| etc::parse_add_host(h).map_err(net_err))
        .collect::<Result<Vec<_>>>()?;
    let to_gateway = extra_hosts.iter().any(|h| h.ends_with(etc::HOST_GATEWAY));
    if to_gateway && mode == NetworkMode::None {
        return Err(EngineError::Invalid(
            "--add-host NAME:host-gateway: --network none has no way to the host\nhint: use the default network, or give the host's address".into(),
        ));
    }
    let dns = opts
        .dns
        .iter()
        .map(|d| etc::parse_dns(d).map_err(net_err))
        .collect::<Result<Vec<_>>>()?;
    Ok(Resolved {
        mode,
        port_bindings,
        exposed,
        dns,
        dns_search: opts.dns_search.clone(),
        dns_options: opts.dns_options.clone(),
        extra_hosts,
        hostname,
        networks,
        warnings,
    })
}

/// docker's refusal of `--network` given several times but not all
/// user-defined networks.
fn mixed() -> EngineError {
    EngineError::Invalid(
        "conflicting options: cannot attach both user-defined and non-user-defined network-modes\nhint: give --network more than once with user-defined networks only".into(),
    )
}

/// `--network NAME` with `--network-alias` and (`first`) `--ip`, checked.
fn named_endpoint(
    store: &Store,
    name: &str,
    opts: &NetworkOptions,
    first: bool,
) -> Result<Endpoint> {
    let net = store.find_network(name)?.ok_or_else(|| {
        EngineError::Invalid(format!(
            "network {name} not found\nhint: kist network create {name}, or see kist network ls"
        ))
    })?;
    for a in &opts.aliases {
        if !crate::store::networks::valid_name(a) {
            return Err(EngineError::Invalid(format!(
                "invalid --network-alias {a:?}: use letters, digits, '.', '_' and '-'"
            )));
        }
    }
    let ipv4_address = match opts.ip.as_ref().filter(|_| first) {
        None => String::new(),
        Some(ip) => {
            let parsed: std::net::Ipv4Addr = ip.parse().map_err(|_| {
                EngineError::Invalid(format!("invalid --ip {ip:?}: not an IPv4 address"))
            })?;
            let (base, len) = net.subnet_parts().unwrap_or((parsed, 32));
            if !crate::store::networks::contains(base, len, parsed) {
                return Err(EngineError::Invalid(format!(
                    "--ip {ip} is not in network {name}'s subnet {}",
                    net.subnet
                )));
            }
            parsed.to_string()
        }
    };
    Ok(Endpoint {
        aliases: opts.aliases.clone(),
        ipv4_address,
    })
}
