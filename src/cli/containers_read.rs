//! The read side of containers: ps (container ls), logs, container inspect.

use std::io::{self, Write};

use clap::Args;
use serde_json::{json, Value};

use super::output::{ellipsis, print_inspected, print_list, since};
use crate::config::Settings;
use crate::engine::container::inspect;
use crate::engine::container::logs::{self, LogsOptions, Stream};
use crate::engine::container::ps::{self, ContainerFilters, ContainerRow, PsOptions};
use crate::format::units;
use crate::store::Store;

#[derive(Args, Debug)]
pub struct PsArgs {
    /// Show all containers (default shows just running)
    #[arg(short, long)]
    pub all: bool,
    /// Only display container IDs
    #[arg(short, long)]
    pub quiet: bool,
    /// Show the latest created container (includes all states)
    #[arg(short, long)]
    pub latest: bool,
    /// Show n last created containers (includes all states)
    #[arg(
        short = 'n',
        long = "last",
        value_name = "N",
        allow_negative_numbers = true
    )]
    pub last: Option<i64>,
    /// Display total file sizes
    #[arg(short, long)]
    pub size: bool,
    /// Don't truncate output
    #[arg(long)]
    pub no_trunc: bool,
    /// Filter output based on conditions provided (id, name, status, ancestor, label, exited, before, since)
    #[arg(short, long, value_name = "FILTER")]
    pub filter: Vec<String>,
    /// Format output using a Go template, "table", "table TEMPLATE" or "json"
    #[arg(long)]
    pub format: Option<String>,
}

const PS_TABLE: &str =
    "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";
const PS_TABLE_SIZE: &str = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}\t{{.Size}}";

pub fn ps(store: &Store, settings: &Settings, a: &PsArgs) -> anyhow::Result<i32> {
    let last = if a.latest {
        Some(1)
    } else {
        a.last.filter(|&n| n > 0).map(|n| n as usize)
    };
    // docker computes sizes when the template shows them.
    let size = a.size || (!a.quiet && a.format.as_deref().is_some_and(|f| f.contains(".Size")));
    let opts = PsOptions {
        all: a.all,
        last,
        size,
        filters: ContainerFilters::parse(&a.filter)?,
    };
    let rows = ps::list(store, settings, &opts)?;
    if a.quiet {
        for r in &rows {
            println!("{}", container_id(&r.id, a.no_trunc));
        }
        return Ok(0);
    }
    let now = units::now().0;
    let values: Vec<Value> = rows.iter().map(|r| ps_row(r, a.no_trunc, now)).collect();
    let headers = json!({
        "ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND", "CreatedAt": "CREATED AT",
        "RunningFor": "CREATED", "Ports": "PORTS", "State": "STATE", "Status": "STATUS",
        "Size": "SIZE", "Names": "NAMES", "Labels": "LABELS", "Mounts": "MOUNTS",
        "Networks": "NETWORKS", "LocalVolumes": "LOCAL VOLUMES",
    });
    let default = if a.size { PS_TABLE_SIZE } else { PS_TABLE };
    print_list(a.format.as_deref(), default, &headers, &values)?;
    Ok(0)
}

/// A container ID as docker shows it: 12 hex digits, or all 64.
fn container_id(id: &str, no_trunc: bool) -> String {
    if no_trunc {
        id.to_string()
    } else {
        id.chars().take(12).collect()
    }
}

/// docker's row, its fields in the order `--format json` prints them.
fn ps_row(r: &ContainerRow, no_trunc: bool, now: i64) -> Value {
    let command = if no_trunc {
        r.command.clone()
    } else {
        ellipsis(&r.command, 20)
    };
    let image = match r.image.as_str() {
        "" => "<no image>".to_string(),
        i if i == r.image_id.as_str() && !no_trunc => r.image_id.short().to_string(),
        i => i.to_string(),
    };
    let size = match (r.size_rw, r.size_root) {
        (Some(rw), Some(root)) if root > 0 => {
            format!(
                "{} (virtual {})",
                units::human_size(rw),
                units::human_size(root)
            )
        }
        (rw, _) => units::human_size(rw.unwrap_or(0)),
    };
    let labels: Vec<String> = r.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    let mounts: Vec<String> = r
        .mounts
        .iter()
        .map(|m| if no_trunc { m.clone() } else { ellipsis(m, 15) })
        .collect();
    json!({
        "Command": go_quote(&command),
        "CreatedAt": units::format_go_time(r.created),
        "ID": container_id(&r.id, no_trunc),
        "Image": image,
        "Labels": labels.join(","),
        "LocalVolumes": "0",
        "Mounts": mounts.join(","),
        "Names": r.name,
        "Networks": r.networks.join(","),
        "Ports": r.ports,
        "RunningFor": since(r.created),
        "Size": size,
        "State": r.state.status.as_str(),
        "Status": ps::status_text(&r.state, now),
    })
}

/// Go's `strconv.Quote`.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32))
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// The container (name, ID or ID prefix)
    #[arg(value_name = "CONTAINER")]
    pub container: String,
    /// Follow log output
    #[arg(short, long)]
    pub follow: bool,
    /// Number of lines to show from the end of the logs
    #[arg(short = 'n', long, default_value = "all", value_name = "N")]
    pub tail: String,
    /// Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// Show timestamps
    #[arg(short, long)]
    pub timestamps: bool,
}

