//! `kist network` management, as root and rootless: create (a free subnet
//! chosen, or --subnet/--gateway, --internal, --label), ls (columns, -q,
//! --no-trunc, --format, --filter), inspect (docker's JSON), rm, prune,
//! connect/disconnect of stopped containers, and bad input refused with
//! nothing written. No container is started here.

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;

use common::{each_mode, Kist};
use serde_json::Value;

/// `kist ARGS`: (exit code, stdout, stderr).
fn out<S: AsRef<OsStr>>(k: &Kist, args: &[S]) -> (i32, String, String) {
    let o = k.run(args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

fn inspect(k: &Kist, net: &str) -> Value {
    let text = k.ok(&["network", "inspect", net]);
    let v: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}:\n{text}"));
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{text}");
    v[0].clone()
}

fn custom(k: &Kist) -> Vec<String> {
    k.ok(&[
        "network",
        "ls",
        "--filter",
        "type=custom",
        "--format",
        "{{.Name}}",
    ])
    .lines()
    .map(String::from)
    .collect()
}

/// `10.89.N.0/24` → N.
fn third_octet(subnet: &str) -> u8 {
    let rest = subnet
        .strip_prefix("10.89.")
        .and_then(|s| s.strip_suffix(".0/24"))
        .unwrap_or_else(|| panic!("not an automatic subnet: {subnet}"));
    rest.parse().unwrap()
}

#[test]
fn create_and_inspect() {
    each_mode(|k: &Kist| {
        let id = k.ok(&["network", "create", "n1"]).trim().to_string();
        assert!(
            id.len() == 64 && id.bytes().all(|b| b.is_ascii_hexdigit()),
            "{id}"
        );
        let v = inspect(k, "n1");
        assert_eq!(v["Name"], "n1");
        assert_eq!(v["Id"], id.as_str());
        assert_eq!(v["Scope"], "local");
        assert_eq!(v["Driver"], "bridge");
        assert_eq!(v["EnableIPv6"], false);
        assert_eq!(v["Internal"], false);
        assert_eq!(v["Attachable"], false);
        assert_eq!(v["ConfigFrom"]["Network"], "");
        assert_eq!(v["IPAM"]["Driver"], "default");
        assert_eq!(v["Containers"], serde_json::json!({}));
        assert_eq!(v["Labels"], serde_json::json!({}));
        assert!(v["Created"].as_str().unwrap().starts_with("20"), "{v}");
        let subnet = v["IPAM"]["Config"][0]["Subnet"]
            .as_str()
            .unwrap()
            .to_string();
        let n = third_octet(&subnet);
        assert_eq!(v["IPAM"]["Config"][0]["Gateway"], format!("10.89.{n}.1"));
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys[..3], ["Name", "Id", "Created"]);

        // A second automatic network gets another subnet.
        k.ok(&["network", "create", "n3"]);
        let other = inspect(k, "n3")["IPAM"]["Config"][0]["Subnet"].clone();
        assert_ne!(other.as_str().unwrap(), subnet);
        third_octet(other.as_str().unwrap());

        // Given subnet and gateway, internal, labels.
        k.ok(&[
            "network",
            "create",
            "--subnet",
            "10.123.0.0/16",
            "--gateway",
            "10.123.0.254",
            "--internal",
            "--label",
            "a=1",
            "--label",
            "b",
            "-d",
            "bridge",
            "n2",
        ]);
        let v = inspect(k, "n2");
        assert_eq!(v["IPAM"]["Config"][0]["Subnet"], "10.123.0.0/16");
        assert_eq!(v["IPAM"]["Config"][0]["Gateway"], "10.123.0.254");
        assert_eq!(v["Internal"], true);
        assert_eq!(v["Labels"], serde_json::json!({"a": "1", "b": ""}));

        // By ID and ID prefix; several at once; -f; inspect --type network.
        assert_eq!(inspect(k, &id)["Name"], "n1");
        assert_eq!(inspect(k, &id[..12])["Name"], "n1");
        let f = k.ok(&[
            "network",
            "inspect",
            "-f",
            "{{.Name}} {{.Internal}}",
            "n1",
            "n2",
        ]);
        assert_eq!(f, "n1 false\nn2 true\n");
        let t = k.ok(&["inspect", "--type", "network", "-f", "{{.Driver}}", "n2"]);
        assert_eq!(t, "bridge\n");

        // The predefined networks inspect too, with stable IDs.
        let b = inspect(k, "bridge");
        assert_eq!(b["Driver"], "bridge");
        assert_eq!(b["IPAM"]["Config"], serde_json::json!([]));
        assert_eq!(inspect(k, "none")["Driver"], "null");
        assert_eq!(inspect(k, "host")["Id"].as_str().unwrap().len(), 64);
        assert_eq!(inspect(k, "host")["Id"], inspect(k, "host")["Id"]);

        // A missing one: an error for it, the others still printed.
        let (code, stdout, stderr) = out(k, &["network", "inspect", "n1", "ghost"]);
        assert_eq!(code, 125, "{stderr}");
        assert!(
            stderr.contains("Error: network \"ghost\" not found"),
            "{stderr}"
        );
        assert!(stderr.contains("hint: kist network ls"), "{stderr}");
        let v: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 1);
        let (code, _, stderr) = out(k, &["network", "inspect", "ghost"]);
        assert_eq!(code, 125, "{stderr}");
    });
}

