//! A streaming tar reader that keeps every byte it does not hand out as file
//! content (headers, extension headers, padding, trailer) in `raw`, so the
//! tar-split record can reproduce the stream exactly.

use std::io::{Read, Write};

use super::{clean_path, lossy, LayerError};

pub const BLOCK: usize = 512;
const BUF_SIZE: usize = 1 << 20;
/// Largest PAX / GNU long-name payload accepted (they are held in memory).
const MAX_EXT: u64 = 16 << 20;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Kind {
    #[default]
    Regular,
    HardLink,
    Symlink,
    Char,
    Block,
    Dir,
    Fifo,
}

/// One archive member. Reused between calls to avoid per-entry allocations.
#[derive(Debug, Default)]
pub struct Entry {
    /// The name as stored in the archive (after long-name / PAX resolution).
    pub name: Vec<u8>,
    /// `name` lexically cleaned: relative, no `.`/`..`, no trailing slash; empty = root.
    pub path: Vec<u8>,
    /// Symlink target verbatim; for hard links the cleaned target path.
    pub link: Vec<u8>,
    pub kind: Kind,
    pub mode: u32,
    pub uid: u64,
    pub gid: u64,
    pub mtime: i64,
    pub mtime_nsec: u32,
    pub size: u64,
    pub dev_major: u32,
    pub dev_minor: u32,
    pub xattrs: Vec<(String, Vec<u8>)>,
    /// Stream offset of the first header block belonging to this entry.
    pub offset: u64,
}

pub struct TarReader<R> {
    inner: R,
    buf: Box<[u8]>,
    pos: usize,
    end: usize,
    eof: bool,
    offset: u64,
    /// Stream bytes not handed out as file content since the last `clear_raw`.
    pub raw: Vec<u8>,
    remaining: u64,
    pad: u64,
    global: Vec<(Vec<u8>, Vec<u8>)>,
    local: Vec<(Vec<u8>, Vec<u8>)>,
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    done: bool,
}

fn cstr(f: &[u8]) -> &[u8] {
    f.iter().position(|&b| b == 0).map_or(f, |i| &f[..i])
}

/// Parses an octal (space/NUL padded) or GNU base-256 numeric field.
fn num(f: &[u8]) -> Option<i64> {
    if f.first().is_some_and(|b| b & 0x80 != 0) {
        let neg = f[0] == 0xff;
        let mut v: i128 = if neg { -1 } else { (f[0] & 0x7f) as i128 };
        for &b in &f[1..] {
            v = v.checked_mul(256)? + b as i128;
            if v.abs() > i64::MAX as i128 {
                return None;
            }
        }
        return i64::try_from(v).ok();
    }
    let s = f
        .iter()
        .position(|&b| b != b' ' && b != 0)
        .unwrap_or(f.len());
    let mut v: i64 = 0;
    for &b in &f[s..] {
        match b {
            b'0'..=b'7' => v = v.checked_mul(8)?.checked_add((b - b'0') as i64)?,
            b' ' | 0 => break,
            _ => return None,
        }
    }
    Some(v)
}

fn pax_time(v: &[u8]) -> Option<(i64, u32)> {
    let s = std::str::from_utf8(v).ok()?;
    let (neg, s) = s.strip_prefix('-').map_or((false, s), |r| (true, r));
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let secs: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    if !frac.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let mut nanos: u32 = 0;
    for i in 0..9 {
        nanos = nanos * 10 + frac.as_bytes().get(i).map_or(0, |c| (c - b'0') as u32);
    }
    Some(match (neg, nanos) {
        (false, n) => (secs, n),
        (true, 0) => (-secs, 0),
        (true, n) => (-secs - 1, 1_000_000_000 - n),
    })
}

