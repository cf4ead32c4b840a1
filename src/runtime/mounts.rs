//! Mounts of the built-in runtime: turning `spec.mounts` into precomputed
//! operations (parent side, before clone) and performing them inside the
//! container's mount namespace (child side, before pivot_root).
//!
//! Mount targets are resolved inside the rootfs with `openat2(RESOLVE_IN_ROOT)`
//! so that symlinks in an image cannot point a mount (or a created directory)
//! at the host; the mount then goes through `/proc/self/fd/N`.

use std::ffi::{CStr, CString};
use std::io::Write as _;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, FromRawFd, OwnedFd, RawFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path, PathBuf};
use std::ptr;

use nix::errno::Errno;
use nix::fcntl::{openat2, readlinkat, OFlag, OpenHow, ResolveFlag};
use nix::libc;
use nix::mount::{mount, MsFlags};
use nix::sys::stat::{mkdirat, mknodat, Mode, SFlag};

use super::container::SpawnError;

pub(crate) const ATTR_RDONLY: u64 = 0x1;
const ATTR_NOSUID: u64 = 0x2;
const ATTR_NODEV: u64 = 0x4;
const ATTR_NOEXEC: u64 = 0x8;
pub(crate) const AT_RECURSIVE: u32 = 0x8000;

/// `struct mount_attr` of mount_setattr(2).
#[repr(C)]
struct MountAttr {
    attr_set: u64,
    attr_clr: u64,
    propagation: u64,
    userns_fd: u64,
}

/// What one entry of `spec.mounts` becomes: a new file system instance
/// (`fstype` set: proc, tmpfs, devpts…) or a bind mount of a host path
/// (`flags` has MS_BIND, MOUNT_ATTR_* `attrs` are set on it afterwards).
#[derive(Debug)]
pub(crate) struct MountOp {
    /// Destination relative to the rootfs, without a leading slash.
    pub rel: CString,
    /// Destination as written in the spec, for messages.
    pub dest: String,
    pub source: CString,
    pub fstype: Option<CString>,
    pub flags: MsFlags,
    pub data: Option<CString>,
    pub attrs: u64,
    /// The destination is created as a file (bind of a file), else a dir.
    pub file: bool,
    /// Propagation to apply afterwards (shared/slave/unbindable), if any.
    pub propagation: MsFlags,
}

/// Parsed mount options.
#[derive(Debug, PartialEq)]
pub(crate) struct Options {
    pub flags: MsFlags,
    pub propagation: MsFlags,
    pub bind: bool,
    pub recursive: bool,
    pub data: Vec<String>,
}

/// Flag options: name, flag, and whether the option clears the flag.
#[rustfmt::skip]
const FLAG_OPTS: [(&str, MsFlags, bool); 23] = [
    ("bind", MsFlags::MS_BIND, false), ("rbind", MsFlags::MS_BIND.union(MsFlags::MS_REC), false),
    ("ro", MsFlags::MS_RDONLY, false), ("rw", MsFlags::MS_RDONLY, true),
    ("nosuid", MsFlags::MS_NOSUID, false), ("suid", MsFlags::MS_NOSUID, true),
    ("nodev", MsFlags::MS_NODEV, false), ("dev", MsFlags::MS_NODEV, true),
    ("noexec", MsFlags::MS_NOEXEC, false), ("exec", MsFlags::MS_NOEXEC, true),
    ("sync", MsFlags::MS_SYNCHRONOUS, false), ("async", MsFlags::MS_SYNCHRONOUS, true),
    ("dirsync", MsFlags::MS_DIRSYNC, false),
    ("mand", MsFlags::MS_MANDLOCK, false), ("nomand", MsFlags::MS_MANDLOCK, true),
    ("noatime", MsFlags::MS_NOATIME, false), ("atime", MsFlags::MS_NOATIME, true),
    ("nodiratime", MsFlags::MS_NODIRATIME, false), ("diratime", MsFlags::MS_NODIRATIME, true),
    ("relatime", MsFlags::MS_RELATIME, false), ("norelatime", MsFlags::MS_RELATIME, true),
    ("strictatime", MsFlags::MS_STRICTATIME, false), ("nostrictatime", MsFlags::MS_STRICTATIME, true),
];

