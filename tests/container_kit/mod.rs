//! What the container tests share: the busybox image, running and
//! inspecting containers, waiting, processes, and the clean-up guard.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::time::{Duration, Instant};

use crate::common::fixtures;
use crate::common::Kist;

pub const IMG: &str = "kist-test/bb:latest";
/// docker's default capability set as a CapEff mask.
pub const DEFAULT_CAPS: &str = "00000000a80425fb";

/// Imports the busybox image into this scenario's store.
pub fn image(k: &Kist) {
    let tar = crate::common::fixture("busybox-full-rootfs-v2.tar", fixtures::full_busybox_rootfs);
    k.ok(&[
        OsStr::new("import"),
        OsStr::new("--change"),
        OsStr::new(r#"CMD ["sh"]"#),
        tar.as_os_str(),
        OsStr::new(IMG),
    ]);
}

/// `kist ARGS`: (exit code, stdout, stderr).
pub fn out<S: AsRef<OsStr>>(k: &Kist, args: &[S]) -> (i32, String, String) {
    let o = k.run(args);
    (
        o.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&o.stdout).to_string(),
        String::from_utf8_lossy(&o.stderr).to_string(),
    )
}

/// `kist run --rm --network none EXTRA… IMG sh -c SCRIPT`: stdout (must
/// succeed).
pub fn sh_with(k: &Kist, extra: &[&str], script: &str) -> String {
    let mut args = vec!["run", "--rm", "--network", "none"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&[IMG, "sh", "-c", script]);
    k.ok(&args)
}

pub fn sh(k: &Kist, script: &str) -> String {
    sh_with(k, &[], script)
}

/// `kist run -d --network none EXTRA… IMG CMD…`: the container ID.
pub fn detach(k: &Kist, extra: &[&str], cmd: &[&str]) -> String {
    let mut args = vec!["run", "-d", "--network", "none"];
    args.extend_from_slice(extra);
    args.push(IMG);
    args.extend_from_slice(cmd);
    let id = k.ok(&args).trim().to_string();
    assert!(is_full_id(&id), "run -d printed {id:?}");
    id
}

pub fn is_full_id(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
}

/// `kist container inspect C` as JSON (its only object).
pub fn inspect(k: &Kist, c: &str) -> serde_json::Value {
    let text = k.ok(&["container", "inspect", c]);
    let v: serde_json::Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("inspect output is not JSON ({e}):\n{text}"));
    let arr = v.as_array().expect("inspect prints a JSON array");
    assert_eq!(arr.len(), 1, "{text}");
    arr[0].clone()
}

pub fn status(k: &Kist, c: &str) -> String {
    inspect(k, c)["State"]["Status"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// Polls `cond` every 50 ms for at most `secs`.
pub fn wait_until(secs: u64, mut cond: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + Duration::from_secs(secs);
    loop {
        if cond() {
            return true;
        }
        if Instant::now() > end {
            return false;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until the container's log has a line `line` (e.g. "ready": the
/// container has installed its traps).
pub fn wait_for_log(k: &Kist, c: &str, line: &str) {
    let found = wait_until(10, || k.ok(&["logs", c]).lines().any(|l| l == line));
    assert!(
        found,
        "{:?}: container {c} never logged {line:?}; logs:\n{}",
        k.mode,
        k.ok(&["logs", c])
    );
}

pub fn alive(pid: i32) -> bool {
    // A zombie has exited; only its parent's wait is missing.
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(s) => {
            let state = s.rsplit_once(") ").map(|(_, r)| r.chars().next());
            state != Some(Some('Z')) && state != Some(Some('X'))
        }
        Err(_) => false,
    }
}

pub fn kill9(pid: i32) {
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGKILL,
    );
}

pub fn ppid(pid: i32) -> Option<i32> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let (_, rest) = s.rsplit_once(") ")?;
    rest.split_whitespace().nth(1)?.parse().ok()
}

/// Host processes whose command line contains `needle` (like `pgrep -f`).
pub fn pgrep(needle: &str) -> Vec<i32> {
    let me = std::process::id() as i32;
    let mut found = Vec::new();
    for e in std::fs::read_dir("/proc").unwrap().flatten() {
        let Some(pid) = e.file_name().to_str().and_then(|s| s.parse::<i32>().ok()) else {
            continue;
        };
        if pid == me {
            continue;
        }
        if let Ok(raw) = std::fs::read(format!("/proc/{pid}/cmdline")) {
            let cmd = String::from_utf8_lossy(&raw).replace('\0', " ");
            if cmd.contains(needle) && alive(pid) {
                found.push(pid);
            }
        }
    }
    found
}

/// The supervisor processes of container `id`.
pub fn supervisors(id: &str) -> Vec<i32> {
    pgrep(&format!("__supervise {id}"))
}

/// Asserts nothing of the store is mounted in the test's mount namespace,
/// no supervisor of `ids` runs and ROOT/tmp is empty.
pub fn assert_clean(k: &Kist, ids: &[String]) {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    let root = k.root.to_string_lossy().to_string();
    let stray: Vec<&str> = mounts.lines().filter(|l| l.contains(&root)).collect();
    assert!(stray.is_empty(), "{:?}: stray mounts: {stray:?}", k.mode);
    for id in ids {
        let gone = wait_until(5, || supervisors(id).is_empty());
        assert!(
            gone,
            "{:?}: supervisor of {id} still runs: {:?}",
            k.mode,
            supervisors(id)
        );
    }
    let tmp_ok = wait_until(5, || k.tmp_entries().is_empty());
    assert!(tmp_ok, "{:?}: ROOT/tmp: {:?}", k.mode, k.tmp_entries());
}

/// The full IDs of all the scenario's containers (none when ps fails).
pub fn all_ids(k: &Kist) -> Vec<String> {
    let out = k.run(&["ps", "-a", "-q", "--no-trunc"]);
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .map(String::from)
        .collect()
}

/// `-v` flags that lend a container the host's python3: its /usr, /lib
/// and loader, read-only.
pub const HOST_PYTHON: [&str; 6] = [
    "-v",
    "/usr:/usr:ro",
    "-v",
    "/lib:/lib:ro",
    "-v",
    "/lib64:/lib64:ro",
];

/// Removes every container of the scenario when dropped (also on panic), so
/// that no container outlives its test: `rm -f` of them all, then SIGKILL
/// to what is left of their processes (a supervisor, or a container process
/// that outlived it).
pub struct Cleanup<'a>(pub &'a Kist);

impl Drop for Cleanup<'_> {
    fn drop(&mut self) {
        let k = self.0;
        let ids = all_ids(k);
        // Container processes: (pid, command line) to kill only those.
        let mut procs: Vec<(i32, Vec<u8>)> = Vec::new();
        for id in &ids {
            let o = k.run(&["inspect", "-f", "{{.State.Pid}}", id]);
            if let Ok(pid) = String::from_utf8_lossy(&o.stdout).trim().parse::<i32>() {
                if pid > 0 {
                    let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
                    procs.push((pid, cmd));
                }
            }
        }
        if !ids.is_empty() {
            let mut args = vec!["rm".to_string(), "-f".to_string()];
            args.extend(ids.iter().cloned());
            let _ = k.run(&args);
        }
        let kill = |pid: i32| {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(pid),
                nix::sys::signal::Signal::SIGKILL,
            );
        };
        for (pid, cmd) in procs {
            if alive(pid) && std::fs::read(format!("/proc/{pid}/cmdline")).ok() == Some(cmd) {
                kill(pid);
            }
        }
        let root = format!("--root {} ", k.root.display());
        for pid in pgrep("__supervise") {
            let cmd = std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default();
            if String::from_utf8_lossy(&cmd)
                .replace('\0', " ")
                .contains(&root)
            {
                // Its container first (its only child).
                for child in children(pid) {
                    kill(child);
                }
                kill(pid);
            }
        }
    }
}

