//! `kist container inspect`: docker-compatible JSON for each container.

use serde_json::{json, Map, Value};

use super::ps::{dir_size, find};
use crate::config::Settings;
use crate::engine::{EngineError, Result};
use crate::net::NetworkMode;
use crate::store::containers::{ContainerRecord, ContainerState, Status};
use crate::store::index::LookupError;
use crate::store::Store;

/// docker's zero time, for times not reached yet.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

/// Whether `query` names a container (for `kist inspect` without --type).
pub fn container_exists(store: &Store, query: &str) -> bool {
    store.find_container(query).is_ok()
}

/// One object per query, in order; a query that matches nothing is an
/// error in its slot. `size` adds `SizeRw` and `SizeRootFs`.
pub fn inspect(
    store: &Store,
    settings: &Settings,
    queries: &[String],
    size: bool,
) -> Result<Vec<Result<Value>>> {
    // The index only for sizes: inspect stays a read of two small files.
    let index = if size { Some(store.index()?) } else { None };
    Ok(queries
        .iter()
        .map(|q| {
            let id = find(store, q)?;
            let rec = store.read_container(&id)?;
            let state = super::state::current(store, settings, &id)?;
            let mut v = object(store, &rec, &state);
            if let Some(index) = &index {
                let rw = dir_size(&store.container_dir(&id).join("upper"));
                let image = index
                    .images
                    .iter()
                    .find(|i| i.id == rec.image_id)
                    .map_or(0, |i| i.size);
                insert_after(&mut v, "GraphDriver", "SizeRw", json!(rw));
                insert_after(&mut v, "SizeRw", "SizeRootFs", json!(rw + image));
            }
            Ok(v)
        })
        .collect())
}

/// `kist inspect` without `--type`: each query as a container if one has
/// that name or ID, else as an image (docker's order).
pub fn inspect_any(
    store: &Store,
    settings: &Settings,
    queries: &[String],
) -> Result<Vec<Result<Value>>> {
    let mut out = Vec::new();
    for q in queries {
        let one = std::slice::from_ref(q);
        let found = if container_exists(store, q) {
            inspect(store, settings, one, false)?.remove(0)
        } else {
            match crate::engine::inspect::inspect(store, one)?.remove(0) {
                Err(EngineError::Lookup(LookupError::NotFound(_))) => Err(EngineError::Invalid(
                    format!("no such object: {q}\nhint: kist ps -a lists containers, kist images lists images"),
                )),
                other => other,
            }
        };
        out.push(found);
    }
    Ok(out)
}

/// Puts `key` right after `after`, keeping docker's field order.
fn insert_after(v: &mut Value, after: &str, key: &str, value: Value) {
    let Value::Object(m) = v else {
        return;
    };
    let mut out = Map::new();
    for (k, x) in std::mem::take(m) {
        let hit = k == after;
        out.insert(k, x);
        if hit {
            out.insert(key.to_string(), value.clone());
        }
    }
    *m = out;
}

fn time_or_zero(t: &str) -> &str {
    if t.is_empty() {
        ZERO_TIME
    } else {
        t
    }
}

/// An empty list as docker's `null`.
fn list_or_null(items: &[String]) -> Value {
    if items.is_empty() {
        Value::Null
    } else {
        json!(items)
    }
}