/// Splits OCI mount options into mount flags, propagation and fs data.
pub(crate) fn parse_options(opts: &[String]) -> Options {
    let (mut flags, mut propagation, mut data) = (MsFlags::empty(), MsFlags::empty(), Vec::new());
    for opt in opts {
        if let Some((_, f, clear)) = FLAG_OPTS.iter().find(|(n, ..)| n == opt) {
            flags = if *clear { flags & !*f } else { flags | *f };
            continue;
        }
        let (rec, bare) = match opt.strip_prefix('r') {
            Some(b) => (MsFlags::MS_REC, b),
            None => (MsFlags::empty(), opt.as_str()),
        };
        match bare {
            "private" => propagation = MsFlags::MS_PRIVATE | rec,
            "shared" => propagation = MsFlags::MS_SHARED | rec,
            "slave" => propagation = MsFlags::MS_SLAVE | rec,
            "unbindable" => propagation = MsFlags::MS_UNBINDABLE | rec,
            // runc extensions kist does not use.
            "tmpcopyup" | "idmap" | "remount" => {}
            _ => data.push(opt.clone()),
        }
    }
    let special = MsFlags::MS_BIND | MsFlags::MS_REC;
    Options {
        flags: flags & !special,
        propagation,
        bind: flags.contains(MsFlags::MS_BIND),
        recursive: flags.contains(MsFlags::MS_REC),
        data,
    }
}

/// MOUNT_ATTR_* bits for the flags a bind mount gets after the fact.
pub(crate) fn bind_attrs(flags: MsFlags) -> u64 {
    let mut a = 0;
    for (f, bit) in [
        (MsFlags::MS_RDONLY, ATTR_RDONLY),
        (MsFlags::MS_NOSUID, ATTR_NOSUID),
        (MsFlags::MS_NODEV, ATTR_NODEV),
        (MsFlags::MS_NOEXEC, ATTR_NOEXEC),
    ] {
        if flags.contains(f) {
            a |= bit;
        }
    }
    a
}

/// `/a/./b//c/` → `a/b/c` (no leading slash; `..` is left to RESOLVE_IN_ROOT).
pub(crate) fn relative_dest(dest: &Path) -> Option<CString> {
    let parts: Vec<&[u8]> = dest
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.as_bytes()),
            Component::ParentDir => Some(&b".."[..]),
            _ => None,
        })
        .collect();
    if parts.is_empty() {
        return None;
    }
    CString::new(parts.join(&b'/')).ok()
}

/// Keeps `uid=N`/`gid=N` fs options only when `mapped(N)`.
pub(crate) fn filter_ids(data: Vec<String>, mapped: impl Fn(bool, u32) -> bool) -> Vec<String> {
    data.into_iter()
        .filter(|o| {
            let (is_uid, v) = match (o.strip_prefix("uid="), o.strip_prefix("gid=")) {
                (Some(v), _) => (true, v),
                (_, Some(v)) => (false, v),
                _ => return true,
            };
            v.parse().map(|id| mapped(is_uid, id)).unwrap_or(true)
        })
        .collect()
}

/// Writes `/proc/self/fd/N` into `buf` without allocating.
pub(crate) fn procfd(fd: RawFd, buf: &mut [u8; 32]) -> &CStr {
    {
        let mut w = &mut buf[..];
        let _ = write!(w, "/proc/self/fd/{fd}\0");
    }
    CStr::from_bytes_until_nul(buf).unwrap_or(c"/proc/self/fd")
}

fn open_in(root: BorrowedFd, rel: &CStr) -> nix::Result<OwnedFd> {
    let how = OpenHow::new()
        .flags(OFlag::O_PATH | OFlag::O_CLOEXEC)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    openat2(root, rel, how)
}

/// Opens `rel` inside `root` (O_PATH), creating it (a directory, or an empty
/// file when `file`) and its missing parents like runc does; a dangling
/// symlink on the way gets its target created, inside the root as well.
pub(crate) fn resolve(root: BorrowedFd, rel: &CStr, file: bool) -> nix::Result<OwnedFd> {
    resolve_in(root, rel, file, 16)
}

