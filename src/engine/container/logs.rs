//! `kist logs`: reads a container's json-file log (`ctr.log`, rotated to
//! `ctr.log.1`, `ctr.log.2`…, higher is older), oldest first, with docker's
//! `--tail`, `--since`, `--until` and `--follow`.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use super::ps::find;
use crate::engine::{EngineError, Result};
use crate::format::units;
use crate::store::containers::Status;
use crate::store::Store;

#[derive(Debug, Default, Clone)]
pub struct LogsOptions {
    /// Keep reading while the container runs.
    pub follow: bool,
    /// Only the last `n` lines (before `since`/`until` apply, as docker).
    pub tail: Option<usize>,
    /// Only entries at or after this time (unix seconds).
    pub since: Option<i64>,
    /// Only entries at or before this time (unix seconds).
    pub until: Option<i64>,
    /// Pass each entry's time to the receiver (else an empty string).
    pub timestamps: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

/// How often `follow` looks for new lines and the container's state.
const POLL: Duration = Duration::from_millis(50);

#[derive(Deserialize)]
struct Entry {
    #[serde(default)]
    log: String,
    #[serde(default)]
    stream: String,
    #[serde(default)]
    time: String,
}

/// The receiver of log lines: stream, time (with `timestamps`: docker's
/// fixed RFC 3339 with nine fraction digits,
/// `2026-11-23T07:49:01.123456789Z`, else empty), text.
pub type Sink<'a> = dyn FnMut(Stream, &str, &[u8]) -> io::Result<()> + 'a;

/// Sends the log of container `id` (name, ID or prefix) to `out`. A broken
/// pipe ends the output quietly.
pub fn logs(store: &Store, id: &str, opts: &LogsOptions, out: &mut Sink) -> Result<()> {
    let id = find(store, id)?;
    let rec = store.read_container(&id)?;
    if rec.host_config.log_config.kind == "none" {
        return Err(EngineError::Invalid(format!(
            "container {} has no log: its logging driver is \"none\"\nhint: run it with --log-driver json-file to keep its output",
            rec.name
        )));
    }
    let dir = store.container_dir(&id);
    let mut emitter = Emitter { opts, out };
    match read(store, &id, &dir, opts, &mut emitter) {
        Err(ReadError::Output(e)) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        Err(ReadError::Output(source)) => Err(EngineError::Io {
            action: "write",
            path: "the log output".into(),
            source,
        }),
        Err(ReadError::Engine(e)) => Err(e),
        Ok(()) => Ok(()),
    }
}

enum ReadError {
    Output(io::Error),
    Engine(EngineError),
}

impl From<EngineError> for ReadError {
    fn from(e: EngineError) -> Self {
        ReadError::Engine(e)
    }
}

fn read_err(path: &Path) -> impl FnOnce(io::Error) -> ReadError + '_ {
    move |source| {
        ReadError::Engine(EngineError::Io {
            action: "read",
            path: path.display().to_string(),
            source,
        })
    }
}

struct Emitter<'o, 'a> {
    opts: &'o LogsOptions,
    out: &'o mut Sink<'a>,
}

impl Emitter<'_, '_> {
    /// Decodes one line of the log and passes it on unless filtered out.
    fn line(&mut self, raw: &[u8]) -> Result<(), ReadError> {
        let Ok(e) = serde_json::from_slice::<Entry>(raw) else {
            return Ok(()); // not an entry (a torn write): skip it
        };
        let stream = if e.stream == "stderr" {
            Stream::Stderr
        } else {
            Stream::Stdout
        };
        let time = units::parse_rfc3339(&e.time);
        if let Some((s, n)) = time {
            if self.opts.since.is_some_and(|since| s < since) {
                return Ok(());
            }
            if self.opts.until.is_some_and(|u| s > u || (s == u && n > 0)) {
                return Ok(());
            }
        }
        let shown = match time {
            _ if !self.opts.timestamps => String::new(),
            Some((s, n)) => fixed_time(s, n),
            None => e.time,
        };
        (self.out)(stream, &shown, e.log.as_bytes()).map_err(ReadError::Output)
    }
}

