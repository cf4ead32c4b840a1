//! Thin wrappers for the few syscalls nix does not cover: extended
//! attributes, interface flags, terminal ioctls.

use std::ffi::CString;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::errno::Errno;
use nix::libc;

fn cpath(path: &Path) -> nix::Result<CString> {
    CString::new(path.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL)
}

fn cname(name: &str) -> nix::Result<CString> {
    CString::new(name).map_err(|_| Errno::EINVAL)
}

/// `lsetxattr(2)`: sets an extended attribute without following a final symlink.
pub fn lsetxattr(path: &Path, name: &str, value: &[u8]) -> nix::Result<()> {
    let p = cpath(path)?;
    let n = cname(name)?;
    // SAFETY: `p` and `n` are valid NUL-terminated strings and `value` is a valid
    // slice for `value.len()` bytes; all outlive the call.
    let res = unsafe {
        libc::lsetxattr(
            p.as_ptr(),
            n.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    Errno::result(res).map(drop)
}

/// `fsetxattr(2)`: sets an extended attribute on an open file.
pub fn fsetxattr<Fd: AsFd>(fd: Fd, name: &str, value: &[u8]) -> nix::Result<()> {
    let n = cname(name)?;
    // SAFETY: the fd is borrowed and valid for the call, `n` is NUL-terminated and
    // `value` is valid for `value.len()` bytes.
    let res = unsafe {
        libc::fsetxattr(
            fd.as_fd().as_raw_fd(),
            n.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    Errno::result(res).map(drop)
}

/// `lgetxattr(2)`: reads an extended attribute without following a final symlink.
#[cfg(test)]
pub fn lgetxattr(path: &Path, name: &str) -> nix::Result<Vec<u8>> {
    let p = cpath(path)?;
    let n = cname(name)?;
    loop {
        // SAFETY: a NULL buffer with size 0 asks only for the value's length.
        let len = unsafe { libc::lgetxattr(p.as_ptr(), n.as_ptr(), std::ptr::null_mut(), 0) };
        let len = Errno::result(len)? as usize;
        let mut buf = vec![0u8; len];
        // SAFETY: `buf` is writable for `buf.len()` bytes and outlives the call.
        let got =
            unsafe { libc::lgetxattr(p.as_ptr(), n.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        match Errno::result(got) {
            Ok(got) => {
                buf.truncate(got as usize);
                return Ok(buf);
            }
            Err(Errno::ERANGE) => continue, // value grew in between; retry
            Err(e) => return Err(e),
        }
    }
}

/// `llistxattr(2)`: lists extended attribute names without following a final symlink.
#[cfg(test)]
pub fn llistxattr(path: &Path) -> nix::Result<Vec<String>> {
    let p = cpath(path)?;
    loop {
        // SAFETY: a NULL buffer with size 0 asks only for the list's length.
        let len = unsafe { libc::llistxattr(p.as_ptr(), std::ptr::null_mut(), 0) };
        let len = Errno::result(len)? as usize;
        let mut buf = vec![0u8; len];
        // SAFETY: `buf` is writable for `buf.len()` bytes and outlives the call.
        let got = unsafe { libc::llistxattr(p.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        match Errno::result(got) {
            Ok(got) => {
                buf.truncate(got as usize);
                return Ok(buf
                    .split(|&b| b == 0)
                    .filter(|s| !s.is_empty())
                    .map(|s| String::from_utf8_lossy(s).into_owned())
                    .collect());
            }
            Err(Errno::ERANGE) => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Brings the loopback interface of the current network namespace up
/// (a new namespace starts with `lo` down; docker's containers have it up).
pub fn loopback_up() -> nix::Result<()> {
    use nix::sys::socket::{socket, AddressFamily, SockFlag, SockType};
    use std::os::fd::AsRawFd;
    let sock = socket(
        AddressFamily::Inet,
        SockType::Datagram,
        SockFlag::SOCK_CLOEXEC,
        None,
    )?;
    // SAFETY: ifreq is a plain C struct for which all-zero bytes is valid.
    let mut req: libc::ifreq = unsafe { std::mem::zeroed() };
    req.ifr_name[0] = b'l' as libc::c_char;
    req.ifr_name[1] = b'o' as libc::c_char;
    // SAFETY: SIOCGIFFLAGS reads the flags of the interface named in `req`
    // into `req`, which lives for the whole call.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCGIFFLAGS, &mut req) } < 0 {
        return Err(nix::Error::last());
    }
    // SAFETY: after SIOCGIFFLAGS the union holds the flags member.
    unsafe { req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short };
    // SAFETY: SIOCSIFFLAGS reads `req`, valid for the whole call.
    if unsafe { libc::ioctl(sock.as_raw_fd(), libc::SIOCSIFFLAGS, &req) } < 0 {
        return Err(nix::Error::last());
    }
    Ok(())
}

/// The window size of a terminal: `(rows, cols)`.
pub fn window_size<Fd: AsFd>(fd: Fd) -> Option<(u16, u16)> {
    // SAFETY: winsize is a plain C struct; all-zero is valid.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    // SAFETY: TIOCGWINSZ writes a winsize into `ws`, valid for the call.
    let r = unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_row > 0).then_some((ws.ws_row, ws.ws_col))
}

/// Sets the window size of a terminal (the pty master of a container).
pub fn set_window_size<Fd: AsFd>(fd: Fd, rows: u16, cols: u16) -> nix::Result<()> {
    let ws = libc::winsize {
        ws_row: rows,
        ws_col: cols,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: TIOCSWINSZ reads the winsize `ws`, valid for the call.
    Errno::result(unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::TIOCSWINSZ, &ws) }).map(drop)
}

/// Makes the terminal on `fd` the controlling terminal of the calling
/// process, which must be a session leader without one.
pub fn set_controlling_tty<Fd: AsFd>(fd: Fd) -> nix::Result<()> {
    // SAFETY: TIOCSCTTY takes an int argument (0: do not steal).
    Errno::result(unsafe { libc::ioctl(fd.as_fd().as_raw_fd(), libc::TIOCSCTTY, 0) }).map(drop)
}

/// Restores the default SIGPIPE disposition (Rust ignores it): a kist
/// whose output pipe closed (`kist ps | head -1`) ends quietly, as Unix
/// tools do, instead of failing on EPIPE.
pub fn default_sigpipe() {
    // SAFETY: SIG_DFL installs no handler; called first thing in main,
    // while the process is single-threaded.
    let _ = unsafe {
        nix::sys::signal::signal(
            nix::sys::signal::Signal::SIGPIPE,
            nix::sys::signal::SigHandler::SigDfl,
        )
    };
}

/// Closes every descriptor from 3 up except `keep`: a long-lived process
/// (the supervisor) must not hold what its caller happened to leave open.
pub fn close_fds_except(keep: &[std::os::fd::RawFd]) {
    let fds: Vec<i32> = std::fs::read_dir("/proc/self/fd")
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| e.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    for fd in fds.into_iter().filter(|fd| *fd > 2 && !keep.contains(fd)) {
        // SAFETY: closes a descriptor this process inherited and does not
        // use (the read_dir handle itself is already gone: close fails
        // harmlessly with EBADF).
        unsafe { libc::close(fd) };
    }
}

/// Prepares `cmd` to start a helper of the calling process (the
/// supervisor's network helper): it gets SIGKILL when the thread that
/// spawned it ends. (Both helpers ignore SIGPIPE themselves, so their
/// writes to a stderr nobody reads any more fail quietly; pasta refuses to
/// start if SIGPIPE is ignored already.)
pub fn helper_process(cmd: &mut std::process::Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs in the forked child before exec and makes
    // one prctl system call (async-signal-safe); it touches no memory the
    // parent's other threads could have left locked.
    unsafe {
        cmd.pre_exec(|| {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL as libc::c_ulong) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        })
    };
}

/// Sends one byte over a unix socket, with `fd` (SCM_RIGHTS) when given.
pub fn send_fd(
    sock: &std::os::unix::net::UnixStream,
    fd: Option<BorrowedFd<'_>>,
) -> nix::Result<()> {
    use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
    let fds = fd.map(|f| [f.as_raw_fd()]);
    let cmsgs: Vec<ControlMessage> = fds.iter().map(|f| ControlMessage::ScmRights(f)).collect();
    let iov = [std::io::IoSlice::new(b"f")];
    sendmsg::<()>(sock.as_raw_fd(), &iov, &cmsgs, MsgFlags::empty(), None).map(drop)
}

/// Receives a message of `send_fd` (or of an OCI runtime's console
/// socket): the descriptor, if one came with it. Blocks.
pub fn recv_fd(sock: &std::os::unix::net::UnixStream) -> nix::Result<Option<OwnedFd>> {
    use nix::sys::socket::{recvmsg, ControlMessageOwned, MsgFlags};
    let mut payload = [0u8; 4096];
    let mut iov = [std::io::IoSliceMut::new(&mut payload)];
    let mut space = nix::cmsg_space!([std::os::fd::RawFd; 1]);
    let msg = recvmsg::<()>(
        sock.as_raw_fd(),
        &mut iov,
        Some(&mut space),
        MsgFlags::MSG_CMSG_CLOEXEC,
    )?;
    if msg.bytes == 0 {
        return Err(nix::errno::Errno::ECONNRESET);
    }
    let mut fds = Vec::new();
    for c in msg.cmsgs()? {
        if let ControlMessageOwned::ScmRights(list) = c {
            fds.extend(list);
        }
    }
    // SAFETY: SCM_RIGHTS just installed these descriptors in our table;
    // nothing else refers to them. All but the first are closed.
    let mut owned = fds
        .into_iter()
        .map(|fd| unsafe { OwnedFd::from_raw_fd(fd) });
    Ok(owned.next())
}
