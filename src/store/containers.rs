#![allow(dead_code)] // in use once the container commands are wired (in progress)
//! Containers on disk: one directory per container under `containers/ID/`
//! holding its record (`container.json`, written at create and rename), its
//! state (`state.json`, replaced atomically by whoever changes it: the
//! supervisor, `start`, `rm`), its OCI bundle (`config.json`, `rootfs/`),
//! the overlay's `upper/` and `work/`, the log and the files kist manages
//! (`hosts`, `hostname`, `resolv.conf`). Names are symlinks
//! `names/NAME -> ID`, created atomically, so two creates can never take
//! the same name.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{fsutil, io_err, Result, Store, StoreError};
use crate::store::Digest;

/// What `create` decided: everything needed to run the container again.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerRecord {
    pub id: String,
    pub name: String,
    pub created: String,
    /// The image as the user named it.
    pub image: String,
    pub image_id: Digest,
    /// The image's layers, bottom first (the overlay's lower dirs).
    pub layers: Vec<Digest>,
    pub config: ContainerConfig,
    pub host_config: HostConfig,
    /// The user-defined networks it is connected to (docker's
    /// `NetworkingConfig.EndpointsConfig`), by name; the first one named in
    /// `HostConfig.NetworkMode` is its main network.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub networks: std::collections::BTreeMap<String, Endpoint>,
}

/// How a container joins a user-defined network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Endpoint {
    /// `--network-alias`: more names it answers to on that network.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// `--ip`: a fixed address; empty: the next free one at start.
    #[serde(default)]
    pub ipv4_address: String,
}

/// A running container's address on a user-defined network.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointState {
    pub network_id: String,
    pub ip_address: String,
    pub prefix_len: u8,
    pub gateway: String,
    pub mac_address: String,
}

/// docker's `Config` of a container (the parts kist sets).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ContainerConfig {
    pub hostname: String,
    pub user: String,
    pub env: Vec<String>,
    pub cmd: Vec<String>,
    pub entrypoint: Vec<String>,
    pub working_dir: String,
    pub tty: bool,
    pub open_stdin: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub labels: std::collections::BTreeMap<String, String>,
    pub stop_signal: String,
    pub stop_timeout: Option<i64>,
    pub image: String,
    /// Ports the container exposes (`80/tcp`): the image's, `--expose`'s
    /// and the published ones.
    #[serde(default)]
    pub exposed_ports: std::collections::BTreeSet<String>,
    /// The MAC address of its interface on the default network.
    #[serde(default)]
    pub mac_address: String,
}

/// docker's `HostConfig` (the parts kist sets).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HostConfig {
    pub auto_remove: bool,
    pub binds: Vec<String>,
    pub network_mode: String,
    pub privileged: bool,
    pub readonly_rootfs: bool,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub security_opt: Vec<String>,
    pub userns_mode: String,
    pub init: bool,
    pub runtime: String,
    pub log_config: LogConfig,
    /// The storage driver of the container's rootfs, fixed at create
    /// (empty in records older than the field: overlay).
    #[serde(default)]
    pub storage_driver: String,
    /// `-p`: container port (`80/tcp`) → host bindings, as docker keeps
    /// them (an empty HostPort is chosen at start, `N-M` is a range).
    #[serde(default)]
    pub port_bindings: std::collections::BTreeMap<String, Vec<PortBinding>>,
    /// `-P`: every exposed port on a free host port.
    #[serde(default)]
    pub publish_all_ports: bool,
    #[serde(default)]
    pub dns: Vec<String>,
    #[serde(default)]
    pub dns_search: Vec<String>,
    #[serde(default)]
    pub dns_options: Vec<String>,
    /// `--add-host` as `NAME:IP` (IP may be `host-gateway`).
    #[serde(default)]
    pub extra_hosts: Vec<String>,
    /// `--ulimit`s.
    #[serde(default)]
    pub ulimits: Vec<Ulimit>,
}

