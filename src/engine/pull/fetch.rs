//! One layer from a registry into the workspace: downloaded, verified and
//! unpacked in one pass. The compressed bytes are also kept under
//! `ROOT/downloads/` until the image is committed, so a pull killed
//! part-way resumes: a finished blob is not fetched again, and a partial
//! one continues with an HTTP range request.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use nix::fcntl::{Flock, FlockArg};

use super::super::progress::{BlobEvent, Counted, Progress};
use super::super::unpack::unpack_verified;
use super::super::{EngineError, Result};
use crate::image::spec::{self, Descriptor};
use crate::registry::Session;
use crate::store::layers::Unpacked;
use crate::store::{Digest, Store, StoreError, Workspace};

pub struct LayerJob<'a> {
    pub desc: &'a Descriptor,
    pub digest: Digest,
    pub diff_id: Digest,
}

pub fn downloads_dir(store: &Store) -> PathBuf {
    store.root.join("downloads")
}

fn io_error<'a>(
    action: &'static str,
    path: &'a Path,
) -> impl FnOnce(io::Error) -> EngineError + 'a {
    move |source| EngineError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

/// Holds `downloads/HEX.lock`: one process at a time works on a blob.
fn lock_blob(dir: &Path, digest: &Digest) -> Result<Flock<File>> {
    fs::create_dir_all(dir).map_err(io_error("create", dir))?;
    let path = dir.join(format!("{}.lock", digest.hex()));
    loop {
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_error("create", &path))?;
        let locked = Flock::lock(file, FlockArg::LockExclusive)
            .map_err(|(_, e)| io_error("lock", &path)(e.into()))?;
        // The file may have been removed (the blob finished) while we
        // waited: then lock the new one.
        match fs::metadata(&path) {
            Ok(m) if m.ino() == locked.metadata().map(|l| l.ino()).unwrap_or(0) => {
                return Ok(locked)
            }
            _ => continue,
        }
    }
}

/// Copies what it reads into `out` (the partial download).
struct Tee<R> {
    inner: R,
    out: File,
}

impl<R: Read> Read for Tee<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.out.write_all(&buf[..n])?;
        Ok(n)
    }
}

/// Says where a download broke off when the registry's stream fails.
struct Net<R> {
    inner: R,
    at: u64,
    total: u64,
}

impl<R: Read> Read for Net<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.inner.read(buf) {
            Ok(n) => {
                self.at += n as u64;
                Ok(n)
            }
            Err(e) => Err(io::Error::new(
                e.kind(),
                format!(
                    "the download from the registry broke off at byte {} of {}: {e}",
                    self.at, self.total
                ),
            )),
        }
    }
}

/// Fails once more than `size` bytes come, or fewer at the end.
struct Exact<R> {
    inner: R,
    left: u64,
    what: String,
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf
            .len()
            .min(self.left.saturating_add(1).min(usize::MAX as u64) as usize);
        let n = self.inner.read(&mut buf[..want])?;
        if n as u64 > self.left {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("{} is larger than its descriptor says", self.what),
            ));
        }
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                format!(
                    "{} ended {} bytes short of its descriptor's size",
                    self.what, self.left
                ),
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}

