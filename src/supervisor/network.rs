//! The container's network, from its supervisor. On the default network:
//! before the container is created, host ports are chosen and checked (a
//! port in use fails the start), the addresses are known (the host's for
//! pasta, slirp's fixed ones) and `/etc/hosts` and `/etc/resolv.conf` are
//! written; the runtime then calls [`Network`] as its `NetworkSetup` to
//! start the helper once the namespaces exist, and waits for it before the
//! container execs; the helper is stopped when the container exits. With
//! `--network container:NAME`, the other container's network namespace is
//! joined (rootless, with its user namespace, which owns it).

use std::collections::BTreeMap;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::process::ChildStderr;

use nix::fcntl::{open, OFlag};
use nix::sys::stat::Mode;
use nix::unistd::Pid;
use oci_spec::runtime::{LinuxNamespaceBuilder, LinuxNamespaceType, Spec};

use crate::config::Settings;
use crate::net::helper::{self, Helper};
use crate::net::ports::{self, Published};
use crate::net::{etc, pasta, route, slirp, Addresses, Backend, NetError};
use crate::runtime::container::NetworkSetup;
use crate::store::containers::{ContainerRecord, NetworkState, PortBinding, Status};
use crate::store::Store;

/// A container's connection to the default network.
pub struct Network {
    backend: Backend,
    bin: PathBuf,
    runroot: PathBuf,
    id: String,
    rootless: bool,
    mac: String,
    addrs: Addresses,
    route: Option<route::HostRoute>,
    published: Vec<Published>,
    helper: Option<Helper>,
    /// Between begin and ready: where readiness shows, the helper's stderr.
    pending: Option<(OwnedFd, ChildStderr)>,
}

fn err(e: NetError) -> String {
    e.to_string()
}

impl Network {
    /// Everything before the container exists: the helper's binary, the
    /// host ports (checked), the addresses, the container's /etc files.
    pub fn prepare(
        settings: &Settings,
        rec: &ContainerRecord,
        backend: Backend,
        dir: &Path,
    ) -> Result<Network, String> {
        let bin = backend.binary().map_err(err)?;
        let hc = &rec.host_config;
        let published = ports::resolve(
            &hc.port_bindings,
            &rec.config.exposed_ports,
            hc.publish_all_ports,
        )
        .map_err(err)?;
        let host_resolv = std::fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
        let (addrs, route) = match backend {
            Backend::Slirp4netns => {
                slirp::check_ports(&published).map_err(err)?;
                (slirp::ADDRESSES, None)
            }
            Backend::Pasta => {
                let r = route::host_route().ok_or_else(|| {
                    "pasta gives the container the host's IPv4 address and default route, and this host has no default route\nhint: use --network slirp4netns, or --network none".to_string()
                })?;
                // The host's resolvers on its loopback are out of reach:
                // pasta forwards a nameserver address to them.
                let host = etc::parse_resolv(&host_resolv);
                let forward = hc.dns.is_empty() && etc::reachable_nameservers(&host).is_empty();
                let addrs = Addresses {
                    ip: r.address,
                    prefix_len: r.prefix_len,
                    gateway: r.gateway,
                    dns: forward.then_some(pasta::DNS_FORWARD),
                };
                (addrs, Some(r))
            }
        };
        let mode = crate::net::NetworkMode::Private(backend);
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
        let resolv = etc::resolv_conf(&mode, &host_resolv, &dns, Some(&addrs));
        for (name, text) in [("hosts", hosts), ("resolv.conf", resolv)] {
            let p = dir.join(name);
            std::fs::write(&p, text).map_err(|e| format!("write {}: {e}", p.display()))?;
        }
        helper::make_dir(&settings.runroot).map_err(err)?;
        Ok(Network {
            backend,
            bin,
            runroot: settings.runroot.clone(),
            id: rec.id.clone(),
            rootless: settings.rootless,
            mac: match rec.config.mac_address.as_str() {
                "" => crate::net::random_mac(),
                m => m.to_string(),
            },
            addrs,
            route,
            published,
            helper: None,
            pending: None,
        })
    }

    /// What `inspect`, `port` and `ps` show while the container runs.
    pub fn state(&self) -> NetworkState {
        let mut ports: BTreeMap<String, Vec<PortBinding>> = BTreeMap::new();
        for p in &self.published {
            ports
                .entry(format!("{}/{}", p.container_port, p.proto.name()))
                .or_default()
                .push(p.binding());
        }
        NetworkState {
            ip_address: self.addrs.ip.to_string(),
            prefix_len: self.addrs.prefix_len,
            gateway: self.addrs.gateway.to_string(),
            mac_address: self.mac.clone(),
            ports,
        }
    }

    pub fn helper_pid(&self) -> Option<i32> {
        self.helper.as_ref().map(Helper::pid)
    }

    /// The supervisor reaped the helper's pid.
    pub fn helper_reaped(&mut self) {
        if let Some(h) = &mut self.helper {
            h.reaped();
        }
    }

    /// Stops the helper; its published ports are free when this returns.
    pub fn stop(&mut self) {
        let wait = !self.published.is_empty();
        if let Some(h) = &mut self.helper {
            h.stop(wait);
        }
        for f in [self.pid_file(), self.api_socket()] {
            let _ = std::fs::remove_file(f);
        }
    }

    fn pid_file(&self) -> PathBuf {
        helper::dir(&self.runroot).join(format!("{}.pid", helper::short(&self.id)))
    }

    fn api_socket(&self) -> PathBuf {
        helper::dir(&self.runroot).join(format!("{}.sock", helper::short(&self.id)))
    }

