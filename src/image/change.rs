//! Dockerfile instructions that edit an image config (`import --change`,
//! later `commit --change`): CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD,
//! STOPSIGNAL, USER, VOLUME, WORKDIR.

use serde_json::{json, Map, Value};

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ChangeError {
    #[error("dockerfile instruction {0:?} cannot be used with --change\nhint: use one of CMD, ENTRYPOINT, ENV, EXPOSE, LABEL, ONBUILD, STOPSIGNAL, USER, VOLUME, WORKDIR")]
    Unsupported(String),
    #[error("invalid --change {change:?}: {reason}")]
    Invalid { change: String, reason: String },
}

/// Applies one instruction to a docker container config object.
pub fn apply(config: &mut Map<String, Value>, change: &str) -> Result<(), ChangeError> {
    let change = change.trim();
    let (word, rest) = change
        .split_once(char::is_whitespace)
        .unwrap_or((change, ""));
    let rest = rest.trim();
    let invalid = |reason: &str| ChangeError::Invalid {
        change: change.to_string(),
        reason: reason.to_string(),
    };
    if rest.is_empty() {
        return Err(invalid("missing arguments"));
    }
    match word.to_ascii_uppercase().as_str() {
        "CMD" => {
            config.insert("Cmd".into(), json!(command_form(rest)));
        }
        "ENTRYPOINT" => {
            config.insert("Entrypoint".into(), json!(command_form(rest)));
        }
        "ENV" => {
            let env = config.entry("Env").or_insert_with(|| json!([]));
            for (k, v) in pairs(rest).map_err(|r| invalid(&r))? {
                if let Some(list) = env.as_array_mut() {
                    list.retain(|e| {
                        e.as_str().and_then(|s| s.split_once('=')).map(|p| p.0) != Some(&k)
                    });
                    list.push(json!(format!("{k}={v}")));
                }
            }
        }
        "LABEL" => {
            let labels = config.entry("Labels").or_insert_with(|| json!({}));
            if labels.is_null() {
                *labels = json!({});
            }
            for (k, v) in pairs(rest).map_err(|r| invalid(&r))? {
                labels[k] = json!(v);
            }
        }
        "EXPOSE" => {
            let ports = config.entry("ExposedPorts").or_insert_with(|| json!({}));
            for p in rest.split_whitespace() {
                let port = if p.contains('/') {
                    p.to_string()
                } else {
                    format!("{p}/tcp")
                };
                let (num, proto) = port.split_once('/').unwrap_or((&port, "tcp"));
                if num.split('-').any(|n| n.parse::<u16>().is_err())
                    || !matches!(proto, "tcp" | "udp" | "sctp")
                {
                    return Err(invalid(&format!("invalid port {p:?}")));
                }
                ports[port] = json!({});
            }
        }
        "VOLUME" => {
            let vols = config.entry("Volumes").or_insert_with(|| json!({}));
            let list: Vec<String> = serde_json::from_str(rest)
                .unwrap_or_else(|_| rest.split_whitespace().map(String::from).collect());
            for v in list {
                vols[v] = json!({});
            }
        }
        "WORKDIR" => {
            let old = config
                .get("WorkingDir")
                .and_then(Value::as_str)
                .unwrap_or("/");
            let dir = if rest.starts_with('/') {
                rest.to_string()
            } else {
                format!("{}/{rest}", old.trim_end_matches('/'))
            };
            config.insert("WorkingDir".into(), json!(dir));
        }
        "USER" => {
            config.insert("User".into(), json!(rest));
        }
        "STOPSIGNAL" => {
            config.insert("StopSignal".into(), json!(rest));
        }
        "ONBUILD" => {
            let list = config.entry("OnBuild").or_insert_with(|| json!([]));
            if let Some(list) = list.as_array_mut() {
                list.push(json!(rest));
            }
        }
        _ => return Err(ChangeError::Unsupported(word.to_string())),
    }
    Ok(())
}

/// JSON array form, else shell form.
fn command_form(rest: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(rest)
        .unwrap_or_else(|_| vec!["/bin/sh".into(), "-c".into(), rest.into()])
}

/// `k=v k2="v 2"` or the legacy single `k v` form.
fn pairs(rest: &str) -> Result<Vec<(String, String)>, String> {
    let words = shell_words(rest)?;
    if !words.iter().any(|w| w.contains('=')) {
        let (k, v) = rest
            .split_once(char::is_whitespace)
            .ok_or("expected KEY=VALUE")?;
        return Ok(vec![(k.to_string(), v.trim().to_string())]);
    }
    words
        .into_iter()
        .map(|w| match w.split_once('=') {
            Some((k, v)) if !k.is_empty() => Ok((k.to_string(), v.to_string())),
            _ => Err(format!("expected KEY=VALUE, got {w:?}")),
        })
        .collect()
}

fn shell_words(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut in_word = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match (quote, c) {
            (None, c) if c.is_whitespace() => {
                if in_word {
                    out.push(std::mem::take(&mut cur));
                    in_word = false;
                }
            }
            (None, '"' | '\'') => {
                quote = Some(c);
                in_word = true;
            }
            (Some(q), c) if c == q => quote = None,
            (Some('\''), c) => cur.push(c),
            (_, '\\') => {
                cur.push(chars.next().unwrap_or('\\'));
                in_word = true;
            }
            (_, c) => {
                cur.push(c);
                in_word = true;
            }
        }
    }
    if quote.is_some() {
        return Err("unterminated quote".into());
    }
    if in_word {
        out.push(cur);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn applies_changes() {
        let mut c = Map::new();
        apply(&mut c, "CMD [\"/bin/sh\", \"-c\", \"echo\"]").unwrap();
        apply(&mut c, "ENTRYPOINT top -b").unwrap();
        apply(&mut c, "ENV A=1 B=\"two words\"").unwrap();
        apply(&mut c, "ENV A 3").unwrap();
        apply(&mut c, "LABEL org.x=y").unwrap();
        apply(&mut c, "EXPOSE 80 53/udp").unwrap();
        apply(&mut c, "WORKDIR /srv").unwrap();
        apply(&mut c, "WORKDIR app").unwrap();
        apply(&mut c, "user nobody").unwrap();
        let v = Value::Object(c);
        assert_eq!(v["Cmd"], json!(["/bin/sh", "-c", "echo"]));
        assert_eq!(v["Entrypoint"], json!(["/bin/sh", "-c", "top -b"]));
        assert_eq!(v["Env"], json!(["B=two words", "A=3"]));
        assert_eq!(v["Labels"], json!({"org.x": "y"}));
        assert_eq!(v["ExposedPorts"], json!({"80/tcp": {}, "53/udp": {}}));
        assert_eq!(v["WorkingDir"], json!("/srv/app"));
        assert_eq!(v["User"], json!("nobody"));
    }

    #[test]
    fn rejects_bad_changes() {
        let mut c = Map::new();
        assert_eq!(
            apply(&mut c, "RUN rm -rf /"),
            Err(ChangeError::Unsupported("RUN".into()))
        );
        assert!(apply(&mut c, "EXPOSE http").is_err());
        assert!(apply(&mut c, "CMD").is_err());
        assert!(apply(&mut c, "ENV A=\"open").is_err());
    }
}
