//! Entering a rootless user namespace by re-executing kist.
//!
//! A rootless command that writes layer contents (ownership from the image's
//! tar headers) or removes them must run as uid 0 of a user namespace whose
//! ids are mapped through the user's /etc/subuid and /etc/subgid ranges, as
//! `podman unshare` does. The CLI process re-executes itself with the same
//! arguments; the child, still single-threaded, unshares its user and mount
//! namespaces and waits on a pipe while the parent runs newuidmap/newgidmap
//! on it, then carries on with the command as namespace root. The parent
//! only waits and passes the exit code on.

use std::fs;
use std::io::{Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::process::Command;

use nix::fcntl::{fcntl, FcntlArg, FdFlag, OFlag};
use nix::sched::{unshare, CloneFlags};
use nix::unistd::{pipe2, setresgid, setresuid, Gid, Uid};

use super::idmap::{helper_args, IdMap};

/// Set for the re-executed child: "READY_FD,GO_FD".
const STAGE_ENV: &str = "_KIST_USERNS_STAGE";
/// Set inside the namespace: "full" (subordinate ranges mapped) or "single".
pub const INSIDE_ENV: &str = "_KIST_IN_USERNS";

#[derive(Debug, thiserror::Error)]
pub enum UsernsError {
    #[error("cannot create a user namespace: {0}\nhint: check that unprivileged user namespaces are enabled (sysctl kernel.unprivileged_userns_clone=1, user.max_user_namespaces > 0)")]
    Unshare(nix::Error),
    #[error("{helper} failed for uid {uid}: {detail}\nhint: the user needs a range in /etc/subuid and /etc/subgid (usermod --add-subuids 100000-165535 --add-subgids 100000-165535 USER) and the uidmap package for newuidmap/newgidmap")]
    MapHelper {
        helper: &'static str,
        uid: u32,
        detail: String,
    },
    #[error("cannot write the id map of process {pid}: {source}")]
    MapWrite { pid: u32, source: std::io::Error },
    #[error("cannot re-execute kist (/proc/self/exe): {0}")]
    Spawn(std::io::Error),
    #[error("user namespace set-up: {0}")]
    Sync(String),
}

/// Whether this process already runs inside kist's user namespace.
pub fn inside() -> Option<bool> {
    std::env::var(INSIDE_ENV).ok().map(|v| v == "full")
}

/// Child side; a no-op unless this process is a re-executed stage.
pub fn child_stage() -> Result<(), UsernsError> {
    let Ok(spec) = std::env::var(STAGE_ENV) else {
        return Ok(());
    };
    std::env::remove_var(STAGE_ENV);
    let (ready, go) = parse_fds(&spec).ok_or_else(|| UsernsError::Sync(spec.clone()))?;
    unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNS).map_err(UsernsError::Unshare)?;
    let mut ready = fs::File::from(ready);
    let mut go = fs::File::from(go);
    ready
        .write_all(b"r")
        .map_err(|e| UsernsError::Sync(e.to_string()))?;
    drop(ready);
    let mut byte = [0u8; 1];
    if go.read(&mut byte).unwrap_or(0) != 1 {
        // The parent failed to map us and says why; leave quietly.
        std::process::exit(125);
    }
    setresgid(Gid::from_raw(0), Gid::from_raw(0), Gid::from_raw(0))
        .map_err(|e| UsernsError::Sync(format!("setresgid: {e}")))?;
    setresuid(Uid::from_raw(0), Uid::from_raw(0), Uid::from_raw(0))
        .map_err(|e| UsernsError::Sync(format!("setresuid: {e}")))?;
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(|e| UsernsError::Sync(format!("prctl: {e}")))?;
    Ok(())
}