#[test]
fn list_formats_and_filters() {
    each_mode(|k: &Kist| {
        let id1 = k.ok(&["network", "create", "web"]).trim().to_string();
        k.ok(&[
            "network", "create", "--label", "env=prod", "--label", "team", "db",
        ]);
        let table = k.ok(&["network", "ls"]);
        let rows: Vec<Vec<&str>> = table
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(
            rows[0],
            ["NETWORK", "ID", "NAME", "DRIVER", "SCOPE"],
            "{table}"
        );
        let names: Vec<&str> = rows[1..].iter().map(|r| r[1]).collect();
        assert_eq!(names, ["bridge", "db", "host", "none", "web"], "{table}");
        let web = rows.iter().find(|r| r[1] == "web").unwrap();
        assert_eq!(web[..], [&id1[..12], "web", "bridge", "local"]);
        let none = rows.iter().find(|r| r[1] == "none").unwrap();
        assert_eq!(none[2..], ["null", "local"]);
        assert_eq!(k.ok(&["network", "list"]), table);

        let q = k.ok(&["network", "ls", "-q"]);
        assert_eq!(q.lines().count(), 5);
        assert!(q.lines().all(|l| l.len() == 12), "{q}");
        assert!(q.contains(&id1[..12]));
        let full = k.ok(&["network", "ls", "-q", "--no-trunc"]);
        assert!(
            full.lines().all(|l| l.len() == 64) && full.contains(&id1),
            "{full}"
        );

        let f = k.ok(&[
            "network",
            "ls",
            "--format",
            "{{.Name}}:{{.Driver}}:{{.Internal}}:{{.Labels}}",
        ]);
        assert!(f.contains("db:bridge:false:env=prod,team=\n"), "{f}");
        assert!(f.contains("host:host:false:\n"), "{f}");
        let t = k.ok(&[
            "network",
            "ls",
            "--format",
            "table {{.Name}}\t{{.Scope}}\t{{.IPv6}}",
        ]);
        assert!(
            t.starts_with("NAME") && t.lines().next().unwrap().contains("IPV6"),
            "{t}"
        );
        let j = k.ok(&["network", "ls", "--format", "json", "--filter", "name=web"]);
        let v: Value = serde_json::from_str(j.trim()).unwrap_or_else(|e| panic!("{e}: {j}"));
        assert_eq!(v["Name"], "web");
        assert_eq!(v["ID"], &id1[..12]);
        assert_eq!(v["Scope"], "local");
        assert_eq!(v["Internal"], "false");
        assert!(
            v["CreatedAt"].as_str().unwrap().ends_with("+0000 UTC"),
            "{v}"
        );

        let names = |filters: &[&str]| -> BTreeSet<String> {
            let mut args = vec!["network", "ls", "--format", "{{.Name}}"];
            for f in filters {
                args.extend(["--filter", f]);
            }
            k.ok(&args).lines().map(String::from).collect()
        };
        let set = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
        assert_eq!(names(&["type=custom"]), set(&["db", "web"]));
        assert_eq!(names(&["type=builtin"]), set(&["bridge", "host", "none"]));
        assert_eq!(names(&["driver=null"]), set(&["none"]));
        assert_eq!(names(&["name=e"]), set(&["bridge", "none", "web"]));
        assert_eq!(names(&["name=^w", "name=^d"]), set(&["db", "web"]));
        assert_eq!(names(&["label=env=prod"]), set(&["db"]));
        assert_eq!(names(&["label=team", "label=env"]), set(&["db"]));
        assert_eq!(names(&[&format!("id={}", &id1[..10])]), set(&["web"]));
        assert_eq!(names(&["dangling=true"]), set(&["db", "web"]));
        assert_eq!(names(&["dangling=false"]), set(&["bridge", "host", "none"]));
        assert_eq!(
            names(&["scope=local", "type=custom", "name=db"]),
            set(&["db"])
        );
        for bad in ["color=red", "type=other", "dangling=maybe", "name"] {
            let (code, _, err) = out(k, &["network", "ls", "--filter", bad]);
            assert_eq!(code, 125, "{bad}: {err}");
        }
    });
}

