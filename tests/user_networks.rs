//! User-defined networks end to end, as root and rootless (rootless: the
//! bridges live in the user's rootless network namespace): containers on
//! one network reach each other by name and by alias, and 20 of them all
//! resolve each other; two networks have no route between them; an
//! `--internal` network has no way out; `network rm` of a network in use
//! is refused; `--ip`; inspect's `Networks` and `network inspect`'s
//! `Containers`; the network of a killed supervisor is cleaned up by the
//! next command (its address and name free again); as root, `-p` through
//! the bridge.
//!
//! As root the bridges of every test share the host: each test gives its
//! networks their own subnets (10.89.2xx.0/24).

mod common;
mod container_kit;

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream, UdpSocket};
use std::time::Duration;

use common::fixtures;
use common::{each_mode, Kist};
use container_kit::{alive, all_ids, host_http_server, kill9, out, wait_until, HOST_PYTHON};

const IMG: &str = "kist-test/bb-unet:latest";

fn image(k: &Kist) {
    let tar = common::fixture("busybox-full-rootfs-v2.tar", fixtures::full_busybox_rootfs);
    k.ok(&[OsStr::new("import"), tar.as_os_str(), OsStr::new(IMG)]);
}

/// `network create --subnet 10.89.OCTET.0/24 NAME [EXTRA]`.
fn create(k: &Kist, name: &str, octet: u8, extra: &[&str]) {
    let subnet = format!("10.89.{octet}.0/24");
    let mut args = vec!["network", "create", "--subnet", &subnet];
    args.extend_from_slice(extra);
    args.push(name);
    k.ok(&args);
}

/// Removes the scenario's containers and networks, and (rootless) stops
/// its rootless network namespace and pasta.
struct Cleanup<'a>(&'a Kist);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let k = self.0;
        let ids = all_ids(k);
        if !ids.is_empty() {
            let mut args = vec!["rm".to_string(), "-f".to_string()];
            args.extend(ids);
            let _ = k.run(&args);
        }
        let _ = k.run(&["network", "prune", "-f"]);
        let holder = std::fs::read_to_string(k.runroot.join("netns/holder.json"))
            .ok()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(&t).ok());
        if let Some(h) = holder {
            for key in ["pid", "pasta"] {
                let pid = h[key].as_i64().unwrap_or(0) as i32;
                if pid > 0 {
                    kill9(pid);
                }
            }
        }
    }
}

/// A web server container on `net` serving "hello-NAME".
fn web(k: &Kist, name: &str, net: &str, extra: &[&str]) -> String {
    let script = format!(
        "mkdir -p /srv && echo hello-{name} > /srv/index.html && exec httpd -f -p 80 -h /srv"
    );
    let mut args = vec!["run", "-d", "--name", name, "--network", net];
    args.extend_from_slice(extra);
    args.extend([IMG, "sh", "-c", &script]);
    k.ok(&args).trim().to_string()
}

/// `wget URL` from a new container on `net`, tried for a few seconds (the
/// server may still be starting): its output, or None.
fn fetch(k: &Kist, net: &str, url: &str) -> Option<String> {
    let script = format!(
        "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 5 wget -q -O - {url} 2>/dev/null && exit 0; sleep 0.3; done; exit 1"
    );
    let (code, stdout, _) = out(
        k,
        &["run", "--rm", "--network", net, IMG, "sh", "-c", &script],
    );
    (code == 0).then_some(stdout)
}

fn ip_of(k: &Kist, c: &str, net: &str) -> String {
    let t = format!("{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}");
    k.ok(&["inspect", "-f", &t, c]).trim().to_string()
}

