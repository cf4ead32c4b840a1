//! `kist login` / `logout`: credentials checked against the registry,
//! then kept where docker keeps them (see `registry::credentials`).

use super::remote::{Remote, RemoteOptions};
use super::{EngineError, Result};
use crate::config::Settings;
use crate::image::reference::DEFAULT_DOMAIN;
use crate::registry::credentials::Credentials;
use crate::registry::RegistryError;

#[derive(Debug, Clone)]
pub struct LoginOptions {
    /// The registry as typed (`None`: docker.io).
    pub registry: Option<String>,
    pub username: String,
    pub password: String,
    pub remote: RemoteOptions,
}

/// "https://index.docker.io/v1/" → "docker.io"; "http://h:5000/x" → "h:5000".
pub fn registry_name(typed: Option<&str>) -> String {
    let Some(t) = typed.map(str::trim).filter(|t| !t.is_empty()) else {
        return DEFAULT_DOMAIN.to_string();
    };
    let t = t
        .strip_prefix("https://")
        .or_else(|| t.strip_prefix("http://"))
        .unwrap_or(t);
    let host = t.split('/').next().unwrap_or(t);
    match host {
        "index.docker.io" | "registry-1.docker.io" | "registry.hub.docker.com" => {
            DEFAULT_DOMAIN.to_string()
        }
        h => h.to_string(),
    }
}

/// Checks the credentials and stores them; returns where they went.
pub fn login(settings: &Settings, opts: &LoginOptions) -> Result<String> {
    if opts.username.is_empty() {
        return Err(EngineError::Invalid(
            "a username is required\nhint: kist login -u USER REGISTRY".into(),
        ));
    }
    if opts.password.is_empty() {
        return Err(EngineError::Invalid(
            "a password is required\nhint: --password-stdin reads it from standard input".into(),
        ));
    }
    let registry = registry_name(opts.registry.as_deref());
    let mut remote_opts = opts.remote.clone();
    remote_opts.creds = Some((opts.username.clone(), opts.password.clone()));
    let remote = Remote::new(settings, remote_opts)?;
    let session = remote.session(&registry, false, None)?;
    session.check_login().map_err(|e| match e {
        RegistryError::Unauthorized { registry, .. } => EngineError::Invalid(format!(
            "cannot log in to {registry}: wrong username or password"
        )),
        other => other.into(),
    })?;
    let creds = Credentials {
        username: opts.username.clone(),
        secret: opts.password.clone(),
    };
    Ok(remote.auth.store(&registry, &creds)?)
}

/// The username stored for the registry (`--get-login`).
pub fn stored_login(
    settings: &Settings,
    registry: Option<&str>,
    remote: RemoteOptions,
) -> Result<String> {
    let registry = registry_name(registry);
    let remote = Remote::new(settings, remote)?;
    match remote.auth.get(&registry, None)? {
        Some(c) => Ok(c.username),
        None => Err(EngineError::Invalid(format!(
            "not logged in to {registry}\nhint: kist login {registry}"
        ))),
    }
}

/// Removes stored credentials; an error when there were none.
pub fn logout(
    settings: &Settings,
    registry: Option<&str>,
    remote: RemoteOptions,
) -> Result<String> {
    let registry = registry_name(registry);
    let remote = Remote::new(settings, remote)?;
    if remote.auth.erase(&registry)? {
        Ok(registry)
    } else {
        Err(EngineError::Invalid(format!("not logged in to {registry}")))
    }
}

#[cfg(test)]
mod tests {
    use super::registry_name;

    #[test]
    fn registry_names() {
        assert_eq!(registry_name(None), "docker.io");
        assert_eq!(
            registry_name(Some("https://index.docker.io/v1/")),
            "docker.io"
        );
        assert_eq!(
            registry_name(Some("http://127.0.0.1:5000/v2/")),
            "127.0.0.1:5000"
        );
        assert_eq!(registry_name(Some("quay.io")), "quay.io");
    }
}
