//! More container flags and commands end to end, as root and rootless:
//! `--init`, `--userns=keep-id`, the image's USER and STOPSIGNAL, `-a`,
//! `--sig-proxy`, `--detach-keys`, TERM with `-t`, `rename`,
//! `container prune` and `export` on the default storage driver.

mod common;
mod container_kit;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use common::{each_mode, Kist};
use container_kit::*;

#[test]
fn init_reaps_and_forwards_signals() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // Without --init the command is pid 1; with it, pid 1 is kist's.
        assert_eq!(sh(k, "echo $$"), "1\n");
        let got = sh_with(
            k,
            &["--init"],
            "echo $$; ls /proc/1/exe >/dev/null && echo init",
        );
        assert_ne!(got.lines().next(), Some("1"), "{got}");
        assert!(got.ends_with("init\n"), "{got}");
        // The command's exit code is the container's.
        let (code, _, stderr) = out(
            k,
            &[
                "run",
                "--rm",
                "--init",
                "--network",
                "none",
                IMG,
                "sh",
                "-c",
                "exit 7",
            ],
        );
        assert_eq!(code, 7, "{:?}: {stderr}", k.mode);
        // sleep as pid 1 ignores TERM; under the init it dies of it.
        let c = detach(k, &["--init"], &["sleep", "1000"]);
        let t = Instant::now();
        k.ok(&["stop", "-t", "20", &c]);
        assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
        assert_eq!(inspect(k, &c)["State"]["ExitCode"], 143, "{:?}", k.mode);
        // Orphans are reaped: no zombie stays behind.
        let got = sh_with(
            k,
            &["--init"],
            "sh -c 'sleep 0.1 &' ; sleep 0.5; ps -o stat,comm | grep -c '^Z' || true",
        );
        assert_eq!(got.trim(), "0", "{:?}: zombies: {got}", k.mode);
    });
}

#[test]
fn keep_id_and_the_images_user() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        if k.rootless() {
            let got = sh_with(k, &["--userns=keep-id"], "id -u; id -g");
            assert_eq!(got, format!("{}\n{}\n", k.uid, k.gid));
        } else {
            let (code, err) = k.fails(&["create", "--userns=keep-id", IMG]);
            assert_eq!(code, 125);
            assert!(err.contains("for rootless containers"), "{err}");
        }
        // An image whose config names a user and a stop signal.
        let tar = common::fixture(
            "busybox-full-rootfs-v2.tar",
            common::fixtures::full_busybox_rootfs,
        );
        k.ok(&[
            OsStr::new("import"),
            OsStr::new("--change"),
            OsStr::new("USER 1000:1000"),
            OsStr::new("--change"),
            OsStr::new("STOPSIGNAL SIGUSR1"),
            tar.as_os_str(),
            OsStr::new("kist-test/user:1"),
        ]);
        let got = k.ok(&[
            "run",
            "--rm",
            "--network",
            "none",
            "kist-test/user:1",
            "sh",
            "-c",
            "id -u; id -g",
        ]);
        assert_eq!(got, "1000\n1000\n");
        let c = k
            .ok(&[
                "run",
                "-d",
                "--network",
                "none",
                "kist-test/user:1",
                "sh",
                "-c",
                "trap 'exit 10' USR1; trap 'exit 20' TERM; echo ready; while :; do sleep 0.1; done",
            ])
            .trim()
            .to_string();
        wait_for_log(k, &c, "ready");
        assert_eq!(inspect(k, &c)["Config"]["StopSignal"], "SIGUSR1");
        k.ok(&["stop", &c]);
        assert_eq!(inspect(k, &c)["State"]["ExitCode"], 10, "{:?}", k.mode);
    });
}

