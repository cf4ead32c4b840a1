//! `kist create`: a container record, its OCI bundle (config.json made with
//! oci-spec), its overlay directories and the files kist manages in it.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use super::super::{now_rfc3339, EngineError, Result};
use super::network::{self, NetworkOptions};
use super::{names, spec, user};
use crate::config::Settings;
use crate::image::spec::ImageConfig;
use crate::net::{etc, NetworkMode};
use crate::runtime::external;
use crate::runtime::storage::{self, Driver};
use crate::store::containers::{
    ContainerConfig, ContainerRecord, ContainerState, HostConfig, LogConfig,
};
use crate::store::Store;

#[derive(Debug, Clone, Default)]
pub struct CreateOptions {
    pub image: String,
    pub name: Option<String>,
    /// Arguments after the image (replace the image's CMD).
    pub command: Vec<String>,
    /// `--entrypoint`: `Some("")` clears the image's entrypoint.
    pub entrypoint: Option<String>,
    /// `-e KEY=VALUE` or `-e KEY` (taken from kist's environment).
    pub env: Vec<String>,
    pub env_files: Vec<PathBuf>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub tty: bool,
    pub interactive: bool,
    pub volumes: Vec<String>,
    pub read_only: bool,
    pub labels: Vec<String>,
    pub auto_remove: bool,
    /// `--network`, `-p`, `-P`, `--dns`, `--add-host`, …
    pub net: NetworkOptions,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub privileged: bool,
    pub security_opt: Vec<String>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub log_opts: Vec<String>,
    /// `--runtime`; `None`: the configured default (Settings.runtime).
    pub runtime: Option<String>,
    /// `--init`: a minimal init as pid 1 reaps zombies and forwards signals.
    pub init: bool,
    /// `--userns`: `keep-id` (rootless: the user keeps its ids inside).
    pub userns: Option<String>,
    /// `--pull`: when to fetch the image from its registry.
    pub pull: crate::engine::pull::PullPolicy,
    /// `--platform` for that pull.
    pub platform: Option<String>,
    /// `--ulimit`s, parsed at the edge (`ulimit::parse`).
    pub ulimits: Vec<crate::store::containers::Ulimit>,
}

#[derive(Debug)]
pub struct CreateReport {
    pub id: String,
    pub warnings: Vec<String>,
}

pub(super) fn env_from(entries: &[String], out: &mut Vec<String>) {
    for e in entries {
        if e.contains('=') {
            out.push(e.clone());
        } else if let Ok(v) = std::env::var(e) {
            out.push(format!("{e}={v}"));
        }
    }
}

pub(super) fn read_env_file(path: &PathBuf) -> Result<Vec<String>> {
    let text = fs::read_to_string(path).map_err(|source| EngineError::Io {
        action: "read env file",
        path: path.display().to_string(),
        source,
    })?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect())
}

fn string_list(v: Option<&serde_json::Value>) -> Vec<String> {
    v.and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default()
}

/// Refuses the options kist does not do yet and invalid ones that would
/// only show later (a stop signal), before anything is written.
fn unsupported(opts: &CreateOptions) -> Result<()> {
    for o in &opts.security_opt {
        // kist applies no SELinux labels: `label=disable` asks for what
        // it does anyway; any other label would be silently dropped.
        let known = o == "no-new-privileges"
            || o == "no-new-privileges:true"
            || o == "label=disable"
            || o == "label:disable"
            || o.starts_with("seccomp=")
            || o.starts_with("seccomp:");
        if !known {
            return Err(EngineError::NotSupported(format!("--security-opt {o}")));
        }
    }
    if let Some(s) = &opts.stop_signal {
        super::stop::parse_signal(s)?;
    }
    if let Some(w) = opts.workdir.as_deref().filter(|w| !w.starts_with('/')) {
        return Err(EngineError::Invalid(format!(
            "the working directory {w:?} is invalid, it needs to be an absolute path"
        )));
    }
    if let Some(e) = opts.env.iter().find(|e| e.is_empty() || e.starts_with('=')) {
        return Err(EngineError::Invalid(format!(
            "invalid environment variable: {e:?}\nhint: use -e NAME=VALUE, or -e NAME to pass kist's own"
        )));
    }
    for o in &opts.log_opts {
        let key = o.split('=').next().unwrap_or("");
        if !matches!(key, "max-size" | "max-file") || !o.contains('=') {
            return Err(EngineError::Invalid(format!(
                "invalid --log-opt {o:?}\nhint: json-file takes max-size=SIZE and max-file=N"
            )));
        }
        let value = &o[key.len() + 1..];
        let valid = match key {
            "max-size" => crate::supervisor::logfile::parse_size(value).is_some_and(|n| n > 0),
            _ => value.parse::<u32>().is_ok_and(|n| n >= 1),
        };
        if !valid {
            return Err(EngineError::Invalid(format!(
                "invalid --log-opt {o:?}: {value:?} is not a {}\nhint: max-size takes a size such as 10m or 512k, max-file a count of 1 or more",
                if key == "max-size" { "size" } else { "count" }
            )));
        }
    }
    Ok(())
}

