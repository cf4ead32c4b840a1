//! `kist start`: launches the container's supervisor (kist re-executed,
//! detached) and waits until it reports the container running, or why it
//! could not start (with docker's 125/126/127).

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};

use nix::fcntl::{fcntl, FcntlArg, FdFlag, OFlag};

use super::super::{EngineError, Result};
use super::state::SignalTarget;
use crate::config::Settings;
use crate::store::containers::Status;
use crate::store::Store;
use crate::supervisor::{Ready, ATTACH_ENV, READY_ENV};

/// A started container, with the attach stream when one was asked for.
pub struct Started {
    /// Where the container's signals go (`--sig-proxy`).
    pub signals: SignalTarget,
    pub attach: Option<UnixStream>,
    /// The container has a terminal (`-t`): an attachment relays raw keys.
    pub tty: bool,
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct StartError {
    pub message: String,
    /// 125, or 126/127 when the command could not be run.
    pub code: i32,
}

pub fn start(store: &Store, settings: &Settings, query: &str, attach: bool) -> Result<Started> {
    let id = store
        .find_container(query)
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    let state = super::state::current(store, settings, &id)?;
    if state.status == Status::Running {
        return Ok(Started {
            signals: SignalTarget::of(settings, &store.read_container(&id)?, state.pid),
            attach: None,
            tty: false,
        });
    }
    // Read before launching: with --rm the record may be gone as soon as
    // the container has exited.
    let rec = store.read_container(&id)?;
    let mut started = launch(settings, &id, attach)?;
    started.tty = rec.config.tty;
    if let SignalTarget::Pid(pid) = started.signals {
        started.signals = SignalTarget::of(settings, &rec, pid);
    }
    Ok(started)
}

fn inheritable(fd: &impl std::os::fd::AsFd) -> Result<()> {
    fcntl(fd, FcntlArg::F_SETFD(FdFlag::empty()))
        .map(|_| ())
        .map_err(|e| {
            EngineError::Invalid(format!("cannot pass a descriptor to the supervisor: {e}"))
        })
}

fn launch(settings: &Settings, id: &str, attach: bool) -> Result<Started> {
    let (ready_r, ready_w) = nix::unistd::pipe2(OFlag::O_CLOEXEC)
        .map_err(|e| EngineError::Invalid(format!("cannot create a pipe: {e}")))?;
    inheritable(&ready_w)?;
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg0("kist")
        .arg("--root")
        .arg(&settings.root)
        .arg("--runroot")
        .arg(&settings.runroot)
        .arg("--storage-driver")
        .arg(&settings.storage_driver)
        .arg("__supervise")
        .arg(id)
        .env(READY_ENV, ready_w.as_raw_fd().to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut ours = None;
    let theirs;
    if attach {
        let (a, b) = UnixStream::pair().map_err(|source| EngineError::Io {
            action: "create",
            path: "an attach socket".into(),
            source,
        })?;
        inheritable(&b)?;
        cmd.env(ATTACH_ENV, b.as_raw_fd().to_string());
        ours = Some(a);
        theirs = Some(b);
    } else {
        theirs = None;
    }
    cmd.spawn().map_err(|source| EngineError::Io {
        action: "start the supervisor",
        path: "/proc/self/exe".into(),
        source,
    })?;
    drop(ready_w);
    drop(theirs);
    let mut text = String::new();
    let _ = std::fs::File::from(ready_r).read_to_string(&mut text);
    let ready: Ready = serde_json::from_str(&text).map_err(|_| {
        EngineError::Invalid(format!(
            "the supervisor of container {} exited without starting it\nhint: kist logs {} may say more",
            &id[..12],
            &id[..12]
        ))
    })?;
    if let Some(message) = ready.error {
        return Err(EngineError::Start(StartError {
            message,
            code: ready.code,
        }));
    }
    Ok(Started {
        signals: SignalTarget::Pid(ready.pid),
        attach: ours,
        tty: false,
    })
}