#[test]
fn remove_and_prune() {
    each_mode(|k: &Kist| {
        for n in ["pa", "pb", "pc", "pd"] {
            k.ok(&["network", "create", n]);
        }
        assert_eq!(k.ok(&["network", "rm", "pa"]), "pa\n");
        let (code, _, err) = out(k, &["network", "rm", "pa"]);
        assert_eq!(code, 125);
        assert!(
            err.contains("Error: network \"pa\" not found\nhint: kist network ls"),
            "{err}"
        );
        let (code, o, err) = out(k, &["network", "rm", "-f", "pa"]);
        assert_eq!((code, o.as_str()), (0, ""), "{err}");
        let (code, _, err) = out(k, &["network", "rm", "bridge"]);
        assert_eq!(code, 125);
        assert!(
            err.contains("bridge is a pre-defined network and cannot be removed"),
            "{err}"
        );
        let (code, _, err) = out(k, &["network", "remove", "-f", "none"]);
        assert_eq!(code, 125, "{err}");
        // Several: the missing one is an error, the others go.
        let id_c = inspect(k, "pc")["Id"].as_str().unwrap().to_string();
        let (code, o, err) = out(k, &["network", "rm", "pb", "ghost", &id_c[..12]]);
        assert_eq!(code, 125, "{err}");
        assert_eq!(o, format!("pb\n{}\n", &id_c[..12]));
        assert_eq!(custom(k), ["pd"]);

        // prune: asks first; label and until filters.
        k.ok(&["network", "create", "--label", "keep=yes", "pe"]);
        k.ok(&["network", "create", "pf"]);
        let o = k.ok_stdin(&["network", "prune"], b"n\n");
        assert!(
            o.starts_with("WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] "),
            "{o}"
        );
        assert_eq!(custom(k), ["pd", "pe", "pf"]);
        let o = k.ok(&[
            "network",
            "prune",
            "-f",
            "--filter",
            "until=2000-01-01T00:00:00Z",
        ]);
        assert_eq!(o, "");
        assert_eq!(
            k.ok(&["network", "prune", "-f", "--filter", "label=keep=yes"]),
            "Deleted Networks:\npe\n\n"
        );
        let o = k.ok_stdin(&["network", "prune"], b"y\n");
        assert!(o.ends_with("Deleted Networks:\npd\npf\n\n"), "{o}");
        assert!(custom(k).is_empty());
        assert_eq!(k.ok(&["network", "prune", "-f"]), "");
        // The predefined networks stay.
        assert_eq!(k.ok(&["network", "ls", "-q"]).lines().count(), 3);
    });
}

#[test]
fn bad_input_is_refused() {
    each_mode(|k: &Kist| {
        k.ok(&["network", "create", "--subnet", "10.200.1.0/24", "n1"]);
        let fails = |args: &[&str], needle: &str| {
            let mut all = vec!["network", "create"];
            all.extend(args);
            let (code, _, err) = out(k, &all);
            assert_eq!(code, 125, "{args:?}: {err}");
            assert!(err.contains(needle), "{args:?}: {err}");
        };
        fails(&["--", "-bad"], "invalid network name \"-bad\"");
        fails(&["a/b"], "invalid network name");
        for reserved in ["bridge", "host", "none", "pasta", "slirp4netns", "default"] {
            fails(&[reserved], "is reserved");
        }
        fails(&["n1"], "network with name n1 already exists");
        fails(
            &["--subnet", "10.0.0.0/33", "x"],
            "invalid subnet \"10.0.0.0/33\"",
        );
        fails(&["--subnet", "nonsense", "x"], "invalid subnet");
        fails(
            &["--subnet", "10.7.0.5/16", "x"],
            "not the network's (10.7.0.0/16)",
        );
        fails(&["--subnet", "10.7.0.0/31", "x"], "between 8 and 30");
        fails(
            &["--subnet", "10.200.0.0/16", "x"],
            "overlaps network n1 (10.200.1.0/24)",
        );
        fails(
            &["--subnet", "10.9.0.0/24", "--gateway", "10.9.1.1", "x"],
            "gateway 10.9.1.1 is not in subnet 10.9.0.0/24",
        );
        fails(
            &["--subnet", "10.9.0.0/24", "--gateway", "10.9.0.255", "x"],
            "broadcast",
        );
        fails(
            &["--gateway", "10.9.0.1", "x"],
            "--gateway needs a --subnet",
        );
        fails(
            &["-d", "macvlan", "x"],
            "network driver \"macvlan\" is not supported yet",
        );
        fails(
            &["--ip-range", "10.9.0.0/25", "x"],
            "--ip-range is not supported yet",
        );
        fails(&["--ipv6", "x"], "not supported yet");
        fails(&["-o", "mtu=1400", "x"], "not supported yet");
        // A subnet of the host's own routes.
        let route = host_route();
        if let Some(r) = &route {
            fails(&["--subnet", r, "x"], "overlaps the host's route");
            fails(&["--subnet", r, "x"], "hint: choose another --subnet");
        }
        assert_eq!(custom(k), ["n1"]);
    });
}

