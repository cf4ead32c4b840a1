//! kist: a daemonless, rootless container engine with docker's command line.
//!
//! `main` parses the command line, resolves settings, enters the user
//! namespace when a rootless command needs one, runs the command and turns
//! the outcome into docker's exit codes, in one place (`cli::exit`).

mod cli;
mod config;
mod engine;
mod format;
mod image;
mod layer;
mod net;
mod registry;
mod runtime;
mod store;
mod supervisor;

fn main() {
    runtime::sys::default_sigpipe();
    // A re-executed helper (user namespace stage) finishes its set-up before
    // anything else runs: it must still be single-threaded.
    if let Err(err) = runtime::userns::child_stage() {
        eprintln!("Error: {err:#}");
        std::process::exit(125);
    }
    std::process::exit(cli::main());
}