/// The children of `pid`.
pub fn children(pid: i32) -> Vec<i32> {
    std::fs::read_to_string(format!("/proc/{pid}/task/{pid}/children"))
        .unwrap_or_default()
        .split_whitespace()
        .filter_map(|p| p.parse().ok())
        .collect()
}

/// The capabilities a privileged container gets: all of them in a user
/// namespace of its own (rootless), else those of the caller's bounding set
/// (as podman; a CapEff mask).
pub fn privileged_caps(k: &Kist) -> String {
    if k.rootless() {
        let last: u32 = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
        format!("{:016x}", (1u64 << (last + 1)) - 1)
    } else {
        let st = std::fs::read_to_string("/proc/self/status").unwrap();
        proc_status_field(&st, "CapBnd")
    }
}

pub fn proc_status_field(text: &str, field: &str) -> String {
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .unwrap_or_else(|| panic!("no {field} in:\n{text}"))
        .trim()
        .to_string()
}

/// Runs `kist ARGS` on the slave of a new pseudo-terminal, types `input`,
/// and returns (exit code, everything the terminal showed).
pub fn on_a_terminal(k: &Kist, args: &[&str], input: &[u8]) -> (i32, String) {
    use std::io::{Read, Write};
    let pty = nix::pty::openpty(None, None).expect("openpty");
    let slave = pty.slave;
    let mut child = k
        .command(args)
        .stdin(std::process::Stdio::from(slave.try_clone().unwrap()))
        .stdout(std::process::Stdio::from(slave.try_clone().unwrap()))
        .stderr(std::process::Stdio::from(slave))
        .spawn()
        .expect("run kist on a pty");
    let mut master = std::fs::File::from(pty.master);
    let mut reader = master.try_clone().unwrap();
    let seen = std::thread::spawn(move || {
        let mut out = Vec::new();
        let mut buf = [0u8; 4096];
        // EIO once every slave descriptor is closed.
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        out
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    master.write_all(input).unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "kist {args:?} did not end"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    drop(master);
    let text = String::from_utf8_lossy(&seen.join().unwrap()).to_string();
    (status.code().unwrap_or(-1), text)
}

/// An HTTP server on the host, on `bind` (`127.0.0.1`, `0.0.0.0`), for
/// the rest of the test run: answers every request with `text`. Its port.
pub fn host_http_server(bind: &str, text: &'static str) -> u16 {
    use std::io::{Read, Write};
    let l = std::net::TcpListener::bind((bind, 0)).unwrap();
    let port = l.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for mut s in l.incoming().flatten() {
            let _ = s.set_read_timeout(Some(Duration::from_secs(5)));
            let mut req = Vec::new();
            let mut buf = [0u8; 1024];
            while !req.windows(4).any(|w| w == b"\r\n\r\n") {
                match s.read(&mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => req.extend_from_slice(&buf[..n]),
                }
            }
            let answer = format!(
                "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{text}",
                text.len()
            );
            let _ = s.write_all(answer.as_bytes());
        }
    });
    port
}
