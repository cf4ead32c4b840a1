//! `kist pull`: an image from a registry into the store. The manifest (or
//! the index entry for the wanted platform) and the config are verified
//! against their digests; missing layers download on a few threads, each
//! verified and unpacked as it streams; one commit makes the image
//! visible, or nothing is. A present image costs one manifest request.

mod fetch;
mod helper;

use super::progress::{BlobEvent, Progress};
use super::remote::{Remote, RemoteOptions};
use super::unpack::parallel;
use super::{now_rfc3339, EngineError, Result};
use crate::config::Settings;
use crate::image::reference::{names_registry, Reference};
use crate::image::spec::{self, ImageConfig, ImageIndex, Manifest, Platform};
use crate::registry::{RegistryError, Session};
use crate::store::{commit, Additions, Digest, ImageRecord, Store, StoreError, Workspace};

pub use helper::{ensure_image, PullPolicy};

#[derive(Debug, Clone)]
pub struct PullOptions {
    pub reference: String,
    pub platform: Platform,
    pub all_tags: bool,
    pub remote: RemoteOptions,
}

#[derive(Debug, Default)]
pub struct PullReport {
    pub images: Vec<Pulled>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct Pulled {
    /// The full reference pulled.
    pub reference: String,
    pub id: Digest,
    /// What the tag pointed at (an index for multi-platform images).
    pub digest: Digest,
    /// Something new was stored (else the image was up to date).
    pub fresh: bool,
}

/// An image's manifest and config, resolved and verified.
struct Resolved {
    repo_digest: Digest,
    manifest: Manifest,
    manifest_bytes: Vec<u8>,
    manifest_digest: Digest,
    config: ImageConfig,
    config_bytes: Option<Vec<u8>>,
    config_digest: Digest,
}

pub fn pull(
    store: &Store,
    settings: &Settings,
    opts: &PullOptions,
    progress: &dyn Progress,
) -> Result<PullReport> {
    let remote = Remote::new(settings, opts.remote.clone())?;
    let candidates = candidates(&remote, &opts.reference)?;
    fetch::prune_stale(store);
    let mut report = PullReport::default();
    let mut last_error = None;
    for r in &candidates {
        if candidates.len() > 1 {
            progress.note(&format!("Trying to pull {r}..."));
        }
        let result = if opts.all_tags {
            pull_all_tags(store, &remote, r, opts, progress, &mut report)
        } else {
            pull_one(store, &remote, r, opts, progress, &mut report)
        };
        match result {
            Ok(()) => return Ok(report),
            Err(e) if candidates.len() > 1 => last_error = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| EngineError::Invalid("nothing to pull".into())))
}

/// The references to try: a short name goes to each unqualified-search
/// registry of registries.conf in turn, else to docker.io as docker does.
fn candidates(remote: &Remote, input: &str) -> Result<Vec<Reference>> {
    let parsed = Reference::parse(input)?;
    let search = remote.conf.unqualified_search();
    if names_registry(input) || search.is_empty() {
        return Ok(vec![parsed]);
    }
    search
        .iter()
        .map(|registry| {
            if registry == crate::image::reference::DEFAULT_DOMAIN {
                Ok(parsed.clone())
            } else {
                Ok(Reference::parse(&format!("{registry}/{input}"))?)
            }
        })
        .collect()
}

fn pull_all_tags(
    store: &Store,
    remote: &Remote,
    r: &Reference,
    opts: &PullOptions,
    progress: &dyn Progress,
    report: &mut PullReport,
) -> Result<()> {
    if r.digest.is_some() {
        return Err(EngineError::Invalid(
            "a digest cannot be used with --all-tags".into(),
        ));
    }
    let (session, path) = on_endpoint(remote, r, |s, path| Ok((s, path.to_string())))?;
    let mut tags = Vec::new();
    let mut next = Some(format!("{path}/tags/list"));
    let what = format!("the tag list of {}", r.familiar_repository());
    while let Some(page) = next.take() {
        let (doc, link) = session.get_json(&page, &Session::scope_pull(&path), &what)?;
        tags.extend(
            doc.get("tags")
                .and_then(|t| t.as_array())
                .into_iter()
                .flatten()
                .filter_map(|t| t.as_str().map(String::from)),
        );
        next = link;
    }
    for tag in tags {
        let mut tagged = r.clone();
        tagged.tag = Some(tag);
        pull_one(store, remote, &tagged, opts, progress, report)?;
    }
    Ok(())
}

/// `f` on the first endpoint where it succeeds: mirrors first, as
/// registries.conf lists them; a mirror that is down or lacks what is
/// asked passes to the next, and at last to the registry itself.
fn on_endpoint<T>(
    remote: &Remote,
    r: &Reference,
    mut f: impl FnMut(Session, &str) -> Result<T>,
) -> Result<T> {
    let mut mirror_error = None;
    for ep in &remote.endpoints(r)? {
        let attempt = remote
            .session(&ep.host, ep.insecure, Some(&ep.path))
            .and_then(|s| f(s, &ep.path));
        match attempt {
            Ok(v) => return Ok(v),
            Err(e) if ep.mirror => {
                mirror_error.get_or_insert(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(mirror_error.unwrap_or_else(|| EngineError::Invalid(format!("no registry for {r}"))))
}

fn pull_one(
    store: &Store,
    remote: &Remote,
    r: &Reference,
    opts: &PullOptions,
    progress: &dyn Progress,
    report: &mut PullReport,
) -> Result<()> {
    let (session, path, resolved) = on_endpoint(remote, r, |s, path| {
        let resolved = resolve(store, &s, path, r, &opts.platform, report)?;
        Ok((s, path.to_string(), resolved))
    })?;
    let pulled = store_image(store, &session, &path, r, resolved, progress)?;
    report.images.push(pulled);
    Ok(())
}

fn resolve(
    store: &Store,
    session: &Session,
    path: &str,
    r: &Reference,
    platform: &Platform,
    report: &mut PullReport,
) -> Result<Resolved> {
    let reference = r.digest.clone().or(r.tag.clone()).unwrap_or_default();
    let what = format!("manifest for {}", r.familiar());
    let (mut bytes, mut media, mut digest) = session.manifest(path, &reference, &what)?;
    let mismatch = |what: &str, expected: &str, actual: &Digest| {
        EngineError::Store(StoreError::DigestMismatch {
            what: what.to_string(),
            expected: expected.to_string(),
            actual: actual.to_string(),
        })
    };
    if let Some(want) = &r.digest {
        if digest.as_str() != want {
            return Err(mismatch(&what, want, &digest));
        }
    }
    let repo_digest = digest.clone();
    let invalid = |what: &str, e: String| {
        EngineError::Registry(RegistryError::Protocol {
            registry: session.registry.clone(),
            what: what.to_string(),
            message: e,
        })
    };
    if is_index(&media, &bytes) {
        let index: ImageIndex = serde_json::from_slice(&bytes)
            .map_err(|e| invalid(&what, format!("invalid image index: {e}")))?;
        let entry = spec::select_platform(&index.manifests, platform).ok_or_else(|| {
            let have: Vec<String> = index
                .manifests
                .iter()
                .filter_map(|d| d.platform.as_ref().map(Platform::describe))
                .collect();
            EngineError::Invalid(format!(
                "{} has no image for platform {}\nhint: it has {}; choose one with --platform",
                r.familiar(),
                platform.describe(),
                if have.is_empty() {
                    "none listed".to_string()
                } else {
                    have.join(", ")
                }
            ))
        })?;
        let want = entry.digest.clone();
        (bytes, media, digest) = session.manifest(path, &want, &what)?;
        if digest.as_str() != want {
            return Err(mismatch(&what, &want, &digest));
        }
    }
    let _ = media;
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(&what, format!("invalid manifest: {e}")))?;
    if manifest.schema_version != 2 {
        return Err(EngineError::NotSupported(format!(
            "manifest schema version {} ({})",
            manifest.schema_version,
            r.familiar()
        )));
    }
    let config_digest = Digest::parse(&manifest.config.digest).ok_or_else(|| {
        invalid(
            &what,
            format!("bad config digest {:?}", manifest.config.digest),
        )
    })?;
    let (config_bytes, config_raw) = match store.read_blob(&config_digest) {
        Ok(b) => (None, b),
        Err(_) => {
            let cwhat = format!("config {config_digest}");
            let stream = session.blob(path, &config_digest, 0, &cwhat)?;
            let mut data = Vec::new();
            std::io::Read::read_to_end(
                &mut std::io::Read::take(stream.reader, spec_limit(manifest.config.size)),
                &mut data,
            )
            .map_err(|e| invalid(&cwhat, e.to_string()))?;
            let actual = Digest::of(&data);
            if actual != config_digest {
                return Err(mismatch(&cwhat, config_digest.as_str(), &actual));
            }
            (Some(data.clone()), data)
        }
    };
    let config: ImageConfig = serde_json::from_slice(&config_raw)
        .map_err(|e| invalid("the image config", format!("invalid JSON: {e}")))?;
    if config.rootfs.diff_ids.len() != manifest.layers.len() {
        return Err(invalid(
            &what,
            format!(
                "{} layers but the config lists {} diff_ids",
                manifest.layers.len(),
                config.rootfs.diff_ids.len()
            ),
        ));
    }
    let got = Platform {
        architecture: config.architecture.clone(),
        os: config.os.clone(),
        variant: config.variant.clone(),
    };
    if !got.architecture.is_empty() && !got.serves(platform) {
        report.warnings.push(format!(
            "the image's platform ({}) does not match the requested platform ({})",
            got.describe(),
            platform.describe()
        ));
    }
    let manifest_digest = digest;
    Ok(Resolved {
        repo_digest,
        manifest,
        manifest_bytes: bytes,
        manifest_digest,
        config,
        config_bytes,
        config_digest,
    })
}

/// Config blobs are small; a registry claiming otherwise is cut off.
fn spec_limit(size: u64) -> u64 {
    if size == 0 {
        32 << 20
    } else {
        size.min(32 << 20)
    }
}

fn is_index(media: &str, bytes: &[u8]) -> bool {
    media == spec::OCI_INDEX
        || media == spec::DOCKER_LIST
        || (media.is_empty() || media == "application/json")
            && serde_json::from_slice::<serde_json::Value>(bytes)
                .is_ok_and(|v| v.get("manifests").is_some())
}

fn store_image(
    store: &Store,
    session: &Session,
    path: &str,
    r: &Reference,
    res: Resolved,
    progress: &dyn Progress,
) -> Result<Pulled> {
    let mut jobs: Vec<fetch::LayerJob> = Vec::new();
    let mut diff_ids = Vec::new();
    for (desc, diff) in res.manifest.layers.iter().zip(&res.config.rootfs.diff_ids) {
        let bad = |v: &str| {
            EngineError::Registry(RegistryError::Protocol {
                registry: session.registry.clone(),
                what: format!("manifest for {}", r.familiar()),
                message: format!("bad digest {v:?}"),
            })
        };
        let digest = Digest::parse(&desc.digest).ok_or_else(|| bad(&desc.digest))?;
        let diff_id = Digest::parse(diff).ok_or_else(|| bad(diff))?;
        diff_ids.push(diff_id.clone());
        if store.has_layer(&diff_id) || jobs.iter().any(|j| j.diff_id == diff_id) {
            progress.blob(&digest, desc.size, BlobEvent::Exists);
            continue;
        }
        jobs.push(fetch::LayerJob {
            desc,
            digest,
            diff_id,
        });
    }
    let name = r.tag.as_ref().map(|_| r.to_string());
    let repo_digest = format!("{}@{}", r.repository(), res.repo_digest);
    let fresh = !jobs.is_empty() || store.index()?.find(res.config_digest.as_str()).is_err();
    let ws = Workspace::create(store)?;
    let mut unpacked = Vec::new();
    // A layer present when we looked may be gone by the commit (an rmi
    // racing us): then fetch it too and commit again.
    for attempt in 0.. {
        unpacked.extend(parallel(&jobs, 3, |job| {
            fetch::fetch_layer(store, &ws, session, path, job, progress)
        })?);
        let mut blobs = Vec::new();
        if let Some(c) = &res.config_bytes {
            blobs.push(super::load::stage_blob(&ws, &res.config_digest, c)?);
        }
        if store.read_blob(&res.manifest_digest).is_err() {
            blobs.push(super::load::stage_blob(
                &ws,
                &res.manifest_digest,
                &res.manifest_bytes,
            )?);
        }
        let record = ImageRecord {
            id: res.config_digest.clone(),
            names: vec![],
            digests: vec![],
            manifest: Some(res.manifest_digest.clone()),
            layers: diff_ids.clone(),
            created: res.config.created.clone().unwrap_or_default(),
            size: 0,
            parent: None,
            tagged_at: None,
        };
        match commit_pulled(
            store,
            record,
            &unpacked,
            blobs,
            name.as_deref(),
            &repo_digest,
        ) {
            Err(EngineError::Store(StoreError::MissingLayer(missing))) if attempt < 3 => {
                jobs = res
                    .manifest
                    .layers
                    .iter()
                    .zip(&diff_ids)
                    .filter(|(_, d)| d.as_str() == missing)
                    .filter_map(|(desc, d)| {
                        Some(fetch::LayerJob {
                            desc,
                            digest: Digest::parse(&desc.digest)?,
                            diff_id: d.clone(),
                        })
                    })
                    .take(1)
                    .collect();
            }
            Err(e) => return Err(e),
            Ok(()) => break,
        }
    }
    let fetched: Vec<Digest> = res
        .manifest
        .layers
        .iter()
        .filter_map(|d| Digest::parse(&d.digest))
        .collect();
    fetch::forget_downloads(store, &fetched);
    let home = format!("{}/{path}", session.registry);
    for (desc, diff_id) in res.manifest.layers.iter().zip(&diff_ids) {
        if let Some(c) = spec::layer_compression(&desc.media_type) {
            super::push::remember_pulled(store, diff_id, c, desc, &home);
        }
    }
    Ok(Pulled {
        reference: r.to_string(),
        id: res.config_digest,
        digest: res.repo_digest,
        fresh,
    })
}

fn commit_pulled(
    store: &Store,
    mut record: ImageRecord,
    unpacked: &[crate::store::layers::Unpacked],
    blobs: Vec<(Digest, std::path::PathBuf)>,
    name: Option<&str>,
    repo_digest: &str,
) -> Result<()> {
    let lock = store.lock()?;
    for d in &record.layers {
        record.size += match unpacked.iter().find(|u| u.info.diff_id == *d) {
            Some(u) => u.info.size,
            None => store.layer_info(d).map(|i| i.size).unwrap_or(0),
        };
    }
    let adds = Additions {
        layers: unpacked
            .iter()
            .map(|u| (u.info.diff_id.clone(), u.dir.clone()))
            .collect(),
        blobs,
    };
    let new_layers: Vec<Digest> = adds.layers.iter().map(|(d, _)| d.clone()).collect();
    commit::commit(store, &lock, adds, |index| {
        if let Some(missing) = record
            .layers
            .iter()
            .find(|d| !new_layers.contains(d) && !store.has_layer(d))
        {
            return Err(StoreError::MissingLayer(missing.to_string()).into());
        }
        let at = index.insert(record);
        if let Some(name) = name {
            index.add_name(at, name, &now_rfc3339());
        }
        let rec = &mut index.images[at];
        if !rec.digests.iter().any(|d| d == repo_digest) {
            rec.digests.push(repo_digest.to_string());
        }
        Ok::<_, EngineError>(())
    })
}