#[test]
fn by_name_alias_isolation_and_rm_in_use() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        create(k, "front", 201, &[]);
        create(k, "back", 202, &[]);
        web(k, "web", "front", &["--network-alias", "www"]);
        for host in ["web", "www", "web.dns.podman"] {
            assert_eq!(
                fetch(k, "front", &format!("http://{host}/")).as_deref(),
                Some("hello-web\n"),
                "{:?}: by {host}",
                k.mode
            );
        }
        let ip = ip_of(k, "web", "front");
        assert!(ip.starts_with("10.89.201."), "{ip}");
        // From the other network: no name, no route.
        let script = format!(
            "nslookup web >/dev/null 2>&1 && echo named; timeout 3 wget -q -O - http://{ip}/ >/dev/null 2>&1 && echo reached; echo done"
        );
        let (code, stdout, stderr) = out(
            k,
            &["run", "--rm", "--network", "back", IMG, "sh", "-c", &script],
        );
        assert_eq!(
            (code, stdout.as_str()),
            (0, "done\n"),
            "{:?}: {stderr}",
            k.mode
        );

        // inspect and network inspect.
        let v: serde_json::Value = serde_json::from_str(&k.ok(&["inspect", "web"])).unwrap();
        let ep = &v[0]["NetworkSettings"]["Networks"]["front"];
        assert_eq!(ep["IPAddress"], ip.as_str());
        assert_eq!(ep["IPPrefixLen"], 24);
        assert_eq!(ep["Gateway"], "10.89.201.1");
        assert!(
            ep["Aliases"].as_array().unwrap().contains(&"www".into()),
            "{ep}"
        );
        assert_eq!(v[0]["HostConfig"]["NetworkMode"], "front");
        let n: serde_json::Value =
            serde_json::from_str(&k.ok(&["network", "inspect", "front"])).unwrap();
        let ctrs = n[0]["Containers"].as_object().unwrap();
        assert_eq!(ctrs.len(), 1, "{n}");
        let c = ctrs.values().next().unwrap();
        assert_eq!(c["Name"], "web");
        assert_eq!(c["IPv4Address"], format!("{ip}/24"));

        // In use: refused; after the container stops: removed.
        let (code, err) = k.fails(&["network", "rm", "front"]);
        assert_eq!(code, 125);
        assert!(err.contains("in use by container(s) web"), "{err}");
        k.ok(&["rm", "-f", "web"]);
        assert_eq!(k.ok(&["network", "rm", "front"]).trim(), "front");
    });
}

#[test]
fn static_ip_and_a_killed_supervisor() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        create(k, "n", 203, &[]);
        let id = k
            .ok(&[
                "run",
                "-d",
                "--name",
                "aa",
                "--network",
                "n",
                "--ip",
                "10.89.203.50",
                IMG,
                "sleep",
                "300",
            ])
            .trim()
            .to_string();
        assert_eq!(ip_of(k, "aa", "n"), "10.89.203.50");
        // The address is taken.
        let (code, err) = k.fails(&[
            "run",
            "--rm",
            "--network",
            "n",
            "--ip",
            "10.89.203.50",
            IMG,
            "true",
        ]);
        assert_eq!(code, 125);
        assert!(err.contains("already in use"), "{err}");
        let (code, err) = k.fails(&[
            "run",
            "--rm",
            "--network",
            "n",
            "--ip",
            "10.90.0.5",
            IMG,
            "true",
        ]);
        assert_eq!(code, 125);
        assert!(err.contains("not in network n's subnet"), "{err}");
        let (code, err) = k.fails(&["run", "--rm", "--network", "nope", IMG, "true"]);
        assert_eq!(code, 125);
        assert!(err.contains("network nope not found"), "{err}");

        let state: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(k.root.join("containers").join(&id).join("state.json"))
                .unwrap(),
        )
        .unwrap();
        let (sup, pid) = (
            state["supervisor"].as_i64().unwrap() as i32,
            state["pid"].as_i64().unwrap() as i32,
        );
        kill9(sup);
        assert!(
            wait_until(5, || !alive(pid)),
            "{:?}: container outlived its supervisor",
            k.mode
        );
        // The next command cleans up: the address and the name are free.
        let st = k.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
        assert!(st.starts_with("aa Exited (137)"), "{st}");
        let script = "nslookup aa >/dev/null 2>&1 && echo still-named; echo ok";
        let (code, stdout, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "n",
                "--ip",
                "10.89.203.50",
                IMG,
                "sh",
                "-c",
                script,
            ],
        );
        assert_eq!(
            (code, stdout.as_str()),
            (0, "ok\n"),
            "{:?}: {stderr}",
            k.mode
        );
        // The killed supervisor's record is gone; the `run --rm` one's
        // supervisor tears its network down after reporting the exit.
        let left = || -> Vec<String> {
            std::fs::read_dir(k.runroot.join("net"))
                .map(|d| {
                    d.flatten()
                        .map(|e| e.file_name().to_string_lossy().to_string())
                        .filter(|n| n.ends_with(".bridge"))
                        .collect()
                })
                .unwrap_or_default()
        };
        assert!(
            wait_until(10, || left().is_empty()),
            "{:?}: clean-up records are left: {:?} (aa is {id})",
            k.mode,
            left()
        );
        // It starts again with its address.
        k.ok(&["start", "aa"]);
        assert_eq!(ip_of(k, "aa", "n"), "10.89.203.50");
    });
}

