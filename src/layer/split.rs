//! The tar-split record: every byte of a layer tar except regular-file contents,
//! which are read back from the unpacked layer directory by `reassemble`.
//!
//! Format: magic `KISTSPLIT1\n`, then records, each a tag byte:
//! `1` varint(len) bytes — raw stream bytes;
//! `2` varint(len) path varint(size) — `size` bytes of content of the layer file `path`;
//! `0` varint(total) — end, with the total length of the tar stream.

use std::collections::BTreeMap;
use std::io::{BufReader, BufWriter, Read, Write};
use std::ops::Bound;
use std::os::fd::AsFd;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::fcntl::OFlag;
use nix::sys::stat::Mode;

use super::open_beneath;
use super::{lossy, LayerError};

const MAGIC: &[u8] = b"KISTSPLIT1\n";
const COPY_BUF: usize = 1 << 20;

enum Rec {
    Raw(usize, usize),
    File { path: Vec<u8>, size: u64 },
    Inline(Vec<u8>),
}

/// Collects the split record during `apply`; written out once the layer is complete
/// so that content of files replaced later in the stream can still be inlined.
#[derive(Default)]
pub(crate) struct SplitBuilder {
    raw: Vec<u8>,
    recs: Vec<Rec>,
    pending: BTreeMap<Vec<u8>, usize>,
}

fn varint(w: &mut impl Write, mut v: u64) -> std::io::Result<()> {
    let mut b = [0u8; 10];
    let mut n = 0;
    loop {
        b[n] = (v & 0x7f) as u8 | if v > 0x7f { 0x80 } else { 0 };
        n += 1;
        v >>= 7;
        if v == 0 {
            return w.write_all(&b[..n]);
        }
    }
}

impl SplitBuilder {
    pub(crate) fn push_raw(&mut self, b: &[u8]) {
        if b.is_empty() {
            return;
        }
        let start = self.raw.len();
        self.raw.extend_from_slice(b);
        match self.recs.last_mut() {
            Some(Rec::Raw(_, end)) if *end == start => *end = self.raw.len(),
            _ => self.recs.push(Rec::Raw(start, self.raw.len())),
        }
    }

    pub(crate) fn push_file(&mut self, path: &[u8], size: u64) {
        if size > 0 {
            self.pending.insert(path.to_vec(), self.recs.len());
            self.recs.push(Rec::File {
                path: path.to_vec(),
                size,
            });
        }
    }

    /// Recorded files at `path` (or below it, for a directory) whose content is
    /// still expected in the layer directory.
    pub(crate) fn pending_under(&self, path: &[u8], dir: bool) -> Vec<(Vec<u8>, usize)> {
        if !dir {
            return self
                .pending
                .get(path)
                .map(|&i| (path.to_vec(), i))
                .into_iter()
                .collect();
        }
        let mut prefix = path.to_vec();
        prefix.push(b'/');
        self.pending
            .range::<[u8], _>((Bound::Included(prefix.as_slice()), Bound::Unbounded))
            .take_while(|(k, _)| k.starts_with(&prefix))
            .map(|(k, &i)| (k.clone(), i))
            .collect()
    }

    /// Replaces a file record by its content, read before the file is removed.
    pub(crate) fn inline(&mut self, path: &[u8], idx: usize, data: Vec<u8>) {
        self.pending.remove(path);
        self.recs[idx] = Rec::Inline(data);
    }

    pub(crate) fn write<W: Write>(self, w: W) -> Result<(), LayerError> {
        let mut w = BufWriter::with_capacity(256 * 1024, w);
        let mut total = 0u64;
        let mut go = || -> std::io::Result<()> {
            w.write_all(MAGIC)?;
            for r in &self.recs {
                let bytes = match r {
                    Rec::Raw(s, e) => &self.raw[*s..*e],
                    Rec::Inline(d) => d.as_slice(),
                    Rec::File { path, size } => {
                        w.write_all(&[2])?;
                        varint(&mut w, path.len() as u64)?;
                        w.write_all(path)?;
                        varint(&mut w, *size)?;
                        total += size;
                        continue;
                    }
                };
                w.write_all(&[1])?;
                varint(&mut w, bytes.len() as u64)?;
                w.write_all(bytes)?;
                total += bytes.len() as u64;
            }
            w.write_all(&[0])?;
            varint(&mut w, total)?;
            w.flush()
        };
        go().map_err(LayerError::SplitWrite)
    }
}

fn corrupt(msg: &str) -> LayerError {
    LayerError::CorruptSplit(msg.to_string())
}

fn read_varint(r: &mut impl Read) -> Result<u64, LayerError> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let mut b = [0u8];
        r.read_exact(&mut b)
            .map_err(|_| corrupt("unexpected end"))?;
        v |= ((b[0] & 0x7f) as u64) << shift;
        if b[0] & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(corrupt("bad varint"))
}

