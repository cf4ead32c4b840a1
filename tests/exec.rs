//! `kist exec` end to end, as root and rootless: the container's
//! namespaces, user, working directory, environment, capabilities and
//! seccomp filter (and -u, -w, -e, --env-file, --privileged over them), exit
//! codes (the command's, 126, 127, 125), -d and -i.
//!
//! The image is a full busybox (every applet) made with `kist import`.

mod common;
mod container_kit;

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use common::fixtures;
use common::{each_mode, Kist};
use container_kit::{out, privileged_caps, proc_status_field, DEFAULT_CAPS};

const IMG: &str = "kist-test/bb-exec:latest";

fn image(k: &Kist) {
    let tar = common::fixture("busybox-full-rootfs-v2.tar", fixtures::full_busybox_rootfs);
    k.ok(&[OsStr::new("import"), tar.as_os_str(), OsStr::new(IMG)]);
}

/// `kist run -d --network none EXTRA… IMG sleep 300`: the container ID.
fn sleeper(k: &Kist, extra: &[&str]) -> String {
    let mut args = vec!["run", "-d", "--network", "none"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[IMG, "sleep", "300"]);
    k.ok(&args).trim().to_string()
}

/// `kist exec EXTRA… C sh -c SCRIPT`: stdout, which must succeed.
fn exec_sh(k: &Kist, c: &str, extra: &[&str], script: &str) -> String {
    let mut args = vec!["exec"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[c, "sh", "-c", script]);
    k.ok(&args)
}

fn stop(k: &Kist, c: &str) {
    k.ok(&["rm", "-f", c]);
}

#[test]
fn joins_the_container_namespaces() {
    each_mode(|k| {
        image(k);
        let c = sleeper(k, &["--name", "c1", "--hostname", "box"]);
        let text = exec_sh(
            k,
            "c1",
            &[],
            "echo $$; hostname; cat /proc/self/uid_map; \
             for n in mnt pid uts ipc net user; do \
               [ $(readlink /proc/self/ns/$n) = $(readlink /proc/1/ns/$n) ] || echo differs $n; \
             done; cat /proc/1/cmdline | tr '\\0' ' '; echo; pwd; id -u",
        );
        let lines: Vec<&str> = text.lines().collect();
        let pid: u32 = lines[0].parse().expect("a pid");
        assert!(
            pid > 1 && pid < 1000,
            "$$ in the container's pid ns: {text}"
        );
        assert_eq!(lines[1], "box", "{text}");
        let map: Vec<&str> = lines[2].split_whitespace().collect();
        if k.rootless() {
            assert_eq!(map, ["0", &k.uid.to_string(), "1"], "{text}");
        } else {
            assert_eq!(map, ["0", "0", "4294967295"], "{text}");
        }
        assert!(!text.contains("differs"), "{text}");
        assert!(text.contains("sleep 300 \n/\n0\n"), "{text}");
        // `container exec` is the same command; exec output is not logged.
        assert_eq!(
            k.ok(&["container", "exec", &c, "echo", "hi there"]),
            "hi there\n"
        );
        assert!(!k.ok(&["logs", "c1"]).contains("hi there"));
        stop(k, "c1");
    });
}

#[test]
fn user_workdir_and_environment() {
    each_mode(|k| {
        image(k);
        sleeper(
            k,
            &[
                "--name",
                "c1",
                "-u",
                "1000",
                "-w",
                "/home/user",
                "-e",
                "FOO=bar",
                "-e",
                "KEEP=1",
            ],
        );
        // The container's user, cwd and environment.
        let text = exec_sh(
            k,
            "c1",
            &[],
            "id -u; id -g; pwd; echo $FOO $KEEP $HOME; echo $PATH",
        );
        assert_eq!(
            text,
            "1000\n1000\n/home/user\nbar 1 /home/user\n\
             /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"
        );
        // -u by name (with the image's groups), by uid:gid, by name:group.
        assert_eq!(exec_sh(k, "c1", &["-u", "root"], "id -u; id -G"), "0\n0\n");
        assert_eq!(
            exec_sh(k, "c1", &["-u", "user"], "id -u; id -G"),
            "1000\n1000 10\n"
        );
        assert_eq!(
            exec_sh(k, "c1", &["-u", "4242:7"], "id -u; id -g"),
            "4242\n7\n"
        );
        assert_eq!(exec_sh(k, "c1", &["-u", "user:wheel"], "id -g"), "10\n");
        // -w, -e over the container's, --env-file before -e.
        let env_file = k.write("env", b"# comment\nFROM_FILE=f\nFOO=file\n");
        let env_file = env_file.to_str().unwrap();
        let text = exec_sh(
            k,
            "c1",
            &[
                "-w",
                "/tmp",
                "-e",
                "FOO=baz",
                "-e",
                "NEW=1",
                "--env-file",
                env_file,
            ],
            "pwd; echo $FOO $NEW $FROM_FILE $KEEP",
        );
        assert_eq!(text, "/tmp\nbaz 1 f 1\n");
        // Errors: unknown user (126, as docker), missing or relative cwd.
        let (code, _, err) = out(k, &["exec", "-u", "nobody", "c1", "true"]);
        assert_eq!(code, 126, "{err}");
        assert!(err.contains("unable to find user nobody"), "{err}");
        let (code, _, err) = out(k, &["exec", "-w", "/nope", "c1", "true"]);
        assert_eq!(code, 126, "{err}");
        assert!(err.contains("/nope"), "{err}");
        let (code, _, err) = out(k, &["exec", "-w", "tmp", "c1", "true"]);
        assert_eq!(code, 125, "{err}");
        stop(k, "c1");
    });
}