pub fn fetch_layer(
    store: &Store,
    ws: &Workspace,
    session: &Session,
    repo: &str,
    job: &LayerJob,
    progress: &dyn Progress,
) -> Result<Unpacked> {
    let dir = downloads_dir(store);
    let digest = &job.digest;
    let what = format!("layer {digest}");
    let compression = spec::layer_compression(&job.desc.media_type).ok_or_else(|| {
        EngineError::Invalid(format!(
            "{what} has media type {:?}, which kist cannot unpack",
            job.desc.media_type
        ))
    })?;
    let _lock = lock_blob(&dir, digest)?;
    let done = dir.join(digest.hex());
    let partial = dir.join(format!("{}.partial", digest.hex()));
    let total = job.desc.size;
    let have = fs::metadata(&partial).map(|m| m.len()).unwrap_or(0);
    let source: Box<dyn Read + Send> = if done.exists() {
        progress.blob(digest, total, BlobEvent::Started { done: total });
        Box::new(File::open(&done).map_err(io_error("open", &done))?)
    } else if total > 0 && have == total {
        // Killed after the last byte came but before the unpack ended:
        // nothing is left to fetch (a range request would get 416); the
        // digest check while unpacking says whether the bytes are good.
        progress.blob(digest, total, BlobEvent::Started { done: total });
        Box::new(File::open(&partial).map_err(io_error("open", &partial))?)
    } else {
        let have = if have > total { 0 } else { have };
        let stream = session.blob(repo, digest, have, &what)?;
        let out = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&partial)
            .map_err(io_error("create", &partial))?;
        out.set_len(stream.offset)
            .map_err(io_error("truncate", &partial))?;
        let mut out = out;
        io::Seek::seek(&mut out, io::SeekFrom::End(0)).map_err(io_error("seek", &partial))?;
        let local = File::open(&partial).map_err(io_error("open", &partial))?;
        progress.blob(
            digest,
            total,
            BlobEvent::Started {
                done: stream.offset,
            },
        );
        Box::new(local.take(stream.offset).chain(Tee {
            inner: Counted {
                inner: Net {
                    inner: stream.reader,
                    at: stream.offset,
                    total,
                },
                progress,
                digest,
                total,
            },
            out,
        }))
    };
    let exact = Exact {
        inner: source,
        left: total,
        what: what.clone(),
    };
    let result = unpack_verified(
        store,
        ws,
        exact,
        Some(digest),
        Some(compression),
        &job.diff_id,
        &what,
    );
    match &result {
        Err(EngineError::Store(StoreError::DigestMismatch { .. })) => {
            // Bad bytes are not worth resuming from; nothing of the blob
            // is kept (a waiter for the lock sees its file gone and retries).
            let _ = fs::remove_file(&partial);
            let _ = fs::remove_file(&done);
            let _ = fs::remove_file(dir.join(format!("{}.lock", digest.hex())));
        }
        Ok(_) if !done.exists() => {
            fs::rename(&partial, &done).map_err(io_error("rename", &partial))?;
        }
        _ => {}
    }
    let unpacked = result?;
    progress.blob(digest, total, BlobEvent::Done);
    Ok(unpacked)
}

/// How long the downloads of a pull that failed (and was not tried
/// again) are kept for a retry to resume from.
const KEEP_FAILED: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Whether a file was last written more than `KEEP_FAILED` ago.
fn stale(path: &Path) -> bool {
    fs::metadata(path)
        .and_then(|m| m.modified())
        .is_ok_and(|t| t.elapsed().is_ok_and(|age| age > KEEP_FAILED))
}

/// Removes downloads untouched for `KEEP_FAILED` (of pulls that failed
/// and were not tried again); best effort.
pub fn prune_stale(store: &Store) {
    let dir = downloads_dir(store);
    let Ok(entries) = fs::read_dir(&dir) else {
        return;
    };
    let mut blobs: Vec<String> = entries
        .flatten()
        .filter(|e| stale(&e.path()))
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().to_string();
            name.split('.').next().map(str::to_string)
        })
        .collect();
    blobs.sort();
    blobs.dedup();
    for hex in blobs {
        prune_blob(&dir, &hex);
    }
}

/// Removes a blob's stale files, unless a pull holds its lock.
fn prune_blob(dir: &Path, hex: &str) {
    let lock_path = dir.join(format!("{hex}.lock"));
    let lock = match File::open(&lock_path) {
        Ok(f) => match Flock::lock(f, FlockArg::LockExclusiveNonblock) {
            Ok(lock) => Some(lock),
            Err(_) => return,
        },
        Err(_) => None,
    };
    let files = [dir.join(hex), dir.join(format!("{hex}.partial"))];
    for path in files.iter().filter(|p| stale(p)) {
        let _ = fs::remove_file(path);
    }
    // Removed while held: a waiter sees it gone and locks a new one.
    if lock.is_some() && !files.iter().any(|p| p.exists()) {
        let _ = fs::remove_file(&lock_path);
    }
}

/// Drops the kept downloads of committed blobs.
pub fn forget_downloads(store: &Store, digests: &[Digest]) {
    let dir = downloads_dir(store);
    for d in digests {
        let _ = fs::remove_file(dir.join(d.hex()));
        let _ = fs::remove_file(dir.join(format!("{}.lock", d.hex())));
    }
}
