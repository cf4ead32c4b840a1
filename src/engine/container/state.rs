//! A container's state as the engine acts on it, and where its signals go.
//!
//! The built-in runtime's containers die with their supervisor. An
//! external runtime's container does not: its process outlives a
//! supervisor killed with -9. The first command that finds the supervisor
//! gone asks the runtime (`RUNTIME state`) and stops what is left
//! (`RUNTIME delete --force`), so the state kist reports (exited, 137, "the
//! container was killed with it") is true. That state is then written, with
//! the time it was found as its finish time.

use std::path::PathBuf;

use nix::sys::signal::Signal;

use super::super::Result;
use crate::config::Settings;
use crate::runtime::external;
use crate::store::containers::{ContainerRecord, ContainerState, Status};
use crate::store::Store;

/// The state of container `id`, settled (module doc).
pub fn current(store: &Store, settings: &Settings, id: &str) -> Result<ContainerState> {
    Ok(settle(store, settings, id, store.read_state(id)?))
}

/// `raw` (as read from the store) with a dead supervisor taken into
/// account, and an external runtime's orphaned container stopped.
pub fn settle(store: &Store, settings: &Settings, id: &str, raw: ContainerState) -> ContainerState {
    let recorded_running = raw.status == Status::Running;
    let mut state = raw.effective();
    if recorded_running && state.status != Status::Running {
        if let Ok(rec) = store.read_container(id) {
            stop_orphan(settings, &rec);
        }
        // Recorded once, with the time it was found: FinishedAt.
        if state.finished_at.is_empty() || state.finished_at.starts_with("0001-") {
            state.finished_at = crate::engine::now_rfc3339();
        }
        let _ = store.write_state(id, &state);
    }
    state
}

fn stop_orphan(settings: &Settings, rec: &ContainerRecord) {
    let runtime = rec.host_config.runtime.as_str();
    if !external::is_external(runtime) {
        return;
    }
    let root = external::state_root(&settings.runroot, runtime);
    match external::state_external(runtime, &rec.id, &root) {
        Ok(Some(s)) if s.status != "stopped" => {
            let _ = external::delete_external(runtime, &rec.id, &root);
        }
        _ => {}
    }
}

/// Where a running container's signals go: its pid, or for an external
/// runtime the runtime (`RUNTIME kill`), as podman does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignalTarget {
    Pid(i32),
    Runtime {
        runtime: String,
        root: PathBuf,
        id: String,
    },
}

impl SignalTarget {
    pub fn of(settings: &Settings, rec: &ContainerRecord, pid: i32) -> SignalTarget {
        let runtime = rec.host_config.runtime.as_str();
        match external::is_external(runtime) {
            true => SignalTarget::Runtime {
                runtime: runtime.to_string(),
                root: external::state_root(&settings.runroot, runtime),
                id: rec.id.clone(),
            },
            false => SignalTarget::Pid(pid),
        }
    }

    pub fn send(&self, signal: Signal) -> std::result::Result<(), String> {
        match self {
            SignalTarget::Pid(pid) => {
                nix::sys::signal::kill(nix::unistd::Pid::from_raw(*pid), signal)
                    .map_err(|e| e.to_string())
            }
            SignalTarget::Runtime { runtime, root, id } => {
                external::kill_external(runtime, id, root, signal)
            }
        }
    }
}