/// docker's `RFC3339NanoFixed`: always nine fraction digits.
pub fn fixed_time(secs: i64, nanos: u32) -> String {
    let base = units::format_rfc3339_nano(secs, 0);
    format!(
        "{}.{:09}Z",
        base.trim_end_matches('Z'),
        nanos.min(999_999_999)
    )
}

/// The log files, oldest first: `ctr.log.N` … `ctr.log.1`, `ctr.log`.
fn log_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for n in 1.. {
        let p = dir.join(format!("ctr.log.{n}"));
        if !p.exists() {
            break;
        }
        files.push(p);
    }
    files.reverse();
    files.push(dir.join("ctr.log"));
    files
}

/// The newest file, open, with what was read of it.
struct Current {
    file: BufReader<File>,
    pos: u64,
    ino: u64,
    /// The start of a line whose end is not written yet.
    pending: Vec<u8>,
}

impl Current {
    fn open(path: &Path) -> Option<Current> {
        let file = File::open(path).ok()?;
        let ino = file.metadata().ok()?.ino();
        Some(Current {
            file: BufReader::new(file),
            pos: 0,
            ino,
            pending: Vec::new(),
        })
    }

    /// Complete lines from here to the end of the file, in `each`.
    fn read_lines(
        &mut self,
        path: &Path,
        each: &mut dyn FnMut(&[u8]) -> Result<(), ReadError>,
    ) -> Result<(), ReadError> {
        loop {
            let n = self
                .file
                .read_until(b'\n', &mut self.pending)
                .map_err(read_err(path))?;
            if n == 0 {
                return Ok(());
            }
            self.pos += n as u64;
            if self.pending.last() == Some(&b'\n') {
                let line = std::mem::take(&mut self.pending);
                each(&line)?;
            }
        }
    }
}

fn read(
    store: &Store,
    id: &str,
    dir: &Path,
    opts: &LogsOptions,
    em: &mut Emitter,
) -> Result<(), ReadError> {
    let files = log_files(dir);
    let (newest, older) = files.split_last().expect("ctr.log is always listed");
    let mut tail: VecDeque<Vec<u8>> = VecDeque::new();
    let mut take = |raw: &[u8], em: &mut Emitter| -> Result<(), ReadError> {
        match opts.tail {
            None => em.line(raw),
            Some(0) => Ok(()),
            Some(n) => {
                if tail.len() == n {
                    tail.pop_front();
                }
                tail.push_back(raw.to_vec());
                Ok(())
            }
        }
    };
    for path in older {
        let Ok(f) = File::open(path) else {
            continue; // rotated away meanwhile
        };
        for line in BufReader::new(f).split(b'\n') {
            take(&line.map_err(read_err(path))?, em)?;
        }
    }
    let mut cur = Current::open(newest);
    if let Some(c) = &mut cur {
        c.read_lines(newest, &mut |l| take(l, em))?;
    }
    for raw in tail.drain(..) {
        em.line(&raw)?;
    }
    if !opts.follow {
        return Ok(());
    }
    loop {
        let running = store
            .read_state(id)
            .map(|s| s.effective().status == Status::Running)
            .unwrap_or(false);
        let past_until = opts.until.is_some_and(|u| units::now().0 > u);
        follow_once(newest, &mut cur, em)?;
        if !running || past_until {
            return Ok(());
        }
        std::thread::sleep(POLL);
    }
}

