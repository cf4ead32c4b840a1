//! The supervisor's work: start the container, then one poll loop over the
//! container's output pipes, the attach socket and its clients, and a
//! signalfd for SIGCHLD, until the container has exited and its output is
//! drained.

use std::fs::{self, File};
use std::io::{ErrorKind, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;

use nix::fcntl::OFlag;
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{pipe2, Pid};

use super::bridge::Bridge;
use super::logfile::{parse_size, LogFile};
use super::network::{self, Network};
use super::protocol::{self, read_frame, write_frame};
use crate::config::Settings;
use crate::net::NetworkMode;
use crate::runtime::container::{spawn, NetworkSetup, Overlay, SpawnError, SpawnOptions, Stdio};
use crate::runtime::external;
use crate::store::containers::{process_start_time, ContainerRecord, ContainerState, Status};
use crate::store::Store;

struct Client {
    stream: UnixStream,
    /// Wants output frames (else only the exit frame).
    output: bool,
    /// Hung up or failed a write: dropped at the end of the poll round
    /// (removing it at once would shift the indices the round uses).
    gone: bool,
}

pub struct Supervisor<'a> {
    store: &'a Store,
    settings: &'a Settings,
    rec: ContainerRecord,
    pid: Pid,
    log: LogFile,
    out: Option<File>,
    err: Option<File>,
    stdin: Option<File>,
    /// The pty master of a `-t` container (for resizes).
    pty: Option<File>,
    listener: Option<UnixListener>,
    sock: PathBuf,
    clients: Vec<Client>,
    sigfd: Option<SignalFd>,
    exit: Option<i32>,
    /// The resident set was shrunk since the last event.
    shrunk: bool,
    /// When the first shrink is due even if the container never goes
    /// quiet (a chatty one): start-up maps megabytes of text. `None` once
    /// done.
    first_shrink: Option<std::time::Instant>,
    /// The container's connection to the default network.
    network: Option<Network>,
    /// Its connection to user-defined networks.
    bridge: Option<Bridge>,
}

fn setup_err(e: impl std::fmt::Display) -> (String, i32) {
    (e.to_string(), 125)
}

