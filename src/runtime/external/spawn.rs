//! Starting a container with an external runtime: the helper process, the
//! id maps, the network hand-off, the `-t` console socket, the pid file.

use std::fs::{self, File};
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{kill, Signal};
use nix::unistd::{fork, pipe2, ForkResult, Pid};

use crate::runtime::caps;
use crate::runtime::container::{SpawnError, SpawnOptions, Spawned, Stdio};

use super::errors::runtime_error;
use super::helper::{helper_main, overlay_mount, reap, write_bundle, Job};
use super::{delete_external, resolve, setup, BUNDLE_DIR};

/// Starts the container with an external runtime; returns once it runs
/// (`RUNTIME start` returned). Must be called from a single-threaded
/// process that is a child subreaper (kist's supervisor): the container
/// becomes its child and the caller reaps it.
pub fn spawn_external(
    runtime: &str,
    mut opts: SpawnOptions,
    id: &str,
    state_root: &Path,
) -> Result<Spawned, SpawnError> {
    let network = opts.network.take();
    let bin = resolve(runtime).map_err(SpawnError::Setup)?;
    let bundle = opts.bundle.join(BUNDLE_DIR);
    let rootfs = write_bundle(opts.spec, opts.bundle, &bundle, opts.id_map)?;
    let (pid_file, log_file) = (bundle.join("pid"), bundle.join("log.json"));
    for f in [&pid_file, &log_file] {
        let _ = fs::remove_file(f);
    }
    fs::create_dir_all(state_root)
        .map_err(|e| setup(format!("create {}: {e}", state_root.display())))?;
    if state_root.join(id).exists() {
        // Left behind by a supervisor that did not finish (killed).
        let _ = delete_external(runtime, id, state_root);
    }
    let terminal = opts.spec.process().as_ref().and_then(|p| p.terminal()) == Some(true);
    let console = match terminal {
        true => Some(Console::listen(state_root, id)?),
        false => None,
    };
    let overlay = opts.overlay.as_ref().map(overlay_mount).transpose()?;
    let Stdio::Fds {
        stdin,
        stdout,
        stderr,
    } = opts.stdio;
    let job = Job {
        bin: &bin,
        global: vec![
            "--root".into(),
            state_root.into(),
            "--log".into(),
            log_file.clone().into(),
            "--log-format".into(),
            "json".into(),
        ],
        bundle: &bundle,
        pid_file: &pid_file,
        id,
        rootfs: &rootfs,
        overlay,
        stdio: [stdin, stdout, stderr],
        rootless: opts.id_map.is_some(),
        console: console.as_ref().map(|c| c.path.clone()),
    };
    let pipe = || pipe2(OFlag::O_CLOEXEC).map_err(|e| setup(format!("pipe: {e}")));
    let (err_r, err_w) = pipe()?;
    let sync = match opts.id_map {
        Some(_) => Some((pipe()?, pipe()?)),
        None => None,
    };
    // With a network to connect: the helper says when `create` made the
    // namespaces, and waits for the network before `start`.
    let net_sync = match network {
        Some(_) => Some((pipe()?, pipe()?)),
        None => None,
    };
    // SAFETY: the caller is single-threaded (this function's contract), so
    // the child is a complete copy that may run Rust code (allocate, spawn
    // processes) until it exits with _exit.
    let helper = match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            drop(err_r);
            let sync = sync.map(|((ready_r, ready_w), (go_r, go_w))| {
                drop((ready_r, go_w));
                (ready_w, go_r)
            });
            let net_sync = net_sync.map(|((created_r, created_w), (up_r, up_w))| {
                drop((created_r, up_w));
                (created_w, up_r)
            });
            helper_main(&job, err_w, sync, net_sync)
        }
        Ok(ForkResult::Parent { child }) => child,
        Err(e) => return Err(setup(format!("fork the runtime helper: {e}"))),
    };
    drop(job);
    drop(err_w);
    let abort = |e: SpawnError| {
        let _ = kill(helper, Signal::SIGKILL);
        reap(helper);
        Err(e)
    };
    if let (Some(map), Some(((ready_r, ready_w), (go_r, go_w)))) = (opts.id_map, sync) {
        drop((ready_w, go_r));
        let mut b = [0u8; 1];
        if nix::unistd::read(&ready_r, &mut b) == Ok(1) {
            if let Err(e) = caps::write_maps(helper, map) {
                return abort(e);
            }
            if let Err(e) = nix::unistd::write(&go_w, b"g") {
                return abort(setup(format!("release the runtime helper: {e}")));
            }
        }
        // Else the helper failed before; it says why on the error pipe.
    }
    if let (Some(net), Some(((created_r, created_w), (up_r, up_w)))) = (network, net_sync) {
        drop((created_w, up_r));
        let mut b = [0u8; 1];
        if nix::unistd::read(&created_r, &mut b) == Ok(1) {
            let up = fs::read_to_string(&pid_file)
                .map_err(|e| format!("{runtime}: read the pid file: {e}"))
                .and_then(|t| {
                    t.trim()
                        .parse::<i32>()
                        .map_err(|_| format!("{runtime}: invalid pid file {t:?}"))
                })
                .and_then(|pid| net.begin(Pid::from_raw(pid)))
                .and_then(|()| net.ready());
            match up {
                Ok(()) => {
                    let _ = nix::unistd::write(&up_w, b"n");
                }
                Err(e) => {
                    // Closing up_w makes the helper delete the container.
                    drop(up_w);
                    let _ = File::from(err_r).read_to_end(&mut Vec::new());
                    reap(helper);
                    return Err(setup(e));
                }
            }
        }
        // Else `create` failed; the helper says why on the error pipe.
    }
    let mut report = Vec::new();
    let master = match &console {
        // The runtime sends the pty master during `create`: accept it while
        // waiting for the helper's report.
        Some(c) => c.receive(&err_r, &mut report),
        None => {
            let _ = File::from(err_r).read_to_end(&mut report);
            Ok(None)
        }
    };
    drop(console);
    reap(helper);
    if !report.is_empty() {
        let report = String::from_utf8_lossy(&report).into_owned();
        let err = match report.strip_prefix("runtime:") {
            Some(step) => runtime_error(runtime, step, &log_file, opts.spec),
            None => setup(report),
        };
        return Err(err);
    }
    let text = fs::read_to_string(&pid_file)
        .map_err(|e| setup(format!("{runtime}: read the pid file: {e}")))?;
    let pid: i32 = text
        .trim()
        .parse()
        .map_err(|_| setup(format!("{runtime}: invalid pid file {text:?}")))?;
    let console = match (terminal, master) {
        (true, Ok(Some(fd))) => Some(fd),
        (true, Ok(None)) => {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            return Err(setup(format!("{runtime} sent no terminal")));
        }
        (true, Err(e)) => {
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
            return Err(e);
        }
        (false, _) => None,
    };
    Ok(Spawned {
        pid: Pid::from_raw(pid),
        console,
    })
}

