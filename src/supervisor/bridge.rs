//! A container's connection to user-defined networks, from its
//! supervisor. Before the container exists: the networks are looked up,
//! an address leased on each, the container's /etc files written and,
//! rootless, the rootless network namespace made sure of (the supervisor
//! then joins its user namespace: see `serve`). Once the container's
//! namespaces exist, netavark connects them and kist's isolation rules are
//! added; when the container exits, netavark tears it down while the
//! supervisor still holds the container's network namespace open, and the
//! leases are given back. A record in `RUNROOT/net/ID.bridge` lets the
//! next command clean up after a supervisor that was killed.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::os::fd::{AsRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::fcntl::{open, OFlag};
use nix::sys::stat::Mode;
use nix::unistd::Pid;

use super::netns::{self, StaleRecord};
use super::proxy::PortProxy;
use crate::config::Settings;
use crate::net::netavark::{self, Attachment, Tools};
use crate::net::ports::{self, Published};
use crate::net::{etc, helper, lease, route, Addresses, NetworkMode};
use crate::runtime::container::NetworkSetup;
use crate::store::containers::{
    process_start_time, ContainerRecord, EndpointState, NetworkState, PortBinding,
};
use crate::store::networks::NetworkRecord;
use crate::store::Store;

struct Joined {
    net: NetworkRecord,
    ip: Ipv4Addr,
    prefix_len: u8,
    mac: String,
    aliases: Vec<String>,
    /// `eth0`, `eth1`, … in the container.
    ifname: String,
}

pub struct Bridge {
    tools: Tools,
    runroot: PathBuf,
    id: String,
    name: String,
    rootless: bool,
    joined: Vec<Joined>,
    published: Vec<Published>,
    /// Rootless: the holder's namespaces (its user namespace is joined
    /// by the supervisor; netavark runs in its network namespace).
    holder: Option<netns::Namespaces>,
    /// The container's network namespace, held until it is torn down.
    container_net: Option<OwnedFd>,
    set_up: bool,
    /// As root: the published host ports, bound while the container runs
    /// (the DNAT rules forward them; see `ports::hold`).
    held_ports: Vec<OwnedFd>,
    /// Rootless: the published ports, relayed by the supervisor.
    proxy: Option<PortProxy>,
}

fn main_network(rec: &ContainerRecord) -> &str {
    &rec.host_config.network_mode
}

impl Bridge {
    pub fn prepare(
        store: &Store,
        settings: &Settings,
        rec: &ContainerRecord,
        dir: &Path,
    ) -> Result<Bridge, String> {
        let tools = Tools::find().map_err(|e| e.to_string())?;
        let hc = &rec.host_config;
        let published = ports::resolve(
            &hc.port_bindings,
            &rec.config.exposed_ports,
            hc.publish_all_ports,
        )
        .map_err(|e| e.to_string())?;
        let held_ports = match settings.rootless {
            true => Vec::new(),
            false => ports::hold(&published).map_err(|e| e.to_string())?,
        };
        // The main network first: its address is the container's.
        let mut names: Vec<&String> = rec.networks.keys().collect();
        names.sort_by_key(|n| n.as_str() != main_network(rec));
        let mut bridge = Bridge {
            tools,
            runroot: settings.runroot.clone(),
            id: rec.id.clone(),
            name: rec.name.clone(),
            rootless: settings.rootless,
            joined: Vec::new(),
            published,
            holder: None,
            container_net: None,
            set_up: false,
            held_ports,
            proxy: None,
        };
        for (i, name) in names.into_iter().enumerate() {
            match bridge.lease(store, rec, name, format!("eth{i}")) {
                Ok(j) => bridge.joined.push(j),
                Err(e) => {
                    bridge.release();
                    return Err(e);
                }
            }
        }
        if let Err(e) = bridge.write_etc(rec, dir) {
            bridge.release();
            return Err(e);
        }
        if settings.rootless {
            match netns::ensure(settings) {
                Ok(ns) => bridge.holder = Some(ns),
                Err(e) => {
                    bridge.release();
                    return Err(e);
                }
            }
        }
        if let (Some(ns), Some(main)) = (&bridge.holder, bridge.joined.first()) {
            if !bridge.published.is_empty() {
                match PortProxy::start(&bridge.published, main.ip, ns) {
                    Ok(p) => bridge.proxy = Some(p),
                    Err(e) => {
                        bridge.release();
                        return Err(e);
                    }
                }
            }
        }
        helper::make_dir(&settings.runroot).map_err(|e| e.to_string())?;
        let _ = std::fs::create_dir_all(netns::netavark_dir(&settings.runroot));
        Ok(bridge)
    }

