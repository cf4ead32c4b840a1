//! Child side of the built-in runtime: everything between clone and exec.
//!
//! The child is a fork-like copy of the single-threaded supervisor. It works
//! from a [`Plan`] computed before clone (C strings, mount operations, PATH
//! candidates), so that it allocates little and only does syscalls. Errors
//! travel back to the parent over a CLOEXEC pipe; EOF means exec succeeded.

use std::convert::Infallible;
use std::ffi::{CStr, CString};
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::panic::AssertUnwindSafe;

use nix::errno::Errno;
use nix::fcntl::{open, OFlag};
use nix::libc;
use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, CloneFlags};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::stat::Mode;
use nix::unistd::{chdir, execve, fchdir, mkdir, pivot_root, setresgid, setresuid, Gid, Uid};

use super::caps::{self, CapSets};
use super::container::SpawnError;
use super::mounts::{self, fail, MountOp};

const NONE: Option<&CStr> = None;

/// Docker's PATH when `process.env` has none.
pub(crate) const DEFAULT_PATH: &str =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/// How the overlay rootfs gets mounted.
pub(crate) enum OverlayMount {
    /// mount(2) with this data; its paths are relative to `dir` when set.
    Data { dir: Option<CString>, data: CString },
    /// More layers than one page of mount data holds: fsconfig per layer.
    Layers {
        lower: Vec<CString>,
        upper: CString,
        work: CString,
        userxattr: bool,
    },
    /// fuse-overlayfs (its binary, its `-o` options), stderr to `log`.
    Fuse {
        bin: std::path::PathBuf,
        options: String,
        log: std::path::PathBuf,
    },
    /// A private copy of the layers (bottom first) in the rootfs, made
    /// once (`marker`), then bound onto itself.
    Vfs {
        layers: Vec<std::path::PathBuf>,
        marker: std::path::PathBuf,
    },
}

/// Everything the child needs, computed by the parent before clone.
pub(crate) struct Plan {
    /// Where to send the master of the pty the container opens for itself.
    pub console: Option<OwnedFd>,
    /// A byte arrives here when the container's network is up (a helper
    /// connected its namespace); read just before exec.
    pub net_ready: Option<OwnedFd>,
    /// Run a minimal init as pid 1 (`--init`).
    pub init: bool,
    pub clone_flags: CloneFlags,
    /// In a new user namespace (ids set to 0 after the parent wrote the maps).
    pub rootless: bool,
    /// setgroups(2) is allowed (root, or maps written by newgidmap).
    pub setgroups: bool,
    /// Existing namespaces to join (net, ipc, uts).
    pub join: Vec<(OwnedFd, CloneFlags)>,
    /// Host path of the container's root.
    pub rootfs: CString,
    pub overlay: Option<OverlayMount>,
    pub mounts: Vec<MountOp>,
    pub devices: Vec<DevNode>,
    pub hostname: Option<String>,
    pub readonly_paths: Vec<CString>,
    pub masked_paths: Vec<CString>,
    pub root_readonly: bool,
    pub cwd: CString,
    pub rlimits: Vec<(Resource, u64, u64)>,
    pub caps: Option<CapSets>,
    pub uid: u32,
    pub gid: u32,
    pub groups: Vec<Gid>,
    pub umask: Option<u32>,
    pub no_new_privs: bool,
    pub oom_score_adj: Option<i32>,
    /// The compiled `linux.seccomp` filter, if any.
    pub seccomp: Option<seccompiler::BpfProgram>,
    pub arg0: String,
    pub args: Vec<CString>,
    pub env: Vec<CString>,
    /// Paths to try in order for args[0] (PATH search from `process.env`).
    pub candidates: Vec<CString>,
    pub stdio: [OwnedFd; 3],
}

/// The paths an exec of `arg0` tries, in order, using the PATH of `env`.
pub(crate) fn exec_candidates(arg0: &str, env: &[String]) -> Vec<String> {
    if arg0.contains('/') {
        return vec![arg0.to_string()];
    }
    if arg0.is_empty() {
        return Vec::new();
    }
    let path = env
        .iter()
        .rev()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or(DEFAULT_PATH);
    path.split(':')
        .map(|dir| match dir {
            "" => arg0.to_string(),
            d => format!("{}/{arg0}", d.trim_end_matches('/')),
        })
        .collect()
}