fn object(store: &Store, rec: &ContainerRecord, state: &ContainerState) -> Value {
    let dir = store.container_dir(&rec.id);
    let path_of = |name: &str| dir.join(name).display().to_string();
    let etc_dir = super::create::etc_dir(store, rec);
    let etc_of = |name: &str| etc_dir.join(name).display().to_string();
    let argv: Vec<&String> = rec
        .config
        .entrypoint
        .iter()
        .chain(&rec.config.cmd)
        .collect();
    let (path, args) = match argv.split_first() {
        Some((p, rest)) => (p.to_string(), rest.to_vec()),
        None => (String::new(), vec![]),
    };
    let lower: Vec<String> = rec
        .layers
        .iter()
        .rev()
        .map(|d| store.layer_path(d).join("diff").display().to_string())
        .collect();
    let h = &rec.host_config;
    let driver = crate::runtime::storage::Driver::parse(&h.storage_driver).name();
    let c = &rec.config;
    let mut config = json!({
        "Hostname": c.hostname,
        "Domainname": "",
        "User": c.user,
        "AttachStdin": c.attach_stdin,
        "AttachStdout": c.attach_stdout,
        "AttachStderr": c.attach_stderr,
        "Tty": c.tty,
        "OpenStdin": c.open_stdin,
        "StdinOnce": false,
        "Env": c.env,
        "Cmd": list_or_null(&c.cmd),
        "Image": c.image,
        "Volumes": null,
        "WorkingDir": c.working_dir,
        "Entrypoint": list_or_null(&c.entrypoint),
        "OnBuild": null,
        "Labels": c.labels,
    });
    if !c.exposed_ports.is_empty() {
        let ports: Map<String, Value> = c
            .exposed_ports
            .iter()
            .map(|k| (k.clone(), json!({})))
            .collect();
        insert_after(
            &mut config,
            "AttachStderr",
            "ExposedPorts",
            Value::Object(ports),
        );
    }
    if !c.stop_signal.is_empty() {
        config["StopSignal"] = json!(c.stop_signal);
    }
    if let Some(t) = c.stop_timeout {
        config["StopTimeout"] = json!(t);
    }
    let host_config = json!({
        "Binds": list_or_null(&h.binds),
        "ContainerIDFile": "",
        "LogConfig": {
            "Type": if h.log_config.kind.is_empty() { "json-file" } else { h.log_config.kind.as_str() },
            "Config": h.log_config.config,
        },
        "NetworkMode": h.network_mode,
        "PortBindings": h.port_bindings,
        "RestartPolicy": {"Name": "no", "MaximumRetryCount": 0},
        "AutoRemove": h.auto_remove,
        "VolumeDriver": "",
        "VolumesFrom": null,
        "CapAdd": list_or_null(&h.cap_add),
        "CapDrop": list_or_null(&h.cap_drop),
        "Dns": h.dns,
        "DnsOptions": h.dns_options,
        "DnsSearch": h.dns_search,
        "ExtraHosts": list_or_null(&h.extra_hosts),
        "GroupAdd": null,
        "IpcMode": "private",
        "Cgroup": "",
        "Links": null,
        "OomScoreAdj": 0,
        "PidMode": "",
        "Privileged": h.privileged,
        "PublishAllPorts": h.publish_all_ports,
        "ReadonlyRootfs": h.readonly_rootfs,
        "Ulimits": if h.ulimits.is_empty() { Value::Null } else { json!(h.ulimits) },
        "SecurityOpt": list_or_null(&h.security_opt),
        "UTSMode": "",
        "UsernsMode": h.userns_mode,
        "ShmSize": 67108864,
        "Runtime": h.runtime,
        "Init": if h.init { json!(true) } else { Value::Null },
    });
    json!({
        "Id": rec.id,
        "Created": rec.created,
        "Path": path,
        "Args": args,
        "State": {
            "Status": state.status.as_str(),
            "Running": state.status == Status::Running,
            "Paused": false,
            "Restarting": false,
            "OOMKilled": false,
            "Dead": state.status == Status::Dead,
            "Pid": state.pid,
            "ExitCode": state.exit_code,
            "Error": state.error,
            "StartedAt": time_or_zero(&state.started_at),
            "FinishedAt": time_or_zero(&state.finished_at),
        },
        "Image": rec.image_id,
        "ResolvConfPath": etc_of("resolv.conf"),
        "HostnamePath": etc_of("hostname"),
        "HostsPath": etc_of("hosts"),
        "LogPath": path_of("ctr.log"),
        "Name": format!("/{}", rec.name),
        "RestartCount": 0,
        "Driver": driver,
        "Platform": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "AppArmorProfile": "",
        "ExecIDs": null,
        "HostConfig": host_config,
        "GraphDriver": {
            "Name": driver,
            "Data": {
                "LowerDir": lower.join(":"),
                "MergedDir": path_of("rootfs"),
                "UpperDir": path_of("upper"),
                "WorkDir": path_of("work"),
            },
        },
        "Mounts": h.binds.iter().filter_map(|b| bind_mount(b)).collect::<Vec<_>>(),
        "Config": config,
        "NetworkSettings": network_settings(rec, state),
    })
}

