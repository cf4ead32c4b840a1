//! `--filter` values for images: parsed once into a typed form.

use super::{EngineError, Result};

#[derive(Debug, Default, Clone)]
pub struct ImageFilters {
    pub dangling: Option<bool>,
    /// `label=key` or `label=key=value`; all must match.
    pub labels: Vec<(String, Option<String>)>,
    /// `reference=PATTERN` (glob on the familiar name); any may match.
    pub references: Vec<String>,
    /// `before=IMAGE` / `since=IMAGE`.
    pub before: Option<String>,
    pub since: Option<String>,
    /// `until=TIMESTAMP` (prune): RFC 3339, unix seconds or a duration.
    pub until: Option<i64>,
}

impl ImageFilters {
    /// Parses `key=value` strings; `allowed` lists the keys the verb takes.
    pub fn parse(items: &[String], allowed: &[&str], now: i64) -> Result<ImageFilters> {
        let mut f = ImageFilters::default();
        for item in items {
            let (key, value) = item.split_once('=').ok_or_else(|| {
                EngineError::Invalid(format!(
                    "bad format of filter {item:?} (expected name=value)"
                ))
            })?;
            let key = key.to_ascii_lowercase();
            if !allowed.contains(&key.as_str()) {
                return Err(EngineError::Invalid(format!(
                    "invalid filter {key:?}\nhint: valid filters are {}",
                    allowed.join(", ")
                )));
            }
            match key.as_str() {
                "dangling" => {
                    f.dangling = Some(match value.to_ascii_lowercase().as_str() {
                        "true" | "1" => true,
                        "false" | "0" => false,
                        _ => {
                            return Err(EngineError::Invalid(format!(
                                "invalid filter 'dangling={value}': use true or false"
                            )))
                        }
                    })
                }
                "label" => f.labels.push(match value.split_once('=') {
                    Some((k, v)) => (k.to_string(), Some(v.to_string())),
                    None => (value.to_string(), None),
                }),
                "reference" => f.references.push(value.to_string()),
                "before" => f.before = Some(value.to_string()),
                "since" => f.since = Some(value.to_string()),
                "until" => f.until = Some(parse_until(value, now)?),
                _ => {}
            }
        }
        Ok(f)
    }

    pub fn labels_match(&self, labels: &std::collections::BTreeMap<String, String>) -> bool {
        self.labels.iter().all(|(k, v)| match (labels.get(k), v) {
            (Some(_), None) => true,
            (Some(actual), Some(want)) => actual == want,
            (None, _) => false,
        })
    }
}

/// docker's `until`: an RFC 3339 time, unix seconds, or a Go duration
/// (`10m`, `24h`, `1h30m`) before now.
fn parse_until(value: &str, now: i64) -> Result<i64> {
    if let Some((s, _)) = crate::format::units::parse_rfc3339(value) {
        return Ok(s);
    }
    if let Ok(s) = value.parse::<f64>() {
        return Ok(s as i64);
    }
    let mut total = 0f64;
    let mut num = String::new();
    for c in value.chars() {
        if c.is_ascii_digit() || c == '.' {
            num.push(c);
            continue;
        }
        let n: f64 = num.parse().map_err(|_| bad_until(value))?;
        num.clear();
        total += n * match c {
            'h' => 3600.0,
            'm' => 60.0,
            's' => 1.0,
            _ => return Err(bad_until(value)),
        };
    }
    if !num.is_empty() {
        return Err(bad_until(value));
    }
    Ok(now - total as i64)
}

fn bad_until(value: &str) -> EngineError {
    EngineError::Invalid(format!(
        "invalid filter 'until={value}'\nhint: give a timestamp (2006-01-02T15:04:05Z or unix seconds) or a duration such as 24h"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_filters() {
        let items: Vec<String> = ["dangling=true", "label=a", "label=b=c", "until=1h30m"]
            .map(String::from)
            .to_vec();
        let f = ImageFilters::parse(&items, &["dangling", "label", "until"], 10000).unwrap();
        assert_eq!(f.dangling, Some(true));
        assert_eq!(f.labels[1], ("b".into(), Some("c".into())));
        assert_eq!(f.until, Some(10000 - 5400));
        assert!(ImageFilters::parse(&["foo=1".into()], &["label"], 0).is_err());
        assert!(ImageFilters::parse(&["dangling".into()], &["dangling"], 0).is_err());
        assert!(ImageFilters::parse(&["until=3x".into()], &["until"], 0).is_err());
    }
}
