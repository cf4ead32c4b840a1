//! The client side of attaching: relays the caller's stdin to the
//! container and its output to the caller's stdout/stderr, over the
//! supervisor's protocol, and returns the container's exit code.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::UnixStream;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::{SfdFlags, SignalFd};
use nix::sys::termios;

use super::super::{EngineError, Result};
use super::state::SignalTarget;
use crate::supervisor::protocol::{self, read_frame, write_frame};

/// Where attached output goes and input comes from.
pub struct AttachStreams {
    pub stdin: Option<OwnedFd>,
    /// `None`: that stream is not attached (`-a`).
    pub stdout: Option<OwnedFd>,
    pub stderr: Option<OwnedFd>,
    /// Forward SIGINT/SIGTERM/SIGHUP… received by kist to the container.
    pub proxy_signals_to: Option<SignalTarget>,
    /// The container has a terminal: raw mode, window size, detach keys.
    pub tty: bool,
    /// Typed on stdin, detaches (docker's default: ctrl-p ctrl-q).
    pub detach_keys: Vec<u8>,
}

/// How an attachment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttachEnd {
    Exited(i32),
    Detached,
    /// The supervisor went away without an exit code.
    Lost,
}

/// docker's `--detach-keys` format: `ctrl-p,ctrl-q`, `a,ctrl-@`.
pub fn parse_detach_keys(spec: &str) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    for key in spec.split(',') {
        let k = key.trim();
        let byte = match k.strip_prefix("ctrl-") {
            Some(c) if c.len() == 1 => {
                let c = c.as_bytes()[0].to_ascii_lowercase();
                match c {
                    b'a'..=b'z' => c - b'a' + 1,
                    b'@' => 0,
                    b'[' => 27,
                    b'\\' => 28,
                    b']' => 29,
                    b'^' => 30,
                    b'_' => 31,
                    _ => return Err(bad_keys(spec)),
                }
            }
            None if k.len() == 1 => k.as_bytes()[0],
            _ => return Err(bad_keys(spec)),
        };
        out.push(byte);
    }
    Ok(out)
}

fn bad_keys(spec: &str) -> EngineError {
    EngineError::Invalid(format!(
        "invalid detach keys {spec:?}\nhint: use a comma-separated list of single characters or ctrl-<letter>, such as ctrl-p,ctrl-q"
    ))
}

/// Puts a terminal in raw mode for as long as it lives.
struct RawMode {
    fd: OwnedFd,
    saved: termios::Termios,
}

impl RawMode {
    fn enter(fd: &OwnedFd) -> Option<RawMode> {
        let fd = fd.try_clone().ok()?;
        let saved = termios::tcgetattr(&fd).ok()?;
        let mut raw = saved.clone();
        termios::cfmakeraw(&mut raw);
        termios::tcsetattr(&fd, termios::SetArg::TCSANOW, &raw).ok()?;
        Some(RawMode { fd, saved })
    }
}

impl Drop for RawMode {
    fn drop(&mut self) {
        let _ = termios::tcsetattr(&self.fd, termios::SetArg::TCSANOW, &self.saved);
    }
}

/// Connects to a running container's supervisor socket.
pub fn connect(sock: &std::path::Path, mode: &str) -> Result<UnixStream> {
    let mut s = UnixStream::connect(sock).map_err(|source| EngineError::Io {
        action: "connect to",
        path: sock.display().to_string(),
        source,
    })?;
    write_frame(&mut s, protocol::HELLO, mode.as_bytes()).map_err(|source| EngineError::Io {
        action: "write to",
        path: sock.display().to_string(),
        source,
    })?;
    Ok(s)
}

fn send_size(writer: &mut UnixStream, fd: Option<&OwnedFd>) {
    if let Some((rows, cols)) = fd.and_then(crate::runtime::sys::window_size) {
        let _ = write_frame(
            writer,
            protocol::RESIZE,
            format!("{rows} {cols}").as_bytes(),
        );
    }
}