/// docker's `NetworkSettings`: the address, gateway, MAC and published
/// ports while the container runs; `Networks` keyed by the network mode.
fn network_settings(rec: &ContainerRecord, state: &ContainerState) -> Value {
    let running = state.status == Status::Running;
    let net = state
        .network
        .clone()
        .filter(|_| running)
        .unwrap_or_default();
    let mut ports = Map::new();
    if running && state.network.is_some() {
        for k in &rec.config.exposed_ports {
            ports.insert(k.clone(), Value::Null);
        }
        for (k, list) in &net.ports {
            ports.insert(k.clone(), json!(list));
        }
    }
    let mode = NetworkMode::from_record(&rec.host_config.network_mode);
    let mac = match (running, net.mac_address.as_str()) {
        (true, m) if !m.is_empty() => m.to_string(),
        _ => String::new(),
    };
    let endpoint = json!({
        "IPAMConfig": null,
        "Links": null,
        "Aliases": null,
        "MacAddress": mac,
        "NetworkID": mode.record(),
        "EndpointID": "",
        "Gateway": net.gateway,
        "IPAddress": net.ip_address,
        "IPPrefixLen": net.prefix_len,
        "IPv6Gateway": "",
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "DriverOpts": null,
    });
    let networks = match mode {
        NetworkMode::Container(_) => json!({}),
        NetworkMode::Bridge(_) => user_networks(rec, state, running),
        m => json!({ m.record(): endpoint }),
    };
    let sandbox = match (running, state.pid) {
        (true, pid) if pid > 0 => format!("/proc/{pid}/ns/net"),
        _ => String::new(),
    };
    json!({
        "Bridge": "",
        "SandboxID": "",
        "SandboxKey": sandbox,
        "Ports": ports,
        "HairpinMode": false,
        "LinkLocalIPv6Address": "",
        "LinkLocalIPv6PrefixLen": 0,
        "SecondaryIPAddresses": null,
        "SecondaryIPv6Addresses": null,
        "EndpointID": "",
        "Gateway": net.gateway,
        "GlobalIPv6Address": "",
        "GlobalIPv6PrefixLen": 0,
        "IPAddress": net.ip_address,
        "IPPrefixLen": net.prefix_len,
        "IPv6Gateway": "",
        "MacAddress": mac,
        "Networks": networks,
    })
}

/// `NetworkSettings.Networks` on user-defined networks: one endpoint per
/// network, with its address while the container runs.
fn user_networks(rec: &ContainerRecord, state: &ContainerState, running: bool) -> Value {
    let mut out = Map::new();
    for (name, ep) in &rec.networks {
        let st = state
            .endpoints
            .get(name)
            .filter(|_| running)
            .cloned()
            .unwrap_or_default();
        let ipam = match ep.ipv4_address.as_str() {
            "" => Value::Null,
            ip => json!({ "IPv4Address": ip }),
        };
        let mut aliases = ep.aliases.clone();
        aliases.push(rec.id[..12].to_string());
        out.insert(
            name.clone(),
            json!({
                "IPAMConfig": ipam,
                "Links": null,
                "Aliases": aliases,
                "MacAddress": st.mac_address,
                "NetworkID": st.network_id,
                "EndpointID": "",
                "Gateway": st.gateway,
                "IPAddress": st.ip_address,
                "IPPrefixLen": st.prefix_len,
                "IPv6Gateway": "",
                "GlobalIPv6Address": "",
                "GlobalIPv6PrefixLen": 0,
                "DriverOpts": null,
            }),
        );
    }
    Value::Object(out)
}

/// docker's `Mounts` entry of a bind (`SRC:DST[:OPTIONS]`).
fn bind_mount(bind: &str) -> Option<Value> {
    let mut parts = bind.splitn(3, ':');
    let source = parts.next()?;
    let dest = parts.next()?;
    let mode = parts.next().unwrap_or("");
    let opts: Vec<&str> = mode.split(',').filter(|o| !o.is_empty()).collect();
    let propagation = opts
        .iter()
        .find(|o| {
            matches!(
                **o,
                "private" | "rprivate" | "shared" | "rshared" | "slave" | "rslave"
            )
        })
        .copied()
        .unwrap_or("rprivate");
    Some(json!({
        "Type": "bind",
        "Source": source,
        "Destination": dest,
        "Mode": mode,
        "RW": !opts.contains(&"ro"),
        "Propagation": propagation,
    }))
}

#[cfg(test)]
mod tests {
    use super::super::ps::tests::{add, add_image, digest, set_state, temp_store};
    use super::*;

