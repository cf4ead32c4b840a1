//! Shared by load and pull: unpacking a (possibly compressed) layer
//! stream into a workspace while checking its digests, and running such
//! jobs on a few threads.

use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::{EngineError, Result};
use crate::image::compression::{self, Compression};
use crate::store::digest::HashReader;
use crate::store::layers::Unpacked;
use crate::store::{Digest, Store, StoreError, Workspace};

/// Unpacks `raw` (the blob as stored or sent; `compression` `None`: sniff
/// it) checking the diff_id and, when given, the blob's own digest.
pub fn unpack_verified<R: Read>(
    store: &Store,
    ws: &Workspace,
    raw: R,
    blob: Option<&Digest>,
    compression: Option<Compression>,
    diff_id: &Digest,
    what: &str,
) -> Result<Unpacked> {
    let mut hashed = HashReader::new(raw);
    let unpacked = {
        let mut buf = BufReader::with_capacity(1 << 20, &mut hashed);
        let kind = match compression {
            Some(k) => k,
            None => compression::sniff(&mut buf, what)?,
        };
        let decoded = compression::decoder(buf, kind).map_err(|source| EngineError::Io {
            action: "decompress",
            path: what.to_string(),
            source,
        })?;
        store
            .unpack_layer(ws, decoded, Some(diff_id), what)
            .map_err(|e| match e {
                // The blob was what it should be; its contents were not.
                StoreError::DigestMismatch {
                    what,
                    expected,
                    actual,
                } if expected == diff_id.as_str() => StoreError::DigestMismatch {
                    what: format!("{what} once uncompressed (its diff_id)"),
                    expected,
                    actual,
                },
                other => other,
            })
    };
    let Some(expected) = blob else {
        return Ok(unpacked?);
    };
    // The blob's own digest speaks first: a corrupt download also fails to
    // decompress, and the digest names the real problem.
    let drained = hashed.drain();
    let (actual, _) = hashed.finish();
    if drained.is_ok() && actual != *expected {
        return Err(StoreError::DigestMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        }
        .into());
    }
    let unpacked = unpacked?;
    drained.map_err(|source| EngineError::Io {
        action: "read",
        path: what.to_string(),
        source,
    })?;
    Ok(unpacked)
}

/// Runs `f` on every job with up to `workers` threads; results keep the
/// jobs' order. The first error stops the others from taking new jobs.
pub fn parallel<J: Sync, T: Send>(
    jobs: &[J],
    workers: usize,
    f: impl Fn(&J) -> Result<T> + Sync,
) -> Result<Vec<T>> {
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let workers = workers.clamp(1, jobs.len().max(1));
    let results: Vec<Result<Vec<(usize, T)>>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut done = Vec::new();
                    while !failed.load(Ordering::Relaxed) {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(job) = jobs.get(i) else { break };
                        match f(job) {
                            Ok(t) => done.push((i, t)),
                            Err(e) => {
                                failed.store(true, Ordering::Relaxed);
                                return Err(e);
                            }
                        }
                    }
                    Ok(done)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(EngineError::Invalid("a worker thread panicked".into()))
                })
            })
            .collect()
    });
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, t)| t).collect())
}

/// Worker threads for CPU-bound layer work: the cores, at most 4.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, 4)
}