fn parse_fds(spec: &str) -> Option<(OwnedFd, OwnedFd)> {
    let (a, b) = spec.split_once(',')?;
    let (a, b): (i32, i32) = (a.parse().ok()?, b.parse().ok()?);
    if a < 3 || b < 3 || a == b {
        return None;
    }
    // The fds were created by our parent for exactly this purpose and are
    // owned by nobody else in this process.
    Some((own_fd(a), own_fd(b)))
}

fn own_fd(fd: i32) -> OwnedFd {
    // SAFETY: called only on the two descriptors the parent passed down via
    // STAGE_ENV, which nothing else in this fresh process refers to.
    unsafe { OwnedFd::from_raw_fd(fd) }
}

/// Parent side: runs this same command line again inside a new user
/// namespace mapped with `map`, and returns the child's exit code.
pub fn reexec(map: &IdMap) -> Result<i32, UsernsError> {
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| "kist".into());
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg0(arg0).args(args);
    let mut child = spawn_mapped(cmd, map)?;
    let status = child.wait().map_err(UsernsError::Spawn)?;
    Ok(status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0)))
}

/// Starts `cmd`, a kist command line, as root of a new user namespace
/// mapped with `map` (and a new mount namespace): returns once the child
/// runs mapped.
pub fn spawn_mapped(mut cmd: Command, map: &IdMap) -> Result<std::process::Child, UsernsError> {
    let sync = |e: nix::Error| UsernsError::Sync(e.to_string());
    let (ready_r, ready_w) = pipe2(OFlag::O_CLOEXEC).map_err(sync)?;
    let (go_r, go_w) = pipe2(OFlag::O_CLOEXEC).map_err(sync)?;
    for fd in [&ready_w, &go_r] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::empty())).map_err(sync)?;
    }
    let mut child = cmd
        .env(
            STAGE_ENV,
            format!("{},{}", ready_w.as_raw_fd(), go_r.as_raw_fd()),
        )
        .env(INSIDE_ENV, if map.has_ranges() { "full" } else { "single" })
        .spawn()
        .map_err(UsernsError::Spawn)?;
    drop(ready_w);
    drop(go_r);
    let pid = child.id();
    let mut byte = [0u8; 1];
    let got = fs::File::from(ready_r).read(&mut byte).unwrap_or(0);
    let mapped = if got == 1 {
        write_maps(pid, map)
    } else {
        Err(UsernsError::Sync("the helper exited early".into()))
    };
    if let Err(err) = mapped {
        drop(go_w);
        let _ = child.wait();
        return Err(err);
    }
    fs::File::from(go_w)
        .write_all(b"g")
        .map_err(|e| UsernsError::Sync(e.to_string()))?;
    Ok(child)
}

fn write_maps(pid: u32, map: &IdMap) -> Result<(), UsernsError> {
    if map.has_ranges() {
        run_helper("newuidmap", pid, &helper_args(&map.uids), map)?;
        run_helper("newgidmap", pid, &helper_args(&map.gids), map)?;
        return Ok(());
    }
    let write = |file: &str, text: String| {
        fs::write(format!("/proc/{pid}/{file}"), text)
            .map_err(|source| UsernsError::MapWrite { pid, source })
    };
    let (u, g) = (map.uids[0], map.gids[0]);
    write("uid_map", format!("0 {} 1\n", u.host))?;
    write("setgroups", "deny".into())?;
    write("gid_map", format!("0 {} 1\n", g.host))
}

fn run_helper(
    helper: &'static str,
    pid: u32,
    args: &[String],
    map: &IdMap,
) -> Result<(), UsernsError> {
    let uid = map.uids[0].host;
    let out = Command::new(helper)
        .arg(pid.to_string())
        .args(args)
        .output()
        .map_err(|e| UsernsError::MapHelper {
            helper,
            uid,
            detail: e.to_string(),
        })?;
    if out.status.success() {
        return Ok(());
    }
    Err(UsernsError::MapHelper {
        helper,
        uid,
        detail: String::from_utf8_lossy(&out.stderr).trim().to_string(),
    })
}
