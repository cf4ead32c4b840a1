//! Parent side of kist's built-in OCI runtime: turns a config.json into a
//! precomputed plan, clones the container process into its namespaces in one
//! call, writes its id maps (rootless), has its network namespace connected
//! (a [`NetworkSetup`], while the container mounts its filesystems; the
//! container waits for it just before exec) and waits until it has exec'd.
//!
//! `spawn` must be called from a single-threaded process (kist's supervisor):
//! the child is a fork-like copy of it that runs Rust code until exec.

use std::ffi::CString;
use std::fs::File;
use std::io::Read;
use std::os::fd::OwnedFd;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::fcntl::{open, OFlag};
use nix::libc;
use nix::mount::MsFlags;
use nix::sched::CloneFlags;
use nix::sys::signal::{kill, Signal};
use nix::sys::stat::Mode;
use nix::sys::wait::waitpid;
use nix::unistd::{pipe2, Gid, Pid};
use oci_spec::runtime::{LinuxDeviceType, LinuxNamespaceType, Spec};

use super::caps::{self, CapSets};
use super::idmap::IdMap;
use super::init::DevNode;
use super::init::{self, exec_candidates, OverlayMount, Plan};
use super::mounts::{self, MountOp};
use super::storage::{self, Driver};

/// An overlay rootfs, mounted at `bundle/root.path` in the new mount namespace.
pub struct Overlay {
    /// Lower directories, top first.
    pub lower: Vec<PathBuf>,
    pub upper: PathBuf,
    pub work: PathBuf,
    /// Pass `userxattr` (rootless overlay).
    pub userxattr: bool,
    /// How the layers become the rootfs.
    pub driver: super::storage::Driver,
}

/// The container's standard streams.
pub enum Stdio {
    Fds {
        stdin: OwnedFd,
        stdout: OwnedFd,
        stderr: OwnedFd,
    },
}

pub struct SpawnOptions<'a> {
    /// A real OCI config; `root.path` is relative to `bundle`.
    pub spec: &'a Spec,
    pub bundle: &'a Path,
    /// Some: rootless, in a new user namespace mapped with this.
    pub id_map: Option<&'a IdMap>,
    pub overlay: Option<Overlay>,
    pub stdio: Stdio,
    /// Where compiled seccomp programs are kept between containers.
    pub cache_dir: Option<&'a Path>,
    /// Connects the container's new network namespace before it execs.
    pub network: Option<&'a mut dyn NetworkSetup>,
}

/// Connects a new container's network namespace from the parent (a
/// network helper such as pasta), while the container sets itself up;
/// the container waits for it only just before exec.
pub trait NetworkSetup {
    /// Whether `begin` may come before the id maps are written (so that the
    /// helper starts while newuidmap runs); else right after.
    fn without_id_maps(&self) -> bool;
    /// The container process `pid` exists with its namespaces: start
    /// connecting its network namespace, without waiting.
    fn begin(&mut self, pid: Pid) -> Result<(), String>;
    /// Blocks until the network is up.
    fn ready(&mut self) -> Result<(), String>;
}

pub struct Spawned {
    pub pid: Pid,
    /// The pty master an external runtime made for a terminal container
    /// (the caller's own pty is then unused).
    pub console: Option<OwnedFd>,
}

#[derive(Debug, thiserror::Error)]
pub enum SpawnError {
    /// kist exits 127.
    #[error("{0}: executable file not found in $PATH")]
    NotFound(String),
    /// kist exits 126 (permission denied, exec format error, is a directory).
    #[error("{path}: {reason}")]
    CannotExecute { path: String, reason: String },
    /// kist exits 125; the message names the step and the path.
    #[error("container set-up failed: {0}")]
    Setup(String),
}

fn setup(msg: impl Into<String>) -> SpawnError {
    SpawnError::Setup(msg.into())
}

fn cstring(bytes: impl Into<Vec<u8>>, what: &str) -> Result<CString, SpawnError> {
    CString::new(bytes).map_err(|_| setup(format!("{what} contains a NUL byte")))
}

fn cpath(p: &Path) -> Result<CString, SpawnError> {
    cstring(p.as_os_str().as_bytes(), &p.display().to_string())
}

