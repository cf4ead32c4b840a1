//! `kist images`: the image list with docker's rows (one per name, dangling
//! images as `<none>`), filters and ordering (newest first).

use super::filters::ImageFilters;
use super::{unix_time, Result};
use crate::image::reference::{glob_match, Reference};
use crate::image::spec::ImageConfig;
use crate::store::{Digest, ImageRecord, Store};

#[derive(Debug, Default, Clone)]
pub struct ListOptions {
    /// Show intermediate images too.
    pub all: bool,
    pub filters: ImageFilters,
}

pub const LIST_FILTERS: &[&str] = &["dangling", "label", "reference", "before", "since"];

/// One row of the list.
#[derive(Debug, Clone)]
pub struct ImageRow {
    pub id: Digest,
    /// Familiar repository, or `None` (`<none>`).
    pub repository: Option<String>,
    pub tag: Option<String>,
    /// The repository digest (`sha256:...`) for this repository, if any.
    pub digest: Option<String>,
    pub created: i64,
    pub size: u64,
}

pub fn list(store: &Store, opts: &ListOptions) -> Result<Vec<ImageRow>> {
    let index = store.index()?;
    let f = &opts.filters;
    let time_of = |q: &str| -> Result<i64> {
        let i = index.find(q)?;
        Ok(unix_time(&index.images[i].created))
    };
    let before = f.before.as_deref().map(time_of).transpose()?;
    let since = f.since.as_deref().map(time_of).transpose()?;
    let parents: Vec<&Digest> = index
        .images
        .iter()
        .filter_map(|r| r.parent.as_ref())
        .collect();
    let mut rows = Vec::new();
    let mut images: Vec<&ImageRecord> = index.images.iter().collect();
    images.sort_by_key(|r| std::cmp::Reverse(unix_time(&r.created)));
    for rec in images {
        let created = unix_time(&rec.created);
        let dangling = rec.names.is_empty();
        if !opts.all && dangling && parents.contains(&&rec.id) {
            continue;
        }
        if f.dangling.is_some_and(|d| d != dangling)
            || before.is_some_and(|b| created >= b)
            || since.is_some_and(|s| created <= s)
        {
            continue;
        }
        if !f.labels.is_empty() && !f.labels_match(&config_of(store, rec).labels()) {
            continue;
        }
        rows.extend(rows_of(rec, created, &f.references));
    }
    Ok(rows)
}

pub fn config_of(store: &Store, rec: &ImageRecord) -> ImageConfig {
    store
        .read_blob(&rec.id)
        .ok()
        .and_then(|d| serde_json::from_slice(&d).ok())
        .unwrap_or_default()
}

fn rows_of(rec: &ImageRecord, created: i64, patterns: &[String]) -> Vec<ImageRow> {
    let row = |repository: Option<String>, tag: Option<String>, digest: Option<String>| ImageRow {
        id: rec.id.clone(),
        repository,
        tag,
        digest,
        created,
        size: rec.size,
    };
    let names: Vec<Reference> = rec
        .names
        .iter()
        .filter_map(|n| Reference::parse(n).ok())
        .collect();
    let digests: Vec<Reference> = rec
        .digests
        .iter()
        .filter_map(|n| Reference::parse(n).ok())
        .collect();
    let matches = |r: &Reference| {
        patterns.is_empty()
            || patterns
                .iter()
                .any(|p| glob_match(p, &r.familiar()) || glob_match(p, &r.familiar_repository()))
    };
    let digest_for = |repo: &str| {
        digests
            .iter()
            .find(|d| d.repository() == repo)
            .and_then(|d| d.digest.clone())
    };
    let mut rows = Vec::new();
    for r in names.iter().filter(|r| matches(r)) {
        rows.push(row(
            Some(r.familiar_repository()),
            r.tag.clone(),
            digest_for(&r.repository()),
        ));
    }
    for d in digests.iter().filter(|d| matches(d)) {
        if !names.iter().any(|n| n.repository() == d.repository()) {
            rows.push(row(Some(d.familiar_repository()), None, d.digest.clone()));
        }
    }
    if names.is_empty() && digests.is_empty() && patterns.is_empty() {
        rows.push(row(None, None, None));
    }
    rows
}

/// Familiar names (`busybox:latest`) of a record.
pub fn repo_tags(rec: &ImageRecord) -> Vec<String> {
    familiar_all(&rec.names)
}

/// Familiar repository digests (`busybox@sha256:...`) of a record.
pub fn repo_digests(rec: &ImageRecord) -> Vec<String> {
    familiar_all(&rec.digests)
}

fn familiar_all(names: &[String]) -> Vec<String> {
    names
        .iter()
        .filter_map(|n| Reference::parse(n).ok())
        .map(|r| r.familiar())
        .collect()
}
