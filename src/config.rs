//! Settings: the command line's global flags, the config file and the
//! defaults, resolved once into `Settings` before any engine code runs.
//!
//! Paths: rootless data lives in `$XDG_DATA_HOME/kist` (~/.local/share/kist)
//! and runtime state in `$XDG_RUNTIME_DIR/kist` (else a 0700 `/tmp/kist-UID`);
//! root uses `/var/lib/kist` and `/run/kist`. The config file is
//! `$XDG_CONFIG_HOME/kist/kist.toml` (root: `/etc/kist/kist.toml`), or the
//! file named by `$KIST_CONFIG`.

use std::path::{Path, PathBuf};

use crate::runtime::idmap::{self, IdMap};
use crate::runtime::userns;

pub const STORAGE_DRIVERS: [&str; 3] = ["overlay", "fuse-overlayfs", "vfs"];

/// Global flags as typed on the command line (`None`: not given).
#[derive(Debug, Default, Clone)]
pub struct GlobalFlags {
    pub root: Option<PathBuf>,
    pub runroot: Option<PathBuf>,
    pub storage_driver: Option<String>,
}

#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    root: Option<PathBuf>,
    runroot: Option<PathBuf>,
    storage_driver: Option<String>,
    /// Default OCI runtime of new containers: kist (built-in), runc, crun,
    /// youki or a path; `--runtime` overrides it.
    runtime: Option<String>,
    /// Seconds to wait for a registry to connect or answer (default 30).
    registry_timeout: Option<u64>,
    /// The default network's helper when both are installed: pasta (the
    /// default) or slirp4netns.
    network_backend: Option<String>,
}

/// Where registry configuration and credentials live, from the
/// environment (see `registry::conf` and `registry::credentials`).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct RegistryPaths {
    pub home: Option<PathBuf>,
    /// `$XDG_RUNTIME_DIR` (podman's auth.json lives under it).
    pub runtime_dir: Option<PathBuf>,
    /// `$DOCKER_CONFIG`
    pub docker_config: Option<PathBuf>,
    /// `$REGISTRY_AUTH_FILE`
    pub auth_file: Option<PathBuf>,
    pub timeout_secs: u64,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct Settings {
    /// Image and container data.
    pub root: PathBuf,
    /// Runtime state (sockets, locks that die with a reboot).
    pub runroot: PathBuf,
    pub storage_driver: String,
    /// The storage driver was chosen (flag or config file); else the driver
    /// in use is probed (see [`Settings::driver_in_use`]).
    pub storage_driver_set: bool,
    /// Default runtime of new containers (checked when one is created).
    pub runtime: String,
    /// Running without real root privileges (also true inside kist's own
    /// user namespace).
    pub rootless: bool,
    /// The host uid/gid of the user kist runs for.
    pub uid: u32,
    pub gid: u32,
    /// Rootless id mapping (/etc/subuid, /etc/subgid); empty for root.
    pub id_map: IdMap,
    pub config_file: Option<PathBuf>,
    pub registry: RegistryPaths,
    /// `network_backend` of the config file: pasta or slirp4netns.
    pub network_backend: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("unknown storage driver {0:?}\nhint: use one of overlay, fuse-overlayfs, vfs")]
    Driver(String),
    #[error("invalid config file {path}: unknown network_backend {value:?}\nhint: use pasta or slirp4netns")]
    NetworkBackend { path: PathBuf, value: String },
    #[error(
        "cannot find the home directory of uid {0}\nhint: set HOME or pass --root and --runroot"
    )]
    NoHome(u32),
    #[error("unsafe runtime directory {path}: {why}\nhint: set XDG_RUNTIME_DIR to a directory of your own with mode 0700, or pass --runroot")]
    UnsafeRunroot { path: PathBuf, why: String },
}

