//! Changing the store in one step: new layers and blobs move from a
//! workspace into place, the index is rewritten, and what no image uses any
//! more is removed. A journal written first lists every layer and blob that
//! may end up unused; if kist is killed part-way, the next command removes
//! those of them the index does not reference, which both rolls back an
//! unfinished add and finishes an unfinished removal.

use std::collections::HashSet;
use std::fs;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use super::digest::Digest;
use super::index::Index;
use super::{fsutil, io_err, Result, Store, StoreError, StoreLock};

pub const JOURNAL: &str = "journal.json";

/// What a command prepared in its workspace: `(digest, path)` pairs.
#[derive(Debug, Default)]
pub struct Additions {
    pub layers: Vec<(Digest, PathBuf)>,
    pub blobs: Vec<(Digest, PathBuf)>,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Journal {
    layers: Vec<Digest>,
    blobs: Vec<Digest>,
}

/// Applies `change` to the index and moves `adds` into place, as one step.
pub fn commit<T, E: From<StoreError>>(
    store: &Store,
    _lock: &StoreLock,
    adds: Additions,
    change: impl FnOnce(&mut Index) -> Result<T, E>,
) -> Result<T, E> {
    let mut index = store.index()?;
    let (layers_before, blobs_before) = (index.referenced_layers(), index.referenced_blobs());
    let out = change(&mut index)?;
    let (layers_after, blobs_after) = (index.referenced_layers(), index.referenced_blobs());
    let mut journal = Journal::default();
    journal
        .layers
        .extend(adds.layers.iter().map(|(d, _)| d.clone()));
    journal
        .layers
        .extend(layers_before.difference(&layers_after).cloned());
    journal
        .blobs
        .extend(adds.blobs.iter().map(|(d, _)| d.clone()));
    journal
        .blobs
        .extend(blobs_before.difference(&blobs_after).cloned());
    let journal_path = store.root.join(JOURNAL);
    let must_journal = !journal.layers.is_empty() || !journal.blobs.is_empty();
    if must_journal {
        let data = serde_json::to_vec(&journal).unwrap_or_default();
        fsutil::write_atomic(&journal_path, &data)?;
    }
    for (digest, from) in &adds.layers {
        move_into_place(from, &store.layer_path(digest))?;
    }
    for (digest, from) in &adds.blobs {
        move_into_place(from, &store.blob_path(digest))?;
    }
    if !adds.layers.is_empty() {
        fsutil::sync_dir(&store.root.join("layers"))?;
    }
    if !adds.blobs.is_empty() {
        fsutil::sync_dir(&store.root.join("blobs/sha256"))?;
    }
    index.save(&store.index_path())?;
    if must_journal {
        collect(store, &index, &journal)?;
        fs::remove_file(&journal_path).map_err(io_err("cannot remove", &journal_path))?;
    }
    Ok(out)
}

fn move_into_place(from: &std::path::Path, to: &std::path::Path) -> Result<()> {
    if to.exists() {
        // Another command stored the same content first; ours is dropped
        // with the workspace.
        return Ok(());
    }
    fs::rename(from, to).map_err(io_err("cannot move into place", to))
}

/// Removes the journal's entries that the index does not reference.
fn collect(store: &Store, index: &Index, journal: &Journal) -> Result<()> {
    let layers: HashSet<Digest> = index.referenced_layers();
    let blobs: HashSet<Digest> = index.referenced_blobs();
    for d in journal.layers.iter().filter(|d| !layers.contains(*d)) {
        fsutil::remove_tree(&store.layer_path(d))?;
    }
    for d in journal.blobs.iter().filter(|d| !blobs.contains(*d)) {
        fsutil::remove_tree(&store.blob_path(d))?;
    }
    Ok(())
}

/// Finishes what a killed commit started (see the module doc).
pub fn replay_journal(store: &Store, _lock: &StoreLock) -> Result<()> {
    let path = store.root.join(JOURNAL);
    let data = match fs::read(&path) {
        Ok(d) => d,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("cannot read", &path)(e)),
    };
    // A journal cut short by a crash was never acted on: nothing moved yet.
    if let Ok(journal) = serde_json::from_slice::<Journal>(&data) {
        collect(store, &store.index()?, &journal)?;
    }
    fs::remove_file(&path).map_err(io_err("cannot remove", &path))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{ImageRecord, Workspace};