/// A non-default route of the host, as CIDR.
fn host_route() -> Option<String> {
    let table = std::fs::read_to_string("/proc/net/route").ok()?;
    table.lines().skip(1).find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        let hex = |s: &str| u32::from_str_radix(s, 16).ok();
        let dest = std::net::Ipv4Addr::from(hex(f.get(1)?)?.to_ne_bytes());
        let len = hex(f.get(7)?)?.count_ones();
        (8..=30).contains(&len).then(|| format!("{dest}/{len}"))
    })
}

#[test]
fn concurrent_creates_get_distinct_subnets() {
    each_mode(|k: &Kist| {
        let children: Vec<_> = (0..4)
            .map(|i| {
                k.command(&["network", "create", &format!("p{i}")])
                    .stdout(std::process::Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for mut c in children {
            assert!(c.wait().unwrap().success());
        }
        let subnets: BTreeSet<String> = (0..4)
            .map(|i| inspect(k, &format!("p{i}"))["IPAM"]["Config"][0]["Subnet"].to_string())
            .collect();
        assert_eq!(subnets.len(), 4, "{subnets:?}");
    });
}

#[test]
fn connect_and_disconnect_stopped_containers() {
    each_mode(|k: &Kist| {
        k.load(&common::busybox_docker_archive());
        let img = common::fixtures::NAME;
        k.ok(&["network", "create", "--subnet", "10.201.0.0/24", "n1"]);
        k.ok(&["network", "create", "--subnet", "10.202.0.0/24", "n2"]);
        let id = k.ok(&["create", "--name", "c1", "--network", "n1", img, "true"]);
        let record = || -> Value {
            let path = k
                .root
                .join("containers")
                .join(id.trim())
                .join("container.json");
            serde_json::from_slice(&k.read(&path)).unwrap()
        };
        k.ok(&[
            "network",
            "connect",
            "--alias",
            "web",
            "--ip",
            "10.202.0.9",
            "n2",
            "c1",
        ]);
        let r = record();
        assert_eq!(r["networks"]["n2"]["Aliases"], serde_json::json!(["web"]));
        assert_eq!(r["networks"]["n2"]["Ipv4Address"], "10.202.0.9");
        assert!(r["networks"].get("n1").is_some(), "{r}");
        let fails = |args: &[&str], needle: &str| {
            let (code, _, err) = out(k, args);
            assert_eq!(code, 125, "{args:?}: {err}");
            assert!(err.contains(needle), "{args:?}: {err}");
        };
        fails(
            &["network", "connect", "n2", "c1"],
            "already connected to network n2",
        );
        k.ok(&["create", "--name", "c4", "--network", "n1", img, "true"]);
        fails(
            &["network", "connect", "--ip", "10.202.0.9", "n2", "c4"],
            "already given to container c1",
        );
        fails(
            &["network", "connect", "--ip", "10.9.0.9", "n2", "c4"],
            "not in network n2's subnet",
        );
        fails(
            &["network", "connect", "--ip", "10.202.0.1", "n2", "c4"],
            "reserved",
        );
        fails(
            &["network", "connect", "--alias=-x", "n2", "c4"],
            "invalid network alias",
        );
        fails(
            &["network", "connect", "ghost", "c4"],
            "network \"ghost\" not found",
        );
        fails(
            &["network", "connect", "n2", "ghost"],
            "no such container: ghost",
        );
        fails(
            &["network", "connect", "host", "c4"],
            "pre-defined network host",
        );

        // Off its main network: the other one becomes the main one.
        k.ok(&["network", "disconnect", "n1", "c1"]);
        let r = record();
        assert_eq!(r["host_config"]["NetworkMode"], "n2", "{r}");
        assert!(r["networks"].get("n1").is_none(), "{r}");
        fails(
            &["network", "disconnect", "n2", "c1"],
            "the only network of container c1",
        );
        fails(
            &["network", "disconnect", "n1", "c1"],
            "not connected to network n1",
        );
        k.ok(&["network", "disconnect", "-f", "n1", "c1"]);

        // Containers off user-defined networks.
        k.ok(&["create", "--name", "c2", img, "true"]);
        fails(
            &["network", "connect", "n1", "c2"],
            "container c2 is on the default network",
        );
        k.ok(&["create", "--name", "c3", "--network", "none", img, "true"]);
        fails(&["network", "connect", "n1", "c3"], "network mode \"none\"");

        // A stopped container does not keep its network.
        assert_eq!(k.ok(&["network", "rm", "n2"]), "n2\n");
    });
}