    #[test]
    fn docker_fields() {
        let store = temp_store("inspect");
        add_image(&store, digest(1), "busybox", None);
        let rec = add(&store, "web", 30, Status::Running, 0);
        let settings = super::super::ps::tests::settings_of(&store);
        let q = |q: &str, size| {
            inspect(&store, &settings, &[q.to_string()], size)
                .unwrap()
                .remove(0)
        };
        let v = q("web", false).unwrap();
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        assert_eq!(&keys[..5], ["Id", "Created", "Path", "Args", "State"]);
        assert_eq!(v["Id"], rec.id.as_str());
        assert_eq!(v["Name"], "/web");
        assert_eq!(v["Path"], "sh");
        assert_eq!(v["Args"], json!(["-c", "echo hi"]));
        assert_eq!(v["State"]["Status"], "running");
        assert_eq!(v["State"]["Running"], true);
        assert_eq!(v["State"]["Pid"], std::process::id());
        assert_eq!(v["State"]["FinishedAt"], ZERO_TIME);
        assert_eq!(v["Image"], digest(1).to_string());
        let dir = store.container_dir(&rec.id);
        assert_eq!(v["LogPath"], dir.join("ctr.log").display().to_string());
        assert_eq!(v["HostsPath"], dir.join("hosts").display().to_string());
        assert_eq!(v["HostConfig"]["Binds"], json!(["/srv/data:/data:ro"]));
        assert_eq!(v["HostConfig"]["CapAdd"], Value::Null);
        assert_eq!(v["HostConfig"]["LogConfig"]["Type"], "json-file");
        assert_eq!(v["HostConfig"]["NetworkMode"], "none");
        let lower = format!(
            "{}:{}",
            store.layer_path(&digest(11)).join("diff").display(),
            store.layer_path(&digest(10)).join("diff").display()
        );
        assert_eq!(v["GraphDriver"]["Data"]["LowerDir"], lower);
        assert_eq!(
            v["GraphDriver"]["Data"]["MergedDir"],
            dir.join("rootfs").display().to_string()
        );
        assert_eq!(
            v["Mounts"],
            json!([{"Type": "bind", "Source": "/srv/data", "Destination": "/data", "Mode": "ro", "RW": false, "Propagation": "rprivate"}])
        );
        assert_eq!(v["Config"]["Cmd"], json!(["sh", "-c", "echo hi"]));
        assert_eq!(v["Config"]["Entrypoint"], Value::Null);
        assert_eq!(v["Config"]["Labels"]["app"], "web");
        assert!(v["Config"].get("StopTimeout").is_none());
        assert_eq!(v["NetworkSettings"]["Networks"]["none"]["IPAddress"], "");
        assert_eq!(v["NetworkSettings"]["Ports"], json!({}));
        assert!(v.get("SizeRw").is_none());

        // exited, by ID prefix, with sizes
        set_state(&store, &rec.id, Status::Exited, 2);
        std::fs::write(dir.join("upper/f"), [1u8; 10]).unwrap();
        let v = q(&rec.id[..8], true).unwrap();
        assert_eq!(v["State"]["Status"], "exited");
        assert_eq!(v["State"]["Running"], false);
        assert_eq!(v["State"]["ExitCode"], 2);
        assert_ne!(v["State"]["FinishedAt"], ZERO_TIME);
        assert_eq!(v["SizeRw"], 10);
        assert_eq!(v["SizeRootFs"], 1010);
        let keys: Vec<&str> = v.as_object().unwrap().keys().map(|k| k.as_str()).collect();
        let at = keys.iter().position(|k| *k == "GraphDriver").unwrap();
        assert_eq!(&keys[at + 1..at + 4], ["SizeRw", "SizeRootFs", "Mounts"]);

        let err = q("ghost", false).unwrap_err().to_string();
        assert!(err.starts_with("no such container: ghost"), "{err}");
        assert!(container_exists(&store, "web") && !container_exists(&store, "ghost"));
    }

    #[test]
    fn containers_then_images() {
        let store = temp_store("inspect-any");
        add_image(&store, digest(1), "busybox", None);
        add(&store, "web", 30, Status::Created, 0);
        let q: Vec<String> = ["web", "busybox", "ghost"].map(String::from).to_vec();
        let settings = super::super::ps::tests::settings_of(&store);
        let mut got = inspect_any(&store, &settings, &q).unwrap().into_iter();
        assert_eq!(got.next().unwrap().unwrap()["Name"], "/web");
        // The image store has no config blob here: an error, but not "no such object".
        let image = got.next().unwrap();
        assert!(image.is_err_and(|e| !e.to_string().contains("no such object")));
        let err = got.next().unwrap().unwrap_err().to_string();
        assert!(err.starts_with("no such object: ghost"), "{err}");
    }

    #[test]
    fn binds() {
        let m = bind_mount("/a:/b").unwrap();
        assert_eq!(m["RW"], true);
        assert_eq!(m["Mode"], "");
        let m = bind_mount("/a:/b:ro,rshared").unwrap();
        assert_eq!(m["RW"], false);
        assert_eq!(m["Propagation"], "rshared");
        assert!(bind_mount("/only").is_none());
    }
}
