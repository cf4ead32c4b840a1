//! `kist push`: an image from the store to a registry. Each layer is
//! compressed (gzip, or zstd) into the workspace, unless the registry
//! already has the blob kist made from it before (remembered per layer
//! under `ROOT/blobinfo/`): then a HEAD, or a cross-repository mount,
//! saves the upload. Uploads go in chunks; the manifest goes last and its
//! digest is the one a pull by digest gets back.

use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::progress::{BlobEvent, Progress};
use super::remote::{Remote, RemoteOptions};
use super::unpack::{cores, parallel};
use super::{now_rfc3339, EngineError, Result};
use crate::config::Settings;
use crate::image::compression::Compression;
use crate::image::reference::Reference;
use crate::image::spec::{self, Descriptor, Manifest};
use crate::registry::{Session, Upload};
use crate::store::digest::HashWriter;
use crate::store::{commit, fsutil, Additions, Digest, Store, Workspace};

/// Bytes per PATCH of a chunked upload.
const CHUNK: usize = 16 << 20;

#[derive(Debug, Clone)]
pub struct PushOptions {
    /// The local image (name or ID).
    pub image: String,
    /// Where to push; `None`: the image's own name.
    pub destination: Option<String>,
    /// Gzip or Zstd.
    pub compression: Compression,
    pub level: Option<i32>,
    pub remote: RemoteOptions,
}

#[derive(Debug)]
pub struct PushReport {
    pub reference: String,
    pub digest: Digest,
    /// Bytes of the manifest.
    pub size: u64,
}

/// What kist made of a layer before: its compressed digest and the
/// repositories known to have it.
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
struct BlobInfo {
    digest: String,
    size: u64,
    #[serde(default)]
    repositories: Vec<String>,
}

struct Pushed {
    descriptor: Descriptor,
}

pub fn push(
    store: &Store,
    settings: &Settings,
    opts: &PushOptions,
    progress: &dyn Progress,
) -> Result<PushReport> {
    let index = store.index()?;
    let at = index.find(&opts.image)?;
    let record = index.images[at].clone();
    let target = match &opts.destination {
        Some(d) => Reference::parse(d)?,
        None => {
            let named = Reference::parse(&opts.image)
                .ok()
                .filter(|_| !opts.image.bytes().all(|b| b.is_ascii_hexdigit()))
                .or_else(|| record.names.first().and_then(|n| Reference::parse(n).ok()));
            named.ok_or_else(|| {
                EngineError::Invalid(format!(
                    "image {} has no name to push to\nhint: kist push {} REGISTRY/REPOSITORY:TAG",
                    opts.image, opts.image
                ))
            })?
        }
    };
    let remote = Remote::new(settings, opts.remote.clone())?;
    let endpoint = remote.push_endpoint(&target)?;
    let session = remote.session(&endpoint.host, endpoint.insecure, Some(&endpoint.path))?;
    let repo = endpoint.path.clone();
    let home = format!("{}/{}", endpoint.host, repo);
    let ws = Workspace::create(store)?;
    let config = store.read_blob(&record.id)?;
    let layers: Vec<&Digest> = record.layers.iter().collect();
    let pushed = parallel(&layers, cores().max(2), |diff_id| {
        push_layer(store, &session, &repo, &home, diff_id, opts, progress)
    })?;
    let config_desc = Descriptor {
        media_type: spec::OCI_CONFIG.into(),
        digest: record.id.to_string(),
        size: config.len() as u64,
        annotations: None,
        platform: None,
    };
    if session.blob_exists(&repo, &record.id, true)?.is_none() {
        upload(
            &session,
            &repo,
            &record.id,
            &mut &config[..],
            config.len() as u64,
            None,
        )?;
    }
    let manifest = Manifest {
        schema_version: 2,
        media_type: Some(spec::OCI_MANIFEST.into()),
        config: config_desc,
        layers: pushed.into_iter().map(|p| p.descriptor).collect(),
        annotations: None,
    };
    let bytes = serde_json::to_vec(&manifest).map_err(|e| EngineError::Invalid(e.to_string()))?;
    let digest = Digest::of(&bytes);
    progress.note("Writing manifest");
    let reference = target.tag.clone().unwrap_or_else(|| digest.to_string());
    session.put_manifest(&repo, &reference, spec::OCI_MANIFEST, &bytes)?;
    remember_digest(store, &record.id, &target, &digest, &ws, &bytes)?;
    Ok(PushReport {
        reference: target.to_string(),
        digest,
        size: bytes.len() as u64,
    })
}