/// Reads what was added to the log since the last call, following a
/// rotation (renamed or truncated file) to the new file.
fn follow_once(path: &Path, cur: &mut Option<Current>, em: &mut Emitter) -> Result<(), ReadError> {
    let Some(c) = cur else {
        *cur = Current::open(path);
        if cur.is_some() {
            return follow_once(path, cur, em);
        }
        return Ok(());
    };
    c.read_lines(path, &mut |l| em.line(l))?;
    let now = std::fs::metadata(path).ok();
    let deleted = c
        .file
        .get_ref()
        .metadata()
        .map(|m| m.nlink() == 0)
        .unwrap_or(true);
    match now {
        // Truncated in place: start again from its beginning.
        Some(m) if m.ino() == c.ino && m.len() < c.pos && !deleted => {
            c.file.seek(SeekFrom::Start(0)).map_err(read_err(path))?;
            c.pos = 0;
            c.pending.clear();
            c.read_lines(path, &mut |l| em.line(l))?;
        }
        // Renamed or removed, and a new file in its place: finish the old
        // one, then read the new one from its start.
        Some(m) if m.ino() != c.ino || deleted => {
            c.read_lines(path, &mut |l| em.line(l))?;
            let rest = std::mem::take(&mut c.pending);
            if !rest.is_empty() {
                em.line(&rest)?;
            }
            *cur = Current::open(path);
            if let Some(c) = cur {
                c.read_lines(path, &mut |l| em.line(l))?;
            }
        }
        _ => {}
    }
    Ok(())
}

/// docker's `--since` / `--until` values: an RFC 3339 time (or just a date,
/// or without a zone: UTC), unix seconds (`1700000000`, `1700000000.5`), or a
/// Go duration (`10m`, `1h30m`, `90s`) before now.
pub fn parse_time(value: &str, now: i64) -> Result<i64> {
    let v = value.trim();
    if let Some((s, _)) = units::parse_rfc3339(v) {
        return Ok(s);
    }
    for suffix in ["T00:00:00Z", "Z", ":00Z"] {
        if let Some((s, _)) = units::parse_rfc3339(&format!("{v}{suffix}")) {
            return Ok(s);
        }
    }
    if let Ok(s) = v.parse::<f64>() {
        if s.is_finite() {
            return Ok(s.floor() as i64);
        }
    }
    go_duration(v)
        .map(|d| now - d.ceil() as i64)
        .ok_or_else(|| {
            EngineError::Invalid(format!(
                "invalid time {value:?}\nhint: give a timestamp (2006-01-02T15:04:05Z or unix seconds) or a duration such as 10m or 1h30m"
            ))
        })
}

/// A Go duration in seconds: `300ms`, `1.5h`, `2h45m`, `-10s` is refused.
fn go_duration(v: &str) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let mut total = 0f64;
    let mut rest = v;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let n: f64 = rest[..num_len].parse().ok()?;
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let mult = match &rest[..unit_len] {
            "ns" => 1e-9,
            "us" | "µs" => 1e-6,
            "ms" => 1e-3,
            "s" => 1.0,
            "m" => 60.0,
            "h" => 3600.0,
            _ => return None,
        };
        rest = &rest[unit_len..];
        total += n * mult;
    }
    Some(total)
}

#[cfg(test)]
mod tests {
    use super::super::ps::tests::{add, set_state, temp_store};
    use super::*;
    use std::io::Write;

    fn entry(text: &str, stderr: bool, secs: i64, nanos: u32) -> String {
        format!(
            "{}\n",
            serde_json::json!({
                "log": text,
                "stream": if stderr { "stderr" } else { "stdout" },
                "time": units::format_rfc3339_nano(secs, nanos),
            })
        )
    }

    const T0: i64 = 1_795_000_000;

    /// Lines 0..n, one second apart from T0, odd ones on stderr.
    fn lines(from: usize, to: usize) -> String {
        (from..to)
            .map(|i| entry(&format!("line {i}\n"), i % 2 == 1, T0 + i as i64, 123_000))
            .collect()
    }

    fn collect(store: &Store, name: &str, opts: &LogsOptions) -> Vec<String> {
        let mut got = Vec::new();
        logs(store, name, opts, &mut |s, t, b| {
            let tag = if s == Stream::Stderr { "E" } else { "O" };
            let text = String::from_utf8_lossy(b);
            if opts.timestamps {
                got.push(format!("{tag} {t} {}", text.trim_end()));
            } else {
                got.push(format!("{tag} {}", text.trim_end()));
            }
            Ok(())
        })
        .unwrap();
        got
    }

