//! Image layer unpacking: a streaming tar reader, the unpacker that turns a layer
//! tar into a directory (later an overlayfs lowerdir), and the tar-split record that
//! lets kist regenerate the byte-identical tar from that directory.

pub mod apply;
pub mod reader;
pub mod split;

pub use apply::{apply, ApplyOptions};
pub use split::reassemble;

use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use nix::dir::Dir;
use nix::errno::Errno;
use nix::fcntl::{openat2, OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::{self, Mode};
use nix::unistd::{self, UnlinkatFlags};

/// Everything that can go wrong while unpacking or reassembling a layer.
#[derive(Debug, thiserror::Error)]
pub enum LayerError {
    #[error("truncated layer: unexpected end of data at byte {offset}")]
    Truncated { offset: u64 },
    #[error("corrupt tar header at byte {offset} ({reason})")]
    CorruptHeader { offset: u64, reason: String },
    #[error("layer entry {path:?} at byte {offset}: {what} not supported yet")]
    Unsupported {
        path: String,
        offset: u64,
        what: String,
    },
    #[error("layer entry {path:?} escapes the layer directory")]
    Escapes { path: String },
    #[error("layer entry {path:?}: hard link target {target:?} escapes the layer directory")]
    LinkEscapes { path: String, target: String },
    #[error("layer entry {path:?}: path goes through a symlink")]
    ThroughSymlink { path: String },
    #[error("layer entry {path:?}: a parent of it is not a directory")]
    NotADirectory { path: String },
    #[error(
        "layer entry {path:?}: cannot chown to uid {uid} gid {gid}: id not mapped in the user \
         namespace (the user's /etc/subuid or /etc/subgid range is too small)"
    )]
    Unmapped { path: String, uid: u64, gid: u64 },
    #[error("layer entry {path:?}: {op}: {source}")]
    Io {
        path: String,
        op: &'static str,
        source: std::io::Error,
    },
    #[error("reading layer stream at byte {offset}: {source}")]
    Read { offset: u64, source: std::io::Error },
    #[error("writing tar-split record: {0}")]
    SplitWrite(std::io::Error),
    #[error("corrupt tar-split record: {0}")]
    CorruptSplit(String),
    #[error("layer file {path:?} has size {actual}, the layer recorded {expected}")]
    SizeMismatch {
        path: String,
        expected: u64,
        actual: u64,
    },
    #[error("writing reassembled tar: {0}")]
    Output(std::io::Error),
}

impl LayerError {
    pub(crate) fn io(path: &[u8], op: &'static str, err: impl Into<std::io::Error>) -> Self {
        LayerError::Io {
            path: lossy(path),
            op,
            source: err.into(),
        }
    }
}

pub(crate) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Lexically cleans a tar path into a relative path of normal components joined by
/// `/` (written into `out`). Returns false if the path is absolute or a `..`
/// escapes the top. The empty result means the layer root itself.
pub(crate) fn clean_path(raw: &[u8], out: &mut Vec<u8>) -> bool {
    out.clear();
    if raw.first() == Some(&b'/') {
        return false;
    }
    for comp in raw.split(|&b| b == b'/') {
        match comp {
            b"" | b"." => {}
            b".." => match out.iter().rposition(|&b| b == b'/') {
                Some(i) => out.truncate(i),
                None if out.is_empty() => return false,
                None => out.clear(),
            },
            c => {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(c);
            }
        }
    }
    true
}

fn beneath() -> ResolveFlag {
    ResolveFlag::RESOLVE_BENEATH
        | ResolveFlag::RESOLVE_NO_SYMLINKS
        | ResolveFlag::RESOLVE_NO_MAGICLINKS
}

/// Opens `path` below `dir` without following any symlink or leaving `dir`.
pub(crate) fn open_beneath(dir: BorrowedFd, path: &[u8], flags: OFlag) -> nix::Result<OwnedFd> {
    let how = OpenHow::new()
        .flags(flags | OFlag::O_CLOEXEC)
        .resolve(beneath());
    openat2(dir, path, how)
}

pub(crate) fn resolve_err(path: &[u8], err: Errno) -> LayerError {
    match err {
        Errno::ELOOP | Errno::EXDEV => LayerError::ThroughSymlink { path: lossy(path) },
        Errno::ENOTDIR => LayerError::NotADirectory { path: lossy(path) },
        e => LayerError::io(path, "open parent directory", e),
    }
}

pub(crate) fn split_last(path: &[u8]) -> (&[u8], &[u8]) {
    match path.iter().rposition(|&b| b == b'/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => (&[], path),
    }
}

/// The layer root plus a one-entry cache of the last parent directory.
pub(crate) struct Dirs {
    pub(crate) root: OwnedFd,
    pub(crate) cache_path: Vec<u8>,
    pub(crate) cache: Option<OwnedFd>,
}