impl<'a> Supervisor<'a> {
    pub fn start(
        store: &'a Store,
        settings: &'a Settings,
        id: &str,
        attach: Option<UnixStream>,
    ) -> Result<Supervisor<'a>, (String, i32)> {
        let rec = store.read_container(id).map_err(setup_err)?;
        let dir = store.container_dir(id);
        let mut spec = oci_spec::runtime::Spec::load(dir.join("config.json")).map_err(setup_err)?;
        let runtime = rec.host_config.runtime.as_str();
        let mode = NetworkMode::from_record(&rec.host_config.network_mode);
        // A network that cannot be set up is the start's error, in the
        // state too (docker's State.Error).
        let failed = |e: String| {
            let mut state = store.read_state(id).unwrap_or_default();
            state.error = e.clone();
            state.exit_code = 128; // docker's code for a start that failed
            let _ = store.write_state(id, &state);
            (e, 125)
        };
        let mut network = match mode.backend() {
            Some(b) => Some(Network::prepare(settings, &rec, b, &dir).map_err(failed)?),
            None => None,
        };
        let mut bridge = match &mode {
            NetworkMode::Bridge(_) => {
                Some(Bridge::prepare(store, settings, &rec, &dir).map_err(failed)?)
            }
            _ => None,
        };
        let joined_userns = match &mode {
            NetworkMode::Container(target) => network::join_container(
                store,
                settings,
                &mut spec,
                target,
                external::is_external(runtime),
            )
            .map_err(failed)?,
            NetworkMode::Bridge(_) if external::is_external(runtime) => {
                if let Some(b) = &mut bridge {
                    b.stop();
                }
                return Err(failed(
                    crate::net::NetError::NotSupported(
                        "user-defined networks with an external runtime".into(),
                        "use kist's built-in runtime (--runtime kist)".into(),
                    )
                    .to_string(),
                ));
            }
            NetworkMode::Bridge(_) => match bridge.as_ref().and_then(Bridge::userns) {
                // Rootless: inside the rootless network namespace's user
                // namespace, which netavark (there) may configure.
                Some(fd) => {
                    if let Err(e) = nix::sched::setns(fd, nix::sched::CloneFlags::CLONE_NEWUSER) {
                        if let Some(b) = &mut bridge {
                            b.stop();
                        }
                        return Err(failed(format!(
                            "join the rootless network namespace's user namespace: {e}"
                        )));
                    }
                    true
                }
                None => false,
            },
            _ => false,
        };
        let mut io = ContainerIo::new(rec.config.tty, rec.config.open_stdin).map_err(setup_err)?;
        let lower = rec
            .layers
            .iter()
            .rev()
            .map(|d| store.layer_path(d).join("diff"))
            .collect();
        let overlay = Overlay {
            lower,
            upper: dir.join("upper"),
            work: dir.join("work"),
            userxattr: settings.rootless,
            driver: crate::runtime::storage::Driver::parse(&rec.host_config.storage_driver),
        };
        let id_map =
            settings
                .id_map
                .for_userns(&rec.host_config.userns_mode, settings.uid, settings.gid);
        let cache_dir = settings.runroot.join("cache");
        let opts = SpawnOptions {
            spec: &spec,
            bundle: &dir,
            // Inside another container's user namespace: no own one.
            id_map: (settings.rootless && !joined_userns).then_some(&id_map),
            overlay: Some(overlay),
            cache_dir: Some(&cache_dir),
            stdio: Stdio::Fds {
                stdin: io.child[0].try_clone().map_err(setup_err)?,
                stdout: io.child[1].try_clone().map_err(setup_err)?,
                stderr: io.child[2].try_clone().map_err(setup_err)?,
            },
            network: match (network.as_mut(), bridge.as_mut()) {
                (Some(n), _) => Some(n as &mut dyn NetworkSetup),
                (None, Some(b)) => Some(b as &mut dyn NetworkSetup),
                (None, None) => None,
            },
        };
        let spawned = match external::is_external(runtime) {
            true => {
                let root = external::state_root(&settings.runroot, runtime);
                external::spawn_external(runtime, opts, id, &root)
            }
            false => spawn(opts),
        };
        drop(io.child);
        let spawned = match spawned {
            Ok(s) => s,
            Err(e) => {
                if let Some(n) = &mut network {
                    n.stop();
                }
                if let Some(b) = &mut bridge {
                    b.stop();
                }
                let code = match e {
                    SpawnError::NotFound(_) => 127,
                    SpawnError::CannotExecute { .. } => 126,
                    _ => 125,
                };
                let mut state = store.read_state(id).unwrap_or_default();
                state.error = e.to_string();
                // docker's State.ExitCode of a failed start: 127, 126, else 128.
                state.exit_code = if code == 125 { 128 } else { code };
                let _ = store.write_state(id, &state);
                return Err((e.to_string(), code));
            }
        };
        if let Some(master) = spawned.console {
            // The runtime opened the terminal in the container: its master
            // is the container's output, input and size.
            let _ = crate::runtime::sys::set_window_size(&master, 24, 80);
            let master = File::from(master);
            io.out = master.try_clone().map_err(setup_err)?;
            if io.wants_stdin {
                io.stdin = Some(master.try_clone().map_err(setup_err)?);
            }
            io.pty = Some(master);
        }
        let me = std::process::id() as i32;
        let bridge_state = bridge.as_ref().map(Bridge::state);
        let state = ContainerState {
            status: Status::Running,
            pid: spawned.pid.as_raw(),
            supervisor: me,
            supervisor_start: process_start_time(me).unwrap_or(0),
            exit_code: 0,
            started_at: crate::engine::now_rfc3339(),
            finished_at: String::new(),
            error: String::new(),
            network: network
                .as_ref()
                .map(Network::state)
                .or(bridge_state.as_ref().map(|s| s.0.clone())),
            endpoints: bridge_state.map(|s| s.1).unwrap_or_default(),
        };
        store.write_state(id, &state).map_err(setup_err)?;
        let opts = &rec.host_config.log_config.config;
        let log = LogFile::open(
            dir.join("ctr.log"),
            opts.get("max-size").and_then(|s| parse_size(s)),
            opts.get("max-file")
                .and_then(|s| s.parse().ok())
                .unwrap_or(1),
        );
        let sock = super::socket_path(&settings.runroot, id);
        let listener = bind(&sock);
        let mut sup = Supervisor {
            store,
            settings,
            pid: spawned.pid,
            rec,
            log,
            out: Some(io.out),
            err: io.err,
            stdin: io.stdin,
            pty: io.pty,
            listener,
            sock,
            clients: Vec::new(),
            sigfd: None,
            exit: None,
            shrunk: false,
            first_shrink: Some(std::time::Instant::now() + std::time::Duration::from_secs(1)),
            network,
            bridge,
        };
        if let Some(stream) = attach {
            sup.clients.push(Client {
                stream,
                output: true,
                gone: false,
            });
        }
        // SIGCHLD through a signalfd; a child that exited before the mask
        // was set is found by the waitpid right after.
        let mut mask = SigSet::empty();
        mask.add(Signal::SIGCHLD);
        let _ = mask.thread_block();
        sup.sigfd =
            SignalFd::with_flags(&mask, SfdFlags::SFD_NONBLOCK | SfdFlags::SFD_CLOEXEC).ok();
        sup.reap();
        Ok(sup)
    }

    pub fn pid(&self) -> i32 {
        self.pid.as_raw()
    }

    fn reap(&mut self) {
        loop {
            match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                Ok(WaitStatus::Exited(p, code)) if p == self.pid => self.exit = Some(code),
                Ok(WaitStatus::Signaled(p, sig, _)) if p == self.pid => {
                    self.exit = Some(128 + sig as i32)
                }
                Ok(WaitStatus::StillAlive) | Err(_) => break,
                Ok(st) => {
                    // The network helper died (or was stopped): it is reaped.
                    if let Some(n) = &mut self.network {
                        if st.pid().map(Pid::as_raw) == n.helper_pid() {
                            n.helper_reaped();
                        }
                    }
                }
            }
        }
    }

    /// Runs until the container has exited and its output is drained.
    pub fn serve(&mut self) {
        let mut drain_deadline: Option<std::time::Instant> = None;
        loop {
            if self.exit.is_some() {
                let done = self.out.is_none() && self.err.is_none();
                let deadline = *drain_deadline.get_or_insert_with(|| {
                    std::time::Instant::now() + std::time::Duration::from_secs(2)
                });
                if done || std::time::Instant::now() > deadline {
                    break;
                }
            }
            self.poll_once();
        }
        self.finish();
    }

    /// Gives back the pages the last burst of work mapped.
    fn shrink(&mut self) {
        crate::runtime::resident::shrink();
        self.shrunk = true;
        self.first_shrink = None;
    }

    fn poll_once(&mut self) {
        // Order of the poll set: sigfd, out, err, listener, clients.
        let mut fds: Vec<PollFd> = Vec::new();
        let mut what: Vec<u8> = Vec::new();
        if let Some(s) = &self.sigfd {
            fds.push(PollFd::new(s.as_fd(), PollFlags::POLLIN));
            what.push(b's');
        }
        if let Some(f) = &self.out {
            fds.push(PollFd::new(f.as_fd(), PollFlags::POLLIN));
            what.push(b'o');
        }
        if let Some(f) = &self.err {
            fds.push(PollFd::new(f.as_fd(), PollFlags::POLLIN));
            what.push(b'e');
        }
        if let Some(l) = &self.listener {
            fds.push(PollFd::new(l.as_fd(), PollFlags::POLLIN));
            what.push(b'l');
        }
        for c in &self.clients {
            fds.push(PollFd::new(c.stream.as_fd(), PollFlags::POLLIN));
            what.push(b'c');
        }
        // Published ports relayed by the supervisor (rootless, user networks).
        if let Some(p) = self.bridge.as_ref().and_then(Bridge::proxy_ref) {
            for (fd, flags) in p.poll_set() {
                fds.push(PollFd::new(fd, flags));
                what.push(b'p');
            }
        }
        // Draining after the exit: short waits. Running: wake after a second
        // of quiet to shrink, then sleep until something happens, so an
        // idle supervisor touches no page at all.
        let timeout = match (self.exit.is_some(), self.shrunk) {
            (true, _) => PollTimeout::from(100u16),
            (false, false) => PollTimeout::from(1000u16),
            (false, true) => PollTimeout::NONE,
        };
        match poll(&mut fds, timeout) {
            Err(_) => return,
            Ok(0) => {
                // Idle: give back the pages the last burst of work mapped.
                if self.exit.is_none() && !self.shrunk {
                    self.shrink();
                }
                return;
            }
            Ok(_) => self.shrunk = false,
        }
        let ready: Vec<(u8, bool)> = fds
            .iter()
            .zip(&what)
            .map(|(f, w)| (*w, f.revents().is_some_and(|r| !r.is_empty())))
            .collect();
        let proxy_events: Vec<PollFlags> = fds
            .iter()
            .zip(&what)
            .filter(|(_, w)| **w == b'p')
            .map(|(f, _)| f.revents().unwrap_or(PollFlags::empty()))
            .collect();
        drop(fds);
        if self.exit.is_none()
            && self
                .first_shrink
                .is_some_and(|t| std::time::Instant::now() >= t)
        {
            self.shrink();
        }
        if proxy_events.iter().any(|e| !e.is_empty()) {
            if let Some(p) = self.bridge.as_mut().and_then(Bridge::proxy) {
                p.handle(&proxy_events);
            }
        }
        let mut client = 0;
        for (w, is_ready) in ready {
            match (w, is_ready) {
                (b's', true) => {
                    if let Some(s) = &self.sigfd {
                        while let Ok(Some(_)) = s.read_signal() {}
                    }
                    self.reap();
                }
                (b'o', true) => self.pump(false),
                (b'e', true) => self.pump(true),
                (b'l', true) => self.accept(),
                (b'c', r) => {
                    if r && !self.clients[client].gone && !self.client_input(client) {
                        self.clients[client].gone = true;
                    }
                    client += 1;
                }
                _ => {}
            }
        }
        self.clients.retain(|c| !c.gone);
    }

    fn pump(&mut self, stderr: bool) {
        let mut buf = [0u8; 65536];
        let file = if stderr { &mut self.err } else { &mut self.out };
        let n = match file.as_mut().map(|f| f.read(&mut buf)) {
            Some(Ok(n)) => n,
            Some(Err(e)) if e.kind() == ErrorKind::Interrupted => return,
            _ => 0,
        };
        if n == 0 {
            *file = None;
            return;
        }
        self.log.write(stderr, &buf[..n]);
        let kind = if stderr {
            protocol::STDERR
        } else {
            protocol::STDOUT
        };
        for c in self.clients.iter_mut().filter(|c| c.output && !c.gone) {
            c.gone = write_frame(&mut c.stream, kind, &buf[..n]).is_err();
        }
    }

    fn accept(&mut self) {
        if let Some(Ok((stream, _))) = self.listener.as_ref().map(|l| l.accept()) {
            self.clients.push(Client {
                stream,
                output: false,
                gone: false,
            });
        }
    }

    /// Handles one frame from client `i`; false when the client is gone.
    fn client_input(&mut self, i: usize) -> bool {
        let frame = read_frame(&mut self.clients[i].stream);
        match frame {
            Ok(Some((protocol::HELLO, mode))) => {
                self.clients[i].output = mode.starts_with(b"attach");
                true
            }
            Ok(Some((protocol::STDIN, data))) => {
                if let Some(f) = &mut self.stdin {
                    if f.write_all(&data).is_err() {
                        self.stdin = None;
                    }
                }
                true
            }
            Ok(Some((protocol::STDIN_EOF, _))) => {
                // A terminal has no end of input; closing it would hang up.
                if self.pty.is_none() {
                    self.stdin = None;
                }
                true
            }
            Ok(Some((protocol::NETWORKS, _))) => {
                let answer = self.reconcile_networks();
                let _ = write_frame(
                    &mut self.clients[i].stream,
                    protocol::NETWORKS_DONE,
                    answer.err().unwrap_or_default().as_bytes(),
                );
                true
            }
            Ok(Some((protocol::RESIZE, size))) => {
                let text = String::from_utf8_lossy(&size);
                let mut it = text
                    .split_whitespace()
                    .filter_map(|n| n.parse::<u16>().ok());
                if let (Some(pty), Some(rows), Some(cols)) = (&self.pty, it.next(), it.next()) {
                    let _ = crate::runtime::sys::set_window_size(pty, rows, cols);
                }
                true
            }
            Ok(Some(_)) => true,
            Ok(None) | Err(_) => false,
        }
    }

    /// `network connect`/`disconnect` of the running container: the
    /// record says which user-defined networks it wants.
    fn reconcile_networks(&mut self) -> Result<(), String> {
        let Some(bridge) = &mut self.bridge else {
            return Err("the container is not on a user-defined network".into());
        };
        let rec = self
            .store
            .read_container(&self.rec.id)
            .map_err(|e| e.to_string())?;
        let result = bridge.reconcile(self.store, &rec);
        let (net, endpoints) = bridge.state();
        let mut state = self.store.read_state(&rec.id).map_err(|e| e.to_string())?;
        state.network = Some(net);
        state.endpoints = endpoints;
        self.store
            .write_state(&rec.id, &state)
            .map_err(|e| e.to_string())?;
        self.rec = rec;
        result
    }

    fn finish(&mut self) {
        self.log.flush();
        let code = self.exit.unwrap_or(137);
        let id = self.rec.id.clone();
        // The ports are free once the container is seen exited.
        if let Some(n) = &mut self.network {
            n.stop();
        }
        let mut state = self.store.read_state(&id).unwrap_or_default();
        state.status = Status::Exited;
        state.exit_code = code;
        state.pid = 0;
        state.network = None;
        state.endpoints.clear();
        state.finished_at = crate::engine::now_rfc3339();
        let _ = self.store.write_state(&id, &state);
        let runtime = self.rec.host_config.runtime.as_str();
        if external::is_external(runtime) {
            let root = external::state_root(&self.settings.runroot, runtime);
            let _ = external::delete_external(runtime, &id, &root);
        }
        if self.rec.host_config.auto_remove {
            let _ = crate::engine::container::remove::delete_files(
                self.store,
                self.settings,
                &self.rec,
            );
        }
        let _ = fs::remove_file(&self.sock);
        let text = code.to_string();
        for c in &mut self.clients {
            let _ = write_frame(&mut c.stream, protocol::EXIT, text.as_bytes());
        }
        // User-defined networks last: netavark's teardown (DNS entry,
        // firewall rules, the bridge when it empties) takes longer than
        // the container's whole run; nobody waits for it. The addresses
        // stay leased until it is done (the container's next start, or
        // `network rm`, waits for that).
        self.clients.clear();
        if let Some(b) = &mut self.bridge {
            b.stop();
        }
    }
}

