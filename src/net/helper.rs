//! A running network helper (pasta, slirp4netns): started by the
//! container's supervisor as its child, in the foreground, killed by the
//! kernel if the supervisor dies (parent-death signal) and stopped by the
//! supervisor when the container exits. Its pid and start time are also
//! kept in `RUNROOT/net/ID` while it runs, with the supervisor's: a
//! supervisor killed with `kill -9` leaves that record, and the next kist
//! command stops the helper if it still runs and removes the record
//! ([`reap_stale`]).

use std::fs::File;
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStderr, Command, Stdio};
use std::time::{Duration, Instant};

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;
use serde::{Deserialize, Serialize};

use super::NetError;
use crate::store::containers::process_start_time;

/// How long a helper may take to connect a container.
const READY_TIMEOUT: Duration = Duration::from_secs(10);

/// The directory of helper records and readiness FIFOs.
pub fn dir(runroot: &Path) -> PathBuf {
    runroot.join("net")
}

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    helper: i32,
    helper_start: u64,
    supervisor: i32,
    supervisor_start: u64,
}

/// A helper process and what it holds.
pub struct Helper {
    name: &'static str,
    child: Child,
    record: PathBuf,
    /// Closing it tells slirp4netns to exit (`--exit-fd`).
    _exit_fd: Option<OwnedFd>,
    /// Reaped already (by the supervisor's wait for any child).
    gone: bool,
}

impl Helper {
    /// Starts `cmd` (its stdin and stdout /dev/null, its stderr kept for
    /// error messages until it is ready) and records it under
    /// `RUNROOT/net/ID`.
    pub fn spawn(
        name: &'static str,
        mut cmd: Command,
        runroot: &Path,
        id: &str,
        exit_fd: Option<OwnedFd>,
    ) -> Result<(Helper, ChildStderr), NetError> {
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        crate::runtime::sys::helper_process(&mut cmd);
        let mut child = cmd.spawn().map_err(|e| NetError::Helper {
            what: format!("start {name}"),
            message: e.to_string(),
        })?;
        let stderr = child.stderr.take().ok_or_else(|| NetError::Helper {
            what: format!("start {name}"),
            message: "no stderr pipe".into(),
        })?;
        let me = std::process::id() as i32;
        let pid = child.id() as i32;
        let rec = Record {
            helper: pid,
            helper_start: process_start_time(pid).unwrap_or(0),
            supervisor: me,
            supervisor_start: process_start_time(me).unwrap_or(0),
        };
        let record = dir(runroot).join(id);
        let _ = std::fs::write(&record, serde_json::to_vec(&rec).unwrap_or_default());
        Ok((
            Helper {
                name,
                child,
                record,
                _exit_fd: exit_fd,
                gone: false,
            },
            stderr,
        ))
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// The supervisor reaped this pid (it waits for any child).
    pub fn reaped(&mut self) {
        self.gone = true;
    }

    /// Waits until the helper writes to `ready` (its pid file, a FIFO, or
    /// its ready pipe); fails with what it printed if it exits first.
    pub fn wait_ready(&mut self, ready: &OwnedFd, mut stderr: ChildStderr) -> Result<(), NetError> {
        let deadline = Instant::now() + READY_TIMEOUT;
        let mut said = Vec::new();
        let (mut ready_open, mut stderr_open) = (true, true);
        loop {
            if !stderr_open && !ready_open {
                // Both ends closed without a word of readiness: it exits.
                let _ = self.child.wait();
                self.gone = true;
                return Err(self.failed(&said, "exited"));
            }
            let mut left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Err(self.failed(&said, "did not get ready within 10 seconds"));
            }
            if !stderr_open {
                // Its stderr closed: look for its exit every few ms.
                if self.child.try_wait().ok().flatten().is_some() {
                    self.gone = true;
                    return Err(self.failed(&said, "exited"));
                }
                left = left.min(Duration::from_millis(5));
            }
            let ms = u16::try_from(left.as_millis()).unwrap_or(u16::MAX);
            let mut which = Vec::new();
            let mut set = Vec::new();
            if ready_open {
                which.push(0);
                set.push(PollFd::new(ready.as_fd(), PollFlags::POLLIN));
            }
            if stderr_open {
                which.push(1);
                set.push(PollFd::new(stderr.as_fd(), PollFlags::POLLIN));
            }
            let polled = poll(&mut set, PollTimeout::from(ms));
            let hits: Vec<i32> = which
                .iter()
                .zip(&set)
                .filter(|(_, f)| f.revents().is_some_and(|r| !r.is_empty()))
                .map(|(w, _)| *w)
                .collect();
            drop(set);
            match polled {
                Ok(_) | Err(nix::errno::Errno::EINTR) => {}
                Err(e) => return Err(self.failed(&said, &format!("poll: {e}"))),
            }
            if hits.contains(&0) {
                let mut buf = [0u8; 64];
                match nix::unistd::read(ready, &mut buf) {
                    Ok(n) if n > 0 => return Ok(()),
                    Err(nix::errno::Errno::EAGAIN | nix::errno::Errno::EINTR) => {}
                    _ => ready_open = false,
                }
            }
            if hits.contains(&1) {
                let mut buf = [0u8; 4096];
                match stderr.read(&mut buf) {
                    Ok(0) | Err(_) => stderr_open = false,
                    Ok(n) => said.extend_from_slice(&buf[..n]),
                }
            }
        }
    }

