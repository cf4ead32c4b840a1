//! Printing reports: docker's `--format` handling, tables and JSON.

use serde_json::Value;

use crate::store::Digest;

/// Prints rows through `--format` (or the default table).
pub fn print_list(
    format: Option<&str>,
    default_table: &str,
    headers: &Value,
    rows: &[Value],
) -> anyhow::Result<()> {
    let out = crate::format::render_list(
        format.unwrap_or(default_table),
        default_table,
        headers,
        rows,
    )?;
    print!("{out}");
    Ok(())
}

/// Prints objects as docker's inspect does: an indented JSON array, or one
/// `--format` line per object.
pub fn print_objects(format: Option<&str>, objects: &[Value]) -> anyhow::Result<()> {
    match format {
        Some(f) => {
            for o in objects {
                print!("{}", crate::format::render_one(f, o)?);
            }
        }
        None => println!("{}", pretty(&Value::Array(objects.to_vec()))),
    }
    Ok(())
}

/// Prints the objects found; each one missing is an error on stderr and
/// exit status 125 (the found ones are still printed).
pub fn print_inspected(
    results: Vec<crate::engine::Result<Value>>,
    format: Option<&str>,
) -> anyhow::Result<i32> {
    let mut found = Vec::new();
    let mut code = 0;
    for r in results {
        match r {
            Ok(v) => found.push(v),
            Err(e) => {
                eprintln!("Error: {e}");
                code = super::EXIT_KIST;
            }
        }
    }
    if format.is_some() || !found.is_empty() || code == 0 {
        print_objects(format, &found)?;
    }
    Ok(code)
}

/// JSON indented with four spaces, as docker prints it.
pub fn pretty(v: &Value) -> String {
    use serde::Serialize;
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    if v.serialize(&mut ser).is_err() {
        return v.to_string();
    }
    String::from_utf8(buf).unwrap_or_default()
}

/// An image ID as docker shows it: 12 hex digits, or the full digest.
pub fn image_id(d: &Digest, no_trunc: bool) -> String {
    if no_trunc {
        d.to_string()
    } else {
        d.short().to_string()
    }
}

/// docker's `Ellipsis`: at most `max` characters, the last one `…`.
pub fn ellipsis(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// "2 hours ago" for a unix time.
pub fn since(created: i64) -> String {
    if created <= 0 {
        return "N/A".into();
    }
    let now = crate::format::units::now().0;
    format!(
        "{} ago",
        crate::format::units::human_duration(now.saturating_sub(created).max(0) as u64)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ellipsis_and_pretty() {
        assert_eq!(ellipsis("abcdef", 4), "abc…");
        assert_eq!(ellipsis("abc", 4), "abc");
        assert_eq!(pretty(&serde_json::json!({"a": 1})), "{\n    \"a\": 1\n}");
    }
}