fn parse_pax(mut d: &[u8], out: &mut Vec<(Vec<u8>, Vec<u8>)>) -> Option<()> {
    while !d.is_empty() && d[0] != 0 {
        let sp = d.iter().position(|&b| b == b' ')?;
        let len: usize = std::str::from_utf8(&d[..sp]).ok()?.parse().ok()?;
        if len <= sp + 1 || len > d.len() || d[len - 1] != b'\n' {
            return None;
        }
        let rec = &d[sp + 1..len - 1];
        let eq = rec.iter().position(|&b| b == b'=')?;
        let (k, v) = (&rec[..eq], &rec[eq + 1..]);
        out.retain(|(key, _)| key != k);
        out.push((k.to_vec(), v.to_vec()));
        d = &d[len..];
    }
    Some(())
}

impl<R: Read> TarReader<R> {
    pub fn new(inner: R) -> Self {
        TarReader {
            inner,
            buf: vec![0u8; BUF_SIZE].into_boxed_slice(),
            pos: 0,
            end: 0,
            eof: false,
            offset: 0,
            raw: Vec::with_capacity(64 * 1024),
            remaining: 0,
            pad: 0,
            global: Vec::new(),
            local: Vec::new(),
            long_name: None,
            long_link: None,
            done: false,
        }
    }

    /// Bytes consumed from the stream so far.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// Refills the buffer; returns the number of buffered bytes (0 only at EOF).
    fn fill(&mut self) -> Result<usize, LayerError> {
        if self.pos == self.end {
            self.pos = 0;
            self.end = 0;
        }
        while self.end - self.pos < BLOCK && !self.eof {
            if self.pos > 0 && self.end == self.buf.len() {
                self.buf.copy_within(self.pos..self.end, 0);
                self.end -= self.pos;
                self.pos = 0;
            }
            match self.inner.read(&mut self.buf[self.end..]) {
                Ok(0) => self.eof = true,
                Ok(n) => self.end += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(source) => {
                    let offset = self.offset + (self.end - self.pos) as u64;
                    return Err(LayerError::Read { offset, source });
                }
            }
        }
        Ok(self.end - self.pos)
    }

    /// Moves up to `n` bytes to `raw`; errors if the stream ends first.
    fn take_raw(&mut self, mut n: u64) -> Result<(), LayerError> {
        while n > 0 {
            if self.pos == self.end && self.fill()? == 0 {
                return Err(LayerError::Truncated {
                    offset: self.offset,
                });
            }
            let k = (self.end - self.pos).min(n.min(usize::MAX as u64) as usize);
            self.raw
                .extend_from_slice(&self.buf[self.pos..self.pos + k]);
            self.pos += k;
            self.offset += k as u64;
            n -= k as u64;
        }
        Ok(())
    }

    /// Writes the current entry's remaining content to `w` (not recorded in `raw`).
    pub fn copy_data<W: Write>(&mut self, w: &mut W, name: &[u8]) -> Result<(), LayerError> {
        while self.remaining > 0 {
            if self.pos == self.end && self.fill()? == 0 {
                return Err(LayerError::Truncated {
                    offset: self.offset,
                });
            }
            let k = (self.end - self.pos).min(self.remaining.min(usize::MAX as u64) as usize);
            w.write_all(&self.buf[self.pos..self.pos + k])
                .map_err(|e| LayerError::io(name, "write", e))?;
            self.pos += k;
            self.offset += k as u64;
            self.remaining -= k as u64;
        }
        Ok(())
    }

    /// Reads the next header block into `raw`; None at a clean end of stream.
    fn block(&mut self) -> Result<Option<[u8; BLOCK]>, LayerError> {
        let avail = self.fill()?;
        if avail == 0 {
            return Ok(None);
        }
        if avail < BLOCK {
            return Err(LayerError::Truncated {
                offset: self.offset + avail as u64,
            });
        }
        let mut b = [0u8; BLOCK];
        b.copy_from_slice(&self.buf[self.pos..self.pos + BLOCK]);
        self.take_raw(BLOCK as u64)?;
        Ok(Some(b))
    }

