//! `kist run`: create, start, and either return at once (`-d`) or stay
//! attached until the container exits, with its exit code.

use super::super::Result;
use super::attach::{relay, AttachEnd, AttachStreams};
use super::create::{create, CreateOptions};
use crate::config::Settings;
use crate::store::Store;

pub struct RunOptions {
    pub create: CreateOptions,
    /// `None`: detached (`-d`).
    pub attach: Option<AttachStreams>,
}

#[derive(Debug)]
pub struct RunReport {
    pub id: String,
    /// How the attachment ended (`None`: detached run).
    pub end: Option<AttachEnd>,
    pub warnings: Vec<String>,
}

pub fn run(store: &Store, settings: &Settings, opts: RunOptions) -> Result<RunReport> {
    let created = create(store, settings, &opts.create)?;
    let id = created.id;
    let started = match super::start::start(store, settings, &id, opts.attach.is_some()) {
        Ok(s) => s,
        Err(e) => {
            if opts.create.auto_remove {
                if let Ok(rec) = store.read_container(&id) {
                    let _ = super::remove::delete_files(store, settings, &rec);
                }
            }
            return Err(e);
        }
    };
    let end = match (started.attach, opts.attach) {
        (Some(sock), Some(mut io)) => {
            io.proxy_signals_to = io.proxy_signals_to.map(|_| started.signals.clone());
            Some(relay(sock, io)?)
        }
        _ => None,
    };
    Ok(RunReport {
        id,
        end,
        warnings: created.warnings,
    })
}
