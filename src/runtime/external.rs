//! External OCI runtimes (runc, crun, youki, or a path): the same bundle as
//! kist's built-in runtime, run by `RUNTIME create` + `RUNTIME start`.
//!
//! The overlay rootfs must be mounted before the runtime runs, and rootless
//! an unprivileged overlay can only be mounted inside a user + mount
//! namespace. So, as podman does, the supervisor forks a helper that
//! creates a user namespace mapped with the full subuid/subgid range
//! (newuidmap/newgidmap, written by the supervisor) and a mount namespace,
//! mounts the overlay (userxattr) at `bundle/rootfs`, and runs the runtime
//! there as namespace root. The runtime gets `bundle/runtime-config/config.json`:
//! the container's config with `root.path` absolute and, rootless, without
//! the user namespace and the id mappings (the runtime sees it already runs
//! in a user namespace and behaves as rootless: runc skips cgroups). As
//! root the helper only creates a mount namespace: the overlay never shows
//! on the host and goes away with the container's last process.
//!
//! The runtime's stdio are the container's streams (it passes them on).
//! When `create` exits, the container process is re-parented to the
//! supervisor (a child subreaper), which reads its pid from the pid file
//! and waits for it as for the built-in runtime's. Errors come from the
//! runtime's JSON log (`--log`), not from its stderr, which is the
//! container's. A `-t` container's terminal is made by the runtime, which
//! sends its master over `--console-socket`; the supervisor uses that
//! master instead of its own pty. With a network to connect (pasta,
//! slirp4netns), the helper stops between `create` (the namespaces exist)
//! and `start` until the supervisor has connected it.

use std::fs::{self, File};
use std::io::Read;
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::net::{UnixListener, UnixStream};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::libc;
use nix::mount::{mount, MsFlags};
use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sched::{unshare, CloneFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::{chdir, fork, pipe2, setresgid, setresuid, ForkResult, Gid, Pid, Uid};
use oci_spec::runtime::Spec;

use super::caps;
use super::container::{Overlay, SpawnError, SpawnOptions, Spawned, Stdio};
use super::idmap::IdMap;
use super::mounts;

/// Runtimes kist knows by name, with the package that provides each.
pub const KNOWN: [(&str, &str); 3] = [
    ("runc", "install the runc package (apt-get install runc)"),
    ("crun", "install the crun package (apt-get install crun)"),
    (
        "youki",
        "install youki (https://github.com/youki-dev/youki/releases)",
    ),
];

/// kist's own runtime.
pub const BUILTIN: &str = "kist";

/// Directory name of the bundle the external runtime is given.
const BUNDLE_DIR: &str = "runtime-config";

/// Whether `runtime` (a container record's HostConfig.runtime) names an
/// external runtime.
pub fn is_external(runtime: &str) -> bool {
    !runtime.is_empty() && runtime != BUILTIN
}

/// Finds the binary of a runtime given by name (runc, crun, youki) or path.
/// The error names the runtime and how to get it.
pub fn resolve(runtime: &str) -> Result<PathBuf, String> {
    if runtime.contains('/') {
        let p = PathBuf::from(runtime);
        return match fs::metadata(&p) {
            Ok(m) if m.is_file() && executable(&m) => Ok(p),
            Ok(_) => Err(format!("OCI runtime {runtime} is not an executable file")),
            Err(e) => Err(format!("OCI runtime {runtime}: {e}")),
        };
    }
    let Some((_, hint)) = KNOWN.iter().find(|(n, _)| *n == runtime) else {
        return Err(format!(
            "unknown runtime {runtime:?}\nhint: use kist (built-in), runc, crun, youki, or the path of an OCI runtime binary"
        ));
    };
    // The sbin directories too: a user's PATH often lacks them (runc lives
    // in /usr/sbin on Debian).
    let path = std::env::var_os("PATH").unwrap_or_default();
    let extra = [
        "/usr/local/sbin",
        "/usr/sbin",
        "/sbin",
        "/usr/local/bin",
        "/usr/bin",
    ];
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .filter(|d| d.is_absolute())
        .map(|d| d.join(runtime))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && executable(&m)))
        .ok_or_else(|| format!("OCI runtime {runtime} not found in $PATH\nhint: {hint}"))
}

