//! User-defined networks through netavark and aardvark-dns (Debian's
//! `netavark` and `aardvark-dns` packages, podman's network stack, both
//! Rust): netavark creates the bridge, the container's veth, its address
//! and routes, the NAT and port-forwarding rules, and keeps aardvark-dns
//! (one DNS server per bridge, on its gateway address) told which names
//! each container answers to. kist keeps its own network records, leases
//! the addresses (see [`super::lease`]) and adds what netavark 1.4 lacks:
//! isolation between networks and no way out of `--internal` ones.
//!
//! netavark runs where the bridges live: on the host as root; rootless,
//! in the user-level network namespace (see `supervisor::netns`).

use std::collections::BTreeMap;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use super::ports::Published;
use super::NetError;
use crate::store::networks::NetworkRecord;

const DIRS: [&str; 3] = [
    "/usr/lib/podman",
    "/usr/libexec/podman",
    "/usr/local/libexec/podman",
];

/// One of podman's network helpers: its own directories, then `$PATH`.
fn find(name: &'static str, package: &'static str) -> Result<PathBuf, NetError> {
    DIRS.iter()
        .map(|d| Path::new(d).join(name))
        .find(|p| p.is_file())
        .or_else(|| super::mode::find_in_path(name))
        .ok_or_else(|| NetError::Missing("NAME (a user-defined network)".into(), name, package))
}

/// The binaries, checked before a container starts.
#[derive(Debug, Clone)]
pub struct Tools {
    pub netavark: PathBuf,
    pub aardvark: PathBuf,
    pub iptables: PathBuf,
}

impl Tools {
    pub fn find() -> Result<Tools, NetError> {
        Ok(Tools {
            netavark: find("netavark", "netavark")?,
            aardvark: find("aardvark-dns", "aardvark-dns")?,
            iptables: super::mode::find_in_path("iptables")
                .or_else(|| Some(PathBuf::from("/usr/sbin/iptables")).filter(|p| p.is_file()))
                .ok_or_else(|| {
                    NetError::Missing(
                        "NAME (a user-defined network)".into(),
                        "iptables",
                        "iptables",
                    )
                })?,
        })
    }
}

/// A container's place on one network.
#[derive(Debug, Clone)]
pub struct Attachment<'a> {
    pub net: &'a NetworkRecord,
    pub ip: Ipv4Addr,
    pub mac: String,
    pub aliases: Vec<String>,
    /// `eth0`, `eth1`, …
    pub ifname: String,
}

/// netavark's network options (its stdin) for a container.
pub fn options(
    id: &str,
    name: &str,
    nets: &[Attachment],
    ports: &[Published],
    dns_servers: &[String],
) -> Value {
    let mut networks = serde_json::Map::new();
    let mut info = serde_json::Map::new();
    for a in nets {
        networks.insert(
            a.net.name.clone(),
            json!({
                "static_ips": [a.ip.to_string()],
                "static_mac": a.mac,
                "aliases": a.aliases,
                "interface_name": a.ifname,
            }),
        );
        info.insert(
            a.net.name.clone(),
            json!({
                "name": a.net.name,
                "id": a.net.id,
                "driver": "bridge",
                "network_interface": a.net.interface,
                "subnets": [{"subnet": a.net.subnet, "gateway": a.net.gateway}],
                "ipv6_enabled": false,
                "internal": a.net.internal,
                "dns_enabled": a.net.dns_enabled,
                "ipam_options": {"driver": "host-local"},
            }),
        );
    }
    let mut v = json!({
        "container_id": id,
        "container_name": name,
        "networks": networks,
        "network_info": info,
    });
    if !dns_servers.is_empty() {
        v["dns_servers"] = json!(dns_servers);
    }
    if !ports.is_empty() {
        let list: Vec<Value> = ports
            .iter()
            .map(|p| {
                json!({
                    "host_ip": p.host_ip.map(|i| i.to_string()).unwrap_or_default(),
                    "container_port": p.container_port,
                    "host_port": p.host_port,
                    "range": 1,
                    "protocol": p.proto.name(),
                })
            })
            .collect();
        v["port_mappings"] = json!(list);
    }
    v
}

