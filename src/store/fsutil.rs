//! Small filesystem helpers with errors that name the path: atomic writes
//! (temp + fsync + rename + fsync of the directory) and tree removal that
//! copes with the modes overlay and images leave behind.

use std::fs::{self, File};
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use super::{io_err, Result};

/// Replaces `path` with `data` so that readers see the old or the new file,
/// never a mix, even after a crash or a power loss.
pub fn write_atomic(path: &Path, data: &[u8]) -> Result<()> {
    replace(path, data, true)
}

/// As `write_atomic`, without waiting for the disk: readers and a killed
/// process still see the old or the new file, a power loss may keep the
/// old one. For state that is rewritten often and checked when read (a
/// container's state).
pub fn write_replace(path: &Path, data: &[u8]) -> Result<()> {
    replace(path, data, false)
}

fn replace(path: &Path, data: &[u8], durable: bool) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("file");
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let mut file = File::create(&tmp).map_err(io_err("cannot create", &tmp))?;
    file.write_all(data).map_err(io_err("cannot write", &tmp))?;
    if durable {
        file.sync_all().map_err(io_err("cannot sync", &tmp))?;
    }
    drop(file);
    fs::rename(&tmp, path).map_err(io_err("cannot rename into", path))?;
    if durable {
        sync_dir(dir)?;
    }
    Ok(())
}

pub fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(io_err("cannot sync", dir))
}

pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    fs::set_permissions(path, fs::Permissions::from_mode(mode))
        .map_err(io_err("cannot chmod", path))
}

/// Removes a file or a directory tree; missing is fine. Directories without
/// write or search permission (overlay's work dir is 000) are opened up
/// first.
pub fn remove_tree(path: &Path) -> Result<()> {
    let meta = match fs::symlink_metadata(path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_err("cannot stat", path)(e)),
    };
    if !meta.is_dir() {
        return fs::remove_file(path).map_err(io_err("cannot remove", path));
    }
    if fs::remove_dir_all(path).is_ok() {
        return Ok(());
    }
    open_up(path);
    fs::remove_dir_all(path).map_err(io_err("cannot remove", path))
}

fn open_up(dir: &Path) {
    let _ = fs::set_permissions(dir, fs::Permissions::from_mode(0o700));
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            if entry.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                open_up(&entry.path());
            }
        }
    }
}