/// One `--ulimit` (docker's `Ulimit`; -1 is unlimited).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Ulimit {
    pub name: String,
    pub soft: i64,
    pub hard: i64,
}

/// One host side of a published port (docker's `PortBinding`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct PortBinding {
    pub host_ip: String,
    pub host_port: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogConfig {
    #[serde(rename = "Type")]
    pub kind: String,
    pub config: std::collections::BTreeMap<String, String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Exited,
    Removing,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Exited => "exited",
            Status::Removing => "removing",
            Status::Dead => "dead",
        }
    }
}

/// The state that changes while the container lives.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ContainerState {
    pub status: Status,
    #[serde(default)]
    pub pid: i32,
    /// The supervisor and its start time (from /proc/PID/stat), to tell a
    /// live supervisor from a recycled pid.
    #[serde(default)]
    pub supervisor: i32,
    #[serde(default)]
    pub supervisor_start: u64,
    #[serde(default)]
    pub exit_code: i32,
    #[serde(default)]
    pub started_at: String,
    #[serde(default)]
    pub finished_at: String,
    #[serde(default)]
    pub error: String,
    /// The network of a running container on the default network (its
    /// address, the host ports it got).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<NetworkState>,
    /// A running container's addresses on user-defined networks, by
    /// network name.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub endpoints: std::collections::BTreeMap<String, EndpointState>,
}

/// What a running container's network is, for `inspect`, `port` and `ps`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkState {
    pub ip_address: String,
    pub prefix_len: u8,
    pub gateway: String,
    pub mac_address: String,
    /// Published ports as bound: container port (`80/tcp`) → host bindings
    /// (HostIp `0.0.0.0` when every address).
    pub ports: std::collections::BTreeMap<String, Vec<PortBinding>>,
}

/// The start time of a process in clock ticks since boot, if it lives.
pub fn process_start_time(pid: i32) -> Option<u64> {
    if pid <= 0 {
        return None;
    }
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name may hold spaces: fields start after the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let mut fields = rest.split_whitespace();
    // A zombie is dead for our purposes (its parent has not reaped it yet).
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.nth(18)?.parse().ok()
}

