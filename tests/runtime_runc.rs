//! External OCI runtime: `--runtime runc` runs the same bundle as the
//! built-in runtime (rootless inside a user + mount namespace kist creates,
//! with the overlay mounted there), as root and rootless.

mod common;
mod container_kit;

use std::os::unix::fs::PermissionsExt;
use std::time::{Duration, Instant};

use common::{each_mode, fixtures, have, Kist};
use container_kit::{alive, kill9, supervisors, wait_for_log, wait_until};

fn setup(k: &Kist) {
    k.load(&common::busybox_docker_archive());
}

fn runc() -> bool {
    have("runc")
}

#[test]
fn run_rm_output_and_exit_code() {
    if !runc() {
        return;
    }
    each_mode(|k: &Kist| {
        setup(k);
        let out = k.run(&[
            "run",
            "--rm",
            "--runtime",
            "runc",
            fixtures::NAME,
            "sh",
            "-c",
            "echo out; echo err >&2; cat /etc/hostname >/dev/null; exit 3",
        ]);
        assert_eq!(out.status.code(), Some(3), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "out\n", "{out:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("err\n"),
            "{out:?}"
        );
        // --rm: nothing left, in kist or in runc's state.
        let ps = k.ok(&["ps", "-a", "-q"]);
        assert_eq!(ps.trim(), "", "{ps}");
        let state = k.runroot.join("runtime/runc");
        let left: Vec<_> = std::fs::read_dir(&state)
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(left.is_empty(), "runc state left: {left:?}");
        // The record says which runtime ran it.
        let id = k.ok(&[
            "create",
            "--runtime",
            "runc",
            fixtures::NAME,
            "sh",
            "-c",
            "true",
        ]);
        let rt = k.ok(&["inspect", "-f", "{{.HostConfig.Runtime}}", id.trim()]);
        assert_eq!(rt.trim(), "runc");
        k.ok(&["start", "-a", id.trim()]);
        k.ok(&["rm", id.trim()]);
    });
}

#[test]
fn uid_map_and_identity() {
    if !runc() {
        return;
    }
    each_mode(|k: &Kist| {
        setup(k);
        let out = k.ok(&[
            "run",
            "--rm",
            "--runtime",
            "runc",
            fixtures::NAME,
            "sh",
            "-c",
            "cat /proc/self/uid_map; id -u; echo x > /tmp/f && cat /tmp/f",
        ]);
        let lines: Vec<Vec<&str>> = out
            .lines()
            .map(|l| l.split_whitespace().collect())
            .collect();
        if k.rootless() {
            let u = common::test_user();
            let (uid, sub) = (u.uid.to_string(), u.subuid.to_string());
            assert_eq!(lines[0], ["0", uid.as_str(), "1"], "{out}");
            assert_eq!(lines[1], ["1", sub.as_str(), "65536"], "{out}");
        } else {
            assert_eq!(lines[0], ["0", "0", "4294967295"], "{out}");
        }
        assert_eq!(lines[lines.len() - 2], ["0"], "{out}");
        assert_eq!(lines[lines.len() - 1], ["x"], "{out}");
    });
}

#[test]
fn detached_ps_stop_rm() {
    if !runc() {
        return;
    }
    each_mode(|k: &Kist| {
        setup(k);
        let id = k.ok(&[
            "run",
            "-d",
            "--runtime",
            "runc",
            "--name",
            "bg",
            fixtures::NAME,
            "busybox",
            "sleep",
            "300",
        ]);
        let id = id.trim();
        let ps = k.ok(&["ps", "--no-trunc", "-q"]);
        assert!(ps.contains(id), "{ps}");
        let state = k.runroot.join("runtime/runc").join(id);
        assert!(state.exists(), "runc has no state for {id}");
        let t = Instant::now();
        k.ok(&["stop", "-t", "1", "bg"]);
        assert!(t.elapsed() < Duration::from_secs(8), "{:?}", t.elapsed());
        let ps = k.ok(&["ps", "-q"]);
        assert_eq!(ps.trim(), "", "{ps}");
        let status = k.ok(&["inspect", "-f", "{{.State.Status}}", "bg"]);
        assert_eq!(status.trim(), "exited");
        // The supervisor runs `runc delete` once the container has exited.
        let t = Instant::now();
        while state.exists() && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
        assert!(!state.exists(), "runc state left after stop");
        k.ok(&["rm", "bg"]);
        assert_eq!(k.ok(&["ps", "-a", "-q"]).trim(), "");
        // rm -f of a running one.
        let id = k.ok(&[
            "run",
            "-d",
            "--runtime",
            "runc",
            fixtures::NAME,
            "busybox",
            "sleep",
            "300",
        ]);
        k.ok(&["rm", "-f", id.trim()]);
        assert_eq!(k.ok(&["ps", "-a", "-q"]).trim(), "");
        assert!(!k.runroot.join("runtime/runc").join(id.trim()).exists());
    });
}

/// A runtime that is runc, with each call written to `calls`.
fn logging_runc(k: &Kist) -> (String, std::path::PathBuf) {
    let runc = [
        "/usr/sbin/runc",
        "/usr/bin/runc",
        "/usr/local/sbin/runc",
        "/usr/local/bin/runc",
    ]
    .into_iter()
    .find(|p| std::path::Path::new(p).exists())
    .expect("runc");
    let calls = k.path("runtime-calls");
    let script = format!(
        "#!/bin/sh\necho \"$*\" >> {}\nexec {runc} \"$@\"\n",
        calls.display()
    );
    let wrapper = k.write("runc-logged", script.as_bytes());
    std::fs::set_permissions(&wrapper, std::fs::Permissions::from_mode(0o755)).unwrap();
    (wrapper.to_str().unwrap().to_string(), calls)
}

