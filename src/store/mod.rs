//! The per-user image store: content-addressed blobs, unpacked layers and the
//! images index, under one root directory.
//!
//! Layout (`root` is `$XDG_DATA_HOME/kist` or `/var/lib/kist`):
//! - `blobs/sha256/HEX`: image configs and manifests, verified on write;
//! - `layers/HEX/`: one directory per layer diff_id: `diff/` (the unpacked
//!   files, an overlay lowerdir), `tar-split.zst` (enough to regenerate the
//!   exact layer tar) and `layer.json`;
//! - `images.json`: every image record, replaced atomically;
//! - `tmp/NAME/` + `tmp/NAME.lock`: a running command's workspace; the lock
//!   is held while the command lives, so a stale workspace is one whose lock
//!   can be taken;
//! - `journal.json`: present only while a commit runs (see `commit`);
//! - `kist.lock`: serialises every change of the index.
//!
//! Writers extract into a workspace without the lock, then `commit` moves
//! the results into place and rewrites the index under the lock. Readers take
//! no lock: everything they read is replaced by rename.

pub mod commit;
pub mod containers;
pub mod digest;
pub mod fsutil;
pub mod index;
pub mod layers;
pub mod networks;
pub mod workspace;

use std::fs::{self, File};
use std::path::{Path, PathBuf};

pub use commit::Additions;
pub use digest::Digest;
pub use index::{ImageRecord, Index};
pub use workspace::Workspace;

use crate::config::Settings;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the store index {path} is corrupt: {message}\nhint: move it away to start with an empty image list")]
    CorruptIndex { path: PathBuf, message: String },
    #[error("{0}")]
    Layer(#[from] crate::layer::LayerError),
    #[error("{what}: {source}")]
    LayerIn {
        what: String,
        source: crate::layer::LayerError,
    },
    #[error("blob {digest} is missing from the store ({path})")]
    MissingBlob { digest: String, path: PathBuf },
    #[error("layer {0} is missing from the store\nhint: remove the images that use it and load them again")]
    MissingLayer(String),
    #[error("digest mismatch for {what}: expected {expected}, got {actual}")]
    DigestMismatch {
        what: String,
        expected: String,
        actual: String,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Adds the action and path to an io error.
pub fn io_err(action: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> StoreError {
    let path = path.to_path_buf();
    move |source| StoreError::Io {
        action,
        path,
        source,
    }
}

#[derive(Debug, Clone)]
pub struct Store {
    pub root: PathBuf,
    /// Layers are written as a rootless user (user.* overlay xattrs).
    pub rootless: bool,
    /// Files get the tar's owners (false with a single-id map).
    pub chown: bool,
}

/// Held while the index may change.
pub struct StoreLock {
    _file: File,
}

impl Store {
    /// Opens (creating if needed) the store of these settings.
    pub fn open(settings: &Settings) -> Result<Store> {
        let chown = !settings.rootless || settings.id_map.has_ranges();
        Store::open_at(&settings.root, settings.rootless, chown)
    }

    pub fn open_at(root: &Path, rootless: bool, chown: bool) -> Result<Store> {
        let store = Store {
            root: root.to_path_buf(),
            rootless,
            chown,
        };
        if !store.root.join("tmp").is_dir() {
            for dir in ["", "blobs/sha256", "layers", "tmp"] {
                let path = store.root.join(dir);
                fs::create_dir_all(&path).map_err(io_err("cannot create", &path))?;
            }
            fsutil::set_mode(&store.root, 0o700)?;
        }
        Ok(store)
    }

    pub fn index_path(&self) -> PathBuf {
        self.root.join("images.json")
    }

    pub fn tmp_dir(&self) -> PathBuf {
        self.root.join("tmp")
    }

    pub fn blob_path(&self, digest: &Digest) -> PathBuf {
        self.root.join("blobs/sha256").join(digest.hex())
    }

    pub fn layer_path(&self, diff_id: &Digest) -> PathBuf {
        self.root.join("layers").join(diff_id.hex())
    }

    /// The images index as it is now (no lock needed).
    pub fn index(&self) -> Result<Index> {
        Index::load(&self.index_path())
    }

    pub fn lock(&self) -> Result<StoreLock> {
        let path = self.root.join("kist.lock");
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err("cannot open", &path))?;
        file.lock().map_err(io_err("cannot lock", &path))?;
        Ok(StoreLock { _file: file })
    }

    pub fn read_blob(&self, digest: &Digest) -> Result<Vec<u8>> {
        let path = self.blob_path(digest);
        fs::read(&path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => StoreError::MissingBlob {
                digest: digest.to_string(),
                path,
            },
            _ => StoreError::Io {
                action: "cannot read",
                path,
                source: e,
            },
        })
    }

    pub fn has_layer(&self, diff_id: &Digest) -> bool {
        self.layer_path(diff_id).join("layer.json").exists()
    }

    /// Whether an interrupted command left something behind (cheap: one
    /// stat and one small readdir).
    pub fn needs_recovery(&self) -> bool {
        self.root.join(commit::JOURNAL).exists()
            || workspace::stale_workspaces(&self.tmp_dir())
                .next()
                .is_some()
    }

    /// Finishes or rolls back an interrupted commit and removes the
    /// workspaces of dead commands. Must run where layer files can be
    /// removed (as root, or inside the user namespace).
    pub fn recover(&self, lock: &StoreLock) -> Result<()> {
        commit::replay_journal(self, lock)?;
        for (dir, lockfile) in workspace::stale_workspaces(&self.tmp_dir()) {
            fsutil::remove_tree(&dir)?;
            let _ = fs::remove_file(lockfile);
        }
        Ok(())
    }
}
