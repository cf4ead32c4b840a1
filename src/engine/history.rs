//! `kist history`: the image's build steps, newest first, with the size
//! each layer added.

use super::{unix_time, Result};
use crate::store::{Digest, Store};

#[derive(Debug, Clone)]
pub struct HistoryRow {
    /// The image ID on the newest row, `None` (`<missing>`) below it.
    pub id: Option<Digest>,
    pub created: i64,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
    pub tags: Vec<String>,
}

pub fn history(store: &Store, query: &str) -> Result<Vec<HistoryRow>> {
    let index = store.index()?;
    let rec = &index.images[index.find(query)?];
    let cfg = super::images::config_of(store, rec);
    let sizes: Vec<u64> = rec
        .layers
        .iter()
        .map(|d| store.layer_info(d).map(|i| i.size))
        .collect::<Result<_, _>>()?;
    let mut rows = Vec::new();
    let mut layer = 0;
    if cfg.history.is_empty() {
        for size in &sizes {
            rows.push(HistoryRow {
                id: None,
                created: unix_time(&rec.created),
                created_by: String::new(),
                size: *size,
                comment: String::new(),
                tags: vec![],
            });
        }
    }
    for h in &cfg.history {
        let size = if h.empty_layer {
            0
        } else {
            layer += 1;
            sizes.get(layer - 1).copied().unwrap_or(0)
        };
        rows.push(HistoryRow {
            id: None,
            created: unix_time(h.created.as_deref().unwrap_or("")),
            created_by: h.created_by.clone().unwrap_or_default(),
            size,
            comment: h.comment.clone().unwrap_or_default(),
            tags: vec![],
        });
    }
    rows.reverse();
    if let Some(top) = rows.first_mut() {
        top.id = Some(rec.id.clone());
        top.tags = super::images::repo_tags(rec);
    }
    Ok(rows)
}
