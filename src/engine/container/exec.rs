//! `kist exec`: a further command in a running container, with the
//! container's environment, user, working directory, capabilities and
//! seccomp filter unless overridden. Its output is not logged: the command
//! gets the caller's streams directly.

use std::fs::File;
use std::os::fd::OwnedFd;
use std::path::PathBuf;

use super::super::{EngineError, Result};
use super::create::{env_from, read_env_file};
use super::start::StartError;
use crate::config::Settings;
use crate::runtime::container::SpawnError;
use crate::runtime::exec::{self as rt, ExecError, ExecUser};
use crate::store::containers::Status;
use crate::store::Store;

/// The command's standard streams; stdin None is /dev/null.
pub struct ExecStreams {
    pub stdin: Option<OwnedFd>,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
}

pub struct ExecOptions {
    pub container: String,
    /// The command and its arguments (not empty).
    pub command: Vec<String>,
    /// `-u`: `name|uid[:group|gid]`, resolved with the container's files.
    pub user: Option<String>,
    /// `-w`: absolute, inside the container.
    pub workdir: Option<String>,
    /// `-e KEY=VALUE` or `-e KEY` (taken from kist's environment).
    pub env: Vec<String>,
    pub env_files: Vec<PathBuf>,
    pub privileged: bool,
    /// None: detached (`-d`), every stream /dev/null, no waiting.
    pub streams: Option<ExecStreams>,
    /// `-t`: a pseudo-terminal; the streams are relayed through it.
    pub tty: bool,
}

#[derive(Debug)]
pub struct ExecReport {
    /// The command's exit code; None when detached.
    pub exit_code: Option<i32>,
}

/// `base` with `extra` set over it: a key given again replaces its value in
/// place, new keys are appended (docker's ReplaceOrAppendEnvValues).
fn merge_env(mut base: Vec<String>, extra: &[String]) -> Vec<String> {
    for kv in extra {
        let key = kv.split('=').next().unwrap_or_default();
        match base.iter_mut().find(|e| e.split('=').next() == Some(key)) {
            Some(slot) => slot.clone_from(kv),
            None => base.push(kv.clone()),
        }
    }
    base
}

fn dev_null() -> Result<OwnedFd> {
    File::options()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map(OwnedFd::from)
        .map_err(|source| EngineError::Io {
            action: "open",
            path: "/dev/null".into(),
            source,
        })
}

fn not_running(id: &str) -> EngineError {
    EngineError::Invalid(format!("container {id} is not running"))
}

/// docker's message and exit code for a command that could not be started.
fn start_error(e: SpawnError) -> EngineError {
    let (message, code) = match e {
        SpawnError::NotFound(n) => (
            format!("exec: {n:?}: executable file not found in $PATH"),
            127,
        ),
        SpawnError::CannotExecute { path, reason } => (format!("exec: {path:?}: {reason}"), 126),
        SpawnError::Setup(m) => (m, 126),
    };
    EngineError::Start(StartError {
        message: format!("exec failed: unable to start container process: {message}"),
        code,
    })
}

/// Runs the command in the container; waits for it unless detached.
/// The calling process must be single-threaded (kist's CLI is).
pub fn exec(store: &Store, settings: &Settings, opts: ExecOptions) -> Result<ExecReport> {
    let id = store
        .find_container(&opts.container)
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    let state = super::state::current(store, settings, &id)?;
    if state.status != Status::Running || state.pid <= 0 {
        return Err(not_running(&id));
    }
    if opts.command.is_empty() {
        return Err(EngineError::Invalid("no command given".into()));
    }
    if let Some(w) = &opts.workdir {
        if !w.starts_with('/') {
            return Err(EngineError::Invalid(format!(
                "the working directory {w:?} is invalid: it needs to be an absolute path"
            )));
        }
    }
    let config = store.container_dir(&id).join("config.json");
    let spec = oci_spec::runtime::Spec::load(&config)
        .map_err(|e| EngineError::Invalid(format!("cannot read {}: {e}", config.display())))?;
    let process = spec.process().as_ref();
    // docker: a terminal gets TERM=xterm, unless -e or --env-file set it.
    let mut extra = match opts.tty {
        true => vec!["TERM=xterm".to_string()],
        false => Vec::new(),
    };
    for f in &opts.env_files {
        env_from(&read_env_file(f)?, &mut extra);
    }
    env_from(&opts.env, &mut extra);
    let env = merge_env(
        process.and_then(|p| p.env().clone()).unwrap_or_default(),
        &extra,
    );
    let cwd = match &opts.workdir {
        Some(w) => w.clone(),
        None => process
            .map(|p| p.cwd().display().to_string())
            .filter(|c| c.starts_with('/'))
            .unwrap_or_else(|| "/".into()),
    };
    let wanted = opts.user.clone().unwrap_or_default();
    let resolver = |passwd: &str, group: &str| {
        super::user::resolve_in(&wanted, passwd, group)
            .map(|u| (u.uid, u.gid, u.additional_gids))
            .map_err(|e| e.to_string())
    };
    let user = match opts.user {
        Some(_) => ExecUser::Resolve(&resolver),
        None => ExecUser::Container,
    };
    let detached = opts.streams.is_none();
    let want_tty = opts.tty && !detached;
    let has_stdin = opts.streams.as_ref().is_some_and(|s| s.stdin.is_some());
    let stdio = match opts.streams {
        Some(s) => [
            match s.stdin {
                Some(fd) => fd,
                None => dev_null()?,
            },
            s.stdout,
            s.stderr,
        ],
        None => [dev_null()?, dev_null()?, dev_null()?],
    };
    let cache_dir = settings.runroot.join("cache");
    let (console, console_child) = match want_tty {
        true => {
            let (a, b) =
                std::os::unix::net::UnixStream::pair().map_err(|source| EngineError::Io {
                    action: "create",
                    path: "a console socket".into(),
                    source,
                })?;
            (Some(a), Some(OwnedFd::from(b)))
        }
        false => (None, None),
    };
    let relay_fds = match (&console, &stdio) {
        (Some(_), [i, o, _]) => Some((
            has_stdin.then(|| i.try_clone().ok()).flatten(),
            o.try_clone().ok(),
        )),
        _ => None,
    };
    let spawned = rt::spawn(rt::ExecOptions {
        spec: &spec,
        pid: state.pid,
        parent: (state.supervisor > 0).then_some(state.supervisor),
        args: opts.command,
        env,
        cwd,
        user,
        privileged: opts.privileged,
        stdio,
        setsid: detached,
        console: console_child,
        cache_dir: Some(&cache_dir),
    });
    let execed = match spawned {
        Ok(e) => e,
        Err(ExecError::NotRunning(_)) => return Err(not_running(&id)),
        Err(ExecError::Spawn(e)) => return Err(start_error(e)),
    };
    if detached {
        return Ok(ExecReport { exit_code: None });
    }
    if let (Some(sock), Some((stdin, stdout))) = (&console, relay_fds) {
        let master = crate::runtime::external::recv_fd(sock).map_err(start_error)?;
        super::attach::relay_terminal(master, stdin, stdout);
    }
    let code = rt::wait(&execed).map_err(|e| EngineError::Invalid(e.to_string()))?;
    Ok(ExecReport {
        exit_code: Some(code),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_is_replaced_or_appended() {
        let base = vec!["PATH=/bin".to_string(), "HOME=/root".to_string()];
        let out = merge_env(base, &["HOME=/tmp".into(), "A=1".into(), "A=2".into()]);
        assert_eq!(out, ["PATH=/bin", "HOME=/tmp", "A=2"]);
    }
}
