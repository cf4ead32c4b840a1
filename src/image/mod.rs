//! Image formats: references, manifests and configs, layer compression,
//! Dockerfile-style `--change` instructions, and docker/OCI archives.

pub mod archive;
pub mod change;
pub mod compression;
pub mod reference;
pub mod spec;
