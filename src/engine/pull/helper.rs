//! `run`/`create --pull`: the image is pulled by kist re-executed as
//! `kist pull` (rootless, unpacking needs kist's user namespace, which the
//! container commands do not enter), its progress on our stderr.

use std::process::{Command, Stdio};

use super::super::{EngineError, Result};
use crate::config::Settings;
use crate::image::spec::Platform;
use crate::store::Store;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PullPolicy {
    /// Pull when the image is not in the store (docker's default).
    #[default]
    Missing,
    Always,
    Never,
    /// Pull, but keep using the local image when the registry fails.
    Newer,
}

impl std::str::FromStr for PullPolicy {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Ok(match s {
            "missing" => PullPolicy::Missing,
            "always" => PullPolicy::Always,
            "never" => PullPolicy::Never,
            "newer" => PullPolicy::Newer,
            other => {
                return Err(format!(
                    "invalid pull policy {other:?}: use missing, always, never or newer"
                ))
            }
        })
    }
}

/// Makes sure `image` is in the store as `policy` asks.
pub fn ensure_image(
    store: &Store,
    settings: &Settings,
    image: &str,
    policy: PullPolicy,
    platform: Option<&str>,
) -> Result<()> {
    let index = store.index()?;
    let found = index.find(image).ok().map(|i| &index.images[i]);
    // With --platform, a stored image of another platform counts as
    // missing (docker pulls the one asked for).
    let other_platform = match (found, platform) {
        (Some(rec), Some(p)) => {
            let want =
                Platform::resolve(Some(p), None, None, None).map_err(EngineError::Invalid)?;
            let cfg = crate::engine::images::config_of(store, rec);
            let stored = Platform {
                architecture: cfg.architecture,
                os: cfg.os,
                variant: cfg.variant,
            };
            (!stored.serves(&want)).then(|| (stored.describe(), want.describe()))
        }
        _ => None,
    };
    let have = found.is_some() && other_platform.is_none();
    let pulled = match (policy, have) {
        (PullPolicy::Missing, true) => return Ok(()),
        (PullPolicy::Never, true) => return Ok(()),
        (PullPolicy::Never, false) => {
            return Err(EngineError::Invalid(match other_platform {
                Some((stored, want)) => format!(
                    "image {image:?} is stored for {stored}, not for the requested {want}, and --pull=never\nhint: kist pull --platform {want} {image}"
                ),
                None => format!(
                    "image {image:?} not found locally and --pull=never\nhint: kist pull {image}"
                ),
            }))
        }
        _ => pull_in_helper(settings, image, platform),
    };
    match pulled {
        Err(_) if policy == PullPolicy::Newer && have => Ok(()),
        other => other,
    }
}

fn pull_in_helper(settings: &Settings, image: &str, platform: Option<&str>) -> Result<()> {
    let mut cmd = Command::new("/proc/self/exe");
    cmd.arg("--root")
        .arg(&settings.root)
        .arg("--runroot")
        .arg(&settings.runroot)
        .arg("pull");
    if let Some(p) = platform {
        cmd.arg("--platform").arg(p);
    }
    // After `--`: an image name is never an option.
    cmd.arg("--").arg(image);
    // Its stdout (the image ID) is not ours to print.
    let stderr = std::io::stderr();
    let out: Stdio = match std::os::fd::AsFd::as_fd(&stderr).try_clone_to_owned() {
        Ok(fd) => fd.into(),
        Err(_) => Stdio::null(),
    };
    let status = cmd
        .stdout(out)
        .stdin(Stdio::null())
        .status()
        .map_err(|source| EngineError::Io {
            action: "run",
            path: "kist pull".into(),
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(EngineError::Invalid(format!(
            "cannot pull image {image:?} (see above)"
        )))
    }
}
