//! Unpacks a layer tar stream into a directory without ever writing outside it.

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::{openat, AtFlags, OFlag};
use nix::sys::stat::{self, FchmodatFlags, Mode, SFlag, UtimensatFlags};
use nix::sys::time::TimeSpec;
use nix::unistd::{self, Gid, Uid, UnlinkatFlags};

use super::reader::{Entry, Kind, TarReader};
use super::split::SplitBuilder;
use super::{lossy, open_beneath, resolve_err, rm_tree, split_last, Dirs, LayerError};
use crate::runtime::sys;

#[derive(Debug, Clone)]
pub struct ApplyOptions {
    /// "trusted.overlay.opaque" (root store) or "user.overlay.opaque" (rootless, userxattr).
    pub opaque_xattr: &'static str,
    /// False when the user has no subuid range: keep files owned by the caller.
    pub chown: bool,
    /// Rootless: char/block device nodes cannot be created (except whiteouts); skip them.
    pub skip_devices: bool,
}

#[derive(Debug, Default)]
pub struct ApplyReport {
    /// Regular file bytes plus symlink target lengths, like docker's layer size.
    pub size: u64,
    /// Bytes of the tar stream consumed.
    pub tar_size: u64,
    /// Device nodes that were skipped.
    pub skipped: Vec<String>,
}

struct Ctx<'a> {
    opts: &'a ApplyOptions,
    split: SplitBuilder,
    dir_times: Vec<(Vec<u8>, i64, u32)>,
    report: ApplyReport,
    scratch: Vec<u8>,
    /// Set when a directory was removed: the parent cache may point into it.
    removed_dir: bool,
}

fn ts(e: &Entry) -> TimeSpec {
    TimeSpec::new(e.mtime, e.mtime_nsec as i64)
}