    fn begin_pasta(&mut self, pid: Pid) -> Result<(), NetError> {
        let ready = helper::ready_fifo(&self.pid_file())?;
        // As root: the namespace as an inherited descriptor (see net::pasta).
        let netns = match self.rootless {
            true => None,
            false => {
                let path = format!("/proc/{pid}/ns/net");
                Some(
                    open(path.as_str(), OFlag::O_RDONLY, Mode::empty()).map_err(|e| {
                        NetError::Helper {
                            what: format!("open {path}"),
                            message: e.to_string(),
                        }
                    })?,
                )
            }
        };
        let route = self
            .route
            .as_ref()
            .ok_or_else(|| NetError::Invalid("no host route".into()))?;
        let cfg = pasta::Config {
            route,
            mac: &self.mac,
            ports: &self.published,
            dns_forward: self.addrs.dns,
        };
        let cmd = pasta::command(
            &self.bin,
            &cfg,
            &self.pid_file(),
            pid.as_raw(),
            netns.as_ref(),
        );
        let (h, stderr) = Helper::spawn("pasta", cmd, &self.runroot, &self.id, None)?;
        drop(netns);
        self.helper = Some(h);
        self.pending = Some((ready, stderr));
        Ok(())
    }

    fn begin_slirp(&mut self, pid: Pid) -> Result<(), NetError> {
        let fail = |e: nix::Error| NetError::Helper {
            what: "create a pipe for slirp4netns".into(),
            message: e.to_string(),
        };
        // Inherited by the helper: the write end of `ready`, the read end
        // of `exit`; ours are close-on-exec.
        let (ready_r, ready_w) = nix::unistd::pipe().map_err(fail)?;
        let (exit_r, exit_w) = nix::unistd::pipe().map_err(fail)?;
        for fd in [&ready_r, &exit_w] {
            nix::fcntl::fcntl(
                fd,
                nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
            )
            .map_err(fail)?;
        }
        let sock = (!self.published.is_empty()).then(|| self.api_socket());
        if let Some(s) = &sock {
            let _ = std::fs::remove_file(s);
        }
        let cmd = slirp::command(
            &self.bin,
            pid.as_raw(),
            &self.mac,
            &ready_w,
            &exit_r,
            sock.as_deref(),
        );
        let (h, stderr) = Helper::spawn("slirp4netns", cmd, &self.runroot, &self.id, Some(exit_w))?;
        drop((ready_w, exit_r));
        self.helper = Some(h);
        self.pending = Some((ready_r, stderr));
        Ok(())
    }
}

impl NetworkSetup for Network {
    /// pasta joins the user namespace and needs no ids in it;
    /// slirp4netns switches to its root (setegid 0) at once.
    fn without_id_maps(&self) -> bool {
        self.backend == Backend::Pasta
    }

    fn begin(&mut self, pid: Pid) -> Result<(), String> {
        match self.backend {
            Backend::Pasta => self.begin_pasta(pid),
            Backend::Slirp4netns => self.begin_slirp(pid),
        }
        .map_err(err)
    }

    fn ready(&mut self) -> Result<(), String> {
        let (Some((ready, stderr)), Some(h)) = (self.pending.take(), self.helper.as_mut()) else {
            return Err("the network helper was not started".into());
        };
        h.wait_ready(&ready, stderr).map_err(err)?;
        drop(ready);
        let _ = std::fs::remove_file(self.pid_file());
        if self.backend == Backend::Slirp4netns && !self.published.is_empty() {
            if let Err(e) = slirp::add_forwards(&self.api_socket(), &self.published) {
                self.stop();
                return Err(err(e));
            }
        }
        Ok(())
    }
}

/// `--network container:ID`: points the spec's network namespace at the
/// other container's, which must run. Rootless the supervisor first joins
/// that container's user namespace (which owns its network namespace), so
/// the container is created inside it: returns true then, and the
/// container gets no user namespace of its own.
pub fn join_container(
    store: &Store,
    settings: &Settings,
    spec: &mut Spec,
    target: &str,
    external: bool,
) -> Result<bool, String> {
    let state = store
        .read_state(target)
        .map_err(|e| e.to_string())?
        .effective();
    let short = &target[..target.len().min(12)];
    if state.status != Status::Running || state.pid <= 0 {
        return Err(format!(
            "cannot join the network of container {short}: it is not running\nhint: start it first (kist start {short})"
        ));
    }
    let ns = LinuxNamespaceBuilder::default()
        .typ(LinuxNamespaceType::Network)
        .path(format!("/proc/{}/ns/net", state.pid))
        .build()
        .map_err(|e| e.to_string())?;
    if let Some(linux) = spec.linux_mut() {
        let mut list = linux.namespaces().clone().unwrap_or_default();
        list.retain(|n| n.typ() != LinuxNamespaceType::Network);
        list.push(ns);
        linux.set_namespaces(Some(list));
    }
    if !settings.rootless {
        return Ok(false);
    }
    if external {
        return Err(NetError::NotSupported(
            "--network container: with an external runtime, rootless".into(),
            "use kist's built-in runtime (--runtime kist)".into(),
        )
        .to_string());
    }
    let path = format!("/proc/{}/ns/user", state.pid);
    let fd = open(
        path.as_str(),
        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| format!("open {path}: {e}"))?;
    nix::sched::setns(&fd, nix::sched::CloneFlags::CLONE_NEWUSER)
        .map_err(|e| format!("join the user namespace of container {short}: {e}"))?;
    Ok(true)
}
