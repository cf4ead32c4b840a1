//! One options-in, report-out function per verb, shared by the CLI and
//! (later) the REST API. Settings arrive resolved; nothing here knows which
//! flags were typed. Errors are typed (`EngineError`); the CLI turns them
//! into messages and exit codes once, at exit.

pub mod container;
pub mod filters;
pub mod history;
pub mod images;
pub mod import;
pub mod input;
pub mod inspect;
pub mod load;
pub mod login;
pub mod manifest;
pub mod network;
pub mod progress;
pub mod pull;
pub mod push;
pub mod remote;
pub mod remove;
pub mod save;
pub mod search;
pub mod system;
pub mod tag;
pub mod unpack;

use crate::image::archive::ArchiveError;
use crate::image::change::ChangeError;
use crate::image::compression::CompressionError;
use crate::image::reference::ReferenceError;
use crate::store::index::LookupError;
use crate::store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lookup(#[from] LookupError),
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Reference(#[from] ReferenceError),
    #[error(transparent)]
    Change(#[from] ChangeError),
    #[error(transparent)]
    Compression(#[from] CompressionError),
    #[error(transparent)]
    Layer(#[from] crate::layer::LayerError),
    #[error("cannot {action} {path}: {source}")]
    Io {
        action: &'static str,
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(String),
    #[error("conflict: {0}")]
    Conflict(String),
    #[error(transparent)]
    Start(#[from] container::start::StartError),
    #[error(transparent)]
    ContainerLookup(#[from] crate::store::containers::ContainerLookupError),
    #[error(transparent)]
    Registry(#[from] crate::registry::RegistryError),
    #[error(transparent)]
    RegistryConf(#[from] crate::registry::conf::ConfError),
    #[error(transparent)]
    Credentials(#[from] crate::registry::credentials::CredError),
    #[error("{0} is not supported yet")]
    NotSupported(String),
}

pub type Result<T, E = EngineError> = std::result::Result<T, E>;

/// The store's workspace-independent "now" for records, RFC 3339.
pub fn now_rfc3339() -> String {
    let (s, n) = crate::format::units::now();
    crate::format::units::format_rfc3339_nano(s, n)
}

/// Seconds since the epoch of an RFC 3339 time; 0 when absent or invalid.
pub fn unix_time(rfc3339: &str) -> i64 {
    crate::format::units::parse_rfc3339(rfc3339)
        .map(|(s, _)| s)
        .unwrap_or(0)
}