/// The runtime a new container gets: `--runtime`, else the configured
/// default.
fn runtime_name<'a>(settings: &'a Settings, opts: &'a CreateOptions) -> &'a str {
    match opts.runtime.as_deref().unwrap_or(&settings.runtime) {
        "" => external::BUILTIN,
        name => name,
    }
}

/// An external runtime must be known and installed.
fn check_runtime(settings: &Settings, opts: &CreateOptions) -> Result<()> {
    let name = runtime_name(settings, opts);
    if external::is_external(name) {
        external::resolve(name).map_err(EngineError::Invalid)?;
    }
    Ok(())
}

/// The storage driver must be usable: fuse-overlayfs needs its binary and
/// /dev/fuse; external runtimes mount native overlay only.
fn check_driver(settings: &Settings, opts: &CreateOptions) -> Result<()> {
    let driver = settings.driver_in_use();
    if driver != Driver::Overlay && external::is_external(runtime_name(settings, opts)) {
        return Err(EngineError::Invalid(format!(
            "the {} storage driver works with kist's built-in runtime only, not {}\nhint: run without --runtime, or with --storage-driver overlay",
            driver.name(),
            runtime_name(settings, opts)
        )));
    }
    if driver == Driver::FuseOverlayfs {
        storage::fuse_overlayfs().map_err(EngineError::Invalid)?;
    }
    Ok(())
}

pub fn create(store: &Store, settings: &Settings, opts: &CreateOptions) -> Result<CreateReport> {
    unsupported(opts)?;
    check_driver(settings, opts)?;
    check_runtime(settings, opts)?;
    match (opts.userns.as_deref(), settings.rootless) {
        (None | Some(""), _) | (Some("host"), false) => {}
        (Some("keep-id"), true) => {
            if settings
                .id_map
                .keep_id(settings.uid, settings.gid)
                .is_none()
            {
                return Err(EngineError::Invalid(format!(
                    "--userns=keep-id: the subordinate id ranges are too small to map uid {} inside the container\nhint: give the user a range of at least {} ids in /etc/subuid and /etc/subgid",
                    settings.uid,
                    settings.uid + 1
                )));
            }
        }
        (Some("keep-id"), false) => {
            return Err(EngineError::Invalid(
                "--userns=keep-id is for rootless containers: as root, ids are not remapped".into(),
            ))
        }
        (Some(other), _) => return Err(EngineError::NotSupported(format!("--userns={other}"))),
    }
    if opts.init && external::is_external(runtime_name(settings, opts)) {
        return Err(EngineError::NotSupported(
            "--init with an external runtime\nhint: use kist's own runtime (--runtime kist) for --init".into(),
        ));
    }
    crate::engine::pull::ensure_image(
        store,
        settings,
        &opts.image,
        opts.pull,
        opts.platform.as_deref(),
    )?;
    let index = store.index()?;
    let img = &index.images[index.find(&opts.image)?];
    let config: ImageConfig =
        serde_json::from_slice(&store.read_blob(&img.id)?).unwrap_or_default();
    let icfg = config.config.clone().unwrap_or_default();
    let net = network::resolve(
        store,
        settings,
        &opts.net,
        network::image_exposed(&icfg),
        opts.hostname.is_some(),
        external::is_external(runtime_name(settings, opts)),
    )?;
    let mut warnings = net.warnings.clone();
    if settings.rootless && !settings.id_map.has_ranges() {
        warnings.push(format!(
            "user {} has no subordinate id ranges in /etc/subuid and /etc/subgid: the container sees only uid 0 and gid 0 (files of other owners in the image show as nobody)\nhint: add a range, e.g. usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER",
            settings.uid
        ));
    }
    let id = names::new_id();
    // docker takes "/web" for "web" (inspect shows names that way).
    let name = opts
        .name
        .as_deref()
        .map(|n| n.strip_prefix('/').unwrap_or(n));
    let name = match name {
        Some(n) if !names::valid_name(n) => {
            return Err(EngineError::Invalid(format!(
                "invalid container name {n:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
            )))
        }
        Some(n) => n.to_string(),
        None => names::random_name(),
    };
    let mut name = name;
    let mut claimed = store.claim_name(&name, &id)?;
    // Generated names may collide: try others, then with a digit, as docker.
    for attempt in 0..20 {
        if claimed || opts.name.is_some() {
            break;
        }
        name = names::random_name();
        if attempt >= 10 {
            name.push(char::from(b'0' + names::random_bytes::<1>()[0] % 10));
        }
        claimed = store.claim_name(&name, &id)?;
    }
    if !claimed {
        let owner = store.find_container(&name).unwrap_or_default();
        return Err(EngineError::Conflict(format!(
            "the container name \"/{name}\" is already in use by container \"{owner}\"\nhint: remove (kist rm) or rename that container, or choose another name"
        )));
    }
    let result = write_container(store, settings, opts, &net, &id, &name, img, &icfg);
    if result.is_err() {
        let _ = crate::store::fsutil::remove_tree(&store.container_dir(&id));
        store.release_name(&name, &id);
    }
    result?;
    Ok(CreateReport { id, warnings })
}

