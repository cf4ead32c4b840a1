//! What an archive holds: for each image, its config, manifest, names and
//! where each layer is, all digests checked against each other before any
//! layer is unpacked.

use serde::Deserialize;

use super::{Archive, ArchiveError};
use crate::image::compression::Compression;
use crate::image::reference::Reference;
use crate::image::spec::{self, Descriptor, ImageConfig, ImageIndex, Manifest};
use crate::store::digest::Digest;

const MAX_JSON: u64 = 8 << 20;

pub struct LoadImage {
    pub config: Vec<u8>,
    pub config_digest: Digest,
    pub parsed: ImageConfig,
    /// The manifest as stored in the archive (OCI archives).
    pub manifest: Option<(Digest, Vec<u8>)>,
    pub layers: Vec<LayerSource>,
    /// Full references: `docker.io/library/busybox:latest`.
    pub names: Vec<String>,
}

pub struct LayerSource {
    pub entry: String,
    pub diff_id: Digest,
    /// The digest of the blob as stored, when it differs from the diff_id
    /// (compressed OCI layers).
    pub blob: Option<Digest>,
    /// From the media type; `None` means "look at the bytes".
    pub compression: Option<Compression>,
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct DockerManifestEntry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

/// Reads an archive's manifests: docker's manifest.json when present, else
/// the OCI index.json.
pub fn plan(ar: &Archive) -> Result<Vec<LoadImage>, ArchiveError> {
    if ar.has("manifest.json") {
        let entries: Vec<DockerManifestEntry> = ar.read_json("manifest.json")?;
        entries.iter().map(|e| plan_docker(ar, e)).collect()
    } else if ar.has("index.json") {
        let index: ImageIndex = ar.read_json("index.json")?;
        let mut out = Vec::new();
        plan_oci_index(ar, &index, None, &mut out, 0)?;
        if out.is_empty() {
            let p = spec::host_platform();
            return Err(invalid(
                ar,
                format!("no image for {}/{} in index.json", p.os, p.architecture),
            ));
        }
        Ok(out)
    } else {
        Err(ArchiveError::UnknownFormat {
            what: ar.what.clone(),
        })
    }
}

fn invalid(ar: &Archive, detail: String) -> ArchiveError {
    ArchiveError::Invalid {
        what: ar.what.clone(),
        detail,
    }
}

fn check_digest(
    ar: &Archive,
    name: &str,
    data: &[u8],
    expected: &str,
) -> Result<Digest, ArchiveError> {
    let actual = Digest::of(data);
    if actual.as_str() != expected {
        return Err(ArchiveError::DigestMismatch {
            what: ar.what.clone(),
            name: name.into(),
            expected: expected.into(),
            actual: actual.to_string(),
        });
    }
    Ok(actual)
}

fn parse_config(ar: &Archive, name: &str, data: &[u8]) -> Result<ImageConfig, ArchiveError> {
    serde_json::from_slice(data).map_err(|e| ArchiveError::BadJson {
        what: ar.what.clone(),
        name: name.into(),
        detail: e.to_string(),
    })
}

fn diff_ids(
    ar: &Archive,
    config: &ImageConfig,
    layers: usize,
) -> Result<Vec<Digest>, ArchiveError> {
    let ids = &config.rootfs.diff_ids;
    if ids.len() != layers {
        return Err(invalid(
            ar,
            format!(
                "the image config lists {} layers but the manifest has {layers}",
                ids.len()
            ),
        ));
    }
    ids.iter()
        .map(|d| {
            Digest::parse(d)
                .ok_or_else(|| invalid(ar, format!("invalid diff_id {d:?} in the image config")))
        })
        .collect()
}

fn plan_docker(ar: &Archive, entry: &DockerManifestEntry) -> Result<LoadImage, ArchiveError> {
    let config = ar.read(&entry.config, MAX_JSON)?;
    let config_digest = Digest::of(&config);
    // Config files are named by their digest (`HEX.json`, `blobs/sha256/HEX`).
    let stem = entry
        .config
        .rsplit('/')
        .next()
        .unwrap_or("")
        .trim_end_matches(".json");
    if crate::store::digest::is_hex64(stem) && stem != config_digest.hex() {
        return Err(ArchiveError::DigestMismatch {
            what: ar.what.clone(),
            name: entry.config.clone(),
            expected: format!("sha256:{stem}"),
            actual: config_digest.to_string(),
        });
    }
    let parsed = parse_config(ar, &entry.config, &config)?;
    let ids = diff_ids(ar, &parsed, entry.layers.len())?;
    let layers = entry
        .layers
        .iter()
        .zip(ids)
        .map(|(name, diff_id)| LayerSource {
            entry: name.clone(),
            diff_id,
            blob: None,
            compression: None,
        })
        .collect();
    let mut names = Vec::new();
    for tag in entry.repo_tags.iter().flatten() {
        let r = Reference::parse(tag).map_err(|e| invalid(ar, format!("RepoTags: {e}")))?;
        names.push(r.to_string());
    }
    Ok(LoadImage {
        config,
        config_digest,
        parsed,
        manifest: None,
        layers,
        names,
    })
}

fn blob_name(ar: &Archive, digest: &str) -> Result<String, ArchiveError> {
    let d = Digest::parse(digest)
        .ok_or_else(|| invalid(ar, format!("unsupported digest {digest:?}")))?;
    Ok(format!("blobs/sha256/{}", d.hex()))
}

fn platform_matches(desc: &Descriptor) -> bool {
    let host = spec::host_platform();
    desc.platform.as_ref().is_none_or(|p| p.serves(&host))
}

fn plan_oci_index(
    ar: &Archive,
    index: &ImageIndex,
    name: Option<&str>,
    out: &mut Vec<LoadImage>,
    depth: usize,
) -> Result<(), ArchiveError> {
    if depth > 4 {
        return Err(invalid(ar, "image indexes nested too deeply".into()));
    }
    for desc in index.manifests.iter().filter(|d| platform_matches(d)) {
        let blob = blob_name(ar, &desc.digest)?;
        let data = ar.read(&blob, MAX_JSON)?;
        check_digest(ar, &blob, &data, &desc.digest)?;
        let own_name = name.map(String::from).or_else(|| oci_name(desc));
        match desc.media_type.as_str() {
            spec::OCI_INDEX | spec::DOCKER_LIST => {
                let nested: ImageIndex =
                    serde_json::from_slice(&data).map_err(|e| ArchiveError::BadJson {
                        what: ar.what.clone(),
                        name: blob.clone(),
                        detail: e.to_string(),
                    })?;
                let before = out.len();
                plan_oci_index(ar, &nested, own_name.as_deref(), out, depth + 1)?;
                // One image per platform index: the first match.
                out.truncate(before + usize::from(out.len() > before));
            }
            spec::OCI_MANIFEST | spec::DOCKER_MANIFEST => {
                out.push(plan_oci_manifest(ar, &blob, data, own_name)?);
            }
            other => {
                return Err(ArchiveError::UnknownMediaType {
                    what: ar.what.clone(),
                    name: blob,
                    media_type: other.to_string(),
                })
            }
        }
    }
    Ok(())
}

/// The image name an OCI descriptor carries: containerd's full name, or a
/// ref.name that is a full reference (a bare tag names nothing).
fn oci_name(desc: &Descriptor) -> Option<String> {
    let ann = desc.annotations.as_ref()?;
    if let Some(n) = ann.get("io.containerd.image.name") {
        return Reference::parse(n).ok().map(|r| r.to_string());
    }
    let n = ann.get("org.opencontainers.image.ref.name")?;
    if !n.contains('/') && !n.contains(':') {
        return None;
    }
    Reference::parse(n).ok().map(|r| r.to_string())
}

fn plan_oci_manifest(
    ar: &Archive,
    blob: &str,
    data: Vec<u8>,
    name: Option<String>,
) -> Result<LoadImage, ArchiveError> {
    let manifest: Manifest = serde_json::from_slice(&data).map_err(|e| ArchiveError::BadJson {
        what: ar.what.clone(),
        name: blob.into(),
        detail: e.to_string(),
    })?;
    let config_name = blob_name(ar, &manifest.config.digest)?;
    let config = ar.read(&config_name, MAX_JSON)?;
    let config_digest = check_digest(ar, &config_name, &config, &manifest.config.digest)?;
    let parsed = parse_config(ar, &config_name, &config)?;
    let ids = diff_ids(ar, &parsed, manifest.layers.len())?;
    let mut layers = Vec::new();
    for (desc, diff_id) in manifest.layers.iter().zip(ids) {
        let entry = blob_name(ar, &desc.digest)?;
        let compression = spec::layer_compression(&desc.media_type).ok_or_else(|| {
            ArchiveError::UnknownMediaType {
                what: ar.what.clone(),
                name: entry.clone(),
                media_type: desc.media_type.clone(),
            }
        })?;
        let blob = Digest::parse(&desc.digest);
        layers.push(LayerSource {
            entry,
            blob: blob.filter(|b| *b != diff_id),
            diff_id,
            compression: Some(compression),
        });
    }
    Ok(LoadImage {
        config,
        config_digest,
        parsed,
        manifest: Some((Digest::of(&data), data)),
        layers,
        names: name.into_iter().collect(),
    })
}
