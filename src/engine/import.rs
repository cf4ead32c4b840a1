//! `kist import`: a root filesystem tarball becomes a one-layer image, with
//! its config edited by `--change` instructions.

use std::io::BufReader;

use serde_json::{json, Map, Value};

use super::input::Input;
use super::load::stage_blob;
use super::{now_rfc3339, EngineError, Result};
use crate::image::reference::Reference;
use crate::image::{change, compression, spec};
use crate::store::{commit, Additions, Digest, ImageRecord, Store, Workspace};

#[derive(Debug, Clone)]
pub struct ImportOptions {
    pub input: Input,
    /// How the history names the source (`-` for standard input).
    pub source_name: String,
    pub reference: Option<String>,
    pub changes: Vec<String>,
    pub message: Option<String>,
    /// `os/arch[/variant]`; the host's when `None`.
    pub platform: Option<String>,
}

#[derive(Debug)]
pub struct ImportReport {
    pub id: Digest,
    pub warnings: Vec<String>,
}

pub fn import(store: &Store, opts: &ImportOptions) -> Result<ImportReport> {
    let name = opts
        .reference
        .as_deref()
        .map(Reference::parse)
        .transpose()?;
    if name.as_ref().is_some_and(|r| r.digest.is_some()) {
        return Err(EngineError::Invalid(
            "an imported image cannot be named by digest\nhint: give NAME[:TAG]".into(),
        ));
    }
    let mut container_config = Map::new();
    for c in &opts.changes {
        change::apply(&mut container_config, c)?;
    }
    let platform = parse_platform(opts.platform.as_deref())?;
    let ws = Workspace::create(store)?;
    let what = opts.input.describe();
    let mut reader = BufReader::with_capacity(1 << 20, opts.input.open()?);
    let kind = compression::sniff(&mut reader, &what)?;
    let decoded = compression::decoder(reader, kind).map_err(|source| EngineError::Io {
        action: "decompress",
        path: what.clone(),
        source,
    })?;
    let layer = store.unpack_layer(&ws, decoded, None, &what)?;
    let now = now_rfc3339();
    let mut config = json!({
        "architecture": platform.architecture,
        "os": platform.os,
        "created": now,
        "config": Value::Object(container_config),
        "rootfs": {"type": "layers", "diff_ids": [layer.info.diff_id]},
        "history": [{
            "created": now,
            "comment": opts.message.clone().unwrap_or_else(|| format!("Imported from {}", opts.source_name)),
        }],
    });
    if let Some(v) = &platform.variant {
        config["variant"] = json!(v);
    }
    let data = serde_json::to_vec(&config).unwrap_or_default();
    let id = Digest::of(&data);
    let mut warnings = Vec::new();
    if !layer.info.skipped.is_empty() {
        warnings.push(format!(
            "{} device node(s) not created (impossible without root): {}",
            layer.info.skipped.len(),
            layer.info.skipped.join(", ")
        ));
    }
    let rec = ImageRecord {
        id: id.clone(),
        names: vec![],
        digests: vec![],
        manifest: None,
        layers: vec![layer.info.diff_id.clone()],
        created: now.clone(),
        size: layer.info.size,
        parent: None,
        tagged_at: None,
    };
    let adds = Additions {
        layers: vec![(layer.info.diff_id.clone(), layer.dir.clone())],
        blobs: vec![stage_blob(&ws, &id, &data)?],
    };
    let lock = store.lock()?;
    commit::commit(store, &lock, adds, |index| {
        let at = index.insert(rec);
        if let Some(r) = &name {
            index.add_name(at, &r.to_string(), &now);
        }
        Ok::<_, EngineError>(())
    })?;
    Ok(ImportReport { id, warnings })
}

pub fn parse_platform(p: Option<&str>) -> Result<spec::Platform> {
    let Some(p) = p else {
        return Ok(spec::host_platform());
    };
    let parts: Vec<&str> = p.split('/').collect();
    match parts.as_slice() {
        [os, arch] | [os, arch, _] if !os.is_empty() && !arch.is_empty() => Ok(spec::Platform {
            os: os.to_string(),
            architecture: arch.to_string(),
            variant: parts.get(2).map(|v| v.to_string()),
        }),
        _ => Err(EngineError::Invalid(format!(
            "invalid platform {p:?}\nhint: use os/arch[/variant], such as linux/amd64"
        ))),
    }
}