/// Child entry point: never returns; exits 125/126/127 after reporting.
pub(crate) fn child_main(plan: &Plan, err: OwnedFd, go: Option<OwnedFd>) -> ! {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| run(plan, go, &err)));
    let e = match result {
        Ok(Ok(never)) => match never {},
        Ok(Err(e)) => e,
        Err(_) => SpawnError::Setup("panic in the container's set-up".into()),
    };
    let (msg, code) = encode(&e);
    // A short message (< PIPE_BUF) on a pipe is written at once, or not at all.
    let _ = nix::unistd::write(&err, &msg);
    // SAFETY: _exit ends this forked copy without running the parent's
    // atexit handlers or flushing its buffers a second time.
    unsafe { libc::_exit(code) }
}

pub(crate) fn encode(e: &SpawnError) -> (Vec<u8>, i32) {
    match e {
        SpawnError::NotFound(n) => ([b"N", n.as_bytes()].concat(), 127),
        SpawnError::CannotExecute { path, reason } => (
            [b"C", path.as_bytes(), b"\0", reason.as_bytes()].concat(),
            126,
        ),
        SpawnError::Setup(m) => ([b"S", m.as_bytes()].concat(), 125),
    }
}

/// The parent's reading of a non-empty error report.
pub(crate) fn decode(buf: &[u8]) -> SpawnError {
    let text = |b: &[u8]| String::from_utf8_lossy(b).into_owned();
    match buf.split_first() {
        Some((b'N', rest)) => SpawnError::NotFound(text(rest)),
        Some((b'C', rest)) => {
            let i = rest.iter().position(|&b| b == 0).unwrap_or(rest.len());
            SpawnError::CannotExecute {
                path: text(&rest[..i]),
                reason: text(rest.get(i + 1..).unwrap_or_default()),
            }
        }
        Some((_, rest)) => SpawnError::Setup(text(rest)),
        None => SpawnError::Setup("no report from the container".into()),
    }
}

fn setup(what: impl std::fmt::Display, e: Errno) -> SpawnError {
    SpawnError::Setup(format!("{what}: {e}"))
}

fn run(plan: &Plan, go: Option<OwnedFd>, err: &OwnedFd) -> Result<Infallible, SpawnError> {
    if let Some(go) = go {
        let mut b = [0u8; 1];
        if nix::unistd::read(&go, &mut b) != Ok(1) {
            // The parent could not map us and reports that itself.
            // SAFETY: as in child_main.
            unsafe { libc::_exit(125) }
        }
    }
    caps::setup_stdio(&plan.stdio)?;
    caps::reset_signals();
    if plan.rootless {
        let (g, u) = (Gid::from_raw(0), Uid::from_raw(0));
        setresgid(g, g, g).map_err(|e| setup("setresgid 0", e))?;
        setresuid(u, u, u).map_err(|e| setup("setresuid 0", e))?;
    }
    for (fd, flag) in &plan.join {
        setns(fd, *flag).map_err(|e| setup(format!("join namespace {flag:?}"), e))?;
    }
    if plan.clone_flags.contains(CloneFlags::CLONE_NEWNET) {
        crate::runtime::sys::loopback_up()
            .map_err(|e| setup("bring up the loopback interface", e))?;
    }
    let private = MsFlags::MS_REC | MsFlags::MS_PRIVATE;
    mount(NONE, c"/", NONE, private, NONE).map_err(|e| setup("make / rprivate", e))?;
    let root = mount_rootfs(plan)?;
    for m in &plan.mounts {
        mounts::mount_one(root.as_fd(), m)?;
    }
    setup_dev(root.as_fd(), &plan.devices)?;
    if let Some(h) = &plan.hostname {
        nix::unistd::sethostname(h).map_err(|e| setup(format!("sethostname {h}"), e))?;
    }
    fchdir(&root).map_err(|e| setup("chdir to the rootfs", e))?;
    pivot_root(c".", c".").map_err(|e| setup("pivot_root", e))?;
    umount2(c".", MntFlags::MNT_DETACH).map_err(|e| setup("detach the old root", e))?;
    chdir(c"/").map_err(|e| setup("chdir /", e))?;
    drop(root);
    // Before any read-only remount: the cwd may have to be created (runc does).
    enter_cwd(&plan.cwd)?;
    if let Some(sock) = &plan.console {
        open_console(sock)?;
    }
    readonly_paths(&plan.readonly_paths)?;
    masked_paths(&plan.masked_paths)?;
    if plan.root_readonly {
        mounts::set_attrs(libc::AT_FDCWD, c"/", 0, mounts::ATTR_RDONLY)
            .map_err(|e| setup("remount / read-only", e))?;
    }
    if let Some(adj) = plan.oom_score_adj {
        caps::set_oom_score_adj(adj, plan.rootless)?;
    }
    for (res, soft, hard) in &plan.rlimits {
        setrlimit(*res, *soft, *hard).map_err(|e| setup(format!("setrlimit {res:?}"), e))?;
    }
    // Without no_new_privs a filter can only be installed while we still
    // hold CAP_SYS_ADMIN (in our user namespace): before the user switch, as
    // runc does. The profile allows what follows (setgroups, setresuid,
    // capset, prctl).
    if !plan.no_new_privs {
        install_seccomp(plan.seccomp.as_ref(), false)?;
    }
    let groups = plan.setgroups.then_some(plan.groups.as_slice());
    caps::switch_user(plan.caps.as_ref(), plan.uid, plan.gid, groups).map_err(SpawnError::Setup)?;
    // A change of uid makes the process non-dumpable until it execs: its
    // /proc/PID/ns files become root's, so pasta (connecting the network
    // below) and `kist exec` (joining an --init container, which never
    // execs) could not open them. runc sets it back too.
    nix::sys::prctl::set_dumpable(true).map_err(|e| setup("set dumpable", e))?;
    if let Some(m) = plan.umask {
        nix::sys::stat::umask(Mode::from_bits_truncate(m));
    }
    if plan.no_new_privs {
        nix::sys::prctl::set_no_new_privs().map_err(|e| setup("no_new_privs", e))?;
    }
    if plan.no_new_privs {
        install_seccomp(plan.seccomp.as_ref(), true)?;
    }
    if let Some(fd) = &plan.net_ready {
        let mut b = [0u8; 1];
        if nix::unistd::read(fd, &mut b) != Ok(1) {
            // The network could not be set up: the parent reports why.
            // SAFETY: as in child_main.
            unsafe { libc::_exit(125) }
        }
    }
    // The container dies with its supervisor (set last: a change of
    // credentials clears it).
    nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL)
        .map_err(|e| setup("set the parent-death signal", e))?;
    if plan.init {
        run_as_init(err)?;
    }
    exec(plan)
}

