//! `kist exec` (also `kist container exec`).

use std::os::fd::{AsFd, OwnedFd};
use std::path::PathBuf;

use clap::Args;

use crate::config::Settings;
use crate::engine::container::exec::{self, ExecOptions, ExecStreams};
use crate::store::Store;

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Detached mode: run command in the background
    #[arg(short, long)]
    pub detach: bool,
    /// Keep STDIN open even if not attached
    #[arg(short, long)]
    pub interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short, long)]
    pub tty: bool,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short, long)]
    pub user: Option<String>,
    /// Working directory inside the container
    #[arg(short, long, value_name = "DIR")]
    pub workdir: Option<String>,
    /// Set environment variables
    #[arg(short, long, value_name = "KEY=VALUE")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long, value_name = "FILE")]
    pub env_file: Vec<PathBuf>,
    /// Give extended privileges to the command
    #[arg(long)]
    pub privileged: bool,
    /// The container (name or ID)
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// The command and its arguments
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "COMMAND"
    )]
    pub command: Vec<String>,
}

fn dup(fd: impl AsFd) -> anyhow::Result<OwnedFd> {
    Ok(fd.as_fd().try_clone_to_owned()?)
}

pub fn exec_cmd(store: &Store, settings: &Settings, a: &ExecArgs) -> anyhow::Result<i32> {
    let streams = if a.detach {
        None
    } else {
        Some(ExecStreams {
            stdin: match a.interactive {
                true => Some(dup(std::io::stdin())?),
                false => None,
            },
            stdout: dup(std::io::stdout())?,
            stderr: dup(std::io::stderr())?,
        })
    };
    let report = exec::exec(
        store,
        settings,
        ExecOptions {
            container: a.container.clone(),
            command: a.command.clone(),
            user: a.user.clone(),
            workdir: a.workdir.clone(),
            env: a.env.clone(),
            env_files: a.env_file.clone(),
            privileged: a.privileged,
            streams,
            tty: a.tty,
        },
    )?;
    Ok(report.exit_code.unwrap_or(0))
}
