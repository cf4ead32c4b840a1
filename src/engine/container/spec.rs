//! The OCI runtime config (config.json) of a container, as docker would
//! make it: namespaces, docker's mounts and masked / read-only paths, the
//! default capability set, the user and environment, rootless id maps.

use oci_spec::runtime::Spec;
use serde_json::{json, Value};

use super::super::{EngineError, Result};
use super::user::ResolvedUser;
use crate::runtime::idmap::IdMap;
use crate::store::containers::ContainerRecord;

/// docker's default capabilities (CapEff 00000000a80425fb).
pub const DEFAULT_CAPS: [&str; 14] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
];

/// Every capability, in kernel order (index = capability number).
pub const ALL_CAPS: [&str; 41] = [
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
];

const MASKED: [&str; 11] = [
    "/proc/asound",
    "/proc/acpi",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

const READONLY: [&str; 5] = [
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

pub const DEFAULT_PATH: &str = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// Normalises a capability name (`net_admin` → `CAP_NET_ADMIN`).
pub fn cap_name(name: &str) -> Result<String> {
    let upper = name.trim().to_ascii_uppercase();
    let full = if upper.starts_with("CAP_") {
        upper
    } else {
        format!("CAP_{upper}")
    };
    if full == "CAP_ALL" || ALL_CAPS.contains(&full.as_str()) {
        return Ok(full);
    }
    Err(EngineError::Invalid(format!(
        "unknown capability {name:?}\nhint: use names such as NET_ADMIN or CAP_SYS_PTRACE, or ALL"
    )))
}

/// The capability set after `--privileged`, `--cap-add` and `--cap-drop`.
/// Rootless, the container's user namespace grants every capability; as
/// root, kist can only pass on its own bounding set.
pub fn capabilities(
    privileged: bool,
    add: &[String],
    drop: &[String],
    rootless: bool,
) -> Result<Vec<String>> {
    let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
        .ok()
        .and_then(|s| s.trim().parse::<usize>().ok())
        .unwrap_or(40);
    // A container can only get what kist itself may pass on: root without
    // some capability (a restricted host) cannot grant it.
    let bounding = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("CapBnd:"))
                .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
        })
        .filter(|_| !rootless)
        .unwrap_or(u64::MAX);
    let all: Vec<String> = ALL_CAPS
        .iter()
        .take(last + 1)
        .enumerate()
        .filter(|(i, _)| bounding & (1u64 << i) != 0)
        .map(|(_, s)| s.to_string())
        .collect();
    if privileged {
        return Ok(all);
    }
    let add: Vec<String> = add.iter().map(|c| cap_name(c)).collect::<Result<_>>()?;
    let drop: Vec<String> = drop.iter().map(|c| cap_name(c)).collect::<Result<_>>()?;
    let mut caps: Vec<String> = if drop.iter().any(|c| c == "CAP_ALL") {
        vec![]
    } else {
        DEFAULT_CAPS
            .iter()
            .map(|s| s.to_string())
            .filter(|c| !drop.contains(c))
            .collect()
    };
    for c in add {
        if c == "CAP_ALL" {
            caps = all.iter().filter(|c| !drop.contains(c)).cloned().collect();
        } else if !caps.contains(&c) {
            caps.push(c);
        }
    }
    Ok(caps)
}

/// The process environment: image env overridden by the container's, PATH
/// defaulted, HOSTNAME and HOME set, TERM with a terminal.
pub fn environment(rec: &ContainerRecord, user: &ResolvedUser) -> Vec<String> {
    let mut env: Vec<String> = Vec::new();
    let mut set = |kv: String| {
        let key = kv.split('=').next().unwrap_or("").to_string();
        env.retain(|e| e.split('=').next() != Some(key.as_str()));
        env.push(kv);
    };
    set(DEFAULT_PATH.to_string());
    set(format!("HOSTNAME={}", rec.config.hostname));
    for e in &rec.config.env {
        set(e.clone());
    }
    if rec.config.tty && !rec.config.env.iter().any(|e| e.starts_with("TERM=")) {
        set("TERM=xterm".into());
    }
    if !rec.config.env.iter().any(|e| e.starts_with("HOME=")) {
        set(format!("HOME={}", user.home));
    }
    env
}

fn mount(dest: &str, kind: &str, source: &str, options: &[&str]) -> Value {
    json!({"destination": dest, "type": kind, "source": source, "options": options})
}