/// The local image now also answers to `repo@digest` (docker's RepoDigests).
fn remember_digest(
    store: &Store,
    id: &Digest,
    target: &Reference,
    digest: &Digest,
    ws: &Workspace,
    manifest: &[u8],
) -> Result<()> {
    let repo_digest = format!("{}@{}", target.repository(), digest);
    let mut adds = Additions::default();
    if store.read_blob(digest).is_err() {
        adds.blobs
            .push(super::load::stage_blob(ws, digest, manifest)?);
    }
    let lock = store.lock()?;
    commit::commit(store, &lock, adds, |index| {
        let at = index.find(id.as_str())?;
        let rec = &mut index.images[at];
        if !rec.digests.contains(&repo_digest) {
            rec.digests.push(repo_digest);
        }
        if rec.manifest.is_none() {
            rec.manifest = Some(digest.clone());
        }
        rec.tagged_at.get_or_insert_with(now_rfc3339);
        Ok::<_, EngineError>(())
    })
}

fn info_path(store: &Store, diff_id: &Digest, compression: Compression) -> PathBuf {
    let kind = match compression {
        Compression::Zstd => "zstd",
        _ => "gzip",
    };
    store
        .root
        .join("blobinfo")
        .join(format!("{}-{kind}.json", diff_id.hex()))
}

#[allow(clippy::too_many_arguments)]
fn push_layer(
    store: &Store,
    session: &Session,
    repo: &str,
    home: &str,
    diff_id: &Digest,
    opts: &PushOptions,
    progress: &dyn Progress,
) -> Result<Pushed> {
    let media = match opts.compression {
        Compression::Zstd => spec::OCI_LAYER_ZSTD,
        _ => spec::OCI_LAYER_GZIP,
    };
    let info_file = info_path(store, diff_id, opts.compression);
    let known: Option<BlobInfo> = fs::read(&info_file)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let descriptor = |digest: &str, size: u64| Descriptor {
        media_type: media.into(),
        digest: digest.to_string(),
        size,
        annotations: None,
        platform: None,
    };
    if let Some(info) = &known {
        if let Some(digest) = Digest::parse(&info.digest) {
            if session.blob_exists(repo, &digest, true)?.is_some() {
                progress.blob(&digest, info.size, BlobEvent::Exists);
                remember(&info_file, info, home);
                return Ok(Pushed {
                    descriptor: descriptor(&info.digest, info.size),
                });
            }
            let prefix = format!("{}/", session.registry);
            for from in info
                .repositories
                .iter()
                .filter_map(|r| r.strip_prefix(&prefix))
            {
                if from == repo {
                    continue;
                }
                if let Ok(Upload::Mounted) = session.start_upload(repo, Some((&digest, from))) {
                    progress.blob(&digest, info.size, BlobEvent::Mounted);
                    remember(&info_file, info, home);
                    return Ok(Pushed {
                        descriptor: descriptor(&info.digest, info.size),
                    });
                }
            }
        }
    }
    let (digest, size) = compress_and_upload(store, session, repo, diff_id, opts, progress)?;
    // The repositories known to have the old blob do not have this one.
    let info = BlobInfo {
        digest: digest.to_string(),
        size,
        repositories: known
            .filter(|k| k.digest == digest.as_str())
            .map(|k| k.repositories)
            .unwrap_or_default(),
    };
    remember(&info_file, &info, home);
    Ok(Pushed {
        descriptor: descriptor(&info.digest, size),
    })
}