/// Starts the container process; returns once it has exec'd its command.
/// The caller reaps the returned pid. On error the process is reaped here.
/// The spec annotation that asks kist's runtime for `--init`.
pub const INIT_ANNOTATION: &str = "io.kist.init";

pub fn spawn(mut opts: SpawnOptions) -> Result<Spawned, SpawnError> {
    let id_map = opts.id_map;
    let network = opts.network.take();
    let terminal = opts
        .spec
        .process()
        .as_ref()
        .and_then(|p| p.terminal())
        .unwrap_or(false);
    // With a terminal, the container opens its own pty (in its devpts) and
    // sends the master back over this pair, as runc's console socket does.
    let console = if terminal {
        Some(
            std::os::unix::net::UnixStream::pair()
                .map_err(|e| setup(format!("console socket: {e}")))?,
        )
    } else {
        None
    };
    let mut plan = build_plan(opts)?;
    let console = console.map(|(ours, theirs)| {
        plan.console = Some(theirs.into());
        ours
    });
    let pipe = || pipe2(OFlag::O_CLOEXEC).map_err(|e| setup(format!("pipe: {e}")));
    let (err_r, err_w) = pipe()?;
    let go = match id_map {
        Some(_) => Some(pipe()?),
        None => None,
    };
    let net_w = match network {
        Some(_) => {
            let (r, w) = pipe()?;
            plan.net_ready = Some(r);
            Some(w)
        }
        None => None,
    };
    let Some(pid) = clone_child(plan.clone_flags)? else {
        drop(net_w);
        drop(err_r);
        let go_r = go.map(|(r, w)| {
            drop(w);
            r
        });
        init::child_main(&plan, err_w, go_r)
    };
    // Close our copies of the container's stdio and namespace fds at once.
    drop(plan);
    drop(err_w);
    let abort = |e: SpawnError| {
        let _ = kill(pid, Signal::SIGKILL);
        reap(pid);
        Err(e)
    };
    // The network helper starts as early as it can: it joins the
    // namespaces while newuidmap (if it needs no id maps) and the
    // container's own set-up run.
    let mut network = network;
    let early = network.as_ref().is_some_and(|n| n.without_id_maps());
    if let (Some(net), true) = (network.as_mut(), early) {
        if let Err(e) = net.begin(pid) {
            return abort(setup(e));
        }
    }
    if let (Some(map), Some((go_r, go_w))) = (id_map, go) {
        drop(go_r);
        if let Err(e) = caps::write_maps(pid, map) {
            return abort(e);
        }
        if let Err(e) = nix::unistd::write(&go_w, b"g") {
            return abort(setup(format!("release the container process: {e}")));
        }
    }
    if let (Some(net), Some(net_w)) = (network, net_w) {
        let up = match early {
            true => Ok(()),
            false => net.begin(pid),
        }
        .and_then(|()| net.ready());
        let told = up.and_then(|()| {
            nix::unistd::write(&net_w, b"n")
                .map(drop)
                .map_err(|e| format!("tell the container its network is up: {e}"))
        });
        if let Err(e) = told {
            // The container may have failed first: its report says why.
            let _ = kill(pid, Signal::SIGKILL);
            let mut report = Vec::new();
            let _ = File::from(err_r).read_to_end(&mut report);
            reap(pid);
            return Err(match report.is_empty() {
                true => setup(e),
                false => init::decode(&report),
            });
        }
    }
    let mut report = Vec::new();
    if let Err(e) = File::from(err_r).read_to_end(&mut report) {
        return abort(setup(format!("read the container's report: {e}")));
    }
    if report.is_empty() {
        let console = match &console {
            Some(sock) => match super::external::recv_fd(sock) {
                Ok(master) => Some(master),
                Err(e) => return abort(e),
            },
            None => None,
        };
        return Ok(Spawned { pid, console });
    }
    reap(pid);
    Err(init::decode(&report))
}

/// Waits for a child that failed before exec (it exits at once).
pub(crate) fn reap(pid: Pid) {
    while waitpid(pid, None) == Err(Errno::EINTR) {}
}

