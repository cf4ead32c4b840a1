//! How long-running verbs (pull, push) report what they do. The engine
//! calls these; the CLI draws bars or prints lines, the REST API will
//! stream JSON.

use std::io::Read;

use crate::store::Digest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlobEvent {
    /// The store or the registry already has it.
    Exists,
    /// Transfer starts; the bytes already there (resumed) count as done.
    Started { done: u64 },
    /// More bytes moved.
    Advanced(u64),
    /// Transferred (and, when pulling, unpacked).
    Done,
    /// Linked from another repository of the registry.
    Mounted,
}

pub trait Progress: Sync {
    /// A line of narration ("Trying to pull …", "Writing manifest").
    fn note(&self, line: &str);
    /// `total`: the blob's size in bytes.
    fn blob(&self, digest: &Digest, total: u64, event: BlobEvent);
}

/// Reports nothing.
pub struct Quiet;

impl Progress for Quiet {
    fn note(&self, _: &str) {}
    fn blob(&self, _: &Digest, _: u64, _: BlobEvent) {}
}

/// Reports the bytes read through it as `Advanced` events.
pub struct Counted<'a, R> {
    pub inner: R,
    pub progress: &'a dyn Progress,
    pub digest: &'a Digest,
    pub total: u64,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n > 0 {
            self.progress
                .blob(self.digest, self.total, BlobEvent::Advanced(n as u64));
        }
        Ok(n)
    }
}
