//! Writing image archives: a minimal streaming tar writer and the layout of
//! `kist save` (docker's: OCI blobs + index.json + oci-layout, plus
//! manifest.json and repositories for docker-archive).

use std::collections::BTreeMap;
use std::io::{self, Write};

use serde_json::json;

use crate::image::reference::Reference;
use crate::image::spec;
use crate::store::digest::Digest;

/// Writes tar entries whose size is known before their content.
pub struct TarWriter<W: Write> {
    out: W,
}

impl<W: Write> TarWriter<W> {
    pub fn new(out: W) -> Self {
        TarWriter { out }
    }

    fn header(&mut self, name: &str, size: u64, kind: tar::EntryType) -> io::Result<()> {
        let mut h = tar::Header::new_ustar();
        h.set_path(name)?;
        h.set_size(size);
        h.set_mode(if kind.is_dir() { 0o755 } else { 0o644 });
        h.set_mtime(0);
        h.set_uid(0);
        h.set_gid(0);
        h.set_entry_type(kind);
        h.set_cksum();
        self.out.write_all(h.as_bytes())
    }

    fn pad(&mut self, size: u64) -> io::Result<()> {
        let rem = (512 - size % 512) % 512;
        self.out.write_all(&[0u8; 512][..rem as usize])
    }

    pub fn dir(&mut self, name: &str) -> io::Result<()> {
        self.header(name, 0, tar::EntryType::Directory)
    }

    pub fn bytes(&mut self, name: &str, data: &[u8]) -> io::Result<()> {
        self.header(name, data.len() as u64, tar::EntryType::Regular)?;
        self.out.write_all(data)?;
        self.pad(data.len() as u64)
    }

    /// An entry of `size` bytes written by `fill`, which must write exactly
    /// that many.
    pub fn stream<E>(
        &mut self,
        name: &str,
        size: u64,
        io_err: impl Fn(io::Error) -> E,
        fill: impl FnOnce(&mut W) -> Result<u64, E>,
    ) -> Result<(), E> {
        self.header(name, size, tar::EntryType::Regular)
            .map_err(&io_err)?;
        let written = fill(&mut self.out)?;
        if written != size {
            return Err(io_err(io::Error::other(format!(
                "{name}: wrote {written} bytes, expected {size}"
            ))));
        }
        self.pad(size).map_err(io_err)
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.out.write_all(&[0u8; 1024])?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// One image of a `save`: its config and layers (diff_id, tar size), and
/// the names it is saved under.
pub struct SaveImage {
    pub config: Vec<u8>,
    pub config_digest: Digest,
    pub layers: Vec<(Digest, u64)>,
    pub names: Vec<Reference>,
}

/// The OCI manifest of an image saved with uncompressed layers.
pub fn manifest_for(img: &SaveImage) -> Vec<u8> {
    let layers: Vec<_> = img
        .layers
        .iter()
        .map(|(d, size)| json!({"mediaType": spec::OCI_LAYER_TAR, "digest": d, "size": size}))
        .collect();
    let m = json!({
        "schemaVersion": 2,
        "mediaType": spec::OCI_MANIFEST,
        "config": {"mediaType": spec::OCI_CONFIG, "digest": img.config_digest, "size": img.config.len()},
        "layers": layers,
    });
    serde_json::to_vec(&m).unwrap_or_default()
}

/// index.json: one descriptor per (image, name), or one unnamed.
pub fn index_json(images: &[(Digest, usize, &SaveImage)]) -> Vec<u8> {
    let mut manifests = Vec::new();
    for (digest, size, img) in images {
        let desc = |ann: serde_json::Value| json!({"mediaType": spec::OCI_MANIFEST, "digest": digest, "size": size, "annotations": ann});
        if img.names.is_empty() {
            manifests.push(desc(json!({})));
        }
        for r in &img.names {
            manifests.push(desc(json!({
                "io.containerd.image.name": r.to_string(),
                "org.opencontainers.image.ref.name": r.tag.clone().unwrap_or_else(|| "latest".into()),
            })));
        }
    }
    let idx = json!({"schemaVersion": 2, "mediaType": spec::OCI_INDEX, "manifests": manifests});
    serde_json::to_vec(&idx).unwrap_or_default()
}

/// docker's manifest.json and repositories files.
pub fn docker_files(images: &[&SaveImage]) -> (Vec<u8>, Vec<u8>) {
    let mut manifest = Vec::new();
    let mut repos: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for img in images {
        let tags: Vec<String> = img.names.iter().map(Reference::familiar).collect();
        let layers: Vec<String> = img
            .layers
            .iter()
            .map(|(d, _)| format!("blobs/sha256/{}", d.hex()))
            .collect();
        manifest.push(json!({
            "Config": format!("blobs/sha256/{}", img.config_digest.hex()),
            "RepoTags": if tags.is_empty() { serde_json::Value::Null } else { json!(tags) },
            "Layers": layers,
        }));
        for r in &img.names {
            if let Some(tag) = &r.tag {
                repos
                    .entry(r.familiar_repository())
                    .or_default()
                    .insert(tag.clone(), img.config_digest.hex().to_string());
            }
        }
    }
    (
        serde_json::to_vec(&manifest).unwrap_or_default(),
        serde_json::to_vec(&repos).unwrap_or_default(),
    )
}