/// What netavark says it set up, per network: the interface's MAC.
pub fn parse_setup(out: &[u8]) -> Result<BTreeMap<String, String>, NetError> {
    let v: Value = serde_json::from_slice(out).map_err(|e| NetError::Helper {
        what: "netavark setup".into(),
        message: format!("unreadable answer ({e}): {}", String::from_utf8_lossy(out)),
    })?;
    let mut macs = BTreeMap::new();
    for (net, status) in v.as_object().into_iter().flatten() {
        let mac = status["interfaces"]
            .as_object()
            .and_then(|i| i.values().next())
            .and_then(|i| i["mac_address"].as_str())
            .unwrap_or_default();
        macs.insert(net.clone(), mac.to_string());
    }
    Ok(macs)
}

/// netavark's `{"error": "..."}`, or its raw output.
pub fn error_text(out: &[u8]) -> String {
    serde_json::from_slice::<Value>(out)
        .ok()
        .and_then(|v| v["error"].as_str().map(str::to_string))
        .unwrap_or_else(|| String::from_utf8_lossy(out).trim().to_string())
}

/// One netavark (or kist firewall change) at a time per directory:
/// netavark 1.4 serialises nothing itself, and a network's first setup
/// racing its last teardown (run in the background by the supervisor
/// after the exit) fails on chains the other removes or makes.
fn exclusive(config_dir: &Path) -> Result<std::fs::File, NetError> {
    let path = config_dir.join("kist-netavark.lock");
    let fail = |e: std::io::Error| NetError::Helper {
        what: format!("lock {}", path.display()),
        message: e.to_string(),
    };
    let file = std::fs::File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(fail)?;
    file.lock().map_err(fail)?;
    Ok(file)
}

/// `netavark setup|teardown NETNS`, options on stdin; `cmd_hook` readies
/// the command (rootless: it enters the network namespace of the
/// bridges). Returns stdout.
pub fn run(
    tools: &Tools,
    config_dir: &Path,
    verb: &str,
    netns: &str,
    opts: &Value,
    rootless: bool,
    mut cmd_hook: impl FnMut(&mut Command),
) -> Result<Vec<u8>, NetError> {
    use std::io::Write;
    let _lock = exclusive(config_dir)?;
    let mut cmd = Command::new(&tools.netavark);
    cmd.arg("--config")
        .arg(config_dir)
        .arg("--rootless")
        .arg(if rootless { "true" } else { "false" })
        .arg("--aardvark-binary")
        .arg(&tools.aardvark)
        .arg(verb)
        .arg(netns)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    cmd_hook(&mut cmd);
    let fail = |e: std::io::Error| NetError::Helper {
        what: format!("netavark {verb}"),
        message: e.to_string(),
    };
    let mut child = cmd.spawn().map_err(fail)?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(opts.to_string().as_bytes()).map_err(fail)?;
    }
    let out = child.wait_with_output().map_err(fail)?;
    if !out.status.success() {
        let text = match error_text(&out.stdout) {
            t if t.is_empty() => String::from_utf8_lossy(&out.stderr).trim().to_string(),
            t => t,
        };
        return Err(NetError::Helper {
            what: format!("netavark {verb}"),
            message: text,
        });
    }
    Ok(out.stdout)
}

/// kist's chain: traffic between two kist bridges goes through it, and
/// only what stays on one bridge returns.
const CHAIN: &str = "KIST-ISOLATION";

/// The rules kist adds for a network, in order, each as (`-A` or `-I`,
/// the rule): traffic from one kist bridge to another is dropped (docker's
/// isolation between networks, which netavark 1.4 lacks), and an internal
/// network's traffic does not leave its bridge at all (nor reaches the
/// host, but for its DNS server).
pub fn isolation_rules(net: &NetworkRecord) -> Vec<(&'static str, Vec<String>)> {
    let bridge = net.interface.as_str();
    let mut rules = vec![
        ("-A", vec![CHAIN, "-j", "DROP"]),
        (
            "-I",
            vec![CHAIN, "-i", bridge, "-o", bridge, "-j", "RETURN"],
        ),
        (
            "-I",
            vec!["FORWARD", "-i", "kist+", "-o", "kist+", "-j", CHAIN],
        ),
    ];
    if net.internal {
        rules.push((
            "-I",
            vec!["FORWARD", "-i", bridge, "!", "-o", bridge, "-j", "DROP"],
        ));
        rules.push((
            "-I",
            vec!["FORWARD", "-o", bridge, "!", "-i", bridge, "-j", "DROP"],
        ));
        // Nor to the host itself through the bridge's address, but for
        // the DNS server there (inserted above the drop).
        rules.push(("-I", vec!["INPUT", "-i", bridge, "-j", "DROP"]));
        for proto in ["udp", "tcp"] {
            rules.push((
                "-I",
                vec![
                    "INPUT", "-i", bridge, "-p", proto, "--dport", "53", "-j", "ACCEPT",
                ],
            ));
        }
    }
    rules
        .into_iter()
        .map(|(verb, r)| (verb, r.into_iter().map(String::from).collect()))
        .collect()
}