#[test]
fn attach_streams_sig_proxy_and_detach_keys() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // -a picks the streams the terminal gets.
        let script = "echo out; echo err >&2";
        let o = k.run(&[
            "run",
            "--rm",
            "-a",
            "stdout",
            "--network",
            "none",
            IMG,
            "sh",
            "-c",
            script,
        ]);
        assert_eq!(String::from_utf8_lossy(&o.stdout), "out\n");
        assert_eq!(String::from_utf8_lossy(&o.stderr), "");
        let o = k.run(&[
            "run",
            "--rm",
            "-a",
            "stderr",
            "--network",
            "none",
            IMG,
            "sh",
            "-c",
            script,
        ]);
        assert_eq!(String::from_utf8_lossy(&o.stdout), "");
        assert_eq!(String::from_utf8_lossy(&o.stderr), "err\n");

        // The attached CLI forwards the signals it gets (--sig-proxy).
        let trap = "trap 'echo got-usr1; exit 3' USR1; echo ready; while :; do sleep 0.1; done";
        for (proxy, want) in [("true", Some(3)), ("false", None)] {
            let name = format!("proxy-{proxy}");
            let mut child = k
                .command(&[
                    "run",
                    "--name",
                    &name,
                    &format!("--sig-proxy={proxy}"),
                    "--network",
                    "none",
                    IMG,
                    "sh",
                    "-c",
                    trap,
                ])
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            // The CLI was only just started: the container may not exist yet.
            let ready = wait_until(10, || {
                String::from_utf8_lossy(&k.run(&["logs", &name]).stdout).contains("ready")
            });
            assert!(ready, "{:?}: {name} never got ready", k.mode);
            let pid = nix::unistd::Pid::from_raw(child.id() as i32);
            nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGUSR1).unwrap();
            let done = wait_until(5, || child.try_wait().unwrap().is_some());
            match want {
                Some(code) => {
                    assert!(done, "{:?}: the container never got USR1", k.mode);
                    assert_eq!(child.wait().unwrap().code(), Some(code));
                    assert!(k.ok(&["logs", &name]).contains("got-usr1"));
                }
                None => {
                    // The CLI died of the signal; the container runs on.
                    assert!(done, "{:?}: kist ignored USR1", k.mode);
                    assert_eq!(status(k, &name), "running", "{:?}", k.mode);
                    assert!(!k.ok(&["logs", &name]).contains("got-usr1"));
                    let _ = child.wait();
                }
            }
            k.ok(&["rm", "-f", &name]);
        }

        // TERM with -t; other detach keys than ctrl-p ctrl-q.
        let (code, text) = on_a_terminal(
            k,
            &[
                "run",
                "-it",
                "--name",
                "keys",
                "--detach-keys",
                "ctrl-a,x",
                "--network",
                "none",
                IMG,
                "sh",
            ],
            b"echo term=$TERM\n\x01x",
        );
        assert_eq!(code, 0, "{:?}: {text}", k.mode);
        assert_eq!(
            status(k, "keys"),
            "running",
            "{:?}: {text}\nlogs: {:?}\nstate: {}",
            k.mode,
            k.ok(&["logs", "keys"]),
            inspect(k, "keys")["State"]
        );
        // The keys may detach before the shell answers: its log has it.
        assert!(
            wait_until(5, || k.ok(&["logs", "keys"]).contains("term=xterm")),
            "{:?}: {}",
            k.mode,
            k.ok(&["logs", "keys"])
        );
        let (code, err) = k.fails(&["run", "--detach-keys", "ctrl-", IMG, "true"]);
        assert_eq!(code, 125);
        assert!(err.contains("invalid detach keys"), "{err}");
    });
}

#[test]
fn rename_prune_and_export() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let a = detach(
            k,
            &["--name", "old"],
            &["sh", "-c", "echo data > /made; sleep 1000"],
        );
        k.ok(&["rename", "old", "new"]);
        assert_eq!(k.ok(&["ps", "--format", "{{.Names}}"]), "new\n");
        assert_eq!(inspect(k, "new")["Name"], "/new");
        let (code, err) = k.fails(&["inspect", "--type", "container", "old"]);
        assert_eq!(code, 125);
        assert!(err.contains("old"), "{err}");
        detach(k, &["--name", "other"], &["true"]);
        let (code, err) = k.fails(&["rename", "new", "other"]);
        assert_eq!(code, 125);
        assert!(err.contains("already in use"), "{err}");

        // export: the container's files on the default driver (overlay),
        // what it wrote included.
        assert!(wait_until(5, || sh_in(k, &a, "cat /made") == "data\n"));
        let tar = k.dir.join("export.tar");
        k.ok(&[
            OsStr::new("export"),
            OsStr::new("-o"),
            tar.as_os_str(),
            OsStr::new("new"),
        ]);
        let mut names = Vec::new();
        let mut ar = tar::Archive::new(std::fs::File::open(&tar).unwrap());
        for e in ar.entries().unwrap() {
            let e = e.unwrap();
            names.push(
                e.path()
                    .unwrap()
                    .to_string_lossy()
                    .trim_start_matches("./")
                    .to_string(),
            );
        }
        for want in ["bin/busybox", "made", "etc/hostname"] {
            assert!(
                names.iter().any(|n| n == want),
                "{:?}: no {want} in the export",
                k.mode
            );
        }

        // prune: stopped containers go, running ones stay.
        assert!(wait_until(5, || status(k, "other") == "exited"));
        let stopped = k.ok(&["ps", "-aq", "--no-trunc", "--filter", "status=exited"]);
        let stopped = stopped.trim().to_string();
        assert_eq!(stopped.len(), 64, "{stopped}");
        let pruned = k.ok(&["container", "prune", "-f"]);
        assert!(pruned.starts_with("Deleted Containers:\n"), "{pruned}");
        assert!(pruned.contains(&stopped), "{pruned}");
        assert!(pruned.contains("Total reclaimed space:"), "{pruned}");
        assert_eq!(k.ok(&["ps", "-a", "--format", "{{.Names}}"]), "new\n");
    });
}