/// Waits until one of the descriptors present is readable (or closed);
/// readiness by slot, `false` for absent ones. `None` when interrupted.
fn wait_ready<const N: usize>(slots: [Option<std::os::fd::BorrowedFd>; N]) -> Option<[bool; N]> {
    let mut fds: Vec<PollFd> = slots
        .iter()
        .flatten()
        .map(|fd| PollFd::new(*fd, PollFlags::POLLIN))
        .collect();
    poll(&mut fds, PollTimeout::NONE).ok()?;
    let mut seen = fds
        .iter()
        .map(|f| f.revents().is_some_and(|r| !r.is_empty()));
    let mut ready = [false; N];
    for (slot, present) in ready.iter_mut().zip(&slots) {
        if present.is_some() {
            *slot = seen.next().unwrap_or(false);
        }
    }
    Some(ready)
}

/// Relays until the container exits or the user detaches.
pub fn relay(mut sock: UnixStream, io: AttachStreams) -> Result<AttachEnd> {
    let mut out = io
        .stdout
        .as_ref()
        .and_then(|f| f.try_clone().ok())
        .map(File::from);
    let mut err = io
        .stderr
        .as_ref()
        .and_then(|f| f.try_clone().ok())
        .map(File::from);
    let term_fd = io
        .stdin
        .as_ref()
        .filter(|f| nix::unistd::isatty(f).unwrap_or(false));
    let _raw = if io.tty {
        term_fd.and_then(RawMode::enter)
    } else {
        None
    };
    let size_fd = if io.tty {
        term_fd.or(io.stdout.as_ref())
    } else {
        None
    };
    let mut stdin = io
        .stdin
        .as_ref()
        .and_then(|f| f.try_clone().ok())
        .map(File::from);
    let mut writer = sock.try_clone().map_err(|source| EngineError::Io {
        action: "clone",
        path: "the attach socket".into(),
        source,
    })?;
    send_size(&mut writer, size_fd);
    let mut mask = SigSet::empty();
    if io.proxy_signals_to.is_some() {
        for s in [
            Signal::SIGINT,
            Signal::SIGTERM,
            Signal::SIGHUP,
            Signal::SIGQUIT,
            Signal::SIGUSR1,
            Signal::SIGUSR2,
        ] {
            mask.add(s);
        }
    }
    if size_fd.is_some() {
        mask.add(Signal::SIGWINCH);
    }
    let sigfd = (mask != SigSet::empty())
        .then(|| {
            mask.thread_block()
                .ok()
                .and_then(|_| SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC).ok())
        })
        .flatten();
    let mut matched = 0usize;
    loop {
        // Slots: the socket, our stdin, the signalfd.
        let Some(ready) = wait_ready([
            Some(sock.as_fd()),
            stdin.as_ref().map(|f| f.as_fd()),
            sigfd.as_ref().map(|f| f.as_fd()),
        ]) else {
            continue;
        };
        if ready[2] {
            if let Some(Ok(Some(info))) = sigfd.as_ref().map(|s| s.read_signal()) {
                let sig = Signal::try_from(info.ssi_signo as i32).ok();
                if sig == Some(Signal::SIGWINCH) {
                    send_size(&mut writer, size_fd);
                } else if let (Some(to), Some(sig)) = (&io.proxy_signals_to, sig) {
                    let _ = to.send(sig);
                }
            }
        }
        if ready[1] {
            let mut buf = [0u8; 32768];
            let n = stdin
                .as_mut()
                .map(|s| s.read(&mut buf))
                .unwrap_or(Ok(0))
                .unwrap_or(0);
            if n == 0 {
                stdin = None;
                let _ = write_frame(&mut writer, protocol::STDIN_EOF, b"");
            } else {
                let mut data = &buf[..n];
                // docker detaches on the keys only with a terminal: piped
                // input is data.
                if io.tty && !io.detach_keys.is_empty() {
                    for (i, b) in buf[..n].iter().enumerate() {
                        matched = if *b == io.detach_keys[matched] {
                            matched + 1
                        } else {
                            usize::from(*b == io.detach_keys[0])
                        };
                        if matched == io.detach_keys.len() {
                            // What was typed before the keys still goes in.
                            let keep = (i + 1).saturating_sub(io.detach_keys.len());
                            let _ = write_frame(&mut writer, protocol::STDIN, &buf[..keep]);
                            return Ok(AttachEnd::Detached);
                        }
                    }
                    data = &buf[..n];
                }
                let _ = write_frame(&mut writer, protocol::STDIN, data);
            }
        }
        if ready[0] {
            match read_frame(&mut sock) {
                Ok(Some((protocol::STDOUT, data))) => {
                    if let Some(o) = &mut out {
                        let _ = o.write_all(&data);
                    }
                }
                Ok(Some((protocol::STDERR, data))) => {
                    if let Some(e) = &mut err {
                        let _ = e.write_all(&data);
                    }
                }
                Ok(Some((protocol::EXIT, code))) => {
                    return Ok(match String::from_utf8_lossy(&code).trim().parse() {
                        Ok(c) => AttachEnd::Exited(c),
                        Err(_) => AttachEnd::Lost,
                    });
                }
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => return Ok(AttachEnd::Lost),
            }
        }
    }
}

