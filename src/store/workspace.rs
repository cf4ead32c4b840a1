//! A command's private scratch directory under `tmp/`, locked for as long as
//! the command lives. Whatever a killed command left there is found by the
//! next command (the lock can be taken) and removed.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use super::{fsutil, io_err, Result, Store};

pub struct Workspace {
    dir: PathBuf,
    lock_path: PathBuf,
    _lock: File,
    next: AtomicU32,
}

impl Workspace {
    pub fn create(store: &Store) -> Result<Workspace> {
        let tmp = store.tmp_dir();
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let name = format!("{}-{nanos:x}", std::process::id());
        // Lock under a name no cleaner looks at, then rename: the lock is
        // held before the workspace becomes visible.
        let new_path = tmp.join(format!("{name}.lock.new"));
        let lock_path = tmp.join(format!("{name}.lock"));
        let lock = File::create(&new_path).map_err(io_err("cannot create", &new_path))?;
        lock.lock().map_err(io_err("cannot lock", &new_path))?;
        fs::rename(&new_path, &lock_path).map_err(io_err("cannot rename", &new_path))?;
        let dir = tmp.join(name);
        fs::create_dir(&dir).map_err(io_err("cannot create", &dir))?;
        Ok(Workspace {
            dir,
            lock_path,
            _lock: lock,
            next: AtomicU32::new(0),
        })
    }

    /// A fresh path inside the workspace (not created).
    pub fn new_path(&self, prefix: &str) -> PathBuf {
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        self.dir.join(format!("{prefix}-{n}"))
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = fsutil::remove_tree(&self.dir);
        let _ = fs::remove_file(&self.lock_path);
    }
}

/// Workspaces whose command is gone: `(dir, lock file)`.
pub fn stale_workspaces(tmp: &Path) -> impl Iterator<Item = (PathBuf, PathBuf)> {
    let entries: Vec<PathBuf> = fs::read_dir(tmp)
        .map(|rd| rd.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    let mut stale = Vec::new();
    for path in &entries {
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if let Some(base) = name.strip_suffix(".lock") {
            let free = File::open(path)
                .map(|f| f.try_lock().is_ok())
                .unwrap_or(false);
            if free {
                stale.push((tmp.join(base), path.clone()));
            }
        } else if name.ends_with(".lock.new") {
            let old = fs::metadata(path)
                .and_then(|m| m.modified())
                .map(|t| t.elapsed().unwrap_or_default() > Duration::from_secs(60))
                .unwrap_or(false);
            if old {
                stale.push((PathBuf::new(), path.clone()));
            }
        } else if !tmp.join(format!("{name}.lock")).exists() {
            stale.push((path.clone(), PathBuf::new()));
        }
    }
    stale
        .into_iter()
        .filter(|(d, l)| !d.as_os_str().is_empty() || !l.as_os_str().is_empty())
}
