//! `kist rmi` and `kist image prune`: untagging and deleting images. The
//! store's commit removes the layers and blobs no image uses any more.

use std::collections::HashSet;

use super::filters::ImageFilters;
use super::{unix_time, EngineError, Result};
use crate::image::reference::Reference;
use crate::store::{commit, Additions, Digest, Index, Store};

#[derive(Debug, Clone, Copy, Default)]
pub struct RemoveOptions {
    pub force: bool,
    /// Keep untagged parents (`--no-prune`).
    pub no_prune: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Removed {
    Untagged(String),
    Deleted(Digest),
}

pub fn remove(store: &Store, query: &str, opts: RemoveOptions) -> Result<Vec<Removed>> {
    let lock = store.lock()?;
    let in_use = store.images_in_use();
    commit::commit(store, &lock, Additions::default(), |index| {
        let at = index.find(query)?;
        let user = in_use
            .iter()
            .find(|(img, _)| *img == index.images[at].id)
            .map(|(_, c)| c.clone());
        let by_ref = Reference::parse(query)
            .ok()
            .filter(|r| index.find_reference(r) == Some(at));
        let mut out = Vec::new();
        let rec = &mut index.images[at];
        match by_ref {
            Some(r) => {
                let last = rec.names.len() + rec.digests.len() <= 1;
                if let (Some(c), true, false) = (&user, last, opts.force) {
                    return Err(in_use_error(&r.familiar(), c, &rec.id));
                }
                untag(rec, &r, &mut out);
                if !rec.names.is_empty() || !rec.digests.is_empty() || user.is_some() {
                    return Ok(out);
                }
            }
            None => {
                let repos: HashSet<String> = rec
                    .names
                    .iter()
                    .filter_map(|n| Reference::parse(n).ok())
                    .map(|r| r.repository())
                    .collect();
                if let Some(c) = &user {
                    if !opts.force {
                        return Err(in_use_error(query, c, &rec.id));
                    }
                    // Forced: the names go, the image stays for its container.
                    for n in rec.names.drain(..).chain(rec.digests.drain(..)) {
                        out.push(Removed::Untagged(familiar(&n)));
                    }
                    return Ok(out);
                }
                if repos.len() > 1 && !opts.force {
                    return Err(EngineError::Conflict(format!(
                        "unable to delete {} (must be forced) - image is referenced in multiple repositories\nhint: kist rmi -f {} removes it with all its names",
                        rec.id.short(),
                        rec.id.short()
                    )));
                }
                for n in rec.names.drain(..).chain(rec.digests.drain(..)) {
                    out.push(Removed::Untagged(familiar(&n)));
                }
            }
        }
        let id = index.images[at].id.clone();
        delete(index, &id, opts.no_prune, &mut out);
        Ok(out)
    })
}

fn in_use_error(what: &str, container: &str, image: &Digest) -> EngineError {
    EngineError::Conflict(format!(
        "unable to remove image {what:?}: container {} is using its referenced image {}\nhint: remove the container first (kist rm {})",
        &container[..12],
        image.short(),
        &container[..12]
    ))
}

fn familiar(name: &str) -> String {
    Reference::parse(name)
        .map(|r| r.familiar())
        .unwrap_or_else(|_| name.to_string())
}

/// Removes one name (or digest); when it was the repository's last tag, its
/// digests go too, as docker does.
fn untag(rec: &mut crate::store::ImageRecord, r: &Reference, out: &mut Vec<Removed>) {
    if r.digest.is_some() {
        let want = format!("{}@{}", r.repository(), r.digest.as_deref().unwrap_or(""));
        rec.digests.retain(|d| *d != want);
        out.push(Removed::Untagged(r.familiar()));
        return;
    }
    let name = r.to_string();
    rec.names.retain(|n| *n != name);
    out.push(Removed::Untagged(r.familiar()));
    let repo = r.repository();
    let same_repo = |n: &String| {
        Reference::parse(n)
            .map(|x| x.repository() == repo)
            .unwrap_or(false)
    };
    if !rec.names.iter().any(same_repo) {
        let (gone, kept): (Vec<String>, Vec<String>) = rec.digests.drain(..).partition(same_repo);
        rec.digests = kept;
        out.extend(gone.iter().map(|d| Removed::Untagged(familiar(d))));
    }
}

/// Drops the record and reports it and its layers that no image still
/// uses; then its parent, if that is now an unused untagged image.
fn delete(index: &mut Index, id: &Digest, no_prune: bool, out: &mut Vec<Removed>) {
    let Some(at) = index.images.iter().position(|r| r.id == *id) else {
        return;
    };
    let rec = index.images.remove(at);
    out.push(Removed::Deleted(rec.id.clone()));
    let still_used = index.referenced_layers();
    let mut seen = HashSet::new();
    for layer in rec.layers.iter().rev() {
        if !still_used.contains(layer) && seen.insert(layer.clone()) {
            out.push(Removed::Deleted(layer.clone()));
        }
    }
    if let (false, Some(parent)) = (no_prune, rec.parent) {
        let unused = index
            .images
            .iter()
            .any(|r| r.id == parent && r.names.is_empty())
            && !index
                .images
                .iter()
                .any(|r| r.parent.as_ref() == Some(&parent));
        if unused {
            delete(index, &parent, no_prune, out);
        }
    }
}

#[derive(Debug, Default, Clone)]
pub struct PruneOptions {
    /// Every image without a container, not only dangling ones.
    pub all: bool,
    pub filters: ImageFilters,
}

pub const PRUNE_FILTERS: &[&str] = &["until", "label"];

#[derive(Debug, Default)]
pub struct PruneReport {
    pub removed: Vec<Removed>,
    /// Bytes of layer content removed.
    pub reclaimed: u64,
}

pub fn prune(store: &Store, opts: &PruneOptions) -> Result<PruneReport> {
    let lock = store.lock()?;
    let in_use: Vec<Digest> = store.images_in_use().into_iter().map(|(i, _)| i).collect();
    commit::commit(store, &lock, Additions::default(), |index| {
        let victims: Vec<Digest> = index
            .images
            .iter()
            .filter(|r| !in_use.contains(&r.id))
            .filter(|r| opts.all || r.names.is_empty())
            .filter(|r| opts.filters.until.is_none_or(|u| unix_time(&r.created) < u))
            .filter(|r| {
                opts.filters.labels.is_empty()
                    || opts
                        .filters
                        .labels_match(&super::images::config_of(store, r).labels())
            })
            .map(|r| r.id.clone())
            .collect();
        let mut removed = Vec::new();
        for id in victims {
            if let Some(rec) = index.images.iter_mut().find(|r| r.id == id) {
                for n in rec.names.drain(..).chain(rec.digests.drain(..)) {
                    removed.push(Removed::Untagged(familiar(&n)));
                }
            }
            delete(index, &id, false, &mut removed);
        }
        // Measured before the commit removes the layers.
        let reclaimed = removed
            .iter()
            .filter_map(|r| match r {
                Removed::Deleted(d) => store.layer_info(d).ok(),
                _ => None,
            })
            .map(|i| i.size)
            .sum();
        Ok::<_, EngineError>(PruneReport { removed, reclaimed })
    })
}