fn iptables(
    tools: &Tools,
    args: &[&str],
    rule: &[String],
    cmd_hook: &mut impl FnMut(&mut Command),
) -> Result<std::process::Output, NetError> {
    let mut cmd = Command::new(&tools.iptables);
    cmd.arg("-w").args(args).args(rule);
    cmd.stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd_hook(&mut cmd);
    cmd.output().map_err(|e| NetError::Helper {
        what: "iptables".into(),
        message: e.to_string(),
    })
}

/// Adds the isolation rules that are missing (`iptables -C`, then add),
/// once per bridge and namespace: a marker in netavark's directory
/// (emptied with the namespace) says it was done.
pub fn isolate(
    tools: &Tools,
    config_dir: &Path,
    net: &NetworkRecord,
    mut cmd_hook: impl FnMut(&mut Command),
) -> Result<(), NetError> {
    let marker = config_dir.join(format!(
        "isolated-{}{}",
        net.interface,
        if net.internal { "-internal" } else { "" }
    ));
    if marker.exists() {
        return Ok(());
    }
    let _lock = exclusive(config_dir)?;
    // Exists already unless this is the first network here.
    let _ = iptables(tools, &["-N", CHAIN], &[], &mut cmd_hook)?;
    for (verb, rule) in isolation_rules(net) {
        if iptables(tools, &["-C"], &rule, &mut cmd_hook)?
            .status
            .success()
        {
            continue;
        }
        let out = iptables(tools, &[verb], &rule, &mut cmd_hook)?;
        if !out.status.success() {
            return Err(NetError::Helper {
                what: format!("iptables {verb} {}", rule.join(" ")),
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
    }
    let _ = std::fs::write(&marker, b"");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(internal: bool) -> NetworkRecord {
        NetworkRecord {
            name: "n1".into(),
            id: "ab".repeat(32),
            created: String::new(),
            driver: "bridge".into(),
            subnet: "10.89.3.0/24".into(),
            gateway: "10.89.3.1".into(),
            internal,
            labels: Default::default(),
            interface: "kist3".into(),
            dns_enabled: true,
        }
    }

    #[test]
    fn options_json() {
        let n = net(false);
        let a = Attachment {
            net: &n,
            ip: Ipv4Addr::new(10, 89, 3, 2),
            mac: "02:42:0a:59:03:02".into(),
            aliases: vec!["web".into()],
            ifname: "eth0".into(),
        };
        let v = options("c0ffee", "c1", &[a], &[], &[]);
        assert_eq!(v["networks"]["n1"]["static_ips"][0], "10.89.3.2");
        assert_eq!(v["networks"]["n1"]["aliases"][0], "web");
        assert_eq!(v["network_info"]["n1"]["network_interface"], "kist3");
        assert_eq!(
            v["network_info"]["n1"]["subnets"][0]["gateway"],
            "10.89.3.1"
        );
        assert!(v.get("dns_servers").is_none());
    }

    #[test]
    fn setup_answer() {
        let out = br#"{"n1":{"dns_search_domains":["dns.podman"],"dns_server_ips":["10.89.7.1"],"interfaces":{"eth0":{"mac_address":"9a:01:85:5c:4c:06","subnets":[{"gateway":"10.89.7.1","ipnet":"10.89.7.2/24"}]}}}}"#;
        let m = parse_setup(out).unwrap();
        assert_eq!(m["n1"], "9a:01:85:5c:4c:06");
        assert_eq!(error_text(br#"{"error":"boom"}"#), "boom");
    }

    #[test]
    fn rules() {
        assert_eq!(isolation_rules(&net(false)).len(), 3);
        let r = isolation_rules(&net(true));
        assert_eq!(r.len(), 8);
        assert_eq!(
            r[1].1.join(" "),
            "KIST-ISOLATION -i kist3 -o kist3 -j RETURN"
        );
        assert_eq!(r[3].1.join(" "), "FORWARD -i kist3 ! -o kist3 -j DROP");
    }
}
