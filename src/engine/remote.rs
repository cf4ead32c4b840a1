//! What every registry verb shares: the registry flags (`--tls-verify`,
//! `--cert-dir`, `--creds`, `--authfile`), registries.conf and the
//! credential files, turned into sessions with the right endpoint.

use std::net::IpAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::Result;
use crate::config::Settings;
use crate::image::reference::Reference;
use crate::registry::conf::{Endpoint, RegistriesConf};
use crate::registry::credentials::AuthFiles;
use crate::registry::{Session, SessionOptions};

#[derive(Debug, Clone, Default)]
pub struct RemoteOptions {
    /// `Some(false)`: plain HTTP allowed and certificates not checked;
    /// `None`: as registries.conf says (loopback registries, as docker
    /// treats 127.0.0.0/8, may fall back to plain HTTP).
    pub tls_verify: Option<bool>,
    pub cert_dir: Option<PathBuf>,
    /// `--creds USER:PASSWORD`: used instead of stored credentials.
    pub creds: Option<(String, String)>,
    pub authfile: Option<PathBuf>,
}

pub struct Remote {
    pub conf: RegistriesConf,
    pub auth: AuthFiles,
    opts: RemoteOptions,
    home: Option<PathBuf>,
    timeout: Duration,
}

impl Remote {
    pub fn new(settings: &Settings, opts: RemoteOptions) -> Result<Remote> {
        let paths = &settings.registry;
        let conf = RegistriesConf::load(&RegistriesConf::default_files(paths.home.as_deref()))?;
        let auth = AuthFiles::new(
            opts.authfile.clone().or(paths.auth_file.clone()),
            paths.home.clone(),
            paths.runtime_dir.clone(),
            paths.docker_config.clone(),
        );
        Ok(Remote {
            conf,
            auth,
            opts,
            home: paths.home.clone(),
            timeout: Duration::from_secs(paths.timeout_secs),
        })
    }

    /// Where to fetch `r` from: its registry's mirrors, then the registry.
    pub fn endpoints(&self, r: &Reference) -> Result<Vec<Endpoint>> {
        Ok(self
            .conf
            .endpoints(&r.domain, &r.path, r.digest.is_some())?)
    }

    /// As podman: the name as written (a registries.conf `location`
    /// rewrites pulls only); a blocked registry is still refused.
    pub fn push_endpoint(&self, r: &Reference) -> Result<Endpoint> {
        self.endpoints(r)?;
        Ok(Endpoint {
            host: r.domain.clone(),
            path: r.path.clone(),
            insecure: self.conf.is_insecure(&r.domain),
            mirror: false,
        })
    }

    /// A session with `host`; `repository` picks podman's per-repository
    /// credentials when there are any.
    pub fn session(&self, host: &str, insecure: bool, repository: Option<&str>) -> Result<Session> {
        let creds = match &self.opts.creds {
            Some(c) => Some(c.clone()),
            None => self
                .auth
                .get(host, repository)?
                .map(|c| (c.username, c.secret)),
        };
        let insecure = match self.opts.tls_verify {
            Some(verify) => !verify,
            None => insecure || self.conf.is_insecure(host) || is_loopback(host),
        };
        let opts = SessionOptions {
            insecure,
            cert_dir: self.opts.cert_dir.clone(),
            creds,
            timeout: self.timeout,
            home: self.home.clone(),
        };
        Ok(Session::connect(host, &opts)?)
    }
}

/// `localhost[:port]`, `127.x.y.z[:port]`, `[::1]:port`.
pub fn is_loopback(host: &str) -> bool {
    let name = match host.rsplit_once(':') {
        Some((h, port)) if port.bytes().all(|b| b.is_ascii_digit()) => h,
        _ => host,
    };
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name == "localhost" || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    #[test]
    fn loopback_hosts() {
        use super::is_loopback;
        assert!(is_loopback("localhost:5000"));
        assert!(is_loopback("127.0.0.1:5000"));
        assert!(is_loopback("127.1.2.3"));
        assert!(is_loopback("[::1]:5000"));
        assert!(!is_loopback("docker.io"));
        assert!(!is_loopback("10.0.0.1:5000"));
    }
}