    fn setup(tag: &str) -> (Store, PathBuf) {
        let store = temp_store(tag);
        let rec = add(&store, "web", 60, Status::Exited, 0);
        let dir = store.container_dir(&rec.id);
        std::fs::write(dir.join("ctr.log.2"), lines(0, 3)).unwrap();
        std::fs::write(dir.join("ctr.log.1"), lines(3, 6)).unwrap();
        std::fs::write(dir.join("ctr.log"), lines(6, 10)).unwrap();
        (store, dir)
    }

    #[test]
    fn reads_rotated_files_in_order() {
        let (store, _) = setup("logs-order");
        let got = collect(&store, "web", &LogsOptions::default());
        let want: Vec<String> = (0..10)
            .map(|i| format!("{} line {i}", if i % 2 == 1 { "E" } else { "O" }))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn tail_since_until_timestamps() {
        let (store, _) = setup("logs-filters");
        let o = |tail, since, until| LogsOptions {
            tail,
            since,
            until,
            ..Default::default()
        };
        let got = collect(&store, "web", &o(Some(4), None, None));
        assert_eq!(got, ["O line 6", "E line 7", "O line 8", "E line 9"]);
        assert!(collect(&store, "web", &o(Some(0), None, None)).is_empty());
        assert_eq!(collect(&store, "web", &o(Some(50), None, None)).len(), 10);
        let got = collect(&store, "web", &o(None, Some(T0 + 8), None));
        assert_eq!(got, ["O line 8", "E line 9"]);
        // until is inclusive of the second but the entries carry nanos.
        let got = collect(&store, "web", &o(None, None, Some(T0 + 2)));
        assert_eq!(got, ["O line 0", "E line 1"]);
        let got = collect(&store, "web", &o(None, Some(T0 + 2), Some(T0 + 4)));
        assert_eq!(got, ["O line 2", "E line 3"]);
        // tail first, then since (docker's order).
        let got = collect(&store, "web", &o(Some(3), Some(T0 + 8), None));
        assert_eq!(got, ["O line 8", "E line 9"]);
        let ts = LogsOptions {
            tail: Some(1),
            timestamps: true,
            ..Default::default()
        };
        let got = collect(&store, "web", &ts);
        assert_eq!(got, [format!("E {} line 9", fixed_time(T0 + 9, 123_000))]);
        assert!(got[0].contains(".000123000Z"));
    }

    #[test]
    fn missing_log_and_no_container() {
        let store = temp_store("logs-missing");
        add(&store, "quiet", 5, Status::Created, 0);
        assert!(collect(&store, "quiet", &LogsOptions::default()).is_empty());
        let err = logs(&store, "ghost", &LogsOptions::default(), &mut |_, _, _| {
            Ok(())
        });
        assert!(err.unwrap_err().to_string().contains("no such container"));
        let mut rec = store
            .read_container(&find(&store, "quiet").unwrap())
            .unwrap();
        rec.host_config.log_config.kind = "none".into();
        store.write_container(&rec).unwrap();
        let err = logs(&store, "quiet", &LogsOptions::default(), &mut |_, _, _| {
            Ok(())
        });
        assert!(err.unwrap_err().to_string().contains("\"none\""));
    }

    #[test]
    fn skips_torn_lines_and_stops_on_broken_pipe() {
        let (store, dir) = setup("logs-torn");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.join("ctr.log"))
            .unwrap();
        f.write_all(b"{\"log\":\"garbage\n").unwrap();
        f.write_all(entry("last\n", false, T0 + 20, 0).as_bytes())
            .unwrap();
        let got = collect(
            &store,
            "web",
            &LogsOptions {
                tail: Some(2),
                ..Default::default()
            },
        );
        assert_eq!(got, ["O last"]);
        let mut n = 0;
        logs(&store, "web", &LogsOptions::default(), &mut |_, _, _| {
            n += 1;
            Err(io::Error::from(io::ErrorKind::BrokenPipe))
        })
        .unwrap();
        assert_eq!(n, 1);
        let err = logs(&store, "web", &LogsOptions::default(), &mut |_, _, _| {
            Err(io::Error::other("disk full"))
        });
        assert!(err.is_err());
    }