/// What a pull learned: `home` (registry/repository) has `digest`, the
/// `compression` blob of layer `diff_id`. A push of the layer there then
/// only asks (HEAD), and one to another repository of the registry mounts
/// it, as docker does. Kept only when kist knows no other blob of the
/// layer; best effort.
pub fn remember_pulled(
    store: &Store,
    diff_id: &Digest,
    compression: Compression,
    blob: &Descriptor,
    home: &str,
) {
    if !matches!(compression, Compression::Gzip | Compression::Zstd) {
        return;
    }
    let path = info_path(store, diff_id, compression);
    let known: Option<BlobInfo> = fs::read(&path)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    let info = match known {
        Some(k) if k.digest == blob.digest => k,
        Some(_) => return,
        None => BlobInfo {
            digest: blob.digest.clone(),
            size: blob.size,
            repositories: vec![],
        },
    };
    remember(&path, &info, home);
}

/// Records that `home` (registry/repository) has the blob; best effort.
fn remember(path: &std::path::Path, info: &BlobInfo, home: &str) {
    let mut info = info.clone();
    if !info.repositories.iter().any(|r| r == home) {
        info.repositories.push(home.to_string());
    }
    if let Some(dir) = path.parent() {
        let _ = fs::create_dir_all(dir);
    }
    if let Ok(data) = serde_json::to_vec(&info) {
        let _ = fsutil::write_replace(path, &data);
    }
}

/// A chunked upload of `size` bytes from `data`.
fn upload(
    session: &Session,
    repo: &str,
    digest: &Digest,
    data: &mut dyn Read,
    size: u64,
    progress: Option<&dyn Progress>,
) -> Result<()> {
    let mut location = match session.start_upload(repo, None)? {
        Upload::Started(l) => l,
        Upload::Mounted => return Ok(()),
    };
    let mut offset = 0u64;
    let mut buf = vec![0u8; CHUNK.min(size.max(1) as usize)];
    loop {
        let mut filled = 0;
        while filled < buf.len() {
            let n = data
                .read(&mut buf[filled..])
                .map_err(|source| EngineError::Io {
                    action: "read",
                    path: format!("blob {digest}"),
                    source,
                })?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        if filled == 0 {
            break;
        }
        location = session.upload_chunk(repo, &location, offset, &buf[..filled])?;
        offset += filled as u64;
        if let Some(p) = progress {
            p.blob(digest, size, BlobEvent::Advanced(filled as u64));
        }
    }
    session.finish_upload(repo, &location, digest)?;
    Ok(())
}

/// Regenerates the layer's tar on one thread, compresses it in blocks on
/// every core, and uploads the result chunk by chunk as it comes: one pass
/// per layer with both cores busy. Each block is a complete gzip member
/// (or zstd frame); concatenated they are one valid stream that every
/// gzip/zstd reader decodes (as pigz and pgzip-made layers), and the same
/// input always gives the same blob. Progress counts uncompressed bytes,
/// under the diff_id (the blob's digest is known only at the end).
fn compress_and_upload(
    store: &Store,
    session: &Session,
    repo: &str,
    diff_id: &Digest,
    opts: &PushOptions,
    progress: &dyn Progress,
) -> Result<(Digest, u64)> {
    let total = store.layer_info(diff_id).map(|i| i.tar_size).unwrap_or(0);
    let location = match session.start_upload(repo, None)? {
        Upload::Started(l) => l,
        Upload::Mounted => {
            return Err(EngineError::Invalid(format!(
                "registry {} answered an upload with a mount",
                session.registry
            )))
        }
    };
    progress.blob(diff_id, total, BlobEvent::Started { done: 0 });
    let sink = UploadSink {
        session,
        repo,
        location,
        offset: 0,
        buf: Vec::with_capacity(CHUNK),
        failed: None,
    };
    let mut hashed = HashWriter::new(sink);
    let io = |action: &'static str| {
        move |source: std::io::Error| EngineError::Io {
            action,
            path: format!("layer {diff_id}"),
            source,
        }
    };
    let (blocks_tx, blocks_rx) = std::sync::mpsc::sync_channel::<(usize, Vec<u8>)>(4);
    let blocks_rx = std::sync::Mutex::new(blocks_rx);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<(usize, usize, std::io::Result<Vec<u8>>)>();
    let (kind, level) = (opts.compression, opts.level);
    let (made, sent) = std::thread::scope(|s| {
        let producer = s.spawn(move || {
            let mut w = BufWriter::with_capacity(
                BLOCK,
                BlockWriter {
                    tx: blocks_tx,
                    next: 0,
                },
            );
            store.write_layer_tar(diff_id, &mut w)?;
            w.flush().map_err(io("regenerate"))?;
            Ok::<_, EngineError>(())
        });
        for _ in 0..cores() {
            let done_tx = done_tx.clone();
            let blocks_rx = &blocks_rx;
            s.spawn(move || loop {
                let next = blocks_rx.lock().map(|rx| rx.recv());
                let Ok(Ok((i, block))) = next else { break };
                let _ = done_tx.send((i, block.len(), compress_block(kind, level, &block)));
            });
        }
        drop(done_tx);
        // Write the blocks out in order as they come back.
        let mut waiting = std::collections::BTreeMap::new();
        let mut want = 0;
        let mut sent: std::io::Result<()> = Ok(());
        for (i, len, out) in done_rx.iter() {
            waiting.insert(i, (len, out));
            while let Some((len, out)) = waiting.remove(&want) {
                want += 1;
                if sent.is_ok() {
                    sent = out.and_then(|b| hashed.write_all(&b));
                    progress.blob(diff_id, total, BlobEvent::Advanced(len as u64));
                }
            }
            if sent.is_err() {
                // Stop the producer: the compressors see a closed channel.
                if let Ok(rx) = blocks_rx.lock() {
                    while rx.try_recv().is_ok() {}
                }
            }
        }
        let made = producer
            .join()
            .unwrap_or_else(|_| Err(EngineError::Invalid("a push thread panicked".into())));
        (made, sent)
    });
    let (digest, size, mut sink) = hashed.finish();
    if let Some(e) = sink.failed.take() {
        return Err(e.into());
    }
    sent.map_err(io("compress"))?;
    made?;
    sink.flush_chunk()?;
    session.finish_upload(repo, &sink.location, &digest)?;
    progress.blob(diff_id, total, BlobEvent::Done);
    Ok((digest, size))
}