pub fn logs(store: &Store, a: &LogsArgs) -> anyhow::Result<i32> {
    let now = units::now().0;
    let opts = LogsOptions {
        follow: a.follow,
        // docker: "all", a negative or an unreadable number mean everything.
        tail: a
            .tail
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|&n| n >= 0)
            .map(|n| n as usize),
        since: a
            .since
            .as_deref()
            .map(|s| logs::parse_time(s, now))
            .transpose()?,
        until: a
            .until
            .as_deref()
            .map(|s| logs::parse_time(s, now))
            .transpose()?,
        timestamps: a.timestamps,
    };
    let mut stdout = io::BufWriter::with_capacity(64 * 1024, io::stdout().lock());
    let mut stderr = io::stderr().lock();
    logs::logs(store, &a.container, &opts, &mut |stream, time, text| {
        let prefix = if a.timestamps {
            format!("{time} ")
        } else {
            String::new()
        };
        match stream {
            Stream::Stdout => {
                stdout.write_all(prefix.as_bytes())?;
                stdout.write_all(text)?;
                if a.follow {
                    stdout.flush()?;
                }
            }
            Stream::Stderr => {
                // Keep the order of the two streams on one terminal.
                stdout.flush()?;
                stderr.write_all(prefix.as_bytes())?;
                stderr.write_all(text)?;
            }
        }
        Ok(())
    })?;
    match stdout.flush() {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}

#[derive(Args, Debug)]
pub struct ContainerInspectArgs {
    /// Containers (names, IDs or ID prefixes)
    #[arg(required = true, value_name = "CONTAINER")]
    pub containers: Vec<String>,
    /// Format output using a Go template or "json"
    #[arg(short, long)]
    pub format: Option<String>,
    /// Display total file sizes
    #[arg(short, long)]
    pub size: bool,
}

pub fn inspect(
    store: &Store,
    settings: &Settings,
    a: &ContainerInspectArgs,
) -> anyhow::Result<i32> {
    let results = inspect::inspect(store, settings, &a.containers, a.size)?;
    print_inspected(results, a.format.as_deref())
}

/// `kist inspect NAME…` without `--type`: containers, else images.
pub fn inspect_any(
    store: &Store,
    settings: &Settings,
    names: &[String],
    format: Option<&str>,
) -> anyhow::Result<i32> {
    print_inspected(inspect::inspect_any(store, settings, names)?, format)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::container::ps::tests::{add, add_image, digest, temp_store};
    use crate::store::containers::Status;

    #[test]
    fn ps_rows_as_docker() {
        let store = temp_store("cli-ps");
        add_image(&store, digest(1), "busybox", None);
        add(&store, "web", 30, Status::Running, 0);
        add(&store, "job", 60, Status::Exited, 1);
        let rows = ps::list(
            &store,
            &crate::engine::container::ps::tests::settings_of(&store),
            &PsOptions {
                all: true,
                size: true,
                ..Default::default()
            },
        )
        .unwrap();
        let now = units::now().0;
        let v = ps_row(&rows[0], false, now);
        assert_eq!(v["Names"], "web");
        assert_eq!(v["ID"].as_str().unwrap().len(), 12);
        assert_eq!(v["Command"], "\"sh -c 'echo hi'\"");
        assert_eq!(v["Image"], "busybox");
        assert_eq!(v["Status"], "Up 10 seconds");
        assert_eq!(v["State"], "running");
        assert_eq!(v["RunningFor"], "30 seconds ago");
        assert_eq!(v["Labels"], "app=web");
        assert_eq!(v["Mounts"], "/srv/data");
        assert_eq!(v["Networks"], "none");
        assert_eq!(v["Size"], "0B (virtual 1kB)");
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        let v = ps_row(&rows[1], false, now);
        assert_eq!(v["Status"], "Exited (1) 3 seconds ago");

        let mut long = rows[0].clone();
        long.command = "python3 -m http.server 8000".into();
        assert_eq!(
            ps_row(&long, false, now)["Command"],
            "\"python3 -m http.ser…\""
        );
        assert_eq!(
            ps_row(&long, true, now)["Command"],
            "\"python3 -m http.server 8000\""
        );
        long.image = long.image_id.to_string();
        assert_eq!(ps_row(&long, false, now)["Image"], digest(1).short());

        let headers = json!({"ID": "CONTAINER ID", "Image": "IMAGE", "Command": "COMMAND",
            "RunningFor": "CREATED", "Status": "STATUS", "Ports": "PORTS", "Names": "NAMES"});
        let table = crate::format::render_list(PS_TABLE, PS_TABLE, &headers, &[v]).unwrap();
        let first = table.lines().next().unwrap();
        assert!(
            first.starts_with("CONTAINER ID   IMAGE     COMMAND"),
            "{first}"
        );
        assert!(
            first.ends_with("STATUS                     PORTS     NAMES"),
            "{first}"
        );
    }

    #[test]
    fn quoting() {
        assert_eq!(go_quote("a\"b\\c\n\x01"), "\"a\\\"b\\\\c\\n\\x01\"");
    }
}
