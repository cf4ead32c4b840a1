//! `exec`: runs a further process in a running container's namespaces, with
//! the container's credentials, capabilities and seccomp filter.
//!
//! The caller (kist's CLI) forks a *joiner*, which enters the container's
//! namespaces (user first, then mount, uts, ipc, net, pid, cgroup; all opened
//! from `/proc/PID/ns/*` before the first setns, as joining the mount
//! namespace changes what `/proc` shows). Joining a pid namespace only
//! affects children, so the joiner clones the command's process with
//! `CLONE_PARENT`: it becomes the caller's child, in the container's pid
//! namespace, and the joiner exits. The command's process sets up its
//! credentials as the container's init did and execs. Errors come back over
//! a CLOEXEC pipe as in [`super::container::spawn`]; EOF means exec worked.
//!
//! [`spawn`] must be called from a single-threaded process (kist's CLI is):
//! the forked copies run Rust code (they allocate) until exec, and clone(2)
//! is called directly, without libc's fork handlers, so a lock another
//! thread held at the fork would stay locked in the copy. (The setns calls
//! themselves run in the joiner, single-threaded as any fork child.)

use std::convert::Infallible;
use std::ffi::CString;
use std::fs::File;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::fs::MetadataExt;
use std::panic::AssertUnwindSafe;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{open, OFlag};
use nix::libc;
use nix::sched::{setns, CloneFlags};
use nix::sys::resource::{setrlimit, Resource};
use nix::sys::stat::Mode;
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{chdir, pipe2, Gid, Pid};
use oci_spec::runtime::Spec;
use seccompiler::BpfProgram;

use super::caps::{self, CapSets};
use super::container::SpawnError;
use super::init::{self, exec_candidates};

/// A user's ids: (uid, gid, additional gids).
pub type Ids = (u32, u32, Vec<u32>);

/// Who the command runs as.
pub enum ExecUser<'a> {
    /// The container's `process.user`.
    Container,
    /// A `-u` value, resolved in the joiner after it entered the mount
    /// namespace, from the container's /etc/passwd and /etc/group text:
    /// (uid, gid, additional gids), or a message.
    Resolve(&'a dyn Fn(&str, &str) -> Result<Ids, String>),
}

pub struct ExecOptions<'a> {
    /// The container's OCI config: capabilities, seccomp, no_new_privs,
    /// rlimits, umask and (with [`ExecUser::Container`]) the user.
    pub spec: &'a Spec,
    /// The container's init process (host pid).
    pub pid: i32,
    /// When set, the init's parent must be this pid (its supervisor): a
    /// guard against a recycled pid.
    pub parent: Option<i32>,
    pub args: Vec<String>,
    /// The whole environment (PATH is searched in it).
    pub env: Vec<String>,
    /// Absolute, inside the container.
    pub cwd: String,
    pub user: ExecUser<'a>,
    /// All capabilities and no seccomp filter.
    pub privileged: bool,
    /// stdin, stdout, stderr of the command.
    pub stdio: [OwnedFd; 3],
    /// Start the command in a session of its own (`exec -d`).
    pub setsid: bool,
    /// `exec -t`: the command opens a pty in the container's devpts, takes
    /// it as its terminal, and sends the master over this socket.
    pub console: Option<OwnedFd>,
    /// Where compiled seccomp programs are kept (as for the container's
    /// start, see [`super::seccomp::compile_cached`]): compiling docker's
    /// profile costs about 3 ms.
    pub cache_dir: Option<&'a Path>,
}

#[derive(Debug, thiserror::Error)]
pub enum ExecError {
    /// The container's init is gone (or was never there).
    #[error("the container's process {0} is not running")]
    NotRunning(i32),
    #[error(transparent)]
    Spawn(#[from] SpawnError),
}

/// The command's process, a child of the caller: reap it with [`wait`].
pub struct Execed {
    pub pid: Pid,
}

/// Everything the forked processes need, computed before the fork.
struct Plan<'a> {
    join: Vec<(OwnedFd, CloneFlags)>,
    user: &'a ExecUser<'a>,
    uid: u32,
    gid: u32,
    groups: Vec<Gid>,
    setgroups: bool,
    caps: Option<CapSets>,
    seccomp: Option<BpfProgram>,
    no_new_privs: bool,
    rlimits: Vec<(Resource, u64, u64)>,
    umask: Option<u32>,
    cwd: CString,
    arg0: String,
    args: Vec<CString>,
    env: Vec<CString>,
    candidates: Vec<CString>,
    stdio: &'a [OwnedFd; 3],
    setsid: bool,
    console: Option<&'a OwnedFd>,
}

