//! The process-level machinery: entering user namespaces (re-executing kist
//! as a single-threaded helper) and the thin wrappers around syscalls that
//! nix does not cover. The only module tree, with `supervisor/`, that may use
//! `unsafe`.

mod caps;
pub mod container;
pub mod exec;
pub mod external;
pub mod idmap;
mod init;
pub mod mounts;
pub mod resident;
pub mod seccomp;
pub mod storage;
pub mod sys;
pub mod userns;
