//! The runtime's bundle and the helper that mounts the overlay and runs
//! `RUNTIME create` and `RUNTIME start` inside its own namespaces.

use std::fs;
use std::os::fd::OwnedFd;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::errno::Errno;
use nix::libc;
use nix::mount::{mount, MsFlags};
use nix::sched::{unshare, CloneFlags};
use nix::sys::wait::waitpid;
use nix::unistd::{chdir, setresgid, setresuid, Gid, Pid, Uid};
use oci_spec::runtime::Spec;

use super::setup;
use crate::runtime::caps;
use crate::runtime::container::{Overlay, SpawnError};
use crate::runtime::idmap::IdMap;
use crate::runtime::mounts;

/// Writes `bundle/runtime-config/config.json`; returns the rootfs path.
pub(super) fn write_bundle(
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
pub(super) fn unmapped_ids(v: &mut serde_json::Value, map: &IdMap) {
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
pub(super) enum OverlayData {
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

pub(super) fn overlay_mount(ov: &Overlay) -> Result<OverlayData, SpawnError> {
    if ov.driver != super::super::storage::Driver::Overlay {
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
pub(super) struct Job<'a> {
    pub(super) bin: &'a Path,
    pub(super) global: Vec<std::ffi::OsString>,
    pub(super) bundle: &'a Path,
    pub(super) pid_file: &'a Path,
    pub(super) id: &'a str,
    pub(super) rootfs: &'a Path,
    pub(super) overlay: Option<OverlayData>,
    pub(super) stdio: [OwnedFd; 3],
    pub(super) rootless: bool,
    /// `--console-socket` (a `-t` container).
    pub(super) console: Option<PathBuf>,
}

/// The helper: never returns. Reports a set-up failure as text on `err`,
/// a failed runtime step as `runtime:STEP` (the log has the detail).
/// The helper's ends of the network sync: (created, network up).
type NetSync = Option<(OwnedFd, OwnedFd)>;

pub(super) fn helper_main(
    job: &Job,
    err: OwnedFd,
    sync: Option<(OwnedFd, OwnedFd)>,
    net: NetSync,
) -> ! {
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

pub(super) fn helper(
    job: &Job,
    sync: Option<(OwnedFd, OwnedFd)>,
    net: NetSync,
) -> Result<(), String> {
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
pub(super) fn reap(pid: Pid) {
    while waitpid(pid, None) == Err(Errno::EINTR) {}
}