#[expect(
    clippy::too_many_arguments,
    reason = "the pieces create has resolved, each needed once"
)]
fn write_container(
    store: &Store,
    settings: &Settings,
    opts: &CreateOptions,
    net: &network::Resolved,
    id: &str,
    name: &str,
    img: &crate::store::ImageRecord,
    icfg: &serde_json::Value,
) -> Result<()> {
    let mut env = string_list(icfg.get("Env"));
    for f in &opts.env_files {
        env_from(&read_env_file(f)?, &mut env);
    }
    env_from(&opts.env, &mut env);
    let entrypoint = match &opts.entrypoint {
        Some(e) if e.is_empty() => vec![],
        Some(e) => vec![e.clone()],
        None => string_list(icfg.get("Entrypoint")),
    };
    let cmd = if !opts.command.is_empty() {
        opts.command.clone()
    } else if opts.entrypoint.is_some() {
        vec![]
    } else {
        string_list(icfg.get("Cmd"))
    };
    let mut labels: BTreeMap<String, String> = icfg
        .get("Labels")
        .and_then(|l| serde_json::from_value(l.clone()).ok())
        .unwrap_or_default();
    for l in &opts.labels {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        labels.insert(k.to_string(), v.to_string());
    }
    let str_of = |k: &str| {
        icfg.get(k)
            .and_then(|v| v.as_str())
            .unwrap_or("")
            .to_string()
    };
    let rec = ContainerRecord {
        id: id.to_string(),
        name: name.to_string(),
        created: now_rfc3339(),
        image: opts.image.clone(),
        image_id: img.id.clone(),
        layers: img.layers.clone(),
        config: ContainerConfig {
            hostname: opts
                .hostname
                .clone()
                .or_else(|| net.hostname.clone())
                .unwrap_or_else(|| {
                    // docker: the host's name on the host's network.
                    match net.mode {
                        NetworkMode::Host => nix::unistd::gethostname()
                            .map(|h| h.to_string_lossy().into_owned())
                            .unwrap_or_else(|_| id[..12].to_string()),
                        _ => id[..12].to_string(),
                    }
                }),
            user: opts
                .user
                .clone()
                .unwrap_or_else(|| match opts.userns.as_deref() {
                    Some("keep-id") => format!("{}:{}", settings.uid, settings.gid),
                    _ => str_of("User"),
                }),
            env,
            cmd,
            entrypoint,
            working_dir: opts.workdir.clone().unwrap_or_else(|| str_of("WorkingDir")),
            tty: opts.tty,
            open_stdin: opts.interactive,
            attach_stdin: opts.interactive,
            attach_stdout: true,
            attach_stderr: true,
            labels,
            stop_signal: opts.stop_signal.clone().unwrap_or_else(|| {
                Some(str_of("StopSignal"))
                    .filter(|s| !s.is_empty())
                    .unwrap_or_else(|| "SIGTERM".into())
            }),
            stop_timeout: opts.stop_timeout,
            image: opts.image.clone(),
            exposed_ports: net.exposed.clone(),
            mac_address: match net.mode {
                NetworkMode::Private(_) => crate::net::random_mac(),
                _ => String::new(),
            },
        },
        host_config: HostConfig {
            auto_remove: opts.auto_remove,
            binds: opts.volumes.clone(),
            network_mode: net.mode.record(),
            privileged: opts.privileged,
            readonly_rootfs: opts.read_only,
            cap_add: opts.cap_add.clone(),
            cap_drop: opts.cap_drop.clone(),
            security_opt: opts.security_opt.clone(),
            userns_mode: opts.userns.clone().unwrap_or_default(),
            init: opts.init,
            runtime: runtime_name(settings, opts).to_string(),
            storage_driver: settings.driver_in_use().name().to_string(),
            log_config: LogConfig {
                kind: "json-file".into(),
                config: opts
                    .log_opts
                    .iter()
                    .filter_map(|o| o.split_once('='))
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect(),
            },
            port_bindings: net.port_bindings.clone(),
            ulimits: opts.ulimits.clone(),
            publish_all_ports: opts.net.publish_all,
            dns: net.dns.clone(),
            dns_search: net.dns_search.clone(),
            dns_options: net.dns_options.clone(),
            extra_hosts: net.extra_hosts.clone(),
        },
        networks: net.networks.clone(),
    };
    let dir = store.container_dir(id);
    for sub in ["rootfs", "upper", "work"] {
        let p = dir.join(sub);
        fs::create_dir_all(&p).map_err(|source| EngineError::Io {
            action: "create",
            path: p.display().to_string(),
            source,
        })?;
    }
    write_etc_files(&dir, &rec)?;
    let layer_dirs = user::layer_dirs(store, &rec.layers);
    let resolved = user::resolve(&rec.config.user, &layer_dirs)?;
    let caps = spec::capabilities(
        rec.host_config.privileged,
        &rec.host_config.cap_add,
        &rec.host_config.cap_drop,
        settings.rootless,
    )?;
    let map = settings
        .id_map
        .for_userns(&rec.host_config.userns_mode, settings.uid, settings.gid);
    let oci = spec::build(
        &rec,
        &resolved,
        &caps,
        settings.rootless.then_some(&map),
        &etc_dir(store, &rec),
    )?;
    let data = serde_json::to_vec_pretty(&oci).unwrap_or_default();
    store.write_record(&rec, &dir.join("config.json"), &data)?;
    store.write_state(id, &ContainerState::default())?;
    // The record last: a directory without it is not a container.
    store.write_container(&rec)?;
    Ok(())
}