impl Ctx<'_> {
    /// Removes whatever is at `full` (= `pfd`/`name`), first moving the content of any
    /// regular files recorded for it into the split record.
    fn remove(&mut self, pfd: BorrowedFd, name: &[u8], full: &[u8]) -> Result<bool, LayerError> {
        let st = match stat::fstatat(pfd, name, AtFlags::AT_SYMLINK_NOFOLLOW) {
            Err(Errno::ENOENT) => return Ok(false),
            r => r.map_err(|e| LayerError::io(full, "stat", e))?,
        };
        let is_dir = st.st_mode & libc_ifmt() == SFlag::S_IFDIR.bits();
        let base = full.len() - name.len();
        for (path, idx) in self.split.pending_under(full, is_dir) {
            let fd = open_beneath(pfd, &path[base..], OFlag::O_RDONLY)
                .map_err(|e| LayerError::io(&path, "read replaced file", e))?;
            let mut data = Vec::new();
            File::from(fd)
                .read_to_end(&mut data)
                .map_err(|e| LayerError::io(&path, "read replaced file", e))?;
            self.split.inline(&path, idx, data);
        }
        if is_dir {
            self.removed_dir = true;
            rm_tree(pfd, name)
        } else {
            unistd::unlinkat(pfd, name, UnlinkatFlags::NoRemoveDir)
        }
        .map_err(|e| LayerError::io(full, "remove", e))?;
        Ok(true)
    }

    /// Runs `create`; if the name exists, removes it and tries once more.
    fn create<T>(
        &mut self,
        pfd: BorrowedFd,
        name: &[u8],
        full: &[u8],
        mut create: impl FnMut() -> nix::Result<T>,
    ) -> Result<T, LayerError> {
        match create() {
            Err(Errno::EEXIST) => {
                self.remove(pfd, name, full)?;
                create()
            }
            r => r,
        }
        .map_err(|e| LayerError::io(full, "create", e))
    }

    fn chown(&self, fd: BorrowedFd, name: Option<&[u8]>, e: &Entry) -> Result<(), LayerError> {
        if !self.opts.chown {
            return Ok(());
        }
        let unmapped = || LayerError::Unmapped {
            path: lossy(&e.name),
            uid: e.uid,
            gid: e.gid,
        };
        let (Ok(uid), Ok(gid)) = (u32::try_from(e.uid), u32::try_from(e.gid)) else {
            return Err(unmapped());
        };
        let (u, g) = (Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)));
        match name {
            Some(n) => unistd::fchownat(fd, n, u, g, AtFlags::AT_SYMLINK_NOFOLLOW),
            None => unistd::fchown(fd, u, g),
        }
        .map_err(|err| match err {
            Errno::EINVAL => unmapped(),
            err => LayerError::io(&e.name, "chown", err),
        })
    }

    /// Sets the PAX xattrs, on `fd` itself or on `fd`/`name` (never following it).
    fn xattrs(&mut self, fd: BorrowedFd, name: Option<&[u8]>, e: &Entry) -> Result<(), LayerError> {
        for (k, v) in &e.xattrs {
            let r = match name {
                None => sys::fsetxattr(fd, k, v),
                Some(n) => {
                    use std::os::fd::AsRawFd;
                    self.scratch.clear();
                    write!(self.scratch, "/proc/self/fd/{}/", fd.as_raw_fd()).ok();
                    self.scratch.extend_from_slice(n);
                    sys::lsetxattr(Path::new(std::ffi::OsStr::from_bytes(&self.scratch)), k, v)
                }
            };
            match r {
                Err(Errno::EPERM | Errno::ENOTSUP)
                    if k.starts_with("trusted.") || k.starts_with("security.") => {}
                r => r.map_err(|err| LayerError::io(&e.name, "set xattr", err))?,
            }
        }
        Ok(())
    }

    /// Metadata for an inode we hold open (regular files, directories).
    fn meta_fd(&mut self, fd: BorrowedFd, e: &Entry, times: bool) -> Result<(), LayerError> {
        self.chown(fd, None, e)?;
        stat::fchmod(fd, Mode::from_bits_truncate(e.mode))
            .map_err(|err| LayerError::io(&e.name, "chmod", err))?;
        self.xattrs(fd, None, e)?;
        if times {
            stat::futimens(fd, &ts(e), &ts(e))
                .map_err(|err| LayerError::io(&e.name, "set times", err))?;
        }
        Ok(())
    }

    /// Metadata for a node addressed by name (symlinks, devices, fifos).
    fn meta_at(&mut self, pfd: BorrowedFd, name: &[u8], e: &Entry) -> Result<(), LayerError> {
        self.chown(pfd, Some(name), e)?;
        if e.kind != Kind::Symlink {
            // Not a symlink: we just created this node ourselves.
            stat::fchmodat(
                pfd,
                name,
                Mode::from_bits_truncate(e.mode),
                FchmodatFlags::FollowSymlink,
            )
            .map_err(|err| LayerError::io(&e.name, "chmod", err))?;
        }
        self.xattrs(pfd, Some(name), e)?;
        stat::utimensat(pfd, name, &ts(e), &ts(e), UtimensatFlags::NoFollowSymlink)
            .map_err(|err| LayerError::io(&e.name, "set times", err))
    }

    fn entry<R: Read>(
        &mut self,
        rd: &mut TarReader<R>,
        e: &Entry,
        pfd: BorrowedFd,
        link_parent: Option<&OwnedFd>,
    ) -> Result<Option<OwnedFd>, LayerError> {
        let name = split_last(&e.path).1;
        let full = e.path.as_slice();
        if let Some(real) = name.strip_prefix(b".wh.") {
            if real == b".wh..opq" {
                sys::fsetxattr(pfd, self.opts.opaque_xattr, b"y")
                    .map_err(|err| LayerError::io(full, "set opaque xattr", err))?;
            } else if !real.starts_with(b".wh.") && !real.is_empty() {
                let mut target = full[..full.len() - name.len()].to_vec();
                target.extend_from_slice(real);
                self.remove(pfd, real, &target)?;
                stat::mknodat(pfd, real, SFlag::S_IFCHR, Mode::empty(), 0)
                    .map_err(|err| LayerError::io(full, "create whiteout", err))?;
                self.chown(pfd, Some(real), e)?;
            }
            return Ok(None);
        }
        let perm = Mode::from_bits_truncate(e.mode & 0o777);
        match e.kind {
            Kind::Regular => {
                let fl = OFlag::O_WRONLY
                    | OFlag::O_CREAT
                    | OFlag::O_EXCL
                    | OFlag::O_NOFOLLOW
                    | OFlag::O_CLOEXEC;
                let fd = self.create(pfd, name, full, || {
                    openat(pfd, name, fl, Mode::from_bits_truncate(0o600))
                })?;
                let mut f = File::from(fd);
                self.split.push_file(full, e.size);
                rd.copy_data(&mut f, &e.name)?;
                self.meta_fd(f.as_fd(), e, true)?;
                self.report.size += e.size;
            }
            Kind::Dir => {
                let mk = || stat::mkdirat(pfd, name, Mode::from_bits_truncate(0o700));
                if let Err(Errno::EEXIST) = mk() {
                    let st = stat::fstatat(pfd, name, AtFlags::AT_SYMLINK_NOFOLLOW)
                        .map_err(|err| LayerError::io(full, "stat", err))?;
                    if st.st_mode & libc_ifmt() != SFlag::S_IFDIR.bits() {
                        self.create(pfd, name, full, mk)?;
                    }
                }
                let fl =
                    OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
                let fd = openat(pfd, name, fl, Mode::empty())
                    .map_err(|err| LayerError::io(full, "open", err))?;
                self.meta_fd(fd.as_fd(), e, false)?;
                self.dir_times.push((e.path.clone(), e.mtime, e.mtime_nsec));
                return Ok(Some(fd));
            }
            Kind::Symlink => {
                self.create(pfd, name, full, || {
                    unistd::symlinkat(e.link.as_slice(), pfd, name)
                })?;
                self.meta_at(pfd, name, e)?;
                self.report.size += e.link.len() as u64;
            }
            Kind::HardLink => {
                let tfd = link_parent.expect("hard link parent").as_fd();
                let tname = split_last(&e.link).1;
                self.create(pfd, name, full, || {
                    unistd::linkat(tfd, tname, pfd, name, AtFlags::empty())
                })?;
            }
            Kind::Char | Kind::Block if self.opts.skip_devices => {
                self.report.skipped.push(lossy(full))
            }
            Kind::Char | Kind::Block | Kind::Fifo => {
                let (kind, dev) = match e.kind {
                    Kind::Char => (
                        SFlag::S_IFCHR,
                        stat::makedev(e.dev_major as u64, e.dev_minor as u64),
                    ),
                    Kind::Block => (
                        SFlag::S_IFBLK,
                        stat::makedev(e.dev_major as u64, e.dev_minor as u64),
                    ),
                    _ => (SFlag::S_IFIFO, 0),
                };
                self.create(pfd, name, full, || {
                    stat::mknodat(pfd, name, kind, perm, dev)
                })?;
                self.meta_at(pfd, name, e)?;
            }
        }
        Ok(None)
    }
}