    fn failed(&mut self, said: &[u8], what: &str) -> NetError {
        self.stop(true);
        let text = String::from_utf8_lossy(said);
        // No syslog in most containers and VMs: pasta says so on every line.
        let lines: Vec<&str> = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with("Failed to send") && !l.contains("syslog"))
            .collect();
        let mut message = what.to_string();
        if !lines.is_empty() {
            message = format!("{what}: {}", lines.join("; "));
        }
        NetError::Helper {
            what: format!("{} could not connect the container's network", self.name),
            message,
        }
    }

    /// Stops the helper (SIGKILL: it holds no state worth saving) and
    /// removes its record. Its exit takes tens of ms (the kernel removes
    /// its tap device): `wait` for it only when its ports must be free on
    /// return.
    pub fn stop(&mut self, wait: bool) {
        if !self.gone {
            let _ = kill(Pid::from_raw(self.pid()), Signal::SIGKILL);
            if wait {
                let _ = self.child.wait();
            }
            self.gone = true;
        }
        let _ = std::fs::remove_file(&self.record);
    }
}

/// Makes `RUNROOT/net` (private).
pub fn make_dir(runroot: &Path) -> Result<PathBuf, NetError> {
    use std::os::unix::fs::DirBuilderExt;
    let d = dir(runroot);
    if !d.is_dir() {
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(&d)
            .map_err(|e| NetError::Helper {
                what: format!("create {}", d.display()),
                message: e.to_string(),
            })?;
    }
    Ok(d)
}

/// A FIFO at `path` (replacing what is there), opened for reading without
/// blocking: a helper's pid file that says when it is ready.
pub fn ready_fifo(path: &Path) -> Result<OwnedFd, NetError> {
    use nix::fcntl::{open, OFlag};
    use nix::sys::stat::Mode;
    let fail = |e: nix::Error| NetError::Helper {
        what: format!("create {}", path.display()),
        message: e.to_string(),
    };
    let _ = std::fs::remove_file(path);
    nix::unistd::mkfifo(path, Mode::from_bits_truncate(0o600)).map_err(fail)?;
    open(
        path,
        OFlag::O_RDONLY | OFlag::O_NONBLOCK | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(fail)
}

/// Stops the helpers whose supervisor is gone (killed) and removes their
/// records. Cheap when there is nothing to do: one readdir.
pub fn reap_stale(runroot: &Path) {
    let Ok(entries) = std::fs::read_dir(dir(runroot)) else {
        return;
    };
    for e in entries.flatten() {
        let path = e.path();
        // Records are named by container ID; FIFOs and sockets have a dot.
        if e.file_name().to_string_lossy().contains('.') {
            continue;
        }
        let Some(rec) = File::open(&path)
            .ok()
            .and_then(|f| serde_json::from_reader::<_, Record>(f).ok())
        else {
            continue;
        };
        if process_start_time(rec.supervisor) == Some(rec.supervisor_start) {
            continue;
        }
        if rec.helper > 0 && process_start_time(rec.helper) == Some(rec.helper_start) {
            let _ = kill(Pid::from_raw(rec.helper), Signal::SIGKILL);
        }
        let _ = std::fs::remove_file(&path);
        let name = e.file_name().to_string_lossy().into_owned();
        for suffix in ["pid", "sock"] {
            let _ = std::fs::remove_file(dir(runroot).join(format!("{}.{suffix}", short(&name))));
        }
    }
}

/// A container ID as helper files are named (socket paths are short).
pub fn short(id: &str) -> &str {
    &id[..id.len().min(24)]
}