/// clone(2) with fork semantics and extra flags (new namespaces, or
/// CLONE_PARENT for exec); None in the child.
pub(crate) fn clone_child(flags: CloneFlags) -> Result<Option<Pid>, SpawnError> {
    let flags = flags.bits() as libc::c_long | libc::SIGCHLD as libc::c_long;
    // SAFETY: without CLONE_VM and with a null stack, clone behaves like
    // fork: the child runs on a copy of this address space. The caller is
    // single-threaded (spawn's documented contract), so no lock can be held
    // by a thread that does not exist in the child.
    let ret = unsafe { libc::syscall(libc::SYS_clone, flags, 0usize, 0usize, 0usize, 0usize) };
    match Errno::result(ret) {
        Ok(0) => Ok(None),
        Ok(pid) => Ok(Some(Pid::from_raw(pid as i32))),
        Err(e) => Err(setup(format!("clone a process: {e}"))),
    }
}

/// Namespace flags to create, and namespaces to join; also whether the
/// container gets a network namespace of its own.
type Namespaces = (CloneFlags, Vec<(OwnedFd, CloneFlags)>, bool);

fn namespaces(spec: &Spec, rootless: bool) -> Result<Namespaces, SpawnError> {
    let mut flags = CloneFlags::CLONE_NEWNS
        | CloneFlags::CLONE_NEWPID
        | CloneFlags::CLONE_NEWUTS
        | CloneFlags::CLONE_NEWIPC;
    let (mut join, mut own_net) = (Vec::new(), false);
    let list = spec.linux().as_ref().and_then(|l| l.namespaces().as_ref());
    for ns in list.into_iter().flatten() {
        let flag = match ns.typ() {
            LinuxNamespaceType::Network => CloneFlags::CLONE_NEWNET,
            LinuxNamespaceType::Cgroup => CloneFlags::CLONE_NEWCGROUP,
            LinuxNamespaceType::Uts => CloneFlags::CLONE_NEWUTS,
            LinuxNamespaceType::Ipc => CloneFlags::CLONE_NEWIPC,
            // The user namespace follows id_map; mount and pid are always new.
            _ if ns.path().is_none() => continue,
            t => return Err(setup(format!("joining a {t} namespace is not supported"))),
        };
        match ns.path() {
            None => {
                flags |= flag;
                own_net |= flag == CloneFlags::CLONE_NEWNET;
            }
            Some(p) => {
                let fd = open(
                    p.as_path(),
                    OFlag::O_RDONLY | OFlag::O_CLOEXEC,
                    Mode::empty(),
                )
                .map_err(|e| setup(format!("open namespace {}: {e}", p.display())))?;
                flags &= !flag;
                own_net |= flag == CloneFlags::CLONE_NEWNET && !rootless;
                join.push((fd, flag));
            }
        }
    }
    if rootless {
        flags |= CloneFlags::CLONE_NEWUSER;
    }
    Ok((flags, join, own_net))
}

