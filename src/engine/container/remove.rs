//! `kist rm`: removes a container's directory, name and socket. Files its
//! processes created as other users are owned by subordinate ids, which
//! only a process in a user namespace can remove: the directory is first
//! moved into the store's `tmp/` (so an interrupted removal is finished by
//! the next command's recovery), then removed, through `kist unshare` when
//! needed.

use std::time::Duration;

use super::super::{EngineError, Result};
use crate::config::Settings;
use crate::store::containers::{ContainerRecord, Status};
use crate::store::Store;

#[derive(Debug, Clone, Copy, Default)]
pub struct RmOptions {
    pub force: bool,
}

/// `kist rm`: the ID removed; `None` when `--force` was given for a
/// container that does not exist (docker then says nothing and exits 0).
pub fn remove(
    store: &Store,
    settings: &Settings,
    query: &str,
    opts: RmOptions,
) -> Result<Option<String>> {
    let id = match store.find_container(query) {
        Ok(id) => id,
        Err(crate::store::containers::ContainerLookupError::NotFound(_)) if opts.force => {
            return Ok(None)
        }
        Err(e) => return Err(EngineError::Invalid(e.to_string())),
    };
    let state = super::state::current(store, settings, &id)?;
    if state.status == Status::Running {
        if !opts.force {
            return Err(EngineError::Conflict(format!(
                "cannot remove container \"{query}\": container is running\nhint: stop the container before removing it, or use kist rm -f"
            )));
        }
        if let Ok(rec) = store.read_container(&id) {
            let target = super::state::SignalTarget::of(settings, &rec, state.pid);
            let _ = target.send(nix::sys::signal::Signal::SIGKILL);
        }
        super::stop::wait_exit(store, settings, &id, Some(Duration::from_secs(10)))?;
    }
    let rec = match store.read_container(&id) {
        Ok(rec) => rec,
        // A --rm container's supervisor removed it meanwhile: done.
        Err(_) if !store.container_dir(&id).exists() => return Ok(Some(id)),
        Err(e) => return Err(e.into()),
    };
    delete_files(store, settings, &rec)?;
    Ok(Some(id))
}

/// Removes everything of a stopped container.
pub fn delete_files(store: &Store, settings: &Settings, rec: &ContainerRecord) -> Result<()> {
    let runtime = rec.host_config.runtime.as_str();
    if crate::runtime::external::is_external(runtime) {
        // Normally done by the supervisor when the container exited; left
        // behind when the supervisor was killed.
        let root = crate::runtime::external::state_root(&settings.runroot, runtime);
        if root.join(&rec.id).exists() {
            let _ = crate::runtime::external::delete_external(runtime, &rec.id, &root);
        }
    }
    let dir = store.container_dir(&rec.id);
    let trash = store.tmp_dir().join(format!("rm-{}", rec.id));
    match std::fs::rename(&dir, &trash) {
        Ok(()) => {}
        // Someone else (the supervisor of a --rm container, a parallel rm)
        // took it first.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(source) => {
            return Err(EngineError::Io {
                action: "remove",
                path: dir.display().to_string(),
                source,
            })
        }
    }
    store.release_name(&rec.name, &rec.id);
    let _ = std::fs::remove_file(crate::supervisor::socket_path(&settings.runroot, &rec.id));
    if crate::store::fsutil::remove_tree(&trash).is_err() && settings.rootless {
        // Inside kist's user namespace the subordinate ids are ours.
        let status = std::process::Command::new("/proc/self/exe")
            .args(["--root"])
            .arg(&settings.root)
            .args(["unshare", "rm", "-rf"])
            .arg(&trash)
            .status();
        if !status.is_ok_and(|s| s.success()) {
            return Err(EngineError::Invalid(format!(
                "cannot remove {}\nhint: the next kist command retries",
                trash.display()
            )));
        }
    }
    Ok(())
}

/// `kist rename OLD NEW`.
pub fn rename(store: &Store, query: &str, new_name: &str) -> Result<String> {
    let id = store.find_container(query)?;
    if !super::names::valid_name(new_name) {
        return Err(EngineError::Invalid(format!(
            "invalid container name {new_name:?}: only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        )));
    }
    let mut rec = store.read_container(&id)?;
    if rec.name == new_name {
        return Err(EngineError::Invalid(format!(
            "renaming a container with the same name as its current name: {new_name}"
        )));
    }
    if !store.claim_name(new_name, &id)? {
        let owner = store.find_container(new_name).unwrap_or_default();
        return Err(EngineError::Conflict(format!(
            "the container name \"/{new_name}\" is already in use by container \"{owner}\"\nhint: remove (kist rm) or rename that container, or choose another name"
        )));
    }
    let old = std::mem::replace(&mut rec.name, new_name.to_string());
    store.write_container(&rec)?;
    store.release_name(&old, &id);
    Ok(id)
}

#[derive(Debug, Default)]
pub struct PruneReport {
    pub removed: Vec<String>,
    /// Bytes of the removed containers' writable layers.
    pub reclaimed: u64,
}

/// `kist container prune`: removes every container that is not running
/// (created before `until`, with the labels asked for).
pub fn prune(
    store: &Store,
    settings: &Settings,
    filters: &crate::engine::filters::ImageFilters,
) -> Result<PruneReport> {
    let mut report = PruneReport::default();
    for id in store.container_ids() {
        let Ok(rec) = store.read_container(&id) else {
            continue;
        };
        let state = super::state::current(store, settings, &id)?;
        if state.status == Status::Running {
            continue;
        }
        if filters
            .until
            .is_some_and(|u| crate::engine::unix_time(&rec.created) >= u)
            || !filters.labels_match(&rec.config.labels)
        {
            continue;
        }
        report.reclaimed += super::ps::dir_size(&store.container_dir(&id).join("upper"));
        delete_files(store, settings, &rec)?;
        report.removed.push(id);
    }
    Ok(report)
}