#[test]
fn internal_network_has_no_way_out() {
    let port = host_http_server("0.0.0.0", "hello-from-the-host\n");
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        create(k, "open", 204, &[]);
        create(k, "closed", 205, &["--internal"]);
        let url = format!("http://host.containers.internal:{port}/");
        assert_eq!(
            fetch(k, "open", &url).as_deref(),
            Some("hello-from-the-host\n"),
            "{:?}: a normal network reaches the host",
            k.mode
        );
        let script = format!("timeout 3 wget -q -O - {url} >/dev/null 2>&1 && echo out; echo done");
        let (code, stdout, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--network",
                "closed",
                IMG,
                "sh",
                "-c",
                &script,
            ],
        );
        assert_eq!(
            (code, stdout.as_str()),
            (0, "done\n"),
            "{:?}: {stderr}",
            k.mode
        );
        // Inside, names still resolve.
        web(k, "inner", "closed", &[]);
        assert_eq!(
            fetch(k, "closed", "http://inner/").as_deref(),
            Some("hello-inner\n"),
            "{:?}",
            k.mode
        );
    });
}

#[test]
fn twenty_containers_resolve_each_other() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        create(k, "many", 206, &[]);
        let names: Vec<String> = (0..20).map(|i| format!("c{i}")).collect();
        for n in &names {
            k.ok(&[
                "run",
                "-d",
                "--name",
                n,
                "--network",
                "many",
                IMG,
                "sleep",
                "300",
            ]);
        }
        let script = format!(
            "for n in {}; do nslookup $n >/dev/null 2>&1 || echo miss $n; done; echo done",
            names.join(" ")
        );
        for n in &names {
            let got = k.ok(&["exec", n, "sh", "-c", &script]);
            assert_eq!(got, "done\n", "{:?}: from {n}", k.mode);
        }
        let listed = k.ok(&["network", "inspect", "-f", "{{len .Containers}}", "many"]);
        assert_eq!(listed.trim(), "20");
    });
}

#[test]
fn published_port_through_the_bridge() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        create(k, "pub", 207, &[]);
        let port = TcpListener::bind("0.0.0.0:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let publish = format!("{port}:80");
        // Root: netavark's DNAT on the host; rootless: the supervisor
        // relays into the rootless network namespace.
        web(k, "pweb", "pub", &["-p", &publish]);
        let mut body = None;
        wait_until(10, || {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                return false;
            };
            let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
            let _ = s.write_all(b"GET / HTTP/1.0\r\n\r\n");
            let mut t = String::new();
            let _ = s.read_to_string(&mut t);
            body = t.split_once("\r\n\r\n").map(|(_, b)| b.to_string());
            body.is_some()
        });
        assert_eq!(body.as_deref(), Some("hello-pweb\n"));
        let ports = k.ok(&["port", "pweb"]);
        assert!(
            ports.contains(&format!("80/tcp -> 0.0.0.0:{port}")),
            "{ports}"
        );
        // The host port stays taken while it runs: neither another
        // container nor a program on the host gets it.
        let (code, err) = k.fails(&["run", "-d", "-p", &publish, "--network", "pub", IMG, "true"]);
        assert_eq!(code, 125);
        assert!(
            err.contains(&format!("host port {port}/tcp is already in use")),
            "{err}"
        );
        assert!(TcpListener::bind(("0.0.0.0", port)).is_err());
        k.ok(&["rm", "-f", "pweb"]);
        assert!(
            wait_until(10, || TcpListener::bind(("0.0.0.0", port)).is_ok()),
            "the host port is not given back"
        );
    });
}