/// Opens a pty in the container's own devpts, makes its slave our stdio and
/// controlling terminal, and sends the master to the runtime.
pub(crate) fn open_console(sock: &OwnedFd) -> Result<(), SpawnError> {
    use nix::pty::{grantpt, posix_openpt, ptsname_r, unlockpt};
    use nix::sys::socket::{sendmsg, ControlMessage, MsgFlags};
    let master = posix_openpt(OFlag::O_RDWR | OFlag::O_NOCTTY | OFlag::O_CLOEXEC)
        .map_err(|e| setup("open /dev/ptmx", e))?;
    grantpt(&master).map_err(|e| setup("grantpt", e))?;
    unlockpt(&master).map_err(|e| setup("unlockpt", e))?;
    let name = ptsname_r(&master).map_err(|e| setup("ptsname", e))?;
    let slave = open(
        name.as_str(),
        OFlag::O_RDWR | OFlag::O_NOCTTY,
        Mode::empty(),
    )
    .map_err(|e| setup(format!("open {name}"), e))?;
    for fd in 0..3 {
        // SAFETY: dup2 onto the standard descriptors, which the container
        // is meant to get; `slave` stays valid for the call.
        Errno::result(unsafe { libc::dup2(slave.as_raw_fd(), fd) })
            .map_err(|e| setup(format!("set up fd {fd} on {name}"), e))?;
    }
    drop(slave);
    nix::unistd::setsid().map_err(|e| setup("setsid", e))?;
    crate::runtime::sys::set_controlling_tty(std::io::stdin())
        .map_err(|e| setup("make the terminal the controlling terminal", e))?;
    let fds = [master.as_raw_fd()];
    let iov = [std::io::IoSlice::new(name.as_bytes())];
    sendmsg::<()>(
        sock.as_raw_fd(),
        &iov,
        &[ControlMessage::ScmRights(&fds)],
        MsgFlags::empty(),
        None,
    )
    .map_err(|e| setup("send the terminal to the supervisor", e))?;
    Ok(())
}

