//! `--network`: the modes kist knows, and the helper that connects the
//! default network (pasta, else slirp4netns, found in `$PATH`).

use std::path::{Path, PathBuf};

use super::NetError;

/// A user-mode network helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Pasta,
    Slirp4netns,
}

impl Backend {
    pub fn name(self) -> &'static str {
        match self {
            Backend::Pasta => "pasta",
            Backend::Slirp4netns => "slirp4netns",
        }
    }

    /// The Debian package that provides it.
    pub fn package(self) -> &'static str {
        match self {
            Backend::Pasta => "passt",
            Backend::Slirp4netns => "slirp4netns",
        }
    }

    pub fn parse(name: &str) -> Option<Backend> {
        match name {
            "pasta" => Some(Backend::Pasta),
            "slirp4netns" => Some(Backend::Slirp4netns),
            _ => None,
        }
    }

    /// The helper's binary, from `$PATH`.
    pub fn binary(self) -> Result<PathBuf, NetError> {
        find_in_path(self.name())
            .ok_or_else(|| NetError::Missing(self.name().into(), self.name(), self.package()))
    }

    /// The default: pasta when installed, else slirp4netns (`preferred`
    /// first when the configuration names one).
    pub fn default(preferred: Option<Backend>) -> Result<Backend, NetError> {
        let order = match preferred {
            Some(Backend::Slirp4netns) => [Backend::Slirp4netns, Backend::Pasta],
            _ => [Backend::Pasta, Backend::Slirp4netns],
        };
        order
            .into_iter()
            .find(|b| find_in_path(b.name()).is_some())
            .ok_or(NetError::NoBackend)
    }
}

pub(crate) fn find_in_path(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .filter(|d| d.is_absolute())
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// What a container's `HostConfig.NetworkMode` says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkMode {
    /// A network namespace of its own with loopback only.
    None,
    /// The host's network namespace.
    Host,
    /// A namespace of its own connected by a helper (the default network).
    Private(Backend),
    /// The network namespace of another container (its full ID).
    Container(String),
    /// A namespace of its own on a user-defined network (its name; more
    /// networks in the record's `networks`).
    Bridge(String),
}

impl NetworkMode {
    /// Reads a recorded mode (`HostConfig.NetworkMode`).
    pub fn from_record(mode: &str) -> NetworkMode {
        match mode {
            "host" => NetworkMode::Host,
            m => match (Backend::parse(m), m.strip_prefix("container:")) {
                (Some(b), _) => NetworkMode::Private(b),
                (None, Some(id)) => NetworkMode::Container(id.to_string()),
                // "none", and records from before networking.
                _ if m.is_empty() || m == "none" => NetworkMode::None,
                _ => NetworkMode::Bridge(m.to_string()),
            },
        }
    }

    /// What the record keeps (docker's NetworkMode; podman's names for the
    /// helpers).
    pub fn record(&self) -> String {
        match self {
            NetworkMode::None => "none".into(),
            NetworkMode::Host => "host".into(),
            NetworkMode::Private(b) => b.name().into(),
            NetworkMode::Container(id) => format!("container:{id}"),
            NetworkMode::Bridge(name) => name.clone(),
        }
    }

    /// Whether the container gets a network namespace of its own.
    pub fn own_namespace(&self) -> bool {
        matches!(
            self,
            NetworkMode::None | NetworkMode::Private(_) | NetworkMode::Bridge(_)
        )
    }

    pub fn backend(&self) -> Option<Backend> {
        match self {
            NetworkMode::Private(b) => Some(*b),
            _ => None,
        }
    }
}

/// What `--network` asked for, before a container name is looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Requested {
    /// No `--network`, or docker's names for the default (`bridge`,
    /// `default`), or a helper by name.
    Default(Option<Backend>),
    None,
    Host,
    /// `container:NAME|ID`
    Container(String),
    /// A user-defined network by name (checked by the caller).
    Named(String),
}

/// Parses `--network` (`--net`).
pub fn parse(value: Option<&str>) -> Result<Requested, NetError> {
    let Some(v) = value else {
        return Ok(Requested::Default(None));
    };
    match v {
        "" | "bridge" | "default" => Ok(Requested::Default(None)),
        "none" => Ok(Requested::None),
        "host" => Ok(Requested::Host),
        "private" => Ok(Requested::Default(None)),
        _ => {
            if let Some(b) = Backend::parse(v) {
                return Ok(Requested::Default(Some(b)));
            }
            if let Some(name) = v.strip_prefix("container:") {
                if name.is_empty() {
                    return Err(NetError::Invalid(
                        "--network container: needs a container name or ID\nhint: --network container:NAME".into(),
                    ));
                }
                return Ok(Requested::Container(name.to_string()));
            }
            if let Some((helper, opts)) = v.split_once(':') {
                if Backend::parse(helper).is_some() {
                    return Err(NetError::NotSupported(
                        format!("--network {helper}:{opts} (options for {helper})"),
                        format!("use --network {helper}"),
                    ));
                }
                if matches!(helper, "ns" | "slirp" | "bridge") {
                    return Err(NetError::NotSupported(
                        format!("--network {v}"),
                        String::new(),
                    ));
                }
            }
            if !crate::store::networks::valid_name(v) {
                return Err(NetError::Invalid(format!(
                    "invalid --network {v:?}: not a network name\nhint: use the default network (no --network), none, host, container:NAME, pasta, slirp4netns or a network from kist network ls"
                )));
            }
            Ok(Requested::Named(v.to_string()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes() {
        assert_eq!(parse(None).unwrap(), Requested::Default(None));
        assert_eq!(parse(Some("bridge")).unwrap(), Requested::Default(None));
        assert_eq!(
            parse(Some("slirp4netns")).unwrap(),
            Requested::Default(Some(Backend::Slirp4netns))
        );
        assert_eq!(parse(Some("none")).unwrap(), Requested::None);
        assert_eq!(
            parse(Some("container:web")).unwrap(),
            Requested::Container("web".into())
        );
        assert_eq!(
            parse(Some("mynet")).unwrap(),
            Requested::Named("mynet".into())
        );
        assert!(parse(Some("my/net")).is_err());
        assert!(parse(Some("pasta:-t,80")).is_err());
        assert!(parse(Some("container:")).is_err());
        for m in [
            "none",
            "host",
            "pasta",
            "slirp4netns",
            "container:abc",
            "mynet",
        ] {
            assert_eq!(NetworkMode::from_record(m).record(), m);
        }
        assert_eq!(NetworkMode::from_record(""), NetworkMode::None);
    }
}