impl Dirs {
    /// Opens (creating missing 0755 directories) the parent `p` of entry `name`.
    pub(crate) fn parent(&mut self, p: &[u8], name: &[u8]) -> Result<BorrowedFd<'_>, LayerError> {
        if p.is_empty() {
            return Ok(self.root.as_fd());
        }
        if self.cache.is_none() || self.cache_path != p {
            let dir = OFlag::O_RDONLY | OFlag::O_DIRECTORY;
            let fd = match open_beneath(self.root.as_fd(), p, dir) {
                Ok(fd) => fd,
                Err(Errno::ENOENT) => {
                    let mut cur: Option<OwnedFd> = None;
                    for comp in p.split(|&b| b == b'/') {
                        let at = cur.as_ref().map_or(self.root.as_fd(), |f| f.as_fd());
                        let fd = match open_beneath(at, comp, dir) {
                            Err(Errno::ENOENT) => {
                                stat::mkdirat(at, comp, Mode::from_bits_truncate(0o755))
                                    .map_err(|e| LayerError::io(name, "mkdir parent", e))?;
                                let fd = open_beneath(at, comp, dir)
                                    .map_err(|e| resolve_err(name, e))?;
                                stat::fchmod(&fd, Mode::from_bits_truncate(0o755))
                                    .map_err(|e| LayerError::io(name, "chmod parent", e))?;
                                fd
                            }
                            r => r.map_err(|e| resolve_err(name, e))?,
                        };
                        cur = Some(fd);
                    }
                    cur.expect("non-empty parent path")
                }
                Err(e) => return Err(resolve_err(name, e)),
            };
            self.cache_path.clear();
            self.cache_path.extend_from_slice(p);
            self.cache = Some(fd);
        }
        Ok(self.cache.as_ref().expect("cached parent").as_fd())
    }
}

pub(crate) fn rm_tree(dir: BorrowedFd, name: &[u8]) -> nix::Result<()> {
    let fl = OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_NOFOLLOW | OFlag::O_CLOEXEC;
    let mut d = Dir::openat(dir, name, fl, Mode::empty())?;
    let mut kids = Vec::new();
    for ent in d.iter() {
        let ent = ent?;
        let n = ent.file_name().to_bytes();
        if n != b"." && n != b".." {
            kids.push((
                n.to_vec(),
                ent.file_type() == Some(nix::dir::Type::Directory),
            ));
        }
    }
    for (n, is_dir) in kids {
        if is_dir {
            rm_tree(d.as_fd(), &n)?;
        } else {
            unistd::unlinkat(d.as_fd(), n.as_slice(), UnlinkatFlags::NoRemoveDir)?;
        }
    }
    unistd::unlinkat(dir, name, UnlinkatFlags::RemoveDir)
}

#[cfg(test)]
pub(crate) mod testutil {
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::apply::ApplyReport;
    use super::{apply, reassemble, ApplyOptions, LayerError};

    pub const ROOT: ApplyOptions = ApplyOptions {
        opaque_xattr: "trusted.overlay.opaque",
        chown: true,
        skip_devices: false,
    };

    /// A fresh empty directory under $TMPDIR (must not be tmpfs: user.* xattrs).
    pub fn tmpdir(tag: &str) -> PathBuf {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let name = format!("kist-layer-tests/{}-{tag}-{n}", std::process::id());
        let d = std::env::temp_dir().join(name);
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    pub fn unpack(
        tar: &[u8],
        opts: &ApplyOptions,
    ) -> (PathBuf, Result<ApplyReport, LayerError>, Vec<u8>) {
        let dir = tmpdir("layer");
        let mut split = Vec::new();
        let r = apply(tar, &dir, opts, &mut split);
        (dir, r, split)
    }

    /// Unpacks, reassembles and asserts the regenerated tar is byte-identical.
    pub fn roundtrip(tar: &[u8]) -> PathBuf {
        let (dir, r, split) = unpack(tar, &ROOT);
        let rep = r.unwrap();
        assert_eq!(rep.tar_size, tar.len() as u64);
        let mut out = Vec::new();
        let n = reassemble(split.as_slice(), &dir, &mut out).unwrap();
        assert_eq!(n, tar.len() as u64);
        assert!(out == tar, "reassembled tar differs");
        dir
    }

    /// Builds a tar with GNU tar from `src` in the given format.
    pub fn gnu_tar(src: &Path, format: &str, extra: &[&str]) -> Vec<u8> {
        let out = std::process::Command::new("tar")
            .arg("-C")
            .arg(src)
            .args(["-c", "-f", "-", &format!("--format={format}")])
            .args(extra)
            .arg(".")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out.stdout
    }

    /// A header whose name/link bytes are written raw (the tar crate refuses `..`).
    pub fn raw_header(name: &[u8], kind: tar::EntryType, link: &[u8], size: u64) -> tar::Header {
        let mut h = tar::Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_entry_type(kind);
        h.set_size(size);
        h.set_mode(0o644);
        h.set_mtime(1_600_000_000);
        h.set_cksum();
        h
    }

    pub fn build(entries: &[(tar::Header, &[u8])]) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (h, d) in entries {
            b.append(h, *d).unwrap();
        }
        b.into_inner().unwrap()
    }
}