#[test]
fn exit_codes() {
    each_mode(|k| {
        image(k);
        let c = sleeper(k, &["--name", "c1"]);
        assert_eq!(out(k, &["exec", "c1", "sh", "-c", "exit 3"]).0, 3);
        assert_eq!(out(k, &["exec", "c1", "sh", "-c", "kill -9 $$"]).0, 137);
        let (code, _, err) = out(k, &["exec", "c1", "nosuchcmd", "arg"]);
        assert_eq!(code, 127, "{err}");
        assert!(
            err.contains("\"nosuchcmd\"") && err.contains("executable file not found in $PATH"),
            "{err}"
        );
        let (code, _, err) = out(k, &["exec", "c1", "/noexec"]);
        assert_eq!(code, 126, "{err}");
        assert!(
            err.contains("/noexec") && err.contains("permission denied"),
            "{err}"
        );
        let (code, _, err) = out(k, &["exec", "c1", "/tmp"]);
        assert_eq!(code, 126, "{err}");
        // -t without a terminal on our side still gives the command one.
        let (code, got, err) = out(k, &["exec", "-t", "c1", "tty"]);
        assert_eq!(code, 0, "{err}");
        assert!(got.contains("/dev/pts/"), "{got}");
        let (code, _, err) = out(k, &["exec", "nosuchcontainer", "true"]);
        assert_eq!(code, 125, "{err}");
        // A container that is not running.
        let created = k.ok(&["create", "--network", "none", IMG, "true"]);
        let created = created.trim();
        let (code, _, err) = out(k, &["exec", created, "true"]);
        assert_eq!(code, 125, "{err}");
        assert!(
            err.contains(&format!("container {created} is not running")),
            "{err}"
        );
        k.ok(&["kill", "c1"]);
        k.ok(&["wait", "c1"]);
        let (code, _, err) = out(k, &["exec", "c1", "true"]);
        assert_eq!(code, 125, "{err}");
        assert!(
            err.contains(&format!("container {c} is not running")),
            "{err}"
        );
        k.ok(&["rm", "-f", "c1", created]);
    });
}

#[test]
fn capabilities_seccomp_and_privileges() {
    each_mode(|k| {
        image(k);
        sleeper(k, &["--name", "c1"]);
        let st = k.ok(&["exec", "c1", "cat", "/proc/self/status"]);
        assert_eq!(proc_status_field(&st, "CapEff"), DEFAULT_CAPS);
        assert_eq!(proc_status_field(&st, "CapBnd"), DEFAULT_CAPS);
        assert_eq!(proc_status_field(&st, "Seccomp"), "2");
        assert_eq!(proc_status_field(&st, "NoNewPrivs"), "0");
        // The filter is the container's: docker's profile refuses unshare.
        let (code, _, _) = out(k, &["exec", "c1", "unshare", "-U", "true"]);
        assert_ne!(code, 0);
        // --privileged: every capability, no filter.
        let st = k.ok(&["exec", "--privileged", "c1", "cat", "/proc/self/status"]);
        assert_eq!(proc_status_field(&st, "Seccomp"), "0");
        assert_eq!(proc_status_field(&st, "CapEff"), privileged_caps(k));
        // A non-root user: no effective capabilities (as in the container).
        let st = k.ok(&["exec", "-u", "1000", "c1", "cat", "/proc/self/status"]);
        assert_eq!(proc_status_field(&st, "CapEff"), "0000000000000000");
        stop(k, "c1");
        // The container's own sets and no_new_privs.
        sleeper(
            k,
            &[
                "--name",
                "c2",
                "--cap-drop",
                "ALL",
                "--security-opt",
                "no-new-privileges",
            ],
        );
        let st = k.ok(&["exec", "c2", "cat", "/proc/self/status"]);
        assert_eq!(proc_status_field(&st, "CapEff"), "0000000000000000");
        assert_eq!(proc_status_field(&st, "CapBnd"), "0000000000000000");
        assert_eq!(proc_status_field(&st, "NoNewPrivs"), "1");
        assert_eq!(proc_status_field(&st, "Seccomp"), "2");
        stop(k, "c2");
    });
}

#[test]
fn detached_and_stdin() {
    each_mode(|k| {
        image(k);
        sleeper(k, &["--name", "c1"]);
        // -d returns at once and prints nothing; the command runs on.
        let t = Instant::now();
        let (code, stdout, err) = out(
            k,
            &[
                "exec",
                "-d",
                "c1",
                "sh",
                "-c",
                "sleep 1; echo done > /tmp/d",
            ],
        );
        assert_eq!((code, stdout.as_str()), (0, ""), "{err}");
        assert!(
            t.elapsed() < Duration::from_millis(900),
            "{:?}",
            t.elapsed()
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while out(k, &["exec", "c1", "cat", "/tmp/d"]).1 != "done\n" {
            assert!(
                Instant::now() < deadline,
                "the detached command did not run"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        // -d still reports a command that cannot start.
        assert_eq!(out(k, &["exec", "-d", "c1", "nosuchcmd"]).0, 127);
        // -i: kist's stdin; without it, /dev/null.
        let o = k.ok_stdin(
            &["exec", "-i", "c1", "sh", "-c", "cat; echo end"],
            b"piped\n",
        );
        assert_eq!(o, "piped\nend\n");
        let o = k.ok_stdin(&["exec", "c1", "sh", "-c", "cat; echo end"], b"piped\n");
        assert_eq!(o, "end\n");
        // stdout and stderr are kist's own.
        let o = k.run(&["exec", "c1", "sh", "-c", "echo out; echo err >&2"]);
        assert_eq!(String::from_utf8_lossy(&o.stdout), "out\n");
        assert_eq!(String::from_utf8_lossy(&o.stderr), "err\n");
        stop(k, "c1");
    });
}