fn setup(msg: impl Into<String>) -> SpawnError {
    SpawnError::Setup(msg.into())
}

fn cstrings(v: &[String], what: &str) -> Result<Vec<CString>, SpawnError> {
    v.iter()
        .map(|s| CString::new(s.as_str()).map_err(|_| setup(format!("{what} contains a NUL byte"))))
        .collect()
}

/// Namespaces in the order they are joined.
const NAMESPACES: [(&str, CloneFlags); 7] = [
    ("user", CloneFlags::CLONE_NEWUSER),
    ("mnt", CloneFlags::CLONE_NEWNS),
    ("uts", CloneFlags::CLONE_NEWUTS),
    ("ipc", CloneFlags::CLONE_NEWIPC),
    ("net", CloneFlags::CLONE_NEWNET),
    ("pid", CloneFlags::CLONE_NEWPID),
    ("cgroup", CloneFlags::CLONE_NEWCGROUP),
];

/// Opens the init's namespaces that differ from ours.
fn open_namespaces(pid: i32) -> Result<Vec<(OwnedFd, CloneFlags)>, ExecError> {
    let mut join = Vec::new();
    for (name, flag) in NAMESPACES {
        let path = format!("/proc/{pid}/ns/{name}");
        let fd = match open(
            path.as_str(),
            OFlag::O_RDONLY | OFlag::O_CLOEXEC,
            Mode::empty(),
        ) {
            Ok(fd) => fd,
            Err(Errno::ENOENT | Errno::ESRCH) => return Err(ExecError::NotRunning(pid)),
            Err(e) => return Err(setup(format!("open {path}: {e}")).into()),
        };
        let theirs = nix::sys::stat::fstat(&fd).map_err(|e| setup(format!("stat {path}: {e}")))?;
        let ours = std::fs::metadata(format!("/proc/self/ns/{name}"))
            .map_err(|e| setup(format!("stat /proc/self/ns/{name}: {e}")))?;
        if (theirs.st_dev, theirs.st_ino) != (ours.dev(), ours.ino()) {
            join.push((fd, flag));
        }
    }
    Ok(join)
}

/// The parent pid of a live, non-zombie process.
fn parent_of(pid: i32) -> Option<i32> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let mut fields = stat.rsplit_once(')')?.1.split_whitespace();
    if matches!(fields.next(), Some("Z" | "X")) {
        return None;
    }
    fields.next()?.parse().ok()
}

/// Every capability the command may have: all the kernel knows in a user
/// namespace we join (setns there resets the bounding set to the full set),
/// else our own bounding set (a sandboxed root may lack some).
fn all_caps(joins_userns: bool) -> CapSets {
    let all = if joins_userns {
        let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap")
            .ok()
            .and_then(|s| s.trim().parse::<u32>().ok())
            .unwrap_or(40)
            .min(63);
        u64::MAX >> (63 - last)
    } else {
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        status
            .lines()
            .find_map(|l| l.strip_prefix("CapBnd:"))
            .and_then(|v| u64::from_str_radix(v.trim(), 16).ok())
            .unwrap_or(0)
    };
    CapSets {
        bounding: all,
        effective: all,
        permitted: all,
        inheritable: 0,
        ambient: 0,
    }
}

