//! What a failed runtime said, classified into docker's exit codes.

use std::fs;
use std::path::Path;

use oci_spec::runtime::Spec;

use crate::runtime::container::SpawnError;

use super::setup;

/// The error of a failed `create`/`start`, from the runtime's JSON log, with
/// docker's exit codes: "executable file not found" 127, "permission
/// denied" 126, else 125.
pub(super) fn runtime_error(runtime: &str, step: &str, log: &Path, spec: &Spec) -> SpawnError {
    let text = fs::read_to_string(log).unwrap_or_default();
    let msg = last_error(&text)
        .unwrap_or_else(|| format!("{runtime} {step} failed (no error in its log)"));
    classify(runtime, msg, spec)
}

/// The message of the last error-level entry of a JSON log.
fn last_error(log: &str) -> Option<String> {
    log.lines().rev().find_map(|l| {
        let v: serde_json::Value = serde_json::from_str(l).ok()?;
        let level = v["level"].as_str()?;
        matches!(level, "error" | "fatal").then(|| v["msg"].as_str().map(String::from))?
    })
}

fn classify(runtime: &str, msg: String, spec: &Spec) -> SpawnError {
    const NOT_FOUND: &str = ": executable file not found in $PATH";
    if msg.contains("executable file not found") || msg.contains("executable file `") {
        if let Some(head) = msg.strip_suffix(NOT_FOUND) {
            // Displayed with the suffix again: runc's message as it was.
            return SpawnError::NotFound(head.to_string());
        }
        let arg0 = spec
            .process()
            .as_ref()
            .and_then(|p| p.args().as_ref())
            .and_then(|a| a.first().cloned())
            .unwrap_or_default();
        return SpawnError::NotFound(quoted(&msg).unwrap_or(arg0));
    }
    if msg.to_lowercase().contains("permission denied") {
        let (path, reason) = msg.rsplit_once(": ").unwrap_or((runtime, &msg));
        return SpawnError::CannotExecute {
            path: path.to_string(),
            reason: reason.to_string(),
        };
    }
    let is_crun = Path::new(runtime).file_name().is_some_and(|n| n == "crun");
    if is_crun && (msg.contains("cgroup") || msg.contains("hybrid")) {
        return setup(format!(
            "{msg}\nhint: crun does not support this host's cgroup setup (cgroups v1/hybrid); use --runtime runc or kist's built-in runtime (--runtime kist)"
        ));
    }
    setup(msg)
}

/// The first "…" or `…` quoted part of a message.
fn quoted(msg: &str) -> Option<String> {
    for (open, close) in [('"', '"'), ('`', '`')] {
        if let Some((_, rest)) = msg.split_once(open) {
            if let Some((q, _)) = rest.split_once(close) {
                return Some(q.to_string());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> Spec {
        Spec::default()
    }

    #[test]
    fn last_error_of_a_runc_log() {
        let log = r#"{"error":"x","level":"warning","msg":"unable to get oom kill count","time":"t"}
{"level":"error","msg":"runc create failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH","time":"t"}
"#;
        let msg = last_error(log).unwrap();
        let e = classify("runc", msg, &spec());
        assert!(matches!(e, SpawnError::NotFound(_)), "{e}");
        assert_eq!(
            e.to_string(),
            "runc create failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH"
        );
        assert!(last_error("not json\n").is_none());
    }

    #[test]
    fn docker_codes() {
        let e = classify(
            "runc",
            "runc create failed: unable to start container process: exec: \"/etc\": permission denied".into(),
            &spec(),
        );
        assert!(matches!(e, SpawnError::CannotExecute { .. }), "{e}");
        let e = classify(
            "crun",
            "executable file `nosuch` not found in $PATH: No such file or directory".into(),
            &spec(),
        );
        assert!(
            matches!(e, SpawnError::NotFound(ref n) if n == "nosuch"),
            "{e}"
        );
        let e = classify(
            "crun",
            "cgroups in hybrid mode not supported".into(),
            &spec(),
        );
        assert!(e.to_string().contains("--runtime runc"), "{e}");
    }
}
