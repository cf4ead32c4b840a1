//! `kist image inspect`: docker-compatible JSON for each image.

use serde_json::{json, Map, Value};

use super::images::{config_of, repo_digests, repo_tags};
use super::Result;
use crate::store::Store;

/// One inspect object per query, in order; a query that matches nothing is
/// an error in its slot.
pub fn inspect(store: &Store, queries: &[String]) -> Result<Vec<Result<Value>>> {
    let index = store.index()?;
    Ok(queries
        .iter()
        .map(|q| {
            let rec = &index.images[index.find(q)?];
            let raw: Value = serde_json::from_slice(&store.read_blob(&rec.id)?).unwrap_or(Value::Null);
            let cfg = config_of(store, rec);
            let mut config = match cfg.config.clone() {
                Some(Value::Object(m)) => m,
                _ => Map::new(),
            };
            for (key, default) in [
                ("User", json!("")),
                ("Env", Value::Null),
                ("Cmd", Value::Null),
                ("WorkingDir", json!("")),
                ("Entrypoint", Value::Null),
                ("OnBuild", Value::Null),
                ("Labels", Value::Null),
            ] {
                config.entry(key).or_insert(default);
            }
            let lower: Vec<String> = rec
                .layers
                .iter()
                .rev()
                .map(|d| store.layer_path(d).join("diff").display().to_string())
                .collect();
            let mut out = json!({
                "Id": rec.id,
                "RepoTags": repo_tags(rec),
                "RepoDigests": repo_digests(rec),
                "Parent": rec.parent.as_ref().map(|p| p.to_string()).unwrap_or_default(),
                "Comment": raw.get("comment").cloned().unwrap_or(json!("")),
                "Created": cfg.created.clone().unwrap_or_default(),
                "DockerVersion": raw.get("docker_version").cloned().unwrap_or(json!("")),
                "Author": cfg.author.clone().unwrap_or_default(),
                "Config": config,
                "Architecture": cfg.architecture,
                "Os": cfg.os,
                "Size": rec.size,
                "GraphDriver": {"Name": "overlay", "Data": {"LowerDir": lower.join(":")}},
                "RootFS": {"Type": "layers", "Layers": rec.layers},
                "Metadata": {"LastTagTime": rec.tagged_at.clone().unwrap_or_else(|| "0001-01-01T00:00:00Z".into())},
            });
            // Not in docker's output; podman's, from the config, as is.
            if let Some(h) = raw.get("history").filter(|h| h.is_array()) {
                out["History"] = h.clone();
            }
            if let Some(v) = &cfg.variant {
                out["Variant"] = json!(v);
            }
            Ok(out)
        })
        .collect())
}
