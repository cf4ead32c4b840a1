//! `kist network rm` and `kist network prune`: a network with a running
//! container on it stays; stopped containers that name it do not keep it
//! (as in docker: they fail to start until it exists again).

use std::path::Path;

use super::{attached, find, Attached, EngineError, Result};
use crate::engine::filters::ImageFilters;
use crate::engine::unix_time;
use crate::net::lease::forget_network;
use crate::store::Store;

pub const PRUNE_FILTERS: &[&str] = &["until", "label"];

/// Removes one network (by name, ID or ID prefix); returns its name.
/// `force`: a missing network is not an error (`Ok(None)`).
/// `runroot`: where the network's address leases are kept.
pub fn remove(store: &Store, runroot: &Path, query: &str, force: bool) -> Result<Option<String>> {
    let _lock = store.lock()?;
    let net = match find(store, query) {
        Ok(n) => n,
        Err(_) if force => return Ok(None),
        Err(e) => return Err(e),
    };
    let name = net.rec.name;
    if net.builtin {
        return Err(EngineError::Invalid(format!(
            "{name} is a pre-defined network and cannot be removed"
        )));
    }
    if let Some(users) = attached(store)?.get(&name) {
        return Err(in_use(&name, users));
    }
    let starting = starting(store, runroot, &name);
    if !starting.is_empty() {
        return Err(in_use(&name, &starting));
    }
    store.remove_network(&name)?;
    forget_network(runroot, &name);
    Ok(Some(name))
}

/// Containers whose supervisors hold an address on the network although
/// they do not run: starting, or (just exited) tearing their network
/// down. Waited for a few seconds: what is left is in use.
fn starting(store: &Store, runroot: &Path, name: &str) -> Vec<Attached> {
    let end = std::time::Instant::now() + std::time::Duration::from_secs(5);
    let mut held = crate::net::lease::holders(runroot, name);
    while !held.is_empty() && std::time::Instant::now() < end {
        std::thread::sleep(std::time::Duration::from_millis(20));
        held = crate::net::lease::holders(runroot, name);
    }
    held.into_iter()
        .map(|id| Attached {
            name: store
                .read_container(&id)
                .map(|r| r.name)
                .unwrap_or_else(|_| id.clone()),
            id,
            endpoint: Default::default(),
        })
        .collect()
}

fn in_use(name: &str, users: &[Attached]) -> EngineError {
    let names: Vec<&str> = users.iter().map(|c| c.name.as_str()).collect();
    EngineError::Invalid(format!(
        "network {name:?} is in use by container(s) {}\nhint: kist stop {}, or kist network disconnect {name} CONTAINER once it is stopped",
        names.join(", "),
        names.join(" ")
    ))
}

/// `kist network prune`: every user-defined network without a running
/// container (created before `until`, with the labels asked for); their
/// names, sorted.
pub fn prune(store: &Store, runroot: &Path, filters: &ImageFilters) -> Result<Vec<String>> {
    let _lock = store.lock()?;
    let users = attached(store)?;
    let mut removed = Vec::new();
    for rec in store.list_networks()? {
        if users.contains_key(&rec.name)
            || !starting(store, runroot, &rec.name).is_empty()
            || filters.until.is_some_and(|u| unix_time(&rec.created) >= u)
            || !filters.labels_match(&rec.labels)
        {
            continue;
        }
        store.remove_network(&rec.name)?;
        forget_network(runroot, &rec.name);
        removed.push(rec.name);
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_use_message() {
        let c = |n: &str| Attached {
            id: String::new(),
            name: n.into(),
            endpoint: Default::default(),
        };
        let e = in_use("n1", &[c("db"), c("web")]).to_string();
        assert!(
            e.starts_with(
                "network \"n1\" is in use by container(s) db, web\nhint: kist stop db web"
            ),
            "{e}"
        );
    }
}