fn resolve_in(root: BorrowedFd, rel: &CStr, file: bool, links: u8) -> nix::Result<OwnedFd> {
    match open_in(root, rel) {
        Err(Errno::ENOENT) => {}
        other => return other,
    }
    let cstr = |b: &[u8]| CString::new(b).map_err(|_| Errno::EINVAL);
    let bytes = rel.to_bytes();
    let (parent, name) = match bytes.iter().rposition(|&b| b == b'/') {
        Some(i) => (&bytes[..i], &bytes[i + 1..]),
        None => (&b""[..], bytes),
    };
    let parent_fd = match parent.is_empty() {
        true => None,
        false => Some(resolve_in(root, &cstr(parent)?, false, links)?),
    };
    let dir = parent_fd.as_ref().map_or(root, |f| f.as_fd());
    let name = cstr(name)?;
    let made = match file {
        true => mknodat(
            dir,
            name.as_c_str(),
            SFlag::S_IFREG,
            Mode::from_bits_truncate(0o644),
            0,
        ),
        false => mkdirat(dir, name.as_c_str(), Mode::from_bits_truncate(0o755)),
    };
    match made {
        Ok(()) => open_in(root, rel),
        Err(Errno::EEXIST) if links > 0 => {
            // `name` exists but does not resolve: a dangling symlink.
            let target = readlinkat(dir, name.as_c_str())?;
            let target = target.as_bytes();
            let next = match target.strip_prefix(b"/") {
                Some(abs) => abs.to_vec(),
                None if parent.is_empty() => target.to_vec(),
                None => [parent, b"/", target].concat(),
            };
            resolve_in(root, &cstr(&next)?, file, links - 1)
        }
        Err(Errno::EEXIST) => Err(Errno::ELOOP),
        Err(e) => Err(e),
    }
}

/// mount_setattr(2): sets MOUNT_ATTR_* bits on the mount at `path`.
pub(crate) fn set_attrs(dirfd: RawFd, path: &CStr, flags: u32, set: u64) -> nix::Result<()> {
    let attr = MountAttr {
        attr_set: set,
        attr_clr: 0,
        propagation: 0,
        userns_fd: 0,
    };
    // SAFETY: `path` is NUL-terminated and `attr` is a properly laid out
    // `struct mount_attr` whose size is passed; both outlive the call.
    let res = unsafe {
        libc::syscall(
            libc::SYS_mount_setattr,
            dirfd,
            path.as_ptr(),
            flags,
            &attr as *const MountAttr,
            std::mem::size_of::<MountAttr>(),
        )
    };
    Errno::result(res).map(drop)
}

pub(crate) fn fail(what: &str, dest: &str, e: Errno) -> SpawnError {
    SpawnError::Setup(format!("{what} on {dest}: {e}"))
}

/// Performs one precomputed mount below the rootfs `root`.
pub(crate) fn mount_one(root: BorrowedFd, m: &MountOp) -> Result<(), SpawnError> {
    let (source, fstype, flags, attrs) = (&m.source, m.fstype.as_deref(), m.flags, m.attrs);
    let what = || match fstype {
        Some(t) => format!("mount {}", t.to_string_lossy()),
        None => format!("bind {}", source.to_string_lossy()),
    };
    let target =
        resolve(root, &m.rel, m.file).map_err(|e| fail("create mount point", &m.dest, e))?;
    let mut buf = [0u8; 32];
    let t = procfd(target.as_raw_fd(), &mut buf);
    mount(Some(source.as_c_str()), t, fstype, flags, m.data.as_deref())
        .map_err(|e| fail(&what(), &m.dest, e))?;
    if attrs == 0 && m.propagation.is_empty() {
        return Ok(());
    }
    // The O_PATH fd still names the covered directory: reopen the new mount.
    let top = open_in(root, &m.rel).map_err(|e| fail(&what(), &m.dest, e))?;
    if attrs != 0 {
        let rec = if flags.contains(MsFlags::MS_REC) {
            AT_RECURSIVE
        } else {
            0
        };
        let at = libc::AT_EMPTY_PATH as u32 | rec;
        set_attrs(top.as_raw_fd(), c"", at, attrs)
            .map_err(|e| fail(&format!("{} (set flags)", what()), &m.dest, e))?;
    }
    if !m.propagation.is_empty() {
        let none = None::<&CStr>;
        let t = procfd(top.as_raw_fd(), &mut buf);
        mount(none, t, none, m.propagation, none)
            .map_err(|e| fail("set propagation", &m.dest, e))?;
    }
    Ok(())
}

/// Mount data longer than this does not fit in the page mount(2) copies.
pub(crate) const MAX_DATA: usize = 4000;

