//! `kist load`: docker and OCI archives into the store. Every digest is
//! checked (configs, manifests, compressed blobs, diff_ids); layers the
//! store lacks are unpacked in parallel into the command's workspace; one
//! commit then makes the images visible, or nothing is.

use super::input::Input;
use super::unpack::{cores, parallel, unpack_verified};
use super::{now_rfc3339, EngineError, Result};
use crate::image::archive::{plan, Archive, LayerSource, LoadImage};
use crate::store::layers::Unpacked;
use crate::store::{commit, Additions, Digest, ImageRecord, Store, StoreError, Workspace};

#[derive(Debug, Clone)]
pub struct LoadOptions {
    pub input: Input,
}

#[derive(Debug, Default)]
pub struct LoadReport {
    /// `Loaded image: NAME` (familiar) per name, or the ID when unnamed.
    pub loaded: Vec<Loaded>,
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Loaded {
    Name(String),
    Id(Digest),
}

pub fn load(store: &Store, opts: &LoadOptions) -> Result<LoadReport> {
    let ws = Workspace::create(store)?;
    let path = opts.input.seekable_file(&ws)?;
    let ar = Archive::index(&path, &opts.input.describe())?;
    let images = plan(&ar)?;
    let mut blobs = Vec::new();
    for img in &images {
        blobs.push(stage_blob(&ws, &img.config_digest, &img.config)?);
        if let Some((d, data)) = &img.manifest {
            blobs.push(stage_blob(&ws, d, data)?);
        }
    }
    let mut unpacked: Vec<Unpacked> = Vec::new();
    // A layer the store had when we looked may be gone by the commit (an
    // rmi of another image that used it): then unpack it too and retry.
    for attempt in 0.. {
        let mut wanted: Vec<&LayerSource> = Vec::new();
        for src in images.iter().flat_map(|i| &i.layers) {
            let have = store.has_layer(&src.diff_id)
                || unpacked.iter().any(|u| u.info.diff_id == src.diff_id)
                || wanted.iter().any(|w| w.diff_id == src.diff_id);
            if !have {
                wanted.push(src);
            }
        }
        unpacked.extend(unpack_all(store, &ws, &ar, &wanted)?);
        match commit_images(store, &images, &unpacked, &blobs) {
            Err(EngineError::Store(StoreError::MissingLayer(_))) if attempt < 3 => continue,
            Err(e) => return Err(e),
            Ok(mut report) => {
                for u in &unpacked {
                    if !u.info.skipped.is_empty() {
                        report.warnings.push(format!(
                            "layer {}: {} device node(s) not created (impossible without root): {}",
                            u.info.diff_id.short(),
                            u.info.skipped.len(),
                            u.info.skipped.join(", ")
                        ));
                    }
                }
                return Ok(report);
            }
        }
    }
    unreachable!("the retry loop returns")
}

/// One commit of every image of the archive; fails with `MissingLayer`
/// when a layer it relies on was removed meanwhile (nothing is changed).
fn commit_images(
    store: &Store,
    images: &[LoadImage],
    unpacked: &[Unpacked],
    blobs: &[(Digest, std::path::PathBuf)],
) -> Result<LoadReport> {
    let lock = store.lock()?;
    let mut records = Vec::new();
    for img in images {
        records.push(record_for(store, img, unpacked)?);
    }
    let adds = Additions {
        layers: unpacked
            .iter()
            .map(|u| (u.info.diff_id.clone(), u.dir.clone()))
            .collect(),
        blobs: blobs.to_vec(),
    };
    let new_layers: Vec<Digest> = adds.layers.iter().map(|(d, _)| d.clone()).collect();
    let mut report = LoadReport::default();
    commit::commit(store, &lock, adds, |index| {
        let now = now_rfc3339();
        for (img, rec) in images.iter().zip(records) {
            if let Some(missing) = rec
                .layers
                .iter()
                .find(|d| !new_layers.contains(d) && !store.has_layer(d))
            {
                return Err(StoreError::MissingLayer(missing.to_string()).into());
            }
            let id = rec.id.clone();
            let at = index.insert(rec);
            for name in &img.names {
                let familiar = familiar(name);
                if let Some(old) = index.add_name(at, name, &now) {
                    report.warnings.push(format!(
                        "the image {familiar} already exists, renaming the old one with ID {old} to empty string"
                    ));
                }
                report.loaded.push(Loaded::Name(familiar));
            }
            if img.names.is_empty() {
                report.loaded.push(Loaded::Id(id));
            }
        }
        Ok::<_, EngineError>(())
    })?;
    Ok(report)
}

fn familiar(name: &str) -> String {
    crate::image::reference::Reference::parse(name)
        .map(|r| r.familiar())
        .unwrap_or_else(|_| name.to_string())
}

fn record_for(store: &Store, img: &LoadImage, unpacked: &[Unpacked]) -> Result<ImageRecord> {
    let mut size = 0;
    for src in &img.layers {
        size += match unpacked.iter().find(|u| u.info.diff_id == src.diff_id) {
            Some(u) => u.info.size,
            None => store.layer_info(&src.diff_id)?.size,
        };
    }
    Ok(ImageRecord {
        id: img.config_digest.clone(),
        names: vec![],
        digests: vec![],
        manifest: img.manifest.as_ref().map(|(d, _)| d.clone()),
        layers: img.layers.iter().map(|l| l.diff_id.clone()).collect(),
        created: img.parsed.created.clone().unwrap_or_default(),
        size,
        parent: None,
        tagged_at: None,
    })
}

/// Writes a small verified blob into the workspace.
pub fn stage_blob(
    ws: &Workspace,
    digest: &Digest,
    data: &[u8],
) -> Result<(Digest, std::path::PathBuf)> {
    let path = ws.new_path("blob");
    std::fs::write(&path, data).map_err(|source| EngineError::Io {
        action: "write",
        path: path.display().to_string(),
        source,
    })?;
    Ok((digest.clone(), path))
}

/// Unpacks the layers on as many threads as there are cores (at most 4).
fn unpack_all(
    store: &Store,
    ws: &Workspace,
    ar: &Archive,
    jobs: &[&LayerSource],
) -> Result<Vec<Unpacked>> {
    parallel(jobs, cores(), |src| {
        let what = format!("layer {} of {}", src.entry, ar.what);
        let raw = ar.open(&src.entry)?;
        unpack_verified(
            store,
            ws,
            raw,
            src.blob.as_ref(),
            src.compression,
            &src.diff_id,
            &what,
        )
    })
}