fn executable(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

/// The runtime's state directory (`--root`): `RUNROOT/runtime/NAME`, NAME
/// the runtime's name or its binary's file name.
pub fn state_root(runroot: &Path, runtime: &str) -> PathBuf {
    let name = Path::new(runtime)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "oci".into());
    runroot.join("runtime").join(name)
}

fn setup(msg: impl Into<String>) -> SpawnError {
    SpawnError::Setup(msg.into())
}

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
    super::sys::recv_fd(stream)
        .map_err(|e| setup(format!("receive the terminal from the runtime: {e}")))?
        .ok_or_else(|| setup("the runtime sent no terminal descriptor"))
}

/// `RUNTIME --root STATE_ROOT ARGS…`, run to the end from any process (the
/// supervisor, or a later kist command): its stderr on failure.
fn runtime_call(runtime: &str, state_root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let bin = resolve(runtime)?;
    let out = Command::new(&bin)
        .arg("--root")
        .arg(state_root)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    match out.status.success() {
        true => Ok(out.stdout),
        false => Err(format!(
            "{runtime} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// `RUNTIME delete --force ID`: removes the runtime's state of a container
/// (and kills it if it still runs). Safe to call from any process.
pub fn delete_external(runtime: &str, id: &str, state_root: &Path) -> Result<(), String> {
    match runtime_call(runtime, state_root, &["delete", "--force", id]) {
        Err(e) if state_root.join(id).exists() => Err(e),
        _ => Ok(()),
    }
}

/// `RUNTIME kill ID SIGNAL`: the runtime signals the container's process.
pub fn kill_external(
    runtime: &str,
    id: &str,
    state_root: &Path,
    signal: Signal,
) -> Result<(), String> {
    let sig = (signal as i32).to_string();
    runtime_call(runtime, state_root, &["kill", id, &sig]).map(drop)
}

/// What `RUNTIME state ID` says of a container (OCI runtime spec, "State").
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct RuntimeState {
    /// `creating`, `created`, `running`, `paused` or `stopped`.
    pub status: String,
    #[serde(default)]
    pub pid: i32,
}

/// `RUNTIME state ID`: whether the runtime knows the container, and its
/// status; `None` when the runtime has no state of it.
pub fn state_external(
    runtime: &str,
    id: &str,
    state_root: &Path,
) -> Result<Option<RuntimeState>, String> {
    if !state_root.join(id).exists() {
        return Ok(None);
    }
    let out = runtime_call(runtime, state_root, &["state", id])?;
    serde_json::from_slice(&out)
        .map(Some)
        .map_err(|e| format!("{runtime} state {id}: {e}"))
}

/// Writes `bundle/runtime-config/config.json`; returns the rootfs path.
fn write_bundle(
    spec: &Spec,
    bundle: &Path,
    dir: &Path,
    id_map: Option<&IdMap>,
) -> Result<PathBuf, SpawnError> {
    let mut v =
        serde_json::to_value(spec).map_err(|e| setup(format!("serialize the config: {e}")))?;
    let root = spec
        .root()
        .as_ref()
        .ok_or_else(|| setup("the config has no root"))?;
    let rootfs = bundle.join(root.path());
    v["root"]["path"] = rootfs.to_string_lossy().into_owned().into();
    if let Some(mounts) = v.get_mut("mounts").and_then(|m| m.as_array_mut()) {
        for m in mounts {
            let rel = m["source"]
                .as_str()
                .filter(|s| !s.starts_with('/') && m["type"].as_str() == Some("bind"))
                .map(|s| bundle.join(s));
            if let Some(abs) = rel {
                m["source"] = abs.to_string_lossy().into_owned().into();
            }
        }
    }
    if let Some(map) = id_map {
        unmapped_ids(&mut v, map);
        if let Some(linux) = v.get_mut("linux").and_then(|l| l.as_object_mut()) {
            linux.remove("uidMappings");
            linux.remove("gidMappings");
            if let Some(ns) = linux.get_mut("namespaces").and_then(|n| n.as_array_mut()) {
                ns.retain(|n| n["type"].as_str() != Some("user"));
            }
        }
    }
    fs::create_dir_all(dir).map_err(|e| setup(format!("create {}: {e}", dir.display())))?;
    let data = serde_json::to_vec_pretty(&v).unwrap_or_default();
    let path = dir.join("config.json");
    fs::write(&path, data).map_err(|e| setup(format!("write {}: {e}", path.display())))?;
    Ok(rootfs)
}

/// Without subordinate ranges only uid/gid 0 exist in the namespace: drop
/// the mount options and extra groups that name others (as the built-in
/// runtime does), or the runtime fails on them (devpts gid=5).
fn unmapped_ids(v: &mut serde_json::Value, map: &IdMap) {
    if map.has_ranges() {
        return;
    }
    if let Some(mounts) = v.get_mut("mounts").and_then(|m| m.as_array_mut()) {
        for m in mounts {
            let Some(opts) = m["options"].as_array() else {
                continue;
            };
            let opts: Vec<String> = opts
                .iter()
                .filter_map(|o| o.as_str().map(String::from))
                .collect();
            let kept = mounts::filter_ids(opts, |is_uid, id| {
                caps::mapped(if is_uid { &map.uids } else { &map.gids }, id)
            });
            m["options"] = kept.into();
        }
    }
    if let Some(user) = v
        .pointer_mut("/process/user")
        .and_then(|u| u.as_object_mut())
    {
        user.remove("additionalGids");
    }
}

/// How the helper mounts the overlay (computed before fork).
enum OverlayData {
    /// mount(2) data, relative to `dir` when set.
    Data { dir: Option<PathBuf>, data: String },
    /// Too long for one page: one fsconfig per layer.
    Layers {
        lower: Vec<std::ffi::CString>,
        upper: std::ffi::CString,
        work: std::ffi::CString,
        userxattr: bool,
    },
}

fn overlay_mount(ov: &Overlay) -> Result<OverlayData, SpawnError> {
    if ov.driver != super::storage::Driver::Overlay {
        return Err(setup(format!(
            "the {} storage driver works with kist's built-in runtime only",
            ov.driver.name()
        )));
    }
    let (dir, data) = mounts::overlay_data(&ov.lower, &ov.upper, &ov.work, ov.userxattr);
    if data.len() < mounts::MAX_DATA {
        return Ok(OverlayData::Data { dir, data });
    }
    let c = |p: &Path| {
        use std::os::unix::ffi::OsStrExt;
        std::ffi::CString::new(p.as_os_str().as_bytes())
            .map_err(|_| setup(format!("{} contains a NUL byte", p.display())))
    };
    Ok(OverlayData::Layers {
        lower: ov.lower.iter().map(|p| c(p)).collect::<Result<_, _>>()?,
        upper: c(&ov.upper)?,
        work: c(&ov.work)?,
        userxattr: ov.userxattr,
    })
}

/// What the helper does, prepared by the parent.
struct Job<'a> {
    bin: &'a Path,
    global: Vec<std::ffi::OsString>,
    bundle: &'a Path,
    pid_file: &'a Path,
    id: &'a str,
    rootfs: &'a Path,
    overlay: Option<OverlayData>,
    stdio: [OwnedFd; 3],
    rootless: bool,
    /// `--console-socket` (a `-t` container).
    console: Option<PathBuf>,
}

/// The helper: never returns. Reports a set-up failure as text on `err`,
/// a failed runtime step as `runtime:STEP` (the log has the detail).
/// The helper's ends of the network sync: (created, network up).
type NetSync = Option<(OwnedFd, OwnedFd)>;

fn helper_main(job: &Job, err: OwnedFd, sync: Option<(OwnedFd, OwnedFd)>, net: NetSync) -> ! {
    let result = std::panic::catch_unwind(AssertUnwindSafe(|| helper(job, sync, net)));
    let msg = match result {
        Ok(Ok(())) => None,
        Ok(Err(m)) => Some(m),
        Err(_) => Some("panic in the runtime helper".into()),
    };
    let code = match msg {
        Some(m) => {
            let _ = nix::unistd::write(&err, m.as_bytes());
            1
        }
        None => 0,
    };
    // SAFETY: _exit ends this forked copy without running the parent's
    // atexit handlers or flushing its buffers a second time.
    unsafe { libc::_exit(code) }
}

fn helper(job: &Job, sync: Option<(OwnedFd, OwnedFd)>, net: NetSync) -> Result<(), String> {
    let fail = |what: &str, e: Errno| format!("{what}: {e}");
    caps::reset_signals();
    if job.rootless {
        unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNS)
            .map_err(|e| fail("create a user namespace for the runtime", e))?;
        let (ready, go) = sync.ok_or("no sync pipes")?;
        nix::unistd::write(&ready, b"r").map_err(|e| fail("sync", e))?;
        drop(ready);
        let mut b = [0u8; 1];
        if nix::unistd::read(&go, &mut b) != Ok(1) {
            // The parent could not map us and reports that itself.
            // SAFETY: as in helper_main.
            unsafe { libc::_exit(1) }
        }
        let (g, u) = (Gid::from_raw(0), Uid::from_raw(0));
        setresgid(g, g, g).map_err(|e| fail("setresgid 0", e))?;
        setresuid(u, u, u).map_err(|e| fail("setresuid 0", e))?;
    } else {
        unshare(CloneFlags::CLONE_NEWNS).map_err(|e| fail("create a mount namespace", e))?;
    }
    let none: Option<&str> = None;
    mount(none, "/", none, MsFlags::MS_REC | MsFlags::MS_PRIVATE, none)
        .map_err(|e| fail("make / rprivate", e))?;
    let shown = job.rootfs.display();
    match &job.overlay {
        Some(OverlayData::Data { dir, data }) => {
            if let Some(d) = dir {
                chdir(d).map_err(|e| fail(&format!("chdir {}", d.display()), e))?;
            }
            mount(
                Some("overlay"),
                job.rootfs,
                Some("overlay"),
                MsFlags::empty(),
                Some(data.as_str()),
            )
            .map_err(|e| fail(&format!("mount overlay on {shown}"), e))?;
        }
        Some(OverlayData::Layers {
            lower,
            upper,
            work,
            userxattr,
        }) => {
            use std::os::unix::ffi::OsStrExt;
            let target = std::ffi::CString::new(job.rootfs.as_os_str().as_bytes())
                .map_err(|_| "rootfs path contains a NUL byte")?;
            mounts::overlay_by_layers(&target, lower, upper, work, *userxattr)
                .map_err(|e| fail(&format!("mount overlay on {shown}"), e))?;
        }
        None => {}
    }
    chdir(job.bundle).map_err(|e| fail(&format!("chdir {}", job.bundle.display()), e))?;
    caps::setup_stdio(&job.stdio).map_err(|e| e.to_string())?;
    let run = |step: &str, args: &[&std::ffi::OsStr]| -> Result<(), String> {
        let status = Command::new(job.bin)
            .args(&job.global)
            .args(args)
            .status()
            .map_err(|e| format!("run {}: {e}", job.bin.display()))?;
        match status.success() {
            true => Ok(()),
            false => Err(format!("runtime:{step}")),
        }
    };
    let create: [&std::ffi::OsStr; 6] = [
        "create".as_ref(),
        "--bundle".as_ref(),
        job.bundle.as_os_str(),
        "--pid-file".as_ref(),
        job.pid_file.as_os_str(),
        job.id.as_ref(),
    ];
    let mut create = create.to_vec();
    if let Some(sock) = &job.console {
        create.splice(1..1, ["--console-socket".as_ref(), sock.as_os_str()]);
    }
    run("create", &create)?;
    let delete = || {
        let _ = Command::new(job.bin)
            .args(&job.global)
            .args(["delete", "--force", job.id])
            .status();
    };
    if let Some((created, up)) = net {
        // The namespaces exist: the supervisor connects the network.
        let _ = nix::unistd::write(&created, b"c");
        let mut b = [0u8; 1];
        if nix::unistd::read(&up, &mut b) != Ok(1) {
            delete();
            return Err("the container's network could not be set up".into());
        }
    }
    if let Err(e) = run("start", &["start".as_ref(), job.id.as_ref()]) {
        delete();
        return Err(e);
    }
    Ok(())
}

/// Waits for the helper (it exits at once on failure).
fn reap(pid: Pid) {
    while waitpid(pid, None) == Err(Errno::EINTR) {}
}

/// The error of a failed `create`/`start`, from the runtime's JSON log, with
/// docker's exit codes: "executable file not found" 127, "permission
/// denied" 126, else 125.
fn runtime_error(runtime: &str, step: &str, log: &Path, spec: &Spec) -> SpawnError {
    let text = fs::read_to_string(log).unwrap_or_default();
    let msg = last_error(&text)
        .unwrap_or_else(|| format!("{runtime} {step} failed (no error in its log)"));
    classify(runtime, msg, spec)
}

/// The message of the last error-level entry of a JSON log.
fn last_error(log: &str) -> Option<String> {
    log.lines().rev().find_map(|l| {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        let level = v["level"].as_str()?;
        matches!(level, "error" | "fatal").then(|| v["msg"].as_str().map(String::from))?
    })
}

fn classify(runtime: &str, msg: String, spec: &Spec) -> SpawnError {
    const NOT_FOUND: &str = ": executable file not found in $PATH";
    if msg.contains("executable file not found") || msg.contains("executable file `") {
        if let Some(head) = msg.strip_suffix(NOT_FOUND) {
            // Displayed with the suffix again: runc's message as it was.
            return SpawnError::NotFound(head.to_string());
        }
        let arg0 = spec
            .process()
            .as_ref()
            .and_then(|p| p.args().as_ref())
            .and_then(|a| a.first().cloned())
            .unwrap_or_default();
        return SpawnError::NotFound(quoted(&msg).unwrap_or(arg0));
    }
    if msg.to_lowercase().contains("permission denied") {
        let (path, reason) = msg.rsplit_once(": ").unwrap_or((runtime, &msg));
        return SpawnError::CannotExecute {
            path: path.to_string(),
            reason: reason.to_string(),
        };
    }
    let is_crun = Path::new(runtime).file_name().is_some_and(|n| n == "crun");
    if is_crun && (msg.contains("cgroup") || msg.contains("hybrid")) {
        return setup(format!(
            "{msg}\nhint: crun does not support this host's cgroup setup (cgroups v1/hybrid); use --runtime runc or kist's built-in runtime (--runtime kist)"
        ));
    }
    setup(msg)
}

/// The first "…" or `…` quoted part of a message.
fn quoted(msg: &str) -> Option<String> {
    for (open, close) in [('"', '"'), ('`', '`')] {
        if let Some((_, rest)) = msg.split_once(open) {
            if let Some((q, _)) = rest.split_once(close) {
                return Some(q.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::default()
    }

    #[test]
    fn last_error_of_a_runc_log() {
        let log = r#"{"error":"x","level":"warning","msg":"unable to get oom kill count","time":"t"}
{"level":"error","msg":"runc create failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH","time":"t"}
"#;
        let msg = last_error(log).unwrap();
        let e = classify("runc", msg, &spec());
        assert!(matches!(e, SpawnError::NotFound(_)), "{e}");
        assert_eq!(
            e.to_string(),
            "runc create failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH"
        );
        assert!(last_error("not json\n").is_none());
    }

    #[test]
    fn docker_codes() {
        let e = classify(
            "runc",
            "runc create failed: unable to start container process: exec: \"/etc\": permission denied".into(),
            &spec(),
        );
        assert!(matches!(e, SpawnError::CannotExecute { .. }), "{e}");
        let e = classify(
            "crun",
            "executable file `nosuch` not found in $PATH: No such file or directory".into(),
            &spec(),
        );
        assert!(
            matches!(e, SpawnError::NotFound(ref n) if n == "nosuch"),
            "{e}"
        );
        let e = classify(
            "crun",
            "cgroups in hybrid mode not supported".into(),
            &spec(),
        );
        assert!(e.to_string().contains("--runtime runc"), "{e}");
    }

    #[test]
    fn names_and_paths() {
        assert!(is_external("runc"));
        assert!(!is_external("kist"));
        assert!(!is_external(""));
        let e = resolve("nosuch").unwrap_err();
        assert!(e.contains("unknown runtime \"nosuch\""), "{e}");
        let e = resolve("/nonexistent/runc").unwrap_err();
        assert!(e.contains("/nonexistent/runc"), "{e}");
        assert_eq!(
            state_root(Path::new("/run/kist"), "/opt/bin/runc"),
            Path::new("/run/kist/runtime/runc")
        );
    }
}