/// gzip's default level for push: zlib's fastest. On the benchmark image
/// its blobs are 8% larger than level 6's and it compresses twice as fast;
/// `--compression-level 6` trades the other way.
const GZIP_LEVEL: i32 = 1;

/// Bytes of uncompressed layer per compressed block.
const BLOCK: usize = 2 << 20;

fn compress_block(kind: Compression, level: Option<i32>, data: &[u8]) -> std::io::Result<Vec<u8>> {
    match kind {
        Compression::Zstd => zstd::bulk::compress(data, level.unwrap_or(3)),
        _ => {
            let level = level.unwrap_or(GZIP_LEVEL).clamp(0, 9) as u32;
            let mut enc = flate2::write::GzEncoder::new(
                Vec::with_capacity(data.len() / 2),
                flate2::Compression::new(level),
            );
            enc.write_all(data)?;
            enc.finish()
        }
    }
}

/// Cuts what is written into numbered blocks for the compressors.
struct BlockWriter {
    tx: std::sync::mpsc::SyncSender<(usize, Vec<u8>)>,
    next: usize,
}

impl Write for BlockWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(BLOCK);
        self.tx.send((self.next, data[..n].to_vec())).map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::BrokenPipe, "the upload stopped")
        })?;
        self.next += 1;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends what is written to it as upload chunks of `CHUNK` bytes.
struct UploadSink<'a> {
    session: &'a Session,
    repo: &'a str,
    location: String,
    offset: u64,
    buf: Vec<u8>,
    /// The registry's error, kept whole (Write can only return io errors).
    failed: Option<crate::registry::RegistryError>,
}

impl UploadSink<'_> {
    fn flush_chunk(&mut self) -> Result<(), crate::registry::RegistryError> {
        if self.buf.is_empty() {
            return Ok(());
        }
        self.location =
            self.session
                .upload_chunk(self.repo, &self.location, self.offset, &self.buf)?;
        self.offset += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }
}

impl Write for UploadSink<'_> {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        let n = data.len().min(CHUNK - self.buf.len());
        self.buf.extend_from_slice(&data[..n]);
        if self.buf.len() == CHUNK {
            if let Err(e) = self.flush_chunk() {
                let text = e.to_string();
                self.failed = Some(e);
                return Err(std::io::Error::other(text));
            }
        }
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