/// `kist exec C sh -c SCRIPT`: stdout.
fn sh_in(k: &Kist, c: &str, script: &str) -> String {
    String::from_utf8_lossy(&k.run(&["exec", c, "sh", "-c", script]).stdout).to_string()
}

#[test]
fn ulimits() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        let got = sh_with(
            k,
            &["--ulimit", "nofile=512:1024", "--ulimit", "core=0"],
            "ulimit -n; ulimit -Hn; ulimit -c",
        );
        assert_eq!(got, "512\n1024\n0\n", "{:?}", k.mode);
        let c = k.ok(&["create", "--ulimit", "nproc=100:200", IMG]);
        assert_eq!(
            inspect(k, c.trim())["HostConfig"]["Ulimits"],
            serde_json::json!([{"Name": "nproc", "Soft": 100, "Hard": 200}])
        );
        let (code, err) = k.fails(&["create", "--ulimit", "nofiles=1", IMG]);
        assert_eq!(code, 125);
        assert!(err.contains("unknown limit \"nofiles\""), "{err}");
    });
}

/// Input rules docker has and a first version of kist missed.
#[test]
fn docker_input_rules() {
    each_mode(|k: &Kist| {
        image(k);
        let _c = Cleanup(k);
        // rm -f of a container that does not exist: quiet, 0 (docker 20.10+).
        let (code, stdout, stderr) = out(k, &["rm", "-f", "nosuch"]);
        assert_eq!(
            (code, stdout.as_str(), stderr.as_str()),
            (0, "", ""),
            "{:?}",
            k.mode
        );
        let (code, _, stderr) = out(k, &["rm", "nosuch"]);
        assert_eq!(code, 125, "{stderr}");
        // Refused before anything is made, as docker does.
        for bad in [
            vec!["-w", "rel"],
            vec!["-e", "=x"],
            vec!["--log-opt", "max-size=abc"],
            vec!["--log-opt", "max-file=0"],
        ] {
            let mut args = vec!["run", "--rm", "--network", "none"];
            args.extend_from_slice(&bad);
            args.extend_from_slice(&[IMG, "true"]);
            let (code, _, stderr) = out(k, &args);
            assert_eq!(code, 125, "{:?} {bad:?}: {stderr}", k.mode);
            assert!(stderr.starts_with("Error: "), "{stderr}");
        }
        assert!(all_ids(k).is_empty(), "{:?}", all_ids(k));
        // A leading slash of --name is dropped, as inspect shows names.
        let c = detach(k, &["--name", "/slashed"], &["sleep", "100"]);
        assert_eq!(inspect(k, &c)["Name"], "/slashed");
        // -v makes a missing host directory, owned by the user.
        let dir = k.path("made-by-v");
        let v = format!("{}:/x", dir.display());
        assert_eq!(sh_with(k, &["-v", &v], "touch /x/f && echo ok"), "ok\n");
        assert!(dir.join("f").exists());
        // A start that fails records docker's exit code.
        let (code, _, _) = out(
            k,
            &[
                "run",
                "--name",
                "nocmd",
                "--network",
                "none",
                IMG,
                "nosuchcmd",
            ],
        );
        assert_eq!(code, 127);
        assert_eq!(
            inspect(k, "nocmd")["State"]["ExitCode"],
            127,
            "{:?}",
            k.mode
        );
        // exec into an --init container running as another user (the init
        // never execs; it must stay dumpable), and exec -t gets TERM.
        let c = detach(k, &["--init", "-u", "1000:1000"], &["sleep", "100"]);
        assert_eq!(k.ok(&["exec", &c, "id", "-u"]), "1000\n", "{:?}", k.mode);
        let term = k.ok(&["exec", "-t", &c, "sh", "-c", "echo $TERM"]);
        assert_eq!(term.trim(), "xterm");
        // A supervisor killed with -9: the next command records the end.
        let c = detach(k, &[], &["sleep", "100"]);
        kill9(supervisors(&c)[0]);
        assert!(wait_until(5, || supervisors(&c).is_empty()));
        let state = &inspect(k, &c)["State"];
        assert_eq!(state["Status"], "exited");
        let finished = state["FinishedAt"].as_str().unwrap().to_string();
        assert!(!finished.starts_with("0001"), "{finished}");
        assert_eq!(inspect(k, &c)["State"]["FinishedAt"], finished.as_str());
    });
}