    /// Looks network `name` up and leases an address on it.
    fn lease(
        &self,
        store: &Store,
        rec: &ContainerRecord,
        name: &str,
        ifname: String,
    ) -> Result<Joined, String> {
        let net = store
            .find_network(name)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| {
                format!(
                    "network {name} not found\nhint: kist network create {name}, or kist network disconnect {name} {}",
                    rec.name
                )
            })?;
        let ep = rec.networks.get(name).cloned().unwrap_or_default();
        let want = match ep.ipv4_address.as_str() {
            "" => None,
            s => Some(s.parse().map_err(|_| format!("invalid --ip {s}"))?),
        };
        let ip = lease::take(&self.runroot, &net, &rec.id, want).map_err(|e| e.to_string())?;
        let mut aliases = ep.aliases.clone();
        aliases.push(rec.id[..12].to_string());
        if rec.config.hostname != rec.id[..12] && !rec.config.hostname.is_empty() {
            aliases.push(rec.config.hostname.clone());
        }
        aliases.dedup();
        Ok(Joined {
            prefix_len: net.subnet_parts().map(|p| p.1).unwrap_or(24),
            net,
            ip,
            mac: crate::net::random_mac(),
            aliases,
            ifname,
        })
    }

    /// The holder's user namespace, for the supervisor to join.
    pub fn userns(&self) -> Option<&OwnedFd> {
        self.holder.as_ref().map(|h| &h.user)
    }

    fn write_etc(&self, rec: &ContainerRecord, dir: &Path) -> Result<(), String> {
        let Some(first) = self.joined.first() else {
            return Err("no network to join".into());
        };
        let bridge_gw = first.net.gateway_ip().unwrap_or(Ipv4Addr::UNSPECIFIED);
        // The host: rootless, pasta's gateway from the rootless network
        // namespace (it reaches the host's loopback); as root, the bridge.
        let host = match self.rootless {
            true => route::host_route().map(|r| r.gateway).unwrap_or(bridge_gw),
            false => bridge_gw,
        };
        let addrs = Addresses {
            ip: first.ip,
            prefix_len: first.prefix_len,
            gateway: host,
            dns: first.net.dns_enabled.then_some(bridge_gw),
        };
        let hc = &rec.host_config;
        let mode = NetworkMode::Bridge(first.net.name.clone());
        let hosts = etc::hosts(
            &mode,
            &rec.config.hostname,
            &hc.extra_hosts,
            Some(&addrs),
            "",
        );
        let dns = etc::DnsOptions {
            servers: &hc.dns,
            search: &hc.dns_search,
            options: &hc.dns_options,
        };
        let host_resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        let resolv = etc::resolv_conf(&mode, &host_resolv, &dns, Some(&addrs));
        for (name, text) in [("hosts", hosts), ("resolv.conf", resolv)] {
            let p = dir.join(name);
            std::fs::write(&p, text).map_err(|e| format!("write {}: {e}", p.display()))?;
        }
        Ok(())
    }

    fn options(&self) -> serde_json::Value {
        self.options_of(&self.joined, &self.published)
    }

    fn options_of(&self, joined: &[Joined], ports: &[Published]) -> serde_json::Value {
        let list: Vec<Attachment> = joined
            .iter()
            .map(|j| Attachment {
                net: &j.net,
                ip: j.ip,
                mac: j.mac.clone(),
                aliases: j.aliases.clone(),
                ifname: j.ifname.clone(),
            })
            .collect();
        netavark::options(&self.id, &self.name, &list, ports, &[])
    }

    /// The container's network namespace as a path for netavark.
    fn netns_path(&self) -> Option<String> {
        let fd = self.container_net.as_ref()?;
        Some(format!(
            "/proc/{}/fd/{}",
            std::process::id(),
            fd.as_raw_fd()
        ))
    }

    fn write_stale(&self) -> Result<(), String> {
        let me = std::process::id() as i32;
        let stale = StaleRecord {
            supervisor: me,
            supervisor_start: process_start_time(me).unwrap_or(0),
            rootless: self.rootless,
            options: self.options(),
            leases: self
                .joined
                .iter()
                .map(|j| (j.net.name.clone(), j.ip))
                .collect(),
        };
        let data = serde_json::to_vec(&stale).expect("a record serializes");
        crate::store::fsutil::write_replace(&self.stale_path(), &data).map_err(|e| e.to_string())
    }

    /// netavark setup of `joined` (taking the MACs it reports), then
    /// kist's isolation rules.
    fn setup(&self, path: &str, joined: &mut [Joined], ports: &[Published]) -> Result<(), String> {
        let opts = self.options_of(joined, ports);
        let dir = netns::netavark_dir(&self.runroot);
        let mut hook = self.hook();
        let out = netavark::run(
            &self.tools,
            &dir,
            "setup",
            path,
            &opts,
            self.rootless,
            &mut hook,
        )
        .map_err(|e| e.to_string())?;
        let macs = netavark::parse_setup(&out).map_err(|e| e.to_string())?;
        for j in joined.iter_mut() {
            if let Some(m) = macs.get(&j.net.name).filter(|m| !m.is_empty()) {
                j.mac = m.clone();
            }
        }
        for j in joined.iter() {
            netavark::isolate(&self.tools, &dir, &j.net, &mut hook).map_err(|e| e.to_string())?;
        }
        Ok(())
    }

    fn teardown(&self, joined: &[Joined], ports: &[Published]) -> Result<(), String> {
        let Some(path) = self.netns_path() else {
            return Ok(());
        };
        let opts = self.options_of(joined, ports);
        let dir = netns::netavark_dir(&self.runroot);
        let mut hook = self.hook();
        netavark::run(
            &self.tools,
            &dir,
            "teardown",
            &path,
            &opts,
            self.rootless,
            &mut hook,
        )
        .map(drop)
        .map_err(|e| e.to_string())
    }

    /// Joins the networks the record names that it is not on, and leaves
    /// those it no longer names (`network connect`/`disconnect` while it
    /// runs).
    pub fn reconcile(&mut self, store: &Store, rec: &ContainerRecord) -> Result<(), String> {
        let Some(path) = self.netns_path() else {
            return Err("the container's network is not set up".into());
        };
        let mut wanted: Vec<&String> = rec.networks.keys().collect();
        if !rec.networks.contains_key(main_network(rec)) {
            wanted.push(&rec.host_config.network_mode);
        }
        let (keep, leave): (Vec<Joined>, Vec<Joined>) = std::mem::take(&mut self.joined)
            .into_iter()
            .partition(|j| wanted.contains(&&j.net.name));
        self.joined = keep;
        let mut result = Ok(());
        if !leave.is_empty() {
            result = self.teardown(&leave, &[]);
            for j in &leave {
                lease::release(&self.runroot, &j.net.name, j.ip, std::process::id() as i32);
            }
        }
        for name in wanted {
            if self.joined.iter().any(|j| &j.net.name == name) {
                continue;
            }
            let ifname = (0..)
                .map(|i| format!("eth{i}"))
                .find(|n| !self.joined.iter().any(|j| &j.ifname == n))
                .expect("a free interface name");
            let mut new = match self.lease(store, rec, name, ifname) {
                Ok(j) => vec![j],
                Err(e) => {
                    result = Err(e);
                    continue;
                }
            };
            match self.setup(&path, &mut new, &[]) {
                Ok(()) => self.joined.append(&mut new),
                Err(e) => {
                    let _ = self.teardown(&new, &[]);
                    lease::release(&self.runroot, name, new[0].ip, std::process::id() as i32);
                    result = Err(e);
                }
            }
        }
        self.write_stale()?;
        result
    }

    /// The ports netavark forwards (DNAT on the bridge): as root all
    /// published ones; rootless none, the supervisor relays them.
    fn dnat_ports(&self) -> &[Published] {
        match self.proxy {
            Some(_) => &[],
            None => &self.published,
        }
    }

    pub fn proxy(&mut self) -> Option<&mut PortProxy> {
        self.proxy.as_mut()
    }

    pub fn proxy_ref(&self) -> Option<&PortProxy> {
        self.proxy.as_ref()
    }

    fn stale_path(&self) -> PathBuf {
        helper::dir(&self.runroot).join(format!("{}.bridge", helper::short(&self.id)))
    }

    fn hook(&self) -> impl FnMut(&mut Command) + '_ {
        let net = self.holder.as_ref().map(|h| &h.net);
        move |cmd: &mut Command| netns::enter(cmd, net)
    }

    fn release(&mut self) {
        for j in &self.joined {
            lease::release(&self.runroot, &j.net.name, j.ip, std::process::id() as i32);
        }
        self.joined.clear();
    }

    /// What `inspect`, `port`, `ps` and `network inspect` show.
    pub fn state(&self) -> (NetworkState, BTreeMap<String, EndpointState>) {
        let mut ports: BTreeMap<String, Vec<PortBinding>> = BTreeMap::new();
        for p in &self.published {
            ports
                .entry(format!("{}/{}", p.container_port, p.proto.name()))
                .or_default()
                .push(p.binding());
        }
        let endpoints: BTreeMap<String, EndpointState> = self
            .joined
            .iter()
            .map(|j| {
                (
                    j.net.name.clone(),
                    EndpointState {
                        network_id: j.net.id.clone(),
                        ip_address: j.ip.to_string(),
                        prefix_len: j.prefix_len,
                        gateway: j.net.gateway.clone(),
                        mac_address: j.mac.clone(),
                    },
                )
            })
            .collect();
        let main = self.joined.first();
        let state = NetworkState {
            ip_address: main.map(|j| j.ip.to_string()).unwrap_or_default(),
            prefix_len: main.map(|j| j.prefix_len).unwrap_or(0),
            gateway: main.map(|j| j.net.gateway.clone()).unwrap_or_default(),
            mac_address: main.map(|j| j.mac.clone()).unwrap_or_default(),
            ports,
        };
        (state, endpoints)
    }

    /// Disconnects the container (after it exited, or when its start
    /// failed) and gives its addresses back.
    pub fn stop(&mut self) {
        if self.set_up {
            if let Err(e) = self.teardown(&self.joined, self.dnat_ports()) {
                eprintln!("kist: warning: {e}");
            }
            self.set_up = false;
        }
        self.container_net = None;
        self.held_ports.clear();
        self.proxy = None;
        self.release();
        let _ = std::fs::remove_file(self.stale_path());
    }

    fn begin_inner(&mut self, pid: Pid) -> Result<(), String> {
        let path = format!("/proc/{pid}/ns/net");
        let fd = open(
            path.as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| format!("open {path}: {e}"))?;
        self.container_net = Some(fd);
        self.write_stale()?;
        // Marked first: a setup that fails half-way is torn down too.
        self.set_up = true;
        let mut joined = std::mem::take(&mut self.joined);
        let result = self.setup(&path, &mut joined, self.dnat_ports());
        self.joined = joined;
        result
    }
}

impl NetworkSetup for Bridge {
    fn without_id_maps(&self) -> bool {
        true
    }

    fn begin(&mut self, pid: Pid) -> Result<(), String> {
        self.begin_inner(pid)
    }

    fn ready(&mut self) -> Result<(), String> {
        Ok(())
    }
}