/// A running container to attach to: the connected socket and what the
/// relay needs to know.
pub struct Attached {
    pub sock: UnixStream,
    pub tty: bool,
    pub open_stdin: bool,
    pub signals: SignalTarget,
}

/// `kist attach`: connects to the supervisor of a running container.
pub fn attach(
    store: &crate::store::Store,
    settings: &crate::config::Settings,
    query: &str,
) -> Result<Attached> {
    let id = store.find_container(query)?;
    let state = super::state::current(store, settings, &id)?;
    if state.status != crate::store::containers::Status::Running {
        return Err(EngineError::Conflict(format!(
            "you cannot attach to a stopped container, start it first: {query}"
        )));
    }
    let rec = store.read_container(&id)?;
    let sock = connect(
        &crate::supervisor::socket_path(&settings.runroot, &id),
        "attach",
    )?;
    Ok(Attached {
        sock,
        tty: rec.config.tty,
        open_stdin: rec.config.open_stdin,
        signals: SignalTarget::of(settings, &rec, state.pid),
    })
}

/// Relays a local terminal to a pty master (`exec -t`) until the other side
/// closes: keys in raw mode, window size at start and on SIGWINCH.
pub fn relay_terminal(master: OwnedFd, stdin: Option<OwnedFd>, stdout: Option<OwnedFd>) {
    let term = stdin
        .as_ref()
        .filter(|f| nix::unistd::isatty(f).unwrap_or(false));
    let _raw = term.and_then(RawMode::enter);
    let size_of = term.or(stdout.as_ref());
    let resize = |master: std::os::fd::BorrowedFd| {
        if let Some((rows, cols)) = size_of.and_then(crate::runtime::sys::window_size) {
            let _ = crate::runtime::sys::set_window_size(master, rows, cols);
        }
    };
    resize(master.as_fd());
    let mut mask = SigSet::empty();
    mask.add(Signal::SIGWINCH);
    let sigfd = mask
        .thread_block()
        .ok()
        .and_then(|_| SignalFd::with_flags(&mask, SfdFlags::SFD_CLOEXEC).ok());
    let mut input = stdin
        .as_ref()
        .and_then(|f| f.try_clone().ok())
        .map(File::from);
    let mut output = stdout
        .as_ref()
        .and_then(|f| f.try_clone().ok())
        .map(File::from);
    let mut pty = File::from(master);
    loop {
        // Slots: the pty master, our stdin, the signalfd.
        let Some(ready) = wait_ready([
            Some(pty.as_fd()),
            input.as_ref().map(|f| f.as_fd()),
            sigfd.as_ref().map(|f| f.as_fd()),
        ]) else {
            continue;
        };
        if ready[2] {
            if let Some(s) = &sigfd {
                let _ = s.read_signal();
            }
            resize(pty.as_fd());
        }
        if ready[1] {
            let mut buf = [0u8; 32768];
            match input.as_mut().map(|i| i.read(&mut buf)) {
                Some(Ok(n)) if n > 0 => {
                    let _ = pty.write_all(&buf[..n]);
                }
                _ => input = None,
            }
        }
        if ready[0] {
            let mut buf = [0u8; 32768];
            match pty.read(&mut buf) {
                // EIO: every process holding the terminal has ended.
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if let Some(o) = &mut output {
                        let _ = o.write_all(&buf[..n]);
                    }
                }
            }
        }
    }
}