/// Builds the spec. `etc_dir` is where the container's hosts, hostname
/// and resolv.conf are (its directory, or the one of the container whose
/// network it uses).
pub fn build(
    rec: &ContainerRecord,
    user: &ResolvedUser,
    caps: &[String],
    id_map: Option<&IdMap>,
    etc_dir: &std::path::Path,
) -> Result<Spec> {
    let hc = &rec.host_config;
    // Another container's network namespace is joined by path at start.
    let own_net = crate::net::NetworkMode::from_record(&hc.network_mode).own_namespace();
    let mut namespaces = vec![
        json!({"type": "pid"}),
        json!({"type": "ipc"}),
        json!({"type": "uts"}),
        json!({"type": "mount"}),
    ];
    if own_net {
        namespaces.push(json!({"type": "network"}));
    }
    let mut mounts = vec![
        mount("/proc", "proc", "proc", &["nosuid", "noexec", "nodev"]),
        mount(
            "/dev",
            "tmpfs",
            "tmpfs",
            &["nosuid", "strictatime", "mode=755", "size=65536k"],
        ),
        mount(
            "/dev/pts",
            "devpts",
            "devpts",
            &[
                "nosuid",
                "noexec",
                "newinstance",
                "ptmxmode=0666",
                "mode=0620",
                "gid=5",
            ],
        ),
        mount(
            "/dev/mqueue",
            "mqueue",
            "mqueue",
            &["nosuid", "noexec", "nodev"],
        ),
        mount(
            "/dev/shm",
            "tmpfs",
            "shm",
            &["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"],
        ),
    ];
    let sys_ro = if hc.privileged { "rw" } else { "ro" };
    mounts.push(if own_net {
        mount(
            "/sys",
            "sysfs",
            "sysfs",
            &["nosuid", "noexec", "nodev", sys_ro],
        )
    } else {
        mount(
            "/sys",
            "bind",
            "/sys",
            &["rbind", "nosuid", "noexec", "nodev", sys_ro],
        )
    });
    for f in ["resolv.conf", "hostname", "hosts"] {
        let src = etc_dir.join(f).display().to_string();
        mounts.push(mount(
            &format!("/etc/{f}"),
            "bind",
            &src,
            &["rbind", "rprivate"],
        ));
    }
    for b in &hc.binds {
        mounts.push(bind_mount(b)?);
    }
    let mut linux = json!({"namespaces": namespaces});
    if let Some(profile) = seccomp_profile(hc, caps)? {
        linux["seccomp"] = serde_json::to_value(profile).unwrap_or_default();
    }
    if !hc.privileged {
        linux["maskedPaths"] = json!(MASKED);
        linux["readonlyPaths"] = json!(READONLY);
    }
    if let Some(map) = id_map {
        namespaces_push_user(&mut linux);
        let m = |ranges: &[crate::runtime::idmap::IdRange]| -> Vec<Value> {
            ranges
                .iter()
                .map(|r| json!({"containerID": r.inner, "hostID": r.host, "size": r.count}))
                .collect()
        };
        linux["uidMappings"] = json!(m(&map.uids));
        linux["gidMappings"] = json!(m(&map.gids));
    }
    let args: Vec<String> = rec
        .config
        .entrypoint
        .iter()
        .chain(&rec.config.cmd)
        .cloned()
        .collect();
    if args.is_empty() {
        return Err(EngineError::Invalid(
            "no command specified: the image has no CMD or ENTRYPOINT\nhint: give a command after the image name".into(),
        ));
    }
    let cwd = if rec.config.working_dir.is_empty() {
        "/".to_string()
    } else {
        rec.config.working_dir.clone()
    };
    let spec = json!({
        "ociVersion": "1.0.2",
        "root": {"path": "rootfs", "readonly": hc.readonly_rootfs},
        "hostname": rec.config.hostname,
        "process": {
            "terminal": rec.config.tty,
            "user": {"uid": user.uid, "gid": user.gid, "additionalGids": user.additional_gids},
            "args": args,
            "env": environment(rec, user),
            "cwd": cwd,
            "capabilities": {"bounding": caps, "effective": caps, "permitted": caps, "inheritable": [], "ambient": []},
            "noNewPrivileges": hc.security_opt.iter().any(|o| o == "no-new-privileges" || o == "no-new-privileges:true"),
            "rlimits": super::ulimit::rlimits(&hc.ulimits),
        },
        "mounts": mounts,
        "linux": linux,
        "annotations": {
            "io.kist.container.name": rec.name,
            "io.kist.image": rec.image_id,
            crate::runtime::container::INIT_ANNOTATION: hc.init.to_string(),
        },
    });
    serde_json::from_value(spec)
        .map_err(|e| EngineError::Invalid(format!("cannot build the OCI config: {e}")))
}