    #[test]
    fn follow_until_exit_with_rotation() {
        let (store, dir) = setup("logs-follow");
        let id = find(&store, "web").unwrap();
        set_state(&store, &id, Status::Running, 0);
        let writer = {
            let store = store.clone();
            let dir = dir.clone();
            let id = id.clone();
            std::thread::spawn(move || {
                let log = dir.join("ctr.log");
                let append = |s: &str| {
                    let mut f = std::fs::OpenOptions::new()
                        .append(true)
                        .create(true)
                        .open(&log)
                        .unwrap();
                    f.write_all(s.as_bytes()).unwrap();
                };
                std::thread::sleep(Duration::from_millis(120));
                append(&lines(10, 12));
                std::thread::sleep(Duration::from_millis(120));
                // a line written in two parts
                let e = entry("split\n", false, T0 + 30, 0);
                append(&e[..10]);
                std::thread::sleep(Duration::from_millis(120));
                append(&e[10..]);
                std::thread::sleep(Duration::from_millis(120));
                // rotation by rename, then more lines in the new file
                append(&lines(12, 13));
                std::fs::rename(&log, dir.join("ctr.log.1")).unwrap();
                append(&lines(13, 15));
                std::thread::sleep(Duration::from_millis(120));
                // truncation in place
                std::fs::write(&log, "").unwrap();
                append(&lines(15, 16));
                std::thread::sleep(Duration::from_millis(120));
                // the last words, then the container exits
                append(&lines(16, 17));
                set_state(&store, &id, Status::Exited, 0);
            })
        };
        let t = std::time::Instant::now();
        let got = collect(
            &store,
            "web",
            &LogsOptions {
                follow: true,
                tail: Some(1),
                ..Default::default()
            },
        );
        writer.join().unwrap();
        let texts: Vec<&str> = got.iter().map(|s| &s[2..]).collect();
        assert_eq!(
            texts,
            [
                "line 9", "line 10", "line 11", "split", "line 12", "line 13", "line 14",
                "line 15", "line 16"
            ]
        );
        assert!(t.elapsed() < Duration::from_secs(5));
        // not running: follow returns at once
        let t = std::time::Instant::now();
        let got = collect(
            &store,
            "web",
            &LogsOptions {
                follow: true,
                tail: Some(1),
                ..Default::default()
            },
        );
        assert_eq!(got, ["O line 16"]);
        assert!(t.elapsed() < Duration::from_millis(500));
        assert!(std::fs::read_to_string(dir.join("ctr.log"))
            .unwrap()
            .contains("line 16"));
    }

    #[test]
    fn times() {
        let now = 1_800_000_000;
        assert_eq!(
            parse_time("2026-11-23T07:49:01Z", now).unwrap(),
            1_795_420_141
        );
        assert_eq!(
            parse_time("2026-11-23T07:49:01.5+01:00", now).unwrap(),
            1_795_416_541
        );
        assert_eq!(parse_time("2026-11-23", now).unwrap(), 1_795_392_000);
        assert_eq!(
            parse_time("2026-11-23T07:49:01", now).unwrap(),
            1_795_420_141
        );
        assert_eq!(parse_time("1700000000", now).unwrap(), 1_700_000_000);
        assert_eq!(parse_time("1700000000.75", now).unwrap(), 1_700_000_000);
        assert_eq!(parse_time("10m", now).unwrap(), now - 600);
        assert_eq!(parse_time("1h30m", now).unwrap(), now - 5400);
        assert_eq!(parse_time("1.5h", now).unwrap(), now - 5400);
        assert_eq!(parse_time("500ms", now).unwrap(), now - 1);
        for bad in ["", "10x", "h", "yesterday", "-10m"] {
            assert!(parse_time(bad, now).is_err(), "{bad}");
        }
        assert_eq!(fixed_time(0, 5), "1970-01-01T00:00:00.000000005Z");
        assert_eq!(fixed_time(T0, 0), "2026-11-18T11:06:40.000000000Z");
    }
}