fn build_plan<'a>(opts: &'a ExecOptions<'a>) -> Result<Plan<'a>, ExecError> {
    let spec = opts.spec;
    let process = spec
        .process()
        .as_ref()
        .ok_or_else(|| setup("the container's config has no process"))?;
    let arg0 = opts
        .args
        .first()
        .cloned()
        .ok_or_else(|| setup("no command given"))?;
    let join = open_namespaces(opts.pid)?;
    // Opened: now make sure they were the container's.
    if let Some(parent) = opts.parent {
        if parent_of(opts.pid) != Some(parent) {
            return Err(ExecError::NotRunning(opts.pid));
        }
    }
    // A map written by newgidmap allows setgroups; a single-id map denies it.
    let setgroups = std::fs::read_to_string(format!("/proc/{}/setgroups", opts.pid))
        .map(|s| s.trim() != "deny")
        .unwrap_or(true);
    let user = process.user();
    let caps = if opts.privileged {
        let userns = join.iter().any(|(_, f)| *f == CloneFlags::CLONE_NEWUSER);
        Some(all_caps(userns))
    } else {
        match process.capabilities() {
            Some(c) => Some(CapSets::from_spec(c).map_err(SpawnError::Setup)?),
            None => None,
        }
    };
    let seccomp = match spec.linux().as_ref().and_then(|l| l.seccomp().as_ref()) {
        Some(s) if !opts.privileged => Some(
            super::seccomp::compile_cached(s, opts.cache_dir)
                .map_err(|e| setup(format!("compile the seccomp profile: {e}")))?,
        ),
        _ => None,
    };
    Ok(Plan {
        join,
        user: &opts.user,
        uid: user.uid(),
        gid: user.gid(),
        groups: user
            .additional_gids()
            .iter()
            .flatten()
            .map(|g| Gid::from_raw(*g))
            .collect(),
        setgroups,
        caps,
        seccomp,
        no_new_privs: process.no_new_privileges() == Some(true),
        rlimits: process
            .rlimits()
            .iter()
            .flatten()
            .map(|r| (caps::rlimit(r.typ()), r.soft(), r.hard()))
            .collect(),
        umask: user.umask(),
        cwd: CString::new(opts.cwd.as_str()).map_err(|_| setup("the cwd contains a NUL byte"))?,
        candidates: cstrings(&exec_candidates(&arg0, &opts.env), "the command")?,
        args: cstrings(&opts.args, "an argument")?,
        env: cstrings(&opts.env, "the environment")?,
        arg0,
        stdio: &opts.stdio,
        setsid: opts.setsid,
        console: opts.console.as_ref(),
    })
}

/// Starts the command in the container; returns once it has exec'd. The
/// caller must be single-threaded (see the module documentation) and reaps
/// the returned process ([`wait`]).
pub fn spawn(opts: ExecOptions) -> Result<Execed, ExecError> {
    let plan = build_plan(&opts)?;
    let pipe = || pipe2(OFlag::O_CLOEXEC).map_err(|e| setup(format!("pipe: {e}")));
    let (err_r, err_w) = pipe()?;
    let (pid_r, pid_w) = pipe()?;
    let Some(joiner) = super::container::clone_child(CloneFlags::empty())? else {
        drop((err_r, pid_r));
        joiner_main(&plan, pid_w, err_w)
    };
    drop(plan);
    drop((err_w, pid_w));
    let mut buf = Vec::new();
    let read_pid = File::from(pid_r).read_to_end(&mut buf);
    super::container::reap(joiner);
    let pid = match (read_pid, <[u8; 4]>::try_from(buf.as_slice())) {
        (Ok(_), Ok(b)) => Some(Pid::from_raw(i32::from_ne_bytes(b))),
        _ => None,
    };
    let mut report = Vec::new();
    let read = File::from(err_r).read_to_end(&mut report);
    match (pid, read, report.is_empty()) {
        (Some(pid), Ok(_), true) => Ok(Execed { pid }),
        (pid, read, _) => {
            if let Some(pid) = pid {
                super::container::reap(pid);
            }
            Err(match read {
                Err(e) => setup(format!("read the exec report: {e}")),
                Ok(_) => init::decode(&report),
            }
            .into())
        }
    }
}

/// Waits for the command; its exit code (128 + the signal when killed).
pub fn wait(execed: &Execed) -> Result<i32, SpawnError> {
    loop {
        match waitpid(execed.pid, None) {
            Ok(WaitStatus::Exited(_, code)) => return Ok(code),
            Ok(WaitStatus::Signaled(_, sig, _)) => return Ok(128 + sig as i32),
            Ok(_) | Err(Errno::EINTR) => continue,
            Err(e) => return Err(setup(format!("wait for process {}: {e}", execed.pid))),
        }
    }
}

/// Reports `e` on the error pipe and exits with its code.
fn fail(err: &OwnedFd, e: &SpawnError) -> ! {
    let (msg, code) = init::encode(e);
    // A short message (< PIPE_BUF) on a pipe is written at once, or not at all.
    let _ = nix::unistd::write(err, &msg);
    // SAFETY: _exit ends this forked copy without running the parent's
    // atexit handlers or flushing its buffers a second time.
    unsafe { libc::_exit(code) }
}

/// Runs `f`, turning a panic into a set-up error.
fn guarded<T>(f: impl FnOnce() -> Result<T, SpawnError>) -> Result<T, SpawnError> {
    std::panic::catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|_| Err(setup("panic in the exec set-up")))
}