/// `--init`: forks; the child returns to exec the command, this process
/// stays as the container's pid 1, reaps every process that ends up its
/// child, forwards the signals it gets to the command, and exits as the
/// command did. Never returns in the parent.
fn run_as_init(err: &OwnedFd) -> Result<(), SpawnError> {
    use nix::sys::signal::{kill, SigSet, Signal};
    use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
    use nix::unistd::{fork, ForkResult, Pid};
    let all = SigSet::all();
    all.thread_block()
        .map_err(|e| setup("block signals for the init", e))?;
    // SAFETY: this process is single-threaded (the runtime's clone child),
    // so the forked child may run any code.
    match unsafe { fork() }.map_err(|e| setup("fork the init's child", e))? {
        ForkResult::Child => {
            all.thread_unblock()
                .map_err(|e| setup("unblock signals", e))?;
            Ok(())
        }
        ForkResult::Parent { child } => {
            // Only the command reports exec errors; our copy must close so
            // the runtime sees the end of the report pipe. The init never
            // execs, so close-on-exec does not apply: close everything but
            // stdio ourselves.
            let _ = nix::unistd::close(err.as_raw_fd());
            // SAFETY: closes this process's descriptors from 3 up; none is
            // used again by the init loop.
            unsafe { libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 0u32) };
            loop {
                match all.wait() {
                    Ok(Signal::SIGCHLD) => loop {
                        let code = match waitpid(Pid::from_raw(-1), Some(WaitPidFlag::WNOHANG)) {
                            Ok(WaitStatus::Exited(p, c)) if p == child => c,
                            Ok(WaitStatus::Signaled(p, s, _)) if p == child => 128 + s as i32,
                            Ok(WaitStatus::StillAlive) | Err(_) => break,
                            Ok(_) => continue,
                        };
                        // SAFETY: ends pid 1 at once; nothing to flush.
                        unsafe { libc::_exit(code) }
                    },
                    Ok(sig) => {
                        let _ = kill(child, sig);
                    }
                    Err(_) => {}
                }
            }
        }
    }
}

/// Installs a container's seccomp filter (compiled by the parent); also
/// used by exec.
pub(crate) fn install_seccomp(
    prog: Option<&seccompiler::BpfProgram>,
    no_new_privs: bool,
) -> Result<(), SpawnError> {
    let Some(prog) = prog else {
        return Ok(());
    };
    let result = if no_new_privs {
        super::seccomp::install(prog)
    } else {
        super::seccomp::install_keep_privileges(prog)
    };
    result.map_err(|e| SpawnError::Setup(format!("install the seccomp filter: {e}")))
}

fn mount_rootfs(plan: &Plan) -> Result<OwnedFd, SpawnError> {
    let shown = || plan.rootfs.to_string_lossy().into_owned();
    match &plan.overlay {
        Some(OverlayMount::Data { dir, data }) => {
            if let Some(dir) = dir {
                chdir(dir.as_c_str()).map_err(|e| setup(format!("chdir {dir:?}"), e))?;
            }
            let (fs, target) = (Some(c"overlay"), plan.rootfs.as_c_str());
            mount(fs, target, fs, MsFlags::empty(), Some(data.as_c_str()))
                .map_err(|e| setup(format!("mount overlay on {}", shown()), e))?;
        }
        Some(OverlayMount::Layers {
            lower,
            upper,
            work,
            userxattr,
        }) => {
            mounts::overlay_by_layers(&plan.rootfs, lower, upper, work, *userxattr).map_err(
                |e| {
                    setup(
                        format!("mount overlay ({} layers) on {}", lower.len(), shown()),
                        e,
                    )
                },
            )?;
        }
        Some(OverlayMount::Fuse { bin, options, log }) => {
            let target = std::path::Path::new(std::ffi::OsStr::from_bytes(plan.rootfs.as_bytes()));
            let log_file = std::fs::File::create(log).ok();
            let mut cmd = std::process::Command::new(bin);
            cmd.arg("-o")
                .arg(options)
                .arg(target)
                .stdin(std::process::Stdio::null())
                .stdout(std::process::Stdio::null());
            // SAFETY: only a raw syscall between fork and exec. The daemon
            // must not keep the container's pipes open: mark every inherited
            // descriptor from 3 up close-on-exec (CLOSE_RANGE_CLOEXEC).
            unsafe {
                cmd.pre_exec(|| {
                    libc::syscall(libc::SYS_close_range, 3u32, u32::MAX, 4u32);
                    Ok(())
                })
            };
            match log_file {
                Some(f) => cmd.stderr(f),
                None => cmd.stderr(std::process::Stdio::null()),
            };
            let status = cmd.status().map_err(|e| {
                SpawnError::Setup(format!("run {} for {}: {e}", bin.display(), shown()))
            })?;
            if !status.success() {
                let detail = std::fs::read_to_string(log).unwrap_or_default();
                return Err(SpawnError::Setup(format!(
                    "fuse-overlayfs could not mount {} ({status}): {}",
                    shown(),
                    detail.trim()
                )));
            }
            // The daemon lives in this mount namespace; pivot_root would
            // move its root onto its own mount (a deadlock). Continue in a
            // copy of the namespace: the daemon keeps the original.
            nix::sched::unshare(CloneFlags::CLONE_NEWNS)
                .map_err(|e| setup("unshare the mount namespace after fuse-overlayfs", e))?;
        }
        Some(OverlayMount::Vfs { layers, marker }) => {
            let target = std::path::Path::new(std::ffi::OsStr::from_bytes(plan.rootfs.as_bytes()));
            super::storage::populate(layers, target, marker)
                .map_err(|e| SpawnError::Setup(format!("vfs rootfs {}: {e}", shown())))?;
            let flags = MsFlags::MS_BIND | MsFlags::MS_REC;
            let r = Some(plan.rootfs.as_c_str());
            mount(r, plan.rootfs.as_c_str(), NONE, flags, NONE)
                .map_err(|e| setup(format!("bind the rootfs {}", shown()), e))?;
        }
        None => {
            let flags = MsFlags::MS_BIND | MsFlags::MS_REC;
            let r = Some(plan.rootfs.as_c_str());
            mount(r, plan.rootfs.as_c_str(), NONE, flags, NONE)
                .map_err(|e| setup(format!("bind the rootfs {}", shown()), e))?;
        }
    }
    let flags = OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC;
    open(plan.rootfs.as_c_str(), flags, Mode::empty())
        .map_err(|e| setup(format!("open the rootfs {}", shown()), e))
}

