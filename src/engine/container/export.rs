//! `kist export`: the container's filesystem (image layers plus its
//! changes) as a tar archive. The merged view is a read-only overlay of the
//! container's upper dir over the image's layers, mounted in a private
//! mount namespace (inside kist's user namespace when rootless), so it
//! never clashes with the container's own mount when it runs.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Write};

use super::super::{EngineError, Result};
use crate::engine::save::Output;
use crate::runtime::storage::{self, Driver};
use crate::store::{Store, Workspace};

pub fn export(store: &Store, query: &str, output: &Output) -> Result<()> {
    let id = store.find_container(query)?;
    let rec = store.read_container(&id)?;
    let dir = store.container_dir(&id);
    let vfs = Driver::parse(&rec.host_config.storage_driver) == Driver::Vfs
        && dir.join(storage::VFS_MARKER).exists();
    // Kept until the archive is written (the mount lives under it).
    let _ws;
    let _fuse;
    let merged = if vfs {
        // The vfs driver's private copy is the container's filesystem.
        dir.join("rootfs")
    } else {
        let ws = Workspace::create(store)?;
        let merged = ws.new_path("export");
        _ws = ws;
        std::fs::create_dir_all(&merged).map_err(|source| EngineError::Io {
            action: "create",
            path: merged.display().to_string(),
            source,
        })?;
        let mut lower = vec![store.container_dir(&id).join("upper")];
        lower.extend(
            rec.layers
                .iter()
                .rev()
                .map(|d| store.layer_path(d).join("diff")),
        );
        let driver = Driver::parse(&rec.host_config.storage_driver);
        let mounted = match driver {
            // Its upper dir marks opaque dirs its own way: read it with
            // fuse-overlayfs (unmounted before the workspace goes).
            Driver::FuseOverlayfs => fuse_read_only(&lower, &merged),
            _ => crate::runtime::mounts::overlay_read_only(&lower, &merged, store.rootless)
                .map_err(|e| e.to_string()),
        };
        _fuse =
            (driver == Driver::FuseOverlayfs && mounted.is_ok()).then(|| FuseMount(merged.clone()));
        mounted.map_err(|e| {
            EngineError::Invalid(format!(
                "cannot mount the container's filesystem for export: {e}"
            ))
        })?;
        merged
    };
    let write = |out: &mut dyn Write| -> io::Result<()> {
        let mut tar = tar::Builder::new(out);
        tar.follow_symlinks(false);
        tar.mode(tar::HeaderMode::Complete);
        tar.append_dir_all(".", &merged)?;
        tar.into_inner()?.flush()
    };
    let io_err = |source| EngineError::Io {
        action: "write",
        path: "the export archive".into(),
        source,
    };
    match output {
        Output::Stdout => {
            if io::stdout().is_terminal() {
                return Err(EngineError::Invalid(
                    "cowardly refusing to write an archive to a terminal\nhint: use -o FILE or redirect the output".into(),
                ));
            }
            let mut out = BufWriter::with_capacity(1 << 20, io::stdout().lock());
            write(&mut out).map_err(io_err)
        }
        Output::Path(path) => {
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("export");
            let tmp = path.with_file_name(format!(".{name}.kist-{}", std::process::id()));
            let file = File::create(&tmp).map_err(|source| EngineError::Io {
                action: "create",
                path: tmp.display().to_string(),
                source,
            })?;
            let result = write(&mut BufWriter::with_capacity(1 << 20, file)).map_err(io_err);
            if result.is_err() {
                let _ = std::fs::remove_file(&tmp);
                return result;
            }
            std::fs::rename(&tmp, path).map_err(|source| EngineError::Io {
                action: "write",
                path: path.display().to_string(),
                source,
            })
        }
    }
}

/// Unmounts a fuse-overlayfs view (its daemon then exits).
struct FuseMount(std::path::PathBuf);

impl Drop for FuseMount {
    fn drop(&mut self) {
        let _ = nix::mount::umount2(&self.0, nix::mount::MntFlags::MNT_DETACH);
    }
}

fn fuse_read_only(
    lower: &[std::path::PathBuf],
    target: &std::path::Path,
) -> std::result::Result<(), String> {
    let bin = storage::fuse_overlayfs()?;
    let lower: Vec<String> = lower.iter().map(|p| p.display().to_string()).collect();
    let out = std::process::Command::new(bin)
        .arg("-o")
        .arg(format!("lowerdir={}", lower.join(":")))
        .arg(target)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .map_err(|e| format!("fuse-overlayfs: {e}"))?;
    match out.status.success() {
        true => Ok(()),
        false => Err(format!(
            "fuse-overlayfs: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )),
    }
}
