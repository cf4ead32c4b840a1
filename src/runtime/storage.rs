//! Storage drivers of a container's rootfs: native overlay (the default),
//! fuse-overlayfs (the `fuse-overlayfs` binary mounts the same layers) and
//! vfs (a private copy of the layers in `bundle/rootfs`).
//!
//! With no driver configured, the driver in use is chosen by probing: native
//! overlay when this user can mount one in a user namespace, else
//! fuse-overlayfs when it is installed and /dev/fuse is usable, else vfs. The
//! probe's result is cached in the runroot.

use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use nix::fcntl::{AtFlags, AT_FDCWD};
use nix::libc;
use nix::sys::stat::{utimensat, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{fchownat, Gid, Uid};

/// Where the probe's answer is kept.
const PROBE_FILE: &str = "storage-driver";
/// The marker, in the container's directory, of a populated vfs rootfs.
pub const VFS_MARKER: &str = "rootfs.vfs";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Driver {
    Overlay,
    FuseOverlayfs,
    Vfs,
}

impl Driver {
    /// A recorded or configured name; empty (old records) is overlay.
    pub fn parse(name: &str) -> Driver {
        match name {
            "fuse-overlayfs" => Driver::FuseOverlayfs,
            "vfs" => Driver::Vfs,
            _ => Driver::Overlay,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Driver::Overlay => "overlay",
            Driver::FuseOverlayfs => "fuse-overlayfs",
            Driver::Vfs => "vfs",
        }
    }
}

/// The driver in use: the configured one when the user chose one, else the
/// first that works of overlay, fuse-overlayfs, vfs.
pub fn in_use(configured: &str, explicit: bool, rootless: bool, runroot: &Path) -> Driver {
    if explicit || !rootless {
        return Driver::parse(configured);
    }
    let cache = runroot.join(PROBE_FILE);
    if let Ok(text) = fs::read_to_string(&cache) {
        let name = text.trim();
        if ["overlay", "fuse-overlayfs", "vfs"].contains(&name) {
            return Driver::parse(name);
        }
    }
    let driver = if native_overlay_works(runroot) {
        Driver::Overlay
    } else if fuse_overlayfs().is_ok() {
        Driver::FuseOverlayfs
    } else {
        Driver::Vfs
    };
    if fs::create_dir_all(runroot).is_ok() {
        let tmp = runroot.join(format!("{PROBE_FILE}.{}", std::process::id()));
        if fs::write(&tmp, driver.name()).is_ok() {
            let _ = fs::rename(&tmp, &cache);
        }
    }
    driver
}

/// The fuse-overlayfs binary, when it and /dev/fuse can be used.
pub fn fuse_overlayfs() -> Result<PathBuf, String> {
    let path = std::env::var_os("PATH").unwrap_or_else(|| "/usr/bin:/bin".into());
    let bin = std::env::split_paths(&path)
        .map(|d| d.join("fuse-overlayfs"))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            "the fuse-overlayfs storage driver needs the fuse-overlayfs binary, which is not in $PATH\nhint: install the fuse-overlayfs package (apt-get install fuse-overlayfs), or use --storage-driver vfs"
                .to_string()
        })?;
    if let Err(e) = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/fuse")
    {
        return Err(format!(
            "the fuse-overlayfs storage driver needs /dev/fuse, which cannot be opened: {e}\nhint: make it usable by everyone (as root: chmod 666 /dev/fuse), or use --storage-driver vfs"
        ));
    }
    Ok(bin)
}