fn build_mounts(
    spec: &Spec,
    bundle: &Path,
    own_net: bool,
    id_map: Option<&IdMap>,
) -> Result<Vec<MountOp>, SpawnError> {
    let mut ops = Vec::new();
    for m in spec.mounts().iter().flatten() {
        let typ = m.typ().as_deref().unwrap_or("");
        if typ == "cgroup" || typ == "cgroup2" {
            continue; // kist does not touch cgroups (yet)
        }
        let dest = m.destination();
        let rel = mounts::relative_dest(dest)
            .ok_or_else(|| setup(format!("invalid mount destination {}", dest.display())))?;
        let o = mounts::parse_options(m.options().as_deref().unwrap_or_default());
        let mut op = MountOp {
            rel,
            dest: dest.display().to_string(),
            source: cstring(typ, "mount type")?,
            fstype: None,
            flags: o.flags,
            data: None,
            attrs: 0,
            file: false,
            // Everything is already private after `/` was made rprivate.
            propagation: match o.propagation.contains(MsFlags::MS_PRIVATE) {
                true => MsFlags::empty(),
                false => o.propagation,
            },
        };
        let rec = if o.recursive {
            MsFlags::MS_REC
        } else {
            MsFlags::empty()
        };
        if o.bind || typ == "bind" {
            let src = m
                .source()
                .as_deref()
                .ok_or_else(|| setup(format!("bind mount on {} has no source", dest.display())))?;
            let src = bundle.join(src); // unchanged when absolute
            let meta = std::fs::metadata(&src)
                .map_err(|e| setup(format!("bind mount source {}: {e}", src.display())))?;
            op.source = cpath(&src)?;
            (op.flags, op.attrs, op.file) = (
                MsFlags::MS_BIND | rec,
                mounts::bind_attrs(o.flags),
                !meta.is_dir(),
            );
        } else if typ == "sysfs" && !own_net {
            // sysfs needs a network namespace of our own: bind the host's.
            op.source = c"/sys".into();
            op.flags = MsFlags::MS_BIND | MsFlags::MS_REC;
            op.attrs = mounts::bind_attrs(o.flags) | mounts::ATTR_RDONLY;
        } else {
            let data = match id_map {
                Some(map) => mounts::filter_ids(o.data, |is_uid, id| {
                    caps::mapped(if is_uid { &map.uids } else { &map.gids }, id)
                }),
                None => o.data,
            };
            if let Some(s) = m.source() {
                op.source = cpath(s)?;
            }
            op.fstype = Some(cstring(typ, "mount type")?);
            if !data.is_empty() {
                op.data = Some(cstring(data.join(","), "mount options")?);
            }
        }
        ops.push(op);
    }
    Ok(ops)
}

fn build_devices(spec: &Spec) -> Result<Vec<DevNode>, SpawnError> {
    let mut nodes = Vec::new();
    for n in ["null", "zero", "full", "random", "urandom", "tty"] {
        nodes.push(DevNode {
            source: cstring(format!("/dev/{n}"), n)?,
            rel: cstring(format!("dev/{n}"), n)?,
        });
    }
    let list = spec.linux().as_ref().and_then(|l| l.devices().as_ref());
    for d in list.into_iter().flatten() {
        let class = match d.typ() {
            LinuxDeviceType::B => "block",
            LinuxDeviceType::C | LinuxDeviceType::U => "char",
            _ => continue,
        };
        let rel = mounts::relative_dest(d.path())
            .ok_or_else(|| setup(format!("invalid device path {}", d.path().display())))?;
        nodes.retain(|n| n.rel != rel);
        // The host's node: the same path if it is that device, else udev's
        // /dev/{char,block}/MAJ:MIN.
        let same = |p: &Path| {
            std::fs::metadata(p).is_ok_and(|m| {
                use std::os::unix::fs::MetadataExt;
                let (maj, min) = (
                    nix::sys::stat::major(m.rdev()),
                    nix::sys::stat::minor(m.rdev()),
                );
                i64::try_from(maj).ok() == Some(d.major())
                    && i64::try_from(min).ok() == Some(d.minor())
            })
        };
        let by_number = PathBuf::from(format!("/dev/{class}/{}:{}", d.major(), d.minor()));
        let source = match (same(d.path()), same(&by_number)) {
            (true, _) => d.path().clone(),
            (_, true) => by_number,
            _ => {
                return Err(setup(format!(
                    "device {} not found on the host",
                    d.path().display()
                )))
            }
        };
        nodes.push(DevNode {
            source: cpath(&source)?,
            rel,
        });
    }
    Ok(nodes)
}