/// docker's default profile, unless `--privileged`, `seccomp=unconfined`,
/// or a profile file (`seccomp=FILE`, docker's format).
fn seccomp_profile(
    hc: &crate::store::containers::HostConfig,
    caps: &[String],
) -> Result<Option<oci_spec::runtime::LinuxSeccomp>> {
    let chosen = hc.security_opt.iter().rev().find_map(|o| {
        o.strip_prefix("seccomp=")
            .or_else(|| o.strip_prefix("seccomp:"))
    });
    match chosen {
        Some("unconfined") => Ok(None),
        Some(file) => {
            let text = std::fs::read_to_string(file).map_err(|source| EngineError::Io {
                action: "read seccomp profile",
                path: file.to_string(),
                source,
            })?;
            crate::runtime::seccomp::profile_from_docker_json(&text, caps)
                .map(Some)
                .map_err(|e| EngineError::Invalid(format!("seccomp profile {file}: {e}")))
        }
        None if hc.privileged => Ok(None),
        None => Ok(Some(crate::runtime::seccomp::default_profile(caps))),
    }
}

fn namespaces_push_user(linux: &mut Value) {
    if let Some(ns) = linux["namespaces"].as_array_mut() {
        ns.push(json!({"type": "user"}));
    }
}

/// `-v HOST:CONTAINER[:OPTIONS]` (absolute host paths; named volumes come
/// with the volumes issue).
pub fn bind_mount(spec: &str) -> Result<Value> {
    let parts: Vec<&str> = spec.split(':').collect();
    let (src, dst, opts) = match parts.as_slice() {
        [s, d] => (*s, *d, ""),
        [s, d, o] => (*s, *d, *o),
        _ => {
            return Err(EngineError::Invalid(format!(
            "invalid volume specification {spec:?}\nhint: use -v /host/path:/container/path[:ro]"
        )))
        }
    };
    if !src.starts_with('/') {
        return Err(EngineError::NotSupported(format!(
            "the named volume {src:?} of -v {spec} (give an absolute host path to bind it)"
        )));
    }
    if !dst.starts_with('/') {
        return Err(EngineError::Invalid(format!(
            "invalid volume specification {spec:?}: the container path {dst:?} must be absolute"
        )));
    }
    // docker's -v makes a missing host directory (--mount does not).
    if !std::path::Path::new(src).exists() {
        std::fs::create_dir_all(src).map_err(|e| {
            EngineError::Invalid(format!(
                "bind source path {src} does not exist and cannot be created: {e}\nhint: create it, or pick a path you can write"
            ))
        })?;
    }
    let mut options = vec!["rbind".to_string(), "rprivate".to_string()];
    for o in opts.split(',').filter(|o| !o.is_empty()) {
        match o {
            "ro" | "rw" => options.push(o.into()),
            "z" | "Z" => {}
            other => {
                return Err(EngineError::Invalid(format!(
                    "invalid mode {other:?} in volume specification {spec:?}\nhint: use ro or rw"
                )))
            }
        }
    }
    Ok(json!({"destination": dst, "type": "bind", "source": src, "options": options}))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capability_sets() {
        let d = capabilities(false, &[], &[], true).unwrap();
        assert_eq!(d.len(), 14);
        let mask: u64 = d
            .iter()
            .map(|c| 1u64 << ALL_CAPS.iter().position(|a| a == c).unwrap())
            .sum();
        assert_eq!(mask, 0xa80425fb);
        let c = capabilities(false, &["net_admin".into()], &["CHOWN".into()], true).unwrap();
        assert!(c.contains(&"CAP_NET_ADMIN".to_string()) && !c.contains(&"CAP_CHOWN".to_string()));
        assert!(capabilities(false, &[], &["ALL".into()], true)
            .unwrap()
            .is_empty());
        assert!(capabilities(false, &["bogus".into()], &[], true).is_err());
    }

    #[test]
    fn bind_specs() {
        assert!(bind_mount("/tmp:/data:ro").unwrap()["options"]
            .to_string()
            .contains("ro"));
        assert!(bind_mount("vol:/data").is_err());
        assert!(bind_mount("/tmp:data").is_err());
        assert!(bind_mount("/tmp:/d:xx").is_err());
    }
}