/// Copies exactly `n` bytes; `Err(None)` means `r` ended early, `Err(Some(e))` a read
/// (`true`) or write (`false`) error.
fn copy_n(
    r: &mut impl Read,
    w: &mut impl Write,
    mut n: u64,
    buf: &mut [u8],
) -> Result<(), Option<(bool, std::io::Error)>> {
    while n > 0 {
        let k = buf.len().min(n.min(usize::MAX as u64) as usize);
        let got = match r.read(&mut buf[..k]) {
            Ok(0) => return Err(None),
            Ok(g) => g,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(Some((true, e))),
        };
        w.write_all(&buf[..got]).map_err(|e| Some((false, e)))?;
        n -= got as u64;
    }
    Ok(())
}

/// Regenerates the byte-identical tar stream from a split record and the unpacked
/// layer directory. Returns bytes written.
pub fn reassemble<R: Read, W: Write>(
    split: R,
    layer_dir: &Path,
    out: W,
) -> Result<u64, LayerError> {
    let mut r = BufReader::with_capacity(256 * 1024, split);
    let mut out = out;
    let mut magic = [0u8; MAGIC.len()];
    r.read_exact(&mut magic)
        .map_err(|_| corrupt("missing header"))?;
    if magic != MAGIC {
        return Err(corrupt("bad magic"));
    }
    let dir_b = layer_dir.as_os_str().as_bytes();
    let root = nix::fcntl::open(
        layer_dir,
        OFlag::O_RDONLY | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .map_err(|e| LayerError::io(dir_b, "open layer directory", e))?;
    let mut buf = vec![0u8; COPY_BUF];
    let mut written = 0u64;
    let mut path = Vec::new();
    loop {
        let mut tag = [0u8];
        r.read_exact(&mut tag)
            .map_err(|_| corrupt("unexpected end"))?;
        match tag[0] {
            0 => {
                if read_varint(&mut r)? != written {
                    return Err(corrupt("length mismatch"));
                }
                out.flush().map_err(LayerError::Output)?;
                return Ok(written);
            }
            1 => {
                let n = read_varint(&mut r)?;
                copy_n(&mut r, &mut out, n, &mut buf).map_err(|e| match e {
                    Some((false, e)) => LayerError::Output(e),
                    _ => corrupt("unexpected end"),
                })?;
                written += n;
            }
            2 => {
                let len = read_varint(&mut r)?;
                if len > 1 << 20 {
                    return Err(corrupt("path too long"));
                }
                path.resize(len as usize, 0);
                r.read_exact(&mut path)
                    .map_err(|_| corrupt("unexpected end"))?;
                let size = read_varint(&mut r)?;
                let fd = open_beneath(root.as_fd(), &path, OFlag::O_RDONLY)
                    .map_err(|e| LayerError::io(&path, "open layer file", e))?;
                let actual = nix::sys::stat::fstat(&fd)
                    .map_err(|e| LayerError::io(&path, "stat layer file", e))?
                    .st_size as u64;
                let mismatch = |actual| LayerError::SizeMismatch {
                    path: lossy(&path),
                    expected: size,
                    actual,
                };
                if actual != size {
                    return Err(mismatch(actual));
                }
                let mut f = std::fs::File::from(fd);
                copy_n(&mut f, &mut out, size, &mut buf).map_err(|e| match e {
                    None => mismatch(0),
                    Some((true, e)) => LayerError::io(&path, "read layer file", e),
                    Some((false, e)) => LayerError::Output(e),
                })?;
                written += size;
            }
            _ => return Err(corrupt("unknown record")),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};

    use super::super::testutil::{build, gnu_tar, raw_header, roundtrip, tmpdir, unpack, ROOT};
    use super::*;
    use tar::{EntryType, Header};

    fn hdr(path: &str, kind: EntryType, mode: u32, size: u64, gnu: bool) -> Header {
        let mut h = if gnu {
            Header::new_gnu()
        } else {
            Header::new_ustar()
        };
        h.set_path(path).unwrap();
        h.set_entry_type(kind);
        h.set_mode(mode);
        h.set_size(size);
        h.set_mtime(1_500_000_000);
        h.set_uid(0);
        h.set_gid(0);
        h.set_cksum();
        h
    }

    fn rich_tar(gnu: bool) -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        for (p, m) in [("./", 0o755), ("d/", 0o700), ("s/", 0o1777), ("ro/", 0o555)] {
            b.append(&hdr(p, EntryType::Directory, m, 0, gnu), &[][..])
                .unwrap();
        }
        b.append(
            &hdr("d/file", EntryType::Regular, 0o644, 5, gnu),
            &b"hello"[..],
        )
        .unwrap();
        b.append(&hdr("d/empty", EntryType::Regular, 0o600, 0, gnu), &[][..])
            .unwrap();
        b.append(
            &hdr("suid", EntryType::Regular, 0o4755, 3, gnu),
            &b"bin"[..],
        )
        .unwrap();
        let big: Vec<u8> = (0..300_000u32).map(|i| (i * 7) as u8).collect();
        b.append(
            &hdr("ro/big", EntryType::Regular, 0o444, big.len() as u64, gnu),
            big.as_slice(),
        )
        .unwrap();
        let mut l = hdr("d/sym", EntryType::Symlink, 0o777, 0, gnu);
        b.append_link(&mut l, "d/sym", "../suid").unwrap();
        let mut h = hdr("d/hard", EntryType::Link, 0o644, 0, gnu);
        b.append_link(&mut h, "d/hard", "d/file").unwrap();
        b.append(&hdr("fifo", EntryType::Fifo, 0o600, 0, gnu), &[][..])
            .unwrap();
        let mut c = hdr("null", EntryType::Char, 0o666, 0, gnu);
        c.set_device_major(1).unwrap();
        c.set_device_minor(3).unwrap();
        c.set_cksum();
        b.append(&c, &[][..]).unwrap();
        let long = format!("{}/{}", "x".repeat(120), "y".repeat(80));
        let mut lh = hdr("placeholder", EntryType::Regular, 0o644, 4, gnu);
        b.append_data(&mut lh, &long, &b"long"[..]).unwrap();
        let mut ll = hdr("p", EntryType::Symlink, 0o777, 0, gnu);
        b.append_link(&mut ll, "longlink", "z".repeat(150)).unwrap();
        b.into_inner().unwrap()
    }

    #[test]
    fn ustar_roundtrip_and_metadata() {
        let dir = roundtrip(&rich_tar(false));
        assert_eq!(std::fs::read(dir.join("d/file")).unwrap(), b"hello");
        let mode = |p: &str| std::fs::symlink_metadata(dir.join(p)).unwrap().mode() & 0o7777;
        assert_eq!(mode("suid"), 0o4755);
        assert_eq!(mode("s"), 0o1777);
        assert_eq!(mode("d"), 0o700);
        assert_eq!(mode("ro/big"), 0o444);
        assert_eq!(
            std::fs::read_link(dir.join("d/sym")).unwrap(),
            Path::new("../suid")
        );
        assert_eq!(std::fs::metadata(dir.join("d/file")).unwrap().nlink(), 2);
        let null = std::fs::symlink_metadata(dir.join("null")).unwrap();
        assert_eq!(null.rdev(), nix::sys::stat::makedev(1, 3));
        assert_eq!(
            std::fs::metadata(dir.join("d")).unwrap().mtime(),
            1_500_000_000
        );
    }

    #[test]
    fn gnu_roundtrip_long_names() {
        let dir = roundtrip(&rich_tar(true));
        let long = format!("{}/{}", "x".repeat(120), "y".repeat(80));
        assert_eq!(std::fs::read(dir.join(long)).unwrap(), b"long");
        assert_eq!(
            std::fs::read_link(dir.join("longlink"))
                .unwrap()
                .as_os_str()
                .len(),
            150
        );
    }

    fn gnu_src() -> std::path::PathBuf {
        let src = tmpdir("src");
        let deep = src.join("a".repeat(60)).join("b".repeat(60));
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(deep.join("f".repeat(90)), vec![7u8; 10_000]).unwrap();
        std::fs::write(src.join("empty"), b"").unwrap();
        std::fs::write(src.join("suid"), b"x").unwrap();
        std::fs::set_permissions(src.join("suid"), std::fs::Permissions::from_mode(0o4711))
            .unwrap();
        std::os::unix::fs::symlink("t".repeat(130), src.join("lnk")).unwrap();
        std::fs::hard_link(src.join("suid"), src.join("suid2")).unwrap();
        crate::runtime::sys::lsetxattr(&src.join("empty"), "user.kist", b"v1").unwrap();
        src
    }

    #[test]
    fn gnu_tar_gnu_format_roundtrip() {
        let tar = gnu_tar(&gnu_src(), "gnu", &[]);
        assert_eq!(tar.len() % 10240, 0);
        let dir = roundtrip(&tar);
        let deep = dir
            .join("a".repeat(60))
            .join("b".repeat(60))
            .join("f".repeat(90));
        assert_eq!(std::fs::read(deep).unwrap(), vec![7u8; 10_000]);
    }

    #[test]
    fn gnu_tar_pax_format_with_xattrs() {
        let tar = gnu_tar(&gnu_src(), "pax", &["--xattrs", "--xattrs-include=user.*"]);
        let dir = roundtrip(&tar);
        let v = crate::runtime::sys::lgetxattr(&dir.join("empty"), "user.kist").unwrap();
        assert_eq!(v, b"v1");
        let names = crate::runtime::sys::llistxattr(&dir.join("empty")).unwrap();
        assert!(names.contains(&"user.kist".to_string()));
        assert_eq!(
            std::fs::metadata(dir.join("suid")).unwrap().mode() & 0o7777,
            0o4711
        );
    }

    #[test]
    fn trailing_junk_is_kept() {
        let mut tar = rich_tar(false);
        tar.extend_from_slice(&[0u8; 4096]);
        tar.extend_from_slice(b"some junk a tool appended");
        roundtrip(&tar);
        // No end-of-archive marker at all is accepted as well.
        let t = build(&[(hdr("f", EntryType::Regular, 0o644, 3, false), b"abc")]);
        roundtrip(&t[..1024]);
    }

    #[test]
    fn duplicate_entries_keep_earlier_content() {
        let f = |p: &str, d: &'static [u8]| {
            (hdr(p, EntryType::Regular, 0o644, d.len() as u64, false), d)
        };
        let tar = build(&[
            f("a", b"first version"),
            (hdr("h", EntryType::Link, 0o644, 0, false), b""),
            f("a", b"second"),
            (hdr("d", EntryType::Directory, 0o755, 0, false), b""),
            f("d/x", b"inside dir"),
            f("d/y", b"inside too"),
            f("d", b"now a file"),
            f("w", b"whited out"),
            (raw_header(b".wh.w", EntryType::Regular, b"", 0), b""),
            (hdr("d", EntryType::Directory, 0o711, 0, false), b""),
        ]);
        // Give the hard link a target: rewrite its link name.
        let mut tar = tar;
        let mut hl = hdr("h", EntryType::Link, 0o644, 0, false);
        hl.set_link_name("a").unwrap();
        hl.set_cksum();
        tar[1024..1536].copy_from_slice(hl.as_bytes());
        let dir = roundtrip(&tar);
        assert_eq!(std::fs::read(dir.join("a")).unwrap(), b"second");
        assert_eq!(std::fs::read(dir.join("h")).unwrap(), b"first version");
        assert!(std::fs::metadata(dir.join("d")).unwrap().is_dir());
        assert!(!dir.join("d/x").exists());
    }

    #[test]
    fn replaced_directories_are_not_reused() {
        let f = |p: &str, d: &'static [u8]| {
            (hdr(p, EntryType::Regular, 0o644, d.len() as u64, false), d)
        };
        let tar = build(&[
            f("a/b/x", b"x"),
            f("a", b"file now"),
            (hdr("a", EntryType::Directory, 0o755, 0, false), b""),
            f("a/b/y", b"y"),
            f("c/d/x", b"x"),
            (raw_header(b".wh.c", EntryType::Regular, b"", 0), b""),
            f("c/d/y", b"y"),
        ]);
        let (_, r, _) = unpack(&tar, &ROOT);
        let e = r.unwrap_err().to_string();
        assert_eq!(
            e,
            "layer entry \"c/d/y\": a parent of it is not a directory"
        );
        let mut first = tar[..3584].to_vec();
        first.extend_from_slice(&[0u8; 1024]);
        let dir = roundtrip(&first);
        assert_eq!(std::fs::read(dir.join("a/b/y")).unwrap(), b"y");
        assert!(!dir.join("a/b/x").exists());
    }

    #[test]
    fn v7_and_contiguous_entries() {
        let old = |name: &str, kind: u8, data: &'static [u8]| {
            let mut h = Header::new_old();
            h.set_path(name).unwrap();
            h.set_size(data.len() as u64);
            h.set_mode(0o640);
            h.as_old_mut().linkflag = [kind];
            h.set_cksum();
            (h, data)
        };
        let tar = build(&[
            old("v7dir/", 0, b""),
            old("v7dir/f", 0, b"v7"),
            old("c", b'7', b"contig"),
        ]);
        let dir = roundtrip(&tar);
        assert!(std::fs::metadata(dir.join("v7dir")).unwrap().is_dir());
        assert_eq!(std::fs::read(dir.join("v7dir/f")).unwrap(), b"v7");
        assert_eq!(std::fs::read(dir.join("c")).unwrap(), b"contig");
    }

    #[test]
    fn size_mismatch_is_an_error() {
        let tar = build(&[(hdr("f", EntryType::Regular, 0o644, 3, false), b"abc")]);
        let (dir, r, split) = unpack(&tar, &ROOT);
        r.unwrap();
        std::fs::write(dir.join("f"), b"abcd").unwrap();
        let err = reassemble(split.as_slice(), &dir, Vec::new())
            .unwrap_err()
            .to_string();
        assert!(err.contains("\"f\"") && err.contains("size 4"), "{err}");
        std::fs::remove_file(dir.join("f")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", dir.join("f")).unwrap();
        assert!(reassemble(split.as_slice(), &dir, Vec::new()).is_err());
    }
}