/// The container's stdio: pipes, or a pseudo-terminal for `-t`.
struct ContainerIo {
    /// What the container gets as fds 0, 1, 2.
    child: [OwnedFd; 3],
    out: File,
    err: Option<File>,
    stdin: Option<File>,
    pty: Option<File>,
    /// `-i`: the container's stdin is attached.
    wants_stdin: bool,
}

impl ContainerIo {
    fn new(tty: bool, open_stdin: bool) -> nix::Result<ContainerIo> {
        let null = || {
            nix::fcntl::open(
                "/dev/null",
                OFlag::O_RDWR | OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )
        };
        if tty {
            // The runtime opens the terminal inside the container and hands
            // back its master (see `Supervisor::start`); until then stdio
            // is /dev/null.
            return Ok(ContainerIo {
                child: [null()?, null()?, null()?],
                out: File::from(null()?),
                err: None,
                stdin: None,
                pty: None,
                wants_stdin: open_stdin,
            });
        }
        let (out_r, out_w) = pipe2(OFlag::O_CLOEXEC)?;
        let (err_r, err_w) = pipe2(OFlag::O_CLOEXEC)?;
        let (stdin_child, stdin): (OwnedFd, Option<File>) = if open_stdin {
            let (r, w) = pipe2(OFlag::O_CLOEXEC)?;
            (r, Some(File::from(w)))
        } else {
            let null = nix::fcntl::open(
                "/dev/null",
                OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                nix::sys::stat::Mode::empty(),
            )?;
            (null, None)
        };
        Ok(ContainerIo {
            child: [stdin_child, out_w, err_w],
            out: File::from(out_r),
            err: Some(File::from(err_r)),
            stdin,
            pty: None,
            wants_stdin: open_stdin,
        })
    }
}

fn bind(sock: &std::path::Path) -> Option<UnixListener> {
    if let Some(parent) = sock.parent() {
        let _ = fs::create_dir_all(parent);
    }
    let _ = fs::remove_file(sock);
    UnixListener::bind(sock).ok()
}