const FSCONFIG_SET_FLAG: libc::c_uint = 0;
const FSCONFIG_SET_STRING: libc::c_uint = 1;
const FSCONFIG_CMD_CREATE: libc::c_uint = 6;
const MOVE_MOUNT_F_EMPTY_PATH: libc::c_uint = 4;

/// Mounts an overlay on `target` through fsopen/fsconfig, one `lowerdir+`
/// per layer (Linux 6.8+): for layer lists too long for one page of data.
pub(crate) fn overlay_by_layers(
    target: &CStr,
    lower: &[CString],
    upper: &CStr,
    work: &CStr,
    userxattr: bool,
) -> nix::Result<()> {
    overlay_fsconfig(target, lower, Some((upper, work)), userxattr)
}

/// The fsopen/fsconfig/fsmount/move_mount sequence of an overlay; without
/// `upper_work` the overlay is read-only.
fn overlay_fsconfig(
    target: &CStr,
    lower: &[CString],
    upper_work: Option<(&CStr, &CStr)>,
    userxattr: bool,
) -> nix::Result<()> {
    use libc::{syscall, SYS_fsconfig, SYS_fsmount, SYS_fsopen, SYS_move_mount};
    let own = |r: libc::c_long| -> nix::Result<OwnedFd> {
        // SAFETY: a new descriptor just returned by the kernel, owned by nobody else.
        Errno::result(r).map(|fd| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
    };
    // SAFETY: a NUL-terminated name and FSOPEN_CLOEXEC.
    let fs = own(unsafe { syscall(SYS_fsopen, c"overlay".as_ptr(), 1) })?;
    let config = |cmd: libc::c_uint, key: Option<&CStr>, value: Option<&CStr>| {
        let (k, v) = (
            key.map_or(ptr::null(), CStr::as_ptr),
            value.map_or(ptr::null(), CStr::as_ptr),
        );
        // SAFETY: `fs` is an fs context; key and value are NUL-terminated or null.
        Errno::result(unsafe { syscall(SYS_fsconfig, fs.as_raw_fd(), cmd, k, v, 0) }).map(drop)
    };
    config(FSCONFIG_SET_STRING, Some(c"source"), Some(c"overlay"))?;
    for l in lower {
        config(FSCONFIG_SET_STRING, Some(c"lowerdir+"), Some(l))?;
    }
    if let Some((upper, work)) = upper_work {
        config(FSCONFIG_SET_STRING, Some(c"upperdir"), Some(upper))?;
        config(FSCONFIG_SET_STRING, Some(c"workdir"), Some(work))?;
    }
    if userxattr {
        config(FSCONFIG_SET_FLAG, Some(c"userxattr"), None)?;
    }
    config(FSCONFIG_CMD_CREATE, None, None)?;
    // SAFETY: `fs` is a created fs context; 1 is FSMOUNT_CLOEXEC.
    let mnt = own(unsafe { syscall(SYS_fsmount, fs.as_raw_fd(), 1, 0) })?;
    let (from, to) = (mnt.as_raw_fd(), target.as_ptr());
    // SAFETY: `mnt` is a detached mount; both paths are NUL-terminated.
    let r = unsafe {
        syscall(
            SYS_move_mount,
            from,
            c"".as_ptr(),
            libc::AT_FDCWD,
            to,
            MOVE_MOUNT_F_EMPTY_PATH,
        )
    };
    Errno::result(r).map(drop)
}

/// `lowerdir=…,upperdir=…,workdir=…[,userxattr]`, with paths relative to the
/// returned directory when the absolute form would not fit in one page (the
/// caller falls back to [`overlay_by_layers`] when even that is too long).
pub(crate) fn overlay_data(
    lower: &[PathBuf],
    upper: &Path,
    work: &Path,
    userxattr: bool,
) -> (Option<PathBuf>, String) {
    let build = |base: Option<&Path>| {
        let fmt = |p: &Path| {
            let p = base.and_then(|b| p.strip_prefix(b).ok()).unwrap_or(p);
            let s = p.to_string_lossy();
            let s = if s.is_empty() { ".".into() } else { s };
            let escaped = s.replace('\\', "\\\\").replace(',', "\\,");
            escaped.replace(':', "\\:")
        };
        let lowers: Vec<String> = lower.iter().map(|p| fmt(p)).collect();
        let mut d = format!(
            "lowerdir={},upperdir={},workdir={}",
            lowers.join(":"),
            fmt(upper),
            fmt(work)
        );
        if userxattr {
            d.push_str(",userxattr");
        }
        d
    };
    let abs = build(None);
    if abs.len() < MAX_DATA {
        return (None, abs);
    }
    let mut common = upper.to_path_buf();
    for p in lower.iter().map(|p| p.as_path()).chain([work]) {
        while !p.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    let rel = build(Some(&common));
    (Some(common), rel)
}

/// Mounts a read-only overlay of `lower` (top first, at least two) on
/// `target`, in a private mount namespace of the calling process (made here
/// unless it already is one of kist's user namespaces). For `kist export`.
pub fn overlay_read_only(lower: &[PathBuf], target: &Path, userxattr: bool) -> nix::Result<()> {
    if crate::runtime::userns::inside().is_none() {
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWNS)?;
    }
    nix::mount::mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )?;
    let cstr = |p: &Path| CString::new(p.as_os_str().as_bytes()).map_err(|_| Errno::EINVAL);
    let lower = lower
        .iter()
        .map(|l| cstr(l))
        .collect::<nix::Result<Vec<_>>>()?;
    overlay_fsconfig(&cstr(target)?, &lower, None, userxattr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn parses_docker_options() {
        let o = parse_options(&s(&["nosuid", "strictatime", "mode=755", "size=65536k"]));
        assert_eq!(o.flags, MsFlags::MS_NOSUID | MsFlags::MS_STRICTATIME);
        assert_eq!(o.data, s(&["mode=755", "size=65536k"]));
        assert!(!o.bind);
        let o = parse_options(&s(&["rbind", "ro", "rprivate", "noexec"]));
        assert!(o.bind && o.recursive);
        assert_eq!(o.flags, MsFlags::MS_RDONLY | MsFlags::MS_NOEXEC);
        assert_eq!(o.propagation, MsFlags::MS_PRIVATE | MsFlags::MS_REC);
        assert_eq!(bind_attrs(o.flags), ATTR_RDONLY | ATTR_NOEXEC);
        let o = parse_options(&s(&["bind", "ro", "rw", "slave"]));
        assert!(o.bind && !o.recursive);
        assert_eq!(o.flags, MsFlags::empty());
        assert_eq!(o.propagation, MsFlags::MS_SLAVE);
    }

    #[test]
    fn filters_unmapped_ids() {
        let d = s(&["newinstance", "gid=5", "uid=7", "mode=0620"]);
        let kept = filter_ids(d.clone(), |_, id| id == 5);
        assert_eq!(kept, s(&["newinstance", "gid=5", "mode=0620"]));
        assert_eq!(filter_ids(d, |_, _| true).len(), 4);
    }

    #[test]
    fn relative_destinations() {
        assert_eq!(
            relative_dest(Path::new("/etc//hosts/")).unwrap().as_bytes(),
            b"etc/hosts"
        );
        assert_eq!(
            relative_dest(Path::new("/a/./b/../c")).unwrap().as_bytes(),
            b"a/b/../c"
        );
        assert!(relative_dest(Path::new("/")).is_none());
    }

    #[test]
    fn procfd_formats() {
        let mut b = [0u8; 32];
        assert_eq!(procfd(42, &mut b), c"/proc/self/fd/42");
    }

    #[test]
    fn overlay_data_short_and_long() {
        let (dir, d) = overlay_data(
            &[PathBuf::from("/l/a"), PathBuf::from("/l/b:c")],
            Path::new("/u"),
            Path::new("/w"),
            true,
        );
        assert!(dir.is_none());
        assert_eq!(d, "lowerdir=/l/a:/l/b\\:c,upperdir=/u,workdir=/w,userxattr");
        let base = format!("/var/lib/kist/{}", "x".repeat(60));
        let lower: Vec<PathBuf> = (0..100)
            .map(|i| format!("{base}/layers/{i:03}/diff").into())
            .collect();
        let (dir, d) = overlay_data(
            &lower,
            Path::new(&format!("{base}/c/upper")),
            Path::new(&format!("{base}/c/work")),
            false,
        );
        assert_eq!(dir, Some(PathBuf::from(&base)));
        assert!(d.starts_with("lowerdir=layers/000/diff:layers/001/diff:"));
        assert!(d.ends_with(",upperdir=c/upper,workdir=c/work"));
        assert!(d.len() < MAX_DATA);
    }
}