/// Whether this user can mount an overlay (userxattr) in a new user and
/// mount namespace. Forks only when the process is single-threaded; else
/// answers from the kernel version (5.11 allows unprivileged overlay).
fn native_overlay_works(runroot: &Path) -> bool {
    let threads = fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Threads:").map(|v| v.trim().to_string()))
        })
        .and_then(|v| v.parse::<u32>().ok());
    if threads != Some(1) {
        return kernel_at_least(5, 11);
    }
    let dir = runroot.join(format!("overlay-probe.{}", std::process::id()));
    let parts = ["lower", "upper", "work", "merged"].map(|p| dir.join(p));
    if parts.iter().any(|p| fs::create_dir_all(p).is_err()) {
        let _ = fs::remove_dir_all(&dir);
        return kernel_at_least(5, 11);
    }
    let data = format!(
        "lowerdir={},upperdir={},workdir={},userxattr",
        parts[0].display(),
        parts[1].display(),
        parts[2].display()
    );
    let ok = match (
        CString::new(data),
        CString::new(parts[3].as_os_str().as_bytes()),
    ) {
        (Ok(data), Ok(target)) => probe_child(&data, &target),
        _ => false,
    };
    let _ = fs::set_permissions(parts[2].join("work"), fs::Permissions::from_mode(0o700));
    let _ = fs::remove_dir_all(&dir);
    ok
}

fn probe_child(data: &CString, target: &CString) -> bool {
    use nix::sched::{unshare, CloneFlags};
    use nix::sys::wait::{waitpid, WaitStatus};
    use nix::unistd::{fork, ForkResult};
    let (uid, gid) = (nix::unistd::getuid(), nix::unistd::getgid());
    let maps = [
        ("/proc/self/uid_map", format!("0 {uid} 1")),
        ("/proc/self/setgroups", "deny".to_string()),
        ("/proc/self/gid_map", format!("0 {gid} 1")),
    ];
    // SAFETY: the caller checked that this process has a single thread, so
    // the child may allocate and run ordinary Rust code before `_exit`.
    match unsafe { fork() } {
        Ok(ForkResult::Child) => {
            let ok = unshare(CloneFlags::CLONE_NEWUSER | CloneFlags::CLONE_NEWNS).is_ok()
                && maps.iter().all(|(f, v)| fs::write(f, v).is_ok())
                && nix::mount::mount(
                    Some(c"overlay"),
                    target.as_c_str(),
                    Some(c"overlay"),
                    nix::mount::MsFlags::empty(),
                    Some(data.as_c_str()),
                )
                .is_ok();
            // SAFETY: ends the forked child without running the parent's
            // exit handlers.
            unsafe { libc::_exit(if ok { 0 } else { 1 }) }
        }
        Ok(ForkResult::Parent { child }) => {
            matches!(waitpid(child, None), Ok(WaitStatus::Exited(_, 0)))
        }
        Err(_) => false,
    }
}

fn kernel_at_least(major: u32, minor: u32) -> bool {
    let Ok(u) = nix::sys::utsname::uname() else {
        return true;
    };
    let release = u.release().to_string_lossy().into_owned();
    let mut it = release
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse::<u32>().ok());
    let (a, b) = (it.next().unwrap_or(0), it.next().unwrap_or(0));
    (a, b) >= (major, minor)
}

/// The mount options of fuse-overlayfs (lower dirs top first).
pub fn fuse_options(lower: &[PathBuf], upper: &Path, work: &Path) -> String {
    let lower: Vec<String> = lower.iter().map(|p| p.display().to_string()).collect();
    format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.join(":"),
        upper.display(),
        work.display()
    )
}

/// Copies the layers (bottom first) into `rootfs`, applying whiteouts and
/// opaque directories, unless `marker` says it was done; then creates the
/// marker. Runs as root of the container's user namespace.
pub fn populate(layers: &[PathBuf], rootfs: &Path, marker: &Path) -> Result<(), String> {
    if marker.exists() {
        return Ok(());
    }
    fs::create_dir_all(rootfs).map_err(|e| format!("create {}: {e}", rootfs.display()))?;
    // A copy cut short: start again from an empty directory.
    clear(rootfs).map_err(|e| format!("clear {}: {e}", rootfs.display()))?;
    for layer in layers {
        apply(layer, rootfs).map_err(|e| format!("copy layer {}: {e}", layer.display()))?;
        let meta = fs::symlink_metadata(layer).map_err(|e| e.to_string())?;
        copy_meta(layer, rootfs, &meta).map_err(|e| e.to_string())?;
    }
    fs::write(marker, b"").map_err(|e| format!("create {}: {e}", marker.display()))
}