    /// Reads an extension header's payload (plus padding) into `raw`, returning its range.
    fn ext_data(&mut self, size: u64) -> Result<std::ops::Range<usize>, LayerError> {
        let start = self.raw.len();
        self.take_raw(size)?;
        self.take_raw(size.wrapping_neg() % BLOCK as u64)?;
        Ok(start..start + size as usize)
    }

    /// Advances to the next entry, filling `e`. Returns false after the end of the
    /// archive, once the rest of the stream (trailer, padding, junk) is in `raw`.
    pub fn next_entry(&mut self, e: &mut Entry) -> Result<bool, LayerError> {
        if self.done {
            return Ok(false);
        }
        let (rem, pad) = (self.remaining, self.pad);
        self.remaining = 0;
        self.take_raw(rem + pad)?;
        self.local.clear();
        self.long_name = None;
        self.long_link = None;
        let first = self.offset;
        loop {
            let at = self.offset;
            let Some(h) = self.block()? else {
                self.done = true;
                return Ok(false);
            };
            if h.iter().all(|&b| b == 0) {
                // End of archive: keep everything up to EOF verbatim.
                while self.fill()? > 0 {
                    self.take_raw((self.end - self.pos) as u64)?;
                }
                self.done = true;
                return Ok(false);
            }
            let bad = |reason: &str| LayerError::CorruptHeader {
                offset: at,
                reason: reason.to_string(),
            };
            let stored = num(&h[148..156]).ok_or_else(|| bad("bad checksum field"))?;
            let field: i64 = h[148..156].iter().map(|&b| b as i64).sum();
            let us = h.iter().map(|&b| b as i64).sum::<i64>() - field + 256;
            let signed = || {
                let f: i64 = h[148..156].iter().map(|&b| b as i8 as i64).sum();
                h.iter().map(|&b| b as i8 as i64).sum::<i64>() - f + 256
            };
            if stored != us && stored != signed() {
                return Err(bad("bad checksum"));
            }
            let size = num(&h[124..136])
                .and_then(|v| u64::try_from(v).ok())
                .ok_or_else(|| bad("bad size field"))?;
            let unsupported = |this: &Self, what: String| LayerError::Unsupported {
                path: lossy(this.long_name.as_deref().unwrap_or(cstr(&h[..100]))),
                offset: at,
                what,
            };
            if matches!(h[156], b'x' | b'g' | b'L' | b'K') && size > MAX_EXT {
                return Err(bad("extension header too large"));
            }
            match h[156] {
                b'x' | b'g' => {
                    let r = self.ext_data(size)?;
                    let target = if h[156] == b'x' {
                        &mut self.local
                    } else {
                        &mut self.global
                    };
                    parse_pax(&self.raw[r], target).ok_or_else(|| bad("bad pax record"))?;
                    continue;
                }
                b'L' | b'K' => {
                    let r = self.ext_data(size)?;
                    let v = cstr(&self.raw[r]).to_vec();
                    *(if h[156] == b'L' {
                        &mut self.long_name
                    } else {
                        &mut self.long_link
                    }) = Some(v);
                    continue;
                }
                b'S' => return Err(unsupported(self, "GNU sparse file".into())),
                b'0' | 0 | b'7' | b'1' | b'2' | b'3' | b'4' | b'5' | b'6' => {}
                t => return Err(unsupported(self, format!("tar entry type {:?}", t as char))),
            }
            self.fill_entry(&h, e, size, first)?;
            return Ok(true);
        }
    }