/// The unix socket a runtime sends a `-t` container's pty master to
/// (`--console-socket`); removed when dropped.
struct Console {
    listener: UnixListener,
    path: PathBuf,
}

impl Console {
    /// Next to the runtime's state directory (sun_path is short).
    fn listen(state_root: &Path, id: &str) -> Result<Console, SpawnError> {
        let dir = state_root.parent().unwrap_or(state_root);
        let path = dir.join(format!("console-{}.sock", &id[..id.len().min(12)]));
        let _ = fs::remove_file(&path);
        let listener = UnixListener::bind(&path)
            .map_err(|e| setup(format!("console socket {}: {e}", path.display())))?;
        listener
            .set_nonblocking(true)
            .map_err(|e| setup(format!("console socket: {e}")))?;
        Ok(Console { listener, path })
    }

    /// Reads `report` to its end (the helper exited) while accepting the
    /// runtime's connection and the descriptor it sends.
    fn receive(
        &self,
        report_fd: &OwnedFd,
        report: &mut Vec<u8>,
    ) -> Result<Option<OwnedFd>, SpawnError> {
        let mut master = None;
        let mut buf = [0u8; 4096];
        loop {
            let mut fds = [
                PollFd::new(report_fd.as_fd(), PollFlags::POLLIN),
                PollFd::new(self.listener.as_fd(), PollFlags::POLLIN),
            ];
            match poll(&mut fds, PollTimeout::NONE) {
                Ok(_) | Err(Errno::EINTR) => {}
                Err(e) => return Err(setup(format!("poll: {e}"))),
            }
            let ready = |f: &PollFd| f.revents().is_some_and(|r| !r.is_empty());
            let (report_ready, conn_ready) = (ready(&fds[0]), ready(&fds[1]));
            if conn_ready {
                if let Ok((stream, _)) = self.listener.accept() {
                    master = Some(recv_fd(&stream)?);
                }
            }
            if report_ready {
                match nix::unistd::read(report_fd, &mut buf) {
                    Ok(0) => return Ok(master),
                    Ok(n) => report.extend_from_slice(&buf[..n]),
                    Err(Errno::EINTR | Errno::EAGAIN) => {}
                    Err(e) => return Err(setup(format!("read the helper's report: {e}"))),
                }
            }
        }
    }
}

impl Drop for Console {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

/// One descriptor sent with SCM_RIGHTS (runc, crun and youki send the pty
/// master this way, with its name as the payload).
pub(crate) fn recv_fd(stream: &UnixStream) -> Result<OwnedFd, SpawnError> {
    let _ = stream.set_nonblocking(false);
    super::super::sys::recv_fd(stream)
        .map_err(|e| setup(format!("receive the terminal from the runtime: {e}")))?
        .ok_or_else(|| setup("the runtime sent no terminal descriptor"))
}