fn err_at(p: &Path) -> impl Fn(io::Error) -> io::Error + '_ {
    move |e| io::Error::new(e.kind(), format!("{}: {e}", p.display()))
}

fn remove_any(p: &Path) -> io::Result<()> {
    match fs::symlink_metadata(p) {
        Ok(m) if m.is_dir() => fs::remove_dir_all(p),
        Ok(_) => fs::remove_file(p),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(e),
    }
}

fn clear(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        remove_any(&entry?.path())?;
    }
    Ok(())
}

fn apply(src: &Path, dst: &Path) -> io::Result<()> {
    for entry in fs::read_dir(src).map_err(err_at(src))? {
        let entry = entry?;
        let s = entry.path();
        let d = dst.join(entry.file_name());
        let meta = fs::symlink_metadata(&s).map_err(err_at(&s))?;
        let ft = meta.file_type();
        if ft.is_char_device() && meta.rdev() == 0 {
            remove_any(&d).map_err(err_at(&d))?;
            continue;
        }
        if ft.is_dir() {
            match fs::symlink_metadata(&d) {
                Ok(m) if m.is_dir() => {
                    if opaque(&s) {
                        clear(&d).map_err(err_at(&d))?;
                    }
                }
                _ => {
                    remove_any(&d).map_err(err_at(&d))?;
                    fs::create_dir(&d).map_err(err_at(&d))?;
                }
            }
            apply(&s, &d)?;
        } else {
            remove_any(&d).map_err(err_at(&d))?;
            if ft.is_symlink() {
                std::os::unix::fs::symlink(fs::read_link(&s)?, &d).map_err(err_at(&d))?;
            } else if ft.is_file() {
                fs::copy(&s, &d).map_err(err_at(&d))?;
            } else {
                let kind = nix::sys::stat::SFlag::from_bits_truncate(meta.mode());
                let perm = nix::sys::stat::Mode::from_bits_truncate(meta.mode());
                match nix::sys::stat::mknod(&d, kind, perm, meta.rdev()) {
                    // Real devices cannot be made in a user namespace.
                    Err(nix::Error::EPERM) => continue,
                    r => r.map_err(io::Error::from).map_err(err_at(&d))?,
                }
            }
        }
        copy_meta(&s, &d, &meta).map_err(err_at(&d))?;
    }
    Ok(())
}

fn cstr(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes()).map_err(|_| io::ErrorKind::InvalidInput.into())
}

fn is_overlay_attr(name: &[u8]) -> bool {
    name.starts_with(b"user.overlay.")
        || name.starts_with(b"trusted.overlay.")
        || name.starts_with(b"user.fuseoverlayfs.")
}

fn opaque(dir: &Path) -> bool {
    let Ok(p) = cstr(dir) else { return false };
    [c"user.overlay.opaque", c"trusted.overlay.opaque"]
        .iter()
        .any(|name| get_xattr(&p, name).is_some_and(|v| v == b"y"))
}