#[test]
fn connect_disconnect_running_and_several_networks() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        create(k, "one", 208, &[]);
        create(k, "two", 209, &[]);
        web(k, "cw", "one", &[]);
        k.ok(&["network", "connect", "--alias", "alt", "two", "cw"]);
        assert_eq!(
            fetch(k, "two", "http://alt/").as_deref(),
            Some("hello-cw\n"),
            "{:?}: connected while running",
            k.mode
        );
        let (code, err) = k.fails(&["network", "connect", "two", "cw"]);
        assert_eq!(code, 125);
        assert!(err.contains("already connected"), "{err}");
        k.ok(&["network", "disconnect", "one", "cw"]);
        let script = "nslookup cw >/dev/null 2>&1 && echo named; echo done";
        let (code, stdout, stderr) = out(
            k,
            &["run", "--rm", "--network", "one", IMG, "sh", "-c", script],
        );
        assert_eq!(
            (code, stdout.as_str()),
            (0, "done\n"),
            "{:?}: {stderr}",
            k.mode
        );
        let nets = k.ok(&[
            "inspect",
            "-f",
            "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
            "cw",
        ]);
        assert_eq!(nets.trim(), "two");
        let (code, err) = k.fails(&["network", "disconnect", "two", "cw"]);
        assert_eq!(code, 125);
        assert!(err.contains("keeps at least one"), "{err}");

        // Several --network: one interface on each.
        let got = k.ok(&[
            "run",
            "--rm",
            "--network",
            "one",
            "--network",
            "two",
            IMG,
            "sh",
            "-c",
            "ip -o -4 addr show | awk '{print $2, $4}'",
        ]);
        let mut lines: Vec<&str> = got.lines().filter(|l| !l.starts_with("lo ")).collect();
        lines.sort();
        assert_eq!(lines.len(), 2, "{got}");
        assert!(lines[0].starts_with("eth0 10.89.208."), "{got}");
        assert!(lines[1].starts_with("eth1 10.89.209."), "{got}");
        let (code, err) = k.fails(&[
            "run",
            "--rm",
            "--network",
            "one",
            "--network",
            "host",
            IMG,
            "true",
        ]);
        assert_eq!(code, 125);
        assert!(
            err.contains("cannot attach both user-defined and non-user-defined"),
            "{err}"
        );
    });
}

/// The host's python3 in the container (its /usr, /lib and loader,
/// read-only), running `script`, on network `net` with `extra` flags.
fn python(k: &Kist, name: &str, net: &str, extra: &[&str], script: &str) {
    let mut args = vec!["run", "-d", "--name", name, "--network", net];
    args.extend_from_slice(extra);
    args.extend(HOST_PYTHON);
    args.extend([IMG, "/usr/bin/python3", "-c", script]);
    k.ok(&args);
}

