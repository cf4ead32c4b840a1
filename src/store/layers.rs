//! Layers in the store: unpacking a layer tar into a workspace (verifying
//! its diff_id) and regenerating the byte-identical tar from the unpacked
//! files and the tar-split record.

use std::fs::{self, File};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::digest::{Digest, HashReader, HashWriter};
use super::{io_err, Result, Store, StoreError, Workspace};
use crate::layer::{apply, reassemble, ApplyOptions};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LayerInfo {
    pub diff_id: Digest,
    /// Bytes of file content (docker's layer size).
    pub size: u64,
    /// Bytes of the uncompressed layer tar.
    pub tar_size: u64,
    /// Device nodes not created (rootless).
    #[serde(default)]
    pub skipped: Vec<String>,
}

/// A layer unpacked into a workspace, ready to be committed.
pub struct Unpacked {
    pub dir: PathBuf,
    pub info: LayerInfo,
}

impl Store {
    fn apply_options(&self) -> ApplyOptions {
        ApplyOptions {
            opaque_xattr: if self.rootless {
                "user.overlay.opaque"
            } else {
                "trusted.overlay.opaque"
            },
            chown: self.chown,
            skip_devices: self.rootless,
        }
    }

    /// Unpacks an uncompressed layer tar. With `expected`, a different
    /// digest is an error naming `what`.
    pub fn unpack_layer<R: Read>(
        &self,
        ws: &Workspace,
        input: R,
        expected: Option<&Digest>,
        what: &str,
    ) -> Result<Unpacked> {
        let dir = ws.new_path("layer");
        let diff = dir.join("diff");
        fs::create_dir_all(&diff).map_err(io_err("cannot create", &diff))?;
        let split_path = dir.join("tar-split.zst");
        let split_file = File::create(&split_path).map_err(io_err("cannot create", &split_path))?;
        let mut split = zstd::stream::write::Encoder::new(BufWriter::new(split_file), 3)
            .map_err(io_err("cannot compress", &split_path))?;
        let mut hashed = HashReader::new(input);
        let report =
            apply(&mut hashed, &diff, &self.apply_options(), &mut split).map_err(|source| {
                StoreError::LayerIn {
                    what: what.to_string(),
                    source,
                }
            })?;
        hashed
            .drain()
            .map_err(io_err("cannot read layer for", &dir))?;
        split
            .finish()
            .and_then(|mut w| w.flush())
            .map_err(io_err("cannot write", &split_path))?;
        let (diff_id, tar_size) = hashed.finish();
        if let Some(expected) = expected {
            if *expected != diff_id {
                return Err(StoreError::DigestMismatch {
                    what: what.to_string(),
                    expected: expected.to_string(),
                    actual: diff_id.to_string(),
                });
            }
        }
        let info = LayerInfo {
            diff_id,
            size: report.size,
            tar_size,
            skipped: report.skipped,
        };
        let meta = dir.join("layer.json");
        let data = serde_json::to_vec(&info).unwrap_or_default();
        fs::write(&meta, data).map_err(io_err("cannot write", &meta))?;
        Ok(Unpacked { dir, info })
    }

    pub fn layer_info(&self, diff_id: &Digest) -> Result<LayerInfo> {
        let path = self.layer_path(diff_id).join("layer.json");
        let data = fs::read(&path).map_err(|_| StoreError::MissingLayer(diff_id.to_string()))?;
        serde_json::from_slice(&data).map_err(|_| StoreError::MissingLayer(diff_id.to_string()))
    }

    /// Writes the layer's original tar to `out`, checking its digest.
    pub fn write_layer_tar<W: Write>(&self, diff_id: &Digest, out: W) -> Result<u64> {
        let dir = self.layer_path(diff_id);
        let split_path = dir.join("tar-split.zst");
        let file =
            File::open(&split_path).map_err(|_| StoreError::MissingLayer(diff_id.to_string()))?;
        let split = zstd::stream::read::Decoder::with_buffer(BufReader::new(file))
            .map_err(io_err("cannot read", &split_path))?;
        let mut hashed = HashWriter::new(out);
        reassemble(split, &dir.join("diff"), &mut hashed)?;
        let (actual, written, _) = hashed.finish();
        if actual != *diff_id {
            return Err(StoreError::DigestMismatch {
                what: format!("layer regenerated from {}", dir.display()),
                expected: diff_id.to_string(),
                actual: actual.to_string(),
            });
        }
        Ok(written)
    }
}