/// The joiner: enters the namespaces, resolves the user, clones the
/// command's process as a sibling (CLONE_PARENT), sends its pid, exits.
fn joiner_main(plan: &Plan, pid_w: OwnedFd, err: OwnedFd) -> ! {
    let result = guarded(|| {
        for (fd, flag) in &plan.join {
            setns(fd, *flag)
                .map_err(|e| setup(format!("join the container's {flag:?} namespace: {e}")))?;
        }
        // Root and cwd are now the container's: its /etc is at /etc.
        let ids = match plan.user {
            ExecUser::Container => None,
            ExecUser::Resolve(resolve) => {
                let read = |p: &str| std::fs::read_to_string(p).unwrap_or_default();
                let (passwd, group) = (read("/etc/passwd"), read("/etc/group"));
                Some(resolve(&passwd, &group).map_err(SpawnError::Setup)?)
            }
        };
        super::container::clone_child(CloneFlags::CLONE_PARENT).map(|child| (child, ids))
    });
    match result {
        Ok((Some(child), _)) => {
            let _ = nix::unistd::write(&pid_w, &child.as_raw().to_ne_bytes());
            // SAFETY: as in `fail`.
            unsafe { libc::_exit(0) }
        }
        Ok((None, ids)) => {
            drop(pid_w);
            let e = match guarded(|| command_main(plan, ids)) {
                Ok(never) => match never {},
                Err(e) => e,
            };
            fail(&err, &e)
        }
        Err(e) => fail(&err, &e),
    }
}

fn errno(what: impl std::fmt::Display, e: Errno) -> SpawnError {
    setup(format!("{what}: {e}"))
}

/// The command's process: credentials as the container's init set them
/// (see init.rs `run`), then exec.
fn command_main(plan: &Plan, ids: Option<Ids>) -> Result<Infallible, SpawnError> {
    caps::setup_stdio(plan.stdio)?;
    caps::reset_signals();
    if let Some(sock) = plan.console {
        // Also makes the command a session leader with that terminal.
        super::init::open_console(sock)?;
    } else if plan.setsid {
        nix::unistd::setsid().map_err(|e| errno("setsid", e))?;
    }
    let (uid, gid, groups) = match ids {
        Some((u, g, gs)) => (u, g, gs.into_iter().map(Gid::from_raw).collect()),
        None => (plan.uid, plan.gid, plan.groups.clone()),
    };
    for (res, soft, hard) in &plan.rlimits {
        setrlimit(*res, *soft, *hard).map_err(|e| errno(format!("setrlimit {res:?}"), e))?;
    }
    // As privileged as we will be: a cwd only root may enter is entered now.
    let early_cwd = chdir(plan.cwd.as_c_str());
    if !plan.no_new_privs {
        super::init::install_seccomp(plan.seccomp.as_ref(), false)?;
    }
    let groups = plan.setgroups.then_some(groups.as_slice());
    caps::switch_user(plan.caps.as_ref(), uid, gid, groups).map_err(SpawnError::Setup)?;
    if let Some(m) = plan.umask {
        nix::sys::stat::umask(Mode::from_bits_truncate(m));
    }
    if early_cwd.is_err() {
        chdir(plan.cwd.as_c_str()).map_err(|e| {
            setup(format!(
                "chdir to cwd ({:?}) failed: {}",
                plan.cwd.to_string_lossy(),
                e.desc().to_lowercase()
            ))
        })?;
    }
    if plan.no_new_privs {
        nix::sys::prctl::set_no_new_privs().map_err(|e| errno("no_new_privs", e))?;
        super::init::install_seccomp(plan.seccomp.as_ref(), true)?;
    }
    init::exec_first(&plan.candidates, &plan.args, &plan.env, &plan.arg0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_caps_cover_the_kernel() {
        for userns in [false, true] {
            let c = all_caps(userns);
            assert_eq!(c.bounding, c.effective);
            assert_ne!(c.bounding & 1, 0);
            assert_eq!((c.inheritable, c.ambient), (0, 0));
        }
        assert_eq!(all_caps(true).bounding.count_ones(), {
            let last = std::fs::read_to_string("/proc/sys/kernel/cap_last_cap").unwrap();
            last.trim().parse::<u32>().unwrap() + 1
        });
    }

    #[test]
    fn parent_of_self() {
        let me = std::process::id() as i32;
        assert_eq!(parent_of(me), Some(nix::unistd::getppid().as_raw()));
        assert_eq!(parent_of(-1), None);
    }
}