impl Settings {
    pub fn resolve(flags: &GlobalFlags) -> Result<Settings, ConfigError> {
        let inside = userns::inside();
        let (uid, gid) = host_ids(inside.is_some());
        let rootless = uid != 0;
        let config_path = config_path(rootless);
        let file = match &config_path {
            Some(path) => read_config(path)?,
            None => FileConfig::default(),
        };
        let (root, (runroot, run_fallback)) = default_paths(rootless, uid)?;
        if run_fallback && inside.is_none() && flags.runroot.is_none() && file.runroot.is_none() {
            private_dir(&runroot, uid)?;
        }
        let chosen = flags.storage_driver.clone().or(file.storage_driver);
        let storage_driver_set = chosen.is_some();
        let storage_driver = chosen.unwrap_or_else(|| "overlay".into());
        if !STORAGE_DRIVERS.contains(&storage_driver.as_str()) {
            return Err(ConfigError::Driver(storage_driver));
        }
        if let (Some(v), Some(path)) = (&file.network_backend, &config_path) {
            if crate::net::Backend::parse(v).is_none() {
                return Err(ConfigError::NetworkBackend {
                    path: path.clone(),
                    value: v.clone(),
                });
            }
        }
        let id_map = if rootless {
            idmap::for_user(idmap::user_name(uid).as_deref(), uid, gid)
        } else {
            IdMap::default()
        };
        Ok(Settings {
            root: flags.root.clone().or(file.root).unwrap_or(root),
            runroot: flags.runroot.clone().or(file.runroot).unwrap_or(runroot),
            storage_driver,
            storage_driver_set,
            runtime: file
                .runtime
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| crate::runtime::external::BUILTIN.into()),
            rootless,
            uid,
            gid,
            id_map,
            config_file: config_path.filter(|p| p.exists()),
            registry: RegistryPaths {
                home: env_path("HOME"),
                runtime_dir: env_path("XDG_RUNTIME_DIR"),
                docker_config: env_path("DOCKER_CONFIG"),
                auth_file: env_path("REGISTRY_AUTH_FILE"),
                timeout_secs: file.registry_timeout.unwrap_or(30).max(1),
            },
            network_backend: file.network_backend,
        })
    }
}

impl Settings {
    /// The storage driver new containers get: the chosen one, else the
    /// first of overlay, fuse-overlayfs, vfs that works (probed once per
    /// runroot).
    pub fn driver_in_use(&self) -> crate::runtime::storage::Driver {
        crate::runtime::storage::in_use(
            &self.storage_driver,
            self.storage_driver_set,
            self.rootless,
            &self.runroot,
        )
    }
}

fn env_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// The real user's ids; inside kist's namespace, read back from the maps.
fn host_ids(inside: bool) -> (u32, u32) {
    if inside {
        let read = |f: &str| {
            std::fs::read_to_string(f).ok().and_then(|t| {
                let mut it = t.split_whitespace();
                (it.next() == Some("0"))
                    .then(|| it.next()?.parse().ok())
                    .flatten()
            })
        };
        if let (Some(u), Some(g)) = (read("/proc/self/uid_map"), read("/proc/self/gid_map")) {
            return (u, g);
        }
    }
    (
        nix::unistd::geteuid().as_raw(),
        nix::unistd::getegid().as_raw(),
    )
}

fn config_path(rootless: bool) -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("KIST_CONFIG") {
        return Some(PathBuf::from(p));
    }
    if !rootless {
        return Some(PathBuf::from("/etc/kist/kist.toml"));
    }
    directories::BaseDirs::new().map(|b| b.config_dir().join("kist/kist.toml"))
}

fn read_config(path: &Path) -> Result<FileConfig, ConfigError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileConfig::default()),
        Err(source) => {
            return Err(ConfigError::Read {
                path: path.into(),
                source,
            })
        }
    };
    toml::from_str(&text).map_err(|e| ConfigError::Parse {
        path: path.into(),
        message: e.to_string().trim().replace('\n', " "),
    })
}

/// The data and runtime directories, and whether the latter is the
/// fallback under /tmp (no `$XDG_RUNTIME_DIR`).
type DefaultPaths = (PathBuf, (PathBuf, bool));

fn default_paths(rootless: bool, uid: u32) -> Result<DefaultPaths, ConfigError> {
    if !rootless {
        return Ok(("/var/lib/kist".into(), ("/run/kist".into(), false)));
    }
    let base = directories::BaseDirs::new().ok_or(ConfigError::NoHome(uid))?;
    let data = base.data_dir().join("kist");
    let run = match base.runtime_dir() {
        Some(dir) => (dir.join("kist"), false),
        None => (std::env::temp_dir().join(format!("kist-{uid}")), true),
    };
    Ok((data, run))
}

/// The fallback runtime directory lives in a world-writable place: it is
/// made 0700, and one that another user made (or opened up) is refused.
fn private_dir(path: &Path, uid: u32) -> Result<(), ConfigError> {
    use std::os::unix::fs::{DirBuilderExt, MetadataExt};
    let unsafe_dir = |why: String| ConfigError::UnsafeRunroot {
        path: path.into(),
        why,
    };
    match std::fs::DirBuilder::new().mode(0o700).create(path) {
        Ok(()) => return Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(unsafe_dir(format!("cannot create it: {e}"))),
    }
    let meta = std::fs::symlink_metadata(path).map_err(|e| unsafe_dir(e.to_string()))?;
    if !meta.is_dir() {
        return Err(unsafe_dir("it is not a directory".into()));
    }
    if meta.uid() != uid {
        return Err(unsafe_dir(format!(
            "it belongs to uid {}, not to you",
            meta.uid()
        )));
    }
    if meta.mode() & 0o077 != 0 {
        return Err(unsafe_dir(format!(
            "its mode is {:o}; it must be 0700",
            meta.mode() & 0o7777
        )));
    }
    Ok(())
}