fn free_port(udp: bool) -> u16 {
    match udp {
        true => UdpSocket::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(),
        false => TcpListener::bind("0.0.0.0:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port(),
    }
}

#[test]
fn published_udp_and_bulk_tcp_through_the_bridge() {
    if !std::path::Path::new("/usr/bin/python3").exists() {
        println!("skipped: no /usr/bin/python3 on the host");
        return;
    }
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        create(k, "relay", 210, &[]);
        // UDP: two senders, each answered on its own.
        let uport = free_port(true);
        let echo = "import socket\n\
                    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n\
                    s.bind(('0.0.0.0', 5000))\n\
                    while True:\n    data, peer = s.recvfrom(2048)\n    s.sendto(b'echo:' + data, peer)\n";
        let publish = format!("127.0.0.1:{uport}:5000/udp");
        python(k, "uecho", "relay", &["-p", &publish], echo);
        for who in ["a", "b"] {
            let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
            sock.set_read_timeout(Some(Duration::from_millis(300)))
                .unwrap();
            let mut got = None;
            wait_until(10, || {
                let _ = sock.send_to(who.as_bytes(), ("127.0.0.1", uport));
                let mut buf = [0u8; 64];
                sock.recv_from(&mut buf)
                    .map(|(n, _)| got = Some(String::from_utf8_lossy(&buf[..n]).to_string()))
                    .is_ok()
            });
            assert_eq!(got, Some(format!("echo:{who}")), "{:?}", k.mode);
        }

        // TCP: 8 MiB in, its digest out, unchanged.
        let tport = free_port(false);
        let digest = "import hashlib, socket\n\
                      s = socket.socket()\n\
                      s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n\
                      s.bind(('0.0.0.0', 9000))\n\
                      s.listen(4)\n\
                      while True:\n    c, _ = s.accept()\n    h = hashlib.sha256()\n    n = 0\n    while True:\n        d = c.recv(65536)\n        if not d:\n            break\n        h.update(d)\n        n += len(d)\n    c.sendall(('%d %s' % (n, h.hexdigest())).encode())\n    c.close()\n";
        let publish = format!("{tport}:9000");
        python(k, "sink", "relay", &["-p", &publish], digest);
        let data = common::fixtures::random_bytes(11, 8 << 20);
        let want = format!("{} {}", data.len(), common::fixtures::sha256_hex(&data));
        let mut answer = String::new();
        let sent = wait_until(10, || {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", tport)) else {
                return false;
            };
            let _ = s.set_read_timeout(Some(Duration::from_secs(20)));
            if s.write_all(&data).is_err() || s.shutdown(Shutdown::Write).is_err() {
                return false;
            }
            answer.clear();
            s.read_to_string(&mut answer).is_ok() && !answer.is_empty()
        });
        assert!(sent, "{:?}: no answer through port {tport}", k.mode);
        assert_eq!(answer, want, "{:?}", k.mode);
    });
}

/// The default network: as root docker's `bridge` (172.17.0.0/16 on
/// `kist0`, NAT, no name resolution), rootless pasta or slirp4netns.
#[test]
fn default_network_as_root_is_a_bridge() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let port = free_port(false);
        let publish = format!("{port}:80");
        let id = k
            .ok(&[
                "run", "-d", "--name", "dweb", "-p", &publish, IMG, "httpd", "-f", "-p", "80",
                "-h", "/etc",
            ])
            .trim()
            .to_string();
        let mode = k.ok(&["inspect", "-f", "{{.HostConfig.NetworkMode}}", "dweb"]);
        let nets = k.ok(&[
            "inspect",
            "-f",
            "{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}",
            "dweb",
        ]);
        let got = wait_until(10, || {
            let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
                return false;
            };
            let _ = s.set_read_timeout(Some(Duration::from_secs(3)));
            let _ = s.write_all(b"GET /passwd HTTP/1.0\r\n\r\n");
            let mut t = String::new();
            let _ = s.read_to_string(&mut t);
            t.contains("root:")
        });
        assert!(got, "{:?}: nothing through port {port}", k.mode);
        if k.rootless() {
            assert!(
                ["pasta\n", "slirp4netns\n"].contains(&mode.as_str()),
                "{mode}"
            );
            return;
        }
        assert_eq!(mode, "bridge\n");
        assert!(nets.starts_with("bridge=172.17."), "{nets}");
        let inspect = k.ok(&[
            "network",
            "inspect",
            "-f",
            "{{range $k, $v := .Containers}}{{$k}} {{end}}",
            "bridge",
        ]);
        assert_eq!(inspect.trim(), id);
        // No names on the default bridge (as docker), but the way out.
        let script = "nslookup dweb >/dev/null 2>&1 && echo named; ip route | grep -c '^default via 172.17.0.1'";
        assert_eq!(k.ok(&["run", "--rm", IMG, "sh", "-c", script]), "1\n");
        let (code, err) = k.fails(&["network", "rm", "bridge"]);
        assert_eq!(code, 125, "{err}");
    });
}