fn get_xattr(p: &CString, name: &std::ffi::CStr) -> Option<Vec<u8>> {
    let mut buf = vec![0u8; 256];
    loop {
        // SAFETY: both strings are NUL-terminated; the buffer is valid for
        // `buf.len()` bytes.
        let n = unsafe {
            libc::lgetxattr(
                p.as_ptr(),
                name.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        };
        if n >= 0 {
            buf.truncate(n as usize);
            return Some(buf);
        }
        if io::Error::last_os_error().raw_os_error() != Some(libc::ERANGE) || buf.len() > 1 << 20 {
            return None;
        }
        buf.resize(buf.len() * 4, 0);
    }
}

fn list_xattrs(p: &CString) -> Vec<CString> {
    let mut buf = vec![0u8; 1024];
    loop {
        // SAFETY: the path is NUL-terminated; the buffer is valid for
        // `buf.len()` bytes.
        let n = unsafe { libc::llistxattr(p.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
        if n >= 0 {
            buf.truncate(n as usize);
            break;
        }
        if io::Error::last_os_error().raw_os_error() != Some(libc::ERANGE) || buf.len() > 1 << 20 {
            return vec![];
        }
        buf.resize(buf.len() * 4, 0);
    }
    buf.split(|b| *b == 0)
        .filter(|n| !n.is_empty())
        .filter_map(|n| CString::new(n).ok())
        .collect()
}

/// Owner, mode, xattrs (but overlay's own) and times of `src` onto `dst`.
fn copy_meta(src: &Path, dst: &Path, meta: &fs::Metadata) -> io::Result<()> {
    let symlink = meta.file_type().is_symlink();
    fchownat(
        AT_FDCWD,
        dst,
        Some(Uid::from_raw(meta.uid())),
        Some(Gid::from_raw(meta.gid())),
        AtFlags::AT_SYMLINK_NOFOLLOW,
    )?;
    if !symlink {
        fs::set_permissions(dst, fs::Permissions::from_mode(meta.mode() & 0o7777))?;
    }
    let (s, d) = (cstr(src)?, cstr(dst)?);
    for name in list_xattrs(&s) {
        if is_overlay_attr(name.as_bytes()) {
            continue;
        }
        if let Some(value) = get_xattr(&s, &name) {
            // SAFETY: NUL-terminated strings; the value buffer is valid for
            // its length. Failures (e.g. a namespace the kernel refuses
            // here) leave the attribute out.
            unsafe {
                libc::lsetxattr(
                    d.as_ptr(),
                    name.as_ptr(),
                    value.as_ptr().cast(),
                    value.len(),
                    0,
                )
            };
        }
    }
    let atime = TimeSpec::new(meta.atime(), meta.atime_nsec());
    let mtime = TimeSpec::new(meta.mtime(), meta.mtime_nsec());
    utimensat(
        AT_FDCWD,
        dst,
        &atime,
        &mtime,
        UtimensatFlags::NoFollowSymlink,
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn driver_names() {
        for d in [Driver::Overlay, Driver::FuseOverlayfs, Driver::Vfs] {
            assert_eq!(Driver::parse(d.name()), d);
        }
        assert_eq!(Driver::parse(""), Driver::Overlay);
    }

    #[test]
    fn chosen_or_probed_driver() {
        let dir = std::env::temp_dir().join(format!("kist-storage-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        // Chosen, or root: as given.
        assert_eq!(in_use("vfs", true, true, &dir), Driver::Vfs);
        assert_eq!(in_use("overlay", false, false, &dir), Driver::Overlay);
        // Not chosen, rootless: the cached probe answers.
        fs::write(dir.join(PROBE_FILE), "fuse-overlayfs\n").unwrap();
        assert_eq!(in_use("overlay", false, true, &dir), Driver::FuseOverlayfs);
        fs::write(dir.join(PROBE_FILE), "vfs").unwrap();
        assert_eq!(in_use("overlay", false, true, &dir), Driver::Vfs);
        fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn kernel_versions() {
        assert!(kernel_at_least(2, 6));
        assert!(!kernel_at_least(999, 0));
    }

    #[test]
    fn fuse_options_join_layers() {
        let o = fuse_options(
            &["/a".into(), "/b".into()],
            Path::new("/u"),
            Path::new("/w"),
        );
        assert_eq!(o, "lowerdir=/a:/b,upperdir=/u,workdir=/w");
    }
}