    fn temp_store(tag: &str) -> Store {
        let dir = std::env::temp_dir().join(format!("kist-commit-{tag}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        Store::open_at(&dir, false, false).unwrap()
    }

    fn record(id: &Digest, layer: &Digest, name: &str) -> ImageRecord {
        ImageRecord {
            id: id.clone(),
            names: vec![name.into()],
            digests: vec![],
            manifest: None,
            layers: vec![layer.clone()],
            created: String::new(),
            size: 1,
            parent: None,
            tagged_at: None,
        }
    }

    #[test]
    fn commit_moves_into_place_and_collects_on_removal() {
        let store = temp_store("gc");
        let ws = Workspace::create(&store).unwrap();
        let (layer, blob) = (Digest::of(b"layer"), Digest::of(b"config"));
        let ldir = ws.new_path("layer");
        fs::create_dir_all(ldir.join("diff")).unwrap();
        let bpath = ws.new_path("blob");
        fs::write(&bpath, b"config").unwrap();
        let adds = Additions {
            layers: vec![(layer.clone(), ldir)],
            blobs: vec![(blob.clone(), bpath)],
        };
        let lock = store.lock().unwrap();
        commit(&store, &lock, adds, |index| {
            index.insert(record(&blob, &layer, "docker.io/library/a:latest"));
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert!(store.layer_path(&layer).join("diff").is_dir());
        assert_eq!(store.read_blob(&blob).unwrap(), b"config");
        assert!(!store.root.join(JOURNAL).exists());
        commit(&store, &lock, Additions::default(), |index| {
            index.images.clear();
            Ok::<_, StoreError>(())
        })
        .unwrap();
        assert!(!store.layer_path(&layer).exists());
        assert!(!store.blob_path(&blob).exists());
        drop(ws);
        assert!(fs::read_dir(store.tmp_dir()).unwrap().next().is_none());
        let _ = fs::remove_dir_all(&store.root);
    }

    #[test]
    fn replay_rolls_back_an_interrupted_add() {
        let store = temp_store("replay");
        let (kept, orphan) = (Digest::of(b"kept"), Digest::of(b"orphan"));
        for d in [&kept, &orphan] {
            fs::create_dir_all(store.layer_path(d).join("diff")).unwrap();
        }
        let mut index = Index::default();
        index.insert(record(&Digest::of(b"cfg"), &kept, "docker.io/library/k:1"));
        index.save(&store.index_path()).unwrap();
        // A commit killed after moving `orphan` into place, before the index.
        let journal = Journal {
            layers: vec![kept.clone(), orphan.clone()],
            blobs: vec![],
        };
        fs::write(
            store.root.join(JOURNAL),
            serde_json::to_vec(&journal).unwrap(),
        )
        .unwrap();
        assert!(store.needs_recovery());
        store.recover(&store.lock().unwrap()).unwrap();
        assert!(store.layer_path(&kept).exists());
        assert!(!store.layer_path(&orphan).exists());
        assert!(!store.needs_recovery());
        let _ = fs::remove_dir_all(&store.root);
    }

    #[test]
    fn stale_workspaces_are_removed_live_ones_kept() {
        let store = temp_store("ws");
        let live = Workspace::create(&store).unwrap();
        let dead = store.tmp_dir().join("12345-dead");
        fs::create_dir_all(dead.join("layer-0")).unwrap();
        fs::write(store.tmp_dir().join("12345-dead.lock"), b"").unwrap();
        assert!(store.needs_recovery());
        store.recover(&store.lock().unwrap()).unwrap();
        assert!(!dead.exists());
        assert!(live.new_path("x").parent().unwrap().exists());
        drop(live);
        assert!(fs::read_dir(store.tmp_dir()).unwrap().next().is_none());
        let _ = fs::remove_dir_all(&store.root);
    }
}