impl ContainerState {
    /// The state as it really is: a "running" container whose supervisor
    /// is gone has exited, killed with it.
    pub fn effective(mut self) -> ContainerState {
        if self.status == Status::Running
            && process_start_time(self.supervisor) != Some(self.supervisor_start)
        {
            self.status = Status::Exited;
            self.exit_code = 137;
            self.pid = 0;
            self.network = None;
            self.endpoints.clear();
            if self.error.is_empty() {
                self.error = "the container's supervisor died (was it killed?); the container was killed with it".into();
            }
        }
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ContainerLookupError {
    #[error("no such container: {0}\nhint: kist ps -a lists containers")]
    NotFound(String),
    #[error("container ID prefix {0:?} is ambiguous: it matches several containers\nhint: give more digits, or the name")]
    Ambiguous(String),
}

impl Store {
    pub fn containers_dir(&self) -> PathBuf {
        self.root.join("containers")
    }

    pub fn container_dir(&self, id: &str) -> PathBuf {
        self.containers_dir().join(id)
    }

    fn names_dir(&self) -> PathBuf {
        self.root.join("names")
    }

    /// Every container ID (directories whose record was written).
    pub fn container_ids(&self) -> Vec<String> {
        fs::read_dir(self.containers_dir())
            .map(|rd| {
                rd.flatten()
                    .filter_map(|e| e.file_name().into_string().ok())
                    .filter(|n| n.len() == 64)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn read_container(&self, id: &str) -> Result<ContainerRecord> {
        let path = self.container_dir(id).join("container.json");
        let data = fs::read(&path).map_err(io_err("cannot read", &path))?;
        serde_json::from_slice(&data).map_err(|e| StoreError::CorruptIndex {
            path,
            message: e.to_string(),
        })
    }

    /// Writes the record, durably unless the container is removed when it
    /// exits (`--rm`): a power loss would take it anyway, and two disk
    /// syncs are a good part of a short `run --rm`. A killed process
    /// leaves the old record or the new one either way.
    pub fn write_container(&self, rec: &ContainerRecord) -> Result<()> {
        let path = self.container_dir(&rec.id).join("container.json");
        self.write_record(
            rec,
            &path,
            &serde_json::to_vec_pretty(rec).unwrap_or_default(),
        )
    }

    /// A file of the container's, as durable as its record.
    pub fn write_record(&self, rec: &ContainerRecord, path: &Path, data: &[u8]) -> Result<()> {
        match rec.host_config.auto_remove {
            true => fsutil::write_replace(path, data),
            false => fsutil::write_atomic(path, data),
        }
    }

    /// The recorded state (not corrected for a dead supervisor).
    pub fn read_state(&self, id: &str) -> Result<ContainerState> {
        let path = self.container_dir(id).join("state.json");
        let mut data = Vec::new();
        match fs::File::open(&path) {
            Ok(mut f) => f
                .read_to_end(&mut data)
                .map_err(io_err("cannot read", &path))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(ContainerState::default())
            }
            Err(e) => return Err(io_err("cannot read", &path)(e)),
        };
        serde_json::from_slice(&data).map_err(|e| StoreError::CorruptIndex {
            path,
            message: e.to_string(),
        })
    }

    pub fn write_state(&self, id: &str, state: &ContainerState) -> Result<()> {
        let path = self.container_dir(id).join("state.json");
        fsutil::write_replace(&path, &serde_json::to_vec(state).unwrap_or_default())
    }

    /// Claims `name` for `id`; false when another container has it.
    pub fn claim_name(&self, name: &str, id: &str) -> Result<bool> {
        let dir = self.names_dir();
        fs::create_dir_all(&dir).map_err(io_err("cannot create", &dir))?;
        match std::os::unix::fs::symlink(id, dir.join(name)) {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                // A name left behind by a removed container is free again.
                let owner = fs::read_link(dir.join(name)).ok();
                let stale =
                    owner.is_some_and(|o| !self.container_dir(&o.to_string_lossy()).exists());
                if stale {
                    let _ = fs::remove_file(dir.join(name));
                    return self.claim_name(name, id);
                }
                Ok(false)
            }
            Err(e) => Err(io_err("cannot create", &dir.join(name))(e)),
        }
    }

    pub fn release_name(&self, name: &str, id: &str) {
        let link = self.names_dir().join(name);
        if fs::read_link(&link).is_ok_and(|o| o.as_os_str() == id) {
            let _ = fs::remove_file(link);
        }
    }

    /// Finds a container by full ID, name, or unique ID prefix.
    pub fn find_container(&self, query: &str) -> Result<String, ContainerLookupError> {
        let q = query.strip_prefix('/').unwrap_or(query);
        if q.len() == 64 && self.container_dir(q).join("container.json").exists() {
            return Ok(q.to_string());
        }
        if !q.is_empty() && !q.contains('/') {
            if let Ok(id) = fs::read_link(self.names_dir().join(q)) {
                let id = id.to_string_lossy().to_string();
                if self.container_dir(&id).join("container.json").exists() {
                    return Ok(id);
                }
            }
        }
        let is_hex = !q.is_empty() && q.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex {
            let mut hits = self
                .container_ids()
                .into_iter()
                .filter(|id| id.starts_with(q));
            if let Some(id) = hits.next() {
                return match hits.next() {
                    None => Ok(id),
                    Some(_) => Err(ContainerLookupError::Ambiguous(query.into())),
                };
            }
        }
        Err(ContainerLookupError::NotFound(query.into()))
    }

    /// Images that containers use (they may not be removed).
    pub fn images_in_use(&self) -> Vec<(Digest, String)> {
        self.container_ids()
            .into_iter()
            .filter_map(|id| self.read_container(&id).ok())
            .map(|r| (r.image_id, r.id))
            .collect()
    }
}