/// A host device node bound into the container's /dev.
#[derive(Debug)]
pub(crate) struct DevNode {
    pub source: CString,
    pub rel: CString,
}

const DEV_LINKS: [(&CStr, &CStr); 6] = [
    (c"/proc/self/fd", c"fd"),
    (c"/proc/self/fd/0", c"stdin"),
    (c"/proc/self/fd/1", c"stdout"),
    (c"/proc/self/fd/2", c"stderr"),
    (c"pts/ptmx", c"ptmx"),
    (c"/proc/kcore", c"core"),
];

/// Binds the host's device nodes onto empty files and adds the usual links.
fn setup_dev(root: BorrowedFd, nodes: &[DevNode]) -> Result<(), SpawnError> {
    let mut buf = [0u8; 32];
    for n in nodes {
        let dest = || format!("/{}", n.rel.to_string_lossy());
        let target = mounts::resolve(root, &n.rel, true).map_err(|e| fail("create", &dest(), e))?;
        let (src, t) = (
            Some(n.source.as_c_str()),
            mounts::procfd(target.as_raw_fd(), &mut buf),
        );
        mount(src, t, NONE, MsFlags::MS_BIND, NONE)
            .map_err(|e| fail(&format!("bind {}", n.source.to_string_lossy()), &dest(), e))?;
    }
    let dev = mounts::resolve(root, c"dev", false).map_err(|e| fail("create", "/dev", e))?;
    for (target, name) in DEV_LINKS {
        match nix::unistd::symlinkat(target, dev.as_fd(), name) {
            Ok(()) | Err(Errno::EEXIST) => {}
            Err(e) => return Err(fail("symlink", &name.to_string_lossy(), e)),
        }
    }
    Ok(())
}

/// After pivot_root: binds each path onto itself and makes it read-only.
fn readonly_paths(paths: &[CString]) -> Result<(), SpawnError> {
    for p in paths {
        let flags = MsFlags::MS_BIND | MsFlags::MS_REC;
        match mount(Some(p.as_c_str()), p.as_c_str(), NONE, flags, NONE) {
            Ok(()) => {}
            Err(Errno::ENOENT) => continue,
            Err(e) => return Err(fail("bind", &p.to_string_lossy(), e)),
        }
        mounts::set_attrs(libc::AT_FDCWD, p, mounts::AT_RECURSIVE, mounts::ATTR_RDONLY)
            .map_err(|e| fail("remount read-only", &p.to_string_lossy(), e))?;
    }
    Ok(())
}