    fn fill_entry(
        &mut self,
        h: &[u8; BLOCK],
        e: &mut Entry,
        size: u64,
        first: u64,
    ) -> Result<(), LayerError> {
        let field = |r: std::ops::Range<usize>, what: &str| {
            num(&h[r]).ok_or_else(|| LayerError::CorruptHeader {
                offset: first,
                reason: format!("bad {what} field"),
            })
        };
        e.offset = first;
        e.mode = field(100..108, "mode")? as u32 & 0o7777;
        e.uid = field(108..116, "uid")? as u64;
        e.gid = field(116..124, "gid")? as u64;
        e.mtime = field(136..148, "mtime")?;
        e.mtime_nsec = 0;
        e.size = size;
        let posix = &h[257..263] == b"ustar\0";
        let ustar = posix || &h[257..263] == b"ustar ";
        (e.dev_major, e.dev_minor) = if ustar {
            (
                field(329..337, "devmajor")? as u32,
                field(337..345, "devminor")? as u32,
            )
        } else {
            (0, 0)
        };
        e.name.clear();
        match self.long_name.take() {
            Some(n) => e.name = n,
            None => {
                let prefix = cstr(&h[345..500]);
                if posix && !prefix.is_empty() {
                    e.name.extend_from_slice(prefix);
                    e.name.push(b'/');
                }
                e.name.extend_from_slice(cstr(&h[..100]));
            }
        }
        e.link.clear();
        match self.long_link.take() {
            Some(l) => e.link = l,
            None => e.link.extend_from_slice(cstr(&h[157..257])),
        }
        e.xattrs.clear();
        for (k, v) in self.global.iter().chain(self.local.iter()) {
            let bad = || LayerError::CorruptHeader {
                offset: first,
                reason: format!("bad pax value for {}", lossy(k)),
            };
            let dec = || {
                std::str::from_utf8(v)
                    .ok()
                    .and_then(|s| s.parse::<u64>().ok())
            };
            match k.as_slice() {
                b"path" => e.name.clone_from(v),
                b"linkpath" => e.link.clone_from(v),
                b"size" => e.size = dec().ok_or_else(bad)?,
                b"uid" => e.uid = dec().ok_or_else(bad)?,
                b"gid" => e.gid = dec().ok_or_else(bad)?,
                b"mtime" => (e.mtime, e.mtime_nsec) = pax_time(v).ok_or_else(bad)?,
                k if k.starts_with(b"GNU.sparse.") => {
                    return Err(LayerError::Unsupported {
                        path: lossy(&e.name),
                        offset: first,
                        what: "GNU sparse file".into(),
                    })
                }
                k => {
                    if let Some(x) = k.strip_prefix(b"SCHILY.xattr.") {
                        e.xattrs.retain(|(n, _)| n.as_bytes() != x);
                        e.xattrs.push((lossy(x), v.clone()));
                    }
                }
            }
        }
        e.kind = match h[156] {
            0 if e.name.ends_with(b"/") => Kind::Dir,
            b'1' => Kind::HardLink,
            b'2' => Kind::Symlink,
            b'3' => Kind::Char,
            b'4' => Kind::Block,
            b'5' => Kind::Dir,
            b'6' => Kind::Fifo,
            _ => Kind::Regular,
        };
        if !clean_path(&e.name, &mut e.path) {
            return Err(LayerError::Escapes {
                path: lossy(&e.name),
            });
        }
        if e.kind == Kind::HardLink {
            let mut t = Vec::new();
            if !clean_path(&e.link, &mut t) || t.is_empty() {
                return Err(LayerError::LinkEscapes {
                    path: lossy(&e.name),
                    target: lossy(&e.link),
                });
            }
            e.link = t;
        }
        self.remaining = e.size;
        self.pad = e.size.wrapping_neg() % BLOCK as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{build, raw_header, unpack, ROOT};
    use super::*;
    use tar::EntryType as T;

    fn entries(tar: &[u8]) -> Result<Vec<Entry>, LayerError> {
        let mut rd = TarReader::new(tar);
        let mut out = Vec::new();
        let mut e = Entry::default();
        while rd.next_entry(&mut e)? {
            out.push(std::mem::take(&mut e));
        }
        assert_eq!(rd.offset(), tar.len() as u64);
        Ok(out)
    }

    #[test]
    fn numbers_and_times() {
        assert_eq!(num(b"0000644\0"), Some(0o644));
        assert_eq!(num(b"  17 \0\0\0"), Some(0o17));
        assert_eq!(num(&[0x80, 0, 0, 0, 0, 0, 0x01, 0x10]), Some(0x110));
        assert_eq!(num(&[0xff; 8]), Some(-1));
        assert_eq!(num(b"12x"), None);
        assert_eq!(pax_time(b"1.5"), Some((1, 500_000_000)));
        assert_eq!(pax_time(b"-1.25"), Some((-2, 750_000_000)));
        assert_eq!(
            pax_time(b"1600000000.123456789123"),
            Some((1_600_000_000, 123_456_789))
        );
        assert_eq!(pax_time(b"1.x"), None);
    }

    #[test]
    fn pax_local_and_global_headers() {
        let mut global = raw_header(b"pax_global_header", T::XGlobalHeader, b"", 12);
        global.set_cksum();
        let recs = b"30 mtime=1600000000.123456789\n21 path=renamed/file\n";
        let local = raw_header(b"PaxHeaders/f", T::XHeader, b"", recs.len() as u64);
        let mut big_uid = raw_header(b"g", T::Regular, b"", 0);
        big_uid.as_old_mut().uid = [0x80, 0, 0, 0, 0, 0x01, 0x86, 0xa0];
        big_uid.set_cksum();
        let tar = build(&[
            (global, b"12 uid=4242\n"),
            (local, recs),
            (raw_header(b"f", T::Regular, b"", 2), b"hi"),
            (big_uid, b""),
        ]);
        let es = entries(&tar).unwrap();
        assert_eq!(es[0].path, b"renamed/file");
        assert_eq!(
            (es[0].mtime, es[0].mtime_nsec, es[0].uid),
            (1_600_000_000, 123_456_789, 4242)
        );
        assert_eq!(es[0].offset, 0);
        assert_eq!(es[1].uid, 4242, "global header applies to later entries");
        assert_eq!(es[1].mtime_nsec, 0, "local header applies to one entry");
        let (dir, r, _) = unpack(&tar, &ROOT);
        r.unwrap();
        let m = std::fs::metadata(dir.join("renamed/file")).unwrap();
        use std::os::unix::fs::MetadataExt;
        assert_eq!(
            (m.mtime(), m.mtime_nsec(), m.uid()),
            (1_600_000_000, 123_456_789, 4242)
        );
    }

    #[test]
    fn corrupt_truncated_and_unsupported() {
        let tar = build(&[
            (raw_header(b"a", T::Regular, b"", 10), b"0123456789"),
            (
                raw_header(b"b", T::Regular, b"", 10_000),
                &[1u8; 10_000][..],
            ),
        ]);
        let mut bad = tar.clone();
        bad[1024 + 3] ^= 1;
        let e = entries(&bad).unwrap_err().to_string();
        assert_eq!(e, "corrupt tar header at byte 1024 (bad checksum)");
        let e = entries(&tar[..5000]).unwrap_err().to_string();
        assert_eq!(e, "truncated layer: unexpected end of data at byte 5000");
        let e = entries(&tar[..1100]).unwrap_err().to_string();
        assert_eq!(e, "truncated layer: unexpected end of data at byte 1100");
        let (_, r, _) = unpack(&tar[..5000], &ROOT);
        assert!(r.unwrap_err().to_string().starts_with("truncated layer"));
        let sparse = build(&[(raw_header(b"s", T::GNUSparse, b"", 0), b"")]);
        let e = entries(&sparse).unwrap_err().to_string();
        assert_eq!(
            e,
            "layer entry \"s\" at byte 0: GNU sparse file not supported yet"
        );
        let recs = b"22 GNU.sparse.major=1\n";
        let pax = build(&[
            (raw_header(b"p", T::XHeader, b"", recs.len() as u64), recs),
            (raw_header(b"s2", T::Regular, b"", 0), b""),
        ]);
        assert!(entries(&pax)
            .unwrap_err()
            .to_string()
            .contains("sparse file not supported yet"));
        let odd = build(&[(raw_header(b"v", T::new(b'D'), b"", 0), b"")]);
        let e = entries(&odd).unwrap_err().to_string();
        assert!(e.contains("tar entry type 'D' not supported yet"), "{e}");
    }
}
