//! `kist search`: repositories whose name contains the term, from the
//! catalog (`/v2/_catalog`) of each registry searched, or Docker Hub's
//! search API for docker.io.

use super::remote::{Remote, RemoteOptions};
use super::{EngineError, Result};
use crate::config::Settings;
use crate::image::reference::{names_registry, DEFAULT_DOMAIN};

#[derive(Debug, Clone)]
pub struct SearchOptions {
    pub term: String,
    pub limit: usize,
    pub remote: RemoteOptions,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchResult {
    #[serde(rename = "Index")]
    pub index: String,
    #[serde(rename = "Name")]
    pub name: String,
    #[serde(rename = "Description")]
    pub description: String,
    #[serde(rename = "StarCount")]
    pub stars: u64,
    #[serde(rename = "IsOfficial")]
    pub official: bool,
    #[serde(rename = "IsAutomated")]
    pub automated: bool,
}

pub fn search(settings: &Settings, opts: &SearchOptions) -> Result<Vec<SearchResult>> {
    let remote = Remote::new(settings, opts.remote.clone())?;
    let (registries, term) = if names_registry(&opts.term) {
        let (reg, rest) = opts.term.split_once('/').unwrap_or((&opts.term, ""));
        (vec![reg.to_string()], rest.to_string())
    } else {
        let search = remote.conf.unqualified_search();
        let regs = if search.is_empty() {
            vec![DEFAULT_DOMAIN.to_string()]
        } else {
            search.to_vec()
        };
        (regs, opts.term.clone())
    };
    let mut out = Vec::new();
    let mut last_error = None;
    for registry in &registries {
        match search_one(&remote, registry, &term, opts.limit) {
            Ok(found) => out.extend(found),
            Err(e) => last_error = Some(e),
        }
    }
    if out.is_empty() {
        if let Some(e) = last_error {
            return Err(e);
        }
    }
    Ok(out)
}

fn search_one(
    remote: &Remote,
    registry: &str,
    term: &str,
    limit: usize,
) -> Result<Vec<SearchResult>> {
    let session = remote.session(registry, false, None)?;
    if registry == DEFAULT_DOMAIN {
        let path = format!(
            "https://index.docker.io/v1/search?q={}&n={limit}",
            crate::registry::auth::query_escape(term)
        );
        let (doc, _) = session.get_json(&path, "", "Docker Hub search")?;
        let results = doc
            .get("results")
            .and_then(|r| r.as_array())
            .cloned()
            .unwrap_or_default();
        return Ok(results
            .iter()
            .take(limit)
            .map(|r| SearchResult {
                index: registry.into(),
                name: r
                    .get("name")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .into(),
                description: r
                    .get("description")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .into(),
                stars: r.get("star_count").and_then(|v| v.as_u64()).unwrap_or(0),
                official: r
                    .get("is_official")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
                automated: r
                    .get("is_automated")
                    .and_then(|v| v.as_bool())
                    .unwrap_or(false),
            })
            .collect());
    }
    let needle = term.to_lowercase();
    let mut found = Vec::new();
    let mut next = Some("_catalog?n=1000".to_string());
    while let Some(page) = next.take() {
        let (doc, link) = session
            .get_json(&page, "registry:catalog:*", "the catalog")
            .map_err(|e| match e {
                crate::registry::RegistryError::NotFound { .. } => EngineError::NotSupported(
                    format!("searching registry {registry} (it serves no /v2/_catalog)"),
                ),
                other => other.into(),
            })?;
        for name in doc
            .get("repositories")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
            .filter_map(|n| n.as_str())
        {
            if name.to_lowercase().contains(&needle) && found.len() < limit {
                found.push(SearchResult {
                    index: registry.into(),
                    name: format!("{registry}/{name}"),
                    description: String::new(),
                    stars: 0,
                    official: false,
                    automated: false,
                });
            }
        }
        if found.len() >= limit {
            break;
        }
        next = link;
    }
    Ok(found)
}
