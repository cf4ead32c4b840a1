//! `kist manifest inspect`: a manifest or index as the registry serves it.

use super::remote::{Remote, RemoteOptions};
use super::Result;
use crate::config::Settings;
use crate::image::reference::Reference;

/// The raw bytes, their media type and digest.
pub fn inspect(
    settings: &Settings,
    reference: &str,
    remote: RemoteOptions,
) -> Result<(Vec<u8>, String, crate::store::Digest)> {
    let r = Reference::parse(reference)?;
    let remote = Remote::new(settings, remote)?;
    let endpoint = remote.push_endpoint(&r)?;
    let session = remote.session(&endpoint.host, endpoint.insecure, Some(&endpoint.path))?;
    let tag = r.digest.clone().or(r.tag.clone()).unwrap_or_default();
    Ok(session.manifest(
        &endpoint.path,
        &tag,
        &format!("manifest for {}", r.familiar()),
    )?)
}