fn libc_ifmt() -> u32 {
    SFlag::S_IFMT.bits()
}

/// Unpacks the tar stream into `dest` (an existing empty directory) and writes the
/// tar-split record to `split`.
pub fn apply<R: Read, W: Write>(
    input: R,
    dest: &Path,
    opts: &ApplyOptions,
    split: W,
) -> Result<ApplyReport, LayerError> {
    let dest_b = dest.as_os_str().as_bytes();
    let root = nix::fcntl::open(
        dest,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| LayerError::io(dest_b, "open layer directory", e))?;
    let mut dirs = Dirs {
        root,
        cache_path: Vec::new(),
        cache: None,
    };
    let mut ctx = Ctx {
        opts,
        split: SplitBuilder::default(),
        dir_times: Vec::new(),
        report: ApplyReport::default(),
        scratch: Vec::new(),
        removed_dir: false,
    };
    let mut rd = TarReader::new(input);
    let mut e = Entry::default();
    while rd.next_entry(&mut e)? {
        ctx.split.push_raw(&rd.raw);
        rd.raw.clear();
        if e.path.is_empty() {
            if e.kind == Kind::Dir {
                ctx.meta_fd(dirs.root.as_fd(), &e, false)?;
                ctx.dir_times.push((Vec::new(), e.mtime, e.mtime_nsec));
            }
            continue;
        }
        let link_parent = match e.kind {
            Kind::HardLink => {
                let p = split_last(&e.link).0;
                let fd = if p.is_empty() {
                    None
                } else {
                    Some(
                        open_beneath(dirs.root.as_fd(), p, OFlag::O_RDONLY | OFlag::O_DIRECTORY)
                            .map_err(|err| match resolve_err(&e.name, err) {
                                LayerError::ThroughSymlink { .. } => LayerError::LinkEscapes {
                                    path: lossy(&e.name),
                                    target: lossy(&e.link),
                                },
                                other => other,
                            })?,
                    )
                };
                Some(
                    fd.map_or_else(|| dirs.root.try_clone(), Ok)
                        .map_err(|err| LayerError::io(&e.name, "dup", err))?,
                )
            }
            _ => None,
        };
        let pfd = dirs.parent(split_last(&e.path).0, &e.name)?;
        let new_dir = ctx.entry(&mut rd, &e, pfd, link_parent.as_ref())?;
        if std::mem::take(&mut ctx.removed_dir) {
            dirs.cache = None;
        }
        if let Some(fd) = new_dir {
            dirs.cache_path.clone_from(&e.path);
            dirs.cache = Some(fd);
        }
    }
    ctx.split.push_raw(&rd.raw);
    for (path, secs, nsec) in ctx.dir_times.iter().rev() {
        let t = TimeSpec::new(*secs, *nsec as i64);
        let fd = if path.is_empty() {
            Ok(dirs.root.try_clone().map_err(|_| Errno::EBADF))
        } else {
            open_beneath(
                dirs.root.as_fd(),
                path,
                OFlag::O_RDONLY | OFlag::O_DIRECTORY,
            )
            .map(Ok)
        };
        // A directory replaced later by something else simply keeps no time.
        if let Ok(Ok(fd)) = fd {
            stat::futimens(&fd, &t, &t).map_err(|err| LayerError::io(path, "set times", err))?;
        }
    }
    ctx.split.write(split)?;
    let mut report = ctx.report;
    report.tar_size = rd.offset();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{FileTypeExt, MetadataExt};

    use super::super::testutil::{build, raw_header, unpack, ROOT};
    use super::*;
    use tar::EntryType as T;

    fn err(entries: &[(tar::Header, &[u8])]) -> String {
        let (_, r, _) = unpack(&build(entries), &ROOT);
        r.unwrap_err().to_string()
    }

    #[test]
    fn rejects_escaping_paths() {
        let e = err(&[(raw_header(b"../etc/passwd", T::Regular, b"", 1), b"x")]);
        assert_eq!(
            e,
            "layer entry \"../etc/passwd\" escapes the layer directory"
        );
        let e = err(&[(raw_header(b"/etc/x", T::Regular, b"", 1), b"x")]);
        assert!(e.contains("\"/etc/x\" escapes"), "{e}");
        let e = err(&[(raw_header(b"a/../../x", T::Directory, b"", 0), b"")]);
        assert!(e.contains("escapes"), "{e}");
        let (dir, r, _) = unpack(
            &build(&[(raw_header(b"a/../b", T::Regular, b"", 1), b"x")]),
            &ROOT,
        );
        r.unwrap();
        assert!(dir.join("b").is_file());
    }

    #[test]
    fn never_follows_symlinks_out() {
        let outside = super::super::testutil::tmpdir("outside");
        let target = outside.to_str().unwrap().as_bytes().to_vec();
        let e = err(&[
            (raw_header(b"evil", T::Symlink, &target, 0), b""),
            (raw_header(b"evil/file", T::Regular, b"", 4), b"pwnd"),
        ]);
        assert!(e.contains("\"evil/file\"") && e.contains("symlink"), "{e}");
        let e = err(&[
            (raw_header(b"evil", T::Symlink, &target, 0), b""),
            (raw_header(b"evil/sub/file", T::Regular, b"", 4), b"pwnd"),
        ]);
        assert!(e.contains("symlink"), "{e}");
        let e = err(&[
            (raw_header(b"evil", T::Symlink, b"/etc", 0), b""),
            (raw_header(b"h", T::Link, b"evil/passwd", 0), b""),
        ]);
        assert!(e.contains("\"h\"") && e.contains("escapes"), "{e}");
        // A regular file over a symlink replaces the link, never writes through it.
        std::fs::write(outside.join("f"), b"keep").unwrap();
        let mut f = outside.join("f").to_str().unwrap().as_bytes().to_vec();
        f.push(0);
        let (dir, r, _) = unpack(
            &build(&[
                (raw_header(b"l", T::Symlink, &f[..f.len() - 1], 0), b""),
                (raw_header(b"l", T::Regular, b"", 3), b"new"),
            ]),
            &ROOT,
        );
        r.unwrap();
        assert_eq!(std::fs::read(outside.join("f")).unwrap(), b"keep");
        assert_eq!(std::fs::read(dir.join("l")).unwrap(), b"new");
        assert_eq!(std::fs::read_dir(&outside).unwrap().count(), 1);
    }

    #[test]
    fn rejects_escaping_hard_links() {
        let e = err(&[(raw_header(b"h", T::Link, b"../../etc/passwd", 0), b"")]);
        assert!(
            e.contains("hard link target \"../../etc/passwd\" escapes"),
            "{e}"
        );
        let e = err(&[(raw_header(b"h", T::Link, b"/etc/passwd", 0), b"")]);
        assert!(
            e.contains("hard link target \"/etc/passwd\" escapes"),
            "{e}"
        );
    }

    #[test]
    fn whiteouts_and_opaque_dirs() {
        let (dir, r, _) = unpack(
            &build(&[
                (raw_header(b"d/gone", T::Regular, b"", 1), b"x"),
                (raw_header(b"d/.wh.gone", T::Regular, b"", 0), b""),
                (raw_header(b"d/.wh.lower", T::Regular, b"", 0), b""),
                (raw_header(b"o/.wh..wh..opq", T::Regular, b"", 0), b""),
                (raw_header(b".wh..wh.plnk", T::Regular, b"", 0), b""),
            ]),
            &ROOT,
        );
        r.unwrap();
        for w in ["d/gone", "d/lower"] {
            let m = std::fs::symlink_metadata(dir.join(w)).unwrap();
            assert!(m.file_type().is_char_device() && m.rdev() == 0, "{w}");
        }
        let v = sys::lgetxattr(&dir.join("o"), "trusted.overlay.opaque").unwrap();
        assert_eq!(v, b"y");
        assert_eq!(std::fs::read_dir(dir.join("o")).unwrap().count(), 0);
        assert!(!dir.join(".wh..wh.plnk").exists());
    }

    #[test]
    fn ownership_modes_times_and_devices() {
        let mut f = raw_header(b"u/f", T::Regular, b"", 2);
        f.set_uid(1000);
        f.set_gid(1001);
        f.set_mode(0o6750);
        f.set_cksum();
        let mut l = raw_header(b"u/l", T::Symlink, b"f", 0);
        l.set_uid(1002);
        l.set_cksum();
        let mut c = raw_header(b"dev/c", T::Char, b"", 0);
        c.set_device_major(1).unwrap();
        c.set_device_minor(5).unwrap();
        c.set_cksum();
        let opq = raw_header(b"o/.wh..wh..opq", T::Regular, b"", 0);
        let x: &[u8] = b"28 SCHILY.xattr.trusted.k=v\n";
        let xh = || raw_header(b"PaxHeaders/x", T::XHeader, b"", x.len() as u64);
        let fifo = raw_header(b"u/fifo", T::Fifo, b"", 0);
        let tar = build(&[
            (f, b"hi"),
            (xh(), x),
            (l, b""),
            (c, b""),
            (opq, b""),
            (xh(), x),
            (fifo, b""),
        ]);
        let (dir, r, _) = unpack(&tar, &ROOT);
        r.unwrap();
        let m = std::fs::metadata(dir.join("u/f")).unwrap();
        assert_eq!((m.uid(), m.gid(), m.mode() & 0o7777), (1000, 1001, 0o6750));
        assert_eq!(m.mtime(), 1_600_000_000);
        assert_eq!(
            std::fs::symlink_metadata(dir.join("u/l")).unwrap().uid(),
            1002
        );
        assert!(dir.join("dev/c").exists());
        for p in ["u/l", "u/fifo"] {
            assert_eq!(
                sys::lgetxattr(&dir.join(p), "trusted.k").unwrap(),
                b"v",
                "{p}"
            );
        }
        let opts = ApplyOptions {
            opaque_xattr: "user.overlay.opaque",
            chown: false,
            skip_devices: true,
        };
        let (dir, r, _) = unpack(&tar, &opts);
        let rep = r.unwrap();
        assert_eq!(rep.skipped, vec!["dev/c".to_string()]);
        assert_eq!(rep.size, 3);
        assert_eq!(std::fs::metadata(dir.join("u/f")).unwrap().uid(), 0);
        assert!(!dir.join("dev/c").exists());
        assert_eq!(
            sys::lgetxattr(&dir.join("o"), "user.overlay.opaque").unwrap(),
            b"y"
        );
    }
}