/// Where a container's hosts, hostname and resolv.conf are: its own
/// directory, or with `--network container:ID` that container's (docker
/// shares them).
pub fn etc_dir(store: &Store, rec: &ContainerRecord) -> std::path::PathBuf {
    match NetworkMode::from_record(&rec.host_config.network_mode) {
        NetworkMode::Container(target) => store.container_dir(&target),
        _ => store.container_dir(&rec.id),
    }
}

/// The container's /etc files as they are before it starts (on the
/// default network its supervisor writes hosts and resolv.conf again with
/// the addresses).
fn write_etc_files(dir: &std::path::Path, rec: &ContainerRecord) -> Result<()> {
    let mode = NetworkMode::from_record(&rec.host_config.network_mode);
    if matches!(mode, NetworkMode::Container(_)) {
        return Ok(());
    }
    let hc = &rec.host_config;
    let hostname = &rec.config.hostname;
    let host_hosts = match mode {
        NetworkMode::Host => fs::read_to_string("/etc/hosts").unwrap_or_default(),
        _ => String::new(),
    };
    let hosts = etc::hosts(&mode, hostname, &hc.extra_hosts, None, &host_hosts);
    let dns = etc::DnsOptions {
        servers: &hc.dns,
        search: &hc.dns_search,
        options: &hc.dns_options,
    };
    let host_resolv = fs::read_to_string("/etc/resolv.conf").unwrap_or_default();
    let resolv = etc::resolv_conf(&mode, &host_resolv, &dns, None);
    for (name, text) in [
        ("hosts", hosts),
        ("hostname", format!("{hostname}\n")),
        ("resolv.conf", resolv),
    ] {
        let p = dir.join(name);
        fs::write(&p, text).map_err(|source| EngineError::Io {
            action: "write",
            path: p.display().to_string(),
            source,
        })?;
    }
    Ok(())
}
