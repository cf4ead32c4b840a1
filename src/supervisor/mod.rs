//! The per-container supervisor: kist re-executed (`kist __supervise ID`),
//! single-threaded, detached from the CLI (own session), a subreaper, and
//! the container's parent. It starts the container through the runtime,
//! keeps its stdio (json-file log, attached clients on a unix socket),
//! records the exit code and finish time atomically, does `--rm` cleanup and
//! exits when the container exits. `unsafe` is allowed here (and in
//! `runtime/`) only, with a `// SAFETY:` note.

mod bridge;
pub mod logfile;
pub mod netns;
mod network;
pub mod protocol;
mod proxy;
mod serve;

use std::fs::File;
use std::io::Write;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::config::Settings;
use crate::store::Store;

/// Environment variables carrying the descriptors `start` passes down.
pub const READY_ENV: &str = "_KIST_READY_FD";
pub const ATTACH_ENV: &str = "_KIST_ATTACH_FD";

/// What the supervisor tells `start` once the container runs, or why not.
#[derive(Debug, Serialize, Deserialize)]
pub struct Ready {
    pub pid: i32,
    #[serde(default)]
    pub error: Option<String>,
    /// The exit code kist should end with when `error` is set (125, 126,
    /// 127 as docker).
    #[serde(default)]
    pub code: i32,
}

/// The attach socket of a container (short: sun_path holds 108 bytes).
pub fn socket_path(settings_runroot: &std::path::Path, id: &str) -> PathBuf {
    settings_runroot.join("s").join(&id[..id.len().min(24)])
}

fn take_fd(var: &str) -> Option<OwnedFd> {
    let fd: i32 = std::env::var(var).ok()?.parse().ok()?;
    std::env::remove_var(var);
    if fd < 3 {
        return None;
    }
    // SAFETY: `start` created this descriptor for us and passed its number;
    // nothing else in this fresh process owns it.
    let owned = unsafe { OwnedFd::from_raw_fd(fd) };
    // Ours alone: no child (container, runtime) may inherit it.
    let _ = nix::fcntl::fcntl(
        &owned,
        nix::fcntl::FcntlArg::F_SETFD(nix::fcntl::FdFlag::FD_CLOEXEC),
    );
    Some(owned)
}

/// Entry point of `kist __supervise ID`; returns the process exit code.
pub fn main(store: &Store, settings: &Settings, id: &str) -> i32 {
    let mut ready = take_fd(READY_ENV).map(File::from);
    let attach = take_fd(ATTACH_ENV).map(UnixStream::from);
    {
        use std::os::fd::AsRawFd;
        let keep: Vec<i32> = ready
            .iter()
            .map(|f| f.as_raw_fd())
            .chain(attach.iter().map(|s| s.as_raw_fd()))
            .collect();
        crate::runtime::sys::close_fds_except(&keep);
    }
    let _ = nix::unistd::setsid();
    let _ = nix::sys::prctl::set_child_subreaper(true);
    // A client that goes away must not take the supervisor with it: SIGPIPE
    // too is ignored here (writes then fail with EPIPE).
    for sig in [
        nix::sys::signal::Signal::SIGHUP,
        nix::sys::signal::Signal::SIGINT,
        nix::sys::signal::Signal::SIGPIPE,
    ] {
        // SAFETY: SigIgn installs no handler code; changing the disposition
        // of these signals in this single-threaded process is sound.
        let _ = unsafe { nix::sys::signal::signal(sig, nix::sys::signal::SigHandler::SigIgn) };
    }
    let mut tell = |r: Ready| {
        if let Some(mut f) = ready.take() {
            let _ = f.write_all(serde_json::to_string(&r).unwrap_or_default().as_bytes());
        }
    };
    match serve::Supervisor::start(store, settings, id, attach) {
        Ok(mut sup) => {
            tell(Ready {
                pid: sup.pid(),
                error: None,
                code: 0,
            });
            // It shrinks once idle (see `serve`): not now, while a short
            // container may be exiting.
            sup.serve();
            0
        }
        Err((message, code)) => {
            tell(Ready {
                pid: 0,
                error: Some(message),
                code,
            });
            code
        }
    }
}
