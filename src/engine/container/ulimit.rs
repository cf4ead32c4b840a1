//! `--ulimit NAME=SOFT[:HARD]` with docker's names: parsed where the options
//! come in, kept as `HostConfig.Ulimits`, given to the runtime as OCI rlimits.

use serde_json::{json, Value};

use super::super::{EngineError, Result};
use crate::store::containers::Ulimit;

/// docker's limit names (`RLIMIT_` + the upper-cased name).
const NAMES: [&str; 16] = [
    "as",
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
];

/// `parse` for clap's `value_parser`: the message as the error.
pub fn parse_arg(spec: &str) -> std::result::Result<Ulimit, String> {
    parse(spec).map_err(|e| e.to_string())
}

/// -1 is unlimited.
fn limit(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(u64::MAX)
}

pub fn parse(spec: &str) -> Result<Ulimit> {
    let bad = |why: String| {
        EngineError::Invalid(format!(
            "invalid --ulimit {spec:?}: {why}\nhint: use NAME=SOFT[:HARD], e.g. nofile=1024:2048 (-1 is unlimited)"
        ))
    };
    let (name, values) = spec
        .split_once('=')
        .ok_or_else(|| bad("no limit given".into()))?;
    if !NAMES.contains(&name) {
        return Err(bad(format!(
            "unknown limit {name:?} (known: {})",
            NAMES.join(", ")
        )));
    }
    let (soft, hard) = values.split_once(':').unwrap_or((values, values));
    let number = |v: &str| {
        v.parse::<i64>()
            .ok()
            .filter(|n| *n >= -1)
            .ok_or_else(|| bad(format!("{v:?} is not a limit")))
    };
    let (soft, hard) = (number(soft)?, number(hard)?);
    if limit(soft) > limit(hard) {
        return Err(bad(format!(
            "the soft limit {soft} is above the hard limit {hard}"
        )));
    }
    Ok(Ulimit {
        name: name.into(),
        soft,
        hard,
    })
}

/// The OCI `process.rlimits` entries.
pub fn rlimits(ulimits: &[Ulimit]) -> Vec<Value> {
    ulimits
        .iter()
        .map(|u| {
            json!({
                "type": format!("RLIMIT_{}", u.name.to_ascii_uppercase()),
                "soft": limit(u.soft),
                "hard": limit(u.hard),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_docker_forms() {
        let u = parse("nofile=1024:2048").unwrap();
        assert_eq!((u.name.as_str(), u.soft, u.hard), ("nofile", 1024, 2048));
        let u = parse("nproc=10").unwrap();
        assert_eq!((u.soft, u.hard), (10, 10));
        let u = parse("core=-1").unwrap();
        assert_eq!(rlimits(&[u])[0]["hard"], json!(u64::MAX));
        assert_eq!(rlimits(&[parse("as=1:2").unwrap()])[0]["type"], "RLIMIT_AS");
        for bad in ["nofile", "bogus=1", "nofile=x", "nofile=2:1", "nofile=-2"] {
            let err = parse(bad).unwrap_err().to_string();
            assert!(err.contains(bad) && err.contains("hint:"), "{err}");
        }
    }
}
