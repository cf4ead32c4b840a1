//! `kist version` and `kist info`: what this kist is and what it runs on.

use serde::Serialize;

use super::Result;
use crate::config::Settings;
use crate::runtime::idmap::IdRange;
use crate::store::Store;

/// The Docker Engine API version the REST service will speak.
pub const API_VERSION: &str = "1.41";

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct VersionReport {
    pub client: ComponentVersion,
    pub server: ComponentVersion,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct ComponentVersion {
    pub platform: Platform,
    pub version: String,
    pub api_version: String,
    pub os: String,
    pub arch: String,
    pub kernel_version: String,
}

#[derive(Debug, Serialize)]
pub struct Platform {
    #[serde(rename = "Name")]
    pub name: String,
}

pub fn version() -> VersionReport {
    let c = || ComponentVersion {
        platform: Platform {
            name: "kist (daemonless)".into(),
        },
        version: env!("CARGO_PKG_VERSION").into(),
        api_version: API_VERSION.into(),
        os: "linux".into(),
        arch: crate::image::spec::host_platform().architecture,
        kernel_version: kernel(),
    };
    VersionReport {
        client: c(),
        server: c(),
    }
}

fn kernel() -> String {
    nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct InfoReport {
    pub server_version: String,
    pub images: usize,
    pub containers: usize,
    pub containers_running: usize,
    pub containers_paused: usize,
    pub containers_stopped: usize,
    pub driver: String,
    pub driver_status: Vec<[String; 2]>,
    pub docker_root_dir: String,
    pub run_root: String,
    pub rootless: bool,
    #[serde(rename = "IDMappings")]
    pub id_mappings: IdMappings,
    pub security_options: Vec<String>,
    pub cgroup_driver: String,
    pub cgroup_version: String,
    pub kernel_version: String,
    pub operating_system: String,
    #[serde(rename = "OSType")]
    pub os_type: String,
    pub architecture: String,
    #[serde(rename = "NCPU")]
    pub ncpu: usize,
    pub mem_total: u64,
    pub name: String,
    pub config_file: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct IdMappings {
    #[serde(rename = "UIDMap")]
    pub uid_map: Vec<IdRange>,
    #[serde(rename = "GIDMap")]
    pub gid_map: Vec<IdRange>,
}

pub fn info(settings: &Settings, store: &Store) -> Result<InfoReport> {
    let images = store.index()?.images.len();
    let backing = nix::sys::statfs::statfs(&store.root)
        .map(|s| fs_name(s.filesystem_type().0))
        .unwrap_or_else(|_| "unknown".into());
    let mut driver_status = vec![["Backing Filesystem".to_string(), backing]];
    let driver = settings.driver_in_use();
    if driver == crate::runtime::storage::Driver::Overlay {
        driver_status.push(["Native Overlay Diff".into(), "true".into()]);
        driver_status.push(["userxattr".into(), settings.rootless.to_string()]);
    }
    let mut security = vec!["name=seccomp,profile=builtin".to_string()];
    if settings.rootless {
        security.push("name=rootless".into());
    }
    let cgroup_version = if std::path::Path::new("/sys/fs/cgroup/cgroup.controllers").exists()
        && !std::path::Path::new("/sys/fs/cgroup/unified").exists()
    {
        "2"
    } else {
        "1"
    };
    Ok(InfoReport {
        server_version: env!("CARGO_PKG_VERSION").into(),
        images,
        containers: 0,
        containers_running: 0,
        containers_paused: 0,
        containers_stopped: 0,
        driver: driver.name().to_string(),
        driver_status,
        docker_root_dir: settings.root.display().to_string(),
        run_root: settings.runroot.display().to_string(),
        rootless: settings.rootless,
        id_mappings: IdMappings {
            uid_map: settings.id_map.uids.clone(),
            gid_map: settings.id_map.gids.clone(),
        },
        security_options: security,
        cgroup_driver: if settings.rootless {
            "none"
        } else {
            "cgroupfs"
        }
        .into(),
        cgroup_version: cgroup_version.into(),
        kernel_version: kernel(),
        operating_system: os_release(),
        os_type: "linux".into(),
        architecture: std::env::consts::ARCH.into(),
        ncpu: std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1),
        mem_total: mem_total(),
        name: nix::unistd::gethostname()
            .map(|h| h.to_string_lossy().into_owned())
            .unwrap_or_default(),
        config_file: settings
            .config_file
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    })
}

fn fs_name(magic: i64) -> String {
    match magic {
        0xef53 => "extfs".into(),
        0x5846_5342 => "xfs".into(),
        0x0102_1994 => "tmpfs".into(),
        0x9123_683e => "btrfs".into(),
        0x794c_7630 => "overlayfs".into(),
        other => format!("{other:#x}"),
    }
}

fn os_release() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "Linux".into())
}

fn mem_total() -> u64 {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        })
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}
