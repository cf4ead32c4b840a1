//! Talking to image registries (the distribution API, v2): one HTTP
//! session per registry endpoint with its TLS settings and its
//! authentication (basic, or bearer tokens cached per scope), plus the
//! files that configure registries (registries.conf) and hold credentials
//! (docker's config.json, podman's auth.json). Nothing here touches the
//! store: the engine streams what this module fetches into it.

pub mod auth;
pub mod base64;
pub mod client;
pub mod conf;
pub mod credentials;

pub use client::{Session, SessionOptions, Upload};

/// Manifests larger than this are refused (docker's limit too).
pub const MAX_MANIFEST: u64 = 4 << 20;

#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    #[error("cannot reach registry {registry}: {reason}\nhint: check the registry's address and that it is running; for a plain-HTTP registry use --tls-verify=false or mark it insecure in registries.conf")]
    Unreachable { registry: String, reason: String },
    #[error("TLS with registry {registry} failed: {reason}\nhint: give its CA with --cert-dir DIR (a directory holding ca.crt), or use --tls-verify=false")]
    Tls { registry: String, reason: String },
    #[error("registry {registry} did not answer within {secs} s ({what})\nhint: check that the registry is up and reachable; registry_timeout in kist.toml sets how long kist waits")]
    Timeout {
        registry: String,
        what: String,
        secs: u64,
    },
    #[error("authentication required by registry {registry} for {what}{detail}\nhint: kist login {registry}")]
    Unauthorized {
        registry: String,
        what: String,
        detail: String,
    },
    #[error("access to {what} denied by registry {registry}{detail}\nhint: check the repository name and that your login may {action} it (kist login {registry})")]
    Denied {
        registry: String,
        what: String,
        action: &'static str,
        detail: String,
    },
    #[error("{what} not found in registry {registry}{detail}")]
    NotFound {
        registry: String,
        what: String,
        detail: String,
    },
    #[error("{what} from registry {registry} is larger than {limit} bytes; refused")]
    TooLarge {
        registry: String,
        what: String,
        limit: u64,
    },
    #[error("digest mismatch for {what} from registry {registry}: it says {expected}, the data is {actual}")]
    Mismatch {
        registry: String,
        what: String,
        expected: String,
        actual: String,
    },
    #[error("registry {registry}: {what}: {message}")]
    Protocol {
        registry: String,
        what: String,
        message: String,
    },
}