/// After pivot_root: /dev/null over files, an empty read-only tmpfs over dirs.
fn masked_paths(paths: &[CString]) -> Result<(), SpawnError> {
    for p in paths {
        match mount(
            Some(c"/dev/null"),
            p.as_c_str(),
            NONE,
            MsFlags::MS_BIND,
            NONE,
        ) {
            Ok(()) | Err(Errno::ENOENT) => {}
            Err(Errno::ENOTDIR) => {
                let flags = MsFlags::MS_RDONLY | MsFlags::MS_NOSUID | MsFlags::MS_NODEV;
                mount(Some(c"tmpfs"), p.as_c_str(), Some(c"tmpfs"), flags, NONE)
                    .map_err(|e| fail("mask (tmpfs)", &p.to_string_lossy(), e))?;
            }
            Err(e) => return Err(fail("mask", &p.to_string_lossy(), e)),
        }
    }
    Ok(())
}

fn enter_cwd(cwd: &CStr) -> Result<(), SpawnError> {
    let shown = || cwd.to_string_lossy().into_owned();
    match chdir(cwd) {
        Ok(()) => return Ok(()),
        Err(Errno::ENOENT) => {}
        Err(e) => return Err(setup(format!("chdir {}", shown()), e)),
    }
    let bytes = cwd.to_bytes();
    for i in (1..bytes.len()).filter(|&i| bytes[i] == b'/') {
        let _ = mkdir(&bytes[..i], Mode::from_bits_truncate(0o755));
    }
    match mkdir(bytes, Mode::from_bits_truncate(0o755)) {
        Ok(()) | Err(Errno::EEXIST) => {}
        Err(e) => return Err(setup(format!("mkdir {}", shown()), e)),
    }
    chdir(cwd).map_err(|e| setup(format!("chdir {}", shown()), e))
}

fn exec(plan: &Plan) -> Result<Infallible, SpawnError> {
    exec_first(&plan.candidates, &plan.args, &plan.env, &plan.arg0)
}

/// Execs the first of `candidates` that can be run (PATH search order);
/// NotFound naming `arg0`, or CannotExecute, when none can.
pub(crate) fn exec_first(
    candidates: &[CString],
    args: &[CString],
    env: &[CString],
    arg0: &str,
) -> Result<Infallible, SpawnError> {
    let mut denied: Option<&CString> = None;
    for c in candidates {
        let Err(e) = execve(c, args, env);
        match e {
            Errno::ENOENT | Errno::ENOTDIR => {}
            Errno::EACCES => {
                denied.get_or_insert(c);
            }
            e => return Err(cannot(c, e)),
        }
    }
    match denied {
        Some(c) => {
            let dir = nix::sys::stat::stat(c.as_c_str())
                .map(|st| st.st_mode & libc::S_IFMT == libc::S_IFDIR)
                .unwrap_or(false);
            Err(SpawnError::CannotExecute {
                path: c.to_string_lossy().into_owned(),
                reason: (if dir {
                    "is a directory"
                } else {
                    "permission denied"
                })
                .into(),
            })
        }
        None => Err(SpawnError::NotFound(arg0.to_string())),
    }
}

fn cannot(path: &CStr, e: Errno) -> SpawnError {
    let mut reason = e.desc().to_string();
    if let Some(first) = reason.get_mut(..1) {
        first.make_ascii_lowercase();
    }
    SpawnError::CannotExecute {
        path: path.to_string_lossy().into_owned(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_candidates() {
        let env = vec!["HOME=/".to_string(), "PATH=/usr/bin:/bin/:".to_string()];
        assert_eq!(
            exec_candidates("true", &env),
            ["/usr/bin/true", "/bin/true", "true"]
        );
        assert_eq!(exec_candidates("./x", &env), ["./x"]);
        assert_eq!(exec_candidates("/bin/sh", &env), ["/bin/sh"]);
        assert_eq!(exec_candidates("sh", &[]).len(), 6);
        assert_eq!(exec_candidates("sh", &[])[5], "/bin/sh");
        assert!(exec_candidates("", &env).is_empty());
    }

    #[test]
    fn reports_round_trip() {
        for e in [
            SpawnError::NotFound("foo".into()),
            SpawnError::CannotExecute {
                path: "/etc/passwd".into(),
                reason: "permission denied".into(),
            },
            SpawnError::Setup("mount proc on /proc: EPERM".into()),
        ] {
            let (msg, _) = encode(&e);
            assert_eq!(decode(&msg).to_string(), e.to_string());
        }
    }
}