/// `run -d` of `sleep 300` with `runtime`; its ID.
fn sleeper(k: &Kist, runtime: &str) -> String {
    let args = [
        "run",
        "-d",
        "--runtime",
        runtime,
        fixtures::NAME,
        "busybox",
        "sleep",
        "300",
    ];
    k.ok(&args).trim().to_string()
}

/// Asserts the logged runtime was called with arguments ending in `call`.
fn assert_called(k: &Kist, calls: &std::path::Path, call: &str) {
    let log = std::fs::read_to_string(calls).unwrap();
    assert!(
        log.lines().any(|l| l.ends_with(call)),
        "[{:?}] the runtime was not called with {call:?}; its calls:\n{log}",
        k.mode
    );
}

#[test]
fn signals_go_through_the_runtime() {
    if !runc() {
        return;
    }
    each_mode(|k: &Kist| {
        setup(k);
        let (runtime, calls) = logging_runc(k);
        let script =
            "trap 'echo got USR1; exit 3' USR1; echo ready; while true; do sleep 0.1; done";
        let id = k.ok(&[
            "run",
            "-d",
            "--runtime",
            &runtime,
            fixtures::NAME,
            "busybox",
            "sh",
            "-c",
            script,
        ]);
        let id = id.trim();
        wait_for_log(k, id, "ready");
        k.ok(&["kill", "-s", "USR1", id]);
        assert_eq!(k.ok(&["wait", id]).trim(), "3", "[{:?}]", k.mode);
        assert!(k.ok(&["logs", id]).contains("got USR1"));
        assert_called(k, &calls, &format!("kill {id} 10"));
        // stop: the stop signal, then KILL after the timeout, both through runc.
        let id = sleeper(k, &runtime);
        let id = id.as_str();
        k.ok(&["stop", "-t", "1", id]);
        for sig in [15, 9] {
            assert_called(k, &calls, &format!("kill {id} {sig}"));
        }
        k.ok(&["rm", "-f", id]);
    });
}

#[test]
fn a_container_outliving_its_supervisor_is_stopped_by_the_next_command() {
    if !runc() {
        return;
    }
    each_mode(|k: &Kist| {
        setup(k);
        let (runtime, calls) = logging_runc(k);
        let id = sleeper(k, &runtime);
        let id = id.as_str();
        let pid: i32 = k
            .ok(&["inspect", "-f", "{{.State.Pid}}", id])
            .trim()
            .parse()
            .unwrap();
        let sup = supervisors(id);
        assert_eq!(sup.len(), 1, "[{:?}] {sup:?}", k.mode);
        kill9(sup[0]);
        assert!(wait_until(5, || supervisors(id).is_empty()));
        // runc's container is not a child that dies with the supervisor.
        assert!(
            alive(pid),
            "[{:?}] the runc container died with its supervisor",
            k.mode
        );
        let status = k.ok(&[
            "ps",
            "-a",
            "--filter",
            &format!("id={id}"),
            "--format",
            "{{.Status}}",
        ]);
        assert!(
            status.starts_with("Exited (137)"),
            "[{:?}] {status}",
            k.mode
        );
        assert!(
            wait_until(5, || !alive(pid)),
            "[{:?}] container {pid} still runs",
            k.mode
        );
        for call in [format!("state {id}"), format!("delete --force {id}")] {
            assert_called(k, &calls, &call);
        }
        let error = k.ok(&["inspect", "-f", "{{.State.Error}}", id]);
        assert!(error.contains("supervisor died"), "{error}");
        k.ok(&["rm", id]);
        assert!(!k
            .runroot
            .join("runtime")
            .join("runc-logged")
            .join(id)
            .exists());
    });
}

#[test]
fn missing_command_is_127() {
    if !runc() {
        return;
    }
    each_mode(|k: &Kist| {
        setup(k);
        let (code, err) = k.fails(&[
            "run",
            "--rm",
            "--runtime",
            "runc",
            fixtures::NAME,
            "nosuchcmd",
        ]);
        assert_eq!(code, 127, "{err}");
        assert!(err.contains("nosuchcmd"), "{err}");
        assert!(err.contains("executable file not found"), "{err}");
        let (code, err) = k.fails(&["run", "--rm", "--runtime", "runc", fixtures::NAME, "/etc"]);
        assert_eq!(code, 126, "{err}");
        assert_eq!(k.ok(&["ps", "-a", "-q"]).trim(), "");
    });
}

#[test]
fn unknown_runtime_is_125() {
    each_mode(|k: &Kist| {
        setup(k);
        let (code, err) = k.fails(&["run", "--rm", "--runtime", "nosuch", fixtures::NAME, "true"]);
        assert_eq!(code, 125, "{err}");
        assert!(err.contains("unknown runtime \"nosuch\""), "{err}");
        let (code, err) = k.fails(&[
            "create",
            "--runtime",
            "/nonexistent/runc",
            fixtures::NAME,
            "true",
        ]);
        assert_eq!(code, 125, "{err}");
        assert!(err.contains("/nonexistent/runc"), "{err}");
        assert_eq!(k.ok(&["ps", "-a", "-q"]).trim(), "");
    });
}
