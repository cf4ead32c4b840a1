//! External OCI runtimes (runc, crun, youki, or a path): the same bundle as
//! kist's built-in runtime, run by `RUNTIME create` + `RUNTIME start`
//! (`spawn`, `helper`); its `kill`, `state` and `delete` are called here,
//! from any process; what a failed runtime said is read in `errors`.
//!
//! The overlay rootfs must be mounted before the runtime runs, and rootless
//! an unprivileged overlay can only be mounted inside a user + mount
//! namespace. So, as podman does, the supervisor forks a helper that
//! creates a user namespace mapped with the full subuid/subgid range
//! (newuidmap/newgidmap, written by the supervisor) and a mount namespace,
//! mounts the overlay (userxattr) at `bundle/rootfs`, and runs the runtime
//! there as namespace root. The runtime gets `bundle/runtime-config/config.json`:
//! the container's config with `root.path` absolute and, rootless, without
//! the user namespace and the id mappings (the runtime sees it already runs
//! in a user namespace and behaves as rootless: runc skips cgroups). As
//! root the helper only creates a mount namespace: the overlay never shows
//! on the host and goes away with the container's last process.
//!
//! The runtime's stdio are the container's streams (it passes them on).
//! When `create` exits, the container process is re-parented to the
//! supervisor (a child subreaper), which reads its pid from the pid file
//! and waits for it as for the built-in runtime's. Errors come from the
//! runtime's JSON log (`--log`), not from its stderr, which is the
//! container's. A `-t` container's terminal is made by the runtime, which
//! sends its master over `--console-socket`; the supervisor uses that
//! master instead of its own pty. With a network to connect (pasta,
//! slirp4netns), the helper stops between `create` (the namespaces exist)
//! and `start` until the supervisor has connected it.

mod errors;
mod helper;
mod spawn;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use nix::sys::signal::Signal;

use super::container::SpawnError;

pub(crate) use spawn::recv_fd;
pub use spawn::spawn_external;

/// Runtimes kist knows by name, with the package that provides each.
pub const KNOWN: [(&str, &str); 3] = [
    ("runc", "install the runc package (apt-get install runc)"),
    ("crun", "install the crun package (apt-get install crun)"),
    (
        "youki",
        "install youki (https://github.com/youki-dev/youki/releases)",
    ),
];

/// kist's own runtime.
pub const BUILTIN: &str = "kist";

/// Directory name of the bundle the external runtime is given.
const BUNDLE_DIR: &str = "runtime-config";

/// Whether `runtime` (a container record's HostConfig.runtime) names an
/// external runtime.
pub fn is_external(runtime: &str) -> bool {
    !runtime.is_empty() && runtime != BUILTIN
}

/// Finds the binary of a runtime given by name (runc, crun, youki) or path.
/// The error names the runtime and how to get it.
pub fn resolve(runtime: &str) -> Result<PathBuf, String> {
    if runtime.contains('/') {
        let p = PathBuf::from(runtime);
        return match fs::metadata(&p) {
            Ok(m) if m.is_file() && executable(&m) => Ok(p),
            Ok(_) => Err(format!("OCI runtime {runtime} is not an executable file")),
            Err(e) => Err(format!("OCI runtime {runtime}: {e}")),
        };
    }
    let Some((_, hint)) = KNOWN.iter().find(|(n, _)| *n == runtime) else {
        return Err(format!(
            "unknown runtime {runtime:?}\nhint: use kist (built-in), runc, crun, youki, or the path of an OCI runtime binary"
        ));
    };
    // The sbin directories too: a user's PATH often lacks them (runc lives
    // in /usr/sbin on Debian).
    let path = std::env::var_os("PATH").unwrap_or_default();
    let extra = [
        "/usr/local/sbin",
        "/usr/sbin",
        "/sbin",
        "/usr/local/bin",
        "/usr/bin",
    ];
    std::env::split_paths(&path)
        .chain(extra.iter().map(PathBuf::from))
        .filter(|d| d.is_absolute())
        .map(|d| d.join(runtime))
        .find(|p| fs::metadata(p).is_ok_and(|m| m.is_file() && executable(&m)))
        .ok_or_else(|| format!("OCI runtime {runtime} not found in $PATH\nhint: {hint}"))
}

fn executable(m: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    m.permissions().mode() & 0o111 != 0
}

/// The runtime's state directory (`--root`): `RUNROOT/runtime/NAME`, NAME
/// the runtime's name or its binary's file name.
pub fn state_root(runroot: &Path, runtime: &str) -> PathBuf {
    let name = Path::new(runtime)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "oci".into());
    runroot.join("runtime").join(name)
}

fn setup(msg: impl Into<String>) -> SpawnError {
    SpawnError::Setup(msg.into())
}

/// `RUNTIME --root STATE_ROOT ARGS…`, run to the end from any process (the
/// supervisor, or a later kist command): its stderr on failure.
fn runtime_call(runtime: &str, state_root: &Path, args: &[&str]) -> Result<Vec<u8>, String> {
    let bin = resolve(runtime)?;
    let out = Command::new(&bin)
        .arg("--root")
        .arg(state_root)
        .args(args)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| format!("{}: {e}", bin.display()))?;
    match out.status.success() {
        true => Ok(out.stdout),
        false => Err(format!(
            "{runtime} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}

/// `RUNTIME delete --force ID`: removes the runtime's state of a container
/// (and kills it if it still runs). Safe to call from any process.
pub fn delete_external(runtime: &str, id: &str, state_root: &Path) -> Result<(), String> {
    match runtime_call(runtime, state_root, &["delete", "--force", id]) {
        Err(e) if state_root.join(id).exists() => Err(e),
        _ => Ok(()),
    }
}

/// `RUNTIME kill ID SIGNAL`: the runtime signals the container's process.
pub fn kill_external(
    runtime: &str,
    id: &str,
    state_root: &Path,
    signal: Signal,
) -> Result<(), String> {
    let sig = (signal as i32).to_string();
    runtime_call(runtime, state_root, &["kill", id, &sig]).map(drop)
}

/// What `RUNTIME state ID` says of a container (OCI runtime spec, "State").
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
pub struct RuntimeState {
    /// `creating`, `created`, `running`, `paused` or `stopped`.
    pub status: String,
    #[serde(default)]
    pub pid: i32,
}

/// `RUNTIME state ID`: whether the runtime knows the container, and its
/// status; `None` when the runtime has no state of it.
pub fn state_external(
    runtime: &str,
    id: &str,
    state_root: &Path,
) -> Result<Option<RuntimeState>, String> {
    if !state_root.join(id).exists() {
        return Ok(None);
    }
    let out = runtime_call(runtime, state_root, &["state", id])?;
    serde_json::from_slice(&out)
        .map(Some)
        .map_err(|e| format!("{runtime} state {id}: {e}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        assert!(is_external("runc"));
        assert!(!is_external("kist"));
        assert!(!is_external(""));
        let e = resolve("nosuch").unwrap_err();
        assert!(e.contains("unknown runtime \"nosuch\""), "{e}");
        let e = resolve("/nonexistent/runc").unwrap_err();
        assert!(e.contains("/nonexistent/runc"), "{e}");
        assert_eq!(
            state_root(Path::new("/run/kist"), "/opt/bin/runc"),
            Path::new("/run/kist/runtime/runc")
        );
    }
}
