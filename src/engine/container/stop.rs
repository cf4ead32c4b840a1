//! `kist stop`, `kill`, `wait`, `restart`: signals and exit codes.

use std::str::FromStr;
use std::time::Duration;

use nix::sys::signal::Signal;

use super::super::{EngineError, Result};
use super::state::{self, SignalTarget};
use crate::config::Settings;
use crate::store::containers::Status;
use crate::store::Store;
use crate::supervisor::protocol::{self, read_frame};

/// `SIGTERM`, `TERM`, `term` or `15`.
pub fn parse_signal(s: &str) -> Result<Signal> {
    let up = s.trim().to_ascii_uppercase();
    let named = if up.starts_with("SIG") {
        up.clone()
    } else {
        format!("SIG{up}")
    };
    if let Ok(n) = up.parse::<i32>() {
        return Signal::try_from(n)
            .map_err(|_| EngineError::Invalid(format!("invalid signal: {s}")));
    }
    Signal::from_str(&named).map_err(|_| {
        EngineError::Invalid(format!(
            "invalid signal: {s}\nhint: use a name such as SIGTERM, HUP or KILL, or a number"
        ))
    })
}

/// Where the signals of container `id` go, when it runs.
fn running(store: &Store, settings: &Settings, id: &str) -> Result<Option<SignalTarget>> {
    let state = state::current(store, settings, id)?;
    if state.status != Status::Running || state.pid <= 0 {
        return Ok(None);
    }
    let rec = store.read_container(id)?;
    Ok(Some(SignalTarget::of(settings, &rec, state.pid)))
}

pub fn kill(store: &Store, settings: &Settings, query: &str, signal: Signal) -> Result<String> {
    let id = store
        .find_container(query)
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    let target = running(store, settings, &id)?.ok_or_else(|| {
        EngineError::Conflict(format!(
            "cannot kill container {query}: container {} is not running",
            &id[..12]
        ))
    })?;
    target.send(signal).map_err(|e| {
        EngineError::Invalid(format!("cannot send {signal} to container {query}: {e}"))
    })?;
    Ok(id)
}

/// Waits for the container to exit, at most `timeout`; its exit code.
pub fn wait_exit(
    store: &Store,
    settings: &Settings,
    id: &str,
    timeout: Option<Duration>,
) -> Result<Option<i32>> {
    let deadline = timeout.map(|t| std::time::Instant::now() + t);
    let sock = crate::supervisor::socket_path(&settings.runroot, id);
    if let Ok(mut s) = super::attach::connect(&sock, "wait") {
        let _ = s.set_read_timeout(timeout.map(|t| t.max(Duration::from_millis(1))));
        loop {
            match read_frame(&mut s) {
                Ok(Some((protocol::EXIT, code))) => {
                    return Ok(String::from_utf8_lossy(&code).trim().parse().ok())
                }
                Ok(Some(_)) => continue,
                Ok(None) => break,
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                    ) =>
                {
                    return Ok(None)
                }
                Err(_) => break,
            }
        }
    }
    // No supervisor to ask: watch the state.
    loop {
        let state = store.read_state(id)?.effective();
        if matches!(state.status, Status::Exited | Status::Dead) {
            return Ok(Some(state.exit_code));
        }
        if !store.container_dir(id).exists() {
            return Ok(None);
        }
        if deadline.is_some_and(|d| std::time::Instant::now() > d) {
            return Ok(None);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// `kist wait`: blocks until the container stops; its exit code.
pub fn wait(store: &Store, settings: &Settings, query: &str) -> Result<i32> {
    let id = store
        .find_container(query)
        .map_err(|e| EngineError::Invalid(e.to_string()))?;
    Ok(wait_exit(store, settings, &id, None)?.unwrap_or(137))
}

/// `kist stop`: `signal` (default: the container's stop signal), then
/// SIGKILL after `timeout` seconds (default: its --stop-timeout, else 10).
pub fn stop(
    store: &Store,
    settings: &Settings,
    query: &str,
    timeout: Option<i64>,
    signal: Option<Signal>,
) -> Result<String> {
    let id = store.find_container(query)?;
    let Some(target) = running(store, settings, &id)? else {
        return Ok(id);
    };
    let rec = store.read_container(&id)?;
    let signal =
        signal.unwrap_or_else(|| parse_signal(&rec.config.stop_signal).unwrap_or(Signal::SIGTERM));
    let secs = timeout.or(rec.config.stop_timeout).unwrap_or(10);
    let _ = target.send(signal);
    let grace = (secs >= 0).then(|| Duration::from_secs(secs as u64));
    if wait_exit(store, settings, &id, grace)?.is_none() {
        let _ = target.send(Signal::SIGKILL);
        wait_exit(store, settings, &id, Some(Duration::from_secs(10)))?;
    }
    Ok(id)
}

/// `kist restart`: stop (as `stop`), then start again, detached.
pub fn restart(
    store: &Store,
    settings: &Settings,
    query: &str,
    timeout: Option<i64>,
) -> Result<String> {
    let id = stop(store, settings, query, timeout, None)?;
    super::start::start(store, settings, &id, false)?;
    Ok(id)
}