fn build_plan(opts: SpawnOptions) -> Result<Plan, SpawnError> {
    let spec = opts.spec;
    let process = spec
        .process()
        .as_ref()
        .ok_or_else(|| setup("the config has no process"))?;
    let args = process.args().clone().unwrap_or_default();
    let arg0 = args
        .first()
        .cloned()
        .ok_or_else(|| setup("process.args is empty"))?;
    let env = process.env().clone().unwrap_or_default();
    let root = spec
        .root()
        .as_ref()
        .ok_or_else(|| setup("the config has no root"))?;
    let rootfs = opts.bundle.join(root.path());
    let rootless = opts.id_map.is_some();
    let (clone_flags, join, own_net) = namespaces(spec, rootless)?;
    let linux = spec.linux().as_ref();
    let paths = |v: Option<&Vec<String>>| -> Result<Vec<CString>, SpawnError> {
        v.into_iter()
            .flatten()
            .map(|p| cstring(p.as_str(), p))
            .collect()
    };
    let overlay = match &opts.overlay {
        Some(ov) if ov.driver == Driver::Vfs => Some(OverlayMount::Vfs {
            layers: ov.lower.iter().rev().cloned().collect(),
            marker: opts.bundle.join(storage::VFS_MARKER),
        }),
        Some(ov) if ov.driver == Driver::FuseOverlayfs => Some(OverlayMount::Fuse {
            bin: storage::fuse_overlayfs().map_err(setup)?,
            options: storage::fuse_options(&ov.lower, &ov.upper, &ov.work),
            log: opts.bundle.join("fuse-overlayfs.log"),
        }),
        Some(ov) => {
            let (dir, data) = mounts::overlay_data(&ov.lower, &ov.upper, &ov.work, ov.userxattr);
            Some(match data.len() < mounts::MAX_DATA {
                true => OverlayMount::Data {
                    dir: dir.as_deref().map(cpath).transpose()?,
                    data: cstring(data, "overlay options")?,
                },
                false => OverlayMount::Layers {
                    lower: ov
                        .lower
                        .iter()
                        .map(|p| cpath(p))
                        .collect::<Result<_, _>>()?,
                    upper: cpath(&ov.upper)?,
                    work: cpath(&ov.work)?,
                    userxattr: ov.userxattr,
                },
            })
        }
        None => None,
    };
    let user = process.user();
    let caps = match process.capabilities() {
        Some(c) => Some(CapSets::from_spec(c).map_err(SpawnError::Setup)?),
        None => None,
    };
    let cwd = Path::new("/").join(process.cwd());
    let Stdio::Fds {
        stdin,
        stdout,
        stderr,
    } = opts.stdio;
    Ok(Plan {
        console: None,
        net_ready: None,
        init: spec
            .annotations()
            .as_ref()
            .and_then(|a| a.get(INIT_ANNOTATION))
            .is_some_and(|v| v == "true"),
        clone_flags,
        rootless,
        setgroups: opts.id_map.is_none_or(|m| m.has_ranges()),
        join,
        rootfs: cpath(&rootfs)?,
        overlay,
        mounts: build_mounts(spec, opts.bundle, own_net, opts.id_map)?,
        devices: build_devices(spec)?,
        hostname: spec.hostname().clone().filter(|h| !h.is_empty()),
        readonly_paths: paths(linux.and_then(|l| l.readonly_paths().as_ref()))?,
        masked_paths: paths(linux.and_then(|l| l.masked_paths().as_ref()))?,
        root_readonly: root.readonly() == Some(true),
        cwd: cpath(&cwd)?,
        rlimits: process
            .rlimits()
            .iter()
            .flatten()
            .map(|r| (caps::rlimit(r.typ()), r.soft(), r.hard()))
            .collect(),
        caps,
        uid: user.uid(),
        gid: user.gid(),
        groups: user
            .additional_gids()
            .iter()
            .flatten()
            .map(|g| Gid::from_raw(*g))
            .collect(),
        umask: user.umask(),
        no_new_privs: process.no_new_privileges() == Some(true),
        oom_score_adj: process.oom_score_adj(),
        seccomp: match linux.and_then(|l| l.seccomp().as_ref()) {
            Some(s) => Some(
                super::seccomp::compile_cached(s, opts.cache_dir)
                    .map_err(|e| SpawnError::Setup(format!("compile the seccomp profile: {e}")))?,
            ),
            None => None,
        },
        candidates: exec_candidates(&arg0, &env)
            .into_iter()
            .map(|c| cstring(c, "command"))
            .collect::<Result<_, _>>()?,
        args: args
            .iter()
            .map(|a| cstring(a.as_str(), "argument"))
            .collect::<Result<_, _>>()?,
        env: env
            .iter()
            .map(|e| cstring(e.as_str(), "environment"))
            .collect::<Result<_, _>>()?,
        arg0,
        stdio: [stdin, stdout, stderr],
    })
}
