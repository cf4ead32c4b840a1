//! The images index (`images.json`): one record per image, names and
//! digests, and the lookups docker users expect (name, full or short ID,
//! name@digest).

use std::collections::HashSet;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::digest::Digest;
use super::{fsutil, io_err, Result, StoreError};
use crate::image::reference::Reference;

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Index {
    pub version: u32,
    pub images: Vec<ImageRecord>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ImageRecord {
    /// The config digest: the image ID.
    pub id: Digest,
    /// Full references with a tag: `docker.io/library/busybox:latest`.
    #[serde(default)]
    pub names: Vec<String>,
    /// Repository digests: `docker.io/library/busybox@sha256:...`.
    #[serde(default)]
    pub digests: Vec<String>,
    /// The stored manifest blob, when the image came with one.
    #[serde(default)]
    pub manifest: Option<Digest>,
    /// Layer diff_ids, bottom first.
    pub layers: Vec<Digest>,
    /// The config's `created`, RFC 3339 (may be empty).
    #[serde(default)]
    pub created: String,
    /// Sum of the layers' content sizes.
    pub size: u64,
    #[serde(default)]
    pub parent: Option<Digest>,
    /// When a name was last added (RFC 3339).
    #[serde(default)]
    pub tagged_at: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum LookupError {
    #[error("image {0:?} not found locally\nhint: kist pull {0} fetches it; kist images lists local images")]
    NotFound(String),
    #[error("short ID {0:?} is ambiguous: it matches several images\nhint: give more digits of the ID, or a name")]
    Ambiguous(String),
}

impl Index {
    pub fn load(path: &Path) -> Result<Index> {
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Index {
                    version: 1,
                    images: vec![],
                })
            }
            Err(e) => return Err(io_err("cannot read", path)(e)),
        };
        serde_json::from_slice(&data).map_err(|e| StoreError::CorruptIndex {
            path: path.into(),
            message: e.to_string(),
        })
    }

    pub fn save(&self, path: &Path) -> Result<()> {
        let data = serde_json::to_vec(self).map_err(|e| StoreError::CorruptIndex {
            path: path.into(),
            message: e.to_string(),
        })?;
        fsutil::write_atomic(path, &data)
    }

    /// Finds an image as docker does: full ID, then name (tag or digest),
    /// then unique ID prefix.
    pub fn find(&self, query: &str) -> Result<usize, LookupError> {
        let bare = query.strip_prefix("sha256:").unwrap_or(query);
        let is_hex = !bare.is_empty() && bare.bytes().all(|b| b.is_ascii_hexdigit());
        if is_hex && bare.len() == 64 {
            if let Some(i) = self.images.iter().position(|r| r.id.hex() == bare) {
                return Ok(i);
            }
        }
        if !query.starts_with("sha256:") {
            if let Ok(r) = Reference::parse(query) {
                if let Some(i) = self.find_reference(&r) {
                    return Ok(i);
                }
            }
        }
        if is_hex {
            let mut hits = self
                .images
                .iter()
                .enumerate()
                .filter(|(_, r)| r.id.hex().starts_with(bare));
            if let Some((i, _)) = hits.next() {
                return match hits.next() {
                    None => Ok(i),
                    Some(_) => Err(LookupError::Ambiguous(query.into())),
                };
            }
        }
        Err(LookupError::NotFound(query.into()))
    }

    pub fn find_reference(&self, r: &Reference) -> Option<usize> {
        if let Some(digest) = &r.digest {
            let want = format!("{}@{digest}", r.repository());
            return self.images.iter().position(|i| i.digests.contains(&want));
        }
        let want = r.to_string();
        self.images.iter().position(|i| i.names.contains(&want))
    }

    /// Gives `name` to image `at`, taking it from any other image; returns
    /// the ID of the image that lost it.
    pub fn add_name(&mut self, at: usize, name: &str, now: &str) -> Option<Digest> {
        let mut previous = None;
        for (i, rec) in self.images.iter_mut().enumerate() {
            if i != at && rec.names.iter().any(|n| n == name) {
                rec.names.retain(|n| n != name);
                previous = Some(rec.id.clone());
            }
        }
        let rec = &mut self.images[at];
        if !rec.names.iter().any(|n| n == name) {
            rec.names.push(name.to_string());
        }
        rec.tagged_at = Some(now.to_string());
        previous
    }

    /// Adds a record, or returns the index of the existing one with its ID.
    pub fn insert(&mut self, rec: ImageRecord) -> usize {
        if let Some(i) = self.images.iter().position(|r| r.id == rec.id) {
            let existing = &mut self.images[i];
            if existing.manifest.is_none() {
                existing.manifest = rec.manifest;
            }
            for d in rec.digests {
                if !existing.digests.contains(&d) {
                    existing.digests.push(d);
                }
            }
            return i;
        }
        self.images.push(rec);
        self.images.len() - 1
    }

    pub fn referenced_layers(&self) -> HashSet<Digest> {
        self.images
            .iter()
            .flat_map(|r| r.layers.iter().cloned())
            .collect()
    }

    pub fn referenced_blobs(&self) -> HashSet<Digest> {
        self.images
            .iter()
            .flat_map(|r| std::iter::once(r.id.clone()).chain(r.manifest.clone()))
            .collect()
    }
}
